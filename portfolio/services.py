"""Every state change of the portfolio: one function each, one transaction, one audit event."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core.audit import changes_between, record_audit_event, snapshot
from core.concurrency import check_version, field_values, lock_for_update
from core.errors import ConflictError
from core.permissions import require
from core.roles import Role, has_role
from portfolio.models import (
    PROBLEM_STATEMENT_FIELDS,
    AutonomyLevel,
    BusinessUnit,
    Initiative,
    ProblemStatement,
    ProblemStatementVersion,
    Stage,
    StageTransition,
    Vendor,
)
from portfolio.permissions import (
    BUSINESS_UNIT_CHANGE_DENIED_MESSAGE,
    BUSINESS_UNIT_CREATE_DENIED_MESSAGE,
    CREATE_DENIED_MESSAGE,
    EDIT_DENIED_MESSAGE,
    PROBLEM_STATEMENT_DENIED_MESSAGE,
    SET_STAGE_DENIED_MESSAGE,
    can_create_initiative,
    can_edit_initiative,
    can_manage_business_units,
    can_set_stage,
)
from portfolio.problem_statement_rules import check_problem_statement
from portfolio.rules import stage_change_problems, status_change_problems
from portfolio.signals import initiative_changed
from portfolio.stage_guards import stage_move_problems
from portfolio.vocabulary import autonomy_rank

INITIATIVE_EDITABLE_FIELDS: tuple[str, ...] = (
    "title",
    "business_unit",
    "business_owner",
    "delivery_owner",
    "executive_sponsor",
    "value_owner",
    "safety_owner",
    "escalation_path",
    "autonomy_level",
    "eu_ai_act_tier",
    "sourcing",
    "value_category",
    "value_statement",
    "poc_budget",
    "production_budget_estimate",
    "actual_spend",
    "monthly_run_cost",
    "start_date",
    "next_review_date",
)
_INITIATIVE_AUDITED = (*INITIATIVE_EDITABLE_FIELDS, "vendors")

# DOMAIN.md: moving up an autonomy level needs evidence for five conditions and the council's
# approval. Governance files and decides that promotion; the portfolio cannot link to its pages
# by name (layers point one way), so the message says where they are.
AUTONOMY_RAISE_MESSAGE = (
    "Raising the autonomy level needs the council's approval: file an autonomy promotion "
    "request, with evidence for the five conditions, from the “Stage gate” section of the "
    "initiative's page (API: POST /api/v1/autonomy-promotions/). Lowering it is a plain edit."
)


def _initiative_snapshot(initiative: Initiative) -> dict[str, Any]:
    values = snapshot(initiative, INITIATIVE_EDITABLE_FIELDS)
    values["vendors"] = sorted(vendor.name for vendor in initiative.vendors.all())
    return values


def _require_product_owner_stays_owner(actor: AbstractBaseUser, initiative: Initiative) -> None:
    """A product owner who names neither owner as themselves would lock themselves out."""
    if has_role(actor, Role.GOVERNANCE_ADMIN) or initiative.is_owner(actor.pk):
        return
    raise ValidationError(
        {
            "business_owner": (
                "As a product owner you must be the business owner or the delivery owner "
                "of an initiative you create or edit."
            )
        }
    )


def _apply_fields(initiative: Initiative, data: Mapping[str, Any]) -> None:
    unknown = sorted(set(data) - set(INITIATIVE_EDITABLE_FIELDS) - {"vendors"})
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "This field cannot be set here."))
    for name, value in data.items():
        if name != "vendors":
            setattr(initiative, name, value)


@transaction.atomic
def business_unit_create(
    *, actor: AbstractBaseUser, name: str, description: str = ""
) -> BusinessUnit:
    require(can_manage_business_units(actor), BUSINESS_UNIT_CREATE_DENIED_MESSAGE)
    unit = BusinessUnit(name=name.strip(), description=description)
    unit.full_clean()
    unit.save()
    record_audit_event(
        actor=actor,
        action="business_unit.created",
        target=unit,
        changes={"name": [None, unit.name], "description": [None, unit.description]},
    )
    return unit


@transaction.atomic
def business_unit_update(
    *, unit: BusinessUnit, actor: AbstractBaseUser, data: Mapping[str, Any]
) -> BusinessUnit:
    """Rename or redescribe a business unit; a save that changes nothing writes nothing.

    Business units carry no version (only admins edit them, and rarely): the row lock makes
    two simultaneous saves run one after the other, the last one's values winning.
    """
    require(can_manage_business_units(actor), BUSINESS_UNIT_CHANGE_DENIED_MESSAGE)
    unit = lock_for_update(BusinessUnit, unit.pk)
    before = snapshot(unit, ("name", "description"))
    for name in ("name", "description"):
        if name in data:
            setattr(unit, name, data[name])
    unit.full_clean()
    changes = changes_between(before, snapshot(unit, ("name", "description")))
    if not changes:
        return unit
    unit.save()
    record_audit_event(actor=actor, action="business_unit.updated", target=unit, changes=changes)
    return unit


@transaction.atomic
def initiative_create(
    *,
    actor: AbstractBaseUser,
    data: Mapping[str, Any],
    vendors: Iterable[Vendor] = (),
) -> Initiative:
    """Create an initiative in exploration. A product owner must be one of its two owners."""
    require(can_create_initiative(actor), CREATE_DENIED_MESSAGE)
    initiative = Initiative(created_by=actor, stage=Stage.EXPLORATION)
    _apply_fields(initiative, data)
    _require_product_owner_stays_owner(actor, initiative)
    initiative.full_clean()
    initiative.save()
    initiative.vendors.set(list(vendors))
    record_audit_event(
        actor=actor,
        action="initiative.created",
        target=initiative,
        initiative_id=initiative.pk,
        changes={name: [None, value] for name, value in _initiative_snapshot(initiative).items()},
    )
    return initiative


@transaction.atomic
def initiative_update(
    *,
    initiative: Initiative,
    actor: AbstractBaseUser,
    data: Mapping[str, Any],
    expected_version: int | None,
    vendors: Iterable[Vendor] | None = None,
) -> Initiative:
    """Apply `data` to the initiative unless someone saved it since `expected_version`.

    The autonomy level may be lowered here but not raised: raising it is an autonomy promotion
    the council decides (ValidationError on `autonomy_level` saying so; nothing is saved).
    The row is locked for the check-and-write, so of two simultaneous edits on the same version
    exactly one wins and the other gets a ConflictError showing the winner's values. A save
    that changes nothing keeps the version and writes no audit event. A change is announced
    with `portfolio.signals.initiative_changed` (governance decides whether it is material).
    """
    new_vendors = list(vendors) if vendors is not None else None
    locked = lock_for_update(Initiative, initiative.pk)
    require(can_edit_initiative(actor, locked), EDIT_DENIED_MESSAGE)
    before = _initiative_snapshot(locked)
    check_version(locked, expected_version, kind="initiative", current=before)
    if "autonomy_level" in data and autonomy_rank(data["autonomy_level"]) > autonomy_rank(
        locked.autonomy_level
    ):
        raise ValidationError({"autonomy_level": AUTONOMY_RAISE_MESSAGE})
    before_values = field_values(locked, INITIATIVE_EDITABLE_FIELDS)
    _apply_fields(locked, data)
    _require_product_owner_stays_owner(actor, locked)
    locked.full_clean()
    after = snapshot(locked, INITIATIVE_EDITABLE_FIELDS)
    # Vendor names are unique, so the sorted names say whether the set changed.
    after["vendors"] = (
        sorted(vendor.name for vendor in new_vendors)
        if new_vendors is not None
        else before["vendors"]
    )
    if (
        field_values(locked, INITIATIVE_EDITABLE_FIELDS) == before_values
        and after["vendors"] == before["vendors"]
    ):
        return locked
    changes = changes_between(before, after)
    locked.version += 1
    locked.save()
    if new_vendors is not None:
        locked.vendors.set(new_vendors)
    record_audit_event(
        actor=actor,
        action="initiative.updated",
        target=locked,
        initiative_id=locked.pk,
        changes=changes,
    )
    initiative_changed.send(sender=Initiative, initiative=locked, actor=actor, changes=changes)
    return locked


@transaction.atomic
def initiative_set_stage(
    *, initiative: Initiative, actor: AbstractBaseUser, to_stage: str, reason: str
) -> Initiative:
    """Move an initiative to `to_stage` by an admin's decision, outside the gate workflow.

    A move forward is refused (ValidationError on `to_stage`, nothing changed) while any check
    registered in portfolio.stage_guards objects: governance's hard criteria, which no decision
    may override. A move back is a correction and only the portfolio's own rules apply.
    """
    require(can_set_stage(actor), SET_STAGE_DENIED_MESSAGE)
    locked = lock_for_update(Initiative, initiative.pk)
    if problems := stage_move_problems(locked, to_stage):
        raise ValidationError({"to_stage": list(problems)})
    return initiative_change_stage(
        initiative=initiative, actor=actor, to_stage=to_stage, reason=reason
    )


@transaction.atomic
def initiative_change_stage(
    *,
    initiative: Initiative,
    actor: AbstractBaseUser,
    to_stage: str,
    reason: str,
    gate_request_id: int | None = None,
) -> Initiative:
    """Move an initiative to `to_stage`; the caller has decided that `actor` may.

    Refuses an unknown stage, no reason, and leaving exploration without both named owners.
    The update is conditional on the stage the caller saw, so two people cannot both move it:
    the second gets a ConflictError. Writes a StageTransition and an audit event, both naming
    the gate request whose decision caused the move, if any.
    """
    reason = (reason or "").strip()
    errors: dict[str, str] = {}
    if to_stage not in Stage.values:
        stages = ", ".join(Stage.values)
        errors["to_stage"] = f"“{to_stage}” is not a stage. Choose one of: {stages}."
    if not reason:
        errors["reason"] = "Give the reason for this stage change; it is kept in the audit trail."
    if errors:
        raise ValidationError(errors)
    locked = lock_for_update(Initiative, initiative.pk)
    from_stage = initiative.stage
    if locked.stage != from_stage:
        raise ConflictError(
            "The stage changed while you were looking at it; reload to see the current stage."
        )
    problems = stage_change_problems(
        from_stage=from_stage,
        to_stage=to_stage,
        business_owner_named=locked.business_owner_id is not None,
        delivery_owner_named=locked.delivery_owner_id is not None,
    )
    if problems:
        raise ValidationError({"to_stage": list(problems)})
    now = timezone.now()
    # Conditional on the stage the caller saw: 0 rows means someone moved it first.
    moved = Initiative.objects.filter(pk=locked.pk, stage=from_stage).update(
        stage=to_stage, stage_changed_at=now, version=F("version") + 1, updated_at=now
    )
    if moved == 0:
        raise ConflictError(
            "The stage changed while you were looking at it; reload to see the current stage."
        )
    StageTransition.objects.create(
        initiative=initiative,
        from_stage=from_stage,
        to_stage=to_stage,
        actor=actor,
        reason=reason,
        gate_request_id=gate_request_id,
    )
    initiative.refresh_from_db()
    changes: dict[str, list[Any]] = {"stage": [from_stage, to_stage]}
    if gate_request_id is not None:
        changes["gate_request"] = [None, gate_request_id]
    record_audit_event(
        actor=actor,
        action="initiative.stage_changed",
        target=initiative,
        initiative_id=initiative.pk,
        changes=changes,
        reason=reason,
    )
    return initiative


@transaction.atomic
def initiative_set_autonomy_level(
    *,
    initiative: Initiative,
    actor: AbstractBaseUser,
    to_level: str,
    reason: str,
    promotion_id: int | None = None,
) -> Initiative:
    """Set the autonomy level by a governance decision; the caller has decided that `actor` may.

    The one way an autonomy level goes up (an approved autonomy promotion, `promotion_id`).
    Refuses an unknown level, the level it already has and a missing reason; conditional on
    the level the caller saw (0 rows = someone changed it first: ConflictError). Writes one
    audit event and sends no `initiative_changed`: the council's approval is the review, so
    the change is not one to re-review.
    """
    reason = (reason or "").strip()
    from_level = initiative.autonomy_level
    errors: dict[str, str] = {}
    if to_level not in AutonomyLevel.values:
        levels = ", ".join(AutonomyLevel.values)
        errors["to_level"] = f"“{to_level}” is not an autonomy level. Choose one of: {levels}."
    elif to_level == from_level:
        errors["to_level"] = f"The initiative is already at the {to_level} level."
    if not reason:
        errors["reason"] = "Give the reason for the new level; it is kept in the audit trail."
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    changed = Initiative.objects.filter(pk=initiative.pk, autonomy_level=from_level).update(
        autonomy_level=to_level, version=F("version") + 1, updated_at=now
    )
    if changed == 0:
        raise ConflictError(
            "The autonomy level changed while you were looking at it; reload to see it."
        )
    initiative.refresh_from_db()
    changes: dict[str, list[Any]] = {"autonomy_level": [from_level, to_level]}
    if promotion_id is not None:
        changes["autonomy_promotion"] = [None, promotion_id]
    record_audit_event(
        actor=actor,
        action="initiative.autonomy_changed",
        target=initiative,
        initiative_id=initiative.pk,
        changes=changes,
        reason=reason,
    )
    return initiative


@transaction.atomic
def initiative_set_status(
    *,
    initiative: Initiative,
    actor: AbstractBaseUser,
    to_status: str,
    reason: str,
    gate_request_id: int | None = None,
) -> Initiative:
    """Pause (hold), resume or stop (kill) an initiative; the caller has decided `actor` may.

    The low-level step under governance's initiative_status_change and a gate decision's hold
    or kill. Refuses a missing reason and a move not in ALLOWED_TRANSITIONS["status"] (stopped
    is final). The row is locked and the update is conditional on the status the caller saw, so
    of two people changing it at once the second gets a ConflictError. Writes a StageTransition
    (same stage, from and to status) and an audit event, both naming the gate request whose
    decision caused the change, if any.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Give the reason; it is kept in the audit trail."})
    from_status = initiative.status
    problems = status_change_problems(from_status=from_status, to_status=to_status)
    if problems:
        raise ValidationError({"to_status": list(problems)})
    locked = lock_for_update(Initiative, initiative.pk)
    now = timezone.now()
    # Conditional on the status the caller saw: 0 rows means someone changed it first.
    changed = Initiative.objects.filter(pk=locked.pk, status=from_status).update(
        status=to_status, version=F("version") + 1, updated_at=now
    )
    if changed == 0:
        raise ConflictError("The status changed while you were looking at it; reload.")
    StageTransition.objects.create(
        initiative=initiative,
        from_stage=locked.stage,
        to_stage=locked.stage,
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        reason=reason,
        gate_request_id=gate_request_id,
    )
    initiative.refresh_from_db()
    changes: dict[str, list[Any]] = {"status": [from_status, to_status]}
    if gate_request_id is not None:
        changes["gate_request"] = [None, gate_request_id]
    record_audit_event(
        actor=actor,
        action="initiative.status_changed",
        target=initiative,
        initiative_id=initiative.pk,
        changes=changes,
        reason=reason,
    )
    return initiative


@transaction.atomic
def problem_statement_save(
    *,
    initiative: Initiative,
    actor: AbstractBaseUser,
    data: Mapping[str, Any],
    expected_version: int | None,
    note: str = "",
) -> ProblemStatement:
    """Save the initiative's problem statement as a new version.

    `expected_version` is the version the editor loaded (0 for a first statement); if someone
    saved in between, nothing is written and a ConflictError carries their text. A save that
    changes nothing keeps the version and writes neither a version nor an audit event. A change
    is announced with `portfolio.signals.initiative_changed`, its parts prefixed
    "problem_statement." (governance raises a re-review when the KPI or target of an approved
    initiative changed).
    """
    locked_initiative = lock_for_update(Initiative, initiative.pk)
    if not can_edit_initiative(actor, locked_initiative):
        raise PermissionDenied(PROBLEM_STATEMENT_DENIED_MESSAGE)
    # The initiative's lock serialises the saves of its statement.
    statement = ProblemStatement.objects.filter(initiative=locked_initiative).first()
    if statement is None:
        statement = ProblemStatement(initiative=locked_initiative)
    statement.initiative = locked_initiative
    check_version(
        statement,
        expected_version,
        kind="problem statement",
        current=statement.content,
        message=(
            "Someone else saved this problem statement while you were editing it. "
            "Their text is shown below; yours is still in the form, not saved."
        ),
    )
    unknown = sorted(set(data) - set(PROBLEM_STATEMENT_FIELDS))
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "This field cannot be set here."))
    before = statement.content() if statement.pk else {}
    for name in PROBLEM_STATEMENT_FIELDS:
        if name in data:
            value = data[name]
            setattr(statement, name, value if value is not None or name == "target_date" else "")
    statement.full_clean(exclude=["initiative", "updated_by"])
    content = statement.content()
    changes = changes_between(before, content)
    if not changes:
        return statement
    check = check_problem_statement(content)
    statement.clarity_score = check.clarity_score
    statement.updated_by = actor
    statement.version += 1
    statement.save()
    ProblemStatementVersion.objects.create(
        statement=statement,
        number=statement.version,
        content=content,
        clarity_score=check.clarity_score,
        author=actor,
        note=note[:300],
    )
    record_audit_event(
        actor=actor,
        action="problem_statement.created"
        if statement.version == 1
        else "problem_statement.updated",
        target=statement,
        initiative_id=locked_initiative.pk,
        changes=changes,
    )
    initiative_changed.send(
        sender=Initiative,
        initiative=locked_initiative,
        actor=actor,
        changes={f"problem_statement.{name}": pair for name, pair in changes.items()},
    )
    return statement
