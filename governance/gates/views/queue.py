"""The council's review queue: pending and decided requests, re-reviews needed, areas scored 1
awaiting review, pending autonomy promotions, and pilot purgatory: every flag, with who
resolves it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from core.listing import query_without, results_template
from core.permissions import role_required
from governance.council.permissions import recused_as
from governance.council.rules import rereview_change_lines
from governance.gates import permissions, selectors
from governance.gates.autonomy_rules import level_name
from governance.gates.forms import QueueFilterForm
from governance.gates.presentation import SEAT_LABELS
from governance.models import (
    AutonomyPromotion,
    AutonomyPromotionStatus,
    GateRequest,
    GateRequestStatus,
    ReReview,
    Vote,
)
from portfolio.models import Initiative

QUEUE_PAGE_SIZE = 25


# The queue lists the initiatives stuck longest in pilot; the API lists them all.
PURGATORY_SHOWN = 50
# Pending autonomy promotions, oldest first; the API lists them all.
PROMOTIONS_SHOWN = 50
# And the re-reviews and areas at 1 waiting longest (the API lists them all).
REREVIEWS_SHOWN = 50
AREAS_SHOWN = 50


@dataclass(frozen=True)
class QueueRow:
    entry: selectors.QueueEntry
    my_recusal: str

    @property
    def gate_request(self) -> GateRequest:
        return self.entry.request

    @property
    def missing_seat_labels(self) -> list[str]:
        return [SEAT_LABELS.get(seat, seat) for seat in self.entry.tally.missing_seats]


def decided_entries(user: Any, page_of_requests: Iterable[GateRequest]) -> list[Any]:
    """Queue entries for decided requests (the queue's "all decided" filter)."""
    entries = []
    for gate_request in page_of_requests:
        votes = list(gate_request.votes.all())
        entries.append(
            selectors.QueueEntry(
                request=gate_request,
                tally=selectors.request_tally(gate_request, votes),
                overdue=False,
                recused=bool(recused_as(user.pk, gate_request.initiative)),
                my_vote=next((vote for vote in votes if vote.voter_id == user.pk), None),
                in_pilot_purgatory=False,
                go_blockers=(),
            )
        )
    return entries


def decided_requests() -> Any:
    return (
        GateRequest.objects.filter(status=GateRequestStatus.DECIDED)
        .select_related("initiative", "requested_by", "decided_by", "policy_version")
        .prefetch_related(
            Prefetch(
                "votes",
                queryset=Vote.objects.only("id", "request_id", "voter_id", "seat", "choice"),
            )
        )
        .order_by("-decided_at", "-pk")
    )


@dataclass(frozen=True)
class PromotionRow:
    promotion: AutonomyPromotion

    @property
    def from_level_name(self) -> str:
        return level_name(self.promotion.from_level)

    @property
    def to_level_name(self) -> str:
        return level_name(self.promotion.to_level)


def pending_promotions() -> list[AutonomyPromotion]:
    """The oldest PROMOTIONS_SHOWN + 1 pending promotions (one query; the extra one says
    "more")."""
    return list(
        AutonomyPromotion.objects.filter(status=AutonomyPromotionStatus.PENDING)
        .select_related("initiative", "requested_by")
        .order_by("requested_at", "pk")[: PROMOTIONS_SHOWN + 1]
    )


@dataclass(frozen=True)
class PurgatoryRow:
    initiative: Initiative
    days: int


@dataclass(frozen=True)
class RereviewRow:
    rereview: ReReview
    changes: list[str]
    days: int
    my_recusal: str


@dataclass(frozen=True)
class AreaRow:
    area: selectors.AreaAwaitingReview
    my_recusal: str


@role_required(permissions.can_view_queue, permissions.QUEUE_DENIED_MESSAGE)
@require_GET
def council_queue(request: HttpRequest) -> TemplateResponse:
    now = timezone.now()
    show = QueueFilterForm(request.GET or None).show_value()
    # Shown unbound with the filter in effect, so "Pending" is checked on the first visit too.
    filter_form = QueueFilterForm(initial={"show": show})
    page_number = request.GET.get("page")
    if show == "decided":
        page = Paginator(decided_requests(), QUEUE_PAGE_SIZE).get_page(page_number)
        entries = decided_entries(request.user, page.object_list)
    else:
        # Sliced in SQL (overdue first, then by due date): only the page's requests and their
        # votes are read, however long the queue.
        pending = selectors.pending_queue(now, overdue_only=show == "overdue")
        page = Paginator(pending, QUEUE_PAGE_SIZE).get_page(page_number)
        entries = selectors.review_queue(request.user, now, page.object_list)
    template = results_template(request, "governance/gates/queue.html", "queue-results")
    stuck = list(selectors.pilot_purgatory_initiatives(now)[: PURGATORY_SHOWN + 1])
    purgatory = [
        PurgatoryRow(initiative=initiative, days=(now - initiative.pilot_clock_started_at).days)
        for initiative in stuck[:PURGATORY_SHOWN]
    ]
    promotions = pending_promotions()
    user_id = request.user.pk
    rereviews = list(selectors.open_rereviews()[: REREVIEWS_SHOWN + 1])
    areas = selectors.areas_awaiting_review(limit=AREAS_SHOWN)
    return TemplateResponse(
        request,
        template,
        {
            "filter_form": filter_form,
            "show": show,
            "page": page,
            "rows": [
                QueueRow(
                    entry=entry,
                    my_recusal=recused_as(request.user.pk, entry.request.initiative),
                )
                for entry in entries
            ],
            "query_without_page": query_without(request, "page"),
            "purgatory": purgatory,
            "purgatory_more": len(stuck) > PURGATORY_SHOWN,
            "purgatory_days": settings.PILOT_PURGATORY_DAYS,
            "promotions": [PromotionRow(p) for p in promotions[:PROMOTIONS_SHOWN]],
            "promotions_more": len(promotions) > PROMOTIONS_SHOWN,
            "rereviews": [
                RereviewRow(
                    rereview=rereview,
                    changes=rereview_change_lines(rereview.changes),
                    days=(now - rereview.raised_at).days,
                    my_recusal=recused_as(user_id, rereview.initiative),
                )
                for rereview in rereviews[:REREVIEWS_SHOWN]
            ],
            "rereviews_more": len(rereviews) > REREVIEWS_SHOWN,
            "areas": [
                AreaRow(area=area, my_recusal=recused_as(user_id, area.assessment.initiative))
                for area in areas.shown
            ],
            "areas_count": areas.count,
            "may_review": permissions.can_review_items(request.user),
            "may_vote": permissions.can_vote(request.user),
        },
    )
