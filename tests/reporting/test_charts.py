"""reporting.charts: pure SVG charts, accessible, escaped, deterministic, robust to odd data."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from reporting import charts
from reporting.charts import Point, Series

SVG = "{http://www.w3.org/2000/svg}"


def _bar(**overrides):
    values = {
        "title": "Initiatives by stage",
        "description": "Count per stage.",
        "labels": ["Exploration", "Pilot"],
        "series": [Series("Active", (4, 5))],
    }
    values.update(overrides)
    return charts.bar_chart(**values)


def _line(**overrides):
    values = {
        "title": "Hours saved",
        "description": "Per month.",
        "labels": ["Sep", "Oct", "Nov"],
        "series": [Series("Hours", (10, 12.5, 9))],
    }
    values.update(overrides)
    return charts.line_chart(**values)


def _scatter(**overrides):
    values = {
        "title": "Value against readiness",
        "description": "Each initiative.",
        "points": [Point("Triage", 60, 45.5, "Speed"), Point("Refunds", 80, 110, "Cost")],
        "x_label": "Readiness",
        "y_label": "KPI progress",
    }
    values.update(overrides)
    return charts.scatter_chart(**values)


def _proportion(**overrides):
    values = {
        "title": "Active by stage",
        "description": "Share of active initiatives per stage.",
        "parts": [("Exploration", 4), ("Pilot", 5), ("Scale", 1)],
    }
    values.update(overrides)
    return charts.proportion_bar(**values)


def _spark(**overrides):
    values = {"title": "Hours saved", "values": [3, 5, 4, 8]}
    values.update(overrides)
    return charts.sparkline(**values)


BUILDERS = {
    "bar": _bar,
    "bar_vertical": lambda **o: _bar(horizontal=False, **o),
    "bar_stacked": lambda **o: _bar(
        series=[Series("Active", (4, 5)), Series("Paused", (1, 0))], stacked=True, **o
    ),
    "bar_grouped_vertical": lambda **o: _bar(
        series=[Series("Spend", (4, 5)), Series("Run", (1, 2))], horizontal=False, **o
    ),
    "line": _line,
    "scatter": _scatter,
    "proportion": _proportion,
    "sparkline": _spark,
}


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def _texts(svg: str) -> list[str]:
    root = _parse(svg)
    return ["".join(node.itertext()) for node in root.iter(f"{SVG}text")]


# ---------------------------------------------------------------------------------------------
# Every chart: well-formed, accessible, self-contained, deterministic
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", BUILDERS)
def test_every_chart_is_well_formed_svg_sized_by_its_viewbox(kind):
    root = _parse(BUILDERS[kind]())
    assert root.tag == f"{SVG}svg"
    assert re.fullmatch(r"0 0 [\d.]+ [\d.]+", root.get("viewBox"))
    assert root.get("width") is None and root.get("height") is None


@pytest.mark.parametrize("kind", BUILDERS)
def test_every_chart_is_an_image_labelled_by_its_title_and_description(kind):
    root = _parse(BUILDERS[kind]())
    assert root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and desc is not None
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert title.text
    assert desc.text


@pytest.mark.parametrize("kind", BUILDERS)
def test_every_chart_stands_alone_without_script_or_stylesheet(kind):
    svg = BUILDERS[kind]()
    assert "<script" not in svg and "<style" not in svg and 'class="chart"' in svg
    assert not re.search(r"\son\w+=", svg)  # no event handlers
    assert "href=" not in svg  # nothing external (patterns are referenced by url(#id))


@pytest.mark.parametrize("kind", BUILDERS)
def test_every_chart_is_deterministic(kind):
    assert BUILDERS[kind]() == BUILDERS[kind]()


def test_different_charts_get_different_ids_so_a_page_can_hold_several():
    first = _parse(_bar()).find(f"{SVG}title").get("id")
    second = _parse(_bar(series=[Series("Active", (4, 6))])).find(f"{SVG}title").get("id")
    assert first != second


@pytest.mark.parametrize("kind", BUILDERS)
def test_every_chart_returns_a_safe_string_for_templates(kind):
    assert hasattr(BUILDERS[kind](), "__html__")


# ---------------------------------------------------------------------------------------------
# Escaping and long labels
# ---------------------------------------------------------------------------------------------

HOSTILE = '<script>alert("x")</script> & "quotes" \'single\''


@pytest.mark.parametrize(
    "svg",
    [
        _bar(
            title=HOSTILE,
            description=HOSTILE,
            labels=[HOSTILE, "b"],
            series=[Series(HOSTILE, (1, 2))],
        ),
        _bar(
            labels=[HOSTILE, "b"],
            series=[Series(HOSTILE, (1, 2)), Series("x", (1, 1))],
            stacked=True,
            horizontal=False,
        ),
        _line(title=HOSTILE, labels=[HOSTILE, "b", "c"], series=[Series(HOSTILE, (1, 2, 3))]),
        _scatter(title=HOSTILE, x_label=HOSTILE, points=[Point(HOSTILE, 1, 2, HOSTILE)]),
        _proportion(title=HOSTILE, parts=[(HOSTILE, 1)]),
        _spark(title=HOSTILE),
    ],
)
def test_text_is_escaped_everywhere(svg):
    assert "<script>" not in svg
    root = _parse(svg)  # still well-formed XML
    assert HOSTILE in root.find(f"{SVG}title").text or HOSTILE in "".join(root.itertext())


def test_long_labels_are_shortened_on_the_chart_but_kept_whole_in_tooltip_and_description():
    long_label = "Customer triage and routing for the billing and refunds queues in three countries"
    svg = _bar(labels=[long_label, "Pilot"])
    assert any(text.endswith("…") and len(text) <= 28 for text in _texts(svg))
    root = _parse(svg)
    assert long_label in root.find(f"{SVG}desc").text
    assert any(long_label in (t.text or "") for t in root.iter(f"{SVG}title"))


def test_long_labels_fit_inside_the_viewbox_of_a_vertical_chart():
    labels = ["A very long business unit name that would overflow", "B", "C", "D", "E", "F"]
    svg = _bar(labels=labels, series=[Series("n", (1, 2, 3, 4, 5, 6))], horizontal=False)
    width = float(_parse(svg).get("viewBox").split()[2])
    label_texts = [t for t in _texts(svg) if t.startswith("A very")]
    assert label_texts and len(label_texts[0]) * charts.CHAR_WIDTH <= width / len(labels)


# ---------------------------------------------------------------------------------------------
# Values are printed, not only drawn
# ---------------------------------------------------------------------------------------------


def test_bar_chart_prints_each_value_and_lists_them_in_the_description():
    svg = _bar(series=[Series("Active", (1234, 5.5))])
    assert {"1,234", "5.5"} <= set(_texts(svg))
    assert "Exploration: 1,234; Pilot: 5.5." in _parse(svg).find(f"{SVG}desc").text


def test_stacked_bar_prints_the_total_and_describes_each_series():
    svg = BUILDERS["bar_stacked"]()
    assert {"5"} <= set(_texts(svg))  # Exploration 4 + 1
    desc = _parse(svg).find(f"{SVG}desc").text
    assert "Exploration: Active 4, Paused 1" in desc


def test_several_series_get_a_legend_and_distinct_patterns_not_colour_alone():
    svg = BUILDERS["bar_stacked"]()
    assert {"Active", "Paused"} <= set(_texts(svg))
    patterns = _parse(svg).findall(f"{SVG}defs/{SVG}pattern")
    assert len(patterns) == 2
    bodies = [ET.tostring(p).decode().split(">", 1)[1] for p in patterns]
    assert bodies[0].count("<") != bodies[1].count("<")  # a texture, not just another colour


def test_line_chart_marks_and_labels_every_point():
    svg = _line()
    assert {"10", "12.5", "9"} <= set(_texts(svg))
    assert {"Sep", "Oct", "Nov"} <= set(_texts(svg))


def test_line_chart_with_many_points_labels_the_ends_and_describes_all():
    labels = [f"W{n}" for n in range(30)]
    svg = _line(labels=labels, series=[Series("v", tuple(range(30)))])
    texts = _texts(svg)
    assert "0" in texts and "29" in texts and "15" not in texts
    assert "W15: 15" in _parse(svg).find(f"{SVG}desc").text


def test_line_series_differ_by_marker_shape_and_dash():
    svg = _line(series=[Series("a", (1, 2, 3)), Series("b", (3, 2, 1))])
    assert "<circle" in svg and "<rect" in svg and "stroke-dasharray" in svg


def test_scatter_labels_points_and_prints_axis_ranges():
    svg = _scatter(x_domain=(18, 90), x_guides=[(75, "Strong")])
    texts = _texts(svg)
    assert {"Triage", "Refunds", "18", "90", "Strong", "Readiness", "KPI progress"} <= set(texts)
    assert "Triage (Speed): 60, 45.5" in _parse(svg).find(f"{SVG}desc").text
    assert {"Speed", "Cost"} <= set(texts)  # legend for the groups


def test_scatter_with_many_points_keeps_names_in_tooltips_only():
    points = [Point(f"Initiative {n}", n, n * 2) for n in range(40)]
    svg = _scatter(points=points)
    assert "Initiative 7" not in _texts(svg)
    assert "Initiative 7: Readiness 7, KPI progress 14" in svg


def test_proportion_bar_prints_counts_and_shares():
    svg = _proportion()
    texts = _texts(svg)
    assert "Exploration 4 (40%)" in texts and "Pilot 5 (50%)" in texts
    assert "Total 10." in _parse(svg).find(f"{SVG}desc").text


def test_sparkline_prints_the_last_value():
    assert _texts(_spark())[-1] == "8"


@pytest.mark.parametrize(
    ("formatter", "value", "expected"),
    [
        (charts.format_number, 1234567, "1,234,567"),
        (charts.format_number, 2.25, "2.2"),
        (charts.format_number, -3, "-3"),
        (charts.format_number, None, "–"),
        (charts.format_money, 12300.4, "€12,300"),
        (charts.format_money, -50, "−€50"),
        (charts.format_money, None, "–"),
        (charts.format_percent, 45.55, "45.5%"),
        (charts.format_percent, 100, "100%"),
    ],
)
def test_formatters(formatter, value, expected):
    assert formatter(value) == expected


# ---------------------------------------------------------------------------------------------
# Empty, single, zero, negative and missing data
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "svg",
    [
        _bar(labels=[], series=[]),
        _bar(labels=[], series=[Series("s", ())]),
        _line(labels=[], series=[]),
        _line(series=[Series("s", (None, None, None))]),
        _scatter(points=[]),
        _proportion(parts=[]),
        _proportion(parts=[("a", 0), ("b", 0)]),
        _spark(values=[]),
        _spark(values=[None]),
    ],
)
def test_empty_data_says_so(svg):
    root = _parse(svg)
    assert charts.NO_DATA in _texts(svg)
    assert charts.NO_DATA in root.find(f"{SVG}desc").text
    assert root.get("role") == "img"


@pytest.mark.parametrize(
    "svg",
    [
        _bar(labels=["Only"], series=[Series("s", (7,))]),
        _bar(labels=["Only"], series=[Series("s", (7,))], horizontal=False),
        _line(labels=["Only"], series=[Series("s", (7,))]),
        _scatter(points=[Point("Only", 7, 7)]),
        _proportion(parts=[("Only", 7)]),
        _spark(values=[7]),
    ],
)
def test_one_point_draws_and_prints_it(svg):
    _parse(svg)
    assert "7" in _texts(svg)
    assert "nan" not in svg.lower() and "inf" not in svg.lower()


@pytest.mark.parametrize("horizontal", [True, False])
def test_all_zero_values_draw_an_axis_and_print_zeros(horizontal):
    svg = _bar(series=[Series("s", (0, 0))], horizontal=horizontal)
    assert _texts(svg).count("0") >= 2
    assert "nan" not in svg.lower()


@pytest.mark.parametrize("horizontal", [True, False])
def test_negative_values_grow_from_the_zero_line_the_other_way(horizontal):
    svg = _bar(series=[Series("s", (-5, 10))], horizontal=horizontal)
    root = _parse(svg)
    rects = [r for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    negative, positive = rects
    axis = root.findall(f"{SVG}line")[-1]
    if horizontal:
        zero = float(axis.get("x1"))
        assert float(negative.get("x")) + float(negative.get("width")) == pytest.approx(
            zero, abs=0.2
        )
        assert float(positive.get("x")) == pytest.approx(zero, abs=0.2)
        assert float(positive.get("width")) == pytest.approx(
            2 * float(negative.get("width")), abs=0.2
        )
    else:
        zero = float(axis.get("y1"))
        assert float(negative.get("y")) == pytest.approx(zero, abs=0.2)
        assert float(positive.get("y")) + float(positive.get("height")) == pytest.approx(
            zero, abs=0.2
        )
    assert {"-5", "10"} <= set(_texts(svg))
    assert all(float(r.get("width")) >= 0 and float(r.get("height")) >= 0 for r in rects)


def test_stacked_bars_stack_negatives_below_zero_and_positives_above():
    svg = _bar(
        labels=["Q1"],
        series=[Series("a", (3,)), Series("b", (-2,)), Series("c", (4,))],
        stacked=True,
    )
    assert "5" in _texts(svg)  # 3 - 2 + 4
    rects = [r for r in _parse(svg).iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    assert len(rects) == 3


def test_missing_values_draw_no_bar_and_print_a_dash():
    svg = _bar(series=[Series("s", (None, 3))])
    rects = [r for r in _parse(svg).iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    assert len(rects) == 1
    assert "–" in _texts(svg)


def test_missing_values_break_a_line():
    svg = _line(labels=["a", "b", "c", "d"], series=[Series("s", (1, 2, None, 4))])
    assert svg.count("<polyline") == 1  # a-b; d alone has only a marker


def test_negative_scatter_values_draw_a_zero_line():
    svg = _scatter(points=[Point("Down", 50, -20), Point("Up", 60, 30)])
    assert 'stroke-dasharray="3 3"' in svg
    assert "-20" in _texts(svg)


def test_constant_line_does_not_divide_by_zero():
    svg = _line(series=[Series("s", (5, 5, 5))])
    assert "nan" not in svg.lower()


def test_proportion_bar_refuses_negative_parts():
    with pytest.raises(ValueError, match="negative"):
        _proportion(parts=[("a", -1), ("b", 2)])


def test_a_series_must_have_one_value_per_label():
    with pytest.raises(ValueError, match="2 labels"):
        _bar(series=[Series("s", (1, 2, 3))])
    with pytest.raises(ValueError, match="3 labels"):
        _line(series=[Series("s", (1,))])


def test_decimals_are_accepted():
    from decimal import Decimal

    svg = _bar(
        series=[Series("s", (Decimal("1.50"), Decimal(2)))], value_format=charts.format_money
    )
    assert "€2" in _texts(svg)


def test_scatter_leaves_out_labels_that_would_overlap_but_describes_every_point():
    svg = _scatter(
        points=[Point("First", 50, 50), Point("Second", 50.2, 50.1), Point("Far", 20, 5)]
    )
    texts = _texts(svg)
    assert "First" in texts and "Far" in texts and "Second" not in texts
    desc = _parse(svg).find(f"{SVG}desc").text
    assert "Second: 50.2, 50.1" in desc
    assert "Second: Readiness 50.2" in svg  # its tooltip
