# Archive export (arenden.arkiv): the day an ärende was delivered to the e-arkiv.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("arenden", "0018_diarium_begaran"),
    ]

    operations = [
        migrations.AddField(
            model_name="arende",
            name="levererad",
            field=models.DateField(
                blank=True, editable=False, null=True, verbose_name="levererat till arkiv"
            ),
        ),
        migrations.AddField(
            model_name="historicalarende",
            name="levererad",
            field=models.DateField(
                blank=True, editable=False, null=True, verbose_name="levererat till arkiv"
            ),
        ),
    ]
