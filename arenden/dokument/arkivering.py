"""The documents a step draws up, made and filed off the request (issue 18.5).

Justering files the whole protokoll (and its masked version), the protokoll in the meeting's
ärende as PDF and DOCX, and an utdrag in every ärende on the agenda; the kallelse is filed and
e-mailed. Rendered in the request that is a dozen PDFs and many seconds with the meeting
locked. Instead the step writes, in its own transaction, one :class:`Arkivering`: what every
document says at that moment (the :class:`~arenden.dokument.services.Dokument` of each, as
data), and where each is to be filed. That row is the record; the PDFs are its rendering, made
by a worker after the step commits (:func:`config.celery.utfor`), or here and now without one.

Nothing is lost and nothing is filed twice: the worker takes the row under a lock and marks
it done in the same transaction as the files it makes, so a redelivered message finds it done;
a worker that dies midway leaves it undone (Celery's ``acks_late`` hands the message to
another), and ``manage.py arkivera`` (cron) or the beat job sends again what has waited too
long. Each attempt is counted as it begins, so one whose worker dies is a failed attempt too,
and a filing that kills every worker stops for the operator as a failing one does. What a
document says never changes with the wait: it was fixed when the step was taken.
A filing that fails (a renderer's error, a full disk, a seal that does not hold) is rolled
back whole and counted on the row, the kind of error with it; after
:data:`~arenden.dokument.jobb.MAX_FORSOK` failures the sweep stops sending it and the
meeting's page says it could not be filed, until the operator has mended the cause and runs
``manage.py arkivera --igen``.
The broker sees the row's id only (OSL 5 kap. 5 §); the snapshot, which may hold secret text,
is emptied once the documents are filed, which then are the record.
"""

from __future__ import annotations

import datetime
import hashlib
import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from arenden.dokument import jobb, services
from workflow import hashing

logger = logging.getLogger(__name__)

UPPGIFT = "arenden.arkivera"

#: how long a row may wait before the sweep sends it again (a lost message, a dead worker)
VANTETID = datetime.timedelta(minutes=5)
#: an attempt begun and not ended: counted as it begins (:func:`_borja`), as a document's is
AVBRUTEN = jobb.AVBRUTEN


class ArkiveringQuerySet(models.QuerySet):
    """The one place that says which filings still wait and which may still be tried."""

    def vantar(self):
        """Not yet filed: waiting for a worker, or stopped after failing."""
        return self.filter(klar__isnull=True)

    def provas(self):
        """Not yet filed and not failed as often as it may be tried without the operator:
        what the sweep and cron send (:attr:`Arkivering.misslyckad` is the rest)."""
        return self.vantar().filter(forsok__lt=jobb.MAX_FORSOK)

    def stoppade(self):
        """Failed as often as it may: waits for the operator's ``manage.py arkivera --igen``."""
        return self.vantar().filter(forsok__gte=jobb.MAX_FORSOK)


class Arkivering(models.Model):
    """The documents one step drew up, fixed as data when the step was taken, to be made and
    filed: ``mal`` is a list of ``{"mal": where, "dokument": what it says, …}``."""

    class Slag(models.TextChoices):
        KALLELSE = "kallelse", _("kallelse")
        PROTOKOLL = "protokoll", _("justerat protokoll")
        RATTELSE = "rattelse", _("rättat protokoll")
        UTDRAG = "utdrag", _("utdrag av omedelbart justerad paragraf")

    sammantrade = models.ForeignKey(
        "arenden.Sammantrade", on_delete=models.PROTECT, related_name="arkiveringar"
    )
    slag = models.CharField(max_length=20, choices=Slag.choices)
    #: the protokoll's version this filing makes (justering 1, each rättelse the next)
    version = models.PositiveIntegerField(null=True, blank=True)
    mal = models.JSONField(default=list)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    skapad = models.DateTimeField(default=timezone.now)
    klar = models.DateTimeField(null=True, blank=True)
    #: the history key's id and the MAC of what the step drew up (:meth:`forsegla`)
    nyckel = models.CharField(max_length=32, blank=True, default="", editable=False)
    sigill = models.CharField(max_length=64, blank=True, default="", editable=False)
    #: failed attempts to file it, the last one's time and kind of error (never its message,
    #: which may quote the documents' text; the worker's log has the rest)
    forsok = models.PositiveIntegerField(default=0, editable=False)
    senast_forsokt = models.DateTimeField(null=True, blank=True, editable=False)
    senaste_fel = models.CharField(max_length=200, blank=True, default="", editable=False)

    objects = ArkiveringQuerySet.as_manager()

    class Meta:
        app_label = "arenden"
        verbose_name = _("arkivering")
        verbose_name_plural = _("arkiveringar")
        ordering = ["skapad", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["sammantrade", "version"],
                condition=models.Q(version__isnull=False),
                name="arkivering_en_per_version",
            ),
        ]

    def __str__(self):
        return (
            f"{self.get_slag_display()} {self.sammantrade_id} ({'klar' if self.klar else 'väntar'})"
        )

    def save(self, *args, **kwargs):
        """A row still to be filed is sealed, as it is saved, with the history key: it
        waits, maybe for minutes, for a worker that files it as the protokoll and names
        ``user`` as who filed it. Whoever could write the table in between could otherwise
        change a beslut, who justerade, or whether a filed copy is the masked one, and the
        filed PDF would pass every check (its checksum and history are made from the row)."""
        if self.klar is None:
            self.nyckel, self.sigill = hashing.seal(self._meta.label_lower, self._innehall())
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "nyckel", "sigill"}
        super().save(*args, **kwargs)

    def _innehall(self) -> dict:
        return {
            "sammantrade": self.sammantrade_id,
            "slag": self.slag,
            "version": self.version,
            "mal": self.mal,
            "user": self.user_id,
            "skapad": hashing.canonical_time(self.skapad),
        }

    @property
    def pagar(self) -> bool:
        """Is an attempt under way: begun (and counted, :func:`_borja`) less than
        :data:`VANTETID` ago, and neither done nor failed since? Until then a worker that died
        in it cannot be told from one still at work."""
        return (
            self.klar is None
            and self.senaste_fel == AVBRUTEN
            and self.senast_forsokt is not None
            and self.senast_forsokt > timezone.now() - VANTETID
        )

    @property
    def misslyckade(self) -> int:
        """How many attempts have failed (or died), not counting one under way."""
        return self.forsok - 1 if self.pagar else self.forsok

    @property
    def misslyckad(self) -> bool:
        """Has filing it failed as often as it may be tried without the operator?"""
        return self.klar is None and self.misslyckade >= jobb.MAX_FORSOK

    def ar_forseglad(self) -> bool:
        return hashing.seal_holds(
            self._meta.label_lower, self._innehall(), self.nyckel, self.sigill
        )


def mal(dit: str, dokument: services.Dokument, **var) -> dict:
    """One document to file: ``dit`` is ``protokollfil``, ``handling`` or ``epost``."""
    return {"mal": dit, "dokument": jobb.som_data(dokument), **var}


def bestall(sammantrade, slag: str, mal_lista: list[dict], *, user, version=None) -> Arkivering:
    """Record what the step drew up and have it made and filed once the step commits."""
    from config import celery

    rad = Arkivering.objects.create(
        sammantrade=sammantrade, slag=slag, version=version, mal=mal_lista, user=user
    )
    celery.utfor(UPPGIFT, rad.pk)
    return rad


def nasta_version(sammantrade) -> int:
    """The next version of the meeting's protokoll: filed or waiting to be (the caller holds
    the sammanträde's lock, so two steps never take the same one)."""
    from arenden.sammantraden.models import Protokollfil

    filad = Protokollfil.objects.filter(sammantrade=sammantrade).aggregate(n=models.Max("version"))
    vantar = Arkivering.objects.filter(sammantrade=sammantrade).aggregate(n=models.Max("version"))
    return max(filad["n"] or 0, vantar["n"] or 0) + 1


def vantande(sammantrade) -> list[Arkivering]:
    """What of the meeting still waits to be filed, or could not be, oldest first (without
    the snapshot, which the page never shows)."""
    return list(Arkivering.objects.vantar().filter(sammantrade=sammantrade).defer("mal"))


class Forseglingsfel(Exception):
    """The row is not what the step drew up: changed after it was sealed."""


def utfor(pk: int, *, igen: bool = False) -> bool:
    """The task: make and file what the row holds, unless it is done, or has failed as often
    as it may (:attr:`Arkivering.misslyckad`) and this is not the operator's ``igen``
    (``manage.py arkivera --igen``). True when this call filed it.

    The attempt is counted before it is made, in a transaction of its own (:func:`_borja`),
    and taken back when it files: a worker killed while making it (out of memory, SIGKILL)
    runs no handler, and Celery gives its message back (``reject_on_worker_lost``), so a
    filing that kills its worker would otherwise be taken again for ever. A failure files
    nothing (its savepoint is rolled back) and is recorded on the row with its kind of error
    (:func:`_rakna_misslyckandet`); it is not raised, so that a step whose filing runs here and
    now without a worker still commits, with its row left for the sweep, as it would with
    one."""
    tidigare_fel = _borja(pk, igen)
    if tidigare_fel is None:
        return False
    sparade: list = []
    try:
        with transaction.atomic():
            filad = _fila(pk, sparade)
            # this attempt was no failure: it filed the row, or found it filed by another
            # that came between its count and its lock
            Arkivering.objects.filter(pk=pk, forsok__gt=0).update(
                forsok=models.F("forsok") - 1,
                senaste_fel=models.Case(
                    models.When(senaste_fel=AVBRUTEN, then=models.Value(tidigare_fel)),
                    default=models.F("senaste_fel"),
                ),
            )
            return filad
    except Exception as fel:
        # the rows are rolled back: so are the files stored for them, which would otherwise
        # lie in the storage beside the record, maybe unmasked, and outlive its gallring
        for fil in sparade:
            try:
                fil.storage.delete(fil.name)
            except Exception:  # noqa: BLE001 - counted all the same; filkontroll finds the file
                logger.exception("Filen %s från arkiveringen %s kunde inte tas bort.", fil.name, pk)
        _rakna_misslyckandet(pk, fel)
        return False


def _fila(pk: int, sparade: list) -> bool:
    """File what row ``pk`` holds; each file stored is added to ``sparade``."""
    from workflow.context import acting_as

    rad = Arkivering.objects.select_for_update().filter(pk=pk).first()
    if rad is None or rad.klar is not None:
        return False
    if not rad.ar_forseglad():
        raise Forseglingsfel(
            f"Arkivering {rad.pk} stämmer inte med sitt sigill: den är ändrad efter att "
            "steget togs och arkiveras inte."
        )
    gjorda: dict[str, bytes] = {}

    def skriv(data: dict, format: str) -> bytes:
        nyckel = jobb.nyckel(data, format)
        if nyckel not in gjorda:
            gjorda[nyckel] = services.skriv(jobb.fran_data(data), format)
        return gjorda[nyckel]

    with acting_as(rad.user):
        for mal_ in rad.mal:
            fil = _FILA[mal_["mal"]](rad, mal_, skriv)
            if fil:
                sparade.append(fil)
    rad.klar = timezone.now()
    rad.mal = []  # the filed documents are the record now; no second copy of their text
    rad.save(update_fields=["klar", "mal"])
    return True


def _borja(pk: int, igen: bool) -> str | None:
    """Begin an attempt to file row ``pk``: count it, committed in a transaction of its own
    (within the step's, when it files without a worker), under the row's lock, which a
    worker filing it holds until it is done. The kind of error the row had before, or None
    when it is not to be tried now: gone, filed, or failed as often as it may (unless
    ``igen``)."""
    with transaction.atomic():
        rad = (
            Arkivering.objects.select_for_update()
            .filter(pk=pk)
            .values("klar", "forsok", "senaste_fel")
            .first()
        )
        if rad is None or rad["klar"] is not None:
            return None
        if rad["forsok"] >= jobb.MAX_FORSOK and not igen:
            return None
        # written with an update, which leaves what the row is sealed with as it was
        Arkivering.objects.filter(pk=pk).update(
            forsok=models.F("forsok") + 1, senast_forsokt=timezone.now(), senaste_fel=AVBRUTEN
        )
    return rad["senaste_fel"]


def _rakna_misslyckandet(pk: int, fel: Exception) -> None:
    """Record a failed attempt (counted as it began, :func:`_borja`) with its kind of error:
    in the worker's own transaction once the filing's is rolled back, or in the step's when
    it files without a worker. Written with an ``update``, which leaves what the row is sealed
    with as it was."""
    logger.error("Arkiveringen %s misslyckades (%s).", pk, type(fel).__name__, exc_info=fel)
    Arkivering.objects.vantar().filter(pk=pk).update(
        senast_forsokt=timezone.now(), senaste_fel=type(fel).__name__[:200]
    )


def _protokollfil(rad: Arkivering, mal_: dict, skriv):
    from arenden.sammantraden.models import Protokollfil

    dok = jobb.fran_data(mal_["dokument"])
    pdf = skriv(mal_["dokument"], "pdf")
    filnamn = f"{dok.filnamn}-version-{rad.version}.pdf"
    fil = Protokollfil(
        sammantrade_id=rad.sammantrade_id,
        version=rad.version,
        publik=mal_["publik"],
        filnamn=filnamn,
        sha256=hashlib.sha256(pdf).hexdigest(),
        skapad=rad.skapad,
        rattelse_id=mal_.get("rattelse"),
    )
    fil.fil.save(filnamn, ContentFile(pdf), save=False)
    try:
        fil.save()
    except BaseException:
        # its row is not written: nor is the file kept (utfor takes back what was returned)
        fil.fil.storage.delete(fil.fil.name)
        raise
    return fil.fil


def _handling(rad: Arkivering, mal_: dict, skriv):
    from arenden.diarium import services as diarium_services
    from arenden.diarium.models import Arende, Handling

    dok = jobb.fran_data(mal_["dokument"])
    format = mal_["format"]
    filnamn = f"{dok.filnamn}.{format}"
    handling = diarium_services.arkivera_handling(
        Arende.objects.get(pk=mal_["arende"]),
        user=rad.user,
        typ=mal_["typ"],
        riktning=Handling.Riktning.UPPRATTAD,
        status=Handling.Status.UPPRATTAD,
        titel=f"{dok.titel} {format.upper()}",
        fil=ContentFile(skriv(mal_["dokument"], format), name=filnamn),
        filnamn=filnamn,
        **diarium_services.sekretessmarkering(_sekretess_nu(rad, mal_), rad.user),
    )
    return handling.fil


def _sekretess_nu(rad: Arkivering, mal_: dict) -> str:
    """The marking a handling is filed with: what was secret when the step was taken (the
    sealed ``lagrum``) and what has been marked since, while the filing waited for its worker
    (OSL 5 kap. 5 §: marked where it is kept, as it would be filed now). A marking lifted
    meanwhile lifts nothing: that is for a prövning of the filed handling, never the worker's.
    The document's text is as it was drawn up; who reads the meeting's kallelse or protokoll
    gets it masked as the items are marked when it is read (:mod:`arenden.dokument.motesfiler`),
    an utdrag is refused as a whole by its marking."""
    from arenden.diarium.models import Handling
    from arenden.sammantraden import protokoll
    from arenden.sammantraden.models import Punkt

    if mal_["typ"] == Handling.Typ.PROTOKOLLSUTDRAG:
        punkter = Punkt.objects.filter(
            sammantrade_id=rad.sammantrade_id, arende_id=mal_["arende"]
        ).select_related("arende")
        nu = set().union(*(p.sekretessgrunder() for p in punkter))
    else:
        nu = set(protokoll.sekretess_i(rad.sammantrade).split("; "))
    return "; ".join(sorted(({*mal_.get("lagrum", "").split("; ")} | nu) - {""}))


def _epost(rad: Arkivering, mal_: dict, skriv) -> None:
    """The kallelse's e-mail, to the addresses its mottagare were recorded with, in blind
    copy; each mottagare is tied to it, to be marked reached when it leaves. When the meeting
    was inställt before this worker came, the e-mail is put in the outbox withdrawn, as the
    inställelse withdrew what was there (``protokoll.aterkalla_kallelsen``): kept as the
    record, never sent."""
    from arenden.gemensamt import utskick
    from arenden.sammantraden.models import Kallelsemottagare, Sammantrade

    dok = jobb.fran_data(mal_["dokument"])
    mottagare = list(
        Kallelsemottagare.objects.filter(pk__in=mal_["kallelsemottagare"]).exclude(epost="")
    )
    if not mottagare:
        return
    brev = utskick.lagg_i_utskick(
        amne=mal_["amne"],
        text=mal_["text"],
        dold_kopia=sorted({r.epost for r in mottagare}),
        bilaga=(f"{dok.filnamn}.pdf", skriv(mal_["dokument"], "pdf"), services.PDF),
    )
    for r in mottagare:
        r.utskick = brev
        r.save(update_fields=["utskick"])
    # read under this row's lock: an inställelse that committed before it was taken is seen
    # here; one that comes while it is held waits for it and withdraws the row itself
    installt = Sammantrade.objects.filter(pk=rad.sammantrade_id, installt__isnull=False).first()
    if installt is not None:
        from arenden.sammantraden import protokoll

        utskick.aterkalla(
            utskick.Utskick.objects.filter(pk=brev.pk),
            skal=protokoll.kallelsen_aterkallad(installt),
        )


_FILA = {"protokollfil": _protokollfil, "handling": _handling, "epost": _epost}


def skicka_kvarvarande(aldre_an: datetime.timedelta = VANTETID) -> int:
    """Send again what has waited longer than ``aldre_an`` (a lost message, a dead worker)
    and has not failed as often as it may (:attr:`Arkivering.misslyckad`: that waits for the
    operator);
    the task's lock and its done mark make a second delivery harmless. How many were sent."""
    from config import celery

    grans = timezone.now() - aldre_an
    pks = list(Arkivering.objects.provas().filter(skapad__lt=grans).values_list("pk", flat=True))
    for pk in pks:
        celery.utfor(UPPGIFT, pk)
    if pks:
        logger.warning("%s arkiveringar väntade och skickades igen.", len(pks))
    return len(pks)


# -- for the whole check of the history (WORKFLOW_LIVE_CHECKS) -----------------------------------

#: the migration since which every justering is filed through an Arkivering
ARKIVERINGEN = "0038_arkivering"
_KLAR_UTAN_FIL = (
    "arkiveringen {pk} av protokollets version {v} är markerad klar, men den versionen är inte "
    "arkiverad: ändrat i databasen utan att protokollet arkiverades"
)
_SIGILL = (
    "arkiveringen {pk} väntar men stämmer inte med sitt sigill: ändrad i databasen efter att "
    "steget togs"
)
_SAKNAS = (
    "protokollets version {v} är varken arkiverad eller väntar på att arkiveras: arkiveringen "
    "är borttagen i databasen"
)


def avvikelser() -> list[tuple]:
    """What the filings of justerade protokoll say against what was filed, as
    workflow.fieldhistory.compare_live gives findings: a filing marked done whose version of
    the protokoll was never filed, a waiting one no longer what the step sealed, and a
    version (from the first of a protokoll justerat since filings were kept, up to the newest
    known) that is neither filed nor waiting. The filing rows have no history of their own;
    what they promise is the signed Protokollfil, and a row marked done or removed beside
    the system would otherwise leave the justerat protokoll unfiled with nothing to show.
    The newest version is known from the signed rättelser too (the justering files version
    1, each rättelse in effect the next), so the newest filing removed is seen as well."""
    from django.db.migrations.recorder import MigrationRecorder

    from arenden.sammantraden.models import Justering, Protokollfil, Rattelse, Sammantrade

    found = []
    filade = set(Protokollfil.objects.values_list("sammantrade_id", "version"))
    kanda = set(filade)
    for rad in Arkivering.objects.order_by("pk").iterator():
        if rad.version is not None:
            kanda.add((rad.sammantrade_id, rad.version))
        if rad.klar is None:
            if not rad.ar_forseglad():
                found.append(("arenden.arkivering", rad.pk, 0, 0, _SIGILL.format(pk=rad.pk)))
        elif rad.version is not None and (rad.sammantrade_id, rad.version) not in filade:
            found.append(
                (
                    "arenden.sammantrade",
                    rad.sammantrade_id,
                    0,
                    0,
                    _KLAR_UTAN_FIL.format(pk=rad.pk, v=rad.version),
                )
            )
    sedan = (
        MigrationRecorder.Migration.objects.filter(app="arenden", name=ARKIVERINGEN)
        .values_list("applied", flat=True)
        .first()
    )
    hogsta: dict[int, int] = {}
    for sammantrade_id, version in kanda:
        hogsta[sammantrade_id] = max(hogsta.get(sammantrade_id, 0), version)
    if sedan is not None:
        # justerat since (when the justering was written, which its signed history dates)
        justerade = Sammantrade.objects.filter(justerat__isnull=False).filter(
            pk__in=Justering.history.filter(history_date__gte=sedan).values("sammantrade_id")
        )
        for pk in justerade.values_list("pk", flat=True):
            hogsta.setdefault(pk, 1)
        rattelser = (
            Rattelse.objects.filter(sammantrade__in=justerade, giltig__isnull=False)
            .values_list("sammantrade_id")
            .annotate(antal=models.Count("pk"))
            .order_by()
        )
        for pk, antal in rattelser:
            hogsta[pk] = max(hogsta[pk], 1 + antal)
    for sammantrade_id, senaste in sorted(hogsta.items()):
        for version in range(1, senaste + 1):
            if (sammantrade_id, version) not in kanda:
                found.append(
                    ("arenden.sammantrade", sammantrade_id, 0, 0, _SAKNAS.format(v=version))
                )
    return found
