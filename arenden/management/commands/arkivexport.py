"""Deliver closed ärenden to the e-arkiv as FGS Paketstruktur packages (arenden.arkiv.export).

manage.py arkivexport --organ HSN --fran 2025-01-01 --till 2025-12-31 --till-mapp /srv/leverans
manage.py arkivexport --diarienummer "HSN 787-2025" --till-mapp /srv/leverans --torrkorning
"""

from __future__ import annotations

import datetime
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from arenden.arkiv import export as arkiv
from arenden.diarium.diarienummer import Diarienummer
from arenden.diarium.models import Arende
from arenden.organisation.models import Organ


def _dag(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"Ogiltigt datum: {text} (skriv ÅÅÅÅ-MM-DD)") from exc


class Command(BaseCommand):
    help = (
        "Levererar avslutade ärenden till e-arkivet som arkivpaket enligt FGS Paketstruktur "
        "och FGS Ärendehantering, och markerar dem som levererade."
    )

    def add_arguments(self, parser):
        parser.add_argument("--till-mapp", required=True, help="Mappen paketen skrivs till.")
        parser.add_argument("--organ", help="Organets förkortning, t.ex. HSN.")
        parser.add_argument("--fran", help="Avslutade från och med (ÅÅÅÅ-MM-DD).")
        parser.add_argument("--till", help="Avslutade till och med (ÅÅÅÅ-MM-DD).")
        parser.add_argument(
            "--diarienummer", action="append", default=[], help="Ett visst ärende (upprepbar)."
        )
        parser.add_argument(
            "--igen",
            action="store_true",
            help="Leverera även ärenden som redan är levererade (paketet ersätts).",
        )
        parser.add_argument(
            "--torrkorning",
            action="store_true",
            help="Visa vad som skulle levereras utan att skriva något.",
        )

    def handle(self, *args, **opts):
        organ = None
        if opts["organ"]:
            organ = Organ.objects.filter(kod=opts["organ"]).first()
            if organ is None:
                raise CommandError(f"Organet {opts['organ']} finns inte.")
        fran = _dag(opts["fran"]) if opts["fran"] else None
        till = _dag(opts["till"]) if opts["till"] else None
        if fran and till and fran > till:
            raise CommandError("Från-datumet ligger efter till-datumet.")

        if opts["diarienummer"]:
            arenden = [self._arende(text, opts["igen"]) for text in opts["diarienummer"]]
        else:
            arenden = list(arkiv.att_leverera(organ, fran, till, aven_levererade=opts["igen"]))
            arenden = [a for a in arenden if arkiv.ar_stangt(a)]

        mal = Path(opts["till_mapp"])
        if opts["torrkorning"]:
            for arende in arenden:
                # the terminal and its logs are read by who runs the job, not by who may read
                # the secret content (OSL 5 kap. 5 §): a marked ärende by its public rubrik
                self.stdout.write(f"skulle levereras: {arende.diarienummer} {arende.publik_rubrik}")
            self.stdout.write(f"{len(arenden)} ärenden skulle levereras (torrkörning).")
            return

        levererade = 0
        for arende in arenden:
            try:
                paket = arkiv.bygg_paket(arende, mal, ersatt=opts["igen"])
            except arkiv.ArkivFel as fel:
                raise CommandError(f"{arende.diarienummer}: {fel}") from fel
            except OSError as fel:
                raise CommandError(
                    f"Kan inte skriva paketet för {arende.diarienummer} till {mal}: "
                    f"{fel.strerror or fel}"
                ) from fel
            arkiv.markera_levererat(arende)
            levererade += 1
            self.stdout.write(f"levererat: {arende.diarienummer} → {paket.mapp}")
        self.stdout.write(self.style.SUCCESS(f"{levererade} ärenden levererade till {mal}."))

    def _arende(self, text: str, igen: bool) -> Arende:
        try:
            dnr = Diarienummer.parse(text)
        except ValidationError as exc:
            raise CommandError(f"Ogiltigt diarienummer: {text}") from exc
        arende = Arende.objects.filter(
            serie=dnr.serie, lopnummer=dnr.nummer, ar=dnr.ar, delnummer=dnr.delnummer or 0
        ).first()
        if arende is None:
            raise CommandError(f"Ärendet {text} finns inte.")
        if not arkiv.ar_stangt(arende):
            raise CommandError(
                f"{text} är inte avslutat ({arende.status_titel}) och kan inte levereras."
            )
        if arende.levererad and not igen:
            raise CommandError(
                f"{text} levererades {arende.levererad:%Y-%m-%d}; ange --igen för att leverera "
                "det på nytt."
            )
        return arende
