"""The gate workflow in real Chromium: a product owner asks to move a pilot to controlled
rollout, two council members vote in their own browser sessions, the chair decides go, the
initiative moves on, and the audit trail shows every step."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from core.models import AuditEvent
from core.roles import Role
from governance.models import ActionItem, GateRequest
from portfolio.models import Initiative, Stage
from tests.e2e.support import log_in
from tests.factories import UserFactory
from tests.governance.gate_pages_support import (
    council,
    load_shipped_data,
    make_gate_ready,
    pilot_initiative,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TITLE = "Renewal briefing for enterprise CSMs"


@pytest.fixture
def session(browser, live_server):
    """A new browser session (its own cookies) per person, closed at the end of the test."""
    contexts = []

    def open_session():
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": 1366, "height": 900}
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield open_session
    for context in contexts:
        context.close()


def test_owner_requests_rollout_two_members_vote_the_chair_decides_go(session):
    versions = load_shipped_data()
    owner = UserFactory(
        username="paula", first_name="Paula", last_name="Owner", roles=[Role.PRODUCT_OWNER]
    )
    delivery = UserFactory(
        username="dev", first_name="Dev", last_name="Lead", roles=[Role.PRODUCT_OWNER]
    )
    UserFactory(username="audrey", first_name="Audrey", last_name="Auditor", roles=[Role.AUDITOR])
    members = council()  # sec (security seat, chair), legal, data
    initiative = pilot_initiative(owner, delivery, title=TITLE)
    make_gate_ready(initiative, owner, versions)
    initiative_url = initiative.get_absolute_url()

    # The product owner files the request from the initiative page.
    owner_page = session()
    log_in(owner_page, "paula")
    owner_page.goto(initiative_url)
    owner_page.get_by_test_id("gate-panel").get_by_role(
        "link", name="Request move to Controlled rollout"
    ).click()
    expect(owner_page.get_by_role("heading", level=1)).to_have_text(
        "Request move to Controlled rollout"
    )
    expect(owner_page.get_by_test_id("gate-summary")).to_contain_text("All 9 criteria pass.")
    expect(owner_page.locator("tr.criterion-pass")).to_have_count(9)
    owner_page.get_by_label("Justification").fill("Pilot KPI met three weeks running.")
    owner_page.get_by_role("button", name="File request to move to Controlled rollout").click()
    expect(owner_page.get_by_test_id("request-status")).to_have_text("Pending review")
    request_url = owner_page.url
    gate_request = GateRequest.objects.get(initiative=initiative)
    assert request_url.endswith(reverse("governance:gate_request_detail", args=[gate_request.pk]))

    # Legal finds it in the queue and approves, in a session of their own.
    legal_page = session()
    log_in(legal_page, "legal")
    legal_page.get_by_role("link", name="Council queue").click()
    row = legal_page.get_by_test_id("queue-row").filter(has_text=TITLE)
    expect(row).to_contain_text("0 / 2")
    expect(row).to_contain_text("Not voted")
    row.get_by_role("link", name=TITLE).click()
    expect(legal_page.get_by_test_id("votes-cast")).to_have_text("0 of 2 needed for quorum")
    legal_page.get_by_label("Approve", exact=True).check()
    legal_page.get_by_label("Comment").fill("DPA signed; customer data stays in the EU.")
    legal_page.get_by_role("button", name="Cast vote").click()
    # htmx swaps the review section in place: the new tally without leaving the page.
    expect(legal_page.get_by_test_id("vote-saved")).to_have_text("Your vote is recorded: Approve.")
    expect(legal_page.get_by_test_id("votes-cast")).to_have_text("1 of 2 needed for quorum")
    expect(legal_page.get_by_test_id("can-go")).to_contain_text("quorum not met")
    assert legal_page.url == request_url

    # The chair (security seat) sees legal's vote, votes with a condition, then decides.
    chair_page = session()
    log_in(chair_page, "sec")
    chair_page.goto(request_url)
    expect(chair_page.get_by_test_id("vote-row")).to_have_count(1)
    expect(chair_page.get_by_test_id("vote-row")).to_contain_text("Lena Legal")
    go = chair_page.get_by_label("Go (advance)")
    expect(go).to_be_disabled()
    expect(chair_page.locator(".disabled-reason").first).to_contain_text("Quorum not met")
    conditions = chair_page.get_by_label("Conditions", exact=True)
    expect(conditions).to_be_hidden()
    chair_page.get_by_label("Approve with conditions").check()
    expect(conditions).to_be_visible()
    conditions.fill("Run a rollback drill before widening the rollout")
    chair_page.get_by_role("button", name="Cast vote").click()
    expect(chair_page.get_by_test_id("votes-cast")).to_have_text("2 of 2 needed for quorum")
    expect(chair_page.get_by_test_id("can-go")).to_contain_text("Yes")
    expect(go).to_be_enabled()
    go.check()
    chair_page.get_by_label("Reason", exact=True).fill("Security and legal approve the rollout.")
    due = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    chair_page.get_by_label("Action 1", exact=True).fill("Publish the rollback runbook")
    chair_page.get_by_label("Owner of action 1").select_option(label="Dev Lead")
    chair_page.get_by_label("Due date of action 1").fill(due)
    chair_page.get_by_role("button", name="Record decision").click()
    decision = chair_page.get_by_test_id("decision")
    expect(decision).to_contain_text("Decision: Go (advance)")
    expect(decision).to_contain_text("Sam Security")
    expect(decision).to_contain_text("Publish the rollback runbook")
    expect(decision).to_contain_text("Run a rollback drill before widening the rollout")

    # The owner's initiative page now says controlled rollout.
    owner_page.goto(initiative_url)
    expect(owner_page.locator(".lede .stage")).to_have_text("Controlled rollout")
    expect(owner_page.get_by_test_id("gate-panel")).to_contain_text(
        "The next gate is Controlled rollout → Scale decision."
    )

    # The auditor reads every step in the initiative's audit trail.
    auditor_page = session()
    log_in(auditor_page, "audrey")
    auditor_page.goto(reverse("governance:initiative_audit_trail", args=[initiative.pk]))
    for action, count in (
        ("gate_request.filed", 1),
        ("vote.cast", 2),
        ("gate_request.decided", 1),
        ("initiative.stage_changed", 1),
        ("action_item.created", 2),
    ):
        expect(auditor_page.locator(f'span[title="{action}"]')).to_have_count(count)
    expect(auditor_page.locator("main")).to_contain_text(re.compile("Stage changed"))

    initiative = Initiative.objects.get(pk=initiative.pk)
    assert initiative.stage == Stage.CONTROLLED_ROLLOUT
    actions = list(
        AuditEvent.objects.filter(initiative_id=initiative.pk, sequence__gt=0)
        .order_by("sequence")
        .values_list("action", "actor__username")
    )
    gate_steps = [step for step in actions if not step[0].startswith(("assessment", "problem"))]
    assert gate_steps == [
        ("gate_request.filed", "paula"),
        ("vote.cast", "legal"),
        ("vote.cast", "sec"),
        ("gate_request.decided", "sec"),
        ("initiative.stage_changed", "sec"),
        ("action_item.created", "sec"),
        ("action_item.created", "sec"),
    ]
    assert sorted(ActionItem.objects.values_list("title", flat=True)) == [
        "Publish the rollback runbook",
        "Run a rollback drill before widening the rollout",
    ]
    assert members["sec"].pk == GateRequest.objects.get().decided_by_id
