"""The value rules at their boundaries: path to target, error budget, adoption, cost, CSV."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from portfolio.value.rules import (
    CSV_MAX_ROWS,
    adoption_rate,
    cost_per_unit,
    kpi_status,
    parse_measurements_csv,
    parse_value,
    value_units,
)

D = Decimal
JAN_1 = datetime.date(2026, 1, 1)
# 100 days from 1 Jan 2026 to 11 Apr 2026: the path moves one hundredth of the way per day.
APR_11 = datetime.date(2026, 4, 11)


def day(n: int) -> datetime.date:
    return JAN_1 + datetime.timedelta(days=n)


def increase(measurements, *, today=None, budget="5", start=JAN_1):  # noqa: ANN001, ANN201
    """Baseline 0 on 1 Jan, target 100 on 11 Apr (100 days): expected value = day number."""
    return kpi_status(
        direction="increase",
        baseline=D(0),
        target=D(100),
        target_date=APR_11,
        error_budget=D(budget),
        measurements=[(day(n), D(v)) for n, v in measurements],
        today=today or day(max(n for n, _ in measurements) if measurements else 0),
        start=start,
    )


def decrease(measurements, *, today=None, budget="1"):  # noqa: ANN001, ANN201
    """First-response time 14 → 9 hours over 100 days from the first measurement."""
    return kpi_status(
        direction="decrease",
        baseline=D(14),
        target=D(9),
        target_date=APR_11,
        error_budget=D(budget),
        measurements=[(day(n), D(v)) for n, v in measurements],
        today=today or day(max(n for n, _ in measurements)),
    )


def test_no_measurements_is_neither_on_nor_off_track():
    status = increase([])
    assert status.on_track is None
    assert status.latest is None
    assert status.progress_pct is None
    assert status.reason == "No measurements yet."


def test_exactly_on_the_path_is_on_track():
    status = increase([(50, "50")])
    assert status.on_track is True
    assert status.expected == D(50)
    assert status.progress_pct == D("50.0")


def test_short_by_exactly_the_error_budget_is_on_track():
    status = increase([(50, "45")])
    assert status.on_track is True
    assert "Within the error budget" in status.reason
    assert "short by 5" in status.reason


def test_short_by_just_more_than_the_error_budget_is_off_track():
    status = increase([(50, "44.99")])
    assert status.on_track is False
    assert "Behind the path" in status.reason
    assert "short by 5.01" in status.reason


def test_zero_error_budget_needs_the_path_exactly():
    assert increase([(50, "50")], budget="0").on_track is True
    assert increase([(50, "49.9999")], budget="0").on_track is False


def test_ahead_of_the_path_is_on_track_with_that_reason():
    status = increase([(10, "30")])
    assert status.on_track is True
    assert status.reason.startswith("Ahead of the path")


def test_reaching_the_target_exactly_is_on_track():
    status = increase([(20, "100")])
    assert status.on_track is True
    assert status.progress_pct == D("100.0")
    assert status.reason.startswith("Target reached")


def test_beyond_the_target_is_on_track_and_progress_exceeds_100():
    status = increase([(20, "130")])
    assert status.on_track is True
    assert status.progress_pct == D("130.0")


def test_progress_in_the_wrong_direction_counts_as_zero():
    status = increase([(1, "-10")], budget="100")
    assert status.progress_pct == D("0.0")


def test_only_the_latest_measurement_counts_whatever_the_input_order():
    status = increase([(60, "60"), (10, "0"), (30, "5")])
    assert status.latest == D(60)
    assert status.latest_on == day(60)
    assert status.on_track is True


def test_on_the_target_date_the_path_expects_the_target():
    status = increase([(100, "96")])
    assert status.expected == D(100)
    assert status.on_track is True  # short by 4, budget 5
    assert increase([(100, "94")]).on_track is False


def test_after_the_target_date_anything_short_beyond_budget_is_off_with_that_reason():
    status = increase([(90, "90")], today=day(120))
    assert status.on_track is False
    assert status.reason.startswith("Target date 11 Apr 2026 has passed")


def test_today_before_the_target_date_does_not_move_the_path():
    # Measured on day 40 at 40, looked at on day 80: judged where it was measured.
    assert increase([(40, "40")], today=day(80)).on_track is True


def test_a_measurement_before_the_start_is_judged_against_the_baseline():
    status = increase([(0, "0")], start=day(10))
    assert status.expected == D(0)
    assert status.on_track is True


def test_without_a_start_the_path_begins_at_the_first_measurement():
    status = kpi_status(
        direction="increase",
        baseline=D(0),
        target=D(100),
        target_date=day(100),
        error_budget=D(0),
        measurements=[(day(50), D(0)), (day(75), D(50))],
        today=day(75),
    )
    # From day 50 (0) to day 100 (100): on day 75 the path expects 50.
    assert status.expected == D(50)
    assert status.on_track is True


def test_first_measurement_on_or_after_the_target_date_expects_the_target():
    status = kpi_status(
        direction="increase",
        baseline=D(0),
        target=D(10),
        target_date=day(5),
        error_budget=D(1),
        measurements=[(day(5), D(8))],
        today=day(5),
    )
    assert status.expected == D(10)
    assert status.on_track is False


def test_decreasing_kpi_on_the_path_and_inside_budget():
    # First measurement day 0 at 14 (the baseline); day 50 expects 11.5.
    status = decrease([(0, "14"), (50, "12.5")])
    assert status.expected == D("11.5")
    assert status.on_track is True  # above the path by exactly the 1-hour budget
    assert status.progress_pct == D("30.0")


def test_decreasing_kpi_just_outside_budget_is_off_track():
    assert decrease([(0, "14"), (50, "12.51")]).on_track is False


def test_decreasing_kpi_at_or_below_target_is_on_track():
    assert decrease([(0, "14"), (10, "9")]).on_track is True
    assert decrease([(0, "14"), (10, "8")]).progress_pct == D("120.0")


def test_decreasing_kpi_moving_up_is_zero_progress_and_off_track():
    status = decrease([(0, "14"), (50, "15")])
    assert status.progress_pct == D("0.0")
    assert status.on_track is False


@pytest.mark.parametrize(
    ("direction", "baseline", "target"),
    [("sideways", 0, 1), ("increase", 5, 5)],
)
def test_nonsense_definitions_raise(direction, baseline, target):
    with pytest.raises(ValueError):
        kpi_status(
            direction=direction,
            baseline=D(baseline),
            target=D(target),
            target_date=APR_11,
            error_budget=D(0),
            measurements=[(JAN_1, D(1))],
            today=JAN_1,
        )


@pytest.mark.parametrize(
    ("active", "target", "expected"),
    [
        (24, 200, D("12.0")),
        (0, 200, D("0.0")),
        (200, 200, D("100.0")),
        (250, 200, D("125.0")),
        (1, 3, D("33.3")),
        (2, 3, D("66.7")),
        (None, 200, None),
        (24, None, None),
        (24, 0, None),
    ],
)
def test_adoption_rate(active, target, expected):
    assert adoption_rate(active, target) == expected


@pytest.mark.parametrize(
    ("cost", "units", "expected"),
    [
        (D("4000"), D("5"), D("800.00")),
        (D("1000"), D("3"), D("333.33")),
        (D("0"), D("5"), D("0.00")),
        (None, D("5"), None),
        (D("4000"), None, None),
        (D("4000"), D("0"), None),
        (D("4000"), D("-1"), None),
    ],
)
def test_cost_per_unit(cost, units, expected):
    assert cost_per_unit(cost, units) == expected


@pytest.mark.parametrize(
    ("direction", "baseline", "latest", "expected"),
    [
        ("increase", "10", "15", D(5)),
        ("increase", "10", "8", D(0)),
        ("decrease", "14", "9", D(5)),
        ("decrease", "14", "16", D(0)),
        ("decrease", "14", None, None),
    ],
)
def test_value_units_count_only_movement_in_the_right_direction(
    direction, baseline, latest, expected
):
    assert (
        value_units(
            direction=direction,
            baseline=D(baseline),
            latest=D(latest) if latest is not None else None,
        )
        == expected
    )


# --- CSV ---------------------------------------------------------------------------------------


def test_a_good_file_gives_rows_with_their_line_numbers():
    rows, errors = parse_measurements_csv(
        "measured_on,value,note\n2026-09-30,12.5,September close\n\n2026-10-31,11,\n"
    )
    assert errors == []
    assert [(r.line, r.measured_on, r.value, r.note) for r in rows] == [
        (2, datetime.date(2026, 9, 30), D("12.5"), "September close"),
        (4, datetime.date(2026, 10, 31), D("11"), ""),
    ]


def test_columns_in_any_order_with_spaces_case_and_a_bom():
    rows, errors = parse_measurements_csv("\ufeff Value , MEASURED_ON\n 7 , 2026-01-31 \n")
    assert errors == []
    assert rows[0].value == D(7)
    assert rows[0].measured_on == datetime.date(2026, 1, 31)


def test_the_note_column_is_optional():
    rows, errors = parse_measurements_csv("measured_on,value\n2026-01-31,7\n")
    assert errors == [] and rows[0].note == ""


@pytest.mark.parametrize("text", ["", "   \n\n"])
def test_an_empty_file_is_one_error_on_line_1(text):
    rows, errors = parse_measurements_csv(text)
    assert rows == []
    assert [(e.line, e.column) for e in errors] == [(1, "")]
    assert "empty" in errors[0].message


def test_a_header_without_rows_is_an_error():
    rows, errors = parse_measurements_csv("measured_on,value\n")
    assert rows == []
    assert "no measurements" in errors[0].message


def test_missing_columns_are_named():
    _, errors = parse_measurements_csv("date,amount\n2026-01-31,7\n")
    assert {(e.line, e.column) for e in errors} >= {(1, "measured_on"), (1, "value")}
    assert any("Missing column “value”" in e.message for e in errors)
    assert any("Unknown column “date”" in e.message for e in errors)


def test_a_column_named_twice_is_an_error():
    _, errors = parse_measurements_csv("measured_on,value,value\n2026-01-31,7,8\n")
    assert [(e.line, e.column) for e in errors] == [(1, "value")]


@pytest.mark.parametrize(
    "raw", ["31/01/2026", "2026-02-30", "2026-1-31", "20260131", "yesterday", "2026-13-01"]
)
def test_bad_dates_are_reported_with_line_and_column(raw):
    rows, errors = parse_measurements_csv(f"measured_on,value\n2026-01-01,1\n{raw},7\n")
    assert [(e.line, e.column) for e in errors] == [(3, "measured_on")]
    assert "YYYY-MM-DD" in errors[0].message
    assert len(rows) == 1  # the good row is parsed, but the caller must save nothing


def test_an_empty_date_is_missing():
    _, errors = parse_measurements_csv("measured_on,value\n,7\n")
    assert errors[0].message == "Missing date."


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("abc", "is not a number"),
        ("1,5", None),  # unquoted comma: an extra cell
        ("NaN", "is not a number"),
        ("Infinity", "is not a number"),
        ("", "is empty"),
        ("1.23456", "more than 4 decimal places"),
        ("1e20", "too large"),
    ],
)
def test_bad_values_are_reported(raw, reason):
    _, errors = parse_measurements_csv(f"measured_on,value\n2026-01-31,{raw}\n")
    assert errors, raw
    assert errors[0].line == 2
    if reason:
        assert errors[0].column == "value"
        assert reason in errors[0].message


def test_a_quoted_decimal_comma_is_not_a_number():
    _, errors = parse_measurements_csv('measured_on,value\n2026-01-31,"1,5"\n')
    assert [(e.line, e.column) for e in errors] == [(2, "value")]
    assert "“1,5” is not a number" in errors[0].message


@pytest.mark.parametrize("raw", ["-3", "0", "1.2345", "  42  ", "999999999999.9999"])
def test_good_values_at_the_limits(raw):
    assert parse_value(raw) == D(raw.strip())


def test_a_duplicate_date_is_an_error_on_its_second_line_naming_the_first():
    _, errors = parse_measurements_csv(
        "measured_on,value\n2026-01-31,7\n2026-02-28,8\n2026-01-31,9\n"
    )
    assert [(e.line, e.column) for e in errors] == [(4, "measured_on")]
    assert "already appears on line 2" in errors[0].message


def test_a_short_row_is_a_missing_value():
    _, errors = parse_measurements_csv("measured_on,value\n2026-01-31\n")
    assert [(e.line, e.column) for e in errors] == [(2, "value")]
    assert "too short" in errors[0].message


def test_every_problem_in_the_file_is_reported_not_just_the_first():
    _, errors = parse_measurements_csv(
        "measured_on,value,note\nbad,7,\n2026-01-31,x,\n2026-02-28,1,\n2026-02-28,2,\n"
    )
    assert [(e.line, e.column) for e in errors] == [
        (2, "measured_on"),
        (3, "value"),
        (5, "measured_on"),
    ]


def test_a_row_with_two_problems_reports_both():
    _, errors = parse_measurements_csv("measured_on,value\nbad,worse\n")
    assert [(e.line, e.column) for e in errors] == [(2, "measured_on"), (2, "value")]


def test_a_note_longer_than_300_characters_is_an_error():
    _, errors = parse_measurements_csv(f"measured_on,value,note\n2026-01-31,7,{'x' * 301}\n")
    assert [(e.line, e.column) for e in errors] == [(2, "note")]
    rows, errors = parse_measurements_csv(f"measured_on,value,note\n2026-01-31,7,{'x' * 300}\n")
    assert errors == [] and len(rows[0].note) == 300


def test_extra_non_empty_cells_are_an_error_but_trailing_empty_ones_are_not():
    assert parse_measurements_csv("measured_on,value\n2026-01-31,7,,\n")[1] == []
    _, errors = parse_measurements_csv("measured_on,value\n2026-01-31,7,oops\n")
    assert errors[0].line == 2 and "3 cells" in errors[0].message


def test_too_many_rows_is_one_error():
    lines = [
        f"{(datetime.date(2000, 1, 1) + datetime.timedelta(days=n)).isoformat()},1"
        for n in range(CSV_MAX_ROWS + 1)
    ]
    rows, errors = parse_measurements_csv("measured_on,value\n" + "\n".join(lines))
    assert len(errors) == 1
    assert str(CSV_MAX_ROWS) in errors[0].message
    assert len(rows) == CSV_MAX_ROWS


def test_a_decreasing_kpi_at_its_baseline_is_zero_not_minus_zero():
    assert str(decrease([(0, "14")]).progress_pct) == "0.0"
