"""The hunt for one secret word (issue: "Sekretess that holds"): it is put in an ärende's
ärendemening and sender, in a handling's title and in its file, in a secret handling of an open
ärende, and in a request for them; then every page, export, file and search is read as every
role, as a politician with no role, as the superuser and as the public, and every e-mail sent
is read. The word is found only by those who need to know: the handläggare named on the ärende,
the stabschef of its organ and the revisor (OSL; KL 12 kap. 12 §); the nämndsekreterare only
while it is on a föredragningslista, which it is not here."""

import datetime
import io
import zipfile

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from arenden.begaran import services as begaran
from arenden.diarium import services as diarium_services
from arenden.handlaggning import services as handlaggning_services
from arenden.models import Begaran
from tests import factories
from workflow.engine import do_transition

pytestmark = pytest.mark.django_db

ORDET = "Zebrafinkssyndrom"
LAGRUM = "OSL 25 kap. 1 §"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def varld(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return _bygg()


def _bygg():
    cast = factories.Cast()
    for user in (cast.handlaggare, cast.stabschef, cast.registrator, cast.sekreterare):
        user.email = f"{user.username}@example.se"
        user.save()
    hemligt = cast.registrera(
        f"Klagomål från patient med {ORDET}",
        sekretess_lagrum=LAGRUM,
        offentlig_rubrik="Klagomål på vården",
        avsandare=f"Föreningen för {ORDET}",
    )
    handlaggning_services.tilldela(hemligt, handlaggare=cast.handlaggare, user=cast.stabschef)
    do_transition(hemligt, "paborja_beredning", cast.handlaggare, f"Ringt patienten om {ORDET}")
    factories.forslag_till_beslut(
        hemligt, cast.handlaggare, forslag=f"Att utreda vården av patienten med {ORDET}."
    )
    handling = diarium_services.lagg_till_handling(
        hemligt,
        user=cast.registrator,
        typ="bilaga",
        riktning="inkommen",
        titel=f"Journal om {ORDET}",
        offentlig_titel="Journalkopia",
        datum=datetime.date(2025, 10, 1),
        fil=ContentFile(f"Journalanteckning: {ORDET}".encode(), name="journal.txt"),
        sekretess_lagrum=LAGRUM,
        avsandare_mottagare=f"Kliniken för {ORDET}",
    )
    oppet = cast.registrera("Riktlinjer för vårdhygien")
    handlaggning_services.tilldela(oppet, handlaggare=cast.handlaggare, user=cast.stabschef)
    do_transition(oppet, "paborja_beredning", cast.handlaggare)
    # the secret handling of the open ärende is an underlag of its tjänsteskrivelse
    factories.forslag_till_beslut(oppet, cast.handlaggare, forslag="Att anta riktlinjerna.")
    bilaga = diarium_services.lagg_till_handling(
        oppet,
        user=cast.registrator,
        typ="beslutsunderlag",
        riktning="inkommen",
        titel=f"Avvikelse om {ORDET}",
        offentlig_titel="Avvikelserapport",
        datum=datetime.date(2025, 10, 2),
        fil=ContentFile(f"Avvikelse: {ORDET}".encode(), name="avvikelse.txt"),
        sekretess_lagrum=LAGRUM,
    )
    # registered in clear, found to be secret and marked afterwards: its history from before
    # the marking holds the words too
    sent_markerad = diarium_services.lagg_till_handling(
        oppet,
        user=cast.registrator,
        typ="skrivelse",
        riktning="inkommen",
        titel=f"Anmälan om {ORDET}",
        datum=datetime.date(2025, 10, 3),
        fil=ContentFile(f"Anmälan: {ORDET}".encode(), name="anmalan.txt"),
    )
    diarium_services.andra_sekretess(
        sent_markerad,
        user=cast.handlaggare,
        lagrum=LAGRUM,
        motivering=f"Uppgifter om hälsan hos en patient med {ORDET}.",
        offentlig_rubrik="Anmälan",
    )
    fraga = begaran.registrera(
        hemligt,
        user=cast.registrator,
        avser="Journalen",
        form=Begaran.Form.EPOST,
        handlingar=[handling],
        inkommen=datetime.date(2025, 10, 6),
    )
    # a request for the secret handling of the open ärende, refused: its page and the
    # ärende's history carry the prövning
    avslagen = begaran.registrera(
        oppet,
        user=cast.registrator,
        avser="Anmälan",
        form=Begaran.Form.EPOST,
        handlingar=[sent_markerad],
        inkommen=datetime.date(2025, 10, 7),
    )
    begaran.prova(
        avslagen,
        user=cast.handlaggare,
        utfall={sent_markerad.pk: ("undantas", LAGRUM, "")},
        motivering="Anmälan innehåller uppgifter om en enskilds hälsa.",
    )
    ledamot = factories.user("ledamot")
    superuser = factories.user("admin")
    superuser.is_superuser = superuser.is_staff = True
    superuser.save()
    return {
        "cast": cast,
        "hemligt": hemligt,
        "oppet": oppet,
        "handling": handling,
        "bilaga": bilaga,
        "begaran": fraga,
        "avslagen": avslagen,
        "ledamot": ledamot,
        "superuser": superuser,
    }


def _sidor(v) -> list[str]:
    hemligt, oppet = v["hemligt"], v["oppet"]
    return [
        reverse("arenden:start"),
        reverse("arenden:mina_arenden"),
        reverse("arenden:arbetslista", args=["alla_arenden"]),
        reverse("arenden:oversikt"),
        reverse("arenden:bevakning"),
        reverse("flows:inkorg"),
        reverse("arenden:sok") + f"?q={ORDET}",
        reverse("arenden:sok") + "?q=Klagomål",
        reverse("arenden:arende", args=[hemligt.pk]),
        reverse("arenden:arende", args=[oppet.pk]),
        reverse("arenden:tidslinje", args=[hemligt.pk]),
        reverse("arenden:tidslinje", args=[oppet.pk]),
        reverse("arenden:handling_fil", args=[v["handling"].pk]),
        reverse("arenden:handling_fil", args=[v["bilaga"].pk]),
        reverse("arenden:tjansteskrivelse", args=[hemligt.pk]),
        reverse("arenden:tjansteskrivelse_dokument", args=[hemligt.pk, "pdf"]),
        reverse("arenden:tjansteskrivelse_dokument", args=[hemligt.pk, "docx"]),
        reverse("arenden:tjansteskrivelse", args=[oppet.pk]),
        reverse("arenden:tjansteskrivelse_dokument", args=[oppet.pk, "pdf"]),
        reverse("arenden:tjansteskrivelse_dokument", args=[oppet.pk, "docx"]),
        reverse("arenden:begaranden"),
        reverse("arenden:begaran", args=[v["begaran"].pk]),
        reverse("arenden:begaran", args=[v["avslagen"].pk]),
        f"/api/arenden/{oppet.pk}/historik/",
        f"/api/arenden/{oppet.pk}/",
        reverse("arenden:ny_begaran", args=[hemligt.pk]),
        reverse("arenden:sent_registrerade"),
        reverse("arenden:auditlogg"),
        reverse("arenden:auditlogg_export", args=["csv"]),
        reverse("arenden:auditlogg_export", args=["json"]),
        reverse("arenden:sekretessatkomst"),
        reverse("arenden:postlista"),
        reverse("arenden:postlista") + f"?q={ORDET}",
        reverse("arenden:postlista") + "?q=Journalkopia",
        reverse("arenden:publikt_arende", args=[hemligt.pk]),
        reverse("arenden:publikt_arende", args=[oppet.pk]),
        reverse("arenden:anslagstavla"),
    ]


def _text(response) -> str:
    """What a reader reads in a response: a page, an export, a file, a PDF or a Word file."""
    data = (
        b"".join(response.streaming_content)
        if hasattr(response, "streaming_content")
        else response.content
    )
    typ = response.get("Content-Type", "")
    if typ.startswith("application/pdf"):
        return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    if "wordprocessingml" in typ:
        with zipfile.ZipFile(io.BytesIO(data)) as docx:
            return docx.read("word/document.xml").decode()
    return data.decode(errors="replace")


def _las(client, url) -> str:
    response = client.get(url)
    assert response.status_code < 500, url
    text = _text(response)
    # a search page shows the words the reader typed: that echo is not a leak
    return text.replace(f'value="{ORDET}"', "")


def test_the_secret_word_is_found_only_by_who_needs_to_know(varld):
    cast = varld["cast"]
    fick_se = {}
    lasare = {
        "handläggaren": cast.handlaggare,
        "revisorn": cast.revisor,
        "stabschefen": cast.stabschef,
        "registratorn": cast.registrator,
        "nämndsekreteraren": cast.sekreterare,
        "ledamoten": varld["ledamot"],
        "superanvändaren": varld["superuser"],
        "allmänheten": None,
    }
    for namn, user in lasare.items():
        client = Client()
        if user is not None:
            client.force_login(user)
        fick_se[namn] = [url for url in _sidor(varld) if ORDET in _las(client, url)]
    # who needs to know reads it: on the ärende, in its history, in the file, in the search
    for namn in ("handläggaren", "revisorn", "stabschefen"):
        assert reverse("arenden:arende", args=[varld["hemligt"].pk]) in fick_se[namn], namn
        assert reverse("arenden:handling_fil", args=[varld["handling"].pk]) in fick_se[namn]
        for format in ("pdf", "docx"):
            dok = reverse("arenden:tjansteskrivelse_dokument", args=[varld["hemligt"].pk, format])
            assert dok in fick_se[namn], (namn, format)
    assert reverse("arenden:sok") + f"?q={ORDET}" in fick_se["handläggaren"]
    # nobody else, anywhere
    for namn in ("registratorn", "nämndsekreteraren", "ledamoten"):
        assert fick_se[namn] == [], namn
    assert fick_se["superanvändaren"] == [] and fick_se["allmänheten"] == []


def test_no_email_carries_the_secret_word(varld):
    """Every e-mail the steps above sent (the assignment among them) names the ärende by its
    diarienummer and public rubrik."""
    assert mail.outbox, "the assignment sends an e-mail"
    for brev in mail.outbox:
        text = brev.subject + brev.body + "".join(str(a) for a in brev.attachments)
        assert ORDET not in text


def test_a_comment_in_the_history_of_a_secret_arende_is_read_by_who_may_read_it(varld):
    """A step's comment is the handläggare's free text and may say what the ärende is secret
    for ("Ringt patienten om …"). Who may read the secret content reads it on the ärende page,
    in the granskningslogg and its exports; who may not (the registrator on the ärende page,
    the superuser in the granskningslogg) reads the marking instead, and no link to a
    tidslinje they may not open."""
    cast, hemligt = varld["cast"], varld["hemligt"]
    sida = reverse("arenden:arende", args=[hemligt.pk])
    logg = [
        reverse("arenden:auditlogg") + f"?diarienummer={hemligt.diarienummer}",
        reverse("arenden:auditlogg_export", args=["csv"]),
        reverse("arenden:auditlogg_export", args=["json"]),
    ]
    markering = f"omfattas av sekretess enligt {LAGRUM}"
    revisor, registrator, superuser = Client(), Client(), Client()
    revisor.force_login(cast.revisor)
    registrator.force_login(cast.registrator)
    superuser.force_login(varld["superuser"])
    for url in [sida, *logg]:
        assert f"Ringt patienten om {ORDET}" in _las(revisor, url), url
    text = _las(registrator, sida)
    assert f"Kommentaren {markering}." in text and "Ringt patienten" not in text
    assert reverse("arenden:tidslinje", args=[hemligt.pk]) not in text
    for url in logg:
        text = _las(superuser, url)
        assert f"Kommentaren {markering}." in text and "Ringt patienten" not in text, url


def test_the_namndsekreterare_reads_it_while_it_is_on_a_foredragningslista(varld):
    """On the föredragningslista the nämndsekreterare reads the secret content (the kallelse,
    the protokoll); struck from it, no longer."""
    from arenden.sammantraden import protokoll

    cast, hemligt = varld["cast"], varld["hemligt"]
    do_transition(hemligt, "markera_beredd", cast.handlaggare)
    mote = protokoll.planera(
        organ=cast.organ, datum=datetime.date(2025, 12, 10), plats="Rum 1", user=cast.sekreterare
    )
    punkt = protokoll.lagg_till_punkt(mote, user=cast.sekreterare, arende=hemligt)
    client = Client()
    client.force_login(cast.sekreterare)
    sida = reverse("arenden:arende", args=[hemligt.pk])
    assert ORDET in _las(client, sida)
    protokoll.stryk_punkt(
        punkt, user=cast.sekreterare, motivering=f"Fel sammanträde; {ORDET} utreds vidare"
    )
    assert ORDET not in _las(client, sida)
    assert ORDET not in _las(Client(), reverse("arenden:postlista"))


def test_a_secret_item_of_a_meeting_is_read_only_by_who_may(varld):
    """The meeting's page, kallelse, protokoll and protokollsutdrag are read by everyone who
    reads the meeting (the registrator among them), but a secret item's content only by who
    may read its ärende and by a member who serves in the item; a jävig member does not."""
    from arenden.models import Deltagare, Person
    from arenden.sammantraden import protokoll

    cast, hemligt = varld["cast"], varld["hemligt"]
    do_transition(hemligt, "markera_beredd", cast.handlaggare)
    mote = protokoll.planera(
        organ=cast.organ, datum=datetime.date(2025, 12, 10), plats="Rum 1", user=cast.sekreterare
    )
    ledamoter = {}
    for namn in ("ordf", "ledamot", "javig"):
        user = factories.user(f"politiker-{namn}")
        person = factories.person(
            f"Politiker {namn}", anvandare=user, typ=Person.Typ.FORTROENDEVALD
        )
        roll = Deltagare.Roll.ORDFORANDE if namn == "ordf" else Deltagare.Roll.LEDAMOT
        protokoll.lagg_till_deltagare(
            mote, person, roll=roll, user=cast.sekreterare, justerare=namn != "ordf"
        )
        ledamoter[namn] = (user, person)
    punkt = protokoll.lagg_till_punkt(mote, user=cast.sekreterare, arende=hemligt)
    protokoll.kalla(mote, user=cast.sekreterare)
    protokoll.anmal_jav(punkt, ledamoter["javig"][1], user=cast.sekreterare, grund="Släkt")
    sidor = [
        reverse("arenden:sammantrade", args=[mote.pk]),
        reverse("arenden:mote_dokument", args=[mote.pk, "kallelse", "pdf"]),
        reverse("arenden:mote_dokument", args=[mote.pk, "kallelse", "docx"]),
        reverse("arenden:mote_dokument", args=[mote.pk, "protokoll", "pdf"]),
        reverse("arenden:punkt_utdrag", args=[punkt.pk, "pdf"]),
    ]

    def laser(user) -> list[str]:
        client = Client()
        client.force_login(user)
        return [url for url in sidor if ORDET in _las(client, url)]

    for user in (cast.sekreterare, cast.stabschef, cast.revisor):
        assert laser(user) == sidor, user
    for namn in ("ordf", "ledamot"):
        assert laser(ledamoter[namn][0]) == sidor, namn
    assert laser(cast.registrator) == []
    assert laser(ledamoter["javig"][0]) == []


def test_reporting_back_an_uppdrag_of_a_secret_arende_shows_only_the_marking():
    """The nämndsekreterare reports back the uppdrag of a secret ärende while it is bevakat;
    she may do that without reading its secret content (the ärende's permission map), so the
    page names the uppdrag and the återrapport by their marking only. The handläggare, who
    may read it, sees the words."""
    cast = factories.Cast()
    arende = cast.registrera(f"Utredning om {ORDET}", sekretess_lagrum=LAGRUM)
    handlaggning_services.tilldela(arende, handlaggare=cast.handlaggare, user=cast.stabschef)
    do_transition(arende, "paborja_beredning", cast.handlaggare)
    handlaggning_services.satt_sandlista(arende, ["Pia Näsvall, HSD"], user=cast.handlaggare)
    factories.forslag_till_beslut(arende, cast.handlaggare, sandlista=())
    do_transition(arende, "markera_beredd", cast.handlaggare)
    factories.anmal(arende, cast.sekreterare)
    factories.besluta(
        arende,
        cast.sekreterare,
        "Bifall",
        uppdrag=[(f"Följ upp vården av {ORDET}", datetime.date(2026, 6, 17), None)],
    )
    handlaggning_services.expediera_till(
        arende.mottagare.get(), user=cast.sekreterare, metod="e-post"
    )
    diarium_services.lagg_till_handling(
        arende,
        user=cast.handlaggare,
        typ="aterrapport",
        riktning="upprattad",
        titel=f"Rapport om {ORDET}",
    )
    arende.refresh_from_db()
    assert arende.state == "bevakas"
    url = reverse("arenden:redovisa", args=[arende.uppdrag.get().pk])
    sidor = {}
    for user in (cast.sekreterare, cast.handlaggare):
        klient = Client()
        klient.force_login(user)
        svar = klient.get(url)
        assert svar.status_code == 200
        sidor[user] = svar.content.decode()
    assert ORDET not in sidor[cast.sekreterare]
    assert f"Uppdraget omfattas av sekretess enligt {LAGRUM}." in sidor[cast.sekreterare]
    assert f"Sekretess ({LAGRUM})" in sidor[cast.sekreterare]  # the återrapport to choose
    assert f"Följ upp vården av {ORDET}" in sidor[cast.handlaggare]


def test_the_tjansteskrivelse_filed_with_a_secret_underlag_is_marked_secret():
    """Filed as a handling, the tjänsteskrivelse in full lists the title of a secret underlag:
    the filed copy carries that underlag's marking, so that only who may read it opens it."""
    cast = factories.Cast()
    arende = cast.registrera("Riktlinjer för vårdhygien")
    handlaggning_services.tilldela(arende, handlaggare=cast.handlaggare, user=cast.stabschef)
    do_transition(arende, "paborja_beredning", cast.handlaggare)
    factories.forslag_till_beslut(arende, cast.handlaggare, forslag="Att anta riktlinjerna.")
    diarium_services.lagg_till_handling(
        arende,
        user=cast.registrator,
        typ="beslutsunderlag",
        riktning="inkommen",
        titel=f"Avvikelse om {ORDET}",
        offentlig_titel="Avvikelserapport",
        fil=ContentFile(b"Avvikelse", name="avvikelse.txt"),
        sekretess_lagrum=LAGRUM,
    )
    arkiverad = handlaggning_services.arkivera_tjansteskrivelse(arende, user=cast.handlaggare)
    assert arkiverad.sekretess_lagrum == LAGRUM and arkiverad.hemlig


def test_the_history_on_a_begaran_page_is_masked_as_the_arendes(varld):
    """The begäran page printed its history's comments as they were: for a request about a
    sekretess-marked ärende, the registrator who keeps the request now reads the marking, as
    on the ärende page, and who may read the secret content reads the comment."""
    cast = varld["cast"]
    begaran.prova(
        varld["begaran"],
        user=cast.handlaggare,
        utfall={varld["handling"].pk: ("undantas", LAGRUM, "")},
        motivering="Journalen rör patientens vård.",
    )
    sida = reverse("arenden:begaran", args=[varld["begaran"].pk])
    registrator, handlaggare = Client(), Client()
    registrator.force_login(cast.registrator)
    handlaggare.force_login(cast.handlaggare)
    text = _las(registrator, sida)
    assert f"Kommentaren omfattas av sekretess enligt {LAGRUM}." in text
    assert "Journalen rör patientens vård." not in text
    assert "Journalen rör patientens vård." in _las(handlaggare, sida)
