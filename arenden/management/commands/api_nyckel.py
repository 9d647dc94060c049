"""Create or rotate the API key of an integration's service account.

The key is bound to one ordinary user (``api-etjanster``, say) and gives exactly that user's
roles: what the account may see and do through the API is what it could on the pages. A
superuser or a staff account gets no key (they configure the system; an integration is no
administrator). Each run replaces the account's key: the old one stops working at once."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from rest_framework.authtoken.models import Token

from arenden.api.nyckel import ar_administrator


class Command(BaseCommand):
    help = "Skapar eller byter API-nyckeln för ett tjänstekonto och skriver ut den."

    def add_arguments(self, parser):
        parser.add_argument("anvandarnamn", help="Tjänstekontots användarnamn.")

    def handle(self, *args, anvandarnamn, **options):
        user = get_user_model().objects.filter(username=anvandarnamn).first()
        if user is None:
            raise CommandError(f"Det finns ingen användare {anvandarnamn}.")
        if not user.is_active:
            raise CommandError(f"{anvandarnamn} är inaktiverad och får ingen nyckel.")
        if ar_administrator(user):
            raise CommandError(
                f"{anvandarnamn} är administratör; en API-nyckel ges bara ett vanligt konto "
                "med de roller integrationen behöver."
            )
        with transaction.atomic():
            fanns = Token.objects.filter(user=user).delete()[0] > 0
            token = Token.objects.create(user=user)
        if fanns:
            self.stderr.write(f"Den tidigare nyckeln för {anvandarnamn} gäller inte längre.")
        self.stdout.write(token.key)
