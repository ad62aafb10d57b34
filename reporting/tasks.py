"""Report generation in the background."""

from __future__ import annotations

from celery import shared_task
from django.contrib.auth import get_user_model

from reporting.models import Report, ReportSource
from reporting.services import report_build, report_request

MAX_RETRIES = 3
RETRY_BACKOFF_SECONDS = 30  # 30 s, 60 s, 120 s


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
