"""Council meetings, gate policy editing and council membership: services, pages, permissions.

`owner` is the business owner of the initiative under test; `chair` is a council member who
chairs the council; `council_member` holds the security seat but does not chair.
"""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from core.errors import ConflictError
from core.models import AuditEvent
from core.roles import Role
from governance.council.services import (
    council_membership_set,
    current_meeting,
    meeting_attach_requests,
    meeting_create,
    meeting_record_minutes,
)
from governance.council.views import MEETING_PAGE_SIZE
from governance.models import (
    CouncilMeeting,
    CouncilMembership,
    GatePolicyVersion,
    GateRequest,
    Seat,
)
from portfolio.models import Stage
from readiness.services import templates_load_shipped
from tests.factories import InitiativeFactory, UserFactory, seated_council_member
from tests.governance.council_support import (
    action_item,
    council_chair,
    gate_request,
    pilot_policy_version,
    portfolio_with_requests,
    risk,
    vote,
)
from tests.roles import expected_status, readers, roles_with, signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def chair(db):
    """These tests' chair is Carla, in the executive seat (the gate tests' is Chris)."""
    return council_chair()


BRUSSELS = datetime.timezone(datetime.timedelta(hours=1))


@pytest.fixture
def checklists(db):
    """The shipped checklist templates: the policy form offers them for `checklist_passed`."""
    templates_load_shipped()


def _meeting(actor, *, when=None, title="Weekly AI council") -> CouncilMeeting:
    return meeting_create(actor=actor, title=title, scheduled_for=when or timezone.now())


# ---------------------------------------------------------------------------------------------
# Services: meetings
# ---------------------------------------------------------------------------------------------


def test_meeting_agenda_freezes_pending_requests_overdue_actions_and_escalated_risks(
    chair, product_owner, initiative, policies
):
    version = pilot_policy_version(policies)
    now = timezone.now()
    late = gate_request(
        initiative, version, product_owner, review_due_at=now - datetime.timedelta(days=1)
    )
    other = InitiativeFactory(title="Invoice matching", business_owner=product_owner)
    on_time = gate_request(other, version, product_owner)
    gate_request(
        InitiativeFactory(title="Decided already"),
        version,
        product_owner,
        decision="go",
        decided_by=chair,
    )
    today = timezone.localdate()
    overdue = action_item(
        initiative, product_owner, title="Run the DPIA", due=today - datetime.timedelta(days=3)
    )
    action_item(initiative, product_owner, title="Not due yet", due=today)
    action_item(
        initiative,
        product_owner,
        title="Done late",
        due=today - datetime.timedelta(days=9),
        status="done",
    )
    escalated = risk(initiative, product_owner, likelihood=4, impact=5, escalated=True)
    mitigating = risk(
        other, product_owner, likelihood=3, impact=5, escalated=True, status="mitigating"
    )
    risk(initiative, product_owner, likelihood=2, impact=2, escalated=False)
    risk(initiative, product_owner, likelihood=5, impact=5, escalated=True, status="closed")

    meeting = _meeting(chair)

    agenda = meeting.agenda
    assert [item["id"] for item in agenda["gate_requests"]] == [late.pk, on_time.pk]
    first = agenda["gate_requests"][0]
    assert first["initiative"] == "Customer triage and routing"
    assert first["initiative_id"] == initiative.pk
    assert first["transition"] == "Exploration → Pilot"
    assert first["overdue"] is True
    assert agenda["gate_requests"][1]["overdue"] is False
    assert first["requested_at"] == late.requested_at.isoformat()
    assert [item["id"] for item in agenda["overdue_action_items"]] == [overdue.pk]
    assert agenda["overdue_action_items"][0] == {
        "id": overdue.pk,
        "initiative_id": initiative.pk,
        "initiative": "Customer triage and routing",
        "title": "Run the DPIA",
        "owner_id": product_owner.pk,
        "owner": "Paula Owner",
        "due": (today - datetime.timedelta(days=3)).isoformat(),
    }
    assert [item["id"] for item in agenda["escalated_risks"]] == [escalated.pk, mitigating.pk]
    assert agenda["escalated_risks"][0]["severity"] == 20
    assert agenda["escalated_risks"][0]["category"] == "privacy"
    assert agenda["escalated_risks"][0]["owner"] == "Paula Owner"


def test_the_agenda_stays_as_it_was_when_the_meeting_was_scheduled(
    chair, product_owner, initiative, policies
):
    request = gate_request(initiative, pilot_policy_version(policies), product_owner)
    meeting = _meeting(chair)
    GateRequest.objects.filter(pk=request.pk).update(status="withdrawn")
    initiative.title = "Renamed later"
    initiative.save()

    meeting.refresh_from_db()
    assert meeting.agenda["gate_requests"][0]["initiative"] == "Customer triage and routing"


def test_scheduling_a_meeting_is_audited(chair):
    meeting = _meeting(chair)
    event = AuditEvent.objects.get(action="council_meeting.created")
    assert event.actor == chair
    assert event.object_id == str(meeting.pk)
    assert event.changes["title"] == [None, "Weekly AI council"]
    assert event.changes["agenda"] == [
        None,
        "0 gate requests, 0 overdue action items, 0 escalated risks, 0 re-reviews",
    ]


def test_only_the_chair_or_an_admin_schedules_meetings(
    chair, governance_admin, seated_member, product_owner, executive
):
    assert _meeting(chair).pk
    assert _meeting(governance_admin).pk
    for user in (seated_member, product_owner, executive):
        with pytest.raises(PermissionDenied):
            _meeting(user)


def test_an_inactive_chair_cannot_schedule_meetings(chair):
    CouncilMembership.objects.filter(user=chair).update(is_chair=False, active=False)
    chair.refresh_from_db()
    with pytest.raises(PermissionDenied):
        _meeting(chair)


def test_a_meeting_needs_a_title(chair):
    with pytest.raises(ValidationError) as error:
        meeting_create(actor=chair, title="   ", scheduled_for=timezone.now())
    assert "title" in error.value.message_dict
    assert not CouncilMeeting.objects.exists()


def test_minutes_are_saved_with_a_new_version_and_an_audit_event(chair):
    meeting = _meeting(chair)
    saved = meeting_record_minutes(
        meeting=meeting, actor=chair, minutes="Agreed the pilot.", expected_version=1
    )
    assert saved.minutes == "Agreed the pilot."
    assert saved.version == 2
    event = AuditEvent.objects.get(action="council_meeting.minutes_recorded")
    assert event.changes == {"minutes": ["", "Agreed the pilot."]}


def test_saving_over_newer_minutes_is_a_conflict_that_keeps_theirs(chair, governance_admin):
    meeting = _meeting(chair)
    meeting_record_minutes(
        meeting=meeting, actor=governance_admin, minutes="Theirs", expected_version=1
    )
    with pytest.raises(ConflictError) as error:
        meeting_record_minutes(meeting=meeting, actor=chair, minutes="Mine", expected_version=1)
    assert error.value.current == {"minutes": "Theirs", "version": 2}
    meeting.refresh_from_db()
    assert meeting.minutes == "Theirs"


def test_saving_the_same_minutes_again_writes_nothing(chair):
    meeting = _meeting(chair)
    meeting_record_minutes(meeting=meeting, actor=chair, minutes="Same", expected_version=1)
    again = meeting_record_minutes(meeting=meeting, actor=chair, minutes="Same", expected_version=2)
    assert again.version == 2
    assert AuditEvent.objects.filter(action="council_meeting.minutes_recorded").count() == 1


def test_only_the_chair_or_an_admin_records_minutes(chair, seated_member, auditor):
    meeting = _meeting(chair)
    for user in (seated_member, auditor):
        with pytest.raises(PermissionDenied):
            meeting_record_minutes(meeting=meeting, actor=user, minutes="x", expected_version=1)


def test_decided_requests_are_linked_to_the_meeting_with_an_audit_event_each(
    chair, product_owner, initiative, policies
):
    meeting = _meeting(chair)
    decided = gate_request(
        initiative, pilot_policy_version(policies), product_owner, decision="go", decided_by=chair
    )
    meeting_attach_requests(meeting=meeting, actor=chair, requests=[decided])
    decided.refresh_from_db()
    assert decided.meeting == meeting
    event = AuditEvent.objects.get(action="gate_request.linked_to_meeting")
    assert event.initiative_id == initiative.pk


def test_pending_requests_and_requests_of_another_meeting_are_not_linked(
    chair, product_owner, initiative, policies
):
    version = pilot_policy_version(policies)
    first = _meeting(chair, title="First")
    second = _meeting(chair, title="Second")
    pending = gate_request(initiative, version, product_owner)
    elsewhere = gate_request(
        InitiativeFactory(),
        version,
        product_owner,
        decision="hold",
        decided_by=chair,
        meeting=first,
    )
    with pytest.raises(ValidationError) as error:
        meeting_attach_requests(meeting=second, actor=chair, requests=[pending, elsewhere])
    messages = error.value.message_dict["requests"]
    assert any("no decision yet" in m for m in messages)
    assert any("another meeting" in m for m in messages)
    elsewhere.refresh_from_db()
    assert elsewhere.meeting == first


@time_machine.travel(datetime.datetime(2026, 12, 1, 15, 0, tzinfo=BRUSSELS), tick=False)
def test_current_meeting_is_the_one_scheduled_today_that_has_started(chair):
    morning = _meeting(chair, when=datetime.datetime(2026, 12, 1, 9, 0, tzinfo=BRUSSELS))
    noon = _meeting(chair, when=datetime.datetime(2026, 12, 1, 12, 0, tzinfo=BRUSSELS))
    _meeting(chair, when=datetime.datetime(2026, 12, 1, 17, 0, tzinfo=BRUSSELS))
    _meeting(chair, when=datetime.datetime(2026, 11, 30, 14, 0, tzinfo=BRUSSELS))

    assert current_meeting() == noon
    assert current_meeting(datetime.datetime(2026, 12, 1, 8, 0, tzinfo=BRUSSELS)) == morning
    assert current_meeting(datetime.datetime(2026, 12, 2, 10, 0, tzinfo=BRUSSELS)) is None


# ---------------------------------------------------------------------------------------------
# Services: membership
# ---------------------------------------------------------------------------------------------


def test_an_admin_gives_a_council_member_a_seat_and_it_is_audited(governance_admin, council_member):
    membership = council_membership_set(
        actor=governance_admin, user=council_member, seat=Seat.LEGAL, is_chair=False, active=True
    )
    assert membership.seat == Seat.LEGAL
    event = AuditEvent.objects.get(action="council_membership.created")
    assert event.changes == {
        "seat": [None, "legal"],
        "is_chair": [None, False],
        "active": [None, True],
    }


def test_changing_a_seat_records_only_what_changed(governance_admin, seated_member):
    council_membership_set(
        actor=governance_admin, user=seated_member, seat=Seat.DATA, is_chair=False, active=True
    )
    event = AuditEvent.objects.get(action="council_membership.updated")
    assert event.changes == {"seat": ["security", "data"]}
    council_membership_set(
        actor=governance_admin, user=seated_member, seat=Seat.DATA, is_chair=False, active=True
    )
    assert AuditEvent.objects.filter(action__startswith="council_membership").count() == 1


def test_a_second_active_chair_is_refused_with_the_sitting_chairs_name(
    governance_admin, chair, seated_member
):
    with pytest.raises(ValidationError) as error:
        council_membership_set(
            actor=governance_admin,
            user=seated_member,
            seat=Seat.SECURITY,
            is_chair=True,
            active=True,
        )
    assert "Carla Chair already chairs the council" in error.value.message_dict["is_chair"][0]
    assert CouncilMembership.objects.filter(is_chair=True).count() == 1


def test_the_chair_can_be_handed_over_once_the_sitting_chair_steps_down(
    governance_admin, chair, seated_member
):
    council_membership_set(
        actor=governance_admin, user=chair, seat=Seat.EXECUTIVE, is_chair=False, active=True
    )
    council_membership_set(
        actor=governance_admin, user=seated_member, seat=Seat.SECURITY, is_chair=True, active=True
    )
    assert CouncilMembership.objects.get(is_chair=True).user == seated_member


def test_the_database_refuses_two_active_chairs(chair, council_member):
    with pytest.raises(IntegrityError):
        CouncilMembership.objects.create(user=council_member, seat=Seat.LEGAL, is_chair=True)


def test_an_inactive_member_cannot_chair(governance_admin, council_member):
    with pytest.raises(ValidationError) as error:
        council_membership_set(
            actor=governance_admin,
            user=council_member,
            seat=Seat.LEGAL,
            is_chair=True,
            active=False,
        )
    assert "is_chair" in error.value.message_dict


def test_a_seat_needs_the_council_member_role(governance_admin, executive):
    with pytest.raises(ValidationError) as error:
        council_membership_set(
            actor=governance_admin,
            user=executive,
            seat=Seat.EXECUTIVE,
            is_chair=False,
            active=True,
        )
    assert "council member role" in error.value.message_dict["user"][0]


def test_an_unknown_seat_is_refused(governance_admin, council_member):
    with pytest.raises(ValidationError) as error:
        council_membership_set(
            actor=governance_admin,
            user=council_member,
            seat="finance",
            is_chair=False,
            active=True,
        )
    assert "seat" in error.value.message_dict


def test_only_an_admin_changes_membership(chair, council_member):
    with pytest.raises(PermissionDenied):
        council_membership_set(
            actor=chair, user=council_member, seat=Seat.LEGAL, is_chair=False, active=True
        )


# ---------------------------------------------------------------------------------------------
# Pages: meetings
# ---------------------------------------------------------------------------------------------


def test_the_meeting_list_explains_meetings_when_there_are_none(client, chair, executive):
    client.force_login(executive)
    response = client.get(reverse("governance:meeting_list"))
    assert "No council meeting yet" in response.text
    assert "The council chair schedules meetings." in response.text
    client.force_login(chair)
    response = client.get(reverse("governance:meeting_list"))
    assert "Schedule the first meeting" in response.text


def test_the_meeting_list_is_paginated_newest_first(client, chair, executive):
    start = timezone.now()
    for n in range(MEETING_PAGE_SIZE + 3):
        CouncilMeeting.objects.create(
            title=f"Council {n:02d}", scheduled_for=start + datetime.timedelta(days=n)
        )
    client.force_login(executive)
    first = client.get(reverse("governance:meeting_list"))
    assert first.context["page"].object_list[0].title == f"Council {MEETING_PAGE_SIZE + 2:02d}"
    assert "Page 1 of 2" in first.text
    second = client.get(reverse("governance:meeting_list"), {"page": 2})
    assert [m.title for m in second.context["page"].object_list] == [
        "Council 02",
        "Council 01",
        "Council 00",
    ]
    fragment = client.get(
        reverse("governance:meeting_list"),
        {"page": 2},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="meeting-results",
    )
    assert "<h1>" not in fragment.text
    assert "Council 00" in fragment.text


def test_the_chair_schedules_a_meeting_from_the_page(
    client, chair, product_owner, initiative, policies
):
    gate_request(initiative, pilot_policy_version(policies), product_owner)
    client.force_login(chair)
    form = client.get(reverse("governance:meeting_create"))
    assert "1 gate request, 0 overdue action items, 0 escalated risks, 0 re-reviews" in form.text
    response = client.post(
        reverse("governance:meeting_create"),
        {"title": "Weekly AI council", "scheduled_for": "2026-12-03T10:00"},
    )
    meeting = CouncilMeeting.objects.get()
    assert response["Location"] == reverse("governance:meeting_detail", args=[meeting.pk])
    assert timezone.localtime(meeting.scheduled_for).hour == 10
    assert len(meeting.agenda["gate_requests"]) == 1


def test_a_meeting_without_a_date_is_not_scheduled(client, chair):
    client.force_login(chair)
    response = client.post(reverse("governance:meeting_create"), {"title": "Council"})
    assert response.status_code == 200
    assert "Nothing was saved" in response.text
    assert not CouncilMeeting.objects.exists()


def test_the_meeting_page_shows_agenda_decisions_votes_and_attendees(
    client, chair, seated_member, product_owner, initiative, policies, executive
):
    version = pilot_policy_version(policies)
    gate_request(
        InitiativeFactory(title="Invoice matching"),
        version,
        product_owner,
        review_due_at=timezone.now() - datetime.timedelta(days=1),
    )
    meeting = _meeting(chair)
    decided = gate_request(
        initiative, version, product_owner, decision="go", decided_by=chair, meeting=meeting
    )
    vote(decided, seated_member, "approve", Seat.SECURITY)
    vote(decided, chair, "approve_with_conditions", Seat.EXECUTIVE)
    client.force_login(executive)
    response = client.get(reverse("governance:meeting_detail", args=[meeting.pk]))
    text = response.text
    assert "Invoice matching" in text
    assert "Overdue" in text
    assert "Go (advance)" in text
    assert "1 approve, 1 approve with conditions" in text
    assert "Carla Chair (Executive)" in text
    assert reverse("governance:gate_request_detail", args=[decided.pk]) in text
    # Readers see the minutes, not the editor.
    assert 'name="minutes"' not in text


def test_the_chair_saves_minutes_on_the_meeting_page(client, chair):
    meeting = _meeting(chair)
    client.force_login(chair)
    response = client.post(
        reverse("governance:meeting_detail", args=[meeting.pk]),
        {"minutes": "Agreed the pilot.", "version": 1},
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.minutes == "Agreed the pilot."


def test_stale_minutes_show_both_texts_and_save_nothing(client, chair, governance_admin):
    meeting = _meeting(chair)
    meeting_record_minutes(
        meeting=meeting, actor=governance_admin, minutes="Admin's notes", expected_version=1
    )
    client.force_login(chair)
    response = client.post(
        reverse("governance:meeting_detail", args=[meeting.pk]),
        {"minutes": "Chair's notes", "version": 1},
    )
    assert response.status_code == 409
    assert "someone else saved the minutes first" in response.text
    assert "Admin&#x27;s notes" in response.text
    assert "Chair&#x27;s notes" in response.text
    # The form now carries the stored version, so saving again after merging succeeds.
    assert 'name="version" value="2"' in response.text
    meeting.refresh_from_db()
    assert meeting.minutes == "Admin's notes"


def test_the_chair_links_decisions_taken_that_day_from_the_meeting_page(
    client, chair, product_owner, initiative, policies
):
    meeting = _meeting(chair)
    decided = gate_request(
        initiative,
        pilot_policy_version(policies),
        product_owner,
        decision="kill",
        decided_by=chair,
    )
    client.force_login(chair)
    page = client.get(reverse("governance:meeting_detail", args=[meeting.pk]))
    assert "Link decisions taken in this meeting" in page.text
    response = client.post(
        reverse("governance:meeting_link_decisions", args=[meeting.pk]), {"requests": [decided.pk]}
    )
    assert response.status_code == 302
    decided.refresh_from_db()
    assert decided.meeting == meeting


def test_linking_nothing_says_what_to_do(client, chair, product_owner, initiative, policies):
    meeting = _meeting(chair)
    gate_request(
        initiative, pilot_policy_version(policies), product_owner, decision="go", decided_by=chair
    )
    client.force_login(chair)
    response = client.post(reverse("governance:meeting_link_decisions", args=[meeting.pk]), {})
    assert response.status_code == 400
    assert "Choose at least one decision to link." in response.text


def test_the_printable_minutes_stand_alone_with_print_styles(
    client, chair, seated_member, product_owner, initiative, policies, auditor
):
    version = pilot_policy_version(policies)
    gate_request(InitiativeFactory(title="Invoice matching"), version, product_owner)
    meeting = _meeting(chair)
    decided = gate_request(
        initiative, version, product_owner, decision="hold", decided_by=chair, meeting=meeting
    )
    vote(decided, seated_member, "reject", Seat.SECURITY)
    meeting_record_minutes(
        meeting=meeting, actor=chair, minutes="Held until the DPIA is done.", expected_version=1
    )
    client.force_login(auditor)
    response = client.get(reverse("governance:meeting_minutes", args=[meeting.pk]))
    text = response.text
    assert "site-header" not in text
    assert "@media print" in text
    assert "Invoice matching" in text
    assert "Hold (pause)" in text
    assert "Evidence is sufficient." in text
    assert "1 reject" in text
    assert "Held until the DPIA is done." in text
    assert seated_member.get_full_name() in text
    # Paper has no links to follow: agenda and decisions are plain text.
    assert reverse("governance:gate_request_detail", args=[decided.pk]) not in text


# ---------------------------------------------------------------------------------------------
# Pages: gate policies
# ---------------------------------------------------------------------------------------------


def test_the_policies_page_spells_out_every_gate(client, executive, policies):
    client.force_login(executive)
    response = client.get(reverse("governance:policy_list"))
    text = response.text
    for title in (
        "Exploration → Pilot",
        "Pilot → Controlled rollout",
        "Controlled rollout → Scale",
        "Scale → Ongoing operation",
    ):
        assert title in text
    assert "Readiness scorecard submitted within 90 days, total at least 55" in text
    assert "Before-POC checklist all Yes" in text
    assert "Security, Legal" in text
    assert "Governance council member" in text
    assert "History of versions (1)" in text
    assert reverse("governance:policy_edit", args=[policies[0].pk]) not in text


def policy_post_data(version: GatePolicyVersion, **overrides) -> dict:
    """The policy form as a governance admin would submit it, unchanged unless overridden."""
    from governance.gates.forms import PARAM_LABELS

    data: dict = {
        "based_on": version.number,
        "quorum": version.quorum,
        "required_seats": list(version.required_seats),
        "decider_roles": list(version.decider_roles),
        "note": "Tighten the gate after the Q3 review",
    }
    for criterion in version.criteria:
        data[f"include__{criterion['id']}"] = "on"
        for name, value in (criterion.get("params") or {}).items():
            if (criterion["id"], name) in PARAM_LABELS:
                data[f"{criterion['id']}__{name}"] = value
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def _rollout_policy(policies):
    return next(p for p in policies if p.from_stage == Stage.PILOT)


def test_editing_a_policy_makes_a_new_version_and_pending_requests_keep_theirs(
    client, governance_admin, product_owner, initiative, policies, checklists
):
    policy = _rollout_policy(policies)
    old = policy.versions.get()
    pending = gate_request(initiative, old, product_owner)
    client.force_login(governance_admin)
    page = client.get(reverse("governance:policy_edit", args=[policy.pk]))
    assert "the 1 pending request filed under version 1 keeps its version" in page.text
    response = client.post(
        reverse("governance:policy_edit", args=[policy.pk]),
        policy_post_data(
            old,
            quorum=3,
            scorecard_ready__min_total=60,
            include__no_open_incident="on",
            required_seats=["security", "legal", "data"],
        ),
    )
    assert response.status_code == 302, response.content
    new = policy.versions.order_by("-number").first()
    assert new.number == 2
    assert new.quorum == 3
    assert new.required_seats == ["security", "legal", "data"]
    scorecard = next(c for c in new.criteria if c["id"] == "scorecard_ready")
    assert scorecard["params"]["min_total"] == 60
    assert scorecard["params"]["max_age_days"] == 90
    assert new.criteria[-1] == {"id": "no_open_incident", "params": {}, "hard": False}
    assert new.note == "Tighten the gate after the Q3 review"
    pending.refresh_from_db()
    assert pending.policy_version == old
    listing = client.get(reverse("governance:policy_list"))
    assert "History of versions (2)" in listing.text
    assert "Readiness scorecard submitted within 90 days, total at least 60" in listing.text


def test_a_policy_saved_unchanged_makes_no_version(client, governance_admin, policies, checklists):
    policy = _rollout_policy(policies)
    client.force_login(governance_admin)
    response = client.post(
        reverse("governance:policy_edit", args=[policy.pk]),
        policy_post_data(policy.versions.get()),
    )
    assert response.status_code == 400
    assert "Nothing changed, so no new version was made." in response.text
    assert policy.versions.count() == 1


def test_an_included_criterion_needs_its_numbers(client, governance_admin, policies, checklists):
    policy = _rollout_policy(policies)
    client.force_login(governance_admin)
    response = client.post(
        reverse("governance:policy_edit", args=[policy.pk]),
        policy_post_data(policy.versions.get(), scorecard_ready__min_total=""),
    )
    assert response.status_code == 400
    assert "Required while this criterion is part of the gate." in response.text
    assert policy.versions.count() == 1


def test_a_policy_edit_over_a_newer_version_is_a_conflict(
    client, governance_admin, policies, checklists
):
    policy = _rollout_policy(policies)
    old = policy.versions.get()
    client.force_login(governance_admin)
    client.post(
        reverse("governance:policy_edit", args=[policy.pk]), policy_post_data(old, quorum=3)
    )
    response = client.post(
        reverse("governance:policy_edit", args=[policy.pk]), policy_post_data(old, quorum=4)
    )
    assert response.status_code == 409
    assert "Version 2 was saved after you opened version 1" in response.text
    assert policy.versions.count() == 2


def test_a_stale_policy_edit_keeps_the_input_and_saves_once_based_on_the_newest(
    client, governance_admin, policies, checklists
):
    policy = _rollout_policy(policies)
    old = policy.versions.get()
    url = reverse("governance:policy_edit", args=[policy.pk])
    client.force_login(governance_admin)
    assert client.post(url, policy_post_data(old, quorum=3)).status_code == 302
    stale = policy_post_data(old, quorum=4, note="Second admin's edit")

    refused = client.post(url, stale)

    assert refused.status_code == 409
    assert "Not saved: someone else saved a version first" in refused.text
    assert "Version 2 (current)" in refused.text
    form = refused.context["form"]
    assert (form["based_on"].value(), form["quorum"].value()) == (2, "4")
    assert list(policy.versions.values_list("number", "quorum")) == [(2, 3), (1, old.quorum)]
    assert not AuditEvent.objects.filter(reason="Second admin's edit").exists()
    resent = client.post(url, {**stale, "based_on": 2})
    assert resent.status_code == 302
    assert list(policy.versions.values_list("number", "quorum")) == [(3, 4), (2, 3), (1, 2)]


# ---------------------------------------------------------------------------------------------
# Pages: members
# ---------------------------------------------------------------------------------------------


def test_the_members_page_lists_seats_and_the_chair(client, chair, seated_member, auditor):
    client.force_login(auditor)
    response = client.get(reverse("governance:member_list"))
    assert "Carla Chair" in response.text
    assert "<strong>Chair</strong>" in response.text
    assert "Security" in response.text
    assert "Save membership" not in response.text


def test_the_members_page_explains_an_empty_council(client, executive):
    client.force_login(executive)
    response = client.get(reverse("governance:member_list"))
    assert "The council has no members yet" in response.text


def test_an_admin_appointing_a_second_chair_sees_why_not(
    client, governance_admin, chair, seated_member
):
    client.force_login(governance_admin)
    response = client.post(
        reverse("governance:member_list"),
        {"user": seated_member.pk, "seat": "security", "is_chair": "on", "active": "on"},
    )
    assert response.status_code == 400
    assert "Carla Chair already chairs the council" in response.text
    assert not CouncilMembership.objects.get(user=seated_member).is_chair


def test_an_admin_deactivates_a_member_from_the_page(client, governance_admin, seated_member):
    client.force_login(governance_admin)
    response = client.post(
        reverse("governance:member_list"), {"user": seated_member.pk, "seat": "security"}
    )
    assert response.status_code == 302
    assert not CouncilMembership.objects.get(user=seated_member).active


# ---------------------------------------------------------------------------------------------
# Permissions: every URL and method, every role
# ---------------------------------------------------------------------------------------------

# Besides the table's people: the council's chair.
ROLES = roles_with("chair")
READERS = readers("chair")
RUNNERS = {"chair", "governance_admin"}
ADMINS = {"governance_admin"}


@pytest.fixture
def ctx(users_by_role, chair, seated_member, initiative, policies, checklists):
    meeting = _meeting(chair)
    decided = gate_request(
        initiative,
        pilot_policy_version(policies),
        users_by_role["owner"],
        decision="go",
        decided_by=chair,
    )
    return {
        **users_by_role,
        "chair": chair,
        "meeting": meeting,
        "decided": decided,
        "policy": _rollout_policy(policies),
    }


PAGE_CASES = [
    ("meetings", "get", lambda c: reverse("governance:meeting_list"), None, READERS, 200),
    ("meeting form", "get", lambda c: reverse("governance:meeting_create"), None, RUNNERS, 200),
    (
        "meeting create",
        "post",
        lambda c: reverse("governance:meeting_create"),
        lambda c: {"title": "Extra council", "scheduled_for": "2026-12-03T10:00"},
        RUNNERS,
        302,
    ),
    (
        "meeting",
        "get",
        lambda c: reverse("governance:meeting_detail", args=[c["meeting"].pk]),
        None,
        READERS,
        200,
    ),
    (
        "minutes save",
        "post",
        lambda c: reverse("governance:meeting_detail", args=[c["meeting"].pk]),
        lambda c: {"minutes": "Agreed.", "version": c["meeting"].version},
        RUNNERS,
        302,
    ),
    (
        "link decisions",
        "post",
        lambda c: reverse("governance:meeting_link_decisions", args=[c["meeting"].pk]),
        lambda c: {"requests": [c["decided"].pk]},
        RUNNERS,
        302,
    ),
    (
        "printable minutes",
        "get",
        lambda c: reverse("governance:meeting_minutes", args=[c["meeting"].pk]),
        None,
        READERS,
        200,
    ),
    ("policies", "get", lambda c: reverse("governance:policy_list"), None, READERS, 200),
    (
        "policy form",
        "get",
        lambda c: reverse("governance:policy_edit", args=[c["policy"].pk]),
        None,
        ADMINS,
        200,
    ),
    (
        "policy save",
        "post",
        lambda c: reverse("governance:policy_edit", args=[c["policy"].pk]),
        lambda c: policy_post_data(c["policy"].versions.get(), quorum=3),
        ADMINS,
        302,
    ),
    ("members", "get", lambda c: reverse("governance:member_list"), None, READERS, 200),
    (
        "member set",
        "post",
        lambda c: reverse("governance:member_list"),
        lambda c: {"user": c["council_member"].pk, "seat": "legal", "active": "on"},
        ADMINS,
        302,
    ),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("name", "method", "url", "data", "allowed", "success"),
    PAGE_CASES,
    ids=[case[0] for case in PAGE_CASES],
)
def test_page_permissions(client, ctx, role, name, method, url, data, allowed, success):
    signed_in(client, ctx.get(role))
    response = getattr(client, method)(url(ctx), data(ctx) if data else None)
    expected = expected_status(role, allowed, success, api=False)
    assert response.status_code == expected, (
        f"{role} {method.upper()} {name}: {response.status_code}, expected {expected}"
    )
    if role == "anonymous":
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("post", lambda c: reverse("governance:meeting_list")),
        ("post", lambda c: reverse("governance:meeting_minutes", args=[c["meeting"].pk])),
        ("post", lambda c: reverse("governance:policy_list")),
        ("get", lambda c: reverse("governance:meeting_link_decisions", args=[c["meeting"].pk])),
        ("delete", lambda c: reverse("governance:meeting_detail", args=[c["meeting"].pk])),
        ("put", lambda c: reverse("governance:member_list")),
    ],
)
def test_methods_a_page_does_not_take_are_refused(client, ctx, method, url):
    client.force_login(ctx["governance_admin"])
    assert getattr(client, method)(url(ctx)).status_code == 405


def test_a_missing_meeting_or_policy_is_not_found_for_readers(client, ctx):
    client.force_login(ctx["executive"])
    assert client.get(reverse("governance:meeting_detail", args=[999])).status_code == 404
    client.force_login(ctx["governance_admin"])
    assert client.get(reverse("governance:policy_edit", args=[999])).status_code == 404


def test_refused_writes_change_nothing(client, ctx):
    client.force_login(ctx["council_member"])
    client.post(
        reverse("governance:meeting_detail", args=[ctx["meeting"].pk]),
        {"minutes": "Hijacked", "version": 1},
    )
    client.force_login(ctx["chair"])
    client.post(
        reverse("governance:policy_edit", args=[ctx["policy"].pk]),
        policy_post_data(ctx["policy"].versions.get(), quorum=5),
    )
    client.post(
        reverse("governance:member_list"),
        {"user": ctx["chair"].pk, "seat": "legal", "active": "on"},
    )
    ctx["meeting"].refresh_from_db()
    assert ctx["meeting"].minutes == ""
    assert ctx["policy"].versions.count() == 1
    assert CouncilMembership.objects.get(user=ctx["chair"]).seat == Seat.EXECUTIVE


# ---------------------------------------------------------------------------------------------
# Query counts: the same whatever the size of the portfolio
# ---------------------------------------------------------------------------------------------

# Session, user, roles (groups), council membership (chair?), count, page of meetings.
MEETING_LIST_BUDGET = 6
# Session, user, roles, meeting, membership, decisions with vote counts, attendees, and for
# the chair the decisions that could be linked.
MEETING_PAGE_BUDGET = 8
# Session, user, roles, meeting, decisions with vote counts, attendees.
PRINT_BUDGET = 6
# Session, user, roles, policies, versions with pending counts.
POLICY_PAGE_BUDGET = 5


@pytest.fixture
def many(chair, product_owner, policies):
    def build(size: int) -> CouncilMeeting:
        version = pilot_policy_version(policies)
        meeting = CouncilMeeting.objects.create(title="Big council", scheduled_for=timezone.now())
        portfolio_with_requests(size, version, product_owner, meeting=meeting, voter=chair)
        meeting.agenda = _meeting(chair).agenda
        meeting.save()
        # As many meetings as initiatives, each with the full agenda.
        CouncilMeeting.objects.bulk_create(
            CouncilMeeting(
                title=f"Council {n}",
                scheduled_for=timezone.now() - datetime.timedelta(days=n + 1),
                agenda=meeting.agenda,
            )
            for n in range(size)
        )
        return meeting

    return build


@pytest.mark.parametrize("size", [5, 200])
def test_meeting_list_query_count_is_constant(
    client, chair, many, django_assert_max_num_queries, size
):
    many(size)
    client.force_login(chair)
    with django_assert_max_num_queries(MEETING_LIST_BUDGET):
        response = client.get(reverse("governance:meeting_list"))
    assert len(response.context["rows"]) == min(size + 2, MEETING_PAGE_SIZE)


@pytest.mark.parametrize("size", [5, 200])
@pytest.mark.parametrize("role", ["chair", "executive"])
def test_meeting_page_query_count_is_constant(
    client, chair, executive, many, django_assert_max_num_queries, size, role
):
    meeting = many(size)
    client.force_login(chair if role == "chair" else executive)
    with django_assert_max_num_queries(MEETING_PAGE_BUDGET):
        response = client.get(reverse("governance:meeting_detail", args=[meeting.pk]))
    assert len(response.context["decisions"]) == size
    assert len(response.context["agenda"]["gate_requests"]) == size


@pytest.mark.parametrize("size", [5, 200])
def test_printable_minutes_query_count_is_constant(
    client, executive, many, django_assert_max_num_queries, size
):
    meeting = many(size)
    client.force_login(executive)
    with django_assert_max_num_queries(PRINT_BUDGET):
        response = client.get(reverse("governance:meeting_minutes", args=[meeting.pk]))
    assert len(response.context["decisions"]) == size


@pytest.mark.parametrize("size", [5, 200])
def test_policies_page_query_count_is_constant(
    client, governance_admin, many, django_assert_max_num_queries, size
):
    many(size)
    client.force_login(governance_admin)
    with django_assert_max_num_queries(POLICY_PAGE_BUDGET):
        response = client.get(reverse("governance:policy_list"))
    pilot = response.context["policies"][0]["versions"][0].version
    assert pilot.pending_count == size


def test_members_page_runs_a_handful_of_queries(
    client, governance_admin, chair, seated_member, django_assert_max_num_queries
):
    for n in range(10):
        seated_council_member(seat=Seat.DATA, username=f"member{n}")
    client.force_login(governance_admin)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("governance:member_list"))
    assert len(response.context["members"]) == 12


@time_machine.travel(datetime.datetime(2026, 11, 25, 10, 0, tzinfo=datetime.UTC), tick=True)
def test_a_decision_taken_on_a_meeting_day_is_linked_to_that_meeting(db):
    """The chair decides during the meeting; the minutes list the decision without extra steps.

    Pinned to mid-morning: "the same day" is the local day, and a run near midnight would
    otherwise put the meeting and the decision on two different days.
    """
    from django.utils import timezone

    from governance.council.services import meeting_create
    from governance.gates.services.decisions import gate_request_decide
    from governance.gates.services.requests import vote_cast
    from governance.models import GateRequest
    from tests.governance.gate_pages_support import (
        council,
        file_request,
        load_shipped_data,
        make_gate_ready,
        pilot_initiative,
    )

    versions = load_shipped_data()
    members = council()
    owner = UserFactory(username="meeting_owner", roles=[Role.PRODUCT_OWNER])
    delivery = UserFactory(username="meeting_delivery", roles=[Role.PRODUCT_OWNER])
    initiative = pilot_initiative(owner, delivery)
    make_gate_ready(initiative, owner, versions)
    request = file_request(initiative, owner)
    meeting = meeting_create(
        actor=members["sec"],
        title="Weekly AI council",
        scheduled_for=timezone.now() - datetime.timedelta(minutes=30),
    )
    for name in ("sec", "legal"):
        vote_cast(request=request, actor=members[name], choice="approve", comment="Sound")
    gate_request_decide(request=request, actor=members["sec"], decision="go", reason="Criteria met")
    assert GateRequest.objects.get(pk=request.pk).meeting == meeting
