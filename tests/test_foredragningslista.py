"""The föredragningslista before the kallelse: items are reordered and struck by the
nämndsekreterare, a struck ärende is ready for decision again with the reason in its history,
and after the kallelse the list stands."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from arenden.models import Punkt
from arenden.sammantraden import protokoll
from tests import factories
from tests.test_sammantraden_regler import Mote
from workflow.engine import history

pytestmark = pytest.mark.django_db


@pytest.fixture
def mote():
    mote = Mote(factories.Cast())
    mote.tredje = mote.punkt(
        typ=Punkt.Typ.AKTUELLT, rubrik="Ekonomisk uppföljning", slag=Punkt.Slag.INFORMATIONSARENDE
    )
    return mote


def _ordning(mote) -> list[str]:
    return list(mote.sammantrade.punkter.order_by("ordning").values_list("rubrik", flat=True))


def _inloggad(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_sekreterare_reorders_the_items_over_http(mote):
    client = _inloggad(mote.sek)
    fore = _ordning(mote)
    assert fore == [mote.arendepunkt.rubrik, "Aktuellt", "Ekonomisk uppföljning"]
    sida = client.get(reverse("arenden:sammantrade", args=[mote.sammantrade.pk])).content.decode()
    assert "Flytta upp" in sida and "Stryk" in sida
    client.post(
        reverse("arenden:punkt_flytta", args=[mote.tredje.pk, "upp"]),
        factories.fran_motessidan(mote.sammantrade),
    )
    assert _ordning(mote) == [mote.arendepunkt.rubrik, "Ekonomisk uppföljning", "Aktuellt"]
    client.post(
        reverse("arenden:punkt_flytta", args=[mote.arendepunkt.pk, "ned"]),
        factories.fran_motessidan(mote.sammantrade),
    )
    assert _ordning(mote) == ["Ekonomisk uppföljning", mote.arendepunkt.rubrik, "Aktuellt"]
    assert sorted(mote.sammantrade.punkter.values_list("ordning", flat=True)) == [1, 2, 3]
    # the first cannot move up: said, nothing changed
    forsta = mote.sammantrade.punkter.get(ordning=1)
    svar = client.post(
        reverse("arenden:punkt_flytta", args=[forsta.pk, "upp"]),
        factories.fran_motessidan(mote.sammantrade),
        follow=True,
    )
    assert "Punkten står redan först." in svar.content.decode()
    assert _ordning(mote) == ["Ekonomisk uppföljning", mote.arendepunkt.rubrik, "Aktuellt"]
    assert (
        client.post(reverse("arenden:punkt_flytta", args=[forsta.pk, "sidled"])).status_code == 404
    )


def test_a_struck_arende_is_ready_for_decision_again_with_the_reason_in_its_history(mote):
    client = _inloggad(mote.sek)
    url = reverse("arenden:punkt_stryk", args=[mote.arendepunkt.pk])
    svar = client.post(
        url, factories.fran_motessidan(mote.sammantrade, {"motivering": ""}), follow=True
    )
    assert "Skriv varför punkten stryks." in svar.content.decode()
    assert mote.sammantrade.punkter.count() == 3
    # too long: refused whole, never cut short in the ärende's history
    svar = client.post(
        url, factories.fran_motessidan(mote.sammantrade, {"motivering": "x" * 2001}), follow=True
    )
    assert "Motiveringen får ha högst 2000 tecken." in svar.content.decode()
    assert mote.sammantrade.punkter.count() == 3
    client.post(
        url,
        factories.fran_motessidan(
            mote.sammantrade, {"motivering": "Förvaltningen behöver komplettera underlaget"}
        ),
    )
    assert _ordning(mote) == ["Aktuellt", "Ekonomisk uppföljning"]
    assert sorted(mote.sammantrade.punkter.values_list("ordning", flat=True)) == [1, 2]
    mote.arende.refresh_from_db()
    assert mote.arende.state == "beredd"
    steg = history(mote.arende).order_by("-seq").first()
    assert steg.transition == "stryk" and steg.actor == mote.sek
    assert "Förvaltningen behöver komplettera underlaget" in steg.comment
    # it can go on another meeting's list
    annat = protokoll.planera(
        organ=mote.cast.organ, datum=mote.sammantrade.datum, plats="Rum 2", user=mote.sek
    )
    protokoll.lagg_till_punkt(annat, user=mote.sek, arende=mote.arende)
    mote.arende.refresh_from_db()
    assert mote.arende.state == "anmalt"


def test_after_the_kallelse_the_list_stands(mote):
    mote.kalla()
    with pytest.raises(ValidationError, match="innan kallelsen"):
        protokoll.flytta_punkt(mote.tredje, user=mote.sek, upp=True)
    with pytest.raises(ValidationError, match="innan kallelsen"):
        protokoll.stryk_punkt(mote.arendepunkt, user=mote.sek, motivering="Sent")
    assert _ordning(mote) == [mote.arendepunkt.rubrik, "Aktuellt", "Ekonomisk uppföljning"]
    sida = _inloggad(mote.sek).get(reverse("arenden:sammantrade", args=[mote.sammantrade.pk]))
    assert "Flytta upp" not in sida.content.decode()


def test_only_the_sekreterare_changes_the_list(mote):
    for user in (mote.cast.stabschef, mote.cast.registrator, mote.ordforande_user):
        with pytest.raises(PermissionDenied):
            protokoll.stryk_punkt(mote.arendepunkt, user=user, motivering="Nej")
        with pytest.raises(PermissionDenied):
            protokoll.flytta_punkt(mote.tredje, user=user, upp=True)
    assert mote.sammantrade.punkter.count() == 3
    mote.arende.refresh_from_db()
    assert mote.arende.state == "anmalt"


def test_an_item_the_narvaro_names_as_where_someone_joined_or_left_is_not_struck(mote):
    """Over HTTP as the sekreterare: a Swedish refusal naming who, and nothing changed;
    once the närvaro no longer points at the item, it is struck."""
    rad = mote.deltagare(mote.annan)
    protokoll.andra_narvaro(rad, user=mote.sek, narvarande=True, anslot_fran=mote.info)
    client = _inloggad(mote.sek)
    url = reverse("arenden:punkt_stryk", args=[mote.info.pk])
    svar = client.post(
        url, factories.fran_motessidan(mote.sammantrade, {"motivering": "Utgår."}), follow=True
    )
    assert svar.status_code == 200
    assert (
        f"Närvaron anger att {mote.annan} anslöt vid eller lämnade efter punkten. Ändra "
        "närvaron först" in svar.content.decode()
    )
    assert _ordning(mote) == [mote.arendepunkt.rubrik, "Aktuellt", "Ekonomisk uppföljning"]
    protokoll.andra_narvaro(rad, user=mote.sek, anslot_fran=None, lamnade_efter=mote.info)
    svar = client.post(
        url, factories.fran_motessidan(mote.sammantrade, {"motivering": "Utgår."}), follow=True
    )
    assert "Ändra närvaron först" in svar.content.decode()
    protokoll.andra_narvaro(rad, user=mote.sek, lamnade_efter=None)
    client.post(url, factories.fran_motessidan(mote.sammantrade, {"motivering": "Utgår."}))
    assert _ordning(mote) == [mote.arendepunkt.rubrik, "Ekonomisk uppföljning"]


def test_the_signed_record_of_absence_follows_its_items_when_the_list_changes(mote):
    """Who was absent from which item is in the närvaro's signed row by the items' places
    (KL 5 kap. 45 §): when an item moves or one before it is struck, a new row says the
    places they have now; absence from a struck item goes with it."""
    rad = mote.deltagare(mote.annan)
    protokoll.andra_narvaro(rad, user=mote.sek, narvarande=True, franvarande_pa=[mote.tredje])
    rad.refresh_from_db()
    assert rad.franvarande_punkter == "3"
    # items moved above it: its place and the record stand, no new row
    rader = rad.history.count()
    protokoll.flytta_punkt(mote.info, user=mote.sek, upp=True)
    protokoll.flytta_punkt(mote.info, user=mote.sek, upp=False)
    assert rad.history.count() == rader
    protokoll.flytta_punkt(mote.tredje, user=mote.sek, upp=True)
    rad.refresh_from_db()
    assert rad.franvarande_punkter == "2"
    senaste = rad.history.first()
    assert (senaste.franvarande_punkter, senaste.history_change_reason) == ("2", "flyttad")
    # the item before it struck: it is the second still, then the first
    protokoll.flytta_punkt(mote.tredje, user=mote.sek, upp=False)
    protokoll.stryk_punkt(mote.info, user=mote.sek, motivering="Utgår.")
    rad.refresh_from_db()
    mote.tredje.refresh_from_db()
    assert (mote.tredje.ordning, rad.franvarande_punkter) == (2, "2")
    assert rad.history.first().history_change_reason == "struken"
    antal = rad.history.count()
    # absent from the item struck: the absence goes, in a row of its own
    protokoll.stryk_punkt(mote.tredje, user=mote.sek, motivering="Utgår också.")
    rad.refresh_from_db()
    assert (rad.franvarande_punkter, list(rad.franvarande_pa.all())) == ("", [])
    assert rad.history.count() == antal + 1
