"""The documents a step draws up are made and filed off the request when a broker is
configured (issue 18.5; arenden.dokument.arkivering), with the broker replaced by a recorder
here; tests/test_skala.py runs it on a real worker. What a user checks: the justering returns
without rendering a dozen PDFs; the broker is told an id and nothing else; the filed protokoll
says what it said when it was justerat, whatever changed before the worker came; nothing is
filed twice, nothing is lost when the message is; and the protokoll is not anslaget before it
is filed."""

import datetime
import json

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from arenden.dokument import arkivering
from arenden.gemensamt import utskick
from arenden.models import Arkivering, Handling, Person, Protokollfil
from arenden.sammantraden import protokoll
from tests import factories
from tests.test_sammantraden import pdf_text
from tests.test_sammantraden_regler import Mote, cast_for
from workflow.engine import TransitionNotAllowed

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _justerat(mote, django_capture_on_commit_callbacks):
    """The meeting justerat by both, with the worker not yet come."""
    tidpunkt = timezone.make_aware(
        datetime.datetime.combine(mote.sammantrade.datum, datetime.time(10))
    ) + datetime.timedelta(days=7)
    mote.kalla()
    mote.besluta()
    mote.uppratta()
    mote.justera(mote.ordforande_user, tidpunkt)
    with django_capture_on_commit_callbacks(execute=True):
        mote.justera(mote.justerare_user, tidpunkt)
    mote.sammantrade.refresh_from_db()
    return mote


def test_justering_files_off_the_request_and_the_broker_gets_an_id_only(
    broker, django_capture_on_commit_callbacks
):
    mote = _justerat(Mote(cast_for("HSN")), django_capture_on_commit_callbacks)
    assert mote.sammantrade.state == "justerat"
    rad = Arkivering.objects.get(slag="protokoll")
    assert ("arenden.arkivera", [rad.pk]) in broker.skickat
    # nothing rendered in the request: no protokoll filed, no utdrag in the ärende yet
    assert not Protokollfil.objects.exists()
    assert not Handling.objects.filter(typ=Handling.Typ.PROTOKOLLSUTDRAG).exists()
    # the meeting page says it is coming; the anslag waits for it, in Swedish
    sida = Client()
    sida.force_login(mote.sek)
    assert "arkiveras" in sida.get(f"/sammantrade/{mote.sammantrade.pk}/").content.decode()
    with pytest.raises(TransitionNotAllowed, match="ännu inte arkiverat"):
        protokoll.ansla(mote.sammantrade, user=mote.sek)

    # the worker comes: the protokoll and the utdrag are filed, once
    assert arkivering.utfor(rad.pk) is True
    assert arkivering.utfor(rad.pk) is False  # a redelivered message: nothing twice
    [fil] = Protokollfil.objects.filter(sammantrade=mote.sammantrade)
    assert fil.version == 1 and protokoll.protokollfil_ar_intakt(fil)
    assert (
        Handling.objects.filter(arende=mote.arende, typ=Handling.Typ.PROTOKOLLSUTDRAG).count() == 1
    )
    rad.refresh_from_db()
    assert rad.klar is not None and rad.mal == []  # the filed documents are the record now
    factories.ansla_den(
        mote.sammantrade, user=mote.sek, dag=timezone.localdate(mote.sammantrade.justerat)
    )
    mote.sammantrade.refresh_from_db()
    assert mote.sammantrade.state == "anslaget"


def test_the_filed_protokoll_says_what_it_said_when_justerat(
    broker, django_capture_on_commit_callbacks
):
    mote = _justerat(Mote(cast_for("HSN")), django_capture_on_commit_callbacks)
    # something the protokoll shows changes before the worker comes: the ordförande's name
    # in the person register (the protokoll's own rows are locked once justerat)
    fore = mote.ordforande.namn
    Person.objects.filter(pk=mote.ordforande.pk).update(namn="Namnbyte I Efterhand")
    arkivering.utfor(Arkivering.objects.get(slag="protokoll").pk)
    fil = Protokollfil.objects.get(sammantrade=mote.sammantrade)
    with fil.fil.open("rb") as f:
        text = pdf_text(f.read())
    assert fore in text and "Namnbyte" not in text


@pytest.mark.parametrize("andring", ["beslutet", "vem", "maskerad"])
def test_a_filing_changed_in_the_database_before_the_worker_is_not_filed(
    broker, django_capture_on_commit_callbacks, caplog, andring
):
    """What the justering drew up waits in its row for the worker, which files it as the
    protokoll with a checksum and a signed history made from the row: a beslut rewritten in
    the table, another user put as who filed it, or the whole protokoll marked as the public
    copy would pass every check after. The row is sealed with the history key; the worker
    refuses one that no longer agrees, files nothing and says so in the log."""
    mote = _justerat(Mote(cast_for("HSN")), django_capture_on_commit_callbacks)
    rad = Arkivering.objects.get(slag="protokoll")
    text = json.dumps(rad.mal, ensure_ascii=False)
    assert "Att anta riktlinjerna." in text
    andrat = {
        "beslutet": {
            "mal": json.loads(text.replace("Att anta riktlinjerna.", "Att avslå riktlinjerna."))
        },
        "vem": {"user": factories.user("annan-anvandare")},
        "maskerad": {"mal": [{**m, "publik": True} for m in rad.mal]},
    }[andring]
    Arkivering.objects.filter(pk=rad.pk).update(**andrat)  # as the table's owner could
    assert arkivering.utfor(rad.pk) is False
    assert not Protokollfil.objects.filter(sammantrade=mote.sammantrade).exists()
    assert "stämmer inte med sitt sigill" in caplog.text
    rad.refresh_from_db()
    assert rad.klar is None  # still waiting, for the administrator to look into
    assert (rad.forsok, rad.senaste_fel) == (1, "Forseglingsfel")  # counted, as any failure


def test_a_lost_message_is_sent_again_and_cron_files_what_waits(
    broker, django_capture_on_commit_callbacks
):
    mote = _justerat(Mote(cast_for("HSN")), django_capture_on_commit_callbacks)
    rad = Arkivering.objects.get(slag="protokoll")
    broker.skickat.clear()
    # fresh: the worker may be on it; nothing is sent again
    assert arkivering.skicka_kvarvarande() == 0 and broker.skickat == []
    rad.skapad = timezone.now() - datetime.timedelta(minutes=10)
    rad.save(update_fields=["skapad"])  # sealed again: the system's own write
    with django_capture_on_commit_callbacks(execute=True):
        assert arkivering.skicka_kvarvarande() == 1
    assert broker.skickat == [("arenden.arkivera", [rad.pk])]
    # with no worker at all, cron does it; a second run finds nothing left
    call_command("arkivera")
    call_command("arkivera")
    assert Protokollfil.objects.filter(sammantrade=mote.sammantrade).count() == 1
    assert arkivering.vantande(mote.sammantrade) == []


def test_the_kallelse_is_filed_marked_and_emailed_masked_by_the_worker(
    broker, django_capture_on_commit_callbacks
):
    mote = Mote(cast_for("HSN"))
    mote.sammantrade.arende = mote.cast.registrera("Sammanträden 2025")
    mote.sammantrade.save(update_fields=["arende"])
    factories.hemlig_bilaga(mote.arendepunkt, mote.cast.registrator)
    mote.ordforande_user.email = "ordforande@example.se"
    mote.ordforande_user.save()
    with django_capture_on_commit_callbacks(execute=True):
        mote.kalla()
    assert not Handling.objects.filter(typ=Handling.Typ.KALLELSE).exists()
    assert not utskick.Utskick.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        arkivering.utfor(Arkivering.objects.get(slag="kallelse").pk)
    kallelse = Handling.objects.get(typ=Handling.Typ.KALLELSE)
    # the full kallelse names the secret bilaga, so it is marked where it is kept
    assert kallelse.sekretess_lagrum == "OSL 25 kap. 1 §"
    [brev] = utskick.Utskick.objects.all()
    text = pdf_text(bytes(brev.bilaga))
    assert "patient NN" not in text and "Sekretess (OSL 25 kap. 1 §)" in text


def _renderaren_felar(monkeypatch):
    """The renderer fails as a full disk or a broken font would; how often it was asked."""
    from arenden.dokument import services as dokument_services

    anrop = []

    def felar(dokument, format):
        anrop.append(format)
        raise OSError("disken är full")

    monkeypatch.setattr(dokument_services, "skriv", felar)
    return anrop


def test_a_filing_that_keeps_failing_is_counted_stopped_and_said_so(
    broker, django_capture_on_commit_callbacks, monkeypatch
):
    """A filing that fails is rolled back whole and counted on its row with the kind of
    error; the sweep tries it again until it has failed three times, then leaves it for the
    operator, and the meeting's page says it could not be filed instead of "arkiveras just
    nu" for ever. Sending the beslut is refused with the reason. Nothing is lost: once the
    cause is mended, ``arkivera --igen`` files what the justering drew up."""
    from django.core.exceptions import ValidationError
    from django.core.management.base import CommandError

    from arenden.handlaggning import services as handlaggning

    mote = _justerat(Mote(cast_for("HSN")), django_capture_on_commit_callbacks)
    rad = Arkivering.objects.get(slag="protokoll")
    anrop = _renderaren_felar(monkeypatch)
    sida = Client()
    sida.force_login(mote.sek)
    url = f"/sammantrade/{mote.sammantrade.pk}/"

    assert arkivering.utfor(rad.pk) is False
    rad.refresh_from_db()
    assert (rad.forsok, rad.senaste_fel, rad.klar) == (1, "OSError", None)
    assert rad.senast_forsokt is not None and rad.ar_forseglad()  # counting changes no seal
    assert rad.mal  # the snapshot is kept for the next attempt
    assert not Protokollfil.objects.exists()
    assert not Handling.objects.filter(typ=Handling.Typ.PROTOKOLLSUTDRAG).exists()
    html = sida.get(url).content.decode()
    assert "arkiveras just nu" in html and "misslyckats 1 gång " in html

    # the sweep sends it again while it may be tried; two more failures and it stops
    rad.skapad -= datetime.timedelta(hours=1)
    rad.save(update_fields=["skapad"])  # sealed again: the system's own write
    for _forsok in range(2):
        broker.skickat.clear()
        with django_capture_on_commit_callbacks(execute=True):
            assert arkivering.skicka_kvarvarande() == 1
        assert broker.skickat == [("arenden.arkivera", [rad.pk])]
        assert arkivering.utfor(rad.pk) is False
    rad.refresh_from_db()
    assert rad.forsok == 3 and rad.misslyckad
    broker.skickat.clear()
    assert arkivering.skicka_kvarvarande() == 0 and broker.skickat == []
    svar = sida.get(url)
    assert svar.status_code == 200
    html = svar.content.decode()
    assert "Justerat protokoll kunde inte arkiveras." in html
    assert "försökts 3 gånger" in html and "(teknisk felkod: OSError)" in html
    assert "arkiveras just nu" not in html
    assert "disken är full" not in html  # the error's message is the log's, never the page's
    with pytest.raises(TransitionNotAllowed, match="ännu inte arkiverat"):
        protokoll.ansla(mote.sammantrade, user=mote.sek)
    mote.arende.refresh_from_db()
    handlaggning.satt_sandlista(mote.arende, ["Kommunförbundet"], user=mote.sek)
    [mottagare] = mote.arende.mottagare.all()
    with pytest.raises(ValidationError, match="kunde inte diarieföras") as fel:
        handlaggning.expediera_till(mottagare, user=mote.sek, metod="e-post")
    assert "misslyckats 3 gånger" in fel.value.messages[0]

    # the operator sees it in the admin, with the kind of error and never what it says
    from django.contrib.auth.models import User

    admin = Client()
    admin.force_login(User.objects.create_superuser("drift", "drift@example.se", "x"))
    for adress in ("/admin/arenden/arkivering/", f"/admin/arenden/arkivering/{rad.pk}/change/"):
        html = admin.get(adress).content.decode()
        assert "OSError" in html and "Att anta riktlinjerna." not in html

    # cron leaves it for the operator and says so; it is not tried again
    forut = len(anrop)
    with pytest.raises(CommandError, match="väntar på att felet åtgärdas"):
        call_command("arkivera")
    assert len(anrop) == forut

    # the cause mended, the operator files it: as it was drawn up
    monkeypatch.undo()
    from config import celery

    monkeypatch.setattr(celery, "app", broker)
    call_command("arkivera", "--igen")
    rad.refresh_from_db()
    assert rad.klar is not None and not rad.misslyckad
    [fil] = Protokollfil.objects.filter(sammantrade=mote.sammantrade)
    assert protokoll.protokollfil_ar_intakt(fil)
    html = sida.get(url).content.decode()
    assert "kunde inte arkiveras" not in html and fil.filnamn in html
    factories.ansla_den(
        mote.sammantrade, user=mote.sek, dag=timezone.localdate(mote.sammantrade.justerat)
    )
    mote.sammantrade.refresh_from_db()
    assert mote.sammantrade.state == "anslaget"


def test_without_a_worker_a_failing_filing_leaves_the_justering_done_and_the_row_waiting(
    settings, tmp_path, monkeypatch
):
    """Without a broker the filing runs in the step. The justering is the act; the files are
    its rendering: a renderer that fails does not undo the justering nor give an error
    page, the row waits for cron as it would for a worker, counted."""
    settings.MEDIA_ROOT = tmp_path
    mote = Mote(cast_for("HSN"))
    mote.till("genomfort")
    _renderaren_felar(monkeypatch)
    tidpunkt = timezone.make_aware(
        datetime.datetime.combine(mote.sammantrade.datum, datetime.time(10))
    ) + datetime.timedelta(days=7)
    mote.justera(mote.ordforande_user, tidpunkt)
    mote.justera(mote.justerare_user, tidpunkt)
    mote.sammantrade.refresh_from_db()
    assert mote.sammantrade.state == "justerat"
    rad = Arkivering.objects.get(slag="protokoll")
    assert (rad.forsok, rad.senaste_fel, rad.klar) == (1, "OSError", None)
    assert not Protokollfil.objects.exists()
    monkeypatch.undo()
    settings.MEDIA_ROOT = tmp_path
    call_command("arkivera")
    assert Protokollfil.objects.filter(sammantrade=mote.sammantrade).count() == 1


def test_a_filing_that_fails_midway_leaves_no_file_behind(
    broker, django_capture_on_commit_callbacks, monkeypatch, settings
):
    """The rows of a failed filing are rolled back, and so are the files already stored for
    it: no copy of the protokoll, maybe the unmasked one, lies in the storage beside the
    record with no row to find, mask or gallra it by."""
    import pathlib

    from arenden.dokument import services as dokument_services

    mote = _justerat(Mote(cast_for("HSN")), django_capture_on_commit_callbacks)
    rad = Arkivering.objects.get(slag="protokoll")
    assert [m["mal"] for m in rad.mal] == ["protokollfil", "handling"]
    rot = pathlib.Path(settings.MEDIA_ROOT)
    fore = {p for p in rot.rglob("*") if p.is_file()}
    riktig, gjorda = dokument_services.skriv, []

    def sista_felar(dokument, format):
        if gjorda:  # the protokoll is made and stored; then the disk is full
            raise OSError("disken är full")
        gjorda.append(format)
        return riktig(dokument, format)

    monkeypatch.setattr(dokument_services, "skriv", sista_felar)
    assert arkivering.utfor(rad.pk) is False
    assert gjorda == ["pdf"]
    assert {p for p in rot.rglob("*") if p.is_file()} == fore
    assert not Protokollfil.objects.filter(sammantrade=mote.sammantrade).exists()


def test_a_protokollfil_whose_row_cannot_be_written_leaves_no_file(
    broker, django_capture_on_commit_callbacks, monkeypatch, settings
):
    import pathlib

    from django.db import IntegrityError

    mote = _justerat(Mote(cast_for("HSN")), django_capture_on_commit_callbacks)
    rad = Arkivering.objects.get(slag="protokoll")
    rot = pathlib.Path(settings.MEDIA_ROOT)
    fore = {p for p in rot.rglob("*") if p.is_file()}

    def felar(self, *args, **kwargs):
        raise IntegrityError("raden kunde inte skrivas")

    monkeypatch.setattr(Protokollfil, "save", felar)
    assert arkivering.utfor(rad.pk) is False
    assert {p for p in rot.rglob("*") if p.is_file()} == fore
    rad.refresh_from_db()
    assert (rad.forsok, rad.senaste_fel) == (1, "IntegrityError")
    assert not Protokollfil.objects.filter(sammantrade=mote.sammantrade).exists()


def test_the_admin_lists_filings_at_one_cost_and_never_reads_what_they_say():
    """The operator's list of filings costs the same with one row as with four, of two
    organs' meetings, and no query reads the snapshot (``mal``), which may be large and hold
    secret text the admin never shows."""
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    moten = [
        Mote(cast, datum, agenda=False)
        for cast in (cast_for("HSN"), cast_for("RS"))
        for datum in (datetime.date(2026, 3, 4), datetime.date(2026, 4, 8))
    ]

    def filing(mote):
        return Arkivering.objects.create(
            sammantrade=mote.sammantrade,
            slag=Arkivering.Slag.KALLELSE,
            mal=[{"mal": "epost", "dokument": {"text": "Hemlig uppgift om patient NN"}}],
            user=mote.sek,
        )

    admin = Client()
    admin.force_login(User.objects.create_superuser("drift", "drift@example.se", "x"))

    def lista():
        with CaptureQueriesContext(connection) as fragor:
            svar = admin.get("/admin/arenden/arkivering/")
        assert svar.status_code == 200
        assert "Hemlig uppgift" not in svar.content.decode()
        assert not [f for f in fragor if '"mal"' in f["sql"]]
        return len(fragor), svar.content.decode()

    filing(moten[0])
    lista()  # the session's first request writes it; not the list's cost
    en, _html = lista()
    for mote in moten[1:]:
        filing(mote)
    fyra, html = lista()
    assert "Regionstyrelsen" in html and "Hälso- och sjukvårdsnämnden" in html
    assert fyra == en
    rad = Arkivering.objects.first()
    assert admin.get(f"/admin/arenden/arkivering/{rad.pk}/change/").status_code == 200


def _avvikelser():
    from workflow.history import verify

    return [(a.model_label, a.object_id, a.reason) for a in verify().live]


@pytest.mark.parametrize("andring", ["klar", "borttagen", "andrad"])
def test_a_filing_marked_done_removed_or_changed_in_the_database_is_reported(
    broker, django_capture_on_commit_callbacks, andring
):
    """The justerat protokoll waits in its filing row for the worker: the row marked done, or
    removed, with SQL, and the protokoll was never filed while verify_history said the
    history held; a row changed after it was sealed was only refused by the worker, in its
    log. The whole check reports each; the filing done by the worker leaves it clean."""
    mote = _justerat(Mote(cast_for("HSN")), django_capture_on_commit_callbacks)
    rad = Arkivering.objects.get(slag="protokoll")
    assert _avvikelser() == []
    s = mote.sammantrade.pk
    if andring == "klar":
        Arkivering.objects.filter(pk=rad.pk).update(klar=timezone.now(), mal=[])
        vantad = (
            "arenden.sammantrade",
            s,
            f"arkiveringen {rad.pk} av protokollets version 1 är markerad klar, men den "
            "versionen är inte arkiverad: ändrat i databasen utan att protokollet arkiverades",
        )
    elif andring == "borttagen":
        Arkivering.objects.filter(pk=rad.pk).delete()
        vantad = (
            "arenden.sammantrade",
            s,
            "protokollets version 1 är varken arkiverad eller väntar på att arkiveras: "
            "arkiveringen är borttagen i databasen",
        )
    else:
        Arkivering.objects.filter(pk=rad.pk).update(user=factories.user("annan-anvandare"))
        vantad = (
            "arenden.arkivering",
            rad.pk,
            f"arkiveringen {rad.pk} väntar men stämmer inte med sitt sigill: ändrad i "
            "databasen efter att steget togs",
        )
    assert vantad in _avvikelser()


def test_the_newest_filing_removed_after_a_rattelse_is_reported(
    broker, django_capture_on_commit_callbacks
):
    """A rättelse in effect files the protokoll's next version. Its filing row, the newest,
    removed with SQL before the worker came, left no gap below a known version, so nothing
    said the rättade protokoll was never filed; the signed rättelse says there is one."""
    mote = _justerat(Mote(cast_for("HSN")), django_capture_on_commit_callbacks)
    s = mote.sammantrade
    assert arkivering.utfor(Arkivering.objects.get(slag="protokoll").pk) is True
    with django_capture_on_commit_callbacks(execute=True):
        rattelse = protokoll.foresla_rattelse(
            s, user=mote.sek, punkt=mote.arendepunkt, text="Rätt belopp är 12 miljoner kronor."
        )
        protokoll.signera_rattelse(rattelse, user=mote.ordforande_user)
        protokoll.signera_rattelse(rattelse, user=mote.justerare_user)
    rad = Arkivering.objects.get(slag="rattelse")
    assert rad.version == 2
    assert [a for a in _avvikelser() if "arkiver" in a[2]] == []
    Arkivering.objects.filter(pk=rad.pk).delete()
    assert (
        "arenden.sammantrade",
        s.pk,
        "protokollets version 2 är varken arkiverad eller väntar på att arkiveras: "
        "arkiveringen är borttagen i databasen",
    ) in _avvikelser()


def test_a_filing_done_by_the_worker_leaves_the_check_clean(
    broker, django_capture_on_commit_callbacks
):
    _justerat(Mote(cast_for("HSN")), django_capture_on_commit_callbacks)
    assert arkivering.utfor(Arkivering.objects.get(slag="protokoll").pk) is True
    assert [a for a in _avvikelser() if "arkiver" in a[2]] == []
