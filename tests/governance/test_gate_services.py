"""The gate services: policies, requests, votes, decisions, pause / resume / stop, item reviews,
re-reviews and notifications; plus the selectors the queue and the initiative page use.

`pilot` is a ready initiative in pilot: business owner `product_owner`, delivery owner
`delivery_owner`. The council: `chair` (security, chairs), `legal`, `data_member`,
`product_member`; the plain `council_member` fixture holds the role but no seat.
"""

# The fixtures imported from gate_service_support are requested by name, which ruff reads as
# redefinitions.
# ruff: noqa: F811

from __future__ import annotations

import datetime
import smtplib

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from core.errors import ConflictError
from core.models import AuditEvent
from core.roles import Role
from governance.audit import permissions as audit_permissions
from governance.council import permissions as council_permissions
from governance.gates import notifications, permissions, selectors
from governance.gates.drift_rules import MaterialChange
from governance.gates.services import initiative_status_change
from governance.gates.services.decisions import gate_request_decide
from governance.gates.services.policies import (
    gate_policies_load_defaults,
    gate_policy_version_create,
)
from governance.gates.services.requests import gate_request_create, gate_request_withdraw, vote_cast
from governance.gates.services.reviews import item_review_record, rereview_confirm, rereview_raise
from governance.models import (
    ActionItem,
    CouncilMeeting,
    CouncilMembership,
    GatePolicyVersion,
    GateRequest,
    GateRequestStatus,
    Incident,
    ItemReview,
    ReReview,
    Risk,
    Seat,
    Vote,
)
from governance.register import notifications as register_notifications
from governance.register import permissions as register_permissions
from governance.tasks import send_overdue_action_item_reminders
from portfolio.models import Initiative, ProblemStatement, Stage, StageTransition, Status
from portfolio.services import initiative_update, problem_statement_save
from tests.factories import (
    GateRequestFactory,
    InitiativeFactory,
    UserFactory,
    VendorFactory,
    seated_council_member,
)
from tests.governance.gate_service_support import ready_initiative, scorecard_answers, submit
from tests.roles import SIGNED_IN, signed_in_except

pytestmark = pytest.mark.django_db


def events(action: str, **filters) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action, **filters).order_by("sequence"))


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run on_commit callbacks (the emails) as the real commit would."""

    def run(function, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(**kwargs)

    return run


@pytest.fixture
def filed(pilot, product_owner):
    return gate_request_create(initiative=pilot, actor=product_owner)


def approve_both(request, chair, legal):
    vote_cast(request=request, actor=chair, choice="approve")
    vote_cast(request=request, actor=legal, choice="approve")


# ---------------------------------------------------------------------------------------------
# Permission helpers
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", SIGNED_IN)
def test_permission_helpers_per_role(role, users_by_role, initiative):
    user = users_by_role[role]
    expected = {
        "request": {"owner", "governance_admin"},
        "vote": {"council_member"},
        "register": {"owner", "council_member", "governance_admin"},
        "policies": {"governance_admin"},
        "audit": {"auditor", "governance_admin"},
        "status": {"governance_admin"},
    }
    assert permissions.can_request_gate(user, initiative) is (role in expected["request"])
    assert permissions.can_vote(user) is (role in expected["vote"])
    assert register_permissions.can_manage_register(user, initiative) is (
        role in expected["register"]
    )
    assert permissions.can_edit_policies(user) is (role in expected["policies"])
    assert audit_permissions.can_read_audit(user) is (role in expected["audit"])
    assert permissions.can_change_status(user) is (role in expected["status"])
    assert council_permissions.is_chair(user) is False


def test_anonymous_users_may_do_nothing(initiative):
    from django.contrib.auth.models import AnonymousUser

    anonymous = AnonymousUser()
    assert not permissions.can_request_gate(anonymous, initiative)
    assert not permissions.can_vote(anonymous)
    assert not council_permissions.is_chair(anonymous)
    assert not register_permissions.can_manage_register(anonymous, initiative)
    assert not audit_permissions.can_read_audit(anonymous)
    assert council_permissions.council_membership(anonymous) is None


def test_the_chair_is_the_active_member_marked_chair(chair, legal):
    assert council_permissions.is_chair(chair)
    assert not council_permissions.is_chair(legal)
    CouncilMembership.objects.filter(user=chair).update(active=False)
    assert not council_permissions.is_chair(UserFactory(username="chris"))


def test_a_chair_without_the_council_role_does_not_chair(db):
    user = UserFactory(username="formerchair", roles=[Role.EXECUTIVE])
    CouncilMembership.objects.create(user=user, seat=Seat.EXECUTIVE, is_chair=True)
    assert not council_permissions.is_chair(user)


def test_the_membership_is_read_once_per_user_object(chair, django_assert_num_queries):
    fresh = type(chair).objects.get(pk=chair.pk)
    with django_assert_num_queries(2):  # roles, then membership
        for _ in range(3):
            council_permissions.is_chair(fresh)
            council_permissions.council_seat(fresh)


def test_decider_roles_of_a_policy_decide_who_votes(executive, council_member):
    assert permissions.can_vote(executive, ["executive"])
    assert not permissions.can_vote(council_member, ["executive"])
    assert not permissions.can_vote(council_member, [])
    assert not permissions.can_vote(council_member, ["not_a_role"])


# ---------------------------------------------------------------------------------------------
# Gate policies
# ---------------------------------------------------------------------------------------------


def test_loading_the_defaults_twice_creates_each_version_once(db):
    first = gate_policies_load_defaults()
    assert [created for _, created in first] == [True] * 4
    second = gate_policies_load_defaults()
    assert [created for _, created in second] == [False] * 4
    assert GatePolicyVersion.objects.count() == 4
    assert len(events("gate_policy.version_created")) == 4
    assert len(events("gate_policy.created")) == 4


def test_load_gate_policies_command_reports_each_policy(db, capsys):
    call_command("load_gate_policies")
    call_command("load_gate_policies")
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("Exploration → Pilot") and out[0].endswith("v1  loaded")
    assert out[4].endswith("v1  unchanged")


def test_an_admin_edit_makes_a_new_version_and_pending_requests_keep_theirs(
    filed, governance_admin, pilot, gate_policies
):
    old = filed.policy_version
    criteria = [*old.criteria, {"id": "no_open_incident", "params": {}}]
    new = gate_policy_version_create(
        policy=old.policy,
        actor=governance_admin,
        criteria=criteria,
        quorum=3,
        required_seats=["security", "legal", "data"],
        decider_roles=["council_member"],
        note="Incidents block the rollout too",
    )
    assert new.number == old.number + 1
    assert (new.quorum, new.required_seats) == (3, ["security", "legal", "data"])
    filed.refresh_from_db()
    assert filed.policy_version_id == old.pk
    old.refresh_from_db()
    assert old.quorum == 2  # versions never change
    (event,) = events("gate_policy.version_created", object_id=str(new.pk))
    assert event.actor == governance_admin
    assert event.changes["quorum"] == [2, 3]
    assert event.reason == "Incidents block the rollout too"


def test_a_pending_request_is_tallied_under_its_own_version(filed, governance_admin, chair, legal):
    version = filed.policy_version
    gate_policy_version_create(
        policy=version.policy,
        actor=governance_admin,
        criteria=version.criteria,
        quorum=4,
        required_seats=["security"],
        decider_roles=["council_member"],
    )
    approve_both(filed, chair, legal)
    assert selectors.request_tally(GateRequest.objects.get(pk=filed.pk)).can_go


def test_identical_content_creates_no_new_version(gate_policies, governance_admin):
    current = gate_policies["pilot"]
    same = gate_policy_version_create(
        policy=current.policy,
        actor=governance_admin,
        criteria=current.criteria,
        quorum=current.quorum,
        required_seats=current.required_seats,
        decider_roles=current.decider_roles,
        note="no change",
    )
    assert same.pk == current.pk
    assert current.policy.versions.count() == 1


def test_an_edit_made_on_an_older_version_is_refused_with_the_newest(
    gate_policies, governance_admin
):
    current = gate_policies["pilot"]
    edit = {
        "policy": current.policy,
        "actor": governance_admin,
        "criteria": current.criteria,
        "required_seats": current.required_seats,
        "decider_roles": current.decider_roles,
    }
    newer = gate_policy_version_create(
        **edit, quorum=3, note="First admin", expected_version=current.number
    )
    with pytest.raises(ConflictError) as conflict:
        gate_policy_version_create(
            **edit, quorum=4, note="Second admin", expected_version=current.number
        )
    assert conflict.value.message == (
        f"Version {newer.number} was saved after you opened version {current.number}. "
        "Review it below, then save again."
    )
    assert conflict.value.current == {
        "number": newer.number,
        "criteria": newer.criteria,
        "quorum": 3,
        "required_seats": newer.required_seats,
        "decider_roles": newer.decider_roles,
    }
    assert list(current.policy.versions.values_list("number", "quorum")) == [
        (newer.number, 3),
        (current.number, current.quorum),
    ]
    assert len(events("gate_policy.version_created", object_id=str(newer.pk))) == 1
    assert AuditEvent.objects.filter(reason="Second admin").count() == 0


@pytest.mark.parametrize("role", signed_in_except("governance_admin"))
def test_only_a_governance_admin_edits_policies(role, users_by_role, gate_policies):
    current = gate_policies["pilot"]
    with pytest.raises(PermissionDenied, match="governance admin"):
        gate_policy_version_create(
            policy=current.policy,
            actor=users_by_role[role],
            criteria=current.criteria,
            quorum=1,
            required_seats=[],
            decider_roles=["council_member"],
        )


def test_invalid_policy_content_is_refused_field_by_field(gate_policies, governance_admin):
    current = gate_policies["pilot"]
    with pytest.raises(ValidationError) as error:
        gate_policy_version_create(
            policy=current.policy,
            actor=governance_admin,
            criteria=[{"id": "vibes"}, {"id": "scorecard_ready", "params": {"min_total": -1}}],
            quorum=0,
            required_seats=["janitor"],
            decider_roles=["wizard"],
        )
    errors = error.value.message_dict
    assert set(errors) == {"criteria", "quorum", "required_seats", "decider_roles"}
    assert "“vibes” is not one of" in errors["criteria"][0]
    assert "min_total must be at least 0" in errors["criteria"][1]
    assert "Unknown role: wizard" in errors["decider_roles"][0]
    assert current.policy.versions.count() == 1


def test_a_policy_needs_a_decider_role(gate_policies, governance_admin):
    current = gate_policies["pilot"]
    with pytest.raises(ValidationError) as error:
        gate_policy_version_create(
            policy=current.policy,
            actor=governance_admin,
            criteria=current.criteria,
            quorum=1,
            required_seats=[],
            decider_roles=[],
        )
    assert "decider_roles" in error.value.message_dict


# ---------------------------------------------------------------------------------------------
# Filing a gate request
# ---------------------------------------------------------------------------------------------


def test_the_owner_files_a_request_with_every_criterion_frozen(filed, pilot, product_owner):
    assert (filed.from_stage, filed.to_stage) == (Stage.PILOT, Stage.CONTROLLED_ROLLOUT)
    assert filed.status == GateRequestStatus.PENDING
    assert filed.requested_by == product_owner
    assert filed.all_criteria_passed
    assert [item["id"] for item in filed.evidence] == [
        "not_prohibited_tier",
        "problem_statement_complete",
        "owners_named",
        "scorecard_ready",
        "scorecard_critical_areas",
        "checklist_passed",
        "kpi_recorded",
        "no_unmitigated_high_risk",
        "lowest_scores_reviewed",
    ]
    hard = {item["id"] for item in filed.evidence if item["hard"]}
    assert hard == {
        "not_prohibited_tier",
        "owners_named",
        "scorecard_critical_areas",
        "lowest_scores_reviewed",
    }
    scorecard = pilot.assessments.get(template__key="readiness_scorecard", status="submitted")
    by_id = {item["id"]: item for item in filed.evidence}
    assert by_id["scorecard_ready"]["evidence_kind"] == "assessment"
    assert by_id["scorecard_ready"]["evidence_id"] == scorecard.pk
    assert by_id["problem_statement_complete"]["evidence_id"] == pilot.problem_statement.pk
    assert all(item["passed"] for item in filed.evidence)
    (event,) = events("gate_request.filed")
    assert event.actor == product_owner
    assert event.initiative_id == pilot.pk
    assert event.changes["to_stage"] == [None, "controlled_rollout"]
    assert event.changes["failing_criteria"] == [None, []]


def test_the_review_is_due_gate_review_days_after_filing(pilot, product_owner, settings):
    settings.GATE_REVIEW_DAYS = 5
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)):
        request = gate_request_create(initiative=pilot, actor=product_owner)
    assert request.review_due_at == datetime.datetime(2026, 3, 7, 9, 0, tzinfo=datetime.UTC)


def test_the_delivery_owner_and_an_admin_may_file(pilot, delivery_owner, governance_admin):
    request = gate_request_create(initiative=pilot, actor=delivery_owner)
    gate_request_withdraw(request=request, actor=delivery_owner, reason="Filed twice")
    assert gate_request_create(initiative=pilot, actor=governance_admin).pk


@pytest.mark.parametrize("role", signed_in_except("owner", "governance_admin"))
def test_others_may_not_file(role, users_by_role, pilot):
    with pytest.raises(PermissionDenied, match="business or delivery owner"):
        gate_request_create(initiative=pilot, actor=users_by_role[role])
    assert not GateRequest.objects.exists()


def test_failing_criteria_need_a_written_justification(pilot, product_owner):
    Risk.objects.create(
        initiative=pilot,
        category="privacy",
        description="Customer data sent to the model provider",
        likelihood=4,
        impact=5,
        severity=20,
        owner=product_owner,
    )
    with pytest.raises(ValidationError) as error:
        gate_request_create(initiative=pilot, actor=product_owner, justification="   ")
    message = error.value.message_dict["justification"][0]
    assert message.startswith("1 of 9 criteria fail (No open risk of severity 15 or more")
    assert not GateRequest.objects.exists()

    request = gate_request_create(
        initiative=pilot, actor=product_owner, justification="  DPA signed Friday; see memo. "
    )
    assert request.justification == "DPA signed Friday; see memo."
    assert not request.all_criteria_passed
    failing = [item for item in request.evidence if not item["passed"]]
    assert [item["id"] for item in failing] == ["no_unmitigated_high_risk"]
    assert failing[0]["evidence_kind"] == "risk"
    (event,) = events("gate_request.filed")
    assert event.reason == "DPA signed Friday; see memo."


def test_the_evidence_stays_as_it_was_when_filed(filed, pilot, product_owner):
    frozen = list(filed.evidence)
    Incident.objects.create(
        initiative=pilot, summary="Wrong answer", owner=product_owner, occurred_at=timezone.now()
    )
    Risk.objects.create(
        initiative=pilot,
        category="security",
        description="Prompt injection",
        likelihood=5,
        impact=5,
        severity=25,
        owner=product_owner,
    )
    filed.refresh_from_db()
    assert filed.evidence == frozen
    assert filed.all_criteria_passed


def test_only_one_request_may_be_pending_per_initiative(filed, pilot, delivery_owner):
    with pytest.raises(ValidationError) as error:
        gate_request_create(initiative=pilot, actor=delivery_owner)
    assert f"already pending (#{filed.pk}" in error.value.message_dict["initiative"][0]


@pytest.mark.parametrize("status", [Status.PAUSED, Status.STOPPED])
def test_only_an_active_initiative_may_ask_for_a_gate(status, pilot, product_owner):
    Initiative.objects.filter(pk=pilot.pk).update(status=status)
    pilot.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        gate_request_create(initiative=pilot, actor=product_owner)
    assert "only an active initiative" in error.value.message_dict["initiative"][0]


def test_operation_has_no_gate_left(templates, gate_policies, product_owner, delivery_owner):
    done = ready_initiative(templates, product_owner, delivery_owner, stage=Stage.OPERATION)
    with pytest.raises(ValidationError, match="last stage"):
        gate_request_create(initiative=done, actor=product_owner)


def test_a_transition_without_a_policy_is_refused(pilot, product_owner):
    GatePolicyVersion.objects.filter(policy__from_stage=Stage.PILOT).delete()
    with pytest.raises(ValidationError, match="no gate policy for Pilot → Controlled rollout"):
        gate_request_create(initiative=pilot, actor=product_owner)


def test_filing_emails_the_owners_and_asks_the_council_to_vote(
    on_commit, mailoutbox, pilot, product_owner, chair, legal, council_member, executive
):
    recused = UserFactory(username="recused", roles=[Role.COUNCIL_MEMBER])
    Initiative.objects.filter(pk=pilot.pk).update(executive_sponsor=recused)
    pilot.refresh_from_db()
    request = on_commit(gate_request_create, initiative=pilot, actor=product_owner)
    filed_mail, vote_mail = mailoutbox
    assert filed_mail.subject == "Gate request filed: Runbook finder (Pilot → Controlled rollout)"
    assert filed_mail.to == ["owner@example.com", "delia@example.com", "recused@example.com"]
    assert f"/gate-requests/{request.pk}/" in filed_mail.body
    assert vote_mail.subject == "Vote needed: Runbook finder (Pilot → Controlled rollout)"
    # Every council member except the recused sponsor; nobody without the role.
    assert sorted(vote_mail.to) == [
        "chris@example.com",
        "council@example.com",
        "lena@example.com",
    ]
    assert "Every criterion passed" in vote_mail.body


def test_nothing_is_emailed_when_filing_fails(on_commit, mailoutbox, pilot, auditor):
    with pytest.raises(PermissionDenied):
        on_commit(gate_request_create, initiative=pilot, actor=auditor)
    assert mailoutbox == []


# ---------------------------------------------------------------------------------------------
# Votes
# ---------------------------------------------------------------------------------------------


def test_a_council_member_votes_with_their_seat(filed, legal, pilot):
    vote = vote_cast(request=filed, actor=legal, choice="approve", comment="  DPA in place ")
    assert (vote.seat, vote.choice, vote.comment) == (Seat.LEGAL, "approve", "DPA in place")
    (event,) = events("vote.cast")
    assert event.actor == legal
    assert event.initiative_id == pilot.pk
    assert event.changes["choice"] == [None, "approve"]
    assert event.changes["seat"] == [None, "legal"]


def test_a_member_without_a_seat_votes_for_quorum_only(filed, council_member):
    vote = vote_cast(request=filed, actor=council_member, choice="approve")
    assert vote.seat == ""


def test_voting_again_updates_the_members_vote(filed, legal):
    vote_cast(request=filed, actor=legal, choice="reject", comment="No DPA")
    vote = vote_cast(
        request=filed,
        actor=legal,
        choice="approve_with_conditions",
        conditions="Sign the DPA\n\nRedact names",
    )
    assert Vote.objects.filter(request=filed).count() == 1
    assert vote.choice == "approve_with_conditions"
    assert vote.conditions == "Sign the DPA\nRedact names"
    (changed,) = events("vote.changed")
    assert changed.changes["choice"] == ["reject", "approve_with_conditions"]
    assert "gate_request" not in changed.changes


@pytest.mark.parametrize("role", signed_in_except("other_product_owner", "council_member"))
def test_only_council_members_vote(role, users_by_role, filed):
    with pytest.raises(PermissionDenied, match="Only governance council members"):
        vote_cast(request=filed, actor=users_by_role[role], choice="approve")


@pytest.mark.parametrize(
    ("field", "words"),
    [
        ("delivery_owner", "delivery owner"),
        ("executive_sponsor", "executive sponsor"),
        ("business_owner", "business owner"),
        ("safety_owner", "safety owner"),
    ],
)
def test_an_owner_or_sponsor_on_the_council_is_recused(field, words, filed, pilot, legal):
    Initiative.objects.filter(pk=pilot.pk).update(**{field: legal})
    with pytest.raises(PermissionDenied) as error:
        vote_cast(request=filed, actor=legal, choice="approve")
    assert str(error.value) == (
        f"You are recused: you are this initiative's {words}, and a council member who owns or "
        "sponsors an initiative cannot vote on or review it."
    )
    assert not Vote.objects.exists()


@pytest.mark.parametrize(
    ("choice", "comment", "conditions", "field", "words"),
    [
        ("maybe", "", "", "choice", "Choose one of"),
        ("approve_with_conditions", "", "  \n ", "conditions", "at least one condition"),
        ("approve", "", "Sign the DPA", "conditions", "Conditions go with"),
        ("reject", "  ", "", "comment", "Say why you reject"),
        ("abstain", "x" * 4001, "", "comment", "under 4000"),
    ],
)
def test_invalid_votes_are_explained(filed, legal, choice, comment, conditions, field, words):
    with pytest.raises(ValidationError) as error:
        vote_cast(request=filed, actor=legal, choice=choice, comment=comment, conditions=conditions)
    assert words in error.value.message_dict[field][0]
    assert not Vote.objects.exists()


def test_votes_close_when_the_request_is_decided(filed, chair, legal, data_member):
    approve_both(filed, chair, legal)
    gate_request_decide(request=filed, actor=chair, decision="go", reason="Ready")
    with pytest.raises(ConflictError, match="already decided"):
        vote_cast(request=filed, actor=data_member, choice="approve")


def test_votes_on_a_withdrawn_request_are_refused(filed, product_owner, legal):
    gate_request_withdraw(request=filed, actor=product_owner, reason="Not yet")
    with pytest.raises(ConflictError, match="withdrawn"):
        vote_cast(request=filed, actor=legal, choice="approve")


# ---------------------------------------------------------------------------------------------
# Decisions
# ---------------------------------------------------------------------------------------------


def test_go_advances_the_stage_with_a_transition_and_audit_events(filed, pilot, chair, legal):
    approve_both(filed, chair, legal)
    decided = gate_request_decide(
        request=filed, actor=chair, decision="go", reason="Controls verified in the pilot."
    )
    assert (decided.status, decided.decision) == ("decided", "go")
    assert decided.decided_by == chair
    assert decided.decision_reason == "Controls verified in the pilot."
    pilot.refresh_from_db()
    assert pilot.stage == Stage.CONTROLLED_ROLLOUT
    assert pilot.status == Status.ACTIVE
    (transition,) = StageTransition.objects.filter(initiative=pilot)
    assert (transition.from_stage, transition.to_stage) == ("pilot", "controlled_rollout")
    assert transition.actor == chair
    assert f"request #{filed.pk}" in transition.reason
    assert transition.gate_request_id == filed.pk
    assert (transition.from_status, transition.to_status) == ("", "")
    (decision_event,) = events("gate_request.decided")
    assert decision_event.changes["decision"] == [None, "go"]
    assert decision_event.changes["tally"][1] == {
        "approve": 2,
        "approve_with_conditions": 0,
        "reject": 0,
        "abstain": 0,
    }
    (stage_event,) = events("initiative.stage_changed")
    assert stage_event.changes["gate_request"] == [None, filed.pk]
    assert stage_event.sequence > decision_event.sequence


def test_hold_pauses_the_initiative_until_resumed(filed, pilot, chair, legal):
    vote_cast(request=filed, actor=chair, choice="reject", comment="No rollback path")
    vote_cast(request=filed, actor=legal, choice="abstain")
    gate_request_decide(request=filed, actor=chair, decision="hold", reason="Fix rollback")
    pilot.refresh_from_db()
    assert (pilot.stage, pilot.status) == (Stage.PILOT, Status.PAUSED)
    (event,) = events("initiative.status_changed")
    assert event.changes == {"status": ["active", "paused"], "gate_request": [None, filed.pk]}
    initiative_status_change(
        to_status=Status.ACTIVE, initiative=pilot, actor=chair, reason="Rollback drill passed"
    )
    pilot.refresh_from_db()
    assert pilot.status == Status.ACTIVE
    # Both changes are in the initiative's history; only the hold names the request.
    rows = [
        (t.from_stage, t.to_stage, t.from_status, t.to_status, t.gate_request_id)
        for t in StageTransition.objects.filter(initiative=pilot).order_by("id")
    ]
    assert rows == [
        ("pilot", "pilot", "active", "paused", filed.pk),
        ("pilot", "pilot", "paused", "active", None),
    ]


def test_kill_stops_the_initiative(filed, pilot, chair, legal):
    vote_cast(request=filed, actor=chair, choice="reject", comment="No value")
    vote_cast(request=filed, actor=legal, choice="reject", comment="No value")
    gate_request_decide(request=filed, actor=chair, decision="kill", reason="Sunset")
    pilot.refresh_from_db()
    assert (pilot.stage, pilot.status) == (Stage.PILOT, Status.STOPPED)
    (transition,) = StageTransition.objects.filter(initiative=pilot)
    assert (transition.from_stage, transition.to_stage) == ("pilot", "pilot")
    assert (transition.from_status, transition.to_status) == ("active", "stopped")
    assert transition.gate_request_id == filed.pk
    assert transition.actor == chair
    assert transition.reason == f"Gate decision: Kill (stop) (request #{filed.pk}). Sunset"
    assert not StageTransition.objects.stage_moves().exists()


@pytest.mark.parametrize("decision", ["go", "hold", "kill"])
def test_nothing_can_be_decided_without_quorum(decision, filed, chair):
    vote_cast(request=filed, actor=chair, choice="approve")
    with pytest.raises(ValidationError) as error:
        gate_request_decide(request=filed, actor=chair, decision=decision, reason="Now")
    assert "quorum" in error.value.message_dict["decision"][0]
    filed.refresh_from_db()
    assert filed.status == GateRequestStatus.PENDING


def test_go_needs_every_required_seat(filed, chair, data_member, pilot):
    vote_cast(request=filed, actor=chair, choice="approve")
    vote_cast(request=filed, actor=data_member, choice="approve")
    with pytest.raises(ValidationError) as error:
        gate_request_decide(request=filed, actor=chair, decision="go", reason="Now")
    assert error.value.message_dict["decision"] == [
        "Go is not possible yet: no approval yet from the legal seat(s)."
    ]
    # Quorum is met, so the chair may still hold.
    gate_request_decide(request=filed, actor=chair, decision="hold", reason="Wait for legal")
    pilot.refresh_from_db()
    assert pilot.status == Status.PAUSED


def test_go_needs_more_approvals_than_rejections(filed, chair, legal, data_member, product_member):
    approve_both(filed, chair, legal)
    vote_cast(request=filed, actor=data_member, choice="reject", comment="Drift")
    vote_cast(request=filed, actor=product_member, choice="reject", comment="Adoption")
    with pytest.raises(ValidationError, match="do not outnumber"):
        gate_request_decide(request=filed, actor=chair, decision="go", reason="Now")


@pytest.mark.parametrize("role", signed_in_except("other_product_owner"))
def test_only_the_chair_decides(role, users_by_role, filed, chair, legal):
    approve_both(filed, chair, legal)
    with pytest.raises(PermissionDenied, match="Only the council chair"):
        gate_request_decide(request=filed, actor=users_by_role[role], decision="go", reason="x")


def test_a_seated_member_who_does_not_chair_cannot_decide(filed, chair, legal):
    approve_both(filed, chair, legal)
    with pytest.raises(PermissionDenied):
        gate_request_decide(request=filed, actor=legal, decision="go", reason="x")


@pytest.mark.parametrize(
    ("decision", "reason", "field"),
    [("go", "   ", "reason"), ("maybe", "x", "decision")],
)
def test_a_decision_needs_a_known_choice_and_a_reason(filed, chair, legal, decision, reason, field):
    approve_both(filed, chair, legal)
    with pytest.raises(ValidationError) as error:
        gate_request_decide(request=filed, actor=chair, decision=decision, reason=reason)
    assert field in error.value.message_dict


def test_a_request_is_decided_only_once(filed, pilot, chair, legal):
    approve_both(filed, chair, legal)
    gate_request_decide(request=filed, actor=chair, decision="go", reason="Ready")
    with pytest.raises(ConflictError, match="already decided"):
        gate_request_decide(request=filed, actor=chair, decision="go", reason="Again")
    pilot.refresh_from_db()
    assert pilot.stage == Stage.CONTROLLED_ROLLOUT
    assert StageTransition.objects.filter(initiative=pilot).count() == 1
    assert len(events("gate_request.decided")) == 1


def test_go_on_a_paused_initiative_is_refused(filed, pilot, chair, legal):
    approve_both(filed, chair, legal)
    initiative_status_change(
        to_status=Status.PAUSED, initiative=pilot, actor=chair, reason="Budget freeze"
    )
    with pytest.raises(ValidationError, match="resume it before approving"):
        gate_request_decide(request=filed, actor=chair, decision="go", reason="Ready")


def test_go_after_the_stage_moved_is_a_conflict(filed, pilot, chair, legal):
    approve_both(filed, chair, legal)
    Initiative.objects.filter(pk=pilot.pk).update(stage=Stage.SCALE)
    with pytest.raises(ConflictError, match="now in Scale decision"):
        gate_request_decide(request=filed, actor=chair, decision="go", reason="Ready")


def test_a_stopped_initiative_cannot_be_decided(filed, pilot, chair, legal):
    approve_both(filed, chair, legal)
    Initiative.objects.filter(pk=pilot.pk).update(status=Status.STOPPED)
    with pytest.raises(ValidationError, match="withdraw this request"):
        gate_request_decide(request=filed, actor=chair, decision="kill", reason="x")


def test_conditions_become_action_items_with_owner_and_due_date(
    filed, pilot, chair, legal, delivery_owner, product_owner
):
    vote_cast(request=filed, actor=chair, choice="approve")
    vote_cast(
        request=filed,
        actor=legal,
        choice="approve_with_conditions",
        conditions="Sign the DPA with the vendor\nRedact names before sending",
    )
    with time_machine.travel(datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC)):
        gate_request_decide(
            request=filed,
            actor=chair,
            decision="go",
            reason="Ready with conditions",
            action_items=[
                {
                    "title": "sign the DPA  with the vendor",  # the chair's version of a condition
                    "owner": product_owner,
                    "due_date": datetime.date(2026, 3, 20),
                },
                {"title": "Weekly drift report", "owner": chair.pk, "due_date": "2026-04-01"},
            ],
        )
    items = {item.title: item for item in ActionItem.objects.filter(gate_request=filed)}
    assert set(items) == {
        "sign the DPA  with the vendor",
        "Weekly drift report",
        "Redact names before sending",
    }
    assert items["sign the DPA  with the vendor"].owner == product_owner
    assert items["Weekly drift report"].due_date == datetime.date(2026, 4, 1)
    condition = items["Redact names before sending"]
    assert condition.owner == delivery_owner
    assert condition.due_date == datetime.date(2026, 4, 1)  # 30 days
    assert condition.initiative == pilot
    assert condition.created_by == chair
    assert len(events("action_item.created")) == 3


def test_conditions_become_action_items_on_hold_too(filed, chair, legal):
    vote_cast(request=filed, actor=chair, choice="reject", comment="Not yet")
    vote_cast(request=filed, actor=legal, choice="approve_with_conditions", conditions="Sign DPA")
    gate_request_decide(
        request=filed,
        actor=chair,
        decision="hold",
        reason="Close the gaps",
        action_items=[{"title": "Close the gaps", "owner": chair, "due_date": "2099-01-01"}],
    )
    assert sorted(ActionItem.objects.values_list("title", flat=True)) == [
        "Close the gaps",
        "Sign DPA",
    ]


def test_invalid_action_items_are_explained_and_nothing_is_decided(filed, pilot, chair, legal):
    approve_both(filed, chair, legal)
    with pytest.raises(ValidationError) as error:
        gate_request_decide(
            request=filed,
            actor=chair,
            decision="go",
            reason="Ready",
            action_items=[
                {"title": "", "owner": chair, "due_date": "2099-01-01"},
                {"title": "Drill", "owner": None, "due_date": "tomorrow"},
                {"title": "Old", "owner": chair, "due_date": "2000-01-01"},
            ],
        )
    assert error.value.message_dict["action_items"] == [
        "Action item 1: give it a title.",
        "Action item 2: choose an owner (an active user).",
        "Action item 2: give a due date (YYYY-MM-DD).",
        "Action item 3: the due date is in the past.",
    ]
    filed.refresh_from_db()
    pilot.refresh_from_db()
    assert filed.status == GateRequestStatus.PENDING
    assert pilot.stage == Stage.PILOT


def test_a_decision_taken_in_a_meeting_is_linked_to_it(filed, chair, legal):
    meeting = CouncilMeeting.objects.create(title="Weekly council", scheduled_for=timezone.now())
    approve_both(filed, chair, legal)
    decided = gate_request_decide(
        request=filed, actor=chair, decision="go", reason="Ready", meeting=meeting
    )
    assert decided.meeting == meeting
    assert list(meeting.decisions.all()) == [decided]


def test_the_decision_is_emailed_to_owners_requester_and_voters(
    on_commit, mailoutbox, filed, chair, legal
):
    vote_cast(request=filed, actor=chair, choice="approve", comment="Controls verified")
    vote_cast(request=filed, actor=legal, choice="approve_with_conditions", conditions="Sign DPA")
    on_commit(gate_request_decide, request=filed, actor=chair, decision="go", reason="Ready")
    (mail,) = mailoutbox
    assert mail.subject == (
        "Gate decision — Go (advance): Runbook finder (Pilot → Controlled rollout)"
    )
    assert mail.to == [
        "owner@example.com",
        "delia@example.com",
        "chris@example.com",
        "lena@example.com",
    ]
    assert "Controls verified" in mail.body
    assert "Sign DPA (owner" in mail.body


def test_a_mail_server_failure_does_not_undo_the_decision(
    on_commit, monkeypatch, filed, chair, legal, pilot
):
    def broken(*args, **kwargs):
        raise smtplib.SMTPException("down")

    monkeypatch.setattr(notifications, "send_mail", broken)
    approve_both(filed, chair, legal)
    on_commit(gate_request_decide, request=filed, actor=chair, decision="go", reason="Ready")
    pilot.refresh_from_db()
    assert pilot.stage == Stage.CONTROLLED_ROLLOUT


# ---------------------------------------------------------------------------------------------
# Withdrawing
# ---------------------------------------------------------------------------------------------


def test_the_requester_withdraws_with_a_reason(filed, product_owner):
    request = gate_request_withdraw(request=filed, actor=product_owner, reason="Scope changed")
    assert request.status == GateRequestStatus.WITHDRAWN
    (event,) = events("gate_request.withdrawn")
    assert event.reason == "Scope changed"
    with pytest.raises(ConflictError):
        gate_request_withdraw(request=filed, actor=product_owner, reason="Again")


@pytest.mark.parametrize("role", signed_in_except("owner", "governance_admin"))
def test_others_may_not_withdraw(role, users_by_role, filed):
    with pytest.raises(PermissionDenied):
        gate_request_withdraw(request=filed, actor=users_by_role[role], reason="x")


def test_withdrawing_needs_a_reason(filed, product_owner):
    with pytest.raises(ValidationError) as error:
        gate_request_withdraw(request=filed, actor=product_owner, reason=" ")
    assert "reason" in error.value.message_dict


# ---------------------------------------------------------------------------------------------
# Pause, resume, stop outside a request
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("actor_name", ["chair", "governance_admin"])
def test_the_chair_or_an_admin_pauses_resumes_and_stops(
    actor_name, request, pilot, governance_admin, chair
):
    actor = request.getfixturevalue(actor_name)
    initiative_status_change(
        to_status=Status.PAUSED, initiative=pilot, actor=actor, reason="Vendor breach under review"
    )
    pilot.refresh_from_db()
    assert pilot.status == Status.PAUSED
    initiative_status_change(
        to_status=Status.ACTIVE, initiative=pilot, actor=actor, reason="Breach did not affect us"
    )
    pilot.refresh_from_db()
    assert pilot.status == Status.ACTIVE
    initiative_status_change(
        to_status=Status.STOPPED, initiative=pilot, actor=actor, reason="No budget for production"
    )
    pilot.refresh_from_db()
    assert pilot.status == Status.STOPPED
    reasons = [e.reason for e in events("initiative.status_changed")]
    assert reasons == [
        "Vendor breach under review",
        "Breach did not affect us",
        "No budget for production",
    ]


@pytest.mark.parametrize("role", signed_in_except("governance_admin"))
@pytest.mark.parametrize("to_status", [Status.PAUSED, Status.STOPPED])
def test_others_may_not_pause_or_stop(role, to_status, users_by_role, pilot, legal):
    with pytest.raises(PermissionDenied, match="council chair or a governance admin"):
        initiative_status_change(
            to_status=to_status, initiative=pilot, actor=users_by_role[role], reason="x"
        )
    with pytest.raises(PermissionDenied):
        initiative_status_change(to_status=to_status, initiative=pilot, actor=legal, reason="x")


@pytest.mark.parametrize("to_status", [Status.PAUSED, Status.ACTIVE, Status.STOPPED])
def test_every_status_change_needs_a_reason(to_status, pilot, chair):
    with pytest.raises(ValidationError) as error:
        initiative_status_change(to_status=to_status, initiative=pilot, actor=chair, reason="  ")
    assert "reason" in error.value.message_dict


def test_a_stopped_initiative_cannot_be_resumed(pilot, chair):
    initiative_status_change(
        to_status=Status.STOPPED, initiative=pilot, actor=chair, reason="Sunset"
    )
    pilot.refresh_from_db()
    with pytest.raises(ValidationError, match="cannot become active"):
        initiative_status_change(
            to_status=Status.ACTIVE, initiative=pilot, actor=chair, reason="Changed our mind"
        )


def test_stopping_withdraws_the_pending_request(filed, pilot, chair):
    initiative_status_change(
        to_status=Status.STOPPED, initiative=pilot, actor=chair, reason="Vendor exit"
    )
    filed.refresh_from_db()
    assert filed.status == GateRequestStatus.WITHDRAWN
    (event,) = events("gate_request.withdrawn")
    assert event.reason == "Initiative stopped: Vendor exit"


# ---------------------------------------------------------------------------------------------
# Item reviews (an area scored 1)
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def weak_pilot(templates, gate_policies, product_owner, delivery_owner):
    initiative = InitiativeFactory(
        title="Weak pilot",
        stage=Stage.PILOT,
        business_owner=product_owner,
        delivery_owner=delivery_owner,
    )
    scorecard = submit(
        initiative,
        product_owner,
        "readiness_scorecard",
        scorecard_answers(templates, 4, vendor_readiness=1),
    )
    return initiative, scorecard


def test_a_council_review_of_an_area_at_one_unblocks_the_lowest_scores_criterion(
    weak_pilot, legal, pilot
):
    initiative, scorecard = weak_pilot
    version = selectors.current_policy_version(Stage.PILOT, Stage.CONTROLLED_ROLLOUT)
    today = timezone.localdate()

    def scorecard_result():
        preview = selectors.gate_preview(initiative, today)
        return next(r for r in preview.results if r.id == "lowest_scores_reviewed")

    assert not scorecard_result().passed
    review = item_review_record(
        assessment=scorecard,
        item_id="vendor_readiness",
        actor=legal,
        outcome="accepted",
        note="Vendor is internal",
    )
    assert (review.reviewer, review.note) == (legal, "Vendor is internal")
    assert scorecard_result().passed
    (event,) = events("item_review.recorded")
    assert event.initiative_id == initiative.pk
    assert version is not None


@pytest.mark.parametrize(
    ("item_id", "words"),
    [("ownership", "scored 4"), ("nonsense", "not a scored area")],
)
def test_only_areas_at_one_are_reviewed(weak_pilot, legal, item_id, words):
    _, scorecard = weak_pilot
    with pytest.raises(ValidationError, match=words):
        item_review_record(
            assessment=scorecard, item_id=item_id, actor=legal, outcome="accepted", note="x"
        )


def test_an_area_is_reviewed_once(weak_pilot, legal, chair):
    _, scorecard = weak_pilot
    item_review_record(
        assessment=scorecard,
        item_id="vendor_readiness",
        actor=legal,
        outcome="accepted",
        note="ok",
    )
    with pytest.raises(ConflictError, match="already reviewed"):
        item_review_record(
            assessment=scorecard,
            item_id="vendor_readiness",
            actor=chair,
            outcome="accepted",
            note="again",
        )
    assert ItemReview.objects.count() == 1


@pytest.mark.parametrize(
    "role", signed_in_except("other_product_owner", "council_member", "governance_admin")
)
def test_only_council_members_and_admins_review_areas(role, users_by_role, weak_pilot):
    _, scorecard = weak_pilot
    with pytest.raises(PermissionDenied):
        item_review_record(
            assessment=scorecard,
            item_id="vendor_readiness",
            actor=users_by_role[role],
            outcome="accepted",
            note="x",
        )


def test_an_owner_on_the_council_cannot_review_their_own_area(weak_pilot, legal):
    initiative, scorecard = weak_pilot
    Initiative.objects.filter(pk=initiative.pk).update(delivery_owner=legal)
    with pytest.raises(PermissionDenied, match="recused"):
        item_review_record(
            assessment=scorecard,
            item_id="vendor_readiness",
            actor=legal,
            outcome="accepted",
            note="x",
        )


def test_a_review_needs_a_note(weak_pilot, legal):
    _, scorecard = weak_pilot
    with pytest.raises(ValidationError) as error:
        item_review_record(
            assessment=scorecard,
            item_id="vendor_readiness",
            actor=legal,
            outcome="accepted",
            note="",
        )
    assert "note" in error.value.message_dict


# ---------------------------------------------------------------------------------------------
# Re-review after a material change
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def approved(filed, pilot, chair, legal):
    approve_both(filed, chair, legal)
    gate_request_decide(request=filed, actor=chair, decision="go", reason="Ready")
    pilot.refresh_from_db()
    return pilot


def update(initiative, actor, **data):
    initiative.refresh_from_db()
    return initiative_update(
        initiative=initiative, actor=actor, data=data, expected_version=initiative.version
    )


def lower_tier(initiative, actor, *, to: str = "limited") -> None:
    """A material change by a plain edit: raise the tier (immediate), then lower it."""
    update(initiative, actor, eu_ai_act_tier="high")
    update(initiative, actor, eu_ai_act_tier=to)


def test_lowering_the_tier_after_approval_marks_re_review(approved, product_owner):
    lower_tier(approved, product_owner)
    (review,) = ReReview.objects.filter(initiative=approved)
    assert review.resolved_at is None
    assert review.changes == [
        {
            "field": "eu_ai_act_tier",
            "label": "EU AI Act tier lowered",
            "before": "high",
            "after": "limited",
        }
    ]
    (event,) = events("rereview.raised")
    assert event.actor == product_owner
    assert event.reason == "Material change after approval: EU AI Act tier lowered"


def test_a_new_vendor_after_approval_marks_re_review(approved, product_owner):
    vendor = VendorFactory(name="Acme AI")
    approved.refresh_from_db()
    initiative_update(
        initiative=approved,
        actor=product_owner,
        data={},
        expected_version=approved.version,
        vendors=[vendor],
    )
    (review,) = ReReview.objects.all()
    assert review.changes[0]["after"] == ["Acme AI"]


def test_a_further_change_is_added_to_the_open_re_review(approved, product_owner):
    lower_tier(approved, product_owner)
    update(approved, product_owner, eu_ai_act_tier="minimal")
    (review,) = ReReview.objects.all()
    assert [change["after"] for change in review.changes] == ["limited", "minimal"]
    assert len(events("rereview.extended")) == 1


def save_statement(initiative, actor, **changes):
    """Save the initiative's problem statement with `changes`, on the version it has now."""
    statement = ProblemStatement.objects.get(initiative=initiative)
    return problem_statement_save(
        initiative=initiative,
        actor=actor,
        data={**statement.content(), **changes},
        expected_version=statement.version,
    )


def test_a_kpi_change_after_approval_marks_re_review(approved, product_owner):
    save_statement(approved, product_owner, kpi="Tickets per agent")
    (review,) = ReReview.objects.filter(initiative=approved)
    assert review.changes == [
        {
            "field": "problem_statement.kpi",
            "label": "KPI changed",
            "before": "Median resolution time",
            "after": "Tickets per agent",
        }
    ]
    (event,) = events("rereview.raised")
    assert event.actor == product_owner


def test_a_target_change_after_approval_marks_re_review(approved, product_owner):
    save_statement(approved, product_owner, target="6 hours")
    (review,) = ReReview.objects.all()
    assert [(c["label"], c["before"], c["after"]) for c in review.changes] == [
        ("Target changed", "9 hours", "6 hours")
    ]


def test_other_statement_changes_after_approval_raise_nothing(approved, product_owner):
    save_statement(approved, product_owner, baseline="15 hours", cause="three wikis")
    save_statement(approved, product_owner, target=" 9 hours ")  # whitespace is no change
    assert not ReReview.objects.exists()


def test_a_statement_change_before_any_approval_raises_nothing(pilot, product_owner):
    save_statement(pilot, product_owner, kpi="Tickets per agent", target="40 per day")
    assert ProblemStatement.objects.get(initiative=pilot).version == 2
    assert not ReReview.objects.exists()


def test_changes_that_are_not_material_raise_nothing(approved, product_owner):
    update(approved, product_owner, title="Runbook finder v2", eu_ai_act_tier="high")
    assert not ReReview.objects.exists()


def test_a_change_before_any_approval_raises_nothing(pilot, product_owner):
    lower_tier(pilot, product_owner)
    assert not ReReview.objects.exists()
    assert (
        rereview_raise(
            initiative=pilot,
            actor=product_owner,
            changes=[MaterialChange("autonomy_level", "Autonomy level raised", "a", "b")],
        )
        is None
    )


def test_a_council_member_confirms_the_re_review(approved, product_owner, legal):
    lower_tier(approved, product_owner)
    review = ReReview.objects.get()
    confirmed = rereview_confirm(rereview=review, actor=legal, note="Same controls apply")
    assert confirmed.resolved_by == legal
    assert confirmed.resolution == "Confirmed: Same controls apply"
    with pytest.raises(ConflictError, match="already resolved"):
        rereview_confirm(rereview=review, actor=legal, note="again")
    # Resolved: a new material change opens a new one.
    update(approved, product_owner, eu_ai_act_tier="minimal")
    assert ReReview.objects.filter(resolved_at__isnull=True).count() == 1


@pytest.mark.parametrize(
    "role", signed_in_except("other_product_owner", "council_member", "governance_admin")
)
def test_only_council_members_and_admins_confirm_a_re_review(
    role, users_by_role, approved, product_owner
):
    lower_tier(approved, product_owner)
    with pytest.raises(PermissionDenied):
        rereview_confirm(rereview=ReReview.objects.get(), actor=users_by_role[role], note="ok")


def test_a_recused_member_cannot_confirm(approved, product_owner, legal):
    lower_tier(approved, product_owner)
    Initiative.objects.filter(pk=approved.pk).update(executive_sponsor=legal)
    with pytest.raises(PermissionDenied, match="recused"):
        rereview_confirm(rereview=ReReview.objects.get(), actor=legal, note="ok")


def test_a_new_go_resolves_the_re_review(approved, product_owner, chair, legal, templates):
    lower_tier(approved, product_owner)
    review = ReReview.objects.get()
    request = gate_request_create(
        initiative=approved, actor=product_owner, justification="Scale needs a fresh scorecard"
    )
    approve_both(request, chair, legal)
    exec_member = seated_council_member(seat=Seat.EXECUTIVE, username="eva")
    vote_cast(request=request, actor=exec_member, choice="approve")
    gate_request_decide(
        request=request,
        actor=chair,
        decision="go",
        reason="Scale",
        override_justification="The fresh scorecard is booked for next sprint",
    )
    review.refresh_from_db()
    assert review.resolved_by == chair
    assert review.resolution == f"A new gate passed: go on request #{request.pk}."


# ---------------------------------------------------------------------------------------------
# Overdue action items
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def overdue_items(pilot, product_owner, delivery_owner):
    today = datetime.date(2026, 3, 10)

    def item(title, due, owner, **kw):
        return ActionItem.objects.create(
            initiative=pilot, title=title, owner=owner, due_date=due, **kw
        )

    return today, {
        "late": item("Sign the DPA", datetime.date(2026, 3, 1), product_owner),
        "due_today": item("Drill", today, delivery_owner),
        "done": item("Redact", datetime.date(2026, 2, 1), delivery_owner, status="done"),
        "late_too": item("Rollback plan", datetime.date(2026, 3, 9), delivery_owner),
    }


def test_owners_of_overdue_items_are_reminded_once(overdue_items, mailoutbox):
    today, items = overdue_items
    assert register_notifications.notify_action_items_overdue(today) == 2
    assert [(m.subject, m.to) for m in mailoutbox] == [
        ("Action item overdue: Sign the DPA", ["owner@example.com"]),
        ("Action item overdue: Rollback plan", ["delia@example.com"]),
    ]
    assert "9 days ago" in mailoutbox[0].body
    assert register_notifications.notify_action_items_overdue(today) == 0
    assert (
        register_notifications.notify_action_items_overdue(today + datetime.timedelta(days=1)) == 1
    )
    items["late"].refresh_from_db()
    assert items["late"].overdue_notified_on == today
    assert len(events(register_notifications.OVERDUE_ACTION)) == 3


def test_a_failed_send_is_retried_on_the_next_run(overdue_items, monkeypatch, mailoutbox):
    today, items = overdue_items
    real = register_notifications.send_mail

    def broken(*args, **kwargs):
        raise smtplib.SMTPException("down")

    monkeypatch.setattr(register_notifications, "send_mail", broken)
    assert register_notifications.notify_action_items_overdue(today) == 0
    items["late"].refresh_from_db()
    assert items["late"].overdue_notified_on is None
    monkeypatch.setattr(register_notifications, "send_mail", real)
    assert register_notifications.notify_action_items_overdue(today) == 2


def test_the_daily_task_sends_the_reminders(overdue_items, mailoutbox):
    today, _ = overdue_items
    with time_machine.travel(datetime.datetime(2026, 3, 10, 8, 0, tzinfo=datetime.UTC)):
        assert send_overdue_action_item_reminders.delay().get() == 2


def test_an_owner_without_an_email_is_not_claimed(pilot, mailoutbox):
    silent = UserFactory(username="silent", email="")
    item = ActionItem.objects.create(
        initiative=pilot, title="x", owner=silent, due_date=datetime.date(2026, 1, 1)
    )
    assert register_notifications.notify_action_items_overdue(datetime.date(2026, 3, 1)) == 0
    item.refresh_from_db()
    assert item.overdue_notified_on is None


# ---------------------------------------------------------------------------------------------
# Selectors: snapshot, queue, purgatory
# ---------------------------------------------------------------------------------------------


def test_the_snapshot_reads_the_live_record_in_five_queries(
    pilot, product_owner, django_assert_num_queries
):
    Risk.objects.create(
        initiative=pilot,
        category="cost",
        description="Run cost",
        likelihood=2,
        impact=2,
        severity=4,
        owner=product_owner,
        status="closed",
    )
    with django_assert_num_queries(5):
        snap = selectors.gate_snapshot(pilot, timezone.localdate())
    assert set(snap.assessments) == {"readiness_scorecard", "before_poc", "rollout_governance"}
    assert snap.assessments["readiness_scorecard"].critical_items["ownership"] == 3
    assert snap.risks == ()  # closed risks are not loaded
    assert snap.problem_statement.content["kpi"] == "Median resolution time"


def test_the_preview_evaluates_the_next_gate(pilot, product_owner):
    preview = selectors.gate_preview(pilot, timezone.localdate())
    assert (preview.from_stage, preview.to_stage) == ("pilot", "controlled_rollout")
    assert preview.all_passed
    assert preview.failing == ()


def test_the_preview_says_when_no_policy_exists(db, product_owner):
    initiative = InitiativeFactory(business_owner=product_owner, stage=Stage.SCALE)
    preview = selectors.gate_preview(initiative, timezone.localdate())
    assert preview.policy_version is None
    assert not preview.all_passed


def test_evidence_links_follow_the_evidence_kind(pilot):
    assert selectors.evidence_url("initiative", None, pilot.pk) == pilot.get_absolute_url()
    assert selectors.evidence_url("assessment", 7, pilot.pk) == "/assessments/7/"
    assert selectors.evidence_url("problem_statement", 3, pilot.pk).startswith(
        f"/initiatives/{pilot.pk}/"
    )
    assert selectors.evidence_url("risk", 3, pilot.pk)
    assert selectors.evidence_url("", None, pilot.pk) == ""


def _requests(count, product_owner, version, now):
    initiatives = InitiativeFactory.create_batch(count, business_owner=product_owner)
    return GateRequest.objects.bulk_create(
        GateRequest(
            initiative=initiative,
            policy_version=version,
            from_stage="exploration",
            to_stage="pilot",
            requested_by=product_owner,
            review_due_at=now + datetime.timedelta(days=(n % 3) - 1),
        )
        for n, initiative in enumerate(initiatives)
    )


@pytest.mark.parametrize("count", [5, 200])
def test_the_review_queue_runs_three_queries_whatever_its_length(
    count, gate_policies, product_owner, legal, django_assert_num_queries
):
    now = timezone.now()
    requests = _requests(count, product_owner, gate_policies["exploration"], now)
    Vote.objects.create(request=requests[0], voter=legal, seat="legal", choice="approve")
    viewer = type(legal).objects.get(pk=legal.pk)
    with django_assert_num_queries(3):  # membership, requests, votes
        entries = selectors.review_queue(viewer, now)
    assert len(entries) == count
    overdue = [entry.overdue for entry in entries]
    assert overdue == sorted(overdue, reverse=True)  # overdue first
    mine = next(entry for entry in entries if entry.request.pk == requests[0].pk)
    assert mine.my_vote.choice == "approve"
    assert mine.tally.votes_cast == 1
    assert mine.go_blockers == ("no approval yet from the product seat(s)",)


def test_the_queue_shows_recusal(filed, pilot, legal):
    Initiative.objects.filter(pk=pilot.pk).update(delivery_owner=legal)
    (entry,) = selectors.review_queue(legal, timezone.now())
    assert entry.recused
    assert entry.my_vote is None


def _in_pilot(days: int, **kw) -> Initiative:
    return InitiativeFactory(
        stage=Stage.PILOT, stage_changed_at=timezone.now() - datetime.timedelta(days=days), **kw
    )


def test_pilot_purgatory_lists_drifting_pilots_longest_first(
    gate_policies, product_owner, settings
):
    settings.PILOT_PURGATORY_DAYS = 90
    now = timezone.now()
    old = _in_pilot(200, title="Old")
    drifting = _in_pilot(91, title="Drifting")
    _in_pilot(89, title="Fresh")
    _in_pilot(300, title="Paused", status=Status.PAUSED)
    InitiativeFactory(stage=Stage.SCALE, stage_changed_at=now - datetime.timedelta(days=500))
    decided = _in_pilot(150, title="Recently held")
    GateRequestFactory(
        initiative=decided,
        policy_version=gate_policies["pilot"],
        requested_by=product_owner,
        review_due_at=now,
        decision="hold",
        decided_by=product_owner,
        decided_at=now - datetime.timedelta(days=20),
    )
    assert list(selectors.pilot_purgatory_initiatives(now)) == [old, drifting]
    initiatives = list(Initiative.objects.all())
    assert len(initiatives) > 2
    for initiative in initiatives:
        expected = initiative in (old, drifting)
        assert selectors.initiative_in_pilot_purgatory(initiative, now) is expected
        assert selectors.initiative_gate_state(initiative, now).in_pilot_purgatory is expected
    flags = dict(
        selectors.annotate_pilot_purgatory(Initiative.objects.all(), now).values_list(
            "title", "in_pilot_purgatory"
        )
    )
    assert flags["Old"] and flags["Drifting"] and not flags["Recently held"]


@pytest.mark.parametrize("count", [5, 200])
def test_pilot_purgatory_is_one_query(count, db, django_assert_num_queries):
    for _ in range(count):
        _in_pilot(120)
    with django_assert_num_queries(1):
        rows = list(selectors.pilot_purgatory_initiatives(timezone.now()))
    assert len(rows) == count
    assert all(row.business_unit.name for row in rows)


def test_gate_state_reports_pending_and_last_decision(approved, product_owner, chair, legal):
    state = selectors.initiative_gate_state(approved, timezone.now())
    assert state.pending_request is None
    assert state.last_decided_request.decision == "go"
    assert state.open_rereview is None
    assert state.days_since_clock_start == 0


# ---------------------------------------------------------------------------------------------
# The demo council
# ---------------------------------------------------------------------------------------------


def test_seed_governance_seats_the_demo_council_idempotently(db, capsys):
    call_command("seed_demo", "--quiet")
    call_command("seed_governance")
    seats = {
        m.user.username: (m.seat, m.is_chair)
        for m in CouncilMembership.objects.select_related("user")
    }
    assert seats == {
        "chris": ("security", True),
        "lena": ("legal", False),
        "eva": ("executive", False),
        "gina": ("product", False),
        "sam": ("security", False),
        "marc": ("executive", False),
    }
    eva = type(CouncilMembership.objects.get(user__username="eva").user).objects.get(username="eva")
    assert set(eva.groups.values_list("name", flat=True)) == {"executive", "council_member"}
    assert GatePolicyVersion.objects.count() == 4
    count = AuditEvent.objects.count()
    call_command("seed_governance", "--quiet")
    assert AuditEvent.objects.count() == count
    assert CouncilMembership.objects.count() == 6


def test_seed_governance_needs_the_demo_users(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="seed_demo"):
        call_command("seed_governance")
