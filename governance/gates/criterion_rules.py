"""The criteria a gate policy can list: what they read, their parameters, and their checks.

Plain values in, plain values out; nothing here touches the database. A `GateSnapshot` holds
what the criteria read about one initiative (built by `governance.gates.selectors.gate_snapshot`);
each entry of `CRITERIA` checks it and says whether it passes, why, and which record is the
evidence. How a policy's list of criteria is evaluated, and which failures are hard, is
`governance.gates.rules`.

Sources: DOMAIN.md (rollout stages, readiness scorecard decision rule, risk register, pilot
purgatory) and the governance issue (criteria list, conflicts of interest, re-review).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final, NamedTuple

from portfolio.problem_statement_rules import check_problem_statement
from portfolio.vocabulary import HIGH_RISK_SEVERITY, LOWEST_SCORE, SCORECARD_KEY

PROHIBITED_TIER: Final = "prohibited"

EVIDENCE_KINDS: Final[tuple[str, ...]] = (
    "problem_statement",
    "initiative",
    "assessment",
    "risk",
    "incident",
    "",
)


@dataclass(frozen=True)
class ProblemStatementFacts:
    id: int
    # The statement's parts (portfolio.models.PROBLEM_STATEMENT_FIELDS) as plain values.
    content: Mapping[str, object]


@dataclass(frozen=True)
class AssessmentFacts:
    """The current (latest submitted) assessment of one template, as the gate needs it."""

    id: int
    template_key: str
    template_title: str
    submitted_on: date | None
    total: int | None
    passed: bool | None
    item_scores: Mapping[str, int]
    # Critical item id -> the template's own minimum (the gate's critical_minimum may be higher).
    critical_items: Mapping[str, int] = field(default_factory=dict)
    item_titles: Mapping[str, str] = field(default_factory=dict)
    # Items the council reviewed and accepted (with or without conditions): they clear the
    # "areas at 1 reviewed" criterion. Items it reviewed and did not accept are kept apart, so
    # the criterion can say why they still block.
    reviewed_items: frozenset[str] = frozenset()
    not_accepted_items: frozenset[str] = frozenset()

    def title_of(self, item_id: str) -> str:
        return self.item_titles.get(item_id, item_id)


@dataclass(frozen=True)
class RiskFacts:
    id: int
    description: str
    severity: int
    status: str
    mitigation: str


@dataclass(frozen=True)
class IncidentFacts:
    id: int
    summary: str
    status: str


@dataclass(frozen=True)
class GateSnapshot:
    """Everything the criteria read about one initiative, as of `today`."""

    initiative_id: int
    stage: str
    status: str
    today: date
    business_owner_named: bool
    delivery_owner_named: bool
    eu_ai_act_tier: str = ""
    problem_statement: ProblemStatementFacts | None = None
    # Template key -> the current submitted assessment of that template.
    assessments: Mapping[str, AssessmentFacts] = field(default_factory=dict)
    risks: tuple[RiskFacts, ...] = ()
    incidents: tuple[IncidentFacts, ...] = ()


class CheckOutcome(NamedTuple):
    passed: bool
    detail: str
    evidence_kind: str
    evidence_id: int | None


CriterionCheck = Callable[[Mapping[str, Any], GateSnapshot], CheckOutcome]


class Criterion(NamedTuple):
    """A registry entry. `always_hard`: no policy may make it overridable."""

    label: str
    check: CriterionCheck
    always_hard: bool = False


class ParamSpec(NamedTuple):
    """One parameter of a criterion: a whole number within bounds, or a text."""

    kind: type
    default: Any
    minimum: int | None = None
    maximum: int | None = None
    help: str = ""


CRITERION_PARAMS: Final[dict[str, dict[str, ParamSpec]]] = {
    "problem_statement_complete": {},
    "owners_named": {},
    "checklist_passed": {
        "template": ParamSpec(str, None, help="key of an all-must-pass checklist template"),
    },
    "scorecard_ready": {
        "max_age_days": ParamSpec(int, 90, 1, 3650, "oldest acceptable submission, in days"),
        "min_total": ParamSpec(int, 55, 0, 1000, "lowest acceptable total"),
        "template": ParamSpec(str, SCORECARD_KEY, help="key of the scorecard template"),
    },
    "scorecard_critical_areas": {
        # Never below 3 (DOMAIN.md: no use case scales with a critical area below 3); a gate
        # may ask for more.
        "critical_minimum": ParamSpec(
            int, 3, 3, 5, "lowest acceptable critical-area score (3 to 5)"
        ),
        "template": ParamSpec(str, SCORECARD_KEY, help="key of the scorecard template"),
    },
    "lowest_scores_reviewed": {
        "template": ParamSpec(str, SCORECARD_KEY, help="key of the scorecard template"),
    },
    "not_prohibited_tier": {},
    "kpi_recorded": {},
    "no_unmitigated_high_risk": {
        "min_severity": ParamSpec(
            int, HIGH_RISK_SEVERITY, 1, 25, "severity from which a risk needs mitigation"
        ),
    },
    "no_open_incident": {},
}


# Titles and the passing answer of the checklists the policies use, for readable labels.
_CHECKLIST_NAMES: Final[dict[str, tuple[str, str]]] = {
    "before_poc": ("Before-POC checklist", "Yes"),
    "rollout_governance": ("Rollout governance checklist", "Ready"),
}


def criterion_params(criterion_id: str, params: Mapping[str, Any] | None) -> dict[str, Any]:
    """`params` with the defaults of every parameter the criterion takes filled in."""
    given = dict(params or {})
    specs = CRITERION_PARAMS.get(criterion_id, {})
    return {name: given.get(name, spec.default) for name, spec in specs.items()}


def criterion_label(criterion_id: str, params: Mapping[str, Any] | None = None) -> str:
    """The label the request page shows, with the policy's numbers in it."""
    p = criterion_params(criterion_id, params)
    if criterion_id == "checklist_passed":
        key = p["template"] or "?"
        title, answer = _CHECKLIST_NAMES.get(key, (f"Checklist “{key}”", "passed"))
        return f"{title} all {answer}" if key in _CHECKLIST_NAMES else f"{title} passed"
    if criterion_id == "scorecard_ready":
        return (
            f"Readiness scorecard submitted within {p['max_age_days']} days, total at least "
            f"{p['min_total']}"
        )
    if criterion_id == "scorecard_critical_areas":
        return f"No critical readiness area scored below {p['critical_minimum']}"
    if criterion_id == "no_unmitigated_high_risk":
        return f"No open risk of severity {p['min_severity']} or more without a mitigation"
    if criterion_id in CRITERIA:
        return CRITERIA[criterion_id].label
    return f"Unknown criterion “{criterion_id}”"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _filled(value: object) -> bool:
    return value is not None and str(value).strip() != ""


def _check_problem_statement(params: Mapping[str, Any], snap: GateSnapshot) -> CheckOutcome:
    statement = snap.problem_statement
    if statement is None:
        return CheckOutcome(
            False, "No problem statement has been written.", "problem_statement", None
        )
    check = check_problem_statement(statement.content, today=snap.today)
    blocking = [finding.message for finding in check.findings if finding.severity == "blocking"]
    if blocking:
        shown = "; ".join(blocking[:3])
        more = f" (and {len(blocking) - 3} more)" if len(blocking) > 3 else ""
        return CheckOutcome(
            False,
            f"{_plural(len(blocking), 'blocking finding')}: {shown}{more}.",
            "problem_statement",
            statement.id,
        )
    return CheckOutcome(
        True,
        f"Complete, no blocking findings (clarity {check.clarity_score}/5).",
        "problem_statement",
        statement.id,
    )


def _check_owners(params: Mapping[str, Any], snap: GateSnapshot) -> CheckOutcome:
    missing = [
        name
        for name, named in (
            ("business owner", snap.business_owner_named),
            ("delivery owner", snap.delivery_owner_named),
        )
        if not named
    ]
    if missing:
        return CheckOutcome(False, f"No {' and no '.join(missing)} named.", "initiative", None)
    return CheckOutcome(True, "Both owners are named.", "initiative", None)


def _check_checklist(params: Mapping[str, Any], snap: GateSnapshot) -> CheckOutcome:
    key = criterion_params("checklist_passed", params)["template"]
    title, answer = _CHECKLIST_NAMES.get(key, (f"Checklist “{key}”", "passed"))
    facts = snap.assessments.get(key)
    if facts is None:
        return CheckOutcome(False, f"No submitted {title} yet.", "assessment", None)
    failed = [item_id for item_id, score in facts.item_scores.items() if score == 0]
    if facts.passed is True and not failed:
        return CheckOutcome(
            True, f"Every item {answer} (submitted {facts.submitted_on}).", "assessment", facts.id
        )
    if failed:
        names = ", ".join(facts.title_of(item_id) for item_id in failed)
        return CheckOutcome(
            False, f"{_plural(len(failed), 'item')} not {answer}: {names}.", "assessment", facts.id
        )
    return CheckOutcome(False, f"The {title} has unanswered items.", "assessment", facts.id)


def _scorecard(params: Mapping[str, Any], criterion_id: str, snap: GateSnapshot) -> Any:
    return snap.assessments.get(criterion_params(criterion_id, params)["template"])


def _no_scorecard() -> CheckOutcome:
    return CheckOutcome(False, "No submitted readiness scorecard yet.", "assessment", None)


def _check_scorecard(params: Mapping[str, Any], snap: GateSnapshot) -> CheckOutcome:
    p = criterion_params("scorecard_ready", params)
    facts = _scorecard(params, "scorecard_ready", snap)
    if facts is None:
        return _no_scorecard()
    problems: list[str] = []
    if facts.submitted_on is None:
        problems.append("it has no submission date")
    else:
        age = (snap.today - facts.submitted_on).days
        if age > p["max_age_days"]:
            problems.append(
                f"it was submitted {age} days ago, more than {p['max_age_days']}; score it again"
            )
    if facts.total is None or facts.total < p["min_total"]:
        problems.append(f"its total {facts.total} is below {p['min_total']}")
    if problems:
        return CheckOutcome(
            False, "Scorecard: " + "; ".join(problems) + ".", "assessment", facts.id
        )
    return CheckOutcome(
        True, f"Total {facts.total} (submitted {facts.submitted_on}).", "assessment", facts.id
    )


def _check_critical_areas(params: Mapping[str, Any], snap: GateSnapshot) -> CheckOutcome:
    """DOMAIN.md: no use case may scale if a critical area (ownership, success criteria,
    security, privacy and legal, production readiness) scores below 3."""
    minimum = criterion_params("scorecard_critical_areas", params)["critical_minimum"]
    facts = _scorecard(params, "scorecard_critical_areas", snap)
    if facts is None:
        return _no_scorecard()
    low = [
        f"{facts.title_of(item_id)} ({facts.item_scores[item_id]})"
        for item_id in facts.critical_items
        if item_id in facts.item_scores and facts.item_scores[item_id] < minimum
    ]
    if low:
        return CheckOutcome(
            False, f"Critical areas below {minimum}: {', '.join(low)}.", "assessment", facts.id
        )
    return CheckOutcome(True, f"Every critical area at {minimum} or above.", "assessment", facts.id)


def _check_lowest_scores_reviewed(params: Mapping[str, Any], snap: GateSnapshot) -> CheckOutcome:
    """DOMAIN.md: any area scored 1 requires an explicit review before more investment.

    Only a review that accepts the area (with or without conditions) clears it; one that does
    not accept it keeps blocking until the area is scored again in a new submission. With no
    scorecard yet nothing was scored 1: whether one is required is another criterion's
    question (`scorecard_ready`, `scorecard_critical_areas`)."""
    facts = _scorecard(params, "lowest_scores_reviewed", snap)
    if facts is None:
        return CheckOutcome(True, "No readiness scorecard yet, so no area at 1.", "", None)
    # In the template's order: PostgreSQL's jsonb keeps no key order, so the result's scores
    # alone would name the areas differently on each database.
    ordered = [item_id for item_id in facts.item_titles if item_id in facts.item_scores]
    ordered += [item_id for item_id in facts.item_scores if item_id not in facts.item_titles]
    at_lowest = [item_id for item_id in ordered if facts.item_scores[item_id] == LOWEST_SCORE]
    not_accepted = [
        facts.title_of(item_id) for item_id in at_lowest if item_id in facts.not_accepted_items
    ]
    unreviewed = [
        facts.title_of(item_id)
        for item_id in at_lowest
        if item_id not in facts.reviewed_items and item_id not in facts.not_accepted_items
    ]
    problems = []
    if unreviewed:
        problems.append(
            f"Areas at {LOWEST_SCORE} without a recorded council review: {', '.join(unreviewed)}."
        )
    if not_accepted:
        problems.append(
            f"Areas at {LOWEST_SCORE} the council did not accept: {', '.join(not_accepted)}; "
            "fix them and score them again in a new submission."
        )
    if problems:
        return CheckOutcome(False, " ".join(problems), "assessment", facts.id)
    return CheckOutcome(
        True,
        f"Every area at {LOWEST_SCORE} was reviewed and accepted by the council.",
        "assessment",
        facts.id,
    )


def _check_not_prohibited(params: Mapping[str, Any], snap: GateSnapshot) -> CheckOutcome:
    if snap.eu_ai_act_tier == PROHIBITED_TIER:
        return CheckOutcome(
            False,
            "The initiative is a prohibited AI practice under the EU AI Act (Art. 5): it may "
            "not move to any stage.",
            "initiative",
            None,
        )
    return CheckOutcome(True, "Not a prohibited practice.", "initiative", None)


def _check_kpi(params: Mapping[str, Any], snap: GateSnapshot) -> CheckOutcome:
    statement = snap.problem_statement
    if statement is None:
        return CheckOutcome(
            False, "No problem statement, so no KPI, baseline or target.", "problem_statement", None
        )
    missing = [
        name for name in ("kpi", "baseline", "target") if not _filled(statement.content.get(name))
    ]
    if missing:
        words = {"kpi": "KPI", "baseline": "baseline", "target": "target"}
        return CheckOutcome(
            False,
            f"Missing: {', '.join(words[name] for name in missing)}.",
            "problem_statement",
            statement.id,
        )
    content = statement.content
    return CheckOutcome(
        True,
        f"{content['kpi']}: {content['baseline']} → {content['target']}.",
        "problem_statement",
        statement.id,
    )


def risk_is_unmitigated(risk: RiskFacts) -> bool:
    """An open or mitigating risk with no written mitigation. Closed risks never count."""
    return risk.status != "closed" and not risk.mitigation.strip()


def unmitigated_risk_threshold(criteria: Sequence[Mapping[str, Any]]) -> int | None:
    """The severity from which a policy's criteria refuse an unmitigated risk, or None when
    they do not check risks (no `no_unmitigated_high_risk` criterion)."""
    for criterion in criteria:
        if criterion.get("id") == "no_unmitigated_high_risk":
            return criterion_params("no_unmitigated_high_risk", criterion.get("params"))[
                "min_severity"
            ]
    return None


def risk_blocks_gate(risk: RiskFacts, criteria: Sequence[Mapping[str, Any]]) -> bool:
    """Whether `risk` alone makes a gate with these criteria fail (as `evaluate_gate` would)."""
    threshold = unmitigated_risk_threshold(criteria)
    return threshold is not None and risk.severity >= threshold and risk_is_unmitigated(risk)


def _check_risks(params: Mapping[str, Any], snap: GateSnapshot) -> CheckOutcome:
    min_severity = criterion_params("no_unmitigated_high_risk", params)["min_severity"]
    offending = sorted(
        (r for r in snap.risks if r.severity >= min_severity and risk_is_unmitigated(r)),
        key=lambda r: (-r.severity, r.id),
    )
    if offending:
        first = offending[0]
        return CheckOutcome(
            False,
            f"{_plural(len(offending), 'open risk')} of severity {min_severity} or more without "
            f"a mitigation, highest {first.severity}: {first.description[:80]}",
            "risk",
            first.id,
        )
    return CheckOutcome(
        True, f"Every open risk of severity {min_severity} or more has a mitigation.", "", None
    )


def _check_incidents(params: Mapping[str, Any], snap: GateSnapshot) -> CheckOutcome:
    open_incidents = sorted((i for i in snap.incidents if i.status == "open"), key=lambda i: i.id)
    if open_incidents:
        first = open_incidents[0]
        return CheckOutcome(
            False,
            f"{_plural(len(open_incidents), 'open incident')}: {first.summary[:80]}",
            "incident",
            first.id,
        )
    return CheckOutcome(True, "No open incident.", "", None)


CRITERIA: Final[dict[str, Criterion]] = {
    "problem_statement_complete": Criterion(
        "Problem statement complete, with no blocking findings", _check_problem_statement
    ),
    "owners_named": Criterion("Business owner and delivery owner named", _check_owners),
    "checklist_passed": Criterion("Checklist passed", _check_checklist),
    "scorecard_ready": Criterion(
        "Readiness scorecard recent and its total high enough", _check_scorecard
    ),
    "scorecard_critical_areas": Criterion(
        "No critical readiness area below its minimum", _check_critical_areas, always_hard=True
    ),
    "lowest_scores_reviewed": Criterion(
        f"Every readiness area at {LOWEST_SCORE} reviewed by the council",
        _check_lowest_scores_reviewed,
        always_hard=True,
    ),
    "not_prohibited_tier": Criterion(
        "Not a prohibited AI practice (EU AI Act Art. 5)", _check_not_prohibited, always_hard=True
    ),
    "kpi_recorded": Criterion("KPI, baseline and target recorded", _check_kpi),
    "no_unmitigated_high_risk": Criterion(
        "No open high-severity risk without a mitigation", _check_risks
    ),
    "no_open_incident": Criterion("No open incident", _check_incidents),
}
