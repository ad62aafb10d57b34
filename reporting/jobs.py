"""Queue a report for a worker: the one way the browser and the API start a generation."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from reporting.models import Report
from reporting.services import report_request
from reporting.tasks import generate_report


def report_enqueue(*, kind: str, period_label: str, actor: AbstractBaseUser, source: str) -> Report:
    """Create the queued revision now and hand it to a worker once that row is committed.

    The caller gets the row back at once, so a page can poll its status; without a broker
    (first run, tests) the task runs in-process at commit and the row is already built.
    """
    report = report_request(kind=kind, period_label=period_label, actor=actor, source=source)
    kwargs = {
        "kind": report.kind,
        "period_label": report.period_label,
        "actor_id": actor.pk,
        "report_id": report.pk,
        "source": source,
    }
    # After the commit, so the worker finds the queued row. robust: a refused message (broker
    # down) or, in-process, a generation that failed all its retries is logged, and the caller
    # still gets the revision (queued, or failed with its error) instead of a server error for a
    # request that did create it.
    transaction.on_commit(lambda: generate_report.apply_async(kwargs=kwargs), robust=True)
    return report
