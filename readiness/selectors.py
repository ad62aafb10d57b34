"""Read queries for readiness results: the initiative panel, history, heatmap and vendors.

Every function here runs a fixed number of queries whatever the size of the portfolio, so the
pages built on them can pin their query counts. Frozen results (``Assessment.result``) are read
as stored: a submitted assessment never recomputes with newer rules.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from portfolio.models import BusinessUnit, Initiative, Vendor
from portfolio.vocabulary import SCORECARD_KEY
from readiness.models import (
    AppliesTo,
    Assessment,
    AssessmentStatus,
    AssessmentTemplate,
    TemplateVersion,
)

VENDOR_EVALUATION_KEY = "vendor_evaluation"

# An area scored below this counts as "below partially ready" in the heatmap summary row
# (DOMAIN: 3 = partially ready; the critical minimum is also 3).
HEATMAP_WEAK_BELOW = 3

HISTORY_STATUSES = (AssessmentStatus.SUBMITTED, AssessmentStatus.SUPERSEDED)


# ---------------------------------------------------------------------------------------------
# Initiative panel
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InitiativeReadiness:
    """What the initiative page shows: the current result of each template, and open drafts."""

    current: list[Assessment]
    drafts: list[Assessment]


def initiative_readiness(initiative: Initiative) -> InitiativeReadiness:
    """The submitted (current) assessment of each template and the open drafts, in one query.

    The database allows one submitted assessment per template and initiative, so "latest
    submitted result per template" is simply every submitted row; superseded ones are history.
    """
    rows = list(
        Assessment.objects.filter(
            initiative=initiative,
            status__in=(AssessmentStatus.SUBMITTED, AssessmentStatus.DRAFT),
        )
        .select_related("template", "template_version", "submitted_by", "updated_by")
        .order_by("template__title", "-submitted_at", "-updated_at")
    )
    return InitiativeReadiness(
        current=[row for row in rows if row.status == AssessmentStatus.SUBMITTED],
        drafts=[row for row in rows if row.status == AssessmentStatus.DRAFT],
    )


# ---------------------------------------------------------------------------------------------
# History
# ---------------------------------------------------------------------------------------------


def initiative_templates() -> list[AssessmentTemplate]:
    """Every template that applies to initiatives, by title (a handful of rows)."""
    return list(AssessmentTemplate.objects.filter(applies_to=AppliesTo.INITIATIVE))


def assessment_history(*, initiative: Initiative, template: AssessmentTemplate) -> list[Assessment]:
    """Submitted and superseded assessments of `template` for `initiative`, newest first."""
    return list(
        Assessment.objects.filter(
            initiative=initiative, template=template, status__in=HISTORY_STATUSES
        )
        .select_related("template_version", "submitted_by")
        .defer("evidence", "comments")
        .order_by("-submitted_at", "-pk")
    )


# ---------------------------------------------------------------------------------------------
# Heatmap
# ---------------------------------------------------------------------------------------------


def scorecard_versions() -> list[TemplateVersion]:
    """Every version of the readiness scorecard, newest first.

    Versions are few (one per content change by an admin), so fetching them all in one query
    is cheaper than a lookup per heatmap row.
    """
    return list(
        TemplateVersion.objects.filter(template__key=SCORECARD_KEY)
        .select_related("template")
        .order_by("-number")
    )


def _initiative_filter(
    prefix: str, stages: Sequence[str] | None, business_unit: BusinessUnit | None
) -> Q:
    condition = Q()
    if stages:
        condition &= Q(**{f"{prefix}stage__in": list(stages)})
    if business_unit is not None:
        condition &= Q(**{f"{prefix}business_unit": business_unit})
    return condition


HEATMAP_ORDER: dict[str, tuple[str, ...]] = {
    "title": ("initiative__title", "initiative_id"),
    "-title": ("-initiative__title", "-initiative_id"),
    "total": ("total", "initiative__title", "initiative_id"),
    "-total": ("-total", "initiative__title", "initiative_id"),
}


def heatmap_rows(
    *,
    stages: Sequence[str] | None = None,
    business_unit: BusinessUnit | None = None,
    sort: str = "title",
) -> QuerySet[Assessment]:
    """The current (submitted) scorecard of each initiative, filtered and sorted; lazy.

    One row per initiative: the database allows one submitted scorecard per initiative.
    The template version's definition is deferred; callers look versions up in
    `scorecard_versions()` instead of carrying the same document on every row.
    """
    return (
        Assessment.objects.filter(
            template__key=SCORECARD_KEY,
            status=AssessmentStatus.SUBMITTED,
            initiative__isnull=False,
        )
        .filter(_initiative_filter("initiative__", stages, business_unit))
        .select_related("initiative__business_unit")
        .only(
            "pk",
            "template_version_id",
            "total",
            "band",
            "result",
            "submitted_at",
            "initiative__id",
            "initiative__title",
            "initiative__stage",
            "initiative__status",
            "initiative__business_unit__id",
            "initiative__business_unit__name",
        )
        .order_by(*HEATMAP_ORDER.get(sort, HEATMAP_ORDER["title"]))
    )


def heatmap_weak_counts(rows: QuerySet[Assessment], item_ids: Iterable[str]) -> dict[str, int]:
    """Per area, how many of `rows` scored it below `HEATMAP_WEAK_BELOW`, in one query.

    On PostgreSQL each row's frozen result is unpacked once (a lateral jsonb_each over its
    item scores, grouped by area) rather than once per area: the result is a compressed
    document, and reading it 18 times per row was most of the heatmap's time on a large
    portfolio. Scores compare as JSON values, as the per-area lookups below do.
    """
    item_ids = list(item_ids)
    if connection.vendor == "postgresql":
        return _weak_counts_unpacked_once(rows, item_ids)
    aliases = {f"weak_{index}": item_id for index, item_id in enumerate(item_ids)}
    counts = rows.order_by().aggregate(
        **{
            alias: Count(
                "pk", filter=Q(**{f"result__item_scores__{item_id}__lt": HEATMAP_WEAK_BELOW})
            )
            for alias, item_id in aliases.items()
        }
    )
    return {item_id: counts[alias] or 0 for alias, item_id in aliases.items()}


def _weak_counts_unpacked_once(rows: QuerySet[Assessment], item_ids: list[str]) -> dict[str, int]:
    inner, params = rows.order_by().values("pk").query.sql_with_params()
    table = connection.ops.quote_name(Assessment._meta.db_table)
    sql = (
        f"SELECT score.key, COUNT(*) FROM {table} AS assessment "
        "CROSS JOIN LATERAL jsonb_each(assessment.result -> 'item_scores') AS score "
        f"WHERE assessment.id IN ({inner}) AND score.value < %s::jsonb GROUP BY score.key"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, (*params, str(HEATMAP_WEAK_BELOW)))
        counts = dict(cursor.fetchall())
    return {item_id: counts.get(item_id, 0) for item_id in item_ids}


def initiatives_without_scorecard(
    *, stages: Sequence[str] | None = None, business_unit: BusinessUnit | None = None
) -> QuerySet[Initiative]:
    """Initiatives (matching the same filters) with no submitted scorecard; lazy, by title."""
    current = Assessment.objects.filter(
        initiative=OuterRef("pk"),
        template__key=SCORECARD_KEY,
        status=AssessmentStatus.SUBMITTED,
    )
    return (
        Initiative.objects.filter(_initiative_filter("", stages, business_unit))
        .filter(~Exists(current))
        .only("pk", "title")
        .order_by("title", "pk")
    )


# ---------------------------------------------------------------------------------------------
# Vendors
# ---------------------------------------------------------------------------------------------


def _current_evaluations() -> QuerySet[Assessment]:
    return (
        Assessment.objects.filter(
            template__key=VENDOR_EVALUATION_KEY, status=AssessmentStatus.SUBMITTED
        )
        .only("pk", "vendor_id", "total", "band", "result", "submitted_at")
        .order_by("-submitted_at")
    )


def vendors_with_results() -> QuerySet[Vendor]:
    """Vendors with how many initiatives use them and their current vendor evaluation.

    The current evaluation lands in `current_evaluations` (a list of at most one, since the
    database allows one submitted evaluation per vendor), prefetched in one query per page.
    """
    return (
        Vendor.objects.annotate(initiative_count=Count("initiatives", distinct=True))
        .prefetch_related(
            Prefetch("assessments", queryset=_current_evaluations(), to_attr="current_evaluations")
        )
        .order_by("name", "pk")
    )


def vendor_assessments(vendor: Vendor) -> list[Assessment]:
    """Every assessment of `vendor` (drafts, current and superseded), newest first."""
    return list(
        Assessment.objects.filter(vendor=vendor)
        .select_related("template", "template_version", "submitted_by", "updated_by")
        .defer("evidence", "comments")
        .order_by("-submitted_at", "-updated_at", "-pk")
    )


def vendor_initiatives(vendor: Vendor) -> list[Initiative]:
    return list(vendor.initiatives.select_related("business_unit").order_by("title", "pk"))


def open_vendor_draft(vendor: Vendor, template_key: str) -> Assessment | None:
    """The newest open draft of `template_key` for `vendor`, to continue instead of duplicating."""
    return (
        Assessment.objects.filter(
            vendor=vendor, template__key=template_key, status=AssessmentStatus.DRAFT
        )
        .order_by("-updated_at", "-pk")
        .first()
    )
