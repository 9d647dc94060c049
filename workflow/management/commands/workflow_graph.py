from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from workflow import export, registry

FORMATS = {
    "dot": export.to_dot,
    "svg": export.to_svg,
    "mermaid": export.to_mermaid,
    "json": export.to_json,
}


class Command(BaseCommand):
    help = (
        "Ritar ett registrerat arbetsflöde som Graphviz (dot), SVG, Mermaid eller JSON och "
        "skriver resultatet till standard ut eller till en fil."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", metavar="NAMN", help="arbetsflödets id, t.ex. dokument")
        parser.add_argument(
            "--format",
            choices=sorted(FORMATS),
            default="dot",
            help="utdataformat: dot (standard), svg, mermaid eller json",
        )
        parser.add_argument(
            "--output",
            metavar="FIL",
            help="skriv till den här filen i stället för till standard ut",
        )

    def handle(self, *args, name, format, output=None, **options):
        try:
            wf = registry.get_workflow(name)
        except LookupError:
            known = ", ".join(w.id for w in registry.all_workflows()) or "(inga)"
            raise CommandError(f"Okänt arbetsflöde {name}. Kända: {known}") from None
        text = FORMATS[format](wf)
        if output is None:
            self.stdout.write(text)  # ends with one line break, added only when missing
            return
        try:
            Path(output).write_text(text, encoding="utf-8")
        except OSError as error:
            raise CommandError(f"Kunde inte skriva till {output}: {error}") from error
        self.stdout.write(
            self.style.SUCCESS(f"Arbetsflödet {wf.id} skrevs som {format} till {output}.")
        )
