"""Trends over an ordered axis: `line_chart` (one marked, labelled line per series, e.g. over
months, broken where a value is missing) and `sparkline` (a word-sized trend ending in its last
value, for table cells).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from django.utils.safestring import SafeString

from reporting.charts.markup import (
    AXIS_COLOUR,
    CHAR_WIDTH,
    COLOURS,
    _chart_id,
    _e,
    _legend,
    _marker,
    _n,
    _no_data,
    _svg,
    _truncate,
)
from reporting.charts.values import (
    Formatter,
    Series,
    _check_series,
    _clean_series,
    _values_desc,
    format_number,
)


def line_chart(
    *,
    title: str,
    description: str,
    labels: Sequence[str],
    series: Sequence[Series],
    value_format: Formatter = format_number,
    width: float = 640,
    height: float = 220,
) -> SafeString:
    """One line per series over the labels (e.g. months); each point is marked and labelled.

    A missing value (None) breaks the line. Point values are printed when there are at most 12
    labels; otherwise the first and last of each line are, and the description lists all.
    """
    labels = [str(label) for label in labels]
    series = _clean_series(series)
    _check_series(labels, series)
    prefix = _chart_id("line", title, description, labels, series, width, height)
    present = [v for s in series for v in s.values if v is not None]
    if not labels or not present:
        return _no_data(prefix, width, title, description)
    desc = f"{description} {_values_desc(labels, series, value_format)}".strip()
    legend, legend_height = (
        _legend(prefix, [s.name for s in series], width, markers=True)
        if len(series) > 1
        else ("", 0)
    )
    low, high = min(present), max(present)
    if low == high:
        low, high = low - 1, high + 1
    top, bottom = legend_height + 18, legend_height + height - 30
    left, right = 12.0, width - 12.0
    step = (right - left) / (len(labels) - 1) if len(labels) > 1 else 0

    def x_of(index: int) -> float:
        return left + index * step if len(labels) > 1 else width / 2

    def y_of(value: float) -> float:
        return bottom - (value - low) / (high - low) * (bottom - top)

    body = [legend]
    if low < 0 < high:
        body.append(
            f'<line x1="{_n(left)}" x2="{_n(right)}" y1="{_n(y_of(0))}" y2="{_n(y_of(0))}" '
            f'stroke="{AXIS_COLOUR}" stroke-dasharray="3 3"/>'
        )
    body.append(
        f'<line x1="{_n(left)}" x2="{_n(right)}" y1="{_n(bottom)}" y2="{_n(bottom)}" '
        f'stroke="{AXIS_COLOUR}"/>'
    )
    every = max(1, math.ceil(len(labels) / 12))
    for index, label in enumerate(labels):
        if index % every == 0 or index == len(labels) - 1:
            body.append(
                f'<text x="{_n(x_of(index))}" y="{_n(bottom + 16)}" text-anchor="middle">'
                f"{_e(_truncate(label, 12))}</text>"
            )
    for s_index, one in enumerate(series):
        colour = COLOURS[s_index % len(COLOURS)]
        segments: list[list[str]] = [[]]
        for index, value in enumerate(one.values):
            if value is None:
                segments.append([])
                continue
            segments[-1].append(f"{_n(x_of(index))},{_n(y_of(value))}")
        for points in segments:
            if len(points) > 1:
                dash = "" if s_index == 0 else f' stroke-dasharray="{2 + 2 * s_index} 3"'
                body.append(
                    f'<polyline points="{" ".join(points)}" fill="none" stroke="{colour}" '
                    f'stroke-width="2"{dash}/>'
                )
        indexes = [i for i, v in enumerate(one.values) if v is not None]
        for index in indexes:
            value = one.values[index]
            cx, cy = x_of(index), y_of(value)
            body.append(
                f"<g><title>{_e(one.name)}, {_e(labels[index])}: {_e(value_format(value))}</title>"
                f"{_marker(s_index, cx, cy, 4)}</g>"
            )
            if len(labels) <= 12 or index in (indexes[0], indexes[-1]):
                body.append(
                    f'<text x="{_n(cx)}" y="{_n(cy - 8)}" text-anchor="middle" font-size="10">'
                    f"{_e(value_format(value))}</text>"
                )
    height_total = legend_height + height
    return _svg(prefix, width, height_total, title, desc, "".join(body))


def sparkline(
    *,
    title: str,
    values: Sequence[float | None],
    value_format: Formatter = format_number,
    width: float = 140,
    height: float = 32,
) -> SafeString:
    """A word-sized trend: the line, its last point marked and the last value printed."""
    values = [None if v is None else float(v) for v in values]
    prefix = _chart_id("spark", title, values, width, height)
    present = [(i, v) for i, v in enumerate(values) if v is not None]
    if not present:
        return _no_data(prefix, width, title, "")
    desc = "Values in order: " + ", ".join(value_format(v) for v in values) + "."
    last_text = value_format(present[-1][1])
    text_width = len(last_text) * CHAR_WIDTH + 6
    plot_right = width - text_width - 4
    low, high = min(v for _, v in present), max(v for _, v in present)
    if low == high:
        low, high = low - 1, high + 1

    def x_of(index: int) -> float:
        return 3 + (index / (len(values) - 1) * (plot_right - 6) if len(values) > 1 else 0)

    def y_of(value: float) -> float:
        return height - 4 - (value - low) / (high - low) * (height - 8)

    points = " ".join(f"{_n(x_of(i))},{_n(y_of(v))}" for i, v in present)
    last_x, last_y = x_of(present[-1][0]), y_of(present[-1][1])
    body = (
        f'<polyline points="{points}" fill="none" stroke="{COLOURS[0]}" stroke-width="1.5"/>'
        f'<circle cx="{_n(last_x)}" cy="{_n(last_y)}" r="2.5" fill="{COLOURS[0]}"/>'
        f'<text x="{_n(width - 2)}" y="{_n(height / 2 + 4)}" text-anchor="end" '
        f'font-weight="600">{_e(last_text)}</text>'
    )
    return _svg(prefix, width, height, title, desc, body)
