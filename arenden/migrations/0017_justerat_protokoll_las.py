"""On PostgreSQL the database itself keeps a justerat protokoll as it was signed (KL 5 kap.
69 §, TF 2 kap. 10 §): no row of the meeting's närvaro, items, beslut, jäv, yrkanden,
voteringar, reservationer, yttranden, bilagor, kallelse or signatures is added, changed or
removed once the sammanträde is justerat, whoever asks (the administrator's pages, raw SQL
from the application's connection). The sammanträde itself may still move on (its status and
the day of anslag); what it says about when and where it was held may not change. A
correction is a Rattelse, a table of its own."""

from django.db import migrations

#: (table, how a row names its meeting)
TABELLER = [
    ("arenden_deltagare", "sammantrade"),
    ("arenden_punkt", "sammantrade"),
    ("arenden_justering", "sammantrade"),
    ("arenden_kallelsemottagare", "sammantrade"),
    ("arenden_jav", "punkt"),
    ("arenden_yrkande", "punkt"),
    ("arenden_votering", "punkt"),
    ("arenden_reservation", "punkt"),
    ("arenden_yttrande", "punkt"),
    ("arenden_punkt_bilagor", "punkt"),
    ("arenden_deltagare_franvarande_pa", "deltagare"),
]

FUNKTIONER = """
CREATE OR REPLACE FUNCTION arenden_justerat_mote(mote bigint) RETURNS boolean AS $$
    SELECT EXISTS (SELECT 1 FROM arenden_sammantrade WHERE id = mote AND justerat IS NOT NULL)
$$ LANGUAGE sql STABLE;

CREATE OR REPLACE FUNCTION arenden_mote_for(slag text, rad record) RETURNS bigint AS $$
DECLARE
    mote bigint;
BEGIN
    IF slag = 'sammantrade' THEN
        RETURN rad.sammantrade_id;
    ELSIF slag = 'punkt' THEN
        SELECT sammantrade_id INTO mote FROM arenden_punkt WHERE id = rad.punkt_id;
    ELSE
        SELECT sammantrade_id INTO mote FROM arenden_deltagare WHERE id = rad.deltagare_id;
    END IF;
    RETURN mote;
END
$$ LANGUAGE plpgsql STABLE;

CREATE OR REPLACE FUNCTION arenden_protokoll_las() RETURNS trigger AS $$
BEGIN
    IF (TG_OP <> 'INSERT' AND arenden_justerat_mote(arenden_mote_for(TG_ARGV[0], OLD)))
        OR (TG_OP <> 'DELETE' AND arenden_justerat_mote(arenden_mote_for(TG_ARGV[0], NEW)))
    THEN
        RAISE EXCEPTION 'protokollet är justerat och kan inte ändras: % på % nekas',
            TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION arenden_sammantrade_las() RETURNS trigger AS $$
BEGIN
    IF OLD.justerat IS NOT NULL AND (
        TG_OP = 'DELETE'
        OR (NEW.organ_id, NEW.datum, NEW.start, NEW.slut, NEW.plats, NEW.arende_id,
            NEW.kallad, NEW.justerat)
           IS DISTINCT FROM
           (OLD.organ_id, OLD.datum, OLD.start, OLD.slut, OLD.plats, OLD.arende_id,
            OLD.kallad, OLD.justerat)
    ) THEN
        RAISE EXCEPTION 'protokollet är justerat och kan inte ändras: % på % nekas',
            TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER arenden_sammantrade_las BEFORE UPDATE OR DELETE ON arenden_sammantrade
    FOR EACH ROW EXECUTE FUNCTION arenden_sammantrade_las();
"""


def _skapa(tabell: str, slag: str) -> str:
    return (
        f"CREATE TRIGGER {tabell}_las BEFORE INSERT OR UPDATE OR DELETE ON {tabell} "
        f"FOR EACH ROW EXECUTE FUNCTION arenden_protokoll_las('{slag}');"
    )


def framat(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNKTIONER, params=None)
        for tabell, slag in TABELLER:
            schema_editor.execute(_skapa(tabell, slag), params=None)


def bakat(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for tabell, _slag in TABELLER:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {tabell}_las ON {tabell};", params=None)
        schema_editor.execute(
            "DROP TRIGGER IF EXISTS arenden_sammantrade_las ON arenden_sammantrade;"
            "DROP FUNCTION IF EXISTS arenden_sammantrade_las();"
            "DROP FUNCTION IF EXISTS arenden_protokoll_las();"
            "DROP FUNCTION IF EXISTS arenden_mote_for(text, record);"
            "DROP FUNCTION IF EXISTS arenden_justerat_mote(bigint);",
            params=None,
        )


class Migration(migrations.Migration):
    dependencies = [("arenden", "0016_tjansteskrivelse_version")]

    operations = [migrations.RunPython(framat, bakat)]
