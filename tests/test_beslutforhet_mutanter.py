"""Rules that mutation testing (.ci/mutation) found no test for: the quorum (KL 5 kap. 45 §
for fullmäktige, 6 kap. 27 § for a nämnd, arenden.sammantraden.beslutforhet) and whether a
motion's one-year clock still runs once its ärende was handed on (KL 5 kap. 35 §,
arenden.motion.services.fristen_lopar).

Each test states what a nämndsekreterare or a revisor can check: who counts as kept out of an
item by jäv (not one whose seat an ersättare fills there, not one absent from the item, not
one who had not yet joined or had already left), the refusal texts word for word with their
counts, that the quorum is read from what is recorded now, and that a motion's clock runs on
where the matter went on, however many organs it passed, and stops when it is decided there.
"""

import datetime
import zoneinfo

import pytest
from django.utils import timezone

from arenden.diarium.models import Arende, ArendeRelation
from arenden.diarium.services import registrera_arende
from arenden.models import Motion, Organ, Punkt
from arenden.motion import services as motion
from arenden.sammantraden import beslutforhet, protokoll
from tests import factories
from tests.test_beslutforhet import Mote

pytestmark = pytest.mark.django_db

STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")
DAG = datetime.date(2025, 11, 12)
VACKT = datetime.date(2025, 6, 1)

NAMND_NEJ = (
    "Organet HSN är inte beslutför under punkt {n}: {p} av {l} ledamöter deltar, och en nämnd "
    "får handlägga ärenden bara när mer än hälften av ledamöterna (minst {k}) är närvarande "
    "(kommunallagen 6 kap. 27 §)"
)
MED_JAV = (
    "; med {j} jäviga får ärendet handläggas med minst en tredjedel ({t}) närvarande bara om "
    "så många av de övriga är förhindrade på grund av jäv (6 kap. 27 § andra meningen)"
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def klocka(monkeypatch):
    """Today eleven days before the meeting; ``klocka(dag)`` moves it."""

    def stall(dag: datetime.date, timme: int = 12):
        tid = datetime.datetime.combine(dag, datetime.time(timme), tzinfo=STOCKHOLM)
        monkeypatch.setattr(timezone, "now", lambda: tid)

    stall(DAG - datetime.timedelta(days=11))
    return stall


def _deltagare(mote, i):
    """The line of the närvaro of the meeting's ``i``-th ledamot."""
    return mote.sammantrade.deltagare.get(person=mote.ledamoter[i])


def _andra_punkten(mote):
    """A second item after the ärende's, the same two members jäviga there as in the first."""
    punkt = protokoll.lagg_till_punkt(
        mote.sammantrade,
        user=mote.sek,
        typ=Punkt.Typ.OVRIGT,
        rubrik="Val av ersättare i utskottet",
        slag=Punkt.Slag.BESLUTSARENDE,
    )
    for jav in mote.punkt.jav.all():
        protokoll.anmal_jav(punkt, jav.person, user=mote.sek, grund="Närstående")
    return punkt


def _rakning(punkt):
    bedomning = beslutforhet.bedom(punkt)
    return bedomning.tjanstgorande, bedomning.javiga, bedomning.beslutfor


# -- the refusal texts, word for word -----------------------------------------------------------


def test_an_organ_without_a_register_is_told_that_nobody_serves():
    """No ledamot in the organ's register on the meeting day and nobody present: the refusal
    says the protokoll must name who decided, with both paragraphs of the law."""
    mote = Mote(0, 0)
    assert beslutforhet.varfor_inte(mote.punkt) == (
        "ingen ledamot eller tjänstgörande ersättare deltar under punkt 1, och protokollet ska "
        "visa vilka som beslutade (organets ledamotsregister har inga ledamöter på "
        "sammanträdesdagen; kommunallagen 5 kap. 45 §, 6 kap. 27 §)"
    )


def test_fullmaktige_is_refused_with_its_own_paragraph_and_no_word_of_jav():
    mote = Mote(9, 5, javiga=2, fullmaktige=True)
    assert beslutforhet.varfor_inte(mote.punkt) == (
        "Organet KF är inte beslutfört under punkt 1: 3 av 9 ledamöter deltar, och fullmäktige "
        "får handlägga ärenden bara när mer än hälften av ledamöterna (minst 5) är närvarande "
        "(kommunallagen 5 kap. 45 §)"
    )


def test_a_namnd_with_too_few_javiga_is_refused_with_the_rule_for_jav():
    mote = Mote(9, 4, javiga=1)
    assert beslutforhet.varfor_inte(mote.punkt) == NAMND_NEJ.format(
        n=1, p=3, l=9, k=5
    ) + MED_JAV.format(j=1, t=3)


def test_without_the_organs_name_the_refusal_says_organet():
    bedomning = beslutforhet.Beslutforhet(5, 2, 0, False, punkt="3")
    assert bedomning.skal() == (
        "organet är inte beslutför under punkt 3: 2 av 5 ledamöter deltar, och en nämnd får "
        "handlägga ärenden bara när mer än hälften av ledamöterna (minst 3) är närvarande "
        "(kommunallagen 6 kap. 27 §)"
    )


def test_the_counts_alone_are_a_namnds_without_jav_unless_told_otherwise():
    """4 of 9 is less than half; with one jävig it would be a third with the majority missing
    through jäv, and in fullmäktige 1 of 2 with the other jävig would not do."""
    bedomning = beslutforhet.bedom_tal(9, 4)
    assert (bedomning.javiga, bedomning.fullmaktige, bedomning.beslutfor) == (0, False, False)
    assert beslutforhet.bedom_tal(2, 1, 1).beslutfor is True
    assert beslutforhet.bedom_tal(2, 1, 1, fullmaktige=True).beslutfor is False


# -- who is kept out by jäv ---------------------------------------------------------------------


def test_a_javig_whose_seat_an_ersattare_fills_is_not_kept_out_by_jav():
    """Four of nine serve, an ersättare among them in the place of the jävig ledamot: no seat
    is missing because of jäv, so the second sentence of 6 kap. 27 § does not help."""
    mote = Mote(9, 4, javiga=1, ersattare_i_punkten=1)
    assert _rakning(mote.punkt) == (4, 0, False)
    assert beslutforhet.varfor_inte(mote.punkt) == NAMND_NEJ.format(n=1, p=4, l=9, k=5)


def test_a_javig_who_is_absent_from_the_item_is_not_kept_out_by_jav():
    """Three of nine serve, two jäviga: beslutför. One of the two is noted absent from the
    item: that seat is missing because of the absence, not of jäv, and it is not."""
    mote = Mote(9, 5, javiga=2)
    assert _rakning(mote.punkt) == (3, 2, True)
    protokoll.andra_narvaro(_deltagare(mote, 4), user=mote.sek, franvarande_pa=[mote.punkt])
    assert _rakning(mote.punkt) == (3, 1, False)
    assert beslutforhet.varfor_inte(mote.punkt) == NAMND_NEJ.format(
        n=1, p=3, l=9, k=5
    ) + MED_JAV.format(j=1, t=3)


def test_a_javig_absent_from_another_item_is_kept_out_by_jav_in_this_one():
    mote = Mote(9, 5, javiga=2)
    andra = _andra_punkten(mote)
    protokoll.andra_narvaro(_deltagare(mote, 4), user=mote.sek, franvarande_pa=[andra])
    assert _rakning(mote.punkt) == (3, 2, True)
    assert _rakning(andra) == (3, 1, False)


def test_a_javig_who_joins_at_a_later_item_is_kept_out_by_jav_from_that_item_on():
    """The jävig ledamot joins the meeting at the second item: under the first the seat is
    empty because nobody was there, not because of jäv; under the second, jäv keeps them
    out (the item where one joins counts)."""
    mote = Mote(9, 5, javiga=2)
    andra = _andra_punkten(mote)
    protokoll.andra_narvaro(_deltagare(mote, 4), user=mote.sek, anslot_fran=andra)
    assert _rakning(mote.punkt) == (3, 1, False)
    assert beslutforhet.varfor_inte(mote.punkt) == NAMND_NEJ.format(
        n=1, p=3, l=9, k=5
    ) + MED_JAV.format(j=1, t=3)
    assert _rakning(andra) == (3, 2, True)
    assert beslutforhet.varfor_inte(andra) == ""


def test_a_javig_who_leaves_after_an_item_is_kept_out_by_jav_until_then():
    """The jävig ledamot leaves after the first item: under it jäv keeps them out (the item
    after which one leaves counts); under the second the seat is empty because they left."""
    mote = Mote(9, 5, javiga=2)
    andra = _andra_punkten(mote)
    protokoll.andra_narvaro(_deltagare(mote, 4), user=mote.sek, lamnade_efter=mote.punkt)
    assert _rakning(mote.punkt) == (3, 2, True)
    assert _rakning(andra) == (3, 1, False)
    assert beslutforhet.varfor_inte(andra) == NAMND_NEJ.format(
        n=andra.beteckning, p=3, l=9, k=5
    ) + MED_JAV.format(j=1, t=3)


# -- read from what is recorded, in a fixed number of queries -----------------------------------


def test_the_quorum_is_read_from_what_is_recorded_now_not_from_the_item_in_hand():
    """The item was read (its jäv with it) before three of the five present were noted
    jäviga: asked about that item, the quorum counts the jäv recorded since."""
    mote = Mote(9, 5)
    punkt = beslutforhet.med_narvaron(Punkt.objects).get(pk=mote.punkt.pk)
    assert beslutforhet.beslutfor(punkt) is True
    for person in mote.ledamoter[2:5]:
        protokoll.anmal_jav(mote.punkt, person, user=mote.sek, grund="Närstående")
    assert beslutforhet.beslutfor(punkt) is False
    assert beslutforhet.varfor_inte(punkt) == NAMND_NEJ.format(n=1, p=2, l=9, k=5) + MED_JAV.format(
        j=3, t=3
    )


def test_the_quorum_costs_the_same_queries_whoever_joined_late_or_left_early(
    django_assert_num_queries,
):
    """Five queries for an item read through med_narvaron (two to read it), seven for one
    read afresh, however many members joined late, left early or are jäviga."""
    mote = Mote(9, 6, javiga=2, ersattare_med=1)
    andra = _andra_punkten(mote)
    protokoll.andra_narvaro(_deltagare(mote, 1), user=mote.sek, anslot_fran=mote.punkt)
    protokoll.andra_narvaro(_deltagare(mote, 2), user=mote.sek, lamnade_efter=andra)
    protokoll.andra_narvaro(_deltagare(mote, 5), user=mote.sek, anslot_fran=andra)
    with django_assert_num_queries(7):
        punkt = beslutforhet.med_narvaron(Punkt.objects).get(pk=mote.punkt.pk)
        laddad = beslutforhet.bedom(punkt, laddad=True)
    assert (laddad.tjanstgorande, laddad.javiga, laddad.beslutfor) == (4, 1, True)
    fran_borjan = Punkt.objects.get(pk=andra.pk)
    with django_assert_num_queries(7):
        bedomning = beslutforhet.bedom(fran_borjan)
    assert (bedomning.tjanstgorande, bedomning.javiga, bedomning.beslutfor) == (4, 2, True)


# -- the motion's clock, followed where the matter went on --------------------------------------


@pytest.fixture
def kedja(db):
    """``kedja(*states)``: a motion väckt in fullmäktige and registered in the nämnd, handed
    on (FORTSATTER_I) along a chain of ärenden in the styrelse's and fullmäktige's diarium,
    one for each state after the first (the motion's own). Besides, another matter handed on
    and still open, which has nothing to do with it."""
    hsn = factories.Cast()
    kf = factories.organ("KF", "Kommunfullmäktige", typ=Organ.Typ.FULLMAKTIGE)
    ks = factories.organ("KS", "Kommunstyrelsen", typ=Organ.Typ.STYRELSE)
    organen = [ks, kf]

    def fortsattning(fran, i, state):
        till = registrera_arende(
            organ=organen[i % 2],
            arendemening=f"Fortsättning {i} av {fran.arendemening}",
            typ="motion",
            user=hsn.registrator,
            registrerat=VACKT,
        )
        Arende.objects.filter(pk=till.pk).update(state=state)
        ArendeRelation.objects.create(fran=fran, till=till, typ=ArendeRelation.Typ.FORTSATTER_I)
        return till

    annan = hsn.registrera("En annan nämnds förslag")
    Arende.objects.filter(pk=annan.pk).update(state="avslutat")
    fortsattning(annan, 0, "under_beredning")

    def bygg(state, *vidare):
        arende = motion.registrera(
            user=hsn.registrator,
            organ=hsn.organ,
            arendemening="Motion om cykelbanor",
            typ="motion",
            fullmaktige=kf,
            vackt=VACKT,
            registrerat=VACKT,
            namn="Anna Motionär",
        )
        Arende.objects.filter(pk=arende.pk).update(state=state)
        led = arende
        for i, nasta in enumerate(vidare):
            led = fortsattning(led, i, nasta)
        arende.refresh_from_db()
        return arende

    return bygg


def _lopar(arende, klocka):
    """Does the clock run, asked as the ärende page asks (one ärende), as the lists ask (the
    motions), and as the ärende page shows it a year and a day after it was väckt?"""
    en = motion.fristen_lopar_for(arende)
    listan = Motion.objects.filter(motion.fristen_lopar(), arende=arende).exists()
    klocka(datetime.date(2026, 6, 2))
    forsenad = motion.for_sidan(arende)["forsenad"]
    return en, listan, forsenad


@pytest.mark.parametrize(
    ("kedjan", "lopar"),
    [
        pytest.param(("under_beredning",), True, id="under beredning"),
        pytest.param(("overlamnat",), True, id="överlämnat, ännu inte avslutat"),
        pytest.param(("beslutat",), False, id="beslutat"),
        pytest.param(("avskrivet",), False, id="avskrivet"),
        pytest.param(("avslutat", "under_beredning"), True, id="öppet i styrelsen"),
        pytest.param(("avslutat", "beslutat"), False, id="beslutat i styrelsen"),
        pytest.param(("avslutat", "avslutat", "anmalt"), True, id="nämnd, styrelse, fullmäktige"),
        pytest.param(("avslutat", "avslutat", "beslutat"), False, id="beslutat i fullmäktige"),
        pytest.param(
            ("avslutat", "avslutat", "avslutat", "beredd"), True, id="tre steg, öppet i det sista"
        ),
        pytest.param(
            ("avslutat", "avslutat", "avslutat", "avslutat", "anmalt"), True, id="fyra steg"
        ),
        pytest.param(
            ("avslutat", "avslutat", "avslutat", "beslutat"), False, id="tre steg, beslutat"
        ),
    ],
)
def test_fristen_runs_until_the_matter_is_decided_where_it_went_on(kedja, klocka, kedjan, lopar):
    arende = kedja(*kedjan)
    assert _lopar(arende, klocka) == (lopar, lopar, lopar)


def test_fristen_is_not_kept_running_by_an_arende_only_related_to_it(kedja, klocka):
    """Only a continuation (fortsätter i) carries the matter on: an open ärende merely
    related to the closed motion does not keep its clock running."""
    arende = kedja("avslutat")
    oppet = kedja("under_beredning")
    ArendeRelation.objects.create(fran=arende, till=oppet, typ=ArendeRelation.Typ.RELATERAT)
    assert _lopar(arende, klocka) == (False, False, False)
