"""No two modules import each other, directly or around a loop, counting imports inside functions.

import-linter (pyproject.toml, run by scripts/test) keeps the layers in order; this test adds what a layers
contract cannot see: a loop between two modules of the same package. `TYPE_CHECKING` imports never run, so
they do not count.
"""

from __future__ import annotations

import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent


def import_loops(*packages: str) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each sorted."""
    graph = grimp.build_graph(*packages, exclude_type_checking_imports=True)
    edges = {m: sorted(graph.find_modules_directly_imported_by(m)) for m in sorted(graph.modules)}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    loops: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges.get(v, []):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                loops.append(sorted(component))

    for module in edges:
        if module not in index:
            visit(module)
    return loops


def test_no_module_imports_itself_around_a_loop() -> None:
    assert import_loops("bot", "channels", "actions") == []


def test_a_loop_hidden_in_a_function_is_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "loopy"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from loopy import b\n")
    (package / "b.py").write_text("def later():\n    from loopy import a\n")
    (package / "c.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from loopy import a\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        assert import_loops("loopy") == [["loopy.a", "loopy.b"]]
    finally:
        for name in [m for m in sys.modules if m == "loopy" or m.startswith("loopy.")]:
            del sys.modules[name]
