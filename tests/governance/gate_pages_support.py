"""Builders shared by the gate pages, gate API, query-count and browser tests (helper G5).

Everything goes through the services the product uses: the shipped templates and gate
policies, a strong problem statement, submitted checklists, a filed request.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from core.roles import Role
from governance.gates.services.policies import gate_policies_load_defaults
from governance.gates.services.requests import gate_request_create
from governance.models import CouncilMembership, GateRequest, Seat
from portfolio.models import Initiative, Stage
from portfolio.services import problem_statement_save
from readiness.services import (
    assessment_create_draft,
    assessment_save,
    assessment_submit,
    templates_load_shipped,
)
from tests.factories import InitiativeFactory, UserFactory
from tests.portfolio.test_services import STRONG
from tests.readiness.conftest import scores, submitted_scorecard

ROLLOUT_CHECKLIST = "rollout_governance"


def load_shipped_data() -> dict[str, Any]:
    """The shipped readiness templates and gate policies; returns template versions by key."""
    versions = {version.template.key: version for version, _ in templates_load_shipped()}
    gate_policies_load_defaults()
    return versions


def submitted_checklist(initiative: Initiative, actor: Any, key: str = ROLLOUT_CHECKLIST) -> Any:
    """A ready/not-ready checklist with every item Ready, submitted by `actor`."""
    draft = assessment_create_draft(template_key=key, actor=actor, initiative=initiative)
    items = draft.template_version.parsed.item_ids
    draft = assessment_save(
        assessment=draft,
        actor=actor,
        expected_revision=draft.revision,
        answers=dict.fromkeys(items, "ready"),
    )
    return assessment_submit(assessment=draft, actor=actor)


def make_gate_ready(initiative: Initiative, owner: Any, versions: dict[str, Any]) -> None:
    """Everything pilot → controlled rollout asks for: a strong statement, a scorecard of 81
    with no critical gap, the rollout governance checklist all Ready."""
    problem_statement_save(initiative=initiative, actor=owner, data=STRONG, expected_version=0)
    scorecard = versions["readiness_scorecard"]
    answers = scores(scorecard, 4, **dict.fromkeys(scorecard.parsed.item_ids[:9], 5))
    submitted_scorecard(initiative, owner, answers)
    submitted_checklist(initiative, owner)


def pilot_initiative(business_owner: Any, delivery_owner: Any, **fields: Any) -> Initiative:
    """An initiative that entered pilot 30 days ago, with both owners named."""
    defaults = {
        "title": "Renewal briefing for enterprise CSMs",
        "stage": Stage.PILOT,
        "stage_changed_at": timezone.now() - datetime.timedelta(days=30),
        "business_owner": business_owner,
        "delivery_owner": delivery_owner,
        "created_by": business_owner,
    }
    return InitiativeFactory(**{**defaults, **fields})


def council() -> dict[str, Any]:
    """A council of three, by username: sec (security seat, chair), legal, data."""
    members = {}
    for username, seat, first, last in (
        ("sec", Seat.SECURITY, "Sam", "Security"),
        ("legal", Seat.LEGAL, "Lena", "Legal"),
        ("data", Seat.DATA, "Dara", "Data"),
    ):
        user = UserFactory(
            username=username, first_name=first, last_name=last, roles=[Role.COUNCIL_MEMBER]
        )
        CouncilMembership.objects.create(user=user, seat=seat, is_chair=seat == Seat.SECURITY)
        members[username] = user
    return members


def file_request(initiative: Initiative, actor: Any, justification: str = "") -> GateRequest:
    return gate_request_create(initiative=initiative, actor=actor, justification=justification)
