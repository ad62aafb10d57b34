"""The executive dashboard: one server-rendered page, filtered by business unit and period.

Figures come from reporting.selectors (a fixed number of queries) and every chart from
reporting.charts, the module the PDF reports use too. The filter form swaps the results section
in place with htmx and keeps the filters in the URL; without JavaScript it is a plain GET form.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.template.response import TemplateResponse
from django.utils import timezone

from core.caching import cached_figures
from core.listing import results_template
from core.permissions import role_required
from portfolio.models import STAGE_ORDER, Status
from portfolio.vocabulary import STAGE_LABELS
from reporting import charts
from reporting.forms import DashboardFilterForm, month_value, quarter_value
from reporting.permissions import can_generate_reports
from reporting.selectors import (
    STATUS_LABELS,
    VALUE_CATEGORY_LABELS,
    Dashboard,
    DashboardFilters,
    dashboard_data,
)
from reporting.views_reports import latest_reports, request_form

RESULTS_ID = "dashboard-results"


def _money(value: Decimal | None) -> float:
    return float(value or 0)


def dashboard_charts(dashboard: Dashboard) -> dict[str, str]:
    """The dashboard's SVG charts, keyed by card."""
    scope = dashboard.filters.label
    stages = [STAGE_LABELS[stage] for stage in STAGE_ORDER]
    by_stage = charts.bar_chart(
        title="Initiatives by stage and status",
        description=f"Number of initiatives in each stage, split by status ({scope}).",
        labels=stages,
        series=[
            charts.Series(
                STATUS_LABELS[status],
                tuple(dashboard.stage_status_counts[stage][status] for stage in STAGE_ORDER),
            )
            for status in Status.values
        ],
        stacked=True,
    )
    bands = charts.bar_chart(
        title="Readiness bands",
        description="Initiatives by the band of their current readiness scorecard.",
        labels=[band.label for band in dashboard.bands],
        series=[charts.Series("Initiatives", tuple(band.count for band in dashboard.bands))],
    )
    value = charts.scatter_chart(
        title="Value against readiness",
        description=(
            "Initiatives with a readiness scorecard and a measured KPI, grouped where they are "
            "close (each dot says how many it stands for): readiness total against progress "
            "from baseline to target (100% = target reached)."
            if dashboard.value_points_binned
            else "Each initiative with a readiness scorecard and a measured KPI: readiness "
            "total against progress from baseline to target (100% = target reached)."
        ),
        points=[
            charts.Point(
                point.label,
                point.readiness_total,
                float(point.kpi_progress),
                VALUE_CATEGORY_LABELS.get(point.value_category, point.value_category),
            )
            for point in dashboard.value_points
        ],
        x_label="Readiness total (18–90)",
        y_label="KPI progress",
        y_format=charts.format_percent,
        x_domain=(18, 90),
        x_guides=[(minimum, label) for minimum, label in dashboard.band_guides if minimum > 18],
    )
    spend = charts.bar_chart(
        title="Spend by business unit",
        description="Spend to date and monthly run cost of the initiatives of each unit.",
        labels=[unit.name for unit in dashboard.spend_by_unit],
        series=[
            charts.Series(
                "Spend to date",
                tuple(_money(unit.actual_spend) for unit in dashboard.spend_by_unit),
            ),
            charts.Series(
                "Monthly run cost",
                tuple(_money(unit.monthly_run_cost) for unit in dashboard.spend_by_unit),
            ),
        ],
        value_format=charts.format_money,
    )
    sparklines = {
        movement.initiative_id: charts.sparkline(
            title=f"{movement.name} ({movement.unit}), last measurements",
            values=[float(value) for value in movement.history],
        )
        for movement in dashboard.kpis_shown
        if movement.history
    }
    return {
        "by_stage": by_stage,
        "bands": bands,
        "value": value,
        "spend": spend,
        "sparklines": sparklines,
    }


def _figures_and_charts(filters: DashboardFilters) -> tuple[Dashboard, dict[str, str]]:
    data = dashboard_data(filters=filters)
    return data, dashboard_charts(data)


# The role check comes before the method check, so an account without a role always learns
# why it is refused.
@role_required()
def dashboard(request: HttpRequest) -> HttpResponse:
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    today = timezone.localdate()
    form = DashboardFilterForm(request.GET or None, today=today)
    context: dict[str, object] = {
        "form": form,
        "results_id": RESULTS_ID,
        "default_month": month_value(today),
        "default_quarter": quarter_value(today),
        "stage_labels": STAGE_LABELS,
        "pilot_purgatory_days": settings.PILOT_PURGATORY_DAYS,
    }
    if can_generate_reports(request.user):
        # Lazy: queried only when the whole page renders, not for the htmx results partial.
        context.update(generate_form=request_form(request), latest_reports=latest_reports())
    if not form.is_bound:
        # No filters chosen: this month, every unit; the form shows empty fields.
        form = DashboardFilterForm({}, today=today)
    context["form"] = form
    if form.is_valid():
        unit = form.cleaned_data.get("unit")
        filters = form.filters()
        # Aggregating a large portfolio is the page's whole cost: the figures (and charts) of
        # each filter are reused for AGGREGATE_CACHE_SECONDS, and the page says when they were
        # computed.
        (data, chart_markup), computed_at = cached_figures(
            "dashboard", (filters, today), lambda: _figures_and_charts(filters)
        )
        context.update(
            dashboard=data,
            charts=chart_markup,
            scope_unit=unit.name if unit else "",
            computed_at=computed_at,
            cache_seconds=settings.AGGREGATE_CACHE_SECONDS,
        )
    else:
        context["filter_errors"] = [
            {
                "field_id": form[name].id_for_label if name in form.fields else "",
                "label": form.fields[name].label if name in form.fields else "",
                "message": message,
            }
            for name, messages in form.errors.items()
            for message in messages
        ]
    template = results_template(request, "reporting/dashboard.html", RESULTS_ID)
    return TemplateResponse(request, template, context)
