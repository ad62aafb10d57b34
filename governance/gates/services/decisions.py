"""The council chair's go / hold / kill / iterate on a gate request, exactly once; naming an
acting chair when the chair is recused; returning an iterate to the council when it is due.

Concurrency: a decision locks the GateRequest row first, then the initiative, always in that
order, so on PostgreSQL simultaneous decisions run one after the other and the second finds
the request already decided. Nothing double-advances.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, F, OuterRef, QuerySet
from django.utils import timezone

from core.audit import record_audit_event
from core.concurrency import lock_for_update
from core.errors import BlockedError, ConflictError
from core.permissions import require
from governance.council.rules import go_blockers, parse_conditions
from governance.council.services import current_meeting
from governance.gates import acting_chair, notifications
from governance.gates.permissions import (
    ACTING_CHAIR_DENIED_MESSAGE,
    acting_chair_problem,
    can_name_acting_chair,
    decide_denied_message,
    deciding_as,
)
from governance.gates.rules import CriterionResult, GoCheck, evaluate_gate, go_check
from governance.gates.selectors import gate_snapshot, request_tally
from governance.gates.services.requests import file_gate_request
from governance.gates.services.reviews import resolve_rereview
from governance.gates.services.steps import (
    ACTION_TITLE_MAX_LENGTH,
    DEFAULT_CONDITION_DUE_DAYS,
    action_item_create,
    closed_message,
    condition_owner,
    lock_request,
    record_acting_chair,
    request_audit_target,
    required_text,
)
from governance.models import (
    CouncilMeeting,
    DecidedAs,
    Decision,
    GateException,
    GateRequest,
    GateRequestStatus,
    ReReview,
    ReReviewOutcome,
    Vote,
    VoteChoice,
)
from portfolio.models import Initiative, Status
from portfolio.services import initiative_change_stage, initiative_set_status
from portfolio.vocabulary import STAGE_LABELS

# DOMAIN.md: "iterate" means a bounded fix of at most two sprints (SPRINT_DAYS each).
ITERATE_MAX_SPRINTS = 2
# A go, a hold and an iterate keep the council's conditions as action items; a kill ends it.
CONDITIONS_BECOME_ACTIONS = frozenset({Decision.GO, Decision.HOLD, Decision.ITERATE})


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


def _conditions_as_action_items(
    votes: Iterable[Vote],
    explicit_items: list[tuple[str, AbstractBaseUser, datetime.date]],
    owner: AbstractBaseUser,
    due: datetime.date,
) -> list[tuple[str, AbstractBaseUser, datetime.date]]:
    """The chair's action items, then every vote condition not already among them."""
    planned = list(explicit_items)
    taken = {_normal(title) for title, _, _ in explicit_items}
    for vote in votes:
        if vote.choice != VoteChoice.APPROVE_WITH_CONDITIONS:
            continue
        for condition in parse_conditions(vote.conditions):
            title = condition[:ACTION_TITLE_MAX_LENGTH]
            if _normal(title) not in taken:
                taken.add(_normal(title))
                planned.append((title, owner, due))
    return planned


def _iterate_due_on(value: Any, today: datetime.date) -> datetime.date:
    """The day a bounded fix returns to the council: after today, within two sprints."""
    due = _date(value)
    latest = today + datetime.timedelta(days=ITERATE_MAX_SPRINTS * settings.SPRINT_DAYS)
    if due is None:
        raise ValidationError(
            {"iterate_due_on": "Iterate needs the day the fix comes back to the council."}
        )
    if due <= today:
        raise ValidationError({"iterate_due_on": "The due date must be after today."})
    if due > latest:
        raise ValidationError(
            {
                "iterate_due_on": (
                    f"An iteration is a bounded fix of at most {ITERATE_MAX_SPRINTS} sprints: "
                    f"choose a day no later than {latest:%d %b %Y}."
                )
            }
        )
    return due


def _refuse_hard_block(check: GoCheck) -> None:
    """A go that a hard criterion blocks is refused (409), naming the criteria."""
    if check.blocked:
        reason = check.blocked_reason()
        raise BlockedError(
            # A criterion's detail may already end the sentence (a checklist item's text).
            reason if reason.endswith(".") else f"{reason}.",
            blocked_by=[
                {"criterion": r.id, "label": r.label, "detail": r.detail}
                for r in check.hard_failures
            ],
        )


def _soft_overrides(check: GoCheck, override_justification: str) -> tuple[CriterionResult, ...]:
    """The soft failures a go overrides; refuses (400) to override them without a
    justification."""
    if check.needs_override and not override_justification:
        failing = "; ".join(r.label for r in check.soft_failures)
        if len(check.soft_failures) == 1:
            summary = f"1 criterion fails ({failing}). A go overrides it"
        else:
            summary = f"{len(check.soft_failures)} criteria fail ({failing}). A go overrides them"
        raise ValidationError(
            {
                "override_justification": (
                    f"{summary}: say why the council accepts this; it is listed as an exception "
                    "on the request, the initiative, the dashboard and the monthly report."
                )
            }
        )
    return check.soft_failures


@transaction.atomic
def gate_request_decide(
    *,
    request: GateRequest,
    actor: AbstractBaseUser,
    decision: str,
    reason: str,
    action_items: Iterable[Mapping[str, Any]] = (),
    override_justification: str = "",
    iterate_due_on: Any = None,
    meeting: CouncilMeeting | None = None,
) -> GateRequest:
    """Record go / hold / kill / iterate on a pending request, exactly once.

    Guarantees:
    - the chair decides unless recused from the initiative, and so does the acting chair named
      for the request (see governance/gates/acting_chair.py); the record says in what capacity
      (`decided_as`), and for an acting chair its audit event says who named them and whether
      the chair was recused; a reason is required; the request must be pending (ConflictError
      once decided or withdrawn);
    - the policy version's criteria are evaluated on the live record and kept with the
      decision; a go is refused (BlockedError, 409, naming the criteria) while a hard criterion
      fails, before anything else about the go is checked, and needs an
      `override_justification` when soft ones fail: each becomes a GateException;
    - the tally must allow the decision: go needs quorum, every required seat and more
      approvals than rejections; the others need quorum;
    - the request row, then the initiative row, are locked, so of simultaneous decisions one
      wins and the others get a ConflictError: one stage change, one decision event;
    - go moves the initiative to the request's stage through initiative_change_stage (a
      StageTransition and an audit event citing the request) and resolves an open re-review;
      hold pauses the initiative (until resumed) and kill stops it, through
      initiative_set_status (a StageTransition and an audit event citing the request);
      iterate keeps it where it is and brings the request back to the council on
      `iterate_due_on` (at most two sprints);
    - on go, hold and iterate every condition of an approve-with-conditions vote becomes an
      action item (owner: the delivery owner, else the business owner, else the decider; due
      in 30 days, or when an iteration is due) unless the chair listed one with the same title;
      `action_items` ({title, owner, due_date}) become action items for any decision;
    - the owners, requester and voters are emailed after commit.
    """
    if decision not in Decision.values:
        labels = ", ".join(label for _, label in Decision.choices)
        raise ValidationError({"decision": f"Choose one of: {labels}."})
    reason = required_text(reason, "reason", "Give the reason for the decision; it is recorded.")
    override_justification = (override_justification or "").strip()
    locked = lock_request(request)
    decided_as = deciding_as(actor, locked)
    require(bool(decided_as), decide_denied_message(actor, locked))
    initiative = lock_for_update(Initiative, locked.initiative_id)
    if locked.status != GateRequestStatus.PENDING:
        raise ConflictError(closed_message(locked))
    now = timezone.now()
    today = timezone.localdate(now)
    results = evaluate_gate(locked.policy_version.criteria, gate_snapshot(initiative, today))
    check = go_check(results)
    if decision == Decision.GO:
        # A hard block is the more fundamental answer: no vote, resume or new request lifts
        # it, so the chair hears it (409, naming the criterion) before "not enough votes yet".
        _refuse_hard_block(check)
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
    overridden: tuple[CriterionResult, ...] = ()
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
        overridden = _soft_overrides(check, override_justification)
    due_back = _iterate_due_on(iterate_due_on, today) if decision == Decision.ITERATE else None
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
        decided_as=decided_as,
        decision_evidence=[r.as_dict() for r in results],
        iterate_due_on=due_back,
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
            "decided_as": [None, decided_as],
            **(
                acting_chair.decision_record(locked, initiative)
                if decided_as == DecidedAs.ACTING_CHAIR
                else {}
            ),
            "tally": [
                None,
                {
                    "approve": result.approvals,
                    "approve_with_conditions": result.approvals_with_conditions,
                    "reject": result.rejections,
                    "abstain": result.abstentions,
                },
            ],
            **({"overridden": [None, [r.id for r in overridden]]} if overridden else {}),
            **({"iterate_due_on": [None, due_back.isoformat()]} if due_back else {}),
            **({"meeting": [None, meeting.pk]} if meeting is not None else {}),
        },
        reason=reason,
    )
    for failure in overridden:
        exception = GateException.objects.create(
            gate_request=locked,
            initiative=initiative,
            criterion_id=failure.id,
            label=failure.label[:300],
            detail=failure.detail,
            justification=override_justification,
            granted_by=actor,
        )
        record_audit_event(
            actor=actor,
            action="gate_exception.granted",
            target=exception,
            initiative_id=initiative.pk,
            changes={"criterion": [None, failure.id], "detail": [None, failure.detail]},
            reason=override_justification,
        )

    label = Decision(decision).label
    why = f"Gate decision: {label} (request #{locked.pk}). {reason}"
    if decision == Decision.GO:
        initiative_change_stage(
            initiative=initiative,
            actor=actor,
            to_stage=locked.to_stage,
            reason=why,
            gate_request_id=locked.pk,
        )
        # Locked: a re-review confirmed or sent back at this moment is not resolved twice.
        open_review = (
            ReReview.objects.select_for_update()
            .filter(initiative=initiative, resolved_at__isnull=True)
            .first()
        )
        if open_review is not None:
            resolve_rereview(
                rereview=open_review,
                actor=actor,
                outcome=ReReviewOutcome.SUPERSEDED,
                resolution=f"A new gate passed: go on request #{locked.pk}.",
                now=now,
            )
    elif decision == Decision.HOLD and initiative.status == Status.ACTIVE:
        initiative_set_status(
            initiative=initiative,
            actor=actor,
            to_status=Status.PAUSED,
            reason=why,
            gate_request_id=locked.pk,
        )
    elif decision == Decision.KILL:
        initiative_set_status(
            initiative=initiative,
            actor=actor,
            to_status=Status.STOPPED,
            reason=why,
            gate_request_id=locked.pk,
        )

    planned = list(explicit_items)
    if decision in CONDITIONS_BECOME_ACTIONS:
        owner = condition_owner(initiative, actor)
        due = due_back or today + datetime.timedelta(days=DEFAULT_CONDITION_DUE_DAYS)
        planned = _conditions_as_action_items(votes, explicit_items, owner, due)
    for title, owner, due in planned:
        action_item_create(
            initiative=initiative,
            gate_request=locked,
            title=title,
            owner=owner,
            due=due,
            actor=actor,
            reason=f"From the {label} decision on gate request #{locked.pk}.",
        )
    notifications.notify_decision_made(locked)
    return locked


@transaction.atomic
def gate_request_name_acting_chair(
    *, request: GateRequest, actor: AbstractBaseUser, member: AbstractBaseUser | None
) -> GateRequest:
    """Name (or, with `member` None, clear) the acting chair who decides a pending request.

    Guarantees: the chair (recused, or unable to be there) or a governance admin names; the
    member holds an active council seat, is not the initiative's owner or sponsor (not
    recused) and is not the chair; the request is pending. One audit event with before and
    after, whose reason says whether the chair is recused.
    """
    require(can_name_acting_chair(actor), ACTING_CHAIR_DENIED_MESSAGE)
    locked = lock_request(request)
    if locked.status != GateRequestStatus.PENDING:
        raise ConflictError(closed_message(locked))
    if member is not None and (problem := acting_chair_problem(member, locked.initiative)):
        raise ValidationError({"member": problem})
    record_acting_chair(
        locked,
        actor=actor,
        member=member,
        action=acting_chair.NAMED_ACTION,
        # Recused or only away: the trail says which, since both name an acting chair.
        reason=acting_chair.chair_position(locked.initiative).sentence() if member else "",
    )
    return locked


def _returnable_iterations(today: datetime.date) -> QuerySet[GateRequest]:
    """The "iterate" decisions that can come back to the council by `today`.

    Due, not returned yet, not superseded (no request for the initiative filed since, other
    than a withdrawn one: the council has been asked again), and the initiative is active in
    the stage the iterate was decided in. An iterate whose initiative was stopped, moved to
    another stage or asked about again is left out, so it is not looked at every day forever;
    one on a paused initiative comes back once the initiative is resumed.
    """
    asked_again = GateRequest.objects.filter(
        initiative_id=OuterRef("initiative_id"), requested_at__gt=OuterRef("decided_at")
    ).exclude(status=GateRequestStatus.WITHDRAWN)
    return GateRequest.objects.filter(
        decision=Decision.ITERATE,
        iterate_due_on__lte=today,
        returns__isnull=True,
        initiative__status=Status.ACTIVE,
        initiative__stage=F("from_stage"),
    ).exclude(Exists(asked_again))


def returnable_iterations(today: datetime.date) -> list[int]:
    """Ids of the iterates gate_request_return_iteration would file again by `today`, the
    longest overdue first."""
    return list(
        _returnable_iterations(today).order_by("iterate_due_on", "pk").values_list("pk", flat=True)
    )


@transaction.atomic
def gate_request_return_iteration(*, request: GateRequest) -> GateRequest | None:
    """File the request again when its "iterate" comes due, so it returns to the council.

    Returns the new pending request, or None when there is nothing to return (see
    `returnable_iterations`: not an iterate, not due yet, already returned, superseded by a
    later request, or the initiative is no longer active in the same stage); the iterate is
    then left as it is. Safe to run twice at once: the iterate row, then the initiative row,
    are locked before the check (a new request or a decision on the initiative waits, or is
    seen), and a returned iterate is never returned again.
    """
    locked = lock_request(request)
    initiative = lock_for_update(Initiative, locked.initiative_id)
    if not _returnable_iterations(timezone.localdate()).filter(pk=locked.pk).exists():
        return None
    return file_gate_request(
        initiative=initiative,
        actor=locked.requested_by,
        justification=(
            f"Back after the iterate decision on request #{locked.pk} "
            f"({timezone.localtime(locked.decided_at):%d %b %Y}): {locked.decision_reason}"
        )[:4000],
        returned_from=locked,
    )
