from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand
from django.db import transaction

from arenden import roles
from arenden.models import Organ
from workflow import roles as workflow_roles

DEMO_PASSWORD = "demo-2025"

#: kod, namn, typ, rapporterar till
ORGAN = [
    ("RF", "Regionfullmäktige", Organ.Typ.FULLMAKTIGE, None),
    ("RS", "Regionstyrelsen", Organ.Typ.STYRELSE, "RF"),
    ("HSN", "Hälso- och sjukvårdsnämnden", Organ.Typ.NAMND, "RS"),
    ("BVA", "Beredning vuxna och äldre", Organ.Typ.BEREDNING, "HSN"),
    ("SVO", "Samråd vård och omsorg", Organ.Typ.SAMVERKANSORGAN, "HSN"),
]

#: username, first name, last name, role, where the role is given (organ kod; None = global)
DEMO_USERS = [
    ("stabschef", "Yvonne", "Nygren", roles.STABSCHEF, "HSN"),
    ("handlaggare", "Henrik", "Ångström", roles.HANDLAGGARE, None),
    ("sekreterare", "Maria", "Lindqvist", roles.NAMNDSEKRETERARE, "HSN"),
    ("registrator", "Lars", "Berg", roles.REGISTRATOR, None),
    ("revisor", "Karin", "Holm", roles.REVISOR, None),
]


class Command(BaseCommand):
    help = "Skapar demodata: roller, demoanvändare (och ärendena ur seed-dokumenten). Idempotent."

    @transaction.atomic
    def handle(self, *args, **options):
        for role in roles.ALL:
            Group.objects.get_or_create(name=role)
        organ = {}
        for kod, namn, typ, over in ORGAN:
            organ[kod], _ = Organ.objects.get_or_create(
                kod=kod,
                defaults={
                    "namn": namn,
                    "typ": typ,
                    "diarieprefix": kod,
                    "rapporterar_till": organ.get(over),
                },
            )
        for username, first, last, role, place in DEMO_USERS:
            user, created = User.objects.get_or_create(
                username=username, defaults={"first_name": first, "last_name": last}
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
            if place:
                # stabschef and nämndsekreterare act for one organ; inherited by its ärenden
                workflow_roles.grant(organ[place], role, user=user)
            elif role != roles.HANDLAGGARE:
                # a handläggare gets the role per ärende, when the stabschef assigns it
                user.groups.add(Group.objects.get(name=role))
        admin, created = User.objects.get_or_create(
            username="admin", defaults={"is_staff": True, "is_superuser": True}
        )
        if created:
            admin.set_password(DEMO_PASSWORD)
            admin.save()

        self.stdout.write(f"Demoinloggningar (lösenord för alla: {DEMO_PASSWORD}):")
        for username, first, last, role, place in DEMO_USERS:
            where = f" i {place}" if place else ""
            self.stdout.write(f"  {username:<12} {first} {last} ({role}{where})")
        self.stdout.write("  admin        konfiguration i /admin/ (endast inställningar)")
