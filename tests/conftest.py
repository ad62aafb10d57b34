from __future__ import annotations

import pytest

from tests.factories import BusinessUnitFactory, InitiativeFactory
from tests.roles import PEOPLE, make_person

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
