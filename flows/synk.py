"""Keeps each ärende's process in step with the ärende, whatever moved it.

- A new ärende gets its process in the transaction that registers it (``post_save``).
- After every transition of an ärende (``workflow.signals.after_transition``, still inside
  the engine's transaction, so a failure here undoes the transition too): the open tasks the
  transition completes (:attr:`flows.processer.Uppgift.avslutas_av`) are completed in the name
  of whoever took it, and the flow goes on. If the open tasks then do not agree with the new
  state as the definition gives it (:func:`flows.processer.stammer`: someone took a
  transition the tasks did not lead to, from the ärende page or in code), they are cancelled,
  each with the reason in its data (``avbruten``: the transition, who took it, from which
  state to which, shown on the ärende page), and the process is routed anew from the state:
  to the task that state needs, or to its end (vilande, avskrivet, makulerat). A state the
  definition gives no tasks raises, and the transition is undone. An ärende that moves while
  it has no open process (taken up again after vilande) gets a new one, unless there is
  nothing to do in its new state.
- A handling of type yttrande filed in the ärende completes the open yttrande task of the
  organ it came from.

The order of locks is always the ärende's row first (the engine, the services), then the
process row (viewflow's lock).
"""

from __future__ import annotations

import re
from contextlib import contextmanager

from django.db.models.signals import post_save
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.workflow.activation import _can_cancel
from viewflow.workflow.models import Task
from viewflow.workflow.status import PROCESS, STATUS
from viewflow.workflow.token import Token

from arenden.models import Arende, Handling
from flows.namn import ArendeSteg
from workflow.engine import do_transition
from workflow.signals import after_transition

from .models import ArendeProcess
from .processer import (
    SLUT,
    ArendeFlow,
    Uppgift,
    efter_steget,
    livscykeln,
    plats,
    stammer,
)

#: a task in one of these is on someone's list, waiting for its time, or waiting to join
OPPEN = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED, STATUS.SCHEDULED)


def oppen_process(arende_id) -> ArendeProcess | None:
    processer = ArendeProcess.objects.filter(arende_id=arende_id, status=PROCESS.NEW)
    return processer.order_by("-pk").first()


def _med_process(tasks, process) -> list:
    """``tasks`` of ``process`` holding it: an activation then need not read the process
    (and its ärende part) again for each task."""
    for task in tasks:
        task.process = process
    return tasks


def oppna_uppgifter(process) -> list:
    tasks = Task.objects.filter(process_id=process.pk, status__in=OPPEN).order_by("pk")
    return _med_process(list(tasks), process)


def starta(arende) -> ArendeProcess:
    """Start the ärende's process; it goes straight to the task the ärende's state needs."""
    if arende.state == livscykeln().initial_state:
        return ArendeFlow.ny.run(arende=arende)
    return ArendeFlow.start.run(arende=arende)


def slutfor(task, user, **data) -> bool:
    """Complete the open task ``task`` as done by ``user`` (recorded as its owner), with
    ``data`` added to the task's data, and let the flow go on. False if it was not open.
    The caller holds the process's lock (``ArendeFlow.lock``)."""
    task.refresh_from_db()
    return _slutfor(task, user, **data)


def _slutfor(task, user, **data) -> bool:
    """:func:`slutfor` for a task read under the process's lock."""
    # assigned (or reassigned) and completed in one write of the task's row: the row ends
    # as viewflow's assign, start and execute leave it, without the save in between
    if task.status == STATUS.NEW:
        task.owner = user
        task.status = STATUS.ASSIGNED
    elif task.status == STATUS.ASSIGNED:
        if user is not None and task.owner_id != user.pk:
            task.owner = user
    else:
        return False
    activation = task.flow_task.activation_class(task)
    activation.start(None)
    task.data = {**(task.data or {}), **data}
    activation.execute()
    return True


def avbryt(task, orsak: dict) -> None:
    """Cancel the open ``task``; ``orsak`` (why) is kept in its data as ``avbruten``."""
    task.data = {**(task.data or {}), "avbruten": orsak}
    activation = task.flow_task.activation_class(task)
    if _can_cancel(activation):
        activation.cancel()
    else:  # a node without a cancel from this status: close the row all the same
        task.status = STATUS.CANCELED
        task.finished = timezone.now()
        task.save()


def orsak(event) -> dict:
    """Why the open tasks are cancelled: the transition that took the ärende where they did
    not lead, who took it, from which state to which (with a sentence for the page)."""
    states = event.workflow.states
    vem = event.user.get_username() if getattr(event.user, "is_authenticated", False) else ""
    text = _(
        "Avbruten när ärendet gick från %(fran)s till %(till)s genom %(steg)s, "
        "ett steg som uppgifterna inte ledde till."
    ) % {
        "fran": states[event.from_state].title,
        "till": states[event.to_state].title,
        "steg": event.transition.title,
    }
    if vem:
        namn = event.user.get_full_name() or vem
        text += " " + _("Steget togs av %(vem)s.") % {"vem": namn}
    return {
        "overgang": event.transition.id,
        "fran": event.from_state,
        "till": event.to_state,
        "av": vem,
        "text": text,
    }


def omdirigera(process, event, oppna=None) -> None:
    """Cancel the process's open tasks (``oppna``, if just read under the lock), recording
    why (``event``, the transition the tasks did not lead to), and route the process anew
    from the ärende's state."""
    varfor = orsak(event)
    for task in oppna_uppgifter(process) if oppna is None else oppna:
        avbryt(task, varfor)
    senaste = Task.objects.filter(process_id=process.pk).order_by("-pk").first()
    senaste.process = process
    fran = senaste.flow_task.activation_class(senaste)
    vagval = ArendeFlow.vagval._create(fran, Token("start"))
    fran._activate_next({vagval})


def i_takt(arende, process, event) -> None:
    """Route ``process`` anew if its open tasks do not agree with the ärende's state.
    ``process`` is the instance its tasks were completed through (:func:`oppna_uppgifter`),
    so an end the flow reached is already in its status."""
    if process.status != PROCESS.NEW:
        return
    oppna = {task.flow_task.name for task in oppna_uppgifter(process)}
    if not stammer(arende.state, oppna, event.workflow):
        omdirigera(process, event)


def _avslutar(node, overgang: str) -> bool:
    """Does the transition ``overgang`` complete every open task of ``node``?"""
    return isinstance(node, Uppgift) and not node.styckvis and overgang in node.avslutas_av


def _inget_att_gora(arende, overgang: str, wf) -> bool:
    """One read, under the ärende's row lock that the engine holds: the transition completes
    none of the open tasks and they agree with the new state (most transitions during
    beredning), so the process need not be locked or touched."""
    oppna = Task.objects.filter(
        process__arendeprocess__arende_id=arende.pk,
        process__status=PROCESS.NEW,
        status__in=OPPEN,
    ).only("flow_task")
    namn = set()
    for task in oppna:
        node = task.flow_task
        if _avslutar(node, overgang):
            return False
        namn.add(node.name)
    return bool(namn) and stammer(arende.state, namn, wf)


def efter_overgang(sender, event, **kwargs) -> None:
    arende, wf = event.obj, event.workflow
    overgang = event.transition.id
    if _inget_att_gora(arende, overgang, wf):
        return
    process = oppen_process(arende.pk)
    if process is None:
        if plats(arende, wf) != SLUT:
            with efter_steget(arende):
                starta(arende)
        return
    with ArendeFlow.lock(process.pk), efter_steget(arende):
        oppna = oppna_uppgifter(process)
        klara = [task for task in oppna if _avslutar(task.flow_task, overgang)]
        for task in klara:
            _slutfor(task, event.user, overgang=overgang, kommentar=event.comment)
        if klara:
            i_takt(arende, process, event)
        elif not stammer(arende.state, {task.flow_task.name for task in oppna}, wf):
            omdirigera(process, event, oppna)


def efter_registrering(sender, instance, created, raw=False, **kwargs) -> None:
    if created and not raw:
        starta(instance)


def fran_organet(text: str, yttrande: dict) -> bool:
    """Does a sender line (``avsandare_mottagare``) name the organ of ``yttrande``?"""
    text = (text or "").casefold()
    if not text:
        return False
    if yttrande["namn"].casefold() in text:
        return True
    kod = re.escape(yttrande["kod"].casefold())
    return re.search(rf"(?<!\w){kod}(?!\w)", text) is not None


def markera_besvarat(process, organ_id, handling_id=None, *, user, kommentar="") -> None:
    """Record that ``organ_id`` has given its yttrande: in the process data, and as the step
    *yttrande_inkommet* in the ärende's history (who, when, from which organ)."""
    process.refresh_from_db(fields=["data"])
    namn = ""
    for yttrande in process.data.get("yttranden", []):
        if yttrande["organ"] == organ_id:
            yttrande["besvarat"] = True
            yttrande["handling"] = handling_id
            namn = yttrande["namn"]
    process.save(update_fields=["data"])
    arende = Arende.objects.get(pk=process.arende_id)
    text = _("Yttrande från %(organ)s") % {"organ": namn}
    if handling_id is not None:
        handling = Handling.objects.get(pk=handling_id)
        text += _(" (handling %(nr)s)") % {"nr": handling.nummer}
    do_transition(arende, ArendeSteg.YTTRANDE_INKOMMET, user, f"{text}. {kommentar}".strip())


def efter_handling(sender, instance, created, raw=False, **kwargs) -> None:
    """A yttrande filed in the ärende answers the first organ still awaited that its sender
    line names; that organ's open yttrande task, if any, is done. The step is taken from every
    state the process may be open in (flows.arende), so a late yttrande never stops the
    registration of the handling."""
    if raw or not created or instance.typ != Handling.Typ.YTTRANDE:
        return
    process = oppen_process(instance.arende_id)
    if process is None:
        return
    with ArendeFlow.lock(process.pk):
        process.refresh_from_db(fields=["data"])
        vantade = [y for y in process.data.get("yttranden", []) if not y.get("besvarat")]
        organ_id = next(
            (y["organ"] for y in vantade if fran_organet(instance.avsandare_mottagare, y)), None
        )
        if organ_id is None:
            return
        markera_besvarat(process, organ_id, instance.pk, user=instance.registrerad_av)
        for task in oppna_uppgifter(process):
            if task.flow_task is ArendeFlow.yttrande and task.data.get("organ") == organ_id:
                slutfor(task, instance.registrerad_av, handling=instance.pk)


_MOTTAGARE = [
    (post_save, efter_registrering, Arende, "flows-starta-process"),
    (post_save, efter_handling, Handling, "flows-yttrande-inkom"),
    (after_transition, efter_overgang, Arende, "flows-i-takt"),
]


def anslut() -> None:
    for signal, receiver, sender, uid in _MOTTAGARE:
        signal.connect(receiver, sender=sender, dispatch_uid=uid)


@contextmanager
def utan_process():
    """The ärenden's processes left alone for a while: what the benchmark uses to measure
    the engine apart from the task bookkeeping the flow adds to each transition."""
    for signal, _receiver, sender, uid in _MOTTAGARE:
        signal.disconnect(sender=sender, dispatch_uid=uid)
    try:
        yield
    finally:
        anslut()
