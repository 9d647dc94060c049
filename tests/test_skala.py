"""Past one machine (issue 18.5), against the real services: a PostgreSQL streaming replica
and a Celery worker on RabbitMQ, which ``.ci/skala start`` sets up and ``.ci/test`` runs this
module with. Without them the module is skipped; with ``CI`` set it fails instead, so that a
CI run can never pass without having proved it."""

import hashlib
import os
import time
import uuid

import pytest
from django.conf import settings
from django.db import connections
from django.db.utils import OperationalError
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from arenden.dokument import jobb, services
from arenden.gemensamt import utskick
from arenden.models import Sammantrade
from config import celery
from tests import factories

pytestmark = [
    pytest.mark.skala,
    pytest.mark.django_db(transaction=True, databases=["default", "replica"]),
]


def _saknas() -> str:
    if "replica" not in settings.DATABASES:
        return "DATABASE_REPLICA_URL är inte satt"
    if connections["default"].vendor != "postgresql":
        return "repliken kräver PostgreSQL"
    try:
        connections["replica"].ensure_connection()
    except OperationalError as err:
        return f"repliken nås inte: {err}"
    return ""


@pytest.fixture(autouse=True)
def replika():
    saknas = _saknas()
    if saknas:
        if os.environ.get("CI"):
            pytest.fail(f"CI kräver repliken: {saknas}")
        pytest.skip(saknas)


def _vanta_pa_replay():
    """Wait until the replica has replayed everything the primary has committed so far."""
    with connections["default"].cursor() as cur:
        cur.execute("SELECT pg_current_wal_lsn()")
        (lsn,) = cur.fetchone()
    with connections["replica"].cursor() as cur:
        # at most 30 s; the caller asserts that replay caught up
        for _ in range(600):
            cur.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn])
            if cur.fetchone()[0]:
                break
            cur.execute("SELECT pg_sleep(0.05)")
        cur.execute("SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn])
        return cur.fetchone()


def test_the_replica_is_a_hot_standby_that_refuses_writes():
    with connections["replica"].cursor() as cur:
        cur.execute("SELECT pg_is_in_recovery()")
        assert cur.fetchone() == (True,)


def test_the_postlista_read_from_the_replica_shows_an_arende_committed_just_before(client):
    cast = factories.Cast()
    arende = cast.registrera("Remiss om kollektivtrafikens taxor")
    assert _vanta_pa_replay() == (True, True)
    with (
        CaptureQueriesContext(connections["replica"]) as replika,
        CaptureQueriesContext(connections["default"]) as primar,
    ):
        page = client.get(reverse("arenden:postlista")).content.decode()
    assert str(arende.diarienummer) in page
    assert "Remiss om kollektivtrafikens taxor" in page
    assert any("arenden_arende" in q["sql"] for q in replika.captured_queries)
    assert not any("arenden_arende" in q["sql"] for q in primar.captured_queries)


def test_a_session_that_just_wrote_reads_the_primary(client):
    cast = factories.Cast()
    client.force_login(cast.registrator)
    # any POST pins the session to the primary for a few seconds, refused or not
    client.post(reverse("arenden:postlista"))
    arende = cast.registrera("Ett ärende registrerat nyss")
    with CaptureQueriesContext(connections["replica"]) as replika:
        page = client.get(reverse("arenden:postlista")).content.decode()
    # read from the primary without waiting for the replica: the write is there
    assert str(arende.diarienummer) in page
    assert replika.captured_queries == []


def _arbetaren():
    if celery.app is None:
        if os.environ.get("CI"):
            pytest.fail("CI kräver Celery-arbetaren: CELERY_BROKER_URL är inte satt")
        pytest.skip("CELERY_BROKER_URL är inte satt")


def _vanta(fraga, sekunder=60):
    """Poll ``fraga`` until it answers something, for at most ``sekunder``."""
    slut = time.monotonic() + sekunder
    while time.monotonic() < slut:
        svar = fraga()
        if svar:
            return svar
        time.sleep(0.2)
    return fraga()


def test_a_document_made_by_the_worker_arrives_and_is_served_with_its_sha256():
    _arbetaren()
    cast = factories.Cast()
    arende = cast.registrera("Remiss om kollektivtrafikens taxor")
    mote = factories.mote(arende, justerat=False)  # a kallelse: before the meeting
    # a place of its own: a document no earlier run made
    Sammantrade.objects.filter(pk=mote.pk).update(plats=f"Sal {uuid.uuid4()}")
    # the worker is told the meeting's id, and reads the kallelse from the database
    dokument = services.kallelse(mote)
    # outside a transaction: queued at once, as after a request's commit
    forsta = services.som_svar(dokument, "pdf")
    assert forsta.status_code == 202
    assert "Dokumentet skapas" in forsta.content.decode()
    nyckel = jobb.nyckel(jobb.som_data(dokument), "pdf")
    gjort = _vanta(lambda: jobb.GenereratDokument.objects.filter(nyckel=nyckel).first())
    assert gjort is not None, "arbetaren gjorde inte dokumentet"
    svar = services.som_svar(dokument, "pdf")
    assert svar.status_code == 200
    assert svar.content.startswith(b"%PDF")
    assert hashlib.sha256(svar.content).hexdigest() == gjort.sha256


def test_the_worker_sends_the_outbox():
    _arbetaren()
    rad = utskick.lagg_i_utskick(amne="Påminnelse", text="Återrapportering", till=["a@example.se"])
    skickad = _vanta(
        lambda: utskick.Utskick.objects.filter(pk=rad.pk, skickad__isnull=False).exists()
    )
    assert skickad, "arbetaren skickade inte e-posten"


def test_the_worker_files_the_justerat_protokoll_as_it_was_justerat():
    """The last signature returns at once; the worker files the protokoll (and the utdrag in
    the ärende), made from what it said at the justering, and the anslag waits for it."""
    from arenden.dokument import arkivering
    from arenden.models import Handling, Protokollfil
    from arenden.sammantraden import protokoll
    from tests.test_sammantraden_regler import Mote, cast_for

    _arbetaren()
    mote = Mote(cast_for("HSN")).till("justerat")
    fil = _vanta(lambda: Protokollfil.objects.filter(sammantrade=mote.sammantrade).first())
    assert fil is not None, "arbetaren arkiverade inte protokollet"
    assert protokoll.protokollfil_ar_intakt(fil)
    assert _vanta(lambda: not arkivering.vantande(mote.sammantrade))
    assert Handling.objects.filter(arende=mote.arende, typ=Handling.Typ.PROTOKOLLSUTDRAG).exists()
