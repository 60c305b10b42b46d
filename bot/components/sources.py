"""Which source files decide what a trained model learned, so a change to them (and only them) retrains.

Rasa fingerprints a component by its class's source alone. Our components call rules in `kernel/nlu`
and jieba reads `bot/dict`; a changed rule must not reuse a cached, differently normalised training,
but a change to code the model never sees (the actions' identity reader, say) must not cost a new
training either. The kernel modules are found by following `kernel.*` imports, so a new rule module
is covered without a list to keep up to date.

`python -m bot.components.sources` prints the digest scripts/train.sh compares.
"""

from __future__ import annotations

import ast
import hashlib
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COMPONENTS = Path(__file__).resolve().parent
DICTIONARY = ROOT / "bot" / "dict"


def _module_file(module: str) -> Path | None:
    path = ROOT.joinpath(*module.split("."))
    for candidate in (path.with_suffix(".py"), path / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _kernel_imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name == "kernel" or name.startswith("kernel.")}


def kernel_sources(files: Iterable[Path]) -> list[Path]:
    """The kernel modules `files` import, directly or through each other, sorted."""
    seen: set[Path] = set()
    todo = list(files)
    while todo:
        for module in _kernel_imports(todo.pop()):
            path = _module_file(module)
            if path is not None and path not in seen:
                seen.add(path)
                todo.append(path)
    return sorted(seen)


def digest(paths: Iterable[Path]) -> str:
    sha = hashlib.sha256()
    for path in sorted(paths):
        sha.update(path.name.encode())
        sha.update(path.read_bytes())
    return sha.hexdigest()


def training_inputs() -> list[Path]:
    """The dictionary, the components, and the kernel rules they run."""
    components = sorted(COMPONENTS.glob("*.py"))
    return sorted(DICTIONARY.glob("*")) + components + kernel_sources(components)


if __name__ == "__main__":
    print(digest(training_inputs()))
