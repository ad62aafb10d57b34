"""Benchmark (not a test) of the executive dashboard request on a large portfolio.

Builds an N-initiative portfolio (scorecards, risks, incidents, decisions, gate requests, KPIs
with measurements, stage changes; see large_portfolio.py) in a throwaway database, then times
GET /dashboard/ through the Django test client and reports wall time, peak Python memory
(tracemalloc) and the query count. bench/report_bench.py prints these figures too.

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
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import TYPE_CHECKING

from large_portfolio import (
    build_large_portfolio,
    clean_up_on_sigterm,
    configure,
    throwaway_database,
)

if TYPE_CHECKING:
    from tests.reporting.support import Portfolio


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--size", "--initiatives", type=int, default=1000, help="initiatives (default 1000)"
    )
    parser.add_argument("--repeat", type=int, default=5, help="timed requests (default 5)")
    args = parser.parse_args()
    clean_up_on_sigterm()

    with tempfile.TemporaryDirectory(prefix="gatehouse-bench-") as directory:
        configure(os.environ.get("BENCH_DATABASE_URL"), Path(directory))
        run(args.size, args.repeat)


def run(size: int, repeat: int) -> None:
    from django.db import connection
    from django.utils import timezone

    with throwaway_database():
        started = time.perf_counter()
        portfolio = build_large_portfolio(size, now=timezone.now())
        built = time.perf_counter() - started
        print(f"Dashboard benchmark: {size} initiatives on {connection.vendor}")
        print(f"  portfolio built in {built:.1f} s")
        measure_dashboard(portfolio, repeat)


def measure_dashboard(portfolio: Portfolio, repeat: int) -> None:
    """Print the timings of GET /dashboard/ for all units this month and one unit a quarter."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from core.roles import Role
    from tests.factories import UserFactory

    client = Client()
    client.force_login(UserFactory(username="bench-exec", roles=[Role.EXECUTIVE]))
    cases = {
        "all units, this month": {},
        "one unit, a quarter": {"unit": portfolio.units[0].pk, "period": "quarter"},
    }
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
            f"  dashboard, {name}: median {statistics.median(timings) * 1000:.0f} ms, "
            f"min {min(timings) * 1000:.0f} ms, max {max(timings) * 1000:.0f} ms "
            f"over {repeat}; peak memory {peak / 1024 / 1024:.1f} MiB; "
            f"{len(queries.captured_queries)} queries; "
            f"{len(response.content) / 1024:.0f} KiB of HTML"
        )


if __name__ == "__main__":
    main()
