"""Celery beat for the timed jobs, used only when configured.

Celery is an optional extra (``pip install -e ".[celery]"``) and runs only when
``CELERY_BROKER_URL`` is set (e.g. ``redis://localhost:6379/0``); start a worker with beat::

    CELERY_BROKER_URL=redis://localhost:6379/0 .venv/bin/celery -A config.celery worker --beat

Without Celery installed, or without a broker configured, ``app`` is None and nothing here
fails: the jobs run from cron through ``manage.py workflow_timers`` and ``manage.py
bevakning`` instead. Both ways call the same functions, in :mod:`flows.jobb`.
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


def konfigurerad() -> bool:
    """Is Celery installed and a broker configured?"""
    return Celery is not None and bool(os.environ.get("CELERY_BROKER_URL"))


def skapa_app():
    """The Celery app with the jobs and their beat schedule (Celery must be installed)."""
    app = Celery("arendehantering")
    app.config_from_object("django.conf:settings", namespace="CELERY")
    for namn, (funktion, _tider) in JOBB.items():
        app.task(name=namn)(funktion)
    app.conf.beat_schedule = {
        namn: {"task": namn, "schedule": crontab(**tider)} for namn, (_f, tider) in JOBB.items()
    }
    return app


app = skapa_app() if konfigurerad() else None
