"""/api/v1/reports/: every role reads, admins and executives generate, admins sign off."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.utils import timezone

from reporting.models import Report, ReportKind, ReportSource, ReportStatus
from reporting.services import report_generate
from tests.reporting.support import build_portfolio
from tests.roles import api_client

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(datetime.datetime(2026, 11, 20, 12, 0))
LIST_URL = "/api/v1/reports/"
# Session, user, roles, count, page of reports joined to their people.
LIST_QUERY_BUDGET = 5


@pytest.fixture
def portfolio():
    with time_machine.travel(NOW, tick=False):
        yield build_portfolio(4, now=NOW)


def queued(
    kind: str = ReportKind.MONTHLY,
    label: str = "2026-10",
    revision: int = 1,
    status: str = ReportStatus.QUEUED,
) -> Report:
    start = datetime.date(2026, 10, 1) if kind == ReportKind.MONTHLY else datetime.date(2026, 7, 1)
    return Report.objects.create(
        kind=kind,
        period_start=start,
        period_end=start + datetime.timedelta(days=30),
        period_label=label,
        revision=revision,
        status=status,
    )


@pytest.mark.parametrize(
    "role, can_read, can_generate, can_sign_off",
    [
        ("executive", True, True, False),
        ("governance_admin", True, True, True),
        ("owner", True, False, False),
        ("council_member", True, False, False),
        ("auditor", True, False, False),
        ("no_role", False, False, False),
    ],
)
def test_permissions_per_role(portfolio, users_by_role, role, can_read, can_generate, can_sign_off):
    client = api_client(users_by_role[role])
    draft = report_generate(kind="monthly", period_label="2026-10")

    assert client.get(LIST_URL).status_code == (200 if can_read else 403)
    assert client.get(f"{LIST_URL}{draft.pk}/pdf/").status_code == (200 if can_read else 403)
    assert client.get(f"{LIST_URL}{draft.pk}/snapshot/").status_code == (200 if can_read else 403)
    created = client.post(LIST_URL, {"kind": "quarterly", "period": "2026-Q3"}, format="json")
    assert created.status_code == (202 if can_generate else 403)
    assert Report.objects.filter(kind="quarterly").exists() == can_generate
    signed = client.post(f"{LIST_URL}{draft.pk}/sign-off/")
    assert signed.status_code == (200 if can_sign_off else 403)
    draft.refresh_from_db()
    assert (draft.status == ReportStatus.SIGNED_OFF) == can_sign_off


def test_anonymous_is_refused():
    assert api_client(None).get(LIST_URL).status_code in (401, 403)


def test_post_queues_a_revision_that_a_worker_builds_once_it_is_committed(
    portfolio, executive, django_capture_on_commit_callbacks
):
    client = api_client(executive)
    with django_capture_on_commit_callbacks(execute=True) as dispatched:
        answer = client.post(LIST_URL, {"kind": "monthly", "period": "2026-10"}, format="json")
        assert answer.status_code == 202
        assert answer.json()["status"] == "queued"
        assert answer.json()["pdf_url"] is None
    assert len(dispatched) == 1  # the task is sent only once the queued row is committed
    first = client.get(f"{LIST_URL}{answer.json()['id']}/").json()
    with django_capture_on_commit_callbacks(execute=True):
        second = client.post(LIST_URL, {"kind": "monthly", "period": "2026-10"}, format="json")

    assert (first["revision"], second.json()["revision"]) == (1, 2)
    assert first["status"] == "draft"
    assert first["source"] == ReportSource.API
    assert first["requested_by"]["username"] == executive.username
    assert first["snapshot_generated_at"]
    pdf = client.get(first["pdf_url"])
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF-")
    assert 'filename="monthly-2026-10-rev1.pdf"' in pdf["Content-Disposition"]
    snapshot = client.get(f"{LIST_URL}{first['id']}/snapshot/").json()
    assert snapshot["kind"] == "monthly"
    assert snapshot["period_start"] == "2026-10-01"


@pytest.mark.parametrize(
    "payload, field, fragment",
    [
        ({"kind": "monthly", "period": "October"}, "period", "YYYY-MM"),
        ({"kind": "quarterly", "period": "2026-10"}, "period", "2026-Q3"),
        ({"kind": "weekly", "period": "2026-10"}, "kind", "not a valid choice"),
        ({"kind": "monthly"}, "period", "required"),
        ({"kind": "monthly", "period": "2026-10", "pages": 3}, "pages", "Unknown"),
    ],
)
def test_bad_requests_name_the_field_and_create_nothing(governance_admin, payload, field, fragment):
    response = api_client(governance_admin).post(LIST_URL, payload, format="json")
    assert response.status_code == 400
    assert fragment in " ".join(response.json()[field])
    assert not Report.objects.exists()


def test_signing_off_twice_is_refused_and_changes_nothing(portfolio, governance_admin):
    client = api_client(governance_admin)
    draft = report_generate(kind="monthly", period_label="2026-10")
    assert client.post(f"{LIST_URL}{draft.pk}/sign-off/").json()["status"] == "signed_off"
    again = client.post(f"{LIST_URL}{draft.pk}/sign-off/")
    assert again.status_code == 409
    assert "Only a draft can be signed off; this one is signed off" in again.json()["detail"]
    assert again.json()["current"]["status"] == "Signed off"


def test_a_pdf_missing_from_storage_is_a_404_not_a_server_error(portfolio, executive, media):
    report = report_generate(kind="monthly", period_label="2026-10")
    (media / report.pdf.name).unlink()
    response = api_client(executive).get(f"{LIST_URL}{report.pk}/pdf/")
    assert response.status_code == 404
    assert "missing from storage" in response.json()["detail"]


def test_pdf_and_snapshot_of_a_queued_report_are_404(executive):
    report = queued()
    client = api_client(executive)
    assert client.get(f"{LIST_URL}{report.pk}/pdf/").status_code == 404
    assert client.get(f"{LIST_URL}{report.pk}/snapshot/").status_code == 404
    assert client.get(f"{LIST_URL}{report.pk}/").json()["pdf_url"] is None


def test_list_filters_by_kind_status_and_period(executive):
    queued(label="2026-09")
    queued(label="2026-10", status=ReportStatus.FAILED)  # one revision of a period in progress
    queued(label="2026-10", revision=2)
    queued(kind=ReportKind.QUARTERLY, label="2026-Q3")
    client = api_client(executive)

    def labels(**params) -> list[tuple[str, int]]:
        rows = client.get(LIST_URL, params).json()["results"]
        return [(row["period_label"], row["revision"]) for row in rows]

    assert labels(kind="quarterly") == [("2026-Q3", 1)]
    assert labels(period="2026-10") == [("2026-10", 2), ("2026-10", 1)]
    assert len(labels(period="2026")) == 4
    assert labels(status="draft") == []
    bad = client.get(LIST_URL, {"status": "lost"})
    assert bad.status_code == 400
    assert "status" in bad.json()


@pytest.mark.parametrize("size", [3, 60])
def test_list_query_count_is_constant(executive, django_assert_max_num_queries, size):
    for n in range(size):
        queued(label=f"{2020 + n // 12}-{n % 12 + 1:02d}")
    client = api_client(executive)
    with django_assert_max_num_queries(LIST_QUERY_BUDGET):
        response = client.get(LIST_URL)
    assert response.json()["count"] == size
