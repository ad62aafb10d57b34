"""Autonomy promotions: asking to raise an initiative's autonomy level one step, with evidence
for the five conditions, and the chair's approval or rejection; naming an acting chair who
decides when the chair is recused; withdrawing one.

The level itself changes only through portfolio.services.initiative_set_autonomy_level, and
only when a promotion is approved; a direct edit that raises it is refused by the portfolio.

Concurrency: filing locks the initiative (and the database allows one pending promotion per
initiative); deciding, naming an acting chair and withdrawing lock the promotion row first
(deciding then the initiative), so of simultaneous decisions one wins and the others find it
decided, and who may decide is read under the lock.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.audit import record_audit_event
from core.errors import ConflictError
from core.people import display_name
from core.permissions import require
from governance.gates.autonomy_rules import (
    cleaned_evidence,
    evidence_problems,
    level_name,
    next_autonomy_level,
    promotion_target_problem,
)
from governance.gates.permissions import (
    ACTING_CHAIR_DENIED_MESSAGE,
    PROMOTION_REQUEST_DENIED_MESSAGE,
    PROMOTION_WITHDRAW_DENIED_MESSAGE,
    acting_chair_problem,
    autonomy_decide_denied_message,
    autonomy_deciding_as,
    can_name_acting_chair,
    can_request_autonomy_promotion,
    can_withdraw_autonomy_promotion,
)
from governance.gates.services.steps import record_acting_chair, required_text
from governance.models import AutonomyPromotion, AutonomyPromotionStatus
from portfolio.models import Initiative, Status
from portfolio.services import initiative_set_autonomy_level

# The form and the API name an evidence field "evidence.<condition id>".
EVIDENCE_FIELD = "evidence.{}"


def _closed_message(promotion: AutonomyPromotion) -> str:
    if promotion.status == AutonomyPromotionStatus.WITHDRAWN:
        return "This autonomy promotion was withdrawn; reload to see it."
    return (
        f"This autonomy promotion was already {promotion.get_status_display().lower()} by "
        f"{display_name(promotion.decided_by)} on "
        f"{timezone.localtime(promotion.decided_at):%d %b %Y %H:%M}; reload to see it."
    )


def _lock(promotion: AutonomyPromotion) -> AutonomyPromotion:
    """The promotion row, locked for the rest of the transaction (only that row: of=self)."""
    return (
        AutonomyPromotion.objects.select_for_update(of=("self",))
        .select_related("initiative", "decided_by")
        .get(pk=promotion.pk)
    )


@transaction.atomic
def autonomy_promotion_request(
    *,
    initiative: Initiative,
    actor: AbstractBaseUser,
    evidence: Mapping[str, object],
    to_level: str | None = None,
) -> AutonomyPromotion:
    """Ask the council to raise `initiative`'s autonomy level by one step.

    Guarantees: the business or delivery owner or a governance admin files; only an active
    initiative below the top level; `to_level`, when given, must be the next level (one step
    at a time); at most one pending promotion per initiative (the initiative row is locked, and
    the database refuses a second anyway); evidence for each of the five conditions that
    `evidence_problems` accepts (errors name "evidence.<condition id>"). One audit event.
    """
    locked = Initiative.objects.select_for_update().get(pk=initiative.pk)
    require(can_request_autonomy_promotion(actor, locked), PROMOTION_REQUEST_DENIED_MESSAGE)
    if locked.status != Status.ACTIVE:
        raise ValidationError(
            {
                "initiative": (
                    f"The initiative is {locked.get_status_display().lower()}; only an active "
                    "initiative can ask for an autonomy promotion."
                )
            }
        )
    if problem := promotion_target_problem(locked.autonomy_level, to_level):
        field = "initiative" if next_autonomy_level(locked.autonomy_level) is None else "to_level"
        raise ValidationError({field: problem})
    pending = AutonomyPromotion.objects.filter(
        initiative=locked, status=AutonomyPromotionStatus.PENDING
    ).first()
    if pending is not None:
        raise ValidationError(
            {
                "initiative": (
                    f"An autonomy promotion for this initiative is already pending "
                    f"(#{pending.pk}, to {level_name(pending.to_level)}, filed "
                    f"{timezone.localtime(pending.requested_at):%d %b %Y}); withdraw it or "
                    "wait for the chair's decision."
                )
            }
        )
    problems = evidence_problems(evidence)
    if problems:
        raise ValidationError(
            {
                (key if key == "evidence" else EVIDENCE_FIELD.format(key)): message
                for key, message in problems.items()
            }
        )
    promotion = AutonomyPromotion.objects.create(
        initiative=locked,
        from_level=locked.autonomy_level,
        to_level=next_autonomy_level(locked.autonomy_level),
        evidence=cleaned_evidence(evidence),
        requested_by=actor,
    )
    record_audit_event(
        actor=actor,
        action="autonomy_promotion.requested",
        target=promotion,
        initiative_id=locked.pk,
        changes={
            "status": [None, promotion.status],
            "from_level": [None, promotion.from_level],
            "to_level": [None, promotion.to_level],
            "evidence": [None, promotion.evidence],
        },
    )
    return promotion


@transaction.atomic
def autonomy_promotion_decide(
    *, promotion: AutonomyPromotion, actor: AbstractBaseUser, approve: bool, reason: str
) -> AutonomyPromotion:
    """The chair approves or rejects a pending promotion, exactly once.

    Guarantees: the council chair decides, not when recused from the initiative (owners,
    sponsor, value and safety owners are): then only the acting chair named for the promotion
    does, and the record and its audit event say in which capacity (`decided_as`); a reason is
    required; the promotion row, then the initiative row, are locked, and a decided or
    withdrawn promotion is a ConflictError, so of simultaneous decisions one wins. Approving
    needs the initiative active and still at the level the request started from (else
    ConflictError: file again); it then raises the level through
    initiative_set_autonomy_level, which raises no re-review. Rejecting changes nothing but
    the promotion. One audit event for the decision (plus the level's own).
    """
    reason = required_text(reason, "reason", "Give the reason for the decision; it is recorded.")
    locked = _lock(promotion)
    # Read under the lock: an acting chair replaced a moment ago no longer decides.
    decided_as = autonomy_deciding_as(actor, locked)
    require(bool(decided_as), autonomy_decide_denied_message(actor, locked))
    initiative = Initiative.objects.select_for_update().get(pk=locked.initiative_id)
    if locked.status != AutonomyPromotionStatus.PENDING:
        raise ConflictError(_closed_message(locked))
    if approve:
        if initiative.status != Status.ACTIVE:
            raise ValidationError(
                {
                    "approve": (
                        f"The initiative is {initiative.get_status_display().lower()}; only an "
                        "active initiative can be promoted. Reject the request, or resume the "
                        "initiative first."
                    )
                }
            )
        if initiative.autonomy_level != locked.from_level:
            raise ConflictError(
                f"The initiative is now at {level_name(initiative.autonomy_level)}, not "
                f"{level_name(locked.from_level)} as when the promotion was requested; reject "
                "or withdraw this one and file a new request."
            )
    new_status = AutonomyPromotionStatus.APPROVED if approve else AutonomyPromotionStatus.REJECTED
    now = timezone.now()
    # Conditional on "still pending": belt and braces behind the row lock.
    updated = AutonomyPromotion.objects.filter(
        pk=locked.pk, status=AutonomyPromotionStatus.PENDING
    ).update(
        status=new_status,
        decided_by=actor,
        decided_at=now,
        decision_reason=reason,
        decided_as=decided_as,
    )
    if updated != 1:
        raise ConflictError("This autonomy promotion was decided by someone else; reload.")
    locked.refresh_from_db()
    record_audit_event(
        actor=actor,
        action="autonomy_promotion.decided",
        target=locked,
        initiative_id=initiative.pk,
        changes={
            "status": [AutonomyPromotionStatus.PENDING, new_status],
            "decided_as": [None, decided_as],
        },
        reason=reason,
    )
    if approve:
        initiative_set_autonomy_level(
            initiative=initiative,
            actor=actor,
            to_level=locked.to_level,
            reason=f"Autonomy promotion #{locked.pk} approved. {reason}",
            promotion_id=locked.pk,
        )
    return locked


@transaction.atomic
def autonomy_promotion_name_acting_chair(
    *, promotion: AutonomyPromotion, actor: AbstractBaseUser, member: AbstractBaseUser | None
) -> AutonomyPromotion:
    """Name (or, with `member` None, clear) the acting chair who decides a pending promotion.

    Guarantees: the chair or a governance admin names; the member holds an active council
    seat, is not recused from the initiative (its owners, sponsor, value or safety owner) and
    is not the chair; the promotion is pending (its row is locked, so a decision taken
    meanwhile makes this a ConflictError). One audit event with before and after; naming the
    one already named changes nothing and records nothing.
    """
    require(can_name_acting_chair(actor), ACTING_CHAIR_DENIED_MESSAGE)
    locked = _lock(promotion)
    if locked.status != AutonomyPromotionStatus.PENDING:
        raise ConflictError(_closed_message(locked))
    if member is not None and (problem := acting_chair_problem(member, locked.initiative)):
        raise ValidationError({"member": problem})
    record_acting_chair(
        locked, actor=actor, member=member, action="autonomy_promotion.acting_chair_named"
    )
    return locked


@transaction.atomic
def autonomy_promotion_withdraw(
    *, promotion: AutonomyPromotion, actor: AbstractBaseUser, reason: str
) -> AutonomyPromotion:
    """Withdraw a pending promotion (the requester, the initiative's owners or an admin).

    A decided or withdrawn promotion is a ConflictError. One audit event.
    """
    reason = required_text(reason, "reason", "Say why the promotion is withdrawn.")
    locked = _lock(promotion)
    require(
        can_withdraw_autonomy_promotion(actor, locked.initiative, locked.requested_by_id),
        PROMOTION_WITHDRAW_DENIED_MESSAGE,
    )
    if locked.status != AutonomyPromotionStatus.PENDING:
        raise ConflictError(_closed_message(locked))
    locked.status = AutonomyPromotionStatus.WITHDRAWN
    locked.save(update_fields=["status"])
    record_audit_event(
        actor=actor,
        action="autonomy_promotion.withdrawn",
        target=locked,
        initiative_id=locked.initiative_id,
        changes={"status": [AutonomyPromotionStatus.PENDING, AutonomyPromotionStatus.WITHDRAWN]},
        reason=reason,
    )
    return locked
