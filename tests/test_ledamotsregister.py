"""The register of an organ's ledamöter and ersättare (party, period, tjänstgöringsordning),
kept by its nämndsekreterare: the kallelse goes to everyone whose uppdrag is valid on the
meeting day (KL 5 kap. 12 §, 6 kap. 17 §) and the närvaro is filled from it; the sekreterare
is told whom the kallelse did not reach."""

import datetime
import re

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
    svar = sek.post(
        f"/sammantrade/{cast.mote.pk}/fyll-narvaro/",
        factories.fran_motessidan(cast.mote),
        follow=True,
    )
    assert "4 ledamöter och ersättare lades till" in svar.content.decode()
    assert cast.mote.deltagare.count() == 4
    handlaggare = Client()
    handlaggare.force_login(cast.handlaggare)
    handlaggare.post(
        f"/sammantrade/{cast.mote.pk}/fyll-narvaro/", factories.fran_motessidan(cast.mote)
    )
    assert cast.mote.deltagare.count() == 4


def uppdrag_for(cast, person):
    return Ledamotsuppdrag.objects.get(organ=cast.organ, person=person)


def test_an_uppdrag_is_ended_and_corrected_never_deleted_and_the_change_is_traced(cast):
    bo = uppdrag_for(cast, cast.bo)
    protokoll.andra_uppdrag(bo, user=cast.sekreterare, till=DAG.replace(month=11, day=1))
    bo.refresh_from_db()
    assert bo.till == DAG.replace(month=11, day=1)
    # ended before the meeting day: Bo is no longer called
    assert cast.bo.pk not in {u.person_id for u in Ledamotsuppdrag.giltiga(cast.organ, DAG)}
    protokoll.andra_uppdrag(bo, user=cast.sekreterare, ordning=7, parti="v")
    bo.refresh_from_db()
    assert (bo.ordning, bo.parti) == (7, "v")
    assert Ledamotsuppdrag.objects.filter(pk=bo.pk).exists()
    historik = list(bo.history.order_by("history_date"))
    assert [h.history_user for h in historik] == [cast.sekreterare] * 3
    assert [h.till for h in historik] == [None, bo.till, bo.till]
    assert historik[-1].history_change_reason == "rättat i ledamotsregistret"


def test_overlapping_periods_and_an_end_before_the_start_are_refused(cast):
    anna = uppdrag_for(cast, cast.anna)
    with pytest.raises(ValidationError, match="överlappar perioden"):
        protokoll.lagg_till_uppdrag(
            cast.organ, cast.anna, user=cast.sekreterare, uppdrag="ersattare", fran=DAG
        )
    with pytest.raises(ValidationError, match="sluta innan det börjar"):
        protokoll.andra_uppdrag(anna, user=cast.sekreterare, till=DAG.replace(year=2022))
    ny_person = ledamot("Fia Berg")
    with pytest.raises(ValidationError, match="sluta innan det börjar"):
        protokoll.lagg_till_uppdrag(
            cast.organ,
            ny_person,
            user=cast.sekreterare,
            uppdrag="ledamot",
            fran=DAG,
            till=DAG - datetime.timedelta(days=1),
        )
    # Eva's earlier uppdrag ended 2025-10-12: moving its end past a new one overlaps
    ny = protokoll.lagg_till_uppdrag(
        cast.organ, cast.eva, user=cast.sekreterare, uppdrag="ersattare", fran=DAG
    )
    gammal = Ledamotsuppdrag.objects.exclude(pk=ny.pk).get(person=cast.eva)
    with pytest.raises(ValidationError, match="överlappar perioden"):
        protokoll.andra_uppdrag(gammal, user=cast.sekreterare, till=None)
    with pytest.raises(PermissionDenied):
        protokoll.andra_uppdrag(anna, user=cast.handlaggare, till=DAG)
    anna.refresh_from_db()
    gammal.refresh_from_db()
    assert anna.till is None and gammal.till == DAG.replace(month=10)
    assert Ledamotsuppdrag.objects.count() == 6


def test_the_register_page_corrects_and_ends_an_uppdrag(cast):
    dan = uppdrag_for(cast, cast.dan)
    url = f"/organ/{cast.organ.pk}/ledamoter/{dan.pk}/"
    falt = {
        f"andra-{dan.pk}-uppdrag": "ersattare",
        f"andra-{dan.pk}-parti": "s",
        f"andra-{dan.pk}-fran": "2023-11-12",
        f"andra-{dan.pk}-till": "2022-01-01",
        f"andra-{dan.pk}-ordning": "1",
    }
    handlaggare = Client()
    handlaggare.force_login(cast.handlaggare)
    svar = handlaggare.post(url, falt, follow=True)
    assert "Bara nämndsekreteraren" in svar.content.decode()
    sek = Client()
    sek.force_login(cast.sekreterare)
    sida = sek.get(f"/organ/{cast.organ.pk}/ledamoter/").content.decode()
    assert "Rätta eller avsluta" in sida and url in sida
    falt["version"] = _version_pa(sida, url)
    svar = sek.post(url, falt, follow=True)
    assert svar.status_code == 200 and "sluta innan det börjar" in svar.content.decode()
    dan.refresh_from_db()
    assert dan.till is None
    falt[f"andra-{dan.pk}-till"] = "2025-12-31"
    assert sek.post(url, falt).status_code == 302
    dan.refresh_from_db()
    assert dan.till == datetime.date(2025, 12, 31)
    assert sek.post(url, {f"andra-{dan.pk}-fran": "inte ett datum"}).status_code == 302
    dan.refresh_from_db()
    assert dan.fran == datetime.date(2023, 11, 12)
    annat = factories.organ("KSN", "Kulturnämnden")
    assert sek.post(f"/organ/{annat.pk}/ledamoter/{dan.pk}/", falt).status_code == 404
    assert sek.get(url).status_code == 405


def _version_pa(sida: str, url: str) -> str:
    """The version the register page's form for ``url`` carries."""
    return re.search(rf'action="{url}".*?name="version" value="(\d+)"', sida, re.S).group(1)


def test_a_correction_read_before_anothers_is_refused_and_changes_nothing(cast):
    """Two nämndsekreterare have the register open. One ends Dan's uppdrag; the other, on the
    page read before, corrects his tjänstgöringsordning. The form sends every field, the old
    empty sista dag too: it would undo the ending unseen. It is refused, and the page read
    again takes the correction."""
    dan = uppdrag_for(cast, cast.dan)
    register = f"/organ/{cast.organ.pk}/ledamoter/"
    url = f"{register}{dan.pk}/"
    sek = Client()
    sek.force_login(cast.sekreterare)
    sida = sek.get(register).content.decode()
    protokoll.andra_uppdrag(dan, user=cast.sekreterare, till=datetime.date(2025, 12, 31))
    falt = {
        f"andra-{dan.pk}-uppdrag": "ersattare",
        f"andra-{dan.pk}-parti": "s",
        f"andra-{dan.pk}-fran": "2023-11-12",
        f"andra-{dan.pk}-till": "",
        f"andra-{dan.pk}-ordning": "3",
    }
    for version in (_version_pa(sida, url), None):  # read before the ending; no version at all
        data = falt if version is None else {**falt, "version": version}
        svar = sek.post(url, data, follow=True).content.decode()
        assert "Någon annan har ändrat uppdraget sedan du läste sidan." in svar
        dan.refresh_from_db()
        assert (dan.till, dan.ordning) == (datetime.date(2025, 12, 31), 1)
    assert dan.history.count() == 2  # added, ended
    sida = sek.get(register).content.decode()
    falt[f"andra-{dan.pk}-till"] = "2025-12-31"
    assert sek.post(url, {**falt, "version": _version_pa(sida, url)}).status_code == 302
    dan.refresh_from_db()
    assert (dan.till, dan.ordning) == (datetime.date(2025, 12, 31), 3)
