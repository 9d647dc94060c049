"""The ärende's Expedierat is the day its beslut was sent to the last recipient: an
expediering recorded afterwards (a letter posted yesterday) dates the ärende by when it was
sent, not by when it was recorded. The ärende's page, the API and the archive's Expedierad
say that day; the demo's HSN 787-2025 reads expedierat after its justering and before the
återrapport the beslut asked for."""

import datetime

import pytest
from django.urls import reverse

from arenden import demo
from arenden.handlaggning.services import expediera_till
from tests.test_sammantraden import Mote

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_an_expediering_recorded_afterwards_dates_the_arende_by_when_it_was_sent(client):
    mote = Mote(datum=datetime.date(2025, 11, 12))
    arende = mote.berett_arende("Riktlinjer för tolkstöd")
    punkt = mote.punkt(arende)
    mote.kalla()
    mote.besluta(punkt)
    mote.uppratta()
    mote.justera_alla(tidpunkt=datetime.datetime(2025, 11, 20, 9, 0, tzinfo=datetime.UTC))

    skickat = datetime.datetime(2025, 11, 21, 15, 0, tzinfo=datetime.UTC)
    arende.refresh_from_db()  # beslutat, as the expediering page reads it
    expediera_till(
        arende.mottagare.get(), user=mote.cast.sekreterare, metod="post", tidpunkt=skickat
    )

    arende.refresh_from_db()
    assert (arende.state, arende.expedierat) == ("expedierat", datetime.date(2025, 11, 21))
    client.force_login(mote.cast.sekreterare)
    sida = client.get(reverse("arenden:arende", args=[arende.pk])).content.decode()
    assert "<dt>Expedierat</dt><dd>2025-11-21</dd>" in sida


def test_the_demo_arende_is_expedierat_before_its_aterrapport():
    folk = demo.bygg_organisation()
    arende = demo.hsn_787_2025(folk)

    [uppdrag] = arende.uppdrag.all()
    assert arende.expedierat == datetime.date(2025, 11, 18)  # the day after the justering
    assert arende.beslutat < arende.expedierat < uppdrag.redovisat <= arende.avslutat
