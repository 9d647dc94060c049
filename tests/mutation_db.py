"""A pytest plugin for the mutation run (``.ci/mutation``), loaded with ``-p tests.mutation_db``;
the ordinary suite does not use it. It does two things.

Which tests: ``--mutation-tests=PREFIX:GLOB,GLOB`` (repeatable) names the test files that may
kill a mutant of the modules whose dotted name starts with PREFIX. A glob with ``::`` is matched
against the test's id instead (``tests/test_x.py::test_a*``), and one that starts with ``!``
leaves out the tests it matches (``!tests/test_x.py::test_slow``): a file's fast tests can
join an area without its slow ones. When several prefixes match a mutant, the longest decides,
so a module can have a test set of its own. While mutmut runs one
mutant (``MUTANT_UNDER_TEST`` holds its name) only the files of its area run; in mutmut's
other runs (its stats, the clean and the forced-fail run) the files of the areas named in
``MUTATION_AREAS`` run (all areas when it is not set), and no other test file: the browser and
benchmark tests never do.

Fresh caches: the engine builds its SQL once per process and keeps it in module-level
caches. mutmut forks each mutant's process from its own, which has already run the tests, so
the caches would be full and a mutant in the code that builds a statement would never run;
and in mutmut's stats run, which tells which tests reach which function, only the first test
to need a statement would reach the code that builds it, so only that test would run for its
mutants. The caches are therefore emptied before every test.

The code's references: the workflow checks (``workflow_check``) scan the source in
``WORKFLOW_REFERENCE_ROOTS`` for names of states and transitions; in mutmut's copy that source
holds the mutants themselves, so the roots are pointed back at the project's own files.

A database per run:
Mutation testing runs pytest once per mutant, each time in a fresh process, and migrating a
new SQLite test database takes about five seconds, longer than most mutants' tests. So the
first session migrates once and keeps a copy (the template, taken before any test ran); every
later session starts from a copy of that template, and Django then only checks that no
migration is missing. Each session still works on a file of its own (the test settings name
it by process id), so a transactional test's flush in one session never reaches another.

On PostgreSQL (``DATABASE_URL``, ``bash .ci/mutation --postgres``) the same is done with the
database's own templates: the first session migrates ``<NAME>_mutation_template`` once, and
every session (each mutant's) starts from ``CREATE DATABASE <NAME>_mutation_<pid> TEMPLATE
<NAME>_mutation_template``, a copy taken before any test ran, and drops it when it ends. So
what a mutant's tests leave behind (a transactional test killed half-way, a flush the mutant
broke) never reaches the next mutant.
"""

import fnmatch
import os
import shutil
import sqlite3
import sys
from pathlib import Path

import pytest

TEMPLATE_NAME = "mutation-template.sqlite3"

#: the PostgreSQL database's NAME as the settings give it, before any session renamed it
_ORIGINAL = {}

#: module-level caches of SQL that the engine builds once per process
CACHES = ("workflow.statements._cache", "workflow.roles._role_statements")


def _sqlite_test_file():
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.sqlite3":
        return None
    name = db.get("TEST", {}).get("NAME")
    if not name or name == ":memory:" or str(name).startswith("file:"):
        return None
    return Path(name)


def _postgres_connection():
    from django.db import connection

    return connection if connection.vendor == "postgresql" else None


def _pg_names(connection):
    base = _ORIGINAL.setdefault("NAME", connection.settings_dict["NAME"])
    return base, f"{base}_mutation_template", f"{base}_mutation_{os.getpid()}"


def _pg_exists(connection, name):
    with connection._nodb_cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        return cursor.fetchone() is not None


def _pg_drop(connection, name):
    quoted = connection.ops.quote_name(name)
    with connection._nodb_cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")


def _pg_restore_name(connection, base):
    from django.conf import settings

    connection.close()
    connection.settings_dict["NAME"] = base
    settings.DATABASES[connection.alias]["NAME"] = base


def _pg_session_database(connection):
    """Point the test database at a fresh copy of the migrated template (made first if this is
    the run's first session)."""
    base, template, session_db = _pg_names(connection)
    connection.settings_dict.setdefault("TEST", {})
    if not _pg_exists(connection, template):
        connection.settings_dict["TEST"]["NAME"] = template
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        _pg_restore_name(connection, base)
    _pg_drop(connection, session_db)
    quote = connection.ops.quote_name
    with connection._nodb_cursor() as cursor:
        cursor.execute(f"CREATE DATABASE {quote(session_db)} TEMPLATE {quote(template)}")
    connection.settings_dict["TEST"]["NAME"] = session_db


def _remove(path):
    for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        leftover.unlink(missing_ok=True)


def pytest_addoption(parser):
    parser.addoption(
        "--mutation-tests",
        action="append",
        default=[],
        metavar="PREFIX:GLOB,GLOB",
        help="test files (globs relative to the rootdir) that run for mutants of PREFIX*",
    )


def _areas(config):
    areas = []
    for spec in config.getoption("mutation_tests"):
        prefix, _, globs = spec.partition(":")
        areas.append((prefix, [g.strip() for g in globs.split(",") if g.strip()]))
    return areas


def _globs_for_this_run(config):
    areas = _areas(config)
    mutant = os.environ.get("MUTANT_UNDER_TEST", "")
    matching = [(prefix, globs) for prefix, globs in areas if prefix and mutant.startswith(prefix)]
    if matching:  # the most specific area: a module's own set before its package's
        return [max(matching, key=lambda area: len(area[0]))[1]]
    # Not one mutant's run: the areas the caller is mutating (MUTATION_AREAS, the prefixes
    # separated by commas; .ci/mutation sets it), else all of them; a test runs if one of
    # them takes it.
    wanted = [p for p in os.environ.get("MUTATION_AREAS", "").split(",") if p]
    return [
        globs
        for prefix, globs in areas
        if not wanted or any(prefix.startswith(w) or w.startswith(prefix) for w in wanted)
    ]


def pytest_configure(config):
    # --reuse-db: Django keeps the file it finds (the template's copy) instead of a new one.
    config.option.reuse_db = True


def _outside_mutants(path):
    parts = Path(path).parts
    if "mutants" not in parts:
        return path
    i = len(parts) - 1 - parts[::-1].index("mutants")
    return Path(*parts[:i], *parts[i + 1 :])


def _empty_caches():
    for dotted in CACHES:
        module_name, _, attribute = dotted.rpartition(".")
        module = sys.modules.get(module_name)
        if module is not None:
            getattr(module, attribute).clear()


def pytest_sessionstart(session):
    from django.conf import settings

    roots = getattr(settings, "WORKFLOW_REFERENCE_ROOTS", None)
    if roots:
        settings.WORKFLOW_REFERENCE_ROOTS = [_outside_mutants(root) for root in roots]
    _empty_caches()


def pytest_runtest_setup(item):
    _empty_caches()


def _matches(relative, nodeid, glob):
    if "::" in glob:  # a test's id: the file's path as pytest names it, then the test
        return fnmatch.fnmatch(f"{relative}::{nodeid.partition('::')[2]}", glob)
    return fnmatch.fnmatch(relative, glob)


def _selected(relative, nodeid, globs):
    """Does one of the globs take the test, and none of the "!" globs leave it out?"""
    taken = any(_matches(relative, nodeid, g) for g in globs if not g.startswith("!"))
    return taken and not any(_matches(relative, nodeid, g[1:]) for g in globs if g.startswith("!"))


def pytest_collection_modifyitems(config, items):
    sets = _globs_for_this_run(config)
    if not sets:
        return
    root = Path(config.rootpath)
    keep, drop = [], []
    for item in items:
        try:
            relative = Path(item.path).resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            relative = Path(item.path).as_posix()
        taken = any(_selected(relative, item.nodeid, globs) for globs in sets)
        (keep if taken else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture(scope="session", autouse=True)
def _mutation_db_template(request):
    connection = _postgres_connection()
    if connection is not None:
        with request.getfixturevalue("django_db_blocker").unblock():
            _pg_session_database(connection)
        request.getfixturevalue("django_db_setup")
        yield
        return
    path = _sqlite_test_file()
    if path is None:
        yield
        return
    template = path.parent / TEMPLATE_NAME
    _remove(path)
    if template.exists():
        shutil.copyfile(template, path)
    request.getfixturevalue("django_db_setup")
    if not template.exists():
        # Migrated and not yet written by any test: save it for the sessions to come.
        partial = path.parent / f"{TEMPLATE_NAME}.{path.stem}"
        source, target = sqlite3.connect(path), sqlite3.connect(partial)
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()
        partial.replace(template)
    yield


def pytest_unconfigure(config):
    # pytest-django has closed the database by now; --reuse-db left the session's file behind.
    try:
        connection = _postgres_connection()
        path = _sqlite_test_file()
    except Exception:  # settings never configured: nothing was created
        return
    if connection is not None:
        # --reuse-db leaves the connection open on the session's database: close it (a forked
        # mutant must not inherit it), give the settings their own name back, drop the copy
        if "NAME" in _ORIGINAL:
            _pg_restore_name(connection, _ORIGINAL["NAME"])
            _pg_drop(connection, _pg_names(connection)[2])
        return
    if path is not None:
        _remove(path)
