"""Shaping frozen assessment results for the result pages; pure, no queries.

A submitted assessment keeps the result computed at submission (``Assessment.result``, the
``EvaluationResult.as_dict()`` of its own template version). These functions read that frozen
document together with the version's definition (for titles and item order) and return plain
dataclasses the templates render: a summary of one result, the area-by-area comparison of two
results, the total-over-time chart, and heatmap cells.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import formats, timezone

from readiness.rules import AnswerType, Band, TemplateDefinition

_BINARY_LABELS: Mapping[AnswerType, Mapping[int, str]] = {
    AnswerType.YES_NO: {1: "Yes", 0: "No"},
    AnswerType.READY_NOT_READY: {1: "Ready", 0: "Not ready"},
}


def item_title(template: TemplateDefinition, item_id: str) -> str:
    """The item's title, or its id if this version no longer has it."""
    try:
        return template.item(item_id).title
    except KeyError:
        return item_id


def answer_label(template: TemplateDefinition, score: int | None) -> str:
    """How a score reads on screen: "4" on a 1–5 scale, "Ready" / "No" on two-valued ones."""
    if score is None:
        return "—"
    labels = _BINARY_LABELS.get(template.answer_type)
    return labels.get(score, str(score)) if labels else str(score)


def frozen_scores(result: Mapping[str, Any]) -> dict[str, int]:
    return {str(k): int(v) for k, v in (result.get("item_scores") or {}).items()}


# ---------------------------------------------------------------------------------------------
# One result
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Flag:
    item_id: str
    title: str
    text: str


@dataclass(frozen=True)
class ResultSummary:
    """What a reader needs from one submitted result, from its frozen document."""

    total: int | None
    max_total: int | None
    band_label: str | None
    recommended_action: str | None
    verdict: str
    ready_to_scale: bool
    passed: bool | None
    blocking: tuple[Flag, ...]
    needing_review: tuple[Flag, ...]
    first_failed_gate: Flag | None
    # Items answered No / Not ready on a two-valued template (empty on a 1–5 scorecard).
    failed: tuple[Flag, ...]


def summarize_result(template: TemplateDefinition, result: Mapping[str, Any]) -> ResultSummary:
    band = result.get("band") or {}
    blocking = tuple(
        Flag(
            item_id=entry["item_id"],
            title=item_title(template, entry["item_id"]),
            text=f"scored {entry['score']}, minimum {entry['minimum']}",
        )
        for entry in result.get("blocking_items") or ()
    )
    scores = frozen_scores(result)
    needing_review = tuple(
        Flag(
            item_id=item_id,
            title=item_title(template, item_id),
            text=f"at the lowest level ({answer_label(template, scores.get(item_id))})",
        )
        for item_id in result.get("items_needing_review") or ()
    )
    gate = result.get("first_failed_gate")
    failed = (
        tuple(
            Flag(item_id, item_title(template, item_id), answer_label(template, score))
            for item_id, score in scores.items()
            if score == 0
        )
        if template.answer_type.is_binary
        else ()
    )
    return ResultSummary(
        total=result.get("total"),
        max_total=result.get("max_total"),
        band_label=band.get("label"),
        recommended_action=result.get("recommended_action"),
        verdict=result.get("verdict") or "",
        ready_to_scale=bool(result.get("ready_to_scale")),
        passed=result.get("passed"),
        blocking=blocking,
        needing_review=needing_review,
        first_failed_gate=(
            Flag(item_id=gate, title=item_title(template, gate), text="first failed gate")
            if gate
            else None
        ),
        failed=failed,
    )


# ---------------------------------------------------------------------------------------------
# Comparing two results area by area
# ---------------------------------------------------------------------------------------------

UP, DOWN, SAME, ONLY_A, ONLY_B, UNSCORED = "up", "down", "same", "only_a", "only_b", "unscored"


@dataclass(frozen=True)
class AreaComparison:
    item_id: str
    title: str
    label_a: str
    label_b: str
    movement: str
    change: int | None
    # Arrow and words together, so the movement never depends on colour alone.
    text: str


@dataclass(frozen=True)
class Comparison:
    areas: tuple[AreaComparison, ...]
    versions_differ: bool
    total_text: str

    @property
    def moved(self) -> tuple[AreaComparison, ...]:
        return tuple(area for area in self.areas if area.movement in (UP, DOWN))

    @property
    def ups(self) -> int:
        return sum(1 for area in self.areas if area.movement == UP)

    @property
    def downs(self) -> int:
        return sum(1 for area in self.areas if area.movement == DOWN)


def _movement(
    score_a: int | None, score_b: int | None, in_a: bool, in_b: bool, versions: tuple[int, int]
) -> tuple[str, int | None, str]:
    if not in_a:
        return ONLY_B, None, f"only in version {versions[1]}"
    if not in_b:
        return ONLY_A, None, f"only in version {versions[0]}"
    if score_a is None or score_b is None:
        return UNSCORED, None, "not scored in both"
    change = score_b - score_a
    if change > 0:
        return UP, change, f"↑ up {change}"
    if change < 0:
        return DOWN, change, f"↓ down {-change}"
    return SAME, 0, "→ same"


def compare_results(
    template_a: TemplateDefinition,
    result_a: Mapping[str, Any],
    template_b: TemplateDefinition,
    result_b: Mapping[str, Any],
) -> Comparison:
    """Area by area from A to B, matched by item id, in B's item order then A's leftovers.

    When the two results were made on different versions, an item that exists in only one of
    them is marked as such rather than counted as a move.
    """
    scores_a, scores_b = frozen_scores(result_a), frozen_scores(result_b)
    ids_a, ids_b = template_a.item_ids, template_b.item_ids
    ordered = list(ids_b) + [item_id for item_id in ids_a if item_id not in ids_b]
    versions = (template_a.version, template_b.version)
    areas = []
    for item_id in ordered:
        in_a, in_b = item_id in ids_a, item_id in ids_b
        movement, change, text = _movement(
            scores_a.get(item_id), scores_b.get(item_id), in_a, in_b, versions
        )
        areas.append(
            AreaComparison(
                item_id=item_id,
                title=item_title(template_b if in_b else template_a, item_id),
                label_a=answer_label(template_a, scores_a.get(item_id)) if in_a else "n/a",
                label_b=answer_label(template_b, scores_b.get(item_id)) if in_b else "n/a",
                movement=movement,
                change=change,
                text=text,
            )
        )
    total_a, total_b = result_a.get("total"), result_b.get("total")
    _, _, total_text = _movement(total_a, total_b, True, True, versions)
    return Comparison(
        areas=tuple(areas),
        versions_differ=template_a.version != template_b.version,
        total_text=total_text,
    )


# ---------------------------------------------------------------------------------------------
# Total over time
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChartPoint:
    x: float
    y: float
    total: int
    max_total: int
    when: str
    band_label: str
    show_label: bool


@dataclass(frozen=True)
class ChartLine:
    y: float
    label: str


@dataclass(frozen=True)
class TotalChart:
    """An SVG line chart of totals, oldest left, drawn in a fixed viewBox."""

    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    points: tuple[ChartPoint, ...]
    band_lines: tuple[ChartLine, ...]
    y_min_label: str
    y_max_label: str
    description: str

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)


@dataclass(frozen=True)
class HistoryEntry:
    when: datetime
    total: int
    max_total: int
    band_label: str


def _day(moment: datetime) -> str:
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    return formats.date_format(local, "j M Y")


CHART_WIDTH, CHART_HEIGHT = 640, 220
_LEFT, _RIGHT, _TOP, _BOTTOM = 44, 120, 26, 34
# Points sit this far inside the axes so their value labels never touch the axis labels.
_INSET = 24
_MAX_X_LABELS = 8


def total_chart(
    entries: Sequence[HistoryEntry], *, min_total: int, max_total: int, bands: Sequence[Band]
) -> TotalChart | None:
    """The chart of `entries` (oldest first) on a min_total..max_total axis, or None if empty.

    Points are evenly spaced (the order of assessments matters more than the gaps between
    them); the lower edge of every band but the lowest is a labelled line.
    """
    if not entries:
        return None
    plot_left, plot_right = _LEFT, CHART_WIDTH - _RIGHT
    plot_top, plot_bottom = _TOP, CHART_HEIGHT - _BOTTOM
    span = max(max_total - min_total, 1)

    def y_of(value: float) -> float:
        return plot_bottom - (value - min_total) / span * (plot_bottom - plot_top)

    count = len(entries)
    first_x, last_x = plot_left + _INSET, plot_right - _INSET
    step = (last_x - first_x) / (count - 1) if count > 1 else 0
    every = max(1, -(-count // _MAX_X_LABELS))
    points = tuple(
        ChartPoint(
            x=first_x + index * step if count > 1 else (plot_left + plot_right) / 2,
            y=y_of(entry.total),
            total=entry.total,
            max_total=entry.max_total,
            when=_day(entry.when),
            band_label=entry.band_label,
            show_label=index % every == 0 or index == count - 1,
        )
        for index, entry in enumerate(entries)
    )
    band_lines = tuple(
        ChartLine(y=y_of(band.min), label=f"{band.label.split()[0]} {band.min}")
        for band in bands[1:]
    )
    first, last = points[0], points[-1]
    if count == 1:
        description = (
            f"One submitted assessment, on {first.when}: {first.total} of {first.max_total} "
            f"({first.band_label})."
        )
    else:
        description = (
            f"{count} submitted assessments, from {first.total} of {first.max_total} "
            f"({first.band_label}) on {first.when} to {last.total} of {last.max_total} "
            f"({last.band_label}) on {last.when}."
        )
    return TotalChart(
        width=CHART_WIDTH,
        height=CHART_HEIGHT,
        left=plot_left,
        right=plot_right,
        top=plot_top,
        bottom=plot_bottom,
        points=points,
        band_lines=band_lines,
        y_min_label=str(min_total),
        y_max_label=str(max_total),
        description=description + " The table below lists every one.",
    )


# ---------------------------------------------------------------------------------------------
# Heatmap
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HeatmapColumn:
    item_id: str
    title: str
    critical_minimum: int | None
    weak_count: int = 0


@dataclass(frozen=True)
class HeatmapCell:
    item_id: str
    title: str
    score: int | None
    blocking: bool
    minimum: int | None
    # False when the row's template version has no such area (a newer or older version).
    in_version: bool
    # What the cell prints, worked out once here: a heatmap page has about a thousand cells,
    # and building these strings in the template (numbers localised one by one) was most of
    # its rendering time.
    css: str = ""
    tooltip: str = ""
    text: str = ""

    @property
    def marked(self) -> bool:
        """A scored area below its minimum: the cell carries the "blocks scale" marker."""
        return self.blocking and self.in_version and self.score is not None


def heatmap_columns(versions: Sequence[TemplateDefinition]) -> list[HeatmapColumn]:
    """The newest version's areas in its order, then areas only older versions have."""
    if not versions:
        return []
    latest = versions[0]
    columns = [
        HeatmapColumn(item.id, item.title, latest.rules.critical_items.get(item.id))
        for item in latest.items
    ]
    seen = set(latest.item_ids)
    for older in versions[1:]:
        for item in older.items:
            if item.id not in seen:
                seen.add(item.id)
                columns.append(
                    HeatmapColumn(item.id, item.title, older.rules.critical_items.get(item.id))
                )
    return columns


def heatmap_cells(
    columns: Sequence[HeatmapColumn],
    template: TemplateDefinition,
    result: Mapping[str, Any],
    *,
    version: int | str = "",
) -> list[HeatmapCell]:
    """One cell per column for one row (`version`: the number of the row's template version);
    blocking comes from the frozen result's rules."""
    scores = frozen_scores(result)
    blocking = {entry["item_id"]: entry["minimum"] for entry in result.get("blocking_items") or ()}
    ids = set(template.item_ids)
    cells = []
    for column in columns:
        score = scores.get(column.item_id)
        blocks = column.item_id in blocking
        minimum = blocking.get(column.item_id, template.rules.critical_items.get(column.item_id))
        in_version = column.item_id in ids
        if not in_version:
            css, text = "heat heat-none", "n/a"
            tooltip = f"{column.title}: not in template v{version}"
        elif score is None:
            css, tooltip, text = "heat heat-none", f"{column.title}: not scored", "—"
        else:
            css = f"heat heat-{score}" + (" heat-blocking" if blocks else "")
            tooltip = f"{column.title}: {score}" + (
                f", below the minimum {minimum}: blocks scale" if blocks else ""
            )
            text = str(score)
        cells.append(
            HeatmapCell(
                item_id=column.item_id,
                title=column.title,
                score=score,
                blocking=blocks,
                minimum=minimum,
                in_version=in_version,
                css=css,
                tooltip=tooltip,
                text=text,
            )
        )
    return cells
