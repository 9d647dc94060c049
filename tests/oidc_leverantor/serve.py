"""Starts the test provider: ``python -m tests.oidc_leverantor.serve PORT`` with the
environment of ``settings`` plus KLIENT_ID, KLIENTHEMLIGHET and OMDIRIGERING (the client's
redirect URI). Migrates its database, registers the client (confidential, authorization
code, RS256, consent skipped) and serves on 127.0.0.1:PORT until it is stopped."""

import os
import sys
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server


class Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class TystHanterare(WSGIRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the signature of the base class
        pass


def main(port: int) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.oidc_leverantor.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application
    from oauth2_provider.models import Application

    call_command("migrate", verbosity=0, interactive=False)
    Application.objects.create(
        name="Ärendehantering",
        client_id=os.environ["KLIENT_ID"],
        client_secret=os.environ["KLIENTHEMLIGHET"],
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=os.environ["OMDIRIGERING"],
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,
    )
    server = make_server(
        "127.0.0.1", port, get_wsgi_application(), server_class=Server, handler_class=TystHanterare
    )
    print("redo", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main(int(sys.argv[1]))
