"""Gates that gate, in real Chromium: the chair cannot say go over a hard criterion (the Go
option is disabled with the reason; forced through anyway, the server refuses it naming the
criterion, and nothing changes); on an initiative the chair is recused
from, the chair names an acting chair, who decides it in their own session, and the record says
they decided as acting chair."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from core.roles import Role
from governance.gates.services import vote_cast
from governance.models import CouncilMembership, DecidedAs, GateRequest, Seat
from portfolio.models import Initiative, Stage, StageTransition
from tests.e2e.support import log_in
from tests.factories import UserFactory, scores, submitted_scorecard
from tests.governance.gate_pages_support import (
    council,
    file_request,
    load_shipped_data,
    make_gate_ready,
    pilot_initiative,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


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


def test_a_chair_cannot_override_a_hard_block_and_an_acting_chair_decides_a_recused_item(
    session,
):
    versions = load_shipped_data()
    owner = UserFactory(username="paula", roles=[Role.PRODUCT_OWNER])
    delivery = UserFactory(username="dev", roles=[Role.PRODUCT_OWNER])
    members = council()  # sec (security seat, chair), legal, data
    second_security = UserFactory(
        username="sasha", first_name="Sasha", last_name="Second", roles=[Role.COUNCIL_MEMBER]
    )
    CouncilMembership.objects.create(user=second_security, seat=Seat.SECURITY)

    # 1. Ownership scored 2: a critical area below 3, which no one may override.
    blocked = pilot_initiative(owner, delivery, title="Claims triage assistant")
    make_gate_ready(blocked, owner, versions)
    scorecard = versions["readiness_scorecard"]
    submitted_scorecard(blocked, owner, scores(scorecard, 4, ownership=2))
    blocked_request = file_request(blocked, owner, "Ownership is being settled this month.")
    for member in (members["sec"], members["legal"]):
        vote_cast(request=blocked_request, actor=member, choice="approve")

    # 2. The chair is this initiative's safety owner, so recused.
    recused = pilot_initiative(
        owner, delivery, title="Renewal briefing for enterprise CSMs", safety_owner=members["sec"]
    )
    make_gate_ready(recused, owner, versions)
    recused_request = file_request(recused, owner)
    for member in (second_security, members["legal"]):
        vote_cast(request=recused_request, actor=member, choice="approve")

    chair = session()
    log_in(chair, "sec")
    chair.goto(reverse("governance:gate_request_detail", args=[blocked_request.pk]))
    expect(chair.get_by_test_id("go-blocked")).to_contain_text("cannot be overridden")
    go = chair.get_by_role("radio", name="Go (advance)")
    expect(go).to_be_disabled()
    expect(chair.locator(".decision-form .disabled-reason")).to_contain_text("Ownership (2)")
    expect(
        chair.get_by_test_id("criteria-now").locator(
            "tr[data-criterion='scorecard_critical_areas']"
        )
    ).to_contain_text("Hard")

    # Forced past the browser (the disabled attribute removed), the go reaches the server,
    # which refuses it naming the criterion: the initiative stays where it was.
    chair.evaluate("document.querySelector('input[name=decision][value=go]').disabled = false")
    go.check()
    chair.get_by_label("Reason").fill("Both seats approved; ownership is nearly settled.")
    chair.get_by_role("button", name="Record decision").click()
    refusal = chair.locator(".decision-form .error-summary")
    expect(refusal).to_contain_text("The decision was not recorded")
    expect(refusal).to_contain_text(
        "Go (advance) is not available: Go is blocked by a criterion that cannot be overridden"
    )
    expect(refusal).to_contain_text("Ownership (2)")
    expect(chair.get_by_test_id("request-status")).to_have_text("Pending review")
    expect(chair.get_by_role("radio", name="Go (advance)")).to_be_disabled()
    blocked.refresh_from_db()
    assert (blocked.stage, blocked.status) == (Stage.PILOT, "active")
    assert GateRequest.objects.get(pk=blocked_request.pk).status == "pending"
    assert not StageTransition.objects.filter(initiative=blocked).exists()

    chair.goto(reverse("governance:gate_request_detail", args=[recused_request.pk]))
    expect(chair.get_by_text("As chair, name an acting chair below")).to_be_visible()
    expect(chair.locator(".decision-form")).to_have_count(0)
    chair.get_by_label("Acting chair").select_option(label="Dara Data")
    chair.get_by_role("button", name="Name acting chair").click()
    expect(chair.get_by_test_id("acting-chair-named")).to_contain_text("Dara Data")

    acting = session()
    log_in(acting, "data")
    acting.goto(reverse("governance:gate_request_detail", args=[recused_request.pk]))
    expect(acting.get_by_role("heading", name="Record the decision (acting chair)")).to_be_visible()
    acting.get_by_role("radio", name="Go (advance)").check()
    acting.get_by_label("Reason").fill("Security and legal approve; the chair stepped aside.")
    acting.get_by_role("button", name="Record decision").click()
    expect(acting.locator("ul.messages")).to_contain_text("is now Controlled rollout")
    expect(acting.get_by_test_id("acting-chair")).to_have_text(
        "acting chair, named by Sam Security"
    )
    expect(acting.get_by_test_id("acting-chair-position")).to_have_text(
        "The chair, Sam Security, was recused: the initiative's safety owner."
    )

    decided = GateRequest.objects.get(pk=recused_request.pk)
    assert decided.decided_as == DecidedAs.ACTING_CHAIR
    assert decided.decided_by == members["data"]
    assert Initiative.objects.get(pk=recused.pk).stage == Stage.CONTROLLED_ROLLOUT
