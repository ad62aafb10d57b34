"""/api/v1/kpis/: an initiative's KPI, its measurements, and CSV imports of measurements.

Serializers validate shape only; every write goes through the same services the pages use.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, parsers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import StrictFieldsMixin
from portfolio.models import Initiative, Kpi, KpiMeasurement, MeasurementSource
from portfolio.permissions import (
    EDIT_DENIED_MESSAGE,
    can_edit_some_initiative,
    can_view_portfolio,
    get_initiative_for_user,
)
from portfolio.value.services import (
    KPI_FIELDS,
    MeasurementImportError,
    kpi_set,
    measurement_record,
    measurements_import_csv,
)

CSV_MAX_BYTES = 512 * 1024


class CsvTextParser(parsers.BaseParser):
    """A raw `text/csv` request body, as text."""

    media_type = "text/csv"

    def parse(self, stream, media_type=None, parser_context=None) -> str:  # noqa: ANN001
        data = stream.read(CSV_MAX_BYTES + 1) if stream is not None else b""
        if len(data) > CSV_MAX_BYTES:
            raise serializers.ValidationError({"file": ["Larger than 512 KB; split it."]})
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise serializers.ValidationError({"file": ["Not UTF-8 text."]}) from None


class KpiStatusSerializer(serializers.Serializer):
    latest = serializers.DecimalField(max_digits=16, decimal_places=4, allow_null=True)
    latest_on = serializers.DateField(allow_null=True)
    expected = serializers.DecimalField(max_digits=20, decimal_places=4, allow_null=True)
    progress_pct = serializers.DecimalField(max_digits=12, decimal_places=1, allow_null=True)
    on_track = serializers.BooleanField(allow_null=True)
    reason = serializers.CharField()


class KpiSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    """An initiative's one KPI. `status` (on track or not, and why) is computed, never written."""

    initiative = serializers.PrimaryKeyRelatedField(queryset=Initiative.objects.all())
    version = serializers.IntegerField(
        required=False,
        help_text="On update: the version you read. If someone saved since, the API answers 409.",
    )
    status = serializers.SerializerMethodField()

    class Meta:
        model = Kpi
        fields = ["id", "initiative", *KPI_FIELDS, "version", "status", "updated_at"]
        read_only_fields = ["updated_at"]

    @extend_schema_field(KpiStatusSerializer)
    def get_status(self, kpi: Kpi) -> dict[str, Any]:
        return KpiStatusSerializer(kpi.current_status).data

    def validate_initiative(self, initiative: Initiative) -> Initiative:
        if self.instance is not None and initiative.pk != self.instance.initiative_id:
            raise serializers.ValidationError("A KPI cannot move to another initiative.")
        return initiative

    def create(self, validated_data: dict[str, Any]) -> Kpi:
        request = self.context["request"]
        initiative = validated_data.pop("initiative")
        get_initiative_for_user(request.user, initiative.pk, write=True)
        validated_data.pop("version", None)
        if Kpi.objects.filter(initiative=initiative).exists():
            raise serializers.ValidationError(
                {"initiative": ["This initiative already has a KPI; update it instead."]}
            )
        return kpi_set(
            initiative=initiative, actor=request.user, data=validated_data, expected_version=0
        )

    def update(self, kpi: Kpi, validated_data: dict[str, Any]) -> Kpi:
        validated_data.pop("initiative", None)
        expected = validated_data.pop("version", None)
        kpi = kpi_set(
            initiative=kpi.initiative,
            actor=self.context["request"].user,
            data=validated_data,
            expected_version=expected,
        )
        return Kpi.objects.prefetch_related("measurements").get(pk=kpi.pk)


class KpiMeasurementSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    recorded_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = KpiMeasurement
        fields = ["id", "measured_on", "value", "note", "source", "recorded_by", "recorded_at"]
        read_only_fields = ["source", "recorded_by", "recorded_at"]


class RowErrorSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    column = serializers.CharField()
    message = serializers.CharField()


class KpiFilter(django_filters.FilterSet):
    class Meta:
        model = Kpi
        fields = {"initiative": ["exact"]}


class ImportResultSerializer(serializers.Serializer):
    imported = serializers.IntegerField()
    results = KpiMeasurementSerializer(many=True)


class ImportErrorSerializer(serializers.Serializer):
    """400 of a CSV import: every row-level problem (`errors`), or what is wrong with the file
    itself (`file`)."""

    detail = serializers.CharField(required=False)
    errors = RowErrorSerializer(many=True, required=False)
    file = serializers.ListField(child=serializers.CharField(), required=False)


class KpiViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """KPIs of initiatives (one each). Filter by `initiative`. Owners of the initiative and
    governance admins define and change them; every role reads."""

    serializer_class = KpiSerializer
    filterset_class = KpiFilter
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend]
    # The other writes ask `can_edit_initiative` on the KPI's initiative first (get_object).
    write_roles = {"create": (can_edit_some_initiative, EDIT_DENIED_MESSAGE)}

    def get_queryset(self):  # noqa: ANN201
        if not can_view_portfolio(self.request.user):
            return Kpi.objects.none()
        return (
            Kpi.objects.select_related("initiative")
            .prefetch_related(
                Prefetch(
                    "measurements",
                    queryset=KpiMeasurement.objects.only("kpi_id", "measured_on", "value"),
                )
            )
            .order_by("initiative__title", "id")
        )

    def get_object(self) -> Kpi:
        kpi = super().get_object()
        write = self.request.method not in ("GET", "HEAD", "OPTIONS")
        get_initiative_for_user(self.request.user, kpi.initiative_id, write=write)
        return kpi

    @extend_schema(methods=["GET"], responses=KpiMeasurementSerializer(many=True), filters=False)
    @extend_schema(
        methods=["POST"],
        request=KpiMeasurementSerializer,
        responses={201: KpiMeasurementSerializer},
    )
    @action(detail=True, methods=["get", "post"], url_path="measurements")
    def measurements(self, request: Request, pk: str | None = None) -> Response:
        """GET: the KPI's measurements, oldest first. POST: record one measurement."""
        kpi = self.get_object()
        if request.method == "POST":
            serializer = KpiMeasurementSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            measurement = measurement_record(
                kpi=kpi,
                actor=request.user,
                source=MeasurementSource.API,
                **serializer.validated_data,
            )
            return Response(
                KpiMeasurementSerializer(measurement).data, status=status.HTTP_201_CREATED
            )
        queryset = KpiMeasurement.objects.filter(kpi=kpi).select_related("recorded_by")
        page = self.paginate_queryset(queryset.order_by("measured_on", "id"))
        return self.get_paginated_response(KpiMeasurementSerializer(page, many=True).data)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "replace", bool, description="Overwrite values already recorded for those dates."
            )
        ],
        request={"text/csv": str, "multipart/form-data": {"type": "object"}},
        responses={201: ImportResultSerializer, 400: ImportErrorSerializer},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="measurements/import",
        parser_classes=[CsvTextParser, parsers.MultiPartParser],
    )
    def import_measurements(self, request: Request, pk: str | None = None) -> Response:
        """Import a CSV (columns measured_on, value, note) as the body or as the `file` field.

        All or nothing: any problem answers 400 with every row-level error and imports nothing.
        """
        kpi = self.get_object()
        replace = str(
            request.query_params.get("replace") or _form_value(request, "replace") or ""
        ).lower() in ("1", "true", "yes", "on")
        if isinstance(request.data, str):
            text = request.data
        else:
            upload = request.data.get("file")
            if upload is None:
                raise serializers.ValidationError(
                    {"file": ["Send the CSV as a text/csv body or as the multipart field `file`."]}
                )
            if upload.size > CSV_MAX_BYTES:
                raise serializers.ValidationError({"file": ["Larger than 512 KB; split it."]})
            try:
                text = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                raise serializers.ValidationError({"file": ["Not UTF-8 text."]}) from None
        try:
            created = measurements_import_csv(
                kpi=kpi, actor=request.user, text=text, replace=replace
            )
        except MeasurementImportError as error:
            return Response(
                {
                    "detail": str(error),
                    "errors": RowErrorSerializer(error.errors, many=True).data,
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response(
            {
                "imported": len(created),
                "results": KpiMeasurementSerializer(created, many=True).data,
            },
            status=status.HTTP_201_CREATED,
        )


def _form_value(request: Request, name: str) -> Any:
    return None if isinstance(request.data, str) else request.data.get(name)
