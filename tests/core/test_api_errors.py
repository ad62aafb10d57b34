"""What the API answers to input it cannot use: a 4xx with a body naming what is wrong, never a
server error. Each case is one schemathesis found (tests/core/test_api_fuzz.py keeps looking)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from core.permissions import NO_ROLE_MESSAGE
from core.roles import Role
from governance.models import GatePolicy, Risk
from governance.register.permissions import REGISTER_DENIED_MESSAGE
from tests.core.api_support import api_schema
from tests.factories import InitiativeFactory, UserFactory


@pytest.fixture
def admin_api(governance_admin):
    client = APIClient()
    client.force_authenticate(governance_admin)
    return client


@pytest.fixture
def auditor_api(auditor):
    client = APIClient()
    client.force_authenticate(auditor)
    return client


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/risks/abc/",
        "/api/v1/initiatives/null,null/",
        "/api/v1/incidents/null/resolve/",
        "/api/v1/action-items/true/complete/",
        "/api/v1/initiative-status/%F0%9F%98%80/",
        "/api/v1/initiatives/-1/gate-status?stage=pilot",
    ],
)
def test_an_id_that_is_not_a_number_is_a_json_404(admin_api, path):
    response = admin_api.get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def test_a_page_address_that_does_not_exist_is_still_the_site_page(admin_api):
    response = admin_api.get("/initiatives/abc/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    "path",
    ["/api/v1/initiatives.json", "/api/v1/kpis/1/measurements.json", "/api/v1/kpis/1.json"],
)
def test_there_are_no_format_suffix_routes(admin_api, path):
    # DRF's `.json` twins were undocumented, and the KPI's measurements one was a server error.
    assert admin_api.get(path).status_code == 404


def test_the_api_index_still_lists_the_portfolio_collections(admin_api):
    response = admin_api.get("/api/v1/")

    assert response.status_code == 200
    assert "initiatives" in response.json()


def test_every_id_in_a_path_is_documented_as_an_integer():
    schema = api_schema()
    ids = [
        (path, parameter)
        for path, item in schema["paths"].items()
        for operation in item.values()
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "path" and parameter["name"] == "id"
    ]

    assert len(ids) > 40
    assert all(parameter["schema"] == {"type": "integer"} for _, parameter in ids)
    risk = next(parameter for path, parameter in ids if path == "/api/v1/risks/{id}/")
    assert risk["description"] == "A unique integer value identifying this risk."


@pytest.mark.django_db
def test_a_policy_version_without_a_quorum_is_a_400_naming_it(admin_api):
    policy = GatePolicy.objects.create(from_stage="exploration", to_stage="pilot", title="Gate")

    response = admin_api.post(
        f"/api/v1/gate-policies/{policy.pk}/versions/",
        {"criteria": [], "decider_roles": ["council_member"], "required_seats": []},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {"quorum": ["This field is required."]}


@pytest.mark.django_db
def test_a_list_where_an_object_belongs_is_a_400_for_the_whole_body(admin_api):
    response = admin_api.post("/api/v1/initiatives/", [], format="json")

    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["Invalid data. Expected a dictionary, but got list."]
    }


@pytest.mark.django_db
def test_a_string_where_a_number_belongs_is_a_400_naming_the_field(admin_api, initiative):
    response = admin_api.post(
        "/api/v1/risks/",
        {
            "initiative": initiative.pk,
            "category": "security",
            "description": "Prompt injection",
            "likelihood": "often",
            "impact": 3,
            "owner": initiative.business_owner_id,
        },
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {"likelihood": ["A valid integer is required."]}


@pytest.mark.django_db
def test_a_null_character_in_a_search_is_a_400_naming_the_search(admin_api):
    response = admin_api.get("/api/v1/council-members/", {"search": "chair\x00"})

    assert response.status_code == 400
    assert response.json() == {"search": ["Null characters are not allowed."]}


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["99999999999999999999999", "1.5", "-3"])
def test_an_id_filter_that_cannot_be_an_id_is_a_400_naming_it(admin_api, value):
    response = admin_api.get("/api/v1/gate-requests/", {"initiative": value})

    assert response.status_code == 400
    assert list(response.json()) == ["initiative"]


@pytest.mark.django_db
def test_a_meeting_in_the_year_76_is_a_400_naming_the_date(admin_api):
    response = admin_api.post(
        "/api/v1/council-meetings/",
        {"title": "Council", "scheduled_for": "0076-09-23T14:14:42-22:59"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {"scheduled_for": ["Give a date and time from 1900 on."]}


@pytest.mark.django_db
def test_an_auditor_is_refused_a_risk_before_the_body_is_read(auditor_api):
    response = auditor_api.post("/api/v1/risks/", {"likelihood": "often"}, format="json")

    assert response.status_code == 403
    assert response.json() == {"detail": REGISTER_DENIED_MESSAGE}


@pytest.mark.django_db
def test_a_user_without_a_role_hears_that_first(no_role_user):
    client = APIClient()
    client.force_authenticate(no_role_user)

    response = client.post("/api/v1/reports/", [], format="json")

    assert response.status_code == 403
    assert response.json() == {"detail": NO_ROLE_MESSAGE}


@pytest.mark.django_db
def test_someone_named_on_an_initiative_still_reaches_the_register_rule(business_unit):
    # The early refusal asks only whether a user could change any register record; an auditor
    # named as an initiative's value owner may change its records, as before.
    auditor = UserFactory(username="named-auditor", roles=[Role.AUDITOR])
    initiative = InitiativeFactory(business_unit=business_unit, value_owner=auditor)
    client = APIClient()
    client.force_authenticate(auditor)

    response = client.post(
        "/api/v1/risks/",
        {
            "initiative": initiative.pk,
            "category": "security",
            "description": "Prompt injection through pasted emails",
            "likelihood": 3,
            "impact": 4,
            "owner": auditor.pk,
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert Risk.objects.filter(initiative=initiative).count() == 1
    assert response.json()["initiative"]["id"] == initiative.pk
