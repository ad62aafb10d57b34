from __future__ import annotations

import datetime
import smtplib
from zoneinfo import ZoneInfo

import pytest
import time_machine

from core.models import AuditEvent
from portfolio import reminders
from portfolio.models import Initiative, Stage, Status
from portfolio.reminders import REVIEW_REMINDER_ACTION, review_reminders_send
from portfolio.tasks import send_review_reminders
from tests.factories import InitiativeFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 2)

# The service reads all due initiatives with their owners in one SELECT ...
QUERIES_WHATEVER_THE_NUMBER_DUE = 1
# ... then each reminder runs in its own transaction: the claiming UPDATE and the audit event
# (lock the chain head, INSERT the event, UPDATE the head), plus the two statements that open
# and close that transaction. Inside a test the transaction is
# nested in pytest-django's, so they are SAVEPOINT / RELEASE SAVEPOINT; in production they are the
# BEGIN / COMMIT that Django also counts. Owners come from select_related, email costs no query.
QUERIES_PER_REMINDER = 6


@pytest.fixture
def owners():
    return {
        "business_owner": UserFactory(username="bianca", email="bianca@example.com"),
        "delivery_owner": UserFactory(username="dario", email="dario@example.com"),
        "executive_sponsor": UserFactory(username="esther", email="esther@example.com"),
    }


def due_initiative(owners, **fields) -> Initiative:
    values = {"stage": Stage.PILOT, "next_review_date": TODAY, **owners, **fields}
    return InitiativeFactory(**values)


def test_due_initiative_gets_one_email_to_its_owners_and_sponsor(owners, mailoutbox):
    initiative = due_initiative(owners, title="Claims triage")

    sent = review_reminders_send(today=TODAY)

    assert sent == 1
    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.subject == "Review due: Claims triage"
    assert email.to == ["bianca@example.com", "dario@example.com", "esther@example.com"]
    initiative.refresh_from_db()
    assert initiative.review_reminder_sent_on == TODAY


def test_reminder_names_the_initiative_its_stage_review_date_and_link(owners, mailoutbox):
    initiative = due_initiative(
        owners, title="Claims & fraud triage", next_review_date=datetime.date(2026, 2, 27)
    )

    review_reminders_send(today=TODAY)

    body = mailoutbox[0].body
    assert "Claims & fraud triage" in body
    assert "Stage:       Pilot" in body
    assert "Review date: 27 February 2026" in body
    assert f"/initiatives/{initiative.pk}/" in body


def test_owners_who_are_not_named_or_have_no_email_are_left_out(owners, mailoutbox):
    owners["delivery_owner"].email = ""
    owners["delivery_owner"].save()
    due_initiative(owners, executive_sponsor=None)

    review_reminders_send(today=TODAY)

    assert mailoutbox[0].to == ["bianca@example.com"]


def test_one_person_in_two_roles_gets_the_email_once(owners, mailoutbox):
    due_initiative(owners, executive_sponsor=owners["business_owner"])

    review_reminders_send(today=TODAY)

    assert mailoutbox[0].to == ["bianca@example.com", "dario@example.com"]


def test_initiative_with_nobody_to_email_stays_unclaimed_until_someone_is_named(owners, mailoutbox):
    initiative = due_initiative(
        owners, business_owner=None, delivery_owner=None, executive_sponsor=None
    )

    assert review_reminders_send(today=TODAY) == 0
    initiative.refresh_from_db()
    assert initiative.review_reminder_sent_on is None

    Initiative.objects.filter(pk=initiative.pk).update(business_owner=owners["business_owner"])
    assert review_reminders_send(today=TODAY) == 1
    assert mailoutbox[0].to == ["bianca@example.com"]


def test_initiative_whose_review_is_not_yet_due_gets_no_reminder(owners, mailoutbox):
    due_initiative(owners, next_review_date=TODAY + datetime.timedelta(days=1))
    due_initiative(owners, next_review_date=None)

    assert review_reminders_send(today=TODAY) == 0
    assert mailoutbox == []


@pytest.mark.parametrize("status", [Status.PAUSED, Status.STOPPED])
def test_paused_or_stopped_initiative_gets_no_reminder(owners, mailoutbox, status):
    due_initiative(owners, status=status)

    assert review_reminders_send(today=TODAY) == 0
    assert mailoutbox == []


def test_initiative_already_reminded_for_its_review_date_gets_no_reminder(owners, mailoutbox):
    initiative = due_initiative(owners, next_review_date=datetime.date(2026, 2, 20))
    Initiative.objects.filter(pk=initiative.pk).update(
        review_reminder_sent_on=datetime.date(2026, 2, 20)
    )

    assert review_reminders_send(today=TODAY) == 0
    assert mailoutbox == []


def test_later_review_date_after_a_reminder_triggers_a_new_one(owners, mailoutbox):
    initiative = due_initiative(owners, next_review_date=datetime.date(2026, 2, 2))
    assert review_reminders_send(today=datetime.date(2026, 2, 2)) == 1

    Initiative.objects.filter(pk=initiative.pk).update(next_review_date=TODAY)
    assert review_reminders_send(today=datetime.date(2026, 2, 20)) == 0
    assert review_reminders_send(today=TODAY) == 1

    assert len(mailoutbox) == 2
    initiative.refresh_from_db()
    assert initiative.review_reminder_sent_on == TODAY


def test_second_run_on_the_same_day_sends_nothing(owners, mailoutbox):
    due_initiative(owners)
    due_initiative(owners)

    assert review_reminders_send(today=TODAY) == 2
    assert review_reminders_send(today=TODAY) == 0
    assert len(mailoutbox) == 2


def test_initiative_claimed_by_another_worker_meanwhile_is_not_emailed(
    owners, mailoutbox, monkeypatch
):
    initiative = due_initiative(owners)
    real_recipients = reminders._recipients

    def other_worker_claims_first(candidate: Initiative) -> list[str]:
        Initiative.objects.filter(pk=candidate.pk).update(review_reminder_sent_on=TODAY)
        return real_recipients(candidate)

    monkeypatch.setattr(reminders, "_recipients", other_worker_claims_first)

    assert review_reminders_send(today=TODAY) == 0
    assert mailoutbox == []
    assert not AuditEvent.objects.filter(initiative_id=initiative.pk).exists()


def test_reminder_writes_an_audit_event(owners, mailoutbox):
    initiative = due_initiative(owners)

    review_reminders_send(today=TODAY)

    event = AuditEvent.objects.get(action=REVIEW_REMINDER_ACTION)
    assert event.initiative_id == initiative.pk
    assert event.object_type == "portfolio.initiative"
    assert event.object_id == str(initiative.pk)
    assert event.actor is None
    assert event.changes == {"review_reminder_sent_on": [None, "2026-03-02"]}
    assert "bianca@example.com" in event.reason


def test_failed_send_rolls_back_its_claim_and_the_others_still_go_out(
    owners, mailoutbox, monkeypatch
):
    failing = due_initiative(owners, title="Bounces")
    working = due_initiative(owners, title="Delivers")
    real_send_mail = reminders.send_mail

    def send_mail(subject: str, *args, **kwargs) -> int:
        if subject == "Review due: Bounces":
            raise smtplib.SMTPServerDisconnected("connection lost")
        return real_send_mail(subject, *args, **kwargs)

    monkeypatch.setattr(reminders, "send_mail", send_mail)

    assert review_reminders_send(today=TODAY) == 1

    assert [email.subject for email in mailoutbox] == ["Review due: Delivers"]
    failing.refresh_from_db()
    working.refresh_from_db()
    assert failing.review_reminder_sent_on is None
    assert working.review_reminder_sent_on == TODAY
    assert not AuditEvent.objects.filter(initiative_id=failing.pk).exists()


@pytest.mark.parametrize("number_due", [3, 30])
def test_query_count_grows_only_by_the_claim_and_audit_per_reminder(
    owners, mailoutbox, django_assert_max_num_queries, number_due
):
    InitiativeFactory.create_batch(number_due, next_review_date=TODAY, **owners)
    InitiativeFactory.create_batch(5, next_review_date=TODAY, status=Status.PAUSED, **owners)

    with django_assert_max_num_queries(
        QUERIES_WHATEVER_THE_NUMBER_DUE + QUERIES_PER_REMINDER * number_due
    ):
        sent = review_reminders_send(today=TODAY)

    assert sent == number_due
    assert len(mailoutbox) == number_due


def test_task_sends_the_reminders_due_today_in_the_local_time_zone(owners, mailoutbox, settings):
    settings.TIME_ZONE = "Europe/Brussels"
    due_initiative(owners)
    # 00:30 on 2 March in Brussels is still 1 March in UTC.
    brussels_morning = datetime.datetime(2026, 3, 2, 0, 30, tzinfo=ZoneInfo("Europe/Brussels"))

    with time_machine.travel(brussels_morning, tick=False):
        result = send_review_reminders.delay()

    assert result.get() == 1
    assert len(mailoutbox) == 1
