"""Beslutförhet (KL 5 kap. 45 § for fullmäktige, KL 6 kap. 27 § for a nämnd): a meeting
handles an ärende only when more than half of the ledamöter serve in its item; a nämnd, when
so many of the others are kept out by jäv, with at least a third. Counted from the närvaro,
jäv and tjänstgöring recorded, against the organ's register on the meeting day; an organ whose
register holds no ledamot that day needs one member serving (arenden.sammantraden.beslutforhet).
Before, protokoll.besluta recorded a beslut at a meeting where nobody was present."""

import datetime
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from arenden.dokument import services as dokument
from arenden.models import Beslut, Deltagare, Ledamotsuppdrag, Organ, Person, Punkt
from arenden.sammantraden import beslutforhet, protokoll
from tests import factories
from workflow.engine import RequirementMissing, allowed_transitions, do_transition, history

pytestmark = pytest.mark.django_db

STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")
DAG = datetime.date(2025, 11, 12)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def klocka(monkeypatch):
    """Today eleven days before the meeting (a fullmäktige is kallat in time, KL 5 kap.
    11 §); :meth:`Mote.hall` moves to the meeting itself."""

    def stall(dag: datetime.date, timme: int = 12):
        tid = datetime.datetime.combine(dag, datetime.time(timme), tzinfo=STOCKHOLM)
        monkeypatch.setattr(timezone, "now", lambda: tid)

    stall(DAG - datetime.timedelta(days=11))
    return stall


class Mote:
    """A meeting of an organ with ``register`` seats as ledamot valid on the meeting day
    (``avslutade`` more that ended before it), ``narvarande`` of them present (the first the
    ordförande), one item with a berett ärende, and in that item: the last ``javiga`` of those
    present jäviga, the ``franvarande`` before them absent from it, and an ersättare serving
    for each of the first ``ersattare_i_punkten`` of those (KL 6 kap. 16 §). Besides:
    ``ersattare_hela`` ersättare serving for the whole meeting for a ledamot of the register
    not present, ``ersattare_med`` ersättare who only attend."""

    def __init__(
        self,
        register,
        narvarande,
        *,
        javiga=0,
        franvarande=0,
        ersattare_i_punkten=0,
        ersattare_hela=0,
        ersattare_med=0,
        avslutade=0,
        fullmaktige=False,
    ):
        kod = "KF" if fullmaktige else "HSN"
        typ = Organ.Typ.FULLMAKTIGE if fullmaktige else Organ.Typ.NAMND
        self.organ = factories.organ(kod, f"Organet {kod}", typ=typ)
        self.cast = factories.Cast(kod)
        sek = self.sek = self.cast.sekreterare
        antal = max(register, narvarande + ersattare_hela)
        self.ledamoter = [self._person(f"Ledamot {i}") for i in range(antal)]
        for person in self.ledamoter[:register]:
            factories.ledamot(self.organ, person)
        for i in range(avslutade):
            factories.ledamot(
                self.organ, self._person(f"Avgången {i}"), till=DAG - datetime.timedelta(days=1)
            )
        self.sammantrade = protokoll.planera(organ=self.organ, datum=DAG, plats="Salen", user=sek)
        self.arende = self.cast.berett("Ett ärende att besluta")
        self.punkt = protokoll.lagg_till_punkt(
            self.sammantrade, user=sek, arende=self.arende, slag=Punkt.Slag.BESLUTSARENDE
        )
        narvaro = []
        for i, person in enumerate(self.ledamoter[:narvarande]):
            roll = Deltagare.Roll.ORDFORANDE if i == 0 else Deltagare.Roll.LEDAMOT
            narvaro.append(self._deltar(person, roll))
        borta = self.ledamoter[narvarande : narvarande + ersattare_hela]
        for i, ledamot in enumerate(borta):
            self._deltar(self._ersattare(f"Hela {i}"), Deltagare.Roll.ERSATTARE, ersatter=ledamot)
        for i in range(ersattare_med):
            self._deltar(self._ersattare(f"Med {i}"), Deltagare.Roll.ERSATTARE)
        delta = len(narvaro) - javiga
        jav = narvaro[delta:]
        franv = narvaro[delta - franvarande : delta]
        for d in jav:
            protokoll.anmal_jav(self.punkt, d.person, user=sek, grund="Närstående")
        for d in franv:
            protokoll.andra_narvaro(d, user=sek, franvarande_pa=[self.punkt])
        for i, d in enumerate((franv + jav)[:ersattare_i_punkten]):
            e = self._deltar(self._ersattare(f"Punkt {i}"), Deltagare.Roll.ERSATTARE)
            protokoll.tjanstgor_for(self.punkt, e, d, user=sek)

    def _person(self, namn):
        return factories.person(
            f"{namn} {self.organ.kod}", typ=Person.Typ.FORTROENDEVALD, parti="s", kommun="Umeå"
        )

    def _ersattare(self, namn):
        person = self._person(f"Ersättare {namn}")
        factories.ledamot(self.organ, person, uppdrag=Ledamotsuppdrag.Uppdrag.ERSATTARE)
        return person

    def _deltar(self, person, roll, **falt):
        return protokoll.lagg_till_deltagare(
            self.sammantrade, person, roll=roll, user=self.sek, **falt
        )

    def hall(self, klocka):
        protokoll.kalla(self.sammantrade, user=self.sek)
        klocka(DAG, 13)

    def besluta(self, utfall=Punkt.Utfall.BIFALL, **kw):
        kw.setdefault("beslut", "Att bifalla förslaget.")
        if utfall in (Punkt.Utfall.ATERREMISS, Punkt.Utfall.BORDLAGGNING):
            kw.setdefault("motivering", "Mer underlag behövs.")
        return protokoll.besluta(self.punkt, user=self.sek, utfall=utfall, **kw)

    def oforandrat(self):
        """Nothing recorded: the item undecided, no beslut, the ärende still anmält."""
        punkt = Punkt.objects.get(pk=self.punkt.pk)
        self.arende.refresh_from_db()
        assert (punkt.utfall, punkt.beslut, punkt.beslutet_id) == ("", "", None)
        assert not Beslut.objects.filter(arende=self.arende).exists()
        assert self.arende.state == "anmalt" and self.arende.beslutat is None


# register, present ledamöter, jäviga, absent from the item, ersättare serving in the item
# (for the jäviga or absent), and: beslutför?
TABELL = [
    # an organ without ledamöter in its register: one member serving, never nobody
    pytest.param(0, 0, {}, False, id="inget register, ingen närvarande"),
    pytest.param(0, 1, {}, True, id="inget register, en närvarande"),
    pytest.param(0, 2, {"javiga": 2}, False, id="inget register, alla jäviga"),
    # more than half
    pytest.param(5, 3, {}, True, id="3 av 5"),
    pytest.param(5, 2, {}, False, id="2 av 5"),
    pytest.param(4, 2, {}, False, id="exakt hälften är inte mer än hälften"),
    pytest.param(4, 3, {}, True, id="3 av 4"),
    pytest.param(6, 4, {"avslutade": 3}, True, id="uppdrag som slutat räknas inte"),
    # absent from the item, and an ersättare serving there in the place of one absent
    pytest.param(5, 3, {"franvarande": 1}, False, id="en frånvarande på punkten"),
    pytest.param(
        5, 3, {"franvarande": 1, "ersattare_i_punkten": 1}, True, id="ersättare i punkten"
    ),
    pytest.param(4, 2, {"ersattare_med": 1}, False, id="ersättare som bara är med räknas inte"),
    pytest.param(4, 2, {"ersattare_hela": 1}, True, id="ersättare för hela sammanträdet"),
    # KL 6 kap. 27 § second sentence: at least a third, so many of the others jäviga
    pytest.param(9, 5, {"javiga": 2}, True, id="en tredjedel med jäv"),
    pytest.param(9, 5, {"javiga": 3}, False, id="under en tredjedel med jäv"),
    pytest.param(9, 3, {}, False, id="en tredjedel utan jäv"),
    pytest.param(9, 5, {"franvarande": 2}, False, id="en tredjedel, de övriga frånvarande"),
    pytest.param(9, 4, {"javiga": 1}, False, id="en tredjedel, för få jäviga"),
    pytest.param(
        9, 5, {"javiga": 1, "franvarande": 1}, False, id="en tredjedel, en jävig en borta"
    ),
    pytest.param(5, 3, {"javiga": 1}, True, id="två av fem, den tredje jävig"),
    pytest.param(
        5, 3, {"javiga": 1, "ersattare_i_punkten": 1}, True, id="ersättare för den jävige"
    ),
    # KL 5 kap. 45 §: fullmäktige, no rule for jäv
    pytest.param(9, 5, {"javiga": 2, "fullmaktige": True}, False, id="fullmäktige med jäv"),
    pytest.param(4, 2, {"fullmaktige": True}, False, id="fullmäktige exakt hälften"),
    pytest.param(4, 3, {"fullmaktige": True}, True, id="fullmäktige 3 av 4"),
]


@pytest.mark.parametrize(("register", "narvarande", "annat", "beslutfor"), TABELL)
def test_the_table(register, narvarande, annat, beslutfor):
    mote = Mote(register, narvarande, **annat)
    assert beslutforhet.beslutfor(mote.punkt) is beslutfor
    skal = beslutforhet.varfor_inte(mote.punkt)
    assert (skal == "") is beslutfor


@pytest.mark.parametrize(
    ("ledamoter", "tjanstgorande", "javiga", "fullmaktige", "beslutfor"),
    [
        (0, 0, 0, False, False),
        (0, 1, 0, True, True),
        (1, 1, 0, False, True),
        (2, 1, 0, False, False),
        (2, 1, 1, False, True),  # a third present, the other jävig
        (3, 1, 2, False, True),
        (3, 1, 2, True, False),
        (10, 5, 0, False, False),
        (10, 6, 0, True, True),
        (10, 4, 2, False, True),
        (10, 3, 5, False, False),  # 3 is less than a third of 10
        (10, 4, 1, False, False),
        (12, 4, 3, False, True),
    ],
)
def test_the_arithmetic(ledamoter, tjanstgorande, javiga, fullmaktige, beslutfor):
    bedomning = beslutforhet.bedom_tal(ledamoter, tjanstgorande, javiga, fullmaktige=fullmaktige)
    assert bedomning.beslutfor is beslutfor


def test_exactly_half_is_refused_with_the_counts_and_nothing_is_recorded(klocka):
    mote = Mote(4, 2)
    mote.hall(klocka)
    with pytest.raises(RequirementMissing) as fel:
        mote.besluta()
    text = str(fel.value)
    assert "Organet HSN är inte beslutför under punkt 1: 2 av 4 ledamöter deltar" in text
    assert "mer än hälften av ledamöterna (minst 3)" in text
    assert "kommunallagen 6 kap. 27 §" in text
    mote.oforandrat()
    # a third ledamot arrives: the meeting is beslutfört
    mote._deltar(mote.ledamoter[2], Deltagare.Roll.LEDAMOT)
    mote.besluta()
    mote.arende.refresh_from_db()
    assert mote.arende.state == "beslutat"


def test_at_a_meeting_where_nobody_is_present_nothing_is_decided(klocka):
    mote = Mote(0, 2)  # kallade, and then noted absent
    for deltagare in mote.sammantrade.deltagare.all():
        protokoll.andra_narvaro(deltagare, user=mote.sek, narvarande=False)
    mote.hall(klocka)
    with pytest.raises(RequirementMissing, match="ingen ledamot eller tjänstgörande ersättare"):
        mote.besluta()
    mote.oforandrat()


@pytest.mark.parametrize(
    "utfall",
    [
        Punkt.Utfall.BIFALL,
        Punkt.Utfall.AVSLAG,
        Punkt.Utfall.INFORMATION,
        Punkt.Utfall.ATERREMISS,
        Punkt.Utfall.BORDLAGGNING,
        Punkt.Utfall.FORSLAG,
    ],
)
def test_every_decision_on_the_item_needs_a_beslutfort_meeting(klocka, utfall):
    mote = Mote(5, 2)
    mote.hall(klocka)
    kw = {"forslag_till": factories.organ("KS", "Kommunstyrelsen", typ=Organ.Typ.STYRELSE)}
    with pytest.raises(RequirementMissing, match=r"2 av 5 ledamöter deltar"):
        mote.besluta(utfall, **(kw if utfall == Punkt.Utfall.FORSLAG else {}))
    mote.oforandrat()


def test_an_item_without_an_arende_needs_a_beslutfort_meeting_too(klocka):
    """A val or an informationsärende has no ärende whose step would ask: the service asks
    the same rule, counted under that item, and records nothing when it fails."""
    mote = Mote(5, 2)
    val = protokoll.lagg_till_punkt(
        mote.sammantrade,
        user=mote.sek,
        typ=Punkt.Typ.OVRIGT,
        rubrik="Val av ersättare i utskottet",
        slag=Punkt.Slag.BESLUTSARENDE,
    )
    mote.hall(klocka)
    with pytest.raises(ValidationError) as fel:
        protokoll.besluta(val, user=mote.sek, utfall=Punkt.Utfall.BESLUTAT, beslut="Att välja.")
    assert "Beslutet kan inte föras in" in str(fel.value)
    assert f"punkt {val.beteckning}: 2 av 5 ledamöter deltar" in str(fel.value)
    val.refresh_from_db()
    assert (val.utfall, val.beslut) == ("", "")
    # a third ledamot arrives: the organ decides the val
    mote._deltar(mote.ledamoter[2], Deltagare.Roll.LEDAMOT)
    protokoll.besluta(val, user=mote.sek, utfall=Punkt.Utfall.BESLUTAT, beslut="Att välja.")
    val.refresh_from_db()
    assert (val.utfall, val.beslut) == ("beslutat", "Att välja.")


def test_an_item_the_organ_cannot_handle_is_noted_and_the_meeting_goes_on(klocka):
    """Quorum lost during the meeting left an item nothing could be recorded under, and so a
    protokoll that could never be drawn up. The item is noted as not handled, with the counts;
    its ärende goes back to beredd for another meeting, and the protokoll is drawn up."""
    mote = Mote(5, 2)
    mote._deltar(mote.ledamoter[2], Deltagare.Roll.LEDAMOT, justerare=True)
    mote.hall(klocka)
    # beslutfört (3 of 5): what was decided is recorded, "not handled" is refused
    with pytest.raises(ValidationError, match="är beslutfört under punkt 1"):
        mote.besluta(Punkt.Utfall.EJ_BESLUTFORT)
    mote.oforandrat()
    # the third ledamot leaves: nothing can be decided under the item, but it is noted
    tredje = mote.sammantrade.deltagare.get(person=mote.ledamoter[2])
    protokoll.andra_narvaro(tredje, user=mote.sek, franvarande_pa=[mote.punkt])
    mote.besluta(Punkt.Utfall.EJ_BESLUTFORT, beslut="Ignoreras")
    punkt = Punkt.objects.get(pk=mote.punkt.pk)
    assert (punkt.utfall, punkt.beslut, punkt.beslutet_id) == ("ej_beslutfort", "", None)
    assert "2 av 5 ledamöter deltar" in punkt.motivering
    mote.arende.refresh_from_db()
    assert mote.arende.state == "beredd" and not Beslut.objects.filter(arende=mote.arende)
    steg = history(mote.arende).last()
    assert steg.transition == "stryk" and "Inte behandlat vid" in steg.comment
    # the protokoll is drawn up, the item with its paragraph, saying it was not handled
    protokoll.uppratta(mote.sammantrade, user=mote.sek)
    punkt.refresh_from_db()
    assert punkt.paragraf is not None
    text = " ".join(b.text for b in dokument.protokoll(mote.sammantrade).block if b.text)
    assert "Ej behandlat" in text
    assert "Ärendet behandlades inte: Organet HSN är inte beslutför under punkt 1" in text
    # and the ärende can go to another meeting
    assert "anmal" in [t.id for t in allowed_transitions(mote.arende, mote.sek)]


def test_fullmaktige_has_no_rule_for_jav(klocka):
    mote = Mote(9, 5, javiga=2, fullmaktige=True)
    mote.hall(klocka)
    with pytest.raises(RequirementMissing) as fel:
        mote.besluta()
    text = str(fel.value)
    assert "Organet KF är inte beslutfört under punkt 1: 3 av 9 ledamöter deltar" in text
    assert "kommunallagen 5 kap. 45 §" in text
    mote.oforandrat()


def test_a_namnd_with_a_third_present_and_the_others_javiga_decides(klocka):
    mote = Mote(9, 5, javiga=2)
    mote.hall(klocka)
    mote.besluta()
    mote.arende.refresh_from_db()
    assert mote.arende.state == "beslutat"


def test_a_third_without_enough_jav_is_refused_with_the_rule_for_jav(klocka):
    mote = Mote(9, 4, javiga=1)
    mote.hall(klocka)
    with pytest.raises(RequirementMissing) as fel:
        mote.besluta()
    text = str(fel.value)
    assert "3 av 9 ledamöter deltar" in text
    assert "med 1 jäviga får ärendet handläggas med minst en tredjedel (3)" in text
    assert "6 kap. 27 § andra meningen" in text
    mote.oforandrat()


def test_the_step_itself_is_refused_whoever_takes_it(klocka):
    """A bordläggning put in the item and the step taken directly, past protokoll.besluta:
    the engine refuses it all the same."""
    mote = Mote(4, 2)
    mote.hall(klocka)
    Punkt.objects.filter(pk=mote.punkt.pk).update(utfall="bordlaggning", motivering="Tiden")
    with pytest.raises(RequirementMissing, match="inte beslutför under punkt 1"):
        do_transition(mote.arende, "bordlagga", mote.sek, "Tiden räckte inte")
    mote.arende.refresh_from_db()
    assert mote.arende.state == "anmalt"


def test_the_rule_without_a_refusal_reads_as_the_law():
    """The requirement's text outside a refusal (the definition's export, the docs)."""
    from flows.arende import BESLUTFORT

    assert str(BESLUTFORT.missing) == (
        "sammanträdet är inte beslutfört under ärendets punkt: mer än hälften av ledamöterna "
        "ska delta (kommunallagen 5 kap. 45 §, 6 kap. 27 §)"
    )
    assert BESLUTFORT.as_dict()["missing"] == str(BESLUTFORT.missing)


def test_who_was_absent_from_which_item_is_in_the_narvaros_signed_history():
    """A revisor reconstructs who served in each paragraph (KL 5 kap. 45 §) from the
    närvaro's field history: each change of the items someone was absent from is a signed
    row that names it and who made it, not only a row of the many-to-many that keeps none."""
    from workflow import fieldhistory

    mote = Mote(5, 3)
    andra = protokoll.lagg_till_punkt(
        mote.sammantrade, user=mote.sek, arende=mote.cast.berett("Ett annat ärende")
    )
    d = mote.sammantrade.deltagare.order_by("ordning", "pk")[1]
    protokoll.andra_narvaro(d, user=mote.sek, franvarande_pa=[andra, mote.punkt])
    protokoll.andra_narvaro(d, user=mote.sek, franvarande_pa=[andra])
    protokoll.andra_narvaro(d, user=mote.sek, franvarande_pa=[])
    rader = list(d.history.order_by("history_id"))
    assert [r.franvarande_punkter for r in rader[-3:]] == [
        f"{mote.punkt.ordning}, {andra.ordning}",
        f"{andra.ordning}",
        "",
    ]
    assert {r.history_user for r in rader[-3:]} == {mote.sek}
    # the rows are in the signed chain, and intact
    antal, problem = fieldhistory.verify()
    assert antal and problem == []


def test_an_items_bilagor_are_in_its_signed_history():
    from arenden.diarium.services import lagg_till_handling

    mote = Mote(3, 3)
    arende = mote.cast.berett("Ett ärende med bilagor")
    bilagor = [
        lagg_till_handling(
            arende, user=mote.cast.registrator, typ="bilaga", riktning="inkommen", titel=t
        )
        for t in ("Karta", "Kalkyl")
    ]
    punkt = protokoll.lagg_till_punkt(
        mote.sammantrade, user=mote.sek, arende=arende, bilagor=bilagor
    )
    forsta = punkt.history.earliest("history_id")
    assert forsta.bilagor_beteckningar == f"{bilagor[0].beteckning}, {bilagor[1].beteckning}"
    assert forsta.history_user == mote.sek
