"""The text job (``arenden.dokument.text.las_in``, a Celery task or ``manage.py dokumenttext``)
reads a filed protokoll for the search while an item on it is marked secret: the reading takes
seconds (a long PDF), the marking a moment. The words must not reach the search after the
marking took them out (OSL 5 kap. 5 §): the protokoll keeps the marking it was filed with and
is masked item by item when read, so its words would find it for anyone.

Found by trying it: the job asked "is something on it secret?" before it read the file and
wrote what it read after, unasked, so a marking in between was undone."""

import threading

import pytest
from django.db import connection

from arenden.diarium import sokning
from arenden.dokument import arkivering, harledd
from arenden.dokument import text as dokumenttext
from arenden.models import Arkivering, Handling
from tests.test_sammantraden_regler import Mote, cast_for


def _filat_protokoll():
    cast = cast_for("HSN")
    moteslista = cast.registrera("Sammanträden 2025")
    mote = Mote(cast)
    mote.sammantrade.arende = moteslista
    mote.sammantrade.save(update_fields=["arende"])
    mote.till("justerat")
    for rad in Arkivering.objects.filter(klar__isnull=True):
        assert arkivering.utfor(rad.pk)
    pdf = Handling.objects.get(arende=moteslista, typ="protokoll", filnamn__endswith=".pdf")
    assert pdf.text == ""  # waits for the text job
    return cast, mote, pdf


@pytest.mark.django_db
def test_an_item_marked_while_the_text_job_reads_the_protokoll_keeps_its_words_out(
    broker, monkeypatch
):
    cast, mote, pdf = _filat_protokoll()
    ordet = mote.arende.arendemening.split()[-1]
    riktig = dokumenttext.extrahera

    def medan_filen_lases(fil, mediatyp):
        text = riktig(fil, mediatyp)
        assert ordet in text  # the file holds the item in full
        mote.hemligt()  # the handläggare marks the item's ärende meanwhile
        return text

    monkeypatch.setattr(dokumenttext, "extrahera", medan_filen_lases)

    assert dokumenttext.las_in(pdf.pk) is False

    pdf.refresh_from_db()
    assert (pdf.sekretess_lagrum, pdf.text) == ("", "")
    assert pdf not in sokning.sok_handlingar(cast.registrator, q=ordet)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_text_job_waits_for_a_marking_in_progress_and_then_writes_nothing(broker, monkeypatch):
    """On PostgreSQL, each on its own connection: the marking has taken the words out and has
    not committed yet when the text job comes to write what it read. The job waits for the
    marking and then asks again; it never writes the words under a marking that commits
    after its question."""
    cast, mote, pdf = _filat_protokoll()
    ordet = mote.arende.arendemening.split()[-1]
    riktig_marka = harledd.marka
    markerat, fortsatt = threading.Event(), threading.Event()
    fel = []

    def marka_och_vanta(obj, user):
        svar = riktig_marka(obj, user)
        markerat.set()  # the words are out; the marking's transaction is still open
        fortsatt.wait(timeout=30)
        return svar

    monkeypatch.setattr(harledd, "marka", marka_och_vanta)

    def handlaggaren():
        try:
            mote.hemligt()
        except Exception as e:  # noqa: BLE001 - reported below
            fel.append(e)
        finally:
            markerat.set()
            connection.close()

    svar = []

    def textjobbet():
        try:
            svar.append(dokumenttext.las_in(pdf.pk))
        except Exception as e:  # noqa: BLE001 - reported below
            fel.append(e)
        finally:
            connection.close()

    markering = threading.Thread(target=handlaggaren)
    markering.start()
    assert markerat.wait(timeout=30)
    jobbet = threading.Thread(target=textjobbet)
    jobbet.start()
    # the job either finishes (it did not wait: the defect) or waits at the lock; either
    # way the marking then commits, and the result is looked at only after both are done
    jobbet.join(timeout=5)
    fortsatt.set()
    markering.join()
    jobbet.join()

    assert fel == []
    assert svar == [False]
    pdf.refresh_from_db()
    assert (pdf.sekretess_lagrum, pdf.text) == ("", "")
    assert pdf not in sokning.sok_handlingar(cast.registrator, q=ordet)
