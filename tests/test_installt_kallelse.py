"""The kallelse to a meeting that is inställt (the step *Ställ in*). Its e-mail that has not
left yet is withdrawn in the same transaction: the row stays in the outbox, marked återkallat
with when and why (never the nämndsekreterare's reason), and neither the worker nor
``manage.py skicka_utskick`` sends it; what has left stays sent. A worker that makes the
e-mail after the inställelse puts it in withdrawn. The kallelse served afterwards (meeting
page, Mina sammanträden, masked or not, PDF or Word) says first that the meeting is inställt
and since which day, without the reason; a copy a worker made before is not handed out for
it. Clicking *Ställ in* twice withdraws once."""

import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from arenden.dokument import arkivering, jobb
from arenden.dokument import services as dokument
from arenden.gemensamt import utskick
from arenden.models import Arkivering, Kallelsemottagare, Utskick
from arenden.sammantraden import protokoll
from tests.test_installt_mote import SKAL, Kallat, _stall_in
from tests.test_sammantraden import docx_text, pdf_text
from workflow.engine import history

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def kallat():
    return Kallat()


def _kallelsebrev(mote) -> Utskick:
    """The kallelse's e-mail to the meeting (the row its mottagare are tied to)."""
    [brev] = {r.utskick for r in Kallelsemottagare.objects.filter(sammantrade=mote)} - {None}
    brev.refresh_from_db()
    return brev


def _skicka_utskick() -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command("skicka_utskick", stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


def _skickade_amnen() -> list[str]:
    return [m.subject for m in mail.outbox]


def test_a_kallelse_waiting_in_the_outbox_is_withdrawn_and_never_sent(client, kallat):
    brev = _kallelsebrev(kallat.mote)
    assert brev.skickad is None and brev.aterkallad is None  # waits in the outbox
    assert "Kallelse" in brev.amne

    protokoll.installa(kallat.mote, user=kallat.sekreterare, skal=SKAL)

    kallat.mote.refresh_from_db()
    brev.refresh_from_db()
    # kept as the record, marked withdrawn when the meeting was inställt, with a reason in
    # the system's words and never the nämndsekreterare's (it may be secret)
    assert Utskick.objects.filter(pk=brev.pk).exists()
    assert brev.aterkallad == kallat.mote.installt and brev.skickad is None
    assert "ställdes in" in brev.aterkallad_skal and "innan kallelsen hade skickats" in (
        brev.aterkallad_skal
    )
    assert "Ordföranden" not in brev.aterkallad_skal and SKAL not in brev.aterkallad_skal
    assert brev.bilaga is not None  # what would have gone is still there to read

    # neither the worker's task for the row nor cron sends it; the notice goes
    assert utskick.skicka([brev.pk]).skickade == 0
    assert mail.outbox == []
    svar = _skicka_utskick()
    assert _skickade_amnen() == [f"Inställt: {kallat.cast.organ.namn} {kallat.datum:%Y-%m-%d}"]
    assert "försöks inte igen" not in svar  # a withdrawn row is not one given up on
    assert utskick.skicka().skickade == 0 and len(mail.outbox) == 1
    brev.refresh_from_db()
    assert brev.skickad is None and brev.forsok == 0
    # the kallad are not recorded as reached, and the meeting page says it was withdrawn
    assert not Kallelsemottagare.objects.filter(
        sammantrade=kallat.mote, skickad__isnull=False
    ).exists()
    client.force_login(kallat.sekreterare)
    sida = client.get(reverse("arenden:sammantrade", args=[kallat.mote.pk])).content.decode()
    assert "Återkallad när sammanträdet ställdes in" in sida
    assert "Väntar på att skickas" not in sida


def test_a_kallelse_already_sent_stays_as_it_was(kallat):
    assert utskick.skicka().skickade == 1  # the kallelse leaves before the inställelse
    brev = _kallelsebrev(kallat.mote)
    skickad = brev.skickad
    assert skickad is not None
    mail.outbox.clear()

    protokoll.installa(kallat.mote, user=kallat.sekreterare, skal=SKAL)

    brev.refresh_from_db()
    assert (brev.skickad, brev.aterkallad, brev.aterkallad_skal) == (skickad, None, "")
    mottagare = Kallelsemottagare.objects.get(sammantrade=kallat.mote, epost="ek@example.se")
    assert mottagare.skickad == skickad  # reached, and still recorded so
    # only the notice is sent now
    _skicka_utskick()
    assert _skickade_amnen() == [f"Inställt: {kallat.cast.organ.namn} {kallat.datum:%Y-%m-%d}"]


def test_a_worker_that_comes_after_the_installelse_puts_the_kallelse_in_withdrawn(
    broker, django_capture_on_commit_callbacks
):
    """With a broker the kallelse's e-mail is made by a worker after the step: it may come
    after the meeting was inställt. The e-mail is then put in the outbox withdrawn."""
    with django_capture_on_commit_callbacks(execute=True):
        kallat = Kallat()
    rad = Arkivering.objects.get(sammantrade=kallat.mote, slag="kallelse")
    assert rad.klar is None and not Utskick.objects.exists()  # the worker has not come

    with django_capture_on_commit_callbacks(execute=True):
        protokoll.installa(kallat.mote, user=kallat.sekreterare, skal=SKAL)
    kallat.mote.refresh_from_db()
    broker.skickat.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert arkivering.utfor(rad.pk) is True
    brev = _kallelsebrev(kallat.mote)
    assert brev.aterkallad is not None and brev.skickad is None
    assert "innan kallelsen hade skickats" in brev.aterkallad_skal
    assert SKAL not in brev.aterkallad_skal
    # the worker is told to send it, as for any row; it sends nothing
    assert ("arenden.utskick.skicka", [[brev.pk]]) in broker.skickat
    assert utskick.skicka([brev.pk]).skickade == 0
    mail.outbox.clear()
    _skicka_utskick()
    assert all("Kallelse" not in amne for amne in _skickade_amnen())
    brev.refresh_from_db()
    assert brev.skickad is None


def _hamta(client, user, namn, mote, format):
    client.force_login(user)
    if namn == "mote":
        url = reverse("arenden:mote_dokument", args=[mote.pk, "kallelse", format])
    else:
        url = reverse("arenden:ledamot_dokument", args=[mote.pk, "kallelse", format])
    svar = client.get(url)
    assert svar.status_code == 200, (namn, format, svar.status_code)
    return pdf_text(svar.content) if format == "pdf" else docx_text(svar.content)


def test_the_kallelse_after_the_installelse_says_it_is_installt(client, kallat):
    fore = _hamta(client, kallat.sekreterare, "mote", kallat.mote, "pdf")
    assert "inställt" not in fore.lower()

    protokoll.installa(kallat.mote, user=kallat.sekreterare, skal=SKAL)
    kallat.mote.refresh_from_db()
    dag = f"{timezone.localdate(kallat.mote.installt):%Y-%m-%d}"

    # the meeting page and Mina sammanträden, PDF and Word: inställt, since when, no reason
    for namn, user in (("mote", kallat.sekreterare), ("portal", kallat.led)):
        for format in ("pdf", "docx"):
            text = _hamta(client, user, namn, kallat.mote, format)
            assert "INSTÄLLT" in text, (namn, format)
            assert "Sammanträdet är inställt" in text, (namn, format)
            assert f"Inställt {dag}" in text and f"ställdes in {dag}" in text, (namn, format)
            assert "Ordföranden är sjuk" not in text, (namn, format)
            assert "(struken)" in text, (namn, format)  # the items are struck
    # the masked version too, which is what the public reads
    masked = dokument.kallelse(kallat.mote, publik=True)
    assert "INSTÄLLT" in masked.titel
    assert ("Status", f"Inställt {dag}") in masked.huvud
    assert masked.block[0].text == "Sammanträdet är inställt"


def test_a_copy_made_before_the_installelse_is_not_handed_out_after_it(
    client, kallat, broker, django_capture_on_commit_callbacks
):
    """A worker's copy of the kallelse (arenden.dokument.jobb) is known by its content: the
    one made before the inställelse is not the kallelse after it, which is made anew."""
    client.force_login(kallat.sekreterare)
    url = reverse("arenden:mote_dokument", args=[kallat.mote.pk, "kallelse", "pdf"])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.get(url).status_code == 202
    [(_namn, args)] = broker.skickat
    jobb.generera(*args)
    fore = client.get(url)
    assert fore.status_code == 200 and "INSTÄLLT" not in pdf_text(fore.content)

    protokoll.installa(kallat.mote, user=kallat.sekreterare, skal=SKAL)
    broker.skickat.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.get(url).status_code == 202  # the old copy is not served: a new one
    [(_namn, args)] = broker.skickat
    jobb.generera(*args)
    efter = client.get(url)
    assert efter.status_code == 200
    assert "INSTÄLLT" in pdf_text(efter.content)
    assert jobb.GenereratDokument.objects.count() == 2  # the old copy is left as it was


def test_a_double_click_on_stall_in_withdraws_once(client, kallat):
    brev = _kallelsebrev(kallat.mote)
    forst = _stall_in(client, kallat)
    assert forst.status_code == 302
    brev.refresh_from_db()
    aterkallad = brev.aterkallad
    assert aterkallad is not None
    # the same form again (the same key and the version the page was read at)
    igen = client.post(
        reverse("arenden:mote_overgang", args=[kallat.mote.pk]),
        {
            "overgang": "installa",
            "kommentar": SKAL,
            "inskick": "installa-1",
            "version": forst.wsgi_request.POST["version"],
        },
    )
    assert igen.status_code == 302
    # and a second form of the same page (another key), refused as stale
    _stall_in(client, kallat, nyckel="installa-2")
    assert history(kallat.mote).filter(transition="installa").count() == 1
    brev.refresh_from_db()
    assert brev.aterkallad == aterkallad  # withdrawn once, when it was
    assert Utskick.objects.filter(aterkallad__isnull=False).count() == 1
    assert Utskick.objects.filter(amne__startswith="Inställt:").count() == 1  # one notice
    # withdrawing again withdraws nothing more
    kallat.mote.refresh_from_db()
    assert protokoll.aterkalla_kallelsen(kallat.mote) == []
    brev.refresh_from_db()
    assert brev.aterkallad == aterkallad
