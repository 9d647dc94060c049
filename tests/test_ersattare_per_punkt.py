"""An ersättare who steps in for one item only (KL 5 kap. 17 §, 6 kap. 16 §): a ledamot who
is jävig in an item (KL 5 kap. 47 §, 6 kap. 28 §) or absent from it does not decide it, and
the first present ersättare of the same party in the tjänstgöringsordning may serve in that
seat, in that item and no other. The meeting page proposes who, the nämndsekreterare
confirms or removes it before the protokoll is drawn up, every rule that asks who decides
(votering, yrkande, reservation) asks it per item, and the protokoll says who served for
whom in which paragraph."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from arenden.dokument import services as dokument
from arenden.models import Deltagare, Person, Punkt, Tjanstgoring
from arenden.organisation import roles
from arenden.sammantraden import protokoll
from tests import factories
from tests.test_sammantraden import both, one_line
from tests.test_sammantraden_regler import cast_for
from tests.test_samtidighet_sammantrade import INAKTUELL, klient, nyckel, post, samtidigt, sidor

pytestmark = pytest.mark.django_db

DAG = datetime.date(2025, 11, 12)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def fortroendevald(namn, parti):
    return factories.person(namn, typ=Person.Typ.FORTROENDEVALD, parti=parti)


def ny_cast():
    """HSN with two ledamöter (s) and three ersättare: Olle (m) first in the
    tjänstgöringsordning, then Dan (s), then Cia (s)."""
    cast = cast_for("HSN")
    cast.anna = fortroendevald("Anna Ek", "s")
    cast.bo = fortroendevald("Bo Al", "s")
    cast.olle = fortroendevald("Olle Berg", "m")
    cast.dan = fortroendevald("Dan Gran", "s")
    cast.cia = fortroendevald("Cia Lind", "s")
    for person, uppdrag, ordning in [
        (cast.anna, "ledamot", 1),
        (cast.bo, "ledamot", 2),
        (cast.olle, "ersattare", 1),
        (cast.dan, "ersattare", 2),
        (cast.cia, "ersattare", 3),
    ]:
        protokoll.lagg_till_uppdrag(
            cast.organ,
            person,
            user=cast.sekreterare,
            uppdrag=uppdrag,
            fran=DAG.replace(year=2023),
            ordning=ordning,
        )
    return cast


def nytt_mote(cast, datum=DAG, punkter=2):
    """A meeting with the register's närvaro (Cia put in first, so the närvaro's order is
    not the tjänstgöringsordning) and ``punkter`` items, kallat."""
    sek = cast.sekreterare
    mote = protokoll.planera(organ=cast.organ, datum=datum, plats="Sessionssalen", user=sek)
    protokoll.lagg_till_deltagare(mote, cast.cia, roll=Deltagare.Roll.ERSATTARE, user=sek)
    protokoll.fyll_narvaro(mote, user=sek)
    mote.lista = [
        protokoll.lagg_till_punkt(
            mote, user=sek, rubrik=f"Punkt {i + 1}", typ="ovrigt", slag="informationsarende"
        )
        for i in range(punkter)
    ]
    protokoll.kalla(mote, user=sek)
    return mote


@pytest.fixture
def cast():
    cast = ny_cast()
    cast.mote = nytt_mote(cast)
    cast.forsta, cast.andra = cast.mote.lista
    return cast


def rad(cast, person) -> Deltagare:
    return cast.mote.deltagare.get(person=person)


def ersatt(cast, ersattare, ledamot, punkt=None):
    return protokoll.tjanstgor_for(
        punkt or cast.forsta,
        rad(cast, ersattare),
        rad(cast, ledamot),
        user=cast.sekreterare,
    )


def forslag(cast, punkt):
    """The proposal as the page computes it, by name."""
    s = cast.mote
    deltagare = list(protokoll.narvaron(s))
    punkt = Punkt.objects.prefetch_related("jav").get(pk=punkt.pk)
    register = protokoll.ersattarregister(s)
    return [
        (e.person.namn, led.person.namn)
        for e, led in protokoll.foreslagna_ersattare(punkt, deltagare, register)
    ]


def votera(cast, punkt, roster):
    return protokoll.registrera_votering(
        punkt,
        user=cast.sekreterare,
        proposition=f"Bifall mot avslag ({punkt.rubrik})",
        resultat="Nämnden bifaller.",
        roster=roster,
    )


def test_a_javig_ledamot_is_replaced_in_that_item_only_and_the_votes_follow(cast):
    sek = cast.sekreterare
    protokoll.anmal_jav(cast.forsta, cast.anna, user=sek)
    ersatt(cast, cast.dan, cast.anna)
    # under the first item Dan votes in Anna's seat, and Anna does not
    with pytest.raises(ValidationError, match=r"Anna Ek \(s\) tjänstgör inte under punkt 1"):
        votera(cast, cast.forsta, {cast.anna: "ja", cast.bo: "ja", cast.dan: "nej"})
    votering = votera(cast, cast.forsta, {cast.bo: "ja", cast.dan: "nej"})
    assert (votering.ja, votering.nej) == (1, 1)
    assert {r.person for r in votering.roster.all()} == {cast.bo, cast.dan}
    assert protokoll.antal_tjanstgorande(cast.forsta, cast.mote) == 2
    # under the next one Anna is back and Dan only attends
    with pytest.raises(ValidationError, match=r"Dan Gran \(s\) tjänstgör inte under punkt 2"):
        votera(cast, cast.andra, {cast.anna: "ja", cast.bo: "ja", cast.dan: "nej"})
    votering = votera(cast, cast.andra, {cast.anna: "ja", cast.bo: "nej"})
    assert {r.person for r in votering.roster.all()} == {cast.anna, cast.bo}
    # and so does every rule that asks who decides: a yrkande is Dan's in the first only
    protokoll.lagg_till_yrkande(cast.forsta, cast.dan, user=sek, text="bifall")
    with pytest.raises(ValidationError, match="deltar inte i beslutet under punkt 2"):
        protokoll.lagg_till_yrkande(cast.andra, cast.dan, user=sek, text="bifall")


def test_the_proposal_is_the_first_present_ersattare_of_the_party_in_order(cast):
    sek = cast.sekreterare
    assert forslag(cast, cast.forsta) == []
    protokoll.anmal_jav(cast.forsta, cast.anna, user=sek)
    # Olle (m) comes first in the order but is of another party; Cia is first in the
    # närvaro but second of the party
    assert forslag(cast, cast.forsta) == [("Dan Gran", "Anna Ek")]
    assert forslag(cast, cast.andra) == []
    # two seats missing: one ersättare each, in order
    protokoll.andra_narvaro(rad(cast, cast.bo), user=sek, franvarande_pa=[cast.forsta])
    assert forslag(cast, cast.forsta) == [("Dan Gran", "Anna Ek"), ("Cia Lind", "Bo Al")]
    # a jävig ersättare, or one absent from the item, is passed over
    protokoll.anmal_jav(cast.forsta, cast.dan, user=sek)
    assert forslag(cast, cast.forsta) == [("Cia Lind", "Anna Ek")]
    # once confirmed, the seat is filled and not proposed again
    ersatt(cast, cast.cia, cast.anna)
    assert forslag(cast, cast.forsta) == []
    # only a proposal: nobody serves for the whole meeting
    assert not Deltagare.objects.filter(ersatter__isnull=False).exists()


def test_what_is_refused_and_why(cast):
    sek = cast.sekreterare
    protokoll.anmal_jav(cast.forsta, cast.anna, user=sek)
    protokoll.anmal_jav(cast.forsta, cast.dan, user=sek)
    with pytest.raises(ValidationError, match=r"Dan Gran \(s\) är jävig under punkt 1"):
        ersatt(cast, cast.dan, cast.anna)
    protokoll.andra_narvaro(rad(cast, cast.cia), user=sek, narvarande=False)
    with pytest.raises(ValidationError, match=r"Cia Lind \(s\) är inte närvarande under punkt 1"):
        ersatt(cast, cast.cia, cast.anna)
    with pytest.raises(ValidationError, match=r"Bo Al \(s\) är inte ersättare i Hälso"):
        ersatt(cast, cast.bo, cast.anna)
    with pytest.raises(ValidationError, match=r"Anna Ek \(s\) deltar under punkt 2"):
        ersatt(cast, cast.olle, cast.anna, cast.andra)
    # the sekreterare may choose another party's ersättare than proposed
    ersatt(cast, cast.olle, cast.anna)
    protokoll.andra_narvaro(rad(cast, cast.cia), user=sek, narvarande=True)
    with pytest.raises(ValidationError, match=r"tjänstgör redan för Anna Ek \(s\) under punkt 1"):
        ersatt(cast, cast.cia, cast.anna)
    protokoll.anmal_jav(cast.forsta, cast.bo, user=sek)
    with pytest.raises(ValidationError, match=r"Olle Berg \(m\) tjänstgör redan för en annan"):
        ersatt(cast, cast.olle, cast.bo)
    assert [(t.ersattare.person, t.ledamot.person) for t in Tjanstgoring.objects.all()] == [
        (cast.olle, cast.anna)
    ]


def test_after_upprattande_nothing_changes_and_the_protokoll_numbers_the_paragraphs(cast):
    sek = cast.sekreterare
    protokoll.anmal_jav(cast.forsta, cast.anna, user=sek)
    rad_ = ersatt(cast, cast.dan, cast.anna)
    for text in both(dokument.protokoll(cast.mote)):
        text = one_line(text)
        assert "Ersättare Dan Gran (s) tjänstgör för Anna Ek (s) i punkt 1." in text
        assert "Dan Gran (s), tjänstgör för Anna Ek på punkt 1" in text
        assert "i punkt 2." not in text
    # the protokoll is drawn up with an ordförande and a justerare to justera it
    factories.narvaro(cast.mote, sek)
    protokoll.uppratta(cast.mote, user=sek)
    forsta = Punkt.objects.get(pk=cast.forsta.pk)
    assert forsta.paragraf is not None
    for text in both(dokument.protokoll(cast.mote)):
        text = one_line(text)
        assert f"Ersättare Dan Gran (s) tjänstgör för Anna Ek (s) i § {forsta.paragraf}." in text
        assert f"tjänstgör för Anna Ek på punkt {forsta.paragraf}" in text
    with pytest.raises(ValidationError, match="när protokollet är upprättat"):
        protokoll.ta_bort_tjanstgoring(rad_, user=sek)
    protokoll.anmal_jav(cast.andra, cast.bo, user=sek)  # jäv may still be noted
    with pytest.raises(ValidationError, match="när protokollet är upprättat"):
        ersatt(cast, cast.cia, cast.bo, cast.andra)
    c = klient(sek)
    svar = c.post(
        f"/punkt/{cast.andra.pk}/tjanstgoring/",
        factories.fran_motessidan(
            cast.mote, {"ersattare": rad(cast, cast.cia).pk, "ledamot": rad(cast, cast.bo).pk}
        ),
        follow=True,
    )
    assert "när protokollet är upprättat" in svar.content.decode()
    assert "Bekräfta" not in c.get(f"/sammantrade/{cast.mote.pk}/").content.decode()
    assert Tjanstgoring.objects.count() == 1


def test_the_page_proposes_confirms_once_and_removes(cast):
    sek = klient(cast.sekreterare)
    url = f"/sammantrade/{cast.mote.pk}/"
    protokoll.anmal_jav(cast.forsta, cast.anna, user=cast.sekreterare)
    sida = sek.get(url).content.decode()
    assert "Förslag: Dan Gran (s) tjänstgör för Anna Ek (s)" in sida
    data = {"ersattare": rad(cast, cast.dan).pk, "ledamot": rad(cast, cast.anna).pk}
    bekrafta = f"/punkt/{cast.forsta.pk}/tjanstgoring/"
    forsta = sek.post(
        bekrafta, factories.fran_motessidan(cast.mote, data), follow=True
    ).content.decode()
    assert "Dan Gran (s) tjänstgör för Anna Ek (s) under punkt 1." in forsta
    assert "Ersättare Dan Gran (s) tjänstgör för Anna Ek (s) i punkt 1." in forsta
    assert "Förslag:" not in forsta
    # sent again, read afresh (a second tab): one row and a clear message
    andra = sek.post(bekrafta, factories.fran_motessidan(cast.mote, data), follow=True)
    assert andra.status_code == 200
    assert "En ersättare tjänstgör redan för Anna Ek (s) under punkt 1." in andra.content.decode()
    [tjanstgoring] = Tjanstgoring.objects.all()
    # bad input changes nothing and is answered in Swedish
    for fel in ({"ersattare": "x", "ledamot": ""}, {}, {"ersattare": 999999, "ledamot": 1}):
        svar = sek.post(bekrafta, factories.fran_motessidan(cast.mote, fel), follow=True)
        assert svar.status_code == 200
        assert "Välj ersättaren och ledamoten ur sammanträdets närvaro." in svar.content.decode()
    assert Tjanstgoring.objects.count() == 1
    # only the organ's nämndsekreterare
    for user in (cast.stabschef, cast.handlaggare):
        annan = klient(user)
        assert annan.post(bekrafta, factories.fran_motessidan(cast.mote, data)).status_code == 403
        ta_bort = f"/tjanstgoring/{tjanstgoring.pk}/ta-bort/"
        assert annan.post(ta_bort, factories.fran_motessidan(cast.mote)).status_code == 403
    assert Tjanstgoring.objects.count() == 1
    # Dan found jävig after he was confirmed: the page says the seat is empty
    assert "är jävig eller frånvarande under punkten" not in sek.get(url).content.decode()
    protokoll.anmal_jav(cast.forsta, cast.dan, user=cast.sekreterare)
    sida = sek.get(url).content.decode()
    assert "Dan Gran är jävig eller frånvarande under punkten; ta bort tjänstgöringen" in sida
    svar = sek.post(
        f"/tjanstgoring/{tjanstgoring.pk}/ta-bort/",
        factories.fran_motessidan(cast.mote),
        follow=True,
    ).content.decode()
    assert "Dan Gran (s) tjänstgör inte längre under punkt 1." in svar
    assert "Förslag: Cia Lind (s) tjänstgör för Anna Ek (s)" in svar
    assert not Tjanstgoring.objects.exists()
    assert sek.post(f"/tjanstgoring/{tjanstgoring.pk}/ta-bort/").status_code == 404
    historik = Tjanstgoring.history.filter(id=tjanstgoring.pk).order_by("history_date")
    assert [(h.history_type, h.history_user) for h in historik] == [
        ("+", cast.sekreterare),
        ("-", cast.sekreterare),
    ]


def test_the_meeting_page_costs_the_same_for_more_items_and_rows():
    cast = ny_cast()

    def kostnad(n):
        mote = nytt_mote(cast, DAG + datetime.timedelta(days=n), punkter=n)
        cast.mote = mote
        for punkt in mote.lista:
            protokoll.anmal_jav(punkt, cast.anna, user=cast.sekreterare)
        for punkt in mote.lista[:-1]:
            ersatt(cast, cast.dan, cast.anna, punkt)
        c = klient(cast.sekreterare)
        url = f"/sammantrade/{mote.pk}/"
        c.get(url)
        with CaptureQueriesContext(connection) as fragor:
            sida = c.get(url).content.decode()
        assert sida.count("Ersättare Dan Gran (s) tjänstgör för Anna Ek (s)") == n - 1
        assert sida.count("Förslag: Dan Gran (s) tjänstgör för Anna Ek (s)") == 1
        return len(fragor)

    assert kostnad(2) == kostnad(6)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_secretaries_confirming_one_proposal_at_once_make_one_row():
    cast = ny_cast()
    cast.mote = nytt_mote(cast)
    cast.forsta = cast.mote.lista[0]
    protokoll.anmal_jav(cast.forsta, cast.anna, user=cast.sekreterare)
    andra_sek = factories.user("sekreterare-2", organ_role=roles.NAMNDSEKRETERARE, on=cast.organ)
    url = f"/punkt/{cast.forsta.pk}/tjanstgoring/"
    data = {"ersattare": rad(cast, cast.dan).pk, "ledamot": rad(cast, cast.anna).pk}
    texter = sidor(
        samtidigt(
            post(klient(cast.sekreterare), url, {**data, "inskick": nyckel()}),
            post(klient(andra_sek), url, {**data, "inskick": nyckel()}),
        )
    )
    assert sorted("Dan Gran (s) tjänstgör för Anna Ek (s) under punkt 1." in t for t in texter) == [
        False,
        True,
    ]
    # the second read the page before the first confirmed: refused as stale
    assert any(INAKTUELL in t for t in texter)
    assert Tjanstgoring.objects.filter(punkt=cast.forsta).count() == 1
