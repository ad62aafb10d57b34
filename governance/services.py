"""Every state change of the gate workflow: one function each, one transaction, one audit event.

Policies, gate requests, votes, decisions, pause / resume / stop, item reviews and re-reviews.
(The register — risks, incidents, leadership decisions, action items — lives in
governance.register_services; council meetings and membership in governance.council_services.)

Concurrency: a vote or a decision locks the GateRequest row first, then the initiative, always
in that order, so on PostgreSQL simultaneous decisions run one after the other and the second
finds the request already decided. Nothing double-advances.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from core.audit import record_audit_event
from core.errors import ConflictError
from core.people import display_name
from core.roles import Role
from governance import notifications
from governance.council_services import current_meeting
from governance.models import (
    ActionItem,
    CouncilMeeting,
    Decision,
    GatePolicy,
    GatePolicyVersion,
    GateRequest,
    GateRequestStatus,
    ItemReview,
    ReReview,
    Vote,
    VoteChoice,
)
from governance.permissions import (
    CHAIR_ONLY_MESSAGE,
    NOT_A_DECIDER_MESSAGE,
    STATUS_CHANGE_MESSAGE,
    can_change_status,
    can_confirm_rereview,
    can_edit_policies,
    can_request_gate,
    can_review_items,
    can_vote,
    can_withdraw_request,
    council_seat,
    is_chair,
    recusal_reason,
)
from governance.rules import (
    DEFAULT_POLICIES,
    LOWEST_SCORE,
    MaterialChange,
    PolicyDefinition,
    evaluate_gate,
    go_blockers,
    next_stage,
    parse_conditions,
    policy_problems,
)
from governance.selectors import (
    current_policy_version,
    gate_snapshot,
    has_go_decision,
    request_tally,
)
from portfolio.models import Initiative, Stage, Status
from portfolio.services import initiative_change_stage, initiative_set_status
from readiness.models import Assessment, AssessmentStatus

STAGE_LABELS: dict[str, str] = dict(Stage.choices)
TEXT_MAX_LENGTH = 4000
ACTION_TITLE_MAX_LENGTH = ActionItem._meta.get_field("title").max_length
# A condition attached to a vote gets this long to be met unless the chair sets a date.
DEFAULT_CONDITION_DUE_DAYS = 30


def _required_text(value: str | None, field: str, message: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError({field: message})
    if len(text) > TEXT_MAX_LENGTH:
        raise ValidationError({field: f"Keep it under {TEXT_MAX_LENGTH} characters."})
    return text


# ---------------------------------------------------------------------------------------------
# Gate policies
# ---------------------------------------------------------------------------------------------


def _policy_content(version: GatePolicyVersion) -> dict[str, Any]:
    return {
        "criteria": version.criteria,
        "quorum": version.quorum,
        "required_seats": version.required_seats,
        "decider_roles": version.decider_roles,
    }


def _validate_policy_content(
    *, criteria: Any, quorum: Any, required_seats: Any, decider_roles: Any
) -> None:
    errors = policy_problems(criteria=criteria, quorum=quorum, required_seats=required_seats)
    known_roles = {role.value for role in Role}
    if not isinstance(decider_roles, list | tuple) or not decider_roles:
        errors["decider_roles"] = ["Name at least one role whose members decide."]
    elif unknown := [role for role in decider_roles if role not in known_roles]:
        errors["decider_roles"] = [
            f"Unknown role: {', '.join(map(str, unknown))}. Roles are: {', '.join(known_roles)}."
        ]
    if errors:
        raise ValidationError(errors)


def _save_policy_version(
    *,
    policy: GatePolicy,
    actor: AbstractBaseUser | None,
    criteria: Sequence[Mapping[str, Any]],
    quorum: int,
    required_seats: Sequence[str],
    decider_roles: Sequence[str],
    note: str,
) -> tuple[GatePolicyVersion, bool]:
    """Validate and store a new version unless the newest one has the same content."""
    _validate_policy_content(
        criteria=criteria, quorum=quorum, required_seats=required_seats, decider_roles=decider_roles
    )
    # Lock the policy so two editors get consecutive numbers instead of a unique-key error.
    policy = GatePolicy.objects.select_for_update().get(pk=policy.pk)
    content = {
        "criteria": [{"id": c["id"], "params": dict(c.get("params") or {})} for c in criteria],
        "quorum": quorum,
        "required_seats": list(required_seats),
        "decider_roles": list(decider_roles),
    }
    latest = policy.versions.order_by("-number").first()
    if latest is not None and _policy_content(latest) == content:
        return latest, False
    number = (policy.versions.aggregate(top=Max("number"))["top"] or 0) + 1
    version = GatePolicyVersion(
        policy=policy, number=number, note=(note or "").strip()[:300], created_by=actor, **content
    )
    version.full_clean()
    version.save()
    before = _policy_content(latest) if latest is not None else {}
    record_audit_event(
        actor=actor,
        action="gate_policy.version_created",
        target=version,
        changes={
            "number": [latest.number if latest else None, number],
            **{
                key: [before.get(key), value]
                for key, value in content.items()
                if before.get(key) != value
            },
        },
        reason=version.note,
    )
    return version, True


@transaction.atomic
def gate_policy_version_create(
    *,
    policy: GatePolicy,
    actor: AbstractBaseUser,
    criteria: Sequence[Mapping[str, Any]],
    quorum: int,
    required_seats: Sequence[str],
    decider_roles: Sequence[str],
    note: str = "",
) -> GatePolicyVersion:
    """Store an edited policy as its next version (governance admins only).

    Validates criterion ids and params, seats, quorum and roles (ValidationError by field).
    Versions are immutable: requests filed earlier keep the version they were filed under.
    Content identical to the newest version returns that version and writes nothing.
    """
    if not can_edit_policies(actor):
        raise PermissionDenied("Only a governance admin can change gate policies.")
    version, _ = _save_policy_version(
        policy=policy,
        actor=actor,
        criteria=criteria,
        quorum=quorum,
        required_seats=required_seats,
        decider_roles=decider_roles,
        note=note,
    )
    return version


@transaction.atomic
def gate_policy_load(
    *, definition: PolicyDefinition, actor: AbstractBaseUser | None = None
) -> tuple[GatePolicyVersion, bool]:
    """Create the policy for a transition if needed and store `definition` as its version.

    Returns (version, created); loading identical content again creates nothing.
    """
    policy, created_policy = GatePolicy.objects.get_or_create(
        from_stage=definition.from_stage,
        to_stage=definition.to_stage,
        defaults={"title": definition.title},
    )
    if created_policy:
        record_audit_event(
            actor=actor,
            action="gate_policy.created",
            target=policy,
            changes={"title": [None, policy.title]},
        )
    return _save_policy_version(
        policy=policy,
        actor=actor,
        criteria=definition.criteria,
        quorum=definition.quorum,
        required_seats=definition.required_seats,
        decider_roles=definition.decider_roles,
        note=definition.note,
    )


def gate_policies_load_defaults(
    *, actor: AbstractBaseUser | None = None
) -> list[tuple[GatePolicyVersion, bool]]:
    """Load governance/policies_data/default_policies.json, idempotently."""
    return [gate_policy_load(definition=definition, actor=actor) for definition in DEFAULT_POLICIES]


# ---------------------------------------------------------------------------------------------
# Gate requests
# ---------------------------------------------------------------------------------------------


def _request_audit_target(request: GateRequest) -> dict[str, Any]:
    return {"target": request, "initiative_id": request.initiative_id}


@transaction.atomic
def gate_request_create(
    *, initiative: Initiative, actor: AbstractBaseUser, justification: str = ""
) -> GateRequest:
    """File a request to move `initiative` to its next stage, freezing the evidence.

    Guarantees: only the business or delivery owner or a governance admin files; only an
    active initiative with a next stage and a gate policy; at most one pending request per
    initiative (the initiative row is locked, and the database refuses a second anyway).
    Every criterion of the newest policy version is evaluated against the live record and
    frozen into `evidence`; if any fails, a written justification is required. The review is
    due GATE_REVIEW_DAYS from now; the owners are told it was filed and the council that a vote
    is needed (emails sent after commit).
    """
    locked = Initiative.objects.select_for_update().get(pk=initiative.pk)
    if not can_request_gate(actor, locked):
        raise PermissionDenied(
            "Only this initiative's business or delivery owner, or a governance admin, can ask "
            "to move it through a gate."
        )
    if locked.status != Status.ACTIVE:
        raise ValidationError(
            {
                "initiative": (
                    f"The initiative is {locked.get_status_display().lower()}; only an active "
                    "initiative can ask for a gate decision."
                )
            }
        )
    to_stage = next_stage(locked.stage)
    if to_stage is None:
        raise ValidationError(
            {"initiative": "The initiative is in ongoing operation, the last stage: no gate left."}
        )
    pending = GateRequest.objects.filter(
        initiative=locked, status=GateRequestStatus.PENDING
    ).first()
    if pending is not None:
        raise ValidationError(
            {
                "initiative": (
                    f"A gate request for this initiative is already pending (#{pending.pk}, "
                    f"filed {timezone.localtime(pending.requested_at):%d %b %Y}); withdraw it or "
                    "wait for the council's decision."
                )
            }
        )
    version = current_policy_version(locked.stage, to_stage)
    if version is None:
        raise ValidationError(
            {
                "initiative": (
                    f"There is no gate policy for {STAGE_LABELS[locked.stage]} → "
                    f"{STAGE_LABELS[to_stage]}; ask a governance admin to set one up."
                )
            }
        )
    now = timezone.now()
    results = evaluate_gate(version.criteria, gate_snapshot(locked, timezone.localdate(now)))
    all_passed = all(result.passed for result in results)
    justification = (justification or "").strip()
    if not all_passed and not justification:
        failing = [result.label for result in results if not result.passed]
        raise ValidationError(
            {
                "justification": (
                    f"{len(failing)} of {len(results)} criteria fail ({'; '.join(failing)}). "
                    "Explain why the council should still consider this request; they will see "
                    "your justification next to the failing criteria."
                )
            }
        )
    if len(justification) > TEXT_MAX_LENGTH:
        raise ValidationError(
            {"justification": f"Keep the justification under {TEXT_MAX_LENGTH} characters."}
        )
    request = GateRequest.objects.create(
        initiative=locked,
        policy_version=version,
        from_stage=locked.stage,
        to_stage=to_stage,
        requested_by=actor,
        review_due_at=now + datetime.timedelta(days=settings.GATE_REVIEW_DAYS),
        justification=justification,
        evidence=[result.as_dict() for result in results],
        all_criteria_passed=all_passed,
    )
    record_audit_event(
        actor=actor,
        action="gate_request.filed",
        **_request_audit_target(request),
        changes={
            "status": [None, request.status],
            "from_stage": [None, request.from_stage],
            "to_stage": [None, request.to_stage],
            "policy_version": [None, f"{version.policy.title} v{version.number}"],
            "all_criteria_passed": [None, all_passed],
            "failing_criteria": [None, [r.id for r in results if not r.passed]],
        },
        reason=justification,
    )
    notifications.notify_request_filed(request)
    notifications.notify_vote_needed(request)
    return request


def _lock_request(request: GateRequest) -> GateRequest:
    """The request row, locked for the rest of the transaction (only that row: of=self)."""
    return (
        GateRequest.objects.select_for_update(of=("self",))
        .select_related("policy_version__policy", "initiative")
        .get(pk=request.pk)
    )


def _closed_message(request: GateRequest) -> str:
    if request.status == GateRequestStatus.DECIDED:
        who = display_name(request.decided_by)
        return (
            f"This gate request was already decided ({request.get_decision_display()}) by {who} "
            f"on {timezone.localtime(request.decided_at):%d %b %Y %H:%M}; reload to see it."
        )
    return "This gate request was withdrawn; reload to see it."


@transaction.atomic
def vote_cast(
    *,
    request: GateRequest,
    actor: AbstractBaseUser,
    choice: str,
    comment: str = "",
    conditions: str = "",
) -> Vote:
    """Record `actor`'s vote on a pending request; voting again replaces their earlier vote.

    Guarantees: only holders of the policy version's decider roles vote; an owner, sponsor,
    value or safety owner of the initiative is recused (PermissionDenied saying so); only a
    pending request takes votes (ConflictError otherwise). "Approve with conditions" needs at
    least one condition (one per line) and other choices take none; a rejection needs a comment.
    The vote records the seat the member holds now. The request row is locked, so votes and the
    decision never interleave.
    """
    locked = _lock_request(request)
    if not can_vote(actor, locked.policy_version.decider_roles):
        raise PermissionDenied(NOT_A_DECIDER_MESSAGE)
    if reason := recusal_reason(actor, locked.initiative):
        raise PermissionDenied(reason)
    if locked.status != GateRequestStatus.PENDING:
        raise ConflictError(_closed_message(locked))
    errors: dict[str, str] = {}
    if choice not in VoteChoice.values:
        labels = ", ".join(label for _, label in VoteChoice.choices)
        errors["choice"] = f"Choose one of: {labels}."
    comment = (comment or "").strip()
    condition_lines = parse_conditions(conditions)
    if choice == VoteChoice.APPROVE_WITH_CONDITIONS and not condition_lines:
        errors["conditions"] = "List at least one condition, one per line."
    elif condition_lines and choice != VoteChoice.APPROVE_WITH_CONDITIONS:
        errors["conditions"] = (
            "Conditions go with “Approve with conditions”; choose it or clear the conditions."
        )
    if choice == VoteChoice.REJECT and not comment:
        errors["comment"] = "Say why you reject, so the owners know what to fix."
    if len(comment) > TEXT_MAX_LENGTH:
        errors["comment"] = f"Keep the comment under {TEXT_MAX_LENGTH} characters."
    if errors:
        raise ValidationError(errors)
    existing = Vote.objects.filter(request=locked, voter=actor).first()
    before = (
        {"choice": existing.choice, "comment": existing.comment, "conditions": existing.conditions}
        if existing
        else {}
    )
    vote = existing or Vote(request=locked, voter=actor)
    vote.seat = council_seat(actor)
    vote.choice = choice
    vote.comment = comment
    vote.conditions = "\n".join(condition_lines)
    vote.save()
    after = {"choice": vote.choice, "comment": vote.comment, "conditions": vote.conditions}
    changes = {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
    if existing is None:
        changes = {"gate_request": [None, locked.pk], "seat": [None, vote.seat], **changes}
    record_audit_event(
        actor=actor,
        action="vote.changed" if existing else "vote.cast",
        target=vote,
        initiative_id=locked.initiative_id,
        changes=changes,
    )
    return vote


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
      hold pauses the initiative (until resumed); kill stops it;
    - on go, every condition of an approve-with-conditions vote becomes an action item (owner:
      the delivery owner, else the business owner, else the chair; due in 30 days) unless the
      chair listed an action item with the same title; `action_items` ({title, owner,
      due_date}) become action items for any decision;
    - the owners, requester and voters are emailed after commit.
    """
    if decision not in Decision.values:
        labels = ", ".join(label for _, label in Decision.choices)
        raise ValidationError({"decision": f"Choose one of: {labels}."})
    reason = _required_text(reason, "reason", "Give the reason for the decision; it is recorded.")
    if not is_chair(actor):
        raise PermissionDenied(CHAIR_ONLY_MESSAGE)
    locked = _lock_request(request)
    initiative = Initiative.objects.select_for_update().get(pk=locked.initiative_id)
    if locked.status != GateRequestStatus.PENDING:
        raise ConflictError(_closed_message(locked))
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
        **_request_audit_target(locked),
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
            _resolve_rereview(
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
        )
    elif decision == Decision.KILL:
        initiative_set_status(
            initiative=initiative,
            actor=actor,
            to_status=Status.STOPPED,
            reason=f"Gate decision: {label} (request #{locked.pk}). {reason}",
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


@transaction.atomic
def gate_request_withdraw(
    *, request: GateRequest, actor: AbstractBaseUser, reason: str
) -> GateRequest:
    """Withdraw a pending request (the requester, the initiative's owners or an admin)."""
    reason = _required_text(reason, "reason", "Say why the request is withdrawn.")
    locked = _lock_request(request)
    if not can_withdraw_request(actor, locked.initiative, locked.requested_by_id):
        raise PermissionDenied(
            "Only the requester, the initiative's business or delivery owner, or a governance "
            "admin can withdraw a gate request."
        )
    return _withdraw(locked, actor=actor, reason=reason)


def _withdraw(locked: GateRequest, *, actor: AbstractBaseUser, reason: str) -> GateRequest:
    if locked.status != GateRequestStatus.PENDING:
        raise ConflictError(_closed_message(locked))
    locked.status = GateRequestStatus.WITHDRAWN
    locked.save(update_fields=["status"])
    record_audit_event(
        actor=actor,
        action="gate_request.withdrawn",
        **_request_audit_target(locked),
        changes={"status": [GateRequestStatus.PENDING, GateRequestStatus.WITHDRAWN]},
        reason=reason,
    )
    return locked


# ---------------------------------------------------------------------------------------------
# Pause, resume, stop outside a request
# ---------------------------------------------------------------------------------------------


def _check_status_change(actor: AbstractBaseUser, reason: str) -> str:
    reason = _required_text(reason, "reason", "Give the reason; it is kept in the audit trail.")
    if not can_change_status(actor):
        raise PermissionDenied(STATUS_CHANGE_MESSAGE)
    return reason


@transaction.atomic
def initiative_pause(*, initiative: Initiative, actor: AbstractBaseUser, reason: str) -> Initiative:
    """Put an active initiative on hold (the council chair or a governance admin)."""
    reason = _check_status_change(actor, reason)
    return initiative_set_status(
        initiative=initiative, actor=actor, to_status=Status.PAUSED, reason=reason
    )


@transaction.atomic
def initiative_resume(
    *, initiative: Initiative, actor: AbstractBaseUser, reason: str
) -> Initiative:
    """Make a paused initiative active again (the council chair or a governance admin)."""
    reason = _check_status_change(actor, reason)
    return initiative_set_status(
        initiative=initiative, actor=actor, to_status=Status.ACTIVE, reason=reason
    )


@transaction.atomic
def initiative_stop(*, initiative: Initiative, actor: AbstractBaseUser, reason: str) -> Initiative:
    """Stop (kill / sunset) an initiative for good (the council chair or a governance admin).

    A pending gate request can no longer lead anywhere, so it is withdrawn with the same reason.
    The request row is locked before the initiative changes: the same order as a decision, so
    a stop and a decision at the same moment wait for each other instead of deadlocking.
    """
    reason = _check_status_change(actor, reason)
    pending = GateRequest.objects.filter(
        initiative_id=initiative.pk, status=GateRequestStatus.PENDING
    ).first()
    locked_request = _lock_request(pending) if pending is not None else None
    stopped = initiative_set_status(
        initiative=initiative, actor=actor, to_status=Status.STOPPED, reason=reason
    )
    if locked_request is not None and locked_request.status == GateRequestStatus.PENDING:
        _withdraw(locked_request, actor=actor, reason=f"Initiative stopped: {reason}")
    return stopped


# ---------------------------------------------------------------------------------------------
# Item reviews (an area scored 1) and re-reviews (a material change after approval)
# ---------------------------------------------------------------------------------------------


@transaction.atomic
def item_review_record(
    *, assessment: Assessment, item_id: str, actor: AbstractBaseUser, note: str
) -> ItemReview:
    """Record the council's explicit review of an area scored at the lowest level.

    Guarantees: council members only (not one recused from the initiative); the assessment is
    the current submitted one and `item_id` scored 1 in it; one review per area (a second is
    refused, naming the first); a note is required.
    """
    note = _required_text(note, "note", "Write what the council concluded about this area.")
    if not can_review_items(actor):
        raise PermissionDenied("Only council members can record the review of an area.")
    locked = (
        Assessment.objects.select_for_update(of=("self",))
        .select_related("initiative")
        .get(pk=assessment.pk)
    )
    if locked.initiative is not None and (reason := recusal_reason(actor, locked.initiative)):
        raise PermissionDenied(reason)
    if locked.status != AssessmentStatus.SUBMITTED:
        raise ValidationError({"item_id": "Only the current submitted assessment can be reviewed."})
    scores = (locked.result or {}).get("item_scores") or {}
    if item_id not in scores:
        raise ValidationError({"item_id": f"“{item_id}” is not a scored area of this assessment."})
    if scores[item_id] != LOWEST_SCORE:
        raise ValidationError(
            {
                "item_id": (
                    f"This area scored {scores[item_id]}; only areas at {LOWEST_SCORE} need the "
                    "council's explicit review."
                )
            }
        )
    earlier = ItemReview.objects.filter(assessment=locked, item_id=item_id).first()
    if earlier is not None:
        raise ValidationError(
            {
                "item_id": (
                    f"This area was already reviewed by {earlier.reviewer} on "
                    f"{timezone.localtime(earlier.created_at):%d %b %Y}."
                )
            }
        )
    review = ItemReview.objects.create(
        assessment=locked, item_id=item_id, reviewer=actor, note=note
    )
    record_audit_event(
        actor=actor,
        action="item_review.recorded",
        target=review,
        initiative_id=locked.initiative_id,
        changes={"assessment": [None, locked.pk], "item_id": [None, item_id]},
        reason=note,
    )
    return review


@transaction.atomic
def rereview_raise(
    *,
    initiative: Initiative,
    actor: AbstractBaseUser | None,
    changes: Sequence[MaterialChange],
) -> ReReview | None:
    """Mark the initiative "re-review needed" after a material change since a go decision.

    Returns None (and writes nothing) when there are no material changes or the initiative was
    never approved through a gate. If a re-review is already open, the new changes are added to
    it (one open re-review per initiative).
    """
    if not changes or not has_go_decision(initiative.pk):
        return None
    new = [change.as_dict() for change in changes]
    open_review = (
        ReReview.objects.select_for_update()
        .filter(initiative_id=initiative.pk, resolved_at__isnull=True)
        .first()
    )
    if open_review is not None:
        before = list(open_review.changes)
        open_review.changes = before + new
        open_review.save(update_fields=["changes"])
        record_audit_event(
            actor=actor,
            action="rereview.extended",
            target=open_review,
            initiative_id=initiative.pk,
            changes={"changes": [before, open_review.changes]},
        )
        return open_review
    review = ReReview.objects.create(initiative_id=initiative.pk, changes=new)
    record_audit_event(
        actor=actor,
        action="rereview.raised",
        target=review,
        initiative_id=initiative.pk,
        changes={"changes": [None, new]},
        reason="Material change after approval: " + "; ".join(c.label for c in changes),
    )
    return review


def _resolve_rereview(
    *, rereview: ReReview, actor: AbstractBaseUser, resolution: str, now: datetime.datetime
) -> ReReview:
    rereview.resolved_at = now
    rereview.resolved_by = actor
    rereview.resolution = resolution[:200]
    rereview.save(update_fields=["resolved_at", "resolved_by", "resolution"])
    record_audit_event(
        actor=actor,
        action="rereview.resolved",
        target=rereview,
        initiative_id=rereview.initiative_id,
        changes={"resolved_at": [None, now.isoformat()]},
        reason=resolution,
    )
    return rereview


@transaction.atomic
def rereview_confirm(*, rereview: ReReview, actor: AbstractBaseUser, note: str) -> ReReview:
    """A council member confirms the approval still holds after the material change.

    Not by someone recused from the initiative; an already resolved re-review is a conflict.
    """
    note = _required_text(note, "note", "Say why the approval still holds.")
    if not can_confirm_rereview(actor):
        raise PermissionDenied("Only council members can confirm a re-review.")
    locked = (
        ReReview.objects.select_for_update(of=("self",))
        .select_related("initiative")
        .get(pk=rereview.pk)
    )
    if reason := recusal_reason(actor, locked.initiative):
        raise PermissionDenied(reason)
    if locked.resolved_at is not None:
        raise ConflictError("This re-review was already resolved; reload to see it.")
    return _resolve_rereview(
        rereview=locked, actor=actor, resolution=f"Confirmed: {note}", now=timezone.now()
    )
