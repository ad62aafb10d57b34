"""The drawing primitives every chart shares, package-internal apart from the palette and layout
constants: the colour-blind-safe colours with their fill patterns and marker shapes, escaping and
coordinate formatting, stable per-chart ids, the legend, the markers, the "no data" box and the
standalone `<svg>` wrapper that makes a chart accessible (`role="img"`, `<title>`, `<desc>`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from html import escape

from django.utils.safestring import SafeString, mark_safe

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
