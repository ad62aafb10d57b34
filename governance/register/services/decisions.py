"""Decisions required from leadership: raise, reframe while open, record the outcome."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from core.audit import snapshot
from core.concurrency import check_version, lock_for_update
from core.permissions import require
from governance.models import LeadershipDecision, LeadershipDecisionStatus
from governance.register.permissions import (
    OUTCOME_DENIED_MESSAGE,
    PORTFOLIO_DECISION_DENIED_MESSAGE,
    REGISTER_DENIED_MESSAGE,
    can_manage_leadership_decision,
    can_record_decision_outcome,
)
from governance.register.services.records import (
    merged_values,
    refuse_repeat,
    save_edit,
    save_new,
    save_transition,
)
from governance.register.services.validation import (
    Errors,
    check_date,
    check_optional_text,
    check_owner,
    check_text,
    raise_errors,
    reject_unknown,
)
from portfolio.models import Initiative

LEADERSHIP_DECISION_EDITABLE_FIELDS: tuple[str, ...] = (
    "question",
    "options",
    "implications",
    "owner",
    "due_date",
)
_DECISION_AUDITED = (*LEADERSHIP_DECISION_EDITABLE_FIELDS, "outcome", "status")


def _validate_decision(values: Mapping[str, Any]) -> None:
    errors: Errors = {}
    check_text(errors, values, "question", "The question for leadership", 300)
    check_text(errors, values, "options", "The options", 5000)
    check_optional_text(errors, values, "implications", 5000)
    check_owner(errors, values.get("owner"))
    check_date(errors, values, "due_date", "A due date")
    raise_errors(errors)


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
    save_new(decision, actor=actor, action="leadership_decision.created", audited=_DECISION_AUDITED)
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
    reject_unknown(data, LEADERSHIP_DECISION_EDITABLE_FIELDS)
    locked = lock_for_update(LeadershipDecision.objects.select_related("initiative"), decision.pk)
    if not can_manage_leadership_decision(actor, locked.initiative):
        raise PermissionDenied(
            REGISTER_DENIED_MESSAGE if locked.initiative_id else PORTFOLIO_DECISION_DENIED_MESSAGE
        )
    check_version(
        locked,
        expected_version,
        kind="decision",
        current=lambda: snapshot(locked, _DECISION_AUDITED),
    )
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
    values = merged_values(
        locked, data, LEADERSHIP_DECISION_EDITABLE_FIELDS, ("question", "options", "implications")
    )
    _validate_decision(values)
    for name in LEADERSHIP_DECISION_EDITABLE_FIELDS:
        setattr(locked, name, values[name])
    save_edit(
        locked,
        actor=actor,
        action="leadership_decision.updated",
        before=before,
        audited=_DECISION_AUDITED,
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
    locked = lock_for_update(LeadershipDecision.objects.select_related("initiative"), decision.pk)
    require(can_record_decision_outcome(actor, locked), OUTCOME_DENIED_MESSAGE)
    refuse_repeat(
        locked,
        LeadershipDecisionStatus.DECIDED,
        "An outcome has already been recorded for this decision.",
        _DECISION_AUDITED,
    )
    check_version(
        locked,
        expected_version,
        kind="decision",
        current=lambda: snapshot(locked, _DECISION_AUDITED),
    )
    errors: Errors = {}
    check_text(errors, {"outcome": (outcome or "").strip()}, "outcome", "The outcome", 5000)
    raise_errors(errors)
    before = snapshot(locked, _DECISION_AUDITED)
    locked.outcome = outcome.strip()
    locked.status = LeadershipDecisionStatus.DECIDED
    save_transition(
        locked,
        actor=actor,
        action="leadership_decision.outcome_recorded",
        before=before,
        audited=_DECISION_AUDITED,
    )
    return locked
