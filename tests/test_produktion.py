"""Production mode (``DJANGO_PRODUCTION=1``) as a municipality runs it: Django's deployment
check finds nothing, and the answers carry the security headers. Each test runs the project
in a process of its own with production settings, on a database file of its own, and reads
real responses: the whole middleware chain, cookies and headers as a browser gets them."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HOST = "arenden.example.se"

#: what the process below prints: the status, headers and cookies of each answer
SKRIPT = r"""
import json
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from arenden.models import Handling
from arenden.diarium.services import lagg_till_handling
from arenden.handlaggning.services import tilldela
from workflow.engine import do_transition
from tests import factories

cast = factories.Cast()
arende = cast.registrera("Ett ärende med en bilaga")
tilldela(arende, handlaggare=cast.handlaggare, user=cast.stabschef)
do_transition(arende, "paborja_beredning", cast.handlaggare)
handling = lagg_till_handling(
    arende, user=cast.handlaggare, typ=Handling.Typ.BILAGA,
    riktning=Handling.Riktning.UPPRATTAD, titel="Underlag",
    fil=SimpleUploadedFile("underlag.pdf", b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"),
)

ut = {}
def spara(namn, svar):
    ut[namn] = {
        "status": svar.status_code,
        "headers": {k.lower(): v for k, v in svar.headers.items()},
        "cookies": {
            k: {"secure": bool(v["secure"]), "httponly": bool(v["httponly"]),
                "samesite": v["samesite"]}
            for k, v in svar.cookies.items()
        },
    }

klient = Client(HTTP_HOST="%(host)s")
spara("http", klient.get("/postlista/"))
spara("postlista", klient.get("/postlista/", secure=True))
spara("inloggningssida", klient.get("/konto/logga-in/", secure=True))
spara("inloggning", klient.post(
    "/konto/logga-in/",
    {"username": cast.handlaggare.username, "password": "lösenord-123"},
    secure=True,
))
spara("arende", klient.get(f"/arende/{arende.pk}/", secure=True))
spara("fil", klient.get(f"/handling/{handling.pk}/fil/", secure=True))

stabschef = Client(HTTP_HOST="%(host)s")
stabschef.post(
    "/konto/logga-in/",
    {"username": cast.stabschef.username, "password": "lösenord-123"},
    secure=True,
)
spara("stabschef", stabschef.get("/", secure=True))
print("SVAR" + json.dumps(ut))
""".replace("%(host)s", HOST)


def miljo(tmp: Path) -> dict:
    env = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        DJANGO_PRODUCTION="1",
        DJANGO_SECRET_KEY="p" * 8 + "ett-långt-och-slumpmässigt-värde-som-bara-gäller-testet-4711",
        DJANGO_ALLOWED_HOSTS=HOST,
        DATABASE_URL=f"sqlite:///{tmp / 'produktion.sqlite3'}",
        DJANGO_MEDIA_ROOT=str(tmp / "media"),
    )
    return env


def manage(env, *args):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_check_deploy_is_clean_in_production_mode(tmp_path):
    result = manage(miljo(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.fixture(scope="module")
def svar(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("produktion")
    env = miljo(tmp)
    migrerad = manage(env, "migrate", "--noinput")
    assert migrerad.returncode == 0, migrerad.stderr
    result = manage(env, "shell", "--no-imports", "-c", SKRIPT)
    assert result.returncode == 0, result.stdout + result.stderr
    rad = next(r for r in result.stdout.splitlines() if r.startswith("SVAR"))
    return json.loads(rad.removeprefix("SVAR"))


def test_plain_http_is_sent_to_https(svar):
    assert svar["http"]["status"] == 301
    assert svar["http"]["headers"]["location"] == f"https://{HOST}/postlista/"


@pytest.mark.parametrize("sida", ["postlista", "inloggningssida", "arende", "fil"])
def test_every_answer_carries_the_security_headers(svar, sida):
    headers = svar[sida]["headers"]
    assert svar[sida]["status"] == 200, svar[sida]
    assert headers["strict-transport-security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["cross-origin-opener-policy"] == "same-origin"
    policy = dict(
        (del_.split(" ", 1) + [""])[:2] for del_ in headers["content-security-policy"].split("; ")
    )
    assert policy["script-src"] == "'self'"
    assert "unsafe-inline" not in headers["content-security-policy"]
    assert policy["frame-ancestors"] == "'none'"
    assert policy["object-src"] == "'none'"


@pytest.mark.parametrize("sida", ["arende", "fil"])
def test_what_a_logged_in_user_sees_is_never_stored(svar, sida):
    """Pages and files that may hold secret content (OSL) are kept by no cache."""
    cache = svar[sida]["headers"]["cache-control"]
    assert "no-store" in cache and "private" in cache
    if sida == "fil":
        assert svar[sida]["headers"]["content-type"] == "application/pdf"
        assert svar[sida]["headers"]["content-disposition"].startswith("attachment")


def test_the_public_list_may_be_cached(svar):
    assert "no-store" not in svar["postlista"]["headers"].get("cache-control", "")


def test_cookies_are_sent_over_https_only(svar):
    cookies = svar["inloggning"]["cookies"]
    assert svar["inloggning"]["status"] == 302
    assert cookies["sessionid"] == {"secure": True, "httponly": True, "samesite": "Lax"}
    assert cookies["csrftoken"]["secure"] is True
    assert svar["inloggningssida"]["cookies"]["csrftoken"]["secure"] is True


def test_a_stabschef_is_asked_to_enrol_a_second_factor_in_production(svar):
    stabschef = svar["stabschef"]
    assert stabschef["status"] == 302
    assert stabschef["headers"]["location"].startswith("/konto/tvastegsverifiering/")


@pytest.mark.django_db
def test_a_session_left_alone_for_half_an_hour_ends(client, monkeypatch):
    """A screen left open does not stay logged in for the rest of the working day: after 30
    minutes without a request the next one is sent to the login page, with a word on why."""
    import time as tid

    from django.contrib.auth.models import User

    user = User.objects.create_user("inaktiv", password="lösenord-123456")
    client.force_login(user)
    nu = tid.time()
    monkeypatch.setattr(tid, "time", lambda: nu)
    assert client.get("/").status_code == 200
    monkeypatch.setattr(tid, "time", lambda: nu + 29 * 60)
    assert client.get("/").status_code == 200  # active again: the clock starts over
    monkeypatch.setattr(tid, "time", lambda: nu + 29 * 60 + 31 * 60)
    svar = client.get("/mina-arenden/")
    assert svar.status_code == 302 and svar["Location"].startswith("/konto/logga-in/")
    assert "next=/mina-arenden/" in svar["Location"]
    sida = client.get(svar["Location"]).content.decode()
    assert "utan aktivitet" in sida
    assert client.get("/").status_code == 302  # logged out
