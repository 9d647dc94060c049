"""The example workflows the engine's tests run: a publication workflow for documents, and
a placeful policy that gives secret documents a stricter one."""

from workflow import registry
from workflow.definitions import AUTOMATIC, Guard, State, Transition, Workflow, Worklist

VIEW = "exampleapp.view_document"
CHANGE = "exampleapp.change_document"
PUBLISH = "exampleapp.publish_document"

ROLES = ("Författare", "Granskare", "Redaktör")


def is_ordinary(doc, user):
    return doc.kind == "vanlig"


def dokument() -> Workflow:
    return Workflow(
        id="dokument",
        title="Publicering av dokument",
        roles=ROLES,
        initial_state="utkast",
        states=[
            State(
                "utkast",
                "Utkast",
                permissions={VIEW: ("Författare", "Redaktör"), CHANGE: ("Författare",)},
            ),
            State(
                "granskning",
                "Under granskning",
                permissions={VIEW: ("Författare", "Granskare", "Redaktör"), CHANGE: ("Granskare",)},
            ),
            State(
                "godkand",
                "Godkänt",
                permissions={VIEW: ("Författare", "Granskare", "Redaktör"), PUBLISH: ("Redaktör",)},
            ),
            State("publicerad", "Publicerat", permissions={VIEW: ("Anonymous",)}),
            State("arkiverad", "Arkiverat", final=True, permissions={VIEW: ("Redaktör",)}),
        ],
        transitions=[
            Transition(
                "skicka",
                "Skicka till granskning",
                "utkast",
                "granskning",
                guard=Guard(roles=("Författare",)),
            ),
            Transition(
                "godkann", "Godkänn", "granskning", "godkand", guard=Guard(roles=("Granskare",))
            ),
            Transition(
                "avvisa",
                "Skicka tillbaka",
                "granskning",
                "utkast",
                guard=Guard(roles=("Granskare",)),
                comment_required=True,
            ),
            Transition(
                "publicera_direkt",
                "Publicera automatiskt",
                "godkand",
                "publicerad",
                trigger=AUTOMATIC,
                guard=Guard(condition=is_ordinary),
            ),
            Transition(
                "publicera",
                "Publicera",
                "godkand",
                "publicerad",
                guard=Guard(permissions=(PUBLISH,)),
            ),
            Transition(
                "anteckna", "Anteckna", "publicerad", None, guard=Guard(roles=("Redaktör",))
            ),
            Transition(
                "dra_tillbaka",
                "Dra tillbaka",
                "publicerad",
                "utkast",
                guard=Guard(roles=("Redaktör",)),
                comment_required=True,
            ),
            Transition(
                "arkivera",
                "Arkivera",
                ("publicerad", "utkast"),
                "arkiverad",
                guard=Guard(roles=("Redaktör",)),
            ),
        ],
        worklists=[
            Worklist("att_granska", "Att granska", ("granskning",), ("Granskare",)),
            Worklist("att_publicera", "Att publicera", ("godkand",), ("Redaktör",)),
        ],
    )


def hemligt_dokument() -> Workflow:
    return Workflow(
        id="hemligt_dokument",
        title="Hemliga dokument",
        roles=ROLES,
        initial_state="utkast",
        states=[
            State("utkast", "Utkast", permissions={VIEW: ("Redaktör",), CHANGE: ("Redaktör",)}),
            State("arkiverad", "Arkiverat", final=True, permissions={VIEW: ("Redaktör",)}),
        ],
        transitions=[
            Transition(
                "arkivera", "Arkivera", "utkast", "arkiverad", guard=Guard(roles=("Redaktör",))
            ),
        ],
        worklists=[Worklist("hemliga_utkast", "Hemliga utkast", ("utkast",), ("Redaktör",))],
    )


def install():
    registry.register(dokument())
    registry.register(hemligt_dokument())
    registry.bind("exampleapp.Document", "dokument")
    registry.bind("exampleapp.Document", "hemligt_dokument", where={"kind": "hemlig"})
