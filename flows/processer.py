"""The ärende's process: the lifecycle of flows/arende.py turned into tasks for people.

A viewflow process is the to-do list that tells people what to do next. Completing a task
calls the engine (or an arenden service, which calls the engine), and the engine's transition
is what changes the ärende; the flow never writes the ärende's state. The engine's
``after_transition`` signal (flows/synk.py) completes the tasks a transition finishes, and
whatever path a transition took, from a task or from the ärende page, the open tasks are
brought back in step with the ärende's state.

The nodes, in the order of the main path::

    start → vagval ─→ tilldela → beredning ═╦═ bered ─────────╦═ samla → granska
                                            ╚═ yttrande × n ══╝
            granska → efter_granskning ─→ anmal → besluta → vagval ─→ expediera → vagval
            vagval ─→ vanta (timer: återrapporteringens förfallodag) → aterrapportera → slut
            vagval ─→ avsluta → slut                       (beslutet gav inget uppdrag)

``vagval`` routes by the ärende's state: after the start, after a beslut (beslutat →
expediera, återremitterat → beredning, bordlagt → anmal, överlämnat → slut), after
expediering, and whenever the open tasks have to be rebuilt because the ärende moved where
the tasks did not lead (vilande, avskrivet, makulerat: → slut).

Who does a task is decided by the engine's roles in context on the ärende: ``roller`` on each
:class:`Uppgift`. Tasks with an ``agare`` (bered, yttrande, aterrapportera) go straight to the
ärende's handläggare; the others wait in the queue of everyone holding the role there (the
organ's stabschef, its nämndsekreterare).
"""

from __future__ import annotations

import datetime

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
from arenden.roles import BEREDNINGSANSVARIG, HANDLAGGARE, NAMNDSEKRETERARE, REGISTRATOR, STABSCHEF
from workflow.roles import roles_in_context

from .models import ArendeProcess

#: the states in which the ärende is being prepared (the Bered task is open)
BEREDNING = frozenset({"tilldelat", "under_beredning", "aterremitterat"})
#: after the decision was sent out: waiting for the återrapportering, or for the avslut
EFTER_EXPEDIERING = frozenset({"expedierat", "bevakas"})
#: the states in which the process has nothing to do (it ends): paused, handed on, closed
UTAN_UPPGIFT = frozenset({"vilande", "overlamnat", "avslutat", "avskrivet", "makulerat"})

PREPARERS = (HANDLAGGARE, BEREDNINGSANSVARIG)

#: ``task.owner_permission`` of a task is this prefix and its roles ("roll:Stabschef"): no
#: Django permission has that name, so viewflow's own queue shows such tasks to superusers
#: only, and :func:`flows.uppgifter.ko` answers who else may take them.
ROLL_PREFIX = "roll:"


def arende_for(activation) -> Arende:
    """The process's ärende as it is in the database now (cached for one activation)."""
    arende = getattr(activation, "_arende", None)
    if arende is None:
        arende = Arende.objects.get(pk=activation.process.arende_id)
        activation._arende = arende
    return arende


def har_oppna_uppdrag(arende) -> bool:
    return Uppdrag.objects.filter(arende_id=arende.pk, redovisat=None).exists()


def plats(arende) -> str:
    """The node a process enters for the ärende's state (``slut`` when nothing is to do)."""
    state = arende.state
    if state == "registrerat":
        return "tilldela"
    if state in BEREDNING:
        return "beredning"
    if state == "beredd":
        return "granska"
    if state == "bordlagt":
        return "anmal"
    if state == "anmalt":
        return "besluta"
    if state == "beslutat":
        return "expediera"
    if state in EFTER_EXPEDIERING:
        return "vanta" if har_oppna_uppdrag(arende) else "avsluta"
    if state in UTAN_UPPGIFT:
        return "slut"
    # a state the process was not told about: fail, never end the process silently
    raise LookupError(f"Processen vet inte vilken uppgift status {state} har.")


#: The open tasks that agree with each state, as (required, allowed besides) pairs: a process
#: agrees with its ärende when the names of its open tasks include one pair's required names
#: and nothing outside that pair. A state not named here allows no open task at all.
OPPNA_I_STATUS: dict[str, list[tuple[frozenset, frozenset]]] = {
    "registrerat": [(frozenset({"tilldela"}), frozenset())],
    **{state: [(frozenset({"bered"}), frozenset({"yttrande", "samla"}))] for state in BEREDNING},
    "beredd": [
        (frozenset({"yttrande", "samla"}), frozenset()),  # beredd, yttranden are awaited
        (frozenset({"granska"}), frozenset()),
        (frozenset({"anmal"}), frozenset()),  # granskad
    ],
    "bordlagt": [(frozenset({"anmal"}), frozenset())],
    "anmalt": [(frozenset({"besluta"}), frozenset())],
    "beslutat": [(frozenset({"expediera"}), frozenset())],
    **{
        state: [
            (frozenset({"vanta"}), frozenset()),
            (frozenset({"aterrapportera"}), frozenset()),
            (frozenset({"avsluta"}), frozenset()),
        ]
        for state in EFTER_EXPEDIERING
    },
}


def stammer(state: str, oppna: set[str]) -> bool:
    """Do open tasks with these names agree with an ärende in ``state``?"""
    pairs = OPPNA_I_STATUS.get(state, [(frozenset(), frozenset())])
    return any(required <= oppna <= required | allowed for required, allowed in pairs)


def _plats_ar(name: str):
    def villkor(activation) -> bool:
        if not hasattr(activation, "_plats"):
            activation._plats = plats(arende_for(activation))
        return activation._plats == name

    villkor.__name__ = f"plats_ar_{name}"
    return villkor


def _i_beredning(activation) -> bool:
    return arende_for(activation).state in BEREDNING


def handlaggaren(arende):
    return arende.handlaggare


class Uppgift(flow.View):
    """A task for a person.

    ``roller``: who may take it from the queue, and do it where no engine transition decides
    (roles in context on the ärende). ``agare``: a callable ärende → user the task is given
    to at once. ``avslutas_av``: the engine transitions that complete it, whoever takes them
    and from wherever. ``under``: transitions taken while it is open that leave it open.
    """

    def __init__(self, *, roller, avslutas_av=(), under=(), agare=None):
        super().__init__(view=None)
        self.roller = tuple(roller)
        self.avslutas_av = frozenset(avslutas_av)
        self.under = frozenset(under)
        self._agare = agare

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


class ArendeFlow(flow.Flow):
    """Ärendets gång: uppgifterna från registrering till avslut."""

    process_class = ArendeProcess
    # the process row is locked while a task completes; a Join needs that (viewflow.W001)
    lock_impl = SelectForUpdateLock(nowait=False)
    process_title = _("Ärendets gång")
    process_description = _(
        "Uppgifterna som för ett ärende från registrering genom beredning, beslut och "
        "expediering till återrapportering och avslut."
    )

    #: a newly registered ärende: straight to Tilldela, with no earlier process to look for
    ny = flow.StartHandle(this.starta).Annotation(title=_("Registrerat")).Next(this.tilldela)
    #: an ärende in any other state (its process taken up again): routed by its state
    start = flow.StartHandle(this.starta).Next(this.vagval)

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
        .Default(this.slut)
    )

    tilldela = (
        Uppgift(roller=(STABSCHEF,), avslutas_av=("tilldela",))
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
        Uppgift(
            roller=PREPARERS,
            avslutas_av=("markera_beredd",),
            under=("paborja_beredning",),
            agare=handlaggaren,
        )
        .Annotation(
            title=_("Bered"),
            description=_("Skriv tjänsteskrivelsen, samla beslutsunderlaget, markera som beredd."),
        )
        .Next(this.samla)
    )

    yttrande = (
        Uppgift(roller=PREPARERS, agare=handlaggaren)
        .Annotation(
            title=_("Yttrande"),
            description=_("Ta emot organets yttrande och registrera det i ärendet."),
            summary_template=_("Yttrande från {{ task.data.namn }}"),
        )
        .Next(this.samla)
    )

    samla = flow.Join().Annotation(title=_("Beredningen och yttrandena klara")).Next(this.granska)

    granska = (
        Uppgift(roller=(STABSCHEF,), avslutas_av=("godkanna_beredning", "ateruppta_beredning"))
        .Annotation(
            title=_("Granska"),
            description=_("Godkänn beredningen, eller skicka tillbaka den till handläggaren."),
        )
        .Next(this.efter_granskning)
    )

    efter_granskning = (
        flow.Switch()
        .Annotation(title=_("Godkänd eller tillbaka till beredning"))
        .Case(this.beredning, _i_beredning)
        .Default(this.anmal)
    )

    anmal = (
        Uppgift(roller=(NAMNDSEKRETERARE,), avslutas_av=("anmal",))
        .Annotation(
            title=_("Anmäl"),
            description=_("Sätt upp ärendet på föredragningslistan till ett sammanträde."),
        )
        .Next(this.besluta)
    )

    besluta = (
        Uppgift(
            roller=(NAMNDSEKRETERARE,),
            avslutas_av=("besluta", "overlamna", "aterremittera", "bordlagga"),
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
        Uppgift(roller=(NAMNDSEKRETERARE, REGISTRATOR), avslutas_av=("expediera",))
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
        Uppgift(
            roller=PREPARERS,
            avslutas_av=("avsluta_aterrapporterat", "avsluta"),
            under=("bevaka",),
            agare=handlaggaren,
        )
        .Annotation(
            title=_("Återrapportera"),
            description=_("Redovisa uppdraget för organet det ska återrapporteras till."),
        )
        .Next(this.slut)
    )

    avsluta = (
        Uppgift(
            roller=(NAMNDSEKRETERARE, REGISTRATOR),
            avslutas_av=("avsluta", "avsluta_aterrapporterat"),
            under=("bevaka",),
        )
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
