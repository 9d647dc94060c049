"""On PostgreSQL the voteringslista, who took part in a sluten omröstning and the signatures
of an omedelbar justering are kept as signed once the protokoll is justerat, like the rest of
it (0017_justerat_protokoll_las; KL 5 kap. 69 §, TF 2 kap. 10 §)."""

from django.db import migrations

#: (table, how a row names its meeting)
TABELLER = [
    ("arenden_rost", "votering"),
    ("arenden_omrostningsdeltagare", "votering"),
    ("arenden_paragrafjustering", "punkt"),
]

MOTE_FOR = """
CREATE OR REPLACE FUNCTION arenden_mote_for(slag text, rad record) RETURNS bigint AS $$
DECLARE
    mote bigint;
BEGIN
    IF slag = 'sammantrade' THEN
        RETURN rad.sammantrade_id;
    ELSIF slag = 'punkt' THEN
        SELECT sammantrade_id INTO mote FROM arenden_punkt WHERE id = rad.punkt_id;
    ELSIF slag = 'votering' THEN
        SELECT p.sammantrade_id INTO mote FROM arenden_votering v
            JOIN arenden_punkt p ON p.id = v.punkt_id WHERE v.id = rad.votering_id;
    ELSE
        SELECT sammantrade_id INTO mote FROM arenden_deltagare WHERE id = rad.deltagare_id;
    END IF;
    RETURN mote;
END
$$ LANGUAGE plpgsql STABLE;
"""


def framat(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(MOTE_FOR, params=None)
        for tabell, slag in TABELLER:
            schema_editor.execute(
                f"CREATE TRIGGER {tabell}_las BEFORE INSERT OR UPDATE OR DELETE ON {tabell} "
                f"FOR EACH ROW EXECUTE FUNCTION arenden_protokoll_las('{slag}');",
                params=None,
            )


def bakat(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for tabell, _slag in TABELLER:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {tabell}_las ON {tabell};", params=None)


class Migration(migrations.Migration):
    dependencies = [("arenden", "0030_ledamotsregister")]

    operations = [migrations.RunPython(framat, bakat)]
