"""``manage.py skicka_utskick``: send what the outbox (arenden.gemensamt.utskick) still holds, for
cron
(every five minutes). Each row is normally sent right after the step that wrote it commits;
this sends those the mail server refused or a stopped worker left behind, never one that was
withdrawn (the kallelse to a meeting inställt before it left)."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from arenden.gemensamt import utskick


class Command(BaseCommand):
    help = _(
        "Skickar e-post som ligger kvar i utkorgen (när e-postservern inte svarade eller "
        "processen avbröts) och sparar felet för det som fortfarande inte går att skicka."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--max-forsok",
            type=int,
            default=utskick.MAX_FORSOK,
            help=_(
                "försök inte igen med e-post som redan försökts så många gånger "
                "(standard %(n)s); ange ett högre tal för att försöka igen"
            )
            % {"n": utskick.MAX_FORSOK},
        )

    def handle(self, *args, max_forsok=utskick.MAX_FORSOK, **options):
        omgang = utskick.skicka(max_forsok=max_forsok)
        for rad in omgang.misslyckade:
            self.stderr.write(
                _("Inte skickat (försök %(n)d): %(amne)s: %(fel)s")
                % {"n": rad.forsok, "amne": rad.amne, "fel": rad.senaste_fel}
            )
        # a withdrawn row (arenden.gemensamt.utskick.aterkalla) is not sent, nor given up on
        uppgivna = utskick.att_skicka().filter(forsok__gte=max_forsok).count()
        if uppgivna:
            self.stderr.write(
                _(
                    "%(n)d e-postmeddelanden har försökts %(max)d gånger utan att gå iväg och "
                    "försöks inte igen; se utkorgen i administrationen och kör med "
                    "--max-forsok för att försöka på nytt."
                )
                % {"n": uppgivna, "max": max_forsok}
            )
        self.stdout.write(
            _("%(s)d e-postmeddelanden skickade, %(f)d misslyckades.")
            % {"s": omgang.skickade, "f": len(omgang.misslyckade)}
        )
