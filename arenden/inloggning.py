"""Logging in: throttling and lockout (django-axes). Five wrong passwords for one user from
one address lock that pair out for fifteen minutes, and the answer says so in Swedish."""

from axes.backends import AxesStandaloneBackend
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
