"""Who may do what with stage gates: file, vote, decide, withdraw, pause / resume / stop,
review areas scored 1, confirm or send back re-reviews, edit gate policies, read the review
queue, and request, decide and withdraw autonomy promotions.

Pages, the API and the services all ask these functions, and raise the messages defined here.
"""

from __future__ import annotations

from collections.abc import Iterable

from core.people import display_name
from core.roles import Role, User, has_any_role, has_role
from governance.council.permissions import council_membership, is_chair, recused_as
from governance.models import AutonomyPromotion, DecidedAs, GateRequest
from portfolio.models import Initiative
from portfolio.permissions import can_edit_initiative, can_edit_some_initiative

# Why someone may not act, in the words pages, the API and the services all use.
REQUEST_DENIED_MESSAGE = (
    "Only this initiative's business or delivery owner, or a governance admin, can request a "
    "gate decision."
)
NOT_A_DECIDER_MESSAGE = "Only governance council members can vote on gate requests."
CHAIR_ONLY_MESSAGE = (
    "Only the council chair, or the acting chair named for this request, can record a gate "
    "decision."
)
CHAIR_RECUSED_MESSAGE = (
    "You chair the council but are recused from this initiative, so you cannot decide it: name "
    "an acting chair (a council member who is not recused) to decide instead."
)
ACTING_CHAIR_DENIED_MESSAGE = (
    "Only the council chair or a governance admin can name an acting chair."
)
WITHDRAW_DENIED_MESSAGE = (
    "Only the requester, this initiative's business or delivery owner, or a governance admin "
    "can withdraw its gate request."
)
STATUS_CHANGE_MESSAGE = (
    "Only the council chair or a governance admin can pause, resume or stop an initiative."
)
ITEM_REVIEW_DENIED_MESSAGE = (
    "Only council members and governance admins can record the review of an area scored 1."
)
REREVIEW_DENIED_MESSAGE = (
    "Only council members and governance admins can confirm a re-review or send it back."
)
POLICY_DENIED_MESSAGE = "Only a governance admin can change gate policies."
PROMOTION_REQUEST_DENIED_MESSAGE = (
    "Only this initiative's business or delivery owner, or a governance admin, can request an "
    "autonomy promotion."
)
PROMOTION_DECIDE_DENIED_MESSAGE = (
    "Only the council chair, or the acting chair named for this promotion, can decide an "
    "autonomy promotion."
)
PROMOTION_CHAIR_RECUSED_MESSAGE = (
    "You chair the council but are recused from this initiative, so you cannot decide its "
    "autonomy promotion: name an acting chair (a council member who is not recused) to decide "
    "instead."
)
PROMOTION_WITHDRAW_DENIED_MESSAGE = (
    "Only the requester, this initiative's business or delivery owner, or a governance admin "
    "can withdraw its autonomy promotion."
)
QUEUE_DENIED_MESSAGE = (
    "The review queue is for governance council members, governance admins and auditors."
)


def can_view_governance(user: User) -> bool:
    """Every Gatehouse role reads gate requests, decisions and the register."""
    return has_any_role(user)


def can_request_gate(user: User, initiative: Initiative) -> bool:
    """The initiative's business or delivery owner (a product owner), or a governance admin."""
    return can_edit_initiative(user, initiative)


def can_request_gates(user: User) -> bool:
    """The role half of `can_request_gate`, asked before a request's body is read."""
    return can_edit_some_initiative(user)


def can_vote(user: User, decider_roles: Iterable[str] | None = None) -> bool:
    """Council members vote; a policy version may name other decider roles.

    `decider_roles` are the version's role names; without them the council member role is
    assumed (the shipped default). Recusal is per initiative: see
    `governance.council.permissions.recusal_reason`.
    """
    known = {role.value for role in Role}
    names = decider_roles if decider_roles is not None else [Role.COUNCIL_MEMBER.value]
    roles = [Role(name) for name in names if name in known]
    return bool(roles) and has_role(user, *roles)


def chair_capacity(user: User, initiative: Initiative, acting_chair_id: int | None) -> str:
    """In what capacity `user` may take the chair's decision on `initiative` ("" when they may
    not), where `acting_chair_id` is the acting chair named for that decision (or None).

    The chair decides unless recused from the initiative; the acting chair (named when the
    chair is recused, or cannot be there) decides too, provided they are still a council member
    and not recused themselves. Gate requests and autonomy promotions both ask it.
    """
    if recused_as(user.pk if user.is_authenticated else None, initiative):
        return ""
    if is_chair(user):
        return DecidedAs.CHAIR
    if (
        acting_chair_id is not None
        and acting_chair_id == user.pk
        and has_role(user, Role.COUNCIL_MEMBER)
    ):
        return DecidedAs.ACTING_CHAIR
    return ""


def chair_is_recused(user: User, initiative: Initiative) -> bool:
    """`user` chairs the council but is recused from `initiative`: they name an acting chair."""
    return is_chair(user) and bool(recused_as(user.pk, initiative))


def deciding_as(user: User, gate_request: GateRequest) -> str:
    """In what capacity `user` may record the decision on `gate_request` ("" when they may not):
    see `chair_capacity`."""
    return chair_capacity(user, gate_request.initiative, gate_request.acting_chair_id)


def can_decide(user: User, gate_request: GateRequest) -> bool:
    return bool(deciding_as(user, gate_request))


def decide_denied_message(user: User, gate_request: GateRequest) -> str:
    """Why `user` may not decide: recused chair (name an acting chair) or not the chair."""
    if chair_is_recused(user, gate_request.initiative):
        return CHAIR_RECUSED_MESSAGE
    return CHAIR_ONLY_MESSAGE


def can_name_acting_chair(user: User) -> bool:
    """The chair (recused or not: naming a stand-in is how a recused chair steps aside) or a
    governance admin."""
    return is_chair(user) or has_role(user, Role.GOVERNANCE_ADMIN)


def acting_chair_problem(member: User, initiative: Initiative) -> str:
    """Why `member` cannot be named acting chair for a decision on `initiative` ("" when they
    can): they must hold an active council seat, not be the chair, and not be recused."""
    membership = council_membership(member)
    if membership is None or not member.is_active or not has_role(member, Role.COUNCIL_MEMBER):
        return f"{display_name(member)} holds no active council seat."
    if membership.is_chair:
        return "The chair decides as chair; name another council member."
    if role := recused_as(member.pk, initiative):
        return f"{display_name(member)} is recused: the initiative's {role}."
    return ""


def can_change_status(user: User) -> bool:
    """Pause, resume or stop outside a gate request: the chair or a governance admin."""
    return has_role(user, Role.GOVERNANCE_ADMIN) or is_chair(user)


def can_withdraw_request(user: User, initiative: Initiative, requested_by_id: int) -> bool:
    """The requester, the initiative's owners (who could have filed it) or a governance admin."""
    if not has_any_role(user):
        return False
    return user.pk == requested_by_id or can_request_gate(user, initiative)


def can_review_items(user: User) -> bool:
    """Council members and governance admins record the explicit review of an area scored 1.

    Admins too, so an area at 1 never waits on a council that cannot meet. Who owns or
    sponsors the initiative is recused whatever their role: see `may_review_initiative`.
    """
    return has_role(user, Role.COUNCIL_MEMBER, Role.GOVERNANCE_ADMIN)


def can_resolve_rereview(user: User) -> bool:
    """Confirm a re-review or send it back: the same people who review areas scored 1."""
    return can_review_items(user)


def may_review_initiative(user: User, initiative: Initiative) -> bool:
    """`user` may review areas of `initiative` (and resolve its re-reviews): the role, and not
    recused as its owner or sponsor. Pages ask it to show or hide the forms; the services
    check the same two things and say which one failed."""
    user_id = user.pk if user.is_authenticated else None
    return can_review_items(user) and not recused_as(user_id, initiative)


def can_edit_policies(user: User) -> bool:
    return has_role(user, Role.GOVERNANCE_ADMIN)


def can_view_queue(user: User) -> bool:
    """The council works the queue; admins run it; auditors read everything."""
    return has_role(user, Role.COUNCIL_MEMBER, Role.GOVERNANCE_ADMIN, Role.AUDITOR)


def can_request_autonomy_promotion(user: User, initiative: Initiative) -> bool:
    """Who may file a gate request may ask to raise the autonomy level: the owners or an admin."""
    return can_request_gate(user, initiative)


def autonomy_deciding_as(user: User, promotion: AutonomyPromotion) -> str:
    """In what capacity `user` may decide `promotion` ("" when they may not): as for a gate
    request, the chair unless recused, else the acting chair named for the promotion. Who
    names one is `can_name_acting_chair`, as for gate requests."""
    return chair_capacity(user, promotion.initiative, promotion.acting_chair_id)


def can_decide_autonomy_promotion(user: User, promotion: AutonomyPromotion) -> bool:
    return bool(autonomy_deciding_as(user, promotion))


def autonomy_decide_denied_message(user: User, promotion: AutonomyPromotion) -> str:
    """Why `user` may not decide: recused chair (name an acting chair) or not the chair."""
    if chair_is_recused(user, promotion.initiative):
        return PROMOTION_CHAIR_RECUSED_MESSAGE
    return PROMOTION_DECIDE_DENIED_MESSAGE


def can_withdraw_autonomy_promotion(
    user: User, initiative: Initiative, requested_by_id: int
) -> bool:
    """The requester, the initiative's owners (who could have filed it) or a governance admin."""
    return can_withdraw_request(user, initiative, requested_by_id)
