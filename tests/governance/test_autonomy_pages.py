"""The pages of autonomy promotions, per role: the "Request promotion" link on the initiative's
gate panel, the request form with the five conditions, the chair's decision, withdrawing, and
the review queue's "Autonomy promotions" section.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from governance.gates.autonomy_rules import AUTONOMY_CONDITIONS
from governance.gates.permissions import (
    PROMOTION_CHAIR_RECUSED_MESSAGE,
    PROMOTION_DECIDE_DENIED_MESSAGE,
)
from governance.gates.services import autonomy_promotion_decide, autonomy_promotion_request
from governance.models import AutonomyPromotion, AutonomyPromotionStatus
from portfolio.models import Initiative, Stage, Status
from tests.factories import InitiativeFactory
from tests.governance.autonomy_support import GOOD_EVIDENCE

pytestmark = pytest.mark.django_db

REQUEST_LINK = 'data-testid="request-promotion"'


@pytest.fixture
def initiative(product_owner, delivery_owner, business_unit):
    return InitiativeFactory(
        title="Runbook finder",
        business_unit=business_unit,
        stage=Stage.PILOT,
        business_owner=product_owner,
        delivery_owner=delivery_owner,
        created_by=product_owner,
    )


@pytest.fixture
def promotion(initiative, product_owner):
    return autonomy_promotion_request(
        initiative=initiative, actor=product_owner, evidence=GOOD_EVIDENCE
    )


def form_data(**overrides: str) -> dict[str, str]:
    data = {f"evidence.{key}": value for key, value in GOOD_EVIDENCE.items()}
    return {**data, **overrides}


def create_url(initiative) -> str:
    return reverse("governance:autonomy_promotion_create", args=[initiative.pk])


def detail_url(promotion) -> str:
    return reverse("governance:autonomy_promotion_detail", args=[promotion.pk])


def decide_url(promotion) -> str:
    return reverse("governance:autonomy_promotion_decide", args=[promotion.pk])


# ---------------------------------------------------------------------------------------------
# The gate panel on the initiative page
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["owner", "governance_admin"])
def test_owners_and_admins_see_the_request_promotion_link(role, users_by_role, client, initiative):
    client.force_login(users_by_role[role])
    page = client.get(initiative.get_absolute_url())
    assert REQUEST_LINK in page.text
    assert "Request promotion to Agent" in page.text
    assert create_url(initiative) in page.text


@pytest.mark.parametrize("role", ["executive", "other_product_owner", "council_member", "auditor"])
def test_other_roles_see_no_request_link(role, users_by_role, client, initiative):
    client.force_login(users_by_role[role])
    page = client.get(initiative.get_absolute_url())
    assert page.status_code == 200
    assert REQUEST_LINK not in page.text
    # Everyone reads where the initiative stands and how it could move up.
    assert "Autonomy level: Assistant. Moving up to Agent is an autonomy promotion" in page.text


def test_the_panel_shows_a_pending_promotion_instead_of_the_link(
    client, product_owner, promotion, initiative, auditor
):
    client.force_login(product_owner)
    page = client.get(initiative.get_absolute_url())
    assert REQUEST_LINK not in page.text
    assert 'data-testid="promotion-pending"' in page.text
    assert "Autonomy promotion from Assistant to Agent" in page.text
    assert detail_url(promotion) in page.text
    client.force_login(auditor)
    assert detail_url(promotion) in client.get(initiative.get_absolute_url()).text


@pytest.mark.parametrize(
    ("level", "status"), [("automated_workflow", Status.ACTIVE), ("assistant", Status.PAUSED)]
)
def test_no_link_at_the_top_level_or_when_not_active(
    level, status, client, product_owner, initiative
):
    Initiative.objects.filter(pk=initiative.pk).update(autonomy_level=level, status=status)
    client.force_login(product_owner)
    assert REQUEST_LINK not in client.get(initiative.get_absolute_url()).text


# ---------------------------------------------------------------------------------------------
# Requesting
# ---------------------------------------------------------------------------------------------


def test_the_form_asks_for_each_condition_with_its_explanation(client, product_owner, initiative):
    client.force_login(product_owner)
    page = client.get(create_url(initiative))
    assert page.status_code == 200
    assert "Request promotion to Agent" in page.text
    assert len(AUTONOMY_CONDITIONS) == 5
    for condition in AUTONOMY_CONDITIONS:
        assert f'name="evidence.{condition.id}"' in page.text
        assert condition.label in page.text
        assert condition.explanation in page.text


def test_filing_with_good_evidence_opens_the_promotion(client, product_owner, initiative):
    client.force_login(product_owner)
    response = client.post(create_url(initiative), form_data())
    promotion = AutonomyPromotion.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail_url(promotion)
    page = client.get(response["Location"])
    assert "Autonomy promotion requested: Assistant → Agent." in page.text
    assert GOOD_EVIDENCE["stability"] in page.text
    assert Initiative.objects.get(pk=initiative.pk).autonomy_level == "assistant"


def test_thin_evidence_shows_each_problem_under_its_field(client, product_owner, initiative):
    client.force_login(product_owner)
    response = client.post(
        create_url(initiative),
        form_data(**{"evidence.precision": "fine", "evidence.stability": ""}),
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"evidence.precision", "evidence.stability"}
    assert "too short" in errors["evidence.precision"][0]
    assert "Evidence is required" in errors["evidence.stability"][0]
    assert "Nothing was saved" in response.text
    assert not AutonomyPromotion.objects.exists()


@pytest.mark.parametrize("role", ["executive", "other_product_owner", "council_member", "auditor"])
def test_other_roles_cannot_open_or_post_the_form(role, users_by_role, client, initiative):
    client.force_login(users_by_role[role])
    assert client.get(create_url(initiative)).status_code == 403
    assert client.post(create_url(initiative), form_data()).status_code == 403
    assert not AutonomyPromotion.objects.exists()


def test_no_role_is_refused_and_anonymous_sent_to_log_in(client, no_role_user, initiative):
    assert client.get(create_url(initiative)).status_code == 302
    client.force_login(no_role_user)
    assert client.get(create_url(initiative)).status_code == 403


def test_the_form_says_when_one_is_already_pending(client, product_owner, promotion, initiative):
    client.force_login(product_owner)
    page = client.get(create_url(initiative))
    assert "already pending" in page.text
    assert 'name="evidence.precision"' not in page.text
    response = client.post(create_url(initiative), form_data())
    assert response.status_code == 400
    assert AutonomyPromotion.objects.count() == 1


# ---------------------------------------------------------------------------------------------
# The promotion's page and the chair's decision
# ---------------------------------------------------------------------------------------------


def test_the_chair_sees_the_decision_form(client, chair, promotion):
    client.force_login(chair)
    page = client.get(detail_url(promotion))
    assert page.status_code == 200
    assert decide_url(promotion) in page.text
    assert "Record decision" in page.text


@pytest.mark.parametrize(
    "role", ["executive", "owner", "council_member", "governance_admin", "auditor"]
)
def test_everyone_else_reads_the_evidence_without_a_decision_form(
    role, users_by_role, client, promotion
):
    client.force_login(users_by_role[role])
    page = client.get(detail_url(promotion))
    assert page.status_code == 200
    assert GOOD_EVIDENCE["precision"] in page.text
    assert "Record decision" not in page.text
    assert "Waiting for the council chair's decision" in page.text


def test_the_chair_approves_and_the_level_rises(client, chair, promotion, initiative):
    client.force_login(chair)
    response = client.post(decide_url(promotion), {"decision": "approve", "reason": "Proven"})
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert "Autonomy promotion approved: “Runbook finder” is at the Agent level." in page.text
    assert 'data-testid="promotion-decision"' in page.text
    assert Initiative.objects.get(pk=initiative.pk).autonomy_level == "agent"
    assert "Record decision" not in page.text


def test_the_chair_rejects_and_nothing_changes(client, chair, promotion, initiative):
    client.force_login(chair)
    client.post(decide_url(promotion), {"decision": "reject", "reason": "No eval set"})
    promotion.refresh_from_db()
    assert promotion.status == AutonomyPromotionStatus.REJECTED
    assert Initiative.objects.get(pk=initiative.pk).autonomy_level == "assistant"


def test_a_decision_without_a_reason_is_shown_again(client, chair, promotion):
    client.force_login(chair)
    response = client.post(decide_url(promotion), {"decision": "approve", "reason": ""})
    assert response.status_code == 400
    assert "reason" in response.context["decision_form"].errors
    assert AutonomyPromotion.objects.get(pk=promotion.pk).status == "pending"


@pytest.mark.parametrize("role", ["owner", "council_member", "governance_admin", "auditor"])
def test_only_the_chair_may_post_a_decision(role, users_by_role, client, promotion, initiative):
    client.force_login(users_by_role[role])
    response = client.post(decide_url(promotion), {"decision": "approve", "reason": "Yes"})
    assert response.status_code == 403
    assert PROMOTION_DECIDE_DENIED_MESSAGE in response.text
    assert Initiative.objects.get(pk=initiative.pk).autonomy_level == "assistant"


def test_a_recused_chair_is_told_why_and_cannot_decide(client, chair, promotion, initiative):
    Initiative.objects.filter(pk=initiative.pk).update(safety_owner=chair)
    client.force_login(chair)
    page = client.get(detail_url(promotion))
    assert "Record decision" not in page.text
    assert 'data-testid="chair-recused"' in page.text
    response = client.post(decide_url(promotion), {"decision": "approve", "reason": "Yes"})
    assert response.status_code == 403
    assert PROMOTION_CHAIR_RECUSED_MESSAGE.split(";")[0] in response.text
    assert Initiative.objects.get(pk=initiative.pk).autonomy_level == "assistant"


def test_deciding_an_already_decided_promotion_says_so(client, chair, promotion, initiative):
    autonomy_promotion_decide(promotion=promotion, actor=chair, approve=False, reason="No")
    client.force_login(chair)
    response = client.post(decide_url(promotion), {"decision": "approve", "reason": "Yes"})
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert "already rejected" in page.text
    assert Initiative.objects.get(pk=initiative.pk).autonomy_level == "assistant"


def test_the_decide_url_takes_only_post(client, chair, promotion):
    client.force_login(chair)
    assert client.get(decide_url(promotion)).status_code == 405


# ---------------------------------------------------------------------------------------------
# Withdrawing
# ---------------------------------------------------------------------------------------------


def test_the_requester_withdraws_with_a_reason(client, product_owner, promotion):
    client.force_login(product_owner)
    assert "Withdraw promotion" in client.get(detail_url(promotion)).text
    url = reverse("governance:autonomy_promotion_withdraw", args=[promotion.pk])
    assert client.post(url, {"reason": ""}).status_code == 200  # the form again, with the error
    response = client.post(url, {"reason": "Another sprint first"})
    assert response.status_code == 302
    promotion.refresh_from_db()
    assert promotion.status == AutonomyPromotionStatus.WITHDRAWN
    assert client.post(url, {"reason": "Again"}).status_code == 409


@pytest.mark.parametrize("role", ["executive", "council_member", "auditor"])
def test_others_cannot_withdraw(role, users_by_role, client, promotion):
    client.force_login(users_by_role[role])
    url = reverse("governance:autonomy_promotion_withdraw", args=[promotion.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"reason": "Mine now"}).status_code == 403
    assert "Withdraw promotion" not in client.get(detail_url(promotion)).text


# ---------------------------------------------------------------------------------------------
# The review queue
# ---------------------------------------------------------------------------------------------


def test_the_queue_lists_pending_promotions(client, legal, promotion, chair):
    client.force_login(legal)
    page = client.get(reverse("governance:council_queue"))
    assert 'data-testid="promotion-row"' in page.text
    assert "Runbook finder" in page.text
    assert "Assistant → Agent" in page.text
    assert detail_url(promotion) in page.text
    autonomy_promotion_decide(promotion=promotion, actor=chair, approve=True, reason="Proven")
    page = client.get(reverse("governance:council_queue"))
    assert 'data-testid="promotion-row"' not in page.text
    assert "No autonomy promotion is waiting for the chair." in page.text


# The review queue's budget (tests/governance/test_gate_query_counts.py) whatever the number of
# promotions: its count and page of requests, votes, the pilot purgatory list, re-reviews, the
# areas at 1 and the pending promotions (with initiative and requester).
QUEUE_BUDGET = 13


@pytest.mark.parametrize("size", [2, 60])
def test_the_queue_costs_the_same_whatever_the_number_of_promotions(
    size, client, legal, product_owner, business_unit, django_assert_max_num_queries
):
    for n in range(size):
        autonomy_promotion_request(
            initiative=InitiativeFactory(
                title=f"Initiative {n:03d}",
                business_unit=business_unit,
                business_owner=product_owner,
            ),
            actor=product_owner,
            evidence=GOOD_EVIDENCE,
        )
    client.force_login(legal)
    with django_assert_max_num_queries(QUEUE_BUDGET):
        page = client.get(reverse("governance:council_queue"))
    assert page.text.count('data-testid="promotion-row"') == min(size, 50)
    if size > 50:
        assert "Showing the 50 that have waited longest." in page.text
