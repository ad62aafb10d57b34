"""Who may fill and read assessments. Pages and the API both ask these functions."""

from __future__ import annotations

from core.roles import Role, User, has_any_role, has_role
from portfolio.models import Initiative, Vendor
from portfolio.permissions import can_edit_initiative


def can_view_assessments(user: User) -> bool:
    return has_any_role(user)


def can_assess_initiative(user: User, initiative: Initiative) -> bool:
    """The initiative's owners (product owners) and governance admins fill its scorecards."""
    return can_edit_initiative(user, initiative)


def can_assess_vendor(user: User, vendor: Vendor | None = None) -> bool:
    """Vendor evaluations are the council's and the admins' work (security, legal, procurement)."""
    return has_role(user, Role.GOVERNANCE_ADMIN, Role.COUNCIL_MEMBER)


def can_edit_assessment(user: User, assessment) -> bool:  # noqa: ANN001
    if assessment.initiative_id is not None:
        return can_assess_initiative(user, assessment.initiative)
    return can_assess_vendor(user, assessment.vendor)
