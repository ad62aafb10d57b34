"""Render a frozen report snapshot to PDF with WeasyPrint.

The snapshot is the only input: a report re-rendered later shows exactly what was frozen. Charts
are inline SVG from `reporting.charts`; the stylesheet is inline, so no base URL is needed.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from reporting.charts import Series, bar_chart, format_money, proportion_bar

TEMPLATES = {
    "monthly": "reporting/pdf/monthly.html",
    "quarterly": "reporting/pdf/quarterly.html",
}
TITLES = {
    "monthly": "Monthly executive review",
    "quarterly": "Quarterly board summary",
}


def _number(value: str | None) -> float | None:
    return None if value in (None, "") else float(value)


def _stage_chart(summary: dict) -> SafeString:
    return proportion_bar(
        title="Active initiatives by stage",
        description=summary["text"],
        parts=[(row["label"], row["count"]) for row in summary["by_stage"]],
    )


def _spend_chart(rows: list[dict]) -> SafeString:
    return bar_chart(
        title="Spend against budget",
        description="Actual spend and total budget (POC plus production estimate) per initiative.",
        labels=[row["initiative"] for row in rows],
        series=[
            Series("Budget", tuple(_number(row["budget"]) for row in rows)),
            Series("Actual spend", tuple(_number(row["actual_spend"]) for row in rows)),
        ],
        value_format=format_money,
    )


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
        "data": snapshot,
        "title": TITLES[kind],
        "period_label": period_label,
        "revision": revision,
        "stage_chart": _stage_chart(summary),
        "spend_chart": _spend_chart(spend_rows) if spend_rows else "",
    }
    return render_to_string(TEMPLATES[kind], context)


def render_report_pdf(*, snapshot: dict, period_label: str, revision: int) -> bytes:
    """PDF bytes for a snapshot."""
    from weasyprint import HTML  # imported lazily: heavy, and only the report path needs it

    html = report_html(snapshot=snapshot, period_label=period_label, revision=revision)
    return HTML(string=html).write_pdf()
