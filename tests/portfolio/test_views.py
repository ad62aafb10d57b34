from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from portfolio.models import Initiative, ProblemStatementVersion, Stage, Status
from portfolio.services import initiative_set_stage, initiative_set_status, problem_statement_save
from tests.factories import (
    STRONG_STATEMENT,
    BusinessUnitFactory,
    InitiativeFactory,
    problem_statement,
)

pytestmark = pytest.mark.django_db
LIST = reverse("portfolio:initiative_list")


def _titles(response) -> list[str]:
    return [i.title for i in response.context["page"].object_list]


def test_empty_portfolio_invites_the_product_owner_to_create_the_first_initiative(
    client, product_owner
):
    client.force_login(product_owner)
    response = client.get(LIST)
    assert "The portfolio is empty" in response.text
    assert "Create the first initiative" in response.text


def test_list_filters_by_stage_business_unit_tier_and_owner(
    client, executive, product_owner, other_product_owner
):
    retail = BusinessUnitFactory(name="Retail Banking")
    ops = BusinessUnitFactory(name="Operations")
    InitiativeFactory(
        title="Loan documents",
        business_unit=retail,
        stage=Stage.OPERATION,
        eu_ai_act_tier="high",
        business_owner=product_owner,
    )
    InitiativeFactory(
        title="Collections",
        business_unit=retail,
        stage=Stage.PILOT,
        delivery_owner=other_product_owner,
    )
    InitiativeFactory(title="Knowledge assistant", business_unit=ops, stage=Stage.PILOT)
    client.force_login(executive)

    assert _titles(client.get(LIST, {"stage": "pilot"})) == ["Collections", "Knowledge assistant"]
    assert _titles(
        client.get(LIST, {"stage": ["pilot", "operation"], "business_unit": retail.pk})
    ) == [
        "Collections",
        "Loan documents",
    ]
    assert _titles(client.get(LIST, {"eu_ai_act_tier": "high"})) == ["Loan documents"]
    assert _titles(client.get(LIST, {"owner": other_product_owner.pk})) == ["Collections"]
    assert _titles(client.get(LIST, {"q": "assist"})) == ["Knowledge assistant"]
    assert _titles(client.get(LIST, {"q": "retail"})) == ["Collections", "Loan documents"]


def test_list_sorts_stages_in_lifecycle_order(client, executive):
    for title, stage in [("A", Stage.SCALE), ("B", Stage.EXPLORATION), ("C", Stage.PILOT)]:
        InitiativeFactory(title=title, stage=stage)
    client.force_login(executive)
    assert _titles(client.get(LIST, {"sort": "stage"})) == ["B", "C", "A"]
    assert _titles(client.get(LIST, {"sort": "-stage"})) == ["A", "C", "B"]
    assert _titles(client.get(LIST, {"sort": "-title"})) == ["C", "B", "A"]


def test_list_paginates_and_keeps_filters_in_page_links(client, executive):
    for n in range(30):
        InitiativeFactory(title=f"Pilot {n:02d}", stage=Stage.PILOT)
    client.force_login(executive)
    first = client.get(LIST, {"stage": "pilot"})
    assert len(_titles(first)) == 25
    assert "stage=pilot&amp;page=2" in first.text
    second = client.get(LIST, {"stage": "pilot", "page": 2})
    assert _titles(second) == [f"Pilot {n:02d}" for n in range(25, 30)]


def test_htmx_request_gets_only_the_results_fragment(client, executive):
    InitiativeFactory(title="Triage")
    client.force_login(executive)
    response = client.get(
        LIST, {"q": "tri"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="portfolio-results"
    )
    assert response.text.lstrip().startswith('<section id="portfolio-results"')
    assert "<html" not in response.text
    assert "Triage" in response.text


def test_a_filter_that_matches_nothing_says_so(client, executive):
    InitiativeFactory(title="Triage")
    client.force_login(executive)
    response = client.get(LIST, {"q": "zzz"})
    assert "No initiative matches these filters" in response.text


def test_an_unknown_stage_filter_is_reported_not_a_crash(client, executive):
    InitiativeFactory(title="Triage")
    client.force_login(executive)
    response = client.get(LIST, {"stage": "production"})
    assert response.status_code == 200
    assert "Some filters were not understood" in response.text


def test_create_form_shows_field_errors_and_saves_nothing(client, product_owner, business_unit):
    client.force_login(product_owner)
    response = client.post(
        reverse("portfolio:initiative_create"),
        {
            "title": "",
            "business_unit": business_unit.pk,
            "value_category": "cost",
            "eu_ai_act_tier": "extreme",
            "business_owner": product_owner.pk,
            "autonomy_level": "assistant",
            "sourcing": "build",
            "start_date": "2026-05-01",
            "next_review_date": "2026-04-01",
            "value_statement": "v" * 301,
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "title" in errors
    assert "eu_ai_act_tier" in errors
    assert "value_statement" in errors
    assert "Nothing was saved" in response.text
    assert Initiative.objects.count() == 0


def test_review_date_before_start_is_an_inline_error(client, product_owner, business_unit):
    client.force_login(product_owner)
    response = client.post(
        reverse("portfolio:initiative_create"),
        {
            "title": "Triage",
            "business_unit": business_unit.pk,
            "value_category": "cost",
            "eu_ai_act_tier": "minimal",
            "business_owner": product_owner.pk,
            "autonomy_level": "assistant",
            "sourcing": "build",
            "start_date": "2026-05-01",
            "next_review_date": "2026-04-01",
        },
    )
    assert "cannot be before the start date" in response.text
    assert Initiative.objects.count() == 0


def test_creating_leads_to_the_problem_statement_editor(client, product_owner, business_unit):
    client.force_login(product_owner)
    response = client.post(
        reverse("portfolio:initiative_create"),
        {
            "title": "Triage",
            "business_unit": business_unit.pk,
            "value_category": "cost",
            "eu_ai_act_tier": "minimal",
            "business_owner": product_owner.pk,
            "autonomy_level": "assistant",
            "sourcing": "build",
        },
    )
    initiative = Initiative.objects.get()
    assert response["Location"] == reverse("portfolio:problem_statement_edit", args=[initiative.pk])


def test_edit_on_a_stale_version_shows_the_conflict_and_keeps_what_the_user_typed(
    client, product_owner, initiative
):
    client.force_login(product_owner)
    url = reverse("portfolio:initiative_edit", args=[initiative.pk])
    form = {
        "title": "Their title",
        "business_unit": initiative.business_unit_id,
        "value_category": "cost",
        "eu_ai_act_tier": "minimal",
        "business_owner": product_owner.pk,
        "autonomy_level": "assistant",
        "sourcing": "build",
        "version": 1,
    }
    assert client.post(url, form).status_code == 302
    response = client.post(url, {**form, "title": "My title"})
    assert response.status_code == 409
    assert "someone else changed this first" in response.text
    assert 'value="My title"' in response.text
    initiative.refresh_from_db()
    assert initiative.title == "Their title"


def test_problem_statement_check_returns_findings_for_what_was_typed(
    client, product_owner, initiative
):
    client.force_login(product_owner)
    response = client.post(
        reverse("portfolio:problem_statement_check", args=[initiative.pk]),
        {"friction": "We need a chatbot for internal knowledge."},
    )
    assert "<html" not in response.text
    assert 'data-code="solution_not_problem"' in response.text
    assert 'data-code="missing"' in response.text
    strong = client.post(
        reverse("portfolio:problem_statement_check", args=[initiative.pk]), STRONG_STATEMENT
    )
    assert 'data-code="missing"' not in strong.text
    assert "For Enterprise customer success managers" in strong.text


def test_problem_statement_editor_saves_a_version_and_the_page_renders_the_sentence(
    client, product_owner, initiative
):
    client.force_login(product_owner)
    url = reverse("portfolio:problem_statement_edit", args=[initiative.pk])
    response = client.post(url, {**STRONG_STATEMENT, "version": 0})
    assert response.status_code == 302
    page = client.get(initiative.get_absolute_url())
    assert (
        "For Enterprise customer success managers with more than 40 active accounts, the problem is"
        in page.text
    )
    assert "3 hours per renewal → 15 minutes per renewal" in page.text


def test_saving_the_problem_statement_unchanged_says_no_version_was_made(
    client, product_owner, initiative
):
    problem_statement_save(
        initiative=initiative, actor=product_owner, data=STRONG_STATEMENT, expected_version=0
    )
    client.force_login(product_owner)
    url = reverse("portfolio:problem_statement_edit", args=[initiative.pk])
    response = client.post(url, {**STRONG_STATEMENT, "version": 1}, follow=True)
    assert "Nothing changed, so no new version was saved." in response.text
    assert ProblemStatementVersion.objects.count() == 1


def test_problem_statement_target_date_before_start_is_an_inline_error(
    client, product_owner, initiative
):
    client.force_login(product_owner)
    url = reverse("portfolio:problem_statement_edit", args=[initiative.pk])
    response = client.post(url, {**STRONG_STATEMENT, "target_date": "2025-01-01", "version": 0})
    assert response.status_code == 200
    assert "cannot be before the initiative" in response.text
    assert ProblemStatementVersion.objects.count() == 0


def test_problem_statement_conflict_shows_both_texts(client, product_owner, initiative):
    problem_statement(initiative, product_owner)
    client.force_login(product_owner)
    url = reverse("portfolio:problem_statement_edit", args=[initiative.pk])
    response = client.post(
        url, {**STRONG_STATEMENT, "target": "5 minutes per renewal", "version": 0}
    )
    assert response.status_code == 409
    assert "15 minutes per renewal" in response.text
    assert "5 minutes per renewal" in response.text
    assert ProblemStatementVersion.objects.count() == 1


def test_history_shows_what_changed_between_two_versions(client, product_owner, initiative):
    problem_statement(initiative, product_owner)
    problem_statement_save(
        initiative=initiative,
        actor=product_owner,
        data={
            **STRONG_STATEMENT,
            "target": "10 minutes per renewal",
            "target_date": datetime.date(2027, 6, 30),
        },
        expected_version=1,
    )
    client.force_login(product_owner)
    response = client.get(reverse("portfolio:problem_statement_history", args=[initiative.pk]))
    changes = response.context["changes"]
    assert [c.field for c in changes] == ["target", "target_date"]
    assert "<del>15 minutes per renewal</del>" in response.text
    assert "<ins>10 minutes per renewal</ins>" in response.text
    same = client.get(
        reverse("portfolio:problem_statement_history", args=[initiative.pk]), {"a": 1, "b": 1}
    )
    assert "These two versions are identical" in same.text


def test_detail_shows_stage_moves_and_status_changes_in_its_history(
    client, executive, governance_admin, product_owner, initiative
):
    Initiative.objects.filter(pk=initiative.pk).update(delivery_owner=product_owner)
    initiative.refresh_from_db()
    initiative_set_stage(
        initiative=initiative, actor=governance_admin, to_stage=Stage.PILOT, reason="Pilot agreed"
    )
    initiative_set_status(
        initiative=initiative,
        actor=governance_admin,
        to_status=Status.PAUSED,
        reason="Vendor breach under review",
    )
    client.force_login(executive)
    response = client.get(reverse("portfolio:initiative_detail", args=[initiative.pk]))
    history = response.text.split('id="history-heading"')[1]
    assert "Stage and status history" in history
    assert "Vendor breach under review" in history
    assert "<td>Active</td><td>Paused (hold) <span" in history
    assert "(in Pilot)" in history
    assert "<td>Exploration</td><td>Pilot</td>" in history
    # Newest first: the pause is listed above the move.
    assert history.index("Vendor breach under review") < history.index("Pilot agreed")


def test_detail_of_a_missing_initiative_is_404(client, executive):
    client.force_login(executive)
    assert client.get(reverse("portfolio:initiative_detail", args=[999])).status_code == 404


def test_stage_form_refuses_leaving_exploration_without_owners(
    client, governance_admin, initiative
):
    client.force_login(governance_admin)
    response = client.post(
        reverse("portfolio:initiative_stage", args=[initiative.pk]),
        {"to_stage": "pilot", "reason": "Council said go"},
    )
    assert response.status_code == 200
    assert "Name a delivery owner before the initiative leaves exploration." in response.text
