"""Mutation testing of the workflow engine and the rule modules, with mutmut (called by
.ci/mutation; the README's section "Mutationstestning" says how to read it).

mutmut copies the project into mutants/, writes every mutant of the files that
``[tool.mutmut]`` in pyproject.toml names into that copy, and runs, for each mutant, the tests
that reach its function (tests/mutation_db.py narrows them to the area's fast tests). A mutant
is killed when a test fails. A survivor is either a gap in the tests or a mutant that cannot
change behaviour; the latter are listed, with the reason, in tests/mutation_equivalents.txt.

Modes:
  (none)            every mutant of both areas (hours on one core). Results are kept in
                    mutants/: a second run runs only the mutants without a result (new,
                    changed or interrupted) and the survivors not listed in
                    tests/mutation_equivalents.txt; --fresh runs them all again
  --sample N        N mutants of the engine (workflow/), drawn deterministically; exits 1 if
                    one survives that is not a known equivalent, or if fewer than
                    --threshold percent of the sample are killed
  --only GLOB ...   the same for the mutants whose names match, e.g. 'workflow.engine.*'
  --report          the score per module and the survivors, from the results in mutants/
  --jobs N          N mutants at a time (PostgreSQL only; default 1)
  --postgres [URL]  run the mutants on PostgreSQL (URL, else DATABASE_URL if it names one,
                    else postgres://postgres@127.0.0.1:5432/mutation) instead of SQLite: for
                    the code only PostgreSQL runs (SQL built for it, row locks, the verifier in
                    the database). tests/mutation_db.py gives each mutant a fresh copy of a
                    migrated template database. The outcome on each database is kept in
                    mutants/mutation-databases.json: a mutant killed on either counts as
                    killed (the suite runs on both); a survivor listed as "PostgreSQL only" is
                    run again on PostgreSQL, and counts as known only while it has not
                    survived there
"""

from __future__ import annotations

import argparse
import contextlib
import fnmatch
import hashlib
import json
import os
import re
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MUTANTS = ROOT / "mutants"
EQUIVALENTS = ROOT / "tests" / "mutation_equivalents.txt"
MUTMUT = ROOT / ".venv" / "bin" / "mutmut"
#: which database each mutant's result came from (mutmut does not say)
DATABASES = MUTANTS / "mutation-databases.json"
#: which database mutmut's test-to-function map (mutmut-stats.json) was collected on
STATS_DATABASE = MUTANTS / "mutation-stats-database.txt"
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/mutation"
POSTGRES_ONLY = "PostgreSQL only"

#: The areas and the mutants that belong to them (mutmut's names: module.x_function__mutmut_N,
#: module.xǁClassǁmethod__mutmut_N).
AREAS = {
    "motor": ["workflow.*"],
    "regler": [
        "arenden.sammantraden.models.x__pask__mutmut_*",
        "arenden.sammantraden.models.x__helgdagar__mutmut_*",
        "arenden.sammantraden.models.x_sista_dag__mutmut_*",
        "arenden.sammantraden.protokoll.x_numrera_paragrafer__mutmut_*",
        "arenden.sammantraden.protokoll.x_tidigare_paragrafer__mutmut_*",
        "arenden.diarium.diarienummer.*",
        # secrecy (OSL; TF 2 kap. 18 §: the postlista names a secret handling, not its content)
        "arenden.publikt.postlista.x__hemlig_handling__mutmut_*",
        "arenden.publikt.postlista.x__hemligt_arende__mutmut_*",
        "arenden.publikt.postlista.x_allmanna_handlingar__mutmut_*",
        "arenden.sammantraden.ledamot.x_sekretessbehoriga__mutmut_*",
        "arenden.sammantraden.ledamot.x_tjanstgor_i__mutmut_*",
        "arenden.sammantraden.ledamot.x_far_lasa_handling__mutmut_*",
        "arenden.sammantraden.ledamot.xǁLedamotsbehorighetǁ*",
        "arenden.dokument.services.x__maskerat__mutmut_*",
        "arenden.dokument.services.x_punkt_rubrik__mutmut_*",
        # delegation: who may decide on the nämnd's behalf (KL 6 kap. 37-39 §§)
        "arenden.delegering.services.x_ar_delegat__mutmut_*",
        "arenden.delegering.services.x_fatta_delegationsbeslut__mutmut_*",
        "arenden.delegering.services.x_far_fora_delegationsordning__mutmut_*",
        "arenden.delegering.services.x__krav_sekreterare__mutmut_*",
        "arenden.delegering.services.x__kräv_ledamoter__mutmut_*",
        "arenden.delegering.services.x_lagg_till_delegationspunkt__mutmut_*",
        "arenden.delegering.services.x_avsluta_delegationspunkt__mutmut_*",
        "arenden.delegering.models.*",
        # the motion's one-year clock (KL 5 kap. 35 §)
        "arenden.motion.services.x_sista_dag__mutmut_*",
        "arenden.motion.services.x_dagar_kvar__mutmut_*",
        "arenden.motion.services.x_horisont__mutmut_*",
        "arenden.motion.services.x_att_anmala__mutmut_*",
        "arenden.motion.services.x_fristen_lopar__mutmut_*",
        "arenden.motion.services.x_fristen_lopar_for__mutmut_*",
        # the quorum (KL 5 kap. 45 §, 6 kap. 27 §)
        "arenden.sammantraden.beslutforhet.*",
    ],
}
SAMPLE_AREA = "motor"
DEFAULT_SEED = "arendehantering"

KILLED = {"killed", "timeout", "caught by type check"}
SURVIVED = {"survived", "no tests"}

STATUS = {
    1: "killed",
    3: "killed",
    0: "survived",
    5: "no tests",
    33: "no tests",
    2: "interrupted",
    34: "skipped",
    35: "suspicious",
    36: "timeout",
    37: "caught by type check",
    -24: "timeout",
    24: "timeout",
    152: "timeout",
    255: "timeout",
    -11: "segfault",
    -9: "segfault",
    None: "not checked",
}
STATUS_SV = {
    "killed": "dödad",
    "timeout": "dödad (tidsgräns)",
    "caught by type check": "dödad (typkontroll)",
    "survived": "överlevde",
    "no tests": "inga tester",
    "not checked": "inte körd",
}


def status_of(code) -> str:
    return STATUS.get(code, "suspicious")


def module_of(name: str) -> str:
    match = re.match(r"^(.*?)\.(?:x_|xǁ)", name)
    return match.group(1) if match else name


def function_of(name: str) -> str:
    tail = name[len(module_of(name)) + 1 :]
    return tail.rsplit("__mutmut_", 1)[0].removeprefix("x_").replace("xǁ", "").replace("ǁ", ".")


def in_area(name: str, area: str) -> bool:
    return any(fnmatch.fnmatchcase(name, glob) for glob in AREAS[area])


def area_of(name: str) -> str | None:
    for area in AREAS:
        if in_area(name, area):
            return area
    return None


# -- mutmut's files -------------------------------------------------------------------------


def results() -> dict[str, tuple[str, object]]:
    """Every mutant mutmut generated: name -> (source path, exit code or None)."""
    found = {}
    for meta in sorted(MUTANTS.rglob("*.py.meta")):
        source = meta.relative_to(MUTANTS).as_posix().removesuffix(".meta")
        data = json.loads(meta.read_text("utf-8"))
        for name, code in data.get("exit_code_by_key", {}).items():
            found[name] = (source, code)
    return found


def refresh_copies() -> None:
    """mutmut copies the source into mutants/ once and then rewrites only the files it
    mutates: a template or a module it does not mutate stays as it was at the first run, and
    the tests in mutants/ would read it stale (a page changed since fails there, or a fix is
    missing). Copy again each such file that changed."""
    import shutil

    from mutmut.__main__ import config

    mutated = [str(g) for g in config().only_mutate]
    for source in config().source_paths:
        for path in (ROOT / source).rglob("*"):
            relative = path.relative_to(ROOT)
            if not path.is_file() or "__pycache__" in relative.parts:
                continue
            if any(fnmatch.fnmatch(str(relative), glob) for glob in mutated):
                continue  # mutmut writes it again when the source is newer
            target = MUTANTS / relative
            if target.exists() and target.read_bytes() != path.read_bytes():
                shutil.copy2(path, target)


def generate() -> None:
    """Write the mutants into mutants/ (mutmut's first step) without running any test, so a
    sample can be drawn from their names."""
    os.chdir(ROOT)
    from mutmut.__main__ import (
        copy_also_copy_files,
        copy_src_dir,
        create_mutants,
        setup_source_paths,
    )
    from mutmut.mutation.trampoline import set_mutant_under_test

    set_mutant_under_test("mutant_generation")
    MUTANTS.mkdir(exist_ok=True)
    started = time.monotonic()
    with open(os.devnull, "w") as quiet, contextlib.redirect_stdout(quiet):
        refresh_copies()
        copy_src_dir()
        copy_also_copy_files()
        setup_source_paths()
        create_mutants(1)
    print(f"Mutanterna skrivna på {time.monotonic() - started:.0f} s", flush=True)


def diff_of(name: str, source: str) -> str:
    os.chdir(ROOT)
    from mutmut.mutation.diff_apply import get_diff_for_mutant

    try:
        diff = get_diff_for_mutant(name, path=source)
    except Exception as error:  # a stale index: show the name alone
        return f"({error})"
    changed = [
        line for line in diff.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")
    ]
    return "\n".join(changed)


def added_lines(name: str, source: str) -> list[str]:
    return [line[1:].strip() for line in diff_of(name, source).splitlines() if line[:1] == "+"]


# -- known equivalents ----------------------------------------------------------------------


def equivalents() -> dict[str, tuple[str, str]]:
    """tests/mutation_equivalents.txt: ``name | the mutated line | why it is equivalent``."""
    listed = {}
    if not EQUIVALENTS.exists():
        return listed
    for raw in EQUIVALENTS.read_text("utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        # the mutated line may itself hold a "|"; the name and the reason never do
        name, _, rest = line.partition("|")
        mutated, bar, reason = rest.rpartition("|")
        if not bar or not name.strip() or not reason.strip():
            sys.exit(f"{EQUIVALENTS.name}: ogiltig rad (namn | muterad rad | skäl): {raw}")
        listed[name.strip()] = (mutated.strip(), reason.strip())
    return listed


def equivalent_reason(name: str, source: str, listed, database: str = "sqlite") -> str | None:
    """The listed reason, if ``name`` is listed and still is the mutation that was judged (a
    changed function renumbers its mutants: then the entry no longer counts). A "PostgreSQL
    only" reason explains a survivor of the SQLite run alone: one that survived on PostgreSQL
    (``database``) is not explained by it."""
    reason = _listed_reason(name, source, listed)
    if reason and database == "postgresql" and reason.startswith(POSTGRES_ONLY):
        return None
    return reason


def _listed_reason(name: str, source: str, listed) -> str | None:
    if name not in listed:
        # a glob with "*" as its line: every mutant of a function that, say, runs only on
        # PostgreSQL
        for pattern, (mutated_line, reason) in listed.items():
            if "*" in pattern and mutated_line == "*" and fnmatch.fnmatchcase(name, pattern):
                return reason
        return None
    mutated_line, reason = listed[name]
    return reason if mutated_line in added_lines(name, source) else None


# -- the database ---------------------------------------------------------------------------


def databases() -> dict[str, dict[str, str]]:
    """The outcome of each mutant per database it ran on ({"sqlite": "killed", ...}); mutmut
    keeps only the latest result, whichever database it came from."""
    if DATABASES.exists():
        return json.loads(DATABASES.read_text("utf-8"))
    return {}


def record_databases(names: list[str], database: str) -> None:
    """Note the outcome on ``database`` of the mutants just run."""
    found = results()
    recorded = databases()
    for name in names:
        if name in found and found[name][1] is not None:
            recorded.setdefault(name, {})[database] = status_of(found[name][1])
    DATABASES.write_text(json.dumps(recorded, indent=0, sort_keys=True), "utf-8")


def outcome(name: str, code, recorded) -> tuple[str, str]:
    """(status, database) of a mutant over both databases: killed if a test killed it on
    either (the suite runs on both); a survivor is PostgreSQL's if it survived there too, so
    that a "PostgreSQL only" reason does not excuse it."""
    status = status_of(code)
    on = recorded.get(name, {})
    if status in SURVIVED:
        killed = [db for db, seen in on.items() if seen in KILLED]
        if killed:
            return "killed", killed[0]
        if on.get("postgresql") in SURVIVED:
            return status, "postgresql"
        return status, "sqlite"
    return status, "postgresql" if "postgresql" in on else "sqlite"


def postgres_url(given: str | None) -> str | None:
    """The PostgreSQL database of --postgres (None: SQLite)."""
    if given is None:
        return None
    if given:
        return given
    env = os.environ.get("DATABASE_URL", "")
    return env if env.startswith(("postgres://", "postgresql://")) else DEFAULT_POSTGRES


def fresh_postgres_template(url: str) -> None:
    # tests/mutation_db.py migrates <NAME>_mutation_template once per run and copies it for
    # each mutant: a template from an earlier run may miss a migration added since, and a
    # mutant killed half-way leaves its copy behind
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(url)
    prefix = f"{config['NAME']}_mutation_"
    with psycopg.connect(
        dbname="postgres",
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
        autocommit=True,
    ) as conn:
        leftovers = [
            row[0]
            for row in conn.execute("SELECT datname FROM pg_database").fetchall()
            if row[0].startswith(prefix)
        ]
        for name in leftovers:
            conn.execute(
                psycopg.sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                    psycopg.sql.Identifier(name)
                )
            )


def stats_for(database: str) -> None:
    """mutmut maps each function to the tests that reach it once (mutmut-stats.json) and keeps
    the map; code that only PostgreSQL runs is reached by other tests than on SQLite, so a map
    collected on the other database is thrown away and collected again."""
    stats = MUTANTS / "mutmut-stats.json"
    previous = STATS_DATABASE.read_text("utf-8").strip() if STATS_DATABASE.exists() else "sqlite"
    if stats.exists() and previous != database:
        stats.unlink()
    STATS_DATABASE.write_text(database + "\n", "utf-8")


# -- running --------------------------------------------------------------------------------


def fresh_database_template() -> None:
    # tests/mutation_db.py migrates once per run and copies that database for each mutant;
    # a template from an earlier run may miss a migration added since.
    template = MUTANTS / "test-output" / "mutation-template.sqlite3"
    template.unlink(missing_ok=True)


def run_mutmut(names: list[str], postgres: str | None = None, jobs: int = 1) -> int:
    """``mutmut run`` on one core (``jobs``: more, on PostgreSQL only; the SQLite test
    settings name the database file by the id of the process mutmut forks its workers from);
    its progress goes to mutants/mutation-run.log. On SQLite unless ``postgres`` names a
    PostgreSQL database."""
    database = "postgresql" if postgres else "sqlite"
    fresh_database_template()
    stats_for(database)
    log = MUTANTS / "mutation-run.log"
    command = [str(MUTMUT), "run", "--max-children", str(jobs if postgres else 1), *names]
    print(
        f"mutmut kör {len(names)} mönster/mutanter på {database} (logg: {log.relative_to(ROOT)})",
        flush=True,
    )
    started = time.monotonic()
    # tests/mutation_db.py: the clean and stats runs need only the tests of these areas
    env = dict(os.environ, MUTATION_AREAS=",".join(sorted({n.split(".")[0] + "." for n in names})))
    if postgres:
        # tests/mutation_db.py copies a migrated template database for each mutant
        fresh_postgres_template(postgres)
        env["DATABASE_URL"] = postgres
    else:
        # tests/mutation_db.py copies a migrated SQLite file for each mutant
        env.pop("DATABASE_URL", None)
    with log.open("w", encoding="utf-8") as out:
        code = subprocess.call(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    if postgres:
        fresh_postgres_template(postgres)
    record_databases(names, database)
    print(f"mutmut klar på {time.monotonic() - started:.0f} s (slutkod {code})", flush=True)
    if code != 0:
        tail = log.read_text("utf-8", errors="replace").replace("\r", "\n").splitlines()[-30:]
        print("\n".join(line for line in tail if line.strip()), file=sys.stderr)
    return code


def draw_sample(names, n: int, seed: str) -> list[str]:
    def key(name):
        return hashlib.sha256(f"{seed}:{name}".encode()).hexdigest()

    return sorted(sorted(names, key=key)[:n])


# -- reporting ------------------------------------------------------------------------------


def report(selected: dict[str, tuple[str, object]], title: str) -> tuple[int, int, list]:
    """Print the score per module and every survivor; returns (killed, checked, unexplained
    survivors). "andel" is killed / run; "utan kända" leaves the known survivors (listed in
    tests/mutation_equivalents.txt) out of the count; "på PG" is how many of those run ran on
    PostgreSQL."""
    listed = equivalents()
    recorded = databases()
    by_module = defaultdict(Counter)
    pg = Counter()
    survivors = []
    for name, (source, code) in sorted(selected.items()):
        status, database = outcome(name, code, recorded)
        by_module[module_of(name)][status] += 1
        if status != "not checked" and "postgresql" in recorded.get(name, {}):
            pg[module_of(name)] += 1
        if status in SURVIVED:
            reason = equivalent_reason(name, source, listed, database)
            survivors.append((name, source, status, reason, database))
            if reason:
                by_module[module_of(name)]["known"] += 1

    def share(part, whole):
        return f"{100 * part / whole:.1f} %" if whole else "–"

    print(f"\n== {title} ==")
    print(
        f"{'modul':44} {'mutanter':>8} {'körda':>6} {'dödade':>7} {'överlevde':>9} "
        f"{'varav kända':>11} {'andel':>7} {'utan kända':>10} {'på PG':>6}"
    )
    totals = Counter()
    for module, counts in sorted(by_module.items()):
        n = sum(counts.values()) - counts["known"]
        checked = n - counts["not checked"]
        killed = sum(counts[s] for s in KILLED)
        alive = sum(counts[s] for s in SURVIVED)
        known = counts["known"]
        totals.update(n=n, checked=checked, killed=killed, alive=alive, known=known)
        print(
            f"{module:44} {n:8} {checked:6} {killed:7} {alive:9} {known:11} "
            f"{share(killed, checked):>7} {share(killed, checked - known):>10} {pg[module]:6}"
        )
    t = totals
    print(
        f"{'totalt':44} {t['n']:8} {t['checked']:6} {t['killed']:7} {t['alive']:9} "
        f"{t['known']:11} {share(t['killed'], t['checked']):>7} "
        f"{share(t['killed'], t['checked'] - t['known']):>10} {sum(pg.values()):6}"
    )
    expected = KILLED | SURVIVED | {"not checked"}
    other = Counter(
        status_of(code) for _source, code in selected.values() if status_of(code) not in expected
    )
    if other:
        print("övrigt:", dict(other))

    unexplained = []
    if survivors:
        print("\nÖverlevande mutanter:")
    for name, source, status, reason, database in survivors:
        mark = f"känd: {reason}" if reason else "EJ FÖRKLARAD"
        if not reason:
            unexplained.append(name)
        where = "PostgreSQL" if database == "postgresql" else "SQLite"
        print(f"  {name} [{STATUS_SV.get(status, status)} på {where}; {mark}]")
        for line in diff_of(name, source).splitlines():
            print(f"      {line}")
    stale = [
        name
        for name in listed
        if "*" not in name
        and name in selected
        and status_of(selected[name][1]) in SURVIVED
        and not _listed_reason(name, selected[name][0], listed)
    ]
    if stale:
        print("\nPoster i mutation_equivalents.txt som inte längre stämmer (funktionen ändrad):")
        for name in stale:
            print(f"  {name}")
    return t["killed"], t["checked"], unexplained


def main() -> int:
    parser = argparse.ArgumentParser(
        prog="bash .ci/mutation",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--sample", type=int, metavar="N", help="N mutanter av workflow/")
    mode.add_argument("--only", nargs="+", metavar="GLOB", help="mutanterna vars namn matchar")
    mode.add_argument("--report", action="store_true", help="bara rapporten från mutants/")
    parser.add_argument(
        "--fresh", action="store_true", help="kör om även mutanter som redan har ett resultat"
    )
    parser.add_argument(
        "--postgres",
        nargs="?",
        const="",
        metavar="URL",
        help="kör mutanterna på PostgreSQL (URL, annars DATABASE_URL eller "
        f"{DEFAULT_POSTGRES}) i stället för SQLite",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=1,
        metavar="N",
        help="mutanter samtidigt, bara med --postgres (standard 1)",
    )
    parser.add_argument("--seed", default=DEFAULT_SEED, help="urvalets frö (--sample)")
    parser.add_argument(
        "--threshold",
        type=float,
        default=75.0,
        help="minsta andel dödade i urvalet, procent (--sample; standard 75)",
    )
    args = parser.parse_args()
    os.chdir(ROOT)
    postgres = postgres_url(args.postgres)
    database = "postgresql" if postgres else "sqlite"

    if args.report:
        everything = results()
        if not everything:
            print("Inga resultat i mutants/: kör bash .ci/mutation först.")
            return 1
        for area in AREAS:
            report({k: v for k, v in everything.items() if in_area(k, area)}, f"område {area}")
        return 0

    if args.sample is not None:
        if args.sample < 1:
            parser.error("--sample behöver ett positivt antal")
        generate()
        pool = [name for name in results() if in_area(name, SAMPLE_AREA)]
        sample = draw_sample(pool, args.sample, args.seed)
        print(f"Urval: {len(sample)} av {len(pool)} mutanter i workflow/ (frö {args.seed!r})")
        if run_mutmut(sample, postgres, args.jobs) != 0:
            print("Mutationskörningen misslyckades (se loggen).", file=sys.stderr)
            return 2
        after = results()
        killed, checked, unexplained = report({k: after[k] for k in sample}, "urval av motorn")
        share = 100 * killed / len(sample)
        failed = False
        if checked < len(sample):
            print(f"\n{len(sample) - checked} mutanter i urvalet kördes inte.")
            failed = True
        if unexplained:
            print(
                f"\n{len(unexplained)} överlevande mutanter är inte kända ekvivalenter: skriv "
                "ett test som dödar dem, eller för in dem med skäl i "
                "tests/mutation_equivalents.txt."
            )
            failed = True
        if share < args.threshold:
            print(f"\nAndelen dödade i urvalet, {share:.1f} %, är under {args.threshold:.0f} %.")
            failed = True
        print(
            f"\nUrvalet: {killed} av {len(sample)} dödade ({share:.1f} %)"
            f" – {'UNDERKÄNT' if failed else 'godkänt'}."
        )
        return 1 if failed else 0

    # The mutants that have no result yet, and the survivors that are not known ones (a test
    # may kill them now); mutmut forgets the result of a mutant whose function changed, so a
    # second run costs only what changed and what survived. --fresh: every one again.
    generate()
    patterns = args.only or [glob for globs in AREAS.values() for glob in globs]
    known = results()
    chosen = [
        name
        for name in known
        if area_of(name) and any(fnmatch.fnmatchcase(name, p) for p in patterns)
    ]
    listed = equivalents()

    recorded = databases()

    def worth_running(name):
        source, code = known[name]
        status = status_of(code)
        if status == "not checked":
            return True
        if outcome(name, code, recorded)[0] not in SURVIVED:  # killed on the other database
            return False
        # a survivor again, unless it is a known one (it would only survive once more)
        # (on PostgreSQL, also the ones known only as "PostgreSQL only")
        return status in SURVIVED and not equivalent_reason(name, source, listed, database)

    pending = [name for name in chosen if args.fresh or worth_running(name)]
    print(f"{len(pending)} av {len(chosen)} mutanter att köra")
    code = run_mutmut(pending, postgres, args.jobs) if pending else 0
    everything = results()
    for area in AREAS:
        chosen = {
            k: v
            for k, v in everything.items()
            if in_area(k, area) and any(fnmatch.fnmatchcase(k, p) for p in patterns)
        }
        if chosen:
            report(chosen, f"område {area}")
    return 0 if code == 0 else 2


if __name__ == "__main__":
    sys.exit(main())
