"""The domain's words that every app and rule shares, defined once (DOMAIN.md gives the ids).

Pure values, no Django: the models build their choices from these, and the pure rules modules
(which must not import models) read them directly. tests/portfolio/test_vocabulary.py keeps the
models' choices and these in step.
"""

from __future__ import annotations

from typing import Final

# Rollout stages, in order (Table 11 of the CTO playbook).
STAGE_LABELS: Final[dict[str, str]] = {
    "exploration": "Exploration",
    "pilot": "Pilot",
    "controlled_rollout": "Controlled rollout",
    "scale": "Scale decision",
    "operation": "Ongoing operation",
}
STAGE_IDS: Final[tuple[str, ...]] = tuple(STAGE_LABELS)

# An initiative's status beside its stage: paused by a hold, stopped by a kill or a sunset.
STATUS_LABELS: Final[dict[str, str]] = {
    "active": "Active",
    "paused": "Paused (hold)",
    "stopped": "Stopped (kill / sunset)",
}
STATUS_IDS: Final[tuple[str, ...]] = tuple(STATUS_LABELS)

# Lowest to highest. Moving right is a promotion the council decides (governance's autonomy
# promotions); moving left is a plain edit.
AUTONOMY_ORDER: Final[tuple[str, ...]] = ("assistant", "agent", "automated_workflow")
RISK_TIER_ORDER: Final[tuple[str, ...]] = ("minimal", "limited", "high", "prohibited")

# The 18-area readiness scorecard's template key (readiness/templates_data/).
SCORECARD_KEY: Final = "readiness_scorecard"
# The lowest scorecard level: DOMAIN.md "any area scored 1 requires an explicit review".
LOWEST_SCORE: Final = 1

# A risk's severity is likelihood × impact (1–25). From this severity a risk is "high": the
# register's badge, the default escalation threshold and the default of the gate criterion
# no_unmitigated_high_risk (a policy may set its own; pages ask the policy, not this number).
HIGH_RISK_SEVERITY: Final = 15


def stage_label(stage: str) -> str:
    return STAGE_LABELS.get(stage, stage)


def stage_rank(stage: str) -> int:
    """The stage's position in the rollout (exploration 0), -1 for an unknown stage."""
    return STAGE_IDS.index(stage) if stage in STAGE_IDS else -1


def autonomy_rank(level: str) -> int:
    """The autonomy level's position (assistant 0), -1 for an unknown level."""
    return AUTONOMY_ORDER.index(level) if level in AUTONOMY_ORDER else -1


def next_stage(stage: str) -> str | None:
    """The stage after `stage`, or None at the last stage (or for an unknown one)."""
    rank = stage_rank(stage)
    if rank < 0 or rank + 1 >= len(STAGE_IDS):
        return None
    return STAGE_IDS[rank + 1]
