"""What the revisor reads: one ärende's timeline (workflow transitions and field changes
merged), the global audit log with its filters and exports, and the chain verification.

A page of either costs the same number of queries however long the history is: the
timeline first merges only (time, source, id) keys, then loads the rows of one page and
the rows just before them (to show what changed from what)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from heapq import merge

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from arenden.arkiv.models import GallradHandling
from arenden.begaran.models import Begaran, BegardHandling
from arenden.diarium.models import SEKRETESSPROVNINGAR, Arende, ArendeRelation, Handling
from arenden.diarium.sokning import del_av_diarienummer
from arenden.handlaggning.models import (
    Beredningsansvarig,
    Beslut,
    Mottagare,
    Rattelseexpediering,
    Tjansteskrivelse,
    Uppdrag,
)
from arenden.motion.models import Motion
from arenden.sammantraden import protokoll
from arenden.sammantraden.models import (
    Deltagare,
    Jav,
    Justering,
    Kallelsemottagare,
    Omrostningsdeltagare,
    Paragrafjustering,
    Protokollfil,
    Punkt,
    Rattelse,
    Rattelsesignatur,
    Reservation,
    Rost,
    Sammantrade,
    Tjanstgoring,
    Votering,
    Yrkande,
    Yttrande,
)
from workflow import fieldhistory, registry
from workflow.definitions import BUILTIN_ROLES
from workflow.fieldhistory import SIGNATURE_FIELDS
from workflow.history import BrokenLink, VerificationReport, verify_object
from workflow.models import WorkflowHistory


def arendets_kallor(arende_id: int) -> list[tuple[type, dict]]:
    """The models whose field history belongs to an ärende's timeline, each with what selects
    its rows: whole chains, by the ärende's id or by the ids its parents ever had in their
    own history (so a row stays on the timeline when its parent is removed)."""
    begaran = Begaran.history.filter(arende_id=arende_id).values("id")
    mottagare = Mottagare.history.filter(arende_id=arende_id).values("id")
    handlingar = Handling.history.filter(arende_id=arende_id).values("id")
    return [
        (Arende, {"id": arende_id}),
        (Handling, {"arende_id": arende_id}),
        # what a gallring removed of its handlingar, and on which decision (arkivlagen 10 §)
        (GallradHandling, {"handling_id__in": handlingar}),
        (Tjansteskrivelse, {"arende_id": arende_id}),
        (Beslut, {"arende_id": arende_id}),
        (Mottagare, {"arende_id": arende_id}),
        (Uppdrag, {"arende_id": arende_id}),
        (Beredningsansvarig, {"arende_id": arende_id}),
        # a request for its handlingar: registered, tried, what was decided (the decision
        # and the released copy are handlingar of the ärende), and for each handling asked
        # for, the outcome of its prövning
        (Begaran, {"arende_id": arende_id}),
        (BegardHandling, {"begaran_id__in": begaran}),
        # a beslut expedierat again after a rättelse of the protokoll (KL 5 kap. 69 §)
        (Rattelseexpediering, {"mottagare_id__in": mottagare}),
        # the motion it is: väckt by whom, anmäld when (KL 5 kap. 22 §)
        (Motion, {"arende_id": arende_id}),
        # its relations to other ärenden, from it and to it
        (ArendeRelation, {"fran_id": arende_id}),
        (ArendeRelation, {"till_id": arende_id}),
    ]


def motets_kallor(mote_id: int) -> list[tuple[type, dict]]:
    """The models whose field history belongs to a sammanträde's timeline (as
    :func:`arendets_kallor` for an ärende):
    the närvaro, the kallelse's mottagare, the items and all that was recorded under each
    (yrkanden, voteringar and their votes, jäv, tjänstgöring, reservationer, yttranden), the
    justering, the rättelser, and each version of the justerat protokoll filed with its
    checksum."""
    punkter = Punkt.history.filter(sammantrade_id=mote_id).values("id")
    voteringar = Votering.history.filter(punkt_id__in=punkter).values("id")
    rattelser = Rattelse.history.filter(sammantrade_id=mote_id).values("id")
    pa_punkt = {"punkt_id__in": punkter}
    return [
        (Sammantrade, {"id": mote_id}),
        (Deltagare, {"sammantrade_id": mote_id}),
        (Kallelsemottagare, {"sammantrade_id": mote_id}),
        (Punkt, {"sammantrade_id": mote_id}),
        (Yrkande, pa_punkt),
        (Votering, pa_punkt),
        (Rost, {"votering_id__in": voteringar}),
        (Omrostningsdeltagare, {"votering_id__in": voteringar}),
        (Jav, pa_punkt),
        (Tjanstgoring, pa_punkt),
        (Reservation, pa_punkt),
        (Yttrande, pa_punkt),
        (Justering, {"sammantrade_id": mote_id}),
        (Paragrafjustering, pa_punkt),
        (Rattelse, {"sammantrade_id": mote_id}),
        (Rattelsesignatur, {"rattelse_id__in": rattelser}),
        (Protokollfil, {"sammantrade_id": mote_id}),
    ]


def kontrollera(obj: Arende | Sammantrade) -> VerificationReport:
    """What the timeline of an ärende or a sammanträde vouches for: its workflow chain
    (:func:`workflow.history.verify_object`) and the signature and link of every
    field-history row of the timeline's sources (:func:`arendets_kallor`,
    :func:`motets_kallor`),
    one query each, whatever else the database holds."""
    rapport = verify_object(obj)
    for model, urval in _kallor_for(obj):
        antal, fynd = fieldhistory.verify_rows_of(model.history.model, **urval)
        rapport.field_rows += antal
        rapport.broken.extend(BrokenLink(*f) for f in fynd)
    return rapport


def _kallor_for(obj) -> list[tuple[type, dict]]:
    return motets_kallor(obj.pk) if isinstance(obj, Sammantrade) else arendets_kallor(obj.pk)


_HISTORY_SKIP = {
    "history_id",
    "history_date",
    "history_change_reason",
    "history_type",
    "history_user",
    "history_user_id",
    "id",
    *SIGNATURE_FIELDS,
}
_TYP = {"+": "skapade", "~": "ändrade", "-": "tog bort"}


@dataclass
class Andring:
    falt: str
    fran: object
    till: object


@dataclass
class Handelse:
    tid: datetime.datetime
    vem: str
    vad: str
    objekt: str
    kommentar: str = ""
    orsak: str = ""
    andringar: list[Andring] = field(default_factory=list)
    overgang: bool = False


def _visa(value) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%Y-%m-%d")
    return str(value)


def _nycklar(obj, kallor):
    """Sorted (time, source index, id) keys of everything that happened to ``obj``: its
    workflow's steps (source 0) and the field history of ``kallor``."""
    ct = ContentType.objects.get_for_model(type(obj))
    flows = [
        [
            (t, 0, pk)
            for t, pk in WorkflowHistory.objects.filter(content_type=ct, object_id=obj.pk)
            .order_by("timestamp", "pk")
            .values_list("timestamp", "pk")
        ]
    ]
    for index, (model, urval) in enumerate(kallor, start=1):
        rows = (
            model.history.filter(**urval)
            .order_by("history_date", "history_id")
            .values_list("history_date", "history_id")
        )
        flows.append([(t, index, pk) for t, pk in rows])
    return list(merge(*flows))


#: how a row that points at one of these is named on a timeline: never by text that may be
#: secret (an item's rubrik, a rättelse's text), whoever reads it
_ETIKETTER = {
    Punkt: lambda p: _("punkt %(nr)s") % {"nr": p.beteckning},
    Votering: lambda v: _("votering %(nr)s") % {"nr": v.pk},
    Rattelse: lambda r: _("rättelse %(nr)s") % {"nr": r.pk},
}


#: what a label reads beyond its own row, read with it: a handling is named by its masked
#: title when it or its ärende is secret
_ETIKETTENS_RELATIONER = {Handling: ("arende",)}


def _namn_for_nycklar(fields, rows) -> dict[tuple[str, object], str]:
    """Readable names for the foreign keys among ``fields`` (one query per related model)."""
    names = {}
    for f in fields:
        if not f.is_relation:
            continue
        ids = {getattr(r, f.attname) for r in rows} - {None}
        if not ids:
            continue
        etikett = _ETIKETTER.get(f.related_model, str)
        relaterade = f.related_model._default_manager.select_related(
            *_ETIKETTENS_RELATIONER.get(f.related_model, ())
        )
        for pk, obj in relaterade.in_bulk(ids).items():
            label = obj.get_username() if hasattr(obj, "get_username") else etikett(obj)
            names[(f.attname, pk)] = label
    return names


def antal_handelser(obj: Arende | Sammantrade) -> int:
    return len(_nycklar(obj, _kallor_for(obj)))


#: what a sekretess-marked handling's field history shows only to who may read it
#: a protected handling's fields, shown as its marking to who may not read it: its file's
#: checksum, size and type too (they would confirm that a copy one holds is the protected one)
_HEMLIGA_FALT = {
    "titel",
    "beskrivning",
    "avsandare_mottagare",
    "filnamn",
    "fil",
    "sha256",
    "storlek",
    "mediatyp",
}


#: what of a meeting's kallelse or protokoll filed in an ärende only who may read the ärende's
#: secret content sees, and what stands in its place
_SUMMAN = {"sha256", "storlek"}
_MOTESDOKUMENTETS_SUMMA = gettext_lazy("kan omfatta sammanträdets sekretessmarkerade punkter")


#: how a row of the ärende's timeline names the handling whose protected fields it holds
_HANDLINGENS_ID = {
    Handling: lambda row: row.id,
    GallradHandling: lambda row: row.handling_id,
}


def tidslinje(
    arende: Arende, start: int, stop: int, *, las_sekretess: bool = True
) -> list[Handelse]:
    """Events ``start:stop`` of the ärende's merged timeline, oldest first. Without
    ``las_sekretess``, the protected fields of a sekretess-marked handling show its marking
    instead of their values (OSL 5 kap. 5 §)."""

    def hemligt(model, rows):
        if las_sekretess or model not in _HANDLINGENS_ID:
            return None
        handling_id = _HANDLINGENS_ID[model]
        # a handling secret now is masked in every row of its history, also in those written
        # before it was marked (its registration with the title in clear); as is one whose
        # row was marked then; and so is the record of its gallring
        handlingar = Handling.objects.filter(pk__in={handling_id(r) for r in rows})
        hemliga, motesdokument = {}, set()
        for h in handlingar.select_related("arende"):
            if h.hemlig:
                hemliga[h.pk] = h.sekretess_enligt
            elif h.ar_motesdokument:
                motesdokument.add(h.pk)

        def lagrum(row, prev, f) -> str:
            if f.attname not in _HEMLIGA_FALT:
                return ""
            markering = (
                hemliga.get(handling_id(row))
                or getattr(row, "sekretess_lagrum", "")
                or (getattr(prev, "sekretess_lagrum", "") if prev else "")
            )
            if not markering and f.attname in _SUMMAN and handling_id(row) in motesdokument:
                # a meeting's kallelse or protokoll: its checksum would confirm the whole
                # file, which holds each item as filed (Handling.ar_motesdokument)
                return str(_MOTESDOKUMENTETS_SUMMA)
            return markering

        return lagrum

    return _handelser(
        arende,
        start,
        stop,
        # the ärende's own workflow first, then its begärandens
        [registry.workflow_for(arende), *registry.all_workflows()],
        kommentar=lambda h: arende.kommentar(h, las_sekretess),
        hemligt=hemligt,
    )


def motets_hemliga_punkter(sammantrade: Sammantrade, user) -> tuple[dict[int, str], set[int]]:
    """The meeting's secret items, now or ever, as ``user`` reads its timeline: (the items
    whose secret content they may not read, with their marking; the ärenden of those they
    read unmasked, for the log of reads of secret content). An item on the list is read as
    the meeting page reads it (:func:`protokoll.far_lasa`), an anmälan of motioner as its
    documents are (:func:`protokoll.far_lasa_allt`: its text named them in full), one struck
    from it by its ärende's marking now."""
    deltagare = list(protokoll.narvaron(sammantrade))
    dolda, lasta = {}, set()
    levande = set()
    punkter = sammantrade.punkter.select_related("arende").prefetch_related(
        "jav", "anmalda_motioner__arende", "strukna_motioner__arende"
    )
    for punkt in punkter:
        levande.add(punkt.pk)
        anmalda = punkt.hemliga_anmalda()  # the motioner an anmälan names, marked since
        if anmalda and not protokoll.far_lasa_allt(user, punkt, deltagare):
            dolda[punkt.pk] = "; ".join(sorted({a.sekretess_lagrum for a in anmalda}))
            continue
        lasta.update(a.pk for a in anmalda)
        if not punkt.ar_sekretess:
            continue
        if protokoll.far_lasa(user, punkt, deltagare):
            lasta.add(punkt.arende_id)
        else:
            dolda[punkt.pk] = punkt.arende.sekretess_lagrum
    strukna = dict(
        Punkt.history.filter(sammantrade_id=sammantrade.pk, arende_id__isnull=False)
        .exclude(id__in=levande)
        .values_list("id", "arende_id")
    )
    arenden = Arende.objects.in_bulk(set(strukna.values()))
    for punkt_id, arende_id in strukna.items():
        arende = arenden.get(arende_id)
        if arende is None or not arende.ar_sekretessmarkerat:
            continue
        if user.has_perm("arenden.view_sekretess", arende):
            lasta.add(arende_id)
        else:
            dolda[punkt_id] = arende.sekretess_lagrum
    return dolda, lasta


#: what a row under an item shows of itself when the item is masked: where it belongs, never
#: what it says nor who said, voted or was jävig (the meeting page shows no more)
_SYNLIGT_UNDER_MASKERAD_PUNKT = {
    "sammantrade_id",
    "punkt_id",
    "votering_id",
    "rattelse_id",
    "ordning",
    "paragraf",
    "paragraf_organ_id",
}
#: and, of a paragraph justerad at once, who signed it and when: the signatures of a
#: protokoll are read by everyone, the masked one too
_SYNLIGT_AV = {Paragrafjustering: {"person_id", "user_id", "tidpunkt"}}


def motets_tidslinje(
    sammantrade: Sammantrade, start: int, stop: int, *, user, dolda: dict[int, str]
) -> list[Handelse]:
    """Events ``start:stop`` of the meeting's merged timeline (:func:`motets_kallor`), oldest
    first. What was written under an item ``user`` may not read the secret content of
    (``dolda``, from :func:`motets_hemliga_punkter`) shows the item's marking instead
    (OSL 5 kap. 5 §), as a rättelse's text of such an item does."""
    voteringar, rattelser = {}, {}
    if dolda:  # the rows under a masked item that reach it only through another
        voteringar = dict(
            Votering.history.filter(punkt_id__in=list(dolda)).values_list("id", "punkt_id")
        )
        rattelser = dict(
            Rattelse.history.filter(
                sammantrade_id=sammantrade.pk, punkt_id__in=list(dolda)
            ).values_list("id", "punkt_id")
        )
    rattelse_maskeras = protokoll.rattelser_maskeras_for(user, sammantrade)

    def punkt_for(model, row):
        if model is Punkt:
            return row.id
        for falt, punkt_av in (
            ("punkt_id", None),
            ("votering_id", voteringar),
            ("rattelse_id", rattelser),
        ):
            if hasattr(row, falt):
                varde = getattr(row, falt)
                return varde if punkt_av is None else punkt_av.get(varde)
        return None

    def hemligt(model, rows):
        if model is Protokollfil:
            # the whole protokoll holds what is masked for this reader, a secret bilaga of an
            # open item too: its checksum would confirm a copy of it (OSL 5 kap. 5 §); the
            # masked file's is public
            deltagare = list(protokoll.narvaron(sammantrade))
            punkter = sammantrade.punkter.select_related("arende").prefetch_related(
                "bilagor", "jav"
            )
            grunder = protokoll.maskerade_grunder(user, punkter, deltagare)
            if not grunder:
                return None
            return lambda row, prev, f: grunder if f.attname == "sha256" and not row.publik else ""
        if not dolda:
            return None

        synligt = _SYNLIGT_UNDER_MASKERAD_PUNKT | _SYNLIGT_AV.get(model, set())

        def lagrum(row, prev, f) -> str:
            if f.attname in synligt:
                return ""
            return dolda.get(punkt_for(model, row), "")

        return lagrum

    def kommentar(h) -> str:
        if h.comment and rattelse_maskeras and h.transition in protokoll.RATTELSESTEG:
            return protokoll.maskerad_rattelse()
        return h.comment

    return _handelser(
        sammantrade,
        start,
        stop,
        [registry.workflow_for(sammantrade)],
        kommentar=kommentar,
        hemligt=hemligt,
    )


def _handelser(obj, start, stop, flows, *, kommentar, hemligt) -> list[Handelse]:
    """Events ``start:stop`` of ``obj``'s merged timeline: its steps, their titles and states
    read from ``flows``, each comment as ``kommentar`` gives it, and the field changes of
    its sources, a field shown as its marking where ``hemligt(model, rows)`` (None: nothing
    hidden) gives a function ``(row, previous row, field)`` that returns the lagrum."""
    kallor = _kallor_for(obj)
    page = _nycklar(obj, kallor)[start:stop]
    wanted: dict[int, list[int]] = {}
    for _t, index, pk in page:
        wanted.setdefault(index, []).append(pk)
    loaded: dict[tuple[int, int], Handelse] = {}
    steg_titlar, status_titlar = {}, {}
    for wf in reversed(flows):
        steg_titlar.update({t.id: t.title for t in wf.transitions.values()})
        status_titlar.update({state.id: state.title for state in wf.states.values()})
    if 0 in wanted:
        for h in WorkflowHistory.objects.filter(pk__in=wanted[0]).select_related("actor"):
            steg, fran, till = titlar(h)
            if not fran:
                objekt = _("Status: %(till)s") % {"till": till}
            elif fran == till:
                objekt = _("Status oförändrad: %(till)s") % {"till": till}
            else:
                objekt = f"{fran} → {till}"
            loaded[(0, h.pk)] = Handelse(
                tid=h.timestamp,
                vem=namn(h.actor, h.actor_name),
                vad=steg,
                objekt=objekt,
                kommentar=kommentar(h),
                overgang=True,
            )
    for index, (model, _urval) in enumerate(kallor, start=1):
        if index not in wanted:
            continue
        historical = model.history.model
        previous = historical.objects.filter(
            id=OuterRef("id"), history_id__lt=OuterRef("history_id")
        ).order_by("-history_id")
        rows = list(
            historical.objects.filter(history_id__in=wanted[index])
            .annotate(prev_id=Subquery(previous.values("history_id")[:1]))
            .select_related("history_user")
        )
        before = historical.objects.in_bulk([r.prev_id for r in rows if r.prev_id])
        fields = [f for f in historical._meta.concrete_fields if f.attname not in _HISTORY_SKIP]
        names = _namn_for_nycklar(fields, [*rows, *before.values()])
        lagrum_for = hemligt(model, rows)
        for row in rows:
            prev = before.get(row.prev_id)
            changes = []
            for f in fields:
                new = names.get((f.attname, getattr(row, f.attname)), getattr(row, f.attname))
                old = (
                    names.get((f.attname, getattr(prev, f.attname)), getattr(prev, f.attname))
                    if prev
                    else None
                )
                if prev is None and new in (None, "", 0, False):
                    continue
                if f.attname == "state":  # the states by their titles, as on the pages
                    old, new = status_titlar.get(old, old), status_titlar.get(new, new)
                if prev is None or old != new:
                    lagrum = lagrum_for(row, prev, f) if lagrum_for else ""
                    if lagrum:
                        hemligt_varde = f"Sekretess ({lagrum})"
                        old, new = (hemligt_varde if prev else None), hemligt_varde
                    changes.append(Andring(str(f.verbose_name), _visa(old), _visa(new)))
            orsak = row.history_change_reason or ""
            loaded[(index, row.history_id)] = Handelse(
                tid=row.history_date,
                vem=namn(row.history_user),
                vad=_TYP.get(row.history_type, row.history_type),
                objekt=f"{model._meta.verbose_name} {row.id}",
                orsak=steg_titlar.get(orsak, orsak),
                andringar=changes,
            )
    return [loaded[(index, pk)] for _t, index, pk in page if (index, pk) in loaded]


def _typer() -> tuple[int, int, int]:
    """The content type ids of the ärende, the sammanträde and the begäran."""
    types = ContentType.objects.get_for_models(Arende, Sammantrade, Begaran)
    return types[Arende].pk, types[Sammantrade].pk, types[Begaran].pk


def _person(text: str) -> Q:
    """Entries by a person named in ``text``: each word in the username or the name of the
    user who took the step, or the whole text as the name the entry recorded (a user since
    renamed or removed). The users are found first, in their own small table, so the log is
    read by its (actor, time) and (name, time) indexes and never scanned for a word: a month
    of the log grows with the organisation, a page of it must not."""
    anvandare = get_user_model().objects.all()
    for ord_ in text.split():
        anvandare = anvandare.filter(
            Q(username__icontains=ord_)
            | Q(first_name__icontains=ord_)
            | Q(last_name__icontains=ord_)
        )
    # the ids as values, so that the planner knows how few they are and reads the index
    ids = list(anvandare.values_list("pk", flat=True)[: FLER_AN + 1])
    vilka = anvandare.values("pk") if len(ids) > FLER_AN else ids
    return Q(actor__in=vilka) | Q(actor_name=text.strip())


#: above this many users matching a person filter, they are given to the log as a subquery
FLER_AN = 200


def auditlogg(*, diarienummer="", person="", organ=None, overgang="", fran=None, till=None):
    """The workflow history of all ärenden, sammanträden and begäranden om allmän handling,
    newest first, filtered (each filter optional): ``diarienummer`` (whole or a part, the
    ärende's steps and its begärandens), ``person`` (name or username), ``organ`` (an Organ or
    its kod), ``overgang`` (the step's id), and the period ``fran``–``till`` (dates,
    inclusive, Europe/Stockholm)."""
    arende_ct, mote_ct, begaran_ct = _typer()
    qs = WorkflowHistory.objects.filter(
        content_type_id__in=(arende_ct, mote_ct, begaran_ct)
    ).select_related("actor")
    if person:
        qs = qs.filter(_person(person))
    if overgang:
        qs = qs.filter(transition=overgang)
    arenden = None
    if diarienummer:
        delvis = del_av_diarienummer(diarienummer)
        arenden = Arende.objects.filter(delvis[0]) if delvis else Arende.objects.none()
    if organ:
        kod = getattr(organ, "kod", organ)
        arenden = (arenden if arenden is not None else Arende.objects).filter(organ__kod=kod)
    if arenden is not None:
        villkor = Q(content_type_id=arende_ct, object_id__in=arenden.values("pk")) | Q(
            content_type_id=begaran_ct,
            object_id__in=Begaran.objects.filter(arende__in=arenden.values("pk")).values("pk"),
        )
        if organ and not diarienummer:
            villkor |= Q(
                content_type_id=mote_ct,
                object_id__in=Sammantrade.objects.filter(organ__kod=kod).values("pk"),
            )
        qs = qs.filter(villkor)
    tz = timezone.get_current_timezone()
    if fran:
        qs = qs.filter(timestamp__gte=datetime.datetime.combine(fran, datetime.time.min, tz))
    if till:
        slut = datetime.datetime.combine(till + datetime.timedelta(days=1), datetime.time.min, tz)
        qs = qs.filter(timestamp__lt=slut)
    return qs.order_by("-timestamp", "-pk")


def namn(user, anvandarnamn: str = "") -> str:
    """A person as people know them: the name, else the username; "systemet" for no one."""
    if user is not None:
        return user.get_full_name() or user.get_username()
    return anvandarnamn or "systemet"


def titlar(entry: WorkflowHistory) -> tuple[str, str, str]:
    """The step's, the old state's and the new state's Swedish titles (the ids where the
    workflow no longer has them)."""
    try:
        wf = registry.get_workflow(entry.workflow)
    except LookupError:
        return entry.transition, entry.from_state, entry.to_state
    steg = wf.transitions.get(entry.transition)

    def status(state_id: str) -> str:
        state = wf.states.get(state_id)
        return state.title if state else state_id

    return (
        steg.title if steg else (entry.transition or "Registrerat"),
        status(entry.from_state) if entry.from_state else "",
        status(entry.to_state),
    )


@dataclass
class Rad:
    """One line of the audit log: the entry and what it is about."""

    entry: WorkflowHistory
    objekt: Arende | Sammantrade | Begaran | None
    #: the comment as this reader may read it (:func:`med_objekt`)
    kommentar: str = ""

    @property
    def etikett(self) -> str:
        if isinstance(self.objekt, Arende):
            return str(self.objekt.diarienummer)
        if isinstance(self.objekt, Sammantrade):
            return f"Sammanträde {self.objekt.datum:%Y-%m-%d}"
        if isinstance(self.objekt, Begaran):
            return f"Begäran {self.objekt.inkommen:%Y-%m-%d} i {self.objekt.arende.diarienummer}"
        return ""

    @property
    def url(self) -> str:
        if isinstance(self.objekt, Arende):
            return reverse("arenden:tidslinje", args=[self.objekt.pk])
        if isinstance(self.objekt, Sammantrade):
            return reverse("arenden:sammantrade", args=[self.objekt.pk])
        if isinstance(self.objekt, Begaran):
            return reverse("arenden:begaran", args=[self.objekt.pk])
        return ""

    @property
    def organ(self) -> str:
        if isinstance(self.objekt, Begaran):
            return self.objekt.arende.organ.kod
        return self.objekt.organ.kod if self.objekt is not None else ""

    @property
    def namn(self) -> str:
        return namn(self.entry.actor, self.entry.actor_name)

    @property
    def steg(self) -> str:
        return titlar(self.entry)[0]

    @property
    def status(self) -> str:
        return titlar(self.entry)[2]

    @property
    def roller(self) -> list[str]:
        """The roles the person acted in; "anyone" and "anyone logged in" say nothing."""
        return [r for r in self.entry.roles if r not in BUILTIN_ROLES]


def med_objekt(entries, user) -> list[Rad]:
    """Pair a page of entries with their ärenden, sammanträden and begäranden (a query for
    each kind). A step's comment in a sekretess-marked ärende, or in a begäran about one, is
    read only by who may read the ärende's secret content (OSL; the superuser is not among
    them): the others read the marking."""
    entries = list(entries)
    arende_ct, mote_ct, begaran_ct = _typer()
    loaded = {}
    for ct, qs in (
        (arende_ct, Arende.objects.select_related("organ")),
        (mote_ct, Sammantrade.objects.select_related("organ")),
        (begaran_ct, Begaran.objects.select_related("arende__organ")),
    ):
        ids = {e.object_id for e in entries if e.content_type_id == ct}
        if ids:
            loaded.update({(ct, pk): obj for pk, obj in qs.in_bulk(ids).items()})
    rader = [Rad(e, loaded.get((e.content_type_id, e.object_id))) for e in entries]
    far_lasa: dict[int, bool] = {}
    maskerade_moten: dict[int, bool] = {}
    for rad in rader:
        arende = rad.objekt.arende if isinstance(rad.objekt, Begaran) else rad.objekt
        rad.kommentar = rad.entry.comment
        if (
            rad.kommentar
            and isinstance(rad.objekt, Sammantrade)
            and rad.entry.transition in protokoll.RATTELSESTEG
        ):
            # a rättelse's text, of an item the reader may not read now (as the API's history)
            if rad.objekt.pk not in maskerade_moten:
                maskerade_moten[rad.objekt.pk] = protokoll.rattelser_maskeras_for(user, rad.objekt)
            if maskerade_moten[rad.objekt.pk]:
                rad.kommentar = protokoll.maskerad_rattelse()
        if (
            rad.kommentar
            and isinstance(arende, Arende)
            and (arende.ar_sekretessmarkerat or rad.entry.transition in SEKRETESSPROVNINGAR)
        ):
            if arende.pk not in far_lasa:
                far_lasa[arende.pk] = user.has_perm("arenden.view_sekretess", arende)
            rad.kommentar = arende.kommentar(rad.entry, far_lasa[arende.pk])
    return rader


# -- who was given which role, by whom, when -------------------------------------------------


@dataclass
class Rollandring:
    tid: datetime.datetime
    vem: str
    vad: str
    roll: str
    till: str
    pa: str
    url: str
    #: a local role's period ("" for tills vidare)
    period: str = ""
    #: the reason kept with the row (that a membership was there when the history began,
    #: that the identity provider's claim gave the role at a login)
    anmarkning: str = ""


_ROLLANDRING = {
    "+": gettext_lazy("gav"),
    "~": gettext_lazy("ändrade"),
    "-": gettext_lazy("tog bort"),
}


def _rollens_objekt(rader) -> dict[tuple[int, int], tuple[str, str]]:
    """What each row's role is on, as the revisor names it (an ärende by its diarienummer,
    never its rubrik, which may be secret), with a link: one query per kind of object."""
    from arenden.organisation.models import Organ

    per_typ: dict[int, set[int]] = {}
    for r in rader:
        per_typ.setdefault(r.content_type_id, set()).add(r.object_id)
    namn = {}
    for ct_id, ids in per_typ.items():
        model = ContentType.objects.get_for_id(ct_id).model_class()
        if model is Arende:
            for a in Arende.objects.filter(pk__in=ids).only(
                "serie", "lopnummer", "ar", "delnummer"
            ):
                namn[(ct_id, a.pk)] = (str(a.diarienummer), reverse("arenden:arende", args=[a.pk]))
        elif model is Organ:
            for o in Organ.objects.filter(pk__in=ids):
                namn[(ct_id, o.pk)] = (o.namn, "")
        elif model is Sammantrade:
            for m in Sammantrade.objects.filter(pk__in=ids).select_related("organ"):
                namn[(ct_id, m.pk)] = (str(m), reverse("arenden:sammantrade", args=[m.pk]))
        for pk in ids:
            titel = model._meta.verbose_name if model else _("borttaget objekt")
            namn.setdefault((ct_id, pk), (f"{titel} {pk}", ""))
    return namn


def rollandringar(rader) -> list[Rollandring]:
    """The rows of the local roles' field history (workflow.models.LocalRole), as the revisor
    reads them: who gave, changed or took away which role, to whom, on what, and for which
    period. A role on an organ (Stabschef, Nämndsekreterare) opens every ärende of it, its
    secret content included: who held one when is part of who could read what."""
    rader = list(rader)
    objekt = _rollens_objekt(rader)
    ut = []
    for r in rader:
        pa, url = objekt[(r.content_type_id, r.object_id)]
        mottagare = namn(r.user) if r.user_id else (_gruppnamn(r) if r.group_id else "–")
        fran, till = r.valid_from, r.valid_until
        period = ""
        if fran or till:
            period = f"{fran or ''} – {till or ''}".strip()
        ut.append(
            Rollandring(
                tid=r.history_date,
                vem=namn(r.history_user),
                vad=str(_ROLLANDRING.get(r.history_type, r.history_type)),
                roll=r.role,
                till=mottagare,
                pa=pa,
                url=url,
                period=period,
                anmarkning=r.history_change_reason or "",
            )
        )
    return ut


def _gruppnamn(rad) -> str:
    """The group a history row names; one removed since (outside the admin, which removes
    none) by its number."""
    grupp = rad.group
    return grupp.name if grupp is not None else _("borttagen grupp %(nr)s") % {"nr": rad.group_id}


def gruppandringar(rader) -> list[Rollandring]:
    """The rows of the group memberships' field history (workflow.models.GroupMembership): a
    role for the whole organisation given to or taken from a user, by whom and when."""
    return [
        Rollandring(
            tid=r.history_date,
            vem=namn(r.history_user),
            vad=str(_ROLLANDRING.get(r.history_type, r.history_type)),
            roll=_gruppnamn(r),
            till=namn(r.user),
            pa=_("hela organisationen"),
            url="",
            anmarkning=r.history_change_reason or "",
        )
        for r in rader
    ]
