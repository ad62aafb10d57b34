"""Builders shared by the council tests (meetings, policies, membership); their fixtures are in
tests/governance/conftest.py.

Gate requests, votes, risks and action items are written straight to the database here: these
tests are about what the council pages show, not about how requests are filed or decided.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from governance.models import (
    ActionItem,
    GateRequest,
    Risk,
    Seat,
    Vote,
)
from portfolio.models import Stage
from tests.factories import GateRequestFactory, InitiativeFactory, seated_council_member


def council_chair():
    """Carla Chair: the council's chair, in the executive seat."""
    return seated_council_member(
        seat=Seat.EXECUTIVE, chair=True, username="chair", first_name="Carla", last_name="Chair"
    )


def pilot_policy_version(policies):
    """The current version of the exploration → pilot gate."""
    policy = next(p for p in policies if p.from_stage == Stage.EXPLORATION)
    return policy.versions.order_by("-number").first()


def gate_request(
    initiative,
    version,
    requester,
    *,
    decided_by=None,
    decision: str = "",
    meeting=None,
    review_due_at: datetime.datetime | None = None,
    decided_at: datetime.datetime | None = None,
) -> GateRequest:
    """A request on `version`: pending, or decided when `decision` is given."""
    now = timezone.now()
    return GateRequestFactory(
        initiative=initiative,
        policy_version=version,
        requested_by=requester,
        review_due_at=review_due_at or now + datetime.timedelta(days=7),
        all_criteria_passed=True,
        decision=decision,
        decision_reason="Evidence is sufficient." if decision else "",
        decided_by=decided_by if decision else None,
        decided_at=(decided_at or now) if decision else None,
        meeting=meeting,
    )


def vote(request, voter, choice: str, seat: str = "") -> Vote:
    return Vote.objects.create(request=request, voter=voter, seat=seat, choice=choice)


def risk(initiative, owner, *, likelihood: int, impact: int, escalated: bool, status="open"):
    return Risk.objects.create(
        initiative=initiative,
        category="privacy",
        description="Customer data leaves the approved region",
        likelihood=likelihood,
        impact=impact,
        severity=likelihood * impact,
        owner=owner,
        status=status,
        escalated=escalated,
    )


def action_item(initiative, owner, *, title: str, due: datetime.date, status="open"):
    return ActionItem.objects.create(
        initiative=initiative, title=title, owner=owner, due_date=due, status=status
    )


def portfolio_with_requests(size: int, version, requester, *, meeting=None, voter=None):
    """`size` initiatives, each with a decided request linked to `meeting` (voted on by
    `voter`), a pending request, an overdue action item and an escalated risk."""
    today = timezone.localdate()
    for n in range(size):
        initiative = InitiativeFactory(title=f"Initiative {n:04d}", business_owner=requester)
        decided = gate_request(
            initiative, version, requester, decision="go", decided_by=voter, meeting=meeting
        )
        if voter is not None:
            vote(decided, voter, "approve", Seat.EXECUTIVE)
        gate_request(initiative, version, requester)
        action_item(
            initiative, requester, title=f"Close gap {n}", due=today - datetime.timedelta(days=2)
        )
        risk(initiative, requester, likelihood=4, impact=5, escalated=True)
