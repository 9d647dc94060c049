"""The same matter in a higher organ's diarium is marked with it: an ärende överlämnat with
a förslag continues as an ärende in RS's diarium with the same mening (diarium.services.
fortsatt_i, which carries the marking it has then). A marking made afterwards stayed behind:
the continuation kept its mening on the public postlista and for the registrator."""

import pytest
from django.test import Client
from django.urls import reverse

from arenden.diarium import services as diarium_services
from arenden.diarium.services import fortsatt_i
from arenden.handlaggning.services import tilldela
from arenden.models import Arende, Organ
from flows.namn import ArendeSteg
from tests import factories
from tests.factories import Cast
from tests.test_sekretess_jakt import _text
from workflow.engine import do_transition, history

pytestmark = pytest.mark.django_db

ORDET = "Zebrafinkssyndrom"
LAGRUM = "OSL 25 kap. 1 §"


def _las(user, url) -> str:
    klient = Client()
    if user is not None:
        klient.force_login(user)
    svar = klient.get(url)
    assert svar.status_code == 200
    return _text(svar)


@pytest.fixture
def fortsatt():
    cast = factories.Cast()
    rs = factories.organ("RS", "Regionstyrelsen", typ=Organ.Typ.STYRELSE)
    arende = cast.berett(f"Vård av patient med {ORDET}")
    factories.besluta(arende, cast.sekreterare, "Förslag.", forslag_till=rs)
    arende.refresh_from_db()
    ny = fortsatt_i(arende, organ=rs, user=cast.registrator, avsandare=arende.organ.namn)
    return cast, arende, ny


def test_a_marking_made_after_the_matter_continued_follows_it(fortsatt):
    cast, arende, ny = fortsatt
    assert ORDET in _las(None, reverse("arenden:postlista"))
    diarium_services.andra_sekretess(
        arende, user=cast.handlaggare, lagrum=LAGRUM, motivering="Hälsa.", offentlig_rubrik="Vård"
    )
    ny.refresh_from_db()
    assert (ny.sekretess_lagrum, ny.offentlig_rubrik) == (LAGRUM, "Vård")
    senaste = ny.history.latest("history_id")
    assert (senaste.history_change_reason, senaste.history_user) == (
        "harledd_sekretess",
        cast.handlaggare,
    )
    for url in (
        reverse("arenden:postlista"),
        reverse("arenden:publikt_arende", args=[ny.pk]),
        reverse("arenden:publikt_arende", args=[arende.pk]),
    ):
        assert ORDET not in _las(None, url), url
    assert ORDET not in _las(cast.registrator, reverse("arenden:arende", args=[ny.pk]))
    # the marking's step names where else it now holds
    [steg] = history(arende).filter(transition=str(ArendeSteg.ANDRA_SEKRETESS))
    assert f"samma ärende i andra organs diarier: {ny.diarienummer}" in steg.comment


def test_a_marking_of_the_continuation_goes_back_to_where_it_came_from(fortsatt):
    cast, arende, ny = fortsatt
    rs = Cast("RS")
    tilldela(ny, handlaggare=rs.handlaggare, user=rs.stabschef)
    do_transition(ny, "paborja_beredning", rs.handlaggare)
    diarium_services.andra_sekretess(
        ny, user=rs.handlaggare, lagrum=LAGRUM, motivering="Hälsa.", offentlig_rubrik="Vård"
    )
    arende.refresh_from_db()
    assert (arende.sekretess_lagrum, arende.offentlig_rubrik) == (LAGRUM, "Vård")
    assert ORDET not in _las(None, reverse("arenden:postlista"))


def test_a_marking_already_there_is_left_as_it_is(fortsatt):
    cast, arende, ny = fortsatt
    Arende.objects.filter(pk=ny.pk).update(sekretess_lagrum="OSL 21 kap. 1 §")
    diarium_services.andra_sekretess(
        arende, user=cast.handlaggare, lagrum=LAGRUM, motivering="Hälsa.", offentlig_rubrik="Vård"
    )
    ny.refresh_from_db()
    assert ny.sekretess_lagrum == "OSL 21 kap. 1 §"
