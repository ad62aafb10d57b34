"""The executive dashboard: every card against figures computed here from the database, the
filters, htmx, who may read it, and a constant number of queries."""

from __future__ import annotations

import datetime
from collections import Counter
from decimal import Decimal

import pytest
import time_machine
from django.core.cache import cache
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from governance.gates.selectors import pilot_purgatory_initiatives
from governance.models import (
    GateRequest,
    GateRequestStatus,
    Incident,
    LeadershipDecision,
    LeadershipDecisionStatus,
    Risk,
    RiskStatus,
)
from portfolio.models import Kpi, KpiMeasurement, Stage, Status
from readiness.models import Assessment, AssessmentStatus
from reporting import selectors
from tests.reporting.support import build_portfolio, initiatives_of
from tests.roles import READERS, ROLES

pytestmark = pytest.mark.django_db

URL = "/dashboard/"
NOW = timezone.make_aware(datetime.datetime(2026, 11, 20, 12, 0))
# Measured: 16 queries, 17 with a business unit chosen. Session, user, roles; the scorecard's
# bands; the initiatives counted and summed by unit, stage, status and band; the pilot
# purgatory list; the top spenders; the KPIs (one row each); the listed KPIs' histories; top
# risks; open decisions; pending gate requests; incidents and exceptions of the period (each list
# counts its rows with a window function); the unit select's options; and, with a unit chosen,
# its validation; for admins and executives, the latest reports of the Reports card.
# (15 with a unit while every initiative, KPI and measurement was loaded and summed in Python,
# over the budget of 14 that predates the exceptions card: three queries whose rows grew with the
# portfolio became five that return a page or a summary.)
DASHBOARD_QUERY_BUDGET = 17


@pytest.fixture
def frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def portfolio(frozen_now):
    return build_portfolio(30, now=frozen_now)


def _get(client, user, params=None, **headers):
    client.force_login(user)
    return client.get(URL, params or {}, **headers)


def test_the_url_is_named():
    assert reverse("reporting:dashboard") == URL


# ---------------------------------------------------------------------------------------------
# Every card equals what the database says
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("by_unit", [False, True])
def test_portfolio_card_counts_every_stage_and_status(client, executive, portfolio, by_unit):
    unit_id = portfolio.units[1].pk if by_unit else None
    response = _get(client, executive, {"unit": unit_id} if unit_id else {})
    dashboard = response.context["dashboard"]
    expected = Counter(initiatives_of(unit_id).values_list("stage", "status"))
    for stage in Stage.values:
        for status in Status.values:
            assert dashboard.stage_status_counts[stage][status] == expected[(stage, status)]
    active = initiatives_of(unit_id).filter(status=Status.ACTIVE).count()
    assert dashboard.active_count == active
    assert f"<strong>{active}</strong> active" in response.content.decode()


@pytest.mark.parametrize("by_unit", [False, True])
def test_readiness_card_counts_the_band_of_each_current_scorecard(
    client, executive, portfolio, by_unit
):
    unit_id = portfolio.units[0].pk if by_unit else None
    dashboard = _get(client, executive, {"unit": unit_id} if unit_id else {}).context["dashboard"]
    current = Assessment.objects.filter(
        status=AssessmentStatus.SUBMITTED,
        template__key="readiness_scorecard",
        initiative__in=initiatives_of(unit_id),
    )
    expected = Counter(current.values_list("band", flat=True))
    counts = {band.id: band.count for band in dashboard.bands}
    assert expected
    for band, count in expected.items():
        assert counts[band] == count
    assert counts["not_assessed"] == initiatives_of(unit_id).count() - current.count()
    assert sum(counts.values()) == initiatives_of(unit_id).count()
    assert [band.id for band in dashboard.bands][:4] == ["low", "weak", "moderate", "strong"]


def test_superseded_and_draft_scorecards_do_not_count(client, executive, portfolio):
    before = {b.id: b.count for b in _get(client, executive).context["dashboard"].bands}
    scorecard = Assessment.objects.filter(status=AssessmentStatus.SUBMITTED).first()
    scorecard.status = AssessmentStatus.SUPERSEDED
    scorecard.save(update_fields=["status"])
    after = {b.id: b.count for b in _get(client, executive).context["dashboard"].bands}
    assert after[scorecard.band] == before[scorecard.band] - 1
    assert after["not_assessed"] == before["not_assessed"] + 1


def test_value_card_plots_readiness_against_kpi_progress(client, executive, portfolio):
    dashboard = _get(client, executive).context["dashboard"]
    assessed = dict(
        Assessment.objects.filter(status=AssessmentStatus.SUBMITTED).values_list(
            "initiative_id", "total"
        )
    )
    measured = set(KpiMeasurement.objects.values_list("kpi__initiative_id", flat=True))
    expected = {pk for pk in assessed if pk in measured}
    assert {row.id for row in dashboard.value_points} == expected
    for row in dashboard.value_points:
        assert row.readiness_total == assessed[row.id]
        kpi = Kpi.objects.get(initiative_id=row.id)
        assert row.kpi_progress == kpi.current_status.progress_pct


def test_past_the_cap_the_value_card_groups_close_initiatives_into_one_dot(
    client, executive, portfolio, monkeypatch
):
    plotted = {point.id for point in _get(client, executive).context["dashboard"].value_points}
    monkeypatch.setattr(selectors, "VALUE_POINTS_MAX", 5)
    response = _get(client, executive)
    dashboard = response.context["dashboard"]
    assert dashboard.value_points_binned
    assert dashboard.value_point_count == len(plotted)
    assert sum(point.initiatives for point in dashboard.value_points) == len(plotted)
    assert len(dashboard.value_points) < len(plotted)
    grouped = [point for point in dashboard.value_points if point.initiatives > 1]
    assert grouped and all(p.label == f"{p.initiatives} initiatives" for p in grouped)
    assert "share a dot" in response.content.decode()


def test_top_risks_are_the_five_most_severe_open_or_mitigating(client, executive, portfolio):
    response = _get(client, executive)
    dashboard = response.context["dashboard"]
    live = Risk.objects.filter(status__in=[RiskStatus.OPEN, RiskStatus.MITIGATING])
    assert dashboard.open_risk_count == live.count()
    severities = sorted(live.values_list("severity", flat=True), reverse=True)[:5]
    assert [risk.severity for risk in dashboard.top_risks] == severities
    html = response.content.decode()
    for risk in dashboard.top_risks:
        assert risk.description in html
        assert f"threshold {risk.escalation_threshold}" in html
    assert "Rita Risk" in html  # the owner


def test_decisions_card_counts_open_leadership_decisions_and_pending_gate_requests(
    client, executive, portfolio
):
    response = _get(client, executive)
    dashboard = response.context["dashboard"]
    open_decisions = LeadershipDecision.objects.filter(status=LeadershipDecisionStatus.OPEN)
    pending = GateRequest.objects.filter(status=GateRequestStatus.PENDING)
    assert dashboard.decision_count == open_decisions.count()
    assert dashboard.gate_request_count == pending.count() > 0
    first = open_decisions.order_by("due_date", "pk").first()
    assert dashboard.decisions[0] == first
    html = response.content.decode()
    assert f"<strong>{open_decisions.count()}</strong> leadership decisions open" in html
    assert f"<strong>{pending.count()}</strong> gate request" in html


def test_decided_items_are_not_pending(client, executive, portfolio):
    LeadershipDecision.objects.update(status=LeadershipDecisionStatus.DECIDED)
    GateRequest.objects.update(status=GateRequestStatus.WITHDRAWN)
    dashboard = _get(client, executive).context["dashboard"]
    assert (dashboard.decision_count, dashboard.gate_request_count) == (0, 0)


@pytest.mark.parametrize("by_unit", [False, True])
def test_pilot_purgatory_card_is_the_governance_rule(client, executive, portfolio, by_unit):
    unit_id = pilot_purgatory_initiatives(NOW).first().business_unit_id if by_unit else None
    dashboard = _get(client, executive, {"unit": unit_id} if unit_id else {}).context["dashboard"]
    expected = pilot_purgatory_initiatives(NOW)
    if unit_id:
        expected = expected.filter(business_unit_id=unit_id)
    # The card counts them all and lists the ten stuck longest.
    assert dashboard.pilot_purgatory_count == expected.count()
    assert [row.id for row in dashboard.pilot_purgatory] == [i.pk for i in expected[:10]]
    assert dashboard.pilot_purgatory, "the builder puts some pilots in purgatory"


@pytest.mark.parametrize(
    ("params", "start", "end"),
    [
        ({}, datetime.date(2026, 11, 1), datetime.date(2026, 11, 30)),
        (
            {"period": "month", "month": "2026-09"},
            datetime.date(2026, 9, 1),
            datetime.date(2026, 9, 30),
        ),
        (
            {"period": "quarter", "quarter": "2026-Q3"},
            datetime.date(2026, 7, 1),
            datetime.date(2026, 9, 30),
        ),
        (
            {"period": "custom", "start": "2026-08-15", "end": "2026-10-10"},
            datetime.date(2026, 8, 15),
            datetime.date(2026, 10, 10),
        ),
    ],
)
def test_incidents_card_counts_incidents_that_occurred_in_the_period(
    client, executive, portfolio, params, start, end
):
    dashboard = _get(client, executive, params).context["dashboard"]
    assert (dashboard.filters.start, dashboard.filters.end) == (start, end)
    occurred = [
        timezone.localdate(moment)
        for moment in Incident.objects.values_list("occurred_at", flat=True)
    ]
    expected = sum(1 for day in occurred if start <= day <= end)
    assert dashboard.incident_count == expected > 0
    assert len(dashboard.incidents) == min(expected, 10)
    assert all(start <= timezone.localdate(i.occurred_at) <= end for i in dashboard.incidents)


def test_kpi_card_compares_the_latest_measurement_with_the_previous(client, executive, portfolio):
    dashboard = _get(client, executive).context["dashboard"]
    assert dashboard.kpi_counts["total"] == Kpi.objects.count()
    assert dashboard.kpis_shown
    for movement in dashboard.kpis_shown:
        values = list(
            KpiMeasurement.objects.filter(kpi__initiative_id=movement.initiative_id)
            .order_by("measured_on")
            .values_list("value", flat=True)
        )
        assert (movement.previous, movement.latest) == (values[-2], values[-1])
        assert movement.change == values[-1] - values[-2]


def test_kpi_card_counts_every_kpi_and_lists_off_track_and_worsening_first(
    client, executive, portfolio
):
    response = _get(client, executive)
    dashboard = response.context["dashboard"]
    statuses = {kpi.initiative_id: kpi.current_status for kpi in Kpi.objects.all()}
    counts = dashboard.kpi_counts
    assert counts["total"] == len(statuses)
    assert counts["on_track"] == sum(1 for s in statuses.values() if s.on_track)
    assert counts["off_track"] == sum(1 for s in statuses.values() if s.on_track is False)
    shown = dashboard.kpis_shown
    assert len(shown) == min(10, len(statuses))
    ranks = [(m.on_track is not False, m.improved is not False) for m in shown]
    assert ranks == sorted(ranks)
    html = response.content.decode()
    assert f"<strong>{counts['total']}</strong> KPIs: {counts['on_track']} on track" in html
    for movement in shown:
        assert movement.name in html


def test_kpi_movement_ignores_measurements_after_the_period(client, executive, portfolio):
    dashboard = _get(client, executive, {"month": "2026-09"}).context["dashboard"]
    assert dashboard.kpis_shown
    for movement in dashboard.kpis_shown:
        values = list(
            KpiMeasurement.objects.filter(
                kpi__initiative_id=movement.initiative_id,
                measured_on__lte=datetime.date(2026, 9, 30),
            )
            .order_by("measured_on")
            .values_list("value", flat=True)
        )
        assert movement.latest == (values[-1] if values else None)


@pytest.mark.parametrize("by_unit", [False, True])
def test_spend_card_sums_spend_and_run_cost_per_business_unit(
    client, executive, portfolio, by_unit
):
    unit_id = portfolio.units[0].pk if by_unit else None
    response = _get(client, executive, {"unit": unit_id} if unit_id else {})
    dashboard = response.context["dashboard"]
    rows = {unit.name: unit for unit in dashboard.spend_by_unit}
    sums = list(
        initiatives_of(unit_id)
        .values_list("business_unit__name")
        .annotate(Sum("actual_spend"), Sum("monthly_run_cost"))
    )
    assert sums
    for unit_name, spend, run in sums:
        assert rows[unit_name].actual_spend == (spend or Decimal(0))
        assert rows[unit_name].monthly_run_cost == (run or Decimal(0))
    total = initiatives_of(unit_id).aggregate(total=Sum("actual_spend"))["total"]
    assert dashboard.total_spend == total
    assert f"€{int(total):,}" in response.content.decode()
    top = (
        initiatives_of(unit_id)
        .filter(actual_spend__isnull=False)
        .order_by("-actual_spend", "-monthly_run_cost", "title")[:10]
    )
    assert [row.id for row in dashboard.top_spenders] == [i.pk for i in top]


def test_every_card_and_chart_is_on_the_page(client, executive, portfolio):
    html = _get(client, executive).content.decode()
    for card in (
        "portfolio",
        "readiness",
        "value",
        "risks",
        "decisions",
        "purgatory",
        "incidents",
        "kpis",
        "spend",
    ):
        assert f'id="card-{card}"' in html
    assert html.count('role="img"') >= 4
    assert "<script" not in html.split('id="dashboard-results"')[1]


def test_an_empty_portfolio_shows_every_card_without_data(client, executive, frozen_now):
    response = _get(client, executive)
    assert response.status_code == 200
    html = response.content.decode()
    assert "No data to show" in html
    assert "No open risks." in html
    assert "No initiative has a KPI yet" in html


# ---------------------------------------------------------------------------------------------
# Filters, URL and htmx
# ---------------------------------------------------------------------------------------------


def test_filters_are_in_the_url_and_the_form_keeps_them(client, executive, portfolio):
    unit = portfolio.units[1]
    response = _get(client, executive, {"unit": unit.pk, "period": "quarter", "quarter": "2026-Q3"})
    html = response.content.decode()
    assert f'<option value="{unit.pk}" selected>' in html
    assert 'value="2026-Q3"' in html
    assert "Q3 2026" in html and unit.name in html
    assert 'hx-push-url="true"' in html and 'method="get"' in html


def test_an_end_before_the_start_is_a_clear_error_on_the_end_field(client, executive, portfolio):
    response = _get(
        client, executive, {"period": "custom", "start": "2026-10-10", "end": "2026-10-01"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["end"] == [
        "The end date must be on or after the start date."
    ]
    html = response.content.decode()
    assert 'href="#id_end"' in html and "The end date must be on or after the start date." in html
    assert "dashboard" not in response.context


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"period": "custom", "end": "2026-10-01"}, "start"),
        ({"period": "custom", "start": "2026-10-01"}, "end"),
        ({"period": "custom", "start": "not a date", "end": "2026-10-01"}, "start"),
        ({"month": "2026-13"}, "month"),
        ({"period": "quarter", "quarter": "2026-Q5"}, "quarter"),
        ({"unit": "999999"}, "unit"),
    ],
)
def test_bad_filters_name_their_field(client, executive, portfolio, params, field):
    response = _get(client, executive, params)
    assert field in response.context["form"].errors


def test_htmx_request_returns_only_the_results_section(client, executive, portfolio):
    response = _get(
        client,
        executive,
        {"unit": portfolio.units[0].pk},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="dashboard-results",
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="dashboard-results"')
    assert "<html" not in html and 'role="search"' not in html
    assert 'id="card-spend"' in html


def test_htmx_request_with_bad_filters_swaps_in_the_errors(client, executive, portfolio):
    response = _get(
        client,
        executive,
        {"period": "custom", "start": "2026-10-10", "end": "2026-10-01"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="dashboard-results",
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="dashboard-results"')
    assert 'role="alert"' in html


def test_nav_links_to_the_dashboard_first(client, executive, frozen_now):
    html = _get(client, executive).content.decode()
    nav = html.split('<nav aria-label="Main">')[1]
    assert nav.index("/dashboard/") < nav.index(reverse("portfolio:initiative_list"))
    assert 'href="/dashboard/" aria-current="page"' in nav


# ---------------------------------------------------------------------------------------------
# Permissions
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_the_dashboard(client, users_by_role, frozen_now, role, method):
    if role != "anonymous":
        client.force_login(users_by_role[role])
    response = getattr(client, method)(URL)
    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(f"{reverse('login')}?next=")
    elif role not in READERS:
        assert response.status_code == 403
    else:
        assert response.status_code == (200 if method == "get" else 405)


# ---------------------------------------------------------------------------------------------
# Cached figures
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def figures_cached(settings):
    """The production setting: figures reused for 30 seconds (the tests otherwise run without)."""
    settings.AGGREGATE_CACHE_SECONDS = 30
    cache.clear()
    yield
    cache.clear()


def test_figures_are_reused_briefly_per_filter_and_the_page_says_when_they_were_computed(
    client, executive, portfolio, figures_cached, django_assert_max_num_queries
):
    first = _get(client, executive)
    computed = first.context["computed_at"]
    assert "Figures computed at" in first.content.decode()
    assert "recomputed at least every 30 seconds" in first.content.decode()
    Risk.objects.update(status=RiskStatus.CLOSED)
    # Within the 30 seconds the same filters read the cache: only the session, user, roles,
    # the unit select's options and the Reports card are queried.
    with django_assert_max_num_queries(5):
        again = client.get(URL)
    assert again.context["dashboard"].open_risk_count == first.context["dashboard"].open_risk_count
    assert again.context["computed_at"] == computed
    # Other filters are other figures, computed now.
    other = _get(client, executive, {"unit": portfolio.units[0].pk})
    assert other.context["dashboard"].open_risk_count == 0
    with time_machine.travel(NOW + datetime.timedelta(seconds=31), tick=False):
        later = _get(client, executive)
    assert later.context["dashboard"].open_risk_count == 0
    assert later.context["computed_at"] > computed


def test_without_the_cache_the_page_does_not_claim_an_age(client, executive, portfolio):
    assert "Figures computed at" not in _get(client, executive).content.decode()


# ---------------------------------------------------------------------------------------------
# Queries
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [5, 200])
@pytest.mark.parametrize(
    "params",
    [{}, {"period": "quarter", "quarter": "2026-Q4"}, {"unit": "first"}],
)
def test_dashboard_query_count_is_constant(
    client, executive, frozen_now, django_assert_max_num_queries, size, params
):
    portfolio = build_portfolio(size, now=frozen_now)
    if params.get("unit") == "first":
        params = {"unit": portfolio.units[0].pk}
    client.force_login(executive)
    with django_assert_max_num_queries(DASHBOARD_QUERY_BUDGET):
        response = client.get(URL, params)
    assert response.status_code == 200
    assert (
        response.context["dashboard"].initiative_count == initiatives_of(params.get("unit")).count()
    )
