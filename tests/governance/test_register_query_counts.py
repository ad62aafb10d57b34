"""The register pages, API lists and initiative panel run the same queries at any size."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from core.roles import Role, user_roles
from governance.models import ActionItem, Incident, LeadershipDecision, Risk, RiskCategory
from governance.register.panels import register_panel
from portfolio.models import BusinessUnit, Stage
from tests.factories import BusinessUnitFactory, InitiativeFactory, UserFactory

pytestmark = pytest.mark.django_db

# Session, user, roles (groups), count, the page of rows (initiative, business unit and owner
# joined), and the filter form's options: business units, owners. (8 while the initiative
# filter listed every initiative; it is a type-ahead now.)
LIST_BUDGET = 7
# The same without business-unit options: decisions are filtered by scope instead.
DECISION_LIST_BUDGET = 6
# Session, user, roles, count, the page of rows.
API_LIST_BUDGET = 5
# Open risks, open incidents, open action items.
PANEL_BUDGET = 3

CATEGORIES = list(RiskCategory.values)


def _register(size: int) -> list:
    """`size` initiatives, each with three risks, an incident, a decision and two actions.

    Rows are inserted in bulk: the point is the number of rows the pages read, not the
    services (tested elsewhere), and 200 initiatives through the services would be slow.
    """
    units = [BusinessUnitFactory(name=f"Unit {n}") for n in range(3)]
    owners = [UserFactory(username=f"po{n}", roles=[Role.PRODUCT_OWNER]) for n in range(4)]
    stages = list(Stage)
    initiatives = [
        InitiativeFactory(
            title=f"Initiative {n:04d}",
            business_unit=units[n % 3],
            business_owner=owners[n % 4],
            stage=stages[n % len(stages)],
        )
        for n in range(size)
    ]
    today = timezone.localdate()
    now = timezone.now()
    risks, incidents, decisions, actions = [], [], [], []
    for n, initiative in enumerate(initiatives):
        owner = owners[n % 4]
        for k in range(3):
            likelihood, impact = 1 + (n + k) % 5, 1 + (n * 3 + k) % 5
            risks.append(
                Risk(
                    initiative=initiative,
                    category=CATEGORIES[(n + k) % len(CATEGORIES)],
                    description=f"Risk {k} of {initiative.title}",
                    likelihood=likelihood,
                    impact=impact,
                    severity=likelihood * impact,
                    escalated=likelihood * impact >= 15,
                    owner=owner,
                    mitigation="" if k else "A plan",
                )
            )
        incidents.append(
            Incident(
                initiative=initiative,
                summary=f"Incident on {initiative.title}",
                owner=owner,
                occurred_at=now - datetime.timedelta(days=n % 30),
            )
        )
        decisions.append(
            LeadershipDecision(
                initiative=initiative if n % 2 else None,
                question=f"Decide about {initiative.title}",
                options="Yes\nNo",
                owner=owner,
                due_date=today + datetime.timedelta(days=n % 20 - 10),
            )
        )
        for k in range(2):
            actions.append(
                ActionItem(
                    initiative=initiative,
                    title=f"Action {k} on {initiative.title}",
                    owner=owner,
                    due_date=today + datetime.timedelta(days=n % 20 - 10 + k),
                )
            )
    Risk.objects.bulk_create(risks)
    Incident.objects.bulk_create(incidents)
    LeadershipDecision.objects.bulk_create(decisions)
    ActionItem.objects.bulk_create(actions)
    return initiatives


def _resolved(params: dict[str, str]) -> dict[str, str]:
    """Filter values named in PAGES (a username, a unit name) as the ids the form sends."""
    values = dict(params)
    if "owner" in values:
        values["owner"] = str(get_user_model().objects.get(username=values["owner"]).pk)
    if "business_unit" in values:
        values["business_unit"] = str(BusinessUnit.objects.get(name=values["business_unit"]).pk)
    return values


PAGES = [
    ("governance:risk_list", {}, "risk-results", LIST_BUDGET),
    (
        "governance:risk_list",
        {"severity_min": "8", "escalated": "false", "sort": "-updated", "status": "all"},
        "risk-results",
        LIST_BUDGET,
    ),
    ("governance:incident_list", {"status": "all"}, "incident-results", LIST_BUDGET),
    ("governance:leadership_decision_list", {}, "decision-results", DECISION_LIST_BUDGET),
    ("governance:action_item_list", {"state": "all"}, "action-results", LIST_BUDGET),
    (
        "governance:action_item_list",
        {"state": "overdue", "owner": "po0", "business_unit": "Unit 1"},
        "action-results",
        LIST_BUDGET + 2,  # checking each chosen filter value (owner, unit) is one query
    ),
]


@pytest.mark.parametrize("size", [5, 200])
@pytest.mark.parametrize(("url_name", "params", "target", "budget"), PAGES)
def test_register_pages_query_count_is_constant(
    client, council_member, django_assert_max_num_queries, size, url_name, params, target, budget
):
    _register(size)
    client.force_login(council_member)
    params = _resolved(params)
    with django_assert_max_num_queries(budget):
        response = client.get(reverse(url_name), params)
    assert response.status_code == 200
    assert not response.context["filter"].errors
    assert 0 < len(response.context["page"].object_list) <= 25


@pytest.mark.parametrize("size", [5, 200])
@pytest.mark.parametrize(("url_name", "params", "target", "budget"), PAGES)
def test_htmx_filtered_results_query_count_is_constant(
    client, council_member, django_assert_max_num_queries, size, url_name, params, target, budget
):
    _register(size)
    client.force_login(council_member)
    params = _resolved(params)
    with django_assert_max_num_queries(budget):
        response = client.get(
            reverse(url_name), params, HTTP_HX_REQUEST="true", HTTP_HX_TARGET=target
        )
    assert response.text.lstrip().startswith(f'<section id="{target}"')


@pytest.mark.parametrize("size", [5, 200])
def test_the_risk_register_shows_a_full_page_sorted_by_severity(client, executive, size):
    _register(size)
    client.force_login(executive)
    response = client.get(reverse("governance:risk_list"))
    rows = response.context["page"].object_list
    assert len(rows) == min(size * 3, 25)
    assert [r.severity for r in rows] == sorted((r.severity for r in rows), reverse=True)


@pytest.mark.parametrize("size", [5, 200])
@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/risks/",
        "/api/v1/incidents/",
        "/api/v1/leadership-decisions/",
        "/api/v1/action-items/",
    ],  # fmt: skip
)
def test_api_lists_query_count_is_constant(
    client, executive, django_assert_max_num_queries, size, url
):
    _register(size)
    client.force_login(executive)
    with django_assert_max_num_queries(API_LIST_BUDGET):
        response = client.get(url, {"page_size": 25})
    assert response.status_code == 200
    assert 0 < len(response.json()["results"]) <= 25


@pytest.mark.parametrize("size", [5, 200])
def test_the_initiative_panel_runs_three_queries(executive, django_assert_num_queries, size):
    initiatives = _register(size)
    target = initiatives[-1]
    request = RequestFactory().get(target.get_absolute_url())
    request.user = executive
    user_roles(executive)  # the page has read (and cached) the roles before any panel runs
    with django_assert_num_queries(PANEL_BUDGET):
        html = register_panel(request, target)
    assert f"Risk 0 of {target.title}" in html
