"""``manage.py bevakning``: the bevakning of återrapportering, for cron (daily)."""

import argparse
import datetime

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from flows.jobb import HORISONT, skicka_paminnelser


def _datum(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("Ogiltigt datum %(text)s; skriv ÅÅÅÅ-MM-DD.") % {"text": text}
        ) from None


class Command(BaseCommand):
    help = _(
        "Listar uppdrag vars återrapportering är försenad eller snart förfaller och påminner "
        "varje handläggare med e-post, genom utkorgen (se skicka_utskick)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--idag", type=_datum, help=_("dagens datum (ÅÅÅÅ-MM-DD)"))
        parser.add_argument(
            "--horisont",
            type=int,
            default=HORISONT,
            help=_("antal dagar framåt som räknas som snart (standard %(d)s)") % {"d": HORISONT},
        )
        parser.add_argument(
            "--torrkorning", action="store_true", help=_("lista bara, skicka ingen e-post")
        )

    def handle(self, *args, idag=None, horisont=HORISONT, torrkorning=False, **options):
        resultat = skicka_paminnelser(idag=idag, horisont=horisont, skicka=not torrkorning)
        for paminnelse in resultat:
            if paminnelse.skickad:
                # through the outbox: tried as soon as the record of it committed
                paminnelse.utskick.refresh_from_db()
                if paminnelse.utskick.skickad:
                    status = _("påmind per e-post")
                else:
                    status = _(
                        "e-posten ligger i utkorgen och skickas av skicka_utskick (%(fel)s)"
                    ) % {"fel": paminnelse.utskick.senaste_fel or _("inte försökt än")}
            elif not paminnelse.nya:
                status = _("redan påmind, inget nytt")
            elif torrkorning:
                status = _("torrkörning, inget skickat")
            else:
                status = _("saknar e-postadress, inget skickat")
            self.stdout.write(
                f"{paminnelse.mottagare.get_username()}: {paminnelse.amne} ({status})"
            )
            for uppdrag in paminnelse.uppdrag:
                lage = _("försenat") if uppdrag.forsenat else _("förfaller")
                self.stdout.write(
                    f"  {uppdrag.arende.diarienummer}: {lage} {uppdrag.forfaller:%Y-%m-%d}"
                )
        skickade = sum(p.skickad for p in resultat)
        self.stdout.write(
            _("%(n)d handläggare med uppdrag att återrapportera, %(s)d påminda.")
            % {"n": len(resultat), "s": skickade}
        )
