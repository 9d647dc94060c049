"""What may be stored as the file of a handling: size and type limits, and the checksum.

The media type is read from the file's first bytes, never from its name or from what the
browser claims, so a renamed executable is refused as what it is."""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

#: media type → what the user calls it
TILLATNA = {
    "application/pdf": "PDF",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word (docx)",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel (xlsx)",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
    "application/vnd.oasis.opendocument.text": "OpenDocument-text (odt)",
    "application/vnd.oasis.opendocument.spreadsheet": "OpenDocument-kalkyl (ods)",
    "image/png": "PNG-bild",
    "image/jpeg": "JPEG-bild",
    "image/tiff": "TIFF-bild",
    "text/plain": "text",
    "text/csv": "CSV",
    "message/rfc822": "e-brev (eml)",
}

_OOXML = {
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}


def max_storlek() -> int:
    return getattr(settings, "HANDLING_MAX_BYTES", 25 * 1024 * 1024)


@dataclass(frozen=True)
class Filfakta:
    sha256: str
    mediatyp: str
    storlek: int


def _zip_type(fil) -> str | None:
    fil.seek(0)
    try:
        with zipfile.ZipFile(fil) as arkiv:
            names = arkiv.namelist()
            if "mimetype" in names:
                mimetype = arkiv.read("mimetype").decode("ascii", "replace").strip()
                return mimetype if mimetype in TILLATNA else None
            for prefix, mediatyp in _OOXML.items():
                if "[Content_Types].xml" in names and any(n.startswith(prefix) for n in names):
                    return mediatyp
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    return None


def _is_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as err:
        # a multi-byte character cut off at the end of the sample is still text
        return err.start >= len(head) - 3
    return True


def kann_igen(fil, filnamn: str = "") -> str | None:
    """The media type of ``fil`` judged by its content, or None when it is not one we take."""
    fil.seek(0)
    head = fil.read(4096)
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "image/tiff"
    if head.startswith(b"PK\x03\x04"):
        return _zip_type(fil)
    if head and _is_text(head):
        lower = filnamn.lower()
        if lower.endswith(".csv"):
            return "text/csv"
        if lower.endswith(".eml"):
            return "message/rfc822"
        return "text/plain"
    return None


def granska(fil, filnamn: str = "") -> Filfakta:
    """Check ``fil`` against the limits and return its checksum, media type and size; a
    ``ValidationError`` in Swedish says what is wrong. Reads the file in chunks."""
    storlek = getattr(fil, "size", None)
    if storlek is None:
        fil.seek(0, 2)
        storlek = fil.tell()
    if storlek == 0:
        raise ValidationError(_("Filen är tom."), code="tom_fil")
    if storlek > max_storlek():
        raise ValidationError(
            _("Filen är %(storlek)s; den största tillåtna storleken är %(max)s."),
            code="for_stor",
            params={"storlek": filesizeformat(storlek), "max": filesizeformat(max_storlek())},
        )
    mediatyp = kann_igen(fil, filnamn)
    if mediatyp is None:
        raise ValidationError(
            _("Filtypen tas inte emot. Tillåtna typer: %(typer)s."),
            code="fel_filtyp",
            params={"typer": ", ".join(sorted(set(TILLATNA.values())))},
        )
    digest = hashlib.sha256()
    fil.seek(0)
    for chunk in iter(lambda: fil.read(1024 * 1024), b""):
        digest.update(chunk)
    fil.seek(0)
    return Filfakta(digest.hexdigest(), mediatyp, storlek)
