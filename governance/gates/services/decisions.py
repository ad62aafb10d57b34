"""The council chair's go / hold / kill on a gate request, exactly once.

Concurrency: a decision locks the GateRequest row first, then the initiative, always in that
order, so on PostgreSQL simultaneous decisions run one after the other and the second finds
the request already decided. Nothing double-advances.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.audit import record_audit_event
from core.errors import ConflictError
from core.permissions import require
from governance.council.rules import go_blockers, parse_conditions
from governance.council.services import current_meeting
from governance.gates import notifications
from governance.gates.permissions import CHAIR_ONLY_MESSAGE, can_decide
from governance.gates.selectors import request_tally
from governance.gates.services.reviews import resolve_rereview
from governance.gates.services.steps import (
    closed_message,
    lock_request,
    request_audit_target,
    required_text,
)
from governance.models import (
    ActionItem,
    CouncilMeeting,
    Decision,
    GateRequest,
    GateRequestStatus,
    ReReview,
    VoteChoice,
)
from portfolio.models import Initiative, Status
from portfolio.services import initiative_change_stage, initiative_set_status
from portfolio.vocabulary import STAGE_LABELS

ACTION_TITLE_MAX_LENGTH = ActionItem._meta.get_field("title").max_length


# A condition attached to a vote gets this long to be met unless the chair sets a date.
DEFAULT_CONDITION_DUE_DAYS = 30


def _person(value: Any) -> AbstractBaseUser | None:
    user_model = get_user_model()
    if isinstance(value, user_model):
        return value
    if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
        return user_model.objects.filter(pk=int(value), is_active=True).first()
    return None


def _date(value: Any) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _clean_action_items(
    action_items: Iterable[Mapping[str, Any]], today: datetime.date
) -> list[tuple[str, AbstractBaseUser, datetime.date]]:
    cleaned: list[tuple[str, AbstractBaseUser, datetime.date]] = []
    problems: list[str] = []
    for position, item in enumerate(action_items, start=1):
        title = str(item.get("title") or "").strip()
        owner = _person(item.get("owner"))
        due = _date(item.get("due_date"))
        if not title:
            problems.append(f"Action item {position}: give it a title.")
        elif len(title) > ACTION_TITLE_MAX_LENGTH:
            problems.append(
                f"Action item {position}: keep the title under "
                f"{ACTION_TITLE_MAX_LENGTH} characters."
            )
        if owner is None:
            problems.append(f"Action item {position}: choose an owner (an active user).")
        if due is None:
            problems.append(f"Action item {position}: give a due date (YYYY-MM-DD).")
        elif due < today:
            problems.append(f"Action item {position}: the due date is in the past.")
        if title and owner is not None and due is not None:
            cleaned.append((title, owner, due))
    if problems:
        raise ValidationError({"action_items": problems})
    return cleaned


def _normal(title: str) -> str:
    return " ".join(title.lower().split())


@transaction.atomic
def gate_request_decide(
    *,
    request: GateRequest,
    actor: AbstractBaseUser,
    decision: str,
    reason: str,
    action_items: Iterable[Mapping[str, Any]] = (),
    meeting: CouncilMeeting | None = None,
) -> GateRequest:
    """Record the council chair's go / hold / kill on a pending request, exactly once.

    Guarantees:
    - only the chair decides; a reason is required; the request must be pending (ConflictError
      once decided or withdrawn) and the tally must allow it: go needs quorum, every required
      seat and more approvals than rejections; hold and kill need quorum;
    - the request row, then the initiative row, are locked, so of simultaneous decisions one
      wins and the others get a ConflictError: one stage change, one decision event;
    - go moves the initiative to the request's stage through initiative_change_stage (a
      StageTransition and an audit event citing the request) and resolves an open re-review;
      hold pauses the initiative (until resumed) and kill stops it, through
      initiative_set_status (a StageTransition and an audit event citing the request);
    - on go, every condition of an approve-with-conditions vote becomes an action item (owner:
      the delivery owner, else the business owner, else the chair; due in 30 days) unless the
      chair listed an action item with the same title; `action_items` ({title, owner,
      due_date}) become action items for any decision;
    - the owners, requester and voters are emailed after commit.
    """
    if decision not in Decision.values:
        labels = ", ".join(label for _, label in Decision.choices)
        raise ValidationError({"decision": f"Choose one of: {labels}."})
    reason = required_text(reason, "reason", "Give the reason for the decision; it is recorded.")
    require(can_decide(actor), CHAIR_ONLY_MESSAGE)
    locked = lock_request(request)
    initiative = Initiative.objects.select_for_update().get(pk=locked.initiative_id)
    if locked.status != GateRequestStatus.PENDING:
        raise ConflictError(closed_message(locked))
    votes = list(locked.votes.select_related("voter").order_by("cast_at", "pk"))
    result = request_tally(locked, votes)
    if decision == Decision.GO and not result.can_go:
        blockers = go_blockers(result, quorum=locked.policy_version.quorum)
        raise ValidationError({"decision": f"Go is not possible yet: {'; '.join(blockers)}."})
    if decision != Decision.GO and not result.can_decide:
        raise ValidationError(
            {
                "decision": (
                    f"A decision needs a quorum of {locked.policy_version.quorum} votes; "
                    f"{result.votes_cast} cast so far."
                )
            }
        )
    if initiative.status == Status.STOPPED:
        raise ValidationError(
            {"decision": "The initiative has been stopped; withdraw this request instead."}
        )
    if decision == Decision.GO:
        if initiative.status != Status.ACTIVE:
            raise ValidationError(
                {"decision": "The initiative is paused; resume it before approving the gate."}
            )
        if initiative.stage != locked.from_stage:
            raise ConflictError(
                f"The initiative is now in {STAGE_LABELS[initiative.stage]}, not "
                f"{STAGE_LABELS[locked.from_stage]} as when the request was filed; withdraw "
                "this request and file a new one."
            )
    now = timezone.now()
    today = timezone.localdate(now)
    explicit_items = _clean_action_items(action_items, today)
    if meeting is None:
        # A decision taken on a council meeting day belongs to that meeting's record.
        meeting = current_meeting(now)

    # Conditional on "still pending": belt and braces behind the row lock.
    updated = GateRequest.objects.filter(pk=locked.pk, status=GateRequestStatus.PENDING).update(
        status=GateRequestStatus.DECIDED,
        decision=decision,
        decision_reason=reason,
        decided_by=actor,
        decided_at=now,
        meeting=meeting,
    )
    if updated != 1:
        raise ConflictError("This gate request was decided by someone else; reload to see it.")
    locked.refresh_from_db()

    record_audit_event(
        actor=actor,
        action="gate_request.decided",
        **request_audit_target(locked),
        changes={
            "status": [GateRequestStatus.PENDING, GateRequestStatus.DECIDED],
            "decision": [None, decision],
            "tally": [
                None,
                {
                    "approve": result.approvals,
                    "approve_with_conditions": result.approvals_with_conditions,
                    "reject": result.rejections,
                    "abstain": result.abstentions,
                },
            ],
            **({"meeting": [None, meeting.pk]} if meeting is not None else {}),
        },
        reason=reason,
    )

    label = Decision(decision).label
    if decision == Decision.GO:
        initiative_change_stage(
            initiative=initiative,
            actor=actor,
            to_stage=locked.to_stage,
            reason=f"Gate decision: {label} (request #{locked.pk}). {reason}",
            gate_request_id=locked.pk,
        )
        open_review = ReReview.objects.filter(
            initiative=initiative, resolved_at__isnull=True
        ).first()
        if open_review is not None:
            resolve_rereview(
                rereview=open_review,
                actor=actor,
                resolution=f"A new gate passed: go on request #{locked.pk}.",
                now=now,
            )
    elif decision == Decision.HOLD and initiative.status == Status.ACTIVE:
        initiative_set_status(
            initiative=initiative,
            actor=actor,
            to_status=Status.PAUSED,
            reason=f"Gate decision: {label} (request #{locked.pk}). {reason}",
            gate_request_id=locked.pk,
        )
    elif decision == Decision.KILL:
        initiative_set_status(
            initiative=initiative,
            actor=actor,
            to_status=Status.STOPPED,
            reason=f"Gate decision: {label} (request #{locked.pk}). {reason}",
            gate_request_id=locked.pk,
        )

    planned: list[tuple[str, AbstractBaseUser, datetime.date]] = list(explicit_items)
    if decision == Decision.GO:
        taken = {_normal(title) for title, _, _ in explicit_items}
        owner = initiative.delivery_owner or initiative.business_owner or actor
        due = today + datetime.timedelta(days=DEFAULT_CONDITION_DUE_DAYS)
        for vote in votes:
            if vote.choice != VoteChoice.APPROVE_WITH_CONDITIONS:
                continue
            for condition in parse_conditions(vote.conditions):
                title = condition[:ACTION_TITLE_MAX_LENGTH]
                if _normal(title) not in taken:
                    taken.add(_normal(title))
                    planned.append((title, owner, due))
    for title, owner, due in planned:
        item = ActionItem.objects.create(
            initiative=initiative,
            gate_request=locked,
            title=title,
            owner=owner,
            due_date=due,
            created_by=actor,
        )
        record_audit_event(
            actor=actor,
            action="action_item.created",
            target=item,
            initiative_id=initiative.pk,
            changes={
                "title": [None, item.title],
                "owner": [None, str(owner)],
                "due_date": [None, due.isoformat()],
                "gate_request": [None, locked.pk],
            },
            reason=f"From the {label} decision on gate request #{locked.pk}.",
        )
    notifications.notify_decision_made(locked)
    return locked
