"""Who may do what in governance. Pages, the API and the services all ask these functions.

Roles (core.roles) say what kind of user someone is; a CouncilMembership says which seat a
council member holds and whether they chair. The membership is read once per user object and
cached on it, so a page that asks several of these questions pays one query.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from core.roles import Role, has_any_role, has_role
from governance.models import CouncilMembership
from governance.rules import is_recused
from portfolio.models import Initiative
from portfolio.permissions import can_edit_initiative

User = AbstractBaseUser | AnonymousUser

_MEMBERSHIP_CACHE = "_gatehouse_council_membership"
_NO_MEMBERSHIP = object()

# Why someone may not vote, in words the member sees next to the disabled form.
NOT_A_DECIDER_MESSAGE = "Only governance council members can vote on gate requests."
CHAIR_ONLY_MESSAGE = "Only the council chair can record a gate decision."
STATUS_CHANGE_MESSAGE = (
    "Only the council chair or a governance admin can pause, resume or stop an initiative."
)


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


def initiative_owner_ids(initiative: Initiative) -> tuple[int | None, ...]:
    """The people whose stake in an initiative recuses them from judging it.

    The business and delivery owners run it and the executive sponsor champions it; value and
    safety owners are accountable for its outcome. None of them should vote on their own gate.
    """
    return (
        initiative.business_owner_id,
        initiative.delivery_owner_id,
        initiative.executive_sponsor_id,
        initiative.value_owner_id,
        initiative.safety_owner_id,
    )


def recusal_reason(user: User, initiative: Initiative) -> str:
    """Why `user` is recused from `initiative` ("" when they are not)."""
    if not user.is_authenticated or not is_recused(user.pk, initiative_owner_ids(initiative)):
        return ""
    roles = {
        initiative.business_owner_id: "business owner",
        initiative.delivery_owner_id: "delivery owner",
        initiative.value_owner_id: "value owner",
        initiative.safety_owner_id: "safety owner",
        initiative.executive_sponsor_id: "executive sponsor",
    }
    # The dict keeps the last role for a person named twice; any one explains the recusal.
    role = roles.get(user.pk, "an owner")
    return (
        f"You are recused: you are this initiative's {role}, and a council member who owns or "
        "sponsors an initiative cannot vote on or review it."
    )


def can_view_governance(user: User) -> bool:
    """Every Gatehouse role reads gate requests, decisions and the register."""
    return has_any_role(user)


def can_request_gate(user: User, initiative: Initiative) -> bool:
    """The initiative's business or delivery owner (a product owner), or a governance admin."""
    return can_edit_initiative(user, initiative)


def can_vote(user: User, decider_roles: Iterable[str] | None = None) -> bool:
    """Council members vote; a policy version may name other decider roles.

    `decider_roles` are the version's role names; without them the council member role is
    assumed (the shipped default). Recusal is per initiative: see `recusal_reason`.
    """
    known = {role.value for role in Role}
    names = decider_roles if decider_roles is not None else [Role.COUNCIL_MEMBER.value]
    roles = [Role(name) for name in names if name in known]
    return bool(roles) and has_role(user, *roles)


def is_chair(user: User) -> bool:
    """An active council member whose membership says they chair the council."""
    if not has_role(user, Role.COUNCIL_MEMBER):
        return False
    membership = council_membership(user)
    return membership is not None and membership.is_chair


def can_decide(user: User) -> bool:
    return is_chair(user)


def can_change_status(user: User) -> bool:
    """Pause, resume or stop outside a gate request: the chair or a governance admin."""
    return has_role(user, Role.GOVERNANCE_ADMIN) or is_chair(user)


def can_withdraw_request(user: User, initiative: Initiative, requested_by_id: int) -> bool:
    """The requester, the initiative's owners (who could have filed it) or a governance admin."""
    if not has_any_role(user):
        return False
    return user.pk == requested_by_id or can_request_gate(user, initiative)


def can_review_items(user: User) -> bool:
    """Council members record the explicit review of an area scored 1 (and confirm re-reviews)."""
    return has_role(user, Role.COUNCIL_MEMBER)


def can_confirm_rereview(user: User) -> bool:
    return has_role(user, Role.COUNCIL_MEMBER)


def can_manage_register(user: User, initiative: Initiative | None) -> bool:
    """Risks, incidents and action items: the initiative's named people, council, admins edit.

    Everyone with a role reads them (`can_view_governance`). Without an initiative (a
    portfolio-wide item) only the council and admins edit.
    """
    if has_role(user, Role.GOVERNANCE_ADMIN, Role.COUNCIL_MEMBER):
        return True
    if initiative is None or not has_any_role(user):
        return False
    return user.pk in initiative_owner_ids(initiative)


def can_edit_policies(user: User) -> bool:
    return has_role(user, Role.GOVERNANCE_ADMIN)


def can_manage_council(user: User) -> bool:
    return has_role(user, Role.GOVERNANCE_ADMIN)


def can_read_audit(user: User) -> bool:
    return has_role(user, Role.AUDITOR, Role.GOVERNANCE_ADMIN)
