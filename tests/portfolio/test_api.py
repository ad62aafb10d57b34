from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from portfolio.models import Initiative, ProblemStatement, Stage
from tests.factories import STRONG_STATEMENT, InitiativeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(product_owner):
    client = APIClient()
    client.force_authenticate(product_owner)
    return client


def _payload(unit, owner, **overrides):
    return {
        "title": "Collections automation",
        "business_unit": unit.pk,
        "business_owner": owner.pk,
        "value_category": "cost",
        **overrides,
    }


def test_token_authentication_works_and_anonymous_gets_401(product_owner, initiative):
    token = Token.objects.create(user=product_owner)
    client = APIClient()
    assert client.get("/api/v1/initiatives/").status_code == 401
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = client.get("/api/v1/initiatives/")
    assert response.status_code == 200
    assert response.data["count"] == 1
    assert response.data["results"][0]["title"] == "Customer triage and routing"


def test_create_returns_the_initiative_in_exploration(api, business_unit, product_owner):
    response = api.post(
        "/api/v1/initiatives/", _payload(business_unit, product_owner), format="json"
    )
    assert response.status_code == 201, response.data
    assert response.data["stage"] == "exploration"
    assert response.data["version"] == 1
    assert response.data["owners"]["business_owner"]["username"] == "owner"


@pytest.mark.parametrize(
    ("overrides", "field", "phrase"),
    [
        ({"title": ""}, "title", "may not be blank"),
        ({"title": "x" * 201}, "title", "no more than 200"),
        ({"eu_ai_act_tier": "extreme"}, "eu_ai_act_tier", "not a valid choice"),
        ({"value_category": 7}, "value_category", "not a valid choice"),
        ({"business_unit": "retail"}, "business_unit", "Incorrect type"),
        ({"business_unit": 999}, "business_unit", "does not exist"),
        ({"poc_budget": "lots"}, "poc_budget", "valid number"),
        ({"poc_budget": "-5"}, "poc_budget", "greater than or equal"),
        ({"start_date": "next week"}, "start_date", "wrong format"),
        (
            {"start_date": "2026-05-01", "next_review_date": "2026-04-01"},
            "next_review_date",
            "before the start date",
        ),
        ({"stage": "scale"}, "stage", "Unknown or read-only field"),
        ({"colour": "blue"}, "colour", "Unknown or read-only field"),
    ],
)
def test_bad_input_gets_400_naming_the_field_and_saves_nothing(
    api, business_unit, product_owner, overrides, field, phrase
):
    response = api.post(
        "/api/v1/initiatives/", _payload(business_unit, product_owner, **overrides), format="json"
    )
    assert response.status_code == 400, response.data
    assert field in response.data
    assert phrase in " ".join(str(m) for m in response.data[field])
    assert Initiative.objects.count() == 0


def test_a_non_object_body_is_400_not_500(api):
    response = api.post("/api/v1/initiatives/", [1, 2, 3], format="json")
    assert response.status_code == 400


def test_product_owner_must_own_what_they_create(api, business_unit, other_product_owner):
    response = api.post(
        "/api/v1/initiatives/", _payload(business_unit, other_product_owner), format="json"
    )
    assert response.status_code == 400
    assert "business_owner" in response.data


def test_update_with_a_stale_version_is_409_with_the_current_values(api, initiative):
    url = f"/api/v1/initiatives/{initiative.pk}/"
    assert api.patch(url, {"title": "One", "version": 1}, format="json").status_code == 200
    response = api.patch(url, {"title": "Two", "version": 1}, format="json")
    assert response.status_code == 409
    assert response.data["current"]["title"] == "One"
    initiative.refresh_from_db()
    assert initiative.title == "One"


def test_list_filters_like_the_page(api):
    InitiativeFactory(title="Loan documents", stage=Stage.OPERATION, eu_ai_act_tier="high")
    InitiativeFactory(title="Collections", stage=Stage.PILOT)
    response = api.get("/api/v1/initiatives/", {"stage": "pilot"})
    assert [r["title"] for r in response.data["results"]] == ["Collections"]
    response = api.get("/api/v1/initiatives/", {"eu_ai_act_tier": "high"})
    assert [r["title"] for r in response.data["results"]] == ["Loan documents"]
    assert api.get("/api/v1/initiatives/", {"stage": "production"}).status_code == 400


def test_list_is_paginated(api):
    for n in range(30):
        InitiativeFactory(title=f"I{n:02d}")
    first = api.get("/api/v1/initiatives/")
    assert first.data["count"] == 30
    assert len(first.data["results"]) == 25
    assert first.data["next"].endswith("page=2")


def test_problem_statement_create_returns_findings_sentence_and_score(api, initiative):
    response = api.post(
        "/api/v1/problem-statements/",
        {**STRONG_STATEMENT, "initiative": initiative.pk},
        format="json",
    )
    assert response.status_code == 201, response.data
    assert response.data["version"] == 1
    assert response.data["clarity_score"] >= 4
    assert response.data["complete"] is True
    assert response.data["sentence"].startswith("For Enterprise customer success managers")


def test_second_problem_statement_for_an_initiative_is_refused(api, initiative):
    api.post(
        "/api/v1/problem-statements/",
        {**STRONG_STATEMENT, "initiative": initiative.pk},
        format="json",
    )
    response = api.post(
        "/api/v1/problem-statements/",
        {**STRONG_STATEMENT, "initiative": initiative.pk},
        format="json",
    )
    assert response.status_code == 400
    assert "already has a problem statement" in str(response.data["initiative"])


def test_problem_statement_update_keeps_versions_and_detects_conflicts(api, initiative):
    created = api.post(
        "/api/v1/problem-statements/",
        {**STRONG_STATEMENT, "initiative": initiative.pk},
        format="json",
    ).data
    url = f"/api/v1/problem-statements/{created['id']}/"
    assert api.patch(url, {"target": "10 minutes", "version": 1}, format="json").status_code == 200
    stale = api.patch(url, {"target": "12 minutes", "version": 1}, format="json")
    assert stale.status_code == 409
    assert stale.data["current"]["target"] == "10 minutes"
    statement = ProblemStatement.objects.get()
    assert statement.version == 2
    assert statement.versions.count() == 2


def test_problem_statement_cannot_move_to_another_initiative(api, initiative, product_owner):
    other = InitiativeFactory(business_owner=product_owner)
    created = api.post(
        "/api/v1/problem-statements/",
        {**STRONG_STATEMENT, "initiative": initiative.pk},
        format="json",
    ).data
    response = api.patch(
        f"/api/v1/problem-statements/{created['id']}/", {"initiative": other.pk}, format="json"
    )
    assert response.status_code == 400
    assert "initiative" in response.data


def test_problem_statement_with_wrong_types_is_400(api, initiative):
    response = api.post(
        "/api/v1/problem-statements/",
        {"initiative": initiative.pk, "target_date": 12, "user_team": {"a": 1}},
        format="json",
    )
    assert response.status_code == 400
    assert {"target_date", "user_team"} <= set(response.data)


def test_schema_and_docs_are_served_without_external_assets(client, executive):
    client.force_login(executive)
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/initiatives/" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "swagger-ui" in html
    assert "cdn." not in html and "unpkg" not in html and "jsdelivr" not in html
    assert "/static/drf_spectacular_sidecar/" in html


def test_lists_take_a_page_size_up_to_500(client, executive):
    from portfolio.models import BusinessUnit

    BusinessUnit.objects.bulk_create(BusinessUnit(name=f"Unit {n:03d}") for n in range(501))
    client.force_login(executive)
    default = client.get("/api/v1/business-units/").json()
    assert (default["count"], len(default["results"])) == (501, 25)
    two = client.get("/api/v1/business-units/", {"page_size": 2, "page": 3}).json()
    assert [row["name"] for row in two["results"]] == ["Unit 004", "Unit 005"]
    assert "page_size=2" in two["next"]
    capped = client.get("/api/v1/business-units/", {"page_size": 1000}).json()
    assert len(capped["results"]) == 500
