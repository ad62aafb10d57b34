from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from reporting.report_data import parse_period


@pytest.mark.parametrize(
    ("kind", "label", "start", "end"),
    [
        ("monthly", "2026-10", datetime.date(2026, 10, 1), datetime.date(2026, 10, 31)),
        ("monthly", "2028-02", datetime.date(2028, 2, 1), datetime.date(2028, 2, 29)),
        ("monthly", " 2026-12 ", datetime.date(2026, 12, 1), datetime.date(2026, 12, 31)),
        ("quarterly", "2026-Q1", datetime.date(2026, 1, 1), datetime.date(2026, 3, 31)),
        ("quarterly", "2026-Q3", datetime.date(2026, 7, 1), datetime.date(2026, 9, 30)),
        ("quarterly", "2026-q4", datetime.date(2026, 10, 1), datetime.date(2026, 12, 31)),
    ],
)
def test_periods_parse_to_their_first_and_last_day(kind, label, start, end):
    assert parse_period(kind, label) == (start, end)


@pytest.mark.parametrize(
    ("kind", "label", "field", "hint"),
    [
        ("monthly", "2026-13", "period", "YYYY-MM"),
        ("monthly", "2026-00", "period", "YYYY-MM"),
        ("monthly", "2026-Q3", "period", "YYYY-MM"),
        ("monthly", "October", "period", "YYYY-MM"),
        ("monthly", "", "period", "YYYY-MM"),
        ("quarterly", "2026-Q5", "period", "YYYY-QN"),
        ("quarterly", "2026-10", "period", "YYYY-QN"),
        ("weekly", "2026-10", "kind", "monthly"),
    ],
)
def test_bad_periods_are_a_clear_error_on_the_field(kind, label, field, hint):
    with pytest.raises(ValidationError) as caught:
        parse_period(kind, label)
    assert list(caught.value.message_dict) == [field]
    assert hint in caught.value.message_dict[field][0]
