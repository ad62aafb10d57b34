"""Start a real Celery worker for a test: another process, on a queue unique to the test, reading
the same test database through Redis.

Locally without Redis these tests skip; in CI (CI=true) a missing service fails them instead.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import NoReturn
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from config.celery import app as celery_app

WORKER_TIMEOUT_SECONDS = 60

# For a module's `pytestmark`: decided before the database is set up, so a local run without
# Redis skips cleanly, while in CI the test runs and fails loudly if Redis is missing.
needs_redis = pytest.mark.skipif(
    not os.environ.get("REDIS_URL") and os.environ.get("CI") != "true",
    reason="The Celery worker test needs REDIS_URL (a running Redis).",
)


def skip_unless_ci(reason: str) -> NoReturn:
    """Skip locally, but fail in CI: there a skip would hide a missing service."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true, so this is a failure, not a skip)")
    pytest.skip(reason)


def redis_url() -> str:
    url = os.environ.get("REDIS_URL", "")
    if not url:
        skip_unless_ci("The Celery worker test needs REDIS_URL (a running Redis).")
    return url


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


def start_worker(queue: str, log_path: Path, **env: str) -> subprocess.Popen:
    """A solo worker consuming only `queue`, its output in `log_path`; `env` adds to or
    overrides the environment (the test database and production settings by default)."""
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
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DATABASE_URL": worker_database_url(),
        **env,
    }
    with log_path.open("wb") as log:
        return subprocess.Popen(
            command, cwd=settings.BASE_DIR, env=environment, stdout=log, stderr=subprocess.STDOUT
        )


def stop(worker: subprocess.Popen, *, log_path: Path | None = None) -> None:
    """Stop the worker; with `log_path`, print its log (call it so when the test failed)."""
    worker.terminate()
    try:
        worker.wait(timeout=15)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait(timeout=15)
    if log_path is not None:
        print(f"--- Celery worker log ({' '.join(worker.args)}) ---")
        print(log_path.read_text(errors="replace"))


def forget_queue(queue: str) -> None:
    """Drop the Redis keys Kombu keeps for the throwaway queue (its name is unique to this run)."""
    with celery_app.connection_for_write() as conn:
        client = conn.default_channel.client
        keys = list(client.scan_iter(match=f"*{queue}*"))
        if keys:
            client.delete(*keys)
