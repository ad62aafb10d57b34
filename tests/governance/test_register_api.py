"""/api/v1/ risks, incidents, leadership-decisions and action-items: shapes, errors, permissions."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from core.models import AuditEvent
from governance.models import Risk
from governance.register.services import risk_update
from tests.governance.register_support import (
    COMPLETERS,
    MANAGERS,
    OUTCOME_RECORDERS,
    PORTFOLIO_MANAGERS,
    make_action,
    make_risk,
)
from tests.roles import READERS, ROLES, api_client, expected_status

pytestmark = pytest.mark.django_db


def _today(days: int = 0) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


@pytest.fixture
def api(council_member):
    client = APIClient()
    client.force_authenticate(council_member)
    return client


def _risk_payload(initiative, owner, **overrides):
    payload = {
        "initiative": initiative.pk,
        "category": "legal",
        "description": "Legal has not reviewed the dunning email wording.",
        "likelihood": 4,
        "impact": 4,
        "owner": owner.pk,
    }
    payload.update(overrides)
    return payload


# ---------------------------------------------------------------------------------------------
# Shapes
# ---------------------------------------------------------------------------------------------


def test_creating_a_risk_answers_with_the_computed_severity(api, initiative, product_owner):
    response = api.post("/api/v1/risks/", _risk_payload(initiative, product_owner), format="json")
    assert response.status_code == 201, response.data
    body = response.json()
    assert body["severity"] == 16
    assert body["severity_level"] == "high"
    assert body["escalated"] is True
    assert body["status"] == "open"
    assert body["version"] == 1
    assert body["initiative"] == {"id": initiative.pk, "title": initiative.title}
    assert body["owner"]["id"] == product_owner.pk
    assert body["escalation_threshold"] == 15


@pytest.mark.parametrize(("field", "value"), [("likelihood", 0), ("likelihood", 6), ("impact", 7)])
def test_a_bad_score_is_a_400_naming_the_field(api, initiative, product_owner, field, value):
    payload = _risk_payload(initiative, product_owner, **{field: value})
    response = api.post("/api/v1/risks/", payload, format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert "1 to 5" in response.json()[field][0]


def test_a_missing_owner_is_a_400_naming_the_owner(api, initiative, product_owner):
    payload = _risk_payload(initiative, product_owner)
    del payload["owner"]
    response = api.post("/api/v1/risks/", payload, format="json")
    assert response.status_code == 400
    assert "owner" in response.json()


def test_severity_cannot_be_sent(api, initiative, product_owner):
    payload = _risk_payload(initiative, product_owner, severity=1)
    response = api.post("/api/v1/risks/", payload, format="json")
    assert response.status_code == 400
    assert "severity" in response.json()


def test_an_update_needs_the_version_and_a_stale_one_is_a_409(api, initiative, product_owner):
    risk = make_risk(initiative, product_owner)
    url = f"/api/v1/risks/{risk.pk}/"
    missing = api.patch(url, {"impact": 2}, format="json")
    assert missing.status_code == 400
    assert "version" in missing.json()
    risk_update(risk=risk, actor=product_owner, data={"impact": 5}, expected_version=1)
    stale = api.patch(url, {"impact": 2, "version": 1}, format="json")
    assert stale.status_code == 409
    assert stale.json()["current"]["impact"] == 5
    fresh = api.patch(url, {"impact": 2, "version": 2}, format="json")
    assert fresh.status_code == 200
    assert (fresh.json()["severity"], fresh.json()["version"]) == (8, 3)


def test_closing_twice_is_a_409(api, initiative, product_owner):
    risk = make_risk(initiative, product_owner)
    url = f"/api/v1/risks/{risk.pk}/close/"
    assert api.post(url, {"reason": ""}, format="json").status_code == 400
    first = api.post(url, {"reason": "Accepted by the council"}, format="json")
    assert first.status_code == 200
    assert (first.json()["status"], first.json()["escalated"]) == ("closed", False)
    assert api.post(url, {"reason": "Again"}, format="json").status_code == 409


def test_the_risk_list_filters_like_the_page(api, initiative, product_owner):
    make_risk(initiative, product_owner, description="Small", likelihood=1, impact=2)
    make_risk(initiative, product_owner, description="Big", likelihood=5, impact=5)
    closed = make_risk(initiative, product_owner, description="Closed")
    api.post(f"/api/v1/risks/{closed.pk}/close/", {"reason": "Gone"}, format="json")
    body = api.get("/api/v1/risks/").json()
    assert body["count"] == 2
    assert [r["description"] for r in body["results"]] == ["Big", "Small"]
    assert api.get("/api/v1/risks/", {"status": "all"}).json()["count"] == 3
    assert api.get("/api/v1/risks/", {"severity_min": 15}).json()["count"] == 1
    assert api.get("/api/v1/risks/", {"escalated": "true"}).json()["count"] == 1
    bad = api.get("/api/v1/risks/", {"severity_min": 99})
    assert bad.status_code == 400
    assert "severity_min" in bad.json()


def test_incidents_resolve_through_the_api(api, initiative, product_owner):
    created = api.post(
        "/api/v1/incidents/",
        {
            "initiative": initiative.pk,
            "summary": "Billing disputes misrouted",
            "owner": product_owner.pk,
            "occurred_at": (timezone.now() - datetime.timedelta(hours=5)).isoformat(),
        },
        format="json",
    )
    assert created.status_code == 201, created.data
    url = f"/api/v1/incidents/{created.json()['id']}/resolve/"
    refused = api.post(url, {}, format="json")
    assert refused.status_code == 400
    assert "corrective_action" in refused.json()
    resolved = api.post(url, {"corrective_action": "Categories go through evals"}, format="json")
    assert resolved.json()["status"] == "resolved"
    assert api.post(url, {"corrective_action": "x"}, format="json").status_code == 409
    assert api.get("/api/v1/incidents/").json()["count"] == 0
    assert api.get("/api/v1/incidents/", {"status": "all"}).json()["count"] == 1


def test_an_incident_in_the_future_is_refused_by_field(api, initiative, product_owner):
    response = api.post(
        "/api/v1/incidents/",
        {
            "initiative": initiative.pk,
            "summary": "Not yet",
            "owner": product_owner.pk,
            "occurred_at": (timezone.now() + datetime.timedelta(days=2)).isoformat(),
        },
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["occurred_at"]


def test_a_portfolio_wide_decision_and_its_outcome(api, executive):
    created = api.post(
        "/api/v1/leadership-decisions/",
        {
            "question": "Confirm risk appetite for external-facing generative use cases",
            "options": "Human approval of every message\nSampled review",
            "owner": executive.pk,
            "due_date": _today(-1),
        },
        format="json",
    )
    assert created.status_code == 201, created.data
    body = created.json()
    assert body["initiative"] is None
    assert body["overdue"] is True
    assert api.get("/api/v1/leadership-decisions/", {"status": "overdue"}).json()["count"] == 1
    executive_client = APIClient()
    executive_client.force_authenticate(executive)
    url = f"/api/v1/leadership-decisions/{body['id']}/record-outcome/"
    decided = executive_client.post(url, {"outcome": "Sampled review"}, format="json")
    assert decided.status_code == 200
    assert (decided.json()["status"], decided.json()["overdue"]) == ("decided", False)
    assert executive_client.post(url, {"outcome": "Again"}, format="json").status_code == 409


def test_an_action_item_due_in_the_past_is_created_and_flagged_overdue(
    api, initiative, product_owner
):
    response = api.post(
        "/api/v1/action-items/",
        {
            "initiative": initiative.pk,
            "title": "Finish the legal review",
            "owner": product_owner.pk,
            "due_date": _today(-2),
        },
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["overdue"] is True
    overdue = api.get("/api/v1/action-items/", {"state": "overdue"}).json()
    assert [item["title"] for item in overdue["results"]] == ["Finish the legal review"]
    url = f"/api/v1/action-items/{response.json()['id']}/complete/"
    done = api.post(url, {"note": "Signed off"}, format="json")
    assert (done.json()["status"], done.json()["overdue"]) == ("done", False)
    assert api.post(url, {}, format="json").status_code == 409


def test_action_items_are_not_edited(api, initiative, product_owner):
    item = make_action(initiative, product_owner)
    response = api.patch(f"/api/v1/action-items/{item.pk}/", {"title": "x"}, format="json")
    assert response.status_code == 405


def test_refused_api_writes_change_nothing(register):
    client = APIClient()
    client.force_authenticate(register["other_product_owner"])
    risk = register["risk"]
    response = client.patch(
        f"/api/v1/risks/{risk.pk}/", {"likelihood": 1, "version": 1}, format="json"
    )
    assert response.status_code == 403
    assert Risk.objects.get(pk=risk.pk).likelihood == 4
    assert not AuditEvent.objects.filter(action="risk.updated").exists()


# ---------------------------------------------------------------------------------------------
# Permissions: every API URL and method × every role
# ---------------------------------------------------------------------------------------------


def _risk_create(c, u):
    return _risk_payload(c["initiative"], c["owner"])


def _incident_create(c, u):
    return {
        "initiative": c["initiative"].pk,
        "summary": "Routing outage",
        "owner": c["owner"].pk,
        "occurred_at": (timezone.now() - datetime.timedelta(hours=1)).isoformat(),
    }


def _decision_create(initiative_key):
    def build(c, u):
        payload = {
            "question": "Pause the knowledge assistant?",
            "options": "Pause\nContinue",
            "owner": c["executive"].pk,
            "due_date": _today(5),
        }
        if initiative_key:
            payload["initiative"] = c[initiative_key].pk
        return payload

    return build


def _action_create(c, u):
    return {
        "initiative": c["initiative"].pk,
        "title": "Write the rollback runbook",
        "owner": c["owner"].pk,
        "due_date": _today(5),
    }


def _full_risk(c, u):
    payload = _risk_payload(c["initiative"], c["owner"], version=1)
    del payload["initiative"]
    return payload


# (name, method, url builder, data builder, allowed roles, success status)
API_CASES = [
    ("risk list", "get", lambda c: "/api/v1/risks/", None, READERS, 200),
    ("risk detail", "get", lambda c: f"/api/v1/risks/{c['risk'].pk}/", None, READERS, 200),
    ("risk create", "post", lambda c: "/api/v1/risks/", _risk_create, MANAGERS, 201),
    (
        "risk patch",
        "patch",
        lambda c: f"/api/v1/risks/{c['risk'].pk}/",
        lambda c, u: {"mitigation": "Restrict the index", "version": 1},
        MANAGERS,
        200,
    ),
    ("risk put", "put", lambda c: f"/api/v1/risks/{c['risk'].pk}/", _full_risk, MANAGERS, 200),
    (
        "risk close",
        "post",
        lambda c: f"/api/v1/risks/{c['risk'].pk}/close/",
        lambda c, u: {"reason": "Mitigated"},
        MANAGERS,
        200,
    ),
    ("incident list", "get", lambda c: "/api/v1/incidents/", None, READERS, 200),
    (
        "incident detail",
        "get",
        lambda c: f"/api/v1/incidents/{c['incident'].pk}/",
        None,
        READERS,
        200,
    ),
    ("incident create", "post", lambda c: "/api/v1/incidents/", _incident_create, MANAGERS, 201),
    (
        "incident patch",
        "patch",
        lambda c: f"/api/v1/incidents/{c['incident'].pk}/",
        lambda c, u: {"impact": "340 emails", "version": 1},
        MANAGERS,
        200,
    ),
    (
        "incident resolve",
        "post",
        lambda c: f"/api/v1/incidents/{c['incident'].pk}/resolve/",
        lambda c, u: {"corrective_action": "Fallback router"},
        MANAGERS,
        200,
    ),
    ("decision list", "get", lambda c: "/api/v1/leadership-decisions/", None, READERS, 200),
    (
        "decision detail",
        "get",
        lambda c: f"/api/v1/leadership-decisions/{c['decision'].pk}/",
        None,
        READERS,
        200,
    ),
    (
        "decision create (initiative)",
        "post",
        lambda c: "/api/v1/leadership-decisions/",
        _decision_create("initiative"),
        MANAGERS,
        201,
    ),
    (
        "decision create (portfolio)",
        "post",
        lambda c: "/api/v1/leadership-decisions/",
        _decision_create(None),
        PORTFOLIO_MANAGERS,
        201,
    ),
    (
        "decision patch",
        "patch",
        lambda c: f"/api/v1/leadership-decisions/{c['decision'].pk}/",
        lambda c, u: {"implications": "A quarter's delay", "version": 1},
        MANAGERS,
        200,
    ),
    (
        "portfolio decision patch",
        "patch",
        lambda c: f"/api/v1/leadership-decisions/{c['portfolio_decision'].pk}/",
        lambda c, u: {"implications": "Sets the bar", "version": 1},
        PORTFOLIO_MANAGERS,
        200,
    ),
    (
        "decision record outcome",
        "post",
        lambda c: f"/api/v1/leadership-decisions/{c['decision'].pk}/record-outcome/",
        lambda c, u: {"outcome": "Approved"},
        OUTCOME_RECORDERS,
        200,
    ),
    ("action list", "get", lambda c: "/api/v1/action-items/", None, READERS, 200),
    (
        "action detail",
        "get",
        lambda c: f"/api/v1/action-items/{c['action'].pk}/",
        None,
        READERS,
        200,
    ),
    ("action create", "post", lambda c: "/api/v1/action-items/", _action_create, MANAGERS, 201),
    (
        "action complete",
        "post",
        lambda c: f"/api/v1/action-items/{c['action'].pk}/complete/",
        lambda c, u: {"note": "Done"},
        COMPLETERS,
        200,
    ),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("name", "method", "url", "data", "allowed", "success"),
    API_CASES,
    ids=[case[0] for case in API_CASES],
)
def test_api_permissions(register, role, name, method, url, data, allowed, success):
    user = register.get(role)
    payload = data(register, user) if data else None
    response = getattr(api_client(user), method)(url(register), payload, format="json")
    expected = expected_status(role, allowed, success, api=True)
    assert response.status_code == expected, (
        f"{role} {method.upper()} {name}: {response.status_code} "
        f"{getattr(response, 'data', '')}, expected {expected}"
    )


def test_an_unknown_record_is_a_404(api):
    assert api.get("/api/v1/risks/999/").status_code == 404
    assert api.post("/api/v1/action-items/999/complete/", {}, format="json").status_code == 404


def test_the_schema_documents_the_register_endpoints(api):
    response = api.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/v1/risks/",
        "/api/v1/risks/{id}/close/",
        "/api/v1/incidents/{id}/resolve/",
        "/api/v1/leadership-decisions/{id}/record-outcome/",
        "/api/v1/action-items/{id}/complete/",
    ):
        assert path in paths
