"""The nämnd's delegationsordning kept on a page (KL 6 kap. 37–38 §§): its nämndsekreterare,
who keeps its ledamotsregister, adds the rows the nämnd adopted and ends them by a date and
the nämnd's beslut. A row is never deleted or edited in place: a changed row is the old one
ended and a new one added, and the beslut that adopted the old one stays with it. A row that
does not say it is outside what KL 6 kap. 38 § forbids to delegate is refused. Others read
the page and get 403 for any change."""

import datetime

import pytest
from django.urls import reverse

from arenden.delegering.services import fatta_delegationsbeslut
from arenden.models import Delegationspunkt
from arenden.organisation import roles
from tests import factories

pytestmark = pytest.mark.django_db

URL = "/organ/HSN/delegationsordning/"


@pytest.fixture
def cast():
    return factories.Cast()


@pytest.fixture
def punkt(cast, delegat):
    return factories.delegationspunkt(
        organ=cast.organ,
        delegat=delegat.person,
    )


def _ny(delegat, **andrat):
    data = {
        "ny-nummer": "5.1",
        "ny-beslutsomrade": "Avtal om konsulttjänster upp till 100 000 kr",
        "ny-delegat": delegat.person.pk,
        "ny-lagrum": "LOU",
        "ny-giltig_fran": "2026-01-01",
        "ny-antagen_genom": "HSN 2025-12-10 § 101",
        "ny-ej_undantaget": "on",
    }
    data.update(andrat)
    return {k: v for k, v in data.items() if v is not None}


def _avsluta(punkt):
    return reverse("arenden:avsluta_delegationspunkt", args=[punkt.organ.kod, punkt.pk])


def test_the_namndsekreterare_adds_a_row_the_namnd_adopted(client, cast, delegat):
    client.force_login(cast.sekreterare)
    sida = client.get(URL).content.decode()
    assert "För in en punkt som nämnden antagit" in sida
    svar = client.post(URL, _ny(delegat))
    assert svar.status_code == 302
    rad = Delegationspunkt.objects.get()
    assert rad.organ == cast.organ and rad.delegat == delegat.person
    assert rad.antagen_genom == "HSN 2025-12-10 § 101" and rad.giltig_till is None
    assert rad.history.get().history_user == cast.sekreterare
    assert "Avtal om konsulttjänster" in client.get(URL).content.decode()


def test_a_row_without_the_kl_6_38_confirmation_is_refused_in_swedish(client, cast, delegat):
    client.force_login(cast.sekreterare)
    svar = client.post(URL, _ny(delegat, **{"ny-ej_undantaget": None}))
    assert svar.status_code == 200
    assert "kommunallagen 6 kap. 38 § inte får delegeras" in svar.content.decode()
    assert not Delegationspunkt.objects.exists()


@pytest.mark.parametrize(
    "andrat, text",
    [
        ({"ny-antagen_genom": "  "}, "Antagen genom"),
        ({"ny-delegat": None}, "Ange en delegat eller en befattning"),
        ({"ny-giltig_fran": "inte ett datum"}, "Gäller från"),
        ({"ny-delegat": "999999"}, "Delegat"),
    ],
)
def test_bad_input_is_a_swedish_error_and_adds_nothing(client, cast, delegat, andrat, text):
    client.force_login(cast.sekreterare)
    svar = client.post(URL, _ny(delegat, **andrat))
    assert svar.status_code == 200 and text in svar.content.decode()
    assert not Delegationspunkt.objects.exists()


def test_the_namndsekreterare_ends_a_row_and_it_is_kept(client, cast, punkt):
    client.force_login(cast.sekreterare)
    svar = client.post(_avsluta(punkt), {"datum": "2026-03-31", "genom": "HSN 2026-03-11 § 22"})
    assert svar.status_code == 302
    punkt.refresh_from_db()
    assert punkt.giltig_till == datetime.date(2026, 3, 31)
    assert punkt.upphavd_genom == "HSN 2026-03-11 § 22"
    assert punkt.antagen_genom == "HSN 2025-02-12 § 14"  # the adopting beslut stays
    forst, sist = punkt.history.order_by("history_date")
    assert forst.giltig_till is None and sist.history_user == cast.sekreterare
    sida = client.get(URL).content.decode()
    assert "2025-01-01–2026-03-31" in sida and "HSN 2026-03-11 § 22" in sida
    # ended once: not again
    client.post(_avsluta(punkt), {"datum": "2026-02-01", "genom": "HSN 2026-01-20 § 3"})
    punkt.refresh_from_db()
    assert punkt.giltig_till == datetime.date(2026, 3, 31)
    assert "slutar redan gälla 2026-03-31" in client.get(URL).content.decode()


@pytest.mark.parametrize(
    "data, text",
    [
        ({"datum": "2024-12-31", "genom": "HSN § 1"}, "innan den börjar"),
        ({"datum": "2026-03-31", "genom": " "}, "Upphävd genom: Det här fältet är obligatoriskt"),
        ({"datum": "inte ett datum", "genom": "HSN § 1"}, "giltigt datum"),
        ({}, "Gäller till och med: Det här fältet är obligatoriskt"),
    ],
)
def test_ending_with_bad_input_changes_nothing(client, cast, punkt, data, text):
    client.force_login(cast.sekreterare)
    svar = client.post(_avsluta(punkt), data, follow=True)
    assert svar.status_code == 200 and text in svar.content.decode()
    punkt.refresh_from_db()
    assert punkt.giltig_till is None and punkt.upphavd_genom == ""


def test_a_row_cannot_end_before_a_delegationsbeslut_taken_under_it(client, cast, punkt, delegat):
    arende = cast.berett("Remiss")
    fatta_delegationsbeslut(
        arende, user=delegat, punkt=punkt, datum=datetime.date(2025, 11, 12), text="Yttra"
    )
    client.force_login(cast.sekreterare)
    svar = client.post(
        _avsluta(punkt), {"datum": "2025-10-31", "genom": "HSN 2025-10-20 § 5"}, follow=True
    )
    assert "fattade efter 2025-10-31" in svar.content.decode()
    punkt.refresh_from_db()
    assert punkt.giltig_till is None


def test_a_changed_row_is_the_old_one_ended_and_a_new_one_added(client, cast, punkt, delegat):
    """The delegat's beslut keeps the row it was taken under; a later one goes under the new."""
    client.force_login(cast.sekreterare)
    client.post(_avsluta(punkt), {"datum": "2025-12-31", "genom": "HSN 2025-12-10 § 101"})
    client.post(URL, _ny(delegat, **{"ny-nummer": "3.2"}))
    gammal, ny = Delegationspunkt.objects.order_by("pk")
    assert (gammal.pk, gammal.giltig_till, gammal.antagen_genom) == (
        punkt.pk,
        datetime.date(2025, 12, 31),
        "HSN 2025-02-12 § 14",
    )
    assert ny.giltig_fran == datetime.date(2026, 1, 1) and ny.nummer == "3.2"


@pytest.mark.parametrize("vem", ["handlaggare", "stabschef", "registrator", "revisor", "annan"])
def test_others_read_but_get_403_for_any_change(client, cast, punkt, delegat, vem):
    if vem == "annan":
        annat = factories.organ("KS")
        user = factories.user("sekr-KS", organ_role=roles.NAMNDSEKRETERARE, on=annat)
    else:
        user = getattr(cast, vem)
    client.force_login(user)
    sida = client.get(URL)
    assert sida.status_code == 200 and "Yttranden i remisser" in sida.content.decode()
    assert "För in en punkt" not in sida.content.decode()
    assert client.post(URL, _ny(delegat)).status_code == 403
    svar = client.post(_avsluta(punkt), {"datum": "2026-03-31", "genom": "HSN § 1"})
    assert svar.status_code == 403
    assert Delegationspunkt.objects.count() == 1
    punkt.refresh_from_db()
    assert punkt.giltig_till is None


def test_a_row_of_another_namnd_cannot_be_ended_from_this_page(client, cast, delegat):
    annat = factories.organ("KS")
    rad = factories.delegationspunkt(
        organ=annat,
        nummer="1",
        beslutsomrade="Annat",
        delegat=delegat.person,
        antagen_genom="KS 2025-01-10 § 2",
    )
    client.force_login(cast.sekreterare)
    url = reverse("arenden:avsluta_delegationspunkt", args=["HSN", rad.pk])
    assert client.post(url, {"datum": "2026-03-31", "genom": "HSN § 1"}).status_code == 404
    assert client.get(_avsluta(rad)).status_code == 405


def test_the_page_reads_the_same_for_one_row_or_many(
    client, cast, punkt, delegat, django_assert_num_queries
):
    client.force_login(cast.sekreterare)
    client.get(URL)  # warm the session and role caches
    with django_assert_num_queries(10):  # the rows, the form's two lists of people, the menu
        client.get(URL)
    for n in range(5):
        factories.delegationspunkt(
            organ=cast.organ,
            nummer=f"4.{n}",
            beslutsomrade="Avtal",
            befattning="ekonomichef",
            ersattare=delegat.person,
        )
    with django_assert_num_queries(10):
        sida = client.get(URL).content.decode()
    assert sida.count("Sluta gälla</button>") == 6


def test_the_register_pages_link_to_it(client, cast):
    client.force_login(cast.sekreterare)
    sida = client.get(reverse("arenden:organ_ledamoter", args=[cast.organ.pk]))
    assert URL in sida.content.decode()


def test_the_row_for_bradskande_arenden_is_marked_and_only_for_a_ledamot(client, cast, delegat):
    """KL 6 kap. 39 §: the uppdrag in brådskande ärenden goes to the ordförande or another
    ledamot; to a tjänsteperson it is refused in Swedish and nothing is added. Given to a
    ledamot, the page marks the row, and its beslut will be ordförandebeslut."""
    client.force_login(cast.sekreterare)
    bradskande = {"ny-bradskande": "on", "ny-beslutsomrade": "Brådskande ärenden"}
    svar = client.post(URL, _ny(delegat, **bradskande))
    assert svar.status_code == 200
    assert "Dora Delegat är inte ledamot" in svar.content.decode()
    assert not Delegationspunkt.objects.exists()

    factories.ledamot(cast.organ, delegat.person)
    assert client.post(URL, _ny(delegat, **bradskande)).status_code == 302
    assert Delegationspunkt.objects.get().bradskande
    assert "ordförandebeslut (kommunallagen 6 kap. 39 §)" in client.get(URL).content.decode()
