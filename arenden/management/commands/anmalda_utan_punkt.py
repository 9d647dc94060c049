"""Ärenden anmälda without an item on any föredragningslista: before 2026-12-06 the Anmäl
button, the API and the Anmäl task took the step without one. Such an ärende has no way on
(its beslut is recorded under its item) and opens its secret content to the nämndsekreterare
(flows.arende.PA_MOTET). Run once after the upgrade:

manage.py anmalda_utan_punkt                        # lists them
manage.py anmalda_utan_punkt --stryk --som sekr     # takes each back to beredd, as ``sekr``
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Exists, OuterRef

from arenden.diarium.models import Arende
from arenden.management.som import anvandaren
from arenden.sammantraden.models import Punkt
from flows.namn import ArendeStatus, ArendeSteg
from workflow.engine import do_transition
from workflow.middleware import REFUSALS

MOTIVERING = (
    "Anmält utan en punkt på någon föredragningslista; anmälan tas tillbaka och ärendet är "
    "berett igen, för att sättas upp på ett sammanträde."
)


def utan_punkt():
    """Anmälda ärenden with no item that waits for the nämnd's beslut."""
    vantar = Punkt.objects.oavgjorda().filter(arende=OuterRef("pk"))
    return Arende.objects.filter(state=ArendeStatus.ANMALT).exclude(Exists(vantar))


class Command(BaseCommand):
    help = (
        "Listar ärenden som är anmälda utan en punkt på någon föredragningslista och tar, med "
        "--stryk, tillbaka anmälan (steget Stryk, av en nämndsekreterare) så att de är beredda."
    )

    def add_arguments(self, parser):
        parser.add_argument("--stryk", action="store_true", help="Ta tillbaka anmälan.")
        parser.add_argument(
            "--som", help="Användarnamnet på nämndsekreteraren som tar steget (krävs med --stryk)."
        )

    def handle(self, *args, **opts):
        arenden = list(utan_punkt().select_related("organ").order_by("pk"))
        if opts["stryk"]:
            user = anvandaren(opts["som"], vem="nämndsekreteraren som tar steget")
        kvar = 0
        for arende in arenden:
            if not opts["stryk"]:
                self.stdout.write(f"anmält utan punkt: {arende.diarienummer} ({arende.organ.kod})")
                continue
            try:
                with transaction.atomic():
                    do_transition(arende, ArendeSteg.STRYK, user, MOTIVERING)
            except REFUSALS as err:
                kvar += 1
                self.stderr.write(f"{arende.diarienummer}: {err}")
            else:
                self.stdout.write(f"tillbaka till beredd: {arende.diarienummer}")
        if opts["stryk"]:
            self.stdout.write(f"{len(arenden) - kvar} av {len(arenden)} ärenden är beredda igen.")
            if kvar:
                raise CommandError(f"{kvar} ärenden kunde inte tas tillbaka (se ovan).")
        else:
            self.stdout.write(f"{len(arenden)} ärenden är anmälda utan punkt.")
