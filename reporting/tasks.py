"""Report generation and the email of signed-off reports, in the background.

Beat generates the monthly and quarterly reports (`generate_scheduled_report`); a worker that
starts, and a daily beat entry, catch up a schedule that was missed while nothing ran
(`catch_up_scheduled_reports`). Both hand the build to `generate_report`, so its retries apply.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from celery.signals import worker_ready
from django.contrib.auth import get_user_model
from django.utils import timezone

from reporting.models import Report, ReportSource
from reporting.schedule import due_period, due_scheduled_reports, missing_scheduled_reports
from reporting.services import (
    report_build,
    report_email,
    report_request,
    report_request_scheduled,
)

logger = logging.getLogger(__name__)

MAX_RETRIES = 3
RETRY_BACKOFF_SECONDS = 30  # 30 s, 60 s, 120 s
EMAIL_MAX_RETRIES = 5  # 30 s, 60 s, 120 s, 240 s, 480 s: a mail server restart fits in there


@shared_task(
    bind=True,
    name="reporting.generate_report",
    max_retries=MAX_RETRIES,
    soft_time_limit=300,
    time_limit=360,
    acks_late=True,
)
def generate_report(
    self,  # noqa: ANN001
    kind: str,
    period_label: str,
    actor_id: int | None = None,
    report_id: int | None = None,
    source: str = ReportSource.SCHEDULE,
) -> int:
    """Generate a report revision; returns its id.

    The first run requests a new revision; a retry (with exponential backoff) rebuilds that same
    revision, so a transient failure does not leave a trail of extra revisions.
    """
    if report_id is None:
        actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
        report_id = report_request(
            kind=kind, period_label=period_label, actor=actor, source=source
        ).pk
    try:
        return report_build(report=Report.objects.get(pk=report_id)).pk
    except Exception as exc:
        raise self.retry(
            exc=exc,
            kwargs={
                "kind": kind,
                "period_label": period_label,
                "actor_id": actor_id,
                "report_id": report_id,
                "source": source,
            },
            countdown=RETRY_BACKOFF_SECONDS * 2**self.request.retries,
        ) from exc


def _generate_if_missing(kind: str, period_label: str) -> int | None:
    report = report_request_scheduled(kind=kind, period_label=period_label)
    if report is None:
        return None
    generate_report.delay(
        kind=kind, period_label=period_label, report_id=report.pk, source=ReportSource.SCHEDULE
    )
    return report.pk


@shared_task(name="reporting.generate_scheduled_report")
def generate_scheduled_report(kind: str) -> int | None:
    """Beat's job: generate the period of `kind` that just ended, unless it has a report.

    Returns the new report's id, or None when the period already has one (safe to rerun).
    """
    return _generate_if_missing(kind, due_period(kind, timezone.localdate()))


@shared_task(name="reporting.catch_up_scheduled_reports")
def catch_up_scheduled_reports() -> list[int]:
    """Generate every most recent due period that has no report yet; returns the new ids.

    Only the latest period of each kind: a worker down for months does not backfill them.
    """
    today = timezone.localdate()
    labels = {period.period_label for period in due_scheduled_reports(today)}
    existing = set(
        Report.objects.filter(period_label__in=labels).values_list("kind", "period_label")
    )
    created = []
    for kind, period_label in missing_scheduled_reports(today, existing):
        report_id = _generate_if_missing(kind, period_label)
        if report_id is not None:
            created.append(report_id)
    return created


@worker_ready.connect(dispatch_uid="reporting.catch_up_when_a_worker_starts")
def catch_up_when_a_worker_starts(sender: Any, **kwargs: Any) -> None:
    """A worker serving the default queue (where beat's jobs go) catches up when it starts.

    Beat does not replay a run it missed, so without this a month with the worker or beat down
    on the 1st would have no report. A worker started only for other queues (`-Q`) sends
    nothing: the catch-up would wait on a queue it does not read.
    """
    app = sender.app
    if app.conf.task_default_queue in app.amqp.queues.consume_from:
        catch_up_scheduled_reports.delay()


@shared_task(
    bind=True,
    name="reporting.email_signed_off_report",
    max_retries=EMAIL_MAX_RETRIES,
    soft_time_limit=120,
    time_limit=150,
    acks_late=True,
)
def email_signed_off_report(self, report_id: int) -> list[str]:  # noqa: ANN001
    """Email a signed-off report's PDF to the distribution list, once; returns the addresses.

    A draft is refused (the ValidationError fails the task, without retries); a mail server
    failure retries with exponential backoff and leaves the report unmarked.
    """
    report = Report.objects.filter(pk=report_id).first()
    if report is None:
        return []
    try:
        return report_email(report=report)
    except OSError as exc:  # smtplib's errors and refused connections are all OSErrors
        logger.warning("Report %s: emailing failed, will retry: %s", report_id, exc)
        raise self.retry(
            exc=exc, countdown=RETRY_BACKOFF_SECONDS * 2**self.request.retries
        ) from exc
