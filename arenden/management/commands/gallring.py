"""List what the dokumenthanteringsplan says is due for gallring, and carry out a recorded
decision (arenden.arkiv.gallring).

manage.py gallring
manage.py gallring --genomfor --beslut "RS 2024-05-12 § 45, dokumenthanteringsplan" --av registrator
"""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from arenden.arkiv import gallring


class Command(BaseCommand):
    help = (
        "Listar handlingar som enligt dokumenthanteringsplanen ska gallras, och genomför "
        "gallringen med ett angivet beslut."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--idag",
            help="Dagen fristen räknas till (ÅÅÅÅ-MM-DD), för att lista; gallring sker i dag.",
        )
        parser.add_argument("--genomfor", action="store_true", help="Gallra, inte bara lista.")
        parser.add_argument("--beslut", default="", help="Beslutet gallringen stöds av.")
        parser.add_argument("--av", default="", help="Användarnamnet på den som gallrar.")

    def handle(self, *args, **options):
        idag = None
        if options["idag"]:
            try:
                idag = datetime.date.fromisoformat(options["idag"])
            except ValueError as exc:
                raise CommandError(f"Ogiltigt datum: {options['idag']} (skriv ÅÅÅÅ-MM-DD)") from exc
        due, held = gallring.genomga(idag)
        for handling in due:
            self.stdout.write(self._rad(handling))
        self.stdout.write(f"{len(due)} handlingar ska gallras.")
        if held:
            # due by the plan, but a begäran om allmän handling holds them (TF 2 kap. 15 §;
            # the appeal of a refusal, FL 44 §, OSL 6 kap. 7–8 §§): said, never gallrade
            for handling, skal in held:
                self.stdout.write(f"{self._rad(handling)}\tinnehålls: {skal}")
            self.stdout.write(
                f"{len(held)} handlingar innehålls: de gäller en begäran om allmän handling."
            )
        if not options["genomfor"]:
            return
        if not due:
            return
        try:
            user = get_user_model().objects.get(username=options["av"], is_active=True)
        except get_user_model().DoesNotExist:
            raise CommandError(
                "Ange vem som gallrar med --av och ett aktivt användarnamn."
            ) from None
        try:
            record = gallring.gallra(due, beslut=options["beslut"], user=user, idag=idag)
        except ValidationError as err:
            raise CommandError(" ".join(err.messages)) from None
        self.stdout.write(f"Gallrat {record.handlingar.count()} handlingar enligt: {record.beslut}")

    @staticmethod
    def _rad(handling) -> str:
        return (
            f"{handling.beteckning}\t{handling.get_typ_display()}\t{handling.publik_titel}\t"
            f"klass {handling.arende.klassificering}, avslutat {handling.arende.avslutat}"
        )
