"""The roles as Django groups, and the revisor's right to read the global audit log."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLLER = (
    "Stabschef",
    "Handläggare",
    "Beredningsansvarig",
    "Nämndsekreterare",
    "Registrator",
    "Revisor",
)


def skapa(apps, schema_editor):
    # permissions are normally made after all migrations; the revisor's must exist now
    for config in apps.get_app_configs():
        config.models_module = True
        create_permissions(config, verbosity=0, apps=apps)
        config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for namn in ROLLER:
        Group.objects.get_or_create(name=namn)
    revisor = Group.objects.get(name="Revisor")
    revisor.permissions.add(
        Permission.objects.get(
            content_type__app_label="workflow", codename="view_workflowhistory"
        )
    )


def ta_bort(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.get(name="Revisor").permissions.clear()


class Migration(migrations.Migration):
    dependencies = [
        ("arenden", "0002_handlingar_beslut_expediering_uppdrag"),
        ("workflow", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(skapa, ta_bort)]
