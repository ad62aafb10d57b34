"""The value page of an initiative: its KPI, measurements, adoption and costs."""

from __future__ import annotations

import copy
import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from core.errors import ConflictError
from core.forms import add_service_errors
from core.listing import query_without
from portfolio.models import Initiative, Kpi, KpiMeasurement, MeasurementSource
from portfolio.permissions import can_edit_initiative, get_initiative_for_user
from portfolio.value.forms import AdoptionForm, KpiForm, MeasurementForm, MeasurementUploadForm
from portfolio.value.rules import adoption_rate, cost_per_unit, value_units
from portfolio.value.services import (
    MeasurementImportError,
    adoption_set,
    kpi_set,
    measurement_record,
    measurements_import_csv,
)

MEASUREMENTS_PER_PAGE = 25
SPARK_WIDTH = 240
SPARK_HEIGHT = 48
SPARK_PAD = 4


@dataclass(frozen=True)
class Sparkline:
    points: str  # the polyline's "x,y x,y …"
    dots: list[tuple[float, float]]
    target_y: float | None
    width: int = SPARK_WIDTH
    height: int = SPARK_HEIGHT


def sparkline_geometry(
    values: list[tuple[datetime.date, Decimal]],
    *,
    target: Decimal | None = None,
    width: int = SPARK_WIDTH,
    height: int = SPARK_HEIGHT,
) -> Sparkline | None:
    """Screen coordinates of a small line chart of `values` over time, with the target as a line.

    Needs at least one value; the y range spans the values and the target. Time runs left to
    right in proportion to the days between measurements.
    """
    if not values:
        return None
    ordered = sorted(values)
    first, last = ordered[0][0], ordered[-1][0]
    span_days = (last - first).days or 1
    levels = [value for _, value in ordered] + ([target] if target is not None else [])
    low, high = min(levels), max(levels)
    span = (high - low) or Decimal(1)
    inner_w, inner_h = width - 2 * SPARK_PAD, height - 2 * SPARK_PAD

    def y_of(value: Decimal) -> float:
        return round(SPARK_PAD + float((high - value) / span) * inner_h, 1)

    dots = [
        (
            round(
                SPARK_PAD
                + (inner_w / 2 if len(ordered) == 1 else (day - first).days / span_days * inner_w),
                1,
            ),
            y_of(value),
        )
        for day, value in ordered
    ]
    return Sparkline(
        points=" ".join(f"{x},{y}" for x, y in dots),
        dots=dots,
        target_y=y_of(target) if target is not None else None,
        width=width,
        height=height,
    )


def _value_initiative(request: HttpRequest, pk: int, *, write: bool = False) -> Initiative:
    queryset = Initiative.objects.select_related("kpi", "business_unit").prefetch_related(
        Prefetch(
            "kpi__measurements",
            queryset=KpiMeasurement.objects.select_related("recorded_by").order_by("measured_on"),
        )
    )
    return get_initiative_for_user(request.user, pk, write=write, queryset=queryset)


def _kpi_of(initiative: Initiative) -> Kpi | None:
    return getattr(initiative, "kpi", None)


def _render(
    request: HttpRequest, initiative: Initiative, *, status: int = 200, **forms: Any
) -> TemplateResponse:
    kpi = _kpi_of(initiative)
    measurements = list(kpi.measurements.all()) if kpi else []
    kpi_status = kpi.current_status if kpi else None
    units = (
        value_units(direction=kpi.direction, baseline=kpi.baseline, latest=kpi_status.latest)
        if kpi
        else None
    )
    can_edit = can_edit_initiative(request.user, initiative)
    # The chart needs every measurement anyway, so the table pages through the same list.
    newest_first = list(reversed(measurements))
    page = Paginator(newest_first, MEASUREMENTS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "initiative": initiative,
        "kpi": kpi,
        "measurements": newest_first,
        "page": page,
        "query_without_page": query_without(request, "page"),
        "results_id": "measurements-table",
        "status": kpi_status,
        "sparkline": sparkline_geometry(
            [(m.measured_on, m.value) for m in measurements], target=kpi.target if kpi else None
        ),
        "adoption": adoption_rate(initiative.active_users, initiative.target_users),
        "value_units": units,
        "cost_per_unit": cost_per_unit(initiative.monthly_run_cost, units),
        "can_edit": can_edit,
        "kpi_form": forms.get("kpi_form") or KpiForm(instance=kpi),
        "measurement_form": forms.get("measurement_form") or MeasurementForm(),
        "upload_form": forms.get("upload_form") or MeasurementUploadForm(),
        "adoption_form": forms.get("adoption_form")
        or AdoptionForm(
            initial={
                "active_users": initiative.active_users,
                "target_users": initiative.target_users,
            }
        ),
        "conflict": forms.get("conflict"),
        "import_errors": forms.get("import_errors"),
        "csv_example": "measured_on,value,note\n2026-09-30,12.5,September\n2026-10-31,11,\n",
    }
    template = "portfolio/value.html"
    if request.htmx and request.htmx.target == "measurements-table":
        template += "#measurements-table"
    return TemplateResponse(request, template, context, status=status)


def _back(initiative: Initiative, anchor: str) -> HttpResponse:
    return redirect(reverse("portfolio:initiative_value", args=[initiative.pk]) + anchor)


@login_required
@require_GET
def initiative_value(request: HttpRequest, pk: int) -> TemplateResponse:
    return _render(request, _value_initiative(request, pk))


@login_required
@require_POST
def initiative_value_kpi(request: HttpRequest, pk: int) -> HttpResponse:
    initiative = _value_initiative(request, pk, write=True)
    # A copy, so a refused edit does not change the KPI the page shows next to the form.
    current = _kpi_of(initiative)
    form = KpiForm(
        request.POST, instance=copy.copy(current) if current else Kpi(initiative=initiative)
    )
    if form.is_valid():
        try:
            kpi_set(
                initiative=initiative,
                actor=request.user,
                data=form.service_data(),
                expected_version=form.cleaned_data["version"],
            )
        except ConflictError as error:
            return _render(request, initiative, status=409, kpi_form=form, conflict=error)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "KPI saved.")
            return _back(initiative, "#kpi-heading")
    return _render(request, initiative, kpi_form=form)


@login_required
@require_POST
def initiative_value_measurement(request: HttpRequest, pk: int) -> HttpResponse:
    initiative = _value_initiative(request, pk, write=True)
    form = MeasurementForm(request.POST)
    kpi = _kpi_of(initiative)
    if kpi is None:
        form.add_error(None, "Define the KPI before recording measurements.")
    elif form.is_valid():
        try:
            measurement_record(
                kpi=kpi,
                actor=request.user,
                source=MeasurementSource.BROWSER,
                **form.cleaned_data,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Measurement recorded.")
            return _back(initiative, "#measurements-heading")
    return _render(request, initiative, measurement_form=form)


@login_required
@require_POST
def initiative_value_import(request: HttpRequest, pk: int) -> HttpResponse:
    initiative = _value_initiative(request, pk, write=True)
    form = MeasurementUploadForm(request.POST, request.FILES)
    kpi = _kpi_of(initiative)
    if kpi is None:
        form.add_error(None, "Define the KPI before uploading measurements.")
    elif form.is_valid():
        try:
            created = measurements_import_csv(
                kpi=kpi,
                actor=request.user,
                text=form.cleaned_data["file"],
                replace=form.cleaned_data["replace"],
            )
        except MeasurementImportError as error:
            return _render(request, initiative, upload_form=form, import_errors=error.errors)
        else:
            messages.success(request, f"Imported {len(created)} measurement(s).")
            return _back(initiative, "#measurements-heading")
    return _render(request, initiative, upload_form=form)


@login_required
@require_POST
def initiative_value_adoption(request: HttpRequest, pk: int) -> HttpResponse:
    initiative = _value_initiative(request, pk, write=True)
    form = AdoptionForm(request.POST)
    if form.is_valid():
        try:
            adoption_set(initiative=initiative, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Adoption saved.")
            return _back(initiative, "#adoption-heading")
    return _render(request, initiative, adoption_form=form)
