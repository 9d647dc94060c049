"""Who may do what with an ärende, in every state of its lifecycle.

The tables below are the oracle. They are written out by hand from the law and the design
(DESIGN.md sections 1, 3 and 5; the docstring of flows/arende.py), never derived from the
definition: widening or narrowing the permission map or a guard fails here until the table is
changed on purpose.

Each cell is checked against a real user who holds the role the way the application gives it:
Stabschef and Nämndsekreterare locally on the organ (inherited by its ärenden), Handläggare
and Beredningsansvarig locally on the ärende (given by *tilldela*), Registrator and Revisor
globally through the Django group of that name, Delegat locally on the organ from a row of
its delegationsordning (given when the row is saved, up to its last day). Four more columns
hold nothing here and must get nothing: the superuser (it configures the system and is not
above the workflow), the stabschef and the nämndsekreterare of another organ, and the
handläggare of another ärende.

Rules written into the tables:

- ``view_sekretess`` (OSL need to know) is held only by the Handläggare and the
  Beredningsansvarig named on the ärende, the Stabschef of its organ and the Revisor (KL 12
  kap. 12 §, OSL 10 kap. 28 §), in every state, and by the Nämndsekreterare of its organ
  while it is on a föredragningslista and its beslut is sent (anmält, beslutat), and by a
  Delegat of the organ where they may decide it on the nämnd's behalf (beredd: KL 6 kap.
  37 §, FL 23 §); never by the Registrator;
- ``sekretessmarkera`` (marking, and lifting a marking, a prövning of the content) is the
  Handläggare's alone, in every state but makulerat (OSL 5 kap. 5 §);
- in the closed states (avslutat, avskrivet, makulerat) nobody changes anything, except that
  the registrator registers a handling that arrives after the end in an avslutat or avskrivet
  ärende (an överklagande, a court's notice: OSL 5 kap. 1 §), and the handläggare may lift a
  marking that no longer holds;
- ``skicka_rattelse`` (the rättat protokollsutdrag to who got the beslut before a rättelse,
  FL 36 §) is held by who expedierar the beslut, the Nämndsekreterare of the organ and the
  Registrator, in every state the ärende may have reached since, but makulerat;
- no transition leaves a closed state but *återöppna*, by the stabschef with a motivering,
  from avslutat or avskrivet; a makulerat ärende never comes back.
"""

import datetime
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from arenden.diarium.services import lagg_till_handling, registrera_arende
from arenden.handlaggning.services import (
    aterrapportera,
    expediera_till,
    satt_sandlista,
    spara_tjansteskrivelse,
    tilldela,
)
from arenden.models import (
    Arende,
    ArendeRelation,
    Beslut,
    Delegationspunkt,
    Handling,
    Organ,
    Person,
    Punkt,
    Sammantrade,
    Tjansteskrivelse,
    Uppdrag,
)
from arenden.organisation import roles
from flows.models import ArendeProcess
from tests import factories, tabeller
from workflow import registry
from workflow import roles as workflow_roles
from workflow.definitions import BUILTIN_ROLES
from workflow.engine import (
    CommentRequired,
    TransitionNotAllowed,
    allowed_transitions,
    do_transition,
)
from workflow.engine import (
    history as arende_history,
)

pytestmark = pytest.mark.django_db

# -- the columns: who asks -------------------------------------------------------------------

#: column id → how the user holds the role (the ids are ASCII so that test ids stay readable)
COLUMNS = {
    "Stabschef": "Stabschef, local on the ärende's organ",
    "Handlaggare": "Handläggare, local on the ärende",
    "Beredningsansvarig": "Beredningsansvarig, local on the ärende",
    "Namndsekreterare": "Nämndsekreterare, local on the ärende's organ",
    "Registrator": "Registrator, global (Django group)",
    "Revisor": "Revisor, global (Django group)",
    "superuser": "is_superuser, no role at all",
    "Stabschef_annat_organ": "Stabschef, local on another organ",
    "Namndsekreterare_annat_organ": "Nämndsekreterare, local on another organ",
    "Handlaggare_annat_arende": "Handläggare and Beredningsansvarig on another ärende",
    "Delegat": "Delegat of a row of the organ's delegationsordning (local on the organ)",
}


def grid(text: str) -> dict[str, frozenset[str]]:
    return tabeller.grid(text, COLUMNS)


# -- the permission table --------------------------------------------------------------------

#: state → permission (codename in the app "arenden") → who holds it
ARENDE_PERMISSIONS = {
    # columns:                 Stab Handl Bered Sekr  Reg   Rev  Super Stab-B Sekr-B Handl-X Deleg
    "registrerat": grid("""
        view_arende             x    x     x     x     x     x     .     .      .      .      x
        change_arende           x    .     .     .     x     .     .     .      .      .      .
        change_tjansteskrivelse .    .     .     .     .     .     .     .      .      .      .
        change_sandlista        .    .     .     .     .     .     .     .      .      .      .
        add_handling            .    .     .     .     x     .     .     .      .      .      .
        view_sekretess          x    x     x     .     .     x     .     .      .      .      .
        expediera_arende        .    .     .     .     .     .     .     .      .      .      .
        sekretessmarkera        .    x     .     .     .     .     .     .      .      .      .
        redovisa_uppdrag        .    .     .     .     .     .     .     .      .      .      .
        skicka_rattelse         .    .     .     x     x     .     .     .      .      .      .
    """),
    "tilldelat": grid("""
        view_arende             x    x     x     x     x     x     .     .      .      .      x
        change_arende           x    x     x     .     x     .     .     .      .      .      .
        change_tjansteskrivelse .    x     x     .     .     .     .     .      .      .      .
        change_sandlista        .    x     x     .     .     .     .     .      .      .      .
        add_handling            .    x     x     .     x     .     .     .      .      .      .
        view_sekretess          x    x     x     .     .     x     .     .      .      .      .
        expediera_arende        .    .     .     .     .     .     .     .      .      .      .
        sekretessmarkera        .    x     .     .     .     .     .     .      .      .      .
        redovisa_uppdrag        .    .     .     .     .     .     .     .      .      .      .
        skicka_rattelse         .    .     .     x     x     .     .     .      .      .      .
    """),
    "under_beredning": grid("""
        view_arende             x    x     x     x     x     x     .     .      .      .      x
        change_arende           x    x     x     .     x     .     .     .      .      .      .
        change_tjansteskrivelse .    x     x     .     .     .     .     .      .      .      .
        change_sandlista        .    x     x     .     .     .     .     .      .      .      .
        add_handling            .    x     x     .     x     .     .     .      .      .      .
        view_sekretess          x    x     x     .     .     x     .     .      .      .      .
        expediera_arende        .    .     .     .     .     .     .     .      .      .      .
        sekretessmarkera        .    x     .     .     .     .     .     .      .      .      .
        redovisa_uppdrag        .    .     .     .     .     .     .     .      .      .      .
        skicka_rattelse         .    .     .     x     x     .     .     .      .      .      .
    """),
    "beredd": grid("""
        view_arende             x    x     x     x     x     x     .     .      .      .      x
        change_arende           x    .     .     .     x     .     .     .      .      .      .
        change_tjansteskrivelse .    .     .     .     .     .     .     .      .      .      .
        change_sandlista        .    .     .     .     .     .     .     .      .      .      .
        add_handling            .    .     .     .     x     .     .     .      .      .      .
        view_sekretess          x    x     x     .     .     x     .     .      .      .      x
        expediera_arende        .    .     .     .     .     .     .     .      .      .      .
        sekretessmarkera        .    x     .     .     .     .     .     .      .      .      .
        redovisa_uppdrag        .    .     .     .     .     .     .     .      .      .      .
        skicka_rattelse         .    .     .     x     x     .     .     .      .      .      .
    """),
    "anmalt": grid("""
        view_arende             x    x     x     x     x     x     .     .      .      .      x
        change_arende           .    .     .     .     .     .     .     .      .      .      .
        change_tjansteskrivelse .    .     .     .     .     .     .     .      .      .      .
        change_sandlista        .    .     .     .     .     .     .     .      .      .      .
        add_handling            .    .     .     x     x     .     .     .      .      .      .
        view_sekretess          x    x     x     x     .     x     .     .      .      .      .
        expediera_arende        .    .     .     .     .     .     .     .      .      .      .
        sekretessmarkera        .    x     .     .     .     .     .     .      .      .      .
        redovisa_uppdrag        .    .     .     .     .     .     .     .      .      .      .
        skicka_rattelse         .    .     .     x     x     .     .     .      .      .      .
    """),
    "beslutat": grid("""
        view_arende             x    x     x     x     x     x     .     .      .      .      x
        change_arende           .    .     .     .     .     .     .     .      .      .      .
        change_tjansteskrivelse .    .     .     .     .     .     .     .      .      .      .
        change_sandlista        .    .     .     x     x     .     .     .      .      .      .
        add_handling            .    .     .     x     x     .     .     .      .      .      .
        view_sekretess          x    x     x     x     .     x     .     .      .      .      .
        expediera_arende        .    .     .     x     x     .     .     .      .      .      .
        sekretessmarkera        .    x     .     .     .     .     .     .      .      .      .
        redovisa_uppdrag        .    .     .     .     .     .     .     .      .      .      .
        skicka_rattelse         .    .     .     x     x     .     .     .      .      .      .
    """),
    "expedierat": grid("""
        view_arende             x    x     x     x     x     x     .     .      .      .      x
        change_arende           .    .     .     .     .     .     .     .      .      .      .
        change_tjansteskrivelse .    .     .     .     .     .     .     .      .      .      .
        change_sandlista        .    .     .     .     .     .     .     .      .      .      .
        add_handling            .    .     .     .     x     .     .     .      .      .      .
        view_sekretess          x    x     x     .     .     x     .     .      .      .      .
        expediera_arende        .    .     .     .     .     .     .     .      .      .      .
        sekretessmarkera        .    x     .     .     .     .     .     .      .      .      .
        redovisa_uppdrag        .    .     .     .     .     .     .     .      .      .      .
        skicka_rattelse         .    .     .     x     x     .     .     .      .      .      .
    """),
    "bevakas": grid("""
        view_arende             x    x     x     x     x     x     .     .      .      .      x
        change_arende           .    .     .     .     .     .     .     .      .      .      .
        change_tjansteskrivelse .    .     .     .     .     .     .     .      .      .      .
        change_sandlista        .    .     .     .     .     .     .     .      .      .      .
        add_handling            .    x     x     x     x     .     .     .      .      .      .
        view_sekretess          x    x     x     .     .     x     .     .      .      .      .
        expediera_arende        .    .     .     .     .     .     .     .      .      .      .
        sekretessmarkera        .    x     .     .     .     .     .     .      .      .      .
        redovisa_uppdrag        x    x     x     x     .     .     .     .      .      .      .
        skicka_rattelse         .    .     .     x     x     .     .     .      .      .      .
    """),
    "aterremitterat": grid("""
        view_arende             x    x     x     x     x     x     .     .      .      .      x
        change_arende           x    x     x     .     x     .     .     .      .      .      .
        change_tjansteskrivelse .    x     x     .     .     .     .     .      .      .      .
        change_sandlista        .    x     x     .     .     .     .     .      .      .      .
        add_handling            .    x     x     .     x     .     .     .      .      .      .
        view_sekretess          x    x     x     .     .     x     .     .      .      .      .
        expediera_arende        .    .     .     .     .     .     .     .      .      .      .
        sekretessmarkera        .    x     .     .     .     .     .     .      .      .      .
        redovisa_uppdrag        .    .     .     .     .     .     .     .      .      .      .
        skicka_rattelse         .    .     .     x     x     .     .     .      .      .      .
    """),
    "bordlagt": grid("""
        view_arende             x    x     x     x     x     x     .     .      .      .      x
        change_arende           .    .     .     .     .     .     .     .      .      .      .
        change_tjansteskrivelse .    .     .     .     .     .     .     .      .      .      .
        change_sandlista        .    .     .     .     .     .     .     .      .      .      .
        add_handling            .    .     .     x     x     .     .     .      .      .      .
        view_sekretess          x    x     x     .     .     x     .     .      .      .      .
        expediera_arende        .    .     .     .     .     .     .     .      .      .      .
        sekretessmarkera        .    x     .     .     .     .     .     .      .      .      .
        redovisa_uppdrag        .    .     .     .     .     .     .     .      .      .      .
        skicka_rattelse         .    .     .     x     x     .     .     .      .      .      .
    """),
    "overlamnat": grid("""
        view_arende             x    x     x     x     x     x     .     .      .      .      x
        change_arende           .    .     .     .     .     .     .     .      .      .      .
        change_tjansteskrivelse .    .     .     .     .     .     .     .      .      .      .
        change_sandlista        .    .     .     .     .     .     .     .      .      .      .
        add_handling            .    .     .     .     x     .     .     .      .      .      .
        view_sekretess          x    x     x     .     .     x     .     .      .      .      .
        expediera_arende        .    .     .     .     .     .     .     .      .      .      .
        sekretessmarkera        .    x     .     .     .     .     .     .      .      .      .
        redovisa_uppdrag        .    .     .     .     .     .     .     .      .      .      .
        skicka_rattelse         .    .     .     x     x     .     .     .      .      .      .
    """),
    "vilande": grid("""
        view_arende             x    x     x     x     x     x     .     .      .      .      x
        change_arende           .    .     .     .     .     .     .     .      .      .      .
        change_tjansteskrivelse .    .     .     .     .     .     .     .      .      .      .
        change_sandlista        .    .     .     .     .     .     .     .      .      .      .
        add_handling            .    .     .     .     x     .     .     .      .      .      .
        view_sekretess          x    x     x     .     .     x     .     .      .      .      .
        expediera_arende        .    .     .     .     .     .     .     .      .      .      .
        sekretessmarkera        .    x     .     .     .     .     .     .      .      .      .
        redovisa_uppdrag        .    .     .     .     .     .     .     .      .      .      .
        skicka_rattelse         .    .     .     x     x     .     .     .      .      .      .
    """),
    # the closed states: read only, but for a late handling registered by the registrator
    "avslutat": grid("""
        view_arende             x    x     x     x     x     x     .     .      .      .      x
        change_arende           .    .     .     .     .     .     .     .      .      .      .
        change_tjansteskrivelse .    .     .     .     .     .     .     .      .      .      .
        change_sandlista        .    .     .     .     .     .     .     .      .      .      .
        add_handling            .    .     .     .     x     .     .     .      .      .      .
        view_sekretess          x    x     x     .     .     x     .     .      .      .      .
        expediera_arende        .    .     .     .     .     .     .     .      .      .      .
        sekretessmarkera        .    x     .     .     .     .     .     .      .      .      .
        redovisa_uppdrag        .    .     .     .     .     .     .     .      .      .      .
        skicka_rattelse         .    .     .     x     x     .     .     .      .      .      .
    """),
    "avskrivet": grid("""
        view_arende             x    x     x     x     x     x     .     .      .      .      x
        change_arende           .    .     .     .     .     .     .     .      .      .      .
        change_tjansteskrivelse .    .     .     .     .     .     .     .      .      .      .
        change_sandlista        .    .     .     .     .     .     .     .      .      .      .
        add_handling            .    .     .     .     x     .     .     .      .      .      .
        view_sekretess          x    x     x     .     .     x     .     .      .      .      .
        expediera_arende        .    .     .     .     .     .     .     .      .      .      .
        sekretessmarkera        .    x     .     .     .     .     .     .      .      .      .
        redovisa_uppdrag        .    .     .     .     .     .     .     .      .      .      .
        skicka_rattelse         .    .     .     x     x     .     .     .      .      .      .
    """),
    "makulerat": grid("""
        view_arende             x    x     x     x     x     x     .     .      .      .      x
        change_arende           .    .     .     .     .     .     .     .      .      .      .
        change_tjansteskrivelse .    .     .     .     .     .     .     .      .      .      .
        change_sandlista        .    .     .     .     .     .     .     .      .      .      .
        add_handling            .    .     .     .     .     .     .     .      .      .      .
        view_sekretess          x    x     x     .     .     x     .     .      .      .      .
        expediera_arende        .    .     .     .     .     .     .     .      .      .      .
        sekretessmarkera        .    .     .     .     .     .     .     .      .      .      .
        redovisa_uppdrag        .    .     .     .     .     .     .     .      .      .      .
        skicka_rattelse         .    .     .     .     .     .     .     .      .      .      .
    """),
}
CLOSED = ("avslutat", "avskrivet", "makulerat")
READING = {"view_arende", "view_sekretess"}
#: the roles the ärende workflow knows (besides the built-in Anonymous and Authenticated)
ARENDE_ROLES = {
    "Stabschef",
    "Handläggare",
    "Beredningsansvarig",
    "Nämndsekreterare",
    "Registrator",
    "Revisor",
    "Delegat",
}

# -- the transition table --------------------------------------------------------------------

#: transition → (the states it leaves from, the state it leads to)
ARENDE_TRANSITIONS = {
    "tilldela": (("registrerat",), "tilldelat"),
    "paborja_beredning": (("tilldelat", "aterremitterat"), "under_beredning"),
    # the ärende stays where it is (None): steps recorded for the revisor
    "begara_yttrande": (("tilldelat", "under_beredning", "aterremitterat"), None),
    # an organ's yttrande asked for may come late, after the ärende went on without it
    "yttrande_inkommet": (
        (
            "tilldelat",
            "under_beredning",
            "aterremitterat",
            "beredd",
            "anmalt",
            "bordlagt",
            "beslutat",
            "expedierat",
            "bevakas",
            "overlamnat",
        ),
        None,
    ),
    "markera_beredd": (("under_beredning",), "beredd"),
    "godkanna_beredning": (("beredd",), "beredd"),
    "ateruppta_beredning": (("beredd",), "under_beredning"),
    "anmal": (("beredd", "bordlagt"), "anmalt"),
    "stryk": (("anmalt",), "beredd"),
    "besluta": (("anmalt",), "beslutat"),
    # a delegated matter, decided by the delegat straight from beredd (KL 6 kap. 37 §;
    # ordförandebeslut, 39 §, likewise); never from anmält: on a föredragningslista the nämnd
    # decides (struck from it, the ärende is beredd again)
    "besluta_pa_delegation": (("beredd",), "beslutat"),
    "aterremittera": (("anmalt",), "aterremitterat"),
    "bordlagga": (("anmalt",), "bordlagt"),
    "overlamna": (("anmalt",), "overlamnat"),
    "expediera": (("beslutat",), "expedierat"),
    "bevaka": (("expedierat",), "bevakas"),
    "avsluta": (("expedierat", "bevakas", "overlamnat"), "avslutat"),
    "avsluta_aterrapporterat": (("bevakas",), "avslutat"),
    "vila": (("tilldelat", "under_beredning"), "vilande"),
    "ateruppta": (("vilande",), "under_beredning"),
    "avskriva": (("registrerat", "tilldelat", "under_beredning", "vilande"), "avskrivet"),
    # a reopened ärende that holds a beslut and needs no new one: closed again, never avskrivet
    "avsluta_utan_nytt_beslut": (
        ("registrerat", "tilldelat", "under_beredning", "vilande"),
        "avslutat",
    ),
    "makulera": (("registrerat",), "makulerat"),
    "ateroppna": (("avslutat", "avskrivet"), "registrerat"),
    # a prövning of a sekretessmarkering, in every state but makulerat; the ärende stays
    "andra_sekretess": (
        (
            "registrerat",
            "tilldelat",
            "under_beredning",
            "beredd",
            "anmalt",
            "beslutat",
            "expedierat",
            "bevakas",
            "aterremitterat",
            "bordlagt",
            "overlamnat",
            "vilande",
            "avslutat",
            "avskrivet",
        ),
        None,
    ),
    # a rättelse (FL 36 §) of the ärende's paragraph in a justerat protokoll took effect: in
    # every state but makulerat (never an item of a protokoll); the ärende stays
    "rattelse": (
        (
            "registrerat",
            "tilldelat",
            "under_beredning",
            "beredd",
            "anmalt",
            "beslutat",
            "expedierat",
            "bevakas",
            "aterremitterat",
            "bordlagt",
            "overlamnat",
            "vilande",
            "avslutat",
            "avskrivet",
        ),
        None,
    ),
}

#: transition → who may take it, from every state it leaves from (the guard: which buttons a
#: user is offered). Some steps also need a record to exist, whoever takes them: see REQUIRES.
ARENDE_MAY_TAKE = grid("""
    tilldela                x    .     .     .     .     .     .     .      .      .      .
    paborja_beredning       .    x     x     .     .     .     .     .      .      .      .
    begara_yttrande         x    x     x     .     .     .     .     .      .      .      .
    yttrande_inkommet       x    x     x     .     x     .     .     .      .      .      .
    markera_beredd          .    x     x     .     .     .     .     .      .      .      .
    godkanna_beredning      x    .     .     .     .     .     .     .      .      .      .
    ateruppta_beredning     x    x     x     .     .     .     .     .      .      .      .
    anmal                   .    .     .     x     .     .     .     .      .      .      .
    stryk                   .    .     .     x     .     .     .     .      .      .      .
    besluta                 .    .     .     x     .     .     .     .      .      .      .
    besluta_pa_delegation   .    .     .     .     .     .     .     .      .      .      x
    aterremittera           .    .     .     x     .     .     .     .      .      .      .
    bordlagga               .    .     .     x     .     .     .     .      .      .      .
    overlamna               .    .     .     x     .     .     .     .      .      .      .
    expediera               .    .     .     x     x     .     .     .      .      .      .
    bevaka                  .    .     .     .     .     .     .     .      .      .      .
    avsluta                 x    .     .     x     x     .     .     .      .      .      .
    avsluta_aterrapporterat x    x     x     x     .     .     .     .      .      .      .
    vila                    x    .     .     .     .     .     .     .      .      .      .
    ateruppta               x    .     .     .     .     .     .     .      .      .      .
    avskriva                x    .     .     .     .     .     .     .      .      .      .
    avsluta_utan_nytt_beslut x   .     .     .     .     .     .     .      .      .      .
    makulera                .    .     .     .     x     .     .     .      .      .      .
    ateroppna               x    .     .     .     .     .     .     .      .      .      .
    andra_sekretess         .    x     .     .     .     .     .     .      .      .      .
    rattelse                .    .     .     .     .     .     .     .      .      .      .
""")
#: the steps nobody takes by hand: the engine takes them when their record is there (an
#: expedierat beslut that gave uppdrag is watched at once, whoever sent to the last recipient)
AUTOMATIC = {"bevaka"}
#: the steps the domain's own code takes inside a larger one (the Granska task, the yttrande
#: tasks): the guard holds as for any step, but no button offers them
BY_CODE = {
    "godkanna_beredning",
    "begara_yttrande",
    "yttrande_inkommet",
    "andra_sekretess",
    "stryk",  # with the item, arenden.sammantraden.protokoll.stryk_punkt
    # with the rättelse's last signature, arenden.sammantraden.protokoll.signera_rattelse: by
    # who signed it, no role on the ärende (so nobody in this world's columns)
    "rattelse",
}
#: the transitions that need a motivering (återremiss, bordläggning, avskrivning, makulering,
#: and making an ärende vilande)
MOTIVERING = {
    "aterremittera",
    "bordlagga",
    "avskriva",
    "avsluta_utan_nytt_beslut",  # why it is closed without a new beslut
    "makulera",
    "vila",
    "begara_yttrande",  # which organs
    "yttrande_inkommet",  # from which organ
    "ateroppna",  # why the closed ärende is opened again
    "andra_sekretess",  # why the marking is made, changed or lifted
    "stryk",  # why the item was taken off the föredragningslista
}

#: transition → the record it needs besides the guard (DESIGN.md 3, "The one door owns the
#: whole step"), refused for everyone while the record is missing
REQUIRES = {
    "tilldela": "a handläggare is named",
    "anmal": "an item on a meeting's föredragningslista, not yet decided",
    # the item and the state agree: struck from the list is the item struck first
    "stryk": "no undecided item of a list that is not struck",
    "markera_beredd": "a tjänsteskrivelse with a förslag till beslut",
    "besluta": "a beslut of the meeting, a paragraph of its protokoll",
    # KL 5 kap. 50–51 §§: the nämnd's återremiss or bordläggning under the ärende's item
    "aterremittera": "an återremiss recorded under the ärende's item of the protokoll",
    "bordlagga": "a bordläggning recorded under the ärende's item of the protokoll",
    "besluta_pa_delegation": "a delegationsbeslut by the delegat of a valid row of the nämnd",
    "overlamna": "a beslut that is a förslag to a higher organ",
    "expediera": "a justerat beslut (KL 5 kap. 69 §), a sändlista sent to everyone on it",
    "bevaka": "uppdrag given by the beslut",
    # överlämnat: closed once the förslag is registered where it goes on (the diarium of the
    # higher organ; without it, proven in tests/test_forslag_vidare.py)
    "avsluta": "every uppdrag reported; överlämnat, the förslag registered where it goes on",
    "avsluta_aterrapporterat": "every uppdrag reported",
    # KL 5 kap. 35 §: fullmäktige decides a motion, or to write it off
    "avskriva": "not a motion or medborgarförslag, and no beslut on record",
    "avsluta_utan_nytt_beslut": "a beslut on record (a closed ärende reopened)",
    # each arrival in beredd is approved once (the Granska task)
    "godkanna_beredning": "an arrival in beredd not yet approved",
    # registered by mistake: never decided, never closed and reopened (TF 2 kap. 4 §)
    "makulera": "no beslut, never reopened",
    # FL 36 §: who signed a rättelse in effect of the ärende's paragraph, each recorded once
    "rattelse": "a rättelse in effect of the ärende's paragraph, signed by who records it",
    # the method steps: each names a record of its own the history does not yet account for
    "begara_yttrande": "an organ asked for a yttrande in the beredning, not yet named",
    "yttrande_inkommet": "an asked organ's yttrande marked as come in, each recorded once",
    "andra_sekretess": "a marking made, changed or lifted (OSL 5 kap. 5 §), each once",
}

# -- the world: users and one ärende per state, built once -------------------------------------

#: the steps that bring a new ärende to each state, taken as the application takes them (see
#: World.step); each is the resting state a user finds, without the record of the next step
ANMALT = ("tilldela", "paborja_beredning", "skriv", "markera_beredd", "anmal")
STEPS = {
    "registrerat": (),
    "makulerat": ("makulera",),
    "tilldelat": ("tilldela",),
    "vilande": ("tilldela", "vila"),
    "avskrivet": ("tilldela", "avskriva"),
    "under_beredning": ("tilldela", "paborja_beredning"),
    "beredd": ANMALT[:4],
    "anmalt": ANMALT,
    "bordlagt": (*ANMALT, "bordlagga"),
    "aterremitterat": (*ANMALT, "aterremittera"),
    "overlamnat": (*ANMALT, "overlamna"),
    "beslutat": (*ANMALT, "besluta"),
    "expedierat": (*ANMALT, "besluta", "expediera"),
    "bevakas": (*ANMALT, "besluta_med_uppdrag", "expediera"),
    "avslutat": (*ANMALT, "besluta", "expediera", "avsluta"),
}
#: the ärenden a step's cells are asked of when the resting state lacks the step's record:
#: name → (state, the record added). The record is written directly, since the service that
#: writes it in the application takes the step at once.
READY = {
    "registrerat+handlaggare": ("registrerat", "handlaggare"),
    "under_beredning+skrivelse": ("under_beredning", "skrivelse"),
    "beredd+punkt": ("beredd", "punkt"),
    "bordlagt+punkt": ("bordlagt", "punkt"),
    "anmalt+aterremiss": ("anmalt", "aterremiss"),
    "anmalt+bordlaggning": ("anmalt", "bordlaggning"),
    "anmalt+beslut": ("anmalt", "beslut"),
    "beredd+delegationsbeslut": ("beredd", "delegationsbeslut"),
    "anmalt+forslag": ("anmalt", "forslag"),
    "beslutat+skickat": ("beslutat", "skickat"),
    "expedierat+uppdrag": ("expedierat", "uppdrag"),
    "bevakas+redovisat": ("bevakas", "redovisat"),
    "overlamnat+fortsatt": ("overlamnat", "fortsatt"),
    "anmalt+struken": ("anmalt", "struken"),
    # a beslut on record in a state before the decision: a closed ärende reopened
    **{
        f"{state}+tidigare_beslut": (state, "delegationsbeslut")
        for state in ("registrerat", "tilldelat", "under_beredning", "vilande")
    },
}
#: (transition, state) → the READY ärende its cells are asked of
READY_FOR = {
    ("tilldela", "registrerat"): "registrerat+handlaggare",
    ("markera_beredd", "under_beredning"): "under_beredning+skrivelse",
    ("anmal", "beredd"): "beredd+punkt",
    ("anmal", "bordlagt"): "bordlagt+punkt",
    ("besluta", "anmalt"): "anmalt+beslut",
    ("aterremittera", "anmalt"): "anmalt+aterremiss",
    ("bordlagga", "anmalt"): "anmalt+bordlaggning",
    ("besluta_pa_delegation", "beredd"): "beredd+delegationsbeslut",
    ("overlamna", "anmalt"): "anmalt+forslag",
    ("expediera", "beslutat"): "beslutat+skickat",
    ("bevaka", "expedierat"): "expedierat+uppdrag",
    ("avsluta", "bevakas"): "bevakas+redovisat",
    ("avsluta", "overlamnat"): "overlamnat+fortsatt",
    ("avsluta_aterrapporterat", "bevakas"): "bevakas+redovisat",
    ("stryk", "anmalt"): "anmalt+struken",
    **{
        ("avsluta_utan_nytt_beslut", state): f"{state}+tidigare_beslut"
        for state in ("registrerat", "tilldelat", "under_beredning", "vilande")
    },
}
BESLUTSDAG = datetime.date(2025, 11, 12)
#: the step → the utfall recorded under the ärende's item that it needs
UTFALL = {"aterremittera": "aterremiss", "bordlagga": "bordlaggning"}


@dataclass
class World:
    users: dict[str, User]
    organ: Organ
    annat_organ: Organ
    beredningsansvarig: Person
    arende_ids: dict[str, int]

    def user(self, who: str) -> User:
        """The user as a fresh request would have it: no roles cached from an earlier test."""
        user = self.users[who]
        workflow_roles.forget(user)
        return user

    def arende(self, name: str) -> Arende:
        return Arende.objects.get(pk=self.arende_ids[name])

    def registrera(self, rubrik: str) -> Arende:
        return registrera_arende(
            organ=self.organ,
            arendemening=rubrik,
            typ=Arende.Typ.INITIATIVARENDE,
            user=self.users["Registrator"],
            registrerat=datetime.date(2025, 10, 16),
        )

    def step(self, arende: Arende, step: str) -> None:
        """One step of STEPS, by whom the application lets take it."""
        u = self.users
        if step == "tilldela":
            tilldela(
                arende,
                handlaggare=u["Handlaggare"],
                beredningsansvariga=[(self.beredningsansvarig, "del av beredningen")],
                user=u["Stabschef"],
            )
        elif step == "skriv":
            spara_tjansteskrivelse(
                arende,
                user=u["Handlaggare"],
                forfattare=self.beredningsansvarig,
                sammanfattning="Sammanfattning.",
                forslag_till_beslut="Att bifalla förslaget.",
            )
            satt_sandlista(arende, ["registrator@example.se"], user=u["Handlaggare"])
        elif step in ("besluta", "besluta_med_uppdrag", "overlamna"):
            uppdrag = [("Återrapportera.", datetime.date(2026, 6, 1), self.organ)]
            factories.besluta(
                arende,
                u["Namndsekreterare"],
                "Att bifalla förslaget.",
                forslag_till=self.annat_organ if step == "overlamna" else None,
                uppdrag=uppdrag if step == "besluta_med_uppdrag" else (),
            )
        elif step == "anmal":
            factories.anmal(arende, u["Namndsekreterare"])
        elif step in ("aterremittera", "bordlagga"):
            self.add_record(arende, UTFALL[step])
            do_transition(arende, step, u["Namndsekreterare"], "Motivering")
        elif step == "expediera":
            for mottagare in arende.mottagare.filter(expedierad=None):
                expediera_till(mottagare, user=u["Namndsekreterare"], metod="e-post")
            arende.refresh_from_db()
        else:
            who = {
                "paborja_beredning": "Handlaggare",
                "markera_beredd": "Handlaggare",
                "anmal": "Namndsekreterare",
                "bordlagga": "Namndsekreterare",
                "aterremittera": "Namndsekreterare",
                "avsluta": "Stabschef",
                "vila": "Stabschef",
                "avskriva": "Stabschef",
                "makulera": "Registrator",
            }[step]
            do_transition(arende, step, u[who], "Motivering")

    def add_record(self, arende: Arende, record: str) -> None:
        """The record of READY that the next step needs."""
        if record == "handlaggare":
            arende.handlaggare = self.users["Handlaggare"]
            arende.save()
        elif record == "skrivelse":
            self.step(arende, "skriv")
        elif record in UTFALL.values():  # the nämnd's utfall under the ärende's item
            arende.punkter.filter(utfall="").update(utfall=record, motivering="Motivering")
        elif record == "punkt":  # an item on a meeting's föredragningslista
            Punkt.objects.create(
                sammantrade=factories.planerat(arende, self.users["Namndsekreterare"]),
                ordning=1,
                arende=arende,
                rubrik=arende.arendemening,
            )
        elif record in ("beslut", "forslag"):
            # under the ärende's item, recorded while its meeting is held (flows.arende.BESLUT)
            punkt = arende.punkter.get(utfall="")
            Sammantrade.objects.filter(pk=punkt.sammantrade_id).update(state="kallat")
            punkt.beslutet = Beslut.objects.create(
                arende=arende,
                organ=self.organ,
                datum=BESLUTSDAG,
                text="Att bifalla förslaget.",
                forslag_till=self.annat_organ if record == "forslag" else None,
                sammantrade_id=punkt.sammantrade_id,
            )
            punkt.utfall = "forslag" if record == "forslag" else "bifall"
            punkt.save()
        elif record == "fortsatt":  # the förslag registered in the higher organ's diarium
            ArendeRelation.objects.create(
                fran=arende,
                till=Arende.objects.exclude(pk=arende.pk).order_by("pk").first(),
                typ=ArendeRelation.Typ.FORTSATTER_I,
            )
        elif record == "delegationsbeslut":
            Beslut.objects.create(
                arende=arende,
                organ=self.organ,
                datum=BESLUTSDAG,
                text="Att yttra sig enligt förslaget.",
                slag=Beslut.Slag.DELEGATIONSBESLUT,
                fattat_av=self.users["Delegat"],
                delegationspunkt=Delegationspunkt.objects.get(organ=self.organ, nummer="2.1"),
                # the beslut as its own document in the diarium (flows.arende.BESLUTSDOKUMENT)
                dokument=Handling.objects.create(
                    arende=arende,
                    nummer=99,
                    typ=Handling.Typ.BESLUT,
                    riktning=Handling.Riktning.UPPRATTAD,
                    datum=BESLUTSDAG,
                    titel="Delegationsbeslut",
                    status=Handling.Status.UTKAST,
                ),
            )
        elif record == "skickat":
            for mottagare in arende.mottagare.all():
                mottagare.expedierad = timezone.now()
                mottagare.metod = "e-post"
                mottagare.beslut = arende.beslut.get()
                mottagare.save()
        elif record == "uppdrag":
            Uppdrag.objects.create(
                beslut=arende.beslut.get(),
                arende=arende,
                beskrivning="Återrapportera.",
                forfaller=datetime.date(2026, 6, 1),
                rapportera_till=self.organ,
            )
        elif record == "struken":  # the item struck (a meeting inställt), then the state
            arende.punkter.filter(utfall="").update(struken=timezone.now())
        elif record == "redovisat":
            for uppdrag in arende.uppdrag.all():
                uppdrag.redovisat = datetime.date(2026, 5, 20)
                uppdrag.save()
        else:
            raise AssertionError(record)

    def build(self, state: str, rubrik: str, record: str = "") -> Arende:
        arende = self.registrera(rubrik)
        if "tilldela" not in STEPS[state]:
            # nobody is assigned before *tilldela*; the local roles are given here as it
            # gives them, so that the table's cells can be asked
            workflow_roles.grant(arende, roles.HANDLAGGARE, user=self.users["Handlaggare"])
            workflow_roles.grant(
                arende, roles.BEREDNINGSANSVARIG, user=self.users["Beredningsansvarig"]
            )
        for step in STEPS[state]:
            self.step(arende, step)
        if record:
            self.add_record(arende, record)
        assert arende.state == state, (state, arende.state)
        return arende


def _build() -> World:
    organ = factories.organ("HSN")
    annat_organ = factories.organ("RS", "Regionstyrelsen", Organ.Typ.STYRELSE)
    make = factories.user
    users = {
        "Stabschef": make("beh-stabschef", organ_role=roles.STABSCHEF, on=organ),
        "Handlaggare": make("beh-handlaggare"),
        "Beredningsansvarig": make("beh-beredningsansvarig"),
        "Namndsekreterare": make("beh-sekreterare", organ_role=roles.NAMNDSEKRETERARE, on=organ),
        "Registrator": make("beh-registrator", global_role=roles.REGISTRATOR),
        "Revisor": make("beh-revisor", global_role=roles.REVISOR),
        "superuser": User.objects.create_superuser("beh-superuser", "su@example.se", "lösen-123"),
        "Stabschef_annat_organ": make(
            "beh-stabschef-rs", organ_role=roles.STABSCHEF, on=annat_organ
        ),
        "Namndsekreterare_annat_organ": make(
            "beh-sekreterare-rs", organ_role=roles.NAMNDSEKRETERARE, on=annat_organ
        ),
        "Handlaggare_annat_arende": make("beh-handlaggare-annat"),
        "Delegat": make("beh-delegat-rad"),
    }
    assert set(users) == set(COLUMNS)
    # a tjänsteperson, as Tilldela requires of who is made handläggare
    factories.person("Hanna Handläggare", anvandare=users["Handlaggare"])
    # the row the nämnd adopted: its delegat holds the role Delegat on the organ from it
    factories.delegationspunkt(
        organ=organ,
        nummer="2.1",
        delegat=factories.person("Dag Delegat", anvandare=users["Delegat"]),
    )
    world = World(
        users=users,
        organ=organ,
        annat_organ=annat_organ,
        beredningsansvarig=factories.person("Bea Beredare", anvandare=users["Beredningsansvarig"]),
        arende_ids={},
    )
    # another ärende of the same organ, prepared by Handlaggare_annat_arende
    annat = world.registrera("Ett annat ärende")
    tilldela(
        annat,
        handlaggare=users["Handlaggare_annat_arende"],
        beredningsansvariga=[
            (factories.person("Annan Beredare", anvandare=users["Handlaggare_annat_arende"]), "")
        ],
        user=users["Stabschef"],
    )
    for state in STEPS:
        world.arende_ids[state] = world.build(state, f"Ärende i status {state}").pk
    for name, (state, record) in READY.items():
        world.arende_ids[name] = world.build(state, f"Ärende {name}", record).pk
    return world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The users and the ärenden, built once for the module inside a transaction that is
    rolled back when the module is done; each test runs in a savepoint within it."""
    with tabeller.byggd_en_gang(django_db_blocker, _build) as built:
        yield built


# -- the tables are complete, and say what the rules say -------------------------------------


def test_the_permission_table_knows_every_state_permission_and_role_of_the_definition(world):
    wf = registry.workflow_for(world.arende("registrerat"))
    assert set(wf.states) == set(ARENDE_PERMISSIONS)
    for state in wf.state_list:
        assert {perm.removeprefix("arenden.") for perm in state.permissions} <= set(
            ARENDE_PERMISSIONS[state.id]
        ), state.id
    assert {p.removeprefix("arenden.") for p in wf.managed_permissions} == set(
        ARENDE_PERMISSIONS["registrerat"]
    )
    assert wf.roles - BUILTIN_ROLES == ARENDE_ROLES
    assert {state.id for state in wf.state_list if state.final} == set(CLOSED)


def test_the_transition_table_knows_every_transition_of_the_definition(world):
    wf = registry.workflow_for(world.arende("registrerat"))
    assert {t.id: (tuple(sorted(t.sources)), t.target) for t in wf.transition_list} == {
        t: (tuple(sorted(sources)), target) for t, (sources, target) in ARENDE_TRANSITIONS.items()
    }
    assert set(ARENDE_MAY_TAKE) == set(ARENDE_TRANSITIONS)
    assert {t.id for t in wf.transition_list if t.automatic} == AUTOMATIC
    assert {t.id for t in wf.transition_list if t.trigger == "method"} == BY_CODE
    needs_a_record = {
        t.id for t in wf.transition_list if getattr(t, "requires", ()) or t.guard.condition
    }
    assert needs_a_record == set(REQUIRES)
    assert set(READY_FOR) <= {
        (t, s) for t, (sources, _) in ARENDE_TRANSITIONS.items() for s in sources
    }


def test_the_tables_keep_the_rules():
    """The rules of the module docstring, read off the tables themselves."""
    nobody = {
        "superuser",
        "Stabschef_annat_organ",
        "Namndsekreterare_annat_organ",
        "Handlaggare_annat_arende",
    }
    for state, perms in ARENDE_PERMISSIONS.items():
        pa_motet = {"Namndsekreterare"} if state in ("anmalt", "beslutat") else set()
        far_besluta = {"Delegat"} if state == "beredd" else set()
        assert perms["view_sekretess"] == {
            "Stabschef",
            "Handlaggare",
            "Beredningsansvarig",
            "Revisor",
            *pa_motet,
            *far_besluta,
        }, state
        if state != "makulerat":
            assert perms["skicka_rattelse"] == {"Namndsekreterare", "Registrator"}, state
        for perm, who in perms.items():
            assert not who & nobody, (state, perm)
            if state in CLOSED and perm not in READING:
                efter = {
                    "add_handling": {"Registrator"},
                    "sekretessmarkera": {"Handlaggare"},
                    "skicka_rattelse": {"Namndsekreterare", "Registrator"},
                }
                vantat = efter.get(perm, set()) if state != "makulerat" else set()
                assert who == vantat, (state, perm)
    for transition, (sources, _target) in ARENDE_TRANSITIONS.items():
        if transition in ("andra_sekretess", "rattelse"):
            assert ARENDE_TRANSITIONS[transition][1] is None  # stays where it is
        elif transition != "ateroppna":
            assert not set(sources) & set(CLOSED), transition
        assert not ARENDE_MAY_TAKE[transition] & nobody, transition


# -- each cell, asked of a real user ---------------------------------------------------------

PERMISSION_CELLS = [
    pytest.param(state, perm, who, id=f"{state}-{perm}-{who}")
    for state, perms in ARENDE_PERMISSIONS.items()
    for perm in perms
    for who in COLUMNS
]


@pytest.mark.parametrize("state, perm, who", PERMISSION_CELLS)
def test_who_holds_each_permission_in_each_state(world, state, perm, who):
    arende = world.arende(state)
    assert arende.state == state
    expected = who in ARENDE_PERMISSIONS[state][perm]
    assert world.user(who).has_perm(f"arenden.{perm}", arende) == expected, (
        f"{COLUMNS[who]} should {'' if expected else 'not '}hold {perm} in {state}"
    )


TRANSITION_CELLS = [
    pytest.param(transition, source, who, id=f"{transition}-from-{source}-{who}")
    for transition, (sources, _target) in ARENDE_TRANSITIONS.items()
    for source in sources
    for who in COLUMNS
]


def _record_of_a_method_step(arende: Arende, transition: str) -> None:
    """The record a method step accounts for (REQUIRES), written as its service writes it,
    without the step, so that who may take it is all that is asked: a request for a
    yttrande not yet named (flows.uppgifter), an answer marked (flows.synk.markera_besvarat),
    a marking saved with the step as its reason (arenden.diarium.services.andra_sekretess)."""
    if transition == "andra_sekretess":
        arende._change_reason = "andra_sekretess"
        arende.save()
    elif transition in ("begara_yttrande", "yttrande_inkommet"):
        process = ArendeProcess.objects.filter(arende=arende).latest("pk")
        yttrande = {
            "organ": 0,
            "namn": "Regionstyrelsen",
            "kod": "RS",
            "besvarat": transition == "yttrande_inkommet",
            "handling": None,
            "i_historiken": transition != "begara_yttrande",
        }
        yttranden = [*process.data.get("yttranden", []), yttrande]
        process.data = {**process.data, "yttranden": yttranden}
        process.save(update_fields=["data"])


@pytest.mark.parametrize("transition, source, who", TRANSITION_CELLS)
def test_who_may_take_each_transition(world, transition, source, who):
    arende = world.arende(READY_FOR.get((transition, source), source))
    assert arende.state == source
    _record_of_a_method_step(arende, transition)
    user = world.user(who)
    may = who in ARENDE_MAY_TAKE[transition]
    offered = [t.id for t in allowed_transitions(arende, user)]
    assert (transition in offered) == (may and transition not in BY_CODE), (
        f"{COLUMNS[who]} should {'' if may else 'not '}be offered {transition} in {source}"
    )
    if may:
        # a motivering only where MOTIVERING says one is needed: a step that starts to require
        # one fails here
        do_transition(arende, transition, user, "Motivering" if transition in MOTIVERING else "")
        assert arende.state == (ARENDE_TRANSITIONS[transition][1] or source)
    else:
        with pytest.raises(TransitionNotAllowed):
            do_transition(arende, transition, user, "Motivering")
        arende.refresh_from_db()
        assert arende.state == source


@pytest.mark.parametrize("state", CLOSED)
def test_nothing_is_offered_in_a_closed_state(world, state):
    """Nothing but *återöppna*, to the stabschef, and never out of makulerat."""
    arende = world.arende(state)
    for who in COLUMNS:
        offered = [t.id for t in allowed_transitions(arende, world.user(who))]
        reopen = who == "Stabschef" and state != "makulerat"
        assert offered == (["ateroppna"] if reopen else []), who


@pytest.mark.parametrize("transition", sorted(MOTIVERING))
def test_a_motivering_is_required(world, transition):
    (source, *_), _target = ARENDE_TRANSITIONS[transition]
    who = sorted(ARENDE_MAY_TAKE[transition])[0]
    arende = world.arende(READY_FOR.get((transition, source), source))
    with pytest.raises(CommentRequired):
        do_transition(arende, transition, world.user(who), "  ")
    arende.refresh_from_db()
    assert arende.state == source


# -- the records a step needs ------------------------------------------------------------------

#: transition → the resting state (of STEPS) that lacks the record it needs
MISSING = {
    "tilldela": "registrerat",
    "markera_beredd": "under_beredning",
    "anmal": "beredd",
    "besluta": "anmalt",
    "aterremittera": "anmalt",
    "bordlagga": "anmalt",
    "besluta_pa_delegation": "beredd",
    "overlamna": "anmalt",
    "expediera": "beslutat",
    "bevaka": "expedierat",
    "avsluta": "bevakas",
    "avsluta_aterrapporterat": "bevakas",
    "stryk": "anmalt",
    "avsluta_utan_nytt_beslut": "registrerat",
    "begara_yttrande": "tilldelat",
    "yttrande_inkommet": "beredd",
    "andra_sekretess": "avslutat",
}
#: the records of the world's ärenden it has no resting state without, proven where such an
#: ärende is made: a motion (tests/test_motion.py), a reopened ärende (tests/test_diarium.py),
#: a rättelse of a justerat protokoll (tests/test_rattelse_i_arendet.py)
#: and an approved beredning (tests/test_arende_kraver_handlingar.py)
PROVEN_ELSEWHERE = {"avskriva", "makulera", "rattelse", "godkanna_beredning"}
REQUIREMENT_CELLS = [
    pytest.param(transition, who, id=f"{transition}-without-record-{who}")
    for transition in MISSING
    for who in sorted(ARENDE_MAY_TAKE[transition])
]


def test_every_record_a_step_needs_is_proven_missing_somewhere():
    assert set(MISSING) | PROVEN_ELSEWHERE == set(REQUIRES)
    assert not set(MISSING) & PROVEN_ELSEWHERE


@pytest.mark.parametrize("transition, who", REQUIREMENT_CELLS)
def test_a_step_is_refused_while_its_record_is_missing(world, transition, who):
    arende = world.arende(MISSING[transition])
    with pytest.raises(TransitionNotAllowed):
        do_transition(arende, transition, world.user(who), "Motivering")
    arende.refresh_from_db()
    assert arende.state == MISSING[transition]


def test_the_last_recipient_sent_to_expedierar_the_arende(world):
    arende = world.arende("beslutat")
    [mottagare] = arende.mottagare.all()
    expediera_till(mottagare, user=world.user("Namndsekreterare"), metod="e-post")
    arende.refresh_from_db()
    assert arende.state == "expedierat"


@pytest.mark.parametrize("who", ["Namndsekreterare", "Registrator"])
def test_a_beslut_with_uppdrag_is_watched_once_expedierat_whoever_sent_it(world, who):
    """Both who may expediera send to the last recipient; the bevakning follows by itself."""
    arende = world.registrera("Beslut med uppdrag")
    for step in (*ANMALT, "besluta_med_uppdrag"):
        world.step(arende, step)
    [mottagare] = arende.mottagare.all()
    expediera_till(mottagare, user=world.user(who), metod="post")
    arende.refresh_from_db()
    assert arende.state == "bevakas"
    assert [h.transition for h in arende_history(arende)][-2:] == ["expediera", "bevaka"]


def test_the_last_uppdrag_reported_closes_the_arende(world):
    arende = world.arende("bevakas")
    handlaggare = world.user("Handlaggare")
    rapport = lagg_till_handling(
        arende,
        user=handlaggare,
        typ=Handling.Typ.ATERRAPPORT,
        riktning=Handling.Riktning.UPPRATTAD,
        titel="Återrapport",
    )
    [uppdrag] = arende.uppdrag.all()
    aterrapportera(
        uppdrag, handling=rapport, redovisat=datetime.date(2026, 5, 20), user=handlaggare
    )
    arende.refresh_from_db()
    assert arende.state == "avslutat"


# -- the services refuse what the table refuses ----------------------------------------------

SERVICE_CELLS = [
    pytest.param(state, who, id=f"{state}-{who}") for state in ARENDE_PERMISSIONS for who in COLUMNS
]


@pytest.mark.parametrize("state, who", SERVICE_CELLS)
def test_handlingar_and_tjansteskrivelse_only_by_whom_the_table_lets(world, state, who):
    arende = world.arende(state)
    user = world.user(who)
    bilaga = {"typ": "bilaga", "riktning": "intern", "titel": "Bilaga från testet"}
    skrivelse = {"sammanfattning": "Skrivet av testet", "forfattare": world.beredningsansvarig}
    if who in ARENDE_PERMISSIONS[state]["add_handling"]:
        handling = lagg_till_handling(arende, user=user, **bilaga)
        assert handling.arende_id == arende.pk
    else:
        with pytest.raises(PermissionDenied):
            lagg_till_handling(arende, user=user, **bilaga)
        assert not arende.handlingar.filter(titel=bilaga["titel"]).exists()
    if who in ARENDE_PERMISSIONS[state]["change_tjansteskrivelse"]:
        sparad = spara_tjansteskrivelse(arende, user=user, **skrivelse)
        assert sparad.arende_id == arende.pk
    else:
        with pytest.raises(PermissionDenied):
            spara_tjansteskrivelse(arende, user=user, **skrivelse)
        written = Tjansteskrivelse.objects.filter(arende=arende, sammanfattning="Skrivet av testet")
        assert not written.exists()


# -- the delegat: a row of the nämnd's delegationsordning, and the role it gives ---------------

#: state → what the delegat of a valid row of the ärende's nämnd is offered there (KL 6 kap.
#: 37 §): the delegated decision, from beredd only (anmält, it is the nämnd's to decide);
#: nothing else, anywhere. The delegat of another nämnd is offered nothing at all.
DELEGAT_OFFERED = {state: set() for state in STEPS} | {
    "beredd": {"besluta_pa_delegation"},
}


def _delegat(world, organ, namn):

    user = factories.user(namn)
    person = factories.person(f"Delegat {namn}", anvandare=user)
    factories.delegationspunkt(
        organ=organ,
        nummer="1.1",
        beslutsomrade="Yttranden av mindre vikt",
        delegat=person,
    )
    return user


@pytest.mark.parametrize("state", sorted(STEPS))
def test_what_a_delegat_is_offered_in_each_state(world, state):
    arende = world.arende(state)
    egen = _delegat(world, world.organ, "beh-delegat")
    annan = _delegat(world, world.annat_organ, "beh-delegat-rs")
    assert {t.id for t in allowed_transitions(arende, egen)} == DELEGAT_OFFERED[state]
    assert allowed_transitions(arende, annan) == []
