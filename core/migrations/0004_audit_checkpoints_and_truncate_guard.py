"""Audit checkpoints, and on PostgreSQL: TRUNCATE refused on the audit tables, checkpoints
append-only like the events.

0003's row trigger refuses UPDATE and DELETE on events, but TRUNCATE fires no row trigger: it
emptied the trail at once. A statement-level BEFORE TRUNCATE trigger refuses it, also when it
comes as the CASCADE of truncating the users table. SQLite has no TRUNCATE (and no triggers
here): there the models' save/delete guards and the checkpoints are what is left.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


PG_FORBID_CHANGES = """
CREATE OR REPLACE FUNCTION core_audit_trail_forbid_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only: % on % refused', TG_OP, TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS core_auditevent_no_truncate ON core_auditevent;
CREATE TRIGGER core_auditevent_no_truncate
    BEFORE TRUNCATE ON core_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION core_audit_trail_forbid_change();
DROP TRIGGER IF EXISTS core_auditcheckpoint_append_only ON core_auditcheckpoint;
CREATE TRIGGER core_auditcheckpoint_append_only
    BEFORE UPDATE OR DELETE ON core_auditcheckpoint
    FOR EACH ROW EXECUTE FUNCTION core_audit_trail_forbid_change();
DROP TRIGGER IF EXISTS core_auditcheckpoint_no_truncate ON core_auditcheckpoint;
CREATE TRIGGER core_auditcheckpoint_no_truncate
    BEFORE TRUNCATE ON core_auditcheckpoint
    FOR EACH STATEMENT EXECUTE FUNCTION core_audit_trail_forbid_change();
"""
PG_ALLOW_CHANGES = """
DROP TRIGGER IF EXISTS core_auditcheckpoint_no_truncate ON core_auditcheckpoint;
DROP TRIGGER IF EXISTS core_auditcheckpoint_append_only ON core_auditcheckpoint;
DROP TRIGGER IF EXISTS core_auditevent_no_truncate ON core_auditevent;
DROP FUNCTION IF EXISTS core_audit_trail_forbid_change();
"""


def forbid_changes_on_postgresql(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_FORBID_CHANGES, params=None)


def allow_changes_on_postgresql(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_ALLOW_CHANGES, params=None)


def checkpoint_an_existing_trail(apps, schema_editor):
    """Anchor a trail that already has events, so its tail is protected from now on."""
    AuditChainHead = apps.get_model("core", "AuditChainHead")
    AuditCheckpoint = apps.get_model("core", "AuditCheckpoint")
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and head.last_sequence > 0:
        AuditCheckpoint.objects.create(
            sequence=head.last_sequence,
            hash=head.last_hash,
            taken_at=timezone.now(),
            object_type="core.auditchainhead",
            object_id=str(head.pk),
            reason="checkpoints introduced: the trail as it stood",
        )


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0003_audit_hash_chain'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='AuditCheckpoint',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('sequence', models.BigIntegerField(help_text="events in the chain then: the head's sequence")),
                ('hash', models.CharField(help_text='the hash of event #sequence', max_length=64)),
                ('taken_at', models.DateTimeField()),
                ('object_type', models.CharField(max_length=100)),
                ('object_id', models.CharField(max_length=64)),
                ('reason', models.CharField(max_length=300)),
                ('taken_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-sequence', '-id'],
                'indexes': [models.Index(fields=['object_type', 'object_id'], name='audit_checkpoint_object_idx')],
                'constraints': [models.CheckConstraint(condition=models.Q(('sequence__gte', 0)), name='audit_checkpoint_sequence_not_negative')],
            },
        ),
        migrations.RunPython(checkpoint_an_existing_trail, migrations.RunPython.noop),
        migrations.RunPython(forbid_changes_on_postgresql, allow_changes_on_postgresql),
    ]
