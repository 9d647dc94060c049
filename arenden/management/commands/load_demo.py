from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand
from django.db import transaction

from arenden import roles

DEMO_PASSWORD = "demo-2025"

#: username, first name, last name, global role
DEMO_USERS = [
    ("stabschef", "Yvonne", "Nygren", roles.STABSCHEF),
    ("handlaggare", "Henrik", "Ångström", roles.HANDLAGGARE),
    ("sekreterare", "Maria", "Lindqvist", roles.NAMNDSEKRETERARE),
    ("registrator", "Lars", "Berg", roles.REGISTRATOR),
    ("revisor", "Karin", "Holm", roles.REVISOR),
]


class Command(BaseCommand):
    help = "Skapar demodata: roller, demoanvändare (och ärendena ur seed-dokumenten). Idempotent."

    @transaction.atomic
    def handle(self, *args, **options):
        for role in roles.ALL:
            Group.objects.get_or_create(name=role)
        for username, first, last, role in DEMO_USERS:
            user, created = User.objects.get_or_create(
                username=username, defaults={"first_name": first, "last_name": last}
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
                user.groups.add(Group.objects.get(name=role))
        admin, created = User.objects.get_or_create(
            username="admin", defaults={"is_staff": True, "is_superuser": True}
        )
        if created:
            admin.set_password(DEMO_PASSWORD)
            admin.save()

        self.stdout.write(f"Demoinloggningar (lösenord för alla: {DEMO_PASSWORD}):")
        for username, first, last, role in DEMO_USERS:
            self.stdout.write(f"  {username:<12} {first} {last} ({role})")
        self.stdout.write("  admin        konfiguration i /admin/ (endast inställningar)")
