"""Idempotent forms: a double click or a resent form creates nothing twice, and the second
sending is shown the first one's result, never an error for the first one's success.

Each form that creates or moves something carries a key its page drew (``{% inskick %}``).
:func:`en_gang` runs the view and records the key in one transaction, with where the view
led (its redirect). A second sending with the same key waits for the first (the key is
unique: the database holds the second insert until the first commits) and is then led to
the same place. A sending the view answers with the form again (an error to correct), or
refuses with an error message, records nothing, so the corrected form can be sent."""

from __future__ import annotations

import functools
import re
import uuid

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from arenden.gemensamt.models import Inskick

FALT = "inskick"
#: what a key drawn by :func:`ny_nyckel` looks like (hex), with room for other plain keys
NYCKEL = re.compile(r"[A-Za-z0-9_-]+")


def ny_nyckel() -> str:
    return uuid.uuid4().hex


def _vagrad(request) -> bool:
    """Did the view refuse what was sent, saying why (an error message of this request) and
    leading back to the page? Then nothing was done, and the key is not used up: the same
    form, corrected and sent again (the browser's Back button keeps its key), is taken."""
    storage = getattr(request, "_messages", None)
    return any(m.level >= messages.ERROR for m in getattr(storage, "_queued_messages", ()))


def en_gang(view):
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        nyckel = request.POST.get(FALT, "") if request.method == "POST" else ""
        if not nyckel or not request.user.is_authenticated:
            return view(request, *args, **kwargs)
        nyckel = nyckel[:64]
        if not NYCKEL.fullmatch(nyckel):
            # not a key a page drew (a NUL in it cannot even be stored on PostgreSQL): the
            # view runs as for a form without a key
            return view(request, *args, **kwargs)
        with transaction.atomic():
            try:
                with transaction.atomic():
                    rad = Inskick.objects.create(nyckel=nyckel, anvandare=request.user)
            except IntegrityError:
                tidigare = Inskick.objects.filter(nyckel=nyckel, anvandare=request.user).first()
                messages.info(request, _("Formuläret var redan skickat; här är resultatet."))
                return redirect(tidigare.svar if tidigare and tidigare.svar else request.path)
            response = view(request, *args, **kwargs)
            if (
                response.status_code in (301, 302, 303)
                and response.get("Location")
                and not _vagrad(request)
            ):
                rad.svar = response["Location"][:500]
                rad.save(update_fields=["svar"])
            else:  # the form again, or refused: nothing to remember, it may be sent again
                transaction.set_rollback(True)
            return response

    #: read by tests/test_dubbelklick_inventering.py: this view's form is sent once
    wrapper.en_gang = True
    return wrapper
