"""`.env.example` lists every environment variable a process of the project reads (the README says so).

The variables are found in the sources, not in a hand-kept list: Python files are parsed with `ast` for
`os.environ.get("X")`, `os.environ["X"]`, `os.getenv("X")`, `env.get("X")`, `environ.get("X")` (a module
constant naming the variable counts too), the YAML files Rasa expands for `${X}`, and the Procfile for `$X`.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON_DIRS = ("actions", "bot", "kernel", "services", "scripts", "benchmarks", "tests")
EXPANDED_FILES = ("endpoints.yml", "endpoints.production.yml", "credentials.yml", "Procfile")
ENV_OBJECTS = {"environ", "env"}  # os.environ, environ, env, self.env: the mappings variables are read from
# Read by the code but set only by tests or CI, never by a deployment: deliberately not in .env.example.
TEST_ONLY: dict[str, str] = {
    "COURT_TEST_MODEL": "tests/conftest.py: a trained model to reuse instead of training one",
    "DESK_TEST_POSTGRES_URL": "tests/desk/conftest.py: the local PostgreSQL the store tests also run on",
    "TEST_REDIS_URL": "tests/wechat/conftest.py: the local Redis of the shared-store tests",
    "DESK_FAULT_HOOK": "services/desk: the kill test's fault points (docs/workorders.md: tests only)",
    "CI": "tests/courtdata/test_schemathesis.py: under CI a missing tool fails the test instead of skipping it",
    "SCREENSHOTS_DIR": "tests/webchat/test_browser_citizen.py, tests/desk/browser.py: screenshots",
}
VARIABLE = re.compile(r"[A-Z][A-Z0-9_]*")
EXPANDED = re.compile(r"\$\{([A-Z][A-Z0-9_]*)\}|\$([A-Z][A-Z0-9_]*)")
LISTED = re.compile(r"^#?\s*([A-Z][A-Z0-9_]*)=", re.MULTILINE)
COMMENTED = re.compile(r"^#\s*[A-Z][A-Z0-9_]*=")  # "# A= B=": names left unset on purpose (secrets)
LISTED_IN_COMMENT = re.compile(r"\b([A-Z][A-Z0-9_]*)=")


def _constants(tree: ast.Module) -> dict[str, str]:
    """Module-level NAME = "VALUE" assignments, so `env.get(TOKEN_ENV)` is resolved."""
    found = {}
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    found[target.id] = node.value.value
    return found


def _is_env(node: ast.expr) -> bool:
    """os.environ, environ, env, self.env."""
    return (isinstance(node, ast.Name) and node.id in ENV_OBJECTS) or (
        isinstance(node, ast.Attribute) and node.attr in ENV_OBJECTS
    )


def _name(node: ast.expr, constants: dict[str, str]) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Name):
        return constants.get(node.id)
    return None


def _read_by_call(node: ast.Call) -> ast.expr | None:
    """The argument naming the variable of env.get(X) / os.getenv(X) / getenv(X), else None."""
    if not node.args:
        return None
    func = node.func
    if isinstance(func, ast.Attribute) and func.attr == "get" and _is_env(func.value):
        return node.args[0]
    if (isinstance(func, ast.Attribute) and func.attr == "getenv") or (
        isinstance(func, ast.Name) and func.id == "getenv"
    ):
        return node.args[0]
    return None


def _tables(tree: ast.Module) -> dict[str, set[str]]:
    """Module-level dict literals mapping to variable names ("field": "VAR" or "field": ("VAR", default)):
    a settings class that reads `env.get(TABLE[field])` in a loop names its variables there."""
    tables: dict[str, set[str]] = {}
    for node in tree.body:
        target = node.targets[0] if isinstance(node, ast.Assign) else getattr(node, "target", None)
        value = getattr(node, "value", None)
        if isinstance(target, ast.Name) and isinstance(value, ast.Dict):
            names = set()
            for item in value.values:
                first = item.elts[0] if isinstance(item, ast.Tuple) and item.elts else item
                if (
                    isinstance(first, ast.Constant)
                    and isinstance(first.value, str)
                    and VARIABLE.fullmatch(first.value)
                ):
                    names.add(first.value)
            if names:
                tables[target.id] = names
    return tables


def _reads(scope: ast.AST) -> list[ast.expr]:
    """The expressions naming the variable of every env read in `scope`."""
    named = []
    for node in ast.walk(scope):
        if isinstance(node, ast.Call) and (arg := _read_by_call(node)) is not None:
            named.append(arg)
        elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load) and _is_env(node.value):
            named.append(node.slice)
    return named


def variables_in_python(source: str) -> set[str]:
    """The environment variables `source` reads by one of the forms above; a read whose name is computed
    inside a function counts the variables of the module's tables that function uses."""
    tree = ast.parse(source)
    constants, tables = _constants(tree), _tables(tree)
    found = {name for arg in _reads(tree) if (name := _name(arg, constants)) and VARIABLE.fullmatch(name)}
    for function in ast.walk(tree):
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        if any(_name(arg, constants) is None for arg in _reads(function)):
            used = {n.id for n in ast.walk(function) if isinstance(n, ast.Name)}
            found.update(*(tables[t] for t in used & set(tables)))
    return found


def variables_expanded(text: str) -> set[str]:
    """${X} (YAML files Rasa expands) and $X (the Procfile's shell)."""
    return {a or b for a, b in EXPANDED.findall(text)}


def variables_read() -> dict[str, set[str]]:
    """Every variable the project's processes read, with the files that read it."""
    where: dict[str, set[str]] = {}
    files = [p for d in PYTHON_DIRS for p in (ROOT / d).rglob("*.py")]
    for path in files:
        for name in variables_in_python(path.read_text(encoding="utf-8")):
            where.setdefault(name, set()).add(str(path.relative_to(ROOT)))
    for rel in EXPANDED_FILES:
        for name in variables_expanded((ROOT / rel).read_text(encoding="utf-8")):
            where.setdefault(name, set()).add(rel)
    return where


def variables_listed(text: str) -> set[str]:
    """Names set in .env.example, also those of commented-out lines (`# A= B=`); a name merely mentioned
    in a comment (`# with COURT_MODE=production ...`) is not listed."""
    listed = set(LISTED.findall(text))
    for line in text.splitlines():
        if COMMENTED.match(line):
            listed.update(LISTED_IN_COMMENT.findall(line))
    return listed


def missing(read: dict[str, set[str]], listed: set[str]) -> list[str]:
    return sorted(
        f"{name} (read in {', '.join(sorted(read[name]))})" for name in set(read) - listed - set(TEST_ONLY)
    )


def test_env_example_lists_every_variable_the_code_reads() -> None:
    listed = variables_listed((ROOT / ".env.example").read_text(encoding="utf-8"))
    lacking = missing(variables_read(), listed)
    assert not lacking, ".env.example lacks:\n" + "\n".join(lacking)


def test_the_test_only_allow_list_holds_no_listed_or_unread_names() -> None:
    listed = variables_listed((ROOT / ".env.example").read_text(encoding="utf-8"))
    read = variables_read()
    assert not set(TEST_ONLY) & listed
    assert set(TEST_ONLY) <= set(read), set(TEST_ONLY) - set(read)


SAMPLE = """
import os
from os import environ, getenv
TOKEN_ENV = "SAMPLE_TOKEN"
a = os.environ.get("SAMPLE_A", "x")
b = os.environ["SAMPLE_B"]
c = os.getenv("SAMPLE_C")
d = getenv("SAMPLE_D")
e = environ.get("SAMPLE_E")
def f(env, self):
    return env.get("SAMPLE_F"), env["SAMPLE_G"], self.env.get("SAMPLE_H"), env.get(TOKEN_ENV)
os.environ["SAMPLE_SET"] = "1"  # set, not read
TABLE = {"a": "SAMPLE_TABLE_A", "b": ("SAMPLE_TABLE_B", "default")}
UNUSED = {"a": "NOT_READ"}
def g(env):
    return [env.get(TABLE[k]) for k in ("a", "b")]
headers = {}
headers.get("NOT_ENV")
os.environ.setdefault("SAMPLE_DEFAULT", "1")  # set, not read
"""


def test_the_scanner_finds_each_form_and_only_reads() -> None:
    assert variables_in_python(SAMPLE) == {
        "SAMPLE_A",
        "SAMPLE_B",
        "SAMPLE_C",
        "SAMPLE_D",
        "SAMPLE_E",
        "SAMPLE_F",
        "SAMPLE_G",
        "SAMPLE_H",
        "SAMPLE_TOKEN",
        "SAMPLE_TABLE_A",
        "SAMPLE_TABLE_B",
    }
    assert variables_expanded("url: ${A_URL}\nrun: x --token $B_TOKEN ${c} $d") == {"A_URL", "B_TOKEN"}


def test_the_check_fails_naming_what_is_missing() -> None:
    listed = variables_listed("A=1\n# B= C=\nD=  # comment\n# (with F=1 only)\nG=2  # not H=3\n")
    assert listed == {"A", "B", "C", "D", "G"}
    assert missing({"A": {"x.py"}, "E": {"y.py", "z.yml"}}, listed) == ["E (read in y.py, z.yml)"]
