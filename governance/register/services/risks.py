"""Risks: add, edit (which may reopen), close with a reason."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from core.audit import snapshot
from core.concurrency import check_version, lock_for_update
from core.permissions import require
from governance.models import Risk, RiskCategory, RiskStatus
from governance.register.permissions import REGISTER_DENIED_MESSAGE, can_manage_register
from governance.register.rules import risk_escalated, risk_severity
from governance.register.services.records import (
    merged_values,
    refuse_repeat,
    save_edit,
    save_new,
    save_transition,
)
from governance.register.services.validation import (
    SEVERITY_RANGE,
    Errors,
    check_optional_text,
    check_owner,
    check_score,
    check_text,
    raise_errors,
    reject_unknown,
)
from portfolio.models import Initiative
from portfolio.vocabulary import HIGH_RISK_SEVERITY

DEFAULT_ESCALATION_THRESHOLD = HIGH_RISK_SEVERITY

RISK_EDITABLE_FIELDS: tuple[str, ...] = (
    "category",
    "description",
    "likelihood",
    "impact",
    "owner",
    "mitigation",
    "status",
    "escalation_threshold",
)
_RISK_AUDITED = (*RISK_EDITABLE_FIELDS, "severity", "escalated")


def _validate_risk(values: Mapping[str, Any], *, previous_status: str | None) -> None:
    """`previous_status` is None for a new risk; a risk becomes closed only via risk_close."""
    errors: Errors = {}
    if values.get("category") not in RiskCategory.values:
        labels = ", ".join(label.lower() for label in RiskCategory.labels)
        errors["category"] = f"Choose a category: {labels}."
    check_text(errors, values, "description", "A description of the risk", 2000)
    check_score(errors, values, "likelihood", "1 rare … 5 almost certain")
    check_score(errors, values, "impact", "1 negligible … 5 severe")
    check_owner(errors, values.get("owner"))
    check_optional_text(errors, values, "mitigation", 2000)
    status = values.get("status")
    if status == RiskStatus.CLOSED and previous_status != RiskStatus.CLOSED:
        errors["status"] = "Close a risk with “Close risk”, which asks for the reason."
    elif status not in RiskStatus.values:
        errors["status"] = "Choose open or mitigation in progress."
    threshold = values.get("escalation_threshold")
    if (
        isinstance(threshold, bool)
        or not isinstance(threshold, int)
        or threshold not in SEVERITY_RANGE
    ):
        errors["escalation_threshold"] = (
            "The escalation threshold is a severity from 1 to 25 (likelihood × impact); "
            f"got {threshold!r}."
        )
    raise_errors(errors)


def _apply_severity(risk: Risk) -> None:
    """Severity and escalation are computed, never typed: a closed risk no longer escalates."""
    risk.severity = risk_severity(risk.likelihood, risk.impact)
    risk.escalated = risk.status != RiskStatus.CLOSED and risk_escalated(
        risk.severity, risk.escalation_threshold
    )


@transaction.atomic
def risk_create(
    *,
    initiative: Initiative,
    actor: AbstractBaseUser,
    category: str,
    description: str,
    likelihood: int,
    impact: int,
    owner: AbstractBaseUser | None,
    mitigation: str = "",
    status: str = RiskStatus.OPEN,
    escalation_threshold: int = DEFAULT_ESCALATION_THRESHOLD,
) -> Risk:
    """Add a risk to the initiative's register; severity and escalation are computed.

    Refuses (naming the field) a likelihood or impact outside 1–5, a missing owner or
    description, a threshold outside 1–25, and a new risk that is already closed.
    """
    require(can_manage_register(actor, initiative), REGISTER_DENIED_MESSAGE)
    values = {
        "category": category,
        "description": (description or "").strip(),
        "likelihood": likelihood,
        "impact": impact,
        "owner": owner,
        "mitigation": (mitigation or "").strip(),
        "status": status,
        "escalation_threshold": escalation_threshold,
    }
    _validate_risk(values, previous_status=None)
    risk = Risk(initiative=initiative, **values)
    _apply_severity(risk)
    save_new(risk, actor=actor, action="risk.created", audited=_RISK_AUDITED)
    return risk


@transaction.atomic
def risk_update(
    *,
    risk: Risk,
    actor: AbstractBaseUser,
    data: Mapping[str, Any],
    expected_version: int | None,
) -> Risk:
    """Apply `data` (any of RISK_EDITABLE_FIELDS) unless someone saved since `expected_version`.

    The row is locked for the check-and-write, so of two edits of the same version exactly one
    wins. Setting a closed risk back to open or mitigating reopens it; closing goes through
    `risk_close`, which records why.
    """
    reject_unknown(data, RISK_EDITABLE_FIELDS)
    locked = lock_for_update(Risk.objects.select_related("initiative"), risk.pk)
    require(can_manage_register(actor, locked.initiative), REGISTER_DENIED_MESSAGE)
    check_version(
        locked,
        expected_version,
        kind="risk",
        current=lambda: snapshot(locked, _RISK_AUDITED),
    )
    before = snapshot(locked, _RISK_AUDITED)
    values = merged_values(locked, data, RISK_EDITABLE_FIELDS, ("description", "mitigation"))
    _validate_risk(values, previous_status=locked.status)
    for name in RISK_EDITABLE_FIELDS:
        setattr(locked, name, values[name])
    _apply_severity(locked)
    action = (
        "risk.reopened"
        if before["status"] == RiskStatus.CLOSED and locked.status != RiskStatus.CLOSED
        else "risk.updated"
    )
    save_edit(locked, actor=actor, action=action, before=before, audited=_RISK_AUDITED)
    return locked


@transaction.atomic
def risk_close(
    *, risk: Risk, actor: AbstractBaseUser, reason: str, expected_version: int | None = None
) -> Risk:
    """Close a risk with the reason (kept in the audit trail); it stops counting as escalated.

    Closing one that someone else already closed is a ConflictError, not a second event.
    """
    reason = (reason or "").strip()
    locked = lock_for_update(Risk.objects.select_related("initiative"), risk.pk)
    require(can_manage_register(actor, locked.initiative), REGISTER_DENIED_MESSAGE)
    refuse_repeat(locked, RiskStatus.CLOSED, "This risk is already closed.", _RISK_AUDITED)
    check_version(
        locked,
        expected_version,
        kind="risk",
        current=lambda: snapshot(locked, _RISK_AUDITED),
    )
    if not reason:
        raise ValidationError(
            {"reason": "Say why the risk is closed (mitigated, accepted, no longer relevant)."}
        )
    before = snapshot(locked, _RISK_AUDITED)
    locked.status = RiskStatus.CLOSED
    _apply_severity(locked)
    save_transition(
        locked,
        actor=actor,
        action="risk.closed",
        before=before,
        audited=_RISK_AUDITED,
        reason=reason,
    )
    return locked
