"""Benchmark (not a test) of the executive dashboard request on a large portfolio.

Builds an N-initiative portfolio (scorecards, risks, incidents, decisions, gate requests, KPIs
with measurements) in a throwaway database, then times GET /dashboard/ through the Django test
client and reports wall time, peak Python memory (tracemalloc) and the query count.

    .venv/bin/python bench/dashboard_bench.py                 # N=1000, temporary SQLite file
    .venv/bin/python bench/dashboard_bench.py --size 200 --repeat 10
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/gatehouse_bench \
        .venv/bin/python bench/dashboard_bench.py             # a throwaway test_… database

The database is created with Django's test-database machinery and destroyed at the end, so the
benchmark never touches the development or production data.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _configure(database_url: str | None, sqlite_path: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{sqlite_path}"
    import django

    django.setup()
    from django.conf import settings

    if not database_url:
        settings.DATABASES["default"]["TEST"]["NAME"] = sqlite_path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1000, help="initiatives (default 1000)")
    parser.add_argument("--repeat", type=int, default=5, help="timed requests (default 5)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="gatehouse-bench-") as directory:
        _configure(os.environ.get("BENCH_DATABASE_URL"), str(Path(directory) / "bench.sqlite3"))
        run(args.size, args.repeat)


def run(size: int, repeat: int) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import (
        CaptureQueriesContext,
        setup_test_environment,
        teardown_test_environment,
    )
    from django.utils import timezone

    from core.roles import Role
    from tests.factories import UserFactory
    from tests.reporting.support import build_portfolio

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        started = time.perf_counter()
        portfolio = build_portfolio(size, now=timezone.now())
        built = time.perf_counter() - started

        client = Client()
        client.force_login(UserFactory(username="bench-exec", roles=[Role.EXECUTIVE]))
        cases = {
            "all units, this month": {},
            "one unit, a quarter": {"unit": portfolio.units[0].pk, "period": "quarter"},
        }
        print(f"Dashboard benchmark: {size} initiatives on {connection.vendor}")
        print(f"  portfolio built in {built:.1f} s")
        for name, params in cases.items():
            response = client.get("/dashboard/", params)  # warm-up: templates, caches
            assert response.status_code == 200, response.status_code
            timings = []
            for _ in range(repeat):
                began = time.perf_counter()
                client.get("/dashboard/", params)
                timings.append(time.perf_counter() - began)
            with CaptureQueriesContext(connection) as queries:
                tracemalloc.start()
                client.get("/dashboard/", params)
                _, peak = tracemalloc.get_traced_memory()
                tracemalloc.stop()
            print(
                f"  {name}: median {statistics.median(timings) * 1000:.0f} ms, "
                f"min {min(timings) * 1000:.0f} ms, max {max(timings) * 1000:.0f} ms "
                f"over {repeat}; peak memory {peak / 1024 / 1024:.1f} MiB; "
                f"{len(queries.captured_queries)} queries; "
                f"{len(response.content) / 1024:.0f} KiB of HTML"
            )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


if __name__ == "__main__":
    main()
