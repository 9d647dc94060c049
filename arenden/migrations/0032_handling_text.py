"""The text of a handling's document (PDF, DOCX) for the search, and on PostgreSQL the
handlingar's full-text index over it too (its expression is the one ``arenden.diarium.sokning``
searches, as in migration 0006)."""

from django.db import migrations, models

FORE = ("titel", "beskrivning")
EFTER = ("titel", "beskrivning", "text")


def _index(fields):
    from django.contrib.postgres.indexes import GinIndex
    from django.contrib.postgres.search import SearchVector

    return GinIndex(SearchVector(*fields, config="swedish"), name="handling_sokord")


def _byt(fran, till):
    def byt(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        handling = apps.get_model("arenden", "Handling")
        schema_editor.remove_index(handling, _index(fran))
        schema_editor.add_index(handling, _index(till))

    return byt


class Migration(migrations.Migration):
    dependencies = [("arenden", "0031_las_votering_och_paragrafjustering")]

    operations = [
        migrations.AddField(
            model_name="handling",
            name="text",
            field=models.TextField(blank=True, editable=False, verbose_name="dokumentets text"),
        ),
        migrations.RunPython(_byt(FORE, EFTER), _byt(EFTER, FORE)),
    ]
