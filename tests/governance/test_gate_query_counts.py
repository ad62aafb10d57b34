"""The gate pages and API run the same number of queries whatever the portfolio's size.

Requests and votes are written with the ORM here (hundreds of them): these tests are about what
reading them costs, not about how they are filed.
"""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.roles import Role, user_roles
from governance.gates.panels import gate_panel
from governance.models import GatePolicyVersion, GateRequest, Risk, Seat, Vote
from portfolio.models import Stage
from tests.factories import GateRequestFactory, UserFactory, seated_council_member
from tests.governance.gate_pages_support import (
    council,
    file_request,
    load_shipped_data,
    make_gate_ready,
    pilot_initiative,
)

pytestmark = pytest.mark.django_db

# Measured on SQLite and PostgreSQL; each budget names what the queries are.
# Session, user, roles, council membership, the count of the queue, the page of requests,
# their votes, the pilot purgatory list, the open re-reviews, the areas at 1 awaiting review
# (assessments, their reviews, template versions), and the pending autonomy promotions.
QUEUE_BUDGET = 13
# Session, user, roles, initiative, pending request, policy version, and the gate snapshot:
# statement, submitted assessments, item reviews, open risks, open incidents.
REQUEST_PAGE_BUDGET = 11
# Session, user, roles, the request (with initiative and policy), votes, recusals, the
# viewer's membership, the owner choices of the action item rows; the criteria on the live
# record (the gate snapshot's five queries: what a go is held to); the acting-chair choices.
DETAIL_BUDGET = 14
# The initiative's gate facts in one query, the exceptions granted to it, plus the viewer's
# membership for council members.
PANEL_BUDGET = 3
# Session, user, roles, count, page of requests, their votes.
API_LIST_BUDGET = 6
# Session, user, roles, the request, votes, exceptions, recusals; the criteria on the live
# record (the gate snapshot's five queries: `criteria_now`).
API_DETAIL_BUDGET = 11
# Session, user, roles, count, page.
PURGATORY_API_BUDGET = 5


@pytest.fixture
def world(product_owner, business_unit):
    versions = load_shipped_data()
    members = council()
    version = GatePolicyVersion.objects.get(policy__from_stage=Stage.PILOT)
    return {"versions": versions, "members": members, "version": version}


def _pending_portfolio(world, owner, business_unit, size: int) -> list[GateRequest]:
    """`size` initiatives in pilot, each with a pending request and two votes."""
    now = timezone.now()
    requests = []
    for n in range(size):
        initiative = pilot_initiative(
            owner,
            owner,
            title=f"Initiative {n:04d}",
            business_unit=business_unit,
            stage_changed_at=now - datetime.timedelta(days=30 + n),
        )
        request = GateRequestFactory(
            initiative=initiative,
            policy_version=world["version"],
            requested_by=owner,
            review_due_at=now + datetime.timedelta(days=7 - n % 10),
            justification="Some criteria fail; see the evidence.",
        )
        for username, seat in (("sec", Seat.SECURITY), ("legal", Seat.LEGAL)):
            Vote.objects.create(
                request=request, voter=world["members"][username], seat=seat, choice="approve"
            )
        requests.append(request)
    return requests


@pytest.mark.parametrize("size", [5, 200])
@pytest.mark.parametrize("show", ["pending", "overdue", "decided"])
def test_review_queue_query_count_is_constant(
    client, world, product_owner, business_unit, django_assert_max_num_queries, size, show
):
    requests = _pending_portfolio(world, product_owner, business_unit, size)
    if show == "decided":
        GateRequest.objects.filter(pk__in=[r.pk for r in requests]).update(
            status="decided",
            decision="hold",
            decided_by=world["members"]["sec"],
            decided_at=timezone.now(),
        )
    client.force_login(world["members"]["legal"])
    with django_assert_max_num_queries(QUEUE_BUDGET):
        response = client.get(reverse("governance:council_queue"), {"show": show})
    assert response.status_code == 200
    if show != "overdue":
        assert len(response.context["rows"]) == min(size, 25)


@pytest.mark.parametrize("size", [5, 200])
def test_request_page_query_count_is_constant(
    client, world, product_owner, business_unit, django_assert_max_num_queries, size
):
    _pending_portfolio(world, product_owner, business_unit, size)
    target = pilot_initiative(
        product_owner, product_owner, title="Target", business_unit=business_unit
    )
    make_gate_ready(target, product_owner, world["versions"])
    for n in range(size // 5):
        Risk.objects.create(
            initiative=target,
            category="security",
            description=f"Risk {n}",
            likelihood=2,
            impact=2,
            severity=4,
            owner=product_owner,
        )
    client.force_login(product_owner)
    with django_assert_max_num_queries(REQUEST_PAGE_BUDGET):
        response = client.get(reverse("governance:gate_request_create", args=[target.pk]))
    assert response.status_code == 200
    # The built-in prohibited-practice check and the policy's eight.
    assert len(response.context["preview"].criteria) == 9


@pytest.mark.parametrize("voters", [2, 40])
def test_request_detail_query_count_is_constant(
    client, world, product_owner, business_unit, django_assert_max_num_queries, voters
):
    initiative = pilot_initiative(product_owner, product_owner, business_unit=business_unit)
    make_gate_ready(initiative, product_owner, world["versions"])
    request = file_request(initiative, product_owner)
    for n in range(voters):
        user = seated_council_member(seat=Seat.DATA, username=f"member{n}")
        Vote.objects.create(request=request, voter=user, seat=Seat.DATA, choice="abstain")
    client.force_login(world["members"]["sec"])  # the chair: vote and decide forms too
    with django_assert_max_num_queries(DETAIL_BUDGET):
        response = client.get(reverse("governance:gate_request_detail", args=[request.pk]))
    assert response.status_code == 200
    assert response.context["decision_form"] is not None
    assert len(response.context["votes"]) == voters


@pytest.mark.parametrize(
    "viewer", ["chair", "governance_admin", "owner"], ids=["chair", "admin", "owner"]
)
def test_initiative_panel_stays_within_its_budget(
    world, product_owner, business_unit, governance_admin, viewer
):
    initiative = pilot_initiative(product_owner, product_owner, business_unit=business_unit)
    make_gate_ready(initiative, product_owner, world["versions"])
    file_request(initiative, product_owner)
    user = {
        "chair": world["members"]["sec"],
        "governance_admin": governance_admin,
        "owner": product_owner,
    }[viewer]
    request = RequestFactory().get(initiative.get_absolute_url())
    request.user = type(user).objects.get(pk=user.pk)  # no membership cached on it yet
    user_roles(request.user)  # the page has read the roles before any panel runs
    with CaptureQueriesContext(connection) as queries:
        html = gate_panel(request, initiative)
    assert len(queries) <= PANEL_BUDGET, [q["sql"] for q in queries]
    assert "Request to move to Controlled rollout" in html


@pytest.mark.parametrize("size", [5, 200])
def test_gate_request_api_list_query_count_is_constant(
    client, world, product_owner, business_unit, django_assert_max_num_queries, size
):
    _pending_portfolio(world, product_owner, business_unit, size)
    client.force_login(product_owner)
    with django_assert_max_num_queries(API_LIST_BUDGET):
        response = client.get("/api/v1/gate-requests/")
    assert len(response.json()["results"]) == min(size, 25)


@pytest.mark.parametrize("voters", [2, 40])
def test_gate_request_api_detail_query_count_is_constant(
    client, world, product_owner, business_unit, django_assert_max_num_queries, voters
):
    request = _pending_portfolio(world, product_owner, business_unit, 1)[0]
    for n in range(voters):
        user = UserFactory(username=f"member{n}", roles=[Role.COUNCIL_MEMBER])
        Vote.objects.create(request=request, voter=user, seat=Seat.DATA, choice="abstain")
    client.force_login(product_owner)
    with django_assert_max_num_queries(API_DETAIL_BUDGET):
        response = client.get(f"/api/v1/gate-requests/{request.pk}/")
    assert len(response.json()["votes"]) == voters + 2


@pytest.mark.parametrize("size", [5, 200])
def test_pilot_purgatory_api_query_count_is_constant(
    client, world, product_owner, business_unit, django_assert_max_num_queries, size
):
    now = timezone.now()
    for n in range(size):
        pilot_initiative(
            product_owner,
            product_owner,
            title=f"Stuck {n:04d}",
            business_unit=business_unit,
            stage_changed_at=now - datetime.timedelta(days=100 + n),
        )
    client.force_login(product_owner)
    with django_assert_max_num_queries(PURGATORY_API_BUDGET):
        response = client.get("/api/v1/pilot-purgatory/")
    assert response.json()["count"] == size
