"""Every URL and method of the portfolio, for every role: who may read, who may change.

`owner` is the business owner of the initiative under test; `other_product_owner` owns nothing.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from portfolio.models import ProblemStatement, Stage
from tests.factories import problem_statement
from tests.roles import READERS, ROLES, api_client, expected_status, signed_in

EDITORS = {"owner", "governance_admin"}
CREATORS = {"owner", "other_product_owner", "governance_admin"}
ADMINS = {"governance_admin"}


def initiative_payload(ctx, user) -> dict:
    return {
        "title": "New idea",
        "business_unit": ctx["initiative"].business_unit_id,
        "value_category": "cost",
        "business_owner": user.pk if user else "",
        "autonomy_level": "assistant",
        "eu_ai_act_tier": "minimal",
        "sourcing": "build",
    }


STATEMENT = {
    "user_team": "Tier-2 support agents handling billing tickets",
    "friction": "agents re-read the whole ticket history to find the billing context",
    "cause": "billing data lives in three systems with no shared customer id",
    "cost": "14 hours median resolution time and 300 escalations a month",
    "desired_outcome": "give agents the billing context in the ticket",
    "success_metric": "median resolution time",
    "constraints": "customer data stays in approved systems",
    "kpi": "Median resolution time",
    "baseline": "14 hours",
    "target": "9 hours",
    "target_date": "2026-12-31",
    "non_ai_alternative": "A shared billing lookup macro",
}

# (name, method, url builder, data builder, expected status by role group)
PAGE_CASES = [
    ("list", "get", lambda c: reverse("portfolio:initiative_list"), None, READERS, 200),
    ("detail", "get", lambda c: c["initiative"].get_absolute_url(), None, READERS, 200),
    ("create form", "get", lambda c: reverse("portfolio:initiative_create"), None, CREATORS, 200),
    (
        "create",
        "post",
        lambda c: reverse("portfolio:initiative_create"),
        initiative_payload,
        CREATORS,
        302,
    ),
    (
        "edit form",
        "get",
        lambda c: reverse("portfolio:initiative_edit", args=[c["initiative"].pk]),
        None,
        EDITORS,
        200,
    ),
    (
        "edit",
        "post",
        lambda c: reverse("portfolio:initiative_edit", args=[c["initiative"].pk]),
        lambda c, u: {
            **initiative_payload(c, c["owner"]),
            "title": "Renamed",
            "version": c["initiative"].version,
        },
        EDITORS,
        302,
    ),
    (
        "stage form",
        "get",
        lambda c: reverse("portfolio:initiative_stage", args=[c["initiative"].pk]),
        None,
        ADMINS,
        200,
    ),
    (
        "stage",
        "post",
        lambda c: reverse("portfolio:initiative_stage", args=[c["initiative"].pk]),
        lambda c, u: {"to_stage": Stage.PILOT, "reason": "Council approved the pilot on 3 Nov."},
        ADMINS,
        302,
    ),
    (
        "statement form",
        "get",
        lambda c: reverse("portfolio:problem_statement_edit", args=[c["initiative"].pk]),
        None,
        EDITORS,
        200,
    ),
    (
        "statement save",
        "post",
        lambda c: reverse("portfolio:problem_statement_edit", args=[c["initiative"].pk]),
        lambda c, u: {**STATEMENT, "version": 1},
        EDITORS,
        302,
    ),
    (
        "statement check",
        "post",
        lambda c: reverse("portfolio:problem_statement_check", args=[c["initiative"].pk]),
        lambda c, u: STATEMENT,
        EDITORS,
        200,
    ),
    (
        "statement history",
        "get",
        lambda c: reverse("portfolio:problem_statement_history", args=[c["initiative"].pk]),
        None,
        READERS,
        200,
    ),
]

API_CASES = [
    ("bu list", "get", lambda c: "/api/v1/business-units/", None, READERS, 200),
    (
        "bu detail",
        "get",
        lambda c: f"/api/v1/business-units/{c['initiative'].business_unit_id}/",
        None,
        READERS,
        200,
    ),
    (
        "bu create",
        "post",
        lambda c: "/api/v1/business-units/",
        lambda c, u: {"name": "Finance"},
        ADMINS,
        201,
    ),
    (
        "bu update",
        "patch",
        lambda c: f"/api/v1/business-units/{c['initiative'].business_unit_id}/",
        lambda c, u: {"description": "Front-line support"},
        ADMINS,
        200,
    ),
    ("initiative list", "get", lambda c: "/api/v1/initiatives/", None, READERS, 200),
    (
        "initiative detail",
        "get",
        lambda c: f"/api/v1/initiatives/{c['initiative'].pk}/",
        None,
        READERS,
        200,
    ),
    (
        "initiative create",
        "post",
        lambda c: "/api/v1/initiatives/",
        initiative_payload,
        CREATORS,
        201,
    ),
    (
        "initiative update",
        "patch",
        lambda c: f"/api/v1/initiatives/{c['initiative'].pk}/",
        lambda c, u: {"title": "Renamed by API"},
        EDITORS,
        200,
    ),
    (
        "initiative replace",
        "put",
        lambda c: f"/api/v1/initiatives/{c['initiative'].pk}/",
        lambda c, u: {**initiative_payload(c, c["owner"]), "title": "Replaced"},
        EDITORS,
        200,
    ),
    ("statement list", "get", lambda c: "/api/v1/problem-statements/", None, READERS, 200),
    (
        "statement detail",
        "get",
        lambda c: f"/api/v1/problem-statements/{c['statement'].pk}/",
        None,
        READERS,
        200,
    ),
    (
        "statement create",
        "post",
        lambda c: "/api/v1/problem-statements/",
        lambda c, u: {**STATEMENT, "initiative": c["second_initiative"].pk},
        EDITORS,
        201,
    ),
    (
        "statement update",
        "patch",
        lambda c: f"/api/v1/problem-statements/{c['statement'].pk}/",
        lambda c, u: {"target": "8 hours"},
        EDITORS,
        200,
    ),
    ("schema", "get", lambda c: "/api/schema/", None, READERS, 200),
]


@pytest.fixture
def ctx(users_by_role, initiative, governance_admin):
    from core.roles import Role
    from tests.factories import InitiativeFactory, UserFactory

    owner = users_by_role["owner"]
    second = InitiativeFactory(
        title="Second",
        business_unit=initiative.business_unit,
        business_owner=owner,
        delivery_owner=owner,
    )
    # A named delivery owner lets the stage move out of exploration.
    initiative.delivery_owner = UserFactory(username="delivery", roles=[Role.PRODUCT_OWNER])
    initiative.save()
    statement = problem_statement(initiative, governance_admin, STATEMENT)
    return {
        **users_by_role,
        "initiative": initiative,
        "second_initiative": second,
        "statement": statement,
    }


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("name", "method", "url", "data", "allowed", "success"),
    PAGE_CASES,
    ids=[c[0] for c in PAGE_CASES],
)
def test_page_permissions(client, ctx, role, name, method, url, data, allowed, success):
    user = ctx.get(role)
    signed_in(client, user)
    payload = data(ctx, user) if data else None
    response = (
        getattr(client, method)(url(ctx), payload)
        if payload is not None
        else getattr(client, method)(url(ctx))
    )
    expected = expected_status(role, allowed, success, api=False)
    assert response.status_code == expected, (
        f"{role} {method.upper()} {name}: {response.status_code}, expected {expected}"
    )
    if role == "anonymous":
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("name", "method", "url", "data", "allowed", "success"),
    API_CASES,
    ids=[c[0] for c in API_CASES],
)
def test_api_permissions(ctx, role, name, method, url, data, allowed, success):
    user = ctx.get(role)
    payload = data(ctx, user) if data else None
    response = getattr(api_client(user), method)(url(ctx), payload, format="json")
    expected = expected_status(role, allowed, success, api=True)
    if name == "schema" and role == "no_role":
        expected = 403
    assert response.status_code == expected, (
        f"{role} {method.upper()} {name}: {response.status_code} {getattr(response, 'data', '')}, "
        f"expected {expected}"
    )


@pytest.mark.django_db
def test_refused_writes_change_nothing(ctx):
    client = APIClient()
    client.force_authenticate(ctx["other_product_owner"])
    response = client.patch(f"/api/v1/initiatives/{ctx['initiative'].pk}/", {"title": "Hijacked"})
    assert response.status_code == 403
    ctx["initiative"].refresh_from_db()
    assert ctx["initiative"].title == "Customer triage and routing"
    assert ProblemStatement.objects.get(pk=ctx["statement"].pk).version == 1
