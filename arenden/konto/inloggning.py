"""Logging in: throttling and lockout (django-axes). Five wrong passwords for one user from
one address lock that pair out for fifteen minutes, and the answer says so in Swedish."""

import time

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.utils.translation import gettext as _


class Inloggningsspärr(AxesStandaloneBackend):
    """Axes' check, for logins made through a request (the login page, the admin). A login
    with no request (the test client, the shell) has nobody at a keyboard to lock out."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def anvandarnamn(request, credentials=None) -> str | None:
    """The username axes counts a failure against (AXES_USERNAME_CALLABLE): as typed, but no
    longer than a username can be and without NUL, so that a megabyte or a NUL typed in the
    field is counted as a failure instead of failing to be stored (a 500 on PostgreSQL)."""
    if credentials:
        namn = credentials.get("username")
    else:
        namn = getattr(request, "data", request.POST).get("username")
    if namn is None:
        return None
    return str(namn).replace("\x00", "")[:150]


def utelast(request, credentials, *args, **kwargs) -> HttpResponse:
    """The answer to a locked-out login (AXES_LOCKOUT_CALLABLE)."""
    return HttpResponse(
        _(
            "För många misslyckade inloggningar. Kontot är spärrat från den här adressen i 15 "
            "minuter; kontakta systemförvaltningen om du behöver komma in tidigare."
        ),
        status=429,
        content_type="text/plain; charset=utf-8",
    )


class Inaktivitet:
    """A session left alone longer than ``SESSION_INAKTIV_MINUTER`` ends: the next request
    logs the user out and sends them to the login page with a word on why, so a screen left
    open in a shared office does not stay logged in for the rest of the working day (the
    session itself lasts at most a working day, SESSION_COOKIE_AGE). The last activity is kept
    in the session, written at most once a minute."""

    NYCKEL = "senast_aktiv"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        minuter = getattr(settings, "SESSION_INAKTIV_MINUTER", 0)
        user = getattr(request, "user", None)
        if minuter and user is not None and user.is_authenticated:
            nu = int(time.time())
            senast = request.session.get(self.NYCKEL)
            if senast is not None and nu - senast > minuter * 60:
                logout(request)
                messages.info(
                    request,
                    _("Du har loggats ut efter %(n)s minuter utan aktivitet. Logga in igen.")
                    % {"n": minuter},
                )
                return redirect_to_login(request.get_full_path())
            if senast is None or nu - senast >= 60:
                request.session[self.NYCKEL] = nu
        return self.get_response(request)
