"""The portfolio pages run the same number of queries whatever the portfolio size."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.roles import Role
from portfolio.models import Stage
from tests.factories import (
    BusinessUnitFactory,
    InitiativeFactory,
    UserFactory,
    VendorFactory,
    problem_statement,
)
from tests.portfolio.support import DETAIL_QUERY_BUDGET

pytestmark = pytest.mark.django_db

# Session, user, groups (roles), count, page of rows, and the filter form's select options
# (business units, owners) — none of which depends on the number of initiatives.
LIST_QUERY_BUDGET = 7
API_LIST_QUERY_BUDGET = 6


def _portfolio(size: int):
    units = [BusinessUnitFactory(name=f"Unit {n}") for n in range(3)]
    owners = [UserFactory(username=f"po{n}", roles=[Role.PRODUCT_OWNER]) for n in range(4)]
    vendors = [VendorFactory(name=f"Vendor {n}") for n in range(2)]
    stages = list(Stage)
    initiatives = []
    for n in range(size):
        initiative = InitiativeFactory(
            title=f"Initiative {n:04d}",
            business_unit=units[n % 3],
            business_owner=owners[n % 4],
            delivery_owner=owners[(n + 1) % 4],
            executive_sponsor=owners[(n + 2) % 4],
            stage=stages[n % len(stages)],
        )
        initiative.vendors.set(vendors)
        initiatives.append(initiative)
    return initiatives


@pytest.mark.parametrize("size", [5, 200])
def test_portfolio_list_query_count_is_constant(
    client, executive, django_assert_max_num_queries, size
):
    _portfolio(size)
    client.force_login(executive)
    with django_assert_max_num_queries(LIST_QUERY_BUDGET):
        response = client.get(reverse("portfolio:initiative_list"), {"sort": "stage"})
    assert len(response.context["page"].object_list) == min(size, 25)


@pytest.mark.parametrize("size", [5, 200])
def test_filtered_htmx_list_query_count_is_constant(
    client, executive, django_assert_max_num_queries, size
):
    initiatives = _portfolio(size)
    client.force_login(executive)
    with django_assert_max_num_queries(LIST_QUERY_BUDGET):
        response = client.get(
            reverse("portfolio:initiative_list"),
            {
                "stage": ["pilot", "scale"],
                "owner": initiatives[0].business_owner_id,
                "q": "Initiative",
            },
            HTTP_HX_REQUEST="true",
            HTTP_HX_TARGET="portfolio-results",
        )
    assert response.status_code == 200


@pytest.mark.parametrize("size", [5, 200])
def test_initiative_page_query_count_is_constant(
    client, executive, governance_admin, django_assert_max_num_queries, size
):
    initiatives = _portfolio(size)
    target = initiatives[-1]
    problem_statement(target, governance_admin)
    client.force_login(executive)
    with django_assert_max_num_queries(DETAIL_QUERY_BUDGET):
        response = client.get(target.get_absolute_url())
    assert response.status_code == 200
    assert "Vendor 1" in response.text


@pytest.mark.parametrize("size", [5, 200])
def test_api_initiative_list_query_count_is_constant(
    client, executive, django_assert_max_num_queries, size
):
    _portfolio(size)
    client.force_login(executive)
    with django_assert_max_num_queries(API_LIST_QUERY_BUDGET):
        response = client.get("/api/v1/initiatives/")
    assert len(response.json()["results"]) == min(size, 25)
