"""What people do with their tasks: see them, take them from the queue, complete them.

Completing a task calls the engine or an arenden service; the engine checks the guard, and
a refusal (:class:`workflow.engine.TransitionNotAllowed`) leaves everything as it was, the
task too. The task is then completed by the transition itself (flows/synk.py), so it makes
no difference whether the step was taken here or from the ärende page. Only where no
transition is taken (the stabschef's review, a yttrande that came in, a claim from the
queue) is the task's own role checked here, against the roles in context on the ärende.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS
from viewflow.workflow.token import Token

from arenden.diarium.services import kräv_version
from arenden.handlaggning import services
from arenden.models import Arende, Handling, Organ, Punkt, Sammantrade
from arenden.sammantraden import protokoll
from flows.namn import ArendeStatus, ArendeSteg
from workflow.engine import TransitionNotAllowed, do_transition, holding_local_role
from workflow.roles import global_roles, group_ids

from . import synk
from .processer import ArendeFlow, Uppgift, oppen_i, uppgiftsnoder

# -- what is on whose list ----------------------------------------------------------------


def uppgifter(arende) -> QuerySet:
    """The ärende's open tasks (of its open process), oldest first."""
    return Task.objects.filter(
        process__arendeprocess__arende=arende, status__in=synk.OPPEN
    ).order_by("pk")


def inkorg(user) -> QuerySet:
    """The open tasks given to ``user``."""
    return Task.objects.filter(
        owner=user, status=STATUS.ASSIGNED, process__flow_class=ArendeFlow
    ).order_by("created", "pk")


def _arenden_med_roll(user, roller) -> QuerySet:
    """Ärenden on which ``user`` holds one of ``roller`` in context: everywhere through a
    global role; else given on the ärende, or on its organ unless the ärende blocks it."""
    if not global_roles(user).isdisjoint(roller):
        return Arende.objects.all()
    groups = group_ids(user)
    return Arende.objects.filter(
        Q(pk__in=holding_local_role(Arende, roller, user, groups))
        | Q(block_local_roles=False, organ__in=holding_local_role(Organ, roller, user, groups))
    )


def ko(user) -> QuerySet:
    """Unassigned open tasks that ``user`` may take: those whose role they hold on the
    ärende (the organ's stabschef sees its Tilldela and Granska tasks, and so on)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Task.objects.none()
    by_roles: dict[tuple, list] = {}
    for node in uppgiftsnoder():
        by_roles.setdefault(node.roller, []).append(node)
    where = Q(pk__in=[])
    for roller, nodes in by_roles.items():
        where |= Q(
            flow_task__in=nodes,
            process__arendeprocess__arende__in=_arenden_med_roll(user, roller).values("pk"),
        )
    return Task.objects.filter(where, status=STATUS.NEW, owner=None).order_by("created", "pk")


# -- helpers --------------------------------------------------------------------------------


def _arende_id(task) -> int:
    """The id of the ärende whose process ``task`` belongs to (read, not locked)."""
    return Task.objects.filter(pk=task.pk).values_list(
        "process__arendeprocess__arende_id", flat=True
    )[0]


def _oppen(task, *noder) -> Arende:
    """Lock the ärende of ``task`` (its row, so that everything done to the ärende and its
    tasks queues up behind), then check that ``task`` is an open task of one of ``noder``."""
    arende = Arende.objects.select_for_update().get(pk=_arende_id(task))
    task.refresh_from_db()
    if noder and task.flow_task not in noder:
        raise ValidationError(
            _("Uppgiften %(uppgift)s är inte en uppgift av rätt slag här.")
            % {"uppgift": task.title},
            code="fel_uppgift",
        )
    if task.status not in (STATUS.NEW, STATUS.ASSIGNED):
        raise ValidationError(
            _("Uppgiften %(uppgift)s är inte längre öppen.") % {"uppgift": task.title},
            code="inte_oppen",
        )
    return arende


def _krav_roll(task, user, arende) -> None:
    node: Uppgift = task.flow_task
    if not node.far_utfora(user, arende):
        raise TransitionNotAllowed(
            _("Du får inte utföra %(uppgift)s i %(arende)s: det kräver rollen %(roller)s.")
            % {
                "uppgift": task.title,
                "arende": arende.diarienummer,
                "roller": _(" eller ").join(node.roller),
            }
        )


def _begart(arende, process, yttranden: list[dict], user) -> None:
    """The request for yttranden (``yttranden``, entries of ``process.data``) as a step in
    the ärende's history, naming the organs; then the entries are marked as recorded there
    (flows.arende.NY_BEGARAN: the step needs a request it has not yet recorded)."""
    if yttranden:
        namn = ", ".join(y["namn"] for y in yttranden)
        do_transition(
            arende,
            ArendeSteg.BEGARA_YTTRANDE,
            user,
            _("Yttrande begärt från %(organ)s.") % {"organ": namn},
        )
        begarda = {y["organ"] for y in yttranden}
        process.refresh_from_db(fields=["data"])
        for yttrande in process.data["yttranden"]:
            if yttrande["organ"] in begarda:
                yttrande["i_historiken"] = True
        process.save(update_fields=["data"])


def _yttranden(organ) -> list[dict]:
    """The process data of organs asked for a yttrande (each organ once, in order)."""
    unika = {o.pk: o for o in organ}
    return [
        {
            "organ": o.pk,
            "namn": o.namn,
            "kod": o.kod,
            "besvarat": False,
            "handling": None,
            "i_historiken": False,
        }
        for o in unika.values()
    ]


# -- taking a task ------------------------------------------------------------------------


def ta(task, user) -> None:
    """Take an unassigned task from the queue; only who holds its role on the ärende."""
    with transaction.atomic():
        arende = _oppen(task)
        if task.owner_id:
            raise ValidationError(
                _("Uppgiften är redan tilldelad %(vem)s.") % {"vem": task.owner},
                code="redan_tagen",
            )
        _krav_roll(task, user, arende)
        with task.activation() as activation:
            activation.assign(user)


# -- completing tasks ---------------------------------------------------------------------


def tilldela(task, user, *, handlaggare, beredningsansvariga=(), yttranden=(), kommentar=""):
    """The stabschef assigns the handläggare and the beredningsansvariga (``(person, part)``
    pairs), and names the organs to be asked for a yttrande during the beredning."""
    with transaction.atomic():
        arende = _oppen(task, ArendeFlow.tilldela)
        process = task.process.coerced
        process.data = {**process.data, "yttranden": _yttranden(yttranden)}
        process.save(update_fields=["data"])
        services.tilldela(
            arende,
            handlaggare=handlaggare,
            beredningsansvariga=beredningsansvariga,
            user=user,
            kommentar=kommentar,
        )
        _begart(arende, process, process.data["yttranden"], user)


def begar_yttranden(arende, organ, *, user) -> list:
    """During the beredning, ask more organs for a yttrande: one more yttrande task each in
    the running beredning, all joined before Granska. Organs already asked are skipped."""
    with transaction.atomic():
        arende = Arende.objects.select_for_update().get(pk=arende.pk)
        if arende.state not in oppen_i(ArendeFlow.bered.name):
            raise ValidationError(
                _("Yttranden begärs under beredningen; %(arende)s är %(status)s.")
                % {"arende": arende.diarienummer, "status": arende.status_titel},
                code="inte_beredning",
            )
        bered = uppgifter(arende).filter(flow_task=ArendeFlow.bered).first()
        if bered is None:
            raise ValidationError(
                _("%(arende)s har ingen pågående beredning att begära yttranden i.")
                % {"arende": arende.diarienummer},
                code="ingen_beredning",
            )
        if not ArendeFlow.bered.far_utfora(user, arende) and not ArendeFlow.granska.far_utfora(
            user, arende
        ):
            raise TransitionNotAllowed(
                _("Du får inte begära yttranden i %(arende)s.") % {"arende": arende.diarienummer}
            )
        with ArendeFlow.lock(bered.process_id):
            process = bered.process.coerced
            asked = {y["organ"] for y in process.data.get("yttranden", [])}
            nya = _yttranden(o for o in organ if o.pk not in asked)
            process.data = {**process.data, "yttranden": process.data["yttranden"] + nya}
            process.save(update_fields=["data"])
            split = bered.previous.get()
            prefix = f"{split.token.token}/{split.pk}_"
            tokens = Task.objects.filter(
                process_id=process.pk, token__startswith=prefix
            ).values_list("token", flat=True)
            n = max((int(t.token.rsplit("_", 1)[1]) for t in tokens), default=0)
            fran = split.flow_task.activation_class(split)
            skapade = []
            for i, yttrande in enumerate(nya, start=n + 1):
                data = {k: yttrande[k] for k in ("organ", "namn", "kod")}
                activation = ArendeFlow.yttrande._create(fran, Token(f"{prefix}{i}"), data=data)
                skapade.append(activation.task)
        _begart(arende, process, nya, user)
    return skapade


def bered(task, user, *, kommentar=""):
    """The beredning is done: the ärende is marked beredd (its beredning begun first if it
    had not been). Granska follows once every yttrande asked for has come in."""
    with transaction.atomic():
        arende = _oppen(task, ArendeFlow.bered)
        if arende.state in (ArendeStatus.TILLDELAT, ArendeStatus.ATERREMITTERAT):
            do_transition(arende, ArendeSteg.PABORJA_BEREDNING, user)
        do_transition(arende, ArendeSteg.MARKERA_BEREDD, user, kommentar)


def yttrande_inkommet(task, user, *, handling=None, kommentar=""):
    """The organ's yttrande came in (``handling``, a handling of type yttrande in the ärende,
    when it was filed without naming the organ as its sender)."""
    with transaction.atomic():
        arende = _oppen(task, ArendeFlow.yttrande)
        _krav_roll(task, user, arende)
        if handling is not None and (
            handling.arende_id != arende.pk or handling.typ != Handling.Typ.YTTRANDE
        ):
            raise ValidationError(
                _("Yttrandet ska vara en handling av typen yttrande i %(arende)s.")
                % {"arende": arende.diarienummer},
                code="fel_handling",
            )
        handling_id = handling.pk if handling is not None else None
        with ArendeFlow.lock(task.process_id):
            synk.markera_besvarat(
                task.process.coerced,
                task.data["organ"],
                handling_id,
                user=user,
                kommentar=kommentar,
            )
            synk.slutfor(task, user, handling=handling_id, kommentar=kommentar)


def granska(task, user, *, godkann: bool, kommentar="", version: int | None = None):
    """The stabschef's review: approved, the ärende goes on to Anmäl; not approved, its
    beredning is taken up again (Bered, and any yttranden still missing). ``version``: the
    ärende's as the page was read (a review of what the ärende said before is refused)."""
    with transaction.atomic():
        arende = _oppen(task, ArendeFlow.granska)
        _krav_roll(task, user, arende)
        kräv_version(arende, version)
        if godkann:  # the approval is a step in the history; it completes the task
            do_transition(arende, ArendeSteg.GODKANNA_BEREDNING, user, kommentar)
        else:
            do_transition(arende, ArendeSteg.ATERUPPTA_BEREDNING, user, kommentar)


def _motet_forst(sammantrade_id) -> None:
    """Lock the meeting before the ärende: the order in which the meeting's own pages lock
    them (the meeting, then the ärende its step moves), so that a task and a page acting on
    the same ärende and meeting at once queue up instead of deadlocking."""
    if sammantrade_id is not None:
        list(Sammantrade.objects.select_for_update().filter(pk=sammantrade_id).values_list("pk"))


def _punktens_mote(task) -> int | None:
    """The meeting of the item that waits for the beslut in the ärende of ``task``, read
    without a lock (:func:`_punkten` reads it again under the locks)."""
    return (
        Punkt.objects.filter(arende_id=_arende_id(task))
        .oavgjorda()
        .order_by("-pk")
        .values_list("sammantrade_id", flat=True)
        .first()
    )


def anmal(task, user, *, sammantrade, slag=Punkt.Slag.BESLUTSARENDE):
    """Put the ärende on ``sammantrade``'s föredragningslista: the item is what *Anmäl* needs,
    and saving it takes the step (``arenden.sammantraden.protokoll.lagg_till_punkt``)."""
    with transaction.atomic():
        _motet_forst(sammantrade.pk)
        arende = _oppen(task, ArendeFlow.anmal)
        return protokoll.lagg_till_punkt(sammantrade, user=user, arende=arende, slag=slag)


def besluta(task, user, *, beslut, utfall=Punkt.Utfall.BESLUTAT, forslag_till=None, uppdrag=()):
    """The organ's beslut, recorded under the ärende's item of the meeting's protokoll
    (``arenden.sammantraden.protokoll.besluta``: the text, the utfall, a higher organ for a
    förslag, the uppdrag it gives)."""
    with transaction.atomic():
        _motet_forst(_punktens_mote(task))
        arende = _oppen(task, ArendeFlow.besluta)
        if forslag_till is not None:
            utfall = Punkt.Utfall.FORSLAG
        return protokoll.besluta(
            _punkten(arende),
            user=user,
            utfall=utfall,
            beslut=beslut,
            forslag_till=forslag_till,
            uppdrag=uppdrag,
        ).beslutet


def _punkten(arende) -> Punkt:
    """The ärende's item that waits for the nämnd's beslut, where the beslut is recorded."""
    punkt = arende.punkter.oavgjorda().order_by("-pk").first()
    if punkt is None:
        raise ValidationError(
            _("Ärendet står inte på någon föredragningslista; nämnden beslutar under dess punkt."),
            code="ingen_punkt",
        )
    return punkt


def aterremittera(task, user, *, kommentar):
    """The organ sent the ärende back for more beredning (KL 5 kap. 51 §), recorded under
    its item of the meeting's protokoll (``arenden.sammantraden.protokoll.besluta``)."""
    with transaction.atomic():
        _motet_forst(_punktens_mote(task))
        arende = _oppen(task, ArendeFlow.besluta)
        return protokoll.besluta(
            _punkten(arende), user=user, utfall=Punkt.Utfall.ATERREMISS, motivering=kommentar
        )


def bordlagga(task, user, *, kommentar):
    """The organ postponed the ärende to a later meeting (KL 5 kap. 50 §), recorded under its
    item of the meeting's protokoll."""
    with transaction.atomic():
        _motet_forst(_punktens_mote(task))
        arende = _oppen(task, ArendeFlow.besluta)
        return protokoll.besluta(
            _punkten(arende), user=user, utfall=Punkt.Utfall.BORDLAGGNING, motivering=kommentar
        )


def expediera(task, user, *, metod: str, tidpunkt: datetime.datetime | None = None):
    """Send the beslut to everyone on the sändlista not yet sent to, by ``metod``."""
    with transaction.atomic():
        arende = _oppen(task, ArendeFlow.expediera)
        kvar = list(arende.mottagare.filter(expedierad=None))
        for mottagare in kvar:
            services.expediera_till(mottagare, user=user, metod=metod, tidpunkt=tidpunkt)
        if not kvar:  # nobody to send to: the engine says what is missing
            do_transition(arende, ArendeSteg.EXPEDIERA, user)


def aterrapportera(task, user, *, handling, redovisat: datetime.date, uppdrag=None):
    """The återrapport ``handling`` was presented to the organ on ``redovisat``; it fulfils
    ``uppdrag`` (default: every open uppdrag of the ärende)."""
    with transaction.atomic():
        arende = _oppen(task, ArendeFlow.aterrapportera)
        oppna = uppdrag if uppdrag is not None else list(arende.uppdrag.filter(redovisat=None))
        for rad in oppna:
            services.aterrapportera(rad, handling=handling, redovisat=redovisat, user=user)


def avsluta(task, user, *, kommentar=""):
    with transaction.atomic():
        arende = _oppen(task, ArendeFlow.avsluta)
        do_transition(arende, ArendeSteg.AVSLUTA, user, kommentar)


__all__ = [
    "anmal",
    "aterrapportera",
    "aterremittera",
    "avsluta",
    "begar_yttranden",
    "bered",
    "besluta",
    "bordlagga",
    "expediera",
    "granska",
    "inkorg",
    "ko",
    "ta",
    "tilldela",
    "uppgifter",
    "yttrande_inkommet",
]
