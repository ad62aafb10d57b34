"""Filing, voting on and withdrawing gate requests.

Concurrency: a vote locks the GateRequest row first (then the initiative where needed), so
votes and the decision never interleave.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from core.audit import record_audit_event
from core.concurrency import lock_for_update
from core.errors import ConflictError
from core.permissions import require
from governance.council.permissions import council_seat, recusal_reason
from governance.council.rules import parse_conditions
from governance.gates import notifications
from governance.gates.permissions import (
    NOT_A_DECIDER_MESSAGE,
    REQUEST_DENIED_MESSAGE,
    WITHDRAW_DENIED_MESSAGE,
    can_request_gate,
    can_vote,
    can_withdraw_request,
)
from governance.gates.rules import evaluate_gate
from governance.gates.selectors import current_policy_version, gate_snapshot
from governance.gates.services.steps import (
    TEXT_MAX_LENGTH,
    closed_message,
    lock_request,
    request_audit_target,
    required_text,
)
from governance.models import GateRequest, GateRequestStatus, Vote, VoteChoice
from portfolio.models import Initiative, Status
from portfolio.vocabulary import STAGE_LABELS, next_stage


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
    locked = lock_for_update(Initiative, initiative.pk)
    require(can_request_gate(actor, locked), REQUEST_DENIED_MESSAGE)
    return file_gate_request(initiative=locked, actor=actor, justification=justification)


def file_gate_request(
    *,
    initiative: Initiative,
    actor: AbstractBaseUser,
    justification: str,
    returned_from: GateRequest | None = None,
) -> GateRequest:
    """The filing itself, for a locked initiative whose filer was allowed (gate_request_create)
    or who filed the iterate that comes back (gate_request_return_iteration)."""
    locked = initiative
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
        returned_from=returned_from,
    )
    record_audit_event(
        actor=actor,
        action="gate_request.filed",
        **request_audit_target(request),
        changes={
            "status": [None, request.status],
            "from_stage": [None, request.from_stage],
            "to_stage": [None, request.to_stage],
            "policy_version": [None, f"{version.policy.title} v{version.number}"],
            "all_criteria_passed": [None, all_passed],
            "failing_criteria": [None, [r.id for r in results if not r.passed]],
            **({"returned_from": [None, returned_from.pk]} if returned_from else {}),
        },
        reason=justification,
    )
    notifications.notify_request_filed(request)
    notifications.notify_vote_needed(request)
    return request


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
    locked = lock_request(request)
    require(can_vote(actor, locked.policy_version.decider_roles), NOT_A_DECIDER_MESSAGE)
    if reason := recusal_reason(actor, locked.initiative):
        raise PermissionDenied(reason)
    if locked.status != GateRequestStatus.PENDING:
        raise ConflictError(closed_message(locked))
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


@transaction.atomic
def gate_request_withdraw(
    *, request: GateRequest, actor: AbstractBaseUser, reason: str
) -> GateRequest:
    """Withdraw a pending request (the requester, the initiative's owners or an admin)."""
    reason = required_text(reason, "reason", "Say why the request is withdrawn.")
    locked = lock_request(request)
    require(
        can_withdraw_request(actor, locked.initiative, locked.requested_by_id),
        WITHDRAW_DENIED_MESSAGE,
    )
    return withdraw_locked(locked, actor=actor, reason=reason)


def withdraw_locked(locked: GateRequest, *, actor: AbstractBaseUser, reason: str) -> GateRequest:
    if locked.status != GateRequestStatus.PENDING:
        raise ConflictError(closed_message(locked))
    locked.status = GateRequestStatus.WITHDRAWN
    locked.save(update_fields=["status"])
    record_audit_event(
        actor=actor,
        action="gate_request.withdrawn",
        **request_audit_target(locked),
        changes={"status": [GateRequestStatus.PENDING, GateRequestStatus.WITHDRAWN]},
        reason=reason,
    )
    return locked
