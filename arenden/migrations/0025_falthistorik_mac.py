"""Signed field history (workflow.fieldhistory): each row of the arenden app's historical
models gets the id of a history key, the previous row's MAC for the same object and its own
MAC. The rows written before this migration are signed here, object by object in the order
they were written, as they stand (run ``manage.py verify_history`` before migrating: what is
signed now is vouched for from now on)."""

from django.db import migrations, models

from workflow import fieldhistory


def sign_existing(apps, schema_editor):
    fieldhistory.sign_existing(apps, schema_editor, 'arenden')


class Migration(migrations.Migration):

    dependencies = [
        ('arenden', '0024_api_idempotens'),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalarende',
            name='history_key_id',
            field=models.CharField(blank=True, default='', editable=False, max_length=32, verbose_name='nyckel'),
        ),
        migrations.AddField(
            model_name='historicalarende',
            name='history_mac',
            field=models.CharField(blank=True, default='', editable=False, max_length=64, verbose_name='signatur'),
        ),
        migrations.AddField(
            model_name='historicalarende',
            name='history_prev_mac',
            field=models.CharField(blank=True, default='', editable=False, max_length=64, verbose_name='föregående rads signatur'),
        ),
        migrations.AddField(
            model_name='historicalarenderelation',
            name='history_key_id',
            field=models.CharField(blank=True, default='', editable=False, max_length=32, verbose_name='nyckel'),
        ),
        migrations.AddField(
            model_name='historicalarenderelation',
            name='history_mac',
            field=models.CharField(blank=True, default='', editable=False, max_length=64, verbose_name='signatur'),
        ),
        migrations.AddField(
            model_name='historicalarenderelation',
            name='history_prev_mac',
            field=models.CharField(blank=True, default='', editable=False, max_length=64, verbose_name='föregående rads signatur'),
        ),
        migrations.AddField(
            model_name='historicalbegaran',
            name='history_key_id',
            field=models.CharField(blank=True, default='', editable=False, max_length=32, verbose_name='nyckel'),
        ),
        migrations.AddField(
            model_name='historicalbegaran',
            name='history_mac',
            field=models.CharField(blank=True, default='', editable=False, max_length=64, verbose_name='signatur'),
        ),
        migrations.AddField(
            model_name='historicalbegaran',
            name='history_prev_mac',
            field=models.CharField(blank=True, default='', editable=False, max_length=64, verbose_name='föregående rads signatur'),
        ),
        migrations.AddField(
            model_name='historicalbegardhandling',
            name='history_key_id',
            field=models.CharField(blank=True, default='', editable=False, max_length=32, verbose_name='nyckel'),
        ),
        migrations.AddField(
            model_name='historicalbegardhandling',
            name='history_mac',
            field=models.CharField(blank=True, default='', editable=False, max_length=64, verbose_name='signatur'),
        ),
        migrations.AddField(
            model_name='historicalbegardhandling',
            name='history_prev_mac',
            field=models.CharField(blank=True, default='', editable=False, max_length=64, verbose_name='föregående rads signatur'),
        ),
        migrations.AddField(
            model_name='historicalberedningsansvarig',
            name='history_key_id',
            field=models.CharField(blank=True, default='', editable=False, max_length=32, verbose_name='nyckel'),
        ),
        migrations.AddField(
            model_name='historicalberedningsansvarig',
            name='history_mac',
            field=models.CharField(blank=True, default='', editable=False, max_length=64, verbose_name='signatur'),
        ),
        migrations.AddField(
            model_name='historicalberedningsansvarig',
            name='history_prev_mac',
            field=models.CharField(blank=True, default='', editable=False, max_length=64, verbose_name='föregående rads signatur'),
        ),
        migrations.AddField(
            model_name='historicalbeslut',
            name='history_key_id',
            field=models.CharField(blank=True, default='', editable=False, max_length=32, verbose_name='nyckel'),
        ),
        migrations.AddField(
            model_name='historicalbeslut',
            name='history_mac',
            field=models.CharField(blank=True, default='', editable=False, max_length=64, verbose_name='signatur'),
        ),
        migrations.AddField(
            model_name='historicalbeslut',
            name='history_prev_mac',
            field=models.CharField(blank=True, default='', editable=False, max_length=64, verbose_name='föregående rads signatur'),
        ),
        migrations.AddField(
            model_name='historicaldeltagare',
            name='history_key_id',
            field=models.CharField(blank=True, default='', editable=False, max_length=32, verbose_name='nyckel'),
        ),
        migrations.AddField(
            model_name='historicaldeltagare',
            name='history_mac',
            field=models.CharField(blank=True, default='', editable=False, max_length=64, verbose_name='signatur'),
        ),
        migrations.AddField(
            model_name='historicaldeltagare',
            name='history_prev_mac',
            field=models.CharField(blank=True, default='', editable=False, max_length=64, verbose_name='föregående rads signatur'),
        ),
        migrations.AddField(
            model_name='historicalenhet',
            name='history_key_id',
            field=models.CharField(blank=True, default='', editable=False, max_length=32, verbose_name='nyckel'),
        ),
        migrations.AddField(
            model_name='historicalenhet',
            name='history_mac',
            field=models.CharField(blank=True, default='', editable=False, max_length=64, verbose_name='signatur'),
        ),
        migrations.AddField(
            model_name='historicalenhet',
            name='history_prev_mac',
            field=models.CharField(blank=True, default='', editable=False, max_length=64, verbose_name='föregående rads signatur'),
        ),
        migrations.AddField(
            model_name='historicalhandling',
            name='history_key_id',
            field=models.CharField(blank=True, default='', editable=False, max_length=32, verbose_name='nyckel'),
        ),
        migrations.AddField(
            model_name='historicalhandling',
            name='history_mac',
            field=models.CharField(blank=True, default='', editable=False, max_length=64, verbose_name='signatur'),
        ),
        migrations.AddField(
            model_name='historicalhandling',
            name='history_prev_mac',
            field=models.CharField(blank=True, default='', editable=False, max_length=64, verbose_name='föregående rads signatur'),
        ),
        migrations.AddField(
            model_name='historicaljav',
            name='history_key_id',
            field=models.CharField(blank=True, default='', editable=False, max_length=32, verbose_name='nyckel'),
        ),
        migrations.AddField(
            model_name='historicaljav',
            name='history_mac',
            field=models.CharField(blank=True, default='', editable=False, max_length=64, verbose_name='signatur'),
        ),
        migrations.AddField(
            model_name='historicaljav',
            name='history_prev_mac',
            field=models.CharField(blank=True, default='', editable=False, max_length=64, verbose_name='föregående rads signatur'),
        ),
        migrations.AddField(
            model_name='historicaljustering',
            name='history_key_id',
            field=models.CharField(blank=True, default='', editable=False, max_length=32, verbose_name='nyckel'),
        ),
        migrations.AddField(
            model_name='historicaljustering',
            name='history_mac',
            field=models.CharField(blank=True, default='', editable=False, max_length=64, verbose_name='signatur'),
        ),
        migrations.AddField(
            model_name='historicaljustering',
            name='history_prev_mac',
            field=models.CharField(blank=True, default='', editable=False, max_length=64, verbose_name='föregående rads signatur'),
        ),
        migrations.AddField(
            model_name='historicalkallelsemottagare',
            name='history_key_id',
            field=models.CharField(blank=True, default='', editable=False, max_length=32, verbose_name='nyckel'),
        ),
        migrations.AddField(
            model_name='historicalkallelsemottagare',
            name='history_mac',
            field=models.CharField(blank=True, default='', editable=False, max_length=64, verbose_name='signatur'),
        ),
        migrations.AddField(
            model_name='historicalkallelsemottagare',
            name='history_prev_mac',
            field=models.CharField(blank=True, default='', editable=False, max_length=64, verbose_name='föregående rads signatur'),
        ),
        migrations.AddField(
            model_name='historicalmottagare',
            name='history_key_id',
            field=models.CharField(blank=True, default='', editable=False, max_length=32, verbose_name='nyckel'),
        ),
        migrations.AddField(
            model_name='historicalmottagare',
            name='history_mac',
            field=models.CharField(blank=True, default='', editable=False, max_length=64, verbose_name='signatur'),
        ),
        migrations.AddField(
            model_name='historicalmottagare',
            name='history_prev_mac',
            field=models.CharField(blank=True, default='', editable=False, max_length=64, verbose_name='föregående rads signatur'),
        ),
        migrations.AddField(
            model_name='historicalorgan',
            name='history_key_id',
            field=models.CharField(blank=True, default='', editable=False, max_length=32, verbose_name='nyckel'),
        ),
        migrations.AddField(
            model_name='historicalorgan',
            name='history_mac',
            field=models.CharField(blank=True, default='', editable=False, max_length=64, verbose_name='signatur'),
        ),
        migrations.AddField(
            model_name='historicalorgan',
            name='history_prev_mac',
            field=models.CharField(blank=True, default='', editable=False, max_length=64, verbose_name='föregående rads signatur'),
        ),
        migrations.AddField(
            model_name='historicalperson',
            name='history_key_id',
            field=models.CharField(blank=True, default='', editable=False, max_length=32, verbose_name='nyckel'),
        ),
        migrations.AddField(
            model_name='historicalperson',
            name='history_mac',
            field=models.CharField(blank=True, default='', editable=False, max_length=64, verbose_name='signatur'),
        ),
        migrations.AddField(
            model_name='historicalperson',
            name='history_prev_mac',
            field=models.CharField(blank=True, default='', editable=False, max_length=64, verbose_name='föregående rads signatur'),
        ),
        migrations.AddField(
            model_name='historicalpunkt',
            name='history_key_id',
            field=models.CharField(blank=True, default='', editable=False, max_length=32, verbose_name='nyckel'),
        ),
        migrations.AddField(
            model_name='historicalpunkt',
            name='history_mac',
            field=models.CharField(blank=True, default='', editable=False, max_length=64, verbose_name='signatur'),
        ),
        migrations.AddField(
            model_name='historicalpunkt',
            name='history_prev_mac',
            field=models.CharField(blank=True, default='', editable=False, max_length=64, verbose_name='föregående rads signatur'),
        ),
        migrations.AddField(
            model_name='historicalrattelse',
            name='history_key_id',
            field=models.CharField(blank=True, default='', editable=False, max_length=32, verbose_name='nyckel'),
        ),
        migrations.AddField(
            model_name='historicalrattelse',
            name='history_mac',
            field=models.CharField(blank=True, default='', editable=False, max_length=64, verbose_name='signatur'),
        ),
        migrations.AddField(
            model_name='historicalrattelse',
            name='history_prev_mac',
            field=models.CharField(blank=True, default='', editable=False, max_length=64, verbose_name='föregående rads signatur'),
        ),
        migrations.AddField(
            model_name='historicalreservation',
            name='history_key_id',
            field=models.CharField(blank=True, default='', editable=False, max_length=32, verbose_name='nyckel'),
        ),
        migrations.AddField(
            model_name='historicalreservation',
            name='history_mac',
            field=models.CharField(blank=True, default='', editable=False, max_length=64, verbose_name='signatur'),
        ),
        migrations.AddField(
            model_name='historicalreservation',
            name='history_prev_mac',
            field=models.CharField(blank=True, default='', editable=False, max_length=64, verbose_name='föregående rads signatur'),
        ),
        migrations.AddField(
            model_name='historicalsammantrade',
            name='history_key_id',
            field=models.CharField(blank=True, default='', editable=False, max_length=32, verbose_name='nyckel'),
        ),
        migrations.AddField(
            model_name='historicalsammantrade',
            name='history_mac',
            field=models.CharField(blank=True, default='', editable=False, max_length=64, verbose_name='signatur'),
        ),
        migrations.AddField(
            model_name='historicalsammantrade',
            name='history_prev_mac',
            field=models.CharField(blank=True, default='', editable=False, max_length=64, verbose_name='föregående rads signatur'),
        ),
        migrations.AddField(
            model_name='historicaltjansteskrivelse',
            name='history_key_id',
            field=models.CharField(blank=True, default='', editable=False, max_length=32, verbose_name='nyckel'),
        ),
        migrations.AddField(
            model_name='historicaltjansteskrivelse',
            name='history_mac',
            field=models.CharField(blank=True, default='', editable=False, max_length=64, verbose_name='signatur'),
        ),
        migrations.AddField(
            model_name='historicaltjansteskrivelse',
            name='history_prev_mac',
            field=models.CharField(blank=True, default='', editable=False, max_length=64, verbose_name='föregående rads signatur'),
        ),
        migrations.AddField(
            model_name='historicaluppdrag',
            name='history_key_id',
            field=models.CharField(blank=True, default='', editable=False, max_length=32, verbose_name='nyckel'),
        ),
        migrations.AddField(
            model_name='historicaluppdrag',
            name='history_mac',
            field=models.CharField(blank=True, default='', editable=False, max_length=64, verbose_name='signatur'),
        ),
        migrations.AddField(
            model_name='historicaluppdrag',
            name='history_prev_mac',
            field=models.CharField(blank=True, default='', editable=False, max_length=64, verbose_name='föregående rads signatur'),
        ),
        migrations.AddField(
            model_name='historicalvotering',
            name='history_key_id',
            field=models.CharField(blank=True, default='', editable=False, max_length=32, verbose_name='nyckel'),
        ),
        migrations.AddField(
            model_name='historicalvotering',
            name='history_mac',
            field=models.CharField(blank=True, default='', editable=False, max_length=64, verbose_name='signatur'),
        ),
        migrations.AddField(
            model_name='historicalvotering',
            name='history_prev_mac',
            field=models.CharField(blank=True, default='', editable=False, max_length=64, verbose_name='föregående rads signatur'),
        ),
        migrations.AddField(
            model_name='historicalyrkande',
            name='history_key_id',
            field=models.CharField(blank=True, default='', editable=False, max_length=32, verbose_name='nyckel'),
        ),
        migrations.AddField(
            model_name='historicalyrkande',
            name='history_mac',
            field=models.CharField(blank=True, default='', editable=False, max_length=64, verbose_name='signatur'),
        ),
        migrations.AddField(
            model_name='historicalyrkande',
            name='history_prev_mac',
            field=models.CharField(blank=True, default='', editable=False, max_length=64, verbose_name='föregående rads signatur'),
        ),
        migrations.AddField(
            model_name='historicalyttrande',
            name='history_key_id',
            field=models.CharField(blank=True, default='', editable=False, max_length=32, verbose_name='nyckel'),
        ),
        migrations.AddField(
            model_name='historicalyttrande',
            name='history_mac',
            field=models.CharField(blank=True, default='', editable=False, max_length=64, verbose_name='signatur'),
        ),
        migrations.AddField(
            model_name='historicalyttrande',
            name='history_prev_mac',
            field=models.CharField(blank=True, default='', editable=False, max_length=64, verbose_name='föregående rads signatur'),
        ),
        migrations.RunPython(sign_existing, migrations.RunPython.noop),
    ]
