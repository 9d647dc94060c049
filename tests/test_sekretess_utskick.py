"""An e-mail waiting in the outbox does not leave with what was marked secret after it was
written (OSL 5 kap. 5 §). Found in a review: the assignment's e-mail kept the ärende's public
rubrik as it read when it was written, which is the whole mening while the ärende is open; with
the mail server down and the ärende marked meanwhile, the retry sent the now secret mening, and
the admin showed it. Every e-mail whose text names an ärende records it, is made again when it
is marked, and the admin keeps its old text from its reader."""

import datetime

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db.models import F
from django.urls import reverse

from arenden.diarium import services as diarium_services
from arenden.gemensamt import utskick
from arenden.handlaggning import services as handlaggning_services
from arenden.models import Arende, Utskick
from flows import jobb
from tests import factories
from workflow.engine import do_transition

pytestmark = pytest.mark.django_db

MENING = "Klagomål från patient med Zebrafinkssyndrom"
ORDET = "Zebrafink"
LAGRUM = "OSL 25 kap. 1 §"


class Nere(BaseEmailBackend):
    """A mail server that does not answer."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError(111, "Connection refused")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def cast():
    cast = factories.Cast()
    cast.handlaggare.email = "handlaggare@example.se"
    cast.handlaggare.save()
    return cast


@pytest.fixture
def nere(settings):
    """The mail server is down while the step is taken; call to bring it back."""
    settings.EMAIL_BACKEND = "tests.test_sekretess_utskick.Nere"

    def uppe():
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    return uppe


def markera(arende, cast, **extra):
    arende.refresh_from_db()
    return diarium_services.andra_sekretess(
        arende,
        user=cast.handlaggare,
        lagrum=LAGRUM,
        motivering="Hälsouppgifter.",
        offentlig_rubrik="Klagomål",
        **extra,
    )


def tilldelat(cast, capture):
    """An open ärende assigned while the mail server is down: its e-mail waits."""
    arende = cast.registrera(MENING)
    with capture(execute=True):
        handlaggning_services.tilldela(arende, handlaggare=cast.handlaggare, user=cast.stabschef)
    [rad] = utskick.att_skicka()
    assert ORDET in rad.text  # public while the ärende is open
    do_transition(arende, "paborja_beredning", cast.handlaggare)
    return arende, rad


def lamnat(brev) -> str:
    return " ".join([brev.subject, brev.body, *(str(a) for a in brev.attachments)])


def test_an_assignment_waiting_in_the_outbox_leaves_masked_after_the_arende_is_marked(
    cast, nere, django_capture_on_commit_callbacks
):
    arende, fore = tilldelat(cast, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        markera(arende, cast)  # the mail server is still down
    nere()
    utskick.skicka()  # the retry (cron)

    [brev] = mail.outbox
    assert ORDET not in lamnat(brev)
    assert f"{arende.diarienummer} Klagomål – Sekretess ({LAGRUM})" in brev.body
    assert brev.bcc == ["handlaggare@example.se"]
    assert brev.subject == f"Du har fått ärendet {arende.diarienummer}"
    # the waiting one is kept as the record, withdrawn with the reason, pointing to the new
    fore.refresh_from_db()
    assert fore.skickad is None and fore.aterkallad is not None
    assert "sekretessmarkerades" in fore.aterkallad_skal and ORDET not in fore.aterkallad_skal
    ny = fore.ersatt_av
    assert ny is not None and ny.skickad is not None and ORDET not in ny.amne + ny.text
    assert list(ny.arenden.all()) == [arende]
    assert utskick.skicka().skickade == 0 and len(mail.outbox) == 1


def test_the_retry_does_not_send_the_mening_of_an_arende_marked_by_another_path(
    cast, nere, django_capture_on_commit_callbacks
):
    """Whatever path the marking took, the sender asks again under the row's lock."""
    arende, fore = tilldelat(cast, django_capture_on_commit_callbacks)
    Arende.objects.filter(pk=arende.pk).update(
        sekretess_lagrum=LAGRUM, offentlig_rubrik="Klagomål", version=F("version") + 1
    )
    nere()
    omgang = utskick.skicka()

    [brev] = mail.outbox
    assert omgang.skickade == 1 and ORDET not in lamnat(brev)
    assert f"Klagomål – Sekretess ({LAGRUM})" in brev.body
    fore.refresh_from_db()
    assert fore.skickad is None and fore.aterkallad is not None
    assert fore.ersatt_av.skickad is not None


def test_a_reminder_waiting_in_the_outbox_leaves_masked_after_its_arende_is_marked(
    cast, nere, django_capture_on_commit_callbacks
):
    arende = cast.berett(MENING)
    factories.anmal(arende, cast.sekreterare)
    factories.besluta(
        arende,
        cast.sekreterare,
        "Bifall.",
        uppdrag=[("Utred Zebrafinkssyndromets spridning.", datetime.date(2025, 12, 1), None)],
    )
    handlaggning_services.expediera_till(
        arende.mottagare.get(), user=cast.sekreterare, metod="post"
    )
    with django_capture_on_commit_callbacks(execute=True):
        [paminnelse] = jobb.skicka_paminnelser(idag=datetime.date(2025, 12, 2))
    fore = paminnelse.utskick
    fore.refresh_from_db()
    assert fore.skickad is None and ORDET in fore.text
    utskick.aterkalla(utskick.att_skicka().exclude(pk=fore.pk), skal="Inte i detta test.")

    with django_capture_on_commit_callbacks(execute=True):
        markera(arende, cast)
    nere()
    utskick.skicka()

    [brev] = mail.outbox
    assert ORDET not in lamnat(brev)
    assert brev.subject == "Återrapportering: 1 försenad"  # as it was when written
    assert "uppdrag i ett sekretessmarkerat ärende" in brev.body and "FÖRSENAT" in brev.body
    assert brev.to == ["handlaggare@example.se"]
    fore.refresh_from_db()
    assert fore.aterkallad is not None and fore.ersatt_av.skickad is not None


def test_the_admin_does_not_show_what_an_arende_marked_since_was_called(
    cast, client, django_user_model, nere, django_capture_on_commit_callbacks
):
    """Neither the row withdrawn nor one sent while the ärende was open: the admin asks
    nobody's need to know."""
    arende, vantar = tilldelat(cast, django_capture_on_commit_callbacks)
    nere()
    with django_capture_on_commit_callbacks(execute=True):
        # a second assignment e-mail that leaves while the ärende is still open
        annat = cast.registrera(f"{MENING} (två)")
        handlaggning_services.tilldela(annat, handlaggare=cast.handlaggare, user=cast.stabschef)
    [skickat] = Utskick.objects.filter(skickad__isnull=False)
    assert ORDET in skickat.text
    with django_capture_on_commit_callbacks(execute=True):
        markera(arende, cast)
        do_transition(annat, "paborja_beredning", cast.handlaggare)
        markera(annat, cast)

    client.force_login(
        django_user_model.objects.create_superuser("admin", "admin@example.se", "lösen-123")
    )
    lista = client.get(reverse("admin:arenden_utskick_changelist"))
    assert lista.status_code == 200
    assert ORDET not in lista.content.decode()
    assert "dolt: det brevet nämner är sekretessmarkerat" in lista.content.decode()
    for rad in Utskick.objects.all():
        sida = client.get(reverse("admin:arenden_utskick_change", args=[rad.pk]))
        assert sida.status_code == 200 and ORDET not in sida.content.decode()
        assert ORDET not in str(rad)
    # nor found by its words
    sok = client.get(reverse("admin:arenden_utskick_changelist"), {"q": ORDET})
    assert sok.status_code == 200 and sok.context["cl"].result_count == 0
    # the e-mail that replaced the waiting one is shown as it reads
    ny = Utskick.objects.get(ersatter=vantar)
    assert (
        f"Klagomål – Sekretess ({LAGRUM})"
        in client.get(reverse("admin:arenden_utskick_change", args=[ny.pk])).content.decode()
    )


def test_a_row_that_has_left_or_reads_the_same_is_left_as_it_is(
    cast, nere, django_capture_on_commit_callbacks
):
    """An e-mail sent cannot be called back; one the marking does not touch (a handling of
    the open ärende is marked: the e-mail names the ärende only) waits as it was."""
    arende, fore = tilldelat(cast, django_capture_on_commit_callbacks)
    handling = diarium_services.lagg_till_handling(
        arende,
        user=cast.handlaggare,
        typ="skrivelse",
        riktning="inkommen",
        titel="Journalanteckning",
    )
    with django_capture_on_commit_callbacks(execute=True):
        markera(handling, cast)
    fore.refresh_from_db()
    assert fore.aterkallad is None and fore.ersatt_av is None
    assert Utskick.objects.count() == 1

    nere()
    assert utskick.skicka().skickade == 1
    with django_capture_on_commit_callbacks(execute=True):
        markera(arende, cast)
    assert Utskick.objects.count() == 1 and len(mail.outbox) == 1


def test_an_arende_secret_from_the_start_is_sent_as_it_was_written(
    cast, django_capture_on_commit_callbacks
):
    arende = cast.registrera(MENING, sekretess_lagrum=LAGRUM)
    with django_capture_on_commit_callbacks(execute=True):
        handlaggning_services.tilldela(arende, handlaggare=cast.handlaggare, user=cast.stabschef)
    [brev] = mail.outbox
    [rad] = Utskick.objects.all()
    assert rad.skickad is not None and rad.ersatt_av is None and ORDET not in lamnat(brev)


def test_only_the_systems_own_malls_are_run():
    """The mall's path is read from the table: one written beside the system names nothing
    else to import and run."""
    from arenden.gemensamt import utskick
    from arenden.handlaggning.services import TILLDELNING
    from flows.jobb import PAMINNELSE

    assert {TILLDELNING, PAMINNELSE} == utskick.MALLAR
    with pytest.raises(ValueError, match="okänd mall"):
        utskick.gor("os.getcwd", {})
