"""The read-replica router (config.dbrouter): which reads may go to the replica, on SQLite
without a replica; tests/test_skala.py proves it against a real streaming replica."""

import os
import subprocess
import sys
import time

from django.db import transaction
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import resolve

from arenden.models import Arende
from config import dbrouter

router = dbrouter.Replikarouter()


def kor(method, path, vy, cookies=None):
    """Run ``vy`` through the middleware for a request to ``path``; return its response."""
    rf = RequestFactory()
    request = rf.generic(method, path)
    request.COOKIES.update(cookies or {})
    request.resolver_match = resolve(path)

    def get_response(req):
        mw.process_view(req, vy, (), {})
        return vy(req)

    mw = dbrouter.Replikalasning(get_response)
    return mw(request)


def las(svar):
    def vy(request):
        svar.append(router.db_for_read(Arende))
        return HttpResponse("ok")

    return vy


def test_postlista_and_the_other_read_pages_read_from_the_replica():
    svar = []
    for path in ["/postlista/", "/anslagstavla/", "/sok/", "/granskning/", "/arende/1/tidslinje/"]:
        kor("GET", path, las(svar))
    assert svar == ["replica"] * 5


def test_other_pages_and_posts_read_from_the_primary_and_a_post_pins_the_session():
    svar = []
    kor("GET", "/", las(svar))
    svar_post = kor("POST", "/postlista/", las(svar))
    assert svar == ["default", "default"]
    assert dbrouter.PINNAD_COOKIE in svar_post.cookies
    assert svar_post.cookies[dbrouter.PINNAD_COOKIE]["max-age"] == 5


def test_a_pinned_session_reads_from_the_primary_until_the_pin_runs_out():
    svar = []
    nu = int(time.time())
    kor("GET", "/postlista/", las(svar), {dbrouter.PINNAD_COOKIE: str(nu + 5)})
    kor("GET", "/postlista/", las(svar), {dbrouter.PINNAD_COOKIE: "skräp"})
    kor("GET", "/postlista/", las(svar), {dbrouter.PINNAD_COOKIE: str(nu - 10)})
    assert svar == ["default", "default", "replica"]


def test_a_page_that_has_written_reads_its_own_write_and_pins_the_session():
    svar = []

    def vy(request):
        svar.append(router.db_for_read(Arende))
        svar.append(router.db_for_write(Arende))
        svar.append(router.db_for_read(Arende))
        return HttpResponse("ok")

    response = kor("GET", "/arende/1/tidslinje/", vy)
    assert svar == ["replica", "default", "default"]
    assert dbrouter.PINNAD_COOKIE in response.cookies


def test_reads_inside_a_transaction_and_locks_go_to_the_primary(db):
    svar = []

    def vy(request):
        with transaction.atomic():
            svar.append(router.db_for_read(Arende))
        return HttpResponse("ok")

    kor("GET", "/postlista/", vy)
    assert svar == ["default"]
    # select_for_update marks the queryset for writing: Django asks db_for_write
    assert Arende.objects.select_for_update()._for_write


def test_outside_a_request_everything_reads_from_the_primary_and_only_it_is_migrated():
    assert router.db_for_read(Arende) == "default"
    assert router.allow_migrate("default", "arenden")
    assert not router.allow_migrate("replica", "arenden")


def _installningar(env):
    kod = (
        "import config.settings as s; "
        "print(sorted(s.DATABASES), s.DATABASE_ROUTERS, s.DATABASES.get('replica', {}).get('PORT'))"
    )
    miljo = {k: v for k, v in os.environ.items() if k != "DATABASE_REPLICA_URL"} | env
    return subprocess.run(
        [sys.executable, "-c", kod], env=miljo, capture_output=True, text=True, check=True
    ).stdout.strip()


def test_the_replica_is_there_only_when_configured():
    assert _installningar({}) == "['default'] [] None"
    assert (
        _installningar({"DATABASE_REPLICA_URL": "postgres://postgres@127.0.0.1:5433/arenden_skala"})
        == "['default', 'replica'] ['config.dbrouter.Replikarouter'] 5433"
    )
