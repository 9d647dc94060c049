"""Exporting a workflow (JSON, DOT, Mermaid, SVG) and the workflow_graph/workflow_check commands.

None of this needs the database: exports are pure functions of the definition.
"""

import io
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from workflow import export, registry
from workflow.definitions import AUTOMATIC, Guard, State, Transition, Workflow, Worklist

SVG = "{http://www.w3.org/2000/svg}"
WF_ID = "exporttest_dokument"


def is_ready(doc, user):
    return True


def build() -> Workflow:
    return Workflow(
        id=WF_ID,
        title="Dokument & beslut",
        roles=("Handläggare", "Granskare"),
        initial_state="utkast",
        states=[
            State("utkast", "Utkast", permissions={"exampleapp.view_document": ("Handläggare",)}),
            State("granskning", "Under granskning"),
            State("publicerad", "Publicerad"),
            State("återkallad", "Återkallad för översyn"),
            State("arkiverad", "Arkiverad", final=True),
        ],
        transitions=[
            Transition("skicka", "Skicka till granskning", "utkast", "granskning"),
            Transition(
                "godkann",
                "Godkänn",
                "granskning",
                "publicerad",
                guard=Guard(roles=("Granskare",), condition=is_ready),
            ),
            Transition("aterforvisa", "Återförvisa", "granskning", "utkast"),
            Transition("kommentera", "Kommentera", ("utkast", "granskning"), None),
            Transition("markera", 'Markera "brådskande"', "granskning", None),
            Transition("aterkalla", "Återkalla", "publicerad", "återkallad"),
            Transition("ateruppta", "Återuppta", "återkallad", "utkast"),
            Transition(
                "arkivera", "Arkivera automatiskt", "publicerad", "arkiverad", trigger=AUTOMATIC
            ),
        ],
        worklists=[Worklist("exporttest_att_granska", "Att granska", "granskning", "Granskare")],
    )


# every (source, target) edge the diagrams must show, stay-in-place ones as self-loops
EDGES = [
    ("utkast", "granskning"),
    ("granskning", "publicerad"),
    ("granskning", "utkast"),
    ("utkast", "utkast"),
    ("granskning", "granskning"),
    ("publicerad", "återkallad"),
    ("återkallad", "utkast"),
    ("publicerad", "arkiverad"),
]


@pytest.fixture
def wf():
    return build()


@pytest.fixture
def registered(wf):
    registry.register(wf)
    yield wf
    registry.unregister(wf.id)


def run(command, *args):
    out = io.StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


# -- JSON -------------------------------------------------------------------------------------


def test_json_round_trips_the_whole_definition(wf):
    data = json.loads(export.to_json(wf))
    assert data == wf.as_dict()
    assert [s["id"] for s in data["states"]] == list(wf.states)
    assert [t["id"] for t in data["transitions"]] == list(wf.transitions)
    assert data["transitions"][1]["guard"]["condition"] == "is_ready"


def test_json_keeps_swedish_letters_readable(wf):
    text = export.to_json(wf)
    assert '"Återkallad för översyn"' in text
    assert "\\u" not in text


# -- DOT --------------------------------------------------------------------------------------


def test_dot_has_every_edge_with_its_title(wf):
    dot = export.to_dot(wf)
    assert dot.startswith(f'digraph "{WF_ID}" {{')
    for source, target in EDGES:
        assert f'"{source}" -> "{target}"' in dot
    assert '"utkast" -> "granskning" [label="Skicka till granskning"];' in dot


def test_dot_marks_initial_final_and_automatic(wf):
    dot = export.to_dot(wf)
    assert '"__start__" [shape=point' in dot
    assert '"__start__" -> "utkast";' in dot
    assert re.search(r'^  "utkast" \[.*bold', dot, re.MULTILINE)
    assert re.search(r'^  "arkiverad" \[.*peripheries=2', dot, re.MULTILINE)
    assert not re.search(r'^  "publicerad" \[.*peripheries', dot, re.MULTILINE)
    assert '"publicerad" -> "arkiverad" [label="Arkivera automatiskt", style=dashed];' in dot
    assert '"utkast" -> "granskning" [label="Skicka till granskning"];' in dot


def test_dot_escapes_quotes(wf):
    dot = export.to_dot(wf)
    assert '[label="Markera \\"brådskande\\""]' in dot


# -- Mermaid ----------------------------------------------------------------------------------


def test_mermaid_state_diagram(wf):
    mermaid = export.to_mermaid(wf)
    lines = [line.strip() for line in mermaid.splitlines()]
    assert lines[0] == "stateDiagram-v2"
    assert "[*] --> utkast" in lines
    assert 'state "Återkallad för översyn" as aterkallad' in lines
    assert "utkast --> granskning : Skicka till granskning" in lines
    assert "granskning --> granskning : Kommentera" in lines
    assert "publicerad --> aterkallad : Återkalla" in lines
    assert "publicerad --> arkiverad : Arkivera automatiskt (automatisk)" in lines
    assert "arkiverad --> [*]" in lines
    assert "publicerad --> [*]" not in lines


def test_mermaid_ids_are_safe_and_unique(wf):
    mermaid = export.to_mermaid(wf)
    ids = re.findall(r" as (\S+)$", mermaid, re.MULTILINE)
    assert len(ids) == len(wf.states) == len(set(ids))
    assert all(re.fullmatch(r"[A-Za-z0-9_]+", i) for i in ids)
    for line in mermaid.splitlines():
        if "-->" in line:
            ends = line.split(":")[0].split("-->")
            assert all(re.fullmatch(r"[A-Za-z0-9_]+|\[\*\]", end.strip()) for end in ends)


def test_mermaid_ids_stay_unique_when_folding_collides():
    wf = Workflow(
        id="krock",
        title="Krock",
        roles=(),
        initial_state="å",
        states=[State("å", "Å"), State("a", "A"), State("a b", "A B", final=True)],
        transitions=[Transition("t", "T", "å", "a"), Transition("u", "U", "a", "a b")],
    )
    assert export.mermaid_ids(wf) == {"å": "a", "a": "a_2", "a b": "a_b"}


def test_mermaid_escapes_quotes(wf):
    assert "granskning --> granskning : Markera #quot;brådskande#quot;" in export.to_mermaid(wf)


# -- SVG --------------------------------------------------------------------------------------


def test_svg_is_accessible_xml(wf):
    root = ET.fromstring(export.to_svg(wf))
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    title = root.find(f"{SVG}title")
    assert title is not None and title.text == "Arbetsflöde: Dokument & beslut"
    assert title.get("id") in root.get("aria-labelledby").split()
    assert root.get("font-family") == "sans-serif"
    width, height = float(root.get("width")), float(root.get("height"))
    assert root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}"
    assert width > 500 and height > 100


def test_svg_shows_every_state_and_transition(wf):
    root = ET.fromstring(export.to_svg(wf))
    texts = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    for state in wf.state_list:
        assert state.title in texts
        assert state.id in texts
    for transition in wf.transition_list:
        assert transition.title in texts
    assert "Dokument & beslut" in texts


def test_svg_draws_each_edge_with_an_arrow(wf):
    root = ET.fromstring(export.to_svg(wf))
    edges = [p for p in root.iter(f"{SVG}path") if p.find(f"{SVG}title") is not None]
    assert len(edges) == sum(len(t.sources) for t in wf.transition_list) == 9
    assert all(p.get("marker-end", "").startswith("url(#") for p in edges)
    dashed = [p.find(f"{SVG}title").text for p in edges if p.get("stroke-dasharray")]
    assert dashed == ["Arkivera automatiskt (arkivera): Publicerad → Arkiverad, automatisk"]
    # back edges and self-loops are curves, not straight lines
    curved = {p.find(f"{SVG}title").text.split(" (")[0]: p.get("d") for p in edges}
    for title in ("Återförvisa", "Återuppta", "Kommentera", 'Markera "brådskande"'):
        assert "Q" in curved[title] or "C" in curved[title]


def test_svg_layers_follow_distance_from_initial_state(wf):
    assert export.layers(wf) == {
        "utkast": 0,
        "granskning": 1,
        "publicerad": 2,
        "återkallad": 3,
        "arkiverad": 3,
    }
    root = ET.fromstring(export.to_svg(wf))
    node_columns = {rect.get("x") for rect in root.iter(f"{SVG}rect") if rect.get("rx") == "10"}
    assert len(node_columns) == 4  # one column per distance


def test_svg_escapes_markup_in_titles():
    wf = Workflow(
        id="xml",
        title="<b>fet</b> & 'citat'",
        roles=(),
        initial_state="a",
        states=[State("a", "A < B"), State("b", 'B "slut"', final=True)],
        transitions=[Transition("t", "Gå & <klart>", "a", "b")],
    )
    svg = export.to_svg(wf)
    root = ET.fromstring(svg)
    texts = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    assert {"A < B", 'B "slut"', "Gå & <klart>", "<b>fet</b> & 'citat'"} <= set(texts)
    assert "<b>" not in svg


# -- management commands ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        ("dot", f'digraph "{WF_ID}"'),
        ("mermaid", "stateDiagram-v2"),
        ("json", f'"id": "{WF_ID}"'),
        ("svg", "<svg "),
    ],
)
def test_workflow_graph_writes_each_format(registered, fmt, expected):
    out = run("workflow_graph", WF_ID, "--format", fmt)
    assert expected in out
    assert "Återkallad för översyn" in out


def test_workflow_graph_defaults_to_dot(registered):
    assert run("workflow_graph", WF_ID) == export.to_dot(registered)


def test_workflow_graph_writes_to_file(registered, tmp_path):
    target = tmp_path / "dokument.svg"
    out = run("workflow_graph", WF_ID, "--format", "svg", "--output", str(target))
    assert str(target) in out
    assert target.read_text(encoding="utf-8") == export.to_svg(registered)
    ET.parse(target)


def test_workflow_graph_unknown_name(registered):
    with pytest.raises(CommandError) as raised:
        run("workflow_graph", "finns_inte")
    message = str(raised.value)
    assert message.startswith("Okänt arbetsflöde finns_inte. Kända: ")
    assert WF_ID in message


def test_workflow_check_reports_ok_and_bindings(registered):
    registry.bind("exampleapp.Document", WF_ID, where={"kind": "exporttest"})
    out = run("workflow_check")
    assert f"OK  {WF_ID}: 5 tillstånd, 8 övergångar, 1 arbetslista" in out
    assert "  styr exampleapp.Document där kind=exporttest" in out


def test_workflow_check_fails_for_model_without_state_field(registered):
    registry.bind("auth.Group", WF_ID, where={"name": "Redaktion"})
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("workflow_check", stdout=out)
    text = out.getvalue()
    assert f"FEL {WF_ID}:" in text
    assert "  styr auth.Group där name=Redaktion" in text
    assert "modellen auth.Group saknar fältet state" in text


def test_workflow_check_with_nothing_registered(monkeypatch):
    monkeypatch.setattr(registry, "all_workflows", lambda: [])
    assert run("workflow_check") == "Inga arbetsflöden registrerade.\n"


def check_output(*, fails: bool) -> tuple[list[str], str]:
    """workflow_check's lines, and its error message ("" when it passes)."""
    out = io.StringIO()
    if not fails:
        call_command("workflow_check", stdout=out)
        return out.getvalue().splitlines(), ""
    with pytest.raises(CommandError) as raised:
        call_command("workflow_check", stdout=out)
    return out.getvalue().splitlines(), str(raised.value)


def block(lines: list[str], head: str) -> list[str]:
    """The line that starts with ``head`` and the indented lines under it."""
    start = next(i for i, line in enumerate(lines) if line.startswith(head))
    end = start + 1
    while end < len(lines) and lines[end].startswith("  "):
        end += 1
    return lines[start:end]


def test_workflow_check_names_every_model_a_workflow_governs(registered, monkeypatch):
    # binding Document without a condition replaces the example workflow's binding: the test
    # works on a copy of the bindings, so the tests after it find Document governed again
    monkeypatch.setattr(registry, "_bindings", list(registry._bindings))
    registry.bind("exampleapp.Document", WF_ID, where={"kind": "exporttest", "title": "Prov"})
    registry.bind("exampleapp.Document", WF_ID)
    lines, _ = check_output(fails=False)
    assert block(lines, f"OK  {WF_ID}:") == [
        f"OK  {WF_ID}: 5 tillstånd, 8 övergångar, 1 arbetslista",
        "  styr exampleapp.Document där kind=exporttest, title=Prov",
        "  styr exampleapp.Document",
    ]
    assert lines[-1] == "OK  koden nämner bara kända id:n, och processerna stämmer"


def test_workflow_check_counts_in_singular_and_plural_and_says_when_nothing_is_governed():
    wf = Workflow(
        id="exporttest_enkel",
        title="Enkel",
        roles=("Handläggare",),
        initial_state="ny",
        states=[State("ny", "Ny"), State("klar", "Klar", final=True)],
        transitions=[Transition("avsluta", "Avsluta", "ny", "klar")],
        worklists=[
            Worklist("exporttest_nya", "Nya", "ny", "Handläggare"),
            Worklist("exporttest_klara", "Klara", "klar", "Handläggare"),
        ],
    )
    registry.register(wf)
    try:
        lines, _ = check_output(fails=False)
    finally:
        registry.unregister(wf.id)
    assert block(lines, "OK  exporttest_enkel:") == [
        "OK  exporttest_enkel: 2 tillstånd, 1 övergång, 2 arbetslistor",
        "  styr ingen modell",
    ]


def test_workflow_check_lists_a_broken_workflows_problems_under_its_models(registered, monkeypatch):
    monkeypatch.setattr(registered, "problems", lambda: ["första felet", "andra felet"])
    registry.bind("auth.Group", WF_ID, where={"name": "Redaktion"})
    lines, error = check_output(fails=True)
    assert block(lines, f"FEL {WF_ID}:") == [
        f"FEL {WF_ID}:",
        "  styr auth.Group där name=Redaktion",
        "  - första felet",
        "  - andra felet",
        "  - modellen auth.Group saknar fältet state och kan inte styras",
    ]
    assert not any(line.startswith(f"OK  {WF_ID}") for line in lines)
    assert error == "3 problem hittades i arbetsflödena."
    assert not any(line.startswith("OK  koden") for line in lines)


def test_workflow_check_reports_unknown_names_in_the_code(settings, tmp_path):
    (tmp_path / "vy.py").write_text('do_transition(arende, "markera_bered", user)\n')
    settings.WORKFLOW_REFERENCE_ROOTS = [tmp_path]
    lines, error = check_output(fails=True)
    assert block(lines, "FEL i koden:") == [
        "FEL i koden:",
        f"  - {tmp_path / 'vy.py'}:1: okänd övergång markera_bered",
    ]
    assert error == "1 problem hittades i arbetsflödena."


def test_workflow_check_without_reference_roots_checks_no_code(settings):
    del settings.WORKFLOW_REFERENCE_ROOTS
    lines, _ = check_output(fails=False)
    assert "FEL i koden:" not in lines
    assert lines[-1] == "OK  koden nämner bara kända id:n, och processerna stämmer"


@pytest.fixture
def workflow_check_findings():
    """A system check tagged workflow that finds one error and one warning, and one with
    another tag that finds an error workflow_check does not ask about."""
    from django.core import checks

    def findings(app_configs, **kwargs):
        return [
            checks.Warning("bara en varning", id="exporttest.W001"),
            checks.Error("processen saknar ett steg", id="exporttest.E001"),
        ]

    def elsewhere(app_configs, **kwargs):
        return [checks.Error("ett fel utanför arbetsflödena", id="exporttest.E002")]

    checks.register(findings, "workflow")
    checks.register(elsewhere, "exporttest_annat")
    yield
    checks.registry.registry.registered_checks.discard(findings)
    checks.registry.registry.registered_checks.discard(elsewhere)


def test_workflow_check_fails_on_a_workflow_system_check_error_but_not_a_warning(
    workflow_check_findings,
):
    lines, error = check_output(fails=True)
    assert block(lines, "FEL i processerna:") == [
        "FEL i processerna:",
        "  - processen saknar ett steg",
    ]
    assert not any("bara en varning" in line for line in lines)
    assert not any("utanför arbetsflödena" in line for line in lines)
    assert error == "1 problem hittades i arbetsflödena."


@pytest.mark.parametrize("fmt", ["dot", "mermaid", "json", "svg"])
def test_workflow_graph_ends_its_output_with_one_line_break(registered, fmt):
    """Every format on standard out ends with exactly one line break, whether the export
    ends with one (dot, SVG, Mermaid) or not (JSON), so the output can be piped to a file."""
    text = {"dot": export.to_dot, "mermaid": export.to_mermaid, "json": export.to_json}.get(
        fmt, export.to_svg
    )(registered)
    assert run("workflow_graph", WF_ID, "--format", fmt) == text.rstrip("\n") + "\n"


def test_workflow_graph_names_every_known_workflow_when_the_name_is_wrong(registered):
    with pytest.raises(CommandError) as raised:
        run("workflow_graph", "finns_inte")
    kanda = ", ".join(w.id for w in registry.all_workflows())
    assert len(registry.all_workflows()) > 1
    assert str(raised.value) == f"Okänt arbetsflöde finns_inte. Kända: {kanda}"


def test_workflow_graph_says_when_no_workflow_is_registered(monkeypatch):
    monkeypatch.setattr(registry, "all_workflows", lambda: [])
    with pytest.raises(CommandError) as raised:
        run("workflow_graph", "finns_inte")
    assert str(raised.value) == "Okänt arbetsflöde finns_inte. Kända: (inga)"


def test_workflow_graph_says_why_it_could_not_write_the_file(registered, tmp_path):
    target = tmp_path / "saknas" / "graf.dot"
    with pytest.raises(CommandError) as raised:
        run("workflow_graph", WF_ID, "--output", str(target))
    assert str(raised.value).startswith(f"Kunde inte skriva till {target}: ")
    assert "No such file or directory" in str(raised.value)


def test_workflow_graph_writes_utf8_whatever_the_locale(tmp_path):
    """The graph file is UTF-8 (the titles are Swedish) even where the locale is plain C."""
    target = tmp_path / "arende.dot"
    miljo = {
        **os.environ,
        "LC_ALL": "C",
        "LANG": "C",
        "PYTHONUTF8": "0",
        "PYTHONCOERCECLOCALE": "0",
        "PYTHONIOENCODING": "utf-8",  # the terminal; the file follows the locale
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    subprocess.run(
        [sys.executable, "manage.py", "workflow_graph", "arende", "--output", str(target)],
        check=True,
        capture_output=True,
        env=miljo,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert "Återremitterat" in target.read_text(encoding="utf-8")
