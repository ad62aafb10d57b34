"""Who stood in for the chair on a gate request, and why, as the page, the API and the audit
trail all tell it.

The chair names an acting chair when recused from the initiative, or when they cannot be there
to decide (they are then not recused, and either of the two may record the decision: the first
one recorded stands); a governance admin may name one too, e.g. when the council has no chair.
So "acting chair" alone does not mean "the chair is recused": what the chair's position was is
frozen in the decision's `gate_request.decided` event (the chair's stake in the initiative, or
who chairs, may change later), and who named the acting chair is the actor of the latest
`gate_request.acting_chair_named` event. The request row keeps only who the acting chair is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model

from core.models import AuditEvent
from core.people import display_name
from core.roles import User
from governance.council.permissions import recused_as
from governance.models import CouncilMembership, DecidedAs, GateRequest, GateRequestStatus
from portfolio.models import Initiative

NAMED_ACTION = "gate_request.acting_chair_named"
DECIDED_ACTION = "gate_request.decided"


@dataclass(frozen=True)
class ChairPosition:
    """The sitting chair (None when the council has none) and what recuses them from an
    initiative ("" when nothing does)."""

    chair: User | None
    recused_as: str

    def sentence(self, *, decided: bool = False) -> str:
        """In the present while the request is pending; in the past once it is decided."""
        if self.chair is None:
            return "The council had no chair." if decided else "The council has no chair."
        name = display_name(self.chair)
        if self.recused_as:
            verb = "was" if decided else "is"
            return f"The chair, {name}, {verb} recused: the initiative's {self.recused_as}."
        if decided:
            return f"The chair, {name}, was not recused: the acting chair stood in for them."
        return (
            f"The chair, {name}, is not recused: either of them may record the decision, and "
            "the first one recorded stands."
        )


@dataclass(frozen=True)
class ActingChairAccount:
    """What the record says about an acting chair on one request."""

    acting_chair: User | None
    named_by: User | None
    # None when not known: a decision recorded before the chair's position was kept with it.
    position: ChairPosition | None
    decided: bool

    @property
    def chair_recused(self) -> bool | None:
        return None if self.position is None else bool(self.position.recused_as)

    def named_by_sentence(self) -> str:
        if self.named_by is None:
            return "acting chair"
        return f"acting chair, named by {display_name(self.named_by)}"

    def position_sentence(self) -> str:
        return "" if self.position is None else self.position.sentence(decided=self.decided)


def chair_position(initiative: Initiative) -> ChairPosition:
    """The sitting chair and whether they are recused from `initiative`, now."""
    membership = (
        CouncilMembership.objects.filter(is_chair=True, active=True).select_related("user").first()
    )
    chair = membership.user if membership is not None else None
    return ChairPosition(chair, recused_as(chair.pk if chair else None, initiative))


def _events(gate_request: GateRequest, action: str) -> Any:
    return AuditEvent.objects.filter(
        object_type=GateRequest._meta.label_lower, object_id=str(gate_request.pk), action=action
    ).order_by("-sequence")


def named_by_id(gate_request: GateRequest) -> int | None:
    """Who named the request's current acting chair (the latest naming event's actor)."""
    event = _events(gate_request, NAMED_ACTION).only("actor_id").first()
    return event.actor_id if event is not None else None


def decision_record(gate_request: GateRequest, initiative: Initiative) -> dict[str, list[Any]]:
    """What a decision by the acting chair adds to its audit event: who named them, and the
    chair's position when the decision was taken."""
    position = chair_position(initiative)
    return {
        "acting_chair_named_by": [None, named_by_id(gate_request)],
        "chair": [None, position.chair.pk if position.chair else None],
        "chair_recused_as": [None, position.recused_as],
    }


def acting_chair_account(gate_request: GateRequest) -> ActingChairAccount | None:
    """The acting chair who decided `gate_request`, or who is named for it while it is
    pending, with who named them and the chair's position; None when there is none.

    Two queries, and none at all for a request no acting chair is involved in.
    """
    if gate_request.status == GateRequestStatus.DECIDED:
        if gate_request.decided_as != DecidedAs.ACTING_CHAIR:
            return None
        event = _events(gate_request, DECIDED_ACTION).only("changes").first()
        changes = event.changes if event is not None else {}
        named_by_pk = (changes.get("acting_chair_named_by") or [None, None])[1]
        chair_pk = (changes.get("chair") or [None, None])[1]
        people = get_user_model().objects.in_bulk([pk for pk in (named_by_pk, chair_pk) if pk])
        position = (
            ChairPosition(people.get(chair_pk), changes["chair_recused_as"][1])
            if "chair_recused_as" in changes
            else None
        )
        return ActingChairAccount(
            gate_request.decided_by, people.get(named_by_pk), position, decided=True
        )
    if gate_request.status != GateRequestStatus.PENDING or gate_request.acting_chair_id is None:
        return None
    event = _events(gate_request, NAMED_ACTION).select_related("actor").first()
    return ActingChairAccount(
        gate_request.acting_chair,
        event.actor if event is not None else None,
        chair_position(gate_request.initiative),
        decided=False,
    )
