"""A real Celery worker killed (SIGKILL) mid-generation does not leave its report running forever.

The worker is held inside the generation by a PostgreSQL table lock the test takes on the
initiatives (the report's data reads them), so the kill lands mid-build every time. The same
worker then starts again: its start-up sweep sees the revision it was building before, queues
it again with a new job, and builds it; the killed job's message changes nothing.
"""

from __future__ import annotations

import json
import os
import time
import uuid

import pytest
from django.conf import settings as django_settings
from django.db import connection, transaction
from django.utils import timezone

from config.celery import app as celery_app
from core.models import AuditEvent
from portfolio.models import Initiative
from reporting.models import Report, ReportSource, ReportStatus
from reporting.schedule import due_scheduled_reports
from reporting.services import report_request
from reporting.tasks import generate_report
from tests.reporting.support import build_portfolio
from tests.worker_support import (
    forget_queue,
    needs_redis,
    redis_url,
    skip_unless_ci,
    start_worker,
    stop,
)

WORKER_TIMEOUT_SECONDS = 120

pytestmark = needs_redis


def wait_for(condition, what: str, worker) -> None:  # noqa: ANN001
    deadline = time.monotonic() + WORKER_TIMEOUT_SECONDS
    while not condition():
        assert worker.poll() is None, f"the worker exited with {worker.returncode}"
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        time.sleep(0.1)


def waiting_on_the_lock(table: str) -> bool:
    """Another session is waiting for the lock this test holds on `table`."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = %s::regclass",
            [table],
        )
        return cursor.fetchone()[0] > 0


def forget_unacked(queue: str) -> None:
    """Drop the killed worker's unacknowledged message, which Redis would otherwise hand back
    (to a queue nobody reads any more) an hour from now."""
    with celery_app.connection_for_write() as conn:
        client = conn.default_channel.client
        for tag, payload in client.hscan_iter("unacked"):
            _message, _exchange, routing_key = json.loads(payload)
            if routing_key == queue:
                client.hdel("unacked", tag)
                client.zrem("unacked_index", tag)


# transaction=True: the worker is another process and must see committed rows.
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_generation_builds_the_report_when_it_starts_again(tmp_path):
    broker = redis_url()
    if connection.vendor != "postgresql":
        skip_unless_ci("Holding a worker mid-build takes a PostgreSQL table lock.")

    build_portfolio(4, now=timezone.now())
    monthly, quarterly = due_scheduled_reports(timezone.localdate())
    report = report_request(
        kind=monthly.kind, period_label=monthly.period_label, source=ReportSource.BROWSER
    )
    killed_job = report.job_id
    # The other due period is in the archive already, so the start-up catch-up adds nothing.
    archived = report_request(kind=quarterly.kind, period_label=quarterly.period_label)
    Report.objects.filter(pk=archived.pk).update(status=ReportStatus.FAILED)

    # The worker's default queue is a throwaway one, so what it sends itself when it starts
    # (the catch-up, the sweep, and the job of a revision queued again) stays on it.
    queue = f"test-report-killed-{uuid.uuid4().hex}"
    module = f"worker_settings_{uuid.uuid4().hex}"
    (tmp_path / f"{module}.py").write_text(
        f"from config.settings.base import *  # noqa: F403\nCELERY_TASK_DEFAULT_QUEUE = {queue!r}\n"
    )
    worker_env = {
        "PYTHONPATH": os.pathsep.join(
            [str(tmp_path), str(django_settings.BASE_DIR), os.environ.get("PYTHONPATH", "")]
        ),
        "DJANGO_SETTINGS_MODULE": module,
        "REDIS_URL": broker,
        "MEDIA_ROOT": str(tmp_path / "media"),
        "REPORT_DISTRIBUTION_LIST": "",
    }
    first_log, second_log = tmp_path / "worker-1.log", tmp_path / "worker-2.log"
    eager_before = celery_app.conf.task_always_eager
    worker = start_worker(queue, first_log, **worker_env)
    restarted = None
    passed = False
    try:
        celery_app.conf.task_always_eager = False
        initiatives = Initiative._meta.db_table
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {initiatives} IN ACCESS EXCLUSIVE MODE")
            # As send_to_worker sends it, to the test's queue.
            generate_report.apply_async(
                kwargs={
                    "kind": report.kind,
                    "period_label": report.period_label,
                    "report_id": report.pk,
                    "source": report.source,
                },
                task_id=killed_job,
                queue=queue,
            )
            running = Report.objects.filter(pk=report.pk, status=ReportStatus.RUNNING)
            wait_for(running.exists, "the worker started building the report", worker)
            wait_for(lambda: waiting_on_the_lock(initiatives), "it read the portfolio", worker)
            worker.kill()  # SIGKILL: no handler, no cleanup, mid-generation
            worker.wait(timeout=15)
        left = Report.objects.get(pk=report.pk)
        assert left.status == ReportStatus.RUNNING, "the kill leaves the report running"
        assert left.worker.startswith(f"{queue}@")

        # The same worker (same name) starts again.
        restarted = start_worker(queue, second_log, **worker_env)
        draft = Report.objects.filter(pk=report.pk, status=ReportStatus.DRAFT)
        wait_for(draft.exists, "the restarted worker built the report", restarted)

        built = draft.get()
        assert (built.revision, built.requeues, built.error) == (1, 1, "")
        assert built.job_id != killed_job
        assert built.worker == left.worker
        assert (tmp_path / "media" / built.pdf.name).read_bytes()[:5] == b"%PDF-"
        assert (
            Report.objects.filter(kind=report.kind, period_label=report.period_label).count() == 1
        )
        requeued = AuditEvent.objects.get(action="report.requeued", object_id=str(report.pk))
        assert requeued.reason == (
            f"The worker {left.worker} restarted while building this report; "
            "queued again (retry 1 of 2)."
        )
        passed = True
    finally:
        celery_app.conf.task_always_eager = eager_before
        if worker.poll() is None:
            stop(worker, log_path=None if passed else first_log)
        elif not passed:
            print(first_log.read_text(errors="replace"))
        if restarted is not None:
            stop(restarted, log_path=None if passed else second_log)
        forget_queue(queue)
        forget_unacked(queue)
