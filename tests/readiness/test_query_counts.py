"""The readiness result pages run the same number of queries at 5 and at 200 initiatives.

Submitting 200 scorecards through the services is slow, so `bulk_scorecards`
(tests/readiness/support.py) writes submitted assessments directly.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.test import RequestFactory
from django.urls import reverse

from core.roles import user_roles
from portfolio.models import BusinessUnit, Initiative, Vendor
from readiness.models import Assessment, AssessmentStatus, TemplateVersion
from readiness.panels import readiness_panel
from tests.factories import scores
from tests.readiness.support import BASE_TIME, bulk_initiatives, bulk_scorecards, frozen_assessment

pytestmark = pytest.mark.django_db

# Session, user, roles; scorecard versions; business units (filter form); row count with the
# latest submission (one query); page of rows; the per-area "below 3" aggregate (not run when
# cached); the not-yet-assessed line and its count.
HEATMAP_QUERY_BUDGET = 10
# Session, user, roles; initiative; initiative templates; the assessments of one template.
HISTORY_QUERY_BUDGET = 6
# Session, user, roles; vendor count; page of vendors with initiative counts; current
# evaluations of the page (one prefetch).
VENDOR_LIST_QUERY_BUDGET = 6
# Session, user, roles; vendor; its initiatives; its assessments.
VENDOR_DETAIL_QUERY_BUDGET = 6
# The portfolio's initiative page with every app's panel (tests/portfolio/test_query_counts.py):
# 6 of its own, readiness 1, gates 2 (its facts, the exceptions granted), register 3.
INITIATIVE_PAGE_QUERY_BUDGET = 12
PANEL_QUERY_BUDGET = 1


def varied_scores(version: TemplateVersion) -> Callable[[int], dict[str, int]]:
    """Scores that differ per initiative, with some critical areas below their minimum."""

    def answers(n: int) -> dict[str, int]:
        return scores(version, 1 + n % 5, ownership=2 if n % 3 == 0 else 4)

    return answers


@pytest.fixture
def portfolio_with_scorecards(scorecard_version, governance_admin):
    def build(size: int) -> list[Initiative]:
        initiatives = bulk_initiatives(size)
        # Every fifth initiative is not yet assessed.
        assessed = [i for n, i in enumerate(initiatives) if n % 5 != 4]
        bulk_scorecards(assessed, scorecard_version, varied_scores(scorecard_version))
        return initiatives

    return build


@pytest.mark.parametrize("size", [5, 200])
def test_heatmap_query_count_is_constant(
    client, executive, portfolio_with_scorecards, django_assert_max_num_queries, size
):
    portfolio_with_scorecards(size)
    client.force_login(executive)
    with django_assert_max_num_queries(HEATMAP_QUERY_BUDGET):
        response = client.get(reverse("readiness:heatmap"), {"sort": "-total"})
    assert response.status_code == 200
    assert len(response.context["table"]) == min(size - size // 5, 50)


@pytest.mark.parametrize("size", [5, 200])
def test_filtered_htmx_heatmap_query_count_is_constant(
    client, executive, portfolio_with_scorecards, django_assert_max_num_queries, size
):
    portfolio_with_scorecards(size)
    unit = BusinessUnit.objects.get(name="Unit 1")
    client.force_login(executive)
    with django_assert_max_num_queries(HEATMAP_QUERY_BUDGET):
        response = client.get(
            reverse("readiness:heatmap"),
            {"stage": ["pilot", "scale", "exploration"], "business_unit": unit.pk, "page": 1},
            HTTP_HX_REQUEST="true",
            HTTP_HX_TARGET="heatmap-results",
        )
    assert response.status_code == 200
    assert "Initiative 0001" in response.text  # Unit 1, pilot
    assert "Initiative 0000" not in response.text


@pytest.mark.parametrize("size", [5, 200])
def test_history_page_query_count_is_constant(
    client,
    executive,
    portfolio_with_scorecards,
    scorecard_version,
    django_assert_max_num_queries,
    size,
):
    initiatives = portfolio_with_scorecards(size)
    target = initiatives[0]
    # `size` earlier scorecards of the same initiative, superseded by the current one.
    Assessment.objects.bulk_create(
        frozen_assessment(
            scorecard_version,
            scores(scorecard_version, 1 + n % 5),
            initiative=target,
            status=AssessmentStatus.SUPERSEDED,
            submitted_at=BASE_TIME - datetime.timedelta(days=n + 1),
        )
        for n in range(size)
    )
    client.force_login(executive)
    with django_assert_max_num_queries(HISTORY_QUERY_BUDGET):
        response = client.get(
            reverse("readiness:assessment_history", args=[target.pk]),
            {"template": "readiness_scorecard"},
        )
    assert response.status_code == 200
    assert len(response.context["rows"]) == size + 1
    assert response.context["comparison"] is not None


@pytest.fixture
def vendors_with_evaluations(templates_loaded):
    version = templates_loaded["vendor_evaluation"]

    def build(size: int) -> list[Vendor]:
        vendors = Vendor.objects.bulk_create(Vendor(name=f"Vendor {n:04d}") for n in range(size))
        initiatives = bulk_initiatives(3, prefix="Using vendors")
        for initiative in initiatives:
            initiative.vendors.set(vendors)
        Assessment.objects.bulk_create(
            frozen_assessment(
                version,
                scores_binary(version, passing=n % 2 == 0),
                vendor=vendor,
                status=status,
                submitted_at=BASE_TIME + datetime.timedelta(days=day),
            )
            for n, vendor in enumerate(vendors)
            if n % 4 != 3
            for day, status in ((0, AssessmentStatus.SUPERSEDED), (1, AssessmentStatus.SUBMITTED))
        )
        return vendors

    return build


def scores_binary(version: TemplateVersion, *, passing: bool) -> dict[str, str]:
    ids = version.parsed.item_ids
    return {item_id: "ready" if passing or i else "not_ready" for i, item_id in enumerate(ids)}


@pytest.mark.parametrize("size", [5, 200])
def test_vendor_list_query_count_is_constant(
    client, auditor, vendors_with_evaluations, django_assert_max_num_queries, size
):
    vendors_with_evaluations(size)
    client.force_login(auditor)
    with django_assert_max_num_queries(VENDOR_LIST_QUERY_BUDGET):
        response = client.get(reverse("readiness:vendor_list"))
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == min(size, 25)
    assert "✓ Passed" in response.text


@pytest.mark.parametrize("size", [5, 200])
def test_vendor_detail_query_count_is_constant(
    client, auditor, vendors_with_evaluations, django_assert_max_num_queries, size
):
    vendor = vendors_with_evaluations(size)[0]
    client.force_login(auditor)
    with django_assert_max_num_queries(VENDOR_DETAIL_QUERY_BUDGET):
        response = client.get(reverse("readiness:vendor_detail", args=[vendor.pk]))
    assert response.status_code == 200
    assert len(response.context["evaluations"]) == 2


@pytest.fixture
def initiative_with_every_result(templates_loaded, portfolio_with_scorecards):
    """A portfolio whose first initiative has a current result of every initiative template,
    superseded results, and open drafts."""

    def build(size: int) -> Initiative:
        initiatives = portfolio_with_scorecards(size)
        target = initiatives[0]
        extra = []
        for key, version in templates_loaded.items():
            if version.template.applies_to != "initiative":
                continue
            answers = (
                scores(version, 4)
                if not version.parsed.answer_type.is_binary
                else dict.fromkeys(version.parsed.item_ids, True)
            )
            if key != "readiness_scorecard":
                extra.append(frozen_assessment(version, answers, initiative=target))
            extra.append(
                frozen_assessment(
                    version, answers, initiative=target, status=AssessmentStatus.SUPERSEDED
                )
            )
            extra.append(
                Assessment(
                    template=version.template,
                    template_version=version,
                    initiative=target,
                    answers={},
                )
            )
        Assessment.objects.bulk_create(extra)
        return target

    return build


@pytest.mark.parametrize("size", [5, 200])
def test_initiative_page_with_readiness_panel_query_count_is_constant(
    client, executive, initiative_with_every_result, django_assert_max_num_queries, size
):
    target = initiative_with_every_result(size)
    client.force_login(executive)
    with django_assert_max_num_queries(INITIATIVE_PAGE_QUERY_BUDGET):
        response = client.get(target.get_absolute_url())
    assert response.status_code == 200
    assert response.text.count('class="readiness-result"') == 6


@pytest.mark.parametrize("size", [5, 200])
def test_readiness_panel_runs_one_query(
    executive, initiative_with_every_result, django_assert_max_num_queries, size
):
    target = initiative_with_every_result(size)
    request = RequestFactory().get(target.get_absolute_url())
    request.user = executive
    user_roles(executive)  # the page has read the roles already (context processor)
    with django_assert_max_num_queries(PANEL_QUERY_BUDGET):
        html = readiness_panel(request, target)
    assert "Open drafts" in html
