"""The last guard against numbers past what the database holds. The application's own forms
refuse them field by field (``arenden.gemensamt.forms``: ids and numbers within 64 bits); what is
left
are Django's and the installed apps' admin pages, which on SQLite hand a huge id list or year
straight to the database driver or the calendar (a group's rights, a date hierarchy) and
meet an ``OverflowError``. That is bad input, not a fault: a 400 in Swedish."""

from django.http import HttpResponseBadRequest
from django.utils.translation import gettext as _


class OrimligaTal:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, OverflowError):
            return HttpResponseBadRequest(
                _(
                    "Ett tal i förfrågan är större än systemet kan hantera. "
                    "Gå tillbaka och rätta det."
                ),
                content_type="text/plain; charset=utf-8",
            )
        return None
