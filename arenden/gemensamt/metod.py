"""A page's address that only takes a form (``require_POST``: a step on the ärende, taking a
task, logging out) answers any other method with 405 and an empty body, a blank page in the
browser. A user reaches one by reloading, from a bookmark, or sent back to it after logging
in again: they are told in Swedish that the address cannot be opened directly, and shown the
way back. The status and its ``Allow`` stay. The API (``api:``) answers in problem details
of its own (``arenden.api.problem``) and is left alone."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme


def _tom(response) -> bool:
    return not response.streaming and not response.content


def _api(request) -> bool:
    match = getattr(request, "resolver_match", None)
    return match is not None and "api" in match.namespaces


def _inloggningssidor() -> set[str]:
    """The pages that send the user on to ``next``: going back to one would only lead here
    again."""
    sidor = set()
    for namn in ("login", "totp_kod"):
        try:
            sidor.add(reverse(namn))
        except NoReverseMatch:
            pass
    return sidor


def tillbaka(request) -> str | None:
    """The page the user came from, when it is a page of this site (a browser's Referer is
    a whole address, with this host) other than this address or a login page; else None
    (the page then leads to the start page only)."""
    referer = request.headers.get("referer", "")
    delar = urlsplit(referer)
    if delar.netloc and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        if delar.path and delar.path != request.path and delar.path not in _inloggningssidor():
            return referer
    return None


class MetodSida:
    """A 405 with an empty body, on a page of the site: the Swedish page
    ``arenden/fel405.html`` in the same response (its status, ``Allow`` and cookies kept)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 405 or not _tom(response) or _api(request):
            return response
        response.content = render_to_string(
            "arenden/fel405.html", {"tillbaka": tillbaka(request)}, request=request
        )
        response["Content-Type"] = "text/html; charset=utf-8"
        return response
