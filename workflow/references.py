"""Do the code and the templates name only states, transitions and worklists that a
definition has? A misspelt id in ``do_transition(obj, "…")``, a state compared in a view or a
template, or a worklist asked for by name would otherwise fail only when that line runs (or,
in a comparison, never), and so would a constant of a definition's vocabulary with no such
member (``ArendeSteg.BESLUTTA`` in a function body). The scan reads the source for the usual
ways of naming an id; what it finds that no registered workflow defines is reported with
file and line."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from . import registry

_QUOTED = re.compile(r"""["'](\w+)["']""")

#: (kind, pattern): the pattern's first group is an id, or a list of quoted ids
PATTERNS = [
    ("övergång", re.compile(r"""do_transition\(\s*[\w.()\[\]]+\s*,\s*["'](\w+)["']""")),
    ("övergång", re.compile(r"""transitions(?:\.get\(|\[)\s*["'](\w+)["']""")),
    ("övergång", re.compile(r"""\bt\.id\s*[!=]=\s*["'](\w+)["']""")),
    ("tillstånd", re.compile(r"""\.state\s*[!=]=\s*["'](\w+)["']""")),
    ("tillstånd", re.compile(r"""\bstate\s*=\s*["'](\w+)["']""")),
    ("tillstånd", re.compile(r"""\.state\s+(?:not\s+)?in\s+[(\[{]([^)\]}]*)[)\]}]""")),
    ("tillstånd", re.compile(r"""state__in\s*=\s*[(\[{]([^)\]}]*)[)\]}]""")),
    ("arbetslista", re.compile(r"""worklist\(\s*[\w.]+\s*,\s*["'](\w+)["']""")),
]


@dataclass(frozen=True)
class UnknownReference:
    path: str
    line: int
    kind: str
    id: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: okänd {self.kind} {self.id}"


#: ``SomeEnum.MEMBER``: a constant of a registered vocabulary (:mod:`workflow.vocabulary`)
_CONSTANT = re.compile(r"""\b([A-Z]\w*)\.([A-Z][A-Z0-9_]*)\b""")
_KIND_OF_FIELD = {"states": "tillstånd", "transitions": "övergång", "worklists": "arbetslista"}


def known_constants() -> dict[str, tuple[str, set[str]]]:
    """Each vocabulary class by name: the kind of id it names and its members' names."""
    known: dict[str, tuple[str, set[str]]] = {}
    for wf in registry.all_workflows():
        vocabulary = registry.vocabulary_for(wf.id)
        for field, kind in _KIND_OF_FIELD.items():
            enum = getattr(vocabulary, field, None)
            if enum is not None:
                known[enum.__name__] = (kind, {member.name for member in enum})
    return known


def known_ids() -> dict[str, set[str]]:
    known: dict[str, set[str]] = {"övergång": set(), "tillstånd": set(), "arbetslista": set()}
    for wf in registry.all_workflows():
        known["övergång"] |= set(wf.transitions)
        known["tillstånd"] |= set(wf.states)
        known["arbetslista"] |= set(wf.worklists)
    return known


def scan(
    roots,
    known: dict[str, set[str]] | None = None,
    constants: dict[str, tuple[str, set[str]]] | None = None,
) -> list[UnknownReference]:
    """The references to ids under ``roots`` (directories) that no definition has: quoted
    ids, and constants of a vocabulary that has no such member (``ArendeSteg.BESLUTTA`` in a
    function body fails only when that line runs)."""
    known = known if known is not None else known_ids()
    constants = constants if constants is not None else known_constants()
    found = []
    for root in roots:
        for path in sorted(Path(root).rglob("*")):
            if path.suffix not in (".py", ".html") or "migrations" in path.parts:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                for kind, pattern in PATTERNS:
                    for match in pattern.finditer(line):
                        group = match.group(1)
                        ids = _QUOTED.findall(group) if not group.isidentifier() else [group]
                        for ident in ids:
                            if ident not in known[kind]:
                                found.append(UnknownReference(str(path), number, kind, ident))
                for match in _CONSTANT.finditer(line):
                    enum, member = match.groups()
                    if enum in constants and member not in constants[enum][1]:
                        kind = constants[enum][0]
                        found.append(UnknownReference(str(path), number, kind, match.group()))
    return found
