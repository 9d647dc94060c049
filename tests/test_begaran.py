"""Begäran om allmän handling (TF 2 kap. 15–18 §§, OSL 6 kap.): registered, tried skyndsamt by
the one who decides, answered by release, release with masking (the system produces the copy
without the withheld pages) or refusal with överklagandehänvisning; each answer a step in the
request's history, the decision and the copy filed in the ärende."""

import datetime
import io
import re
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from arenden.begaran import services as tjanst
from arenden.diarium import services as diarium_services
from arenden.handlaggning import services as handlaggning_services
from arenden.models import Begaran, BegardHandling, Sekretessatkomst
from tests import factories
from workflow.engine import RequirementMissing, do_transition, history, worklist
from workflow.history import verify_object

pytestmark = pytest.mark.django_db

HEMLIGT = "Blomqvistdiagnos"
LAGRUM = "OSL 25 kap. 1 §"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def cast():
    return factories.Cast()


def _pdf(*sidor: str) -> bytes:
    import weasyprint

    html = "".join(f'<p style="page-break-after: always">{text}</p>' for text in sidor)
    return weasyprint.HTML(string=f"<html><body>{html}</body></html>").write_pdf()


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture
def arende(cast):
    arende = cast.registrera("Tillsyn av äldreboendet Solgården")
    handlaggning_services.tilldela(arende, handlaggare=cast.handlaggare, user=cast.stabschef)
    return arende


@pytest.fixture
def rapport(cast, arende):
    return diarium_services.lagg_till_handling(
        arende,
        user=cast.registrator,
        typ="bilaga",
        riktning="inkommen",
        titel="Inspektionsrapport",
        datum=datetime.date(2025, 10, 20),
        fil=ContentFile(
            _pdf("Sida ett om lokalerna", f"Sida två om boende {HEMLIGT}", "Sida tre om rutiner"),
            name="rapport.pdf",
        ),
        sekretess_lagrum=LAGRUM,
        offentlig_titel="Inspektionsrapport",
    )


@pytest.fixture
def skrivelse(cast, arende):
    return diarium_services.lagg_till_handling(
        arende,
        user=cast.registrator,
        typ="skrivelse",
        riktning="inkommen",
        titel="Skrivelse från anhöriga",
        datum=datetime.date(2025, 10, 21),
        fil=ContentFile(_pdf("Anhörigas synpunkter"), name="skrivelse.pdf"),
    )


def _registrera(cast, arende, *handlingar, inkommen=datetime.date(2025, 11, 3)):
    return tjanst.registrera(
        arende,
        user=cast.registrator,
        avser="Alla handlingar om tillsynen",
        form=Begaran.Form.EPOST,
        handlingar=handlingar,
        inkommen=inkommen,
        kontakt="journalist@example.org",
    )


def _inloggad(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "inkommen, senast",
    [
        (datetime.date(2025, 11, 3), datetime.date(2025, 11, 4)),  # Monday → Tuesday
        (datetime.date(2025, 11, 7), datetime.date(2025, 11, 10)),  # Friday → Monday
        (datetime.date(2025, 12, 23), datetime.date(2025, 12, 29)),  # past jul
        (datetime.date(2026, 6, 18), datetime.date(2026, 6, 22)),  # past midsommar
    ],
)
def test_a_request_is_due_the_next_working_day(cast, arende, skrivelse, inkommen, senast):
    begaran = _registrera(cast, arende, skrivelse, inkommen=inkommen)
    assert begaran.senast == senast
    assert begaran.state == "inkommen"


def test_the_one_who_decides_finds_it_on_the_worklist_and_the_start_page(cast, arende, skrivelse):
    begaran = _registrera(cast, arende, skrivelse)
    assert list(worklist(cast.handlaggare, "begaranden")) == [begaran]
    assert list(worklist(cast.stabschef, "begaranden")) == [begaran]
    annan = factories.user("handlaggare-annan")
    assert list(worklist(annan, "begaranden")) == []
    page = _inloggad(cast.handlaggare).get(reverse("arenden:begaranden")).content.decode()
    assert "2025-11-04" in page and "Försenad" in page  # past due today
    start = _inloggad(cast.handlaggare).get(reverse("arenden:start")).content.decode()
    assert "Begäran om allmän handling" in start


def test_registered_over_http_by_the_registrator(cast, arende, skrivelse):
    client = _inloggad(cast.registrator)
    response = client.post(
        reverse("arenden:ny_begaran", args=[arende.pk]),
        {
            "inkommen": "2025-11-03",
            "handlingar": [skrivelse.pk],
            "avser": "Skrivelsen från de anhöriga",
            "form": "epost",
        },
    )
    begaran = Begaran.objects.get()
    assert response.status_code == 302 and begaran.sokande == ""  # anonymous (TF 2 kap. 18 §)
    assert list(begaran.rader.values_list("handling", flat=True)) == [skrivelse.pk]
    # the politician with no role in the ärende cannot
    with pytest.raises(PermissionDenied):
        tjanst.registrera(
            arende,
            user=factories.user("ledamot"),
            avser="x",
            form="epost",
            handlingar=[skrivelse],
        )


def test_release_in_whole(cast, arende, skrivelse):
    begaran = _registrera(cast, arende, skrivelse)
    tjanst.prova(begaran, user=cast.handlaggare, utfall={skrivelse.pk: ("lamnas_ut", "", "")})
    begaran.refresh_from_db()
    assert begaran.state == "utlamnad" and begaran.provad_av == cast.handlaggare
    assert begaran.beslut is None and begaran.kopia is None
    steg = history(begaran).order_by("-seq").first()
    assert steg.transition == "lamna_ut" and steg.actor == cast.handlaggare
    assert "lämnas ut" in steg.comment
    assert verify_object(begaran).intact


def test_release_with_masking_removes_the_withheld_page_from_the_copy(
    cast, arende, rapport, skrivelse
):
    begaran = _registrera(cast, arende, rapport, skrivelse)
    client = _inloggad(cast.handlaggare)
    rader = {r.handling_id: r.pk for r in begaran.rader.all()}
    response = client.post(
        reverse("arenden:begaran", args=[begaran.pk]),
        factories.fran_arendesidan(
            arende,
            {
                f"utfall_{rader[rapport.pk]}": "maskeras",
                f"lagrum_{rader[rapport.pk]}": LAGRUM,
                f"sidor_{rader[rapport.pk]}": "2",
                f"utfall_{rader[skrivelse.pk]}": "lamnas_ut",
                "motivering": "Sidan 2 innehåller uppgifter om enskildas hälsa.",
            },
        ),
    )
    assert response.status_code == 302
    begaran.refresh_from_db()
    assert begaran.state == "delvis_utlamnad"
    with begaran.kopia.fil.open("rb") as fil:
        kopia = _text(fil.read())
    assert HEMLIGT not in kopia
    assert "Sida ett om lokalerna" in kopia and "Sida tre om rutiner" in kopia
    assert "Anhörigas synpunkter" in kopia
    assert "Sidan är maskerad" in kopia and LAGRUM in kopia
    with begaran.beslut.fil.open("rb") as fil:
        beslut = _text(fil.read())
    assert "kammarrätten" in beslut and LAGRUM in beslut and "tre veckor" in beslut
    assert HEMLIGT not in beslut
    # both are records in the ärende, upprättade; the step is in the request's chain
    assert set(arende.handlingar.filter(status="upprattad").values_list("pk", flat=True)) >= {
        begaran.kopia_id,
        begaran.beslut_id,
    }
    assert history(begaran).order_by("-seq").first().transition == "lamna_ut_maskerat"
    # the ärende's timeline tells the revisor of the request and what was decided
    revisorn = _inloggad(cast.revisor)
    tidslinje = revisorn.get(reverse("arenden:tidslinje", args=[arende.pk])).content.decode()
    assert f"begäran om allmän handling {begaran.pk}" in tidslinje
    assert "Utlämnad kopia med maskering" in tidslinje
    # the prövning read secret content, and says so
    assert Sekretessatkomst.objects.filter(
        anvandare=cast.handlaggare, handling=rapport, vad="begaran"
    ).exists()


def test_refusal_needs_a_motivering_and_gives_an_appealable_decision(cast, arende, rapport):
    begaran = _registrera(cast, arende, rapport)
    utfall = {rapport.pk: ("undantas", LAGRUM, "")}
    with pytest.raises(ValidationError):
        tjanst.prova(begaran, user=cast.handlaggare, utfall=utfall)
    begaran.refresh_from_db()
    assert begaran.state == "inkommen" and begaran.beslut is None
    tjanst.prova(
        begaran,
        user=cast.handlaggare,
        utfall=utfall,
        motivering="Rapporten innehåller i sin helhet uppgifter om enskildas hälsa.",
    )
    begaran.refresh_from_db()
    assert begaran.state == "avslagen" and begaran.kopia is None
    with begaran.beslut.fil.open("rb") as fil:
        assert "kammarrätten" in _text(fil.read())
    steg = history(begaran).order_by("-seq").first()
    assert steg.transition == "avsla" and "enskildas hälsa" in steg.comment


@pytest.mark.parametrize(
    "utfall, fel",
    [
        (("", "", ""), "Välj utfall"),
        (("undantas", "", ""), "Ange lagrummet"),
        (("maskeras", LAGRUM, ""), "Ange vilka sidor"),
        (("maskeras", LAGRUM, "7"), "3 sidor"),
        (("maskeras", LAGRUM, "två"), "t.ex. 2, 4-5"),
        # int() reads these; no page of the form writes them
        (("maskeras", LAGRUM, "١"), "t.ex. 2, 4-5"),
        (("maskeras", LAGRUM, "+2"), "t.ex. 2, 4-5"),
        (("maskeras", LAGRUM, "1_0"), "t.ex. 2, 4-5"),
    ],
)
def test_an_incomplete_provning_changes_nothing(cast, arende, rapport, utfall, fel):
    begaran = _registrera(cast, arende, rapport)
    with pytest.raises(ValidationError, match=fel):
        tjanst.prova(begaran, user=cast.handlaggare, utfall={rapport.pk: utfall}, motivering="x")
    begaran.refresh_from_db()
    assert begaran.state == "inkommen"
    assert begaran.rader.get().utfall == ""
    assert arende.handlingar.count() == 1


def test_a_file_that_is_not_pdf_is_not_masked_page_by_page(cast, arende):
    text = diarium_services.lagg_till_handling(
        arende,
        user=cast.registrator,
        typ="bilaga",
        riktning="inkommen",
        titel="Anteckningar",
        datum=datetime.date(2025, 10, 20),
        fil=ContentFile(b"anteckningar", name="anteckningar.txt"),
    )
    begaran = _registrera(cast, arende, text)
    with pytest.raises(ValidationError, match="inte en PDF"):
        tjanst.prova(begaran, user=cast.handlaggare, utfall={text.pk: ("maskeras", LAGRUM, "1")})


def test_who_may_not_read_the_secret_may_not_decide_on_it(cast, arende, rapport):
    """The handläggare and the stabschef of the organ decide requests, and both read the
    secret content; the registrator, the nämndsekreterare and another organ's stabschef may
    not decide."""
    begaran = _registrera(cast, arende, rapport)
    annan = factories.Cast("RS").stabschef
    for user in (cast.registrator, annan, cast.sekreterare):
        with pytest.raises(PermissionDenied):
            tjanst.prova(begaran, user=user, utfall={rapport.pk: ("lamnas_ut", "", "")})
    begaran.refresh_from_db()
    assert begaran.state == "inkommen" and not Sekretessatkomst.objects.exists()
    # the registrator sees the request, masked, and no form
    page = _inloggad(cast.registrator).get(reverse("arenden:begaran", args=[begaran.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Pröva begäran" not in html and HEMLIGT not in html
    # the stabschef decides, and the read of the secret content is logged
    tjanst.prova(begaran, user=cast.stabschef, utfall={rapport.pk: ("lamnas_ut", "", "")})
    begaran.refresh_from_db()
    assert begaran.state == "utlamnad"
    assert Sekretessatkomst.objects.filter(anvandare=cast.stabschef).exists()


def test_the_engine_refuses_a_decision_without_its_records(cast, arende, rapport):
    """Whoever calls the engine directly: no *utlämnad* without every handling released, no
    *avslagen* without the decision."""
    begaran = _registrera(cast, arende, rapport)
    with pytest.raises(RequirementMissing):
        do_transition(begaran, "lamna_ut", cast.handlaggare)
    BegardHandling.objects.filter(begaran=begaran).update(utfall="undantas", lagrum=LAGRUM)
    with pytest.raises(RequirementMissing, match="beslutet"):
        do_transition(begaran, "avsla", cast.handlaggare, "Sekretess")
    begaran.refresh_from_db()
    assert begaran.state == "inkommen"


def test_a_decided_request_is_not_decided_again(cast, arende, skrivelse):
    begaran = _registrera(cast, arende, skrivelse)
    tjanst.prova(begaran, user=cast.handlaggare, utfall={skrivelse.pk: ("lamnas_ut", "", "")})
    with pytest.raises(ValidationError, match="redan prövad"):
        tjanst.prova(
            begaran,
            user=cast.handlaggare,
            utfall={skrivelse.pk: ("undantas", LAGRUM, "")},
            motivering="Ändrat mig",
        )
    assert Begaran.objects.get().state == "utlamnad"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_people_trying_one_request_at_the_same_moment_decide_it_once():
    """On PostgreSQL, over HTTP, five rounds: the handläggare releases and the stabschef
    refuses the same request at the same moment. One decision stands, the other is told the
    request is already tried; one step in its history, one decision filed."""
    cast = factories.Cast()
    arende = cast.registrera("Tillsyn av äldreboendet Solgården")
    handlaggning_services.tilldela(arende, handlaggare=cast.handlaggare, user=cast.stabschef)
    klienter = {}
    for user in (cast.handlaggare, cast.stabschef):
        klienter[user.username] = Client()
        klienter[user.username].force_login(user)
    for runda in range(5):
        handling = diarium_services.lagg_till_handling(
            arende,
            user=cast.registrator,
            typ="skrivelse",
            riktning="inkommen",
            titel=f"Skrivelse {runda}",
            datum=datetime.date(2025, 10, 21),
            fil=ContentFile(_pdf(f"Skrivelse {runda}"), name="skrivelse.pdf"),
        )
        begaran = _registrera(cast, arende, handling)
        rad = begaran.rader.get()
        url = reverse("arenden:begaran", args=[begaran.pk])
        data = {  # each read the page as it was, before either sent
            cast.handlaggare.username: factories.fran_arendesidan(
                arende, {f"utfall_{rad.pk}": "lamnas_ut"}
            ),
            cast.stabschef.username: factories.fran_arendesidan(
                arende,
                {
                    f"utfall_{rad.pk}": "undantas",
                    f"lagrum_{rad.pk}": LAGRUM,
                    "motivering": "Avslag",
                },
            ),
        }
        barrier = threading.Barrier(2, timeout=30)
        svar, fel = {}, []

        def prova(namn, barrier=barrier, svar=svar, fel=fel, url=url, data=data):
            try:
                barrier.wait()
                svar[namn] = klienter[namn].post(url, data[namn])
            except Exception as error:  # noqa: BLE001 - reported below
                fel.append(error)
            finally:
                connection.close()

        tradar = [threading.Thread(target=prova, args=(namn,)) for namn in klienter]
        for trad in tradar:
            trad.start()
        for trad in tradar:
            trad.join()
        assert fel == []
        assert sorted(s.status_code for s in svar.values()) == [200, 302], runda
        [forlorare] = [s for s in svar.values() if s.status_code == 200]
        assert "redan prövad" in forlorare.content.decode()
        begaran.refresh_from_db()
        assert begaran.state in {"utlamnad", "avslagen"}
        assert history(begaran).exclude(transition="").count() == 1
        assert (begaran.beslut_id is None) == (begaran.state == "utlamnad")


def test_a_gallrad_handling_is_not_offered_nor_asked_for_nor_handed_out(cast, arende, skrivelse):
    """Gallrad (arkivlagen 10 §), the handling is no longer there: the form does not offer
    it, the registration refuses it, and a request registered before the gallring cannot be
    answered *utlämnad* for a file that is gone, whoever calls the engine."""
    begard_fore = _registrera(cast, arende, skrivelse)
    diarium_services.Handling.objects.filter(pk=skrivelse.pk).update(
        gallrad=datetime.date(2026, 1, 15), fil=""
    )
    client = _inloggad(cast.registrator)
    sida = client.get(reverse("arenden:ny_begaran", args=[arende.pk])).content.decode()
    assert "Skrivelse från anhöriga" not in sida
    svar = client.post(
        reverse("arenden:ny_begaran", args=[arende.pk]),
        {"inkommen": "2025-11-03", "handlingar": [skrivelse.pk], "avser": "x", "form": "epost"},
    )
    assert svar.status_code == 200 and Begaran.objects.count() == 1
    with pytest.raises(ValidationError, match=f"{skrivelse.beteckning} är gallrad"):
        _registrera(cast, arende, skrivelse)
    assert Begaran.objects.count() == 1

    BegardHandling.objects.filter(begaran=begard_fore).update(utfall="lamnas_ut")
    with pytest.raises(RequirementMissing, match="är gallrad och finns inte längre"):
        do_transition(begard_fore, "lamna_ut", cast.handlaggare)
    begard_fore.refresh_from_db()
    assert begard_fore.state == "inkommen"


def test_an_arende_with_a_request_is_never_makulerat_nor_a_makulerat_one_asked_of(cast):
    """The request is itself an inkommen handling and its prövning a beslut on record: a
    makulerat ärende would hide both from the postlista."""
    arende = cast.registrera("Dubblett av tillsynen")
    utkast = diarium_services.lagg_till_handling(
        arende,
        user=cast.registrator,
        typ="skrivelse",
        riktning="upprattad",
        titel="Utkast till svar",
        fil=ContentFile(b"utkast", name="utkast.txt"),
    )
    begaran = _registrera(cast, arende, utkast)
    with pytest.raises(RequirementMissing, match="en begäran om allmän handling är registrerad"):
        do_transition(arende, "makulera", cast.registrator, "Registrerat två gånger")
    arende.refresh_from_db()
    assert arende.state == "registrerat"

    annat = cast.registrera("Registrerat av misstag")
    utkast2 = diarium_services.lagg_till_handling(
        annat,
        user=cast.registrator,
        typ="skrivelse",
        riktning="upprattad",
        titel="Utkast",
        fil=ContentFile(b"utkast", name="utkast.txt"),
    )
    do_transition(annat, "makulera", cast.registrator, "Registrerat två gånger")
    with pytest.raises(ValidationError, match="är makulerat"):
        _registrera(cast, annat, utkast2)
    assert list(Begaran.objects.all()) == [begaran]


def test_a_provning_on_a_page_read_before_a_handling_was_marked_secret_is_refused(
    cast, arende, rapport, skrivelse
):
    """The stabschef opens the begäran to try it; meanwhile the handläggare marks the report
    secret (OSL 25 kap. 1 §). "Lämnas ut" sent from the page read before is refused with
    the reason and the begäran stays inkommen: a release is never decided on what the
    ärende said before (OSL 6 kap. 7 §). The page read again shows the marking."""
    from arenden.diarium import services as diarium_services

    begaran = _registrera(cast, arende, rapport, skrivelse)
    client = _inloggad(cast.handlaggare)
    url = reverse("arenden:begaran", args=[begaran.pk])
    sida = client.get(url).content.decode()
    version = re.search(r'name="version" value="(\d+)"', sida)[1]
    diarium_services.andra_sekretess(
        rapport,
        user=cast.handlaggare,
        lagrum=LAGRUM,
        motivering="Uppgifter om enskildas hälsa.",
        offentlig_rubrik="Inspektionsrapport",
    )
    rader = {r.handling_id: r.pk for r in begaran.rader.all()}
    svar = client.post(
        url,
        {
            f"utfall_{rader[rapport.pk]}": "lamnas_ut",
            f"utfall_{rader[skrivelse.pk]}": "lamnas_ut",
            "version": version,
        },
    )
    assert svar.status_code == 200
    assert "har ändrats" in svar.content.decode()
    begaran.refresh_from_db()
    assert begaran.state == "inkommen" and not begaran.rader.exclude(utfall="").exists()
