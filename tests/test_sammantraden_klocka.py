"""The meeting's clock: nothing is recorded as having happened before it happens.

A protokoll, a beslut, a justering, an anslag, an expediering and a redovisning are records of
what took place. The system refuses to record any of them before the meeting (or the act)
has taken place, and refuses days still to come; an anslag later than KL 8 kap. 12 § allows is
put up only when the sekreterare says why, and the reason is kept in the history.

The clock is set by the test (``klocka``): every service reads the time through Django's
``timezone``, so the tests stand on a fixed day whatever day they run.
"""

import datetime
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from arenden.diarium import services as diarium_services
from arenden.handlaggning import services as handlaggning_services
from arenden.models import Handling, Mottagare, Punkt
from arenden.sammantraden import protokoll
from tests import factories
from tests.test_sammantraden_regler import Mote, cast_for, vagras
from workflow.engine import RequirementMissing, do_transition, history

pytestmark = pytest.mark.django_db

STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")
MOTESDAG = datetime.date(2025, 11, 12)


def kl(dag: datetime.date, timme: int, minut: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(dag, datetime.time(timme, minut), tzinfo=STOCKHOLM)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def klocka(monkeypatch):
    """Set the time every service reads: ``klocka(datetime)``."""

    def stall(tid: datetime.datetime):
        monkeypatch.setattr(timezone, "now", lambda: tid)

    return stall


@pytest.fixture
def mote(klocka):
    """HSN's meeting of Wednesday 12 November 2025 at 13.00, called the day before."""
    klocka(kl(MOTESDAG - datetime.timedelta(days=1), 15))
    mote = Mote(cast_for("HSN"), MOTESDAG)
    mote.sammantrade.start = datetime.time(13)
    mote.sammantrade.slut = datetime.time(16)
    mote.sammantrade.save()
    mote.kalla()
    return mote


def test_nothing_the_meeting_decides_is_recorded_before_it_begins(mote, klocka):
    """The day before, and at 12.59 on the day, the meeting has not been held: no beslut,
    yrkande or votering is recorded, and the protokoll is not drawn up."""
    for nu in (kl(MOTESDAG - datetime.timedelta(days=1), 15), kl(MOTESDAG, 12, 59)):
        klocka(nu)
        text = "Sammanträdet hålls 2025-11-12 kl. 13.00–16.00; det som beslutas förs in när det"
        vagras(mote.besluta, ValidationError, text)
        vagras(
            lambda: protokoll.lagg_till_yrkande(
                mote.arendepunkt, mote.ledamot, user=mote.sek, text="Bifall."
            ),
            ValidationError,
            text,
        )
        vagras(
            lambda: protokoll.registrera_votering(
                mote.arendepunkt, user=mote.sek, proposition="Bifall", ja=3, nej=0, resultat="Ja"
            ),
            ValidationError,
            text,
        )
        vagras(
            mote.uppratta,
            RequirementMissing,
            "Upprätta protokollet går inte ännu: sammanträdet har inte börjat än.",
        )
    assert mote.arende.state == "anmalt"
    klocka(kl(MOTESDAG, 13))
    mote.besluta()
    mote.besluta(mote.info)
    mote.uppratta()
    s = mote.las_om()
    assert s.state == "genomfort"
    mote.arende.refresh_from_db()
    assert (mote.arende.state, mote.arende.beslutat) == ("beslutat", MOTESDAG)


def test_a_meeting_with_no_time_begins_at_the_start_of_its_day(klocka):
    klocka(kl(MOTESDAG - datetime.timedelta(days=1), 23, 59))
    mote = Mote(cast_for("HSN"), MOTESDAG)
    mote.kalla()
    vagras(
        mote.besluta,
        ValidationError,
        "Sammanträdet hålls 2025-11-12; det som beslutas förs in när det hålls.",
    )
    klocka(kl(MOTESDAG, 0))
    assert mote.besluta().utfall == Punkt.Utfall.BIFALL


def test_a_justering_is_neither_before_the_meeting_nor_still_to_come(mote, klocka):
    klocka(kl(MOTESDAG, 17))
    mote.besluta()
    mote.besluta(mote.info)
    mote.uppratta()
    vagras(
        lambda: mote.justera(mote.ordforande_user, kl(MOTESDAG, 9)),
        ValidationError,
        "Protokollet kan inte ha justerats före sammanträdet.",
    )
    vagras(
        lambda: mote.justera(mote.ordforande_user, kl(MOTESDAG, 18)),
        ValidationError,
        "Tidpunkten för justeringen kan inte ligga i framtiden (2025-11-12 18.00).",
    )
    mote.justera(mote.ordforande_user, kl(MOTESDAG, 16, 30))
    assert mote.las_om().justeringar.get().tidpunkt == kl(MOTESDAG, 16, 30)


def _justerat(mote, klocka, dag: datetime.date) -> None:
    """Decided and drawn up on the day; signed by both on ``dag`` at 10.00."""
    klocka(kl(MOTESDAG, 17))
    mote.besluta()
    mote.besluta(mote.info)
    mote.uppratta()
    klocka(kl(dag, 10))
    mote.justera(mote.ordforande_user)
    mote.justera(mote.justerare_user)


def test_a_late_anslag_needs_the_reason_which_the_history_keeps(mote, klocka):
    """KL 8 kap. 12 §: anslag no later than the second day after the justering (Wednesday 19
    November: Friday 21). On Monday 24 the protokoll still goes up, since the time for
    överklagande runs only from the anslag, but the sekreterare says why."""
    _justerat(mote, klocka, datetime.date(2025, 11, 19))
    klocka(kl(datetime.date(2025, 11, 24), 9))
    s = mote.las_om()
    assert (s.anslag_senast, s.sent_anslag) == (datetime.date(2025, 11, 21), True)
    vagras(
        lambda: protokoll.ansla(s, user=mote.sek),
        ValidationError,
        "Sista dag för anslaget var 2025-11-21 (KL 8 kap. 12 §). Ska protokollet ändå anslås "
        "2025-11-24, skriv varför; skälet antecknas i historiken.",
    )
    vagras(
        lambda: protokoll.ansla(s, user=mote.sek, skal="   "),
        ValidationError,
        "Sista dag för anslaget var 2025-11-21",
    )
    protokoll.ansla(s, user=mote.sek, skal="Anslagstavlan var ur drift 20–21 november.")
    s = mote.las_om()
    assert (s.state, s.anslaget) == ("anslaget", datetime.date(2025, 11, 24))
    senaste = history(s).last()
    assert (senaste.transition, senaste.comment) == (
        "ansla",
        "Anslagstavlan var ur drift 20–21 november.",
    )
    # the time for överklagande runs from the day it went up (KL 13 kap. 5 §)
    assert s.overklagande_senast == datetime.date(2025, 12, 15)


def test_an_anslag_in_time_needs_no_reason(mote, klocka):
    _justerat(mote, klocka, datetime.date(2025, 11, 19))
    klocka(kl(datetime.date(2025, 11, 21), 16))
    protokoll.ansla(mote.las_om(), user=mote.sek)
    s = mote.las_om()
    assert (s.anslaget, s.sent_anslag, history(s).last().comment) == (
        datetime.date(2025, 11, 21),
        False,
        "",
    )


def test_the_page_warns_of_a_late_anslag_and_takes_the_reason(mote, klocka, client):
    _justerat(mote, klocka, datetime.date(2025, 11, 19))
    klocka(kl(datetime.date(2025, 11, 24), 9))
    s = mote.las_om()
    client.force_login(mote.sek)
    sida = client.get(reverse("arenden:sammantrade", args=[s.pk])).content.decode()
    assert "Sista dag för anslaget var 2025-11-21 (kommunallagen 8 kap. 12 §)" in sida
    assert 'name="anslag-skal"' in sida
    falt = factories.fran_motessidan(s, {"overgang": "ansla"})
    svar = client.post(reverse("arenden:mote_overgang", args=[s.pk]), falt, follow=True)
    assert "skriv varför; skälet antecknas i historiken" in svar.content.decode()
    assert mote.las_om().state == "justerat"
    falt["anslag-skal"] = "Anslagstavlan var ur drift."
    client.post(reverse("arenden:mote_overgang", args=[s.pk]), falt)
    s = mote.las_om()
    assert (s.state, history(s).last().comment) == ("anslaget", "Anslagstavlan var ur drift.")


# -- what the ärende records ----------------------------------------------------------------


@pytest.fixture
def hsn(klocka):
    klocka(kl(datetime.date(2025, 11, 12), 12))
    return factories.Cast("HSN")


def test_no_day_still_to_come_for_what_has_happened(hsn):
    """A handling that came in, an ärende registered, a beslut taken: each has its day, and
    that day is not after today."""
    imorgon = datetime.date(2025, 11, 13)
    vagras(
        lambda: hsn.registrera("Ett ärende", inkommet=imorgon),
        ValidationError,
        "Dagen ärendet kom in kan inte ligga i framtiden (2025-11-13).",
    )
    vagras(
        lambda: hsn.registrera("Ett ärende", registrerat=imorgon),
        ValidationError,
        "Registreringsdagen kan inte ligga i framtiden (2025-11-13).",
    )
    arende = hsn.registrera("Ett ärende", inkommet=datetime.date(2025, 11, 12))
    vagras(
        lambda: diarium_services.lagg_till_handling(
            arende,
            user=hsn.registrator,
            typ=Handling.Typ.SKRIVELSE,
            riktning=Handling.Riktning.INKOMMEN,
            titel="Skrivelse",
            datum=imorgon,
        ),
        ValidationError,
        "Handlingens datum kan inte ligga i framtiden (2025-11-13).",
    )
    handlaggning_services.tilldela(arende, handlaggare=hsn.handlaggare, user=hsn.stabschef)
    do_transition(arende, "paborja_beredning", hsn.handlaggare)
    factories.forslag_till_beslut(arende, hsn.handlaggare)
    do_transition(arende, "markera_beredd", hsn.handlaggare)
    punkt = factories.anmal(arende, hsn.sekreterare, datum=imorgon)
    protokoll.kalla(punkt.sammantrade, user=hsn.sekreterare)
    vagras(
        lambda: protokoll.besluta(
            punkt, user=hsn.sekreterare, utfall="bifall", beslut="Att bifalla."
        ),
        ValidationError,
        "det som beslutas förs in när det hålls.",
    )


def test_no_expediering_or_redovisning_before_it_happens(hsn):
    arende = hsn.berett("Ett ärende")
    beslutsdag = datetime.date(2025, 11, 5)
    factories.anmal(arende, hsn.sekreterare, datum=beslutsdag)
    beslut = factories.besluta(
        arende,
        hsn.sekreterare,
        "Att bifalla.",
        uppdrag=[("Återrapportera", datetime.date(2026, 3, 1), None)],
    )
    [mottagare] = Mottagare.objects.filter(arende=arende)
    vagras(
        lambda: handlaggning_services.expediera_till(
            mottagare,
            user=hsn.sekreterare,
            metod=Mottagare.Metod.E_POST,
            tidpunkt=kl(datetime.date(2025, 11, 12), 13),
        ),
        ValidationError,
        "Tidpunkten för expedieringen kan inte ligga i framtiden (2025-11-12 13.00).",
    )
    handlaggning_services.expediera_till(
        mottagare, user=hsn.sekreterare, metod=Mottagare.Metod.E_POST
    )
    arende.refresh_from_db()
    assert arende.state == "bevakas"
    rapport = diarium_services.lagg_till_handling(
        arende,
        user=hsn.handlaggare,
        typ=Handling.Typ.ATERRAPPORT,
        riktning=Handling.Riktning.UPPRATTAD,
        titel="Återrapport",
    )
    [uppdrag] = beslut.uppdrag.all()
    for dag, text in [
        (
            datetime.date(2025, 11, 13),
            "Dagen uppdraget redovisades kan inte ligga i framtiden (2025-11-13).",
        ),
        (
            datetime.date(2025, 11, 4),
            "Uppdraget kan inte ha redovisats 2025-11-04, före beslutet 2025-11-05.",
        ),
    ]:
        vagras(
            lambda dag=dag: handlaggning_services.aterrapportera(
                uppdrag, handling=rapport, redovisat=dag, user=hsn.stabschef
            ),
            ValidationError,
            text,
        )
    handlaggning_services.aterrapportera(
        uppdrag, handling=rapport, redovisat=datetime.date(2025, 11, 12), user=hsn.stabschef
    )
    arende.refresh_from_db()
    assert arende.state == "avslutat"
