"""Who may see and change portfolio objects. Pages and the API both ask these functions."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from core.permissions import require_role
from core.roles import Role, User, has_any_role, has_role
from portfolio.models import Initiative, InitiativeQuerySet

EDIT_DENIED_MESSAGE = (
    "Only this initiative's business or delivery owner, or a governance admin, can change it."
)
PROBLEM_STATEMENT_DENIED_MESSAGE = (
    "Only this initiative's business or delivery owner, or a governance admin, can change its "
    "problem statement."
)
CREATE_DENIED_MESSAGE = "Only product owners and governance admins can create initiatives."
BUSINESS_UNIT_CREATE_DENIED_MESSAGE = "Only a governance admin can create business units."
BUSINESS_UNIT_CHANGE_DENIED_MESSAGE = "Only a governance admin can change business units."
SET_STAGE_DENIED_MESSAGE = "Only a governance admin can set an initiative's stage directly."


def can_view_portfolio(user: User) -> bool:
    """Every Gatehouse role reads the whole portfolio: governance needs the full picture."""
    return has_any_role(user)


def can_create_initiative(user: User) -> bool:
    return has_role(user, Role.PRODUCT_OWNER, Role.GOVERNANCE_ADMIN)


def can_edit_some_initiative(user: User) -> bool:
    """The role half of `can_edit_initiative`: whether the user may change any initiative at all
    (asked before a request's body is read; which one is `can_edit_initiative`'s question)."""
    return has_role(user, Role.PRODUCT_OWNER, Role.GOVERNANCE_ADMIN)


def can_edit_initiative(user: User, initiative: Initiative) -> bool:
    """Admins edit all; a product owner edits only what they own (business or delivery owner)."""
    if has_role(user, Role.GOVERNANCE_ADMIN):
        return True
    return has_role(user, Role.PRODUCT_OWNER) and initiative.is_owner(user.pk)


def can_set_stage(user: User) -> bool:
    return has_role(user, Role.GOVERNANCE_ADMIN)


def can_manage_business_units(user: User) -> bool:
    return has_role(user, Role.GOVERNANCE_ADMIN)


def initiatives_visible_to(user: User) -> InitiativeQuerySet:
    if not can_view_portfolio(user):
        return Initiative.objects.none()
    return Initiative.objects.all()


def get_initiative_for_user(
    user: User, pk: int, *, write: bool = False, queryset: InitiativeQuerySet | None = None
) -> Initiative:
    """Initiative `pk` if `user` may see it (else 404) and, with `write`, change it (else 403)."""
    require_role(user)
    base = queryset if queryset is not None else Initiative.objects.all()
    try:
        initiative = base.get(pk=pk)
    except Initiative.DoesNotExist:
        raise Http404("No such initiative.") from None
    if write and not can_edit_initiative(user, initiative):
        raise PermissionDenied(EDIT_DENIED_MESSAGE)
    return initiative
