"""The outbox records what it names: the ärenden an e-mail's text names and the mall that makes
it, so that an e-mail still waiting is made again, masked, when one of them is sekretessmarkerat,
and the row it replaced points to it (arenden.gemensamt.utskick). Rows written before keep no
such record."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('arenden', '0060_arkivering_forseglad'),
    ]

    operations = [
        migrations.AddField(
            model_name='utskick',
            name='arenden',
            field=models.ManyToManyField(blank=True, related_name='utskick', to='arenden.arende', verbose_name='ärenden'),
        ),
        migrations.AddField(
            model_name='utskick',
            name='data',
            field=models.JSONField(blank=True, default=dict, verbose_name='underlag'),
        ),
        migrations.AddField(
            model_name='utskick',
            name='ersatt_av',
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='ersatter', to='arenden.utskick', verbose_name='ersatt av'),
        ),
        migrations.AddField(
            model_name='utskick',
            name='mall',
            field=models.CharField(blank=True, max_length=200, verbose_name='mall'),
        ),
    ]
