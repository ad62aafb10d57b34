"""Period over period: what changed within the period (stage moves, readiness band changes,
new and closed risks), the figures a later report compares with (open and escalated risks,
active initiatives by readiness band), and the previous report of the same kind with the
comparison against it, so a frozen report shows what it was compared with.
"""

from __future__ import annotations

import datetime
from collections import Counter

from django.db.models import BigIntegerField, Case, Count, IntegerField, OuterRef, Q, Subquery, When
from django.db.models.functions import Cast
from django.utils import timezone

from core.models import AuditEvent
from governance.models import Risk, RiskCategory, RiskStatus
from portfolio.models import Initiative, Status
from portfolio.vocabulary import SCORECARD_KEY
from readiness.models import Assessment, AssessmentStatus
from reporting.comparison import NO_SCORECARD, band_sort_key, compare_snapshots
from reporting.models import Report, ReportStatus
from reporting.report_data.values import json_value, person_name


def _band_changes(low: datetime.datetime, high: datetime.datetime) -> list[dict]:
    """Scorecards submitted in the period whose band differs from the initiative's previous one.

    "Previous" is the last submitted (now possibly superseded) scorecard of the same template
    before it; an initiative's first scorecard is a change from nothing.
    """
    submitted = [AssessmentStatus.SUBMITTED, AssessmentStatus.SUPERSEDED]
    before = Assessment.objects.filter(
        initiative_id=OuterRef("initiative_id"),
        template_id=OuterRef("template_id"),
        status__in=submitted,
        submitted_at__lt=OuterRef("submitted_at"),
    ).order_by("-submitted_at", "-pk")
    rows = (
        Assessment.objects.filter(
            template__key=SCORECARD_KEY,
            status__in=submitted,
            initiative__isnull=False,
            submitted_at__gte=low,
            submitted_at__lt=high,
        )
        .annotate(previous_band=Subquery(before.values("band")[:1]))
        .select_related("initiative")
        .order_by("submitted_at", "pk")
    )
    return [
        {
            "initiative": row.initiative.title,
            "from": row.previous_band or "",
            "to": row.band,
            "total": row.total,
            "first": row.previous_band is None,
            "on": json_value(timezone.localdate(row.submitted_at)),
        }
        for row in rows
        if row.previous_band != row.band
    ]


def _risk_row(risk: Risk, on: datetime.datetime) -> dict:
    return {
        "initiative": risk.initiative.title,
        "category": risk.get_category_display(),
        "description": risk.description,
        "severity": risk.severity,
        "owner": person_name(risk.owner),
        "status": risk.get_status_display(),
        "on": json_value(timezone.localdate(on)),
    }


def _new_risks(low: datetime.datetime, high: datetime.datetime) -> list[dict]:
    risks = (
        Risk.objects.filter(created_at__gte=low, created_at__lt=high)
        .select_related("initiative", "owner")
        .order_by("created_at", "pk")
    )
    return [_risk_row(risk, risk.created_at) for risk in risks]


def _closed_risks(low: datetime.datetime, high: datetime.datetime) -> list[dict]:
    """Risks closed in the period, with the reason given.

    A risk keeps no "closed at" of its own: `risk_close` records the closing (and why) in the
    audit trail, so that is where the date comes from. Still one query: the risk's fields are
    subqueries on each closing event.
    """
    risk = Risk.objects.filter(pk=Cast(OuterRef("object_id"), BigIntegerField()))
    closings = (
        AuditEvent.objects.filter(
            object_type=Risk._meta.label_lower,
            action="risk.closed",
            occurred_at__gte=low,
            occurred_at__lt=high,
        )
        .annotate(
            risk_initiative=Subquery(risk.values("initiative__title")[:1]),
            risk_category=Subquery(risk.values("category")[:1]),
            risk_description=Subquery(risk.values("description")[:1]),
            risk_severity=Subquery(risk.values("severity")[:1]),
        )
        .order_by("occurred_at", "sequence")
        .values(
            "object_repr",
            "reason",
            "occurred_at",
            "risk_initiative",
            "risk_category",
            "risk_description",
            "risk_severity",
        )
    )
    categories = dict(RiskCategory.choices)
    return [
        {
            # A risk deleted since (with its initiative) still shows what the trail recorded.
            "initiative": row["risk_initiative"] or "",
            "category": categories.get(row["risk_category"], ""),
            "description": row["risk_description"] or row["object_repr"],
            "severity": row["risk_severity"],
            "reason": row["reason"],
            "on": json_value(timezone.localdate(row["occurred_at"])),
        }
        for row in closings
    ]


def risk_summary() -> dict:
    open_risks = ~Q(status=RiskStatus.CLOSED)
    return Risk.objects.aggregate(
        open=Count("pk", filter=open_risks),
        escalated=Count("pk", filter=open_risks & Q(escalated=True)),
    )


def readiness_bands(initiatives: list[Initiative], scorecards: dict[int, Assessment]) -> list[dict]:
    """Active initiatives by the band of their current scorecard (a figure to compare)."""
    counts = Counter(
        (scorecards[i.pk].band if i.pk in scorecards else NO_SCORECARD) or NO_SCORECARD
        for i in initiatives
        if i.status == Status.ACTIVE
    )
    return [{"band": band, "count": counts[band]} for band in sorted(counts, key=band_sort_key)]


def period_changes(
    low: datetime.datetime, high: datetime.datetime, stage_moves: list[dict]
) -> dict:
    return {
        "stage_moves": stage_moves,
        "band_changes": _band_changes(low, high),
        "new_risks": _new_risks(low, high),
        "closed_risks": _closed_risks(low, high),
    }


def previous_report(kind: str, period_start: datetime.date) -> Report | None:
    """The report to compare with: the nearest earlier period of `kind` that has a finished
    revision (draft or signed off), preferring its signed-off revision, else its highest.

    Only periods that end before `period_start` count, so a report never compares with itself,
    another revision of its own period, or a later period.
    """
    return (
        Report.objects.filter(
            kind=kind,
            period_end__lt=period_start,
            status__in=[ReportStatus.DRAFT, ReportStatus.SIGNED_OFF],
        )
        .annotate(
            unsigned=Case(
                When(status=ReportStatus.SIGNED_OFF, then=0),
                default=1,
                output_field=IntegerField(),
            )
        )
        .order_by("-period_end", "unsigned", "-revision")
        .only(
            "pk",
            "kind",
            "period_label",
            "period_start",
            "period_end",
            "revision",
            "status",
            "snapshot",
        )
        .first()
    )


def with_comparison(data: dict) -> dict:
    """Add the previous report's identity and the comparison with it (one query)."""
    previous = previous_report(data["kind"], datetime.date.fromisoformat(data["period_start"]))
    data["previous_report"] = (
        {
            "id": previous.pk,
            "period_label": previous.period_label,
            "period_start": json_value(previous.period_start),
            "period_end": json_value(previous.period_end),
            "revision": previous.revision,
            "status": previous.status,
        }
        if previous
        else None
    )
    data["comparison"] = compare_snapshots(previous.snapshot if previous else None, data)
    return data
