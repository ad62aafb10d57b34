"""A bounded schemathesis run over the whole API, in-process, on the seeded demo portfolio.

For every operation of /api/schema/, as a governance admin (who may write almost everything)
and as an auditor (who may write nothing): schemathesis's explicit examples, a few generated
requests valid and invalid (strings for ints, lists for objects, odd query values), and for the
reads its coverage cases too (boundary and wrong-typed values of each path and query
parameter: `page=abc`, `/risks/null/`). Every answer must be no server error, with a status
code and content type the schema documents and a body the schema describes.

Bounded to finish in about a minute on two cores: five examples per operation, coverage cases
only where there is no body to combine them with, a fixed seed, no shrinking, no example
database. Deselect it locally with `-m "not fuzz"` if you must; CI runs it with `make test`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from werkzeug.test import Client

from core.roles import Role
from tests.core.api_support import ID_SOURCES, api_schema, seed_portfolio, user_with_token

pytestmark = pytest.mark.fuzz

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
CONFIG = {
    # Each operation's examples derive from this seed: the same requests on every run.
    "seed": 20261202,
    "generation": {"max-examples": 5, "no-shrink": True, "database": "none", "mode": "all"},
    "phases": {
        "examples": {"enabled": True},
        "coverage": {"enabled": False},
        "fuzzing": {"enabled": True},
        "stateful": {"enabled": False},
    },
    "operations": [{"include-method": "GET", "phases": {"coverage": {"enabled": True}}}],
}


@contextlib.contextmanager
def _connection_kept_open() -> Iterator[None]:
    """What Django's test client does around a request: the end of a request must not close
    the connection that holds the test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _first_ids(headers: dict[str, str], paths: Iterable[str]) -> dict[str, list[int]]:
    """For each collection with `{id}` paths, the ids of the first objects it lists."""
    client = Client(APP)
    ids: dict[str, list[int]] = {}
    for path in paths:
        if "{id}" not in path:
            continue
        collection = path[: path.index("{id}")]
        if collection not in ids:
            response = client.get(ID_SOURCES.get(collection, collection), headers=headers)
            rows = response.json if response.status_code == 200 else []
            rows = rows["results"] if isinstance(rows, dict) else rows
            ids[collection] = [row["id"] for row in rows[:3]]
    return ids


# The schema needs no database (drf-spectacular reads the code), so it is built at collection;
# each operation becomes a test of its own, all sharing one seeded portfolio (below).
APP = get_wsgi_application()
schema = schemathesis.openapi.from_dict(api_schema(), config=schemathesis.Config.from_dict(CONFIG))
schema.app = APP
# Filled once the portfolio is seeded: the ids of real objects, per collection.
REAL_IDS: dict[str, list[int]] = {}


@schema.hook
def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any]) -> Any:
    """Half the generated ids are those of real objects, so detail pages, updates and actions
    are reached on something, not only answered 404."""
    path = context.operation.path
    known = REAL_IDS.get(path[: path.index("{id}")], []) if "{id}" in path else []
    if not known:
        return st.just(path_parameters)
    real = [{**path_parameters, "id": pk} for pk in known]
    return st.sampled_from([path_parameters, *real])


@pytest.fixture(scope="module")
def api_tokens(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[Role, str]]:
    """The seeded portfolio and a token per role, once for all the operations' tests; each test
    runs in a savepoint of this transaction (the `db` fixture), so none sees another's writes."""
    with django_db_blocker.unblock(), transaction.atomic(), _connection_kept_open():
        seed_portfolio()
        tokens = {
            role: user_with_token(f"fuzz-{role.value}", [role])[1]
            for role in (Role.GOVERNANCE_ADMIN, Role.AUDITOR)
        }
        admin = {"Authorization": f"Token {tokens[Role.GOVERNANCE_ADMIN]}"}
        REAL_IDS.update(_first_ids(admin, schema.raw_schema["paths"]))
        yield tokens
        REAL_IDS.clear()
        transaction.set_rollback(True)


@schema.parametrize()
@pytest.mark.parametrize("role", [Role.GOVERNANCE_ADMIN, Role.AUDITOR], ids=str)
@settings(deadline=None, suppress_health_check=list(HealthCheck))
def test_api_answers_as_its_schema_says(
    case: Any, role: Role, api_tokens: dict[Role, str], db: None
) -> None:
    case.call_and_validate(headers={"Authorization": f"Token {api_tokens[role]}"}, checks=CHECKS)
