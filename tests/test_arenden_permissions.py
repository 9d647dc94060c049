"""In every state of the lifecycle, each person may do exactly what the definition gives
their roles there, and is refused the rest with a clear error that changes nothing."""

import pytest
from django.core.exceptions import PermissionDenied

from arenden.services import lagg_till_handling, spara_tjansteskrivelse, tilldela
from flows import arende as lifecycle
from tests import factories
from workflow import registry
from workflow.engine import TransitionNotAllowed, allowed_transitions, do_transition, history
from workflow.roles import roles_in_context

pytestmark = pytest.mark.django_db

#: how to reach each state from *tilldelat*: (transition, who, comment)
PATHS = {
    "tilldelat": [],
    "under_beredning": [("paborja_beredning", "handlaggare", "")],
    "vilande": [("vila", "stabschef", "Paus")],
    "beredd": [("paborja_beredning", "handlaggare", ""), ("markera_beredd", "handlaggare", "")],
    "anmalt": [
        ("paborja_beredning", "handlaggare", ""),
        ("markera_beredd", "handlaggare", ""),
        ("anmal", "sekreterare", ""),
    ],
    "bordlagt": [
        ("paborja_beredning", "handlaggare", ""),
        ("markera_beredd", "handlaggare", ""),
        ("anmal", "sekreterare", ""),
        ("bordlagga", "sekreterare", "Till nästa möte"),
    ],
    "beslutat": [
        ("paborja_beredning", "handlaggare", ""),
        ("markera_beredd", "handlaggare", ""),
        ("anmal", "sekreterare", ""),
        ("besluta", "sekreterare", ""),
    ],
    "avskrivet": [("avskriva", "stabschef", "Återkallat")],
}
PEOPLE = ("registrator", "stabschef", "sekreterare", "handlaggare", "revisor", "utomstaende")


@pytest.fixture
def cast():
    cast = factories.Cast()
    cast.utomstaende = factories.user("utomstaende")
    return cast


@pytest.mark.parametrize("state", sorted(PATHS))
def test_each_person_may_do_exactly_what_their_roles_give_them(cast, state):
    arende = cast.registrera("Ärende")
    tilldela(arende, handlaggare=cast.handlaggare, user=cast.stabschef)
    for transition, who, comment in PATHS[state]:
        do_transition(arende, transition, getattr(cast, who), comment)
    assert arende.state == state
    wf = registry.workflow_for(arende)
    entries = history(arende).count()

    for who in PEOPLE:
        user = getattr(cast, who)
        roles = roles_in_context(user, arende)
        # permissions: exactly the state's map for the roles held here
        for perm, allowed in wf.states[state].permissions.items():
            assert user.has_perm(perm, arende) == bool(allowed & roles), (who, perm)
        # transitions: offered exactly when the guard's roles/permissions are met
        offered = {t.id for t in allowed_transitions(arende, user)}
        for transition in wf.user_transitions_from(state):
            if transition.id in offered:
                continue
            with pytest.raises(TransitionNotAllowed):
                do_transition(arende, transition.id, user, "motivering")
        if who in ("revisor", "utomstaende"):
            assert offered == set(), who
    arende.refresh_from_db()
    assert arende.state == state and history(arende).count() == entries


@pytest.mark.parametrize("state", sorted(PATHS))
def test_edits_outside_the_permission_map_are_refused(cast, state):
    arende = cast.registrera("Ärende")
    tilldela(arende, handlaggare=cast.handlaggare, user=cast.stabschef)
    for transition, who, comment in PATHS[state]:
        do_transition(arende, transition, getattr(cast, who), comment)
    for who in PEOPLE:
        user = getattr(cast, who)
        if not user.has_perm(lifecycle.HANDLING, arende):
            with pytest.raises(PermissionDenied):
                lagg_till_handling(arende, user=user, typ="bilaga", riktning="intern", titel="x")
        if not user.has_perm(lifecycle.TJANSTESKRIVELSE, arende):
            with pytest.raises(PermissionDenied):
                spara_tjansteskrivelse(arende, user=user, sammanfattning="x")
    assert not arende.handlingar.exists()
    assert not hasattr(arende, "tjansteskrivelse") or arende.tjansteskrivelse is None
