"""PostgreSQL: no ärende is committed without its löpnummer. The number is given as the
registering transaction's last write (``arenden.services.registrera_arende``), so the column
may be empty inside that transaction; a deferred constraint trigger checks at COMMIT that it
no longer is, and refuses the commit otherwise. Rows that arrive with their number (a bulk
load, an older diarium taken over) queue no check at all (the WHEN clause)."""

from django.db import migrations

FUNKTION = """
CREATE FUNCTION arenden_arende_har_lopnummer() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM arenden_arende WHERE id = NEW.id AND lopnummer IS NULL) THEN
        RAISE EXCEPTION 'Ärende % har inget löpnummer i diariet', NEW.id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$;
"""
TRIGGERS = [
    ("arende_lopnummer_efter_insert", "INSERT"),
    ("arende_lopnummer_efter_update", "UPDATE OF lopnummer"),
]


def skapa(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNKTION, params=None)  # the % in RAISE is plpgsql's own
    for namn, handelse in TRIGGERS:
        schema_editor.execute(
            f"CREATE CONSTRAINT TRIGGER {namn} AFTER {handelse} ON arenden_arende "
            "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.lopnummer IS NULL) "
            "EXECUTE FUNCTION arenden_arende_har_lopnummer()"
        )


def ta_bort(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for namn, _handelse in TRIGGERS:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {namn} ON arenden_arende")
    schema_editor.execute("DROP FUNCTION IF EXISTS arenden_arende_har_lopnummer()")


class Migration(migrations.Migration):
    dependencies = [("arenden", "0008_lopnummer_ges_sist")]

    operations = [migrations.RunPython(skapa, ta_bort)]
