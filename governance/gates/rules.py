"""Pure rules of the stage gates: a policy's criteria evaluated, and what they say of a "go".

Plain values in, frozen dataclasses out; nothing here touches the database. A gate policy
version lists its criteria as data ({"id", "params"}); `evaluate_gate` runs each (their checks
are `governance.gates.criterion_rules`) against a `GateSnapshot` of the live record and says,
per criterion, whether it passes, why, which record is the evidence, and whether a failure is
hard (blocks "go") or soft (the council may override it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from governance.gates.criterion_rules import (
    CRITERIA,
    GateSnapshot,
    criterion_label,
    criterion_params,
)


@dataclass(frozen=True)
class CriterionResult:
    """One criterion's verdict. `evidence_kind`/`evidence_id` name the record to link to
    (kind "" = nothing to link; id None = the kind's page for this initiative, e.g. "fill in
    the problem statement")."""

    id: str
    label: str
    passed: bool
    detail: str
    evidence_kind: str
    evidence_id: int | None
    # Hard: never overridable, a failure blocks "go". Soft: the council may override it with a
    # recorded justification.
    hard: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "passed": self.passed,
            "detail": self.detail,
            "evidence_kind": self.evidence_kind,
            "evidence_id": self.evidence_id,
            "hard": self.hard,
        }


# Checklists where any "no" means stop (DOMAIN.md, before-POC: "if the answer to ANY question
# is no, we shouldn't start the POC"): a policy can never make them overridable.
ALWAYS_HARD_CHECKLISTS: Final[frozenset[str]] = frozenset({"before_poc"})
# Checked at every gate whatever the policy lists: no move for a prohibited practice.
BUILT_IN_CRITERIA: Final[tuple[Mapping[str, Any], ...]] = ({"id": "not_prohibited_tier"},)


def must_be_hard(criterion_id: str, params: Mapping[str, Any] | None = None) -> bool:
    """True for criteria no policy may make overridable."""
    criterion = CRITERIA.get(criterion_id)
    if criterion is not None and criterion.always_hard:
        return True
    if criterion_id == "checklist_passed":
        return criterion_params(criterion_id, params)["template"] in ALWAYS_HARD_CHECKLISTS
    return False


def criterion_is_hard(entry: Mapping[str, Any]) -> bool:
    """A policy entry is hard when it says so ("hard": true) or when it must be."""
    return bool(entry.get("hard")) or must_be_hard(str(entry.get("id", "")), entry.get("params"))


def effective_criteria(criteria: Sequence[Mapping[str, Any]]) -> tuple[Mapping[str, Any], ...]:
    """The criteria a gate is held to: the policy's own, read in today's terms, plus the
    built-in ones it does not list.

    Versions saved before criteria were split kept the critical-area minimum and the review of
    areas at 1 inside `scorecard_ready` (param `critical_minimum`); they are read as the three
    criteria they now are, so an old pending request is never held to less than a new one.
    """
    effective: list[Mapping[str, Any]] = []
    for entry in criteria:
        params = dict(entry.get("params") or {})
        if entry.get("id") == "scorecard_ready" and "critical_minimum" in params:
            minimum = params.pop("critical_minimum")
            template = {"template": params["template"]} if "template" in params else {}
            effective.append({**entry, "params": params})
            effective.append(
                {
                    "id": "scorecard_critical_areas",
                    "params": {"critical_minimum": minimum, **template},
                    "hard": True,
                }
            )
            effective.append({"id": "lowest_scores_reviewed", "params": template, "hard": True})
        else:
            effective.append(entry)
    listed = {str(entry.get("id")) for entry in effective}
    built_in = [entry for entry in BUILT_IN_CRITERIA if entry["id"] not in listed]
    return (*built_in, *effective)


def evaluate_gate(
    criteria: Sequence[Mapping[str, Any]], snapshot: GateSnapshot
) -> tuple[CriterionResult, ...]:
    """Every criterion a policy version holds a gate to (`effective_criteria`) against
    `snapshot`, built-in ones first, then in the policy's order; each says whether it is hard.

    An unknown criterion id fails (with a message for the admin) and is hard, so a mistyped
    policy can never wave a request through.
    """
    results: list[CriterionResult] = []
    for entry in effective_criteria(criteria):
        criterion_id = str(entry.get("id", ""))
        params = entry.get("params") or {}
        criterion = CRITERIA.get(criterion_id)
        if criterion is None:
            results.append(
                CriterionResult(
                    criterion_id,
                    criterion_label(criterion_id),
                    False,
                    "This policy names a criterion Gatehouse does not know; ask a governance "
                    "admin to correct the policy.",
                    "",
                    None,
                    hard=True,
                )
            )
            continue
        outcome = criterion.check(params, snapshot)
        results.append(
            CriterionResult(
                id=criterion_id,
                label=criterion_label(criterion_id, params),
                passed=outcome.passed,
                detail=outcome.detail,
                evidence_kind=outcome.evidence_kind,
                evidence_id=outcome.evidence_id,
                hard=criterion_is_hard(entry),
            )
        )
    return tuple(results)


@dataclass(frozen=True)
class GoCheck:
    """What the criteria say about a "go": hard failures block it, soft ones need an override."""

    hard_failures: tuple[CriterionResult, ...]
    soft_failures: tuple[CriterionResult, ...]

    @property
    def blocked(self) -> bool:
        return bool(self.hard_failures)

    @property
    def needs_override(self) -> bool:
        return not self.hard_failures and bool(self.soft_failures)

    def blocked_reason(self) -> str:
        """Why "go" is impossible, in words ("" when it is not)."""
        if not self.hard_failures:
            return ""
        named = "; ".join(f"{r.label}: {r.detail}" for r in self.hard_failures)
        return f"Go is blocked by a criterion that cannot be overridden: {named}"


def go_check(results: Sequence[CriterionResult]) -> GoCheck:
    failing = [result for result in results if not result.passed]
    return GoCheck(
        hard_failures=tuple(r for r in failing if r.hard),
        soft_failures=tuple(r for r in failing if not r.hard),
    )
