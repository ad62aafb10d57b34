"""Builders shared by the gate pages, gate API, query-count and browser tests (helper G5).

Everything goes through the services the product uses: the shipped templates and gate
policies, a strong problem statement, submitted checklists, a filed request.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from governance.gates.services.policies import gate_policies_load_defaults
from governance.gates.services.requests import gate_request_create
from governance.models import GateRequest, Seat
from portfolio.models import Initiative, Stage
from readiness.services import latest_template_version, templates_load_shipped
from tests.factories import (
    InitiativeFactory,
    problem_statement,
    scores,
    seated_council_member,
    submitted_assessment,
    submitted_scorecard,
)

ROLLOUT_CHECKLIST = "rollout_governance"


def load_shipped_data() -> dict[str, Any]:
    """The shipped readiness templates and gate policies; returns template versions by key."""
    versions = {version.template.key: version for version, _ in templates_load_shipped()}
    gate_policies_load_defaults()
    return versions


def submitted_checklist(initiative: Initiative, actor: Any, key: str = ROLLOUT_CHECKLIST) -> Any:
    """A ready/not-ready checklist with every item Ready, submitted by `actor`."""
    items = latest_template_version(key).parsed.item_ids
    return submitted_assessment(
        actor=actor, answers=dict.fromkeys(items, "ready"), template_key=key, initiative=initiative
    )


def make_gate_ready(initiative: Initiative, owner: Any, versions: dict[str, Any]) -> None:
    """Everything pilot → controlled rollout asks for: a strong statement, a scorecard of 81
    with no critical gap, the rollout governance checklist all Ready."""
    problem_statement(initiative, owner)
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
    return {
        "sec": seated_council_member(
            seat=Seat.SECURITY, chair=True, username="sec", first_name="Sam", last_name="Security"
        ),
        "legal": seated_council_member(
            seat=Seat.LEGAL, username="legal", first_name="Lena", last_name="Legal"
        ),
        "data": seated_council_member(
            seat=Seat.DATA, username="data", first_name="Dara", last_name="Data"
        ),
    }


def file_request(initiative: Initiative, actor: Any, justification: str = "") -> GateRequest:
    return gate_request_create(initiative=initiative, actor=actor, justification=justification)
