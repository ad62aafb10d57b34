"""A real Celery worker, a real Redis broker and result backend, and a committed database row.

Everything else runs tasks eagerly; this is the one test that proves the task is registered,
routed, executed in another process against the same database, and its result returned.
"""

from __future__ import annotations

import datetime
import time
import uuid

import pytest
from django.conf import settings
from django.utils import timezone

from config.celery import app as celery_app
from portfolio.tasks import send_review_reminders
from tests.factories import InitiativeFactory, UserFactory
from tests.worker_support import (
    WORKER_TIMEOUT_SECONDS,
    forget_queue,
    needs_redis,
    redis_url,
    start_worker,
    stop,
)

pytestmark = needs_redis


# transaction=True: the worker is another process and must see committed rows. Tests that need
# the role groups after the flush get them from the factories (get_or_create).
@pytest.mark.django_db(transaction=True)
def test_real_worker_sends_review_reminders_through_redis(tmp_path):
    broker = redis_url()
    assert broker == settings.CELERY_RESULT_BACKEND, "results must come back through Redis"

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
    eager_before = celery_app.conf.task_always_eager
    result = None
    passed = False
    worker = start_worker(
        queue,
        log_path,
        REDIS_URL=broker,
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(mail_dir),
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
        stop(worker, log_path=None if passed else log_path)
        forget_queue(queue)
        if result is not None:
            result.forget()
