"""A filing whose making kills its worker (out of memory on a long protokoll, SIGKILL) is
counted as a failed attempt, like a filing that raises: Celery gives a killed worker's message
back (``reject_on_worker_lost``, config.celery) and the sweep sends it again every five
minutes, so without the count it would be taken again for ever, kill a worker each time, and
the meeting's page would say "arkiveras just nu" for ever. After
:data:`~arenden.dokument.jobb.MAX_FORSOK` deaths it waits for the operator, as a failing
filing does, and ``arkivera --igen`` files it once the cause is mended; nothing is lost and
nothing is filed twice.

The death is simulated by an exception no ``except Exception`` catches, raised from the
renderer: nothing after it runs in the worker, and its transaction is rolled back, as when the
process dies."""

import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import F
from django.test import Client

from arenden.dokument import arkivering
from arenden.dokument import services as dokument_services
from arenden.models import Arkivering, Handling, Protokollfil
from tests.test_arkivering import _justerat
from tests.test_sammantraden_regler import Mote, cast_for

pytestmark = pytest.mark.django_db


class ArbetarenDog(BaseException):
    """The worker process killed mid-task (not an ``Exception``: no handler of it runs)."""


def _renderaren_dodar(monkeypatch) -> list:
    anrop = []

    def dodar(dokument, format):
        anrop.append(format)
        raise ArbetarenDog

    monkeypatch.setattr(dokument_services, "skriv", dodar)
    return anrop


def _arbetaren(pk) -> None:
    """One delivery of the task to a worker that dies making it; the page is read once the
    sweep's wait has passed (until then a dead worker cannot be told from one at work)."""
    with pytest.raises(ArbetarenDog):
        arkivering.utfor(pk)
    Arkivering.objects.filter(pk=pk).update(
        senast_forsokt=F("senast_forsokt") - arkivering.VANTETID
    )


def test_a_filing_that_kills_its_worker_is_counted_and_stops_for_the_operator(
    broker, django_capture_on_commit_callbacks, monkeypatch
):
    mote = _justerat(Mote(cast_for("HSN")), django_capture_on_commit_callbacks)
    rad = Arkivering.objects.get(slag="protokoll")
    riktig = dokument_services.skriv
    anrop = _renderaren_dodar(monkeypatch)
    sida = Client()
    sida.force_login(mote.sek)
    url = f"/sammantrade/{mote.sammantrade.pk}/"

    sida.get(url)
    _arbetaren(rad.pk)  # the first delivery
    rad.refresh_from_db()
    assert (rad.forsok, rad.klar) == (1, None)
    assert rad.senaste_fel == "WorkerLostError"
    assert rad.mal and rad.ar_forseglad()  # kept whole for the next attempt
    assert "misslyckats 1 gång " in sida.get(url).content.decode()

    # Celery gives the message back, and the sweep sends it again: two more deaths
    rad.skapad -= datetime.timedelta(hours=1)
    rad.save(update_fields=["skapad"])
    _arbetaren(rad.pk)
    broker.skickat.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert arkivering.skicka_kvarvarande() == 1
    _arbetaren(rad.pk)
    rad.refresh_from_db()
    assert rad.forsok == 3 and rad.misslyckad

    # then it is left to the operator: neither the sweep nor a message given back again
    # takes it (and kills another worker)
    broker.skickat.clear()
    assert arkivering.skicka_kvarvarande() == 0 and broker.skickat == []
    forut = len(anrop)
    assert arkivering.utfor(rad.pk) is False
    assert len(anrop) == forut
    html = sida.get(url).content.decode()
    assert "Justerat protokoll kunde inte arkiveras." in html
    assert "arkiveras just nu" not in html
    with pytest.raises(CommandError, match="misslyckats 3 gånger"):
        call_command("arkivera")
    assert len(anrop) == forut

    # the cause mended, the operator files it: once, nothing lost
    monkeypatch.setattr(dokument_services, "skriv", riktig)
    call_command("arkivera", "--igen")
    rad.refresh_from_db()
    assert rad.klar is not None and not rad.misslyckad
    assert Protokollfil.objects.filter(sammantrade=mote.sammantrade, version=1).exists()
    utdrag = Handling.objects.filter(arende=mote.arende, typ=Handling.Typ.PROTOKOLLSUTDRAG)
    assert utdrag.count() == len({h.filnamn for h in utdrag}) > 0
    assert arkivering.utfor(rad.pk) is False  # a last message given back files nothing


def test_a_worker_that_dies_once_leaves_the_filing_to_the_next_which_files_it_once(
    broker, django_capture_on_commit_callbacks, monkeypatch
):
    mote = _justerat(Mote(cast_for("HSN")), django_capture_on_commit_callbacks)
    rad = Arkivering.objects.get(slag="protokoll")
    riktig = dokument_services.skriv
    _renderaren_dodar(monkeypatch)
    _arbetaren(rad.pk)
    monkeypatch.setattr(dokument_services, "skriv", riktig)

    assert arkivering.utfor(rad.pk) is True  # the message given back, to another worker
    assert arkivering.utfor(rad.pk) is False  # and a duplicate of it

    rad.refresh_from_db()
    assert rad.klar is not None and rad.mal == []
    # the death is on record as one failed attempt; the attempt that filed it is not one
    assert (rad.forsok, rad.senaste_fel) == (1, "WorkerLostError")
    assert sorted(
        Protokollfil.objects.filter(sammantrade=mote.sammantrade).values_list("version", "publik")
    ) == [(1, False)]
