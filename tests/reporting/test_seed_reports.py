"""The demo archive: last month's review (draft) and last quarter's summary (signed off)."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone

from core.roles import Role
from reporting.models import Report, ReportSource, ReportStatus
from tests.factories import UserFactory
from tests.reporting.support import build_portfolio

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(datetime.datetime(2026, 11, 25, 9, 0))


def test_seed_reports_fills_the_archive_once():
    with time_machine.travel(NOW, tick=False):
        build_portfolio(5, now=NOW)
        UserFactory(username="gina", roles=[Role.GOVERNANCE_ADMIN])
        call_command("seed_reports", "--quiet")
        call_command("seed_reports", "--quiet")  # idempotent

    reports = {(r.kind, r.period_label): r for r in Report.objects.all()}
    assert set(reports) == {("monthly", "2026-10"), ("quarterly", "2026-Q3")}
    monthly, quarterly = reports["monthly", "2026-10"], reports["quarterly", "2026-Q3"]
    assert monthly.status == ReportStatus.DRAFT
    assert quarterly.status == ReportStatus.SIGNED_OFF
    assert quarterly.signed_off_by.username == "gina"
    assert {r.source for r in reports.values()} == {ReportSource.SCHEDULE}
    assert all(r.pdf for r in reports.values())
    assert monthly.snapshot["previous_report"] is None  # nothing made-up to compare with


def test_seed_reports_needs_the_demo_people():
    with pytest.raises(CommandError, match='No user "gina"'):
        call_command("seed_reports", "--quiet")
    assert not Report.objects.exists()


def test_without_working_pdfs_the_demo_still_starts_and_the_archive_shows_why(capsys):
    with time_machine.travel(NOW, tick=False):
        build_portfolio(3, now=NOW)
        UserFactory(username="gina", roles=[Role.GOVERNANCE_ADMIN])
        # As on a machine without Pango, where WeasyPrint cannot load.
        with mock.patch(
            "reporting.services.render_report_pdf", side_effect=OSError("cannot load pango")
        ):
            call_command("seed_reports", "--quiet")

    assert "could not be generated (cannot load pango)" in capsys.readouterr().err
    assert set(Report.objects.values_list("status", "error")) == {
        (ReportStatus.FAILED, "OSError: cannot load pango")
    }
    assert Report.objects.count() == 2
