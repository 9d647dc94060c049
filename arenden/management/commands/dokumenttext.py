"""``manage.py dokumenttext``: read the text of the PDF and DOCX files of handlingar filed
before their text was read at upload (migration 0028), so the search finds them too."""

from django.core.management.base import BaseCommand

from arenden.diarium.models import Handling
from arenden.dokument import text as dokumenttext


class Command(BaseCommand):
    help = "Läser in texten ur PDF- och Word-filer i handlingar som saknar den, för sökningen."

    def add_arguments(self, parser):
        parser.add_argument(
            "--alla", action="store_true", help="läs om texten också där den redan finns"
        )

    def handle(self, *args, alla=False, **options):
        qs = Handling.objects.filter(
            mediatyp__in=(dokumenttext.PDF, dokumenttext.DOCX), gallrad__isnull=True
        ).exclude(fil="")
        if not alla:
            qs = qs.filter(text="")
        lasta = utan = 0
        for pk in qs.order_by("pk").values_list("pk", flat=True).iterator():
            if dokumenttext.las_in(pk, alla=alla):
                lasta += 1
            else:
                utan += 1
        self.stdout.write(f"Text inläst ur {lasta} filer; {utan} filer utan läsbar text.")
