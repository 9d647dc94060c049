"""A double click or a resent form creates nothing twice, and the second sending is shown the
first one's result, never an error for its success (arenden.gemensamt.inskick). Proven sequentially
on
both databases and, on PostgreSQL, with the two sendings at the same moment."""

import re
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse

from arenden.models import Arende, Handling, Inskick
from tests import factories
from workflow.engine import history

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def cast():
    return factories.Cast()


def _logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _nyckel(page: str) -> str:
    return re.search(r'name="inskick" value="(\w+)"', page).group(1)


def _registrering(cast, nyckel):
    return {
        "organ": cast.organ.pk,
        "arendemening": "Skrivelse om fler bänkar",
        "typ": "skrivelse",
        "inskick": nyckel,
    }


def test_a_double_clicked_registration_registers_one_arende(cast):
    client = _logged_in(cast.registrator)
    nyckel = _nyckel(client.get(reverse("arenden:registrera")).content.decode())
    first = client.post(reverse("arenden:registrera"), _registrering(cast, nyckel))
    second = client.post(reverse("arenden:registrera"), _registrering(cast, nyckel), follow=True)
    [arende] = Arende.objects.all()
    assert first["Location"] == reverse("arenden:arende", args=[arende.pk])
    assert second.redirect_chain[0][0] == first["Location"]  # the first one's result
    page = second.content.decode()
    assert "Formuläret var redan skickat" in page and str(arende.diarienummer) in page


def test_a_new_page_gives_a_new_key(cast):
    client = _logged_in(cast.registrator)
    for rubrik in ("Ett", "Två"):
        nyckel = _nyckel(client.get(reverse("arenden:registrera")).content.decode())
        data = {**_registrering(cast, nyckel), "arendemening": rubrik}
        client.post(reverse("arenden:registrera"), data)
    assert Arende.objects.count() == 2


def test_a_form_sent_back_to_be_corrected_can_be_sent_again(cast):
    client = _logged_in(cast.registrator)
    nyckel = _nyckel(client.get(reverse("arenden:registrera")).content.decode())
    fel = {**_registrering(cast, nyckel), "arendemening": ""}
    assert client.post(reverse("arenden:registrera"), fel).status_code == 200
    assert not Inskick.objects.exists()
    client.post(reverse("arenden:registrera"), _registrering(cast, nyckel))
    assert Arende.objects.count() == 1


def test_a_double_clicked_upload_files_one_handling(cast):
    arende = cast.registrera("Med bilaga")
    client = _logged_in(cast.registrator)
    url = reverse("arenden:ny_handling", args=[arende.pk])
    nyckel = _nyckel(client.get(url).content.decode())
    sidan = factories.fran_arendesidan(arende)  # one page, sent twice
    for _ in range(2):
        client.post(
            url,
            {
                **sidan,
                "typ": "skrivelse",
                "riktning": "inkommen",
                "datum": "2025-10-20",
                "titel": "Skrivelse",
                "inskick": nyckel,
                "fil": SimpleUploadedFile("brev.txt", b"Hej", content_type="text/plain"),
            },
        )
    assert Handling.objects.filter(arende=arende).count() == 1


def test_a_double_clicked_step_is_taken_once_and_the_second_click_says_so(cast):
    arende = cast.registrera("Att tilldela")
    client = _logged_in(cast.stabschef)
    url = reverse("arenden:tilldela", args=[arende.pk])
    data = factories.fran_arendesidan(
        arende,
        {
            "handlaggare": cast.handlaggare.pk,
            "kommentar": "",
            "ansvarig-TOTAL_FORMS": "0",
            "ansvarig-INITIAL_FORMS": "0",
            "inskick": _nyckel(client.get(url).content.decode()),
        },
    )
    first = client.post(url, data)
    second = client.post(url, data, follow=True)
    assert [h.transition for h in history(arende)] == ["", "tilldela"]
    assert second.redirect_chain[0][0] == first["Location"]
    page = second.content.decode()
    assert "Formuläret var redan skickat" in page
    assert "redan flyttats" not in page and "inte tillåten" not in page


def samtidigt(clients, url, data) -> list:
    """Each client posts ``data`` to ``url`` at the same moment, each on its own database
    connection; their responses, in the clients' order. ``data`` is one dict for all, or a
    list with each client's own."""
    barrier = threading.Barrier(len(clients))
    svar, errors = [None] * len(clients), []
    varje = data if isinstance(data, list) else [data] * len(clients)

    def skicka(i, client):
        try:
            barrier.wait()
            svar[i] = client.post(url, varje[i])
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=skicka, args=(i, c)) for i, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return svar


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sendings_at_the_same_moment_register_one_arende():
    factories.rollernas_rattigheter()
    cast = factories.Cast()
    clients = [_logged_in(cast.registrator) for _ in range(2)]
    nyckel = _nyckel(clients[0].get(reverse("arenden:registrera")).content.decode())
    for round_ in range(5):
        data = {**_registrering(cast, f"{nyckel}{round_}"), "arendemening": f"Runda {round_}"}
        svar = samtidigt(clients, reverse("arenden:registrera"), data)
        [arende] = Arende.objects.filter(arendemening=f"Runda {round_}")
        assert sorted(r.status_code for r in svar) == [302, 302]
        assert {r["Location"] for r in svar} == {reverse("arenden:arende", args=[arende.pk])}
