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


#: task name → (function, crontab fields): the timers every five minutes, the reminders daily
JOBB = {
    "flows.workflow_timers": (workflow_timers, {"minute": "*/5"}),
    "flows.bevakning": (bevakning, {"minute": "0", "hour": "7"}),
}


def generera_dokument(data: dict, format: str) -> str:
    """Make a PDF or DOCX off the request (:func:`arenden.dokument.jobb.generera`)."""
    from arenden.dokument import jobb

    return jobb.generera(data, format)


def skicka_utskick(pks: list[int] | None = None) -> int:
    """Send the outbox, or the rows named (:func:`arenden.gemensamt.utskick.skicka`)."""
    from arenden.gemensamt import utskick

    return utskick.skicka(pks).skickade


#: tasks queued by the web nodes (after their transaction commits), not on a schedule; each is
#: idempotent, so a redelivered message does no harm
UPPGIFTER = {
    "arenden.dokument.generera": generera_dokument,
    "arenden.utskick.skicka": skicka_utskick,
}


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
        # midway leaves it to another (which the idempotence makes harmless)
        app.task(name=namn, acks_late=True)(funktion)
    app.conf.beat_schedule = {
        namn: {"task": namn, "schedule": crontab(**tider)} for namn, (_f, tider) in JOBB.items()
    }
    return app


app = skapa_app() if konfigurerad() else None
