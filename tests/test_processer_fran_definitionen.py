"""The ärende's process takes who does what, in which state, from the lifecycle definition
(flows/arende.py): which tasks are open in a state (``State.tasks``), where the process is
routed, and who is offered each task (the guards of the transitions that complete it). Where
tasks and state disagree the process is brought back in step and the cancelled tasks say
why; a state the definition gives no tasks raises."""

from dataclasses import replace

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from viewflow.workflow.models import Task
from viewflow.workflow.status import PROCESS, STATUS

from arenden.handlaggning import services
from arenden.organisation.roles import HANDLAGGARE, NAMNDSEKRETERARE, REGISTRATOR, STABSCHEF
from flows import checks as process_checks
from flows import uppgifter as u
from flows.arende import BEREDNING
from flows.models import ArendeProcess
from flows.processer import ArendeFlow, Uppgift, UtanUppgifter, plats, stammer
from tests import factories
from workflow import registry
from workflow.definitions import DefinitionError, Guard, State, Tasks, Transition, Workflow
from workflow.engine import do_transition
from workflow.roles import roles_in_context


def open_tasks(arende) -> list[tuple[str, str | None]]:
    return [
        (t.flow_task.name, t.owner.get_username() if t.owner_id else None)
        for t in u.uppgifter(arende).select_related("owner")
    ]


def task(arende, name):
    return u.uppgifter(arende).get(flow_task=ArendeFlow.instance.node(name))


def fresh(arende):
    return type(arende).objects.get(pk=arende.pk)


@pytest.fixture
def cast(db):
    return factories.Cast()


def with_changes(states=(), transitions=(), replace_transitions=None, tasks=None):
    """The real lifecycle with ``states`` and ``transitions`` added (transitions replaced by
    id, the tasks of states by id), registered in its place; the process is not touched."""
    real = registry.get_workflow("arende")
    replaced = replace_transitions or {}
    tasks = tasks or {}
    changed = Workflow(
        id=real.id,
        title=real.title,
        states=[replace(s, tasks=tasks.get(s.id, s.tasks)) for s in real.state_list] + list(states),
        transitions=[replaced.get(t.id, t) for t in real.transition_list] + list(transitions),
        initial_state=real.initial_state,
        roles=real.roles,
        worklists=real.worklist_list,
    )
    registry.register(changed)
    return real


@pytest.fixture
def lifecycle():
    """Changes to the lifecycle for one test; the real one is put back afterwards."""
    saved = []

    def change(**kwargs):
        saved.append(with_changes(**kwargs))

    yield change
    if saved:
        registry.register(saved[0])


def pa_remiss(real, tasks=BEREDNING):
    """The README's worked example: an ärende under beredning sent out på remiss."""
    return State(
        "pa_remiss",
        "På remiss",
        "Remissen är ute; remissvaren inväntas.",
        permissions=real.states["under_beredning"].permissions,
        tasks=tasks,
    )


def remiss_transitions():
    preparers = Guard(roles=(HANDLAGGARE, "Beredningsansvarig"))
    return [
        Transition(
            "remittera",
            "Skicka på remiss",
            "under_beredning",
            "pa_remiss",
            guard=preparers,
            comment_required=True,
        ),
        Transition(
            "remissvar_inkomna",
            "Remissvaren inkomna",
            "pa_remiss",
            "under_beredning",
            guard=preparers,
        ),
    ]


# -- a new state routes from the definition alone -----------------------------------------


@pytest.mark.django_db
def test_a_state_added_to_the_definition_keeps_its_task_open_and_routes(cast, lifecycle):
    real = registry.get_workflow("arende")
    lifecycle(states=[pa_remiss(real)], transitions=remiss_transitions())
    arende = cast.registrera()
    services.tilldela(arende, handlaggare=cast.handlaggare, user=cast.stabschef)
    do_transition(arende, "paborja_beredning", cast.handlaggare)
    bered = task(arende, "bered")

    # the Bered task stays open through the remiss: the state says so, nothing is cancelled
    do_transition(arende, "remittera", cast.handlaggare, "Till kommunerna")
    assert fresh(arende).state == "pa_remiss"
    assert open_tasks(arende) == [("bered", "handlaggare-HSN")]
    assert task(arende, "bered").pk == bered.pk
    assert not Task.objects.filter(status=STATUS.CANCELED).exists()
    do_transition(arende, "remissvar_inkomna", cast.handlaggare)
    assert task(arende, "bered").pk == bered.pk

    # an ärende that reaches the new state with no process gets one, routed by the state
    do_transition(arende, "remittera", cast.handlaggare, "Igen")
    Task.objects.filter(process__arendeprocess__arende=arende).delete()
    ArendeProcess.objects.filter(arende=arende).delete()
    do_transition(arende, "remissvar_inkomna", cast.handlaggare)
    do_transition(arende, "remittera", cast.handlaggare, "En tredje gång")
    assert open_tasks(arende) == [("bered", "handlaggare-HSN")]
    assert plats(fresh(arende)) == "beredning"
    assert process_checks.process_problems() == []


@pytest.mark.django_db
def test_a_state_added_with_another_task_is_routed_to_it(cast, lifecycle):
    """A state whose task is Granska: the Bered task did not lead there, so it is cancelled
    (saying why) and the process opens Granska, as the new state says."""
    real = registry.get_workflow("arende")
    snabbgranskas = State(
        "snabbgranskas",
        "Snabbgranskas",
        permissions=real.states["beredd"].permissions,
        tasks=(Tasks(("granska",)),),
    )
    lifecycle(
        states=[snabbgranskas],
        transitions=[
            Transition(
                "snabbgranska",
                "Skicka till snabbgranskning",
                "under_beredning",
                "snabbgranskas",
                guard=Guard(roles=(STABSCHEF,)),
            ),
            Transition(
                "snabbgranskad",
                "Snabbgranskad",
                "snabbgranskas",
                "under_beredning",
                guard=Guard(roles=(STABSCHEF,)),
            ),
        ],
        replace_transitions={
            "ateruppta_beredning": replace(
                real.transitions["ateruppta_beredning"], sources=("beredd", "snabbgranskas")
            )
        },
    )
    arende = cast.registrera()
    services.tilldela(arende, handlaggare=cast.handlaggare, user=cast.stabschef)
    do_transition(arende, "paborja_beredning", cast.handlaggare)
    do_transition(arende, "snabbgranska", cast.stabschef)
    assert open_tasks(arende) == [("granska", None)]
    assert list(u.ko(cast.stabschef)) == [task(arende, "granska")]
    # Granska is completed by ateruppta_beredning here too: the stabschef sends it back
    u.granska(task(arende, "granska"), cast.stabschef, godkann=False, kommentar="Mer")
    assert fresh(arende).state == "under_beredning"
    assert open_tasks(arende) == [("bered", "handlaggare-HSN")]


# -- who is offered a task ----------------------------------------------------------------


def _assert_offered_exactly_to_who_may_complete(arende, users):
    arende = fresh(arende)
    wf = registry.get_workflow("arende")
    for t in u.uppgifter(arende):
        node = t.flow_task
        if not isinstance(node, Uppgift):
            continue
        steps = [
            wf.transitions[s] for s in node.avslutas_av if arende.state in wf.transitions[s].sources
        ]
        if not steps:
            continue
        for user in users:
            roles = roles_in_context(user, arende)
            may = all(step.guard.failure(arende, user, roles) is None for step in steps)
            assert node.far_utfora(user, arende) == may, (node.name, user.username, arende.state)


@pytest.mark.django_db
def test_every_task_is_offered_exactly_to_who_may_take_its_steps(cast):
    beredningsansvarig = factories.user("beredningsansvarig")
    users = [
        cast.stabschef,
        cast.handlaggare,
        cast.sekreterare,
        cast.registrator,
        cast.revisor,
        beredningsansvarig,
        factories.Cast("RS").stabschef,  # another organ's
    ]
    arende = cast.registrera()
    _assert_offered_exactly_to_who_may_complete(arende, users)
    u.tilldela(
        task(arende, "tilldela"),
        cast.stabschef,
        handlaggare=cast.handlaggare,
        beredningsansvariga=[(factories.person("Bea", anvandare=beredningsansvarig), "del")],
    )
    arende = fresh(arende)
    do_transition(arende, "paborja_beredning", cast.handlaggare)
    _assert_offered_exactly_to_who_may_complete(arende, users)
    factories.forslag_till_beslut(arende, cast.handlaggare)
    u.bered(task(arende, "bered"), cast.handlaggare)
    _assert_offered_exactly_to_who_may_complete(arende, users)
    u.granska(task(arende, "granska"), cast.stabschef, godkann=True)
    _assert_offered_exactly_to_who_may_complete(arende, users)
    u.anmal(
        task(arende, "anmal"),
        cast.sekreterare,
        sammantrade=factories.planerat(arende, cast.sekreterare),
    )
    _assert_offered_exactly_to_who_may_complete(arende, users)


@pytest.mark.django_db
def test_a_tasks_roles_follow_the_guard_in_the_definition(cast, lifecycle):
    """The registrator may not put an ärende on the agenda, so Anmäl is not in their queue;
    let the definition allow it, and it is, with nothing changed in the process."""
    arende = cast.berett()
    u.granska(task(arende, "granska"), cast.stabschef, godkann=True)
    assert ArendeFlow.anmal.roller == (NAMNDSEKRETERARE,)
    assert not u.ko(cast.registrator).exists()

    anmal = registry.get_workflow("arende").transitions["anmal"]
    lifecycle(
        replace_transitions={
            "anmal": replace(anmal, guard=Guard(roles=(NAMNDSEKRETERARE, REGISTRATOR)))
        }
    )
    assert ArendeFlow.anmal.roller == (NAMNDSEKRETERARE, REGISTRATOR)
    assert list(u.ko(cast.registrator)) == [task(arende, "anmal")]
    u.ta(task(arende, "anmal"), cast.registrator)
    assert task(arende, "anmal").owner == cast.registrator


# -- disagreement is recorded, an unknown state raises ------------------------------------


@pytest.mark.django_db
def test_a_step_the_tasks_did_not_lead_to_is_recorded_on_the_cancelled_tasks(client, cast):
    arende = cast.berett("Palliativ vård")
    granska = task(arende, "granska")

    # the nämndsekreterare puts it on the agenda from the ärende page before the review
    factories.anmal(arende, cast.sekreterare)
    assert open_tasks(arende) == [("besluta", None)]
    granska.refresh_from_db()
    assert granska.status == STATUS.CANCELED
    assert granska.data["avbruten"] == {
        "overgang": "anmal",
        "fran": "beredd",
        "till": "anmalt",
        "av": "sekreterare-HSN",
        "text": "Avbruten när ärendet gick från Beredd till Anmält genom Anmäl till "
        "sammanträde, ett steg som uppgifterna inte ledde till. Steget togs av "
        "sekreterare-HSN.",
    }

    # a step the tasks did lead to cancels nothing
    factories.besluta(arende, cast.sekreterare, "Bifall")
    assert task(arende, "expediera") and Task.objects.filter(status=STATUS.CANCELED).count() == 1

    client.force_login(cast.stabschef)
    sida = client.get(reverse("arenden:arende", args=[arende.pk])).content.decode()
    assert "Avbrutna uppgifter (1)" in sida
    assert "Granska" in sida and "genom Anmäl till sammanträde" in sida


@pytest.mark.django_db
def test_pausing_records_why_the_open_tasks_were_cancelled(cast):
    arende = cast.registrera()
    services.tilldela(arende, handlaggare=cast.handlaggare, user=cast.stabschef)
    do_transition(arende, "vila", cast.stabschef, "Inväntar utredning")
    assert ArendeProcess.objects.get(arende=arende).status == PROCESS.DONE
    [bered] = Task.objects.filter(status=STATUS.CANCELED, flow_task=ArendeFlow.bered)
    assert bered.data["avbruten"]["overgang"] == "vila"
    assert bered.data["avbruten"]["till"] == "vilande"


@pytest.mark.django_db
def test_a_state_the_definition_gives_no_tasks_raises_and_the_step_is_undone(cast, lifecycle):
    real = registry.get_workflow("arende")
    lifecycle(
        states=[State("granskas", "Granskas", permissions=real.states["beredd"].permissions)],
        transitions=[
            Transition("granska", "Granska", "beredd", "granskas", guard=Guard(roles=(STABSCHEF,))),
            Transition(
                "granskad", "Granskad", "granskas", "beredd", guard=Guard(roles=(STABSCHEF,))
            ),
        ],
    )
    arende = cast.berett()
    with pytest.raises(UtanUppgifter, match="status granskas"):
        do_transition(fresh(arende), "granska", cast.stabschef)
    # nothing happened: the ärende is beredd, Granska open, the process running
    assert fresh(arende).state == "beredd"
    assert open_tasks(arende) == [("granska", None)]
    assert ArendeProcess.objects.get(arende=arende).status == PROCESS.NEW
    with pytest.raises(LookupError):
        stammer("granskas", set())
    assert any("status granskas saknar uppgifter" in p for p in process_checks.process_problems())


# -- the check: the process and the definition agree --------------------------------------


@pytest.mark.parametrize(
    "tasks, problem",
    [
        (
            (Tasks(("remissvar",)),),
            "status pa_remiss nämner uppgiften remissvar, som processen inte har",
        ),
        (
            (Tasks(("aterrapportera",)),),
            "status pa_remiss öppnas med aterrapportera, dit processens vägval inte leder",
        ),
        (
            (Tasks(("bered",), start="beredning", when=lambda arende: True),),
            "status pa_remiss har ingen uppgift att öppna när inget villkor håller",
        ),
    ],
)
def test_workflow_check_fails_when_a_state_names_tasks_the_process_cannot_open(
    lifecycle, tasks, problem
):
    lifecycle(
        states=[pa_remiss(registry.get_workflow("arende"), tasks)],
        transitions=remiss_transitions(),
    )
    assert process_checks.process_problems() == [problem]
    with pytest.raises(CommandError):
        call_command("workflow_check")


def test_workflow_check_fails_when_the_initial_state_opens_another_task_than_a_new_process(
    lifecycle,
):
    lifecycle(tasks={"registrerat": (Tasks(("granska",)),)})
    problems = process_checks.process_problems()
    assert (
        "ett nytt ärende får uppgiften tilldela, men livscykeln öppnar granska i status registrerat"
    ) in problems


# -- the engine's part: generic, knows nothing of ärenden or viewflow ----------------------


def _tiny(**state_kwargs):
    return Workflow(
        id="liten",
        title="Liten",
        roles=("Författare", "Granskare"),
        initial_state="utkast",
        states=[
            State(
                "utkast",
                "Utkast",
                permissions={"app.andra": ("Författare",), "app.lasa": ("Författare", "Granskare")},
                **state_kwargs,
            ),
            State("klar", "Klar", final=True, tasks=()),
        ],
        transitions=[
            Transition(
                "klarmarkera", "Klar", "utkast", "klar", guard=Guard(permissions="app.andra")
            ),
            Transition(
                "godkanna",
                "Godkänn",
                "utkast",
                "klar",
                guard=Guard(roles=("Granskare",), permissions=("app.lasa",)),
            ),
            Transition("vem_som_helst", "Fritt", "utkast", "klar"),
            Transition("ej_styrd", "Ej styrd", "utkast", "klar", guard=Guard(permissions="x.y")),
        ],
    )


def test_a_state_says_which_tasks_are_open_in_it():
    wf = _tiny(tasks=(Tasks(("skriva",), besides=("kommentera",)), Tasks(("granska",))))
    utkast = wf.states["utkast"]
    assert utkast.task_names() == {"skriva", "kommentera", "granska"}
    assert utkast.tasks[0].agrees({"skriva"}) and utkast.tasks[0].agrees({"skriva", "kommentera"})
    assert not utkast.tasks[0].agrees({"kommentera"})
    assert not utkast.tasks[0].agrees({"skriva", "granska"})
    assert utkast.tasks[1].entered_at == "granska"
    assert wf.as_dict()["states"][0]["tasks"][0] == {
        "open": ["skriva"],
        "besides": ["kommentera"],
        "entry": True,
        "start": "skriva",
    }
    assert "tasks" not in _tiny().as_dict()["states"][0]  # not said: no process here
    assert _tiny().states["utkast"].tasks is None and wf.states["klar"].tasks == ()
    with pytest.raises(DefinitionError, match="utkast har en grupp uppgifter utan"):
        _tiny(tasks=(Tasks(()),))


def test_the_roles_a_guard_allows_in_a_state():
    wf = _tiny()
    allowed = {t.id: wf.roles_allowed(t, "utkast") for t in wf.transition_list}
    assert allowed["klarmarkera"] == {"Författare"}  # who holds the permission there
    assert allowed["godkanna"] == {"Granskare"}  # both lists must pass
    assert allowed["vem_som_helst"] == wf.roles  # no guard
    assert allowed["ej_styrd"] == wf.roles  # a permission the workflow does not manage
