"""The diarium: diarienummer allocated per series and year, parsed with clear errors."""

import datetime
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from arenden.diarium.diarienummer import Diarienummer
from arenden.diarium.services import registrera_arende
from arenden.models import Arende
from tests import factories
from workflow.engine import history


@pytest.mark.parametrize(
    "text, expected",
    [
        ("HSN 787-2025", Diarienummer("HSN", 787, 2025)),
        ("RS 909-2023", Diarienummer("RS", 909, 2023)),
        ("HSN 418-2-2021", Diarienummer("HSN", 418, 2021, 2)),
        ("  hsn dnr 787-2025 ", Diarienummer("HSN", 787, 2025)),
    ],
)
def test_parse_reads_the_forms_in_the_seeds(text, expected):
    parsed = Diarienummer.parse(text)
    assert parsed == expected
    assert Diarienummer.parse(str(parsed)) == parsed


def test_diarienummer_is_written_like_the_seeds():
    assert str(Diarienummer("HSN", 787, 2025)) == "HSN 787-2025"
    assert str(Diarienummer("HSN", 418, 2021, 2)) == "HSN 418-2-2021"


@pytest.mark.parametrize(
    "text", ["", "787-2025", "HSN 787", "HSN-787-2025", "HSN 787-25", "HSN 0-2025", "HSN 7 87-2025"]
)
def test_malformed_diarienummer_gets_a_clear_error(text):
    with pytest.raises(ValidationError) as raised:
        Diarienummer.parse(text)
    message = " ".join(raised.value.messages)
    assert "diarienummer" in message.lower() or "löpnumret" in message.lower()


@pytest.mark.django_db
def test_registration_numbers_run_per_series_and_year():
    hsn = factories.Cast("HSN")
    rs = factories.Cast("RS")
    first = hsn.registrera("Första")
    second = hsn.registrera("Andra")
    other_series = rs.registrera("I styrelsen")
    next_year = hsn.registrera("Nytt år", registrerat=datetime.date(2026, 1, 2))

    assert str(first.diarienummer) == "HSN 1-2025"
    assert str(second.diarienummer) == "HSN 2-2025"
    assert str(other_series.diarienummer) == "RS 1-2025"
    assert str(next_year.diarienummer) == "HSN 1-2026"
    assert first.state == "registrerat"
    [created] = history(first)
    assert created.actor == hsn.registrator


@pytest.mark.django_db
def test_refused_registration_uses_no_number():
    cast = factories.Cast()
    with pytest.raises(PermissionDenied, match="får inte registrera"):
        registrera_arende(
            organ=cast.organ,
            arendemening="Obehörig",
            typ="motion",
            user=cast.handlaggare,
            registrerat=datetime.date(2025, 5, 1),
        )
    assert str(cast.registrera("Behörig").diarienummer) == "HSN 1-2025"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_simultaneous_registrations_get_fifty_consecutive_numbers():
    cast = factories.Cast()
    barrier = threading.Barrier(10)
    errors = []

    def registrar(batch):
        try:
            barrier.wait()
            for i in range(5):
                cast.registrera(f"Samtidigt {batch}-{i}")
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=registrar, args=(b,)) for b in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    numbers = sorted(Arende.objects.values_list("lopnummer", flat=True))
    assert numbers == list(range(1, 51))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_given_diarienummer_registered_four_times_at_once_is_taken_once():
    """Four registrations of an ärende taken over with its number, at the same moment: one is
    registered, the others are told the number exists (never a database error, a 500)."""
    cast = factories.Cast()
    barrier = threading.Barrier(4)
    utfall = []

    def registrar(i):
        try:
            barrier.wait()
            cast.registrera(f"Överfört {i}", diarienummer="HSN 787-2025")
            utfall.append("registrerat")
        except ValidationError as error:
            utfall.append(error.messages[0])
        except Exception as error:  # noqa: BLE001 - reported below
            utfall.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=registrar, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(utfall) == ["Diarienumret HSN 787-2025 finns redan."] * 3 + ["registrerat"]
    assert Arende.objects.filter(serie="HSN", ar=2025, lopnummer=787).count() == 1


@pytest.mark.django_db
def test_the_field_history_records_the_diarienummer_the_arende_was_registered_with():
    arende = factories.Cast().registrera("Med nummer från början")

    [created] = arende.history.all()
    assert created.history_type == "+"
    assert (created.serie, created.lopnummer, created.ar) == ("HSN", 1, 2025)
    assert Arende.objects.get(pk=arende.pk).lopnummer == 1


@pytest.mark.django_db
def test_a_registration_that_fails_midway_leaves_no_arende_and_no_gap(monkeypatch):
    from flows import synk

    cast = factories.Cast()

    def fails(arende):
        raise RuntimeError("processen kunde inte starta")

    monkeypatch.setattr(synk, "starta", fails)
    with pytest.raises(RuntimeError):
        cast.registrera("Misslyckas")
    monkeypatch.undo()

    assert not Arende.objects.filter(arendemening="Misslyckas").exists()
    assert str(cast.registrera("Lyckas").diarienummer) == "HSN 1-2025"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_slow_registration_does_not_hold_up_the_diarium_series(monkeypatch):
    """The series is locked only for the number, given last: while one registration is still
    starting its ärende's process, another registrar in the same series gets through."""
    from flows import synk

    cast = factories.Cast()
    started, release = threading.Event(), threading.Event()
    real = synk.starta

    def slow(arende):
        if arende.arendemening == "Långsam":
            started.set()
            release.wait(timeout=30)
        return real(arende)

    monkeypatch.setattr(synk, "starta", slow)
    results = {}

    def register(text):
        try:
            results[text] = cast.registrera(text).lopnummer
        finally:
            connection.close()

    slow_thread = threading.Thread(target=register, args=("Långsam",))
    slow_thread.start()
    assert started.wait(timeout=30)
    fast_thread = threading.Thread(target=register, args=("Snabb",))
    fast_thread.start()
    fast_thread.join(timeout=30)
    finished_while_slow_was_open = not fast_thread.is_alive()
    release.set()
    slow_thread.join(timeout=30)
    fast_thread.join(timeout=30)

    assert finished_while_slow_was_open
    assert results == {"Snabb": 1, "Långsam": 2}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgresql_refuses_to_commit_an_arende_without_its_lopnummer():
    """The number is given last in the registering transaction; a path that forgot to give
    it cannot commit the ärende: the database checks at COMMIT."""
    from django.db import IntegrityError, transaction

    cast = factories.Cast()
    with pytest.raises(IntegrityError, match="inget löpnummer"):
        with transaction.atomic():
            Arende.objects.create(
                organ=cast.organ,
                serie="HSN",
                ar=2025,
                arendemening="Utan nummer",
                typ="motion",
                registrerat=datetime.date(2025, 5, 1),
            )
    assert not Arende.objects.filter(arendemening="Utan nummer").exists()
    assert str(cast.registrera("Med nummer").diarienummer) == "HSN 1-2025"
