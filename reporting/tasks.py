"""Report generation and the email of signed-off reports, in the background.

Beat generates the monthly and quarterly reports (`generate_scheduled_report`); a worker that
starts, and a daily beat entry, catch up a schedule that was missed while nothing ran
(`catch_up_scheduled_reports`). Both hand the build to `generate_report`, so its retries apply.

A worker killed mid-build leaves its revision running, and a lost message leaves one queued:
`sweep_stuck_reports` (every five minutes from beat, and when a worker starts) queues such a
revision again or fails it with the reason (reporting/rules.py). Each revision records the job
that is to build it (`job_id`), so a late delivery of an older job's message builds nothing.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from celery import shared_task
from celery.signals import worker_ready
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from reporting.models import Report, ReportSource, ReportStatus
from reporting.schedule import due_period, due_scheduled_reports, missing_scheduled_reports
from reporting.services import (
    ReportInProgressError,
    ReportNotBuildable,
    report_build,
    report_email,
    report_recover_stuck,
    report_request,
    report_request_scheduled,
    stuck_report_candidates,
)

logger = logging.getLogger(__name__)

MAX_RETRIES = 3
RETRY_BACKOFF_SECONDS = 30  # 30 s, 60 s, 120 s
EMAIL_MAX_RETRIES = 5  # 30 s, 60 s, 120 s, 240 s, 480 s: a mail server restart fits in there
# A build past the soft limit fails (and retries); past the hard limit the worker kills it, and
# the stuck-report sweep (REPORT_STALE_AFTER_SECONDS, well above this) picks the revision up.
GENERATE_SOFT_TIME_LIMIT = 300
GENERATE_TIME_LIMIT = 360


@shared_task(
    bind=True,
    name="reporting.generate_report",
    max_retries=MAX_RETRIES,
    soft_time_limit=GENERATE_SOFT_TIME_LIMIT,
    time_limit=GENERATE_TIME_LIMIT,
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

    Without `report_id` it requests a new revision (or joins the one of that period in
    progress); a retry (with exponential backoff) rebuilds that same revision, so a transient
    failure does not leave a trail of extra revisions. A job with nothing left to do (the
    revision is finished, or another job owns it) returns without building or retrying.
    """
    job_id = self.request.id
    if report_id is None:
        actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
        try:
            report_id = report_request(
                kind=kind, period_label=period_label, actor=actor, source=source, job_id=job_id
            ).pk
        except ReportInProgressError as in_progress:
            return in_progress.report.pk
    try:
        report = Report.objects.get(pk=report_id)
        return report_build(report=report, job_id=job_id, worker=self.request.hostname or "").pk
    except ReportNotBuildable as nothing_to_do:
        logger.info("Report %s: job %s builds nothing: %s", report_id, job_id, nothing_to_do)
        return report_id
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


def _job_kwargs(report: Report) -> dict[str, Any]:
    return {
        "kind": report.kind,
        "period_label": report.period_label,
        "actor_id": report.requested_by_id,
        "report_id": report.pk,
        "source": report.source,
    }


def send_to_worker(report: Report) -> None:
    """Send a queued revision's job (its `job_id`) to the workers once its row is committed.

    After the commit, so the worker finds the row and its job id. robust: a refused message
    (broker down) or, in-process, a generation that failed all its retries is logged, and the
    caller still gets the revision (queued until the stuck-report sweep sends it again, or
    failed with its error) instead of a server error for a request that did create it.
    """
    kwargs, job_id = _job_kwargs(report), report.job_id
    transaction.on_commit(
        lambda: generate_report.apply_async(kwargs=kwargs, task_id=job_id), robust=True
    )


def _generate_if_missing(kind: str, period_label: str) -> int | None:
    report = report_request_scheduled(kind=kind, period_label=period_label)
    if report is None:
        return None
    generate_report.apply_async(kwargs=_job_kwargs(report), task_id=report.job_id)
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


def recover_stuck_report(
    report: Report,
    *,
    restarted_worker: str = "",
    restarted_at: datetime.datetime | None = None,
) -> Report | None:
    """Queue a stuck revision again, or fail it (services.report_recover_stuck); a revision
    queued again gets its new job sent to the workers. None when it was not stuck."""
    recovered = report_recover_stuck(
        report=report, restarted_worker=restarted_worker, restarted_at=restarted_at
    )
    if recovered is not None and recovered.status == ReportStatus.QUEUED:
        send_to_worker(recovered)
    return recovered


@shared_task(name="reporting.sweep_stuck_reports")
def sweep_stuck_reports(restarted_worker: str = "", restarted_at: str = "") -> list[int]:
    """Queue again or fail every stuck revision; returns the ids of those it changed.

    `restarted_worker` is a worker that started at `restarted_at` (ISO 8601): what it was
    running before then died with its previous life, whatever its age. Safe to run anywhere
    and often: each change is conditional on what the sweep saw.
    """
    started = parse_datetime(restarted_at) if restarted_at else None
    restart = {"restarted_worker": restarted_worker, "restarted_at": started}
    changed = []
    for report in stuck_report_candidates(**restart):
        if recover_stuck_report(report, **restart) is not None:
            changed.append(report.pk)
    if changed:
        logger.warning("Stuck reports queued again or failed: %s", changed)
    return changed


@worker_ready.connect(dispatch_uid="reporting.sweep_when_a_worker_starts")
def sweep_when_a_worker_starts(sender: Any, **kwargs: Any) -> None:
    """A worker serving the default queue (where reports are built) sweeps when it starts.

    It names itself and when it started: a revision it was running before it restarted died
    with it, so it is queued again now rather than once REPORT_STALE_AFTER_SECONDS has passed.
    """
    app = sender.app
    if app.conf.task_default_queue in app.amqp.queues.consume_from:
        sweep_stuck_reports.delay(
            restarted_worker=sender.hostname, restarted_at=timezone.now().isoformat()
        )


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
