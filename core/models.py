from __future__ import annotations

from django.conf import settings
from django.db import models

GENESIS_HASH = "0" * 64


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):  # noqa: ANN003, ANN201
        raise AuditEventImmutable("Audit events are append-only: they cannot be updated.")

    def delete(self):  # noqa: ANN201
        raise AuditEventImmutable("Audit events are append-only: they cannot be deleted.")


class AuditCheckpointQuerySet(models.QuerySet):
    def for_object(self, target: models.Model) -> AuditCheckpointQuerySet:
        """The checkpoints taken for `target`, oldest first, with who took them."""
        return (
            self.filter(object_type=target._meta.label_lower, object_id=str(target.pk))
            .select_related("taken_by")
            .order_by("taken_at", "id")
        )

    def update(self, **kwargs):  # noqa: ANN003, ANN201
        raise AuditEventImmutable("Audit checkpoints are append-only: they cannot be updated.")

    def delete(self):  # noqa: ANN201
        raise AuditEventImmutable("Audit checkpoints are append-only: they cannot be deleted.")


class AuditEventImmutable(Exception):
    pass


class AuditChainHead(models.Model):
    """The single row that holds the end of the audit chain.

    Writers lock it (SELECT ... FOR UPDATE) so events get consecutive sequence numbers and each
    links to the hash of the one before, even when many requests write at once.
    """

    last_sequence = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    def __str__(self) -> str:
        return f"audit chain at #{self.last_sequence}"


class AuditEvent(models.Model):
    """One state change: who did what to which object, the values before and after, and why.

    Written only through `core.audit.record_audit_event`; rows never change once written, and
    each carries the hash of the previous event, so an edit anywhere breaks the chain.
    """

    sequence = models.BigIntegerField(unique=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    occurred_at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=64)
    object_type = models.CharField(
        max_length=100, help_text="app_label.model of the changed object"
    )
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=300)
    # Kept as a plain id (not a foreign key) so this base app depends on no app of ours, while the
    # per-initiative audit trail can still be read with one indexed query.
    initiative_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    changes = models.JSONField(default=dict, blank=True, help_text="{field: [before, after]}")
    reason = models.TextField(blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-sequence"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        if self.pk is not None:
            raise AuditEventImmutable("Audit events are append-only: they cannot be updated.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN201
        raise AuditEventImmutable("Audit events are append-only: they cannot be deleted.")


class AuditCheckpoint(models.Model):
    """The audit chain's length and head hash at a moment someone vouched for, kept apart.

    The chain's own hashes show an edited or missing event in the middle, but not a removed
    tail, nor a rewritten chain: whoever can delete the last events can also move the chain
    head back. A checkpoint is the count and last hash at a moment that matters (a report is
    generated or signed off), in a table of its own, append-only like the events, and printed
    in the report's PDF, so verification can tell that the trail once reached event #sequence
    with exactly that hash. Written only through `core.audit.record_audit_checkpoint`.
    """

    sequence = models.BigIntegerField(help_text="events in the chain then: the head's sequence")
    hash = models.CharField(max_length=64, help_text="the hash of event #sequence")
    taken_at = models.DateTimeField()
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # What the checkpoint was taken for, as on an audit event (plain ids: core imports no app).
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64)
    reason = models.CharField(max_length=300)

    objects = AuditCheckpointQuerySet.as_manager()

    class Meta:
        ordering = ["-sequence", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_checkpoint_object_idx")
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(sequence__gte=0), name="audit_checkpoint_sequence_not_negative"
            )
        ]

    def __str__(self) -> str:
        return f"audit checkpoint at #{self.sequence} ({self.reason})"

    def save(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        if self.pk is not None:
            raise AuditEventImmutable("Audit checkpoints are append-only: they cannot be updated.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN201
        raise AuditEventImmutable("Audit checkpoints are append-only: they cannot be deleted.")
