"""The log of who read secret content is a signed log (workflow.logs): each read is signed
and linked to the same reader's previous read, and a checkpoint records each reader's
chain. Before, only a PostgreSQL trigger guarded it, which the tables' owner can set aside
and SQLite does not have: a read taken out of the revisor's list, or moved to another
reader, was found by nothing."""

import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse

from arenden.handlaggning import services as handlaggning
from arenden.models import Sekretessatkomst
from tests import factories
from workflow import checkpoint, logs
from workflow.history import verify

pytestmark = pytest.mark.django_db

LABEL = "arenden.sekretessatkomst"
VAD = Sekretessatkomst.Vad


@pytest.fixture
def kontrollpunkter(settings, tmp_path):
    settings.WORKFLOW_CHECKPOINT_DIR = str(tmp_path / "kontrollpunkter")


def som_agaren(sql: str, params: list) -> None:
    """Change the log as the database's owner could: on PostgreSQL the trigger refuses it
    first, then is set aside for this transaction."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
        return
    with pytest.raises(DatabaseError, match="historiken tas inte bort"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params)
        cursor.execute("SET LOCAL session_replication_role = origin")


def fynd() -> list[tuple[str, int, int, str]]:
    return [
        (b.model_label, b.object_id, b.entry_id, b.reason)
        for b in verify().broken
        if b.model_label == LABEL
    ]


@pytest.fixture
def lasningar():
    """Three reads by the handläggare (the ärende's page, a file, the timeline) and one by
    the revisor, of a secret ärende."""
    cast = factories.Cast()
    arende = cast.registrera("Klagomål", sekretess_lagrum="OSL 25 kap. 1 §")
    for vad in (VAD.ARENDE, VAD.FIL, VAD.TIDSLINJE):
        Sekretessatkomst.logga(cast.handlaggare, arende, vad)
    Sekretessatkomst.logga_arenden(cast.revisor, [arende.pk], VAD.SAMMANTRADE)
    rader = list(Sekretessatkomst.objects.filter(anvandare=cast.handlaggare).order_by("pk"))
    return cast, arende, rader


def test_each_read_is_signed_and_linked_to_the_readers_previous_read(lasningar):
    cast, _arende, (forsta, andra, tredje) = lasningar
    assert forsta.log_prev_mac == "" and forsta.log_mac
    assert andra.log_prev_mac == forsta.log_mac and tredje.log_prev_mac == andra.log_mac
    revisorns = Sekretessatkomst.objects.get(anvandare=cast.revisor)
    assert revisorns.log_prev_mac == ""  # each reader's own chain
    rapport = verify()
    assert rapport.intact and rapport.log_rows == 4


def test_a_read_moved_to_another_reader_is_found(lasningar):
    cast, _arende, (forsta, _andra, _tredje) = lasningar
    som_agaren(
        "UPDATE arenden_sekretessatkomst SET anvandare_id = %s WHERE id = %s",
        [cast.revisor.pk, forsta.pk],
    )
    resultat = fynd()
    assert (
        LABEL,
        cast.revisor.pk,
        forsta.pk,
        "loggradens signatur stämmer inte: raden är ändrad efter att den skrevs, "
        "eller skriven utan historiknyckeln",
    ) in resultat
    with pytest.raises(CommandError, match="brutna kedjor"):
        call_command("verify_history")


def test_a_read_taken_out_of_the_middle_is_found_by_the_next(lasningar):
    cast, _arende, (_forsta, andra, tredje) = lasningar
    som_agaren("DELETE FROM arenden_sekretessatkomst WHERE id = %s", [andra.pk])
    assert fynd() == [
        (
            LABEL,
            cast.handlaggare.pk,
            tredje.pk,
            "länken till föregående loggrad stämmer inte "
            "(en rad före den är borttagen eller har flyttats)",
        )
    ]


def test_the_newest_read_taken_out_before_a_checkpoint_is_found(lasningar, kontrollpunkter):
    cast, _arende, (_forsta, _andra, tredje) = lasningar
    namn = checkpoint.write("daglig").name
    assert fynd() == []
    som_agaren("DELETE FROM arenden_sekretessatkomst WHERE id = %s", [tredje.pk])
    assert fynd() == [
        (
            LABEL,
            cast.handlaggare.pk,
            0,
            f"loggen hade 3 rader i kontrollpunkten, nu 2 ({namn})",
        )
    ]


def test_a_readers_whole_log_taken_out_before_a_checkpoint_is_found(lasningar, kontrollpunkter):
    cast, _arende, _rader = lasningar
    namn = checkpoint.write("daglig").name
    som_agaren("DELETE FROM arenden_sekretessatkomst WHERE anvandare_id = %s", [cast.revisor.pk])
    assert fynd() == [
        (LABEL, cast.revisor.pk, 0, f"loggens 1 rader saknas sedan kontrollpunkten ({namn})")
    ]


def test_a_read_written_beside_the_log_is_found(lasningar):
    cast, arende, _rader = lasningar
    (falsk,) = Sekretessatkomst.objects.bulk_create(
        [Sekretessatkomst(anvandare=cast.registrator, arende=arende, vad=VAD.ARENDE)]
    )
    assert fynd() == [
        (
            LABEL,
            cast.registrator.pk,
            falsk.pk,
            "loggraden är inte signerad med någon känd historiknyckel (skriven utanför systemet)",
        )
    ]


def test_a_logged_read_is_never_changed_through_the_model(lasningar):
    _cast, _arende, (forsta, _andra, _tredje) = lasningar
    forsta.vad = VAD.FIL
    with pytest.raises(TypeError, match="^Sekretessatkomst: en loggrad ändras aldrig$"):
        forsta.save()
    forsta.refresh_from_db()
    assert forsta.vad == VAD.ARENDE


def test_signing_a_log_as_it_stands_links_each_readers_rows_in_order(lasningar):
    """What the migration that makes a table a signed log does with the rows already there
    (workflow.logs.sign_rows): each reader's rows signed in the order of id, linked."""
    cast, _arende, (forsta, andra, tredje) = lasningar
    som_agaren(
        "UPDATE arenden_sekretessatkomst SET log_key_id = '', log_prev_mac = '', log_mac = ''",
        [],
    )
    assert len(fynd()) == 4
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if postgres:  # as the migration does, past the trigger that refuses UPDATE
            cursor.execute("SET LOCAL session_replication_role = replica")
        assert logs.sign_rows(Sekretessatkomst, "anvandare_id", connection.alias) == 4
        if postgres:
            cursor.execute("SET LOCAL session_replication_role = origin")
    assert fynd() == []
    rader = list(Sekretessatkomst.objects.filter(anvandare=cast.handlaggare).order_by("pk"))
    assert [r.log_prev_mac for r in rader] == ["", rader[0].log_mac, rader[1].log_mac]
    assert {r.pk for r in rader} == {forsta.pk, andra.pk, tredje.pk}


def test_the_revisors_check_counts_the_reads_and_names_a_broken_one(lasningar):
    cast, _arende, (_forsta, andra, _tredje) = lasningar
    klient = Client()
    klient.force_login(cast.revisor)
    url = reverse("arenden:verifiering")
    sida = klient.post(url).content.decode()
    assert "4 läsningar av sekretessmarkerat innehåll kontrollerades" in sida
    som_agaren("DELETE FROM arenden_sekretessatkomst WHERE id = %s", [andra.pk])
    sida = klient.post(url).content.decode()
    assert "Historiken är bruten" in sida and "länken till föregående loggrad" in sida


def test_a_page_that_shows_secret_content_logs_a_signed_read():
    cast = factories.Cast()
    arende = cast.registrera("Klagomål", sekretess_lagrum="OSL 25 kap. 1 §")
    handlaggning.tilldela(arende, handlaggare=cast.handlaggare, user=cast.stabschef)
    klient = Client()
    klient.force_login(cast.handlaggare)
    for _ in range(2):
        assert klient.get(reverse("arenden:arende", args=[arende.pk])).status_code == 200
    forsta, andra = Sekretessatkomst.objects.filter(anvandare=cast.handlaggare).order_by("pk")
    assert (forsta.vad, andra.log_prev_mac) == (VAD.ARENDE, forsta.log_mac)
    assert verify().intact


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_pages_read_at_once_by_one_reader_link_in_turn():
    """Two requests of one reader write at the same moment: the lock of the reader's row
    makes the second link to the first, not both to the same read (a fork that the check
    would report as a read taken out)."""
    cast = factories.Cast()
    arende = cast.registrera("Klagomål", sekretess_lagrum="OSL 25 kap. 1 §")
    start = threading.Barrier(2)
    fel = []

    def las():
        try:
            start.wait()
            for _ in range(15):
                Sekretessatkomst.logga(cast.handlaggare, arende, VAD.ARENDE)
        except Exception as err:  # noqa: BLE001 - reported by the assertion below
            fel.append(err)
        finally:
            connections.close_all()

    tradar = [threading.Thread(target=las) for _ in range(2)]
    for trad in tradar:
        trad.start()
    for trad in tradar:
        trad.join()
    assert fel == []
    assert Sekretessatkomst.objects.filter(anvandare=cast.handlaggare).count() == 30
    assert fynd() == []


# -- the migration that signs the reads logged before ---------------------------------------------

FORE = [("arenden", "0058_historik_for_protokoll_och_gallring")]


def _migrera(till=None):
    """To ``till``, or to the latest migrations (through 0059, which signs the reads)."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(till or executor.loader.graph.leaf_nodes())


@pytest.fixture
def tillbaka_till_senaste():
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_the_reads_logged_before_are_signed_by_the_migration(tillbaka_till_senaste):
    cast = factories.Cast()
    arende = cast.registrera("Klagomål", sekretess_lagrum="OSL 25 kap. 1 §")
    _migrera(FORE)
    with connection.cursor() as cursor:
        for anvandare in (cast.handlaggare, cast.revisor, cast.handlaggare):
            cursor.execute(
                "INSERT INTO arenden_sekretessatkomst (tidpunkt, anvandare_id, arende_id, vad) "
                "VALUES (CURRENT_TIMESTAMP, %s, %s, 'arende')",
                [anvandare.pk, arende.pk],
            )
    _migrera()
    forsta, andra = Sekretessatkomst.objects.filter(anvandare=cast.handlaggare).order_by("pk")
    assert andra.log_prev_mac == forsta.log_mac != ""
    rapport = verify()
    assert rapport.intact and rapport.log_rows == 3
    if connection.vendor == "postgresql":  # the trigger is back
        with pytest.raises(DatabaseError, match="historiken tas inte bort"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("DELETE FROM arenden_sekretessatkomst WHERE id = %s", [forsta.pk])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_read_being_logged_does_not_hold_up_a_row_that_names_the_reader():
    """The log locks its reader's row only against another append to the same chain: a row
    that merely points at the reader (a role given to them) goes ahead meanwhile. A plain FOR
    UPDATE would make it wait for the log, as long as the reading transaction lasts."""
    from arenden.organisation import roles as r
    from workflow import roles as workflow_roles

    cast = factories.Cast()
    arende = cast.registrera("Klagomål", sekretess_lagrum="OSL 25 kap. 1 §")
    fel = []

    def ge_roll():
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '3s'")
                workflow_roles.grant(cast.organ, r.NAMNDSEKRETERARE, user=cast.handlaggare)
        except Exception as err:  # noqa: BLE001 - reported by the assertion below
            fel.append(err)
        finally:
            connections.close_all()

    with transaction.atomic():
        Sekretessatkomst.logga(cast.handlaggare, arende, VAD.ARENDE)  # the reader's row held
        trad = threading.Thread(target=ge_roll)
        trad.start()
        trad.join()
    assert fel == []
    assert r.NAMNDSEKRETERARE in workflow_roles.local_roles(cast.handlaggare, cast.organ)
