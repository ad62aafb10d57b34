"""The report data equals what the test computes from the database, in constant queries."""

from __future__ import annotations

import datetime
import json
from collections import Counter
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from governance.models import (
    ActionItem,
    Decision,
    GatePolicy,
    GatePolicyVersion,
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
from readiness.models import Assessment, AssessmentStatus
from reporting.report_data import (
    LOW_DELIVERY_CAPACITY,
    MONTHLY_SECTIONS,
    QUARTERLY_SECTIONS,
    monthly_report_data,
    parse_period,
    quarterly_report_data,
)
from tests.factories import InitiativeFactory, UserFactory
from tests.reporting.support import build_portfolio

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(datetime.datetime(2026, 11, 20, 12, 0))
START, END = parse_period("monthly", "2026-11")
# Measured: 14 queries whatever the portfolio's size. Initiatives (with KPI and owners);
# scorecards; pending gate requests; votes on them; open decisions; KPI measurements; stage
# changes, gate decisions, assessments and the incident count of the period; open risks; votes of
# the period; incidents of the period; open action items. Quarterly: initiatives, scorecards,
# pending requests, KPI measurements, top risks, open decisions.
MONTHLY_QUERY_BUDGET = 14
QUARTERLY_QUERY_BUDGET = 6


@pytest.fixture
def frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def portfolio(frozen_now):
    return build_portfolio(30, now=frozen_now)


def _scorecards() -> dict[int, Assessment]:
    return {
        a.initiative_id: a
        for a in Assessment.objects.filter(
            template__key="readiness_scorecard", status=AssessmentStatus.SUBMITTED
        )
    }


def test_the_report_has_the_ten_sections_and_is_json(portfolio):
    data = monthly_report_data(START, END)
    assert [s["key"] for s in data["sections"]] == [key for key, _ in MONTHLY_SECTIONS]
    assert len(MONTHLY_SECTIONS) == 10
    for key, _ in MONTHLY_SECTIONS:
        assert key in data
    assert json.loads(json.dumps(data)) == data  # plain JSON: no dates or Decimals left
    assert data["period_start"] == "2026-11-01"
    assert data["period_end"] == "2026-11-30"


def test_portfolio_summary_counts_active_initiatives_by_stage(portfolio):
    summary = monthly_report_data(START, END)["portfolio_summary"]
    active = Initiative.objects.filter(status=Status.ACTIVE)
    counts = Counter(active.values_list("stage", flat=True))
    assert summary["active"] == active.count()
    assert summary["paused"] == Initiative.objects.filter(status=Status.PAUSED).count()
    assert summary["stopped"] == Initiative.objects.filter(status=Status.STOPPED).count()
    assert {row["stage"]: row["count"] for row in summary["by_stage"]} == {
        stage: counts.get(stage, 0) for stage in Stage.values
    }
    expected = ", ".join(
        f"{counts[value]} {label.lower()}" for value, label in Stage.choices if counts.get(value)
    )
    assert summary["text"] == f"{active.count()} active: {expected}"


def test_summary_text_of_an_empty_portfolio(db):
    assert monthly_report_data(START, END)["portfolio_summary"]["text"] == "0 active"


def test_business_value_shows_baseline_target_and_latest_measurement_in_the_period(portfolio):
    rows = {row["initiative"]: row for row in monthly_report_data(START, END)["business_value"]}
    active = Initiative.objects.filter(status=Status.ACTIVE).select_related("kpi")
    assert set(rows) == {i.title for i in active}
    for initiative in active:
        kpi = getattr(initiative, "kpi", None)
        row = rows[initiative.title]
        if kpi is None:
            assert row["kpi"] is None
            continue
        latest = (
            KpiMeasurement.objects.filter(kpi=kpi, measured_on__lte=END)
            .order_by("-measured_on")
            .first()
        )
        assert row["kpi"]["baseline"] == str(kpi.baseline)
        assert row["kpi"]["target"] == str(kpi.target)
        assert row["kpi"]["latest"] == (str(latest.value) if latest else None)
        assert row["kpi"]["latest_on"] == (latest.measured_on.isoformat() if latest else None)


def test_measurements_after_the_period_are_not_the_latest(portfolio):
    data = monthly_report_data(datetime.date(2026, 9, 1), datetime.date(2026, 9, 30))
    for row in data["business_value"]:
        if row["kpi"] and row["kpi"]["latest_on"]:
            assert row["kpi"]["latest_on"] <= "2026-09-30"


def test_risk_position_is_the_most_severe_open_and_mitigating_risks(portfolio):
    risks = monthly_report_data(START, END)["risk_position"]
    open_risks = Risk.objects.exclude(status=RiskStatus.CLOSED)
    expected = sorted(open_risks.values_list("severity", flat=True), reverse=True)[:10]
    assert [r["severity"] for r in risks] == expected
    assert all(r["owner"] == "Rita Risk" for r in risks)
    assert {"escalation_threshold", "mitigation", "status"} <= set(risks[0])


def test_decisions_required_are_the_open_leadership_decisions_by_due_date(portfolio):
    decisions = monthly_report_data(START, END)["decisions_required"]
    open_decisions = LeadershipDecision.objects.filter(
        status=LeadershipDecisionStatus.OPEN
    ).order_by("due_date", "pk")
    assert [d["question"] for d in decisions] == [d.question for d in open_decisions]
    assert decisions[0]["options"]


def test_resourcing_reads_delivery_capacity_and_flags_constraints(portfolio):
    resourcing = monthly_report_data(START, END)["resourcing"]
    scorecards = _scorecards()
    for row in resourcing["rows"]:
        initiative = Initiative.objects.get(title=row["initiative"])
        scorecard = scorecards.get(initiative.pk)
        capacity = scorecard.answers.get("delivery_capacity") if scorecard else None
        assert row["delivery_capacity"] == capacity
        low = capacity is not None and capacity <= LOW_DELIVERY_CAPACITY
        assert row["constrained"] == (row["over_budget"] or low)
    spend = sum((i.actual_spend or Decimal(0) for i in Initiative.objects.all()), Decimal(0))
    assert Decimal(resourcing["total_spend"]) == spend
    assert resourcing["constrained"] == [r for r in resourcing["rows"] if r["constrained"]]


def test_readiness_sorts_initiatives_into_move_stay_and_stop(portfolio):
    groups = monthly_report_data(START, END)["readiness_to_scale"]
    scorecards = _scorecards()
    move = {
        i.title
        for i in Initiative.objects.filter(status=Status.ACTIVE)
        if i.pk in scorecards and scorecards[i.pk].ready_to_scale
    }
    assert {r["initiative"] for r in groups["move"]} == move
    assert {r["initiative"] for r in groups["stop"]} == set(
        Initiative.objects.filter(status=Status.STOPPED).values_list("title", flat=True)
    )
    total = sum(len(rows) for rows in groups.values())
    assert total == Initiative.objects.count()
    pending = set(
        GateRequest.objects.filter(status=GateRequestStatus.PENDING).values_list(
            "initiative__title", flat=True
        )
    )
    for rows in groups.values():
        for row in rows:
            assert bool(row["pending_gate"]) == (row["initiative"] in pending)


def test_incidents_are_those_that_occurred_in_the_period(portfolio):
    data = monthly_report_data(START, END)
    low = timezone.make_aware(datetime.datetime(2026, 11, 1))
    high = timezone.make_aware(datetime.datetime(2026, 12, 1))
    expected = Incident.objects.filter(occurred_at__gte=low, occurred_at__lt=high)
    assert len(data["incidents"]) == expected.count() == data["progress"]["incident_count"]
    assert {i["issue"] for i in data["incidents"]} == {i.summary for i in expected}


def test_next_priorities_are_three_to_five_with_owner_and_due_date(portfolio):
    priorities = monthly_report_data(START, END)["next_priorities"]
    assert 3 <= len(priorities) <= 5
    dues = [p["due_date"] for p in priorities]
    assert dues == sorted(dues)
    earliest = LeadershipDecision.objects.filter(status=LeadershipDecisionStatus.OPEN).order_by(
        "due_date"
    )[0]
    assert dues[0] == earliest.due_date.isoformat()
    assert all(p["owner"] for p in priorities)


@pytest.fixture
def activity(frozen_now, product_owner):
    """Progress, votes and an action item, some inside November and some before it."""
    security = UserFactory(username="sec")
    legal = UserFactory(username="legal")
    initiative = InitiativeFactory(title="Claims triage", stage=Stage.PILOT)
    policy = GatePolicy.objects.create(
        from_stage=Stage.PILOT, to_stage=Stage.CONTROLLED_ROLLOUT, title="Pilot exit"
    )
    version = GatePolicyVersion.objects.create(
        policy=policy, number=1, criteria=[], required_seats=[Seat.SECURITY, Seat.LEGAL]
    )
    inside = timezone.make_aware(datetime.datetime(2026, 11, 10, 9, 0))
    before = timezone.make_aware(datetime.datetime(2026, 10, 28, 9, 0))
    with time_machine.travel(before, tick=False):
        StageTransition.objects.create(
            initiative=initiative, from_stage="exploration", to_stage="pilot", reason="Old"
        )
    with time_machine.travel(inside, tick=False):
        StageTransition.objects.create(
            initiative=initiative, from_stage="exploration", to_stage="pilot", reason="Shadow week"
        )
        pending = GateRequest.objects.create(
            initiative=initiative,
            policy_version=version,
            from_stage=Stage.PILOT,
            to_stage=Stage.CONTROLLED_ROLLOUT,
            requested_by=product_owner,
            review_due_at=inside + datetime.timedelta(days=7),
        )
        Vote.objects.create(
            request=pending, voter=security, seat=Seat.SECURITY, choice=VoteChoice.APPROVE
        )
        decided = GateRequest.objects.create(
            initiative=initiative,
            policy_version=version,
            from_stage=Stage.EXPLORATION,
            to_stage=Stage.PILOT,
            requested_by=product_owner,
            review_due_at=inside,
            status=GateRequestStatus.DECIDED,
            decision=Decision.GO,
            decision_reason="Evidence complete",
            decided_at=inside,
        )
        Vote.objects.create(request=decided, voter=legal, seat=Seat.LEGAL, choice=VoteChoice.REJECT)
    ActionItem.objects.create(
        initiative=initiative,
        title="Write the rollback plan",
        owner=product_owner,
        due_date=datetime.date(2026, 11, 25),
    )
    return initiative


def test_progress_lists_what_moved_in_the_period_only(activity):
    progress = monthly_report_data(START, END)["progress"]
    assert [t["reason"] for t in progress["stage_changes"]] == ["Shadow week"]
    assert [(d["decision"], d["reason"]) for d in progress["gate_decisions"]] == [
        ("Go (advance)", "Evidence complete")
    ]


def test_alignment_counts_votes_by_seat_and_the_required_seats_still_to_vote(activity):
    alignment = monthly_report_data(START, END)["alignment"]
    by_seat = {row["seat"]: row for row in alignment["by_seat"]}
    assert by_seat[Seat.SECURITY]["approve"] == 1
    assert by_seat[Seat.LEGAL]["reject"] == 1
    assert alignment["pending_seats"] == [
        {"initiative": "Claims triage", "gate": "Pilot → Controlled rollout", "seats": ["Legal"]}
    ]


def test_priorities_include_open_action_items_with_owner(activity):
    priorities = monthly_report_data(START, END)["next_priorities"]
    assert priorities == [
        {
            "title": "Write the rollback plan",
            "kind": "Action item",
            "initiative": "Claims triage",
            "owner": "Paula Owner",
            "due_date": "2026-11-25",
        }
    ]


def test_quarterly_has_the_four_board_sections(portfolio):
    start, end = parse_period("quarterly", "2026-Q4")
    data = quarterly_report_data(start, end)
    assert [s["key"] for s in data["sections"]] == [key for key, _ in QUARTERLY_SECTIONS]
    assert len(data["top_risks"]) == 5
    assert (
        data["portfolio_value"]["summary"] == monthly_report_data(start, end)["portfolio_summary"]
    )
    assert (
        len(data["decisions_ahead"]["gates"])
        == GateRequest.objects.filter(status=GateRequestStatus.PENDING).count()
    )
    assert json.loads(json.dumps(data)) == data


def _count(builder, start, end) -> int:
    with CaptureQueriesContext(connection) as queries:
        builder(start, end)
    return len(queries)


@pytest.mark.parametrize(
    ("builder", "budget"),
    [(monthly_report_data, MONTHLY_QUERY_BUDGET), (quarterly_report_data, QUARTERLY_QUERY_BUDGET)],
)
def test_query_count_is_constant_at_5_and_200_initiatives(frozen_now, builder, budget):
    build_portfolio(5, now=frozen_now)
    small = _count(builder, START, END)
    build_portfolio(200, now=frozen_now)
    large = _count(builder, START, END)
    assert small == large == budget
