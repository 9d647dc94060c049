"""Search: what it finds (ärendemening, offentlig rubrik, handlingar; Swedish stemming on
PostgreSQL), in which order, among what the user may see, how the capped count reads, and
that a page of hits costs the same number of queries however many hits there are."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from arenden.diarium import sokning
from arenden.diarium.services import arkivera_handling
from arenden.gemensamt import sidor
from arenden.gemensamt.sidor import Sida
from arenden.handlaggning.services import tilldela
from tests import factories

pytestmark = pytest.mark.django_db

DAG = datetime.date(2025, 10, 16)


@pytest.fixture
def cast():
    return factories.Cast()


def handling(arende, cast, titel):
    return arkivera_handling(
        arende, user=cast.registrator, typ="skrivelse", riktning="inkommen", titel=titel
    )


def traffar(user, q, **filter_):
    """All the hits, page by page (three a page), as the search page reads them."""
    qs = sokning.sok(user, q=q, **filter_)
    funna, nummer = [], 1
    while True:
        sida = Sida(qs, nummer, 3, rakna=True)
        funna += sida.object_list
        if not sida.has_next():
            return funna
        nummer += 1


def test_finds_words_in_the_arendemening_the_offentlig_rubrik_and_the_handlingar(cast):
    mening = cast.registrera("Utökad palliativ vård i Kiruna")
    rubrik = cast.registrera("Skrivelse från NN", offentlig_rubrik="Ambulanssjukvård i Gällivare")
    i_handling = cast.registrera("Remiss om kollektivtrafik")
    handling(i_handling, cast, "Yttrande om tolkförmedling i Umeå")
    cast.registrera("Motion om folkhälsa i Luleå")

    assert traffar(cast.revisor, "palliativ") == [mening]
    assert traffar(cast.revisor, "palliativ Kiruna") == [mening]
    assert traffar(cast.revisor, "ambulanssjukvård") == [rubrik]
    assert traffar(cast.revisor, "tolkförmedling Umeå") == [i_handling]
    assert traffar(cast.revisor, "Gällivare") == [rubrik]
    assert traffar(cast.revisor, "Pajala") == []


@pytest.mark.postgres
def test_words_are_matched_by_their_swedish_stem(cast):
    arende = cast.registrera("Nämndens beslut om vård")
    annat = cast.registrera("Remiss om kollektivtrafik")
    handling(annat, cast, "Yttranden över remisserna")
    assert traffar(cast.revisor, "vårdens") == [arende]
    assert traffar(cast.revisor, "nämnd besluten") == [arende]
    assert traffar(cast.revisor, "yttrande remiss") == [annat]


def test_hits_come_newest_first_then_by_id_each_once(cast):
    gamla = cast.registrera("Palliativ vård, äldst", registrerat=DAG - datetime.timedelta(days=9))
    forsta = cast.registrera("Palliativ vård, samma dag 1")
    andra = cast.registrera("Palliativ vård, samma dag 2")
    nyast = cast.registrera("Remiss", registrerat=DAG + datetime.timedelta(days=3))
    handling(nyast, cast, "Underlag om palliativ vård")
    handling(nyast, cast, "Mer om palliativ vård")  # two hits in one ärende: listed once
    handling(forsta, cast, "Palliativ vård, bilaga")  # a hit both in the ärende and a handling
    i_mitten = cast.registrera("Skrivelse", registrerat=DAG - datetime.timedelta(days=2))
    handling(i_mitten, cast, "Om palliativ vård")
    cast.registrera("Något annat")

    ordning = [nyast, andra, forsta, i_mitten, gamla]
    assert traffar(cast.revisor, "palliativ") == ordning
    sida = Sida(sokning.sok(cast.revisor, q="palliativ"), 2, 2, rakna=True)
    assert sida.object_list == ordning[2:4] and sida.has_next() and sida.antal == 5
    # registration dates narrow the hits
    assert traffar(cast.revisor, "palliativ", fran=DAG - datetime.timedelta(days=2), till=DAG) == [
        andra,
        forsta,
        i_mitten,
    ]


def test_the_count_stops_at_the_ceiling(cast, monkeypatch):
    monkeypatch.setattr(sidor, "TAK", 3)
    for i in range(3):
        cast.registrera(f"Palliativ vård {i}")
    bara_handling = cast.registrera("Remiss")
    handling(bara_handling, cast, "Palliativ vård")
    qs = sokning.sok(cast.revisor, q="palliativ")
    sida = Sida(qs, 1, 2, rakna=True)
    assert sida.antal == 4 and sida.fler_an_tak
    assert sida.object_list == traffar(cast.revisor, "palliativ")[:2]
    monkeypatch.setattr(sidor, "TAK", 4)
    sida = Sida(sokning.sok(cast.revisor, q="palliativ"), 1, 2, rakna=True)
    assert sida.antal == 4 and not sida.fler_an_tak


def test_only_what_the_user_may_see(cast):
    tilldelat = cast.registrera("Palliativ vård i Kiruna")
    tilldela(tilldelat, handlaggare=cast.handlaggare, user=cast.stabschef)
    annat = cast.registrera("Palliativ vård i Gällivare")
    handling(annat, cast, "Palliativ vård, bilaga")
    annat_organ = factories.Cast("KFN")
    utanfor = annat_organ.registrera("Palliativ vård i Luleå")

    assert traffar(cast.revisor, "palliativ") == [utanfor, annat, tilldelat]  # sees all
    assert set(traffar(cast.stabschef, "palliativ")) == {tilldelat, annat}  # the organ's
    assert traffar(cast.handlaggare, "palliativ") == [tilldelat]  # the assigned one
    assert traffar(factories.user("utomstaende"), "palliativ") == []
    sida = Sida(sokning.sok(cast.handlaggare, q="palliativ"), 1, 25, rakna=True)
    assert sida.antal == 1 and not sida.fler_an_tak


def test_diarienummer_and_dates_alone_still_search(cast):
    arende = cast.registrera("Palliativ vård")
    cast.registrera("Annat", registrerat=DAG - datetime.timedelta(days=30))
    assert traffar(cast.revisor, str(arende.diarienummer)) == [arende]
    assert traffar(cast.revisor, "", fran=DAG) == [arende]


def test_the_search_page_costs_the_same_with_30_hits_as_with_2(client, cast):
    for i in range(2):
        cast.registrera(f"Palliativ vård {i}")
    url = reverse("arenden:sok")
    client.force_login(cast.revisor)
    client.get(url, {"q": "palliativ"})  # warm the per-process caches
    with CaptureQueriesContext(connection) as few:
        page = client.get(url, {"q": "palliativ"}).content.decode()
    assert "2 träffar" in page
    for i in range(14):
        cast.registrera(f"Palliativ vård i Kiruna {i}")
        handling(cast.registrera(f"Remiss {i}"), cast, "Om palliativ vård")
    with CaptureQueriesContext(connection) as many:
        page = client.get(url, {"q": "palliativ"}).content.decode()
    assert "30 träffar" in page and "Palliativ vård i Kiruna 13" in page
    assert len(many) == len(few)


def test_a_diarienummer_is_found_by_any_part_of_it(cast):
    """ "787", "787-2025", "HSN787-2025", "hsn 787" and the delnummer form all find HSN
    787-2025; a bare number also finds the ärenden where it is a word."""
    hsn = cast.registrera("Handslag med Cancerfonden", diarienummer="HSN 787-2025")
    cast.registrera("Ett annat ärende", diarienummer="HSN 788-2025")
    aret_fore = cast.registrera("Samma löpnummer året före", diarienummer="HSN 787-2024")
    delnummer = cast.registrera("Ett samråd", diarienummer="HSN 418-2-2021")
    ordet = cast.registrera("Remiss om 787 vårdplatser")
    assert traffar(cast.revisor, "787-2025") == [hsn]
    assert traffar(cast.revisor, "HSN787-2025") == [hsn]
    assert traffar(cast.revisor, "hsn 787-2025") == [hsn]
    assert set(traffar(cast.revisor, "hsn 787")) == {hsn, aret_fore}
    assert set(traffar(cast.revisor, "787")) == {hsn, aret_fore, ordet}
    assert traffar(cast.revisor, "418-2-2021") == [delnummer]
    assert traffar(cast.revisor, "418-2021") == [delnummer]
    assert traffar(cast.revisor, "418-2020") == []  # the year of none of them
    assert traffar(cast.revisor, "Dnr 788") != []


def test_the_search_page_takes_a_diarienummer_written_without_a_space(client, cast):
    hsn = cast.registrera("Handslag med Cancerfonden", diarienummer="HSN 787-2025")
    client.force_login(cast.revisor)
    page = client.get(reverse("arenden:sok"), {"q": "HSN787-2025"}).content.decode()
    assert str(hsn.diarienummer) in page and 'role="alert"' not in page
    page = client.get(reverse("arenden:sok"), {"q": "HSN 78x-2025"}).content.decode()
    assert "inget giltigt diarienummer" in page
