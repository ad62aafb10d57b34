"""The one function that writes audit events.

Services call it inside their transaction, so an event exists exactly when the change it
describes was committed.
"""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import models

from core.models import AuditEvent


def audit_value(value: Any) -> Any:
    """A JSON-safe, human-readable form of a field value for the `changes` column."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, Iterable) and not isinstance(value, bytes | Mapping):
        return [audit_value(item) for item in value]
    return str(value)


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The audit form of `fields` of `instance`, for a before/after comparison."""
    return {name: audit_value(getattr(instance, name)) for name in fields}


def changes_between(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """{field: [before, after]} for every field whose value differs."""
    return {
        name: [before.get(name), after.get(name)]
        for name in after
        if before.get(name) != after.get(name)
    }


def record_audit_event(
    *,
    actor: AbstractBaseUser | None,
    action: str,
    target: models.Model,
    changes: Mapping[str, list[Any]] | None = None,
    reason: str = "",
    initiative_id: int | None = None,
) -> AuditEvent:
    """Append one audit event describing `action` on `target` by `actor`."""
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=target._meta.label_lower,
        object_id=str(target.pk),
        object_repr=str(target)[:300],
        initiative_id=initiative_id,
        changes=dict(changes or {}),
        reason=reason,
    )
