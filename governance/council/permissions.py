"""Who may do what in the council: membership, the chair, meetings, and who is recused.

Roles (core.roles) say what kind of user someone is; a CouncilMembership says which seat a
council member holds and whether they chair. The membership is read once per user object and
cached on it, so a page that asks several of these questions pays one query.
"""

from __future__ import annotations

from core.roles import Role, User, has_any_role, has_role
from governance.models import CouncilMembership
from portfolio.models import Initiative

_MEMBERSHIP_CACHE = "_gatehouse_council_membership"
_NO_MEMBERSHIP = object()


def council_membership(user: User | None) -> CouncilMembership | None:
    """The user's active council membership, or None; cached on the user object."""
    if user is None or not user.is_authenticated:
        return None
    cached = getattr(user, _MEMBERSHIP_CACHE, None)
    if cached is None:
        cached = (
            CouncilMembership.objects.filter(user_id=user.pk, active=True).first() or _NO_MEMBERSHIP
        )
        setattr(user, _MEMBERSHIP_CACHE, cached)
    return None if cached is _NO_MEMBERSHIP else cached


def council_seat(user: User | None) -> str:
    """The seat of the user's active membership ("" when they hold none)."""
    membership = council_membership(user)
    return membership.seat if membership is not None else ""


# The initiative's named people whose stake recuses them from judging it, in the pages' words.
# The business and delivery owners run it and the executive sponsor champions it; value and
# safety owners are accountable for its outcome. None of them should vote on their own gate.
STAKEHOLDER_ROLES: tuple[tuple[str, str], ...] = (
    ("business_owner", "business owner"),
    ("delivery_owner", "delivery owner"),
    ("executive_sponsor", "executive sponsor"),
    ("value_owner", "value owner"),
    ("safety_owner", "safety owner"),
)


def initiative_owner_ids(initiative: Initiative) -> tuple[int | None, ...]:
    """The ids of the people whose stake in `initiative` recuses them (None where unnamed)."""
    return tuple(getattr(initiative, f"{field}_id") for field, _ in STAKEHOLDER_ROLES)


def recused_as(user_id: int | None, initiative: Initiative) -> str:
    """What recuses `user_id` from `initiative` ("business owner and value owner"), or ""."""
    if user_id is None:
        return ""
    return " and ".join(
        label for field, label in STAKEHOLDER_ROLES if getattr(initiative, f"{field}_id") == user_id
    )


def recusal_reason(user: User, initiative: Initiative) -> str:
    """Why `user` is recused from `initiative`, as a sentence ("" when they are not)."""
    role = recused_as(user.pk if user.is_authenticated else None, initiative)
    if not role:
        return ""
    return (
        f"You are recused: you are this initiative's {role}, and a council member who owns or "
        "sponsors an initiative cannot vote on or review it."
    )


def is_chair(user: User) -> bool:
    """An active council member whose membership says they chair the council."""
    if not has_role(user, Role.COUNCIL_MEMBER):
        return False
    membership = council_membership(user)
    return membership is not None and membership.is_chair


def can_manage_council(user: User) -> bool:
    return has_role(user, Role.GOVERNANCE_ADMIN)


MEETING_DENIED = "Only the council chair or a governance admin can run council meetings."
MEMBERSHIP_DENIED = "Only a governance admin can change council membership."


def can_read_council(user: User) -> bool:
    """Every Gatehouse role reads meetings, policies and membership: decisions are visible."""
    return has_any_role(user)


def can_run_meetings(user: User) -> bool:
    """The chair runs the council's meetings; a governance admin can stand in."""
    return has_role(user, Role.GOVERNANCE_ADMIN) or is_chair(user)
