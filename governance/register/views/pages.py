"""The shapes every register page shares: the filtered list, and the form that calls a
service and shows its errors (or, on a stale version, their values next to yours)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django_filters import FilterSet

from core.errors import ConflictError
from core.forms import add_service_errors
from core.listing import is_filtered, query_without, results_template
from core.permissions import require
from governance.register.permissions import REGISTER_DENIED_MESSAGE, can_manage_register
from portfolio.models import Initiative
from portfolio.permissions import get_initiative_for_user

PAGE_SIZE = 25


def _conflict_rows(conflict: ConflictError, form: Form) -> list[dict[str, Any]]:
    """Their saved value next to the one this user typed, for each field that differs."""
    rows = []
    for name, theirs in conflict.current.items():
        if name not in form.fields or name == "version":
            continue
        mine = form.data.get(name, "")
        if str(theirs if theirs is not None else "") != str(mine or ""):
            rows.append({"label": form.fields[name].label or name, "theirs": theirs, "mine": mine})
    return rows


def list_page(
    request: HttpRequest,
    *,
    template: str,
    target: str,
    filterset: FilterSet,
    extra: dict[str, Any] | None = None,
) -> TemplateResponse:
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    template = results_template(request, template, target)
    return TemplateResponse(
        request,
        template,
        {
            "filter": filterset,
            "page": page,
            "query_without_page": query_without(request, "page"),
            "is_filtered": is_filtered(request),
            "results_id": target,
            "today": timezone.localdate(),
            **(extra or {}),
        },
    )


def next_url(request: HttpRequest, default: str) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def _form_page(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    conflict: ConflictError | None = None,
) -> TemplateResponse:
    form = context["form"]
    return TemplateResponse(
        request,
        template,
        {
            **context,
            "conflict": conflict,
            "conflict_changes": _conflict_rows(conflict, form) if conflict else [],
        },
        status=409 if conflict else 200,
    )


def service_form(
    request: HttpRequest,
    form: Form,
    template: str,
    context: dict[str, Any],
    *,
    save: Callable[[Any], Any],
    done: Callable[[Any], HttpResponse],
) -> HttpResponse:
    """The form page; a valid POST calls the service through `save(form)` and answers
    `done(result)`. The service's field errors show under their fields, and a stale version
    answers 409 with their saved values next to what this user typed."""
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            result = save(form)
        except ConflictError as error:
            conflict = error
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return done(result)
    return _form_page(request, template, {"form": form, **context}, conflict)


def saved(request: HttpRequest, message: str, to: Any, **kwargs: Any) -> HttpResponse:
    messages.success(request, message)
    return redirect(to, **kwargs)


def edit_initial(record: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    """The form's starting values: the record's fields and the version it was read at."""
    initial = {name: getattr(record, name) for name in fields}
    initial["owner"] = record.owner_id
    initial["version"] = record.version
    return initial


def initiative_for_register(request: HttpRequest, pk: int) -> Initiative:
    initiative = get_initiative_for_user(request.user, pk)
    require(can_manage_register(request.user, initiative), REGISTER_DENIED_MESSAGE)
    return initiative
