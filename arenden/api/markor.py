"""Pagination by cursor (the diarium is millions of rows): the next page starts after the
last row of this one, found through the index the list is ordered by (registrerat, id for
ärenden; datum, id for sammanträden), so page 10 000 costs what page 1 costs and a row
registered meanwhile neither repeats nor skips one. The cursor is opaque to the client.

A word search on PostgreSQL (:class:`arenden.diarium.sokning.Traffar`) is not a queryset; its hits
are
paged by position in the cursor, which is what the search page does."""

from __future__ import annotations

import base64
import datetime
import json

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from arenden.api.problem import Fel
from arenden.gemensamt.forms import STORSTA_TAL
from arenden.gemensamt.sidor import PER_SIDA, SISTA
from arenden.gemensamt.tal import heltal

PARAM = "markor"
ANTAL = "antal"
HOGST = 100


def _koda(varde: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(varde).encode()).decode().rstrip("=")


def _avkoda(text: str) -> dict:
    try:
        varde = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except (ValueError, TypeError) as err:
        raise Fel(400, "ogiltig-markor", _("Markören är inte en som API:t gett.")) from err
    if not isinstance(varde, dict):
        raise Fel(400, "ogiltig-markor", _("Markören är inte en som API:t gett."))
    return varde


def antal(request) -> int:
    text = request.query_params.get(ANTAL, "")
    if not text:
        return PER_SIDA
    tal = heltal(text)  # ASCII digits only: "²" or "٣" is no count
    if tal is None or not 1 <= tal <= HOGST:
        raise Fel(400, "ogiltig", _("antal ska vara ett heltal från 1 till %(n)d.") % {"n": HOGST})
    return tal


def sida(request, qs, falt: str) -> tuple[list, str | None]:
    """The page after the request's cursor of ``qs`` (ordered by ``-falt, -pk``), and the URL
    of the next page (None on the last)."""
    n = antal(request)
    text = request.query_params.get(PARAM, "")
    markor = _avkoda(text) if text else {}
    if not isinstance(qs, QuerySet):
        # a list that is sliced, not filtered (Traffar): by position
        start = markor.get("o", 0)
        if not isinstance(start, int) or not 0 <= start <= SISTA * PER_SIDA:
            raise Fel(400, "ogiltig-markor", _("Markören är inte en som API:t gett."))
        rader = list(qs[start : start + n + 1])
        nasta = {"o": start + n} if len(rader) > n else None
    else:
        if markor:
            try:
                varde = datetime.date.fromisoformat(markor["v"])
                pk = markor["pk"]
            except (KeyError, TypeError, ValueError) as err:
                raise Fel(400, "ogiltig-markor", _("Markören är inte en som API:t gett.")) from err
            # the API writes the row's id as a JSON number: a text, a fraction or true is
            # no cursor it gave
            if type(pk) is not int or not 0 <= pk <= STORSTA_TAL:
                raise Fel(400, "ogiltig-markor", _("Markören är inte en som API:t gett."))
            qs = qs.filter(Q(**{f"{falt}__lt": varde}) | Q(**{falt: varde, "pk__lt": pk}))
        rader = list(qs.order_by(f"-{falt}", "-pk")[: n + 1])
        nasta = None
        if len(rader) > n:
            sista = rader[n - 1]
            nasta = {"v": getattr(sista, falt).isoformat(), "pk": sista.pk}
    url = None
    if nasta is not None:
        url = replace_query_param(request.build_absolute_uri(), PARAM, _koda(nasta))
    return rader[:n], url


def svar(data: list, nasta: str | None) -> Response:
    return Response({"nasta": nasta, "resultat": data})


_SIDSCHEMAN: dict = {}


def sidschema(serializer) -> serializers.Serializer:
    """The schema of a page of ``serializer`` (one class per serializer)."""
    if serializer in _SIDSCHEMAN:
        return _SIDSCHEMAN[serializer]
    _SIDSCHEMAN[serializer] = type(
        f"Sida{serializer.__name__.removesuffix('Serializer')}",
        (serializers.Serializer,),
        {
            "nasta": serializers.CharField(
                allow_null=True, help_text="Adressen till nästa sida; null på den sista."
            ),
            "resultat": serializer(many=True),
        },
    )
    return _SIDSCHEMAN[serializer]
