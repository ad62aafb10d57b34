"""`manage.py seed_history`: the demo's stages, holds and kills decided by the council on gate
requests at monthly meetings over the past months, so gate-status, the meetings and last
month's report tell the story.

Seeded once for the module, as `make setup` runs it: up to the readiness results, then the
history.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django.db.models import F
from django.utils import timezone

from core.models import AuditEvent
from governance.council.permissions import recused_as
from governance.gates.gate_status import initiative_gate_status
from governance.models import (
    CouncilMeeting,
    DecidedAs,
    Decision,
    GateException,
    GateRequest,
    GateRequestStatus,
    ReReview,
)
from portfolio.demo_data import DEMO_INITIATIVES
from portfolio.demo_timeline import COUNCIL_MEETING_WEEKDAY, month_back
from portfolio.models import STAGE_ORDER, Initiative, Stage, StageTransition, Status
from tests.seeding import seed_demo_up_to_history, seed_once_per_module

pytestmark = pytest.mark.django_db

SPECS = {spec["title"]: spec for spec in DEMO_INITIATIVES}
COUNCIL_STORIES = [
    spec["title"]
    for spec in DEMO_INITIATIVES
    if spec["stage_history"] and not spec.get("before_council")
]
PRODUCTION = (Stage.CONTROLLED_ROLLOUT, Stage.SCALE, Stage.OPERATION)


def _seed() -> None:
    seed_demo_up_to_history()
    call_command("seed_history", quiet=True)


@pytest.fixture(scope="module", autouse=True)
def seeded(django_db_setup, django_db_blocker) -> Iterator[None]:
    yield from seed_once_per_module(django_db_blocker, _seed)


def _counts() -> dict[str, int]:
    return {
        "requests": GateRequest.objects.count(),
        "transitions": StageTransition.objects.count(),
        "meetings": CouncilMeeting.objects.count(),
        "exceptions": GateException.objects.count(),
        "audit events": AuditEvent.objects.count(),
    }


def test_every_stage_is_reached_and_the_story_holds_one_initiative_and_stops_another():
    assert set(Initiative.objects.values_list("stage", flat=True)) == set(Stage.values)
    assert Initiative.objects.get(status=Status.STOPPED).title == "Patient diagnosis support"
    assert Initiative.objects.get(status=Status.PAUSED).title == (
        "Resume screening for graduate hiring"
    )
    assert len(COUNCIL_STORIES) >= 6
    for title in COUNCIL_STORIES:
        assert Initiative.objects.get(title=title).stage == SPECS[title]["stage_history"][-1][0]


def test_each_step_is_one_stage_at_a_time_and_council_steps_cite_their_go_decision():
    initiatives = list(Initiative.objects.exclude(stage=Stage.EXPLORATION))
    assert len(initiatives) >= 10
    for initiative in initiatives:
        assert initiative.business_owner_id and initiative.delivery_owner_id, initiative.title
        moves = list(
            initiative.stage_transitions.exclude(from_stage=F("to_stage")).order_by("occurred_at")
        )
        rank = STAGE_ORDER.index(initiative.stage)
        assert [(t.from_stage, t.to_stage) for t in moves] == list(
            zip(STAGE_ORDER[:rank], STAGE_ORDER[1 : rank + 1], strict=True)
        ), initiative.title
        if SPECS[initiative.title].get("before_council"):
            assert [t.gate_request_id for t in moves] == [None] * len(moves)
            assert {t.actor.username for t in moves} == {"gina"}
            continue
        requests = GateRequest.objects.in_bulk([t.gate_request_id for t in moves])
        assert len(requests) == len(moves), initiative.title
        for move in moves:
            request = requests[move.gate_request_id]
            assert (request.decision, request.to_stage) == (Decision.GO, move.to_stage)
            assert move.occurred_at == request.decided_at


def test_every_active_initiative_in_production_is_approved_by_gate_status():
    in_production = list(Initiative.objects.filter(stage__in=PRODUCTION, status=Status.ACTIVE))
    assert len(in_production) >= 4
    for initiative in in_production:
        status = initiative_gate_status(initiative, initiative.stage)
        assert status.approved, (initiative.title, status.reasons)
        assert status.reasons[0].startswith("approved by a go decision into")


def test_pilots_that_drifted_in_before_the_gates_say_so_on_gate_status():
    drifted = [title for title, spec in SPECS.items() if spec.get("before_council")]
    assert drifted
    for title in drifted:
        initiative = Initiative.objects.get(title=title)
        status = initiative_gate_status(initiative, Stage.PILOT)
        assert not status.approved
        assert any("no gate decision" in reason for reason in status.reasons), title


def test_votes_meet_each_gate_s_seats_and_quorum_without_a_recused_member():
    decided = list(
        GateRequest.objects.filter(status=GateRequestStatus.DECIDED).select_related(
            "policy_version", "initiative"
        )
    )
    assert len(decided) >= 12
    for request in decided:
        votes = list(request.votes.all())
        assert len(votes) >= request.policy_version.quorum
        assert not [v for v in votes if recused_as(v.voter_id, request.initiative)]
        if request.decision == Decision.GO:
            assert set(request.policy_version.required_seats) <= {v.seat for v in votes}


def test_a_recused_chair_hands_the_decision_to_an_acting_chair_and_the_record_says_so():
    triage = Initiative.objects.get(title="Customer triage and routing")
    requests = list(triage.gate_requests.filter(status=GateRequestStatus.DECIDED))
    assert len(requests) == 3
    for request in requests:
        # Chris, the chair, is the initiative's safety owner.
        assert request.decided_as == DecidedAs.ACTING_CHAIR
        assert request.decided_by == request.acting_chair
        assert request.decided_by.username != "chris"
    unconflicted = Initiative.objects.get(title="Operations knowledge assistant")
    request = unconflicted.gate_requests.get()
    assert request.decided_as == DecidedAs.CHAIR
    assert request.decided_by.username == "chris"


def test_hold_and_kill_are_council_decisions_on_a_request_with_their_reasons():
    for title, decision, status in (
        ("Resume screening for graduate hiring", Decision.HOLD, Status.PAUSED),
        ("Patient diagnosis support", Decision.KILL, Status.STOPPED),
    ):
        initiative = Initiative.objects.get(title=title)
        request = initiative.gate_requests.get()
        assert request.decision == decision
        assert request.decision_reason == SPECS[title]["status"][1]
        assert {v.choice for v in request.votes.all()} == {"reject"}
        change = initiative.stage_transitions.get(to_status=status)
        assert change.gate_request_id == request.pk
        assert change.occurred_at == request.decided_at
        assert AuditEvent.objects.filter(
            initiative_id=initiative.pk, action="initiative.status_changed"
        ).exists()


def test_decisions_are_taken_at_monthly_meetings_whose_agenda_and_minutes_list_them():
    meetings = list(CouncilMeeting.objects.prefetch_related("decisions"))
    assert len(meetings) >= 8
    assert len({meeting.scheduled_for.date().replace(day=1) for meeting in meetings}) == len(
        meetings
    )
    now = timezone.now()
    for meeting in meetings:
        local = timezone.localtime(meeting.scheduled_for)
        assert local < now
        assert local.weekday() == COUNCIL_MEETING_WEEKDAY and 8 <= local.day <= 14
        decisions = list(meeting.decisions.all())
        assert decisions
        assert {entry["id"] for entry in meeting.agenda["gate_requests"]} == {
            request.pk for request in decisions
        }
        for request in decisions:
            assert request.requested_at < meeting.created_at < request.decided_at
            assert timezone.localdate(request.decided_at) == local.date()
            assert f"request #{request.pk}" in meeting.minutes
            votes = list(request.votes.all())
            assert votes
            assert all(request.requested_at < v.cast_at < request.decided_at for v in votes)


def test_last_month_has_stage_moves_and_decisions_to_report():
    today = timezone.localdate()
    start = month_back(today, 1)
    end = month_back(today, 0)
    window = (
        timezone.make_aware(datetime.datetime.combine(start, datetime.time.min)),
        timezone.make_aware(datetime.datetime.combine(end, datetime.time.min)),
    )
    moves = StageTransition.objects.filter(occurred_at__range=window).exclude(
        from_stage=F("to_stage")
    )
    assert moves.count() >= 2
    assert GateRequest.objects.filter(decided_at__range=window).count() >= 2


def test_a_soft_criterion_the_council_overrode_is_an_exception_with_its_justification():
    exception = GateException.objects.get()
    assert exception.initiative.title == "Sales call coaching"
    assert exception.criterion_id == "checklist_passed"
    assert "adoption numbers monthly" in exception.justification
    assert exception.granted_at == exception.gate_request.decided_at


def test_nothing_is_left_pending_or_open():
    assert not GateRequest.objects.filter(status=GateRequestStatus.PENDING).exists()
    assert not ReReview.objects.filter(resolved_at__isnull=True).exists()


def test_running_it_again_changes_nothing():
    before = _counts()
    stages = list(Initiative.objects.values_list("pk", "stage", "status", "version"))

    call_command("seed_history", quiet=True)

    assert _counts() == before
    assert list(Initiative.objects.values_list("pk", "stage", "status", "version")) == stages
