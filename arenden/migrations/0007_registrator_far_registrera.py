"""The registrator's right to open the registration page (``arenden.add_arende``); which
organ's series they may register in is still asked of their roles by the service."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def skapa(apps, schema_editor):
    for config in apps.get_app_configs():
        config.models_module = True
        create_permissions(config, verbosity=0, apps=apps)
        config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    registrator, _ = Group.objects.get_or_create(name="Registrator")
    registrator.permissions.add(
        Permission.objects.get(content_type__app_label="arenden", codename="add_arende")
    )


def ta_bort(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name="Registrator"):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="arenden", codename="add_arende")
        )


class Migration(migrations.Migration):
    dependencies = [("arenden", "0006_sokord_postgresql")]

    operations = [migrations.RunPython(skapa, ta_bort)]
