"""Pages of the stage gates: request a gate, review and vote, decide, the council's queue,
and pause / resume / stop outside a request.

Views read, call a service and render; who may do what and whether the state allows it is
decided by governance.permissions and governance.services. Every form works without
JavaScript; htmx only swaps the council's review section after a vote.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.errors import ConflictError
from core.forms import add_service_errors
from core.listing import query_without, results_template
from core.roles import Role, has_role
from governance import permissions, rules, selectors, services
from governance.forms_gates import (
    DecisionForm,
    GateRequestForm,
    QueueFilterForm,
    ReasonForm,
    VoteForm,
    action_item_formset,
)
from governance.models import (
    CouncilMembership,
    Decision,
    GatePolicyVersion,
    GateRequest,
    GateRequestStatus,
    Seat,
    Vote,
    VoteChoice,
)
from portfolio.models import Initiative, Stage
from portfolio.permissions import get_initiative_for_user

QUEUE_PAGE_SIZE = 25
# The queue lists the initiatives stuck longest in pilot; the API lists them all.
PURGATORY_SHOWN = 50
SEAT_LABELS = dict(Seat.choices)
STAGE_LABELS = dict(Stage.choices)
# The words the pages use for why someone is recused (permissions.initiative_owner_ids decides
# who is).
RECUSAL_ROLES: tuple[tuple[str, str], ...] = (
    ("business_owner", "business owner"),
    ("delivery_owner", "delivery owner"),
    ("executive_sponsor", "executive sponsor"),
    ("value_owner", "value owner"),
    ("safety_owner", "safety owner"),
)
NO_ROLE_MESSAGE = "Your account has no Gatehouse role; ask a governance admin."


# ---------------------------------------------------------------------------------------------
# Shared helpers
# ---------------------------------------------------------------------------------------------


def _require_reader(request: HttpRequest) -> None:
    if not permissions.can_view_governance(request.user):
        raise PermissionDenied(NO_ROLE_MESSAGE)


def recusal_reason(user_id: int | None, initiative: Initiative) -> str:
    """Why `user_id` may not vote on `initiative` ("business owner"), or "" if they may."""
    if user_id is None or not rules.is_recused(
        user_id, permissions.initiative_owner_ids(initiative)
    ):
        return ""
    held = [
        label for field, label in RECUSAL_ROLES if getattr(initiative, f"{field}_id") == user_id
    ]
    return " and ".join(held) or "owner of the initiative"


# ---------------------------------------------------------------------------------------------
# Criteria and their evidence
# ---------------------------------------------------------------------------------------------

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


def evidence_href(kind: str, evidence_id: int | None, initiative_id: int) -> str:
    """Where the evidence for a criterion lives, for a link beside its pass or fail.

    The problem statement is read on the initiative page (everyone may see it there; its edit
    page is for owners only); the other kinds follow governance.selectors.evidence_url.
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


# ---------------------------------------------------------------------------------------------
# Request a gate
# ---------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def gate_request_create(request: HttpRequest, pk: int) -> HttpResponse:
    initiative = get_initiative_for_user(request.user, pk)
    if not permissions.can_request_gate(request.user, initiative):
        raise PermissionDenied(
            "Only this initiative's business or delivery owner, or a governance admin, "
            "can request a gate decision."
        )
    form = GateRequestForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            gate_request = services.gate_request_create(
                initiative=initiative,
                actor=request.user,
                justification=form.cleaned_data["justification"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
            status = 400
        except ConflictError as error:
            form.add_error(None, error.message)
            status = 409
        else:
            messages.success(
                request,
                f"Gate request filed: {gate_request.get_from_stage_display()} → "
                f"{gate_request.get_to_stage_display()}. The council has been asked to vote.",
            )
            return redirect("governance:gate_request_detail", pk=gate_request.pk)
    pending = (
        GateRequest.objects.filter(initiative=initiative, status=GateRequestStatus.PENDING)
        .only("id", "initiative_id", "to_stage", "requested_at")
        .first()
    )
    return TemplateResponse(
        request,
        "governance/gates/request_form.html",
        {
            "initiative": initiative,
            "form": form,
            "preview": gate_preview(initiative),
            "pending": pending,
        },
        status=status,
    )


# ---------------------------------------------------------------------------------------------
# One request: evidence, votes, tally, vote and decide
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recusal:
    member: Any
    seat: str
    seat_label: str
    reason: str


def council_recusals(initiative: Initiative) -> list[Recusal]:
    """Active council members who may not vote on `initiative`, and why (one query)."""
    owners = {owner for owner in permissions.initiative_owner_ids(initiative) if owner}
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
            reason=recusal_reason(member.user_id, initiative),
        )
        for member in members
    ]


def _get_gate_request(request: HttpRequest, pk: int) -> GateRequest:
    _require_reader(request)
    return get_object_or_404(
        GateRequest.objects.select_related(
            "initiative",
            "policy_version__policy",
            "requested_by",
            "decided_by",
            "meeting",
        ),
        pk=pk,
    )


def decision_blockers(tally: rules.Tally) -> dict[str, str]:
    """{decision: why it cannot be chosen yet}; the service enforces the same tally."""
    if not tally.can_decide:
        why = f"Quorum not met: {tally.votes_cast} vote{'s' if tally.votes_cast != 1 else ''} cast"
        return dict.fromkeys(Decision.values, why)
    if tally.can_go:
        return {}
    if tally.missing_seats:
        seats = ", ".join(SEAT_LABELS.get(seat, seat) for seat in tally.missing_seats)
        plural = "s" if len(tally.missing_seats) > 1 else ""
        return {Decision.GO: f"No approval yet from the required seat{plural}: {seats}"}
    return {Decision.GO: "Rejections outnumber approvals"}


def _review_context(
    request: HttpRequest,
    gate_request: GateRequest,
    *,
    vote_form: VoteForm | None = None,
    decision_form: DecisionForm | None = None,
    action_formset: Any = None,
    just_voted: str = "",
    review_error: str = "",
) -> dict[str, Any]:
    initiative = gate_request.initiative
    votes = list(gate_request.votes.select_related("voter").order_by("cast_at", "id"))
    tally = selectors.request_tally(gate_request, votes)
    recusals = council_recusals(initiative)
    user = request.user
    pending = gate_request.status == GateRequestStatus.PENDING
    my_vote = next((vote for vote in votes if vote.voter_id == user.pk), None)
    my_recusal = recusal_reason(user.pk, initiative)
    may_vote = (
        pending
        and not my_recusal
        and permissions.can_vote(user, gate_request.policy_version.decider_roles)
    )
    may_decide = pending and permissions.is_chair(user)
    blockers = decision_blockers(tally)
    if may_vote and vote_form is None:
        initial = (
            {"choice": my_vote.choice, "comment": my_vote.comment, "conditions": my_vote.conditions}
            if my_vote
            else {}
        )
        vote_form = VoteForm(initial=initial)
    if may_decide and decision_form is None:
        decision_form = DecisionForm(disabled=blockers)
    if may_decide and action_formset is None:
        action_formset = action_item_formset()
    conditions = [
        {"vote": vote, "lines": rules.parse_conditions(vote.conditions)}
        for vote in votes
        if vote.choice == VoteChoice.APPROVE_WITH_CONDITIONS
    ]
    return {
        "gate_request": gate_request,
        "initiative": initiative,
        "policy_version": gate_request.policy_version,
        "required_seat_labels": [
            SEAT_LABELS.get(seat, seat) for seat in gate_request.policy_version.required_seats
        ],
        "missing_seat_labels": [SEAT_LABELS.get(seat, seat) for seat in tally.missing_seats],
        "evidence": criterion_rows(gate_request.evidence or [], initiative.pk),
        "votes": votes,
        "tally": tally,
        "recusals": recusals,
        "conditions": conditions,
        "my_vote": my_vote,
        "my_recusal": my_recusal,
        "is_pending": pending,
        "overdue": pending and gate_request.review_due_at < timezone.now(),
        "just_voted": just_voted,
        "review_error": review_error,
        "may_vote": may_vote,
        "may_decide": may_decide,
        "vote_form": vote_form if may_vote else None,
        "decision_form": decision_form if may_decide else None,
        "action_formset": action_formset if may_decide else None,
        "decision_blockers": blockers,
        "may_withdraw": pending
        and permissions.can_withdraw_request(user, initiative, gate_request.requested_by_id),
        "action_items": (
            list(gate_request.action_items.select_related("owner"))
            if gate_request.status == GateRequestStatus.DECIDED
            else []
        ),
    }


@login_required
@require_GET
def gate_request_detail(request: HttpRequest, pk: int) -> TemplateResponse:
    gate_request = _get_gate_request(request, pk)
    template = "governance/gates/request_detail.html"
    # The tally polls itself so a reviewer sees other members' votes arrive.
    if request.htmx and request.htmx.target == "gate-tally":
        template += "#tally"
    return TemplateResponse(request, template, _review_context(request, gate_request))


def _review_response(
    request: HttpRequest, gate_request: GateRequest, *, status: int = 200, **forms: Any
) -> TemplateResponse:
    template = "governance/gates/request_detail.html"
    if request.htmx:
        template += "#review"
    return TemplateResponse(
        request, template, _review_context(request, gate_request, **forms), status=status
    )


@login_required
@require_POST
def gate_request_vote(request: HttpRequest, pk: int) -> HttpResponse:
    """Cast or change one's vote. htmx: the review section comes back with the new tally."""
    gate_request = _get_gate_request(request, pk)
    if not permissions.can_vote(request.user, gate_request.policy_version.decider_roles):
        raise PermissionDenied(permissions.NOT_A_DECIDER_MESSAGE)
    form = VoteForm(request.POST)
    if not form.is_valid():
        return _review_response(request, gate_request, status=400, vote_form=form)
    try:
        services.vote_cast(
            request=gate_request,
            actor=request.user,
            choice=form.cleaned_data["choice"],
            comment=form.cleaned_data["comment"],
            conditions=form.cleaned_data["conditions"],
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return _review_response(request, gate_request, status=400, vote_form=form)
    except ConflictError as error:
        # Decided or withdrawn meanwhile: the vote form is gone, so the message stands alone.
        gate_request = _get_gate_request(request, pk)
        return _review_response(request, gate_request, status=409, review_error=error.message)
    choice = VoteChoice(form.cleaned_data["choice"]).label
    if request.htmx:
        # The confirmation goes into the swapped section rather than the message queue,
        # which would otherwise show it again on the next full page.
        return _review_response(request, gate_request, just_voted=choice)
    messages.success(request, f"Your vote is recorded: {choice}.")
    return redirect("governance:gate_request_detail", pk=gate_request.pk)


@login_required
@require_POST
def gate_request_decide(request: HttpRequest, pk: int) -> HttpResponse:
    gate_request = _get_gate_request(request, pk)
    if not permissions.is_chair(request.user):
        raise PermissionDenied(permissions.CHAIR_ONLY_MESSAGE)
    votes = list(gate_request.votes.all())
    blockers = decision_blockers(selectors.request_tally(gate_request, votes))
    form = DecisionForm(request.POST, disabled=blockers)
    formset = action_item_formset(request.POST)
    forms = {"decision_form": form, "action_formset": formset}
    if not (form.is_valid() and formset.is_valid()):
        return _review_response(request, gate_request, status=400, **forms)
    try:
        decided = services.gate_request_decide(
            request=gate_request,
            actor=request.user,
            decision=form.cleaned_data["decision"],
            reason=form.cleaned_data["reason"],
            action_items=formset.action_items(),
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return _review_response(request, gate_request, status=400, **forms)
    except ConflictError as error:
        messages.error(request, error.message)
        return redirect("governance:gate_request_detail", pk=gate_request.pk)
    initiative = decided.initiative
    held = "" if initiative.status == "active" else f" ({initiative.get_status_display()})"
    messages.success(
        request,
        f"Decision recorded: {decided.get_decision_display()}. "
        f"“{initiative.title}” is now {initiative.get_stage_display()}{held}.",
    )
    return redirect("governance:gate_request_detail", pk=gate_request.pk)


@login_required
@require_http_methods(["GET", "POST"])
def gate_request_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    gate_request = _get_gate_request(request, pk)
    if not permissions.can_withdraw_request(
        request.user, gate_request.initiative, gate_request.requested_by_id
    ):
        raise PermissionDenied(
            "Only the requester, this initiative's business or delivery owner, or a governance "
            "admin can withdraw its gate request."
        )
    form = ReasonForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.gate_request_withdraw(
                request=gate_request, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
            status = 400
        except ConflictError as error:
            form.add_error(None, error.message)
            status = 409
        else:
            messages.success(request, "Gate request withdrawn.")
            return redirect("governance:gate_request_detail", pk=gate_request.pk)
    return TemplateResponse(
        request,
        "governance/gates/withdraw_form.html",
        {"gate_request": gate_request, "initiative": gate_request.initiative, "form": form},
        status=status,
    )


# ---------------------------------------------------------------------------------------------
# The council's review queue
# ---------------------------------------------------------------------------------------------


def can_view_queue(user: Any) -> bool:
    """The council works the queue; admins run it; auditors read everything."""
    return has_role(user, Role.COUNCIL_MEMBER, Role.GOVERNANCE_ADMIN, Role.AUDITOR)


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
                recused=bool(recusal_reason(user.pk, gate_request.initiative)),
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
class PurgatoryRow:
    initiative: Initiative
    days: int


@login_required
@require_GET
def council_queue(request: HttpRequest) -> TemplateResponse:
    _require_reader(request)
    if not can_view_queue(request.user):
        raise PermissionDenied(
            "The review queue is for governance council members, governance admins and auditors."
        )
    now = timezone.now()
    show = QueueFilterForm(request.GET or None).show_value()
    # Shown unbound with the filter in effect, so "Pending" is checked on the first visit too.
    filter_form = QueueFilterForm(initial={"show": show})
    page_number = request.GET.get("page")
    if show == "decided":
        page = Paginator(decided_requests(), QUEUE_PAGE_SIZE).get_page(page_number)
        entries = decided_entries(request.user, page.object_list)
    else:
        # The pending queue is the council's working set: the selector loads it whole in a
        # fixed number of queries (overdue first, then by due date), and the page slices it.
        pending = selectors.review_queue(request.user, now)
        if show == "overdue":
            pending = [entry for entry in pending if entry.overdue]
        page = Paginator(pending, QUEUE_PAGE_SIZE).get_page(page_number)
        entries = list(page.object_list)
    template = results_template(request, "governance/gates/queue.html", "queue-results")
    stuck = list(selectors.pilot_purgatory_initiatives(now)[: PURGATORY_SHOWN + 1])
    purgatory = [
        PurgatoryRow(initiative=initiative, days=(now - initiative.pilot_clock_started_at).days)
        for initiative in stuck[:PURGATORY_SHOWN]
    ]
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
                    my_recusal=recusal_reason(request.user.pk, entry.request.initiative),
                )
                for entry in entries
            ],
            "query_without_page": query_without(request, "page"),
            "purgatory": purgatory,
            "purgatory_more": len(stuck) > PURGATORY_SHOWN,
            "purgatory_days": settings.PILOT_PURGATORY_DAYS,
            "may_vote": permissions.can_vote(request.user),
        },
    )


# ---------------------------------------------------------------------------------------------
# Pause, resume, stop outside a request
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatusAction:
    service: str  # the governance.services function, looked up when called
    verb: str
    heading: str
    explanation: str
    done: str


STATUS_ACTIONS: dict[str, StatusAction] = {
    "pause": StatusAction(
        service="initiative_pause",
        verb="Pause",
        heading="Pause (hold)",
        explanation="The initiative stays in its stage but is on hold until it is resumed.",
        done="paused",
    ),
    "resume": StatusAction(
        service="initiative_resume",
        verb="Resume",
        heading="Resume",
        explanation="The initiative becomes active again in its current stage.",
        done="resumed",
    ),
    "stop": StatusAction(
        service="initiative_stop",
        verb="Stop",
        heading="Stop (kill / sunset)",
        explanation="Stopping is final: a stopped initiative cannot be resumed.",
        done="stopped",
    ),
}


@login_required
@require_http_methods(["GET", "POST"])
def initiative_status_change(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    initiative = get_initiative_for_user(request.user, pk)
    if not permissions.can_change_status(request.user):
        raise PermissionDenied(permissions.STATUS_CHANGE_MESSAGE)
    spec = STATUS_ACTIONS[action]
    form = ReasonForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            getattr(services, spec.service)(
                initiative=initiative, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
            status = 400
        except ConflictError as error:
            form.add_error(None, error.message)
            status = 409
        else:
            messages.success(request, f"“{initiative.title}” is {spec.done}.")
            return redirect(initiative)
    return TemplateResponse(
        request,
        "governance/gates/status_form.html",
        {"initiative": initiative, "form": form, "action": action, "spec": spec},
        status=status,
    )
