"""A meeting's steps in their order: called before it is held, justerat after it is held.
A kallelse recorded afterwards (a meeting held before the system, as the demo replays them)
carries the time it was sent, which has happened and came before the meeting began; without
one it is now. The demo's meetings read called a week before, never called today after a
justering years ago."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from arenden import demo
from arenden.models import Kallelsemottagare, Sammantrade
from arenden.sammantraden import protokoll
from tests.test_sammantraden import Mote

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_the_demo_meeting_reads_called_before_it_was_held_and_justerat(client):
    folk = demo.bygg_organisation()
    arende = demo.hsn_787_2025(folk)
    mote = Sammantrade.objects.get(punkter__arende=arende)

    assert mote.kallad < mote.borjar < mote.justerat
    client.force_login(folk.sekreterare)
    sida = client.get(reverse("arenden:sammantrade", args=[mote.pk])).content.decode()
    assert "<dt>Kallat</dt><dd>2025-11-05 10:00." in sida  # a week before 2025-11-12


def test_a_kallelse_recorded_afterwards_keeps_the_time_it_was_sent():
    mote = Mote(datum=datetime.date(2025, 11, 12))
    skickad = datetime.datetime(2025, 11, 4, 8, 0, tzinfo=datetime.UTC)

    protokoll.kalla(mote.sammantrade, user=mote.cast.sekreterare, tidpunkt=skickad)

    mote.sammantrade.refresh_from_db()
    assert (mote.sammantrade.state, mote.sammantrade.kallad) == ("kallat", skickad)


@pytest.mark.parametrize(
    ("tidpunkt", "fel"),
    [
        # after the meeting began: a kallelse calls to a meeting still to come
        (datetime.datetime(2025, 11, 12, 9, 0, tzinfo=datetime.UTC), "kallelsen skickas före"),
        # in the future: it has not happened
        (datetime.datetime(2099, 1, 1, 9, 0, tzinfo=datetime.UTC), "kan inte ligga i framtiden"),
    ],
)
def test_a_kallelse_dated_after_the_meeting_began_or_in_the_future_is_refused(tidpunkt, fel):
    mote = Mote(datum=datetime.date(2025, 11, 12))

    with pytest.raises(ValidationError, match=fel):
        protokoll.kalla(mote.sammantrade, user=mote.cast.sekreterare, tidpunkt=tidpunkt)

    mote.sammantrade.refresh_from_db()
    assert (mote.sammantrade.state, mote.sammantrade.kallad) == ("planerat", None)
    assert not Kallelsemottagare.objects.filter(sammantrade=mote.sammantrade).exists()
