"""Who may do what with a begäran om allmän handling, in every state of its lifecycle.

The tables below are the oracle, written by hand from the law and the design (TF 2 kap.
15-18 §§, OSL 6 kap.; the docstring of flows/begaran.py), never derived from the definition:
widening or narrowing the permission map or a guard fails here until the table is changed on
purpose.

Each cell asks a real user who holds the role the way the application gives it: Stabschef and
Nämndsekreterare locally on the organ, Handläggare and Beredningsansvarig locally on the
ärende the request concerns (given by *tilldela*), Registrator and Revisor globally. The other
columns hold nothing here and get nothing: the superuser, the stabschef of another organ and
the handläggare of another ärende.

Rules written into the tables:

- everyone in the organ's administration, and the revisor, sees a request and its outcome;
- only the handläggare of the ärende and the stabschef of its organ try it, and only while it
  waits (inkommen); a tried request is never tried again;
- each answer is a step taken by the prövning (arenden.begaran.services.prova), never a button.
"""

import datetime
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User
from django.core.files.base import ContentFile

from arenden.begaran import services as tjanst
from arenden.diarium import services as diarium_services
from arenden.handlaggning import services as handlaggning_services
from arenden.models import Begaran, Organ
from arenden.organisation import roles
from tests import factories, tabeller
from workflow import registry
from workflow.engine import allowed_transitions

pytestmark = pytest.mark.django_db

COLUMNS = {
    "Stabschef": "Stabschef, local on the ärende's organ",
    "Handlaggare": "Handläggare, local on the ärende",
    "Beredningsansvarig": "Beredningsansvarig, local on the ärende",
    "Namndsekreterare": "Nämndsekreterare, local on the ärende's organ",
    "Registrator": "Registrator, global (Django group)",
    "Revisor": "Revisor, global (Django group)",
    "superuser": "is_superuser, no role at all",
    "Stabschef_annat_organ": "Stabschef, local on another organ",
    "Handlaggare_annat_arende": "Handläggare on another ärende",
}


def grid(text: str) -> dict[str, frozenset[str]]:
    return tabeller.grid(text, COLUMNS)


# columns:               Stab Handl Bered Sekr  Reg   Rev  Super Stab-B Handl-X
BEGARAN_PERMISSIONS = {
    "inkommen": grid("""
        view_begaran      x    x     x     x     x     x     .     .      .
        prova_begaran     x    x     .     .     .     .     .     .      .
    """),
    "utlamnad": grid("""
        view_begaran      x    x     x     x     x     x     .     .      .
        prova_begaran     .    .     .     .     .     .     .     .      .
    """),
    "delvis_utlamnad": grid("""
        view_begaran      x    x     x     x     x     x     .     .      .
        prova_begaran     .    .     .     .     .     .     .     .      .
    """),
    "avslagen": grid("""
        view_begaran      x    x     x     x     x     x     .     .      .
        prova_begaran     .    .     .     .     .     .     .     .      .
    """),
}

#: transition → (the states it leaves from, the state it leads to)
BEGARAN_TRANSITIONS = {
    "lamna_ut": (("inkommen",), "utlamnad"),
    "lamna_ut_maskerat": (("inkommen",), "delvis_utlamnad"),
    "avsla": (("inkommen",), "avslagen"),
}
#: who may take each (the guard); none of them is a button
BEGARAN_MAY_TAKE = grid("""
    lamna_ut              x    x     .     .     .     .     .     .      .
    lamna_ut_maskerat     x    x     .     .     .     .     .     .      .
    avsla                 x    x     .     .     .     .     .     .      .
""")


@dataclass
class World:
    users: dict[str, User]
    begaranden: dict[str, int]


UTFALL = {
    "inkommen": None,
    "utlamnad": ("lamnas_ut", "", ""),
    "delvis_utlamnad": ("maskeras", "OSL 25 kap. 1 §", "1"),
    "avslagen": ("undantas", "OSL 25 kap. 1 §", ""),
}


def _pdf() -> bytes:
    import weasyprint

    return weasyprint.HTML(string="<p>Sida ett</p><p>Sida två</p>").write_pdf()


def _build() -> World:
    cast = factories.Cast()
    annat_organ = factories.organ("RS", "Regionstyrelsen", Organ.Typ.STYRELSE)
    make = factories.user
    users = {
        "Stabschef": cast.stabschef,
        "Handlaggare": cast.handlaggare,
        "Beredningsansvarig": make("beg-beredningsansvarig"),
        "Namndsekreterare": cast.sekreterare,
        "Registrator": cast.registrator,
        "Revisor": cast.revisor,
        "superuser": User.objects.create_superuser("beg-superuser", "su@example.se", "lösen-123"),
        "Stabschef_annat_organ": make(
            "beg-stabschef-rs", organ_role=roles.STABSCHEF, on=annat_organ
        ),
        "Handlaggare_annat_arende": make("beg-handlaggare-annat"),
    }
    assert set(users) == set(COLUMNS)
    factories.person("Annan Handläggare", anvandare=users["Handlaggare_annat_arende"])
    annat = cast.registrera("Ett annat ärende")
    handlaggning_services.tilldela(
        annat, handlaggare=users["Handlaggare_annat_arende"], user=cast.stabschef
    )
    beredare = factories.person("Bea Beredare", anvandare=users["Beredningsansvarig"])
    begaranden = {}
    for state, utfall in UTFALL.items():
        arende = cast.registrera(f"Tillsyn {state}")
        handlaggning_services.tilldela(
            arende,
            handlaggare=cast.handlaggare,
            beredningsansvariga=[(beredare, "delaktig")],
            user=cast.stabschef,
        )
        handling = diarium_services.lagg_till_handling(
            arende,
            user=cast.registrator,
            typ="bilaga",
            riktning="inkommen",
            titel="Rapport",
            datum=datetime.date(2025, 10, 20),
            fil=ContentFile(_pdf(), name="rapport.pdf"),
        )
        begaran = tjanst.registrera(
            arende,
            user=cast.registrator,
            avser="Rapporten",
            form=Begaran.Form.EPOST,
            handlingar=[handling],
            inkommen=datetime.date(2025, 11, 3),
        )
        if utfall:
            tjanst.prova(
                begaran,
                user=cast.handlaggare,
                utfall={handling.pk: utfall},
                motivering="Skäl" if state != "utlamnad" else "",
            )
        begaran.refresh_from_db()
        assert begaran.state == state
        begaranden[state] = begaran.pk
    return World(users=users, begaranden=begaranden)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, media_rot):
    with tabeller.byggd_en_gang(django_db_blocker, _build) as built:
        yield built


@pytest.fixture(scope="module")
def media_rot(tmp_path_factory):
    from django.conf import settings

    gammal = settings.MEDIA_ROOT
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")
    yield
    settings.MEDIA_ROOT = gammal


def test_the_tables_know_the_whole_definition():
    wf = registry.get_workflow("begaran")
    assert set(BEGARAN_PERMISSIONS) == set(wf.states)
    for state in wf.state_list:
        perms = {p.split(".")[1] for p in state.permissions}
        tabell = BEGARAN_PERMISSIONS[state.id]
        assert perms <= set(tabell), state.id
        assert all(not tabell[p] for p in set(tabell) - perms), state.id
    assert {t.id: (tuple(sorted(t.sources)), t.target) for t in wf.transition_list} == {
        t: (tuple(sorted(s)), target) for t, (s, target) in BEGARAN_TRANSITIONS.items()
    }
    assert set(BEGARAN_MAY_TAKE) == set(BEGARAN_TRANSITIONS)


@pytest.mark.parametrize(
    "state, perm, who",
    [
        pytest.param(state, perm, who, id=f"{state}-{perm}-{who}")
        for state, perms in BEGARAN_PERMISSIONS.items()
        for perm in perms
        for who in COLUMNS
    ],
)
def test_who_holds_each_permission_in_each_state(world, state, perm, who):
    begaran = Begaran.objects.get(pk=world.begaranden[state])
    expected = who in BEGARAN_PERMISSIONS[state][perm]
    assert world.users[who].has_perm(f"arenden.{perm}", begaran) == expected, (
        f"{COLUMNS[who]} should {'' if expected else 'not '}hold {perm} in {state}"
    )


@pytest.mark.parametrize("who", list(COLUMNS))
def test_who_may_take_each_answer_and_no_answer_is_a_button(world, who):
    begaran = Begaran.objects.get(pk=world.begaranden["inkommen"])
    user = world.users[who]
    assert allowed_transitions(begaran, user) == []  # the prövning takes them, never a button
    wf = registry.get_workflow("begaran")
    from workflow import roles as workflow_roles

    roller = workflow_roles.roles_in_context(user, begaran)
    for transition, may in BEGARAN_MAY_TAKE.items():
        guard = wf.transitions[transition].guard
        assert (guard.failure(begaran, user, roller) is None) == (who in may), (transition, who)
