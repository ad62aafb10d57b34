"""On PostgreSQL the audit chain head cannot be removed (core migration 0005): without its row
the next audited write would start the chain again at #1 and fail, and so would every later one.
It still moves on every write."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from core.audit import record_audit_event, verify_stored_audit_chain
from core.models import AuditChainHead, AuditEvent
from tests.factories import BusinessUnitFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the triggers are PostgreSQL's (SQLite has none here); CI runs these on PostgreSQL",
    ),
]


@pytest.fixture
def unit():
    return BusinessUnitFactory(name="Audit unit")


def _refused(sql: str, match: str) -> None:
    with connection.cursor() as cursor:
        # Pending foreign-key checks of the test's transaction would stop TRUNCATE before the
        # trigger has its say.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        with pytest.raises(DatabaseError, match=match), transaction.atomic():
            cursor.execute(sql)
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


@pytest.mark.parametrize(
    ("sql", "operation"),
    [
        ("DELETE FROM core_auditchainhead", "DELETE"),
        ("TRUNCATE core_auditchainhead", "TRUNCATE"),
    ],
)
def test_the_chain_head_cannot_be_deleted_or_truncated_and_writes_go_on(unit, sql, operation):
    record_audit_event(actor=None, action="test.event", target=unit)

    _refused(sql, f"the audit chain head must stay: {operation} on core_auditchainhead refused")

    assert AuditChainHead.objects.get(pk=1).last_sequence == 1
    later = record_audit_event(actor=None, action="test.event", target=unit)
    assert later.sequence == 2
    assert AuditEvent.objects.count() == 2
    assert verify_stored_audit_chain().broken is None


def test_the_chain_head_still_moves_with_every_write(unit):
    events = [record_audit_event(actor=None, action="test.event", target=unit) for _ in range(3)]

    head = AuditChainHead.objects.get(pk=1)
    assert (head.last_sequence, head.last_hash) == (3, events[-1].hash)
