"""The values a chart takes and how they are printed: the `Series` and `Point` inputs, the
number, money and percent formatters (shared with the dashboard's template filters), and the
package-internal checks that turn database values into floats and list them in words for a
chart's `<desc>`. Plain Python, no markup.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

Formatter = Callable[[float], str]


def format_number(value: float | None) -> str:
    """12,300 or 12.5; an en dash for no value."""
    if value is None:
        return "–"
    number = float(value)
    if number.is_integer():
        return f"{int(number):,}"
    return f"{number:,.1f}"


def format_money(value: float | None) -> str:
    """€12,300 (whole euros); an en dash for no value."""
    if value is None:
        return "–"
    number = round(float(value))
    sign = "−" if number < 0 else ""
    return f"{sign}€{abs(number):,}"


def format_percent(value: float | None) -> str:
    return "–" if value is None else f"{format_number(round(float(value), 1))}%"


@dataclass(frozen=True)
class Series:
    """A named row of values, one per label of the chart."""

    name: str
    values: tuple[float | None, ...]


@dataclass(frozen=True)
class Point:
    """One dot of a scatter chart; `group` picks its marker and colour (and the legend)."""

    label: str
    x: float
    y: float
    group: str = ""


def _values_desc(labels: Sequence[str], series: Sequence[Series], fmt: Formatter) -> str:
    rows = []
    for index, label in enumerate(labels):
        if len(series) == 1:
            rows.append(f"{label}: {fmt(series[0].values[index])}")
        else:
            cells = ", ".join(f"{s.name} {fmt(s.values[index])}" for s in series)
            rows.append(f"{label}: {cells}")
    return "; ".join(rows) + "."


def _clean_series(series: Sequence[Series]) -> list[Series]:
    """Names as text and values as floats (Decimals from the database included)."""
    return [
        Series(str(one.name), tuple(None if v is None else float(v) for v in one.values))
        for one in series
    ]


def _check_series(labels: Sequence[str], series: Sequence[Series]) -> None:
    for one in series:
        if len(one.values) != len(labels):
            raise ValueError(
                f"Series {one.name!r} has {len(one.values)} values for {len(labels)} labels."
            )
