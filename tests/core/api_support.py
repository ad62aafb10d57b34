"""The seeded portfolio and users the whole-API tests run against.

The demo data `make setup` loads (initiatives at every stage, KPIs, assessments, gate requests
with votes, the register, meetings), loaded in-process by the same management commands, plus
a council meeting (the demo has none), and one report row instead of `seed_reports` (whose PDFs
take long to render and add no endpoint).
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
from reporting.models import Report, ReportKind, ReportStatus
from tests.factories import UserFactory

SEED_COMMANDS = (
    "load_templates",
    "seed_demo",
    "seed_value",
    "load_gate_policies",
    "seed_governance",
    "seed_register",
    "seed_readiness",
    "seed_gates",
)
WRITE_METHODS = ("post", "put", "patch", "delete")
# Where the ids of a path's objects are listed when its own prefix has no list to read them from.
ID_SOURCES = {"/api/v1/initiative-status/": "/api/v1/initiatives/"}


def seed_portfolio() -> None:
    for command in SEED_COMMANDS:
        call_command(command, stdout=StringIO(), stderr=StringIO())
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
