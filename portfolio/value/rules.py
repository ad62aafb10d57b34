"""Pure rules for the value of an initiative: KPI progress, on track or not, adoption, cost.

Plain values in, plain values out; nothing here touches the database.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

INCREASE = "increase"
DECREASE = "decrease"

# The columns a measurements CSV must have (`note` is optional) and the limits of the stored value.
CSV_REQUIRED_COLUMNS: tuple[str, ...] = ("measured_on", "value")
CSV_OPTIONAL_COLUMNS: tuple[str, ...] = ("note",)
VALUE_MAX_DIGITS = 16
VALUE_DECIMAL_PLACES = 4
NOTE_MAX_LENGTH = 300
CSV_MAX_ROWS = 1000

_ONE_DECIMAL = Decimal("0.1")
_CENTS = Decimal("0.01")


@dataclass(frozen=True)
class KpiStatus:
    """Where a KPI stands. `on_track` is None when there is nothing measured yet."""

    latest: Decimal | None
    latest_on: datetime.date | None
    expected: Decimal | None
    progress_pct: Decimal | None
    on_track: bool | None
    reason: str


def _expected_on(
    day: datetime.date,
    *,
    baseline: Decimal,
    target: Decimal,
    start: datetime.date,
    target_date: datetime.date,
) -> Decimal:
    """The value on the straight line from (start, baseline) to (target_date, target)."""
    if day >= target_date or start >= target_date:
        return target
    if day <= start:
        return baseline
    elapsed = Decimal((day - start).days) / Decimal((target_date - start).days)
    return baseline + (target - baseline) * elapsed


def _fmt(value: Decimal) -> str:
    return f"{value.normalize():f}" if value == value.to_integral() else f"{value:.2f}"


@dataclass(frozen=True)
class KpiStanding:
    """The figures of `kpi_status` without its sentence: cheap enough to work out for every
    KPI of a large portfolio (the dashboard counts them), where the sentence is not shown."""

    expected: Decimal
    progress_pct: Decimal
    on_track: bool
    target_reached: bool
    shortfall: Decimal


def kpi_standing(
    *,
    direction: str,
    baseline: Decimal,
    target: Decimal,
    target_date: datetime.date,
    error_budget: Decimal,
    latest: Decimal,
    latest_on: datetime.date,
    path_start: datetime.date,
    today: datetime.date,
) -> KpiStanding:
    """Progress of `latest` from baseline to target, and whether it is on track (the rule of
    `kpi_status`, which explains it; `path_start` is where the straight-line path begins)."""
    if direction not in (INCREASE, DECREASE):
        raise ValueError(f"Unknown KPI direction {direction!r}.")
    if target == baseline:
        raise ValueError("The target must differ from the baseline.")
    progress = (latest - baseline) / (target - baseline) * 100
    # `progress > 0`, not max(): at the baseline of a decreasing KPI the quotient is -0.
    progress_pct = (progress if progress > 0 else Decimal(0)).quantize(_ONE_DECIMAL, ROUND_HALF_UP)

    sign = 1 if direction == INCREASE else -1
    if sign * (latest - target) >= 0:
        return KpiStanding(target, progress_pct, True, True, Decimal(0))
    judged_on = max(latest_on, today) if today > target_date else latest_on
    expected = _expected_on(
        judged_on, baseline=baseline, target=target, start=path_start, target_date=target_date
    )
    shortfall = sign * (expected - latest)
    return KpiStanding(expected, progress_pct, shortfall <= error_budget, False, shortfall)


def kpi_status(
    *,
    direction: str,
    baseline: Decimal,
    target: Decimal,
    target_date: datetime.date,
    error_budget: Decimal,
    measurements: Sequence[tuple[datetime.date, Decimal]],
    today: datetime.date,
    start: datetime.date | None = None,
) -> KpiStatus:
    """Progress of the latest measurement from baseline to target, and whether it is on track.

    The path runs in a straight line from the baseline at `start` (default: the first measurement)
    to the target on `target_date`. The latest measurement is on track when it is already at or
    beyond the target, or when it falls short of the path by at most `error_budget` (KPI units).
    Once `today` is past the target date, anything short of the target by more than the error
    budget is off track. Progress is 0 at the baseline, 100 at the target, and may exceed 100; a
    move in the wrong direction counts as 0.
    """
    if direction not in (INCREASE, DECREASE):
        raise ValueError(f"Unknown KPI direction {direction!r}.")
    if target == baseline:
        raise ValueError("The target must differ from the baseline.")
    if not measurements:
        return KpiStatus(None, None, None, None, None, "No measurements yet.")
    ordered = sorted(measurements, key=lambda item: item[0])
    latest_on, latest = ordered[-1]
    standing = kpi_standing(
        direction=direction,
        baseline=baseline,
        target=target,
        target_date=target_date,
        error_budget=error_budget,
        latest=latest,
        latest_on=latest_on,
        path_start=start if start is not None else ordered[0][0],
        today=today,
    )
    expected, shortfall = standing.expected, standing.shortfall
    if standing.target_reached:
        reason = f"Target reached: {_fmt(latest)} against a target of {_fmt(target)}."
    elif standing.on_track:
        if shortfall <= 0:
            reason = f"Ahead of the path: {_fmt(latest)} where {_fmt(expected)} was expected."
        else:
            reason = (
                f"Within the error budget: {_fmt(latest)} where {_fmt(expected)} was expected "
                f"(short by {_fmt(shortfall)}, budget {_fmt(error_budget)})."
            )
    elif today > target_date:
        reason = (
            f"Target date {target_date:%d %b %Y} has passed: {_fmt(latest)} against a target of "
            f"{_fmt(target)} (short by {_fmt(shortfall)}, budget {_fmt(error_budget)})."
        )
    else:
        reason = (
            f"Behind the path: {_fmt(latest)} where {_fmt(expected)} was expected "
            f"(short by {_fmt(shortfall)}, budget {_fmt(error_budget)})."
        )
    return KpiStatus(latest, latest_on, expected, standing.progress_pct, standing.on_track, reason)


def adoption_rate(active: int | None, target: int | None) -> Decimal | None:
    """Active users as a percentage of target users (one decimal); None when either is unknown
    or the target is zero. May exceed 100."""
    if active is None or target is None or target <= 0:
        return None
    return (Decimal(active) * 100 / Decimal(target)).quantize(_ONE_DECIMAL, ROUND_HALF_UP)


def cost_per_unit(
    monthly_run_cost: Decimal | None, monthly_units: Decimal | None
) -> Decimal | None:
    """Monthly run cost divided by the units of value delivered in a month (to the cent); None
    when either is unknown or no value was delivered."""
    if monthly_run_cost is None or monthly_units is None or monthly_units <= 0:
        return None
    return (Decimal(monthly_run_cost) / Decimal(monthly_units)).quantize(_CENTS, ROUND_HALF_UP)


def value_units(*, direction: str, baseline: Decimal, latest: Decimal | None) -> Decimal | None:
    """How far the KPI has moved in the right direction from its baseline (0 if the wrong way)."""
    if latest is None:
        return None
    moved = latest - baseline if direction == INCREASE else baseline - latest
    return max(moved, Decimal(0))


@dataclass(frozen=True)
class MeasurementRow:
    line: int
    measured_on: datetime.date
    value: Decimal
    note: str


@dataclass(frozen=True)
class RowError:
    """One problem in an uploaded file: the line (1 is the header), the column, and why."""

    line: int
    column: str
    message: str


def parse_value(raw: str) -> Decimal:
    """A KPI value from text; raises ValueError with the reason."""
    text = raw.strip()
    if not text:
        raise ValueError("is empty")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"“{text}” is not a number") from None
    if not value.is_finite():
        raise ValueError(f"“{text}” is not a number")
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > VALUE_DECIMAL_PLACES:
        raise ValueError(f"has more than {VALUE_DECIMAL_PLACES} decimal places")
    if abs(value) >= Decimal(10) ** (VALUE_MAX_DIGITS - VALUE_DECIMAL_PLACES):
        raise ValueError("is too large")
    return value


def parse_measurements_csv(text: str) -> tuple[list[MeasurementRow], list[RowError]]:
    """Rows of `measured_on` (YYYY-MM-DD), `value` and optional `note`, or every problem found.

    The header line names the columns in any order. Blank lines are skipped. A date that appears
    twice in the file is an error on its second line. When `errors` is not empty the rows must
    not be saved.
    """
    text = text.lstrip("\ufeff")
    if not text.strip():
        return [], [RowError(1, "", "The file is empty; expected a header line.")]
    reader = csv.reader(io.StringIO(text))
    try:
        header = [name.strip().lower() for name in next(reader)]
    except csv.Error as error:
        return [], [RowError(1, "", f"Not a readable CSV file ({error}).")]
    errors: list[RowError] = [
        RowError(1, name, f"Missing column “{name}” in the header line.")
        for name in CSV_REQUIRED_COLUMNS
        if name not in header
    ]
    known = set(CSV_REQUIRED_COLUMNS) | set(CSV_OPTIONAL_COLUMNS)
    errors += [
        RowError(1, name or f"column {index + 1}", f"Unknown column “{name}”.")
        for index, name in enumerate(header)
        if name not in known
    ]
    duplicated = {name for name in header if header.count(name) > 1 and name in known}
    errors += [RowError(1, name, f"Column “{name}” appears twice.") for name in sorted(duplicated)]
    if errors:
        return [], errors

    position = {name: header.index(name) for name in header}
    rows: list[MeasurementRow] = []
    first_line_of: dict[datetime.date, int] = {}
    count = 0
    try:
        for cells in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            count += 1
            if count > CSV_MAX_ROWS:
                errors.append(RowError(line, "", f"More than {CSV_MAX_ROWS} rows; split the file."))
                break
            line_errors: list[RowError] = []
            values: dict[str, str] = {}
            for name, index in position.items():
                if index < len(cells):
                    values[name] = cells[index]
                elif name in CSV_REQUIRED_COLUMNS:
                    line_errors.append(RowError(line, name, "Missing value: the row is too short."))
            if len(cells) > len(header) and any(cell.strip() for cell in cells[len(header) :]):
                line_errors.append(
                    RowError(line, "", f"{len(cells)} cells but the header has {len(header)}.")
                )
            measured_on = None
            if "measured_on" in values:
                raw = values["measured_on"].strip()
                try:
                    measured_on = datetime.date.fromisoformat(raw)
                    if len(raw) != 10:
                        raise ValueError
                except ValueError:
                    message = (
                        "Missing date."
                        if not raw
                        else f"“{raw}” is not a date; use YYYY-MM-DD, e.g. 2026-10-31."
                    )
                    line_errors.append(RowError(line, "measured_on", message))
                    measured_on = None
            value = None
            if "value" in values:
                try:
                    value = parse_value(values["value"])
                except ValueError as error:
                    line_errors.append(RowError(line, "value", f"The value {error}."))
            note = values.get("note", "").strip()
            if len(note) > NOTE_MAX_LENGTH:
                line_errors.append(
                    RowError(line, "note", f"Longer than {NOTE_MAX_LENGTH} characters.")
                )
            if measured_on is not None:
                if measured_on in first_line_of:
                    line_errors.append(
                        RowError(
                            line,
                            "measured_on",
                            f"{measured_on.isoformat()} already appears on line "
                            f"{first_line_of[measured_on]}.",
                        )
                    )
                else:
                    first_line_of[measured_on] = line
            if line_errors:
                errors += line_errors
            elif measured_on is not None and value is not None:
                rows.append(MeasurementRow(line, measured_on, value, note))
    except csv.Error as error:
        errors.append(RowError(reader.line_num, "", f"Not a readable CSV line ({error})."))
    if not rows and not errors:
        errors.append(RowError(1, "", "The file has a header but no measurements."))
    return rows, errors
