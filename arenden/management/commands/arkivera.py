"""``manage.py arkivera``: file the documents steps drew up that are still waiting (from cron,
when no worker runs the beat job; or after a broker outage). Each filing is made once: one
that a worker is making now waits for it and is then found done. A filing that has failed as
often as it may (:attr:`~arenden.dokument.arkivering.Arkivering.misslyckad`) waits for the
operator: ``--igen`` tries it again once its cause is mended."""

from django.core.management.base import BaseCommand, CommandError

from arenden.dokument import arkivering, jobb


class Command(BaseCommand):
    help = "Gör och arkiverar de dokument som steg har upprättat och som ännu väntar."

    def add_arguments(self, parser):
        parser.add_argument(
            "--minuter",
            type=int,
            default=0,
            help="bara de som har väntat minst så många minuter (standard: alla)",
        )
        parser.add_argument(
            "--igen",
            action="store_true",
            help=(
                f"försök också de som har misslyckats {jobb.MAX_FORSOK} gånger "
                "(när felet är åtgärdat)"
            ),
        )

    def handle(self, *args, minuter=0, igen=False, **options):
        rader = arkivering.Arkivering.objects
        kvar = rader.vantar() if igen else rader.provas()
        if minuter:
            kvar = kvar.filter(
                skapad__lt=arkivering.timezone.now()
                - arkivering.datetime.timedelta(minutes=minuter)
            )
        pks = list(kvar.order_by("pk").values_list("pk", flat=True))
        gjorda = sum(arkivering.utfor(pk, igen=igen) for pk in pks)
        self.stdout.write(f"{gjorda} arkiveringar gjorda.")
        stoppade = rader.stoppade().count()
        if stoppade:
            raise CommandError(
                f"{stoppade} arkiveringar har misslyckats {jobb.MAX_FORSOK} gånger och väntar "
                "på att felet åtgärdas (se arbetarens logg och admin); kör sedan "
                "manage.py arkivera --igen."
            )
