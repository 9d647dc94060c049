"""Lists people can work with (issue 17, item 3): the worklists, the search hits, the
postlista and the granskningslogg sort by their columns and filter, with Swedish labels,
people by name and states by title; sorted in the database, so a page costs the same number
of queries however it is sorted; and never sorted by protected text (OSL 5 kap. 5 §)."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from arenden.handlaggning.services import tilldela
from tests import factories

pytestmark = pytest.mark.django_db

LAGRUM = "OSL 25 kap. 1 §"


@pytest.fixture
def cast():
    return factories.Cast()


def diarienummer_i(page: str) -> list[str]:
    return re.findall(r">(HSN \d+-\d{4})</a>", page)


def hamta(client, user, url, **params):
    client.force_login(user)
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def tre(cast):
    """Three ärenden of HSN, registered on three days, one assigned to a named handläggare."""
    cast.handlaggare.first_name, cast.handlaggare.last_name = "Henrik", "Lund"
    cast.handlaggare.save()
    a = cast.registrera("Alfa", registrerat=datetime.date(2025, 10, 14))
    b = cast.registrera("Beta", registrerat=datetime.date(2025, 10, 16))
    c = cast.registrera("Gamma", registrerat=datetime.date(2025, 10, 15))
    tilldela(c, handlaggare=cast.handlaggare, user=cast.stabschef)
    return a, b, c


def test_a_worklist_sorts_by_its_columns_and_shows_names_and_state_titles(client, cast, tre):
    a, b, c = tre
    url = reverse("arenden:arbetslista", args=["alla_arenden"])
    nummer = [str(x.diarienummer) for x in (a, b, c)]
    page = hamta(client, cast.revisor, url)
    assert diarienummer_i(page) == [nummer[1], nummer[2], nummer[0]]  # newest first
    assert "Henrik Lund" in page and cast.handlaggare.username not in page
    assert "Tilldelat" in page and ">tilldelat<" not in page
    assert "sortera=registrerat" in page, page[page.find("<thead") : page.find("</thead>")]
    page = hamta(client, cast.revisor, url, sortera="registrerat")
    assert diarienummer_i(page) == [nummer[0], nummer[2], nummer[1]]
    page = hamta(client, cast.revisor, url, sortera="-diarienummer")
    assert diarienummer_i(page) == [nummer[2], nummer[1], nummer[0]]
    # an unknown column sorts as the list always did; no 500
    assert diarienummer_i(hamta(client, cast.revisor, url, sortera="password")) == [
        nummer[1],
        nummer[2],
        nummer[0],
    ]


def test_a_worklist_filters_by_state_title_organ_and_dates(client, cast, tre):
    a, b, c = tre
    annan = factories.Cast("KFN").registrera("Kultur")
    url = reverse("arenden:arbetslista", args=["alla_arenden"])
    page = hamta(client, cast.revisor, url)
    assert '<option value="tilldelat">Tilldelat</option>' in page  # chosen by its title
    assert diarienummer_i(hamta(client, cast.revisor, url, status="tilldelat")) == [
        str(c.diarienummer)
    ]
    page = hamta(client, cast.revisor, url, organ=annan.organ_id)
    assert str(annan.diarienummer) in page and str(a.diarienummer) not in page
    page = hamta(client, cast.revisor, url, fran="2025-10-15", till="2025-10-15")
    assert diarienummer_i(page) == [str(c.diarienummer)]
    # a filter that is no filter: said in Swedish, the list unfiltered, no 500
    page = hamta(client, cast.revisor, url, status="finns_inte", fran="igår")
    assert "Välj ett giltigt alternativ" in page and "Fyll i ett giltigt datum" in page


def test_a_secret_arendemening_is_no_sort_key(client, cast):
    cast.registrera("Öppet ärende")
    cast.registrera("Aaa hemlig mening", sekretess_lagrum=LAGRUM)
    url = reverse("arenden:arbetslista", args=["alla_arenden"])
    page = hamta(client, cast.registrator, url, sortera="arendemening")
    assert "Aaa hemlig mening" not in page
    assert "sortera=arendemening" not in page and "sortera=-arendemening" not in page


def test_a_sorted_filtered_worklist_costs_the_same_with_many_rows(client, cast, tre):
    url = reverse("arenden:arbetslista", args=["alla_arenden"])
    params = {"sortera": "handlaggare", "status": "registrerat"}
    hamta(client, cast.revisor, url, **params)
    with CaptureQueriesContext(connection) as few:
        hamta(client, cast.revisor, url, **params)
    for i in range(12):
        cast.registrera(f"Ärende {i}")
    with CaptureQueriesContext(connection) as many:
        hamta(client, cast.revisor, url, **params)
    assert len(many) == len(few)


def test_the_granskningslogg_sorts_by_time_and_person_with_names_and_titles(client, cast, tre):
    a, b, c = tre
    cast.stabschef.first_name, cast.stabschef.last_name = "Stina", "Berg"
    cast.stabschef.save()
    tilldela(a, handlaggare=cast.handlaggare, user=cast.stabschef)
    url = reverse("arenden:auditlogg")
    page = hamta(client, cast.revisor, url)
    assert "sortera=tidpunkt" in page and "sortera=vem" in page
    assert "Stina Berg" in page and "Tilldelat" in page
    nyast_forst = diarienummer_i(page)
    assert nyast_forst[0] == str(a.diarienummer)  # the tilldelning came last
    aldst_forst = diarienummer_i(hamta(client, cast.revisor, url, sortera="tidpunkt"))
    assert aldst_forst == nyast_forst[::-1]
    # the existing filters still narrow it, and sorting keeps them
    page = hamta(client, cast.revisor, url, sortera="tidpunkt", diarienummer=str(a.diarienummer))
    assert set(diarienummer_i(page)) == {str(a.diarienummer)}


def test_the_granskningslogg_costs_the_same_sorted_by_person(client, cast, tre):
    url = reverse("arenden:auditlogg")
    hamta(client, cast.revisor, url, sortera="-vem")
    with CaptureQueriesContext(connection) as few:
        hamta(client, cast.revisor, url, sortera="-vem")
    for i in range(10):
        cast.registrera(f"Ärende {i}")
    with CaptureQueriesContext(connection) as many:
        hamta(client, cast.revisor, url, sortera="-vem")
    assert len(many) == len(few)


def test_the_search_hits_filter_by_organ_and_state_and_sort_by_date(client, cast, tre):
    a, b, c = tre
    annan = factories.Cast("KFN").registrera("Alfa i kulturen")
    url = reverse("arenden:sok")
    page = hamta(client, cast.revisor, url, fran="2025-01-01")
    assert set(diarienummer_i(page)) == {str(x.diarienummer) for x in (a, b, c)}
    assert "KFN" in page and "Tilldelat" in page
    page = hamta(client, cast.revisor, url, fran="2025-01-01", status="tilldelat")
    assert diarienummer_i(page) == [str(c.diarienummer)]
    page = hamta(client, cast.revisor, url, q="Alfa", organ=annan.organ_id)
    assert "Alfa i kulturen" in page and str(a.diarienummer) not in page
    page = hamta(client, cast.revisor, url, fran="2025-01-01", sortera="registrerat")
    assert diarienummer_i(page)[:3] == [str(x.diarienummer) for x in (a, c, b)]


def test_the_postlista_filters_by_organ_and_kind_and_sorts_by_day(client, cast, tre):
    a, b, c = tre
    annan = factories.Cast("KFN").registrera("Kultur", registrerat=datetime.date(2025, 10, 16))
    url = reverse("arenden:postlista")
    client.logout()
    page = client.get(url).content.decode()
    assert "Äldsta dagen först" in page and '<option value="inkommen">Inkomna handlingar' in page
    nyast = page.index(str(b.diarienummer)), page.index(str(a.diarienummer))
    assert nyast[0] < nyast[1]
    page = client.get(url, {"sortera": "datum"}).content.decode()
    assert page.index(str(a.diarienummer)) < page.index(str(b.diarienummer))
    page = client.get(url, {"organ": annan.organ_id}).content.decode()
    assert str(annan.diarienummer) in page and str(a.diarienummer) not in page
    page = client.get(url, {"vad": "inkommen"}).content.decode()
    assert str(a.diarienummer) not in page  # no handlingar yet: only new ärenden
    page = client.get(url, {"vad": "arende", "organ": "999999"}).content.decode()
    assert "Välj ett giltigt alternativ" in page


def test_mina_arenden_sorts_and_keeps_its_state_filter(client, cast, tre):
    a, b, c = tre
    tilldela(a, handlaggare=cast.handlaggare, user=cast.stabschef)
    tilldela(b, handlaggare=cast.handlaggare, user=cast.stabschef)
    url = reverse("arenden:mina_arenden")
    page = hamta(client, cast.handlaggare, url)
    assert diarienummer_i(page)[-3:] == [str(x.diarienummer) for x in (b, c, a)]
    assert "sortera=registrerat" in page
    page = hamta(client, cast.handlaggare, url, sortera="registrerat", status="tilldelat")
    assert diarienummer_i(page)[-3:] == [str(x.diarienummer) for x in (a, c, b)]
    assert 'name="sortera" value="registrerat"' in page


def test_a_sorted_worklist_longer_than_a_page_is_paged(client, cast, settings):
    from arenden.gemensamt.sidor import PER_SIDA

    for i in range(PER_SIDA + 1):
        cast.registrera(f"Ärende {i}", registrerat=datetime.date(2025, 10, 1 + i % 28))
    url = reverse("arenden:arbetslista", args=["alla_arenden"])
    forsta = hamta(client, cast.revisor, url, sortera="registrerat")
    andra = hamta(client, cast.revisor, url, sortera="registrerat", sida=2)
    assert len(diarienummer_i(forsta)) == PER_SIDA and len(diarienummer_i(andra)) == 1
    assert "sortera=registrerat" in andra  # the pages keep the sorting


def test_the_page_size_is_defined_once():
    """Every list pages by arenden.gemensamt.sidor.PER_SIDA: no module sets a size of its own
    (neither a PER_SIDA nor a number given to a Paginator)."""
    import ast
    from pathlib import Path

    rot = Path(__file__).resolve().parent.parent
    egna = []
    for fil in [*rot.joinpath("arenden").rglob("*.py"), *rot.joinpath("flows").rglob("*.py")]:
        if "migrations" in fil.parts or fil.name == "sidor.py":
            continue
        for nod in ast.walk(ast.parse(fil.read_text())):
            if isinstance(nod, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "PER_SIDA" for t in nod.targets
            ):
                egna.append(f"{fil.name}:{nod.lineno}")
            if (
                isinstance(nod, ast.Call)
                and getattr(nod.func, "id", "") in ("Paginator", "sida_av", "Sida")
                and any(isinstance(a, ast.Constant) for a in nod.args)
            ):
                egna.append(f"{fil.name}:{nod.lineno}")
    assert egna == []
