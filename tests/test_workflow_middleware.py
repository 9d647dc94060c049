"""The refusal middleware's answer, exactly: the Swedish message for each kind of refusal,
and where the user is sent back (the page they came from, on this site and scheme; else the
start page the settings name, else the root)."""

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError, RestrictedError
from django.test import RequestFactory
from django_fsm import ConcurrentTransition

from workflow.middleware import RefusalMiddleware, refusal


def test_each_refusal_has_its_swedish_message():
    assert (
        refusal(ConcurrentTransition("x"))
        == "Någon annan hann ändra först. Ladda om sidan och försök igen."
    )
    assert refusal(ValidationError(["Skriv beslutet.", "Ange dagen."])) == (
        "Skriv beslutet. Ange dagen."
    )
    assert refusal(KeyError("inte en vägran")) is None
    for error in (ProtectedError, RestrictedError):
        assert refusal(error("x", set())) == (
            "Det går inte att ta bort, eftersom andra uppgifter hänvisar till det."
        )


def _svar(*, referer=None, secure=False):
    request = RequestFactory().post("/arende/1/overgang/", secure=secure)
    if referer is not None:
        request.META["HTTP_REFERER"] = referer
    request.session = {}
    request._messages = FallbackStorage(request)
    svar = RefusalMiddleware(lambda r: None).process_exception(request, ValidationError("Nej."))
    return svar, [str(m) for m in get_messages(request)]


def test_a_refusal_goes_back_to_the_page_on_this_site(settings):
    settings.LOGIN_REDIRECT_URL = "/start/"
    svar, meddelanden = _svar(referer="http://testserver/arende/1/")
    assert (svar.status_code, svar["Location"], meddelanden) == (
        302,
        "http://testserver/arende/1/",
        ["Nej."],
    )


@pytest.mark.parametrize(
    ("referer", "secure"),
    [
        (None, False),  # no page to go back to
        ("https://angripare.example/", False),  # another site
        ("http://testserver/arende/1/", True),  # the same site, but down from https
    ],
)
def test_otherwise_a_refusal_goes_to_the_start_page(settings, referer, secure):
    settings.LOGIN_REDIRECT_URL = "/start/"
    svar, meddelanden = _svar(referer=referer, secure=secure)
    assert (svar.status_code, svar["Location"], meddelanden) == (302, "/start/", ["Nej."])


@pytest.mark.parametrize("start", ["", None])
def test_without_a_start_page_a_refusal_goes_to_the_root(settings, start):
    if start is None:
        del settings.LOGIN_REDIRECT_URL
    else:
        settings.LOGIN_REDIRECT_URL = start
    svar, _meddelanden = _svar()
    assert svar["Location"] == "/"


def test_what_is_not_a_refusal_is_left_to_django():
    request = RequestFactory().get("/")
    assert RefusalMiddleware(lambda r: None).process_exception(request, KeyError("x")) is None


@pytest.mark.parametrize("error", [ProtectedError, RestrictedError])
def test_a_delete_refused_by_what_points_at_it_goes_back_with_its_message(settings, error, caplog):
    settings.LOGIN_REDIRECT_URL = "/start/"
    request = RequestFactory().post("/punkt/1/stryk/")
    request.META["HTTP_REFERER"] = "http://testserver/sammantrade/1/"
    request.session = {}
    request._messages = FallbackStorage(request)
    svar = RefusalMiddleware(lambda r: None).process_exception(request, error("x", set()))
    assert (svar.status_code, svar["Location"]) == (302, "http://testserver/sammantrade/1/")
    assert [str(m) for m in get_messages(request)] == [
        "Det går inte att ta bort, eftersom andra uppgifter hänvisar till det."
    ]
    # noted for who maintains it: the path had no check of its own
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        ("WARNING", "Borttagning nekad av databasen på /punkt/1/stryk/: x")
    ]
