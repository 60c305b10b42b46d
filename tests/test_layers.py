"""The package layout holds: the kernel is the leaf, the processes share only it, and no module
imports itself back through others (late imports inside functions count: grimp sees them)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("kernel", "bot", "actions", "services")


def test_import_contracts_are_kept() -> None:
    """pyproject.toml's [tool.importlinter] contracts (what may import what)."""
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def _cycles(graph: grimp.ImportGraph) -> list[tuple[str, ...]]:
    found: dict[frozenset[str], tuple[str, ...]] = {}
    for module in sorted(graph.modules):
        for imported in graph.find_modules_directly_imported_by(module):
            back = graph.find_shortest_chain(importer=imported, imported=module)
            if back and frozenset((module, imported)) not in found:
                found[frozenset((module, imported))] = (module, *back)
    return list(found.values())


def test_no_import_cycles() -> None:
    sys.path.insert(0, str(ROOT))
    try:
        graph = grimp.build_graph(*PACKAGES, cache_dir=None)
    finally:
        sys.path.remove(str(ROOT))
    cycles = _cycles(graph)
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(cycle) for cycle in cycles)


def test_a_cycle_is_found() -> None:
    """The check itself can fail: a two-module cycle in a hand-built graph is reported."""
    graph = grimp.ImportGraph()
    graph.add_import(importer="a.x", imported="a.y")
    graph.add_import(importer="a.y", imported="a.x")
    graph.add_import(importer="a.y", imported="a.z")
    assert _cycles(graph) == [("a.x", "a.y", "a.x")]
