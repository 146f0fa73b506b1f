"""The package's dependencies point one way: models ← pure packages ← services ← views.

Read from the source with `ast` (nothing is imported), so a cycle or a wrong-way import
fails here with the file and line that brought it in.
"""

from __future__ import annotations

import ast
import graphlib
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "collector"

# The compiler, the indicator engine and the exporters: no Flask, no database, no service.
PURE = ("schema", "indicators", "exporters")
PURE_MAY_IMPORT = {"schema", "indicators", "exporters", "marks", "unit_catalog"}
WEB_FRAMEWORK = ("flask", "flask_babel", "flask_login", "flask_wtf", "werkzeug", "sqlalchemy")
# Modules that read the request or the logged-in user: views, and the app-wide plumbing.
REQUEST_READERS = {"views.py", "web.py", "errors.py", "i18n.py", "logs.py", "__init__.py"}


@dataclass(frozen=True)
class Import:
    source: str  # the importing module, dotted
    target: str  # the imported module or name, dotted
    where: str  # file:line


def _module_name(path: Path) -> tuple[str, bool]:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    if parts[-1] == "__init__":
        return ".".join(parts[:-1]), True
    return ".".join(parts), False


def _imports_of(path: Path) -> list[Import]:
    module, is_package = _module_name(path)
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        where = f"{path.relative_to(PACKAGE.parent)}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Import):
            found += [Import(module, alias.name, where) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".") if is_package else module.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                origin = ".".join([*base, *([node.module] if node.module else [])])
            else:
                origin = node.module or ""
            found.append(Import(module, origin, where))
            found += [Import(module, f"{origin}.{alias.name}", where) for alias in node.names]
    return found


ALL_IMPORTS = [found for path in sorted(PACKAGE.rglob("*.py")) for found in _imports_of(path)]
TOP_LEVEL = {path.stem for path in PACKAGE.glob("*.py")} | {
    path.name for path in PACKAGE.iterdir() if (path / "__init__.py").exists()
}


def _part(dotted: str) -> str | None:
    """The top-level package or module of `collector` a dotted name belongs to."""
    parts = dotted.split(".")
    if parts[0] != "collector" or len(parts) < 2 or parts[1] not in TOP_LEVEL:
        return None
    return parts[1]


def package_graph() -> tuple[dict[str, set[str]], dict[tuple[str, str], str]]:
    graph: dict[str, set[str]] = defaultdict(set)
    first_seen: dict[tuple[str, str], str] = {}
    for found in ALL_IMPORTS:
        source, target = _part(found.source), _part(found.target)
        if source and target and source != target:
            graph[source].add(target)
            first_seen.setdefault((source, target), found.where)
    return graph, first_seen


def test_the_import_reader_sees_the_packages_and_their_edges() -> None:
    graph, _ = package_graph()
    # A reader that saw nothing would pass every test below.
    assert {"schema", "campaigns", "entry", "reports", "models"} <= TOP_LEVEL
    assert "schema" in graph["entry"] and "models" in graph["campaigns"]


def test_no_package_level_import_cycle() -> None:
    graph, first_seen = package_graph()
    try:
        graphlib.TopologicalSorter(graph).prepare()
    except graphlib.CycleError as error:
        cycle = error.args[1]
        steps = [
            f"{a} -> {b} ({first_seen[(a, b)]})" for a, b in zip(cycle[1:], cycle[:-1], strict=True)
        ]
        pytest.fail("packages import each other in a circle:\n" + "\n".join(steps))


@pytest.mark.parametrize("package", PURE)
def test_a_pure_package_imports_no_framework_and_no_service(package: str) -> None:
    wrong = [
        f"{found.where}: {found.target}"
        for found in ALL_IMPORTS
        if _part(found.source) == package
        and (
            found.target.split(".")[0] in WEB_FRAMEWORK
            or (_part(found.target) or package) not in PURE_MAY_IMPORT
        )
    ]
    assert wrong == []


def test_only_views_and_the_app_plumbing_read_the_request_or_the_user() -> None:
    wrong = [
        f"{found.where}: {found.target}"
        for found in ALL_IMPORTS
        if found.target in ("flask.request", "flask_login.current_user")
        and Path(found.where.split(":")[0]).name not in REQUEST_READERS
    ]
    assert wrong == []


def test_nothing_but_the_app_factory_imports_a_view_module() -> None:
    wrong = [
        f"{found.where}: {found.target}"
        for found in ALL_IMPORTS
        if found.target.split(".")[-1] == "views" or ".views." in found.target
        if found.source != "collector" and not found.source.endswith(".views")
    ]
    assert wrong == []


def test_the_demo_lives_beside_the_package_and_loads_only_with_its_command() -> None:
    assert not (PACKAGE / "demo").exists()
    at_module_level = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            names = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            if any(name == "demo" or name.startswith("demo.") for name in names):
                at_module_level.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}")
    assert at_module_level == []
    assert any(found.target.startswith("demo.") for found in ALL_IMPORTS)  # the command's
