"""Action items: give someone a control action with a due date; they mark it done."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.audit import changes_between, record_audit_event, snapshot
from core.concurrency import lock_for_update
from core.permissions import require
from governance.models import ActionItem, ActionItemStatus, GateRequest, LeadershipDecision
from governance.register.permissions import (
    COMPLETE_DENIED_MESSAGE,
    REGISTER_DENIED_MESSAGE,
    can_complete_action_item,
    can_manage_register,
)
from governance.register.services.records import refuse_repeat, save_new
from governance.register.services.validation import (
    Errors,
    check_date,
    check_owner,
    check_text,
    raise_errors,
)
from portfolio.models import Initiative

ACTION_ITEM_FIELDS: tuple[str, ...] = ("title", "owner", "due_date")
_ACTION_AUDITED = (*ACTION_ITEM_FIELDS, "status", "completed_at")


@transaction.atomic
def action_item_create(
    *,
    initiative: Initiative,
    actor: AbstractBaseUser,
    title: str,
    owner: AbstractBaseUser | None,
    due_date: datetime.date,
    gate_request: GateRequest | None = None,
) -> ActionItem:
    """Give someone a control action with a due date.

    A due date in the past is allowed (recording an action that is already late is honest),
    and the item is then overdue from the start; `is_overdue` and the lists say so.
    """
    require(can_manage_register(actor, initiative), REGISTER_DENIED_MESSAGE)
    values = {"title": (title or "").strip(), "owner": owner, "due_date": due_date}
    errors: Errors = {}
    check_text(errors, values, "title", "A title", 300)
    check_owner(errors, owner)
    check_date(errors, values, "due_date", "A due date")
    raise_errors(errors)
    item = ActionItem(
        initiative=initiative,
        gate_request=gate_request,
        created_by=actor,
        status=ActionItemStatus.OPEN,
        **values,
    )
    linked = {"gate_request": [None, gate_request.pk]} if gate_request is not None else None
    save_new(
        item,
        actor=actor,
        action="action_item.created",
        audited=_ACTION_AUDITED,
        extra_changes=linked,
    )
    return item


@transaction.atomic
def action_item_complete(
    *, item: ActionItem, actor: AbstractBaseUser, note: str = ""
) -> ActionItem:
    """Mark an open action item done (by its owner or anyone who manages the register).

    Completing one that is already done is a ConflictError, so a double click or two people
    at once never write two events.
    """
    locked = lock_for_update(ActionItem.objects.select_related("initiative"), item.pk)
    require(can_complete_action_item(actor, locked), COMPLETE_DENIED_MESSAGE)
    refuse_repeat(
        locked, ActionItemStatus.DONE, "This action item is already done.", _ACTION_AUDITED
    )
    note = (note or "").strip()
    if len(note) > 2000:
        raise ValidationError({"note": f"At most 2000 characters, got {len(note)}."})
    before = snapshot(locked, _ACTION_AUDITED)
    # Action items have no version: only the status and completion time change here.
    locked.status = ActionItemStatus.DONE
    locked.completed_at = timezone.now()
    locked.save(update_fields=["status", "completed_at"])
    record_audit_event(
        actor=actor,
        action="action_item.completed",
        target=locked,
        initiative_id=locked.initiative_id,
        changes=changes_between(before, snapshot(locked, _ACTION_AUDITED)),
        reason=note,
    )
    return locked


def is_overdue(item: ActionItem | LeadershipDecision, today: datetime.date) -> bool:
    """Open and due before `today`: what the lists flag and the reminders chase."""
    return item.status == "open" and item.due_date < today
