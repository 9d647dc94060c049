"""The check of the whole history inside PostgreSQL (workflow.history.verify_in_database) when
many chains are broken at once: every broken chain is named once, also beyond the batches
in which the chains the SQL did not pass are handed on to be named, and a chain of one kind
of object is never confused with another kind's under the same id."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from tests.exampleapp.models import Document, Folder
from workflow import history
from workflow.engine import do_transition
from workflow.history import verify, verify_in_database
from workflow.models import WorkflowHistory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

#: more than verify_in_database hands on at a time (1 000)
MANY = 1001


def forged_chains(model, ids: range) -> None:
    """One entry each for objects ``ids`` of ``model``, whose hash is not the hash of its
    content (as if the content had been changed after it was written)."""
    ct = ContentType.objects.get_for_model(model)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO workflow_workflowhistory (content_type_id, object_id, seq, workflow, "
            "transition, from_state, to_state, actor_id, actor_name, roles, timestamp, comment, "
            "prev_hash, hash, key_id, mac) "
            "SELECT %s, g, 1, 'dokument', '', '', 'utkast', NULL, '', '[]'::jsonb, "
            "'2026-12-04 08:00:00+00', '', '', "
            "encode(sha256(convert_to(%s || ':' || g, 'UTF8')), 'hex'), '', '' "
            "FROM generate_series(%s, %s) g",
            [ct.pk, model._meta.label, ids.start, ids.stop - 1],
        )


def test_every_broken_chain_is_named_once_however_many_there_are():
    forged_chains(Document, range(1, MANY + 1))
    forged_chains(Folder, range(1, 3))  # two folders with the ids of two documents

    report = verify_in_database(connection)

    assert (report.entries, report.objects) == (MANY + 2, MANY + 2)
    named = [(b.model_label, b.object_id, b.seq) for b in report.broken]
    assert len(named) == len(set(named)) == MANY + 2
    assert set(named) == {("exampleapp.document", i, 1) for i in range(1, MANY + 1)} | {
        ("exampleapp.folder", 1, 1),
        ("exampleapp.folder", 2, 1),
    }
    assert {b.reason for b in report.broken} == {"innehållet har ändrats efter att posten skrevs"}


def test_the_whole_history_is_checked_inside_the_database(monkeypatch, make_user, make_document):
    """verify() over the whole history leaves the work to PostgreSQL: an intact history is
    passed without a single row read back into Python."""
    author = make_user("anna", "Författare")
    doc = make_document(creator=author)
    do_transition(doc, "skicka", author)
    handed = []
    real = history.verify_rows

    def spy(rows, labels):
        rows = list(rows)
        handed.extend(rows)
        return real(rows, labels)

    monkeypatch.setattr(history, "verify_rows", spy)
    report = verify()
    assert (report.intact, report.entries, report.objects) == (True, 2, 1)
    assert handed == []
    # a part of the history is still read row by row
    assert verify(WorkflowHistory.objects.for_object(doc)).intact
    assert len(handed) == 2
