"""`manage.py seed_value`: the demo value data, consistent with the problem statements, safe to
run twice.

Seeded once for the module; seed_value on an empty database is in test_seed_commands.py."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from core.models import AuditEvent
from portfolio.management.commands.seed_value import VALUE_SPECS
from portfolio.models import Initiative, Kpi, KpiMeasurement, ProblemStatement
from tests.seeding import seed_once_per_module

pytestmark = pytest.mark.django_db


def _seed() -> str:
    call_command("seed_demo", "--quiet")
    with time_machine.travel(datetime.datetime(2026, 11, 1, 9, tzinfo=datetime.UTC), tick=False):
        out = StringIO()
        call_command("seed_value", stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker) -> Iterator[str]:
    """The demo and its value data, seeded once for this module; what seed_value printed."""
    yield from seed_once_per_module(django_db_blocker, _seed)


def test_every_spec_is_a_demo_initiative(seeded):
    assert "8 initiative(s) seeded, 0 already had a KPI" in seeded
    assert Kpi.objects.count() == len(VALUE_SPECS) == 8


def test_each_kpi_has_three_to_six_measurements_and_adoption(seeded):
    kpis = list(Kpi.objects.select_related("initiative"))
    assert len(kpis) == len(VALUE_SPECS)
    for kpi in kpis:
        assert 3 <= kpi.measurements.count() <= 6, kpi
        assert kpi.initiative.target_users, kpi
        assert kpi.initiative.active_users is not None


def test_kpis_match_their_problem_statements(seeded):
    kpis = list(Kpi.objects.all())
    assert len(kpis) == len(VALUE_SPECS)
    for kpi in kpis:
        statement = ProblemStatement.objects.get(initiative_id=kpi.initiative_id)
        assert statement.kpi == kpi.name
        assert statement.target_date == kpi.target_date


@time_machine.travel(datetime.datetime(2026, 11, 1, 9, tzinfo=datetime.UTC), tick=False)
def test_some_are_on_track_and_sales_coaching_is_off(seeded):
    status = {
        kpi.initiative.title: kpi.current_status for kpi in Kpi.objects.select_related("initiative")
    }
    assert status["Sales call coaching"].on_track is False
    assert status["Insight synthesis for CX"].on_track is False
    on_track = [title for title, s in status.items() if s.on_track]
    assert len(on_track) == 6
    coaching = Initiative.objects.get(title="Sales call coaching")
    assert (coaching.active_users, coaching.target_users) == (24, 200)


def test_run_costs_are_filled_only_where_missing(seeded):
    assert Initiative.objects.get(title="Self-hosted AI code review").monthly_run_cost == 3500
    assert (
        Initiative.objects.get(title="Loan application document extraction").monthly_run_cost
        == 28000
    )


def test_a_second_run_writes_nothing(seeded):
    events = AuditEvent.objects.count()
    measurements = KpiMeasurement.objects.count()
    out = StringIO()
    call_command("seed_value", stdout=out)
    assert "0 initiative(s) seeded, 8 already had a KPI" in out.getvalue()
    assert AuditEvent.objects.count() == events
    assert KpiMeasurement.objects.count() == measurements
