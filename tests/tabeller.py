"""What the hand-written permission oracles share: tables written as grids of marks, and a
world of users and objects built once per module."""

from contextlib import contextmanager

from django.db import transaction


def grid(text: str, columns) -> dict[str, frozenset[str]]:
    """A table written as lines of ``name`` followed by one mark per column of ``columns``,
    in order: ``x`` holds it, ``.`` does not."""
    columns = list(columns)
    rows: dict[str, frozenset[str]] = {}
    for line in text.strip().splitlines():
        name, *marks = line.split()
        assert len(marks) == len(columns), f"{name}: {len(marks)} marks for {len(columns)}"
        assert set(marks) <= {"x", "."}, f"{name}: marks are x or ."
        assert name not in rows, f"{name} twice"
        rows[name] = frozenset(who for who, mark in zip(columns, marks, strict=True) if mark == "x")
    return rows


@contextmanager
def byggd_en_gang(django_db_blocker, build):
    """``build()``'s world, inside a transaction that is rolled back when the module is done
    (each test runs in a savepoint within it). For a module-scoped fixture."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            built = build()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    try:
        yield built
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
