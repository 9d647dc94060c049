"""Diarienummer: series (organ prefix) + running number (+ optional delnummer) + year,
written ``HSN 787-2025`` or ``HSN 418-2-2021``; unique per series and year (OSL 5 kap. 1 §)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_PATTERN = re.compile(
    r"^\s*(?P<serie>[A-ZÅÄÖ]{1,10})\s+(?:DNR\s+)?(?P<nummer>\d{1,7})"
    r"(?:-(?P<del>\d{1,4}))?-(?P<ar>\d{4})\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True, order=True)
class Diarienummer:
    serie: str
    nummer: int
    ar: int
    delnummer: int | None = None

    def __str__(self) -> str:
        if self.delnummer:
            return f"{self.serie} {self.nummer}-{self.delnummer}-{self.ar}"
        return f"{self.serie} {self.nummer}-{self.ar}"

    @classmethod
    def parse(cls, text: str) -> Diarienummer:
        """Read a typed diarienummer; ``ValidationError`` in Swedish when it is malformed."""
        match = _PATTERN.match(text or "")
        if not match:
            raise ValidationError(
                _(
                    "%(text)s är inget giltigt diarienummer. Skriv serie, löpnummer och år, "
                    "till exempel HSN 787-2025."
                ),
                code="ogiltigt_diarienummer",
                params={"text": f"”{text}”"},
            )
        ar = int(match["ar"])
        if not 1900 <= ar <= 2999:
            raise ValidationError(
                _("Årtalet %(ar)s i diarienumret är inte rimligt."),
                code="ogiltigt_ar",
                params={"ar": ar},
            )
        nummer = int(match["nummer"])
        if nummer == 0:
            raise ValidationError(_("Löpnumret börjar på 1."), code="ogiltigt_lopnummer")
        delnummer = int(match["del"]) if match["del"] else None
        return cls(match["serie"].upper(), nummer, ar, delnummer)
