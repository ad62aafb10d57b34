"""Pages of the council's reviews: an area scored 1 (on the scorecard, or a page of its own), and
a re-review after a material change (confirm or send back).

Views read, call a service and render; who may act is governance.gates.permissions, what the
state allows is the services'. Every form works without JavaScript: a post answers with a
redirect, or with the page and its errors; htmx only swaps one area's review on the scorecard.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.errors import ConflictError
from core.forms import add_service_errors
from core.permissions import require, role_required
from governance.council.permissions import recused_as
from governance.council.rules import rereview_change_lines
from governance.gates import permissions, selectors, services
from governance.gates.assessment_panel import (
    ITEM_REVIEW_FRAGMENT,
    areas_at_lowest,
    item_review_context,
    review_form,
    reviewer,
)
from governance.gates.forms import (
    RereviewConfirmForm,
    RereviewSendBackForm,
    rereview_confirm_form,
    rereview_send_back_form,
)
from governance.gates.services.reviews import send_back_stage
from governance.models import ItemReview, ReReview, ReReviewOutcome
from portfolio.models import Initiative
from portfolio.vocabulary import STAGE_LABELS
from readiness.models import Assessment
from readiness.rules import TemplateItem

# ---------------------------------------------------------------------------------------------
# The review of an area scored 1
# ---------------------------------------------------------------------------------------------


def _area_at_lowest(assessment_pk: int, item_id: str) -> tuple[Assessment, TemplateItem]:
    """The assessment and the area, 404 unless the area scored 1 on an initiative's scorecard."""
    assessment = get_object_or_404(
        Assessment.objects.select_related("template", "template_version", "initiative"),
        pk=assessment_pk,
    )
    item = next((item for item in areas_at_lowest(assessment) if item.id == item_id), None)
    if item is None:
        raise Http404("This assessment has no area scored 1 with that id.")
    return assessment, item


def _area_response(
    request: HttpRequest,
    assessment: Assessment,
    item: TemplateItem,
    *,
    status: int = 200,
    **context: Any,
) -> TemplateResponse:
    """The area's review: the fragment for htmx, else a page of its own."""
    review = (
        ItemReview.objects.filter(assessment=assessment, item_id=item.id)
        .select_related("reviewer")
        .first()
    )
    fragment = item_review_context(
        assessment=assessment,
        item=item,
        review=review,
        viewer=reviewer(request.user, assessment),
        **context,
    )
    if request.htmx:
        return TemplateResponse(request, ITEM_REVIEW_FRAGMENT, fragment, status=status)
    page = {
        **fragment,
        "subject": assessment.subject,
        "score_comment": (assessment.comments or {}).get(item.id, ""),
        "score_evidence": (assessment.evidence or {}).get(item.id, ""),
    }
    return TemplateResponse(request, "governance/gates/item_review.html", page, status=status)


@role_required(permissions.can_view_governance)
@require_http_methods(["GET", "HEAD", "POST"])
def item_review_record(request: HttpRequest, pk: int, item_id: str) -> HttpResponse:
    """GET: the area's review, or the form to record it. POST: record it (council members and
    governance admins who are not recused)."""
    assessment, item = _area_at_lowest(pk, item_id)
    if request.method != "POST":
        return _area_response(request, assessment, item)
    require(permissions.can_review_items(request.user), permissions.ITEM_REVIEW_DENIED_MESSAGE)
    form = review_form(item, request.POST)
    if not form.is_valid():
        return _area_response(request, assessment, item, status=400, form=form)
    try:
        review = services.item_review_record(
            assessment=assessment,
            item_id=item.id,
            actor=request.user,
            outcome=form.cleaned_data["outcome"],
            note=form.cleaned_data["note"],
            conditions=form.cleaned_data["conditions"],
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return _area_response(request, assessment, item, status=400, form=form)
    except ConflictError as error:
        # Someone reviewed it meanwhile: their review is shown, with why nothing was recorded.
        return _area_response(request, assessment, item, status=409, error=error.message)
    if request.htmx:
        return _area_response(request, assessment, item, just_recorded=True)
    messages.success(request, f"Review of “{item.title}” recorded: {review.get_outcome_display()}.")
    return redirect(f"{assessment.get_absolute_url()}#area-{item.id}")


# ---------------------------------------------------------------------------------------------
# Re-reviews: confirm the approval still holds, or send it back
# ---------------------------------------------------------------------------------------------


def _get_rereview(pk: int) -> ReReview:
    return get_object_or_404(
        ReReview.objects.select_related(
            "initiative", "initiative__business_owner", "initiative__delivery_owner", "resolved_by"
        ),
        pk=pk,
    )


def _rereview_page(
    request: HttpRequest,
    rereview: ReReview,
    *,
    status: int = 200,
    confirm_form: RereviewConfirmForm | None = None,
    send_back_form: RereviewSendBackForm | None = None,
    error: str = "",
) -> TemplateResponse:
    initiative = rereview.initiative
    is_open = rereview.resolved_at is None
    may_resolve = is_open and permissions.may_review_initiative(request.user, initiative)
    last_go = selectors.last_go_decision(initiative.pk)
    back_to = send_back_stage(initiative, last_go) if is_open else None
    return TemplateResponse(
        request,
        "governance/gates/rereview_detail.html",
        {
            "rereview": rereview,
            "initiative": initiative,
            "changes": rereview_change_lines(rereview.changes),
            "is_open": is_open,
            "last_go": last_go,
            "back_to_label": STAGE_LABELS.get(back_to or "", ""),
            "recusal": recused_as(request.user.pk, initiative)
            if is_open and permissions.can_resolve_rereview(request.user)
            else "",
            "confirm_form": (confirm_form or rereview_confirm_form()) if may_resolve else None,
            "send_back_form": (send_back_form or rereview_send_back_form())
            if may_resolve
            else None,
            "error": error,
        },
        status=status,
    )


@role_required(permissions.can_view_governance)
@require_GET
def rereview_detail(request: HttpRequest, pk: int) -> TemplateResponse:
    return _rereview_page(request, _get_rereview(pk))


def _resolved_message(rereview: ReReview, initiative: Initiative) -> str:
    if rereview.outcome == ReReviewOutcome.CONFIRMED:
        return f"Re-review confirmed: the approval of “{initiative.title}” still holds."
    return (
        f"Re-review sent back: the approval no longer holds. “{initiative.title}” is now "
        f"{initiative.get_stage_display()}."
    )


def _resolve(request: HttpRequest, pk: int, *, send_back: bool) -> HttpResponse:
    rereview = _get_rereview(pk)
    require(permissions.can_resolve_rereview(request.user), permissions.REREVIEW_DENIED_MESSAGE)
    form: RereviewConfirmForm | RereviewSendBackForm
    if send_back:
        form = rereview_send_back_form(request.POST)
        forms = {"send_back_form": form}
    else:
        form = rereview_confirm_form(request.POST)
        forms = {"confirm_form": form}
    if not form.is_valid():
        return _rereview_page(request, rereview, status=400, **forms)
    try:
        if send_back:
            resolved = services.rereview_send_back(
                rereview=rereview, actor=request.user, reason=form.cleaned_data["reason"]
            )
        else:
            resolved = services.rereview_confirm(
                rereview=rereview, actor=request.user, note=form.cleaned_data["note"]
            )
    except ValidationError as error:
        add_service_errors(form, error)
        return _rereview_page(request, rereview, status=400, **forms)
    except ConflictError as error:
        return _rereview_page(request, _get_rereview(pk), status=409, error=error.message)
    # Read again: a send back moved the initiative, and the message says where it is now.
    initiative = Initiative.objects.get(pk=resolved.initiative_id)
    messages.success(request, _resolved_message(resolved, initiative))
    return redirect(initiative.get_absolute_url())


@role_required(permissions.can_resolve_rereview, permissions.REREVIEW_DENIED_MESSAGE)
@require_POST
def rereview_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    return _resolve(request, pk, send_back=False)


@role_required(permissions.can_resolve_rereview, permissions.REREVIEW_DENIED_MESSAGE)
@require_POST
def rereview_send_back(request: HttpRequest, pk: int) -> HttpResponse:
    return _resolve(request, pk, send_back=True)
