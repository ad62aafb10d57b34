"""Results people look at: history and comparison, the portfolio heatmap, vendors.

Every page here is read-only except `vendor_assessment_create`, which only starts (or reopens)
a draft through the services. Every Gatehouse role reads all of them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET, require_POST

from core.caching import cached_figures
from core.listing import query_without, results_template
from core.permissions import require, role_required
from portfolio.models import BusinessUnit, Initiative, Stage, Vendor
from portfolio.permissions import get_initiative_for_user
from portfolio.vocabulary import SCORECARD_KEY
from readiness.models import Assessment, AssessmentStatus
from readiness.permissions import (
    VENDOR_ASSESSMENT_DENIED_MESSAGE,
    can_assess_vendor,
    can_view_assessments,
)
from readiness.presentation import (
    HeatmapCell,
    HeatmapColumn,
    HistoryEntry,
    ResultSummary,
    compare_results,
    heatmap_cells,
    heatmap_columns,
    summarize_result,
    total_chart,
)
from readiness.rules import TemplateDefinition
from readiness.selectors import (
    HEATMAP_WEAK_BELOW,
    VENDOR_EVALUATION_KEY,
    heatmap_rows,
    heatmap_weak_counts,
    initiative_templates,
    initiatives_without_scorecard,
    open_vendor_draft,
    scorecard_versions,
    vendor_assessments,
    vendor_initiatives,
    vendors_with_results,
)
from readiness.selectors import assessment_history as history_of
from readiness.services import assessment_create_draft

HEATMAP_PAGE_SIZE = 50
VENDOR_PAGE_SIZE = 25
# The "Not yet assessed" line stays short; the count says how many more there are.
UNASSESSED_SHOWN = 20


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


# ---------------------------------------------------------------------------------------------
# History and comparison
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryRow:
    assessment: Assessment
    summary: ResultSummary
    is_current: bool


def _comparison_pair(
    assessments: list[Assessment], a: int | None, b: int | None, *, template_title: str
) -> tuple[Assessment | None, Assessment | None, str | None]:
    """(A, B, error): the chosen pair, defaulting B to the latest and A to the one before B.

    Only assessments in `assessments` (this initiative's, of this template) can be chosen, so
    two different checklists or initiatives are never compared.
    """
    by_id = {assessment.pk: assessment for assessment in assessments}
    error = None
    if (a is not None and a not in by_id) or (b is not None and b not in by_id):
        error = (
            f"Only submitted {template_title} assessments of this initiative can be compared; "
            "showing the latest two instead."
        )
        a = b = None
    newer = by_id[b] if b is not None else (assessments[0] if assessments else None)
    if a is not None:
        older = by_id[a]
    else:
        following = assessments.index(newer) + 1 if newer is not None else len(assessments)
        older = assessments[following] if following < len(assessments) else None
    return older, newer, error


@login_required
@require_GET
def assessment_history(request: HttpRequest, pk: int) -> TemplateResponse:
    initiative = get_initiative_for_user(request.user, pk)
    templates = initiative_templates()
    key = request.GET.get("template") or SCORECARD_KEY
    template = next((t for t in templates if t.key == key), None)
    if template is None:
        raise Http404(f"No checklist “{key}” applies to initiatives.")
    assessments = history_of(initiative=initiative, template=template)
    # One parsed definition per version, however many assessments share it.
    definitions: dict[int, TemplateDefinition] = {}
    for assessment in assessments:
        definitions.setdefault(assessment.template_version_id, assessment.template_version.parsed)
    rows = [
        HistoryRow(
            assessment=a,
            summary=summarize_result(definitions[a.template_version_id], a.result),
            is_current=a.status == AssessmentStatus.SUBMITTED,
        )
        for a in assessments
    ]

    older, newer, compare_error = _comparison_pair(
        assessments,
        _int_or_none(request.GET.get("a")),
        _int_or_none(request.GET.get("b")),
        template_title=template.title,
    )
    comparison = None
    if older is not None and newer is not None:
        comparison = compare_results(
            definitions[older.template_version_id],
            older.result,
            definitions[newer.template_version_id],
            newer.result,
        )

    chart = None
    if assessments:
        latest = definitions[assessments[0].template_version_id]
        chart = total_chart(
            [
                HistoryEntry(
                    when=row.assessment.submitted_at,
                    total=row.summary.total or 0,
                    max_total=row.summary.max_total or latest.max_total,
                    band_label=row.summary.band_label or row.summary.verdict,
                )
                for row in reversed(rows)
            ],
            min_total=min(d.min_total for d in definitions.values()),
            max_total=max(d.max_total for d in definitions.values()),
            bands=latest.rules.bands,
        )
    summaries = {row.assessment.pk: row.summary for row in rows}
    return TemplateResponse(
        request,
        "readiness/history.html",
        {
            "initiative": initiative,
            "template": template,
            "templates": templates,
            "rows": rows,
            "chart": chart,
            "older": older,
            "newer": newer,
            "older_summary": summaries.get(older.pk) if older else None,
            "newer_summary": summaries.get(newer.pk) if newer else None,
            "comparison": comparison,
            "compare_error": compare_error,
        },
    )


# ---------------------------------------------------------------------------------------------
# Portfolio heatmap
# ---------------------------------------------------------------------------------------------

HEATMAP_SORT_CHOICES = (
    ("title", "Initiative (A–Z)"),
    ("-title", "Initiative (Z–A)"),
    ("total", "Total (lowest first)"),
    ("-total", "Total (highest first)"),
)


class HeatmapFilterForm(forms.Form):
    stage = forms.MultipleChoiceField(
        choices=Stage.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    business_unit = forms.ModelChoiceField(
        queryset=BusinessUnit.objects.all(), required=False, empty_label="All business units"
    )
    sort = forms.ChoiceField(choices=HEATMAP_SORT_CHOICES, required=False, label="Sort by")


@dataclass(frozen=True)
class HeatmapRow:
    initiative: Initiative
    assessment: Assessment
    summary: ResultSummary
    cells: list[HeatmapCell]
    version_number: int


def _sort_header(current: str, column: str, query: str) -> dict[str, str]:
    """The link that sorts by `column` (ascending first, then descending) and its aria-sort."""
    target = f"-{column}" if current == column else column
    aria = {column: "ascending", f"-{column}": "descending"}.get(current, "none")
    separator = "&" if query else ""
    return {"href": f"?{query}{separator}sort={target}", "aria_sort": aria}


@role_required(can_view_assessments)
@require_GET
def heatmap(request: HttpRequest) -> TemplateResponse:
    form = HeatmapFilterForm(request.GET or None)
    # Invalid values are reported and ignored; the valid ones still filter.
    form.is_valid()
    cleaned = getattr(form, "cleaned_data", {})
    stages = cleaned.get("stage") or []
    business_unit = cleaned.get("business_unit")
    sort = cleaned.get("sort") or "title"

    versions = scorecard_versions()
    definitions = {version.pk: version.parsed for version in versions}
    columns: list[HeatmapColumn] = heatmap_columns([v.parsed for v in versions])
    rows = heatmap_rows(stages=stages, business_unit=business_unit, sort=sort)
    # One query gives the paginator its count and the summary row's cache its key: a new
    # scorecard (or one superseded) changes the count or the latest submission, so the cached
    # counts are never older than the rows they sum.
    current = rows.order_by().aggregate(count=Count("pk"), latest=Max("submitted_at"))
    paginator = Paginator(rows, HEATMAP_PAGE_SIZE)
    paginator.count = current["count"]
    page = paginator.get_page(request.GET.get("page"))
    item_ids = [c.item_id for c in columns]
    weak, counted_at = {}, None
    if page.object_list:
        # Counting every row's 18 areas reads each frozen result: cached briefly.
        weak, counted_at = cached_figures(
            "heatmap-weak-counts",
            (
                tuple(sorted(stages)),
                business_unit.pk if business_unit else None,
                current["count"],
                current["latest"],
                tuple(item_ids),
            ),
            lambda: heatmap_weak_counts(rows, item_ids),
        )
    columns = [
        HeatmapColumn(c.item_id, c.title, c.critical_minimum, weak.get(c.item_id, 0))
        for c in columns
    ]
    numbers = {version.pk: version.number for version in versions}
    table = [
        HeatmapRow(
            initiative=a.initiative,
            assessment=a,
            summary=summarize_result(definitions[a.template_version_id], a.result),
            cells=heatmap_cells(
                columns,
                definitions[a.template_version_id],
                a.result,
                version=numbers[a.template_version_id],
            ),
            version_number=numbers[a.template_version_id],
        )
        for a in page.object_list
    ]
    unassessed_qs = initiatives_without_scorecard(stages=stages, business_unit=business_unit)
    unassessed = list(unassessed_qs[:UNASSESSED_SHOWN])
    unassessed_count = (
        len(unassessed) if len(unassessed) < UNASSESSED_SHOWN else unassessed_qs.count()
    )

    query_without_page = query_without(request, "page")
    query_without_sort = query_without(request, "page", "sort")
    template = results_template(request, "readiness/heatmap.html", "heatmap-results")
    return TemplateResponse(
        request,
        template,
        {
            "form": form,
            "columns": columns,
            "page": page,
            "table": table,
            "sort": sort,
            "sort_title": _sort_header(sort, "title", query_without_sort),
            "sort_total": _sort_header(sort, "total", query_without_sort),
            "query_without_page": query_without_page,
            "is_filtered": bool(stages or business_unit),
            "unassessed": unassessed,
            "unassessed_more": unassessed_count - len(unassessed),
            "unassessed_count": unassessed_count,
            "weak_below": HEATMAP_WEAK_BELOW,
            "counted_at": counted_at,
            "cache_seconds": settings.AGGREGATE_CACHE_SECONDS,
            "scorecard_loaded": bool(versions),
        },
    )


# ---------------------------------------------------------------------------------------------
# Vendors
# ---------------------------------------------------------------------------------------------


@role_required(can_view_assessments)
@require_GET
def vendor_list(request: HttpRequest) -> TemplateResponse:
    page = Paginator(vendors_with_results(), VENDOR_PAGE_SIZE).get_page(request.GET.get("page"))
    return TemplateResponse(request, "readiness/vendor_list.html", {"page": page})


@role_required(can_view_assessments)
@require_GET
def vendor_detail(request: HttpRequest, pk: int) -> TemplateResponse:
    vendor = get_object_or_404(Vendor, pk=pk)
    assessments = vendor_assessments(vendor)
    drafts = [a for a in assessments if a.status == AssessmentStatus.DRAFT]
    evaluations = [
        HistoryRow(
            assessment=a,
            summary=summarize_result(a.template_version.parsed, a.result),
            is_current=a.status == AssessmentStatus.SUBMITTED,
        )
        for a in assessments
        if a.status != AssessmentStatus.DRAFT
    ]
    return TemplateResponse(
        request,
        "readiness/vendor_detail.html",
        {
            "vendor": vendor,
            "initiatives": vendor_initiatives(vendor),
            "evaluations": evaluations,
            "drafts": drafts,
            "can_assess": can_assess_vendor(request.user, vendor),
        },
    )


@role_required(can_view_assessments)
@require_POST
def vendor_assessment_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Start a vendor evaluation, or continue the open one rather than start a second."""
    vendor = get_object_or_404(Vendor, pk=pk)
    require(can_assess_vendor(request.user, vendor), VENDOR_ASSESSMENT_DENIED_MESSAGE)
    draft = open_vendor_draft(vendor, VENDOR_EVALUATION_KEY)
    if draft is not None:
        messages.info(request, "This vendor already has an open evaluation draft; continue it.")
        return redirect("readiness:assessment_detail", pk=draft.pk)
    try:
        draft = assessment_create_draft(
            template_key=VENDOR_EVALUATION_KEY, actor=request.user, vendor=vendor
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("readiness:vendor_detail", pk=vendor.pk)
    messages.success(request, f"Started a vendor evaluation of {vendor.name}.")
    return redirect("readiness:assessment_detail", pk=draft.pk)
