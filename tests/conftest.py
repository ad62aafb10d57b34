from __future__ import annotations

import pytest
from django.db.models.signals import post_migrate

from core.roles import Role
from tests.factories import BusinessUnitFactory, InitiativeFactory
from tests.roles import PEOPLE, make_person


def _restore_the_role_groups(sender, using="default", **kwargs) -> None:  # noqa: ANN001
    """Put back the role groups the migrations create (core/migrations/0002_roles.py).

    A transactional test (transaction=True, live_server) ends by flushing every table, and
    Django then sends post_migrate, but data migrations do not run again. Run serially,
    pytest-django orders those tests last; with two processes (pytest-xdist) a module that runs
    after one would otherwise find a database without the groups.
    """
    from django.contrib.auth.models import Group

    if sender.label != "auth":  # sent once per app; once is enough
        return
    for role in Role:
        Group.objects.using(using).get_or_create(name=role.value)


post_migrate.connect(_restore_the_role_groups, dispatch_uid="tests-restore-role-groups")


# The people of tests/roles.py, one fixture each.


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
