"""What the revisor reads: one ärende's timeline (workflow transitions and field changes
merged), the global audit log with its filters and exports, and the chain verification.

A page of either costs the same number of queries however long the history is: the
timeline first merges only (time, source, id) keys, then loads the rows of one page and
the rows just before them (to show what changed from what)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from heapq import merge

from django.contrib.contenttypes.models import ContentType
from django.db.models import OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone

from workflow.models import WorkflowHistory

from .models import (
    Arende,
    Begaran,
    Beredningsansvarig,
    Beslut,
    Handling,
    Mottagare,
    Sammantrade,
    Tjansteskrivelse,
    Uppdrag,
)

#: the models whose field history belongs to an ärende's timeline: (model, path to ärende)
KALLOR = [
    (Arende, "id"),
    (Handling, "arende_id"),
    (Tjansteskrivelse, "arende_id"),
    (Beslut, "arende_id"),
    (Mottagare, "arende_id"),
    (Uppdrag, "arende_id"),
    (Beredningsansvarig, "arende_id"),
    # a request for its handlingar: registered, tried, what was decided (the decision and the
    # released copy are handlingar of the ärende)
    (Begaran, "arende_id"),
]
_HISTORY_SKIP = {
    "history_id",
    "history_date",
    "history_change_reason",
    "history_type",
    "history_user",
    "history_user_id",
    "id",
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


def _nycklar(arende: Arende):
    """Sorted (time, source index, id) keys of everything that happened to the ärende."""
    ct = ContentType.objects.get_for_model(Arende)
    flows = [
        [
            (t, 0, pk)
            for t, pk in WorkflowHistory.objects.filter(content_type=ct, object_id=arende.pk)
            .order_by("timestamp", "pk")
            .values_list("timestamp", "pk")
        ]
    ]
    for index, (model, path) in enumerate(KALLOR, start=1):
        rows = (
            model.history.filter(**{path: arende.pk})
            .order_by("history_date", "history_id")
            .values_list("history_date", "history_id")
        )
        flows.append([(t, index, pk) for t, pk in rows])
    return list(merge(*flows))


def _namn_for_nycklar(fields, rows) -> dict[tuple[str, object], str]:
    """Readable names for the foreign keys among ``fields`` (one query per related model)."""
    names = {}
    for f in fields:
        if not f.is_relation:
            continue
        ids = {getattr(r, f.attname) for r in rows} - {None}
        if not ids:
            continue
        for pk, obj in f.related_model._default_manager.in_bulk(ids).items():
            label = obj.get_username() if hasattr(obj, "get_username") else str(obj)
            names[(f.attname, pk)] = label
    return names


def antal_handelser(arende: Arende) -> int:
    return len(_nycklar(arende))


#: what a sekretess-marked handling's field history shows only to who may read it
_HEMLIGA_FALT = {"titel", "beskrivning", "avsandare_mottagare", "filnamn"}


def tidslinje(
    arende: Arende, start: int, stop: int, *, las_sekretess: bool = True
) -> list[Handelse]:
    """Events ``start:stop`` of the ärende's merged timeline, oldest first. Without
    ``las_sekretess``, the protected fields of a sekretess-marked handling show its marking
    instead of their values (OSL 5 kap. 5 §)."""
    page = _nycklar(arende)[start:stop]
    wanted: dict[int, list[int]] = {}
    for _t, index, pk in page:
        wanted.setdefault(index, []).append(pk)
    loaded: dict[tuple[int, int], Handelse] = {}
    if 0 in wanted:
        for h in WorkflowHistory.objects.filter(pk__in=wanted[0]):
            loaded[(0, h.pk)] = Handelse(
                tid=h.timestamp,
                vem=h.actor_name or "systemet",
                vad=h.transition or "registrering",
                objekt=f"{h.from_state or '–'} → {h.to_state}",
                kommentar=h.comment,
                overgang=True,
            )
    for index, (model, _path) in enumerate(KALLOR, start=1):
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
                if prev is None or old != new:
                    if (
                        not las_sekretess
                        and model is Handling
                        and f.attname in _HEMLIGA_FALT
                        and (row.sekretess_lagrum or (prev and prev.sekretess_lagrum))
                    ):
                        hemligt = f"Sekretess ({row.sekretess_lagrum or prev.sekretess_lagrum})"
                        old, new = (hemligt if prev else None), hemligt
                    changes.append(Andring(str(f.verbose_name), _visa(old), _visa(new)))
            user = row.history_user
            loaded[(index, row.history_id)] = Handelse(
                tid=row.history_date,
                vem=user.get_username() if user else "systemet",
                vad=_TYP.get(row.history_type, row.history_type),
                objekt=f"{model._meta.verbose_name} {row.id}",
                orsak=row.history_change_reason or "",
                andringar=changes,
            )
    return [loaded[(index, pk)] for _t, index, pk in page if (index, pk) in loaded]


def _typer() -> tuple[int, int]:
    """The content type ids of the ärende and the sammanträde."""
    types = ContentType.objects.get_for_models(Arende, Sammantrade)
    return types[Arende].pk, types[Sammantrade].pk


def auditlogg(*, person=None, organ=None, overgang=None, fran=None, till=None):
    """The workflow history of all ärenden and sammanträden (the meeting's own steps: kallelse,
    upprättande, justering, anslag), newest first, filtered (each filter optional):
    ``person`` (username), ``organ`` (kod), ``overgang`` (transition id), and the period
    ``fran``–``till`` (dates, inclusive, Europe/Stockholm)."""
    arende_ct, mote_ct = _typer()
    qs = WorkflowHistory.objects.filter(content_type_id__in=(arende_ct, mote_ct))
    if person:
        qs = qs.filter(actor_name=person)
    if overgang:
        qs = qs.filter(transition=overgang)
    if organ:
        qs = qs.filter(
            Q(
                content_type_id=arende_ct,
                object_id__in=Arende.objects.filter(organ__kod=organ).values("pk"),
            )
            | Q(
                content_type_id=mote_ct,
                object_id__in=Sammantrade.objects.filter(organ__kod=organ).values("pk"),
            )
        )
    tz = timezone.get_current_timezone()
    if fran:
        qs = qs.filter(timestamp__gte=datetime.datetime.combine(fran, datetime.time.min, tz))
    if till:
        slut = datetime.datetime.combine(till + datetime.timedelta(days=1), datetime.time.min, tz)
        qs = qs.filter(timestamp__lt=slut)
    return qs.order_by("-timestamp", "-pk")


@dataclass
class Rad:
    """One line of the audit log: the entry and what it is about."""

    entry: WorkflowHistory
    objekt: Arende | Sammantrade | None

    @property
    def etikett(self) -> str:
        if isinstance(self.objekt, Arende):
            return str(self.objekt.diarienummer)
        if isinstance(self.objekt, Sammantrade):
            return f"Sammanträde {self.objekt.datum:%Y-%m-%d}"
        return ""

    @property
    def url(self) -> str:
        if isinstance(self.objekt, Arende):
            return reverse("arenden:tidslinje", args=[self.objekt.pk])
        if isinstance(self.objekt, Sammantrade):
            return reverse("arenden:sammantrade", args=[self.objekt.pk])
        return ""

    @property
    def organ(self) -> str:
        return self.objekt.organ.kod if self.objekt is not None else ""


def med_objekt(entries) -> list[Rad]:
    """Pair a page of entries with their ärenden and sammanträden (a query for each kind)."""
    entries = list(entries)
    arende_ct, mote_ct = _typer()
    loaded = {}
    for ct, model in ((arende_ct, Arende), (mote_ct, Sammantrade)):
        ids = {e.object_id for e in entries if e.content_type_id == ct}
        if ids:
            found = model.objects.select_related("organ").in_bulk(ids)
            loaded.update({(ct, pk): obj for pk, obj in found.items()})
    return [Rad(e, loaded.get((e.content_type_id, e.object_id))) for e in entries]
