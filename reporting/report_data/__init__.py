"""The data behind the executive reports, computed from the database in a constant number of
queries and returned as plain JSON-serialisable dicts (dates as ISO strings, Decimals as strings).

`monthly_report_data` gives the ten sections of the executive update (DOMAIN.md, "Executive
reporting"); `quarterly_report_data` the board summary: portfolio value, top risks, resourcing
pressure and major decisions ahead.

Both also carry what changed within the period (`changes`: stage moves, readiness band changes,
new and closed risks) and the comparison with the previous report of the same kind
(`previous_report`, `comparison`), so a frozen report shows what it was compared with.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from reporting.report_data.changes import (
    period_changes,
    previous_report,
    readiness_bands,
    risk_summary,
    with_comparison,
)
from reporting.report_data.periods import parse_period, period_bounds
from reporting.report_data.sections import (
    alignment,
    all_initiatives,
    business_value,
    current_scorecards,
    gate_exceptions,
    incidents,
    latest_measurements,
    next_priorities,
    open_decisions,
    open_risks,
    pending_gate_requests,
    period_stage_moves,
    portfolio_summary,
    progress,
    readiness_to_scale,
    resourcing,
)
from reporting.report_data.thresholds import LOW_DELIVERY_CAPACITY, QUARTERLY_TOP_RISKS, TOP_RISKS
from reporting.report_data.values import gate_label, json_value

MONTHLY_SECTIONS: tuple[tuple[str, str], ...] = (
    ("portfolio_summary", "Portfolio summary"),
    ("business_value", "Business value"),
    ("progress", "Progress since last review"),
    ("risk_position", "Risk position"),
    ("decisions_required", "Decisions required"),
    ("resourcing", "Resourcing and capacity"),
    ("readiness_to_scale", "Readiness to scale"),
    ("alignment", "Cross-functional alignment"),
    ("incidents", "Incidents or exceptions"),
    ("next_priorities", "Next-period priorities"),
)
QUARTERLY_SECTIONS: tuple[tuple[str, str], ...] = (
    ("portfolio_value", "Portfolio value"),
    ("top_risks", "Top risks"),
    ("resourcing_pressure", "Resourcing pressure"),
    ("decisions_ahead", "Major decisions ahead"),
)


# --- public builders -----------------------------------------------------------------------


def _header(kind: str, start: datetime.date, end: datetime.date, sections: tuple) -> dict:
    return {
        "kind": kind,
        "period_start": json_value(start),
        "period_end": json_value(end),
        "generated_at": json_value(timezone.now()),
        "sections": [{"key": key, "title": title} for key, title in sections],
    }


def monthly_report_data(period_start: datetime.date, period_end: datetime.date) -> dict:
    """The ten sections of the monthly executive update for [period_start, period_end]."""
    low, high = period_bounds(period_start, period_end)
    initiatives = all_initiatives()
    scorecards = current_scorecards()
    pending = pending_gate_requests()
    decisions = open_decisions()
    stage_moves = period_stage_moves(low, high)
    data = {
        **_header("monthly", period_start, period_end, MONTHLY_SECTIONS),
        "portfolio_summary": portfolio_summary(initiatives),
        "business_value": business_value(initiatives, latest_measurements(period_end)),
        "progress": progress(low, high, stage_moves),
        "risk_position": open_risks(TOP_RISKS),
        "decisions_required": decisions,
        "resourcing": resourcing(initiatives, scorecards),
        "readiness_to_scale": readiness_to_scale(initiatives, scorecards, pending),
        "alignment": alignment(low, high, pending),
        "incidents": incidents(low, high),
        "exceptions": gate_exceptions(low, high),
        "next_priorities": next_priorities(decisions),
        "risk_summary": risk_summary(),
        "readiness_bands": readiness_bands(initiatives, scorecards),
        "changes": period_changes(low, high, stage_moves),
    }
    return with_comparison(data)


def quarterly_report_data(period_start: datetime.date, period_end: datetime.date) -> dict:
    """The board summary: portfolio value, top risks, resourcing pressure, decisions ahead."""
    low, high = period_bounds(period_start, period_end)
    initiatives = all_initiatives()
    scorecards = current_scorecards()
    pending = pending_gate_requests()
    resourcing_data = resourcing(initiatives, scorecards)
    data = {
        **_header("quarterly", period_start, period_end, QUARTERLY_SECTIONS),
        "portfolio_value": {
            "summary": portfolio_summary(initiatives),
            "initiatives": business_value(initiatives, latest_measurements(period_end)),
            "total_spend": resourcing_data["total_spend"],
            "total_budget": resourcing_data["total_budget"],
        },
        "top_risks": open_risks(QUARTERLY_TOP_RISKS),
        "resourcing_pressure": resourcing_data["constrained"],
        "decisions_ahead": {
            "leadership": open_decisions(),
            "gates": [
                {
                    "initiative": r.initiative.title,
                    "gate": gate_label(r),
                    "review_due": json_value(timezone.localdate(r.review_due_at)),
                }
                for r in pending
            ],
        },
        "risk_summary": risk_summary(),
        "readiness_bands": readiness_bands(initiatives, scorecards),
        "changes": period_changes(low, high, period_stage_moves(low, high)),
    }
    return with_comparison(data)


def report_data(kind: str, period_start: datetime.date, period_end: datetime.date) -> dict:
    """The snapshot of a `kind` report for the period, compared with the previous report."""
    builder = monthly_report_data if kind == "monthly" else quarterly_report_data
    return builder(period_start, period_end)


__all__ = [
    "LOW_DELIVERY_CAPACITY",
    "MONTHLY_SECTIONS",
    "QUARTERLY_SECTIONS",
    "monthly_report_data",
    "parse_period",
    "previous_report",
    "quarterly_report_data",
    "report_data",
]
