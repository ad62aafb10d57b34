"""Review-due reminders: the service behind the daily `portfolio.send_review_reminders` job."""

from __future__ import annotations

import logging
from datetime import date

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string

from core.audit import audit_value, record_audit_event
from core.mail import email_addresses
from portfolio.models import Initiative, Status

logger = logging.getLogger(__name__)

REVIEW_REMINDER_ACTION = "initiative.review_reminder_sent"


def _due_for_reminder(today: date) -> Q:
    """Active, review date reached, and not yet reminded for that review date.

    Used both to find candidates and as the claim's WHERE clause, so the two cannot disagree.
    """
    return Q(status=Status.ACTIVE, next_review_date__lte=today) & (
        Q(review_reminder_sent_on__isnull=True)
        | Q(review_reminder_sent_on__lt=F("next_review_date"))
    )


def _recipients(initiative: Initiative) -> list[str]:
    """The distinct addresses of the owners and sponsor who are named, active and have an email."""
    return email_addresses(
        (initiative.business_owner, initiative.delivery_owner, initiative.executive_sponsor)
    )


@transaction.atomic
def _remind(*, initiative: Initiative, today: date, recipients: list[str]) -> bool:
    """Claim, audit and email one initiative; False when another run claimed it first.

    The email goes out last, inside the transaction: if sending fails, the claim and the audit
    event roll back and the next run tries again. The claimed row stays locked until commit, so a
    concurrent run's claim waits and then matches no row.
    """
    # An UPDATE, not save(): `version` and `updated_at` stay as they are, so the stamp never turns
    # someone's open edit form into a conflict.
    claimed = Initiative.objects.filter(_due_for_reminder(today), pk=initiative.pk).update(
        review_reminder_sent_on=today
    )
    if not claimed:
        return False
    record_audit_event(
        actor=None,
        action=REVIEW_REMINDER_ACTION,
        target=initiative,
        initiative_id=initiative.pk,
        changes={
            "review_reminder_sent_on": [
                audit_value(initiative.review_reminder_sent_on),
                audit_value(today),
            ]
        },
        reason=(
            f"Review due on {initiative.next_review_date:%Y-%m-%d}; "
            f"reminder sent to {', '.join(recipients)}."
        ),
    )
    body = render_to_string(
        "portfolio/email/review_reminder.txt",
        {
            "initiative": initiative,
            "review_date": initiative.next_review_date,
            "path": initiative.get_absolute_url(),
        },
    )
    # A title is one line in the app, but a header must never carry a newline.
    subject = "Review due: " + " ".join(initiative.title.split())
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    return True


def review_reminders_send(*, today: date) -> int:
    """Email the owners of every active initiative whose review is due; return how many were sent.

    Guarantees:
    - at most one reminder per initiative and review date: each initiative is claimed with a
      conditional UPDATE of `review_reminder_sent_on` before its email goes out, so a second run
      the same day, or a concurrent worker, sends nothing for it;
    - moving `next_review_date` past the day of the last reminder makes the initiative due again;
    - each reminder is one email to the business owner, delivery owner and executive sponsor
      (those named, active and with an address) and one `initiative.review_reminder_sent` audit
      event, committed together; an initiative with nobody to email is left unclaimed, so it is
      reminded once someone is named;
    - a failed send rolls that reminder back (retried on the next run) and does not stop the others;
    - queries: one SELECT, then per reminder one UPDATE and one INSERT in its own transaction.
    """
    due = list(
        Initiative.objects.filter(_due_for_reminder(today))
        .select_related("business_owner", "delivery_owner", "executive_sponsor")
        .order_by("next_review_date", "pk")
    )
    sent = 0
    for initiative in due:
        recipients = _recipients(initiative)
        if not recipients:
            logger.warning(
                "Review of initiative %s is due but it has no owner with an email.", initiative.pk
            )
            continue
        try:
            reminded = _remind(initiative=initiative, today=today, recipients=recipients)
        except OSError:  # smtplib.SMTPException and connection errors
            logger.exception("Review reminder for initiative %s was not sent.", initiative.pk)
            continue
        if reminded:
            sent += 1
    return sent
