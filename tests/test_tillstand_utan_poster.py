"""The whole check of the history names each ärende and meeting whose state lacks the records
it means (arenden.granskning.tillstand, in WORKFLOW_LIVE_CHECKS): the steps refuse such a
state, but rows made before a requirement was added, or changed in the database beside the
system, are found by the revisor all the same."""

import io

import pytest
from django.core.management import CommandError, call_command

from arenden.granskning import tillstand
from arenden.models import Kallelsemottagare, Mottagare, Punkt
from tests import factories
from tests.test_sammantraden import Mote
from workflow.history import verify

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _fynd(label, pk) -> list[str]:
    return [r.reason for r in verify().live if (r.model_label, r.object_id) == (label, pk)]


def test_states_reached_through_the_steps_have_their_records():
    cast = factories.Cast()
    arende = cast.berett("Riktlinjer för tolkstöd")
    factories.besluta(arende, cast.sekreterare)
    [mottagare] = arende.mottagare.all()
    from arenden.handlaggning import services

    services.expediera_till(mottagare, user=cast.sekreterare, metod="e-post")
    arende.refresh_from_db()
    assert arende.state == "expedierat"

    assert tillstand.avvikelser() == []


def test_a_beslutat_arende_whose_beslut_is_no_paragraph_of_a_protokoll_is_named():
    cast = factories.Cast()
    arende = cast.berett()
    beslut = factories.besluta(arende, cast.sekreterare, justera=False)
    assert _fynd("arenden.arende", arende.pk) == []

    # beside the system: the paragraph no longer holds the beslut
    Punkt.objects.filter(beslutet=beslut).update(beslutet=None)

    assert _fynd("arenden.arende", arende.pk) == [
        "ärendet har status Beslutat men har ett beslut som varken är en paragraf i ett "
        "protokoll eller fattat på nämndens vägnar av en beslutsfattare: ändrat i databasen "
        "eller från före regeln, utan de poster statusen bygger på"
    ]


def test_an_expedierat_arende_with_a_recipient_not_sent_the_beslut_is_named():
    cast = factories.Cast()
    arende = cast.berett()
    factories.besluta(arende, cast.sekreterare)
    from arenden.handlaggning import services

    services.expediera_till(arende.mottagare.get(), user=cast.sekreterare, metod="e-post")
    Mottagare.objects.filter(arende=arende).update(expedierad=None)

    [fynd] = _fynd("arenden.arende", arende.pk)
    assert fynd.startswith("ärendet har status Expedierat men beslutet är inte expedierat")


def test_a_kallat_meeting_without_its_kallelse_is_named_and_the_command_reports_it():
    mote = Mote()
    mote.kalla()
    assert _fynd("arenden.sammantrade", mote.sammantrade.pk) == []

    Kallelsemottagare.objects.filter(sammantrade=mote.sammantrade).delete()

    [fynd] = _fynd("arenden.sammantrade", mote.sammantrade.pk)
    assert fynd.startswith(
        "sammanträdet har status Kallat men ingen kallelse är antecknad som skickad"
    )
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("verify_history", stdout=out, stderr=out)
    assert "ingen kallelse är antecknad som skickad" in out.getvalue()


def test_a_handling_marked_gallrad_without_a_gallringsbeslut_is_named():
    import datetime

    from arenden.diarium.services import lagg_till_handling
    from arenden.models import Handling

    cast = factories.Cast()
    arende = cast.registrera()
    handling = lagg_till_handling(
        arende,
        user=cast.registrator,
        typ=Handling.Typ.SKRIVELSE,
        riktning=Handling.Riktning.INKOMMEN,
        titel="Skrivelse från en kommun",
        datum=datetime.date(2025, 10, 16),
        avsandare_mottagare="Umeå kommun",
    )
    assert _fynd("arenden.handling", handling.pk) == []

    Handling.objects.filter(pk=handling.pk).update(gallrad=datetime.date(2025, 12, 1))

    assert _fynd("arenden.handling", handling.pk) == [
        "handlingen är markerad som gallrad men ingen gallring med gallringsbeslut har tagit "
        "bort den: ändrat i databasen utan gallringens poster"
    ]
