"""No state without the records it means (DESIGN.md 3, "The one door owns the whole step").

Every transition of the ärende's lifecycle is tried from every state it leaves, by every role,
over HTTP through the ärende page's button view and directly through the engine. Whatever
gets through, the ärende must afterwards hold the records its state means: a handläggare once
tilldelat, a tjänsteskrivelse with förslag till beslut once beredd, a beslut once beslutat
(a förslag to a higher organ once överlämnat), a sändlista sent to everyone once expedierat,
every uppdrag reported once avslutat after a beslut. A step that needs data is taken on its
own page, never from a bare button.
"""

import datetime

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from arenden.handlaggning import services
from arenden.models import Arende, Beslut, Mottagare, Tjansteskrivelse, Uppdrag
from arenden.sammantraden import protokoll
from tests import factories
from workflow import registry
from workflow.definitions import USER
from workflow.engine import do_transition, history, version
from workflow.models import WorkflowError

pytestmark = pytest.mark.django_db

BESLUTSDAG = datetime.date(2025, 11, 12)


def saknas(arende: Arende) -> list[str]:
    """What the ärende's state means that is not there (empty: the records hold)."""
    state = arende.state
    visited = {h.to_state for h in history(arende)}
    missing = []
    if state not in ("registrerat", "makulerat") and "tilldelat" in visited:
        if arende.handlaggare_id is None:
            missing.append("handläggare")
    if (
        state == "beredd"
        and not Tjansteskrivelse.objects.filter(
            arende=arende, forslag_till_beslut__regex=r"\S"
        ).exists()
    ):
        missing.append("förslag till beslut")
    beslut = Beslut.objects.filter(arende=arende)
    if (
        state in ("beslutat", "expedierat", "bevakas")
        and not beslut.filter(forslag_till=None).exists()
    ):
        missing.append("beslut")
    if state == "overlamnat" and not beslut.exclude(forslag_till=None).exists():
        missing.append("förslag till högre organ")
    if state in ("expedierat", "bevakas"):
        mottagare = Mottagare.objects.filter(arende=arende)
        if not mottagare.exists() or mottagare.filter(expedierad=None).exists():
            missing.append("sändlista skickad till alla")
    if state == "avslutat" and Uppdrag.objects.filter(arende=arende, redovisat=None).exists():
        missing.append("uppdrag redovisade")
    if state == "expedierat" and Uppdrag.objects.filter(arende=arende, redovisat=None).exists():
        missing.append("bevakning av uppdragen")
    return missing


class Ärenden:
    """One ärende in each resting state, without the record of its next step."""

    def __init__(self):
        self.cast = factories.Cast()
        c = self.cast
        self.hogre = factories.organ("RS", "Regionstyrelsen")
        self.users = {
            "stabschef": c.stabschef,
            "handlaggare": c.handlaggare,
            "sekreterare": c.sekreterare,
            "registrator": c.registrator,
            "revisor": c.revisor,
        }
        self.i = {}
        self.i["registrerat"] = c.registrera("Registrerat")
        self.i["tilldelat"] = self._till("tilldelat")
        self.i["under_beredning"] = self._till("under_beredning")
        self.i["vilande"] = self._till("vilande")
        self.i["beredd"] = self._till("beredd")
        self.i["anmalt"] = self._till("anmalt")
        self.i["bordlagt"] = self._till("bordlagt")
        self.i["aterremitterat"] = self._till("aterremitterat")
        self.i["beslutat"] = self._till("beslutat")
        self.i["overlamnat"] = self._till("overlamnat")
        self.i["bevakas"] = self._till("bevakas")
        self.i["expedierat"] = self._till("expedierat")

    def _till(self, state: str) -> Arende:
        c = self.cast
        arende = c.registrera(f"Mot {state}")
        services.tilldela(arende, handlaggare=c.handlaggare, user=c.stabschef)
        if state == "tilldelat":
            return arende
        if state == "vilande":
            do_transition(arende, "vila", c.stabschef, "Inväntar utredning")
            return arende
        do_transition(arende, "paborja_beredning", c.handlaggare)
        if state == "under_beredning":
            return arende
        factories.forslag_till_beslut(arende, c.handlaggare)
        do_transition(arende, "markera_beredd", c.handlaggare)
        if state == "beredd":
            return arende
        mote = protokoll.planera(organ=c.organ, datum=BESLUTSDAG, plats="Umeå", user=c.sekreterare)
        punkt = protokoll.lagg_till_punkt(mote, user=c.sekreterare, arende=arende)
        arende.refresh_from_db()
        if state == "anmalt":
            return arende
        factories.narvaro(mote, c.sekreterare)  # who serves, noted before the kallelse to them
        protokoll.kalla(mote, user=c.sekreterare)
        utfall = {
            "bordlagt": "bordlaggning",
            "aterremitterat": "aterremiss",
            "overlamnat": "forslag",
        }.get(state, "bifall")
        uppdrag = [("Återrapportera.", datetime.date(2026, 6, 1), None)]
        protokoll.besluta(
            punkt,
            user=c.sekreterare,
            utfall=utfall,
            beslut="Att bifalla." if utfall in ("bifall", "forslag") else "",
            motivering="Mer underlag." if utfall not in ("bifall", "forslag") else "",
            forslag_till=self.hogre if utfall == "forslag" else None,
            uppdrag=uppdrag if state == "bevakas" else (),
        )
        arende.refresh_from_db()
        if state in ("bevakas", "expedierat"):
            factories.justera_protokollet(mote, c.sekreterare)
            for mottagare in arende.mottagare.all():
                services.expediera_till(mottagare, user=c.sekreterare, metod="post")
            arende.refresh_from_db()
        assert arende.state == state, (arende.state, state)
        return arende


@pytest.fixture
def arenden(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return Ärenden()


def test_every_resting_state_holds_its_records(arenden):
    for state, arende in arenden.i.items():
        assert arende.state == state
        assert saknas(arende) == [], state


def test_no_button_reaches_a_state_without_its_records(arenden):
    """Every transition, from every state it leaves, by every role, over HTTP: each attempt
    rolled back after it, so that each starts from the resting state."""
    wf = registry.get_workflow("arende")
    clients = {}
    for name, user in arenden.users.items():
        clients[name] = Client()
        clients[name].force_login(user)
    moved = []
    for state, arende in arenden.i.items():
        for transition in wf.transition_list:
            if state not in transition.sources:
                continue
            for name, client in clients.items():
                steg = history(arende).count()
                with transaction.atomic():
                    response = client.post(
                        reverse("arenden:overgang", args=[arende.pk]),
                        factories.fran_arendesidan(
                            arende,
                            {
                                "overgang": transition.id,
                                "status": state,
                                "steg": steg,
                                "kommentar": "Motivering",
                            },
                        ),
                    )
                    assert response.status_code in (302, 403), (state, transition.id, name)
                    fresh = Arende.objects.get(pk=arende.pk)
                    assert saknas(fresh) == [], (state, transition.id, name)
                    if history(fresh).count() != steg:
                        # only a step a person takes, and that needs no form, from a button
                        moved.append((state, transition.id, name))
                        assert transition.trigger == USER and not transition.form, moved[-1]
                    transaction.set_rollback(True)
    # the steps that need no data of their own do go through from a button
    assert ("under_beredning", "markera_beredd", "handlaggare") not in moved  # no skrivelse
    assert ("tilldelat", "paborja_beredning", "handlaggare") in moved
    assert ("tilldelat", "vila", "stabschef") in moved
    # the granskning and the yttranden are steps of their tasks, never of a bare button
    assert not [m for m in moved if m[1] in ("godkanna_beredning", "begara_yttrande")]


def test_no_engine_call_reaches_a_state_without_its_records(arenden):
    """The same through the engine, as a service, a task or the shell would call it."""
    wf = registry.get_workflow("arende")
    for state, arende in arenden.i.items():
        for transition in wf.transition_list:
            if state not in transition.sources or transition.automatic:
                continue
            for user in arenden.users.values():
                with transaction.atomic():
                    try:
                        do_transition(
                            Arende.objects.get(pk=arende.pk), transition.id, user, "Motivering"
                        )
                    except WorkflowError:
                        pass
                    fresh = Arende.objects.get(pk=arende.pk)
                    assert saknas(fresh) == [], (state, transition.id, user)
                    transaction.set_rollback(True)


@pytest.mark.parametrize(
    "state, transition, who, form",
    [
        ("registrerat", "tilldela", "stabschef", "arenden:tilldela"),
        ("anmalt", "besluta", "sekreterare", "arenden:beslut"),
        ("anmalt", "overlamna", "sekreterare", "arenden:beslut"),
        ("anmalt", "aterremittera", "sekreterare", "arenden:beslut"),
        ("beslutat", "expediera", "sekreterare", "arenden:expediera"),
    ],
)
def test_a_step_with_a_form_sends_the_button_to_its_page(arenden, state, transition, who, form):
    arende = arenden.i[state]
    client = Client()
    client.force_login(arenden.users[who])
    page = client.get(reverse("arenden:arende", args=[arende.pk])).content.decode()
    assert f'href="{reverse(form, args=[arende.pk])}"' in page  # a link, not a button
    response = client.post(
        reverse("arenden:overgang", args=[arende.pk]),
        factories.fran_arendesidan(
            arende,
            {
                "overgang": transition,
                "status": state,
                "steg": version(arende),
                "kommentar": "Motivering",
            },
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == reverse(form, args=[arende.pk])
    arende.refresh_from_db()
    assert arende.state == state


def test_the_beslut_page_leads_to_the_item_in_the_protokoll(arenden):
    arende = arenden.i["anmalt"]
    client = Client()
    client.force_login(arenden.users["sekreterare"])
    punkt = arende.punkter.get()
    response = client.get(reverse("arenden:beslut", args=[arende.pk]))
    assert response["Location"] == (
        f"{reverse('arenden:sammantrade', args=[punkt.sammantrade_id])}#punkt-{punkt.pk}"
    )


def test_a_missing_record_is_named_in_swedish(arenden):
    arende = arenden.i["under_beredning"]
    client = Client()
    client.force_login(arenden.users["handlaggare"])
    page = client.post(
        reverse("arenden:overgang", args=[arende.pk]),
        factories.fran_arendesidan(
            arende,
            {"overgang": "markera_beredd", "status": "under_beredning", "steg": version(arende)},
        ),
        follow=True,
    ).content.decode()
    assert "tjänsteskrivelsen med förslag till beslut saknas" in page
    arende.refresh_from_db()
    assert arende.state == "under_beredning"
