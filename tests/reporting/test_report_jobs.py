"""Report jobs: a revision left queued or running by a dead worker is queued again or failed with
the reason, and a second request for a period in progress joins it instead of duplicating it.

"Stale" is made with time-machine: the report is left as a killed worker leaves it, and the
clock moves past REPORT_STALE_AFTER_SECONDS. The real kill is in test_report_worker_killed.py.
"""

from __future__ import annotations

import datetime
from types import SimpleNamespace
from unittest import mock

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from config.celery import app as celery_app
from core.models import AuditEvent
from reporting import services
from reporting.jobs import report_enqueue
from reporting.models import Report, ReportSource, ReportStatus
from reporting.rules import StuckAction, stuck_report_verdict
from reporting.services import (
    ReportInProgressError,
    report_build,
    report_recover_stuck,
    report_request,
)
from reporting.tasks import generate_report, sweep_stuck_reports, sweep_when_a_worker_starts
from tests.reporting.support import build_portfolio

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(datetime.datetime(2026, 11, 20, 12, 0))
STALE_AFTER = datetime.timedelta(minutes=15)
LATER = NOW + STALE_AFTER + datetime.timedelta(seconds=1)
WORKER = "celery@report-host-1"


@pytest.fixture(autouse=True)
def report_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.REPORT_STALE_AFTER_SECONDS = int(STALE_AFTER.total_seconds())
    settings.REPORT_STALE_RETRIES = 2
    return settings


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def portfolio(clock):
    return build_portfolio(4, now=NOW)


def left_running(report: Report, *, worker: str = WORKER) -> Report:
    """The row as a worker leaves it when it is killed mid-build: running, started now."""
    Report.objects.filter(pk=report.pk).update(
        status=ReportStatus.RUNNING, started_at=timezone.now(), worker=worker
    )
    return Report.objects.get(pk=report.pk)


def job_of(report: Report) -> dict:
    return {"kind": report.kind, "period_label": report.period_label}


def actions_on(report: Report) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type="reporting.report", object_id=str(report.pk))
        .order_by("sequence")
        .values_list("action", flat=True)
    )


# --- The rule -------------------------------------------------------------------------------


def verdict(**overrides):
    facts = {
        "status": ReportStatus.RUNNING,
        "queued_at": NOW,
        "started_at": NOW,
        "worker": WORKER,
        "requeues": 0,
        "now": LATER,
        "stale_after": STALE_AFTER,
        "max_requeues": 2,
    }
    return stuck_report_verdict(**{**facts, **overrides})


def test_a_build_within_the_limit_is_not_stuck():
    assert verdict(now=NOW + STALE_AFTER - datetime.timedelta(seconds=1)) is None
    assert verdict(status=ReportStatus.QUEUED, started_at=None, now=NOW + STALE_AFTER / 2) is None


@pytest.mark.parametrize("status", [ReportStatus.DRAFT, ReportStatus.FAILED, "signed_off"])
def test_a_finished_report_is_never_stuck(status):
    assert verdict(status=status, now=NOW + datetime.timedelta(days=30)) is None


def test_a_build_running_past_the_limit_is_queued_again_saying_which_worker_stopped():
    stuck = verdict()
    assert stuck.action == StuckAction.REQUEUE
    assert stuck.reason == (
        f"The worker {WORKER} stopped while building this report (no result 15 minutes after "
        "it started); queued again (retry 1 of 2)."
    )
    assert verdict(requeues=1).reason.endswith("queued again (retry 2 of 2).")


def test_after_its_last_retry_a_stuck_build_fails_saying_how_often_it_was_retried():
    stuck = verdict(requeues=2)
    assert stuck.action == StuckAction.FAIL
    assert stuck.reason.startswith(f"The worker {WORKER} stopped while building this report")
    assert "retried 2 times. Generate the report again" in stuck.reason
    no_retries = verdict(max_requeues=0)
    assert (no_retries.action, "not retried" in no_retries.reason) == (StuckAction.FAIL, True)


def test_a_report_no_worker_picked_up_is_sent_again_then_failed():
    queued = {"status": ReportStatus.QUEUED, "started_at": None, "worker": ""}
    assert verdict(**queued).reason == (
        "No worker started building this report within 15 minutes of it being queued; "
        "queued again (retry 1 of 2)."
    )
    failed = verdict(**queued, requeues=2)
    assert failed.action == StuckAction.FAIL
    assert "Check that a Celery worker is running" in failed.reason


def test_what_a_restarted_worker_was_running_before_is_stuck_at_once_but_not_what_it_runs_now():
    just_now = NOW + datetime.timedelta(seconds=30)
    restarted = {"restarted_worker": WORKER, "restarted_at": just_now, "now": just_now}
    assert verdict(**restarted).reason == (
        f"The worker {WORKER} restarted while building this report; queued again (retry 1 of 2)."
    )
    assert verdict(**restarted, started_at=just_now + datetime.timedelta(seconds=1)) is None
    assert verdict(**{**restarted, "restarted_worker": "celery@other-host"}) is None


# --- Stuck revisions: queued again, then failed -----------------------------------------------


def test_a_running_report_past_the_limit_is_queued_again_and_its_new_job_builds_it(
    portfolio, clock, django_capture_on_commit_callbacks
):
    report = left_running(report_request(kind="monthly", period_label="2026-10"))
    old_job = report.job_id
    clock.move_to(LATER)

    with django_capture_on_commit_callbacks() as sent:
        assert sweep_stuck_reports.delay().get() == [report.pk]
    report.refresh_from_db()
    assert (report.status, report.requeues, report.queued_at) == (ReportStatus.QUEUED, 1, LATER)
    assert report.job_id != old_job
    assert report.error.startswith(f"The worker {WORKER} stopped while building this report")
    requeued = AuditEvent.objects.get(action="report.requeued", object_id=str(report.pk))
    assert requeued.reason == report.error
    assert requeued.changes["status"] == [ReportStatus.RUNNING, ReportStatus.QUEUED]

    # The killed worker's message, delivered again later (acks_late), builds nothing ...
    late = generate_report.apply(kwargs={**job_of(report), "report_id": report.pk}, task_id=old_job)
    assert late.get() == report.pk
    assert Report.objects.get(pk=report.pk).status == ReportStatus.QUEUED
    # ... and the job the sweep sent builds the same revision.
    assert len(sent) == 1
    sent[0]()
    report.refresh_from_db()
    assert (report.status, report.revision, report.error) == (ReportStatus.DRAFT, 1, "")
    assert Report.objects.count() == 1
    assert actions_on(report) == ["report.requested", "report.requeued", "report.generated"]


def test_a_report_stuck_every_time_is_failed_with_the_reason_after_its_retries(db, clock):
    report = report_request(kind="monthly", period_label="2026-10")
    for retry in (1, 2):
        left_running(report)
        clock.shift(STALE_AFTER + datetime.timedelta(seconds=1))
        report = report_recover_stuck(report=Report.objects.get(pk=report.pk))
        assert (report.status, report.requeues) == (ReportStatus.QUEUED, retry)
    last_job = report.job_id
    left_running(report)
    clock.shift(STALE_AFTER + datetime.timedelta(seconds=1))

    report = report_recover_stuck(report=Report.objects.get(pk=report.pk))

    assert report.status == ReportStatus.FAILED
    assert "stopped while building this report" in report.error
    assert "retried 2 times" in report.error
    assert report.finished_at == timezone.now()
    assert report.job_id == ""
    # Its last job's message, delivered late, does not build it after all.
    generate_report.apply(kwargs={**job_of(report), "report_id": report.pk}, task_id=last_job)
    assert Report.objects.get(pk=report.pk).status == ReportStatus.FAILED
    assert actions_on(report)[-1] == "report.failed"


def test_a_report_whose_message_was_lost_is_sent_again(
    db, clock, django_capture_on_commit_callbacks
):
    report = report_request(kind="quarterly", period_label="2026-Q3")
    clock.move_to(LATER)
    with django_capture_on_commit_callbacks() as sent:
        assert sweep_stuck_reports.delay().get() == [report.pk]
    report.refresh_from_db()
    assert report.status == ReportStatus.QUEUED
    assert report.error.startswith("No worker started building this report within 15 minutes")
    assert len(sent) == 1


def test_two_sweeps_seeing_the_same_stuck_report_act_once(db, clock):
    report = left_running(report_request(kind="monthly", period_label="2026-10"))
    clock.move_to(LATER)
    seen_by_both = Report.objects.get(pk=report.pk)
    assert report_recover_stuck(report=seen_by_both) is not None
    assert report_recover_stuck(report=seen_by_both) is None
    assert Report.objects.get(pk=report.pk).requeues == 1
    assert actions_on(report).count("report.requeued") == 1


def test_a_report_that_finished_meanwhile_is_left_alone(portfolio, clock):
    report = left_running(report_request(kind="monthly", period_label="2026-10"))
    clock.move_to(LATER)
    seen_stuck = Report.objects.get(pk=report.pk)
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.DRAFT)  # the worker finished
    assert report_recover_stuck(report=seen_stuck) is None
    assert Report.objects.get(pk=report.pk).status == ReportStatus.DRAFT


def test_a_build_given_up_on_while_it_ran_changes_nothing(portfolio, clock, report_settings):
    """A build slower than the limit (the sweep queued its revision again meanwhile) keeps
    neither its result nor its file: the revision belongs to the new job."""
    report = report_request(kind="monthly", period_label="2026-10")
    render = services.render_report_pdf

    def render_after_the_sweep_gave_up(**kwargs):
        clock.move_to(LATER)
        sweep_stuck_reports.delay().get()
        return render(**kwargs)

    with mock.patch.object(services, "render_report_pdf", render_after_the_sweep_gave_up):
        result = report_build(report=report, job_id=report.job_id, worker=WORKER)
    assert (result.status, result.requeues) == (ReportStatus.QUEUED, 1)
    assert not result.pdf
    assert not list((report_settings.MEDIA_ROOT / "reports").glob("*.pdf"))


def test_the_sweep_with_nothing_stuck_costs_one_query(db, clock, django_assert_max_num_queries):
    left_running(report_request(kind="monthly", period_label="2026-10"))
    report_request(kind="quarterly", period_label="2026-Q3")
    clock.move_to(NOW + STALE_AFTER / 2)
    with django_assert_max_num_queries(1):
        assert sweep_stuck_reports.delay().get() == []


def test_a_worker_that_starts_again_requeues_what_it_was_running_at_once(db, clock):
    report = left_running(report_request(kind="monthly", period_label="2026-10"))
    elsewhere = left_running(report_request(kind="monthly", period_label="2026-09"), worker="w2")
    clock.shift(datetime.timedelta(seconds=20))  # far within the limit
    # The handler as a worker calls it; tasks run in-process here, so the sweep runs now.
    sweep_when_a_worker_starts(sender=SimpleNamespace(app=celery_app, hostname=WORKER))
    report.refresh_from_db()
    assert report.status == ReportStatus.QUEUED
    assert report.error == (
        f"The worker {WORKER} restarted while building this report; queued again (retry 1 of 2)."
    )
    assert Report.objects.get(pk=elsewhere.pk).status == ReportStatus.RUNNING


def test_the_sweep_runs_every_five_minutes_from_beat(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["reporting-sweep-stuck-reports"]
    assert entry["task"] == "reporting.sweep_stuck_reports"
    assert entry["task"] in celery_app.tasks
    assert entry["schedule"].minute == set(range(0, 60, 5))


def test_the_generation_task_has_time_limits_below_the_stuck_limit():
    assert generate_report.soft_time_limit < generate_report.time_limit
    assert generate_report.time_limit * 2 <= 900  # the default REPORT_STALE_AFTER_SECONDS


# --- One revision in progress per period ------------------------------------------------------


def test_asking_for_a_period_in_progress_names_that_revision_and_creates_nothing(db):
    first = report_request(kind="monthly", period_label="2026-10")
    with pytest.raises(ReportInProgressError) as caught:
        report_request(kind="monthly", period_label="2026-10")
    assert caught.value.report == first
    assert caught.value.message == (
        "The monthly executive review 2026-10 is already being generated: revision 1 is queued."
    )
    # Another period, or the same one once it has finished, gets its own revision.
    assert report_request(kind="quarterly", period_label="2026-Q4").revision == 1
    Report.objects.filter(pk=first.pk).update(status=ReportStatus.FAILED)
    assert report_request(kind="monthly", period_label="2026-10").revision == 2


def test_the_database_refuses_a_second_revision_of_a_period_in_progress(db):
    first = report_request(kind="monthly", period_label="2026-10")
    with pytest.raises(IntegrityError), transaction.atomic():
        Report.objects.create(
            kind=first.kind,
            period_label=first.period_label,
            period_start=first.period_start,
            period_end=first.period_end,
            revision=2,
            status=ReportStatus.RUNNING,
        )


def test_two_requests_at_the_same_moment_make_one_revision(db):
    """The second request did not see the first one's row; the constraint stops its insert,
    and looking again it joins the first."""
    first = report_request(kind="monthly", period_label="2026-10")
    real_first = QuerySet.first
    calls = []

    def unseen_once(queryset):
        calls.append(queryset)
        return None if len(calls) == 1 else real_first(queryset)

    with (
        mock.patch.object(QuerySet, "first", unseen_once),
        pytest.raises(ReportInProgressError) as caught,
    ):
        report_request(kind="monthly", period_label="2026-10")
    assert caught.value.report == first
    assert Report.objects.count() == 1


def test_a_failed_revisions_retry_leaves_it_failed_once_the_period_was_asked_for_again(db):
    failed = report_request(kind="monthly", period_label="2026-10")
    Report.objects.filter(pk=failed.pk).update(status=ReportStatus.FAILED, error="OSError: disk")
    newer = report_request(kind="monthly", period_label="2026-10")
    retry = generate_report.apply(
        kwargs={**job_of(failed), "report_id": failed.pk}, task_id=failed.job_id
    )
    assert retry.get() == failed.pk  # done, not retried again
    assert Report.objects.get(pk=failed.pk).status == ReportStatus.FAILED
    assert Report.objects.get(pk=newer.pk).status == ReportStatus.QUEUED


def test_the_task_asked_for_a_period_in_progress_returns_that_revision(db):
    first = report_request(kind="monthly", period_label="2026-10")
    assert generate_report.delay("monthly", "2026-10").get() == first.pk
    assert Report.objects.count() == 1


def test_the_command_line_says_which_revision_is_in_progress(db):
    first = report_request(kind="monthly", period_label="2026-10")
    with pytest.raises(CommandError, match=f"revision 1 is queued. See /reports/{first.pk}/"):
        call_command("generate_report", "monthly", "--period", "2026-10")


def test_asking_again_for_a_stuck_period_queues_it_again_and_joins_it(
    db, clock, executive, django_capture_on_commit_callbacks
):
    stuck = left_running(report_request(kind="monthly", period_label="2026-10"))
    clock.move_to(LATER)
    with django_capture_on_commit_callbacks() as sent:
        report, created = report_enqueue(
            kind="monthly", period_label="2026-10", actor=executive, source=ReportSource.API
        )
    assert (report.pk, created, report.status) == (stuck.pk, False, ReportStatus.QUEUED)
    assert len(sent) == 1  # the new job of the same revision


def test_asking_again_for_a_period_stuck_for_good_fails_it_and_makes_a_new_revision(
    db, clock, executive, django_capture_on_commit_callbacks, settings
):
    settings.REPORT_STALE_RETRIES = 0
    stuck = left_running(report_request(kind="monthly", period_label="2026-10"))
    clock.move_to(LATER)
    with django_capture_on_commit_callbacks() as sent:
        report, created = report_enqueue(
            kind="monthly", period_label="2026-10", actor=executive, source=ReportSource.API
        )
    assert (created, report.revision, report.status) == (True, 2, ReportStatus.QUEUED)
    stuck.refresh_from_db()
    assert stuck.status == ReportStatus.FAILED
    assert "stopped while building this report" in stuck.error
    assert "not retried" in stuck.error
    assert len(sent) == 1


# --- The API and the pages ------------------------------------------------------------------


def test_the_api_answers_a_second_request_with_the_revision_in_progress(
    executive, django_capture_on_commit_callbacks
):
    client = APIClient()
    client.force_authenticate(executive)
    payload = {"kind": "monthly", "period": "2026-10"}
    with django_capture_on_commit_callbacks() as sent:
        first = client.post("/api/v1/reports/", payload, format="json")
        second = client.post("/api/v1/reports/", payload, format="json")
    assert (first.status_code, second.status_code) == (202, 202)
    assert second.json()["id"] == first.json()["id"]
    assert second.json()["status"] == "queued"
    assert Report.objects.count() == 1
    assert len(sent) == 1  # one job, not two


def test_the_api_shows_when_a_running_report_started(executive, clock):
    report = left_running(report_request(kind="monthly", period_label="2026-10"))
    client = APIClient()
    client.force_authenticate(executive)
    answer = client.get(f"/api/v1/reports/{report.pk}/").json()
    assert answer["status"] == "running"
    assert answer["started_at"] == timezone.localtime(NOW).isoformat()


def test_generating_a_period_in_progress_in_the_browser_goes_to_that_report(
    client, executive, django_capture_on_commit_callbacks
):
    client.force_login(executive)
    data = {"report-kind": "monthly", "report-period": "2026-10"}
    with django_capture_on_commit_callbacks() as sent:
        first = client.post(reverse("reporting:report_generate"), data)
        second = client.post(reverse("reporting:report_generate"), data, follow=True)
    report = Report.objects.get()
    assert first["Location"] == reverse("reporting:report_detail", args=[report.pk])
    assert second.redirect_chain == [(first["Location"], 302)]
    page = second.content.decode()
    assert (
        "Monthly executive review 2026-10 is already being generated (revision 1, queued): "
        "this is it. It was not requested again." in page
    )
    assert len(sent) == 1


def test_opening_a_stuck_report_queues_it_again_and_says_why(
    client, executive, clock, django_capture_on_commit_callbacks
):
    report = left_running(report_request(kind="monthly", period_label="2026-10"))
    client.force_login(executive)
    page = client.get(reverse("reporting:report_detail", args=[report.pk])).content.decode()
    assert "Running since 12:00:00" in page
    clock.move_to(LATER)
    with django_capture_on_commit_callbacks() as sent:
        page = client.get(reverse("reporting:report_detail", args=[report.pk])).content.decode()
    assert 'data-status="queued"' in page
    assert "The previous attempt did not finish: The worker celery@report-host-1 stopped" in page
    assert len(sent) == 1


def test_polling_a_report_stuck_for_good_shows_it_failed_with_the_reason(
    client, executive, clock, settings
):
    settings.REPORT_STALE_RETRIES = 0
    report = left_running(report_request(kind="monthly", period_label="2026-10"))
    Report.objects.filter(pk=report.pk).update(source=ReportSource.BROWSER)
    client.force_login(executive)
    clock.move_to(LATER)
    status_url = reverse("reporting:report_status", args=[report.pk])
    fragment = client.get(status_url, {"shown": "running"}).content.decode()
    assert 'data-status="failed"' in fragment
    assert "hx-trigger" not in fragment
    assert "stopped while building this report" in fragment
    assert "No retry is left for this revision" in fragment
    assert "retried automatically" not in fragment
