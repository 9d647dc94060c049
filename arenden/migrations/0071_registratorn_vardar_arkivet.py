"""The registrator cares for the archive: the permission ``arenden.arkivvard`` (on the
klassificeringsstruktur, whose plan the archive follows) is asked of whoever a gallring
(arkivlagen 10 §, ``arenden.arkiv.gallring.gallra``) or a delivery to the e-arkiv
(``arenden.arkiv.export.markera_levererat``) records as having done it; before, any active
account could be named. The group Registrator is given it as the system records every
permission it gives (arenden.konto.behorigheter): mirrored in a Tilldelning with a signed
first row."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from workflow import fieldhistory

ORSAK = "registratorn sköter arkivet: gallring och leverans till e-arkivet"
GRUPP = "Registrator"


def ge_ratt(apps, schema_editor):
    alias = schema_editor.connection.alias
    for config in apps.get_app_configs():
        config.models_module = True
        create_permissions(config, verbosity=0, apps=apps, using=alias)
        config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Tilldelning = apps.get_model("arenden", "Tilldelning")
    ratt = Permission.objects.using(alias).get(
        content_type__app_label="arenden", codename="arkivvard"
    )
    grupp, ny = Group.objects.using(alias).get_or_create(name=GRUPP)
    if ny:
        # a group, too, is made with its signed first row (0063)
        grupper = apps.get_model("arenden", "HistoricalGroup")
        grupper.instance_type = Group
        fieldhistory.record_unrecorded(grupper, alias, ORSAK)
    grupp.permissions.add(ratt)
    Tilldelning.objects.using(alias).get_or_create(
        grupp=grupp, behorighet=ratt, defaults={"behorighet_kod": "arenden.arkivvard"}
    )
    fieldhistory.record_unrecorded(
        apps.get_model("arenden", "HistoricalTilldelning"), alias, ORSAK
    )


class Migration(migrations.Migration):
    dependencies = [
        ("arenden", "0070_behorighetens_namn"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="klass",
            options={
                "ordering": ["kod"],
                "permissions": [("arkivvard", "Får gallra och leverera till e-arkivet")],
                "verbose_name": "klass",
                "verbose_name_plural": "klassificeringsstruktur",
            },
        ),
        migrations.RunPython(ge_ratt, migrations.RunPython.noop),
    ]
