"""Filling an assessment in the browser: start a draft, autosave, the live result, submit.

One page serves the whole life of an assessment: a draft the user may change is the form; any
other draft, and every submitted or superseded assessment, is the read-only view. The form
works without JavaScript (Save draft and Submit are ordinary POSTs); htmx adds the autosave,
which posts the whole form on every answer change and, debounced, on typing.

Why the whole form on every autosave: each request then carries everything the user has in the
browser, so (1) `hx-sync="this:queue last"` may drop intermediate requests without losing
input, and (2) on a conflict the page can list every area where the other person's saved draft
differs from this user's form. The service merges the values and records only what changed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_http_methods, require_POST

from core.errors import ConflictError
from core.permissions import require_role
from portfolio.models import Initiative
from portfolio.permissions import get_initiative_for_user
from portfolio.vocabulary import SCORECARD_KEY
from readiness import services
from readiness.extensions import render_assessment_sections
from readiness.forms import AssessmentInput, input_from_state, read_assessment_post
from readiness.models import AppliesTo, Assessment, AssessmentStatus, TemplateVersion
from readiness.permissions import can_edit_assessment, edit_assessment_denied_message
from readiness.rules import AnswerType, TemplateDefinition
from readiness.services import (
    COMMENT_REQUIRED_AT_OR_BELOW,
    MAX_TEXT_LENGTH,
    assessment_create_draft,
    assessment_evaluate,
    assessment_save,
)
from readiness.views.assessment_display import (
    build_areas,
    conflict_rows,
    error_list,
    item_errors,
    summarize,
)

# The form, the autosave fragment and the problem panel name these element ids; keep in sync
# with templates/readiness/assessment_form.html.
PROBLEMS_TARGET = "#assessment-problems"

ASSESSMENT_RELATIONS = (
    "template",
    "template_version",
    "initiative",
    "vendor",
    "updated_by",
    "submitted_by",
    "superseded_by",
)


# ---------------------------------------------------------------------------------------------
# Access
# ---------------------------------------------------------------------------------------------


def _get_assessment_for_user(request: HttpRequest, pk: int, *, write: bool = False) -> Assessment:
    """Assessment `pk` if the user may see it (else 404) and, with `write`, change it (else 403).

    Every role reads the whole portfolio and its vendors (as `get_initiative_for_user` does), so
    seeing an assessment needs only a role; changing it asks `can_edit_assessment`.
    """
    require_role(request.user)
    try:
        assessment = Assessment.objects.select_related(*ASSESSMENT_RELATIONS).get(pk=pk)
    except Assessment.DoesNotExist:
        raise Http404("No such assessment.") from None
    if write and not can_edit_assessment(request.user, assessment):
        raise PermissionDenied(edit_assessment_denied_message(assessment))
    return assessment


def _conflict_context(
    template: TemplateDefinition, conflict: ConflictError, mine: AssessmentInput
) -> dict[str, Any]:
    current = conflict.current
    username = current.get("updated_by")
    who = get_user_model().objects.filter(username=username).first() if username else None
    return {
        "message": conflict.message,
        "saved_by": who,
        "saved_by_name": username or "someone",
        "saved_at": parse_datetime(current["updated_at"]) if current.get("updated_at") else None,
        "revision": current.get("revision"),
        "rows": conflict_rows(template, current, mine),
    }


def _saved_values(assessment: Assessment) -> AssessmentInput:
    """The form values of the draft as saved in the database."""
    return input_from_state(
        {
            "answers": assessment.answers,
            "evidence": assessment.evidence,
            "comments": assessment.comments,
        },
        assessment.revision,
    )


def _previous_result(assessment: Assessment) -> Assessment | None:
    """The submitted result this draft will supersede, if any (one query)."""
    return (
        Assessment.objects.filter(
            template_id=assessment.template_id,
            initiative_id=assessment.initiative_id,
            vendor_id=assessment.vendor_id,
            status=AssessmentStatus.SUBMITTED,
        )
        .exclude(pk=assessment.pk)
        .only("pk", "submitted_at", "total", "result")
        .first()
    )


def _render_form(
    request: HttpRequest,
    assessment: Assessment,
    *,
    values: AssessmentInput | None = None,
    errors: Mapping[str, str] | None = None,
    conflict: dict[str, Any] | None = None,
    error_heading: str = "Not saved",
    status: int = 200,
) -> TemplateResponse:
    template = assessment.template_version.parsed
    values = values or _saved_values(assessment)
    errors = errors or {}
    return TemplateResponse(
        request,
        "readiness/assessment_form.html",
        {
            "assessment": assessment,
            "subject": assessment.subject,
            "definition": template,
            "areas": build_areas(template, values, errors),
            "summary": summarize(template, assessment_evaluate(assessment).as_dict()),
            "revision": values.revision,
            "errors": error_list(template, errors),
            "error_heading": error_heading,
            "conflict": conflict,
            "previous": _previous_result(assessment),
            "comment_required_at": COMMENT_REQUIRED_AT_OR_BELOW,
            "max_text_length": MAX_TEXT_LENGTH,
            "is_scored": template.answer_type is AnswerType.SCORE_1_5,
        },
        status=status,
    )


def _render_read_only(request: HttpRequest, assessment: Assessment) -> TemplateResponse:
    template = assessment.template_version.parsed
    result = assessment.result if not assessment.is_draft else None
    values = _saved_values(assessment)
    # What the apps above readiness add (the council's review of areas scored 1).
    sections = render_assessment_sections(request, assessment)
    areas = build_areas(template, values, {})
    return TemplateResponse(
        request,
        "readiness/assessment_detail.html",
        {
            "assessment": assessment,
            "subject": assessment.subject,
            "definition": template,
            "areas": areas,
            "area_sections": [(area, sections.for_area(area.item.id)) for area in areas],
            "aside_sections": sections.aside,
            "summary": summarize(
                template, result if result else assessment_evaluate(assessment).as_dict()
            ),
            "is_scored": template.answer_type is AnswerType.SCORE_1_5,
        },
    )


def _autosave_response(request: HttpRequest, assessment: Assessment) -> TemplateResponse:
    """The summary (swapped into the box) plus out-of-band swaps: the new revision, the
    "Saved" status, the comment notes, and an emptied problem panel."""
    template = assessment.template_version.parsed
    values = _saved_values(assessment)
    return TemplateResponse(
        request,
        "readiness/_assessment_autosave.html",
        {
            "assessment": assessment,
            "summary": summarize(template, assessment_evaluate(assessment).as_dict()),
            "areas": build_areas(template, values, {}),
            "revision": assessment.revision,
            "saved_at": timezone.now(),
        },
    )


def _problem_response(
    request: HttpRequest, context: dict[str, Any], *, status: int
) -> TemplateResponse:
    """A refused autosave: the panel goes to the problem region, the summary stays as it was.

    htmx does not swap 4xx responses by default; the form's `hx-on::before-swap` turns swapping
    on for exactly 400 and 409, and these headers say where the panel goes.
    """
    response = TemplateResponse(
        request,
        "readiness/_assessment_problems.html",
        {**context, "oob_status": True},
        status=status,
    )
    response["HX-Retarget"] = PROBLEMS_TARGET
    response["HX-Reswap"] = "innerHTML"
    return response


# ---------------------------------------------------------------------------------------------
# Views
# ---------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def assessment_create(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the templates that apply to initiatives, each with Start (or Continue draft).
    POST `template`: open the initiative's draft of that template, starting one if none exists
    (a draft is shared by the initiative's owners, never duplicated)."""
    initiative = get_initiative_for_user(request.user, pk, write=True)
    error = ""
    if request.method == "POST":
        key = request.POST.get("template") or SCORECARD_KEY
        existing = (
            Assessment.objects.filter(
                initiative=initiative, template__key=key, status=AssessmentStatus.DRAFT
            )
            .order_by("-updated_at")
            .first()
        )
        if existing is not None:
            messages.info(
                request,
                "This initiative already has a draft of this checklist; you are continuing it "
                "(drafts are shared by the initiative's owners).",
            )
            return redirect(existing)
        try:
            draft = assessment_create_draft(
                template_key=key, actor=request.user, initiative=initiative
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, "Draft started. Your answers save as you go.")
            return redirect(draft)
    return _render_chooser(request, initiative, error=error, status=400 if error else 200)


def _render_chooser(
    request: HttpRequest, initiative: Initiative, *, error: str, status: int
) -> TemplateResponse:
    # All versions of the initiative templates in one query; the newest of each describes it.
    latest: dict[int, TemplateVersion] = {}
    for version in (
        TemplateVersion.objects.filter(template__applies_to=AppliesTo.INITIATIVE)
        .select_related("template")
        .order_by("template__title", "-number")
    ):
        latest.setdefault(version.template_id, version)
    drafts = {
        draft.template_id: draft
        for draft in Assessment.objects.filter(
            initiative=initiative, status=AssessmentStatus.DRAFT
        ).select_related("updated_by")
    }
    choices = [
        {
            "key": version.template.key,
            "title": version.template.title,
            "description": version.parsed.description,
            "item_count": len(version.parsed.items),
            "version": version.number,
            "draft": drafts.get(version.template_id),
        }
        for version in latest.values()
    ]
    # The readiness scorecard first: it is what "New readiness scorecard" means.
    choices.sort(key=lambda choice: (choice["key"] != SCORECARD_KEY, choice["title"]))
    return TemplateResponse(
        request,
        "readiness/assessment_start.html",
        {"initiative": initiative, "choices": choices, "error": error},
        status=status,
    )


@login_required
@require_http_methods(["GET", "HEAD"])
def assessment_detail(request: HttpRequest, pk: int) -> TemplateResponse:
    assessment = _get_assessment_for_user(request, pk)
    if assessment.is_draft and can_edit_assessment(request.user, assessment):
        return _render_form(request, assessment)
    return _render_read_only(request, assessment)


def _refuse_not_draft(request: HttpRequest, assessment: Assessment) -> HttpResponse:
    text = (
        f"This assessment was {assessment.get_status_display().lower()} "
        f"and can no longer change. Start a new one to supersede it."
    )
    if request.htmx:
        return _problem_response(request, {"assessment": assessment, "immutable": text}, status=409)
    messages.error(request, text)
    return redirect(assessment)


def _same_as_saved(
    template: TemplateDefinition, conflict: ConflictError, mine: AssessmentInput
) -> bool:
    """True when this form already holds exactly the other save's content.

    That happens when two saves of the same form cross (an autosave still in flight when the
    user presses Submit): refusing would report a conflict with oneself, and nothing can be
    lost by continuing from the newer revision.
    """
    return not conflict_rows(template, conflict.current, mine)


@login_required
@require_POST
def assessment_autosave(request: HttpRequest, pk: int) -> HttpResponse:
    """Save what the form holds. htmx: the summary and out-of-band swaps (200), a conflict
    panel (409) or a panel naming the invalid items (400). Without JavaScript: redirect back,
    or the form again with the conflict or the errors."""
    assessment = _get_assessment_for_user(request, pk, write=True)
    if not assessment.is_draft:
        return _refuse_not_draft(request, assessment)
    template = assessment.template_version.parsed
    try:
        mine = read_assessment_post(template, request.POST)
    except ValidationError as exc:
        return _refused(request, assessment, None, item_errors(exc))
    try:
        saved = assessment_save(
            assessment=assessment,
            actor=request.user,
            expected_revision=mine.revision,
            answers=mine.answers,
            evidence=mine.evidence,
            comments=mine.comments,
        )
    except ConflictError as conflict:
        if not _same_as_saved(template, conflict, mine):
            return _conflicted(request, assessment, template, conflict, mine)
        saved = Assessment.objects.select_related(*ASSESSMENT_RELATIONS).get(pk=assessment.pk)
    except ValidationError as exc:
        return _refused(request, assessment, mine, item_errors(exc))
    if request.htmx:
        return _autosave_response(request, saved)
    messages.success(request, "Draft saved.")
    return redirect(saved)


def _conflicted(
    request: HttpRequest,
    assessment: Assessment,
    template: TemplateDefinition,
    conflict: ConflictError,
    mine: AssessmentInput,
) -> TemplateResponse:
    context = _conflict_context(template, conflict, mine)
    if request.htmx:
        return _problem_response(
            request, {"assessment": assessment, "conflict": context}, status=409
        )
    # Without JavaScript the page comes back with this user's input still in it, and the old
    # revision, so pressing Save again cannot overwrite the other person's answers unseen.
    return _render_form(request, assessment, values=mine, conflict=context, status=409)


def _refused(
    request: HttpRequest,
    assessment: Assessment,
    mine: AssessmentInput | None,
    errors: Mapping[str, str],
) -> TemplateResponse:
    template = assessment.template_version.parsed
    if request.htmx:
        return _problem_response(
            request,
            {"assessment": assessment, "errors": error_list(template, errors)},
            status=400,
        )
    return _render_form(request, assessment, values=mine, errors=errors, status=400)


@login_required
@require_POST
def assessment_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """Save what the form holds, then submit: freeze the answers and the computed result.

    Anything missing re-renders the form with an error per item (the save is kept: it is a
    draft, and nothing the user typed is lost).
    """
    assessment = _get_assessment_for_user(request, pk, write=True)
    if not assessment.is_draft:
        return _refuse_not_draft(request, assessment)
    template = assessment.template_version.parsed
    try:
        mine = read_assessment_post(template, request.POST)
    except ValidationError as exc:
        return _render_form(request, assessment, errors=item_errors(exc), status=400)
    revision = mine.revision
    if not mine.is_empty:
        try:
            assessment = assessment_save(
                assessment=assessment,
                actor=request.user,
                expected_revision=mine.revision,
                answers=mine.answers,
                evidence=mine.evidence,
                comments=mine.comments,
            )
            revision = assessment.revision
        except ConflictError as conflict:
            if not _same_as_saved(template, conflict, mine):
                return _conflicted(request, assessment, template, conflict, mine)
            revision = conflict.current["revision"]
        except ValidationError as exc:
            return _render_form(
                request, assessment, values=mine, errors=item_errors(exc), status=400
            )
    try:
        # The view of the same name shadows the service; call it through its module.
        submitted = services.assessment_submit(
            assessment=assessment, actor=request.user, expected_revision=revision
        )
    except ConflictError as conflict:
        return _conflicted(request, assessment, template, conflict, mine)
    except ValidationError as exc:
        fresh = Assessment.objects.select_related(*ASSESSMENT_RELATIONS).get(pk=assessment.pk)
        if not fresh.is_draft:
            return _refuse_not_draft(request, fresh)
        return _render_form(
            request, fresh, errors=item_errors(exc), error_heading="Not submitted", status=400
        )
    band = submitted.result.get("band") or {}
    messages.success(
        request,
        f"Submitted: {submitted.total} of {submitted.result.get('max_total')}"
        f"{', ' + band['label'] if band.get('label') else ''}: {submitted.result.get('verdict')}. "
        "This result is now frozen.",
    )
    return redirect(submitted)
