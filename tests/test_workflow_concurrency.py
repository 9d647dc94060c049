"""On PostgreSQL: conflicting transitions from separate connections, and a history table
that the database itself keeps append-only."""

import threading

import pytest
from django.db import DatabaseError, connection, transaction

from tests.exampleapp.models import Document
from workflow.engine import StaleState, do_transition, history
from workflow.history import verify
from workflow.models import WorkflowHistory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(doc_pk, attempts):
    """Each attempt reads the document in its own connection; all read before any writes."""
    barrier = threading.Barrier(len(attempts))
    outcomes = [None] * len(attempts)

    def attempt(index, transition, user, comment):
        try:
            seen = Document.objects.get(pk=doc_pk)
            barrier.wait()
            do_transition(seen, transition, user, comment)
            outcomes[index] = "ok"
        except StaleState:
            outcomes[index] = "stale"
        except Exception as error:  # noqa: BLE001 - reported by the assertion
            outcomes[index] = repr(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(i, *spec)) for i, spec in enumerate(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_conflicting_transitions_exactly_one_wins(make_user, make_document):
    author = make_user("anna", "Författare")
    first = make_user("bertil", "Granskare")
    second = make_user("berit", "Granskare")
    for round_ in range(5):
        doc = make_document(f"Kapplöpning {round_}", kind="special")
        do_transition(doc, "skicka", author)
        before = history(doc).count()

        outcomes = race(
            doc.pk, [("godkann", first, ""), ("avvisa", second, "Komplettera underlaget")]
        )

        assert sorted(outcomes) == ["ok", "stale"]
        doc.refresh_from_db()
        winner = ["godkann", "avvisa"][outcomes.index("ok")]
        assert doc.state == {"godkann": "godkand", "avvisa": "utkast"}[winner]
        assert history(doc).count() == before + 1
        assert history(doc).last().transition == winner
    assert verify().intact


def test_raw_sql_cannot_update_or_delete_history(make_user, make_document):
    author = make_user("anna", "Författare")
    doc = make_document(creator=author)
    do_transition(doc, "skicka", author, comment="Original")
    snapshot = list(WorkflowHistory.objects.order_by("pk").values_list("pk", "comment", "hash"))

    for sql in (
        "UPDATE workflow_workflowhistory SET comment = 'Ändrat i efterhand'",
        "DELETE FROM workflow_workflowhistory",
    ):
        with pytest.raises(DatabaseError, match="oföränderlig"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql)

    after = list(WorkflowHistory.objects.order_by("pk").values_list("pk", "comment", "hash"))
    assert after == snapshot
    assert verify().intact
