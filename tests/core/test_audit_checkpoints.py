"""Checkpoints anchor the audit trail: a removed tail, a rewritten or reordered chain and an
emptied table are reported as broken, never as "intact"; on PostgreSQL TRUNCATE is refused.

Tampering is done as someone with the database's own rights would: on PostgreSQL the table
owner disables the append-only triggers (`ALTER TABLE ... DISABLE TRIGGER USER`) and the chain
head is moved back to hide the change.
"""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from core.audit import record_audit_checkpoint, record_audit_event, verify_stored_audit_chain
from core.models import AuditCheckpoint, AuditEvent, AuditEventImmutable
from tests.factories import BusinessUnitFactory, UserFactory

pytestmark = pytest.mark.django_db

AUDIT_TABLES = ("core_auditevent", "core_auditcheckpoint")
CHECKPOINT = r"the checkpoint of \d{4}-\d\d-\d\d \d\d:\d\d \(quarter closed\)"


@pytest.fixture
def unit():
    return BusinessUnitFactory(name="Audit unit")


def _events(unit, count: int) -> list[AuditEvent]:
    return [
        record_audit_event(actor=None, action="test.event", target=unit, changes={"n": [None, n]})
        for n in range(count)
    ]


def _checkpoint(unit, actor=None) -> AuditCheckpoint:
    return record_audit_checkpoint(actor=actor, target=unit, reason="quarter closed")


def _as_table_owner(*statements: tuple[str, list]) -> None:
    """Run SQL past the append-only triggers, as the owner of the tables could."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The test's transaction holds deferred foreign-key checks, and PostgreSQL alters
            # no table with checks pending: run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table in AUDIT_TABLES:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        for sql, params in statements:
            cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            for table in AUDIT_TABLES:
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _refused_truncate(sql: str, match: str) -> None:
    with connection.cursor() as cursor:
        # As in _as_table_owner: pending foreign-key checks would stop TRUNCATE before the
        # trigger has its say.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        with pytest.raises(DatabaseError, match=match), transaction.atomic():
            cursor.execute(sql)
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _move_head_back(to: AuditEvent | None) -> tuple[str, list]:
    # The head is not append-only (every write moves it): hiding a removed tail starts here.
    sequence, last_hash = (to.sequence, to.hash) if to else (0, "0" * 64)
    return (
        "UPDATE core_auditchainhead SET last_sequence = %s, last_hash = %s WHERE id = 1",
        [sequence, last_hash],
    )


def test_a_checkpoint_records_the_chain_length_and_head_hash_and_who_took_it(unit):
    events = _events(unit, 3)
    admin = UserFactory(username="gina")
    checkpoint = _checkpoint(unit, actor=admin)
    assert (checkpoint.sequence, checkpoint.hash) == (3, events[-1].hash)
    assert checkpoint.taken_by == admin
    assert checkpoint.object_type == "portfolio.businessunit"
    assert checkpoint.object_id == str(unit.pk)


def test_checkpoints_cannot_be_changed_or_deleted_through_the_models(unit):
    _events(unit, 1)
    checkpoint = _checkpoint(unit)
    with pytest.raises(AuditEventImmutable):
        checkpoint.save()
    with pytest.raises(AuditEventImmutable):
        checkpoint.delete()
    with pytest.raises(AuditEventImmutable):
        AuditCheckpoint.objects.update(sequence=0)
    with pytest.raises(AuditEventImmutable):
        AuditCheckpoint.objects.all().delete()


def test_verify_audit_counts_the_checkpoints_it_matched(unit, capsys):
    _events(unit, 2)
    _checkpoint(unit)
    _events(unit, 2)
    _checkpoint(unit)
    call_command("verify_audit")
    out = capsys.readouterr().out
    assert "Audit chain intact: 4 events verified, 2 checkpoints matched." in out


def test_a_checkpoint_of_an_empty_trail_holds():
    record_audit_checkpoint(actor=None, target=UserFactory(), reason="first day")
    verification = verify_stored_audit_chain()
    assert verification.broken is None
    assert verification.events_checked == 0


def test_a_removed_tail_is_broken_even_when_the_head_was_moved_back(unit):
    events = _events(unit, 5)
    _checkpoint(unit)
    _as_table_owner(
        ("DELETE FROM core_auditevent WHERE sequence > %s", [3]), _move_head_back(events[2])
    )
    with pytest.raises(
        CommandError,
        match=rf"event #4: event #4 is missing: {CHECKPOINT} recorded 5 events, "
        r"the trail ends at #3\.",
    ):
        call_command("verify_audit")


def test_a_removed_tail_is_broken_by_the_chain_head_alone(unit):
    _events(unit, 4)
    _as_table_owner(("DELETE FROM core_auditevent WHERE sequence = %s", [4]))
    with pytest.raises(
        CommandError,
        match=r"event #4: event #4 is missing: the chain head recorded 4 events, the trail ends",
    ):
        call_command("verify_audit")


def test_an_emptied_trail_with_a_checkpoint_is_broken_not_intact(unit):
    _events(unit, 3)
    _checkpoint(unit)
    _as_table_owner(("DELETE FROM core_auditevent", []), _move_head_back(None))
    with pytest.raises(
        CommandError,
        match=rf"event #1: event #1 is missing: {CHECKPOINT} recorded 3 events, "
        r"the trail has no events at all\.",
    ):
        call_command("verify_audit")


def test_a_tail_rewritten_after_the_checkpoint_is_broken_where_the_checkpoint_points(unit):
    events = _events(unit, 4)
    _checkpoint(unit)
    _as_table_owner(
        ("DELETE FROM core_auditevent WHERE sequence > %s", [2]), _move_head_back(events[1])
    )
    # A new, self-consistent #3 and #4: every link and hash checks out, only the checkpoint
    # remembers that #4 was another event.
    rewritten = _events(unit, 2)
    assert rewritten[-1].sequence == 4
    with pytest.raises(
        CommandError, match=rf"event #4: its hash is not the one {CHECKPOINT} recorded"
    ):
        call_command("verify_audit")


def test_events_with_their_positions_swapped_are_broken(unit):
    events = _events(unit, 4)
    second, third = events[1], events[2]
    _as_table_owner(
        ("UPDATE core_auditevent SET sequence = %s WHERE id = %s", [-1, second.pk]),
        ("UPDATE core_auditevent SET sequence = %s WHERE id = %s", [2, third.pk]),
        ("UPDATE core_auditevent SET sequence = %s WHERE id = %s", [3, second.pk]),
    )
    with pytest.raises(CommandError, match=r"event #2: does not link to the previous event"):
        call_command("verify_audit")


def test_rows_stored_out_of_chain_order_are_broken(unit):
    events = _events(unit, 4)
    second, third = events[1], events[2]
    # The chain's content untouched, the rows put back in another order (new ids).
    _as_table_owner(
        ("UPDATE core_auditevent SET id = %s WHERE id = %s", [-1, second.pk]),
        ("UPDATE core_auditevent SET id = %s WHERE id = %s", [second.pk, third.pk]),
        ("UPDATE core_auditevent SET id = %s WHERE id = %s", [third.pk, -1]),
    )
    with pytest.raises(
        CommandError, match=r"event #3: out of order: its row was stored before event #2's"
    ):
        call_command("verify_audit")


# ---------------------------------------------------------------------------------------------
# PostgreSQL: the database itself refuses
# ---------------------------------------------------------------------------------------------

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the triggers are PostgreSQL's (SQLite has no TRUNCATE); CI runs these on PostgreSQL",
)


@postgresql_only
@pytest.mark.parametrize("table", AUDIT_TABLES)
def test_postgresql_refuses_truncate_on_the_audit_tables(unit, table):
    _events(unit, 2)
    _checkpoint(unit)
    _refused_truncate(f"TRUNCATE {table}", f"append-only: TRUNCATE on {table} refused")
    assert AuditEvent.objects.count() == 2
    assert AuditCheckpoint.objects.count() == 1
    assert verify_stored_audit_chain().broken is None


@postgresql_only
def test_postgresql_refuses_truncate_when_it_cascades_from_the_users_table(unit):
    record_audit_event(actor=UserFactory(), action="test.event", target=unit)
    _refused_truncate(
        "TRUNCATE auth_user CASCADE", "append-only: TRUNCATE on core_auditevent refused"
    )
    assert AuditEvent.objects.count() == 1


@postgresql_only
def test_postgresql_refuses_update_and_delete_on_checkpoints(unit):
    _events(unit, 1)
    checkpoint = _checkpoint(unit)
    for sql in (
        "UPDATE core_auditcheckpoint SET sequence = 0 WHERE id = %s",
        "DELETE FROM core_auditcheckpoint WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [checkpoint.pk])
    assert AuditCheckpoint.objects.get(pk=checkpoint.pk).sequence == 1


@postgresql_only
def test_postgresql_a_truncate_past_the_disabled_trigger_is_detected(unit):
    _events(unit, 3)
    _checkpoint(unit)
    _as_table_owner(("TRUNCATE core_auditevent", []), _move_head_back(None))
    assert AuditEvent.objects.count() == 0
    with pytest.raises(CommandError, match=r"event #1: event #1 is missing: .* recorded 3 events"):
        call_command("verify_audit")
