"""Full-text indexes for search with the Swedish configuration, on PostgreSQL only (SQLite
has no GIN; its search is a plain word match). The expressions are the ones
``arenden.sokning`` searches, so that the planner can use them."""

from django.db import migrations

INDEXES = [
    ("Arende", "arende_sokord", ("arendemening", "offentlig_rubrik")),
    ("Handling", "handling_sokord", ("titel", "beskrivning")),
]


def _index(name, fields):
    from django.contrib.postgres.indexes import GinIndex
    from django.contrib.postgres.search import SearchVector

    return GinIndex(SearchVector(*fields, config="swedish"), name=name)


def skapa(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for model, name, fields in INDEXES:
        schema_editor.add_index(apps.get_model("arenden", model), _index(name, fields))


def ta_bort(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for model, name, fields in INDEXES:
        schema_editor.remove_index(apps.get_model("arenden", model), _index(name, fields))


class Migration(migrations.Migration):
    dependencies = [("arenden", "0005_arende_index")]

    operations = [migrations.RunPython(skapa, ta_bort)]
