"""Autonomy promotions through the services and the API: the owners ask with evidence for the
five conditions, the chair approves (the level rises, once) or rejects (nothing changes);
raising the level any other way is refused. The EU AI Act tier: lowered is a material change
(re-review after approval), raised takes effect at once.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from rest_framework.test import APIClient

from core.errors import ConflictError
from core.models import AuditEvent
from governance.gates.permissions import (
    PROMOTION_CHAIR_RECUSED_MESSAGE,
    PROMOTION_DECIDE_DENIED_MESSAGE,
    PROMOTION_REQUEST_DENIED_MESSAGE,
    PROMOTION_WITHDRAW_DENIED_MESSAGE,
)
from governance.gates.services import (
    autonomy_promotion_decide,
    autonomy_promotion_request,
    autonomy_promotion_withdraw,
    gate_request_create,
    gate_request_decide,
    vote_cast,
)
from governance.models import AutonomyPromotion, AutonomyPromotionStatus, ReReview
from portfolio.models import Initiative, Stage, Status
from portfolio.services import AUTONOMY_RAISE_MESSAGE, initiative_update
from tests.factories import InitiativeFactory
from tests.governance.autonomy_support import GOOD_EVIDENCE, events, level_of

pytestmark = pytest.mark.django_db

DENIED_REQUESTERS = ["executive", "other_product_owner", "council_member", "auditor", "no_role"]


@pytest.fixture
def initiative(product_owner, delivery_owner, business_unit):
    """An active initiative in pilot at the assistant level, owned by the two owners."""
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


# ---------------------------------------------------------------------------------------------
# Requesting
# ---------------------------------------------------------------------------------------------


def test_an_owner_requests_the_next_level_with_the_evidence_frozen(initiative, product_owner):
    messy = {key: f"  {text}\n" for key, text in GOOD_EVIDENCE.items()}
    promotion = autonomy_promotion_request(
        initiative=initiative, actor=product_owner, evidence=messy
    )
    assert (promotion.from_level, promotion.to_level) == ("assistant", "agent")
    assert promotion.status == AutonomyPromotionStatus.PENDING
    assert promotion.evidence == GOOD_EVIDENCE
    assert level_of(initiative) == "assistant"  # nothing changes until the chair approves
    (event,) = events("autonomy_promotion.requested")
    assert event.actor == product_owner
    assert event.initiative_id == initiative.pk
    assert event.changes["to_level"] == [None, "agent"]
    assert event.changes["evidence"] == [None, GOOD_EVIDENCE]


@pytest.mark.parametrize("role", ["owner", "governance_admin"])
def test_the_owners_and_admins_may_request(role, users_by_role, initiative):
    promotion = autonomy_promotion_request(
        initiative=initiative, actor=users_by_role[role], evidence=GOOD_EVIDENCE
    )
    assert promotion.requested_by == users_by_role[role]


def test_the_delivery_owner_may_request(initiative, delivery_owner):
    assert autonomy_promotion_request(
        initiative=initiative, actor=delivery_owner, evidence=GOOD_EVIDENCE
    )


@pytest.mark.parametrize("role", DENIED_REQUESTERS)
def test_nobody_else_may_request(role, users_by_role, initiative):
    with pytest.raises(PermissionDenied, match=PROMOTION_REQUEST_DENIED_MESSAGE):
        autonomy_promotion_request(
            initiative=initiative, actor=users_by_role[role], evidence=GOOD_EVIDENCE
        )
    assert not AutonomyPromotion.objects.exists()


@pytest.mark.parametrize("status", [Status.PAUSED, Status.STOPPED])
def test_only_an_active_initiative_can_ask(status, initiative, product_owner):
    Initiative.objects.filter(pk=initiative.pk).update(status=status)
    with pytest.raises(ValidationError) as error:
        autonomy_promotion_request(
            initiative=initiative, actor=product_owner, evidence=GOOD_EVIDENCE
        )
    assert "only an active initiative" in error.value.message_dict["initiative"][0]


def test_there_is_nothing_above_the_top_level(initiative, product_owner):
    Initiative.objects.filter(pk=initiative.pk).update(autonomy_level="automated_workflow")
    with pytest.raises(ValidationError) as error:
        autonomy_promotion_request(
            initiative=initiative, actor=product_owner, evidence=GOOD_EVIDENCE
        )
    assert "already at the highest autonomy level" in error.value.message_dict["initiative"][0]


def test_one_level_at_a_time(initiative, product_owner):
    with pytest.raises(ValidationError) as error:
        autonomy_promotion_request(
            initiative=initiative,
            actor=product_owner,
            evidence=GOOD_EVIDENCE,
            to_level="automated_workflow",
        )
    assert error.value.message_dict["to_level"] == [
        "One level at a time: from Assistant the next level is Agent."
    ]
    assert not AutonomyPromotion.objects.exists()


def test_one_pending_promotion_per_initiative(promotion, initiative, delivery_owner):
    with pytest.raises(ValidationError) as error:
        autonomy_promotion_request(
            initiative=initiative, actor=delivery_owner, evidence=GOOD_EVIDENCE
        )
    assert f"already pending (#{promotion.pk}" in error.value.message_dict["initiative"][0]
    autonomy_promotion_withdraw(promotion=promotion, actor=delivery_owner, reason="Redo it")
    again = autonomy_promotion_request(
        initiative=initiative, actor=delivery_owner, evidence=GOOD_EVIDENCE
    )
    assert again.pk != promotion.pk


def test_thin_evidence_is_refused_naming_each_condition(initiative, product_owner):
    evidence = {**GOOD_EVIDENCE, "precision": "good", "stability": "Stable for weeks on end."}
    del evidence["business_proof"]
    with pytest.raises(ValidationError) as error:
        autonomy_promotion_request(initiative=initiative, actor=product_owner, evidence=evidence)
    assert set(error.value.message_dict) == {
        "evidence.precision",
        "evidence.stability",
        "evidence.business_proof",
    }
    assert "too short" in error.value.message_dict["evidence.precision"][0]
    assert "“sprint”" in error.value.message_dict["evidence.stability"][0]
    assert not AutonomyPromotion.objects.exists()
    assert not AuditEvent.objects.exists()


# ---------------------------------------------------------------------------------------------
# Deciding
# ---------------------------------------------------------------------------------------------


def test_an_approved_promotion_raises_the_level_with_its_audit_events(promotion, initiative, chair):
    decided = autonomy_promotion_decide(
        promotion=promotion, actor=chair, approve=True, reason="Evidence holds up"
    )
    assert decided.status == AutonomyPromotionStatus.APPROVED
    assert decided.decided_by == chair
    assert decided.decision_reason == "Evidence holds up"
    fresh = Initiative.objects.get(pk=initiative.pk)
    assert fresh.autonomy_level == "agent"
    assert fresh.version == initiative.version + 1
    (decision,) = events("autonomy_promotion.decided")
    assert decision.actor == chair
    assert decision.changes == {"status": ["pending", "approved"], "decided_as": [None, "chair"]}
    assert decided.decided_as == "chair"
    (level,) = events("initiative.autonomy_changed")
    assert level.changes == {
        "autonomy_level": ["assistant", "agent"],
        "autonomy_promotion": [None, promotion.pk],
    }
    assert level.reason == f"Autonomy promotion #{promotion.pk} approved. Evidence holds up"


def test_a_rejected_promotion_changes_nothing_but_itself(promotion, initiative, chair):
    decided = autonomy_promotion_decide(
        promotion=promotion, actor=chair, approve=False, reason="No eval set yet"
    )
    assert decided.status == AutonomyPromotionStatus.REJECTED
    fresh = Initiative.objects.get(pk=initiative.pk)
    assert (fresh.autonomy_level, fresh.version) == ("assistant", initiative.version)
    assert len(events("autonomy_promotion.decided")) == 1
    assert events("initiative.autonomy_changed") == []


@pytest.mark.parametrize("approve", [True, False])
def test_a_decided_promotion_cannot_be_decided_or_withdrawn_again(
    approve, promotion, initiative, chair, product_owner
):
    autonomy_promotion_decide(promotion=promotion, actor=chair, approve=approve, reason="Done")
    with pytest.raises(ConflictError, match="already .* by Chris Dubois"):
        autonomy_promotion_decide(promotion=promotion, actor=chair, approve=True, reason="Again")
    with pytest.raises(ConflictError, match="already"):
        autonomy_promotion_withdraw(promotion=promotion, actor=product_owner, reason="Oops")
    assert level_of(initiative) == ("agent" if approve else "assistant")
    assert len(events("autonomy_promotion.decided")) == 1


@pytest.mark.parametrize(
    "role", ["owner", "executive", "council_member", "governance_admin", "auditor", "no_role"]
)
def test_only_the_chair_decides(role, users_by_role, promotion, initiative):
    with pytest.raises(PermissionDenied, match=PROMOTION_DECIDE_DENIED_MESSAGE):
        autonomy_promotion_decide(
            promotion=promotion, actor=users_by_role[role], approve=True, reason="Yes"
        )
    assert level_of(initiative) == "assistant"


def test_a_council_member_who_is_not_the_chair_cannot_decide(promotion, legal):
    with pytest.raises(PermissionDenied, match=PROMOTION_DECIDE_DENIED_MESSAGE):
        autonomy_promotion_decide(promotion=promotion, actor=legal, approve=True, reason="Yes")


@pytest.mark.parametrize("stake", ["executive_sponsor", "value_owner", "safety_owner"])
def test_a_recused_chair_cannot_decide(stake, promotion, initiative, chair):
    Initiative.objects.filter(pk=initiative.pk).update(**{stake: chair})
    with pytest.raises(PermissionDenied) as error:
        autonomy_promotion_decide(promotion=promotion, actor=chair, approve=True, reason="Yes")
    assert str(error.value) == PROMOTION_CHAIR_RECUSED_MESSAGE
    assert level_of(initiative) == "assistant"
    assert AutonomyPromotion.objects.get(pk=promotion.pk).status == "pending"


def test_a_decision_needs_a_reason(promotion, chair):
    with pytest.raises(ValidationError) as error:
        autonomy_promotion_decide(promotion=promotion, actor=chair, approve=True, reason=" ")
    assert "reason" in error.value.message_dict


def test_approval_is_refused_when_the_level_moved_since_the_request(
    initiative, product_owner, chair
):
    Initiative.objects.filter(pk=initiative.pk).update(autonomy_level="agent")
    initiative.refresh_from_db()
    promotion = autonomy_promotion_request(
        initiative=initiative, actor=product_owner, evidence=GOOD_EVIDENCE
    )
    # The owner lowers it back meanwhile: approving would jump two levels.
    initiative_update(
        initiative=initiative,
        actor=product_owner,
        data={"autonomy_level": "assistant"},
        expected_version=None,
    )
    with pytest.raises(ConflictError, match="now at Assistant, not Agent"):
        autonomy_promotion_decide(promotion=promotion, actor=chair, approve=True, reason="Yes")
    assert level_of(initiative) == "assistant"
    # Rejecting it is still possible.
    autonomy_promotion_decide(promotion=promotion, actor=chair, approve=False, reason="Stale")


def test_a_paused_initiative_is_not_promoted(promotion, initiative, chair):
    Initiative.objects.filter(pk=initiative.pk).update(status=Status.PAUSED)
    with pytest.raises(ValidationError) as error:
        autonomy_promotion_decide(promotion=promotion, actor=chair, approve=True, reason="Yes")
    assert "only an active initiative can be promoted" in error.value.message_dict["approve"][0]
    assert AutonomyPromotion.objects.get(pk=promotion.pk).status == "pending"


# ---------------------------------------------------------------------------------------------
# Withdrawing
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["requester", "delivery_owner", "governance_admin"])
def test_the_requester_owners_and_admins_withdraw(
    who, promotion, product_owner, delivery_owner, governance_admin
):
    actor = {
        "requester": product_owner,
        "delivery_owner": delivery_owner,
        "governance_admin": governance_admin,
    }[who]
    withdrawn = autonomy_promotion_withdraw(promotion=promotion, actor=actor, reason="Not yet")
    assert withdrawn.status == AutonomyPromotionStatus.WITHDRAWN
    (event,) = events("autonomy_promotion.withdrawn")
    assert event.reason == "Not yet"


@pytest.mark.parametrize("role", DENIED_REQUESTERS)
def test_nobody_else_withdraws(role, users_by_role, promotion):
    with pytest.raises(PermissionDenied, match=PROMOTION_WITHDRAW_DENIED_MESSAGE):
        autonomy_promotion_withdraw(promotion=promotion, actor=users_by_role[role], reason="x")


def test_a_withdrawn_promotion_cannot_be_decided(promotion, product_owner, chair):
    autonomy_promotion_withdraw(promotion=promotion, actor=product_owner, reason="Later")
    with pytest.raises(ConflictError, match="withdrawn"):
        autonomy_promotion_decide(promotion=promotion, actor=chair, approve=True, reason="Yes")


# ---------------------------------------------------------------------------------------------
# After a go decision: what is and is not a material change
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def approved(pilot, product_owner, chair, legal):
    """The ready pilot, taken to controlled rollout by a real go decision."""
    request = gate_request_create(initiative=pilot, actor=product_owner)
    vote_cast(request=request, actor=chair, choice="approve")
    vote_cast(request=request, actor=legal, choice="approve")
    gate_request_decide(request=request, actor=chair, decision="go", reason="Ready")
    pilot.refresh_from_db()
    return pilot


def _edit(initiative, actor, **data):
    initiative.refresh_from_db()
    return initiative_update(
        initiative=initiative, actor=actor, data=data, expected_version=initiative.version
    )


def test_after_approval_raising_the_tier_is_immediate_and_lowering_it_needs_a_re_review(
    approved, product_owner
):
    _edit(approved, product_owner, eu_ai_act_tier="high")
    assert Initiative.objects.get(pk=approved.pk).eu_ai_act_tier == "high"
    assert not ReReview.objects.exists()

    _edit(approved, product_owner, eu_ai_act_tier="limited")
    assert Initiative.objects.get(pk=approved.pk).eu_ai_act_tier == "limited"
    (review,) = ReReview.objects.filter(initiative=approved, resolved_at__isnull=True)
    assert review.changes == [
        {
            "field": "eu_ai_act_tier",
            "label": "EU AI Act tier lowered",
            "before": "high",
            "after": "limited",
        }
    ]


def test_after_approval_a_direct_raise_is_refused_and_a_promotion_raises_no_re_review(
    approved, product_owner, chair
):
    with pytest.raises(ValidationError, match="file an autonomy promotion request"):
        _edit(approved, product_owner, autonomy_level="agent")
    promotion = autonomy_promotion_request(
        initiative=approved, actor=product_owner, evidence=GOOD_EVIDENCE
    )
    autonomy_promotion_decide(promotion=promotion, actor=chair, approve=True, reason="Proven")
    assert level_of(approved) == "agent"
    # The council's approval is the review: no re-review, and the gate still stands.
    assert not ReReview.objects.exists()
    assert events("rereview.raised") == []


def test_lowering_the_autonomy_level_after_approval_is_not_material(approved, product_owner):
    Initiative.objects.filter(pk=approved.pk).update(autonomy_level="agent")
    _edit(approved, product_owner, autonomy_level="assistant")
    assert level_of(approved) == "assistant"
    assert not ReReview.objects.exists()


# ---------------------------------------------------------------------------------------------
# API
# ---------------------------------------------------------------------------------------------

LIST = "/api/v1/autonomy-promotions/"


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_api_files_a_promotion(initiative, product_owner):
    response = api_for(product_owner).post(
        LIST, {"initiative": initiative.pk, "evidence": GOOD_EVIDENCE}, format="json"
    )
    assert response.status_code == 201, response.data
    body = response.data
    assert (body["from_level"], body["to_level"], body["status"]) == (
        "assistant",
        "agent",
        "pending",
    )
    assert body["evidence"] == GOOD_EVIDENCE
    assert body["requested_by"]["username"] == "owner"
    assert body["initiative_title"] == "Runbook finder"


@pytest.mark.parametrize(
    ("payload", "field", "phrase"),
    [
        ({"evidence": {**GOOD_EVIDENCE, "safety": "ok"}}, "evidence.safety", "too short"),
        ({"evidence": {**GOOD_EVIDENCE, "mood": "x" * 30}}, "evidence.mood", "not one of"),
        ({"evidence": "all fine"}, "evidence", "Expected a dictionary"),
        (
            {"evidence": GOOD_EVIDENCE, "to_level": "automated_workflow"},
            "to_level",
            "One level at a time",
        ),
        ({"evidence": GOOD_EVIDENCE, "to_level": "robot"}, "to_level", "not a valid choice"),
        ({"evidence": GOOD_EVIDENCE, "status": "approved"}, "status", "Unknown or read-only"),
    ],
)
def test_the_api_refuses_bad_requests_naming_the_field(
    initiative, product_owner, payload, field, phrase
):
    response = api_for(product_owner).post(
        LIST, {"initiative": initiative.pk, **payload}, format="json"
    )
    assert response.status_code == 400
    assert phrase in str(response.data[field])
    assert not AutonomyPromotion.objects.exists()


@pytest.mark.parametrize("role", DENIED_REQUESTERS)
def test_the_api_refuses_other_requesters(role, users_by_role, initiative):
    response = api_for(users_by_role[role]).post(
        LIST, {"initiative": initiative.pk, "evidence": GOOD_EVIDENCE}, format="json"
    )
    assert response.status_code == 403
    assert not AutonomyPromotion.objects.exists()


@pytest.mark.parametrize(
    "role", ["executive", "owner", "council_member", "governance_admin", "auditor"]
)
def test_every_role_reads_promotions(role, users_by_role, promotion):
    client = api_for(users_by_role[role])
    listed = client.get(LIST, {"initiative": promotion.initiative_id, "status": "pending"})
    assert listed.status_code == 200
    assert [row["id"] for row in listed.data["results"]] == [promotion.pk]
    one = client.get(f"{LIST}{promotion.pk}/")
    assert one.status_code == 200
    assert one.data["evidence"]["stability"] == GOOD_EVIDENCE["stability"]


def test_no_role_reads_nothing(no_role_user, promotion):
    assert api_for(no_role_user).get(LIST).status_code == 403


def test_the_chair_decides_through_the_api_once(promotion, initiative, chair):
    client = api_for(chair)
    url = f"{LIST}{promotion.pk}/decide/"
    response = client.post(url, {"approve": True, "reason": "Proven"}, format="json")
    assert response.status_code == 200, response.data
    assert response.data["status"] == "approved"
    assert response.data["decided_by"]["username"] == "chris"
    assert client.get(f"/api/v1/initiatives/{initiative.pk}/").data["autonomy_level"] == "agent"
    again = client.post(url, {"approve": False, "reason": "Changed my mind"}, format="json")
    assert again.status_code == 409
    assert "already approved" in again.data["detail"]
    assert level_of(initiative) == "agent"


def test_a_rejection_through_the_api_leaves_the_level(promotion, initiative, chair):
    response = api_for(chair).post(
        f"{LIST}{promotion.pk}/decide/", {"approve": False, "reason": "Thin"}, format="json"
    )
    assert response.data["status"] == "rejected"
    assert level_of(initiative) == "assistant"


@pytest.mark.parametrize("role", ["owner", "council_member", "governance_admin", "auditor"])
def test_the_api_lets_only_the_chair_decide(role, users_by_role, promotion, initiative):
    response = api_for(users_by_role[role]).post(
        f"{LIST}{promotion.pk}/decide/", {"approve": True, "reason": "Yes"}, format="json"
    )
    assert response.status_code == 403
    assert response.data["detail"] == PROMOTION_DECIDE_DENIED_MESSAGE
    assert level_of(initiative) == "assistant"


def test_the_api_tells_a_recused_chair_why(promotion, initiative, chair):
    Initiative.objects.filter(pk=initiative.pk).update(executive_sponsor=chair)
    response = api_for(chair).post(
        f"{LIST}{promotion.pk}/decide/", {"approve": True, "reason": "Yes"}, format="json"
    )
    assert response.status_code == 403
    assert response.data["detail"] == PROMOTION_CHAIR_RECUSED_MESSAGE


def test_the_api_needs_approve_and_a_reason(promotion, chair):
    response = api_for(chair).post(f"{LIST}{promotion.pk}/decide/", {}, format="json")
    assert response.status_code == 400
    assert set(response.data) == {"approve", "reason"}


def test_the_api_withdraws_once(promotion, product_owner, executive):
    url = f"{LIST}{promotion.pk}/withdraw/"
    denied = api_for(executive).post(url, {"reason": "Not mine"}, format="json")
    assert denied.status_code == 403
    client = api_for(product_owner)
    response = client.post(url, {"reason": "Need a second sprint"}, format="json")
    assert response.status_code == 200
    assert response.data["status"] == "withdrawn"
    assert client.post(url, {"reason": "Again"}, format="json").status_code == 409


def test_patching_a_higher_level_is_refused_with_the_promotion_message(initiative, product_owner):
    response = api_for(product_owner).patch(
        f"/api/v1/initiatives/{initiative.pk}/", {"autonomy_level": "agent"}, format="json"
    )
    assert response.status_code == 400
    assert response.data == {"autonomy_level": [AUTONOMY_RAISE_MESSAGE]}
    assert level_of(initiative) == "assistant"


# The roles, the count, the page (with the initiative and the people, joined).
API_LIST_BUDGET = 3


@pytest.mark.parametrize("size", [3, 40])
def test_the_api_list_costs_the_same_whatever_its_size(
    size, product_owner, business_unit, auditor, django_assert_max_num_queries
):
    for n in range(size):
        autonomy_promotion_request(
            initiative=InitiativeFactory(
                title=f"Initiative {n}", business_unit=business_unit, business_owner=product_owner
            ),
            actor=product_owner,
            evidence=GOOD_EVIDENCE,
        )
    client = api_for(auditor)
    with django_assert_max_num_queries(API_LIST_BUDGET):
        response = client.get(LIST)
    assert response.data["count"] == size
