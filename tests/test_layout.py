"""The shape of the code: every manifest rule names the function that enforces it, wire texts
live in ``mockserver/errors.py`` only, project modules import each other without cycles, the
route table and ``schemas/responses.json`` agree, and building an app has no process-wide side
effects (no ``gc.freeze``)."""

from __future__ import annotations

import ast
import gc
import importlib
import json
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from mockserver import routes
from mockserver.app import create_app
from mockserver.config import Settings
from mockserver.inventory import Inventory
from mockserver.world import load_world

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("mockserver", "contract_tests")
MANIFEST = ROOT / "schemas" / "fidelity.json"
ERRORS_MODULE = ROOT / "mockserver" / "errors.py"


@cache
def rules() -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = json.loads(MANIFEST.read_text(encoding="utf-8"))["rules"]
    return found


def function_name(rule_id: str) -> str:
    return rule_id.lower().replace("-", "_")


def resolve(dotted: str) -> Any:
    """The object at a dotted path: the longest importable module prefix, then attributes."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            target: Any = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for name in parts[cut:]:
            target = getattr(target, name)
        return target
    raise ModuleNotFoundError(dotted)


# --- enforced_by ---------------------------------------------------------------------------------


def test_every_rule_names_its_enforcing_function() -> None:
    missing = [r["id"] for r in rules() if "enforced_by" not in r]
    assert not missing, f"rules without enforced_by in schemas/fidelity.json: {missing}"


@pytest.mark.parametrize("rule", rules(), ids=lambda r: r["id"])
def test_enforced_by_is_a_function_named_after_the_rule(rule: dict[str, Any]) -> None:
    dotted = rule["enforced_by"]
    try:
        target = resolve(dotted)
    except (ImportError, AttributeError) as exc:
        pytest.fail(f"{rule['id']}: enforced_by {dotted!r} does not resolve: {exc}")
    assert callable(target), f"{rule['id']}: {dotted} is not a function"
    expected = function_name(rule["id"])
    assert target.__name__ == expected, (
        f"{rule['id']}: expected a function named {expected}, {dotted} is {target.__name__}"
    )
    assert dotted.rsplit(".", 1)[1] == expected


def test_resolve_fails_on_a_wrong_path() -> None:
    """The check above can fail."""
    with pytest.raises(AttributeError):
        resolve("mockserver.rules.jobs.r_no_such_rule")
    assert resolve("mockserver.rules.jobs.r_cap").__name__ == "r_cap"
    assert resolve("mockserver.tenant.Tenant.l_read_no_move").__name__ == "l_read_no_move"


# --- wire texts ----------------------------------------------------------------------------------

#: calls whose string arguments would be wire texts (titles, details)
ERROR_BUILDERS = frozenset({"error", "bad_request", "ErrorItem", "ApiError", "_envelope"})


def _call_name(node: ast.Call) -> str | None:
    """The called name; ``x.error`` counts only as ``errors.error`` (not ``log.error``)."""
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        owner = func.value.id if isinstance(func.value, ast.Name) else None
        if func.attr == "error" and owner not in ("errors", "E"):
            return None
        return func.attr
    return None


def _wordy(node: ast.AST) -> Iterator[str]:
    """String constants with a letter in them, anywhere inside ``node`` (f-strings included)."""
    for sub in ast.walk(node):
        text = sub.value if isinstance(sub, ast.Constant) else None
        if isinstance(text, str) and any(ch.isalpha() for ch in text) and text[:1] != "/":
            yield text


def inline_texts(source: str) -> list[tuple[int, str]]:
    """(line, text) of every wire-text-like literal outside ``errors.py``: a string argument of an
    error builder (not a pointer or parameter), a ``"title"``/``"detail"`` dict value, or a
    module-level ``T_*``/``D_*`` constant."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and _call_name(node) in ERROR_BUILDERS:
            texts = [a for a in node.args if not isinstance(a, ast.Dict)] + [
                k.value for k in node.keywords if k.arg not in ("pointer", "parameter", "headers")
            ]
            found.extend((node.lineno, t) for arg in texts for t in _wordy(arg))
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and key.value in ("title", "detail"):
                    found.extend((node.lineno, t) for t in _wordy(value))
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name) and target.id[:2] in ("T_", "D_"):
                    found.extend((node.lineno, t) for t in _wordy(node.value))
    return found


def test_no_wire_text_outside_errors_py() -> None:
    offenders = []
    for path in sorted((ROOT / "mockserver").rglob("*.py")):
        if path == ERRORS_MODULE:
            continue
        for line, text in inline_texts(path.read_text(encoding="utf-8")):
            offenders.append(f"{path.relative_to(ROOT)}:{line}: {text!r}")
    assert not offenders, "wire texts belong in mockserver/errors.py:\n" + "\n".join(offenders)


@pytest.mark.parametrize(
    "source",
    [
        'raise errors.bad_request("must be a number", pointer="/x")',
        'raise E.error(422, E.BAD_REQUEST, "Bad Request", f"at most {n}")',
        'ErrorItem(code, title, "The field is invalid.", "/x")',
        'X = {"code": "10007", "detail": "The job expired."}',
        'D_UNAVAILABLE = "The service is unavailable."',
        'raise errors.bad_request("must be one of: " + ", ".join(v), parameter="filter")',
    ],
)
def test_the_wire_text_check_finds_inline_texts(source: str) -> None:
    assert inline_texts(source), source


def test_the_wire_text_check_accepts_constants() -> None:
    source = (
        'raise errors.bad_request(errors.D_ONE_OF.format(values=", ".join(v)), parameter="f[x]")\n'
        'errors.error(413, errors.BAD_REQUEST, errors.T_TOO_LARGE, detail, pointer="/base")\n'
    )
    assert inline_texts(source) == []


# --- import cycles -------------------------------------------------------------------------------


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def import_graph() -> dict[str, set[str]]:
    """Project module -> the project modules it imports (any import, anywhere in the file)."""
    modules = {
        _module_name(path): path
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
    }
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        edges: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                edges.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")
                    anchor = anchor[: len(anchor) - node.level + 1]
                    base = ".".join([*anchor, *([base] if base else [])])
                edges.add(base)
                edges.update(f"{base}.{a.name}" for a in node.names)
        graph[name] = {e for e in edges if e in modules and e != name}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph (its modules, the first repeated at the end), or ``None``."""
    state: dict[str, int] = {}  # 1: on the stack, 2: done
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_project_modules_import_without_cycles() -> None:
    graph = import_graph()
    assert "mockserver.tenant" in graph
    assert "mockserver.errors" in graph["mockserver.tenant"]
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


# --- the route table -----------------------------------------------------------------------------


def test_responses_json_is_generated_from_the_route_table() -> None:
    written = routes.responses_path().read_text(encoding="utf-8")
    assert written == routes.render_responses(), (
        "schemas/responses.json differs from mockserver/routes.py: run python -m mockserver.routes"
    )
    doc = json.loads(written)
    assert len(doc["routes"]) == len(routes.DATA_PLANE)


def test_every_route_of_the_app_is_in_the_table() -> None:
    app = create_app(Settings(manual_clock=True))
    paths = {getattr(r, "path", None) for r in app.routes}
    for row in routes.DATA_PLANE:
        assert row.path in paths, row.path


# --- no process-wide side effects ----------------------------------------------------------------


def _refuse(*args: object) -> None:
    raise AssertionError("gc.freeze() called while building the emulator")


@pytest.mark.parametrize(
    "build",
    [
        lambda: create_app(Settings(manual_clock=True)),
        lambda: Inventory.from_world(load_world()),
    ],
    ids=["create_app", "Inventory.from_world"],
)
def test_building_the_emulator_does_not_freeze_the_collector(
    build: Callable[[], object], monkeypatch: pytest.MonkeyPatch
) -> None:
    before = gc.get_freeze_count()
    monkeypatch.setattr(gc, "freeze", _refuse)
    build()
    assert gc.get_freeze_count() == before


# --- names ---------------------------------------------------------------------------------------


def test_no_single_letter_module_aliases() -> None:
    offenders = []
    for package in (*PACKAGES, "tests", "bench"):
        for path in sorted((ROOT / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, (ast.Import, ast.ImportFrom)):
                    for alias in node.names:
                        if alias.asname is not None and len(alias.asname) == 1:
                            offenders.append(f"{path.relative_to(ROOT)}: {alias.asname}")
    assert not offenders, offenders
