"""Reminders about overdue action items, sent daily by beat; each item is claimed before its
email goes out, so a rerun or two runs at once never send twice."""

from __future__ import annotations

import logging
from datetime import date

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string

from core.audit import audit_value, record_audit_event
from core.mail import absolute_url, email_addresses, one_line
from governance.models import ActionItem, ActionItemStatus

logger = logging.getLogger(__name__)

OVERDUE_ACTION = "action_item.overdue_notified"


def _overdue(today: date) -> Q:
    """Open, past due and not yet reminded: the search and the claim use the same condition."""
    return Q(status=ActionItemStatus.OPEN, due_date__lt=today, overdue_notified_on__isnull=True)


@transaction.atomic
def _remind(item: ActionItem, today: date, recipients: list[str]) -> bool:
    """Claim, audit and email one item; False when another run claimed it first."""
    claimed = ActionItem.objects.filter(_overdue(today), pk=item.pk).update(
        overdue_notified_on=today
    )
    if not claimed:
        return False
    record_audit_event(
        actor=None,
        action=OVERDUE_ACTION,
        target=item,
        initiative_id=item.initiative_id,
        changes={"overdue_notified_on": [None, audit_value(today)]},
        reason=f"Due {item.due_date:%Y-%m-%d}; reminder sent to {', '.join(recipients)}.",
    )
    body = render_to_string(
        "governance/email/action_item_overdue.txt",
        {
            "item": item,
            "initiative": item.initiative,
            "days_overdue": (today - item.due_date).days,
            "url": absolute_url(item.initiative.get_absolute_url()),
        },
    )
    subject = "Action item overdue: " + one_line(item.title)[:150]
    # Sent inside the transaction: a failed send rolls the claim back for the next run.
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    return True


def notify_action_items_overdue(today: date) -> int:
    """Email the owner of every open action item past its due date, once; returns how many.

    Guarantees: at most one reminder per item (claimed with a conditional UPDATE of
    `overdue_notified_on` before sending, so a rerun or a second worker sends nothing again);
    one audit event per reminder; an item whose owner has no address is left unclaimed; a
    failed send is rolled back (retried on the next run) and does not stop the others.
    """
    due = list(
        ActionItem.objects.filter(_overdue(today))
        .select_related("owner", "initiative")
        .order_by("due_date", "pk")
    )
    sent = 0
    for item in due:
        recipients = email_addresses([item.owner])
        if not recipients:
            logger.warning("Action item %s is overdue but its owner has no email.", item.pk)
            continue
        try:
            if _remind(item, today, recipients):
                sent += 1
        except OSError:
            logger.exception("Overdue reminder for action item %s was not sent.", item.pk)
    return sent
