"""No state of a meeting without the records it means, whoever calls the engine: the
kallelse needs its kallade recorded (KL 5 kap. 12 §, 6 kap. 17 §), the protokoll an
ordförande and a justerare to justera it (KL 5 kap. 69 §, 6 kap. 35 §), and every signed
entry of the meeting's history that says something was justerat, proposed or signed a record
of its own behind it that no earlier entry accounts for. A step taken straight through
``workflow.engine.do_transition`` is refused as the services' are not, and changes nothing."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from arenden.models import (
    Deltagare,
    Kallelsemottagare,
    Ledamotsuppdrag,
    Paragrafjustering,
    Rattelse,
    Rattelsesignatur,
)
from arenden.sammantraden import protokoll
from flows import sammantrade as flode
from tests import factories
from tests.test_sammantraden_regler import MOTESDAG, Mote, cast_for, vagras
from workflow.engine import TransitionNotAllowed, do_transition, history

pytestmark = pytest.mark.django_db

TEXT = "Beslutet avser 2026 års riktlinjer, inte 2025 års."
EJ_KALLADE = "ingen ledamot eller ersättare är antecknad som kallad till sammanträdet"
INTE_ALLA = "alla ledamöter och ersättare i närvaron och i ledamotsregistret"
INGEN_ATT_KALLA = "Det finns ingen att kalla till"
UTAN_JUSTERANDE = "närvaron har ingen närvarande ordförande och justerare"
MOTESDAG_KL_10 = datetime.datetime.combine(MOTESDAG, datetime.time(10), tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def hsn():
    return cast_for("HSN")


def _vagras_steget(sammantrade, steg, user, kommentar, text):
    """``steg`` taken straight through the engine is refused saying ``text``; the meeting's
    status, its history and every other row are as they were."""
    sammantrade.refresh_from_db()
    status, langd = sammantrade.state, history(sammantrade).count()
    vagras(lambda: do_transition(sammantrade, steg, user, kommentar), TransitionNotAllowed, text)
    sammantrade.refresh_from_db()
    assert sammantrade.state == status
    assert history(sammantrade).count() == langd


def _kallade(sammantrade) -> set:
    kallade = Kallelsemottagare.objects.filter(sammantrade=sammantrade)
    return set(kallade.values_list("person_id", flat=True))


# -- the kallelse -----------------------------------------------------------------------------


def test_kalla_straight_through_the_engine_with_nobody_recorded_is_refused(hsn):
    mote = Mote(hsn)
    _vagras_steget(mote.sammantrade, "kalla", mote.sek, "", EJ_KALLADE)
    assert not Kallelsemottagare.objects.filter(sammantrade=mote.sammantrade).exists()
    # the service records whom it calls, then takes the step: the närvaro but the
    # tjänsteperson
    mote.kalla()
    s = mote.las_om()
    assert s.state == "kallat"
    assert _kallade(s) == {
        p.pk for p in (mote.ordforande, mote.justerare, mote.ledamot, mote.annan)
    }
    assert history(s).filter(transition="kalla").count() == 1


def test_kalla_is_refused_while_someone_to_be_called_is_not_recorded(hsn):
    mote = Mote(hsn)
    ersattare = Mote.person("Ersättare i registret")
    factories.ledamot(hsn.organ, ersattare, uppdrag=Ledamotsuppdrag.Uppdrag.ERSATTARE)
    for person in (mote.ordforande, mote.justerare, mote.ledamot, mote.annan):
        Kallelsemottagare.objects.create(sammantrade=mote.sammantrade, person=person)
    # the ersättare of the register, valid on the meeting day, is not recorded as called
    _vagras_steget(mote.sammantrade, "kalla", mote.sek, "", INTE_ALLA)
    Kallelsemottagare.objects.create(sammantrade=mote.sammantrade, person=ersattare)
    do_transition(mote.sammantrade, "kalla", mote.sek)
    assert mote.las_om().state == "kallat"


def test_a_meeting_with_nobody_to_call_is_not_kallat(hsn):
    s = protokoll.planera(organ=hsn.organ, datum=MOTESDAG, plats="Sal A", user=hsn.sekreterare)
    langd = history(s).count()
    vagras(lambda: protokoll.kalla(s, user=hsn.sekreterare), ValidationError, INGEN_ATT_KALLA)
    _vagras_steget(s, "kalla", hsn.sekreterare, "", EJ_KALLADE)
    s.refresh_from_db()
    assert (s.state, history(s).count()) == ("planerat", langd)
    # the register on the meeting day: a ledamot and an ersättare, not one whose seat ended
    ledamot, ersattare, avgangen = (Mote.person(n) for n in ("Led R", "Ers R", "Avgången R"))
    factories.ledamot(hsn.organ, ledamot)
    factories.ledamot(hsn.organ, ersattare, uppdrag=Ledamotsuppdrag.Uppdrag.ERSATTARE)
    factories.ledamot(hsn.organ, avgangen, till=MOTESDAG - datetime.timedelta(days=1))
    protokoll.kalla(s, user=hsn.sekreterare)
    s.refresh_from_db()
    assert s.state == "kallat"
    assert _kallade(s) == {ledamot.pk, ersattare.pk}


def test_a_second_kallelse_is_refused_by_the_engine_before_a_row_is_written(hsn):
    mote = Mote(hsn).till("kallat")
    vagras(lambda: mote.kalla(), TransitionNotAllowed, "finns inte från status Kallat")
    _vagras_steget(mote.sammantrade, "kalla", mote.sek, "", "finns inte från status Kallat")


# -- the protokoll is drawn up with someone to justera it -------------------------------------


def test_genomfor_needs_an_ordforande_and_a_justerare_in_the_narvaro(hsn):
    s = protokoll.planera(organ=hsn.organ, datum=MOTESDAG, plats="Sal A", user=hsn.sekreterare)
    factories.ledamot(hsn.organ, Mote.person("Led R"))
    protokoll.kalla(s, user=hsn.sekreterare)
    # nobody in the närvaro: a protokoll drawn up now could never be justerat
    _vagras_steget(s, "genomfor", hsn.sekreterare, "", UTAN_JUSTERANDE)
    vagras(
        lambda: protokoll.uppratta(s, user=hsn.sekreterare), TransitionNotAllowed, UTAN_JUSTERANDE
    )
    ordf_user, just_user = factories.user("ordf-r"), factories.user("just-r")
    ordforande = Mote.person("Ordf R", ordf_user)
    factories.ledamot(hsn.organ, ordforande)
    protokoll.lagg_till_deltagare(
        s, ordforande, roll=Deltagare.Roll.ORDFORANDE, user=hsn.sekreterare
    )
    # an ordförande alone is not enough, nor a justerare who is not there
    _vagras_steget(s, "genomfor", hsn.sekreterare, "", UTAN_JUSTERANDE)
    justerare = Mote.person("Just R", just_user)
    factories.ledamot(hsn.organ, justerare)
    protokoll.lagg_till_deltagare(
        s,
        justerare,
        roll=Deltagare.Roll.LEDAMOT,
        user=hsn.sekreterare,
        justerare=True,
        narvarande=False,
    )
    _vagras_steget(s, "genomfor", hsn.sekreterare, "", UTAN_JUSTERANDE)
    protokoll.andra_narvaro(
        s.deltagare.get(person=justerare), user=hsn.sekreterare, narvarande=True
    )
    protokoll.uppratta(s, user=hsn.sekreterare)
    s.refresh_from_db()
    assert s.state == "genomfort"
    for user in (ordf_user, just_user):
        protokoll.justera(s, user=user)
    s.refresh_from_db()
    assert s.state == "justerat"


# -- omedelbar justering of a paragraph -------------------------------------------------------


def test_justera_paragraf_needs_a_paragrafjustering_not_yet_in_the_history(hsn):
    mote = Mote(hsn).till("kallat")
    mote.besluta()
    s = mote.sammantrade
    egen = "du har ingen omedelbar justering av en paragraf som historiken inte redan har"
    for user in (mote.ordforande_user, mote.justerare_user):
        _vagras_steget(s, "justera_paragraf", user, "Justerad.", egen)
    assert not flode.NY_PARAGRAFJUSTERING.check(s)
    protokoll.justera_paragraf(mote.arendepunkt, user=mote.ordforande_user)
    assert Paragrafjustering.objects.filter(punkt__sammantrade=s).count() == 1
    assert not flode.NY_PARAGRAFJUSTERING.check(s)
    # the signature is in the history: neither its signer nor another takes a step for it
    for user in (mote.ordforande_user, mote.justerare_user):
        _vagras_steget(s, "justera_paragraf", user, "Justerad.", egen)
    protokoll.justera_paragraf(mote.arendepunkt, user=mote.justerare_user)
    mote.arendepunkt.refresh_from_db()
    assert mote.arendepunkt.omedelbart_justerad is not None
    assert history(s).filter(transition="justera_paragraf").count() == 2


def test_the_requirement_counts_paragrafjusteringar_against_the_history(hsn):
    mote = Mote(hsn).till("kallat")
    mote.besluta()
    s = mote.sammantrade
    Paragrafjustering.objects.create(
        punkt=mote.arendepunkt,
        person=mote.ordforande,
        user=mote.ordforande_user,
        tidpunkt=MOTESDAG_KL_10,
    )
    assert flode.NY_PARAGRAFJUSTERING.check(s)
    do_transition(s, "justera_paragraf", mote.ordforande_user, "Justerad.")
    assert not flode.NY_PARAGRAFJUSTERING.check(s)


# -- rättelse (FL 36 §) -----------------------------------------------------------------------


@pytest.fixture
def anslaget(hsn):
    return Mote(hsn).till("anslaget")


def test_foresla_rattelse_needs_a_rattelse_not_yet_in_the_history(anslaget):
    mote = anslaget
    s = mote.sammantrade
    egen = "du har inte föreslagit någon rättelse som historiken inte redan har"
    for user in (mote.sek, mote.justerare_user):
        _vagras_steget(s, "foresla_rattelse", user, TEXT, egen)
    assert not flode.NY_RATTELSE.check(s)
    rattelse = protokoll.foresla_rattelse(
        mote.las_om(), user=mote.sek, punkt=mote.arendepunkt, text=TEXT
    )
    assert rattelse.pk and history(s).filter(transition="foresla_rattelse").count() == 1
    _vagras_steget(s, "foresla_rattelse", mote.sek, TEXT, egen)
    assert not flode.NY_RATTELSE.check(s)


def test_signera_rattelse_and_ratta_need_a_signature_not_yet_in_the_history(anslaget):
    mote = anslaget
    s = mote.sammantrade
    egen = "du har inte signerat någon rättelse som historiken inte redan har"
    # no rättelse at all
    for steg in ("signera_rattelse", "ratta"):
        for user in (mote.ordforande_user, mote.justerare_user):
            _vagras_steget(s, steg, user, TEXT, egen)
    rattelse = protokoll.foresla_rattelse(
        mote.las_om(), user=mote.sek, punkt=mote.arendepunkt, text=TEXT
    )
    # proposed, signed by nobody
    for steg in ("signera_rattelse", "ratta"):
        _vagras_steget(s, steg, mote.ordforande_user, TEXT, egen)
    assert not flode.NY_RATTELSESIGNATUR.check(s)
    assert not flode.NY_RATTELSE_I_KRAFT.check(s)
    protokoll.signera_rattelse(rattelse, user=mote.ordforande_user)
    assert history(s).filter(transition="signera_rattelse").count() == 1
    # the ordförande's signature is in the history; the justerare has not signed
    for steg in ("signera_rattelse", "ratta"):
        for user in (mote.ordforande_user, mote.justerare_user):
            _vagras_steget(s, steg, user, TEXT, egen)
    assert not flode.NY_RATTELSESIGNATUR.check(s)
    protokoll.signera_rattelse(rattelse, user=mote.justerare_user)
    rattelse.refresh_from_db()
    assert rattelse.giltig is not None
    assert [h.transition for h in history(s)][-2:] == ["signera_rattelse", "ratta"]
    for steg in ("signera_rattelse", "ratta"):
        for user in (mote.ordforande_user, mote.justerare_user):
            _vagras_steget(s, steg, user, TEXT, egen)
    assert not flode.NY_RATTELSESIGNATUR.check(s)
    assert not flode.NY_RATTELSE_I_KRAFT.check(s)


def test_the_requirements_count_rattelser_and_signatures_against_the_history(anslaget):
    mote = anslaget
    s = mote.sammantrade
    rattelse = Rattelse.objects.create(
        sammantrade=s, text=TEXT, user=mote.sek, tidpunkt=MOTESDAG_KL_10
    )
    assert flode.NY_RATTELSE.check(s)
    do_transition(s, "foresla_rattelse", mote.sek, TEXT)
    assert not flode.NY_RATTELSE.check(s)
    Rattelsesignatur.objects.create(
        rattelse=rattelse,
        person=mote.ordforande,
        user=mote.ordforande_user,
        tidpunkt=MOTESDAG_KL_10,
    )
    assert flode.NY_RATTELSESIGNATUR.check(s)
    assert not flode.NY_RATTELSE_I_KRAFT.check(s)
    do_transition(s, "signera_rattelse", mote.ordforande_user, TEXT)
    assert not flode.NY_RATTELSESIGNATUR.check(s)
    # the last signature: the rättelse takes effect, recorded by ratta, not signera_rattelse
    Rattelsesignatur.objects.create(
        rattelse=rattelse, person=mote.justerare, user=mote.justerare_user, tidpunkt=MOTESDAG_KL_10
    )
    Rattelse.objects.filter(pk=rattelse.pk).update(giltig=MOTESDAG_KL_10)
    assert not flode.NY_RATTELSESIGNATUR.check(s)
    assert flode.NY_RATTELSE_I_KRAFT.check(s)
    # another's signature is not the ordförande's to record
    _vagras_steget(
        s,
        "ratta",
        mote.ordforande_user,
        TEXT,
        "du har inte signerat någon rättelse som historiken inte redan har",
    )
    do_transition(s, "ratta", mote.justerare_user, TEXT)
    assert not flode.NY_RATTELSE_I_KRAFT.check(s)
