"""The one function that writes audit events.

Services call it inside their transaction, so an event exists exactly when the change it
describes was committed.
"""

from __future__ import annotations

import datetime
import decimal
import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from core.models import GENESIS_HASH, AuditChainHead, AuditCheckpoint, AuditEvent


def audit_value(value: Any) -> Any:
    """A JSON-safe, human-readable form of a field value for the `changes` column."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, Iterable) and not isinstance(value, bytes | Mapping):
        return [audit_value(item) for item in value]
    return str(value)


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The audit form of `fields` of `instance`, for a before/after comparison."""
    return {name: audit_value(getattr(instance, name)) for name in fields}


def changes_between(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """{field: [before, after]} for every field whose value differs."""
    return {
        name: [before.get(name), after.get(name)]
        for name in after
        if before.get(name) != after.get(name)
    }


def event_hash(prev_hash: str, fields: Mapping[str, Any]) -> str:
    """sha256 over the previous hash and the event's content in a canonical JSON form."""
    canonical = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{prev_hash}|{canonical}".encode()).hexdigest()


def hashed_fields(event: AuditEvent) -> dict[str, Any]:
    """The content that the hash covers: everything but the hashes themselves."""
    return {
        "sequence": event.sequence,
        "occurred_at": event.occurred_at.isoformat(),
        "actor_id": event.actor_id,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_repr": event.object_repr,
        "initiative_id": event.initiative_id,
        "changes": event.changes,
        "reason": event.reason,
    }


def _locked_chain_head() -> AuditChainHead:
    head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    if head is not None:
        return head
    try:
        with transaction.atomic():
            return AuditChainHead.objects.create(pk=1)
    except IntegrityError:
        # Two first-ever writers raced to create the head; the loser locks the winner's row.
        return AuditChainHead.objects.select_for_update().get(pk=1)


def record_audit_event(
    *,
    actor: AbstractBaseUser | None,
    action: str,
    target: models.Model,
    changes: Mapping[str, list[Any]] | None = None,
    reason: str = "",
    initiative_id: int | None = None,
) -> AuditEvent:
    """Append one audit event describing `action` on `target` by `actor`, chained by hash.

    Must run inside the caller's transaction: the chain head stays locked until it commits, so
    the event exists exactly when the change it describes does, and writers never interleave.
    """
    # savepoint=False: inside the caller's transaction this adds no queries; outside one it
    # still opens a transaction, so the head stays locked until the event is written.
    with transaction.atomic(savepoint=False):
        head = _locked_chain_head()
        # JSON round trip: what is hashed must be exactly what the database gives back.
        stored_changes = json.loads(json.dumps(dict(changes or {}), default=str))
        event = AuditEvent(
            sequence=head.last_sequence + 1,
            prev_hash=head.last_hash,
            occurred_at=timezone.now(),
            actor=actor if actor is not None and actor.is_authenticated else None,
            action=action,
            object_type=target._meta.label_lower,
            object_id=str(target.pk),
            object_repr=str(target)[:300],
            initiative_id=initiative_id,
            changes=stored_changes,
            reason=reason,
        )
        event.hash = event_hash(event.prev_hash, hashed_fields(event))
        event.save()
        AuditChainHead.objects.filter(pk=head.pk).update(
            last_sequence=event.sequence, last_hash=event.hash
        )
    return event


def record_audit_checkpoint(
    *,
    actor: AbstractBaseUser | None,
    target: models.Model,
    reason: str,
) -> AuditCheckpoint:
    """Record the chain's length and head hash now, apart from the events, append-only.

    Locks the chain head like a writer, so the checkpoint names a committed event and no
    writer is half-way; inside a service's transaction it includes that service's own event.
    Keep it short: the lock blocks every writer until the caller's transaction commits.
    """
    with transaction.atomic(savepoint=False):
        head = _locked_chain_head()
        return AuditCheckpoint.objects.create(
            sequence=head.last_sequence,
            hash=head.last_hash,
            taken_at=timezone.now(),
            taken_by=actor if actor is not None and actor.is_authenticated else None,
            object_type=target._meta.label_lower,
            object_id=str(target.pk),
            reason=reason[:300],
        )


@dataclass(frozen=True)
class ChainBreak:
    sequence: int
    reason: str


@dataclass(frozen=True)
class ChainAnchor:
    """A point the chain must still pass through: event #sequence, with exactly this hash.

    `source` says in words who recorded it ("the chain head", "the checkpoint of …").
    """

    sequence: int
    hash: str
    source: str


CHAIN_HEAD_SOURCE = "the chain head"


def chain_anchors() -> list[ChainAnchor]:
    """The chain head and every checkpoint, as anchors for `verify_audit_chain`.

    Read them before the events: whatever a writer commits in between only adds events past
    them, so a trail that is being written to is never mistaken for one with a missing tail.
    """
    anchors = []
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None:
        anchors.append(ChainAnchor(head.last_sequence, head.last_hash, CHAIN_HEAD_SOURCE))
    for checkpoint in AuditCheckpoint.objects.order_by("sequence", "id").only(
        "sequence", "hash", "taken_at", "reason"
    ):
        taken_at = timezone.localtime(checkpoint.taken_at).strftime("%Y-%m-%d %H:%M")
        anchors.append(
            ChainAnchor(
                checkpoint.sequence,
                checkpoint.hash,
                f"the checkpoint of {taken_at} ({checkpoint.reason})",
            )
        )
    return anchors


def _events_word(count: int) -> str:
    return f"{count} event{'' if count == 1 else 's'}"


def verify_audit_chain(
    events: Iterable[AuditEvent], anchors: Iterable[ChainAnchor] = ()
) -> ChainBreak | None:
    """The first broken link of the chain, walking `events` in sequence order; None if intact.

    A link is broken when a sequence number is skipped, an event was stored before the one it
    follows (rows reordered), an event does not point at the hash of the one before, or its own
    hash does not match its content (it was edited). `anchors` (the chain head, checkpoints)
    say where the chain once reached: an event that is not the one an anchor recorded means
    the chain was rewritten up to there; a trail that ends before an anchor lost its tail (an
    emptied trail with an anchor is broken at event #1, not "intact: 0 events").
    """
    anchors_at: dict[int, list[ChainAnchor]] = {}
    for anchor in anchors:
        if anchor.sequence > 0:  # "no events yet" holds for any trail
            anchors_at.setdefault(anchor.sequence, []).append(anchor)
    expected_sequence = 1
    prev_hash = GENESIS_HASH
    prev_id: int | None = None
    for event in events:
        if event.sequence != expected_sequence:
            return ChainBreak(
                expected_sequence,
                f"event #{expected_sequence} is missing (found #{event.sequence})",
            )
        # Writers hold the chain head's lock while they insert, so row ids rise with the
        # sequence; a row stored before the event it follows was put there afterwards.
        if prev_id is not None and event.pk is not None and event.pk < prev_id:
            return ChainBreak(
                event.sequence,
                f"out of order: its row was stored before event #{event.sequence - 1}'s",
            )
        if event.prev_hash != prev_hash:
            return ChainBreak(event.sequence, "does not link to the previous event's hash")
        if event_hash(event.prev_hash, hashed_fields(event)) != event.hash:
            return ChainBreak(event.sequence, "its content does not match its hash (edited)")
        for anchor in anchors_at.pop(event.sequence, ()):
            if anchor.hash != event.hash:
                return ChainBreak(
                    event.sequence,
                    f"its hash is not the one {anchor.source} recorded "
                    "(the events up to here were rewritten)",
                )
        prev_hash = event.hash
        prev_id = event.pk
        expected_sequence += 1
    if anchors_at:
        furthest = anchors_at[max(anchors_at)][-1]
        last = expected_sequence - 1
        found = f"the trail ends at #{last}" if last else "the trail has no events at all"
        return ChainBreak(
            expected_sequence,
            f"event #{expected_sequence} is missing: {furthest.source} recorded "
            f"{_events_word(furthest.sequence)}, {found}",
        )
    return None


@dataclass(frozen=True)
class StoredChainVerification:
    events_checked: int
    checkpoints_checked: int
    broken: ChainBreak | None


def verify_stored_audit_chain() -> StoredChainVerification:
    """Walk every stored event in sequence order, in chunks, against the head and checkpoints."""
    anchors = chain_anchors()  # first: see chain_anchors
    counted = 0

    def counting(events: Iterable[AuditEvent]) -> Iterator[AuditEvent]:
        nonlocal counted
        for event in events:
            counted += 1
            yield event

    events = AuditEvent.objects.order_by("sequence").iterator(chunk_size=2000)
    broken = verify_audit_chain(counting(events), anchors)
    return StoredChainVerification(
        events_checked=counted,
        checkpoints_checked=sum(
            1 for anchor in anchors if anchor.sequence > 0 and anchor.source != CHAIN_HEAD_SOURCE
        ),
        broken=broken,
    )
