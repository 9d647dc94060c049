"""What a developer reads from a definition (the error listing its problems, the exported
JSON, who may take a step) and what a user reads when the engine refuses a step: the exact
texts and values, so that a changed word, separator or default is noticed (mutation run of
2026-12-06, workflow.definitions and workflow.engine)."""

import json
from enum import StrEnum

import pytest

from tests.exampleapp.models import Document
from tests.exampleapp.workflows import CHANGE, PUBLISH, dokument
from workflow import export
from workflow.definitions import (
    DefinitionError,
    Guard,
    Requirement,
    State,
    Tasks,
    Transition,
    Workflow,
    Worklist,
)
from workflow.engine import (
    MAX_COMMENT,
    RequirementMissing,
    TransitionNotAllowed,
    allowed_transitions,
    do_transition,
    version,
)


class Namngiven:
    """A callable without ``__qualname__`` (like a ``functools.partial``): exported by repr."""

    def __init__(self, namn):
        self.namn = namn

    def __call__(self, *args):
        return True

    def __repr__(self):
        return f"<{self.namn}>"


def uppgifter_nar(obj):
    return True


def build(**changes):
    spec = dict(
        id="prov",
        title="Prov",
        roles=("Handläggare", "Chef"),
        initial_state="a",
        states=[State("a", "A"), State("b", "B", final=True)],
        transitions=[Transition("t", "T", "a", "b", guard=Guard(roles=("Handläggare",)))],
    )
    spec.update(changes)
    return Workflow(**spec)


# -- the error a broken definition gives ------------------------------------------------------


def test_definition_error_lists_each_problem_on_its_own_line():
    with pytest.raises(DefinitionError) as raised:
        build(
            initial_state="x",
            states=[
                State("a", "A", tasks=(Tasks(open=()),)),
                State("b", "B", final=True),
            ],
        )
    error = raised.value
    assert error.workflow_id == "prov"
    assert str(error) == (
        "Arbetsflödet prov är felaktigt:\n"
        "  - starttillståndet x finns inte bland tillstånden\n"
        "  - tillståndet a har en grupp uppgifter utan någon öppen uppgift"
    )


def test_a_stay_in_place_step_does_not_make_a_state_reachable():
    with pytest.raises(DefinitionError) as raised:
        build(
            states=[State("a", "A"), State("b", "B"), State("c", "C", final=True)],
            transitions=[
                Transition("t", "T", "a", "c"),
                Transition("stanna", "Stanna", ("a", "b"), None),
                Transition("u", "U", "b", "c"),
            ],
        )
    assert raised.value.problems == ["tillståndet b kan inte nås från starttillståndet"]


# -- the exported definition --------------------------------------------------------------------


class Steg(StrEnum):
    A = "a"
    B = "b"
    T = "t"
    W = "w"


def test_a_definition_built_from_vocabulary_members_keeps_plain_strings():
    wf = build(
        states=[State(Steg.A, "A"), State(Steg.B, "B", final=True)],
        transitions=[Transition(Steg.T, "T", Steg.A, Steg.B)],
        worklists=[Worklist(Steg.W, "W", (Steg.A,), ("Chef",))],
    )
    ids = [
        wf.states["a"].id,
        wf.transitions["t"].id,
        wf.transitions["t"].target,
        wf.worklists["w"].id,
    ]
    assert [type(i) for i in ids] == [str] * 4
    assert repr(ids) == "['a', 't', 'b', 'w']"


def test_a_transition_is_not_changed_by_the_lists_it_was_built_from():
    before, after, requires = [uppgifter_nar], [uppgifter_nar], [Requirement(bool, "saknas")]
    transition = Transition("t", "T", "a", "b", before=before, after=after, requires=requires)
    before.append(print)
    after.clear()
    requires.clear()
    assert (len(transition.before), len(transition.after), len(transition.requires)) == (1, 1, 1)
    hash(transition)  # a frozen definition can be kept in a set


def test_export_names_callables_without_qualified_name_by_repr():
    transition = Transition(
        "t",
        "T",
        "a",
        "b",
        guard=Guard(roles="Chef", permissions="app.se", condition=Namngiven("villkor")),
        before=(Namngiven("före"),),
        after=(Namngiven("efter"),),
        requires=(Requirement(Namngiven("kontroll"), "något saknas"),),
    )
    exported = transition.as_dict()
    assert exported["guard"] == {
        "roles": ["Chef"],
        "permissions": ["app.se"],
        "condition": "<villkor>",
    }
    assert exported["before"] == ["<före>"]
    assert exported["after"] == ["<efter>"]
    assert exported["requires"] == [{"check": "<kontroll>", "missing": "något saknas"}]


def test_json_export_of_states_with_tasks_and_worklists():
    wf = build(
        states=[
            State(
                "a",
                "A",
                permissions={"app.se": "Chef"},
                tasks=(
                    Tasks(open=("bered",), besides=("yttra",), when=uppgifter_nar),
                    Tasks(open="vanta", entry=False, start="paminn", when=Namngiven("när")),
                ),
            ),
            State("b", "B", final=True, tasks=()),
        ],
        worklists=[Worklist("w", "Att göra", "a", "Chef", description="Allt som väntar")],
    )
    exported = json.loads(export.to_json(wf))
    assert exported["states"][0]["permissions"] == {"app.se": ["Chef"]}
    assert exported["states"][0]["tasks"] == [
        {
            "open": ["bered"],
            "besides": ["yttra"],
            "entry": True,
            "start": "bered",
            "when": "uppgifter_nar",
        },
        {"open": ["vanta"], "besides": [], "entry": False, "start": "paminn", "when": "<när>"},
    ]
    assert exported["states"][1]["tasks"] == []
    assert "tasks" not in build().as_dict()["states"][0]
    assert Tasks(open=("a",)).as_dict() == {
        "open": ["a"],
        "besides": [],
        "entry": True,
        "start": "a",
    }
    assert exported["worklists"] == [
        {
            "id": "w",
            "title": "Att göra",
            "description": "Allt som väntar",
            "states": ["a"],
            "roles": ["Chef"],
        }
    ]


# -- tasks, exits and who may take a step ----------------------------------------------------


def test_tasks_agree_with_all_open_and_nothing_but_open_and_besides():
    group = Tasks(open=("bered",), besides=("yttra",))
    assert group.agrees({"bered"})
    assert group.agrees({"bered", "yttra"})
    assert not group.agrees({"yttra"})
    assert not group.agrees(set())
    assert not group.agrees({"bered", "annat"})


def test_a_state_the_definition_does_not_have_has_no_exits():
    wf = dokument()
    assert wf.user_transitions_from("borttaget") == ()
    assert wf.automatic_transitions_from("borttaget") == ()
    assert wf.state("utkast").roles_for("exampleapp.okand") == frozenset()


def test_roles_allowed_by_the_guard_and_by_the_state_permissions():
    wf = build(
        roles=("Handläggare", "Chef", "Registrator"),
        states=[
            State("a", "A", permissions={"app.besluta": ("Handläggare", "Chef")}),
            State("b", "B", final=True, permissions={"app.se": ("Chef",)}),
        ],
        transitions=[
            Transition("roll", "Roll", "a", "b", guard=Guard(roles=("Handläggare",))),
            Transition("beh", "Beh", "a", "b", guard=Guard(permissions=("app.besluta",))),
            Transition(
                "bada",
                "Båda",
                "a",
                "b",
                guard=Guard(roles=("Handläggare", "Registrator"), permissions="app.besluta"),
            ),
            Transition("annan", "Annan", "a", "b", guard=Guard(permissions="app.se")),
            Transition(
                "blandad",
                "Blandad",
                "a",
                "b",
                guard=Guard(roles="Chef", permissions=("app.besluta", "ext.okand")),
            ),
            Transition("fri", "Fri", "a", "b"),
        ],
    )
    allowed = {t: wf.roles_allowed(wf.transitions[t], "a") for t in wf.transitions}
    assert allowed == {
        "roll": {"Handläggare"},
        "beh": {"Handläggare", "Chef"},
        "bada": {"Handläggare"},
        # a permission the state does not give: nobody
        "annan": set(),
        # a permission the workflow does not manage: the guard's roles, not narrowed
        "blandad": {"Chef"},
        "fri": {"Handläggare", "Chef", "Registrator", "Anonymous", "Authenticated"},
    }


# -- what the engine says when it refuses a step ---------------------------------------------


@pytest.mark.django_db
def test_refusals_name_the_roles_permissions_and_what_is_missing(
    dokument_med, make_user, make_document
):
    dokument_med(
        Transition(
            "godkann_direkt",
            "Godkänn direkt",
            "utkast",
            "godkand",
            guard=Guard(roles=("Granskare", "Redaktör")),
        ),
        Transition(
            "publicera_nu",
            "Publicera nu",
            "utkast",
            "publicerad",
            guard=Guard(permissions=(PUBLISH, CHANGE)),
        ),
        Transition(
            "skicka_granskat",
            "Skicka granskat",
            "utkast",
            "granskning",
            guard=Guard(roles="Författare"),
            requires=(
                Requirement(lambda doc: True, "alltid uppfyllt"),
                Requirement(lambda doc: doc.reviewed, "dokumentet är inte granskat"),
            ),
        ),
    )
    author = make_user("anna", "Författare")
    reviewer = make_user("bertil", "Granskare")
    doc = make_document(creator=author)
    refusals = {}
    for transition, user in (
        ("godkann_direkt", author),
        ("publicera_nu", reviewer),
        ("skicka_granskat", author),
    ):
        with pytest.raises(TransitionNotAllowed) as refused:
            do_transition(doc, transition, user)
        refusals[transition] = (type(refused.value), str(refused.value))
    assert refusals == {
        "godkann_direkt": (
            TransitionNotAllowed,
            "Du får inte utföra Godkänn direkt: kräver någon av rollerna Granskare, Redaktör.",
        ),
        "publicera_nu": (
            TransitionNotAllowed,
            "Du får inte utföra Publicera nu: kräver någon av behörigheterna "
            "exampleapp.publish_document, exampleapp.change_document.",
        ),
        "skicka_granskat": (
            RequirementMissing,
            "Skicka granskat går inte ännu: dokumentet är inte granskat.",
        ),
    }
    assert doc.state == "utkast"
    assert "skicka_granskat" in {t.id for t in allowed_transitions(doc, author)}


@pytest.mark.django_db
def test_a_comment_of_the_longest_allowed_length_is_taken(make_user, make_document):
    author = make_user("anna", "Författare")
    doc = make_document(creator=author)
    with pytest.raises(TransitionNotAllowed, match="högst 4000 tecken"):
        do_transition(doc, "skicka", author, comment="x" * (MAX_COMMENT + 1))
    do_transition(doc, "skicka", author, comment="x" * MAX_COMMENT)
    assert doc.state == "granskning"


@pytest.mark.django_db
def test_version_is_the_number_of_the_latest_step(make_user, make_document, folder):
    author = make_user("anna", "Författare")
    first = make_document("Första", creator=author)
    do_transition(first, "skicka", author)
    second = make_document("Andra", creator=author)
    assert (version(first), version(second)) == (2, 1)
    do_transition(second, "skicka", author)
    assert version(Document.objects.get(pk=second.pk)) == 2
    # an object without any history (the folder is not governed)
    assert version(folder) == 0
