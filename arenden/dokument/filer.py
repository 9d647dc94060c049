"""What may be stored as the file of a handling: size and type limits, and the checksum.

The media type is read from the file's content, never from its name or from what the
browser claims, so a renamed executable is refused as what it is; and the name must agree
with the content (a text file named ``.bat`` is refused). A text file is checked whole (4 KB
of text followed by a ZIP is not text), and a container (docx, xlsx, odt …) is opened and
refused if it holds a program or a macro."""

from __future__ import annotations

import codecs
import hashlib
import os
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpResponse
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

#: media type → the file name endings that may carry it
ANDELSER = {
    "application/pdf": {".pdf"},
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {".docx"},
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {".xlsx"},
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": {".pptx"},
    "application/vnd.oasis.opendocument.text": {".odt"},
    "application/vnd.oasis.opendocument.spreadsheet": {".ods"},
    "image/png": {".png"},
    "image/jpeg": {".jpg", ".jpeg"},
    "image/tiff": {".tif", ".tiff"},
    "text/plain": {".txt", ".text", ".md"},
    "text/csv": {".csv"},
    "message/rfc822": {".eml"},
}

#: what a container must not hold: programs, scripts and macros
_FARLIGT_I_ARKIV = (
    ".exe",
    ".dll",
    ".com",
    ".bat",
    ".cmd",
    ".ps1",
    ".vbs",
    ".js",
    ".jar",
    ".msi",
    ".scr",
    ".hta",
    ".sh",
    ".lnk",
    "vbaproject.bin",
)

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
            if any(n.lower().endswith(_FARLIGT_I_ARKIV) for n in names):
                return None
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


def _all_text(fil) -> bool:
    """The whole file is UTF-8 text without NUL characters (read in chunks)."""
    fil.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for chunk in iter(lambda: fil.read(64 * 1024), b""):
            if b"\x00" in chunk:
                return False
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
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
    if head and _is_text(head) and _all_text(fil):
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
    andelse = os.path.splitext(filnamn.lower())[1]
    if filnamn and andelse not in ANDELSER[mediatyp]:
        raise ValidationError(
            _("Filnamnet %(namn)s passar inte filens innehåll (%(typ)s)."),
            code="fel_filnamn",
            params={"namn": filnamn, "typ": TILLATNA[mediatyp]},
        )
    digest = hashlib.sha256()
    fil.seek(0)
    for chunk in iter(lambda: fil.read(1024 * 1024), b""):
        digest.update(chunk)
    fil.seek(0)
    return Filfakta(digest.hexdigest(), mediatyp, storlek)


class Storleksgrans:
    """A request larger than a handling may be is refused before its body is read (413), so
    a 200 MB upload is not received in full to be refused afterwards. The margin is for the
    form's other fields."""

    MARGINAL = 1024 * 1024

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            langd = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            langd = 0
        if request.method == "POST" and langd > max_storlek() + self.MARGINAL:
            text = _("Filen är för stor; den största tillåtna storleken är %(max)s.") % {
                "max": filesizeformat(max_storlek())
            }
            return HttpResponse(text, status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
