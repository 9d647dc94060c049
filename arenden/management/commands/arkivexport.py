"""Deliver closed ärenden to the e-arkiv as FGS Paketstruktur packages (arenden.arkiv.export).

manage.py arkivexport --organ HSN --fran 2025-01-01 --till 2025-12-31 --till-mapp /srv/leverans \
    --av registrator
manage.py arkivexport --diarienummer "HSN 787-2025" --till-mapp /srv/leverans --torrkorning
"""

from __future__ import annotations

import datetime
import shutil
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from arenden.arkiv import export as arkiv
from arenden.diarium.diarienummer import Diarienummer
from arenden.diarium.models import Arende
from arenden.organisation.models import Organ

#: how many times a package is built for an ärende that changes while it is built
FORSOK = 3


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
        parser.add_argument(
            "--av",
            default="",
            help="Användarnamnet på den som levererar (krävs utom vid torrkörning).",
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

        # who delivers is named before anything is built: the ärende's history records the
        # delivery as theirs (arkiv.markera_levererat)
        user = self._anvandare(opts["av"])
        levererade = 0
        for arende in arenden:
            if self._leverera(arende, mal, opts["igen"], user):
                levererade += 1
        self.stdout.write(self.style.SUCCESS(f"{levererade} ärenden levererade till {mal}."))

    def _leverera(self, arende: Arende, mal: Path, igen: bool, user) -> bool:
        """Build the ärende's package and mark it delivered; built again when the ärende
        changed meanwhile (a handling registered while the files were copied), never marked
        delivered without what came. One reopened meanwhile is not delivered now. A package
        delivered before, of an ärende changed since, is replaced in the folder."""
        igen_nu = arende.levererad is not None
        andrat = igen_nu and arkiv.andrat_sedan_leverans(arende)
        # a package of an ärende never marked delivered is a delivery a run did not finish
        # (it died between moving the package into place and marking it): built again, so
        # that one dead run does not stop every later one
        avbruten = not igen_nu and (mal / arkiv.paketnamn(arende)).exists()
        if avbruten:
            self.stdout.write(
                self.style.WARNING(
                    f"{arende.diarienummer}: ett paket från en avbruten leverans görs om."
                )
            )
        for forsok in range(FORSOK):
            try:
                paket = arkiv.bygg_paket(
                    arende, mal, ersatt=igen or igen_nu or avbruten or forsok > 0
                )
            except arkiv.ArkivFel as fel:
                raise CommandError(f"{arende.diarienummer}: {fel}") from fel
            except OSError as fel:
                raise CommandError(
                    f"Kan inte skriva paketet för {arende.diarienummer} till {mal}: "
                    f"{fel.strerror or fel}"
                ) from fel
            try:
                arkiv.markera_levererat(paket, user=user)
            except arkiv.ArkivFel as fel:
                # not a delivery: the package lacks what changed; it does not stay
                shutil.rmtree(paket.mapp, ignore_errors=True)
                arende.refresh_from_db()
                if not arkiv.ar_stangt(arende):
                    self.stdout.write(self.style.WARNING(f"inte levererat: {fel}"))
                    return False
                continue
            vad = "levererat igen" if igen_nu else "levererat"
            if andrat:
                vad += " (ändrat sedan förra leveransen)"
            self.stdout.write(f"{vad}: {arende.diarienummer} → {paket.mapp}")
            return True
        raise CommandError(
            f"{arende.diarienummer} ändrades medan paketet byggdes, {FORSOK} gånger; "
            "kör leveransen igen."
        )

    @staticmethod
    def _anvandare(username: str):
        try:
            user = get_user_model().objects.get(username=username, is_active=True)
        except get_user_model().DoesNotExist:
            raise CommandError(
                "Ange vem som levererar med --av och ett aktivt användarnamn."
            ) from None
        try:
            arkiv.kontrollera_leverantor(user)
        except arkiv.ArkivFel as fel:
            raise CommandError(str(fel)) from None
        return user

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
        if arende.levererad and not igen and not arkiv.andrat_sedan_leverans(arende):
            raise CommandError(
                f"{text} levererades {arende.levererad:%Y-%m-%d}; ange --igen för att leverera "
                "det på nytt."
            )
        return arende
