"""When the demo's story happened, counted back from the day it is seeded.

The council meets once a month, on the second Tuesday at 14:00 local time; every stage step of
`portfolio.demo_data` was decided at the meeting of the month its "stage_months_ago" names, and
a hold or a kill at the meeting of its "status_months_ago". Counting back from today (not from a
fixed date) keeps the story's last moves in the recent past, so last month's report and the
dashboard always have movement to show. Pure functions of dates: the seed commands use them.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Final

from django.utils import timezone

COUNCIL_MEETING_WEEKDAY: Final = 1  # Tuesday (Monday is 0)
COUNCIL_MEETING_TIME: Final = datetime.time(14, 0)
# Owners file a request about a week before the meeting that decides it.
REQUEST_LEAD_DAYS: Final = 6


def month_back(today: datetime.date, months_ago: int) -> datetime.date:
    """The first day of the month `months_ago` months before `today`'s month."""
    index = today.year * 12 + (today.month - 1) - months_ago
    return datetime.date(index // 12, index % 12 + 1, 1)


def _meeting_day_of(first_of_month: datetime.date) -> datetime.date:
    """The second Tuesday of the month that starts on `first_of_month`."""
    offset = (COUNCIL_MEETING_WEEKDAY - first_of_month.weekday()) % 7
    return first_of_month + datetime.timedelta(days=offset + 7)


def _at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, COUNCIL_MEETING_TIME))


def council_meeting_day(today: datetime.date, months_ago: int) -> datetime.date:
    """The council's meeting day `months_ago` months back (at least 1: always past)."""
    if months_ago < 1:
        raise ValueError("the story happens in earlier months: months_ago must be at least 1")
    return _meeting_day_of(month_back(today, months_ago))


def council_meeting_at(today: datetime.date, months_ago: int) -> datetime.datetime:
    """The start of the meeting `months_ago` months back, in the current time zone."""
    return _at(council_meeting_day(today, months_ago))


def next_council_meeting_at(now: datetime.datetime) -> datetime.datetime:
    """The first monthly meeting that starts after `now`: this month's or next month's."""
    this_month = timezone.localdate(now).replace(day=1)
    upcoming = _at(_meeting_day_of(this_month))
    if upcoming > now:
        return upcoming
    return _at(_meeting_day_of(month_back(this_month, -1)))


def stage_moves_at(spec: Mapping[str, Any], today: datetime.date) -> dict[str, datetime.datetime]:
    """When the initiative of `spec` moved into each stage of its history."""
    steps = spec["stage_history"]
    months = spec.get("stage_months_ago", ())
    if len(months) != len(steps):
        raise ValueError(f"{spec['title']}: one stage_months_ago per stage_history step")
    if list(months) != sorted(months, reverse=True):
        raise ValueError(f"{spec['title']}: stage steps must be in the order they happened")
    return {
        stage: council_meeting_at(today, months_ago)
        for (stage, _reason), months_ago in zip(steps, months, strict=True)
    }


def status_changed_at(spec: Mapping[str, Any], today: datetime.date) -> datetime.datetime | None:
    """When the council put the initiative on hold or stopped it (None while it is active)."""
    if spec.get("status") is None:
        return None
    return council_meeting_at(today, spec["status_months_ago"])
