"""What only a real PostgreSQL can show: two connections racing for the same transition, and
the database itself refusing to alter or remove workflow history."""

import threading
import time
import uuid

import pytest
from django.contrib.auth.models import Group, User
from django.db import DatabaseError, connection, transaction
from django.db.models import QuerySet

from tests.exampleapp.models import Document, Folder
from workflow.engine import StaleState, do_transition, history
from workflow.history import verify, verify_object
from workflow.models import WorkflowHistory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

#: (first, second) transitions the two reviewers race with, from "granskning"
RACES = [
    (("godkann", ""), ("avvisa", "Behöver kompletteras")),
    (("godkann", ""), ("godkann", "")),  # the double submit
    (("avvisa", "Nej"), ("godkann", "")),
    (("avvisa", "Nej"), ("avvisa", "Inte heller")),
    (("godkann", "Bra"), ("avvisa", "Fel")),
]
TARGETS = {"godkann": "godkand", "avvisa": "utkast"}


def make_user(username, *roles):
    user = User.objects.create_user(username=f"{username}-{uuid.uuid4().hex[:8]}")
    for role in roles:
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


def rows(doc):
    return list(
        WorkflowHistory.objects.for_object(doc)
        .order_by("seq")
        .values_list("id", "seq", "transition", "from_state", "to_state", "comment", "hash")
    )


@pytest.fixture
def people():
    return {
        "author": make_user("anna", "Författare"),
        "reviewers": [make_user("bertil", "Granskare"), make_user("berit", "Granskare")],
    }


@pytest.mark.parametrize("race", range(len(RACES)))
def test_racing_transitions_one_wins_the_other_is_stale(people, race):
    folder = Folder.objects.create(name=f"Mapp {race}")
    # not "vanlig": the winner's godkann stays in godkand instead of publishing at once
    doc = Document.objects.create(title=f"Kapplöpning {race}", folder=folder, kind="special")
    do_transition(doc, "skicka", people["author"])
    assert doc.state == "granskning"
    before = rows(doc)
    assert len(before) == 2

    barrier = threading.Barrier(2, timeout=30)
    results: dict[int, object] = {}

    def contender(i):
        try:
            user = User.objects.get(pk=people["reviewers"][i].pk)
            mine = Document.objects.get(pk=doc.pk)  # both read before either moves it
            assert mine.state == "granskning"
            barrier.wait()
            transition_id, comment = RACES[race][i]
            do_transition(mine, transition_id, user, comment=comment)
            results[i] = ("ok", transition_id, mine.state)
        except StaleState as exc:
            results[i] = ("stale", str(exc))
        except Exception as exc:  # reported to the main thread
            results[i] = ("error", repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=contender, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not any(thread.is_alive() for thread in threads)

    outcomes = sorted(result[0] for result in results.values())
    assert outcomes == ["ok", "stale"], results
    [(_ok, winner, winner_state)] = [r for r in results.values() if r[0] == "ok"]
    [(_stale, message)] = [r for r in results.values() if r[0] == "stale"]
    assert "redan flyttats" in message
    assert winner_state == TARGETS[winner]

    doc = Document.objects.get(pk=doc.pk)
    assert doc.state == TARGETS[winner]
    after = rows(doc)
    assert after[:2] == before  # nothing earlier was touched
    assert len(after) == 3  # exactly one new entry: the winner's
    _id, seq, transition_id, from_state, to_state, _comment, _hash = after[2]
    assert (seq, transition_id, from_state, to_state) == (
        3,
        winner,
        "granskning",
        TARGETS[winner],
    )
    report = verify_object(doc)
    assert report.intact, report.broken
    assert report.entries == 3
    assert [h.transition for h in history(doc)] == ["", "skicka", winner]


@pytest.fixture
def walked(people):
    folder = Folder.objects.create(name="Historik")
    doc = Document.objects.create(title="Oföränderlig", folder=folder)
    do_transition(doc, "skicka", people["author"], comment="Klar")
    do_transition(doc, "avvisa", people["reviewers"][0], comment="Komplettera")
    return doc


def refused(sql, params=()):
    with pytest.raises(DatabaseError) as caught, transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
    return caught.value


@pytest.mark.parametrize(
    ("operation", "sql"),
    [
        ("UPDATE", "UPDATE workflow_workflowhistory SET comment = 'x'"),
        ("UPDATE", "UPDATE workflow_workflowhistory SET comment = 'x' WHERE seq = 2"),
        ("UPDATE", "UPDATE workflow_workflowhistory SET seq = seq + 100"),
        ("DELETE", "DELETE FROM workflow_workflowhistory"),
        ("DELETE", "DELETE FROM workflow_workflowhistory WHERE seq = 3"),
    ],
)
def test_raw_sql_cannot_change_or_remove_history(walked, operation, sql):
    before = rows(walked)
    assert len(before) == 3

    error = refused(sql)

    assert "arbetsflödeshistoriken är oföränderlig" in str(error)
    assert f"{operation} nekas" in str(error)
    assert error.__cause__.sqlstate == "42501"  # insufficient_privilege, from the trigger
    assert rows(walked) == before
    assert verify().intact
    # the connection is still usable after the refusal
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM workflow_workflowhistory")
        assert cursor.fetchone()[0] == 3


def test_orm_paths_around_the_model_guard_hit_the_trigger(walked):
    """The queryset refuses update/delete in Python; a plain QuerySet sidesteps that, and the
    database still says no."""
    before = rows(walked)
    plain = QuerySet(model=WorkflowHistory)
    for attempt in (lambda: plain.update(comment="x"), lambda: plain.all().delete()):
        with pytest.raises(DatabaseError, match="oföränderlig"), transaction.atomic():
            attempt()
    assert rows(walked) == before
    assert verify().intact


def _vantar_pa_las(antal: int) -> None:
    """Until ``antal`` sessions wait for a row lock."""
    with connection.cursor() as cursor:
        for _ in range(200):
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
            if cursor.fetchone()[0] >= antal:
                return
            time.sleep(0.05)


def test_two_threads_reading_afresh_under_row_locks_never_trip_the_state_guard(people):
    """Two requests each read a document afresh under its row lock, and wait for it; the one
    that began first is let through first. django-fsm's own refresh_from_db lifts the state
    field's protection on the field all threads share while it runs and sets it again when
    done, so the second found it protected again halfway and failed ("Direct state
    modification is not allowed"): a 500 for a signature on a threaded server. Both now read
    their rows."""
    folder = Folder.objects.create(name="Mapp")
    dokument = [Document.objects.create(title=t, folder=folder) for t in ("Ett", "Två")]
    lasta = [Document.objects.get(pk=d.pk) for d in dokument]  # read before the steps below
    for d in dokument:
        do_transition(d, "skicka", people["author"])
    haller = [threading.Event(), threading.Event()]
    slapp = [threading.Event(), threading.Event()]
    fel = []

    def hall(i):
        with transaction.atomic():
            Document.objects.select_for_update().get(pk=dokument[i].pk)
            haller[i].set()
            slapp[i].wait(10)
        connection.close()

    def las_om(i):
        try:
            with transaction.atomic():
                lasta[i].refresh_from_db(from_queryset=Document.objects.select_for_update())
        except Exception as error:  # noqa: BLE001 - reported below
            fel.append(error)
        finally:
            connection.close()

    hallare = [threading.Thread(target=hall, args=(i,)) for i in (0, 1)]
    for t in hallare:
        t.start()
    for h in haller:
        h.wait(10)
    lasare = [threading.Thread(target=las_om, args=(i,)) for i in (0, 1)]
    lasare[0].start()
    _vantar_pa_las(1)
    lasare[1].start()
    _vantar_pa_las(2)
    slapp[0].set()  # the first one through, the second still waiting
    lasare[0].join()
    slapp[1].set()
    lasare[1].join()
    for t in hallare:
        t.join()
    assert fel == []
    assert [d.state for d in lasta] == ["granskning", "granskning"]
