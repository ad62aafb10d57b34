"""Item reviews (an area scored 1) and re-reviews (a material change after approval)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from core.audit import record_audit_event
from core.errors import ConflictError
from core.permissions import require
from governance.council.permissions import recusal_reason
from governance.gates.drift_rules import MaterialChange
from governance.gates.permissions import (
    ITEM_REVIEW_DENIED_MESSAGE,
    REREVIEW_DENIED_MESSAGE,
    can_confirm_rereview,
    can_review_items,
)
from governance.gates.selectors import has_go_decision
from governance.gates.services.steps import required_text
from governance.models import ItemReview, ReReview, ReReviewOutcome
from portfolio.models import Initiative
from portfolio.vocabulary import LOWEST_SCORE
from readiness.models import Assessment, AssessmentStatus


@transaction.atomic
def item_review_record(
    *, assessment: Assessment, item_id: str, actor: AbstractBaseUser, note: str
) -> ItemReview:
    """Record the council's explicit review of an area scored at the lowest level.

    Guarantees: council members only (not one recused from the initiative); the assessment is
    the current submitted one and `item_id` scored 1 in it; one review per area (a second is
    refused, naming the first); a note is required.
    """
    note = required_text(note, "note", "Write what the council concluded about this area.")
    require(can_review_items(actor), ITEM_REVIEW_DENIED_MESSAGE)
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


@transaction.atomic
def rereview_confirm(*, rereview: ReReview, actor: AbstractBaseUser, note: str) -> ReReview:
    """A council member confirms the approval still holds after the material change.

    Not by someone recused from the initiative; an already resolved re-review is a conflict.
    """
    note = required_text(note, "note", "Say why the approval still holds.")
    require(can_confirm_rereview(actor), REREVIEW_DENIED_MESSAGE)
    locked = (
        ReReview.objects.select_for_update(of=("self",))
        .select_related("initiative")
        .get(pk=rereview.pk)
    )
    if reason := recusal_reason(actor, locked.initiative):
        raise PermissionDenied(reason)
    if locked.resolved_at is not None:
        raise ConflictError("This re-review was already resolved; reload to see it.")
    return resolve_rereview(
        rereview=locked,
        actor=actor,
        outcome=ReReviewOutcome.CONFIRMED,
        resolution=f"Confirmed: {note}",
        now=timezone.now(),
    )
