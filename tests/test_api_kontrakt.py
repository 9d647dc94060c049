"""Contract tests: Schemathesis generates requests from the API's own OpenAPI schema and sends
them through the WSGI application, logged in with a demo role's key over the demo's data.
Whatever it sends, no answer is a 5xx, and every answer (its status, media type and body)
is one the schema documents. Bounded: a fixed, small number of examples per operation, drawn
deterministically, so that the run is short and the same every time."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from arenden import demo
from arenden.models import Arende, Handling, Sammantrade
from config.wsgi import application
from workflow import registry

pytestmark = pytest.mark.django_db

#: examples per operation and role
EXEMPEL = 6
KONTROLLER = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def samma_anslutning():
    """The WSGI application works on the test's connection, inside its transaction: the
    connection is not closed at the end of each request (as Django's test client does)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _verkliga(operation):
    """Half the examples address objects that exist (a random id is nearly always a 404)."""
    path = operation.path
    if "{id}" in path:
        if path.startswith("/api/handlingar/"):
            ids = list(Handling.objects.values_list("pk", flat=True))
        elif path.startswith("/api/sammantraden/"):
            ids = list(Sammantrade.objects.values_list("pk", flat=True))
        else:
            ids = list(Arende.objects.values_list("pk", flat=True))
        return st.sampled_from(ids).map(lambda pk: {"id": pk})
    if "{namn}" in path:
        namn = [wl for wf in registry.all_workflows() for wl in wf.worklists]
        return st.sampled_from(namn).map(lambda n: {"namn": n})
    return None


def _med(case, parametrar):
    case.path_parameters = {**(case.path_parameters or {}), **parametrar}
    return case


@pytest.mark.parametrize("roll", ["registrator", "handlaggare", "revisor"])
def test_no_answer_is_a_server_error_or_outside_the_schema(roll):
    folk = demo.bygg_organisation()
    demo.ladda(folk)
    nyckel = Token.objects.create(user=demo.User.objects.get(username=roll)).key
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
    operationer = [resultat.ok() for resultat in schema.get_all_operations()]
    assert len(operationer) >= 15
    fel = []
    for operation in operationer:
        strategi = operation.as_strategy()
        verkliga = _verkliga(operation)
        if verkliga is not None:
            strategi = st.one_of(strategi, st.tuples(strategi, verkliga).map(lambda p: _med(*p)))

        @given(case=strategi)
        @settings(
            max_examples=EXEMPEL,
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
        def prova(case):
            case.call_and_validate(headers={"Authorization": f"Token {nyckel}"}, checks=KONTROLLER)

        try:
            prova()
        except Exception as err:  # noqa: BLE001 - every operation's failure is collected
            fel.append(f"{operation.method.upper()} {operation.path}: {err}")
    assert fel == [], "\n\n".join(fel)


def test_a_delete_refused_by_what_points_at_it_is_a_conflict_in_swedish():
    from django.db.models import ProtectedError

    from arenden.api.problem import hantera

    svar = hantera(ProtectedError("x", set()), {})
    assert svar.status_code == 409
    assert svar.data["detail"] == (
        "Det går inte att ta bort, eftersom andra uppgifter hänvisar till det."
    )
    assert svar.data["type"].endswith("hanvisad")
