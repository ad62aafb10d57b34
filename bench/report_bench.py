"""Benchmark (not a test) of the monthly executive report on a large portfolio, and the dashboard.

Builds an N-initiative portfolio (large_portfolio.py: scorecards, risks, incidents, decisions,
gate requests and decisions, votes, action items, KPIs with measurements, stage changes, so every
report section has rows) in a throwaway database, prints the dashboard figures of
dashboard_bench.py, then for the current month's report measures

1. the report data (`monthly_report_data`), with its query count,
2. the PDF rendering of that snapshot (`render_report_pdf`, WeasyPrint),
3. the whole generation (`report_generate`: new revision, data, PDF, file, audit event),

each as wall time over --repeat runs (median, min, max), peak Python memory of one more run
(tracemalloc) and how far the step raised the process's peak resident memory (getrusage max
RSS). The full generation runs first, after a warm-up, so its RSS growth is what one report costs
a worker; max RSS is a high-water mark, so the two parts measured after it show about 0.

    .venv/bin/python bench/report_bench.py                    # N=1000, temporary SQLite file
    .venv/bin/python bench/report_bench.py --initiatives 200 --repeat 3
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/gatehouse_bench \
        .venv/bin/python bench/report_bench.py                # a throwaway test_… database

PDFs go to a temporary MEDIA_ROOT; the database is created and destroyed by Django's
test-database machinery, so nothing is left in the repository or the development database.
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dashboard_bench import measure_dashboard
from large_portfolio import (
    build_large_portfolio,
    clean_up_on_sigterm,
    configure,
    throwaway_database,
)

MIB = 1024 * 1024


@dataclass
class Measurement:
    timings: list[float]
    peak_bytes: int
    rss_growth_bytes: int
    rss_bytes: int
    queries: int

    def line(self, name: str) -> str:
        ms = [t * 1000 for t in self.timings]
        return (
            f"  {name}: median {statistics.median(ms):.0f} ms, min {min(ms):.0f} ms, "
            f"max {max(ms):.0f} ms over {len(ms)}; peak memory {self.peak_bytes / MIB:.1f} MiB "
            f"(tracemalloc), max RSS +{self.rss_growth_bytes / MIB:.0f} MiB "
            f"(to {self.rss_bytes / MIB:.0f} MiB); "
            f"{self.queries} queries"
        )


def max_rss_bytes() -> int:
    # ru_maxrss is in kilobytes on Linux, in bytes on macOS.
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss if sys.platform == "darwin" else rss * 1024


def measure(
    step: Callable[[], Any], repeat: int, *, warm_up: bool = True
) -> tuple[Measurement, Any]:
    """Time `step` `repeat` times (after a warm-up run), then trace one more run's memory and
    queries; tracemalloc slows the run it watches, so that run is not timed."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    rss_before = max_rss_bytes()
    result = step() if warm_up else None  # imports, templates, fonts
    timings = []
    for _ in range(repeat):
        began = time.perf_counter()
        result = step()
        timings.append(time.perf_counter() - began)
    rss_after = max_rss_bytes()
    with CaptureQueriesContext(connection) as queries:
        tracemalloc.start()
        step()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    measurement = Measurement(
        timings, peak, rss_after - rss_before, rss_after, len(queries.captured_queries)
    )
    return measurement, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--initiatives",
        "--size",
        dest="size",
        type=int,
        default=1000,
        help="initiatives (default 1000)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per step (default 3)")
    args = parser.parse_args()
    clean_up_on_sigterm()

    with tempfile.TemporaryDirectory(prefix="gatehouse-bench-") as directory:
        configure(os.environ.get("BENCH_DATABASE_URL"), Path(directory))
        run(args.size, args.repeat)


def run(size: int, repeat: int) -> None:
    from django.db import connection
    from django.utils import timezone
    from pypdf import PdfReader

    from reporting.pdf import render_report_pdf
    from reporting.report_data import monthly_report_data, parse_period
    from reporting.services import report_generate

    with throwaway_database():
        started = time.perf_counter()
        portfolio = build_large_portfolio(size, now=timezone.now())
        built = time.perf_counter() - started
        print(f"Dashboard and report benchmark: {size} initiatives on {connection.vendor}")
        print(f"  portfolio built in {built:.1f} s; max RSS {max_rss_bytes() / MIB:.0f} MiB")
        measure_dashboard(portfolio, repeat)

        label = f"{timezone.localdate():%Y-%m}"
        start, end = parse_period("monthly", label)
        # The whole generation first: its max RSS growth is what a worker needs for a first
        # report; the two parts after it are already warm. Each run makes a new revision.
        full, report = measure(lambda: report_generate(kind="monthly", period_label=label), repeat)
        assert report.status == "draft", report.error
        data, snapshot = measure(lambda: monthly_report_data(start, end), repeat, warm_up=False)
        pdf, document = measure(
            lambda: render_report_pdf(snapshot=snapshot, period_label=label, revision=1),
            repeat,
            warm_up=False,
        )
        pages = len(PdfReader(io.BytesIO(document)).pages)
        print(data.line(f"monthly report {label}, (1) data"))
        print(
            pdf.line("monthly report, (2) PDF") + f"; {len(document) / 1024:.0f} KiB, {pages} pages"
        )
        print(full.line("monthly report, (3) full generation"))
        rows = ", ".join(f"{key} {_rows(snapshot[key])}" for key in _section_keys(snapshot))
        print(f"  rows per section of the monthly data: {rows}")


def _section_keys(snapshot: dict) -> list[str]:
    return [section["key"] for section in snapshot["sections"]]


def _rows(section: Any) -> int:
    """How many rows a section of the snapshot holds (its lists, added up)."""
    if isinstance(section, list):
        return len(section)
    if isinstance(section, dict):
        return sum(_rows(v) for v in section.values() if isinstance(v, list | dict))
    return 0


if __name__ == "__main__":
    main()
