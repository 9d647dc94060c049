"""A document the system drew up holds what it was drawn from: a protokollsutdrag its item's
bilagor, a tjänsteskrivelse its beslutsunderlag, a kallelse or protokoll every item and bilaga.
Each is marked, when it is filed, with the secrecy of what it holds then. When what it holds is
marked afterwards:

- an utdrag or a tjänsteskrivelse is marked too: its file, its text in the search, its record in
  the API, in the archive package and in a begäran all go by the handling's own marking (OSL 5
  kap. 5 §: marked where it is kept);
- a kallelse or protokoll in the meeting's ärende is masked item by item when it is read
  (:mod:`arenden.dokument.motesfiler`), so it keeps its marking; the words read out of its file
  for the search go, since they hold the item in full;
- a kallelse e-mail not yet sent is made again, masked as the kallelse reads now
  (:func:`arenden.sammantraden.protokoll.kallelsen_maskerad_pa_nytt`); any other e-mail still
  waiting that names the ärende of what is marked is made again too
  (:func:`arenden.gemensamt.utskick.maskera_pa_nytt`, called by ``andra_sekretess``);
- a begäran's decision and copy (:mod:`arenden.begaran.services`) name each handling asked
  for by its title as it read when the request was tried, and the copy holds every released
  file whole: both are marked with the handling when it, or a document drawn up from it, is
  marked, and the copy also with a meeting's kallelse or protokoll it holds when an item on it
  is marked. Their words go from the search too. A begäran in a marked ärende needs nothing:
  its decision and copy are filed in that ärende, secret with it.

A marking lifted is not carried over: the copy then masks more than needed, never less, until
someone tries it (a begäran, or the handläggare's own prövning).
"""

from __future__ import annotations

import re

from django.db.models import Q

from arenden.diarium.models import Arende, Handling

#: the field history's reason for a marking carried over from what the document holds
SKAL = "harledd_sekretess"


def _begarandens(kallor: dict[int, str], *, bara_kopian: bool = False) -> dict[int, str]:
    """The decisions and copies of the tried begäranden that asked for a handling in
    ``kallor`` (its pk and the lagrum it is secret under now), each with that lagrum: the
    decision names the handling by its title as it read then, the copy lists it and holds its
    file when released (``bara_kopian``: the copy only, for a meeting's document, whose title
    holds nothing of an item)."""
    from arenden.begaran.models import BegardHandling

    svar: dict[int, str] = {}
    rader = (
        BegardHandling.objects.filter(handling_id__in=kallor)
        .select_related("begaran")
        .order_by("begaran_id", "handling_id")
    )
    for rad in rader:
        slag = [rad.begaran.kopia_id] + ([] if bara_kopian else [rad.begaran.beslut_id])
        for pk in slag:
            if pk is not None and kallor[rad.handling_id]:
                svar.setdefault(pk, kallor[rad.handling_id])
    return svar


def att_marka(obj: Arende | Handling):
    """The unmarked utdrag and tjänsteskrivelser drawn up from ``obj`` (just marked), with the
    lagrum each is filed with when drawn up now, and the unmarked decisions and copies of the
    begäranden that asked for it or for one of those (:func:`_begarandens`); the meetings'
    kallelser and protokoll that hold it (their words go from the search); the
    meetings whose items hold it; and the pks of the begäranden's decisions and copies."""
    from arenden.dokument.motesfiler import motenas
    from arenden.dokument.services import tjansteskrivelsens_sekretess
    from arenden.sammantraden.models import Punkt

    if isinstance(obj, Arende):
        # the items of the ärende, those it is a bilaga to, and an anmälan of motioner
        # that names it (KL 5 kap. 35 §), struck with its meeting too
        innehall = (
            Q(arende_id=obj.pk)
            | Q(bilagor__arende_id=obj.pk)
            | Q(anmalda_motioner__arende_id=obj.pk)
            | Q(strukna_motioner__arende_id=obj.pk)
        )
    else:
        innehall = Q(bilagor=obj)
    punkter = (
        Punkt.objects.filter(innehall)
        .distinct()
        .select_related("arende", "sammantrade")
        .prefetch_related("bilagor__arende")
    )
    omarkerade = Handling.objects.filter(sekretess_lagrum="", riktning=Handling.Riktning.UPPRATTAD)
    svar: dict[int, tuple[Handling, str]] = {}
    moten = {}
    for punkt in punkter:
        moten[punkt.sammantrade_id] = punkt.sammantrade
        if punkt.arende_id is None or (isinstance(obj, Arende) and punkt.arende_id == obj.pk):
            continue  # an item of the marked ärende: its utdrag are in it, secret with it
        lagrum = punkt.sekretess_lagrum
        if not lagrum:
            continue
        for utdrag in omarkerade.filter(
            arende_id=punkt.arende_id,
            typ=Handling.Typ.PROTOKOLLSUTDRAG,
            registrerad__date__gte=punkt.sammantrade.datum,
        ):
            svar[utdrag.pk] = (utdrag, lagrum)
    motesdokument = []
    #: the meetings' documents that hold it, each with the lagrum of its items that do (a
    #: begäran's copy holds such a document's file whole, as filed)
    i_moten: dict[int, str] = {}
    for mote in moten.values():
        lagrum = "; ".join(
            sorted({p.sekretess_lagrum for p in punkter if p.sammantrade_id == mote.pk} - {""})
        )
        dokumenten = Handling.objects.filter(
            arende_id=mote.arende_id,
            typ__in=(Handling.Typ.KALLELSE, Handling.Typ.PROTOKOLL),
            riktning=Handling.Riktning.UPPRATTAD,
        )
        for handling in dokumenten.defer("text"):
            if any(s.pk == mote.pk for s in motenas(handling)):
                # every one, with its words in the search or not yet: marka's update locks
                # it, and the text job, reading it meanwhile, waits and asks again
                # (arenden.dokument.text.las_in)
                motesdokument.append(handling)
                i_moten[handling.pk] = lagrum
    if isinstance(obj, Handling) and obj.typ == Handling.Typ.BESLUTSUNDERLAG:
        lagrum = tjansteskrivelsens_sekretess(obj.arende)
        for skrivelse in omarkerade.filter(
            arende_id=obj.arende_id, typ=Handling.Typ.TJANSTESKRIVELSE
        ):
            svar[skrivelse.pk] = (skrivelse, lagrum)
    # what a begäran asked for: the marked handling itself (a begäran in a marked ärende is
    # filed in it) and the documents drawn up from it
    kallor = {h.pk: lagrum for h, lagrum in svar.values()}
    if isinstance(obj, Handling):
        kallor[obj.pk] = obj.sekretess_lagrum
    begarandens = _begarandens(kallor)
    for pk, lagrum in _begarandens(i_moten, bara_kopian=True).items():
        begarandens.setdefault(pk, lagrum)
    for handling in omarkerade.filter(pk__in=begarandens).exclude(pk__in=svar).defer("text"):
        svar[handling.pk] = (handling, begarandens[handling.pk])
    return (
        [(h, lagrum) for h, lagrum in svar.values() if lagrum],
        motesdokument,
        list(moten.values()),
        set(begarandens),
    )


def meningar(arende: Arende) -> list[str]:
    """Every mening ``arende`` has had, as its field history keeps them, the longest first: a
    copy filed before the mening was edited names the ärende by the mening it had then."""
    tidigare = (
        arende.history.exclude(arendemening="").values_list("arendemening", flat=True)
        if arende.pk
        else []
    )
    alla = {m.strip() for m in [arende.arendemening, *tidigare]} - {""}
    return sorted(alla, key=lambda m: (-len(m), m))


def utan_meningen(titel: str, arende: Arende, alla: list[str] | None = None) -> str:
    """``titel`` with each mening ``arende`` has had (``alla``, else :func:`meningar`) in it
    put as its offentlig rubrik (empty when it has none). A title the system drew up names
    the ärende by the rubrik it had then (``dokument.services.som_upprattad_handling``:
    "Tjänsteskrivelse <rubrik>"), the whole mening while the ärende was open, shortened with
    "…" when long (``diarium.services.arkivera_handling``); once the ärende is marked its
    meningar are protected (OSL 5 kap. 5 §) and may stand in no offentlig titel of its
    handlingar, an earlier one no more than the current. A mening is taken as whole words
    only, never out of another word; one that the public rubrik says itself is left (and
    taking it out again would grow the title). The result fits the field, shortened as the
    diarium shortens."""
    ersattning = arende.offentlig_rubrik.strip()
    ny = titel
    for mening in meningar(arende) if alla is None else alla:
        if mening not in ersattning:
            ny = _utan(ny, mening, ersattning)
    if ny == titel:
        return titel
    ny = " ".join(ny.split())
    grans = Handling._meta.get_field("offentlig_titel").max_length
    return ny if len(ny) <= grans else ny[: grans - 1].rstrip() + "…"


def _utan(titel: str, mening: str, ersattning: str) -> str:
    hela_ord = re.compile(r"(?<!\w)" + re.escape(mening) + r"(?!\w)")
    if hela_ord.search(titel):
        return hela_ord.sub(lambda _traff: ersattning, titel)
    if titel.endswith("…") and len(titel) >= Handling._meta.get_field("titel").max_length - 2:
        # cut by the diarium at the field's length: the longest tail of what is left, from a
        # word's start, that is how the mening begins
        stam = titel[:-1].rstrip()
        borjan = next(
            (
                i
                for i in range(len(stam))
                if (i == 0 or stam[i - 1] == " ") and mening.startswith(stam[i:])
            ),
            None,
        )
        if borjan is not None:
            return f"{stam[:borjan]} {ersattning}"
    return titel


def offentliga_titlar_utan_meningen(arende: Arende, user) -> list[Handling]:
    """The handlingar of ``arende`` (just marked) whose offentlig titel was written while its
    mening was public and names it (a tjänsteskrivelse marked with its underlag took its
    title, "Tjänsteskrivelse <mening>", as its offentlig titel): each gets the title without
    it (:func:`utan_meningen`), the change in its field history with who and why. The masked
    title of a handling in a marked ärende is its offentlig titel, on every page, in the API,
    the postlista and the search (OSL 5 kap. 5 §)."""
    andrade = []
    alla = meningar(arende)
    rader = (
        Handling.objects.select_for_update()
        .filter(arende_id=arende.pk)
        .exclude(offentlig_titel="")
        .order_by("pk")
    )
    for handling in rader:
        ny = utan_meningen(handling.offentlig_titel, arende, alla)
        if ny == handling.offentlig_titel:
            continue
        handling.offentlig_titel = ny
        handling._change_reason = SKAL
        handling._history_user = user
        handling.save()
        andrade.append(handling)
    return andrade


def marka(obj: Arende | Handling, user) -> list[Handling]:
    """Mark the documents drawn up from ``obj`` (:func:`att_marka`) as they are filed now,
    each change in its field history with who and why, and take the words of the meetings'
    documents that hold it, and of the begäranden's decisions and copies marked, out of the
    search; returns the marked."""
    from arenden.diarium.services import sekretessmarkering
    from arenden.sammantraden import protokoll

    markerade = []
    if isinstance(obj, Arende):
        offentliga_titlar_utan_meningen(obj, user)
    harledda, motesdokument, moten, begarandens = att_marka(obj)
    Handling.objects.filter(pk__in=[h.pk for h in motesdokument]).update(text="")
    for mote in moten:
        protokoll.kallelsen_maskerad_pa_nytt(mote, user=user)
    for handling, lagrum in harledda:
        handling = Handling.objects.select_for_update().get(pk=handling.pk)
        if handling.sekretess_lagrum:
            continue
        for namn, varde in sekretessmarkering(lagrum, user).items():
            setattr(handling, namn, varde)
        titel = handling.titel
        if handling.arende.ar_sekretessmarkerat:
            titel = utan_meningen(titel, handling.arende)
        handling.offentlig_titel = handling.offentlig_titel or titel
        if handling.pk in begarandens:
            # the words read out of its file name what it asked for, or hold it whole
            handling.text = ""
        handling._change_reason = SKAL
        handling._history_user = user
        handling.save()
        markerade.append(handling)
    return markerade
