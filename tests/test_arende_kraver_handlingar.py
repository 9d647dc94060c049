"""No signed entry of an ärende's history without the record it stands for, whoever calls the
engine: a request for yttranden needs the organs asked in the beredning, "yttrande inkommet"
an answer marked as come in, and a sekretessprövning (OSL 5 kap. 5 §) a marking made, changed
or lifted in the field history. Each record is accounted for once: a step taken straight
through ``workflow.engine.do_transition``, or a second time, is refused and changes nothing."""

import pytest

from arenden.diarium import services as diarium
from arenden.models import Handling, Organ
from arenden.sammantraden import protokoll
from flows import uppgifter as u
from flows.models import ArendeProcess
from tests import factories
from tests.test_flows_process import beredd, fresh, task, tilldelat
from workflow.engine import TransitionNotAllowed, do_transition, history

pytestmark = pytest.mark.django_db

OSL = "OSL 25 kap. 1 §"


@pytest.fixture
def cast():
    return factories.Cast()


@pytest.fixture
def rs():
    return factories.organ("RS", "Regionstyrelsen", typ=Organ.Typ.STYRELSE)


@pytest.fixture
def rf():
    return factories.organ("RF", "Regionfullmäktige", typ=Organ.Typ.FULLMAKTIGE)


def _vagras(arende, steg, user, text):
    """``steg`` straight through the engine is refused saying ``text``; the ärende's status
    and history are as they were."""
    arende = fresh(arende)
    status, langd = arende.state, history(arende).count()
    with pytest.raises(TransitionNotAllowed) as fel:
        do_transition(arende, steg, user, "Påstås i historiken.")
    assert text in str(fel.value)
    arende = fresh(arende)
    assert (arende.state, history(arende).count()) == (status, langd)


def _steg(arende, steg) -> list[str]:
    return [h.comment for h in history(arende).filter(transition=steg)]


def test_a_request_for_yttranden_needs_organs_asked_and_is_recorded_once(cast, rs, rf):
    arende = tilldelat(cast, yttranden=[rs])
    assert _steg(arende, "begara_yttrande") == ["Yttrande begärt från Regionstyrelsen."]
    # the history already names Regionstyrelsen: nothing is asked that it does not name
    _vagras(arende, "begara_yttrande", cast.stabschef, "ingen begäran om yttrande")
    # asked during the beredning: one step naming the new organ, and again nothing left
    u.begar_yttranden(arende, [rs, rf], user=cast.handlaggare)
    assert _steg(arende, "begara_yttrande")[-1] == "Yttrande begärt från Regionfullmäktige."
    _vagras(arende, "begara_yttrande", cast.handlaggare, "ingen begäran om yttrande")
    # asking only organs already asked writes nothing
    u.begar_yttranden(arende, [rf], user=cast.handlaggare)
    assert len(_steg(arende, "begara_yttrande")) == 2


def test_an_ärende_without_yttranden_has_no_request_to_record(cast):
    arende = tilldelat(cast)
    assert _steg(arende, "begara_yttrande") == []
    _vagras(arende, "begara_yttrande", cast.stabschef, "ingen begäran om yttrande")


def test_yttrande_inkommet_needs_an_answer_marked_and_is_recorded_once(cast, rs, rf):
    arende = tilldelat(cast, yttranden=[rs, rf])
    # nobody has answered: "yttrande inkommet" is not said of nothing
    _vagras(arende, "yttrande_inkommet", cast.handlaggare, "inget begärt yttrande")
    (fran_rs,) = [t for t in u.uppgifter(arende) if t.data.get("kod") == "RS"]
    u.yttrande_inkommet(fran_rs, cast.handlaggare, kommentar="Per brev")
    assert _steg(arende, "yttrande_inkommet") == ["Yttrande från Regionstyrelsen. Per brev"]
    process = ArendeProcess.objects.get(arende=arende)
    assert [y["besvarat"] for y in process.data["yttranden"]] == [True, False]
    # the answer is in the history once; a second entry for it is refused
    _vagras(arende, "yttrande_inkommet", cast.handlaggare, "inget begärt yttrande")
    # the other organ's answer, filed as a handling naming it, is recorded by the filing
    handling = diarium.lagg_till_handling(
        arende,
        user=cast.registrator,
        typ=Handling.Typ.YTTRANDE,
        riktning=Handling.Riktning.INKOMMEN,
        titel="Yttrande",
        avsandare_mottagare="Regionfullmäktige",
    )
    assert _steg(arende, "yttrande_inkommet")[-1] == (
        f"Yttrande från Regionfullmäktige (handling {handling.nummer})."
    )
    _vagras(arende, "yttrande_inkommet", cast.registrator, "inget begärt yttrande")


def test_a_sekretessprovning_needs_a_marking_changed_and_is_recorded_once(cast):
    arende = tilldelat(cast)
    # no marking was made: the prövning the entry would claim never happened
    _vagras(arende, "andra_sekretess", cast.handlaggare, "ingen sekretessmarkering")
    handling = diarium.lagg_till_handling(
        arende,
        user=cast.registrator,
        typ=Handling.Typ.SKRIVELSE,
        riktning=Handling.Riktning.INKOMMEN,
        titel="Journalutdrag",
    )
    diarium.andra_sekretess(
        handling,
        user=cast.handlaggare,
        lagrum=OSL,
        offentlig_rubrik="Journalutdrag",
        motivering="Uppgifter om hälsa.",
    )
    assert _steg(arende, "andra_sekretess") == [
        f"Handling {handling.nummer} sekretessmarkerat enligt {OSL}. Uppgifter om hälsa."
    ]
    _vagras(arende, "andra_sekretess", cast.handlaggare, "ingen sekretessmarkering")
    # the ärende's own marking counts as the handling's does, each once
    diarium.andra_sekretess(
        arende,
        user=cast.handlaggare,
        lagrum=OSL,
        offentlig_rubrik="Ärende om en patient",
        motivering="Rubriken röjer hälsa.",
    )
    assert len(_steg(arende, "andra_sekretess")) == 2
    _vagras(arende, "andra_sekretess", cast.handlaggare, "ingen sekretessmarkering")
    assert handling.history.filter(history_change_reason="andra_sekretess").count() == 1


def test_an_answer_is_counted_once_after_the_arende_was_vilande(cast, rs, rf):
    """Taken up again after vilande, the new run of the process carries the yttranden asked
    in the one before, answered ones too: counted in both, each answer stood for two."""
    arende = tilldelat(cast, yttranden=[rs, rf])
    (fran_rs,) = [t for t in u.uppgifter(arende) if t.data.get("kod") == "RS"]
    u.yttrande_inkommet(fran_rs, cast.handlaggare, kommentar="Per brev")
    do_transition(fresh(arende), "vila", cast.stabschef, "Inväntar lagändring")
    do_transition(fresh(arende), "ateruppta", cast.stabschef)
    processer = ArendeProcess.objects.filter(arende=arende).order_by("pk")
    assert processer.count() == 2
    senaste = processer.last()
    assert [y["besvarat"] for y in senaste.data["yttranden"]] == [True, False]
    assert senaste.data["foregaende"] == processer.first().pk
    _vagras(arende, "yttrande_inkommet", cast.handlaggare, "inget begärt yttrande")
    # Regionfullmäktige's answer, still awaited in the new run, is recorded once
    (fran_rf,) = [t for t in u.uppgifter(arende) if t.data.get("kod") == "RF"]
    u.yttrande_inkommet(fran_rf, cast.handlaggare, kommentar="Per e-post")
    assert len(_steg(arende, "yttrande_inkommet")) == 2
    _vagras(arende, "yttrande_inkommet", cast.handlaggare, "inget begärt yttrande")


def test_a_beredning_is_approved_once_each_time_the_arende_becomes_beredd(cast):
    """The stabschef's approval (Granska) stands for one beredning: a second, by a double
    click or straight through the engine, is refused; struck back to beredd from a list, the
    ärende is approved again."""
    arende = beredd(cast)
    assert _steg(arende, "godkanna_beredning") == []
    u.granska(task(arende, "granska"), cast.stabschef, godkann=True)
    assert len(_steg(arende, "godkanna_beredning")) == 1
    _vagras(arende, "godkanna_beredning", cast.stabschef, "beredningen är redan godkänd")
    # on a list and struck back: a new beredning to approve
    punkt = factories.anmal(fresh(arende), cast.sekreterare)
    protokoll.stryk_punkt(punkt, user=cast.sekreterare, motivering="Tas upp i januari.")
    arende = fresh(arende)
    assert arende.state == "beredd"
    do_transition(arende, "godkanna_beredning", cast.stabschef, "Godkänd igen.")
    assert len(_steg(arende, "godkanna_beredning")) == 2
    _vagras(arende, "godkanna_beredning", cast.stabschef, "beredningen är redan godkänd")
