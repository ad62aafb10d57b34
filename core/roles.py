"""The five Gatehouse roles and the questions every app asks about them.

Roles are Django groups created by a migration; this module is the only place that knows their
names, so apps ask `has_role(user, Role.GOVERNANCE_ADMIN)` rather than spelling group names.
"""

from __future__ import annotations

from enum import StrEnum

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


class Role(StrEnum):
    EXECUTIVE = "executive"
    PRODUCT_OWNER = "product_owner"
    COUNCIL_MEMBER = "council_member"
    GOVERNANCE_ADMIN = "governance_admin"
    AUDITOR = "auditor"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.EXECUTIVE: "Executive",
    Role.PRODUCT_OWNER: "Product owner",
    Role.COUNCIL_MEMBER: "Governance council member",
    Role.GOVERNANCE_ADMIN: "Governance admin",
    Role.AUDITOR: "Auditor",
}

# Whoever a request carries, signed in or not: what every permission question is asked about.
User = AbstractBaseUser | AnonymousUser

_CACHE_ATTRIBUTE = "_gatehouse_roles"


def user_roles(user: AbstractBaseUser | AnonymousUser | None) -> frozenset[Role]:
    """The user's roles, read once per request object and cached on it.

    A superuser holds every role, so the Django admin account can do what a governance admin can.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, _CACHE_ATTRIBUTE, None)
    if cached is not None:
        return cached
    if user.is_superuser:
        roles = frozenset(Role)
    else:
        known = {role.value for role in Role}
        names = user.groups.values_list("name", flat=True)
        roles = frozenset(Role(name) for name in names if name in known)
    setattr(user, _CACHE_ATTRIBUTE, roles)
    return roles


def has_role(user: AbstractBaseUser | AnonymousUser | None, *roles: Role) -> bool:
    """True when the user holds at least one of `roles`."""
    return bool(user_roles(user).intersection(roles))


def has_any_role(user: AbstractBaseUser | AnonymousUser | None) -> bool:
    return bool(user_roles(user))
