"""Every change to the risk register, incidents, leadership decisions and action items.

One function per change: keyword-only, one transaction, one audit event with before and after.
Each checks permission itself (views and the API check first only to answer 403 early), names
the field in every validation error, locks the row where two people can act on it at once, and
refuses a stale `expected_version` with a ConflictError that carries the current values.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from core.audit import changes_between, record_audit_event, snapshot
from core.errors import ConflictError
from core.roles import has_any_role
from governance.models import (
    ActionItem,
    ActionItemStatus,
    GateRequest,
    Incident,
    IncidentStatus,
    LeadershipDecision,
    LeadershipDecisionStatus,
    Risk,
    RiskCategory,
    RiskStatus,
)
from governance.permissions import can_manage_register
from governance.register_permissions import (
    COMPLETE_DENIED_MESSAGE,
    OUTCOME_DENIED_MESSAGE,
    PORTFOLIO_DECISION_DENIED_MESSAGE,
    REGISTER_DENIED_MESSAGE,
    can_complete_action_item,
    can_manage_leadership_decision,
    can_record_decision_outcome,
)
from governance.rules import risk_escalated, risk_severity
from portfolio.models import Initiative

Errors = dict[str, str]

DEFAULT_ESCALATION_THRESHOLD = 15
SCORE_RANGE = range(1, 6)  # likelihood and impact
SEVERITY_RANGE = range(1, 26)

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
INCIDENT_EDITABLE_FIELDS: tuple[str, ...] = (
    "summary",
    "occurred_at",
    "owner",
    "response",
    "impact",
    "corrective_action",
)
_INCIDENT_AUDITED = (*INCIDENT_EDITABLE_FIELDS, "status", "resolved_at")
LEADERSHIP_DECISION_EDITABLE_FIELDS: tuple[str, ...] = (
    "question",
    "options",
    "implications",
    "owner",
    "due_date",
)
_DECISION_AUDITED = (*LEADERSHIP_DECISION_EDITABLE_FIELDS, "outcome", "status")
ACTION_ITEM_FIELDS: tuple[str, ...] = ("title", "owner", "due_date")
_ACTION_AUDITED = (*ACTION_ITEM_FIELDS, "status", "completed_at")


# ---------------------------------------------------------------------------------------------
# Validation shared by the four kinds of record
# ---------------------------------------------------------------------------------------------


def _reject_unknown(data: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "This field cannot be set here."))


def _check_owner(errors: Errors, owner: Any, *, name: str = "owner") -> None:
    """An owner is a person who can log in and see the register, or nobody is accountable."""
    if owner is None or owner == "":
        errors[name] = "Name an owner: every record needs one accountable person."
    elif not isinstance(owner, AbstractBaseUser):
        errors[name] = "The owner must be a Gatehouse user."
    elif not owner.is_active or not has_any_role(owner):
        errors[name] = (
            f"{owner.get_full_name() or owner.get_username()} has no active Gatehouse role, so "
            "they could not see what they own; choose someone who does."
        )


def _check_text(errors: Errors, data: Mapping[str, Any], name: str, label: str, limit: int) -> None:
    value = data.get(name)
    if value is None or not str(value).strip():
        errors[name] = f"{label} is required."
    elif len(str(value)) > limit:
        errors[name] = f"{label} is too long: at most {limit} characters, got {len(str(value))}."


def _check_optional_text(errors: Errors, data: Mapping[str, Any], name: str, limit: int) -> None:
    value = data.get(name)
    if value is not None and len(str(value)) > limit:
        errors[name] = f"At most {limit} characters, got {len(str(value))}."


def _check_score(errors: Errors, data: Mapping[str, Any], name: str, meaning: str) -> None:
    value = data.get(name)
    if value is None or value == "":
        errors[name] = f"Choose a {name} from 1 to 5 ({meaning})."
        return
    if isinstance(value, bool) or not isinstance(value, int) or value not in SCORE_RANGE:
        errors[name] = (
            f"{name.capitalize()} must be a whole number from 1 to 5 ({meaning}); got {value!r}."
        )


def _check_date(errors: Errors, data: Mapping[str, Any], name: str, label: str) -> None:
    value = data.get(name)
    if value is None or value == "":
        errors[name] = f"{label} is required."
    elif not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
        errors[name] = f"{label} must be a date."


def _raise(errors: Errors) -> None:
    if errors:
        raise ValidationError(errors)


def _conflict(kind: str, current: dict[str, Any]) -> ConflictError:
    return ConflictError(
        f"Someone else saved this {kind} while you were editing it. Their values are shown "
        "below; your changes were not saved.",
        current=current,
    )


def _check_version(kind: str, locked: Any, expected_version: int | None, fields: tuple) -> None:
    if expected_version is not None and locked.version != expected_version:
        raise _conflict(kind, snapshot(locked, fields))


# ---------------------------------------------------------------------------------------------
# Risks
# ---------------------------------------------------------------------------------------------


def _validate_risk(values: Mapping[str, Any], *, previous_status: str | None) -> None:
    """`previous_status` is None for a new risk; a risk becomes closed only via risk_close."""
    errors: Errors = {}
    if values.get("category") not in RiskCategory.values:
        labels = ", ".join(label.lower() for label in RiskCategory.labels)
        errors["category"] = f"Choose a category: {labels}."
    _check_text(errors, values, "description", "A description of the risk", 2000)
    _check_score(errors, values, "likelihood", "1 rare … 5 almost certain")
    _check_score(errors, values, "impact", "1 negligible … 5 severe")
    _check_owner(errors, values.get("owner"))
    _check_optional_text(errors, values, "mitigation", 2000)
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
    _raise(errors)


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
    if not can_manage_register(actor, initiative):
        raise PermissionDenied(REGISTER_DENIED_MESSAGE)
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
    risk.full_clean()
    risk.save()
    record_audit_event(
        actor=actor,
        action="risk.created",
        target=risk,
        initiative_id=initiative.pk,
        changes={name: [None, value] for name, value in snapshot(risk, _RISK_AUDITED).items()},
    )
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
    _reject_unknown(data, RISK_EDITABLE_FIELDS)
    locked = (
        Risk.objects.select_for_update(of=("self",)).select_related("initiative").get(pk=risk.pk)
    )
    if not can_manage_register(actor, locked.initiative):
        raise PermissionDenied(REGISTER_DENIED_MESSAGE)
    _check_version("risk", locked, expected_version, _RISK_AUDITED)
    before = snapshot(locked, _RISK_AUDITED)
    values = {name: getattr(locked, name) for name in RISK_EDITABLE_FIELDS}
    values.update(data)
    for name in ("description", "mitigation"):
        values[name] = (values[name] or "").strip()
    _validate_risk(values, previous_status=locked.status)
    for name in RISK_EDITABLE_FIELDS:
        setattr(locked, name, values[name])
    _apply_severity(locked)
    changes = changes_between(before, snapshot(locked, _RISK_AUDITED))
    if not changes:
        return locked
    locked.version += 1
    locked.full_clean()
    locked.save()
    action = (
        "risk.reopened"
        if before["status"] == RiskStatus.CLOSED and locked.status != RiskStatus.CLOSED
        else "risk.updated"
    )
    record_audit_event(
        actor=actor,
        action=action,
        target=locked,
        initiative_id=locked.initiative_id,
        changes=changes,
    )
    return locked


@transaction.atomic
def risk_close(
    *, risk: Risk, actor: AbstractBaseUser, reason: str, expected_version: int | None = None
) -> Risk:
    """Close a risk with the reason (kept in the audit trail); it stops counting as escalated.

    Closing one that someone else already closed is a ConflictError, not a second event.
    """
    reason = (reason or "").strip()
    locked = (
        Risk.objects.select_for_update(of=("self",)).select_related("initiative").get(pk=risk.pk)
    )
    if not can_manage_register(actor, locked.initiative):
        raise PermissionDenied(REGISTER_DENIED_MESSAGE)
    if locked.status == RiskStatus.CLOSED:
        raise ConflictError("This risk is already closed.", current=snapshot(locked, _RISK_AUDITED))
    _check_version("risk", locked, expected_version, _RISK_AUDITED)
    if not reason:
        raise ValidationError(
            {"reason": "Say why the risk is closed (mitigated, accepted, no longer relevant)."}
        )
    before = snapshot(locked, _RISK_AUDITED)
    locked.status = RiskStatus.CLOSED
    _apply_severity(locked)
    locked.version += 1
    locked.save()
    record_audit_event(
        actor=actor,
        action="risk.closed",
        target=locked,
        initiative_id=locked.initiative_id,
        changes=changes_between(before, snapshot(locked, _RISK_AUDITED)),
        reason=reason,
    )
    return locked


# ---------------------------------------------------------------------------------------------
# Incidents
# ---------------------------------------------------------------------------------------------


def _validate_incident(values: Mapping[str, Any]) -> None:
    errors: Errors = {}
    _check_text(errors, values, "summary", "A summary", 300)
    _check_owner(errors, values.get("owner"))
    occurred_at = values.get("occurred_at")
    if occurred_at is None or occurred_at == "":
        errors["occurred_at"] = "Say when the incident happened."
    elif not isinstance(occurred_at, datetime.datetime):
        errors["occurred_at"] = "When it happened must be a date and time."
    elif occurred_at > timezone.now() + datetime.timedelta(minutes=5):
        # A few minutes of grace for clocks that disagree; an incident cannot be in the future.
        errors["occurred_at"] = "An incident cannot have happened in the future."
    for name in ("response", "impact", "corrective_action"):
        _check_optional_text(errors, values, name, 5000)
    _raise(errors)


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
    if not can_manage_register(actor, initiative):
        raise PermissionDenied(REGISTER_DENIED_MESSAGE)
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
    incident.full_clean()
    incident.save()
    record_audit_event(
        actor=actor,
        action="incident.created",
        target=incident,
        initiative_id=initiative.pk,
        changes={
            name: [None, value] for name, value in snapshot(incident, _INCIDENT_AUDITED).items()
        },
    )
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
    _reject_unknown(data, INCIDENT_EDITABLE_FIELDS)
    locked = (
        Incident.objects.select_for_update(of=("self",))
        .select_related("initiative")
        .get(pk=incident.pk)
    )
    if not can_manage_register(actor, locked.initiative):
        raise PermissionDenied(REGISTER_DENIED_MESSAGE)
    _check_version("incident", locked, expected_version, _INCIDENT_AUDITED)
    before = snapshot(locked, _INCIDENT_AUDITED)
    values = {name: getattr(locked, name) for name in INCIDENT_EDITABLE_FIELDS}
    values.update(data)
    for name in ("summary", "response", "impact", "corrective_action"):
        values[name] = (values[name] or "").strip()
    _validate_incident(values)
    if locked.status == IncidentStatus.RESOLVED and not values["corrective_action"]:
        raise ValidationError(
            {"corrective_action": "A resolved incident keeps its corrective action."}
        )
    for name in INCIDENT_EDITABLE_FIELDS:
        setattr(locked, name, values[name])
    changes = changes_between(before, snapshot(locked, _INCIDENT_AUDITED))
    if not changes:
        return locked
    locked.version += 1
    locked.full_clean()
    locked.save()
    record_audit_event(
        actor=actor,
        action="incident.updated",
        target=locked,
        initiative_id=locked.initiative_id,
        changes=changes,
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
    locked = (
        Incident.objects.select_for_update(of=("self",))
        .select_related("initiative")
        .get(pk=incident.pk)
    )
    if not can_manage_register(actor, locked.initiative):
        raise PermissionDenied(REGISTER_DENIED_MESSAGE)
    if locked.status == IncidentStatus.RESOLVED:
        raise ConflictError(
            "This incident is already resolved.", current=snapshot(locked, _INCIDENT_AUDITED)
        )
    _check_version("incident", locked, expected_version, _INCIDENT_AUDITED)
    corrective_action = (corrective_action or "").strip() or locked.corrective_action.strip()
    errors: Errors = {}
    if not corrective_action:
        errors["corrective_action"] = (
            "Describe the corrective action before resolving: what was changed so it does not "
            "happen again."
        )
    _check_optional_text(
        errors, {"corrective_action": corrective_action}, "corrective_action", 5000
    )
    _raise(errors)
    before = snapshot(locked, _INCIDENT_AUDITED)
    locked.corrective_action = corrective_action
    locked.status = IncidentStatus.RESOLVED
    locked.resolved_at = timezone.now()
    locked.version += 1
    locked.save()
    record_audit_event(
        actor=actor,
        action="incident.resolved",
        target=locked,
        initiative_id=locked.initiative_id,
        changes=changes_between(before, snapshot(locked, _INCIDENT_AUDITED)),
        reason=(reason or "").strip(),
    )
    return locked


# ---------------------------------------------------------------------------------------------
# Decisions required from leadership
# ---------------------------------------------------------------------------------------------


def _validate_decision(values: Mapping[str, Any]) -> None:
    errors: Errors = {}
    _check_text(errors, values, "question", "The question for leadership", 300)
    _check_text(errors, values, "options", "The options", 5000)
    _check_optional_text(errors, values, "implications", 5000)
    _check_owner(errors, values.get("owner"))
    _check_date(errors, values, "due_date", "A due date")
    _raise(errors)


@transaction.atomic
def leadership_decision_create(
    *,
    actor: AbstractBaseUser,
    question: str,
    options: str,
    owner: AbstractBaseUser | None,
    due_date: datetime.date,
    implications: str = "",
    initiative: Initiative | None = None,
) -> LeadershipDecision:
    """Frame a decision required from leadership, with options and implications.

    `initiative` is None for a decision about the whole portfolio (only the council and admins
    raise those). A due date in the past is allowed: the decision is then shown as overdue.
    """
    if not can_manage_leadership_decision(actor, initiative):
        raise PermissionDenied(
            REGISTER_DENIED_MESSAGE if initiative is not None else PORTFOLIO_DECISION_DENIED_MESSAGE
        )
    values = {
        "question": (question or "").strip(),
        "options": (options or "").strip(),
        "implications": (implications or "").strip(),
        "owner": owner,
        "due_date": due_date,
    }
    _validate_decision(values)
    decision = LeadershipDecision(
        initiative=initiative, status=LeadershipDecisionStatus.OPEN, **values
    )
    decision.full_clean()
    decision.save()
    record_audit_event(
        actor=actor,
        action="leadership_decision.created",
        target=decision,
        initiative_id=decision.initiative_id,
        changes={
            name: [None, value] for name, value in snapshot(decision, _DECISION_AUDITED).items()
        },
    )
    return decision


@transaction.atomic
def leadership_decision_update(
    *,
    decision: LeadershipDecision,
    actor: AbstractBaseUser,
    data: Mapping[str, Any],
    expected_version: int | None,
) -> LeadershipDecision:
    """Reframe an open decision. Once decided, the question stays as it was put to leadership."""
    _reject_unknown(data, LEADERSHIP_DECISION_EDITABLE_FIELDS)
    locked = (
        LeadershipDecision.objects.select_for_update(of=("self",))
        .select_related("initiative")
        .get(pk=decision.pk)
    )
    if not can_manage_leadership_decision(actor, locked.initiative):
        raise PermissionDenied(
            REGISTER_DENIED_MESSAGE if locked.initiative_id else PORTFOLIO_DECISION_DENIED_MESSAGE
        )
    _check_version("decision", locked, expected_version, _DECISION_AUDITED)
    if locked.status == LeadershipDecisionStatus.DECIDED:
        raise ValidationError(
            {
                "status": (
                    "Leadership has decided this question; it stays as it was put to them. "
                    "Raise a new decision if the question has changed."
                )
            }
        )
    before = snapshot(locked, _DECISION_AUDITED)
    values = {name: getattr(locked, name) for name in LEADERSHIP_DECISION_EDITABLE_FIELDS}
    values.update(data)
    for name in ("question", "options", "implications"):
        values[name] = (values[name] or "").strip()
    _validate_decision(values)
    for name in LEADERSHIP_DECISION_EDITABLE_FIELDS:
        setattr(locked, name, values[name])
    changes = changes_between(before, snapshot(locked, _DECISION_AUDITED))
    if not changes:
        return locked
    locked.version += 1
    locked.full_clean()
    locked.save()
    record_audit_event(
        actor=actor,
        action="leadership_decision.updated",
        target=locked,
        initiative_id=locked.initiative_id,
        changes=changes,
    )
    return locked


@transaction.atomic
def leadership_decision_record_outcome(
    *,
    decision: LeadershipDecision,
    actor: AbstractBaseUser,
    outcome: str,
    expected_version: int | None = None,
) -> LeadershipDecision:
    """Record what leadership decided; the decision is then closed and its outcome final.

    Two people recording at once: the row lock lets one win; the other gets a ConflictError
    with the outcome that was recorded.
    """
    locked = (
        LeadershipDecision.objects.select_for_update(of=("self",))
        .select_related("initiative")
        .get(pk=decision.pk)
    )
    if not can_record_decision_outcome(actor, locked):
        raise PermissionDenied(OUTCOME_DENIED_MESSAGE)
    if locked.status == LeadershipDecisionStatus.DECIDED:
        raise ConflictError(
            "An outcome has already been recorded for this decision.",
            current=snapshot(locked, _DECISION_AUDITED),
        )
    _check_version("decision", locked, expected_version, _DECISION_AUDITED)
    errors: Errors = {}
    _check_text(errors, {"outcome": (outcome or "").strip()}, "outcome", "The outcome", 5000)
    _raise(errors)
    before = snapshot(locked, _DECISION_AUDITED)
    locked.outcome = outcome.strip()
    locked.status = LeadershipDecisionStatus.DECIDED
    locked.version += 1
    locked.save()
    record_audit_event(
        actor=actor,
        action="leadership_decision.outcome_recorded",
        target=locked,
        initiative_id=locked.initiative_id,
        changes=changes_between(before, snapshot(locked, _DECISION_AUDITED)),
    )
    return locked


# ---------------------------------------------------------------------------------------------
# Action items
# ---------------------------------------------------------------------------------------------


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
    if not can_manage_register(actor, initiative):
        raise PermissionDenied(REGISTER_DENIED_MESSAGE)
    values = {"title": (title or "").strip(), "owner": owner, "due_date": due_date}
    errors: Errors = {}
    _check_text(errors, values, "title", "A title", 300)
    _check_owner(errors, owner)
    _check_date(errors, values, "due_date", "A due date")
    _raise(errors)
    item = ActionItem(
        initiative=initiative,
        gate_request=gate_request,
        created_by=actor,
        status=ActionItemStatus.OPEN,
        **values,
    )
    item.full_clean()
    item.save()
    changes = {name: [None, value] for name, value in snapshot(item, _ACTION_AUDITED).items()}
    if gate_request is not None:
        changes["gate_request"] = [None, gate_request.pk]
    record_audit_event(
        actor=actor,
        action="action_item.created",
        target=item,
        initiative_id=initiative.pk,
        changes=changes,
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
    locked = (
        ActionItem.objects.select_for_update(of=("self",))
        .select_related("initiative")
        .get(pk=item.pk)
    )
    if not can_complete_action_item(actor, locked):
        raise PermissionDenied(COMPLETE_DENIED_MESSAGE)
    if locked.status == ActionItemStatus.DONE:
        raise ConflictError(
            "This action item is already done.", current=snapshot(locked, _ACTION_AUDITED)
        )
    note = (note or "").strip()
    if len(note) > 2000:
        raise ValidationError({"note": f"At most 2000 characters, got {len(note)}."})
    before = snapshot(locked, _ACTION_AUDITED)
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
