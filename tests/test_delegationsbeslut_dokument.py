"""A beslut taken on the nämnd's behalf is a document in the diarium (FL 31 §; KL 6 kap. 37,
39–40 §§): filed with the beslut and the step, in one transaction, or none of them; what is
expedierat, upprättat when it is (TF 2 kap. 10 §), and marked as its ärende is (OSL 5 kap.
5 §). The definition refuses *beslutat* on the nämnd's behalf without it, whoever calls."""

import datetime

import pytest
from django.utils import timezone

from arenden.delegering.services import fatta_delegationsbeslut
from arenden.diarium.services import arkivera_handling
from arenden.dokument import services as dokument
from arenden.dokument.text import extrahera
from arenden.handlaggning.services import expediera_till, satt_sandlista, tilldela
from arenden.models import Beslut, Handling
from tests import factories
from workflow.engine import RequirementMissing, do_transition

pytestmark = pytest.mark.django_db

DAG = datetime.date(2025, 11, 12)


@pytest.fixture(autouse=True)
def pa_dagen(monkeypatch):
    nu = datetime.datetime.combine(DAG, datetime.time(12), tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: nu)


@pytest.fixture
def cast():
    return factories.Cast()


@pytest.fixture
def punkt(cast, delegat):
    return factories.delegationspunkt(
        organ=cast.organ, delegat=delegat.person, nummer="3.2", lagrum="KL 6 kap. 37 §"
    )


def _beredd(cast, rubrik="Remiss om vårdval i Västerbotten", **extra):
    arende = cast.registrera(rubrik, **extra)
    tilldela(arende, handlaggare=cast.handlaggare, user=cast.stabschef)
    do_transition(arende, "paborja_beredning", cast.handlaggare)
    satt_sandlista(arende, ["Kommunförbundet"], user=cast.handlaggare)
    factories.forslag_till_beslut(arende, cast.handlaggare, sandlista=())
    do_transition(arende, "markera_beredd", cast.handlaggare)
    return arende


def _text(handling) -> str:
    with handling.fil.open("rb") as fil:
        return " ".join(extrahera(fil, handling.mediatyp).split())


def test_the_beslut_is_filed_as_a_document_naming_who_decided_and_under_which_row(
    cast, punkt, delegat
):
    arende = _beredd(cast)
    beslut = fatta_delegationsbeslut(
        arende, user=delegat, punkt=punkt, datum=DAG, text="Nämnden tillstyrker remissen."
    )
    handling = Handling.objects.get(arende=arende, typ="beslut")
    assert beslut.dokument == handling
    assert (handling.riktning, handling.datum, handling.registrerad_av) == (
        "upprattad",
        DAG,
        delegat,
    )
    assert handling.titel == "Delegationsbeslut Remiss om vårdval i Västerbotten"
    assert handling.mediatyp == "application/pdf" and handling.sha256
    text = _text(handling)
    for del_ in (
        "Delegationsbeslut",
        str(arende.diarienummer),
        "Dora Delegat, enhetschef",
        "punkt 3.2",
        "KL 6 kap. 37 §",
        "Nämnden tillstyrker remissen.",
        f"Beslutet anmäls till {cast.organ.namn} (kommunallagen 6 kap. 40 §).",
    ):
        assert del_ in text, del_
    # one history row for the beslut, written once with its document
    assert [h.dokument_id for h in beslut.history.all()] == [handling.pk]
    # TF 2 kap. 10 §: under arbete until it is expedierat, then upprättad
    assert handling.status == "utkast"
    arende.refresh_from_db()
    expediera_till(arende.mottagare.get(), user=cast.sekreterare, metod="e-post")
    arende.refresh_from_db()
    handling.refresh_from_db()
    assert (arende.state, handling.status) == ("expedierat", "upprattad")


def test_an_ordforandebeslut_is_titled_as_one(cast, delegat):
    factories.ledamot(cast.organ, delegat.person)
    rad = factories.delegationspunkt(
        organ=cast.organ, delegat=delegat.person, nummer="1.1", bradskande=True
    )
    arende = _beredd(cast)
    beslut = fatta_delegationsbeslut(arende, user=delegat, punkt=rad, datum=DAG, text="Bifall.")
    assert beslut.dokument.titel.startswith("Ordförandebeslut ")
    text = _text(beslut.dokument)
    assert "Ordförandebeslut" in text and "KL 6 kap. 39 §" in text


def test_a_secret_arende_files_a_marked_beslut_under_its_public_rubrik(cast, punkt, delegat):
    arende = _beredd(cast, sekretess_lagrum="OSL 25 kap. 1 §")
    beslut = fatta_delegationsbeslut(
        arende, user=delegat, punkt=punkt, datum=DAG, text="Patienten beviljas ersättning."
    )
    handling = beslut.dokument
    assert handling.sekretess_lagrum == "OSL 25 kap. 1 §"
    assert handling.sekretess_datum == DAG
    assert handling.sekretess_markerad_av == delegat.get_username()
    # the title the diarium and the postlista show never holds the protected ärendemening
    assert handling.titel.startswith("Delegationsbeslut Ärende med sekretess")
    assert "vårdval" not in handling.titel
    # the file is the beslut in full, for who may read it; masked, it says only why
    assert "Patienten beviljas ersättning." in _text(handling)
    maskerat = dokument.beslut_pa_vagnar(beslut, publik=True)
    assert "Patienten" not in str(maskerat.block)
    assert "Remiss om vårdval" not in str(maskerat.block)
    assert "OSL 25 kap. 1 §" in str(maskerat.block)


def test_no_beslut_no_document_and_no_step_when_the_document_cannot_be_made(
    cast, punkt, delegat, monkeypatch
):
    arende = _beredd(cast)

    def trasig(dok):
        raise OSError("disken är full")

    monkeypatch.setattr(dokument, "som_pdf", trasig)
    with pytest.raises(OSError):
        fatta_delegationsbeslut(arende, user=delegat, punkt=punkt, datum=DAG, text="Bifall.")
    arende.refresh_from_db()
    assert arende.state == "beredd"
    assert not Beslut.objects.filter(arende=arende).exists()
    assert not Handling.objects.filter(arende=arende, typ="beslut").exists()


def _beslut_utan_dokument(arende, cast, delegat, punkt, **falt):
    return Beslut.objects.create(
        arende=arende,
        organ=cast.organ,
        datum=DAG,
        text="Bifall.",
        slag=Beslut.Slag.DELEGATIONSBESLUT,
        fattat_av=delegat,
        delegationspunkt=punkt,
        **falt,
    )


def test_the_definition_refuses_beslutat_on_delegation_without_the_document(cast, punkt, delegat):
    """Whoever records the beslut and takes the step: a Beslut row alone, one pointing at a
    handling of another ärende, or at an inkommen handling that is no beslut, is not enough."""
    arende = _beredd(cast)
    annat = _beredd(cast)

    def handling(i, typ="beslut"):
        return arkivera_handling(
            i, user=cast.registrator, typ=typ, riktning="upprattad", titel="Beslut"
        )

    for dokument_ in (None, handling(annat), handling(arende, typ="skrivelse")):
        beslut = _beslut_utan_dokument(arende, cast, delegat, punkt, dokument=dokument_)
        with pytest.raises(RequirementMissing, match="inte diariefört som en handling"):
            do_transition(arende, "besluta_pa_delegation", delegat)
        arende.refresh_from_db()
        assert arende.state == "beredd"
        beslut.delete()
    _beslut_utan_dokument(arende, cast, delegat, punkt, dokument=handling(arende))
    do_transition(arende, "besluta_pa_delegation", delegat)
    arende.refresh_from_db()
    assert arende.state == "beslutat"


def test_the_delegat_finds_the_beslut_among_the_handlingar_over_http(client, cast, punkt, delegat):
    arende = _beredd(cast)
    client.force_login(delegat)
    svar = client.post(
        f"/arende/{arende.pk}/delegationsbeslut/",
        factories.fran_arendesidan(
            arende, {"punkt": punkt.pk, "datum": "2025-11-12", "text": "Nämnden yttrar sig."}
        ),
    )
    assert svar.status_code == 302
    handling = Handling.objects.get(arende=arende, typ="beslut")
    sida = client.get(f"/arende/{arende.pk}/").content.decode()
    assert handling.titel in sida
    fil = client.get(f"/handling/{handling.pk}/fil/")
    assert fil.status_code == 200
    assert fil["Content-Type"] == "application/pdf"


def test_a_rubrik_as_long_as_the_diarium_holds_gives_a_shortened_title_never_an_error(
    cast, punkt, delegat
):
    """The ärendemening may fill its 500 characters; the document's title is its name and
    the rubrik, shortened to what the diarium holds (a database holding the limit refused
    the whole beslut before). The tjänsteskrivelse is filed the same way."""
    rubrik = "Remiss om vårdval " + "och vårdens organisation " * 30
    rubrik = rubrik[:500]
    arende = _beredd(cast, rubrik)
    beslut = fatta_delegationsbeslut(arende, user=delegat, punkt=punkt, datum=DAG, text="Bifall.")
    titel = beslut.dokument.titel
    assert len(titel) == 500 and titel.endswith("…")
    assert titel.startswith("Delegationsbeslut Remiss om vårdval och vårdens")
    assert len(Handling.objects.get(pk=beslut.dokument.pk).titel) == 500
