"""One way to answer a refusal in every view (workflow.middleware): a refused or stale step, a
change someone else made first, a failed validation inside a service. The user gets a Swedish
message and is sent back, never a 500, and nothing of the refused request is kept."""

import pytest
from django.test import Client
from django.urls import reverse
from django_fsm import ConcurrentTransition

from arenden.handlaggning import services
from arenden.models import Mottagare
from tests import factories
from workflow.engine import StaleState, TransitionNotAllowed, do_transition

pytestmark = pytest.mark.django_db


@pytest.fixture
def bereds():
    cast = factories.Cast()
    arende = cast.registrera("Ärende under beredning")
    services.tilldela(arende, handlaggare=cast.handlaggare, user=cast.stabschef)
    do_transition(arende, "paborja_beredning", cast.handlaggare)
    client = Client()
    client.force_login(cast.handlaggare)
    return arende, client


def _neka(exception):
    def service(*args, **kwargs):
        raise exception

    return service


@pytest.mark.parametrize(
    "exception, message",
    [
        (StaleState("Ärendet har redan flyttats av någon annan."), "redan flyttats"),
        (ConcurrentTransition("state changed"), "Någon annan hann ändra först"),
        (TransitionNotAllowed("Övergången är inte tillåten nu."), "inte tillåten nu"),
    ],
    ids=["stale", "concurrent", "refused"],
)
def test_a_refusal_a_view_does_not_catch_is_a_message_and_a_way_back(
    bereds, monkeypatch, exception, message
):
    arende, client = bereds
    page = reverse("arenden:sandlista", args=[arende.pk])
    monkeypatch.setattr(services, "satt_sandlista", _neka(exception))
    response = client.post(
        page,
        factories.fran_arendesidan(arende, {"adress": "Kommunförbundet"}),
        HTTP_REFERER=f"http://testserver{page}",
    )
    assert response.status_code == 302 and response["Location"] == f"http://testserver{page}"
    shown = client.get(page).content.decode()
    assert message in shown
    assert not Mottagare.objects.filter(arende=arende).exists()


def test_the_way_back_never_leads_to_another_site(bereds, monkeypatch):
    arende, client = bereds
    monkeypatch.setattr(services, "satt_sandlista", _neka(StaleState("Redan flyttat.")))
    response = client.post(
        reverse("arenden:sandlista", args=[arende.pk]),
        factories.fran_arendesidan(arende, {"adress": "Kommunförbundet"}),
        HTTP_REFERER="https://angripare.example/",
    )
    assert response.status_code == 302 and response["Location"] == reverse("arenden:start")


def test_an_error_that_is_no_refusal_is_not_hidden(bereds, monkeypatch):
    arende, client = bereds
    monkeypatch.setattr(services, "satt_sandlista", _neka(RuntimeError("fel i koden")))
    with pytest.raises(RuntimeError):
        client.post(
            reverse("arenden:sandlista", args=[arende.pk]),
            factories.fran_arendesidan(arende, {"adress": "Kommunförbundet"}),
        )
