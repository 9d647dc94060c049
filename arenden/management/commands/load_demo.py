from django.core.management.base import BaseCommand
from django.db import transaction

from arenden import demo
from workflow.context import acting_as


class Command(BaseCommand):
    help = (
        "Skapar demodata: organ, enheter, roller, demoanvändare och ärendena ur "
        "seed-dokumenten. Idempotent: en andra körning ändrar ingenting."
    )

    def handle(self, *args, **options):
        from django.conf import settings
        from django.core.management.base import CommandError

        if getattr(settings, "PRODUCTION", False):
            # it creates users with a known password, admin among them
            raise CommandError("Demodata läses inte in i produktionsläge.")
        self._ladda()

    @transaction.atomic
    def _ladda(self):
        from django.contrib.auth.models import User
        from django.db.models import Max

        from arenden.gemensamt.utskick import Utskick
        from arenden.sammantraden.models import Kallelsemottagare

        # the seed cases are history: nobody is to be told by e-mail that they were assigned
        # or summoned, so what the steps put in the outbox is taken out again before the
        # load commits (and nothing is sent)
        fore = Utskick.objects.aggregate(senaste=Max("pk"))["senaste"] or 0
        admin, created = User.objects.get_or_create(
            username="admin", defaults={"is_staff": True, "is_superuser": True}
        )
        if created:
            admin.set_password(demo.DEMO_PASSWORD)
            admin.save()
        # organisation changes made by the command are recorded as the admin's
        with acting_as(admin):
            folk = demo.bygg_organisation()
        with acting_as(folk.sekreterare):
            demo.delegationsordning(folk)
        for diarienummer, arende, skapat in demo.ladda(folk):
            verb = "skapat" if skapat else "fanns redan"
            self.stdout.write(f"{diarienummer}: {verb} ({arende.status_titel})")
        # the demo tells nobody: its e-mails go, and a kallelse's mottagare keep no link to one
        Kallelsemottagare.objects.filter(utskick__pk__gt=fore).update(utskick=None)
        Utskick.objects.filter(pk__gt=fore).delete()

        self.stdout.write(f"Demoinloggningar (lösenord för alla: {demo.DEMO_PASSWORD}):")
        for username, first, last, role, places in demo.DEMO_USERS:
            where = f" i {', '.join(places)}" if places else ""
            self.stdout.write(f"  {username:<14} {first} {last} ({role}{where})")
        for username, namn in demo.SVO_UNDERTECKNARE:
            self.stdout.write(f"  {username:<14} {namn} (justerar protokollet i HSN 418-2-2021)")
        for username, namn, _roll, _justerare in demo.HSN_787_UNDERTECKNARE:
            self.stdout.write(f"  {username:<14} {namn} (justerar HSN:s protokoll)")
        for username, namn, _roll, _justerare in demo.RS_UNDERTECKNARE:
            self.stdout.write(f"  {username:<14} {namn} (justerar RS:s protokoll)")
        self.stdout.write("  admin          konfiguration i /admin/ (endast inställningar)")
