"""Who may see and change the risk register, incidents, leadership decisions and action items.

Everyone with a Gatehouse role reads all of them (governance needs the full picture). Changes
follow `can_manage_register`: the initiative's named people, council members and governance
admins. Two additions, each with its reason below: decisions with no initiative, and the people
who close out a decision or an action item. Pages and the API both ask these functions; the
services ask them again.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from core.permissions import require_role
from core.roles import Role, User, has_any_role, has_role
from governance.council.permissions import STAKEHOLDER_ROLES, initiative_owner_ids
from governance.models import ActionItem, Incident, LeadershipDecision, Risk
from portfolio.models import Initiative
from portfolio.permissions import can_view_portfolio


def can_manage_register(user: User, initiative: Initiative | None) -> bool:
    """Risks, incidents and action items: the initiative's named people, council, admins edit.

    Everyone with a role reads them (`can_read_register`). Without an initiative (a
    portfolio-wide item) only the council and admins edit.
    """
    if has_role(user, Role.GOVERNANCE_ADMIN, Role.COUNCIL_MEMBER):
        return True
    if initiative is None or not has_any_role(user):
        return False
    return user.pk in initiative_owner_ids(initiative)


REGISTER_DENIED_MESSAGE = (
    "Only this initiative's business or delivery owner, a council member or a governance admin "
    "can change its risks, incidents, decisions and action items."
)


PORTFOLIO_DECISION_DENIED_MESSAGE = (
    "Only council members and governance admins raise or change decisions that concern the "
    "whole portfolio rather than one initiative."
)


OUTCOME_DENIED_MESSAGE = (
    "Only an executive, a council member, a governance admin or the decision's owner can record "
    "what leadership decided."
)


COMPLETE_DENIED_MESSAGE = (
    "Only the action item's owner, the initiative's business or delivery owner, a council member "
    "or a governance admin can mark it done."
)


def can_write_register(user: User) -> bool:
    """Whether `can_manage_register` can be true for the user on some initiative at all: council
    members and admins, or someone named on at least one initiative. Asked before a request's
    body is read; which initiative's records they may change is `can_manage_register`'s
    question. (One query, for users who are neither council nor admin.)
    """
    if has_role(user, Role.GOVERNANCE_ADMIN, Role.COUNCIL_MEMBER):
        return True
    if not has_any_role(user):
        return False
    named = Q()
    for field, _label in STAKEHOLDER_ROLES:
        named |= Q(**{field: user.pk})
    return Initiative.objects.filter(named).exists()


def can_read_register(user: User) -> bool:
    return can_view_portfolio(user)


def can_manage_portfolio_register(user: User) -> bool:
    """Records about the whole portfolio (no initiative): only the council and admins."""
    return can_manage_register(user, None)


def can_manage_leadership_decision(user: User, initiative: Initiative | None) -> bool:
    """A decision about one initiative follows the register rule; a portfolio-wide one has no
    initiative owner, so only the council and admins frame it."""
    return can_manage_register(user, initiative)


def can_record_decision_outcome(user: User, decision: LeadershipDecision) -> bool:
    """Leadership takes these decisions (DOMAIN.md: executives take the "decisions required"),
    so executives record outcomes too, as does whoever was named the decision's owner."""
    if has_role(user, Role.EXECUTIVE, Role.COUNCIL_MEMBER, Role.GOVERNANCE_ADMIN):
        return True
    return can_read_register(user) and decision.owner_id == user.pk


def can_complete_action_item(user: User, item: ActionItem) -> bool:
    """The person an action was given to can say it is done, even without editing the register."""
    if can_read_register(user) and item.owner_id == user.pk:
        return True
    return can_manage_register(user, item.initiative)


def _get(user: User, queryset: QuerySet, pk: int, what: str) -> Model:
    require_role(user)
    try:
        return queryset.get(pk=pk)
    except queryset.model.DoesNotExist:
        raise Http404(f"No such {what}.") from None


def get_risk_for_user(
    user: User, pk: int, *, write: bool = False, queryset: QuerySet | None = None
) -> Risk:
    """Risk `pk` if `user` may see it (else 404) and, with `write`, change it (else 403)."""
    base = queryset if queryset is not None else Risk.objects.select_related("initiative")
    risk = _get(user, base, pk, "risk")
    if write and not can_manage_register(user, risk.initiative):
        raise PermissionDenied(REGISTER_DENIED_MESSAGE)
    return risk


def get_incident_for_user(
    user: User, pk: int, *, write: bool = False, queryset: QuerySet | None = None
) -> Incident:
    base = queryset if queryset is not None else Incident.objects.select_related("initiative")
    incident = _get(user, base, pk, "incident")
    if write and not can_manage_register(user, incident.initiative):
        raise PermissionDenied(REGISTER_DENIED_MESSAGE)
    return incident


def get_leadership_decision_for_user(
    user: User, pk: int, *, write: bool = False, queryset: QuerySet | None = None
) -> LeadershipDecision:
    base = (
        queryset
        if queryset is not None
        else LeadershipDecision.objects.select_related("initiative")
    )
    decision = _get(user, base, pk, "decision")
    if write and not can_manage_leadership_decision(user, decision.initiative):
        raise PermissionDenied(
            REGISTER_DENIED_MESSAGE if decision.initiative_id else PORTFOLIO_DECISION_DENIED_MESSAGE
        )
    return decision


def get_action_item_for_user(
    user: User, pk: int, *, queryset: QuerySet | None = None
) -> ActionItem:
    base = queryset if queryset is not None else ActionItem.objects.select_related("initiative")
    return _get(user, base, pk, "action item")
