"""Reads of the read-only pages from a PostgreSQL streaming replica, when one is configured.

With ``DATABASE_REPLICA_URL`` set the settings add the database alias ``replica`` and this
router. A replica lags the primary by a little, so it is used only where that cannot mislead:

- only on the pages named in ``LASSIDOR`` (postlista, search, granskningslogg, timelines,
  anslagstavla), and only for a GET or HEAD;
- never for a session that wrote a moment ago: every request that is not GET/HEAD/OPTIONS, or
  that wrote, sets the cookie ``PINNAD_COOKIE`` for ``DATABASE_REPLICA_PIN_SECONDS`` seconds,
  and while it lives the session reads from the primary (its own writes are then visible);
- never after the request itself has written (a timeline that logs a sekretess access reads
  on from the primary), never inside a transaction, and never for a lock: ``select_for_update``
  and every write go to ``db_for_write``, the primary.

Without the variable there is no router and no second alias: one database, as before. The
middleware is always installed and costs a dictionary look-up.
"""

from __future__ import annotations

import contextvars
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLIKA = "replica"
PINNAD_COOKIE = "las_primar"

#: the pages whose reads may come from the replica: "namespace:url_name"
LASSIDOR = frozenset(
    {
        "arenden:postlista",
        "arenden:publikt_arende",
        "arenden:sok",
        "arenden:auditlogg",
        "arenden:tidslinje",
        "arenden:anslagstavla",
    }
)

SAKRA_METODER = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass
class Lasning:
    """What the current request may do: read from the replica, and whether it has written."""

    replika: bool = False
    skrivit: bool = False


_lasning: contextvars.ContextVar[Lasning | None] = contextvars.ContextVar(
    "replikalasning", default=None
)


def replika_konfigurerad() -> bool:
    return REPLIKA in settings.DATABASES


def pin_sekunder() -> int:
    return int(getattr(settings, "DATABASE_REPLICA_PIN_SECONDS", 5))


class Replikarouter:
    """Reads of the marked pages to the replica; everything else to the primary."""

    def db_for_read(self, model, **hints):
        lasning = _lasning.get()
        if lasning is None or not lasning.replika or lasning.skrivit:
            return DEFAULT_DB_ALIAS
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            # inside a transaction on the primary: read what that transaction sees
            return DEFAULT_DB_ALIAS
        return REPLIKA

    def db_for_write(self, model, **hints):
        lasning = _lasning.get()
        if lasning is not None:
            # from now on this request reads its own writes
            lasning.skrivit = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # the replica holds the same rows as the primary
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # a standby is read-only; it gets the schema by replication
        return db == DEFAULT_DB_ALIAS


class Replikalasning:
    """Marks the requests that may read from the replica and pins a writing session to the
    primary for a few seconds (see the module)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        lasning = Lasning()
        token = _lasning.set(lasning)
        try:
            response = self.get_response(request)
        finally:
            _lasning.reset(token)
        if request.method not in SAKRA_METODER or lasning.skrivit:
            response.set_cookie(
                PINNAD_COOKIE,
                str(int(time.time()) + pin_sekunder()),
                max_age=pin_sekunder(),
                httponly=True,
                samesite="Lax",
                secure=request.is_secure(),
            )
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        lasning = _lasning.get()
        if lasning is None or request.method not in {"GET", "HEAD"}:
            return None
        match = request.resolver_match
        if match is None or match.view_name not in LASSIDOR:
            return None
        if pinnad(request):
            return None
        lasning.replika = True
        return None


def pinnad(request) -> bool:
    """Did this session write less than DATABASE_REPLICA_PIN_SECONDS ago?"""
    try:
        till = int(request.COOKIES.get(PINNAD_COOKIE, "0"))
    except ValueError:
        # a cookie of any other shape: read from the primary, the safe side
        return True
    return till >= int(time.time())


def lasdatabas() -> str:
    """Where a read of the current request goes now (for tests and diagnostics)."""
    if not replika_konfigurerad():
        return DEFAULT_DB_ALIAS
    return Replikarouter().db_for_read(None)
