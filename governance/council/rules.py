"""Pure rules of the council's votes: the tally, what blocks a go, recusal, conditions, and
how a re-review's material changes read.

Plain values in, frozen dataclasses out; nothing here touches the database.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, NamedTuple

SEAT_IDS: Final[tuple[str, ...]] = ("security", "legal", "data", "product", "executive")
VOTE_CHOICES: Final[tuple[str, ...]] = ("approve", "approve_with_conditions", "reject", "abstain")
APPROVING_CHOICES: Final[frozenset[str]] = frozenset({"approve", "approve_with_conditions"})


class VoteInput(NamedTuple):
    seat: str
    choice: str


@dataclass(frozen=True)
class Tally:
    approvals: int
    approvals_with_conditions: int
    rejections: int
    abstentions: int
    votes_cast: int
    quorum_met: bool
    missing_seats: tuple[str, ...]
    can_decide: bool
    can_go: bool

    @property
    def approving(self) -> int:
        return self.approvals + self.approvals_with_conditions


def tally(votes: Sequence[VoteInput], *, quorum: int, required_seats: Sequence[str]) -> Tally:
    """Count the votes on a gate request and say which decisions the chair may record.

    Guarantees: quorum counts every cast vote (abstentions too: the member took part);
    a required seat is met by an approve or approve-with-conditions from a member holding that
    seat; `can_decide` (hold or kill) = quorum met; `can_go` = can_decide, no required seat
    missing and more approving votes than rejections. Recused members never reach here.
    """
    counts = dict.fromkeys(VOTE_CHOICES, 0)
    approving_seats: set[str] = set()
    for vote in votes:
        if vote.choice not in counts:
            continue
        counts[vote.choice] += 1
        if vote.choice in APPROVING_CHOICES and vote.seat:
            approving_seats.add(vote.seat)
    votes_cast = sum(counts.values())
    quorum_met = votes_cast >= quorum
    missing = tuple(dict.fromkeys(s for s in required_seats if s not in approving_seats))
    approving = counts["approve"] + counts["approve_with_conditions"]
    return Tally(
        approvals=counts["approve"],
        approvals_with_conditions=counts["approve_with_conditions"],
        rejections=counts["reject"],
        abstentions=counts["abstain"],
        votes_cast=votes_cast,
        quorum_met=quorum_met,
        missing_seats=missing,
        can_decide=quorum_met,
        can_go=quorum_met and not missing and approving > counts["reject"],
    )


def go_blockers(result: Tally, *, quorum: int) -> tuple[str, ...]:
    """Why the chair cannot record "go" yet, in words (empty when they can)."""
    reasons: list[str] = []
    if not result.quorum_met:
        reasons.append(f"quorum is {quorum} votes and {result.votes_cast} were cast")
    if result.missing_seats:
        reasons.append(f"no approval yet from the {', '.join(result.missing_seats)} seat(s)")
    if result.approving <= result.rejections:
        reasons.append(
            f"{result.approving} approving vote(s) do not outnumber {result.rejections} "
            "rejection(s)"
        )
    return tuple(reasons)


def is_recused(voter_id: int | None, owner_ids: Iterable[int | None]) -> bool:
    """True when the voter owns or sponsors the initiative (a conflict of interest)."""
    return voter_id is not None and voter_id in {owner for owner in owner_ids if owner is not None}


def parse_conditions(text: str) -> tuple[str, ...]:
    """The conditions of an approve-with-conditions vote: one per non-blank line."""
    lines = (line.strip().lstrip("-•*").strip() for line in (text or "").splitlines())
    return tuple(line for line in lines if line)


def _plain(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "none"
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return str(value)


def rereview_change_lines(changes: Any) -> list[str]:
    """["Autonomy level: assistant → agent", …] from a ReReview's changes list
    ([{field, label, before, after}]); entries that are not mappings are skipped."""
    lines = []
    for change in changes if isinstance(changes, list) else []:
        if not isinstance(change, Mapping):
            continue
        label = change.get("label") or str(change.get("field", "")).replace("_", " ")
        lines.append(f"{label}: {_plain(change.get('before'))} → {_plain(change.get('after'))}")
    return lines


def describe_rereview_changes(changes: Any) -> str:
    """'Autonomy level: assistant → agent; Vendors: none → Acme AI' for a re-review's changes."""
    return "; ".join(rereview_change_lines(changes)) or "a material change since approval"
