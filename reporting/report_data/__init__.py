"""The data behind the executive reports, computed from the database in a constant number of
queries and returned as plain JSON-serialisable dicts (dates as ISO strings, Decimals as strings).

`monthly_report_data` gives the ten sections of the executive update (DOMAIN.md, "Executive
reporting"); `quarterly_report_data` the board summary: portfolio value, top risks, resourcing
pressure and major decisions ahead.

Both also carry what changed within the period (`changes`: stage moves, readiness band changes,
new and closed risks) and the comparison with the previous report of the same kind
(`previous_report`, `comparison`), so a frozen report shows what it was compared with.
"""

from __future__ import annotations

import calendar
import datetime
import re
from collections import Counter, defaultdict
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import BigIntegerField, Case, Count, IntegerField, OuterRef, Q, Subquery, When
from django.db.models.functions import Cast
from django.utils import timezone

from core.models import AuditEvent
from governance.models import (
    ActionItem,
    ActionItemStatus,
    GateRequest,
    GateRequestStatus,
    Incident,
    LeadershipDecision,
    LeadershipDecisionStatus,
    Risk,
    RiskCategory,
    RiskStatus,
    Seat,
    Vote,
    VoteChoice,
)
from portfolio.models import (
    Initiative,
    KpiMeasurement,
    Stage,
    StageTransition,
    Status,
)
from readiness.models import Assessment, AssessmentStatus
from reporting.comparison import NO_SCORECARD, band_sort_key, compare_snapshots
from reporting.models import Report, ReportStatus

SCORECARD_KEY = "readiness_scorecard"

# Thresholds are data: what counts as a constraint, how many rows a section shows.
LOW_DELIVERY_CAPACITY = 2  # a delivery_capacity score at or below this constrains progress
TOP_RISKS = 10
QUARTERLY_TOP_RISKS = 5
PRIORITIES_MIN = 3
PRIORITIES_MAX = 5

MONTHLY_SECTIONS: tuple[tuple[str, str], ...] = (
    ("portfolio_summary", "Portfolio summary"),
    ("business_value", "Business value"),
    ("progress", "Progress since last review"),
    ("risk_position", "Risk position"),
    ("decisions_required", "Decisions required"),
    ("resourcing", "Resourcing and capacity"),
    ("readiness_to_scale", "Readiness to scale"),
    ("alignment", "Cross-functional alignment"),
    ("incidents", "Incidents or exceptions"),
    ("next_priorities", "Next-period priorities"),
)
QUARTERLY_SECTIONS: tuple[tuple[str, str], ...] = (
    ("portfolio_value", "Portfolio value"),
    ("top_risks", "Top risks"),
    ("resourcing_pressure", "Resourcing pressure"),
    ("decisions_ahead", "Major decisions ahead"),
)

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")


# --- periods -------------------------------------------------------------------------------


def parse_period(kind: str, label: str) -> tuple[datetime.date, datetime.date]:
    """First and last day of a period: "2026-10" for monthly, "2026-Q3" for quarterly."""
    label = (label or "").strip()
    if kind == "monthly":
        match = _MONTH.match(label)
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise ValidationError(
                {"period": f'Give a month as YYYY-MM, e.g. "2026-10" (got "{label}").'}
            )
        year, month = int(match.group(1)), int(match.group(2))
        return datetime.date(year, month, 1), datetime.date(
            year, month, calendar.monthrange(year, month)[1]
        )
    if kind == "quarterly":
        match = _QUARTER.match(label.upper())
        if not match:
            raise ValidationError(
                {"period": f'Give a quarter as YYYY-QN, e.g. "2026-Q3" (got "{label}").'}
            )
        year, quarter = int(match.group(1)), int(match.group(2))
        last_month = quarter * 3
        return datetime.date(year, last_month - 2, 1), datetime.date(
            year, last_month, calendar.monthrange(year, last_month)[1]
        )
    raise ValidationError({"kind": f'Choose "monthly" or "quarterly" (got "{kind}").'})


def _bounds(
    start: datetime.date, end: datetime.date
) -> tuple[datetime.datetime, datetime.datetime]:
    """Aware datetimes [start 00:00, day after end 00:00) in the current time zone."""
    tz = timezone.get_current_timezone()
    low = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    high = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    return low, high


# --- JSON helpers --------------------------------------------------------------------------


def _j(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return value


def _name(user: Any) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _gate(request: GateRequest) -> str:
    return f"{request.get_from_stage_display()} → {request.get_to_stage_display()}"


def _budget(initiative: Initiative) -> Decimal | None:
    parts = [
        v for v in (initiative.poc_budget, initiative.production_budget_estimate) if v is not None
    ]
    return sum(parts, Decimal("0")) if parts else None


# --- shared reads (one query each) ---------------------------------------------------------


def _initiatives() -> list[Initiative]:
    return list(
        Initiative.objects.select_related("kpi", "business_owner", "delivery_owner").order_by(
            "title", "pk"
        )
    )


def _scorecards() -> dict[int, Assessment]:
    rows = Assessment.objects.filter(
        template__key=SCORECARD_KEY, status=AssessmentStatus.SUBMITTED, initiative__isnull=False
    ).order_by("initiative_id", "-submitted_at")
    latest: dict[int, Assessment] = {}
    for row in rows:
        latest.setdefault(row.initiative_id, row)
    return latest


def _latest_measurements(end: datetime.date) -> dict[int, KpiMeasurement]:
    rows = KpiMeasurement.objects.filter(measured_on__lte=end).order_by(
        "kpi_id", "-measured_on", "-recorded_at"
    )
    latest: dict[int, KpiMeasurement] = {}
    for row in rows:
        latest.setdefault(row.kpi_id, row)
    return latest


def _pending_requests() -> list[GateRequest]:
    return list(
        GateRequest.objects.filter(status=GateRequestStatus.PENDING)
        .select_related("initiative", "policy_version")
        .order_by("requested_at", "pk")
    )


def _open_risks(limit: int) -> list[dict]:
    risks = (
        Risk.objects.exclude(status=RiskStatus.CLOSED)
        .select_related("initiative", "owner")
        .order_by("-severity", "-escalated", "pk")[:limit]
    )
    return [
        {
            "initiative": risk.initiative.title,
            "category": risk.get_category_display(),
            "description": risk.description,
            "owner": _name(risk.owner),
            "mitigation": risk.mitigation,
            "status": risk.get_status_display(),
            "severity": risk.severity,
            "escalation_threshold": risk.escalation_threshold,
            "escalated": risk.escalated,
        }
        for risk in risks
    ]


def _open_decisions() -> list[dict]:
    decisions = (
        LeadershipDecision.objects.filter(status=LeadershipDecisionStatus.OPEN)
        .select_related("initiative", "owner")
        .order_by("due_date", "pk")
    )
    return [
        {
            "question": d.question,
            "initiative": d.initiative.title if d.initiative else "",
            "options": d.options,
            "implications": d.implications,
            "owner": _name(d.owner),
            "due_date": _j(d.due_date),
        }
        for d in decisions
    ]


# --- sections ------------------------------------------------------------------------------


def _portfolio_summary(initiatives: list[Initiative]) -> dict:
    active = [i for i in initiatives if i.status == Status.ACTIVE]
    counts = Counter(i.stage for i in active)
    by_stage = [
        {"stage": value, "label": label, "count": counts.get(value, 0)}
        for value, label in Stage.choices
    ]
    parts = [f"{row['count']} {row['label'].lower()}" for row in by_stage if row["count"]]
    text = f"{len(active)} active" + (": " + ", ".join(parts) if parts else "")
    return {
        "active": len(active),
        "paused": sum(1 for i in initiatives if i.status == Status.PAUSED),
        "stopped": sum(1 for i in initiatives if i.status == Status.STOPPED),
        "by_stage": by_stage,
        "text": text,
    }


def _business_value(initiatives: list[Initiative], latest: dict[int, KpiMeasurement]) -> list[dict]:
    rows = []
    for initiative in initiatives:
        if initiative.status != Status.ACTIVE:
            continue
        kpi = getattr(initiative, "kpi", None)
        row = {
            "initiative": initiative.title,
            "stage": initiative.get_stage_display(),
            "value_category": initiative.get_value_category_display(),
            "value_statement": initiative.value_statement,
            "kpi": None,
        }
        if kpi is not None:
            measurement = latest.get(kpi.pk)
            row["kpi"] = {
                "name": kpi.name,
                "unit": kpi.unit,
                "direction": kpi.direction,
                "baseline": _j(kpi.baseline),
                "target": _j(kpi.target),
                "target_date": _j(kpi.target_date),
                "latest": _j(measurement.value) if measurement else None,
                "latest_on": _j(measurement.measured_on) if measurement else None,
            }
        rows.append(row)
    return rows


def _stage_moves(low: datetime.datetime, high: datetime.datetime) -> list[dict]:
    transitions = (
        StageTransition.objects.filter(occurred_at__gte=low, occurred_at__lt=high)
        .select_related("initiative")
        .order_by("occurred_at", "pk")
    )
    return [
        {
            "initiative": t.initiative.title,
            "from": t.get_from_stage_display(),
            "to": t.get_to_stage_display(),
            "reason": t.reason,
            # The local day: the period's bounds are local days too.
            "on": _j(timezone.localdate(t.occurred_at)),
        }
        for t in transitions
    ]


def _progress(low: datetime.datetime, high: datetime.datetime, stage_moves: list[dict]) -> dict:
    decisions = (
        GateRequest.objects.filter(decided_at__gte=low, decided_at__lt=high)
        .select_related("initiative")
        .order_by("decided_at", "pk")
    )
    assessments = (
        Assessment.objects.filter(
            status__in=[AssessmentStatus.SUBMITTED, AssessmentStatus.SUPERSEDED],
            submitted_at__gte=low,
            submitted_at__lt=high,
        )
        .select_related("initiative", "vendor", "template")
        .order_by("submitted_at", "pk")
    )
    incidents = Incident.objects.filter(occurred_at__gte=low, occurred_at__lt=high).count()
    return {
        "stage_changes": stage_moves,
        "gate_decisions": [
            {
                "initiative": r.initiative.title,
                "from": r.get_from_stage_display(),
                "to": r.get_to_stage_display(),
                "decision": r.get_decision_display(),
                "reason": r.decision_reason,
                "on": _j(timezone.localdate(r.decided_at)),
            }
            for r in decisions
        ],
        "assessments": [
            {
                "subject": a.initiative.title if a.initiative else a.vendor.name,
                "template": a.template.title,
                "total": a.total,
                "band": a.band,
                "on": _j(timezone.localdate(a.submitted_at)),
            }
            for a in assessments
        ],
        "incident_count": incidents,
    }


def _resourcing(initiatives: list[Initiative], scorecards: dict[int, Assessment]) -> dict:
    rows = []
    for initiative in initiatives:
        if initiative.status != Status.ACTIVE:
            continue
        scorecard = scorecards.get(initiative.pk)
        capacity = (scorecard.answers or {}).get("delivery_capacity") if scorecard else None
        budget = _budget(initiative)
        spend = initiative.actual_spend
        over = budget is not None and spend is not None and spend > budget
        low_capacity = isinstance(capacity, int) and capacity <= LOW_DELIVERY_CAPACITY
        rows.append(
            {
                "initiative": initiative.title,
                "delivery_capacity": capacity,
                "budget": _j(budget),
                "actual_spend": _j(spend),
                "monthly_run_cost": _j(initiative.monthly_run_cost),
                "over_budget": over,
                "constrained": over or low_capacity,
            }
        )
    spend_total = sum((i.actual_spend or Decimal("0") for i in initiatives), Decimal("0"))
    budget_total = sum((_budget(i) or Decimal("0") for i in initiatives), Decimal("0"))
    return {
        "rows": rows,
        "constrained": [row for row in rows if row["constrained"]],
        "total_spend": _j(spend_total),
        "total_budget": _j(budget_total),
        "low_capacity_threshold": LOW_DELIVERY_CAPACITY,
    }


def _readiness(
    initiatives: list[Initiative], scorecards: dict[int, Assessment], pending: list[GateRequest]
) -> dict:
    pending_by = {r.initiative_id: r for r in pending}
    groups: dict[str, list[dict]] = {"move": [], "stay": [], "stop": []}
    for initiative in initiatives:
        scorecard = scorecards.get(initiative.pk)
        request = pending_by.get(initiative.pk)
        row = {
            "initiative": initiative.title,
            "stage": initiative.get_stage_display(),
            "status": initiative.get_status_display(),
            "band": scorecard.band if scorecard else "",
            "total": scorecard.total if scorecard else None,
            "ready_to_scale": bool(scorecard and scorecard.ready_to_scale),
            "pending_gate": (
                f"{request.get_from_stage_display()} → {request.get_to_stage_display()}"
                if request
                else ""
            ),
        }
        if initiative.status == Status.STOPPED:
            row["reason"] = "Stopped (kill / sunset)."
            groups["stop"].append(row)
        elif initiative.status == Status.PAUSED:
            row["reason"] = "Paused: on hold until the blocker is resolved."
            groups["stay"].append(row)
        elif row["ready_to_scale"]:
            row["reason"] = "Scorecard says ready to scale" + (
                f"; gate {row['pending_gate']} pending." if request else "."
            )
            groups["move"].append(row)
        else:
            row["reason"] = (
                "No submitted scorecard." if scorecard is None else "Scorecard not ready to scale."
            )
            groups["stay"].append(row)
    return groups


def _alignment(low: datetime.datetime, high: datetime.datetime, pending: list[GateRequest]) -> dict:
    counts: dict[str, Counter] = defaultdict(Counter)
    for seat, choice in Vote.objects.filter(cast_at__gte=low, cast_at__lt=high).values_list(
        "seat", "choice"
    ):
        counts[seat or ""][choice] += 1
    seat_labels = dict(Seat.choices)
    by_seat = [
        {
            "seat": seat,
            "label": seat_labels.get(seat, "No seat"),
            **{choice: counts[seat].get(choice, 0) for choice in VoteChoice.values},
            "total": sum(counts[seat].values()),
        }
        for seat in [*Seat.values, ""]
        if seat in counts
    ]
    # One query whether or not anything is pending, so the count does not depend on the data.
    voted_seats: dict[int, set[str]] = defaultdict(set)
    for request_id, seat in Vote.objects.filter(
        request__status=GateRequestStatus.PENDING
    ).values_list("request_id", "seat"):
        voted_seats[request_id].add(seat)
    waiting = []
    for request in pending:
        voted = voted_seats[request.pk]
        missing = [s for s in request.policy_version.required_seats or [] if s not in voted]
        if missing:
            waiting.append(
                {
                    "initiative": request.initiative.title,
                    "gate": _gate(request),
                    "seats": [seat_labels.get(s, s) for s in missing],
                }
            )
    return {"by_seat": by_seat, "pending_seats": waiting}


def _incidents(low: datetime.datetime, high: datetime.datetime) -> list[dict]:
    incidents = (
        Incident.objects.filter(occurred_at__gte=low, occurred_at__lt=high)
        .select_related("initiative", "owner")
        .order_by("occurred_at", "pk")
    )
    return [
        {
            "initiative": i.initiative.title,
            "issue": i.summary,
            "response": i.response,
            "impact": i.impact,
            "corrective_action": i.corrective_action,
            "owner": _name(i.owner),
            "status": i.get_status_display(),
            "occurred_on": _j(timezone.localdate(i.occurred_at)),
        }
        for i in incidents
    ]


def _priorities(decisions: list[dict]) -> list[dict]:
    actions = (
        ActionItem.objects.filter(status=ActionItemStatus.OPEN)
        .select_related("initiative", "owner")
        .order_by("due_date", "pk")[:PRIORITIES_MAX]
    )
    items = [
        {
            "title": a.title,
            "kind": "Action item",
            "initiative": a.initiative.title if a.initiative_id else "",
            "owner": _name(a.owner),
            "due_date": _j(a.due_date),
        }
        for a in actions
    ] + [
        {
            "title": d["question"],
            "kind": "Leadership decision",
            "initiative": d["initiative"],
            "owner": d["owner"],
            "due_date": d["due_date"],
        }
        for d in decisions
    ]
    items.sort(key=lambda item: (item["due_date"] or "9999", item["title"]))
    return items[:PRIORITIES_MAX]


# --- period over period --------------------------------------------------------------------


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
            "on": _j(timezone.localdate(row.submitted_at)),
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
        "owner": _name(risk.owner),
        "status": risk.get_status_display(),
        "on": _j(timezone.localdate(on)),
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
            "on": _j(timezone.localdate(row["occurred_at"])),
        }
        for row in closings
    ]


def _risk_summary() -> dict:
    open_risks = ~Q(status=RiskStatus.CLOSED)
    return Risk.objects.aggregate(
        open=Count("pk", filter=open_risks),
        escalated=Count("pk", filter=open_risks & Q(escalated=True)),
    )


def _readiness_bands(
    initiatives: list[Initiative], scorecards: dict[int, Assessment]
) -> list[dict]:
    """Active initiatives by the band of their current scorecard (a figure to compare)."""
    counts = Counter(
        (scorecards[i.pk].band if i.pk in scorecards else NO_SCORECARD) or NO_SCORECARD
        for i in initiatives
        if i.status == Status.ACTIVE
    )
    return [{"band": band, "count": counts[band]} for band in sorted(counts, key=band_sort_key)]


def _changes(low: datetime.datetime, high: datetime.datetime, stage_moves: list[dict]) -> dict:
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


def _with_comparison(data: dict) -> dict:
    """Add the previous report's identity and the comparison with it (one query)."""
    previous = previous_report(data["kind"], datetime.date.fromisoformat(data["period_start"]))
    data["previous_report"] = (
        {
            "id": previous.pk,
            "period_label": previous.period_label,
            "period_start": _j(previous.period_start),
            "period_end": _j(previous.period_end),
            "revision": previous.revision,
            "status": previous.status,
        }
        if previous
        else None
    )
    data["comparison"] = compare_snapshots(previous.snapshot if previous else None, data)
    return data


# --- public builders -----------------------------------------------------------------------


def _header(kind: str, start: datetime.date, end: datetime.date, sections: tuple) -> dict:
    return {
        "kind": kind,
        "period_start": _j(start),
        "period_end": _j(end),
        "generated_at": _j(timezone.now()),
        "sections": [{"key": key, "title": title} for key, title in sections],
    }


def monthly_report_data(period_start: datetime.date, period_end: datetime.date) -> dict:
    """The ten sections of the monthly executive update for [period_start, period_end]."""
    low, high = _bounds(period_start, period_end)
    initiatives = _initiatives()
    scorecards = _scorecards()
    pending = _pending_requests()
    decisions = _open_decisions()
    stage_moves = _stage_moves(low, high)
    data = {
        **_header("monthly", period_start, period_end, MONTHLY_SECTIONS),
        "portfolio_summary": _portfolio_summary(initiatives),
        "business_value": _business_value(initiatives, _latest_measurements(period_end)),
        "progress": _progress(low, high, stage_moves),
        "risk_position": _open_risks(TOP_RISKS),
        "decisions_required": decisions,
        "resourcing": _resourcing(initiatives, scorecards),
        "readiness_to_scale": _readiness(initiatives, scorecards, pending),
        "alignment": _alignment(low, high, pending),
        "incidents": _incidents(low, high),
        "next_priorities": _priorities(decisions),
        "risk_summary": _risk_summary(),
        "readiness_bands": _readiness_bands(initiatives, scorecards),
        "changes": _changes(low, high, stage_moves),
    }
    return _with_comparison(data)


def quarterly_report_data(period_start: datetime.date, period_end: datetime.date) -> dict:
    """The board summary: portfolio value, top risks, resourcing pressure, decisions ahead."""
    low, high = _bounds(period_start, period_end)
    initiatives = _initiatives()
    scorecards = _scorecards()
    pending = _pending_requests()
    resourcing = _resourcing(initiatives, scorecards)
    data = {
        **_header("quarterly", period_start, period_end, QUARTERLY_SECTIONS),
        "portfolio_value": {
            "summary": _portfolio_summary(initiatives),
            "initiatives": _business_value(initiatives, _latest_measurements(period_end)),
            "total_spend": resourcing["total_spend"],
            "total_budget": resourcing["total_budget"],
        },
        "top_risks": _open_risks(QUARTERLY_TOP_RISKS),
        "resourcing_pressure": resourcing["constrained"],
        "decisions_ahead": {
            "leadership": _open_decisions(),
            "gates": [
                {
                    "initiative": r.initiative.title,
                    "gate": _gate(r),
                    "review_due": _j(timezone.localdate(r.review_due_at)),
                }
                for r in pending
            ],
        },
        "risk_summary": _risk_summary(),
        "readiness_bands": _readiness_bands(initiatives, scorecards),
        "changes": _changes(low, high, _stage_moves(low, high)),
    }
    return _with_comparison(data)


def report_data(kind: str, period_start: datetime.date, period_end: datetime.date) -> dict:
    """The snapshot of a `kind` report for the period, compared with the previous report."""
    builder = monthly_report_data if kind == "monthly" else quarterly_report_data
    return builder(period_start, period_end)


__all__ = [
    "MONTHLY_SECTIONS",
    "QUARTERLY_SECTIONS",
    "monthly_report_data",
    "parse_period",
    "previous_report",
    "quarterly_report_data",
    "report_data",
]
