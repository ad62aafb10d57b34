"""Action item pages: list, add, mark done."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.errors import ConflictError
from core.permissions import require, role_required
from governance.models import ActionItem
from governance.register.filters import ActionItemFilter, action_item_queryset
from governance.register.forms import ActionItemCompleteForm, ActionItemForm
from governance.register.permissions import (
    COMPLETE_DENIED_MESSAGE,
    can_complete_action_item,
    can_read_register,
    get_action_item_for_user,
)
from governance.register.services import action_item_complete, action_item_create
from governance.register.views.pages import (
    initiative_for_register,
    list_page,
    next_url,
    saved,
    service_form,
)


def _with_permissions(request: HttpRequest, items: QuerySet | list) -> None:
    for item in items:
        item.can_complete = can_complete_action_item(request.user, item)


@role_required(can_read_register)
@require_safe
def action_item_list(request: HttpRequest) -> TemplateResponse:
    today = timezone.localdate()
    response = list_page(
        request,
        template="governance/register/action_list.html",
        target="action-results",
        filterset=ActionItemFilter(
            request.GET, queryset=action_item_queryset(today), request=request
        ),
    )
    _with_permissions(request, response.context_data["page"].object_list)
    return response


@login_required
@require_http_methods(["GET", "POST"])
def action_item_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    initiative = initiative_for_register(request, pk)

    def added(item: ActionItem) -> HttpResponse:
        if item.due_date < timezone.localdate():
            messages.warning(
                request,
                f"Action item added. Its due date ({item.due_date:%d %b %Y}) has passed, "
                "so it is overdue from the start.",
            )
            return redirect(initiative)
        return saved(request, "Action item added.", initiative)

    return service_form(
        request,
        ActionItemForm(request.POST or None, initial={"owner": request.user.pk}),
        "governance/register/action_form.html",
        {"initiative": initiative},
        save=lambda form: action_item_create(
            initiative=initiative,
            actor=request.user,
            title=form.cleaned_data["title"],
            owner=form.cleaned_data["owner"],
            due_date=form.cleaned_data["due_date"],
        ),
        done=added,
    )


@login_required
@require_POST
def action_item_complete_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark done from a list or the initiative page; htmx swaps just the row."""
    item = get_action_item_for_user(request.user, pk, queryset=action_item_queryset())
    require(can_complete_action_item(request.user, item), COMPLETE_DENIED_MESSAGE)
    form = ActionItemCompleteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        action_item_complete(item=item, actor=request.user, note=note)
    except ConflictError as error:
        # Someone (or a double click) got there first: the item is done either way.
        outcome, row_message = error.message, error.message
    else:
        outcome, row_message = f"Done: {item.title}", "Marked done."
    if request.htmx:
        item = action_item_queryset().get(pk=item.pk)
        item.can_complete = False
        return TemplateResponse(
            request,
            "governance/register/action_list.html#action-row",
            {"item": item, "today": timezone.localdate(), "row_message": row_message},
        )
    messages.success(request, outcome)
    return redirect(next_url(request, reverse("governance:action_item_list")))
