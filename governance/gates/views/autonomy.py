"""Pages of autonomy promotions: request one (evidence for the five conditions), read it and,
for the chair (or the acting chair named when the chair is recused), approve or reject it;
name that acting chair; withdraw it.

Views read, call a service and render; who may act is governance.gates.permissions' business
and whether the state allows it the services'.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.errors import ConflictError
from core.forms import add_service_errors
from core.people import display_name
from core.permissions import require, role_required
from governance.gates import permissions, services
from governance.gates.autonomy_rules import AUTONOMY_CONDITIONS, level_name, next_autonomy_level
from governance.gates.forms import (
    ActingChairForm,
    AutonomyDecisionForm,
    AutonomyPromotionForm,
    ReasonForm,
)
from governance.models import AutonomyPromotion, AutonomyPromotionStatus, DecidedAs
from portfolio.models import Initiative, Status
from portfolio.permissions import get_initiative_for_user


@role_required()
@require_http_methods(["GET", "POST"])
def autonomy_promotion_create(request: HttpRequest, pk: int) -> HttpResponse:
    initiative = get_initiative_for_user(request.user, pk)
    require(
        permissions.can_request_autonomy_promotion(request.user, initiative),
        permissions.PROMOTION_REQUEST_DENIED_MESSAGE,
    )
    form = AutonomyPromotionForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            promotion = services.autonomy_promotion_request(
                initiative=initiative, actor=request.user, evidence=form.evidence()
            )
        except ValidationError as error:
            add_service_errors(form, error)
            status = 400
        else:
            messages.success(
                request,
                f"Autonomy promotion requested: {level_name(promotion.from_level)} → "
                f"{level_name(promotion.to_level)}. The council chair decides.",
            )
            return redirect("governance:autonomy_promotion_detail", pk=promotion.pk)
    pending = (
        AutonomyPromotion.objects.filter(
            initiative=initiative, status=AutonomyPromotionStatus.PENDING
        )
        .only("id", "initiative_id", "to_level", "requested_at")
        .first()
    )
    to_level = next_autonomy_level(initiative.autonomy_level)
    return TemplateResponse(
        request,
        "governance/gates/autonomy_form.html",
        {
            "initiative": initiative,
            "form": form,
            "pending": pending,
            "current_level_name": level_name(initiative.autonomy_level),
            "to_level_name": level_name(to_level) if to_level else "",
            "is_active": initiative.status == Status.ACTIVE,
        },
        status=status,
    )


def _get_promotion(pk: int) -> AutonomyPromotion:
    return get_object_or_404(
        AutonomyPromotion.objects.select_related(
            "initiative", "requested_by", "decided_by", "acting_chair"
        ),
        pk=pk,
    )


def _detail_context(
    request: HttpRequest,
    promotion: AutonomyPromotion,
    *,
    decision_form: AutonomyDecisionForm | None = None,
    acting_chair_form: ActingChairForm | None = None,
) -> dict[str, Any]:
    initiative = promotion.initiative
    user = request.user
    pending = promotion.status == AutonomyPromotionStatus.PENDING
    deciding_as = permissions.autonomy_deciding_as(user, promotion) if pending else ""
    may_decide = bool(deciding_as)
    evidence = promotion.evidence or {}
    return {
        "promotion": promotion,
        "initiative": initiative,
        "from_level_name": level_name(promotion.from_level),
        "to_level_name": level_name(promotion.to_level),
        "evidence": [
            {"condition": condition, "text": evidence.get(condition.id, "")}
            for condition in AUTONOMY_CONDITIONS
        ],
        "is_pending": pending,
        "may_decide": may_decide,
        "deciding_as_acting_chair": deciding_as == DecidedAs.ACTING_CHAIR,
        "decision_form": (
            decision_form or AutonomyDecisionForm(to_level_name=level_name(promotion.to_level))
        )
        if may_decide
        else None,
        # Why the chair sees no decision form: recused from this initiative.
        "chair_recused_message": permissions.PROMOTION_CHAIR_RECUSED_MESSAGE
        if pending and permissions.chair_is_recused(user, initiative)
        else "",
        # A recused chair steps aside by naming an acting chair; an admin may name one too.
        "acting_chair_form": (
            acting_chair_form
            if acting_chair_form is not None
            else ActingChairForm(promotion=promotion)
        )
        if pending and permissions.can_name_acting_chair(user)
        else None,
        "may_withdraw": pending
        and permissions.can_withdraw_autonomy_promotion(
            user, initiative, promotion.requested_by_id
        ),
    }


@role_required()
@require_GET
def autonomy_promotion_detail(request: HttpRequest, pk: int) -> TemplateResponse:
    promotion = _get_promotion(pk)
    return TemplateResponse(
        request, "governance/gates/autonomy_detail.html", _detail_context(request, promotion)
    )


@role_required()
@require_POST
def autonomy_promotion_decide(request: HttpRequest, pk: int) -> HttpResponse:
    promotion = _get_promotion(pk)
    require(
        permissions.can_decide_autonomy_promotion(request.user, promotion),
        permissions.autonomy_decide_denied_message(request.user, promotion),
    )
    form = AutonomyDecisionForm(request.POST, to_level_name=level_name(promotion.to_level))
    status = 400
    if form.is_valid():
        try:
            decided = services.autonomy_promotion_decide(
                promotion=promotion,
                actor=request.user,
                approve=form.approve(),
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except ConflictError as error:
            messages.error(request, error.message)
            return redirect("governance:autonomy_promotion_detail", pk=promotion.pk)
        else:
            initiative = Initiative.objects.get(pk=decided.initiative_id)
            capacity = " as acting chair" if decided.decided_as == DecidedAs.ACTING_CHAIR else ""
            messages.success(
                request,
                f"Autonomy promotion {decided.get_status_display().lower()}{capacity}: "
                f"“{initiative.title}” is at the {level_name(initiative.autonomy_level)} level.",
            )
            return redirect("governance:autonomy_promotion_detail", pk=promotion.pk)
    return TemplateResponse(
        request,
        "governance/gates/autonomy_detail.html",
        _detail_context(request, promotion, decision_form=form),
        status=status,
    )


@role_required(permissions.can_name_acting_chair, permissions.ACTING_CHAIR_DENIED_MESSAGE)
@require_POST
def autonomy_promotion_acting_chair(request: HttpRequest, pk: int) -> HttpResponse:
    """Name (or clear) the acting chair who decides this promotion instead of a recused chair."""
    promotion = _get_promotion(pk)
    form = ActingChairForm(request.POST, promotion=promotion)
    if form.is_valid():
        try:
            named = services.autonomy_promotion_name_acting_chair(
                promotion=promotion, actor=request.user, member=form.cleaned_data["member"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except ConflictError as error:
            messages.error(request, error.message)
            return redirect("governance:autonomy_promotion_detail", pk=promotion.pk)
        else:
            who = display_name(named.acting_chair) if named.acting_chair else "nobody"
            messages.success(request, f"Acting chair for this promotion: {who}.")
            return redirect("governance:autonomy_promotion_detail", pk=promotion.pk)
    return TemplateResponse(
        request,
        "governance/gates/autonomy_detail.html",
        _detail_context(request, promotion, acting_chair_form=form),
        status=400,
    )


@role_required()
@require_http_methods(["GET", "POST"])
def autonomy_promotion_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    promotion = _get_promotion(pk)
    require(
        permissions.can_withdraw_autonomy_promotion(
            request.user, promotion.initiative, promotion.requested_by_id
        ),
        permissions.PROMOTION_WITHDRAW_DENIED_MESSAGE,
    )
    form = ReasonForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.autonomy_promotion_withdraw(
                promotion=promotion, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
            status = 400
        except ConflictError as error:
            form.add_error(None, error.message)
            status = 409
        else:
            messages.success(request, "Autonomy promotion withdrawn.")
            return redirect("governance:autonomy_promotion_detail", pk=promotion.pk)
    return TemplateResponse(
        request,
        "governance/gates/autonomy_withdraw.html",
        {
            "promotion": promotion,
            "initiative": promotion.initiative,
            "to_level_name": level_name(promotion.to_level),
            "form": form,
        },
        status=status,
    )
