"""The migration that turns presence notes into links to the items keeps what the protokoll
said: a note naming an item of the meeting (by its place or its paragraph) becomes a link;
one naming no item of the meeting is kept word for word."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

FORE = [("arenden", "0013_kallelsemottagare")]
EFTER = [("arenden", "0014_narvaro_per_punkt")]


def _migrera(till):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(till)
    return executor.loader.project_state(till).apps


@pytest.fixture(autouse=True)
def tillbaka_till_senaste():
    """Whatever happens, the database ends at the latest migrations, as the next test needs."""
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_presence_notes_become_links_to_the_items_or_stay_as_words():
    apps = _migrera(FORE)
    Organ = apps.get_model("arenden", "Organ")
    Person = apps.get_model("arenden", "Person")
    Sammantrade = apps.get_model("arenden", "Sammantrade")
    Punkt = apps.get_model("arenden", "Punkt")
    Deltagare = apps.get_model("arenden", "Deltagare")
    organ = Organ.objects.create(kod="MIG", namn="Nämnden", typ="namnd", diarieprefix="MIG")
    mote = Sammantrade.objects.create(
        organ=organ, datum=datetime.date(2025, 11, 12), plats="Rum", state="genomfort"
    )
    forsta = Punkt.objects.create(sammantrade=mote, ordning=1, rubrik="Ett", paragraf=14)
    andra = Punkt.objects.create(sammantrade=mote, ordning=2, rubrik="Två", paragraf=15)
    rader = {}
    for namn, falt in [
        ("Borta", {"franvarande_pa": "14, 7a"}),
        ("Sen", {"anslot_fran": "2"}),
        ("Gick", {"lamnade_efter": "14"}),
        ("Hel", {}),
    ]:
        person = Person.objects.create(namn=namn, typ="fortroendevald")
        rader[namn] = Deltagare.objects.create(
            sammantrade=mote, person=person, roll="ledamot", **falt
        ).pk

    apps = _migrera(EFTER)
    Deltagare = apps.get_model("arenden", "Deltagare")
    borta, sen, gick, hel = (Deltagare.objects.get(pk=rader[n]) for n in rader)
    assert (list(borta.franvarande_pa.values_list("pk", flat=True)), borta.anteckning) == (
        [forsta.pk],
        "frånvarande på punkt 7a",
    )
    assert (sen.anslot_fran_id, sen.anteckning) == (andra.pk, "")
    assert (gick.lamnade_efter_id, gick.anteckning) == (forsta.pk, "")
    assert (hel.anslot_fran_id, hel.lamnade_efter_id, hel.anteckning) == (None, None, "")
