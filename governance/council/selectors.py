"""Reads behind the council's pages and API: decisions of a meeting, attendees.

Each runs a fixed number of queries whatever the number of initiatives or gate requests, so
the pages built on them can pin their query counts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q

from governance.models import CouncilMeeting, GateRequest, Seat, Vote, VoteChoice


@dataclass(frozen=True)
class DecisionRow:
    """A gate request decided in a meeting, with how the council voted on it."""

    request: GateRequest
    approvals: int
    approvals_with_conditions: int
    rejections: int
    abstentions: int

    @property
    def votes_summary(self) -> str:
        parts = [
            (self.approvals, "approve"),
            (self.approvals_with_conditions, "approve with conditions"),
            (self.rejections, "reject"),
            (self.abstentions, "abstain"),
        ]
        text = ", ".join(f"{count} {label}" for count, label in parts if count)
        return text or "no votes"


def _vote_count(choice: str) -> Count:
    return Count("votes", filter=Q(votes__choice=choice))


def meeting_decisions(meeting: CouncilMeeting) -> list[DecisionRow]:
    """The gate decisions linked to the meeting, oldest first, with vote counts (one query)."""
    requests = (
        GateRequest.objects.filter(meeting=meeting)
        .select_related("initiative", "decided_by")
        .annotate(
            n_approve=_vote_count(VoteChoice.APPROVE),
            n_conditions=_vote_count(VoteChoice.APPROVE_WITH_CONDITIONS),
            n_reject=_vote_count(VoteChoice.REJECT),
            n_abstain=_vote_count(VoteChoice.ABSTAIN),
        )
        .order_by("decided_at", "id")
    )
    return [
        DecisionRow(
            request=request,
            approvals=request.n_approve,
            approvals_with_conditions=request.n_conditions,
            rejections=request.n_reject,
            abstentions=request.n_abstain,
        )
        for request in requests
    ]


@dataclass
class Attendee:
    name: str
    seats: list[str] = field(default_factory=list)


def meeting_attendees(meeting: CouncilMeeting) -> list[Attendee]:
    """Council members who voted on a decision linked to the meeting, with seats (one query).

    Gatehouse keeps no roll call; who voted on the meeting's decisions is the record it has.
    The seat is the one the member held when voting (Vote.seat).
    """
    rows = (
        Vote.objects.filter(request__meeting=meeting)
        .values("voter_id", "voter__first_name", "voter__last_name", "voter__username", "seat")
        .distinct()
        .order_by("voter__first_name", "voter__last_name", "voter__username", "seat")
    )
    labels = dict(Seat.choices)
    people: dict[int, Attendee] = {}
    for row in rows:
        full = f"{row['voter__first_name']} {row['voter__last_name']}".strip()
        person = people.setdefault(row["voter_id"], Attendee(full or row["voter__username"]))
        seat = labels.get(row["seat"], row["seat"])
        if seat and seat not in person.seats:
            person.seats.append(seat)
    return list(people.values())
