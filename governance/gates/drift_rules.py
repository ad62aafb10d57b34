"""Pure rules of what happens between gates: a material change after approval (it needs a
council re-review) and pilot purgatory (in pilot too long with no decision: "live by drift").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from portfolio.vocabulary import AUTONOMY_ORDER, RISK_TIER_ORDER


@dataclass(frozen=True)
class MaterialChange:
    field: str
    label: str
    before: Any
    after: Any

    def as_dict(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "label": self.label,
            "before": self.before,
            "after": self.after,
        }


def _moved_up(order: Sequence[str], before: object, after: object) -> bool:
    if before not in order or after not in order:
        return False
    return order.index(after) > order.index(before)


def _moved_down(order: Sequence[str], before: object, after: object) -> bool:
    return _moved_up(order, after, before)


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def material_changes(changes: Mapping[str, Sequence[Any]]) -> tuple[MaterialChange, ...]:
    """The changes (from portfolio.signals.initiative_changed) that need a council re-review.

    Material: the EU AI Act tier moved down (a lighter tier means fewer obligations, so the
    council must agree the initiative really is lower risk; a heavier tier applies at once and
    needs no review); the autonomy level moved up (a safety net: the level rises through an
    approved autonomy promotion, which sends no change, so only a path that bypassed it lands
    here); the vendors gained a name; the problem statement's KPI or target changed
    (whitespace ignored). Lowering autonomy, raising the tier, dropping a vendor and every other
    field are not material.
    """
    found: list[MaterialChange] = []
    pair = changes.get("autonomy_level")
    if pair and _moved_up(AUTONOMY_ORDER, pair[0], pair[1]):
        found.append(MaterialChange("autonomy_level", "Autonomy level raised", pair[0], pair[1]))
    pair = changes.get("eu_ai_act_tier")
    if pair and _moved_down(RISK_TIER_ORDER, pair[0], pair[1]):
        found.append(MaterialChange("eu_ai_act_tier", "EU AI Act tier lowered", pair[0], pair[1]))
    pair = changes.get("vendors")
    if pair:
        before = list(pair[0] or [])
        after = list(pair[1] or [])
        if set(after) - set(before):
            found.append(MaterialChange("vendors", "New vendor", before, after))
    for name, label in (("kpi", "KPI changed"), ("target", "Target changed")):
        pair = changes.get(f"problem_statement.{name}")
        if pair and _text(pair[0]) != _text(pair[1]):
            found.append(MaterialChange(f"problem_statement.{name}", label, pair[0], pair[1]))
    return tuple(found)


def pilot_clock_start(
    stage_changed_at: datetime | None, last_decision_at: datetime | None
) -> datetime | None:
    """When the "no decision" clock started: entering the stage, or the last decision since."""
    moments = [moment for moment in (stage_changed_at, last_decision_at) if moment is not None]
    return max(moments) if moments else None


def in_pilot_purgatory(
    *,
    stage: str,
    stage_changed_at: datetime | None,
    last_decision_at: datetime | None,
    now: datetime,
    days: int,
    status: str = "active",
) -> bool:
    """In pilot longer than `days` with no gate decision ("live by drift", DOMAIN.md).

    The clock runs from entering pilot or from the latest gate decision, whichever is later, so
    a hold decision restarts it. Exactly `days` is not yet purgatory. Only an active initiative
    can drift: a paused or stopped one is held by a decision.
    """
    if stage != "pilot" or status != "active":
        return False
    start = pilot_clock_start(stage_changed_at, last_decision_at)
    return start is not None and now - start > timedelta(days=days)
