"""Gates that gate: hard criteria are never overridden, soft ones only with a recorded
justification (an exception); a recused chair hands over to an acting chair; "iterate" comes
back by itself; hold keeps the council's conditions; reloading the shipped policies never
reverts an admin's edit. Every hard criterion through the page and the API, and before the
votes allow a go, is in test_hard_criteria.py.
"""

from __future__ import annotations

import datetime
import html
import io
import re
from types import SimpleNamespace

import pytest
import time_machine
from celery import Celery
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from config.celery import app as celery_app
from core.errors import BlockedError
from core.models import AuditEvent
from core.people import display_name
from core.roles import Role
from governance.gates.permissions import CHAIR_RECUSED_MESSAGE
from governance.gates.services import (
    gate_policies_load_defaults,
    gate_policy_version_create,
    gate_request_create,
    gate_request_decide,
    gate_request_name_acting_chair,
    gate_request_withdraw,
    initiative_status_change,
    item_review_record,
    vote_cast,
)
from governance.gates.services.decisions import returnable_iterations
from governance.models import (
    ActionItem,
    DecidedAs,
    Decision,
    GateException,
    GatePolicy,
    GateRequest,
    GateRequestStatus,
    Seat,
)
from governance.tasks import return_due_iterations, return_iterations_when_a_worker_starts
from portfolio.models import Initiative, Stage, Status
from portfolio.services import initiative_change_stage
from readiness.models import Assessment, AssessmentStatus
from reporting.report_data import monthly_report_data
from tests.factories import CouncilMembershipFactory, seated_council_member
from tests.governance.gate_service_support import ready_initiative, scorecard_answers, submit

pytestmark = pytest.mark.django_db


def approve(request, *members, conditions: str = ""):
    for member in members:
        if conditions:
            vote_cast(
                request=request,
                actor=member,
                choice="approve_with_conditions",
                conditions=conditions,
            )
        else:
            vote_cast(request=request, actor=member, choice="approve")


def initiative_in_pilot(templates, product_owner, delivery_owner, **scores):
    """A pilot whose scorecard has the given area scores (others 4), everything else ready."""
    initiative = ready_initiative(templates, product_owner, delivery_owner)
    if scores:
        submit(
            initiative,
            product_owner,
            "readiness_scorecard",
            scorecard_answers(templates, 4, **scores),
        )
    return initiative


def state(request: GateRequest) -> tuple:
    """What a refused decision must leave exactly as it was."""
    request.refresh_from_db()
    initiative = Initiative.objects.get(pk=request.initiative_id)
    return (
        request.status,
        request.decision,
        initiative.stage,
        initiative.status,
        initiative.version,
        AuditEvent.objects.count(),
        GateException.objects.count(),
        ActionItem.objects.count(),
    )


def api(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def decide_url(request: GateRequest) -> str:
    return f"/api/v1/gate-requests/{request.pk}/decide/"


def page_url(request: GateRequest, action: str = "") -> str:
    name = f"governance:gate_request_{action}" if action else "governance:gate_request_detail"
    return reverse(name, args=[request.pk])


# ---------------------------------------------------------------------------------------------
# Hard criteria: a go is refused on every path and nothing changes
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def critical_area_low(templates, gate_policies, product_owner, delivery_owner, chair, legal):
    """Pilot → controlled rollout with ownership scored 2 (critical minimum 3), fully approved."""
    initiative = initiative_in_pilot(templates, product_owner, delivery_owner, ownership=2)
    request = gate_request_create(
        initiative=initiative, actor=product_owner, justification="Ownership is being settled."
    )
    approve(request, chair, legal)
    return request


def test_a_critical_area_below_its_minimum_blocks_go_in_the_service(critical_area_low, chair):
    before = state(critical_area_low)
    with pytest.raises(BlockedError) as error:
        gate_request_decide(
            request=critical_area_low,
            actor=chair,
            decision="go",
            reason="Two approvals.",
            override_justification="We accept it.",
        )
    assert [b["criterion"] for b in error.value.blocked_by] == ["scorecard_critical_areas"]
    assert "Ownership (2)" in error.value.message
    assert state(critical_area_low) == before


def test_the_api_answers_409_naming_the_hard_criterion(critical_area_low, chair):
    before = state(critical_area_low)
    response = api(chair).post(
        decide_url(critical_area_low),
        {"decision": "go", "reason": "Two approvals.", "override_justification": "Accepted."},
        format="json",
    )
    assert response.status_code == 409
    assert [b["criterion"] for b in response.data["blocked_by"]] == ["scorecard_critical_areas"]
    assert "cannot be overridden" in response.data["detail"]
    assert state(critical_area_low) == before


def test_the_page_disables_go_with_the_reason_and_refuses_a_posted_go(
    client, critical_area_low, chair
):
    client.force_login(chair)
    page = client.get(page_url(critical_area_low)).content.decode()
    assert 'data-testid="go-blocked"' in page
    go_option = page[page.index('value="go"') - 200 : page.index('value="go"') + 300]
    assert "disabled" in go_option
    assert "cannot be overridden" in page

    before = state(critical_area_low)
    response = client.post(
        page_url(critical_area_low, "decide"),
        {
            "decision": "go",
            "reason": "Two approvals.",
            "override_justification": "Accepted.",
            "actions-TOTAL_FORMS": "0",
            "actions-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 400
    assert "Go (advance) is not available" in response.content.decode()
    assert state(critical_area_low) == before


def test_hold_stays_possible_while_go_is_blocked(critical_area_low, chair):
    gate_request_decide(
        request=critical_area_low, actor=chair, decision="hold", reason="Settle ownership first."
    )
    critical_area_low.refresh_from_db()
    assert critical_area_low.decision == Decision.HOLD
    assert Initiative.objects.get(pk=critical_area_low.initiative_id).status == Status.PAUSED


@pytest.fixture
def area_at_one(templates, gate_policies, product_owner, delivery_owner, chair, legal):
    """An area scored 1 (vendor readiness, not critical), no review yet, fully approved."""
    initiative = initiative_in_pilot(templates, product_owner, delivery_owner, vendor_readiness=1)
    request = gate_request_create(
        initiative=initiative, actor=product_owner, justification="Vendor review is booked."
    )
    approve(request, chair, legal)
    return request


def test_an_area_at_one_without_a_review_blocks_go_until_the_council_reviews_it(
    area_at_one, chair, legal
):
    before = state(area_at_one)
    response = api(chair).post(
        decide_url(area_at_one), {"decision": "go", "reason": "Approved."}, format="json"
    )
    assert response.status_code == 409
    assert [b["criterion"] for b in response.data["blocked_by"]] == ["lowest_scores_reviewed"]
    assert "Vendor readiness" in response.data["blocked_by"][0]["detail"]
    assert state(area_at_one) == before

    scorecard = Assessment.objects.get(
        initiative_id=area_at_one.initiative_id,
        template__key="readiness_scorecard",
        status=AssessmentStatus.SUBMITTED,
    )
    item_review_record(
        assessment=scorecard,
        item_id="vendor_readiness",
        actor=legal,
        outcome="accepted",
        note="Vendor is only used for a fallback; security review booked.",
    )
    decided = gate_request_decide(
        request=area_at_one, actor=chair, decision="go", reason="Reviewed and approved."
    )
    assert decided.decision == Decision.GO
    assert Initiative.objects.get(pk=area_at_one.initiative_id).stage == Stage.CONTROLLED_ROLLOUT


@pytest.mark.parametrize("from_stage", [Stage.EXPLORATION, Stage.PILOT])
def test_a_prohibited_practice_may_not_move_to_any_stage(
    from_stage, templates, gate_policies, product_owner, delivery_owner, chair, legal
):
    product_member = seated_council_member(seat=Seat.PRODUCT, username="pia")
    initiative = ready_initiative(templates, product_owner, delivery_owner, stage=from_stage)
    Initiative.objects.filter(pk=initiative.pk).update(eu_ai_act_tier="prohibited")
    request = gate_request_create(
        initiative=initiative, actor=product_owner, justification="Legal says it is fine."
    )
    approve(request, chair, legal, product_member)
    before = state(request)
    with pytest.raises(BlockedError) as error:
        gate_request_decide(request=request, actor=chair, decision="go", reason="Approved.")
    assert [b["criterion"] for b in error.value.blocked_by] == ["not_prohibited_tier"]
    assert "prohibited AI practice" in error.value.message
    assert state(request) == before


def test_a_policy_cannot_make_a_hard_criterion_overridable(gate_policies, governance_admin):
    version = gate_policies[Stage.PILOT]
    criteria = [
        {**c, "hard": False} if c["id"] == "scorecard_critical_areas" else c
        for c in version.criteria
    ]
    with pytest.raises(ValidationError) as error:
        gate_policy_version_create(
            policy=version.policy,
            actor=governance_admin,
            criteria=criteria,
            quorum=version.quorum,
            required_seats=version.required_seats,
            decider_roles=version.decider_roles,
        )
    assert "can never be overridden" in str(error.value.message_dict["criteria"])


# ---------------------------------------------------------------------------------------------
# Soft criteria: overridden only with a justification, and then listed as exceptions
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def low_total(templates, gate_policies, product_owner, delivery_owner, chair, legal):
    """Total 54 against the pilot gate's minimum of 55 (every area 3: no critical area low)."""
    initiative = ready_initiative(templates, product_owner, delivery_owner)
    submit(initiative, product_owner, "readiness_scorecard", scorecard_answers(templates, 3))
    request = gate_request_create(
        initiative=initiative, actor=product_owner, justification="One point short."
    )
    approve(request, chair, legal)
    return request


def test_a_go_over_a_soft_failure_needs_a_justification(low_total, chair):
    before = state(low_total)
    with pytest.raises(ValidationError) as error:
        gate_request_decide(request=low_total, actor=chair, decision="go", reason="Approved.")
    assert "override_justification" in error.value.message_dict
    assert state(low_total) == before

    response = api(chair).post(
        decide_url(low_total), {"decision": "go", "reason": "Approved."}, format="json"
    )
    assert response.status_code == 400
    assert "override_justification" in response.data
    assert state(low_total) == before


def test_an_override_is_recorded_and_listed_everywhere(client, low_total, chair, executive):
    response = api(chair).post(
        decide_url(low_total),
        {
            "decision": "go",
            "reason": "Approved.",
            "override_justification": "The missing point is adoption training, booked for May.",
        },
        format="json",
    )
    assert response.status_code == 200, response.data
    (exception,) = GateException.objects.all()
    assert exception.criterion_id == "scorecard_ready"
    assert "below 55" in exception.detail
    assert exception.granted_by == chair
    assert [e["criterion"] for e in response.data["exceptions"]] == ["scorecard_ready"]
    assert AuditEvent.objects.filter(action="gate_exception.granted").count() == 1

    client.force_login(executive)
    request_page = client.get(page_url(low_total)).content.decode()
    assert 'data-testid="exceptions"' in request_page
    assert "adoption training, booked for May" in request_page
    initiative_page = client.get(
        reverse("portfolio:initiative_detail", args=[low_total.initiative_id])
    ).content.decode()
    assert "adoption training, booked for May" in initiative_page
    dashboard = client.get(reverse("reporting:dashboard")).content.decode()
    card = dashboard[dashboard.index('id="card-exceptions"') :]
    assert "adoption training, booked for May" in card[: card.index("</section>")]

    today = timezone.localdate()
    month = monthly_report_data(today.replace(day=1), today)
    (listed,) = month["exceptions"]
    assert listed["initiative"] == low_total.initiative.title
    assert listed["justification"].startswith("The missing point is adoption training")
    assert "below 55" in listed["criterion"] + listed["detail"]


# ---------------------------------------------------------------------------------------------
# Recusal binds the chair: an acting chair decides
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def chair_owns_it(templates, gate_policies, product_owner, delivery_owner, chair, legal):
    """The chair is the initiative's safety owner, so recused; legal and data approve."""
    data = seated_council_member(seat=Seat.DATA, username="dana")
    security = seated_council_member(seat=Seat.SECURITY, username="sam")
    initiative = ready_initiative(templates, product_owner, delivery_owner, safety_owner=chair)
    request = gate_request_create(initiative=initiative, actor=product_owner)
    approve(request, legal, security)
    return request, {"data": data, "security": security}


def test_a_recused_chair_cannot_decide(client, chair_owns_it, chair):
    request, _ = chair_owns_it
    before = state(request)
    with pytest.raises(PermissionDenied, match="recused"):
        gate_request_decide(request=request, actor=chair, decision="go", reason="Ready.")
    response = api(chair).post(decide_url(request), {"decision": "go", "reason": "x"})
    assert response.status_code == 403
    assert str(response.data["detail"]) == CHAIR_RECUSED_MESSAGE
    client.force_login(chair)
    assert client.post(page_url(request, "decide"), {"decision": "go"}).status_code == 403
    assert state(request) == before


def test_an_acting_chair_named_by_the_chair_decides_and_the_record_says_so(
    client, chair_owns_it, chair
):
    request, members = chair_owns_it
    client.force_login(chair)
    page = client.get(page_url(request)).content.decode()
    assert "As chair, name an acting chair" in page
    response = client.post(page_url(request, "acting_chair"), {"member": members["data"].pk})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.acting_chair == members["data"]

    page = client.get(page_url(request)).content.decode()
    assert "named by Chris Dubois. The chair, Chris Dubois, is recused" in page

    decided = gate_request_decide(
        request=request, actor=members["data"], decision="go", reason="Ready."
    )
    assert decided.decided_as == DecidedAs.ACTING_CHAIR
    assert decided.decided_by == members["data"]
    event = AuditEvent.objects.get(action="gate_request.decided")
    assert event.changes["decided_as"] == [None, "acting_chair"]
    assert event.changes["acting_chair_named_by"] == [None, chair.pk]
    assert event.changes["chair_recused_as"] == [None, "safety owner"]
    client.force_login(members["data"])
    page = client.get(page_url(request)).content.decode()
    assert decided_by_line(page) == (
        f"{display_name(members['data'])} acting chair, named by Chris Dubois The chair, "
        "Chris Dubois, was recused: the initiative's safety owner."
    )
    record = api(members["data"]).get(f"/api/v1/gate-requests/{request.pk}/").data
    assert record["acting_chair_record"]["chair_recused"] is True
    assert record["acting_chair_record"]["chair_recused_as"] == "safety owner"
    assert record["acting_chair_record"]["named_by"]["id"] == chair.pk


def decided_by_line(page: str) -> str:
    """The "Decided by" entry of the decision, as its words read."""
    entry = page[page.index("<dt>Decided by</dt>") :]
    entry = entry[: entry.index("</dd>")]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", entry)).split()[2:])


@pytest.fixture
def chair_away(templates, gate_policies, product_owner, delivery_owner, legal):
    """A request the chair is not recused from; legal and a second security member approve."""
    security = seated_council_member(seat=Seat.SECURITY, username="sam")
    data = seated_council_member(seat=Seat.DATA, username="dana")
    initiative = ready_initiative(templates, product_owner, delivery_owner)
    request = gate_request_create(initiative=initiative, actor=product_owner)
    approve(request, legal, security)
    return request, data


@pytest.mark.parametrize("named_by", ["chair", "governance_admin"])
def test_an_acting_chair_for_a_chair_who_is_away_decides_and_nothing_claims_recusal(
    named_by, client, chair_away, chair, governance_admin
):
    request, data = chair_away
    namer = {"chair": chair, "governance_admin": governance_admin}[named_by]
    response = api(namer).post(
        f"/api/v1/gate-requests/{request.pk}/acting-chair/", {"member": data.pk}, format="json"
    )
    assert response.status_code == 200, response.data
    record = response.data["acting_chair_record"]
    assert (record["named_by"]["id"], record["chair"]["id"]) == (namer.pk, chair.pk)
    assert record["chair_recused"] is False
    naming = AuditEvent.objects.get(action="gate_request.acting_chair_named")
    assert naming.reason.startswith("The chair, Chris Dubois, is not recused")

    client.force_login(data)
    page = client.get(page_url(request)).content.decode()
    assert "Record the decision (acting chair)" in page
    assert "The chair, Chris Dubois, is not recused: either of them may record" in page

    response = api(data).post(
        decide_url(request), {"decision": "go", "reason": "Ready."}, format="json"
    )
    assert response.status_code == 200, response.data
    assert response.data["decided_as"] == "acting_chair"
    record = response.data["acting_chair_record"]
    assert (record["chair_recused"], record["chair_recused_as"]) == (False, "")
    assert "was recused" not in record["summary"]
    event = AuditEvent.objects.get(action="gate_request.decided")
    assert event.changes["acting_chair_named_by"] == [None, namer.pk]
    assert event.changes["chair"] == [None, chair.pk]
    assert event.changes["chair_recused_as"] == [None, ""]
    line = decided_by_line(client.get(page_url(request)).content.decode())
    assert line == (
        f"{display_name(data)} acting chair, named by {display_name(namer)} The chair, "
        "Chris Dubois, was not recused: the acting chair stood in for them."
    )


def test_a_chair_who_is_not_recused_still_decides_after_naming_an_acting_chair(chair_away, chair):
    request, data = chair_away
    gate_request_name_acting_chair(request=request, actor=chair, member=data)
    decided = gate_request_decide(request=request, actor=chair, decision="go", reason="Back.")
    assert (decided.decided_by, decided.decided_as) == (chair, DecidedAs.CHAIR)
    event = AuditEvent.objects.get(action="gate_request.decided")
    assert "chair_recused_as" not in event.changes


def test_a_recused_member_or_the_chair_cannot_be_acting_chair(
    chair_owns_it, chair, product_owner, governance_admin
):
    request, _ = chair_owns_it
    with pytest.raises(ValidationError, match="decides as chair"):
        gate_request_name_acting_chair(request=request, actor=governance_admin, member=chair)
    # The business owner also sits on the council: recused from their own initiative.
    CouncilMembershipFactory(user=product_owner, seat=Seat.PRODUCT)
    product_owner.groups.add(Group.objects.get(name=Role.COUNCIL_MEMBER))
    owner_on_council = get_user_model().objects.get(pk=product_owner.pk)
    with pytest.raises(ValidationError, match="recused"):
        gate_request_name_acting_chair(
            request=request, actor=governance_admin, member=owner_on_council
        )
    with pytest.raises(PermissionDenied):
        gate_request_name_acting_chair(request=request, actor=product_owner, member=None)


def test_only_the_named_member_acts_as_chair(chair_owns_it, chair):
    request, members = chair_owns_it
    gate_request_name_acting_chair(request=request, actor=chair, member=members["data"])
    with pytest.raises(PermissionDenied):
        gate_request_decide(
            request=request, actor=members["security"], decision="go", reason="Ready."
        )


# ---------------------------------------------------------------------------------------------
# Iterate: a bounded fix that comes back by itself
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def approved_with_conditions(templates, gate_policies, product_owner, delivery_owner, chair, legal):
    initiative = ready_initiative(templates, product_owner, delivery_owner)
    request = gate_request_create(initiative=initiative, actor=product_owner)
    approve(request, chair, legal, conditions="Add a rollback drill\nName an on-call owner")
    return request


def test_iterate_needs_a_due_date_within_two_sprints(approved_with_conditions, chair, settings):
    settings.SPRINT_DAYS = 14
    today = timezone.localdate()
    for due, message in (
        (None, "the day the fix comes back"),
        (today, "after today"),
        (today + datetime.timedelta(days=29), "at most 2 sprints"),
    ):
        with pytest.raises(ValidationError) as error:
            gate_request_decide(
                request=approved_with_conditions,
                actor=chair,
                decision="iterate",
                reason="Fix the drill.",
                iterate_due_on=due,
            )
        assert message in error.value.message_dict["iterate_due_on"][0]
    assert GateRequest.objects.get(pk=approved_with_conditions.pk).status == "pending"


def test_iterate_keeps_the_stage_turns_conditions_into_actions_and_comes_back_when_due(
    approved_with_conditions, chair
):
    due = timezone.localdate() + datetime.timedelta(days=21)
    decided = gate_request_decide(
        request=approved_with_conditions,
        actor=chair,
        decision="iterate",
        reason="Fix the rollback drill first.",
        iterate_due_on=due,
    )
    initiative = Initiative.objects.get(pk=decided.initiative_id)
    assert (initiative.stage, initiative.status) == (Stage.PILOT, Status.ACTIVE)
    items = list(ActionItem.objects.filter(gate_request=decided).order_by("title"))
    assert [item.title for item in items] == ["Add a rollback drill", "Name an on-call owner"]
    assert {item.due_date for item in items} == {due}

    assert return_due_iterations() == 0  # not due yet
    with time_machine.travel(datetime.datetime.combine(due, datetime.time(8)).astimezone()):
        assert return_due_iterations() == 1
        assert return_due_iterations() == 0  # never twice
    back = GateRequest.objects.get(returned_from=decided)
    assert back.status == GateRequestStatus.PENDING
    assert back.requested_by == decided.requested_by
    assert "Back after the iterate decision" in back.justification


@pytest.fixture
def iterated(approved_with_conditions, chair):
    """The request sent back to iterate, due in three weeks; returns it and its due day."""
    due = timezone.localdate() + datetime.timedelta(days=21)
    gate_request_decide(
        request=approved_with_conditions,
        actor=chair,
        decision="iterate",
        reason="Fix the rollback drill first.",
        iterate_due_on=due,
    )
    return approved_with_conditions, due


def on(day: datetime.date):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(8)).astimezone())


def test_an_iterate_that_fell_due_while_no_worker_ran_comes_back_when_one_starts(iterated):
    request, due = iterated
    with on(due + datetime.timedelta(days=10)):
        # A worker started only for other queues would wait on a queue it does not read.
        other = Celery("other-queues-only", set_as_current=False)
        other.amqp.queues.select(["pdf-exports"])
        return_iterations_when_a_worker_starts(sender=SimpleNamespace(app=other))
        assert not GateRequest.objects.filter(returned_from=request).exists()

        return_iterations_when_a_worker_starts(sender=SimpleNamespace(app=celery_app))
    back = GateRequest.objects.get(returned_from=request)
    assert back.status == GateRequestStatus.PENDING


def _stop(request, chair, *_):
    initiative_status_change(
        initiative=Initiative.objects.get(pk=request.initiative_id),
        actor=chair,
        to_status=Status.STOPPED,
        reason="Budget withdrawn.",
    )


def _move(request, chair, admin, *_):
    initiative_change_stage(
        initiative=Initiative.objects.get(pk=request.initiative_id),
        actor=admin,
        to_stage=Stage.CONTROLLED_ROLLOUT,
        reason="Set directly by the admin.",
    )


def _ask_again(request, chair, admin, owner):
    gate_request_create(initiative=Initiative.objects.get(pk=request.initiative_id), actor=owner)


@pytest.mark.parametrize("lapse", [_stop, _move, _ask_again], ids=["stopped", "moved", "asked"])
def test_an_iterate_that_can_no_longer_come_back_is_not_looked_at_again(
    lapse, iterated, chair, governance_admin, product_owner, django_assert_num_queries
):
    request, due = iterated
    lapse(request, chair, governance_admin, product_owner)
    filed = GateRequest.objects.count()
    with on(due + datetime.timedelta(days=1)):
        assert returnable_iterations(timezone.localdate()) == []
        # One query finds nothing to do: the lapsed iterate is not loaded and tried every day.
        with django_assert_num_queries(1):
            assert return_due_iterations() == 0
    assert GateRequest.objects.count() == filed


def test_a_withdrawn_request_does_not_stand_in_for_the_iterate(iterated, product_owner):
    request, due = iterated
    early = gate_request_create(
        initiative=Initiative.objects.get(pk=request.initiative_id), actor=product_owner
    )
    gate_request_withdraw(request=early, actor=product_owner, reason="Filed too early.")
    with on(due):
        assert return_due_iterations() == 1
    assert GateRequest.objects.get(returned_from=request).status == GateRequestStatus.PENDING


def test_an_iterate_on_a_paused_initiative_comes_back_once_it_is_resumed(iterated, chair):
    request, due = iterated
    initiative = Initiative.objects.get(pk=request.initiative_id)
    initiative_status_change(
        initiative=initiative, actor=chair, to_status=Status.PAUSED, reason="Team on leave."
    )
    with on(due):
        assert return_due_iterations() == 0
    initiative_status_change(
        initiative=Initiative.objects.get(pk=initiative.pk),
        actor=chair,
        to_status=Status.ACTIVE,
        reason="Team is back.",
    )
    with on(due + datetime.timedelta(days=3)):
        assert return_due_iterations() == 1
    assert GateRequest.objects.filter(returned_from=request).count() == 1


def test_hold_keeps_the_conditions_and_the_message_shows_the_new_status(
    client, approved_with_conditions, chair
):
    client.force_login(chair)
    response = client.post(
        page_url(approved_with_conditions, "decide"),
        {
            "decision": "hold",
            "reason": "Until the drill passes.",
            "actions-TOTAL_FORMS": "0",
            "actions-INITIAL_FORMS": "0",
        },
        follow=True,
    )
    assert response.status_code == 200
    titles = sorted(
        ActionItem.objects.filter(gate_request=approved_with_conditions).values_list(
            "title", flat=True
        )
    )
    assert titles == ["Add a rollback drill", "Name an on-call owner"]
    assert "is now Pilot (Paused (hold))" in response.content.decode()


# ---------------------------------------------------------------------------------------------
# make run never loses an admin's work
# ---------------------------------------------------------------------------------------------


def test_reloading_the_shipped_policies_keeps_an_admins_newer_version(
    gate_policies, governance_admin
):
    policy = GatePolicy.objects.get(from_stage=Stage.PILOT)
    shipped = gate_policies[Stage.PILOT]
    edited = gate_policy_version_create(
        policy=policy,
        actor=governance_admin,
        criteria=shipped.criteria,
        quorum=3,
        required_seats=shipped.required_seats,
        decider_roles=shipped.decider_roles,
        note="Three votes for rollouts.",
    )
    gate_policies_load_defaults()
    out = io.StringIO()
    call_command("load_gate_policies", stdout=out)
    newest = policy.versions.order_by("-number").first()
    assert newest == edited
    assert newest.quorum == 3
    assert "kept: edited by" in out.getvalue()
