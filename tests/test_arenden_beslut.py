"""Tjänsteskrivelse, beslut, expediering per mottagare and bevakning of återrapportering:
each only by who the state allows, and a refusal changes nothing."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from arenden.diarium.services import lagg_till_handling, registrera_arende
from arenden.handlaggning.services import (
    aterrapportera,
    bevakningar,
    expediera_till,
    satt_sandlista,
    spara_tjansteskrivelse,
    tilldela,
)
from arenden.models import Arende, Beslut, Enhet, Tjansteskrivelse
from arenden.sammantraden import protokoll
from tests import factories
from workflow.engine import TransitionNotAllowed, do_transition

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast():
    return factories.Cast()


@pytest.fixture
def forfattare(cast):
    return factories.person("Yvonne E Nygren", anvandare=cast.stabschef, titel="stabschef")


@pytest.fixture
def under_beredning(cast):
    arende = cast.registrera("Handslag med Cancerfonden")
    tilldela(arende, handlaggare=cast.handlaggare, user=cast.stabschef)
    do_transition(arende, "paborja_beredning", cast.handlaggare)
    return arende


def anmalt(arende, cast, mottagare):
    satt_sandlista(arende, mottagare, user=cast.handlaggare)
    factories.forslag_till_beslut(arende, cast.handlaggare, sandlista=())
    do_transition(arende, "markera_beredd", cast.handlaggare)
    factories.anmal(arende, cast.sekreterare)
    return arende


def test_handlaggare_writes_the_tjansteskrivelse_while_preparing(cast, under_beredning, forfattare):
    skrivelse = spara_tjansteskrivelse(
        under_beredning,
        user=cast.handlaggare,
        forfattare=forfattare,
        sammanfattning="Palliativ vård är en central del av vår välfärd.",
    )
    spara_tjansteskrivelse(under_beredning, user=cast.handlaggare, jamstalldhet="Gagnar båda.")
    skrivelse.refresh_from_db()
    assert skrivelse.sammanfattning.startswith("Palliativ vård")
    assert skrivelse.jamstalldhet == "Gagnar båda."
    assert [h.history_user for h in skrivelse.history.all()] == [cast.handlaggare] * 2


def test_nobody_else_edits_the_tjansteskrivelse_and_nobody_after_beredning(
    cast, under_beredning, forfattare
):
    spara_tjansteskrivelse(
        under_beredning,
        user=cast.handlaggare,
        forfattare=forfattare,
        sammanfattning="Original",
        forslag_till_beslut="Att bifalla.",
    )
    outsider = factories.user("annan-handlaggare")
    for user in (cast.revisor, cast.sekreterare, cast.registrator, outsider):
        with pytest.raises(PermissionDenied, match="ändra tjänsteskrivelsen"):
            spara_tjansteskrivelse(under_beredning, user=user, sammanfattning="Ändrad")
    do_transition(under_beredning, "markera_beredd", cast.handlaggare)
    with pytest.raises(PermissionDenied, match="i dess nuvarande status"):
        spara_tjansteskrivelse(under_beredning, user=cast.handlaggare, sammanfattning="Sent")
    assert Tjansteskrivelse.objects.get().sammanfattning == "Original"


def test_handlaggare_cannot_touch_an_arende_not_assigned_to_them(cast, under_beredning):
    other = cast.registrera("Någon annans ärende")
    kollega = factories.user("kollega")
    factories.person("Kollega", anvandare=kollega)
    tilldela(other, handlaggare=kollega, user=cast.stabschef)
    with pytest.raises(TransitionNotAllowed, match="Du får inte utföra Påbörja beredning"):
        do_transition(other, "paborja_beredning", cast.handlaggare)
    with pytest.raises(PermissionDenied):
        lagg_till_handling(
            other, user=cast.handlaggare, typ="bilaga", riktning="upprattad", titel="Nej"
        )
    assert not cast.handlaggare.has_perm("arenden.change_arende", other)
    other.refresh_from_db()
    assert other.state == "tilldelat" and not other.handlingar.exists()


def test_beslut_is_refused_to_who_may_not_record_it_and_nothing_is_kept(cast, under_beredning):
    anmalt(under_beredning, cast, ["Pia Näsvall, HSD"])
    punkt = under_beredning.punkter.get()
    protokoll.kalla(punkt.sammantrade, user=cast.sekreterare)
    for user in (cast.handlaggare, cast.revisor, cast.stabschef):
        with pytest.raises(PermissionDenied, match="Du får inte ändra"):
            protokoll.besluta(punkt, user=user, utfall="bifall", beslut="Bifall")
    assert not Beslut.objects.exists()
    under_beredning.refresh_from_db()
    assert under_beredning.state == "anmalt" and under_beredning.beslutat is None


def test_expedierat_only_when_every_recipient_has_been_sent_to(cast, under_beredning):
    hsd = Enhet.objects.create(namn="Hälso- och sjukvårdsdirektörens stab", kortnamn="HSD")
    pia = factories.person("Pia Näsvall", enhet=hsd)
    arende = anmalt(under_beredning, cast, [pia, "Cancerfonden, 101 55 Stockholm"])
    factories.besluta(arende, cast.sekreterare, "Ja")
    assert arende.state == "beslutat" and arende.beslutat == datetime.date(2025, 11, 12)
    forsta, andra = arende.mottagare.all()
    assert str(forsta) == "Pia Näsvall, HSD"

    expediera_till(forsta, user=cast.sekreterare, metod="e-post")
    arende.refresh_from_db()
    assert arende.state == "beslutat"
    with pytest.raises(TransitionNotAllowed, match="inte skickat till alla på sändlistan"):
        do_transition(arende, "expediera", cast.sekreterare)
    with pytest.raises(ValidationError, match="redan expedierat till Pia Näsvall"):
        expediera_till(forsta, user=cast.sekreterare, metod="post")

    for user in (cast.handlaggare, cast.revisor):
        with pytest.raises(PermissionDenied, match="expediera beslutet"):
            expediera_till(andra, user=user, metod="post")
    expediera_till(andra, user=cast.registrator, metod="post")
    arende.refresh_from_db()
    assert arende.state == "expedierat"  # no uppdrag: nothing to watch
    assert arende.expedierat is not None
    assert [(m.metod, m.expedierad_av) for m in arende.mottagare.all()] == [
        ("e-post", cast.sekreterare),
        ("post", cast.registrator),
    ]


def test_uppdrag_is_watched_until_reported_and_shows_due_and_overdue(cast, under_beredning):
    arende = anmalt(under_beredning, cast, ["Pia Näsvall, HSD"])
    factories.besluta(
        arende,
        cast.sekreterare,
        "Bifall",
        uppdrag=[
            ("Återrapportera punkt 1–2", datetime.date(2026, 6, 17), None),
            ("Återrapportera punkt 3–4", datetime.date(2026, 9, 1), None),
        ],
    )
    expediera_till(arende.mottagare.get(), user=cast.sekreterare, metod="e-post")
    arende.refresh_from_db()
    assert arende.state == "bevakas"

    due = bevakningar(cast.handlaggare, idag=datetime.date(2026, 6, 20), horisont=30)
    assert [(u.beskrivning, u.forsenat) for u in due] == [("Återrapportera punkt 1–2", True)]
    later = bevakningar(cast.stabschef, idag=datetime.date(2026, 8, 20))
    assert [(u.forfaller, u.forsenat) for u in later] == [
        (datetime.date(2026, 6, 17), True),
        (datetime.date(2026, 9, 1), False),
    ]
    assert not bevakningar(factories.user("obehorig"), idag=datetime.date(2026, 8, 20)).exists()

    first, second = arende.uppdrag.all()
    rapport = lagg_till_handling(
        arende, user=cast.handlaggare, typ="aterrapport", riktning="upprattad", titel="Rapport"
    )
    skrivelse = lagg_till_handling(
        arende, user=cast.handlaggare, typ="skrivelse", riktning="upprattad", titel="Brev"
    )
    with pytest.raises(ValidationError, match="typen återrapport"):
        aterrapportera(
            first, handling=skrivelse, redovisat=datetime.date(2026, 6, 17), user=cast.handlaggare
        )
    with pytest.raises(PermissionDenied, match="redovisa uppdrag"):
        aterrapportera(
            first, handling=rapport, redovisat=datetime.date(2026, 6, 17), user=cast.revisor
        )
    aterrapportera(
        first, handling=rapport, redovisat=datetime.date(2026, 6, 17), user=cast.handlaggare
    )
    arende.refresh_from_db()
    assert arende.state == "bevakas"  # one uppdrag is still open
    with pytest.raises(TransitionNotAllowed, match="alla uppdrag är inte återrapporterade"):
        do_transition(arende, "avsluta_aterrapporterat", cast.handlaggare)
    aterrapportera(
        second, handling=rapport, redovisat=datetime.date(2026, 9, 1), user=cast.handlaggare
    )
    arende.refresh_from_db()
    assert arende.state == "avslutat"


def test_registering_with_an_existing_diarienummer_moves_the_series_on(cast):
    kept = registrera_arende(
        organ=cast.organ,
        arendemening="Handslag",
        typ="initiativarende",
        user=cast.registrator,
        registrerat=datetime.date(2025, 10, 16),
        diarienummer="HSN 787-2025",
    )
    assert str(kept.diarienummer) == "HSN 787-2025"
    nytt = cast.registrera("Nästa", registrerat=datetime.date(2025, 10, 17))
    assert str(nytt.diarienummer) == "HSN 788-2025"


@pytest.mark.parametrize(
    "diarienummer, user, error, message",
    [
        ("HSN 787-2025", "registrator", ValidationError, "finns redan"),
        ("RS 909-2023", "registrator", ValidationError, "hör inte till"),
        ("HSN 12-20x5", "registrator", ValidationError, "inget giltigt diarienummer"),
        ("HSN 800-2025", "stabschef", PermissionDenied, "Bara registratorn"),
    ],
)
def test_a_given_diarienummer_is_checked(cast, diarienummer, user, error, message):
    registrera_arende(
        organ=cast.organ,
        arendemening="Finns",
        typ="initiativarende",
        user=cast.registrator,
        diarienummer="HSN 787-2025",
    )
    with pytest.raises(error, match=message):
        registrera_arende(
            organ=cast.organ,
            arendemening="Ny",
            typ="initiativarende",
            user=getattr(cast, user),
            diarienummer=diarienummer,
        )
    assert cast.organ.arenden.count() == 1


def test_a_change_is_judged_by_the_state_the_arende_is_in_not_the_one_read(
    cast, under_beredning, forfattare
):
    """The handläggare's page was read under beredning; the ärende was marked beredd a moment
    before the save. The save is refused against the locked row, not let through on the state
    the caller read (nor an upload, nor a new sändlista)."""
    spara_tjansteskrivelse(
        under_beredning,
        user=cast.handlaggare,
        forfattare=forfattare,
        forslag_till_beslut="Att bifalla.",
    )
    last = Arende.objects.get(pk=under_beredning.pk)  # as the page read it
    do_transition(Arende.objects.get(pk=under_beredning.pk), "markera_beredd", cast.handlaggare)
    assert last.state == "under_beredning"
    with pytest.raises(PermissionDenied, match="i dess nuvarande status"):
        spara_tjansteskrivelse(last, user=cast.handlaggare, sammanfattning="Sent")
    with pytest.raises(PermissionDenied, match="i dess nuvarande status"):
        lagg_till_handling(
            last, user=cast.handlaggare, typ="bilaga", riktning="upprattad", titel="Sen bilaga"
        )
    with pytest.raises(PermissionDenied, match="i dess nuvarande status"):
        satt_sandlista(last, ["Kommunförbundet"], user=cast.handlaggare)
    assert Tjansteskrivelse.objects.get().sammanfattning == ""
    assert not last.handlingar.filter(titel="Sen bilaga").exists()


def test_the_bevakning_page_shows_every_open_uppdrag_and_narrows_on_request(
    client, cast, under_beredning
):
    """'Alla bevakningar' showed only 90 days while the worklist held the ärende: an uppdrag due
    in a year was nowhere on the page. It now shows every open uppdrag; ?inom=30 narrows."""
    arende = anmalt(under_beredning, cast, ["Pia Näsvall, HSD"])
    idag = timezone.localdate()
    factories.besluta(
        arende,
        cast.sekreterare,
        "Bifall",
        uppdrag=[
            ("Återrapportera snart", idag + datetime.timedelta(days=10), None),
            ("Återrapportera om ett år", idag + datetime.timedelta(days=400), None),
        ],
    )
    expediera_till(arende.mottagare.get(), user=cast.sekreterare, metod="e-post")
    client.force_login(cast.stabschef)
    alla = client.get("/bevakning/").content.decode()
    assert "Återrapportera snart" in alla and "Återrapportera om ett år" in alla
    inom = client.get("/bevakning/?inom=30").content.decode()
    assert "Återrapportera snart" in inom and "Återrapportera om ett år" not in inom
    assert "inom 30 dagar" in inom
    # an unknown horizon is no error: everything is shown
    assert "Återrapportera om ett år" in client.get("/bevakning/?inom=x").content.decode()


def test_the_redovisa_page_says_the_aterrapport_must_first_be_a_handling(
    client, cast, under_beredning
):
    """An empty list of återrapporter said nothing; the page now names the uppdrag and its
    day, and leads to where the återrapport is filed first."""
    arende = anmalt(under_beredning, cast, ["Pia Näsvall, HSD"])
    factories.besluta(
        arende,
        cast.sekreterare,
        "Bifall",
        uppdrag=[("Återrapportera punkt 1–2", datetime.date(2026, 6, 17), None)],
    )
    expediera_till(arende.mottagare.get(), user=cast.sekreterare, metod="e-post")
    uppdrag = arende.uppdrag.get()
    url = reverse("arenden:redovisa", args=[uppdrag.pk])
    client.force_login(cast.handlaggare)
    page = client.get(url).content.decode()
    assert "Återrapportera punkt 1–2" in page and "2026-06-17" in page
    assert "ingen handling av typen återrapport" in page
    assert reverse("arenden:ny_handling", args=[arende.pk]) in page
    lagg_till_handling(
        arende, user=cast.handlaggare, typ="aterrapport", riktning="upprattad", titel="Rapport"
    )
    page = client.get(url).content.decode()
    assert "ingen handling av typen återrapport" not in page and "Rapport" in page
