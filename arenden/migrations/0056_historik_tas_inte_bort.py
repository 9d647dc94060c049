"""On PostgreSQL the database refuses to DELETE a row of any field history (the arenden and
workflow apps' historical tables), and to UPDATE or DELETE a row of the log of reads of
secret content. A row changed is caught by its signature, a row taken out of the middle of a
chain by the link of the next; rows taken off the end of a chain after the newest checkpoint,
or the reads of secret content, nothing else would catch. Only who owns the tables can
get past it (by disabling the trigger), as for the workflow history (workflow 0002).

A field-history row is still updated in the transaction that wrote it, to give a number
known only at its end (workflow.fieldhistory.amend_record): UPDATE stays allowed there, and
its signature covers the row as it ends."""

from django.db import migrations

FUNCTIONS = """
CREATE OR REPLACE FUNCTION historik_tas_inte_bort() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'historiken tas inte bort: % på % nekas', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql;
"""

TRIGGER = "historik_ingen_delete"
LASNINGAR = "arenden_sekretessatkomst"
LASNINGAR_TRIGGER = "sekretessatkomst_oforanderlig"


def _tabeller(apps) -> list[str]:
    return sorted(
        model._meta.db_table
        for model in apps.get_models()
        if model._meta.app_label in ("arenden", "workflow")
        and model._meta.model_name.startswith("historical")
    )


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    qn = schema_editor.quote_name
    schema_editor.execute(FUNCTIONS, params=None)
    for tabell in _tabeller(apps):
        schema_editor.execute(
            f"CREATE TRIGGER {TRIGGER} BEFORE DELETE ON {qn(tabell)} "
            "FOR EACH ROW EXECUTE FUNCTION historik_tas_inte_bort()",
            params=None,
        )
    schema_editor.execute(
        f"CREATE TRIGGER {LASNINGAR_TRIGGER} BEFORE UPDATE OR DELETE ON {qn(LASNINGAR)} "
        "FOR EACH ROW EXECUTE FUNCTION historik_tas_inte_bort()",
        params=None,
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    qn = schema_editor.quote_name
    for tabell in _tabeller(apps):
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON {qn(tabell)}", params=None)
    schema_editor.execute(
        f"DROP TRIGGER IF EXISTS {LASNINGAR_TRIGGER} ON {qn(LASNINGAR)}", params=None
    )
    schema_editor.execute("DROP FUNCTION IF EXISTS historik_tas_inte_bort()", params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("arenden", "0055_franvaro_och_bilagor_i_historiken"),
        ("workflow", "0010_gruppmedlemskap"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
