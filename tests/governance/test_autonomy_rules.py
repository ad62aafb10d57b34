"""The pure rules of autonomy promotions: the five conditions, the next level, the evidence."""

from __future__ import annotations

import pytest

from governance.gates.autonomy_rules import (
    AUTONOMY_CONDITION_IDS,
    AUTONOMY_CONDITIONS,
    AUTONOMY_LEVEL_NAMES,
    EVIDENCE_MAX_CHARS,
    EVIDENCE_MIN_CHARS,
    cleaned_evidence,
    evidence_problems,
    level_name,
    next_autonomy_level,
    promotion_target_problem,
)
from portfolio.vocabulary import AUTONOMY_ORDER
from tests.governance.autonomy_support import GOOD_EVIDENCE


def test_the_five_conditions_are_those_of_the_domain_in_order():
    assert AUTONOMY_CONDITION_IDS == (
        "precision",
        "safety",
        "stability",
        "observability",
        "business_proof",
    )
    assert [c.label for c in AUTONOMY_CONDITIONS] == [
        "Precision",
        "Safety",
        "Stability",
        "Observability",
        "Business proof",
    ]
    assert all(condition.explanation for condition in AUTONOMY_CONDITIONS)


def test_every_level_has_a_short_name():
    assert set(AUTONOMY_LEVEL_NAMES) == set(AUTONOMY_ORDER)
    assert level_name("automated_workflow") == "Automated workflow"
    assert level_name("unknown") == "unknown"


@pytest.mark.parametrize(
    ("level", "following"),
    [
        ("assistant", "agent"),
        ("agent", "automated_workflow"),
        ("automated_workflow", None),
        ("unknown", None),
        ("", None),
    ],
)
def test_the_next_level_is_one_step_up(level, following):
    assert next_autonomy_level(level) == following


@pytest.mark.parametrize(
    ("current", "requested", "problem"),
    [
        ("assistant", None, ""),
        ("assistant", "agent", ""),
        ("agent", None, ""),
        ("agent", "automated_workflow", ""),
        ("assistant", "automated_workflow", "One level at a time"),
        ("agent", "agent", "A promotion moves up"),
        ("agent", "assistant", "Lowering the level is a plain edit"),
        ("assistant", "robot", "“robot” is not an autonomy level"),
        ("automated_workflow", None, "already at the highest autonomy level"),
        ("automated_workflow", "agent", "already at the highest autonomy level"),
        ("unknown", None, "“unknown” is not an autonomy level"),
    ],
)
def test_a_promotion_goes_exactly_one_level_up(current, requested, problem):
    found = promotion_target_problem(current, requested)
    if problem:
        assert problem in found
    else:
        assert found == ""


def test_complete_evidence_has_no_problems():
    assert evidence_problems(GOOD_EVIDENCE) == {}


@pytest.mark.parametrize("condition", AUTONOMY_CONDITION_IDS)
def test_each_condition_is_required(condition):
    evidence = {**GOOD_EVIDENCE}
    del evidence[condition]
    problems = evidence_problems(evidence)
    assert list(problems) == [condition]
    assert problems[condition].startswith("Evidence is required.")


@pytest.mark.parametrize("blank", ["", "   ", "\n\t", None])
def test_blank_evidence_counts_as_missing(blank):
    problems = evidence_problems({**GOOD_EVIDENCE, "safety": blank})
    assert list(problems) == ["safety"]
    assert "Evidence is required" in problems["safety"]


def test_evidence_must_be_at_least_the_minimum_length_after_collapsing_space():
    just_enough = "x" * EVIDENCE_MIN_CHARS
    one_short = "x" * (EVIDENCE_MIN_CHARS - 1)
    assert evidence_problems({**GOOD_EVIDENCE, "precision": just_enough}) == {}
    problems = evidence_problems({**GOOD_EVIDENCE, "precision": one_short})
    assert "too short to be evidence (at least 20 characters)" in problems["precision"]
    # Runs of whitespace count once: "see    jira    done" is 13 characters of evidence.
    spaced = "see" + " " * 10 + "jira" + " " * 10 + "done"
    assert len(spaced) >= EVIDENCE_MIN_CHARS
    assert "too short" in evidence_problems({**GOOD_EVIDENCE, "precision": spaced})["precision"]


def test_evidence_may_not_exceed_the_maximum_length():
    at_limit = "x" * EVIDENCE_MAX_CHARS
    assert evidence_problems({**GOOD_EVIDENCE, "observability": at_limit}) == {}
    problems = evidence_problems({**GOOD_EVIDENCE, "observability": at_limit + "x"})
    assert problems == {"observability": "Keep the evidence under 4000 characters."}


@pytest.mark.parametrize(
    ("text", "missing"),
    [
        ("Error rate 0.8% and 0.6% over the last four weeks, well under 1%.", "“sprint” and"),
        ("Error rate under 1% in sprints 14 and 15, both within target.", "“error budget”"),
        ("Two quiet weeks in production without any complaint from users.", "“sprint” and"),
    ],
)
def test_stability_evidence_must_name_the_sprints_and_the_error_budget(text, missing):
    problems = evidence_problems({**GOOD_EVIDENCE, "stability": text})
    assert list(problems) == ["stability"]
    assert missing in problems["stability"]
    assert "two consecutive sprints" in problems["stability"]


def test_the_mentions_are_case_insensitive():
    text = "SPRINTS 14 and 15 stayed inside the Error Budget of 1%."
    assert evidence_problems({**GOOD_EVIDENCE, "stability": text}) == {}


def test_unknown_conditions_are_refused_by_name():
    problems = evidence_problems({**GOOD_EVIDENCE, "vibes": "The team feels good about it."})
    assert list(problems) == ["vibes"]
    assert "is not one of the five conditions" in problems["vibes"]


@pytest.mark.parametrize("value", [42, ["a list of things that is long"], {"a": "b"}, True])
def test_evidence_must_be_text(value):
    problems = evidence_problems({**GOOD_EVIDENCE, "business_proof": value})
    assert problems == {"business_proof": "Give the evidence as text."}


@pytest.mark.parametrize("evidence", [None, "all good", ["precision"], 5])
def test_evidence_that_is_not_an_object_is_reported_once(evidence):
    problems = evidence_problems(evidence)
    assert list(problems) == ["evidence"]
    assert "precision, safety, stability, observability, business_proof" in problems["evidence"]


def test_every_problem_is_reported_at_once():
    problems = evidence_problems({"precision": "ok", "stability": "fine for a while now, really"})
    assert set(problems) == {"precision", "safety", "stability", "observability", "business_proof"}


def test_cleaned_evidence_keeps_the_five_in_order_without_surrounding_space():
    messy = {key: f"  {value}\n" for key, value in reversed(GOOD_EVIDENCE.items())}
    messy["safety"] = "  Redlines verified.\n\nData policy signed off by legal.  "
    cleaned = cleaned_evidence(messy)
    assert list(cleaned) == list(AUTONOMY_CONDITION_IDS)
    assert cleaned["precision"] == GOOD_EVIDENCE["precision"]
    assert cleaned["safety"] == "Redlines verified.\n\nData policy signed off by legal."
