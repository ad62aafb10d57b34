from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from core.roles import Role
from portfolio.models import Initiative, ProblemStatementVersion
from tests.e2e.support import log_in
from tests.factories import BusinessUnitFactory, InitiativeFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_product_owner_creates_an_initiative_writes_its_problem_statement_and_finds_it(page):
    UserFactory(username="paul", first_name="Paul", last_name="Okafor", roles=[Role.PRODUCT_OWNER])
    BusinessUnitFactory(name="Customer Success")
    BusinessUnitFactory(name="Retail Banking")
    for n in range(3):
        InitiativeFactory(title=f"Older idea {n}")

    log_in(page, "paul")
    page.get_by_role("link", name="New initiative").click()
    page.get_by_label("Title").fill("Renewal briefing for enterprise CSMs")
    page.get_by_label("Business unit").select_option(label="Customer Success")
    page.get_by_label("Value category").select_option("speed")
    page.get_by_label("Start date").fill("2026-11-02")
    page.get_by_role("button", name="Create initiative").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Problem statement")
    findings = page.get_by_test_id("findings")
    score = page.get_by_test_id("clarity-score")

    page.get_by_label("Specific friction").fill(
        "We need an AI tool to help customer success teams work faster."
    )
    expect(page.locator('[data-code="solution_not_problem"]')).to_be_visible()
    expect(score).to_have_text("1")

    page.get_by_label("Specific user or team").fill(
        "Enterprise customer success managers with more than 40 active accounts"
    )
    page.get_by_label("Specific friction").fill(
        "renewal preparation means manually reviewing CRM notes, tickets and call transcripts"
    )
    page.get_by_label("Current constraint or workflow breakdown").fill(
        "customer signals are scattered across four systems with no shared view"
    )
    page.get_by_label("Measurable cost, delay, risk or missed opportunity").fill(
        "3 hours of preparation per renewal and missed churn signals"
    )
    page.get_by_label("Desired outcome").fill(
        "generate a reliable renewal briefing in under five minutes"
    )
    page.get_by_label("Success metric").fill(
        "preparation time per renewal and manager trust in the summary"
    )
    page.get_by_label("Constraints (data, workflow, compliance, security, customer)").fill(
        "existing CRM, privacy and customer data constraints"
    )
    expect(page.locator('[data-code="solution_not_problem"]')).to_have_count(0)
    expect(findings).to_contain_text("Single KPI")
    page.get_by_label("Single KPI that must move").fill("Median renewal preparation time")
    page.get_by_label("Baseline").fill("3 hours per renewal")
    page.get_by_label("Target", exact=True).fill("15 minutes per renewal")
    page.get_by_label("Target date").fill("2027-03-31")
    page.get_by_label("Non-AI alternative").fill(
        "A shared renewal checklist and a CRM report template"
    )
    expect(score).to_have_text("5")
    expect(page.get_by_test_id("findings")).to_contain_text("No findings")
    expect(page.locator(".statement-sentence")).to_contain_text(
        "For Enterprise customer success managers with more than 40 active accounts, the problem is"
    )

    page.get_by_role("button", name="Save as new version").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Renewal briefing for enterprise CSMs"
    )
    expect(page.locator(".statement-sentence")).to_contain_text("within existing CRM")

    page.get_by_role("link", name="Portfolio", exact=True).first.click()
    page.get_by_label("Search").fill("renewal")
    expect(page).to_have_url(re.compile(r"q=renewal"))
    page.get_by_label("Exploration").check()
    expect(page).to_have_url(re.compile(r"stage=exploration"))
    results = page.locator("#portfolio-results")
    expect(results).to_contain_text("1 initiative match these filters")
    results.get_by_role("link", name="Renewal briefing for enterprise CSMs").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Renewal briefing for enterprise CSMs"
    )

    initiative = Initiative.objects.get(title="Renewal briefing for enterprise CSMs")
    assert initiative.business_owner.username == "paul"
    assert ProblemStatementVersion.objects.filter(statement__initiative=initiative).count() == 1
