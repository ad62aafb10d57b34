"""Report pages: the archive, one report with its live status, downloads, generate and sign-off.

Generation runs in the Celery task `reporting.generate_report`, queued once the new revision is
committed; the report page polls its own `status` partial with htmx while the report is queued
or running, and stops once it is a draft, failed or signed off. Opening or polling a report that
is stuck (its worker died) queues it again or fails it with the reason, as the sweep would.
PDFs live in MEDIA_ROOT/reports/, which is never served as static files: they leave only
through `report_pdf`, after the role check.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.errors import ConflictError
from core.forms import add_service_errors
from core.listing import is_filtered, query_without, results_template
from core.models import AuditCheckpoint
from core.permissions import require, require_role, role_required
from reporting.forms import ReportFilterForm, ReportRequestForm
from reporting.jobs import report_enqueue
from reporting.models import IN_PROGRESS, Report, ReportKind, ReportSource, ReportStatus
from reporting.notifications import report_distribution_list
from reporting.permissions import (
    GENERATE_DENIED_MESSAGE,
    SIGN_OFF_DENIED_MESSAGE,
    can_generate_reports,
    can_read_reports,
    can_sign_off_reports,
)
from reporting.schedule import due_period
from reporting.services import report_sign_off, report_stuck_verdict
from reporting.tasks import MAX_RETRIES, RETRY_BACKOFF_SECONDS, recover_stuck_report

PAGE_SIZE = 25
RESULTS_ID = "report-results"


def _get_report_for_user(request: HttpRequest, pk: int) -> Report:
    require_role(request.user)
    return get_object_or_404(Report.objects.for_display(), pk=pk)


def _get_live_report_for_user(request: HttpRequest, pk: int) -> Report:
    """The report as its page shows it; one that is stuck is dealt with first, so nobody
    watches a dead job. Costs no query unless it is stuck (the verdict reads the row)."""
    report = _get_report_for_user(request, pk)
    if report_stuck_verdict(report) is not None and recover_stuck_report(report) is not None:
        report = _get_report_for_user(request, pk)
    return report


def request_form(request: HttpRequest, data: Any = None) -> ReportRequestForm:
    return ReportRequestForm(data, today=timezone.localdate())


# ---------------------------------------------------------------------------------------------
# Archive
# ---------------------------------------------------------------------------------------------


@role_required(can_read_reports)
@require_safe
def report_list(request: HttpRequest) -> TemplateResponse:
    filters = ReportFilterForm(request.GET)
    page = Paginator(filters.filter(Report.objects.for_display()), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    page.object_list = list(page.object_list)
    template = results_template(request, "reporting/reports/list.html", RESULTS_ID)
    can_generate = can_generate_reports(request.user)
    return TemplateResponse(
        request,
        template,
        {
            "filters": filters,
            "page": page,
            "query_without_page": query_without(request, "page"),
            "is_filtered": is_filtered(request),
            "results_id": RESULTS_ID,
            "can_generate": can_generate,
            "generate_form": request_form(request) if can_generate else None,
        },
    )


# ---------------------------------------------------------------------------------------------
# One report
# ---------------------------------------------------------------------------------------------


def _report_context(request: HttpRequest, report: Report, **extra: Any) -> dict[str, Any]:
    generated_at = report.snapshot_generated_at
    return {
        "report": report,
        "in_progress": report.status in IN_PROGRESS,
        "snapshot_generated_at": parse_datetime(generated_at) if generated_at else None,
        "can_sign_off": can_sign_off_reports(request.user) and report.status == ReportStatus.DRAFT,
        "from_command_line": report.source == ReportSource.COMMAND,
        # An empty job id: the revision was given up on, no job will build it again.
        "retries_in_background": bool(report.job_id),
        "max_retries": MAX_RETRIES,
        "retry_pauses": [RETRY_BACKOFF_SECONDS * 2**n for n in range(MAX_RETRIES)],
        "distribution_list": report_distribution_list(),
        "emailed_to": report.emailed_to.split(),
        # Generation and sign-off each anchor the audit trail (reporting/services.py).
        "audit_checkpoints": list(AuditCheckpoint.objects.for_object(report))
        if report.status in (ReportStatus.DRAFT, ReportStatus.SIGNED_OFF)
        else [],
        **extra,
    }


@login_required
@require_safe
def report_detail(request: HttpRequest, pk: int) -> TemplateResponse:
    report = _get_live_report_for_user(request, pk)
    return TemplateResponse(
        request, "reporting/reports/detail.html", _report_context(request, report)
    )


@role_required(can_read_reports)
@require_safe
def report_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The `status` partial alone: what the report page polls while the report is in progress.

    The poll says which status it shows (`shown`); while that is still the status the answer is
    204, which htmx leaves unswapped, so screen readers hear the region only when it changes.
    """
    report = _get_live_report_for_user(request, pk)
    if request.GET.get("shown") == report.status:
        return HttpResponse(status=204)
    return TemplateResponse(
        request, "reporting/reports/detail.html#status", _report_context(request, report)
    )


@login_required
@require_safe
def report_pdf(request: HttpRequest, pk: int) -> FileResponse:
    report = _get_report_for_user(request, pk)
    if not report.pdf:
        raise Http404("This report has no PDF yet.")
    try:
        handle = report.pdf.open("rb")
    except FileNotFoundError as error:
        raise Http404("The PDF of this report is missing from storage.") from error
    response = FileResponse(
        handle, as_attachment=True, filename=report.download_name(), content_type="application/pdf"
    )
    # Drafts are replaced by newer revisions: no shared cache may keep a copy.
    response["Cache-Control"] = "private, no-store"
    return response


@role_required(can_read_reports)
@require_safe
def report_snapshot(request: HttpRequest, pk: int) -> JsonResponse:
    """The frozen data the PDF was rendered from, as JSON."""
    report = get_object_or_404(
        Report.objects.only("pk", "kind", "period_label", "revision", "snapshot"), pk=pk
    )
    if not report.snapshot:
        raise Http404("This report has no snapshot yet.")
    response = JsonResponse(report.snapshot, json_dumps_params={"indent": 2})
    filename = report.download_name("-snapshot.json")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def report_sign_off_view(request: HttpRequest, pk: int) -> HttpResponse:
    report = _get_report_for_user(request, pk)
    require(can_sign_off_reports(request.user), SIGN_OFF_DENIED_MESSAGE)
    try:
        report_sign_off(report=report, actor=request.user)
    except ConflictError as error:
        report = get_object_or_404(Report.objects.for_display(), pk=pk)
        return TemplateResponse(
            request,
            "reporting/reports/detail.html",
            _report_context(request, report, sign_off_errors=[error.message]),
            status=409,
        )
    messages.success(request, f"{report} is signed off. It can never change again.")
    return redirect("reporting:report_detail", pk=report.pk)


# ---------------------------------------------------------------------------------------------
# Generate
# ---------------------------------------------------------------------------------------------


@role_required(can_generate_reports, GENERATE_DENIED_MESSAGE)
@require_http_methods(["GET", "HEAD", "POST"])
def report_generate_view(request: HttpRequest) -> HttpResponse:
    form = request_form(request, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            report, created = report_enqueue(
                kind=form.cleaned_data["kind"],
                period_label=form.cleaned_data["period"],
                actor=request.user,
                source=ReportSource.BROWSER,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if not created:
                messages.info(
                    request,
                    f"{report.get_kind_display()} {report.period_label} is already being "
                    f"generated (revision {report.revision}, "
                    f"{report.get_status_display().lower()}): this is it. It was not "
                    "requested again.",
                )
            return redirect("reporting:report_detail", pk=report.pk)
    today = timezone.localdate()
    return TemplateResponse(
        request,
        "reporting/reports/generate.html",
        {
            "generate_form": form,
            "default_month": due_period(ReportKind.MONTHLY, today),
            "default_quarter": due_period(ReportKind.QUARTERLY, today),
        },
    )


def latest_reports(limit: int = 5) -> QuerySet[Report]:
    """The newest revisions for the dashboard's Reports card (lazy: one query when rendered)."""
    return Report.objects.only(
        "pk", "kind", "period_label", "revision", "status", "created_at", "pdf"
    ).order_by("-created_at", "-revision")[:limit]
