"""One version for the ärende as a whole (services.andras): every change to it or its parts
adds one under its row lock, and a form read at an older version is refused. The
tjänsteskrivelse's own version, which it replaces, goes."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("arenden", "0019_klassificering_gallring"),
    ]

    operations = [
        migrations.AddField(
            model_name="arende",
            name="version",
            field=models.PositiveIntegerField(default=0, editable=False, verbose_name="version"),
        ),
        migrations.RemoveField(model_name="tjansteskrivelse", name="version"),
        migrations.RemoveField(model_name="historicaltjansteskrivelse", name="version"),
    ]
