"""What is marked secret while a filing waits for its worker is secret in what the worker files
(OSL 5 kap. 5 §: marked where it is kept). Found in a review: the justering's utdrag, the
protokoll in the meeting's ärende and a rättat utdrag were filed with the marking they had when
the step was taken, so the registrator, who reads the ärende but not its secret content, got
the file and found it by the secret words; filed at once the same utdrag was refused."""

import pytest
from django.urls import reverse

from arenden.diarium import services as diarium_services
from arenden.diarium import sokning
from arenden.dokument import arkivering
from arenden.dokument import text as dokumenttext
from arenden.models import Arkivering, Handling
from arenden.sammantraden import protokoll
from tests.test_sammantraden_regler import Mote, cast_for
from tests.test_sekretess_harledd import LAGRUM, TITEL, _markera, klient

pytestmark = pytest.mark.django_db

ORDET = "Zlatanovic"


def _med_bilaga(mote: Mote) -> Handling:
    bilaga = diarium_services.lagg_till_handling(
        mote.arende,
        user=mote.cast.registrator,
        typ="beslutsunderlag",
        riktning="inkommen",
        titel=TITEL,
    )
    mote.arendepunkt.bilagor.add(bilaga)
    return bilaga


def _arbetaren(slag: str) -> None:
    """The worker files what waits of ``slag``, once (a second delivery files nothing), and
    then the text job reads every filed meeting document and utdrag for the search."""
    vantande = list(Arkivering.objects.filter(slag=slag, klar__isnull=True))
    assert vantande
    for rad in vantande:
        assert arkivering.utfor(rad.pk)
        assert not arkivering.utfor(rad.pk)
    _textjobbet()


def _textjobbet() -> None:
    for pk in Handling.objects.filter(
        typ__in=(Handling.Typ.PROTOKOLL, Handling.Typ.KALLELSE, Handling.Typ.PROTOKOLLSUTDRAG)
    ).values_list("pk", flat=True):
        dokumenttext.las_in(pk)


def _utdrag(mote: Mote) -> list[Handling]:
    return list(
        Handling.objects.filter(arende=mote.arende, typ=Handling.Typ.PROTOKOLLSUTDRAG).order_by(
            "pk"
        )
    )


def _utlamnas_inte(mote: Mote, handling: Handling, ordet: str = ORDET) -> None:
    """The registrator gets neither the file nor a hit for the secret words."""
    reg = mote.cast.registrator
    svar = klient(reg).get(reverse("arenden:handling_fil", args=[handling.pk]))
    assert svar.status_code == 403
    assert list(sokning.sok_handlingar(reg, q=ordet)) == []


def test_the_justerings_utdrag_is_marked_with_a_bilaga_marked_while_it_waits(broker):
    mote = Mote(cast_for("HSN"))
    bilaga = _med_bilaga(mote)
    mote.till("justerat")
    assert _utdrag(mote) == []  # the filing waits for the worker

    _markera(bilaga, mote.cast.handlaggare)
    _arbetaren(Arkivering.Slag.PROTOKOLL)

    [utdrag] = _utdrag(mote)
    assert utdrag.sekretess_lagrum == LAGRUM
    _utlamnas_inte(mote, utdrag)


def test_the_protokoll_in_the_meetings_arende_holds_no_words_of_an_item_marked_while_it_waits(
    broker,
):
    cast = cast_for("HSN")
    moteslista = cast.registrera("Sammanträden 2025")
    mote = Mote(cast)
    mote.sammantrade.arende = moteslista
    mote.sammantrade.save(update_fields=["arende"])
    mote.till("justerat")
    ordet = mote.arende.arendemening.split()[-1]

    mote.hemligt()
    _arbetaren(Arkivering.Slag.PROTOKOLL)

    filade = list(Handling.objects.filter(arende=moteslista, typ=Handling.Typ.PROTOKOLL))
    assert sorted(h.filnamn.rpartition(".")[2] for h in filade) == ["docx", "pdf"]
    for handling in filade:
        # marked as the justering marks it when the item is secret at the step
        assert handling.sekretess_lagrum == protokoll.sekretess_i(mote.las_om()) == LAGRUM
        assert handling.text == ""
        assert handling not in sokning.sok_handlingar(cast.registrator, q=ordet)
    assert moteslista not in list(sokning.sok(cast.registrator, q=ordet)[0:25])


def test_the_text_job_reads_no_words_of_an_item_marked_after_the_protokoll_was_filed(broker):
    """The text job may wait after the filing: an item marked in between keeps its words out
    of the search, though the protokoll keeps the marking it was filed with."""
    cast = cast_for("HSN")
    moteslista = cast.registrera("Sammanträden 2025")
    mote = Mote(cast)
    mote.sammantrade.arende = moteslista
    mote.sammantrade.save(update_fields=["arende"])
    mote.till("justerat")
    for rad in Arkivering.objects.filter(klar__isnull=True):
        assert arkivering.utfor(rad.pk)
    ordet = mote.arende.arendemening.split()[-1]

    mote.hemligt()
    _textjobbet()

    pdf = Handling.objects.get(arende=moteslista, typ="protokoll", filnamn__endswith=".pdf")
    assert (pdf.sekretess_lagrum, pdf.text) == ("", "")
    assert pdf not in sokning.sok_handlingar(cast.registrator, q=ordet)


def test_an_utdrag_justerat_at_once_is_marked_with_a_bilaga_marked_while_it_waits(broker):
    mote = Mote(cast_for("HSN")).till("kallat")
    mote.besluta()
    bilaga = _med_bilaga(mote)
    for user in (mote.ordforande_user, mote.justerare_user):
        protokoll.justera_paragraf(mote.arendepunkt, user=user)
    assert _utdrag(mote) == []

    _markera(bilaga, mote.cast.handlaggare)
    _arbetaren(Arkivering.Slag.UTDRAG)

    [utdrag] = _utdrag(mote)
    assert utdrag.sekretess_lagrum == LAGRUM
    _utlamnas_inte(mote, utdrag)


def test_the_rattat_utdrag_is_marked_with_a_bilaga_marked_while_it_waits(broker):
    mote = Mote(cast_for("HSN"))
    bilaga = _med_bilaga(mote)
    mote.till("justerat")
    _arbetaren(Arkivering.Slag.PROTOKOLL)
    rattelse = protokoll.foresla_rattelse(
        mote.las_om(), user=mote.sek, punkt=mote.arendepunkt, text="Beloppet ska vara 12 000 kr."
    )
    for user in (mote.ordforande_user, mote.justerare_user):
        protokoll.signera_rattelse(rattelse, user=user)

    _markera(bilaga, mote.cast.handlaggare)
    _arbetaren(Arkivering.Slag.RATTELSE)

    forsta, rattat = _utdrag(mote)
    assert (forsta.sekretess_lagrum, rattat.sekretess_lagrum) == (LAGRUM, LAGRUM)
    _utlamnas_inte(mote, rattat)


def test_a_marking_lifted_while_the_filing_waits_is_kept_in_what_is_filed(broker):
    """The justering drew the utdrag up with the bilaga secret; the worker does not try the
    marking anew (a prövning of the filed handling does)."""
    mote = Mote(cast_for("HSN"))
    bilaga = _med_bilaga(mote)
    _markera(bilaga, mote.cast.handlaggare)
    mote.till("justerat")

    bilaga.refresh_from_db()
    diarium_services.andra_sekretess(
        bilaga, user=mote.cast.handlaggare, lagrum="", motivering="Prövad: uppgifterna är kända."
    )
    _arbetaren(Arkivering.Slag.PROTOKOLL)

    [utdrag] = _utdrag(mote)
    assert utdrag.sekretess_lagrum == LAGRUM
