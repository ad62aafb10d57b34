"""A signed-off report goes to the distribution list once, with its PDF; a draft never does."""

from __future__ import annotations

import datetime
import os
import socket
import subprocess
import sys

import pytest
import time_machine
from celery.exceptions import Retry
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent
from core.roles import Role
from reporting.models import Report, ReportStatus
from reporting.notifications import report_distribution_list
from reporting.services import report_generate, report_mark_emailed, report_sign_off
from reporting.tasks import email_signed_off_report
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(datetime.datetime(2026, 11, 20, 12, 0))
BOARD = ["board@example.com", "cfo@example.com"]


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def distribution_list(settings):
    settings.REPORT_DISTRIBUTION_LIST = list(BOARD)
    return BOARD


@pytest.fixture
def gina(db):
    return UserFactory(
        username="gina", first_name="Gina", last_name="Admin", roles=[Role.GOVERNANCE_ADMIN]
    )


@pytest.fixture
def draft(db):
    return report_generate(kind="monthly", period_label="2026-10")


def sign_off(report, actor, capture):
    # The email is queued on commit; the test's transaction never commits, so run the callbacks.
    with capture(execute=True):
        return report_sign_off(report=report, actor=actor)


def emailed_events(report: Report) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="report.emailed", object_id=str(report.pk)))


def test_signing_off_emails_the_pdf_to_the_distribution_list(
    draft, gina, distribution_list, mailoutbox, django_capture_on_commit_callbacks
):
    sign_off(draft, gina, django_capture_on_commit_callbacks)

    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.subject == "Monthly executive review 2026-10 (signed off)"
    assert email.to == BOARD
    assert email.from_email == django_settings.DEFAULT_FROM_EMAIL
    assert "signed off by Gina Admin on 20 November 2026 at 12:00" in email.body
    report_url = reverse("reporting:report_detail", args=[draft.pk])
    assert f"{django_settings.SITE_URL}{report_url}" in email.body
    [(name, content, mimetype)] = email.attachments
    draft.refresh_from_db()
    with draft.pdf.open("rb") as pdf:
        assert content == pdf.read()
    assert (name, content[:5], mimetype) == (
        "monthly-2026-10-rev1.pdf",
        b"%PDF-",
        "application/pdf",
    )


def test_the_report_records_when_and_to_whom_and_nothing_else_changes(
    draft, gina, distribution_list, django_capture_on_commit_callbacks
):
    signed = sign_off(draft, gina, django_capture_on_commit_callbacks)
    report = Report.objects.get(pk=draft.pk)
    assert report.emailed_at == NOW
    assert report.emailed_to == "board@example.com\ncfo@example.com"
    assert (report.status, report.signed_off_by, report.signed_off_at) == (
        ReportStatus.SIGNED_OFF,
        gina,
        signed.signed_off_at,
    )
    assert (report.snapshot, report.pdf.name, report.revision, report.error) == (
        draft.snapshot,
        draft.pdf.name,
        1,
        "",
    )
    [event] = emailed_events(report)
    assert event.actor is None
    assert event.changes["emailed_to"] == [None, BOARD]
    assert datetime.datetime.fromisoformat(event.changes["emailed_at"][1]) == NOW
    assert "board@example.com, cfo@example.com" in event.reason


def test_a_signed_off_report_is_never_emailed_twice(
    draft, gina, distribution_list, mailoutbox, django_capture_on_commit_callbacks
):
    sign_off(draft, gina, django_capture_on_commit_callbacks)
    assert email_signed_off_report.delay(draft.pk).get() == []
    assert email_signed_off_report.delay(draft.pk).get() == []
    assert len(mailoutbox) == 1
    assert len(emailed_events(draft)) == 1
    with pytest.raises(ValidationError) as caught:
        report_mark_emailed(report=draft, recipients=["someone@example.com"])
    assert "emailed_at" in caught.value.message_dict
    draft.refresh_from_db()
    assert draft.emailed_to == "board@example.com\ncfo@example.com"


def test_a_draft_is_never_emailed(draft, distribution_list, mailoutbox):
    with pytest.raises(ValidationError) as caught:
        email_signed_off_report.delay(draft.pk)
    assert "Only a signed-off report is emailed; this one is draft." in caught.value.messages
    with pytest.raises(ValidationError) as caught:
        report_mark_emailed(report=draft, recipients=BOARD)
    assert "emailed_at" in caught.value.message_dict
    draft.refresh_from_db()
    assert (draft.emailed_at, draft.emailed_to) == (None, "")
    assert mailoutbox == []
    assert emailed_events(draft) == []


def test_without_a_distribution_list_nothing_is_sent_or_recorded(
    draft, gina, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.REPORT_DISTRIBUTION_LIST = []
    assert report_distribution_list() == []  # the report page says "no distribution list"
    sign_off(draft, gina, django_capture_on_commit_callbacks)
    draft.refresh_from_db()
    assert draft.status == ReportStatus.SIGNED_OFF
    assert (draft.emailed_at, draft.emailed_to) == (None, "")
    assert mailoutbox == []
    assert emailed_events(draft) == []


def test_a_sign_off_that_rolls_back_sends_nothing(
    draft, gina, distribution_list, mailoutbox, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        report_sign_off(report=draft, actor=gina)
        raise RuntimeError("something after the sign-off failed")
    draft.refresh_from_db()
    assert draft.status == ReportStatus.DRAFT
    assert mailoutbox == []


def test_each_address_gets_the_email_once(
    draft, gina, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.REPORT_DISTRIBUTION_LIST = [
        "board@example.com",
        "cfo@example.com",
        "board@example.com",
    ]
    sign_off(draft, gina, django_capture_on_commit_callbacks)
    assert [email.to for email in mailoutbox] == [BOARD]


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_mail_server_failure_retries_with_backoff_and_records_nothing(
    draft, gina, distribution_list, settings, mailoutbox
):
    report_sign_off(report=draft, actor=gina)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", _closed_port()

    # Eagerly (with propagation) a failing attempt raises Retry carrying the retry's signature.
    with pytest.raises(Retry) as caught:
        email_signed_off_report.delay(draft.pk)
    assert caught.value.when == 30  # first backoff step
    draft.refresh_from_db()
    assert (draft.emailed_at, draft.emailed_to) == (None, "")
    assert emailed_events(draft) == []

    # The mail server is back: the retry sends it and records it.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    caught.value.sig.apply()
    draft.refresh_from_db()
    assert draft.emailed_to == "board@example.com\ncfo@example.com"
    assert len(mailoutbox) == 1


def test_without_a_broker_a_mail_server_failure_leaves_the_sign_off_in_place(
    draft, gina, distribution_list, settings, django_capture_on_commit_callbacks, caplog
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", _closed_port()
    sign_off(draft, gina, django_capture_on_commit_callbacks)
    draft.refresh_from_db()
    assert (draft.status, draft.signed_off_by) == (ReportStatus.SIGNED_OFF, gina)
    assert (draft.emailed_at, draft.emailed_to) == (None, "")
    assert f"Report {draft.pk}: the signed-off email could not be sent" in caplog.text


def _settings_in_a_fresh_process(distribution_list: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "REPORT_DISTRIBUTION_LIST": distribution_list,
    }
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "from django.conf import settings; print(settings.REPORT_DISTRIBUTION_LIST)",
        ],
        cwd=django_settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_distribution_list_is_read_from_the_environment():
    result = _settings_in_a_fresh_process(" board@example.com, cfo@example.com ,")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['board@example.com', 'cfo@example.com']"


def test_a_bad_address_in_the_distribution_list_stops_the_start_naming_it():
    result = _settings_in_a_fresh_process("board@example.com, the board")
    assert result.returncode != 0
    assert "REPORT_DISTRIBUTION_LIST: 'the board' is not an email address." in result.stderr
