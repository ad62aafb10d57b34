"""`manage.py seed_gates`: pending gate requests with first votes, an autonomy promotion and the
next council meeting, once (the council's past decisions are seed_history's).

Seeded once for the module; the command from other starting points is in test_seed_commands.py.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent
from governance.gates.autonomy_rules import AUTONOMY_CONDITION_IDS, evidence_problems
from governance.gates.selectors import review_queue
from governance.models import (
    ActionItem,
    AutonomyPromotion,
    AutonomyPromotionStatus,
    CouncilMeeting,
    GateRequest,
    GateRequestStatus,
    ItemReview,
    Vote,
    VoteChoice,
)
from portfolio.demo_timeline import next_council_meeting_at
from portfolio.models import Initiative, Stage
from readiness.models import Assessment, AssessmentStatus
from tests.seeding import seed_demo_up_to_gates, seed_once_per_module

COLLECTIONS = "Payment collections automation"
INSIGHT = "Insight synthesis for CX"
SALES = "Sales call coaching"


def _seed() -> None:
    seed_demo_up_to_gates()
    call_command("seed_gates", quiet=True)


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker) -> Iterator[None]:
    """Seeded once for this module; each test's changes are rolled back."""
    yield from seed_once_per_module(django_db_blocker, _seed)


def _user(username: str):
    return get_user_model().objects.get(username=username)


def _request(title: str) -> GateRequest:
    """The pending one: the initiative's earlier requests were decided (seed_history)."""
    return GateRequest.objects.get(initiative__title=title, status=GateRequestStatus.PENDING)


def _counts() -> dict[str, int]:
    return {
        "assessments": Assessment.objects.count(),
        "gate requests": GateRequest.objects.count(),
        "votes": Vote.objects.count(),
        "item reviews": ItemReview.objects.count(),
        "promotions": AutonomyPromotion.objects.count(),
        "meetings": CouncilMeeting.objects.count(),
        "action items": ActionItem.objects.count(),
        "audit events": AuditEvent.objects.count(),
    }


@pytest.mark.django_db
def test_payment_collections_asks_for_controlled_rollout_with_one_conditional_legal_vote(
    seeded: None,
) -> None:
    request = _request(COLLECTIONS)

    assert request.status == GateRequestStatus.PENDING
    assert (request.from_stage, request.to_stage) == (Stage.PILOT, Stage.CONTROLLED_ROLLOUT)
    assert request.requested_by.username == "paul"
    (vote,) = request.votes.all()
    assert (vote.voter.username, vote.seat, vote.choice) == (
        "lena",
        "legal",
        VoteChoice.APPROVE_WITH_CONDITIONS,
    )
    assert "Legal sign-off" in vote.conditions
    # The scorecard passes; what fails (checklist, the unmitigated legal risk) is justified.
    passed = {item["id"] for item in request.evidence if item["passed"]}
    assert "scorecard_ready" in passed
    assert not request.all_criteria_passed


@pytest.mark.django_db
def test_insight_synthesis_asks_for_scale_with_one_product_approval(seeded: None) -> None:
    request = _request(INSIGHT)

    assert request.status == GateRequestStatus.PENDING
    assert (request.from_stage, request.to_stage) == (Stage.CONTROLLED_ROLLOUT, Stage.SCALE)
    assert request.requested_by.username == "priya"
    assert [(v.voter.username, v.seat, v.choice) for v in request.votes.all()] == [
        ("gina", "product", VoteChoice.APPROVE)
    ]
    assert Initiative.objects.get(title=INSIGHT).stage == Stage.CONTROLLED_ROLLOUT


@pytest.mark.django_db
@pytest.mark.parametrize("title", [COLLECTIONS, INSIGHT])
def test_a_justification_names_exactly_the_criteria_that_fail(seeded: None, title: str) -> None:
    request = _request(title)
    failing = [item["label"] for item in request.evidence if not item["passed"]]
    listed = [
        line[2:].split(": ", 1)[0]
        for line in request.justification.splitlines()
        if line.startswith("- ")
    ]

    assert failing
    assert listed == failing


@pytest.mark.django_db
def test_the_council_queue_shows_pending_requests_each_with_one_vote(seeded: None, client) -> None:
    entries = review_queue(_user("lena"), timezone.now())

    assert {entry.request.initiative.title for entry in entries} == {COLLECTIONS, INSIGHT}
    for entry in entries:
        assert entry.tally.votes_cast == 1
        assert not entry.tally.quorum_met
        assert entry.go_blockers

    client.force_login(_user("lena"))
    page = client.get(reverse("governance:council_queue"))
    assert page.status_code == 200
    assert COLLECTIONS in page.content.decode()


@pytest.mark.django_db
def test_the_council_reviewed_sales_coachings_area_scored_one(seeded: None) -> None:
    # Recorded by seed_history before the pilot go it cleared; lena, as chris is recused.
    (review,) = ItemReview.objects.all()
    scorecard = review.assessment

    assert review.reviewer.username == "lena"
    assert review.item_id == "adoption_readiness"
    assert scorecard.initiative.title == SALES
    assert scorecard.status == AssessmentStatus.SUBMITTED
    assert scorecard.result["item_scores"]["adoption_readiness"] == 1
    assert AuditEvent.objects.filter(action="item_review.recorded").count() == 1


@pytest.mark.django_db
def test_customer_triage_asks_for_automated_workflow_with_evidence_for_every_condition(
    seeded: None,
) -> None:
    promotion = AutonomyPromotion.objects.get()

    assert promotion.initiative.title == "Customer triage and routing"
    assert (promotion.from_level, promotion.to_level) == ("agent", "automated_workflow")
    assert promotion.status == AutonomyPromotionStatus.PENDING
    assert promotion.requested_by.username == "priya"
    # A set: PostgreSQL keeps a JSON object's keys in its own order.
    assert set(promotion.evidence) == set(AUTONOMY_CONDITION_IDS)
    assert evidence_problems(promotion.evidence) == {}


@pytest.mark.django_db
def test_the_next_meeting_is_scheduled_with_the_pending_requests_on_its_agenda(
    seeded: None,
) -> None:
    now = timezone.now()
    (upcoming,) = CouncilMeeting.objects.filter(scheduled_for__gt=now)
    assert upcoming.scheduled_for == next_council_meeting_at(now)
    on_agenda = {entry["initiative"] for entry in upcoming.agenda["gate_requests"]}
    assert on_agenda == {COLLECTIONS, INSIGHT}
    assert upcoming.agenda["escalated_risks"]


@pytest.mark.django_db
def test_running_both_seeds_twice_changes_no_counts(seeded: None) -> None:
    before = _counts()
    requests = list(GateRequest.objects.values_list("pk", "status", "justification"))

    call_command("seed_readiness", quiet=True)
    call_command("seed_gates", quiet=True)

    assert _counts() == before
    assert list(GateRequest.objects.values_list("pk", "status", "justification")) == requests
