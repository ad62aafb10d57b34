"""The hard criteria hold for a governance admin's direct stage change too.

"Set stage" lets an admin correct where an initiative stands without a gate request; moving it
back is a correction and always allowed. Moving it forward skips the council's vote, but never
a rule the council itself may not override (a prohibited practice, a "no" on the before-POC
checklist, a critical area below its minimum, an area at 1 nobody reviewed): every gate
between the two stages is evaluated on the live record, and each hard criterion that fails is
an objection. Registered with portfolio.stage_guards in GovernanceConfig.ready.
"""

from __future__ import annotations

from django.utils import timezone

from governance.gates.rules import evaluate_gate
from governance.gates.selectors import current_policy_version, gate_snapshot
from portfolio.models import STAGE_ORDER, Initiative
from portfolio.vocabulary import STAGE_LABELS, next_stage


def hard_criteria_against_direct_move(initiative: Initiative, to_stage: str) -> tuple[str, ...]:
    """Why `initiative` may not be set forward to `to_stage` (empty when it may)."""
    if initiative.stage not in STAGE_ORDER or to_stage not in STAGE_ORDER:
        return ()  # the portfolio's own rules name an unknown stage
    if STAGE_ORDER.index(to_stage) <= STAGE_ORDER.index(initiative.stage):
        return ()
    snapshot = gate_snapshot(initiative, timezone.localdate())
    # One line per failing rule, naming the first gate it stops: the same snapshot fails the
    # same rule at every later gate too.
    first_gate: dict[tuple[str, str], str] = {}
    stage = initiative.stage
    while stage != to_stage:
        following = next_stage(stage)
        version = current_policy_version(stage, following)
        for result in evaluate_gate(version.criteria if version else (), snapshot):
            if result.hard and not result.passed:
                first_gate.setdefault(
                    (result.label, result.detail),
                    f"{STAGE_LABELS[stage]} → {STAGE_LABELS[following]}",
                )
        stage = following
    if not first_gate:
        return ()
    return (
        *(f"{label} ({gate} gate): {detail}" for (label, detail), gate in first_gate.items()),
        "These criteria can never be overridden, not by the council and not by a direct stage "
        "change: fix them first.",
    )
