"""Pages of the risk register, incidents, decisions required from leadership and action items.

Every list works like the portfolio list: filters in the URL, htmx swaps the results section in
place (`#results` partial), pagination, an empty state that says what to do. Every change goes
through governance.register_services; these views only translate forms and errors.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST
from django_filters import FilterSet

from core.errors import ConflictError
from core.forms import add_service_errors
from core.listing import is_filtered, query_without, results_template
from governance.models import IncidentStatus, LeadershipDecisionStatus, RiskStatus
from governance.permissions import can_manage_register
from governance.register_filters import (
    IMPACT_LABELS,
    LIKELIHOOD_LABELS,
    ActionItemFilter,
    IncidentFilter,
    LeadershipDecisionFilter,
    RiskFilter,
    action_item_queryset,
    incident_queryset,
    leadership_decision_queryset,
    risk_queryset,
    severity_level,
)
from governance.register_forms import (
    ActionItemCompleteForm,
    ActionItemForm,
    DecisionOutcomeForm,
    IncidentForm,
    IncidentResolveForm,
    LeadershipDecisionForm,
    ReasonForm,
    RiskForm,
)
from governance.register_permissions import (
    COMPLETE_DENIED_MESSAGE,
    OUTCOME_DENIED_MESSAGE,
    PORTFOLIO_DECISION_DENIED_MESSAGE,
    REGISTER_DENIED_MESSAGE,
    can_complete_action_item,
    can_manage_leadership_decision,
    can_manage_portfolio_register,
    can_read_register,
    can_record_decision_outcome,
    get_action_item_for_user,
    get_incident_for_user,
    get_leadership_decision_for_user,
    get_risk_for_user,
)
from governance.register_services import (
    INCIDENT_EDITABLE_FIELDS,
    LEADERSHIP_DECISION_EDITABLE_FIELDS,
    RISK_EDITABLE_FIELDS,
    action_item_complete,
    action_item_create,
    incident_create,
    incident_resolve,
    incident_update,
    leadership_decision_create,
    leadership_decision_record_outcome,
    leadership_decision_update,
    risk_close,
    risk_create,
    risk_update,
)
from portfolio.models import Initiative
from portfolio.permissions import get_initiative_for_user

PAGE_SIZE = 25


# ---------------------------------------------------------------------------------------------
# Shared pieces
# ---------------------------------------------------------------------------------------------


def _require_reader(request: HttpRequest) -> None:
    if not can_read_register(request.user):
        raise PermissionDenied("Your account has no Gatehouse role; ask a governance admin.")


def _conflict_rows(conflict: ConflictError, form: Form) -> list[dict[str, Any]]:
    """Their saved value next to the one this user typed, for each field that differs."""
    rows = []
    for name, theirs in conflict.current.items():
        if name not in form.fields or name == "version":
            continue
        mine = form.data.get(name, "")
        if str(theirs if theirs is not None else "") != str(mine or ""):
            rows.append({"label": form.fields[name].label or name, "theirs": theirs, "mine": mine})
    return rows


def _list_page(
    request: HttpRequest,
    *,
    template: str,
    target: str,
    filterset: FilterSet,
    extra: dict[str, Any] | None = None,
) -> TemplateResponse:
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    template = results_template(request, template, target)
    return TemplateResponse(
        request,
        template,
        {
            "filter": filterset,
            "page": page,
            "query_without_page": query_without(request, "page"),
            "is_filtered": is_filtered(request),
            "results_id": target,
            "today": timezone.localdate(),
            **(extra or {}),
        },
    )


def _next_url(request: HttpRequest, default: str) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def _form_page(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    conflict: ConflictError | None = None,
) -> TemplateResponse:
    form = context["form"]
    return TemplateResponse(
        request,
        template,
        {
            **context,
            "conflict": conflict,
            "conflict_changes": _conflict_rows(conflict, form) if conflict else [],
        },
        status=409 if conflict else 200,
    )


def _initiative_for_register(request: HttpRequest, pk: int) -> Initiative:
    initiative = get_initiative_for_user(request.user, pk)
    if not can_manage_register(request.user, initiative):
        raise PermissionDenied(REGISTER_DENIED_MESSAGE)
    return initiative


# ---------------------------------------------------------------------------------------------
# Risks
# ---------------------------------------------------------------------------------------------


@login_required
def risk_list(request: HttpRequest) -> TemplateResponse:
    _require_reader(request)
    filterset = RiskFilter(request.GET, queryset=risk_queryset(), request=request)
    response = _list_page(
        request,
        template="governance/register/risk_list.html",
        target="risk-results",
        filterset=filterset,
    )
    for risk in response.context_data["page"].object_list:
        risk.level = severity_level(risk.severity)
    return response


@login_required
def risk_detail(request: HttpRequest, pk: int) -> TemplateResponse:
    risk = get_risk_for_user(request.user, pk, queryset=risk_queryset())
    risk.level = severity_level(risk.severity)
    return TemplateResponse(
        request,
        "governance/register/risk_detail.html",
        {
            "risk": risk,
            "initiative": risk.initiative,
            "likelihood_label": LIKELIHOOD_LABELS.get(risk.likelihood, ""),
            "impact_label": IMPACT_LABELS.get(risk.impact, ""),
            "can_manage": can_manage_register(request.user, risk.initiative),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def risk_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    initiative = _initiative_for_register(request, pk)
    form = RiskForm(request.POST or None, initial={"owner": request.user.pk})
    if request.method == "POST" and form.is_valid():
        try:
            risk = risk_create(
                initiative=initiative,
                actor=request.user,
                **form.service_data(RISK_EDITABLE_FIELDS),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            escalated = " It is escalated to the council." if risk.escalated else ""
            messages.success(request, f"Risk added with severity {risk.severity}.{escalated}")
            return redirect(initiative)
    return _form_page(
        request,
        "governance/register/risk_form.html",
        {"form": form, "initiative": initiative, "risk": None},
    )


@login_required
@require_http_methods(["GET", "POST"])
def risk_edit(request: HttpRequest, pk: int) -> HttpResponse:
    risk = get_risk_for_user(request.user, pk, write=True)
    closed = risk.status == RiskStatus.CLOSED
    initial = {name: getattr(risk, name) for name in RISK_EDITABLE_FIELDS}
    initial["owner"] = risk.owner_id
    initial["version"] = risk.version
    form = RiskForm(request.POST or None, initial=initial, closed=closed)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            risk = risk_update(
                risk=risk,
                actor=request.user,
                data=form.service_data(RISK_EDITABLE_FIELDS),
                expected_version=form.cleaned_data["version"],
            )
        except ConflictError as error:
            conflict = error
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Risk saved; severity {risk.severity}.")
            return redirect("governance:risk_detail", pk=risk.pk)
    return _form_page(
        request,
        "governance/register/risk_form.html",
        {"form": form, "initiative": risk.initiative, "risk": risk},
        conflict,
    )


@login_required
@require_http_methods(["GET", "POST"])
def risk_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    risk = get_risk_for_user(request.user, pk, write=True)
    form = ReasonForm(request.POST or None, initial={"version": risk.version})
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            risk_close(
                risk=risk,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
            )
        except ConflictError as error:
            conflict = error
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Risk closed.")
            return redirect("governance:risk_detail", pk=risk.pk)
    return _form_page(
        request,
        "governance/register/risk_close.html",
        {"form": form, "initiative": risk.initiative, "risk": risk},
        conflict,
    )


# ---------------------------------------------------------------------------------------------
# Incidents
# ---------------------------------------------------------------------------------------------


@login_required
def incident_list(request: HttpRequest) -> TemplateResponse:
    _require_reader(request)
    return _list_page(
        request,
        template="governance/register/incident_list.html",
        target="incident-results",
        filterset=IncidentFilter(request.GET, queryset=incident_queryset(), request=request),
    )


@login_required
def incident_detail(request: HttpRequest, pk: int) -> TemplateResponse:
    incident = get_incident_for_user(request.user, pk, queryset=incident_queryset())
    return TemplateResponse(
        request,
        "governance/register/incident_detail.html",
        {
            "incident": incident,
            "initiative": incident.initiative,
            "can_manage": can_manage_register(request.user, incident.initiative),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def incident_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    initiative = _initiative_for_register(request, pk)
    form = IncidentForm(request.POST or None, initial={"owner": request.user.pk})
    if request.method == "POST" and form.is_valid():
        try:
            incident = incident_create(
                initiative=initiative,
                actor=request.user,
                **form.service_data(INCIDENT_EDITABLE_FIELDS),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Incident recorded; it stays open until resolved.")
            return redirect("governance:incident_detail", pk=incident.pk)
    return _form_page(
        request,
        "governance/register/incident_form.html",
        {"form": form, "initiative": initiative, "incident": None},
    )


@login_required
@require_http_methods(["GET", "POST"])
def incident_edit(request: HttpRequest, pk: int) -> HttpResponse:
    incident = get_incident_for_user(request.user, pk, write=True)
    initial = {name: getattr(incident, name) for name in INCIDENT_EDITABLE_FIELDS}
    initial["occurred_at"] = timezone.localtime(incident.occurred_at)
    initial["owner"] = incident.owner_id
    initial["version"] = incident.version
    form = IncidentForm(request.POST or None, initial=initial)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            incident_update(
                incident=incident,
                actor=request.user,
                data=form.service_data(INCIDENT_EDITABLE_FIELDS),
                expected_version=form.cleaned_data["version"],
            )
        except ConflictError as error:
            conflict = error
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Incident saved.")
            return redirect("governance:incident_detail", pk=incident.pk)
    return _form_page(
        request,
        "governance/register/incident_form.html",
        {"form": form, "initiative": incident.initiative, "incident": incident},
        conflict,
    )


@login_required
@require_http_methods(["GET", "POST"])
def incident_resolve_view(request: HttpRequest, pk: int) -> HttpResponse:
    incident = get_incident_for_user(request.user, pk, write=True)
    form = IncidentResolveForm(
        request.POST or None,
        initial={"corrective_action": incident.corrective_action, "version": incident.version},
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            incident_resolve(
                incident=incident,
                actor=request.user,
                corrective_action=form.cleaned_data["corrective_action"],
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
            )
        except ConflictError as error:
            conflict = error
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Incident resolved.")
            return redirect("governance:incident_detail", pk=incident.pk)
    return _form_page(
        request,
        "governance/register/incident_resolve.html",
        {
            "form": form,
            "initiative": incident.initiative,
            "incident": incident,
            "already_resolved": incident.status == IncidentStatus.RESOLVED,
        },
        conflict,
    )


# ---------------------------------------------------------------------------------------------
# Decisions required from leadership
# ---------------------------------------------------------------------------------------------


@login_required
def leadership_decision_list(request: HttpRequest) -> TemplateResponse:
    _require_reader(request)
    today = timezone.localdate()
    return _list_page(
        request,
        template="governance/register/decision_list.html",
        target="decision-results",
        filterset=LeadershipDecisionFilter(
            request.GET, queryset=leadership_decision_queryset(today), request=request
        ),
        extra={"can_create": can_manage_portfolio_register(request.user)},
    )


@login_required
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
            "options": [line for line in decision.options.splitlines() if line.strip()],
            "can_manage": can_manage_leadership_decision(request.user, decision.initiative),
            "can_record_outcome": can_record_decision_outcome(request.user, decision),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def leadership_decision_create_view(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """`/decisions/new/` (any initiative or none: council and admins) or
    `/initiatives/<pk>/decisions/new/` (that initiative: the register's editors)."""
    if pk is None:
        _require_reader(request)
        initiative = None
        if not can_manage_portfolio_register(request.user):
            raise PermissionDenied(PORTFOLIO_DECISION_DENIED_MESSAGE)
    else:
        initiative = _initiative_for_register(request, pk)
    form = LeadershipDecisionForm(
        request.POST or None, initial={"owner": request.user.pk}, with_initiative=initiative is None
    )
    if request.method == "POST" and form.is_valid():
        chosen = initiative or form.cleaned_data.get("initiative")
        try:
            decision = leadership_decision_create(
                actor=request.user,
                initiative=chosen,
                **form.service_data(LEADERSHIP_DECISION_EDITABLE_FIELDS),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Decision raised for leadership.")
            return redirect("governance:leadership_decision_detail", pk=decision.pk)
    return _form_page(
        request,
        "governance/register/decision_form.html",
        {"form": form, "initiative": initiative, "decision": None},
    )


@login_required
@require_http_methods(["GET", "POST"])
def leadership_decision_edit(request: HttpRequest, pk: int) -> HttpResponse:
    decision = get_leadership_decision_for_user(request.user, pk, write=True)
    initial = {name: getattr(decision, name) for name in LEADERSHIP_DECISION_EDITABLE_FIELDS}
    initial["owner"] = decision.owner_id
    initial["version"] = decision.version
    form = LeadershipDecisionForm(request.POST or None, initial=initial)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            leadership_decision_update(
                decision=decision,
                actor=request.user,
                data=form.service_data(LEADERSHIP_DECISION_EDITABLE_FIELDS),
                expected_version=form.cleaned_data["version"],
            )
        except ConflictError as error:
            conflict = error
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Decision saved.")
            return redirect("governance:leadership_decision_detail", pk=decision.pk)
    return _form_page(
        request,
        "governance/register/decision_form.html",
        {
            "form": form,
            "initiative": decision.initiative,
            "decision": decision,
            "decided": decision.status == LeadershipDecisionStatus.DECIDED,
        },
        conflict,
    )


@login_required
@require_http_methods(["GET", "POST"])
def leadership_decision_outcome(request: HttpRequest, pk: int) -> HttpResponse:
    decision = get_leadership_decision_for_user(request.user, pk)
    if not can_record_decision_outcome(request.user, decision):
        raise PermissionDenied(OUTCOME_DENIED_MESSAGE)
    form = DecisionOutcomeForm(request.POST or None, initial={"version": decision.version})
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            leadership_decision_record_outcome(
                decision=decision,
                actor=request.user,
                outcome=form.cleaned_data["outcome"],
                expected_version=form.cleaned_data["version"],
            )
        except ConflictError as error:
            conflict = error
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Outcome recorded; the decision is closed.")
            return redirect("governance:leadership_decision_detail", pk=decision.pk)
    return _form_page(
        request,
        "governance/register/decision_outcome.html",
        {
            "form": form,
            "initiative": decision.initiative,
            "decision": decision,
            "options": [line for line in decision.options.splitlines() if line.strip()],
            "decided": decision.status == LeadershipDecisionStatus.DECIDED,
        },
        conflict,
    )


# ---------------------------------------------------------------------------------------------
# Action items
# ---------------------------------------------------------------------------------------------


def _with_permissions(request: HttpRequest, items: QuerySet | list) -> None:
    for item in items:
        item.can_complete = can_complete_action_item(request.user, item)


@login_required
def action_item_list(request: HttpRequest) -> TemplateResponse:
    _require_reader(request)
    today = timezone.localdate()
    response = _list_page(
        request,
        template="governance/register/action_list.html",
        target="action-results",
        filterset=ActionItemFilter(
            request.GET, queryset=action_item_queryset(today), request=request
        ),
    )
    _with_permissions(request, response.context_data["page"].object_list)
    return response


@login_required
@require_http_methods(["GET", "POST"])
def action_item_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    initiative = _initiative_for_register(request, pk)
    form = ActionItemForm(request.POST or None, initial={"owner": request.user.pk})
    if request.method == "POST" and form.is_valid():
        try:
            item = action_item_create(
                initiative=initiative,
                actor=request.user,
                title=form.cleaned_data["title"],
                owner=form.cleaned_data["owner"],
                due_date=form.cleaned_data["due_date"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if item.due_date < timezone.localdate():
                messages.warning(
                    request,
                    f"Action item added. Its due date ({item.due_date:%d %b %Y}) has passed, "
                    "so it is overdue from the start.",
                )
            else:
                messages.success(request, "Action item added.")
            return redirect(initiative)
    return _form_page(
        request,
        "governance/register/action_form.html",
        {"form": form, "initiative": initiative},
    )


@login_required
@require_POST
def action_item_complete_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark done from a list or the initiative page; htmx swaps just the row."""
    item = get_action_item_for_user(request.user, pk, queryset=action_item_queryset())
    if not can_complete_action_item(request.user, item):
        raise PermissionDenied(COMPLETE_DENIED_MESSAGE)
    form = ActionItemCompleteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        action_item_complete(item=item, actor=request.user, note=note)
    except ConflictError as error:
        # Someone (or a double click) got there first: the item is done either way.
        outcome, row_message = error.message, error.message
    else:
        outcome, row_message = f"Done: {item.title}", "Marked done."
    if request.htmx:
        item = action_item_queryset().get(pk=item.pk)
        item.can_complete = False
        return TemplateResponse(
            request,
            "governance/register/action_list.html#action-row",
            {"item": item, "today": timezone.localdate(), "row_message": row_message},
        )
    messages.success(request, outcome)
    return redirect(_next_url(request, reverse("governance:action_item_list")))
