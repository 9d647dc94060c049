"""The protokoll's order as the record shows it.

- A paragraph justerad at once (KL 5 kap. 69–70 §§, 6 kap. 35 §) is justerad with its
  paragraph number: its utdrag in the ärende, the beslut expedierat and the protokoll drawn up
  afterwards all cite the same §, which is never changed; the paragraphs before it on the
  föredragningslista are numbered with it, and the protokoll goes on from there.
- Who served in an item already decided or voted on (jäv, närvaro, an ersättare's
  tjänstgöring) is what the beslut, the votes and the reservations were made by: it is not
  changed afterwards (KL 5 kap. 47 §, 6 kap. 28 §, 4 kap. 27 §).
"""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from arenden.dokument import services as dokument
from arenden.handlaggning import services
from arenden.models import Beslut, Handling, Jav, Punkt
from arenden.sammantraden import protokoll
from arenden.sammantraden.models import Votering, tjanstgorande
from tests import factories
from tests.test_sammantraden import both, pdf_text, stored
from tests.test_sammantraden_regler import Mote, cast_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def mote():
    """HSN's meeting, called and begun; paragraphs up to § 40 were given earlier in the year."""
    mote = Mote(cast_for("HSN")).till("kallat")
    protokoll.tidigare_paragrafer(mote.cast.organ, mote.sammantrade.datum.year, 40, user=mote.sek)
    return mote


def _justera_omedelbart(mote, punkt):
    for user in (mote.ordforande_user, mote.justerare_user):
        protokoll.justera_paragraf(punkt, user=user)


def _utdrag(arende) -> str:
    [utdrag] = arende.handlingar.filter(typ=Handling.Typ.PROTOKOLLSUTDRAG)
    return pdf_text(stored(utdrag))


def _paragrafer(mote) -> list:
    return list(mote.sammantrade.punkter.order_by("ordning").values_list("paragraf", flat=True))


# -- 1. a paragraph justerad at once has its number ---------------------------------------------


def test_a_paragraph_justerad_at_once_is_utdraget_expedierat_and_drawn_up_as_the_same_paragraph(
    mote,
):
    mote.besluta()
    _justera_omedelbart(mote, mote.arendepunkt)
    arende = mote.arende
    # the utdrag filed in the ärende is headed by the §, the next of the organ's year
    assert f"§ 41 {mote.arendepunkt.rubrik}" in _utdrag(arende)
    # the beslut is sent with its paragraf, and the ärende's page cites it
    arende.refresh_from_db()
    [rad] = services.satt_sandlista(arende, ["Kommunförbundet"], user=mote.sek)
    services.expediera_till(rad, user=mote.sek, metod="post")
    arende.refresh_from_db()
    assert arende.state == "expedierat"
    beslut = Beslut.objects.get(arende=arende)
    assert beslut.paragraf == 41
    klient = Client()
    klient.force_login(mote.sek)
    assert "§ 41" in klient.get(f"/arende/{arende.pk}/").content.decode()
    # the protokoll drawn up afterwards keeps it, and the rest goes on after it
    mote.besluta(mote.info)
    mote.uppratta()
    assert _paragrafer(mote) == [41, 42]
    beslut.refresh_from_db()
    assert beslut.paragraf == 41
    # the expedierat beslut never had another paragraf than the one it was sent with
    assert {p for p in beslut.history.values_list("paragraf", flat=True) if p} == {41}
    assert "genomfor" not in set(beslut.history.values_list("history_change_reason", flat=True))
    for text in both(dokument.protokoll(mote.las_om())):
        assert f"§ 41 {mote.arendepunkt.rubrik}" in text and "§ 42 Aktuellt" in text
    # the ärende's record and the protokoll say the same: still one utdrag, of § 41
    assert f"§ 41 {mote.arendepunkt.rubrik}" in _utdrag(arende)


def test_a_later_item_justerad_at_once_does_not_take_a_number_before_an_earlier_one(mote):
    """The protokoll's paragraphs follow the föredragningslista, numbered down its pages: the
    third item justerad at once first is § 43, the two before it § 41 and § 42."""
    tredje_arende = mote.berett_arende("Vårdval tandvård")
    tredje = mote.punkt(arende=tredje_arende, slag=Punkt.Slag.BESLUTSARENDE, ordning=5)
    mote.besluta()
    mote.besluta(tredje)
    _justera_omedelbart(mote, tredje)
    assert _paragrafer(mote) == [41, 42, 43]
    assert f"§ 43 {tredje.rubrik}" in _utdrag(tredje_arende)
    # the earlier item's beslut, already recorded, has its paragraf too
    assert Beslut.objects.get(arende=mote.arende).paragraf == 41
    # an item added during the meeting goes after them; before them it is refused
    with pytest.raises(ValidationError, match="kan inte föras in före § 43") as fel:
        mote.punkt(typ=Punkt.Typ.OVRIGT, rubrik="Extra", ordning=4)
    assert fel.value.code == "fore_numrerad"
    mote.punkt(typ=Punkt.Typ.OVRIGA_FRAGOR, rubrik="Övriga frågor")
    # drawn up: the rest continue the series, nothing given twice, nothing skipped
    mote.besluta(mote.info)
    mote.uppratta()
    assert _paragrafer(mote) == [41, 42, 43, 44]
    assert Beslut.objects.get(arende=tredje_arende).paragraf == 43
    for text in both(dokument.protokoll(mote.las_om())):
        assert "41-44" in text
        assert text.index("§ 41") < text.index("§ 42") < text.index("§ 43") < text.index("§ 44")


def test_the_protokoll_drawn_up_numbers_only_what_has_no_number(mote):
    """Two paragraphs justerad at once, one after the other: each keeps its number, and the
    protokoll drawn up numbers the rest after them."""
    andra = mote.punkt(arende=mote.berett_arende("Andra ärendet"), slag=Punkt.Slag.BESLUTSARENDE)
    mote.besluta(andra)
    mote.besluta()
    _justera_omedelbart(mote, mote.arendepunkt)
    assert _paragrafer(mote) == [41, None, None]
    _justera_omedelbart(mote, andra)
    assert _paragrafer(mote) == [41, 42, 43]
    mote.besluta(mote.info)
    mote.uppratta()
    assert _paragrafer(mote) == [41, 42, 43]
    assert list(
        Beslut.objects.filter(arende__in=[mote.arende, andra.arende])
        .order_by("paragraf")
        .values_list("paragraf", flat=True)
    ) == [41, 43]


# -- 2. who served in a decided item stays as it was ---------------------------------------------


@pytest.fixture
def voterat(mote):
    """The ärende item voted on by name, decided, a reservation against it, the protokoll
    drawn up; the informationsärende decided without a vote."""
    protokoll.registrera_votering(
        mote.arendepunkt,
        user=mote.sek,
        proposition="Bifall mot avslag",
        resultat="Bifall",
        roster={
            mote.ordforande: "ja",
            mote.justerare: "nej",
            mote.ledamot: "ja",
            mote.annan: "ja",
        },
    )
    mote.besluta()
    protokoll.reservera(mote.arendepunkt, mote.justerare, user=mote.sek, motivering="Nej.")
    mote.besluta(mote.info)
    mote.uppratta()
    return mote


def _tjanstgor(mote, punkt) -> set:
    s = mote.las_om()
    return {d.person for d in tjanstgorande(protokoll._med_jav(punkt), protokoll.narvaron(s))}


def test_a_member_who_voted_is_not_made_javig_afterwards(voterat):
    mote = voterat
    fore = _tjanstgor(mote, mote.arendepunkt)
    version = mote.las_om().version
    with pytest.raises(ValidationError, match="kan inte anmälas som jävig i efterhand") as fel:
        protokoll.anmal_jav(mote.arendepunkt, mote.annan, user=mote.sek, grund="Släkt")
    assert fel.value.code == "jav_efter_beslut"
    with pytest.raises(ValidationError, match="kan inte anmälas som jävig i efterhand"):
        protokoll.anmal_jav(mote.info, mote.ledamot, user=mote.sek)
    assert not Jav.objects.exists()
    assert _tjanstgor(mote, mote.arendepunkt) == fore
    assert mote.las_om().version == version
    # the protokoll counts the votes of the members who served
    [votering] = Votering.objects.filter(punkt=mote.arendepunkt)
    assert votering.ja + votering.nej + votering.avstar == len(fore) == 4


def test_a_reservant_or_a_voter_is_not_made_absent_afterwards(voterat):
    mote = voterat
    fore = _tjanstgor(mote, mote.arendepunkt)
    justerare = mote.deltagare(mote.justerare)
    for falt in (
        {"franvarande_pa": [mote.arendepunkt]},
        {"narvarande": False},
        {"lamnade_efter": None, "anslot_fran": mote.info},
    ):
        with pytest.raises(ValidationError, match="vem som deltog i beslutet under punkt 41"):
            protokoll.andra_narvaro(justerare, user=mote.sek, **falt)
    # a member who was not there is not added to it either
    with pytest.raises(ValidationError, match="vem som deltog i beslutet"):
        protokoll.lagg_till_deltagare(
            mote.sammantrade, Mote.person("Sen Ledamot"), roll="ledamot", user=mote.sek
        )
    justerare.refresh_from_db()
    assert justerare.narvarande and not justerare.franvarande_pa.exists()
    assert _tjanstgor(mote, mote.arendepunkt) == fore
    # what does not change who served goes on: a note in the närvaro
    protokoll.andra_narvaro(
        mote.deltagare(mote.tjansteperson), user=mote.sek, narvarande=True, anteckning="Teams"
    )


def test_the_meeting_page_refuses_it_with_a_message(voterat):
    mote = voterat
    klient = Client()
    klient.force_login(mote.sek)
    svar = klient.post(
        f"/punkt/{mote.arendepunkt.pk}/jav/",
        factories.fran_motessidan(
            mote.sammantrade, {"jav-person": mote.annan.pk, "jav-grund": "Släkt"}
        ),
        follow=True,
    )
    assert svar.status_code == 200
    assert "kan inte anmälas som jävig i efterhand" in svar.content.decode()
    rad = mote.deltagare(mote.justerare)
    falt = f"narvaro-{rad.pk}"
    svar = klient.post(
        f"/sammantrade/{mote.sammantrade.pk}/narvaro/{rad.pk}/",
        factories.fran_motessidan(
            mote.sammantrade,
            {f"{falt}-narvarande": "on", f"{falt}-franvarande_pa": [mote.arendepunkt.pk]},
        ),
        follow=True,
    )
    assert svar.status_code == 200
    assert "vem som deltog i beslutet under punkt 41" in svar.content.decode()
    assert not Jav.objects.exists() and not rad.franvarande_pa.exists()


def test_narvaro_and_jav_of_items_not_yet_decided_are_still_recorded(mote):
    """During the meeting: once § 1 is decided, a member leaves after it or is absent from
    the next item, and a jäv is noted in the next item; none changes who decided § 1."""
    mote.besluta()
    fore = _tjanstgor(mote, mote.arendepunkt)
    protokoll.andra_narvaro(
        mote.deltagare(mote.ledamot), user=mote.sek, narvarande=True, franvarande_pa=[mote.info]
    )
    protokoll.andra_narvaro(
        mote.deltagare(mote.annan), user=mote.sek, narvarande=True, lamnade_efter=mote.arendepunkt
    )
    protokoll.anmal_jav(mote.info, mote.justerare, user=mote.sek, grund="Närstående")
    assert _tjanstgor(mote, mote.arendepunkt) == fore
    assert _tjanstgor(mote, mote.info) == {mote.ordforande}
    # but not under the decided item, even without a votering
    with pytest.raises(ValidationError, match="kan inte anmälas som jävig i efterhand"):
        protokoll.anmal_jav(mote.arendepunkt, mote.ordforande, user=mote.sek)
    with pytest.raises(ValidationError, match="vem som deltog i beslutet under punkt 1"):
        protokoll.andra_narvaro(
            mote.deltagare(mote.ordforande),
            user=mote.sek,
            narvarande=True,
            franvarande_pa=[mote.arendepunkt],
        )


def test_a_votering_alone_fixes_who_served(mote):
    """Voted on but the beslut not yet written: the votes were cast by those serving."""
    protokoll.registrera_votering(
        mote.arendepunkt,
        user=mote.sek,
        proposition="Bifall mot avslag",
        resultat="Bifall",
        ja=3,
        nej=1,
    )
    with pytest.raises(ValidationError, match="kan inte anmälas som jävig i efterhand"):
        protokoll.anmal_jav(mote.arendepunkt, mote.annan, user=mote.sek)
    with pytest.raises(ValidationError, match="vem som deltog i beslutet under punkt 1"):
        protokoll.andra_narvaro(mote.deltagare(mote.annan), user=mote.sek, narvarande=False)
