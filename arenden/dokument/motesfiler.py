"""Who gets which filed meeting document, decided when it is read (OSL 5 kap. 5 §).

A filed document keeps what it said when it was filed: the justerat protokoll (and its
masked copy for the anslagstavla), and the kallelse and protokoll filed as handlingar in the
meeting's own ärende. What is secret in it is not fixed with it: an ärende on the agenda may be
sekretess-marked afterwards. So the decision whether a reader gets the stored file is made
each time it is read, from the items' markings as they are now, never from a marking stored
with the file; who may not read every secret item gets the document masked as it reads now.
The filed files themselves are never changed: they are the record (TF 2 kap. 10 §).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from arenden.diarium.models import Arende, Handling
from arenden.dokument import services as dokument
from arenden.sammantraden.models import Sammantrade

# -- the masked copy of the justerat protokoll ----------------------------------------------


def _markeringar(laddat: Sammantrade) -> tuple[dict, dict]:
    """What the masking of ``laddat``'s documents turns on now: every sekretess-marked ärende
    among its items and their bilagor, with its lagrum and offentlig rubrik, and every secret
    bilaga, with its own lagrum and offentlig titel (what a masked document prints of them).
    Read from the prefetched items (:func:`arenden.dokument.services.med_allt`): no query."""
    arenden: dict[int, tuple[str, str]] = {}
    handlingar: dict[int, tuple[str, str]] = {}
    for punkt in laddat.punkter.all():
        if punkt.ar_sekretess:
            arenden[punkt.arende_id] = (
                punkt.arende.sekretess_lagrum,
                punkt.arende.offentlig_rubrik,
            )
        for h in punkt.bilagor.all():
            if not h.hemlig:
                continue
            handlingar[h.pk] = (h.sekretess_lagrum, h.offentlig_titel)
            if h.arende.sekretess_lagrum:
                arenden[h.arende_id] = (h.arende.sekretess_lagrum, h.arende.offentlig_rubrik)
        for arende in punkt.hemliga_anmalda():
            arenden[arende.pk] = (arende.sekretess_lagrum, arende.offentlig_rubrik)
    return arenden, handlingar


def _som_da(model, nu: dict[int, tuple[str, str]], falt: tuple[str, str], tidpunkt) -> dict:
    """The values of ``falt`` of the rows in ``nu`` as they were just before ``tidpunkt``,
    from their field history (one query); a row without history then is left out."""
    if not nu:
        return {}
    rader = (
        model.history.model.objects.filter(id__in=nu, history_date__lt=tidpunkt)
        .order_by("id", "-history_date", "-history_id")
        .values_list("id", *falt)
    )
    da: dict[int, tuple[str, str]] = {}
    for pk, *varden in rader:
        da.setdefault(pk, tuple(varden))
    return da


def sekretess_andrad_sedan(laddat: Sammantrade, tidpunkt: datetime.datetime) -> bool:
    """Would the masking of ``laddat``'s documents now mask something it did not mask, or say
    it otherwise, than when a copy was filed at ``tidpunkt``: an ärende or a bilaga marked
    secret since, or its marking or offentlig rubrik changed? Then a masked copy filed then
    is not what masking produces now and may hold text that is secret now (OSL 5 kap. 5 §).
    A marking whose history does not reach back to ``tidpunkt`` counts as new. A marking
    lifted since is no reason: the copy masks more than needed, never less. Two queries at
    most (the field histories), none when nothing is marked."""
    arenden, handlingar = _markeringar(laddat)
    da_a = _som_da(Arende, arenden, ("sekretess_lagrum", "offentlig_rubrik"), tidpunkt)
    if any(da_a.get(pk) != varde for pk, varde in arenden.items()):
        return True
    da_h = _som_da(Handling, handlingar, ("sekretess_lagrum", "offentlig_titel"), tidpunkt)
    return any(da_h.get(pk) != varde for pk, varde in handlingar.items())


def inaktuell_for_maskerad(laddat: Sammantrade, fil) -> bool:
    """May the stored protokoll file ``fil`` no longer be handed to a reader who gets secret
    items masked? The whole file, once anything in the protokoll is masked now; the masked
    copy, once something has become secret since it was filed (:func:`sekretess_andrad_sedan`:
    it masks what was secret then, and an ärende marked since is in it in full); the whole
    file then too."""
    from arenden.sammantraden import protokoll

    if fil.publik:
        return sekretess_andrad_sedan(laddat, fil.skapad)
    # also what every reader now reads by its marking (a motion the anmälan names by its
    # offentlig rubrik in both versions), which the whole file filed before holds in full
    return protokoll.maskeras_nu(laddat) or sekretess_andrad_sedan(laddat, fil.skapad)


# -- the kallelse and protokoll filed in the meeting's own ärende ---------------------------

_SLAG = {Handling.Typ.KALLELSE: dokument.kallelse, Handling.Typ.PROTOKOLL: dokument.protokoll}


@dataclass
class Motesdokument:
    """A handling that is a meeting's kallelse or protokoll filed in its ärende, as ``user``
    may read it now: ``hela`` (may read every secret item of it, so the file as filed),
    ``hemligt`` (it holds secret content now: a read of it is logged), ``lagrum`` (the
    marking it carries now, derived from the items)."""

    handling: Handling
    sammantraden: list[Sammantrade]
    hela: bool
    hemligt: bool
    lagrum: str


def motenas(handling: Handling) -> list[Sammantrade]:
    """The meetings whose kallelse or protokoll ``handling`` is: filed by the system in the
    meeting's ärende under the name the document has (``kallelse-HSN-2025-10-16.pdf``). Empty
    for any other handling; one query for a kallelse or protokoll, none otherwise."""
    if (
        handling.typ not in _SLAG
        or handling.riktning != Handling.Riktning.UPPRATTAD
        or not handling.filnamn
    ):
        return []
    namn, _punkt, format = handling.filnamn.rpartition(".")
    if format not in dokument.FORMAT:
        return []
    kandidater = Sammantrade.objects.filter(arende_id=handling.arende_id).select_related("organ")
    return [
        s
        for s in kandidater
        if namn == dokument._filnamn(handling.typ, s.organ.kod, dokument._dag(s.datum))
    ]


def motesdokument(user, handling: Handling) -> Motesdokument | None:
    """How ``user`` may read ``handling`` when it is a meeting's kallelse or protokoll
    (:func:`motenas`), else None. The whole file only for who may read all of every secret
    item on it now (:func:`arenden.sammantraden.protokoll.maskeras_for`, as the meeting's
    pages decide), and, when the handling itself is marked, its ärende's secret content.

    A handling marked as a whole (OSL 5 kap. 5 §: the handläggare's marking of the filed
    document) is secret as a whole to who may not read its ärende's secret content: None, so
    that it is refused as any secret handling is, never handed out masked item by item (the
    items know nothing of the handling's own marking)."""
    from arenden.sammantraden import protokoll

    if handling.hemlig and not user.has_perm("arenden.view_sekretess", handling.arende):
        return None
    moten = motenas(handling)
    if not moten:
        return None
    hela = True
    lagrum: set[str] = set()
    laddade = []
    for s in moten:
        laddat = dokument.med_allt(s)
        laddade.append(laddat)
        punkter = list(laddat.punkter.all())
        for punkt in punkter:
            lagrum |= punkt.sekretessgrunder()
        if hela and lagrum:
            hela = not protokoll.maskeras_for(user, punkter, list(laddat.deltagare.all()))
    return Motesdokument(
        handling=handling,
        sammantraden=laddade,
        hela=hela,
        hemligt=handling.hemlig or bool(lagrum),
        lagrum="; ".join(sorted(lagrum)),
    )


def logga_hela(user, punkter) -> None:
    """A meeting's document read in full (not masked): one read of secret content logged per
    ärende whose secret content an item holds (its marked ärende, the ärende of a secret
    bilaga, a secret motion an anmälan names), as a handling's file is, so that the revisor's
    list of who read protected information is whole."""
    from arenden.diarium.models import Sekretessatkomst

    arenden = {}
    for p in punkter:
        # the item's own ärende, each secret bilaga's and each secret motion it anmäler
        hemliga = [h.arende for h in p.hemliga_bilagor()] + p.hemliga_anmalda()
        if p.ar_sekretess:
            hemliga.append(p.arende)
        arenden.update((a.pk, a) for a in hemliga)
    for arende in arenden.values():
        Sekretessatkomst.logga(user, arende, Sekretessatkomst.Vad.DOKUMENT)


def maskerat_svar(md: Motesdokument):
    """The meeting's document masked as it reads now, in the handling's format: what who may
    not read all of it gets in place of the filed file (OSL 5 kap. 5 §)."""
    if len(md.sammantraden) != 1:
        # two meetings of the organ on one day in one ärende: which one it is is not certain
        raise PermissionDenied(
            _(
                "Handlingen innehåller uppgifter som omfattas av sekretess och kan inte lämnas "
                "ut maskerad här. Hämta kallelsen eller protokollet från sammanträdets sida."
            )
        )
    format = md.handling.filnamn.rpartition(".")[2]
    return dokument.som_svar(_SLAG[md.handling.typ](md.sammantraden[0], publik=True), format)
