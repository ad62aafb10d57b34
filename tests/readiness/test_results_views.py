"""Results people look at: the initiative panel, history and comparison, heatmap, vendors.

`product_owner` is the business owner of `initiative`; `other_product_owner` owns nothing.
"""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from portfolio.models import BusinessUnit, Stage
from readiness.models import Assessment, AssessmentStatus
from readiness.presentation import HistoryEntry, compare_results, total_chart
from readiness.rules import TemplateDefinition, evaluate
from readiness.services import (
    assessment_create_draft,
    assessment_save,
    assessment_submit,
    template_version_load,
)
from tests.factories import (
    BusinessUnitFactory,
    InitiativeFactory,
    VendorFactory,
    scores,
    submitted_scorecard,
)
from tests.readiness.support import BASE_TIME, bulk_initiatives, bulk_scorecards
from tests.roles import READERS, ROLES, expected_status, signed_in

pytestmark = pytest.mark.django_db

HEATMAP = reverse("readiness:heatmap")
VENDORS = reverse("readiness:vendor_list")


def history_url(initiative, template: str = "readiness_scorecard", **compare: int) -> str:
    url = reverse("readiness:assessment_history", args=[initiative.pk]) + f"?template={template}"
    return url + "".join(f"&{key}={value}" for key, value in compare.items())


def submitted_vendor_evaluation(vendor, actor, *, failing: tuple[str, ...] = ()):
    draft = assessment_create_draft(template_key="vendor_evaluation", actor=actor, vendor=vendor)
    answers = {
        item_id: "not_ready" if item_id in failing else "ready"
        for item_id in draft.template_version.parsed.item_ids
    }
    draft = assessment_save(
        assessment=draft, actor=actor, expected_revision=draft.revision, answers=answers
    )
    return assessment_submit(assessment=draft, actor=actor)


# ---------------------------------------------------------------------------------------------
# Initiative page panel
# ---------------------------------------------------------------------------------------------


def test_panel_shows_an_empty_state_and_the_owner_can_start_a_scorecard(
    client, product_owner, initiative, templates_loaded
):
    client.force_login(product_owner)
    response = client.get(initiative.get_absolute_url())
    assert "Nothing has been assessed yet" in response.text
    create = reverse("readiness:assessment_create", args=[initiative.pk])
    form = re.search(rf'<form method="post" action="{create}".*?</form>', response.text, re.S)
    assert form is not None
    assert 'name="csrfmiddlewaretoken"' in form.group(0)
    assert 'name="template" value="readiness_scorecard"' in form.group(0)
    assert "New readiness scorecard" in form.group(0)
    assert f'href="{create}">Other checklists' in response.text


@pytest.mark.parametrize("role", ["executive", "other_product_owner", "auditor", "council_member"])
def test_panel_offers_no_new_scorecard_to_people_who_cannot_assess(
    client, users_by_role, initiative, templates_loaded, role
):
    client.force_login(users_by_role[role])
    response = client.get(initiative.get_absolute_url())
    assert response.status_code == 200
    assert "Readiness" in response.text
    assert "New readiness scorecard" not in response.text


def test_panel_shows_the_latest_submitted_result_with_band_and_blocking_flags(
    client, executive, product_owner, initiative, scorecard_version
):
    # First result: 72 (moderate); then a later one with ownership at 2 and one area at 1.
    submitted_scorecard(initiative, product_owner, scores(scorecard_version, 4))
    latest = submitted_scorecard(
        initiative,
        product_owner,
        scores(scorecard_version, 3, ownership=2, vendor_readiness=1),
    )
    assert latest.total == 51
    client.force_login(executive)
    text = client.get(initiative.get_absolute_url()).text

    assert "51 / 90" in text
    assert "Weak readiness" in text
    assert "Only ready to discuss" in text
    assert "Recommended action: Keep in pilot or redesign" in text
    assert "Blocks scale:" in text
    assert "Ownership — scored 2, minimum 3" in text
    assert "Needs review" in text
    assert "Vendor readiness — at the lowest level (1)" in text
    assert "72 / 90" not in text  # the superseded result is history, not current
    assert f'href="{latest.get_absolute_url()}"' in text
    assert f'href="{history_url(initiative)}">History' in text
    assert "Paula Owner" in text


def test_panel_lists_open_drafts_with_a_continue_link_for_the_owner(
    client, product_owner, executive, initiative, scorecard_version
):
    draft = assessment_create_draft(
        template_key="before_poc", actor=product_owner, initiative=initiative
    )
    client.force_login(product_owner)
    text = client.get(initiative.get_absolute_url()).text
    assert "Open drafts" in text
    assert f'href="{draft.get_absolute_url()}">Continue draft' in text

    client.force_login(executive)
    assert (
        f'href="{draft.get_absolute_url()}">View draft'
        in client.get(initiative.get_absolute_url()).text
    )


# ---------------------------------------------------------------------------------------------
# History and comparison
# ---------------------------------------------------------------------------------------------


def test_history_lists_every_submitted_scorecard_newest_first_with_a_chart(
    client, auditor, product_owner, initiative, scorecard_version
):
    first = submitted_scorecard(initiative, product_owner, scores(scorecard_version, 2))
    second = submitted_scorecard(initiative, product_owner, scores(scorecard_version, 3))
    third = submitted_scorecard(initiative, product_owner, scores(scorecard_version, 4))
    # A draft is not history.
    assessment_create_draft(
        template_key="readiness_scorecard", actor=product_owner, initiative=initiative
    )
    client.force_login(auditor)
    response = client.get(history_url(initiative))

    assert [row.assessment.pk for row in response.context["rows"]] == [
        third.pk,
        second.pk,
        first.pk,
    ]
    assert [row.is_current for row in response.context["rows"]] == [True, False, False]
    text = response.text
    assert '<svg class="history-chart"' in text
    assert 'role="img" aria-labelledby="chart-title chart-desc"' in text
    assert '<desc id="chart-desc">3 submitted assessments, from 36 of 90' in text
    assert text.count('<circle class="chart-point"') == 3
    assert "Superseded" in text and "Current" in text


def test_history_compares_the_latest_two_by_default_and_shows_which_areas_moved(
    client, executive, product_owner, initiative, scorecard_version
):
    submitted_scorecard(initiative, product_owner, scores(scorecard_version, 3))
    submitted_scorecard(
        initiative,
        product_owner,
        scores(scorecard_version, 3, ownership=5, data_readiness=2, model_risk=4),
    )
    client.force_login(executive)
    response = client.get(history_url(initiative))
    moved = {area.item_id: area.text for area in response.context["comparison"].moved}
    assert moved == {"ownership": "↑ up 2", "data_readiness": "↓ down 1", "model_risk": "↑ up 1"}
    text = response.text
    assert "2 areas up, 1 area down" in text
    assert "↑ up 2" in text and "↓ down 1" in text and "→ same" in text
    assert "↑ up 2" in re.search(r"<th scope=\"row\">Total</th>.*?</tr>", text, re.S).group(0)


def test_history_compares_the_two_assessments_chosen(
    client, executive, product_owner, initiative, scorecard_version
):
    first = submitted_scorecard(initiative, product_owner, scores(scorecard_version, 2))
    submitted_scorecard(initiative, product_owner, scores(scorecard_version, 3))
    third = submitted_scorecard(initiative, product_owner, scores(scorecard_version, 5))
    client.force_login(executive)
    response = client.get(history_url(initiative, a=first.pk, b=third.pk))
    assert response.context["older"] == first
    assert response.context["newer"] == third
    assert {area.text for area in response.context["comparison"].areas} == {"↑ up 3"}


def test_history_refuses_to_compare_an_assessment_of_another_initiative(
    client, executive, product_owner, initiative, scorecard_version
):
    older = submitted_scorecard(initiative, product_owner, scores(scorecard_version, 3))
    newer = submitted_scorecard(initiative, product_owner, scores(scorecard_version, 2))
    other = InitiativeFactory(business_owner=product_owner)
    theirs = submitted_scorecard(other, product_owner, scores(scorecard_version, 4))
    client.force_login(executive)
    response = client.get(history_url(initiative, a=theirs.pk, b=newer.pk))
    assert response.status_code == 200
    assert "Only submitted AI readiness scorecard assessments of this initiative" in response.text
    # It falls back to the latest two of this initiative.
    assert (response.context["older"], response.context["newer"]) == (older, newer)


def test_history_with_only_b_chosen_compares_it_with_the_one_before(
    client, executive, product_owner, initiative, scorecard_version
):
    first = submitted_scorecard(initiative, product_owner, scores(scorecard_version, 2))
    second = submitted_scorecard(initiative, product_owner, scores(scorecard_version, 3))
    submitted_scorecard(initiative, product_owner, scores(scorecard_version, 4))
    client.force_login(executive)
    response = client.get(history_url(initiative, b=second.pk))
    assert (response.context["older"], response.context["newer"]) == (first, second)
    assert response.context["compare_error"] is None


def test_history_matches_areas_by_id_across_template_versions(
    client, executive, product_owner, initiative, scorecard_version
):
    old = submitted_scorecard(initiative, product_owner, scores(scorecard_version, 3))
    document = scorecard_version.parsed.to_dict()
    document["items"][-1]["id"] = "decision_visibility"
    document["items"][-1]["title"] = "Decision visibility"
    new_version, created = template_version_load(definition=TemplateDefinition.from_dict(document))
    assert created and new_version.number == 2
    new = submitted_scorecard(initiative, product_owner, scores(new_version, 4))
    assert new.template_version == new_version

    client.force_login(executive)
    response = client.get(history_url(initiative))
    comparison = response.context["comparison"]
    assert comparison.versions_differ
    texts = {area.item_id: area.text for area in comparison.areas}
    assert texts["decision_visibility"] == "only in version 2"
    assert texts["executive_visibility"] == "only in version 1"
    assert texts["ownership"] == "↑ up 1"
    assert "different template versions (v1 and v2)" in response.text
    assert old.template_version.number == 1


def test_history_of_a_checklist_never_submitted_shows_an_empty_state(
    client, executive, initiative, templates_loaded
):
    client.force_login(executive)
    response = client.get(history_url(initiative, template="before_poc"))
    assert response.status_code == 200
    assert "No submitted Before-POC checklist yet" in response.text


@pytest.mark.parametrize("template", ["no_such_template", "vendor_evaluation"])
def test_history_of_an_unknown_or_vendor_template_is_404(
    client, executive, initiative, templates_loaded, template
):
    client.force_login(executive)
    assert client.get(history_url(initiative, template=template)).status_code == 404


# ---------------------------------------------------------------------------------------------
# Heatmap
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def heatmap_portfolio(product_owner, governance_admin, scorecard_version):
    retail = BusinessUnitFactory(name="Retail")
    ops = BusinessUnitFactory(name="Operations")
    make = InitiativeFactory
    loans = make(title="Loans", business_unit=retail, stage=Stage.PILOT)
    claims = make(title="Claims", business_unit=ops, stage=Stage.PILOT)
    churn = make(title="Churn", business_unit=retail, stage=Stage.SCALE)
    make(title="Unscored idea", business_unit=retail, stage=Stage.PILOT)
    make(title="Unscored ops", business_unit=ops, stage=Stage.EXPLORATION)
    submitted_scorecard(loans, governance_admin, scores(scorecard_version, 4))  # 72
    submitted_scorecard(
        claims, governance_admin, scores(scorecard_version, 3, security_readiness=2)
    )  # 53, blocked
    submitted_scorecard(churn, governance_admin, scores(scorecard_version, 5, ownership=1))  # 86
    return {"retail": retail, "ops": ops}


def _row_titles(response) -> list[str]:
    return [row.initiative.title for row in response.context["table"]]


def test_heatmap_shows_each_assessed_initiative_by_area_with_total_and_band(
    client, auditor, heatmap_portfolio
):
    client.force_login(auditor)
    response = client.get(HEATMAP)
    assert _row_titles(response) == ["Churn", "Claims", "Loans"]
    columns = response.context["columns"]
    assert len(columns) == 18
    assert columns[0].item_id == "problem_clarity"
    assert {c.item_id for c in columns if c.critical_minimum == 3} == {
        "ownership",
        "success_criteria",
        "security_readiness",
        "privacy_legal_readiness",
        "production_readiness",
    }
    text = response.text
    assert 'class="heat heat-4"' in text and ">4<" in text  # colour plus the number itself
    assert "Strong readiness" in text and "Moderate readiness" in text


def test_heatmap_filters_by_stage_and_business_unit(client, executive, heatmap_portfolio):
    client.force_login(executive)
    assert _row_titles(client.get(HEATMAP, {"stage": "pilot"})) == ["Claims", "Loans"]
    assert _row_titles(client.get(HEATMAP, {"stage": ["pilot", "scale"]})) == [
        "Churn",
        "Claims",
        "Loans",
    ]
    retail = heatmap_portfolio["retail"].pk
    assert _row_titles(client.get(HEATMAP, {"business_unit": retail})) == ["Churn", "Loans"]
    response = client.get(HEATMAP, {"business_unit": retail, "stage": "pilot"})
    assert _row_titles(response) == ["Loans"]
    # The unassessed line follows the same filters.
    assert [i.title for i in response.context["unassessed"]] == ["Unscored idea"]


def test_heatmap_sorts_by_total_and_by_title(client, executive, heatmap_portfolio):
    client.force_login(executive)
    assert _row_titles(client.get(HEATMAP, {"sort": "total"})) == ["Claims", "Loans", "Churn"]
    assert _row_titles(client.get(HEATMAP, {"sort": "-total"})) == ["Churn", "Loans", "Claims"]
    assert _row_titles(client.get(HEATMAP, {"sort": "-title"})) == ["Loans", "Claims", "Churn"]
    response = client.get(HEATMAP, {"sort": "total", "stage": "pilot"})
    # The Total header now sorts the other way and keeps the filters; aria-sort says the order.
    assert 'aria-sort="ascending"' in response.text
    assert 'href="?stage=pilot&amp;sort=-total"' in response.text


def test_heatmap_marks_critical_areas_below_their_minimum(client, executive, heatmap_portfolio):
    client.force_login(executive)
    response = client.get(HEATMAP)
    blocking = {
        (row.initiative.title, cell.item_id)
        for row in response.context["table"]
        for cell in row.cells
        if cell.blocking
    }
    assert blocking == {("Claims", "security_readiness"), ("Churn", "ownership")}
    text = response.text
    assert text.count("heat-blocking") == 2 + 1  # two cells, plus the legend's example
    assert "(Security readiness below the minimum 3: blocks scale)" in text
    assert "(Ownership below the minimum 3: blocks scale)" in text


def test_heatmap_summary_row_counts_initiatives_below_three_per_area(
    client, executive, heatmap_portfolio
):
    client.force_login(executive)
    columns = {c.item_id: c.weak_count for c in client.get(HEATMAP).context["columns"]}
    assert columns["security_readiness"] == 1
    assert columns["ownership"] == 1
    assert columns["problem_clarity"] == 0


def test_the_summary_row_is_cached_briefly_but_a_new_scorecard_is_counted_at_once(
    client, executive, governance_admin, scorecard_version, heatmap_portfolio, settings
):
    settings.AGGREGATE_CACHE_SECONDS = 30
    cache.clear()
    client.force_login(executive)
    first = client.get(HEATMAP)
    assert {c.item_id: c.weak_count for c in first.context["columns"]}["ownership"] == 1
    assert "was counted at" in first.text and "at least every 30 seconds" in first.text
    # A frozen result never changes in Gatehouse; changed behind its back it shows only once
    # the cached counts expire: the page reused them.
    claims = Assessment.objects.get(initiative__title="Claims", status=AssessmentStatus.SUBMITTED)
    claims.result["item_scores"]["ownership"] = 1
    Assessment.objects.filter(pk=claims.pk).update(result=claims.result)
    again = client.get(HEATMAP)
    assert {c.item_id: c.weak_count for c in again.context["columns"]}["ownership"] == 1
    assert again.context["counted_at"] == first.context["counted_at"]
    # A new scorecard changes what the counts cover: counted again, at once.
    unscored = InitiativeFactory(title="Newly scored", stage=Stage.PILOT)
    submitted_scorecard(unscored, governance_admin, scores(scorecard_version, 2))
    fresh = {c.item_id: c.weak_count for c in client.get(HEATMAP).context["columns"]}
    assert fresh["ownership"] == 3 and fresh["problem_clarity"] == 1
    cache.clear()


def test_heatmap_lists_initiatives_not_yet_assessed(client, executive, heatmap_portfolio):
    client.force_login(executive)
    text = client.get(HEATMAP).text
    line = re.search(r'<p class="heat-unassessed">.*?</p>', text, re.S).group(0)
    assert "Not yet assessed" in line
    assert ">Unscored idea</a>" in line and ">Unscored ops</a>" in line
    assert "Loans" not in line


def test_heatmap_htmx_request_returns_only_the_results(client, executive, heatmap_portfolio):
    client.force_login(executive)
    response = client.get(
        HEATMAP, {"stage": "scale"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="heatmap-results"
    )
    assert response.text.lstrip().startswith('<section id="heatmap-results"')
    assert "<html" not in response.text
    assert ">Churn</a>" in response.text and ">Loans</a>" not in response.text


def test_heatmap_reports_filters_it_did_not_understand(client, executive, heatmap_portfolio):
    client.force_login(executive)
    response = client.get(HEATMAP, {"stage": "moon", "sort": "sideways"})
    assert "Some filters were not understood" in response.text
    assert len(response.context["table"]) == 3


def test_heatmap_paginates_fifty_rows(client, executive, scorecard_version):
    initiatives = bulk_initiatives(60)
    bulk_scorecards(initiatives, scorecard_version, lambda n: scores(scorecard_version, 3))
    client.force_login(executive)
    first = client.get(HEATMAP)
    assert len(first.context["table"]) == 50
    assert "Page 1 of 2" in first.text
    assert len(client.get(HEATMAP, {"page": 2}).context["table"]) == 10


def test_heatmap_empty_state(client, executive, initiative, templates_loaded):
    client.force_login(executive)
    text = client.get(HEATMAP).text
    assert "No readiness scorecard has been submitted yet" in text
    assert ">Customer triage and routing</a>" in text


# ---------------------------------------------------------------------------------------------
# Vendors
# ---------------------------------------------------------------------------------------------


def test_vendor_list_empty_state(client, executive):
    client.force_login(executive)
    assert "No vendors yet" in client.get(VENDORS).text


def test_vendor_list_shows_initiative_count_and_current_evaluation(
    client, executive, council_member, initiative, templates_loaded
):
    acme = VendorFactory(name="Acme AI")
    globex = VendorFactory(name="Globex")
    VendorFactory(name="Initech")
    initiative.vendors.set([acme, globex])
    InitiativeFactory(title="Second").vendors.set([acme])
    submitted_vendor_evaluation(acme, council_member, failing=("data_handling",))
    submitted_vendor_evaluation(acme, council_member)  # supersedes the failing one
    submitted_vendor_evaluation(globex, council_member, failing=("security_posture",))
    client.force_login(executive)
    response = client.get(VENDORS)
    vendors = {v.name: v for v in response.context["page"].object_list}
    assert vendors["Acme AI"].initiative_count == 2
    assert vendors["Globex"].initiative_count == 1
    assert vendors["Initech"].initiative_count == 0
    rows = {
        name: re.search(rf">{name}</a>.*?</tr>", response.text, re.S).group(0) for name in vendors
    }
    assert "✓ Passed" in rows["Acme AI"] and "12 / 12" in rows["Acme AI"]
    assert "✗ Not passed" in rows["Globex"] and "Do not finalize vendor selection" in rows["Globex"]
    assert "Not evaluated" in rows["Initech"]


def test_vendor_page_shows_initiatives_evaluations_and_open_draft(
    client, auditor, council_member, initiative, templates_loaded
):
    acme = VendorFactory(name="Acme AI")
    initiative.vendors.set([acme])
    old = submitted_vendor_evaluation(acme, council_member, failing=("data_handling",))
    current = submitted_vendor_evaluation(acme, council_member)
    draft = assessment_create_draft(
        template_key="vendor_evaluation", actor=council_member, vendor=acme
    )
    client.force_login(auditor)
    response = client.get(reverse("readiness:vendor_detail", args=[acme.pk]))
    assert [row.assessment for row in response.context["evaluations"]] == [current, old]
    text = response.text
    assert ">Customer triage and routing</a>" in text
    assert "Data handling" in text  # the area that was not ready in the old evaluation
    assert f'href="{draft.get_absolute_url()}">View draft' in text
    assert "New vendor evaluation" not in text  # the auditor only reads


def test_council_member_starts_a_vendor_evaluation_and_then_continues_it(
    client, council_member, templates_loaded
):
    acme = VendorFactory(name="Acme AI")
    url = reverse("readiness:vendor_assessment_create", args=[acme.pk])
    client.force_login(council_member)
    page = client.get(reverse("readiness:vendor_detail", args=[acme.pk])).text
    assert f'action="{url}"' in page and "New vendor evaluation" in page

    response = client.post(url)
    draft = Assessment.objects.get(vendor=acme)
    assert draft.status == AssessmentStatus.DRAFT
    assert draft.template.key == "vendor_evaluation"
    assert response.status_code == 302
    assert response["Location"] == reverse("readiness:assessment_detail", args=[draft.pk])

    again = client.post(url)
    assert again["Location"] == draft.get_absolute_url()
    assert Assessment.objects.filter(vendor=acme).count() == 1


def test_vendor_evaluation_needs_the_template_loaded(client, governance_admin):
    acme = VendorFactory(name="Acme AI")
    client.force_login(governance_admin)
    response = client.post(reverse("readiness:vendor_assessment_create", args=[acme.pk]))
    assert response["Location"] == reverse("readiness:vendor_detail", args=[acme.pk])
    assert not Assessment.objects.exists()


def test_vendor_evaluation_is_created_by_post_only(client, council_member, templates_loaded):
    acme = VendorFactory(name="Acme AI")
    client.force_login(council_member)
    url = reverse("readiness:vendor_assessment_create", args=[acme.pk])
    assert client.get(url).status_code == 405
    assert not Assessment.objects.exists()


# ---------------------------------------------------------------------------------------------
# Every URL × every role
# ---------------------------------------------------------------------------------------------

VENDOR_ASSESSORS = {"council_member", "governance_admin"}

CASES = [
    (
        "history",
        "get",
        lambda c: history_url(c["initiative"]),
        READERS,
        200,
    ),
    ("heatmap", "get", lambda c: HEATMAP, READERS, 200),
    ("heatmap htmx", "get", lambda c: HEATMAP + "?stage=pilot", READERS, 200),
    ("vendor list", "get", lambda c: VENDORS, READERS, 200),
    (
        "vendor detail",
        "get",
        lambda c: reverse("readiness:vendor_detail", args=[c["vendor"].pk]),
        READERS,
        200,
    ),
    (
        "vendor evaluation create",
        "post",
        lambda c: reverse("readiness:vendor_assessment_create", args=[c["vendor"].pk]),
        VENDOR_ASSESSORS,
        302,
    ),
]


@pytest.fixture
def ctx(users_by_role, initiative, scorecard_version, governance_admin):
    vendor = VendorFactory(name="Acme AI")
    initiative.vendors.set([vendor])
    submitted_scorecard(initiative, governance_admin, scores(scorecard_version, 3))
    submitted_scorecard(initiative, governance_admin, scores(scorecard_version, 4))
    return {**users_by_role, "initiative": initiative, "vendor": vendor}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("name", "method", "url", "allowed", "success"), CASES, ids=[c[0] for c in CASES]
)
def test_page_permissions(client, ctx, role, name, method, url, allowed, success):
    response = getattr(signed_in(client, ctx.get(role)), method)(url(ctx))
    expected = expected_status(role, allowed, success, api=False)
    assert response.status_code == expected, (
        f"{role} {method.upper()} {name}: {response.status_code}, expected {expected}"
    )
    if role == "anonymous":
        assert response["Location"].startswith(reverse("login"))
    elif expected == 403 and method == "post":
        assert not Assessment.objects.filter(vendor=ctx["vendor"]).exists()


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", lambda: reverse("readiness:assessment_history", args=[999999])),
        ("get", lambda: reverse("readiness:vendor_detail", args=[999999])),
        ("post", lambda: reverse("readiness:vendor_assessment_create", args=[999999])),
    ],
    ids=["history", "vendor detail", "vendor evaluation create"],
)
def test_unknown_ids_are_404(client, governance_admin, templates_loaded, method, url):
    client.force_login(governance_admin)
    assert getattr(client, method)(url()).status_code == 404


def test_main_navigation_links_to_the_heatmap_and_vendors(client, executive):
    client.force_login(executive)
    text = client.get(HEATMAP).text
    assert f'<a href="{HEATMAP}" aria-current="page">Readiness heatmap</a>' in text
    assert re.search(rf'<a href="{VENDORS}"\s*>Vendors</a>', text)


def test_unused_business_unit_filter_value_is_harmless(client, executive, heatmap_portfolio):
    empty = BusinessUnit.objects.create(name="Empty unit")
    client.force_login(executive)
    response = client.get(HEATMAP, {"business_unit": empty.pk})
    assert "No assessed initiative matches these filters" in response.text


# ---------------------------------------------------------------------------------------------
# Shaping results (pure)
# ---------------------------------------------------------------------------------------------


def test_comparison_of_two_valued_answers_reads_as_words(templates_loaded):
    template = templates_loaded["rollout_governance"].parsed
    before = dict.fromkeys(template.item_ids, "ready") | {"monitoring": "not_ready"}
    after = dict.fromkeys(template.item_ids, "ready") | {"rollback_readiness": "not_ready"}
    comparison = compare_results(
        template,
        evaluate(template, before).as_dict(),
        template,
        evaluate(template, after).as_dict(),
    )
    areas = {area.item_id: area for area in comparison.areas}
    assert (areas["monitoring"].label_a, areas["monitoring"].label_b) == ("Not ready", "Ready")
    assert areas["monitoring"].text == "↑ up 1"
    assert areas["rollback_readiness"].text == "↓ down 1"
    assert comparison.total_text == "→ same"


def test_total_chart_places_points_oldest_left_inside_the_axes(scorecard_version):
    bands = scorecard_version.parsed.rules.bands
    assert total_chart([], min_total=18, max_total=90, bands=bands) is None
    when = BASE_TIME
    single = total_chart(
        [HistoryEntry(when, 54, 90, "Weak readiness")], min_total=18, max_total=90, bands=bands
    )
    assert len(single.points) == 1
    assert single.left < single.points[0].x < single.right
    assert "One submitted assessment" in single.description
    chart = total_chart(
        [HistoryEntry(when, total, 90, "x") for total in (18, 54, 90)],
        min_total=18,
        max_total=90,
        bands=bands,
    )
    xs = [p.x for p in chart.points]
    ys = [p.y for p in chart.points]
    assert xs == sorted(xs)
    assert ys[0] == chart.bottom and ys[-1] == chart.top  # 18 at the floor, 90 at the top
    assert [line.label for line in chart.band_lines] == ["Weak 35", "Moderate 55", "Strong 75"]
