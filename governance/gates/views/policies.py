"""Gate policies: the list with every version, and the admin's editor (a save is a new version)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET, require_http_methods

from core.errors import ConflictError
from core.forms import add_service_errors
from core.permissions import require, role_required
from governance.gates.forms import GatePolicyForm
from governance.gates.permissions import POLICY_DENIED_MESSAGE, can_edit_policies
from governance.gates.presentation import CriterionText, describe_criteria, role_labels, seat_labels
from governance.gates.selectors import policies_with_versions, policy_versions
from governance.gates.services.policies import gate_policy_version_create
from governance.models import GatePolicy, GatePolicyVersion
from portfolio.vocabulary import SCORECARD_KEY
from readiness.models import AppliesTo, AssessmentTemplate


def checklist_choices() -> list[tuple[str, str]]:
    """Initiative checklists a gate can require to pass (the scorecard has its own criterion)."""
    return list(
        AssessmentTemplate.objects.filter(applies_to=AppliesTo.INITIATIVE)
        .exclude(key=SCORECARD_KEY)
        .order_by("title")
        .values_list("key", "title")
    )


@dataclass(frozen=True)
class VersionView:
    version: GatePolicyVersion
    criteria: list[CriterionText]
    seats: list[str]
    roles: list[str]


def version_view(version: GatePolicyVersion) -> VersionView:
    return VersionView(
        version=version,
        criteria=describe_criteria(version.criteria),
        seats=seat_labels(version.required_seats),
        roles=role_labels(version.decider_roles),
    )


@role_required()
@require_GET
def policy_list(request: HttpRequest) -> TemplateResponse:
    """Each transition's gate in words, its current version and the history of versions."""
    policies = [
        {
            "policy": policy,
            "versions": [version_view(version) for version in policy.version_list],
        }
        for policy in policies_with_versions()
    ]
    return TemplateResponse(
        request,
        "governance/council/policy_list.html",
        {"policies": policies, "can_edit": can_edit_policies(request.user)},
    )


@role_required()
@require_http_methods(["GET", "POST"])
def policy_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a gate's criteria and decision rules; saving makes a new version.

    Pending requests keep the version they were filed under; only new requests use the new one.
    """
    policy = get_object_or_404(GatePolicy, pk=pk)
    require(can_edit_policies(request.user), POLICY_DENIED_MESSAGE)
    current = policy_versions().filter(policy=policy).first()
    if current is None:
        raise Http404("This gate has no version yet; load the shipped policies first.")
    form = GatePolicyForm(
        request.POST or None, current=current, checklist_choices=checklist_choices()
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            version = gate_policy_version_create(
                policy=policy,
                actor=request.user,
                criteria=form.criteria_payload(),
                quorum=form.cleaned_data["quorum"],
                required_seats=form.cleaned_data["required_seats"],
                decider_roles=form.cleaned_data["decider_roles"],
                note=form.cleaned_data["note"],
                expected_version=form.cleaned_data["based_on"],
            )
        except ConflictError as error:
            conflict = error
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            kept = current.pending_count
            messages.success(
                request,
                f"Saved version {version.number} of “{policy.title}”. New requests use it; "
                f"{kept} pending request{'' if kept == 1 else 's'} keep"
                f"{'s' if kept == 1 else ''} version {current.number}.",
            )
            return redirect("governance:policy_list")
    if conflict is not None:
        # Someone saved a version after this form was opened: show the newest (it may have
        # been saved while this request ran), keep the input, and base the form on it.
        current = policy_versions().filter(policy=policy).first()
        data = request.POST.copy()
        data["based_on"] = current.number
        form = GatePolicyForm(data, current=current, checklist_choices=checklist_choices())
    return TemplateResponse(
        request,
        "governance/council/policy_form.html",
        {
            "policy": policy,
            "current": version_view(current),
            "form": form,
            "rows": form.criteria_rows(),
            "conflict": conflict,
        },
        status=409 if conflict else (400 if form.is_bound and form.errors else 200),
    )
