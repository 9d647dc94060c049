"""Motioner and medborgarförslag and the one-year clock of KL 5 kap. 35 §: registered with when
and by whom they were väckta, the last day fullmäktige can decide them, the bevakning list,
the anmälan of those that cannot be berett within the year."""

import datetime
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from arenden.handlaggning import services as handlaggning_services
from arenden.models import Arende, Motion, Organ, Punkt
from arenden.motion import services
from arenden.sammantraden import protokoll
from tests import factories
from tests.test_sammantraden import Mote
from workflow.engine import do_transition

pytestmark = pytest.mark.django_db

STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")
IDAG = datetime.date(2025, 11, 3)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def klocka(monkeypatch):
    """Set the day every service reads as today."""

    def stall(dag: datetime.date, timme: int = 12):
        tid = datetime.datetime.combine(dag, datetime.time(timme), tzinfo=STOCKHOLM)
        monkeypatch.setattr(timezone, "now", lambda: tid)

    stall(IDAG)
    return stall


@pytest.fixture
def kf(klocka):
    return factories.organ("KF", "Kommunfullmäktige", typ=Organ.Typ.FULLMAKTIGE)


@pytest.fixture
def cast(kf):
    return factories.Cast("KF")


def motion(cast, vackt, rubrik="Motion om cykelbanor", typ="motion", **extra):
    extra.setdefault("namn", "Anna Motionär" if typ == "motion" else "Bo Förslagsställare")
    return services.registrera(
        user=cast.registrator,
        organ=cast.organ,
        arendemening=rubrik,
        typ=typ,
        fullmaktige=cast.organ,
        vackt=vackt,
        registrerat=vackt,
        **extra,
    )


def i_beredning(cast, arende):
    handlaggning_services.tilldela(arende, handlaggare=cast.handlaggare, user=cast.stabschef)
    do_transition(arende, "paborja_beredning", cast.handlaggare)


# -- the one-year clock --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("vackt", "sista"),
    [
        (datetime.date(2025, 3, 10), datetime.date(2026, 3, 10)),
        (datetime.date(2024, 2, 29), datetime.date(2025, 2, 28)),  # no 29 February in 2025
        (datetime.date(2027, 2, 28), datetime.date(2028, 2, 28)),
        (datetime.date(2025, 12, 31), datetime.date(2026, 12, 31)),
    ],
)
def test_the_last_day_is_the_same_date_a_year_later(vackt, sista):
    assert services.sista_dag(vackt) == sista


# -- registration ---------------------------------------------------------------------------


def _formular(cast, **andra):
    return {
        "organ": cast.organ.pk,
        "arendemening": "Motion om fler bänkar",
        "typ": "motion",
        **andra,
    }


def test_a_motion_is_not_registered_without_when_and_by_whom(client, cast):
    client.force_login(cast.registrator)
    sida = client.get(reverse("arenden:registrera")).content.decode()
    assert "Väckt" in sida and "kommunallagen 5 kap. 35 §" in sida
    svar = client.post(reverse("arenden:registrera"), _formular(cast))
    assert svar.status_code == 200
    text = svar.content.decode()
    assert "Ange dagen då ärendet väcktes." in text
    assert "Välj motionären, eller skriv hens namn och parti." in text
    svar = client.post(
        reverse("arenden:registrera"), _formular(cast, typ="medborgarforslag", vackt="2025-10-01")
    )
    assert "Ange förslagsställarens namn." in svar.content.decode()
    assert not Arende.objects.exists()


def test_a_vackt_day_in_the_future_is_refused(client, cast):
    client.force_login(cast.registrator)
    svar = client.post(
        reverse("arenden:registrera"),
        _formular(cast, vackt="2025-11-04", fullmaktige=cast.organ.pk, vackt_av="Anna A"),
    )
    assert svar.status_code == 200
    assert "kan inte ligga i framtiden (2025-11-04)" in svar.content.decode()
    assert not Arende.objects.exists()
    with pytest.raises(ValidationError, match="framtiden"):
        motion(cast, datetime.date(2025, 11, 4))
    assert not Arende.objects.exists()


def test_a_motion_is_registered_with_its_ledamot_and_shows_its_last_day(client, cast):
    ledamot = factories.person("Lena Ledamot", typ="fortroendevald", parti="MP")
    client.force_login(cast.registrator)
    svar = client.post(
        reverse("arenden:registrera"),
        _formular(cast, vackt="2025-02-12", fullmaktige=cast.organ.pk, ledamot=ledamot.pk),
    )
    assert svar.status_code == 302
    registrerad = Motion.objects.select_related("arende").get()
    assert registrerad.ledamot == ledamot and registrerad.arende.typ == "motion"
    sida = client.get(svar.url).content.decode()
    assert "Lena Ledamot (MP)" in sida
    assert "Sista dag för beslut" in sida and "2026-02-12" in sida and "101 dagar kvar" in sida


def test_one_day_left_and_one_day_late_are_said_in_the_singular(client, cast, klocka):
    """The last day for a motion väckt 2025-02-12 is 2026-02-12 (KL 5 kap. 35 §)."""
    ledamot = factories.person("Lena Ledamot", typ="fortroendevald", parti="MP")
    client.force_login(cast.registrator)
    svar = client.post(
        reverse("arenden:registrera"),
        _formular(cast, vackt="2025-02-12", fullmaktige=cast.organ.pk, ledamot=ledamot.pk),
    )
    for dag, vantat in [
        (datetime.date(2026, 2, 11), ", 1 dag kvar"),
        (datetime.date(2026, 2, 10), ", 2 dagar kvar"),
        (datetime.date(2026, 2, 13), "försenad med 1 dag</strong>"),
    ]:
        klocka(dag)
        client.force_login(cast.registrator)  # a session does not outlive a day
        assert vantat in client.get(svar.url).content.decode(), dag


def test_other_arenden_are_registered_without_the_motion_fields(client, cast):
    client.force_login(cast.registrator)
    svar = client.post(
        reverse("arenden:registrera"),
        _formular(cast, typ="skrivelse", fullmaktige=cast.organ.pk),
    )
    assert svar.status_code == 302
    assert Arende.objects.count() == 1 and not Motion.objects.exists()


# -- the bevakning list ---------------------------------------------------------------------


def test_the_list_is_sorted_by_deadline_marks_the_overdue_and_keeps_its_query_count(client, cast):
    client.force_login(cast.registrator)
    url = reverse("arenden:motioner")
    motion(cast, datetime.date(2025, 6, 1), "Motion om parkbänkar")

    def las():
        with CaptureQueriesContext(connection) as fragor:
            svar = client.get(url)
        assert svar.status_code == 200
        return svar.content.decode(), len(fragor)

    las()  # the first request of a session reads what later ones find cached
    _, en = las()
    motion(cast, datetime.date(2024, 9, 1), "Motion om gatlyktor")  # its year has run out
    motion(cast, datetime.date(2025, 1, 15), "Förslag om lekplats", typ="medborgarforslag")
    motion(cast, datetime.date(2025, 3, 1), "Motion om bibliotek")
    motion(cast, datetime.date(2025, 4, 1), "Motion om simhall")
    text, fem = las()
    assert fem == en
    ordning = [text.index(r) for r in ("gatlyktor", "lekplats", "bibliotek", "simhall", "parkb")]
    assert ordning == sorted(ordning)
    assert text.count("(försenad)") == 1
    forsenad = text[text.index("2025-09-01") :]
    assert forsenad.index("(försenad)") < forsenad.index("gatlyktor")
    assert "Bo Förslagsställare" in text


def test_the_list_leaves_out_what_is_decided_and_is_only_for_who_may_see_it(client, cast):
    beslutad = motion(cast, datetime.date(2025, 1, 1), "Motion om avgjort")
    Arende.objects.filter(pk=beslutad.pk).update(state="beslutat")  # the clock has stopped
    motion(cast, datetime.date(2025, 2, 1), "Motion om öppet")
    client.force_login(cast.registrator)
    text = client.get(reverse("arenden:motioner")).content.decode()
    assert "Motion om öppet" in text and "Motion om avgjort" not in text
    assert 'href="/motioner/"' in client.get(reverse("arenden:start")).content.decode()
    client.force_login(cast.handlaggare)
    assert client.get(reverse("arenden:motioner")).status_code == 403
    assert 'href="/motioner/"' not in client.get(reverse("arenden:start")).content.decode()


def test_a_stabschef_or_sekreterare_with_a_local_role_watches_the_clock(client, cast):
    from arenden.organisation.models import Organ
    from workflow import roles as workflow_roles

    motion(cast, datetime.date(2025, 2, 1), "Motion om öppet")
    assert not workflow_roles.global_roles(cast.stabschef) & {"Stabschef"}
    for user in (cast.stabschef, cast.sekreterare):
        assert workflow_roles.local_roles(user, Organ.objects.get(pk=cast.organ.pk))
        client.force_login(user)
        assert 'href="/motioner/"' in client.get(reverse("arenden:start")).content.decode()
        assert "Motion om öppet" in client.get(reverse("arenden:motioner")).content.decode()


def test_a_secret_forslag_is_masked_with_its_forslagsstallare(client, cast):
    motion(
        cast,
        datetime.date(2025, 2, 1),
        "Förslag om Kalle Anka",
        typ="medborgarforslag",
        sekretess_lagrum="OSL 26 kap. 1 §",
        offentlig_rubrik="Medborgarförslag",
        namn="Kalle Anka",
    )
    kollega = factories.user("registrator-2", global_role="Registrator")
    client.force_login(kollega)
    text = client.get(reverse("arenden:motioner")).content.decode()
    assert "Medborgarförslag – Sekretess (OSL 26 kap. 1 §)" in text
    assert "Kalle Anka" not in text


# -- anmälan to fullmäktige (KL 5 kap. 35 § second sentence) --------------------------------


def test_those_that_cannot_be_decided_in_time_are_anmalda_once_and_recorded_at_justering(
    client, cast, klocka
):
    sent = motion(cast, datetime.date(2024, 12, 1), "Motion om skolskjuts")  # 2025-12-01
    i_tid = motion(cast, datetime.date(2025, 6, 1), "Motion om badplats")  # 2026-06-01
    nasta_dag = motion(cast, datetime.date(2024, 12, 10), "Motion om torget")  # = next meeting
    mote = Mote(cast, datum=datetime.date(2025, 11, 12))
    protokoll.planera(
        organ=cast.organ, datum=datetime.date(2025, 12, 10), plats="Salen", user=cast.sekreterare
    )
    punkt = mote.punkt(mote.berett_arende("Budget 2026"))
    mote.kalla()
    [anmalan] = mote.sammantrade.punkter.filter(typ=Punkt.Typ.ANMALAN_MOTIONER)
    assert anmalan.rubrik == (
        "Anmälan av motioner och medborgarförslag som inte har beretts färdigt"
    )
    assert [m.arende for m in anmalan.anmalda_motioner.all()] == [sent]
    assert str(sent.diarienummer) in anmalan.beskrivning
    assert str(i_tid.diarienummer) not in anmalan.beskrivning
    assert str(nasta_dag.diarienummer) not in anmalan.beskrivning
    # again (a second kallelse): nothing added, nothing listed twice
    assert services.anmal_till(mote.sammantrade, user=cast.sekreterare) is None
    assert mote.sammantrade.punkter.filter(typ=Punkt.Typ.ANMALAN_MOTIONER).count() == 1
    listad = Motion.objects.get(arende=sent)
    assert services.anmalt_vid(listad) is None  # listed, not yet anmält

    klocka(datetime.date(2025, 11, 12), 13)
    mote.besluta(punkt)
    mote.besluta(anmalan, utfall="information", beslut="Anmälan läggs till handlingarna.")
    mote.uppratta()
    klocka(datetime.date(2025, 11, 13))
    mote.justera_alla(
        datetime.datetime.combine(datetime.date(2025, 11, 12), datetime.time(15), STOCKHOLM)
    )
    listad.refresh_from_db()
    vid = services.anmalt_vid(listad)
    assert vid.sammantrade == mote.sammantrade and vid.paragraf is not None
    client.force_login(cast.registrator)
    paragraf = f"§ {vid.paragraf}"
    assert paragraf in client.get(reverse("arenden:arende", args=[sent.pk])).content.decode()
    assert paragraf in client.get(reverse("arenden:motioner")).content.decode()


def test_without_a_later_meeting_two_months_ahead_count(cast):
    motion(cast, datetime.date(2025, 1, 10), "Motion om hamnen")  # 2026-01-10
    motion(cast, datetime.date(2025, 1, 13), "Motion om stranden")  # 2026-01-13
    mote = Mote(cast, datum=datetime.date(2025, 11, 12))
    # a nämnd's meeting in between is not fullmäktige's next one
    Mote(factories.Cast("HSN"), datum=datetime.date(2025, 12, 3))
    assert services.horisont(mote.sammantrade) == datetime.date(2026, 1, 12)
    assert [m.arende.arendemening for m in services.att_anmala(mote.sammantrade)] == [
        "Motion om hamnen"
    ]


def test_a_namnd_meeting_gets_no_anmalan_of_motioner(kf, klocka):
    hsn = factories.Cast("HSN")
    registrator_kf = factories.Cast("KF")
    motion(registrator_kf, datetime.date(2024, 1, 10))
    mote = Mote(hsn, datum=datetime.date(2025, 11, 12))
    assert services.anmal_till(mote.sammantrade, user=hsn.sekreterare) is None


def test_the_api_asks_the_same_as_the_page(cast):
    from tests.test_api import klient

    api = klient(cast.registrator)
    utan = {"organ": "KF", "arendemening": "Motion via e-tjänst", "typ": "motion"}
    svar = api.post("/api/arenden/", utan, format="json")
    assert svar.status_code == 400 and "Ange dagen då ärendet väcktes." in svar.content.decode()
    assert not Arende.objects.exists()
    med = {**utan, "vackt": "2025-10-01", "fullmaktige": "KF", "vackt_av": "Anna A", "parti": "L"}
    assert api.post("/api/arenden/", med, format="json").status_code == 201
    registrerad = Motion.objects.get()
    assert (registrerad.namn, registrerad.parti, registrerad.vackt) == (
        "Anna A",
        "L",
        datetime.date(2025, 10, 1),
    )


def test_what_is_to_be_anmalt_is_this_fullmaktiges_not_yet_anmalda_oldest_first(cast):
    """KL 5 kap. 35 §: the list is the meeting fullmäktige's own motioner, oldest väckt first
    whatever order they were registered in, and those already anmälda are not listed again."""
    motion(cast, datetime.date(2025, 1, 11), "Motion om stranden")
    motion(cast, datetime.date(2025, 1, 10), "Motion om hamnen")
    rf = factories.organ("RF", "Regionfullmäktige", typ=Organ.Typ.FULLMAKTIGE)
    motion(factories.Cast(rf.kod), datetime.date(2025, 1, 9), "Regionens motion")
    mote = Mote(cast, datum=datetime.date(2025, 11, 12))
    mote.sammantrade.refresh_from_db()
    with CaptureQueriesContext(connection) as fragor:
        listan = [m.arende.arendemening for m in services.att_anmala(mote.sammantrade)]
    assert listan == ["Motion om hamnen", "Motion om stranden"]
    # the organ, fullmäktige's next meeting, the motioner with their ärenden
    assert len(fragor.captured_queries) == 3
    mote.punkt(mote.berett_arende("Budget 2026"))
    mote.kalla()
    assert services.att_anmala(mote.sammantrade) == []


def test_a_motion_is_never_written_off_by_a_tjansteperson(cast):
    """KL 5 kap. 35 §: fullmäktige decides a motion or medborgarförslag, or decides to write
    it off. The stabschef's Avskriv stood open for them and stopped the one-year clock with
    no beslut anywhere; another ärende is still written off so."""
    from workflow.engine import RequirementMissing

    for typ in ("motion", "medborgarforslag"):
        arende = motion(cast, datetime.date(2025, 6, 1), f"Förslag ({typ})", typ=typ)
        with pytest.raises(RequirementMissing, match="avgörs av fullmäktige"):
            do_transition(arende, "avskriva", cast.stabschef, "Motionären har avgått")
        arende.refresh_from_db()
        assert arende.state == "registrerat" and arende.avslutat is None
        assert Motion.objects.get(arende=arende) in services.oppna(cast.stabschef)
    annat = cast.registrera("Förfrågan som drogs tillbaka")
    do_transition(annat, "avskriva", cast.stabschef, "Återkallad")
    assert Arende.objects.get(pk=annat.pk).state == "avskrivet"


def test_the_anmalan_names_a_motion_marked_since_the_kallelse_by_its_public_rubrik(cast):
    """The standing item keeps what the kallelse said; a document drawn up later (the
    protokoll, its public version on the anslagstavla) names each motion as it reads now, so
    a medborgarförslag marked secret after the kallelse is named by its offentlig rubrik
    (OSL 5 kap. 5 §): its marking, as everywhere its rubrik is shown."""
    from arenden.diarium import services as diarium_services
    from arenden.dokument import services as dokument

    sent = motion(
        cast,
        datetime.date(2024, 12, 1),
        "Medborgarförslag om Zlatanovic boende",
        typ="medborgarforslag",
    )
    mote = Mote(cast, datum=datetime.date(2025, 11, 12))
    mote.punkt(mote.berett_arende("Budget 2026"))
    mote.kalla()
    [anmalan] = mote.sammantrade.punkter.filter(typ=Punkt.Typ.ANMALAN_MOTIONER)
    assert "Zlatanovic" in anmalan.beskrivning
    i_beredning(cast, sent)
    sent.refresh_from_db()
    diarium_services.andra_sekretess(
        sent,
        user=cast.handlaggare,
        lagrum="OSL 26 kap. 1 §",
        motivering="Enskilds förhållanden",
        offentlig_rubrik="Medborgarförslag om boende",
    )
    sent.refresh_from_db()
    for publik in (True, False):
        text = " ".join(
            b.text + " ".join(b.rader)
            for b in dokument.protokoll(mote.sammantrade, publik=publik).block
        )
        assert "Zlatanovic" not in text
        assert f"{sent.diarienummer} {sent.publik_rubrik}, väckt 2024-12-01" in text
    anmalan.refresh_from_db()
    assert "Zlatanovic" in anmalan.beskrivning  # the record of what the kallelse said
