"""/api/v1/ for the stage gates: gate requests, votes, decisions, withdrawals, pause/resume/stop
and pilot purgatory; same permissions as the pages, 400 naming the field, 409 on conflicts."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from governance.gates.services import initiative_status_change
from governance.gates.services.decisions import gate_request_decide
from governance.gates.services.requests import vote_cast
from governance.models import (
    ActionItem,
    GateRequest,
    GateRequestStatus,
    Seat,
    Vote,
)
from portfolio.models import Initiative, Stage, Status
from tests.factories import seated_council_member
from tests.governance.gate_pages_support import (
    council,
    file_request,
    load_shipped_data,
    make_gate_ready,
    pilot_initiative,
)
from tests.roles import api_client, expected_status, readers, roles_with

pytestmark = pytest.mark.django_db

# Besides the table's people: the council's chair, and a member recused as the initiative's
# delivery owner.
ROLES = roles_with("chair", "recused_member")
READERS = readers("chair", "recused_member")
REQUESTERS = {"owner", "governance_admin"}
VOTERS = {"council_member", "chair"}
STATUS_CHANGERS = {"chair", "governance_admin"}


@pytest.fixture
def api_ctx(users_by_role, product_owner, business_unit, governance_admin):
    versions = load_shipped_data()
    members = council()
    recused = seated_council_member(
        seat=Seat.PRODUCT, username="paul", first_name="Paul", last_name="Okafor"
    )
    initiative = pilot_initiative(product_owner, recused, business_unit=business_unit)
    make_gate_ready(initiative, product_owner, versions)
    gate_request = file_request(initiative, product_owner)
    vote_cast(request=gate_request, actor=members["sec"], choice="approve")
    vote_cast(request=gate_request, actor=members["legal"], choice="approve")
    second = pilot_initiative(
        product_owner, product_owner, title="Second initiative", business_unit=business_unit
    )
    paused = pilot_initiative(
        product_owner, product_owner, title="Paused initiative", business_unit=business_unit
    )
    initiative_status_change(
        to_status=Status.PAUSED, initiative=paused, actor=governance_admin, reason="Budget review"
    )
    return {
        **users_by_role,
        **members,
        "chair": members["sec"],
        "recused_member": recused,
        "initiative": initiative,
        "gate_request": gate_request,
        "second": second,
        "paused": paused,
        "versions": versions,
    }


def _request_url(c, suffix: str = "") -> str:
    return f"/api/v1/gate-requests/{c['gate_request'].pk}/{suffix}"


# (name, method, url builder, data builder, allowed roles, success status)
API_CASES = [
    ("list", "get", lambda c: "/api/v1/gate-requests/", None, READERS, 200),
    ("detail", "get", _request_url, None, READERS, 200),
    (
        "create",
        "post",
        lambda c: "/api/v1/gate-requests/",
        lambda c: {"initiative": c["second"].pk, "justification": "Statement follows."},
        REQUESTERS,
        201,
    ),
    (
        "vote",
        "post",
        lambda c: _request_url(c, "votes/"),
        lambda c: {"choice": "approve", "comment": "Controls verified."},
        VOTERS,
        201,
    ),
    (
        "decide",
        "post",
        lambda c: _request_url(c, "decide/"),
        lambda c: {"decision": "go", "reason": "Security and legal approve."},
        {"chair"},
        200,
    ),
    (
        "withdraw",
        "post",
        lambda c: _request_url(c, "withdraw/"),
        lambda c: {"reason": "Scope changes first."},
        REQUESTERS,
        200,
    ),
    (
        "initiative status",
        "get",
        lambda c: f"/api/v1/initiative-status/{c['initiative'].pk}/",
        None,
        READERS,
        200,
    ),
    (
        "pause",
        "post",
        lambda c: f"/api/v1/initiative-status/{c['second'].pk}/pause/",
        lambda c: {"reason": "Vendor contract under review."},
        STATUS_CHANGERS,
        200,
    ),
    (
        "resume",
        "post",
        lambda c: f"/api/v1/initiative-status/{c['paused'].pk}/resume/",
        lambda c: {"reason": "Budget confirmed."},
        STATUS_CHANGERS,
        200,
    ),
    (
        "stop",
        "post",
        lambda c: f"/api/v1/initiative-status/{c['second'].pk}/stop/",
        lambda c: {"reason": "The KPI did not move."},
        STATUS_CHANGERS,
        200,
    ),
    ("pilot purgatory", "get", lambda c: "/api/v1/pilot-purgatory/", None, READERS, 200),
]


def _client(ctx, role: str) -> APIClient:
    return api_client(ctx.get(role))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("name", "method", "url", "data", "allowed", "success"),
    API_CASES,
    ids=[case[0] for case in API_CASES],
)
def test_gate_api_permissions(api_ctx, role, name, method, url, data, allowed, success):
    client = _client(api_ctx, role)
    payload = data(api_ctx) if data else None
    response = getattr(client, method)(url(api_ctx), payload, format="json")
    expected = expected_status(role, allowed, success, api=True)
    assert response.status_code == expected, (
        f"{role} {method.upper()} {name}: {response.status_code} "
        f"{getattr(response, 'data', '')}, expected {expected}"
    )


def test_unknown_gate_request_is_404(api_ctx):
    response = _client(api_ctx, "executive").get("/api/v1/gate-requests/999999/")
    assert response.status_code == 404


# ---------------------------------------------------------------------------------------------
# Shapes
# ---------------------------------------------------------------------------------------------


def test_detail_carries_evidence_policy_votes_tally_and_recusals(api_ctx):
    body = _client(api_ctx, "auditor").get(_request_url(api_ctx)).json()
    assert body["from_stage"] == Stage.PILOT and body["to_stage"] == Stage.CONTROLLED_ROLLOUT
    assert body["status"] == "pending" and body["overdue"] is False
    assert body["initiative"] == api_ctx["initiative"].pk
    assert [criterion["id"] for criterion in body["evidence"]][:4] == [
        "not_prohibited_tier",
        "problem_statement_complete",
        "owners_named",
        "scorecard_ready",
    ]
    assert all(criterion["passed"] for criterion in body["evidence"])
    assert body["evidence"][0]["hard"] is True
    assert body["evidence"][1]["hard"] is False
    assert body["evidence"][1]["evidence_url"].endswith("#statement-heading")
    assert body["policy"]["quorum"] == 2
    assert body["policy"]["required_seats"] == ["security", "legal"]
    assert [(v["voter"]["username"], v["seat"], v["choice"]) for v in body["votes"]] == [
        ("sec", "security", "approve"),
        ("legal", "legal", "approve"),
    ]
    assert body["tally"] == {
        "approvals": 2,
        "approvals_with_conditions": 0,
        "rejections": 0,
        "abstentions": 0,
        "votes_cast": 2,
        "quorum": 2,
        "quorum_met": True,
        "missing_seats": [],
        "can_decide": True,
        "can_go": True,
        "go_blockers": [],
    }
    assert body["recusals"] == [
        {
            "member": {
                "id": api_ctx["recused_member"].pk,
                "username": "paul",
                "name": "Paul Okafor",
            },
            "seat": "product",
            "reason": "delivery owner",
        }
    ]
    assert body["action_items"] == []


def test_create_files_a_request_and_freezes_the_evidence(api_ctx, product_owner):
    initiative = api_ctx["second"]
    make_gate_ready(initiative, product_owner, api_ctx["versions"])
    response = _client(api_ctx, "owner").post(
        "/api/v1/gate-requests/", {"initiative": initiative.pk}, format="json"
    )
    assert response.status_code == 201, response.data
    body = response.json()
    assert body["all_criteria_passed"] is True
    assert body["justification"] == ""
    assert body["requested_by"]["username"] == "owner"
    assert len(body["evidence"]) == 9
    assert GateRequest.objects.get(pk=body["id"]).initiative == initiative


def test_create_without_justification_when_criteria_fail_is_400_naming_the_field(api_ctx):
    response = _client(api_ctx, "owner").post(
        "/api/v1/gate-requests/", {"initiative": api_ctx["second"].pk}, format="json"
    )
    assert response.status_code == 400
    assert list(response.data) == ["justification"]
    assert not GateRequest.objects.filter(initiative=api_ctx["second"]).exists()


def test_create_refuses_unknown_fields_and_a_second_pending_request(api_ctx):
    client = _client(api_ctx, "owner")
    typo = client.post(
        "/api/v1/gate-requests/",
        {"initiative": api_ctx["second"].pk, "justfication": "x"},
        format="json",
    )
    assert typo.status_code == 400 and "justfication" in typo.data
    again = client.post(
        "/api/v1/gate-requests/", {"initiative": api_ctx["initiative"].pk}, format="json"
    )
    assert again.status_code == 400
    assert "already pending" in str(again.data["initiative"])


def test_vote_returns_the_vote_and_the_new_tally(api_ctx):
    response = _client(api_ctx, "data").post(
        _request_url(api_ctx, "votes/"),
        {"choice": "approve_with_conditions", "conditions": "Rollback drill\nDrift report"},
        format="json",
    )
    assert response.status_code == 201, response.data
    body = response.json()
    assert body["voter"]["username"] == "data"
    assert body["seat"] == "data"
    assert body["conditions"] == ["Rollback drill", "Drift report"]
    assert body["tally"]["votes_cast"] == 3
    assert body["tally"]["approvals_with_conditions"] == 1


def test_vote_errors_name_the_field(api_ctx):
    client = _client(api_ctx, "data")
    bad_choice = client.post(_request_url(api_ctx, "votes/"), {"choice": "yes"}, format="json")
    assert bad_choice.status_code == 400 and "choice" in bad_choice.data
    no_reason = client.post(_request_url(api_ctx, "votes/"), {"choice": "reject"}, format="json")
    assert no_reason.status_code == 400 and list(no_reason.data) == ["comment"]


def test_recused_member_vote_is_403_with_the_reason(api_ctx):
    response = _client(api_ctx, "recused_member").post(
        _request_url(api_ctx, "votes/"), {"choice": "approve"}, format="json"
    )
    assert response.status_code == 403
    assert "recused" in str(response.data["detail"])
    assert not Vote.objects.filter(voter=api_ctx["recused_member"]).exists()


def test_decide_go_advances_the_stage_and_creates_action_items(api_ctx, product_owner):
    due = (timezone.localdate() + datetime.timedelta(days=21)).isoformat()
    response = _client(api_ctx, "chair").post(
        _request_url(api_ctx, "decide/"),
        {
            "decision": "go",
            "reason": "Security and legal approve.",
            "action_items": [
                {
                    "title": "Publish the rollback runbook",
                    "owner": product_owner.pk,
                    "due_date": due,
                }
            ],
        },
        format="json",
    )
    assert response.status_code == 200, response.data
    body = response.json()
    assert (body["status"], body["decision"]) == ("decided", "go")
    assert body["decided_by"]["username"] == "sec"
    assert [(a["title"], a["owner"]["username"], a["due_date"]) for a in body["action_items"]] == [
        ("Publish the rollback runbook", "owner", due)
    ]
    assert Initiative.objects.get(pk=api_ctx["initiative"].pk).stage == Stage.CONTROLLED_ROLLOUT


def test_decide_errors_name_the_field(api_ctx):
    client = _client(api_ctx, "chair")
    missing = client.post(_request_url(api_ctx, "decide/"), {"decision": "go"}, format="json")
    assert missing.status_code == 400 and list(missing.data) == ["reason"]
    bad_item = client.post(
        _request_url(api_ctx, "decide/"),
        {"decision": "go", "reason": "Yes.", "action_items": [{"title": "No owner"}]},
        format="json",
    )
    assert bad_item.status_code == 400 and "action_items" in bad_item.data
    assert not ActionItem.objects.exists()


def test_go_without_the_required_seats_is_400_with_the_blockers(api_ctx):
    Vote.objects.filter(voter=api_ctx["legal"]).delete()
    vote_cast(request=api_ctx["gate_request"], actor=api_ctx["data"], choice="approve")
    response = _client(api_ctx, "chair").post(
        _request_url(api_ctx, "decide/"), {"decision": "go", "reason": "Yes."}, format="json"
    )
    assert response.status_code == 400
    assert "legal" in str(response.data["decision"])


def test_deciding_or_voting_on_a_decided_request_is_409(api_ctx):
    gate_request_decide(
        request=api_ctx["gate_request"], actor=api_ctx["chair"], decision="hold", reason="Wait."
    )
    decide = _client(api_ctx, "chair").post(
        _request_url(api_ctx, "decide/"), {"decision": "kill", "reason": "No."}, format="json"
    )
    assert decide.status_code == 409
    assert "already decided" in decide.data["detail"]
    vote = _client(api_ctx, "data").post(
        _request_url(api_ctx, "votes/"), {"choice": "approve"}, format="json"
    )
    assert vote.status_code == 409
    withdraw = _client(api_ctx, "owner").post(
        _request_url(api_ctx, "withdraw/"), {"reason": "Too late."}, format="json"
    )
    assert withdraw.status_code == 409


def test_withdraw_needs_a_reason_and_marks_the_request_withdrawn(api_ctx):
    client = _client(api_ctx, "owner")
    missing = client.post(_request_url(api_ctx, "withdraw/"), {}, format="json")
    assert missing.status_code == 400 and list(missing.data) == ["reason"]
    response = client.post(_request_url(api_ctx, "withdraw/"), {"reason": "Scope."}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == GateRequestStatus.WITHDRAWN


def test_list_filters_by_initiative_status_and_overdue(api_ctx, product_owner):
    late = file_request(api_ctx["second"], product_owner, justification="Please look.")
    GateRequest.objects.filter(pk=late.pk).update(
        review_due_at=timezone.now() - datetime.timedelta(days=1)
    )
    client = _client(api_ctx, "executive")

    def ids(**params) -> list[int]:
        return [row["id"] for row in client.get("/api/v1/gate-requests/", params).json()["results"]]

    assert ids() == [api_ctx["gate_request"].pk, late.pk]
    assert ids(initiative=api_ctx["second"].pk) == [late.pk]
    assert ids(overdue="true") == [late.pk]
    assert ids(overdue="false") == [api_ctx["gate_request"].pk]
    assert ids(status="decided") == []
    row = client.get("/api/v1/gate-requests/", {"overdue": "true"}).json()["results"][0]
    assert (row["overdue"], row["votes_cast"], row["quorum"]) == (True, 0, 2)
    bad = client.get("/api/v1/gate-requests/", {"status": "maybe"})
    assert bad.status_code == 400 and "status" in bad.data


def test_initiative_status_pause_resume_stop_with_reasons(api_ctx):
    url = f"/api/v1/initiative-status/{api_ctx['second'].pk}/"
    client = _client(api_ctx, "governance_admin")
    missing = client.post(url + "pause/", {}, format="json")
    assert missing.status_code == 400 and list(missing.data) == ["reason"]
    paused = client.post(url + "pause/", {"reason": "Budget freeze."}, format="json").json()
    assert (paused["status"], paused["status_reason"]) == (Status.PAUSED, "Budget freeze.")
    again = client.post(url + "pause/", {"reason": "Twice."}, format="json")
    assert again.status_code == 400 and "to_status" in again.data
    resumed = client.post(url + "resume/", {"reason": "Budget back."}, format="json").json()
    assert resumed["status"] == Status.ACTIVE
    stopped = client.post(url + "stop/", {"reason": "Sunset."}, format="json").json()
    assert stopped["status"] == Status.STOPPED


def test_initiative_status_shows_the_pending_request_and_rereview(api_ctx):
    body = (
        _client(api_ctx, "executive")
        .get(f"/api/v1/initiative-status/{api_ctx['initiative'].pk}/")
        .json()
    )
    assert body["pending_request"]["id"] == api_ctx["gate_request"].pk
    assert body["pending_request"]["votes_cast"] == 2
    assert body["in_pilot_purgatory"] is False
    assert body["rereview_needed"] is False and body["rereview_changes"] == []


def test_pilot_purgatory_lists_initiatives_stuck_in_pilot_with_their_days(
    api_ctx, product_owner, business_unit
):
    stuck = pilot_initiative(
        product_owner,
        product_owner,
        title="Forgotten pilot",
        business_unit=business_unit,
        stage_changed_at=timezone.now() - datetime.timedelta(days=143, hours=2),
    )
    client = _client(api_ctx, "executive")
    rows = client.get("/api/v1/pilot-purgatory/").json()["results"]
    assert [(row["initiative"], row["title"], row["days_in_pilot"]) for row in rows] == [
        (stuck.pk, "Forgotten pilot", 143)
    ]
    status = client.get(f"/api/v1/initiative-status/{stuck.pk}/").json()
    assert (status["in_pilot_purgatory"], status["days_without_decision"]) == (True, 143)


def test_the_schema_documents_the_gate_endpoints(api_ctx):
    response = _client(api_ctx, "executive").get("/api/schema/")
    assert response.status_code == 200
    text = response.content.decode()
    for path in (
        "/api/v1/gate-requests/{id}/decide/",
        "/api/v1/gate-requests/{id}/votes/",
        "/api/v1/initiative-status/{id}/pause/",
        "/api/v1/pilot-purgatory/",
    ):
        assert path in text
