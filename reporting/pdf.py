"""Render a frozen report snapshot to PDF with WeasyPrint.

The snapshot is the only input: a report re-rendered later shows exactly what was frozen. Charts
are inline SVG from `reporting.charts`; the stylesheet is inline, so no base URL is needed.

Each section says what changed since the previous report of the same kind; the wording is built
here (`_since`) from the snapshot's `changes`, `previous_report` and `comparison`, so the
templates only place it.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.template.loader import render_to_string
from django.utils.dateparse import parse_datetime
from django.utils.safestring import SafeString

from reporting.charts import Series, bar_chart, format_money, proportion_bar
from reporting.comparison import band_label

TEMPLATES = {
    "monthly": "reporting/pdf/monthly.html",
    "quarterly": "reporting/pdf/quarterly.html",
}
TITLES = {
    "monthly": "Monthly executive review",
    "quarterly": "Quarterly board summary",
}
# How much a printed table or list shows: a board pack is read, not searched. The rest is
# counted under the table, and every row stays in the frozen snapshot.
TABLE_ROWS = 40
LIST_ITEMS = 25
CHART_BARS = 15  # a bar chart with more initiatives than this cannot be read on a page


def _number(value: str | None) -> float | None:
    return None if value in (None, "") else float(value)


def _stage_chart(summary: dict) -> SafeString:
    return proportion_bar(
        title="Active initiatives by stage",
        description=summary["text"],
        parts=[(row["label"], row["count"]) for row in summary["by_stage"]],
    )


def _spend_key(row: dict) -> float:
    return -(_number(row.get("actual_spend")) or 0.0)


def _spend_chart(rows: list[dict]) -> SafeString:
    shown = sorted(rows, key=_spend_key)[:CHART_BARS]
    more = f" The {len(shown)} largest spenders of {len(rows)}." if len(rows) > len(shown) else ""
    return bar_chart(
        title="Spend against budget",
        description=(
            "Actual spend and total budget (POC plus production estimate) per initiative." + more
        ),
        labels=[row["initiative"] for row in shown],
        series=[
            Series("Budget", tuple(_number(row["budget"]) for row in shown)),
            Series("Actual spend", tuple(_number(row["actual_spend"]) for row in shown)),
        ],
        value_format=format_money,
    )


MONEY_FIGURES = ("total_spend", "total_budget")
CHANGE_LISTS = ("stage_moves", "band_changes", "new_risks", "closed_risks")


def _decimal(value: object) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _amount(value: Decimal, *, money: bool) -> str:
    if money:
        return format_money(float(value))
    # 1,250 or 12.75: without trailing zeros or an exponent.
    return f"{value.normalize():,f}"


def _movement(entry: dict, *, money: bool = False, first: bool = False) -> dict:
    """One compared figure in words: "24, up 2 from 22" / "24, unchanged" / "24"."""
    current = _decimal(entry.get("current"))
    previous = _decimal(entry.get("previous"))
    delta = _decimal(entry.get("delta"))
    now = "–" if current is None else _amount(current, money=money)
    result = {
        "now": now,
        "before": "–" if previous is None else _amount(previous, money=money),
        "change": "",
        "changed": bool(delta),
        "text": now,
    }
    if previous is None or delta is None:
        if not first:
            result["text"] = f"{now} (the previous report did not record this figure)"
        return result
    if delta == 0:
        result["change"] = "no change"
        result["text"] = f"{now}, unchanged"
        return result
    sign, word = ("+", "up") if delta > 0 else ("−", "down")
    size = _amount(abs(delta), money=money)
    result["change"] = f"{sign}{size}"
    result["text"] = f"{now}, {word} {size} from {result['before']}"
    return result


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def _since(snapshot: dict, period_label: str) -> dict | None:
    """What each section says about the previous report; None for a snapshot frozen before
    reports were compared (it shows no such lines rather than wrong ones)."""
    comparison = snapshot.get("comparison")
    if not isinstance(comparison, dict):
        return None
    previous = snapshot.get("previous_report")
    kind_title = TITLES.get(snapshot.get("kind"), "report").lower()
    first = not previous
    if first:
        heading = "Since last period"
        note = (
            f"There is no previous {kind_title} to compare with: this is the first one. "
            f"The changes below are those within {period_label}."
        )
    else:
        draft = ", draft" if previous.get("status") == "draft" else ""
        heading = (
            f"Since the previous report ({previous.get('period_label')}, "
            f"rev {previous.get('revision')}{draft})"
        )
        note = ""
        start = snapshot.get("period_start")
        if previous.get("period_end") and start:
            follows = datetime.date.fromisoformat(previous["period_end"]) + datetime.timedelta(
                days=1
            ) == datetime.date.fromisoformat(start)
            if not follows:
                note = (
                    f"The previous report covers {previous.get('period_label')}; the changes "
                    f"listed are those within {period_label} only."
                )
    figures = {
        key: _movement(entry, money=key in MONEY_FIGURES, first=first)
        for key, entry in (comparison.get("figures") or {}).items()
    }
    changes = {key: list((snapshot.get("changes") or {}).get(key) or []) for key in CHANGE_LISTS}
    changes["band_changes"] = [
        {
            **change,
            "from_label": band_label(change.get("from") or ""),
            "to_label": band_label(change.get("to") or ""),
        }
        for change in changes["band_changes"]
    ]
    return {
        "heading": heading,
        "note": note,
        "first": first,
        "figures": figures,
        # A stage empty in both reports is noise in a short table.
        "stages": [
            {"label": row.get("label"), **_movement(row, first=first)}
            for row in comparison.get("stages") or []
            if row.get("previous") or row.get("current")
        ],
        "bands": [
            {"label": row.get("label"), **_movement(row, first=first)}
            for row in comparison.get("bands") or []
        ],
        # Only the KPIs that moved; the count says how many were compared at all.
        "kpis": [
            kpi
            for kpi in (
                {
                    "initiative": row.get("initiative"),
                    "kpi": row.get("kpi"),
                    "unit": row.get("unit"),
                    **_movement(row),
                }
                for row in comparison.get("kpis") or []
            )
            if kpi["changed"]
        ],
        "kpis_compared": len(comparison.get("kpis") or []),
        "changes": changes,
    }


def _for_print(snapshot: dict) -> dict:
    """The snapshot with its long tables in reading order, most telling rows first, so what a
    capped table leaves out is the least telling (the snapshot itself is not changed)."""
    data = dict(snapshot)

    def kpi_first(rows: list[dict]) -> list[dict]:
        return sorted(rows, key=lambda row: row.get("kpi") is None)

    def constrained_then_spend(rows: list[dict]) -> list[dict]:
        return sorted(rows, key=lambda row: (not row.get("constrained"), _spend_key(row)))

    if "business_value" in data:
        data["business_value"] = kpi_first(data["business_value"])
    if "resourcing" in data:
        data["resourcing"] = {
            **data["resourcing"],
            "rows": constrained_then_spend(data["resourcing"]["rows"]),
        }
    if "readiness_to_scale" in data:
        groups = data["readiness_to_scale"]
        data["readiness_to_scale"] = {
            **groups,
            # Closest to ready first: the highest scorecard totals, unscored last.
            "stay": sorted(groups.get("stay", []), key=lambda row: -(row.get("total") or -1)),
        }
    if "portfolio_value" in data:
        data["portfolio_value"] = {
            **data["portfolio_value"],
            "initiatives": kpi_first(data["portfolio_value"]["initiatives"]),
        }
    if "resourcing_pressure" in data:
        data["resourcing_pressure"] = sorted(data["resourcing_pressure"], key=_spend_key)
    return data


def _audit_checkpoint(snapshot: dict) -> dict | None:
    """The audit trail's checkpoint taken at generation; None for snapshots made before them."""
    checkpoint = snapshot.get("audit_checkpoint")
    if not isinstance(checkpoint, dict):
        return None
    return {**checkpoint, "taken_at": parse_datetime(checkpoint.get("taken_at") or "")}


def report_html(*, snapshot: dict, period_label: str, revision: int) -> str:
    """The standalone HTML document for a snapshot (what WeasyPrint renders)."""
    kind = snapshot["kind"]
    summary = (
        snapshot["portfolio_summary"]
        if kind == "monthly"
        else snapshot["portfolio_value"]["summary"]
    )
    spend_rows = (
        snapshot["resourcing"]["rows"] if kind == "monthly" else snapshot["resourcing_pressure"]
    )
    context = {
        "data": _for_print(snapshot),
        "row_limit": TABLE_ROWS,
        "list_limit": LIST_ITEMS,
        "title": TITLES[kind],
        "period_label": period_label,
        "revision": revision,
        "period_start": _date(snapshot.get("period_start")),
        "period_end": _date(snapshot.get("period_end")),
        "generated_at": parse_datetime(snapshot.get("generated_at") or ""),
        "stage_chart": _stage_chart(summary),
        "spend_chart": _spend_chart(spend_rows) if spend_rows else "",
        "since": _since(snapshot, period_label),
        "audit_checkpoint": _audit_checkpoint(snapshot),
    }
    return render_to_string(TEMPLATES[kind], context)


def render_report_pdf(*, snapshot: dict, period_label: str, revision: int) -> bytes:
    """PDF bytes for a snapshot."""
    from weasyprint import HTML  # imported lazily: heavy, and only the report path needs it

    html = report_html(snapshot=snapshot, period_label=period_label, revision=revision)
    return HTML(string=html).write_pdf()
