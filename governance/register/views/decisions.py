"""Pages for decisions required from leadership: list, detail, raise, edit, record the
outcome."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from core.permissions import require, require_role, role_required
from governance.models import LeadershipDecision, LeadershipDecisionStatus
from governance.register.filters import LeadershipDecisionFilter, leadership_decision_queryset
from governance.register.forms import DecisionOutcomeForm, LeadershipDecisionForm
from governance.register.permissions import (
    OUTCOME_DENIED_MESSAGE,
    PORTFOLIO_DECISION_DENIED_MESSAGE,
    can_manage_leadership_decision,
    can_manage_portfolio_register,
    can_read_register,
    can_record_decision_outcome,
    get_leadership_decision_for_user,
)
from governance.register.services import (
    LEADERSHIP_DECISION_EDITABLE_FIELDS,
    leadership_decision_create,
    leadership_decision_record_outcome,
    leadership_decision_update,
)
from governance.register.views.pages import (
    edit_initial,
    initiative_for_register,
    list_page,
    saved,
    service_form,
)


@role_required(can_read_register)
@require_safe
def leadership_decision_list(request: HttpRequest) -> TemplateResponse:
    today = timezone.localdate()
    return list_page(
        request,
        template="governance/register/decision_list.html",
        target="decision-results",
        filterset=LeadershipDecisionFilter(
            request.GET, queryset=leadership_decision_queryset(today), request=request
        ),
        extra={"can_create": can_manage_portfolio_register(request.user)},
    )


def _options(decision: LeadershipDecision) -> list[str]:
    return [line for line in decision.options.splitlines() if line.strip()]


@login_required
@require_safe
def leadership_decision_detail(request: HttpRequest, pk: int) -> TemplateResponse:
    decision = get_leadership_decision_for_user(
        request.user, pk, queryset=leadership_decision_queryset()
    )
    return TemplateResponse(
        request,
        "governance/register/decision_detail.html",
        {
            "decision": decision,
            "initiative": decision.initiative,
            "options": _options(decision),
            "can_manage": can_manage_leadership_decision(request.user, decision.initiative),
            "can_record_outcome": can_record_decision_outcome(request.user, decision),
        },
    )


def _decision_saved(
    request: HttpRequest, message: str, decision: LeadershipDecision
) -> HttpResponse:
    return saved(request, message, "governance:leadership_decision_detail", pk=decision.pk)


@login_required
@require_http_methods(["GET", "POST"])
def leadership_decision_create_view(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """`/decisions/new/` (any initiative or none: council and admins) or
    `/initiatives/<pk>/decisions/new/` (that initiative: the register's editors)."""
    if pk is None:
        require_role(request.user)
        initiative = None
        require(can_manage_portfolio_register(request.user), PORTFOLIO_DECISION_DENIED_MESSAGE)
    else:
        initiative = initiative_for_register(request, pk)
    form = LeadershipDecisionForm(
        request.POST or None, initial={"owner": request.user.pk}, with_initiative=initiative is None
    )
    return service_form(
        request,
        form,
        "governance/register/decision_form.html",
        {"initiative": initiative, "decision": None},
        save=lambda form: leadership_decision_create(
            actor=request.user,
            initiative=initiative or form.cleaned_data.get("initiative"),
            **form.service_data(LEADERSHIP_DECISION_EDITABLE_FIELDS),
        ),
        done=lambda decision: _decision_saved(request, "Decision raised for leadership.", decision),
    )


@login_required
@require_http_methods(["GET", "POST"])
def leadership_decision_edit(request: HttpRequest, pk: int) -> HttpResponse:
    decision = get_leadership_decision_for_user(request.user, pk, write=True)
    initial = edit_initial(decision, LEADERSHIP_DECISION_EDITABLE_FIELDS)
    return service_form(
        request,
        LeadershipDecisionForm(request.POST or None, initial=initial),
        "governance/register/decision_form.html",
        {
            "initiative": decision.initiative,
            "decision": decision,
            "decided": decision.status == LeadershipDecisionStatus.DECIDED,
        },
        save=lambda form: leadership_decision_update(
            decision=decision,
            actor=request.user,
            data=form.service_data(LEADERSHIP_DECISION_EDITABLE_FIELDS),
            expected_version=form.cleaned_data["version"],
        ),
        done=lambda _: _decision_saved(request, "Decision saved.", decision),
    )


@login_required
@require_http_methods(["GET", "POST"])
def leadership_decision_outcome(request: HttpRequest, pk: int) -> HttpResponse:
    decision = get_leadership_decision_for_user(request.user, pk)
    require(can_record_decision_outcome(request.user, decision), OUTCOME_DENIED_MESSAGE)
    return service_form(
        request,
        DecisionOutcomeForm(request.POST or None, initial={"version": decision.version}),
        "governance/register/decision_outcome.html",
        {
            "initiative": decision.initiative,
            "decision": decision,
            "options": _options(decision),
            "decided": decision.status == LeadershipDecisionStatus.DECIDED,
        },
        save=lambda form: leadership_decision_record_outcome(
            decision=decision,
            actor=request.user,
            outcome=form.cleaned_data["outcome"],
            expected_version=form.cleaned_data["version"],
        ),
        done=lambda _: _decision_saved(
            request, "Outcome recorded; the decision is closed.", decision
        ),
    )
