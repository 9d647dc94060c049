"""Numbers read from a request are ASCII digits, and an address that only takes a form answers
a browser's GET with a Swedish page. A fuzzer found ``str.isdigit()`` before ``int()``: it
admits "²", which int() refuses (a 500), while int() reads "١" as 1. And a step's, a task's
or the logout's address opened directly (a reload, a bookmark, the ``next`` after logging in
again) answered 405 with an empty body: a blank page."""

from __future__ import annotations

import pytest
from django import forms
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from arenden.gemensamt.forms import STORSTA_TAL, Formular
from arenden.gemensamt.tal import heltal
from arenden.models import Arende, ArendeRelation, Organ
from tests import factories
from workflow.engine import history, version

pytestmark = pytest.mark.django_db

#: what str.isdigit() admits and int() refuses, and other scripts' digits int() reads
KONSTIGA = ["²", "¹", "³", "①", "١", "٣", "1_0", "abc"]


# -- heltal --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "tal"),
    [
        ("0", 0),
        ("7", 7),
        ("0042", 42),
        ("1234567890", 1234567890),
        ("9" * 30, 10**30 - 1),  # a number past the database is a number: the caller limits
        ("9" * 5000, None),  # past the digits int() reads
        ("²", None),
        ("¹", None),
        ("①", None),
        ("١", None),
        ("٣", None),
        ("１", None),  # fullwidth
        ("", None),
        ("-1", None),
        ("+1", None),
        (" 1", None),
        ("1 ", None),
        ("1_0", None),
        ("1.0", None),
        ("0x1", None),
        ("\n1", None),
    ],
)
def test_heltal_reads_only_ascii_digits(text, tal):
    assert heltal(text) == tal


@pytest.mark.parametrize("varde", [None, 1, 1.0, b"1", ["1"]])
def test_heltal_of_what_is_no_text_is_none(varde):
    assert heltal(varde) is None


# -- the registrator's förslag (arenden/diarium/fortsattning.py) ----------------------------


@pytest.fixture
def cast():
    return factories.Cast()


@pytest.fixture
def rs(db):
    return factories.organ("RS", "Regionstyrelsen", typ=Organ.Typ.STYRELSE)


@pytest.fixture
def rf(db):
    return factories.organ("RF", "Regionfullmäktige", typ=Organ.Typ.FULLMAKTIGE)


@pytest.fixture
def overlamnat(cast, rf):
    arende = cast.berett("Nära vård i länet")
    factories.besluta(arende, cast.sekreterare, "Föreslår regionfullmäktige", forslag_till=rf)
    assert arende.state == "overlamnat"
    return arende


def _klient(user) -> Client:
    klient = Client(raise_request_exception=False)
    klient.force_login(user)
    return klient


#: what is no id of a row: each refused alike
INGA_ID = [*KONSTIGA, "9" * 30, "9" * 5000, "-1", "+1", " 1", "1 ", ""]


def test_an_organ_that_is_no_id_is_a_message_and_changes_nothing(overlamnat, rs):
    """``organ=²`` was a 500 (``"²".isdigit()`` and then ``int("²")``); now it is what
    ``organ=abc`` was: the message, back to the list, nothing registered."""
    registrator = factories.user("registrator-RS", organ_role="Registrator", on=rs)
    klient = _klient(registrator)
    fore = Arende.objects.count()
    url = reverse("arenden:registrera_forslag", args=[overlamnat.pk])
    for organ in INGA_ID:
        svar = klient.post(url, {"organ": organ, "inskick": "a" * 32})
        assert svar.status_code == 302, organ
        assert svar["Location"] == reverse("arenden:forslag_att_registrera")
        sida = klient.get(svar["Location"]).content.decode()
        assert "Välj det organ där ärendet fortsätter." in sida, organ
    assert not ArendeRelation.objects.filter(fran=overlamnat).exists()
    assert Arende.objects.count() == fore
    overlamnat.refresh_from_db()
    assert overlamnat.state == "overlamnat"
    # the key was not used up by a refusal: the form, corrected, is taken
    svar = klient.post(url, {"organ": str(rs.pk), "inskick": "a" * 32})
    assert svar.status_code == 302
    assert ArendeRelation.objects.get(fran=overlamnat).till.organ == rs


def test_an_organ_in_another_script_is_not_its_ascii_id(overlamnat, rs):
    """``int("١")`` is 1: the organ with that id was registered in before."""
    registrator = factories.user("registrator-RS", organ_role="Registrator", on=rs)
    indisk = str(rs.pk).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    svar = _klient(registrator).post(
        reverse("arenden:registrera_forslag", args=[overlamnat.pk]),
        {"organ": indisk, "inskick": "b" * 32},
    )
    assert svar["Location"] == reverse("arenden:forslag_att_registrera")
    assert not ArendeRelation.objects.filter(fran=overlamnat).exists()


# -- the API's paging (arenden/api/markor.py) ------------------------------------------------


def _api(user) -> APIClient:
    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def _problem(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and body["title"] and body["type"]
    return body


@pytest.mark.parametrize(
    "adress",
    ["/api/arenden/", "/api/sammantraden/", "/api/protokoll/", "/api/arbetslistor/att_tilldela/"],
)
def test_an_antal_that_is_no_count_is_a_400_problem(cast, adress):
    """``antal=²`` was a 500 on every list the API pages; now it is what ``antal=abc`` is."""
    cast.registrera("Ett ärende")
    api = _api(cast.stabschef)
    for antal in [*INGA_ID[:-1], "0", "101"]:  # an empty antal is the default
        body = _problem(api.get(adress, {"antal": antal}), 400)
        assert body["detail"] == "antal ska vara ett heltal från 1 till 100.", antal


def test_an_antal_of_ascii_digits_is_taken(cast):
    for rubrik in ("Ett", "Två", "Tre"):
        cast.registrera(rubrik)
    api = _api(cast.revisor)
    svar = api.get("/api/arenden/", {"antal": "2"})
    assert svar.status_code == 200 and len(svar.json()["resultat"]) == 2
    assert svar.json()["nasta"]
    assert len(api.get("/api/arenden/", {"antal": "02"}).json()["resultat"]) == 2


def test_a_cursor_whose_id_the_api_did_not_write_is_a_400_problem(cast):
    import base64
    import json

    api = _api(cast.revisor)
    for pk in ["5", "٥", "²", 5.5, True, None, [5], -1, 2**63]:
        markor = base64.urlsafe_b64encode(json.dumps({"v": "2025-01-01", "pk": pk}).encode())
        svar = api.get("/api/arenden/", {"markor": markor.decode()})
        assert _problem(svar, 400)["detail"] == "Markören är inte en som API:t gett.", pk
    markor = base64.urlsafe_b64encode(json.dumps({"v": "2025-01-01", "pk": 5}).encode())
    assert api.get("/api/arenden/", {"markor": markor.decode()}).status_code == 200


# -- a model choice (arenden/gemensamt/forms.py) ---------------------------------------------


def _registrering(organ):
    return {"organ": organ, "arendemening": "Skrivelse om fler bänkar", "typ": "skrivelse"}


def test_a_choice_that_is_no_id_is_refused_in_swedish(client, cast):
    """The check before the database read "²" as digits, and int() then refused it: caught,
    under a "no cover" that said it could not happen. What int() reads and the check did
    not ("9_9", spaces inside) went on to the database as a number."""
    client.force_login(cast.registrator)
    fore = Arende.objects.count()
    for organ in [*INGA_ID[:-1], "٩" * 30, "9_" * 20 + "9", str(STORSTA_TAL + 1), "+-1", "-²"]:
        svar = client.post("/registrera/", _registrering(organ))
        assert svar.status_code == 200, organ
        assert "Välj ett av alternativen i listan." in svar.content.decode(), organ
    assert Arende.objects.count() == fore


class _Organval(Formular):
    organ = forms.ModelMultipleChoiceField(queryset=Organ.objects.order_by("namn"))


def test_a_list_of_choices_that_are_no_ids_is_refused_before_the_database(cast):
    """A list of choices is looked up with ``pk__in``, where a number past 64 bits written
    with underscores, which the check did not see, made SQLite's driver raise."""
    for varde in ["9_" * 20 + "9", "٩" * 30, "²", "١", f" {cast.organ.pk}", "-1"]:
        form = _Organval({"organ": [str(cast.organ.pk), varde]})
        assert not form.is_valid()
        assert form.errors["organ"] == ["Välj ett av alternativen i listan."], varde
    form = _Organval({"organ": [str(cast.organ.pk)]})
    assert form.is_valid() and list(form.cleaned_data["organ"]) == [cast.organ]
    assert _Organval({"organ": [cast.organ]}).is_valid()  # given by code: Django's


def test_a_choice_in_another_script_is_not_its_ascii_id(client, cast):
    client.force_login(cast.registrator)
    fore = Arende.objects.count()
    indisk = str(cast.organ.pk).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    svar = client.post("/registrera/", _registrering(indisk))
    assert "Välj ett av alternativen i listan." in svar.content.decode()
    assert Arende.objects.count() == fore


def test_a_choice_of_ascii_digits_is_taken(client, cast):
    client.force_login(cast.registrator)
    fore = Arende.objects.count()
    svar = client.post("/registrera/", _registrering(str(cast.organ.pk)))
    assert svar.status_code == 302
    assert Arende.objects.count() == fore + 1


def test_a_choice_by_kod_is_not_judged_as_an_id(client, cast):
    """A choice found by another column than the id (granskningsloggen's organ by kod) is
    left to Django: a kod is no number."""
    from arenden.granskning.forms import AuditFilter

    form = AuditFilter({"organ": cast.organ.kod})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["organ"] == cast.organ


# -- an address that only takes a form, opened directly (arenden/gemensamt/metod.py) --------

SIDAN = "Adressen kan inte öppnas direkt"


def _sidan(svar, allow: str = "POST") -> str:
    assert svar.status_code == 405
    assert svar["Allow"] == allow
    assert svar["Content-Type"] == "text/html; charset=utf-8"
    sida = svar.content.decode()
    assert SIDAN in sida and "Ingenting har ändrats." in sida
    assert '<html lang="sv"' in sida  # the site's own page, with its menu
    return sida


def test_a_step_opened_directly_is_a_swedish_page_and_changes_nothing(cast):
    arende = cast.registrera("Felregistrerat")
    klient = _klient(cast.registrator)
    sida = _sidan(klient.get(reverse("arenden:overgang", args=[arende.pk])))
    assert f'href="{reverse("arenden:start")}">Till startsidan<' in sida
    assert "Logga ut" in sida  # logged in: the site's menu for them
    arende.refresh_from_db()
    assert arende.state == "registrerat" and history(arende).count() == 1
    # the page carries what every page of a logged-in user carries
    svar = klient.get(reverse("arenden:overgang", args=[arende.pk]))
    assert "no-store" in svar["Cache-Control"]
    assert svar["Content-Security-Policy"]


def test_logging_in_again_to_a_step_leads_to_the_page_not_a_blank_one(client, cast):
    """The session ended; the step's address was kept as ``next`` and opened after the
    login: the page says why, with no way back to the login page."""
    arende = cast.registrera("Felregistrerat")
    url = reverse("arenden:overgang", args=[arende.pk])
    svar = client.get(url)
    assert svar.status_code == 302 and svar["Location"].startswith(reverse("login"))
    inloggning = f"http://testserver{svar['Location']}"
    svar = client.post(
        svar["Location"],
        {"username": cast.registrator.username, "password": "lösenord-123", "next": url},
        HTTP_REFERER=inloggning,
    )
    assert svar.status_code == 302 and svar["Location"] == url
    html = _sidan(client.get(url, HTTP_REFERER=inloggning))
    assert "Tillbaka" not in html
    arende.refresh_from_db()
    assert arende.state == "registrerat" and history(arende).count() == 1


def test_a_task_taken_directly_is_the_page_too(cast):
    _sidan(_klient(cast.registrator).get(reverse("flows:ta", args=[1])))


def test_the_logout_opened_anonymously_is_the_page(client):
    sida = _sidan(client.get(reverse("logout")), allow="POST, OPTIONS")
    assert "Logga in" in sida
    assert f'href="{reverse("arenden:start")}">Till startsidan<' in sida


def test_the_way_back_is_the_page_the_user_came_from_on_this_site(cast):
    arende = cast.registrera("Felregistrerat")
    klient = _klient(cast.registrator)
    url = reverse("arenden:overgang", args=[arende.pk])
    sida = reverse("arenden:arende", args=[arende.pk])
    for referer in [f"http://testserver{sida}", f"http://testserver{sida}?flik=handlingar"]:
        html = _sidan(klient.get(url, HTTP_REFERER=referer))
        assert f'href="{escape(referer)}">Tillbaka till sidan du kom från<' in html
    for referer in [
        "https://annan.example/arende/1/",
        "//annan.example/",
        "javascript:alert(1)",
        "tillbaka",  # no address a browser sends
        sida,
        # back to the login page would log in and lead here again; this address is this page
        f"http://testserver{reverse('login')}?next={url}",
        f"http://testserver{url}",
    ]:
        html = _sidan(klient.get(url, HTTP_REFERER=referer))
        assert "Tillbaka" not in html, referer
        assert f'href="{reverse("arenden:start")}">Till startsidan<' in html


def test_a_post_still_does_what_it_did(cast):
    arende = cast.registrera("Felregistrerat")
    klient = _klient(cast.registrator)
    svar = klient.post(
        reverse("arenden:overgang", args=[arende.pk]),
        factories.fran_arendesidan(
            arende,
            {
                "overgang": "makulera",
                "status": "registrerat",
                "steg": version(arende),
                "kommentar": "Dubbelregistrerat",
            },
        ),
    )
    assert svar.status_code == 302
    arende.refresh_from_db()
    assert arende.state == "makulerat"
    svar = klient.post(reverse("logout"))
    assert svar.status_code == 302 and svar["Location"] == reverse("arenden:postlista")


def test_the_api_keeps_its_own_problem_for_a_method_it_does_not_take(cast):
    svar = _api(cast.revisor).delete("/api/arenden/")
    body = _problem(svar, 405)
    assert body["detail"] == "Metoden stöds inte för den här adressen."
    assert "GET" in svar["Allow"]


def test_a_405_with_a_body_of_its_own_is_left_as_it_is():
    from django.http import HttpResponseNotAllowed
    from django.test import RequestFactory

    from arenden.gemensamt.metod import MetodSida

    egen = HttpResponseNotAllowed(["POST"], content=b"egen text")
    svar = MetodSida(lambda request: egen)(RequestFactory().get("/"))
    assert svar is egen and svar.content == b"egen text"
