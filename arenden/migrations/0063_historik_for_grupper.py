"""The groups (a role for the whole organisation, by its name) get a signed field history:
a group renamed in the database beside the system gave its members another role unseen.
Each group there is gets a signed first row ("fanns innan historiken fördes"); on
PostgreSQL the new history table refuses DELETE, as the others do (0056)."""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


from workflow import fieldhistory

ORSAK = "fanns innan historiken fördes"


def forsta_raderna(apps, schema_editor):
    historik = apps.get_model("arenden", "HistoricalGroup")
    # the tracked model is auth's, not this app's (record_unrecorded looks for it by name
    # in the historical model's own app otherwise)
    historik.instance_type = apps.get_model("auth", "Group")
    fieldhistory.record_unrecorded(historik, schema_editor.connection.alias, ORSAK)


def skydda(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    tabell = schema_editor.quote_name(apps.get_model("arenden", "HistoricalGroup")._meta.db_table)
    schema_editor.execute(
        f"CREATE TRIGGER historik_ingen_delete BEFORE DELETE ON {tabell} "
        "FOR EACH ROW EXECUTE FUNCTION historik_tas_inte_bort()",
        params=None,
    )


def ta_bort_skydd(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    tabell = schema_editor.quote_name(apps.get_model("arenden", "HistoricalGroup")._meta.db_table)
    schema_editor.execute(f"DROP TRIGGER IF EXISTS historik_ingen_delete ON {tabell}", params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('arenden', '0062_historik_for_oidc_identitet'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='HistoricalGroup',
            fields=[
                ('id', models.IntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('name', models.CharField(db_index=True, max_length=150, verbose_name='name')),
                ('history_key_id', models.CharField(blank=True, default='', editable=False, max_length=32, verbose_name='nyckel')),
                ('history_prev_mac', models.CharField(blank=True, default='', editable=False, max_length=64, verbose_name='föregående rads signatur')),
                ('history_mac', models.CharField(blank=True, default='', editable=False, max_length=64, verbose_name='signatur')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'historical group',
                'verbose_name_plural': 'historical groups',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.RunPython(forsta_raderna, migrations.RunPython.noop),
        migrations.RunPython(skydda, ta_bort_skydd),
    ]
