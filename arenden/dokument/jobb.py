"""Documents made off the request (issue 18.5): with a Celery broker configured
(``CELERY_BROKER_URL`` and the ``celery`` extra) a PDF or DOCX is made by a worker and stored
with its SHA-256 in the shared file storage, so that any web node can serve it; without one it
is made in the request, as always.

A document is known by the SHA-256 of its content and format (:func:`nyckel`): the same
protokoll asked for twice is made once, and a changed one is a new document. The task is
idempotent: a redelivered message finds the document made and does nothing.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import json
import logging

from django.core.files.base import ContentFile
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from arenden.dokument import services

logger = logging.getLogger(__name__)

UPPGIFT = "arenden.dokument.generera"


class GenereratDokument(models.Model):
    """A PDF or DOCX a worker made, in the shared file storage."""

    nyckel = models.CharField(max_length=64, unique=True)
    format = models.CharField(max_length=4)
    filnamn = models.CharField(max_length=255)
    fil = models.FileField(upload_to="genererade/")
    sha256 = models.CharField(max_length=64)
    skapad = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "arenden"
        verbose_name = "genererat dokument"
        verbose_name_plural = "genererade dokument"

    def __str__(self):
        return f"{self.filnamn}.{self.format}"


#: how many times a worker fails to make a document before its page says so
MAX_FORSOK = 3
#: the kind of error an attempt is counted with as it begins (:func:`_borja`), and keeps when
#: its worker dies before it makes the document or fails (Celery's name for a lost worker)
AVBRUTEN = "WorkerLostError"
#: how long a document whose last :data:`MAX_FORSOK` attempts killed their workers is not
#: tried again: a message given back for it then makes nothing; asked for after that, it is
VILA = datetime.timedelta(hours=1)


class MisslyckatDokument(models.Model):
    """A document a worker failed to make: how many times, when last, and the kind of error
    (never its message, which may quote the document's text; the worker's log has the
    rest). Gone once the document is made."""

    nyckel = models.CharField(max_length=64, unique=True)
    forsok = models.PositiveIntegerField(default=0)
    senaste_fel = models.CharField(max_length=200)
    senast = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "arenden"
        verbose_name = "dokument som inte kunde skapas"
        verbose_name_plural = "dokument som inte kunde skapas"

    def __str__(self):
        return f"{self.nyckel[:12]}: {self.forsok} försök, {self.senaste_fel}"


def las_intakt(gjort: GenereratDokument) -> bytes | None:
    """The document's content as the worker made it, or None when the stored file is gone or
    is not what it made (its SHA-256 is not the one recorded): a file swapped in the shared
    storage is never handed out as the protokoll or tjänsteskrivelse it stands for. The row
    and the file are taken away, so the document is made again from its source; the event is
    logged for whoever keeps the storage."""
    try:
        with gjort.fil.open("rb") as fil:
            innehall = fil.read()
    except OSError:
        innehall = None
    if innehall is not None and hashlib.sha256(innehall).hexdigest() == gjort.sha256:
        return innehall
    logger.error(
        "Det genererade dokumentet %s saknas eller stämmer inte med sin kontrollsumma; "
        "det görs om.",
        gjort.fil.name,
    )
    GenereratDokument.objects.filter(pk=gjort.pk).delete()
    try:
        gjort.fil.storage.delete(gjort.fil.name)
    except OSError:  # gone already, or the storage refuses: filkontroll is not its keeper
        pass
    return None


def kunde_inte_skapas(k: str) -> bool:
    """Has the worker failed to make the document with key ``k`` as often as it may?"""
    return MisslyckatDokument.objects.filter(nyckel=k, forsok__gte=MAX_FORSOK).exists()


def _borja(k: str) -> bool:
    """Count the attempt to make the document with key ``k`` as it begins, committed in a
    transaction of its own: a worker killed while making it (out of memory, SIGKILL) runs no
    handler, and Celery gives its message back (``reject_on_worker_lost``), so a document that
    kills its worker would otherwise be made again at once, for ever, and its page would say
    it is being made for ever. False, and nothing counted, when its last :data:`MAX_FORSOK`
    attempts killed their workers less than :data:`VILA` ago."""
    with transaction.atomic():
        rad, _skapad = MisslyckatDokument.objects.select_for_update().get_or_create(
            nyckel=k, defaults={"senaste_fel": ""}
        )
        if (
            rad.senaste_fel == AVBRUTEN
            and rad.forsok >= MAX_FORSOK
            and rad.senast > timezone.now() - VILA
        ):
            return False
        rad.forsok += 1
        rad.senaste_fel = AVBRUTEN
        rad.save()
    return True


def _rakna_misslyckandet(k: str, fel: Exception) -> None:
    """Record a failed attempt (counted as it began, :func:`_borja`) with its kind of error,
    committed whatever becomes of the task's transaction."""
    MisslyckatDokument.objects.filter(nyckel=k).update(senaste_fel=type(fel).__name__[:200])


def som_data(dokument: services.Dokument) -> dict:
    """What the document shows: what its key is made of (not where it came from)."""
    data = dataclasses.asdict(dokument)
    data.pop("kalla")
    return data


def fran_data(data: dict) -> services.Dokument:
    return services.Dokument(
        titel=data["titel"],
        huvud=[tuple(rad) for rad in data["huvud"]],
        block=[services.Block(**b) for b in data["block"]],
        filnamn=data["filnamn"],
    )


def nyckel(data: dict, format: str) -> str:
    text = json.dumps([format, data], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def asynkront() -> bool:
    from config import celery

    return celery.app is not None


def bestall(dokument: services.Dokument, format: str, k: str) -> None:
    """Queue the making of the document once the caller's transaction commits. The message
    carries where the document comes from (kind, id, masked or not), its format and key,
    never its content: a message broker is no place for secret text (OSL 5 kap. 5 §); the
    worker reads it from the database (:func:`generera`)."""
    from config import celery

    slag, pk, publik = dokument.kalla
    celery.utfor(UPPGIFT, slag, pk, publik, format, k)


def generera(slag: str, pk: int, publik: bool, format: str, k: str) -> str | None:
    """The task: make the document of ``slag`` ``pk`` unless the one with key ``k`` is made;
    the key it is stored under (that of the content now, which is ``k`` unless the source
    changed since it was asked for); None if the source is gone or the kind unknown."""
    if GenereratDokument.objects.filter(nyckel=k).exists():
        return k
    try:
        dokument = services.fran_kalla(slag, pk, publik)
    except LookupError:
        # an unknown kind, or a source deleted since: nothing to make (and nothing logged
        # of what it was)
        logger.warning("Dokumentet %s %s finns inte längre och görs inte.", slag, pk)
        return None
    k = nyckel(som_data(dokument), format)
    if GenereratDokument.objects.filter(nyckel=k).exists():
        return k
    if not _borja(k):
        logger.warning("Dokumentet %s har fått arbetaren att avbrytas och görs inte nu.", k[:12])
        return None
    try:
        innehall = services.skriv(dokument, format)
    except Exception as fel:  # counted for the page (services.som_svar), then Celery's to log
        _rakna_misslyckandet(k, fel)
        raise
    rad = GenereratDokument(
        nyckel=k,
        format=format,
        filnamn=dokument.filnamn,
        sha256=hashlib.sha256(innehall).hexdigest(),
    )
    rad.fil.save(f"{k}.{format}", ContentFile(innehall), save=False)
    try:
        with transaction.atomic():
            rad.save()
    except IntegrityError:
        # another delivery of the same message made it first
        rad.fil.delete(save=False)
    MisslyckatDokument.objects.filter(nyckel=k).delete()
    return k
