"""Scheduled reports: the period each run is due for, beat's job, and catching up a missed one."""

from __future__ import annotations

import datetime
import os
import time
import uuid
from types import SimpleNamespace
from unittest import mock

import pytest
import time_machine
from celery import Celery
from celery.schedules import crontab
from django.conf import settings as django_settings
from django.db.models import QuerySet
from django.utils import timezone

from config.celery import app as celery_app
from core.models import AuditEvent
from reporting.models import Report, ReportSource, ReportStatus
from reporting.report_data import parse_period
from reporting.schedule import (
    CATCH_UP_BEAT_ENTRY,
    SCHEDULES,
    ScheduledPeriod,
    due_period,
    due_scheduled_reports,
    missing_scheduled_reports,
)
from reporting.services import report_request, report_request_scheduled
from reporting.tasks import (
    catch_up_scheduled_reports,
    catch_up_when_a_worker_starts,
    generate_scheduled_report,
)
from tests.reporting.support import build_portfolio
from tests.worker_support import forget_queue, needs_redis, redis_url, start_worker, stop

D = datetime.date
BRUSSELS = datetime.timezone(datetime.timedelta(hours=1))  # CET, after the October DST change
FIRST_OF_NOVEMBER = datetime.datetime(2026, 11, 1, 6, 0, tzinfo=BRUSSELS)
WORKER_TIMEOUT_SECONDS = 120


# --- The rules ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "monthly", "quarterly"),
    [
        (D(2026, 11, 1), "2026-10", "2026-Q3"),
        (D(2026, 11, 30), "2026-10", "2026-Q3"),
        (D(2026, 10, 1), "2026-09", "2026-Q3"),
        (D(2026, 9, 30), "2026-08", "2026-Q2"),
        (D(2026, 12, 31), "2026-11", "2026-Q3"),
        # January: the previous December and the previous year's Q4.
        (D(2026, 1, 1), "2025-12", "2025-Q4"),
        (D(2026, 1, 31), "2025-12", "2025-Q4"),
        (D(2026, 3, 31), "2026-02", "2025-Q4"),
        (D(2026, 4, 1), "2026-03", "2026-Q1"),
        (D(2026, 6, 30), "2026-05", "2026-Q1"),
        (D(2026, 7, 1), "2026-06", "2026-Q2"),
        # Leap year: 29 February belongs to February, and March reports on it.
        (D(2028, 2, 29), "2028-01", "2027-Q4"),
        (D(2028, 3, 1), "2028-02", "2027-Q4"),
        (D(2000, 1, 1), "1999-12", "1999-Q4"),
    ],
)
def test_a_scheduled_run_is_due_for_the_period_that_just_ended(today, monthly, quarterly):
    assert due_period("monthly", today) == monthly
    assert due_period("quarterly", today) == quarterly
    assert due_scheduled_reports(today) == [
        ScheduledPeriod("monthly", monthly),
        ScheduledPeriod("quarterly", quarterly),
    ]


def _first_day_of_quarter(day: datetime.date) -> datetime.date:
    return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)


def test_every_day_of_five_years_is_due_for_the_full_period_just_before_it():
    """Checked against parse_period: the due period ends the day before the current one starts."""
    day = D(2024, 1, 1)
    while day <= D(2028, 12, 31):
        month_start, month_end = parse_period("monthly", due_period("monthly", day))
        assert month_end + datetime.timedelta(days=1) == day.replace(day=1), day
        assert month_start == (day.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
        quarter_start, quarter_end = parse_period("quarterly", due_period("quarterly", day))
        assert quarter_end + datetime.timedelta(days=1) == _first_day_of_quarter(day), day
        assert _first_day_of_quarter(quarter_start) == quarter_start
        day += datetime.timedelta(days=1)


def test_an_unknown_kind_has_no_schedule():
    with pytest.raises(ValueError, match="weekly"):
        due_period("weekly", D(2026, 11, 1))


def test_only_due_periods_without_any_report_are_missing():
    today = D(2026, 11, 25)
    assert missing_scheduled_reports(today, set()) == [
        ScheduledPeriod("monthly", "2026-10"),
        ScheduledPeriod("quarterly", "2026-Q3"),
    ]
    assert missing_scheduled_reports(today, {("monthly", "2026-10")}) == [
        ScheduledPeriod("quarterly", "2026-Q3")
    ]
    assert (
        missing_scheduled_reports(today, {("monthly", "2026-10"), ("quarterly", "2026-Q3")}) == []
    )


def test_older_or_other_kinds_periods_do_not_count_and_are_never_backfilled():
    today = D(2026, 11, 25)
    existing = {("monthly", "2026-09"), ("quarterly", "2026-10"), ("monthly", "2026-Q3")}
    assert missing_scheduled_reports(today, existing) == [
        ScheduledPeriod("monthly", "2026-10"),
        ScheduledPeriod("quarterly", "2026-Q3"),
    ]


def test_beat_runs_both_reports_on_the_first_and_a_daily_catch_up():
    schedule = django_settings.CELERY_BEAT_SCHEDULE
    monthly = schedule["reporting-generate-monthly-report"]
    assert monthly["task"] == "reporting.generate_scheduled_report"
    assert monthly["args"] == ("monthly",)
    assert monthly["schedule"] == crontab(minute=0, hour=6, day_of_month=1)
    quarterly = schedule["reporting-generate-quarterly-report"]
    assert quarterly["task"] == "reporting.generate_scheduled_report"
    assert quarterly["args"] == ("quarterly",)
    assert quarterly["schedule"] == crontab(
        minute=15, hour=6, day_of_month=1, month_of_year="1,4,7,10"
    )
    # The schedule data in reporting/schedule.py says the same as the settings.
    assert len(SCHEDULES) == 2
    for entry in SCHEDULES:
        assert schedule[entry.beat_entry]["schedule"] == crontab(**entry.crontab_fields())
        assert schedule[entry.beat_entry]["args"] == (entry.kind,)
    assert schedule[CATCH_UP_BEAT_ENTRY]["task"] == "reporting.catch_up_scheduled_reports"
    reporting_tasks = {entry["task"] for entry in schedule.values() if "reporting" in entry["task"]}
    assert reporting_tasks == {
        "reporting.generate_scheduled_report",
        "reporting.catch_up_scheduled_reports",
        "reporting.sweep_stuck_reports",
    }
    assert reporting_tasks <= set(celery_app.tasks)


# --- The tasks, with the database -----------------------------------------------------------


@pytest.fixture
def first_of_november(db, media):
    with time_machine.travel(FIRST_OF_NOVEMBER, tick=False):
        yield FIRST_OF_NOVEMBER


def _reports() -> list[tuple[str, str, int, str, str]]:
    return list(
        Report.objects.order_by("kind", "period_label", "revision").values_list(
            "kind", "period_label", "revision", "status", "source"
        )
    )


def test_beat_generates_last_months_report_from_the_schedule(first_of_november):
    build_portfolio(4, now=first_of_november)
    report_id = generate_scheduled_report.delay("monthly").get()
    report = Report.objects.get(pk=report_id)
    assert (report.kind, report.period_label, report.revision) == ("monthly", "2026-10", 1)
    assert (report.status, report.source, report.requested_by) == (
        ReportStatus.DRAFT,
        ReportSource.SCHEDULE,
        None,
    )
    assert (report.period_start, report.period_end) == (D(2026, 10, 1), D(2026, 10, 31))
    assert report.snapshot["portfolio_summary"]["active"] >= 1
    with report.pdf.open("rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    actions = list(
        AuditEvent.objects.filter(object_id=str(report.pk), object_type="reporting.report")
        .order_by("sequence")
        .values_list("action", flat=True)
    )
    assert actions == ["report.requested", "report.generated"]


def test_running_beats_job_twice_makes_one_report(first_of_november):
    assert generate_scheduled_report.delay("quarterly").get() is not None
    assert generate_scheduled_report.delay("quarterly").get() is None
    assert _reports() == [("quarterly", "2026-Q3", 1, ReportStatus.DRAFT, ReportSource.SCHEDULE)]


def test_beat_leaves_a_period_alone_when_someone_already_generated_it(first_of_november):
    report_request(kind="monthly", period_label="2026-10", source=ReportSource.BROWSER)
    assert generate_scheduled_report.delay("monthly").get() is None
    assert _reports() == [("monthly", "2026-10", 1, ReportStatus.QUEUED, ReportSource.BROWSER)]


def test_beat_uses_the_local_date_not_utc(db, media):
    # 23:30 UTC on 31 October is already 1 November in Brussels: October has ended.
    with time_machine.travel(datetime.datetime(2026, 10, 31, 23, 30, tzinfo=datetime.UTC)):
        generate_scheduled_report.delay("monthly").get()
    assert Report.objects.get().period_label == "2026-10"


def test_catch_up_generates_the_missing_periods_and_not_the_existing_ones(first_of_november):
    report_request(kind="monthly", period_label="2026-10", source=ReportSource.BROWSER)
    report_request(kind="monthly", period_label="2026-08", source=ReportSource.BROWSER)

    created = catch_up_scheduled_reports.delay().get()

    assert len(created) == 1
    assert _reports() == [
        ("monthly", "2026-08", 1, ReportStatus.QUEUED, ReportSource.BROWSER),
        ("monthly", "2026-10", 1, ReportStatus.QUEUED, ReportSource.BROWSER),
        ("quarterly", "2026-Q3", 1, ReportStatus.DRAFT, ReportSource.SCHEDULE),
    ]
    # 2026-09 was missed too, but catch-up never backfills older periods.
    assert not Report.objects.filter(period_label="2026-09").exists()
    assert catch_up_scheduled_reports.delay().get() == []


def test_a_failed_report_counts_as_existing_so_catch_up_does_not_pile_up_revisions(
    first_of_november,
):
    failed = report_request(kind="quarterly", period_label="2026-Q3")
    Report.objects.filter(pk=failed.pk).update(status=ReportStatus.FAILED, error="OSError: disk")
    catch_up_scheduled_reports.delay().get()
    assert _reports() == [
        ("monthly", "2026-10", 1, ReportStatus.DRAFT, ReportSource.SCHEDULE),
        ("quarterly", "2026-Q3", 1, ReportStatus.FAILED, ReportSource.COMMAND),
    ]


def test_catch_up_with_nothing_missing_costs_one_query(
    first_of_november, django_assert_max_num_queries
):
    report_request(kind="monthly", period_label="2026-10")
    report_request(kind="quarterly", period_label="2026-Q3")
    with django_assert_max_num_queries(1):
        assert catch_up_scheduled_reports.delay().get() == []


def test_a_scheduled_request_that_loses_a_race_creates_nothing(first_of_november):
    """Beat and a starting worker both saw no report; the second insert hits the constraint."""
    assert report_request_scheduled(kind="monthly", period_label="2026-10") is not None
    with mock.patch.object(QuerySet, "exists", return_value=False):
        assert report_request_scheduled(kind="monthly", period_label="2026-10") is None
    assert Report.objects.count() == 1


def test_a_worker_serving_the_default_queue_catches_up_when_it_starts(first_of_november):
    # The handler as the worker calls it; tasks run in-process here, so the catch-up runs now.
    catch_up_when_a_worker_starts(sender=SimpleNamespace(app=celery_app))
    assert [(kind, label) for kind, label, *_ in _reports()] == [
        ("monthly", "2026-10"),
        ("quarterly", "2026-Q3"),
    ]


def test_a_worker_started_for_other_queues_only_does_not_catch_up(first_of_november):
    other = Celery("other-queues-only", set_as_current=False)
    other.amqp.queues.select(["pdf-exports"])
    catch_up_when_a_worker_starts(sender=SimpleNamespace(app=other))
    assert not Report.objects.exists()


# --- A real worker catching up when it starts -----------------------------------------------


@needs_redis
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_that_starts_generates_the_missing_report(tmp_path):
    broker = redis_url()

    monthly, quarterly = due_scheduled_reports(timezone.localdate())
    report_request(kind=monthly.kind, period_label=monthly.period_label, source="browser")

    # The worker's default queue is a throwaway one: the catch-up it sends on start, and the
    # generation that follows, stay on this worker and away from anyone else's on this Redis.
    queue = f"test-report-catch-up-{uuid.uuid4().hex}"
    module = f"worker_settings_{uuid.uuid4().hex}"
    (tmp_path / f"{module}.py").write_text(
        "from config.settings.base import *  # noqa: F403\n"
        f"CELERY_TASK_DEFAULT_QUEUE = {queue!r}\n"
        "CELERY_TASK_IGNORE_RESULT = True\n"
    )
    log_path = tmp_path / "worker.log"
    passed = False
    worker = start_worker(
        queue,
        log_path,
        PYTHONPATH=os.pathsep.join(
            [str(tmp_path), str(django_settings.BASE_DIR), os.environ.get("PYTHONPATH", "")]
        ),
        DJANGO_SETTINGS_MODULE=module,
        REDIS_URL=broker,
        MEDIA_ROOT=str(tmp_path / "media"),
        REPORT_DISTRIBUTION_LIST="",
    )
    try:
        generated = Report.objects.filter(
            kind=quarterly.kind, period_label=quarterly.period_label, status=ReportStatus.DRAFT
        )
        deadline = time.monotonic() + WORKER_TIMEOUT_SECONDS
        while not generated.exists():
            assert worker.poll() is None, f"the worker exited with {worker.returncode}"
            assert time.monotonic() < deadline, "the worker did not catch up in time"
            time.sleep(0.5)

        report = generated.get()
        assert (report.revision, report.source) == (1, ReportSource.SCHEDULE)
        assert report.pdf.name.startswith(f"reports/quarterly-{quarterly.period_label}-rev1")
        assert (tmp_path / "media" / report.pdf.name).read_bytes()[:5] == b"%PDF-"
        # The month already had a report: nothing was added for it.
        assert list(
            Report.objects.filter(kind=monthly.kind).values_list("period_label", "source")
        ) == [(monthly.period_label, ReportSource.BROWSER)]
        passed = True
    finally:
        stop(worker, log_path=None if passed else log_path)
        forget_queue(queue)
