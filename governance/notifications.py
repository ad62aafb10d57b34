"""Emails of the gate workflow: request filed, vote needed, decision made, action item overdue.

Services call the `notify_*` functions inside their transaction; the email is queued with
`transaction.on_commit`, so nothing is sent for a change that rolled back, and it goes through
a Celery task (eager when no broker is configured) that takes the request's id.
The backend is Django's: the console by default, SMTP when configured.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse

from core.audit import audit_value, record_audit_event
from governance.models import ActionItem, ActionItemStatus, GateRequest
from governance.permissions import initiative_owner_ids
from governance.rules import is_recused

logger = logging.getLogger(__name__)

REQUEST_FILED = "request_filed"
VOTE_NEEDED = "vote_needed"
DECISION_MADE = "decision_made"
REQUEST_EMAIL_KINDS = (REQUEST_FILED, VOTE_NEEDED, DECISION_MADE)
OVERDUE_ACTION = "action_item.overdue_notified"


def absolute_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def request_url(request: GateRequest) -> str:
    try:
        return absolute_url(reverse("governance:gate_request_detail", args=[request.pk]))
    except NoReverseMatch:  # the gate pages are not wired yet
        return absolute_url(request.initiative.get_absolute_url())


def _addresses(people: Iterable[AbstractBaseUser | None]) -> list[str]:
    """Distinct addresses of the active people with an email, in the order given."""
    found = (person.email for person in people if person and person.is_active and person.email)
    return list(dict.fromkeys(found))


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _load(request_id: int) -> GateRequest | None:
    return (
        GateRequest.objects.select_related(
            "initiative__business_owner",
            "initiative__delivery_owner",
            "initiative__executive_sponsor",
            "requested_by",
            "decided_by",
            "policy_version__policy",
        )
        .filter(pk=request_id)
        .first()
    )


def _owners_and_requester(request: GateRequest) -> list[AbstractBaseUser | None]:
    initiative = request.initiative
    return [
        request.requested_by,
        initiative.business_owner,
        initiative.delivery_owner,
        initiative.executive_sponsor,
    ]


def _deciders(request: GateRequest) -> list[AbstractBaseUser]:
    """Active holders of the version's decider roles who are not recused from the initiative."""
    owners = initiative_owner_ids(request.initiative)
    people = (
        get_user_model()
        .objects.filter(Q(groups__name__in=request.policy_version.decider_roles), is_active=True)
        .distinct()
        .order_by("username")
    )
    return [person for person in people if not is_recused(person.pk, owners)]


def _recipients(request: GateRequest, kind: str) -> list[str]:
    if kind == REQUEST_FILED:
        return _addresses(_owners_and_requester(request))
    if kind == VOTE_NEEDED:
        return _addresses(_deciders(request))
    voters = [vote.voter for vote in request.votes.select_related("voter")]
    return _addresses([*_owners_and_requester(request), *voters])


def _subject(request: GateRequest, kind: str) -> str:
    title = _one_line(request.initiative.title)
    gate = f"{request.get_from_stage_display()} → {request.get_to_stage_display()}"
    if kind == REQUEST_FILED:
        return f"Gate request filed: {title} ({gate})"
    if kind == VOTE_NEEDED:
        return f"Vote needed: {title} ({gate})"
    return f"Gate decision — {request.get_decision_display()}: {title} ({gate})"


def send_request_email(request_id: int, kind: str) -> int:
    """Render and send one gate-request email; returns how many addresses it went to.

    Called by the Celery task after the transaction committed. A request that no longer exists
    or has nobody to write to sends nothing; a mail server failure is logged, not raised, so a
    committed change is never reported as failed.
    """
    if kind not in REQUEST_EMAIL_KINDS:
        raise ValueError(f"unknown gate request email {kind!r}")
    request = _load(request_id)
    if request is None:
        return 0
    recipients = _recipients(request, kind)
    if not recipients:
        logger.warning("Gate request %s: nobody to send the %s email to.", request_id, kind)
        return 0
    failing = [item for item in request.evidence if not item.get("passed")]
    votes = list(request.votes.select_related("voter")) if kind == DECISION_MADE else []
    body = render_to_string(
        f"governance/email/{kind}.txt",
        {
            "request": request,
            "initiative": request.initiative,
            "url": request_url(request),
            "failing": failing,
            "votes": votes,
            "action_items": list(request.action_items.select_related("owner"))
            if kind == DECISION_MADE
            else [],
        },
    )
    try:
        send_mail(_subject(request, kind), body, settings.DEFAULT_FROM_EMAIL, recipients)
    except OSError:  # smtplib.SMTPException and connection errors
        logger.exception("Gate request %s: the %s email was not sent.", request_id, kind)
        return 0
    return len(recipients)


def _queue(request: GateRequest, kind: str) -> None:
    # Imported here: the tasks module imports this one.
    from governance.tasks import send_gate_request_email

    request_id = request.pk
    transaction.on_commit(lambda: send_gate_request_email.delay(request_id, kind))


def notify_request_filed(request: GateRequest) -> None:
    """Tell the requester, owners and sponsor that the request was filed (after commit)."""
    _queue(request, REQUEST_FILED)


def notify_vote_needed(request: GateRequest) -> None:
    """Ask every council member who may vote (not the recused) to review it (after commit)."""
    _queue(request, VOTE_NEEDED)


def notify_decision_made(request: GateRequest) -> None:
    """Tell the requester, owners, sponsor and voters the decision (after commit)."""
    _queue(request, DECISION_MADE)


# ---------------------------------------------------------------------------------------------
# Overdue action items
# ---------------------------------------------------------------------------------------------


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
    subject = "Action item overdue: " + _one_line(item.title)[:150]
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
        recipients = _addresses([item.owner])
        if not recipients:
            logger.warning("Action item %s is overdue but its owner has no email.", item.pk)
            continue
        try:
            if _remind(item, today, recipients):
                sent += 1
        except OSError:
            logger.exception("Overdue reminder for action item %s was not sent.", item.pk)
    return sent
