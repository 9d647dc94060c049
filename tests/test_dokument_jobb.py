"""Documents and the outbox off the request when a Celery broker is configured (issue 18.5),
with the broker replaced by a recorder; tests/test_skala.py runs them on a real worker."""

import hashlib
import io

import docx
import pytest
from django.core import mail
from django.urls import reverse

from arenden.dokument import jobb, services
from arenden.gemensamt import utskick
from arenden.handlaggning import services as handlaggning_services
from config import celery
from tests import factories
from workflow.engine import do_transition


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


SKYDDAT = "Patienten NN:s klagomål om vården på avdelning 7"
FORSLAG = "Att bevilja NN skyddat boende på Storgatan 1."


@pytest.fixture
def cast(db):
    return factories.Cast()


@pytest.fixture
def hemligt(cast):
    """A secret ärende with a tjänsteskrivelse whose text is as secret as its ärendemening."""
    arende = cast.registrera(SKYDDAT, sekretess_lagrum="OSL 25 kap. 1 §")
    handlaggning_services.tilldela(arende, handlaggare=cast.handlaggare, user=cast.stabschef)
    do_transition(arende, "paborja_beredning", cast.handlaggare)
    factories.forslag_till_beslut(arende, cast.handlaggare, forslag=FORSLAG)
    return arende


def _hamta(client, user, arende):
    client.force_login(user)
    return client.get(reverse("arenden:tjansteskrivelse_dokument", args=[arende.pk, "docx"]))


def _text(innehall: bytes) -> list[str]:
    return [stycke.text for stycke in docx.Document(io.BytesIO(innehall)).paragraphs]


def test_with_a_broker_the_page_says_it_is_being_made_and_queues_it_after_commit(
    client, cast, hemligt, broker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as efter_commit:
        svar = _hamta(client, cast.handlaggare, hemligt)
        assert broker.skickat == []  # nothing leaves before the transaction commits
    assert svar.status_code == 202
    assert svar["Retry-After"] == "5"
    text = svar.content.decode()
    assert "Dokumentet skapas" in text and "Ladda om sidan" in text
    assert "tjansteskrivelse-HSN-1-2025.docx" in text
    for callback in efter_commit:
        callback()
    [(namn, args)] = broker.skickat
    assert namn == "arenden.dokument.generera"
    nyckel = jobb.nyckel(jobb.som_data(services.tjansteskrivelse(hemligt)), "docx")
    assert args == ["tjansteskrivelse", hemligt.pk, False, "docx", nyckel]


def test_no_secret_content_goes_to_the_broker_and_the_worker_makes_the_same_document(
    client, cast, hemligt, broker, django_capture_on_commit_callbacks
):
    """OSL 5 kap. 5 §: the message names the document (kind, id, masked or not, key); the
    worker reads the secret text from the database, and the reader gets what the request would
    have made."""
    with django_capture_on_commit_callbacks(execute=True):
        assert _hamta(client, cast.handlaggare, hemligt).status_code == 202
    [(namn, args)] = broker.skickat
    meddelande = repr(args)
    for hemligt_ord in (SKYDDAT, "NN", "avdelning", "Storgatan", "boende", "Tjänsteskrivelse"):
        assert hemligt_ord not in meddelande
    # the worker, with the message delivered twice: one document
    assert celery.generera_dokument(*args) == celery.generera_dokument(*args) == args[-1]
    gjort = jobb.GenereratDokument.objects.get()
    innehall = gjort.fil.read()
    assert hashlib.sha256(innehall).hexdigest() == gjort.sha256
    # served from the shared storage, nothing sent again, and what the request would have made
    with django_capture_on_commit_callbacks(execute=True):
        svar = _hamta(client, cast.handlaggare, hemligt)
    assert svar.status_code == 200
    assert svar.content == innehall
    assert 'filename="tjansteskrivelse-HSN-1-2025.docx"' in svar["Content-Disposition"]
    assert len(broker.skickat) == 1
    i_begaran = services.skriv(services.tjansteskrivelse(hemligt), "docx")
    assert _text(innehall) == _text(i_begaran)
    assert SKYDDAT in _text(innehall) and FORSLAG in _text(innehall)


def test_the_masked_version_is_another_document_and_masked_by_the_worker(
    client, cast, hemligt, broker, django_capture_on_commit_callbacks
):
    # the registrator sees the ärende, not its secret content: the masked tjänsteskrivelse
    with django_capture_on_commit_callbacks(execute=True):
        assert _hamta(client, cast.registrator, hemligt).status_code == 202
    [(_namn, args)] = broker.skickat
    assert args[:3] == ["tjansteskrivelse", hemligt.pk, True]
    celery.generera_dokument(*args)
    text = " ".join(_text(jobb.GenereratDokument.objects.get(nyckel=args[-1]).fil.read()))
    assert "Sekretess" in text and "NN" not in text and "Storgatan" not in text


def test_a_source_changed_before_the_worker_came_is_stored_under_its_new_key(
    client, cast, hemligt, broker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _hamta(client, cast.handlaggare, hemligt)
    [(_namn, args)] = broker.skickat
    factories.forslag_till_beslut(hemligt, cast.handlaggare, forslag="Att avslå.")
    ny = celery.generera_dokument(*args)
    assert ny != args[-1]
    assert "Att avslå." in _text(jobb.GenereratDokument.objects.get(nyckel=ny).fil.read())
    assert not jobb.GenereratDokument.objects.filter(nyckel=args[-1]).exists()


def test_a_source_that_is_gone_or_unknown_makes_nothing(db, broker):
    assert celery.generera_dokument("tjansteskrivelse", 999999, False, "docx", "0" * 64) is None
    assert celery.generera_dokument("hemligt", 1, False, "docx", "0" * 64) is None
    assert not jobb.GenereratDokument.objects.exists()


def test_a_document_without_a_source_is_made_in_the_request_even_with_a_broker(db, broker):
    # nothing to name it by but its content: so it does not go to the broker
    svar = services.som_svar(_dokument(), "docx")
    assert svar.status_code == 200 and svar.content.startswith(b"PK")
    assert broker.skickat == []


def test_a_task_takes_references_only(db, broker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for innehall in (jobb.som_data(_dokument()), SKYDDAT, "Protokoll 2025-10-16"):
            with pytest.raises(TypeError):
                celery.utfor("arenden.dokument.generera", innehall, 1, False, "docx", "0" * 64)
    assert broker.skickat == []


def test_with_a_broker_the_outbox_is_sent_by_the_worker_once(
    db, broker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        rad = utskick.lagg_i_utskick(amne="Kallelse", text="Välkommen", till=["a@example.se"])
    # the message names the row: the e-mail's text stays in the database
    assert broker.skickat == [("arenden.utskick.skicka", [[rad.pk]])]
    assert "Välkommen" not in repr(broker.skickat) and "Kallelse" not in repr(broker.skickat)
    assert mail.outbox == []
    # the task, and a redelivery of it: one e-mail
    assert celery.skicka_utskick([rad.pk]) == 1
    assert celery.skicka_utskick([rad.pk]) == 0
    assert [m.subject for m in mail.outbox] == ["Kallelse"]


def test_a_document_the_worker_cannot_make_is_said_so_not_made_forever(
    client, cast, hemligt, broker, django_capture_on_commit_callbacks, monkeypatch
):
    """A worker that fails every time (a rendering error) leaves no page that says the
    document is being made for ever: after MAX_FORSOK attempts the page says it could not
    be made, and asked again the worker tries again; once made, it is served."""

    def fel(dokument, format):
        raise ValueError(f"{SKYDDAT} gick inte att skriva")  # a message that quotes the text

    with django_capture_on_commit_callbacks(execute=True):
        assert _hamta(client, cast.handlaggare, hemligt).status_code == 202
    [(_namn, args)] = broker.skickat
    monkeypatch.setattr(services, "skriv", fel)
    for forsok in range(1, jobb.MAX_FORSOK + 1):
        with pytest.raises(ValueError):
            celery.generera_dokument(*args)
        rad = jobb.MisslyckatDokument.objects.get(nyckel=args[-1])
        assert (rad.forsok, rad.senaste_fel) == (forsok, "ValueError")  # never its message
        if forsok < jobb.MAX_FORSOK:
            assert _hamta(client, cast.handlaggare, hemligt).status_code == 202
    with django_capture_on_commit_callbacks(execute=True):
        svar = _hamta(client, cast.handlaggare, hemligt)
    assert svar.status_code == 503
    text = svar.content.decode()
    assert "Dokumentet kunde inte skapas" in text and "Ett nytt försök görs nu" in text
    assert 'http-equiv="refresh"' not in text and SKYDDAT not in text
    assert broker.skickat[-1] == ("arenden.dokument.generera", args)  # queued again
    monkeypatch.undo()
    assert celery.generera_dokument(*args) == args[-1]
    assert not jobb.MisslyckatDokument.objects.exists()
    assert _hamta(client, cast.handlaggare, hemligt).status_code == 200


@pytest.mark.parametrize("andring", ["bytt", "borta"])
def test_a_made_document_swapped_or_lost_in_the_storage_is_never_served_and_is_made_again(
    client, cast, hemligt, broker, django_capture_on_commit_callbacks, andring
):
    """The stored document carries the SHA-256 the worker recorded: a file swapped in the
    shared storage (a forged protokoll in place of the real one) is not handed out; the
    reader is told it is being made, and the worker makes it again from its source."""
    with django_capture_on_commit_callbacks(execute=True):
        assert _hamta(client, cast.handlaggare, hemligt).status_code == 202
    [(_namn, args)] = broker.skickat
    celery.generera_dokument(*args)
    gjort = jobb.GenereratDokument.objects.get()
    path = gjort.fil.path
    if andring == "bytt":
        with open(path, "wb") as fil:
            fil.write(b"PK forfalskat protokoll")
    else:
        gjort.fil.storage.delete(gjort.fil.name)
    with django_capture_on_commit_callbacks(execute=True):
        svar = _hamta(client, cast.handlaggare, hemligt)
    assert svar.status_code == 202
    assert b"forfalskat" not in svar.content
    assert not jobb.GenereratDokument.objects.exists()
    assert len(broker.skickat) == 2 and broker.skickat[1][1] == args
    celery.generera_dokument(*args)
    with django_capture_on_commit_callbacks(execute=True):
        svar = _hamta(client, cast.handlaggare, hemligt)
    assert svar.status_code == 200 and SKYDDAT in _text(svar.content)
