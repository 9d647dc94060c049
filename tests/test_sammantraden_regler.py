"""The law on the hard days, and every refusal of the meeting services.

1. Deadlines (KL 5 kap. 69 §, 8 kap. 12 §, 13 kap. 5 §) that fall on a Saturday, a Sunday,
   a public holiday, midsommarafton, julafton or nyårsafton move to the next weekday (lagen
   (1930:173) om beräkning av lagstadgad tid, 2 §; the holidays of lagen (1989:253) om allmänna
   helgdagar). Every expected date below was read off a calendar, never computed with the
   production helpers; each hard day sits next to the plain weekday beside it, so that a
   roll-forward that is too eager fails as surely as a missing one.
2. Paragraph numbers run per organ and calendar year.
3. Each ``raise`` of arenden/sammantraden/protokoll.py, provoked through the service by a user of
the
   role that would try it, with the Swedish message, and with nothing changed in the
   database: every row of the domain, the engine's history and the processes is compared
   before and after the refused call.
"""

import datetime
import re
import zoneinfo
from unittest import mock

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from arenden.diarium import services as diarium_services
from arenden.dokument import services as dokument
from arenden.handlaggning import services
from arenden.models import (
    Arende,
    Deltagare,
    Nummerserie,
    Organ,
    Person,
    Punkt,
    Rattelse,
    Reservation,
    Sammantrade,
    Yttrande,
)
from arenden.sammantraden import protokoll
from arenden.sammantraden.models import _pask, sista_dag
from tests import factories
from workflow.engine import TransitionNotAllowed, do_transition, history

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def D(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def fall(dag: str, vantat: str, varfor: str):
    """One row of a deadline table: the computed last day, the day the law gives, and why."""
    return pytest.param(D(dag), D(vantat), id=f"{dag}-{varfor}")


# == 1. deadlines on the hard days ===========================================================

SISTA_DAG = [
    # plain weekdays stay where they are
    fall("2025-11-19", "2025-11-19", "onsdag"),
    fall("2025-11-21", "2025-11-21", "fredag"),
    fall("2025-11-24", "2025-11-24", "mandag"),
    # the weekend
    fall("2025-11-22", "2025-11-24", "lordag"),
    fall("2025-11-23", "2025-11-24", "sondag"),
    fall("2026-02-28", "2026-03-02", "lordag-over-manadsskifte"),
    # nyårsafton and nyårsdagen, also across the year
    fall("2024-12-30", "2024-12-30", "mandag-fore-nyarsafton"),
    fall("2024-12-31", "2025-01-02", "nyarsafton-och-nyarsdagen"),
    fall("2025-01-01", "2025-01-02", "nyarsdagen-onsdag"),
    fall("2025-01-02", "2025-01-02", "dagen-efter-nyarsdagen"),
    fall("2025-12-31", "2026-01-02", "nyarsafton-onsdag"),
    fall("2026-12-31", "2027-01-04", "nyarsafton-nyarsdagen-och-helg"),
    fall("2027-12-31", "2028-01-03", "nyarsafton-fredag"),
    # trettondedag jul (trettondagsafton is a working day)
    fall("2024-01-06", "2024-01-08", "trettondedag-pa-lordag"),
    fall("2025-01-06", "2025-01-07", "trettondedag-mandag"),
    fall("2026-01-05", "2026-01-05", "trettondagsafton"),
    fall("2026-01-06", "2026-01-07", "trettondedag-tisdag"),
    fall("2027-01-06", "2027-01-07", "trettondedag-onsdag"),
    # Easter: långfredag, påskdagen, annandag påsk; skärtorsdag is a working day
    fall("2024-03-28", "2024-03-28", "skartorsdag-2024"),
    fall("2024-03-29", "2024-04-02", "langfredag-2024"),
    fall("2024-03-30", "2024-04-02", "paskafton-2024"),
    fall("2024-04-01", "2024-04-02", "annandag-pask-2024"),
    fall("2025-04-17", "2025-04-17", "skartorsdag-2025"),
    fall("2025-04-18", "2025-04-22", "langfredag-2025"),
    fall("2025-04-21", "2025-04-22", "annandag-pask-2025"),
    fall("2025-04-22", "2025-04-22", "tisdag-efter-pask-2025"),
    fall("2026-04-02", "2026-04-02", "skartorsdag-2026"),
    fall("2026-04-03", "2026-04-07", "langfredag-2026"),
    fall("2026-04-06", "2026-04-07", "annandag-pask-2026"),
    fall("2027-03-25", "2027-03-25", "skartorsdag-2027"),
    fall("2027-03-26", "2027-03-30", "langfredag-2027"),
    fall("2027-03-29", "2027-03-30", "annandag-pask-2027"),
    fall("2038-04-22", "2038-04-22", "skartorsdag-2038"),
    fall("2038-04-23", "2038-04-27", "langfredag-2038"),
    fall("2038-04-26", "2038-04-27", "annandag-pask-2038"),
    # första maj (valborgsmässoafton is a working day)
    fall("2024-04-30", "2024-04-30", "valborg"),
    fall("2024-05-01", "2024-05-02", "forsta-maj-onsdag"),
    fall("2025-05-01", "2025-05-02", "forsta-maj-torsdag"),
    fall("2026-05-01", "2026-05-04", "forsta-maj-fredag"),
    fall("2027-05-01", "2027-05-03", "forsta-maj-pa-lordag"),
    # Kristi himmelsfärdsdag, the Thursday 39 days after påskdagen
    fall("2024-05-08", "2024-05-08", "onsdag-fore-kristi-himmelsfard-2024"),
    fall("2024-05-09", "2024-05-10", "kristi-himmelsfard-2024"),
    fall("2025-05-28", "2025-05-28", "onsdag-fore-kristi-himmelsfard-2025"),
    fall("2025-05-29", "2025-05-30", "kristi-himmelsfard-2025"),
    fall("2026-05-13", "2026-05-13", "onsdag-fore-kristi-himmelsfard-2026"),
    fall("2026-05-14", "2026-05-15", "kristi-himmelsfard-2026"),
    fall("2027-05-06", "2027-05-07", "kristi-himmelsfard-2027"),
    # pingstdagen; annandag pingst has been a working day since 2005
    fall("2024-05-18", "2024-05-20", "pingstafton-2024"),
    fall("2024-05-19", "2024-05-20", "pingstdagen-2024"),
    fall("2025-06-08", "2025-06-09", "pingstdagen-2025"),
    fall("2025-06-09", "2025-06-09", "annandag-pingst-2025"),
    fall("2026-05-24", "2026-05-25", "pingstdagen-2026"),
    fall("2026-05-25", "2026-05-25", "annandag-pingst-2026"),
    fall("2027-05-16", "2027-05-17", "pingstdagen-2027"),
    # nationaldagen; on a weekend it gives no weekday off in its place
    fall("2024-06-05", "2024-06-05", "dagen-fore-nationaldagen"),
    fall("2024-06-06", "2024-06-07", "nationaldagen-torsdag"),
    fall("2024-06-07", "2024-06-07", "dagen-efter-nationaldagen"),
    fall("2025-06-06", "2025-06-09", "nationaldagen-fredag"),
    fall("2026-06-06", "2026-06-08", "nationaldagen-pa-lordag"),
    fall("2027-06-06", "2027-06-07", "nationaldagen-pa-sondag"),
    # midsommarafton (the Friday 19–25 June) and midsommardagen
    fall("2024-06-20", "2024-06-20", "torsdag-fore-midsommar-2024"),
    fall("2024-06-21", "2024-06-24", "midsommarafton-2024"),
    fall("2024-06-22", "2024-06-24", "midsommardagen-2024"),
    fall("2025-06-19", "2025-06-19", "torsdag-fore-midsommar-2025"),
    fall("2025-06-20", "2025-06-23", "midsommarafton-2025"),
    fall("2025-06-21", "2025-06-23", "midsommardagen-2025"),
    fall("2026-06-18", "2026-06-18", "torsdag-fore-midsommar-2026"),
    fall("2026-06-19", "2026-06-22", "midsommarafton-2026"),
    fall("2027-06-18", "2027-06-18", "fredagen-veckan-fore-midsommar-2027"),
    fall("2027-06-24", "2027-06-24", "torsdag-fore-midsommar-2027"),
    fall("2027-06-25", "2027-06-28", "midsommarafton-2027"),
    # alla helgons dag (the Saturday 31 Oct–6 Nov); the Friday before is a working day
    fall("2024-11-01", "2024-11-01", "fredag-fore-alla-helgon-2024"),
    fall("2024-11-02", "2024-11-04", "alla-helgons-dag-2024"),
    fall("2025-10-31", "2025-10-31", "fredag-fore-alla-helgon-2025"),
    fall("2025-11-01", "2025-11-03", "alla-helgons-dag-2025"),
    fall("2026-10-30", "2026-10-30", "fredag-fore-alla-helgon-2026"),
    fall("2026-10-31", "2026-11-02", "alla-helgons-dag-2026"),
    fall("2027-11-01", "2027-11-01", "forsta-november-mandag-2027"),
    fall("2027-11-05", "2027-11-05", "fredag-fore-alla-helgon-2027"),
    fall("2027-11-06", "2027-11-08", "alla-helgons-dag-2027"),
    # julafton, juldagen and annandag jul, with the weekend that may follow
    fall("2024-12-23", "2024-12-23", "dagen-fore-julafton-2024"),
    fall("2024-12-24", "2024-12-27", "julafton-tisdag"),
    fall("2024-12-26", "2024-12-27", "annandag-jul-2024"),
    fall("2024-12-27", "2024-12-27", "mellandag-2024"),
    fall("2025-12-23", "2025-12-23", "dagen-fore-julafton-2025"),
    fall("2025-12-24", "2025-12-29", "julafton-onsdag"),
    fall("2025-12-25", "2025-12-29", "juldagen-2025"),
    fall("2025-12-29", "2025-12-29", "mellandag-2025"),
    fall("2026-12-24", "2026-12-28", "julafton-torsdag"),
    fall("2027-12-24", "2027-12-27", "julafton-fredag"),
]


@pytest.mark.parametrize(("dag", "vantat"), SISTA_DAG)
def test_sista_dag_moves_a_hard_day_to_the_next_weekday_and_leaves_a_weekday_alone(dag, vantat):
    """Lagen (1930:173) 2 §: a last day on a Saturday, a Sunday, an allmän helgdag (lagen
    (1989:253) 1 §), midsommarafton, julafton or nyårsafton moves to the next weekday; any other
    day is the last day itself."""
    assert sista_dag(dag) == vantat


@pytest.mark.parametrize(
    ("ar", "paskdagen"),
    [
        (2008, D("2008-03-23")),
        (2011, D("2011-04-24")),
        (2019, D("2019-04-21")),
        (2024, D("2024-03-31")),
        (2025, D("2025-04-20")),
        (2026, D("2026-04-05")),
        (2027, D("2027-03-28")),
        (2038, D("2038-04-25")),
    ],
)
def test_easter_sunday_from_the_almanac(ar, paskdagen):
    """Lagen (1989:253) 1 §: långfredagen, påskdagen, annandag påsk, Kristi himmelsfärdsdag
    and pingstdagen hang on påskdagen; the dates are the almanac's (2038: the latest
    possible)."""
    assert _pask(ar) == paskdagen


@pytest.mark.parametrize(
    ("datum", "vantat"),
    [
        fall("2025-11-12", "2025-11-26", "onsdag"),
        fall("2026-04-29", "2026-05-13", "onsdag-fore-kristi-himmelsfard"),
        fall("2026-06-04", "2026-06-18", "torsdag-fore-midsommar"),
        fall("2025-11-08", "2025-11-24", "lordag"),
        fall("2025-11-09", "2025-11-24", "sondag"),
        fall("2025-12-10", "2025-12-29", "julafton"),
        fall("2024-12-12", "2024-12-27", "annandag-jul"),
        fall("2024-12-18", "2025-01-02", "nyarsdagen"),
        fall("2026-12-17", "2027-01-04", "nyarsafton-nyarsdagen-helg"),
        fall("2025-12-23", "2026-01-07", "trettondedag-jul"),
        fall("2026-03-20", "2026-04-07", "langfredag"),
        fall("2027-03-15", "2027-03-30", "annandag-pask"),
        fall("2026-04-17", "2026-05-04", "forsta-maj"),
        fall("2026-04-30", "2026-05-15", "kristi-himmelsfard"),
        fall("2025-05-23", "2025-06-09", "nationaldagen"),
        fall("2026-06-05", "2026-06-22", "midsommarafton"),
        fall("2027-10-23", "2027-11-08", "alla-helgons-dag"),
    ],
)
def test_justering_senast_is_two_weeks_after_the_meeting_moved_off_hard_days(datum, vantat):
    """KL 5 kap. 69 §: the protokoll is justerat no later than 14 days after the meeting;
    lagen (1930:173) 2 § moves the last day off a weekend or holiday."""
    assert Sammantrade(datum=datum).justering_senast == vantat


@pytest.mark.parametrize(
    ("justerat", "vantat"),
    [
        pytest.param(
            datetime.datetime(2025, 11, 19, 10, 0, tzinfo=STOCKHOLM),
            D("2025-11-21"),
            id="onsdag-till-fredag",
        ),
        pytest.param(
            datetime.datetime(2025, 11, 20, 10, 0, tzinfo=STOCKHOLM),
            D("2025-11-24"),
            id="torsdag-till-lordag",
        ),
        # late evening in Stockholm (22:50 UTC): a local time mistaken for UTC would be past
        # midnight, on Thursday, and give Monday
        pytest.param(
            datetime.datetime(2025, 11, 19, 23, 50, tzinfo=STOCKHOLM),
            D("2025-11-21"),
            id="sent-pa-kvallen-onsdag",
        ),
        # just after midnight in Stockholm, still the evening before in UTC: the local day
        # counts, so the second day after is a Saturday (UTC's day would give Friday)
        pytest.param(
            datetime.datetime(2025, 11, 19, 23, 15, tzinfo=UTC),
            D("2025-11-24"),
            id="strax-efter-midnatt-torsdag",
        ),
        # the same in summer time: Wednesday 00:30 CEST is Tuesday 22:30 UTC; the second day
        # after Wednesday is midsommarafton (UTC's Tuesday would give Thursday 19 June)
        pytest.param(
            datetime.datetime(2025, 6, 17, 22, 30, tzinfo=UTC),
            D("2025-06-23"),
            id="strax-efter-midnatt-fore-midsommar",
        ),
        pytest.param(
            datetime.datetime(2025, 6, 17, 23, 30, tzinfo=STOCKHOLM),
            D("2025-06-19"),
            id="sent-tisdag-fore-midsommar",
        ),
        pytest.param(
            datetime.datetime(2025, 12, 22, 14, 0, tzinfo=STOCKHOLM),
            D("2025-12-29"),
            id="julafton",
        ),
        pytest.param(
            datetime.datetime(2025, 12, 29, 23, 30, tzinfo=STOCKHOLM),
            D("2026-01-02"),
            id="nyarsafton-och-nyarsdagen",
        ),
        pytest.param(
            datetime.datetime(2026, 4, 1, 9, 0, tzinfo=STOCKHOLM),
            D("2026-04-07"),
            id="langfredag",
        ),
        pytest.param(
            datetime.datetime(2026, 5, 12, 9, 0, tzinfo=STOCKHOLM),
            D("2026-05-15"),
            id="kristi-himmelsfard",
        ),
        pytest.param(
            datetime.datetime(2025, 6, 4, 9, 0, tzinfo=STOCKHOLM),
            D("2025-06-09"),
            id="nationaldagen-fredag",
        ),
        pytest.param(
            datetime.datetime(2026, 6, 4, 9, 0, tzinfo=STOCKHOLM),
            D("2026-06-08"),
            id="nationaldagen-lordag",
        ),
        pytest.param(
            datetime.datetime(2026, 5, 22, 9, 0, tzinfo=STOCKHOLM),
            D("2026-05-25"),
            id="pingstdagen",
        ),
    ],
)
def test_anslag_senast_is_the_second_day_after_the_local_day_of_justering(justerat, vantat):
    """KL 8 kap. 12 §: the justerat protokoll is put on the anslagstavla no later than the
    second day after the justering, counted in Swedish days (Europe/Stockholm); lagen
    (1930:173) 2 § moves the last day off a weekend or holiday."""
    mote = Sammantrade(datum=D("2025-01-01"), justerat=justerat, organ=Organ(typ=Organ.Typ.NAMND))
    assert mote.anslag_senast == vantat


def test_no_anslag_or_overklagande_deadline_before_the_acts_themselves():
    """KL 8 kap. 12 §, 13 kap. 5 §: the deadlines run from the justering and the anslag; a
    protokoll that is neither has none yet."""
    mote = Sammantrade(datum=D("2025-11-12"))
    assert (mote.anslag_senast, mote.overklagande_senast) == (None, None)


@pytest.mark.parametrize(
    ("anslaget", "vantat"),
    [
        fall("2025-11-21", "2025-12-12", "fredag"),
        fall("2025-12-02", "2025-12-23", "dagen-fore-julafton"),
        fall("2025-12-03", "2025-12-29", "julafton"),
        fall("2025-12-04", "2025-12-29", "juldagen"),
        fall("2026-12-10", "2027-01-04", "nyarsafton-och-nyarsdagen"),
        fall("2026-12-16", "2027-01-07", "trettondedag-jul"),
        fall("2026-03-12", "2026-04-02", "skartorsdag"),
        fall("2026-03-13", "2026-04-07", "langfredag"),
        fall("2026-04-23", "2026-05-15", "kristi-himmelsfard"),
        fall("2025-05-16", "2025-06-09", "nationaldagen"),
        fall("2026-05-16", "2026-06-08", "nationaldagen-lordag"),
        fall("2025-05-29", "2025-06-19", "torsdag-fore-midsommar"),
        fall("2025-05-30", "2025-06-23", "midsommarafton"),
        fall("2026-10-10", "2026-11-02", "alla-helgons-dag"),
        fall("2026-04-10", "2026-05-04", "forsta-maj"),
    ],
)
def test_overklagande_senast_is_three_weeks_after_the_anslag(anslaget, vantat):
    """KL 13 kap. 5 §: laglighetsprövning is asked for within three weeks of the day the
    justering was announced on the anslagstavla; lagen (1930:173) 2 § moves the last day off a
    weekend or holiday."""
    assert Sammantrade(datum=D("2025-01-01"), anslaget=anslaget).overklagande_senast == vantat


# == a meeting built through the services ====================================================


#: a Wednesday; its justering in the ordinary course is a week later
MOTESDAG = datetime.date(2025, 11, 12)


def cast_for(kod: str) -> factories.Cast:
    namn = {"HSN": "Hälso- och sjukvårdsnämnden", "RS": "Regionstyrelsen"}[kod]
    typ = Organ.Typ.STYRELSE if kod == "RS" else Organ.Typ.NAMND
    factories.organ(kod, namn, typ=typ)
    return factories.Cast(kod)


class Mote:
    """A meeting of the cast's organ with an ordförande and a justerare (both with user
    accounts), a ledamot with an account who is no justerare, one more ledamot, a tjänsteperson
    in the närvaro, an ärende item and an informationsärende."""

    def __init__(self, cast, datum=MOTESDAG, *, agenda=True):
        self.cast, self.sek = cast, cast.sekreterare
        tag = f"{cast.organ.kod}-{datum:%Y%m%d}"
        self.ordforande_user = factories.user(f"ordf-{tag}")
        self.justerare_user = factories.user(f"just-{tag}")
        self.ledamot_user = factories.user(f"led-{tag}")
        self.ordforande = self.person(f"Ordf {tag}", self.ordforande_user)
        self.justerare = self.person(f"Just {tag}", self.justerare_user)
        self.ledamot = self.person(f"Led {tag}", self.ledamot_user)
        self.annan = self.person(f"Annan {tag}")
        self.tjansteperson = factories.person(f"Tjp {tag}")
        self.sammantrade = protokoll.planera(
            organ=cast.organ, datum=datum, plats="Sessionssalen", user=self.sek
        )
        for person, roll, justerare in [
            (self.ordforande, Deltagare.Roll.ORDFORANDE, False),
            (self.justerare, Deltagare.Roll.LEDAMOT, True),
            (self.ledamot, Deltagare.Roll.LEDAMOT, False),
            (self.annan, Deltagare.Roll.LEDAMOT, False),
            (self.tjansteperson, Deltagare.Roll.TJANSTEPERSON, False),
        ]:
            protokoll.lagg_till_deltagare(
                self.sammantrade, person, roll=roll, user=self.sek, justerare=justerare
            )
        if agenda:
            self.arende = self.berett_arende(f"Riktlinjer {tag}")
            self.arendepunkt = self.punkt(arende=self.arende, slag=Punkt.Slag.BESLUTSARENDE)
            self.info = self.punkt(
                typ=Punkt.Typ.AKTUELLT, rubrik="Aktuellt", slag=Punkt.Slag.INFORMATIONSARENDE
            )

    @staticmethod
    def person(namn, anvandare=None):
        return factories.person(
            namn, anvandare=anvandare, typ=Person.Typ.FORTROENDEVALD, parti="s", kommun="Umeå"
        )

    def deltagare(self, person) -> Deltagare:
        return self.sammantrade.deltagare.get(person=person)

    def berett_arende(self, rubrik, **extra):
        cast = self.cast
        arende = cast.registrera(rubrik, **extra)
        services.tilldela(arende, handlaggare=cast.handlaggare, user=cast.stabschef)
        do_transition(arende, "paborja_beredning", cast.handlaggare)
        forfattare = Person.objects.filter(anvandare=cast.handlaggare).first()
        services.spara_tjansteskrivelse(
            arende,
            user=cast.handlaggare,
            forfattare=forfattare
            or factories.person(f"Handläggare {cast.organ.kod}", cast.handlaggare),
            forslag_till_beslut="Nämnden föreslås anta riktlinjerna.",
        )
        do_transition(arende, "markera_beredd", cast.handlaggare)
        return arende

    def punkt(self, **falt):
        return protokoll.lagg_till_punkt(self.sammantrade, user=self.sek, **falt)

    def kalla(self):
        protokoll.kalla(self.sammantrade, user=self.sek)

    def besluta(self, punkt=None):
        return protokoll.besluta(
            punkt or self.arendepunkt,
            user=self.sek,
            utfall=Punkt.Utfall.BIFALL,
            beslut="Att anta riktlinjerna.",
        )

    def uppratta(self):
        protokoll.uppratta(self.sammantrade, user=self.sek)

    def justera(self, user, tidpunkt=None):
        protokoll.justera(self.sammantrade, user=user, tidpunkt=tidpunkt)

    def till(self, status: str) -> "Mote":
        """Take the meeting as far as ``status`` the ordinary way (``borjat_justeras``: drawn
        up and signed by the ordförande only)."""
        steg = ["planerat", "kallat", "genomfort", "borjat_justeras", "justerat", "anslaget"]
        mal = steg.index(status)
        tidpunkt = timezone.make_aware(
            datetime.datetime.combine(self.sammantrade.datum, datetime.time(10))
        ) + datetime.timedelta(days=7)
        if mal >= 1:
            self.kalla()
        if mal >= 2:
            self.besluta()
            self.uppratta()
        if mal >= 3:
            self.justera(self.ordforande_user, tidpunkt)
        if mal >= 4:
            self.justera(self.justerare_user, tidpunkt)
        if mal >= 5:
            factories.ansla_den(self.sammantrade, user=self.sek, dag=timezone.localdate(tidpunkt))
        self.sammantrade.refresh_from_db()
        assert self.sammantrade.state == status.replace("borjat_justeras", "genomfort")
        return self

    def hemligt(self, lagrum: str = "OSL 25 kap. 1 §") -> None:
        """The ärende of the ärende item marked secret (OSL 5 kap. 5 §) by its handläggare."""
        self.arende.refresh_from_db()
        diarium_services.andra_sekretess(
            self.arende,
            user=self.cast.handlaggare,
            lagrum=lagrum,
            motivering="Uppgifter om en enskilds hälsa.",
            offentlig_rubrik="Riktlinjer",
        )

    def las_om(self) -> Sammantrade:
        return Sammantrade.objects.get(pk=self.sammantrade.pk)


@pytest.fixture
def hsn():
    return cast_for("HSN")


@pytest.fixture
def mote(hsn):
    return Mote(hsn)


def databasen() -> dict:
    """Every row of the domain (with its field history), of the engine (workflow history,
    local roles) and of the processes."""
    return {
        model._meta.label: list(model._default_manager.order_by("pk").values())
        for app in ("arenden", "workflow", "flows", "viewflow")
        for model in apps.get_app_config(app).get_models()
    }


def vagras(anrop, fel, text: str):
    """``anrop`` is refused with ``fel`` saying ``text``, and leaves the database as it was."""
    fore = databasen()
    with pytest.raises(fel, match=re.escape(text)) as info:
        anrop()
    efter = databasen()
    for tabell, rader in fore.items():
        assert efter[tabell] == rader, f"{tabell} changed by a refused call"
    return info.value


# == 2. paragraph numbering ==================================================================


def upprattat(cast, datum, rubriker) -> Mote:
    """A meeting whose agenda is an ärende and ``rubriker`` (informationsärenden), kallat,
    decided and drawn up."""
    mote = Mote(cast, datum, agenda=False)
    mote.arende = mote.berett_arende(f"Ärende {cast.organ.kod} {datum}")
    mote.arendepunkt = mote.punkt(arende=mote.arende, slag=Punkt.Slag.BESLUTSARENDE)
    for rubrik in rubriker:
        mote.punkt(typ=Punkt.Typ.AKTUELLT, rubrik=rubrik, slag=Punkt.Slag.INFORMATIONSARENDE)
    mote.kalla()
    mote.besluta()
    mote.uppratta()
    return mote


def tryckt(mote) -> tuple[str, list[str]]:
    """What the protokoll prints: the range in its head, and each paragraph's heading."""
    dok = dokument.protokoll(mote.sammantrade)
    [omfang] = [varde for etikett, varde in dok.huvud if etikett == "Paragrafer"]
    rubriker = [b.text for b in dok.block if b.typ == "rubrik" and b.text.startswith("§")]
    return omfang, rubriker


def test_paragraphs_run_per_organ_and_year_and_go_on_from_an_earlier_series():
    """KL 5 kap. 65–67 §§ (6 kap. 35 §) and the reglemente (KL 6 kap. 44 §): each organ numbers
    its paragraphs from 1 in
    each calendar year, independently of other organs; a series begun in an earlier system
    (tidigare_paragrafer) goes on from its last number, and a number lower than one already
    given never moves it back."""
    hsn, rs = cast_for("HSN"), cast_for("RS")
    # RS gave §§ 1–129 of 2025 in its old system
    protokoll.tidigare_paragrafer(rs.organ, 2025, 129, user=rs.sekreterare)

    hsn_nov = upprattat(hsn, D("2025-11-12"), ["Aktuellt", "Ekonomi"])
    rs_nov = upprattat(rs, D("2025-11-18"), ["Rapporter"])
    hsn_jan = upprattat(hsn, D("2026-01-14"), ["Aktuellt"])
    rs_jan = upprattat(rs, D("2026-01-20"), ["Aktuellt"])
    # the HSN secretary gives a number below the ones already given: nothing moves back
    protokoll.tidigare_paragrafer(hsn.organ, 2025, 2, user=hsn.sekreterare)
    # December's protokoll is drawn up after January's: it goes on in 2025's series
    hsn_dec = upprattat(hsn, D("2025-12-10"), ["Delegationsbeslut"])
    rs_dec = upprattat(rs, D("2025-12-16"), [])

    kod = {hsn.organ.pk: "HSN", rs.organ.pk: "RS"}
    forvantat = {
        hsn_nov: ("1-3", ["§ 1 Ärende HSN 2025-11-12", "§ 2 Aktuellt", "§ 3 Ekonomi"]),
        rs_nov: ("130-131", ["§ 130 Ärende RS 2025-11-18", "§ 131 Rapporter"]),
        hsn_jan: ("1-2", ["§ 1 Ärende HSN 2026-01-14", "§ 2 Aktuellt"]),
        rs_jan: ("1-2", ["§ 1 Ärende RS 2026-01-20", "§ 2 Aktuellt"]),
        hsn_dec: ("4-5", ["§ 4 Ärende HSN 2025-12-10", "§ 5 Delegationsbeslut"]),
        rs_dec: ("132", ["§ 132 Ärende RS 2025-12-16"]),
    }
    for mote, (omfang, rubriker) in forvantat.items():
        assert tryckt(mote) == (omfang, rubriker), str(mote.sammantrade)
        punkt = Punkt.objects.select_related("beslutet").get(pk=mote.arendepunkt.pk)
        # the beslut in the ärende carries the paragraph it was taken under
        assert punkt.beslutet.paragraf == punkt.paragraf == int(omfang.split("-")[0])
        assert (kod[punkt.paragraf_organ_id], punkt.paragraf_ar) == (
            kod[mote.cast.organ.pk],
            mote.sammantrade.datum.year,
        )


def test_an_earlier_series_is_continued_only_by_the_organs_own_secretary(hsn):
    """KL 5 kap. 65 § (6 kap. 35 §) and the reglemente: the paragraph series belongs to the
    organ; only its nämndsekreterare may say where an earlier series ended."""
    rs = cast_for("RS")
    for user in (rs.sekreterare, hsn.stabschef, hsn.revisor, hsn.registrator):
        vagras(
            lambda user=user: protokoll.tidigare_paragrafer(hsn.organ, 2025, 40, user=user),
            PermissionDenied,
            "Bara nämndsekreteraren får planera sammanträden med Hälso- och sjukvårdsnämnden.",
        )
    assert not Nummerserie.objects.exists()


# == 3. refusals ==============================================================================

# -- planning ---------------------------------------------------------------------------------


def test_only_the_organs_secretary_plans_its_meetings(hsn):
    """The reglemente (KL 6 kap. 44 §): a meeting of HSN is planned by HSN's
    nämndsekreterare, not by another organ's, nor by the stabschef or a revisor."""
    rs = cast_for("RS")
    for user in (rs.sekreterare, hsn.stabschef, hsn.revisor, hsn.handlaggare):
        vagras(
            lambda user=user: protokoll.planera(
                organ=hsn.organ, datum=D("2026-02-11"), plats="Sessionssalen", user=user
            ),
            PermissionDenied,
            "Bara nämndsekreteraren får planera sammanträden med Hälso- och sjukvårdsnämnden.",
        )
    assert not Sammantrade.objects.exists()


def test_a_meeting_needs_a_place(hsn):
    """The reglemente (KL 6 kap. 44 §): the kallelse and the protokoll say where the meeting
    is held."""
    vagras(
        lambda: protokoll.planera(
            organ=hsn.organ, datum=D("2026-02-11"), plats="   ", user=hsn.sekreterare
        ),
        ValidationError,
        "Ange var sammanträdet hålls (ett rum, eller Teams).",
    )


def test_a_meeting_does_not_end_before_it_begins(hsn):
    """KL 5 kap. 65 §: the protokoll says when the meeting was held; an end before the start
    is a typing error, not a time."""
    vagras(
        lambda: protokoll.planera(
            organ=hsn.organ,
            datum=D("2026-02-11"),
            plats="Regionens hus",
            start=datetime.time(13, 0),
            slut=datetime.time(9, 0),
            user=hsn.sekreterare,
        ),
        ValidationError,
        "Sammanträdet kan inte sluta innan det börjar.",
    )


def test_jav_is_reported_once_per_item(mote):
    """KL 6 kap. 28 §: a member is jävig in an item or not; a second report is refused with
    a message, not a database error."""
    mote.kalla()
    _jav(mote, mote.ledamot)()
    vagras(_jav(mote, mote.ledamot), ValidationError, "är redan anmäld som jävig under punkt")


def test_the_narvaro_knows_only_the_roles_of_a_meeting(mote):
    """KL 5 kap. 66 § (6 kap. 35 §): the protokoll names who served and in which capacity."""
    ny = Mote.person("Ny Ledamot")
    vagras(
        lambda: protokoll.lagg_till_deltagare(
            mote.sammantrade, ny, roll="sekreterare", user=mote.sek
        ),
        ValidationError,
        "Okänd roll: sekreterare",
    )


def test_only_a_fortroendevald_with_a_seat_serves_in_the_narvaro(mote):
    """KL 4 kap. 1 §, 5 kap. 45 §, 6 kap. 27 §: who serves is förtroendevald, and where the
    organ keeps its register, holds the seat on the meeting day; the närvaro decides who
    decided and whether the organ could. A tjänsteperson attends as one. Whoever calls."""
    tjp = factories.person("Tina Tjänsteperson")
    vagras(
        lambda: protokoll.lagg_till_deltagare(
            mote.sammantrade, tjp, roll=Deltagare.Roll.LEDAMOT, user=mote.sek
        ),
        ValidationError,
        "Tina Tjänsteperson är inte förtroendevald och kan inte vara ledamot; en tjänsteperson "
        "antecknas som tjänsteperson.",
    )
    protokoll.lagg_till_deltagare(
        mote.sammantrade, tjp, roll=Deltagare.Roll.TJANSTEPERSON, user=mote.sek
    )
    # the organ keeps its register: a seat as ledamot on the day, and as ersättare for one
    organ = mote.sammantrade.organ
    sittande = Mote.person("Sara Sittande")
    protokoll.lagg_till_uppdrag(
        organ, sittande, user=mote.sek, uppdrag="ledamot", fran=MOTESDAG.replace(year=2023)
    )
    utan = Mote.person("Ulf Utan")
    slutat = Mote.person("Siv Slutat")
    protokoll.lagg_till_uppdrag(
        organ,
        slutat,
        user=mote.sek,
        uppdrag="ledamot",
        fran=MOTESDAG.replace(year=2023),
        till=MOTESDAG - datetime.timedelta(days=1),
    )
    ersattare = Mote.person("Erik Ersättare")
    protokoll.lagg_till_uppdrag(
        organ, ersattare, user=mote.sek, uppdrag="ersattare", fran=MOTESDAG.replace(year=2023)
    )
    for vem, roll, sate in (
        (utan, Deltagare.Roll.LEDAMOT, "ledamot"),
        (slutat, Deltagare.Roll.VICE_ORDFORANDE, "ledamot"),
        (ersattare, Deltagare.Roll.LEDAMOT, "ledamot"),
        (sittande, Deltagare.Roll.ERSATTARE, "ersättare"),
    ):
        vagras(
            lambda vem=vem, roll=roll: protokoll.lagg_till_deltagare(
                mote.sammantrade, vem, roll=roll, user=mote.sek
            ),
            ValidationError,
            f"{vem.namn} har inget uppdrag som {sate} i {organ.namn} den 2025-11-12 enligt "
            "ledamotsregistret.",
        )
    protokoll.lagg_till_deltagare(
        mote.sammantrade, sittande, roll=Deltagare.Roll.LEDAMOT, user=mote.sek
    )
    protokoll.lagg_till_deltagare(
        mote.sammantrade, ersattare, roll=Deltagare.Roll.ERSATTARE, user=mote.sek
    )
    assert set(mote.sammantrade.deltagare.values_list("person__namn", flat=True)) >= {
        "Tina Tjänsteperson",
        "Sara Sittande",
        "Erik Ersättare",
    }


def test_a_person_is_in_the_narvaro_once(mote):
    """KL 5 kap. 66 § (6 kap. 35 §): one line per person in the närvaro."""
    vagras(
        lambda: protokoll.lagg_till_deltagare(
            mote.sammantrade, mote.ledamot, roll=Deltagare.Roll.ERSATTARE, user=mote.sek
        ),
        ValidationError,
        f"{mote.ledamot} finns redan i närvaron.",
    )


def test_narvaro_changes_only_the_presence_not_the_role_or_the_justerare(mote):
    """KL 5 kap. 69 §: the justerare are chosen before the meeting, and receive the right to
    sign; a change of presence during the meeting cannot make someone justerare."""
    vagras(
        lambda: protokoll.andra_narvaro(
            mote.deltagare(mote.ledamot), user=mote.sek, justerare=True, roll="ordforande"
        ),
        ValidationError,
        "Okända fält i närvaron: justerare, roll",
    )
    assert not mote.ledamot_user.has_perm("arenden.justera_sammantrade", mote.sammantrade)


# -- the föredragningslista -----------------------------------------------------------------


def test_an_arende_item_needs_an_arende(mote):
    """KL 5 kap. 66–67 §§ (6 kap. 35 §): an ärende item decides a registered ärende."""
    vagras(
        lambda: mote.punkt(typ=Punkt.Typ.ARENDE, rubrik="Något att besluta"),
        ValidationError,
        "En ärendepunkt behöver ett ärende.",
    )


def test_an_arende_of_another_organ_is_not_on_the_agenda(mote):
    """KL 6 kap. 6 §: a nämnd decides the matters in its own remit."""
    rs = cast_for("RS")
    rs_arende = rs.registrera("Ett RS-ärende")
    vagras(
        lambda: mote.punkt(arende=rs_arende),
        ValidationError,
        f"{rs_arende.diarienummer} hör till Regionstyrelsen, inte till Hälso- och "
        "sjukvårdsnämnden.",
    )


def test_an_item_number_is_given_once(mote):
    """KL 5 kap. 66 § (6 kap. 35 §): each item has its own place on the föredragningslista."""
    vagras(
        lambda: mote.punkt(typ=Punkt.Typ.OVRIGT, rubrik="Dubbel", ordning=1),
        ValidationError,
        "Punkt 1 finns redan på föredragningslistan.",
    )


def test_an_item_needs_a_heading(mote):
    """KL 5 kap. 66 § (6 kap. 35 §): the protokoll says which matters were dealt with."""
    vagras(
        lambda: mote.punkt(typ=Punkt.Typ.OVRIGT, rubrik=""),
        ValidationError,
        "Punkten behöver en rubrik.",
    )


def test_the_agenda_is_closed_once_the_protokoll_is_drawn_up(mote):
    """KL 5 kap. 66–67 §§: once drawn up, the protokoll records what the meeting dealt with;
    nothing can be added to its agenda afterwards, neither an ärende (which stays beredd) nor
    another item."""
    mote.till("genomfort")
    nytt = mote.berett_arende("Kom för sent")
    for tillagg in (
        lambda: mote.punkt(arende=nytt),
        lambda: mote.punkt(typ=Punkt.Typ.OVRIGA_FRAGOR, rubrik="Övriga frågor"),
    ):
        vagras(
            tillagg,
            ValidationError,
            "Föredragningslistan kan inte ändras när protokollet är upprättat.",
        )
    assert Arende.objects.get(pk=nytt.pk).state == "beredd"
    assert mote.sammantrade.punkter.count() == 2


# -- beslut --------------------------------------------------------------------------------------


def test_no_beslut_while_the_meeting_is_only_planned(mote):
    """KL 5 kap. 67 § 4 (6 kap. 35 §): a beslut is taken at the meeting; before the kallelse has
    gone out there is no meeting to record it from."""
    fore = history(mote.arende).count()
    vagras(
        mote.besluta,
        ValidationError,
        "Beslut förs in när sammanträdet hålls, inte när det är planerat.",
    )
    assert Arende.objects.get(pk=mote.arende.pk).state == "anmalt"
    assert history(mote.arende).count() == fore
    assert not mote.arende.beslut.exists()


def test_an_unknown_outcome_is_refused(mote):
    """KL 5 kap. 67 § 4: the protokoll states what was decided, in the organ's terms."""
    mote.kalla()
    vagras(
        lambda: protokoll.besluta(
            mote.arendepunkt, user=mote.sek, utfall="godkant", beslut="Godkänt."
        ),
        ValidationError,
        "Okänt utfall: godkant",
    )


def test_a_second_beslut_on_one_item_is_refused(mote):
    """KL 5 kap. 67 § 4: one beslut per paragraph; a later change goes through a new ärende
    or, after justering, a rättelse."""
    mote.kalla()
    mote.besluta()
    fore = history(mote.arende).count()
    for utfall, beslut in [
        (Punkt.Utfall.AVSLAG, "Att avslå."),
        (Punkt.Utfall.ATERREMISS, ""),
    ]:
        vagras(
            lambda utfall=utfall, beslut=beslut: protokoll.besluta(
                mote.arendepunkt,
                user=mote.sek,
                utfall=utfall,
                beslut=beslut,
                motivering="Ny motivering.",
            ),
            ValidationError,
            "Beslut under punkt 1 är redan fört till protokollet.",
        )
    punkt = Punkt.objects.get(pk=mote.arendepunkt.pk)
    assert (punkt.utfall, punkt.beslut) == (Punkt.Utfall.BIFALL, "Att anta riktlinjerna.")
    assert mote.arende.beslut.count() == 1 and history(mote.arende).count() == fore


def test_no_beslut_yrkande_or_votering_after_the_protokoll_is_drawn_up(mote):
    """What was decided at the meeting is recorded while it is held; once the protokoll is
    drawn up (genomfört) no beslut, yrkande or votering is added, not even under an item
    left without one (an informationsärende)."""
    mote.till("genomfort")
    text = "Beslut förs in när sammanträdet hålls, inte när det är genomfört."
    for anrop in (
        lambda: protokoll.besluta(
            mote.arendepunkt, user=mote.sek, utfall=Punkt.Utfall.AVSLAG, beslut="Att avslå."
        ),
        lambda: protokoll.lagg_till_yrkande(
            mote.arendepunkt, mote.ledamot, user=mote.sek, text="Avslag."
        ),
        lambda: protokoll.registrera_votering(
            mote.arendepunkt, user=mote.sek, proposition="Bifall", ja=4, nej=0, resultat="Ja"
        ),
    ):
        vagras(anrop, ValidationError, text)


@pytest.mark.parametrize("utfall", [Punkt.Utfall.ATERREMISS, Punkt.Utfall.BORDLAGGNING])
def test_aterremiss_and_bordlaggning_need_a_motivering(mote, utfall):
    """KL 5 kap. 50–51 §§ as the service applies them: an återremiss or a bordläggning is
    motivated."""
    mote.kalla()
    vagras(
        lambda: protokoll.besluta(
            mote.arendepunkt, user=mote.sek, utfall=utfall, beslut="", motivering="  "
        ),
        ValidationError,
        "Återremiss och bordläggning kräver en motivering.",
    )
    assert Arende.objects.get(pk=mote.arende.pk).state == "anmalt"


def test_a_proposal_names_the_organ_it_goes_to(mote):
    """KL 5 kap. 67 § 4: a proposal to a higher organ is the beslut, and to whom it goes is
    part of it."""
    mote.kalla()
    vagras(
        lambda: protokoll.besluta(
            mote.arendepunkt,
            user=mote.sek,
            utfall=Punkt.Utfall.FORSLAG,
            beslut="Att föreslå regionfullmäktige att anta riktlinjerna.",
        ),
        ValidationError,
        "Ange vilket organ förslaget går till.",
    )


def test_a_beslut_needs_its_text(mote):
    """KL 5 kap. 67 § 4: the protokoll says what was decided."""
    mote.kalla()
    vagras(
        lambda: protokoll.besluta(
            mote.arendepunkt, user=mote.sek, utfall=Punkt.Utfall.BIFALL, beslut=" \n"
        ),
        ValidationError,
        "Skriv beslutet.",
    )


# -- members: jäv, yrkande, reservation --------------------------------------------------------


def _jav(mote, person):
    return lambda: protokoll.anmal_jav(mote.arendepunkt, person, user=mote.sek, grund="Närstående")


def _yrkande(mote, person):
    return lambda: protokoll.lagg_till_yrkande(
        mote.arendepunkt, person, user=mote.sek, text="Återremiss."
    )


def _reservation(mote, person):
    return lambda: protokoll.reservera(mote.arendepunkt, person, user=mote.sek)


@pytest.mark.parametrize(
    "handling", [_jav, _yrkande, _reservation], ids=["jav", "yrkande", "reservation"]
)
def test_only_a_member_at_the_meeting_is_jävig_moves_or_reserves(mote, handling):
    """KL 4 kap. 27 §, 5 kap. 67 §, 6 kap. 28 §: a yrkande, a reservation or jäv is a
    ledamot's or ersättare's at the meeting, not a tjänsteperson's nor an outsider's."""
    mote.kalla()
    mote.besluta()
    utomstaende = Mote.person("Inte Ledamot")
    for person in (utomstaende, mote.tjansteperson):
        vagras(
            handling(mote, person),
            ValidationError,
            f"{person} är inte ledamot eller ersättare vid sammanträdet.",
        )


def test_reservation_only_against_a_beslut_taken(mote):
    """KL 4 kap. 27 §: a reservation is against a beslut; there must be one."""
    mote.kalla()
    vagras(
        _reservation(mote, mote.ledamot),
        ValidationError,
        "Det finns inget beslut att reservera sig mot ännu.",
    )


def test_reservation_only_by_a_member_who_took_part(mote):
    """KL 4 kap. 27 §, 6 kap. 28 §: only a member who took part in the beslut may reserve;
    not one who was jävig, absent, gone before the item or not yet come."""
    sek = mote.sek
    mote.kalla()
    protokoll.anmal_jav(mote.arendepunkt, mote.annan, user=sek, grund="Närstående")
    protokoll.andra_narvaro(mote.deltagare(mote.ledamot), user=sek, narvarande=False)
    protokoll.andra_narvaro(mote.deltagare(mote.justerare), user=sek, anslot_fran=mote.info)
    sen = mote.punkt(typ=Punkt.Typ.OVRIGT, rubrik="Sen punkt", slag=Punkt.Slag.BESLUTSARENDE)
    protokoll.andra_narvaro(mote.deltagare(mote.ordforande), user=sek, lamnade_efter=mote.info)
    mote.besluta()
    protokoll.besluta(sen, user=sek, utfall=Punkt.Utfall.BESLUTAT, beslut="Att notera.")
    for punkt, person in [
        (mote.arendepunkt, mote.annan),  # jävig
        (mote.arendepunkt, mote.ledamot),  # absent
        (mote.arendepunkt, mote.justerare),  # joined from item 2
        (sen, mote.ordforande),  # left after item 2
    ]:
        vagras(
            lambda punkt=punkt, person=person: protokoll.reservera(punkt, person, user=sek),
            ValidationError,
            f"{person} deltog inte i beslutet under punkt {punkt.ordning} och kan inte "
            "reservera sig.",
        )
    assert not Reservation.objects.exists()


def test_a_member_reserves_once(mote):
    """KL 4 kap. 27 §: one reservation per member and beslut."""
    mote.kalla()
    mote.besluta()
    protokoll.reservera(mote.arendepunkt, mote.ledamot, user=mote.sek, motivering="Eget yrkande.")
    vagras(
        _reservation(mote, mote.ledamot),
        ValidationError,
        f"{mote.ledamot} har redan reserverat sig under punkt 1.",
    )
    assert Reservation.objects.get().motivering == "Eget yrkande."


def test_no_reservation_after_the_meeting_is_over(mote):
    """KL 4 kap. 27 §: a reservation is announced before the meeting ends; once the protokoll
    is drawn up it cannot be brought in."""
    mote.till("genomfort")
    vagras(
        _reservation(mote, mote.ledamot),
        ValidationError,
        "En reservation ska anmälas innan sammanträdet avslutas (KL 4 kap. 27 §); den kan "
        "inte föras in efteråt.",
    )


def test_yttrande_is_a_sarskilt_yttrande_or_a_protokollsanteckning(mote):
    """KL 4 kap. 27 § and the reglemente: besides a reservation, a member may leave a
    särskilt yttrande or a protokollsanteckning; nothing else goes into the protokoll."""
    mote.kalla()
    vagras(
        lambda: protokoll.lagg_till_yttrande(
            mote.arendepunkt, user=mote.sek, typ="reservation", avgivet_av="V", text="Nej."
        ),
        ValidationError,
        "Okänd typ: reservation",
    )


# -- drawing up --------------------------------------------------------------------------------


def test_the_protokoll_is_not_drawn_up_while_a_beslut_is_missing(mote):
    """KL 5 kap. 67 § 4: every matter dealt with has its beslut in the protokoll; no
    paragraph number is given (nor used up) before they all have one."""
    sek = mote.sek
    annan = mote.punkt(typ=Punkt.Typ.OVRIGT, rubrik="Avtal", slag=Punkt.Slag.BESLUTSARENDE)
    mote.kalla()
    fore = history(mote.sammantrade).count()
    vagras(
        mote.uppratta,
        ValidationError,
        "Protokollet kan inte upprättas: beslut saknas under punkt 1, 3.",
    )
    protokoll.besluta(annan, user=sek, utfall=Punkt.Utfall.BESLUTAT, beslut="Att teckna avtal.")
    vagras(
        mote.uppratta,
        ValidationError,
        "Protokollet kan inte upprättas: beslut saknas under punkt 1.",
    )
    s = mote.las_om()
    assert s.state == "kallat" and history(s).count() == fore
    serie = protokoll.paragrafserie(mote.cast.organ)
    assert not Nummerserie.objects.filter(prefix=serie).exists()
    assert list(s.punkter.values_list("paragraf", flat=True)) == [None, None, None]


def test_only_the_secretary_moves_the_meeting_along(mote):
    """KL 5 kap. 69 §, 8 kap. 12 § and the reglemente: the nämndsekreterare sends the
    kallelse, draws up and posts the protokoll; the ordförande, the stabschef and the revisor
    do not."""
    andra = (mote.ordforande_user, mote.cast.stabschef, mote.cast.revisor)
    for user in andra:
        vagras(
            lambda user=user: protokoll.kalla(mote.sammantrade, user=user),
            TransitionNotAllowed,
            "Du får inte utföra Skicka kallelse",
        )
    mote.kalla()
    vagras(mote.kalla, TransitionNotAllowed, "Övergången kalla finns inte från status Kallat.")
    mote.besluta()
    for user in andra:
        vagras(
            lambda user=user: protokoll.uppratta(mote.sammantrade, user=user),
            TransitionNotAllowed,
            "Du får inte utföra Upprätta protokollet",
        )
    mote.uppratta()
    tidpunkt = timezone.make_aware(datetime.datetime(2025, 11, 19, 10))
    mote.justera(mote.ordforande_user, tidpunkt)
    mote.justera(mote.justerare_user, tidpunkt)
    for user in andra:
        vagras(
            lambda user=user: factories.ansla_den(mote.sammantrade, user=user, dag=D("2025-11-19")),
            TransitionNotAllowed,
            "Du får inte utföra Anslå protokollet",
        )


# -- justering -----------------------------------------------------------------------------------


def test_justering_only_once_the_protokoll_is_drawn_up(mote):
    """KL 5 kap. 69 §: what is justerat is the drawn-up protokoll."""
    mote.kalla()
    mote.besluta()
    vagras(
        lambda: mote.justera(mote.ordforande_user),
        PermissionDenied,
        "Du får inte justera protokollet från Hälso- och sjukvårdsnämnden 2025-11-12 nu.",
    )


def test_justering_only_by_the_ordforande_and_the_chosen_justerare(mote):
    """KL 5 kap. 69 §: the protokoll is justerat by the ordförande and one or more justerare
    chosen by the meeting: not by another ledamot, the secretary, nor the ordförande of
    another meeting of the same organ."""
    annat = Mote(mote.cast, D("2025-11-26"), agenda=False)
    mote.till("genomfort")
    for user in (mote.ledamot_user, mote.sek, annat.ordforande_user, mote.cast.stabschef):
        vagras(
            lambda user=user: mote.justera(user),
            PermissionDenied,
            "Du får inte justera protokollet från Hälso- och sjukvårdsnämnden 2025-11-12 nu.",
        )
    assert not mote.sammantrade.justeringar.exists()


def test_a_justerare_signs_once(mote):
    """KL 5 kap. 69 §: each of the ordförande and the justerare signs the protokoll once."""
    mote.till("borjat_justeras")
    vagras(
        lambda: mote.justera(mote.ordforande_user),
        ValidationError,
        "Du är inte ordförande eller justerare som ännu inte har justerat.",
    )
    assert mote.sammantrade.justeringar.count() == 1


def test_a_justerare_who_was_not_present_does_not_sign(mote):
    """KL 5 kap. 69 §: the protokoll is justerat by those who were at the meeting; a justerare
    chosen beforehand who was absent does not sign: noted absent, they hold the role that
    signs no more (protokoll.andra_narvaro)."""
    mote.till("kallat")
    andra = Mote.person("Andra Justerare")
    protokoll.lagg_till_deltagare(
        mote.sammantrade, andra, roll=Deltagare.Roll.LEDAMOT, user=mote.sek, justerare=True
    )
    protokoll.andra_narvaro(mote.deltagare(mote.justerare), user=mote.sek, narvarande=False)
    mote.besluta()
    mote.uppratta()
    vagras(
        lambda: mote.justera(mote.justerare_user),
        PermissionDenied,
        "Du får inte justera protokollet från",
    )
    assert not mote.sammantrade.justeringar.exists()


@pytest.mark.parametrize("borta", ["ordforande", "justerare"])
def test_no_protokoll_is_justerat_without_an_ordforande_and_a_justerare_present(mote, borta):
    """KL 5 kap. 69 §: the ordförande and a justerare justera the protokoll. With one of them
    not present, the other's signature alone made it justerat, or nobody could: the protokoll
    is not drawn up (flows.sammantrade.HAR_JUSTERANDE), while the närvaro can still be put
    right (as far as it leaves who decided the items already decided as it was)."""
    mote.till("kallat")
    vem = mote.ordforande if borta == "ordforande" else mote.justerare
    protokoll.andra_narvaro(mote.deltagare(vem), user=mote.sek, narvarande=False)
    mote.besluta()
    vagras(
        mote.uppratta,
        TransitionNotAllowed,
        "Upprätta protokollet går inte ännu: närvaron har ingen närvarande ordförande och "
        "justerare; protokollet justeras av ordföranden och en justerare (kommunallagen "
        "5 kap. 69 §, 6 kap. 35 §).",
    )
    assert Sammantrade.objects.get(pk=mote.sammantrade.pk).state == "kallat"
    # put right, it is justerat by both: present at the meeting, not in the decided § 1
    protokoll.andra_narvaro(
        mote.deltagare(vem), user=mote.sek, narvarande=True, franvarande_pa=[mote.arendepunkt]
    )
    mote.uppratta()
    mote.justera(mote.ordforande_user)
    mote.justera(mote.justerare_user)
    assert Sammantrade.objects.get(pk=mote.sammantrade.pk).state == "justerat"


def test_no_justering_of_a_protokoll_already_justerat(mote):
    """KL 5 kap. 69 §: once justerat, the protokoll is final."""
    mote.till("justerat")
    vagras(
        lambda: mote.justera(mote.ordforande_user),
        PermissionDenied,
        "Du får inte justera protokollet från Hälso- och sjukvårdsnämnden 2025-11-12 nu.",
    )


# -- changes: who, and when -------------------------------------------------------------------


def _ny_deltagare(mote):
    person = Mote.person("Sen Ersättare")
    return lambda user: protokoll.lagg_till_deltagare(
        mote.sammantrade, person, roll=Deltagare.Roll.ERSATTARE, user=user
    )


def _narvaro(mote):
    deltagare = mote.deltagare(mote.annan)
    return lambda user: protokoll.andra_narvaro(
        deltagare, user=user, lamnade_efter=mote.arendepunkt
    )


def _ny_punkt(mote):
    return lambda user: protokoll.lagg_till_punkt(
        mote.sammantrade, user=user, typ=Punkt.Typ.OVRIGT, rubrik="Sent tillägg"
    )


def _beslut(mote):
    return lambda user: protokoll.besluta(
        mote.info, user=user, utfall=Punkt.Utfall.INFORMATION, beslut="Godkände informationen."
    )


def _nytt_jav(mote):
    return lambda user: protokoll.anmal_jav(mote.arendepunkt, mote.annan, user=user)


def _yttrande(mote):
    return lambda user: protokoll.lagg_till_yttrande(
        mote.arendepunkt,
        user=user,
        typ=Yttrande.Typ.PROTOKOLLSANTECKNING,
        avgivet_av="Vänsterpartiet",
        text="Vi noterar.",
    )


def _nytt_yrkande(mote):
    return lambda user: protokoll.lagg_till_yrkande(
        mote.arendepunkt, mote.ledamot, user=user, text="Bifall."
    )


def _votering(mote):
    return lambda user: protokoll.registrera_votering(
        mote.arendepunkt, user=user, proposition="Ja för bifall", ja=3, nej=1, resultat="Bifall."
    )


def _ny_reservation(mote):
    return lambda user: protokoll.reservera(mote.arendepunkt, mote.ledamot, user=user)


ANDRINGAR = [
    pytest.param(_ny_deltagare, id="lagg_till_deltagare"),
    pytest.param(_narvaro, id="andra_narvaro"),
    pytest.param(_ny_punkt, id="lagg_till_punkt"),
    pytest.param(_beslut, id="besluta"),
    pytest.param(_nytt_jav, id="anmal_jav"),
    pytest.param(_yttrande, id="lagg_till_yttrande"),
    pytest.param(_nytt_yrkande, id="lagg_till_yrkande"),
    pytest.param(_votering, id="registrera_votering"),
    pytest.param(_ny_reservation, id="reservera"),
]


@pytest.mark.parametrize("andring", ANDRINGAR)
def test_only_the_secretary_writes_in_the_protokoll(mote, andring):
    """KL 5 kap. 65 §, 69 §: the nämndsekreterare keeps the protokoll; the ordförande signs it,
    the stabschef and the revisor read it, none of them writes in it."""
    mote.kalla()
    mote.besluta()
    anrop = andring(mote)
    for user in (mote.ordforande_user, mote.cast.stabschef, mote.cast.revisor):
        vagras(
            lambda user=user: anrop(user),
            PermissionDenied,
            "Du får inte ändra i Hälso- och sjukvårdsnämnden 2025-11-12 i dess nuvarande status "
            "(Kallat).",
        )


@pytest.mark.parametrize("andring", ANDRINGAR)
def test_nothing_changes_once_the_justering_has_begun(mote, andring):
    """KL 5 kap. 69 §: what the justerare sign is what was written; after the first signature
    the protokoll is not changed under the next one."""
    mote.till("borjat_justeras")
    anrop = andring(mote)
    vagras(
        lambda: anrop(mote.sek),
        PermissionDenied,
        "Protokollet har börjat justeras och kan inte ändras: det som justeras är det som "
        "skrevs under.",
    )


@pytest.mark.parametrize("andring", ANDRINGAR)
def test_nothing_changes_after_justering_nor_after_anslag(hsn, andring):
    """KL 5 kap. 69 §, TF 2 kap. 10 §: the justerat protokoll is final and public, and stays
    so on the anslagstavla; a correction is a recorded rättelse beside it, never an edit."""
    mote = Mote(hsn).till("justerat")
    anrop = andring(mote)
    for status in ("justerat", "anslaget"):
        if status == "anslaget":
            factories.ansla_den(mote.sammantrade, user=mote.sek, dag=D("2025-11-19"))
        assert mote.las_om().state == status
        vagras(
            lambda: anrop(mote.sek),
            PermissionDenied,
            "Protokollet är justerat och kan inte ändras. Skriv en rättelse i stället.",
        )


# -- anslag ----------------------------------------------------------------------------------


def test_anslag_is_dated_the_day_it_is_put_up(mote):
    """KL 8 kap. 12 §, 13 kap. 5 §: the protokoll is on the digital anslagstavla from the day
    the step is taken, and the time for överklagande runs from that day: a day before it, or
    a day still to come, is not its day of anslag. The day is the Swedish one."""
    mote.till("genomfort")
    tidpunkt = datetime.datetime(2025, 11, 20, 0, 30, tzinfo=STOCKHOLM)  # Thursday, local
    mote.justera(mote.ordforande_user, tidpunkt)
    mote.justera(mote.justerare_user, tidpunkt)
    s = mote.las_om()
    fore = history(s).count()
    # Wednesday 19 November is the UTC day, but not the Swedish one
    nu = datetime.datetime(2025, 11, 20, 0, 45, tzinfo=STOCKHOLM)
    with mock.patch.object(timezone, "now", return_value=nu):
        for dag in (D("2025-11-19"), D("2025-11-21")):
            vagras(
                lambda dag=dag: protokoll.ansla(s, user=mote.sek, dag=dag),
                ValidationError,
                "Protokollet anslås den dag det sätts upp på anslagstavlan, i dag 2025-11-20, "
                f"inte {dag:%Y-%m-%d}: tiden för överklagande räknas från den dagen",
            )
        s = mote.las_om()
        assert (s.state, s.anslaget, history(s).count()) == ("justerat", None, fore)
        protokoll.ansla(s, user=mote.sek, dag=D("2025-11-20"))
    assert mote.las_om().anslaget == D("2025-11-20")


def test_anslag_only_of_a_justerat_protokoll_and_only_once(mote):
    """KL 8 kap. 12 §: it is the justering that is announced; a protokoll not yet justerat is
    not posted, and one already posted is not posted again (the overklagande period runs from
    the first anslag, KL 13 kap. 5 §)."""
    mote.till("borjat_justeras")
    vagras(
        lambda: factories.ansla_den(mote.sammantrade, user=mote.sek, dag=D("2025-11-19")),
        TransitionNotAllowed,
        "Övergången ansla finns inte från status Genomfört.",
    )
    mote.justera(mote.justerare_user, timezone.make_aware(datetime.datetime(2025, 11, 19, 10)))
    factories.ansla_den(mote.sammantrade, user=mote.sek, dag=D("2025-11-19"))
    vagras(
        lambda: factories.ansla_den(mote.sammantrade, user=mote.sek, dag=D("2025-11-21")),
        TransitionNotAllowed,
        "Övergången ansla finns inte från status Anslaget.",
    )
    assert mote.las_om().overklagande_senast == D("2025-12-10")


@pytest.mark.parametrize(
    ("tidpunkt", "anslag_senast", "overklagande_senast"),
    [
        # Wednesday 00:30 in Stockholm; the second day after is midsommarafton, and three
        # weeks after Monday 23 June is Monday 14 July
        pytest.param(
            datetime.datetime(2025, 6, 17, 22, 30, tzinfo=UTC),
            D("2025-06-23"),
            D("2025-07-14"),
            id="onsdag-00.30-cest-fore-midsommar",
        ),
        # Tuesday 23:30 in Stockholm: Thursday 19 June, then Thursday 10 July
        pytest.param(
            datetime.datetime(2025, 6, 17, 23, 30, tzinfo=STOCKHOLM),
            D("2025-06-19"),
            D("2025-07-10"),
            id="tisdag-23.30-cest",
        ),
    ],
)
def test_deadlines_of_a_real_protokoll_follow_the_swedish_day_of_justering(
    hsn, tidpunkt, anslag_senast, overklagande_senast
):
    """KL 5 kap. 69 §, 8 kap. 12 §, 13 kap. 5 §, lagen (1930:173) 2 §: read back from the
    database (stored in UTC), the deadlines of a meeting on Tuesday 10 June 2025 count the
    days as they are in Stockholm."""
    mote = Mote(hsn, D("2025-06-10")).till("genomfort")
    mote.justera(mote.ordforande_user, tidpunkt)
    mote.justera(mote.justerare_user, tidpunkt)
    s = mote.las_om()
    assert s.justering_senast == D("2025-06-24")
    assert s.anslag_senast == anslag_senast
    factories.ansla_den(s, user=mote.sek, dag=anslag_senast)
    assert mote.las_om().overklagande_senast == overklagande_senast


# -- rättelse ----------------------------------------------------------------------------------


def test_a_rattelse_is_only_for_a_justerat_protokoll(mote):
    """KL 5 kap. 69 §: before justering the protokoll itself is corrected."""
    mote.till("genomfort")
    vagras(
        lambda: protokoll.foresla_rattelse(
            mote.sammantrade, user=mote.sek, text="Fel datum i § 1."
        ),
        ValidationError,
        "Protokollet är inte justerat; ändra i det i stället.",
    )


def test_a_rattelse_is_proposed_only_by_the_secretary_or_those_who_justerade(mote):
    """KL 5 kap. 69 §, TF 2 kap. 10 §, FL 36 §: the justerat protokoll is an allmän handling
    that the revisor, the stabschef and the registrator may read; a correction beside it is
    proposed by the nämndsekreterare or by the ordförande and justerare who signed it."""
    mote.till("anslaget")
    cast = mote.cast
    assert cast.revisor.has_perm("arenden.view_sammantrade", mote.sammantrade)
    for user in (cast.revisor, cast.stabschef, cast.registrator):
        vagras(
            lambda user=user: protokoll.foresla_rattelse(
                mote.sammantrade, user=user, text="Beslutet avser 2026."
            ),
            PermissionDenied,
            "Bara nämndsekreteraren, ordföranden och justerarna får föreslå en rättelse av "
            "protokollet från Hälso- och sjukvårdsnämnden 2025-11-12.",
        )
    assert not Rattelse.objects.exists()


def test_a_rattelse_says_what_it_corrects(mote):
    """KL 5 kap. 69 §: a rättelse is a recorded statement; an empty one records nothing."""
    mote.till("justerat")
    vagras(
        lambda: protokoll.foresla_rattelse(mote.sammantrade, user=mote.sek, text="  "),
        ValidationError,
        "Skriv vad rättelsen gäller.",
    )
    assert not Rattelse.objects.exists()


# -- who serves, who moves, who votes ---------------------------------------------------------


def test_one_ordforande_and_justerare_from_the_members(mote):
    """KL 5 kap. 69 §: the protokoll is justerat by the ordförande and one or more ledamöter;
    a meeting has one ordförande, and a tjänsteperson signs nothing."""
    ny_ordforande, tjansteperson = Mote.person("Ny Ordf"), factories.person("Tjp Två")
    vagras(
        lambda: protokoll.lagg_till_deltagare(
            mote.sammantrade, ny_ordforande, roll=Deltagare.Roll.ORDFORANDE, user=mote.sek
        ),
        ValidationError,
        "Sammanträdet har redan en ordförande.",
    )
    vagras(
        lambda: protokoll.lagg_till_deltagare(
            mote.sammantrade,
            tjansteperson,
            roll=Deltagare.Roll.TJANSTEPERSON,
            user=mote.sek,
            justerare=True,
        ),
        ValidationError,
        "En tjänsteperson kan inte justera protokollet; justerare väljs bland ledamöterna.",
    )


def test_an_ersattare_serves_for_one_absent_member_who_then_is_not_present(mote):
    """KL 5 kap. 17 §, 6 kap. 16 §: an ersättare serves in the place of a member who is
    absent; ten people do not serve in a nine-seat organ."""
    ersattare, ersattare_tva = Mote.person("Ers Ättare"), Mote.person("Ers Två")
    vagras(
        lambda: protokoll.lagg_till_deltagare(
            mote.sammantrade,
            ersattare,
            roll=Deltagare.Roll.ERSATTARE,
            user=mote.sek,
            ersatter=mote.annan,
        ),
        ValidationError,
        f"{mote.annan} är antecknad som närvarande; en ersättare tjänstgör bara för en ledamot "
        "som är frånvarande.",
    )
    vagras(
        lambda: protokoll.lagg_till_deltagare(
            mote.sammantrade,
            ersattare,
            roll=Deltagare.Roll.LEDAMOT,
            user=mote.sek,
            ersatter=mote.annan,
        ),
        ValidationError,
        "Bara en ersättare tjänstgör för någon annan.",
    )
    protokoll.andra_narvaro(mote.deltagare(mote.annan), user=mote.sek, narvarande=False)
    protokoll.lagg_till_deltagare(
        mote.sammantrade,
        ersattare,
        roll=Deltagare.Roll.ERSATTARE,
        user=mote.sek,
        ersatter=mote.annan,
    )
    vagras(
        lambda: protokoll.lagg_till_deltagare(
            mote.sammantrade,
            ersattare_tva,
            roll=Deltagare.Roll.ERSATTARE,
            user=mote.sek,
            ersatter=mote.annan,
        ),
        ValidationError,
        f"En ersättare tjänstgör redan för {mote.annan}.",
    )
    vagras(
        lambda: protokoll.andra_narvaro(mote.deltagare(mote.annan), user=mote.sek, narvarande=True),
        ValidationError,
        f"{ersattare} tjänstgör för {mote.annan}, som därför inte kan vara närvarande.",
    )


def test_only_members_who_serve_and_are_not_javiga_move_reserve_and_vote(mote):
    """An ersättare who does not serve takes part in the deliberations only; a jävig member
    takes no part at all (KL 5 kap. 47 §, 6 kap. 28 §); the votes add up to those serving."""
    lyssnar = Mote.person("Ers Lyssnar")
    protokoll.lagg_till_deltagare(
        mote.sammantrade, lyssnar, roll=Deltagare.Roll.ERSATTARE, user=mote.sek
    )
    mote.kalla()
    protokoll.anmal_jav(mote.arendepunkt, mote.annan, user=mote.sek, grund="Närstående")
    for vem in (lyssnar, mote.annan):
        vagras(
            lambda vem=vem: protokoll.lagg_till_yrkande(
                mote.arendepunkt, vem, user=mote.sek, text="Avslag."
            ),
            ValidationError,
            f"{vem} deltar inte i beslutet under punkt 1 (jäv, frånvaro, eller ersättare som "
            "inte tjänstgör) och kan inte yrka.",
        )
    # four members, one of them jävig: three serve
    vagras(
        lambda: protokoll.registrera_votering(
            mote.arendepunkt, user=mote.sek, proposition="Bifall", ja=20, nej=20, resultat="?"
        ),
        ValidationError,
        "Rösterna (20 ja, 20 nej, 0 avstår) är 40, men 3 ledamöter tjänstgör under punkt 1.",
    )
    vagras(
        lambda: protokoll.registrera_votering(
            mote.arendepunkt, user=mote.sek, proposition="Bifall", ja=3, nej=1, resultat="Bifall"
        ),
        ValidationError,
        "men 3 ledamöter tjänstgör under punkt 1.",
    )
    protokoll.lagg_till_yrkande(mote.arendepunkt, mote.ledamot, user=mote.sek, text="Avslag.")
    votering = protokoll.registrera_votering(
        mote.arendepunkt, user=mote.sek, proposition="Bifall", ja=2, nej=1, resultat="Bifall"
    )
    assert (votering.ja, votering.nej, votering.avstar) == (2, 1, 0)
    mote.besluta()
    vagras(
        lambda: protokoll.reservera(mote.arendepunkt, lyssnar, user=mote.sek),
        ValidationError,
        f"{lyssnar} deltog inte i beslutet under punkt 1 och kan inte reservera sig.",
    )


def test_a_reservation_is_motivated_in_writing_until_the_justering(mote):
    """KL 4 kap. 27 §: the reservation is announced before the meeting ends; its written
    motivering may come after, before the time set for the justering."""
    mote.kalla()
    mote.besluta()
    reservation = protokoll.reservera(mote.arendepunkt, mote.ledamot, user=mote.sek)
    mote.besluta(mote.info)
    mote.uppratta()
    vagras(
        lambda: protokoll.motivera_reservation(reservation, user=mote.sek, motivering="  "),
        ValidationError,
        "Skriv motiveringen.",
    )
    protokoll.motivera_reservation(
        reservation, user=mote.sek, motivering="Riktlinjerna saknar finansiering."
    )
    text = [b.text for b in dokument.protokoll(mote.sammantrade).block]
    assert f"{mote.ledamot} reserverar sig mot beslutet. Riktlinjerna saknar finansiering." in text
    mote.justera(mote.ordforande_user)
    vagras(
        lambda: protokoll.motivera_reservation(reservation, user=mote.sek, motivering="Senare."),
        PermissionDenied,
        "Protokollet har börjat justeras och kan inte ändras",
    )


def test_a_rattelse_concerns_an_item_of_its_own_meeting(hsn):
    mote = Mote(hsn).till("justerat")
    annat = Mote(hsn, D("2025-11-26"))
    vagras(
        lambda: protokoll.foresla_rattelse(
            mote.sammantrade, user=mote.sek, text="Fel datum.", punkt=annat.arendepunkt
        ),
        ValidationError,
        f"Punkten hör till ett annat sammanträde än {mote.sammantrade}.",
    )


# -- presence per item, by reference ----------------------------------------------------------


def test_presence_follows_the_item_when_it_becomes_a_paragraph(hsn):
    """KL 5 kap. 67 §, 6 kap. 35 §: the protokoll says who took part in each beslut. During the
    meeting the items are 1 and 2; this organ's year has come to § 3, so at upprättande they
    become § 4 and § 5. A member absent from item 1 took no part in § 4, and the protokoll
    says so under the number § 4 has, not the number item 1 had."""
    protokoll.tidigare_paragrafer(hsn.organ, 2025, 3, user=hsn.sekreterare)
    mote = Mote(hsn)
    mote.kalla()
    protokoll.andra_narvaro(
        mote.deltagare(mote.annan), user=mote.sek, franvarande_pa=[mote.arendepunkt]
    )
    protokoll.andra_narvaro(mote.deltagare(mote.ledamot), user=mote.sek, anslot_fran=mote.info)
    mote.besluta()
    mote.besluta(mote.info)
    mote.uppratta()
    arendepunkt = Punkt.objects.prefetch_related("jav").get(pk=mote.arendepunkt.pk)
    info = Punkt.objects.prefetch_related("jav").get(pk=mote.info.pk)
    assert (arendepunkt.beteckning, info.beteckning) == ("4", "5")
    annan, ledamot = mote.deltagare(mote.annan), mote.deltagare(mote.ledamot)
    assert (annan.deltar_i(arendepunkt), annan.deltar_i(info)) == (False, True)
    assert (ledamot.deltar_i(arendepunkt), ledamot.deltar_i(info)) == (False, True)
    rader = [r for b in dokument.protokoll(mote.sammantrade).block for r in b.rader]
    assert f"{mote.annan.namn} (s) Umeå, frånvarande på punkt 4" in rader
    assert f"{mote.ledamot.namn} (s) Umeå, anslöt från punkt 5" in rader


def test_presence_names_items_of_its_own_meeting_in_their_order(hsn):
    mote = Mote(hsn)
    annat = Mote(hsn, D("2025-11-26"))
    vagras(
        lambda: protokoll.andra_narvaro(
            mote.deltagare(mote.annan), user=mote.sek, franvarande_pa=[annat.arendepunkt]
        ),
        ValidationError,
        "Närvaron kan bara avse punkter på sammanträdets föredragningslista.",
    )
    vagras(
        lambda: protokoll.andra_narvaro(
            mote.deltagare(mote.annan),
            user=mote.sek,
            anslot_fran=mote.info,
            lamnade_efter=mote.arendepunkt,
        ),
        ValidationError,
        f"{mote.annan} kan inte ha lämnat före punkten där hen anslöt.",
    )


def test_the_narvaro_form_takes_the_items_of_the_meeting(hsn, client):
    mote = Mote(hsn)
    rad = mote.deltagare(mote.annan)
    client.force_login(mote.sek)
    url = f"/sammantrade/{mote.sammantrade.pk}/narvaro/{rad.pk}/"
    falt = f"narvaro-{rad.pk}"
    client.post(
        url,
        factories.fran_motessidan(
            mote.sammantrade,
            {
                f"{falt}-narvarande": "on",
                f"{falt}-franvarande_pa": [mote.arendepunkt.pk],
                f"{falt}-anteckning": "deltog via Teams",
            },
        ),
    )
    rad.refresh_from_db()
    assert (list(rad.franvarande_pa.all()), rad.anteckning) == (
        [mote.arendepunkt],
        "deltog via Teams",
    )
    sida = client.get(f"/sammantrade/{mote.sammantrade.pk}/").content.decode()
    assert "Närvarande, frånvarande på punkt 1, deltog via Teams" in sida
    annat = Mote(hsn, D("2025-11-26"))
    svar = client.post(
        url,
        factories.fran_motessidan(
            mote.sammantrade, {f"{falt}-narvarande": "on", f"{falt}-anslot_fran": annat.info.pk}
        ),
        follow=True,
    )
    assert "Välj ett giltigt alternativ." in svar.content.decode()
    rad.refresh_from_db()
    assert rad.anslot_fran is None
