"""What a closed or makulerat ärende holds (found in a review, 2026-12-06): a handling drawn
up in an ärende already slutbehandlat is upprättad, an allmän handling, at once (TF 2 kap.
10 §: no step is left to make it so); and the ärende a meeting files its kallelse and
protokoll in is never makulerat."""

import datetime

import pytest

from arenden.diarium import services as diarium_services
from arenden.models import Handling
from arenden.sammantraden import protokoll
from tests import factories
from workflow.engine import RequirementMissing, do_transition

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def cast():
    return factories.Cast()


def test_a_handling_drawn_up_after_the_arende_is_closed_is_upprattad(cast):
    arende = cast.registrera("Skrivelse om parkering")
    pagaende = diarium_services.lagg_till_handling(
        arende, user=cast.registrator, typ="skrivelse", riktning="upprattad", titel="Utkast"
    )
    assert pagaende.status == Handling.Status.UTKAST  # the ärende is open: a draft still
    do_transition(arende, "avskriva", cast.stabschef, "Inget att göra.")
    pagaende.refresh_from_db()
    assert pagaende.status == Handling.Status.UPPRATTAD  # made so by the closing step
    svar = diarium_services.lagg_till_handling(
        arende, user=cast.registrator, typ="skrivelse", riktning="upprattad", titel="Svar"
    )
    assert svar.status == Handling.Status.UPPRATTAD
    inkommen = diarium_services.lagg_till_handling(
        arende, user=cast.registrator, typ="skrivelse", riktning="inkommen", titel="Överklagande"
    )
    assert inkommen.status == Handling.Status.INKOMMEN


def test_the_arende_a_meeting_files_in_is_never_makulerat(cast):
    diarie = cast.registrera("Nämndens sammanträden 2025")
    sammantrade = protokoll.planera(
        organ=cast.organ,
        datum=datetime.date(2025, 11, 12),
        plats="Sal A",
        user=cast.sekreterare,
        arende=diarie,
    )
    with pytest.raises(RequirementMissing, match="ett sammanträdes diarieärende"):
        do_transition(diarie, "makulera", cast.registrator, "registrerat av misstag")
    factories.narvaro(sammantrade, cast.sekreterare)
    protokoll.kalla(sammantrade, user=cast.sekreterare)
    diarie.refresh_from_db()
    assert diarie.state == "registrerat"
    assert diarie.handlingar.filter(typ=Handling.Typ.KALLELSE).exists()
