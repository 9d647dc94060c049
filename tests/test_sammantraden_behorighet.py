"""Who may do what with a sammanträde, in every state of its lifecycle.

The tables below are the oracle. They are written out by hand from the law and the design
(DESIGN.md sections 1 and 6; the docstring of flows/sammantrade.py), never derived from the
definition: widening or narrowing the permission map or a guard fails here until the table is
changed on purpose.

Each cell is checked against a real user who holds the role the way the application gives it:
Stabschef and Nämndsekreterare locally on the organ (inherited by its sammanträden), Justerare
locally on the sammanträde (given when the ordförande or a justerare is put in the närvaro),
Registrator and Revisor globally through the Django group of that name. The other columns hold
nothing on the meeting and must get nothing: a handläggare (whose role is on an ärende of the
organ, not on its meetings), the superuser (it configures the system and is not above the
workflow), the stabschef and the nämndsekreterare of another organ, and the justerare of
another meeting of the same organ.

Rules written into the tables:

- once the protokoll is justerat nobody changes the meeting (a rättelse is its own record);
- only the ordförande and the justerare sign (KL 5 kap. 69 §), and only while the protokoll
  waits for justering.
"""

import contextlib
import datetime
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from arenden.diarium.services import registrera_arende
from arenden.handlaggning.services import tilldela
from arenden.models import Arende, Deltagare, Organ, Person, Sammantrade
from arenden.organisation import roles
from arenden.sammantraden import protokoll
from arenden.sammantraden.models import (
    Justering,
    Kallelsemottagare,
    Paragrafjustering,
    Punkt,
    Rattelse,
    Rattelsesignatur,
)
from tests import factories, tabeller
from workflow import registry
from workflow import roles as workflow_roles
from workflow.definitions import BUILTIN_ROLES
from workflow.engine import TransitionNotAllowed, allowed_transitions, do_transition

pytestmark = pytest.mark.django_db

# -- the columns: who asks -------------------------------------------------------------------

#: column id → how the user holds the role (the ids are ASCII so that test ids stay readable)
COLUMNS = {
    "Stabschef": "Stabschef, local on the meeting's organ",
    "Namndsekreterare": "Nämndsekreterare, local on the meeting's organ",
    "Registrator": "Registrator, global (Django group)",
    "Revisor": "Revisor, global (Django group)",
    "Justerare": "Justerare, local on the meeting (a justerare in its närvaro)",
    "Handlaggare": "Handläggare, local on an ärende of the organ",
    "superuser": "is_superuser, no role at all",
    "Stabschef_annat_organ": "Stabschef, local on another organ",
    "Namndsekreterare_annat_organ": "Nämndsekreterare, local on another organ",
    "Justerare_annat_mote": "Justerare of another meeting of the same organ",
}


def grid(text: str) -> dict[str, frozenset[str]]:
    return tabeller.grid(text, COLUMNS)


# -- the permission table --------------------------------------------------------------------

#: state → permission (codename in the app "arenden") → who holds it
SAMMANTRADE_PERMISSIONS = {
    # columns:              Stab Sekr  Reg   Rev  Just  Handl Super Stab-B Sekr-B Just-X
    "planerat": grid("""
        view_sammantrade     x    x     x     x     x     .     .     .      .      .
        change_sammantrade   .    x     .     .     .     .     .     .      .      .
        justera_sammantrade  .    .     .     .     .     .     .     .      .      .
    """),
    "kallat": grid("""
        view_sammantrade     x    x     x     x     x     .     .     .      .      .
        change_sammantrade   .    x     .     .     .     .     .     .      .      .
        justera_sammantrade  .    .     .     .     .     .     .     .      .      .
    """),
    "genomfort": grid("""
        view_sammantrade     x    x     x     x     x     .     .     .      .      .
        change_sammantrade   .    x     .     .     .     .     .     .      .      .
        justera_sammantrade  .    .     .     .     x     .     .     .      .      .
    """),
    # justerat and after: read only
    "justerat": grid("""
        view_sammantrade     x    x     x     x     x     .     .     .      .      .
        change_sammantrade   .    .     .     .     .     .     .     .      .      .
        justera_sammantrade  .    .     .     .     .     .     .     .      .      .
    """),
    "anslaget": grid("""
        view_sammantrade     x    x     x     x     x     .     .     .      .      .
        change_sammantrade   .    .     .     .     .     .     .     .      .      .
        justera_sammantrade  .    .     .     .     .     .     .     .      .      .
    """),
    # a samverkansorgan's or a beredning's protokoll: justerat, never anslaget
    "justerat_utan_anslag": grid("""
        view_sammantrade     x    x     x     x     x     .     .     .      .      .
        change_sammantrade   .    .     .     .     .     .     .     .      .      .
        justera_sammantrade  .    .     .     .     .     .     .     .      .      .
    """),
    # inställt before it began: read only, its struck list kept as it was
    "installt": grid("""
        view_sammantrade     x    x     x     x     x     .     .     .      .      .
        change_sammantrade   .    .     .     .     .     .     .     .      .      .
        justera_sammantrade  .    .     .     .     .     .     .     .      .      .
    """),
}
JUSTERAT = ("justerat", "justerat_utan_anslag", "anslaget")
FINAL = ("anslaget", "justerat_utan_anslag", "installt")
#: the roles the sammanträde workflow knows (besides the built-in Anonymous and Authenticated)
SAMMANTRADE_ROLES = {"Stabschef", "Nämndsekreterare", "Registrator", "Revisor", "Justerare"}

# -- the transition table --------------------------------------------------------------------

#: transition → (the states it leaves from, the state it leads to)
SAMMANTRADE_TRANSITIONS = {
    "kalla": (("planerat",), "kallat"),
    "genomfor": (("kallat",), "genomfort"),
    # the organ decides which: KL 8 kap. 12 § covers fullmäktige and the nämnder, not a
    # samverkansorgan or a beredning
    "justera": (("genomfort",), "justerat"),
    "justera_utan_anslag": (("genomfort",), "justerat_utan_anslag"),
    "ansla": (("justerat",), "anslaget"),
    # a meeting that will not be held, before it begins (its items struck, their ärenden
    # beredda again)
    "installa": (("planerat", "kallat"), "installt"),
    # a rättelse stays beside the protokoll (None: the meeting stays where it is): proposed
    # (foresla_rattelse), signed (signera_rattelse) and in effect with the last signature
    # (ratta), taken by arenden.sammantraden.protokoll with the rows they write, never from a
    # button (FL 36 §)
    # omedelbar justering of one paragraph, each signature (KL 5 kap. 69 §), by code
    "justera_paragraf": (("kallat", "genomfort"), None),
    "foresla_rattelse": (("justerat", "justerat_utan_anslag", "anslaget"), None),
    "signera_rattelse": (("justerat", "justerat_utan_anslag", "anslaget"), None),
    "ratta": (("justerat", "justerat_utan_anslag", "anslaget"), None),
}
RATTELSE = {"foresla_rattelse", "signera_rattelse", "ratta"}
#: taken by code, never from a button: the justering by the last signature, the rättelse
#: with the Rattelse it writes
BY_CODE = RATTELSE | {"justera", "justera_utan_anslag", "justera_paragraf"}
JUSTERINGAR = ("justera", "justera_utan_anslag")

#: transition → who may take it. *justera* has a condition as well: the ordförande and every
#: justerare present have signed (and at least one signature exists). The cells below are
#: asked of a meeting where they have; the condition is tested on its own.
SAMMANTRADE_MAY_TAKE = grid("""
    kalla                    .    x     .     .     .     .     .     .      .      .
    genomfor                 .    x     .     .     .     .     .     .      .      .
    justera                  .    x     .     .     x     .     .     .      .      .
    justera_utan_anslag      .    x     .     .     x     .     .     .      .      .
    ansla                    .    x     .     .     .     .     .     .      .      .
    installa                 .    x     .     .     .     .     .     .      .      .
    justera_paragraf         .    .     .     .     x     .     .     .      .      .
    foresla_rattelse         .    x     .     .     x     .     .     .      .      .
    signera_rattelse         .    .     .     .     x     .     .     .      .      .
    ratta                    .    .     .     .     x     .     .     .      .      .
""")

# -- the world: users and one meeting per state, built once -----------------------------------

DATUM = {
    "planerat": datetime.date(2025, 11, 3),
    "kallat": datetime.date(2025, 11, 4),
    "genomfort": datetime.date(2025, 11, 5),
    "genomfort_signerat": datetime.date(2025, 11, 6),
    "justerat": datetime.date(2025, 11, 7),
    "justerat_utan_anslag": datetime.date(2025, 11, 11),
    "anslaget": datetime.date(2025, 11, 10),
    # *Ställ in* is taken before the meeting begins: meetings still to come
    "planerat_kommande": timezone.localdate() + datetime.timedelta(days=40),
    "kallat_kommande": timezone.localdate() + datetime.timedelta(days=41),
    "installt": timezone.localdate() + datetime.timedelta(days=42),
}
ANNAT_MOTE = datetime.date(2025, 12, 1)
KOMMANDE = ("planerat_kommande", "kallat_kommande", "installt")


@dataclass
class World:
    users: dict[str, User]
    organ: Organ
    justerare: Person
    ids: dict[str, int]

    def user(self, who: str) -> User:
        """The user as a fresh request would have it: no roles cached from an earlier test."""
        user = self.users[who]
        workflow_roles.forget(user)
        return user

    def mote(self, name: str) -> Sammantrade:
        return Sammantrade.objects.get(pk=self.ids[name])


def _planera(organ, users, datum, justerare: Person) -> Sammantrade:
    """A meeting whose protokoll the ordförande, who has no account here, and the justerare
    justera (KL 5 kap. 69 §)."""
    sekreterare = users["Namndsekreterare"]
    mote = protokoll.planera(organ=organ, datum=datum, plats="Sessionssalen", user=sekreterare)
    ordforande = Person.objects.filter(namn="Ordf Örn").first() or factories.person(
        "Ordf Örn", typ=Person.Typ.FORTROENDEVALD, parti="s", kommun="Umeå"
    )
    protokoll.lagg_till_deltagare(
        mote, ordforande, roll=Deltagare.Roll.ORDFORANDE, user=sekreterare
    )
    protokoll.lagg_till_deltagare(
        mote, justerare, roll=Deltagare.Roll.LEDAMOT, user=sekreterare, justerare=True
    )
    return mote


def _ordforanden_har_justerat(mote: Sammantrade, sekreterare) -> None:
    """The ordförande's signature, given on paper and recorded (the cells ask the justerare's)."""
    ordforande = mote.deltagare.get(roll=Deltagare.Roll.ORDFORANDE).person
    Justering.objects.create(
        sammantrade=mote, person=ordforande, user=sekreterare, tidpunkt=timezone.now()
    )


@contextlib.contextmanager
def som_samverkansorgan(organ: Organ):
    """The organ is, for a while, a samverkansorgan: one whose protokoll is not anslaget."""
    Organ.objects.filter(pk=organ.pk).update(typ=Organ.Typ.SAMVERKANSORGAN)
    try:
        yield
    finally:
        Organ.objects.filter(pk=organ.pk).update(typ=Organ.Typ.NAMND)


def _build() -> World:
    organ = factories.organ("HSN")
    annat_organ = factories.organ("RS", "Regionstyrelsen", Organ.Typ.STYRELSE)
    make = factories.user
    users = {
        "Stabschef": make("beh-stabschef", organ_role=roles.STABSCHEF, on=organ),
        "Namndsekreterare": make("beh-sekreterare", organ_role=roles.NAMNDSEKRETERARE, on=organ),
        "Registrator": make("beh-registrator", global_role=roles.REGISTRATOR),
        "Revisor": make("beh-revisor", global_role=roles.REVISOR),
        "Justerare": make("beh-justerare"),
        "Handlaggare": make("beh-handlaggare"),
        "superuser": User.objects.create_superuser("beh-superuser", "su@example.se", "lösen-123"),
        "Stabschef_annat_organ": make(
            "beh-stabschef-rs", organ_role=roles.STABSCHEF, on=annat_organ
        ),
        "Namndsekreterare_annat_organ": make(
            "beh-sekreterare-rs", organ_role=roles.NAMNDSEKRETERARE, on=annat_organ
        ),
        "Justerare_annat_mote": make("beh-justerare-annat"),
    }
    assert set(users) == set(COLUMNS)
    # a tjänsteperson, as Tilldela requires of who is made handläggare
    factories.person("Hanna Handläggare", anvandare=users["Handlaggare"])

    def ledamot(namn, user):
        return factories.person(
            namn, anvandare=user, typ=Person.Typ.FORTROENDEVALD, parti="s", kommun="Umeå"
        )

    justerare = ledamot("Just Ek", users["Justerare"])
    annan_justerare = ledamot("Just Al", users["Justerare_annat_mote"])

    # the handläggare holds the role on an ärende of the organ
    arende = registrera_arende(
        organ=organ,
        arendemening="Ett ärende i organet",
        typ=Arende.Typ.INITIATIVARENDE,
        user=users["Registrator"],
        registrerat=datetime.date(2025, 10, 16),
    )
    tilldela(arende, handlaggare=users["Handlaggare"], user=users["Stabschef"])
    # another meeting of the same organ, with its own justerare
    _planera(organ, users, ANNAT_MOTE, annan_justerare)

    sekreterare = users["Namndsekreterare"]
    ids = {}
    for name, datum in DATUM.items():
        mote = _planera(organ, users, datum, justerare)
        if name not in ("planerat", "planerat_kommande"):
            protokoll.kalla(mote, user=sekreterare)
        if name == "installt":
            do_transition(mote, "installa", sekreterare, "Inställt")
        elif name not in ("planerat", "kallat", *KOMMANDE):
            protokoll.uppratta(mote, user=sekreterare)
        if name not in ("planerat", "kallat", "genomfort", *KOMMANDE):
            _ordforanden_har_justerat(mote, sekreterare)
        if name == "genomfort_signerat":
            # signed by everyone who must, but not yet moved on: the cells of *justera*
            Justering.objects.create(
                sammantrade=mote, person=justerare, user=users["Justerare"], tidpunkt=timezone.now()
            )
        if name == "justerat_utan_anslag":
            with som_samverkansorgan(organ):
                protokoll.justera(mote, user=users["Justerare"])
        elif name in JUSTERAT:
            protokoll.justera(mote, user=users["Justerare"])
        if name == "anslaget":
            protokoll.ansla(mote, user=sekreterare)
        mote.refresh_from_db()
        assert mote.state == name.removesuffix("_signerat").removesuffix("_kommande"), (
            name,
            mote.state,
        )
        ids[name] = mote.pk
    return World(users=users, organ=organ, justerare=justerare, ids=ids)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The users and one meeting per state, built once for the module inside a transaction
    that is rolled back when the module is done; each test runs in a savepoint within it."""
    with tabeller.byggd_en_gang(django_db_blocker, _build) as built:
        yield built


# -- the tables are complete, and say what the rules say -------------------------------------


def test_the_permission_table_knows_every_state_permission_and_role_of_the_definition(world):
    wf = registry.workflow_for(world.mote("planerat"))
    assert set(wf.states) == set(SAMMANTRADE_PERMISSIONS)
    for state in wf.state_list:
        assert {perm.removeprefix("arenden.") for perm in state.permissions} <= set(
            SAMMANTRADE_PERMISSIONS[state.id]
        ), state.id
    assert {p.removeprefix("arenden.") for p in wf.managed_permissions} == set(
        SAMMANTRADE_PERMISSIONS["planerat"]
    )
    assert wf.roles - BUILTIN_ROLES == SAMMANTRADE_ROLES
    assert {state.id for state in wf.state_list if state.final} == set(FINAL)


def test_the_transition_table_knows_every_transition_of_the_definition(world):
    wf = registry.workflow_for(world.mote("planerat"))
    assert {t.id: (tuple(sorted(t.sources)), t.target) for t in wf.transition_list} == {
        t: (tuple(sorted(sources)), target)
        for t, (sources, target) in SAMMANTRADE_TRANSITIONS.items()
    }
    assert set(SAMMANTRADE_MAY_TAKE) == set(SAMMANTRADE_TRANSITIONS)
    assert not [t.id for t in wf.transition_list if t.automatic]
    assert {t.id for t in wf.transition_list if t.trigger == "method"} == BY_CODE
    needs_a_record = {
        t.id for t in wf.transition_list if getattr(t, "requires", ()) or t.guard.condition
    }
    # justera: every signature; genomfor: the meeting has begun (nothing recorded before it
    # happens) and an ordförande and a justerare are present; ansla: the justerat protokoll is
    # filed; installa: the meeting has not begun; kalla: whom it goes to is recorded; the
    # omedelbar justering and the rättelse: the signature or proposal the entry records
    assert needs_a_record == {
        "kalla",
        "genomfor",
        "justera",
        "justera_utan_anslag",
        "ansla",
        "installa",
        *RATTELSE,
        "justera_paragraf",
    }


def test_the_tables_keep_the_rules():
    """The rules of the module docstring, read off the tables themselves."""
    nobody = {
        "superuser",
        "Stabschef_annat_organ",
        "Namndsekreterare_annat_organ",
        "Justerare_annat_mote",
    }
    for state, perms in SAMMANTRADE_PERMISSIONS.items():
        for perm, who in perms.items():
            assert not who & nobody, (state, perm)
            if state in JUSTERAT and perm != "view_sammantrade":
                assert not who, (state, perm)
        assert perms["justera_sammantrade"] <= {"Justerare"}, state
    for transition in SAMMANTRADE_TRANSITIONS:
        assert not SAMMANTRADE_MAY_TAKE[transition] & nobody, transition


# -- each cell, asked of a real user ---------------------------------------------------------

PERMISSION_CELLS = [
    pytest.param(state, perm, who, id=f"{state}-{perm}-{who}")
    for state, perms in SAMMANTRADE_PERMISSIONS.items()
    for perm in perms
    for who in COLUMNS
]


@pytest.mark.parametrize("state, perm, who", PERMISSION_CELLS)
def test_who_holds_each_permission_in_each_state(world, state, perm, who):
    mote = world.mote(state)
    assert mote.state == state
    expected = who in SAMMANTRADE_PERMISSIONS[state][perm]
    assert world.user(who).has_perm(f"arenden.{perm}", mote) == expected, (
        f"{COLUMNS[who]} should {'' if expected else 'not '}hold {perm} in {state}"
    )


TRANSITION_CELLS = [
    pytest.param(transition, source, who, id=f"{transition}-from-{source}-{who}")
    for transition, (sources, _target) in SAMMANTRADE_TRANSITIONS.items()
    for source in sources
    for who in COLUMNS
]


@pytest.mark.parametrize("transition, source, who", TRANSITION_CELLS)
def test_who_may_take_each_transition(world, transition, source, who):
    if transition in JUSTERINGAR:
        mote = world.mote("genomfort_signerat")
    elif transition == "installa":
        mote = world.mote(f"{source}_kommande")
    else:
        mote = world.mote(source)
    assert mote.state == source
    with contextlib.ExitStack() as organet:
        if transition == "justera_utan_anslag":
            organet.enter_context(som_samverkansorgan(mote.organ))
            mote = world.mote("genomfort_signerat")
        user = world.user(who)
        may = who in SAMMANTRADE_MAY_TAKE[transition]
        offered = [t.id for t in allowed_transitions(mote, user)]
        assert (transition in offered) == (may and transition not in BY_CODE), (
            f"{COLUMNS[who]} should {'' if may else 'not '}be offered {transition} in {source}"
        )
        kommentar = "Rättelse" if transition in RATTELSE | {"justera_paragraf", "installa"} else ""
        if may:
            _underlaget(mote, transition, user, world)
            do_transition(mote, transition, user, kommentar)
            assert mote.state == (SAMMANTRADE_TRANSITIONS[transition][1] or source)
        else:
            with pytest.raises(TransitionNotAllowed):
                do_transition(mote, transition, user, kommentar)
            mote.refresh_from_db()
            assert mote.state == source


def _underlaget(mote, transition, user, world) -> None:
    """The record the step ``transition`` by ``user`` stands for (flows.sammantrade): whom the
    kallelse goes to, the user's signature of a paragraph or a rättelse, their proposal."""
    nu = timezone.now()
    if transition == "kalla":
        for person in protokoll.att_kalla(mote):
            Kallelsemottagare.objects.create(sammantrade=mote, person=person)
    elif transition == "justera_paragraf":
        punkt = Punkt.objects.create(sammantrade=mote, ordning=99, rubrik="Omedelbart")
        Paragrafjustering.objects.create(
            punkt=punkt, person=world.justerare, user=user, tidpunkt=nu
        )
    elif transition in RATTELSE:
        rattelse = Rattelse.objects.create(
            sammantrade=mote,
            text="Rättelse",
            user=user,
            tidpunkt=nu,
            giltig=nu if transition == "ratta" else None,
        )
        if transition != "foresla_rattelse":
            Rattelsesignatur.objects.create(
                rattelse=rattelse, person=world.justerare, user=user, tidpunkt=nu
            )


def test_nothing_is_offered_once_anslaget(world):
    mote = world.mote("anslaget")
    for who in COLUMNS:
        assert allowed_transitions(mote, world.user(who)) == [], who


def test_justera_waits_until_everyone_who_must_sign_has_signed(world):
    mote = world.mote("genomfort")
    for who in sorted(SAMMANTRADE_MAY_TAKE["justera"]):
        with pytest.raises(TransitionNotAllowed):
            do_transition(mote, "justera", world.user(who))
        mote.refresh_from_db()
        assert mote.state == "genomfort", who
    _ordforanden_har_justerat(mote, world.user("Namndsekreterare"))
    protokoll.justera(mote, user=world.user("Justerare"))
    mote.refresh_from_db()
    assert mote.state == "justerat"


def test_a_samverkansorgan_protokoll_is_justerat_but_never_anslaget(world):
    """KL 8 kap. 12 § and 13 kap. 1 § cover fullmäktige and the nämnder; a samverkansorgan
    (seed 004) signs its protokoll, but it is not anslaget and not appealed."""
    mote = world.mote("genomfort")
    _ordforanden_har_justerat(mote, world.user("Namndsekreterare"))
    with som_samverkansorgan(world.organ):
        protokoll.justera(mote, user=world.user("Justerare"))
        mote = world.mote("genomfort")
        assert mote.state == "justerat_utan_anslag"
        assert (mote.anslag_senast, mote.sent_anslag, mote.overklagande_senast) == (
            None,
            False,
            None,
        )
        with pytest.raises(TransitionNotAllowed):
            protokoll.ansla(mote, user=world.user("Namndsekreterare"))
        assert allowed_transitions(mote, world.user("Namndsekreterare")) == []


# -- the services refuse what the table refuses ----------------------------------------------

SERVICE_CELLS = [
    pytest.param(state, who, id=f"{state}-{who}")
    for state in SAMMANTRADE_PERMISSIONS
    for who in COLUMNS
]


@pytest.mark.parametrize("state, who", SERVICE_CELLS)
def test_the_narvaro_is_changed_only_by_whom_the_table_lets(world, state, who):
    mote = world.mote(state)
    user = world.user(who)
    ny = factories.person("Ny Ledamot", typ=Person.Typ.FORTROENDEVALD, parti="c", kommun="Umeå")
    if who in SAMMANTRADE_PERMISSIONS[state]["change_sammantrade"]:
        deltagare = protokoll.lagg_till_deltagare(mote, ny, roll=Deltagare.Roll.LEDAMOT, user=user)
        assert deltagare.sammantrade_id == mote.pk
    else:
        with pytest.raises(PermissionDenied):
            protokoll.lagg_till_deltagare(mote, ny, roll=Deltagare.Roll.LEDAMOT, user=user)
        assert not mote.deltagare.filter(person=ny).exists()
