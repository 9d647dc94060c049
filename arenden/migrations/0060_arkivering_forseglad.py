"""A queued filing (Arkivering) is sealed with the history key, and the worker files only
what still agrees with its seal. The rows waiting when this runs are sealed as they stand."""

from django.db import migrations, models

from workflow import hashing


def forsegla_vantande(apps, schema_editor):
    Arkivering = apps.get_model("arenden", "Arkivering")
    vantande = Arkivering.objects.using(schema_editor.connection.alias).filter(klar__isnull=True)
    for rad in vantande:
        rad.nyckel, rad.sigill = hashing.seal(
            "arenden.arkivering",
            {
                "sammantrade": rad.sammantrade_id,
                "slag": rad.slag,
                "version": rad.version,
                "mal": rad.mal,
                "user": rad.user_id,
                "skapad": hashing.canonical_time(rad.skapad),
            },
        )
        rad.save(update_fields=["nyckel", "sigill"])


class Migration(migrations.Migration):

    dependencies = [
        ('arenden', '0059_sekretessatkomst_signerad'),
    ]

    operations = [
        migrations.AddField(
            model_name='arkivering',
            name='nyckel',
            field=models.CharField(blank=True, default='', editable=False, max_length=32),
        ),
        migrations.AddField(
            model_name='arkivering',
            name='sigill',
            field=models.CharField(blank=True, default='', editable=False, max_length=64),
        ),
        migrations.RunPython(forsegla_vantande, migrations.RunPython.noop),
    ]
