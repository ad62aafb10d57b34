"""Gates and policies in words, for pages and the API: criteria with their evidence links,
the request page's preview, recusals, seats and roles (pure apart from URL reversing).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils import timezone

from core.roles import ROLE_LABELS, Role
from governance.council import permissions as council_permissions
from governance.council import rules as council_rules
from governance.gates import selectors
from governance.gates.criterion_rules import CRITERIA, criterion_label
from governance.gates.rules import GoCheck, evaluate_gate, go_check
from governance.models import CouncilMembership, Decision, GatePolicyVersion, GateRequest, Seat
from portfolio.models import Initiative
from portfolio.vocabulary import STAGE_LABELS


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


SEAT_LABELS = dict(Seat.choices)
EVIDENCE_LINK_TEXT = {
    "problem_statement": "Problem statement",
    "initiative": "Initiative",
    "assessment": "Assessment",
    "risk": "Risk register",
    "incident": "Incidents",
}


@dataclass(frozen=True)
class CriterionRow:
    id: str
    label: str
    passed: bool
    detail: str
    href: str
    link_text: str
    hard: bool = False


def evidence_href(kind: str, evidence_id: int | None, initiative_id: int) -> str:
    """Where the evidence for a criterion lives, for a link beside its pass or fail.

    The problem statement is read on the initiative page (everyone may see it there; its edit
    page is for owners only); the other kinds follow governance.gates.selectors.evidence_url.
    """
    if kind == "problem_statement":
        return reverse("portfolio:initiative_detail", args=[initiative_id]) + "#statement-heading"
    return selectors.evidence_url(kind, evidence_id, initiative_id) or reverse(
        "portfolio:initiative_detail", args=[initiative_id]
    )


def criterion_rows(results: Iterable[Any], initiative_id: int) -> list[CriterionRow]:
    """Rows for live CriterionResults or frozen evidence entries (their as_dict()) alike."""
    rows = []
    for result in results:
        entry = result if isinstance(result, Mapping) else result.as_dict()
        kind = entry.get("evidence_kind") or ""
        rows.append(
            CriterionRow(
                id=entry.get("id") or "",
                label=entry.get("label") or entry.get("id") or "",
                passed=bool(entry.get("passed")),
                detail=entry.get("detail") or "",
                href=evidence_href(kind, entry.get("evidence_id"), initiative_id),
                link_text=EVIDENCE_LINK_TEXT.get(kind, "Initiative"),
                hard=bool(entry.get("hard")),
            )
        )
    return rows


@dataclass(frozen=True)
class GatePreview:
    """What the request page shows before anything is filed."""

    to_stage: str | None
    policy_version: GatePolicyVersion | None
    criteria: list[CriterionRow]

    @property
    def failing(self) -> int:
        return sum(1 for row in self.criteria if not row.passed)

    @property
    def to_stage_label(self) -> str:
        return STAGE_LABELS.get(self.to_stage or "", "")


def gate_preview(initiative: Initiative) -> GatePreview:
    preview = selectors.gate_preview(initiative, timezone.localdate())
    if preview is None:
        return GatePreview(to_stage=None, policy_version=None, criteria=[])
    return GatePreview(
        to_stage=preview.to_stage,
        policy_version=preview.policy_version,
        criteria=criterion_rows(preview.results, initiative.pk),
    )


@dataclass(frozen=True)
class Recusal:
    member: Any
    seat: str
    seat_label: str
    reason: str


def council_recusals(initiative: Initiative) -> list[Recusal]:
    """Active council members who may not vote on `initiative`, and why (one query)."""
    owners = {owner for owner in council_permissions.initiative_owner_ids(initiative) if owner}
    members = (
        CouncilMembership.objects.filter(active=True, user_id__in=owners)
        .select_related("user")
        .order_by("seat", "user__username")
    )
    return [
        Recusal(
            member=member.user,
            seat=member.seat,
            seat_label=member.get_seat_display(),
            reason=council_permissions.recused_as(member.user_id, initiative),
        )
        for member in members
    ]


def decision_blockers(tally: council_rules.Tally, go: GoCheck | None = None) -> dict[str, str]:
    """{decision: why it cannot be chosen yet}; the service enforces the same tally and the
    same hard criteria (`go`: the live evaluation of the request's criteria)."""
    # A hard block is the more fundamental answer for go, as in the service: no vote lifts it.
    hard = {Decision.GO: go.blocked_reason()} if go is not None and go.blocked else {}
    if not tally.can_decide:
        why = f"Quorum not met: {tally.votes_cast} vote{'s' if tally.votes_cast != 1 else ''} cast"
        return {**dict.fromkeys(Decision.values, why), **hard}
    if hard:
        return hard
    if tally.can_go:
        return {}
    if tally.missing_seats:
        seats = ", ".join(SEAT_LABELS.get(seat, seat) for seat in tally.missing_seats)
        plural = "s" if len(tally.missing_seats) > 1 else ""
        return {Decision.GO: f"No approval yet from the required seat{plural}: {seats}"}
    return {Decision.GO: "Rejections outnumber approvals"}


def live_criteria(gate_request: GateRequest) -> tuple[list[CriterionRow], GoCheck]:
    """The request's criteria on the live record now (what a decision is held to), as rows,
    and what they say about a go."""
    results = evaluate_gate(
        gate_request.policy_version.criteria,
        selectors.gate_snapshot(gate_request.initiative, timezone.localdate()),
    )
    return criterion_rows(results, gate_request.initiative_id), go_check(results)
