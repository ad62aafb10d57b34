"""Who may read the audit trail: the whole chain, or one initiative's."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from core.permissions import require
from core.roles import Role, User, has_any_role, has_role
from governance.council.permissions import initiative_owner_ids
from portfolio.models import Initiative
from portfolio.permissions import get_initiative_for_user


def can_read_audit(user: User) -> bool:
    return has_role(user, Role.AUDITOR, Role.GOVERNANCE_ADMIN)


AUDIT_DENIED_MESSAGE = "Only auditors and governance admins can read the whole audit trail."
INITIATIVE_AUDIT_DENIED_MESSAGE = (
    "Only auditors, governance admins and this initiative's named owners can read its audit trail."
)


def can_read_initiative_audit(user: Any, initiative: Initiative) -> bool:
    """Auditors, governance admins, and the initiative's named people (owners, sponsor).

    Decided from roles (cached on the user) and the owner ids on the initiative: no query
    beyond the first role lookup, so the initiative page's panel costs nothing.
    """
    if can_read_audit(user):
        return True
    return has_any_role(user) and user.pk in initiative_owner_ids(initiative)


def _require_audit_reader(request: HttpRequest) -> None:
    require(can_read_audit(request.user), AUDIT_DENIED_MESSAGE)


def _initiative_for_audit(request: HttpRequest, pk: int) -> Initiative:
    """The initiative if the user may read its trail: 404 unknown, 403 not theirs to read."""
    initiative = get_initiative_for_user(
        request.user,
        pk,
        queryset=Initiative.objects.only(
            "id",
            "title",
            "business_owner_id",
            "delivery_owner_id",
            "executive_sponsor_id",
            "value_owner_id",
            "safety_owner_id",
        ),
    )
    require(can_read_initiative_audit(request.user, initiative), INITIATIVE_AUDIT_DENIED_MESSAGE)
    return initiative
