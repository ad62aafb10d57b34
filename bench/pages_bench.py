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
- the initiative type-ahead the filters use;

and whether each page's p95 meets the goal of issue 11 (150 ms at 10,000 initiatives). Then it
measures throughput as production serves it (bench/throughput.py): gunicorn with three sync
workers on the same database, 8 clients requesting the dashboard back to back for 20 seconds,
with its figures cache on and off; requests per second and p50 / p95 of the answers, against
the goal of 20 requests per second with 8 connections.

    .venv/bin/python bench/pages_bench.py                      # 1000 and 10000, SQLite file
    .venv/bin/python bench/pages_bench.py --sizes 200 --repeat 10 --throughput-seconds 5
    .venv/bin/python bench/pages_bench.py --throughput-seconds 0  # pages only
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
from throughput import GUNICORN_WORKERS, ThroughputFigures, gunicorn, measure_throughput

# The goals of issue 11 on a 10,000-initiative portfolio on PostgreSQL: every page's p95, and
# the dashboard's requests per second with GOAL_CONNECTIONS clients at once.
GOAL_P95_MS = 150
GOAL_PER_SECOND = 20
GOAL_CONNECTIONS = 8


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
    parser.add_argument(
        "--throughput-seconds",
        type=float,
        default=20,
        help="seconds of concurrent load on the dashboard per run (default 20; 0 skips it)",
    )
    parser.add_argument(
        "--connections",
        type=int,
        default=GOAL_CONNECTIONS,
        help=f"concurrent clients of the throughput runs (default {GOAL_CONNECTIONS})",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=GUNICORN_WORKERS,
        help=f"gunicorn workers of the throughput runs (default {GUNICORN_WORKERS}, as deployed)",
    )
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",") if size.strip()]
    clean_up_on_sigterm()

    began = time.perf_counter()
    figures: list[PageFigures] = []
    rates: list[ThroughputFigures] = []
    with tempfile.TemporaryDirectory(prefix="gatehouse-bench-") as directory:
        configure(os.environ.get("BENCH_DATABASE_URL"), Path(directory))
        from django.conf import settings
        from django.db import connection

        # The test settings turn the figures cache off; time the pages as they are served.
        settings.AGGREGATE_CACHE_SECONDS = int(os.environ.get("AGGREGATE_CACHE_SECONDS", "30"))

        for size in sizes:
            pages, throughput = run(size, args)
            figures += pages
            rates += throughput
        vendor = connection.vendor
    print()
    print(
        f"Pages on {vendor}, {args.repeat} timed requests each (after one warm-up); "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )
    print_table(figures, sizes)
    if rates:
        print()
        print(
            f"Throughput: gunicorn, {args.workers} sync workers, DEBUG off; "
            f"{args.connections} clients back to back, {args.throughput_seconds:g} s each "
            f"(goal: {GOAL_PER_SECOND} req/s with {GOAL_CONNECTIONS} connections)"
        )
        print_throughput(rates)
    print(f"\nWhole benchmark: {time.perf_counter() - began:.0f} s")


def run(size: int, args: argparse.Namespace) -> tuple[list[PageFigures], list[ThroughputFigures]]:
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
                name, size, users[role], url, params, args.repeat, before_each=before_each
            )
            print(
                f"  {name}: p50 {figure.p50_ms:.0f} ms, p95 {figure.p95_ms:.0f} ms, "
                f"CPU {figure.cpu_ms:.0f} ms, {figure.queries} queries, {figure.kib:.0f} KiB"
            )
            figures.append(figure)
        cache.clear()
        rates = []
        if args.throughput_seconds > 0:
            rates = run_throughput(
                size, users[Role.EXECUTIVE], reverse("reporting:dashboard"), args
            )
        return figures, rates


def run_throughput(
    size: int, user: Any, path: str, args: argparse.Namespace
) -> list[ThroughputFigures]:
    """The dashboard under concurrent load on gunicorn: figures cache on, then off."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)  # a session in the database, which gunicorn's workers read too
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    runs = (
        ("dashboard", int(os.environ.get("AGGREGATE_CACHE_SECONDS", "30"))),
        ("dashboard, cache off", 0),
    )
    rates = []
    for name, cache_seconds in runs:
        with gunicorn(cache_seconds=cache_seconds, workers=args.workers) as base_url:
            rate = measure_throughput(
                page=name,
                size=size,
                base_url=base_url,
                path=path,
                session_cookie=cookie,
                connections=args.connections,
                seconds=args.throughput_seconds,
            )
        print(
            f"  {name} on gunicorn, {rate.connections} clients: {rate.per_second:.1f} req/s, "
            f"p50 {rate.p50_ms:.0f} ms, p95 {rate.p95_ms:.0f} ms, {rate.errors} errors"
        )
        rates.append(rate)
    return rates


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


def _goal(met: bool) -> str:
    return "met" if met else "MISSED"


def print_table(figures: list[PageFigures], sizes: list[int]) -> None:
    by_page: dict[str, dict[int, PageFigures]] = {}
    for figure in figures:
        by_page.setdefault(figure.page, {})[figure.size] = figure
    name_width = max(len(page) for page in by_page) + 2
    width = 48
    header = "page".ljust(name_width) + "".join(
        f"| {f'{size:,}: p50 / p95 / CPU ms, queries, KiB, p95 goal':<{width}}" for size in sizes
    )
    print(header)
    print("-" * len(header))
    for page, per_size in by_page.items():
        cells = []
        for size in sizes:
            figure = per_size.get(size)
            cells.append(
                f"| {figure.p50_ms:>5.0f} / {figure.p95_ms:>5.0f} / {figure.cpu_ms:>5.0f}, "
                f"{figure.queries:>3}, {figure.kib:>5.0f}, "
                f"{_goal(figure.p95_ms <= GOAL_P95_MS):<6}    "
                if figure
                else f"| {'—':<{width}}"
            )
        print(page.ljust(name_width) + "".join(cells))
    print(f"(p95 goal: at most {GOAL_P95_MS} ms; issue 11 sets it at 10,000 initiatives.)")


def print_throughput(rates: list[ThroughputFigures]) -> None:
    name_width = max(len(rate.page) for rate in rates) + 2
    header = (
        "page".ljust(name_width) + "| initiatives | req/s  | p50 ms | p95 ms | errors | req/s goal"
    )
    print(header)
    print("-" * len(header))
    for rate in rates:
        print(
            rate.page.ljust(name_width)
            + f"| {rate.size:>11,} | {rate.per_second:>6.1f} | {rate.p50_ms:>6.0f} "
            f"| {rate.p95_ms:>6.0f} | {rate.errors:>6} "
            f"| {_goal(rate.per_second >= GOAL_PER_SECOND)}"
        )


if __name__ == "__main__":
    main()
