"""The work pages: the stabschef assigns, the handläggare files handlingar and writes the
tjänsteskrivelse, the nämndsekreterare expedierar per mottagare; each only for who may."""

import re
import threading

import pypdf
import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse

from arenden.handlaggning.services import (
    satt_sandlista,
    spara_tjansteskrivelse,
    tilldela,
)
from arenden.models import Handling, Tjansteskrivelse
from arenden.organisation import roles
from tests import factories
from workflow import roles as workflow_roles
from workflow.engine import do_transition

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def cast():
    return factories.Cast()


@pytest.fixture
def under_beredning(cast):
    arende = cast.registrera("Handslag med Cancerfonden")
    tilldela(arende, handlaggare=cast.handlaggare, user=cast.stabschef)
    do_transition(arende, "paborja_beredning", cast.handlaggare)
    return arende


def test_stabschef_assigns_with_beredningsansvariga_and_their_part(
    client, cast, django_capture_on_commit_callbacks
):
    arende = cast.registrera("Handslag med Cancerfonden")
    henrik = factories.person("Henrik Ångström", anvandare=factories.user("henrik"))
    henrik.anvandare.email = "henrik@example.se"
    henrik.anvandare.save()
    cast.handlaggare.email = "handlaggare@example.se"
    cast.handlaggare.save()
    url = reverse("arenden:tilldela", args=[arende.pk])
    client.force_login(cast.handlaggare)
    assert client.get(url).status_code == 403
    client.force_login(cast.stabschef)
    assert "Beredningsansvariga och deras del" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            factories.fran_arendesidan(
                arende,
                {
                    "handlaggare": cast.handlaggare.pk,
                    "kommentar": "",
                    "ansvarig-TOTAL_FORMS": "2",
                    "ansvarig-INITIAL_FORMS": "0",
                    "ansvarig-0-person": henrik.pk,
                    "ansvarig-0-del_i_beredningen": "delaktig i framtagandet av bilagt underlag",
                    "ansvarig-1-person": "",
                    "ansvarig-1-del_i_beredningen": "",
                },
            ),
        )
    assert response.status_code == 302
    arende.refresh_from_db()
    assert arende.state == "tilldelat" and arende.handlaggare == cast.handlaggare
    assert [b.person for b in arende.beredningsansvariga.all()] == [henrik]
    assert henrik.anvandare.has_perm("arenden.change_tjansteskrivelse", arende)
    # both are told, by e-mail
    [brev] = mail.outbox
    assert brev.bcc == ["handlaggare@example.se", "henrik@example.se"]
    assert brev.subject == f"Du har fått ärendet {arende.diarienummer}"


def test_handlaggare_uploads_a_handling_and_a_wrong_file_is_refused(client, cast, under_beredning):
    url = reverse("arenden:ny_handling", args=[under_beredning.pk])
    fields = {"typ": "bilaga", "riktning": "upprattad", "datum": "2025-10-07", "titel": "Underlag"}
    client.force_login(cast.handlaggare)
    page = client.post(
        url,
        factories.fran_arendesidan(
            under_beredning,
            {**fields, "fil": SimpleUploadedFile("virus.pdf", b"MZ\x90\x00" * 100)},
        ),
    ).content.decode()
    assert "Filtypen tas inte emot." in page
    assert not under_beredning.handlingar.exists()
    pdf = b"%PDF-1.7\n%%EOF\n"
    response = client.post(
        url,
        factories.fran_arendesidan(
            under_beredning, {**fields, "fil": SimpleUploadedFile("underlag.pdf", pdf)}
        ),
    )
    assert response.status_code == 302
    handling = Handling.objects.get()
    assert (handling.nummer, handling.mediatyp, handling.registrerad_av) == (
        1,
        "application/pdf",
        cast.handlaggare,
    )
    download = client.get(reverse("arenden:handling_fil", args=[handling.pk]))
    assert b"".join(download.streaming_content) == pdf
    client.force_login(cast.revisor)
    assert client.get(url).status_code == 403


def test_tjansteskrivelse_editor_saves_by_section_while_preparing(client, cast, under_beredning):
    yvonne = factories.person("Yvonne E Nygren")
    url = reverse("arenden:tjansteskrivelse", args=[under_beredning.pk])
    client.force_login(cast.handlaggare)
    response = client.post(
        url,
        factories.fran_arendesidan(
            under_beredning,
            {
                "datum": "2025-10-16",
                "forfattare": yvonne.pk,
                "sammanfattning": "Palliativ vård är en central del av vår välfärd.",
                "forslag_till_beslut": "Hälso- och sjukvårdsnämnden bifaller initiativärendet.",
            },
        ),
    )
    assert response.status_code == 302
    skrivelse = Tjansteskrivelse.objects.get()
    assert skrivelse.forslag_till_beslut.endswith("bifaller initiativärendet.")
    page = client.get(reverse("arenden:arende", args=[under_beredning.pk])).content.decode()
    assert "Förslag till beslut" in page

    # filed as a handling, a PDF of the tjänsteskrivelse as the page showed it: not when
    # someone changed it after the page was read (the text filed would be one its sender
    # never read)
    arkivera = reverse("arenden:tjansteskrivelse_arkivera", args=[under_beredning.pk])
    lasta = _arkiveringsversion(client, under_beredning)
    spara_tjansteskrivelse(
        under_beredning,
        user=cast.handlaggare,
        forslag_till_beslut="Hälso- och sjukvårdsnämnden bifaller initiativärendet.",
    )
    svar = client.post(arkivera, {"version": lasta}, follow=True)
    assert "Ärendet har ändrats sedan du öppnade sidan" in svar.content.decode()
    assert not under_beredning.handlingar.filter(typ=Handling.Typ.TJANSTESKRIVELSE).exists()
    data = {"version": _arkiveringsversion(client, under_beredning)}
    assert client.post(arkivera, data).status_code == 302
    handling = under_beredning.handlingar.get(typ=Handling.Typ.TJANSTESKRIVELSE)
    assert (handling.mediatyp, handling.status) == ("application/pdf", Handling.Status.UTKAST)
    with handling.fil.open("rb") as fil:
        text = " ".join(" ".join(p.extract_text().split()) for p in pypdf.PdfReader(fil).pages)
    assert "Förslag till beslut Hälso- och sjukvårdsnämnden bifaller initiativärendet." in text
    word = client.get(
        reverse("arenden:tjansteskrivelse_dokument", args=[under_beredning.pk, "docx"])
    )
    assert word.status_code == 200 and word["Content-Type"].endswith("wordprocessingml.document")

    factories.forslag_till_beslut(under_beredning, cast.handlaggare)
    do_transition(under_beredning, "markera_beredd", cast.handlaggare)
    assert client.get(url).status_code == 403
    assert client.post(arkivera, {"version": data["version"]}).status_code == 403


def _arkiveringsversion(client, arende) -> str:
    """The version the ärende page's "Spara som handling i ärendet" carries."""
    sida = client.get(reverse("arenden:arende", args=[arende.pk])).content.decode()
    url = reverse("arenden:tjansteskrivelse_arkivera", args=[arende.pk])
    form = sida[sida.index(f'action="{url}"') :]
    return re.search(r'name="version" value="(\d+)"', form[: form.index("</form>")]).group(1)


def test_expediering_page_shows_and_records_each_mottagare(client, cast, under_beredning):
    satt_sandlista(under_beredning, ["Pia Näsvall, HSD", "Cancerfonden"], user=cast.handlaggare)
    factories.forslag_till_beslut(under_beredning, cast.handlaggare, sandlista=())
    do_transition(under_beredning, "markera_beredd", cast.handlaggare)
    factories.anmal(under_beredning, cast.sekreterare)
    factories.besluta(under_beredning, cast.sekreterare, "Bifall")
    url = reverse("arenden:expediera", args=[under_beredning.pk])
    client.force_login(cast.handlaggare)
    assert client.get(url).status_code == 403
    client.force_login(cast.sekreterare)
    first, second = under_beredning.mottagare.all()
    # sent without the page's version: refused with a reason, nothing sent
    text = client.post(url, {"mottagare": first.pk, "metod": "e-post"}).content.decode()
    assert "Formuläret kom inte från ärendets sida som den ser ut nu." in text
    assert not under_beredning.mottagare.exclude(expedierad=None).exists()
    page = client.post(
        url,
        factories.fran_arendesidan(under_beredning, {"mottagare": first.pk, "metod": "e-post"}),
        follow=True,
    )
    text = page.content.decode()
    assert "Expedierat till Pia Näsvall, HSD." in text and "Ej expedierat" in text
    client.post(
        url, factories.fran_arendesidan(under_beredning, {"mottagare": second.pk, "metod": "post"})
    )
    under_beredning.refresh_from_db()
    assert under_beredning.state == "expedierat"


def test_workflow_chart_is_drawn_from_the_definition(client, cast):
    client.force_login(cast.handlaggare)
    page = client.get(reverse("arenden:arbetsflode", args=["arende"])).content.decode()
    assert "<svg" in page and "Återremittera" in page
    assert client.get(reverse("arenden:arbetsflode", args=["finns-inte"])).status_code == 404
    client.logout()
    assert client.get(reverse("arenden:arbetsflode", args=["arende"])).status_code == 302


def test_two_writers_of_the_tjansteskrivelse_never_lose_a_text_unseen(
    client, cast, under_beredning
):
    """Two people open the tjänsteskrivelse; one saves. The other's save, from the form read
    before, is refused and says who saved and when; the other's text stays in the form, the
    saved text is shown beside it, and a second save (a choice, now) goes through."""
    kollega = factories.user("kollega")
    kollega.first_name, kollega.last_name = "Karl", "Kollega"
    kollega.save()
    workflow_roles.grant(under_beredning, roles.BEREDNINGSANSVARIG, user=kollega)
    forfattare = factories.person("Yvonne E Nygren")
    url = reverse("arenden:tjansteskrivelse", args=[under_beredning.pk])
    andra = Client()
    andra.force_login(kollega)
    client.force_login(cast.handlaggare)
    # the ärende's version (services.arendets_version), the same for both
    [lasta] = {_version(c.get(url).content.decode()) for c in (client, andra)}

    def falt(forslag):
        return {
            "datum": "2025-10-16",
            "forfattare": forfattare.pk,
            "forslag_till_beslut": forslag,
            "version": lasta,
        }

    assert andra.post(url, falt("Kollegans förslag.")).status_code == 302
    svar = client.post(url, falt("Handläggarens förslag."))
    sida = svar.content.decode()
    assert svar.status_code == 200
    assert "ändrats sedan du öppnade sidan, senast: tjänsteskrivelsen (Karl Kollega" in sida
    assert "Handläggarens förslag." in sida  # the writer's text, still in the form
    assert "Den sparade texten" in sida and "Kollegans förslag." in sida
    assert Tjansteskrivelse.objects.get().forslag_till_beslut == "Kollegans förslag."
    # the form now carries the saved version: saving again is a choice made with both in view
    ny = _version(sida)
    assert int(ny) == int(lasta) + 1
    assert client.post(url, {**falt("Handläggarens förslag."), "version": ny}).status_code == 302
    assert Tjansteskrivelse.objects.get().forslag_till_beslut == "Handläggarens förslag."


def _version(page: str) -> str:
    return re.search(r'name="version" value="(\d+)"', page).group(1)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_saves_of_the_tjansteskrivelse_at_the_same_moment_keep_one_and_refuse_the_other():
    """On PostgreSQL, over HTTP, five rounds: the handläggare and a beredningsansvarig save
    the tjänsteskrivelse from forms read at the same version, at the same moment. One save
    wins; the other is told, and nothing is lost unseen."""
    cast = factories.Cast()
    arende = cast.registrera("Handslag med Cancerfonden")
    tilldela(arende, handlaggare=cast.handlaggare, user=cast.stabschef)
    do_transition(arende, "paborja_beredning", cast.handlaggare)
    kollega = factories.user("kollega")
    workflow_roles.grant(arende, roles.BEREDNINGSANSVARIG, user=kollega)
    forfattare = factories.person("Yvonne E Nygren")
    url = reverse("arenden:tjansteskrivelse", args=[arende.pk])
    klienter = []
    for user in (cast.handlaggare, kollega):
        klient = Client()
        klient.force_login(user)
        klienter.append(klient)
    for runda in range(5):
        barrier = threading.Barrier(2, timeout=30)
        svar, fel = {}, []
        lasta = _version(klienter[0].get(url).content.decode())

        def spara(klient, text, lasta=lasta, barrier=barrier, svar=svar, fel=fel):
            data = {
                "datum": "2025-10-16",
                "forfattare": forfattare.pk,
                "forslag_till_beslut": text,
                "version": lasta,
            }
            try:
                barrier.wait()
                svar[text] = klient.post(url, data)
            except Exception as error:  # noqa: BLE001 - reported below
                fel.append(error)
            finally:
                connection.close()

        tradar = [
            threading.Thread(target=spara, args=(k, f"{namn} {runda}"))
            for k, namn in zip(klienter, ("Handläggaren", "Kollegan"), strict=True)
        ]
        for trad in tradar:
            trad.start()
        for trad in tradar:
            trad.join()
        assert fel == []
        koder = sorted(s.status_code for s in svar.values())
        assert koder == [200, 302], runda
        [vinnare] = [text for text, s in svar.items() if s.status_code == 302]
        [forlorare] = [s for s in svar.values() if s.status_code == 200]
        assert "sedan du öppnade sidan" in forlorare.content.decode()
        assert Tjansteskrivelse.objects.get(arende=arende).forslag_till_beslut == vinnare
