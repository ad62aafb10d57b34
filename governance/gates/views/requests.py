"""Pages of one gate request: request a gate, review and vote, decide, withdraw.

Views read, call a service and render; who may do what is decided by
governance.gates.permissions and whether the state allows it by governance.gates.services.
Every form works without JavaScript; htmx only swaps the council's review section after a vote.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.errors import BlockedError, ConflictError
from core.forms import add_service_errors
from core.people import display_name
from core.permissions import require, role_required
from governance.council import permissions as council_permissions
from governance.council import rules as council_rules
from governance.council.permissions import recused_as
from governance.gates import permissions, presentation, selectors, services
from governance.gates.acting_chair import acting_chair_account
from governance.gates.forms import (
    ActingChairForm,
    DecisionForm,
    GateRequestForm,
    ReasonForm,
    VoteForm,
    action_item_formset,
)
from governance.gates.presentation import (
    SEAT_LABELS,
    council_recusals,
    criterion_rows,
    decision_blockers,
    live_criteria,
)
from governance.models import GateRequest, GateRequestStatus, VoteChoice
from portfolio.models import Initiative
from portfolio.permissions import get_initiative_for_user


@role_required()
@require_http_methods(["GET", "POST"])
def gate_request_create(request: HttpRequest, pk: int) -> HttpResponse:
    initiative = get_initiative_for_user(request.user, pk)
    require(
        permissions.can_request_gate(request.user, initiative), permissions.REQUEST_DENIED_MESSAGE
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
            "preview": presentation.gate_preview(initiative),
            "pending": pending,
        },
        status=status,
    )


def _get_gate_request(request: HttpRequest, pk: int) -> GateRequest:
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
    my_recusal = recused_as(user.pk, initiative)
    may_vote = (
        pending
        and not my_recusal
        and permissions.can_vote(user, gate_request.policy_version.decider_roles)
    )
    may_decide = pending and permissions.can_decide(user, gate_request)
    criteria_now, go = live_criteria(gate_request) if pending else ([], None)
    blockers = decision_blockers(tally, go)
    if may_vote and vote_form is None:
        initial = (
            {"choice": my_vote.choice, "comment": my_vote.comment, "conditions": my_vote.conditions}
            if my_vote
            else {}
        )
        vote_form = VoteForm(initial=initial)
    if may_decide and decision_form is None:
        decision_form = DecisionForm(
            disabled=blockers, needs_override=bool(go and go.needs_override)
        )
    if may_decide and action_formset is None:
        action_formset = action_item_formset()
    conditions = [
        {"vote": vote, "lines": council_rules.parse_conditions(vote.conditions)}
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
        "criteria_now": criteria_now,
        "go_check": go,
        # A recused chair steps aside by naming an acting chair; an admin may name one too.
        "chair_recused": pending
        and council_permissions.is_chair(user)
        and bool(recused_as(user.pk, initiative)),
        "acting_chair_form": ActingChairForm(gate_request=gate_request)
        if pending and permissions.can_name_acting_chair(user)
        else None,
        # Who stood in for the chair, who named them, and whether the chair was recused.
        "acting_chair_account": acting_chair_account(gate_request),
        "exceptions": list(gate_request.exceptions.select_related("granted_by"))
        if gate_request.status == GateRequestStatus.DECIDED
        else [],
        "may_withdraw": pending
        and permissions.can_withdraw_request(user, initiative, gate_request.requested_by_id),
        "action_items": (
            list(gate_request.action_items.select_related("owner"))
            if gate_request.status == GateRequestStatus.DECIDED
            else []
        ),
    }


@role_required()
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


@role_required()
@require_POST
def gate_request_vote(request: HttpRequest, pk: int) -> HttpResponse:
    """Cast or change one's vote. htmx: the review section comes back with the new tally."""
    gate_request = _get_gate_request(request, pk)
    require(
        permissions.can_vote(request.user, gate_request.policy_version.decider_roles),
        permissions.NOT_A_DECIDER_MESSAGE,
    )
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


@role_required()
@require_POST
def gate_request_decide(request: HttpRequest, pk: int) -> HttpResponse:
    gate_request = _get_gate_request(request, pk)
    require(
        permissions.can_decide(request.user, gate_request),
        permissions.decide_denied_message(request.user, gate_request),
    )
    votes = list(gate_request.votes.all())
    _, go = live_criteria(gate_request)
    blockers = decision_blockers(selectors.request_tally(gate_request, votes), go)
    form = DecisionForm(request.POST, disabled=blockers, needs_override=go.needs_override)
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
            override_justification=form.cleaned_data["override_justification"],
            iterate_due_on=form.cleaned_data["iterate_due_on"],
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return _review_response(request, gate_request, status=400, **forms)
    except BlockedError as error:
        # A hard criterion failed: nothing was recorded; the form stays as it was typed.
        return _review_response(
            request, gate_request, status=409, review_error=error.message, **forms
        )
    except ConflictError as error:
        messages.error(request, error.message)
        return redirect("governance:gate_request_detail", pk=gate_request.pk)
    # Read again: the decision moved or paused it, and the message says where it is now.
    initiative = Initiative.objects.get(pk=decided.initiative_id)
    held = "" if initiative.status == "active" else f" ({initiative.get_status_display()})"
    messages.success(
        request,
        f"Decision recorded: {decided.get_decision_display()}. "
        f"“{initiative.title}” is now {initiative.get_stage_display()}{held}.",
    )
    return redirect("governance:gate_request_detail", pk=gate_request.pk)


@role_required()
@require_http_methods(["GET", "POST"])
def gate_request_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    gate_request = _get_gate_request(request, pk)
    require(
        permissions.can_withdraw_request(
            request.user, gate_request.initiative, gate_request.requested_by_id
        ),
        permissions.WITHDRAW_DENIED_MESSAGE,
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


@role_required(permissions.can_name_acting_chair, permissions.ACTING_CHAIR_DENIED_MESSAGE)
@require_POST
def gate_request_acting_chair(request: HttpRequest, pk: int) -> HttpResponse:
    """Name (or clear) the acting chair who decides this request instead of a recused chair."""
    gate_request = _get_gate_request(request, pk)
    form = ActingChairForm(request.POST, gate_request=gate_request)
    if form.is_valid():
        try:
            named = services.gate_request_name_acting_chair(
                request=gate_request, actor=request.user, member=form.cleaned_data["member"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except ConflictError as error:
            messages.error(request, error.message)
            return redirect("governance:gate_request_detail", pk=gate_request.pk)
        else:
            who = display_name(named.acting_chair) if named.acting_chair else "nobody"
            messages.success(request, f"Acting chair for this request: {who}.")
            return redirect("governance:gate_request_detail", pk=gate_request.pk)
    context = _review_context(request, gate_request)
    context["acting_chair_form"] = form
    return TemplateResponse(request, "governance/gates/request_detail.html", context, status=400)
