"""The council's own work: meetings (agenda, minutes, decisions taken) and its membership.

Every write is one function, one transaction, one audit event, like the gates' services; the
pages and the API call these and hold no rules of their own. Gate policies are versioned by
governance.gates.services.gate_policy_version_create, not here.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.audit import record_audit_event
from core.concurrency import check_version, lock_for_update
from core.people import display_name
from core.permissions import require
from core.roles import Role, has_role
from governance.council.permissions import (
    MEETING_DENIED,
    MEMBERSHIP_DENIED,
    can_manage_council,
    can_run_meetings,
)
from governance.council.rules import rereview_change_lines
from governance.models import (
    ActionItem,
    ActionItemStatus,
    CouncilMeeting,
    CouncilMembership,
    GateRequest,
    GateRequestStatus,
    ReReview,
    Risk,
    RiskStatus,
    Seat,
)

MINUTES_MAX_LENGTH = 50_000
TITLE_MAX_LENGTH = 200


def _name(user: AbstractBaseUser | None) -> str:
    return display_name(user)


def meeting_agenda(now: datetime.datetime) -> dict[str, Any]:
    """What the council should look at as of `now`, as plain JSON (four queries).

    Pending gate requests (oldest review deadline first, flagged overdue once past it), open
    action items past their due date, escalated risks that are not closed (highest severity
    first), and open re-reviews (longest waiting first, with what changed). The caller freezes
    it into the meeting, so later changes to these rows never rewrite what the council was
    asked to look at.
    """
    today = timezone.localdate(now)
    requests = (
        GateRequest.objects.filter(status=GateRequestStatus.PENDING)
        .select_related("initiative")
        .only(
            "id",
            "from_stage",
            "to_stage",
            "requested_at",
            "review_due_at",
            "all_criteria_passed",
            "initiative__id",
            "initiative__title",
        )
        .order_by("review_due_at", "id")
    )
    actions = (
        ActionItem.objects.filter(status=ActionItemStatus.OPEN, due_date__lt=today)
        .select_related("initiative", "owner")
        .only(
            "id",
            "title",
            "due_date",
            "initiative__id",
            "initiative__title",
            "owner__id",
            "owner__username",
            "owner__first_name",
            "owner__last_name",
        )
        .order_by("due_date", "id")
    )
    risks = (
        Risk.objects.filter(escalated=True)
        .exclude(status=RiskStatus.CLOSED)
        .select_related("initiative", "owner")
        .only(
            "id",
            "category",
            "severity",
            "status",
            "initiative__id",
            "initiative__title",
            "owner__id",
            "owner__username",
            "owner__first_name",
            "owner__last_name",
        )
        .order_by("-severity", "id")
    )
    rereviews = (
        ReReview.objects.filter(resolved_at__isnull=True)
        .select_related("initiative")
        .only("id", "changes", "raised_at", "initiative__id", "initiative__title")
        .order_by("raised_at", "id")
    )
    return {
        "built_at": now.isoformat(),
        "gate_requests": [
            {
                "id": request.pk,
                "initiative_id": request.initiative_id,
                "initiative": request.initiative.title,
                "from_stage": request.from_stage,
                "to_stage": request.to_stage,
                "transition": (
                    f"{request.get_from_stage_display()} → {request.get_to_stage_display()}"
                ),
                "requested_at": request.requested_at.isoformat(),
                "review_due_at": request.review_due_at.isoformat(),
                "overdue": request.review_due_at < now,
                "all_criteria_passed": request.all_criteria_passed,
            }
            for request in requests
        ],
        "overdue_action_items": [
            {
                "id": item.pk,
                "initiative_id": item.initiative_id,
                "initiative": item.initiative.title,
                "title": item.title,
                "owner_id": item.owner_id,
                "owner": _name(item.owner),
                "due": item.due_date.isoformat(),
            }
            for item in actions
        ],
        "escalated_risks": [
            {
                "id": risk.pk,
                "initiative_id": risk.initiative_id,
                "initiative": risk.initiative.title,
                "category": risk.category,
                "category_label": risk.get_category_display(),
                "severity": risk.severity,
                "status": risk.status,
                "owner_id": risk.owner_id,
                "owner": _name(risk.owner),
            }
            for risk in risks
        ],
        "rereviews": [
            {
                "id": rereview.pk,
                "initiative_id": rereview.initiative_id,
                "initiative": rereview.initiative.title,
                "raised_at": rereview.raised_at.isoformat(),
                "changes": rereview_change_lines(rereview.changes),
            }
            for rereview in rereviews
        ],
    }


def agenda_summary(agenda: dict[str, Any]) -> str:
    """ "3 gate requests, 1 overdue action item, 2 escalated risks, 1 re-review" for lists and
    audit. Agendas frozen before re-reviews were on them say nothing about re-reviews."""
    parts = []
    for key, singular in (
        ("gate_requests", "gate request"),
        ("overdue_action_items", "overdue action item"),
        ("escalated_risks", "escalated risk"),
        ("rereviews", "re-review"),
    ):
        if key == "rereviews" and key not in agenda:
            continue
        count = len(agenda.get(key) or [])
        parts.append(f"{count} {singular}{'' if count == 1 else 's'}")
    return ", ".join(parts)


@transaction.atomic
def meeting_create(
    *, actor: AbstractBaseUser, title: str, scheduled_for: datetime.datetime
) -> CouncilMeeting:
    """Schedule a council meeting with its agenda built now and frozen into the meeting.

    Chair or governance admin only (PermissionDenied otherwise). Field errors are raised as
    ValidationError keyed by `title` / `scheduled_for`.
    """
    require(can_run_meetings(actor), MEETING_DENIED)
    title = (title or "").strip()
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = "Give the meeting a title, e.g. “Weekly AI council”."
    elif len(title) > TITLE_MAX_LENGTH:
        errors["title"] = f"Keep the title to {TITLE_MAX_LENGTH} characters."
    if not isinstance(scheduled_for, datetime.datetime):
        errors["scheduled_for"] = "Give the date and time of the meeting."
    elif timezone.is_naive(scheduled_for):
        errors["scheduled_for"] = "The meeting time needs a time zone."
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    agenda = meeting_agenda(now)
    meeting = CouncilMeeting.objects.create(
        title=title, scheduled_for=scheduled_for, agenda=agenda, created_by=actor
    )
    record_audit_event(
        actor=actor,
        action="council_meeting.created",
        target=meeting,
        changes={
            "title": [None, title],
            "scheduled_for": [None, scheduled_for.isoformat()],
            "agenda": [None, agenda_summary(agenda)],
        },
    )
    return meeting


@transaction.atomic
def meeting_record_minutes(
    *,
    meeting: CouncilMeeting,
    actor: AbstractBaseUser,
    minutes: str,
    expected_version: int | None = None,
) -> CouncilMeeting:
    """Save the meeting's minutes (chair or governance admin), refusing a stale edit.

    With `expected_version` (the version the editor loaded), a save over someone else's newer
    minutes raises ConflictError carrying their text, so nothing is overwritten silently.
    Saving identical text changes nothing and writes no audit event.
    """
    require(can_run_meetings(actor), MEETING_DENIED)
    minutes = (minutes or "").replace("\r\n", "\n")
    if len(minutes) > MINUTES_MAX_LENGTH:
        raise ValidationError(
            {"minutes": f"Minutes are limited to {MINUTES_MAX_LENGTH:,} characters."}
        )
    locked = lock_for_update(CouncilMeeting, meeting.pk)
    check_version(
        locked,
        expected_version,
        kind="minutes",
        current={"minutes": locked.minutes, "version": locked.version},
        message="Someone saved these minutes after you opened them.",
    )
    if locked.minutes == minutes:
        return locked
    before = locked.minutes
    locked.minutes = minutes
    locked.version += 1
    locked.save(update_fields=["minutes", "version"])
    record_audit_event(
        actor=actor,
        action="council_meeting.minutes_recorded",
        target=locked,
        changes={"minutes": [before, minutes]},
    )
    return locked


@transaction.atomic
def meeting_attach_requests(
    *, meeting: CouncilMeeting, actor: AbstractBaseUser, requests: Iterable[GateRequest]
) -> list[GateRequest]:
    """Link decided gate requests to the meeting where they were decided (chair or admin).

    Only decided requests can be linked, and a request linked to another meeting stays there
    (ValidationError keyed `requests`). One audit event per request, on its initiative's trail.
    """
    require(can_run_meetings(actor), MEETING_DENIED)
    ids = sorted({request.pk for request in requests})
    if not ids:
        raise ValidationError({"requests": "Choose at least one decided gate request."})
    # Row locks in id order: a concurrent decision or link waits instead of interleaving.
    locked = list(
        GateRequest.objects.select_for_update()
        .filter(pk__in=ids)
        .select_related("initiative")
        .order_by("pk")
    )
    problems = []
    for request in locked:
        if request.status != GateRequestStatus.DECIDED:
            problems.append(f"“{request}” has no decision yet.")
        elif request.meeting_id not in (None, meeting.pk):
            problems.append(f"“{request}” is already linked to another meeting.")
    if problems:
        raise ValidationError({"requests": problems})
    for request in locked:
        if request.meeting_id == meeting.pk:
            continue
        GateRequest.objects.filter(pk=request.pk).update(meeting=meeting)
        request.meeting = meeting
        record_audit_event(
            actor=actor,
            action="gate_request.linked_to_meeting",
            target=request,
            changes={"meeting": [None, str(meeting)]},
            initiative_id=request.initiative_id,
        )
    return locked


def current_meeting(now: datetime.datetime | None = None) -> CouncilMeeting | None:
    """The meeting a decision taken at `now` belongs to: one scheduled for the same local day.

    If the council meets more than once that day, the latest meeting that has started wins,
    else the next one. None when no meeting is scheduled that day (one query).
    """
    now = now or timezone.now()
    day = timezone.localdate(now)
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    meetings = list(
        CouncilMeeting.objects.filter(
            scheduled_for__gte=start, scheduled_for__lt=start + datetime.timedelta(days=1)
        ).order_by("scheduled_for", "id")
    )
    started = [meeting for meeting in meetings if meeting.scheduled_for <= now]
    if started:
        return started[-1]
    return meetings[0] if meetings else None


_MEMBERSHIP_FIELDS = ("seat", "is_chair", "active")


@transaction.atomic
def council_membership_set(
    *,
    actor: AbstractBaseUser,
    user: AbstractBaseUser,
    seat: str,
    is_chair: bool,
    active: bool,
) -> CouncilMembership:
    """Give `user` a council seat, or change their seat, chair or active flag (admin only).

    Guarantees: at most one active chair (checked here with a clear message, and by the
    `council_one_active_chair` constraint under concurrency); an active member holds the
    council member role; an inactive member cannot chair. Unchanged input writes nothing.
    """
    require(can_manage_council(actor), MEMBERSHIP_DENIED)
    errors: dict[str, str] = {}
    if seat not in Seat.values:
        errors["seat"] = f"Choose one of the seats: {', '.join(Seat.labels)}."
    if is_chair and not active:
        errors["is_chair"] = "An inactive member cannot chair the council."
    if active and not has_role(user, Role.COUNCIL_MEMBER):
        errors["user"] = (
            f"{_name(user)} does not hold the council member role; grant the role first, "
            "so their votes count."
        )
    if errors:
        raise ValidationError(errors)
    membership = CouncilMembership.objects.select_for_update().filter(user=user).first()
    if is_chair and active:
        sitting = (
            CouncilMembership.objects.select_for_update()
            .filter(is_chair=True, active=True)
            .exclude(user=user)
            .select_related("user")
            .first()
        )
        if sitting is not None:
            raise ValidationError(
                {
                    "is_chair": (
                        f"{_name(sitting.user)} already chairs the council. Remove their chair "
                        "first: the council has one chair at a time."
                    )
                }
            )
    before = (
        {name: getattr(membership, name) for name in _MEMBERSHIP_FIELDS}
        if membership is not None
        else dict.fromkeys(_MEMBERSHIP_FIELDS)
    )
    after = {"seat": seat, "is_chair": is_chair, "active": active}
    if membership is not None and before == after:
        return membership
    created = membership is None
    if created:
        membership = CouncilMembership(user=user)
    for name, value in after.items():
        setattr(membership, name, value)
    try:
        # A savepoint, so a lost race on the one-chair constraint can be reported cleanly.
        with transaction.atomic():
            membership.save()
    except IntegrityError:
        raise ValidationError(
            "Someone changed the council membership at the same moment; reload and try again."
        ) from None
    record_audit_event(
        actor=actor,
        action="council_membership.created" if created else "council_membership.updated",
        target=membership,
        changes={
            name: [before[name], after[name]]
            for name in _MEMBERSHIP_FIELDS
            if before[name] != after[name]
        },
    )
    return membership
