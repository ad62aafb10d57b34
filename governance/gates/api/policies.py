"""Gate policies through the API: read every version; admins post a new one, saying which version
it starts from (`based_on`): 409 with the newer version when someone saved one since."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import StrictFieldsMixin
from core.permissions import require
from core.roles import Role
from governance.council.permissions import can_read_council
from governance.gates import permissions
from governance.gates.permissions import can_edit_policies
from governance.gates.presentation import describe_criteria
from governance.gates.selectors import policies_with_versions, policy_versions
from governance.gates.services.policies import gate_policy_version_create
from governance.models import GatePolicy, GatePolicyVersion, Seat
from portfolio.api import UserSummarySerializer


class PolicyVersionSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    """One version of a gate. POST to `gate-policies/{id}/versions/` to make a new one."""

    criteria = serializers.JSONField(
        help_text='[{"id": criterion id, "params": {...}}], e.g. '
        '{"id": "scorecard_ready", "params": {"max_age_days": 90, "min_total": 55}}'
    )
    # Plain strings: the service checks them against the seats and answers by field. (A second
    # enum of the same seats would clash with `seat` in the schema's enum names.)
    required_seats = serializers.ListField(
        child=serializers.CharField(),
        allow_empty=True,
        help_text=f"Seat ids, each needing an approval: {', '.join(Seat.values)}",
    )
    decider_roles = serializers.ListField(
        child=serializers.ChoiceField(choices=[role.value for role in Role]), allow_empty=False
    )
    based_on = serializers.IntegerField(
        write_only=True,
        required=False,
        help_text="The number of the version your edit starts from. If a newer version was "
        "saved since, the API answers 409 with it and stores nothing. Left out: not checked.",
    )
    criteria_text = serializers.SerializerMethodField()
    pending_requests = serializers.IntegerField(source="pending_count", read_only=True)
    # Null for versions loaded from the shipped policies (manage.py load_gate_policies).
    created_by = UserSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = GatePolicyVersion
        fields = [
            "id",
            "number",
            "based_on",
            "criteria",
            "criteria_text",
            "decider_roles",
            "quorum",
            "required_seats",
            "note",
            "pending_requests",
            "created_by",
            "created_at",
        ]
        read_only_fields = ["number", "created_at"]
        # A new version states its whole decision rule; the model's default of 2 is the shipped
        # policies', not a value to fall back on when a client leaves it out.
        extra_kwargs = {"quorum": {"required": True}}

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_criteria_text(self, version: GatePolicyVersion) -> list[str]:
        return [criterion.text for criterion in describe_criteria(version.criteria)]


class PolicySerializer(serializers.ModelSerializer):
    """A gate (one transition) with its current version and every version, newest first."""

    current_version = serializers.SerializerMethodField()
    versions = serializers.SerializerMethodField()

    class Meta:
        model = GatePolicy
        fields = ["id", "from_stage", "to_stage", "title", "current_version", "versions"]

    @extend_schema_field(PolicyVersionSerializer(allow_null=True))
    def get_current_version(self, policy: GatePolicy) -> dict[str, Any] | None:
        versions = policy.version_list
        return PolicyVersionSerializer(versions[0]).data if versions else None

    @extend_schema_field(PolicyVersionSerializer(many=True))
    def get_versions(self, policy: GatePolicy) -> list[dict[str, Any]]:
        return PolicyVersionSerializer(policy.version_list, many=True).data


class PolicyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Gate policies; everyone with a role reads them, governance admins add versions."""

    serializer_class = PolicySerializer
    pagination_class = None  # four transitions: one page

    def get_queryset(self) -> QuerySet[GatePolicy]:
        if not can_read_council(self.request.user):
            return GatePolicy.objects.none()
        return policies_with_versions()

    @extend_schema(request=PolicyVersionSerializer, responses={201: PolicyVersionSerializer})
    @action(detail=True, methods=["post"])
    def versions(self, request: Request, pk: str | None = None) -> Response:
        policy = self.get_object()
        require(can_edit_policies(request.user), permissions.POLICY_DENIED_MESSAGE)
        serializer = PolicyVersionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        before = policy.versions.order_by("-number").values_list("pk", flat=True).first()
        version = gate_policy_version_create(
            policy=policy,
            actor=request.user,
            criteria=data["criteria"],
            quorum=data["quorum"],
            required_seats=data["required_seats"],
            decider_roles=data["decider_roles"],
            note=data.get("note", ""),
            expected_version=data.get("based_on"),
        )
        # Content identical to the current version makes no new one: 200 with the current.
        return Response(
            PolicyVersionSerializer(policy_versions().get(pk=version.pk)).data,
            status=status.HTTP_200_OK if version.pk == before else status.HTTP_201_CREATED,
        )
