"""One way for every view to answer what the engine refuses: a refused or stale transition, a
missing comment, a precondition or validation that fails, a permission the user lacks inside
a service. The user is sent back to the page they came from (on this site; else the start
page) with the reason as a message; nothing the refused request did is kept, since the
refusal rolled back its transaction. No such refusal is ever a 500."""

import logging

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError, RestrictedError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition

from .models import WorkflowError

logger = logging.getLogger(__name__)

#: what the engine and the services raise to refuse a request (catch these, then ``refusal``);
#: and the database's refusal to delete what a record points at: a record that others name
#: is never removed from under them, whichever path tried (the row stays, as it should)
REFUSALS = (WorkflowError, ConcurrentTransition, ValidationError, ProtectedError, RestrictedError)


def refusal(exception) -> str | None:
    """The Swedish message for a refusal, or None if ``exception`` is not one."""
    if isinstance(exception, ConcurrentTransition):
        # django-fsm's check at save: another request moved the object since it was read
        return _("Någon annan hann ändra först. Ladda om sidan och försök igen.")
    if isinstance(exception, WorkflowError):
        return str(exception)
    if isinstance(exception, ValidationError):
        return " ".join(exception.messages)
    if isinstance(exception, (ProtectedError, RestrictedError)):
        return _("Det går inte att ta bort, eftersom andra uppgifter hänvisar till det.")
    return None


class RefusalMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        message = refusal(exception)
        if message is None:
            return None
        if isinstance(exception, (ProtectedError, RestrictedError)):
            # the user is answered, but a path that tried to delete what others point at has
            # no check of its own: noted for who maintains it
            logger.warning(
                "Borttagning nekad av databasen på %s: %s", request.path, exception.args[0]
            )
        messages.error(request, message)
        back = request.META.get("HTTP_REFERER", "")
        if back and url_has_allowed_host_and_scheme(
            back, {request.get_host()}, request.is_secure()
        ):
            # as an address, never as a URL name to look up (a bare word would fail the lookup)
            return HttpResponseRedirect(back)
        return redirect(getattr(settings, "LOGIN_REDIRECT_URL", "/") or "/")
