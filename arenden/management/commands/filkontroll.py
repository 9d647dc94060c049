"""``manage.py filkontroll``: do the stored files and the handlingar agree?

A file is kept only with its row. A file whose row was never committed (an outer
transaction rolled back, a worker killed between writing the file and committing) is a
stray; a row whose file is gone is a loss. Both are reported; ``--ta-bort`` deletes strays
older than ``--aldre-an`` minutes (younger ones may belong to a transaction still running).
Every handling's file and every filed protokoll is read and its SHA-256 compared with the
one recorded when it was filed (whose own history is signed): a file swapped or damaged in
the storage is reported (the downloads refuse it too). Run it from cron beside
``verify_history``. Exits with an error when a file is missing or changed."""

import itertools
import os
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from arenden.diarium.models import Handling
from arenden.diarium.services import filens_summa
from arenden.sammantraden.models import Protokollfil

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
        andrade = self._andrade(rot, set(saknas))
        self.stdout.write(
            f"{len(lagrade)} filer, {len(kanda)} handlingar med fil: {len(losa)} utan handling "
            f"({borttagna} borttagna), {len(saknas)} handlingar vars fil saknas, "
            f"{andrade} arkiverade filer som saknas eller inte stämmer med sin kontrollsumma."
        )
        fel = []
        if saknas:
            fel.append(f"{len(saknas)} handlingar saknar sin fil.")
        if andrade:
            fel.append(
                f"{andrade} arkiverade filer saknas eller stämmer inte med sin kontrollsumma."
            )
        if fel:
            raise CommandError(" ".join(fel))

    def _andrade(self, rot: Path, saknas: set[str]) -> int:
        """Each stored file of a handling and each filed protokoll whose SHA-256 is not the
        one recorded when it was filed, and each filed protokoll whose file is gone (a
        handling's is reported above), reported; how many."""
        andrade = 0
        handlingar = Handling.objects.exclude(fil="").exclude(sha256="").select_related("arende")
        protokoll = Protokollfil.objects.select_related("sammantrade__organ")
        for rad, vad in itertools.chain(
            ((h, f"handlingen {h.beteckning}") for h in handlingar.order_by("pk").iterator()),
            ((p, f"protokollet {p.sammantrade}, version {p.version}") for p in protokoll),
        ):
            if rad.fil.name in saknas or not (rot / rad.fil.name).is_file():
                if isinstance(rad, Protokollfil):
                    self.stdout.write(self.style.ERROR(f"{vad}: filen saknas: {rad.fil.name}"))
                    andrade += 1
                continue
            if filens_summa(rad.fil) != rad.sha256:
                andrade += 1
                self.stdout.write(
                    self.style.ERROR(
                        f"{vad}: filen stämmer inte med kontrollsumman som sparades när den "
                        f"arkiverades: {rad.fil.name}"
                    )
                )
        return andrade
