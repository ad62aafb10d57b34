"""Pages that only show something answer a POST with 405 Method Not Allowed, never with the page."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from governance.register.services import (
    incident_create,
    leadership_decision_create,
    risk_create,
)

pytestmark = pytest.mark.django_db

READ_ONLY_PAGES = (
    ("portfolio:initiative_list", None),
    ("portfolio:initiative_detail", "initiative"),
    ("portfolio:problem_statement_history", "initiative"),
    ("governance:risk_list", None),
    ("governance:risk_detail", "risk"),
    ("governance:incident_list", None),
    ("governance:incident_detail", "incident"),
    ("governance:leadership_decision_list", None),
    ("governance:leadership_decision_detail", "decision"),
    ("governance:action_item_list", None),
    ("reporting:dashboard", None),
)


@pytest.fixture
def records(initiative, governance_admin):
    return {
        "initiative": initiative,
        "risk": risk_create(
            initiative=initiative,
            actor=governance_admin,
            category="security",
            description="Agents see refund notes they are not cleared for.",
            likelihood=3,
            impact=3,
            owner=governance_admin,
        ),
        "incident": incident_create(
            initiative=initiative,
            actor=governance_admin,
            summary="Billing emails misrouted",
            owner=governance_admin,
            occurred_at=timezone.now() - datetime.timedelta(days=1),
        ),
        "decision": leadership_decision_create(
            actor=governance_admin,
            initiative=None,
            question="Fund the second pilot?",
            options="Fund now; wait a quarter",
            owner=governance_admin,
            due_date=timezone.localdate() + datetime.timedelta(days=7),
        ),
    }


@pytest.mark.parametrize(("name", "record"), READ_ONLY_PAGES)
def test_a_read_only_page_refuses_post_with_405(client, governance_admin, records, name, record):
    client.force_login(governance_admin)
    url = reverse(name, args=[records[record].pk] if record else [])
    assert client.get(url).status_code == 200
    response = client.post(url, {"anything": "x"})
    assert response.status_code == 405
    assert "GET" in response["Allow"]
