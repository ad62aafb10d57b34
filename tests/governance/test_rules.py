"""The pure gate rules: every criterion at its boundaries, tallies, recusal, material change,
pilot purgatory, risk severity and the shipped default policies. No database."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest

from governance.council import rules as council_rules
from governance.council.rules import VoteInput, go_blockers, is_recused, parse_conditions, tally
from governance.gates import criterion_rules
from governance.gates.criterion_rules import (
    AssessmentFacts,
    GateSnapshot,
    IncidentFacts,
    ProblemStatementFacts,
    RiskFacts,
    criterion_label,
)
from governance.gates.default_policies import default_policy_definitions
from governance.gates.drift_rules import MaterialChange, in_pilot_purgatory, material_changes
from governance.gates.policy_rules import criteria_problems, policy_problems
from governance.gates.rules import evaluate_gate
from governance.models import Decision, Seat, VoteChoice
from governance.register.rules import risk_escalated, risk_severity
from portfolio.models import STAGE_ORDER
from portfolio.vocabulary import next_stage

TODAY = date(2026, 3, 2)

STATEMENT = {
    "user_team": "Tier-2 support agents handling technical tickets",
    "friction": "agents search four knowledge bases for the right runbook on every ticket",
    "cause": "runbooks are duplicated across Zendesk macros and two legacy wikis with no owner",
    "cost": "a median resolution time of 14 hours and 18% of tickets reopened within a week",
    "desired_outcome": "suggest the right runbook section, with its source, when a ticket opens",
    "success_metric": "median resolution time and reopen rate on sampled tickets",
    "constraints": "customer data stays in Zendesk and an agent approves every reply",
    "kpi": "Median resolution time",
    "baseline": "14 hours",
    "target": "9 hours",
    "target_date": "2026-06-30",
    "non_ai_alternative": "Merge the wikis into one owned knowledge base with search",
}

CRITICAL = {
    "ownership": 3,
    "success_criteria": 3,
    "security_readiness": 3,
    "privacy_legal_readiness": 3,
    "production_readiness": 3,
}
AREAS = (
    "problem_clarity",
    "strategic_relevance",
    "value_case",
    "success_criteria",
    "ownership",
    "decision_rights",
    "workflow_fit",
    "adoption_readiness",
    "data_readiness",
    "technical_feasibility",
    "security_readiness",
    "privacy_legal_readiness",
    "model_risk",
    "operational_controls",
    "vendor_readiness",
    "delivery_capacity",
    "production_readiness",
    "executive_visibility",
)


def scorecard(default: int = 4, *, age_days: int = 10, reviewed=(), **overrides: int):
    scores = {area: overrides.get(area, default) for area in AREAS}
    return AssessmentFacts(
        id=70,
        template_key="readiness_scorecard",
        template_title="AI readiness scorecard",
        submitted_on=TODAY - timedelta(days=age_days),
        total=sum(scores.values()),
        passed=None,
        item_scores=scores,
        critical_items=CRITICAL,
        item_titles={area: area.replace("_", " ").capitalize() for area in AREAS},
        reviewed_items=frozenset(reviewed),
    )


def checklist(key: str = "before_poc", *, failed=(), unanswered=False, items=7):
    ids = [f"q{n}" for n in range(1, items + 1)]
    scores = {item: (0 if item in failed else 1) for item in ids}
    if unanswered:
        scores.pop(ids[-1])
    passed = False if failed else (None if unanswered else True)
    return AssessmentFacts(
        id=80,
        template_key=key,
        template_title=key,
        submitted_on=TODAY,
        total=sum(scores.values()),
        passed=passed,
        item_scores=scores,
        item_titles={item: f"Question {item[1:]}" for item in ids},
    )


def snapshot(**changes) -> GateSnapshot:
    base = GateSnapshot(
        initiative_id=1,
        stage="pilot",
        status="active",
        today=TODAY,
        business_owner_named=True,
        delivery_owner_named=True,
        problem_statement=ProblemStatementFacts(id=5, content=STATEMENT),
        assessments={
            "readiness_scorecard": scorecard(),
            "before_poc": checklist(),
            "rollout_governance": checklist("rollout_governance", items=14),
        },
        risks=(),
        incidents=(),
    )
    return replace(base, **changes)


def check(criterion_id: str, snap: GateSnapshot, **params):
    """The one criterion's result (the built-in prohibited-practice check comes first)."""
    results = evaluate_gate([{"id": criterion_id, "params": params}], snap)
    assert [r.id for r in results][-1] == criterion_id
    return results[-1]


SCORECARD_PARAMS = {"max_age_days": 90, "min_total": 55, "critical_minimum": 3}


def check_scorecard(card: AssessmentFacts, **params) -> SimpleNamespace:
    """One verdict over the three criteria a policy saved before they were split (a
    `scorecard_ready` with `critical_minimum`) is held to: recent and high enough, no critical
    area below the minimum, every area at 1 reviewed."""
    snap = snapshot(assessments={"readiness_scorecard": card})
    criteria = [{"id": "scorecard_ready", "params": {**SCORECARD_PARAMS, **params}}]
    results = [r for r in evaluate_gate(criteria, snap) if r.id != "not_prohibited_tier"]
    assert [r.id for r in results] == [
        "scorecard_ready",
        "scorecard_critical_areas",
        "lowest_scores_reviewed",
    ]
    failing = [r for r in results if not r.passed]
    return SimpleNamespace(
        passed=not failing,
        detail=" ".join(r.detail for r in failing) if failing else results[0].detail,
        evidence_kind=results[0].evidence_kind,
        evidence_id=results[0].evidence_id,
        hard=[r.id for r in failing if r.hard],
    )


# ---------------------------------------------------------------------------------------------
# problem_statement_complete
# ---------------------------------------------------------------------------------------------


def test_a_complete_statement_passes_and_links_to_it():
    result = check("problem_statement_complete", snapshot())
    assert result.passed
    assert (result.evidence_kind, result.evidence_id) == ("problem_statement", 5)
    assert result.label == "Problem statement complete, with no blocking findings"


def test_no_problem_statement_fails_and_points_at_the_statement_page():
    result = check("problem_statement_complete", snapshot(problem_statement=None))
    assert not result.passed
    assert (result.evidence_kind, result.evidence_id) == ("problem_statement", None)
    assert "No problem statement" in result.detail


def test_a_missing_part_is_a_blocking_finding_that_fails_the_criterion():
    content = {**STATEMENT, "friction": "  "}
    result = check(
        "problem_statement_complete",
        snapshot(problem_statement=ProblemStatementFacts(id=5, content=content)),
    )
    assert not result.passed
    assert "1 blocking finding" in result.detail
    assert "Specific friction" in result.detail


def test_a_solution_named_instead_of_a_problem_fails():
    content = {**STATEMENT, "friction": "we need a chatbot for the support team"}
    result = check(
        "problem_statement_complete",
        snapshot(problem_statement=ProblemStatementFacts(id=5, content=content)),
    )
    assert not result.passed


def test_many_blocking_findings_are_summarised_with_a_count():
    result = check(
        "problem_statement_complete",
        snapshot(problem_statement=ProblemStatementFacts(id=5, content={})),
    )
    assert not result.passed
    assert "and 9 more" in result.detail


# ---------------------------------------------------------------------------------------------
# owners_named
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("business", "delivery", "passed", "words"),
    [
        (True, True, True, "Both owners"),
        (False, True, False, "No business owner named"),
        (True, False, False, "No delivery owner named"),
        (False, False, False, "No business owner and no delivery owner named"),
    ],
)
def test_both_owners_must_be_named(business, delivery, passed, words):
    result = check(
        "owners_named", snapshot(business_owner_named=business, delivery_owner_named=delivery)
    )
    assert result.passed is passed
    assert words in result.detail
    assert result.evidence_kind == "initiative"


# ---------------------------------------------------------------------------------------------
# checklist_passed
# ---------------------------------------------------------------------------------------------


def test_a_checklist_all_yes_passes_and_links_to_the_assessment():
    result = check("checklist_passed", snapshot(), template="before_poc")
    assert result.passed
    assert (result.evidence_kind, result.evidence_id) == ("assessment", 80)
    assert result.label == "Before-POC checklist all Yes"


def test_the_rollout_checklist_label_says_ready():
    assert criterion_label("checklist_passed", {"template": "rollout_governance"}) == (
        "Rollout governance checklist all Ready"
    )
    result = check("checklist_passed", snapshot(), template="rollout_governance")
    assert result.passed
    assert "Every item Ready" in result.detail


def test_a_checklist_with_a_no_fails_and_names_the_item():
    snap = snapshot(assessments={"before_poc": checklist(failed=("q3",))})
    result = check("checklist_passed", snap, template="before_poc")
    assert not result.passed
    assert "1 item not Yes: Question 3" in result.detail
    assert result.evidence_id == 80


def test_a_checklist_with_unanswered_items_fails():
    snap = snapshot(assessments={"before_poc": checklist(unanswered=True)})
    result = check("checklist_passed", snap, template="before_poc")
    assert not result.passed
    assert "unanswered" in result.detail


def test_a_missing_checklist_fails_without_evidence_id():
    result = check("checklist_passed", snapshot(assessments={}), template="before_poc")
    assert not result.passed
    assert (result.evidence_kind, result.evidence_id) == ("assessment", None)
    assert "No submitted Before-POC checklist" in result.detail


def test_an_unknown_checklist_key_still_reads_sensibly():
    assert criterion_label("checklist_passed", {"template": "other"}) == "Checklist “other” passed"


# ---------------------------------------------------------------------------------------------
# scorecard_ready
# ---------------------------------------------------------------------------------------------


def test_a_recent_strong_scorecard_passes():
    result = check_scorecard(scorecard(4))
    assert result.passed
    assert (result.evidence_kind, result.evidence_id) == ("assessment", 70)


def test_a_missing_scorecard_fails():
    result = check("scorecard_ready", snapshot(assessments={}), max_age_days=90, min_total=55)
    assert not result.passed
    assert result.evidence_id is None
    assert "No submitted readiness scorecard" in result.detail


@pytest.mark.parametrize(("age", "passed"), [(0, True), (89, True), (90, True), (91, False)])
def test_the_scorecard_may_be_at_most_max_age_days_old(age, passed):
    result = check_scorecard(scorecard(4, age_days=age))
    assert result.passed is passed
    if not passed:
        assert "91 days ago, more than 90" in result.detail


def test_a_scorecard_without_a_submission_date_fails():
    result = check_scorecard(replace(scorecard(4), submitted_on=None))
    assert not result.passed
    assert "no submission date" in result.detail


@pytest.mark.parametrize(("total", "passed"), [(54, False), (55, True), (56, True)])
def test_the_total_must_reach_min_total(total, passed):
    card = replace(scorecard(4), total=total)
    result = check_scorecard(card)
    assert result.passed is passed
    if not passed:
        assert "total 54 is below 55" in result.detail


def test_a_missing_total_fails():
    assert not check_scorecard(replace(scorecard(4), total=None)).passed


@pytest.mark.parametrize("area", sorted(CRITICAL))
@pytest.mark.parametrize(("score", "passed"), [(2, False), (3, True), (4, True)])
def test_every_critical_area_must_reach_the_critical_minimum(area, score, passed):
    result = check_scorecard(scorecard(4, **{area: score}))
    assert result.passed is passed
    if not passed:
        assert "Critical areas below 3" in result.detail
        assert result.hard == ["scorecard_critical_areas"]


def test_a_non_critical_area_at_two_does_not_fail_the_gate():
    assert check_scorecard(scorecard(4, value_case=2)).passed


def test_the_policy_may_ask_more_of_critical_areas_than_the_template():
    card = scorecard(4, ownership=3)
    assert check_scorecard(card, critical_minimum=3).passed
    result = check_scorecard(card, critical_minimum=4)
    assert not result.passed
    assert "Ownership (3)" in result.detail


def test_an_area_at_one_without_a_council_review_fails():
    result = check_scorecard(scorecard(4, value_case=1))
    assert not result.passed
    assert "Areas at 1 without a recorded council review: Value case" in result.detail
    assert result.hard == ["lowest_scores_reviewed"]


def test_an_area_at_one_with_a_council_review_passes():
    assert check_scorecard(scorecard(4, value_case=1, reviewed=("value_case",))).passed


def test_a_review_of_another_area_does_not_cover_an_area_at_one():
    assert not check_scorecard(scorecard(4, value_case=1, reviewed=("model_risk",))).passed


def test_a_critical_area_at_one_fails_even_when_reviewed():
    result = check_scorecard(scorecard(4, ownership=1, reviewed=("ownership",)))
    assert not result.passed
    assert "Critical areas below 3" in result.detail
    assert "without a recorded council review" not in result.detail


def test_every_scorecard_problem_is_listed_at_once():
    card = replace(scorecard(4, age_days=120, security_readiness=2, value_case=1), total=40)
    result = check_scorecard(card)
    assert not result.passed
    for words in ("120 days ago", "total 40", "Security readiness (2)", "Value case"):
        assert words in result.detail


def test_the_scorecard_labels_carry_the_policy_numbers():
    label = criterion_label("scorecard_ready", {"max_age_days": 30, "min_total": 75})
    assert label == "Readiness scorecard submitted within 30 days, total at least 75"
    assert criterion_label("scorecard_critical_areas", {"critical_minimum": 4}) == (
        "No critical readiness area scored below 4"
    )


def test_scorecard_params_default_when_left_out():
    card = replace(scorecard(4), total=55)
    results = evaluate_gate(
        [{"id": "scorecard_ready"}], snapshot(assessments={"readiness_scorecard": card})
    )
    assert [r.id for r in results] == ["not_prohibited_tier", "scorecard_ready"]
    assert all(r.passed for r in results)


# ---------------------------------------------------------------------------------------------
# kpi_recorded
# ---------------------------------------------------------------------------------------------


def test_kpi_baseline_and_target_recorded_passes():
    result = check("kpi_recorded", snapshot())
    assert result.passed
    assert result.detail == "Median resolution time: 14 hours → 9 hours."


@pytest.mark.parametrize(
    ("field", "word"), [("kpi", "KPI"), ("baseline", "baseline"), ("target", "target")]
)
def test_a_missing_kpi_part_fails_and_names_it(field, word):
    content = {**STATEMENT, field: "   "}
    snap = snapshot(problem_statement=ProblemStatementFacts(id=5, content=content))
    result = check("kpi_recorded", snap)
    assert not result.passed
    assert result.detail == f"Missing: {word}."
    assert result.evidence_id == 5


def test_no_problem_statement_means_no_kpi():
    result = check("kpi_recorded", snapshot(problem_statement=None))
    assert not result.passed
    assert (result.evidence_kind, result.evidence_id) == ("problem_statement", None)


# ---------------------------------------------------------------------------------------------
# no_unmitigated_high_risk
# ---------------------------------------------------------------------------------------------


def risk(id_: int, severity: int, *, status: str = "open", mitigation: str = "") -> RiskFacts:
    return RiskFacts(id_, f"Risk {id_}", severity, status, mitigation)


@pytest.mark.parametrize(
    ("severity", "mitigation", "status", "passed"),
    [
        (14, "", "open", True),  # below the threshold
        (15, "", "open", False),  # at the threshold, no mitigation
        (25, "", "open", False),
        (15, "Redact before sending", "open", True),
        (15, "   ", "open", False),  # blank mitigation is no mitigation
        (20, "", "mitigating", False),  # status alone is not a mitigation
        (20, "Vendor DPA signed", "mitigating", True),
        (25, "", "closed", True),  # closed risks are ignored
    ],
)
def test_high_severity_risks_need_a_mitigation(severity, mitigation, status, passed):
    snap = snapshot(risks=(risk(9, severity, status=status, mitigation=mitigation),))
    result = check("no_unmitigated_high_risk", snap, min_severity=15)
    assert result.passed is passed
    if not passed:
        assert (result.evidence_kind, result.evidence_id) == ("risk", 9)


def test_the_highest_unmitigated_risk_is_the_evidence():
    snap = snapshot(risks=(risk(1, 16), risk(2, 20), risk(3, 25, mitigation="Done"), risk(4, 20)))
    result = check("no_unmitigated_high_risk", snap, min_severity=15)
    assert not result.passed
    assert result.evidence_id == 2
    assert "3 open risks" in result.detail
    assert "highest 20" in result.detail


def test_the_risk_threshold_is_a_policy_parameter():
    snap = snapshot(risks=(risk(1, 10),))
    assert check("no_unmitigated_high_risk", snap, min_severity=15).passed
    assert not check("no_unmitigated_high_risk", snap, min_severity=10).passed
    assert criterion_label("no_unmitigated_high_risk", {"min_severity": 10}) == (
        "No open risk of severity 10 or more without a mitigation"
    )


def test_no_risks_pass_without_evidence():
    result = check("no_unmitigated_high_risk", snapshot())
    assert result.passed
    assert (result.evidence_kind, result.evidence_id) == ("", None)


# ---------------------------------------------------------------------------------------------
# no_open_incident
# ---------------------------------------------------------------------------------------------


def test_an_open_incident_blocks_the_gate():
    snap = snapshot(incidents=(IncidentFacts(3, "Wrong refunds sent", "open"),))
    result = check("no_open_incident", snap)
    assert not result.passed
    assert (result.evidence_kind, result.evidence_id) == ("incident", 3)
    assert "Wrong refunds sent" in result.detail


def test_a_resolved_incident_does_not_block():
    snap = snapshot(incidents=(IncidentFacts(3, "Wrong refunds sent", "resolved"),))
    assert check("no_open_incident", snap).passed


def test_no_incident_passes():
    assert check("no_open_incident", snapshot()).passed


# ---------------------------------------------------------------------------------------------
# evaluate_gate
# ---------------------------------------------------------------------------------------------


def test_results_follow_the_policy_order():
    criteria = [{"id": "no_open_incident"}, {"id": "owners_named"}, {"id": "kpi_recorded"}]
    ids = [result.id for result in evaluate_gate(criteria, snapshot())]
    # The built-in prohibited-practice check first, then the policy's own, in its order.
    assert ids == ["not_prohibited_tier", "no_open_incident", "owners_named", "kpi_recorded"]


def test_an_unknown_criterion_fails_instead_of_passing_silently():
    result = evaluate_gate([{"id": "vibes_good"}], snapshot())[-1]
    assert not result.passed
    assert result.hard  # nothing may override a criterion nobody can check
    assert result.label == "Unknown criterion “vibes_good”"
    assert result.evidence_kind == ""


def test_every_default_policy_passes_on_a_ready_initiative():
    ready = snapshot(
        assessments={
            "readiness_scorecard": scorecard(5),
            "before_poc": checklist(),
            "rollout_governance": checklist("rollout_governance", items=14),
        }
    )
    policies = default_policy_definitions()
    assert policies
    for policy in policies:
        results = evaluate_gate(policy.criteria, ready)
        assert all(result.passed for result in results), (policy.title, results)


def test_results_serialise_for_the_frozen_evidence():
    result = evaluate_gate([{"id": "owners_named", "hard": True}], snapshot())[-1]
    assert json.loads(json.dumps(result.as_dict())) == {
        "id": "owners_named",
        "label": "Business owner and delivery owner named",
        "passed": True,
        "detail": "Both owners are named.",
        "evidence_kind": "initiative",
        "evidence_id": None,
        "hard": True,
    }


def test_every_criterion_says_what_kind_of_evidence_it_links_to():
    snap = snapshot(
        risks=(risk(1, 25),),
        incidents=(IncidentFacts(2, "x", "open"),),
        problem_statement=None,
        assessments={},
    )
    assert criterion_rules.CRITERIA
    for criterion_id in criterion_rules.CRITERIA:
        result = evaluate_gate([{"id": criterion_id}], snap)[-1]
        assert result.id == criterion_id
        assert result.evidence_kind in criterion_rules.EVIDENCE_KINDS


# ---------------------------------------------------------------------------------------------
# Policy validation
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("criteria", "words"),
    [
        ("owners_named", "must be a list"),
        ([], "at least one criterion"),
        (["owners_named"], "must be an object"),
        ([{"id": "nope"}], "“nope” is not one of"),
        ([{"id": "owners_named", "extra": 1}], "unknown keys extra"),
        ([{"id": "owners_named", "params": []}], "params must be an object"),
        ([{"id": "owners_named", "params": {"x": 1}}], "unknown parameter “x”"),
        ([{"id": "checklist_passed"}], "template is required"),
        ([{"id": "checklist_passed", "params": {"template": " "}}], "template is required"),
        ([{"id": "scorecard_ready", "params": {"min_total": "55"}}], "whole number"),
        ([{"id": "scorecard_ready", "params": {"min_total": True}}], "whole number"),
        ([{"id": "scorecard_critical_areas", "params": {"critical_minimum": 0}}], "at least 3"),
        # The seeds' rule: no use case scales with a critical area below 3.
        ([{"id": "scorecard_critical_areas", "params": {"critical_minimum": 2}}], "at least 3"),
        ([{"id": "scorecard_critical_areas", "params": {"critical_minimum": 6}}], "at most 5"),
        ([{"id": "scorecard_ready", "params": {"max_age_days": 0}}], "at least 1"),
        ([{"id": "no_unmitigated_high_risk", "params": {"min_severity": 26}}], "at most 25"),
        ([{"id": "owners_named"}, {"id": "owners_named"}], "listed twice"),
    ],
)
def test_invalid_criteria_are_explained(criteria, words):
    problems = criteria_problems(criteria)
    assert any(words in problem for problem in problems), problems


def test_valid_criteria_have_no_problems():
    assert (
        criteria_problems(
            [
                {"id": "checklist_passed", "params": {"template": "before_poc"}},
                {"id": "checklist_passed", "params": {"template": "rollout_governance"}},
                {"id": "scorecard_ready", "params": {"max_age_days": 1}},
                {"id": "scorecard_critical_areas", "params": {"critical_minimum": 5}, "hard": True},
                {"id": "no_unmitigated_high_risk", "params": {"min_severity": 1}},
            ]
        )
        == []
    )


@pytest.mark.parametrize(
    ("quorum", "seats", "field", "words"),
    [
        (0, [], "quorum", "at least 1"),
        (True, [], "quorum", "whole number"),
        ("2", [], "quorum", "whole number"),
        (2, ["security", "janitor"], "required_seats", "Unknown seat: janitor"),
        (2, ["legal", "legal"], "required_seats", "listed twice"),
        (2, "legal", "required_seats", "must be a list"),
    ],
)
def test_invalid_quorum_and_seats_are_explained(quorum, seats, field, words):
    errors = policy_problems(criteria=[{"id": "owners_named"}], quorum=quorum, required_seats=seats)
    assert list(errors) == [field]
    assert words in errors[field][0]


# ---------------------------------------------------------------------------------------------
# Tally
# ---------------------------------------------------------------------------------------------

A, AC, R, AB = "approve", "approve_with_conditions", "reject", "abstain"


@pytest.mark.parametrize(
    ("votes", "quorum", "seats", "expected"),
    [
        # no votes: nothing can be decided
        (
            [],
            2,
            ["security"],
            {
                "votes_cast": 0,
                "quorum_met": False,
                "can_decide": False,
                "can_go": False,
                "missing_seats": ("security",),
            },
        ),
        # quorum not met even with every seat approving
        (
            [("security", A)],
            2,
            ["security"],
            {"quorum_met": False, "can_go": False, "missing_seats": ()},
        ),
        # quorum met exactly, seats met, approvals win
        (
            [("security", A), ("legal", AC)],
            2,
            ["security", "legal"],
            {
                "approvals": 1,
                "approvals_with_conditions": 1,
                "quorum_met": True,
                "can_decide": True,
                "can_go": True,
                "missing_seats": (),
            },
        ),
        # a required seat that rejected is missing: hold/kill only
        (
            [("security", A), ("legal", R), ("data", A)],
            2,
            ["security", "legal"],
            {"rejections": 1, "can_decide": True, "can_go": False, "missing_seats": ("legal",)},
        ),
        # a required seat that abstained is missing
        (
            [("security", A), ("legal", AB)],
            2,
            ["security", "legal"],
            {"abstentions": 1, "quorum_met": True, "can_go": False, "missing_seats": ("legal",)},
        ),
        # abstentions count towards quorum
        (
            [("data", AB), ("product", AB)],
            2,
            [],
            {"quorum_met": True, "can_decide": True, "can_go": False},
        ),
        # approvals must outnumber rejections: a tie is not a go
        ([("security", A), ("data", R)], 2, ["security"], {"can_decide": True, "can_go": False}),
        (
            [("security", A), ("product", A), ("data", R)],
            3,
            ["security"],
            {"can_go": True, "rejections": 1},
        ),
        # a vote without a seat counts for quorum but meets no seat
        (
            [("", A), ("", A)],
            2,
            ["executive"],
            {"quorum_met": True, "can_go": False, "missing_seats": ("executive",)},
        ),
        # no required seats: quorum and majority decide
        ([("", A)], 1, [], {"can_go": True}),
        # several members of one seat: one approval is enough
        (
            [("security", R), ("security", AC), ("legal", A)],
            3,
            ["security", "legal"],
            {"can_go": True, "missing_seats": ()},
        ),
        # missing seats keep the policy's order, without duplicates
        (
            [("data", A)],
            1,
            ["legal", "security", "legal"],
            {"missing_seats": ("legal", "security")},
        ),
        # an unknown choice is ignored
        ([("security", "maybe")], 1, [], {"votes_cast": 0, "quorum_met": False}),
    ],
)
def test_tally(votes, quorum, seats, expected):
    result = tally([VoteInput(*vote) for vote in votes], quorum=quorum, required_seats=seats)
    assert expected
    for name, value in expected.items():
        assert getattr(result, name) == value, name


def test_go_blockers_say_everything_that_is_missing():
    result = tally([VoteInput("data", R)], quorum=2, required_seats=["security"])
    blockers = go_blockers(result, quorum=2)
    assert blockers == (
        "quorum is 2 votes and 1 were cast",
        "no approval yet from the security seat(s)",
        "0 approving vote(s) do not outnumber 1 rejection(s)",
    )
    ok = tally([VoteInput("security", A), VoteInput("legal", A)], quorum=2, required_seats=[])
    assert go_blockers(ok, quorum=2) == ()


# ---------------------------------------------------------------------------------------------
# Recusal and conditions
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("voter", "owners", "recused"),
    [
        (7, (7, 8, None), True),  # business owner
        (9, (7, 8, 9), True),  # sponsor
        (3, (7, 8, 9), False),
        (3, (None, None), False),
        (None, (None, 7), False),  # an anonymous voter is not "recused"
        (3, (), False),
    ],
)
def test_owners_and_sponsors_are_recused(voter, owners, recused):
    assert is_recused(voter, owners) is recused


def test_conditions_are_one_per_non_blank_line():
    text = "- Add a kill switch\n\n  • Run the bias eval on the May data  \n* \nWeekly report"
    assert parse_conditions(text) == (
        "Add a kill switch",
        "Run the bias eval on the May data",
        "Weekly report",
    )
    assert parse_conditions("") == ()


# ---------------------------------------------------------------------------------------------
# Material change after approval
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after", "material"),
    [
        ("assistant", "agent", True),
        ("agent", "automated_workflow", True),
        ("assistant", "automated_workflow", True),
        ("agent", "assistant", False),
        ("agent", "agent", False),
        ("unknown", "agent", False),
    ],
)
def test_autonomy_level_moving_up_is_material(before, after, material):
    found = material_changes({"autonomy_level": [before, after]})
    assert bool(found) is material
    if material:
        assert found == (MaterialChange("autonomy_level", "Autonomy level raised", before, after),)


@pytest.mark.parametrize(
    ("before", "after", "material"),
    [
        # Lowered: fewer obligations, so the council must agree it really is lower risk.
        ("limited", "minimal", True),
        ("high", "limited", True),
        ("prohibited", "high", True),
        ("high", "minimal", True),
        # Raised: the heavier tier applies at once, no review needed.
        ("minimal", "limited", False),
        ("limited", "high", False),
        ("high", "prohibited", False),
        ("high", "high", False),
        ("unknown", "minimal", False),
    ],
)
def test_eu_ai_act_tier_moving_down_is_material(before, after, material):
    found = material_changes({"eu_ai_act_tier": [before, after]})
    assert bool(found) is material
    if material:
        assert found == (MaterialChange("eu_ai_act_tier", "EU AI Act tier lowered", before, after),)


@pytest.mark.parametrize(
    ("before", "after", "material"),
    [
        ([], ["Acme"], True),
        (["Acme"], ["Acme", "Zeta"], True),
        (["Acme"], ["Zeta"], True),  # swapped: a new name
        (["Acme", "Zeta"], ["Acme"], False),  # dropping a vendor is not
        (["Acme", "Zeta"], ["Zeta", "Acme"], False),
        (None, None, False),
    ],
)
def test_a_new_vendor_is_material(before, after, material):
    assert bool(material_changes({"vendors": [before, after]})) is material


@pytest.mark.parametrize("field", ["kpi", "target"])
@pytest.mark.parametrize(
    ("before", "after", "material"),
    [
        ("9 hours", "6 hours", True),
        ("", "9 hours", True),
        ("9 hours", "", True),
        ("9 hours", " 9 hours ", False),
        (None, "", False),
    ],
)
def test_the_kpi_or_target_changing_is_material(field, before, after, material):
    found = material_changes({f"problem_statement.{field}": [before, after]})
    assert bool(found) is material
    if material:
        assert found[0].field == f"problem_statement.{field}"


def test_other_changes_are_not_material():
    changes = {
        "title": ["a", "b"],
        "problem_statement.baseline": ["14 hours", "12 hours"],
        "problem_statement.friction": ["x", "y"],
        "monthly_run_cost": ["10", "10000"],
    }
    assert material_changes(changes) == ()


def test_several_material_changes_are_all_reported():
    found = material_changes(
        {
            "autonomy_level": ["assistant", "agent"],
            "eu_ai_act_tier": ["high", "limited"],
            "vendors": [[], ["Acme"]],
            "problem_statement.kpi": ["a", "b"],
            "problem_statement.target": ["1", "2"],
        }
    )
    assert [change.field for change in found] == [
        "autonomy_level",
        "eu_ai_act_tier",
        "vendors",
        "problem_statement.kpi",
        "problem_statement.target",
    ]
    assert found[2].as_dict() == {
        "field": "vendors",
        "label": "New vendor",
        "before": [],
        "after": ["Acme"],
    }


# ---------------------------------------------------------------------------------------------
# Pilot purgatory
# ---------------------------------------------------------------------------------------------

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def purgatory(**kwargs) -> bool:
    values = {
        "stage": "pilot",
        "stage_changed_at": NOW - timedelta(days=100),
        "last_decision_at": None,
        "now": NOW,
        "days": 90,
    }
    values.update(kwargs)
    return in_pilot_purgatory(**values)


@pytest.mark.parametrize(
    ("in_pilot_for", "flagged"),
    [
        (timedelta(days=89), False),
        (timedelta(days=90), False),  # exactly the window: not yet
        (timedelta(days=90, seconds=1), True),
        (timedelta(days=365), True),
    ],
)
def test_pilot_longer_than_the_window_without_a_decision_is_purgatory(in_pilot_for, flagged):
    assert purgatory(stage_changed_at=NOW - in_pilot_for) is flagged


def test_the_window_is_configurable():
    assert purgatory(stage_changed_at=NOW - timedelta(days=31), days=30)
    assert not purgatory(stage_changed_at=NOW - timedelta(days=29), days=30)


@pytest.mark.parametrize("stage", [s for s in STAGE_ORDER if s != "pilot"])
def test_only_pilot_can_be_purgatory(stage):
    assert not purgatory(stage=stage, stage_changed_at=NOW - timedelta(days=400))


@pytest.mark.parametrize(
    ("status", "flagged"), [("active", True), ("paused", False), ("stopped", False)]
)
def test_only_an_active_pilot_drifts(status, flagged):
    assert purgatory(status=status) is flagged


def test_a_recent_gate_decision_restarts_the_clock():
    assert not purgatory(last_decision_at=NOW - timedelta(days=10))
    assert purgatory(last_decision_at=NOW - timedelta(days=91))


def test_a_decision_before_entering_pilot_does_not_restart_the_clock():
    assert purgatory(
        stage_changed_at=NOW - timedelta(days=100), last_decision_at=NOW - timedelta(days=200)
    )


def test_no_known_start_is_not_purgatory():
    assert not purgatory(stage_changed_at=None)
    assert purgatory(stage_changed_at=None, last_decision_at=NOW - timedelta(days=95))


# ---------------------------------------------------------------------------------------------
# Risks
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("likelihood", "impact", "severity"), [(1, 1, 1), (3, 5, 15), (5, 5, 25), (2, 4, 8)]
)
def test_severity_is_likelihood_times_impact(likelihood, impact, severity):
    assert risk_severity(likelihood, impact) == severity


@pytest.mark.parametrize(("likelihood", "impact"), [(0, 3), (6, 1), (3, 0), (True, 3), (2.5, 2)])
def test_likelihood_and_impact_are_one_to_five(likelihood, impact):
    with pytest.raises(ValueError, match="from 1 to 5"):
        risk_severity(likelihood, impact)


@pytest.mark.parametrize(("severity", "escalated"), [(14, False), (15, True), (16, True)])
def test_a_risk_escalates_at_its_threshold(severity, escalated):
    assert risk_escalated(severity, 15) is escalated


# ---------------------------------------------------------------------------------------------
# Vocabulary and shipped policies
# ---------------------------------------------------------------------------------------------


def test_the_council_rules_vocabulary_matches_the_models():
    assert set(council_rules.SEAT_IDS) == set(Seat.values)
    assert set(council_rules.VOTE_CHOICES) == set(VoteChoice.values)
    assert set(Decision.values) == {"go", "hold", "kill", "iterate"}


def test_next_stage_follows_the_lifecycle():
    assert [next_stage(stage) for stage in STAGE_ORDER] == [
        "pilot",
        "controlled_rollout",
        "scale",
        "operation",
        None,
    ]
    assert next_stage("nowhere") is None


def test_the_default_policies_cover_every_transition_with_the_seats_from_the_domain():
    by_transition = {(p.from_stage, p.to_stage): p for p in default_policy_definitions()}
    assert list(by_transition) == list(zip(STAGE_ORDER, STAGE_ORDER[1:], strict=False))
    seats = {key: set(policy.required_seats) for key, policy in by_transition.items()}
    assert seats[("exploration", "pilot")] == {"product"}
    assert seats[("pilot", "controlled_rollout")] == {"security", "legal"}
    assert "executive" in seats[("controlled_rollout", "scale")]
    assert seats[("scale", "operation")] == {"executive"}
    assert by_transition
    for policy in by_transition.values():
        assert policy.decider_roles == ("council_member",)
        assert policy.quorum >= 1


def test_the_default_policies_carry_the_issue_criteria():
    def ids(key):
        policy = next(p for p in default_policy_definitions() if p.from_stage == key)
        return {(c["id"], c.get("params", {}).get("template")) for c in policy.criteria}

    pilot = ids("exploration")
    assert ("checklist_passed", "before_poc") in pilot
    for key in ("pilot", "controlled_rollout", "scale"):
        assert ("checklist_passed", "rollout_governance") in ids(key)
        assert ("scorecard_ready", None) in ids(key)
    assert ("no_open_incident", None) in ids("controlled_rollout")  # an incident blocks scale
    assert STAGE_ORDER[:-1]
    for key in STAGE_ORDER[:-1]:
        for criterion in (
            "problem_statement_complete",
            "owners_named",
            "kpi_recorded",
            "no_unmitigated_high_risk",
        ):
            assert (criterion, None) in ids(key)
    scale = next(p for p in default_policy_definitions() if p.to_stage == "scale")
    card = next(c for c in scale.criteria if c["id"] == "scorecard_ready")
    assert card["params"]["min_total"] == 75  # "strong readiness" band
    assert not card["hard"]  # the council may override it, with a recorded justification
    critical = next(c for c in scale.criteria if c["id"] == "scorecard_critical_areas")
    assert critical["params"]["critical_minimum"] == 3  # the decision rule
    assert critical["hard"]
    assert default_policy_definitions()
    for policy in default_policy_definitions():
        hard = {c["id"] for c in policy.criteria if c["hard"]}
        assert {"not_prohibited_tier", "lowest_scores_reviewed"} <= hard
    assert ("checklist_passed", "before_poc") in {
        (c["id"], c["params"].get("template"))
        for c in next(p for p in default_policy_definitions() if p.to_stage == "pilot").criteria
        if c["hard"]
    }


def test_a_policy_file_with_a_skipped_stage_is_refused(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(
        json.dumps(
            {
                "policies": [
                    {
                        "from_stage": "exploration",
                        "to_stage": "scale",
                        "title": "x",
                        "criteria": [{"id": "owners_named"}],
                        "decider_roles": ["council_member"],
                        "quorum": 1,
                        "required_seats": [],
                    }
                ]
            }
        )
    )
    with pytest.raises(ValueError, match="next stage"):
        default_policy_definitions(path)


def test_a_policy_file_with_an_invalid_criterion_is_refused(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(
        json.dumps(
            {
                "policies": [
                    {
                        "from_stage": "exploration",
                        "to_stage": "pilot",
                        "title": "x",
                        "criteria": [{"id": "nope"}],
                        "decider_roles": ["council_member"],
                        "quorum": 1,
                        "required_seats": [],
                    }
                ]
            }
        )
    )
    with pytest.raises(ValueError, match="nope"):
        default_policy_definitions(path)
    path.write_text("[]")
    with pytest.raises(ValueError, match="policies"):
        default_policy_definitions(path)
