"""Queue a report for a worker: the one way the browser and the API start a generation."""

from __future__ import annotations

from typing import NamedTuple

from django.contrib.auth.models import AbstractBaseUser

from reporting.models import IN_PROGRESS, Report
from reporting.services import ReportInProgressError, report_request, report_stuck_verdict
from reporting.tasks import recover_stuck_report, send_to_worker


class Enqueued(NamedTuple):
    report: Report
    # False: a revision of the same kind and period was already queued or running, and the
    # request joined it instead of making another.
    created: bool


def report_enqueue(
    *, kind: str, period_label: str, actor: AbstractBaseUser, source: str
) -> Enqueued:
    """Create the queued revision now and hand it to a worker once that row is committed; or,
    while a revision of the same kind and period is queued or running, return that one.

    The caller gets the row back at once, so a page can poll its status; without a broker
    (first run, tests) the task runs in-process at commit and the row is already built. An
    in-progress revision that is stuck is queued again (and joined) or failed (and a new
    revision made), as the sweep would.
    """
    try:
        report = report_request(kind=kind, period_label=period_label, actor=actor, source=source)
    except ReportInProgressError as in_progress:
        existing = in_progress.report
        if report_stuck_verdict(existing) is None:
            return Enqueued(existing, created=False)
        recover_stuck_report(existing)
        existing = Report.objects.get(pk=existing.pk)
        if existing.status in IN_PROGRESS:  # queued again: join it
            return Enqueued(existing, created=False)
        try:  # failed for good (by us or by a sweep at the same moment): start afresh
            report = report_request(
                kind=kind, period_label=period_label, actor=actor, source=source
            )
        except ReportInProgressError as someone_else:  # who asked at the same moment
            return Enqueued(someone_else.report, created=False)
    send_to_worker(report)
    return Enqueued(report, created=True)
