"""The admin shows reports but never changes them: changes go through the audited services."""

from __future__ import annotations

import datetime

import pytest

from reporting.models import Report, ReportKind, ReportStatus
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_admin_lists_and_shows_reports_read_only(client):
    report = Report.objects.create(
        kind=ReportKind.MONTHLY,
        period_start=datetime.date(2026, 10, 1),
        period_end=datetime.date(2026, 10, 31),
        period_label="2026-10",
        revision=1,
        status=ReportStatus.SIGNED_OFF,
    )
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))

    changelist = client.get("/admin/reporting/report/")
    assert changelist.status_code == 200
    assert b"Monthly executive review 2026-10 rev 1" in changelist.content
    change = client.get(f"/admin/reporting/report/{report.pk}/change/")
    assert change.status_code == 200
    assert b'name="_save"' not in change.content
    assert client.get("/admin/reporting/report/add/").status_code == 403
    assert client.post(f"/admin/reporting/report/{report.pk}/change/", {}).status_code == 403
    deleted = client.post(f"/admin/reporting/report/{report.pk}/delete/", {"post": "yes"})
    assert deleted.status_code == 403
    report.refresh_from_db()
    assert report.status == ReportStatus.SIGNED_OFF
