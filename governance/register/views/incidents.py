"""Incident pages: list, detail, record, edit, resolve."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from core.permissions import role_required
from governance.models import IncidentStatus
from governance.register.filters import IncidentFilter, incident_queryset
from governance.register.forms import IncidentForm, IncidentResolveForm
from governance.register.permissions import (
    can_manage_register,
    can_read_register,
    get_incident_for_user,
)
from governance.register.services import (
    INCIDENT_EDITABLE_FIELDS,
    incident_create,
    incident_resolve,
    incident_update,
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
def incident_list(request: HttpRequest) -> TemplateResponse:
    return list_page(
        request,
        template="governance/register/incident_list.html",
        target="incident-results",
        filterset=IncidentFilter(request.GET, queryset=incident_queryset(), request=request),
    )


@login_required
@require_safe
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
    initiative = initiative_for_register(request, pk)
    return service_form(
        request,
        IncidentForm(request.POST or None, initial={"owner": request.user.pk}),
        "governance/register/incident_form.html",
        {"initiative": initiative, "incident": None},
        save=lambda form: incident_create(
            initiative=initiative,
            actor=request.user,
            **form.service_data(INCIDENT_EDITABLE_FIELDS),
        ),
        done=lambda incident: saved(
            request,
            "Incident recorded; it stays open until resolved.",
            "governance:incident_detail",
            pk=incident.pk,
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def incident_edit(request: HttpRequest, pk: int) -> HttpResponse:
    incident = get_incident_for_user(request.user, pk, write=True)
    initial = edit_initial(incident, INCIDENT_EDITABLE_FIELDS)
    initial["occurred_at"] = timezone.localtime(incident.occurred_at)
    return service_form(
        request,
        IncidentForm(request.POST or None, initial=initial),
        "governance/register/incident_form.html",
        {"initiative": incident.initiative, "incident": incident},
        save=lambda form: incident_update(
            incident=incident,
            actor=request.user,
            data=form.service_data(INCIDENT_EDITABLE_FIELDS),
            expected_version=form.cleaned_data["version"],
        ),
        done=lambda _: saved(
            request, "Incident saved.", "governance:incident_detail", pk=incident.pk
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def incident_resolve_view(request: HttpRequest, pk: int) -> HttpResponse:
    incident = get_incident_for_user(request.user, pk, write=True)
    form = IncidentResolveForm(
        request.POST or None,
        initial={"corrective_action": incident.corrective_action, "version": incident.version},
    )
    return service_form(
        request,
        form,
        "governance/register/incident_resolve.html",
        {
            "initiative": incident.initiative,
            "incident": incident,
            "already_resolved": incident.status == IncidentStatus.RESOLVED,
        },
        save=lambda form: incident_resolve(
            incident=incident,
            actor=request.user,
            corrective_action=form.cleaned_data["corrective_action"],
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data["version"],
        ),
        done=lambda _: saved(
            request, "Incident resolved.", "governance:incident_detail", pk=incident.pk
        ),
    )
