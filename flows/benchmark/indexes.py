"""Indexes the measurements show the ärende tables need, proposed for ``arenden.models``.

They belong in a migration of ``arenden`` (the B-tree ones in ``Meta.indexes``; the GIN
ones for full-text search in a migration that runs only on PostgreSQL, as SQLite has no GIN).
Until they are there, ``--proposed-indexes`` creates them in the throwaway benchmark database
so that their effect can be measured; without it a fresh database has only what the
migrations make. Once an index of the same name exists, it is reported as such.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Index

from arenden.models import Arende, Handling


def proposed() -> list[tuple[type, Index, str]]:
    """(model, index, what it serves); GIN (full-text) indexes on PostgreSQL only."""
    found = [
        (
            Arende,
            Index(fields=["organ", "state"], name="arende_organ_status"),
            "arbetslistor för roller på organet (Att tilldela, Klara för beslut …)",
        ),
        (
            Arende,
            Index(fields=["-registrerat", "-id"], name="arende_registrerat"),
            "listor i datumordning: postlistan, sökträffar",
        ),
    ]
    if connection.vendor == "postgresql":
        from django.contrib.postgres.indexes import GinIndex
        from django.contrib.postgres.search import SearchVector

        found += [
            (
                Arende,
                GinIndex(
                    SearchVector("arendemening", "offentlig_rubrik", config="swedish"),
                    name="arende_sokord",
                ),
                "fritextsökning i ärendemening och offentlig rubrik",
            ),
            (
                Handling,
                GinIndex(
                    SearchVector("titel", "beskrivning", config="swedish"),
                    name="handling_sokord",
                ),
                "fritextsökning i handlingarnas titel och beskrivning",
            ),
        ]
    return found


def _existing(model) -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.get_constraints(cursor, model._meta.db_table))


def apply(create: bool) -> dict[str, str]:
    """Create (``create``) the proposed indexes the database lacks; returns each index's
    status for the report. Nothing is dropped: an index that is there came from the
    migrations or from an earlier run on a kept database (``--keep-db``)."""
    status = {}
    for model, index, _purpose in proposed():
        if index.name in {i.name for i in model._meta.indexes}:
            status[index.name] = "i modellen"
        elif index.name in _existing(model):
            status[index.name] = "finns i databasen"
        elif create:
            with connection.schema_editor(atomic=False) as editor:
                editor.add_index(model, index)
            status[index.name] = "skapat av mätningen"
        else:
            status[index.name] = "saknas"
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {Arende._meta.db_table}")
    return status


def describe() -> list[dict]:
    return [
        {"model": m._meta.label, "name": i.name, "purpose": p, "definition": repr(i)}
        for m, i, p in proposed()
    ]
