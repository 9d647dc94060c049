"""A document whose making kills its worker (a PDF too large for the worker's memory) is
counted as a failed attempt, as one that raises is: Celery gives a killed worker's message
back (``reject_on_worker_lost``, config.celery), so without the count it was made again at
once, killing one worker after another for ever, and the page said the document was being
made for ever. After :data:`~arenden.dokument.jobb.MAX_FORSOK` deaths the page says it could
not be made, and a message given back again makes nothing; asked for again later, the worker
tries again, and once made it is served.

The death is simulated by an exception no ``except Exception`` catches, raised from the
renderer: nothing after it runs in the worker, as when the process dies."""

import datetime

import pytest

from arenden.dokument import jobb, services
from arenden.handlaggning import services as handlaggning_services
from config import celery
from tests import factories
from tests.test_dokument_jobb import FORSLAG, SKYDDAT, _hamta
from workflow.engine import do_transition


@pytest.fixture
def cast(db):
    return factories.Cast()


@pytest.fixture
def hemligt(cast):
    """A secret ärende with a tjänsteskrivelse to make as a document."""
    arende = cast.registrera(SKYDDAT, sekretess_lagrum="OSL 25 kap. 1 §")
    handlaggning_services.tilldela(arende, handlaggare=cast.handlaggare, user=cast.stabschef)
    do_transition(arende, "paborja_beredning", cast.handlaggare)
    factories.forslag_till_beslut(arende, cast.handlaggare, forslag=FORSLAG)
    return arende


class ArbetarenDog(BaseException):
    """The worker process killed mid-task (not an ``Exception``: no handler of it runs)."""


def test_a_document_that_kills_its_worker_is_counted_and_not_made_again_at_once(
    client, cast, hemligt, broker, django_capture_on_commit_callbacks, monkeypatch
):
    anrop = []

    def dodar(dokument, format):
        anrop.append(format)
        raise ArbetarenDog

    with django_capture_on_commit_callbacks(execute=True):
        assert _hamta(client, cast.handlaggare, hemligt).status_code == 202
    [(_namn, args)] = broker.skickat
    riktig = services.skriv
    monkeypatch.setattr(services, "skriv", dodar)
    for forsok in range(1, jobb.MAX_FORSOK + 1):
        with pytest.raises(ArbetarenDog):
            celery.generera_dokument(*args)  # the message, given back after each death
        rad = jobb.MisslyckatDokument.objects.get(nyckel=args[-1])
        assert (rad.forsok, rad.senaste_fel) == (forsok, "WorkerLostError")
    assert len(anrop) == jobb.MAX_FORSOK

    # given back once more, it kills no more workers; the page says it could not be made
    assert celery.generera_dokument(*args) is None
    assert len(anrop) == jobb.MAX_FORSOK
    with django_capture_on_commit_callbacks(execute=True):
        svar = _hamta(client, cast.handlaggare, hemligt)
    assert svar.status_code == 503
    assert "Dokumentet kunde inte skapas" in svar.content.decode()

    # asked for later, once the cause is mended (more memory), it is made and served
    monkeypatch.setattr(services, "skriv", riktig)
    jobb.MisslyckatDokument.objects.filter(nyckel=args[-1]).update(
        senast=jobb.MisslyckatDokument.objects.get().senast - jobb.VILA - datetime.timedelta(1)
    )
    assert celery.generera_dokument(*args) == args[-1]
    assert not jobb.MisslyckatDokument.objects.exists()
    assert _hamta(client, cast.handlaggare, hemligt).status_code == 200
