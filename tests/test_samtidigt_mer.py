"""More of "nothing lost, nothing twice when two act at once", on PostgreSQL: two threads, each
on its own connection, released together, made to meet inside their transactions past the
checks (or held at the one moment that matters), so that without the lock both would act on
what they read. What is asserted is what a user or a revisor checks afterwards: the rows, the
ärende's steps, the record of who may do what, and a Swedish refusal for the one that came
second."""

import contextlib
import threading

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.db.models.query import QuerySet

from arenden.dokument import arkivering
from arenden.dokument import services as dokument_services
from arenden.handlaggning import services
from arenden.konto import behorigheter
from arenden.konto.behorigheter import Tilldelning
from arenden.models import Arkivering, Handling, Protokollfil, Rattelseexpediering
from arenden.organisation import roles as r
from arenden.sammantraden import protokoll
from tests import factories
from tests.test_rattelse_samtidigt import _justerat_och_halvt_expedierat
from tests.test_sammantraden_regler import Mote, cast_for
from workflow.engine import history

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

User = get_user_model()

#: how long one that has passed its checks waits for the other to get as far; with the lock
#: the other waits for the lock instead, and the first goes on alone when this has passed
MOTAS_SEKUNDER = 2


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def samtidigt(monkeypatch, modul, namn: str, *anrop) -> list:
    """Run the calls in threads released at once; each, when it first calls ``modul.namn``
    (past the service's lock and checks), waits there for the other. What each returned or
    raised, in call order."""
    start = threading.Barrier(len(anrop))
    inne = threading.Barrier(len(anrop))
    lokal = threading.local()
    riktig = getattr(modul, namn)

    def motas(*args, **kwargs):
        if getattr(lokal, "motas", False):
            lokal.motas = False
            with contextlib.suppress(threading.BrokenBarrierError):
                inne.wait(timeout=MOTAS_SEKUNDER)
        return riktig(*args, **kwargs)

    monkeypatch.setattr(modul, namn, motas)
    utfall: list = [None] * len(anrop)

    def kor(i, fn):
        lokal.motas = True
        try:
            start.wait(timeout=30)
            utfall[i] = fn()
        except Exception as fel:  # noqa: BLE001 - returned, asserted by the test
            utfall[i] = fel
        finally:
            connection.close()

    tradar = [threading.Thread(target=kor, args=(i, fn)) for i, fn in enumerate(anrop)]
    for trad in tradar:
        trad.start()
    for trad in tradar:
        trad.join(60)
    monkeypatch.setattr(modul, namn, riktig)
    return utfall


# -- the rättat protokollsutdrag (FL 36 §) sent twice at once to one recipient ---------------


def test_the_rattat_utdrag_recorded_twice_at_once_for_one_recipient_is_recorded_once(
    monkeypatch,
):
    """Two sekreterare (or two tabs) record at the same moment that Kommunförbundet was sent
    the rättat utdrag: one row, and the other is told it is already sent."""
    mote, arende, forsta, _andra, rattelse = _justerat_och_halvt_expedierat()
    protokoll.signera_rattelse(rattelse, user=mote.justerare_user)
    assert services.rattat_utdrag_kvar(arende)[0][1] == [forsta]

    utfall = samtidigt(
        monkeypatch,
        services,
        "rattat_utdrag_kvar",
        lambda: services.skicka_rattelse(forsta, user=mote.sek, metod="e-post"),
        lambda: services.skicka_rattelse(forsta, user=mote.sek, metod="post"),
    )

    fel = [u for u in utfall if isinstance(u, Exception)]
    assert len(fel) == 1 and isinstance(fel[0], ValidationError), utfall
    assert fel[0].messages == [
        "Det rättade protokollsutdraget är redan skickat till Kommunförbundet."
    ]
    assert Rattelseexpediering.objects.filter(mottagare=forsta).count() == 1
    assert services.rattat_utdrag_kvar(arende) == []


# -- the last two recipients sent to at once ---------------------------------------------------


def test_the_last_two_recipients_sent_to_at_once_expediera_the_arende_once(monkeypatch):
    """Two sekreterare send the beslut to the last two on the sändlista at the same moment
    (each with the page as it now reads, so neither is stale): both are recorded, and the
    ärende becomes expedierat, by exactly one step. Without the ärende's lock each would
    see only its own recipient sent and the ärende would stay beslutat with nobody left."""
    cast = cast_for("HSN")
    mote = Mote(cast).till("justerat")
    arende = mote.arende
    arende.refresh_from_db()
    andra_sek = factories.user("sekreterare-2-HSN", organ_role=r.NAMNDSEKRETERARE, on=cast.organ)
    services.satt_sandlista(arende, ["Kommunförbundet", "Revisionen"], user=mote.sek)
    forsta, andra = arende.mottagare.order_by("ordning")

    utfall = samtidigt(
        monkeypatch,
        services,
        "expediering_klar",
        lambda: services.expediera_till(forsta, user=mote.sek, metod="e-post"),
        lambda: services.expediera_till(andra, user=andra_sek, metod="post"),
    )

    assert not [u for u in utfall if isinstance(u, Exception)], utfall
    forsta.refresh_from_db()
    andra.refresh_from_db()
    assert forsta.expedierad is not None and andra.expedierad is not None
    arende.refresh_from_db()
    assert arende.state == "expedierat"
    assert [h.transition for h in history(arende)].count("expediera") == 1


# -- the operator's arkivera --igen while a worker files the same row --------------------------


def test_arkivera_igen_while_a_worker_files_the_same_row_files_it_once(monkeypatch, caplog):
    """A filing that failed three times waits for the operator; as they run
    ``manage.py arkivera --igen``, a worker is handed the same row (a message sent again).
    The protokoll is filed once, in each place once, and nothing is said to have failed: the
    one that comes second waits for the row and finds it done (without the row's lock the
    files' unique keys would still stop a second copy, but as a failed filing in the log)."""
    mote = Mote(cast_for("HSN")).till("genomfort")
    riktig = dokument_services.skriv

    def felar(dokument, format):
        raise OSError("disken är full")

    monkeypatch.setattr(dokument_services, "skriv", felar)
    mote.justera(mote.ordforande_user)
    mote.justera(mote.justerare_user)
    monkeypatch.setattr(dokument_services, "skriv", riktig)
    rad = Arkivering.objects.get(slag="protokoll")
    Arkivering.objects.filter(pk=rad.pk).update(forsok=3)
    rad.refresh_from_db()
    assert rad.misslyckad and rad.klar is None
    utdrag = Handling.objects.filter(typ=Handling.Typ.PROTOKOLLSUTDRAG)
    assert not Protokollfil.objects.exists() and not utdrag.exists()
    utskrift = []
    caplog.clear()

    def operatoren():
        from io import StringIO

        ut = StringIO()
        call_command("arkivera", "--igen", stdout=ut)
        utskrift.append(ut.getvalue())
        return "operatören"

    utfall = samtidigt(
        monkeypatch,
        dokument_services,
        "skriv",
        operatoren,
        lambda: arkivering.utfor(rad.pk),
    )

    assert not [u for u in utfall if isinstance(u, Exception)], utfall
    assert [r.getMessage() for r in caplog.records if "misslyckades" in r.getMessage()] == []
    rad.refresh_from_db()
    assert rad.klar is not None and rad.forsok == 3
    # the worker filed it, or the operator's run did and said so: one of the two
    assert [utfall[1], utskrift] in (
        [True, ["0 arkiveringar gjorda.\n"]],
        [False, ["1 arkiveringar gjorda.\n"]],
    )
    filer = list(Protokollfil.objects.values_list("version", "publik"))
    assert len(filer) == len(set(filer)) and filer
    assert utdrag.filter(arende=mote.arende).count() == len(
        {h.filnamn for h in utdrag.filter(arende=mote.arende)}
    )


# -- a permission given while it is taken away ----------------------------------------------


@pytest.mark.parametrize("hur", ["remove", "clear"])
@pytest.mark.parametrize("vem", ["konto", "grupp"])
def test_a_permission_given_while_it_is_taken_away_is_in_both_records_or_neither(
    monkeypatch, hur, vem
):
    """The system gives an account (or a role) a permission while, at the same moment,
    another run takes it away (``remove``) or takes all of it away (``clear``). Whichever wins,
    Django's table and the signed record (:class:`Tilldelning`, which is what counts) say
    the same: before, the one taking away could delete the record of the permission given
    a moment before, leaving it in Django's table with nothing giving it (a lost grant), or
    empty Django's table under a record that still gives it (a revocation that did not
    take)."""
    if vem == "konto":
        agare = factories.user("anna")
        through, falt = User.user_permissions.through, "user_id"

        def relation(a):
            return User.objects.get(pk=a.pk).user_permissions

    else:
        agare = Group.objects.create(name="Granskare i försök")
        through, falt = Group.permissions.through, "group_id"

        def relation(a):
            return Group.objects.get(pk=a.pk).permissions

    behorighet = Permission.objects.get(
        content_type__app_label="workflow", codename="view_workflowhistory"
    )
    tar_bort, given = threading.Event(), threading.Event()
    lokal = threading.local()
    delete = QuerySet.delete

    def hall_kvar(self):
        # the one taking away is held when it comes to Django's table: for ``clear`` before
        # it empties it (the record is cleared first), for ``remove`` after (the record next)
        if not getattr(lokal, "halla", False) or self.model is not through:
            return delete(self)
        lokal.halla = False
        if hur == "clear":
            tar_bort.set()
            assert given.wait(20)
            return delete(self)
        svar = delete(self)
        tar_bort.set()
        assert given.wait(20)
        return svar

    monkeypatch.setattr(QuerySet, "delete", hall_kvar)
    fel = []

    def ta_bort():
        lokal.halla = True
        try:
            if hur == "remove":
                relation(agare).remove(behorighet)
            else:
                relation(agare).clear()
        except Exception as error:  # noqa: BLE001 - asserted below
            fel.append(error)
        finally:
            tar_bort.set()
            connection.close()

    trad = threading.Thread(target=ta_bort)
    trad.start()
    try:
        assert tar_bort.wait(20)
        relation(agare).add(behorighet)  # committed while the other is held
    finally:
        given.set()
        trad.join(30)
    assert fel == []

    i_djangos = set(through.objects.filter(**{falt: agare.pk}).values_list("permission_id"))
    mottagare = "anvandare" if vem == "konto" else "grupp"
    i_registret = set(Tilldelning.objects.filter(**{mottagare: agare}).values_list("behorighet_id"))
    assert i_djangos == i_registret
    assert behorigheter.avvikelser() == []
