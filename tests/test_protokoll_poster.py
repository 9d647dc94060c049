"""What the meeting's records say agrees with what the meeting, its ärenden and the law say:
a rättelse of a beslut reaches its ärende (FL 36 §), an anslag is dated the day it goes up
(KL 8 kap. 12 §, 13 kap. 5 §), a meeting's protokoll is filed in an open ärende of its own
organ, and a meeting that was held is not called inställt."""

import datetime
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from arenden.handlaggning import services
from arenden.models import Punkt, Rattelse, Sammantrade
from arenden.sammantraden import protokoll
from tests import factories
from tests.test_rattelse_i_arendet import _expedierat
from tests.test_sammantraden_regler import Mote, cast_for, vagras
from workflow.engine import RequirementMissing, do_transition, history

pytestmark = pytest.mark.django_db

STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")
MOTESDAG = datetime.date(2025, 11, 12)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _klient(user) -> Client:
    klient = Client()
    klient.force_login(user)
    return klient


# -- a rättelse of a beslut names its paragraph (FL 36 §, KL 5 kap. 69 §) ---------------------

PARAGRAF_SAKNAS = "Ange vilken paragraf rättelsen gäller."


def test_a_rattelse_of_a_protokoll_with_beslut_names_its_paragraph():
    """Under *the whole protokoll* a rättelse of § 1's beslut would take effect with no step in
    the ärende, no rättat utdrag and nobody told who got the beslut: it is refused, nothing
    recorded; under its paragraph it reaches the ärende."""
    mote = _expedierat(Mote(cast_for("HSN")))
    mote.arendepunkt.refresh_from_db()
    text = f"§ {mote.arendepunkt.paragraf}: beslutet ska lyda 'Att avslå riktlinjerna'."
    vagras(
        lambda: protokoll.foresla_rattelse(mote.las_om(), user=mote.sek, punkt=None, text=text),
        ValidationError,
        PARAGRAF_SAKNAS,
    )
    assert not Rattelse.objects.exists()
    rattelse = protokoll.foresla_rattelse(
        mote.las_om(), user=mote.sek, punkt=mote.arendepunkt, text=text
    )
    protokoll.signera_rattelse(rattelse, user=mote.ordforande_user)
    protokoll.signera_rattelse(rattelse, user=mote.justerare_user)
    mote.arende.refresh_from_db()
    assert history(mote.arende).last().transition == "rattelse"
    [(skyldig, _mottagare)] = services.rattat_utdrag_kvar(mote.arende)
    assert skyldig == rattelse


def test_the_page_asks_for_the_paragraph_of_a_rattelse():
    mote = Mote(cast_for("HSN")).till("justerat")
    s = mote.las_om()
    klient = _klient(mote.sek)
    sida = klient.get(f"/sammantrade/{s.pk}/").content.decode()
    assert "Välj paragraf" in sida and "Hela protokollet" not in sida
    svar = klient.post(
        f"/sammantrade/{s.pk}/rattelse/",
        factories.fran_motessidan(s, {"rattelse-text": "Beslutet ska lyda 'Att avslå'."}),
        follow=True,
    )
    assert svar.status_code == 200
    assert "Rättelsen är föreslagen" not in svar.content.decode()
    assert not Rattelse.objects.exists()


def test_a_protokoll_without_beslut_in_arenden_is_corrected_as_a_whole():
    """A protokoll whose paragraphs decide no ärende (here an informationsärende) has no
    ärende for a rättelse to reach: it is corrected as a whole."""
    mote = Mote(cast_for("HSN"), agenda=False)
    info = mote.punkt(typ=Punkt.Typ.AKTUELLT, rubrik="Aktuellt", slag=Punkt.Slag.INFORMATIONSARENDE)
    mote.kalla()
    mote.besluta(info)
    mote.uppratta()
    mote.justera(mote.ordforande_user)
    mote.justera(mote.justerare_user)
    s = mote.las_om()
    assert "Hela protokollet" in _klient(mote.sek).get(f"/sammantrade/{s.pk}/").content.decode()
    rattelse = protokoll.foresla_rattelse(s, user=mote.sek, text="Sammanträdet hölls i Sal 2.")
    protokoll.signera_rattelse(rattelse, user=mote.ordforande_user)
    protokoll.signera_rattelse(rattelse, user=mote.justerare_user)
    rattelse.refresh_from_db()
    assert rattelse.punkt is None and rattelse.giltig is not None


# -- an anslag is dated the day it goes up (KL 8 kap. 12 §, 13 kap. 1 och 5 §§) ---------------


def _kl(dag: datetime.date, timme: int) -> datetime.datetime:
    return datetime.datetime.combine(dag, datetime.time(timme), tzinfo=STOCKHOLM)


@pytest.fixture
def klocka(monkeypatch):
    """Set the time every service reads: ``klocka(datetime)``."""

    def stall(tid: datetime.datetime):
        monkeypatch.setattr(timezone, "now", lambda: tid)

    return stall


@pytest.fixture
def justerat(klocka) -> Mote:
    """HSN's meeting of Wednesday 12 November 2025, justerat Wednesday 19 November: anslag no
    later than Friday 21."""
    klocka(_kl(MOTESDAG - datetime.timedelta(days=1), 15))
    mote = Mote(cast_for("HSN"), MOTESDAG)
    mote.kalla()
    klocka(_kl(MOTESDAG, 17))
    mote.besluta()
    mote.uppratta()
    klocka(_kl(datetime.date(2025, 11, 19), 10))
    mote.justera(mote.ordforande_user)
    mote.justera(mote.justerare_user)
    return mote


BAKDATERAT = (
    "Protokollet anslås den dag det sätts upp på anslagstavlan, i dag 2025-12-20, inte "
    "2025-11-19: tiden för överklagande räknas från den dagen (KL 8 kap. 12 §, 13 kap. 5 §)."
)


def test_an_anslag_a_month_late_is_not_dated_back_to_the_justering(justerat, klocka):
    """Dated back to the justering, the anslag of 20 December would have made the time for
    överklagande end 10 December, already passed, and asked no reason for the late anslag."""
    klocka(_kl(datetime.date(2025, 12, 20), 9))
    s = justerat.las_om()
    fore = history(s).count()
    vagras(
        lambda: protokoll.ansla(s, user=justerat.sek, dag=datetime.date(2025, 11, 19)),
        ValidationError,
        BAKDATERAT,
    )
    s = justerat.las_om()
    assert (s.state, s.anslaget, history(s).count()) == ("justerat", None, fore)
    # put up today, it is late: the reason is asked, and the time runs from today
    vagras(
        lambda: protokoll.ansla(s, user=justerat.sek),
        ValidationError,
        "Sista dag för anslaget var 2025-11-21 (KL 8 kap. 12 §). Ska protokollet ändå anslås "
        "2025-12-20, skriv varför",
    )
    protokoll.ansla(s, user=justerat.sek, skal="Anslaget glömdes bort.")
    s = justerat.las_om()
    assert (s.state, s.anslaget, s.sent_anslag) == ("anslaget", datetime.date(2025, 12, 20), True)
    assert s.overklagande_senast == datetime.date(2026, 1, 12)
    assert history(s).last().comment == "Anslaget glömdes bort."


def test_the_page_refuses_a_day_before_today_in_swedish(justerat, klocka):
    """The day is not chosen: the form carries, hidden, the day it was shown. One shown
    before midnight and sent after is refused, not taken on a day the sekreterare did not
    see (nor one a form was made to say)."""
    klocka(_kl(datetime.date(2025, 11, 19), 23))
    s = justerat.las_om()
    sida = _klient(justerat.sek).get(f"/sammantrade/{s.pk}/").content.decode()
    assert 'type="hidden" name="anslag-dag" value="2025-11-19"' in sida
    assert 'type="date" name="anslag-dag"' not in sida
    klocka(_kl(datetime.date(2025, 12, 20), 9))
    falt = factories.fran_motessidan(
        s, {"overgang": "ansla", "anslag-dag": "2025-11-19", "anslag-skal": "Sent."}
    )
    svar = _klient(justerat.sek).post(f"/sammantrade/{s.pk}/overgang/", falt, follow=True)
    assert svar.status_code == 200
    assert "i dag 2025-12-20, inte 2025-11-19" in svar.content.decode()
    s = justerat.las_om()
    assert (s.state, s.anslaget) == ("justerat", None)


# -- a meeting's protokoll is filed in an open ärende of its own organ -------------------------


def _planera(cast, arende):
    return protokoll.planera(
        organ=cast.organ,
        datum=datetime.date(2025, 11, 26),
        plats="Sessionssalen",
        user=cast.sekreterare,
        arende=arende,
    )


def test_a_meeting_files_in_no_makulerat_nor_closed_arende():
    """A makulerat ärende holds no allmänna handlingar (flows.arende.INGA_ALLMANNA_HANDLINGAR);
    a meeting planned with it would file an upprättad kallelse there, off the postlista. An
    avskrivet ärende is closed."""
    hsn = cast_for("HSN")
    makulerat = hsn.registrera("Registrerat av misstag")
    do_transition(makulerat, "makulera", hsn.registrator, "Dubblett.")
    avskrivet = hsn.registrera("Protokoll 2024")
    do_transition(avskrivet, "avskriva", hsn.stabschef, "Inget att göra.")
    for arende, status in ((makulerat, "makulerat"), (avskrivet, "avskrivet")):
        arende.refresh_from_db()
        vagras(
            lambda arende=arende: _planera(hsn, arende),
            ValidationError,
            f"{arende.diarienummer} är {status}. Sammanträdets kallelse och protokoll "
            "diarieförs i ett öppet ärende.",
        )
        assert not arende.handlingar.exists() and not Sammantrade.objects.exists()


def test_a_meeting_files_in_an_arende_of_its_own_organ():
    hsn, rs = cast_for("HSN"), cast_for("RS")
    rs_arende = rs.registrera("Regionstyrelsens protokoll")
    vagras(
        lambda: _planera(hsn, rs_arende),
        ValidationError,
        f"{rs_arende.diarienummer} hör till Regionstyrelsen, inte till Hälso- och "
        "sjukvårdsnämnden.",
    )
    assert not Sammantrade.objects.exists()
    eget = hsn.registrera("Hälso- och sjukvårdsnämndens protokoll 2025")
    assert _planera(hsn, eget).arende == eget


# -- a meeting held is not inställt ------------------------------------------------------------

HALLET = "sammanträdet har hållits: beslut, yrkanden, jäv eller yttranden från det är förda"


@pytest.fixture
def kallat(klocka) -> Mote:
    """HSN's meeting of Wednesday 12 November 2025 (from 00.00), kallat the day before."""
    klocka(_kl(MOTESDAG - datetime.timedelta(days=1), 15))
    mote = Mote(cast_for("HSN"), MOTESDAG)
    mote.kalla()
    return mote


def _vagras_installt(mote):
    strukna = Punkt.objects.filter(sammantrade=mote.sammantrade, struken__isnull=False)
    vagras(
        lambda: protokoll.installa(mote.las_om(), user=mote.sek, skal="Ställs in."),
        RequirementMissing,
        HALLET,
    )
    assert mote.las_om().state == "kallat" and not strukna.exists()
    mote.arende.refresh_from_db()
    assert mote.arende.state == "anmalt"


@pytest.mark.parametrize(
    "vid_motet",
    [
        lambda m: protokoll.lagg_till_yrkande(m.arendepunkt, m.ledamot, user=m.sek, text="Avslag."),
        lambda m: protokoll.anmal_jav(m.arendepunkt, m.annan, user=m.sek, grund="Närstående."),
        lambda m: protokoll.lagg_till_yttrande(
            m.arendepunkt, user=m.sek, typ="protokollsanteckning", avgivet_av="(S)", text="Ja."
        ),
    ],
    ids=["yrkande", "jav", "protokollsanteckning"],
)
def test_a_meeting_where_something_was_recorded_is_not_installt(kallat, klocka, vid_motet):
    """A yrkande put at the meeting, a jäv or a protokollsanteckning noted there: the meeting
    was held, and what happened goes into its protokoll; called inställt, its items would be
    struck with the record of them kept under them."""
    klocka(_kl(MOTESDAG, 10))
    vid_motet(kallat)
    klocka(_kl(MOTESDAG, 20))
    _vagras_installt(kallat)


def test_a_jav_noted_before_the_meeting_does_not_make_it_held(kallat, klocka):
    """A member's jäv noted from their notice the day before says nothing of the meeting: one
    that then did not take place is still inställt afterwards."""
    klocka(_kl(MOTESDAG - datetime.timedelta(days=1), 16))
    protokoll.anmal_jav(kallat.arendepunkt, kallat.annan, user=kallat.sek, grund="Närstående.")
    klocka(_kl(MOTESDAG, 20))
    protokoll.installa(kallat.las_om(), user=kallat.sek, skal="Ingen kom.")
    assert kallat.las_om().state == "installt"
