"""The register of ledamöter is what an ordförandebeslut and a meeting's beslutförhet rest
on. An ordförandebeslut in a brådskande ärende is taken by a ledamot (KL 6 kap. 39 §); the
step checks the seat on the day of the beslut (flows.arende.DELEGATIONSBESLUT). A correction
of the register afterwards ended the seat before that day, and was accepted: the ärende stayed
*beslutat* on a ground the register no longer showed. Likewise a meeting's beslut were
counted against the register of its day (KL 5 kap. 45 §, 6 kap. 27 §). Such a correction is
now refused, in Swedish, on the page too, and nothing is changed; one that touches no such
day goes through."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from arenden.delegering.services import fatta_delegationsbeslut
from arenden.organisation.models import Ledamotsuppdrag
from arenden.sammantraden import protokoll
from flows.arende import DELEGATIONSBESLUT
from tests import factories
from tests.test_delegering import DAG, _bradskande_rad

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _falt(plats):
    return Ledamotsuppdrag.objects.values("uppdrag", "fran", "till", "version").get(pk=plats.pk)


def test_a_seat_an_ordforandebeslut_rests_on_is_not_ended_before_it():
    mote, plats, rad = _bradskande_rad()
    cast = mote.cast
    arende = mote.berett_arende("Brådskande yttrande")
    fatta_delegationsbeslut(arende, user=mote.ordforande_user, punkt=rad, datum=DAG, text="Ja")
    fore = _falt(plats)
    with pytest.raises(ValidationError, match="ordförandebeslutet i .* 6 kap. 39 §"):
        protokoll.andra_uppdrag(
            plats, user=cast.sekreterare, till=datetime.date(2025, 6, 30), version=plats.version
        )
    with pytest.raises(ValidationError, match="ordförandebeslutet"):
        protokoll.andra_uppdrag(
            plats, user=cast.sekreterare, uppdrag="ersattare", version=plats.version
        )
    assert _falt(plats) == fore
    arende.refresh_from_db()
    assert arende.state == "beslutat" and DELEGATIONSBESLUT.check(arende)

    # on the register page: the refusal said, nothing changed, no error page
    client = Client()
    client.force_login(cast.sekreterare)
    url = reverse("arenden:organ_ledamot_andra", args=[cast.organ.pk, plats.pk])
    svar = client.post(
        url,
        {
            "version": plats.version,
            f"andra-{plats.pk}-uppdrag": "ledamot",
            f"andra-{plats.pk}-parti": "s",
            f"andra-{plats.pk}-fran": "2023-01-01",
            f"andra-{plats.pk}-till": "2025-06-30",
            f"andra-{plats.pk}-ordning": "0",
        },
        follow=True,
    )
    assert svar.status_code == 200
    assert "ordförandebeslutet i" in svar.content.decode()
    assert _falt(plats) == fore

    # ended after the beslut: nothing rests on the days it leaves
    protokoll.andra_uppdrag(
        plats, user=cast.sekreterare, till=datetime.date(2025, 12, 31), version=plats.version
    )
    plats.refresh_from_db()
    assert plats.till == datetime.date(2025, 12, 31)


def test_a_seat_is_not_changed_on_the_day_of_a_meeting_with_beslut_recorded():
    from tests.test_sammantraden import Mote

    mote = Mote()
    cast = mote.cast
    plats = factories.ledamot(cast.organ, mote.ledamot)
    for person in (mote.ordforande, mote.justerare, mote.annan):
        factories.ledamot(cast.organ, person)
    punkt = mote.punkt(mote.berett_arende("Ett ärende"))
    mote.kalla()
    # before anything is decided the register may still be put right
    protokoll.andra_uppdrag(plats, user=cast.sekreterare, ordning=3, version=plats.version)
    plats.refresh_from_db()
    mote.besluta(punkt)
    fore = _falt(plats)
    with pytest.raises(ValidationError, match="beslutförheten räknades mot registret"):
        protokoll.andra_uppdrag(
            plats, user=cast.sekreterare, till=datetime.date(2025, 11, 1), version=plats.version
        )
    assert _falt(plats) == fore
    # a correction that leaves the meeting's day as it was goes through
    protokoll.andra_uppdrag(plats, user=cast.sekreterare, parti="mp", version=plats.version)
    plats.refresh_from_db()
    assert plats.parti == "mp"
