"""An ärende opened again (Återöppna) is assigned anew: the handläggare of the closed round
is no longer named and holds no role on it, Tilldela needs someone named now, and the
beredningsansvariga of the first round stay named with their part."""

import pytest
from django.test import Client
from django.urls import reverse

from arenden.diarium.services import arendets_version
from arenden.handlaggning import services as handlaggning_services
from arenden.handlaggning.models import Beredningsansvarig
from arenden.organisation.roles import HANDLAGGARE
from tests import factories
from tests.test_diarium import _avslutat
from workflow import roles as workflow_roles
from workflow.engine import (
    RequirementMissing,
    TransitionNotAllowed,
    do_transition,
    history,
    worklist,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def cast():
    return factories.Cast()


def _ny_handlaggare(namn="ny-handlaggare"):
    ny = factories.user(namn)
    factories.person("Ny Handläggare", anvandare=ny, titel="handläggare")
    return ny


def _tilldela_sidan(cast, arende, handlaggare, ansvariga):
    data = {
        "handlaggare": handlaggare.pk,
        "version": arendets_version(arende),
        "kommentar": "",
        "ansvarig-TOTAL_FORMS": str(len(ansvariga)),
        "ansvarig-INITIAL_FORMS": "0",
    }
    for i, (person, del_i_beredningen) in enumerate(ansvariga):
        data[f"ansvarig-{i}-person"] = person.pk
        data[f"ansvarig-{i}-del_i_beredningen"] = del_i_beredningen
    client = Client()
    client.force_login(cast.stabschef)
    return client.post(reverse("arenden:tilldela", args=[arende.pk]), data)


def test_the_handlaggare_of_the_closed_round_is_no_longer_named_nor_may_work_it(cast):
    arende = _avslutat(cast)
    forra = cast.handlaggare
    assert forra.has_perm("arenden.view_arende", arende)
    do_transition(arende, "ateroppna", cast.stabschef, "Förvaltningsrätten har upphävt beslutet")
    arende.refresh_from_db()
    assert arende.handlaggare is None
    assert arende not in worklist(forra, "mina_arenden")
    # the record says who it was: the step's own history row, and the ärende's before it
    steg = history(arende).order_by("-seq").first()
    assert steg.transition == "ateroppna"
    fore, efter = arende.history.order_by("-history_id")[1], arende.history.latest("history_id")
    assert (fore.handlaggare_id, efter.handlaggare_id) == (forra.pk, None)
    # straight through the engine, Tilldela is not satisfied by the old handläggare
    with pytest.raises(RequirementMissing, match="ärendet har ingen handläggare"):
        do_transition(arende, "tilldela", cast.stabschef)
    ny = _ny_handlaggare()
    handlaggning_services.tilldela(arende, handlaggare=ny, user=cast.stabschef)
    do_transition(arende, "paborja_beredning", ny)
    assert ny.has_perm("arenden.change_tjansteskrivelse", arende)
    assert not forra.has_perm("arenden.change_tjansteskrivelse", arende)
    with pytest.raises(TransitionNotAllowed):
        do_transition(arende, "markera_beredd", forra)


def test_a_beredningsansvarig_named_again_keeps_one_row_with_the_new_part(cast):
    arende = cast.registrera("Samverkan kring palliativ vård")
    anna = factories.person("Anna Berg")
    bo = factories.person("Bo Ek")
    handlaggning_services.tilldela(
        arende,
        handlaggare=cast.handlaggare,
        beredningsansvariga=[(anna, "Underlag om kostnader"), (bo, "Juridisk granskning")],
        user=cast.stabschef,
    )
    do_transition(arende, "paborja_beredning", cast.handlaggare)
    factories.forslag_till_beslut(arende, cast.handlaggare)
    do_transition(arende, "markera_beredd", cast.handlaggare)
    factories.anmal(arende, cast.sekreterare)
    factories.besluta(arende, cast.sekreterare, "Bifall.")
    handlaggning_services.expediera_till(
        arende.mottagare.get(), user=cast.sekreterare, metod="e-post"
    )
    arende.refresh_from_db()
    do_transition(arende, "avsluta", cast.stabschef)
    do_transition(arende, "ateroppna", cast.stabschef, "Överklagat")
    arende.refresh_from_db()

    cecilia = factories.person("Cecilia Ny")
    svar = _tilldela_sidan(
        cast,
        arende,
        cast.handlaggare,
        [(bo, "Juridisk granskning av överklagandet"), (cecilia, "Nytt underlag")],
    )
    assert svar.status_code == 302
    arende.refresh_from_db()
    assert arende.state == "tilldelat" and arende.handlaggare == cast.handlaggare
    assert [(b.person.namn, b.del_i_beredningen) for b in arende.beredningsansvariga.all()] == [
        ("Anna Berg", "Underlag om kostnader"),
        ("Bo Ek", "Juridisk granskning av överklagandet"),
        ("Cecilia Ny", "Nytt underlag"),
    ]
    bos = Beredningsansvarig.objects.get(arende=arende, person=bo)
    assert [h.del_i_beredningen for h in bos.history.order_by("history_id")] == [
        "Juridisk granskning",
        "Juridisk granskning av överklagandet",
    ]


def test_the_same_person_named_twice_in_one_form_is_refused_and_nothing_changes(cast):
    arende = cast.registrera("Samverkan kring palliativ vård")
    anna = factories.person("Anna Berg")
    svar = _tilldela_sidan(cast, arende, cast.handlaggare, [(anna, "Del ett"), (anna, "Del två")])
    assert svar.status_code == 200
    assert (
        "Samma person är namngiven två gånger bland beredningsansvariga." in svar.content.decode()
    )
    arende.refresh_from_db()
    assert arende.state == "registrerat" and arende.handlaggare is None
    assert not arende.beredningsansvariga.exists()
    assert not [r for r in workflow_roles.local_roles_on(arende) if r.role == HANDLAGGARE]


def _inaktiv():
    user = _ny_handlaggare("slutat")
    user.is_active = False
    user.save()
    return user


def _fortroendevald():
    user = factories.user("ledamot")
    factories.person("Led Amot", anvandare=user, typ="fortroendevald", parti="s")
    return user


@pytest.mark.parametrize(
    "vem",
    [
        lambda: factories.user("utan-person"),
        _inaktiv,
        _fortroendevald,
        lambda: factories.User.objects.create_superuser("admin", "a@example.se", "lösen-123"),
    ],
    ids=["utan_person", "inaktiv", "fortroendevald", "administrator"],
)
def test_who_is_made_handlaggare_is_the_definitions_rule_whoever_assigns(cast, vem):
    """The Tilldela page offers only active tjänstepersoner; the service and the viewflow
    task took anyone. The step itself refuses now, with nothing changed: no handläggare
    named, no role given."""
    arende = cast.registrera("Remiss")
    user = vem()
    with pytest.raises(RequirementMissing, match="ingen handläggare som är en aktiv tjänsteperson"):
        handlaggning_services.tilldela(arende, handlaggare=user, user=cast.stabschef)
    arende.refresh_from_db()
    assert (arende.state, arende.handlaggare) == ("registrerat", None)
    assert HANDLAGGARE not in workflow_roles.roles_in_context(user, arende)
    handlaggning_services.tilldela(arende, handlaggare=cast.handlaggare, user=cast.stabschef)
    arende.refresh_from_db()
    assert arende.state == "tilldelat"
