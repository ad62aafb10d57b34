"""The shared vocabulary (portfolio/vocabulary.py) and the models' choices say the same."""

from __future__ import annotations

from governance.gates.criterion_rules import CRITERION_PARAMS
from governance.models import Risk
from governance.register.filters import severity_level
from portfolio import vocabulary
from portfolio.models import STAGE_ORDER, AutonomyLevel, RiskTier, Stage, Status


def test_stages_are_the_models_choices_in_order_with_their_labels():
    assert tuple(Stage.values) == vocabulary.STAGE_IDS == STAGE_ORDER
    assert dict(Stage.choices) == vocabulary.STAGE_LABELS


def test_statuses_are_the_models_choices_with_their_labels():
    assert tuple(Status.values) == vocabulary.STATUS_IDS
    assert dict(Status.choices) == vocabulary.STATUS_LABELS


def test_autonomy_levels_and_risk_tiers_are_the_models_choices():
    assert tuple(AutonomyLevel.values) == vocabulary.AUTONOMY_ORDER
    assert set(RiskTier.values) == set(vocabulary.RISK_TIER_ORDER)


def test_next_stage_and_rank_follow_the_rollout():
    assert [vocabulary.next_stage(stage) for stage in vocabulary.STAGE_IDS] == [
        "pilot",
        "controlled_rollout",
        "scale",
        "operation",
        None,
    ]
    assert vocabulary.next_stage("nowhere") is None
    assert [vocabulary.stage_rank(stage) for stage in vocabulary.STAGE_IDS] == [0, 1, 2, 3, 4]
    assert vocabulary.stage_rank("nowhere") == -1


def test_high_risk_means_the_same_severity_everywhere():
    high = vocabulary.HIGH_RISK_SEVERITY
    assert severity_level(high).id == "high"
    assert severity_level(high - 1).id != "high"
    assert Risk._meta.get_field("escalation_threshold").default == high
    assert CRITERION_PARAMS["no_unmitigated_high_risk"]["min_severity"].default == high
