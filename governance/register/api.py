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
governance admins write (see governance.register.permissions). Errors name the field:
``{"likelihood": ["Likelihood must be a whole number from 1 to 5 …"]}``. Closing, resolving,
recording or completing twice answers 409. Serializers check shape; the services decide.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Model, QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.response import Response

from core.permissions import require
from governance.models import ActionItem, Incident, LeadershipDecision, Risk
from governance.register.filters import (
    ActionItemFilter,
    IncidentFilter,
    LeadershipDecisionFilter,
    RiskFilter,
    action_item_queryset,
    incident_queryset,
    leadership_decision_queryset,
    risk_queryset,
)
from governance.register.permissions import (
    COMPLETE_DENIED_MESSAGE,
    OUTCOME_DENIED_MESSAGE,
    REGISTER_DENIED_MESSAGE,
    can_complete_action_item,
    can_read_register,
    can_record_decision_outcome,
    can_write_register,
    get_action_item_for_user,
    get_incident_for_user,
    get_leadership_decision_for_user,
    get_risk_for_user,
)
from governance.register.serializers import (
    ActionItemCompleteSerializer,
    ActionItemCreateSerializer,
    ActionItemSerializer,
    IncidentCreateSerializer,
    IncidentResolveSerializer,
    IncidentSerializer,
    IncidentUpdateSerializer,
    LeadershipDecisionCreateSerializer,
    LeadershipDecisionSerializer,
    LeadershipDecisionUpdateSerializer,
    OutcomeSerializer,
    ReasonSerializer,
    RiskCreateSerializer,
    RiskSerializer,
    RiskUpdateSerializer,
)
from governance.register.services import (
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


def _require_version(data: dict[str, Any]) -> int:
    if data.get("version") is None:
        raise serializers.ValidationError(
            {"version": ["Send the version you read, so a newer save is never overwritten."]}
        )
    return data.pop("version")


class _RegisterViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend]
    # POST: the serializer checks the shape, the service (called with the actor) decides.
    # Each subclass documents its create with extend_schema_view.
    create_serializer_class: type[serializers.Serializer]
    create_service: Any
    # Which initiative's records the user may change is the service's question, once the body
    # names the initiative; whoever may change none is refused before it is read. The other
    # writes ask about their record first (get_object), before the body.
    write_roles = {"create": (can_write_register, REGISTER_DENIED_MESSAGE)}

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

    def _valid_data(self, serializer_class: type[serializers.Serializer], **kwargs: Any) -> dict:
        data = serializer_class(data=self.request.data, **kwargs)
        data.is_valid(raise_exception=True)
        return dict(data.validated_data)

    def create(self, request: Request) -> Response:
        values = self._valid_data(self.create_serializer_class)
        record = self.create_service(actor=request.user, **values)
        return Response(self._read(record.pk), status=status.HTTP_201_CREATED)


class _EditableRegisterViewSet(_RegisterViewSet):
    """Records edited with the version the client read: 409 if someone saved since."""

    update_serializer_class: type[serializers.Serializer]

    def _update(self, record: Model, values: dict[str, Any], version: int) -> None:
        raise NotImplementedError

    def update(self, request: Request, pk: str, partial: bool = False) -> Response:
        record = self.get_object()
        values = self._valid_data(self.update_serializer_class, partial=partial)
        version = _require_version(values)
        self._update(record, values, version)
        return Response(self._read(record.pk))

    def partial_update(self, request: Request, pk: str) -> Response:
        return self.update(request, pk, partial=True)


def _editable_schema(create: type, update: type, read: type) -> Any:
    """The OpenAPI description of create, update and partial update for one record kind."""
    return extend_schema_view(
        create=extend_schema(request=create, responses={201: read}),
        update=extend_schema(request=update, responses=read),
        partial_update=extend_schema(request=update, responses=read),
    )


# ---------------------------------------------------------------------------------------------
# Risks
# ---------------------------------------------------------------------------------------------


@_editable_schema(RiskCreateSerializer, RiskUpdateSerializer, RiskSerializer)
class RiskViewSet(_EditableRegisterViewSet):
    """The risk register (see the module docstring for filters and rules)."""

    serializer_class = RiskSerializer
    filterset_class = RiskFilter
    create_serializer_class = RiskCreateSerializer
    create_service = staticmethod(risk_create)
    update_serializer_class = RiskUpdateSerializer

    def _base_queryset(self) -> QuerySet[Risk]:
        return risk_queryset()

    def get_object(self) -> Risk:
        return get_risk_for_user(
            self.request.user, self.kwargs["pk"], write=self._writing, queryset=self.get_queryset()
        )

    def _update(self, record: Risk, values: dict[str, Any], version: int) -> None:
        risk_update(risk=record, actor=self.request.user, data=values, expected_version=version)

    @extend_schema(request=ReasonSerializer, responses=RiskSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str) -> Response:
        """Close the risk with the reason (kept in the audit trail); 409 if already closed."""
        risk = self.get_object()
        values = self._valid_data(ReasonSerializer)
        risk_close(
            risk=risk,
            actor=request.user,
            reason=values["reason"],
            expected_version=values.get("version"),
        )
        return Response(self._read(risk.pk))


# ---------------------------------------------------------------------------------------------
# Incidents
# ---------------------------------------------------------------------------------------------


@_editable_schema(IncidentCreateSerializer, IncidentUpdateSerializer, IncidentSerializer)
class IncidentViewSet(_EditableRegisterViewSet):
    """Incidents and exceptions (see the module docstring)."""

    serializer_class = IncidentSerializer
    filterset_class = IncidentFilter
    create_serializer_class = IncidentCreateSerializer
    create_service = staticmethod(incident_create)
    update_serializer_class = IncidentUpdateSerializer

    def _base_queryset(self) -> QuerySet[Incident]:
        return incident_queryset()

    def get_object(self) -> Incident:
        return get_incident_for_user(
            self.request.user, self.kwargs["pk"], write=self._writing, queryset=self.get_queryset()
        )

    def _update(self, record: Incident, values: dict[str, Any], version: int) -> None:
        incident_update(
            incident=record, actor=self.request.user, data=values, expected_version=version
        )

    @extend_schema(request=IncidentResolveSerializer, responses=IncidentSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, pk: str) -> Response:
        """Resolve an open incident; 409 if it already is."""
        incident = self.get_object()
        values = self._valid_data(IncidentResolveSerializer)
        incident_resolve(
            incident=incident,
            actor=request.user,
            corrective_action=values.get("corrective_action", ""),
            reason=values.get("reason", ""),
            expected_version=values.get("version"),
        )
        return Response(self._read(incident.pk))


# ---------------------------------------------------------------------------------------------
# Decisions required from leadership
# ---------------------------------------------------------------------------------------------


@_editable_schema(
    LeadershipDecisionCreateSerializer,
    LeadershipDecisionUpdateSerializer,
    LeadershipDecisionSerializer,
)
class LeadershipDecisionViewSet(_EditableRegisterViewSet):
    """Decisions required from leadership (see the module docstring)."""

    serializer_class = LeadershipDecisionSerializer
    filterset_class = LeadershipDecisionFilter
    # No initiative (omitted or null) is a decision about the whole portfolio.
    create_serializer_class = LeadershipDecisionCreateSerializer
    create_service = staticmethod(leadership_decision_create)
    update_serializer_class = LeadershipDecisionUpdateSerializer

    def _base_queryset(self) -> QuerySet[LeadershipDecision]:
        return leadership_decision_queryset()

    def get_object(self) -> LeadershipDecision:
        # Recording the outcome has its own rule (leadership decides), checked in the action.
        write = self._writing and self.action != "record_outcome"
        return get_leadership_decision_for_user(
            self.request.user, self.kwargs["pk"], write=write, queryset=self.get_queryset()
        )

    def _update(self, record: LeadershipDecision, values: dict[str, Any], version: int) -> None:
        leadership_decision_update(
            decision=record, actor=self.request.user, data=values, expected_version=version
        )

    @extend_schema(request=OutcomeSerializer, responses=LeadershipDecisionSerializer)
    @action(detail=True, methods=["post"], url_path="record-outcome", url_name="record-outcome")
    def record_outcome(self, request: Request, pk: str) -> Response:
        """Record what leadership decided; the decision closes. 409 if already recorded."""
        decision = self.get_object()
        require(can_record_decision_outcome(request.user, decision), OUTCOME_DENIED_MESSAGE)
        values = self._valid_data(OutcomeSerializer)
        leadership_decision_record_outcome(
            decision=decision,
            actor=request.user,
            outcome=values["outcome"],
            expected_version=values.get("version"),
        )
        return Response(self._read(decision.pk))


# ---------------------------------------------------------------------------------------------
# Action items
# ---------------------------------------------------------------------------------------------


@extend_schema_view(
    create=extend_schema(request=ActionItemCreateSerializer, responses={201: ActionItemSerializer})
)
class ActionItemViewSet(_RegisterViewSet):
    """Action items (see the module docstring). Not edited once given: create and complete."""

    serializer_class = ActionItemSerializer
    filterset_class = ActionItemFilter
    create_serializer_class = ActionItemCreateSerializer
    create_service = staticmethod(action_item_create)

    def _base_queryset(self) -> QuerySet[ActionItem]:
        return action_item_queryset()

    def get_object(self) -> ActionItem:
        # Completing has its own rule (the item's owner may), which the service checks.
        return get_action_item_for_user(
            self.request.user, self.kwargs["pk"], queryset=self.get_queryset()
        )

    @extend_schema(request=ActionItemCompleteSerializer, responses=ActionItemSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: str) -> Response:
        """Mark the item done (its owner, or whoever manages the register); 409 if already done."""
        item = self.get_object()
        require(can_complete_action_item(request.user, item), COMPLETE_DENIED_MESSAGE)
        values = self._valid_data(ActionItemCompleteSerializer)
        action_item_complete(item=item, actor=request.user, note=values.get("note", ""))
        return Response(self._read(item.pk))
