"""Benchmark (not a test) of the busiest pages on a 1,000- and a 10,000-initiative portfolio.

For each size it builds the portfolio of large_portfolio.py (scorecards, risks, incidents,
decisions, gate requests with votes, KPIs with measurements, stage changes, action items) plus
an audit trail of three events per initiative, in a throwaway database, then requests each page
through the Django test client as a user who may read it and prints, per page, the median (p50)
and 95th percentile (p95) of the wall time, the number of queries and the size of the HTML:

- the executive dashboard, all units this month and one unit a quarter, each twice: as users
  see it (its aggregates cached for DASHBOARD_CACHE_SECONDS) and with the cache emptied before
  every request (what the first reader after the cache expires waits for);
- the risk register, the audit trail, the council's review queue, the readiness heatmap and
  the portfolio list (its default sort is by title);
- the initiative type-ahead the filters use.

    .venv/bin/python bench/pages_bench.py                      # 1000 and 10000, SQLite file
    .venv/bin/python bench/pages_bench.py --sizes 200 --repeat 10
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/gatehouse_bench \
        .venv/bin/python bench/pages_bench.py                  # a throwaway test_… database

Every page should cost the same at both sizes: the same number of queries, and times that do
not grow with the portfolio. The database is created with Django's test-database machinery and
destroyed at the end of each size, so the benchmark never touches real data.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from large_portfolio import (
    add_audit_trail,
    build_large_portfolio,
    clean_up_on_sigterm,
    configure,
    throwaway_database,
)


@dataclass(frozen=True)
class PageFigures:
    page: str
    size: int
    p50_ms: float
    p95_ms: float
    cpu_ms: float  # median CPU time of this process per request (not the database's)
    queries: int
    kib: float


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile: the smallest value that `fraction` of them do not exceed."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        default="1000,10000",
        help="comma-separated portfolio sizes (default 1000,10000)",
    )
    parser.add_argument("--repeat", type=int, default=20, help="timed requests per page")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",") if size.strip()]
    clean_up_on_sigterm()

    began = time.perf_counter()
    figures: list[PageFigures] = []
    with tempfile.TemporaryDirectory(prefix="gatehouse-bench-") as directory:
        configure(os.environ.get("BENCH_DATABASE_URL"), Path(directory))
        from django.conf import settings
        from django.db import connection

        # The test settings turn the figures cache off; time the pages as they are served.
        settings.AGGREGATE_CACHE_SECONDS = int(os.environ.get("AGGREGATE_CACHE_SECONDS", "30"))

        for size in sizes:
            figures += run(size, args.repeat)
        vendor = connection.vendor
    print()
    print(
        f"Pages on {vendor}, {args.repeat} timed requests each (after one warm-up); "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )
    print_table(figures, sizes)
    print(f"\nWhole benchmark: {time.perf_counter() - began:.0f} s")


def run(size: int, repeat: int) -> list[PageFigures]:
    from django.core.cache import cache
    from django.urls import reverse
    from django.utils import timezone

    from core.roles import Role
    from tests.factories import UserFactory

    with throwaway_database():
        started = time.perf_counter()
        now = timezone.now()
        portfolio = build_large_portfolio(size, now=now)
        add_audit_trail(portfolio, per_initiative=3, now=now)
        analyze_tables()
        print(f"{size} initiatives: portfolio built in {time.perf_counter() - started:.1f} s")

        users = {
            role: UserFactory(username=f"bench-{role}", roles=[role])
            for role in (Role.EXECUTIVE, Role.COUNCIL_MEMBER, Role.AUDITOR)
        }
        unit_quarter = {"unit": portfolio.units[0].pk, "period": "quarter"}
        pages: list[tuple[str, str, str, dict[str, Any], Callable[[], None] | None]] = [
            ("dashboard", Role.EXECUTIVE, reverse("reporting:dashboard"), {}, None),
            (
                "dashboard, cache emptied",
                Role.EXECUTIVE,
                reverse("reporting:dashboard"),
                {},
                cache.clear,
            ),
            (
                "dashboard, 1 unit, quarter",
                Role.EXECUTIVE,
                reverse("reporting:dashboard"),
                unit_quarter,
                None,
            ),
            (
                "dashboard, 1 unit, quarter, emptied",
                Role.EXECUTIVE,
                reverse("reporting:dashboard"),
                unit_quarter,
                cache.clear,
            ),
            ("risk register", Role.EXECUTIVE, reverse("governance:risk_list"), {}, None),
            ("audit trail", Role.AUDITOR, reverse("governance:audit_trail"), {}, None),
            ("review queue", Role.COUNCIL_MEMBER, reverse("governance:council_queue"), {}, None),
            ("readiness heatmap", Role.EXECUTIVE, reverse("readiness:heatmap"), {}, None),
            ("portfolio list", Role.EXECUTIVE, reverse("portfolio:initiative_list"), {}, None),
        ]
        typeahead = _typeahead_url()
        if typeahead:
            pages.append(("initiative type-ahead", Role.EXECUTIVE, typeahead, {"q": "0042"}, None))
        figures = []
        for name, role, url, params, before_each in pages:
            figure = measure_page(
                name, size, users[role], url, params, repeat, before_each=before_each
            )
            print(
                f"  {name}: p50 {figure.p50_ms:.0f} ms, p95 {figure.p95_ms:.0f} ms, "
                f"CPU {figure.cpu_ms:.0f} ms, {figure.queries} queries, {figure.kib:.0f} KiB"
            )
            figures.append(figure)
        cache.clear()
        return figures


def analyze_tables() -> None:
    """Give PostgreSQL the statistics autovacuum would gather on a database in use: right after
    a bulk load it has none and plans joins as if each table had a row."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _typeahead_url() -> str:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse("portfolio:initiative_suggestions")
    except NoReverseMatch:  # not there before the type-ahead existed
        return ""


def measure_page(
    name: str,
    size: int,
    user: Any,
    url: str,
    params: dict[str, Any],
    repeat: int,
    *,
    before_each: Callable[[], None] | None = None,
) -> PageFigures:
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(user)
    response = client.get(url, params)  # warm-up: templates, caches
    assert response.status_code == 200, (name, response.status_code)
    timings, cpu = [], []
    for _ in range(repeat):
        if before_each:
            before_each()
        began, began_cpu = time.perf_counter(), time.process_time()
        response = client.get(url, params)
        timings.append(time.perf_counter() - began)
        cpu.append(time.process_time() - began_cpu)
        assert response.status_code == 200, (name, response.status_code)
    if before_each:
        before_each()
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    return PageFigures(
        page=name,
        size=size,
        p50_ms=statistics.median(timings) * 1000,
        p95_ms=percentile(timings, 0.95) * 1000,
        cpu_ms=statistics.median(cpu) * 1000,
        queries=len(queries.captured_queries),
        kib=len(response.content) / 1024,
    )


def print_table(figures: list[PageFigures], sizes: list[int]) -> None:
    by_page: dict[str, dict[int, PageFigures]] = {}
    for figure in figures:
        by_page.setdefault(figure.page, {})[figure.size] = figure
    name_width = max(len(page) for page in by_page) + 2
    header = "page".ljust(name_width) + "".join(
        f"| {f'{size:,}: p50 / p95 / CPU ms, queries, KiB':<38}" for size in sizes
    )
    print(header)
    print("-" * len(header))
    for page, per_size in by_page.items():
        cells = []
        for size in sizes:
            figure = per_size.get(size)
            cells.append(
                f"| {figure.p50_ms:>5.0f} / {figure.p95_ms:>5.0f} / {figure.cpu_ms:>5.0f}, "
                f"{figure.queries:>3}, {figure.kib:>5.0f}    "
                if figure
                else f"| {'—':<38}"
            )
        print(page.ljust(name_width) + "".join(cells))


if __name__ == "__main__":
    main()
