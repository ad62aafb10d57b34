from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connections
from django.test import TransactionTestCase

from core.roles import Role
from tests.factories import BusinessUnitFactory, InitiativeFactory, UserFactory

# The tables whose BEFORE TRUNCATE triggers refuse to empty the audit trail (core migration
# 0004). Django's flush between transactional tests (live server, real worker, concurrency)
# is one TRUNCATE of every table: it passes the guard the way only the tables' owner can, by
# disabling their triggers for that statement, so every test still runs with them enabled.
AUDIT_TABLES = ("core_auditevent", "core_auditcheckpoint")


def _set_audit_triggers(databases: list[str], state: str) -> None:
    for alias in databases:
        connection = connections[alias]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for table in AUDIT_TABLES:
                    cursor.execute(f"ALTER TABLE {table} {state} TRIGGER USER")


@pytest.fixture(autouse=True, scope="session")
def _flush_past_the_audit_truncate_guard():
    flush = TransactionTestCase._fixture_teardown

    def flush_with_audit_triggers_off(test_case: TransactionTestCase) -> None:
        databases = list(test_case._databases_names(include_mirrors=False))
        _set_audit_triggers(databases, "DISABLE")
        try:
            flush(test_case)
        finally:
            _set_audit_triggers(databases, "ENABLE")

    TransactionTestCase._fixture_teardown = flush_with_audit_triggers_off
    yield
    TransactionTestCase._fixture_teardown = flush


@pytest.fixture(autouse=True)
def _forget_throttled_api_tokens():
    """Invalid-token counts live in the cache, which no test transaction rolls back."""
    yield
    cache.clear()


@pytest.fixture
def executive(db):
    return UserFactory(username="exec", roles=[Role.EXECUTIVE])


@pytest.fixture
def product_owner(db):
    return UserFactory(
        username="owner", first_name="Paula", last_name="Owner", roles=[Role.PRODUCT_OWNER]
    )


@pytest.fixture
def other_product_owner(db):
    return UserFactory(username="otherowner", roles=[Role.PRODUCT_OWNER])


@pytest.fixture
def council_member(db):
    return UserFactory(username="council", roles=[Role.COUNCIL_MEMBER])


@pytest.fixture
def governance_admin(db):
    return UserFactory(username="admin", roles=[Role.GOVERNANCE_ADMIN])


@pytest.fixture
def auditor(db):
    return UserFactory(username="auditor", roles=[Role.AUDITOR])


@pytest.fixture
def no_role_user(db):
    return UserFactory(username="norole")


@pytest.fixture
def users_by_role(
    executive,
    product_owner,
    other_product_owner,
    council_member,
    governance_admin,
    auditor,
    no_role_user,
):
    """One user per way of relating to an initiative owned by `product_owner`."""
    return {
        "executive": executive,
        "owner": product_owner,
        "other_product_owner": other_product_owner,
        "council_member": council_member,
        "governance_admin": governance_admin,
        "auditor": auditor,
        "no_role": no_role_user,
    }


@pytest.fixture
def business_unit(db):
    return BusinessUnitFactory(name="Customer Operations")


@pytest.fixture
def initiative(product_owner, business_unit):
    return InitiativeFactory(
        title="Customer triage and routing",
        business_unit=business_unit,
        business_owner=product_owner,
        created_by=product_owner,
    )
