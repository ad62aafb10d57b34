"""Item reviews (an area scored 1) and re-reviews (a material change after approval): the
council records the one, and confirms or sends back the other."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from core.audit import record_audit_event
from core.concurrency import lock_for_update
from core.errors import ConflictError
from core.people import display_name
from core.permissions import require
from governance.council.permissions import recusal_reason
from governance.council.rules import parse_conditions
from governance.gates.drift_rules import MaterialChange
from governance.gates.permissions import (
    ITEM_REVIEW_DENIED_MESSAGE,
    REREVIEW_DENIED_MESSAGE,
    can_resolve_rereview,
    can_review_items,
)
from governance.gates.selectors import has_go_decision, last_go_decision
from governance.gates.services.steps import (
    DEFAULT_CONDITION_DUE_DAYS,
    TEXT_MAX_LENGTH,
    action_item_create,
    condition_owner,
    required_text,
)
from governance.models import (
    GateRequest,
    ItemReview,
    ItemReviewOutcome,
    ReReview,
    ReReviewOutcome,
)
from portfolio.models import STAGE_ORDER, Initiative
from portfolio.services import initiative_change_stage
from portfolio.vocabulary import LOWEST_SCORE, STAGE_LABELS
from readiness.models import Assessment, AssessmentStatus
from readiness.rules import AnswerType


@transaction.atomic
def item_review_record(
    *,
    assessment: Assessment,
    item_id: str,
    actor: AbstractBaseUser,
    outcome: str,
    note: str,
    conditions: str = "",
) -> ItemReview:
    """Record the explicit review of an area scored at the lowest level (DOMAIN.md: "any
    category scored 1 requires explicit review before more investment is approved").

    Guarantees:
    - council members and governance admins only, and not one who owns or sponsors the
      initiative (recused, PermissionDenied saying so);
    - the assessment is an initiative's current submitted 1-5 scorecard and `item_id` scored 1
      in it; one review per area: a second is a ConflictError naming the first (409);
    - an outcome (ItemReviewOutcome) and a note are required; "accepted with conditions" needs
      at least one condition (one per line) and the other outcomes take none, as a vote does;
    - only an accepted review (with or without conditions) clears the gate's blocker; "not
      accepted" keeps it until the area is scored again in a new submission;
    - each condition becomes an action item (owner: the delivery owner, else the business
      owner, else the reviewer; due in DEFAULT_CONDITION_DUE_DAYS days), one audit event each,
      after the review's own `item_review.recorded` event.
    The assessment row is locked, so two reviewers at once record one review and a conflict.
    """
    require(can_review_items(actor), ITEM_REVIEW_DENIED_MESSAGE)
    locked = lock_for_update(
        Assessment.objects.select_related("initiative", "template_version"), assessment.pk
    )
    initiative = locked.initiative
    if initiative is not None and (reason := recusal_reason(actor, initiative)):
        raise PermissionDenied(reason)
    errors: dict[str, str] = {}
    if outcome not in ItemReviewOutcome.values:
        labels = "; ".join(label for _, label in ItemReviewOutcome.choices)
        errors["outcome"] = f"Choose the outcome of the review: {labels}."
    note = (note or "").strip()
    if not note:
        errors["note"] = "Write what the council concluded about this area."
    elif len(note) > TEXT_MAX_LENGTH:
        errors["note"] = f"Keep the note under {TEXT_MAX_LENGTH} characters."
    condition_lines = parse_conditions(conditions)
    if outcome == ItemReviewOutcome.ACCEPTED_WITH_CONDITIONS and not condition_lines:
        errors["conditions"] = "List at least one condition, one per line."
    elif condition_lines and outcome != ItemReviewOutcome.ACCEPTED_WITH_CONDITIONS:
        errors["conditions"] = (
            "Conditions go with “Accepted with conditions”; choose it or clear the conditions."
        )
    elif len(conditions or "") > TEXT_MAX_LENGTH:
        errors["conditions"] = f"Keep the conditions under {TEXT_MAX_LENGTH} characters."
    if errors:
        raise ValidationError(errors)
    if initiative is None:
        raise ValidationError(
            {"assessment": "Only an initiative's assessments are reviewed by the council."}
        )
    if locked.status != AssessmentStatus.SUBMITTED:
        raise ValidationError(
            {"assessment": "Only the current submitted assessment can be reviewed."}
        )
    if locked.template_version.parsed.answer_type is not AnswerType.SCORE_1_5:
        raise ValidationError(
            {"assessment": "Only a scored (1-5) assessment has areas at 1 to review."}
        )
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
    earlier = (
        ItemReview.objects.filter(assessment=locked, item_id=item_id)
        .select_related("reviewer")
        .first()
    )
    if earlier is not None:
        raise ConflictError(
            f"This area was already reviewed ({earlier.get_outcome_display()}) by "
            f"{display_name(earlier.reviewer)} on "
            f"{timezone.localtime(earlier.created_at):%d %b %Y}; reload to see it."
        )
    review = ItemReview.objects.create(
        assessment=locked,
        item_id=item_id,
        reviewer=actor,
        outcome=outcome,
        note=note,
        conditions="\n".join(condition_lines),
    )
    record_audit_event(
        actor=actor,
        action="item_review.recorded",
        target=review,
        initiative_id=initiative.pk,
        changes={
            "assessment": [None, locked.pk],
            "item_id": [None, item_id],
            "outcome": [None, outcome],
            **({"conditions": [None, list(condition_lines)]} if condition_lines else {}),
        },
        reason=note,
    )
    if condition_lines:
        owner = condition_owner(initiative, actor)
        due = timezone.localdate() + datetime.timedelta(days=DEFAULT_CONDITION_DUE_DAYS)
        title = locked.template_version.parsed.item(item_id).title
        for condition in condition_lines:
            action_item_create(
                initiative=initiative,
                title=condition,
                owner=owner,
                due=due,
                actor=actor,
                reason=(
                    f"A condition of the review of “{title}” (scored {LOWEST_SCORE}) on "
                    f"assessment #{locked.pk}."
                ),
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


def resolve_rereview(
    *,
    rereview: ReReview,
    actor: AbstractBaseUser,
    outcome: str,
    resolution: str,
    now: datetime.datetime,
) -> ReReview:
    rereview.resolved_at = now
    rereview.resolved_by = actor
    rereview.outcome = outcome
    rereview.resolution = resolution[:200]
    rereview.save(update_fields=["resolved_at", "resolved_by", "outcome", "resolution"])
    record_audit_event(
        actor=actor,
        action="rereview.resolved",
        target=rereview,
        initiative_id=rereview.initiative_id,
        changes={"resolved_at": [None, now.isoformat()], "outcome": [None, outcome]},
        reason=resolution,
    )
    return rereview


def _lock_open_rereview(rereview: ReReview, actor: AbstractBaseUser) -> ReReview:
    """The re-review and its initiative, locked in the order a gate decision locks them
    (initiative, then re-review), after checking who acts: the role, then recusal; an already
    resolved re-review is a ConflictError."""
    require(can_resolve_rereview(actor), REREVIEW_DENIED_MESSAGE)
    initiative = lock_for_update(Initiative, rereview.initiative_id)
    locked = lock_for_update(ReReview, rereview.pk)
    locked.initiative = initiative
    if reason := recusal_reason(actor, initiative):
        raise PermissionDenied(reason)
    if locked.resolved_at is not None:
        raise ConflictError(
            f"This re-review was already resolved ({locked.get_outcome_display() or 'closed'}); "
            "reload to see it."
        )
    return locked


@transaction.atomic
def rereview_confirm(*, rereview: ReReview, actor: AbstractBaseUser, note: str) -> ReReview:
    """A council member or governance admin confirms the approval still holds after the
    material change: the re-review is resolved as confirmed and gate-status approves again.

    Not by someone recused from the initiative; an already resolved re-review is a conflict.
    """
    locked = _lock_open_rereview(rereview, actor)
    note = required_text(note, "note", "Say why the approval still holds.")
    return resolve_rereview(
        rereview=locked,
        actor=actor,
        outcome=ReReviewOutcome.CONFIRMED,
        resolution=f"Confirmed: {note}",
        now=timezone.now(),
    )


def send_back_stage(initiative: Initiative, last_go: GateRequest | None) -> str | None:
    """The stage a sent-back initiative returns to: the one it was in before its last go
    decision (`last_go`, see selectors.last_go_decision), or None when it is already there or
    earlier (or never had a go)."""
    if last_go is None:
        return None
    if STAGE_ORDER.index(initiative.stage) <= STAGE_ORDER.index(last_go.from_stage):
        return None
    return last_go.from_stage


@transaction.atomic
def rereview_send_back(*, rereview: ReReview, actor: AbstractBaseUser, reason: str) -> ReReview:
    """The council finds the approval no longer holds after the material change.

    Guarantees:
    - council members and governance admins, not one recused from the initiative; a reason is
      required; an already resolved re-review is a ConflictError (409);
    - the initiative goes back to the stage it was in before its last go decision (that go's
      `from_stage`) through initiative_change_stage: a StageTransition and an audit event whose
      reason cites the re-review. If it is already in that stage or an earlier one, it stays;
    - the re-review is resolved with outcome `sent_back` (its own audit event), so gate-status
      no longer approves the stage the go had approved: the initiative has not reached it;
    - a pending gate request, if any, stays pending: hold, kill and iterate remain possible,
      and a go on it is refused as stale (the initiative left the request's stage), so the
      owners withdraw it and file again from where the initiative now is. Status (paused,
      stopped) is not touched.
    The initiative row, then the re-review row, are locked, as a gate decision locks them.
    """
    locked = _lock_open_rereview(rereview, actor)
    reason = required_text(
        reason, "reason", "Say why the approval no longer holds; the owners read it."
    )
    initiative = locked.initiative
    back_to = send_back_stage(initiative, last_go_decision(initiative.pk))
    if back_to is not None:
        initiative_change_stage(
            initiative=initiative,
            actor=actor,
            to_stage=back_to,
            reason=(
                f"Sent back on re-review #{locked.pk}: the approval no longer holds after a "
                f"material change. {reason}"
            ),
        )
        where = f"back to {STAGE_LABELS[back_to]}"
    else:
        where = f"stays in {STAGE_LABELS[initiative.stage]}"
    return resolve_rereview(
        rereview=locked,
        actor=actor,
        outcome=ReReviewOutcome.SENT_BACK,
        resolution=f"Sent back ({where}): {reason}",
        now=timezone.now(),
    )
