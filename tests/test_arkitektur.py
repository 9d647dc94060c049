"""The layout of the domain (issue 12, item 6): ``arenden/`` is split by subdomain into
packages, and no module of it imports, at load time, a module that imports it back. A cycle
makes what works depend on which module happens to be imported first; this test reads every
module's top-level imports (those that run when it loads, not those inside a function) and
fails on any cycle, naming it."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import arenden

ROT = Path(arenden.__file__).resolve().parent.parent


def _moduler() -> dict[str, Path]:
    moduler = {}
    for p in sorted((ROT / "arenden").rglob("*.py")):
        if "migrations" in p.parts:
            continue
        delar = list(p.relative_to(ROT).with_suffix("").parts)
        if delar[-1] == "__init__":
            delar.pop()
        moduler[".".join(delar)] = p
    return moduler


def _vid_laddning(tree: ast.Module):
    """The import statements that run when the module loads: at top level, also inside a
    top-level ``if``/``try``, never inside a function or class body."""
    att_se = list(tree.body)
    while att_se:
        node = att_se.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif isinstance(node, (ast.If, ast.Try, ast.With)):
            for falt in ("body", "orelse", "finalbody", "handlers"):
                att_se.extend(getattr(node, falt, []))
        elif isinstance(node, ast.ExceptHandler):
            att_se.extend(node.body)


def _graf() -> dict[str, set[str]]:
    moduler = _moduler()
    graf: dict[str, set[str]] = {m: set() for m in moduler}
    for modul, path in moduler.items():
        paket = modul if path.name == "__init__.py" else modul.rpartition(".")[0]
        for node in _vid_laddning(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                mal = [a.name for a in node.names]
            else:
                bas = node.module or ""
                if node.level:
                    upp = paket.split(".")[: len(paket.split(".")) - node.level + 1]
                    bas = ".".join(upp + ([node.module] if node.module else []))
                # ``from pkg import mod`` loads pkg.mod; ``from mod import name`` loads mod
                mal = [
                    f"{bas}.{a.name}" if f"{bas}.{a.name}" in moduler else bas for a in node.names
                ]
            for m in mal:
                # importing a.b.c loads a and a.b first
                delar = m.split(".")
                for i in range(1, len(delar) + 1):
                    m_ = ".".join(delar[:i])
                    if m_ in moduler and m_ != modul:
                        graf[modul].add(m_)
    return graf


def _cykler(graf: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components with more than one module."""
    index, lag, stack, pa_stack, ut = {}, {}, [], set(), []

    def besok(v):
        index[v] = lag[v] = len(index)
        stack.append(v)
        pa_stack.add(v)
        for w in sorted(graf[v]):
            if w not in index:
                besok(w)
                lag[v] = min(lag[v], lag[w])
            elif w in pa_stack:
                lag[v] = min(lag[v], index[w])
        if lag[v] == index[v]:
            komp = []
            while True:
                w = stack.pop()
                pa_stack.discard(w)
                komp.append(w)
                if w == v:
                    break
            if len(komp) > 1:
                ut.append(sorted(komp))

    for v in sorted(graf):
        if v not in index:
            besok(v)
    return ut


def test_no_module_of_arenden_imports_itself_back():
    graf = _graf()
    assert len(graf) > 40  # every module was read
    assert _cykler(graf) == []


def test_the_check_sees_a_cycle():
    # the check itself: two modules that import each other are found
    assert _cykler({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [["a", "b"]]


def test_each_subdomain_holds_its_models_services_and_views():
    for paket, filer in {
        "diarium": {"models.py", "services.py", "views.py"},
        "handlaggning": {"models.py", "services.py", "views.py"},
        "sammantraden": {"models.py", "protokoll.py", "views.py"},
        "begaran": {"models.py", "services.py", "views.py"},
        "granskning": {"services.py", "views.py"},
        "publikt": {"postlista.py", "anslagstavla.py"},
    }.items():
        assert filer <= {p.name for p in (ROT / "arenden" / paket).iterdir()}, paket


def test_every_module_imports_first_in_a_fresh_interpreter():
    # each module imported first of all (after Django is set up, as any entry point does):
    # an import order that only works because another module was loaded before fails here
    moduler = sorted(m for m in _moduler() if not m.startswith("arenden.management"))
    program = (
        "import importlib, sys, django\n"
        "django.setup()\n"
        "for m in sys.argv[1:]:\n"
        "    importlib.import_module(m)\n"
    )
    svar = subprocess.run(
        [sys.executable, "-c", program, *moduler],
        cwd=ROT,
        capture_output=True,
        text=True,
        env={**__import__("os").environ, "DJANGO_SETTINGS_MODULE": "tests.settings"},
    )
    assert svar.returncode == 0, svar.stderr
