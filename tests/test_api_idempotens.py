"""An integration that sends a creating call twice with the same ``Idempotency-Key`` (its
answer was lost, its job restarted) gets the first answer again and nothing is created twice;
the same key with another body is refused in Swedish; keys are per account; and two repeats
at the same moment on PostgreSQL register one ärende."""

import threading

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from arenden.handlaggning.services import tilldela
from arenden.konto.integrationer import ApiIdempotens
from arenden.models import Arende, Handling
from arenden.organisation import roles as roller
from tests import factories
from tests.test_api import klient, problem
from workflow.engine import do_transition

NY = {"organ": "HSN", "arendemening": "Skrivelse om cykelbanor", "typ": "skrivelse"}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def cast(db):
    return factories.Cast("HSN")


def registrera(client, data, nyckel):
    return client.post("/api/arenden/", data, format="json", HTTP_IDEMPOTENCY_KEY=nyckel)


def test_a_repeat_with_the_same_key_gets_the_first_answer_and_registers_nothing(cast):
    registrator = klient(cast.registrator)
    forsta = registrera(registrator, NY, "5f0c2a9e-registrering-1")
    assert forsta.status_code == 201, forsta.content
    assert "Idempotent-Replayed" not in forsta
    andra = registrera(registrator, dict(reversed(NY.items())), "5f0c2a9e-registrering-1")
    assert andra.status_code == 201
    assert andra.json() == forsta.json()
    assert andra["Idempotent-Replayed"] == "true"
    assert Arende.objects.filter(arendemening=NY["arendemening"]).count() == 1
    # another key is another registration, under the next number
    tredje = registrera(registrator, NY, "5f0c2a9e-registrering-2")
    assert tredje.json()["id"] != forsta.json()["id"]
    assert Arende.objects.filter(arendemening=NY["arendemening"]).count() == 2


def test_the_same_key_with_another_body_is_refused_in_swedish(cast):
    registrator = klient(cast.registrator)
    registrera(registrator, NY, "nyckel-1")
    body = problem(registrera(registrator, {**NY, "typ": "remiss"}, "nyckel-1"), 422)
    assert body["title"] == "Nyckeln är redan använd"
    assert "har redan använts för en annan begäran" in body["detail"]
    assert Arende.objects.count() == 1


def test_keys_belong_to_an_account(cast):
    annan_registrator = factories.User.objects.create_user("registrator2")
    annan_registrator.groups.add(Group.objects.get(name=roller.REGISTRATOR))
    forsta = registrera(klient(cast.registrator), NY, "gemensam")
    andra = registrera(klient(annan_registrator), NY, "gemensam")
    assert (forsta.status_code, andra.status_code) == (201, 201)
    assert forsta.json()["id"] != andra.json()["id"]
    assert "Idempotent-Replayed" not in andra


def test_a_refused_call_keeps_no_key_and_may_be_corrected(cast):
    registrator = klient(cast.registrator)
    problem(registrera(registrator, {**NY, "typ": "ingen-typ"}, "rattas-sedan"), 400)
    assert not ApiIdempotens.objects.exists()
    assert registrera(registrator, NY, "rattas-sedan").status_code == 201
    # and another account's refusal records nothing under the key either
    problem(registrera(klient(cast.handlaggare), NY, "handlaggarens"), 403)
    assert list(ApiIdempotens.objects.values_list("nyckel", flat=True)) == ["rattas-sedan"]


def test_a_creating_call_without_a_key_is_refused_and_creates_nothing(cast):
    """Without a key a retried registration was a second ärende under a number of its own."""
    arende = cast.registrera("Med bilagor")
    registrator = klient(cast.registrator)
    body = problem(
        registrator.post("/api/arenden/", NY, format="json", HTTP_IDEMPOTENCY_KEY=None), 400
    )
    assert body["title"] == "Idempotency-Key saknas" and "UUID" in body["detail"]
    svar = registrator.post(
        f"/api/arenden/{arende.pk}/handlingar/",
        {"typ": "skrivelse", "riktning": "inkommen", "datum": "2025-10-20", "titel": "Brev"},
        HTTP_IDEMPOTENCY_KEY=None,
    )
    assert problem(svar, 400)["type"].endswith("/idempotensnyckel-saknas")
    assert list(Arende.objects.all()) == [arende] and not Handling.objects.exists()
    assert not ApiIdempotens.objects.exists()


@pytest.mark.parametrize("nyckel", ["", "med mellanslag", "x" * 256, "åäö"])
def test_a_key_that_is_not_visible_ascii_is_refused(cast, nyckel):
    svar = registrera(klient(cast.registrator), NY, nyckel.encode().decode("latin-1"))
    assert "Idempotency-Key" in problem(svar, 400)["detail"]
    assert not Arende.objects.exists()


def test_an_upload_repeated_with_its_key_is_filed_once(cast):
    arende = cast.registrera("Med bilagor")
    tilldela(arende, handlaggare=cast.handlaggare, user=cast.stabschef)
    do_transition(arende, "paborja_beredning", cast.handlaggare)
    handlaggare = klient(cast.handlaggare)

    def ladda_upp(innehall: bytes):
        return handlaggare.post(
            f"/api/arenden/{arende.pk}/handlingar/",
            {
                "typ": "bilaga",
                "riktning": "intern",
                "datum": "2025-10-20",
                "titel": "Kalkyl",
                "fil": SimpleUploadedFile("kalkyl.txt", innehall),
            },
            HTTP_IDEMPOTENCY_KEY="uppladdning-1",
        )

    forsta, andra = ladda_upp(b"1 2 3"), ladda_upp(b"1 2 3")
    assert (forsta.status_code, andra.status_code) == (201, 201)
    assert andra.json() == forsta.json() and andra["Idempotent-Replayed"] == "true"
    assert Handling.objects.filter(arende=arende, titel="Kalkyl").count() == 1
    # the same fields with another file is another request
    assert problem(ladda_upp(b"4 5 6"), 422)
    assert Handling.objects.filter(arende=arende, titel="Kalkyl").count() == 1


def test_the_header_is_in_the_schema(cast):
    schema = klient(cast.registrator).get("/api/schema/?format=json").json()
    for path in ("/api/arenden/", "/api/arenden/{id}/handlingar/"):
        post = schema["paths"][path]["post"]
        [parameter] = [p for p in post["parameters"] if p["name"] == "Idempotency-Key"]
        assert parameter["in"] == "header" and parameter["required"]
        assert "422" in post["responses"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_repeats_at_the_same_moment_register_one_arende():
    factories.rollernas_rattigheter()
    cast = factories.Cast("HSN")
    clients = [klient(cast.registrator) for _ in range(4)]
    for runda in range(5):
        data = {**NY, "arendemening": f"Runda {runda}"}
        barrier = threading.Barrier(len(clients), timeout=30)
        svar, fel = [], []

        def skicka(client, data=data, barrier=barrier, svar=svar, fel=fel, runda=runda):
            try:
                barrier.wait()
                svar.append(registrera(client, data, f"samtidig-{runda}"))
            except Exception as error:  # noqa: BLE001 - reported below
                fel.append(error)
            finally:
                connection.close()

        tradar = [threading.Thread(target=skicka, args=(c,)) for c in clients]
        for trad in tradar:
            trad.start()
        for trad in tradar:
            trad.join()
        assert fel == []
        [arende] = Arende.objects.filter(arendemening=f"Runda {runda}")
        assert [s.status_code for s in svar] == [201] * len(clients)
        assert {s.json()["id"] for s in svar} == {arende.pk}
        assert sorted(s.get("Idempotent-Replayed", "") for s in svar) == [""] + ["true"] * 3
