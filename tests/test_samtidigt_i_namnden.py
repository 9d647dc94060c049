"""Two of a nämnd's records written at the same moment, proven on PostgreSQL with the first
held open until the second is seen waiting for it:

- two meetings kallade at once: a delegationsbeslut (KL 6 kap. 40 §) or a motion that cannot
  be berett within its year (KL 5 kap. 35 §) is anmält at one of them, never listed by both;
- two rows of one number added to the delegationsordning at once: one is added, the other
  refused (a delegationsbeslut cites its row by number)."""

import datetime
import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from arenden.delegering.services import fatta_delegationsbeslut, lagg_till_delegationspunkt
from arenden.models import Beslut, Delegationspunkt, Motion, Organ, Punkt, Sammantrade
from arenden.motion import services as motioner
from arenden.sammantraden import protokoll
from tests import factories
from tests.test_sammantraden import Mote

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _vantar_pa_las() -> bool:
    """Whether a session comes to wait for a row lock within ten seconds (also asked inside
    a transaction, whose view of the statistics is fixed until cleared)."""
    with connection.cursor() as cursor:
        for _ in range(200):
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
            if cursor.fetchone()[0]:
                return True
            time.sleep(0.05)
    return False


def samtidigt(forsta, andra) -> list[Exception]:
    """``forsta()`` runs and is held uncommitted while ``andra()`` runs; then it commits.
    What each raised."""
    halls, slapp, fel = threading.Event(), threading.Event(), []

    def kor(gora, hall):
        try:
            with transaction.atomic():
                gora()
                if hall:
                    halls.set()
                    slapp.wait(20)
        except Exception as error:  # noqa: BLE001 - returned
            fel.append(error)
        finally:
            halls.set()
            connection.close()

    trad = [threading.Thread(target=kor, args=(forsta, True))]
    trad[0].start()
    assert halls.wait(20)
    trad.append(threading.Thread(target=kor, args=(andra, False)))
    trad[1].start()
    assert _vantar_pa_las()  # the second waits at the rows (without the locks it never does)
    slapp.set()
    for t in trad:
        t.join(30)
    return fel


def kalla_samtidigt(forsta: Mote, andra: Mote) -> None:
    def kalla(mote):
        return lambda: protokoll.kalla(
            Sammantrade.objects.get(pk=mote.sammantrade.pk), user=mote.cast.sekreterare
        )

    assert samtidigt(kalla(forsta), kalla(andra)) == []


def test_a_delegationsbeslut_is_listed_by_one_of_two_meetings_kallade_at_once():
    forsta = Mote()
    cast = forsta.cast
    andra = Mote(cast, datum=datetime.date(2025, 11, 26))
    delegat = factories.user("delegat-samtidig")
    rad = factories.delegationspunkt(
        organ=cast.organ, delegat=factories.person("Dan Delegat", anvandare=delegat)
    )
    arende = forsta.berett_arende("Remiss A")
    fatta_delegationsbeslut(
        arende, user=delegat, punkt=rad, datum=datetime.date(2025, 11, 3), text="Yttra"
    )
    for mote in (forsta, andra):
        mote.punkt(mote.berett_arende(f"Ärende {mote.sammantrade.datum}"))

    kalla_samtidigt(forsta, andra)

    beslut = Beslut.objects.get(arende=arende)
    assert beslut.anmalt_punkt.sammantrade_id == forsta.sammantrade.pk
    typ = Punkt.Typ.ANMALAN_DELEGATIONSBESLUT
    assert not andra.sammantrade.punkter.filter(typ=typ).exists()
    assert Sammantrade.objects.get(pk=andra.sammantrade.pk).state == "kallat"


def test_a_motion_is_listed_by_one_of_two_meetings_kallade_at_once(monkeypatch):
    idag = datetime.datetime(2025, 11, 3, 12, tzinfo=datetime.UTC)
    monkeypatch.setattr("django.utils.timezone.now", lambda: idag)
    factories.organ("KF", "Kommunfullmäktige", typ=Organ.Typ.FULLMAKTIGE)
    cast = factories.Cast("KF")
    sent = motioner.registrera(
        user=cast.registrator,
        organ=cast.organ,
        arendemening="Motion om skolskjuts",
        typ="motion",
        fullmaktige=cast.organ,
        vackt=datetime.date(2024, 12, 1),  # its year ends 2025-12-01
        registrerat=datetime.date(2024, 12, 1),
        namn="Anna Motionär",
    )
    # the motion's year ends between the two meetings: both would have to list it
    forsta = Mote(cast, datum=datetime.date(2025, 11, 26))
    andra = Mote(cast, datum=datetime.date(2025, 12, 10))
    for mote in (forsta, andra):
        mote.punkt(mote.berett_arende(f"Ärende {mote.sammantrade.datum}"))

    kalla_samtidigt(forsta, andra)

    motion = Motion.objects.get(arende=sent)
    assert motion.anmald_punkt.sammantrade_id == forsta.sammantrade.pk
    assert not andra.sammantrade.punkter.filter(typ=Punkt.Typ.ANMALAN_MOTIONER).exists()


def test_one_number_added_twice_at_once_is_one_row_of_the_delegationsordning():
    cast = factories.Cast()
    dora = factories.person("Dora Delegat", anvandare=factories.user("delegat-HSN"))

    def lagg_till(befattning):
        return lambda: lagg_till_delegationspunkt(
            cast.organ,
            user=cast.sekreterare,
            nummer="5.1",
            beslutsomrade="Avtal om konsulttjänster",
            delegat=dora,
            befattning=befattning,
            giltig_fran=datetime.date(2025, 1, 1),
            antagen_genom="HSN 2024-12-10 § 101",
            ej_undantaget=True,
        )

    [fel] = samtidigt(lagg_till("enhetschef"), lagg_till("förvaltningschef"))
    assert isinstance(fel, ValidationError) and fel.code == "nummer_upptaget"
    [rad] = Delegationspunkt.objects.filter(organ=cast.organ, nummer="5.1")
    assert rad.befattning == "enhetschef"
