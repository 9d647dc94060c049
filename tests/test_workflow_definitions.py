"""Definitions are validated when they are built, with an error naming each problem."""

import pytest

from tests.exampleapp.workflows import dokument
from workflow.definitions import DefinitionError, Guard, State, Transition, Workflow, Worklist


def build(**changes):
    spec = dict(
        id="prov",
        title="Prov",
        roles=("Handläggare",),
        initial_state="a",
        states=[State("a", "A"), State("b", "B", final=True)],
        transitions=[Transition("t", "T", "a", "b", guard=Guard(roles=("Handläggare",)))],
        worklists=[Worklist("w", "W", ("a",), ("Handläggare",))],
    )
    spec.update(changes)
    return Workflow(**spec)


def problems_of(**changes):
    with pytest.raises(DefinitionError) as raised:
        build(**changes)
    return raised.value.problems


def test_valid_definition_builds():
    wf = build()
    assert wf.initial_state == "a"
    assert [t.id for t in wf.user_transitions_from("a")] == ["t"]
    assert dokument().problems() == []


def test_unknown_initial_state():
    assert any("starttillståndet x" in p for p in problems_of(initial_state="x"))


def test_transition_to_and_from_unknown_states():
    problems = problems_of(
        transitions=[Transition("t", "T", "a", "b"), Transition("u", "U", "z", "y")]
    )
    assert any("övergången u utgår från okänt tillstånd z" in p for p in problems)
    assert any("övergången u leder till okänt tillstånd y" in p for p in problems)


def test_unknown_roles_in_guard_permission_map_and_worklist():
    problems = problems_of(
        states=[
            State("a", "A", permissions={"app.view_x": ("Spöke",)}),
            State("b", "B", final=True),
        ],
        transitions=[Transition("t", "T", "a", "b", guard=Guard(roles=("Gäst",)))],
        worklists=[Worklist("w", "W", ("a",), ("Okänd",))],
    )
    text = "\n".join(problems)
    assert "okänd roll Spöke i tillståndet a" in text
    assert "okänd roll Gäst i övergången t" in text
    assert "okänd roll Okänd i arbetslistan w" in text


def test_unreachable_state():
    problems = problems_of(
        states=[State("a", "A"), State("b", "B", final=True), State("c", "C", final=True)]
    )
    assert problems == ["tillståndet c kan inte nås från starttillståndet"]


def test_non_final_state_without_exit():
    problems = problems_of(states=[State("a", "A"), State("b", "B")])
    assert problems == ["tillståndet b är inte slutligt men saknar utgående övergångar"]


def test_stay_transition_is_not_an_exit():
    problems = problems_of(
        states=[State("a", "A"), State("b", "B")],
        transitions=[Transition("t", "T", "a", "b"), Transition("s", "S", "b", None)],
    )
    assert problems == ["tillståndet b är inte slutligt men saknar utgående övergångar"]


def test_duplicate_ids_and_malformed_permission():
    problems = problems_of(
        states=[
            State("a", "A", permissions={"utan_app": ()}),
            State("b", "B", final=True),
            State("b", "B2", final=True),
        ],
    )
    text = "\n".join(problems)
    assert "tillstånd b är deklarerad två gånger" in text
    assert "behörigheten utan_app i tillståndet a ska skrivas app.kodnamn" in text


def test_error_message_names_the_workflow_and_every_problem():
    with pytest.raises(DefinitionError) as raised:
        build(initial_state="x", states=[State("a", "A")])
    message = str(raised.value)
    assert message.startswith("Arbetsflödet prov är felaktigt:")
    assert "starttillståndet x finns inte" in message
    assert "övergången t leder till okänt tillstånd b" in message
