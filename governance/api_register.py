"""/api/v1/ for the council's records: risks, incidents, leadership decisions, action items.

Shapes (every list is paginated like the rest of the API: count, next, previous, results):

* ``risks/`` list (filters ``category``, ``status`` (open, mitigating, closed, all; default open
  and mitigating), ``severity_min`` (20, 15, 8 or 4), ``escalated``, ``business_unit``,
  ``initiative``, ``owner``, ``sort`` (-severity default, severity, -updated, initiative)),
  retrieve, create (POST with ``initiative``), update (PUT/PATCH with the ``version`` you read;
  409 with the current values if someone saved since), ``{id}/close/`` (POST ``reason``).
* ``incidents/`` list (``status`` (default open; resolved, all), ``business_unit``,
  ``initiative``, ``owner``), retrieve, create, update (``version``, 409 when stale),
  ``{id}/resolve/`` (POST ``corrective_action`` unless one is on record, optional ``reason``).
* ``leadership-decisions/`` list (``status`` (default open; overdue, decided, all),
  ``initiative``, ``portfolio_wide``, ``owner``), retrieve, create (``initiative`` null for the
  whole portfolio), update (``version``), ``{id}/record-outcome/`` (POST ``outcome``).
* ``action-items/`` list (``state`` (default open; overdue, done, all), ``owner``,
  ``initiative``, ``business_unit``), retrieve, create, ``{id}/complete/`` (POST optional
  ``note``). Action items have no version and are not edited; PUT/PATCH answer 405.

Everyone with a Gatehouse role reads; the initiative's named people, council members and
governance admins write (see governance.register_permissions). Errors name the field:
``{"likelihood": ["Likelihood must be a whole number from 1 to 5 …"]}``. Closing, resolving,
recording or completing twice answers 409. Serializers check shape; the services decide.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import StrictFieldsMixin
from governance.models import (
    ActionItem,
    Incident,
    LeadershipDecision,
    Risk,
    RiskCategory,
    RiskStatus,
)
from governance.register_filters import (
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
from governance.register_permissions import (
    OUTCOME_DENIED_MESSAGE,
    can_read_register,
    can_record_decision_outcome,
    get_action_item_for_user,
    get_incident_for_user,
    get_leadership_decision_for_user,
    get_risk_for_user,
)
from governance.register_services import (
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
from portfolio.api import UserSummarySerializer
from portfolio.models import Initiative

User = get_user_model()

VERSION_HELP = (
    "The version you read. If someone saved since, the API answers 409 and saves nothing."
)


def _user_field(**kwargs: Any) -> serializers.PrimaryKeyRelatedField:
    # Any user id resolves here; the service refuses people without a Gatehouse role, by name.
    return serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), **kwargs)


def _initiative_field(**kwargs: Any) -> serializers.PrimaryKeyRelatedField:
    return serializers.PrimaryKeyRelatedField(queryset=Initiative.objects.all(), **kwargs)


def _require_version(data: dict[str, Any]) -> int:
    if data.get("version") is None:
        raise serializers.ValidationError(
            {"version": ["Send the version you read, so a newer save is never overwritten."]}
        )
    return data.pop("version")


class InitiativeSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()


class _RegisterViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend]

    def _base_queryset(self) -> QuerySet:
        raise NotImplementedError

    def get_queryset(self) -> QuerySet:
        if not can_read_register(self.request.user):
            return self._base_queryset().none()
        return self._base_queryset()

    def _read(self, pk: int) -> dict[str, Any]:
        return self.get_serializer(self._base_queryset().get(pk=pk)).data

    @property
    def _writing(self) -> bool:
        return self.request.method not in SAFE_METHODS


# ---------------------------------------------------------------------------------------------
# Risks
# ---------------------------------------------------------------------------------------------


class RiskSerializer(serializers.ModelSerializer):
    """A risk. `severity` = likelihood × impact and `escalated` are computed, never sent."""

    initiative = InitiativeSummarySerializer()
    owner = UserSummarySerializer()
    severity_level = serializers.SerializerMethodField(help_text="low, medium or high")

    class Meta:
        model = Risk
        fields = [
            "id",
            "initiative",
            "category",
            "description",
            "likelihood",
            "impact",
            "severity",
            "severity_level",
            "escalation_threshold",
            "escalated",
            "owner",
            "mitigation",
            "status",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_severity_level(self, risk: Risk) -> str:
        return severity_level(risk.severity).id


class RiskUpdateSerializer(StrictFieldsMixin, serializers.Serializer):
    category = serializers.ChoiceField(choices=RiskCategory.choices)
    description = serializers.CharField(max_length=2000)
    likelihood = serializers.IntegerField(help_text="1 rare … 5 almost certain")
    impact = serializers.IntegerField(help_text="1 negligible … 5 severe")
    owner = _user_field()
    mitigation = serializers.CharField(max_length=2000, allow_blank=True, required=False)
    status = serializers.ChoiceField(
        choices=RiskStatus.choices,
        required=False,
        help_text="open or mitigating; close with POST {id}/close/",
    )
    escalation_threshold = serializers.IntegerField(
        required=False, help_text="Severity (1–25) at or above which the risk is escalated"
    )
    version = serializers.IntegerField(required=False, help_text=VERSION_HELP)


class RiskCreateSerializer(RiskUpdateSerializer):
    initiative = _initiative_field()
    version = None


class ReasonSerializer(StrictFieldsMixin, serializers.Serializer):
    reason = serializers.CharField(max_length=2000, allow_blank=True)
    version = serializers.IntegerField(required=False, help_text=VERSION_HELP)


class RiskViewSet(_RegisterViewSet):
    """The risk register (see the module docstring for filters and rules)."""

    serializer_class = RiskSerializer
    filterset_class = RiskFilter

    def _base_queryset(self) -> QuerySet[Risk]:
        return risk_queryset()

    def get_object(self) -> Risk:
        return get_risk_for_user(
            self.request.user, self.kwargs["pk"], write=self._writing, queryset=self.get_queryset()
        )

    @extend_schema(request=RiskCreateSerializer, responses={201: RiskSerializer})
    def create(self, request: Request) -> Response:
        data = RiskCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        risk = risk_create(initiative=values.pop("initiative"), actor=request.user, **values)
        return Response(self._read(risk.pk), status=status.HTTP_201_CREATED)

    @extend_schema(request=RiskUpdateSerializer, responses=RiskSerializer)
    def update(self, request: Request, pk: str, partial: bool = False) -> Response:
        risk = self.get_object()
        data = RiskUpdateSerializer(data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        version = _require_version(values)
        risk_update(risk=risk, actor=request.user, data=values, expected_version=version)
        return Response(self._read(risk.pk))

    @extend_schema(request=RiskUpdateSerializer, responses=RiskSerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        return self.update(request, pk, partial=True)

    @extend_schema(request=ReasonSerializer, responses=RiskSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str) -> Response:
        """Close the risk with the reason (kept in the audit trail); 409 if already closed."""
        risk = self.get_object()
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        risk_close(
            risk=risk,
            actor=request.user,
            reason=data.validated_data["reason"],
            expected_version=data.validated_data.get("version"),
        )
        return Response(self._read(risk.pk))


# ---------------------------------------------------------------------------------------------
# Incidents
# ---------------------------------------------------------------------------------------------


class IncidentSerializer(serializers.ModelSerializer):
    initiative = InitiativeSummarySerializer()
    owner = UserSummarySerializer()

    class Meta:
        model = Incident
        fields = [
            "id",
            "initiative",
            "summary",
            "occurred_at",
            "owner",
            "response",
            "impact",
            "corrective_action",
            "status",
            "resolved_at",
            "version",
        ]
        read_only_fields = fields


class IncidentUpdateSerializer(StrictFieldsMixin, serializers.Serializer):
    summary = serializers.CharField(max_length=300)
    occurred_at = serializers.DateTimeField()
    owner = _user_field()
    response = serializers.CharField(allow_blank=True, required=False, max_length=5000)
    impact = serializers.CharField(allow_blank=True, required=False, max_length=5000)
    corrective_action = serializers.CharField(allow_blank=True, required=False, max_length=5000)
    version = serializers.IntegerField(required=False, help_text=VERSION_HELP)


class IncidentCreateSerializer(IncidentUpdateSerializer):
    initiative = _initiative_field()
    version = None


class IncidentResolveSerializer(StrictFieldsMixin, serializers.Serializer):
    corrective_action = serializers.CharField(
        allow_blank=True,
        required=False,
        max_length=5000,
        help_text="Required unless the incident already has one",
    )
    reason = serializers.CharField(allow_blank=True, required=False, max_length=2000)
    version = serializers.IntegerField(required=False, help_text=VERSION_HELP)


class IncidentViewSet(_RegisterViewSet):
    """Incidents and exceptions (see the module docstring)."""

    serializer_class = IncidentSerializer
    filterset_class = IncidentFilter

    def _base_queryset(self) -> QuerySet[Incident]:
        return incident_queryset()

    def get_object(self) -> Incident:
        return get_incident_for_user(
            self.request.user, self.kwargs["pk"], write=self._writing, queryset=self.get_queryset()
        )

    @extend_schema(request=IncidentCreateSerializer, responses={201: IncidentSerializer})
    def create(self, request: Request) -> Response:
        data = IncidentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        incident = incident_create(
            initiative=values.pop("initiative"), actor=request.user, **values
        )
        return Response(self._read(incident.pk), status=status.HTTP_201_CREATED)

    @extend_schema(request=IncidentUpdateSerializer, responses=IncidentSerializer)
    def update(self, request: Request, pk: str, partial: bool = False) -> Response:
        incident = self.get_object()
        data = IncidentUpdateSerializer(data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        version = _require_version(values)
        incident_update(
            incident=incident, actor=request.user, data=values, expected_version=version
        )
        return Response(self._read(incident.pk))

    @extend_schema(request=IncidentUpdateSerializer, responses=IncidentSerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        return self.update(request, pk, partial=True)

    @extend_schema(request=IncidentResolveSerializer, responses=IncidentSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, pk: str) -> Response:
        """Resolve an open incident; 409 if it already is."""
        incident = self.get_object()
        data = IncidentResolveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        incident_resolve(
            incident=incident,
            actor=request.user,
            corrective_action=data.validated_data.get("corrective_action", ""),
            reason=data.validated_data.get("reason", ""),
            expected_version=data.validated_data.get("version"),
        )
        return Response(self._read(incident.pk))


# ---------------------------------------------------------------------------------------------
# Decisions required from leadership
# ---------------------------------------------------------------------------------------------


class LeadershipDecisionSerializer(serializers.ModelSerializer):
    initiative = InitiativeSummarySerializer(allow_null=True, help_text="null: whole portfolio")
    owner = UserSummarySerializer()
    overdue = serializers.BooleanField(help_text="Open and due before today")

    class Meta:
        model = LeadershipDecision
        fields = [
            "id",
            "initiative",
            "question",
            "options",
            "implications",
            "owner",
            "due_date",
            "overdue",
            "status",
            "outcome",
            "version",
            "created_at",
        ]
        read_only_fields = fields


class LeadershipDecisionUpdateSerializer(StrictFieldsMixin, serializers.Serializer):
    question = serializers.CharField(max_length=300)
    options = serializers.CharField(max_length=5000, help_text="One option per line")
    implications = serializers.CharField(allow_blank=True, required=False, max_length=5000)
    owner = _user_field()
    due_date = serializers.DateField()
    version = serializers.IntegerField(required=False, help_text=VERSION_HELP)


class LeadershipDecisionCreateSerializer(LeadershipDecisionUpdateSerializer):
    initiative = _initiative_field(
        allow_null=True, required=False, help_text="Omit or null for the whole portfolio"
    )
    version = None


class OutcomeSerializer(StrictFieldsMixin, serializers.Serializer):
    outcome = serializers.CharField(allow_blank=True, max_length=5000)
    version = serializers.IntegerField(required=False, help_text=VERSION_HELP)


class LeadershipDecisionViewSet(_RegisterViewSet):
    """Decisions required from leadership (see the module docstring)."""

    serializer_class = LeadershipDecisionSerializer
    filterset_class = LeadershipDecisionFilter

    def _base_queryset(self) -> QuerySet[LeadershipDecision]:
        return leadership_decision_queryset()

    def get_object(self) -> LeadershipDecision:
        # Recording the outcome has its own rule (leadership decides), checked in the action.
        write = self._writing and self.action != "record_outcome"
        return get_leadership_decision_for_user(
            self.request.user, self.kwargs["pk"], write=write, queryset=self.get_queryset()
        )

    @extend_schema(
        request=LeadershipDecisionCreateSerializer, responses={201: LeadershipDecisionSerializer}
    )
    def create(self, request: Request) -> Response:
        data = LeadershipDecisionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        decision = leadership_decision_create(
            initiative=values.pop("initiative", None), actor=request.user, **values
        )
        return Response(self._read(decision.pk), status=status.HTTP_201_CREATED)

    @extend_schema(
        request=LeadershipDecisionUpdateSerializer, responses=LeadershipDecisionSerializer
    )
    def update(self, request: Request, pk: str, partial: bool = False) -> Response:
        decision = self.get_object()
        data = LeadershipDecisionUpdateSerializer(data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        version = _require_version(values)
        leadership_decision_update(
            decision=decision, actor=request.user, data=values, expected_version=version
        )
        return Response(self._read(decision.pk))

    @extend_schema(
        request=LeadershipDecisionUpdateSerializer, responses=LeadershipDecisionSerializer
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        return self.update(request, pk, partial=True)

    @extend_schema(request=OutcomeSerializer, responses=LeadershipDecisionSerializer)
    @action(detail=True, methods=["post"], url_path="record-outcome", url_name="record-outcome")
    def record_outcome(self, request: Request, pk: str) -> Response:
        """Record what leadership decided; the decision closes. 409 if already recorded."""
        decision = self.get_object()
        if not can_record_decision_outcome(request.user, decision):
            raise PermissionDenied(OUTCOME_DENIED_MESSAGE)
        data = OutcomeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        leadership_decision_record_outcome(
            decision=decision,
            actor=request.user,
            outcome=data.validated_data["outcome"],
            expected_version=data.validated_data.get("version"),
        )
        return Response(self._read(decision.pk))


# ---------------------------------------------------------------------------------------------
# Action items
# ---------------------------------------------------------------------------------------------


class ActionItemSerializer(serializers.ModelSerializer):
    initiative = InitiativeSummarySerializer()
    owner = UserSummarySerializer()
    overdue = serializers.BooleanField(help_text="Open and due before today")

    class Meta:
        model = ActionItem
        fields = [
            "id",
            "initiative",
            "gate_request",
            "title",
            "owner",
            "due_date",
            "overdue",
            "status",
            "created_at",
            "completed_at",
        ]
        read_only_fields = fields


class ActionItemCreateSerializer(StrictFieldsMixin, serializers.Serializer):
    initiative = _initiative_field()
    title = serializers.CharField(max_length=300)
    owner = _user_field()
    due_date = serializers.DateField(help_text="A past date is allowed: the item is then overdue")


class ActionItemCompleteSerializer(StrictFieldsMixin, serializers.Serializer):
    note = serializers.CharField(allow_blank=True, required=False, max_length=2000)


class ActionItemViewSet(_RegisterViewSet):
    """Action items (see the module docstring). Not edited once given: create and complete."""

    serializer_class = ActionItemSerializer
    filterset_class = ActionItemFilter

    def _base_queryset(self) -> QuerySet[ActionItem]:
        return action_item_queryset()

    def get_object(self) -> ActionItem:
        # Completing has its own rule (the item's owner may), which the service checks.
        return get_action_item_for_user(
            self.request.user, self.kwargs["pk"], queryset=self.get_queryset()
        )

    @extend_schema(request=ActionItemCreateSerializer, responses={201: ActionItemSerializer})
    def create(self, request: Request) -> Response:
        data = ActionItemCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        item = action_item_create(initiative=values.pop("initiative"), actor=request.user, **values)
        return Response(self._read(item.pk), status=status.HTTP_201_CREATED)

    @extend_schema(request=ActionItemCompleteSerializer, responses=ActionItemSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: str) -> Response:
        """Mark the item done (its owner, or whoever manages the register); 409 if already done."""
        item = self.get_object()
        data = ActionItemCompleteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        action_item_complete(
            item=item, actor=request.user, note=data.validated_data.get("note", "")
        )
        return Response(self._read(item.pk))
