"""The index of the local roles by user also carries the object's id (PostgreSQL: INCLUDE), so
that a worklist reads the ids of the objects a user holds a role on from the index alone,
without visiting a table row per object (a handläggare holds one per ärende ever assigned).
The index keeps its name and its columns; SQLite has no INCLUDE and keeps it as it is."""

from django.db import migrations

GAMMAL = "CREATE INDEX localrole_user ON workflow_localrole (user_id, content_type_id, role)"
NY = GAMMAL + " INCLUDE (object_id)"


def _byt(definition):
    def byt(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute("DROP INDEX IF EXISTS localrole_user")
        schema_editor.execute(definition)

    return byt


class Migration(migrations.Migration):
    dependencies = [("workflow", "0004_audit_log_by_person")]

    operations = [migrations.RunPython(_byt(NY), _byt(GAMMAL))]
