"""Who decides a motion or a medborgarförslag (KL 5 kap. 35 §, 6 kap. 38 § 4): fullmäktige.

A nämnd (the styrelse among them) where one is berett överlämnar it with a förslag to
fullmäktige, återremitterar or bordlägger it; its meeting never decides it, and nobody decides
it on the nämnd's behalf (delegation, or the ordförande in a brådskande ärende). The model
records no överlåtelse of a medborgarförslag to a nämnd (KL 5 kap. 23 § first paragraph 3),
so a medborgarförslag is held to the motion's rule. Before, a nämnd's bifall made the motion
*beslutat*, which stops its one-year clock (arenden.motion.services.AVGJORDA)."""

import datetime
import zoneinfo

import pytest
from django.utils import timezone

from arenden.delegering.services import att_besluta, fatta_delegationsbeslut
from arenden.diarium.services import fortsatt_i
from arenden.handlaggning.services import tilldela
from arenden.models import Beslut, Motion, Organ, Punkt
from arenden.motion import services
from arenden.sammantraden import protokoll
from tests import factories
from tests.test_sammantraden import Mote
from workflow.engine import RequirementMissing, do_transition

pytestmark = pytest.mark.django_db

STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")
VACKT = datetime.date(2025, 6, 1)
DAG = datetime.date(2025, 11, 12)
TYPER = ("motion", "medborgarforslag")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def klocka(monkeypatch):
    """Set the day every service reads as today: first eleven days before :data:`DAG`, when a
    fullmäktige meeting that day is kallat in time (KL 5 kap. 11 §)."""

    def stall(dag: datetime.date, timme: int = 12):
        tid = datetime.datetime.combine(dag, datetime.time(timme), tzinfo=STOCKHOLM)
        monkeypatch.setattr(timezone, "now", lambda: tid)

    stall(DAG - datetime.timedelta(days=11))
    return stall


def _halls(mote, klocka):
    """The meeting kallat, and today its day, once it has begun."""
    mote.kalla()
    klocka(mote.sammantrade.datum, 13)


@pytest.fixture
def kf(db):
    return factories.organ("KF", "Kommunfullmäktige", typ=Organ.Typ.FULLMAKTIGE)


def _motion(cast, fullmaktige, typ="motion", rubrik="Motion om cykelbanor"):
    """Registered in ``cast``'s organ, väckt in ``fullmaktige``, berett there with a förslag
    till beslut."""
    arende = services.registrera(
        user=cast.registrator,
        organ=cast.organ,
        arendemening=f"{rubrik} ({typ})",
        typ=typ,
        fullmaktige=fullmaktige,
        vackt=VACKT,
        registrerat=VACKT,
        namn="Anna Motionär",
    )
    _bered(cast, arende)
    return arende


def _bered(cast, arende):
    tilldela(arende, handlaggare=cast.handlaggare, user=cast.stabschef)
    do_transition(arende, "paborja_beredning", cast.handlaggare)
    factories.forslag_till_beslut(arende, cast.handlaggare)
    do_transition(arende, "markera_beredd", cast.handlaggare)
    arende.refresh_from_db()


def _oforandrad(punkt, arende, state="anmalt"):
    punkt.refresh_from_db()
    arende.refresh_from_db()
    assert punkt.utfall == "" and punkt.beslutet_id is None
    assert not Beslut.objects.filter(arende=arende).exists()
    assert arende.state == state and arende.beslutat is None


@pytest.mark.parametrize("typ", TYPER)
@pytest.mark.parametrize(
    "utfall", [Punkt.Utfall.BIFALL, Punkt.Utfall.AVSLAG, Punkt.Utfall.BESLUTAT]
)
def test_a_namnd_meeting_cannot_decide_a_motion_and_overlamnar_it_instead(kf, klocka, typ, utfall):
    mote = Mote()  # HSN, a nämnd, four ledamöter present
    arende = _motion(mote.cast, kf, typ)
    punkt = mote.punkt(arende)
    _halls(mote, klocka)
    with pytest.raises(RequirementMissing, match="avgörs av fullmäktige, inte av en nämnd"):
        mote.besluta(punkt, utfall=utfall)
    _oforandrad(punkt, arende)
    with pytest.raises(RequirementMissing, match=r"kommunallagen 5 kap\. 35 §"):
        mote.besluta(punkt)
    _oforandrad(punkt, arende)
    # the lawful route: a förslag to fullmäktige; the clock runs on
    mote.besluta(
        punkt,
        utfall=Punkt.Utfall.FORSLAG,
        beslut="Föreslå fullmäktige att bifalla.",
        forslag_till=kf,
    )
    arende.refresh_from_db()
    assert arende.state == "overlamnat"
    assert Motion.objects.get(arende=arende) in services.oppna(mote.cast.stabschef)


def test_a_motion_in_the_styrelse_is_not_decided_by_its_meeting(kf, klocka):
    """As the demo's RS 1201-2024: registered and berett in the styrelse, väckt in fullmäktige.
    The styrelse is a nämnd: it överlämnar."""
    ks = factories.organ("KS", "Kommunstyrelsen", typ=Organ.Typ.STYRELSE)
    mote = Mote(factories.Cast(ks.kod))
    arende = _motion(mote.cast, kf)
    punkt = mote.punkt(arende)
    _halls(mote, klocka)
    with pytest.raises(RequirementMissing, match="avgörs av fullmäktige"):
        mote.besluta(punkt)
    _oforandrad(punkt, arende)


def test_aterremiss_and_bordlaggning_stay_open_to_the_namnd(kf, klocka):
    mote = Mote()
    aterremiss = _motion(mote.cast, kf, rubrik="Motion om badplats")
    bordlagd = _motion(mote.cast, kf, typ="medborgarforslag", rubrik="Förslag om torget")
    p1, p2 = mote.punkt(aterremiss), mote.punkt(bordlagd)
    _halls(mote, klocka)
    mote.besluta(p1, utfall=Punkt.Utfall.ATERREMISS, beslut="", motivering="Mer underlag.")
    mote.besluta(p2, utfall=Punkt.Utfall.BORDLAGGNING, beslut="", motivering="Tiden räckte inte.")
    aterremiss.refresh_from_db()
    bordlagd.refresh_from_db()
    assert (aterremiss.state, bordlagd.state) == ("aterremitterat", "bordlagt")


@pytest.mark.parametrize("typ", TYPER)
def test_a_motion_or_medborgarforslag_is_never_decided_on_delegation(kf, klocka, delegat, typ):
    """KL 6 kap. 38 § 4: a medborgarförslag handed over to a nämnd may not be delegated; a
    motion is fullmäktige's. ``fatta_delegationsbeslut`` took it to *beslutat* before."""
    klocka(DAG)
    cast = factories.Cast()
    rad = factories.delegationspunkt(
        organ=cast.organ, delegat=delegat.person, giltig_till=datetime.date(2025, 12, 31)
    )
    arende = _motion(cast, kf, typ)
    with pytest.raises(RequirementMissing, match="får inte beslutas på delegation"):
        fatta_delegationsbeslut(arende, user=delegat, punkt=rad, datum=DAG, text="Bifalls.")
    arende.refresh_from_db()
    assert arende.state == "beredd" and not Beslut.objects.filter(arende=arende).exists()
    assert Motion.objects.get(arende=arende) in services.oppna(cast.stabschef)
    # another ärende of the nämnd is still decided so; the delegat's list offers only that
    annat = cast.berett("Remiss om vårdval")
    assert list(att_besluta(delegat)) == [annat]
    fatta_delegationsbeslut(annat, user=delegat, punkt=rad, datum=DAG, text="Yttra")
    annat.refresh_from_db()
    assert annat.state == "beslutat"


def test_nor_by_the_ordforande_in_a_bradskande_arende(kf, klocka):
    """KL 6 kap. 39 §: the ordförande decides on the nämnd's behalf, and the nämnd has no
    beslut to give in a motion."""
    from tests.test_delegering import _bradskande_rad

    klocka(DAG)
    mote, _plats, rad = _bradskande_rad()
    arende = _motion(mote.cast, kf, "medborgarforslag")
    with pytest.raises(RequirementMissing, match="får inte beslutas på delegation"):
        fatta_delegationsbeslut(
            arende, user=mote.ordforande_user, punkt=rad, datum=DAG, text="Bifalls."
        )
    arende.refresh_from_db()
    assert arende.state == "beredd" and not Beslut.objects.filter(arende=arende).exists()


@pytest.mark.parametrize("typ", TYPER)
def test_fullmaktige_decides_it(kf, klocka, typ):
    """Registered in fullmäktige's own diarium: its meeting decides, and the clock stops."""
    mote = Mote(factories.Cast(kf.kod))
    arende = _motion(mote.cast, kf, typ)
    punkt = mote.punkt(arende)
    _halls(mote, klocka)
    mote.besluta(punkt, beslut="Motionen bifalls.")
    arende.refresh_from_db()
    assert arende.state == "beslutat"
    assert arende.beslut.get().organ == kf
    assert Motion.objects.get(arende=arende) not in services.oppna(mote.cast.stabschef)


def test_fullmaktige_decides_the_matter_a_namnd_handed_on_and_no_other_organ_does(kf, klocka):
    """The nämnd's förslag is registered in fullmäktige's diarium as the matter's
    continuation (same ärendetyp, no record of its own): fullmäktige, the one where the motion
    was väckt, decides it there; another fullmäktige, which never had it, does not."""
    hsn = factories.Cast()
    arende = _motion(hsn, kf)
    klocka(DAG, 13)
    factories.besluta(arende, hsn.sekreterare, "Föreslå fullmäktige att bifalla.", forslag_till=kf)
    assert arende.state == "overlamnat"
    kfcast = factories.Cast(kf.kod)
    fortsattning = fortsatt_i(arende, organ=kf, user=kfcast.registrator)
    assert fortsattning.typ == "motion" and not Motion.objects.filter(arende=fortsattning)
    # closed in the nämnd once it goes on: the motion's clock runs on where it went
    do_transition(arende, "avsluta", hsn.stabschef)
    motionen = Motion.objects.get(arende=arende)
    assert arende.state == "avslutat" and motionen in services.oppna(hsn.stabschef)
    klocka(datetime.date(2026, 6, 2))  # a year and a day after it was väckt: overdue
    assert services.for_sidan(arende)["forsenad"] is True
    klocka(DAG, 14)
    _bered(kfcast, fortsattning)
    # a motion väckt in another fullmäktige, berett in KF's diarium
    rf = factories.organ("RF", "Regionfullmäktige", typ=Organ.Typ.FULLMAKTIGE)
    annan = _motion(kfcast, rf, rubrik="Regionens motion")
    mote = Mote(kfcast, datum=datetime.date(2025, 12, 10))
    fel = Mote(kfcast, datum=datetime.date(2025, 12, 11))
    punkt, p = mote.punkt(fortsattning), fel.punkt(annan)
    mote.kalla()
    fel.kalla()

    klocka(mote.sammantrade.datum, 13)
    mote.besluta(punkt, beslut="Motionen bifalls.")
    fortsattning.refresh_from_db()
    assert fortsattning.state == "beslutat"
    assert motionen not in services.oppna(hsn.stabschef)  # fullmäktige has decided it

    klocka(fel.sammantrade.datum, 13)
    with pytest.raises(RequirementMissing, match="avgörs av fullmäktige"):
        fel.besluta(p)
    _oforandrad(p, annan)
    assert protokoll.antal_tjanstgorande(p, fel.sammantrade) == 4
