"""Secret content only to those who need it (OSL; DESIGN section 3): reading a sekretess-marked
ärende or handling is its own permission, narrower than seeing that the ärende exists. Those
named on the ärende to prepare it, the stabschef of its organ and the revisor read it, and the
nämndsekreterare while it is on a föredragningslista; the registrator, the nämndsekreterare
at other times and the superuser see the marking and the lagrum, never the protected text."""

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from arenden.diarium import services as diarium_services
from arenden.dokument import services as dokument
from arenden.handlaggning import services as handlaggning_services
from arenden.models import Punkt
from arenden.sammantraden import protokoll
from tests import factories
from tests.test_sammantraden_regler import Mote

pytestmark = pytest.mark.django_db

SKYDDAT = "Patienten NN:s klagomål om vården på avdelning 7"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def cast():
    return factories.Cast()


@pytest.fixture
def hemligt(cast):
    arende = cast.registrera(SKYDDAT, sekretess_lagrum="OSL 25 kap. 1 §")
    diarium_services.lagg_till_handling(
        arende,
        user=cast.registrator,
        typ="skrivelse",
        riktning="inkommen",
        titel="Klagomål",
        fil=ContentFile(b"journalanteckning", name="klagomal.txt"),
        sekretess_lagrum="OSL 25 kap. 1 §",
        offentlig_titel="Avvikelserapport",
    )
    return arende


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("admin", "admin@example.se", "lösen-123")


def _logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_only_who_needs_to_know_reads_a_secret_arende(cast, hemligt):
    handlaggning_services.tilldela(hemligt, handlaggare=cast.handlaggare, user=cast.stabschef)
    page = reverse("arenden:arende", args=[hemligt.pk])
    fil = reverse("arenden:handling_fil", args=[hemligt.handlingar.get().pk])
    for reader in (cast.handlaggare, cast.revisor, cast.stabschef):
        client = _logged_in(reader)
        assert SKYDDAT in client.get(page).content.decode(), reader
        assert client.get(fil).status_code == 200, reader
    for outsider in (cast.registrator, cast.sekreterare, factories.Cast("RS").stabschef):
        client = _logged_in(outsider)
        shown = client.get(page)
        if outsider.username == "stabschef-RS":  # another organ's: not even that it exists
            assert shown.status_code == 403
            continue
        assert shown.status_code == 200, outsider  # the ärende exists and may be seen …
        html = shown.content.decode()
        assert SKYDDAT not in html and "Sekretess (OSL 25 kap. 1 §)" in html, outsider
        assert client.get(fil).status_code == 403, outsider  # … its secret file not read
        tidslinje = client.get(reverse("arenden:tidslinje", args=[hemligt.pk]))
        assert tidslinje.status_code == 403, outsider


def test_a_worklist_shows_the_marking_not_the_secret_rubrik(cast, hemligt):
    page = _logged_in(cast.registrator).get(reverse("arenden:arbetslista", args=["alla_arenden"]))
    html = page.content.decode()
    assert str(hemligt.diarienummer) in html and "Sekretess (OSL 25 kap. 1 §)" in html
    # no part of the secret rubrik ("NN" alone also turns up in a random CSRF token)
    assert "NN:s" not in html and "avdelning 7" not in html

    handlaggning_services.tilldela(hemligt, handlaggare=cast.handlaggare, user=cast.stabschef)
    page = _logged_in(cast.handlaggare).get(reverse("arenden:mina_arenden"))
    assert SKYDDAT in page.content.decode()


def test_a_word_of_the_secret_text_finds_nothing_for_who_may_not_read_it(cast, hemligt):
    url = reverse("arenden:sok")
    for outsider in (cast.sekreterare, cast.registrator):
        for word in ("avdelning", "Klagomål"):  # in the ärendemening; in the handling's title
            html = _logged_in(outsider).get(url, {"q": word}).content.decode()
            assert str(hemligt.diarienummer) not in html, (outsider, word)
    html = _logged_in(cast.revisor).get(url, {"q": "avdelning"}).content.decode()
    assert str(hemligt.diarienummer) in html


def test_a_secret_arende_is_found_by_its_offentlig_rubrik(cast):
    arende = cast.registrera(
        SKYDDAT, sekretess_lagrum="OSL 25 kap. 1 §", offentlig_rubrik="Klagomål på vården"
    )
    html = _logged_in(cast.stabschef).get(reverse("arenden:sok"), {"q": "vården"})
    assert str(arende.diarienummer) in html.content.decode()


def test_the_superuser_reads_no_secret_and_takes_no_step(cast, hemligt, superuser):
    client = _logged_in(superuser)
    assert client.get(reverse("arenden:arende", args=[hemligt.pk])).status_code == 403
    fil = reverse("arenden:handling_fil", args=[hemligt.handlingar.get().pk])
    assert client.get(fil).status_code == 403
    assert not superuser.has_perm("arenden.view_sekretess", hemligt)
    assert not superuser.has_perm("arenden.change_arende", hemligt)
    response = client.post(
        reverse("arenden:overgang", args=[hemligt.pk]), {"overgang": "makulera", "kommentar": "x"}
    )
    assert response.status_code == 403
    hemligt.refresh_from_db()
    assert hemligt.state == "registrerat"
    # global configuration rights are still the superuser's
    assert superuser.has_perm("arenden.add_arende")


# -- e-mail leaves the system: never the secret text ---------------------------------------------


def test_the_assignment_email_names_a_secret_arende_by_its_marking(
    cast, hemligt, mailoutbox, django_capture_on_commit_callbacks
):
    cast.handlaggare.email = "handlaggare@example.se"
    cast.handlaggare.save()
    with django_capture_on_commit_callbacks(execute=True):  # sent once the step is committed
        handlaggning_services.tilldela(hemligt, handlaggare=cast.handlaggare, user=cast.stabschef)
    [brev] = mailoutbox
    assert str(hemligt.diarienummer) in brev.subject + brev.body
    assert "Sekretess (OSL 25 kap. 1 §)" in brev.body
    assert "NN" not in brev.subject + brev.body and "avdelning" not in brev.body


def test_a_reminder_names_a_secret_arende_by_its_marking(
    cast, hemligt, mailoutbox, django_capture_on_commit_callbacks
):
    import datetime

    from flows import jobb

    cast.handlaggare.email = "handlaggare@example.se"
    cast.handlaggare.save()
    handlaggning_services.tilldela(hemligt, handlaggare=cast.handlaggare, user=cast.stabschef)
    mailoutbox.clear()
    from workflow.engine import do_transition

    do_transition(hemligt, "paborja_beredning", cast.handlaggare)
    factories.forslag_till_beslut(hemligt, cast.handlaggare)
    do_transition(hemligt, "markera_beredd", cast.handlaggare)
    factories.anmal(hemligt, cast.sekreterare)
    factories.besluta(
        hemligt,
        cast.sekreterare,
        "Bifall.",
        uppdrag=[("Utred vården för patienten NN.", datetime.date(2025, 12, 1), None)],
    )
    handlaggning_services.expediera_till(
        hemligt.mottagare.get(), user=cast.sekreterare, metod="post"
    )
    with django_capture_on_commit_callbacks(execute=True):  # sent once recorded
        jobb.skicka_paminnelser(idag=datetime.date(2025, 11, 20))
    [brev] = mailoutbox
    assert str(hemligt.diarienummer) in brev.body and "Sekretess (OSL 25 kap. 1 §)" in brev.body
    assert "NN" not in brev.body and "avdelning" not in brev.body


def test_the_kallelse_by_email_carries_the_masked_version(
    cast, hemligt, mailoutbox, django_capture_on_commit_callbacks
):
    import datetime
    import io

    import pypdf

    from arenden.models import Deltagare
    from arenden.sammantraden import protokoll
    from workflow.engine import do_transition

    handlaggning_services.tilldela(hemligt, handlaggare=cast.handlaggare, user=cast.stabschef)
    do_transition(hemligt, "paborja_beredning", cast.handlaggare)
    factories.forslag_till_beslut(hemligt, cast.handlaggare)
    do_transition(hemligt, "markera_beredd", cast.handlaggare)
    mote = protokoll.planera(
        organ=cast.organ, datum=datetime.date(2025, 11, 12), plats="Umeå", user=cast.sekreterare
    )
    protokoll.lagg_till_punkt(mote, user=cast.sekreterare, arende=hemligt)
    ledamot = factories.user("ledamot")
    ledamot.email = "ledamot@example.se"
    ledamot.save()
    protokoll.lagg_till_deltagare(
        mote,
        factories.person("Lena Ledamot", anvandare=ledamot, typ="fortroendevald"),
        roll=Deltagare.Roll.LEDAMOT,
        user=cast.sekreterare,
    )
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        protokoll.kalla(mote, user=cast.sekreterare)
    [brev] = mailoutbox
    [(_namn, innehall, _typ)] = brev.attachments
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(innehall)).pages)
    assert "Sekretess" in text and "NN" not in text and "avdelning" not in text


# -- the marking goes with the content -------------------------------------------------------


def test_a_matter_carried_on_to_a_higher_organ_keeps_its_marking(cast):
    rs = factories.organ("RS", "Regionstyrelsen")
    hemligt = cast.berett(SKYDDAT, sekretess_lagrum="OSL 25 kap. 1 §", offentlig_rubrik="Vård")
    factories.besluta(hemligt, cast.sekreterare, "Föreslår regionstyrelsen", forslag_till=rs)
    fortsattning = diarium_services.fortsatt_i(hemligt, organ=rs, user=cast.registrator)
    assert fortsattning.sekretess_lagrum == "OSL 25 kap. 1 §"
    assert fortsattning.sekretess_datum == hemligt.sekretess_datum
    page = Client().get(reverse("arenden:postlista")).content.decode()
    assert str(fortsattning.diarienummer) in page and "NN" not in page


def test_the_filed_tjansteskrivelse_of_a_secret_arende_is_marked_and_not_titled_with_it(
    cast, hemligt
):
    from workflow.engine import do_transition

    handlaggning_services.tilldela(hemligt, handlaggare=cast.handlaggare, user=cast.stabschef)
    do_transition(hemligt, "paborja_beredning", cast.handlaggare)
    factories.forslag_till_beslut(hemligt, cast.handlaggare)
    handling = handlaggning_services.arkivera_tjansteskrivelse(hemligt, user=cast.handlaggare)
    assert handling.sekretess_lagrum == "OSL 25 kap. 1 §" and handling.sekretess_datum
    assert handling.sekretess_markerad_av == cast.handlaggare.get_username()
    assert "NN" not in handling.titel and "Sekretess (OSL 25 kap. 1 §)" in handling.titel
    fil = reverse("arenden:handling_fil", args=[handling.pk])
    assert _logged_in(cast.registrator).get(fil).status_code == 403


def test_a_secret_handling_in_an_open_arende_is_masked_for_who_may_not_read_it(cast):
    """A single bilaga marked OSL 25 kap. 1 § in an ärende that is not secret: who may see the
    ärende but not read secrets (the registrator, the nämndsekreterare) sees the marking and no
    title or download; who prepares it sees the title with its marking, and downloads it."""
    arende = cast.registrera("Riktlinjer för vårdhygien")
    handlaggning_services.tilldela(arende, handlaggare=cast.handlaggare, user=cast.stabschef)
    handling = diarium_services.lagg_till_handling(
        arende,
        user=cast.registrator,
        typ="bilaga",
        riktning="inkommen",
        titel="Avvikelserapport om patient NN",
        fil=ContentFile(b"journalanteckning", name="avvikelse.txt"),
        sekretess_lagrum="OSL 25 kap. 1 §",
        offentlig_titel="Avvikelserapport",
    )
    sida = reverse("arenden:arende", args=[arende.pk])
    fil = reverse("arenden:handling_fil", args=[handling.pk])
    for user in (cast.registrator, cast.sekreterare):
        client = _logged_in(user)
        text = client.get(sida).content.decode()
        assert "Sekretess (OSL 25 kap. 1 §)" in text
        assert "patient NN" not in text and fil not in text
        assert client.get(fil).status_code == 403
    client = _logged_in(cast.handlaggare)
    text = client.get(sida).content.decode()
    assert "Avvikelserapport om patient NN" in text
    assert "Sekretess enligt OSL 25 kap. 1 §" in text
    assert client.get(fil).status_code == 200


def test_a_secret_bilaga_is_named_by_its_marking_in_the_public_kallelse_and_protokoll(cast):
    mote = Mote(cast, agenda=False)
    arende = mote.berett_arende("Riktlinjer för vårdhygien")
    bilaga = diarium_services.lagg_till_handling(
        arende,
        user=cast.registrator,
        typ="beslutsunderlag",
        riktning="inkommen",
        titel="Avvikelserapport om patient NN",
        sekretess_lagrum="OSL 25 kap. 1 §",
        offentlig_titel="Avvikelserapport",
    )
    mote.punkt(arende=arende, slag=Punkt.Slag.BESLUTSARENDE, bilagor=[bilaga])
    protokoll.kalla(mote.sammantrade, user=cast.sekreterare)
    for dok in (
        dokument.kallelse(mote.sammantrade, publik=True),
        dokument.protokoll(mote.sammantrade, publik=True),
    ):
        text = " ".join(b.text + " ".join(b.rader) for b in dok.block)
        assert "patient NN" not in text
        assert "Sekretess (OSL 25 kap. 1 §)" in text


def test_the_kallelse_by_email_names_a_secret_bilaga_of_an_open_item_by_its_marking(
    cast, mailoutbox, django_capture_on_commit_callbacks
):
    """The item is open, its bilaga secret: the e-mailed kallelse is the public version all
    the same, so the bilaga's title does not leave the system (OSL 5 kap. 5 §)."""
    import io

    import pypdf

    mote = Mote(cast, agenda=False)
    arende = mote.berett_arende("Riktlinjer för vårdhygien")
    bilaga = diarium_services.lagg_till_handling(
        arende,
        user=cast.registrator,
        typ="beslutsunderlag",
        riktning="inkommen",
        titel="Avvikelserapport om patient NN",
        sekretess_lagrum="OSL 25 kap. 1 §",
        offentlig_titel="Avvikelserapport",
    )
    mote.punkt(arende=arende, slag=Punkt.Slag.BESLUTSARENDE, bilagor=[bilaga])
    mote.ledamot_user.email = "ledamot@example.se"
    mote.ledamot_user.save()
    with django_capture_on_commit_callbacks(execute=True):
        protokoll.kalla(mote.sammantrade, user=cast.sekreterare)
    [brev] = mailoutbox
    [(_namn, innehall, _typ)] = brev.attachments
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(innehall)).pages)
    text = " ".join(text.split())
    assert "Riktlinjer för vårdhygien" in text  # the open item as it is
    assert "NN" not in text and "Sekretess (OSL 25 kap. 1 §)" in text


def test_the_public_tjansteskrivelse_says_what_is_masked_and_under_which_lagrum(cast):
    hemligt = cast.berett(SKYDDAT, sekretess_lagrum="OSL 25 kap. 1 §")
    texter = [b.text or "" for b in dokument.tjansteskrivelse(hemligt, publik=True).block]
    assert "Uppgifterna omfattas av sekretess enligt OSL 25 kap. 1 §." in texter
    assert not any(SKYDDAT in t for t in texter)


@pytest.mark.parametrize(
    "typ, paragraf, maskera, rubrik",
    [
        ("namnd", 130, False, "§ 130 Färdplan för vården"),
        ("namnd", None, False, "7. Färdplan för vården"),
        ("samverkansorgan", 130, False, "130. Färdplan för vården"),
        ("samverkansorgan", None, False, "7. Färdplan för vården"),
        ("namnd", 130, True, "§ 130 Sekretess enligt OSL 25 kap. 1 §"),
        ("namnd", None, True, "7. Sekretess enligt OSL 25 kap. 1 §"),
    ],
)
def test_an_items_heading_is_a_paragraph_once_numbered_in_a_namnd_and_masked_names_the_lagrum(
    typ, paragraf, maskera, rubrik
):
    """KL 5 kap. 65 §: a nämnd's protokoll is in paragraphs once drawn up; a
    samverkansorgan's items are numbered, never paragraphs. Masked (OSL 5 kap. 5 §), the
    heading names the lagrum instead of the matter."""
    from arenden.models import Arende, Organ

    organ = Organ(kod="X", namn="X", typ=typ)
    arende = Arende(pk=1, sekretess_lagrum="OSL 25 kap. 1 §")
    punkt = Punkt(rubrik="Färdplan för vården", ordning=7, paragraf=paragraf, arende=arende)
    assert dokument.punkt_rubrik(punkt, organ, maskera) == rubrik
