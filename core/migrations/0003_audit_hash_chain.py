"""Chain audit events by hash, and on PostgreSQL refuse UPDATE and DELETE on them in the database."""

import hashlib
import json

from django.db import migrations, models

GENESIS_HASH = "0" * 64

# A copy of core.audit.event_hash as it was when this migration was written: migrations must
# not change meaning when application code does.
def _hash(prev_hash, event):
    fields = {
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
    canonical = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{prev_hash}|{canonical}".encode()).hexdigest()


def chain_existing_events(apps, schema_editor):
    AuditEvent = apps.get_model("core", "AuditEvent")
    AuditChainHead = apps.get_model("core", "AuditChainHead")
    prev_hash = GENESIS_HASH
    sequence = 0
    for event in AuditEvent.objects.order_by("occurred_at", "id").iterator():
        sequence += 1
        event.sequence = sequence
        event.prev_hash = prev_hash
        event.hash = _hash(prev_hash, event)
        AuditEvent.objects.filter(pk=event.pk).update(
            sequence=event.sequence, prev_hash=event.prev_hash, hash=event.hash
        )
        prev_hash = event.hash
    AuditChainHead.objects.update_or_create(
        pk=1, defaults={"last_sequence": sequence, "last_hash": prev_hash}
    )


PG_FORBID_CHANGES = """
CREATE OR REPLACE FUNCTION core_auditevent_forbid_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only: % on core_auditevent refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS core_auditevent_append_only ON core_auditevent;
CREATE TRIGGER core_auditevent_append_only
    BEFORE UPDATE OR DELETE ON core_auditevent
    FOR EACH ROW EXECUTE FUNCTION core_auditevent_forbid_change();
"""
PG_ALLOW_CHANGES = """
DROP TRIGGER IF EXISTS core_auditevent_append_only ON core_auditevent;
DROP FUNCTION IF EXISTS core_auditevent_forbid_change();
"""


def forbid_changes_on_postgresql(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_FORBID_CHANGES, params=None)


def allow_changes_on_postgresql(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_ALLOW_CHANGES, params=None)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_roles")]

    operations = [
        migrations.CreateModel(
            name="AuditChainHead",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("last_sequence", models.BigIntegerField(default=0)),
                ("last_hash", models.CharField(default=GENESIS_HASH, max_length=64)),
            ],
        ),
        migrations.AddField(
            model_name="auditevent", name="sequence", field=models.BigIntegerField(null=True)
        ),
        migrations.AddField(
            model_name="auditevent",
            name="prev_hash",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="auditevent", name="occurred_at", field=models.DateTimeField(db_index=True)
        ),
        migrations.RunPython(chain_existing_events, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="auditevent", name="sequence", field=models.BigIntegerField(unique=True)
        ),
        migrations.AlterModelOptions(name="auditevent", options={"ordering": ["-sequence"]}),
        migrations.RunPython(forbid_changes_on_postgresql, allow_changes_on_postgresql),
    ]
