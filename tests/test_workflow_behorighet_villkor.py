"""A role that holds a permission in a state only on some objects (``State.only_where``): the
engine asks the object's check for that role and permission alone, whoever asks
``user.has_perm(perm, obj)``, and a definition that conditions a permission the role does not
hold there is refused."""

import json

import pytest

from tests.exampleapp.workflows import CHANGE, VIEW
from workflow import export, registry
from workflow.definitions import DefinitionError, State, Transition, Workflow


def vanlig(doc) -> bool:
    return doc.kind == "vanlig"


def _med_villkor(only_where):
    return Workflow(
        id="villkor",
        title="Villkor",
        roles=("Författare", "Granskare"),
        initial_state="utkast",
        states=[
            State(
                "utkast",
                "Utkast",
                permissions={
                    VIEW: ("Författare", "Granskare"),
                    CHANGE: ("Författare", "Granskare"),
                },
                only_where=only_where,
            ),
            State("klar", "Klar", final=True),
        ],
        transitions=[Transition("klarmarkera", "Klarmarkera", "utkast", "klar")],
    )


@pytest.fixture
def villkor():
    registry.register(_med_villkor({CHANGE: {"Granskare": vanlig}}))
    registry.bind("exampleapp.Document", "villkor")
    yield
    registry.unregister("villkor")
    registry.bind("exampleapp.Document", "dokument")


@pytest.mark.django_db
def test_the_role_holds_the_permission_only_where_the_check_holds(
    villkor, make_user, make_document
):
    anna = make_user("anna", "Författare")
    bertil = make_user("bertil", "Granskare")
    vanligt = make_document("Plan", creator=anna)
    sarskilt = make_document("Avtal", creator=anna, kind="särskild")
    assert bertil.has_perm(CHANGE, vanligt) and not bertil.has_perm(CHANGE, sarskilt)
    # the other permission of the role, and the other role, are not conditioned
    assert bertil.has_perm(VIEW, sarskilt)
    assert anna.has_perm(CHANGE, sarskilt)
    assert CHANGE not in bertil.get_all_permissions(sarskilt)
    assert CHANGE in bertil.get_all_permissions(vanligt)


def test_a_condition_on_a_permission_the_role_does_not_hold_is_refused():
    with pytest.raises(DefinitionError) as fel:
        _med_villkor({"exampleapp.publish_document": {"Författare": vanlig}})
    assert fel.value.problems == [
        "villkoret för rollen Författare på exampleapp.publish_document i tillståndet utkast "
        "gäller en behörighet rollen inte har där"
    ]


def test_a_state_keeps_the_conditions_it_was_given_not_the_callers_dict():
    """The state is frozen: a definition's dict changed after the state was built changes
    nothing the engine asks."""
    villkor = {"Granskare": vanlig}
    state = State(
        "utkast", "Utkast", permissions={CHANGE: ("Granskare",)}, only_where={CHANGE: villkor}
    )
    villkor["Granskare"] = lambda doc: True
    assert state.only_where == {CHANGE: {"Granskare": vanlig}}


def test_the_export_names_the_condition():
    data = json.loads(export.to_json(_med_villkor({CHANGE: {"Granskare": vanlig}})))
    assert data["states"][0]["only_where"] == {CHANGE: {"Granskare": "vanlig"}}
    assert "only_where" not in data["states"][1]
