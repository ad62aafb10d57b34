"""The email of a signed-off report to the distribution list (REPORT_DISTRIBUTION_LIST).

`report_sign_off` calls `notify_report_signed_off` inside its transaction; the email is queued
with `transaction.on_commit`, so nothing is sent for a sign-off that rolled back, and goes through
the `reporting.email_signed_off_report` task (eager when no broker is configured), which calls
`reporting.services.report_email`. Drafts are never emailed.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from core.people import display_name
from reporting.models import Report

logger = logging.getLogger(__name__)

PDF_MIMETYPE = "application/pdf"


def report_distribution_list() -> list[str]:
    """The configured addresses, without repeats; empty means signed-off reports are not emailed.

    The report pages use it to say "no distribution list configured".
    """
    return list(dict.fromkeys(settings.REPORT_DISTRIBUTION_LIST))


def notify_report_signed_off(report: Report) -> None:
    """Queue the email of a report just signed off, to go once the sign-off has committed."""
    # Imported here: the tasks module imports the services, which import this one.
    from reporting.tasks import email_signed_off_report

    report_id = report.pk

    def dispatch() -> None:
        try:
            email_signed_off_report.delay(report_id)
        except Exception:
            # Without a broker the task runs right here, after the sign-off committed: a mail
            # server failure is logged, and must not turn the signer's page into an error.
            logger.exception("Report %s: the signed-off email could not be sent", report_id)

    transaction.on_commit(dispatch)


def _report_url(report: Report) -> str:
    try:
        path = reverse("reporting:report_detail", args=[report.pk])
    except NoReverseMatch:  # the report pages are not wired
        path = reverse("reporting:dashboard")
    return settings.SITE_URL.rstrip("/") + path


def _signer_name(report: Report) -> str:
    # A deleted account: the report outlives its signer.
    return display_name(report.signed_off_by, empty="a governance admin")


def report_signed_off_email(report: Report, recipients: list[str]) -> EmailMessage:
    """One email to the whole list, with the signed-off PDF attached."""
    title = f"{report.get_kind_display()} {report.period_label}"
    signed_off_at = timezone.localtime(report.signed_off_at)
    body = (
        f"The {title} (revision {report.revision}) was signed off by {_signer_name(report)} "
        f"on {signed_off_at:%d %B %Y at %H:%M} ({signed_off_at.tzname()}).\n\n"
        f"The signed-off PDF is attached. The report in Gatehouse: {_report_url(report)}\n"
    )
    message = EmailMessage(
        subject=f"{title} (signed off)",
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=recipients,
    )
    with report.pdf.open("rb") as pdf:
        name = f"{report.kind}-{report.period_label}-rev{report.revision}.pdf"
        message.attach(name, pdf.read(), PDF_MIMETYPE)
    return message
