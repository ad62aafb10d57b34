"""Pause, resume and stop an initiative outside a gate request (the chair or an admin)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods

from core.errors import ConflictError
from core.forms import add_service_errors
from core.permissions import role_required
from governance.gates import permissions, services
from governance.gates.forms import ReasonForm
from portfolio.models import Status
from portfolio.permissions import get_initiative_for_user


@dataclass(frozen=True)
class StatusAction:
    to_status: str
    verb: str
    heading: str
    explanation: str
    done: str


PAUSE = StatusAction(
    to_status=Status.PAUSED,
    verb="Pause",
    heading="Pause (hold)",
    explanation="The initiative stays in its stage but is on hold until it is resumed.",
    done="paused",
)
RESUME = StatusAction(
    to_status=Status.ACTIVE,
    verb="Resume",
    heading="Resume",
    explanation="The initiative becomes active again in its current stage.",
    done="resumed",
)
STOP = StatusAction(
    to_status=Status.STOPPED,
    verb="Stop",
    heading="Stop (kill / sunset)",
    explanation="Stopping is final: a stopped initiative cannot be resumed.",
    done="stopped",
)


def _status_change_page(request: HttpRequest, pk: int, spec: StatusAction) -> HttpResponse:
    initiative = get_initiative_for_user(request.user, pk)
    form = ReasonForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.initiative_status_change(
                initiative=initiative,
                actor=request.user,
                to_status=spec.to_status,
                reason=form.cleaned_data["reason"],
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
        {"initiative": initiative, "form": form, "spec": spec},
        status=status,
    )


@role_required(permissions.can_change_status, permissions.STATUS_CHANGE_MESSAGE)
@require_http_methods(["GET", "POST"])
def initiative_pause(request: HttpRequest, pk: int) -> HttpResponse:
    return _status_change_page(request, pk, PAUSE)


@role_required(permissions.can_change_status, permissions.STATUS_CHANGE_MESSAGE)
@require_http_methods(["GET", "POST"])
def initiative_resume(request: HttpRequest, pk: int) -> HttpResponse:
    return _status_change_page(request, pk, RESUME)


@role_required(permissions.can_change_status, permissions.STATUS_CHANGE_MESSAGE)
@require_http_methods(["GET", "POST"])
def initiative_stop(request: HttpRequest, pk: int) -> HttpResponse:
    return _status_change_page(request, pk, STOP)
