"""On PostgreSQL the database itself refuses UPDATE and DELETE on the workflow history, so
not even raw SQL from the application's connection can quietly alter the audit trail."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION workflow_history_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'arbetsflödeshistoriken är oföränderlig: % nekas', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER workflow_history_no_update_or_delete
    BEFORE UPDATE OR DELETE ON workflow_workflowhistory
    FOR EACH ROW EXECUTE FUNCTION workflow_history_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS workflow_history_no_update_or_delete ON workflow_workflowhistory;
DROP FUNCTION IF EXISTS workflow_history_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("workflow", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
