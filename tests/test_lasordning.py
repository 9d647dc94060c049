"""The flow's tasks on a meeting lock the meeting before the ärende, the order in which the
meeting's own pages lock them (the meeting, then the ärende its step moves). Before, Anmäl
and Besluta locked the ärende first: a task and a page on the same ärende and meeting at once
could each hold what the other waited for, and PostgreSQL broke the deadlock by failing one
of them. Proven on PostgreSQL with the meeting held locked, as a page holds it: the task
waits at the meeting and has not taken the ärende, so the page can take it and finish;
then the task goes on."""

import threading

import pytest
from django.db import OperationalError, connection, transaction

from arenden.models import Arende, Punkt, Sammantrade
from arenden.sammantraden import protokoll
from flows import uppgifter
from tests import factories
from tests.test_samtidigt_i_namnden import _vantar_pa_las

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _medan_motet_ar_last(sammantrade_id, arende_id, uppgift) -> tuple[bool, list]:
    """Hold the meeting's row as a page does, start ``uppgift`` in a thread, and once it waits,
    try the ärende's row without waiting: (whether the ärende was free, what the task raised
    or returned)."""
    utfall = []

    def kor():
        try:
            utfall.append(uppgift())
        except Exception as error:  # noqa: BLE001 - returned
            utfall.append(error)
        finally:
            connection.close()

    with transaction.atomic():
        list(Sammantrade.objects.select_for_update().filter(pk=sammantrade_id).values_list("pk"))
        trad = threading.Thread(target=kor)
        trad.start()
        assert _vantar_pa_las(), utfall
        try:
            with transaction.atomic():
                list(
                    Arende.objects.select_for_update(nowait=True)
                    .filter(pk=arende_id)
                    .values_list("pk")
                )
            ledigt = True
        except OperationalError:
            ledigt = False
    trad.join(30)
    return ledigt, utfall


def _uppgift(arende, namn):
    [task] = [t for t in uppgifter.uppgifter(arende) if t.flow_task.name == namn]
    return task


def test_anmal_waits_for_the_meeting_before_it_takes_the_arende():
    cast = factories.Cast()
    arende = cast.berett("Riktlinjer för vårdhygien")
    uppgifter.granska(_uppgift(arende, "granska"), cast.stabschef, godkann=True)
    anmal = _uppgift(arende, "anmal")
    mote = factories.planerat(arende, cast.sekreterare)
    ledigt, utfall = _medan_motet_ar_last(
        mote.pk, arende.pk, lambda: uppgifter.anmal(anmal, cast.sekreterare, sammantrade=mote)
    )
    assert ledigt, "the task held the ärende while it waited for the meeting"
    [punkt] = utfall
    assert isinstance(punkt, Punkt) and punkt.sammantrade_id == mote.pk
    assert Arende.objects.get(pk=arende.pk).state == "anmalt"


@pytest.mark.parametrize(
    "steg, tillstand",
    [
        (lambda task, user: uppgifter.besluta(task, user, beslut="Bifall."), "beslutat"),
        (
            lambda task, user: uppgifter.aterremittera(task, user, kommentar="Mer underlag."),
            "aterremitterat",
        ),
        (
            lambda task, user: uppgifter.bordlagga(task, user, kommentar="Till nästa möte."),
            "bordlagt",
        ),
    ],
    ids=["besluta", "aterremittera", "bordlagga"],
)
def test_the_meetings_decision_waits_for_the_meeting_before_it_takes_the_arende(steg, tillstand):
    cast = factories.Cast()
    arende = cast.berett("Riktlinjer för vårdhygien")
    punkt = factories.anmal(arende, cast.sekreterare)
    protokoll.kalla(punkt.sammantrade, user=cast.sekreterare)
    besluta = _uppgift(arende, "besluta")
    ledigt, utfall = _medan_motet_ar_last(
        punkt.sammantrade_id, arende.pk, lambda: steg(besluta, cast.sekreterare)
    )
    assert ledigt, "the task held the ärende while it waited for the meeting"
    [gjort] = utfall
    assert not isinstance(gjort, Exception), gjort
    assert Arende.objects.get(pk=arende.pk).state == tillstand
    punkt.refresh_from_db()
    assert punkt.utfall
