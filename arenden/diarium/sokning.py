"""Search among the ärenden a user may see, by diarienummer, words and registration dates.

On PostgreSQL the words are matched by full-text search with the Swedish configuration
(stemming: "vården" finds "vård") over the ärendemening, the offentlig rubrik and the titles
of the handlingar; elsewhere each word must occur in one of them.

The hits come newest first (registrerat, then id, both descending). A common word matches a
fixed share of the whole diarium, so its hits grow with it: a page of hits must then not cost
what all the hits cost. On PostgreSQL a word search therefore gives :class:`Traffar`, which
reads for a page only as many hits of each kind as the page needs (see there)."""

from __future__ import annotations

import datetime
import re

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Exists, OuterRef, Q

from arenden.diarium.diarienummer import Diarienummer
from arenden.diarium.models import Arende, Handling
from flows.namn import ArendeArbetslista
from workflow import registry
from workflow.engine import worklist
from workflow.roles import global_roles

#: the order of the hits: the same as the index arende_registrerat (migration 0005)
ORDNING = ("-registrerat", "-pk")
#: what of a handling a word is searched in: the expression of its full-text index
#: (migrations 0006 and 0028); ``text`` is the text of its document (arenden.dokument.text)
HANDLINGENS_TEXT = ("titel", "beskrivning", "text")
#: the worklist of the ärenden whose secret content the user may read (flows/arende.py)
SEKRETESSBEHORIGA = "alla_sekretessbehoriga"


def _behorig(user) -> Q | None:
    """The ärenden whose sekretess-marked text ``user`` may search in; None for all of them.
    A word must not find a secret ärende or handling by its protected text for anyone else:
    the hit alone would tell that the text is there (OSL 5 kap. 5 §)."""
    _wf, lista = registry.find_worklist(SEKRETESSBEHORIGA)
    if not global_roles(user).isdisjoint(lista.roles):
        return None
    return Q(pk__in=worklist(user, SEKRETESSBEHORIGA).order_by().values("pk"))


def _diarienummer(q: str) -> Diarienummer | None:
    try:
        return Diarienummer.parse(q)
    except ValidationError:
        return None


#: a diarienummer typed in part, as people type them: "787", "787-2025", "HSN787-2025",
#: "418-2-2021", "dnr 787"
_DEL_AV_NUMMER = re.compile(
    r"^\s*(?:DNR\s*)?(?P<serie>[A-ZÅÄÖ]{1,10})?\s*(?:DNR\s*)?(?P<nummer>\d{1,7})"
    r"(?:-(?P<andra>\d{1,4}))?(?:-(?P<ar>\d{4}))?\s*$",
    re.IGNORECASE,
)


def del_av_diarienummer(q: str, prefix: str = "") -> tuple[Q, bool] | None:
    """The ärenden whose diarienummer ``q`` is a part of (their fields reached through
    ``prefix``, e.g. ``"arende__"`` from a handling), and whether ``q`` is only a number (then
    it may as well be a word). None when ``q`` is no part of a diarienummer."""
    match = _DEL_AV_NUMMER.match(q)
    if not match:
        return None
    villkor = Q(**{f"{prefix}lopnummer": int(match["nummer"])})
    andra, ar = match["andra"], match["ar"]
    if andra and not ar and len(andra) == 4 and int(andra) >= 1900:
        andra, ar = None, andra  # "787-2025": the year, not a delnummer
    if match["serie"]:
        villkor &= Q(**{f"{prefix}serie": match["serie"].upper()})
    if andra:
        villkor &= Q(**{f"{prefix}delnummer": int(andra)})
    if ar:
        villkor &= Q(**{f"{prefix}ar": int(ar)})
    bara_tal = not (match["serie"] or match["andra"] or match["ar"])
    return villkor, bara_tal


def sok(
    user,
    *,
    q: str = "",
    fran: datetime.date | None = None,
    till: datetime.date | None = None,
    urval=None,
):
    """The hits, newest first: a queryset, or on PostgreSQL for words a :class:`Traffar`
    (sliced and counted by :class:`arenden.gemensamt.sidor.Sida`). ``urval``, if given,
    narrows the visible ärenden first (a callable on the queryset: the list's filters)."""
    qs = worklist(user, ArendeArbetslista.ALLA_ARENDEN)
    if urval is not None:
        qs = urval(qs)
    if fran:
        qs = qs.filter(registrerat__gte=fran)
    if till:
        qs = qs.filter(registrerat__lte=till)
    nummer = _diarienummer(q) if q else None
    delvis = del_av_diarienummer(q) if q and not nummer else None
    if nummer:
        qs = qs.filter(
            serie=nummer.serie,
            ar=nummer.ar,
            lopnummer=nummer.nummer,
            delnummer=nummer.delnummer or 0,
        )
    elif delvis and not delvis[1]:
        qs = qs.filter(delvis[0])
    elif delvis:
        # a bare number: the ärenden with that löpnummer, and those where it is a word
        qs = qs.filter(delvis[0] | _ord(q, _behorig(user)))
    elif q and connection.vendor == "postgresql":
        if qs.query.is_empty():  # nothing visible: no search to make
            return qs.select_related("organ").order_by(*ORDNING)
        return Traffar(qs, q, _behorig(user))
    elif q:
        qs = qs.filter(_ord(q, _behorig(user)))
    return qs.select_related("organ").order_by(*ORDNING)


class Traffar:
    """The hits of a word search on PostgreSQL, among the visible ärenden ``synliga``, newest
    first. Sliced (``traffar[a:b]`` is a queryset of ärenden) and counted up to a ceiling
    (:meth:`antal`), which is all :class:`arenden.gemensamt.sidor.Sida` asks of it.

    The hits are of two kinds: the word is in the ärende (its full-text index, migration 0006)
    or in one of its handlingar. A slice that ends at ``k`` reads the ``k`` first hits of each
    kind and makes the page from those ids (the first ``k`` of a union are among the first
    ``k`` of each part); a count up to ``k`` takes any ``k`` of each part, in no order. Each
    part is then a query with a LIMIT, which the planner answers in the way that is cheap for
    that word: walk the registrerat index from the newest ärende and test each (a common word
    fills the page after a few thousand ärenden) or take the full-text index's hits and sort
    them (a rare word has few). Either way the cost follows the page and the rarity of the
    word, not the number of hits."""

    def __init__(self, synliga, q: str, behorig: Q | None = None):
        self._synliga = synliga
        self._q = q
        self._behorig = behorig

    def _delar(self, k: int, ordnade: bool):
        """The ids of the hits in the ärenden and in their handlingar, at most ``k`` of each
        (the first ``k`` when ``ordnade``): two querysets."""
        from django.contrib.postgres.search import SearchQuery, SearchVector

        fraga = SearchQuery(self._q, config="swedish", search_type="websearch")
        # the expressions are those of the full-text indexes (migration 0006)
        i_arende = self._synliga.annotate(
            dokument=SearchVector("arendemening", "offentlig_rubrik", config="swedish")
        ).filter(dokument=fraga)
        handlingar = Handling.objects.annotate(
            dokument=SearchVector(*HANDLINGENS_TEXT, config="swedish")
        ).filter(dokument=fraga)
        if self._behorig is not None:
            # a secret ärende is a hit by its offentlig rubrik only (few rows: the ärenden
            # the index already matched are filtered)
            i_arende = i_arende.annotate(
                rubrik=SearchVector("offentlig_rubrik", config="swedish")
            ).filter(Q(sekretess_lagrum="") | Q(rubrik=fraga) | self._behorig)
            handlingar = handlingar.filter(
                Q(sekretess_lagrum="", arende__sekretess_lagrum="")
                | Q(arende__in=Arende.objects.filter(self._behorig).values("pk"))
            )
        i_handling = self._synliga.filter(pk__in=handlingar.order_by().values("arende_id"))
        delar = []
        for del_ in (i_arende, i_handling):
            del_ = (del_.order_by(*ORDNING) if ordnade else del_.order_by()).values("pk")
            delar.append(del_[:k])
        return delar

    def _arenden(self, k: int):
        """The ärenden among the first ``k`` hits of each kind, in order."""
        i_arende, i_handling = self._delar(k, ordnade=True)
        ids = i_arende.union(i_handling, all=True)  # the IN removes the doubles
        return Arende.objects.filter(pk__in=ids).select_related("organ").order_by(*ORDNING)

    def __getitem__(self, k):
        """A page of hits: ``traffar[a:b]`` (what :class:`arenden.gemensamt.sidor.Sida` reads)."""
        if not isinstance(k, slice) or k.step is not None or k.stop is None:
            raise TypeError("Träffarna läses en sida i taget: traffar[början:slut].")
        if (k.start or 0) < 0 or k.stop < 0:
            raise ValueError("Negativa index stöds inte.")
        return self._arenden(k.stop)[k]

    def antal(self, hogst: int) -> int:
        """How many hits, counting at most ``hogst``: the ids alone, deduplicated."""
        i_arende, i_handling = self._delar(hogst, ordnade=False)
        return min(i_arende.union(i_handling).count(), hogst)


def _ord(q: str, behorig: Q | None = None) -> Q:
    """Each word in the ärendemening, the offentlig rubrik or a handling (not PostgreSQL);
    in secret text only where the user may read it (``behorig``, see :func:`_behorig`)."""
    villkor = Q()
    for word in q.split():
        i_handling = Handling.objects.filter(arende=OuterRef("pk")).filter(_i_handlingen(word))
        i_text = Q(arendemening__icontains=word) | Q(Exists(i_handling))
        if behorig is not None:
            oppna = i_handling.filter(sekretess_lagrum="")
            i_text = (
                (Q(arendemening__icontains=word) | Q(Exists(oppna))) & Q(sekretess_lagrum="")
            ) | (i_text & behorig)
        villkor &= i_text | Q(offentlig_rubrik__icontains=word)
    return villkor


def _i_handlingen(word: str, prefix: str = "") -> Q:
    return (
        Q(**{f"{prefix}titel__icontains": word})
        | Q(**{f"{prefix}beskrivning__icontains": word})
        | Q(**{f"{prefix}text__icontains": word})
    )


def sok_handlingar(
    user,
    *,
    q: str = "",
    fran: datetime.date | None = None,
    till: datetime.date | None = None,
):
    """The handlingar whose title, description or document text holds the words ``q``, in
    the ärenden the user may see, newest first (the registration dates filter their ärenden,
    as for the ärenden's hits). A secret handling, or one in a secret ärende, is a hit by its
    protected text only for who may read it; for anyone else only by its offentlig titel, so
    neither the hit nor the count tells that the word is in it (OSL 5 kap. 5 §). None when
    ``q`` is a diarienummer or no words."""
    delvis = del_av_diarienummer(q) if q else None
    if not q or _diarienummer(q) or (delvis and not delvis[1]):
        return None
    synliga = worklist(user, ArendeArbetslista.ALLA_ARENDEN)
    if fran:
        synliga = synliga.filter(registrerat__gte=fran)
    if till:
        synliga = synliga.filter(registrerat__lte=till)
    qs = Handling.objects.filter(arende__in=synliga.order_by().values("pk"))
    behorig = _behorig(user)
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVector

        fraga = SearchQuery(q, config="swedish", search_type="websearch")
        i_text = Q(dokument=fraga)
        qs = qs.annotate(dokument=SearchVector(*HANDLINGENS_TEXT, config="swedish"))
        if behorig is not None:
            qs = qs.annotate(offentlig=SearchVector("offentlig_titel", config="swedish"))
            i_offentlig = Q(offentlig=fraga)
    else:
        i_text, i_offentlig = Q(), Q()
        for word in q.split():
            i_text &= _i_handlingen(word)
            i_offentlig &= Q(offentlig_titel__icontains=word)
    if behorig is not None:
        oppen = Q(sekretess_lagrum="", arende__sekretess_lagrum="")
        las = Q(arende__in=Arende.objects.filter(behorig).order_by().values("pk"))
        i_text = (i_text & (oppen | las)) | (~oppen & i_offentlig & ~Q(offentlig_titel=""))
    return (
        qs.filter(i_text)
        .select_related("arende", "arende__organ")
        .defer("text")
        .order_by("-datum", "-pk")
    )
