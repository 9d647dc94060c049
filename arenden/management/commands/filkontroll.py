"""``manage.py filkontroll``: do the stored files and the handlingar agree?

A file is kept only with its row. A file whose row was never committed (an outer
transaction rolled back, a worker killed between writing the file and committing) is a
stray; a row whose file is gone is a loss. Both are reported; ``--ta-bort`` deletes strays
older than ``--aldre-an`` minutes (younger ones may belong to a transaction still running).
Exits with an error when a file is missing."""

import os
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from arenden.diarium.models import Handling

KATALOG = "handlingar"


class Command(BaseCommand):
    help = "Jämför lagrade filer med handlingarna: filer utan handling och handlingar utan fil."

    def add_arguments(self, parser):
        parser.add_argument("--ta-bort", action="store_true", help="ta bort filer utan handling")
        parser.add_argument(
            "--aldre-an",
            type=int,
            default=60,
            help="ta bara bort filer äldre än så många minuter (standard 60)",
        )

    def handle(self, *args, ta_bort=False, aldre_an=60, **options):
        rot = Path(settings.MEDIA_ROOT)
        kanda = set(Handling.objects.exclude(fil="").values_list("fil", flat=True))
        lagrade = set()
        if (rot / KATALOG).is_dir():
            for path in (rot / KATALOG).rglob("*"):
                if path.is_file():
                    lagrade.add(path.relative_to(rot).as_posix())
        losa = sorted(lagrade - kanda)
        saknas = sorted(kanda - lagrade)
        grans = time.time() - aldre_an * 60
        borttagna = 0
        for namn in losa:
            path = rot / namn
            gammal = path.stat().st_mtime < grans
            if ta_bort and gammal:
                os.remove(path)
                borttagna += 1
                self.stdout.write(f"borttagen, utan handling: {namn}")
            else:
                self.stdout.write(f"utan handling: {namn}")
        for namn in saknas:
            self.stdout.write(self.style.ERROR(f"handlingens fil saknas: {namn}"))
        self.stdout.write(
            f"{len(lagrade)} filer, {len(kanda)} handlingar med fil: {len(losa)} utan handling "
            f"({borttagna} borttagna), {len(saknas)} handlingar vars fil saknas."
        )
        if saknas:
            raise CommandError(f"{len(saknas)} handlingar saknar sin fil.")
