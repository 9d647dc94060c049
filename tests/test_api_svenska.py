"""The API refuses every malformed body in Swedish with a 4xx: a JSON body nested deeper than
the decoder follows was a 500 (DRF turns only a ValueError into a 400), and a value of the
wrong type was refused in English where DRF's own Swedish translation has no text (``Not a
valid string.``); the project's catalogue (locale/sv) gives those texts."""

import inspect
import json

import pytest
from django.utils import translation
from rest_framework import exceptions, fields, relations, serializers

from arenden.diarium import services as diarium_services
from arenden.models import Arende
from tests.test_api import PROBLEM, cast, klient  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db

DJUP = b'{"a":' * 5000 + b"1" + b"}" * 5000


def _meddelanden():
    """Every error text DRF's fields and exceptions give by default."""
    for modul in (fields, relations, serializers, exceptions):
        for namn, klass in inspect.getmembers(modul, inspect.isclass):
            texter = dict(getattr(klass, "default_error_messages", None) or {})
            if issubclass(klass, exceptions.APIException):
                texter["detail"] = klass.default_detail
            for nyckel, text in texter.items():
                yield f"{namn}.{nyckel}", text


def test_every_error_text_of_the_api_framework_has_a_swedish_text():
    engelska = []
    for namn, text in _meddelanden():
        with translation.override("en"):
            original = str(text)
        with translation.override("sv"):
            if str(text) == original:
                engelska.append(f"{namn}: {original}")
    assert engelska == []


@pytest.mark.parametrize("adress", ["/api/arenden/", "handlingar", "overgangar"])
def test_json_nested_too_deep_is_refused_as_unreadable(cast, adress):  # noqa: F811
    arende = cast.registrera("Ett ärende")
    url = adress if adress.startswith("/") else f"/api/arenden/{arende.pk}/{adress}/"
    svar = klient(cast.registrator).post(url, DJUP, content_type="application/json")
    assert svar.status_code == 400 and svar["Content-Type"] == PROBLEM
    assert svar.json()["detail"] == "Begäran kunde inte läsas."
    assert Arende.objects.count() == 1


@pytest.mark.parametrize("varde", [["avsluta"], {"id": "avsluta"}, True])
def test_a_step_named_by_something_other_than_text_is_refused_in_swedish(cast, varde):  # noqa: F811
    arende = cast.registrera("Ett ärende")
    svar = klient(cast.registrator).post(
        f"/api/arenden/{arende.pk}/overgangar/",
        json.dumps(
            {
                "overgang": varde,
                "status": arende.state,
                "version": diarium_services.arendets_version(arende),
            }
        ),
        content_type="application/json",
    )
    assert svar.status_code == 400 and svar["Content-Type"] == PROBLEM
    assert svar.json()["fel"] == {"overgang": ["Ska vara text."]}
    arende.refresh_from_db()
    assert arende.state == "registrerat"
