"""The web tier (issue 18, item 4): gunicorn with the production settings, the roles logged in
over HTTP (with their one-time codes, RFC 6238) and a bounded mix of page reads and one
transition per ten reads, driven by concurrent clients (threads with ``http.client``).

The database is prepared first in a process of its own in development mode (``load_demo``
refuses production mode): the demo data, extra ärenden for realistic lists, a TOTP device for
each benchmark user, and the statement count of each page taken in-process with
``CaptureQueriesContext`` on the same pages. Then gunicorn serves that database with
``DJANGO_PRODUCTION=1``; nothing in the production settings is weakened except the SSL
redirect (there is no TLS proxy on 127.0.0.1), which the settings let an operator switch off.

``python -m tests.benchmark.webb prepare|verify ARGS_JSON OUT_PATH`` is the preparing (and the
final checking) process; :func:`run` is called by :mod:`tests.benchmark.runner`.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import io
import json
import os
import random
import re
import secrets
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from flows.namn import ArendeStatus, ArendeSteg
from tests.benchmark.common import percentile, say

#: the demo users the mix logs in as (with their demo password), and the admin
ROLES = ("handlaggare", "stabschef", "sekreterare", "registrator", "revisor", "admin")
#: the pages measured, with their Swedish titles (the order of the table)
PAGES = {
    "arbetslista": "arbetslistor",
    "mina_arenden": "Mina ärenden",
    "arende": "ärendesidan",
    "tidslinje": "tidslinjen",
    "sok": "sökning",
    "postlista": "postlistan",
    "granskningslogg": "granskningsloggen",
    "overgang": "övergång (formulärets POST)",
}
#: (role, worklist) for the worklist page
WORKLISTS = (
    ("stabschef", "att_tilldela"),
    ("sekreterare", "klara_for_beslut"),
    ("registrator", "alla_i_diariet"),
    ("handlaggare", "mina_arenden"),
)
SEARCHES = ("Mätärende", "vård", "Mätärende 12", "HSN")
#: the issue's targets
TARGET_P95_MS = 100.0
TEXT = "Mätärende webb"


# -- RFC 6238 -------------------------------------------------------------------------------


def totp(key_hex: str, at: float | None = None, step: int = 30) -> str:
    """The six-digit TOTP code (RFC 6238, HMAC-SHA1; truncation per RFC 4226 §5.3) of a
    django-otp device's hex key."""
    counter = int((time.time() if at is None else at) // step)
    mac = hmac.new(bytes.fromhex(key_hex), struct.pack(">Q", counter), hashlib.sha1).digest()
    start = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[start : start + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


# -- the preparing process (development settings, the prepared database) -----------------------


def _prepare(extra: int, assigned: int) -> dict:
    from django.contrib.auth.models import User
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from arenden.diarium.services import registrera_arende
    from arenden.models import Arende, Organ
    from arenden.organisation import roles
    from workflow.engine import do_transition
    from workflow.models import LocalRole

    say("webb: läser in demodata")
    call_command("load_demo", verbosity=0, stdout=io.StringIO())
    users = {u.username: u for u in User.objects.filter(username__in=ROLES)}
    organ = Organ.objects.get(kod="HSN")
    say(f"webb: registrerar {extra} extra ärenden, {assigned} av dem tilldelade")
    ids = [
        registrera_arende(
            organ=organ,
            arendemening=f"{TEXT} {i}",
            typ=Arende.Typ.INITIATIVARENDE,
            user=users["registrator"],
        ).pk
        for i in range(extra)
    ]
    to_assign = ids[: assigned + 1]  # one more: the in-process count of the transition
    ct = ContentType.objects.get_for_model(Arende)
    LocalRole.objects.bulk_create(
        LocalRole(
            content_type=ct,
            object_id=pk,
            role=roles.HANDLAGGARE,
            user=users["handlaggare"],
            granted_at=timezone.now(),
            granted_by=users["stabschef"],
        )
        for pk in to_assign
    )
    Arende.objects.filter(pk__in=to_assign).update(handlaggare=users["handlaggare"])
    for pk in to_assign:
        do_transition(Arende.objects.get(pk=pk), ArendeSteg.TILLDELA, users["stabschef"])
    keys = {}
    for name, user in users.items():
        device = TOTPDevice.objects.create(user=user, name="mätning", confirmed=True)
        keys[name] = device.key
    all_ids = list(Arende.objects.order_by("pk").values_list("pk", flat=True))
    if connection.vendor == "postgresql":
        # the planner's statistics, as autovacuum keeps them in a database in use
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    # the statement count of each page, in-process, on this database
    counted_pk, transition_pks = to_assign[0], to_assign[1:]
    queries = {}
    clients = {}
    for name, user in users.items():
        clients[name] = Client()
        clients[name].force_login(user)
    clients[None] = Client()
    for key, (who, method, path, data) in _one_of_each(counted_pk, ids[-1]).items():
        client = clients[who]
        if method == "POST":
            page = client.get(f"/arende/{counted_pk}/").content.decode()
            data = _transition_form(page, "paborja_beredning")
        with CaptureQueriesContext(connection) as captured:
            answer = client.post(path, data) if method == "POST" else client.get(path)
        if answer.status_code not in (200, 302):
            raise RuntimeError(f"{path} svarade {answer.status_code} vid frågeräkningen")
        queries[key] = len(captured.captured_queries)
    return {
        "keys": keys,
        "arenden": all_ids,
        "transitions": transition_pks,
        "queries": queries,
        "arenden_total": Arende.objects.count(),
    }


def _verify(pks: list[int]) -> dict:
    from arenden.models import Arende

    return {
        "under_beredning": Arende.objects.filter(
            pk__in=pks, state=ArendeStatus.UNDER_BEREDNING
        ).count()
    }


def _one_of_each(arende_pk: int, other_pk: int) -> dict:
    """(who, method, path, data) of one request per page, as the mix makes them."""
    return {
        "arbetslista": ("stabschef", "GET", "/arbetslista/att_tilldela/", None),
        "mina_arenden": ("handlaggare", "GET", "/mina-arenden/", None),
        "arende": ("stabschef", "GET", f"/arende/{other_pk}/", None),
        "tidslinje": ("revisor", "GET", f"/arende/{other_pk}/tidslinje/", None),
        "sok": ("registrator", "GET", "/sok/?" + urlencode({"q": SEARCHES[0]}), None),
        "postlista": (None, "GET", "/postlista/", None),
        "granskningslogg": ("revisor", "GET", "/granskning/", None),
        "overgang": ("handlaggare", "POST", f"/arende/{arende_pk}/overgang/", None),
    }


_FORM = re.compile(r"<form\b[^>]*>(.*?)</form>", re.S)
_INPUT = re.compile(r"<input\b[^>]*>")
_ATTR = re.compile(r'(\w[\w-]*)="([^"]*)"')


def _hidden(form_html: str) -> dict:
    fields = {}
    for tag in _INPUT.findall(form_html):
        attrs = dict(_ATTR.findall(tag))
        if attrs.get("type") == "hidden" and "name" in attrs:
            fields[attrs["name"]] = attrs.get("value", "")
    return fields


def _transition_form(page: str, transition: str) -> dict | None:
    """The hidden fields of the ärende page's form for ``transition`` (CSRF token included)."""
    for form in _FORM.findall(page):
        fields = _hidden(form)
        if fields.get("overgang") == transition:
            return fields
    return None


# -- the HTTP side -------------------------------------------------------------------------


class Session:
    """One client's cookies against the server; ``request`` never follows redirects."""

    def __init__(self, port: int, cookies: dict | None = None):
        self.port = port
        self.cookies = dict(cookies or {})
        self.conn: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, data: dict | None = None):
        headers = {"Host": "127.0.0.1"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                content = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # a kept-alive connection the server closed: one new connection, then give up
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
        for header in response.headers.get_all("Set-Cookie") or ():
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        if response.headers.get("Connection", "").lower() == "close":
            self.conn.close()
            self.conn = None
        return response.status, response.headers.get("Location", ""), content.decode("utf-8")


def _csrf(page: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if not found:
        raise RuntimeError("sidan saknar CSRF-token")
    return found.group(1)


def login(port: int, username: str, password: str, key_hex: str) -> dict:
    """Log in over HTTP as a user would: the login form, then (when asked) the code page.
    Returns the session's cookies."""
    s = Session(port)
    status, _loc, page = s.request("GET", "/konto/logga-in/")
    if status != 200:
        raise RuntimeError(f"inloggningssidan svarade {status}")
    form = {"username": username, "password": password, "csrfmiddlewaretoken": _csrf(page)}
    status, loc, _page = s.request("POST", "/konto/logga-in/", form)
    if status != 302:
        raise RuntimeError(f"inloggningen som {username} svarade {status}")
    status, loc, page = s.request("GET", "/")
    if status == 302 and "/konto/engangskod/" in loc:
        status, _l, page = s.request("GET", "/konto/engangskod/")
        fields = {**_hidden(page), "kod": totp(key_hex)}
        status, loc, _page = s.request("POST", "/konto/engangskod/", fields)
        if status != 302:
            raise RuntimeError(f"engångskoden för {username} godtogs inte ({status})")
        status, loc, page = s.request("GET", "/")
    if status != 200:
        raise RuntimeError(f"{username} når inte startsidan efter inloggningen ({status} {loc})")
    return s.cookies


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _subprocess(action: str, args: dict, env: dict, cwd: Path, verbose: bool) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as out:
        out_path = out.name
    try:
        done = subprocess.run(
            [sys.executable, "-m", "tests.benchmark.webb", action, json.dumps(args), out_path],
            cwd=cwd,
            env=env,
            stdout=None if verbose else subprocess.PIPE,
            stderr=None if verbose else subprocess.PIPE,
            text=True,
        )
        if done.returncode:
            detail = "" if verbose else f"\n{(done.stderr or '')[-3000:]}"
            raise RuntimeError(f"webbdelen ({action}) misslyckades{detail}")
        with open(out_path, encoding="utf-8") as result:
            return json.load(result)
    finally:
        os.unlink(out_path)


def _start_gunicorn(env: dict, cwd: Path, port: int, workers: int, threads: int, log: Path):
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
    command = [
        gunicorn,
        "config.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--worker-class",
        "gthread",
        "--keep-alive",
        "30",
        "--timeout",
        "120",
        "--error-logfile",
        str(log),
    ]
    server = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn avslutades (felkod {server.returncode}); se {log}")
        try:
            status, _l, _p = Session(port).request("GET", "/postlista/")
            if status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.3)
    server.terminate()
    raise RuntimeError("gunicorn svarade inte inom en minut")


def _jobs(prepared: dict, per_page: int, seed: int = 6) -> list[tuple]:
    """The bounded mix: ``per_page`` reads of each read page and one transition per ten
    reads, in a fixed shuffled order."""
    rng = random.Random(seed)
    pks = prepared["arenden"]
    reads = []
    for i in range(per_page):
        who, name = WORKLISTS[i % len(WORKLISTS)]
        reads.append(("arbetslista", who, f"/arbetslista/{name}/"))
        reads.append(("mina_arenden", "handlaggare", "/mina-arenden/"))
        reads.append(("arende", ("stabschef", "sekreterare")[i % 2], f"/arende/{rng.choice(pks)}/"))
        reads.append(("tidslinje", "revisor", f"/arende/{rng.choice(pks)}/tidslinje/"))
        query = urlencode({"q": SEARCHES[i % len(SEARCHES)]})
        reads.append(("sok", ("registrator", "stabschef")[i % 2], f"/sok/?{query}"))
        reads.append(("postlista", (None, "registrator")[i % 2], "/postlista/"))
        reads.append(("granskningslogg", ("revisor", "admin")[i % 2], "/granskning/"))
    transitions = len(reads) // 10
    if transitions > len(prepared["transitions"]):
        raise RuntimeError("för få tilldelade ärenden för övergångarna")
    jobs = reads + [("overgang", "handlaggare", pk) for pk in prepared["transitions"][:transitions]]
    rng.shuffle(jobs)
    return jobs


def _drive(port: int, sessions: dict, jobs: list[tuple], clients: int) -> tuple[dict, float]:
    times: dict[str, list[float]] = {key: [] for key in PAGES}
    errors: dict[str, list[str]] = {key: [] for key in PAGES}
    statuses: dict[str, set] = {key: set() for key in PAGES}
    lock = threading.Lock()
    queue = list(reversed(jobs))

    def record(key, seconds, status, ok, what):
        with lock:
            times[key].append(seconds)
            statuses[key].add(status)
            if not ok:
                errors[key].append(what)

    def client():
        own = {who: Session(port, cookies) for who, cookies in sessions.items()}
        while True:
            with lock:
                if not queue:
                    return
                key, who, target = queue.pop()
            s = own[who]
            try:
                if key == "overgang":
                    t0 = time.perf_counter()
                    status, _l, page = s.request("GET", f"/arende/{target}/")
                    record("arende", time.perf_counter() - t0, status, status == 200, target)
                    fields = _transition_form(page, "paborja_beredning")
                    if fields is None:
                        record("overgang", 0.0, 0, False, f"{target}: ingen knapp")
                        continue
                    t0 = time.perf_counter()
                    status, loc, _p = s.request("POST", f"/arende/{target}/overgang/", fields)
                    ok = status == 302 and loc.rstrip("/").endswith(f"/arende/{target}")
                    record("overgang", time.perf_counter() - t0, status, ok, f"{target}: {status}")
                else:
                    t0 = time.perf_counter()
                    status, loc, _p = s.request("GET", target)
                    record(
                        key, time.perf_counter() - t0, status, status == 200, f"{target}: {status}"
                    )
            except Exception as err:  # every failure of a request is an error in the figures
                record(key, 0.0, 0, False, f"{target}: {type(err).__name__}: {err}")

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    figures = {}
    for key, title in PAGES.items():
        measured = times[key]
        figures[key] = {
            "title": title,
            "requests": len(measured),
            "per_s": len(measured) / elapsed if elapsed else 0.0,
            "p50_ms": percentile(measured, 50) * 1000 if measured else None,
            "p95_ms": percentile(measured, 95) * 1000 if measured else None,
            "p99_ms": percentile(measured, 99) * 1000 if measured else None,
            "_mean_ms": sum(measured) / len(measured) * 1000 if measured else None,
            "errors": len(errors[key]),
            "error_examples": errors[key][:5],
            "statuses": sorted(statuses[key]),
        }
    return figures, elapsed


def run(
    database_url: str,
    vendor: str,
    *,
    per_page: int = 150,
    clients: int = 16,
    extra: int = 1000,
    workers: int = 3,
    threads: int = 4,
    verbose: bool = True,
) -> dict:
    """Prepare the database ``database_url`` names (empty, created by the caller), serve it
    with gunicorn in production mode, drive the mix and return the figures."""
    from django.conf import settings

    base = Path(settings.BASE_DIR)
    reads = per_page * (len(PAGES) - 1)
    assigned = reads // 10 + 1
    history_key = secrets.token_hex(32)
    log_dir = Path(tempfile.mkdtemp(prefix="arenden-webb-"))
    env = dict(os.environ)
    for name in ("DJANGO_PRODUCTION", "DJANGO_DEBUG", "DJANGO_SETTINGS_MODULE"):
        env.pop(name, None)
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="config.settings",
        WORKFLOW_HISTORY_KEY=history_key,
        WORKFLOW_HISTORY_KEY_ID="matning",
        # the signed checkpoints of this throwaway database stay with it, not in the project
        WORKFLOW_CHECKPOINT_DIR=str(log_dir / "kontrollpunkter"),
        PYTHONPATH=os.pathsep.join(filter(None, [str(base), env.get("PYTHONPATH")])),
    )
    try:
        return _measure(env, base, log_dir, extra, assigned, per_page, clients, workers, threads,
                        vendor, verbose)  # fmt: skip
    finally:
        shutil.rmtree(log_dir, ignore_errors=True)


def _measure(env, base, log_dir, extra, assigned, per_page, clients, workers, threads, vendor,
             verbose) -> dict:  # fmt: skip
    prepared = _subprocess(
        "prepare",
        {"extra": max(extra, assigned + 1), "assigned": assigned},
        {**env, "DJANGO_DEBUG": "0"},
        base,
        verbose,
    )
    production = {
        **env,
        "DJANGO_PRODUCTION": "1",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(48),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
    }
    port = _free_port()
    log = log_dir / "gunicorn.log"
    say(f"webb: gunicorn på 127.0.0.1:{port} ({workers} arbetare × {threads} trådar), {vendor}")
    server = _start_gunicorn(production, base, port, workers, threads, log)
    try:
        from arenden.demo import DEMO_PASSWORD

        sessions = {None: {}}
        for who in ROLES:
            sessions[who] = login(port, who, DEMO_PASSWORD, prepared["keys"][who])
        jobs = _jobs(prepared, per_page)
        load_before = os.getloadavg()[0]
        say(f"webb: {len(jobs)} förfrågningar med {clients} samtidiga klienter")
        pages, elapsed = _drive(port, sessions, jobs, clients)
        load_after = os.getloadavg()[0]
        # the same reads one at a time: the service time without queueing behind the others
        serial = [job for job in _jobs(prepared, min(per_page, 20), seed=7) if job[0] != "overgang"]
        say(f"webb: {len(serial)} läsningar med en klient")
        alone, _elapsed = _drive(port, sessions, serial, 1)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    done = [job[2] for job in jobs if job[0] == "overgang"]
    checked = _subprocess("verify", {"pks": done}, {**env, "DJANGO_DEBUG": "0"}, base, verbose)
    for key, figures in pages.items():
        figures["queries"] = prepared["queries"].get(key)
        figures["p50_ms_one_client"] = alone[key]["p50_ms"]
        figures["p95_ms_one_client"] = alone[key]["p95_ms"]
        figures["mean_ms"] = figures.pop("_mean_ms")
    total = sum(p["requests"] for p in pages.values())
    alone_errors = sum(p["errors"] for p in alone.values())
    return {
        "vendor": vendor,
        "server": f"gunicorn gthread, {workers} arbetare × {threads} trådar, produktionsläge",
        "clients": clients,
        "arenden": prepared["arenden_total"],
        "roles_logged_in": list(ROLES),
        "pages": pages,
        "total": {
            "requests": total,
            "seconds": elapsed,
            "per_s": total / elapsed if elapsed else 0.0,
            "errors": sum(p["errors"] for p in pages.values()) + alone_errors,
            "errors_one_client": alone_errors,
            "mean_ms": sum(p["mean_ms"] * p["requests"] for p in pages.values()) / total,
            "load_average": [round(load_before, 2), round(load_after, 2)],
            "transitions": len(done),
            "transitions_done": checked["under_beredning"],
        },
    }


def main(argv: list[str]) -> int:
    action, raw_args, out_path = argv
    args = json.loads(raw_args)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    if action == "prepare":
        from django.core.management import call_command

        say("webb: migrerar den förberedda databasen")
        call_command("migrate", verbosity=0, interactive=False)
        result = _prepare(**args)
    elif action == "verify":
        result = _verify(**args)
    else:
        raise SystemExit(f"okänd åtgärd: {action}")
    with open(out_path, "w", encoding="utf-8") as out:
        json.dump(result, out, ensure_ascii=False, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
