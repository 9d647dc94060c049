"""On PostgreSQL the database itself refuses to take a row out of any field history, and to
change or take out a logged read of secret content: rows taken off the end of a chain after
the newest checkpoint, and the revisor's list of reads, were caught by nothing else. Who
owns the tables can still get past it, as a test shows for the workflow history
(tests/test_workflow_kedja.py)."""

import pytest
from django.db import DatabaseError, connection, transaction

from arenden.models import Arende, Sekretessatkomst
from tests import factories
from workflow import fieldhistory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def _tabeller_med_triggern() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname = 'historik_ingen_delete'"
        )
        return {rad[0] for rad in cursor.fetchall()}


def test_every_field_history_of_the_system_refuses_delete():
    """Also the tables of models added later: a new historical table without the trigger
    fails here until a migration gives it one."""
    historiska = {
        m._meta.db_table
        for m in fieldhistory.field_history_models()
        if m._meta.app_label in ("arenden", "workflow")
    }
    assert "arenden_historicalarende" in historiska
    assert historiska <= _tabeller_med_triggern()


def _nekas(sql, params):
    with pytest.raises(DatabaseError, match="historiken tas inte bort"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def test_the_newest_row_of_an_arendes_history_cannot_be_taken_out():
    cast = factories.Cast()
    arende = cast.registrera("Ett ärende")
    arende.arendemening = "Ett ärende med ny rubrik"
    arende._history_user = cast.registrator
    arende.save()
    senaste = arende.history.latest("history_id")
    _nekas("DELETE FROM arenden_historicalarende WHERE history_id = %s", [senaste.history_id])
    assert arende.history.filter(history_id=senaste.history_id).exists()
    # the row given its number at the end of the registration was still written and signed
    assert Arende.history.filter(id=arende.pk, lopnummer=arende.lopnummer).exists()
    assert fieldhistory.verify()[1] == []


def test_a_logged_read_of_secret_content_is_neither_changed_nor_taken_out():
    cast = factories.Cast()
    arende = cast.registrera("Klagomål", sekretess_lagrum="OSL 25 kap. 1 §")
    las = Sekretessatkomst.objects.create(
        anvandare=cast.handlaggare, arende=arende, vad=Sekretessatkomst.Vad.ARENDE
    )
    _nekas(
        "UPDATE arenden_sekretessatkomst SET anvandare_id = %s WHERE id = %s",
        [cast.revisor.pk, las.pk],
    )
    _nekas("DELETE FROM arenden_sekretessatkomst WHERE id = %s", [las.pk])
    las.refresh_from_db()
    assert las.anvandare == cast.handlaggare
