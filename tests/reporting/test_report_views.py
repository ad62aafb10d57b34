"""The report pages: the archive, one report with its live status, the PDF and snapshot
downloads, generating from the browser and signing off, for every role."""

from __future__ import annotations

import datetime
import json

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent
from reporting.models import Report, ReportSource, ReportStatus
from reporting.schedule import due_period
from reporting.services import report_generate, report_sign_off
from tests.factories import UserFactory
from tests.roles import READERS, ROLES, expected_status, signed_in

pytestmark = pytest.mark.django_db

GENERATORS = frozenset({"executive", "governance_admin"})
SIGNERS = frozenset({"governance_admin"})
PDF_BYTES = b"%PDF-1.7\n% a stored report\n" + bytes(range(256)) * 4 + b"\n%%EOF\n"
SNAPSHOT = {
    "kind": "monthly",
    "period_start": "2026-10-01",
    "period_end": "2026-10-31",
    "generated_at": "2026-11-02T07:00:05+01:00",
    "portfolio_summary": {"active": 12},
}
NOW = timezone.make_aware(datetime.datetime(2026, 11, 20, 12, 0))

# Session, user, roles; the number of reports; the page of them with who requested and who
# signed off joined in.
LIST_BUDGET = 5
# Session, user, roles; the report with its requester and signer; its audit checkpoints.
DETAIL_BUDGET = 5


@pytest.fixture
def frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield NOW


def make_report(
    *,
    kind: str = "monthly",
    period_label: str = "2026-10",
    status: str = ReportStatus.DRAFT,
    requested_by=None,
    source: str = ReportSource.BROWSER,
    pdf: bytes | None = PDF_BYTES,
    **fields,
) -> Report:
    """A report row as the services leave it in `status`, without running WeasyPrint."""
    revision = Report.objects.filter(kind=kind, period_label=period_label).count() + 1
    start, end = (
        (datetime.date(2026, 10, 1), datetime.date(2026, 10, 31))
        if kind == "monthly"
        else (datetime.date(2026, 7, 1), datetime.date(2026, 9, 30))
    )
    finished = status not in (ReportStatus.QUEUED, ReportStatus.RUNNING)
    report = Report.objects.create(
        kind=kind,
        period_label=period_label,
        period_start=start,
        period_end=end,
        revision=revision,
        status=status,
        requested_by=requested_by,
        source=source,
        snapshot=SNAPSHOT if status in (ReportStatus.DRAFT, ReportStatus.SIGNED_OFF) else {},
        finished_at=timezone.now() if finished else None,
        **fields,
    )
    if pdf is not None and status in (ReportStatus.DRAFT, ReportStatus.SIGNED_OFF):
        report.pdf.save(f"{kind}-{period_label}-rev{revision}.pdf", ContentFile(pdf))
    return report


def test_the_urls_are_named():
    assert reverse("reporting:report_list") == "/reports/"
    assert reverse("reporting:report_generate") == "/reports/generate/"
    assert reverse("reporting:report_detail", args=[7]) == "/reports/7/"
    assert reverse("reporting:report_status", args=[7]) == "/reports/7/status/"
    assert reverse("reporting:report_pdf", args=[7]) == "/reports/7/pdf"
    assert reverse("reporting:report_snapshot", args=[7]) == "/reports/7/snapshot.json"
    assert reverse("reporting:report_sign_off", args=[7]) == "/reports/7/sign-off/"


# ---------------------------------------------------------------------------------------------
# Who may do what
# ---------------------------------------------------------------------------------------------


def _expected(role: str, allowed: frozenset[str], success: int) -> int:
    return expected_status(role, allowed, success, api=False)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "page", ["report_detail", "report_status", "report_pdf", "report_snapshot"]
)
def test_every_gatehouse_role_reads_a_report_and_no_role_is_refused(
    client, users_by_role, role, page
):
    report = make_report()
    response = signed_in(client, users_by_role.get(role)).get(
        reverse(f"reporting:{page}", args=[report.pk])
    )
    assert response.status_code == _expected(role, READERS, 200)
    if role == "anonymous":
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", ROLES)
def test_every_gatehouse_role_reads_the_archive_and_no_role_is_refused(client, users_by_role, role):
    make_report()
    response = signed_in(client, users_by_role.get(role)).get(reverse("reporting:report_list"))
    assert response.status_code == _expected(role, READERS, 200)
    if response.status_code == 200:
        assert "Monthly executive review" in response.content.decode()
        generate_form = 'action="/reports/generate/"' in response.content.decode()
        assert generate_form == (role in GENERATORS)


@pytest.mark.parametrize("role", ROLES)
def test_only_admins_and_executives_open_the_generate_page(client, users_by_role, role):
    response = signed_in(client, users_by_role.get(role)).get(reverse("reporting:report_generate"))
    assert response.status_code == _expected(role, GENERATORS, 200)


@pytest.mark.parametrize("role", ROLES)
def test_only_admins_and_executives_generate(
    client, users_by_role, role, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        response = signed_in(client, users_by_role.get(role)).post(
            reverse("reporting:report_generate"),
            {"report-kind": "monthly", "report-period": "2026-10"},
        )
    assert response.status_code == _expected(role, GENERATORS, 302)
    assert Report.objects.count() == (1 if role in GENERATORS else 0)
    assert len(callbacks) == (1 if role in GENERATORS else 0)


@pytest.mark.parametrize("role", ROLES)
def test_only_a_governance_admin_signs_off(client, users_by_role, role):
    report = make_report()
    response = signed_in(client, users_by_role.get(role)).post(
        reverse("reporting:report_sign_off", args=[report.pk])
    )
    assert response.status_code == _expected(role, SIGNERS, 302)
    report.refresh_from_db()
    expected = ReportStatus.SIGNED_OFF if role in SIGNERS else ReportStatus.DRAFT
    assert report.status == expected


def test_sign_off_by_get_is_not_allowed(client, governance_admin):
    report = make_report()
    client.force_login(governance_admin)
    response = client.get(reverse("reporting:report_sign_off", args=[report.pk]))
    assert response.status_code == 405
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT


def test_an_unknown_report_is_a_404(client, executive):
    client.force_login(executive)
    for page in ("report_detail", "report_status", "report_pdf", "report_snapshot"):
        assert client.get(reverse(f"reporting:{page}", args=[999])).status_code == 404


# ---------------------------------------------------------------------------------------------
# Generate
# ---------------------------------------------------------------------------------------------


def test_generate_queues_a_revision_then_the_task_builds_it_after_the_commit(
    client, executive, django_capture_on_commit_callbacks
):
    client.force_login(executive)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            reverse("reporting:report_generate"),
            {"report-kind": "monthly", "report-period": "2026-10"},
        )
    report = Report.objects.get()
    assert response["Location"] == reverse("reporting:report_detail", args=[report.pk])
    assert (report.status, report.source, report.requested_by) == (
        ReportStatus.QUEUED,
        ReportSource.BROWSER,
        executive,
    )
    # Before the task runs, the page says it is queued and polls.
    page = client.get(response["Location"]).content.decode()
    assert "Queued since" in page
    assert 'hx-trigger="every 1s"' in page

    # The dispatch runs the real task (eagerly here): the same revision becomes a draft.
    assert len(callbacks) == 1
    callbacks[0]()
    report.refresh_from_db()
    assert (report.status, report.revision, Report.objects.count()) == (ReportStatus.DRAFT, 1, 1)
    with report.pdf.open("rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    page = client.get(response["Location"]).content.decode()
    assert "Ready." in page
    assert 'hx-trigger="every 1s"' not in page
    assert reverse("reporting:report_pdf", args=[report.pk]) in page


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"report-kind": "monthly", "report-period": "2026-13"}, "period", "YYYY-MM"),
        ({"report-kind": "monthly", "report-period": "October"}, "period", "YYYY-MM"),
        ({"report-kind": "quarterly", "report-period": "2026-10"}, "period", "YYYY-QN"),
        ({"report-kind": "weekly", "report-period": "2026-10"}, "kind", "weekly"),
        ({"report-period": "2026-10"}, "kind", "required"),
    ],
)
def test_a_bad_request_re_renders_with_the_field_error_and_creates_nothing(
    client, executive, data, field, message, django_capture_on_commit_callbacks
):
    client.force_login(executive)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(reverse("reporting:report_generate"), data)
    assert response.status_code == 200
    form = response.context["generate_form"]
    assert field in form.errors
    assert message in " ".join(form.errors[field])
    page = response.content.decode()
    assert "The report was not generated" in page
    assert f'href="#id_report-{field}"' in page
    assert not Report.objects.exists()
    assert not callbacks
    assert not AuditEvent.objects.filter(action="report.requested").exists()


@pytest.mark.parametrize(("kind", "expected"), [("monthly", "2026-10"), ("quarterly", "2026-Q3")])
def test_an_empty_period_means_the_one_that_just_ended(
    client, executive, frozen_now, kind, expected, django_capture_on_commit_callbacks
):
    client.force_login(executive)
    with django_capture_on_commit_callbacks():
        client.post(reverse("reporting:report_generate"), {"report-kind": kind})
    assert Report.objects.get().period_label == expected


@pytest.mark.parametrize(
    ("today", "monthly", "quarterly"),
    [
        (datetime.date(2026, 11, 20), "2026-10", "2026-Q3"),
        (datetime.date(2026, 1, 1), "2025-12", "2025-Q4"),
        (datetime.date(2026, 3, 31), "2026-02", "2025-Q4"),
        (datetime.date(2026, 4, 1), "2026-03", "2026-Q1"),
        (datetime.date(2026, 12, 31), "2026-11", "2026-Q3"),
    ],
)
def test_the_default_period_is_the_previous_month_or_quarter(today, monthly, quarterly):
    assert due_period("monthly", today) == monthly
    assert due_period("quarterly", today) == quarterly


def test_the_generate_form_offers_the_previous_month(client, executive, frozen_now):
    client.force_login(executive)
    page = client.get(reverse("reporting:report_generate")).content.decode()
    assert 'name="report-period" value="2026-10"' in page
    assert '<option value="monthly" selected>' in page


# ---------------------------------------------------------------------------------------------
# One report: status, progress, downloads
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [ReportStatus.QUEUED, ReportStatus.RUNNING])
def test_the_status_of_a_report_in_progress_polls_itself(client, executive, status):
    report = make_report(status=status)
    client.force_login(executive)
    response = client.get(reverse("reporting:report_status", args=[report.pk]))
    fragment = response.content.decode()
    assert "<html" not in fragment
    assert 'hx-trigger="every 1s"' in fragment
    status_url = reverse("reporting:report_status", args=[report.pk])
    assert f'hx-get="{status_url}?shown={status}"' in fragment
    assert "This page updates by itself" in fragment
    assert reverse("reporting:report_pdf", args=[report.pk]) not in fragment
    # Polled while nothing changed: no content, so htmx swaps nothing.
    unchanged = client.get(status_url, {"shown": status})
    assert (unchanged.status_code, unchanged.content) == (204, b"")


def test_the_poll_gets_the_new_status_once_it_changed(client, executive):
    report = make_report()
    client.force_login(executive)
    status_url = reverse("reporting:report_status", args=[report.pk])
    response = client.get(status_url, {"shown": "running"})
    assert response.status_code == 200
    assert 'data-status="draft"' in response.content.decode()
    assert "hx-trigger" not in response.content.decode()


@pytest.mark.parametrize(
    "status", [ReportStatus.DRAFT, ReportStatus.FAILED, ReportStatus.SIGNED_OFF]
)
def test_the_status_of_a_finished_report_stops_polling(client, executive, status):
    report = make_report(status=status, error="OSError: no fonts" if status == "failed" else "")
    client.force_login(executive)
    fragment = client.get(reverse("reporting:report_status", args=[report.pk])).content.decode()
    assert "hx-trigger" not in fragment
    assert 'data-testid="report-status"' in fragment


def test_a_draft_offers_the_pdf_and_the_snapshot_it_was_made_from(client, executive):
    report = make_report(requested_by=executive)
    client.force_login(executive)
    page = client.get(reverse("reporting:report_detail", args=[report.pk])).content.decode()
    assert "Ready." in page
    assert reverse("reporting:report_pdf", args=[report.pk]) in page
    assert reverse("reporting:report_snapshot", args=[report.pk]) in page
    # The snapshot's own timestamp (07:00:05 in Brussels), not the row's.
    assert "2 Nov 2026 07:00:05" in page
    assert "1 Oct 2026 – 31 Oct 2026" in page
    assert "A governance admin signs off drafts." in page
    assert "Sign off this draft" not in page


def test_a_failed_report_shows_its_error_and_the_retry_with_backoff(client, executive):
    report = make_report(status=ReportStatus.FAILED, error="OSError: no fonts")
    client.force_login(executive)
    page = client.get(reverse("reporting:report_detail", args=[report.pk])).content.decode()
    assert "Generation failed" in page
    assert "OSError: no fonts" in page
    assert "retried automatically, up to 3 times" in page
    assert "30 s, 60 s, 120 s" in page
    assert reverse("reporting:report_pdf", args=[report.pk]) not in page


def test_a_command_line_failure_says_it_is_not_retried(client, executive):
    report = make_report(
        status=ReportStatus.FAILED, error="OSError: no fonts", source=ReportSource.COMMAND
    )
    client.force_login(executive)
    page = client.get(reverse("reporting:report_detail", args=[report.pk])).content.decode()
    assert "does not retry" in page
    assert "retried automatically" not in page


def test_the_pdf_download_streams_the_stored_bytes(client, auditor):
    make_report()
    report = make_report()  # revision 2
    client.force_login(auditor)
    response = client.get(reverse("reporting:report_pdf", args=[report.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="monthly-2026-10-rev2.pdf"'
    assert "no-store" in response["Cache-Control"]


def test_no_pdf_is_a_404(client, executive, media):
    queued = make_report(status=ReportStatus.QUEUED)
    lost = make_report()
    (media / lost.pdf.name).unlink()
    client.force_login(executive)
    assert client.get(reverse("reporting:report_pdf", args=[queued.pk])).status_code == 404
    assert client.get(reverse("reporting:report_pdf", args=[lost.pk])).status_code == 404


def test_report_pdfs_are_not_served_from_media(client, executive):
    report = make_report()
    client.force_login(executive)
    assert client.get(f"/media/{report.pdf.name}").status_code == 404
    client.logout()
    assert client.get(f"/media/{report.pdf.name}").status_code == 404


def test_the_snapshot_downloads_as_json(client, council_member):
    report = make_report(kind="quarterly", period_label="2026-Q3")
    client.force_login(council_member)
    response = client.get(reverse("reporting:report_snapshot", args=[report.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="quarterly-2026-Q3-rev1-snapshot.json"'
    )
    assert json.loads(response.content) == SNAPSHOT


def test_a_report_without_a_snapshot_has_no_json(client, executive):
    report = make_report(status=ReportStatus.RUNNING)
    client.force_login(executive)
    assert client.get(reverse("reporting:report_snapshot", args=[report.pk])).status_code == 404


def test_the_report_page_lists_the_audit_checkpoints_of_generation_and_sign_off(
    client, governance_admin
):
    report = report_generate(kind="monthly", period_label="2026-10", actor=governance_admin)
    report_sign_off(report=report, actor=governance_admin)
    client.force_login(governance_admin)
    html = client.get(reverse("reporting:report_detail", args=[report.pk])).content.decode()
    printed = report.snapshot["audit_checkpoint"]
    assert printed["events"] == 1  # the request's event; the sign-off's came later
    assert (
        f"Monthly executive review 2026-10 rev 1 generated: {printed['events']} event, "
        f'head hash <code title="{printed["hash"]}">{printed["hash"][:12]}</code>'
    ) in html
    signed_off = AuditEvent.objects.get(action="report.signed_off", object_id=str(report.pk))
    assert (
        f"Monthly executive review 2026-10 rev 1 signed off: {signed_off.sequence} events, "
        f'head hash <code title="{signed_off.hash}">'
    ) in html


@pytest.mark.parametrize("page", ["report_detail", "report_status"])
@pytest.mark.parametrize("status", [ReportStatus.RUNNING, ReportStatus.SIGNED_OFF])
def test_a_report_page_runs_a_constant_number_of_queries(
    client, governance_admin, django_assert_max_num_queries, page, status
):
    report = make_report(status=status, requested_by=governance_admin)
    if status == ReportStatus.SIGNED_OFF:
        Report.objects.filter(pk=report.pk).update(
            signed_off_by=governance_admin, signed_off_at=timezone.now()
        )
    client.force_login(governance_admin)
    with django_assert_max_num_queries(DETAIL_BUDGET):
        response = client.get(reverse(f"reporting:{page}", args=[report.pk]))
    assert response.status_code == 200


# ---------------------------------------------------------------------------------------------
# Sign-off
# ---------------------------------------------------------------------------------------------


def test_signing_off_a_draft_makes_it_final(client, governance_admin):
    report = make_report()
    client.force_login(governance_admin)
    page = client.get(reverse("reporting:report_detail", args=[report.pk])).content.decode()
    assert "Sign off this draft" in page
    response = client.post(reverse("reporting:report_sign_off", args=[report.pk]), follow=True)
    page = response.content.decode()
    assert "is signed off. It can never change again." in page
    assert "This revision is final and can never change" in page
    assert "Sign off this draft" not in page
    assert "no distribution list is configured" in page
    report.refresh_from_db()
    assert (report.status, report.signed_off_by) == (ReportStatus.SIGNED_OFF, governance_admin)


@pytest.mark.parametrize(
    "status", [ReportStatus.QUEUED, ReportStatus.FAILED, ReportStatus.SIGNED_OFF]
)
def test_signing_off_anything_but_a_draft_shows_the_error(client, governance_admin, status):
    report = make_report(status=status)
    client.force_login(governance_admin)
    response = client.post(reverse("reporting:report_sign_off", args=[report.pk]))
    assert response.status_code == 409
    page = response.content.decode()
    assert "Not signed off" in page
    assert "Only a draft can be signed off" in page
    assert not AuditEvent.objects.filter(action="report.signed_off").exists()
    report.refresh_from_db()
    assert report.status == status


def test_a_signed_off_report_says_when_and_to_whom_it_was_emailed(client, executive):
    signer = UserFactory(username="gina", first_name="Gina", last_name="Admin")
    report = make_report(
        status=ReportStatus.SIGNED_OFF,
        signed_off_by=signer,
        signed_off_at=timezone.now(),
        emailed_at=timezone.make_aware(datetime.datetime(2026, 11, 3, 9, 30)),
        emailed_to="board@example.com\ncfo@example.com",
    )
    client.force_login(executive)
    page = client.get(reverse("reporting:report_detail", args=[report.pk])).content.decode()
    assert "Signed off</strong> by Gina Admin" in page
    assert "Emailed on 3 Nov 2026 09:30 to 2 addresses: board@example.com, cfo@example.com" in (
        page
    )


def test_a_signed_off_report_not_yet_emailed_names_the_distribution_list(
    client, executive, settings
):
    settings.REPORT_DISTRIBUTION_LIST = ["board@example.com"]
    report = make_report(status=ReportStatus.SIGNED_OFF, signed_off_at=timezone.now())
    client.force_login(executive)
    page = client.get(reverse("reporting:report_detail", args=[report.pk])).content.decode()
    assert "Not emailed yet" in page
    assert "(1 address)" in page


# ---------------------------------------------------------------------------------------------
# The archive
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def archive(executive):
    return {
        "october": make_report(requested_by=executive),
        "october_2": make_report(status=ReportStatus.FAILED, error="boom"),
        "september": make_report(
            period_label="2026-09", status=ReportStatus.SIGNED_OFF, source=ReportSource.SCHEDULE
        ),
        "q3": make_report(kind="quarterly", period_label="2026-Q3", source=ReportSource.COMMAND),
        "last_year": make_report(period_label="2025-12", status=ReportStatus.QUEUED),
    }


def _listed(response) -> set[int]:
    return {report.pk for report in response.context["page"].object_list}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"october", "october_2", "september", "q3", "last_year"}),
        ({"kind": "quarterly"}, {"q3"}),
        ({"period": "2026-10"}, {"october", "october_2"}),
        ({"period": "2026"}, {"october", "october_2", "september", "q3"}),
        ({"period": "2026-q3"}, {"q3"}),
        ({"status": "draft"}, {"october", "q3"}),
        ({"kind": "monthly", "period": "2026", "status": "signed_off"}, {"september"}),
    ],
)
def test_the_archive_filters_by_kind_period_and_status(
    client, executive, archive, params, expected
):
    client.force_login(executive)
    response = client.get(reverse("reporting:report_list"), params)
    assert _listed(response) == {archive[name].pk for name in expected}


def test_the_archive_shows_who_generated_each_report(client, executive, archive):
    executive.first_name, executive.last_name = "Eva", "Executive"
    executive.save()
    client.force_login(executive)
    page = client.get(reverse("reporting:report_list")).content.decode()
    assert "Eva Executive" in page
    assert "<td>Schedule</td>" in page
    assert "<td>Command line</td>" in page
    assert "5 reports." in page


def test_a_bad_period_filter_is_named_and_ignored(client, executive, archive):
    client.force_login(executive)
    response = client.get(reverse("reporting:report_list"), {"period": "last month"})
    page = response.content.decode()
    assert "Some filters were not understood" in page
    assert "Enter a year (2026), a month (2026-10) or a quarter (2026-Q3)." in page
    assert len(_listed(response)) == 5


def test_htmx_gets_only_the_results(client, executive, archive):
    client.force_login(executive)
    response = client.get(
        reverse("reporting:report_list"),
        {"kind": "quarterly"},
        headers={"HX-Request": "true", "HX-Target": "report-results"},
    )
    page = response.content.decode()
    assert "<html" not in page
    assert page.strip().startswith('<section id="report-results"')
    assert "1 report matches these filters." in page


def test_the_empty_archive_says_where_reports_come_from(client, executive, auditor):
    client.force_login(executive)
    page = client.get(reverse("reporting:report_list")).content.decode()
    assert "No reports yet" in page
    assert "Generate the first one with the form above." in page
    client.force_login(auditor)
    page = client.get(reverse("reporting:report_list")).content.decode()
    assert "An executive or a governance admin can generate one." in page
    page = client.get(reverse("reporting:report_list"), {"kind": "quarterly"}).content.decode()
    assert "No report matches these filters" in page


def test_the_archive_paginates_and_keeps_the_filters(client, executive):
    for month in range(1, 13):
        # At most one revision of a period is in progress.
        for status in (ReportStatus.FAILED, ReportStatus.FAILED, ReportStatus.QUEUED):
            make_report(period_label=f"2026-{month:02d}", status=status)
    client.force_login(executive)
    response = client.get(reverse("reporting:report_list"), {"period": "2026", "page": 2})
    assert len(response.context["page"].object_list) == 11
    assert "Page 2 of 2" in response.content.decode()
    assert "period=2026&amp;page=1" in response.content.decode()


@pytest.mark.parametrize("size", [3, 40])
@pytest.mark.parametrize("params", [{}, {"kind": "monthly", "period": "2026", "status": "draft"}])
def test_the_archive_runs_a_constant_number_of_queries(
    client, governance_admin, django_assert_max_num_queries, size, params
):
    signer = UserFactory(username="signer")
    for n in range(size):
        make_report(
            period_label=f"2026-{n % 12 + 1:02d}",
            status=ReportStatus.SIGNED_OFF if n % 2 else ReportStatus.DRAFT,
            requested_by=governance_admin if n % 3 else None,
            signed_off_by=signer if n % 2 else None,
            pdf=None,
        )
    client.force_login(governance_admin)
    with django_assert_max_num_queries(LIST_BUDGET):
        response = client.get(reverse("reporting:report_list"), params)
    assert response.status_code == 200
    assert response.context["page"].object_list


# ---------------------------------------------------------------------------------------------
# Dashboard card and navigation
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", sorted(READERS))
def test_the_dashboard_offers_reports_to_admins_and_executives(
    client, users_by_role, role, frozen_now
):
    report = make_report()
    client.force_login(users_by_role[role])
    page = client.get(reverse("reporting:dashboard")).content.decode()
    assert ('id="card-reports"' in page) == (role in GENERATORS)
    if role in GENERATORS:
        assert 'name="report-period" value="2026-10"' in page
        assert reverse("reporting:report_detail", args=[report.pk]) in page
    # Every reader finds the archive in the navigation.
    assert f'href="{reverse("reporting:report_list")}"' in page
