"""SVG charts drawn on the server, shared by the dashboard and the PDF reports.

Every function is pure: plain values in, one `<svg>` string out, the same string for the same
input. The markup stands alone — sized by its viewBox, styled by inline attributes only (no
stylesheet, no script) — so WeasyPrint renders it exactly as the browser does.

Accessibility: each chart is `role="img"` labelled by its `<title>` and a `<desc>` that lists
every value in words; values are printed on the chart; series are told apart by pattern and by
marker shape as well as by colour; all text is escaped.

Layout of the package, one direction only: `values` (inputs and formatters) and `markup` (palette
and shared SVG primitives) import nothing of ours; `bars`, `lines` and `scatter` draw the charts
from them; this module re-exports the public names, so `from reporting.charts import bar_chart`
and `charts.format_money` work as before.
"""

from __future__ import annotations

from reporting.charts.bars import bar_chart, proportion_bar
from reporting.charts.lines import line_chart, sparkline
from reporting.charts.markup import (
    AXIS_COLOUR,
    CHAR_WIDTH,
    COLOURS,
    FONT,
    MARKERS,
    NO_DATA,
    PATTERNS,
    TEXT_COLOUR,
)
from reporting.charts.scatter import scatter_chart
from reporting.charts.values import (
    Formatter,
    Point,
    Series,
    format_money,
    format_number,
    format_percent,
)

__all__ = [
    "AXIS_COLOUR",
    "CHAR_WIDTH",
    "COLOURS",
    "FONT",
    "MARKERS",
    "NO_DATA",
    "PATTERNS",
    "TEXT_COLOUR",
    "Formatter",
    "Point",
    "Series",
    "bar_chart",
    "format_money",
    "format_number",
    "format_percent",
    "line_chart",
    "proportion_bar",
    "scatter_chart",
    "sparkline",
]
