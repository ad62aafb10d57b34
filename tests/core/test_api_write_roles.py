"""Every write of the API refuses a role that may never write there before it reads the body.

The operations come from the OpenAPI schema, so an endpoint added later is walked too: an
auditor (read-only on everything) and a user without a Gatehouse role get 403 for any POST, PUT,
PATCH or DELETE, whatever they send (`{}`, a list, a wrong type); nobody signed in gets 401.
An executive (who owns, chairs and sits on nothing here) gets 403 for `{}` everywhere but the
writes executives may do. Path ids are those of real objects, so a 404 never stands in for the
refusal.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from rest_framework.test import APIClient

from core.permissions import NO_ROLE_MESSAGE
from core.roles import Role
from governance.gates.permissions import PROMOTION_REQUEST_DENIED_MESSAGE
from tests.core.api_support import (
    ID_SOURCES,
    api_schema,
    seed_portfolio,
    user_with_token,
    write_operations,
)

# Bodies a client may send by mistake; none of them may decide the answer before the role does.
# (Sent as the auditor; the others' refusal does not depend on the view at all.)
BODIES = ({}, [], {"initiative": "not an id", "title": 7})
# What an executive may write (reporting/permissions.py, governance/register/permissions.py):
# request a report, and record a leadership decision's outcome (leadership takes them).
EXECUTIVE_WRITES = frozenset(
    {
        ("POST", "/api/v1/reports/"),
        ("POST", "/api/v1/leadership-decisions/{id}/record-outcome/"),
    }
)


def _first_id(client: APIClient, list_path: str) -> int:
    response = client.get(ID_SOURCES.get(list_path, list_path))
    assert response.status_code == 200, (
        f"{list_path}: no list to take an id from ({response.status_code}); add its source to "
        "ID_SOURCES"
    )
    data = response.json()
    rows = data["results"] if isinstance(data, dict) else data
    assert rows, f"{list_path}: the seeded data has none; seed one in tests/core/api_support.py"
    return rows[0]["id"]


def _concrete_paths(
    admin: APIClient, operations: list[tuple[str, str]]
) -> list[tuple[str, str, str]]:
    """(method, template, path): each `{id}` replaced by the id of an object the admin reads."""
    concrete = []
    for method, template in operations:
        path = template
        if "{" in template:
            list_path = template[: template.index("{")]
            assert re.fullmatch(r"[^{}]*\{id\}[^{}]*", template), f"{template}: unknown parameter"
            path = template.replace("{id}", str(_first_id(admin, list_path)))
        concrete.append((method, template, path))
    return concrete


def _send(client: APIClient, method: str, path: str, body: Any) -> Any:
    return client.generic(method, path, data=json.dumps(body), content_type="application/json")


@pytest.mark.django_db
def test_every_write_refuses_auditors_users_without_role_and_anonymous_before_the_body():
    seed_portfolio()
    admin_user, _ = user_with_token("api-admin", [Role.GOVERNANCE_ADMIN])
    admin = APIClient()
    admin.force_authenticate(admin_user)
    operations = write_operations(api_schema())
    # The API has dozens of writes; a schema that lost them would make this walk vacuous.
    assert len(operations) > 40
    paths = _concrete_paths(admin, operations)

    # Who, the status and message (if one) they must get, what they send, and the writes they
    # may do (where `{}` is a 400 about the body instead).
    clients: dict[str, tuple[APIClient, int, str | None, tuple, frozenset]] = {
        "anonymous": (APIClient(), 401, None, ({},), frozenset())
    }
    for name, roles, bodies, allowed in (
        ("auditor", [Role.AUDITOR], BODIES, frozenset()),
        ("no role", [], ({},), frozenset()),
        ("executive", [Role.EXECUTIVE], ({},), EXECUTIVE_WRITES),
    ):
        _, key = user_with_token(f"api-{name.replace(' ', '-')}", roles)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        clients[name] = (client, 403, NO_ROLE_MESSAGE if not roles else None, bodies, allowed)
    assert set(operations) >= EXECUTIVE_WRITES, "an executive's write is no longer in the schema"

    wrong = []
    for who, (client, expected, message, bodies, allowed) in clients.items():
        for method, template, path in paths:
            may = (method, template) in allowed
            for body in bodies:
                response = _send(client, method, path, body)
                detail = response.json().get("detail") if response.status_code < 500 else None
                if may and response.status_code != 400:
                    wrong.append(f"{who} may {method} {path}, but {body!r}: {response.status_code}")
                elif not may and (
                    response.status_code != expected or (message and detail != message)
                ):
                    wrong.append(f"{who} {method} {path} {body!r}: {response.status_code} {detail}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "roles", [[Role.EXECUTIVE], [Role.COUNCIL_MEMBER]], ids=["executive", "council member"]
)
def test_roles_that_never_request_a_promotion_are_refused_before_the_body(roles):
    _, key = user_with_token("never-promotes", roles)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    response = _send(client, "POST", "/api/v1/autonomy-promotions/", {})

    assert response.status_code == 403
    assert response.json()["detail"] == PROMOTION_REQUEST_DENIED_MESSAGE
