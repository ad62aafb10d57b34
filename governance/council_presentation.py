"""Gate policies in words, for the policy pages and the API (pure: values in, text out).

A governance admin reads "Readiness scorecard submitted within 90 days, total at least 55 …",
not {"id": "scorecard_ready", "params": {...}}. The wording is governance.rules'
`criterion_label`, the same the gate request page shows, so the two never disagree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from core.roles import ROLE_LABELS, Role
from governance.models import Seat
from governance.rules import CRITERIA, criterion_label


@dataclass(frozen=True)
class CriterionText:
    id: str
    name: str  # the criterion in general ("Readiness scorecard ready")
    text: str  # with this version's numbers ("… within 90 days, total at least 55 …")


def criterion_name(criterion_id: str) -> str:
    entry = CRITERIA.get(criterion_id)
    return entry.label if entry else criterion_label(criterion_id)


def describe_criteria(criteria: Sequence[Mapping[str, Any]]) -> list[CriterionText]:
    """Each criterion of a policy version, named and spelled out with its parameters."""
    return [
        CriterionText(
            id=str(criterion.get("id", "")),
            name=criterion_name(str(criterion.get("id", ""))),
            text=criterion_label(str(criterion.get("id", "")), criterion.get("params") or {}),
        )
        for criterion in criteria
    ]


def seat_labels(seats: Sequence[str]) -> list[str]:
    labels = dict(Seat.choices)
    return [labels.get(seat, seat) for seat in seats]


def role_labels(roles: Sequence[str]) -> list[str]:
    known = {role.value: ROLE_LABELS[role] for role in Role}
    return [known.get(role, role) for role in roles]
