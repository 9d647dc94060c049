"""The diarium of handlingar (OSL 5 kap. 1–2 §§, TF 2 kap.): the public postlista lists the
ärenden opened and the allmänna handlingar day by day, by the day a handling came in, with
search and dates, masked where secret; a handling that arrives after the end is registered in
the closed ärende, which can be opened again with a motivering; late registration is flagged;
every secret thing has a public rubrik; every read of secret content is logged for the revisor.
"""

import datetime
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from arenden.diarium import services as diarium_services
from arenden.handlaggning import services as handlaggning_services
from arenden.models import Arende, Handling, Sekretessatkomst
from tests import factories
from workflow.engine import (
    CommentRequired,
    RequirementMissing,
    TransitionNotAllowed,
    allowed_transitions,
    do_transition,
    history,
    worklist,
)

pytestmark = pytest.mark.django_db

HEMLIGT_ORD = "Blomqvistdiagnos"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def cast():
    return factories.Cast()


def _inloggad(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _handling(cast, arende, titel, *, datum=None, user=None, **extra):
    return diarium_services.lagg_till_handling(
        arende,
        user=user or cast.registrator,
        typ=extra.pop("typ", "skrivelse"),
        riktning=extra.pop("riktning", "inkommen"),
        titel=titel,
        datum=datum or datetime.date(2025, 10, 20),
        **extra,
    )


def _avslutat(cast) -> Arende:
    arende = cast.berett("Samverkan kring palliativ vård")
    factories.anmal(arende, cast.sekreterare)
    factories.besluta(arende, cast.sekreterare, "Bifall.")
    handlaggning_services.expediera_till(
        arende.mottagare.get(), user=cast.sekreterare, metod="e-post"
    )
    arende.refresh_from_db()
    do_transition(arende, "avsluta", cast.stabschef)
    arende.refresh_from_db()
    assert arende.state == "avslutat" and arende.avslutat is not None
    return arende


# -- the postlista ------------------------------------------------------------------------------


def test_the_postlista_lists_each_handling_by_the_day_it_came_in(client, cast):
    arende = cast.registrera(
        "Remiss om vårdens digitalisering", registrerat=datetime.date(2025, 10, 1)
    )
    _handling(
        cast,
        arende,
        "Remissvar från Region Norrbotten",
        datum=datetime.date(2025, 10, 14),
        avsandare_mottagare="Region Norrbotten",
    )
    page = client.get(reverse("arenden:postlista")).content.decode()
    rad = page[page.index("Remissvar från Region Norrbotten") - 600 :]
    assert f"{arende.diarienummer}:1" in page
    assert "Region Norrbotten" in page
    # grouped under the day it came in (14 October), not the day the ärende was registered
    dag = page.index("14 oktober 2025")
    assert dag < page.index("Remissvar från Region Norrbotten") < page.index("1 oktober 2025")
    assert reverse("arenden:publikt_arende", args=[arende.pk]) in rad


def test_the_postlista_searches_public_words_and_dates_only(client, cast):
    oppet = cast.registrera("Ambulanssjukvård i Gällivare")
    _handling(cast, oppet, "Skrivelse om ambulansen", datum=datetime.date(2025, 9, 2))
    hemligt = cast.registrera(
        f"Klagomål om {HEMLIGT_ORD}",
        sekretess_lagrum="OSL 25 kap. 1 §",
        offentlig_rubrik="Klagomål på vården",
    )
    _handling(
        cast,
        hemligt,
        f"Journalkopia med {HEMLIGT_ORD}",
        datum=datetime.date(2025, 10, 3),
        sekretess_lagrum="OSL 25 kap. 1 §",
        offentlig_titel="Journalkopia",
    )
    url = reverse("arenden:postlista")
    assert HEMLIGT_ORD not in client.get(url).content.decode()
    # a word that is only in protected text finds nothing
    page = client.get(url, {"q": HEMLIGT_ORD}).content.decode()
    assert "Inga registreringar som passar sökningen" in page
    # the public titel finds the secret handling, masked
    page = client.get(url, {"q": "Journalkopia"}).content.decode()
    assert "Journalkopia – Sekretess (OSL 25 kap. 1 §)" in page and HEMLIGT_ORD not in page
    # the diarienummer finds the ärende and its handlingar
    page = client.get(url, {"q": str(oppet.diarienummer)}).content.decode()
    assert "Skrivelse om ambulansen" in page and "Journalkopia" not in page
    # … or any part of it
    page = client.get(url, {"q": f"{oppet.lopnummer}-{oppet.ar}"}).content.decode()
    assert "Skrivelse om ambulansen" in page and "Journalkopia" not in page
    # dates: only September
    page = client.get(url, {"fran": "2025-09-01", "till": "2025-09-30"}).content.decode()
    assert "Skrivelse om ambulansen" in page and "Journalkopia" not in page


@pytest.mark.parametrize(
    "params",
    [
        {"fran": "2025-13-45"},
        {"fran": "9999-12-31"},
        {"fran": "2025-10-02", "till": "2025-10-01"},
        {"q": "x" * 500},
        {"q": "nul\x00byte"},
        {"sida": "-3"},
    ],
)
def test_the_postlista_answers_bad_input_with_a_message(client, cast, params):
    response = client.get(reverse("arenden:postlista"), params)
    assert response.status_code == 200
    if "sida" not in params:
        assert 'role="alert"' in response.content.decode()


def test_a_handling_under_arbete_and_a_makulerat_arende_are_not_in_the_postlista(client, cast):
    arende = cast.registrera("Riktlinjer för hembesök")
    handlaggning_services.tilldela(arende, handlaggare=cast.handlaggare, user=cast.stabschef)
    _handling(cast, arende, "Utkast till riktlinjer", riktning="upprattad", user=cast.handlaggare)
    fel = cast.registrera("Registrerat av misstag")
    do_transition(fel, "makulera", cast.registrator, "Dubblett")
    page = client.get(reverse("arenden:postlista")).content.decode()
    assert "Riktlinjer för hembesök" in page  # the ärende itself, opened
    assert "Utkast till riktlinjer" not in page
    assert "Registrerat av misstag" not in page
    assert client.get(reverse("arenden:publikt_arende", args=[fel.pk])).status_code == 404


def test_a_postlista_page_costs_the_same_however_many_handlingar(client, cast):
    from arenden.gemensamt.sidor import PER_SIDA

    # more than a page, so that both pages have a next one to count
    for nr in range(PER_SIDA + 1):
        _handling(cast, cast.registrera(f"Remiss {nr}"), f"Svar {nr}")
    url = reverse("arenden:postlista")
    with CaptureQueriesContext(connection) as fa:
        client.get(url)
    for nr in range(30):
        _handling(cast, cast.registrera(f"Remiss mer {nr}"), f"Svar mer {nr}")
    with CaptureQueriesContext(connection) as manga:
        assert client.get(url).status_code == 200
    assert len(manga) == len(fa)


def test_the_public_page_of_a_secret_arende_shows_only_the_public_rubrik(client, cast):
    hemligt = cast.registrera(
        f"Klagomål om {HEMLIGT_ORD}",
        sekretess_lagrum="OSL 25 kap. 1 §",
        offentlig_rubrik="Klagomål på vården",
        avsandare="Anna Andersson, Umeå",
    )
    _handling(cast, hemligt, "Kompletterande uppgifter", avsandare_mottagare="Anna Andersson")
    page = client.get(reverse("arenden:publikt_arende", args=[hemligt.pk])).content.decode()
    assert "Klagomål på vården" in page and "OSL 25 kap. 1 §" in page
    assert HEMLIGT_ORD not in page and "Andersson" not in page
    assert "Kompletterande uppgifter" not in page  # its ärende's marking covers it


# -- a public rubrik for whatever is secret ---------------------------------------------------


def test_a_secret_arende_cannot_be_registered_without_an_offentlig_rubrik(cast):
    client = _inloggad(cast.registrator)
    fore = Arende.objects.count()
    response = client.post(
        reverse("arenden:registrera"),
        {
            "organ": cast.organ.pk,
            "arendemening": f"Klagomål om {HEMLIGT_ORD}",
            "typ": "skrivelse",
            "sekretess_lagrum": "OSL 25 kap. 1 §",
        },
    )
    assert response.status_code == 200
    assert "Ange en offentlig rubrik" in response.content.decode()
    assert Arende.objects.count() == fore


def test_a_secret_handling_needs_an_offentlig_titel_and_carries_who_marked_it(cast):
    arende = cast.registrera("Tillsyn av hemtjänsten")
    client = _inloggad(cast.registrator)
    data = {
        "typ": "bilaga",
        "riktning": "inkommen",
        "datum": "2025-10-20",
        "titel": f"Läkarintyg {HEMLIGT_ORD}",
        "sekretess_lagrum": "OSL 25 kap. 1 §",
    }
    response = client.post(
        reverse("arenden:ny_handling", args=[arende.pk]), factories.fran_arendesidan(arende, data)
    )
    assert "Ange en offentlig rubrik" in response.content.decode()
    assert not arende.handlingar.exists()
    client.post(
        reverse("arenden:ny_handling", args=[arende.pk]),
        factories.fran_arendesidan(arende, {**data, "offentlig_titel": "Läkarintyg"}),
    )
    handling = arende.handlingar.get()
    assert handling.sekretess_datum == timezone.localdate()
    assert handling.sekretess_markerad_av == cast.registrator.username
    assert handling.maskerad_titel == "Läkarintyg – Sekretess (OSL 25 kap. 1 §)"


# -- closed ärenden: a late handling, and opening again -----------------------------------


def test_the_registrator_files_a_late_overklagande_in_a_closed_arende(cast):
    arende = _avslutat(cast)
    response = _inloggad(cast.registrator).post(
        reverse("arenden:ny_handling", args=[arende.pk]),
        factories.fran_arendesidan(
            arende,
            {
                "typ": "skrivelse",
                "riktning": "inkommen",
                "datum": str(timezone.localdate()),
                "titel": "Överklagande till förvaltningsrätten",
                "avsandare_mottagare": "Förvaltningsrätten i Umeå",
            },
        ),
    )
    assert response.status_code == 302
    assert arende.handlingar.filter(titel="Överklagande till förvaltningsrätten").exists()
    # nobody else changes a closed ärende
    fore = arende.handlingar.count()
    response = _inloggad(cast.handlaggare).post(
        reverse("arenden:ny_handling", args=[arende.pk]),
        factories.fran_arendesidan(
            arende,
            {"typ": "skrivelse", "riktning": "inkommen", "datum": "2025-12-01", "titel": "X"},
        ),
    )
    assert response.status_code == 403 and arende.handlingar.count() == fore


def test_the_stabschef_reopens_a_closed_arende_with_a_motivering(cast):
    arende = _avslutat(cast)
    with pytest.raises(CommentRequired):
        do_transition(arende, "ateroppna", cast.stabschef, "")
    with pytest.raises(TransitionNotAllowed):
        do_transition(arende, "ateroppna", cast.handlaggare, "Överklagat")
    client = _inloggad(cast.stabschef)
    sida = client.get(reverse("arenden:arende", args=[arende.pk])).content.decode()
    assert "Återöppna" in sida
    client.post(
        reverse("arenden:overgang", args=[arende.pk]),
        factories.fran_arendesidan(
            arende,
            {
                "overgang": "ateroppna",
                "status": "avslutat",
                "steg": str(history(arende).order_by("-seq").first().seq),
                "kommentar": "Förvaltningsrätten har upphävt beslutet",
            },
        ),
    )
    arende.refresh_from_db()
    assert arende.state == "registrerat" and arende.avslutat is None
    senaste = history(arende).order_by("-seq").first()
    assert (senaste.transition, senaste.comment) == (
        "ateroppna",
        "Förvaltningsrätten har upphävt beslutet",
    )
    # it is the stabschef's to assign again
    assert arende in worklist(cast.stabschef, "att_tilldela")


def test_a_makulerat_arende_never_comes_back(cast):
    arende = cast.registrera("Dubblett")
    do_transition(arende, "makulera", cast.registrator, "Registrerat två gånger")
    assert allowed_transitions(arende, cast.stabschef) == []
    with pytest.raises(TransitionNotAllowed):
        do_transition(arende, "ateroppna", cast.stabschef, "Ändå")


def test_a_reopened_arende_decided_again_is_expedierat_anew(cast):
    """What was sent of the first beslut counted for the second: a recipient added to the
    sändlista and removed again left only the old sent rows, and the ärende became
    expedierat with the new beslut sent to nobody."""
    arende = _avslutat(cast)
    [forsta] = arende.mottagare.all()
    do_transition(arende, "ateroppna", cast.stabschef, "Förvaltningsrätten har upphävt beslutet")
    handlaggning_services.tilldela(arende, handlaggare=cast.handlaggare, user=cast.stabschef)
    do_transition(arende, "paborja_beredning", cast.handlaggare)
    factories.forslag_till_beslut(arende, cast.handlaggare, sandlista=())
    do_transition(arende, "markera_beredd", cast.handlaggare)
    factories.anmal(arende, cast.sekreterare)
    factories.besluta(arende, cast.sekreterare, "Bifall på nytt.")
    handlaggning_services.satt_sandlista(arende, ["ny@example.se"], user=cast.sekreterare)
    handlaggning_services.satt_sandlista(
        arende, [], user=cast.sekreterare, motivering="Fel adress, inte part."
    )
    arende.refresh_from_db()
    assert arende.state == "beslutat"
    with pytest.raises(RequirementMissing, match="inte skickat till alla"):
        do_transition(arende, "expediera", cast.sekreterare)
    # sent to the first recipient again, the new beslut is expedierat; both sendings stand
    [igen] = handlaggning_services.satt_sandlista(
        arende, [forsta.adress or forsta.person], user=cast.sekreterare
    )
    handlaggning_services.expediera_till(igen, user=cast.sekreterare, metod="e-post")
    arende.refresh_from_db()
    assert arende.state == "expedierat"
    nya = arende.beslut.order_by("-pk").first()
    assert [(m.pk, m.beslut_id) for m in arende.mottagare.order_by("pk")] == [
        (forsta.pk, arende.beslut.order_by("pk").first().pk),
        (igen.pk, nya.pk),
    ]


def test_a_decided_or_closed_arende_reopened_is_never_makulerat(cast):
    """Återöppna leads back to *registrerat*, where Makulera ("registrerat av misstag")
    stood open: a beslut and its allmänna handlingar left the diarium and the postlista
    (TF 2 kap. 4 §). Only an ärende never decided or closed is makulerat."""
    beslutat = _avslutat(cast)
    do_transition(beslutat, "ateroppna", cast.stabschef, "Överklagat")
    avskrivet = cast.registrera("Förfrågan som drogs tillbaka")
    do_transition(avskrivet, "avskriva", cast.stabschef, "Återkallad")
    do_transition(avskrivet, "ateroppna", cast.stabschef, "Ny skrivelse i saken")
    for arende in (beslutat, avskrivet):
        with pytest.raises(RequirementMissing, match="inte registrerat av misstag"):
            do_transition(arende, "makulera", cast.registrator, "Fel")
        arende.refresh_from_db()
        assert arende.state == "registrerat"


def test_a_reopened_arende_with_a_beslut_is_closed_again_never_avskrivet(cast):
    """Avskrivet says the matter ended without a beslut in sak. A decided ärende reopened (an
    överklagande answered, a late handling) that needs no new beslut was avskrivet all the
    same; it is closed again, with why, and keeps its beslut. One never decided is avskrivet
    as before, and cannot be "closed without a new beslut"."""
    beslutat = _avslutat(cast)
    do_transition(beslutat, "ateroppna", cast.stabschef, "Överklagat till förvaltningsrätten")
    with pytest.raises(RequirementMissing, match="ärendet har ett beslut och avskrivs inte"):
        do_transition(beslutat, "avskriva", cast.stabschef, "Yttrande lämnat")
    with pytest.raises(CommentRequired):
        do_transition(beslutat, "avsluta_utan_nytt_beslut", cast.stabschef, " ")
    with pytest.raises(TransitionNotAllowed):
        do_transition(beslutat, "avsluta_utan_nytt_beslut", cast.handlaggare, "Klart")
    beslutat.refresh_from_db()
    assert beslutat.state == "registrerat" and beslutat.avslutat is None
    client = _inloggad(cast.stabschef)
    sida = client.get(reverse("arenden:arende", args=[beslutat.pk])).content.decode()
    assert "Avsluta utan nytt beslut" in sida
    svar = client.post(
        reverse("arenden:overgang", args=[beslutat.pk]),
        factories.fran_arendesidan(
            beslutat,
            {
                "overgang": "avsluta_utan_nytt_beslut",
                "status": "registrerat",
                "steg": str(history(beslutat).order_by("-seq").first().seq),
                "kommentar": "Yttrandet till förvaltningsrätten är lämnat; beslutet står.",
            },
        ),
    )
    assert svar.status_code == 302
    beslutat.refresh_from_db()
    assert beslutat.state == "avslutat" and beslutat.avslutat == timezone.localdate()
    senaste = history(beslutat).order_by("-seq").first()
    assert (senaste.transition, senaste.actor) == ("avsluta_utan_nytt_beslut", cast.stabschef)
    assert beslutat.beslut.count() == 1

    aldrig = cast.registrera("Förfrågan som drogs tillbaka")
    do_transition(aldrig, "avskriva", cast.stabschef, "Återkallad")
    do_transition(aldrig, "ateroppna", cast.stabschef, "Ny skrivelse i saken")
    with pytest.raises(RequirementMissing, match="inget beslut att avslutas med"):
        do_transition(aldrig, "avsluta_utan_nytt_beslut", cast.stabschef, "Klart")
    do_transition(aldrig, "avskriva", cast.stabschef, "Skrivelsen besvarad")
    aldrig.refresh_from_db()
    assert aldrig.state == "avskrivet"


# -- registration without delay (OSL 5 kap. 1 §) ------------------------------------------


def test_a_handling_registered_long_after_it_came_in_is_flagged(cast):
    arende = cast.registrera("Inköp av ambulanser")
    idag = timezone.localdate()
    sen = _handling(cast, arende, "Anbud från leverantören", datum=idag - datetime.timedelta(32))
    _handling(cast, arende, "Fråga från allmänheten", datum=idag - datetime.timedelta(1))
    _handling(
        cast, arende, "Helgpost", datum=idag - datetime.timedelta(3)
    )  # a Friday's letter on Monday
    for user in (cast.registrator, cast.stabschef, cast.revisor):
        client = _inloggad(user)
        page = client.get(reverse("arenden:sent_registrerade")).content.decode()
        assert "Anbud från leverantören" in page and "32" in page, user
        assert "Fråga från allmänheten" not in page and "Helgpost" not in page
        start = client.get(reverse("arenden:start")).content.decode()
        assert "Sent registrerade handlingar" in start
    assert sen.dagar_till_registrering == 32
    assert _inloggad(cast.handlaggare).get(reverse("arenden:sent_registrerade")).status_code == 403


# -- every read of secret content, for the revisor ----------------------------------------


def test_every_read_of_secret_content_is_logged_for_the_revisor(cast):
    hemligt = cast.registrera(
        f"Klagomål om {HEMLIGT_ORD}",
        sekretess_lagrum="OSL 25 kap. 1 §",
        offentlig_rubrik="Klagomål på vården",
    )
    handlaggning_services.tilldela(hemligt, handlaggare=cast.handlaggare, user=cast.stabschef)
    handling = _handling(
        cast,
        hemligt,
        "Journalkopia",
        fil=ContentFile(b"journal", name="journal.txt"),
        sekretess_lagrum="OSL 25 kap. 1 §",
        offentlig_titel="Journalkopia",
    )
    handlaggaren = _inloggad(cast.handlaggare)
    assert (
        HEMLIGT_ORD
        in handlaggaren.get(reverse("arenden:arende", args=[hemligt.pk])).content.decode()
    )
    assert handlaggaren.get(reverse("arenden:handling_fil", args=[handling.pk])).status_code == 200
    # who sees only the masked page reads nothing secret, and nothing is logged for them
    registratorn = _inloggad(cast.registrator)
    assert (
        HEMLIGT_ORD
        not in registratorn.get(reverse("arenden:arende", args=[hemligt.pk])).content.decode()
    )
    assert registratorn.get(reverse("arenden:handling_fil", args=[handling.pk])).status_code == 403
    rader = list(Sekretessatkomst.objects.order_by("pk").values_list("anvandare__username", "vad"))
    assert rader == [("handlaggare-HSN", "arende"), ("handlaggare-HSN", "fil")]
    page = _inloggad(cast.revisor).get(reverse("arenden:sekretessatkomst")).content.decode()
    assert "handlaggare-HSN" in page or "Handläggare HSN" in page
    assert "handlingens fil" in page and str(hemligt.diarienummer) in page
    assert registratorn.get(reverse("arenden:sekretessatkomst")).status_code == 403
    # the revisor's right, asked as the granskningslogg asks it: a Revisor role on one ärende
    # opens neither list, and who holds the right reads both
    from workflow import roles as workflow_roles

    lokal = factories.user("revisor-pa-ett-arende")
    workflow_roles.grant(hemligt, "Revisor", user=lokal)
    for adress in ("arenden:sekretessatkomst", "arenden:auditlogg"):
        assert _inloggad(lokal).get(reverse(adress)).status_code == 403
        assert _inloggad(cast.revisor).get(reverse(adress)).status_code == 200


def test_a_handling_in_a_secret_arende_is_covered_by_the_arendes_marking(cast):
    hemligt = cast.registrera(
        "Klagomål", sekretess_lagrum="OSL 25 kap. 1 §", offentlig_rubrik="Klagomål på vården"
    )
    handling = _handling(
        cast, hemligt, f"Brev från {HEMLIGT_ORD}", fil=ContentFile(b"brev", name="brev.txt")
    )
    assert handling.hemlig and not handling.ar_sekretessmarkerad
    client = _inloggad(cast.registrator)
    page = client.get(reverse("arenden:arende", args=[hemligt.pk])).content.decode()
    assert HEMLIGT_ORD not in page
    assert client.get(reverse("arenden:handling_fil", args=[handling.pk])).status_code == 403
    assert Handling.objects.get(pk=handling.pk).maskerad_titel == "Sekretess (OSL 25 kap. 1 §)"


# -- a marking made and lifted, with the history to show it (OSL 5 kap. 5 §) -------------


def test_the_handlaggare_lifts_a_marking_with_a_motivering_and_the_history_shows_it(cast):
    arende = cast.registrera("Riktlinjer för vårdhygien")
    handlaggning_services.tilldela(arende, handlaggare=cast.handlaggare, user=cast.stabschef)
    handling = _handling(
        cast,
        arende,
        f"Avvikelse om {HEMLIGT_ORD}",
        sekretess_lagrum="OSL 25 kap. 1 §",
        offentlig_titel="Avvikelserapport",
    )
    url = reverse("arenden:sekretess", args=[arende.pk])
    assert _inloggad(cast.stabschef).post(url, {"handling": handling.pk}).status_code == 403
    client = _inloggad(cast.handlaggare)
    svar = client.post(
        url,
        factories.fran_arendesidan(
            arende, {"handling": handling.pk, "lagrum": "", "motivering": ""}
        ),
    )
    assert 'id="id_motivering-fel"' in svar.content.decode()  # the motivering is required
    svar = client.post(
        url,
        factories.fran_arendesidan(
            arende, {"handling": handling.pk, "lagrum": "", "motivering": "Patienten har samtyckt."}
        ),
    )
    assert svar.status_code == 302
    handling.refresh_from_db()
    assert not handling.ar_sekretessmarkerad and handling.sekretess_datum is None
    steg = history(arende).order_by("-seq").first()
    assert steg.transition == "andra_sekretess" and steg.actor == cast.handlaggare
    assert "Handling 1: sekretessmarkeringen (OSL 25 kap. 1 §) hävd" in steg.comment
    assert "Patienten har samtyckt." in steg.comment
    forra = handling.history.order_by("-history_id")[1]
    assert forra.sekretess_lagrum == "OSL 25 kap. 1 §"  # the field history keeps what it was
    # now everyone who sees the ärende reads the title
    sida = _inloggad(cast.stabschef).get(reverse("arenden:arende", args=[arende.pk]))
    assert HEMLIGT_ORD in sida.content.decode()
    # lifting what is not marked is refused, and changes nothing
    fore = history(arende).count()
    svar = client.post(
        url,
        factories.fran_arendesidan(
            arende, {"handling": handling.pk, "lagrum": "", "motivering": "Igen"}
        ),
    )
    assert "inte sekretessmarkerat" in svar.content.decode()
    assert history(arende).count() == fore


def test_an_arende_marked_later_needs_its_public_rubrik(cast):
    arende = cast.registrera(f"Skrivelse om {HEMLIGT_ORD}")
    handlaggning_services.tilldela(arende, handlaggare=cast.handlaggare, user=cast.stabschef)
    with pytest.raises(ValidationError, match="offentlig rubrik"):
        diarium_services.andra_sekretess(
            arende, user=cast.handlaggare, lagrum="OSL 26 kap. 1 §", motivering="Socialtjänst"
        )
    arende.refresh_from_db()
    assert not arende.ar_sekretessmarkerat
    diarium_services.andra_sekretess(
        arende,
        user=cast.handlaggare,
        lagrum="OSL 26 kap. 1 §",
        motivering="Uppgifter om enskilds personliga förhållanden",
        offentlig_rubrik="Skrivelse i socialtjänstärende",
    )
    arende.refresh_from_db()
    assert arende.sekretess_lagrum == "OSL 26 kap. 1 §"
    assert arende.sekretess_markerad_av == cast.handlaggare.username
    assert arende.publik_rubrik == "Skrivelse i socialtjänstärende – Sekretess (OSL 26 kap. 1 §)"
    with pytest.raises(PermissionDenied):
        diarium_services.andra_sekretess(arende, user=cast.registrator, lagrum="", motivering="x")


def test_the_postlista_pages_through_handlingar_and_arenden_in_order_without_gaps(client, cast):
    """Each page of the postlista is read from the top of each kind (handlingar, ärenden) and
    cut there: paging through it gives every row once, newest day first, whatever page."""
    from arenden.gemensamt.sidor import PER_SIDA

    for nr in range(PER_SIDA + 5):
        dag = datetime.date(2025, 9, 1) + datetime.timedelta(days=nr)
        arende = cast.registrera(f"Remiss {nr}", registrerat=dag)
        _handling(cast, arende, f"Svar {nr}", datum=dag + datetime.timedelta(days=1))
    url = reverse("arenden:postlista")
    rader = []
    for sida in (1, 2, 3):
        rader += [
            (rad.datum, rad.handling.pk if rad.handling else None, rad.arende.pk)
            for rad in client.get(url, {"sida": sida}).context["sida"].object_list
        ]
    assert len(rader) == 2 * (PER_SIDA + 5) == len(set(rader))
    assert [dag for dag, _h, _a in rader] == sorted((dag for dag, _h, _a in rader), reverse=True)


def test_the_postlista_shows_a_secret_handling_of_an_open_arende_by_its_public_title_only(
    client, cast
):
    """OSL 5 kap. 5 §: one handling may be secret in an open ärende; the postlista names it by
    its offentlig titel and a word of its secret title finds nothing, while the open handlingar
    beside it are listed and found by theirs. Upprättade handlingar are listed once final,
    interna never, and nothing of a makulerat ärende, which holds no allmän handling (TF 2
    kap. 9–10 §§, 12 §)."""
    oppet = cast.registrera("Färdtjänst för äldre")
    _handling(cast, oppet, "Skrivelse om färdtjänsten")
    _handling(
        cast,
        oppet,
        f"Läkarintyg om {HEMLIGT_ORD}",
        sekretess_lagrum="OSL 25 kap. 1 §",
        offentlig_titel="Läkarintyg",
    )
    yttrande = _handling(cast, oppet, "Yttrande till kommunen", riktning="upprattad")
    minnes = _handling(cast, oppet, "Minnesanteckning från telefonsamtal", riktning="intern")
    Handling.objects.filter(pk__in=[yttrande.pk, minnes.pk]).update(
        status=Handling.Status.UPPRATTAD
    )
    fel = cast.registrera("Registrerat av misstag")
    do_transition(fel, "makulera", cast.registrator, "Dubblett")
    # a skrivelse that came in is allmän: its ärende is avskrivet, never makulerat
    inkommet = cast.registrera("Registrerat i fel ärende")
    _handling(cast, inkommet, "Felregistrerad skrivelse")
    with pytest.raises(RequirementMissing, match="allmänna handlingar"):
        do_transition(inkommet, "makulera", cast.registrator, "Dubblett")

    url = reverse("arenden:postlista")
    sida = client.get(url).content.decode()
    assert "Skrivelse om färdtjänsten" in sida and "Yttrande till kommunen" in sida
    assert "Läkarintyg – Sekretess (OSL 25 kap. 1 §)" in sida and HEMLIGT_ORD not in sida
    assert "Minnesanteckning" not in sida and "Registrerat av misstag" not in sida
    assert "Felregistrerad skrivelse" in sida

    assert (
        "Inga registreringar som passar sökningen"
        in client.get(url, {"q": HEMLIGT_ORD}).content.decode()
    )
    funnet = client.get(url, {"q": "Läkarintyg"}).content.decode()
    assert "Läkarintyg – Sekretess" in funnet and "Skrivelse om färdtjänsten" not in funnet
    funnet = client.get(url, {"q": "färdtjänsten"}).content.decode()
    assert "Skrivelse om färdtjänsten" in funnet and "Läkarintyg" not in funnet


@pytest.mark.parametrize("lagrum", ["sekretess", "LOU", "OSL §"])
def test_a_marking_without_a_paragraph_is_refused_at_every_door(cast, lagrum):
    """A sekretess marking names the paragraph it rests on (OSL 5 kap. 5 §): any word was
    kept as the lagrum, on the registration page, the API, a handling and a prövning alike,
    and shown to the public as the ground of the secrecy."""
    from rest_framework.test import APIClient

    meddelande = "Ange lagrummet som sekretessen grundas på, med paragraf"
    fore = Arende.objects.count()
    svar = _inloggad(cast.registrator).post(
        reverse("arenden:registrera"),
        {
            "organ": cast.organ.pk,
            "arendemening": "Klagomål på vården",
            "typ": "skrivelse",
            "sekretess_lagrum": lagrum,
            "offentlig_rubrik": "Klagomål",
        },
    )
    assert svar.status_code == 200 and meddelande in svar.content.decode()
    api = APIClient()
    api.force_authenticate(cast.registrator)
    svar = api.post(
        "/api/arenden/",
        {
            "organ": "HSN",
            "arendemening": "Klagomål",
            "typ": "skrivelse",
            "sekretess_lagrum": lagrum,
            "offentlig_rubrik": "Klagomål",
        },
        format="json",
        HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex,
    )
    assert svar.status_code in (400, 422) and meddelande in svar.content.decode()
    assert Arende.objects.count() == fore

    arende = cast.registrera("Riktlinjer för vårdhygien")
    handlaggning_services.tilldela(arende, handlaggare=cast.handlaggare, user=cast.stabschef)
    with pytest.raises(ValidationError, match=meddelande):
        _handling(cast, arende, "Avvikelse", sekretess_lagrum=lagrum, offentlig_titel="Rapport")
    assert not arende.handlingar.exists()
    steg = history(arende).count()
    svar = _inloggad(cast.handlaggare).post(
        reverse("arenden:sekretess", args=[arende.pk]),
        factories.fran_arendesidan(
            arende,
            {"lagrum": lagrum, "offentlig_rubrik": "Riktlinjer", "motivering": "Hälsa."},
        ),
    )
    assert svar.status_code == 200 and meddelande in svar.content.decode()
    arende.refresh_from_db()
    assert arende.sekretess_lagrum == "" and history(arende).count() == steg
    # a lagrum with its paragraph is taken
    diarium_services.andra_sekretess(
        arende,
        user=cast.handlaggare,
        lagrum="OSL 25 kap. 1 §",
        motivering="Hälsa.",
        offentlig_rubrik="Riktlinjer",
    )
    arende.refresh_from_db()
    assert arende.sekretess_lagrum == "OSL 25 kap. 1 §"
