"""A delegationsbeslut stands on a row of the delegationsordning that held on its day (KL 6 kap.
37 §). When the nämndsekreterare ends the row at the moment the delegat decides under it, one
of them must lose: either the beslut is taken and the row cannot end before it, or the row
ends and the beslut is refused. Never both, which would leave a beslut that no row allowed."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from arenden.delegering import services
from arenden.delegering.services import avsluta_delegationspunkt, fatta_delegationsbeslut
from arenden.models import Beslut, Delegationspunkt
from tests import factories

DAG = datetime.date(2025, 11, 12)
SISTA_DAGEN = DAG - datetime.timedelta(days=1)
GENOM = "HSN 2025-11-10 § 31"

#: how long the delegat's beslut, saved but not committed, waits for the row's end to be
#: committed beside it; with the row locked the end waits for the beslut instead
MOTAS_SEKUNDER = 2


@pytest.fixture
def cast():
    return factories.Cast()


@pytest.fixture
def punkt(cast, delegat):
    return factories.delegationspunkt(organ=cast.organ, delegat=delegat.person)


@pytest.fixture
def berett(cast):
    return cast.berett("Remiss om vårdval", sandlista=())


@pytest.mark.django_db
def test_a_beslut_under_a_row_read_before_it_ended_is_refused(cast, berett, punkt, delegat):
    """The delegat's page read the row while it held; the nämndsekreterare ended it the day
    before the beslut; the beslut is refused with the reason, the ärende stays berett."""
    last = Delegationspunkt.objects.get(pk=punkt.pk)
    avsluta_delegationspunkt(punkt, user=cast.sekreterare, datum=SISTA_DAGEN, genom=GENOM)
    assert last.giltig_till is None  # the page's copy
    with pytest.raises(ValidationError) as fel:
        fatta_delegationsbeslut(berett, user=delegat, punkt=last, datum=DAG, text="Yttra")
    assert fel.value.messages == ["Du är inte delegat enligt punkt 3.2 den 2025-11-12."]
    berett.refresh_from_db()
    assert berett.state == "beredd"
    assert not Beslut.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_ending_a_row_while_a_beslut_is_taken_under_it(cast, berett, punkt, delegat, monkeypatch):
    """The delegat's beslut is saved and not yet committed when the nämndsekreterare ends the
    row from the day before. The end waits for the beslut and is then refused, naming the
    row; the beslut stands on a row that held on its day."""
    inne = threading.Event()
    avslutad = threading.Event()
    steg = services.do_transition

    def steg_och_vanta(*args, **kwargs):
        inne.set()
        avslutad.wait(timeout=MOTAS_SEKUNDER)
        return steg(*args, **kwargs)

    monkeypatch.setattr(services, "do_transition", steg_och_vanta)
    utfall: dict = {}

    def besluta():
        try:
            utfall["beslut"] = fatta_delegationsbeslut(
                berett, user=delegat, punkt=punkt, datum=DAG, text="Yttra"
            )
        except ValidationError as fel:
            utfall["beslut"] = fel
        finally:
            inne.set()
            connection.close()

    def avsluta():
        inne.wait(timeout=10)
        try:
            utfall["slut"] = avsluta_delegationspunkt(
                punkt, user=cast.sekreterare, datum=SISTA_DAGEN, genom=GENOM
            )
        except ValidationError as fel:
            utfall["slut"] = fel
        finally:
            avslutad.set()
            connection.close()

    trådar = [threading.Thread(target=besluta), threading.Thread(target=avsluta)]
    for tråd in trådar:
        tråd.start()
    for tråd in trådar:
        tråd.join()

    assert isinstance(utfall["beslut"], Beslut)
    assert isinstance(utfall["slut"], ValidationError)
    assert utfall["slut"].messages == [
        "Det finns delegationsbeslut enligt punkt 3.2 fattade efter 2025-11-11; punkten kan "
        "inte sluta gälla före dem."
    ]
    punkt.refresh_from_db()
    assert punkt.giltig_till is None and punkt.upphavd_genom == ""
    berett.refresh_from_db()
    assert berett.state == "beslutat"
    assert [b.datum for b in Beslut.objects.filter(delegationspunkt=punkt)] == [DAG]
