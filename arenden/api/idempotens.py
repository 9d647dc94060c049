"""``Idempotency-Key`` for the API's creating calls (registrera ett ärende, lägg in en
handling): an integration that sends the same call again, because the answer was lost on the
way or its job was restarted, gets the first answer again and nothing is created twice. The
key is required: without it a retried registration would be a second ärende in the diarium,
under a number of its own, and nothing could tell the two apart (the draft's 400).

The key is the caller's own (IETF draft "The Idempotency-Key HTTP Header Field"): any visible
ASCII text up to 255 characters, a UUID for instance, kept per account. The first call with a
key runs in one transaction with the row that records the key (:class:`ApiIdempotens`,
unique per account and key) and, when it succeeds, its answer. A repeat with the same key
waits at that row until the first call has committed (the database holds the second insert of
a unique key), and then:

- the same request (method, address and body) gets the first answer again, with the header
  ``Idempotent-Replayed: true``;
- another request is refused with 422: the key is already used.

A call that is refused (a 4xx with problem details) records nothing: the key may be sent again
with a corrected request. The forms' double-click key (``arenden.gemensamt.inskick``) is not reused:
it
is one key for all accounts and remembers only where the page led, not a request and its
answer."""

from __future__ import annotations

import functools
import hashlib
import json
import re

from django.db import IntegrityError, transaction
from django.http import QueryDict
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework.response import Response

from arenden.api.problem import Fel
from arenden.konto.integrationer import ApiIdempotens

HUVUD = "Idempotency-Key"
#: visible ASCII, as a header carries it without quoting
NYCKEL = re.compile(r"[\x21-\x7e]{1,255}")

PARAMETER = OpenApiParameter(
    HUVUD,
    str,
    OpenApiParameter.HEADER,
    pattern=r"^[\x21-\x7e]{1,255}$",
    required=True,
    description=(
        "Nyckel som gör anropet idempotent (t.ex. ett UUID; synliga ASCII-tecken, "
        "högst 255). Samma nyckel med samma begäran ger det första svaret igen (huvudet "
        "Idempotent-Replayed: true) och skapar inget mer; samma nyckel med en annan begäran "
        "nekas med 422. Nycklarna är ditt kontos egna. Ett anrop som nekas sparar ingen nyckel."
    ),
)


def _avtryck(request) -> str:
    """SHA-256 of the request as the caller meant it: method, address and body, a JSON body
    with its keys in order, a form's fields in order and each file by its content (a
    multipart body's boundary differs from one sending to the next)."""
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode())
    data = request.data
    if isinstance(data, QueryDict):
        for namn in sorted(data):
            for varde in data.getlist(namn):
                digest.update(f"{len(namn)}:{namn}=".encode())
                if hasattr(varde, "chunks"):
                    filinnehall = hashlib.sha256()
                    for bit in varde.chunks():
                        filinnehall.update(bit)
                    varde.seek(0)
                    digest.update(f"fil {varde.name}:{filinnehall.hexdigest()}\n".encode())
                else:
                    digest.update(f"{len(str(varde))}:{varde}\n".encode())
    else:
        digest.update(json.dumps(data, sort_keys=True, ensure_ascii=False, default=str).encode())
    return digest.hexdigest()


def idempotent(metod):
    """A creating ``post`` of an API view, made idempotent by the ``Idempotency-Key``."""

    @functools.wraps(metod)
    def wrapper(self, request, *args, **kwargs):
        nyckel = request.headers.get(HUVUD)
        if nyckel is None:
            raise Fel(
                400,
                "idempotensnyckel-saknas",
                _(
                    "Anropet skapar något och kräver huvudet Idempotency-Key: en ny nyckel för "
                    "varje ny begäran, till exempel ett UUID, och samma nyckel när du skickar "
                    "samma begäran igen. Då skapas inget två gånger."
                ),
                title=_("Idempotency-Key saknas"),
            )
        if not NYCKEL.fullmatch(nyckel):
            raise Fel(
                400,
                "idempotensnyckel",
                _(
                    "Huvudet Idempotency-Key ska vara 1–255 synliga ASCII-tecken, "
                    "till exempel ett UUID."
                ),
            )
        avtryck = _avtryck(request)
        with transaction.atomic():
            try:
                with transaction.atomic():
                    rad = ApiIdempotens.objects.create(
                        anvandare=request.user,
                        nyckel=nyckel,
                        begaran=avtryck,
                        metod=request.method,
                        adress=request.path[:500],
                        status=0,
                        svar={},
                    )
            except IntegrityError:
                return _igen(request, nyckel, avtryck)
            response = metod(self, request, *args, **kwargs)
            if 200 <= response.status_code < 300:
                rad.status, rad.svar = response.status_code, response.data
                rad.save(update_fields=["status", "svar"])
            else:
                transaction.set_rollback(True)
            return response

    #: read by tests/test_dubbelklick_inventering.py: this call is made once per key
    wrapper.idempotent = True
    return wrapper


def _igen(request, nyckel: str, avtryck: str) -> Response:
    """The answer to a key already used: the first answer, or 422 for another request."""
    tidigare = ApiIdempotens.objects.get(anvandare=request.user, nyckel=nyckel)
    if tidigare.begaran != avtryck:
        raise Fel(
            422,
            "idempotensnyckel-anvand",
            _(
                "Nyckeln i Idempotency-Key har redan använts för en annan begäran. Skicka en "
                "ny begäran med en ny nyckel."
            ),
            title=_("Nyckeln är redan använd"),
        )
    response = Response(tidigare.svar, status=tidigare.status)
    response["Idempotent-Replayed"] = "true"
    return response
