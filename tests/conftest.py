"""Shared fixtures. The suite runs on SQLite, and again on PostgreSQL when ``DATABASE_URL``
points at one; tests marked ``postgres`` run only in the PostgreSQL run, tests marked
``sqlite`` only in the SQLite run (each proves something the other database cannot show)."""

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection

from tests.exampleapp.models import Document, Folder
from workflow.context import acting_as


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
def folder(db):
    return Folder.objects.create(name="Nämndens dokument")


@pytest.fixture
def make_document(folder):
    def make(title="Dokument", creator=None, **fields):
        fields.setdefault("folder", folder)
        with acting_as(creator):
            return Document.objects.create(title=title, **fields)

    return make


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so fixtures can see whether it failed (the
    browser tests then save a screenshot of the page as it was)."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report
