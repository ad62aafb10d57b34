"""The "Stage gate" section of the initiative page, registered with portfolio.panels.

It says where the initiative stands with the council: a pending request and its votes, the
pilot purgatory flag, an open re-review and what changed (with the forms to confirm it or send
it back, for those who may), a pause or stop and why, a pending autonomy promotion, and the
buttons the viewer may use (including "Request promotion to <level>": raising the autonomy level
is not an edit of the initiative). Everything comes from one query on the initiative
(subqueries), plus the viewer's council membership when they are a council member: the
initiative page pins its query count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, IntegerField, JSONField, OuterRef, Subquery
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString

from core.models import AuditEvent
from governance.council.permissions import recused_as
from governance.gates import permissions
from governance.gates.autonomy_rules import level_name, next_autonomy_level
from governance.gates.forms import rereview_confirm_form, rereview_send_back_form
from governance.gates.selectors import annotate_pilot_purgatory
from governance.models import (
    AutonomyPromotion,
    AutonomyPromotionStatus,
    GateException,
    GateRequest,
    GateRequestStatus,
    ReReview,
    Vote,
)
from portfolio.models import Initiative, Status
from portfolio.vocabulary import STAGE_LABELS, next_stage

# The overrides the council granted, newest first: the exceptions this initiative moved on.
EXCEPTIONS_SHOWN = 5


@dataclass(frozen=True)
class PendingRequest:
    pk: int
    to_stage_label: str
    requested_at: datetime
    review_due_at: datetime
    votes_cast: int
    quorum: int
    overdue: bool


@dataclass(frozen=True)
class PendingPromotion:
    pk: int
    to_level_name: str
    requested_at: datetime


@dataclass(frozen=True)
class GatePanelState:
    pending: PendingRequest | None
    pending_promotion: PendingPromotion | None
    in_pilot_purgatory: bool
    days_without_decision: int | None
    rereview_changes: list[dict[str, Any]] | None
    rereview_raised_at: datetime | None
    rereview_id: int | None
    status_reason: str


def _pending(field: str, output_field: Any = None) -> Subquery:
    pending = GateRequest.objects.filter(
        initiative_id=OuterRef("pk"), status=GateRequestStatus.PENDING
    )
    return Subquery(pending.values(field)[:1], output_field=output_field)


def _shown(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value) or "none"
    return "—" if value in (None, "") else str(value)


def _change_shown(change: Any) -> dict[str, str]:
    """A re-review change ({field, label, before, after}) as text for the page."""
    change = change if isinstance(change, dict) else {}
    return {
        "label": str(change.get("label") or change.get("field") or "Change"),
        "before": _shown(change.get("before")),
        "after": _shown(change.get("after")),
    }


def gate_panel_state(initiative: Initiative, now: datetime) -> GatePanelState:
    """The panel's facts about `initiative`, in one query."""
    votes_cast = (
        Vote.objects.filter(request__initiative_id=OuterRef("pk"), request__status="pending")
        .order_by()
        .values("request__initiative_id")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    rereview = ReReview.objects.filter(initiative_id=OuterRef("pk"), resolved_at__isnull=True)
    promotion = AutonomyPromotion.objects.filter(
        initiative_id=OuterRef("pk"), status=AutonomyPromotionStatus.PENDING
    )
    status_change = AuditEvent.objects.filter(
        initiative_id=OuterRef("pk"), action="initiative.status_changed"
    ).order_by("-sequence")
    row = (
        annotate_pilot_purgatory(Initiative.objects.filter(pk=initiative.pk), now)
        .annotate(
            pending_id=_pending("pk"),
            pending_to_stage=_pending("to_stage"),
            pending_requested_at=_pending("requested_at"),
            pending_review_due_at=_pending("review_due_at"),
            pending_quorum=_pending("policy_version__quorum", IntegerField()),
            pending_votes=Subquery(votes_cast, output_field=IntegerField()),
            rereview_changes=Subquery(rereview.values("changes")[:1], output_field=JSONField()),
            rereview_raised_at=Subquery(rereview.values("raised_at")[:1]),
            rereview_id=Subquery(rereview.values("pk")[:1]),
            status_reason=Subquery(status_change.values("reason")[:1]),
            promotion_id=Subquery(promotion.values("pk")[:1]),
            promotion_to_level=Subquery(promotion.values("to_level")[:1]),
            promotion_requested_at=Subquery(promotion.values("requested_at")[:1]),
        )
        .values(
            "in_pilot_purgatory",
            "pilot_clock_started_at",
            "pending_id",
            "pending_to_stage",
            "pending_requested_at",
            "pending_review_due_at",
            "pending_quorum",
            "pending_votes",
            "rereview_changes",
            "rereview_raised_at",
            "rereview_id",
            "status_reason",
            "promotion_id",
            "promotion_to_level",
            "promotion_requested_at",
        )
        .get()
    )
    pending = None
    if row["pending_id"] is not None:
        pending = PendingRequest(
            pk=row["pending_id"],
            to_stage_label=STAGE_LABELS.get(row["pending_to_stage"], row["pending_to_stage"]),
            requested_at=row["pending_requested_at"],
            review_due_at=row["pending_review_due_at"],
            votes_cast=row["pending_votes"] or 0,
            quorum=row["pending_quorum"],
            overdue=row["pending_review_due_at"] < now,
        )
    started = row["pilot_clock_started_at"]
    pending_promotion = None
    if row["promotion_id"] is not None:
        pending_promotion = PendingPromotion(
            pk=row["promotion_id"],
            to_level_name=level_name(row["promotion_to_level"]),
            requested_at=row["promotion_requested_at"],
        )
    return GatePanelState(
        pending=pending,
        pending_promotion=pending_promotion,
        in_pilot_purgatory=bool(row["in_pilot_purgatory"]),
        days_without_decision=(now - started).days if started else None,
        rereview_changes=None
        if row["rereview_changes"] is None
        else [_change_shown(change) for change in row["rereview_changes"] or []],
        rereview_raised_at=row["rereview_raised_at"],
        rereview_id=row["rereview_id"],
        status_reason=row["status_reason"] or "",
    )


def gate_panel(request: HttpRequest, initiative: Initiative) -> SafeString | None:
    if not permissions.can_view_governance(request.user):
        return None
    state = gate_panel_state(initiative, timezone.now())
    to_stage = next_stage(initiative.stage)
    user = request.user
    can_change = permissions.can_change_status(user)
    to_level = next_autonomy_level(initiative.autonomy_level)
    rereview_open = state.rereview_id is not None
    may_resolve = rereview_open and permissions.may_review_initiative(user, initiative)
    exceptions = list(
        GateException.objects.filter(initiative_id=initiative.pk)
        .select_related("granted_by", "gate_request")
        .order_by("-granted_at", "-pk")[: EXCEPTIONS_SHOWN + 1]
    )
    return render_to_string(
        "governance/gates/_panel.html",
        {
            "initiative": initiative,
            "state": state,
            "exceptions": exceptions[:EXCEPTIONS_SHOWN],
            "more_exceptions": len(exceptions) > EXCEPTIONS_SHOWN,
            "next_stage_label": STAGE_LABELS.get(to_stage or "", ""),
            "can_request": to_stage is not None
            and state.pending is None
            and initiative.status == Status.ACTIVE
            and permissions.can_request_gate(user, initiative),
            "autonomy_level_name": level_name(initiative.autonomy_level),
            "next_level_name": level_name(to_level) if to_level else "",
            "can_request_promotion": to_level is not None
            and state.pending_promotion is None
            and initiative.status == Status.ACTIVE
            and permissions.can_request_autonomy_promotion(user, initiative),
            "can_pause": can_change and initiative.status == Status.ACTIVE,
            "can_resume": can_change and initiative.status == Status.PAUSED,
            "can_stop": can_change and initiative.status != Status.STOPPED,
            # The council confirms a re-review or sends it back right here (or on its page).
            "rereview_confirm_form": rereview_confirm_form() if may_resolve else None,
            "rereview_send_back_form": rereview_send_back_form() if may_resolve else None,
            "rereview_recusal": recused_as(user.pk, initiative)
            if rereview_open and permissions.can_resolve_rereview(user)
            else "",
        },
        request=request,
    )
