"""A document the system drew up holds what it was drawn from; marked afterwards, what it holds
is secret in the copy too (OSL 5 kap. 5 §: marked where it is kept). Found in a review
(2026-12-06): a protokollsutdrag and a tjänsteskrivelse filed while a bilaga or an underlag was
open handed its title out after it was marked, by page, API and search, and the search still
answered for an item's words in the meeting's filed protokoll."""

import io

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from arenden.diarium import services as diarium_services
from arenden.diarium import sokning
from arenden.dokument.harledd import SKAL
from arenden.handlaggning import services as handlaggning_services
from arenden.models import Handling, Person
from tests.test_sammantraden_regler import Mote, cast_for
from workflow.engine import do_transition, history

pytestmark = pytest.mark.django_db

TITEL = "Läkarintyg Zlatanovic diagnos"
LAGRUM = "OSL 25 kap. 1 §"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def klient(user):
    client = Client()
    client.force_login(user)
    return client


def _text(svar) -> str:
    data = b"".join(svar.streaming_content) if svar.streaming else svar.content
    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(data)).pages)


def _markera(handling, user):
    handling.refresh_from_db()
    diarium_services.andra_sekretess(
        handling,
        user=user,
        lagrum=LAGRUM,
        motivering="Hälsouppgifter",
        offentlig_rubrik="Läkarintyg",
    )


def _utlamnas_inte(cast, kopia):
    """The registrator, who reads the ärende but not its secret content, gets the copy neither
    by page nor API nor search; the API names it by its marking only."""
    reg = klient(cast.registrator)
    for url in (
        reverse("arenden:handling_fil", args=[kopia.pk]),
        f"/api/handlingar/{kopia.pk}/fil/",
    ):
        svar = reg.get(url)
        assert svar.status_code == 403, url
        assert "Zlatanovic" not in svar.content.decode()
    assert list(sokning.sok_handlingar(cast.registrator, q="Zlatanovic")) == []
    post = reg.get(f"/api/handlingar/{kopia.pk}/").json()
    assert (post["maskerad"], post["sekretess_lagrum"], post["sha256"]) == (True, LAGRUM, None)


def test_an_utdrag_filed_before_its_bilaga_was_marked_is_marked_with_it():
    mote = Mote(cast_for("HSN"))
    cast = mote.cast
    bilaga = diarium_services.lagg_till_handling(
        mote.arende, user=cast.registrator, typ="beslutsunderlag", riktning="inkommen", titel=TITEL
    )
    mote.arendepunkt.bilagor.add(bilaga)
    mote.till("justerat")  # files the protokollsutdrag in the item's ärende, open
    utdrag = Handling.objects.get(arende=mote.arende, typ="protokollsutdrag")
    assert not utdrag.sekretess_lagrum
    assert "Zlatanovic" in _text(
        klient(cast.registrator).get(reverse("arenden:handling_fil", args=[utdrag.pk]))
    )

    _markera(bilaga, cast.handlaggare)

    utdrag.refresh_from_db()
    assert (utdrag.sekretess_lagrum, utdrag.sekretess_markerad_av) == (
        LAGRUM,
        cast.handlaggare.get_username(),
    )
    andrad = utdrag.history.latest("history_id")
    assert (andrad.history_change_reason, andrad.history_user) == (SKAL, cast.handlaggare)
    steg = history(mote.arende).order_by("-seq").first()
    assert steg.transition == "andra_sekretess" and utdrag.beteckning in steg.comment
    _utlamnas_inte(cast, utdrag)
    # who may read the ärende's secret content still reads the copy as filed
    assert "Zlatanovic" in _text(
        klient(cast.handlaggare).get(reverse("arenden:handling_fil", args=[utdrag.pk]))
    )


def test_a_tjansteskrivelse_filed_before_its_underlag_was_marked_is_marked_with_it():
    cast = cast_for("HSN")
    arende = cast.registrera("Riktlinjer för vårdhygien")
    handlaggning_services.tilldela(arende, handlaggare=cast.handlaggare, user=cast.stabschef)
    do_transition(arende, "paborja_beredning", cast.handlaggare)
    underlag = diarium_services.lagg_till_handling(
        arende, user=cast.handlaggare, typ="beslutsunderlag", riktning="inkommen", titel=TITEL
    )
    handlaggning_services.spara_tjansteskrivelse(
        arende,
        user=cast.handlaggare,
        forfattare=Person.objects.get(anvandare=cast.handlaggare),
        forslag_till_beslut="Bifall.",
    )
    arende.refresh_from_db()
    skrivelse = handlaggning_services.arkivera_tjansteskrivelse(arende, user=cast.handlaggare)
    assert not skrivelse.sekretess_lagrum

    _markera(underlag, cast.handlaggare)

    skrivelse.refresh_from_db()
    assert skrivelse.sekretess_lagrum == LAGRUM
    _utlamnas_inte(cast, skrivelse)
    # the step is one prövning, with one record: the copy's marking is not counted as another
    from workflow.engine import RequirementMissing

    with pytest.raises(RequirementMissing):
        do_transition(arende, "andra_sekretess", cast.handlaggare, "En till")


def test_the_meetings_protokoll_is_no_longer_found_by_a_marked_items_words():
    """The kallelse and protokoll in the meeting's ärende are masked when read; the words read
    out of them for the search go when an item is marked."""
    cast = cast_for("HSN")
    moteslista = cast.registrera("Sammanträden 2025")
    mote = Mote(cast)
    mote.sammantrade.arende = moteslista
    mote.sammantrade.save(update_fields=["arende"])
    mote.till("justerat")
    ordet = mote.arende.arendemening.split()[-1]
    protokoll = Handling.objects.get(arende=moteslista, typ="protokoll", filnamn__endswith=".pdf")
    assert ordet in protokoll.text
    assert protokoll in sokning.sok_handlingar(cast.registrator, q=ordet)

    mote.hemligt()

    protokoll.refresh_from_db()
    assert (protokoll.text, protokoll.sekretess_lagrum) == ("", "")
    assert protokoll not in sokning.sok_handlingar(cast.registrator, q=ordet)
    assert moteslista not in list(sokning.sok(cast.registrator, q=ordet)[0:25])


def test_a_kallelse_waiting_in_the_outbox_is_sent_again_masked_after_an_item_is_marked(
    django_capture_on_commit_callbacks,
):
    """The kallelse's e-mail carries the public version as it read when it was made; an item
    marked before it left (the mail server down, the retry later) is masked in what leaves.
    The waiting e-mail is kept, withdrawn with the reason, and the kallelse goes again."""
    from django.core import mail

    from arenden.gemensamt import utskick

    mote = Mote(cast_for("HSN"))
    for user in (mote.ordforande_user, mote.ledamot_user):
        user.email = f"{user.username}@example.se"
        user.save()
    mote.kalla()  # made; its sending waits for the commit, which the mail server misses
    [fore] = utskick.att_skicka()
    rubrik = mote.arende.arendemening
    assert rubrik in " ".join(PdfReader(io.BytesIO(fore.bilaga)).pages[0].extract_text().split())

    with django_capture_on_commit_callbacks(execute=True):
        mote.hemligt()

    fore.refresh_from_db()
    assert fore.aterkallad is not None and "sekretessmarkerades" in fore.aterkallad_skal
    utskick.skicka()  # the retry: the withdrawn one stays
    [brev] = mail.outbox
    assert sorted(brev.bcc) == sorted(fore.dold_kopia)
    text = " ".join(
        " ".join(p.extract_text().split())
        for p in PdfReader(io.BytesIO(brev.attachments[0][1])).pages
    )
    assert rubrik not in text and f"Sekretess enligt {LAGRUM}" in text
    assert {r.utskick_id for r in mote.sammantrade.kallelsemottagare.all() if r.epost} == {
        utskick.Utskick.objects.get(skickad__isnull=False).pk
    }


def test_a_request_for_the_meetings_protokoll_is_tried_by_who_may_read_all_of_it():
    """The protokoll in the meeting's ärende carries no marking of its own when an item was
    marked after it was filed; it is masked item by item when read. A begäran for it was
    tried by the meeting ärende's handläggare, who may not read the item, with nothing telling
    them, and the whole file released."""
    from django.core.exceptions import PermissionDenied

    from arenden.begaran import services as begaran
    from tests import factories

    cast = cast_for("HSN")
    moteslista = cast.registrera("Sammanträden 2025")
    mote = Mote(cast)
    mote.sammantrade.arende = moteslista
    mote.sammantrade.save(update_fields=["arende"])
    mote.till("justerat")
    mote.hemligt()
    sekreterare_arende = factories.user("h2")
    factories.person("H Två", anvandare=sekreterare_arende)
    handlaggning_services.tilldela(moteslista, handlaggare=sekreterare_arende, user=cast.stabschef)
    assert not sekreterare_arende.has_perm("arenden.view_sekretess", mote.arende)
    protokollet = Handling.objects.get(arende=moteslista, typ="protokoll", filnamn__endswith=".pdf")
    moteslista.refresh_from_db()
    fraga = begaran.registrera(
        moteslista,
        user=cast.registrator,
        avser="Protokollet",
        form="epost",
        handlingar=[protokollet],
    )
    with pytest.raises(PermissionDenied, match="sekretessmarkerade uppgifter som du inte får läsa"):
        begaran.prova(
            fraga, user=sekreterare_arende, utfall={protokollet.pk: ("lamnas_ut", "", "")}
        )
    fraga.refresh_from_db()
    assert fraga.state == "inkommen"
    # the stabschef, who reads the item, tries it, and the read is logged
    begaran.prova(fraga, user=cast.stabschef, utfall={protokollet.pk: ("lamnas_ut", "", "")})
    fraga.refresh_from_db()
    assert fraga.state == "utlamnad"
    from arenden.models import Sekretessatkomst

    assert Sekretessatkomst.objects.filter(
        anvandare=cast.stabschef, handling=protokollet, vad=Sekretessatkomst.Vad.BEGARAN
    ).exists()
