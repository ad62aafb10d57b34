"""The dashboard's filters (a business unit and a period: a month, a quarter or a range), the
form that asks for a report, and the report archive's filters."""

from __future__ import annotations

import calendar
import datetime
import re

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from core.forms import add_service_errors
from portfolio.models import BusinessUnit
from reporting.models import Report, ReportKind, ReportStatus
from reporting.report_data import parse_period
from reporting.schedule import due_period
from reporting.selectors import DashboardFilters

PERIOD_CHOICES = (
    ("month", "Month"),
    ("quarter", "Quarter"),
    ("custom", "Custom range"),
)
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$", re.IGNORECASE)


def month_value(day: datetime.date) -> str:
    return f"{day:%Y-%m}"


def quarter_value(day: datetime.date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


class DashboardFilterForm(forms.Form):
    unit = forms.ModelChoiceField(
        label="Business unit",
        queryset=BusinessUnit.objects.order_by("name"),
        required=False,
        empty_label="All business units",
    )
    period = forms.ChoiceField(label="Period", choices=PERIOD_CHOICES, required=False)
    month = forms.CharField(
        label="Month",
        required=False,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-11"}),
        help_text="YYYY-MM",
    )
    quarter = forms.CharField(
        label="Quarter",
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "2026-Q4", "pattern": r"\d{4}-[Qq][1-4]"}),
        help_text="YYYY-Qn",
    )
    start = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: object, today: datetime.date, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_month(self) -> str:
        value = (self.cleaned_data.get("month") or "").strip()
        if value:
            match = _MONTH.match(value)
            if not match or not 1 <= int(match.group(2)) <= 12:
                raise forms.ValidationError("Enter a month as YYYY-MM, for example 2026-11.")
        return value

    def clean_quarter(self) -> str:
        value = (self.cleaned_data.get("quarter") or "").strip().upper()
        if value and not _QUARTER.match(value):
            raise forms.ValidationError("Enter a quarter as YYYY-Qn, for example 2026-Q4.")
        return value

    def clean(self) -> dict:
        data = super().clean()
        period = data.get("period") or "month"
        data["period"] = period
        if period == "custom":
            start, end = data.get("start"), data.get("end")
            if "start" in self.errors or "end" in self.errors:
                return data
            if start is None:
                self.add_error("start", "Enter the first day of the range.")
            if end is None:
                self.add_error("end", "Enter the last day of the range.")
            if start and end and end < start:
                self.add_error("end", "The end date must be on or after the start date.")
        return data

    def filters(self) -> DashboardFilters:
        """The period and unit the valid form describes (call after is_valid())."""
        data = self.cleaned_data
        unit = data.get("unit")
        unit_id = unit.pk if unit else None
        period = data["period"]
        if period == "custom":
            start, end = data["start"], data["end"]
            label = f"{start:%d %b %Y} – {end:%d %b %Y}"
        elif period == "quarter":
            match = _QUARTER.match(data.get("quarter") or quarter_value(self.today))
            year, number = int(match.group(1)), int(match.group(2))
            start = datetime.date(year, 3 * number - 2, 1)
            end_month = 3 * number
            end = datetime.date(year, end_month, calendar.monthrange(year, end_month)[1])
            label = f"Q{number} {year}"
        else:
            match = _MONTH.match(data.get("month") or month_value(self.today))
            year, month = int(match.group(1)), int(match.group(2))
            start = datetime.date(year, month, 1)
            end = datetime.date(year, month, calendar.monthrange(year, month)[1])
            label = f"{start:%B %Y}"
        return DashboardFilters(start=start, end=end, label=label, business_unit_id=unit_id)


# ---------------------------------------------------------------------------------------------
# Reports: asking for a new revision, and the archive's filters
# ---------------------------------------------------------------------------------------------


class ReportRequestForm(forms.Form):
    """Which report to generate. Rendered with prefix "report" wherever it appears, so its
    fields never clash with a page's own filters (the dashboard has a "period" too)."""

    prefix = "report"

    kind = forms.ChoiceField(label="Report", choices=ReportKind.choices)
    period = forms.CharField(
        label="Report period",
        required=False,
        max_length=16,
        widget=forms.TextInput(attrs={"placeholder": "2026-10 or 2026-Q3", "size": 10}),
        help_text=(
            "YYYY-MM for a monthly review, YYYY-Qn for a quarterly summary; left empty, the "
            "month or quarter that just ended."
        ),
    )

    def __init__(self, *args: object, today: datetime.date, **kwargs: object) -> None:
        kwargs.setdefault(
            "initial",
            {"kind": ReportKind.MONTHLY, "period": due_period(ReportKind.MONTHLY, today)},
        )
        super().__init__(*args, **kwargs)
        self.today = today

    def clean(self) -> dict:
        data = super().clean()
        kind = data.get("kind")
        if not kind:
            return data
        period = (data.get("period") or "").strip() or due_period(kind, self.today)
        try:
            parse_period(kind, period)
        except ValidationError as error:
            add_service_errors(self, error)
            return data
        data["period"] = period.upper() if kind == ReportKind.QUARTERLY else period
        return data


_ARCHIVE_PERIOD = re.compile(r"^\d{4}(-(0[1-9]|1[0-2]|Q[1-4]))?$")


class ReportFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label="Kind", choices=[("", "All reports"), *ReportKind.choices], required=False
    )
    period = forms.CharField(
        label="Period",
        required=False,
        max_length=16,
        widget=forms.TextInput(attrs={"placeholder": "2026, 2026-10 or 2026-Q3", "size": 14}),
    )
    status = forms.ChoiceField(
        label="Status", choices=[("", "Any status"), *ReportStatus.choices], required=False
    )

    def clean_period(self) -> str:
        value = (self.cleaned_data.get("period") or "").strip().upper()
        if value and not _ARCHIVE_PERIOD.match(value):
            raise forms.ValidationError(
                "Enter a year (2026), a month (2026-10) or a quarter (2026-Q3)."
            )
        return value

    def filter(self, queryset: QuerySet[Report]) -> QuerySet[Report]:
        """The reports matching the valid filters; a filter that did not validate is ignored."""
        self.is_valid()
        data = self.cleaned_data  # holds only the fields that validated
        if data.get("kind"):
            queryset = queryset.filter(kind=data["kind"])
        if data.get("period"):
            queryset = queryset.filter(period_label__startswith=data["period"])
        if data.get("status"):
            queryset = queryset.filter(status=data["status"])
        return queryset
