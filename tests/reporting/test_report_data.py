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
    RiskCategory,
    RiskStatus,
    Seat,
    Vote,
    VoteChoice,
)
from governance.register.services import risk_close, risk_create
from portfolio.models import Initiative, KpiMeasurement, Stage, StageTransition, Status
from portfolio.services import initiative_change_stage, initiative_set_status
from readiness.models import Assessment, AssessmentStatus
from reporting.models import Report, ReportStatus
from reporting.report_data import (
    LOW_DELIVERY_CAPACITY,
    MONTHLY_SECTIONS,
    QUARTERLY_SECTIONS,
    monthly_report_data,
    parse_period,
    previous_report,
    quarterly_report_data,
    report_data,
)
from tests.factories import GateRequestFactory, InitiativeFactory, UserFactory, submitted_scorecard
from tests.factories import scores as scorecard_answers
from tests.reporting.support import build_portfolio, scorecard_version

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(datetime.datetime(2026, 11, 20, 12, 0))
START, END = parse_period("monthly", "2026-11")
# Measured: 19 queries whatever the portfolio's size. Initiatives (with KPI and owners);
# scorecards; pending gate requests; votes on them; open decisions; KPI measurements; stage
# changes, gate decisions, assessments and the incident count of the period; open risks; votes of
# the period; incidents of the period; open action items; then period over period: open and
# escalated risk counts, band changes, new risks, closed risks, the previous report. Quarterly
# (12): initiatives, scorecards, pending requests, KPI measurements, top risks, open decisions,
# and the same six period-over-period queries (its stage changes being one of them).
MONTHLY_QUERY_BUDGET = 20  # with the gate exceptions granted in the period
QUARTERLY_QUERY_BUDGET = 12


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
    assert data["business_value"]
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
    assert resourcing["rows"]
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
    every_row = [row for rows in groups.values() for row in rows]
    assert every_row
    for row in every_row:
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
        pending = GateRequestFactory(
            initiative=initiative,
            policy_version=version,
            requested_by=product_owner,
            review_due_at=inside + datetime.timedelta(days=7),
        )
        Vote.objects.create(
            request=pending, voter=security, seat=Seat.SECURITY, choice=VoteChoice.APPROVE
        )
        decided = GateRequestFactory(
            initiative=initiative,
            policy_version=version,
            from_stage=Stage.EXPLORATION,
            to_stage=Stage.PILOT,
            requested_by=product_owner,
            review_due_at=inside,
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


def _period_activity(initiatives: list[Initiative], owner, admin) -> None:
    """Stage moves, scorecards, new and closed risks in November, and an October report."""
    for kind, label in (("monthly", "2026-10"), ("quarterly", "2026-Q3")):
        start, end = parse_period(kind, label)
        Report.objects.create(
            kind=kind,
            period_start=start,
            period_end=end,
            period_label=label,
            revision=1,
            status=ReportStatus.DRAFT,
            snapshot=report_data(kind, start, end),
        )
    version = scorecard_version()
    for n, initiative in enumerate(initiatives[:6]):
        StageTransition.objects.create(
            initiative=initiative, from_stage="pilot", to_stage="scale", reason="Moved"
        )
        answers = scorecard_answers(version, 1 + (n + 2) % 5)
        Assessment.objects.filter(
            initiative=initiative, template__key="readiness_scorecard"
        ).update(status=AssessmentStatus.SUPERSEDED)
        submitted_scorecard(initiative, admin, answers)
        risk = risk_create(
            initiative=initiative,
            actor=admin,
            category=RiskCategory.PRIVACY,
            description=f"New risk {n}",
            likelihood=2,
            impact=3,
            owner=owner,
        )
        risk_close(risk=risk, actor=admin, reason="Accepted")


@pytest.mark.parametrize(
    ("builder", "budget"),
    [(monthly_report_data, MONTHLY_QUERY_BUDGET), (quarterly_report_data, QUARTERLY_QUERY_BUDGET)],
)
def test_query_count_is_constant_at_5_and_200_initiatives(
    frozen_now, governance_admin, builder, budget
):
    build_portfolio(5, now=frozen_now)
    small = _count(builder, START, END)
    portfolio = build_portfolio(200, now=frozen_now)
    # The large case also has a previous report and changes of every kind in the period.
    _period_activity(portfolio.initiatives, portfolio.owner, governance_admin)
    data = builder(START, END)
    assert data["previous_report"] is not None
    assert all(data["changes"][key] for key in ("stage_moves", "band_changes", "closed_risks"))
    large = _count(builder, START, END)
    assert small == large == budget


# --- period over period ------------------------------------------------------------------------


def _report(kind: str, label: str, revision: int, status: str, **snapshot) -> Report:
    start, end = parse_period(kind, label)
    return Report.objects.create(
        kind=kind,
        period_start=start,
        period_end=end,
        period_label=label,
        revision=revision,
        status=status,
        snapshot={"kind": kind, **snapshot},
    )


def test_the_previous_report_is_the_nearest_earlier_finished_period_of_the_same_kind(db):
    _report("monthly", "2026-08", 1, ReportStatus.SIGNED_OFF)
    september = _report("monthly", "2026-09", 1, ReportStatus.DRAFT)
    _report("monthly", "2026-10", 1, ReportStatus.FAILED)
    _report("monthly", "2026-10", 2, ReportStatus.QUEUED)
    _report("quarterly", "2026-Q3", 1, ReportStatus.SIGNED_OFF)
    # October has no finished revision, so November compares with September.
    assert previous_report("monthly", datetime.date(2026, 11, 1)) == september


def test_within_the_previous_period_the_signed_off_revision_wins_else_the_highest(db):
    _report("monthly", "2026-10", 1, ReportStatus.DRAFT)
    signed = _report("monthly", "2026-10", 2, ReportStatus.SIGNED_OFF)
    _report("monthly", "2026-10", 3, ReportStatus.DRAFT)
    assert previous_report("monthly", datetime.date(2026, 11, 1)) == signed
    signed.delete()
    assert previous_report("monthly", datetime.date(2026, 11, 1)).revision == 3


def test_a_report_never_compares_with_its_own_period_or_a_later_one(db):
    _report("monthly", "2026-11", 1, ReportStatus.SIGNED_OFF)
    _report("monthly", "2026-12", 1, ReportStatus.DRAFT)
    assert previous_report("monthly", datetime.date(2026, 11, 1)) is None
    _report("quarterly", "2026-Q3", 1, ReportStatus.DRAFT)
    assert previous_report("quarterly", datetime.date(2026, 7, 1)) is None
    assert previous_report("quarterly", datetime.date(2026, 10, 1)).period_label == "2026-Q3"


def test_the_first_report_of_its_kind_says_so(db):
    _report("quarterly", "2026-Q3", 1, ReportStatus.SIGNED_OFF)  # another kind does not count
    data = monthly_report_data(START, END)
    assert data["previous_report"] is None
    assert data["comparison"]["first_report"] is True


def test_the_snapshot_records_which_report_it_was_compared_with(db):
    october = _report(
        "monthly",
        "2026-10",
        2,
        ReportStatus.SIGNED_OFF,
        portfolio_summary={"active": 4, "by_stage": []},
        risk_summary={"open": 3, "escalated": 1},
    )
    InitiativeFactory(stage=Stage.PILOT)
    data = monthly_report_data(START, END)
    assert data["previous_report"] == {
        "id": october.pk,
        "period_label": "2026-10",
        "period_start": "2026-10-01",
        "period_end": "2026-10-31",
        "revision": 2,
        "status": "signed_off",
    }
    comparison = data["comparison"]
    assert comparison["first_report"] is False
    assert comparison["figures"]["active"] == {"previous": 4, "current": 1, "delta": -3}
    assert comparison["figures"]["open_risks"] == {"previous": 3, "current": 0, "delta": -3}
    pilot = next(row for row in comparison["stages"] if row["stage"] == Stage.PILOT)
    assert (pilot["previous"], pilot["current"], pilot["delta"]) == (0, 1, 1)
    # The older snapshot held no KPIs, incidents or bands: said, not guessed.
    assert "by_band" in comparison["not_compared"]
    assert json.loads(json.dumps(data)) == data


@pytest.fixture
def november_changes(frozen_now, product_owner, governance_admin):
    """One initiative whose scorecard, stage and risks change in November, and one that does not.

    October: Claims triage in pilot with a weak scorecard and an escalated risk.
    November: it moves to controlled rollout, its new scorecard is moderate, the risk is closed
    and a new one is raised; Invoice OCR gets its first scorecard, and a same-band rescoring.
    """
    version = scorecard_version()
    october = timezone.make_aware(datetime.datetime(2026, 10, 6, 9, 0))
    claims = InitiativeFactory(
        title="Claims triage",
        stage=Stage.PILOT,
        business_owner=product_owner,
        delivery_owner=product_owner,
    )
    steady = InitiativeFactory(title="Invoice OCR", stage=Stage.EXPLORATION)
    with time_machine.travel(october, tick=False):
        submitted_scorecard(claims, governance_admin, scorecard_answers(version, 2))
        escalated = risk_create(
            initiative=claims,
            actor=governance_admin,
            category=RiskCategory.PRIVACY,
            description="Claimant data in prompts",
            likelihood=4,
            impact=4,
            owner=product_owner,
        )
    with time_machine.travel(october + datetime.timedelta(days=30), tick=False):  # 5 November
        initiative_change_stage(
            initiative=claims,
            actor=governance_admin,
            to_stage=Stage.CONTROLLED_ROLLOUT,
            reason="Pilot exit approved",
        )
    with time_machine.travel(october + datetime.timedelta(days=31), tick=False):
        submitted_scorecard(claims, governance_admin, scorecard_answers(version, 4))
        submitted_scorecard(steady, governance_admin, scorecard_answers(version, 3))
    with time_machine.travel(october + datetime.timedelta(days=32), tick=False):
        submitted_scorecard(steady, governance_admin, scorecard_answers(version, 3))
        risk_create(
            initiative=claims,
            actor=governance_admin,
            category=RiskCategory.VENDOR,
            description="Model vendor changes pricing",
            likelihood=2,
            impact=3,
            owner=product_owner,
        )
        risk_close(risk=escalated, actor=governance_admin, reason="Prompts are redacted now")
    return claims


def test_changes_list_stage_moves_band_changes_and_new_and_closed_risks_of_the_period(
    november_changes,
):
    changes = monthly_report_data(START, END)["changes"]
    assert [(m["initiative"], m["from"], m["to"], m["on"]) for m in changes["stage_moves"]] == [
        ("Claims triage", "Pilot", "Controlled rollout", "2026-11-05")
    ]
    # Invoice OCR's second scorecard kept its band, so only its first one is a change.
    assert [
        (c["initiative"], c["from"], c["to"], c["first"], c["on"]) for c in changes["band_changes"]
    ] == [
        ("Claims triage", "weak", "moderate", False, "2026-11-06"),
        ("Invoice OCR", "", "weak", True, "2026-11-06"),
    ]
    assert [(r["description"], r["status"]) for r in changes["new_risks"]] == [
        ("Model vendor changes pricing", "Open")
    ]
    assert changes["closed_risks"] == [
        {
            "initiative": "Claims triage",
            "category": "Privacy",
            "description": "Claimant data in prompts",
            "severity": 16,
            "reason": "Prompts are redacted now",
            "on": "2026-11-07",
        }
    ]


def test_a_pause_in_the_period_is_not_a_stage_move(november_changes, governance_admin):
    before = monthly_report_data(START, END)
    with time_machine.travel(
        timezone.make_aware(datetime.datetime(2026, 11, 20, 9, 0)), tick=False
    ):
        initiative_set_status(
            initiative=november_changes,
            actor=governance_admin,
            to_status=Status.PAUSED,
            reason="Gate decision: Hold",
        )
    after = monthly_report_data(START, END)
    assert StageTransition.objects.status_changes().count() == 1
    assert after["changes"]["stage_moves"] == before["changes"]["stage_moves"]
    assert after["progress"]["stage_changes"] == before["progress"]["stage_changes"]


def test_october_saw_only_october_changes(november_changes):
    changes = monthly_report_data(*parse_period("monthly", "2026-10"))["changes"]
    assert changes["stage_moves"] == [] and changes["closed_risks"] == []
    assert [(c["initiative"], c["first"]) for c in changes["band_changes"]] == [
        ("Claims triage", True)
    ]
    assert [r["description"] for r in changes["new_risks"]] == ["Claimant data in prompts"]


def test_the_quarterly_report_carries_the_changes_of_its_quarter(november_changes):
    data = quarterly_report_data(*parse_period("quarterly", "2026-Q4"))
    assert len(data["changes"]["stage_moves"]) == 1
    # Claims triage's first scorecard (October) is in the quarter too.
    assert len(data["changes"]["band_changes"]) == 3
    assert len(data["changes"]["closed_risks"]) == 1
    assert data["risk_summary"] == {"open": 1, "escalated": 0}
    assert data["readiness_bands"] == [
        {"band": "moderate", "count": 1},
        {"band": "weak", "count": 1},
    ]
