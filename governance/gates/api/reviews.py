"""The council's reviews through the API: reviews of areas scored 1, and re-reviews after a
material change (confirm or send back).

* ``item-reviews/``: list (``?assessment=``, ``?initiative=``, ``?outcome=``), read, record
  (council members and governance admins who are not recused; 409 for a second review of the
  same area).
* ``rereviews/``: list (``?initiative=``, ``?open=``), read; ``{id}/confirm/`` with a note,
  ``{id}/send-back/`` with a reason (the same people; 409 once resolved).
"""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import StrictFieldsMixin
from core.permissions import require
from governance.council.rules import parse_conditions
from governance.gates import permissions, services
from governance.models import (
    ITEM_REVIEW_CLEARING_OUTCOMES,
    ItemReview,
    ItemReviewOutcome,
    ReReview,
    ReReviewOutcome,
)
from portfolio.api import UserSummarySerializer
from readiness.models import Assessment

# ---------------------------------------------------------------------------------------------
# Reviews of areas scored 1
# ---------------------------------------------------------------------------------------------


class ItemReviewSerializer(serializers.ModelSerializer):
    initiative = serializers.IntegerField(source="assessment.initiative_id")
    item_title = serializers.SerializerMethodField()
    conditions = serializers.SerializerMethodField()
    clears_blocker = serializers.SerializerMethodField(
        help_text="Accepted (with or without conditions): the area no longer blocks a gate"
    )
    reviewer = UserSummarySerializer()

    class Meta:
        model = ItemReview
        fields = [
            "id",
            "assessment",
            "initiative",
            "item_id",
            "item_title",
            "outcome",
            "note",
            "conditions",
            "clears_blocker",
            "reviewer",
            "created_at",
        ]
        read_only_fields = fields

    def get_item_title(self, review: ItemReview) -> str:
        try:
            return review.assessment.template_version.parsed.item(review.item_id).title
        except KeyError:
            return review.item_id

    def get_conditions(self, review: ItemReview) -> list[str]:
        return list(parse_conditions(review.conditions))

    def get_clears_blocker(self, review: ItemReview) -> bool:
        return review.outcome in ITEM_REVIEW_CLEARING_OUTCOMES


class ItemReviewCreateSerializer(StrictFieldsMixin, serializers.Serializer):
    assessment = serializers.PrimaryKeyRelatedField(queryset=Assessment.objects.all())
    item_id = serializers.CharField(max_length=64, help_text="An area the assessment scored 1")
    outcome = serializers.ChoiceField(choices=ItemReviewOutcome.choices)
    note = serializers.CharField(
        required=False, allow_blank=True, max_length=4000, help_text="Required."
    )
    conditions = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=4000,
        help_text="One condition per line: required for accepted_with_conditions, refused "
        "otherwise; each becomes an action item.",
    )


class ItemReviewFilter(django_filters.FilterSet):
    assessment = django_filters.NumberFilter(field_name="assessment_id", label="Assessment id")
    initiative = django_filters.NumberFilter(
        field_name="assessment__initiative_id", label="Initiative id"
    )
    outcome = django_filters.ChoiceFilter(choices=ItemReviewOutcome.choices)

    class Meta:
        model = ItemReview
        fields = ["assessment", "initiative", "outcome"]


class ItemReviewViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Reviews of readiness areas scored 1: every Gatehouse role reads them; council members
    and governance admins record one (not for an initiative they own or sponsor)."""

    serializer_class = ItemReviewSerializer
    filterset_class = ItemReviewFilter
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend]

    def get_queryset(self) -> QuerySet[ItemReview]:
        if not permissions.can_view_governance(self.request.user):
            return ItemReview.objects.none()
        return ItemReview.objects.select_related(
            "reviewer", "assessment__template_version"
        ).order_by("created_at", "pk")

    @extend_schema(request=ItemReviewCreateSerializer, responses={201: ItemReviewSerializer})
    def create(self, request: Request) -> Response:
        """Record the review of an area scored 1: accepted, accepted with conditions (each an
        action item) or not accepted (the area keeps blocking until scored again)."""
        require(permissions.can_review_items(request.user), permissions.ITEM_REVIEW_DENIED_MESSAGE)
        data = ItemReviewCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        review = services.item_review_record(
            assessment=data.validated_data["assessment"],
            item_id=data.validated_data["item_id"],
            actor=request.user,
            outcome=data.validated_data["outcome"],
            note=data.validated_data.get("note", ""),
            conditions=data.validated_data.get("conditions", ""),
        )
        fresh = self.get_queryset().get(pk=review.pk)
        return Response(ItemReviewSerializer(fresh).data, status=status.HTTP_201_CREATED)


# ---------------------------------------------------------------------------------------------
# Re-reviews
# ---------------------------------------------------------------------------------------------


class ReReviewChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    label = serializers.CharField()
    before = serializers.JSONField()
    after = serializers.JSONField()


class ReReviewSerializer(serializers.ModelSerializer):
    initiative_title = serializers.CharField(source="initiative.title")
    initiative_stage = serializers.CharField(
        source="initiative.stage", help_text="Where the initiative is now"
    )
    changes = ReReviewChangeSerializer(many=True)
    open = serializers.SerializerMethodField()
    outcome = serializers.ChoiceField(
        choices=ReReviewOutcome.choices, allow_blank=True, read_only=True, help_text='"" while open'
    )
    resolved_by = UserSummarySerializer(allow_null=True)

    class Meta:
        model = ReReview
        fields = [
            "id",
            "initiative",
            "initiative_title",
            "initiative_stage",
            "changes",
            "raised_at",
            "open",
            "outcome",
            "resolution",
            "resolved_by",
            "resolved_at",
        ]
        read_only_fields = fields

    def get_open(self, rereview: ReReview) -> bool:
        return rereview.resolved_at is None


class ReReviewConfirmSerializer(StrictFieldsMixin, serializers.Serializer):
    note = serializers.CharField(
        required=False, allow_blank=True, max_length=4000, help_text="Why the approval holds"
    )


class ReReviewSendBackSerializer(StrictFieldsMixin, serializers.Serializer):
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=4000,
        help_text="Why the approval no longer holds",
    )


class ReReviewFilter(django_filters.FilterSet):
    initiative = django_filters.NumberFilter(field_name="initiative_id", label="Initiative id")
    open = django_filters.BooleanFilter(
        field_name="resolved_at", lookup_expr="isnull", label="Not yet resolved"
    )
    outcome = django_filters.ChoiceFilter(choices=ReReviewOutcome.choices)

    class Meta:
        model = ReReview
        fields = ["initiative", "open", "outcome"]


class ReReviewViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Re-reviews raised by a material change after approval, newest first: every Gatehouse
    role reads them. While one is open, gate-status approves no stage. Council members and
    governance admins who are not recused confirm (the approval holds) or send back (the
    initiative returns to the stage before its last go)."""

    serializer_class = ReReviewSerializer
    filterset_class = ReReviewFilter
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend]

    def get_queryset(self) -> QuerySet[ReReview]:
        if not permissions.can_view_governance(self.request.user):
            return ReReview.objects.none()
        return ReReview.objects.select_related("initiative", "resolved_by").order_by(
            "-raised_at", "-pk"
        )

    def _target(self) -> ReReview:
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    def _answer(self, rereview: ReReview) -> Response:
        return Response(ReReviewSerializer(self.get_queryset().get(pk=rereview.pk)).data)

    @extend_schema(request=ReReviewConfirmSerializer, responses=ReReviewSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str) -> Response:
        """The approval still holds after the change; gate-status approves again."""
        require(permissions.can_resolve_rereview(request.user), permissions.REREVIEW_DENIED_MESSAGE)
        rereview = self._target()
        data = ReReviewConfirmSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        resolved = services.rereview_confirm(
            rereview=rereview, actor=request.user, note=data.validated_data.get("note", "")
        )
        return self._answer(resolved)

    @extend_schema(request=ReReviewSendBackSerializer, responses=ReReviewSerializer)
    @action(detail=True, methods=["post"], url_path="send-back")
    def send_back(self, request: Request, pk: str) -> Response:
        """The approval no longer holds: the initiative goes back to the stage it was in before
        its last go decision, so gate-status no longer approves the stage that go approved."""
        require(permissions.can_resolve_rereview(request.user), permissions.REREVIEW_DENIED_MESSAGE)
        rereview = self._target()
        data = ReReviewSendBackSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        resolved = services.rereview_send_back(
            rereview=rereview, actor=request.user, reason=data.validated_data.get("reason", "")
        )
        return self._answer(resolved)
