"""Handlingar in a sekretessmarkerat ärende whose offentlig titel names the ärende's mening:
before 2026-12-07 a tjänsteskrivelse marked with its underlag took its title, "Tjänsteskrivelse
<mening>", as its offentlig titel, and kept it when the ärende was marked afterwards; every page
that shows the masked title showed the protected mening (OSL 5 kap. 5 §). Marking an ärende
now takes the mening out (:func:`arenden.dokument.harledd.offentliga_titlar_utan_meningen`);
this mends those marked before. Run once after the upgrade:

manage.py offentliga_titlar                       # lists them, by beteckning only
manage.py offentliga_titlar --ratta --som reg     # mends each, as ``reg``, in the field history
"""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction

from arenden.diarium.models import Arende, Handling
from arenden.dokument import harledd
from arenden.management.som import anvandaren


def med_meningen():
    """The handlingar of marked ärenden whose offentlig titel names the mening."""
    rader = (
        Handling.objects.filter(arende__sekretess_lagrum__gt="")
        .exclude(offentlig_titel="")
        .select_related("arende")
        .order_by("arende_id", "nummer")
    )
    meningar: dict[int, list[str]] = {}  # each ärende's meningar read once, not per handling
    svar = []
    for h in rader:
        if h.arende_id not in meningar:
            meningar[h.arende_id] = harledd.meningar(h.arende)
        if harledd.utan_meningen(h.offentlig_titel, h.arende, meningar[h.arende_id]) != (
            h.offentlig_titel
        ):
            svar.append(h)
    return svar


class Command(BaseCommand):
    help = (
        "Listar handlingar i sekretessmarkerade ärenden vars offentliga titel nämner ärendets "
        "mening och tar, med --ratta, bort meningen ur den (med ändringen i fälthistoriken)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--ratta", action="store_true", help="Ta bort meningen.")
        parser.add_argument("--som", help="Användarnamnet på den som rättar (krävs med --ratta).")

    def handle(self, *args, **opts):
        handlingar = med_meningen()
        for handling in handlingar:
            # the beteckning only: the title is what is protected
            self.stdout.write(f"offentlig titel nämner ärendets mening: {handling.beteckning}")
        if not opts["ratta"]:
            self.stdout.write(f"{len(handlingar)} handlingar.")
            return
        user = anvandaren(opts["som"], vem="den som rättar")
        rattade = 0
        for pk in sorted({h.arende_id for h in handlingar}):
            with transaction.atomic():
                arende = Arende.objects.select_for_update().get(pk=pk)
                rattade += len(harledd.offentliga_titlar_utan_meningen(arende, user))
        self.stdout.write(f"{rattade} handlingar rättade.")
