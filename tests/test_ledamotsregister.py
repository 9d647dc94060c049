"""The register of an organ's ledamöter and ersättare (party, period, tjänstgöringsordning),
kept by its nämndsekreterare: the kallelse goes to everyone whose uppdrag is valid on the
meeting day (KL 5 kap. 12 §, 6 kap. 17 §) and the närvaro is filled from it; the sekreterare
is told whom the kallelse did not reach."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from arenden.models import Deltagare, Ledamotsuppdrag, Person
from arenden.sammantraden import protokoll
from tests import factories
from tests.test_sammantraden_regler import cast_for
from workflow.engine import history

pytestmark = pytest.mark.django_db

DAG = datetime.date(2025, 11, 12)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def ledamot(namn, epost=""):
    user = factories.user(namn.lower().replace(" ", "-"))
    user.email = epost
    user.save()
    return factories.person(namn, anvandare=user, typ=Person.Typ.FORTROENDEVALD, parti="s")


@pytest.fixture
def cast():
    cast = cast_for("HSN")
    sek = cast.sekreterare
    cast.anna = ledamot("Anna Ek", "anna@example.se")
    cast.bo = ledamot("Bo Al")
    cast.cia = ledamot("Cia Lind", "cia@example.se")
    cast.dan = ledamot("Dan Gran", "dan@example.se")
    cast.eva = ledamot("Eva Asp", "eva@example.se")
    register = [
        (cast.anna, "ledamot", DAG.replace(year=2023), None, 1),
        (cast.bo, "ledamot", DAG.replace(year=2023), None, 2),
        (cast.cia, "ersattare", DAG.replace(year=2023), None, 2),
        (cast.dan, "ersattare", DAG.replace(year=2023), None, 1),
        # ended before the meeting
        (cast.eva, "ledamot", DAG.replace(year=2022), DAG.replace(month=10), 3),
    ]
    for person, uppdrag, fran, till, ordning in register:
        protokoll.lagg_till_uppdrag(
            cast.organ, person, user=sek, uppdrag=uppdrag, fran=fran, till=till, ordning=ordning
        )
    cast.mote = protokoll.planera(organ=cast.organ, datum=DAG, plats="Sessionssalen", user=sek)
    return cast


def test_the_narvaro_is_filled_from_the_register_valid_on_the_day(cast):
    protokoll.fyll_narvaro(cast.mote, user=cast.sekreterare)
    rader = [(d.person.namn, d.roll) for d in cast.mote.deltagare.select_related("person")]
    assert rader == [
        ("Anna Ek", Deltagare.Roll.LEDAMOT),
        ("Bo Al", Deltagare.Roll.LEDAMOT),
        ("Dan Gran", Deltagare.Roll.ERSATTARE),  # first in tjänstgöringsordning
        ("Cia Lind", Deltagare.Roll.ERSATTARE),
    ]
    # filled twice, nobody twice
    assert protokoll.fyll_narvaro(cast.mote, user=cast.sekreterare) == []


def test_the_kallelse_goes_to_the_register_and_names_whom_it_did_not_reach(cast):
    protokoll.kalla(cast.mote, user=cast.sekreterare)
    kallade = {r.person.namn: r.epost for r in cast.mote.kallelsemottagare.all()}
    assert kallade == {
        "Anna Ek": "anna@example.se",
        "Bo Al": "",
        "Cia Lind": "cia@example.se",
        "Dan Gran": "dan@example.se",
    }
    assert [p.namn for p in protokoll.ej_nadda(cast.mote)] == ["Bo Al"]
    steg = history(cast.mote).get(transition="kalla")
    assert "3 av 4 kallade" in steg.comment and "Ingen e-postadress: Bo Al." in steg.comment


def test_only_the_organs_sekreterare_keeps_the_register(cast):
    with pytest.raises(PermissionDenied):
        protokoll.lagg_till_uppdrag(
            cast.organ, cast.anna, user=cast.handlaggare, uppdrag="ledamot", fran=DAG
        )
    with pytest.raises(ValidationError, match="sluta innan det börjar"):
        protokoll.lagg_till_uppdrag(
            cast.organ,
            cast.anna,
            user=cast.sekreterare,
            uppdrag="ledamot",
            fran=DAG,
            till=DAG.replace(year=2024),
        )
    assert Ledamotsuppdrag.objects.count() == 5


def test_a_person_holds_one_seat_in_the_organ_at_a_time(cast):
    def lagg_till(person, uppdrag, fran, till=None):
        return protokoll.lagg_till_uppdrag(
            cast.organ, person, user=cast.sekreterare, uppdrag=uppdrag, fran=fran, till=till
        )

    # Anna is ledamot from 2023 with no end: not ersättare beside it, not ledamot twice
    for uppdrag in ("ersattare", "ledamot"):
        with pytest.raises(ValidationError, match="har redan ett uppdrag i"):
            lagg_till(cast.anna, uppdrag, DAG.replace(year=2026))
    with pytest.raises(ValidationError, match="har redan ett uppdrag i"):
        lagg_till(cast.anna, "ledamot", DAG.replace(year=2020), DAG.replace(year=2023))
    # Eva's ended in October: a new one from November fits, one reaching back does not
    with pytest.raises(ValidationError, match="har redan ett uppdrag i"):
        lagg_till(cast.eva, "ersattare", DAG.replace(month=10, day=1))
    lagg_till(cast.eva, "ersattare", DAG.replace(month=11, day=1))
    # a seat that ended before another began
    lagg_till(cast.anna, "ersattare", DAG.replace(year=2020), DAG.replace(year=2022))
    assert Ledamotsuppdrag.objects.count() == 7


def test_the_register_page(cast):
    url = f"/organ/{cast.organ.pk}/ledamoter/"
    assert Client().get(url).status_code == 302  # to the login page
    handlaggare = Client()
    handlaggare.force_login(cast.handlaggare)
    assert handlaggare.get(url).status_code == 403
    sek = Client()
    sek.force_login(cast.sekreterare)
    sek.get(url)
    with CaptureQueriesContext(connection) as fem:
        sida = sek.get(url)
    assert sida.status_code == 200 and "Dan Gran" in sida.content.decode()
    svar = sek.post(
        url,
        {
            "uppdrag-person": cast.eva.pk,
            "uppdrag-uppdrag": "ersattare",
            "uppdrag-fran": "2026-01-01",
            "uppdrag-till": "2025-01-01",
            "uppdrag-ordning": "3",
        },
        follow=True,
    )
    assert svar.status_code == 200 and "sluta innan det börjar" in svar.content.decode()
    svar = sek.post(
        url,
        {
            "uppdrag-person": cast.eva.pk,
            "uppdrag-uppdrag": "ersattare",
            "uppdrag-fran": "2026-01-01",
            "uppdrag-ordning": "3",
        },
    )
    assert svar.status_code == 302
    assert Ledamotsuppdrag.objects.count() == 6
    with CaptureQueriesContext(connection) as sex:
        assert sek.get(url).status_code == 200
    assert len(sex) == len(fem)
    assert Client().get("/organ/999999/ledamoter/").status_code == 302
    assert sek.get("/organ/999999/ledamoter/").status_code == 404


def test_the_meeting_page_fills_the_narvaro(cast):
    sek = Client()
    sek.force_login(cast.sekreterare)
    svar = sek.post(f"/sammantrade/{cast.mote.pk}/fyll-narvaro/", follow=True)
    assert "4 ledamöter och ersättare lades till" in svar.content.decode()
    assert cast.mote.deltagare.count() == 4
    handlaggare = Client()
    handlaggare.force_login(cast.handlaggare)
    handlaggare.post(f"/sammantrade/{cast.mote.pk}/fyll-narvaro/")
    assert cast.mote.deltagare.count() == 4
