"""The ärende page, the worklists, the transition buttons and the public postlista: who
sees what, what a click does, and what a page costs."""

import re

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from arenden.handlaggning import services
from arenden.handlaggning.services import tilldela
from arenden.models import Enhet
from tests import factories
from workflow.engine import do_transition, history, version

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast():
    return factories.Cast()


@pytest.fixture
def arende(cast):
    arende = cast.registrera("Handslag med Cancerfonden för en bättre palliativ vård")
    tilldela(arende, handlaggare=cast.handlaggare, user=cast.stabschef)
    do_transition(arende, "paborja_beredning", cast.handlaggare)
    return arende


def page_queries(client, user, url):
    client.force_login(user)
    client.get(url)  # warm the per-process caches (content types, workflow lookups)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_arende_page_costs_the_same_with_500_history_entries_as_with_5(client, cast, arende):
    url = reverse("arenden:arende", args=[arende.pk])
    assert history(arende).count() == 3
    factories.forslag_till_beslut(arende, cast.handlaggare)
    do_transition(arende, "markera_beredd", cast.handlaggare)
    do_transition(arende, "ateruppta_beredning", cast.handlaggare)
    assert history(arende).count() == 5
    few = page_queries(client, cast.handlaggare, url)

    for _ in range(250):
        factories.forslag_till_beslut(arende, cast.handlaggare)
        do_transition(arende, "markera_beredd", cast.handlaggare)
        do_transition(arende, "ateruppta_beredning", cast.handlaggare)
    assert history(arende).count() == 505
    many = page_queries(client, cast.handlaggare, url)
    assert many == few
    assert few <= 20


@pytest.mark.parametrize(
    "who, status",
    [("handlaggare", 200), ("stabschef", 200), ("revisor", 200), ("registrator", 200)],
)
def test_arende_page_is_for_who_may_view_it(client, cast, arende, who, status):
    client.force_login(getattr(cast, who))
    assert client.get(reverse("arenden:arende", args=[arende.pk])).status_code == status


def test_arende_page_refuses_an_unrelated_user_and_sends_anonymous_to_login(client, arende):
    url = reverse("arenden:arende", args=[arende.pk])
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    client.force_login(factories.user("utomstaende"))
    assert client.get(url).status_code == 403


def test_only_allowed_transitions_are_offered_as_buttons(client, cast, arende):
    url = reverse("arenden:arende", args=[arende.pk])
    client.force_login(cast.handlaggare)
    page = client.get(url).content.decode()
    assert 'value="markera_beredd"' in page
    assert 'value="anmal"' not in page and 'value="makulera"' not in page
    client.force_login(cast.revisor)
    assert 'name="overgang"' not in client.get(url).content.decode()


def test_a_click_takes_the_transition_through_the_engine(client, cast, arende):
    factories.forslag_till_beslut(arende, cast.handlaggare)
    client.force_login(cast.handlaggare)
    response = client.post(
        reverse("arenden:overgang", args=[arende.pk]),
        factories.fran_arendesidan(
            arende,
            {
                "overgang": "markera_beredd",
                "status": "under_beredning",
                "steg": version(arende),
                "kommentar": "Klar",
            },
        ),
        follow=True,
    )
    assert "Ärendet har nu status Beredd." in response.content.decode()
    last = history(arende).last()
    assert (last.transition, last.actor, last.comment) == (
        "markera_beredd",
        cast.handlaggare,
        "Klar",
    )


def test_an_old_form_is_stale_even_when_the_state_has_come_back(client, cast, arende):
    """A → B → A: the handläggare's page was read under beredning; meanwhile the ärende was
    marked beredd and sent back by the stabschef ("Komplettera kostnadskalkylen"). The old
    "Markera som beredd" form must not undo the return."""
    factories.forslag_till_beslut(arende, cast.handlaggare)
    client.force_login(cast.handlaggare)
    page = client.get(reverse("arenden:arende", args=[arende.pk])).content.decode()
    las = int(re.search(r'name="steg" value="(\d+)"', page).group(1))
    do_transition(arende, "markera_beredd", cast.handlaggare)
    do_transition(arende, "ateruppta_beredning", cast.stabschef, "Komplettera kostnadskalkylen")
    steg = version(arende)
    page = client.post(
        reverse("arenden:overgang", args=[arende.pk]),
        {"overgang": "markera_beredd", "status": "under_beredning", "steg": las},
        follow=True,
    ).content.decode()
    assert "ändrats av någon annan" in page
    arende.refresh_from_db()
    assert arende.state == "under_beredning" and version(arende) == steg


def test_a_refused_or_stale_click_says_why_and_changes_nothing(client, cast, arende):
    url = reverse("arenden:overgang", args=[arende.pk])
    client.force_login(cast.stabschef)
    page = client.post(
        url,
        factories.fran_arendesidan(
            arende,
            {
                "overgang": "vila",
                "status": "under_beredning",
                "steg": version(arende),
                "kommentar": "",
            },
        ),
        follow=True,
    ).content.decode()
    assert "Gör vilande kräver en kommentar (motivering)." in page
    page = client.post(
        url,
        factories.fran_arendesidan(
            arende,
            {
                "overgang": "vila",
                "status": "tilldelat",
                "steg": version(arende),
                "kommentar": "Paus",
            },
        ),
        follow=True,
    ).content.decode()
    assert "ändrats av någon annan" in page
    client.force_login(factories.user("utomstaende"))
    assert (
        client.post(url, {"overgang": "markera_beredd", "status": "under_beredning"}).status_code
        == 403
    )
    arende.refresh_from_db()
    assert arende.state == "under_beredning" and history(arende).count() == 3


def _listor(page: str) -> dict[str, int]:
    """The start page's worklists as {title: count}."""
    found = re.findall(
        r'<li><a class="ds-card"[^>]* href="[^"]*">([^<]+?) '
        r'<span class="ds-tag antal"[^>]*>(\d+)</span>',
        page,
    )
    return {titel: int(antal) for titel, antal in found}


def test_start_page_shows_the_worklists_with_counts(client, cast, arende):
    cast.registrera("Nytt ärende att tilldela")
    cast.registrera("Ett till att tilldela")
    client.force_login(cast.stabschef)
    listor = _listor(client.get(reverse("arenden:start")).content.decode())
    # the fixture's ärende is assigned; the two new ones wait for the stabschef
    assert listor["Att tilldela"] == 2
    assert "Mina ärenden" not in listor  # not the stabschef's worklist, and empty for them
    client.force_login(cast.handlaggare)
    listor = _listor(client.get(reverse("arenden:start")).content.decode())
    # the handläggare also decides requests for allmänna handlingar in their ärenden
    assert listor == {
        "Mina ärenden": 1,
        "Återrapportering förfaller": 0,
        "Begäran om allmän handling": 0,
    }
    response = client.get(reverse("arenden:mina_arenden"))
    assert str(arende.diarienummer) in response.content.decode()


def test_a_worklist_on_one_page_is_read_once_and_a_longer_one_is_paged(client, cast):
    from arenden.gemensamt.sidor import PER_SIDA

    url = reverse("arenden:mina_arenden")
    arenden = []
    for i in range(PER_SIDA + 1):
        arende = cast.registrera(f"Ärende {i:02d}")
        tilldela(arende, handlaggare=cast.handlaggare, user=cast.stabschef)
        arenden.append(arende)
        if i == PER_SIDA - 1:  # the whole list on the first page: read, not counted
            client.force_login(cast.handlaggare)
            client.get(url)
            with CaptureQueriesContext(connection) as one_page:
                page = client.get(url).content.decode()
            assert not [q for q in one_page if "COUNT(" in q["sql"].upper()]
            assert "Sida 1" not in page and str(arende.diarienummer) in page
    # one ärende more than a page: counted, paged, and every ärende on one of the pages
    with CaptureQueriesContext(connection) as two_pages:
        first = client.get(url).content.decode()
    assert len(two_pages) == len(one_page) + 1
    assert "Sida 1 av 2" in first
    second = client.get(url, {"sida": 2}).content.decode()
    assert "Sida 2 av 2" in second
    # the ärenden, below the user's tasks (which list some of the same ärenden)
    first, second = (sida[sida.index('id="rubrik-arenden"') :] for sida in (first, second))
    for arende in arenden:
        assert (f">{arende.diarienummer}<" in first) != (f">{arende.diarienummer}<" in second)
    assert "Sida 2 av 2" in client.get(url, {"sida": 9}).content.decode()  # past the end


def test_postlista_is_public_and_hides_secret_content(client, cast):
    cast.registrera("Öppet ärende om palliativ vård", offentlig_rubrik="Palliativ vård")
    cast.registrera(
        "Patienten NN:s klagomål",
        sekretess_lagrum="OSL 25 kap. 1 §",
        avsandare="NN, Umeå",
    )
    response = client.get(reverse("arenden:postlista"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Palliativ vård" in page and "Öppet ärende" not in page
    assert "Sekretess (OSL 25 kap. 1 §)" in page
    assert "NN" not in page


def test_a_wrong_password_is_said_in_swedish_on_the_login_page(client, cast):
    page = client.post("/konto/logga-in/", {"username": "stabschef-HSN", "password": "fel"})
    html = page.content.decode()
    assert page.status_code == 200 and 'role="alert"' in html
    assert "Fel användarnamn eller lösenord" in html
    assert reverse("arenden:postlista") in html and reverse("arenden:anslagstavla") in html


def test_the_error_pages_are_swedish_and_lead_back(client, cast, arende):
    client.force_login(cast.handlaggare)
    nekad = client.get(reverse("arenden:registrera"))
    html = nekad.content.decode()
    assert nekad.status_code == 403 and "Du har inte behörighet" in html
    assert "Bara registratorn registrerar ärenden." in html  # the reason
    assert f'href="{reverse("arenden:start")}"' in html and "Access Forbidden" not in html
    saknas = client.get("/arende/999999/")
    assert saknas.status_code == 404 and "Sidan finns inte" in saknas.content.decode()


def test_tilldela_offers_the_staff_by_name_title_and_unit(client, cast):
    """The handläggare list shows people, not usernames, and only the organisation's staff:
    not the registrator's, the revisor's or a politician's account, nor the administrator."""
    arende = cast.registrera("Att tilldela")
    factories.person("Ordf Örn", anvandare=factories.user("ordf"), typ="fortroendevald")
    enhet = Enhet.objects.create(namn="Hälso- och sjukvårdsförvaltningen", kortnamn="HSF")
    factories.person(
        "Yvonne Nilsson", anvandare=factories.user("yvonne"), titel="utvecklingsledare", enhet=enhet
    )
    User.objects.create_superuser("admin", "a@example.se", "lösenord-123")
    client.force_login(cast.stabschef)
    sida = client.get(f"/arende/{arende.pk}/tilldela/").content.decode()
    [lista] = re.findall(r'<select name="handlaggare".*?</select>', sida, re.S)
    val = re.findall(r"<option value=\"\d+\"[^>]*>([^<]*)</option>", lista)
    assert val == ["Handläggare HSN, handläggare", "Yvonne Nilsson, utvecklingsledare, HSF"]


def test_a_recipient_leaves_the_sandlista_only_when_the_removal_is_confirmed(client, cast, arende):
    services.satt_sandlista(arende, ["Kommunförbundet", "Cancerfonden"], user=cast.handlaggare)
    rad = arende.mottagare.get(adress="Kommunförbundet")
    client.force_login(cast.handlaggare)
    url = f"/arende/{arende.pk}/sandlista/"
    sida = client.post(
        url, factories.fran_arendesidan(arende, {"ta_bort": rad.pk})
    ).content.decode()
    assert "Ta bort Kommunförbundet från sändlistan?" in sida
    assert arende.mottagare.count() == 2
    svar = client.post(
        url, factories.fran_arendesidan(arende, {"ta_bort": rad.pk, "bekraftat": "1"}), follow=True
    )
    assert "Kommunförbundet är borttagen från sändlistan." in svar.content.decode()
    assert list(arende.mottagare.values_list("adress", flat=True)) == ["Cancerfonden"]


def test_mina_arenden_holds_the_tasks_and_every_arende_in_any_state(client, cast):
    """One inbox: the handläggare's tasks and ärenden; an ärende stays when it is beredd, and
    the closed ones are a filter away."""
    pagaende = cast.registrera("Pågående beredning")
    tilldela(pagaende, handlaggare=cast.handlaggare, user=cast.stabschef)
    cast.berett("Beredd och klar")
    avskrivet = cast.registrera("Inaktuell skrivelse")
    tilldela(avskrivet, handlaggare=cast.handlaggare, user=cast.stabschef)
    do_transition(avskrivet, "avskriva", cast.stabschef, "Inaktuellt")
    annans = cast.registrera("Någon annans")
    client.force_login(cast.handlaggare)
    url = reverse("arenden:mina_arenden")
    page = client.get(url).content.decode()
    arenden = page[page.index('id="rubrik-arenden"') :]
    assert "Pågående beredning" in arenden and "Beredd och klar" in arenden
    assert "Inaktuell skrivelse" not in arenden and "Någon annans" not in arenden
    uppgifter = page[: page.index('id="rubrik-arenden"')]
    assert f"{pagaende.diarienummer}" in uppgifter  # the task the assignment gave
    page = client.get(url, {"status": "alla"}).content.decode()
    assert "Inaktuell skrivelse" in page and "Någon annans" not in page
    page = client.get(url, {"status": "beredd"}).content.decode()
    arenden = page[page.index('id="rubrik-arenden"') :]
    assert "Beredd och klar" in arenden and "Pågående beredning" not in arenden
    assert client.get(url, {"status": "<script>"}).status_code == 200
    assert annans.state == "registrerat"


def test_the_latest_history_names_who_took_each_step_as_the_timeline_does(client, cast, arende):
    """The ärende page's latest events name the person (the timeline's "Vem"), not the
    account; an account without a name is shown by its user name."""
    cast.handlaggare.first_name, cast.handlaggare.last_name = "Henrik", "Ångström"
    cast.handlaggare.save()
    client.force_login(cast.revisor)
    sida = client.get(reverse("arenden:arende", args=[arende.pk])).content.decode()
    historik = sida.split('id="rubrik-historik"')[1]
    assert "Henrik Ångström:\n      Påbörja beredning" in historik
    assert f"{cast.stabschef.username}:\n      Tilldela" in historik
