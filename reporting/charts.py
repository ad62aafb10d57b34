"""SVG charts drawn on the server, shared by the dashboard and the PDF reports.

Every function is pure: plain values in, one `<svg>` string out, the same string for the same
input. The markup stands alone — sized by its viewBox, styled by inline attributes only (no
stylesheet, no script) — so WeasyPrint renders it exactly as the browser does.

Accessibility: each chart is `role="img"` labelled by its `<title>` and a `<desc>` that lists
every value in words; values are printed on the chart; series are told apart by pattern and by
marker shape as well as by colour; all text is escaped.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

from django.utils.safestring import SafeString, mark_safe

Formatter = Callable[[float], str]

# Colour-blind-safe hues (Okabe–Ito), each paired with a pattern so print and greyscale work.
COLOURS: tuple[str, ...] = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#F0E442",
    "#000000",
)
PATTERNS: tuple[str, ...] = ("solid", "diagonal", "dots", "cross", "horizontal", "vertical")
MARKERS: tuple[str, ...] = ("circle", "square", "triangle", "diamond")
TEXT_COLOUR = "#1b1b1b"
AXIS_COLOUR = "#6b6b6b"
FONT = 'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif"'
CHAR_WIDTH = 6.2  # average width of a 11px character, for layout without font metrics
NO_DATA = "No data to show"


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


# ---------------------------------------------------------------------------------------------
# Shared markup
# ---------------------------------------------------------------------------------------------


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _n(value: float) -> str:
    """A coordinate with at most one decimal, never "-0"."""
    rounded = round(float(value), 1)
    if rounded == 0:
        return "0"
    return f"{rounded:g}" if abs(rounded) < 1e6 else f"{rounded:.1f}"


def _chart_id(kind: str, *parts: object) -> str:
    """A stable id prefix from the chart's content, so two charts on a page never share ids."""
    digest = hashlib.sha1(repr((kind, parts)).encode(), usedforsecurity=False).hexdigest()
    return f"chart-{digest[:10]}"


def _truncate(text: str, limit: int) -> str:
    limit = max(limit, 2)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _pattern_defs(prefix: str, count: int) -> str:
    """One `<pattern>` per series: colour plus texture, so colour is never the only cue."""
    defs = []
    for index in range(count):
        colour = COLOURS[index % len(COLOURS)]
        kind = PATTERNS[index % len(PATTERNS)]
        body = f'<rect width="8" height="8" fill="{colour}"/>'
        if kind == "diagonal":
            body += (
                '<path d="M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4" stroke="#fff" stroke-width="1.5"/>'
            )
        elif kind == "dots":
            body += '<circle cx="4" cy="4" r="1.6" fill="#fff"/>'
        elif kind == "cross":
            body += '<path d="M0,0 l8,8 M8,0 l-8,8" stroke="#fff" stroke-width="1.2"/>'
        elif kind == "horizontal":
            body += '<path d="M0,4 h8" stroke="#fff" stroke-width="1.5"/>'
        elif kind == "vertical":
            body += '<path d="M4,0 v8" stroke="#fff" stroke-width="1.5"/>'
        defs.append(
            f'<pattern id="{prefix}-p{index}" width="8" height="8" '
            f'patternUnits="userSpaceOnUse">{body}</pattern>'
        )
    return f"<defs>{''.join(defs)}</defs>" if defs else ""


def _fill(prefix: str, index: int) -> str:
    return f"url(#{prefix}-p{index})"


def _svg(prefix: str, width: float, height: float, title: str, desc: str, body: str) -> SafeString:
    return mark_safe(  # noqa: S308 - every piece of text inside is escaped by _e
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_n(width)} {_n(height)}" '
        f'role="img" aria-labelledby="{prefix}-title {prefix}-desc" class="chart" '
        f'{FONT} font-size="11" fill="{TEXT_COLOUR}">'
        f'<title id="{prefix}-title">{_e(title)}</title>'
        f'<desc id="{prefix}-desc">{_e(desc)}</desc>'
        f"{body}</svg>"
    )


def _no_data(prefix: str, width: float, title: str, description: str) -> SafeString:
    height = 48
    body = (
        f'<rect x="0.5" y="0.5" width="{_n(width - 1)}" height="{height - 1}" fill="none" '
        f'stroke="{AXIS_COLOUR}" stroke-dasharray="4 3"/>'
        f'<text x="{_n(width / 2)}" y="28" text-anchor="middle">{NO_DATA}</text>'
    )
    desc = f"{description} {NO_DATA}.".strip()
    return _svg(prefix, width, height, title, desc, body)


def _legend(
    prefix: str, names: Sequence[str], width: float, *, markers: bool = False
) -> tuple[str, float]:
    """A row (wrapping) of swatches with names, drawn from y=0; its height is `_legend_height`."""
    parts = []
    x, y = 0.0, 0.0
    for index, name in enumerate(names):
        label = _truncate(name, 30)
        item_width = 18 + len(label) * CHAR_WIDTH + 14
        if x > 0 and x + item_width > width:
            x, y = 0.0, y + 18
        if markers:
            swatch = _marker(index, x + 6, y + 7, 5)
        else:
            swatch = (
                f'<rect x="{_n(x)}" y="{_n(y + 1)}" width="12" height="12" '
                f'fill="{_fill(prefix, index)}" stroke="{TEXT_COLOUR}" stroke-width="0.5"/>'
            )
        parts.append(f'{swatch}<text x="{_n(x + 18)}" y="{_n(y + 11)}">{_e(label)}</text>')
        x += item_width
    return f'<g class="legend">{"".join(parts)}</g>', y + 20


def _marker(index: int, cx: float, cy: float, r: float) -> str:
    colour = COLOURS[index % len(COLOURS)]
    shape = MARKERS[index % len(MARKERS)]
    common = f'fill="{colour}" stroke="#fff" stroke-width="1"'
    if shape == "square":
        return (
            f'<rect x="{_n(cx - r)}" y="{_n(cy - r)}" width="{_n(2 * r)}" '
            f'height="{_n(2 * r)}" {common}/>'
        )
    if shape == "triangle":
        return (
            f'<path d="M{_n(cx)},{_n(cy - r * 1.2)} L{_n(cx + r * 1.1)},{_n(cy + r * 0.8)} '
            f'L{_n(cx - r * 1.1)},{_n(cy + r * 0.8)} Z" {common}/>'
        )
    if shape == "diamond":
        return (
            f'<path d="M{_n(cx)},{_n(cy - r * 1.2)} L{_n(cx + r * 1.2)},{_n(cy)} '
            f'L{_n(cx)},{_n(cy + r * 1.2)} L{_n(cx - r * 1.2)},{_n(cy)} Z" {common}/>'
        )
    return f'<circle cx="{_n(cx)}" cy="{_n(cy)}" r="{_n(r)}" {common}/>'


def _nice_domain(low: float, high: float) -> tuple[float, float]:
    """A range that contains zero, `low` and `high`, never empty."""
    low, high = min(0.0, low), max(0.0, high)
    if low == high:
        high = 1.0
    return low, high


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


# ---------------------------------------------------------------------------------------------
# Bar charts
# ---------------------------------------------------------------------------------------------


def bar_chart(
    *,
    title: str,
    description: str,
    labels: Sequence[str],
    series: Sequence[Series],
    horizontal: bool = True,
    stacked: bool = False,
    value_format: Formatter = format_number,
    width: float = 640,
) -> SafeString:
    """Bars per label: one series, several side by side, or `stacked`.

    Negative values grow from the zero line the other way; a missing value (None) draws no bar
    and prints an en dash. Values are printed beside each bar (stacked: the total, with each
    segment's value inside it when it fits).
    """
    labels = [str(label) for label in labels]
    series = _clean_series(series)
    _check_series(labels, series)
    prefix = _chart_id("bar", title, description, labels, series, horizontal, stacked, width)
    if not labels or not series:
        return _no_data(prefix, width, title, description)
    desc = f"{description} {_values_desc(labels, series, value_format)}".strip()

    def total(index: int, sign: int) -> float:
        return sum(
            v for s in series if (v := s.values[index]) is not None and (v > 0) == (sign > 0)
        )

    if stacked:
        low = min(total(i, -1) for i in range(len(labels)))
        high = max(total(i, 1) for i in range(len(labels)))
    else:
        present = [v for s in series for v in s.values if v is not None]
        low, high = (min(present), max(present)) if present else (0.0, 0.0)
    low, high = _nice_domain(low, high)

    show_legend = len(series) > 1
    legend, legend_height = (
        _legend(prefix, [s.name for s in series], width) if show_legend else ("", 0)
    )
    defs = _pattern_defs(prefix, len(series))
    lanes = 1 if stacked else len(series)
    body = [defs]
    if legend:
        body.append(legend)

    def label_for(index: int) -> str:
        parts = [value_format(s.values[index]) for s in series]
        if stacked and len(series) > 1:
            values = [s.values[index] for s in series if s.values[index] is not None]
            return value_format(sum(values)) if values else "–"
        return " / ".join(parts)

    if horizontal:
        longest = max(len(label) for label in labels)
        label_chars = min(longest, 28)
        label_width = max(60.0, label_chars * CHAR_WIDTH + 10)
        value_width = max(len(label_for(i)) for i in range(len(labels))) * CHAR_WIDTH + 12
        plot_left, plot_right = label_width, width - value_width
        lane = 16.0
        row = lanes * lane + 10
        top = legend_height + 4
        height = top + row * len(labels) + 6
        span = high - low

        def x_of(value: float) -> float:
            return plot_left + (value - low) / span * (plot_right - plot_left)

        zero = x_of(0)
        for index, label in enumerate(labels):
            y = top + index * row + 5
            body.append(
                f"<g><title>{_e(label)}: {_e(label_for(index))}</title>"
                f'<text x="{_n(plot_left - 6)}" y="{_n(y + lanes * lane / 2 + 4)}" '
                f'text-anchor="end">{_e(_truncate(label, 28))}</text>'
            )
            positive, negative = 0.0, 0.0
            for s_index, one in enumerate(series):
                value = one.values[index]
                if value is None:
                    continue
                if stacked:
                    start = positive if value >= 0 else negative
                    end = start + value
                    if value >= 0:
                        positive = end
                    else:
                        negative = end
                    bar_y = y
                else:
                    start, end = 0.0, value
                    bar_y = y + s_index * lane
                x1, x2 = sorted((x_of(start), x_of(end)))
                body.append(
                    f'<rect x="{_n(x1)}" y="{_n(bar_y)}" width="{_n(x2 - x1)}" '
                    f'height="{_n(lane - 2)}" fill="{_fill(prefix, s_index)}">'
                    f"<title>{_e(one.name)}: {_e(value_format(value))}</title></rect>"
                )
                text = value_format(value)
                if stacked and len(series) > 1 and x2 - x1 >= len(text) * CHAR_WIDTH + 6:
                    body.append(
                        f'<text x="{_n((x1 + x2) / 2)}" y="{_n(bar_y + lane / 2 + 2)}" '
                        f'text-anchor="middle" fill="#fff" stroke="{TEXT_COLOUR}" '
                        f'stroke-width="2.5" paint-order="stroke">{_e(text)}</text>'
                    )
            body.append(
                f'<text x="{_n(width - 4)}" y="{_n(y + lanes * lane / 2 + 4)}" '
                f'text-anchor="end" font-weight="600">{_e(label_for(index))}</text></g>'
            )
        body.append(
            f'<line x1="{_n(zero)}" x2="{_n(zero)}" y1="{_n(top)}" y2="{_n(height - 4)}" '
            f'stroke="{AXIS_COLOUR}" stroke-width="1"/>'
        )
        return _svg(prefix, width, height, title, desc, "".join(body))

    # Vertical bars.
    height = 240.0 + legend_height
    top, bottom = legend_height + 22, height - 36
    span = high - low
    group = width / len(labels)
    bar_width = min(48.0, group * 0.7 / lanes)

    def y_of(value: float) -> float:
        return bottom - (value - low) / span * (bottom - top)

    zero = y_of(0)
    for index, label in enumerate(labels):
        centre = group * index + group / 2
        first = centre - bar_width * lanes / 2
        positive, negative = 0.0, 0.0
        body.append(f"<g><title>{_e(label)}: {_e(label_for(index))}</title>")
        top_of_group = zero
        bottom_of_group = zero
        for s_index, one in enumerate(series):
            value = one.values[index]
            if value is None:
                continue
            if stacked:
                start = positive if value >= 0 else negative
                end = start + value
                if value >= 0:
                    positive = end
                else:
                    negative = end
                bar_x = first
            else:
                start, end = 0.0, value
                bar_x = first + s_index * bar_width
            y1, y2 = sorted((y_of(start), y_of(end)))
            top_of_group, bottom_of_group = min(top_of_group, y1), max(bottom_of_group, y2)
            body.append(
                f'<rect x="{_n(bar_x)}" y="{_n(y1)}" width="{_n(bar_width - 2)}" '
                f'height="{_n(y2 - y1)}" fill="{_fill(prefix, s_index)}">'
                f"<title>{_e(one.name)}: {_e(value_format(value))}</title></rect>"
            )
            if not stacked and len(series) > 1:
                text_y = y1 - 3 if value >= 0 else y2 + 11
                body.append(
                    f'<text x="{_n(bar_x + bar_width / 2 - 1)}" y="{_n(text_y)}" '
                    f'text-anchor="middle" font-size="9">{_e(value_format(value))}</text>'
                )
        if stacked or len(series) == 1:
            values = [s.values[index] for s in series]
            negative_only = all(v is None or v < 0 for v in values) and any(
                v is not None for v in values
            )
            text_y = bottom_of_group + 12 if negative_only else top_of_group - 4
            body.append(
                f'<text x="{_n(centre)}" y="{_n(text_y)}" text-anchor="middle" '
                f'font-weight="600">{_e(label_for(index))}</text>'
            )
        limit = int(group / CHAR_WIDTH) - 1
        body.append(
            f'<text x="{_n(centre)}" y="{_n(height - 20)}" text-anchor="middle">'
            f"{_e(_truncate(label, limit))}</text></g>"
        )
    body.append(
        f'<line x1="0" x2="{_n(width)}" y1="{_n(zero)}" y2="{_n(zero)}" '
        f'stroke="{AXIS_COLOUR}" stroke-width="1"/>'
    )
    return _svg(prefix, width, height, title, desc, "".join(body))


def proportion_bar(
    *,
    title: str,
    description: str,
    parts: Sequence[tuple[str, float]],
    value_format: Formatter = format_number,
    width: float = 640,
) -> SafeString:
    """One bar split into its parts (e.g. initiatives by stage), with a legend of counts and %.

    Zero parts stay in the legend (an empty stage is worth seeing) but draw nothing; negative
    parts are refused.
    """
    parts = [(str(label), float(value)) for label, value in parts]
    if any(value < 0 for _, value in parts):
        raise ValueError("A proportion bar cannot show negative parts.")
    prefix = _chart_id("proportion", title, description, parts, width)
    whole = sum(value for _, value in parts)
    if not parts or whole == 0:
        return _no_data(prefix, width, title, description)
    shares = [(label, value, value / whole * 100) for label, value in parts]
    desc = (
        f"{description} "
        + "; ".join(
            f"{label}: {value_format(value)} ({format_percent(share)})"
            for label, value, share in shares
        )
        + f". Total {value_format(whole)}."
    )
    names = [
        f"{label} {value_format(value)} ({format_percent(share)})" for label, value, share in shares
    ]
    legend, legend_height = _legend(prefix, names, width)
    body = [_pattern_defs(prefix, len(parts))]
    x = 0.0
    bar_top = 4.0
    for index, (label, value, _share) in enumerate(shares):
        if value == 0:
            continue
        segment = value / whole * width
        body.append(
            f'<rect x="{_n(x)}" y="{_n(bar_top)}" width="{_n(segment)}" height="28" '
            f'fill="{_fill(prefix, index)}" stroke="#fff" stroke-width="1">'
            f"<title>{_e(label)}: {_e(value_format(value))}</title></rect>"
        )
        text = value_format(value)
        if segment >= len(text) * CHAR_WIDTH + 8:
            body.append(
                f'<text x="{_n(x + segment / 2)}" y="{_n(bar_top + 18)}" text-anchor="middle" '
                f'fill="#fff" stroke="{TEXT_COLOUR}" stroke-width="2.5" paint-order="stroke" '
                f'font-weight="600">{_e(text)}</text>'
            )
        x += segment
    body.append(f'<g transform="translate(0 {_n(bar_top + 38)})">{legend}</g>')
    height = bar_top + 38 + legend_height
    return _svg(prefix, width, height, title, desc, "".join(body))


# ---------------------------------------------------------------------------------------------
# Lines
# ---------------------------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------------------------
# Scatter
# ---------------------------------------------------------------------------------------------


def scatter_chart(
    *,
    title: str,
    description: str,
    points: Sequence[Point],
    x_label: str,
    y_label: str,
    x_format: Formatter = format_number,
    y_format: Formatter = format_number,
    x_domain: tuple[float, float] | None = None,
    x_guides: Sequence[tuple[float, str]] = (),
    width: float = 640,
    height: float = 320,
) -> SafeString:
    """Points on two axes (e.g. readiness total against value), marker shape per group.

    Each point is labelled when there are at most 30 (its full name is in its tooltip);
    `x_guides` draw labelled vertical lines such as band boundaries.
    """
    points = [Point(str(p.label), float(p.x), float(p.y), str(p.group)) for p in points]
    prefix = _chart_id("scatter", title, description, points, x_label, y_label, x_domain, width)
    if not points:
        return _no_data(prefix, width, title, description)
    groups = sorted({p.group for p in points})
    desc = (
        f"{description} {x_label} against {y_label}. "
        + "; ".join(
            f"{p.label}{f' ({p.group})' if p.group else ''}: {x_format(p.x)}, {y_format(p.y)}"
            for p in points
        )
        + "."
    ).strip()
    legend, legend_height = (
        _legend(prefix, groups, width, markers=True) if len(groups) > 1 else ("", 0)
    )
    xs, ys = [p.x for p in points], [p.y for p in points]
    x_low, x_high = x_domain if x_domain else (min(xs), max(xs))
    x_low, x_high = min(x_low, *xs), max(x_high, *xs)
    if x_low == x_high:
        x_low, x_high = x_low - 1, x_high + 1
    y_low, y_high = _nice_domain(min(ys), max(ys))
    y_width = max(len(y_format(y_low)), len(y_format(y_high))) * CHAR_WIDTH + 8
    left, right = y_width + 4, width - 16
    top, bottom = legend_height + 30, legend_height + height - 40

    def x_of(value: float) -> float:
        return left + (value - x_low) / (x_high - x_low) * (right - left)

    def y_of(value: float) -> float:
        return bottom - (value - y_low) / (y_high - y_low) * (bottom - top)

    body = [legend]
    body.append(
        f'<path d="M{_n(left)},{_n(top)} V{_n(bottom)} H{_n(right)}" fill="none" '
        f'stroke="{AXIS_COLOUR}"/>'
    )
    for value, text in ((y_low, y_format(y_low)), (y_high, y_format(y_high))):
        body.append(
            f'<text x="{_n(left - 4)}" y="{_n(y_of(value) + 4)}" text-anchor="end">'
            f"{_e(text)}</text>"
        )
    if y_low < 0:
        body.append(
            f'<line x1="{_n(left)}" x2="{_n(right)}" y1="{_n(y_of(0))}" y2="{_n(y_of(0))}" '
            f'stroke="{AXIS_COLOUR}" stroke-dasharray="3 3"/>'
        )
    for value, text in ((x_low, x_format(x_low)), (x_high, x_format(x_high))):
        body.append(
            f'<text x="{_n(x_of(value))}" y="{_n(bottom + 14)}" text-anchor="middle">'
            f"{_e(text)}</text>"
        )
    for value, text in x_guides:
        if x_low <= value <= x_high:
            body.append(
                f'<line x1="{_n(x_of(value))}" x2="{_n(x_of(value))}" y1="{_n(top)}" '
                f'y2="{_n(bottom)}" stroke="{AXIS_COLOUR}" stroke-dasharray="2 4"/>'
                f'<text x="{_n(x_of(value) + 3)}" y="{_n(top + 8)}" font-size="9">{_e(text)}</text>'
            )
    body.append(
        f'<text x="{_n((left + right) / 2)}" y="{_n(bottom + 30)}" text-anchor="middle" '
        f'font-weight="600">{_e(x_label)}</text>'
        f'<text x="0" y="{_n(top - 16)}" font-weight="600">{_e(y_label)}</text>'
    )
    # Labels are placed first come, first served; one that would overlap a placed label or a
    # marker is left out (the point keeps its tooltip and its line in the description).
    occupied: list[tuple[float, float, float, float]] = [
        (x_of(p.x) - 6, y_of(p.y) - 6, x_of(p.x) + 6, y_of(p.y) + 6) for p in points
    ]

    def free(box: tuple[float, float, float, float], own: int) -> bool:
        return not any(
            n != own and box[0] < o[2] and o[0] < box[2] and box[1] < o[3] and o[1] < box[3]
            for n, o in enumerate(occupied)
        )

    ordered = sorted(enumerate(points), key=lambda item: (item[1].x, item[1].y, item[1].label))
    for own, point in ordered:
        index = groups.index(point.group)
        cx, cy = x_of(point.x), y_of(point.y)
        body.append(
            f"<g><title>{_e(point.label)}: {_e(x_label)} {_e(x_format(point.x))}, "
            f"{_e(y_label)} {_e(y_format(point.y))}</title>{_marker(index, cx, cy, 5)}"
        )
        if len(points) <= 30:
            text = _truncate(point.label, 24)
            text_width = len(text) * 5.6
            anchor = "end" if cx + 8 + text_width > width else "start"
            x1 = cx - 8 - text_width if anchor == "end" else cx + 8
            box = (x1, cy - 6, x1 + text_width, cy + 6)
            if free(box, own):
                occupied.append(box)
                dx = -8 if anchor == "end" else 8
                body.append(
                    f'<text x="{_n(cx + dx)}" y="{_n(cy + 4)}" text-anchor="{anchor}" '
                    f'font-size="10">{_e(text)}</text>'
                )
        body.append("</g>")
    return _svg(prefix, width, legend_height + height, title, desc, "".join(body))
