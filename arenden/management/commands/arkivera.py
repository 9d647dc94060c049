"""``manage.py arkivera``: file the documents steps drew up that are still waiting (from cron,
when no worker runs the beat job; or after a broker outage). Each filing is made once: one
that a worker is making now waits for it and is then found done."""

from django.core.management.base import BaseCommand

from arenden.dokument import arkivering


class Command(BaseCommand):
    help = "Gör och arkiverar de dokument som steg har upprättat och som ännu väntar."

    def add_arguments(self, parser):
        parser.add_argument(
            "--minuter",
            type=int,
            default=0,
            help="bara de som har väntat minst så många minuter (standard: alla)",
        )

    def handle(self, *args, minuter=0, **options):
        kvar = arkivering.Arkivering.objects.filter(klar__isnull=True)
        if minuter:
            kvar = kvar.filter(
                skapad__lt=arkivering.timezone.now()
                - arkivering.datetime.timedelta(minutes=minuter)
            )
        gjorda = sum(
            arkivering.utfor(pk) for pk in kvar.order_by("pk").values_list("pk", flat=True)
        )
        self.stdout.write(f"{gjorda} arkiveringar gjorda.")
