"""A product owner fills the 18-area readiness scorecard in real Chromium."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from core.roles import Role
from readiness.models import Assessment, AssessmentStatus
from readiness.services import assessment_save, templates_load_shipped
from tests.e2e.support import log_in
from tests.factories import InitiativeFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NO_HORIZONTAL_SCROLL = (
    "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
)


def _scorecard_items() -> tuple[str, ...]:
    version = next(
        v for v, _ in templates_load_shipped() if v.template.key == "readiness_scorecard"
    )
    return version.parsed.item_ids


def test_product_owner_fills_the_scorecard_watches_the_band_and_submits(page):
    owner = UserFactory(
        username="paula", first_name="Paula", last_name="Owner", roles=[Role.PRODUCT_OWNER]
    )
    items = _scorecard_items()
    initiative = InitiativeFactory(title="Claims triage assistant", business_owner=owner)

    log_in(page, "paula")
    page.goto(initiative.get_absolute_url())
    page.get_by_role("button", name="New readiness scorecard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "AI readiness scorecard: Claims triage assistant"
    )
    assert page.evaluate(NO_HORIZONTAL_SCROLL), "the form scrolls sideways at 1366px"
    expect(
        page.get_by_role("heading", name="Ready to scale, or only ready to discuss?")
    ).to_be_visible()

    total = page.get_by_test_id("total")
    band = page.get_by_test_id("band")
    verdict = page.get_by_test_id("verdict")
    status = page.locator("#save-status")

    # Keyboard: focus a radio and press Space to choose it.
    page.locator("#answer-problem_clarity-2").focus()
    page.keyboard.press("Space")
    expect(page.locator("#answer-problem_clarity-2")).to_be_checked()
    expect(total).to_have_text("2 of 90")
    expect(status).to_contain_text("Saved")
    expect(verdict).to_have_text("Incomplete: not ready to decide")

    # Low scores everywhere: 36 of 90 is weak readiness.
    for item_id in items[1:]:
        page.locator(f"#answer-{item_id}-2").check()
    expect(total).to_have_text("36 of 90")
    expect(band).to_contain_text("Weak readiness")
    expect(page.get_by_test_id("recommended-action")).to_have_text("Keep in pilot or redesign")
    expect(verdict).to_have_text("Only ready to discuss")
    expect(page.locator("#comment-note-ownership")).to_contain_text(
        "Required: a score of 2 needs a comment"
    )
    # Two areas not in place: 34 of 90 is low readiness, and both need an explicit review.
    page.locator("#answer-problem_clarity-1").check()
    page.locator("#answer-value_case-1").check()
    expect(total).to_have_text("34 of 90")
    expect(band).to_contain_text("Low readiness")
    expect(page.get_by_test_id("needing-review")).to_contain_text(
        "Value case is 1: an area at the lowest level needs an explicit review"
    )

    # Nothing is lost on a closed tab: the draft is saved as the user goes.
    page.reload()
    expect(page.locator("#answer-value_case-1")).to_be_checked()
    expect(page.locator("#answer-ownership-2")).to_be_checked()

    # Raise every area but Ownership, which stays at 2 with a comment.
    for item_id in items:
        if item_id != "ownership":
            page.locator(f"#answer-{item_id}-5").check()
    page.get_by_label("Comment on Ownership").fill("The delivery owner is not named yet.")
    expect(page.locator("#comment-note-ownership")).to_have_text(
        "Required for a score of 2: written."
    )
    expect(total).to_have_text("87 of 90")
    expect(band).to_contain_text("Strong readiness")
    expect(verdict).to_have_text("Only ready to discuss")
    expect(page.get_by_test_id("blocking")).to_contain_text(
        "Ownership is 2: critical areas need at least 3 before scale"
    )

    # Fix Ownership with the keyboard: arrows move the choice within the radio group.
    page.locator("#answer-ownership-2").focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(page.locator("#answer-ownership-4")).to_be_checked()
    expect(total).to_have_text("89 of 90")
    expect(verdict).to_have_text("Ready to scale")
    expect(page.get_by_test_id("blocking")).to_have_count(0)
    expect(page.get_by_test_id("recommended-action")).to_have_text("Proceed to controlled rollout")
    assert page.evaluate(NO_HORIZONTAL_SCROLL)

    page.get_by_role("button", name="Submit AI readiness scorecard").first.click()
    expect(page.locator(".messages")).to_contain_text(
        "Submitted: 89 of 90, Strong readiness: Ready to scale."
    )
    expect(page.get_by_test_id("verdict")).to_have_text("Ready to scale")
    expect(page.get_by_test_id("submitted")).to_contain_text("by Paula Owner")
    expect(page.get_by_test_id("answer-ownership")).to_have_text("4 · Mostly ready")
    expect(page.locator('input[type="radio"]')).to_have_count(0)
    assert page.evaluate(NO_HORIZONTAL_SCROLL), "the result scrolls sideways at 1366px"

    assessment = Assessment.objects.get(initiative=initiative)
    assert assessment.status == AssessmentStatus.SUBMITTED
    assert (assessment.total, assessment.band, assessment.ready_to_scale) == (89, "strong", True)
    assert assessment.comments == {"ownership": "The delivery owner is not named yet."}


def test_a_second_editor_sees_the_conflict_and_keeps_their_input(page):
    owner = UserFactory(
        username="paula", first_name="Paula", last_name="Owner", roles=[Role.PRODUCT_OWNER]
    )
    admin = UserFactory(
        username="gina", first_name="Gina", last_name="Admin", roles=[Role.GOVERNANCE_ADMIN]
    )
    _scorecard_items()
    initiative = InitiativeFactory(title="Claims triage assistant", business_owner=owner)

    log_in(page, "paula")
    page.goto(initiative.get_absolute_url())
    page.get_by_role("button", name="New readiness scorecard").click()
    page.locator("#answer-ownership-3").check()
    expect(page.get_by_test_id("total")).to_have_text("3 of 90")

    # Meanwhile the admin saves the same draft.
    draft = Assessment.objects.get(initiative=initiative)
    assessment_save(
        assessment=draft,
        actor=admin,
        expected_revision=draft.revision,
        answers={"ownership": 4, "problem_clarity": 5},
    )

    page.get_by_label("Evidence for Ownership").fill("RACI signed by both owners")
    conflict = page.get_by_test_id("conflict")
    expect(conflict).to_contain_text("Not saved: Gina Admin saved this draft")
    expect(conflict).to_contain_text("Your input is still in the form")
    expect(conflict.locator("tbody tr")).to_have_count(3)
    expect(conflict).to_contain_text("RACI signed by both owners")
    expect(page.locator("#save-status")).to_contain_text("Not saved")
    expect(page.get_by_label("Evidence for Ownership")).to_have_value("RACI signed by both owners")
    draft.refresh_from_db()
    assert draft.answers == {"ownership": 4, "problem_clarity": 5}
    assert draft.evidence == {}

    conflict.get_by_role("link", name="Load their version").click()
    expect(page).to_have_url(re.compile(rf"/assessments/{draft.pk}/$"))
    expect(page.locator("#answer-ownership-4")).to_be_checked()
    expect(page.locator("#answer-problem_clarity-5")).to_be_checked()
    expect(page.get_by_test_id("conflict")).to_have_count(0)
    # From their version, saving works again.
    page.locator("#answer-ownership-5").check()
    expect(page.get_by_test_id("total")).to_have_text("10 of 90")
