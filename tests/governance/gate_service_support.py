"""Builders for the gate workflow tests: a "ready" initiative (the fixtures, a seated council and
the shipped policies, are in tests/governance/conftest.py).

The initiative is made ready through the real services (problem statement, submitted scorecard
and checklists), so the gate criteria read what the product would really hold.
"""

from __future__ import annotations

from portfolio.models import Stage
from tests.factories import InitiativeFactory, problem_statement, submitted_assessment

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
    return submitted_assessment(
        actor=actor, answers=answers, template_key=key, initiative=initiative
    )


def item_ids(templates, key: str) -> list[str]:
    return list(templates[key].parsed.item_ids)


def scorecard_answers(templates, default: int = 4, **overrides: int) -> dict[str, int]:
    return {
        item: overrides.get(item, default) for item in item_ids(templates, "readiness_scorecard")
    }


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
    problem_statement(initiative, owner, STATEMENT)
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
