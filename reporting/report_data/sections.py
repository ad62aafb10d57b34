"""The reads and section builders behind the report: the shared reads (initiatives, current
scorecards, KPI measurements, pending gate requests, open risks and decisions, the period's stage
moves; one query each) and the ten sections of the monthly update built from them, which the
quarterly board summary reuses. Each builder takes what was read and returns plain JSON values.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from decimal import Decimal

from django.utils import timezone

from governance.models import (
    ActionItem,
    ActionItemStatus,
    GateException,
    GateRequest,
    GateRequestStatus,
    Incident,
    LeadershipDecision,
    LeadershipDecisionStatus,
    Risk,
    RiskStatus,
    Seat,
    Vote,
    VoteChoice,
)
from portfolio.models import Initiative, KpiMeasurement, Stage, StageTransition, Status
from portfolio.vocabulary import SCORECARD_KEY
from readiness.models import Assessment, AssessmentStatus
from reporting.report_data.thresholds import LOW_DELIVERY_CAPACITY, PRIORITIES_MAX
from reporting.report_data.values import gate_label, json_value, person_name

# --- shared reads (one query each) ---------------------------------------------------------


def all_initiatives() -> list[Initiative]:
    return list(
        Initiative.objects.select_related("kpi", "business_owner", "delivery_owner").order_by(
            "title", "pk"
        )
    )


def current_scorecards() -> dict[int, Assessment]:
    rows = Assessment.objects.filter(
        template__key=SCORECARD_KEY, status=AssessmentStatus.SUBMITTED, initiative__isnull=False
    ).order_by("initiative_id", "-submitted_at")
    latest: dict[int, Assessment] = {}
    for row in rows:
        latest.setdefault(row.initiative_id, row)
    return latest


def latest_measurements(end: datetime.date) -> dict[int, KpiMeasurement]:
    rows = KpiMeasurement.objects.filter(measured_on__lte=end).order_by(
        "kpi_id", "-measured_on", "-recorded_at"
    )
    latest: dict[int, KpiMeasurement] = {}
    for row in rows:
        latest.setdefault(row.kpi_id, row)
    return latest


def pending_gate_requests() -> list[GateRequest]:
    return list(
        GateRequest.objects.filter(status=GateRequestStatus.PENDING)
        .select_related("initiative", "policy_version")
        .order_by("requested_at", "pk")
    )


def open_risks(limit: int) -> list[dict]:
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
            "owner": person_name(risk.owner),
            "mitigation": risk.mitigation,
            "status": risk.get_status_display(),
            "severity": risk.severity,
            "escalation_threshold": risk.escalation_threshold,
            "escalated": risk.escalated,
        }
        for risk in risks
    ]


def open_decisions() -> list[dict]:
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
            "owner": person_name(d.owner),
            "due_date": json_value(d.due_date),
        }
        for d in decisions
    ]


# --- sections ------------------------------------------------------------------------------


def portfolio_summary(initiatives: list[Initiative]) -> dict:
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


def business_value(initiatives: list[Initiative], latest: dict[int, KpiMeasurement]) -> list[dict]:
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
                "baseline": json_value(kpi.baseline),
                "target": json_value(kpi.target),
                "target_date": json_value(kpi.target_date),
                "latest": json_value(measurement.value) if measurement else None,
                "latest_on": json_value(measurement.measured_on) if measurement else None,
            }
        rows.append(row)
    return rows


def period_stage_moves(low: datetime.datetime, high: datetime.datetime) -> list[dict]:
    # Stage moves only: a pause, resume or stop is a StageTransition too, but not a move.
    transitions = (
        StageTransition.objects.stage_moves()
        .filter(occurred_at__gte=low, occurred_at__lt=high)
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
            "on": json_value(timezone.localdate(t.occurred_at)),
        }
        for t in transitions
    ]


def progress(low: datetime.datetime, high: datetime.datetime, stage_moves: list[dict]) -> dict:
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
                "on": json_value(timezone.localdate(r.decided_at)),
            }
            for r in decisions
        ],
        "assessments": [
            {
                "subject": a.initiative.title if a.initiative else a.vendor.name,
                "template": a.template.title,
                "total": a.total,
                "band": a.band,
                "on": json_value(timezone.localdate(a.submitted_at)),
            }
            for a in assessments
        ],
        "incident_count": incidents,
    }


def _budget(initiative: Initiative) -> Decimal | None:
    parts = [
        v for v in (initiative.poc_budget, initiative.production_budget_estimate) if v is not None
    ]
    return sum(parts, Decimal("0")) if parts else None


def resourcing(initiatives: list[Initiative], scorecards: dict[int, Assessment]) -> dict:
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
                "budget": json_value(budget),
                "actual_spend": json_value(spend),
                "monthly_run_cost": json_value(initiative.monthly_run_cost),
                "over_budget": over,
                "constrained": over or low_capacity,
            }
        )
    spend_total = sum((i.actual_spend or Decimal("0") for i in initiatives), Decimal("0"))
    budget_total = sum((_budget(i) or Decimal("0") for i in initiatives), Decimal("0"))
    return {
        "rows": rows,
        "constrained": [row for row in rows if row["constrained"]],
        "total_spend": json_value(spend_total),
        "total_budget": json_value(budget_total),
        "low_capacity_threshold": LOW_DELIVERY_CAPACITY,
    }


def readiness_to_scale(
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


def alignment(low: datetime.datetime, high: datetime.datetime, pending: list[GateRequest]) -> dict:
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
                    "gate": gate_label(request),
                    "seats": [seat_labels.get(s, s) for s in missing],
                }
            )
    return {"by_seat": by_seat, "pending_seats": waiting}


def incidents(low: datetime.datetime, high: datetime.datetime) -> list[dict]:
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
            "owner": person_name(i.owner),
            "status": i.get_status_display(),
            "occurred_on": json_value(timezone.localdate(i.occurred_at)),
        }
        for i in incidents
    ]


def gate_exceptions(low: datetime.datetime, high: datetime.datetime) -> list[dict]:
    """The soft criteria the council overrode to say go in the period: the exceptions."""
    granted = (
        GateException.objects.filter(granted_at__gte=low, granted_at__lt=high)
        .select_related("initiative", "gate_request", "granted_by")
        .order_by("granted_at", "pk")
    )
    return [
        {
            "initiative": e.initiative.title,
            "gate": gate_label(e.gate_request),
            "criterion": e.label,
            "detail": e.detail,
            "justification": e.justification,
            "granted_by": person_name(e.granted_by),
            "granted_on": json_value(timezone.localdate(e.granted_at)),
        }
        for e in granted
    ]


def next_priorities(decisions: list[dict]) -> list[dict]:
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
            "owner": person_name(a.owner),
            "due_date": json_value(a.due_date),
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
