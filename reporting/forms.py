"""The dashboard's filters: a business unit and a period (a month, a quarter or a range)."""

from __future__ import annotations

import calendar
import datetime
import re

from django import forms

from portfolio.models import BusinessUnit
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
