"""An initiative's gate state, pause / resume / stop, and pilot purgatory through the API."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from core.permissions import require
from governance.gates import permissions, selectors, services
from governance.gates.api.requests import GateReasonSerializer
from governance.gates.panels import gate_panel_state
from portfolio.api import UserSummarySerializer
from portfolio.models import Initiative, Status
from portfolio.permissions import get_initiative_for_user

User = get_user_model()


class PendingGateRequestSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    to_stage_label = serializers.CharField()
    requested_at = serializers.DateTimeField()
    review_due_at = serializers.DateTimeField()
    votes_cast = serializers.IntegerField()
    quorum = serializers.IntegerField()
    overdue = serializers.BooleanField()


class RereviewChangeSerializer(serializers.Serializer):
    label = serializers.CharField()
    before = serializers.CharField()
    after = serializers.CharField()


class InitiativeGateStatusSerializer(serializers.Serializer):
    """Where an initiative stands with the council."""

    initiative = serializers.IntegerField()
    title = serializers.CharField()
    stage = serializers.CharField()
    status = serializers.CharField()
    status_reason = serializers.CharField(help_text="Why it was last paused, resumed or stopped")
    pending_request = PendingGateRequestSerializer(allow_null=True)
    in_pilot_purgatory = serializers.BooleanField()
    days_without_decision = serializers.IntegerField(allow_null=True)
    rereview_needed = serializers.BooleanField()
    rereview_changes = RereviewChangeSerializer(many=True)


class InitiativeStatusViewSet(viewsets.GenericViewSet):
    """An initiative's gate situation (every role reads it); pause, resume and stop it outside a
    gate request (the council chair or a governance admin), always with a reason."""

    queryset = Initiative.objects.all()
    serializer_class = InitiativeGateStatusSerializer
    filter_backends: list[type] = []

    def _initiative(self) -> Initiative:
        return get_initiative_for_user(self.request.user, self.kwargs["pk"])

    def _status(self, initiative: Initiative) -> Response:
        state = gate_panel_state(initiative, timezone.now())
        data = {
            "initiative": initiative.pk,
            "title": initiative.title,
            "stage": initiative.stage,
            "status": initiative.status,
            "status_reason": state.status_reason,
            "pending_request": state.pending,
            "in_pilot_purgatory": state.in_pilot_purgatory,
            "days_without_decision": state.days_without_decision
            if state.in_pilot_purgatory
            else None,
            "rereview_needed": state.rereview_changes is not None,
            "rereview_changes": state.rereview_changes or [],
        }
        return Response(InitiativeGateStatusSerializer(data).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return self._status(self._initiative())

    def _change(self, request: Request, to_status: str) -> Response:
        initiative = self._initiative()
        require(permissions.can_change_status(request.user), permissions.STATUS_CHANGE_MESSAGE)
        data = GateReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        changed = services.initiative_status_change(
            initiative=initiative,
            actor=request.user,
            to_status=to_status,
            reason=data.validated_data["reason"],
        )
        return self._status(changed)

    @extend_schema(request=GateReasonSerializer, responses=InitiativeGateStatusSerializer)
    @action(detail=True, methods=["post"])
    def pause(self, request: Request, pk: str) -> Response:
        """Put an active initiative on hold."""
        return self._change(request, Status.PAUSED)

    @extend_schema(request=GateReasonSerializer, responses=InitiativeGateStatusSerializer)
    @action(detail=True, methods=["post"])
    def resume(self, request: Request, pk: str) -> Response:
        """Make a paused initiative active again."""
        return self._change(request, Status.ACTIVE)

    @extend_schema(request=GateReasonSerializer, responses=InitiativeGateStatusSerializer)
    @action(detail=True, methods=["post"])
    def stop(self, request: Request, pk: str) -> Response:
        """Stop (kill / sunset) an initiative; final."""
        return self._change(request, Status.STOPPED)


class PilotPurgatorySerializer(serializers.ModelSerializer):
    """An initiative in pilot longer than the configured days with no gate decision."""

    initiative = serializers.IntegerField(source="pk")
    business_owner = UserSummarySerializer(allow_null=True)
    last_gate_decision_at = serializers.DateTimeField(allow_null=True)
    pilot_since = serializers.DateTimeField(
        source="pilot_clock_started_at",
        help_text="When the clock started: entering pilot or the last gate decision since",
    )
    days_in_pilot = serializers.SerializerMethodField()

    class Meta:
        model = Initiative
        fields = [
            "initiative",
            "title",
            "business_owner",
            "stage_changed_at",
            "last_gate_decision_at",
            "pilot_since",
            "days_in_pilot",
        ]
        read_only_fields = fields

    def get_days_in_pilot(self, initiative: Initiative) -> int:
        return (self.context["now"] - initiative.pilot_clock_started_at).days


class PilotPurgatoryViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Initiatives stuck in pilot ("pilot purgatory"), longest first; every role reads it."""

    serializer_class = PilotPurgatorySerializer
    filter_backends: list[type] = []

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        # One "now" for the filter and the day counts, so a row never shows fewer days than
        # the threshold that put it on the list.
        self.now = timezone.now()

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "now": getattr(self, "now", timezone.now())}

    def get_queryset(self) -> QuerySet[Initiative]:
        if not permissions.can_view_governance(self.request.user):
            return Initiative.objects.none()
        return selectors.pilot_purgatory_initiatives(getattr(self, "now", timezone.now()))
