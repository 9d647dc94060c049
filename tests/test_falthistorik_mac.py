"""Every field-history row signed (issue 13, item 6).

Each row django-simple-history writes carries the id of a history key, the MAC of the
object's previous row and its own HMAC-SHA256 over its content and that link
(workflow.fieldhistory). A database owner who edits a row with SQL, adds one (with a date
of today, after the newest checkpoint) or takes one out of the middle is reported by
``verify_history`` and by the revisor's check page, with the table, the object, the row's
place and its history id; what the application writes verifies.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import threading
import uuid
from decimal import Decimal

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, connections, models, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from arenden.handlaggning import services
from arenden.models import Arende
from tests import factories
from tests.exampleapp.models import Document
from tests.test_workflow_history_vectors import qn
from tests.test_workflow_kedja import assert_reported, command
from workflow import checkpoint, fieldhistory, hashing, statements
from workflow import roles as workflow_roles
from workflow.engine import do_transition
from workflow.history import verify

pytestmark = pytest.mark.django_db

HISTORICAL = Document.history.model
TABLE = HISTORICAL._meta.db_table
LABEL = "exampleapp.historicaldocument"

KEY = "fälthistorikraden är inte signerad med någon känd historiknyckel (skriven utanför systemet)"
MAC = (
    "fälthistorikradens signatur stämmer inte: raden är ändrad efter att den skrevs, "
    "eller skriven utan historiknyckeln"
)
LINK = (
    "länken till föregående fälthistorikrad stämmer inte "
    "(en rad före den är borttagen eller har flyttats)"
)
FIRST = "fälthistorikraden pekar på en tidigare rad som saknas (rader före den är borttagna)"


@pytest.fixture
def people(make_user):
    return {
        "anna": make_user("anna", "Författare"),
        "bertil": make_user("bertil", "Granskare"),
    }


@pytest.fixture
def docs(people, make_document):
    """Two documents, each created, retitled (a save), sent and sent back (the engine's own
    writes of the field history) and retitled again: five rows each."""
    made = []
    for title in ("Bygglov Storgatan 1", "Bygglov Lillgatan 2"):
        doc = make_document(title, creator=people["anna"])
        doc.title = f"{title} (utkast 2)"
        doc.save()
        do_transition(doc, "skicka", people["anna"])
        do_transition(doc, "avvisa", people["bertil"], comment="Saknar bilaga")
        doc = Document.objects.get(pk=doc.pk)
        doc.title = f"{title} (utkast 3)"
        doc.save()
        made.append(doc)
    return made


def rows(doc) -> list:
    return list(HISTORICAL.objects.filter(id=doc.pk).order_by("history_id"))


def sql(statement: str, params: list) -> None:
    """As the database's owner: straight into the table, past the application."""
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def insert_copy(source, **changes) -> int:
    """INSERT a copy of the row ``source`` with ``changes`` (columns), as a forger would add a
    row; returns its history id."""
    columns = [f.column for f in HISTORICAL._meta.concrete_fields if f.column != "history_id"]
    values = {
        f.column: f.get_db_prep_save(getattr(source, f.attname), connection)
        for f in HISTORICAL._meta.concrete_fields
        if f.column != "history_id"
    }
    for name, value in changes.items():
        field = HISTORICAL._meta.get_field(name)
        values[field.column] = field.get_db_prep_save(value, connection)
    sql(
        f"INSERT INTO {qn(TABLE)} ({', '.join(qn(c) for c in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})",
        [values[c] for c in columns],
    )
    return HISTORICAL.objects.order_by("-history_id").values_list("history_id", flat=True)[0]


def line(doc, place: int, history_id: int, reason: str) -> str:
    return f"{LABEL} {doc.pk}: post {place} (id {history_id}): {reason}"


def assert_chained(model) -> None:
    """Every row signed, each linked to the one before it of the same object."""
    id_name = fieldhistory.object_id_name(model)
    previous = {}
    found = model.objects.order_by(id_name, "history_id").values_list(
        id_name, "history_key_id", "history_prev_mac", "history_mac"
    )
    assert found
    for object_id, key_id, prev, mac in found:
        assert key_id == "utv" and len(mac) == 64
        assert prev == previous.get(object_id, "")
        previous[object_id] = mac


# -- the format ---------------------------------------------------------------------------------


def test_the_row_mac_golden_vector():
    """HMAC-SHA256 under the key of ``<key id>\\n`` and the compact JSON (sorted keys, UTF-8)
    of [historical model, the row's values, the previous row's MAC]."""
    key, key_id = b"k" * 40, "prov-2026"
    values = {
        "folder_id": 3,
        "history_date": "2025-11-12T09:30:00.250000Z",
        "history_type": "~",
        "history_user_id": 7,
        "id": 42,
        "state": "granskning",
        "title": "Bygglov Storgatan 1, å",
    }
    prev = "a" * 64
    text = (
        'prov-2026\n["exampleapp.historicaldocument",{"folder_id":3,'
        '"history_date":"2025-11-12T09:30:00.250000Z","history_type":"~","history_user_id":7,'
        '"id":42,"state":"granskning","title":"Bygglov Storgatan 1, å"},"' + prev + '"]'
    )
    expected = hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()
    assert hashing.field_row_mac(key, key_id, LABEL, values, prev) == expected
    assert expected == "f0c6cb44b1a4b75e5124d84d63574a1c00e729dc040bc8206c669a46c12edd46"


def test_a_row_is_signed_over_its_values_in_canonical_form_defaults_left_out(settings):
    """The values of a row as the instance holds them and as the database gives them back are
    the same text: a time in UTC with microseconds, ids as numbers; a column holding its
    default (kind "vanlig", reviewed False, no change reason) is left out."""
    settings.WORKFLOW_HISTORY_KEY_ID, settings.WORKFLOW_HISTORY_KEY = "prov-2026", "k" * 40
    when = datetime.datetime(2025, 11, 12, 10, 30, 0, 250000, tzinfo=datetime.UTC)
    row = HISTORICAL(
        id=42,
        title="Bygglov Storgatan 1, å",
        folder_id=3,
        kind="vanlig",
        reviewed=False,
        block_local_roles=False,
        state="granskning",
        history_date=timezone.localtime(when),  # Stockholm: signed in UTC
        history_type="~",
        history_user_id=7,
        history_change_reason=None,
    )
    signer = fieldhistory.signer_for(HISTORICAL)
    assert signer.values([getattr(row, n) for n in signer.attnames]) == {
        "folder_id": 3,
        "history_date": "2025-11-12T10:30:00.250000Z",
        "history_type": "~",
        "history_user_id": 7,
        "id": 42,
        "state": "granskning",
        "title": "Bygglov Storgatan 1, å",
    }
    row.sign("a" * 64)
    assert (row.history_key_id, row.history_prev_mac) == ("prov-2026", "a" * 64)
    assert row.history_mac == hashing.field_row_mac(
        b"k" * 40,
        "prov-2026",
        LABEL,
        {
            "folder_id": 3,
            "history_date": "2025-11-12T10:30:00.250000Z",
            "history_type": "~",
            "history_user_id": 7,
            "id": 42,
            "state": "granskning",
            "title": "Bygglov Storgatan 1, å",
        },
        "a" * 64,
    )
    row.reviewed = True  # no longer its default: in the MAC
    assert signer.values([getattr(row, n) for n in signer.attnames])["reviewed"] is True


def test_dates_decimals_and_files_have_one_canonical_form():
    from arenden.models import Handling

    historical = Arende.history.model
    registrerat = historical._meta.get_field("registrerat")
    assert fieldhistory.canonical(registrerat, datetime.date(2025, 10, 16)) == "2025-10-16"
    assert fieldhistory.canonical(registrerat, "2025-10-16") == "2025-10-16"
    date = historical._meta.get_field("history_date")
    stockholm = timezone.localtime(datetime.datetime(2025, 6, 1, 8, 0, tzinfo=datetime.UTC))
    assert fieldhistory.canonical(date, stockholm) == "2025-06-01T08:00:00.000000Z"
    fil = Handling.history.model._meta.get_field("fil")  # a path, as simple-history keeps it
    assert fieldhistory.canonical(fil, "handlingar/2025/a.pdf") == "handlingar/2025/a.pdf"
    organ = historical._meta.get_field("organ_id")
    assert fieldhistory.canonical(organ, "12") == 12


# -- what the application writes verifies ---------------------------------------------------


def test_the_application_writes_a_signed_chain_that_verifies(docs, people):
    a, b = docs
    assert [r.history_type for r in rows(a)] == ["+", "~", "~", "~", "~"]
    workflow_roles.grant(a, "Granskare", user=people["bertil"], granted_by=people["anna"])
    workflow_roles.revoke(a, "Granskare", user=people["bertil"])
    gone = Document.objects.get(pk=b.pk)
    gone.delete()  # a deleted object's last row ("-") is signed too
    assert rows(b)[-1].history_type == "-"
    assert_chained(HISTORICAL)
    report = verify()
    assert report.intact, [str(x) for x in report.broken]
    assert report.field_rows >= 11
    ok, out = command()
    assert ok and f"{report.field_rows} rader i fälthistoriken kontrollerade." in out


def test_an_arende_through_its_steps_verifies_intact(client):
    """Registered (its number given last, on its creation row), assigned, prepared, with a
    tjänsteskrivelse and a sändlista, moved on: every table's rows signed and linked."""
    cast = factories.Cast()
    arende = cast.berett("Handslag med Cancerfonden för en bättre palliativ vård")
    created = Arende.history.filter(id=arende.pk).earliest("history_id")
    assert created.history_type == "+" and created.lopnummer == arende.lopnummer is not None
    assert_chained(Arende.history.model)
    report = verify()
    assert report.intact, [str(x) for x in report.broken]
    client.force_login(cast.revisor)
    page = client.post(reverse("arenden:verifiering")).content.decode()
    assert "Historiken är obruten." in page


# -- what a database owner does to the field history is reported --------------------------------


def test_a_row_edited_by_sql_is_reported(client, docs):
    a, _ = docs
    third = rows(a)[2]
    sql(
        f"UPDATE {qn(TABLE)} SET title = %s WHERE history_id = %s",
        ["Rivningslov Storgatan 1", third.history_id],
    )
    assert_reported(client, line(a, 3, third.history_id, MAC))


def test_a_row_edited_and_relinked_by_someone_who_knows_the_algorithm_is_reported(client, docs):
    """The MAC recomputed with a key of one's own: not the history key."""
    a, _ = docs
    second = rows(a)[1]
    second.title = "Rivningslov Storgatan 1"
    values = [getattr(second, n) for n in fieldhistory.signer_for(HISTORICAL).attnames]
    forged = fieldhistory.signer_for(HISTORICAL).mac(
        b"gissad", "utv", values, second.history_prev_mac
    )
    sql(
        f"UPDATE {qn(TABLE)} SET title = %s, history_mac = %s WHERE history_id = %s",
        [second.title, forged, second.history_id],
    )
    assert_reported(client, line(a, 2, second.history_id, MAC))


def test_a_forged_row_of_today_after_the_checkpoint_is_reported(client, docs, settings, tmp_path):
    """The gap the checkpoint left: a row added after the newest checkpoint with a current
    date looked like real work. Unsigned, it is reported."""
    settings.WORKFLOW_CHECKPOINT_DIR = str(tmp_path / "kontrollpunkter")
    checkpoint.write("daglig")
    a, _ = docs
    newest = rows(a)[-1]
    forged = insert_copy(
        newest,
        title="Bygglov beviljat",
        history_date=timezone.now(),
        history_key_id="",
        history_prev_mac="",
        history_mac="",
    )
    assert_reported(client, line(a, 6, forged, KEY))


def test_a_forged_row_with_a_copied_signature_is_reported(client, docs):
    a, _ = docs
    newest = rows(a)[-1]
    forged = insert_copy(
        newest,
        title="Bygglov beviljat",
        history_date=timezone.now(),
        history_prev_mac=newest.history_mac,  # linked as a real next row would be
    )
    assert_reported(client, line(a, 6, forged, MAC))


def test_a_row_edited_after_the_checkpoint_with_a_current_date_is_reported(
    client, docs, people, settings, tmp_path
):
    """Real work after the checkpoint, then its row rewritten: nothing in the checkpoint
    covers that row; its signature does."""
    settings.WORKFLOW_CHECKPOINT_DIR = str(tmp_path / "kontrollpunkter")
    checkpoint.write("daglig")
    a, _ = docs
    a.title = "Bygglov Storgatan 1 (slutlig)"
    a.save()
    assert verify().intact
    newest = rows(a)[-1]
    sql(
        f"UPDATE {qn(TABLE)} SET title = %s, history_date = %s WHERE history_id = %s",
        ["Rivningslov Storgatan 1", timezone.now(), newest.history_id],
    )
    assert_reported(client, line(a, 6, newest.history_id, MAC))


def test_a_deleted_middle_row_is_reported_at_the_row_after_it(client, docs):
    """Of the second document: the first one's field history, which holds, is passed over."""
    a, b = docs
    second, third = rows(b)[1:3]
    sql(f"DELETE FROM {qn(TABLE)} WHERE history_id = %s", [second.history_id])
    assert_reported(client, line(b, 2, third.history_id, LINK))
    assert f"{LABEL} {a.pk}:" not in command()[1]


def test_a_deleted_first_row_is_reported(client, docs):
    a, _ = docs
    first, second = rows(a)[:2]
    sql(f"DELETE FROM {qn(TABLE)} WHERE history_id = %s", [first.history_id])
    assert_reported(client, line(a, 1, second.history_id, FIRST))


def test_an_edited_row_of_an_arende_is_reported(client):
    """The domain's tables are signed as the example's are."""
    cast = factories.Cast("TKN")  # the revisor's page brings a cast of its own
    arende = cast.registrera("Riktlinjer för tolkstöd")
    services.tilldela(arende, handlaggare=cast.handlaggare, user=cast.stabschef)
    historical = Arende.history.model
    created = historical.objects.filter(id=arende.pk).earliest("history_id")
    sql(
        f"UPDATE {qn(historical._meta.db_table)} SET arendemening = %s WHERE history_id = %s",
        ["Riktlinjer för tolkstöd (ändrad)", created.history_id],
    )
    assert_reported(
        client, f"arenden.historicalarende {arende.pk}: post 1 (id {created.history_id}): {MAC}"
    )


# -- the engine's link, read under the lock --------------------------------------------------


def test_a_link_the_lock_read_stale_is_corrected_when_the_row_is_written(docs, people, monkeypatch):
    """The lock reads the newest row's MAC in its own statement; the INSERT returns the one
    the database has then, and a row linked to the wrong one is signed again."""
    a, _ = docs
    lock = statements.lock

    def stale(model, pk, user=None):
        obj, last = lock(model, pk, user)
        obj.__dict__[statements.TAIL] = "0" * 64  # as if another row had come since
        return obj, last

    monkeypatch.setattr(statements, "lock", stale)
    do_transition(a, "skicka", people["anna"])
    newest = rows(a)[-1]
    assert newest.history_prev_mac == rows(a)[-2].history_mac
    assert verify().intact


def test_a_link_the_lock_read_to_rows_now_gone_makes_the_new_row_the_first(
    people, make_document, monkeypatch
):
    """The lock read a MAC, but when the row is written the object has no earlier rows (they
    were taken out in between): the new row is signed again as the object's first, linked to
    nothing, and the chain verifies."""
    doc = make_document("Bygglov Torget 3", creator=people["anna"])
    sql(f"DELETE FROM {qn(TABLE)} WHERE id = %s", [doc.pk])
    lock = statements.lock

    def stale(model, pk, user=None):
        obj, last = lock(model, pk, user)
        obj.__dict__[statements.TAIL] = "0" * 64
        return obj, last

    monkeypatch.setattr(statements, "lock", stale)
    do_transition(doc, "skicka", people["anna"])
    [only] = rows(doc)
    assert only.history_prev_mac == ""
    assert verify().intact


# -- rows written before the migration --------------------------------------------------------


MIGRATIONS = [
    ("arenden", "0025_falthistorik_mac"),
    ("workflow", "0007_falthistorik_mac"),
    ("exampleapp", "0002_falthistorik_mac"),
]


@pytest.mark.django_db(transaction=True)
def test_the_migration_signs_the_rows_written_before_it_in_order(make_user, make_document):
    """Rows written before the signature existed (the migrations unapplied and applied again,
    which drops and adds the columns) are signed by the migration's data step, object by
    object in the order they were written: the history then verifies."""
    anna = make_user("anna", "Författare")
    doc = make_document("Bygglov", creator=anna)
    for n in range(3):
        doc.title = f"Bygglov (utkast {n})"
        doc.save()
    cast = factories.Cast()
    arende = cast.registrera("Riktlinjer för tolkstöd")
    services.tilldela(arende, handlaggare=cast.handlaggare, user=cast.stabschef)
    before = Arende.history.filter(id=arende.pk).count()

    executor = MigrationExecutor(connection)
    graph = executor.loader.graph
    parents = {
        parent
        for target in MIGRATIONS
        for parent in executor.loader.get_migration(*target).dependencies
        if parent[0] == target[0]
    }
    # the nearest ones: migrating to an older one would undo more than the signature
    parents = [p for p in parents if not any(p in graph.forwards_plan(q) for q in parents - {p})]
    try:
        executor.migrate(parents)
        with connection.cursor() as cursor:
            columns = {
                c.name for c in connection.introspection.get_table_description(cursor, TABLE)
            }
        assert "history_mac" not in columns
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    assert Arende.history.filter(id=arende.pk).count() == before
    for model in (HISTORICAL, Arende.history.model):
        assert_chained(model)
    report = verify()
    assert report.intact, [str(x) for x in report.broken]


def test_rows_written_unsigned_are_signed_in_parts_object_by_object(make_user, make_document):
    """The migration's data step without the migration: rows of three objects, their
    signature columns emptied, are signed in parts of two rows (so a part ends inside an
    object's rows and between objects), each linked to the row before it of its own object;
    the count is every row, and the history then verifies."""
    anna = make_user("anna", "Författare")
    docs = [make_document(f"Bygglov {n}", creator=anna) for n in range(3)]
    for doc in docs[:2]:
        for n in range(2):
            doc.title = f"{doc.title} (utkast {n})"
            doc.save()
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {qn(TABLE)} SET {qn('history_key_id')} = '', "
            f"{qn('history_prev_mac')} = '', {qn('history_mac')} = ''"
        )
    rows = HISTORICAL.objects.count()
    assert rows == 7

    assert fieldhistory.sign_rows(HISTORICAL, "id", "default", batch=2) == rows
    assert_chained(HISTORICAL)
    report = verify()
    assert report.intact, [str(x) for x in report.broken]
    # the rows are read by the default size too
    assert fieldhistory.sign_rows(HISTORICAL, "id", "default") == rows


# -- two writers of one object, on PostgreSQL --------------------------------------------------


def _blocked_or_done(pid_box: dict, done: threading.Event) -> None:
    """Wait until the other connection waits for a lock, or has finished."""
    with connections["default"].cursor() as cursor:
        while not done.is_set():
            if "pid" in pid_box:
                cursor.execute(
                    "SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s",
                    [pid_box["pid"]],
                )
                found = cursor.fetchone()
                if found and found[0] == "Lock":
                    return
            done.wait(0.01)


def _edit_while_a_transition_waits(doc, user) -> None:
    """Save ``doc`` in a transaction that holds its row until another connection's
    transition of it is waiting for the lock; then commit, and let the transition go on."""
    editing, done = threading.Event(), threading.Event()
    pid_box: dict = {}
    errors = []

    def transition():
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                pid_box["pid"] = cursor.fetchone()[0]
            editing.wait(30)
            do_transition(Document.objects.get(pk=doc.pk), "skicka", user)
        except Exception as exc:  # reported to the main thread
            errors.append(repr(exc))
        finally:
            done.set()
            connection.close()

    worker = threading.Thread(target=transition)
    worker.start()
    with transaction.atomic():
        mine = Document.objects.get(pk=doc.pk)
        mine.title = f"{mine.title} (ändrad)"
        mine.save()  # the row is locked, its field-history row written
        editing.set()
        _blocked_or_done(pid_box, done)
    worker.join(30)
    assert not errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_transition_that_waited_for_an_edit_links_to_its_row(make_user, monkeypatch):
    """An edit holds the document's row while a transition waits for it; the transition's
    lock then reads the rest of its statement as it was before the edit committed, the
    edit's field-history row included. Its row is linked to the edit's row all the same."""
    from tests.exampleapp.models import Folder

    anna = make_user("anna", "Författare")
    relinked = []
    relink = statements._relink

    def spy(record, returned, conn):
        relinked.append(returned is not None and returned[1] != record.history_prev_mac)
        relink(record, returned, conn)

    monkeypatch.setattr(statements, "_relink", spy)
    folder = Folder.objects.create(name="Mapp")
    for round_ in range(5):
        doc = Document.objects.create(title=f"Runda {round_}", folder=folder)
        _edit_while_a_transition_waits(doc, anna)
        assert Document.objects.get(pk=doc.pk).state == "granskning"
        assert [r.history_type for r in rows(doc)] == ["+", "~", "~"]
    assert any(relinked)  # the stale read happened, and was put right
    assert_chained(HISTORICAL)
    assert verify().intact


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_saves_without_a_transaction_link_their_rows_in_turn(make_user, monkeypatch):
    """Without a transaction the object's UPDATE commits at once: the row's signing locks the
    object itself, so a second writer waits until the first one's row is written."""
    from tests.exampleapp.models import Folder

    folder = Folder.objects.create(name="Mapp")
    doc = Document.objects.create(title="Utan transaktion", folder=folder)
    tail = fieldhistory.tail
    first_read, done = threading.Event(), threading.Event()
    pid_box: dict = {}

    def slow_tail(model, object_id, using=None):
        found = tail(model, object_id, using)
        if threading.current_thread().name == "forsta":
            first_read.set()
            _blocked_or_done(pid_box, done)
        return found

    monkeypatch.setattr(fieldhistory, "tail", slow_tail)
    errors = []

    def save(name):
        try:
            if name == "andra":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_backend_pid()")
                    pid_box["pid"] = cursor.fetchone()[0]
                first_read.wait(30)
            mine = Document.objects.get(pk=doc.pk)
            mine.title = f"Sparad av {name}"
            mine.save()
        except Exception as exc:  # reported to the main thread
            errors.append(repr(exc))
        finally:
            if name == "andra":
                done.set()
            connection.close()

    threads = [threading.Thread(target=save, args=(n,), name=n) for n in ("forsta", "andra")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors
    assert len(rows(doc)) == 3
    assert_chained(HISTORICAL)
    assert verify().intact


@pytest.mark.parametrize(
    "field, written, read_back, signed",
    [
        # what the instance held and what the database gives back sign as one value
        (
            models.JSONField(),
            {"b": [1, 2], "a": "x"},
            {"a": "x", "b": [1, 2]},
            {"a": "x", "b": [1, 2]},
        ),
        (
            models.JSONField(encoder=DjangoJSONEncoder),
            {"dag": datetime.date(2025, 11, 12)},
            {"dag": "2025-11-12"},
            {"dag": "2025-11-12"},
        ),
        (models.BinaryField(), b"\x00\xff", memoryview(b"\x00\xff"), "00ff"),
        (
            models.DateTimeField(),
            datetime.datetime(2025, 11, 12, 9, 30, 0, 250000),  # naive: the current zone
            datetime.datetime(2025, 11, 12, 8, 30, 0, 250000, tzinfo=datetime.UTC),
            "2025-11-12T08:30:00.250000Z",
        ),
        (models.DateField(), datetime.date(2025, 11, 12), "2025-11-12", "2025-11-12"),
        (models.TimeField(), datetime.time(9, 30), "09:30:00", "09:30:00"),
        (models.DecimalField(max_digits=6, decimal_places=2), Decimal("1.5"), "1.50", "1.50"),
        (models.DecimalField(max_digits=6), Decimal("1.500"), "1.500", "1.500"),
        # never in exponent form, however small or large
        (
            models.DecimalField(max_digits=12, decimal_places=8),
            Decimal("0.0000001"),
            "1E-7",
            "0.00000010",
        ),
        (models.DecimalField(max_digits=12, decimal_places=0), Decimal("1E+3"), "1000", "1000"),
        (
            models.DurationField(),
            datetime.timedelta(days=1, microseconds=5),
            "1 00:00:00.000005",
            86400000005,
        ),
        (models.IntegerField(), 7, "7", 7),
        (models.UUIDField(), uuid.UUID(int=1), str(uuid.UUID(int=1)), str(uuid.UUID(int=1))),
    ],
)
def test_each_kind_of_field_is_signed_as_one_value_whether_written_or_read_back(
    settings, field, written, read_back, signed
):
    """The signature must not change between the row as the instance wrote it and the row as
    SQLite or PostgreSQL give it back, or a row would fail verification the moment it is read."""
    settings.TIME_ZONE = "Europe/Stockholm"
    for value in (written, read_back):
        canonical = fieldhistory.canonical(field, value)
        assert canonical == signed and type(canonical) is type(signed), value
    assert fieldhistory.canonical(field, None) is None


@pytest.mark.parametrize(
    "field, default",
    [
        (models.JSONField(default=dict), {}),
        (models.JSONField(default=list), []),
        (models.CharField(default="ja"), "ja"),
        (models.CharField(), ""),
        (models.IntegerField(null=True), None),
        (models.DecimalField(max_digits=6, decimal_places=2, default=Decimal("1")), "1.00"),
    ],
)
def test_a_fields_default_is_left_out_of_the_signature_as_its_canonical_value(field, default):
    """What a row holds at its field's default is not signed, so a field added later does not
    change the signature of the rows before it: the default as the canonical value (an empty
    dict or list for JSON made by dict or list), none for one computed anew each time."""
    assert fieldhistory.Signer._default(field, fieldhistory._converter(field)) == default


def test_a_default_computed_anew_each_time_is_never_left_out():
    for field in (
        models.DateTimeField(default=timezone.now),
        models.UUIDField(default=uuid.uuid4),
    ):
        assert fieldhistory.Signer._default(field, fieldhistory._converter(field)) is (
            fieldhistory._NO_DEFAULT
        )


def test_the_migrations_data_step_signs_every_historical_model_of_the_app(make_user, make_document):
    """``sign_existing``, as a migration calls it with its apps and schema editor: the
    app's historical models are signed (its other models are passed over) and verify."""
    from types import SimpleNamespace

    from django.apps import apps

    anna = make_user("anna", "Författare")
    for n in range(2):
        doc = make_document(f"Bygglov {n}", creator=anna)
        doc.title = f"{doc.title} (utkast)"
        doc.save()
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {qn(TABLE)} SET {qn('history_key_id')} = '', "
            f"{qn('history_prev_mac')} = '', {qn('history_mac')} = ''"
        )
    assert not verify().intact
    models_of_the_app = [m.__name__ for m in apps.get_app_config("exampleapp").get_models()]
    assert models_of_the_app.index("HistoricalDocument") > 0  # another model comes first
    fieldhistory.sign_existing(apps, SimpleNamespace(connection=connection), "exampleapp")
    assert_chained(HISTORICAL)
    assert HISTORICAL.objects.exclude(history_mac="").count() == 4
    report = verify()
    assert report.intact, [str(x) for x in report.broken]
