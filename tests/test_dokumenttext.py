"""The text of uploaded PDF and DOCX files is read at upload and searched: the search page
lists the ärenden and the handlingar it is in, secret text only for who may read it, a
damaged file is filed without text, and ``manage.py dokumenttext`` reads older uploads."""

import datetime
import io

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from weasyprint import HTML

from arenden.diarium import sokning
from arenden.diarium.models import Handling
from arenden.diarium.services import arkivera_handling
from arenden.gemensamt.sidor import Sida
from tests import factories

pytestmark = pytest.mark.django_db

LAGRUM = "OSL 25 kap. 1 §"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def cast():
    return factories.Cast()


def pdf(text: str) -> bytes:
    return HTML(string=f"<html lang='sv'><body><p>{text}</p></body></html>").write_pdf()


def word(text: str) -> bytes:
    dokument = docx.Document()
    dokument.add_paragraph("Inledning")
    tabell = dokument.add_table(rows=1, cols=1)
    tabell.rows[0].cells[0].text = text
    buffer = io.BytesIO()
    dokument.save(buffer)
    return buffer.getvalue()


def ladda_upp(arende, cast, namn, innehall, titel="Bilaga", **falt):
    return arkivera_handling(
        arende,
        user=cast.registrator,
        typ="bilaga",
        riktning="inkommen",
        titel=titel,
        fil=SimpleUploadedFile(namn, innehall),
        **falt,
    )


def arenden(user, q):
    """The ärenden found (on PostgreSQL a word search is read a page at a time)."""
    return Sida(sokning.sok(user, q=q), 1, 100).object_list


def sidan(client, user, q):
    client.force_login(user)
    response = client.get(reverse("arenden:sok"), {"q": q})
    assert response.status_code == 200
    return response.content.decode()


def test_the_words_of_a_pdf_find_its_arende_and_the_handling_on_the_search_page(client, cast):
    arende = cast.registrera("Remiss om vårdplatser")
    handling = ladda_upp(arende, cast, "remiss.pdf", pdf("Bemanningen på Sunderby sjukhus"))
    cast.registrera("Annat ärende")

    assert "Sunderby" in Handling.objects.get(pk=handling.pk).text
    assert arenden(cast.revisor, q="Sunderby") == [arende]
    page = sidan(client, cast.revisor, "Sunderby")
    assert "1 träffar" in page and "Remiss om vårdplatser" in page
    assert "Handlingar: 1 träffar" in page and f"{arende.diarienummer}:1" in page


def test_the_words_of_a_docx_table_are_found_too(client, cast):
    arende = cast.registrera("Avtal om tolktjänst")
    ladda_upp(arende, cast, "avtal.docx", word("Tolkförmedling Norrbotten"), titel="Avtal")
    assert arenden(cast.revisor, q="Tolkförmedling") == [arende]
    assert [h.titel for h in sokning.sok_handlingar(cast.revisor, q="Tolkförmedling")] == ["Avtal"]


def test_a_handling_is_listed_by_its_title_as_the_page_promises(client, cast):
    arende = cast.registrera("Remiss")
    ladda_upp(arende, cast, "y.txt", b"text", titel="Yttrande om ambulansflyg")
    page = sidan(client, cast.revisor, "ambulansflyg")
    assert "Handlingar: 1 träffar" in page and "Yttrande om ambulansflyg" in page


def test_a_damaged_pdf_is_filed_without_text(cast):
    arende = cast.registrera("Remiss")
    handling = ladda_upp(arende, cast, "trasig.pdf", b"%PDF-1.7\n" + b"\x00trasigt" * 50)
    handling.refresh_from_db()
    assert handling.fil and handling.sha256 and handling.text == ""


def test_the_upload_page_stores_the_text(client, cast):
    arende = cast.registrera("Remiss")
    client.force_login(cast.registrator)
    response = client.post(
        reverse("arenden:ny_handling", args=[arende.pk]),
        factories.fran_arendesidan(
            arende,
            {
                "typ": "bilaga",
                "riktning": "inkommen",
                "datum": "2025-10-20",
                "titel": "Inkommen skrivelse",
                "fil": SimpleUploadedFile("skrivelse.pdf", pdf("Helikopterplattan i Kiruna")),
            },
        ),
    )
    assert response.status_code == 302
    assert "Helikopterplattan" in arende.handlingar.get().text


def test_the_text_is_bounded(cast, monkeypatch):
    from arenden.dokument import text

    monkeypatch.setattr(text, "MAX_TECKEN", 20)
    arende = cast.registrera("Remiss")
    handling = ladda_upp(arende, cast, "lang.docx", word("ord " * 100))
    handling.refresh_from_db()
    assert len(handling.text) == 20


def test_secret_text_is_found_only_by_who_may_read_it(client, cast):
    """OSL 5 kap. 5 §: neither a hit nor a count may tell the registrator that the protected
    text holds the word; the revisor, who may read it, finds it."""
    oppet = cast.registrera("Klagomål på vården")
    ladda_upp(
        oppet,
        cast,
        "intyg.pdf",
        pdf("Diagnos lungembolism"),
        titel="Läkarintyg för NN",
        sekretess_lagrum=LAGRUM,
        offentlig_titel="Läkarintyg",
    )
    hemligt = cast.registrera("Klagomål från NN", sekretess_lagrum=LAGRUM)
    ladda_upp(hemligt, cast, "utredning.docx", word("Journalen visar lungembolism"))

    assert set(arenden(cast.revisor, q="lungembolism")) == {oppet, hemligt}
    assert len(sokning.sok_handlingar(cast.revisor, q="lungembolism")) == 2
    page = sidan(client, cast.revisor, "lungembolism")
    assert "2 träffar" in page and "Handlingar: 2 träffar" in page

    # the registrator sees both ärenden, but not their secret text
    assert cast.registrator.has_perm("arenden.view_arende", hemligt)
    assert arenden(cast.registrator, q="Klagomål") == [oppet]
    assert arenden(cast.registrator, q="lungembolism") == []
    assert list(sokning.sok_handlingar(cast.registrator, q="lungembolism")) == []
    page = sidan(client, cast.registrator, "lungembolism")
    assert "0 träffar" in page and "Handlingar: 0 träffar" in page
    assert "Läkarintyg för NN" not in sidan(client, cast.registrator, "NN")
    # the offentlig titel is public: by it the handling is found, masked
    page = sidan(client, cast.registrator, "Läkarintyg")
    assert "Handlingar: 1 träffar" in page and f"Läkarintyg – Sekretess ({LAGRUM})" in page


def test_the_command_reads_the_text_of_older_uploads(cast):
    arende = cast.registrera("Remiss")
    handling = ladda_upp(arende, cast, "gammal.pdf", pdf("Glesbygdsmedicin i Jokkmokk"))
    Handling.objects.filter(pk=handling.pk).update(text="")
    assert arenden(cast.revisor, q="Jokkmokk") == []
    out = io.StringIO()
    call_command("dokumenttext", stdout=out)
    assert "Text inläst ur 1 filer" in out.getvalue()
    assert arenden(cast.revisor, q="Jokkmokk") == [arende]


class Broker:
    """Records what would have been sent to RabbitMQ."""

    def __init__(self):
        self.skickat = []

    def send_task(self, namn, args=()):
        self.skickat.append((namn, args))


@pytest.fixture
def broker(monkeypatch):
    from config import celery

    b = Broker()
    monkeypatch.setattr(celery, "app", b)
    return b


def test_with_a_broker_the_text_is_read_by_a_worker_told_only_the_handlings_id(
    client, cast, broker, django_capture_on_commit_callbacks
):
    from config import celery

    arende = cast.registrera("Remiss om vårdplatser", sekretess_lagrum=LAGRUM)
    with django_capture_on_commit_callbacks(execute=True):
        handling = ladda_upp(arende, cast, "remiss.pdf", pdf("Diagnos lungembolism"))
        assert broker.skickat == []  # nothing leaves before the filing commits
    # the message names the handling; the document's words stay in the file storage
    assert broker.skickat == [("arenden.dokument.text", [handling.pk])]
    # filed, and until the worker has read it, not found by its text
    assert Handling.objects.get(pk=handling.pk).text == ""
    assert arenden(cast.revisor, q="lungembolism") == []
    assert "0 träffar" in sidan(client, cast.revisor, "lungembolism")

    assert celery.las_dokumenttext(handling.pk) is True
    assert arenden(cast.revisor, q="lungembolism") == [arende]
    # a redelivered message finds the text read and does nothing
    assert celery.las_dokumenttext(handling.pk) is False


def test_a_file_without_text_or_a_gallrad_handling_is_not_read(
    cast, broker, django_capture_on_commit_callbacks
):
    from config import celery

    arende = cast.registrera("Remiss")
    with django_capture_on_commit_callbacks(execute=True):
        txt = ladda_upp(arende, cast, "y.txt", b"Glesbygdsmedicin")
        gallrad = ladda_upp(arende, cast, "g.pdf", pdf("Glesbygdsmedicin i Jokkmokk"))
    # only a PDF or DOCX is sent to be read
    assert broker.skickat == [("arenden.dokument.text", [gallrad.pk])]
    Handling.objects.filter(pk=gallrad.pk).update(gallrad=datetime.date(2025, 12, 1))
    assert celery.las_dokumenttext(txt.pk) is False
    assert celery.las_dokumenttext(gallrad.pk) is False
    assert celery.las_dokumenttext(999999) is False
    assert arenden(cast.revisor, q="Jokkmokk") == []


def test_a_file_that_cannot_be_read_logs_the_kind_of_error_not_the_words(cast, monkeypatch, caplog):
    from arenden.dokument import text

    def trasig(fil):
        raise ValueError("oväntat innehåll: Diagnos lungembolism")

    monkeypatch.setitem(text._LASARE, text.PDF, trasig)
    arende = cast.registrera("Remiss", sekretess_lagrum=LAGRUM)
    with caplog.at_level("WARNING", logger="arenden.dokument.text"):
        handling = ladda_upp(arende, cast, "intyg.pdf", pdf("Diagnos lungembolism"))
    handling.refresh_from_db()
    assert handling.fil and handling.text == ""
    assert "ValueError" in caplog.text and "application/pdf" in caplog.text
    assert "lungembolism" not in caplog.text
