"""Builders shared by the register tests: one of each record, written through the services."""

from __future__ import annotations

import datetime

from django.utils import timezone

from governance.models import ActionItem, Incident, LeadershipDecision, Risk
from governance.register.services import (
    action_item_create,
    incident_create,
    leadership_decision_create,
    risk_create,
)

# The initiative's business owner, the council and admins keep an initiative's register.
MANAGERS = frozenset({"owner", "council_member", "governance_admin"})
# Decisions about the whole portfolio have no initiative owner.
PORTFOLIO_MANAGERS = frozenset({"council_member", "governance_admin"})
# Leadership takes the decisions: executives record outcomes too.
OUTCOME_RECORDERS = frozenset({"executive", "council_member", "governance_admin"})
# The person an action item was given to may complete it; here that is `other_product_owner`.
COMPLETERS = MANAGERS | {"other_product_owner"}


def make_risk(initiative, actor, **overrides) -> Risk:
    values = {
        "category": "security",
        "description": "Pilot agents can see refund notes they are not cleared for.",
        "likelihood": 4,
        "impact": 4,
        "owner": actor,
        "mitigation": "",
    }
    values.update(overrides)
    return risk_create(initiative=initiative, actor=actor, **values)


def make_incident(initiative, actor, **overrides) -> Incident:
    values = {
        "summary": "Billing emails misrouted to the general queue",
        "owner": actor,
        "occurred_at": timezone.now() - datetime.timedelta(days=2),
        "response": "Switched billing back to manual routing.",
    }
    values.update(overrides)
    return incident_create(initiative=initiative, actor=actor, **values)


def make_decision(actor, initiative=None, **overrides) -> LeadershipDecision:
    values = {
        "question": "Approve additional delivery capacity for the two rollout candidates",
        "options": "Approve two engineers\nDecline",
        "implications": "Without capacity one candidate waits a quarter.",
        "owner": actor,
        "due_date": timezone.localdate() + datetime.timedelta(days=10),
    }
    values.update(overrides)
    return leadership_decision_create(actor=actor, initiative=initiative, **values)


def make_action(initiative, actor, **overrides) -> ActionItem:
    values = {
        "title": "Name a safety owner for rollback decisions",
        "owner": actor,
        "due_date": timezone.localdate() + datetime.timedelta(days=7),
    }
    values.update(overrides)
    return action_item_create(initiative=initiative, actor=actor, **values)
