"""The register of an organ's ledamöter and ersättare: the kallelse goes to those whose
uppdrag runs on the meeting day, the närvaro is filled from it in tjänstgöringsordning, and
the sekreterare is told whom the kallelse did not reach."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from arenden.models import Deltagare, Ledamotsuppdrag, Person
from arenden.sammantraden import protokoll
from tests import factories
from workflow.engine import history

pytestmark = pytest.mark.django_db

MOTESDAG = datetime.date(2025, 11, 12)
PERIOD = datetime.date(2023, 1, 1)


def fortroendevald(namn, parti, epost=""):
    konto = factories.user(namn.lower().replace(" ", "-"))
    konto.email = epost
    konto.save()
    return factories.person(namn, anvandare=konto, typ=Person.Typ.FORTROENDEVALD, parti=parti)


@pytest.fixture
def cast():
    return factories.Cast()


@pytest.fixture
def register(cast):
    sek = cast.sekreterare
    led = fortroendevald("Anna Ek", "S", "anna@example.se")
    led2 = fortroendevald("Bo Al", "M", "bo@example.se")
    ers2 = fortroendevald("Cia Asp", "C")  # no address
    ers1 = fortroendevald("Dan Lind", "V", "dan@example.se")
    gammal = fortroendevald("Eva Gran", "L", "eva@example.se")
    ny = fortroendevald("Fia Rönn", "KD", "fia@example.se")
    for person, roll, ordning, fran, till in [
        (led, "ledamot", 1, PERIOD, None),
        (led2, "ledamot", 2, PERIOD, datetime.date(2026, 12, 31)),
        (ers2, "ersattare", 2, PERIOD, None),
        (ers1, "ersattare", 1, PERIOD, None),
        (gammal, "ledamot", 3, PERIOD, datetime.date(2025, 11, 11)),
        (ny, "ledamot", 3, datetime.date(2025, 11, 13), None),
    ]:
        protokoll.ge_uppdrag(
            cast.organ, person, roll=roll, fran=fran, till=till, ordning=ordning, user=sek
        )
    return {"led": led, "led2": led2, "ers1": ers1, "ers2": ers2}


def test_kallelse_goes_to_ledamoter_and_ersattare_valid_on_the_meeting_day(
    cast, register, django_capture_on_commit_callbacks
):
    mote = protokoll.planera(
        organ=cast.organ, datum=MOTESDAG, plats="Sessionssalen", user=cast.sekreterare
    )
    with django_capture_on_commit_callbacks(execute=True):
        protokoll.kalla(mote, user=cast.sekreterare)
    [brev] = mail.outbox
    # Eva's uppdrag ended the day before, Fia's starts the day after
    assert sorted(brev.bcc) == ["anna@example.se", "bo@example.se", "dan@example.se"]
    kallade = [r.person.namn for r in mote.kallelsemottagare.all()]
    assert kallade == ["Anna Ek", "Bo Al", "Dan Lind", "Cia Asp"]
    # the sekreterare is told whom it did not reach, on the page and in the history
    assert [p.namn for p in protokoll.ej_nadda(mote)] == ["Cia Asp"]
    [steg] = [h for h in history(mote) if h.transition == "kalla"]
    assert "3 av 4 kallade" in steg.comment and "Ingen e-postadress: Cia Asp." in steg.comment


def test_narvaro_is_filled_from_the_register_in_tjanstgoringsordning(cast, register):
    mote = protokoll.planera(
        organ=cast.organ, datum=MOTESDAG, plats="Sessionssalen", user=cast.sekreterare
    )
    # the ordförande is already entered; she is not added twice
    protokoll.lagg_till_deltagare(
        mote, register["led"], roll=Deltagare.Roll.ORDFORANDE, user=cast.sekreterare
    )
    nya = protokoll.fyll_narvaro(mote, user=cast.sekreterare)
    assert [d.person.namn for d in nya] == ["Bo Al", "Dan Lind", "Cia Asp"]
    rader = [(d.person.namn, d.roll) for d in mote.deltagare.all()]
    assert rader == [
        ("Anna Ek", "ordforande"),
        ("Bo Al", "ledamot"),
        ("Dan Lind", "ersattare"),
        ("Cia Asp", "ersattare"),
    ]
    # filling again adds no one
    assert protokoll.fyll_narvaro(mote, user=cast.sekreterare) == []


def test_only_the_organs_namndsekreterare_keeps_the_register(cast):
    person = fortroendevald("Gun Berg", "MP")
    annan = factories.Cast("RS")
    for user in (cast.handlaggare, cast.stabschef, cast.revisor, annan.sekreterare):
        with pytest.raises(PermissionDenied):
            protokoll.ge_uppdrag(cast.organ, person, roll="ledamot", fran=PERIOD, user=user)
    assert not Ledamotsuppdrag.objects.exists()


def test_an_uppdrag_is_refused_when_it_ends_before_it_starts_or_overlaps_another(cast):
    person = fortroendevald("Hans Ask", "SD")
    sek = cast.sekreterare
    with pytest.raises(ValidationError, match="sluta innan det börjar"):
        protokoll.ge_uppdrag(
            cast.organ,
            person,
            roll="ledamot",
            fran=PERIOD,
            till=datetime.date(2022, 1, 1),
            user=sek,
        )
    with pytest.raises(ValidationError, match="Okänd roll"):
        protokoll.ge_uppdrag(cast.organ, person, roll="ordforande", fran=PERIOD, user=sek)
    protokoll.ge_uppdrag(
        cast.organ,
        person,
        roll="ersattare",
        fran=PERIOD,
        till=datetime.date(2024, 6, 30),
        user=sek,
    )
    with pytest.raises(ValidationError, match="redan ett uppdrag"):
        protokoll.ge_uppdrag(
            cast.organ, person, roll="ledamot", fran=datetime.date(2024, 6, 30), user=sek
        )
    # from the day after, the ersättare becomes a ledamot; the party comes from the person
    ny = protokoll.ge_uppdrag(
        cast.organ, person, roll="ledamot", fran=datetime.date(2024, 7, 1), user=sek
    )
    assert ny.parti == "SD"
    assert [u.roll for u in protokoll.uppdrag_pa(cast.organ, MOTESDAG)] == ["ledamot"]


# -- the page ------------------------------------------------------------------------------------


def test_register_page_costs_the_same_queries_for_three_uppdrag_as_for_thirty(client, cast):
    client.force_login(cast.sekreterare)
    url = f"/organ/{cast.organ.pk}/ledamoter/"

    def cost(n):
        for i in range(Ledamotsuppdrag.objects.count(), n):
            protokoll.ge_uppdrag(
                cast.organ,
                fortroendevald(f"Ledamot {i}", "S"),
                roll="ersattare",
                fran=PERIOD,
                ordning=i,
                user=cast.sekreterare,
            )
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        assert response.content.decode().count("<td>ersättare</td>") == n
        return len(queries)

    assert cost(3) == cost(30)


def test_the_sekreterare_enters_an_uppdrag_on_the_page_and_others_are_refused(client, cast):
    person = fortroendevald("Ivar Sund", "S")
    url = f"/organ/{cast.organ.pk}/ledamoter/"
    client.force_login(cast.sekreterare)
    assert f'href="{url}"' in client.get("/sammantraden/").content.decode()
    falt = {"person": person.pk, "roll": "ledamot", "fran": "2023-01-01", "ordning": "1"}
    svar = client.post(url, {**falt, "till": "2022-12-31"})
    assert svar.status_code == 200
    assert "Uppdraget kan inte sluta innan det börjar." in svar.content.decode()
    svar = client.post(url, {**falt, "fran": "inte ett datum"})
    assert svar.status_code == 200 and not Ledamotsuppdrag.objects.exists()
    svar = client.post(url, falt, follow=True)
    sida = svar.content.decode()
    assert "Uppdraget är infört i registret." in sida and "Ivar Sund" in sida
    assert "tills vidare" in sida
    for user in (cast.handlaggare, cast.revisor, factories.Cast("RS").sekreterare):
        client.force_login(user)
        assert client.get(url).status_code == 403
        assert client.post(url, {**falt, "fran": "2030-01-01"}).status_code == 403
    assert Ledamotsuppdrag.objects.count() == 1
    assert client.get("/organ/999999/ledamoter/").status_code == 404
