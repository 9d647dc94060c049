"""Beslut outside a meeting: only by a delegat of a valid row of the nämnd's
delegationsordning (KL 6 kap. 37 §), and no beslut without a protokoll or a delegat."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from arenden.delegering.services import (
    anmal_till,
    anmalt_vid,
    att_besluta,
    fatta_delegationsbeslut,
)
from arenden.handlaggning.services import satt_sandlista, tilldela
from arenden.models import Beslut, Delegationspunkt
from arenden.sammantraden import protokoll
from tests import factories
from workflow.engine import TransitionNotAllowed, do_transition

pytestmark = pytest.mark.django_db

DAG = datetime.date(2025, 11, 12)


@pytest.fixture
def cast():
    return factories.Cast()


@pytest.fixture
def punkt(cast, delegat):
    return factories.delegationspunkt(
        organ=cast.organ,
        delegat=delegat.person,
        lagrum="KL 6 kap. 37 §",
        giltig_till=datetime.date(2025, 12, 31),
    )


@pytest.fixture
def beredd(cast):
    """Ready for a beslut, on no föredragningslista: the delegat may decide it."""
    arende = cast.registrera("Remiss om vårdval")
    tilldela(arende, handlaggare=cast.handlaggare, user=cast.stabschef)
    do_transition(arende, "paborja_beredning", cast.handlaggare)
    satt_sandlista(arende, ["Kommunförbundet"], user=cast.handlaggare)
    factories.forslag_till_beslut(arende, cast.handlaggare, sandlista=())
    do_transition(arende, "markera_beredd", cast.handlaggare)
    return arende


@pytest.fixture
def anmalt(beredd, cast):
    """On a meeting's föredragningslista: the nämnd decides it."""
    factories.anmal(beredd, cast.sekreterare)
    return beredd


@pytest.fixture
def pa_dagen(monkeypatch):
    """Today is DAG, a day the row is in force: the beslut is recorded while it is."""
    nu = datetime.datetime.combine(DAG, datetime.time(12), tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: nu)


def test_delegat_decides_and_the_arende_is_beslutat(pa_dagen, beredd, punkt, delegat):
    beslut = fatta_delegationsbeslut(beredd, user=delegat, punkt=punkt, datum=DAG, text="Yttra")
    beredd.refresh_from_db()
    assert beredd.state == "beslutat" and beredd.beslutat == DAG
    assert beslut.slag == Beslut.Slag.DELEGATIONSBESLUT and beslut.fattat_av == delegat
    assert beslut.lagrum == "KL 6 kap. 37 §" and beslut.delegationspunkt == punkt


def test_ersattare_may_decide(pa_dagen, beredd, punkt):
    ersattare = factories.user("ersattare-HSN")
    punkt.ersattare = factories.person("Erik Ersättare", anvandare=ersattare)
    punkt.save()
    fatta_delegationsbeslut(beredd, user=ersattare, punkt=punkt, datum=DAG, text="Yttra")
    beredd.refresh_from_db()
    assert beredd.state == "beslutat"


def test_a_delegat_whose_row_has_ended_cannot_date_a_beslut_back(beredd, punkt, delegat):
    """The row ended 2025-12-31: a beslut dated a day it was in force, recorded after it
    ended, is refused by the engine (KL 6 kap. 37 §), and nothing is kept."""
    assert not punkt.galler(timezone.localdate()) and punkt.galler(DAG)
    with pytest.raises(TransitionNotAllowed, match="giltig punkt i nämndens delegationsordning"):
        fatta_delegationsbeslut(beredd, user=delegat, punkt=punkt, datum=DAG, text="Yttra")
    assert not Beslut.objects.exists()
    beredd.refresh_from_db()
    assert beredd.state == "beredd"


def _vagras(arende, **kwargs):
    with pytest.raises(ValidationError) as fel:
        fatta_delegationsbeslut(arende, text="Yttra", **kwargs)
    assert not Beslut.objects.exists()
    arende.refresh_from_db()
    assert arende.state == "beredd" and arende.beslutat is None
    return " ".join(fel.value.messages)


def test_not_a_delegat_is_refused(beredd, punkt, cast):
    assert "inte delegat enligt punkt 3.2" in _vagras(
        beredd, user=cast.handlaggare, punkt=punkt, datum=DAG
    )
    assert "inte delegat" in _vagras(beredd, user=cast.sekreterare, punkt=punkt, datum=DAG)


def test_expired_row_is_refused(beredd, punkt, delegat):
    dag = datetime.date(2026, 1, 5)
    assert "inte delegat enligt punkt 3.2 den 2026-01-05" in _vagras(
        beredd, user=delegat, punkt=punkt, datum=dag
    )


def test_future_date_is_refused(beredd, punkt, delegat):
    punkt.giltig_till = None
    punkt.save()
    imorgon = datetime.date.today() + datetime.timedelta(days=2)
    assert "Beslutsdagen" in _vagras(beredd, user=delegat, punkt=punkt, datum=imorgon)


def test_row_of_another_namnd_is_refused(beredd, punkt, delegat):
    punkt.organ = factories.organ("KS")
    punkt.save()
    assert "annan nämnd" in _vagras(beredd, user=delegat, punkt=punkt, datum=DAG)


def test_the_meeting_path_still_records_with_its_sammantrade(anmalt, cast):
    beslut = factories.besluta(anmalt, cast.sekreterare, "Bifall", justera=False)
    anmalt.refresh_from_db()
    assert anmalt.state == "beslutat" and beslut.slag == Beslut.Slag.SAMMANTRADE
    assert beslut.sammantrade == anmalt.punkter.get().sammantrade


def test_a_beslut_without_paragraf_or_decision_maker_does_not_make_it_beslutat(anmalt, cast):
    Beslut.objects.create(arende=anmalt, organ=cast.organ, datum=DAG, text="Fritt")
    with pytest.raises(TransitionNotAllowed):
        do_transition(anmalt, "besluta", cast.sekreterare)
    anmalt.refresh_from_db()
    assert anmalt.state == "anmalt"


def test_delegat_cannot_record_the_beslut_of_the_meeting(anmalt, cast, delegat):
    punkt = anmalt.punkter.get()
    protokoll.kalla(punkt.sammantrade, user=cast.sekreterare)
    with pytest.raises(PermissionDenied, match="Du får inte ändra"):
        protokoll.besluta(punkt, user=delegat, utfall="bifall", beslut="Bifall")
    with pytest.raises(TransitionNotAllowed):
        do_transition(anmalt, "besluta", delegat)
    assert not Beslut.objects.exists()


def test_a_row_must_confirm_it_is_not_a_matter_kl_6_38_forbids(cast, punkt):
    punkt.pk = None
    punkt.ej_undantaget = False
    with pytest.raises(IntegrityError), transaction.atomic():
        punkt.save()


# -- over HTTP ---------------------------------------------------------------------------


def test_delegat_decides_over_http(client, beredd, punkt, delegat, cast):
    punkt.giltig_till = None  # the page offers the rows valid today
    punkt.save()
    client.force_login(delegat)
    # the delegat reads the ärende (the role Delegat from the row) and its page offers the
    # delegated step, whose form is the delegationsbeslut; not the meeting's beslut page
    sida = client.get(f"/arende/{beredd.pk}/").content.decode()
    assert f"/arende/{beredd.pk}/delegationsbeslut/" in sida
    assert f'href="/arende/{beredd.pk}/beslut/"' not in sida
    formular = client.get(f"/arende/{beredd.pk}/delegationsbeslut/")
    assert "Fatta delegationsbeslut" in formular.content.decode()
    svar = client.post(
        f"/arende/{beredd.pk}/delegationsbeslut/",
        factories.fran_arendesidan(
            beredd, {"punkt": punkt.pk, "datum": "2025-11-12", "text": "Nämnden yttrar sig."}
        ),
    )
    assert svar.status_code == 302
    beredd.refresh_from_db()
    assert beredd.state == "beslutat"
    assert Beslut.objects.get().fattat_av == delegat
    client.force_login(cast.sekreterare)
    sida = client.get(f"/arende/{beredd.pk}/").content.decode()
    assert "Delegationsbeslut enligt delegationsordningen punkt 3.2" in sida
    assert "Ännu inte anmält till nämnden" in sida


def test_future_date_over_http_is_a_swedish_error(client, beredd, punkt, delegat):
    punkt.giltig_till = None
    punkt.save()
    client.force_login(delegat)
    imorgon = datetime.date.today() + datetime.timedelta(days=3)
    svar = client.post(
        f"/arende/{beredd.pk}/delegationsbeslut/",
        factories.fran_arendesidan(
            beredd, {"punkt": punkt.pk, "datum": f"{imorgon:%Y-%m-%d}", "text": "Ja"}
        ),
    )
    assert svar.status_code == 200 and "Beslutsdagen" in svar.content.decode()
    assert not Beslut.objects.exists()


def test_who_is_not_a_delegat_gets_403(client, beredd, punkt, cast):
    client.force_login(cast.handlaggare)
    svar = client.post(
        f"/arende/{beredd.pk}/delegationsbeslut/",
        {"punkt": punkt.pk, "datum": "2025-11-12", "text": "Ja"},
    )
    assert svar.status_code == 403
    assert not Beslut.objects.exists()


def test_delegationsordning_page_lists_rows_and_kl_6_38(
    client, cast, punkt, delegat, django_assert_num_queries
):
    for n in range(5):
        factories.delegationspunkt(
            organ=cast.organ,
            nummer=f"4.{n}",
            beslutsomrade="Avtal",
            befattning="ekonomichef",
            ersattare=delegat.person,
        )
    client.force_login(cast.handlaggare)
    client.get("/organ/HSN/delegationsordning/")  # warm the session and role caches
    # the same for 1 row or 6 (one asks whether the user keeps the register, one the menu)
    with django_assert_num_queries(8):
        svar = client.get("/organ/HSN/delegationsordning/")
    text = svar.content.decode()
    assert "principiell beskaffenhet" in text and "Dora Delegat" in text
    assert "HSN 2025-02-12 § 14" in text and text.count("ekonomichef") == 5
    assert client.get("/organ/FINNS-EJ/delegationsordning/").status_code == 404


# -- anmälan at the nämnd's next meeting (KL 6 kap. 40 §) -----------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_a_standing_item_is_never_added_by_hand_so_nothing_misses_its_anmalan(media):
    """An item of the type *anmälan av delegationsbeslut* added by hand held nothing, and
    the system then added none when the kallelse went out: the delegationsbeslut were never
    anmälda (KL 6 kap. 40 §); the same for motioner (KL 5 kap. 35 §). The page does not offer
    the types, and the service refuses them, whoever calls it."""
    from django.test import Client

    from arenden.models import Punkt
    from tests.test_sammantraden import Mote

    mote = Mote()
    cast = mote.cast
    delegat = factories.user("delegat-hand")
    rad = factories.delegationspunkt(
        organ=cast.organ,
        nummer="1.1",
        beslutsomrade="Remissyttranden",
        delegat=factories.person("Dan Delegat", anvandare=delegat),
    )
    beslut = fatta_delegationsbeslut(
        mote.berett_arende("Remiss A"), user=delegat, punkt=rad, datum=DAG, text="Yttra"
    )
    for typ in (Punkt.Typ.ANMALAN_DELEGATIONSBESLUT, Punkt.Typ.ANMALAN_MOTIONER):
        with pytest.raises(ValidationError, match="läggs till av systemet"):
            protokoll.lagg_till_punkt(
                mote.sammantrade, user=cast.sekreterare, typ=typ, rubrik="Anmälan"
            )
    client = Client()
    client.force_login(cast.sekreterare)
    sida = client.get(f"/sammantrade/{mote.sammantrade.pk}/").content.decode()
    assert "annan punkt" in sida and "anmälan av delegationsbeslut" not in sida
    assert not mote.sammantrade.punkter.exists()
    mote.punkt(mote.berett_arende("Ett ärende för nämnden"))
    mote.kalla()
    [anmalan] = mote.sammantrade.punkter.filter(typ=Punkt.Typ.ANMALAN_DELEGATIONSBESLUT)
    assert [b.pk for b in anmalan.anmalda_beslut.all()] == [beslut.pk]


def test_delegationsbeslut_are_anmalda_once_at_the_next_meeting(media):
    from tests.test_sammantraden import Mote

    mote = Mote()
    cast = mote.cast
    delegat = factories.user("delegat-mote")
    rad = factories.delegationspunkt(
        organ=cast.organ,
        nummer="1.1",
        beslutsomrade="Remissyttranden",
        delegat=factories.person("Dan Delegat", anvandare=delegat),
    )
    beslutade = []
    for rubrik in ("Remiss A", "Remiss B"):
        arende = mote.berett_arende(rubrik)
        beslutade.append(
            fatta_delegationsbeslut(arende, user=delegat, punkt=rad, datum=DAG, text="Yttra")
        )
    arende = mote.berett_arende("Ett ärende för nämnden")
    punkt = mote.punkt(arende)
    mote.kalla()
    [anmalan] = mote.sammantrade.punkter.filter(typ="anmalan_delegationsbeslut")
    assert anmalan.rubrik == "Anmälan av delegationsbeslut"
    assert {b.pk for b in anmalan.anmalda_beslut.all()} == {b.pk for b in beslutade}
    assert anmalt_vid(beslutade[0]) is None  # listed, not yet anmält: not justerat

    # made again (a second kallelse, or the next meeting), nothing is listed twice
    assert anmal_till(mote.sammantrade, user=cast.sekreterare) is None
    mote.besluta(punkt)
    mote.besluta(anmalan, utfall="information", beslut="Anmälan läggs till handlingarna.")
    mote.uppratta()
    mote.justera_alla(timezone.make_aware(datetime.datetime(2025, 11, 20, 10, 0)))
    for beslut in beslutade:
        beslut.refresh_from_db()
        vid = anmalt_vid(beslut)
        assert vid.sammantrade == mote.sammantrade and vid.paragraf is not None


def _bradskande_rad():
    """A meeting of HSN whose ordförande holds a seat as ledamot, and the row of HSN's
    delegationsordning that gives the ordförande the brådskande ärenden (KL 6 kap. 39 §)."""
    from arenden.delegering.services import lagg_till_delegationspunkt
    from tests.test_sammantraden import Mote

    mote = Mote()
    cast = mote.cast
    plats = factories.ledamot(cast.organ, mote.ordforande_user.person)
    rad = lagg_till_delegationspunkt(
        cast.organ,
        user=cast.sekreterare,
        nummer="1.1",
        beslutsomrade="Brådskande ärenden",
        delegat=mote.ordforande_user.person,
        giltig_fran=datetime.date(2025, 1, 1),
        antagen_genom="HSN 2025-02-12 § 13",
        ej_undantaget=True,
        bradskande=True,
    )
    return mote, plats, rad


def test_ordforandebeslut_only_by_who_the_namnd_named_and_anmalt_like_a_delegationsbeslut(media):
    """KL 6 kap. 39 §: the nämnd gives its ordförande the uppdrag to decide brådskande ärenden
    (a row of its delegationsordning); the justerare, who sat beside him, may not. The beslut is
    an ordförandebeslut and is anmält at the next meeting (KL 6 kap. 40 §)."""
    from tests.test_sammantraden import Mote

    mote, _plats, rad = _bradskande_rad()
    cast = mote.cast
    ordforande = mote.ordforande_user
    arende = mote.berett_arende("Brådskande yttrande")
    with pytest.raises(ValidationError, match="inte delegat enligt punkt 1.1"):
        fatta_delegationsbeslut(
            arende, user=mote.justerare_user, punkt=rad, datum=DAG, text="Yttra"
        )
    assert not Beslut.objects.exists()
    beslut = fatta_delegationsbeslut(arende, user=ordforande, punkt=rad, datum=DAG, text="Yttra")
    arende.refresh_from_db()
    assert arende.state == "beslutat" and beslut.slag == Beslut.Slag.ORDFORANDEBESLUT
    nasta = Mote(cast, datum=datetime.date(2025, 12, 10))
    nasta.punkt(nasta.berett_arende("Nästa"))
    nasta.kalla()
    beslut.refresh_from_db()
    assert beslut.anmalt_punkt.sammantrade == nasta.sammantrade


def test_the_admin_shows_the_delegationsordning_and_changes_none_of_it(client, punkt):
    """The administration reads the nämnd's delegationsordning in the admin; the
    nämndsekreterare keeps it on the organ's page, where each row is checked and ended under
    its lock. An edit in the admin would pass by that: adding, changing and deleting are
    refused, and a POST changes nothing."""
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("systemforvaltare", password="x")
    client.force_login(admin)
    lista = client.get("/admin/arenden/delegationspunkt/")
    assert lista.status_code == 200
    assert "Yttranden i remisser av mindre vikt" in lista.content.decode()
    andra = f"/admin/arenden/delegationspunkt/{punkt.pk}/change/"
    sida = client.get(andra)
    assert sida.status_code == 200 and "antagen_genom" in sida.content.decode()
    assert 'name="_save"' not in sida.content.decode()
    fore = Delegationspunkt.objects.values().get(pk=punkt.pk)
    svar = client.post(andra, {"nummer": "9.9", "giltig_till": ""})
    assert svar.status_code == 403
    assert Delegationspunkt.objects.values().get(pk=punkt.pk) == fore
    assert client.get("/admin/arenden/delegationspunkt/add/").status_code == 403
    assert client.get(f"/admin/arenden/delegationspunkt/{punkt.pk}/delete/").status_code == 403


def test_an_ordforandebeslut_needs_a_seat_as_ledamot_on_the_day_of_the_beslut(media, monkeypatch):
    """KL 6 kap. 39 §: the seat was checked on the day the row began, never again; an
    ordförande whose seat had ended still took ordförandebeslut under it. Nor is one dated
    back to a day the seat was held once it has ended: it is recorded while it is held."""
    from arenden.sammantraden import protokoll

    mote, plats, rad = _bradskande_rad()
    cast = mote.cast
    ordforande = mote.ordforande_user
    protokoll.andra_uppdrag(
        plats, user=cast.sekreterare, till=datetime.date(2025, 6, 30), version=plats.version
    )
    # registered before the seat ended: the beslut dated back is refused for the seat alone
    arende = mote.berett_arende("Brådskande yttrande", registrerat=datetime.date(2025, 6, 2))
    with pytest.raises(ValidationError, match="inte ledamot i Hälso- och sjukvårdsnämnden"):
        fatta_delegationsbeslut(arende, user=ordforande, punkt=rad, datum=DAG, text="Yttra")
    arende.refresh_from_db()
    assert arende.state == "beredd" and not Beslut.objects.exists()
    sista = datetime.date(2025, 6, 30)
    with pytest.raises(TransitionNotAllowed, match="giltig punkt"):
        fatta_delegationsbeslut(arende, user=ordforande, punkt=rad, datum=sista, text="Yttra")
    # a beslut taken and recorded while the seat is held stands
    nu = datetime.datetime.combine(sista, datetime.time(12), tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: nu)
    beslut = fatta_delegationsbeslut(arende, user=ordforande, punkt=rad, datum=sista, text="Yttra")
    assert beslut.slag == Beslut.Slag.ORDFORANDEBESLUT


def test_a_matter_on_a_foredragningslista_is_not_decided_on_delegation_beside_it(
    media, cast, delegat
):
    """A delegat decided an ärende that stood on the nämnd's föredragningslista: it became
    beslutat, and the item could then take no beslut, so the protokoll could never be drawn
    up. The item is struck first, or the nämnd decides."""
    from arenden.sammantraden import protokoll
    from tests.test_sammantraden import Mote

    mote = Mote(cast)
    rad = factories.delegationspunkt(organ=cast.organ, delegat=delegat.person)
    arende = mote.berett_arende("Remiss om vårdval")
    pa_listan = mote.punkt(arende)
    assert arende not in att_besluta(delegat)  # not offered to the delegat either
    with pytest.raises(ValidationError, match="står det på en föredragningslista"):
        fatta_delegationsbeslut(arende, user=delegat, punkt=rad, datum=DAG, text="Yttra")
    with pytest.raises(TransitionNotAllowed):  # nor the step, whoever asks the engine
        do_transition(arende, "besluta_pa_delegation", delegat)
    arende.refresh_from_db()
    assert arende.state == "anmalt" and not Beslut.objects.exists()
    protokoll.stryk_punkt(pa_listan, user=cast.sekreterare, motivering="Avgörs på delegation")
    assert arende in att_besluta(delegat)
    fatta_delegationsbeslut(arende, user=delegat, punkt=rad, datum=DAG, text="Yttra")
    arende.refresh_from_db()
    assert arende.state == "beslutat"
