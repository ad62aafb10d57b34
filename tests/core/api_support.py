"""The seeded portfolio and users the whole-API tests run against.

The demo data `make setup` loads (initiatives at every stage, KPIs, assessments, gate requests
with votes and decisions, the register, meetings), loaded in-process by the same management
commands, plus one report row instead of `seed_reports` (whose PDFs take long to render and add
no endpoint) and, where the demo has none, a council meeting, a pending autonomy promotion and
an open re-review (each has writes on its `{id}`), reached through the services.
"""

from __future__ import annotations

import datetime
from io import StringIO
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework.authtoken.models import Token

from core.roles import Role
from governance.council.services import meeting_create
from governance.gates.selectors import has_go_decision
from governance.gates.services.autonomy import autonomy_promotion_request
from governance.models import (
    AutonomyPromotion,
    AutonomyPromotionStatus,
    CouncilMeeting,
    ReReview,
)
from portfolio.models import Initiative, Status
from portfolio.services import initiative_update
from portfolio.vocabulary import AUTONOMY_ORDER
from reporting.models import Report, ReportKind, ReportStatus
from tests.factories import UserFactory
from tests.governance.autonomy_support import GOOD_EVIDENCE

# In `make setup`'s order.
SEED_COMMANDS = (
    "load_templates",
    "seed_demo",
    "seed_value",
    "load_gate_policies",
    "seed_governance",
    "seed_readiness",
    "seed_history",
    "seed_register",
    "seed_gates",
)
WRITE_METHODS = ("post", "put", "patch", "delete")
# Where the ids of a path's objects are listed when its own prefix has no list to read them from.
ID_SOURCES = {"/api/v1/initiative-status/": "/api/v1/initiatives/"}
# A tier one step down: the material change (a raised tier applies at once, a lowered one waits
# for the council).
LOWER_TIER = {"high": "limited", "limited": "minimal"}


def seed_portfolio() -> None:
    for command in SEED_COMMANDS:
        call_command(command, stdout=StringIO(), stderr=StringIO())
    if not CouncilMeeting.objects.exists():
        meeting_create(
            actor=get_user_model().objects.get(username="gina"),
            title="Monthly council",
            scheduled_for=timezone.now() + datetime.timedelta(days=3),
        )
    Report.objects.create(
        kind=ReportKind.MONTHLY,
        period_start=datetime.date(2026, 9, 1),
        period_end=datetime.date(2026, 9, 30),
        period_label="2026-09",
        revision=1,
        status=ReportStatus.DRAFT,
        snapshot={"sections": []},
    )
    if not AutonomyPromotion.objects.filter(status=AutonomyPromotionStatus.PENDING).exists():
        _request_autonomy_promotion()
    if not ReReview.objects.filter(resolved_at__isnull=True).exists():
        _raise_rereview()


def _request_autonomy_promotion() -> None:
    """Filed by the owner of the first active initiative that has a level above it."""
    initiative = (
        Initiative.objects.filter(status=Status.ACTIVE, business_owner__isnull=False)
        .exclude(autonomy_level=AUTONOMY_ORDER[-1])
        .select_related("business_owner")
        .order_by("pk")
        .first()
    )
    assert initiative is not None, "the demo has no active initiative to promote"
    autonomy_promotion_request(
        initiative=initiative, actor=initiative.business_owner, evidence=GOOD_EVIDENCE
    )


def _raise_rereview() -> None:
    """An open re-review the way one arises: the EU AI Act tier of an initiative the council
    approved (seed_history's go decisions) lowered by an edit."""
    lowerable = Initiative.objects.filter(eu_ai_act_tier__in=LOWER_TIER).order_by("pk")
    initiative = next((i for i in lowerable if has_go_decision(i.pk)), None)
    assert initiative is not None, "the demo has no approved initiative whose tier can go down"
    initiative_update(
        initiative=initiative,
        actor=get_user_model().objects.get(username="gina"),
        data={"eu_ai_act_tier": LOWER_TIER[initiative.eu_ai_act_tier]},
        expected_version=initiative.version,
    )


def user_with_token(username: str, roles: list[Role]) -> tuple[Any, str]:
    """A user named on no initiative, holding `roles`, and their API token."""
    user = UserFactory(username=username, roles=roles)
    return user, Token.objects.create(user=user).key


def api_schema() -> dict[str, Any]:
    """The OpenAPI schema as /api/schema/ serves it."""
    return SchemaGenerator().get_schema(request=None, public=True)


def write_operations(schema: dict[str, Any]) -> list[tuple[str, str]]:
    """Every (METHOD, path template) of the schema that changes something."""
    return [
        (method.upper(), path)
        for path, item in schema["paths"].items()
        for method in item
        if method in WRITE_METHODS
    ]
