"""A governance admin's direct "Set stage" is held to the hard criteria too (issue 10: they are
never overridable): forward it is refused while one fails, naming it, and nothing changes;
back it is a correction and allowed; when the hard rules hold, the admin may still set it."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.models import AuditEvent
from governance.gates.gate_status import initiative_gate_status
from portfolio.models import Initiative, Stage, StageTransition
from portfolio.services import initiative_set_stage
from tests.factories import InitiativeFactory
from tests.governance.gate_service_support import item_ids, ready_initiative, submit

pytestmark = pytest.mark.django_db


def _unchanged(initiative: Initiative, stage: str, events_before: int) -> None:
    initiative.refresh_from_db()
    assert initiative.stage == stage
    assert not StageTransition.objects.filter(initiative=initiative).exists()
    assert AuditEvent.objects.count() == events_before


@pytest.fixture
def explored(templates, gate_policies, product_owner, delivery_owner) -> Initiative:
    """Ready for the pilot gate in every respect but the before-POC checklist (none yet)."""
    initiative = ready_initiative(templates, product_owner, delivery_owner, stage=Stage.EXPLORATION)
    initiative.assessments.filter(template__key="before_poc").delete()
    return initiative


def test_a_forward_move_over_a_failing_hard_criterion_is_refused_naming_it(
    explored, governance_admin
):
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as error:
        initiative_set_stage(
            initiative=explored, actor=governance_admin, to_stage=Stage.PILOT, reason="Catch up"
        )
    problems = error.value.message_dict["to_stage"]
    assert problems[0].startswith("Before-POC checklist")
    assert "all Yes (Exploration → Pilot gate): No submitted" in problems[0]
    assert "can never be overridden" in problems[-1]
    _unchanged(explored, Stage.EXPLORATION, events)


def test_a_before_poc_no_blocks_the_pilot_and_every_later_stage_once(
    explored, templates, product_owner, governance_admin
):
    answers = dict.fromkeys(item_ids(templates, "before_poc"), "yes")
    answers[next(iter(answers))] = "no"
    submit(explored, product_owner, "before_poc", answers)
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as error:
        initiative_set_stage(
            initiative=explored, actor=governance_admin, to_stage=Stage.SCALE, reason="Catch up"
        )
    problems = error.value.message_dict["to_stage"]
    # Named once, at the first gate it stops, not again for each gate skipped.
    assert [p for p in problems if p.startswith("Before-POC checklist")] == [
        next(p for p in problems if "(Exploration → Pilot gate)" in p)
    ]
    assert "1 item not Yes" in problems[0]
    _unchanged(explored, Stage.EXPLORATION, events)


def test_a_prohibited_practice_is_never_set_forward_even_without_policies(
    product_owner, delivery_owner, governance_admin
):
    initiative = InitiativeFactory(
        business_owner=product_owner,
        delivery_owner=delivery_owner,
        eu_ai_act_tier="prohibited",
    )
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as error:
        initiative_set_stage(
            initiative=initiative, actor=governance_admin, to_stage=Stage.PILOT, reason="Go"
        )
    assert "prohibited AI practice" in error.value.message_dict["to_stage"][0]
    _unchanged(initiative, Stage.EXPLORATION, events)


def test_moving_back_is_a_correction_the_hard_criteria_do_not_stop(
    templates, gate_policies, product_owner, delivery_owner, governance_admin
):
    initiative = ready_initiative(templates, product_owner, delivery_owner, stage=Stage.PILOT)
    Initiative.objects.filter(pk=initiative.pk).update(eu_ai_act_tier="prohibited")
    initiative.refresh_from_db()

    moved = initiative_set_stage(
        initiative=initiative,
        actor=governance_admin,
        to_stage=Stage.EXPLORATION,
        reason="Back to exploration: the use case is a prohibited practice",
    )
    assert moved.stage == Stage.EXPLORATION


def test_when_the_hard_criteria_hold_the_admin_may_set_it_but_gate_status_says_so(
    templates, gate_policies, product_owner, delivery_owner, governance_admin
):
    initiative = ready_initiative(templates, product_owner, delivery_owner, stage=Stage.PILOT)
    moved = initiative_set_stage(
        initiative=initiative,
        actor=governance_admin,
        to_stage=Stage.CONTROLLED_ROLLOUT,
        reason="Recorded after the fact: the rollout started last week",
    )
    assert moved.stage == Stage.CONTROLLED_ROLLOUT
    status = initiative_gate_status(moved, Stage.CONTROLLED_ROLLOUT)
    assert not status.approved
    assert "set by governance admin, no gate decision" in status.reasons[0]


def test_the_set_stage_page_shows_the_criterion_and_keeps_the_stage(
    client, explored, governance_admin
):
    events = AuditEvent.objects.count()
    client.force_login(governance_admin)
    page = client.post(
        reverse("portfolio:initiative_stage", args=[explored.pk]),
        {"to_stage": Stage.PILOT, "reason": "Catch up with reality"},
    )
    assert page.status_code == 200
    text = page.content.decode()
    assert "Before-POC checklist all Yes (Exploration → Pilot gate): No submitted" in text
    assert "can never be overridden" in text
    _unchanged(explored, Stage.EXPLORATION, events)
