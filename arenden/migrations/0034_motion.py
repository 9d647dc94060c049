"""Motioner and medborgarförslag (KL 5 kap. 22 och 35 §§, 8 kap. 1 §): when and by whom
they were väckta, the standing item of their anmälan, and the right to see their bevakning
(``arenden.view_motion``) for the registrator, the nämndsekreterare and the stabschef."""

from django.contrib.auth.management import create_permissions
import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('arenden', '0033_genererat_dokument'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='historicalpunkt',
            name='typ',
            field=models.CharField(choices=[('arende', 'ärende'), ('foredragningslista', 'godkännande av föredragningslistan'), ('foregaende_protokoll', 'föregående protokoll'), ('aktuellt', 'aktuellt'), ('ovriga_fragor', 'övriga frågor'), ('nasta_mote', 'nästa möte'), ('anmalan_delegationsbeslut', 'anmälan av delegationsbeslut'), ('anmalan_motioner', 'anmälan av motioner som inte beretts färdigt'), ('ovrigt', 'annan punkt')], default='arende', max_length=30, verbose_name='typ'),
        ),
        migrations.AlterField(
            model_name='punkt',
            name='typ',
            field=models.CharField(choices=[('arende', 'ärende'), ('foredragningslista', 'godkännande av föredragningslistan'), ('foregaende_protokoll', 'föregående protokoll'), ('aktuellt', 'aktuellt'), ('ovriga_fragor', 'övriga frågor'), ('nasta_mote', 'nästa möte'), ('anmalan_delegationsbeslut', 'anmälan av delegationsbeslut'), ('anmalan_motioner', 'anmälan av motioner som inte beretts färdigt'), ('ovrigt', 'annan punkt')], default='arende', max_length=30, verbose_name='typ'),
        ),
        migrations.CreateModel(
            name='HistoricalMotion',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('history_key_id', models.CharField(blank=True, default='', editable=False, max_length=32, verbose_name='nyckel')),
                ('history_prev_mac', models.CharField(blank=True, default='', editable=False, max_length=64, verbose_name='föregående rads signatur')),
                ('history_mac', models.CharField(blank=True, default='', editable=False, max_length=64, verbose_name='signatur')),
                ('vackt', models.DateField(help_text='Dagen motionen eller förslaget lämnades in eller väcktes i fullmäktige.', verbose_name='väckt')),
                ('namn', models.CharField(blank=True, max_length=300, verbose_name='namn')),
                ('parti', models.CharField(blank=True, max_length=10, verbose_name='parti')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('anmald_punkt', models.ForeignKey(blank=True, db_constraint=False, editable=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='arenden.punkt', verbose_name='anmäld under')),
                ('arende', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='arenden.arende', verbose_name='ärende')),
                ('fullmaktige', models.ForeignKey(blank=True, db_constraint=False, limit_choices_to={'typ': 'fullmaktige'}, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='arenden.organ', verbose_name='fullmäktige')),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('ledamot', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='arenden.person', verbose_name='ledamot')),
                ('vackt_vid', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='arenden.sammantrade', verbose_name='väckt vid sammanträdet')),
            ],
            options={
                'verbose_name': 'historical motion eller medborgarförslag',
                'verbose_name_plural': 'historical motioner och medborgarförslag',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='Motion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('vackt', models.DateField(help_text='Dagen motionen eller förslaget lämnades in eller väcktes i fullmäktige.', verbose_name='väckt')),
                ('namn', models.CharField(blank=True, max_length=300, verbose_name='namn')),
                ('parti', models.CharField(blank=True, max_length=10, verbose_name='parti')),
                ('anmald_punkt', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='anmalda_motioner', to='arenden.punkt', verbose_name='anmäld under')),
                ('arende', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='motion', to='arenden.arende', verbose_name='ärende')),
                ('fullmaktige', models.ForeignKey(limit_choices_to={'typ': 'fullmaktige'}, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='arenden.organ', verbose_name='fullmäktige')),
                ('ledamot', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='arenden.person', verbose_name='ledamot')),
                ('vackt_vid', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='arenden.sammantrade', verbose_name='väckt vid sammanträdet')),
            ],
            options={
                'verbose_name': 'motion eller medborgarförslag',
                'verbose_name_plural': 'motioner och medborgarförslag',
                'ordering': ['vackt', 'pk'],
                'constraints': [models.CheckConstraint(condition=models.Q(('ledamot__isnull', False), models.Q(('namn', ''), _negated=True), _connector='OR'), name='motion_vackt_av')],
            },
        ),
    ]


#: the groups that watch the one-year clock (arenden.organisation.roles.BEVAKA_MOTIONER)
GRUPPER = ("Registrator", "Nämndsekreterare", "Stabschef")


def ge_ratt(apps, schema_editor):
    for config in apps.get_app_configs():
        config.models_module = True
        create_permissions(config, verbosity=0, apps=apps)
        config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ratt = Permission.objects.get(content_type__app_label="arenden", codename="view_motion")
    for namn in GRUPPER:
        Group.objects.get_or_create(name=namn)[0].permissions.add(ratt)


def ta_ratt(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for grupp in Group.objects.filter(name__in=GRUPPER):
        grupp.permissions.remove(
            *Permission.objects.filter(content_type__app_label="arenden", codename="view_motion")
        )


Migration.operations.append(migrations.RunPython(ge_ratt, ta_ratt))
