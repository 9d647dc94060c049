"""The exported diagrams as their readers see them: how a label with a backslash or a line break
reads in Graphviz, which Mermaid id a state gets, and where the SVG puts nodes, edges, labels
and its own edges for small workflows whose every number is worked out by hand below (mutation
run of 2026-12-06, workflow.export).

The layout constants the hand computations use (workflow/export.py): margin 24, heading 16 px
(so the heading's baseline is at 40 and a character of it is 9.6 wide), 40 px for the start
marker (the first column starts at x=64), nodes 48 high and at least 120 wide, columns at least
70 apart (or a forward label's width, 7.2 a character, plus 40), rows at least 40 apart, nodes
start at y=70 when no edge runs back (30 below the heading), a lane of 22 per back edge plus 10.
"""

import re
import xml.etree.ElementTree as ET

import pytest

from workflow import export
from workflow.definitions import AUTOMATIC, State, Transition, Workflow

SVG = "{http://www.w3.org/2000/svg}"


def svg(wf: Workflow) -> ET.Element:
    return ET.fromstring(export.to_svg(wf))


def size(root: ET.Element) -> tuple[str, str]:
    return root.get("width"), root.get("height")


def nodes(root: ET.Element) -> list[tuple[str, str, str, str]]:
    """x, y, width and height of each state's box, in the order of the states."""
    return [
        (r.get("x"), r.get("y"), r.get("width"), r.get("height"))
        for r in root.iter(f"{SVG}rect")
        if r.get("rx") == "10"
    ]


def edge(root: ET.Element, title: str) -> str:
    """The path of the edge whose tooltip begins with the transition's title."""
    [d] = [
        p.get("d")
        for p in root.iter(f"{SVG}path")
        if p.find(f"{SVG}title") is not None and p.find(f"{SVG}title").text.startswith(f"{title} (")
    ]
    return d


def label(root: ET.Element, content: str) -> tuple[str, str]:
    """Where a transition's title is written."""
    group = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "etiketter")
    [at] = [(t.get("x"), t.get("y")) for t in group if "".join(t.itertext()) == content]
    return at


def corners(d: str) -> list[tuple[str, str]]:
    """The points a back edge's rounded path runs through: its ends and its corners."""
    tokens = d.split()
    return [tuple(tokens[1:3]), *re.findall(r"Q (\S+) (\S+)", d), tuple(tokens[-2:])]


# -- DOT ----------------------------------------------------------------------------------------


def one_step(title: str, *, state_title: str = "Ny") -> Workflow:
    return Workflow(
        id="ettsteg",
        title="Ett steg",
        roles=(),
        initial_state="ny",
        states=[State("ny", state_title), State("klar", "Klar", final=True)],
        transitions=[Transition("avsluta", title, "ny", "klar")],
    )


def test_dot_doubles_a_backslash_before_it_escapes_a_quote():
    dot = export.to_dot(one_step('Spara i C:\\arkiv\\"ny"', state_title="Mapp\\"))
    assert '  "ny" -> "klar" [label="Spara i C:\\\\arkiv\\\\\\"ny\\""];' in dot.splitlines()
    assert '  "ny" [label="Mapp\\\\", style="rounded,bold"];' in dot.splitlines()


@pytest.mark.parametrize("line_break", ["\r\n", "\r", "\n"])
def test_dot_writes_every_kind_of_line_break_as_one_escaped_newline(line_break):
    dot = export.to_dot(one_step(f"Rad ett{line_break}rad två"))
    assert '  "ny" -> "klar" [label="Rad ett\\nrad två"];' in dot.splitlines()
    assert "\r" not in dot


def test_dot_start_point_gets_a_name_no_state_has():
    wf = Workflow(
        id="start",
        title="Start",
        roles=(),
        initial_state="__start__",
        states=[State("__start__", "Start"), State("__start___2", "Slut", final=True)],
        transitions=[Transition("t", "T", "__start__", "__start___2")],
    )
    lines = export.to_dot(wf).splitlines()
    assert '  "__start___3" [shape=point, width=0.15, label=""];' in lines
    assert '  "__start___3" -> "__start__";' in lines


# -- Mermaid ------------------------------------------------------------------------------------


def test_mermaid_ids_keep_capital_letters():
    wf = Workflow(
        id="versaler",
        title="Versaler",
        roles=(),
        initial_state="Ny",
        states=[State("Ny", "Ny"), State("KLAR_2", "Klar", final=True)],
        transitions=[Transition("t", "T", "Ny", "KLAR_2")],
    )
    assert export.mermaid_ids(wf) == {"Ny": "Ny", "KLAR_2": "KLAR_2"}
    assert "    Ny --> KLAR_2 : T" in export.to_mermaid(wf).splitlines()


def test_mermaid_id_of_a_state_id_that_folds_to_nothing_is_tillstand():
    wf = Workflow(
        id="tom",
        title="Tom",
        roles=(),
        initial_state="",
        states=[State("", "Namnlös"), State("klar", "Klar", final=True)],
        transitions=[Transition("t", "T", "", "klar")],
    )
    assert export.mermaid_ids(wf) == {"": "tillstand", "klar": "klar"}
    assert '    state "Namnlös" as tillstand' in export.to_mermaid(wf).splitlines()


def test_mermaid_ids_that_fold_alike_are_numbered_2_3_in_order():
    wf = Workflow(
        id="krock3",
        title="Krock",
        roles=(),
        initial_state="a",
        states=[State("a", "A"), State("å", "Å"), State("ä", "Ä", final=True)],
        transitions=[Transition("t", "T", "a", "å"), Transition("u", "U", "å", "ä")],
    )
    assert export.mermaid_ids(wf) == {"a": "a", "å": "a_2", "ä": "a_3"}


# -- SVG: text --------------------------------------------------------------------------------


def test_svg_writes_a_control_character_in_a_title_as_one_space():
    root = svg(one_step("Gå\x07vidare", state_title="Ny\x0bpost"))
    texts = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    assert "Ny post" in texts
    assert "Gå vidare" in texts
    assert edge(root, "Gå vidare") is not None


def test_svg_description_of_a_workflow_without_final_states_names_none():
    root = svg(round_trip())
    [desc] = root.iter(f"{SVG}desc")
    assert desc.text == "3 tillstånd och 4 övergångar. Börjar i A."


# -- SVG: layout ------------------------------------------------------------------------------


def test_svg_of_two_states_and_one_stay_in_place_step_is_laid_out_as_computed():
    wf = Workflow(
        id="tvasteg",
        title="Tvåsteg",
        roles=(),
        initial_state="ny",
        states=[State("ny", "Ny"), State("klar", "Klar", final=True)],
        transitions=[
            Transition("notera", "Notera", "ny", None),
            Transition("avsluta", "Avsluta", "ny", "klar"),
        ],
    )
    root = svg(wf)
    # no back edge: the nodes start 30 below the heading's baseline (40); the gap between the
    # columns is the forward label's width plus 40: 7 * 7.2 + 40 = 90.4
    assert nodes(root) == [("64", "70", "120", "48"), ("274.4", "70", "120", "48")]
    assert edge(root, "Avsluta") == "M 184 94 C 229.2 94, 229.2 94, 274.4 94"
    assert label(root, "Avsluta") == ("229.2", "89")
    # the only self-loop reaches 20 below its node (control points 4/3 of that) and its label
    # sits 14 further down; the picture ends 4 below that label and a margin further
    assert edge(root, "Notera") == "M 114 118 C 94 144.7, 154 144.7, 134 118"
    assert label(root, "Notera") == ("124", "152")
    assert size(root) == ("418.4", "180")
    [circle] = root.iter(f"{SVG}circle")
    assert (circle.get("cx"), circle.get("cy")) == ("34", "94")


def test_svg_is_as_wide_as_a_long_workflow_title():
    title = "Ansökan om bygglov, marklov och rivningslov i kommunen"  # 54 characters
    wf = Workflow(
        id="lang_titel",
        title=title,
        roles=(),
        initial_state="a",
        states=[State("a", "A"), State("b", "B", final=True)],
        transitions=[Transition("t", "T", "a", "b")],
    )
    # 24 + 54 * 9.6 + 24, wider than the two nodes (they end at 374)
    assert size(svg(wf)) == ("566.4", "142")


def test_svg_legend_for_automatic_steps_fits_in_the_picture():
    wf = Workflow(
        id="auto",
        title="Auto",
        roles=(),
        initial_state="a",
        states=[State("a", "A"), State("b", "B", final=True)],
        transitions=[Transition("auto", "Auto", "a", "b", trigger=AUTOMATIC)],
    )
    text = export.to_svg(wf)
    # the legend sits 24 below the nodes (which end at 118); its second entry starts after the
    # first one's text (33 characters, 237.6 wide) and 24 more: 24 + 38 + 237.6 + 24 = 323.6,
    # and its text (19 characters, 136.8 wide) ends at 323.6 + 38 + 136.8 = 498.4
    assert '<path d="M 24 138 h 30" stroke="#555555" stroke-width="1.5"/>' in text
    assert (
        '<path d="M 323.6 138 h 30" stroke="#555555" stroke-width="1.5" '
        'stroke-dasharray="6 4"/>' in text
    )
    second_text = '<text x="361.6" y="142" font-size="12" fill="#1b1b1b">automatisk övergång</text>'
    assert second_text in text
    assert size(svg(wf)) == ("522.4", "166")


def test_svg_self_loop_labels_widen_and_lengthen_the_picture():
    wf = Workflow(
        id="slinga",
        title="Slinga",
        roles=(),
        initial_state="a",
        states=[State("a", "A"), State("b", "B", final=True)],
        transitions=[
            Transition("klar", "Klar", "a", "b"),
            Transition("anteckna", "Lägg till en anteckning", "b", None),
            Transition("bevaka", "Bevaka", "b", None),
            Transition("paminn", "Påminn", "b", None),
        ],
    )
    root = svg(wf)
    assert nodes(root) == [("64", "70", "120", "48"), ("254", "70", "120", "48")]
    # three loops: the deepest reaches 20 + 2 * 10 below the node (bottom 118), the labels
    # start 14 below that and follow each other 15 apart, centred under the node (x 314)
    assert edge(root, "Lägg till en anteckning") == "M 304 118 C 284 144.7, 344 144.7, 324 118"
    assert edge(root, "Bevaka") == "M 296 118 C 270 158, 358 158, 332 118"
    assert edge(root, "Påminn") == "M 288 118 C 256 171.3, 372 171.3, 340 118"
    assert [label(root, t) for t in ("Lägg till en anteckning", "Bevaka", "Påminn")] == [
        ("314", "172"),
        ("314", "187"),
        ("314", "202"),
    ]
    # the first label (23 characters, 165.6 wide) reaches 314 + 82.8 = 396.8, past the node;
    # the last one's baseline is at 202, and the picture ends 4 below it plus the margin
    assert size(root) == ("420.8", "230")


def three_in_a_column() -> Workflow:
    """a leads to b, c and d (one column); an edge from b to d spans two rows, and is declared
    before one from c to d that spans one."""
    return Workflow(
        id="sido",
        title="Sido",
        roles=(),
        initial_state="a",
        states=[State("a", "A"), State("b", "B"), State("c", "C"), State("d", "D", final=True)],
        transitions=[
            Transition("ab", "1", "a", "b"),
            Transition("ac", "2", "a", "c"),
            Transition("ad", "3", "a", "d"),
            Transition("lang", "Lång", "b", "d"),
            Transition("kort", "Kort", "c", "d"),
        ],
    )


def test_svg_edges_within_a_column_spanning_fewer_rows_bulge_less_far():
    root = svg(three_in_a_column())
    # rows 40 apart, the column 224 high: a in the middle, b, c, d at 70, 158, 246
    assert nodes(root) == [
        ("64", "158", "120", "48"),
        ("254", "70", "120", "48"),
        ("254", "158", "120", "48"),
        ("254", "246", "120", "48"),
    ]
    # the short edge bulges 24 to the right, the long one 12 more; both end on d's right side,
    # the one from higher up higher (d's side split in three: 262 and 278)
    assert edge(root, "Kort") == "M 374 182 C 398 182, 398 278, 374 278"
    assert edge(root, "Lång") == "M 374 94 C 410 94, 410 262, 374 262"
    # labels 6 right of three quarters of the bulge, 4 below the middle of the edge
    assert label(root, "Kort") == ("398", "234")
    assert label(root, "Lång") == ("407", "182")
    # the last column keeps room for the long edge's label: 0.75 * 36 + 6 + 28.8 + 16 = 77.8
    assert size(root) == ("475.8", "318")


def round_trip() -> Workflow:
    """a leads to b and c (one column), and b and c lead to each other: no final state."""
    return Workflow(
        id="runt",
        title="Runt",
        roles=(),
        initial_state="a",
        states=[State("a", "A"), State("b", "B"), State("c", "C")],
        transitions=[
            Transition("ab", "1", "a", "b"),
            Transition("ac", "2", "a", "c"),
            Transition("ner", "Ner", "b", "c"),
            Transition("upp", "Upp", "c", "b"),
        ],
    )


def test_svg_labels_of_edges_within_a_column_move_one_line_down_instead_of_overlapping():
    root = svg(round_trip())
    assert nodes(root) == [
        ("64", "114", "120", "48"),
        ("254", "70", "120", "48"),
        ("254", "158", "120", "48"),
    ]
    # both edges span one row: the first declared bulges 24, the second 36; each node's right
    # side is split in three (b: 86, 102; c: 174, 190), the incoming end above the outgoing one
    assert edge(root, "Ner") == "M 374 102 C 398 102, 398 174, 374 174"
    assert edge(root, "Upp") == "M 374 190 C 410 190, 410 86, 374 86"
    # both edges have their middle at 138, so both labels would go to 142: the second moves
    # one line (15) down, and that is far enough
    assert label(root, "Ner") == ("398", "142")
    assert label(root, "Upp") == ("407", "157")


def back_from_lower_rows() -> Workflow:
    """Three edges back from the lower rows of the third column to the lower rows of the
    second: each runs up a gap of its own beside both columns."""
    return Workflow(
        id="tillbaka",
        title="Tillbaka",
        roles=(),
        initial_state="a",
        states=[
            State("a", "A"),
            State("b", "B"),
            State("c", "C", final=True),
            State("d", "D", final=True),
            State("e", "E", final=True),
            State("f", "F"),
            State("g", "G"),
            State("h", "H"),
        ],
        transitions=[
            Transition("ab", "1", "a", "b"),
            Transition("ac", "2", "a", "c"),
            Transition("ad", "3", "a", "d"),
            Transition("be", "4", "b", "e"),
            Transition("bf", "5", "b", "f"),
            Transition("bg", "6", "b", "g"),
            Transition("bh", "7", "b", "h"),
            Transition("fc", "Åter 1", "f", "c"),
            Transition("gc", "Åter 2", "g", "c"),
            Transition("hd", "Åter 3", "h", "d"),
        ],
    )


def test_svg_back_edges_from_lower_rows_run_up_gaps_6_apart_beside_their_columns():
    root = svg(back_from_lower_rows())
    # three lanes: nodes start at 70 + 3 * 22 + 10 = 146; the third column is the tallest
    # (4 * 48 + 3 * 40 = 312), the second (224 high) starts 44 lower
    assert nodes(root) == [
        ("64", "278", "120", "48"),
        ("254", "190", "120", "48"),
        ("254", "278", "120", "48"),
        ("254", "366", "120", "48"),
        ("444", "146", "120", "48"),
        ("444", "234", "120", "48"),
        ("444", "322", "120", "48"),
        ("444", "410", "120", "48"),
    ]
    # each leaves its node's right side (x 564) up a gap 10, 16, 22 right of the column, runs
    # in its lane (126, 104, 82) and comes down a gap 10, 16, 22 left of the second column
    # (x 254) to its target's left side, above the forward edge arriving there
    assert corners(edge(root, "Åter 1")) == [
        ("564", "258"),
        ("574", "258"),
        ("574", "126"),
        ("244", "126"),
        ("244", "290"),
        ("254", "290"),
    ]
    assert corners(edge(root, "Åter 2")) == [
        ("564", "346"),
        ("580", "346"),
        ("580", "104"),
        ("238", "104"),
        ("238", "302"),
        ("254", "302"),
    ]
    assert corners(edge(root, "Åter 3")) == [
        ("564", "434"),
        ("586", "434"),
        ("586", "82"),
        ("232", "82"),
        ("232", "382"),
        ("254", "382"),
    ]
    assert size(root) == ("610", "482")


def test_svg_back_edge_from_a_lower_row_leaves_above_a_side_edge_and_passes_its_label():
    wf = Workflow(
        id="lucka",
        title="Lucka",
        roles=(),
        initial_state="a",
        states=[State("a", "A"), State("b", "B"), State("c", "C")],
        transitions=[
            Transition("ab", "1", "a", "b"),
            Transition("ac", "2", "a", "c"),
            Transition("ner", "Ner", "b", "c"),
            Transition("ater", "Åter", "c", "a"),
        ],
    )
    root = svg(wf)
    # one lane: nodes start at 102; no self-loop, so the rows are the least distance apart
    assert nodes(root) == [
        ("64", "146", "120", "48"),
        ("254", "102", "120", "48"),
        ("254", "190", "120", "48"),
    ]
    # on c's right side the back edge leaves above the side edge's end (c: 206, 222)
    assert edge(root, "Ner") == "M 374 126 C 398 126, 398 222, 374 222"
    assert label(root, "Ner") == ("398", "178")
    # and runs up 10 right of the room kept for the side edge's label:
    # 374 + (0.75 * 24 + 6 + 21.6 + 16) + 10 = 445.6, then enters a from above
    assert corners(edge(root, "Åter")) == [
        ("374", "206"),
        ("445.6", "206"),
        ("445.6", "82"),
        ("100", "82"),
        ("100", "146"),
    ]
    assert size(root) == ("469.6", "262")
