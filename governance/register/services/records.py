"""The steps every register change shares after core.concurrency's lock and version check:
refuse a repeat, save, and write the one audit event with before and after."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Model

from core.audit import changes_between, record_audit_event, snapshot
from core.errors import ConflictError


def refuse_repeat(locked: Any, done_status: str, message: str, audited: tuple) -> None:
    """Closing (resolving, deciding, completing) twice is a ConflictError, not a second event."""
    if locked.status == done_status:
        raise ConflictError(message, current=snapshot(locked, audited))


def merged_values(
    locked: Model, data: Mapping[str, Any], editable: tuple[str, ...], stripped: Iterable[str]
) -> dict[str, Any]:
    """The record's editable values with `data` applied and the text fields trimmed."""
    values = {name: getattr(locked, name) for name in editable}
    values.update(data)
    for name in stripped:
        values[name] = (values[name] or "").strip()
    return values


def save_new(
    record: Any,
    *,
    actor: AbstractBaseUser,
    action: str,
    audited: tuple[str, ...],
    extra_changes: Mapping[str, list[Any]] | None = None,
) -> None:
    record.full_clean()
    record.save()
    changes = {name: [None, value] for name, value in snapshot(record, audited).items()}
    record_audit_event(
        actor=actor,
        action=action,
        target=record,
        initiative_id=record.initiative_id,
        changes={**changes, **(extra_changes or {})},
    )


def save_edit(
    locked: Any,
    *,
    actor: AbstractBaseUser,
    action: str,
    before: dict[str, Any],
    audited: tuple[str, ...],
) -> None:
    """Save an edit under a new version; an edit that changes nothing writes nothing."""
    changes = changes_between(before, snapshot(locked, audited))
    if not changes:
        return
    locked.version += 1
    locked.full_clean()
    locked.save()
    record_audit_event(
        actor=actor,
        action=action,
        target=locked,
        initiative_id=locked.initiative_id,
        changes=changes,
    )


def save_transition(
    locked: Any,
    *,
    actor: AbstractBaseUser,
    action: str,
    before: dict[str, Any],
    audited: tuple[str, ...],
    reason: str = "",
) -> None:
    """Save a status change (close, resolve, record outcome) under a new version."""
    locked.version += 1
    locked.save()
    record_audit_event(
        actor=actor,
        action=action,
        target=locked,
        initiative_id=locked.initiative_id,
        changes=changes_between(before, snapshot(locked, audited)),
        reason=reason,
    )
