"""Reads for the executive dashboard (and later the reports): everything in a fixed number of
queries, whatever the size of the portfolio.

`dashboard_data` runs nine queries: the latest scorecard bands, the initiatives (with their
readiness and pilot-purgatory flags as subqueries), the top risks, the open leadership
decisions, the pending gate requests, the incidents of the period, the KPIs and their
measurements. Lists that are shown truncated carry their full count through a window function
rather than a second COUNT query.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import CharField as CharFieldType
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Window
from django.utils import timezone

from governance.gates.selectors import annotate_pilot_purgatory
from governance.models import (
    GateException,
    GateRequest,
    GateRequestStatus,
    Incident,
    LeadershipDecision,
    LeadershipDecisionStatus,
    Risk,
    RiskStatus,
)
from portfolio.models import STAGE_ORDER, Initiative, Kpi, KpiMeasurement, Status, ValueCategory
from portfolio.value.rules import kpi_status
from portfolio.vocabulary import SCORECARD_KEY
from readiness.models import Assessment, AssessmentStatus, TemplateVersion

TOP_RISKS = 5
LIST_LIMIT = 5
INCIDENT_LIMIT = 10
SPEND_LIMIT = 10
KPI_LIMIT = 10
NOT_ASSESSED = "not_assessed"


@dataclass(frozen=True)
class DashboardFilters:
    """What the dashboard covers: one business unit or all, and a period (both days included)."""

    start: datetime.date
    end: datetime.date
    label: str
    business_unit_id: int | None = None

    def initiative_q(self, prefix: str = "") -> Q:
        if self.business_unit_id is None:
            return Q()
        return Q(**{f"{prefix}business_unit_id": self.business_unit_id})


@dataclass(frozen=True)
class InitiativeRow:
    id: int
    title: str
    stage: str
    status: str
    business_unit: str
    value_category: str
    actual_spend: Decimal | None
    monthly_run_cost: Decimal | None
    readiness_total: int | None
    readiness_band: str
    in_pilot_purgatory: bool
    pilot_clock_started_at: datetime.datetime | None
    kpi_progress: Decimal | None = None
    kpi_on_track: bool | None = None


@dataclass(frozen=True)
class Band:
    id: str
    label: str
    minimum: int | None
    count: int


@dataclass(frozen=True)
class KpiMovement:
    initiative_id: int
    initiative_title: str
    name: str
    unit: str
    direction: str
    previous: Decimal | None
    previous_on: datetime.date | None
    latest: Decimal | None
    latest_on: datetime.date | None
    progress_pct: Decimal | None
    on_track: bool | None
    history: tuple[Decimal, ...]

    @property
    def change(self) -> Decimal | None:
        if self.latest is None or self.previous is None:
            return None
        return self.latest - self.previous

    @property
    def improved(self) -> bool | None:
        """Whether the last move went the KPI's good way (None: no move to judge)."""
        if not self.change:
            return None
        return (self.change > 0) == (self.direction == "increase")


@dataclass(frozen=True)
class UnitSpend:
    name: str
    actual_spend: Decimal
    monthly_run_cost: Decimal
    initiatives: int


@dataclass
class Dashboard:
    filters: DashboardFilters
    initiatives: list[InitiativeRow]
    stage_status_counts: dict[str, dict[str, int]]
    active_by_stage: dict[str, int]
    bands: list[Band]
    top_risks: list[Risk]
    open_risk_count: int
    decisions: list[LeadershipDecision]
    decision_count: int
    gate_requests: list[GateRequest]
    gate_request_count: int
    pilot_purgatory: list[InitiativeRow]
    incidents: list[Incident]
    incident_count: int
    exceptions: list[GateException]
    exception_count: int
    kpi_movements: list[KpiMovement]
    spend_by_unit: list[UnitSpend]
    top_spenders: list[InitiativeRow]
    band_guides: list[tuple[int, str]] = field(default_factory=list)

    @property
    def active_count(self) -> int:
        return sum(self.active_by_stage.values())

    @property
    def value_points(self) -> list[InitiativeRow]:
        """Initiatives with both a readiness total and a measured KPI: the scatter's dots."""
        return [
            row
            for row in self.initiatives
            if row.readiness_total is not None and row.kpi_progress is not None
        ]

    @property
    def kpis_shown(self) -> list[KpiMovement]:
        """The KPIs the card lists: off track first, then those that got worse, then the rest."""

        def urgency(movement: KpiMovement) -> tuple:
            return (
                movement.on_track is not False,
                movement.improved is not False,
                movement.initiative_title,
                movement.initiative_id,
            )

        return sorted(self.kpi_movements, key=urgency)[:KPI_LIMIT]

    @property
    def kpi_counts(self) -> dict[str, int]:
        movements = self.kpi_movements
        return {
            "total": len(movements),
            "on_track": sum(1 for m in movements if m.on_track),
            "off_track": sum(1 for m in movements if m.on_track is False),
            "not_measured": sum(1 for m in movements if m.latest is None),
            "improved": sum(1 for m in movements if m.improved),
            "worse": sum(1 for m in movements if m.improved is False),
        }

    @property
    def total_spend(self) -> Decimal:
        return sum((unit.actual_spend for unit in self.spend_by_unit), Decimal(0))

    @property
    def total_run_cost(self) -> Decimal:
        return sum((unit.monthly_run_cost for unit in self.spend_by_unit), Decimal(0))


def _with_total(queryset: QuerySet) -> QuerySet:
    """Every row carries the count of the whole (unsliced) result as `total_rows`."""
    return queryset.annotate(total_rows=Window(Count("pk")))


def _scorecard_bands() -> list[dict]:
    """The bands of the newest scorecard template version (labels and minimums are data)."""
    definition = (
        TemplateVersion.objects.filter(template__key=SCORECARD_KEY)
        .order_by("-number")
        .values_list("definition", flat=True)
        .first()
    )
    return list(((definition or {}).get("rules") or {}).get("bands") or [])


def _initiative_rows(filters: DashboardFilters, now: datetime.datetime) -> list[dict]:
    current = Assessment.objects.filter(
        initiative_id=OuterRef("pk"),
        status=AssessmentStatus.SUBMITTED,
        template__key=SCORECARD_KEY,
    ).order_by("-submitted_at", "-pk")
    queryset = annotate_pilot_purgatory(
        Initiative.objects.filter(filters.initiative_q()), now
    ).annotate(
        readiness_total=Subquery(current.values("total")[:1], output_field=IntegerField()),
        readiness_band=Subquery(current.values("band")[:1], output_field=CharFieldType()),
    )
    return list(
        queryset.order_by("title", "pk").values(
            "pk",
            "title",
            "stage",
            "status",
            "business_unit__name",
            "value_category",
            "actual_spend",
            "monthly_run_cost",
            "readiness_total",
            "readiness_band",
            "in_pilot_purgatory",
            "pilot_clock_started_at",
        )
    )


def _kpi_movements(
    filters: DashboardFilters, today: datetime.date
) -> tuple[list[KpiMovement], dict[int, KpiMovement]]:
    """Each KPI's latest measurement up to the period's end against the one before it."""
    kpis = list(
        Kpi.objects.filter(filters.initiative_q("initiative__"))
        .select_related("initiative")
        .only(
            "pk",
            "name",
            "unit",
            "direction",
            "baseline",
            "target",
            "target_date",
            "error_budget",
            "initiative__title",
        )
        .order_by("initiative__title", "pk")
    )
    values: dict[int, list[tuple[datetime.date, Decimal]]] = defaultdict(list)
    for kpi_id, measured_on, value in (
        KpiMeasurement.objects.filter(
            filters.initiative_q("kpi__initiative__"), measured_on__lte=filters.end
        )
        .order_by("kpi_id", "measured_on")
        .values_list("kpi_id", "measured_on", "value")
    ):
        values[kpi_id].append((measured_on, value))
    movements = []
    for kpi in kpis:
        measured = values.get(kpi.pk, [])
        status = kpi_status(
            direction=kpi.direction,
            baseline=kpi.baseline,
            target=kpi.target,
            target_date=kpi.target_date,
            error_budget=kpi.error_budget,
            measurements=measured,
            today=min(today, filters.end),
        )
        previous = measured[-2] if len(measured) > 1 else (None, None)
        latest = measured[-1] if measured else (None, None)
        movements.append(
            KpiMovement(
                initiative_id=kpi.initiative_id,
                initiative_title=kpi.initiative.title,
                name=kpi.name,
                unit=kpi.unit,
                direction=kpi.direction,
                previous=previous[1],
                previous_on=previous[0],
                latest=latest[1],
                latest_on=latest[0],
                progress_pct=status.progress_pct,
                on_track=status.on_track,
                history=tuple(value for _, value in measured[-12:]),
            )
        )
    return movements, {movement.initiative_id: movement for movement in movements}


def dashboard_data(*, filters: DashboardFilters, now: datetime.datetime | None = None) -> Dashboard:
    """Every figure of the executive dashboard for `filters`, in ten queries.

    Current state (stages, readiness, risks, decisions, purgatory, spend) is as of `now`; the
    incidents are those that occurred in the period, and KPI movement compares the last two
    measurements on or before the period's end.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    band_definitions = _scorecard_bands()
    raw = _initiative_rows(filters, now)
    movements, movement_by_initiative = _kpi_movements(filters, today)

    rows = []
    for item in raw:
        movement = movement_by_initiative.get(item["pk"])
        rows.append(
            InitiativeRow(
                id=item["pk"],
                title=item["title"],
                stage=item["stage"],
                status=item["status"],
                business_unit=item["business_unit__name"],
                value_category=item["value_category"],
                actual_spend=item["actual_spend"],
                monthly_run_cost=item["monthly_run_cost"],
                readiness_total=item["readiness_total"],
                readiness_band=item["readiness_band"] or "",
                in_pilot_purgatory=bool(item["in_pilot_purgatory"]),
                pilot_clock_started_at=item["pilot_clock_started_at"],
                kpi_progress=movement.progress_pct if movement else None,
                kpi_on_track=movement.on_track if movement else None,
            )
        )

    stage_status: dict[str, dict[str, int]] = {
        stage: dict.fromkeys(Status.values, 0) for stage in STAGE_ORDER
    }
    for row in rows:
        stage_status[row.stage][row.status] += 1
    active_by_stage = {stage: stage_status[stage][Status.ACTIVE] for stage in STAGE_ORDER}

    band_counts = Counter(row.readiness_band or NOT_ASSESSED for row in rows)
    bands = [
        Band(b["id"], b.get("label", b["id"]), b.get("min"), band_counts.pop(b["id"], 0))
        for b in band_definitions
    ]
    not_assessed = band_counts.pop(NOT_ASSESSED, 0)
    # Bands no longer in the newest template still count rather than vanish.
    bands += [Band(band, band, None, count) for band, count in sorted(band_counts.items())]
    bands.append(Band(NOT_ASSESSED, "Not yet assessed", None, not_assessed))

    risks = list(
        _with_total(
            Risk.objects.filter(
                filters.initiative_q("initiative__"),
                status__in=[RiskStatus.OPEN, RiskStatus.MITIGATING],
            )
        )
        .select_related("initiative__business_unit", "owner")
        .order_by("-severity", "-escalated", "initiative__title", "pk")[:TOP_RISKS]
    )
    decisions = list(
        _with_total(
            LeadershipDecision.objects.filter(
                filters.initiative_q("initiative__"), status=LeadershipDecisionStatus.OPEN
            )
        )
        .select_related("initiative", "owner")
        .order_by("due_date", "pk")[:LIST_LIMIT]
    )
    gate_requests = list(
        _with_total(
            GateRequest.objects.filter(
                filters.initiative_q("initiative__"), status=GateRequestStatus.PENDING
            )
        )
        .select_related("initiative", "requested_by")
        .order_by("review_due_at", "pk")[:LIST_LIMIT]
    )
    start = timezone.make_aware(datetime.datetime.combine(filters.start, datetime.time.min))
    end = timezone.make_aware(
        datetime.datetime.combine(filters.end + datetime.timedelta(days=1), datetime.time.min)
    )
    incidents = list(
        _with_total(
            Incident.objects.filter(
                filters.initiative_q("initiative__"), occurred_at__gte=start, occurred_at__lt=end
            )
        )
        .select_related("initiative", "owner")
        .order_by("-occurred_at", "-pk")[:INCIDENT_LIMIT]
    )

    exceptions = list(
        _with_total(
            GateException.objects.filter(
                filters.initiative_q("initiative__"), granted_at__gte=start, granted_at__lt=end
            )
        )
        .select_related("initiative", "gate_request", "granted_by")
        .order_by("-granted_at", "-pk")[:INCIDENT_LIMIT]
    )

    units: dict[str, list[InitiativeRow]] = defaultdict(list)
    for row in rows:
        units[row.business_unit].append(row)
    spend_by_unit = [
        UnitSpend(
            name=name,
            actual_spend=sum((r.actual_spend or Decimal(0) for r in members), Decimal(0)),
            monthly_run_cost=sum((r.monthly_run_cost or Decimal(0) for r in members), Decimal(0)),
            initiatives=len(members),
        )
        for name, members in sorted(units.items())
    ]
    top_spenders = sorted(
        (row for row in rows if row.actual_spend or row.monthly_run_cost),
        key=lambda row: (-(row.actual_spend or 0), -(row.monthly_run_cost or 0), row.title, row.id),
    )[:SPEND_LIMIT]

    return Dashboard(
        filters=filters,
        initiatives=rows,
        stage_status_counts=stage_status,
        active_by_stage=active_by_stage,
        bands=bands,
        top_risks=risks,
        open_risk_count=risks[0].total_rows if risks else 0,
        decisions=decisions,
        decision_count=decisions[0].total_rows if decisions else 0,
        gate_requests=gate_requests,
        gate_request_count=gate_requests[0].total_rows if gate_requests else 0,
        pilot_purgatory=sorted(
            (row for row in rows if row.in_pilot_purgatory),
            key=lambda row: (row.pilot_clock_started_at, row.id),
        ),
        incidents=incidents,
        incident_count=incidents[0].total_rows if incidents else 0,
        exceptions=exceptions,
        exception_count=exceptions[0].total_rows if exceptions else 0,
        kpi_movements=movements,
        spend_by_unit=spend_by_unit,
        top_spenders=top_spenders,
        band_guides=[(b["min"], b.get("label", b["id"])) for b in band_definitions if "min" in b],
    )


# The stage and value-category labels the dashboard prints, in lifecycle order.
STATUS_LABELS: dict[str, str] = dict(Status.choices)
VALUE_CATEGORY_LABELS: dict[str, str] = dict(ValueCategory.choices)
