"""Export a workflow definition for people and tools: JSON, Graphviz DOT, Mermaid and SVG.

Pure functions over :class:`workflow.definitions.Workflow`. Nothing here touches the database
or needs an external program; the SVG is laid out and drawn in plain Python.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections import defaultdict, deque
from collections.abc import Iterator
from dataclasses import dataclass
from xml.sax.saxutils import escape

from .definitions import Transition, Workflow


def _edges(wf: Workflow) -> Iterator[tuple[str, str, Transition]]:
    """``(source, target, transition)`` for every source of every transition, in order.

    A transition without target (stay in place) yields its source as target: a self-loop.
    """
    for transition in wf.transition_list:
        for source in transition.sources:
            yield source, transition.target_from(source), transition


def _unique(name: str, taken: set[str]) -> str:
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{name}_{n}", n + 1
    return candidate


# -- JSON -------------------------------------------------------------------------------------


def to_json(wf: Workflow) -> str:
    """The whole definition as JSON (hooks and guard conditions by name)."""
    return json.dumps(wf.as_dict(), indent=2, ensure_ascii=False)


# -- Graphviz DOT -----------------------------------------------------------------------------


def _dot_quote(text: str) -> str:
    text = str(text).replace("\\", "\\\\").replace('"', '\\"')
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")
    return f'"{text}"'


def to_dot(wf: Workflow) -> str:
    """Graphviz source: ``dot -Tsvg`` draws it.

    The initial state is bold with an arrow from a small point, final states have a double
    border, automatic transitions are dashed and stay-in-place transitions are self-loops.
    """
    q = _dot_quote
    start = _unique("__start__", set(wf.states))
    lines = [
        f"digraph {q(wf.id)} {{",
        f'  graph [label={q(wf.title)}, labelloc=t, rankdir=LR, fontname="sans-serif"];',
        '  node [shape=box, style=rounded, fontname="sans-serif"];',
        '  edge [fontname="sans-serif", fontsize=10];',
        f'  {q(start)} [shape=point, width=0.15, label=""];',
    ]
    for state in wf.state_list:
        attrs = [f"label={q(state.title)}"]
        if state.id == wf.initial_state:
            attrs.append('style="rounded,bold"')
        if state.final:
            attrs.append("peripheries=2")
        lines.append(f"  {q(state.id)} [{', '.join(attrs)}];")
    lines.append(f"  {q(start)} -> {q(wf.initial_state)};")
    for source, target, transition in _edges(wf):
        attrs = [f"label={q(transition.title)}"]
        if transition.automatic:
            attrs.append("style=dashed")
        lines.append(f"  {q(source)} -> {q(target)} [{', '.join(attrs)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


# -- Mermaid ----------------------------------------------------------------------------------

#: words that mean something to Mermaid's state diagram parser and so make bad state ids
_MERMAID_KEYWORDS = {"state", "note", "direction", "class", "classdef", "style", "click", "end"}


def _safe_id(text: str) -> str:
    """``text`` folded to ``[A-Za-z0-9_]``: 'Återkallad ärende' → 'Aterkallad_arende'."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    safe = re.sub(r"[^A-Za-z0-9_]", "_", plain)
    if not safe:
        return "tillstand"
    if safe[0].isdigit():
        safe = f"s_{safe}"
    if safe.lower() in _MERMAID_KEYWORDS:
        safe = f"{safe}_"
    return safe


def mermaid_ids(wf: Workflow) -> dict[str, str]:
    """State id → the unique Mermaid-safe id used for it in :func:`to_mermaid`."""
    ids: dict[str, str] = {}
    for state in wf.state_list:
        ids[state.id] = _unique(_safe_id(state.id), set(ids.values()))
    return ids


_MERMAID_ENTITIES = {"#": "#35;", '"': "#quot;", ";": "#59;"}


def _mermaid_text(text: str) -> str:
    text = " ".join(str(text).split())
    return re.sub(r'[#";]', lambda m: _MERMAID_ENTITIES[m.group()], text)


def to_mermaid(wf: Workflow) -> str:
    """A Mermaid ``stateDiagram-v2``; automatic transitions are labelled '(automatisk)'."""
    ids = mermaid_ids(wf)
    lines = [
        "stateDiagram-v2",
        f"    %% {_mermaid_text(wf.title)} ({_mermaid_text(wf.id)})",
        f"    [*] --> {ids[wf.initial_state]}",
    ]
    for state in wf.state_list:
        lines.append(f'    state "{_mermaid_text(state.title)}" as {ids[state.id]}')
    for source, target, transition in _edges(wf):
        label = _mermaid_text(transition.title)
        if transition.automatic:
            label += " (automatisk)"
        lines.append(f"    {ids[source]} --> {ids[target]} : {label}")
    for state in wf.state_list:
        if state.final:
            lines.append(f"    {ids[state.id]} --> [*]")
    return "\n".join(lines) + "\n"


# -- SVG --------------------------------------------------------------------------------------

FONT_FAMILY = "sans-serif"
TITLE_SIZE = 14  # state title
ID_SIZE = 11  # state id under the title
LABEL_SIZE = 12  # transition titles
HEADING_SIZE = 16  # workflow title
LINE_HEIGHT = 15  # between stacked labels

MARGIN = 24
START_WIDTH = 40  # room left of the first column for the start marker
NODE_HEIGHT = 48
MIN_NODE_WIDTH = 120
NODE_PADDING = 16
MIN_COLUMN_GAP = 70
MIN_ROW_GAP = 40
LANE = 22  # vertical distance between the arches of back edges
LOOP_DEPTH = 20  # how far the first self-loop reaches below its node
LOOP_STEP = 10  # each further self-loop on the same node reaches this much deeper

# Dark on light; every text colour has a contrast ratio above 7:1 against its background.
BACKGROUND = "#ffffff"
NODE_FILL = "#eef3fa"
NODE_STROKE = "#2c3e57"
TEXT = "#1b1b1b"
MUTED_TEXT = "#4a4a4a"
EDGE = "#555555"


def _width(text: str, size: float) -> float:
    """Rough width of ``text`` in a sans-serif font (no font metrics available here)."""
    return len(text) * size * 0.6


def _num(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _xml_text(text: str) -> str:
    """Text content for XML: markup escaped, control characters (invalid in XML) blanked."""
    return escape(_CONTROL_CHARS.sub(" ", str(text)))


@dataclass(frozen=True)
class _Box:
    x: float
    y: float
    w: float
    h: float

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h


def layers(wf: Workflow) -> dict[str, int]:
    """State id → breadth-first distance from the initial state (unreachable ones last)."""
    layer = {wf.initial_state: 0}
    queue = deque([wf.initial_state])
    while queue:
        current = queue.popleft()
        for source, target, _transition in _edges(wf):
            if source == current and target in wf.states and target not in layer:
                layer[target] = layer[current] + 1
                queue.append(target)
    unreachable = max(layer.values()) + 1
    for state in wf.state_list:
        layer.setdefault(state.id, unreachable)
    return layer


def _text(x: float, y: float, content: str, size: float, **attrs: str) -> str:
    extra = "".join(f' {name.replace("_", "-")}="{value}"' for name, value in attrs.items())
    return (
        f'<text x="{_num(x)}" y="{_num(y)}" font-size="{size}"{extra}>{_xml_text(content)}</text>'
    )


def _label(x: float, y: float, content: str, anchor: str = "middle") -> str:
    """A transition title with a white halo, so it stays legible on top of lines."""
    return _text(
        x,
        y,
        content,
        LABEL_SIZE,
        text_anchor=anchor,
        fill=TEXT,
        stroke=BACKGROUND,
        stroke_width="4",
        stroke_linejoin="round",
        paint_order="stroke",
    )


def _rounded(points: list[tuple[float, float]], radius: float = 10) -> str:
    """An SVG path along axis-parallel segments through ``points``, with rounded corners."""
    corners = [p for n, p in enumerate(points) if n == 0 or p != points[n - 1]]

    def toward(a: tuple[float, float], b: tuple[float, float], r: float) -> str:
        length = math.dist(a, b)
        x = a[0] + (b[0] - a[0]) * r / length
        y = a[1] + (b[1] - a[1]) * r / length
        return f"{_num(x)} {_num(y)}"

    d = [f"M {_num(corners[0][0])} {_num(corners[0][1])}"]
    for before, corner, after in zip(corners, corners[1:], corners[2:], strict=False):
        r = min(radius, math.dist(before, corner) / 2, math.dist(corner, after) / 2)
        d.append(
            f"L {toward(corner, before, r)} "
            f"Q {_num(corner[0])} {_num(corner[1])} {toward(corner, after, r)}"
        )
    d.append(f"L {_num(corners[-1][0])} {_num(corners[-1][1])}")
    return " ".join(d)


#: one end of one edge: ("forward-start", index into the forward edges) and so on
_End = tuple[str, int]


def _place(items: list[tuple[float, _End]], start: float, length: float) -> dict[_End, float]:
    """Spread edge ends evenly inside ``start .. start + length``, ordered by their sort key.

    ``items`` are ``(key, end)``; the key is mostly where the edge's other end lies, so edges
    meeting one side of a node do not cross each other there.
    """
    count = len(items)
    return {
        end: start + length * (n + 1) / (count + 1) for n, (_key, end) in enumerate(sorted(items))
    }


def to_svg(wf: Workflow) -> str:
    """A self-contained, accessible SVG picture of the workflow.

    Columns are the breadth-first distance from the initial state. Transitions to a later
    column run left to right between the nodes' sides; transitions back to an earlier column
    run in a lane of their own above the diagram; transitions within a column bulge out to
    its right; stay-in-place transitions loop below their node. Automatic ones are dashed.
    """
    layer = layers(wf)
    columns: list[list[str]] = [[] for _ in range(max(layer.values()) + 1)]
    for state in wf.state_list:
        columns[layer[state.id]].append(state.id)

    forward: list[tuple[str, str, Transition]] = []
    back: list[tuple[str, str, Transition]] = []
    side: list[tuple[str, str, Transition]] = []
    loops: dict[str, list[Transition]] = defaultdict(list)
    for source, target, transition in _edges(wf):
        if source == target:
            loops[source].append(transition)
        elif layer[target] > layer[source]:
            forward.append((source, target, transition))
        elif layer[target] < layer[source]:
            back.append((source, target, transition))
        else:
            side.append((source, target, transition))

    # -- sizes ---------------------------------------------------------------------------------
    node_w = max(
        [MIN_NODE_WIDTH]
        + [
            max(_width(s.title, TITLE_SIZE), _width(s.id, ID_SIZE)) + 2 * NODE_PADDING
            for s in wf.state_list
        ]
    )
    column_gap = max([MIN_COLUMN_GAP] + [_width(t.title, LABEL_SIZE) + 40 for _s, _t, t in forward])
    most_loops = max((len(v) for v in loops.values()), default=0)
    loop_space = (
        LOOP_DEPTH + LOOP_STEP * (most_loops - 1) + most_loops * LINE_HEIGHT + 12
        if most_loops
        else 0
    )
    row_gap = max(MIN_ROW_GAP, loop_space + 16)
    row_of = {state_id: column.index(state_id) for column in columns for state_id in column}

    # Edges within a column bulge to its right, the ones spanning fewer rows less far; their
    # labels get room of their own before the next column's gap begins.
    bulge: dict[int, float] = {}
    side_room = [0.0] * len(columns)
    for index in range(len(columns)):
        mine = [i for i, (s, _t, _tr) in enumerate(side) if layer[s] == index]
        mine.sort(key=lambda i: abs(row_of[side[i][0]] - row_of[side[i][1]]))
        for k, i in enumerate(mine):
            bulge[i] = 24 + 12 * k
            room = 0.75 * bulge[i] + 6 + _width(side[i][2].title, LABEL_SIZE) + 16
            side_room[index] = max(side_room[index], room)

    heading_y = MARGIN + HEADING_SIZE
    nodes_top = heading_y + 30 + (len(back) * LANE + 10 if back else 0)
    tallest = max(len(c) * NODE_HEIGHT + (len(c) - 1) * row_gap for c in columns)

    boxes: dict[str, _Box] = {}
    x = MARGIN + START_WIDTH
    for index, column in enumerate(columns):
        height = len(column) * NODE_HEIGHT + (len(column) - 1) * row_gap
        y = nodes_top + (tallest - height) / 2
        for state_id in column:
            boxes[state_id] = _Box(x, y, node_w, NODE_HEIGHT)
            y += NODE_HEIGHT + row_gap
        x += node_w + side_room[index] + column_gap

    right_edge = max(b.right for b in boxes.values()) + side_room[-1]
    right_edge = max(right_edge, MARGIN + _width(wf.title, HEADING_SIZE))
    bottom_edge = max(b.bottom for b in boxes.values())

    # -- where each edge meets its nodes ---------------------------------------------------
    # Forward edges leave from the right side and arrive at the left side, edges within a
    # column leave and arrive at the right side, spread out so parallel edges stay apart.
    on_right: dict[str, list[tuple[float, _End]]] = defaultdict(list)
    on_left: dict[str, list[tuple[float, _End]]] = defaultdict(list)
    for i, (source, target, _t) in enumerate(forward):
        on_right[source].append((boxes[target].cy, ("forward-start", i)))
        on_left[target].append((boxes[source].cy, ("forward-end", i)))
    for i, (source, target, _t) in enumerate(side):
        on_right[source].append((boxes[target].cy, ("side-start", i)))
        on_right[target].append((boxes[source].cy, ("side-end", i)))

    # Back edges each get a lane above the diagram, the ones spanning fewer columns lower, so
    # they nest. A node first in its column is left and entered through its top; past one
    # with others above it, the edge runs up the gap beside its column instead, so that no
    # line hides behind another node. Farther lanes take the outer places, so lanes do not
    # cross each other near their ends.
    lane_order = sorted(range(len(back)), key=lambda i: (layer[back[i][0]] - layer[back[i][1]], i))
    lane_of = {i: lane for lane, i in enumerate(lane_order)}
    departures: dict[str, list[tuple[float, _End]]] = defaultdict(list)
    arrivals: dict[str, list[tuple[float, _End]]] = defaultdict(list)
    gap_x: dict[_End, float] = {}
    in_right_gap: dict[int, int] = defaultdict(int)
    in_left_gap: dict[int, int] = defaultdict(int)
    for i in lane_order:
        source, target, _t = back[i]
        lane = lane_of[i]
        if row_of[source] == 0:
            departures[source].append((lane, ("back-start", i)))
        else:
            on_right[source].append((lane - 1e9, ("back-start", i)))
            column = layer[source]
            gap_x["back-start", i] = (
                boxes[source].right + side_room[column] + 10 + 6 * in_right_gap[column]
            )
            in_right_gap[column] += 1
            right_edge = max(right_edge, gap_x["back-start", i])
        if row_of[target] == 0:
            arrivals[target].append((-lane, ("back-end", i)))
        else:
            on_left[target].append((lane - 1e9, ("back-end", i)))
            column = layer[target]
            gap_x["back-end", i] = boxes[target].x - 10 - 6 * in_left_gap[column]
            in_left_gap[column] += 1

    at: dict[tuple[str, int], tuple[float, float]] = {}
    for state_id, box in boxes.items():
        half = box.w * 0.4
        for key, y in _place(on_right[state_id], box.y, box.h).items():
            at[key] = (box.right, y)
        for key, y in _place(on_left[state_id], box.y, box.h).items():
            at[key] = (box.x, y)
        for key, x in _place(departures[state_id], box.cx, half).items():
            at[key] = (x, box.y)
        for key, x in _place(arrivals[state_id], box.cx - half, half).items():
            at[key] = (x, box.y)

    # -- drawing ---------------------------------------------------------------------------
    # ids unique per workflow, so several diagrams can share one HTML page
    prefix = "arbetsflode-" + _safe_id(wf.id)
    arrow_id = f"{prefix}-pil"
    paths: list[str] = []
    labels: list[str] = []

    def path(d: str, transition: Transition, source: str, target: str) -> None:
        dash = ' stroke-dasharray="6 4"' if transition.automatic else ""
        tip = _xml_text(
            f"{transition.title} ({transition.id}): {wf.states[source].title} → "
            f"{wf.states[target].title}" + (", automatisk" if transition.automatic else "")
        )
        paths.append(
            f'<path d="{d}" fill="none" stroke="{EDGE}" stroke-width="1.5"{dash} '
            f'marker-end="url(#{arrow_id})"><title>{tip}</title></path>'
        )

    for i, (source, target, transition) in enumerate(forward):
        (x1, y1), (x2, y2) = at["forward-start", i], at["forward-end", i]
        bend = (x2 - x1) / 2
        path(
            f"M {_num(x1)} {_num(y1)} C {_num(x1 + bend)} {_num(y1)}, "
            f"{_num(x2 - bend)} {_num(y2)}, {_num(x2)} {_num(y2)}",
            transition,
            source,
            target,
        )
        labels.append(_label((x1 + x2) / 2, (y1 + y2) / 2 - 5, transition.title))

    for i in lane_order:
        source, target, transition = back[i]
        top = nodes_top - 20 - lane_of[i] * LANE
        (x1, y1), (x2, y2) = at["back-start", i], at["back-end", i]
        up = gap_x.get(("back-start", i), x1)
        down = gap_x.get(("back-end", i), x2)
        points = [(x1, y1), (up, y1), (up, top), (down, top), (down, y2), (x2, y2)]
        path(_rounded(points), transition, source, target)
        labels.append(_label((up + down) / 2, top - 5, transition.title))

    side_labels: dict[int, list[float]] = defaultdict(list)  # column → label heights used
    for i, (source, target, transition) in enumerate(side):
        (x1, y1), (x2, y2) = at["side-start", i], at["side-end", i]
        reach = x1 + bulge[i]
        path(
            f"M {_num(x1)} {_num(y1)} C {_num(reach)} {_num(y1)}, "
            f"{_num(reach)} {_num(y2)}, {_num(x2)} {_num(y2)}",
            transition,
            source,
            target,
        )
        y = (y1 + y2) / 2 + 4
        while any(abs(y - other) < LINE_HEIGHT for other in side_labels[layer[source]]):
            y += LINE_HEIGHT
        side_labels[layer[source]].append(y)
        labels.append(_label(x1 + 0.75 * bulge[i] + 6, y, transition.title, anchor="start"))

    for state_id, state_loops in loops.items():
        box = boxes[state_id]
        for k, transition in enumerate(state_loops):
            x1, x2 = box.cx - 10 - 8 * k, box.cx + 10 + 8 * k
            control = box.bottom + (LOOP_DEPTH + LOOP_STEP * k) * 4 / 3
            path(
                f"M {_num(x1)} {_num(box.bottom)} C {_num(x1 - 20 - 6 * k)} {_num(control)}, "
                f"{_num(x2 + 20 + 6 * k)} {_num(control)}, {_num(x2)} {_num(box.bottom)}",
                transition,
                state_id,
                state_id,
            )
        first = box.bottom + LOOP_DEPTH + LOOP_STEP * (len(state_loops) - 1) + 14
        for k, transition in enumerate(state_loops):
            labels.append(_label(box.cx, first + k * LINE_HEIGHT, transition.title))
            right_edge = max(right_edge, box.cx + _width(transition.title, LABEL_SIZE) / 2)
            bottom_edge = max(bottom_edge, first + k * LINE_HEIGHT + 4)

    nodes: list[str] = []
    for state in wf.state_list:
        box = boxes[state.id]
        stroke_width = "2.5" if state.id == wf.initial_state else "1.5"
        nodes.append(
            f'<rect x="{_num(box.x)}" y="{_num(box.y)}" width="{_num(box.w)}" '
            f'height="{_num(box.h)}" rx="10" fill="{NODE_FILL}" stroke="{NODE_STROKE}" '
            f'stroke-width="{stroke_width}"/>'
        )
        if state.final:
            nodes.append(
                f'<rect x="{_num(box.x + 4)}" y="{_num(box.y + 4)}" width="{_num(box.w - 8)}" '
                f'height="{_num(box.h - 8)}" rx="7" fill="none" stroke="{NODE_STROKE}" '
                f'stroke-width="1"/>'
            )
        nodes.append(
            _text(box.cx, box.y + 21, state.title, TITLE_SIZE, text_anchor="middle", fill=TEXT)
        )
        nodes.append(
            _text(box.cx, box.y + 37, state.id, ID_SIZE, text_anchor="middle", fill=MUTED_TEXT)
        )

    initial = boxes[wf.initial_state]
    start_marker = [
        f'<circle cx="{_num(initial.x - 30)}" cy="{_num(initial.cy)}" r="6" fill="{TEXT}"/>',
        f'<path d="M {_num(initial.x - 24)} {_num(initial.cy)} H {_num(initial.x)}" '
        f'stroke="{EDGE}" stroke-width="1.5" marker-end="url(#{arrow_id})"/>',
    ]

    legend: list[str] = []
    if any(t.automatic for t in wf.transition_list):
        y = bottom_edge + 24
        manual = "övergång som görs av en användare"
        automatic = "automatisk övergång"
        second = MARGIN + 38 + _width(manual, LABEL_SIZE) + 24
        legend = [
            f'<path d="M {MARGIN} {_num(y - 4)} h 30" stroke="{EDGE}" stroke-width="1.5"/>',
            _text(MARGIN + 38, y, manual, LABEL_SIZE, fill=TEXT),
            f'<path d="M {_num(second)} {_num(y - 4)} h 30" stroke="{EDGE}" '
            f'stroke-width="1.5" stroke-dasharray="6 4"/>',
            _text(second + 38, y, automatic, LABEL_SIZE, fill=TEXT),
        ]
        bottom_edge = y
        right_edge = max(right_edge, second + 38 + _width(automatic, LABEL_SIZE))

    width = right_edge + MARGIN
    height = bottom_edge + MARGIN
    finals = [s.title for s in wf.state_list if s.final]
    description = (
        f"{len(wf.state_list)} tillstånd och {len(wf.transition_list)} övergångar. "
        f"Börjar i {wf.states[wf.initial_state].title}."
        + (f" Slutliga tillstånd: {', '.join(finals)}." if finals else "")
    )

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_num(width)}" height="{_num(height)}" '
        f'viewBox="0 0 {_num(width)} {_num(height)}" role="img" '
        f'aria-labelledby="{prefix}-titel" aria-describedby="{prefix}-beskrivning" '
        f'font-family="{FONT_FAMILY}">',
        f'<title id="{prefix}-titel">Arbetsflöde: {_xml_text(wf.title)}</title>',
        f'<desc id="{prefix}-beskrivning">{_xml_text(description)}</desc>',
        "<defs>",
        f'<marker id="{arrow_id}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        f'markerHeight="7" orient="auto-start-reverse">'
        f'<path d="M 0 0 L 10 5 L 0 10 z" fill="{EDGE}"/></marker>',
        "</defs>",
        f'<rect width="100%" height="100%" fill="{BACKGROUND}"/>',
        _text(MARGIN, heading_y, wf.title, HEADING_SIZE, font_weight="bold", fill=TEXT),
        '<g class="overgangar">',
        *paths,
        *start_marker,
        "</g>",
        '<g class="tillstand">',
        *nodes,
        "</g>",
        '<g class="etiketter">',
        *labels,
        "</g>",
        *legend,
        "</svg>",
    ]
    return "\n".join(parts) + "\n"
