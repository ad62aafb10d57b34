"""Risk register pages: list, detail, add, edit, close."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods, require_safe

from core.permissions import role_required
from governance.gates.criterion_rules import (
    RiskFacts,
    risk_blocks_gate,
    unmitigated_risk_threshold,
)
from governance.gates.selectors import next_gate_criteria
from governance.models import Risk, RiskStatus
from governance.register.filters import (
    IMPACT_LABELS,
    LIKELIHOOD_LABELS,
    RiskFilter,
    risk_queryset,
    severity_level,
)
from governance.register.forms import ReasonForm, RiskForm
from governance.register.permissions import (
    can_manage_register,
    can_read_register,
    get_risk_for_user,
)
from governance.register.services import RISK_EDITABLE_FIELDS, risk_close, risk_create, risk_update
from governance.register.views.pages import (
    edit_initial,
    initiative_for_register,
    list_page,
    saved,
    service_form,
)


@role_required(can_read_register)
@require_safe
def risk_list(request: HttpRequest) -> TemplateResponse:
    filterset = RiskFilter(request.GET, queryset=risk_queryset(), request=request)
    response = list_page(
        request,
        template="governance/register/risk_list.html",
        target="risk-results",
        filterset=filterset,
    )
    for risk in response.context_data["page"].object_list:
        risk.level = severity_level(risk.severity)
    return response


@login_required
@require_safe
def risk_detail(request: HttpRequest, pk: int) -> TemplateResponse:
    risk = get_risk_for_user(request.user, pk, queryset=risk_queryset())
    risk.level = severity_level(risk.severity)
    # Whether this risk fails the initiative's next gate, by that gate's own policy threshold.
    next_gate = next_gate_criteria(risk.initiative) if risk.initiative_id else []
    facts = RiskFacts(risk.pk, risk.description, risk.severity, risk.status, risk.mitigation)
    return TemplateResponse(
        request,
        "governance/register/risk_detail.html",
        {
            "risk": risk,
            "initiative": risk.initiative,
            "likelihood_label": LIKELIHOOD_LABELS.get(risk.likelihood, ""),
            "impact_label": IMPACT_LABELS.get(risk.impact, ""),
            "can_manage": can_manage_register(request.user, risk.initiative),
            "blocks_next_gate": risk_blocks_gate(facts, next_gate),
            "next_gate_threshold": unmitigated_risk_threshold(next_gate),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def risk_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    initiative = initiative_for_register(request, pk)

    def added(risk: Risk) -> HttpResponse:
        escalated = " It is escalated to the council." if risk.escalated else ""
        return saved(request, f"Risk added with severity {risk.severity}.{escalated}", initiative)

    return service_form(
        request,
        RiskForm(request.POST or None, initial={"owner": request.user.pk}),
        "governance/register/risk_form.html",
        {"initiative": initiative, "risk": None},
        save=lambda form: risk_create(
            initiative=initiative, actor=request.user, **form.service_data(RISK_EDITABLE_FIELDS)
        ),
        done=added,
    )


@login_required
@require_http_methods(["GET", "POST"])
def risk_edit(request: HttpRequest, pk: int) -> HttpResponse:
    risk = get_risk_for_user(request.user, pk, write=True)
    closed = risk.status == RiskStatus.CLOSED
    form = RiskForm(
        request.POST or None, initial=edit_initial(risk, RISK_EDITABLE_FIELDS), closed=closed
    )
    return service_form(
        request,
        form,
        "governance/register/risk_form.html",
        {"initiative": risk.initiative, "risk": risk},
        save=lambda form: risk_update(
            risk=risk,
            actor=request.user,
            data=form.service_data(RISK_EDITABLE_FIELDS),
            expected_version=form.cleaned_data["version"],
        ),
        done=lambda updated: saved(
            request,
            f"Risk saved; severity {updated.severity}.",
            "governance:risk_detail",
            pk=updated.pk,
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def risk_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    risk = get_risk_for_user(request.user, pk, write=True)
    return service_form(
        request,
        ReasonForm(request.POST or None, initial={"version": risk.version}),
        "governance/register/risk_close.html",
        {"initiative": risk.initiative, "risk": risk},
        save=lambda form: risk_close(
            risk=risk,
            actor=request.user,
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data["version"],
        ),
        done=lambda _: saved(request, "Risk closed.", "governance:risk_detail", pk=risk.pk),
    )
