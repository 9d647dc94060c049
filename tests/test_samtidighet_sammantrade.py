"""Nothing is lost, and nothing happens twice, when two people act on one meeting at the same
moment or one user clicks twice: each act below is driven over HTTP by two clients in two
threads, released together by a barrier, each with its own database connection, on a real
PostgreSQL (SQLite serialises every writer, so it could not show a race). What is asserted is
what a nämndsekreterare or a revisor would check afterwards: the rows, one chain entry per
act, the meeting's hash chain intact, and a Swedish message (never a 500) for the loser."""

import contextlib
import datetime
import threading
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.urls import resolve

from arenden.models import (
    Deltagare,
    Handling,
    Justering,
    Ledamotsuppdrag,
    Paragrafjustering,
    Person,
    Protokollfil,
    Punkt,
    Rattelse,
    Rattelsesignatur,
    Rost,
    Tjanstgoring,
    Votering,
)
from arenden.organisation import roles
from arenden.sammantraden import protokoll
from tests import factories
from tests.test_sammantraden_regler import Mote, cast_for
from workflow.engine import history
from workflow.history import verify_object

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

TEXT = "Beslutet avser 2026 års riktlinjer, inte 2025 års."


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def klient(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def dubbelklick(user) -> tuple[Client, Client]:
    """One browser clicking twice: two requests with the same session cookie."""
    forsta = klient(user)
    andra = Client()
    andra.cookies = forsta.cookies
    return forsta, andra


def nyckel() -> str:
    """The one-time key a page draws into its form (arenden.gemensamt.inskick)."""
    return uuid.uuid4().hex


#: what a form read before another's change is told (protokoll.andras)
INAKTUELL = "Någon annan har ändrat i sammanträdet sedan du läste sidan."

#: how long a request that has passed its checks waits inside its transaction for the other
#: one to get as far; with the lock in place the other is waiting for the lock instead, and
#: the first goes on alone when this has passed
MOTAS_SEKUNDER = 2


def samtidigt(*anrop) -> list:
    """Run the calls in threads released at once; return their responses (in call order).
    Each thread closes its own connection; an exception in one is re-raised here.

    Released at once is not enough: the first request may be done before the second reads
    anything. So each request, when it first saves a row in a service (``protokoll._spara``,
    after the service's checks and inside its transaction), waits there for the other to
    arrive too. Without a lock both arrive, both having checked the same state, and whatever
    the lock should prevent happens; with the lock the second waits for the lock, the first
    goes on after ``MOTAS_SEKUNDER`` and the second then reads what the first committed."""
    barrier = threading.Barrier(len(anrop))
    inne = threading.Barrier(len(anrop))
    lokal = threading.local()
    spara = protokoll._spara
    svar: list = [None] * len(anrop)

    def spara_och_motas(*args, **kwargs):
        if getattr(lokal, "motas", False):
            lokal.motas = False
            with contextlib.suppress(threading.BrokenBarrierError):
                inne.wait(timeout=MOTAS_SEKUNDER)
        return spara(*args, **kwargs)

    def kor(i, fn):
        lokal.motas = True
        try:
            barrier.wait()
            svar[i] = fn()
        except Exception as error:  # noqa: BLE001 - re-raised in the test's thread
            svar[i] = error
        finally:
            connection.close()

    trådar = [threading.Thread(target=kor, args=(i, fn)) for i, fn in enumerate(anrop)]
    protokoll._spara = spara_och_motas
    try:
        for tråd in trådar:
            tråd.start()
        for tråd in trådar:
            tråd.join()
    finally:
        protokoll._spara = spara
    for s in svar:
        if isinstance(s, BaseException):
            raise s
    return svar


def post(c: Client, url: str, data=None):
    """A POST from the meeting page as it reads now, with the meeting's version: read here,
    before the calls run, so that calls made together were read from the same page."""
    sammantrade = _sammantrade_for(url)
    if sammantrade is not None:
        data = factories.fran_motessidan(sammantrade, data)
    return lambda: c.post(url, data or {}, follow=True)


def _sammantrade_for(url: str) -> int | None:
    """The meeting a form at ``url`` changes (None: the organ's register, not a meeting)."""
    match = resolve(url)
    pk = match.kwargs["pk"]
    if match.url_name.startswith("mote_"):
        return pk
    if match.url_name.startswith("punkt_"):
        return Punkt.objects.get(pk=pk).sammantrade_id
    if match.url_name == "rattelse_signera":
        return Rattelse.objects.get(pk=pk).sammantrade_id
    if match.url_name == "tjanstgoring_ta_bort":
        return Tjanstgoring.objects.get(pk=pk).punkt.sammantrade_id
    return None


def sidor(svar) -> list[str]:
    """Every response was a page (after the redirect), none a server error."""
    assert [s.status_code for s in svar] == [200] * len(svar)
    return [s.content.decode() for s in svar]


def overgangar(sammantrade, namn: str) -> int:
    return history(sammantrade).filter(transition=namn).count()


def intakt(mote: Mote) -> None:
    rapport = verify_object(mote.las_om())
    assert rapport.intact, rapport.broken


# -- rättelse (FL 36 §) ---------------------------------------------------------------------


def test_a_double_clicked_rattelse_is_proposed_once():
    mote = Mote(cast_for("HSN")).till("anslaget")
    url = f"/sammantrade/{mote.sammantrade.pk}/rattelse/"
    data = {"rattelse-text": TEXT, "rattelse-punkt": mote.arendepunkt.pk, "inskick": nyckel()}
    forsta, andra = dubbelklick(mote.sek)
    sidor(samtidigt(post(forsta, url, data), post(andra, url, data)))
    assert Rattelse.objects.filter(sammantrade=mote.sammantrade).count() == 1
    assert overgangar(mote.las_om(), "foresla_rattelse") == 1
    intakt(mote)


def test_ordforande_and_justerare_signing_a_rattelse_at_once_both_count_and_it_applies_once():
    mote = Mote(cast_for("HSN")).till("anslaget")
    rattelse = protokoll.foresla_rattelse(
        mote.las_om(), user=mote.sek, punkt=mote.arendepunkt, text=TEXT
    )
    url = f"/rattelse/{rattelse.pk}/signera/"
    ordf, just = klient(mote.ordforande_user), klient(mote.justerare_user)
    texter = sidor(samtidigt(post(ordf, url), post(just, url)))
    # each signer is told what happened to their signature: one noted, one made it apply
    assert sorted("Rättelsen är signerad och gäller" in t for t in texter) == [False, True]
    assert any("Din signatur är antecknad" in t for t in texter)
    assert {s.person for s in Rattelsesignatur.objects.filter(rattelse=rattelse)} == {
        mote.ordforande,
        mote.justerare,
    }
    rattelse.refresh_from_db()
    assert rattelse.giltig is not None
    # filed anew once: one version 2, with one checksum
    andra = Protokollfil.objects.filter(sammantrade=mote.sammantrade, version=2, publik=False)
    assert andra.count() == 1 and andra.get().rattelse == rattelse
    assert Protokollfil.objects.filter(sammantrade=mote.sammantrade, version__gt=2).count() == 0
    # the chain: the proposal, one signature, the rättelse in effect; no fork
    s = mote.las_om()
    assert [h.transition for h in history(s)][-3:] == [
        "foresla_rattelse",
        "signera_rattelse",
        "ratta",
    ]
    assert overgangar(s, "ratta") == 1
    intakt(mote)


def test_a_justerare_signing_a_rattelse_in_two_tabs_signs_once():
    mote = Mote(cast_for("HSN")).till("anslaget")
    rattelse = protokoll.foresla_rattelse(
        mote.las_om(), user=mote.sek, punkt=mote.arendepunkt, text=TEXT
    )
    url = f"/rattelse/{rattelse.pk}/signera/"
    flik1, flik2 = dubbelklick(mote.justerare_user)
    texter = sidor(
        samtidigt(post(flik1, url, {"inskick": nyckel()}), post(flik2, url, {"inskick": nyckel()}))
    )
    assert any("var och en en gång" in t for t in texter)
    assert Rattelsesignatur.objects.filter(rattelse=rattelse).count() == 1
    assert overgangar(mote.las_om(), "signera_rattelse") == 1
    intakt(mote)


# -- votering by name (KL 5 kap. 53 §, 6 kap. 33 §) ------------------------------------------


def _votering_data(mote) -> dict:
    svar = {mote.ordforande: "ja", mote.justerare: "ja", mote.ledamot: "nej", mote.annan: "avstar"}
    data = {
        "votering-omrostning": "namn",
        "votering-proposition": "Bifall mot avslag; ja för bifall.",
        "votering-resultat": "Nämnden bifaller förslaget.",
    }
    data.update({f"votering-rost_{p.pk}": r for p, r in svar.items()})
    return data


@pytest.mark.parametrize("hur", ["dubbelklick", "två sekreterare"])
def test_one_votering_recorded_at_once_twice_is_recorded_once(hur):
    mote = Mote(cast_for("HSN")).till("kallat")
    url = f"/punkt/{mote.arendepunkt.pk}/votering/"
    data = _votering_data(mote)
    if hur == "dubbelklick":
        forsta, andra = dubbelklick(mote.sek)
        nyckeln = nyckel()
        anrop = [
            post(forsta, url, {**data, "inskick": nyckeln}),
            post(andra, url, {**data, "inskick": nyckeln}),
        ]
    else:
        andra_sek = factories.user(
            "sekreterare-2", organ_role=roles.NAMNDSEKRETERARE, on=mote.cast.organ
        )
        anrop = [
            post(klient(mote.sek), url, {**data, "inskick": nyckel()}),
            post(klient(andra_sek), url, {**data, "inskick": nyckel()}),
        ]
    texter = sidor(samtidigt(*anrop))
    if hur != "dubbelklick":
        # the second read the page before the first was recorded: refused as stale
        assert any(INAKTUELL in t for t in texter)
    [votering] = Votering.objects.filter(punkt=mote.arendepunkt)
    # each serving member's answer once, and the totals are theirs
    roster = Rost.objects.filter(votering=votering)
    assert roster.count() == 4
    assert sorted(roster.values_list("person", flat=True)) == sorted(
        p.pk for p in (mote.ordforande, mote.justerare, mote.ledamot, mote.annan)
    )
    assert (votering.ja, votering.nej, votering.avstar) == (2, 1, 1)
    assert votering.ja + votering.nej + votering.avstar == protokoll.antal_tjanstgorande(
        Punkt.objects.get(pk=mote.arendepunkt.pk), mote.las_om()
    )
    intakt(mote)


# -- omedelbar justering (KL 5 kap. 69 §, 6 kap. 35 §) --------------------------------------


def test_ordforande_and_justerare_justerar_a_paragraph_at_once_it_is_justerad_once():
    mote = Mote(cast_for("HSN")).till("kallat")
    mote.besluta()
    url = f"/punkt/{mote.arendepunkt.pk}/justera-omedelbart/"
    sidor(
        samtidigt(post(klient(mote.ordforande_user), url), post(klient(mote.justerare_user), url))
    )
    assert {j.person for j in Paragrafjustering.objects.filter(punkt=mote.arendepunkt)} == {
        mote.ordforande,
        mote.justerare,
    }
    assert Punkt.objects.get(pk=mote.arendepunkt.pk).omedelbart_justerad is not None
    # the utdrag filed in the ärende once
    assert mote.arende.handlingar.filter(typ=Handling.Typ.PROTOKOLLSUTDRAG).count() == 1
    s = mote.las_om()
    assert overgangar(s, "justera_paragraf") == 2
    assert "omedelbart justerad" in history(s).filter(transition="justera_paragraf").last().comment
    intakt(mote)


# -- ledamotsregister and närvaro ------------------------------------------------------------


def _uppdrag_data(person) -> dict:
    return {
        "uppdrag-person": person.pk,
        "uppdrag-uppdrag": "ledamot",
        "uppdrag-fran": "2026-01-01",
        "uppdrag-ordning": "1",
    }


@pytest.mark.parametrize("hur", ["dubbelklick", "två flikar"])
def test_one_uppdrag_added_twice_at_once_is_in_the_register_once(hur):
    cast = cast_for("HSN")
    person = Mote.person("Ada Berg")
    url = f"/organ/{cast.organ.pk}/ledamoter/"
    data = _uppdrag_data(person)
    forsta, andra = dubbelklick(cast.sekreterare)
    if hur == "dubbelklick":
        nycklar = [nyckel()] * 2
    else:
        nycklar = [nyckel(), nyckel()]
    texter = sidor(
        samtidigt(
            post(forsta, url, {**data, "inskick": nycklar[0]}),
            post(andra, url, {**data, "inskick": nycklar[1]}),
        )
    )
    assert Ledamotsuppdrag.objects.filter(organ=cast.organ, person=person).count() == 1
    if hur != "dubbelklick":
        assert any("redan" in t for t in texter)


def test_filling_the_narvaro_twice_at_once_puts_everyone_in_it_once():
    cast = cast_for("HSN")
    mote = Mote(cast)
    nya = [Mote.person(namn) for namn in ("Ada Berg", "Bert Dahl", "Cecilia Ek")]
    for i, person in enumerate(nya):
        protokoll.lagg_till_uppdrag(
            cast.organ,
            person,
            user=cast.sekreterare,
            uppdrag="ersattare",
            fran=datetime.date(2020, 1, 1),
            ordning=i + 1,
        )
    url = f"/sammantrade/{mote.sammantrade.pk}/fyll-narvaro/"
    texter = sidor(
        samtidigt(
            post(klient(cast.sekreterare), url, {"inskick": nyckel()}),
            post(klient(cast.sekreterare), url, {"inskick": nyckel()}),
        )
    )
    # the second read the page before the first filled it: refused as stale, nothing added
    assert sorted(t for t in ("3 ledamöter", INAKTUELL) if any(t in x for x in texter)) == [
        "3 ledamöter",
        INAKTUELL,
    ]
    rader = Deltagare.objects.filter(sammantrade=mote.sammantrade)
    assert rader.filter(person__in=nya).count() == 3
    assert rader.count() == 5 + 3
    assert len(set(rader.values_list("ordning", flat=True))) == rader.count()


# -- justering of the whole protokoll (KL 5 kap. 69 §, 6 kap. 35 §; TF 2 kap. 10 §) ---------


def test_ordforande_and_justerare_justerar_the_protokoll_at_once_it_is_filed_once():
    mote = Mote(cast_for("HSN")).till("genomfort")
    url = f"/sammantrade/{mote.sammantrade.pk}/justera/"
    texter = sidor(
        samtidigt(post(klient(mote.ordforande_user), url), post(klient(mote.justerare_user), url))
    )
    assert all("Du har justerat protokollet" in t for t in texter)
    assert {j.person for j in Justering.objects.filter(sammantrade=mote.sammantrade)} == {
        mote.ordforande,
        mote.justerare,
    }
    s = mote.las_om()
    assert s.state == "justerat" and s.justerat is not None
    [fil] = Protokollfil.objects.filter(sammantrade=s, publik=False)
    assert fil.version == 1 and len(fil.sha256) == 64
    assert overgangar(s, "justera") + overgangar(s, "justera_utan_anslag") == 1
    intakt(mote)


def test_a_justerare_double_clicking_justera_signs_once():
    mote = Mote(cast_for("HSN")).till("genomfort")
    url = f"/sammantrade/{mote.sammantrade.pk}/justera/"
    forsta, andra = dubbelklick(mote.ordforande_user)
    k = nyckel()
    sidor(samtidigt(post(forsta, url, {"inskick": k}), post(andra, url, {"inskick": k})))
    assert Justering.objects.filter(sammantrade=mote.sammantrade).count() == 1
    assert mote.las_om().state == "genomfort"
    assert Person.objects.get(pk=mote.justerare.pk) in protokoll.saknar_justering(mote.las_om())
    intakt(mote)
