"""The ärende's process: the lifecycle of flows/arende.py turned into tasks for people.

A viewflow process is the to-do list that tells people what to do next. Completing a task
calls the engine (or an arenden service, which calls the engine), and the engine's transition
is what changes the ärende; the flow never writes the ärende's state. The engine's
``after_transition`` signal (flows/synk.py) completes the tasks a transition finishes, and
whatever path a transition took, from a task or from the ärende page, the open tasks are
brought back in step with the ärende's state (and the tasks that had to be cancelled say why).

What the process is told by the definition, not here: which tasks are open in each state
(``State.tasks``: where ``vagval`` routes, :func:`plats`; what agrees with a state,
:func:`stammer`), and who is offered each task (:attr:`Uppgift.roller`, from the guards of
the transitions that complete it). What is written here is the shape of the flow: its nodes,
what completes each task, who owns it, the split, the join and the timer.

The nodes, in the order of the main path::

    start → vagval ─→ tilldela → beredning ═╦═ bered ─────────╦═ samla → granska
                                            ╚═ yttrande × n ══╝
            granska → efter_granskning ─→ anmal → besluta → vagval ─→ expediera → vagval
            vagval ─→ vanta (timer: återrapporteringens förfallodag) → aterrapportera → slut
            vagval ─→ avsluta → slut                       (beslutet gav inget uppdrag)

``vagval`` routes by the ärende's state, through :func:`plats`: after the start, after a
beslut, after expediering, and whenever the open tasks have to be rebuilt because the ärende
moved where the tasks did not lead. A state the definition says nothing about raises; it
never ends the process.

Tasks with an ``agare`` (bered, yttrande, aterrapportera) go straight to the ärende's
handläggare; the others wait in the queue of everyone holding one of the task's roles on the
ärende (the organ's stabschef, its nämndsekreterare).
"""

from __future__ import annotations

import datetime
import functools
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connection, transaction
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow
from viewflow.workflow.activation import Activation
from viewflow.workflow.exceptions import FlowRuntimeError
from viewflow.workflow.lock import SelectForUpdateLock
from viewflow.workflow.nodes.split import SplitActivation

from arenden.models import Arende, Uppdrag
from flows.namn import ArendeSteg
from workflow import registry
from workflow.definitions import Tasks, Workflow
from workflow.roles import roles_in_context

from .arende import ID
from .models import ArendeProcess

#: ``task.owner_permission`` of a task is this prefix and its roles ("roll:Stabschef"): no
#: Django permission has that name, so viewflow's own queue shows such tasks to superusers
#: only, and :func:`flows.uppgifter.ko` answers who else may take them.
ROLL_PREFIX = "roll:"
#: where :func:`plats` sends a process that has nothing to do in the ärende's state
SLUT = "slut"


class UtanUppgifter(LookupError):
    """The definition does not say which tasks the process holds open in a state."""


def livscykeln() -> Workflow:
    return registry.get_workflow(ID)


def uppgifter_i(state: str, wf: Workflow | None = None) -> tuple[Tasks, ...]:
    """What the definition says the process holds open in ``state`` (``()``: nothing)."""
    wf = wf or livscykeln()
    definierad = wf.states.get(state)
    if definierad is None or definierad.tasks is None:
        raise UtanUppgifter(
            f"Livscykeln säger inte vilka uppgifter processen har i status {state}; "
            "processen avslutas inte utan det."
        )
    return definierad.tasks


def plats(arende, wf: Workflow | None = None) -> str:
    """The node a process enters for the ärende's state (:data:`SLUT` when nothing is to
    do): the first group of the state's tasks that is an entry and whose condition holds."""
    grupper = uppgifter_i(arende.state, wf)
    if not grupper:
        return SLUT
    for grupp in grupper:
        if grupp.entry and (grupp.when is None or grupp.when(arende)):
            return grupp.entered_at
    raise UtanUppgifter(
        f"Ingen av uppgifterna i status {arende.state} kan öppnas för ärendet "
        "(inget villkor håller)."
    )


def stammer(state: str, oppna: set[str], wf: Workflow | None = None) -> bool:
    """Do open tasks with these names agree with an ärende in ``state``?"""
    grupper = uppgifter_i(state, wf)
    if not grupper:
        return not oppna
    return any(grupp.agrees(oppna) for grupp in grupper)


def oppen_i(namn: str, wf: Workflow | None = None) -> frozenset[str]:
    """The states in which the task ``namn`` is held open (not only allowed besides)."""
    wf = wf or livscykeln()
    return frozenset(
        state.id
        for state in wf.state_list
        if any(namn in grupp.open for grupp in state.tasks or ())
    )


@functools.lru_cache(maxsize=128)
def _roller(wf: Workflow, namn: str, avslutas_av: frozenset[str]) -> tuple[str, ...]:
    roller: set[str] | None = None
    for state in wf.state_list:
        if namn not in state.task_names():
            continue
        for transition_id in avslutas_av:
            transition = wf.transitions.get(transition_id)
            if transition is None or state.id not in transition.sources:
                continue
            far = wf.roles_allowed(transition, state.id)
            roller = set(far) if roller is None else roller & far
    return tuple(sorted(roller or ()))


def uppgiftens_roller(namn: str, avslutas_av, wf: Workflow | None = None) -> tuple[str, ...]:
    """Who is offered the task ``namn``: the roles that may take each of the transitions
    that complete it (``avslutas_av``) in every state where it is open, by the guards of the
    definition. Nobody is offered a task they may not complete."""
    return _roller(wf or livscykeln(), namn, frozenset(avslutas_av))


#: the ärende whose transition is moving its process now (see :func:`efter_steget`)
_steget: ContextVar[Arende | None] = ContextVar("arende_i_steget", default=None)


@contextmanager
def efter_steget(arende):
    """While the process follows a transition of ``arende``: its activations use this
    instance, the one the engine has just saved under the ärende's row lock, instead of
    reading the ärende again for each node they pass."""
    token = _steget.set(arende)
    try:
        yield
    finally:
        _steget.reset(token)


def arende_for(activation) -> Arende:
    """The process's ärende as it is in the database now (cached for one activation)."""
    arende = getattr(activation, "_arende", None)
    if arende is None:
        arende = _steget.get()
        if arende is None or arende.pk != activation.process.arende_id:
            arende = Arende.objects.get(pk=activation.process.arende_id)
        activation._arende = arende
    return arende


def _plats_ar(name: str):
    def villkor(activation) -> bool:
        if not hasattr(activation, "_plats"):
            activation._plats = plats(arende_for(activation))
        return activation._plats == name

    villkor.__name__ = f"plats_ar_{name}"
    return villkor


def _granskad(activation) -> bool:
    """Granska is done and the ärende is still where Anmäl may follow it (approved)."""
    return "anmal" in livscykeln().states[arende_for(activation).state].task_names()


def handlaggaren(arende):
    return arende.handlaggare


class Uppgift(flow.View):
    """A task for a person.

    ``avslutas_av``: the engine transitions that complete it, whoever takes them and from
    wherever; who is offered it (``roller``) follows from their guards in the definition.
    ``styckvis``: each open task of this kind is completed by the code that takes the
    transition for it (one yttrande per organ), not all at once by the transition.
    ``agare``: a callable ärende → user the task is given to at once.
    """

    def __init__(self, *, avslutas_av, styckvis=False, agare=None):
        super().__init__(view=None)
        self.avslutas_av = frozenset(avslutas_av)
        self.styckvis = styckvis
        self._agare = agare

    @property
    def roller(self) -> tuple[str, ...]:
        """The roles (in context on the ärende) that may take it from the queue, and do it
        where no engine transition decides."""
        return uppgiftens_roller(self.name, self.avslutas_av)

    def calc_owner(self, activation):
        if self._agare is None:
            return None
        return self._agare(arende_for(activation))

    def calc_owner_permission(self, activation):
        return ROLL_PREFIX + "|".join(self.roller)

    def calc_owner_permission_obj(self, activation):
        return arende_for(activation)

    def far_utfora(self, user, arende) -> bool:
        """Does ``user`` hold one of the task's roles on ``arende``?"""
        return not roles_in_context(user, arende).isdisjoint(self.roller)

    def can_assign(self, user, task):
        if task.owner_id or user is None or not user.is_authenticated:
            return False
        process = ArendeProcess.objects.get(pk=task.process_id)
        return self.far_utfora(user, Arende.objects.get(pk=process.arende_id))


class FordelaActivation(SplitActivation):
    @Activation.status.super()
    def activate(self):
        per_item = self.flow_task._per_item
        for node, case, _data_source in self.flow_task._branches:
            if case and not case(self):
                continue
            items = next((source for target, source in per_item if target is node), None)
            if items is None:
                self.next_tasks.append((node, None))
            else:
                self.next_tasks.extend((node, dict(item)) for item in items(self))
        if not self.next_tasks:
            raise FlowRuntimeError(f"No next task available for {self.flow_task.name}")


class Fordela(flow.Split):
    """A parallel split whose branch may be taken once per item: ``Each(node, items)``
    creates one ``node`` task for each item (a dict, which becomes the task's data) that
    ``items(activation)`` returns, and none for an empty list."""

    activation_class = FordelaActivation

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._per_item = []

    def Each(self, node, items):  # noqa: N802 - viewflow's fluent naming
        self._activate_next.append((node, None, None))
        self._per_item.append((node, items))
        return self

    def _resolve(self, instance):
        super()._resolve(instance)
        self._per_item = [
            (this.resolve(instance, node), this.resolve(instance, items))
            for node, items in self._per_item
        ]


class ProcessLas(SelectForUpdateLock):
    """The process row locked (``SELECT … FOR UPDATE``, waiting for it) where the database
    locks rows. SQLite does not: a writing transaction there holds the whole database from
    its ``BEGIN IMMEDIATE``, so the lock is that transaction and no statement is sent. Inside
    a transaction already (the engine's, a task service's) no savepoint is opened: an error
    undoes the whole transaction, as it would the step."""

    def __init__(self):
        super().__init__(nowait=False)

    @contextmanager
    def __call__(self, flow_class, process_pk):
        with transaction.atomic(savepoint=False):
            if connection.features.has_select_for_update:
                processer = flow_class.process_class._default_manager.filter(pk=process_pk)
                processer.select_for_update().exists()
            yield


class ArendeFlow(flow.Flow):
    """Ärendets gång: uppgifterna från registrering till avslut."""

    process_class = ArendeProcess
    # the process row is locked while a task completes; a Join needs that (viewflow.W001)
    lock_impl = ProcessLas()
    process_title = _("Ärendets gång")
    process_description = _(
        "Uppgifterna som för ett ärende från registrering genom beredning, beslut och "
        "expediering till återrapportering och avslut."
    )

    #: a newly registered ärende: straight to the task of the initial state (Tilldela; the
    #: check in flows/checks.py holds this to the definition), with no earlier process
    ny = flow.StartHandle(this.starta).Annotation(title=_("Registrerat")).Next(this.tilldela)
    #: an ärende in any other state (its process taken up again): routed by its state
    start = flow.StartHandle(this.starta).Next(this.vagval)

    #: the nodes a process can be routed to, each taken when :func:`plats` names it; no
    #: default: a place that is none of them fails (flows/checks.py finds it first)
    vagval = (
        flow.Switch()
        .Annotation(title=_("Vägval efter ärendets status"))
        .Case(this.tilldela, _plats_ar("tilldela"))
        .Case(this.beredning, _plats_ar("beredning"))
        .Case(this.granska, _plats_ar("granska"))
        .Case(this.anmal, _plats_ar("anmal"))
        .Case(this.besluta, _plats_ar("besluta"))
        .Case(this.expediera, _plats_ar("expediera"))
        .Case(this.vanta, _plats_ar("vanta"))
        .Case(this.avsluta, _plats_ar("avsluta"))
        .Case(this.slut, _plats_ar(SLUT))
    )

    tilldela = (
        Uppgift(avslutas_av=(ArendeSteg.TILLDELA,))
        .Annotation(
            title=_("Tilldela"),
            description=_(
                "Utse handläggare och beredningsansvariga, och vilka organ som ska yttra sig."
            ),
        )
        .Next(this.beredning)
    )

    beredning = (
        Fordela()
        .Annotation(title=_("Beredning och yttranden"))
        .Next(this.bered)
        .Each(this.yttrande, this.begarda_yttranden)
    )

    bered = (
        Uppgift(avslutas_av=(ArendeSteg.MARKERA_BEREDD,), agare=handlaggaren)
        .Annotation(
            title=_("Bered"),
            description=_("Skriv tjänsteskrivelsen, samla beslutsunderlaget, markera som beredd."),
        )
        .Next(this.samla)
    )

    yttrande = (
        Uppgift(avslutas_av=(ArendeSteg.YTTRANDE_INKOMMET,), styckvis=True, agare=handlaggaren)
        .Annotation(
            title=_("Yttrande"),
            description=_("Ta emot organets yttrande och registrera det i ärendet."),
            summary_template=_("Yttrande från {{ task.data.namn }}"),
        )
        .Next(this.samla)
    )

    samla = flow.Join().Annotation(title=_("Beredningen och yttrandena klara")).Next(this.granska)

    granska = (
        Uppgift(avslutas_av=(ArendeSteg.GODKANNA_BEREDNING, ArendeSteg.ATERUPPTA_BEREDNING))
        .Annotation(
            title=_("Granska"),
            description=_("Godkänn beredningen, eller skicka tillbaka den till handläggaren."),
        )
        .Next(this.efter_granskning)
    )

    efter_granskning = (
        flow.Switch()
        .Annotation(title=_("Godkänd eller tillbaka till beredning"))
        .Case(this.anmal, _granskad)
        .Default(this.vagval)
    )

    anmal = (
        Uppgift(avslutas_av=(ArendeSteg.ANMAL,))
        .Annotation(
            title=_("Anmäl"),
            description=_("Sätt upp ärendet på föredragningslistan till ett sammanträde."),
        )
        .Next(this.besluta)
    )

    besluta = (
        Uppgift(
            avslutas_av=(
                ArendeSteg.BESLUTA,
                ArendeSteg.OVERLAMNA,
                ArendeSteg.ATERREMITTERA,
                ArendeSteg.BORDLAGGA,
            )
        )
        .Annotation(
            title=_("Besluta"),
            description=_(
                "Registrera organets beslut, återremiss, bordläggning eller förslag till "
                "ett högre organ."
            ),
        )
        .Next(this.vagval)
    )

    expediera = (
        Uppgift(avslutas_av=(ArendeSteg.EXPEDIERA,))
        .Annotation(
            title=_("Expediera"),
            description=_("Skicka beslutet till alla under ”Beslutet expedieras till”."),
        )
        .Next(this.vagval)
    )

    vanta = (
        flow.Timer(this.forfallotid)
        .Annotation(title=_("Väntar på återrapporteringens förfallodag"))
        .Next(this.aterrapportera)
    )

    aterrapportera = (
        Uppgift(avslutas_av=(ArendeSteg.AVSLUTA_ATERRAPPORTERAT,), agare=handlaggaren)
        .Annotation(
            title=_("Återrapportera"),
            description=_("Redovisa uppdraget för organet det ska återrapporteras till."),
        )
        .Next(this.slut)
    )

    avsluta = (
        Uppgift(avslutas_av=(ArendeSteg.AVSLUTA,))
        .Annotation(
            title=_("Avsluta"),
            description=_("Beslutet är expedierat och gav inget uppdrag: avsluta ärendet."),
        )
        .Next(this.slut)
    )

    slut = flow.End().Annotation(title=_("Slut"))

    def starta(self, activation, arende):
        """A new process; one that follows an earlier one (the ärende was taken up again
        after vilande) keeps the yttranden asked for there."""
        tidigare = None
        if activation.flow_task is not self.ny:
            tidigare = ArendeProcess.objects.filter(arende=arende).order_by("-pk").first()
        activation.process.arende = arende
        activation.process.data = {
            "yttranden": tidigare.data.get("yttranden", []) if tidigare else [],
        }
        if tidigare is not None:
            # its yttranden are this one's now: counted once (flows.arende._yttranden)
            activation.process.data["foregaende"] = tidigare.pk
        return activation.process

    def begarda_yttranden(self, activation) -> list[dict]:
        """One item per organ asked for a yttrande that has not answered yet."""
        return [
            {"organ": y["organ"], "namn": y["namn"], "kod": y["kod"]}
            for y in activation.process.data.get("yttranden", [])
            if not y.get("besvarat")
        ]

    def forfallotid(self, activation) -> datetime.datetime:
        """The start (Swedish time) of the earliest due date of the ärende's open uppdrag."""
        forfaller = Uppdrag.objects.filter(
            arende_id=activation.process.arende_id, redovisat=None
        ).aggregate(forst=Min("forfaller"))["forst"]
        if forfaller is None:
            return timezone.now()
        return datetime.datetime.combine(
            forfaller, datetime.time.min, tzinfo=timezone.get_default_timezone()
        )


def uppgiftsnoder() -> list[Uppgift]:
    """The flow's tasks for people."""
    return [node for node in ArendeFlow.instance.nodes() if isinstance(node, Uppgift)]
