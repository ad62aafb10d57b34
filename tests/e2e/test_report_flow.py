"""The monthly report in real Chromium: an executive opens the dashboard, generates the monthly
report, watches it finish and downloads the PDF.

With REDIS_URL set (CI) the generation runs in a real Celery worker process on its own queue, and
the worker starts only once the browser shows the report queued: the page must then follow it to
the draft by itself (htmx polling). Without Redis the task runs in-process during the request, so
the report is ready when its page first loads; the rest of the flow is the same.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from config.celery import app as celery_app
from core.roles import Role
from reporting.models import Report, ReportSource, ReportStatus
from reporting.schedule import due_period
from tests.e2e.support import log_in
from tests.factories import UserFactory
from tests.reporting.support import build_portfolio
from tests.worker_support import forget_queue, start_worker, stop

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# A cold worker boots, then renders the PDF with WeasyPrint: generous, and only an upper bound.
WORKER_TIMEOUT_MS = 120_000
EAGER_TIMEOUT_MS = 60_000


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


@contextmanager
def report_queue() -> Iterator[str | None]:
    """With Redis: route report tasks to a queue of this run, not run them in-process.

    Yields the queue's name, or None when tasks run eagerly (no REDIS_URL).
    """
    if not os.environ.get("REDIS_URL"):
        yield None
        return
    conf = celery_app.conf
    before = (conf.task_always_eager, conf.task_default_queue)
    queue = f"test-report-flow-{uuid.uuid4().hex}"
    conf.task_always_eager, conf.task_default_queue = False, queue
    try:
        yield queue
    finally:
        conf.task_always_eager, conf.task_default_queue = before
        forget_queue(queue)


def test_executive_generates_the_monthly_report_watches_it_finish_and_downloads_it(
    page: Page, media, tmp_path
):
    build_portfolio(6, now=timezone.now())
    executive = UserFactory(
        username="eva", first_name="Eva", last_name="Executive", roles=[Role.EXECUTIVE]
    )
    period = due_period("monthly", timezone.localdate())
    worker = None
    log_path = tmp_path / "worker.log"
    passed = False
    try:
        with report_queue() as queue:
            log_in(page, "eva")
            page.goto("/dashboard/")
            card = page.locator("#card-reports")
            expect(card.get_by_role("heading", name="Reports")).to_be_visible()
            expect(card.get_by_label("Report", exact=True)).to_have_value("monthly")
            expect(card.get_by_label("Report period")).to_have_value(period)
            with page.expect_navigation(url="**/reports/*/", timeout=EAGER_TIMEOUT_MS):
                card.get_by_role("button", name="Generate report").click()
            expect(page.get_by_role("heading", level=1)).to_contain_text(
                f"Monthly executive review {period}"
            )
            status = page.get_by_test_id("report-status")

            if queue is not None:
                # Nothing consumes the queue yet: the browser sees the report waiting...
                expect(status).to_have_attribute("data-status", "queued")
                expect(page.get_by_test_id("status-text")).to_contain_text("Queued since")
                worker = start_worker(queue, log_path, MEDIA_ROOT=str(media))
            # ...and follows it to the draft without a reload.
            timeout = WORKER_TIMEOUT_MS if queue is not None else EAGER_TIMEOUT_MS
            expect(status).to_have_attribute("data-status", "draft", timeout=timeout)
            expect(status.get_by_role("heading", level=2)).to_contain_text("Draft")
            expect(page.get_by_test_id("status-text")).to_contain_text("Ready.")
            download_link = page.get_by_test_id("pdf-download")
            expect(download_link).to_be_visible()

            with page.expect_download() as download_info:
                download_link.click()
            download = download_info.value
            assert download.suggested_filename == f"monthly-{period}-rev1.pdf"
            pdf = Path(download.path()).read_bytes()
            assert pdf.startswith(b"%PDF")
            assert len(pdf) > 10_000

            report = Report.objects.get()
            assert (report.status, report.source, report.requested_by) == (
                ReportStatus.DRAFT,
                ReportSource.BROWSER,
                executive,
            )
            with report.pdf.open("rb") as stored:
                assert stored.read() == pdf
            passed = True
    finally:
        if worker is not None:
            stop(worker, log_path=None if passed else log_path)
