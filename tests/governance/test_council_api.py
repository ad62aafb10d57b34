"""/api/v1/ for the council: meetings, gate policies, members — shapes, errors, permissions."""

from __future__ import annotations

import pytest
from django.utils import timezone

from core.models import AuditEvent
from governance.council.services import meeting_create, meeting_record_minutes
from governance.models import CouncilMeeting, CouncilMembership, Seat
from portfolio.models import Stage
from tests.factories import InitiativeFactory
from tests.governance.council_support import (
    council_chair,
    gate_request,
    pilot_policy_version,
    portfolio_with_requests,
    vote,
)
from tests.roles import api_client, expected_status, readers, roles_with

pytestmark = pytest.mark.django_db


@pytest.fixture
def chair(db):
    """These tests' chair is Carla, in the executive seat (the gate tests' is Chris)."""
    return council_chair()


MEETINGS = "/api/v1/council-meetings/"
POLICIES = "/api/v1/gate-policies/"
MEMBERS = "/api/v1/council-members/"


def _meeting(actor, title="Weekly AI council") -> CouncilMeeting:
    return meeting_create(actor=actor, title=title, scheduled_for=timezone.now())


def _rollout_policy(policies):
    return next(p for p in policies if p.from_stage == Stage.PILOT)


def _version_payload(version, **overrides) -> dict:
    return {
        "criteria": version.criteria,
        "quorum": version.quorum,
        "required_seats": version.required_seats,
        "decider_roles": version.decider_roles,
        "note": "Tighter after the Q3 review",
        **overrides,
    }


# ---------------------------------------------------------------------------------------------
# Meetings
# ---------------------------------------------------------------------------------------------


def test_meetings_are_listed_newest_first_with_a_summary(chair, executive):
    _meeting(chair, title="Older")
    newer = _meeting(chair, title="Newer")
    response = api_client(executive).get(MEETINGS)
    assert response.status_code == 200
    first = response.json()["results"][0]
    assert first["id"] == newer.pk
    assert set(first) == {
        "id",
        "title",
        "scheduled_for",
        "agenda_summary",
        "decision_count",
        "has_minutes",
        "version",
        "created_by",
        "created_at",
    }
    assert first["agenda_summary"] == (
        "0 gate requests, 0 overdue action items, 0 escalated risks, 0 re-reviews"
    )
    assert first["created_by"]["username"] == "chair"


def test_a_meeting_shows_its_agenda_decisions_votes_and_attendees(
    chair, seated_member, product_owner, initiative, policies, auditor
):
    version = pilot_policy_version(policies)
    pending = gate_request(initiative, version, product_owner)
    meeting = _meeting(chair)
    decided = gate_request(
        InitiativeFactory(title="Invoice matching"),
        version,
        product_owner,
        decision="go",
        decided_by=chair,
        meeting=meeting,
    )
    vote(decided, seated_member, "approve", Seat.SECURITY)
    vote(decided, chair, "reject", Seat.EXECUTIVE)
    body = api_client(auditor).get(f"{MEETINGS}{meeting.pk}/").json()
    assert body["agenda"]["gate_requests"][0]["id"] == pending.pk
    assert body["agenda"]["gate_requests"][0]["transition"] == "Exploration → Pilot"
    assert body["decision_count"] == 1
    assert body["decisions"] == [
        {
            "id": decided.pk,
            "initiative": decided.initiative_id,
            "initiative_title": "Invoice matching",
            "from_stage": "exploration",
            "to_stage": "pilot",
            "decision": "go",
            "reason": "Evidence is sufficient.",
            "decided_at": body["decisions"][0]["decided_at"],
            "votes": {"approve": 1, "approve_with_conditions": 0, "reject": 1, "abstain": 0},
        }
    ]
    assert {"name": "Carla Chair", "seats": ["Executive"]} in body["attendees"]
    assert len(body["attendees"]) == 2
    assert body["minutes"] == ""


def test_the_chair_schedules_a_meeting_and_the_server_builds_its_agenda(
    chair, product_owner, initiative, policies
):
    gate_request(initiative, pilot_policy_version(policies), product_owner)
    response = api_client(chair).post(
        MEETINGS,
        {"title": "Weekly AI council", "scheduled_for": "2026-12-03T10:00:00+01:00"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert len(response.json()["agenda"]["gate_requests"]) == 1
    assert CouncilMeeting.objects.get().agenda["gate_requests"][0]["initiative_id"] == (
        initiative.pk
    )


def test_the_agenda_cannot_be_supplied_by_the_client(chair):
    response = api_client(chair).post(
        MEETINGS,
        {"title": "Council", "scheduled_for": "2026-12-03T10:00:00Z", "agenda": {}},
        format="json",
    )
    assert response.status_code == 400
    assert "agenda" in response.json()
    assert not CouncilMeeting.objects.exists()


def test_a_meeting_without_a_title_is_a_field_error(chair):
    response = api_client(chair).post(
        MEETINGS, {"title": "", "scheduled_for": "2026-12-03T10:00:00Z"}, format="json"
    )
    assert response.status_code == 400
    assert "title" in response.json()


def test_minutes_are_saved_and_a_stale_version_is_a_conflict(chair, governance_admin):
    meeting = _meeting(chair)
    saved = api_client(chair).post(
        f"{MEETINGS}{meeting.pk}/minutes/", {"minutes": "Agreed.", "version": 1}, format="json"
    )
    assert saved.status_code == 200
    assert saved.json()["minutes"] == "Agreed."
    assert saved.json()["version"] == 2
    stale = api_client(governance_admin).post(
        f"{MEETINGS}{meeting.pk}/minutes/", {"minutes": "Overwrite", "version": 1}, format="json"
    )
    assert stale.status_code == 409
    assert stale.json()["current"] == {"minutes": "Agreed.", "version": 2}
    meeting.refresh_from_db()
    assert meeting.minutes == "Agreed."


def test_minutes_need_the_version_that_was_read(chair):
    meeting = _meeting(chair)
    response = api_client(chair).post(
        f"{MEETINGS}{meeting.pk}/minutes/", {"minutes": "Agreed."}, format="json"
    )
    assert response.status_code == 400
    assert "version" in response.json()


def test_decided_requests_are_linked_and_pending_ones_are_refused(
    chair, product_owner, initiative, policies
):
    version = pilot_policy_version(policies)
    meeting = _meeting(chair)
    decided = gate_request(initiative, version, product_owner, decision="go", decided_by=chair)
    pending = gate_request(InitiativeFactory(), version, product_owner)
    refused = api_client(chair).post(
        f"{MEETINGS}{meeting.pk}/decisions/", {"requests": [pending.pk]}, format="json"
    )
    assert refused.status_code == 400
    assert "no decision yet" in refused.json()["requests"][0]
    linked = api_client(chair).post(
        f"{MEETINGS}{meeting.pk}/decisions/", {"requests": [decided.pk]}, format="json"
    )
    assert linked.status_code == 200
    assert [d["id"] for d in linked.json()["decisions"]] == [decided.pk]


# ---------------------------------------------------------------------------------------------
# Gate policies
# ---------------------------------------------------------------------------------------------


def test_policies_list_each_gate_with_its_current_version_in_data_and_words(executive, policies):
    body = api_client(executive).get(POLICIES).json()
    assert [p["title"] for p in body] == [
        "Exploration → Pilot",
        "Pilot → Controlled rollout",
        "Controlled rollout → Scale",
        "Scale → Ongoing operation",
    ]
    rollout = body[1]
    current = rollout["current_version"]
    assert current["number"] == 1
    assert current["required_seats"] == ["security", "legal"]
    assert current["decider_roles"] == ["council_member"]
    assert current["quorum"] == 2
    assert {
        "id": "checklist_passed",
        "params": {"template": "rollout_governance"},
        "hard": False,
    } in current["criteria"]
    assert "Rollout governance checklist all Ready" in current["criteria_text"]
    assert current["pending_requests"] == 0
    assert rollout["versions"] == [current]


def test_an_admin_adds_a_version_and_pending_requests_keep_theirs(
    governance_admin, product_owner, initiative, policies
):
    policy = _rollout_policy(policies)
    old = policy.versions.get()
    pending = gate_request(initiative, old, product_owner)
    response = api_client(governance_admin).post(
        f"{POLICIES}{policy.pk}/versions/",
        _version_payload(old, quorum=3, required_seats=["security", "legal", "data"]),
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["number"] == 2
    assert response.json()["pending_requests"] == 0
    pending.refresh_from_db()
    assert pending.policy_version == old
    detail = api_client(governance_admin).get(f"{POLICIES}{policy.pk}/").json()
    assert [v["number"] for v in detail["versions"]] == [2, 1]
    assert detail["versions"][1]["pending_requests"] == 1


def test_posting_the_current_content_again_makes_no_version(governance_admin, policies):
    policy = _rollout_policy(policies)
    response = api_client(governance_admin).post(
        f"{POLICIES}{policy.pk}/versions/", _version_payload(policy.versions.get()), format="json"
    )
    assert response.status_code == 200
    assert response.json()["number"] == 1
    assert policy.versions.count() == 1


def test_a_version_based_on_an_older_one_is_a_conflict_that_stores_nothing(
    governance_admin, policies
):
    policy = _rollout_policy(policies)
    old = policy.versions.get()
    admin = api_client(governance_admin)
    first = admin.post(
        f"{POLICIES}{policy.pk}/versions/",
        _version_payload(old, quorum=3, based_on=1),
        format="json",
    )
    assert first.status_code == 201, first.json()
    assert "based_on" not in first.json()

    stale = admin.post(
        f"{POLICIES}{policy.pk}/versions/",
        _version_payload(old, quorum=4, based_on=1, note="Second admin"),
        format="json",
    )

    assert stale.status_code == 409, stale.json()
    body = stale.json()
    assert body["detail"] == (
        "Version 2 was saved after you opened version 1. Review it below, then save again."
    )
    assert body["current"]["number"] == 2
    assert body["current"]["quorum"] == 3
    assert body["current"]["criteria"] == first.json()["criteria"]
    assert list(policy.versions.values_list("number", "quorum")) == [(2, 3), (1, old.quorum)]
    assert not AuditEvent.objects.filter(reason="Second admin").exists()


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"criteria": [{"id": "vibes_good", "params": {}}]}, "criteria"),
        ({"criteria": [{"id": "scorecard_ready", "params": {"min_total": -1}}]}, "criteria"),
        ({"quorum": 0}, "quorum"),
        ({"required_seats": ["finance"]}, "required_seats"),
        ({"decider_roles": []}, "decider_roles"),
        ({"number": 7}, "number"),
    ],
)
def test_an_invalid_version_is_refused_by_field(governance_admin, policies, override, field):
    policy = _rollout_policy(policies)
    response = api_client(governance_admin).post(
        f"{POLICIES}{policy.pk}/versions/",
        _version_payload(policy.versions.get(), **override),
        format="json",
    )
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert policy.versions.count() == 1


# ---------------------------------------------------------------------------------------------
# Members
# ---------------------------------------------------------------------------------------------


def test_members_are_listed_with_seat_and_chair(chair, seated_member, executive):
    body = api_client(executive).get(MEMBERS).json()
    assert body[0]["person"]["username"] == "chair"
    assert body[0]["is_chair"] is True
    assert {m["seat"] for m in body} == {"executive", "security"}


def test_an_admin_seats_a_member_then_changes_the_seat(governance_admin, council_member):
    created = api_client(governance_admin).post(
        MEMBERS, {"user": council_member.pk, "seat": "legal"}, format="json"
    )
    assert created.status_code == 201, created.json()
    assert created.json()["active"] is True
    changed = api_client(governance_admin).post(
        MEMBERS, {"user": council_member.pk, "seat": "data"}, format="json"
    )
    assert changed.status_code == 200
    assert CouncilMembership.objects.get(user=council_member).seat == "data"


def test_a_second_chair_is_a_field_error(governance_admin, chair, seated_member):
    response = api_client(governance_admin).post(
        MEMBERS,
        {"user": seated_member.pk, "seat": "security", "is_chair": True},
        format="json",
    )
    assert response.status_code == 400
    assert "already chairs the council" in response.json()["is_chair"][0]


# ---------------------------------------------------------------------------------------------
# Permissions: every endpoint and method, every role
# ---------------------------------------------------------------------------------------------

# Besides the table's people: the council's chair.
ROLES = roles_with("chair")
READERS = readers("chair")
RUNNERS = {"chair", "governance_admin"}
ADMINS = {"governance_admin"}


@pytest.fixture
def ctx(users_by_role, chair, seated_member, initiative, policies):
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


API_CASES = [
    ("meetings", "get", lambda c: MEETINGS, None, READERS, 200),
    ("meeting", "get", lambda c: f"{MEETINGS}{c['meeting'].pk}/", None, READERS, 200),
    (
        "meeting create",
        "post",
        lambda c: MEETINGS,
        lambda c: {"title": "Extra council", "scheduled_for": "2026-12-03T10:00:00Z"},
        RUNNERS,
        201,
    ),
    (
        "minutes",
        "post",
        lambda c: f"{MEETINGS}{c['meeting'].pk}/minutes/",
        lambda c: {"minutes": "Agreed.", "version": 1},
        RUNNERS,
        200,
    ),
    (
        "link decisions",
        "post",
        lambda c: f"{MEETINGS}{c['meeting'].pk}/decisions/",
        lambda c: {"requests": [c["decided"].pk]},
        RUNNERS,
        200,
    ),
    ("policies", "get", lambda c: POLICIES, None, READERS, 200),
    ("policy", "get", lambda c: f"{POLICIES}{c['policy'].pk}/", None, READERS, 200),
    (
        "policy version",
        "post",
        lambda c: f"{POLICIES}{c['policy'].pk}/versions/",
        lambda c: _version_payload(c["policy"].versions.get(), quorum=3),
        ADMINS,
        201,
    ),
    ("members", "get", lambda c: MEMBERS, None, READERS, 200),
    (
        "member set",
        "post",
        lambda c: MEMBERS,
        lambda c: {"user": c["council_member"].pk, "seat": "legal"},
        ADMINS,
        200,
    ),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("name", "method", "url", "data", "allowed", "success"),
    API_CASES,
    ids=[case[0] for case in API_CASES],
)
def test_api_permissions(ctx, role, name, method, url, data, allowed, success):
    response = getattr(api_client(ctx.get(role)), method)(
        url(ctx), data(ctx) if data else None, format="json"
    )
    expected = expected_status(role, allowed, success, api=True)
    assert response.status_code == expected, (
        f"{role} {method.upper()} {name}: {response.status_code} "
        f"{getattr(response, 'data', '')}, expected {expected}"
    )


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("put", lambda c: f"{MEETINGS}{c['meeting'].pk}/"),
        ("patch", lambda c: f"{MEETINGS}{c['meeting'].pk}/"),
        ("delete", lambda c: f"{MEETINGS}{c['meeting'].pk}/"),
        ("get", lambda c: f"{MEETINGS}{c['meeting'].pk}/minutes/"),
        ("post", lambda c: POLICIES),
        ("put", lambda c: f"{POLICIES}{c['policy'].pk}/"),
        ("delete", lambda c: f"{POLICIES}{c['policy'].pk}/"),
        ("get", lambda c: f"{POLICIES}{c['policy'].pk}/versions/"),
        ("delete", lambda c: MEMBERS),
    ],
)
def test_methods_an_endpoint_does_not_take_are_refused(ctx, method, url):
    response = getattr(api_client(ctx["governance_admin"]), method)(url(ctx), {}, format="json")
    assert response.status_code == 405


def test_refused_api_writes_change_nothing(ctx):
    api_client(ctx["council_member"]).post(
        f"{MEETINGS}{ctx['meeting'].pk}/minutes/", {"minutes": "x", "version": 1}, format="json"
    )
    api_client(ctx["chair"]).post(
        f"{POLICIES}{ctx['policy'].pk}/versions/",
        _version_payload(ctx["policy"].versions.get(), quorum=4),
        format="json",
    )
    api_client(ctx["chair"]).post(
        MEMBERS, {"user": ctx["chair"].pk, "seat": "legal"}, format="json"
    )
    ctx["meeting"].refresh_from_db()
    assert ctx["meeting"].minutes == ""
    assert ctx["policy"].versions.count() == 1
    assert CouncilMembership.objects.get(user=ctx["chair"]).seat == Seat.EXECUTIVE


# ---------------------------------------------------------------------------------------------
# Query counts
# ---------------------------------------------------------------------------------------------

# Session-less token auth: user, roles, count, page (+ membership for nothing: reads only).
API_MEETINGS_BUDGET = 4
# User, roles, meeting, decisions with votes, attendees.
API_MEETING_BUDGET = 5
# User, roles, policies, versions with pending counts.
API_POLICIES_BUDGET = 4


@pytest.fixture
def many(chair, product_owner, policies):
    def build(size: int) -> CouncilMeeting:
        meeting = CouncilMeeting.objects.create(title="Big council", scheduled_for=timezone.now())
        portfolio_with_requests(
            size, pilot_policy_version(policies), product_owner, meeting=meeting, voter=chair
        )
        meeting.agenda = _meeting(chair).agenda
        meeting.save()
        meeting_record_minutes(meeting=meeting, actor=chair, minutes="Agreed.")
        return meeting

    return build


@pytest.mark.parametrize("size", [5, 200])
def test_api_meeting_list_query_count_is_constant(
    executive, many, django_assert_max_num_queries, size
):
    many(size)
    client = api_client(executive)
    with django_assert_max_num_queries(API_MEETINGS_BUDGET):
        response = client.get(MEETINGS)
    assert response.json()["count"] == 2


@pytest.mark.parametrize("size", [5, 200])
def test_api_meeting_query_count_is_constant(executive, many, django_assert_max_num_queries, size):
    meeting = many(size)
    client = api_client(executive)
    with django_assert_max_num_queries(API_MEETING_BUDGET):
        response = client.get(f"{MEETINGS}{meeting.pk}/")
    assert len(response.json()["decisions"]) == size


@pytest.mark.parametrize("size", [5, 200])
def test_api_policies_query_count_is_constant(executive, many, django_assert_max_num_queries, size):
    many(size)
    client = api_client(executive)
    with django_assert_max_num_queries(API_POLICIES_BUDGET):
        response = client.get(POLICIES)
    assert response.json()[0]["current_version"]["pending_requests"] == size
