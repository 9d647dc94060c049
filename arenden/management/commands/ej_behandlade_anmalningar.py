"""Delegationsbeslut and motioner shown as anmälda at a standing item the meeting did not
handle (bordlagd, återremitterad, not beslutfört): before 2026-12-07 the item kept them, so
each was shown as anmält there with its § once the protokoll was justerat, and no later
kallelse listed it (KL 6 kap. 40 §, 5 kap. 35 §). Run once after the upgrade:

manage.py ej_behandlade_anmalningar                        # lists them
manage.py ej_behandlade_anmalningar --lossa --som sekr     # unties them, as ``sekr``

Untied, each is listed by the next kallelse of its organ (arenden.sammantraden.protokoll.
lossa_anmalan, as the meeting now does when it puts an anmälan off).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction

from arenden.management.som import anvandaren
from arenden.sammantraden import protokoll
from arenden.sammantraden.models import Punkt

ORSAK = "anmälan behandlades inte vid sammanträdet; anmäls vid nästa"


class Command(BaseCommand):
    help = (
        "Listar delegationsbeslut och motioner som står som anmälda under en anmälningspunkt "
        "som sammanträdet inte behandlade (bordlagd, återremitterad, ej beslutfört) och "
        "lossar dem, med --lossa, så att nästa kallelse tar upp dem."
    )

    def add_arguments(self, parser):
        parser.add_argument("--lossa", action="store_true", help="Lossa dem från punkten.")
        parser.add_argument(
            "--som", help="Användarnamnet på den som gör ändringen (krävs med --lossa)."
        )

    def handle(self, *args, **opts):
        user = None
        if opts["lossa"]:
            user = anvandaren(opts["som"], vem="den som gör ändringen")
        punkter = list(protokoll.ej_behandlade_anmalningar())
        for punkt in punkter:
            vad = f"{punkt.sammantrade}, punkt {punkt.beteckning} ({punkt.get_utfall_display()})"
            if user is None:
                self.stdout.write(f"anmälan inte behandlad: {vad}")
                continue
            with transaction.atomic():
                punkt = Punkt.objects.select_for_update().get(pk=punkt.pk)
                beslut, motioner = protokoll.lossa_anmalan(punkt, user=user, orsak=ORSAK)
            self.stdout.write(
                f"lossade från {vad}: {len(beslut)} delegationsbeslut, {len(motioner)} motioner"
            )
        self.stdout.write(f"{len(punkter)} anmälningspunkter som inte behandlades.")
