from __future__ import annotations

import pytest

from core.roles import Role
from tests.factories import BusinessUnitFactory, InitiativeFactory, UserFactory


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
