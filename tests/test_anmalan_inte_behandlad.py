"""An anmälan the meeting did not handle anmäler nothing. The kallelse lists the nämnd's
delegationsbeslut (KL 6 kap. 40 §) and fullmäktige's motioner not berett within their year
(KL 5 kap. 35 §) under a standing item, and each was then shown as *anmält* at that item once
the protokoll was justerat, whatever the meeting did with it: an anmälan bordlagd there was
shown as made, with its §, and the next kallelse left it out, so it was never made. Now an
item bordlagd, återremitterat or not handled for want of a quorum unties what it listed, as a
meeting inställd does, and the next meeting's kallelse lists it again."""

import datetime
import zoneinfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from arenden.delegering.services import anmalt_vid, fatta_delegationsbeslut
from arenden.granskning import speglingar
from arenden.models import Beslut, Motion, Organ, Punkt
from arenden.motion import services as motion_services
from tests import factories
from tests.test_sammantraden import Mote

pytestmark = pytest.mark.django_db

STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")
DAG = datetime.date(2025, 11, 12)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _justera(mote):
    mote.uppratta()
    mote.justera_alla(timezone.make_aware(datetime.datetime(2025, 11, 20, 10, 0)))


@pytest.mark.parametrize("utfall", [Punkt.Utfall.BORDLAGGNING, Punkt.Utfall.ATERREMISS])
def test_a_delegationsbeslut_whose_anmalan_was_put_off_is_anmalt_at_the_next_meeting(utfall):
    mote = Mote()
    cast = mote.cast
    delegat = factories.user("delegat-anmalan")
    rad = factories.delegationspunkt(
        organ=cast.organ,
        nummer="1.1",
        beslutsomrade="Remissyttranden",
        delegat=factories.person("Dan Delegat", anvandare=delegat),
    )
    arende = mote.berett_arende("Remiss A")
    beslut = fatta_delegationsbeslut(arende, user=delegat, punkt=rad, datum=DAG, text="Yttra")
    punkt = mote.punkt(mote.berett_arende("Ett ärende för nämnden"))
    mote.kalla()
    [anmalan] = mote.sammantrade.punkter.filter(typ=Punkt.Typ.ANMALAN_DELEGATIONSBESLUT)
    mote.besluta(punkt)
    mote.besluta(anmalan, utfall=utfall, beslut="", motivering="Nämnden vill ha en genomgång.")
    _justera(mote)

    beslut.refresh_from_db()
    assert anmalt_vid(beslut) is None
    assert beslut.anmalt_punkt is None
    client = Client()
    client.force_login(cast.registrator)
    sida = client.get(reverse("arenden:arende", args=[arende.pk])).content.decode()
    assert "Ännu inte anmält till nämnden." in sida
    assert "Anmält till" not in sida

    nasta = Mote(cast, datum=datetime.date(2025, 12, 10))
    nasta.punkt(nasta.berett_arende("Nästa ärende"))
    nasta.kalla()
    [ny] = nasta.sammantrade.punkter.filter(typ=Punkt.Typ.ANMALAN_DELEGATIONSBESLUT)
    assert [b.pk for b in ny.anmalda_beslut.all()] == [beslut.pk]


def test_an_anmalan_not_handled_for_want_of_a_quorum_anmaler_nothing():
    """KL 6 kap. 27 §: no ledamot took part in the anmälan (the organ keeps no register, so
    one serving would do); it is noted as not handled, and its delegationsbeslut wait for the
    next meeting."""
    from arenden.sammantraden import protokoll

    mote = Mote()
    cast = mote.cast
    delegat = factories.user("delegat-kvorum")
    rad = factories.delegationspunkt(
        organ=cast.organ,
        nummer="1.1",
        beslutsomrade="Remissyttranden",
        delegat=factories.person("Dan Delegat", anvandare=delegat),
    )
    beslut = fatta_delegationsbeslut(
        mote.berett_arende("Remiss A"), user=delegat, punkt=rad, datum=DAG, text="Yttra"
    )
    punkt = mote.punkt(mote.berett_arende("Ett ärende"))
    mote.kalla()
    [anmalan] = mote.sammantrade.punkter.filter(typ=Punkt.Typ.ANMALAN_DELEGATIONSBESLUT)
    mote.besluta(punkt)
    for deltagare in mote.sammantrade.deltagare.all():
        protokoll.andra_narvaro(deltagare, user=cast.sekreterare, franvarande_pa=[anmalan])
    mote.besluta(anmalan, utfall=Punkt.Utfall.EJ_BESLUTFORT, beslut="")
    _justera(mote)
    beslut.refresh_from_db()
    assert anmalt_vid(beslut) is None and beslut.anmalt_punkt is None


def test_a_handled_anmalan_still_anmaler_its_delegationsbeslut():
    mote = Mote()
    cast = mote.cast
    delegat = factories.user("delegat-handled")
    rad = factories.delegationspunkt(
        organ=cast.organ,
        nummer="1.1",
        beslutsomrade="Remissyttranden",
        delegat=factories.person("Dan Delegat", anvandare=delegat),
    )
    beslut = fatta_delegationsbeslut(
        mote.berett_arende("Remiss A"), user=delegat, punkt=rad, datum=DAG, text="Yttra"
    )
    mote.punkt(mote.berett_arende("Ett ärende"))
    mote.kalla()
    [anmalan] = mote.sammantrade.punkter.filter(typ=Punkt.Typ.ANMALAN_DELEGATIONSBESLUT)
    for punkt in mote.sammantrade.punkter.exclude(pk=anmalan.pk):
        mote.besluta(punkt)
    mote.besluta(anmalan, utfall="information", beslut="Anmälan läggs till handlingarna.")
    _justera(mote)
    beslut.refresh_from_db()
    assert anmalt_vid(beslut) == anmalan
    assert Beslut.objects.filter(anmalt_punkt=anmalan).count() == 1


def test_a_motion_whose_anmalan_was_bordlagd_is_not_shown_as_anmald(monkeypatch):
    tid = datetime.datetime.combine(datetime.date(2025, 11, 3), datetime.time(12), STOCKHOLM)
    monkeypatch.setattr(timezone, "now", lambda: tid)
    factories.organ("KF", "Kommunfullmäktige", typ=Organ.Typ.FULLMAKTIGE)
    cast = factories.Cast("KF")
    arende = motion_services.registrera(
        user=cast.registrator,
        organ=cast.organ,
        arendemening="Motion om skolskjuts",
        typ="motion",
        fullmaktige=cast.organ,
        vackt=datetime.date(2024, 12, 1),
        registrerat=datetime.date(2024, 12, 1),
        namn="Anna Motionär",
    )
    mote = Mote(cast, datum=DAG)
    punkt = mote.punkt(mote.berett_arende("Budget 2026"))
    mote.kalla()
    [anmalan] = mote.sammantrade.punkter.filter(typ=Punkt.Typ.ANMALAN_MOTIONER)
    tid = datetime.datetime.combine(DAG, datetime.time(13), STOCKHOLM)
    monkeypatch.setattr(timezone, "now", lambda: tid)
    mote.besluta(punkt)
    mote.besluta(
        anmalan, utfall=Punkt.Utfall.BORDLAGGNING, beslut="", motivering="Tiden räckte inte."
    )
    tid = datetime.datetime.combine(datetime.date(2025, 11, 21), datetime.time(12), STOCKHOLM)
    monkeypatch.setattr(timezone, "now", lambda: tid)
    _justera(mote)

    listad = Motion.objects.get(arende=arende)
    assert motion_services.anmalt_vid(listad) is None
    assert listad.anmald_punkt is None
    # the item still names what its text lists, for its secrecy (OSL 5 kap. 5 §)
    anmalan.refresh_from_db()
    assert [m.pk for m in anmalan.namnda_motioner()] == [listad.pk]
    assert anmalan.strukna_motioner_diarienummer == str(arende.diarienummer)
    assert speglingar.avvikelser() == []
    client = Client()
    client.force_login(cast.registrator)
    sida = client.get(reverse("arenden:arende", args=[arende.pk])).content.decode()
    assert "Anmält till" not in sida
    # the next kallelse of fullmäktige lists it again
    nasta = Mote(cast, datum=datetime.date(2025, 12, 10))
    assert [m.pk for m in motion_services.att_anmala(nasta.sammantrade)] == [listad.pk]


def test_a_beslut_tied_to_an_anmalan_put_off_before_the_fix_is_mended_by_the_command():
    """Recorded before the meeting untied them: listed, then untied by the command, and the
    next kallelse lists the beslut again."""
    import io

    from django.core.management import call_command

    mote = Mote()
    cast = mote.cast
    delegat = factories.user("delegat-kommando")
    rad = factories.delegationspunkt(
        organ=cast.organ,
        nummer="1.1",
        beslutsomrade="Remissyttranden",
        delegat=factories.person("Dan Delegat", anvandare=delegat),
    )
    beslut = fatta_delegationsbeslut(
        mote.berett_arende("Remiss A"), user=delegat, punkt=rad, datum=DAG, text="Yttra"
    )
    mote.punkt(mote.berett_arende("Ett ärende"))
    mote.kalla()
    [anmalan] = mote.sammantrade.punkter.filter(typ=Punkt.Typ.ANMALAN_DELEGATIONSBESLUT)
    # as it was recorded before: the item bordlagd, the beslut still tied to it
    Punkt.objects.filter(pk=anmalan.pk).update(utfall=Punkt.Utfall.BORDLAGGNING)
    ut = io.StringIO()
    call_command("ej_behandlade_anmalningar", stdout=ut)
    assert "1 anmälningspunkter som inte behandlades." in ut.getvalue()
    beslut.refresh_from_db()
    assert beslut.anmalt_punkt_id == anmalan.pk  # listing changes nothing

    call_command(
        "ej_behandlade_anmalningar", "--lossa", "--som", cast.sekreterare.username, stdout=ut
    )
    assert "1 delegationsbeslut, 0 motioner" in ut.getvalue()
    beslut.refresh_from_db()
    assert beslut.anmalt_punkt is None
    assert beslut.history.first().history_user == cast.sekreterare
    ut = io.StringIO()
    call_command("ej_behandlade_anmalningar", stdout=ut)
    assert "0 anmälningspunkter" in ut.getvalue()
