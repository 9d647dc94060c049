"""What keeping the ärende's process in step costs a step (issue 18, item 1), pinned.

Each step of the main path as the benchmark takes it (tests/benchmark/transitions.py):
``do_transition`` with the process's receivers connected (flows/synk.py), counted in
statements, next to the same step on an ärende whose process is left alone. The counts may
fall; they may not grow back (completing a task rewrote its row twice, each activation read
the process and the ärende again, the open tasks were read twice when they were rerouted,
the process lock opened a savepoint inside the engine's transaction).
"""

import pytest
from django.db import connection
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from arenden.models import Arende
from flows import synk
from tests.benchmark.cast import BY_HAND, Cast, before_step
from tests.benchmark.common import counting_queries
from workflow import roles as workflow_roles
from workflow.engine import do_transition

#: statements of each step with its process, at most, per database (BEGIN and COMMIT not
#: counted; SQLite takes the write lock with its BEGIN IMMEDIATE, so the process row is not
#: locked by a statement of its own). Before this was pinned the main path took 193 on SQLite.
MED_PROCESS = {
    "sqlite": {
        # 16 before the step asked whether the handläggare is an active tjänsteperson
        "tilldela": 17,
        "paborja_beredning": 6,
        "markera_beredd": 25,
        "anmal": 18,  # 17 before anmält needed its item
        # 20 before beslutförhet was asked (KL 5 kap. 45 §, 6 kap. 27 §): the item with its
        # jäv, the register's seats and the närvaro with what serving in the item reads
        "besluta": 27,
        # 29 before the beslut had to be justerat (read twice); 31 before it waited for its
        # protokollsutdrag to be filed (asked by the service and by the step); 32 before the
        # day of expedierat was the day its last recipient was sent it, read from them
        "expediera": 33,
        # 25 before överlämnat waited for its justering; 27 before the rättat utdrag owed
        # (FL 36 §) held it open
        "avsluta": 28,
    },
    "postgresql": {
        "tilldela": 15,  # 14 before it asked who the handläggare is, as on SQLite
        "paborja_beredning": 3,
        "markera_beredd": 23,
        "anmal": 16,
        "besluta": 25,  # 18 before beslutförhet, as on SQLite
        "expediera": 29,  # as on SQLite
        "avsluta": 26,
    },
}


def _steg(cast, pk, *, process: bool) -> dict[str, int]:
    obj = Arende.objects.get(pk=pk)
    counts = {}
    for transition, who, _target in BY_HAND:
        user = cast.actor(who)
        workflow_roles.forget(user)
        before_step(transition, pk)
        with counting_queries() as counter:
            if process:
                do_transition(obj, transition, user)
            else:
                with synk.utan_process():
                    do_transition(obj, transition, user)
        counts[transition] = counter.count
    return counts


@pytest.mark.django_db(transaction=True)
def test_a_step_with_its_process_costs_no_more_statements_than_pinned():
    cast = Cast("KOS")
    med_pk, utan_pk = cast.register(2, text="Kostnad")
    med = _steg(cast, med_pk, process=True)
    utan = _steg(cast, utan_pk, process=False)

    tak = MED_PROCESS[connection.vendor]
    over = {t: (med[t], tak[t]) for t in tak if med[t] > tak[t]}
    assert not over, f"steg över sitt tak (räknat, tak): {over}; alla: {med}"
    # the process adds to each step, never replaces it: the engine's own statements stay
    assert all(med[t] >= utan[t] for t in utan)
    # and the process did its work: the ärende is closed, its tasks are all done or cancelled
    assert Arende.objects.get(pk=med_pk).state == "avslutat"
    oppna = Task.objects.filter(
        process__arendeprocess__arende_id=med_pk, status__in=synk.OPPEN
    ).count()
    assert oppna == 0
    klara = Task.objects.filter(
        process__arendeprocess__arende_id=med_pk, flow_task_type="HUMAN", status=STATUS.DONE
    )
    assert klara.exists()
