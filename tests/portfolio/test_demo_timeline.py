"""portfolio.demo_timeline: the demo's story counted back from the day it is seeded."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from portfolio.demo_data import DEMO_INITIATIVES
from portfolio.demo_timeline import (
    council_meeting_at,
    council_meeting_day,
    month_back,
    next_council_meeting_at,
    stage_moves_at,
    status_changed_at,
)
from portfolio.models import Stage

D = datetime.date


@pytest.mark.parametrize(
    ("today", "months_ago", "first"),
    [
        (D(2026, 12, 6), 1, D(2026, 11, 1)),
        (D(2026, 12, 31), 12, D(2025, 12, 1)),
        (D(2027, 1, 15), 1, D(2026, 12, 1)),
        (D(2027, 3, 1), 28, D(2024, 11, 1)),
        (D(2026, 12, 6), -1, D(2027, 1, 1)),
    ],
)
def test_month_back_crosses_years(today, months_ago, first):
    assert month_back(today, months_ago) == first


@pytest.mark.parametrize(
    ("today", "months_ago", "meeting"),
    [
        # The second Tuesday, whatever weekday the month starts on.
        (D(2026, 12, 6), 1, D(2026, 11, 10)),  # 1 November 2026 is a Sunday
        (D(2026, 12, 6), 2, D(2026, 10, 13)),  # a Thursday
        (D(2026, 10, 20), 1, D(2026, 9, 8)),  # a Tuesday: the 1st is the first Tuesday
        (D(2026, 3, 2), 1, D(2026, 2, 10)),  # a Sunday
        (D(2026, 7, 30), 1, D(2026, 6, 9)),  # a Monday
    ],
)
def test_the_council_meets_on_the_second_tuesday(today, months_ago, meeting):
    assert council_meeting_day(today, months_ago) == meeting
    assert meeting.weekday() == 1 and 8 <= meeting.day <= 14


@pytest.mark.parametrize("months_ago", [0, -3])
def test_the_story_never_reaches_this_month(months_ago):
    with pytest.raises(ValueError, match="at least 1"):
        council_meeting_day(D(2026, 12, 6), months_ago)


def test_a_meeting_starts_at_two_in_the_afternoon_local_time():
    at = council_meeting_at(D(2026, 12, 6), 1)
    assert timezone.is_aware(at)
    assert timezone.localtime(at).time() == datetime.time(14, 0)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        ((2026, 12, 6, 9, 0), D(2026, 12, 8)),  # this month's is still ahead
        ((2026, 12, 8, 13, 59), D(2026, 12, 8)),  # a minute before it starts
        ((2026, 12, 8, 14, 0), D(2027, 1, 12)),  # it has started: next month's
        ((2026, 12, 31, 23, 0), D(2027, 1, 12)),
    ],
)
def test_the_next_meeting_is_the_first_that_starts_after_now(now, expected):
    moment = timezone.make_aware(datetime.datetime(*now))
    assert timezone.localdate(next_council_meeting_at(moment)) == expected


def test_every_demo_story_s_steps_and_status_fall_in_order_in_past_months():
    today = D(2026, 12, 6)
    walked = [spec for spec in DEMO_INITIATIVES if spec["stage_history"]]
    assert walked
    for spec in walked:
        moves = stage_moves_at(spec, today)
        assert list(moves) == [stage for stage, _ in spec["stage_history"]]
        moments = list(moves.values())
        assert moments == sorted(moments), spec["title"]
        assert timezone.localdate(moments[0]) > spec["start_date"], spec["title"]
        if (changed := status_changed_at(spec, today)) is not None:
            assert changed > moments[-1], spec["title"]
        assert timezone.localdate(moments[-1]) < today.replace(day=1)


def test_a_story_must_date_every_step_in_order():
    spec = {
        "title": "Out of order",
        "stage_history": ((Stage.PILOT, "a"), (Stage.CONTROLLED_ROLLOUT, "b")),
        "stage_months_ago": (3, 5),
    }
    with pytest.raises(ValueError, match="in the order they happened"):
        stage_moves_at(spec, D(2026, 12, 6))
    with pytest.raises(ValueError, match="one stage_months_ago per"):
        stage_moves_at({**spec, "stage_months_ago": (3,)}, D(2026, 12, 6))
