"""Who may read, generate and sign off reports. Pages, the API and the services ask these."""

from __future__ import annotations

from core.roles import Role, User, has_any_role, has_role

# Executives take the decisions the reports frame; admins run the reporting cadence.
REQUESTER_ROLES = (Role.GOVERNANCE_ADMIN, Role.EXECUTIVE)
GENERATE_DENIED_MESSAGE = "Only a governance admin or an executive can generate reports."
SIGN_OFF_DENIED_MESSAGE = "Only a governance admin can sign off a report."


def can_read_reports(user: User) -> bool:
    """Whoever reads the dashboard reads its reports: every Gatehouse role."""
    return has_any_role(user)


def can_generate_reports(user: User) -> bool:
    return has_role(user, *REQUESTER_ROLES)


def can_sign_off_reports(user: User) -> bool:
    return has_role(user, Role.GOVERNANCE_ADMIN)
