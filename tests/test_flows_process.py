"""The ärende's process (flows/processer.py): the tasks people get, in step with the ärende.

Completing a task calls the engine or a service, and the engine's transition moves the
ärende; transitions taken anywhere else move the tasks along the same way. The last test
walks many random paths and checks after every step that the open tasks agree with the
ärende's state."""

import collections
import datetime
import io
import itertools
import os
import sys
import types
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core import checks, mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from viewflow.workflow.models import Task
from viewflow.workflow.status import PROCESS, STATUS
from viewflow.workflow.timers import fire_due_timers

from arenden.diarium import services as diarium_services
from arenden.handlaggning import services as handlaggning_services
from arenden.models import Arende, Enhet, Handling, Organ
from arenden.sammantraden import protokoll
from flows import jobb
from flows import uppgifter as u
from flows.arende import definition
from flows.models import ArendeProcess, SkickadPaminnelse
from flows.processer import ArendeFlow, Uppgift
from tests import factories
from workflow.engine import (
    StaleState,
    TransitionNotAllowed,
    allowed_transitions,
    do_transition,
    history,
)

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def at(*args):
    """A moment in Swedish time."""
    return datetime.datetime(*args, tzinfo=STOCKHOLM)


def fire_timers_at(moment) -> int:
    """viewflow's timer dispatcher, run as if it were ``moment``."""
    with mock.patch("viewflow.workflow.timers.timezone.now", return_value=moment):
        return fire_due_timers()


def open_tasks(arende) -> list[tuple[str, str | None]]:
    """(node, owner) of the ärende's open tasks, in the order they were created."""
    return [
        (t.flow_task.name, t.owner.get_username() if t.owner_id else None)
        for t in u.uppgifter(arende).select_related("owner")
    ]


def task(arende, name):
    return u.uppgifter(arende).get(flow_task=ArendeFlow.instance.node(name))


def done_tasks(arende) -> list[tuple[str, str | None]]:
    """(node, who did it) of the people's tasks completed in the ärende's processes."""
    return [
        (t.flow_task.name, t.owner.get_username() if t.owner_id else None)
        for t in Task.objects.filter(
            process__arendeprocess__arende=arende, status=STATUS.DONE, flow_task_type="HUMAN"
        ).order_by("pk")
    ]


def fresh(arende):
    return Arende.objects.get(pk=arende.pk)


@pytest.fixture
def cast(db):
    return factories.Cast()


@pytest.fixture
def rs(db):
    return factories.organ("RS", "Regionstyrelsen", typ=Organ.Typ.STYRELSE)


@pytest.fixture
def rf(db):
    return factories.organ("RF", "Regionfullmäktige", typ=Organ.Typ.FULLMAKTIGE)


@pytest.fixture
def pia(db):
    hsd = Enhet.objects.create(namn="Hälso- och sjukvårdsdirektörens stab", kortnamn="HSD")
    return factories.person("Pia Näsvall", enhet=hsd)


def tilldelat(cast, arendemening="Ett ärende", **tilldelning):
    arende = cast.registrera(arendemening)
    u.tilldela(
        task(arende, "tilldela"), cast.stabschef, handlaggare=cast.handlaggare, **tilldelning
    )
    return fresh(arende)


def beredd(cast, **tilldelning):
    arende = tilldelat(cast, **tilldelning)
    factories.forslag_till_beslut(arende, cast.handlaggare, sandlista=["Pia Näsvall, HSD"])
    u.bered(task(arende, "bered"), cast.handlaggare)
    return fresh(arende)


def motet(arende, sekreterare):
    """A meeting of the ärende's organ, kallat and under way: the nämnd decides there, under
    the ärende's item of its protokoll."""
    mote = factories.planerat(arende, sekreterare)
    protokoll.kalla(mote, user=sekreterare)
    factories.narvaro(mote, sekreterare)
    return mote


def justera(arende, sekreterare):
    """The protokoll holding the ärende's newest beslut justerat, as it is before the beslut
    is expedierat."""
    beslut = arende.beslut.order_by("-pk").first()
    if beslut is not None and not beslut.sammantrade.justerat:
        factories.justera_protokollet(beslut.sammantrade, sekreterare)


def anmalt(cast):
    arende = beredd(cast)
    u.granska(task(arende, "granska"), cast.stabschef, godkann=True)
    u.anmal(task(arende, "anmal"), cast.sekreterare, sammantrade=motet(arende, cast.sekreterare))
    return fresh(arende)


# -- the main path ------------------------------------------------------------------------


@pytest.mark.django_db
def test_hsn_787_2025_from_registrering_to_aterrapportering(cast, pia):
    arende = diarium_services.registrera_arende(
        organ=cast.organ,
        arendemening="Handslag med Cancerfonden för en bättre palliativ vård",
        typ="initiativarende",
        user=cast.registrator,
        registrerat=datetime.date(2025, 10, 16),
        diarienummer="HSN 787-2025",
    )
    # registered: the process started in the same transaction, Tilldela in the stabschef's queue
    [process] = ArendeProcess.objects.filter(arende=arende)
    assert process.status == PROCESS.NEW and process.flow_class is ArendeFlow
    assert open_tasks(arende) == [("tilldela", None)]
    tilldela = task(arende, "tilldela")
    assert list(u.ko(cast.stabschef)) == [tilldela]
    for other in (cast.handlaggare, cast.sekreterare, cast.registrator, cast.revisor):
        assert not u.ko(other).exists()
    assert not u.ko(factories.Cast("RS").stabschef).exists()  # another organ's stabschef

    u.ta(tilldela, cast.stabschef)
    assert list(u.inkorg(cast.stabschef)) == [tilldela]
    henrik = factories.person("Henrik Ångström", anvandare=factories.user("henrik"))
    u.tilldela(
        tilldela,
        cast.stabschef,
        handlaggare=cast.handlaggare,
        beredningsansvariga=[(henrik, "delaktig i framtagandet av bilagt underlag")],
    )
    arende = fresh(arende)
    assert arende.state == "tilldelat"
    assert open_tasks(arende) == [("bered", "handlaggare-HSN")]
    assert list(u.inkorg(cast.handlaggare)) == [task(arende, "bered")]

    # beredning: the handläggare works the ärende; a step taken from the ärende page (the
    # engine directly) leaves the Bered task open until the ärende is beredd
    do_transition(arende, "paborja_beredning", cast.handlaggare)
    assert open_tasks(arende) == [("bered", "handlaggare-HSN")]
    forfattare = factories.person("Yvonne E Nygren", anvandare=cast.stabschef)
    handlaggning_services.spara_tjansteskrivelse(
        arende,
        user=cast.handlaggare,
        forfattare=forfattare,
        sammanfattning="Palliativ vård.",
        forslag_till_beslut="Att ingå handslaget.",
    )
    handlaggning_services.satt_sandlista(arende, [pia], user=cast.handlaggare)
    u.bered(task(arende, "bered"), cast.handlaggare, kommentar="Tjänsteskrivelsen klar")
    assert fresh(arende).state == "beredd"
    assert open_tasks(arende) == [("granska", None)]
    assert list(u.ko(cast.stabschef)) == [task(arende, "granska")]

    u.granska(task(arende, "granska"), cast.stabschef, godkann=True)
    assert fresh(arende).state == "beredd"  # approved: a step in the history, still beredd
    assert open_tasks(arende) == [("anmal", None)]
    assert list(u.ko(cast.sekreterare)) == [task(arende, "anmal")]

    u.anmal(
        task(arende, "anmal"),
        cast.sekreterare,
        sammantrade=motet(arende, cast.sekreterare),
    )
    assert open_tasks(arende) == [("besluta", None)]
    u.besluta(
        task(arende, "besluta"),
        cast.sekreterare,
        beslut="Hälso- och sjukvårdsnämnden beslutar att ingå handslag med Cancerfonden.",
        uppdrag=[("Återrapportera arbetet till nämnden", datetime.date(2026, 6, 17), None)],
    )
    assert fresh(arende).state == "beslutat"
    assert open_tasks(arende) == [("expediera", None)]
    justera(arende, cast.sekreterare)

    u.expediera(task(arende, "expediera"), cast.sekreterare, metod="e-post")
    assert fresh(arende).state == "bevakas"
    assert open_tasks(arende) == [("vanta", None)]
    timer = task(arende, "vanta")
    assert timer.status == STATUS.SCHEDULED and timer.scheduled == at(2026, 6, 17)

    assert fire_timers_at(at(2026, 6, 16, 23, 59)) == 0
    assert open_tasks(arende) == [("vanta", None)]
    assert fire_timers_at(at(2026, 6, 17, 8, 0)) == 1
    assert open_tasks(arende) == [("aterrapportera", "handlaggare-HSN")]

    rapport = diarium_services.lagg_till_handling(
        arende, user=cast.handlaggare, typ="aterrapport", riktning="upprattad", titel="Rapport"
    )
    u.aterrapportera(
        task(arende, "aterrapportera"),
        cast.handlaggare,
        handling=rapport,
        redovisat=datetime.date(2026, 6, 17),
    )
    arende = fresh(arende)
    assert arende.state == "avslutat"
    assert open_tasks(arende) == []
    process.refresh_from_db()
    assert process.status == PROCESS.DONE and process.finished is not None

    assert done_tasks(arende) == [
        ("tilldela", "stabschef-HSN"),
        ("bered", "handlaggare-HSN"),
        ("granska", "stabschef-HSN"),
        ("anmal", "sekreterare-HSN"),
        ("besluta", "sekreterare-HSN"),
        ("expediera", "sekreterare-HSN"),
        ("aterrapportera", "handlaggare-HSN"),
    ]
    # the engine's history is the record; every state change went through it
    assert [(h.transition, h.actor.username) for h in history(arende)][1:] == [
        ("tilldela", "stabschef-HSN"),
        ("paborja_beredning", "handlaggare-HSN"),
        ("markera_beredd", "handlaggare-HSN"),
        ("godkanna_beredning", "stabschef-HSN"),  # the granskning, with its comment
        ("anmal", "sekreterare-HSN"),
        ("besluta", "sekreterare-HSN"),
        ("expediera", "sekreterare-HSN"),
        ("bevaka", "sekreterare-HSN"),
        ("avsluta_aterrapporterat", "handlaggare-HSN"),
    ]


@pytest.mark.django_db
def test_a_beslut_without_uppdrag_skips_timer_and_aterrapportering(cast):
    arende = anmalt(cast)
    u.besluta(
        task(arende, "besluta"),
        cast.sekreterare,
        beslut="Ja",
    )
    justera(arende, cast.sekreterare)
    u.expediera(task(arende, "expediera"), cast.sekreterare, metod="post")
    assert fresh(arende).state == "expedierat"
    assert open_tasks(arende) == [("avsluta", None)]
    assert list(u.ko(cast.registrator)) == [task(arende, "avsluta")]
    u.avsluta(task(arende, "avsluta"), cast.registrator)
    assert fresh(arende).state == "avslutat" and open_tasks(arende) == []
    assert not Task.objects.filter(flow_task_type="TIMER").exists()


# -- going back -----------------------------------------------------------------------------


def _granska_over_http(cast, arende):
    """The stabschef takes Granska and reads the ärende page: its client, the review form's
    address and hidden fields."""
    import re

    from django.test import Client
    from django.urls import reverse

    uppgift = task(arende, "granska")
    u.ta(uppgift, cast.stabschef)
    klient = Client()
    klient.force_login(cast.stabschef)
    sida = klient.get(reverse("arenden:arende", args=[arende.pk])).content.decode()
    url = reverse("flows:granska", args=[uppgift.pk])
    formular = re.search(
        r'<form[^>]*action="' + re.escape(url) + r'"[^>]*>(.*?)</form>', sida, re.S
    )
    dolda = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', formular[1]))
    assert "version" in dolda
    return klient, url, dolda


@pytest.mark.django_db
def test_the_review_over_http_approves_the_beredning_read_as_it_is(cast):
    arende = beredd(cast)
    klient, url, dolda = _granska_over_http(cast, arende)
    svar = klient.post(url, {**dolda, "beslut": "godkann", "kommentar": "Bra"}, follow=True)
    assert "Beredningen är godkänd." in svar.content.decode()
    assert history(arende).filter(transition="godkanna_beredning").exists()


@pytest.mark.django_db
def test_a_review_of_a_page_read_before_the_arende_changed_is_refused(cast):
    """The stabschef reads the ärende page; meanwhile the registrator files a letter in it.
    Approving from the page read before is refused with the reason, and nothing is approved;
    without a version at all, nothing either."""
    arende = beredd(cast)
    klient, url, dolda = _granska_over_http(cast, arende)
    diarium_services.lagg_till_handling(
        arende,
        user=cast.registrator,
        typ="skrivelse",
        riktning="inkommen",
        titel="Invändning från patientnämnden",
    )
    svar = klient.post(url, {**dolda, "beslut": "godkann"}, follow=True)
    assert "har ändrats" in svar.content.decode()
    utan = {k: v for k, v in dolda.items() if k != "version"}
    svar = klient.post(url, {**utan, "inskick": "annan-nyckel", "beslut": "godkann"}, follow=True)
    assert "Formuläret kom inte från ärendets sida" in svar.content.decode()
    assert not history(arende).filter(transition="godkanna_beredning").exists()
    assert fresh(arende).state == "beredd"
    assert open_tasks(arende) == [("granska", "stabschef-HSN")]


@pytest.mark.django_db
def test_granskning_sends_the_beredning_back_to_the_handlaggare(cast):
    arende = beredd(cast)
    u.granska(task(arende, "granska"), cast.stabschef, godkann=False, kommentar="Komplettera")
    assert fresh(arende).state == "under_beredning"
    assert open_tasks(arende) == [("bered", "handlaggare-HSN")]
    assert history(arende).last().comment == "Komplettera"
    u.bered(task(arende, "bered"), cast.handlaggare)
    assert open_tasks(arende) == [("granska", None)]


@pytest.mark.django_db
def test_aterremiss_goes_back_to_bered_and_bordlaggning_back_to_anmal(cast):
    arende = anmalt(cast)
    with pytest.raises(ValidationError, match="kräver en motivering"):
        u.aterremittera(task(arende, "besluta"), cast.sekreterare, kommentar="")
    assert open_tasks(arende) == [("besluta", None)]

    u.aterremittera(task(arende, "besluta"), cast.sekreterare, kommentar="Mer underlag")
    assert fresh(arende).state == "aterremitterat"
    assert open_tasks(arende) == [("bered", "handlaggare-HSN")]
    assert done_tasks(arende)[-1] == ("besluta", "sekreterare-HSN")

    u.bered(task(arende, "bered"), cast.handlaggare)  # begins the beredning again, then beredd
    assert [h.transition for h in history(arende)][-2:] == ["paborja_beredning", "markera_beredd"]
    u.granska(task(arende, "granska"), cast.stabschef, godkann=True)
    u.anmal(
        task(arende, "anmal"),
        cast.sekreterare,
        sammantrade=motet(arende, cast.sekreterare),
    )

    u.bordlagga(task(arende, "besluta"), cast.sekreterare, kommentar="Till nästa sammanträde")
    assert fresh(arende).state == "bordlagt"
    assert open_tasks(arende) == [("anmal", None)]
    u.anmal(
        task(arende, "anmal"),
        cast.sekreterare,
        sammantrade=motet(arende, cast.sekreterare),
    )
    assert open_tasks(arende) == [("besluta", None)]


@pytest.mark.django_db
def test_overlamnat_ends_the_process_and_the_continuation_gets_its_own(cast, rs):
    arende = anmalt(cast)
    rs_stabschef = factories.user("stabschef-rs", organ_role="Stabschef", on=rs)
    u.besluta(
        task(arende, "besluta"),
        cast.sekreterare,
        beslut="Föreslår regionstyrelsen att besluta",
        forslag_till=rs,
    )
    justera(arende, cast.sekreterare)
    assert fresh(arende).state == "overlamnat"
    assert open_tasks(arende) == []
    assert ArendeProcess.objects.get(arende=arende).status == PROCESS.DONE

    registrator = factories.user("registrator-rs", global_role="Registrator")
    fortsattning = diarium_services.fortsatt_i(arende, organ=rs, user=registrator)
    assert open_tasks(fortsattning) == [("tilldela", None)]
    assert list(u.ko(rs_stabschef)) == [task(fortsattning, "tilldela")]
    assert not u.ko(cast.stabschef).exists()


# -- yttranden: parallel split and join ----------------------------------------------------


@pytest.mark.django_db
def test_yttranden_from_two_organs_are_joined_before_granska(cast, rs, rf):
    arende = tilldelat(cast, yttranden=[rs, rf])
    process = ArendeProcess.objects.get(arende=arende)
    assert [(y["kod"], y["besvarat"]) for y in process.data["yttranden"]] == [
        ("RS", False),
        ("RF", False),
    ]
    assert open_tasks(arende) == [
        ("bered", "handlaggare-HSN"),
        ("yttrande", "handlaggare-HSN"),
        ("yttrande", "handlaggare-HSN"),
    ]
    yttranden = {t.data["namn"]: t for t in u.uppgifter(arende).filter(flow_task_type="HUMAN")[1:]}
    assert set(yttranden) == {"Regionstyrelsen", "Regionfullmäktige"}
    assert yttranden["Regionstyrelsen"].brief == "Yttrande från Regionstyrelsen"

    # RS's yttrande is filed as a handling: its task is done
    handling = diarium_services.lagg_till_handling(
        arende,
        user=cast.handlaggare,
        typ=Handling.Typ.YTTRANDE,
        riktning=Handling.Riktning.INKOMMEN,
        titel="Yttrande över förslaget",
        avsandare_mottagare="Regionstyrelsen",
    )
    rs_task = Task.objects.get(pk=yttranden["Regionstyrelsen"].pk)
    assert rs_task.status == STATUS.DONE and rs_task.data["handling"] == handling.pk
    process.refresh_from_db()
    assert [y["besvarat"] for y in process.data["yttranden"]] == [True, False]

    # the beredning is done, but Granska waits for RF
    factories.forslag_till_beslut(arende, cast.handlaggare, sandlista=["Pia Näsvall, HSD"])
    u.bered(task(arende, "bered"), cast.handlaggare)
    assert fresh(arende).state == "beredd"
    assert open_tasks(arende) == [("yttrande", "handlaggare-HSN"), ("samla", None)]

    # a yttrande from an organ nobody asked changes nothing
    diarium_services.lagg_till_handling(
        arende,
        user=cast.registrator,
        typ=Handling.Typ.YTTRANDE,
        riktning=Handling.Riktning.INKOMMEN,
        titel="Oombett yttrande",
        avsandare_mottagare="Patientnämnden",
    )
    assert open_tasks(arende) == [("yttrande", "handlaggare-HSN"), ("samla", None)]

    # RF answered by letter; the handläggare states it on the task
    u.yttrande_inkommet(task(arende, "yttrande"), cast.handlaggare, kommentar="Per brev")
    assert open_tasks(arende) == [("granska", None)]

    # sent back: Bered again, and no organ is asked twice
    u.granska(task(arende, "granska"), cast.stabschef, godkann=False, kommentar="Komplettera")
    assert open_tasks(arende) == [("bered", "handlaggare-HSN")]

    # what a revisor asks about is in the hash-chained history: who asked which organs, which
    # answered how, and the granskning with its comment
    steps = [(h.transition, h.actor.username, h.comment) for h in history(arende)]
    assert steps[1:3] == [
        ("tilldela", "stabschef-HSN", ""),
        (
            "begara_yttrande",
            "stabschef-HSN",
            "Yttrande begärt från Regionstyrelsen, Regionfullmäktige.",
        ),
    ]
    assert (
        "yttrande_inkommet",
        "handlaggare-HSN",
        f"Yttrande från Regionstyrelsen (handling {handling.nummer}).",
    ) in steps
    assert (
        "yttrande_inkommet",
        "handlaggare-HSN",
        "Yttrande från Regionfullmäktige. Per brev",
    ) in (steps)
    assert steps[-1] == ("ateruppta_beredning", "stabschef-HSN", "Komplettera")


@pytest.mark.django_db
def test_more_yttranden_can_be_asked_for_during_beredning(cast, rs, rf):
    arende = tilldelat(cast, yttranden=[rs])
    u.begar_yttranden(arende, [rs, rf], user=cast.handlaggare)  # RS already asked
    last = history(arende).last()
    assert (last.transition, last.comment) == (
        "begara_yttrande",
        "Yttrande begärt från Regionfullmäktige.",
    )
    organs = sorted(
        t.data["kod"] for t in u.uppgifter(arende).filter(flow_task=ArendeFlow.yttrande)
    )
    assert organs == ["RF", "RS"]
    with pytest.raises(TransitionNotAllowed):
        u.begar_yttranden(arende, [rf], user=cast.sekreterare)

    factories.forslag_till_beslut(arende, cast.handlaggare, sandlista=["Pia Näsvall, HSD"])
    u.bered(task(arende, "bered"), cast.handlaggare)
    for sender in ("Regionfullmäktige (RF)", "RS"):
        diarium_services.lagg_till_handling(
            arende,
            user=cast.registrator,
            typ=Handling.Typ.YTTRANDE,
            riktning=Handling.Riktning.INKOMMEN,
            titel="Yttrande",
            avsandare_mottagare=sender,
        )
    assert open_tasks(arende) == [("granska", None)]
    with pytest.raises(ValidationError, match="under beredningen"):
        u.begar_yttranden(arende, [rf], user=cast.handlaggare)


def test_a_yttrande_that_comes_after_the_arende_went_on_is_registered_and_recorded(cast, rs):
    """Asked of RS, the ärende went to the nämnd before RS answered (anmält from the meeting
    page). RS's yttrande must still be registered: it was refused, and the inkommen handling
    was lost, because the step recording it was not taken from anmält."""
    arende = tilldelat(cast, yttranden=[rs])
    factories.forslag_till_beslut(arende, cast.handlaggare)
    do_transition(fresh(arende), "paborja_beredning", cast.handlaggare)
    do_transition(fresh(arende), "markera_beredd", cast.handlaggare)
    mote = motet(arende, cast.sekreterare)
    protokoll.lagg_till_punkt(mote, user=cast.sekreterare, arende=fresh(arende))
    assert fresh(arende).state == "anmalt"
    sent = diarium_services.lagg_till_handling(
        fresh(arende),
        user=cast.registrator,
        typ=Handling.Typ.YTTRANDE,
        riktning=Handling.Riktning.INKOMMEN,
        titel="Yttrande över förslaget",
        avsandare_mottagare="Regionstyrelsen",
    )
    assert Handling.objects.filter(pk=sent.pk).exists()
    arende = fresh(arende)
    assert arende.state == "anmalt"
    last = history(arende).last()
    assert (last.transition, last.actor, last.comment) == (
        "yttrande_inkommet",
        cast.registrator,
        f"Yttrande från Regionstyrelsen (handling {sent.nummer}).",
    )
    [yttrande] = ArendeProcess.objects.get(arende=arende, status=PROCESS.NEW).data["yttranden"]
    assert (yttrande["besvarat"], yttrande["handling"]) == (True, sent.pk)


# -- transitions taken outside the flow ----------------------------------------------------


@pytest.mark.django_db
def test_transitions_from_the_arende_page_move_the_tasks_along(cast):
    arende = cast.registrera()
    handlaggning_services.tilldela(arende, handlaggare=cast.handlaggare, user=cast.stabschef)
    assert open_tasks(arende) == [("bered", "handlaggare-HSN")]
    assert done_tasks(arende) == [("tilldela", "stabschef-HSN")]

    do_transition(arende, "paborja_beredning", cast.handlaggare)
    factories.forslag_till_beslut(arende, cast.handlaggare)
    do_transition(arende, "markera_beredd", cast.handlaggare)
    assert open_tasks(arende) == [("granska", None)]

    # the nämndsekreterare puts it on the agenda before anyone reviewed it: the review is
    # cancelled, the ärende's next task opens
    factories.anmal(arende, cast.sekreterare, motet(arende, cast.sekreterare))
    assert open_tasks(arende) == [("besluta", None)]
    granska = Task.objects.get(flow_task=ArendeFlow.granska)
    assert granska.status == STATUS.CANCELED

    u.bordlagga(task(arende, "besluta"), cast.sekreterare, kommentar="Tid saknades")
    assert open_tasks(arende) == [("anmal", None)]
    factories.anmal(arende, cast.sekreterare)
    factories.besluta(arende, cast.sekreterare, "Bifall")
    assert open_tasks(arende) == [("expediera", None)]
    assert done_tasks(arende)[-2:] == [("anmal", "sekreterare-HSN"), ("besluta", "sekreterare-HSN")]


@pytest.mark.django_db
def test_vilande_ends_the_process_and_resuming_starts_a_new_one(cast, rs):
    arende = tilldelat(cast, yttranden=[rs])
    do_transition(arende, "vila", cast.stabschef, "Inväntar utredning")
    assert open_tasks(arende) == []
    first = ArendeProcess.objects.get(arende=arende)
    assert first.status == PROCESS.DONE
    assert set(first.task_set.filter(flow_task_type="HUMAN").values_list("status", flat=True)) == {
        STATUS.DONE,  # tilldela
        STATUS.CANCELED,
    }

    do_transition(arende, "ateruppta", cast.stabschef)
    second = ArendeProcess.objects.get(arende=arende, status=PROCESS.NEW)
    assert second.pk != first.pk
    # the new process picks up where the ärende is, with the yttrande still awaited
    assert open_tasks(arende) == [("bered", "handlaggare-HSN"), ("yttrande", "handlaggare-HSN")]


@pytest.mark.parametrize(
    "transition, actor, state",
    [("avskriva", "stabschef", "avskrivet"), ("makulera", "registrator", "makulerat")],
)
@pytest.mark.django_db
def test_avskrivning_and_makulering_cancel_the_open_tasks(cast, transition, actor, state):
    arende = cast.registrera()
    do_transition(arende, transition, getattr(cast, actor), "Fel")
    assert fresh(arende).state == state
    assert open_tasks(arende) == []
    assert ArendeProcess.objects.get(arende=arende).status == PROCESS.DONE
    assert Task.objects.get(flow_task=ArendeFlow.tilldela).status == STATUS.CANCELED


@pytest.mark.django_db
def test_an_arende_without_a_process_gets_one_when_it_moves(cast):
    arende = cast.registrera()
    process = ArendeProcess.objects.get(arende=arende)
    Task.objects.filter(process=process).delete()  # as if registered before the flows existed
    process.delete()
    handlaggning_services.tilldela(arende, handlaggare=cast.handlaggare, user=cast.stabschef)
    assert open_tasks(arende) == [("bered", "handlaggare-HSN")]


# -- refusals -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_completing_a_task_without_the_role_is_refused_and_changes_nothing(cast, rs):
    arende = cast.registrera()
    tilldela = task(arende, "tilldela")
    data_before = ArendeProcess.objects.get(arende=arende).data
    for user in (cast.registrator, cast.handlaggare, cast.sekreterare, cast.revisor):
        with pytest.raises(TransitionNotAllowed, match="Du får inte utföra Tilldela"):
            u.tilldela(tilldela, user, handlaggare=cast.handlaggare, yttranden=[rs])
    arende = fresh(arende)
    assert arende.state == "registrerat" and arende.handlaggare is None
    assert open_tasks(arende) == [("tilldela", None)]
    assert ArendeProcess.objects.get(arende=arende).data == data_before
    with pytest.raises(TransitionNotAllowed):
        u.ta(tilldela, cast.handlaggare)
    assert Task.objects.get(pk=tilldela.pk).owner is None

    arende = beredd(cast)
    granska = task(arende, "granska")
    for godkann in (True, False):
        with pytest.raises(TransitionNotAllowed, match="kräver rollen Stabschef"):
            u.granska(granska, cast.handlaggare, godkann=godkann)
    assert open_tasks(arende) == [("granska", None)]
    u.granska(granska, cast.stabschef, godkann=True)
    u.anmal(
        task(arende, "anmal"),
        cast.sekreterare,
        sammantrade=motet(arende, cast.sekreterare),
    )
    with pytest.raises(PermissionDenied, match="Du får inte ändra i Hälso- och sjukvårds"):
        u.besluta(task(arende, "besluta"), cast.stabschef, beslut="Nej")
    assert fresh(arende).state == "anmalt" and not arende.beslut.exists()
    assert open_tasks(arende) == [("besluta", None)]


@pytest.mark.django_db
def test_a_completed_task_cannot_be_completed_again(cast):
    arende = cast.registrera()
    tilldela = task(arende, "tilldela")
    u.tilldela(tilldela, cast.stabschef, handlaggare=cast.handlaggare)
    with pytest.raises(ValidationError, match="inte längre öppen"):
        u.tilldela(tilldela, cast.stabschef, handlaggare=cast.handlaggare)
    with pytest.raises(ValidationError, match="rätt slag"):
        u.granska(task(arende, "bered"), cast.stabschef, godkann=True)


# -- timers and reminders -------------------------------------------------------------------


def bevakat(cast, uppdrag):
    arende = anmalt(cast)
    u.besluta(
        task(arende, "besluta"),
        cast.sekreterare,
        beslut="Bifall",
        uppdrag=uppdrag,
    )
    justera(arende, cast.sekreterare)
    u.expediera(task(arende, "expediera"), cast.sekreterare, metod="e-post")
    return fresh(arende)


@pytest.mark.django_db
def test_bevakning_reminds_the_handlaggare_by_email(cast, django_capture_on_commit_callbacks):
    def paminn(**kwargs):  # the e-mail leaves when the record of it commits
        with django_capture_on_commit_callbacks(execute=True):
            return jobb.skicka_paminnelser(**kwargs)

    def bevakning(*args):
        out = io.StringIO()
        with django_capture_on_commit_callbacks(execute=True):
            call_command("bevakning", *args, stdout=out)
        return out.getvalue()

    cast.handlaggare.email = "handlaggare@region.example"
    cast.handlaggare.save()
    arende = bevakat(
        cast,
        [
            ("Punkt 1–2", datetime.date(2026, 6, 17), None),
            ("Punkt 3–4", datetime.date(2026, 9, 1), None),
        ],
    )
    assert paminn(idag=datetime.date(2026, 4, 1)) == []
    assert mail.outbox == []

    [sent] = paminn(idag=datetime.date(2026, 6, 1))
    assert sent.skickad and sent.mottagare == cast.handlaggare
    [message] = mail.outbox
    assert message.to == ["handlaggare@region.example"]
    assert message.subject == "Återrapportering: 1 förfaller snart"
    assert f"{arende.diarienummer}" in message.body and "Punkt 1–2" in message.body
    assert "Punkt 3–4" not in message.body

    out = bevakning("--idag", "2026-08-20")
    assert mail.outbox[-1].subject == "Återrapportering: 1 försenad, 1 förfaller snart"
    assert "handlaggare-HSN" in out and "försenat 2026-06-17" in out

    # run again (cron twice, or the next day): nothing new, nothing sent; what was sent,
    # to whom and when is on record
    out = bevakning("--idag", "2026-08-21")
    assert len(mail.outbox) == 2 and "redan påmind, inget nytt" in out
    assert sorted(
        SkickadPaminnelse.objects.values_list("uppdrag__beskrivning", "lage", "mottagare")
    ) == [
        ("Punkt 1–2", "forsenat", cast.handlaggare.pk),
        ("Punkt 1–2", "snart", cast.handlaggare.pk),
        ("Punkt 3–4", "snart", cast.handlaggare.pk),
    ]
    # the second uppdrag becomes overdue: that is new
    paminn(idag=datetime.date(2026, 9, 2))
    assert len(mail.outbox) == 3 and "Punkt 3–4" in mail.outbox[-1].body

    bevakning("--idag", "2026-08-20", "--torrkorning")
    assert len(mail.outbox) == 3

    cast.handlaggare.email = ""
    cast.handlaggare.save()
    SkickadPaminnelse.objects.all().delete()
    [unsent] = paminn(idag=datetime.date(2026, 8, 20))
    assert not unsent.skickad and len(mail.outbox) == 3
    assert not SkickadPaminnelse.objects.exists()  # nothing sent, nothing recorded


@pytest.mark.django_db
def test_timers_fire_from_the_command_and_reporting_early_cancels_the_timer(cast):
    arende = bevakat(cast, [("Punkt 1", datetime.date(2026, 6, 17), None)])
    out = io.StringIO()
    with mock.patch("viewflow.workflow.timers.timezone.now", return_value=at(2026, 6, 18)):
        call_command("workflow_timers", stdout=out)
    assert out.getvalue().startswith("1 timer(s) fired")
    assert open_tasks(arende) == [("aterrapportera", "handlaggare-HSN")]

    early = bevakat(cast, [("Punkt 1", datetime.date(2026, 6, 17), None)])
    rapport = diarium_services.lagg_till_handling(
        early, user=cast.handlaggare, typ="aterrapport", riktning="upprattad", titel="Tidig"
    )
    handlaggning_services.aterrapportera(
        early.uppdrag.get(),
        handling=rapport,
        redovisat=datetime.date(2026, 3, 1),
        user=cast.handlaggare,
    )
    assert fresh(early).state == "avslutat" and open_tasks(early) == []
    assert Task.objects.filter(flow_task=ArendeFlow.vanta, status=STATUS.CANCELED).count() == 1
    assert jobb.kor_timers() == 0


def test_the_flow_names_only_transitions_and_roles_of_the_lifecycle():
    lifecycle = definition()
    for node in ArendeFlow.instance.nodes():
        if isinstance(node, Uppgift):
            assert node.avslutas_av <= set(lifecycle.transitions), node.name
            assert set(node.roller) <= set(lifecycle.roles), node.name


@pytest.mark.django_db
def test_the_flow_passes_viewflows_checks():
    assert [m.id for m in checks.run_checks() if m.id.startswith("viewflow")] == []


def test_celery_is_optional_and_runs_the_same_jobs(monkeypatch):
    import importlib

    import config.celery

    # without the extra installed, even with a broker configured, nothing breaks
    monkeypatch.setitem(sys.modules, "celery", None)
    monkeypatch.setitem(sys.modules, "celery.schedules", None)
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://localhost:6379/0")
    assert importlib.reload(config.celery).app is None

    # with Celery (a stand-in here), beat runs the jobs
    registered = {}
    options_by_task = {}

    class FakeCelery:
        def __init__(self, name):
            self.conf = types.SimpleNamespace()

        def config_from_object(self, obj, namespace):
            self.config = (obj, namespace)

        def task(self, name, **options):
            options_by_task[name] = options
            return lambda function: registered.setdefault(name, function)

    celery = types.ModuleType("celery")
    celery.Celery = FakeCelery
    schedules = types.ModuleType("celery.schedules")
    schedules.crontab = lambda **fields: fields
    monkeypatch.setitem(sys.modules, "celery", celery)
    monkeypatch.setitem(sys.modules, "celery.schedules", schedules)
    module = importlib.reload(config.celery)
    UPPGIFTER = ["arenden.dokument.generera", "arenden.utskick.skicka", "arenden.dokument.text"]
    UPPGIFTER += ["arenden.arkivera"]
    assert sorted(module.UPPGIFTER) == sorted(UPPGIFTER)
    assert module.app.config == ("django.conf:settings", "CELERY")
    assert module.app.conf.beat_schedule == {
        "flows.workflow_timers": {"task": "flows.workflow_timers", "schedule": {"minute": "*/5"}},
        "flows.bevakning": {
            "task": "flows.bevakning",
            "schedule": {"minute": "0", "hour": "7"},
        },
        # what a lost message or a refusing mail server left in the outbox, as cron does
        "arenden.utskick.svep": {"task": "arenden.utskick.svep", "schedule": {"minute": "*/5"}},
        # the filings a lost message left waiting, sent again (arenden.dokument.arkivering)
        "arenden.arkivera_kvarvarande": {
            "task": "arenden.arkivera_kvarvarande",
            "schedule": {"minute": "*/5"},
        },
        "workflow.kontrollpunkt": {
            "task": "workflow.kontrollpunkt",
            "schedule": {"minute": "30", "hour": "2"},
        },
    }
    with mock.patch.object(jobb, "kor_timers", return_value=3) as timers:
        assert registered["flows.workflow_timers"]() == 3
    timers.assert_called_once_with()
    with mock.patch.object(jobb, "skicka_paminnelser", return_value=[1, 2]):
        assert registered["flows.bevakning"]() == 2
    # the worker's tasks (documents, the outbox) are acknowledged only once done, so a
    # worker that dies midway, even killed, leaves the message to another
    for task in UPPGIFTER:
        assert options_by_task[task] == {"acks_late": True, "reject_on_worker_lost": True}
    from arenden.gemensamt import utskick

    with mock.patch.object(utskick, "skicka", return_value=utskick.Omgang(skickade=4)) as svep:
        assert registered["arenden.utskick.svep"]() == 4
    svep.assert_called_once_with(None)  # every unsent row, not some
    with mock.patch("django.core.management.call_command") as kommando:
        registered["workflow.kontrollpunkt"]()
    assert [c.args for c in kommando.call_args_list] == [
        ("workflow_checkpoint",),
        ("verify_history",),
    ]
    from arenden.dokument import arkivering

    with mock.patch.object(arkivering, "skicka_kvarvarande", return_value=2):
        assert registered["arenden.arkivera_kvarvarande"]() == 2

    monkeypatch.undo()
    assert importlib.reload(config.celery).app is None


# -- the open tasks always agree with the ärende's state -----------------------------------

BEREDNING = {"tilldelat", "under_beredning", "aterremitterat"}


def expected_open(state: str, open_uppdrag: bool) -> list[set[str]]:
    """The sets of open task names an ärende in ``state`` may have (this test's own table)."""
    if state == "registrerat":
        return [{"tilldela"}]
    if state in BEREDNING:
        return [
            {"bered"},
            {"bered", "yttrande"},
            {"bered", "samla"},
            {"bered", "yttrande", "samla"},
        ]
    if state == "beredd":
        return [{"yttrande", "samla"}, {"granska"}, {"anmal"}]
    if state == "bordlagt":
        return [{"anmal"}]
    if state == "anmalt":
        return [{"besluta"}]
    if state == "beslutat":
        return [{"expediera"}]
    if state in ("expedierat", "bevakas"):
        return [{"vanta"}, {"aterrapportera"}] if open_uppdrag else [{"avsluta"}]
    return [set()]  # vilande, överlämnat, avslutat, avskrivet, makulerat


TRANSITIONS = sorted(definition().transitions)
ROLES = ("stabschef", "handlaggare", "sekreterare", "registrator")
DUE = (datetime.date(2026, 3, 1), datetime.date(2026, 6, 17))
CLOCK = (at(2026, 1, 1), at(2026, 4, 1), at(2026, 7, 1))
ENDING = {"avskriva", "makulera", "vila"}
CLOSED = {"avslutat", "avskrivet", "makulerat", "overlamnat"}
REFUSED = (TransitionNotAllowed, StaleState, ValidationError, PermissionDenied)
_kod = itertools.count(1)
#: (state, open task names) seen after a step, across all examples of the run
visited: collections.Counter = collections.Counter()


class ProcessMachine(RuleBasedStateMachine):
    """One ärende, moved by every means there is: engine transitions by any of the organ's
    people, the services, the flow's tasks, yttranden coming in, and time passing."""

    def __init__(self):
        super().__init__()
        self.cast = factories.Cast(f"P{next(_kod)}")
        self.organs = [
            factories.organ("RS", "Regionstyrelsen", typ=Organ.Typ.STYRELSE),
            factories.organ("RF", "Regionfullmäktige", typ=Organ.Typ.FULLMAKTIGE),
        ]
        self.arende = self.cast.registrera()

    # -- helpers ---------------------------------------------------------------------------

    def user(self, role):
        return getattr(self.cast, role)

    def snapshot(self):
        arende = fresh(self.arende)
        return arende.state, sorted(open_tasks(arende)), list(arende.history.values_list("pk"))

    def attempt(self, action):
        before = self.snapshot()
        try:
            action()
        except REFUSED:
            assert self.snapshot() == before, "a refused step changed something"
        self.arende = fresh(self.arende)

    # -- rules -----------------------------------------------------------------------------

    @initialize(depth=st.integers(0, 10), ask=st.integers(0, 2), uppdrag=st.booleans())
    def start_somewhere_on_the_main_path(self, depth, ask, uppdrag):
        """Take the ärende ``depth`` steps along the main path first, so that the walks
        start from every part of the lifecycle."""
        self.drive(depth, ask, uppdrag)

    @precondition(lambda self: self.arende.state in CLOSED)
    @rule(depth=st.integers(0, 10), ask=st.integers(0, 2), uppdrag=st.booleans())
    def next_arende(self, depth, ask, uppdrag):
        """This one is closed: go on with a new ärende, somewhere on the main path."""
        self.arende = self.cast.registrera()
        self.drive(depth, ask, uppdrag)

    def drive(self, depth, ask, uppdrag):
        c, arende = self.cast, self.arende
        steps = [
            lambda: u.tilldela(
                task(arende, "tilldela"),
                c.stabschef,
                handlaggare=c.handlaggare,
                yttranden=self.organs[:ask],
            ),
            lambda: factories.forslag_till_beslut(
                fresh(arende), c.handlaggare, sandlista=["Pia Näsvall, HSD"]
            ),
            lambda: u.bered(task(arende, "bered"), c.handlaggare),
            lambda: [self.yttrande_comes_in(i, "registrator") for i in range(ask)],
            lambda: u.granska(task(arende, "granska"), c.stabschef, godkann=True),
            lambda: u.anmal(
                task(arende, "anmal"),
                c.sekreterare,
                sammantrade=motet(arende, c.sekreterare),
            ),
            lambda: u.besluta(
                task(arende, "besluta"),
                c.sekreterare,
                beslut="Beslut",
                uppdrag=[("Rapport", DUE[1], None)] if uppdrag else [],
            ),
            lambda: justera(arende, c.sekreterare),
            lambda: u.expediera(task(arende, "expediera"), c.sekreterare, metod="e-post"),
            lambda: fire_timers_at(CLOCK[-1]),
        ]
        for step in steps[:depth]:
            step()
        self.arende = fresh(arende)

    @precondition(lambda self: self.arende.state not in CLOSED)
    @rule(
        transition=st.sampled_from(TRANSITIONS), role=st.sampled_from(ROLES), rare=st.integers(0, 3)
    )
    def engine_transition(self, transition, role, rare):
        """Any transition by anyone, as from the ärende page (mostly refused)."""
        if transition in ENDING and rare:
            return
        self.attempt(lambda: do_transition(self.arende, transition, self.user(role), "Motivering"))

    @precondition(lambda self: self.arende.state not in CLOSED)
    @rule(role=st.sampled_from(ROLES), pick=st.integers(0, 5), rare=st.integers(0, 3))
    def allowed_transition(self, role, pick, rare):
        """A transition the user may take now, as from the ärende page (one that ends or
        pauses the ärende only now and then, so that the walks get far)."""
        user = self.user(role)
        allowed = [
            t for t in allowed_transitions(self.arende, user) if rare == 0 or t.id not in ENDING
        ]
        if allowed:
            transition = allowed[pick % len(allowed)].id
            self.attempt(lambda: do_transition(self.arende, transition, user, "Motivering"))

    @precondition(lambda self: self.arende.state not in CLOSED)
    @rule(data=st.data())
    def complete_a_task(self, data):
        """Anyone completes one of the people's open tasks through the flow, any way."""
        self.complete(data, anyone=True)

    @precondition(lambda self: self.arende.state not in CLOSED)
    @rule(data=st.data())
    def progress(self, data):
        """The right person completes an open task, mostly forward."""
        self.complete(data, anyone=False)

    @precondition(lambda self: self.arende.state not in CLOSED)
    @rule(data=st.data())
    def more_progress(self, data):
        self.complete(data, anyone=False)

    def complete(self, data, anyone: bool):
        tasks = [t for t in u.uppgifter(self.arende) if isinstance(t.flow_task, Uppgift)]
        if not tasks:
            return
        t = data.draw(st.sampled_from(tasks), label="task")
        name = t.flow_task.name
        right = {
            "tilldela": "stabschef",
            "granska": "stabschef",
            "anmal": "sekreterare",
            "besluta": "sekreterare",
            "expediera": "sekreterare",
            "avsluta": "registrator",
        }.get(name, "handlaggare")
        user = self.user(data.draw(st.sampled_from(ROLES), label="role") if anyone else right)
        c = self.cast
        if name == "tilldela":
            asked = data.draw(st.sampled_from(([], self.organs[:1], self.organs)), label="ask")
            action = lambda: u.tilldela(t, user, handlaggare=c.handlaggare, yttranden=asked)  # noqa: E731
        elif name == "bered":

            def action():
                if not self.arende.mottagare.exists() and data.draw(st.booleans(), "sandlista"):
                    factories.forslag_till_beslut(
                        self.arende, c.handlaggare, sandlista=["Pia Näsvall, HSD"]
                    )
                u.bered(t, user)

        elif name == "yttrande":
            action = lambda: u.yttrande_inkommet(t, user)  # noqa: E731
        elif name == "granska":
            ok = data.draw(st.sampled_from((True, True, True, False)), label="godkann")
            action = lambda: u.granska(t, user, godkann=ok, kommentar="Granskat")  # noqa: E731
        elif name == "anmal":
            action = lambda: u.anmal(  # noqa: E731
                t, user, sammantrade=motet(self.arende, c.sekreterare)
            )
        elif name == "besluta":
            outcome = data.draw(
                st.sampled_from(
                    ("uppdrag", "ja", "uppdrag", "aterremiss", "uppdrag", "bordlagg", "forslag")
                ),
                label="utfall",
            )
            if outcome == "aterremiss":
                action = lambda: u.aterremittera(t, user, kommentar="Mer underlag")  # noqa: E731
            elif outcome == "bordlagg":
                action = lambda: u.bordlagga(t, user, kommentar="Senare")  # noqa: E731
            else:
                uppdrag = [("Rapport", due, None) for due in DUE] if outcome == "uppdrag" else []
                forslag = self.organs[0] if outcome == "forslag" else None

                def action():
                    u.besluta(t, user, beslut="Beslut", uppdrag=uppdrag, forslag_till=forslag)
                    justera(self.arende, c.sekreterare)

        elif name == "expediera":
            action = lambda: u.expediera(t, user, metod="e-post")  # noqa: E731
        elif name == "aterrapportera":

            def action():
                rapport = diarium_services.lagg_till_handling(
                    self.arende, user=user, typ="aterrapport", riktning="upprattad", titel="R"
                )
                u.aterrapportera(t, user, handling=rapport, redovisat=datetime.date(2026, 6, 1))

        else:
            action = lambda: u.avsluta(t, user)  # noqa: E731
        self.attempt(action)

    @precondition(lambda self: self.arende.state in BEREDNING | {"beredd", "anmalt"})
    @rule(organ=st.integers(0, 1), role=st.sampled_from(("handlaggare", "registrator")))
    def yttrande_comes_in(self, organ, role):
        sender = self.organs[organ].namn
        self.attempt(
            lambda: diarium_services.lagg_till_handling(
                self.arende,
                user=self.user(role),
                typ=Handling.Typ.YTTRANDE,
                riktning=Handling.Riktning.INKOMMEN,
                titel="Yttrande",
                avsandare_mottagare=sender,
            )
        )

    @precondition(lambda self: self.arende.state in BEREDNING)
    @rule(organ=st.integers(0, 1))
    def more_yttranden(self, organ):
        self.attempt(
            lambda: u.begar_yttranden(self.arende, [self.organs[organ]], user=self.cast.handlaggare)
        )

    @precondition(lambda self: self.arende.state == "anmalt")
    @rule(uppdrag=st.booleans())
    def beslut_from_the_meeting(self, uppdrag):
        """The nämndsekreterare records a beslut directly (the meetings' pages)."""
        given = [("Rapport", DUE[1], None)] if uppdrag else []
        self.attempt(
            lambda: factories.besluta(self.arende, self.cast.sekreterare, "Beslut", uppdrag=given)
        )

    @precondition(lambda self: self.arende.state == "beslutat")
    @rule()
    def expediera_one(self):
        mottagare = self.arende.mottagare.filter(expedierad=None).first()
        if mottagare is not None:
            self.attempt(
                lambda: handlaggning_services.expediera_till(
                    mottagare, user=self.cast.registrator, metod="post"
                )
            )

    @precondition(lambda self: self.arende.state == "bevakas")
    @rule()
    def report_one(self):
        uppdrag = self.arende.uppdrag.filter(redovisat=None).first()
        if uppdrag is None:
            return

        def report():
            rapport = diarium_services.lagg_till_handling(
                self.arende,
                user=self.cast.handlaggare,
                typ="aterrapport",
                riktning="upprattad",
                titel="Rapport",
            )
            handlaggning_services.aterrapportera(
                uppdrag,
                handling=rapport,
                redovisat=datetime.date(2026, 6, 1),
                user=self.cast.handlaggare,
            )

        self.attempt(report)

    @precondition(lambda self: self.arende.state in ("expedierat", "bevakas"))
    @rule(moment=st.sampled_from(CLOCK))
    def time_passes(self, moment):
        fire_timers_at(moment)
        self.arende = fresh(self.arende)

    # -- what must always hold --------------------------------------------------------------

    @invariant()
    def open_tasks_agree_with_the_state(self):
        arende = fresh(self.arende)
        open_uppdrag = arende.uppdrag.filter(redovisat=None)
        names = [name for name, _owner in open_tasks(arende)]
        allowed = expected_open(arende.state, open_uppdrag.exists())
        assert set(names) in allowed, (arende.state, names)
        visited[arende.state, frozenset(names)] += 1
        assert names.count("samla") <= 1 and names.count("bered") <= 1

        processes = ArendeProcess.objects.filter(arende=arende, status=PROCESS.NEW)
        assert processes.count() == (1 if allowed != [set()] else 0)
        assert not Task.objects.filter(
            process__arendeprocess__arende=arende, status=STATUS.ERROR
        ).exists()

        for t in u.uppgifter(arende):
            if t.flow_task.name in ("bered", "yttrande", "aterrapportera"):
                assert t.owner == arende.handlaggare
            if t.flow_task.name == "vanta":
                first_due = min(open_uppdrag.values_list("forfaller", flat=True))
                assert t.scheduled <= datetime.datetime.combine(
                    first_due, datetime.time.min, tzinfo=STOCKHOLM
                )
        if processes and ("bered" in names or "samla" in names):
            awaited = {y["organ"] for y in processes.get().data["yttranden"] if not y["besvarat"]}
            asked = {
                t.data["organ"] for t in u.uppgifter(arende).filter(flow_task=ArendeFlow.yttrande)
            }
            assert asked == awaited


@pytest.mark.django_db
def test_open_tasks_always_agree_with_the_arendes_state():
    visited.clear()
    run_state_machine_as_test(
        ProcessMachine,
        settings=settings(
            max_examples=int(os.environ.get("FLOWS_EXAMPLES", 15)),
            derandomize=not os.environ.get("WORKFLOW_EXPLORE"),
            phases=[Phase.explicit, Phase.reuse, Phase.generate],
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        ),
    )
    states = {state for state, _names in visited}
    assert {"tilldelat", "beredd", "anmalt", "beslutat", "bevakas", "avslutat"} <= states
    if os.environ.get("FLOWS_STATS"):
        for key, n in sorted(visited.items(), key=lambda kv: -kv[1]):
            print(n, key[0], sorted(key[1]))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "nasta, landing",
    [
        ("/mina-arenden/", "/mina-arenden/"),  # back where the user came from, on this site
        ("https://angripare.example/inloggning", "/uppgifter/"),  # another site: the inbox
        ("//angripare.example/", "/uppgifter/"),  # scheme-relative: another site
        ("http://testserver.angripare.example/", "/uppgifter/"),
        ("", "/uppgifter/"),
    ],
)
def test_a_task_page_sends_the_user_back_only_within_the_site(client, cast, nasta, landing):
    arende = cast.registrera("Att tilldela")
    tilldela = task(arende, "tilldela")
    client.force_login(cast.stabschef)
    response = client.post(f"/uppgifter/{tilldela.pk}/ta/", {"nasta": nasta})
    assert response.status_code == 302 and response["Location"] == landing
    assert open_tasks(arende) == [("tilldela", "stabschef-HSN")]  # claimed all the same


@pytest.mark.django_db
def test_a_task_page_says_what_was_done_not_that_the_task_is_done(client, cast):
    """Taking a task only claims it: the page says so, not "Klart". The stabschef's Granska
    says whether the beredning was approved or sent back."""
    arende = cast.registrera("Att tilldela")
    client.force_login(cast.stabschef)
    svar = client.post(f"/uppgifter/{task(arende, 'tilldela').pk}/ta/", follow=True)
    sida = svar.content.decode()
    assert "Du har tagit uppgiften" in sida and "den finns nu under dina uppgifter" in sida
    assert "Klart:" not in sida
