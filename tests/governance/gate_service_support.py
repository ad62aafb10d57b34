"""Builders and fixtures for the gate workflow tests: a seated council and a "ready" initiative.

The initiative is made ready through the real services (problem statement, submitted scorecard
and checklists), so the gate criteria read what the product would really hold.
"""

from __future__ import annotations

import pytest

from core.roles import Role
from governance.gates.services.policies import gate_policies_load_defaults
from governance.models import CouncilMembership, GatePolicy, GatePolicyVersion, Seat
from portfolio.models import Stage
from portfolio.services import problem_statement_save
from readiness.services import (
    assessment_create_draft,
    assessment_save,
    assessment_submit,
    templates_load_shipped,
)
from tests.factories import InitiativeFactory, UserFactory

STATEMENT = {
    "user_team": "Tier-2 support agents handling technical tickets",
    "friction": "agents search four knowledge bases for the right runbook on every ticket",
    "cause": "runbooks are duplicated across Zendesk macros and two legacy wikis with no owner",
    "cost": "a median resolution time of 14 hours and 18% of tickets reopened within a week",
    "desired_outcome": "suggest the right runbook section, with its source, when a ticket opens",
    "success_metric": "median resolution time and reopen rate on sampled tickets",
    "constraints": "customer data stays in Zendesk and an agent approves every reply",
    "kpi": "Median resolution time",
    "baseline": "14 hours",
    "target": "9 hours",
    "target_date": "2026-06-30",
    "non_ai_alternative": "Merge the wikis into one owned knowledge base with search",
}


def submit(initiative, actor, key: str, answers: dict):
    """Submit an assessment of template `key` with `answers` (low scores get a comment)."""
    draft = assessment_create_draft(template_key=key, actor=actor, initiative=initiative)
    comments = {
        item: "Gap owned by the delivery lead" for item, v in answers.items() if v in (1, 2)
    }
    draft = assessment_save(
        assessment=draft,
        actor=actor,
        expected_revision=draft.revision,
        answers=answers,
        comments=comments,
    )
    return assessment_submit(assessment=draft, actor=actor)


def item_ids(templates, key: str) -> list[str]:
    return list(templates[key].parsed.item_ids)


def scorecard_answers(templates, default: int = 4, **overrides: int) -> dict[str, int]:
    return {
        item: overrides.get(item, default) for item in item_ids(templates, "readiness_scorecard")
    }


@pytest.fixture
def templates(db):
    return {version.template.key: version for version, _ in templates_load_shipped()}


@pytest.fixture
def gate_policies(db) -> dict[str, GatePolicyVersion]:
    """The shipped policies, by from_stage -> current version."""
    gate_policies_load_defaults()
    return {
        policy.from_stage: policy.versions.order_by("-number").first()
        for policy in GatePolicy.objects.all()
    }


def seat(user, seat_id: str, *, chair: bool = False):
    CouncilMembership.objects.update_or_create(
        user=user, defaults={"seat": seat_id, "is_chair": chair, "active": True}
    )
    return user


@pytest.fixture
def chair(db):
    """Chris: the chair, in the security seat."""
    user = UserFactory(
        username="chris", first_name="Chris", last_name="Dubois", roles=[Role.COUNCIL_MEMBER]
    )
    return seat(user, Seat.SECURITY, chair=True)


@pytest.fixture
def legal(db):
    user = UserFactory(
        username="lena", first_name="Lena", last_name="Hoffmann", roles=[Role.COUNCIL_MEMBER]
    )
    return seat(user, Seat.LEGAL)


@pytest.fixture
def data_member(db):
    user = UserFactory(username="dana", roles=[Role.COUNCIL_MEMBER])
    return seat(user, Seat.DATA)


@pytest.fixture
def product_member(db):
    user = UserFactory(username="gina", roles=[Role.COUNCIL_MEMBER])
    return seat(user, Seat.PRODUCT)


@pytest.fixture
def delivery_owner(db):
    return UserFactory(username="delia", roles=[Role.PRODUCT_OWNER])


def ready_initiative(
    templates, owner, delivery, *, stage: str = Stage.PILOT, title: str = "Runbook finder", **kw
):
    """An initiative in `stage` that passes every default criterion up to controlled rollout."""
    initiative = InitiativeFactory(
        title=title,
        stage=stage,
        business_owner=owner,
        delivery_owner=delivery,
        created_by=owner,
        **kw,
    )
    problem_statement_save(initiative=initiative, actor=owner, data=STATEMENT, expected_version=0)
    submit(initiative, owner, "readiness_scorecard", scorecard_answers(templates, 4))
    submit(initiative, owner, "before_poc", dict.fromkeys(item_ids(templates, "before_poc"), "yes"))
    submit(
        initiative,
        owner,
        "rollout_governance",
        dict.fromkeys(item_ids(templates, "rollout_governance"), "ready"),
    )
    initiative.refresh_from_db()
    return initiative


@pytest.fixture
def pilot(templates, gate_policies, product_owner, delivery_owner):
    """A ready initiative in pilot owned by `product_owner` (business) and `delivery_owner`."""
    return ready_initiative(templates, product_owner, delivery_owner)
