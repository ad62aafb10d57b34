"""Fixtures of the governance tests: the shipped templates and gate policies, a seated council,
a gate-ready initiative in pilot, and one record of each register kind.

Builders that take arguments are in the *_support.py modules beside this file.
"""

from __future__ import annotations

import pytest

from core.roles import Role
from governance.gates.services.policies import gate_policies_load_defaults
from governance.models import GatePolicy, GatePolicyVersion, Seat
from readiness.services import templates_load_shipped
from tests.factories import CouncilMembershipFactory, UserFactory, seated_council_member
from tests.governance.gate_service_support import ready_initiative
from tests.governance.register_support import make_action, make_decision, make_incident, make_risk


@pytest.fixture
def templates(db):
    return {version.template.key: version for version, _ in templates_load_shipped()}


@pytest.fixture
def gate_policies(db) -> dict[str, GatePolicyVersion]:
    """The shipped policies, by from_stage -> current version."""
    gate_policies_load_defaults()
    return {
        policy.from_stage: policy.versions.order_by("-number").first()
        for policy in GatePolicy.objects.all()
    }


@pytest.fixture
def policies(db) -> list[GatePolicy]:
    """The four shipped gate policies, loaded through the service."""
    gate_policies_load_defaults()
    return list(GatePolicy.objects.order_by("id"))


# ---------------------------------------------------------------------------------------------
# The council of the gate workflow tests: Chris chairs from the security seat.
# (The council pages' tests seat their own chair, Carla, in the executive seat.)
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def chair(db):
    """Chris: the chair, in the security seat."""
    return seated_council_member(
        seat=Seat.SECURITY, chair=True, username="chris", first_name="Chris", last_name="Dubois"
    )


@pytest.fixture
def legal(db):
    return seated_council_member(
        seat=Seat.LEGAL, username="lena", first_name="Lena", last_name="Hoffmann"
    )


@pytest.fixture
def data_member(db):
    return seated_council_member(seat=Seat.DATA, username="dana")


@pytest.fixture
def product_member(db):
    return seated_council_member(seat=Seat.PRODUCT, username="gina")


@pytest.fixture
def seated_member(council_member):
    """The `council_member` user, holding the security seat (not the chair)."""
    CouncilMembershipFactory(user=council_member, seat=Seat.SECURITY)
    return council_member


@pytest.fixture
def delivery_owner(db):
    return UserFactory(username="delia", roles=[Role.PRODUCT_OWNER])


@pytest.fixture
def pilot(templates, gate_policies, product_owner, delivery_owner):
    """A ready initiative in pilot owned by `product_owner` (business) and `delivery_owner`."""
    return ready_initiative(templates, product_owner, delivery_owner)


@pytest.fixture
def register(users_by_role, initiative):
    """One open record of each kind on `initiative` (business owner: `owner`), plus a
    portfolio-wide decision. The decisions are owned by the executive and the action item is
    given to `other_product_owner`, so those two rules show in the permission tables."""
    owner = users_by_role["owner"]
    admin = users_by_role["governance_admin"]
    return {
        **users_by_role,
        "initiative": initiative,
        "risk": make_risk(initiative, owner),
        "incident": make_incident(initiative, owner),
        "decision": make_decision(owner, initiative, owner=users_by_role["executive"]),
        "portfolio_decision": make_decision(
            admin,
            None,
            question="Confirm risk appetite for external-facing generative use",
            owner=users_by_role["executive"],
        ),
        "action": make_action(initiative, owner, owner=users_by_role["other_product_owner"]),
    }
