from __future__ import annotations

import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from core.audit import record_audit_event, verify_audit_chain
from core.models import GENESIS_HASH, AuditEvent
from tests.factories import BusinessUnitFactory

pytestmark = pytest.mark.django_db


def _events(count: int):
    unit = BusinessUnitFactory(name="Audit unit")
    return [
        record_audit_event(actor=None, action="test.event", target=unit, changes={"n": [None, n]})
        for n in range(count)
    ]


def _tamper(sql: str, params: list) -> None:
    with connection.cursor() as cursor:
        # Tampering as a database superuser would: bypassing the append-only trigger.
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = DEFAULT")


def test_events_are_numbered_and_each_links_to_the_previous_hash():
    first, second, third = _events(3)
    assert (first.sequence, second.sequence, third.sequence) == (1, 2, 3)
    assert first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    assert verify_audit_chain(AuditEvent.objects.order_by("sequence")) is None


def test_verify_audit_reports_an_intact_chain(capsys):
    _events(4)
    call_command("verify_audit")
    assert "Audit chain intact: 4 events verified." in capsys.readouterr().out


def test_verify_audit_reports_the_first_edited_event():
    events = _events(5)
    _tamper("UPDATE core_auditevent SET reason = %s WHERE id = %s", ["rewritten", events[2].pk])
    with pytest.raises(CommandError, match=r"event #3: its content does not match its hash"):
        call_command("verify_audit")


def test_verify_audit_reports_a_deleted_event():
    events = _events(5)
    _tamper("DELETE FROM core_auditevent WHERE id = %s", [events[1].pk])
    with pytest.raises(CommandError, match=r"event #2 is missing"):
        call_command("verify_audit")


def test_verify_audit_reports_a_relinked_event():
    events = _events(3)
    _tamper("UPDATE core_auditevent SET prev_hash = %s WHERE id = %s", ["f" * 64, events[1].pk])
    with pytest.raises(CommandError, match=r"event #2: does not link"):
        call_command("verify_audit")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_postgresql_refuses_update_and_delete_on_audit_events():
    from django.db import DatabaseError

    event = _events(1)[0]
    for sql in (
        "UPDATE core_auditevent SET reason = 'x' WHERE id = %s",
        "DELETE FROM core_auditevent WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).reason == ""


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serialises all writers")
def test_concurrent_writers_keep_one_unbroken_chain():
    unit = BusinessUnitFactory(name="Concurrent unit")
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            for k in range(10):
                with transaction.atomic():
                    record_audit_event(
                        actor=None, action="test.concurrent", target=unit, changes={"k": [n, k]}
                    )
        except BaseException as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert AuditEvent.objects.filter(action="test.concurrent").count() == 40
    assert verify_audit_chain(AuditEvent.objects.order_by("sequence")) is None
