"""A real Celery worker, a real Redis broker and result backend, and a committed database row.

Everything else runs tasks eagerly; this is the one test that proves the task is registered,
routed, executed in another process against the same database, and its result returned.
"""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import NoReturn
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from config.celery import app as celery_app
from portfolio.tasks import send_review_reminders
from tests.factories import InitiativeFactory, UserFactory

WORKER_TIMEOUT_SECONDS = 60


def skip_unless_ci(reason: str) -> NoReturn:
    """Skip locally, but fail in CI: there a skip would hide a missing service."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true, so this is a failure, not a skip)")
    pytest.skip(reason)


def worker_database_url() -> str:
    """A DATABASE_URL with which the worker process opens the test database of this run."""
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        credentials = quote(db["USER"], safe="")
        if db["PASSWORD"]:
            credentials += ":" + quote(db["PASSWORD"], safe="")
        host = db["HOST"] or "localhost"
        port = db["PORT"] or 5432
        return f"postgres://{credentials}@{host}:{port}/{db['NAME']}"
    if connection.vendor == "sqlite" and not connection.creation.is_in_memory_db(db["NAME"]):
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    skip_unless_ci(
        f"The Celery worker test needs a test database another process can open; "
        f"{connection.vendor} {db['NAME']!r} cannot be. Set DATABASE_URL to PostgreSQL."
    )


def stop(worker: subprocess.Popen) -> None:
    worker.terminate()
    try:
        worker.wait(timeout=15)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait(timeout=15)


def forget_queue(queue: str) -> None:
    """Drop the Redis keys Kombu keeps for the throwaway queue (its name is unique to this run)."""
    with celery_app.connection_for_write() as conn:
        client = conn.default_channel.client
        keys = list(client.scan_iter(match=f"*{queue}*"))
        if keys:
            client.delete(*keys)


# Decided before the database is set up: a local run without Redis skips cleanly, while in CI
# (CI=true) the test runs and fails loudly if Redis is missing.
pytestmark = pytest.mark.skipif(
    not os.environ.get("REDIS_URL") and os.environ.get("CI") != "true",
    reason="The Celery worker test needs REDIS_URL (a running Redis).",
)


# transaction=True: the worker is another process and must see committed rows. Tests that need
# the role groups after the flush get them from the factories (get_or_create).
@pytest.mark.django_db(transaction=True)
def test_real_worker_sends_review_reminders_through_redis(tmp_path):
    redis_url = os.environ.get("REDIS_URL", "")
    if not redis_url:
        skip_unless_ci("The Celery worker test needs REDIS_URL (a running Redis).")
    database_url = worker_database_url()
    assert redis_url == settings.CELERY_RESULT_BACKEND, "results must come back through Redis"

    today = timezone.localdate()
    owner = UserFactory(username="worker-test-owner", email="worker-test-owner@example.com")
    initiative = InitiativeFactory(
        title="Worker reminder check",
        business_owner=owner,
        start_date=today - datetime.timedelta(days=30),
        next_review_date=today,
    )

    queue = f"test-review-reminders-{uuid.uuid4().hex}"
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    log_path = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "REDIS_URL": redis_url,
        "DATABASE_URL": database_url,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
    }
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "config",
        "worker",
        "--pool=solo",
        "--concurrency=1",
        "-Q",
        queue,
        "--without-gossip",
        "--without-mingle",
        "--loglevel=INFO",
        f"--hostname={queue}@%h",
    ]

    eager_before = celery_app.conf.task_always_eager
    result = None
    passed = False
    with log_path.open("wb") as log:
        worker = subprocess.Popen(
            command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            celery_app.conf.task_always_eager = False
            result = send_review_reminders.apply_async(queue=queue)

            deadline = time.monotonic() + WORKER_TIMEOUT_SECONDS
            while not result.ready():
                assert worker.poll() is None, f"the worker exited with {worker.returncode}"
                assert time.monotonic() < deadline, "the worker did not finish the task in time"
                time.sleep(0.2)
            sent = result.get(timeout=5)

            assert sent == 1
            emails = [path.read_text() for path in mail_dir.iterdir()]
            assert len(emails) == 1
            assert "Subject: Review due: Worker reminder check" in emails[0]
            assert "worker-test-owner@example.com" in emails[0]
            initiative.refresh_from_db()
            assert initiative.review_reminder_sent_on == today
            passed = True
        finally:
            celery_app.conf.task_always_eager = eager_before
            stop(worker)
            forget_queue(queue)
            if result is not None:
                result.forget()
            if not passed:
                print(f"--- Celery worker log ({' '.join(command)}) ---")
                print(log_path.read_text(errors="replace"))
