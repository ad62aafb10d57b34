"""Incidents and exceptions: record, edit, resolve with a corrective action."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.audit import snapshot
from core.concurrency import check_version, lock_for_update
from core.permissions import require
from governance.models import Incident, IncidentStatus
from governance.register.permissions import REGISTER_DENIED_MESSAGE, can_manage_register
from governance.register.services.records import (
    merged_values,
    refuse_repeat,
    save_edit,
    save_new,
    save_transition,
)
from governance.register.services.validation import (
    Errors,
    check_optional_text,
    check_owner,
    check_text,
    raise_errors,
    reject_unknown,
)
from portfolio.models import Initiative

INCIDENT_EDITABLE_FIELDS: tuple[str, ...] = (
    "summary",
    "occurred_at",
    "owner",
    "response",
    "impact",
    "corrective_action",
)
_INCIDENT_AUDITED = (*INCIDENT_EDITABLE_FIELDS, "status", "resolved_at")


def _validate_incident(values: Mapping[str, Any]) -> None:
    errors: Errors = {}
    check_text(errors, values, "summary", "A summary", 300)
    check_owner(errors, values.get("owner"))
    occurred_at = values.get("occurred_at")
    if occurred_at is None or occurred_at == "":
        errors["occurred_at"] = "Say when the incident happened."
    elif not isinstance(occurred_at, datetime.datetime):
        errors["occurred_at"] = "When it happened must be a date and time."
    elif occurred_at > timezone.now() + datetime.timedelta(minutes=5):
        # A few minutes of grace for clocks that disagree; an incident cannot be in the future.
        errors["occurred_at"] = "An incident cannot have happened in the future."
    for name in ("response", "impact", "corrective_action"):
        check_optional_text(errors, values, name, 5000)
    raise_errors(errors)


@transaction.atomic
def incident_create(
    *,
    initiative: Initiative,
    actor: AbstractBaseUser,
    summary: str,
    owner: AbstractBaseUser | None,
    occurred_at: datetime.datetime,
    response: str = "",
    impact: str = "",
    corrective_action: str = "",
) -> Incident:
    """Record an incident or exception on the initiative; it is open until resolved."""
    require(can_manage_register(actor, initiative), REGISTER_DENIED_MESSAGE)
    values = {
        "summary": (summary or "").strip(),
        "owner": owner,
        "occurred_at": occurred_at,
        "response": (response or "").strip(),
        "impact": (impact or "").strip(),
        "corrective_action": (corrective_action or "").strip(),
    }
    _validate_incident(values)
    incident = Incident(initiative=initiative, status=IncidentStatus.OPEN, **values)
    save_new(incident, actor=actor, action="incident.created", audited=_INCIDENT_AUDITED)
    return incident


@transaction.atomic
def incident_update(
    *,
    incident: Incident,
    actor: AbstractBaseUser,
    data: Mapping[str, Any],
    expected_version: int | None,
) -> Incident:
    """Apply `data` (any of INCIDENT_EDITABLE_FIELDS) unless someone saved since."""
    reject_unknown(data, INCIDENT_EDITABLE_FIELDS)
    locked = lock_for_update(Incident.objects.select_related("initiative"), incident.pk)
    require(can_manage_register(actor, locked.initiative), REGISTER_DENIED_MESSAGE)
    check_version(
        locked,
        expected_version,
        kind="incident",
        current=lambda: snapshot(locked, _INCIDENT_AUDITED),
    )
    before = snapshot(locked, _INCIDENT_AUDITED)
    values = merged_values(
        locked,
        data,
        INCIDENT_EDITABLE_FIELDS,
        ("summary", "response", "impact", "corrective_action"),
    )
    _validate_incident(values)
    if locked.status == IncidentStatus.RESOLVED and not values["corrective_action"]:
        raise ValidationError(
            {"corrective_action": "A resolved incident keeps its corrective action."}
        )
    for name in INCIDENT_EDITABLE_FIELDS:
        setattr(locked, name, values[name])
    save_edit(
        locked,
        actor=actor,
        action="incident.updated",
        before=before,
        audited=_INCIDENT_AUDITED,
    )
    return locked


@transaction.atomic
def incident_resolve(
    *,
    incident: Incident,
    actor: AbstractBaseUser,
    corrective_action: str = "",
    reason: str = "",
    expected_version: int | None = None,
) -> Incident:
    """Resolve an open incident. It needs a corrective action (DOMAIN.md: issue, response,
    impact, corrective action), given here or already on record; resolving twice conflicts."""
    locked = lock_for_update(Incident.objects.select_related("initiative"), incident.pk)
    require(can_manage_register(actor, locked.initiative), REGISTER_DENIED_MESSAGE)
    refuse_repeat(
        locked, IncidentStatus.RESOLVED, "This incident is already resolved.", _INCIDENT_AUDITED
    )
    check_version(
        locked,
        expected_version,
        kind="incident",
        current=lambda: snapshot(locked, _INCIDENT_AUDITED),
    )
    corrective_action = (corrective_action or "").strip() or locked.corrective_action.strip()
    errors: Errors = {}
    if not corrective_action:
        errors["corrective_action"] = (
            "Describe the corrective action before resolving: what was changed so it does not "
            "happen again."
        )
    check_optional_text(errors, {"corrective_action": corrective_action}, "corrective_action", 5000)
    raise_errors(errors)
    before = snapshot(locked, _INCIDENT_AUDITED)
    locked.corrective_action = corrective_action
    locked.status = IncidentStatus.RESOLVED
    locked.resolved_at = timezone.now()
    save_transition(
        locked,
        actor=actor,
        action="incident.resolved",
        before=before,
        audited=_INCIDENT_AUDITED,
        reason=(reason or "").strip(),
    )
    return locked
