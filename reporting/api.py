"""/api/v1/reports/: the report archive, on-demand generation, downloads and sign-off.

* ``reports/`` list (filters ``kind``, ``status``, ``period`` (a label such as ``2026-10`` or
  ``2026-Q3``, or a year prefix such as ``2026``)), newest first, paginated like the rest of the
  API; retrieve.
* ``POST reports/`` with ``kind`` and ``period``: queues a new revision and answers 202 with it;
  poll ``reports/{id}/`` until ``status`` is ``draft`` (or ``failed``, with ``error``). While a
  revision of that kind and period is queued or running, answers 202 with that one instead (the
  same thing to poll; no second revision). Governance admins and executives only.
* ``reports/{id}/pdf/`` the PDF; ``reports/{id}/snapshot/`` the frozen data it was rendered from.
* ``POST reports/{id}/sign-off/``: a governance admin signs off a draft; it never changes again.

Everyone with a Gatehouse role reads. Serializers check shape; the services decide.
"""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.http import FileResponse, Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import StrictFieldsMixin
from portfolio.api import UserSummarySerializer
from reporting.jobs import report_enqueue
from reporting.models import Report, ReportKind, ReportSource, ReportStatus
from reporting.permissions import GENERATE_DENIED_MESSAGE, can_generate_reports
from reporting.services import report_sign_off


class ReportSerializer(serializers.ModelSerializer):
    # Declared: DRF would give it the model's default (it is in the one-in-progress constraint),
    # which means nothing on a read-only field.
    status = serializers.ChoiceField(choices=ReportStatus.choices, read_only=True)
    requested_by = UserSummarySerializer(allow_null=True)
    signed_off_by = UserSummarySerializer(allow_null=True)
    pdf_url = serializers.SerializerMethodField()
    snapshot_generated_at = serializers.CharField(
        allow_null=True, help_text="When the frozen data behind the PDF was computed"
    )

    class Meta:
        model = Report
        fields = [
            "id",
            "kind",
            "period_label",
            "period_start",
            "period_end",
            "revision",
            "status",
            "source",
            "requested_by",
            "created_at",
            "started_at",
            "finished_at",
            "error",
            "signed_off_by",
            "signed_off_at",
            "emailed_at",
            "snapshot_generated_at",
            "pdf_url",
        ]
        read_only_fields = fields

    def get_pdf_url(self, report: Report) -> str | None:
        if not report.pdf:
            return None
        request = self.context.get("request")
        path = f"/api/v1/reports/{report.pk}/pdf/"
        return request.build_absolute_uri(path) if request else path


class ReportRequestSerializer(StrictFieldsMixin, serializers.Serializer):
    kind = serializers.ChoiceField(choices=ReportKind.choices)
    period = serializers.CharField(
        max_length=16, help_text='"2026-10" for a monthly report, "2026-Q3" for a quarterly one'
    )


class ReportFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=ReportKind.choices)
    status = django_filters.ChoiceFilter(choices=ReportStatus.choices)
    period = django_filters.CharFilter(
        field_name="period_label", lookup_expr="istartswith", help_text="A label or a year"
    )

    class Meta:
        model = Report
        fields = ["kind", "status", "period"]


class ReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The report archive (see the module docstring)."""

    serializer_class = ReportSerializer
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend]
    filterset_class = ReportFilter
    write_roles = {"create": (can_generate_reports, GENERATE_DENIED_MESSAGE)}

    def get_queryset(self) -> QuerySet[Report]:
        return Report.objects.for_display().order_by("-created_at", "-pk")

    @extend_schema(
        request=ReportRequestSerializer,
        responses={202: ReportSerializer},
        description="Queue a new revision of the report and answer with it; while a revision "
        "of the same kind and period is queued or running, answer with that one instead "
        "(a second request joins it rather than making another). Poll it until its status is "
        "draft or failed.",
    )
    def create(self, request: Request) -> Response:
        data = ReportRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report, _created = report_enqueue(
            kind=data.validated_data["kind"],
            period_label=data.validated_data["period"],
            actor=request.user,
            source=ReportSource.API,
        )
        # Read back: without a broker (first run) it has already been built at commit.
        report = self.get_queryset().get(pk=report.pk)
        return Response(self.get_serializer(report).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def pdf(self, request: Request, pk: str) -> FileResponse:
        """The report's PDF (404 until it has been generated)."""
        report = self.get_object()
        if not report.pdf:
            raise Http404("This report has no PDF yet.")
        try:
            handle = report.pdf.open("rb")
        except FileNotFoundError as error:
            raise Http404("The PDF of this report is missing from storage.") from error
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=report.download_name(),
            content_type="application/pdf",
        )
        response["Cache-Control"] = "private, no-store"
        return response

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["get"])
    def snapshot(self, request: Request, pk: str) -> Response:
        """The frozen data the PDF was rendered from (404 until it has been generated)."""
        report = self.get_object()
        if not report.snapshot:
            raise Http404
        return Response(report.snapshot)

    @extend_schema(request=None, responses=ReportSerializer)
    @action(detail=True, methods=["post"], url_path="sign-off", url_name="sign-off")
    def sign_off(self, request: Request, pk: str) -> Response:
        """Sign off a draft (governance admins only); a signed-off report never changes."""
        report = report_sign_off(report=self.get_object(), actor=request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=report.pk)).data)
