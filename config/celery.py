"""Celery beat for the timed jobs, used only when configured.

Celery is an optional extra (``pip install -e ".[celery]"``) and runs only when
``CELERY_BROKER_URL`` is set (RabbitMQ: ``amqp://guest:guest@127.0.0.1:5672//``); start a
worker with beat::

    CELERY_BROKER_URL=amqp://guest:guest@127.0.0.1:5672// \
        .venv/bin/celery -A config.celery worker --beat

Besides the timed jobs the web nodes queue work here (``UPPGIFTER``: documents, the outbox),
after their transaction commits. Without Celery installed, or without a broker configured,
``app`` is None and nothing here fails: that work is done in the request, and the jobs run
from cron through ``manage.py workflow_timers`` and ``manage.py bevakning`` instead. Both
ways call the same functions, in :mod:`flows.jobb`.
"""

import os
import re

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

try:
    from celery import Celery
    from celery.schedules import crontab
except ImportError:  # the optional extra is not installed
    Celery = crontab = None


def workflow_timers() -> int:
    """Fire the due flow timers (:func:`flows.jobb.kor_timers`)."""
    from flows import jobb

    return jobb.kor_timers()


def bevakning() -> int:
    """Remind the handläggare of återrapportering due (:func:`flows.jobb.skicka_paminnelser`)."""
    from flows import jobb

    return len(jobb.skicka_paminnelser())


def arkivera_kvarvarande() -> int:
    """Send again the filings that have waited too long (a lost message, a dead worker):
    :func:`arenden.dokument.arkivering.skicka_kvarvarande`."""
    from arenden.dokument import arkivering

    return arkivering.skicka_kvarvarande()


def skicka_utskick(pks: list[int] | None = None) -> int:
    """Send the outbox, or the rows named (:func:`arenden.gemensamt.utskick.skicka`). Queued
    with the rows of a step that wrote e-mail; on the schedule, all that is left: an e-mail
    whose message was lost (a broker down at the commit, a worker that died) or that the mail
    server refused, as cron's ``manage.py skicka_utskick`` does."""
    from arenden.gemensamt import utskick

    return utskick.skicka(pks).skickade


def kontrollpunkt() -> None:
    """Write a signed checkpoint of the history, then check the whole history against it
    (``manage.py workflow_checkpoint`` and ``verify_history``, as cron runs them): a history
    found broken fails the task, and Celery reports it."""
    from django.core.management import call_command

    call_command("workflow_checkpoint")
    call_command("verify_history")


#: task name → (function, crontab fields): the same jobs at the same times as cron's (README,
#: "Tidsstyrda jobb"): the timers, the outbox and the filings left waiting every five minutes,
#: the reminders daily, the checkpoint nightly
JOBB = {
    "flows.workflow_timers": (workflow_timers, {"minute": "*/5"}),
    "flows.bevakning": (bevakning, {"minute": "0", "hour": "7"}),
    "arenden.utskick.svep": (skicka_utskick, {"minute": "*/5"}),
    "arenden.arkivera_kvarvarande": (arkivera_kvarvarande, {"minute": "*/5"}),
    "workflow.kontrollpunkt": (kontrollpunkt, {"minute": "30", "hour": "2"}),
}


def generera_dokument(slag: str, pk: int, publik: bool, format: str, nyckel: str) -> str | None:
    """Make a PDF or DOCX off the request (:func:`arenden.dokument.jobb.generera`)."""
    from arenden.dokument import jobb

    return jobb.generera(slag, pk, publik, format, nyckel)


def las_dokumenttext(pk: int) -> bool:
    """Read the text of a handling's file for the search (:func:`arenden.dokument.text.las_in`)."""
    from arenden.dokument import text

    return text.las_in(pk)


def arkivera(pk: int) -> bool:
    """Make and file the documents a step drew up (:func:`arenden.dokument.arkivering.utfor`)."""
    from arenden.dokument import arkivering

    return arkivering.utfor(pk)


#: tasks queued by the web nodes (after their transaction commits), not on a schedule; each is
#: idempotent, so a redelivered message does no harm
UPPGIFTER = {
    "arenden.dokument.generera": generera_dokument,
    "arenden.utskick.skicka": skicka_utskick,
    "arenden.dokument.text": las_dokumenttext,
    "arenden.arkivera": arkivera,
}

#: what a task argument may be: a reference (a kind, a format, a key), never text. A message
#: broker is not a place for secret content (OSL 5 kap. 5 §: secret content only to those who
#: need it): the worker reads what it needs from the database.
_REFERENS = re.compile(r"[a-z0-9_-]{1,64}")


def _referens(varde) -> bool:
    if varde is None or isinstance(varde, (bool, int)):
        return True
    if isinstance(varde, str):
        return _REFERENS.fullmatch(varde) is not None
    if isinstance(varde, (list, tuple)):
        return all(isinstance(v, int) and not isinstance(v, bool) for v in varde)
    return False


def utfor(uppgift: str, *args) -> None:
    """Do the task ``uppgift`` with ``args``: with a broker, on a worker once the caller's
    transaction commits (nothing leaves for a step that is rolled back); without one, here and
    now. The one way the web nodes hand work to the workers. ``args`` are references only
    (ids, kinds, keys: see ``_REFERENS``); anything else is refused before it reaches the
    broker."""
    from django.db import transaction

    funktion = UPPGIFTER[uppgift]
    for varde in args:
        if not _referens(varde):
            raise TypeError(f"{uppgift}: en uppgift tar bara referenser (id, slag, nyckel)")
    if app is None:
        funktion(*args)
        return
    # robust: a broker that is down is logged, and must not turn the committed step into an
    # error page (the outbox is tried again by cron; a document page asks again)
    transaction.on_commit(lambda: app.send_task(uppgift, args=list(args)), robust=True)


def konfigurerad() -> bool:
    """Is Celery installed and a broker configured?"""
    return Celery is not None and bool(os.environ.get("CELERY_BROKER_URL"))


def skapa_app():
    """The Celery app with the jobs and their beat schedule (Celery must be installed)."""
    app = Celery("arendehantering")
    app.config_from_object("django.conf:settings", namespace="CELERY")
    for namn, (funktion, _tider) in JOBB.items():
        app.task(name=namn)(funktion)
    for namn, funktion in UPPGIFTER.items():
        # acks_late: a message is acknowledged when its task is done, so a worker that dies
        # midway leaves it to another (which the idempotence makes harmless);
        # reject_on_worker_lost: without it Celery acknowledges the message of a pool child
        # that was killed (out of memory, SIGKILL), and it is never done
        app.task(name=namn, acks_late=True, reject_on_worker_lost=True)(funktion)
    app.conf.beat_schedule = {
        namn: {"task": namn, "schedule": crontab(**tider)} for namn, (_f, tider) in JOBB.items()
    }
    return app


app = skapa_app() if konfigurerad() else None
