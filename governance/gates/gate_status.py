"""Whether an initiative is approved for a stage: the answer deployment pipelines ask for.

`decide_gate_status` is the rule (plain values in, a frozen result that says why out);
`initiative_gate_status` loads what the rule needs in two queries.

Approved for a stage means all of:
- the initiative is at that stage or a later one (lifecycle order, not alphabetical);
- it is active (paused and stopped initiatives are approved for nothing);
- no re-review is open (a material change since approval must be looked at again): approved
  again once the council confirms it; after it is sent back the initiative is back in the stage
  before its last go, so it has not reached the stage that go approved;
- beyond exploration, a council "go" took it into that stage, or into a later stage it has
  reached (a later go presupposes the earlier stage). A stage set directly by a governance admin
  has no gate decision behind it and is *not* approved: pipelines deploy only what a gate passed.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from governance.council.rules import describe_rereview_changes
from governance.models import Decision, GateRequest, GateRequestStatus, ReReview
from portfolio.models import STAGE_ORDER, Initiative, Stage, Status
from portfolio.vocabulary import STAGE_LABELS


@dataclass(frozen=True)
class GateDecisionFacts:
    """A recorded gate decision, as the rule needs it."""

    gate_request_id: int
    to_stage: str
    decision: str
    decided_at: datetime.datetime | None
    decided_by: Any = None  # the deciding user, passed through for the response


@dataclass(frozen=True)
class GateStatus:
    initiative_id: int
    stage: str
    approved: bool
    current_stage: str
    status: str
    reasons: tuple[str, ...]
    decision: GateDecisionFacts | None
    rereview_open: bool


def stage_rank(stage: str) -> int:
    return STAGE_ORDER.index(stage)


def decide_gate_status(
    *,
    initiative_id: int,
    stage: str,
    current_stage: str,
    status: str,
    open_rereview_changes: Any | None,
    decisions: Sequence[GateDecisionFacts],
    open_rereview_raised_at: datetime.datetime | None = None,
) -> GateStatus:
    """The gate status of an initiative for `stage`, with every reason that applies.

    `open_rereview_changes` is the changes list of the open ReReview, or None when none is
    open (`open_rereview_raised_at` says since when); `decisions` are the initiative's decided
    gate requests, newest first. When approved, `reasons` says what approved it; otherwise it
    lists every blocking reason, not just the first, so a pipeline log tells the whole story.
    """
    if stage not in STAGE_ORDER:
        raise ValueError(f"unknown stage {stage!r}")
    label = STAGE_LABELS[stage]
    blocking: list[str] = []
    if status == Status.PAUSED:
        blocking.append("paused (hold): a paused initiative is approved for no stage until resumed")
    elif status == Status.STOPPED:
        blocking.append("stopped (kill / sunset): a stopped initiative is approved for no stage")

    reached = stage_rank(current_stage) >= stage_rank(stage)
    if not reached:
        blocking.append(
            f"stage not reached: the initiative is in {STAGE_LABELS[current_stage]}, before {label}"
        )
    rereview_open = open_rereview_changes is not None
    if rereview_open:
        since = (
            f" since {timezone.localdate(open_rereview_raised_at).isoformat()}"
            if open_rereview_raised_at is not None
            else ""
        )
        blocking.append(
            f"re-review pending{since}: {describe_rereview_changes(open_rereview_changes)}"
        )

    shown: GateDecisionFacts | None = None
    granted_by: str | None = None
    if stage != Stage.EXPLORATION:
        into_stage = [d for d in decisions if d.to_stage == stage]
        # A go into a later stage the initiative has reached covers this one: the council saw
        # the initiative at this stage when it approved the next.
        covering = [
            d
            for d in decisions
            if d.decision == Decision.GO
            and stage_rank(stage) < stage_rank(d.to_stage) <= stage_rank(current_stage)
        ]
        go_into_stage = next((d for d in into_stage if d.decision == Decision.GO), None)
        if go_into_stage is not None:
            shown = go_into_stage
            granted_by = f"go decision into {label} (gate request #{shown.gate_request_id})"
        elif covering:
            shown = min(covering, key=lambda d: stage_rank(d.to_stage))  # the nearest later go
            granted_by = (
                f"go decision into {STAGE_LABELS[shown.to_stage]}, a later stage "
                f"(gate request #{shown.gate_request_id})"
            )
        elif into_stage:
            shown = into_stage[0]
            if reached:
                blocking.append(
                    f"no go decision: the latest gate decision into {label} was "
                    f"{shown.decision} (gate request #{shown.gate_request_id})"
                )
        elif reached:
            blocking.append(
                f"set by governance admin, no gate decision: {label} was reached without "
                "a council go decision"
            )
    approved = not blocking
    if approved:
        if granted_by is None:
            reasons: tuple[str, ...] = (
                f"{label} needs no gate decision; the initiative is active and in "
                f"{STAGE_LABELS[current_stage]}",
            )
        else:
            reasons = (f"approved by a {granted_by}",)
    else:
        reasons = tuple(blocking)
    return GateStatus(
        initiative_id=initiative_id,
        stage=stage,
        approved=approved,
        current_stage=current_stage,
        status=status,
        reasons=reasons,
        decision=shown,
        rereview_open=rereview_open,
    )


def initiative_gate_status(initiative: Initiative, stage: str) -> GateStatus:
    """Load the open re-review and the decided gate requests (two queries) and decide."""
    rereview = (
        ReReview.objects.filter(initiative_id=initiative.pk, resolved_at__isnull=True)
        .only("changes", "raised_at")
        .first()
    )
    requests = (
        GateRequest.objects.filter(
            initiative_id=initiative.pk,
            status=GateRequestStatus.DECIDED,
            to_stage__in=STAGE_ORDER[stage_rank(stage) :],
        )
        .select_related("decided_by")
        .only(
            "id",
            "to_stage",
            "decision",
            "decided_at",
            "decided_by__id",
            "decided_by__username",
            "decided_by__first_name",
            "decided_by__last_name",
        )
        .order_by("-decided_at", "-id")
    )
    decisions = [
        GateDecisionFacts(
            gate_request_id=request.pk,
            to_stage=request.to_stage,
            decision=request.decision,
            decided_at=request.decided_at,
            decided_by=request.decided_by,
        )
        for request in requests
    ]
    return decide_gate_status(
        initiative_id=initiative.pk,
        stage=stage,
        current_stage=initiative.stage,
        status=initiative.status,
        open_rereview_changes=rereview.changes if rereview is not None else None,
        open_rereview_raised_at=rereview.raised_at if rereview is not None else None,
        decisions=decisions,
    )
