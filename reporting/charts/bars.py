"""Bar-shaped charts: `bar_chart` (one series, several side by side, or stacked; horizontal or
vertical; negative values grow the other way) and `proportion_bar` (one bar split into its parts,
e.g. initiatives by stage). Both tell series apart by fill pattern as well as colour.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.safestring import SafeString

from reporting.charts.markup import (
    AXIS_COLOUR,
    CHAR_WIDTH,
    TEXT_COLOUR,
    _chart_id,
    _e,
    _fill,
    _legend,
    _n,
    _nice_domain,
    _no_data,
    _pattern_defs,
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
    format_percent,
)


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
