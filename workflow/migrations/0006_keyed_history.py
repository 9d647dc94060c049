"""The keyed chain: every entry gets the id of a key and an HMAC of its hash under that key.

Entries written before this migration are signed here, as they stand, with the current key
(run ``manage.py verify_history`` before migrating: what is signed now is vouched for from now
on). On PostgreSQL the append-only trigger is switched off for this one UPDATE, inside the
migration's transaction, by the table's owner, and switched on again."""

from django.db import migrations, models

TRIGGER = "workflow_history_no_update_or_delete"


def sign_existing(apps, schema_editor):
    from workflow import hashing

    History = apps.get_model("workflow", "WorkflowHistory")
    connection = schema_editor.connection
    table = connection.ops.quote_name(History._meta.db_table)
    key_id, key = hashing.current_key()
    rows = list(History.objects.filter(mac="").values_list("pk", "hash"))
    if not rows:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {TRIGGER}")
        cursor.executemany(
            f"UPDATE {table} SET key_id = %s, mac = %s WHERE id = %s",
            [(key_id, hashing.entry_mac(key, key_id, digest), pk) for pk, digest in rows],
        )
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {TRIGGER}")


class Migration(migrations.Migration):
    dependencies = [("workflow", "0005_localrole_user_objekt")]

    operations = [
        migrations.AddField(
            model_name="workflowhistory",
            name="key_id",
            field=models.CharField(blank=True, max_length=32, verbose_name="nyckel"),
        ),
        migrations.AddField(
            model_name="workflowhistory",
            name="mac",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.RunPython(sign_existing, migrations.RunPython.noop),
    ]
