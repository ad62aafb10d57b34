"""/api/v1/ for the portfolio: business units, initiatives, problem statements.

Serializers validate shape only; every write goes through the same service the pages use.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema_field
from rest_framework import mixins, serializers, viewsets

from core.api import StrictFieldsMixin
from core.people import display_name
from portfolio.filters import InitiativeFilter
from portfolio.models import (
    PROBLEM_STATEMENT_FIELDS,
    BusinessUnit,
    Initiative,
    ProblemStatement,
    Vendor,
)
from portfolio.permissions import (
    BUSINESS_UNIT_CHANGE_DENIED_MESSAGE,
    BUSINESS_UNIT_CREATE_DENIED_MESSAGE,
    CREATE_DENIED_MESSAGE,
    PROBLEM_STATEMENT_DENIED_MESSAGE,
    can_create_initiative,
    can_edit_some_initiative,
    can_manage_business_units,
    can_view_portfolio,
    get_initiative_for_user,
)
from portfolio.problem_statement_rules import check_problem_statement, render_problem_statement
from portfolio.services import (
    INITIATIVE_EDITABLE_FIELDS,
    business_unit_create,
    business_unit_update,
    initiative_create,
    initiative_update,
    problem_statement_save,
)

User = get_user_model()
_USER_FIELDS = (
    "business_owner",
    "delivery_owner",
    "executive_sponsor",
    "value_owner",
    "safety_owner",
)


class UserSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.SerializerMethodField()

    def get_name(self, user: Any) -> str:
        return display_name(user)


class BusinessUnitSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    """A business unit that owns initiatives."""

    class Meta:
        model = BusinessUnit
        fields = ["id", "name", "description", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]


class InitiativeOwnersSerializer(serializers.Serializer):
    """The people who answer for an initiative, each null until named."""

    business_owner = UserSummarySerializer(allow_null=True)
    delivery_owner = UserSummarySerializer(allow_null=True)
    executive_sponsor = UserSummarySerializer(allow_null=True)


class BusinessUnitViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Business units; everyone with a role reads them, governance admins create and change them."""

    serializer_class = BusinessUnitSerializer
    queryset = BusinessUnit.objects.all()
    write_roles = {
        "create": (can_manage_business_units, BUSINESS_UNIT_CREATE_DENIED_MESSAGE),
        "update": (can_manage_business_units, BUSINESS_UNIT_CHANGE_DENIED_MESSAGE),
        "partial_update": (can_manage_business_units, BUSINESS_UNIT_CHANGE_DENIED_MESSAGE),
    }
    search_fields = ["name"]
    ordering_fields = ["name"]

    def perform_create(self, serializer: BusinessUnitSerializer) -> None:
        serializer.instance = business_unit_create(
            actor=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer: BusinessUnitSerializer) -> None:
        serializer.instance = business_unit_update(
            unit=serializer.instance, actor=self.request.user, data=serializer.validated_data
        )


class InitiativeSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    """An AI initiative. `stage` and `status` change only through governance, never here."""

    business_unit = serializers.PrimaryKeyRelatedField(queryset=BusinessUnit.objects.all())
    vendors = serializers.PrimaryKeyRelatedField(
        queryset=Vendor.objects.all(), many=True, required=False
    )
    version = serializers.IntegerField(
        required=False,
        help_text="On update: the version you read. If someone saved since, the API answers 409.",
    )
    owners = serializers.SerializerMethodField()
    has_problem_statement = serializers.SerializerMethodField()

    class Meta:
        model = Initiative
        fields = [
            "id",
            *INITIATIVE_EDITABLE_FIELDS,
            "vendors",
            "stage",
            "status",
            "stage_changed_at",
            "version",
            "owners",
            "has_problem_statement",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["stage", "status", "stage_changed_at", "created_at", "updated_at"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        users = User.objects.filter(is_active=True)
        for name in _USER_FIELDS:
            self.fields[name] = serializers.PrimaryKeyRelatedField(
                queryset=users, required=False, allow_null=True
            )

    @extend_schema_field(InitiativeOwnersSerializer)
    def get_owners(self, initiative: Initiative) -> dict[str, Any]:
        return {
            name: UserSummarySerializer(getattr(initiative, name)).data
            if getattr(initiative, name) is not None
            else None
            for name in ("business_owner", "delivery_owner", "executive_sponsor")
        }

    def get_has_problem_statement(self, initiative: Initiative) -> bool:
        return hasattr(initiative, "problem_statement")

    def create(self, validated_data: dict[str, Any]) -> Initiative:
        validated_data.pop("version", None)
        vendors = validated_data.pop("vendors", [])
        return initiative_create(
            actor=self.context["request"].user, data=validated_data, vendors=vendors
        )

    def update(self, initiative: Initiative, validated_data: dict[str, Any]) -> Initiative:
        expected = validated_data.pop("version", None)
        vendors = validated_data.pop("vendors", None)
        return initiative_update(
            initiative=initiative,
            actor=self.context["request"].user,
            data=validated_data,
            expected_version=expected,
            vendors=vendors,
        )


class InitiativeViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Initiatives. Filters: `q`, `stage` (repeatable), `status`, `business_unit`,
    `eu_ai_act_tier`, `owner`, `sort`. Product owners change only initiatives they own."""

    serializer_class = InitiativeSerializer
    filterset_class = InitiativeFilter
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend]
    # Updates ask `can_edit_initiative` on the object first (get_object), before the body.
    write_roles = {"create": (can_create_initiative, CREATE_DENIED_MESSAGE)}

    def get_queryset(self):  # noqa: ANN201
        if not can_view_portfolio(self.request.user):
            return Initiative.objects.none()
        return (
            Initiative.objects.with_list_relations()
            .select_related("problem_statement")
            .prefetch_related("vendors")
            .order_by("title", "id")
        )

    def get_object(self) -> Initiative:
        return get_initiative_for_user(
            self.request.user,
            self.kwargs["pk"],
            write=self.request.method not in ("GET", "HEAD", "OPTIONS"),
            queryset=self.get_queryset(),
        )


class ProblemStatementSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    """The one-page problem statement; `findings`, `sentence` and `clarity_score` are computed."""

    initiative = serializers.PrimaryKeyRelatedField(queryset=Initiative.objects.all())
    version = serializers.IntegerField(
        required=False,
        help_text="On update: the version you read. If someone saved since, the API answers 409.",
    )
    sentence = serializers.SerializerMethodField()
    findings = serializers.SerializerMethodField()
    complete = serializers.SerializerMethodField()

    class Meta:
        model = ProblemStatement
        fields = [
            "id",
            "initiative",
            *PROBLEM_STATEMENT_FIELDS,
            "version",
            "clarity_score",
            "complete",
            "sentence",
            "findings",
            "updated_at",
        ]
        read_only_fields = ["clarity_score", "updated_at"]

    def get_sentence(self, statement: ProblemStatement) -> str:
        return render_problem_statement(statement.content())

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_findings(self, statement: ProblemStatement) -> list[dict[str, str]]:
        return [
            {"code": f.code, "field": f.field, "severity": f.severity, "message": f.message}
            for f in check_problem_statement(statement.content()).findings
        ]

    def get_complete(self, statement: ProblemStatement) -> bool:
        return check_problem_statement(statement.content()).complete

    def validate_initiative(self, initiative: Initiative) -> Initiative:
        if self.instance is not None and initiative.pk != self.instance.initiative_id:
            raise serializers.ValidationError(
                "A problem statement cannot move to another initiative."
            )
        return initiative

    def _save(self, initiative: Initiative, validated_data: dict[str, Any], expected: int | None):  # noqa: ANN202
        request = self.context["request"]
        get_initiative_for_user(request.user, initiative.pk, write=True)
        data = {
            name: validated_data[name]
            for name in PROBLEM_STATEMENT_FIELDS
            if name in validated_data
        }
        return problem_statement_save(
            initiative=initiative, actor=request.user, data=data, expected_version=expected
        )

    def create(self, validated_data: dict[str, Any]) -> ProblemStatement:
        initiative = validated_data.pop("initiative")
        if ProblemStatement.objects.filter(initiative=initiative).exists():
            raise serializers.ValidationError(
                {
                    "initiative": (
                        "This initiative already has a problem statement; update it instead."
                    )
                }
            )
        return self._save(initiative, validated_data, validated_data.pop("version", 0))

    def update(
        self, statement: ProblemStatement, validated_data: dict[str, Any]
    ) -> ProblemStatement:
        validated_data.pop("initiative", None)
        return self._save(statement.initiative, validated_data, validated_data.pop("version", None))


class ProblemStatementFilter(django_filters.FilterSet):
    class Meta:
        model = ProblemStatement
        fields = {"initiative": ["exact"], "clarity_score": ["exact", "gte", "lte"]}


class ProblemStatementViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Problem statements; each save keeps a version. Filter by `initiative` or `clarity_score`."""

    serializer_class = ProblemStatementSerializer
    filterset_class = ProblemStatementFilter
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend]
    # Updates ask `can_edit_initiative` on the statement's initiative first (get_object).
    write_roles = {"create": (can_edit_some_initiative, PROBLEM_STATEMENT_DENIED_MESSAGE)}

    def get_queryset(self):  # noqa: ANN201
        if not can_view_portfolio(self.request.user):
            return ProblemStatement.objects.none()
        return ProblemStatement.objects.select_related("initiative").order_by(
            "initiative__title", "id"
        )

    def get_object(self) -> ProblemStatement:
        statement = super().get_object()
        if self.request.method not in ("GET", "HEAD", "OPTIONS"):
            get_initiative_for_user(self.request.user, statement.initiative_id, write=True)
        return statement
