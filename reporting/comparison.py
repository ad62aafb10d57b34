"""Period over period: a report's headline figures against those of the previous report.

Pure functions over two snapshots (plain dicts, as frozen in `Report.snapshot`); no database.
A snapshot frozen by an older version of the code may lack some figures: those are listed in
`not_compared` instead of failing, because a signed-off report can never be regenerated.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

# Bands are data (the scorecard template); this order only decides how they are listed,
# best first. A band not named here follows, alphabetically; no scorecard comes last.
BAND_ORDER: tuple[str, ...] = ("strong", "moderate", "weak", "low")
NO_SCORECARD = ""

# Scalar figures, in the order they are shown: (key, kind) where kind says how to subtract.
SCALAR_FIGURES: tuple[tuple[str, str], ...] = (
    ("active", "count"),
    ("open_risks", "count"),
    ("escalated_risks", "count"),
    ("open_decisions", "count"),
    ("constrained", "count"),
    ("incidents", "count"),
    ("total_spend", "money"),
    ("total_budget", "money"),
)


def band_label(band: str) -> str:
    return "No scorecard" if band == NO_SCORECARD else band.replace("_", " ").capitalize()


def _get(snapshot: Any, *path: str) -> Any:
    """snapshot[path[0]][path[1]]…, or None when any step is missing or not a dict."""
    value = snapshot
    for key in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


def _first(snapshot: Mapping, *paths: tuple[str, ...]) -> Any:
    for path in paths:
        value = _get(snapshot, *path)
        if value is not None:
            return value
    return None


def _count(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, list):
        return len(value)
    return None


def _money(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _by_stage(snapshot: Mapping) -> dict[str, tuple[str, int]] | None:
    rows = _first(
        snapshot, ("portfolio_summary", "by_stage"), ("portfolio_value", "summary", "by_stage")
    )
    if not isinstance(rows, list):
        return None
    stages: dict[str, tuple[str, int]] = {}
    for row in rows:
        if isinstance(row, Mapping) and isinstance(row.get("stage"), str):
            count = _count(row.get("count"))
            stages[row["stage"]] = (str(row.get("label") or row["stage"]), count or 0)
    return stages


def _by_band(snapshot: Mapping) -> dict[str, int] | None:
    rows = snapshot.get("readiness_bands")
    if isinstance(rows, list):
        return {
            str(row.get("band") or NO_SCORECARD): _count(row.get("count")) or 0
            for row in rows
            if isinstance(row, Mapping)
        }
    # Older monthly snapshots: the readiness section lists every initiative with its band.
    groups = snapshot.get("readiness_to_scale")
    if not isinstance(groups, Mapping):
        return None
    counts: dict[str, int] = {}
    for rows in groups.values():
        for row in rows if isinstance(rows, list) else []:
            if isinstance(row, Mapping) and row.get("status") == "Active":
                band = str(row.get("band") or NO_SCORECARD)
                counts[band] = counts.get(band, 0) + 1
    return counts


def _kpis(snapshot: Mapping) -> dict[str, dict] | None:
    rows = _first(snapshot, ("business_value",), ("portfolio_value", "initiatives"))
    if not isinstance(rows, list):
        return None
    kpis = {}
    for row in rows:
        kpi = row.get("kpi") if isinstance(row, Mapping) else None
        if isinstance(kpi, Mapping) and isinstance(row.get("initiative"), str):
            kpis[row["initiative"]] = {
                "kpi": str(kpi.get("name") or ""),
                "unit": str(kpi.get("unit") or ""),
                "latest": _money(kpi.get("latest")),
            }
    return kpis


def headline_figures(snapshot: Mapping | None) -> dict[str, Any]:
    """The figures a report is compared on, read from a monthly or quarterly snapshot.

    A figure the snapshot does not hold (or holds in a shape this code does not know) is
    absent from the result, never a guess.
    """
    if not isinstance(snapshot, Mapping):
        return {}
    summary = _first(snapshot, ("portfolio_summary",), ("portfolio_value", "summary"))
    scalars = {
        "active": _count(_get(summary, "active")),
        "open_risks": _count(_get(snapshot, "risk_summary", "open")),
        "escalated_risks": _count(_get(snapshot, "risk_summary", "escalated")),
        "open_decisions": _count(
            _first(snapshot, ("decisions_required",), ("decisions_ahead", "leadership"))
        ),
        "constrained": _count(
            _first(snapshot, ("resourcing", "constrained"), ("resourcing_pressure",))
        ),
        "incidents": _count(_get(snapshot, "progress", "incident_count")),
        "total_spend": _money(
            _first(snapshot, ("resourcing", "total_spend"), ("portfolio_value", "total_spend"))
        ),
        "total_budget": _money(
            _first(snapshot, ("resourcing", "total_budget"), ("portfolio_value", "total_budget"))
        ),
        "by_stage": _by_stage(snapshot),
        "by_band": _by_band(snapshot),
        "kpis": _kpis(snapshot),
    }
    return {key: value for key, value in scalars.items() if value is not None}


def _delta(previous: Any, current: Any) -> Any:
    if previous is None or current is None:
        return None
    return current - previous


def _out(value: Any) -> Any:
    """JSON-safe: Decimals as strings, like the rest of the snapshot."""
    return str(value) if isinstance(value, Decimal) else value


def _figure(previous: Any, current: Any) -> dict:
    return {
        "previous": _out(previous),
        "current": _out(current),
        "delta": _out(_delta(previous, current)),
    }


def band_sort_key(band: str) -> tuple[int, str]:
    if band in BAND_ORDER:
        return (BAND_ORDER.index(band), band)
    return (len(BAND_ORDER) + (1 if band == NO_SCORECARD else 0), band)


def compare_snapshots(previous: Mapping | None, current: Mapping) -> dict:
    """The current report's headline figures against the previous report's.

    `previous` None means this is the first report of its kind: every figure is there with
    `previous` and `delta` None. Figures the previous snapshot lacks (frozen by older code) are
    named in `not_compared` and have `previous`/`delta` None. Counts per stage and per band
    that one side does not mention count as 0 on that side.
    """
    old = headline_figures(previous)
    new = headline_figures(current)
    first = previous is None
    not_compared = [] if first else [key for key in new if key not in old]

    figures = {key: _figure(old.get(key), new[key]) for key, _kind in SCALAR_FIGURES if key in new}

    stages = []
    if "by_stage" in new:
        old_stages = old.get("by_stage")
        order = list(new["by_stage"]) + [s for s in old_stages or {} if s not in new["by_stage"]]
        for stage in order:
            label, count = new["by_stage"].get(stage) or old_stages[stage]
            if stage not in new["by_stage"]:
                count = 0
            before = None if old_stages is None else old_stages.get(stage, (label, 0))[1]
            stages.append({"stage": stage, "label": label, **_figure(before, count)})

    bands = []
    if "by_band" in new:
        old_bands = old.get("by_band")
        for band in sorted(set(new["by_band"]) | set(old_bands or {}), key=band_sort_key):
            before = None if old_bands is None else old_bands.get(band, 0)
            bands.append(
                {
                    "band": band,
                    "label": band_label(band),
                    **_figure(before, new["by_band"].get(band, 0)),
                }
            )

    kpis = []
    old_kpis = old.get("kpis") or {}
    for initiative, kpi in (new.get("kpis") or {}).items():
        before = old_kpis.get(initiative)
        # Same initiative and same KPI, measured in both: anything else is not a movement.
        if before is None or before["kpi"] != kpi["kpi"]:
            continue
        if before["latest"] is None or kpi["latest"] is None:
            continue
        kpis.append(
            {
                "initiative": initiative,
                "kpi": kpi["kpi"],
                "unit": kpi["unit"],
                **_figure(before["latest"], kpi["latest"]),
            }
        )

    return {
        "first_report": first,
        "figures": figures,
        "stages": stages,
        "bands": bands,
        "kpis": kpis,
        "not_compared": not_compared,
    }


__all__ = [
    "BAND_ORDER",
    "NO_SCORECARD",
    "band_label",
    "band_sort_key",
    "compare_snapshots",
    "headline_figures",
]
