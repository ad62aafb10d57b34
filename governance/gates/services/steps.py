"""The steps the gate services share: required text, locking a request, saying why it is
closed, recording an acting chair, and turning the council's conditions into action items."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.audit import record_audit_event
from core.concurrency import lock_for_update
from core.people import display_name
from governance.models import ActionItem, AutonomyPromotion, GateRequest, GateRequestStatus
from portfolio.models import Initiative

TEXT_MAX_LENGTH = 4000
# A condition the council attaches (to a vote, or to an accepted review of an area at 1) gets
# this long to be met unless the chair sets a date.
DEFAULT_CONDITION_DUE_DAYS = 30
ACTION_TITLE_MAX_LENGTH = ActionItem._meta.get_field("title").max_length


def required_text(value: str | None, field: str, message: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError({field: message})
    if len(text) > TEXT_MAX_LENGTH:
        raise ValidationError({field: f"Keep it under {TEXT_MAX_LENGTH} characters."})
    return text


def request_audit_target(request: GateRequest | AutonomyPromotion) -> dict[str, Any]:
    return {"target": request, "initiative_id": request.initiative_id}


def record_acting_chair(
    locked: GateRequest | AutonomyPromotion,
    *,
    actor: AbstractBaseUser,
    member: AbstractBaseUser | None,
    action: str,
    reason: str = "",
) -> None:
    """Name `member` (None: nobody) acting chair of a locked, pending request or promotion the
    caller has checked: one audit event with before and after; naming the one already named
    records nothing."""
    before = locked.acting_chair_id
    after = member.pk if member is not None else None
    if before == after:
        return
    locked.acting_chair = member
    locked.save(update_fields=["acting_chair"])
    record_audit_event(
        actor=actor,
        action=action,
        **request_audit_target(locked),
        changes={"acting_chair": [before, after]},
        reason=reason,
    )


def lock_request(request: GateRequest) -> GateRequest:
    """The request row, locked for the rest of the transaction (only that row)."""
    return lock_for_update(
        GateRequest.objects.select_related("policy_version__policy", "initiative"), request.pk
    )


def closed_message(request: GateRequest) -> str:
    if request.status == GateRequestStatus.DECIDED:
        who = display_name(request.decided_by)
        return (
            f"This gate request was already decided ({request.get_decision_display()}) by {who} "
            f"on {timezone.localtime(request.decided_at):%d %b %Y %H:%M}; reload to see it."
        )
    return "This gate request was withdrawn; reload to see it."


def condition_owner(initiative: Initiative, actor: AbstractBaseUser) -> AbstractBaseUser:
    """Who owns a condition of the council: the delivery owner, else the business owner, else
    whoever recorded it."""
    return initiative.delivery_owner or initiative.business_owner or actor


def action_item_create(
    *,
    initiative: Initiative,
    title: str,
    owner: AbstractBaseUser,
    due: datetime.date,
    actor: AbstractBaseUser,
    reason: str,
    gate_request: GateRequest | None = None,
) -> ActionItem:
    """One action item from the council's work, with its audit event (inside the caller's
    transaction)."""
    item = ActionItem.objects.create(
        initiative=initiative,
        gate_request=gate_request,
        title=title[:ACTION_TITLE_MAX_LENGTH],
        owner=owner,
        due_date=due,
        created_by=actor,
    )
    changes: dict[str, list[Any]] = {
        "title": [None, item.title],
        "owner": [None, str(owner)],
        "due_date": [None, due.isoformat()],
    }
    if gate_request is not None:
        changes["gate_request"] = [None, gate_request.pk]
    record_audit_event(
        actor=actor,
        action="action_item.created",
        target=item,
        initiative_id=initiative.pk,
        changes=changes,
        reason=reason,
    )
    return item
