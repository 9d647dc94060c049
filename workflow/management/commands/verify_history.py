from django.core.management.base import BaseCommand, CommandError

from workflow.history import verify


class Command(BaseCommand):
    help = (
        "Räknar om hashkedjan i arbetsflödeshistoriken för varje objekt, kontrollerar "
        "signaturerna med historiknyckeln, varje fälthistorikrads och loggrads signatur och "
        "länk, och "
        "jämför med den senaste kontrollpunkten; rapporterar den första brutna länken per "
        "objekt och varje bruten fälthistorikrad, och varje rad som gäller nu med ett "
        "innehåll som dess historik inte har. Avslutas med felkod om något är brutet."
    )

    def handle(self, *args, **options):
        report = verify()
        for link in report.broken:
            self.stdout.write(self.style.ERROR(f"BRUTEN  {link}"))
        if report.checkpoint is None:
            self.stdout.write("Ingen kontrollpunkt att jämföra med (workflow_checkpoint).")
        else:
            self.stdout.write(f"Jämförd med kontrollpunkten {report.checkpoint.name}.")
        self.stdout.write(f"{report.field_rows} rader i fälthistoriken kontrollerade.")
        self.stdout.write(f"{report.log_rows} rader i de signerade loggarna kontrollerade.")
        for rad in report.live:
            self.stdout.write(self.style.ERROR(f"AVVIKER {rad}"))
        summary = (
            f"{report.entries} poster i {report.objects} objekt kontrollerade, "
            f"{len(report.broken)} brutna kedjor."
        )
        if report.live:
            summary += f" {len(report.live)} rader som gäller nu avviker från sin historik."
        if not report.intact or report.live:
            raise CommandError(summary)
        self.stdout.write(self.style.SUCCESS(f"Historiken är obruten. {summary}"))
