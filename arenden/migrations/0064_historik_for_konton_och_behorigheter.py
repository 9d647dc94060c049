"""The accounts get a signed field history (their flags: superuser, staff, active), and each
Django permission given to an account or a group is mirrored in a Tilldelning with its own
signed history (arenden.konto.behorigheter). Each account and each permission given there
is gets a signed first row ("fanns innan historiken fördes"); on PostgreSQL the two new
history tables refuse DELETE, as the others do (0056)."""

import django.contrib.auth.validators
import django.db.models.deletion
import django.utils.timezone
import simple_history.models
from django.conf import settings
from django.db import migrations, models

from workflow import fieldhistory

ORSAK = "fanns innan historiken fördes"
HISTORIK = ["HistoricalUser", "HistoricalTilldelning"]


def forsta_raderna(apps, schema_editor):
    alias = schema_editor.connection.alias
    konton = apps.get_model("arenden", "HistoricalUser")
    # the tracked model is auth's, not this app's (record_unrecorded looks for it by name
    # in the historical model's own app otherwise)
    konton.instance_type = apps.get_model("auth", "User")
    fieldhistory.record_unrecorded(konton, alias, ORSAK)
    tilldelning = apps.get_model("arenden", "Tilldelning")
    anvandare = apps.get_model("auth", "User")
    grupp = apps.get_model("auth", "Group")
    tilldelning.objects.using(alias).bulk_create(
        [
            tilldelning(anvandare_id=a, behorighet_id=b)
            for a, b in anvandare.user_permissions.through.objects.using(alias).values_list(
                "user_id", "permission_id"
            )
        ]
        + [
            tilldelning(grupp_id=g, behorighet_id=b)
            for g, b in grupp.permissions.through.objects.using(alias).values_list(
                "group_id", "permission_id"
            )
        ]
    )
    fieldhistory.record_unrecorded(
        apps.get_model("arenden", "HistoricalTilldelning"), alias, ORSAK
    )


def skydda(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for namn in HISTORIK:
        tabell = schema_editor.quote_name(apps.get_model("arenden", namn)._meta.db_table)
        schema_editor.execute(
            f"CREATE TRIGGER historik_ingen_delete BEFORE DELETE ON {tabell} "
            "FOR EACH ROW EXECUTE FUNCTION historik_tas_inte_bort()",
            params=None,
        )


def ta_bort_skydd(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for namn in HISTORIK:
        tabell = schema_editor.quote_name(apps.get_model("arenden", namn)._meta.db_table)
        schema_editor.execute(
            f"DROP TRIGGER IF EXISTS historik_ingen_delete ON {tabell}", params=None
        )


class Migration(migrations.Migration):

    dependencies = [
        ('arenden', '0063_historik_for_grupper'),
        ('auth', '0012_alter_user_first_name_max_length'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='HistoricalTilldelning',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('history_key_id', models.CharField(blank=True, default='', editable=False, max_length=32, verbose_name='nyckel')),
                ('history_prev_mac', models.CharField(blank=True, default='', editable=False, max_length=64, verbose_name='föregående rads signatur')),
                ('history_mac', models.CharField(blank=True, default='', editable=False, max_length=64, verbose_name='signatur')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('anvandare', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='användare')),
                ('behorighet', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='auth.permission', verbose_name='behörighet')),
                ('grupp', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='auth.group', verbose_name='grupp')),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'historical tilldelad behörighet',
                'verbose_name_plural': 'historical tilldelade behörigheter',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='HistoricalUser',
            fields=[
                ('id', models.IntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('is_superuser', models.BooleanField(default=False, help_text='Designates that this user has all permissions without explicitly assigning them.', verbose_name='superuser status')),
                ('username', models.CharField(db_index=True, error_messages={'unique': 'A user with that username already exists.'}, help_text='Required. 150 characters or fewer. Letters, digits and @/./+/-/_ only.', max_length=150, validators=[django.contrib.auth.validators.UnicodeUsernameValidator()], verbose_name='username')),
                ('first_name', models.CharField(blank=True, max_length=150, verbose_name='first name')),
                ('last_name', models.CharField(blank=True, max_length=150, verbose_name='last name')),
                ('email', models.EmailField(blank=True, max_length=254, verbose_name='email address')),
                ('is_staff', models.BooleanField(default=False, help_text='Designates whether the user can log into this admin site.', verbose_name='staff status')),
                ('is_active', models.BooleanField(default=True, help_text='Designates whether this user should be treated as active. Unselect this instead of deleting accounts.', verbose_name='active')),
                ('date_joined', models.DateTimeField(default=django.utils.timezone.now, verbose_name='date joined')),
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
                'verbose_name': 'historical user',
                'verbose_name_plural': 'historical users',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='Tilldelning',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('anvandare', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='användare')),
                ('behorighet', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='auth.permission', verbose_name='behörighet')),
                ('grupp', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='auth.group', verbose_name='grupp')),
            ],
            options={
                'verbose_name': 'tilldelad behörighet',
                'verbose_name_plural': 'tilldelade behörigheter',
                'constraints': [models.CheckConstraint(condition=models.Q(('anvandare__isnull', True), ('grupp__isnull', True), _connector='XOR'), name='tilldelning_en_mottagare'), models.UniqueConstraint(fields=('anvandare', 'behorighet'), name='tilldelning_unik_for_anvandare'), models.UniqueConstraint(fields=('grupp', 'behorighet'), name='tilldelning_unik_for_grupp')],
            },
        ),
        migrations.RunPython(forsta_raderna, migrations.RunPython.noop),
        migrations.RunPython(skydda, ta_bort_skydd),
    ]
