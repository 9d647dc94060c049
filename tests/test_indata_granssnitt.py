"""What reaches the site before any view or form sees it is also answered in Swedish and
changes nothing: a request Django itself refuses (more than 1000 fields, a body past its
limit, a host name the site does not serve) was answered by viewflow's English page
"400 Bad Request – Django Material"; a form sent without its CSRF token (the page was opened
before a new login in another tab) by Django's page "403 Forbidden" with an explanation of
cookies; and the API's documentation page answered OPTIONS with a 500 and other methods with
the text "405 Method Not Allowed" under a JSON media type."""

import pytest
from django.test import Client
from django.urls import reverse

from arenden.models import Arende
from tests import factories
from workflow.engine import history, version

pytestmark = pytest.mark.django_db

MANGA_FALT = "&".join(f"f{i}=1" for i in range(1100))
ENGELSKA = ("Bad Request", "Forbidden", "Method Not Allowed", "Django Material")


@pytest.fixture
def cast():
    return factories.Cast()


def _client(user=None, **kwargs) -> Client:
    client = Client(raise_request_exception=False, **kwargs)
    if user is not None:
        client.force_login(user)
    return client


def _svenska(svar, *texter):
    sida = svar.content.decode()
    for engelska in ENGELSKA:
        assert engelska not in sida, sida[:600]
    for text in texter:
        assert text in sida, sida[:600]


def test_too_many_fields_in_a_query_are_refused_in_swedish(cast):
    svar = _client(cast.registrator).get(f"/sok/?{MANGA_FALT}")
    assert svar.status_code == 400
    _svenska(svar, "Förfrågan kunde inte tas emot", "Ingenting har ändrats")


def test_too_many_fields_in_a_form_change_nothing(cast):
    fore = Arende.objects.count()
    svar = _client(cast.registrator).post(
        reverse("arenden:registrera"),
        f"organ={cast.organ.pk}&arendemening=Skrivelse&typ=skrivelse&{MANGA_FALT}",
        content_type="application/x-www-form-urlencoded",
    )
    assert svar.status_code == 400
    _svenska(svar, "Förfrågan kunde inte tas emot", "Ingenting har ändrats")
    assert Arende.objects.count() == fore


def test_a_body_past_the_limit_changes_nothing(cast):
    fore = Arende.objects.count()
    svar = _client(cast.registrator).post(
        reverse("arenden:registrera"),
        {"organ": cast.organ.pk, "arendemening": "x" * 3_000_000, "typ": "skrivelse"},
    )
    assert svar.status_code == 400
    _svenska(svar, "Förfrågan kunde inte tas emot")
    assert Arende.objects.count() == fore


def test_a_host_the_site_does_not_serve_is_refused_in_swedish(cast):
    svar = _client(cast.registrator).get("/", HTTP_HOST="annan.example")
    assert svar.status_code == 400
    _svenska(svar, "Förfrågan kunde inte tas emot")


def test_the_api_refuses_too_many_fields_as_problem_details(cast):
    svar = _client(cast.registrator).get(f"/api/arenden/?{MANGA_FALT}")
    assert svar.status_code == 400
    assert svar["Content-Type"] == "application/problem+json"
    body = svar.json()
    assert body["status"] == 400 and body["title"] == "Felaktig begäran"
    assert "Förfrågan kunde inte tas emot" in body["detail"]


def test_a_step_sent_without_its_csrf_token_is_refused_in_swedish(cast):
    arende = cast.registrera("Felregistrerat")
    client = _client(cast.registrator, enforce_csrf_checks=True)
    svar = client.post(
        reverse("arenden:overgang", args=[arende.pk]),
        {"overgang": "makulera", "status": "registrerat", "steg": version(arende)},
    )
    assert svar.status_code == 403
    _svenska(svar, "Formuläret kunde inte tas emot", "Ingenting har ändrats")
    arende.refresh_from_db()
    assert arende.state == "registrerat" and history(arende).count() == 1


@pytest.mark.parametrize("metod", ["options", "post", "put", "patch", "delete"])
def test_the_api_documentation_answers_another_method_with_problem_details(cast, metod):
    svar = getattr(_client(cast.handlaggare), metod)("/api/dokumentation/")
    assert svar.status_code == 405
    assert svar["Content-Type"] == "application/problem+json"
    assert svar.json()["detail"] == "Metoden stöds inte för den här adressen."
    assert set(svar["Allow"].replace(" ", "").split(",")) == {"GET", "HEAD"}


def test_the_api_documentation_is_still_read(cast):
    client = _client(cast.handlaggare)
    assert client.get("/api/dokumentation/").status_code == 200
    assert client.head("/api/dokumentation/").status_code == 200
    assert client.get("/api/dokumentation/?script=").status_code == 200
