"""A begäran's decision names each handling asked for by its title as it read when the request
was tried, and its copy lists them and holds every released file whole; marked afterwards, what
they hold is secret in them too (OSL 5 kap. 5 §: marked where it is kept). Found in a review: a
refusal of an open "Anmälan om Zebrafinkssyndrom", marked secret the day after, was still an
unmarked handling whose file the registrator downloaded and whose words the search found."""

import datetime
import io

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from arenden.begaran import services as begaran
from arenden.diarium import services as diarium_services
from arenden.diarium import sokning
from arenden.dokument import text as dokumenttext
from arenden.dokument.harledd import SKAL
from arenden.handlaggning import services as handlaggning_services
from arenden.models import Begaran, Handling
from tests import factories
from tests.test_sammantraden_regler import Mote, cast_for
from workflow.engine import history

pytestmark = pytest.mark.django_db

ORDET = "Zebrafinkssyndrom"
TITEL = f"Anmälan om {ORDET}"
LAGRUM = "OSL 25 kap. 1 §"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def klient(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _pdf(*sidor: str) -> bytes:
    import weasyprint

    html = "".join(f'<p style="page-break-after: always">{text}</p>' for text in sidor)
    return weasyprint.HTML(string=f"<html><body>{html}</body></html>").write_pdf()


def _text(svar) -> str:
    data = b"".join(svar.streaming_content) if svar.streaming else svar.content
    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(data)).pages)


def _handling(cast, arende, titel, *sidor, **falt):
    return diarium_services.lagg_till_handling(
        arende,
        user=cast.registrator,
        typ="skrivelse",
        riktning="inkommen",
        titel=titel,
        datum=datetime.date(2025, 10, 20),
        fil=ContentFile(_pdf(*sidor), name="handling.pdf") if sidor else None,
        **falt,
    )


def _provad(arende, user, utfall, *, registrator, motivering="Hälsouppgifter."):
    """A begäran for the handlingar in ``utfall`` (handling → its utfall), tried by ``user``,
    with the words of the decision and the copy read into the search as a worker would."""
    fraga = begaran.registrera(
        arende,
        user=registrator,
        avser="Anmälan",
        form=Begaran.Form.EPOST,
        handlingar=list(utfall),
        inkommen=datetime.date(2025, 11, 3),
    )
    begaran.prova(
        fraga,
        user=user,
        utfall={h.pk: u for h, u in utfall.items()},
        motivering=motivering,
    )
    fraga.refresh_from_db()
    for pk in (fraga.beslut_id, fraga.kopia_id):
        if pk is not None:
            dokumenttext.las_in(pk)
            assert Handling.objects.get(pk=pk).text
    return fraga


def _markera(handling, user):
    handling.refresh_from_db()
    diarium_services.andra_sekretess(
        handling, user=user, lagrum=LAGRUM, motivering="Hälsa.", offentlig_rubrik="Anmälan"
    )


def _markerad_harledd(handling, user, lagrum=LAGRUM):
    handling.refresh_from_db()
    assert (handling.sekretess_lagrum, handling.sekretess_markerad_av) == (
        lagrum,
        user.get_username(),
    )
    assert handling.offentlig_titel == handling.titel  # says nothing of what it asked for
    assert handling.text == ""
    andrad = handling.history.latest("history_id")
    assert (andrad.history_change_reason, andrad.history_user) == (SKAL, user)


def _utlamnas_inte(cast, handling):
    """The registrator, who reads the ärende but not its secret content, gets the document
    neither by page nor API nor search."""
    reg = klient(cast.registrator)
    for url in (
        reverse("arenden:handling_fil", args=[handling.pk]),
        f"/api/handlingar/{handling.pk}/fil/",
    ):
        svar = reg.get(url)
        assert svar.status_code == 403, url
        assert ORDET not in svar.content.decode()
    assert list(sokning.sok_handlingar(cast.registrator, q=ORDET)) == []
    assert list(sokning.sok(cast.registrator, q=ORDET)[0:25]) == []


@pytest.fixture
def cast():
    return factories.Cast()


@pytest.fixture
def oppet(cast):
    arende = cast.registrera("Tillsyn av djurhållning")
    handlaggning_services.tilldela(arende, handlaggare=cast.handlaggare, user=cast.stabschef)
    return arende


def test_a_refusal_tried_before_the_handling_was_marked_is_marked_with_it(cast, oppet):
    h = _handling(cast, oppet, TITEL)
    fraga = _provad(
        oppet,
        cast.handlaggare,
        {h: ("undantas", LAGRUM, "")},
        registrator=cast.registrator,
    )
    assert fraga.state == "avslagen" and fraga.kopia_id is None
    fil = reverse("arenden:handling_fil", args=[fraga.beslut_id])
    assert ORDET in _text(klient(cast.registrator).get(fil))  # open while the handling is

    _markera(h, cast.handlaggare)

    _markerad_harledd(fraga.beslut, cast.handlaggare)
    steg = history(oppet).order_by("-seq").first()
    assert steg.transition == "andra_sekretess" and fraga.beslut.beteckning in steg.comment
    _utlamnas_inte(cast, fraga.beslut)
    # who may read the ärende's secret content still reads the decision as it was sent
    assert ORDET in _text(klient(cast.handlaggare).get(fil))
    # the begäran's page names the handling by its marking for the registrator
    sida = klient(cast.registrator).get(reverse("arenden:begaran", args=[fraga.pk]))
    assert sida.status_code == 200
    assert ORDET not in sida.content.decode() and "Anmälan – Sekretess" in sida.content.decode()


def test_a_copy_that_released_the_handling_whole_is_marked_with_it(cast, oppet):
    h = _handling(cast, oppet, TITEL, f"Iakttagelser av {ORDET} i voljären")
    rapport = _handling(cast, oppet, "Inspektionsrapport", "Sida ett", "Sida två om ägaren")
    fraga = _provad(
        oppet,
        cast.handlaggare,
        {h: ("lamnas_ut", "", ""), rapport: ("maskeras", LAGRUM, "2")},
        registrator=cast.registrator,
    )
    assert fraga.state == "delvis_utlamnad"
    assert ORDET in fraga.kopia.text

    _markera(h, cast.handlaggare)

    for dokument in (fraga.beslut, fraga.kopia):
        _markerad_harledd(dokument, cast.handlaggare)
        _utlamnas_inte(cast, dokument)
    rapport.refresh_from_db()
    assert rapport.sekretess_lagrum == ""  # what is asked for is marked only by its prövning


def test_a_begaran_for_another_handling_is_left_as_it_is(cast, oppet):
    h = _handling(cast, oppet, TITEL)
    annan = _handling(cast, oppet, "Skrivelse från grannar")
    fraga = _provad(
        oppet,
        cast.handlaggare,
        {annan: ("undantas", LAGRUM, "")},
        registrator=cast.registrator,
    )

    _markera(h, cast.handlaggare)

    fraga.beslut.refresh_from_db()
    assert fraga.beslut.sekretess_lagrum == "" and fraga.beslut.text != ""


def test_a_decision_naming_an_utdrag_is_marked_when_its_bilaga_is_marked():
    """A marking carried over to a protokollsutdrag is carried on to the begäran for it."""
    mote = Mote(cast_for("HSN"))
    cast = mote.cast
    bilaga = diarium_services.lagg_till_handling(
        mote.arende, user=cast.registrator, typ="beslutsunderlag", riktning="inkommen", titel=TITEL
    )
    mote.arendepunkt.bilagor.add(bilaga)
    mote.till("justerat")
    utdrag = Handling.objects.get(arende=mote.arende, typ="protokollsutdrag")
    annan = _handling(cast, mote.arende, "Inspektionsrapport", "Sida ett", "Sida två")
    mote.arende.refresh_from_db()
    fraga = _provad(
        mote.arende,
        cast.handlaggare,
        {utdrag: ("lamnas_ut", "", ""), annan: ("maskeras", LAGRUM, "2")},
        registrator=cast.registrator,
    )
    assert ORDET in fraga.kopia.text  # the utdrag, released whole, lists its bilaga

    _markera(bilaga, cast.handlaggare)

    utdrag.refresh_from_db()
    assert utdrag.sekretess_lagrum == LAGRUM
    for dokument in (fraga.beslut, fraga.kopia):
        _markerad_harledd(dokument, cast.handlaggare)
        _utlamnas_inte(cast, dokument)


def test_a_copy_that_released_the_meetings_protokoll_is_marked_when_an_item_is_marked():
    """The protokoll in the meeting's ärende is masked item by item when read, but a copy
    made of it holds its file as it was filed."""
    cast = cast_for("HSN")
    moteslista = cast.registrera("Sammanträden 2025")
    mote = Mote(cast)
    mote.sammantrade.arende = moteslista
    mote.sammantrade.save(update_fields=["arende"])
    mote.till("justerat")
    ordet = mote.arende.arendemening.split()[-1]
    protokoll = Handling.objects.get(arende=moteslista, typ="protokoll", filnamn__endswith=".pdf")
    annan = _handling(cast, moteslista, "Närvarolista", "Sida ett", "Sida två")
    moteslista.refresh_from_db()
    fraga = _provad(
        moteslista,
        cast.stabschef,
        {protokoll: ("lamnas_ut", "", ""), annan: ("maskeras", LAGRUM, "2")},
        registrator=cast.registrator,
    )
    assert ordet in fraga.kopia.text

    mote.hemligt()

    _markerad_harledd(fraga.kopia, cast.handlaggare)
    assert fraga.kopia not in sokning.sok_handlingar(cast.registrator, q=ordet)
    svar = klient(cast.registrator).get(reverse("arenden:handling_fil", args=[fraga.kopia_id]))
    assert svar.status_code == 403
    # the decision names the protokoll by its title, which holds nothing of the item
    fraga.beslut.refresh_from_db()
    assert fraga.beslut.sekretess_lagrum == ""


def test_a_begaran_in_a_marked_arende_is_secret_with_it(cast, oppet):
    """The decision and the copy are filed in the ärende the begäran concerns, whose marking
    covers them: nothing is carried over, and nothing is handed out."""
    h = _handling(cast, oppet, TITEL)
    fraga = _provad(
        oppet,
        cast.handlaggare,
        {h: ("undantas", LAGRUM, "")},
        registrator=cast.registrator,
    )
    oppet.refresh_from_db()
    diarium_services.andra_sekretess(
        oppet, user=cast.handlaggare, lagrum=LAGRUM, motivering="Hälsa.", offentlig_rubrik="Tillsyn"
    )

    fraga.beslut.refresh_from_db()
    assert fraga.beslut.sekretess_lagrum == "" and fraga.beslut.hemlig
    _utlamnas_inte(cast, fraga.beslut)
