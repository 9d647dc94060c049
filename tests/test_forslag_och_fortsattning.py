"""A förslag to a higher organ and the ärende it goes on in: neither left so that the matter
reaches no beslut (found in a review, 2026-12-06). The continuation is never makulerat (its
source was closed on the strength of it), and a förslag gives no uppdrag (nobody could
redovisa them in överlämnat, and the ärende could never be closed)."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from arenden.diarium import services as diarium_services
from arenden.models import Beslut, Organ, Uppdrag
from flows.arende import FORSLAG_UTAN_UPPDRAG
from tests import factories
from workflow.engine import RequirementMissing, do_transition

pytestmark = pytest.mark.django_db

UPPDRAG = [("Rapportera om vårdplatserna", datetime.date(2026, 6, 1), None)]


@pytest.fixture
def cast():
    return factories.Cast()


@pytest.fixture
def rf():
    return factories.organ("RF", "Regionfullmäktige", typ=Organ.Typ.FULLMAKTIGE)


def test_the_continuation_of_a_forslag_is_never_makulerat(cast, rf):
    rs = factories.organ("RS", "Regionstyrelsen", typ=Organ.Typ.STYRELSE)
    registrator = factories.user("registrator-RS", organ_role="Registrator", on=rs)
    arende = cast.berett("Nära vård")
    factories.besluta(arende, cast.sekreterare, "Föreslår RF att anta planen.", forslag_till=rf)
    fortsattning = diarium_services.fortsatt_i(arende, organ=rs, user=registrator)
    with pytest.raises(RequirementMissing, match="fortsättningen på ett annat organs förslag"):
        do_transition(fortsattning, "makulera", registrator, "registrerat av misstag")
    fortsattning.refresh_from_db()
    assert fortsattning.state == "registrerat"
    # an ärende registered by mistake, continuing nothing, is makulerat as before
    misstag = diarium_services.registrera_arende(
        organ=rs, arendemening="Dubblett", user=registrator, typ="initiativarende"
    )
    do_transition(misstag, "makulera", registrator, "registrerat två gånger")
    misstag.refresh_from_db()
    assert misstag.state == "makulerat"


def test_a_forslag_to_a_higher_organ_gives_no_uppdrag(cast, rf):
    arende = cast.berett("Nära vård")
    with pytest.raises(ValidationError, match="Ett förslag till ett högre organ ger inga uppdrag"):
        factories.besluta(
            arende, cast.sekreterare, "Föreslår RF.", forslag_till=rf, uppdrag=UPPDRAG
        )
    arende.refresh_from_db()
    assert arende.state == "anmalt"
    assert not Beslut.objects.filter(arende=arende).exists()
    assert not Uppdrag.objects.filter(arende=arende).exists()
    punkt = arende.punkter.get()
    assert punkt.utfall == ""
    # the same förslag without the uppdrag is recorded; the uppdrag belong to the beslut where
    # the matter is decided
    factories.besluta(arende, cast.sekreterare, "Föreslår RF.", forslag_till=rf)
    arende.refresh_from_db()
    assert arende.state == "overlamnat"


def test_the_definition_refuses_an_overlamnat_held_by_an_uppdrag(cast, rf):
    """The rule is the definition's, whoever takes Överlämna: a förslag with an uppdrag."""
    arende = cast.berett("Nära vård")
    beslut = factories.besluta(arende, cast.sekreterare, "Föreslår RF.", forslag_till=rf)
    assert FORSLAG_UTAN_UPPDRAG.unmet(arende) is None
    Uppdrag.objects.create(
        beslut=beslut,
        arende=arende,
        beskrivning="Rapportera",
        forfaller=datetime.date(2026, 6, 1),
        rapportera_till=cast.organ,
    )
    assert FORSLAG_UTAN_UPPDRAG.unmet(arende) == (
        "ett förslag till ett högre organ ger inga uppdrag; uppdrag ges i beslutet där ärendet "
        "avgörs"
    )
