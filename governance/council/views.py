"""The council's pages: meetings (agenda, decisions, minutes) and membership.

Every Gatehouse role reads them; the chair or a governance admin runs meetings; a governance
admin edits membership. Writes go through governance.council.services; these views only
translate forms and errors. (Gate policies have their pages in governance.gates.views.)
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.errors import ConflictError
from core.forms import add_service_errors
from core.listing import results_template
from core.permissions import require, role_required
from governance.council.forms import (
    AttachDecisionsForm,
    MeetingForm,
    MembershipForm,
    MinutesForm,
    default_scheduled_for,
)
from governance.council.permissions import (
    MEETING_DENIED,
    MEMBERSHIP_DENIED,
    can_manage_council,
    can_read_council,
    can_run_meetings,
)
from governance.council.selectors import meeting_attendees, meeting_decisions
from governance.council.services import (
    agenda_summary,
    council_membership_set,
    meeting_agenda,
    meeting_attach_requests,
    meeting_create,
    meeting_record_minutes,
)
from governance.models import CouncilMeeting, CouncilMembership, GateRequest, GateRequestStatus

MEETING_PAGE_SIZE = 25


# A meeting page offers at most this many unlinked decisions to link; older ones are history.
LINK_CANDIDATES_SHOWN = 50


def agenda_for_display(agenda: dict[str, Any]) -> dict[str, Any]:
    """The frozen agenda with its ISO date strings read back as dates, for template filters."""

    def when(value: Any) -> Any:
        if not isinstance(value, str):
            return value
        return parse_datetime(value) or parse_date(value) or value

    dated = {"built_at", "requested_at", "review_due_at", "due", "raised_at"}
    shown: dict[str, Any] = {
        key: when(value) if key in dated else value for key, value in agenda.items()
    }
    for key in ("gate_requests", "overdue_action_items", "escalated_risks", "rereviews"):
        if key == "rereviews" and key not in agenda:
            continue  # agendas frozen before re-reviews were on them say nothing of them
        shown[key] = [
            {name: when(value) if name in dated else value for name, value in item.items()}
            for item in agenda.get(key) or []
        ]
    return shown


@role_required(can_read_council)
@require_GET
def meeting_list(request: HttpRequest) -> TemplateResponse:
    meetings = CouncilMeeting.objects.annotate(decision_count=Count("decisions")).order_by(
        "-scheduled_for", "-id"
    )
    page = Paginator(meetings, MEETING_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {"meeting": meeting, "summary": agenda_summary(meeting.agenda)}
        for meeting in page.object_list
    ]
    template = results_template(request, "governance/council/meeting_list.html", "meeting-results")
    return TemplateResponse(
        request,
        template,
        {"page": page, "rows": rows, "can_run": can_run_meetings(request.user)},
    )


@role_required(can_read_council)
@require_http_methods(["GET", "POST"])
def meeting_create_view(request: HttpRequest) -> HttpResponse:
    require(can_run_meetings(request.user), MEETING_DENIED)
    now = timezone.now()
    form = MeetingForm(
        request.POST or None,
        initial={"scheduled_for": timezone.localtime(default_scheduled_for(now))},
    )
    if request.method == "POST" and form.is_valid():
        try:
            meeting = meeting_create(
                actor=request.user,
                title=form.cleaned_data["title"],
                scheduled_for=form.cleaned_data["scheduled_for"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"Meeting scheduled; its agenda is frozen: {agenda_summary(meeting.agenda)}.",
            )
            return redirect("governance:meeting_detail", pk=meeting.pk)
    # What the agenda would hold if the meeting were created now (three queries).
    preview = meeting_agenda(now)
    return TemplateResponse(
        request,
        "governance/council/meeting_form.html",
        {
            "form": form,
            "preview": agenda_for_display(preview),
            "preview_summary": agenda_summary(preview),
        },
    )


def _link_candidates(meeting: CouncilMeeting) -> QuerySet[GateRequest]:
    """Decided requests not yet linked to any meeting that belong with this one.

    Those on its agenda, or decided on the day it was held (local time).
    """
    agenda_ids = [item["id"] for item in meeting.agenda.get("gate_requests", [])]
    day = timezone.localdate(meeting.scheduled_for)
    return (
        GateRequest.objects.filter(status=GateRequestStatus.DECIDED, meeting__isnull=True)
        .filter(Q(pk__in=agenda_ids) | Q(decided_at__date=day))
        .select_related("initiative")
        .order_by("-decided_at", "-id")
    )


def _meeting_context(
    request: HttpRequest,
    meeting: CouncilMeeting,
    *,
    minutes_form: MinutesForm | None = None,
    attach_form: AttachDecisionsForm | None = None,
    conflict: ConflictError | None = None,
) -> dict[str, Any]:
    can_run = can_run_meetings(request.user)
    if can_run and minutes_form is None:
        minutes_form = MinutesForm(initial={"version": meeting.version, "minutes": meeting.minutes})
    if can_run and attach_form is None:
        candidates = list(_link_candidates(meeting)[:LINK_CANDIDATES_SHOWN])
        attach_form = (
            AttachDecisionsForm(
                candidates=GateRequest.objects.filter(pk__in=[c.pk for c in candidates])
            )
            if candidates
            else None
        )
        if attach_form is not None:
            # The candidates already loaded, so rendering the checkboxes costs no query.
            attach_form.fields["requests"].choices = [
                (c.pk, attach_form.fields["requests"].label_from_instance(c)) for c in candidates
            ]
    return {
        "meeting": meeting,
        "agenda": agenda_for_display(meeting.agenda),
        "decisions": meeting_decisions(meeting),
        "attendees": meeting_attendees(meeting),
        "can_run": can_run,
        "minutes_form": minutes_form,
        "attach_form": attach_form,
        "conflict": conflict,
    }


@role_required(can_read_council)
@require_http_methods(["GET", "POST"])
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The meeting: its frozen agenda, decisions taken, attendees; POST saves the minutes."""
    meeting = get_object_or_404(CouncilMeeting.objects.select_related("created_by"), pk=pk)
    if request.method == "GET":
        return TemplateResponse(
            request, "governance/council/meeting_detail.html", _meeting_context(request, meeting)
        )
    require(can_run_meetings(request.user), MEETING_DENIED)
    form = MinutesForm(request.POST)
    conflict = None
    if form.is_valid():
        try:
            meeting_record_minutes(
                meeting=meeting,
                actor=request.user,
                minutes=form.cleaned_data["minutes"],
                expected_version=form.cleaned_data["version"],
            )
        except ConflictError as error:
            conflict = error
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Minutes saved.")
            return redirect("governance:meeting_detail", pk=meeting.pk)
    if conflict is not None:
        # Keep what this user typed, but base the next save on the version now stored.
        data = request.POST.copy()
        data["version"] = conflict.current.get("version", meeting.version)
        form = MinutesForm(data)
        form.is_valid()
    status = 409 if conflict else 400
    return TemplateResponse(
        request,
        "governance/council/meeting_detail.html",
        _meeting_context(request, meeting, minutes_form=form, conflict=conflict),
        status=status,
    )


@role_required(can_read_council)
@require_POST
def meeting_link_decisions(request: HttpRequest, pk: int) -> HttpResponse:
    """Link decided gate requests to the meeting they were decided in."""
    meeting = get_object_or_404(CouncilMeeting, pk=pk)
    require(can_run_meetings(request.user), MEETING_DENIED)
    form = AttachDecisionsForm(request.POST, candidates=_link_candidates(meeting))
    if form.is_valid():
        try:
            linked = meeting_attach_requests(
                meeting=meeting, actor=request.user, requests=form.cleaned_data["requests"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, f"Linked {len(linked)} decision{'' if len(linked) == 1 else 's'}."
            )
            return redirect("governance:meeting_detail", pk=meeting.pk)
    return TemplateResponse(
        request,
        "governance/council/meeting_detail.html",
        _meeting_context(request, meeting, attach_form=form),
        status=400,
    )


@role_required(can_read_council)
@require_GET
def meeting_minutes_print(request: HttpRequest, pk: int) -> TemplateResponse:
    """The minutes on their own, laid out for paper: agenda, decisions, attendees, minutes."""
    meeting = get_object_or_404(CouncilMeeting.objects.select_related("created_by"), pk=pk)
    return TemplateResponse(
        request,
        "governance/council/meeting_minutes.html",
        {
            "meeting": meeting,
            "agenda": agenda_for_display(meeting.agenda),
            "decisions": meeting_decisions(meeting),
            "attendees": meeting_attendees(meeting),
            "printed_at": timezone.now(),
        },
    )


@role_required(can_read_council)
@require_http_methods(["GET", "POST"])
def member_list(request: HttpRequest) -> HttpResponse:
    """The council: who holds which seat, the chair, who is active; admins change them here."""
    can_manage = can_manage_council(request.user)
    form = None
    status = 200
    if request.method == "POST":
        require(can_manage, MEMBERSHIP_DENIED)
        form = MembershipForm(request.POST)
        if form.is_valid():
            try:
                membership = council_membership_set(
                    actor=request.user,
                    user=form.cleaned_data["user"],
                    seat=form.cleaned_data["seat"],
                    is_chair=form.cleaned_data["is_chair"],
                    active=form.cleaned_data["active"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"Saved: {membership}.")
                return redirect("governance:member_list")
        status = 400
    if can_manage and form is None:
        form = MembershipForm()
    members = list(
        CouncilMembership.objects.select_related("user").order_by(
            "-active", "-is_chair", "seat", "user__first_name", "user__username"
        )
    )
    return TemplateResponse(
        request,
        "governance/council/member_list.html",
        {
            "members": members,
            "form": form,
            "can_manage": can_manage,
            "seat_choices": MembershipForm.base_fields["seat"].choices,
        },
        status=status,
    )
