"""Who may fill and read assessments. Pages, the API and the services ask these functions and
refuse with these messages."""

from __future__ import annotations

from core.roles import Role, User, has_any_role, has_role
from portfolio.models import Initiative, Vendor
from portfolio.permissions import can_edit_initiative, can_edit_some_initiative

INITIATIVE_ASSESSMENT_DENIED_MESSAGE = (
    "Only this initiative's business or delivery owner, or a governance admin, can fill its "
    "assessments."
)
VENDOR_ASSESSMENT_DENIED_MESSAGE = "Only council members and governance admins evaluate vendors."
ASSESSMENT_DENIED_MESSAGE = (
    "Only initiatives' owners and governance admins assess initiatives, and only council members "
    "and governance admins evaluate vendors."
)


def can_view_assessments(user: User) -> bool:
    return has_any_role(user)


def can_assess_initiative(user: User, initiative: Initiative) -> bool:
    """The initiative's owners (product owners) and governance admins fill its scorecards."""
    return can_edit_initiative(user, initiative)


def can_assess_vendor(user: User, vendor: Vendor | None = None) -> bool:
    """Vendor evaluations are the council's and the admins' work (security, legal, procurement)."""
    return has_role(user, Role.GOVERNANCE_ADMIN, Role.COUNCIL_MEMBER)


def can_fill_assessments(user: User) -> bool:
    """The role half of `can_edit_assessment`: whether the user may fill any assessment at all
    (asked before a request's body is read)."""
    return can_edit_some_initiative(user) or can_assess_vendor(user)


def can_edit_assessment(user: User, assessment) -> bool:  # noqa: ANN001
    if assessment.initiative_id is not None:
        return can_assess_initiative(user, assessment.initiative)
    return can_assess_vendor(user, assessment.vendor)


def edit_assessment_denied_message(assessment) -> str:  # noqa: ANN001
    """What someone refused by `can_edit_assessment` is told: an initiative's assessment is its
    owners' and the admins' to fill, a vendor's the council's and the admins'."""
    if assessment.initiative_id is not None:
        return INITIATIVE_ASSESSMENT_DENIED_MESSAGE
    return VENDOR_ASSESSMENT_DENIED_MESSAGE
