"""When the scheduled reports are due: pure rules, no database.

Celery beat runs the monthly executive review at 06:00 on the 1st for the month that just ended,
and the quarterly board summary at 06:15 on the first day of a quarter for the quarter that just
ended. A schedule missed while no worker (or no beat) was running is caught up later: whatever
most recent due period has no report yet is generated. Older periods are never backfilled: a
report for a month nobody asked about in time is a person's decision, not the scheduler's.

Dates are local dates in settings.TIME_ZONE (the beat schedule runs in the same zone).
"""

from __future__ import annotations

import datetime
from collections.abc import Collection
from dataclasses import dataclass
from typing import NamedTuple

from reporting.models import ReportKind


@dataclass(frozen=True)
class ReportSchedule:
    """One beat entry: which kind it generates and when (crontab fields, as crontab takes them)."""

    kind: str
    beat_entry: str
    minute: str
    hour: str
    day_of_month: str
    month_of_year: str

    def crontab_fields(self) -> dict[str, str]:
        return {
            "minute": self.minute,
            "hour": self.hour,
            "day_of_month": self.day_of_month,
            "month_of_year": self.month_of_year,
        }


SCHEDULES: tuple[ReportSchedule, ...] = (
    ReportSchedule(
        kind=ReportKind.MONTHLY,
        beat_entry="reporting-generate-monthly-report",
        minute="0",
        hour="6",
        day_of_month="1",
        month_of_year="*",
    ),
    ReportSchedule(
        kind=ReportKind.QUARTERLY,
        beat_entry="reporting-generate-quarterly-report",
        minute="15",
        hour="6",
        day_of_month="1",
        month_of_year="1,4,7,10",
    ),
)
# Belt and braces: a daily catch-up covers a beat that was down while the worker stayed up.
CATCH_UP_BEAT_ENTRY = "reporting-catch-up-scheduled-reports"

MONTHS_PER_QUARTER = 3


class ScheduledPeriod(NamedTuple):
    kind: str
    period_label: str


def previous_month_label(today: datetime.date) -> str:
    """The month before the one `today` is in: "2026-10" on any day of November 2026."""
    last_day_of_previous = today.replace(day=1) - datetime.timedelta(days=1)
    return f"{last_day_of_previous.year:04d}-{last_day_of_previous.month:02d}"


def previous_quarter_label(today: datetime.date) -> str:
    """The quarter before the one `today` is in: "2026-Q3" on any day from 1 October 2026."""
    quarter = (today.month - 1) // MONTHS_PER_QUARTER + 1
    if quarter == 1:
        return f"{today.year - 1:04d}-Q4"
    return f"{today.year:04d}-Q{quarter - 1}"


def due_period(kind: str, today: datetime.date) -> str:
    """The period label a scheduled run of `kind` is due for on `today` (the last full period)."""
    if kind == ReportKind.MONTHLY:
        return previous_month_label(today)
    if kind == ReportKind.QUARTERLY:
        return previous_quarter_label(today)
    raise ValueError(f"No schedule for report kind {kind!r}.")


def due_scheduled_reports(today: datetime.date) -> list[ScheduledPeriod]:
    """The most recent due period of every scheduled kind, in schedule order."""
    return [ScheduledPeriod(s.kind, due_period(s.kind, today)) for s in SCHEDULES]


def missing_scheduled_reports(
    today: datetime.date, existing: Collection[tuple[str, str]]
) -> list[ScheduledPeriod]:
    """The due periods with no report yet, given the (kind, period_label) pairs that have one.

    Any report row counts as existing, whatever its status or source: a queued or running one
    is on its way, a manual one already covers the period, and a failed one shows its error for
    a person to act on. So catching up never duplicates a report.
    """
    present = {(kind, label) for kind, label in existing}
    return [due for due in due_scheduled_reports(today) if due not in present]
