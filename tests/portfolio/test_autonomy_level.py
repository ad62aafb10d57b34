"""The autonomy level is not raised by editing the initiative (page, API or service): raising it
is an autonomy promotion the council decides. Lowering it, and changing the EU AI Act tier
either way, stay plain edits. The one way up is initiative_set_autonomy_level.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from core.errors import ConflictError
from core.models import AuditEvent
from portfolio.models import Initiative
from portfolio.services import (
    AUTONOMY_RAISE_MESSAGE,
    initiative_set_autonomy_level,
    initiative_update,
)
from portfolio.vocabulary import AUTONOMY_ORDER, autonomy_rank
from tests.factories import InitiativeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent_initiative(product_owner, business_unit):
    return InitiativeFactory(
        title="Refund agent",
        business_unit=business_unit,
        business_owner=product_owner,
        created_by=product_owner,
        autonomy_level="agent",
    )


def _edit_form(initiative, owner, **overrides):
    return {
        "title": initiative.title,
        "business_unit": initiative.business_unit_id,
        "value_category": "cost",
        "eu_ai_act_tier": initiative.eu_ai_act_tier,
        "business_owner": owner.pk,
        "autonomy_level": initiative.autonomy_level,
        "sourcing": "build",
        "version": initiative.version,
        **overrides,
    }


def _updated_events() -> int:
    return AuditEvent.objects.filter(action="initiative.updated").count()


@pytest.mark.parametrize(
    ("start", "to"),
    [("assistant", "agent"), ("assistant", "automated_workflow"), ("agent", "automated_workflow")],
)
def test_the_service_refuses_to_raise_the_level_and_saves_nothing(
    product_owner, business_unit, start, to
):
    initiative = InitiativeFactory(
        business_unit=business_unit, business_owner=product_owner, autonomy_level=start
    )
    with pytest.raises(ValidationError) as error:
        initiative_update(
            initiative=initiative,
            actor=product_owner,
            data={"autonomy_level": to, "title": "Renamed too"},
            expected_version=initiative.version,
        )
    assert error.value.message_dict == {"autonomy_level": [AUTONOMY_RAISE_MESSAGE]}
    fresh = Initiative.objects.get(pk=initiative.pk)
    assert (fresh.autonomy_level, fresh.title, fresh.version) == (start, initiative.title, 1)
    assert _updated_events() == 0


def test_an_admin_cannot_raise_it_by_editing_either(governance_admin, agent_initiative):
    with pytest.raises(ValidationError, match="file an autonomy promotion request"):
        initiative_update(
            initiative=agent_initiative,
            actor=governance_admin,
            data={"autonomy_level": "automated_workflow"},
            expected_version=None,
        )


def test_lowering_the_level_is_a_plain_edit(product_owner, agent_initiative):
    initiative_update(
        initiative=agent_initiative,
        actor=product_owner,
        data={"autonomy_level": "assistant"},
        expected_version=agent_initiative.version,
    )
    agent_initiative.refresh_from_db()
    assert agent_initiative.autonomy_level == "assistant"
    event = AuditEvent.objects.get(action="initiative.updated")
    assert event.changes == {"autonomy_level": ["agent", "assistant"]}


def test_the_edit_page_says_where_to_ask_for_a_higher_level(client, product_owner, initiative):
    client.force_login(product_owner)
    page = client.get(reverse("portfolio:initiative_edit", args=[initiative.pk]))
    assert "Raising it is an autonomy promotion the council decides" in page.text


def test_raising_on_the_edit_page_shows_the_error_and_changes_nothing(
    client, product_owner, initiative
):
    client.force_login(product_owner)
    url = reverse("portfolio:initiative_edit", args=[initiative.pk])
    response = client.post(
        url, _edit_form(initiative, product_owner, autonomy_level="agent", title="New title")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["autonomy_level"] == [AUTONOMY_RAISE_MESSAGE]
    assert "Nothing was saved" in response.text
    assert "file an autonomy promotion request" in response.text
    fresh = Initiative.objects.get(pk=initiative.pk)
    assert (fresh.autonomy_level, fresh.title) == ("assistant", "Customer triage and routing")


def test_lowering_on_the_edit_page_saves(client, product_owner, agent_initiative):
    client.force_login(product_owner)
    url = reverse("portfolio:initiative_edit", args=[agent_initiative.pk])
    response = client.post(
        url, _edit_form(agent_initiative, product_owner, autonomy_level="assistant")
    )
    assert response.status_code == 302
    assert Initiative.objects.get(pk=agent_initiative.pk).autonomy_level == "assistant"


def test_the_api_refuses_a_raise_naming_the_field(product_owner, initiative):
    api = APIClient()
    api.force_authenticate(product_owner)
    response = api.patch(
        f"/api/v1/initiatives/{initiative.pk}/",
        {"autonomy_level": "agent", "version": initiative.version},
        format="json",
    )
    assert response.status_code == 400
    assert response.data == {"autonomy_level": [AUTONOMY_RAISE_MESSAGE]}
    assert Initiative.objects.get(pk=initiative.pk).autonomy_level == "assistant"
    assert _updated_events() == 0


def test_the_api_lowers_the_level_as_a_plain_edit(product_owner, agent_initiative):
    api = APIClient()
    api.force_authenticate(product_owner)
    response = api.patch(
        f"/api/v1/initiatives/{agent_initiative.pk}/",
        {"autonomy_level": "assistant"},
        format="json",
    )
    assert response.status_code == 200, response.data
    assert response.data["autonomy_level"] == "assistant"


def test_raising_the_tier_is_an_immediate_plain_edit(product_owner, initiative):
    updated = initiative_update(
        initiative=initiative,
        actor=product_owner,
        data={"eu_ai_act_tier": "high"},
        expected_version=initiative.version,
    )
    assert Initiative.objects.get(pk=initiative.pk).eu_ai_act_tier == "high"
    assert updated.version == 2


# ---------------------------------------------------------------------------------------------
# initiative_set_autonomy_level: the one way up, used by an approved autonomy promotion
# ---------------------------------------------------------------------------------------------


def test_setting_the_level_updates_it_with_one_audit_event(governance_admin, initiative):
    result = initiative_set_autonomy_level(
        initiative=initiative,
        actor=governance_admin,
        to_level="agent",
        reason="Promotion #7 approved",
        promotion_id=7,
    )
    assert result.autonomy_level == "agent"
    assert result.version == 2
    (event,) = AuditEvent.objects.filter(initiative_id=initiative.pk)
    assert event.action == "initiative.autonomy_changed"
    assert event.changes == {
        "autonomy_level": ["assistant", "agent"],
        "autonomy_promotion": [None, 7],
    }
    assert event.reason == "Promotion #7 approved"


@pytest.mark.parametrize(
    ("to_level", "reason", "field", "phrase"),
    [
        ("robot", "Because", "to_level", "not an autonomy level"),
        ("assistant", "Because", "to_level", "already at the assistant level"),
        ("agent", "  ", "reason", "Give the reason"),
    ],
)
def test_setting_the_level_refuses_bad_input(
    governance_admin, initiative, to_level, reason, field, phrase
):
    with pytest.raises(ValidationError) as error:
        initiative_set_autonomy_level(
            initiative=initiative, actor=governance_admin, to_level=to_level, reason=reason
        )
    assert phrase in error.value.message_dict[field][0]
    assert Initiative.objects.get(pk=initiative.pk).autonomy_level == "assistant"
    assert not AuditEvent.objects.exists()


def test_setting_the_level_from_a_stale_view_is_a_conflict(governance_admin, initiative):
    Initiative.objects.filter(pk=initiative.pk).update(autonomy_level="agent")
    with pytest.raises(ConflictError, match="changed while you were looking"):
        initiative_set_autonomy_level(
            initiative=initiative,  # still says assistant
            actor=governance_admin,
            to_level="automated_workflow",
            reason="Approved",
        )
    assert Initiative.objects.get(pk=initiative.pk).autonomy_level == "agent"
    assert not AuditEvent.objects.exists()


def test_autonomy_rank_orders_the_levels():
    assert [autonomy_rank(level) for level in AUTONOMY_ORDER] == [0, 1, 2]
    assert autonomy_rank("robot") == -1
