"""Which account an identity at an OpenID Connect provider logs in as gets a signed field
history: an identity tied to another account in the database beside the system let whoever
holds it log in as that account, unseen. Each identity tied before gets a signed first row
("fanns innan historiken fördes"); on PostgreSQL the new history table refuses DELETE, as
the others do (0056)."""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


from workflow import fieldhistory

ORSAK = "fanns innan historiken fördes"
TABELL = "historicaloidcidentitet"


def forsta_raderna(apps, schema_editor):
    fieldhistory.record_unrecorded(
        apps.get_model("arenden", TABELL), schema_editor.connection.alias, ORSAK
    )


def skydda(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    tabell = schema_editor.quote_name(apps.get_model("arenden", TABELL)._meta.db_table)
    schema_editor.execute(
        f"CREATE TRIGGER historik_ingen_delete BEFORE DELETE ON {tabell} "
        "FOR EACH ROW EXECUTE FUNCTION historik_tas_inte_bort()",
        params=None,
    )


def ta_bort_skydd(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    tabell = schema_editor.quote_name(apps.get_model("arenden", TABELL)._meta.db_table)
    schema_editor.execute(f"DROP TRIGGER IF EXISTS historik_ingen_delete ON {tabell}", params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('arenden', '0061_utskick_om_arenden'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='HistoricalOidcIdentitet',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('history_key_id', models.CharField(blank=True, default='', editable=False, max_length=32, verbose_name='nyckel')),
                ('history_prev_mac', models.CharField(blank=True, default='', editable=False, max_length=64, verbose_name='föregående rads signatur')),
                ('history_mac', models.CharField(blank=True, default='', editable=False, max_length=64, verbose_name='signatur')),
                ('utfardare', models.CharField(max_length=255, verbose_name='utfärdare (iss)')),
                ('subjekt', models.CharField(max_length=255, verbose_name='subjekt (sub)')),
                ('kopplad', models.DateTimeField(blank=True, editable=False, verbose_name='kopplad')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('anvandare', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='användare')),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'historical identitet hos identitetsleverantör',
                'verbose_name_plural': 'historical identiteter hos identitetsleverantörer',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.RunPython(forsta_raderna, migrations.RunPython.noop),
        migrations.RunPython(skydda, ta_bort_skydd),
    ]
