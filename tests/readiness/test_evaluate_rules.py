"""The pure readiness rules: shipped template data and ``evaluate``.

Runs without Django settings: ``pytest tests/readiness/test_evaluate_rules.py -p no:django``.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from readiness.rules import (
    TEMPLATES_DATA_DIR,
    VERDICT_INCOMPLETE,
    VERDICT_ONLY_READY_TO_DISCUSS,
    VERDICT_READY_TO_SCALE,
    AnswerError,
    AnswerType,
    TemplateDefinition,
    TemplateDefinitionError,
    evaluate,
    load_shipped_templates,
    load_template_file,
)

SCORECARD_IDS = (
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
CRITICAL_IDS = (
    "ownership",
    "success_criteria",
    "security_readiness",
    "privacy_legal_readiness",
    "production_readiness",
)
# No item at the lowest level and every critical item at its minimum: the weakest answers that
# can still be ready to scale, once the total is high enough.
NOTHING_FLAGGED = dict.fromkeys(SCORECARD_IDS, 2) | dict.fromkeys(CRITICAL_IDS, 3)

EXPECTED_TEMPLATES = {
    # id: (number of items, answer type, applies to)
    "readiness_scorecard": (18, "score_1_5", "initiative"),
    "rollout_governance": (14, "ready_not_ready", "initiative"),
    "vendor_evaluation": (12, "ready_not_ready", "vendor"),
    "ai_feature_readiness": (8, "yes_no", "initiative"),
    "before_poc": (7, "yes_no", "initiative"),
    "poc_to_production": (7, "yes_no", "initiative"),
    "use_case_guardrails": (5, "yes_no", "initiative"),
}
FEATURE_GATES = (
    "problem_framing",
    "data_fitness",
    "privacy_legal",
    "model_selection",
    "ux_guardrails",
    "human_in_the_loop",
    "observability",
    "decision",
)


@cache
def shipped(template_id: str) -> TemplateDefinition:
    return load_template_file(TEMPLATES_DATA_DIR / f"{template_id}.json")


def scorecard() -> TemplateDefinition:
    return shipped("readiness_scorecard")


def scorecard_answers(
    total: int,
    *,
    fixed: Mapping[str, int] | None = None,
    minimums: Mapping[str, int] | None = None,
) -> dict[str, int]:
    """Scores for all 18 areas summing to ``total``.

    ``fixed`` areas keep their score; every other area starts at its entry in ``minimums``
    (default 1) and is raised one point at a time, round-robin, up to 5.
    """
    fixed = dict(fixed or {})
    minimums = minimums or {}
    free = [item_id for item_id in SCORECARD_IDS if item_id not in fixed]
    scores = {item_id: minimums.get(item_id, 1) for item_id in free}
    remaining = total - sum(fixed.values()) - sum(scores.values())
    if not 0 <= remaining <= sum(5 - score for score in scores.values()):
        raise ValueError(f"cannot reach {total} with fixed={fixed} and minimums={minimums}")
    while remaining:
        for item_id in free:
            if remaining and scores[item_id] < 5:
                scores[item_id] += 1
                remaining -= 1
    scores |= fixed
    return {item_id: scores[item_id] for item_id in SCORECARD_IDS}


def yes_no(template_id: str, *, no: tuple[str, ...] = ()) -> dict[str, str]:
    return {
        item_id: ("no" if item_id in no else "yes") for item_id in shipped(template_id).item_ids
    }


def scorecard_document() -> dict[str, Any]:
    return copy.deepcopy(scorecard().to_dict())


# ---------------------------------------------------------------------------------------------
# The helper itself
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("total", [18, 34, 35, 54, 55, 74, 75, 80, 90])
def test_scorecard_answers_helper_hits_the_target_total(total: int) -> None:
    answers = scorecard_answers(total)

    assert sum(answers.values()) == total
    assert set(answers) == set(SCORECARD_IDS)
    assert all(1 <= score <= 5 for score in answers.values())


def test_scorecard_answers_helper_respects_fixed_scores_and_minimums() -> None:
    answers = scorecard_answers(80, fixed={"ownership": 2}, minimums=NOTHING_FLAGGED)

    assert answers["ownership"] == 2
    assert sum(answers.values()) == 80
    assert all(answers[i] >= NOTHING_FLAGGED[i] for i in SCORECARD_IDS if i != "ownership")


def test_scorecard_answers_helper_refuses_an_unreachable_total() -> None:
    with pytest.raises(ValueError):
        scorecard_answers(40, minimums=NOTHING_FLAGGED)


# ---------------------------------------------------------------------------------------------
# Shipped template data
# ---------------------------------------------------------------------------------------------


def test_exactly_the_seven_templates_ship() -> None:
    files = sorted(path.stem for path in TEMPLATES_DATA_DIR.glob("*.json"))

    assert files == sorted(EXPECTED_TEMPLATES)
    assert sorted(load_shipped_templates()) == sorted(EXPECTED_TEMPLATES)


@pytest.mark.parametrize("template_id", sorted(EXPECTED_TEMPLATES))
def test_every_shipped_template_loads_and_validates(template_id: str) -> None:
    template = shipped(template_id)
    item_count, answer_type, applies_to = EXPECTED_TEMPLATES[template_id]

    assert template.id == template_id
    assert template.version == 1
    assert len(template.items) == item_count
    assert template.answer_type == answer_type
    assert template.applies_to == applies_to
    assert template.source.startswith("seeds/")


@pytest.mark.parametrize("template_id", sorted(EXPECTED_TEMPLATES))
def test_shipped_template_round_trips_to_the_same_document(template_id: str) -> None:
    path = TEMPLATES_DATA_DIR / f"{template_id}.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    template = shipped(template_id)

    assert template.to_dict() == document
    assert TemplateDefinition.from_dict(template.to_dict()) == template


@pytest.mark.parametrize("template_id", sorted(EXPECTED_TEMPLATES))
def test_best_answers_reach_the_top_band_and_are_ready(template_id: str) -> None:
    template = shipped(template_id)
    best = 5 if template.answer_type is AnswerType.SCORE_1_5 else True

    result = evaluate(template, dict.fromkeys(template.item_ids, best))

    assert result.complete
    assert result.total == result.max_total == template.max_total
    assert result.band == template.rules.bands[-1]
    assert result.ready_to_scale
    assert result.passed is (True if template.rules.all_must_pass else None)
    json.dumps(result.as_dict())


@pytest.mark.parametrize("template_id", sorted(EXPECTED_TEMPLATES))
def test_worst_answers_reach_the_bottom_band_and_are_not_ready(template_id: str) -> None:
    template = shipped(template_id)
    worst = 1 if template.answer_type is AnswerType.SCORE_1_5 else False

    result = evaluate(template, dict.fromkeys(template.item_ids, worst))

    assert result.complete
    assert result.band == template.rules.bands[0]
    assert not result.ready_to_scale
    assert result.passed is (False if template.rules.all_must_pass else None)


def test_scorecard_has_the_eighteen_domain_ids_in_order() -> None:
    assert scorecard().item_ids == SCORECARD_IDS


def test_scorecard_rules_are_the_seed_interpretation_and_decision_rule() -> None:
    rules = scorecard().rules

    assert [(b.min, b.max, b.id, b.recommended_action) for b in rules.bands] == [
        (18, 34, "low", "Do not scale"),
        (35, 54, "weak", "Keep in pilot or redesign"),
        (55, 74, "moderate", "Proceed only with targeted gap closure"),
        (75, 90, "strong", "Proceed to controlled rollout"),
    ]
    assert dict(rules.critical_items) == dict.fromkeys(CRITICAL_IDS, 3)
    assert rules.lowest_level_needs_review
    assert not rules.sequential
    assert not rules.all_must_pass


def test_scorecard_guidance_is_specific_to_each_item_and_level() -> None:
    assert scorecard().items
    for level in ("1", "2", "3", "4", "5"):
        texts = [item.guidance[level] for item in scorecard().items]
        assert len(set(texts)) == len(texts), f"level {level} guidance repeats across items"
    for item in scorecard().items:
        assert len(set(item.guidance.values())) == 5, item.id


def test_checklist_guidance_says_what_counts_as_a_pass() -> None:
    for template_id in EXPECTED_TEMPLATES:
        template = shipped(template_id)
        if template.answer_type is AnswerType.SCORE_1_5:
            continue
        assert template.items, template_id
        for item in template.items:
            assert isinstance(item.guidance, str)
            assert item.guidance.startswith(("Yes", "Ready")), (template_id, item.id)


def test_ai_feature_readiness_gates_are_the_eight_in_seed_order() -> None:
    template = shipped("ai_feature_readiness")

    assert template.item_ids == FEATURE_GATES
    assert template.rules.sequential


# ---------------------------------------------------------------------------------------------
# Readiness scorecard: totals and bands
# ---------------------------------------------------------------------------------------------


def test_all_eighteen_areas_at_one_is_eighteen_and_low() -> None:
    result = evaluate(scorecard(), dict.fromkeys(SCORECARD_IDS, 1))

    assert result.total == 18
    assert result.max_total == 90
    assert result.band is not None
    assert result.band.id == "low"
    assert result.recommended_action == "Do not scale"
    assert result.items_needing_review == SCORECARD_IDS
    assert {b.item_id for b in result.blocking_items} == set(CRITICAL_IDS)
    assert not result.ready_to_scale
    assert result.verdict == VERDICT_ONLY_READY_TO_DISCUSS


@pytest.mark.parametrize(
    ("total", "band_id", "recommended_action"),
    [
        (18, "low", "Do not scale"),
        (34, "low", "Do not scale"),
        (35, "weak", "Keep in pilot or redesign"),
        (54, "weak", "Keep in pilot or redesign"),
        (55, "moderate", "Proceed only with targeted gap closure"),
        (74, "moderate", "Proceed only with targeted gap closure"),
        (75, "strong", "Proceed to controlled rollout"),
        (90, "strong", "Proceed to controlled rollout"),
    ],
)
def test_total_maps_to_its_band(total: int, band_id: str, recommended_action: str) -> None:
    result = evaluate(scorecard(), scorecard_answers(total))

    assert result.complete
    assert result.total == total
    assert result.band is not None
    assert result.band.id == band_id
    assert result.recommended_action == recommended_action


@pytest.mark.parametrize(
    ("total", "band_id", "ready"),
    [(54, "weak", False), (55, "moderate", False), (74, "moderate", False), (75, "strong", True)],
)
def test_only_the_strong_band_is_ready_to_scale(total: int, band_id: str, ready: bool) -> None:
    result = evaluate(scorecard(), scorecard_answers(total, minimums=NOTHING_FLAGGED))

    assert result.band is not None
    assert result.band.id == band_id
    assert result.blocking_items == ()
    assert result.items_needing_review == ()
    assert result.ready_to_scale is ready
    assert result.verdict == (VERDICT_READY_TO_SCALE if ready else VERDICT_ONLY_READY_TO_DISCUSS)


def test_moderate_band_reason_says_it_is_below_strong() -> None:
    result = evaluate(scorecard(), scorecard_answers(60, minimums=NOTHING_FLAGGED))

    assert result.reasons == (
        "Total 60 of 90 is Moderate readiness (55–74), below Strong readiness (75–90)",
    )


def test_ready_to_scale_reason_names_the_top_band() -> None:
    result = evaluate(scorecard(), scorecard_answers(90))

    assert result.ready_to_scale
    assert result.reasons == ("Total 90 of 90 is Strong readiness (75–90), the top band",)


# ---------------------------------------------------------------------------------------------
# Readiness scorecard: the decision rule
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("critical_id", CRITICAL_IDS)
def test_critical_area_below_three_blocks_scale(critical_id: str) -> None:
    answers = scorecard_answers(80, fixed={critical_id: 2}, minimums=NOTHING_FLAGGED)

    result = evaluate(scorecard(), answers)

    assert result.total == 80
    assert result.band is not None
    assert result.band.id == "strong"
    assert len(result.blocking_items) == 1
    blocking = result.blocking_items[0]
    assert (blocking.item_id, blocking.score, blocking.minimum) == (critical_id, 2, 3)
    assert scorecard().item(critical_id).title in blocking.reason
    assert blocking.reason in result.reasons
    assert result.items_needing_review == ()
    assert not result.ready_to_scale
    assert result.verdict == VERDICT_ONLY_READY_TO_DISCUSS


@pytest.mark.parametrize("critical_id", CRITICAL_IDS)
def test_critical_area_at_exactly_three_does_not_block(critical_id: str) -> None:
    answers = scorecard_answers(80, fixed={critical_id: 3}, minimums=NOTHING_FLAGGED)

    result = evaluate(scorecard(), answers)

    assert result.blocking_items == ()
    assert result.ready_to_scale


def test_every_critical_area_below_three_is_reported_in_template_order() -> None:
    answers = scorecard_answers(75, fixed=dict.fromkeys(CRITICAL_IDS, 2), minimums=NOTHING_FLAGGED)

    result = evaluate(scorecard(), answers)

    assert [b.item_id for b in result.blocking_items] == [
        "success_criteria",
        "ownership",
        "security_readiness",
        "privacy_legal_readiness",
        "production_readiness",
    ]


def test_non_critical_area_at_two_does_not_block() -> None:
    answers = scorecard_answers(80, fixed={"model_risk": 2}, minimums=NOTHING_FLAGGED)

    result = evaluate(scorecard(), answers)

    assert result.blocking_items == ()
    assert result.ready_to_scale


@pytest.mark.parametrize("item_id", SCORECARD_IDS)
def test_any_area_at_one_needs_review_and_is_not_ready(item_id: str) -> None:
    answers = scorecard_answers(80, fixed={item_id: 1}, minimums=NOTHING_FLAGGED)

    result = evaluate(scorecard(), answers)

    assert result.band is not None
    assert result.band.id == "strong"
    assert result.items_needing_review == (item_id,)
    assert any("explicit review" in reason for reason in result.reasons)
    assert not result.ready_to_scale
    assert result.verdict == VERDICT_ONLY_READY_TO_DISCUSS
    assert bool(result.blocking_items) is (item_id in CRITICAL_IDS)


# ---------------------------------------------------------------------------------------------
# Readiness scorecard: missing and invalid answers
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("missing_id", SCORECARD_IDS)
def test_seventeen_answers_are_incomplete(missing_id: str) -> None:
    answers = scorecard_answers(90)
    del answers[missing_id]

    result = evaluate(scorecard(), answers)

    assert not result.complete
    assert result.missing_items == (missing_id,)
    assert result.total == 85
    assert result.band is None
    assert result.recommended_action is None
    assert not result.ready_to_scale
    assert result.passed is None
    assert result.verdict == VERDICT_INCOMPLETE
    assert f"1 item not answered: {missing_id}" in result.reasons


def test_no_answers_list_every_area_as_missing_in_order() -> None:
    result = evaluate(scorecard(), {})

    assert result.missing_items == SCORECARD_IDS
    assert result.total == 0
    assert result.band is None
    assert result.verdict == VERDICT_INCOMPLETE


def test_none_counts_as_not_answered() -> None:
    answers: dict[str, object] = dict(scorecard_answers(90))
    answers["value_case"] = None

    result = evaluate(scorecard(), answers)

    assert result.missing_items == ("value_case",)
    assert not result.complete


def test_incomplete_scorecard_still_reports_blocking_and_review_items() -> None:
    answers = {"ownership": 1, "problem_clarity": 4}

    result = evaluate(scorecard(), answers)

    assert [b.item_id for b in result.blocking_items] == ["ownership"]
    assert result.items_needing_review == ("ownership",)
    assert result.verdict == VERDICT_INCOMPLETE


@pytest.mark.parametrize("value", [0, 6, -1, 10, "3", 3.0, 2.5, True, False, [3], "five"])
def test_invalid_score_raises_answer_error_naming_the_item(value: object) -> None:
    answers: dict[str, object] = dict(scorecard_answers(80))
    answers["ownership"] = value

    with pytest.raises(AnswerError) as caught:
        evaluate(scorecard(), answers)

    assert caught.value.item_id == "ownership"
    assert caught.value.reason
    assert str(caught.value).startswith("ownership: ")


def test_out_of_range_reason_says_the_allowed_range() -> None:
    with pytest.raises(AnswerError, match="between 1 and 5, got 6"):
        evaluate(scorecard(), {"value_case": 6})


def test_unknown_item_raises_answer_error_naming_it() -> None:
    answers: dict[str, object] = dict(scorecard_answers(80))
    answers["not_an_area"] = 3

    with pytest.raises(AnswerError) as caught:
        evaluate(scorecard(), answers)

    assert caught.value.item_id == "not_an_area"
    assert "readiness_scorecard" in caught.value.reason


def test_answers_must_be_a_mapping() -> None:
    with pytest.raises(TypeError):
        evaluate(scorecard(), [("ownership", 3)])  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# Yes / no and ready / not ready answers
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["maybe", "Yes", "YES", "y", 1, 0, "ready", "", 1.0])
def test_invalid_yes_no_answer_raises_answer_error(value: object) -> None:
    answers: dict[str, object] = dict(yes_no("before_poc"))
    answers["infrastructure_ready"] = value

    with pytest.raises(AnswerError) as caught:
        evaluate(shipped("before_poc"), answers)

    assert caught.value.item_id == "infrastructure_ready"
    assert '"yes" or "no"' in caught.value.reason


def test_yes_no_accepts_booleans() -> None:
    template = shipped("before_poc")
    answers = dict.fromkeys(template.item_ids, True) | {"timeline_committed": False}

    result = evaluate(template, answers)

    assert result.total == 6
    assert result.passed is False


@pytest.mark.parametrize("value", ["yes", "no", "Ready", "not ready", "not-ready", 1])
def test_invalid_ready_answer_raises_answer_error(value: object) -> None:
    with pytest.raises(AnswerError) as caught:
        evaluate(shipped("rollout_governance"), {"monitoring": value})

    assert caught.value.item_id == "monitoring"
    assert '"ready" or "not_ready"' in caught.value.reason


def test_rollout_governance_all_ready_moves_further() -> None:
    template = shipped("rollout_governance")

    result = evaluate(template, dict.fromkeys(template.item_ids, "ready"))

    assert result.total == 14
    assert result.passed is True
    assert result.ready_to_scale
    assert result.verdict == "Ready to move further into the business"


def test_rollout_governance_one_not_ready_fails_and_names_it() -> None:
    template = shipped("rollout_governance")
    answers = dict.fromkeys(template.item_ids, "ready") | {"rollback_readiness": "not_ready"}

    result = evaluate(template, answers)

    assert result.total == 13
    assert result.passed is False
    assert result.band is not None
    assert result.band.id == "not_ready"
    assert result.verdict == "Not ready to move further into the business"
    assert "Rollback readiness (rollback_readiness) is not ready" in result.reasons


def test_vendor_evaluation_applies_to_vendors_and_needs_every_area() -> None:
    template = shipped("vendor_evaluation")
    answers = dict.fromkeys(template.item_ids, "ready") | {"commercial_model": "not_ready"}

    result = evaluate(template, answers)

    assert template.applies_to == "vendor"
    assert result.verdict == "Do not finalize vendor selection"
    assert not result.ready_to_scale


# ---------------------------------------------------------------------------------------------
# Before-POC: any "no" means do not start
# ---------------------------------------------------------------------------------------------


def test_before_poc_all_yes_starts_the_poc() -> None:
    result = evaluate(shipped("before_poc"), yes_no("before_poc"))

    assert result.passed is True
    assert result.verdict == "Start the POC"
    assert result.recommended_action == "Start the POC"


@pytest.mark.parametrize("item_id", shipped("before_poc").item_ids)
def test_before_poc_any_no_means_do_not_start(item_id: str) -> None:
    result = evaluate(shipped("before_poc"), yes_no("before_poc", no=(item_id,)))

    assert result.complete
    assert result.total == 6
    assert result.passed is False
    assert result.verdict == "Do not start the POC"
    assert result.band is not None
    assert result.band.id == "do_not_start"
    assert not result.ready_to_scale
    assert result.first_failed_gate is None  # not a sequential template


def test_before_poc_one_no_decides_even_with_questions_unanswered() -> None:
    result = evaluate(shipped("before_poc"), {"ml_engineering_talent": "no"})

    assert not result.complete
    assert len(result.missing_items) == 6
    assert result.band is None
    assert result.passed is False
    assert result.verdict == "Do not start the POC"


def test_before_poc_unanswered_without_a_no_is_undecided() -> None:
    answers = yes_no("before_poc")
    del answers["timeline_committed"]

    result = evaluate(shipped("before_poc"), answers)

    assert result.passed is None
    assert result.verdict == VERDICT_INCOMPLETE
    assert result.missing_items == ("timeline_committed",)


def test_poc_to_production_needs_every_item() -> None:
    result = evaluate(
        shipped("poc_to_production"), yes_no("poc_to_production", no=("team_trained",))
    )

    assert result.verdict == "Do not move to production"


# ---------------------------------------------------------------------------------------------
# AI feature readiness: sequential gates
# ---------------------------------------------------------------------------------------------


def test_sequential_gates_stop_at_the_first_no() -> None:
    answers = yes_no("ai_feature_readiness", no=("privacy_legal", "observability"))

    result = evaluate(shipped("ai_feature_readiness"), answers)

    assert result.first_failed_gate == "privacy_legal"
    assert result.total == 2
    assert result.complete
    assert result.missing_items == ()
    assert result.ignored_items == FEATURE_GATES[3:]
    assert dict(result.item_scores) == {"problem_framing": 1, "data_fitness": 1, "privacy_legal": 0}
    assert result.band is not None
    assert result.band.id == "stopped_at_gate"
    assert result.passed is False
    assert result.verdict == "Not ready to scale: stop at the first failed gate"
    assert result.reasons[0] == (
        "Stopped at the first failed gate: Privacy and legal (privacy_legal) is no"
    )


def test_sequential_gates_ignore_answers_after_the_first_no() -> None:
    template = shipped("ai_feature_readiness")
    upto_no = {"problem_framing": "yes", "data_fitness": "no"}
    outcomes = set()
    for later in (None, "yes", "no"):
        answers: dict[str, object] = dict(upto_no)
        if later is not None:
            answers |= dict.fromkeys(FEATURE_GATES[2:], later)
        result = evaluate(template, answers)
        assert result.band is not None
        outcomes.add((result.total, result.band.id, result.complete, result.verdict))

    assert outcomes == {
        (1, "stopped_at_gate", True, "Not ready to scale: stop at the first failed gate")
    }


def test_sequential_first_gate_no_scores_zero() -> None:
    result = evaluate(shipped("ai_feature_readiness"), {"problem_framing": False})

    assert result.first_failed_gate == "problem_framing"
    assert result.total == 0
    assert result.complete


def test_sequential_gate_unanswered_before_the_first_no_is_incomplete() -> None:
    answers = {"problem_framing": "yes", "privacy_legal": "no", "model_selection": "yes"}

    result = evaluate(shipped("ai_feature_readiness"), answers)

    assert result.first_failed_gate == "privacy_legal"
    assert not result.complete
    assert result.missing_items == ("data_fitness",)
    assert result.ignored_items == ("model_selection",)
    assert result.band is None
    assert result.passed is False


def test_sequential_without_a_no_needs_every_gate() -> None:
    answers = dict.fromkeys(FEATURE_GATES[:5], "yes")

    result = evaluate(shipped("ai_feature_readiness"), answers)

    assert result.first_failed_gate is None
    assert result.missing_items == FEATURE_GATES[5:]
    assert result.passed is None
    assert result.verdict == VERDICT_INCOMPLETE


def test_every_gate_yes_scales() -> None:
    result = evaluate(shipped("ai_feature_readiness"), yes_no("ai_feature_readiness"))

    assert result.first_failed_gate is None
    assert result.band is not None
    assert result.band.id == "scale"
    assert result.ready_to_scale
    assert result.verdict == "Scale with a traffic ramp plan"


def test_failed_decision_gate_means_iterate_or_sunset() -> None:
    result = evaluate(
        shipped("ai_feature_readiness"), yes_no("ai_feature_readiness", no=("decision",))
    )

    assert result.first_failed_gate == "decision"
    assert result.total == 7
    assert result.band is not None
    assert result.band.id == "iterate_or_sunset"
    assert not result.ready_to_scale


def test_invalid_answer_after_the_first_no_is_still_rejected() -> None:
    answers = {"problem_framing": "no", "observability": "perhaps"}

    with pytest.raises(AnswerError) as caught:
        evaluate(shipped("ai_feature_readiness"), answers)

    assert caught.value.item_id == "observability"


# ---------------------------------------------------------------------------------------------
# Malformed templates are rejected
# ---------------------------------------------------------------------------------------------


def reject(document: dict[str, Any]) -> TemplateDefinitionError:
    with pytest.raises(TemplateDefinitionError) as caught:
        TemplateDefinition.from_dict(document)
    return caught.value


def test_overlapping_bands_are_rejected() -> None:
    document = scorecard_document()
    document["rules"]["bands"][1]["min"] = 34

    error = reject(document)

    assert error.location == "rules.bands"
    assert "overlap" in error.reason


def test_gap_between_bands_is_rejected() -> None:
    document = scorecard_document()
    document["rules"]["bands"][1]["min"] = 36

    error = reject(document)

    assert "gap" in error.reason
    assert "35–35" in error.reason


def test_bands_not_starting_at_the_lowest_total_are_rejected() -> None:
    document = scorecard_document()
    document["rules"]["bands"][0]["min"] = 19

    assert "lowest possible total 18" in reject(document).reason


def test_bands_not_reaching_the_highest_total_are_rejected() -> None:
    document = scorecard_document()
    document["rules"]["bands"][-1]["max"] = 89

    assert "highest possible total 90" in reject(document).reason


def test_band_with_min_above_max_is_rejected() -> None:
    document = scorecard_document()
    document["rules"]["bands"][0]["max"] = 10

    assert "above max" in reject(document).reason


def test_bands_listed_out_of_order_are_accepted_and_sorted() -> None:
    document = scorecard_document()
    document["rules"]["bands"].reverse()

    template = TemplateDefinition.from_dict(document)

    assert [b.id for b in template.rules.bands] == ["low", "weak", "moderate", "strong"]


def test_unknown_critical_item_is_rejected() -> None:
    document = scorecard_document()
    document["rules"]["critical_items"]["not_an_area"] = 3

    error = reject(document)

    assert error.location == "rules.critical_items.not_an_area"
    assert "not an item" in error.reason


@pytest.mark.parametrize("minimum", [1, 6, "3"])
def test_impossible_critical_minimum_is_rejected(minimum: object) -> None:
    document = scorecard_document()
    document["rules"]["critical_items"]["ownership"] = minimum

    assert reject(document).location == "rules.critical_items.ownership"


def test_duplicate_item_ids_are_rejected() -> None:
    document = scorecard_document()
    document["items"][1]["id"] = document["items"][0]["id"]

    error = reject(document)

    assert error.location == "items[1].id"
    assert "duplicate" in error.reason


def test_unknown_answer_type_is_rejected() -> None:
    document = scorecard_document()
    document["answer_type"] = "score_1_10"

    error = reject(document)

    assert error.location == "answer_type"
    assert "score_1_10" in error.reason


def test_item_id_that_is_not_snake_case_is_rejected() -> None:
    document = scorecard_document()
    document["items"][0]["id"] = "Problem Clarity"

    assert reject(document).location == "items[0].id"


def test_score_guidance_missing_a_level_is_rejected() -> None:
    document = scorecard_document()
    del document["items"][4]["guidance"]["5"]

    error = reject(document)

    assert error.location == "items[4].guidance"
    assert "5" in error.reason


def test_unknown_rules_key_is_rejected() -> None:
    document = scorecard_document()
    document["rules"]["critical_item"] = {}

    assert "critical_item" in reject(document).reason


def test_scorecard_cannot_be_sequential_or_all_must_pass() -> None:
    document = scorecard_document()
    document["rules"]["sequential"] = True

    assert reject(document).location == "rules"


def test_all_must_pass_template_needs_pass_and_fail_labels() -> None:
    document = copy.deepcopy(shipped("before_poc").to_dict())
    document["rules"]["fail_label"] = None

    assert reject(document).location == "rules.fail_label"


@pytest.mark.parametrize("version", [0, "1", 1.0, True])
def test_version_must_be_a_positive_integer(version: object) -> None:
    document = scorecard_document()
    document["version"] = version

    assert reject(document).location == "version"


def test_template_without_items_is_rejected() -> None:
    document = scorecard_document()
    document["items"] = []

    assert reject(document).location == "items"


def test_error_message_names_template_and_location() -> None:
    document = scorecard_document()
    document["rules"]["critical_items"]["not_an_area"] = 3

    assert str(reject(document)).startswith(
        "readiness_scorecard: rules.critical_items.not_an_area: "
    )


def test_file_that_is_not_json_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "readiness_scorecard.json"
    path.write_text("{not json", encoding="utf-8")

    with pytest.raises(TemplateDefinitionError, match="not valid JSON"):
        load_template_file(path)


def test_file_name_must_match_the_template_id(tmp_path: Path) -> None:
    path = tmp_path / "scorecard.json"
    path.write_text(json.dumps(scorecard().to_dict()), encoding="utf-8")

    with pytest.raises(TemplateDefinitionError, match="readiness_scorecard.json"):
        load_template_file(path)
