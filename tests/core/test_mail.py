"""core.mail.emails_not_sent: the demo seeds replay months of decisions without emailing."""

from __future__ import annotations

import pytest
from django.core.mail import send_mail
from django.db import transaction

from core.mail import emails_not_sent

pytestmark = pytest.mark.django_db(transaction=False)


def test_nothing_is_sent_inside_the_block_even_after_its_commit(mailoutbox, settings):
    backend = settings.EMAIL_BACKEND
    with emails_not_sent(), transaction.atomic():
        send_mail("Now", "body", None, ["a@example.com"])
        transaction.on_commit(lambda: send_mail("On commit", "body", None, ["a@example.com"]))
    assert mailoutbox == []
    assert backend == settings.EMAIL_BACKEND

    send_mail("After", "body", None, ["a@example.com"])
    assert [email.subject for email in mailoutbox] == ["After"]


def test_the_backend_comes_back_when_the_block_fails(settings):
    backend = settings.EMAIL_BACKEND
    with pytest.raises(RuntimeError), emails_not_sent():
        raise RuntimeError("seed failed")
    assert backend == settings.EMAIL_BACKEND
