"""On PostgreSQL: the audit chain head's row cannot be deleted, nor its table truncated.

Every audited write moves the head (it is updated, never append-only), but without its row the
next writer starts a new chain at #1, which collides with the stored #1: every later audited
write fails. The head is the one row that must always be there, so DELETE (a row trigger) and
TRUNCATE (a statement trigger) are refused, as 0004 refuses them on the events. SQLite has no
triggers here.
"""

from django.db import migrations

PG_FORBID_REMOVAL = """
CREATE OR REPLACE FUNCTION core_audit_chain_head_forbid_removal() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit chain head must stay: % on % refused', TG_OP, TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS core_auditchainhead_no_delete ON core_auditchainhead;
CREATE TRIGGER core_auditchainhead_no_delete
    BEFORE DELETE ON core_auditchainhead
    FOR EACH ROW EXECUTE FUNCTION core_audit_chain_head_forbid_removal();
DROP TRIGGER IF EXISTS core_auditchainhead_no_truncate ON core_auditchainhead;
CREATE TRIGGER core_auditchainhead_no_truncate
    BEFORE TRUNCATE ON core_auditchainhead
    FOR EACH STATEMENT EXECUTE FUNCTION core_audit_chain_head_forbid_removal();
"""
PG_ALLOW_REMOVAL = """
DROP TRIGGER IF EXISTS core_auditchainhead_no_truncate ON core_auditchainhead;
DROP TRIGGER IF EXISTS core_auditchainhead_no_delete ON core_auditchainhead;
DROP FUNCTION IF EXISTS core_audit_chain_head_forbid_removal();
"""


def forbid_removal_on_postgresql(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_FORBID_REMOVAL, params=None)


def allow_removal_on_postgresql(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_ALLOW_REMOVAL, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_audit_checkpoints_and_truncate_guard"),
    ]

    operations = [
        migrations.RunPython(forbid_removal_on_postgresql, allow_removal_on_postgresql),
    ]
