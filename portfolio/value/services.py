"""Every change to an initiative's value data: its KPI, measurements and adoption.

One function each, one transaction, one audit event. Who may change: the initiative's owners and
governance admins (the same rule as editing the initiative).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from core.audit import changes_between, record_audit_event, snapshot
from core.concurrency import check_version, field_values, lock_for_update
from core.errors import ConflictError
from core.permissions import require
from portfolio.models import Initiative, Kpi, KpiMeasurement, MeasurementSource
from portfolio.permissions import EDIT_DENIED_MESSAGE, can_edit_initiative
from portfolio.value.rules import RowError, parse_measurements_csv

KPI_FIELDS: tuple[str, ...] = (
    "name",
    "unit",
    "direction",
    "baseline",
    "target",
    "target_date",
    "error_budget",
)


class MeasurementImportError(Exception):
    """An upload was refused; nothing was saved. `errors` says what to fix, row by row."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} problem(s) in the file; nothing was imported.")
        self.errors = errors


def _locked_initiative_for_edit(initiative: Initiative, actor: AbstractBaseUser) -> Initiative:
    locked = lock_for_update(Initiative, initiative.pk)
    require(can_edit_initiative(actor, locked), EDIT_DENIED_MESSAGE)
    return locked


@transaction.atomic
def kpi_set(
    *,
    initiative: Initiative,
    actor: AbstractBaseUser,
    data: Mapping[str, Any],
    expected_version: int | None,
) -> Kpi:
    """Define the initiative's KPI, or change it unless someone saved it since `expected_version`.

    `expected_version` 0 (or None) creates; creating when a KPI exists is a conflict too. A
    save that changes nothing keeps the version and writes no audit event.
    """
    _locked_initiative_for_edit(initiative, actor)
    unknown = sorted(set(data) - set(KPI_FIELDS))
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "This field cannot be set here."))
    # The initiative's lock serialises the saves of its KPI.
    kpi = Kpi.objects.filter(initiative_id=initiative.pk).first()
    if kpi is None:
        if expected_version not in (None, 0):
            raise ConflictError("This KPI no longer exists; reload the page.")
        kpi = Kpi(initiative_id=initiative.pk, version=1)
        before = dict.fromkeys(KPI_FIELDS)
        before_values = None
        action = "kpi.created"
    else:
        before = snapshot(kpi, KPI_FIELDS)
        check_version(kpi, expected_version, kind="KPI", current=before)
        before_values = field_values(kpi, KPI_FIELDS)
        action = "kpi.updated"
    for name, value in data.items():
        setattr(kpi, name, value)
    kpi.full_clean(exclude=["initiative", "updated_by"])
    if before_values is not None:
        if field_values(kpi, KPI_FIELDS) == before_values:
            return kpi
        kpi.version += 1
    kpi.updated_by = actor
    kpi.save()
    record_audit_event(
        actor=actor,
        action=action,
        target=kpi,
        initiative_id=initiative.pk,
        changes=changes_between(before, snapshot(kpi, KPI_FIELDS)),
    )
    return kpi


def _kpi_for_edit(kpi: Kpi, actor: AbstractBaseUser) -> Kpi:
    initiative = _locked_initiative_for_edit(kpi.initiative, actor)
    kpi = lock_for_update(Kpi, kpi.pk)
    kpi.initiative = initiative
    return kpi


@transaction.atomic
def measurement_record(
    *,
    kpi: Kpi,
    actor: AbstractBaseUser,
    measured_on: datetime.date,
    value: Decimal,
    note: str = "",
    source: str = MeasurementSource.BROWSER,
) -> KpiMeasurement:
    """Record one measurement; a second one for the same day is refused (field `measured_on`)."""
    kpi = _kpi_for_edit(kpi, actor)
    if KpiMeasurement.objects.filter(kpi=kpi, measured_on=measured_on).exists():
        raise ValidationError(
            {"measured_on": f"There is already a measurement for {measured_on:%d %b %Y}."}
        )
    measurement = KpiMeasurement(
        kpi=kpi,
        measured_on=measured_on,
        value=value,
        note=note.strip(),
        source=source,
        recorded_by=actor,
    )
    measurement.full_clean(exclude=["kpi"], validate_constraints=False)
    measurement.save()
    record_audit_event(
        actor=actor,
        action="kpi_measurement.recorded",
        target=measurement,
        initiative_id=kpi.initiative_id,
        changes=changes_between(
            {}, snapshot(measurement, ("measured_on", "value", "note", "source"))
        ),
    )
    return measurement


@transaction.atomic
def measurements_import_csv(
    *,
    kpi: Kpi,
    actor: AbstractBaseUser,
    text: str,
    replace: bool = False,
    source: str = MeasurementSource.CSV,
) -> list[KpiMeasurement]:
    """Import every row of a measurements CSV, or none.

    Any row error, or a date already measured (unless `replace`), raises MeasurementImportError
    with every problem found and saves nothing. With `replace`, existing values for the file's
    dates are overwritten and the old values are kept in the audit event.
    """
    kpi = _kpi_for_edit(kpi, actor)
    rows, errors = parse_measurements_csv(text)
    existing = {
        m.measured_on: m
        for m in KpiMeasurement.objects.filter(
            kpi=kpi, measured_on__in=[row.measured_on for row in rows]
        )
    }
    if not replace:
        errors += [
            RowError(
                row.line,
                "measured_on",
                f"There is already a measurement for {row.measured_on.isoformat()} "
                f"({existing[row.measured_on].value.normalize():f}); "
                "tick “replace” to overwrite it.",
            )
            for row in rows
            if row.measured_on in existing
        ]
    if errors:
        raise MeasurementImportError(sorted(errors, key=lambda error: error.line))
    replaced = {day.isoformat(): str(m.value) for day, m in sorted(existing.items())}
    if existing:
        KpiMeasurement.objects.filter(pk__in=[m.pk for m in existing.values()]).delete()
    created = KpiMeasurement.objects.bulk_create(
        [
            KpiMeasurement(
                kpi=kpi,
                measured_on=row.measured_on,
                value=row.value,
                note=row.note,
                source=source,
                recorded_by=actor,
            )
            for row in rows
        ]
    )
    record_audit_event(
        actor=actor,
        action="kpi_measurement.imported",
        target=kpi,
        initiative_id=kpi.initiative_id,
        changes={
            "measurements": [
                replaced or None,
                {row.measured_on.isoformat(): str(row.value) for row in rows},
            ]
        },
    )
    return created


@transaction.atomic
def adoption_set(
    *,
    initiative: Initiative,
    actor: AbstractBaseUser,
    active_users: int | None,
    target_users: int | None,
) -> Initiative:
    """Set how many people use the initiative now and how many it is meant for."""
    locked = _locked_initiative_for_edit(initiative, actor)
    errors = {
        name: "Cannot be negative."
        for name, value in (("active_users", active_users), ("target_users", target_users))
        if value is not None and value < 0
    }
    if target_users == 0:
        errors["target_users"] = "The target must be at least one user."
    if errors:
        raise ValidationError(errors)
    before = snapshot(locked, ("active_users", "target_users"))
    locked.active_users = active_users
    locked.target_users = target_users
    locked.save(update_fields=["active_users", "target_users", "updated_at"])
    changes = changes_between(before, snapshot(locked, ("active_users", "target_users")))
    if changes:
        record_audit_event(
            actor=actor,
            action="initiative.adoption_set",
            target=locked,
            initiative_id=locked.pk,
            changes=changes,
        )
    return locked
