from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connections
from django.db.models.signals import post_migrate
from django.test import TransactionTestCase

from core.roles import Role
from tests.factories import BusinessUnitFactory, InitiativeFactory
from tests.roles import PEOPLE, make_person


def _restore_the_migrated_rows(sender, using="default", **kwargs) -> None:  # noqa: ANN001
    """Put back the rows the data migrations create: the role groups (core migration 0002) and
    the audit chain head (0003).

    A transactional test (transaction=True, live_server) ends by flushing every table, and
    Django then sends post_migrate, but data migrations do not run again. Run serially,
    pytest-django orders those tests last; with two processes (pytest-xdist) a module that runs
    after one would otherwise find a database without the groups, and its first audit event
    would create the chain head, three queries no query budget counts.
    """
    from django.contrib.auth.models import Group

    from core.models import AuditChainHead

    if sender.label != "auth":  # sent once per app; once is enough
        return
    for role in Role:
        Group.objects.using(using).get_or_create(name=role.value)
    AuditChainHead.objects.using(using).get_or_create(pk=1)


post_migrate.connect(_restore_the_migrated_rows, dispatch_uid="tests-restore-migrated-rows")


# The people of tests/roles.py, one fixture each.

# The tables whose BEFORE TRUNCATE triggers refuse to empty the audit trail (core migration
# 0004; the chain head's, 0005). Django's flush between transactional tests (live server, real
# worker, concurrency) is one TRUNCATE of every table: it passes the guard the way only the
# tables' owner can, by disabling their triggers for that statement, so every test still runs
# with them enabled.
AUDIT_TABLES = ("core_auditevent", "core_auditcheckpoint", "core_auditchainhead")


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
    return make_person("executive")


@pytest.fixture
def product_owner(db):
    """The business owner of `initiative` (the table's "owner")."""
    return make_person("owner")


@pytest.fixture
def other_product_owner(db):
    return make_person("other_product_owner")


@pytest.fixture
def council_member(db):
    return make_person("council_member")


@pytest.fixture
def governance_admin(db):
    return make_person("governance_admin")


@pytest.fixture
def auditor(db):
    return make_person("auditor")


@pytest.fixture
def no_role_user(db):
    return make_person("no_role")


@pytest.fixture
def users_by_role(request):
    """Every signed-in person of tests/roles.py by name ("anonymous" is absent: no user)."""
    return {person.name: request.getfixturevalue(person.fixture) for person in PEOPLE}


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
