"""Search among the ärenden a user may see, by diarienummer, words and registration dates.

On PostgreSQL the words are matched by full-text search with the Swedish configuration
(stemming: "vården" finds "vård") over the ärendemening, the offentlig rubrik and the titles
of the handlingar; elsewhere each word must occur in one of them."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Exists, OuterRef, Q

from workflow.engine import worklist

from .diarienummer import Diarienummer
from .models import Arende, Handling


def _diarienummer(q: str) -> Diarienummer | None:
    try:
        return Diarienummer.parse(q)
    except ValidationError:
        return None


def sok(
    user,
    *,
    q: str = "",
    fran: datetime.date | None = None,
    till: datetime.date | None = None,
):
    qs = worklist(user, "alla_arenden").select_related("organ")
    if fran:
        qs = qs.filter(registrerat__gte=fran)
    if till:
        qs = qs.filter(registrerat__lte=till)
    nummer = _diarienummer(q) if q else None
    if nummer:
        qs = qs.filter(
            serie=nummer.serie,
            ar=nummer.ar,
            lopnummer=nummer.nummer,
            delnummer=nummer.delnummer or 0,
        )
    elif q:
        qs = qs.filter(_ord(q))
    return qs.order_by("-registrerat", "-pk")


def _ord(q: str) -> Q:
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVector

        # the hits in ärenden and in handlingar as one UNION of ids, each part answered by its
        # own full-text index (migration 0006), not an OR the planner can only scan for
        fraga = SearchQuery(q, config="swedish", search_type="websearch")
        i_arende = (
            Arende.objects.annotate(
                dokument=SearchVector("arendemening", "offentlig_rubrik", config="swedish")
            )
            .filter(dokument=fraga)
            .order_by()
            .values("pk")
        )
        i_handling = (
            Handling.objects.annotate(
                dokument=SearchVector("titel", "beskrivning", config="swedish")
            )
            .filter(dokument=fraga)
            .order_by()
            .values("arende_id")
        )
        return Q(pk__in=i_arende.union(i_handling, all=True))
    villkor = Q()
    for word in q.split():
        i_handling = Handling.objects.filter(arende=OuterRef("pk")).filter(
            Q(titel__icontains=word) | Q(beskrivning__icontains=word)
        )
        villkor &= (
            Q(arendemening__icontains=word)
            | Q(offentlig_rubrik__icontains=word)
            | Q(Exists(i_handling))
        )
    return villkor
