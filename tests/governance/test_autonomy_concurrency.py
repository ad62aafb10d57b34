"""Simultaneous decisions and requests on autonomy promotions, on PostgreSQL: the promotion row
(then the initiative row) is locked, so they happen one at a time and exactly one wins, also
when the chair and an acting chair decide at once, or the acting chair is replaced as they
decide.

SQLite locks the whole file for every writer, so it cannot show a race: skipped there (CI runs
this file on PostgreSQL).
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from core.audit import verify_audit_chain
from core.errors import ConflictError
from core.models import AuditEvent
from governance.gates.services import (
    autonomy_promotion_decide,
    autonomy_promotion_name_acting_chair,
    autonomy_promotion_request,
)
from governance.models import AutonomyPromotion, AutonomyPromotionStatus, DecidedAs
from portfolio.models import Initiative, Stage
from tests.concurrency import run_at_once
from tests.factories import InitiativeFactory
from tests.governance.autonomy_support import GOOD_EVIDENCE

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: row locks and truly concurrent transactions (SQLite locks the "
        "whole file, so no race can happen); CI runs this file on PostgreSQL",
    ),
    pytest.mark.django_db(transaction=True),
]

THREADS = 6


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


def events(action: str) -> int:
    return AuditEvent.objects.filter(action=action).count()


@pytest.mark.parametrize("approvals", [THREADS, THREADS // 2])
def test_simultaneous_decisions_on_one_promotion_apply_exactly_one(
    approvals, initiative, product_owner, chair
):
    promotion = autonomy_promotion_request(
        initiative=initiative, actor=product_owner, evidence=GOOD_EVIDENCE
    )
    choices = [True] * approvals + [False] * (THREADS - approvals)

    results, errors = run_at_once(
        [
            lambda approve=approve, n=n: autonomy_promotion_decide(
                promotion=promotion, actor=chair, approve=approve, reason=f"Thread {n}"
            )
            for n, approve in enumerate(choices)
        ]
    )

    assert len(results) == 1, errors
    assert len(errors) == THREADS - 1
    assert all(isinstance(error, ConflictError) for error in errors), errors
    assert all("already" in error.message for error in errors)
    (winner,) = results
    stored = AutonomyPromotion.objects.get(pk=promotion.pk)
    assert stored.status == winner.status
    assert stored.decision_reason == winner.decision_reason
    approved = winner.status == AutonomyPromotionStatus.APPROVED
    level = Initiative.objects.values_list("autonomy_level", flat=True).get(pk=initiative.pk)
    assert level == ("agent" if approved else "assistant")
    assert events("autonomy_promotion.decided") == 1
    assert events("initiative.autonomy_changed") == (1 if approved else 0)
    assert verify_audit_chain(AuditEvent.objects.order_by("sequence")) is None


def test_simultaneous_requests_for_one_initiative_file_one(
    initiative, product_owner, delivery_owner
):
    owners = [product_owner, delivery_owner] * (THREADS // 2)

    results, errors = run_at_once(
        [
            lambda owner=owner: autonomy_promotion_request(
                initiative=initiative, actor=owner, evidence=GOOD_EVIDENCE
            )
            for owner in owners
        ]
    )

    assert len(results) == 1
    assert len(errors) == len(owners) - 1
    assert all(isinstance(error, ValidationError) for error in errors), errors
    assert all("already pending" in error.message_dict["initiative"][0] for error in errors)
    assert AutonomyPromotion.objects.filter(initiative=initiative).count() == 1
    assert events("autonomy_promotion.requested") == 1


@pytest.mark.parametrize("approvals", [THREADS, THREADS // 2])
def test_the_chair_and_the_acting_chair_deciding_at_once_apply_exactly_one(
    approvals, initiative, product_owner, chair, legal, governance_admin
):
    """The chair is not recused but an admin named Lena acting chair: both may decide, and
    both try at once, several times over."""
    promotion = autonomy_promotion_request(
        initiative=initiative, actor=product_owner, evidence=GOOD_EVIDENCE
    )
    autonomy_promotion_name_acting_chair(promotion=promotion, actor=governance_admin, member=legal)
    choices = [True] * approvals + [False] * (THREADS - approvals)
    deciders = [chair, legal] * (THREADS // 2)

    results, errors = run_at_once(
        [
            lambda approve=approve, actor=actor, n=n: autonomy_promotion_decide(
                promotion=promotion, actor=actor, approve=approve, reason=f"Thread {n}"
            )
            for n, (approve, actor) in enumerate(zip(choices, deciders, strict=True))
        ]
    )

    assert len(results) == 1, errors
    assert all(isinstance(error, ConflictError) for error in errors), errors
    (winner,) = results
    stored = AutonomyPromotion.objects.get(pk=promotion.pk)
    assert (stored.status, stored.decided_by_id) == (winner.status, winner.decided_by_id)
    expected_capacity = (
        DecidedAs.CHAIR if winner.decided_by_id == chair.pk else DecidedAs.ACTING_CHAIR
    )
    assert stored.decided_as == expected_capacity
    approved = winner.status == AutonomyPromotionStatus.APPROVED
    level = Initiative.objects.values_list("autonomy_level", flat=True).get(pk=initiative.pk)
    assert level == ("agent" if approved else "assistant")
    assert events("autonomy_promotion.decided") == 1
    assert events("initiative.autonomy_changed") == (1 if approved else 0)
    assert verify_audit_chain(AuditEvent.objects.order_by("sequence")) is None


def test_a_recused_chair_replacing_the_acting_chair_while_they_decide_lets_one_happen(
    initiative, product_owner, chair, legal, data_member
):
    """The chair (recused) names Dana in Lena's place at the moment Lena decides: either the
    decision stands and the naming finds it decided, or Dana is named and Lena is refused."""
    Initiative.objects.filter(pk=initiative.pk).update(safety_owner=chair)
    promotion = autonomy_promotion_request(
        initiative=Initiative.objects.get(pk=initiative.pk),
        actor=product_owner,
        evidence=GOOD_EVIDENCE,
    )
    autonomy_promotion_name_acting_chair(promotion=promotion, actor=chair, member=legal)

    results, errors = run_at_once(
        [
            lambda: autonomy_promotion_decide(
                promotion=promotion, actor=legal, approve=True, reason="Proven"
            ),
            lambda: autonomy_promotion_name_acting_chair(
                promotion=promotion, actor=chair, member=data_member
            ),
        ]
    )

    assert len(results) == 1, errors
    (error,) = errors
    stored = AutonomyPromotion.objects.get(pk=promotion.pk)
    level = Initiative.objects.values_list("autonomy_level", flat=True).get(pk=initiative.pk)
    if stored.status == AutonomyPromotionStatus.APPROVED:
        assert isinstance(error, ConflictError), error
        assert (stored.acting_chair_id, stored.decided_as) == (legal.pk, "acting_chair")
        assert level == "agent"
        assert events("autonomy_promotion.acting_chair_named") == 1
    else:
        assert isinstance(error, PermissionDenied), error
        assert (stored.status, stored.acting_chair_id) == ("pending", data_member.pk)
        assert level == "assistant"
        assert events("autonomy_promotion.acting_chair_named") == 2
    assert events("autonomy_promotion.decided") == (1 if level == "agent" else 0)
    assert verify_audit_chain(AuditEvent.objects.order_by("sequence")) is None
