"""A fullmäktige meeting as the law runs it, and the protokoll it gives.

Regionfullmäktige meets on 12 November 2025. Under § 1 a matter Regionstyrelsen proposed is
sent back to Regionstyrelsen on the request of a minority (KL 5 kap. 51 §). Under § 2 a member
is jävig (KL 5 kap. 47 §); a member moves avslag, the vote goes 2–1 for the proposal, she
reserves herself with a written motivering handed in after the meeting (KL 4 kap. 27 §), and
four parties leave a särskilt yttrande. The protokoll is justerat and anslaget (KL 5 kap.
69 §, 8 kap. 12 §). At the next meeting the minority cannot send the same matter back again;
fullmäktige bordlägger it instead.

Each line of the protokoll compared below is what the law asks it to say.
"""

import datetime
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from arenden.diarium import services as diarium_services
from arenden.dokument import services as dokument
from arenden.handlaggning import services as handlaggning_services
from arenden.models import Organ, Punkt, Yttrande
from arenden.sammantraden import protokoll
from tests import factories
from tests.test_sammantraden_regler import Mote, vagras
from workflow.engine import do_transition, history

pytestmark = pytest.mark.django_db

STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def kl(dag: datetime.date, timme: int) -> datetime.datetime:
    return datetime.datetime.combine(dag, datetime.time(timme), tzinfo=STOCKHOLM)


@pytest.fixture
def klocka(monkeypatch):
    """Set the time every service reads."""

    def stall(dag: datetime.date, timme: int = 12):
        monkeypatch.setattr(timezone, "now", lambda: kl(dag, timme))

    return stall


def rader(dok) -> list[str]:
    ut = [f"{etikett}: {varde}" for etikett, varde in dok.huvud]
    for block in dok.block:
        ut += [block.text] if block.text else []
        ut += block.rader
    return ut


def bered(cast, arende):
    handlaggning_services.tilldela(arende, handlaggare=cast.handlaggare, user=cast.stabschef)
    do_transition(arende, "paborja_beredning", cast.handlaggare)
    factories.forslag_till_beslut(arende, cast.handlaggare)
    do_transition(arende, "markera_beredd", cast.handlaggare)


def test_a_fullmaktige_meeting_with_the_minoritys_rights_jav_and_reservation(klocka):
    klocka(datetime.date(2025, 11, 3))  # called nine days before (KL 5 kap. 11 §)
    factories.organ("RF", "Regionfullmäktige", typ=Organ.Typ.FULLMAKTIGE)
    factories.organ("RS", "Regionstyrelsen", typ=Organ.Typ.STYRELSE)
    rf, rs = factories.Cast("RF"), factories.Cast("RS")
    # Regionstyrelsen's proposal goes on in Regionfullmäktige's diarium
    i_rs = rs.berett("Färdplan Nära vård 2030")
    factories.besluta(
        i_rs,
        rs.sekreterare,
        "Föreslår regionfullmäktige att anta färdplanen",
        forslag_till=rf.organ,
        datum=datetime.date(2025, 10, 20),
    )
    fardplan = diarium_services.fortsatt_i(i_rs, organ=rf.organ, user=rf.registrator)
    bered(rf, fardplan)

    mote = Mote(rf, datetime.date(2025, 11, 12), agenda=False)
    punkt_fardplan = mote.punkt(arende=fardplan, slag=Punkt.Slag.BESLUTSARENDE)
    riktlinjer = mote.berett_arende("Riktlinjer för bidrag")
    punkt_riktlinjer = mote.punkt(arende=riktlinjer, slag=Punkt.Slag.BESLUTSARENDE)
    mote.kalla()
    klocka(datetime.date(2025, 11, 12), 13)

    # § 1: one of four present is not a third; two are
    for begard_av in (1, 5):
        vagras(
            lambda begard_av=begard_av: protokoll.besluta(
                punkt_fardplan,
                user=mote.sek,
                utfall=Punkt.Utfall.ATERREMISS,
                motivering="Konkreta åtgärder saknas.",
                minoritet=True,
                begard_av=begard_av,
            ),
            ValidationError,
            f"En minoritet är minst en tredjedel av de 4 närvarande ledamöterna (KL 5 kap. "
            f"51 §); {begard_av} begärde det.",
        )
    protokoll.besluta(
        punkt_fardplan,
        user=mote.sek,
        utfall=Punkt.Utfall.ATERREMISS,
        motivering="Konkreta åtgärder saknas.",
        minoritet=True,
        begard_av=2,
    )

    # § 2: a jävig member, a yrkande, a vote among the three who serve, a reservation
    protokoll.anmal_jav(punkt_riktlinjer, mote.annan, user=mote.sek, grund="Närstående")
    protokoll.lagg_till_yrkande(punkt_riktlinjer, mote.ledamot, user=mote.sek, text="Avslag.")
    protokoll.registrera_votering(
        punkt_riktlinjer,
        user=mote.sek,
        proposition="Ja för förslaget, nej för avslag",
        ja=2,
        nej=1,
        resultat="Fullmäktige har beslutat enligt förslaget.",
    )
    protokoll.besluta(
        punkt_riktlinjer,
        user=mote.sek,
        utfall=Punkt.Utfall.BIFALL,
        beslut="Regionfullmäktige antar riktlinjerna.",
    )
    reservation = protokoll.reservera(punkt_riktlinjer, mote.ledamot, user=mote.sek)
    protokoll.lagg_till_yttrande(
        punkt_riktlinjer,
        user=mote.sek,
        typ=Yttrande.Typ.SARSKILT_YTTRANDE,
        avgivet_av="Moderaterna, Centerpartiet, Kristdemokraterna, Liberalerna",
        text="Riktlinjerna borde ha följts av en plan.",
    )
    mote.uppratta()
    # the written motivering, handed in after the meeting and before the justering
    protokoll.motivera_reservation(
        reservation, user=mote.sek, motivering="Bidragen saknar finansiering."
    )
    klocka(datetime.date(2025, 11, 19), 12)
    tid = datetime.datetime(2025, 11, 19, 9, 0, tzinfo=datetime.UTC)
    mote.justera(mote.ordforande_user, tid)
    mote.justera(mote.justerare_user, tid)
    protokoll.ansla(mote.las_om(), user=mote.sek, dag=datetime.date(2025, 11, 19))

    text = rader(dokument.protokoll(mote.las_om()))
    fardplan.refresh_from_db()
    assert fardplan.state == "aterremitterat"
    i_ordning = [
        "Paragrafer: 1-2",
        "§ 1 Färdplan Nära vård 2030",
        "Ärendet återremitteras till Regionstyrelsen på begäran av en minoritet (2 ledamöter, "
        "KL 5 kap. 51 §). Motivering: Konkreta åtgärder saknas.",
        "§ 2 Riktlinjer för bidrag",
        f"{mote.annan} deltar inte i handläggningen av ärendet på grund av jäv.",
        f"{mote.ledamot} yrkar: Avslag.",
        "Votering: Ja för förslaget, nej för avslag. Ja 2, nej 1, avstår 0. Fullmäktige har "
        "beslutat enligt förslaget.",
        "Regionfullmäktige antar riktlinjerna.",
        f"{mote.ledamot} reserverar sig mot beslutet. Bidragen saknar finansiering.",
        "Moderaterna, Centerpartiet, Kristdemokraterna, Liberalerna lämnar följande anteckning "
        "till protokollet:\n\nRiktlinjerna borde ha följts av en plan.",
        f"Ordförande: {mote.ordforande.namn}, justerade 2025-11-19 10:00",
        f"Justerare: {mote.justerare.namn}, justerade 2025-11-19 10:00",
        "Anslaget på den digitala anslagstavlan 2025-11-19. Sista dag för överklagande "
        "(laglighetsprövning) 2025-12-10.",
        "Protokoll från sammanträdet 2025-11-12, §§ 1–2.",
        "Anslaget tas ned tidigast 2025-12-11.",
    ]
    assert [rad for rad in text if rad in i_ordning] == i_ordning
    assert "Status: Ej justerat" not in text

    # the next meeting: prepared again, the minority cannot send it back a second time
    do_transition(fardplan, "paborja_beredning", rf.handlaggare)
    do_transition(fardplan, "markera_beredd", rf.handlaggare)
    nasta = Mote(rf, datetime.date(2025, 12, 10), agenda=False)
    punkt = nasta.punkt(arende=fardplan, slag=Punkt.Slag.BESLUTSARENDE)
    nasta.kalla()
    klocka(datetime.date(2025, 12, 10), 13)
    vagras(
        lambda: protokoll.besluta(
            punkt,
            user=nasta.sek,
            utfall=Punkt.Utfall.ATERREMISS,
            motivering="Fortfarande oklart.",
            minoritet=True,
            begard_av=3,
        ),
        ValidationError,
        "Ärendet har redan bordlagts eller återremitterats på begäran av en minoritet (KL 5 "
        "kap. 51 §); en gång till kräver att fullmäktige beslutar det.",
    )
    protokoll.besluta(
        punkt, user=nasta.sek, utfall=Punkt.Utfall.BORDLAGGNING, motivering="Inväntar remissvar."
    )
    fardplan.refresh_from_db()
    assert fardplan.state == "bordlagt"
    assert "Ärendet bordläggs. Motivering: Inväntar remissvar." in rader(
        dokument.protokoll(nasta.sammantrade)
    )


def test_the_minoritys_right_is_fullmaktiges_only():
    """KL 5 kap. 51 § is a rule of fullmäktige; in a nämnd the majority decides."""
    from tests.test_sammantraden_regler import cast_for

    mote = Mote(cast_for("HSN"))
    mote.kalla()
    vagras(
        lambda: protokoll.besluta(
            mote.arendepunkt,
            user=mote.sek,
            utfall=Punkt.Utfall.ATERREMISS,
            motivering="Mer underlag.",
            minoritet=True,
            begard_av=2,
        ),
        ValidationError,
        "Minoritetens rätt till bordläggning och återremiss gäller bara i fullmäktige (KL 5 kap. "
        "51 §); i Hälso- och sjukvårdsnämnden avgör majoriteten.",
    )


def test_fullmaktige_is_announced_on_the_anslagstavla_a_week_before(klocka, client):
    """KL 5 kap. 11 §: time, place and ärenden of a fullmäktige meeting are on the
    anslagstavla at least a week before. Called later, the kallelse goes out only with the
    reason, which the history keeps."""
    factories.organ("RF", "Regionfullmäktige", typ=Organ.Typ.FULLMAKTIGE)
    rf = factories.Cast("RF")
    klocka(datetime.date(2025, 11, 6))  # six days before
    mote = Mote(rf, datetime.date(2025, 11, 12))
    mote.sammantrade.start = datetime.time(9)
    mote.sammantrade.save()
    vagras(
        mote.kalla,
        ValidationError,
        "Fullmäktiges sammanträde ska tillkännages på anslagstavlan senast 2025-11-05, en vecka "
        "före (KL 5 kap. 11 §). Ska kallelsen ändå skickas nu, skriv varför; skälet antecknas i "
        "historiken.",
    )
    client.force_login(rf.sekreterare)
    sida = client.get(f"/sammantrade/{mote.sammantrade.pk}/").content.decode()
    assert "skulle ha tillkännagetts på anslagstavlan senast 2025-11-05" in sida
    assert 'name="kallelse-skal"' in sida
    protokoll.kalla(mote.sammantrade, user=rf.sekreterare, skal="Extra sammanträde.")
    s = mote.las_om()
    assert s.state == "kallat"
    assert history(s).last().comment.endswith("Sent tillkännagivande: Extra sammanträde.")
    tavla = Client().get("/anslagstavla/").content.decode()
    assert "Kommande sammanträden med fullmäktige" in tavla
    assert "Regionfullmäktige 2025-11-12 kl. 09.00" in tavla
    assert f"1. {mote.arende.arendemening}" in tavla
    # a nämnd's meeting is not announced there, and needs no week
    hsn = Mote(factories.Cast("HSN"), datetime.date(2025, 11, 7))
    hsn.kalla()
    assert (
        "Hälso- och sjukvårdsnämnden 2025-11-07"
        not in Client().get("/anslagstavla/").content.decode()
    )
