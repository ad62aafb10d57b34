"""The people every permission test asks about, in one table, and how to sign each one in.

Each name is one way of relating to the initiative under test (the `initiative` fixture, whose
business owner is `owner`). tests/conftest.py builds them (`users_by_role`); a permission test
parametrizes over `ROLES` (or `ROLES + (...)` for people of its own, such as the council's chair)
and checks the status it expects with `expected_status`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.test import Client
from rest_framework.test import APIClient

from core.roles import Role
from tests.factories import UserFactory


@dataclass(frozen=True)
class Person:
    """One row of the table: the fixture that builds the user, and how."""

    name: str
    fixture: str
    username: str
    roles: tuple[Role, ...] = ()
    first_name: str = ""
    last_name: str = ""


PEOPLE: tuple[Person, ...] = (
    Person("executive", "executive", "exec", (Role.EXECUTIVE,)),
    Person(
        "owner",
        "product_owner",
        "owner",
        (Role.PRODUCT_OWNER,),
        first_name="Paula",
        last_name="Owner",
    ),
    Person("other_product_owner", "other_product_owner", "otherowner", (Role.PRODUCT_OWNER,)),
    Person("council_member", "council_member", "council", (Role.COUNCIL_MEMBER,)),
    Person("governance_admin", "governance_admin", "admin", (Role.GOVERNANCE_ADMIN,)),
    Person("auditor", "auditor", "auditor", (Role.AUDITOR,)),
    # Signed in, but given none of Gatehouse's roles.
    Person("no_role", "no_role_user", "norole"),
)
PERSON = {person.name: person for person in PEOPLE}

ANONYMOUS = "anonymous"
# Everyone with a Gatehouse role: who may read the portfolio.
WITH_A_ROLE: tuple[str, ...] = tuple(person.name for person in PEOPLE if person.roles)
READERS: frozenset[str] = frozenset(WITH_A_ROLE)
SIGNED_IN: tuple[str, ...] = tuple(person.name for person in PEOPLE)
# Every permission table's rows: each person, and someone not signed in.
ROLES: tuple[str, ...] = (*SIGNED_IN, ANONYMOUS)


def readers(*extra: str) -> frozenset[str]:
    """Everyone with a Gatehouse role, and the test's own people in `extra` (e.g. "chair")."""
    return frozenset(WITH_A_ROLE) | frozenset(extra)


def roles_with(*extra: str) -> tuple[str, ...]:
    """`ROLES` and the test's own people, for `parametrize("role", ...)`."""
    return (*ROLES, *extra)


def signed_in_except(*names: str) -> tuple[str, ...]:
    """The signed-in people of the table but `names`, for "everyone else is refused" tests."""
    unknown = set(names) - set(SIGNED_IN)
    assert not unknown, f"not in the table: {sorted(unknown)}"
    return tuple(name for name in SIGNED_IN if name not in names)


def refused_status(role: str, *, api: bool) -> int:
    """What a refused request answers: anonymous pages redirect to the login page (302), the
    API asks for credentials (401); a signed-in person without the permission gets 403."""
    if role == ANONYMOUS:
        return 401 if api else 302
    return 403


def expected_status(role: str, allowed: Iterable[str], success: int, *, api: bool) -> int:
    """`success` for the roles in `allowed`, the refusal otherwise (anonymous is never allowed)."""
    if role != ANONYMOUS and role in allowed:
        return success
    return refused_status(role, api=api)


def signed_in(client: Client, user) -> Client:  # noqa: ANN001
    """The test client with `user`'s session (left signed out for None, the anonymous row)."""
    if user is not None:
        client.force_login(user)
    return client


def api_client(user=None) -> APIClient:  # noqa: ANN001
    """An API client authenticated as `user` (none for None, the anonymous row)."""
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def make_person(name: str):  # noqa: ANN201
    """The user of the table's row `name`, with its roles (the fixtures of tests/conftest.py)."""
    person = PERSON[name]
    names = {"first_name": person.first_name, "last_name": person.last_name}
    return UserFactory(
        username=person.username,
        roles=list(person.roles),
        **{field: value for field, value in names.items() if value},
    )
