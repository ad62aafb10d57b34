"""Throughput of one page under concurrent clients, served as production serves it.

The benchmark starts gunicorn (config.wsgi, sync workers, as the Dockerfile and
docker-compose.yml run it) on the benchmark's throwaway database with DEBUG off, then keeps
CONNECTIONS clients busy for a number of seconds, each sending its next request as soon as the
last one is answered, and reports requests per second and the p50 / p95 of the answers. Only
200s count; anything else is reported as an error.

The clients are threads of the benchmark's process; they wait on sockets, so they cost little
CPU, but on a small machine gunicorn, the database and the clients share the same cores.
"""

from __future__ import annotations

import http.client
import math
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
# As the Dockerfile and docker-compose.yml start the web app.
GUNICORN_WORKERS = 3
GUNICORN_TIMEOUT = 60
# Seconds of the same load before the measured ones: each worker's first requests load the
# templates and, with the cache on, fill its figures cache.
WARM_UP_SECONDS = 3.0


@dataclass(frozen=True)
class ThroughputFigures:
    page: str
    size: int
    connections: int
    seconds: float
    requests: int
    errors: int
    p50_ms: float
    p95_ms: float

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)] if ordered else 0.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url_of_current_connection() -> str:
    """The URL of the database Django is connected to now (the throwaway test database), for
    the gunicorn workers, which are separate processes."""
    from django.db import connection

    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    user = urllib.parse.quote(settings["USER"] or "")
    password = f":{urllib.parse.quote(settings['PASSWORD'])}" if settings["PASSWORD"] else ""
    credentials = f"{user}{password}@" if user else ""
    port = f":{settings['PORT']}" if settings["PORT"] else ""
    return f"postgres://{credentials}{settings['HOST'] or 'localhost'}{port}/{settings['NAME']}"


@contextmanager
def gunicorn(*, cache_seconds: int, workers: int = GUNICORN_WORKERS) -> Iterator[str]:
    """A gunicorn serving the app on the current database; yields its base URL, stops it after.

    Same secret key as this process, so the sessions it created sign users in there too; DEBUG
    off (no query log, as in production) with the HTTPS redirect off (plain HTTP on loopback).
    """
    from django.conf import settings

    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench_settings",
        "PYTHONPATH": os.pathsep.join(
            filter(None, [str(BENCH), str(ROOT), os.environ.get("PYTHONPATH")])
        ),
        "DATABASE_URL": database_url_of_current_connection(),
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        "DEBUG": "0",
        "SECURE_SSL_REDIRECT": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "AGGREGATE_CACHE_SECONDS": str(cache_seconds),
    }
    with tempfile.TemporaryFile(mode="w+") as log:
        server = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--timeout",
                str(GUNICORN_TIMEOUT),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_until_up(port, server, log)
            yield f"http://127.0.0.1:{port}"
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def _wait_until_up(port: int, server: subprocess.Popen, log: object) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            break
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    log.seek(0)  # type: ignore[attr-defined]
    raise RuntimeError(f"gunicorn did not start:\n{log.read()}")  # type: ignore[attr-defined]


def measure_throughput(
    *,
    page: str,
    size: int,
    base_url: str,
    path: str,
    session_cookie: str,
    connections: int,
    seconds: float,
) -> ThroughputFigures:
    """`connections` clients requesting `path` back to back: a warm-up, then `seconds` timed."""
    from django.conf import settings

    host = urllib.parse.urlsplit(base_url)
    headers = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={session_cookie}"}
    lock = threading.Lock()
    timings: list[float] = []
    errors: list[str] = []
    warm_until = time.monotonic() + WARM_UP_SECONDS
    stop_at = warm_until + seconds
    start = threading.Barrier(connections)

    def client() -> None:
        connection = http.client.HTTPConnection(host.hostname, host.port, timeout=60)
        start.wait()
        while True:
            began = time.monotonic()
            if began >= stop_at:
                break
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as error:
                connection.close()
                status, detail = 0, repr(error)
            else:
                detail = f"HTTP {status}"
            ended = time.monotonic()
            # Only answers asked for and received inside the timed window count.
            if began >= warm_until and ended <= stop_at:
                with lock:
                    if status == 200:
                        timings.append(ended - began)
                    else:
                        errors.append(detail)
        connection.close()

    threads = [threading.Thread(target=client) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return ThroughputFigures(
        page=page,
        size=size,
        connections=connections,
        seconds=seconds,
        requests=len(timings),
        errors=len(errors),
        p50_ms=statistics.median(timings) * 1000 if timings else 0.0,
        p95_ms=_percentile(timings, 0.95) * 1000,
    )
