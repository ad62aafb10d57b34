"""Emails about gate requests: filed, vote needed, decision made (sent after commit)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse

from core.mail import absolute_url, email_addresses, one_line
from governance.council.permissions import initiative_owner_ids
from governance.council.rules import is_recused
from governance.models import GateRequest

logger = logging.getLogger(__name__)


REQUEST_FILED = "request_filed"
VOTE_NEEDED = "vote_needed"
DECISION_MADE = "decision_made"
REQUEST_EMAIL_KINDS = (REQUEST_FILED, VOTE_NEEDED, DECISION_MADE)


def request_url(request: GateRequest) -> str:
    return absolute_url(reverse("governance:gate_request_detail", args=[request.pk]))


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
        return email_addresses(_owners_and_requester(request))
    if kind == VOTE_NEEDED:
        return email_addresses(_deciders(request))
    voters = [vote.voter for vote in request.votes.select_related("voter")]
    return email_addresses([*_owners_and_requester(request), *voters])


def _subject(request: GateRequest, kind: str) -> str:
    title = one_line(request.initiative.title)
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
