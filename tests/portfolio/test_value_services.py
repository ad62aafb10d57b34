"""Value services: who may change value data, conflicts, all-or-nothing imports, audit events."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.errors import ConflictError
from core.models import AuditEvent
from portfolio.models import Kpi, KpiMeasurement
from portfolio.value.services import (
    MeasurementImportError,
    adoption_set,
    kpi_set,
    measurement_record,
    measurements_import_csv,
)
from tests.portfolio.support import TRIAGE_KPI

pytestmark = pytest.mark.django_db


@pytest.fixture
def kpi(initiative, product_owner):
    return kpi_set(initiative=initiative, actor=product_owner, data=TRIAGE_KPI, expected_version=0)


def test_owner_defines_the_kpi_and_it_is_audited(initiative, product_owner):
    kpi = kpi_set(initiative=initiative, actor=product_owner, data=TRIAGE_KPI, expected_version=0)
    assert kpi.version == 1
    assert kpi.updated_by == product_owner
    event = AuditEvent.objects.get(action="kpi.created")
    assert event.initiative_id == initiative.pk
    assert event.changes["target"] == [None, "9"]


def test_governance_admin_may_change_any_kpi(kpi, governance_admin):
    updated = kpi_set(
        initiative=kpi.initiative,
        actor=governance_admin,
        data={"target": Decimal("8")},
        expected_version=1,
    )
    assert updated.version == 2
    event = AuditEvent.objects.get(action="kpi.updated")
    assert event.changes == {"target": ["9.0000", "8"]}


@pytest.mark.parametrize("role", ["executive", "other_product_owner", "council_member", "auditor"])
def test_others_may_not_set_the_kpi(initiative, users_by_role, role):
    with pytest.raises(PermissionDenied):
        kpi_set(
            initiative=initiative,
            actor=users_by_role[role],
            data=TRIAGE_KPI,
            expected_version=0,
        )
    assert not Kpi.objects.exists()


def test_an_edit_on_an_old_version_is_a_conflict_showing_their_values(kpi, product_owner):
    kpi_set(
        initiative=kpi.initiative,
        actor=product_owner,
        data={"target": Decimal("8")},
        expected_version=1,
    )
    with pytest.raises(ConflictError) as raised:
        kpi_set(
            initiative=kpi.initiative,
            actor=product_owner,
            data={"target": Decimal("7")},
            expected_version=1,
        )
    assert raised.value.current["target"] == "8.0000"
    assert Kpi.objects.get().target == Decimal("8")


def test_a_kpi_saved_unchanged_keeps_its_version_and_writes_nothing(kpi, product_owner):
    # The stored numbers read back as 14.0000, 9.0000 and 1.0000: the same values as typed.
    again = kpi_set(
        initiative=kpi.initiative, actor=product_owner, data=TRIAGE_KPI, expected_version=1
    )
    assert again.version == 1
    assert Kpi.objects.get().version == 1
    assert not AuditEvent.objects.filter(action="kpi.updated").exists()


def test_defining_a_kpi_twice_is_a_conflict(kpi, product_owner):
    with pytest.raises(ConflictError):
        kpi_set(initiative=kpi.initiative, actor=product_owner, data=TRIAGE_KPI, expected_version=0)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"target": Decimal("15")}, "target"),  # decrease KPI with a target above the baseline
        ({"target": Decimal("14")}, "target"),
        ({"error_budget": Decimal("-1")}, "error_budget"),
        ({"direction": "sideways"}, "direction"),
        ({"name": ""}, "name"),
        ({"status": "on track"}, "status"),  # on track is computed, never typed
    ],
)
def test_bad_kpi_definitions_are_refused_with_the_field_named(
    initiative, product_owner, change, field
):
    with pytest.raises(ValidationError) as raised:
        kpi_set(
            initiative=initiative,
            actor=product_owner,
            data={**TRIAGE_KPI, **change},
            expected_version=0,
        )
    assert field in raised.value.message_dict
    assert not Kpi.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="kpi").exists()


def test_recording_a_measurement(kpi, product_owner):
    measurement = measurement_record(
        kpi=kpi,
        actor=product_owner,
        measured_on=datetime.date(2026, 10, 31),
        value=Decimal("12.5"),
        note=" October ",
    )
    assert measurement.note == "October"
    assert measurement.source == "browser"
    event = AuditEvent.objects.get(action="kpi_measurement.recorded")
    assert event.changes["value"] == [None, "12.5"]


def test_a_second_measurement_for_the_same_day_is_refused(kpi, product_owner):
    day = datetime.date(2026, 10, 31)
    measurement_record(kpi=kpi, actor=product_owner, measured_on=day, value=Decimal("12"))
    with pytest.raises(ValidationError) as raised:
        measurement_record(kpi=kpi, actor=product_owner, measured_on=day, value=Decimal("11"))
    assert "measured_on" in raised.value.message_dict
    assert KpiMeasurement.objects.get().value == Decimal("12")


def test_others_may_not_record_measurements(kpi, other_product_owner):
    with pytest.raises(PermissionDenied):
        measurement_record(
            kpi=kpi,
            actor=other_product_owner,
            measured_on=datetime.date(2026, 10, 31),
            value=Decimal("1"),
        )


GOOD_CSV = "measured_on,value,note\n2026-09-30,13,\n2026-10-31,12,October\n"


def test_importing_a_good_file_saves_every_row_with_one_audit_event(kpi, product_owner):
    created = measurements_import_csv(kpi=kpi, actor=product_owner, text=GOOD_CSV)
    assert len(created) == 2
    assert list(KpiMeasurement.objects.values_list("value", "source")) == [
        (Decimal("13"), "csv"),
        (Decimal("12"), "csv"),
    ]
    event = AuditEvent.objects.get(action="kpi_measurement.imported")
    assert event.changes["measurements"] == [None, {"2026-09-30": "13", "2026-10-31": "12"}]


def test_one_bad_row_imports_nothing_and_reports_every_row(kpi, product_owner):
    text = GOOD_CSV + "2026-11-31,11,\n2026-12-31,abc,\n"
    with pytest.raises(MeasurementImportError) as raised:
        measurements_import_csv(kpi=kpi, actor=product_owner, text=text)
    assert [(e.line, e.column) for e in raised.value.errors] == [
        (4, "measured_on"),
        (5, "value"),
    ]
    assert not KpiMeasurement.objects.exists()
    assert not AuditEvent.objects.filter(action="kpi_measurement.imported").exists()


def test_a_date_already_measured_is_an_error_unless_replace(kpi, product_owner):
    measurement_record(
        kpi=kpi, actor=product_owner, measured_on=datetime.date(2026, 10, 31), value=Decimal("20")
    )
    with pytest.raises(MeasurementImportError) as raised:
        measurements_import_csv(kpi=kpi, actor=product_owner, text=GOOD_CSV)
    assert [(e.line, e.column) for e in raised.value.errors] == [(3, "measured_on")]
    assert "replace" in raised.value.errors[0].message
    assert KpiMeasurement.objects.count() == 1

    measurements_import_csv(kpi=kpi, actor=product_owner, text=GOOD_CSV, replace=True)
    assert dict(KpiMeasurement.objects.values_list("measured_on", "value")) == {
        datetime.date(2026, 9, 30): Decimal("13"),
        datetime.date(2026, 10, 31): Decimal("12"),
    }
    event = AuditEvent.objects.get(action="kpi_measurement.imported")
    assert event.changes["measurements"][0] == {"2026-10-31": "20.0000"}


def test_others_may_not_import(kpi, auditor):
    with pytest.raises(PermissionDenied):
        measurements_import_csv(kpi=kpi, actor=auditor, text=GOOD_CSV)
    assert not KpiMeasurement.objects.exists()


def test_adoption_set_is_audited_and_a_no_change_save_is_not(initiative, product_owner):
    adoption_set(initiative=initiative, actor=product_owner, active_users=24, target_users=200)
    initiative.refresh_from_db()
    assert (initiative.active_users, initiative.target_users) == (24, 200)
    adoption_set(initiative=initiative, actor=product_owner, active_users=24, target_users=200)
    assert AuditEvent.objects.filter(action="initiative.adoption_set").count() == 1


@pytest.mark.parametrize(
    ("active", "target", "field"),
    [(-1, 10, "active_users"), (5, 0, "target_users"), (5, -3, "target_users")],
)
def test_bad_adoption_figures_are_refused(initiative, product_owner, active, target, field):
    with pytest.raises(ValidationError) as raised:
        adoption_set(
            initiative=initiative, actor=product_owner, active_users=active, target_users=target
        )
    assert field in raised.value.message_dict


def test_others_may_not_set_adoption(initiative, executive):
    with pytest.raises(PermissionDenied):
        adoption_set(initiative=initiative, actor=executive, active_users=1, target_users=2)


def test_current_status_of_a_kpi_is_computed_from_its_measurements(kpi, product_owner):
    assert kpi.current_status.on_track is None
    measurement_record(
        kpi=kpi, actor=product_owner, measured_on=datetime.date(2026, 6, 30), value=Decimal("14")
    )
    fresh = Kpi.objects.get(pk=kpi.pk)
    assert fresh.current_status.latest == Decimal("14")
