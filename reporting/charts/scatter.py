"""`scatter_chart`: points on two axes (e.g. readiness total against value), one marker shape
and colour per group, optional labelled vertical guides such as band boundaries, and point labels
placed so that none overlaps another label or a marker.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.safestring import SafeString

from reporting.charts.markup import (
    AXIS_COLOUR,
    CHAR_WIDTH,
    _chart_id,
    _e,
    _legend,
    _marker,
    _n,
    _nice_domain,
    _no_data,
    _svg,
    _truncate,
)
from reporting.charts.values import Formatter, Point, format_number


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
