"""Signed field history (workflow.fieldhistory): each row of the exampleapp app's historical
models gets the id of a history key, the previous row's MAC for the same object and its own
MAC. The rows written before this migration are signed here, object by object in the order
they were written, as they stand (run ``manage.py verify_history`` before migrating: what is
signed now is vouched for from now on)."""

from django.db import migrations, models

from workflow import fieldhistory


def sign_existing(apps, schema_editor):
    fieldhistory.sign_existing(apps, schema_editor, 'exampleapp')


class Migration(migrations.Migration):

    dependencies = [
        ('exampleapp', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='historicaldocument',
            name='history_key_id',
            field=models.CharField(blank=True, default='', editable=False, max_length=32, verbose_name='nyckel'),
        ),
        migrations.AddField(
            model_name='historicaldocument',
            name='history_mac',
            field=models.CharField(blank=True, default='', editable=False, max_length=64, verbose_name='signatur'),
        ),
        migrations.AddField(
            model_name='historicaldocument',
            name='history_prev_mac',
            field=models.CharField(blank=True, default='', editable=False, max_length=64, verbose_name='föregående rads signatur'),
        ),
        migrations.RunPython(sign_existing, migrations.RunPython.noop),
    ]
