"""Report periods: a label ("2026-10" monthly, "2026-Q3" quarterly) parsed into its first and
last day, and those days turned into the aware datetime bounds every period query filters on, so
a period always means whole local days.
"""

from __future__ import annotations

import calendar
import datetime
import re

from django.core.exceptions import ValidationError
from django.utils import timezone

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")


def parse_period(kind: str, label: str) -> tuple[datetime.date, datetime.date]:
    """First and last day of a period: "2026-10" for monthly, "2026-Q3" for quarterly."""
    label = (label or "").strip()
    if kind == "monthly":
        match = _MONTH.match(label)
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise ValidationError(
                {"period": f'Give a month as YYYY-MM, e.g. "2026-10" (got "{label}").'}
            )
        year, month = int(match.group(1)), int(match.group(2))
        return datetime.date(year, month, 1), datetime.date(
            year, month, calendar.monthrange(year, month)[1]
        )
    if kind == "quarterly":
        match = _QUARTER.match(label.upper())
        if not match:
            raise ValidationError(
                {"period": f'Give a quarter as YYYY-QN, e.g. "2026-Q3" (got "{label}").'}
            )
        year, quarter = int(match.group(1)), int(match.group(2))
        last_month = quarter * 3
        return datetime.date(year, last_month - 2, 1), datetime.date(
            year, last_month, calendar.monthrange(year, last_month)[1]
        )
    raise ValidationError({"kind": f'Choose "monthly" or "quarterly" (got "{kind}").'})


def period_bounds(
    start: datetime.date, end: datetime.date
) -> tuple[datetime.datetime, datetime.datetime]:
    """Aware datetimes [start 00:00, day after end 00:00) in the current time zone."""
    tz = timezone.get_current_timezone()
    low = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    high = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    return low, high
