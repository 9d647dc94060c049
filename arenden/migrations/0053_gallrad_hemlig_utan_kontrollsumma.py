"""A gallrad handling keeps no words of its file, and a secret one no checksum or size in the
record of the gallring (OSL 5 kap. 5 §): the rows a gallring left before this are cleared."""

from django.db import migrations, models
from django.db.models import Q


def rensa(apps, schema_editor):
    Handling = apps.get_model("arenden", "Handling")
    GallradHandling = apps.get_model("arenden", "GallradHandling")
    Handling.objects.exclude(gallrad=None).exclude(text="").update(text="")
    hemliga = Q(handling__sekretess_lagrum__gt="") | Q(handling__arende__sekretess_lagrum__gt="")
    GallradHandling.objects.filter(hemliga).update(sha256="", storlek=None)


class Migration(migrations.Migration):
    dependencies = [
        ("arenden", "0052_ej_beslutfort"),
    ]

    operations = [
        migrations.AlterField(
            model_name="gallradhandling",
            name="sha256",
            field=models.CharField(blank=True, max_length=64, verbose_name="SHA-256"),
        ),
        migrations.AlterField(
            model_name="gallradhandling",
            name="storlek",
            field=models.PositiveBigIntegerField(
                blank=True, null=True, verbose_name="storlek (byte)"
            ),
        ),
        migrations.RunPython(rensa, migrations.RunPython.noop),
    ]
