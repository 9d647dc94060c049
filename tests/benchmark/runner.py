"""Runs the parts of the benchmark, each in its own process on its own throwaway database."""

from __future__ import annotations

import datetime
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import dj_database_url
from django.conf import settings

from tests.benchmark.common import say

DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/arenden_bench"


@dataclass
class Options:
    quick: bool = False
    transitions: int = 300
    scales: list[int] = field(default_factory=lambda: [100_000, 1_000_000])
    repeat: int = 50
    skip_scale: bool = False
    skip_concurrency: bool = False
    sqlite_only: bool = False
    pg_url: str = DEFAULT_PG_URL
    keep_db: bool = False
    verbose: bool = True
    #: the web tier (tests/benchmark/webb.py): skipped in --quick, alone with --webb
    webb: bool = True
    webb_only: bool = False
    webb_per_page: int = 150
    webb_clients: int = 16
    webb_extra: int = 1000
    #: the interpreter that has the ``peer`` extra (DCWorkflow, ZODB); this one by default
    peer_python: str = ""


class Skipped(Exception):
    pass


def _worker(phase: str, args: dict, database_url: str, verbose: bool) -> dict:
    """Run one phase in a fresh process with ``DATABASE_URL`` set; return its figures."""
    base = Path(settings.BASE_DIR)
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        DJANGO_DEBUG="0",  # no query log: it would cost time and memory in every query
        DJANGO_SETTINGS_MODULE=settings.SETTINGS_MODULE,
        PYTHONPATH=os.pathsep.join(filter(None, [str(base), env.get("PYTHONPATH")])),
    )
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as out:
        out_path = out.name
    try:
        done = subprocess.run(
            [sys.executable, "-m", "tests.benchmark.worker", phase, json.dumps(args), out_path],
            cwd=base,
            env=env,
            stdout=None if verbose else subprocess.PIPE,
            stderr=None if verbose else subprocess.PIPE,
            text=True,
        )
        if done.returncode:
            detail = "" if verbose else f"\n{done.stderr[-3000:]}"
            raise RuntimeError(f"delen {phase} misslyckades (felkod {done.returncode}){detail}")
        with open(out_path, encoding="utf-8") as result:
            return json.load(result)
    finally:
        os.unlink(out_path)


# -- PostgreSQL databases -------------------------------------------------------------------


def _admin(pg_url: str):
    import psycopg

    cfg = dj_database_url.parse(pg_url)
    return psycopg.connect(
        host=cfg["HOST"] or "127.0.0.1",
        port=cfg["PORT"] or 5432,
        user=cfg["USER"] or "postgres",
        password=cfg["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
        connect_timeout=5,
    )


def _db_url(pg_url: str, name: str) -> str:
    base, _slash, _old = pg_url.rpartition("/")
    return f"{base}/{name}"


def _db_name(pg_url: str, suffix: str = "") -> str:
    return dj_database_url.parse(pg_url)["NAME"] + suffix


def _exists(pg_url: str, name: str) -> bool:
    with _admin(pg_url) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()


def _recreate(pg_url: str, name: str) -> str:
    from psycopg import sql

    with _admin(pg_url) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return _db_url(pg_url, name)


def _drop(pg_url: str, name: str) -> None:
    from psycopg import sql

    with _admin(pg_url) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def pg_reachable(pg_url: str) -> str | None:
    """None when PostgreSQL answers, else why not."""
    try:
        with _admin(pg_url) as conn:
            conn.execute("SELECT 1")
    except Exception as err:  # any failure to connect means: measure without PostgreSQL
        return str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    return None


def _server_version(pg_url: str) -> str:
    with _admin(pg_url) as conn:
        return conn.execute("SHOW server_version").fetchone()[0]


# -- the run --------------------------------------------------------------------------------


def run(options: Options) -> dict:
    results: dict = {
        "meta": {
            "started": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
            "quick": options.quick,
            "python": platform.python_version(),
            "machine": f"{platform.machine()}, {os.cpu_count()} kärnor",
            "options": {k: v for k, v in vars(options).items() if k != "verbose"},
        },
        "transitions": {},
        "concurrency": None,
        "scale": {},
        "webb": {},
        "notes": [],
    }
    verbose = options.verbose
    if options.webb_only:
        return _run_webb(options, results)
    if not options.webb:
        results["notes"].append("Webbnivån mättes inte (--quick eller --skip-webb).")
    tmp = Path(tempfile.mkdtemp(prefix="arenden-benchmark-"))
    try:
        say(f"övergångar på SQLite (fil i {tmp})")
        results["transitions"]["sqlite"] = _worker(
            "transitions",
            {"n": options.transitions},
            f"sqlite:///{tmp / 'overgangar.sqlite3'}",
            verbose,
        )
        results["peer"] = _peer(options, results)
        if options.quick and not options.skip_scale:
            for n in options.scales:
                say(f"skala {n} på SQLite")
                results["scale"][str(n)] = _worker(
                    "scale",
                    {
                        "n": n,
                        "repeat": options.repeat,
                    },
                    f"sqlite:///{tmp / f'skala-{n}.sqlite3'}",
                    verbose,
                )
        if options.webb:
            results["webb"]["sqlite"] = _webb(
                options, f"sqlite:///{tmp / 'webb.sqlite3'}", "sqlite"
            )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    if options.sqlite_only:
        results["notes"].append("PostgreSQL mättes inte (--sqlite-only eller --quick).")
        return results
    why = pg_reachable(options.pg_url)
    if why:
        results["notes"].append(f"PostgreSQL nås inte ({why}); de delarna hoppades över.")
        return results
    results["meta"]["postgresql"] = _server_version(options.pg_url)

    name = _db_name(options.pg_url)
    try:
        say(f"övergångar på PostgreSQL ({name})")
        url = _recreate(options.pg_url, name)
        results["transitions"]["postgresql"] = _worker(
            "transitions", {"n": options.transitions}, url, verbose
        )
        if not options.skip_concurrency:
            url = _recreate(options.pg_url, name)
            results["concurrency"] = _worker("concurrency", {}, url, verbose)
    finally:
        _drop(options.pg_url, name)
    if options.webb:
        _webb_postgresql(options, results)

    if not options.skip_scale:
        for n in options.scales:
            scale_name = _db_name(options.pg_url, f"_{n}")
            reuse = options.keep_db and _exists(options.pg_url, scale_name)
            url = (
                _db_url(options.pg_url, scale_name)
                if reuse
                else _recreate(options.pg_url, scale_name)
            )
            try:
                results["scale"][str(n)] = _worker(
                    "scale",
                    {
                        "n": n,
                        "repeat": options.repeat,
                        "reuse": reuse,
                    },
                    url,
                    verbose,
                )
            finally:
                if not options.keep_db:
                    _drop(options.pg_url, scale_name)
    return results


# -- the peer: DCWorkflow on ZODB (tests/benchmark/peer.py) ---------------------------------

PEER_MISSING = (
    "DCWorkflow mättes inte: extrat peer (Products.CMFCore, Products.DCWorkflow, ZODB) är inte "
    "installerat; installera med pip install -e '.[peer]' eller ange --peer-python. "
    "/ DCWorkflow skipped: the peer extra is not installed."
)


def _peer(options: Options, results: dict) -> dict | None:
    """The same lifecycle on DCWorkflow with ZODB FileStorage, in a process of its own with
    the interpreter that has the extra; None (and a note) when none has it."""
    python = options.peer_python or os.environ.get("BENCHMARK_PEER_PYTHON") or sys.executable
    script = Path(__file__).with_name("peer.py")
    probe = subprocess.run(
        [python, "-c", "import Products.CMFCore, Products.DCWorkflow, ZODB"],
        capture_output=True,
    )
    if probe.returncode:
        results["notes"].append(PEER_MISSING)
        return None
    say(f"DCWorkflow på ZODB FileStorage ({python})")
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as out:
        out_path = out.name
    try:
        done = subprocess.run(
            [python, str(script), json.dumps({"n": options.transitions, "writers": 8}), out_path],
            capture_output=not options.verbose,
            text=True,
        )
        if done.returncode:
            detail = "" if options.verbose else f"\n{(done.stderr or '')[-3000:]}"
            raise RuntimeError(f"DCWorkflow-delen misslyckades (felkod {done.returncode}){detail}")
        with open(out_path, encoding="utf-8") as result:
            return json.load(result)
    finally:
        os.unlink(out_path)


# -- the web tier (tests/benchmark/webb.py) -------------------------------------------------


def _webb(options: Options, database_url: str, vendor: str) -> dict:
    from tests.benchmark import webb

    say(f"webbnivån på {vendor}")
    return webb.run(
        database_url,
        vendor,
        per_page=options.webb_per_page,
        clients=options.webb_clients,
        extra=options.webb_extra,
        verbose=options.verbose,
    )


def _webb_postgresql(options: Options, results: dict) -> None:
    name = _db_name(options.pg_url, "_data")
    try:
        url = _recreate(options.pg_url, name)
        results["webb"]["postgresql"] = _webb(options, url, "postgresql")
    finally:
        _drop(options.pg_url, name)


def _run_webb(options: Options, results: dict) -> dict:
    """``--webb``: the web tier alone, on SQLite and (unless --sqlite-only) PostgreSQL."""
    tmp = Path(tempfile.mkdtemp(prefix="arenden-webb-"))
    try:
        results["webb"]["sqlite"] = _webb(options, f"sqlite:///{tmp / 'webb.sqlite3'}", "sqlite")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if options.sqlite_only:
        return results
    why = pg_reachable(options.pg_url)
    if why:
        results["notes"].append(f"PostgreSQL nås inte ({why}); webbnivån mättes bara på SQLite.")
        return results
    results["meta"]["postgresql"] = _server_version(options.pg_url)
    _webb_postgresql(options, results)
    return results
