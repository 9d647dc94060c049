"""Documents and the outbox off the request when a Celery broker is configured (issue 18.5),
with the broker replaced by a recorder; tests/test_skala.py runs them on a real worker."""

import hashlib

import pytest
from django.core import mail

from arenden.dokument import jobb, services
from arenden.gemensamt import utskick
from config import celery


class Broker:
    """Records what would have been sent to RabbitMQ."""

    def __init__(self):
        self.skickat = []

    def send_task(self, namn, args=()):
        self.skickat.append((namn, args))


@pytest.fixture
def broker(monkeypatch, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    b = Broker()
    monkeypatch.setattr(celery, "app", b)
    return b


def _dokument(titel="Protokoll 2025-10-16"):
    return services.Dokument(
        titel=titel,
        huvud=[("Organ", "Hälso- och sjukvårdsnämnden")],
        block=[
            services.Block("rubrik", "§ 1 Val av justerare"),
            services.Block("lista", rader=["A"]),
        ],
        filnamn="protokoll-2025-10-16",
    )


def test_without_a_broker_the_document_is_made_in_the_request(db):
    svar = services.som_svar(_dokument(), "docx")
    assert svar.status_code == 200
    assert svar.content.startswith(b"PK")
    assert not jobb.GenereratDokument.objects.exists()


def test_with_a_broker_the_page_says_it_is_being_made_and_queues_it_after_commit(
    db, broker, django_capture_on_commit_callbacks, django_assert_num_queries
):
    with (
        django_capture_on_commit_callbacks(execute=True) as efter_commit,
        django_assert_num_queries(1),
    ):
        svar = services.som_svar(_dokument(), "docx")
        assert broker.skickat == []  # nothing leaves before the transaction commits
    assert len(efter_commit) == 1
    assert svar.status_code == 202
    assert svar["Retry-After"] == "5"
    text = svar.content.decode()
    assert "Dokumentet skapas" in text and "Ladda om sidan" in text
    assert "protokoll-2025-10-16.docx" in text
    assert broker.skickat == [("arenden.dokument.generera", [jobb.som_data(_dokument()), "docx"])]


def test_the_worker_stores_the_document_with_its_sha256_once_and_any_node_serves_it(
    db, broker, django_capture_on_commit_callbacks, django_assert_num_queries
):
    data = jobb.som_data(_dokument())
    # the message delivered twice: one document
    assert celery.generera_dokument(data, "docx") == celery.generera_dokument(data, "docx")
    gjort = jobb.GenereratDokument.objects.get()
    innehall = gjort.fil.read()
    assert hashlib.sha256(innehall).hexdigest() == gjort.sha256
    # served from the shared storage: one query, nothing rendered
    with django_capture_on_commit_callbacks(execute=True), django_assert_num_queries(1):
        svar = services.som_svar(_dokument(), "docx")
    assert svar.status_code == 200
    assert svar.content == innehall
    assert 'filename="protokoll-2025-10-16.docx"' in svar["Content-Disposition"]
    assert broker.skickat == []
    # a changed document is another document: made anew
    with django_capture_on_commit_callbacks(execute=True):
        assert services.som_svar(_dokument("Protokoll, rättat"), "docx").status_code == 202
    assert len(broker.skickat) == 1


def test_with_a_broker_the_outbox_is_sent_by_the_worker_once(
    db, broker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        rad = utskick.lagg_i_utskick(amne="Kallelse", text="Välkommen", till=["a@example.se"])
    assert broker.skickat == [("arenden.utskick.skicka", [[rad.pk]])]
    assert mail.outbox == []
    # the task, and a redelivery of it: one e-mail
    assert celery.skicka_utskick([rad.pk]) == 1
    assert celery.skicka_utskick([rad.pk]) == 0
    assert [m.subject for m in mail.outbox] == ["Kallelse"]
