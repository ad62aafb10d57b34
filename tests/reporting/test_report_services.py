"""Generation makes a new revision every time; sign-off is a governance admin's, and final."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
import time_machine
from celery.exceptions import Retry
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.utils import timezone

from core.audit import verify_stored_audit_chain
from core.errors import ConflictError
from core.models import AuditChainHead, AuditCheckpoint, AuditEvent
from reporting.models import Report, ReportStatus
from reporting.services import report_build, report_generate, report_request, report_sign_off
from reporting.tasks import generate_report
from tests.reporting.support import build_portfolio
from tests.roles import SIGNED_IN

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(datetime.datetime(2026, 11, 20, 12, 0))


@pytest.fixture
def frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def portfolio(frozen_now):
    return build_portfolio(8, now=frozen_now)


def test_generate_freezes_the_data_renders_a_pdf_and_leaves_a_draft(portfolio, governance_admin):
    report = report_generate(kind="monthly", period_label="2026-11", actor=governance_admin)
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT
    assert (report.revision, report.period_label) == (1, "2026-11")
    assert (report.period_start, report.period_end) == (
        datetime.date(2026, 11, 1),
        datetime.date(2026, 11, 30),
    )
    assert report.requested_by == governance_admin
    assert report.finished_at is not None
    assert report.snapshot["portfolio_summary"]["active"] >= 1
    with report.pdf.open("rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    assert report.pdf.name.startswith("reports/monthly-2026-11-rev1")
    actions = list(
        AuditEvent.objects.filter(object_id=str(report.pk), object_type="reporting.report")
        .order_by("sequence")
        .values_list("action", flat=True)
    )
    assert actions == ["report.requested", "report.generated"]


def test_each_generation_is_a_new_revision_and_never_overwrites(portfolio):
    first = report_generate(kind="monthly", period_label="2026-11")
    second = report_generate(kind="monthly", period_label="2026-11")
    other = report_generate(kind="quarterly", period_label="2026-q4")
    assert (first.revision, second.revision, other.revision) == (1, 2, 1)
    assert other.period_label == "2026-Q4"
    assert first.pdf.name != second.pdf.name
    first.refresh_from_db()
    assert first.status == ReportStatus.DRAFT
    with first.pdf.open("rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    assert Report.objects.count() == 3


def test_the_snapshot_is_frozen_when_the_data_changes_later(portfolio):
    report = report_generate(kind="monthly", period_label="2026-11")
    active = report.snapshot["portfolio_summary"]["active"]
    portfolio.initiatives[0].__class__.objects.update(status="stopped")
    report.refresh_from_db()
    assert report.snapshot["portfolio_summary"]["active"] == active
    newer = report_generate(kind="monthly", period_label="2026-11")
    assert newer.snapshot["portfolio_summary"]["active"] == 0


def test_a_bad_period_creates_nothing(db):
    with pytest.raises(ValidationError) as caught:
        report_generate(kind="monthly", period_label="2026-13")
    assert "period" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        report_generate(kind="weekly", period_label="2026-10")
    assert "kind" in caught.value.message_dict
    assert not Report.objects.exists()


def test_a_failure_marks_the_revision_failed_with_the_error_and_re_raises(portfolio):
    with (
        mock.patch("reporting.services.render_report_pdf", side_effect=OSError("no fonts")),
        pytest.raises(OSError, match="no fonts"),
    ):
        report_generate(kind="monthly", period_label="2026-11")
    report = Report.objects.get()
    assert report.status == ReportStatus.FAILED
    assert report.error == "OSError: no fonts"
    assert not report.pdf
    assert AuditEvent.objects.filter(action="report.failed", object_id=str(report.pk)).exists()
    # A retry rebuilds the same revision.
    rebuilt = report_build(report=report)
    assert (rebuilt.revision, rebuilt.status, rebuilt.error) == (1, ReportStatus.DRAFT, "")


def test_the_task_generates_a_report_and_retries_reuse_the_same_revision(
    portfolio, governance_admin
):
    result = generate_report.delay("monthly", "2026-11", governance_admin.pk)
    report = Report.objects.get(pk=result.get())
    assert (report.status, report.requested_by) == (ReportStatus.DRAFT, governance_admin)

    # Eagerly (with propagation) a failing attempt raises Retry carrying the retry's signature.
    with (
        mock.patch("reporting.tasks.report_build", side_effect=OSError("transient")),
        pytest.raises(Retry) as caught,
    ):
        generate_report.delay("monthly", "2026-11", None)
    retry = caught.value.sig
    failed = Report.objects.get(pk=retry.kwargs["report_id"])
    assert (failed.revision, failed.status) == (2, ReportStatus.QUEUED)
    assert caught.value.when == 30  # first backoff step
    # The retry rebuilds that same revision instead of requesting another.
    retry.apply()
    revisions = list(
        Report.objects.filter(period_label="2026-11")
        .order_by("revision")
        .values_list("revision", "status")
    )
    assert revisions == [(1, ReportStatus.DRAFT), (2, ReportStatus.DRAFT)]


def test_drafts_and_signed_reports_cannot_be_rebuilt(portfolio, governance_admin):
    report = report_generate(kind="monthly", period_label="2026-11")
    with pytest.raises(ValidationError) as caught:
        report_build(report=report)
    assert "status" in caught.value.message_dict


@pytest.mark.parametrize("role", SIGNED_IN)
def test_only_a_governance_admin_signs_off(portfolio, users_by_role, role):
    report = report_generate(kind="monthly", period_label="2026-11")
    actor = users_by_role[role]
    if role == "governance_admin":
        signed = report_sign_off(report=report, actor=actor)
        assert (signed.status, signed.signed_off_by) == (ReportStatus.SIGNED_OFF, actor)
        assert signed.signed_off_at is not None
        assert AuditEvent.objects.filter(
            action="report.signed_off", object_id=str(report.pk), actor=actor
        ).exists()
    else:
        with pytest.raises(PermissionDenied):
            report_sign_off(report=report, actor=actor)
        report.refresh_from_db()
        assert report.status == ReportStatus.DRAFT


@pytest.mark.parametrize("role", SIGNED_IN)
def test_only_governance_admins_and_executives_request_reports(users_by_role, role):
    actor = users_by_role[role]
    if role in ("governance_admin", "executive"):
        assert report_request(kind="monthly", period_label="2026-11", actor=actor).revision == 1
    else:
        with pytest.raises(PermissionDenied):
            report_request(kind="monthly", period_label="2026-11", actor=actor)
        assert not Report.objects.exists()


def test_a_signed_off_report_never_changes(portfolio, governance_admin):
    report = report_generate(kind="monthly", period_label="2026-11")
    report_sign_off(report=report, actor=governance_admin)
    with pytest.raises(ConflictError, match="this one is signed off") as caught:
        report_sign_off(report=report, actor=governance_admin)
    assert caught.value.current["signed_off_by"] == str(governance_admin)
    with pytest.raises(ValidationError):
        report_build(report=report)
    # A new generation is a new revision; the signed-off one stays as it was.
    newer = report_generate(kind="monthly", period_label="2026-11")
    report.refresh_from_db()
    assert (report.status, report.revision, newer.revision) == (ReportStatus.SIGNED_OFF, 1, 2)


def test_generation_and_sign_off_each_checkpoint_the_audit_trail(portfolio, governance_admin):
    report = report_generate(kind="monthly", period_label="2026-11", actor=governance_admin)
    generated = AuditCheckpoint.objects.for_object(report).get()
    # Taken before the PDF was rendered, so before the "report.generated" event: the snapshot
    # (and the PDF's cover) print exactly this checkpoint.
    requested = AuditEvent.objects.get(object_id=str(report.pk), action="report.requested")
    assert (generated.sequence, generated.hash) == (requested.sequence, requested.hash)
    assert generated.taken_by == governance_admin
    assert generated.reason == "Monthly executive review 2026-11 rev 1 generated"
    assert report.snapshot["audit_checkpoint"] == {
        "events": generated.sequence,
        "hash": generated.hash,
        "taken_at": generated.taken_at.isoformat(),
    }

    report_sign_off(report=report, actor=governance_admin)
    signed_off = AuditCheckpoint.objects.for_object(report).last()
    event = AuditEvent.objects.get(object_id=str(report.pk), action="report.signed_off")
    head = AuditChainHead.objects.get()
    # It vouches for the sign-off's own event, the newest in the trail.
    assert (signed_off.sequence, signed_off.hash) == (event.sequence, event.hash)
    assert (head.last_sequence, head.last_hash) == (event.sequence, event.hash)
    assert signed_off.reason == "Monthly executive review 2026-11 rev 1 signed off"
    verification = verify_stored_audit_chain()
    assert verification.broken is None
    assert verification.checkpoints_checked == 2


def test_a_failed_report_cannot_be_signed_off(portfolio, governance_admin):
    with (
        mock.patch("reporting.services.render_report_pdf", side_effect=OSError("boom")),
        pytest.raises(OSError),
    ):
        report_generate(kind="monthly", period_label="2026-11")
    with pytest.raises(ConflictError, match="this one is failed"):
        report_sign_off(report=Report.objects.get(), actor=governance_admin)


def test_a_revision_taken_at_the_same_moment_moves_to_the_next_number(db):
    """Two requests reading the same latest revision: the loser retries with the next number."""
    first = report_request(kind="monthly", period_label="2026-11")
    Report.objects.filter(pk=first.pk).update(status=ReportStatus.DRAFT)  # built meanwhile
    stale_then_fresh = [{"top": None}, {"top": 1}]
    with mock.patch.object(QuerySet, "aggregate", side_effect=stale_then_fresh):
        second = report_request(kind="monthly", period_label="2026-11")
    assert second.revision == 2
    assert list(Report.objects.order_by("revision").values_list("revision", flat=True)) == [1, 2]


def test_a_failure_after_the_file_is_written_leaves_no_file_behind(portfolio, media):
    with (
        mock.patch(
            "reporting.services.record_audit_event", side_effect=[None, OSError("disk"), None]
        ),
        pytest.raises(OSError, match="disk"),
    ):
        report_generate(kind="monthly", period_label="2026-11")
    assert not list((media / "reports").glob("*.pdf"))
    assert Report.objects.get().status == ReportStatus.FAILED
