"""A real Celery worker on Redis produces both executive PDFs from the demo portfolio.

The worker runs `reporting.generate_report` in another process against the committed demo data
(loaded as `make setup` loads it). The test reads the PDFs' text back with pypdf and checks the
section headings and the figures against values it computes from the database itself, with the
ORM, so a wrong query in `reporting.report_data` cannot agree with itself.
"""

from __future__ import annotations

import datetime
import io
import re
import time
import uuid
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db.models import Count, Sum
from django.template.defaultfilters import floatformat
from django.utils import timezone
from pypdf import PdfReader

from config.celery import app as celery_app
from core.roles import Role
from governance.models import (
    GateRequest,
    GateRequestStatus,
    Incident,
    LeadershipDecision,
    LeadershipDecisionStatus,
    Risk,
    RiskStatus,
)
from portfolio.models import Initiative, Stage, StageTransition, Status
from reporting.charts import format_money
from reporting.models import Report, ReportKind, ReportSource, ReportStatus
from reporting.report_data import MONTHLY_SECTIONS, QUARTERLY_SECTIONS
from reporting.tasks import generate_report
from tests.worker_support import forget_queue, needs_redis, redis_url, start_worker, stop

WORKER_TIMEOUT_SECONDS = 120

# The commands of `make setup` after `migrate`, in the same order.
DEMO_SEEDS: tuple[tuple[str, dict], ...] = (
    ("load_templates", {}),
    ("seed_demo", {"quiet": True}),
    ("seed_value", {"quiet": True}),
    ("load_gate_policies", {}),
    ("seed_governance", {"quiet": True}),
    ("seed_readiness", {"quiet": True}),
    ("seed_history", {"quiet": True}),
    ("seed_register", {"quiet": True}),
    ("seed_gates", {"quiet": True}),
    ("seed_reports", {"quiet": True}),  # the archive: last month's and last quarter's reports
)

pytestmark = needs_redis


def load_demo_portfolio() -> None:
    # A transactional test flushes the tables after itself, taking the role groups the
    # migration created with them; seed_demo expects them (Group.objects.get).
    for role in Role:
        Group.objects.get_or_create(name=role.value)
    for command, options in DEMO_SEEDS:
        call_command(command, stdout=io.StringIO(), **options)


def pdf_text(report: Report) -> str:
    """All the PDF's text, whitespace collapsed so wrapped table cells read as one line."""
    with report.pdf.open("rb") as pdf:
        reader = PdfReader(io.BytesIO(pdf.read()))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def after(text: str, heading: str) -> str:
    """The text from a heading on: the last occurrence, so past the contents page."""
    assert heading in text, f"{heading!r} is not in the PDF"
    return text[text.rindex(heading) :]


def money(value: Decimal) -> tuple[str, str]:
    # The paragraph prints totals with floatformat, the charts with format_money; either is
    # how a reader sees the figure.
    return floatformat(value, "-2g"), format_money(value)


def active_summary() -> str:
    """ "12 active: 4 exploration, 5 pilot, …", counted here from the initiatives table."""
    counts = dict(
        Initiative.objects.filter(status=Status.ACTIVE)
        .values_list("stage")
        .annotate(n=Count("pk"))
        .values_list("stage", "n")
    )
    parts = [
        f"{counts[value]} {label.lower()}" for value, label in Stage.choices if counts.get(value)
    ]
    return f"{sum(counts.values())} active: " + ", ".join(parts)


def spend_and_budget() -> tuple[Decimal, Decimal]:
    totals = Initiative.objects.aggregate(
        spend=Sum("actual_spend"),
        poc=Sum("poc_budget"),
        production=Sum("production_budget_estimate"),
    )
    zero = Decimal("0")
    return totals["spend"] or zero, (totals["poc"] or zero) + (totals["production"] or zero)


def top_open_risk() -> Risk:
    return (
        Risk.objects.exclude(status=RiskStatus.CLOSED)
        .order_by("-severity", "-escalated", "pk")
        .first()
    )


def local_bounds(start: datetime.date, end: datetime.date) -> tuple[datetime.datetime, ...]:
    tz = timezone.get_current_timezone()
    return (
        datetime.datetime.combine(start, datetime.time.min, tzinfo=tz),
        datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz),
    )


def assert_sections(text: str, sections: tuple[tuple[str, str], ...]) -> None:
    for _key, title in sections:
        # Once in the contents and once as the section's heading.
        assert text.count(title) >= 2, f"section {title!r} is missing"


def assert_common_figures(text: str) -> None:
    """What both reports print about the whole portfolio."""
    assert active_summary() in text
    paused = Initiative.objects.filter(status=Status.PAUSED).count()
    stopped = Initiative.objects.filter(status=Status.STOPPED).count()
    assert f"Paused: {paused}; stopped: {stopped}." in text
    spend, budget = spend_and_budget()
    assert spend > 0 and budget > 0, "the demo portfolio has spend and budgets"
    assert any(shown in text for shown in money(spend)), f"total spend {money(spend)} missing"
    assert any(shown in text for shown in money(budget)), f"total budget {money(budget)} missing"
    risk = top_open_risk()
    assert risk is not None, "the demo portfolio has open risks"
    assert risk.description in text
    questions = LeadershipDecision.objects.filter(status=LeadershipDecisionStatus.OPEN).values_list(
        "question", flat=True
    )
    assert questions, "seed_register leaves leadership decisions open"
    for question in questions:
        assert question in text


def assert_monthly_figures(text: str, start: datetime.date, end: datetime.date) -> None:
    assert_common_figures(text)
    low, high = local_bounds(start, end)

    incidents = list(
        Incident.objects.filter(occurred_at__gte=low, occurred_at__lt=high).order_by("occurred_at")
    )
    assert incidents, "the monthly period was chosen to contain an incident"
    assert f"Incidents in the period: {len(incidents)}" in text
    incident_section = after(text, "Incidents or exceptions")
    for incident in incidents:
        assert incident.summary in incident_section

    changes = list(
        StageTransition.objects.stage_moves()
        .filter(occurred_at__gte=low, occurred_at__lt=high)
        .select_related("initiative")
        .order_by("occurred_at")
    )
    progress = after(text, "Progress since last review")
    if changes:
        for change in changes:
            assert change.initiative.title in progress
    else:
        assert "No stage changes in the period." in progress


def assert_quarterly_figures(text: str) -> None:
    assert_common_figures(text)
    pending = list(
        GateRequest.objects.filter(status=GateRequestStatus.PENDING).select_related("initiative")
    )
    assert pending, "seed_gates leaves gate requests pending"
    gates = after(text, "Pending gate reviews")
    for request in pending:
        assert request.initiative.title in gates
        assert f"{request.get_from_stage_display()} → {request.get_to_stage_display()}" in gates
        assert timezone.localdate(request.review_due_at).isoformat() in gates


def assert_generated(
    report: Report,
    kind: str,
    period_label: str,
    revision: int,
    sections: tuple[tuple[str, str], ...],
) -> None:
    assert report.kind == kind
    assert report.period_label == period_label
    assert report.status == ReportStatus.DRAFT, report.error
    assert report.source == ReportSource.SCHEDULE
    assert report.revision == revision
    assert report.error == ""
    assert report.snapshot["kind"] == kind
    assert [s["title"] for s in report.snapshot["sections"]] == [t for _, t in sections]
    assert report.pdf.name.endswith(f"{kind}-{period_label}-rev{revision}.pdf")


# transaction=True: the worker is another process and must see committed rows.
@pytest.mark.django_db(transaction=True)
def test_real_worker_produces_both_pdfs_from_the_demo_portfolio(tmp_path, settings):
    broker = redis_url()
    assert broker == settings.CELERY_RESULT_BACKEND, "results must come back through Redis"

    media_root = tmp_path / "media"
    settings.MEDIA_ROOT = media_root  # seed_reports and the worker write PDFs there
    load_demo_portfolio()
    # The month of the latest incident (the demo dates incidents from today), so section 9
    # has rows; the current quarter, whose pending gates and open risks the board sees.
    latest_incident = Incident.objects.order_by("-occurred_at").first()
    assert latest_incident is not None, "seed_register records incidents"
    incident_day = timezone.localdate(latest_incident.occurred_at)
    month = f"{incident_day:%Y-%m}"
    today = timezone.localdate()
    quarter = f"{today.year}-Q{(today.month - 1) // 3 + 1}"
    # In a month's first days the incident month is last month, which the archive already
    # holds: the worker then makes its next revision.
    revisions = {
        kind: Report.objects.filter(kind=kind, period_label=label).count() + 1
        for kind, label in (("monthly", month), ("quarterly", quarter))
    }

    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    queue = f"test-report-worker-{uuid.uuid4().hex}"
    log_path = tmp_path / "worker.log"

    eager_before = celery_app.conf.task_always_eager
    results = []
    passed = False
    worker = start_worker(
        queue,
        log_path,
        REDIS_URL=broker,
        MEDIA_ROOT=str(media_root),
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(mail_dir),
    )
    try:
        celery_app.conf.task_always_eager = False
        for kind, label in ((ReportKind.MONTHLY, month), (ReportKind.QUARTERLY, quarter)):
            results.append(
                generate_report.apply_async(
                    kwargs={"kind": kind.value, "period_label": label}, queue=queue
                )
            )

        deadline = time.monotonic() + WORKER_TIMEOUT_SECONDS
        while not all(result.ready() for result in results):
            assert worker.poll() is None, f"the worker exited with {worker.returncode}"
            assert time.monotonic() < deadline, "the worker did not finish both reports in time"
            # A failed build is retried 30 s later: say why now rather than at the deadline.
            failed = list(Report.objects.filter(status=ReportStatus.FAILED).values("kind", "error"))
            assert not failed, f"report generation failed (the task will retry): {failed}"
            time.sleep(0.2)
        monthly_id, quarterly_id = (result.get(timeout=5) for result in results)

        monthly = Report.objects.get(pk=monthly_id)
        quarterly = Report.objects.get(pk=quarterly_id)
        assert_generated(monthly, "monthly", month, revisions["monthly"], MONTHLY_SECTIONS)
        assert_generated(
            quarterly, "quarterly", quarter, revisions["quarterly"], QUARTERLY_SECTIONS
        )

        monthly_text = pdf_text(monthly)
        assert_sections(monthly_text, MONTHLY_SECTIONS)
        assert_monthly_figures(monthly_text, monthly.period_start, monthly.period_end)

        quarterly_text = pdf_text(quarterly)
        assert_sections(quarterly_text, QUARTERLY_SECTIONS)
        assert_quarterly_figures(quarterly_text)
        passed = True
    finally:
        celery_app.conf.task_always_eager = eager_before
        stop(worker, log_path=None if passed else log_path)
        forget_queue(queue)
        for result in results:
            result.forget()
