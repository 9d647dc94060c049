"""The documents the system draws up for keeping are PDF/A and tagged PDF/UA: the archive
takes PDF/A (Riksarkivet, RA-FS 2009:2), and a document published to the public must be
readable with assistive technology (lag 2018:1937 om tillgänglighet till digital offentlig
service)."""

import datetime
import io

import pytest
from django.utils import timezone
from lxml import etree
from pypdf import PdfReader

from arenden.dokument import services as dokument
from arenden.handlaggning import services
from arenden.models import Handling
from arenden.sammantraden.models import Punkt, Sammantrade
from tests import factories
from tests.test_sammantraden import Mote
from workflow.engine import do_transition

pytestmark = pytest.mark.django_db

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
PDFAID = "http://www.aiim.org/pdfa/ns/id/"
PDFUAID = "http://www.aiim.org/pdfua/ns/id/"
PDFA_SCHEMA = "http://www.aiim.org/pdfa/ns/schema#"
DC = "http://purl.org/dc/elements/1.1/"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def mote():
    """A meeting taken through kallelse, beslut, justering and anslag."""
    mote = Mote()
    cast = mote.cast
    arende = cast.registrera("Riktlinjer för tolkstöd")
    services.tilldela(arende, handlaggare=cast.handlaggare, user=cast.stabschef)
    do_transition(arende, "paborja_beredning", cast.handlaggare)
    factories.forslag_till_beslut(arende, cast.handlaggare)
    # the handläggare files the finished tjänsteskrivelse in the ärende (the page's button)
    services.arkivera_tjansteskrivelse(arende, user=cast.handlaggare)
    do_transition(arende, "markera_beredd", cast.handlaggare)
    punkt = mote.punkt(arende)
    mote.kalla()
    mote.besluta(punkt)
    mote.uppratta()
    mote.justera_alla(timezone.make_aware(datetime.datetime(2025, 11, 20, 10, 0)))
    sammantrade = Sammantrade.objects.get(pk=mote.sammantrade.pk)
    factories.ansla_den(sammantrade, user=mote.cast.sekreterare, dag=datetime.date(2025, 11, 21))
    mote.sammantrade = Sammantrade.objects.get(pk=sammantrade.pk)
    mote.arende = arende
    return mote


def _dokument(mote):
    """Every kind the system draws up for keeping, as it draws them up."""
    sammantrade = mote.sammantrade
    punkt = Punkt.objects.get(sammantrade=sammantrade, arende=mote.arende)
    return {
        "protokoll med anslagsbevis": dokument.protokoll(sammantrade),
        "publicerat protokoll": dokument.protokoll(sammantrade, publik=True),
        "protokollsutdrag": dokument.protokollsutdrag(punkt),
        "kallelse": dokument.kallelse(sammantrade),
        "tjänsteskrivelse": dokument.tjansteskrivelse(mote.arende),
    }


def _xmp(reader: PdfReader) -> etree._Element:
    return etree.fromstring(reader.trailer["/Root"]["/Metadata"].get_object().get_data())


def _las(pdf: bytes) -> tuple[PdfReader, dict]:
    reader = PdfReader(io.BytesIO(pdf))
    return reader, reader.trailer["/Root"]


def _pdfa_del(xmp: etree._Element) -> tuple[str, str]:
    for beskrivning in xmp.iter(f"{{{RDF}}}Description"):
        part = beskrivning.get(f"{{{PDFAID}}}part")
        if part:
            return part, beskrivning.get(f"{{{PDFAID}}}conformance")
    return "", ""


def _pdfua_del(xmp: etree._Element) -> str:
    """The PDF/UA part (ISO 14289-1, 5), read where a PDF/A reader reads its own: in the
    same rdf:RDF, the description that names the PDF/A part."""
    [rdf] = xmp.findall(f"{{{RDF}}}RDF")
    for beskrivning in rdf.iter(f"{{{RDF}}}Description"):
        if beskrivning.get(f"{{{PDFAID}}}part"):
            return beskrivning.get(f"{{{PDFUAID}}}part", "")
    return ""


def _utokningar(xmp: etree._Element) -> dict[str, str]:
    """The PDF/A extension schemas the XMP declares: namespace -> prefix (ISO 19005-2,
    6.6.2.3: a property outside the predefined schemas needs one)."""
    return {
        li.findtext(f"{{{PDFA_SCHEMA}}}namespaceURI"): li.findtext(f"{{{PDFA_SCHEMA}}}prefix")
        for li in xmp.iter(f"{{{RDF}}}li")
        if li.find(f"{{{PDFA_SCHEMA}}}namespaceURI") is not None
    }


def test_every_document_for_keeping_is_pdfa_and_tagged(mote):
    dokumenten = _dokument(mote)
    for namn, dok in dokumenten.items():
        reader, root = _las(dokument.som_pdf(dok))
        xmp = _xmp(reader)
        # PDF/A-2u: part 2, conformance U (Unicode text), named in the XMP metadata
        assert _pdfa_del(xmp) == ("2", "U"), namn
        # and PDF/UA-1 beside it, its schema declared as PDF/A asks
        assert _pdfua_del(xmp) == "1", namn
        assert _utokningar(xmp) == {PDFUAID: "pdfuaid"}, namn
        assert root["/OutputIntents"][0]["/S"] == "/GTS_PDFA1", namn
        # tagged: a structure tree with content, marked, in Swedish, with its title shown
        struktur = root["/StructTreeRoot"]
        assert struktur["/K"], namn
        assert root["/MarkInfo"]["/Marked"].value is True, namn
        assert root["/Lang"] == "sv", namn
        assert root["/ViewerPreferences"]["/DisplayDocTitle"].value is True, namn
        titlar = xmp.xpath("//dc:title//rdf:li/text()", namespaces={"dc": DC, "rdf": RDF})
        assert titlar == [dok.titel], namn


def test_the_structure_tree_marks_headings_and_paragraphs(mote):
    reader, root = _las(dokument.som_pdf(dokument.protokoll(mote.sammantrade)))
    roller = set()

    def samla(node, djup=0):
        node = node.get_object()
        if isinstance(node, list):
            for barn in node:
                samla(barn, djup)
            return
        if not hasattr(node, "get"):
            return
        if node.get("/S"):
            roller.add(str(node["/S"]))
        if djup < 40 and "/K" in node:
            samla(node["/K"], djup + 1)

    samla(root["/StructTreeRoot"])
    assert {"/H1", "/P"} <= roller
    # the anslagsbevis is in the archived protokoll (KL 8 kap. 12 §)
    text = "".join(page.extract_text() for page in reader.pages)
    assert "Anslagsbevis" in text


@pytest.mark.parametrize("typ", [Handling.Typ.TJANSTESKRIVELSE, Handling.Typ.PROTOKOLLSUTDRAG])
def test_the_filed_pdf_is_pdfa(mote, typ):
    """What is filed in the ärende for keeping (the tjänsteskrivelse when it is done, the
    protokollsutdrag at justering) is the tagged PDF/A."""
    pdfer = mote.arende.handlingar.filter(typ=typ, mediatyp=dokument.PDF).exclude(fil="")
    assert pdfer.exists()
    for handling in pdfer:
        with handling.fil.open("rb") as fil:
            reader = PdfReader(io.BytesIO(fil.read()))
        assert _pdfa_del(_xmp(reader)) == ("2", "U")
        assert _pdfua_del(_xmp(reader)) == "1"
        assert reader.trailer["/Root"]["/MarkInfo"]["/Marked"].value is True


def test_docx_stays_the_editable_copy(mote):
    docx = dokument.skriv(dokument.kallelse(mote.sammantrade), "docx")
    assert docx[:2] == b"PK"  # an Office Open XML package, not a PDF
