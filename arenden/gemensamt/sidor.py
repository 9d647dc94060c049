"""Paging for lists that grow with the whole diarium (the postlista, search hits): one page
is read, plus one row to know whether there is a next, and the hits are counted only up to a
ceiling. Django's Paginator counts every row, which at a million ärenden costs more than the
page itself."""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.http import Http404, HttpResponseBadRequest, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control

#: rows on one page of every list, on the web pages and in the API: one number, so that the
#: lists page alike and a change is made once
PER_SIDA = 25
#: hits are counted up to this many; beyond it the page says "fler än"
TAK = 1000
#: the highest page number asked for (beyond it the offset would overflow the database)
SISTA = 100_000


def sida_av(qs, nummer, per_sida: int) -> Page:
    """Django's page ``nummer`` of ``qs``, with its count of pages, for a list that seldom
    fills more than a page (a worklist). The first page is read with one row more; when the
    whole list is on it, the rows are the count, and the list is read once instead of twice
    (a counting query costs as much as the page: the same rows are found either way)."""
    paginator = Paginator(qs, per_sida)
    rader = None
    if str(nummer or 1).strip() == "1":
        rader = list(qs[: per_sida + 1])
        if len(rader) <= per_sida:
            paginator.count = len(rader)
    sida = paginator.get_page(nummer)
    if rader is not None and sida.number == 1:
        sida.object_list = rader[:per_sida]
    return sida


def _antal(qs, hogst: int) -> int:
    """How many rows ``qs`` has, counting at most ``hogst``. Which rows are counted does not
    matter, only how many: in no order, so that the database may stop at ``hogst`` instead of
    sorting every row first. A list that knows a cheaper way (``antal``) is asked for it."""
    antal = getattr(qs, "antal", None)
    if antal is not None:
        return antal(hogst)
    return qs.order_by()[:hogst].count()


def sidnummer(nummer) -> int:
    """The page asked for, as a number from 1 to :data:`SISTA` (anything else is page 1)."""
    try:
        return min(max(1, int(nummer or 1)), SISTA)
    except (TypeError, ValueError):
        return 1


def radtak(nummer, per_sida: int) -> int:
    """How many rows, from the top, page ``nummer`` and the look-ahead row need: what each
    part of a union must give at most (:class:`Sida` reads its page and one row more)."""
    return sidnummer(nummer) * per_sida + 1


class Sida:
    """A page of ``qs``: ``object_list``, ``number``, ``has_next`` … as Django's Page, and
    ``antal`` (at most ``TAK + 1``: ``fler_an_tak`` then says the count stopped there)."""

    paginator = None

    def __init__(self, qs, nummer, per_sida: int, *, rakna: bool = False):
        self.number = sidnummer(nummer)
        start = (self.number - 1) * per_sida
        rader = list(qs[start : start + per_sida + 1])
        self.object_list = rader[:per_sida]
        self._fler = len(rader) > per_sida
        self.antal = _antal(qs, TAK + 1) if rakna else None
        self.fler_an_tak = self.antal is not None and self.antal > TAK

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)

    def has_next(self) -> bool:
        return self._fler

    def has_previous(self) -> bool:
        return self.number > 1

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


class IngenLagring:
    """Every page and file shown to a logged-in user is sent ``Cache-Control: no-store``:
    it may hold secret content, which no browser or proxy cache is to keep."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, no_store=True, private=True)
        return response


#: every page's Content-Security-Policy: only this site's own files, no inline script, no
#: framing; the pages need nothing else (axe-core in the browser tests checks them as served)
INNEHALLSPOLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class Innehallspolicy:
    """Sends :data:`INNEHALLSPOLICY` with every response that has none of its own."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", INNEHALLSPOLICY)
        return response


class NollteckenIAdressen:
    """An address with a NUL in its path leads nowhere: 404 in Swedish, before a view puts
    the segment into a query (PostgreSQL refuses NUL in text and would make it a 500)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path:
            raise Http404("nolltecken i adressen")
        return self.get_response(request)


def nekad(request, exception=None):
    """403 in Swedish, with the reason when there is one, and a way back."""
    skal = str(exception) if exception is not None else ""
    return render(request, "arenden/fel403.html", {"exception": skal}, status=403)


def saknas(request, exception=None):
    """404 in Swedish (the reason is internal and not shown)."""
    return render(request, "arenden/fel404.html", status=404)


#: what a refused request is told, on a page and in the API alike
FELAKTIG_BEGARAN = (
    "Förfrågan kunde inte tas emot: den hade fler fält eller mer innehåll än systemet tar "
    "emot, eller gick till en adress som inte hör till webbplatsen. Ingenting har ändrats."
)


def felaktig(request, exception=None):
    """400 in Swedish: what Django refuses before any view sees it (more fields than
    ``DATA_UPLOAD_MAX_NUMBER_FIELDS``, a body past ``DATA_UPLOAD_MAX_MEMORY_SIZE``, a host
    not in ``ALLOWED_HOSTS``). Without this, viewflow's English 400 page answered. Under
    api/ the answer is problem details, as every other refusal of the API."""
    if request.path_info.startswith("/api/"):
        body = {"type": "about:blank", "title": "Felaktig begäran", "status": 400}
        body["detail"] = FELAKTIG_BEGARAN
        return JsonResponse(body, status=400, content_type="application/problem+json")
    try:
        return render(request, "arenden/fel400.html", {"meddelande": FELAKTIG_BEGARAN}, status=400)
    except Exception:  # noqa: BLE001 - the host or the body was refused: the page may not render
        return HttpResponseBadRequest(FELAKTIG_BEGARAN, content_type="text/plain; charset=utf-8")


def formularet_gammalt(request, reason=""):
    """``CSRF_FAILURE_VIEW``: a form without a valid CSRF token (opened before a new login,
    in another tab or long ago) is refused with a 403 in Swedish and a way back, not
    Django's page about cookies."""
    return render(request, "arenden/fel403_formular.html", status=403)


def fel(request):
    """500 in Swedish; it promises nothing it does not do."""
    try:
        return HttpResponseServerError(render_to_string("arenden/fel500.html", request=request))
    except Exception:  # noqa: BLE001 - the page of last resort must not fail in turn
        return HttpResponseServerError(
            "Något gick fel och ingenting sparades av den åtgärden. Försök igen.",
            content_type="text/plain; charset=utf-8",
        )
