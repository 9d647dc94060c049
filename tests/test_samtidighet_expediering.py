"""Expediering under concurrency and corrections: the ärende is *expedierat* exactly when its
sändlista is sent to everyone on it, whichever step completes the list (the last recipient
sent to, or the last unsent one removed), and never before."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from arenden.diarium.services import arendets_version
from arenden.handlaggning import services
from arenden.models import Mottagare
from arenden.sammantraden import protokoll
from tests import factories
from workflow.engine import history

pytestmark = pytest.mark.django_db

BESLUTSDAG = datetime.date(2025, 11, 12)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def cast():
    return factories.Cast()


def _beslutat(cast, sandlista=("Kommunförbundet", "Revisionen")):
    """An ärende decided at a meeting, its beslut to be expedierat to ``sandlista``."""
    c = cast
    arende = c.berett("Avtal om samverkan", sandlista=sandlista)
    mote = protokoll.planera(organ=c.organ, datum=BESLUTSDAG, plats="Umeå", user=c.sekreterare)
    punkt = protokoll.lagg_till_punkt(mote, user=c.sekreterare, arende=arende)
    factories.narvaro(mote, c.sekreterare)  # who serves, noted before the kallelse to them
    protokoll.kalla(mote, user=c.sekreterare)
    protokoll.besluta(punkt, user=c.sekreterare, utfall="bifall", beslut="Att bifalla.")
    factories.justera_protokollet(mote, c.sekreterare)
    arende.refresh_from_db()
    assert arende.state == "beslutat"
    return arende


def test_removing_the_last_unsent_recipient_completes_the_expediering(cast):
    """Sent to Kommunförbundet; Revisionen was put on the list by mistake and is removed:
    everyone left on the list has the beslut, so the ärende is expedierat (it would otherwise
    stay beslutat with nothing left to send and no way on)."""
    arende = _beslutat(cast)
    kommunforbundet = arende.mottagare.get(adress="Kommunförbundet")
    services.expediera_till(kommunforbundet, user=cast.sekreterare, metod="post")
    revisionen = arende.mottagare.get(adress="Revisionen")
    arende.refresh_from_db()
    klient = Client()
    klient.force_login(cast.sekreterare)
    url = reverse("arenden:sandlista", args=[arende.pk])
    ta_bort = {"ta_bort": revisionen.pk, "bekraftat": "1", "version": arendets_version(arende)}
    # the beslut is taken: who is on the list is to be told of it (FL 33 §), so taking one off
    # is asked again, with a motivering, and nothing is removed without one
    svar = klient.post(url, ta_bort, follow=True)
    sida = svar.content.decode()
    assert svar.status_code == 200
    assert "Skriv varför den som tas bort inte ska få det." in sida
    assert 'name="motivering"' in sida and "Ta bort Revisionen från sändlistan?" in sida
    assert Mottagare.objects.filter(arende=arende).count() == 2
    arende.refresh_from_db()
    assert arende.state == "beslutat"
    motivering = "Revisionen står på listan av misstag; den är inte part."
    svar = klient.post(url, {**ta_bort, "motivering": motivering}, follow=True)
    assert svar.status_code == 200
    assert "Revisionen är borttagen från sändlistan." in svar.content.decode()
    arende.refresh_from_db()
    assert [str(m) for m in Mottagare.objects.filter(arende=arende)] == ["Kommunförbundet"]
    assert arende.state == "expedierat"
    assert arende.expedierat is not None
    # the revisor reads why: whole, with the removal, and with the step it completed
    borttagen = Mottagare.history.get(id=revisionen.pk, history_type="-")
    assert borttagen.history_change_reason == motivering
    assert borttagen.history_user == cast.sekreterare
    assert history(arende).last().comment == motivering


@pytest.mark.parametrize("motivering", ["x" * 2001, "Av misstag\x00"])
def test_a_motivering_too_long_or_with_a_nul_removes_nobody(cast, motivering):
    arende = _beslutat(cast)
    with pytest.raises(ValidationError, match="högst 2000 tecken och inga nolltecken"):
        services.satt_sandlista(
            arende, ["Kommunförbundet"], user=cast.sekreterare, motivering=motivering
        )
    assert sorted(map(str, arende.mottagare.all())) == ["Kommunförbundet", "Revisionen"]
    arende.refresh_from_db()
    assert arende.state == "beslutat"


def test_a_motivering_of_the_forms_length_with_line_breaks_is_taken_whole(cast):
    """The form counts a line break once, the browser sends it as CR LF: 2000 characters
    as the form counts them are taken, and kept with LF."""
    arende = _beslutat(cast)
    motivering = "\r\n".join(["x" * 99] * 20) + "x"  # 2000 as the form counts, 2019 sent
    services.satt_sandlista(
        arende, ["Kommunförbundet"], user=cast.sekreterare, motivering=motivering
    )
    borttagen = Mottagare.history.get(adress="Revisionen", history_type="-")
    assert borttagen.history_change_reason == motivering.replace("\r\n", "\n")
