from django.core.management.base import BaseCommand, CommandError

from workflow.checkpoint import CheckpointError, write


class Command(BaseCommand):
    help = (
        "Skriver en signerad kontrollpunkt av historiken (varje kedjas senaste post, antal "
        "poster och en summa över fälthistoriken per objekt) till katalogen utanför databasen "
        "(WORKFLOW_CHECKPOINT_DIR). Skrivs bara när historiken är obruten. Körs minst dagligen."
    )

    def add_arguments(self, parser):
        parser.add_argument("--anledning", default="daglig", help="Varför punkten skrivs.")

    def handle(self, *args, **options):
        try:
            path = write(options["anledning"])
        except CheckpointError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Kontrollpunkt skriven: {path}"))
