"""/api/v1/ for readiness: assessment templates (read only) and assessments.

Shapes:

* ``assessment-templates/`` and ``assessment-templates/{key}/``: templates are addressed by their
  key from DOMAIN.md (``readiness_scorecard``), which is the same in every database. Each lists
  its ``versions`` (number, loaded_at, checksum); the detail adds the latest version's full
  ``definition`` (items and rules). ``assessment-templates/{key}/versions/{number}/`` returns any
  one version with its definition, so an old assessment's items can always be read back.
* ``assessments/``: list (filters ``initiative``, ``vendor``, ``template`` (key), ``status``),
  retrieve, create a draft (POST), change a draft (PATCH), ``{id}/submit/`` (POST). Every
  assessment carries its result: live for a draft, frozen at submission otherwise. PUT and DELETE
  answer 405: submitted assessments are immutable, and a draft is changed item by item.

Errors: item errors are nested under the input they came from, e.g.
``{"answers": {"ownership": ["score must be between 1 and 5, got 6"]}}``; a stale ``revision``
is 409 with the current draft; changing a submitted assessment is 400.

Serializers validate shape only; every write goes through the service the pages use.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import StrictFieldsMixin
from core.filters import IdFilter
from portfolio.api import UserSummarySerializer
from portfolio.models import Initiative, Vendor
from readiness.models import Assessment, AssessmentStatus, AssessmentTemplate, TemplateVersion
from readiness.permissions import (
    ASSESSMENT_DENIED_MESSAGE,
    can_edit_assessment,
    can_fill_assessments,
    can_view_assessments,
    edit_assessment_denied_message,
)
from readiness.services import (
    assessment_create_draft,
    assessment_evaluate,
    assessment_save,
    assessment_submit,
)

# The services key item errors by item id and say with the error code which input the item came
# from; the API nests each error under that input so a client knows which box to point at.
_INPUT_OF_ERROR_CODE = {
    "invalid_answer": "answers",
    "missing_answer": "answers",
    "invalid_evidence": "evidence",
    "invalid_comment": "comments",
    "comment_required": "comments",
}


def nested_item_errors(error: DjangoValidationError) -> serializers.ValidationError:
    """A service's ValidationError as a 400 body: item errors under their input, others as is."""
    if not hasattr(error, "error_dict"):
        return serializers.ValidationError({"non_field_errors": list(error.messages)})
    detail: dict[str, Any] = {}
    for key, item_errors in error.error_dict.items():
        for item_error in item_errors:
            message = " ".join(item_error.messages)
            field = _INPUT_OF_ERROR_CODE.get(item_error.code or "")
            if field is None:
                name = "non_field_errors" if key == NON_FIELD_ERRORS else key
                detail.setdefault(name, []).append(message)
            else:
                detail.setdefault(field, {}).setdefault(key, []).append(message)
    return serializers.ValidationError(detail)


# ---------------------------------------------------------------------------------------------
# Templates
# ---------------------------------------------------------------------------------------------


@extend_schema_field(
    {
        "oneOf": [
            {
                "type": "object",
                "description": "score_1_5 templates: the meaning of each level, keys '1'–'5'",
                "additionalProperties": {"type": "string"},
            },
            {"type": "string", "description": "yes/no and ready/not-ready templates"},
        ]
    }
)
class GuidanceField(serializers.JSONField):
    pass


class TemplateItemSerializer(serializers.Serializer):
    id = serializers.CharField()
    title = serializers.CharField()
    key_question = serializers.CharField()
    what_to_check = serializers.ListField(child=serializers.CharField())
    red_flags = serializers.ListField(child=serializers.CharField())
    guidance = GuidanceField()


class BandSerializer(serializers.Serializer):
    id = serializers.CharField()
    label = serializers.CharField()
    meaning = serializers.CharField()
    recommended_action = serializers.CharField()
    min = serializers.IntegerField(help_text="Lowest total in the band (inclusive)")
    max = serializers.IntegerField(help_text="Highest total in the band (inclusive)")


class TemplateRulesSerializer(serializers.Serializer):
    bands = BandSerializer(many=True)
    critical_items = serializers.DictField(
        child=serializers.IntegerField(), help_text="{item id: minimum score to scale}"
    )
    lowest_level_needs_review = serializers.BooleanField()
    sequential = serializers.BooleanField(help_text="Gates in order: stop at the first no")
    all_must_pass = serializers.BooleanField()
    pass_label = serializers.CharField(allow_null=True)
    fail_label = serializers.CharField(allow_null=True)


class TemplateDefinitionSerializer(serializers.Serializer):
    """A version's document as loaded (the shape of readiness/templates_data/*.json)."""

    id = serializers.CharField()
    title = serializers.CharField()
    version = serializers.IntegerField()
    applies_to = serializers.CharField()
    answer_type = serializers.ChoiceField(choices=["score_1_5", "ready_not_ready", "yes_no"])
    description = serializers.CharField()
    source = serializers.CharField()
    items = TemplateItemSerializer(many=True)
    rules = TemplateRulesSerializer()


class TemplateVersionSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = TemplateVersion
        fields = ["number", "loaded_at", "checksum"]


class TemplateVersionSerializer(serializers.ModelSerializer):
    template = serializers.CharField(source="template.key")
    definition = TemplateDefinitionSerializer()

    class Meta:
        model = TemplateVersion
        fields = ["template", "number", "loaded_at", "checksum", "definition"]


class AssessmentTemplateSerializer(serializers.ModelSerializer):
    """A template with its versions, newest first."""

    versions = TemplateVersionSummarySerializer(many=True)
    latest_version = serializers.SerializerMethodField()

    class Meta:
        model = AssessmentTemplate
        fields = ["key", "title", "applies_to", "latest_version", "versions"]

    def get_latest_version(self, template: AssessmentTemplate) -> int | None:
        versions = list(template.versions.all())
        return versions[0].number if versions else None


class AssessmentTemplateDetailSerializer(AssessmentTemplateSerializer):
    """A template with its versions and the latest version's full definition."""

    definition = serializers.SerializerMethodField()

    class Meta(AssessmentTemplateSerializer.Meta):
        fields = [*AssessmentTemplateSerializer.Meta.fields, "definition"]

    @extend_schema_field(TemplateDefinitionSerializer(allow_null=True))
    def get_definition(self, template: AssessmentTemplate) -> dict[str, Any] | None:
        versions = list(template.versions.all())
        return TemplateDefinitionSerializer(versions[0].definition).data if versions else None


class AssessmentTemplateViewSet(viewsets.ReadOnlyModelViewSet):
    """Assessment templates, addressed by key; every Gatehouse role reads them.

    Templates change only by loading a new version (``manage.py load_templates``).
    """

    lookup_field = "key"
    lookup_value_regex = r"[a-z][a-z0-9_]*"
    filter_backends: list[type] = []

    def get_serializer_class(self) -> type[serializers.Serializer]:
        if self.action == "retrieve":
            return AssessmentTemplateDetailSerializer
        return AssessmentTemplateSerializer

    def get_queryset(self) -> QuerySet[AssessmentTemplate]:
        if not can_view_assessments(self.request.user):
            return AssessmentTemplate.objects.none()
        versions = TemplateVersion.objects.order_by("-number")
        if self.action != "retrieve":
            # The list shows version numbers only; definitions are tens of kilobytes each.
            versions = versions.defer("definition")
        return AssessmentTemplate.objects.prefetch_related(
            Prefetch("versions", queryset=versions)
        ).order_by("title", "id")

    @extend_schema(
        parameters=[OpenApiParameter("number", OpenApiTypes.INT, OpenApiParameter.PATH)],
        responses=TemplateVersionSerializer,
    )
    @action(detail=True, url_path=r"versions/(?P<number>[0-9]+)", url_name="version")
    def version(self, request: Request, key: str, number: str) -> Response:
        """One version of the template with its full definition."""
        template = self.get_object()
        version = get_object_or_404(
            TemplateVersion.objects.select_related("template"), template=template, number=number
        )
        return Response(TemplateVersionSerializer(version).data)


# ---------------------------------------------------------------------------------------------
# Assessments
# ---------------------------------------------------------------------------------------------


class BandSummarySerializer(serializers.Serializer):
    id = serializers.CharField()
    label = serializers.CharField()
    meaning = serializers.CharField()


class BlockingItemSerializer(serializers.Serializer):
    item_id = serializers.CharField()
    score = serializers.IntegerField()
    minimum = serializers.IntegerField()
    reason = serializers.CharField()


@extend_schema_field(
    {
        "type": "object",
        "description": '{item id: answer}: 1–5 for scores, "yes"/"no", '
        '"ready"/"not_ready" or true/false for the others; on PATCH null clears an answer',
        "additionalProperties": {
            "oneOf": [{"type": "integer"}, {"type": "string"}, {"type": "boolean"}],
            "nullable": True,
        },
    }
)
class AnswersField(serializers.DictField):
    """Values are left to the service, which says per item what is wrong with them."""


@extend_schema_field(
    {
        "type": "object",
        "description": '{item id: text}; on PATCH null or "" clears the text',
        "additionalProperties": {"type": "string", "nullable": True},
    }
)
class ItemTextsField(serializers.DictField):
    """Values are left to the service, so a number is refused rather than turned into text."""


class AssessmentSerializer(serializers.ModelSerializer):
    """An assessment and its result: live for a draft, as frozen at submission otherwise."""

    template = serializers.CharField(source="template.key", help_text="The template's key")
    template_version = serializers.IntegerField(source="template_version.number")
    answers = AnswersField()
    evidence = ItemTextsField()
    comments = ItemTextsField()
    total = serializers.IntegerField(source="outcome.total")
    max_total = serializers.IntegerField(source="outcome.max_total")
    band = BandSummarySerializer(
        source="outcome.band", allow_null=True, help_text="null until every item is answered"
    )
    recommended_action = serializers.CharField(source="outcome.recommended_action", allow_null=True)
    blocking_items = BlockingItemSerializer(source="outcome.blocking_items", many=True)
    items_needing_review = serializers.ListField(
        source="outcome.items_needing_review", child=serializers.CharField()
    )
    first_failed_gate = serializers.CharField(source="outcome.first_failed_gate", allow_null=True)
    missing_items = serializers.ListField(
        source="outcome.missing_items", child=serializers.CharField()
    )
    complete = serializers.BooleanField(source="outcome.complete")
    passed = serializers.BooleanField(
        source="outcome.passed", allow_null=True, help_text="Only for all-must-pass checklists"
    )
    ready_to_scale = serializers.BooleanField(source="outcome.ready_to_scale")
    verdict = serializers.CharField(source="outcome.verdict")
    reasons = serializers.ListField(source="outcome.reasons", child=serializers.CharField())
    created_by = UserSummarySerializer(allow_null=True)
    submitted_by = UserSummarySerializer(allow_null=True)

    class Meta:
        model = Assessment
        fields = [
            "id",
            "template",
            "template_version",
            "initiative",
            "vendor",
            "status",
            "answers",
            "evidence",
            "comments",
            "revision",
            "total",
            "max_total",
            "band",
            "recommended_action",
            "blocking_items",
            "items_needing_review",
            "first_failed_gate",
            "missing_items",
            "complete",
            "passed",
            "ready_to_scale",
            "verdict",
            "reasons",
            "created_by",
            "submitted_by",
            "created_at",
            "updated_at",
            "submitted_at",
            "superseded_by",
        ]
        read_only_fields = fields

    def to_representation(self, assessment: Assessment) -> dict[str, Any]:
        assessment.outcome = _result_shown(assessment)
        return super().to_representation(assessment)


def _result_shown(assessment: Assessment) -> dict[str, Any]:
    """The result shown with an assessment: live for a draft, frozen once submitted.

    A submitted assessment without a stored result is evaluated on its own (immutable) template
    version, which by construction gives what was frozen.
    """
    if not assessment.is_draft and assessment.result:
        return assessment.result
    return assessment_evaluate(assessment).as_dict()


class AssessmentCreateSerializer(StrictFieldsMixin, serializers.Serializer):
    """Start a draft on the template's newest version, about one initiative or one vendor."""

    template = serializers.CharField(max_length=64, help_text="The template's key")
    initiative = serializers.PrimaryKeyRelatedField(
        queryset=Initiative.objects.all(), required=False
    )
    vendor = serializers.PrimaryKeyRelatedField(queryset=Vendor.objects.all(), required=False)


class AssessmentUpdateSerializer(StrictFieldsMixin, serializers.Serializer):
    """Merge answers, evidence and comments into a draft; items not named are left alone."""

    answers = AnswersField(required=False)
    evidence = ItemTextsField(required=False)
    comments = ItemTextsField(required=False)
    revision = serializers.IntegerField(
        min_value=1,
        help_text="The revision you read. If someone saved since, the API answers 409 with "
        "their draft and saves nothing.",
    )


class AssessmentSubmitSerializer(StrictFieldsMixin, serializers.Serializer):
    revision = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text="The revision you read; 409 if someone saved since.",
    )


class AssessmentFilter(django_filters.FilterSet):
    initiative = IdFilter(field_name="initiative_id", label="Initiative id")
    vendor = IdFilter(field_name="vendor_id", label="Vendor id")
    template = django_filters.CharFilter(field_name="template__key", label="Template key")
    status = django_filters.ChoiceFilter(choices=AssessmentStatus.choices)

    class Meta:
        model = Assessment
        fields = ["initiative", "vendor", "template", "status"]


class AssessmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Assessments of initiatives and vendors. Filters: `initiative`, `vendor`, `template`
    (key), `status`. Every role reads them; an initiative's owners and governance admins fill
    its assessments, council members and governance admins fill vendor evaluations."""

    serializer_class = AssessmentSerializer
    filterset_class = AssessmentFilter
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend]
    # Changing and submitting ask `can_edit_assessment` on the object first (get_object).
    write_roles = {"create": (can_fill_assessments, ASSESSMENT_DENIED_MESSAGE)}

    def get_queryset(self) -> QuerySet[Assessment]:
        if not can_view_assessments(self.request.user):
            return Assessment.objects.none()
        return (
            Assessment.objects.select_related(
                "template", "initiative", "created_by", "submitted_by"
            )
            # Prefetched rather than joined: many rows share a version, and each version's
            # definition is then loaded and parsed once per request instead of once per row.
            .prefetch_related(
                Prefetch("template_version", queryset=TemplateVersion.objects.order_by())
            )
            .order_by("-created_at", "-id")
        )

    def get_object(self) -> Assessment:
        assessment = super().get_object()
        if self.request.method not in SAFE_METHODS and not can_edit_assessment(
            self.request.user, assessment
        ):
            raise PermissionDenied(edit_assessment_denied_message(assessment))
        return assessment

    def _read(self, pk: int) -> dict[str, Any]:
        return AssessmentSerializer(self.get_queryset().get(pk=pk)).data

    @extend_schema(request=AssessmentCreateSerializer, responses={201: AssessmentSerializer})
    def create(self, request: Request) -> Response:
        """Start a draft: `{template, initiative}` or `{template, vendor}`."""
        data = AssessmentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            assessment = assessment_create_draft(
                template_key=data.validated_data["template"],
                actor=request.user,
                initiative=data.validated_data.get("initiative"),
                vendor=data.validated_data.get("vendor"),
            )
        except DjangoValidationError as error:
            raise nested_item_errors(error) from error
        return Response(self._read(assessment.pk), status=status.HTTP_201_CREATED)

    @extend_schema(request=AssessmentUpdateSerializer, responses=AssessmentSerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        """Merge answers, evidence and comments into a draft (null clears an item)."""
        assessment = self.get_object()
        data = AssessmentUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            assessment_save(
                assessment=assessment,
                actor=request.user,
                expected_revision=data.validated_data["revision"],
                answers=data.validated_data.get("answers"),
                evidence=data.validated_data.get("evidence"),
                comments=data.validated_data.get("comments"),
            )
        except DjangoValidationError as error:
            raise nested_item_errors(error) from error
        return Response(self._read(assessment.pk))

    @extend_schema(request=AssessmentSubmitSerializer, responses=AssessmentSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str) -> Response:
        """Freeze a complete draft with its result; it supersedes the previous submission."""
        assessment = self.get_object()
        data = AssessmentSubmitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            assessment_submit(
                assessment=assessment,
                actor=request.user,
                expected_revision=data.validated_data.get("revision"),
            )
        except DjangoValidationError as error:
            raise nested_item_errors(error) from error
        return Response(self._read(assessment.pk))
