"""Autonomy promotions through the API: list, read, request, decide (the chair, or the acting
chair named when the chair is recused), name that acting chair, withdraw."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import StrictFieldsMixin
from core.permissions import require
from governance.gates import permissions, services
from governance.gates.api.requests import GateActingChairSerializer
from governance.gates.autonomy_rules import AUTONOMY_CONDITIONS
from governance.models import AutonomyPromotion, AutonomyPromotionStatus, DecidedAs
from portfolio.api import UserSummarySerializer
from portfolio.models import AutonomyLevel, Initiative
from portfolio.permissions import get_initiative_for_user

_EVIDENCE_HELP = "Evidence by condition id: " + "; ".join(
    f"{condition.id}: {condition.explanation}" for condition in AUTONOMY_CONDITIONS
)


class AutonomyPromotionSerializer(serializers.ModelSerializer):
    """A request to raise an initiative's autonomy level one step, and the chair's decision
    (or the acting chair's, when the chair is recused: `decided_as`)."""

    initiative_title = serializers.CharField(source="initiative.title")
    requested_by = UserSummarySerializer()
    decided_by = UserSummarySerializer(allow_null=True)
    acting_chair = UserSummarySerializer(
        allow_null=True, help_text="Who decides in place of a recused chair; null: the chair"
    )
    decided_as = serializers.ChoiceField(
        choices=DecidedAs.choices, allow_blank=True, read_only=True, help_text='"" until decided'
    )
    evidence = serializers.SerializerMethodField(help_text=_EVIDENCE_HELP)

    class Meta:
        model = AutonomyPromotion
        fields = [
            "id",
            "initiative",
            "initiative_title",
            "from_level",
            "to_level",
            "status",
            "evidence",
            "requested_by",
            "requested_at",
            "decided_by",
            "decided_at",
            "decided_as",
            "decision_reason",
            "acting_chair",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.DictField(child=serializers.CharField()))
    def get_evidence(self, promotion: AutonomyPromotion) -> dict[str, str]:
        return dict(promotion.evidence or {})


class AutonomyPromotionCreateSerializer(StrictFieldsMixin, serializers.Serializer):
    initiative = serializers.PrimaryKeyRelatedField(queryset=Initiative.objects.all())
    to_level = serializers.ChoiceField(
        choices=AutonomyLevel.choices,
        required=False,
        help_text="Optional: the level asked for; only the next level up is accepted.",
    )
    # Shape only: which ids and how much text is the service's rule (errors name
    # "evidence.<condition id>").
    evidence = serializers.DictField(child=serializers.JSONField(), help_text=_EVIDENCE_HELP)


class AutonomyDecideSerializer(StrictFieldsMixin, serializers.Serializer):
    approve = serializers.BooleanField(
        help_text="true raises the level to the promotion's to_level; false rejects it"
    )
    reason = serializers.CharField(max_length=4000)


class AutonomyReasonSerializer(StrictFieldsMixin, serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class AutonomyPromotionFilter(django_filters.FilterSet):
    initiative = django_filters.NumberFilter(field_name="initiative_id", label="Initiative id")
    status = django_filters.ChoiceFilter(choices=AutonomyPromotionStatus.choices)

    class Meta:
        model = AutonomyPromotion
        fields = ["initiative", "status"]


class AutonomyPromotionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Autonomy promotions: every Gatehouse role reads them. An initiative's business or
    delivery owner (or a governance admin) requests one with evidence for the five
    conditions; the council chair approves (the level rises) or rejects it, or, when the chair
    is recused, the acting chair the chair or an admin names. Raising the level by editing the
    initiative is refused: this is the only way up."""

    serializer_class = AutonomyPromotionSerializer
    filterset_class = AutonomyPromotionFilter
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend]
    # Who may file a gate request may file a promotion, so its role half is the same; decide
    # and withdraw ask their own question of the promotion before the body.
    write_roles = {
        "create": (permissions.can_request_gates, permissions.PROMOTION_REQUEST_DENIED_MESSAGE),
    }

    def get_queryset(self) -> QuerySet[AutonomyPromotion]:
        if not permissions.can_view_governance(self.request.user):
            return AutonomyPromotion.objects.none()
        return AutonomyPromotion.objects.select_related(
            "initiative", "requested_by", "decided_by", "acting_chair"
        ).order_by("requested_at", "pk")

    def _target(self) -> AutonomyPromotion:
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    def _detail(self, pk: int, *, status_code: int = status.HTTP_200_OK) -> Response:
        promotion = self.get_queryset().get(pk=pk)
        return Response(AutonomyPromotionSerializer(promotion).data, status=status_code)

    @extend_schema(
        request=AutonomyPromotionCreateSerializer, responses={201: AutonomyPromotionSerializer}
    )
    def create(self, request: Request) -> Response:
        """Ask to raise the initiative's autonomy level one step, with the five conditions'
        evidence."""
        data = AutonomyPromotionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        initiative = get_initiative_for_user(request.user, data.validated_data["initiative"].pk)
        require(
            permissions.can_request_autonomy_promotion(request.user, initiative),
            permissions.PROMOTION_REQUEST_DENIED_MESSAGE,
        )
        promotion = services.autonomy_promotion_request(
            initiative=initiative,
            actor=request.user,
            evidence=data.validated_data["evidence"],
            to_level=data.validated_data.get("to_level"),
        )
        return self._detail(promotion.pk, status_code=status.HTTP_201_CREATED)

    @extend_schema(request=AutonomyDecideSerializer, responses=AutonomyPromotionSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: str) -> Response:
        """The council chair (or, when the chair is recused, the acting chair named for the
        promotion) approves or rejects; 409 once decided."""
        promotion = self._target()
        require(
            permissions.can_decide_autonomy_promotion(request.user, promotion),
            permissions.autonomy_decide_denied_message(request.user, promotion),
        )
        data = AutonomyDecideSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.autonomy_promotion_decide(
            promotion=promotion,
            actor=request.user,
            approve=data.validated_data["approve"],
            reason=data.validated_data["reason"],
        )
        return self._detail(promotion.pk)

    @extend_schema(request=GateActingChairSerializer, responses=AutonomyPromotionSerializer)
    @action(detail=True, methods=["post"], url_path="acting-chair")
    def acting_chair(self, request: Request, pk: str) -> Response:
        """The chair (when recused) or a governance admin names who decides in the chair's
        place; null clears it. 409 once decided."""
        require(
            permissions.can_name_acting_chair(request.user),
            permissions.ACTING_CHAIR_DENIED_MESSAGE,
        )
        promotion = self._target()
        data = GateActingChairSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.autonomy_promotion_name_acting_chair(
            promotion=promotion, actor=request.user, member=data.validated_data["member"]
        )
        return self._detail(promotion.pk)

    @extend_schema(request=AutonomyReasonSerializer, responses=AutonomyPromotionSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str) -> Response:
        """The requester, the initiative's owners or an admin withdraw a pending promotion."""
        promotion = self._target()
        require(
            permissions.can_withdraw_autonomy_promotion(
                request.user, promotion.initiative, promotion.requested_by_id
            ),
            permissions.PROMOTION_WITHDRAW_DENIED_MESSAGE,
        )
        data = AutonomyReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.autonomy_promotion_withdraw(
            promotion=promotion, actor=request.user, reason=data.validated_data["reason"]
        )
        return self._detail(promotion.pk)
