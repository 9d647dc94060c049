"""E-mail as records (issue 13, item 4): every e-mail is a row in the outbox
(arenden.gemensamt.utskick), written with the step that causes it and sent after it commits. A
rolled
back step sends nothing; a mail server that is down loses nothing (``manage.py
skicka_utskick`` sends it later); two senders never send one row twice; the outbox holds no
secret text (OSL)."""

import datetime
import io
import threading
import time

import pypdf
import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.locmem import EmailBackend as MinnesBackend
from django.core.management import call_command
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from arenden.diarium import services as diarium_services
from arenden.gemensamt import utskick
from arenden.handlaggning import services as handlaggning_services
from arenden.models import Deltagare, Utskick
from arenden.sammantraden import protokoll
from flows import jobb
from tests import factories
from workflow.engine import do_transition

SKYDDAT = "Patienten NN:s klagomål om vården på avdelning 7"


class Nere(BaseEmailBackend):
    """A mail server that does not answer."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError(111, "Connection refused")


class Langsam(MinnesBackend):
    """The test outbox, with a mail server that takes a moment: two senders overlap."""

    def send_messages(self, messages):
        time.sleep(0.005)
        return super().send_messages(messages)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def cast(db):
    cast = factories.Cast()
    cast.handlaggare.email = "handlaggare@example.se"
    cast.handlaggare.save()
    return cast


def skicka_utskick(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("skicka_utskick", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_a_rolled_back_step_leaves_no_row_and_sends_nothing(
    cast, django_capture_on_commit_callbacks
):
    arende = cast.registrera("Vårdval i länet")
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            handlaggning_services.tilldela(
                arende, handlaggare=cast.handlaggare, user=cast.stabschef
            )
            assert Utskick.objects.count() == 1  # written with the step …
            raise RuntimeError("a later part of the same request fails")
    assert not Utskick.objects.exists()  # … and gone with it
    assert mail.outbox == []
    assert skicka_utskick()[0] == "0 e-postmeddelanden skickade, 0 misslyckades.\n"
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_committed_step_sends_once_and_marks_it_sent(cast, django_capture_on_commit_callbacks):
    arende = cast.registrera("Vårdval i länet")
    with django_capture_on_commit_callbacks(execute=True):
        handlaggning_services.tilldela(arende, handlaggare=cast.handlaggare, user=cast.stabschef)
    [brev] = mail.outbox
    assert brev.bcc == ["handlaggare@example.se"]
    [rad] = Utskick.objects.all()
    assert rad.dold_kopia == ["handlaggare@example.se"] and rad.amne == brev.subject
    assert rad.text == brev.body and f"{arende.diarienummer}" in rad.text
    assert rad.skickad is not None and rad.forsok == 1 and rad.senaste_fel == ""
    # the cron job finds nothing left to send
    assert skicka_utskick()[0] == "0 e-postmeddelanden skickade, 0 misslyckades.\n"
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_mail_server_that_is_down_loses_nothing_and_the_command_sends_it_later(
    cast, client, settings, django_capture_on_commit_callbacks
):
    arende = cast.registrera("Vårdval i länet")
    settings.EMAIL_BACKEND = "tests.test_utskick.Nere"
    client.force_login(cast.stabschef)
    with django_capture_on_commit_callbacks(execute=True):
        svar = client.post(
            reverse("arenden:tilldela", args=[arende.pk]),
            factories.fran_arendesidan(
                arende,
                {
                    "handlaggare": cast.handlaggare.pk,
                    "kommentar": "",
                    "ansvarig-TOTAL_FORMS": "0",
                    "ansvarig-INITIAL_FORMS": "0",
                },
            ),
        )
    # the step is done and the user is not shown an error for the mail server
    assert svar.status_code == 302
    arende.refresh_from_db()
    assert arende.state == "tilldelat"
    [rad] = Utskick.objects.all()
    assert rad.skickad is None and rad.forsok == 1
    assert rad.senaste_fel == "ConnectionRefusedError: [Errno 111] Connection refused"

    out, err = skicka_utskick()  # cron, while the server is still down
    assert out == "0 e-postmeddelanden skickade, 1 misslyckades.\n"
    assert "Inte skickat (försök 2): Du har fått ärendet" in err
    assert "Connection refused" in err

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert skicka_utskick() == ("1 e-postmeddelanden skickade, 0 misslyckades.\n", "")
    [brev] = mail.outbox
    assert brev.subject == f"Du har fått ärendet {arende.diarienummer}"
    assert brev.bcc == ["handlaggare@example.se"]
    rad.refresh_from_db()
    assert rad.skickad is not None and rad.forsok == 3
    # sent is sent: the next run sends nothing again
    assert skicka_utskick()[0] == "0 e-postmeddelanden skickade, 0 misslyckades.\n"
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_the_command_gives_up_after_its_limit_and_says_so(settings):
    settings.EMAIL_BACKEND = "tests.test_utskick.Nere"
    rad = utskick.lagg_i_utskick(amne="Kallelse", text="Välkommen.", till=["a@example.se"])
    for _ in range(3):
        skicka_utskick("--max-forsok", "3")
    rad.refresh_from_db()
    assert rad.forsok == 3 and rad.skickad is None
    out, err = skicka_utskick("--max-forsok", "3")
    assert out == "0 e-postmeddelanden skickade, 0 misslyckades.\n"
    assert "1 e-postmeddelanden har försökts 3 gånger" in err and "--max-forsok" in err
    rad.refresh_from_db()
    assert rad.forsok == 3

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert skicka_utskick("--max-forsok", "4")[0].startswith("1 e-postmeddelanden skickade")
    [brev] = mail.outbox
    assert brev.to == ["a@example.se"] and brev.subject == "Kallelse"


@pytest.mark.django_db
def test_an_attachment_is_kept_and_sent_as_it_was(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        utskick.lagg_i_utskick(
            amne="Kallelse\n2025-11-12",
            text="Välkommen.",
            dold_kopia=["a@example.se", "b@example.se"],
            bilaga=("kallelse.pdf", b"%PDF-1.7 \x00\xff", "application/pdf"),
        )
    [brev] = mail.outbox
    assert brev.subject == "Kallelse 2025-11-12"  # one line
    assert brev.bcc == ["a@example.se", "b@example.se"] and brev.to == []
    assert list(brev.attachments[0]) == ["kallelse.pdf", b"%PDF-1.7 \x00\xff", "application/pdf"]


def bevakat(cast):
    """An ärende under bevakning with one uppdrag due 2025-12-01."""
    arende = cast.berett("Vårdval i länet")
    factories.anmal(arende, cast.sekreterare)
    factories.besluta(
        arende,
        cast.sekreterare,
        "Bifall.",
        uppdrag=[("Utred vårdvalet.", datetime.date(2025, 12, 1), None)],
    )
    handlaggning_services.expediera_till(
        arende.mottagare.get(), user=cast.sekreterare, metod="post"
    )
    return arende


@pytest.mark.django_db
def test_bevakning_goes_through_the_outbox_and_twice_sends_nothing_new(
    cast, settings, django_capture_on_commit_callbacks
):
    arende = bevakat(cast)
    Utskick.objects.all().delete()  # the assignment's e-mail
    out = io.StringIO()
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            call_command("bevakning", "--idag", "2025-11-20", stdout=out)
    [brev] = mail.outbox
    [rad] = Utskick.objects.all()
    assert rad.till == brev.to == ["handlaggare@example.se"]
    assert rad.skickad is not None and "Utred vårdvalet." in rad.text
    assert f"{arende.diarienummer}" in brev.body
    assert "redan påmind, inget nytt" in out.getvalue()

    # a reminder the mail server refused waits in the outbox, and the operator is told
    settings.EMAIL_BACKEND = "tests.test_utskick.Nere"
    with django_capture_on_commit_callbacks(execute=True):
        [paminnelse] = jobb.skicka_paminnelser(idag=datetime.date(2025, 12, 2))
    paminnelse.utskick.refresh_from_db()
    assert paminnelse.skickad and paminnelse.utskick.skickad is None
    assert "Connection refused" in paminnelse.utskick.senaste_fel
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert skicka_utskick()[0] == "1 e-postmeddelanden skickade, 0 misslyckades.\n"
    assert mail.outbox[-1].subject == "Återrapportering: 1 försenad"


@pytest.mark.django_db
def test_the_outbox_holds_no_secret_text(cast, django_capture_on_commit_callbacks):
    """The outbox is a table the operator reads in the admin: what it keeps of a secret
    ärende is what the e-mail may carry, the diarienummer and the public rubrik (OSL)."""
    hemligt = cast.registrera(SKYDDAT, sekretess_lagrum="OSL 25 kap. 1 §")
    diarium_services.lagg_till_handling(
        hemligt,
        user=cast.registrator,
        typ="skrivelse",
        riktning="inkommen",
        titel="Klagomål från NN",
        fil=ContentFile(b"journalanteckning", name="klagomal.txt"),
        sekretess_lagrum="OSL 25 kap. 1 §",
        offentlig_titel="Avvikelserapport",
    )
    ledamot = factories.user("ledamot")
    ledamot.email = "ledamot@example.se"
    ledamot.save()
    with django_capture_on_commit_callbacks(execute=True):
        handlaggning_services.tilldela(hemligt, handlaggare=cast.handlaggare, user=cast.stabschef)
        do_transition(hemligt, "paborja_beredning", cast.handlaggare)
        factories.forslag_till_beslut(hemligt, cast.handlaggare)
        do_transition(hemligt, "markera_beredd", cast.handlaggare)
        mote = protokoll.planera(
            organ=cast.organ,
            datum=datetime.date(2025, 11, 12),
            plats="Umeå",
            user=cast.sekreterare,
        )
        protokoll.lagg_till_punkt(mote, user=cast.sekreterare, arende=hemligt)
        protokoll.lagg_till_deltagare(
            mote,
            factories.person("Lena Ledamot", anvandare=ledamot, typ="fortroendevald"),
            roll=Deltagare.Roll.LEDAMOT,
            user=cast.sekreterare,
        )
        protokoll.kalla(mote, user=cast.sekreterare)
    rader = list(Utskick.objects.order_by("pk"))
    assert len(rader) == len(mail.outbox) == 2 and all(r.skickad for r in rader)
    tilldelning, kallelse = rader
    assert "Sekretess (OSL 25 kap. 1 §)" in tilldelning.text
    pdf = pypdf.PdfReader(io.BytesIO(bytes(kallelse.bilaga)))
    bilaga = "".join(sida.extract_text() for sida in pdf.pages)
    assert kallelse.bilaga_namn.endswith(".pdf") and "Sekretess" in bilaga
    for rad in rader:
        for text in (rad.amne, rad.text, rad.bilaga_namn, bilaga):
            assert "NN" not in text and "avdelning" not in text and "klagomål" not in text


@pytest.mark.django_db
def test_the_operator_reads_the_outbox_and_cannot_change_it(
    client, django_user_model, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        rad = utskick.lagg_i_utskick(amne="Kallelse", text="Välkommen.", till=["a@example.se"])
    client.force_login(
        django_user_model.objects.create_superuser("admin", "admin@example.se", "lösen-123")
    )
    lista = client.get(reverse("admin:arenden_utskick_changelist"))
    assert lista.status_code == 200 and "Kallelse" in lista.content.decode()
    assert client.get(reverse("admin:arenden_utskick_add")).status_code == 403
    andra = reverse("admin:arenden_utskick_change", args=[rad.pk])
    assert client.post(andra, {"amne": "Ändrat"}).status_code == 403
    assert client.post(reverse("admin:arenden_utskick_delete", args=[rad.pk])).status_code == 403
    rad.refresh_from_db()
    assert rad.amne == "Kallelse"


RUNDOR = 8
PER_RUNDA = 12


def tva_avsandare_samtidigt() -> list:
    """Two senders, each on its own connection, released at the same moment."""
    barrier = threading.Barrier(2, timeout=30)
    resultat = [None, None]

    def avsandare(i):
        try:
            barrier.wait()
            resultat[i] = utskick.skicka()
        except Exception as exc:  # reported to the main thread
            resultat[i] = exc
        finally:
            connection.close()

    tradar = [threading.Thread(target=avsandare, args=(i,)) for i in range(2)]
    for trad in tradar:
        trad.start()
    for trad in tradar:
        trad.join(60)
    return resultat


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_senders_at_once_send_each_row_exactly_once(settings):
    """The step's own sending after commit and the cron job, or two cron jobs, at the same
    moment: each row leaves once (row lock, SKIP LOCKED)."""
    settings.EMAIL_BACKEND = "tests.test_utskick.Langsam"
    arbetade = [0, 0]
    for runda in range(RUNDOR):
        rader = [
            Utskick.objects.create(
                till=[f"mottagare{i}@example.se"], amne=f"Runda {runda} nr {i}", text="Hej."
            )
            for i in range(PER_RUNDA)
        ]
        resultat = tva_avsandare_samtidigt()
        assert all(isinstance(r, utskick.Omgang) for r in resultat), resultat
        amnen = [m.subject for m in mail.outbox if m.subject.startswith(f"Runda {runda} ")]
        assert sorted(amnen) == sorted(r.amne for r in rader)  # every row once, none twice
        assert resultat[0].skickade + resultat[1].skickade == PER_RUNDA
        for i in range(2):
            arbetade[i] += resultat[i].skickade
        pks = [r.pk for r in rader]
        forsok = Utskick.objects.filter(pk__in=pks).values_list("forsok", "senaste_fel")
        assert set(forsok) == {(1, "")}
        assert not Utskick.objects.filter(skickad=None).exists()
    # they did overlap: both senders sent some rows
    assert all(arbetade), arbetade


@pytest.mark.django_db
def test_the_demo_tells_nobody(django_capture_on_commit_callbacks):
    """The seed cases are history: loading them puts nothing in the outbox, sends nothing."""
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", stdout=io.StringIO())
    assert not Utskick.objects.exists() and mail.outbox == []


class Dor(BaseEmailBackend):
    """A sender that dies while it sends (killed, out of memory): not an error it handles."""

    def send_messages(self, email_messages):
        raise KeyboardInterrupt


@pytest.mark.django_db(transaction=True)
def test_a_row_that_kills_its_sender_is_counted_and_given_up_not_taken_for_ever(settings):
    """The attempt is committed before the row is taken: the sender's death rolls back the
    rest, not the count, so a message given back by the broker after each death (Celery's
    reject_on_worker_lost) stops at the limit, for the operator to see."""
    settings.EMAIL_BACKEND = "tests.test_utskick.Nere"
    rad = utskick.lagg_i_utskick(amne="Kallelse", text="Välkommen.", till=["a@example.se"])
    rad.refresh_from_db()
    assert (rad.forsok, rad.skickad) == (1, None)  # the mail server was down
    settings.EMAIL_BACKEND = "tests.test_utskick.Dor"
    with pytest.raises(KeyboardInterrupt):
        utskick.skicka([rad.pk])
    # the dead sender's row is its own a while: the broker's redelivery, or the sweep, at
    # once does not take it
    assert utskick.skicka().skickade == 0
    rad.refresh_from_db()
    assert rad.forsok == 2
    for _ in range(utskick.MAX_FORSOK - 2):
        Utskick.objects.filter(pk=rad.pk).update(tagen=timezone.now() - utskick.TAGEN)
        with pytest.raises(KeyboardInterrupt):
            utskick.skicka([rad.pk])
    Utskick.objects.filter(pk=rad.pk).update(tagen=timezone.now() - utskick.TAGEN)
    rad.refresh_from_db()
    assert (rad.forsok, rad.skickad) == (utskick.MAX_FORSOK, None)
    assert utskick.skicka([rad.pk]).skickade == 0  # not taken again, and nothing raised
    rad.refresh_from_db()
    assert rad.tagen is not None  # as the dead sender left it
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    out, err = skicka_utskick("--max-forsok", str(utskick.MAX_FORSOK + 1))
    assert out.startswith("1 e-postmeddelanden skickade") and len(mail.outbox) == 1
