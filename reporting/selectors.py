"""Reads for the executive dashboard (and later the reports): everything in a fixed number of
queries, whatever the size of the portfolio, and nothing that grows with it held in Python
beyond one small row per KPI.

`dashboard_data` aggregates in SQL: the initiatives grouped by business unit, stage, status
and readiness band (one query gives the stage, band and spend cards), the pilot-purgatory list
and the top spenders (a page each, with the full count), the top risks, open decisions, pending
gate requests, the incidents and exceptions of the period (each list carries its full count
through a window function rather than a second COUNT query). KPIs are one row each (their latest
two measurements and first one as subqueries), judged by `portfolio.value.rules.kpi_standing`;
only the KPIs the card lists read their measurement history. The value scatter plots each
initiative while there are few, and groups them into bins past VALUE_POINTS_MAX.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Count,
    F,
    FilteredRelation,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from governance.gates.selectors import pilot_purgatory_initiatives
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
from portfolio.value.rules import kpi_standing
from portfolio.vocabulary import SCORECARD_KEY
from readiness.models import Assessment, AssessmentStatus, TemplateVersion

TOP_RISKS = 5
LIST_LIMIT = 5
INCIDENT_LIMIT = 10
SPEND_LIMIT = 10
KPI_LIMIT = 10
PURGATORY_SHOWN = 10
# The sparkline of a listed KPI draws its last measurements up to the period's end.
HISTORY_LENGTH = 12
NOT_ASSESSED = "not_assessed"
# Up to this many initiatives the value scatter plots one dot each (labelled up to 30); past
# it, initiatives of one value category whose readiness and progress fall in the same bin
# share one dot: the readiness axis in bins of VALUE_BIN_READINESS points, the progress axis in
# VALUE_BIN_PROGRESS equal bins over the plotted range.
VALUE_POINTS_MAX = 150
VALUE_BIN_READINESS = 4
VALUE_BIN_PROGRESS = 10


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
class PurgatoryRow:
    id: int
    title: str
    business_unit: str
    pilot_clock_started_at: datetime.datetime


@dataclass(frozen=True)
class SpenderRow:
    id: int
    title: str
    business_unit: str
    actual_spend: Decimal | None
    monthly_run_cost: Decimal | None
    kpi_progress: Decimal | None
    kpi_on_track: bool | None


@dataclass(frozen=True)
class ValuePoint:
    """A dot of the value scatter: one initiative, or a bin of `initiatives` of one value
    category (then the readiness and progress are the bin's averages, and `id` is None)."""

    label: str
    readiness_total: Decimal | float
    kpi_progress: Decimal | float
    value_category: str
    initiatives: int = 1
    id: int | None = None


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
    initiative_count: int
    stage_status_counts: dict[str, dict[str, int]]
    active_by_stage: dict[str, int]
    bands: list[Band]
    top_risks: list[Risk]
    open_risk_count: int
    decisions: list[LeadershipDecision]
    decision_count: int
    gate_requests: list[GateRequest]
    gate_request_count: int
    pilot_purgatory: list[PurgatoryRow]
    pilot_purgatory_count: int
    incidents: list[Incident]
    incident_count: int
    exceptions: list[GateException]
    exception_count: int
    kpi_counts: dict[str, int]
    kpis_shown: list[KpiMovement]
    value_points: list[ValuePoint]
    value_point_count: int
    spend_by_unit: list[UnitSpend]
    top_spenders: list[SpenderRow]
    band_guides: list[tuple[int, str]] = field(default_factory=list)

    @property
    def active_count(self) -> int:
        return sum(self.active_by_stage.values())

    @property
    def pilot_purgatory_more(self) -> int:
        return self.pilot_purgatory_count - len(self.pilot_purgatory)

    @property
    def value_points_binned(self) -> bool:
        return len(self.value_points) < self.value_point_count

    @property
    def total_spend(self) -> Decimal:
        return sum((unit.actual_spend for unit in self.spend_by_unit), Decimal(0))

    @property
    def total_run_cost(self) -> Decimal:
        return sum((unit.monthly_run_cost for unit in self.spend_by_unit), Decimal(0))


def _with_total(queryset: QuerySet) -> QuerySet:
    """Every row carries the count of the whole (unsliced) result as `total_rows`.

    An uncorrelated scalar subquery, which the database counts once, rather than a window
    function, which would keep every matching row (thousands, with their joins) to count them
    before the sort keeps the first few.
    """
    count = queryset.order_by().annotate(rows=Func(F("pk"), function="COUNT")).values("rows")
    return queryset.annotate(total_rows=Subquery(count, output_field=IntegerField()))


def _scorecard() -> tuple[int | None, list[dict]]:
    """The scorecard template's id and the bands of its newest version (labels and minimums
    are data)."""
    newest = (
        TemplateVersion.objects.filter(template__key=SCORECARD_KEY)
        .order_by("-number")
        .values_list("template_id", "definition")
        .first()
    )
    if newest is None:
        return None, []
    template_id, definition = newest
    return template_id, list(((definition or {}).get("rules") or {}).get("bands") or [])


def _initiative_groups(filters: DashboardFilters, scorecard_id: int | None) -> list[dict]:
    """Initiatives counted and their spend summed per business unit, stage, status and the band
    of their current scorecard (the database allows one submitted scorecard per initiative)."""
    return list(
        Initiative.objects.filter(filters.initiative_q())
        .annotate(
            scorecard=FilteredRelation(
                "assessments",
                condition=Q(
                    assessments__status=AssessmentStatus.SUBMITTED,
                    assessments__template_id=scorecard_id,
                ),
            )
        )
        .values("business_unit__name", "stage", "status", "scorecard__band")
        .annotate(
            initiatives=Count("pk"),
            actual_spend=Sum("actual_spend"),
            monthly_run_cost=Sum("monthly_run_cost"),
        )
        .order_by()
    )


def _pilot_purgatory(filters: DashboardFilters, now: datetime.datetime) -> tuple[list, int]:
    """The pilots stuck longest (the governance rule, in SQL), and how many there are."""
    stuck = list(
        _with_total(pilot_purgatory_initiatives(now).filter(filters.initiative_q()))[
            :PURGATORY_SHOWN
        ]
    )
    rows = [
        PurgatoryRow(i.pk, i.title, i.business_unit.name, i.pilot_clock_started_at) for i in stuck
    ]
    return rows, stuck[0].total_rows if stuck else 0


@dataclass(frozen=True)
class _KpiFacts:
    """One KPI with its latest two measurements up to the period's end, judged."""

    kpi_id: int
    initiative_id: int
    initiative_title: str
    value_category: str
    readiness_total: int | None
    name: str
    unit: str
    direction: str
    previous: Decimal | None
    latest: Decimal | None
    latest_on: datetime.date | None
    progress_pct: Decimal | None
    on_track: bool | None

    @property
    def improved(self) -> bool | None:
        if self.latest is None or self.previous is None or self.latest == self.previous:
            return None
        return (self.latest > self.previous) == (self.direction == "increase")

    def urgency(self) -> tuple:
        """Off track first, then those that got worse, then the rest, by initiative."""
        return (
            self.on_track is not False,
            self.improved is not False,
            self.initiative_title,
            self.initiative_id,
        )


def _kpi_facts(
    filters: DashboardFilters, today: datetime.date, scorecard_id: int | None
) -> list[_KpiFacts]:
    """Every KPI of the filtered initiatives, one row each: its last two measurements on or
    before the period's end and its first one (where its path to target starts) come from
    indexed subqueries, so the measurements themselves are never all loaded."""
    measured = KpiMeasurement.objects.filter(kpi_id=OuterRef("pk"), measured_on__lte=filters.end)
    newest = measured.order_by("-measured_on")
    scorecard_total = Assessment.objects.filter(
        initiative_id=OuterRef("initiative_id"),
        status=AssessmentStatus.SUBMITTED,
        template_id=scorecard_id,
    ).values("total")[:1]
    rows = (
        Kpi.objects.filter(filters.initiative_q("initiative__"))
        .annotate(
            latest=Subquery(newest.values("value")[:1]),
            latest_on=Subquery(newest.values("measured_on")[:1]),
            previous=Subquery(newest.values("value")[1:2]),
            first_on=Subquery(measured.order_by("measured_on").values("measured_on")[:1]),
            readiness_total=Subquery(scorecard_total),
        )
        .values_list(
            "pk",
            "initiative_id",
            "initiative__title",
            "initiative__value_category",
            "readiness_total",
            "name",
            "unit",
            "direction",
            "baseline",
            "target",
            "target_date",
            "error_budget",
            "latest",
            "latest_on",
            "previous",
            "first_on",
        )
    )
    judged_on = min(today, filters.end)
    facts = []
    for (
        pk,
        initiative_id,
        title,
        category,
        readiness_total,
        name,
        unit,
        direction,
        baseline,
        target,
        target_date,
        error_budget,
        latest,
        latest_on,
        previous,
        first_on,
    ) in rows:
        progress = on_track = None
        if latest is not None:
            standing = kpi_standing(
                direction=direction,
                baseline=baseline,
                target=target,
                target_date=target_date,
                error_budget=error_budget,
                latest=latest,
                latest_on=latest_on,
                path_start=first_on,
                today=judged_on,
            )
            progress, on_track = standing.progress_pct, standing.on_track
        facts.append(
            _KpiFacts(
                pk,
                initiative_id,
                title,
                category,
                readiness_total,
                name,
                unit,
                direction,
                previous,
                latest,
                latest_on,
                progress,
                on_track,
            )
        )
    return facts


def _kpi_counts(facts: list[_KpiFacts]) -> dict[str, int]:
    return {
        "total": len(facts),
        "on_track": sum(1 for f in facts if f.on_track),
        "off_track": sum(1 for f in facts if f.on_track is False),
        "not_measured": sum(1 for f in facts if f.latest is None),
        "improved": sum(1 for f in facts if f.improved),
        "worse": sum(1 for f in facts if f.improved is False),
    }


def _kpis_shown(facts: list[_KpiFacts], end: datetime.date) -> list[KpiMovement]:
    """The KPIs the card lists, with the measurement history of those only (one query)."""
    shown = sorted(facts, key=_KpiFacts.urgency)[:KPI_LIMIT]
    history: dict[int, list[tuple[datetime.date, Decimal]]] = defaultdict(list)
    for kpi_id, measured_on, value in (
        KpiMeasurement.objects.filter(kpi_id__in=[f.kpi_id for f in shown], measured_on__lte=end)
        .order_by("kpi_id", "measured_on")
        .values_list("kpi_id", "measured_on", "value")
    ):
        history[kpi_id].append((measured_on, value))
    return [
        KpiMovement(
            initiative_id=f.initiative_id,
            initiative_title=f.initiative_title,
            name=f.name,
            unit=f.unit,
            direction=f.direction,
            previous=f.previous,
            previous_on=history[f.kpi_id][-2][0] if len(history[f.kpi_id]) > 1 else None,
            latest=f.latest,
            latest_on=f.latest_on,
            progress_pct=f.progress_pct,
            on_track=f.on_track,
            history=tuple(value for _, value in history[f.kpi_id][-HISTORY_LENGTH:]),
        )
        for f in shown
    ]


def _value_points(facts: list[_KpiFacts]) -> tuple[list[ValuePoint], int]:
    """The value scatter's dots and how many initiatives they stand for: one per initiative
    with a current scorecard and a measured KPI, or bins of them past VALUE_POINTS_MAX."""
    plotted = [f for f in facts if f.readiness_total is not None and f.progress_pct is not None]
    plotted.sort(key=lambda f: (f.initiative_title, f.initiative_id))
    if len(plotted) <= VALUE_POINTS_MAX:
        points = [
            ValuePoint(
                f.initiative_title,
                f.readiness_total,
                f.progress_pct,
                f.value_category,
                id=f.initiative_id,
            )
            for f in plotted
        ]
        return points, len(plotted)
    low = min(f.progress_pct for f in plotted)
    span = (max(f.progress_pct for f in plotted) - low) or Decimal(1)
    bins: dict[tuple[int, int, str], list[_KpiFacts]] = defaultdict(list)
    for f in plotted:
        progress_bin = min(
            int((f.progress_pct - low) / span * VALUE_BIN_PROGRESS), VALUE_BIN_PROGRESS - 1
        )
        bins[(f.readiness_total // VALUE_BIN_READINESS, progress_bin, f.value_category)].append(f)
    points = []
    for (_, _, category), members in sorted(bins.items()):
        count = len(members)
        points.append(
            ValuePoint(
                members[0].initiative_title if count == 1 else f"{count} initiatives",
                sum(m.readiness_total for m in members) / count,
                float(sum(m.progress_pct for m in members)) / count,
                category,
                initiatives=count,
                id=members[0].initiative_id if count == 1 else None,
            )
        )
    return points, len(plotted)


def _top_spenders(
    filters: DashboardFilters, facts_by_initiative: dict[int, _KpiFacts]
) -> list[SpenderRow]:
    rows = (
        Initiative.objects.filter(filters.initiative_q())
        .filter(Q(actual_spend__gt=0) | Q(monthly_run_cost__gt=0))
        .order_by(
            Coalesce("actual_spend", Decimal(0)).desc(),
            Coalesce("monthly_run_cost", Decimal(0)).desc(),
            "title",
            "pk",
        )
        .values_list("pk", "title", "business_unit__name", "actual_spend", "monthly_run_cost")[
            :SPEND_LIMIT
        ]
    )
    spenders = []
    for pk, title, unit, spend, run_cost in rows:
        kpi = facts_by_initiative.get(pk)
        spenders.append(
            SpenderRow(
                pk,
                title,
                unit,
                spend,
                run_cost,
                kpi.progress_pct if kpi else None,
                kpi.on_track if kpi else None,
            )
        )
    return spenders


def dashboard_data(*, filters: DashboardFilters, now: datetime.datetime | None = None) -> Dashboard:
    """Every figure of the executive dashboard for `filters`, in thirteen queries.

    Current state (stages, readiness, risks, decisions, purgatory, spend) is as of `now`; the
    incidents are those that occurred in the period, and KPI movement compares the last two
    measurements on or before the period's end.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    scorecard_id, band_definitions = _scorecard()
    groups = _initiative_groups(filters, scorecard_id)

    stage_status: dict[str, dict[str, int]] = {
        stage: dict.fromkeys(Status.values, 0) for stage in STAGE_ORDER
    }
    band_counts: dict[str, int] = defaultdict(int)
    units: dict[str, dict[str, Decimal | int]] = {}
    for group in groups:
        count = group["initiatives"]
        stage_status[group["stage"]][group["status"]] += count
        band_counts[group["scorecard__band"] or NOT_ASSESSED] += count
        unit = units.setdefault(
            group["business_unit__name"],
            {"actual_spend": Decimal(0), "monthly_run_cost": Decimal(0), "initiatives": 0},
        )
        unit["actual_spend"] += group["actual_spend"] or Decimal(0)
        unit["monthly_run_cost"] += group["monthly_run_cost"] or Decimal(0)
        unit["initiatives"] += count
    active_by_stage = {stage: stage_status[stage][Status.ACTIVE] for stage in STAGE_ORDER}

    bands = [
        Band(b["id"], b.get("label", b["id"]), b.get("min"), band_counts.pop(b["id"], 0))
        for b in band_definitions
    ]
    not_assessed = band_counts.pop(NOT_ASSESSED, 0)
    # Bands no longer in the newest template still count rather than vanish.
    bands += [Band(band, band, None, count) for band, count in sorted(band_counts.items())]
    bands.append(Band(NOT_ASSESSED, "Not yet assessed", None, not_assessed))
    spend_by_unit = [
        UnitSpend(
            name=name,
            actual_spend=unit["actual_spend"],
            monthly_run_cost=unit["monthly_run_cost"],
            initiatives=unit["initiatives"],
        )
        for name, unit in sorted(units.items())
    ]

    purgatory, purgatory_count = _pilot_purgatory(filters, now)
    facts = _kpi_facts(filters, today, scorecard_id)
    value_points, value_point_count = _value_points(facts)
    top_spenders = _top_spenders(filters, {f.initiative_id: f for f in facts})

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

    return Dashboard(
        filters=filters,
        initiative_count=sum(unit.initiatives for unit in spend_by_unit),
        stage_status_counts=stage_status,
        active_by_stage=active_by_stage,
        bands=bands,
        top_risks=risks,
        open_risk_count=risks[0].total_rows if risks else 0,
        decisions=decisions,
        decision_count=decisions[0].total_rows if decisions else 0,
        gate_requests=gate_requests,
        gate_request_count=gate_requests[0].total_rows if gate_requests else 0,
        pilot_purgatory=purgatory,
        pilot_purgatory_count=purgatory_count,
        incidents=incidents,
        incident_count=incidents[0].total_rows if incidents else 0,
        exceptions=exceptions,
        exception_count=exceptions[0].total_rows if exceptions else 0,
        kpi_counts=_kpi_counts(facts),
        kpis_shown=_kpis_shown(facts, filters.end),
        value_points=value_points,
        value_point_count=value_point_count,
        spend_by_unit=spend_by_unit,
        top_spenders=top_spenders,
        band_guides=[(b["min"], b.get("label", b["id"])) for b in band_definitions if "min" in b],
    )


# The stage and value-category labels the dashboard prints, in lifecycle order.
STATUS_LABELS: dict[str, str] = dict(Status.choices)
VALUE_CATEGORY_LABELS: dict[str, str] = dict(ValueCategory.choices)
