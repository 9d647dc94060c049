"""The workflow history is append-only and its hash chains prove it was not altered."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from workflow.engine import do_transition, history
from workflow.history import verify
from workflow.models import HistoryImmutable, WorkflowHistory

pytestmark = pytest.mark.django_db


@pytest.fixture
def walked(make_user, make_document):
    """Two documents, each taken a few steps."""
    author = make_user("anna", "Författare")
    reviewer = make_user("bertil", "Granskare")
    docs = [make_document("Första", creator=author), make_document("Andra", creator=author)]
    for doc in docs:
        do_transition(doc, "skicka", author)
        do_transition(doc, "avvisa", reviewer, comment="Komplettera")
        do_transition(doc, "skicka", author, comment="Kompletterat")
    return docs


def run_verify():
    out = []

    class Sink:
        def write(self, text):
            out.append(text)

        def flush(self):
            pass

    try:
        call_command("verify_history", stdout=Sink())
    except CommandError as error:
        return False, "".join(out), str(error)
    return True, "".join(out), ""


def test_chains_link_each_entry_to_the_one_before(walked):
    for doc in walked:
        entries = list(history(doc))
        assert [e.seq for e in entries] == [1, 2, 3, 4]
        assert entries[0].prev_hash == ""
        for before, after in zip(entries, entries[1:], strict=False):
            assert after.prev_hash == before.hash
            assert after.from_state == before.to_state
        assert all(e.compute_hash() == e.hash for e in entries)


def test_verify_history_reports_intact_chains(walked):
    ok, out, _ = run_verify()
    assert ok
    assert "Historiken är obruten. 8 poster i 2 objekt kontrollerade, 0 brutna kedjor." in out


def test_existing_entry_cannot_be_saved_or_deleted(walked):
    entry = history(walked[0]).last()
    entry.comment = "Efterhandskonstruktion"
    with pytest.raises(HistoryImmutable):
        entry.save()
    with pytest.raises(HistoryImmutable):
        entry.delete()
    with pytest.raises(HistoryImmutable):
        WorkflowHistory.objects.filter(pk=entry.pk).update(comment="x")
    with pytest.raises(HistoryImmutable):
        WorkflowHistory.objects.all().delete()
    assert WorkflowHistory.objects.get(pk=entry.pk).comment == "Kompletterat"


@pytest.mark.sqlite
def test_raw_sql_edit_is_reported_by_verify_history(walked):
    first, second = walked
    edited = history(first)[1]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE workflow_workflowhistory SET comment = %s WHERE id = %s",
            ["Allt i sin ordning", edited.pk],
        )

    report = verify()
    assert [(b.object_id, b.seq) for b in report.broken] == [(first.pk, 2)]
    assert "innehållet har ändrats" in report.broken[0].reason

    ok, out, error = run_verify()
    assert not ok
    assert f"exampleapp.document {first.pk}: post 2" in out
    assert "1 brutna kedjor" in error


@pytest.mark.sqlite
def test_raw_sql_delete_is_reported_by_verify_history(walked):
    first, second = walked
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM workflow_workflowhistory WHERE id = %s", [history(second)[1].pk]
        )

    [broken] = verify().broken
    assert (broken.object_id, broken.seq) == (second.pk, 3)
    assert "löpnummer 3 där 2 väntades" in broken.reason


@pytest.mark.sqlite
def test_rewritten_entry_with_recomputed_hash_fails_its_signature(walked):
    """Who rewrites an entry and recomputes its SHA-256 has no history key: the entry's
    HMAC no longer matches, so the rewritten entry itself is reported."""
    first, _ = walked
    entries = list(history(first))
    forged = entries[1]
    forged.comment = "Godkänt av chefen"
    new_hash = forged.compute_hash()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE workflow_workflowhistory SET comment = %s, hash = %s WHERE id = %s",
            [forged.comment, new_hash, forged.pk],
        )
    [broken] = verify().broken
    assert (broken.seq, broken.entry_id) == (2, forged.pk)
    assert broken.reason == (
        "signaturen stämmer inte: posten är skriven eller omräknad utan historiknyckeln"
    )


@pytest.mark.sqlite
def test_removed_newest_entry_is_reported(walked):
    first, _ = walked
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM workflow_workflowhistory WHERE id = %s", [history(first).last().pk]
        )
    [broken] = verify().broken
    assert broken.object_id == first.pk
    assert "historiken slutar i utkast" in broken.reason


@pytest.mark.sqlite
def test_removed_chain_is_reported(walked):
    _, second = walked
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM workflow_workflowhistory WHERE object_id = %s", [second.pk])
    [broken] = verify().broken
    assert (broken.object_id, broken.reason) == (second.pk, "objektet saknar historik")
