"""Shared fixtures. The suite runs on SQLite, and again on PostgreSQL when ``DATABASE_URL``
points at one; tests marked ``postgres`` run only in the PostgreSQL run, tests marked
``sqlite`` only in the SQLite run (each proves something the other database cannot show, or,
for ``sqlite``, uses none of the suite's database, so a second run would prove nothing more)."""

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection

from tests.exampleapp.models import Document, Folder
from tests.exampleapp.workflows import dokument
from workflow import registry
from workflow.context import acting_as
from workflow.definitions import Workflow


def pytest_collection_modifyitems(config, items):
    vendor = connection.vendor
    keep, drop = [], []
    for item in items:
        if item.get_closest_marker("postgres") and vendor != "postgresql":
            drop.append(item)
        elif item.get_closest_marker("sqlite") and vendor != "sqlite":
            drop.append(item)
        else:
            keep.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def pytest_report_header(config):
    return f"databas: {connection.vendor} ({connection.settings_dict['NAME']})"


@pytest.fixture
def make_user(db):
    def make(username, *roles, **extra):
        user = User.objects.create_user(username=username, password="lösenord-123", **extra)
        for role in roles:
            group, _ = Group.objects.get_or_create(name=role)
            user.groups.add(group)
        return user

    return make


@pytest.fixture
def delegat(db):
    """A delegat of the nämnd's delegationsordning (KL 6 kap. 37 §): an enhetschef with an
    account, named on no row yet."""
    from tests import factories

    user = factories.user("delegat-HSN")
    factories.person("Dora Delegat", anvandare=user, titel="enhetschef")
    return user


@pytest.fixture
def folder(db):
    return Folder.objects.create(name="Nämndens dokument")


@pytest.fixture
def make_document(folder):
    def make(title="Dokument", creator=None, **fields):
        fields.setdefault("folder", folder)
        with acting_as(creator):
            return Document.objects.create(title=title, **fields)

    return make


@pytest.fixture
def dokument_med():
    """Installs the example workflow with extra transitions for one test."""

    def install(*extra):
        base = dokument()
        registry.register(
            Workflow(
                id=base.id,
                title=base.title,
                states=base.state_list,
                transitions=[*base.transition_list, *extra],
                initial_state=base.initial_state,
                roles=base.roles,
                worklists=base.worklist_list,
            )
        )

    yield install
    registry.register(dokument())


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so fixtures can see whether it failed (the
    browser tests then save a screenshot of the page as it was)."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def _tommer_databasen(item) -> bool:
    """Does the test end by emptying every table (a transactional test, or a live server)?"""
    marker = item.get_closest_marker("django_db")
    if marker and marker.kwargs.get("transaction"):
        return True
    return bool({"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test ends by emptying every table, the data the migrations installed
    included: the klassificeringsstruktur and dokumenthanteringsplan are put back afterwards,
    so that every test finds the database as a fresh installation has it."""
    result = yield
    # after the last test the test database is gone: nothing to put back
    if nextitem is not None and _tommer_databasen(item):
        from importlib import import_module

        from django.apps import apps
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            import_module("arenden.migrations.0019_klassificering_gallring").grundstruktur(
                apps, None
            )
    return result


class Broker:
    """Stands in for RabbitMQ: records what would have been sent to it."""

    def __init__(self):
        self.skickat = []

    def send_task(self, namn, args=()):
        self.skickat.append((namn, list(args)))


@pytest.fixture
def broker(monkeypatch, settings, tmp_path):
    """A Celery broker configured (config.celery.app), recording instead of sending; files
    under a temporary MEDIA_ROOT."""
    from config import celery

    settings.MEDIA_ROOT = tmp_path
    b = Broker()
    monkeypatch.setattr(celery, "app", b)
    return b
