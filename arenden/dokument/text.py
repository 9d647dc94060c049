"""The text of an uploaded PDF or DOCX, for the search: read once, when the handling is filed.

The text is bounded (:data:`MAX_TECKEN`): it is what the search reads, not a copy of the
document. A file that cannot be read (damaged, encrypted, a PDF that is only images) gives no
text and never stops the filing: the handling and its file are what the diarium keeps
(OSL 5 kap. 1 §), the text is only a way to find it."""

from __future__ import annotations

import logging

from django.db import transaction

logger = logging.getLogger(__name__)

#: at most this many characters of a document are kept for the search
MAX_TECKEN = 200_000
#: at most this many pages of a PDF are read, at upload: 100 pages took 8 s on the shared
#: development machine (a 2 000-page scan costs no more than this)
MAX_SIDOR = 100

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _pdf(fil) -> list[str]:
    from pypdf import PdfReader

    reader = PdfReader(fil)
    if reader.is_encrypted:
        return []
    delar = []
    for sida in reader.pages[:MAX_SIDOR]:
        delar.append(sida.extract_text() or "")
        if sum(map(len, delar)) >= MAX_TECKEN:
            break
    return delar


def _docx(fil) -> list[str]:
    import docx

    dokument = docx.Document(fil)
    delar = [stycke.text for stycke in dokument.paragraphs]
    for tabell in dokument.tables:
        for rad in tabell.rows:
            delar.append(" ".join(cell.text for cell in rad.cells))
    return delar


_LASARE = {PDF: _pdf, DOCX: _docx}


def extrahera(fil, mediatyp: str) -> str:
    """The text of ``fil`` (an open binary file) of type ``mediatyp``, at most
    :data:`MAX_TECKEN` characters; empty for other types and for files that cannot be read."""
    lasare = _LASARE.get(mediatyp)
    if lasare is None:
        return ""
    try:
        fil.seek(0)
        delar = lasare(fil)
    except Exception as err:  # a malformed upload is filed without its text, never refused for it
        # the kind of error only: a reader's message can quote the file, and the log is no
        # place for a secret document's words (OSL 5 kap. 5 §)
        logger.warning(
            "Texten kunde inte läsas ur en fil av typen %s: %s", mediatyp, type(err).__name__
        )
        return ""
    finally:
        try:
            fil.seek(0)
        except (OSError, ValueError):
            pass
    text = " ".join(" ".join(d.split()) for d in delar if d and d.strip())
    # PostgreSQL text takes no NUL character
    return text.replace("\x00", "")[:MAX_TECKEN]


def las_in(pk: int, *, alla: bool = False) -> bool:
    """Read the text of handling ``pk``'s file into the search (the task
    ``arenden.dokument.text``, and ``manage.py dokumenttext``); whether a text was stored.

    Only the id travels to a worker: it reads the file from the storage, so no document
    content passes the message broker (OSL 5 kap. 5 §). A handling that already has its text
    (a redelivered message), was gallrad or has no PDF or DOCX is left as it is. Until its
    text is stored a handling is found by its title and description only.

    A meeting's kallelse or protokoll one of whose items is secret now gets no text: it keeps
    the marking it was filed with and is masked item by item when read, but its file holds the
    items in full, so their words would find it (OSL 5 kap. 5 §; as
    :func:`arenden.dokument.harledd.marka` takes them out when an item is marked, which may
    come while this job waits)."""
    from arenden.diarium.models import Handling

    rad = (
        Handling.objects.filter(pk=pk, mediatyp__in=_LASARE, gallrad__isnull=True)
        .exclude(fil="")
        .values("fil", "mediatyp", "text", "typ", "riktning", "filnamn", "arende_id")
        .first()
    )
    if rad is None or (rad["text"] and not alla) or _haller_hemligt(rad):
        return False
    try:
        with Handling(pk=pk, fil=rad["fil"]).fil.open("rb") as fil:
            text = extrahera(fil, rad["mediatyp"])
    except OSError:
        text = ""
    if not text:
        return False
    # reading the file takes seconds, and meanwhile an item on a meeting's document may be
    # marked (which takes its words out of the search, harledd.marka) or the handling gallrad:
    # asked again under the handling's lock, which a marking holds until it commits, so the
    # words are never written under a marking made while they were read (OSL 5 kap. 5 §).
    # The text is derived from the file, not a fact of the handling: no field history.
    with transaction.atomic():
        rad = (
            Handling.objects.select_for_update()
            .filter(pk=pk, gallrad__isnull=True)
            .exclude(fil="")
            .values("text", "typ", "riktning", "filnamn", "arende_id")
            .first()
        )
        if rad is None or (rad["text"] and not alla) or _haller_hemligt(rad):
            return False
        return bool(Handling.objects.filter(pk=pk).update(text=text))


def _haller_hemligt(rad: dict) -> bool:
    """Is the handling in ``rad`` a meeting's kallelse or protokoll (its meetings by
    :func:`arenden.dokument.motesfiler.motenas`) with something on it secret now?"""
    from arenden.diarium.models import Handling
    from arenden.dokument.motesfiler import motenas
    from arenden.sammantraden import protokoll

    handling = Handling(
        typ=rad["typ"], riktning=rad["riktning"], filnamn=rad["filnamn"], arende_id=rad["arende_id"]
    )
    return any(protokoll.sekretess_i(mote) for mote in motenas(handling))
