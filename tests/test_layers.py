"""The layer rules of the tree, read from the source: which package may import which.

Reads imports with `ast` and never imports a project module, so a rule holds even where a
lazy import would hide the dependency at run time. Never allow a new violation here without
writing down why in the allow-lists below.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "adapters", "privacy")

COMPOSITION_ROOT = frozenset({"bot.app"})
"""The only modules of `bot` that may import an adapter: they build and wire the platforms."""

ADAPTER_MAY_IMPORT = frozenset({"bot.events", "bot.channels"})
"""What adapters may take from the core: its message types and the adapter-facing contract
(the protocol, sinks, the event log and language set handed to them by the composition root)."""

STORE_MAY_IMPORT = frozenset({"bot.events", "bot.ids", "bot.logs", "bot.config"})
"""The store is the bottom layer of `bot`: besides itself it uses only these leaf modules, so
that no feature package (groups, actions, console) and the store import each other."""

KNOWN_VIOLATIONS: dict[tuple[str, str], str] = {}
"""(importer, imported) pairs that break a layer rule today, each with the reason; the test
fails when one disappears, so the list only ever shrinks."""

KNOWN_CYCLES: dict[frozenset[str], str] = {}
"""Module-level import cycles that cannot be broken yet, by their members, with the reason."""


@dataclass(frozen=True, slots=True)
class Import:
    importer: str
    imported: str
    line: int
    module_level: bool
    """Runs when the importer is imported (not inside a function or a TYPE_CHECKING block)."""

    def __str__(self) -> str:
        return f"{self.importer}:{self.line} imports {self.imported}"


def module_files(root: Path, packages: Iterable[str]) -> dict[str, Path]:
    """Every module of the given top-level packages, by dotted name."""
    found: dict[str, Path] = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _statements(body: list[ast.stmt], module_level: bool) -> Iterator[tuple[ast.stmt, bool]]:
    for statement in body:
        yield statement, module_level
        if isinstance(statement, ast.If):
            inner = module_level and not _is_type_checking(statement.test)
            yield from _statements(statement.body, inner)
            yield from _statements(statement.orelse, module_level)
        elif isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield from _statements(statement.body, False)
        elif isinstance(statement, ast.ClassDef):
            # A class body runs at import time, like the module's own.
            yield from _statements(statement.body, module_level)
        elif isinstance(statement, ast.Try):
            for block in (statement.body, statement.orelse, statement.finalbody):
                yield from _statements(block, module_level)
            for handler in statement.handlers:
                yield from _statements(handler.body, module_level)
        elif isinstance(statement, (ast.With, ast.AsyncWith, ast.For, ast.AsyncFor, ast.While)):
            yield from _statements(statement.body, module_level)
            yield from _statements(getattr(statement, "orelse", []), module_level)


def imports_of(name: str, path: Path, modules: dict[str, Path]) -> list[Import]:
    """What one module imports: `from x import y` counts as importing x.y where that is a module."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: list[Import] = []
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for statement, module_level in _statements(tree.body, True):
        if isinstance(statement, ast.Import):
            targets = [alias.name for alias in statement.names]
        elif isinstance(statement, ast.ImportFrom):
            if statement.level:
                base = package.split(".")[: len(package.split(".")) - (statement.level - 1)]
                source = ".".join(base + ([statement.module] if statement.module else []))
            else:
                source = statement.module or ""
            targets = [
                f"{source}.{alias.name}" if f"{source}.{alias.name}" in modules else source
                for alias in statement.names
            ]
        else:
            continue
        found += [
            Import(name, target, statement.lineno, module_level)
            for target in dict.fromkeys(targets)
        ]
    return found


def all_imports(root: Path, packages: Iterable[str] = PACKAGES) -> list[Import]:
    modules = module_files(root, packages)
    return [found for name, path in modules.items() for found in imports_of(name, path, modules)]


def _within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def layer_violations(imports: Iterable[Import]) -> list[Import]:
    """Every import, lazy or not, that breaks a layer rule."""
    broken: list[Import] = []
    for found in imports:
        importer, imported = found.importer, found.imported
        if _within(importer, "privacy") and (
            _within(imported, "bot") or _within(imported, "adapters")
        ):
            broken.append(found)
        elif (
            _within(importer, "bot")
            and _within(imported, "adapters")
            and importer not in COMPOSITION_ROOT
        ):
            broken.append(found)
        elif (
            _within(importer, "adapters")
            and _within(imported, "bot")
            and imported not in ADAPTER_MAY_IMPORT
        ):
            broken.append(found)
        elif (
            _within(importer, "bot.store")
            and _within(imported, "bot")
            and not _within(imported, "bot.store")
            and imported not in STORE_MAY_IMPORT
        ):
            broken.append(found)
    return broken


def import_cycles(imports: Iterable[Import]) -> list[list[str]]:
    """One cycle (a path back to its start) per group of modules that import each other.

    Counts only imports that run when the module is imported: a lazy import inside a function
    cannot deadlock module initialisation.
    """
    graph: dict[str, set[str]] = {}
    for found in imports:
        if found.module_level and found.imported != found.importer:
            graph.setdefault(found.importer, set()).add(found.imported)
    cycles: list[list[str]] = []
    for group in _strongly_connected(graph):
        if len(group) > 1:
            cycles.append(_cycle_through(min(group), graph, group))
    return sorted(cycles)


def _strongly_connected(graph: dict[str, set[str]]) -> list[set[str]]:
    # Tarjan's algorithm, iterative so a deep import chain cannot hit the recursion limit.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph.get(start, ()))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            for successor in successors:
                if successor not in index:
                    index[successor] = low[successor] = len(index)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(sorted(graph.get(successor, ())))))
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group: set[str] = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.add(member)
                        if member == node:
                            break
                    groups.append(group)
    return groups


def _cycle_through(start: str, graph: dict[str, set[str]], group: set[str]) -> list[str]:
    """The shortest path from start back to start inside one strongly connected group."""
    previous: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following: list[str] = []
        for node in frontier:
            for successor in sorted(graph.get(node, set()) & group):
                if successor == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(previous[path[-1]])
                    return [*reversed(path), start]
                if successor not in previous:
                    previous[successor] = node
                    following.append(successor)
        frontier = following
    raise AssertionError(f"{start} is in no cycle")


# The tree as it is


@pytest.fixture(scope="module")
def tree_imports() -> list[Import]:
    return all_imports(ROOT)


def test_layer_rules_hold_for_every_module(tree_imports: list[Import]) -> None:
    broken = [
        found
        for found in layer_violations(tree_imports)
        if (found.importer, found.imported) not in KNOWN_VIOLATIONS
    ]
    assert not broken, "layer rules broken:\n" + "\n".join(map(str, broken))


def test_every_known_violation_still_exists(tree_imports: list[Import]) -> None:
    present = {(found.importer, found.imported) for found in layer_violations(tree_imports)}
    gone = sorted(set(KNOWN_VIOLATIONS) - present)
    assert not gone, f"fixed: remove {gone} from KNOWN_VIOLATIONS"


def test_no_module_imports_itself_back_at_import_time(tree_imports: list[Import]) -> None:
    cycles = [
        cycle for cycle in import_cycles(tree_imports) if frozenset(cycle) not in KNOWN_CYCLES
    ]
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(cycle) for cycle in cycles)


def test_officer_scripts_import_no_adapter() -> None:
    modules = module_files(ROOT, PACKAGES)
    scripts = sorted((ROOT / "scripts").glob("*.py"))
    broken = [
        found
        for path in scripts
        for found in imports_of(f"scripts.{path.stem}", path, modules)
        if _within(found.imported, "adapters")
    ]
    assert scripts and not broken, "\n".join(map(str, broken))


def test_the_rules_see_the_whole_tree(tree_imports: list[Import]) -> None:
    # A rule that reads no imports passes on anything: make sure it reads the real tree.
    importers = {found.importer for found in tree_imports}
    assert {"bot.app", "bot.store.db", "adapters.telegram", "privacy.crypto"} <= importers
    assert any(
        found.importer == "bot.app" and found.imported == "adapters.telegram"
        for found in tree_imports
    )


MAX_MODULE_LINES = 500
"""A module longer than this does more than one job: split it by job (migrations excepted)."""


def test_no_module_is_longer_than_the_limit() -> None:
    lengths = {
        name: len(path.read_text(encoding="utf-8").splitlines())
        for name, path in module_files(ROOT, PACKAGES).items()
        if ".migrations." not in name
    }
    assert len(lengths) > 100  # the real tree was read
    assert {name: n for name, n in lengths.items() if n > MAX_MODULE_LINES} == {}


# The checker itself, on small made-up trees


def write_tree(root: Path, files: dict[str, str]) -> None:
    for relative, source in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")


def test_core_importing_an_adapter_outside_the_composition_root_is_a_violation(
    tmp_path: Path,
) -> None:
    write_tree(
        tmp_path,
        {
            "bot/__init__.py": "",
            "bot/app.py": "def wire():\n    from adapters.telegram import TelegramAdapter\n",
            "bot/service.py": "def lazy():\n    from adapters import telegram\n",
            "adapters/__init__.py": "",
            "adapters/telegram.py": "from bot.events import Inbound\nfrom bot.logs import x\n",
            "privacy/__init__.py": "",
            "privacy/crypto.py": "import bot.ids\n",
        },
    )
    broken = {(f.importer, f.imported) for f in layer_violations(all_imports(tmp_path))}
    assert broken == {
        ("bot.service", "adapters.telegram"),
        ("adapters.telegram", "bot.logs"),
        ("privacy.crypto", "bot.ids"),
    }


def test_store_importing_a_feature_package_is_a_violation(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "bot/__init__.py": "",
            "bot/logs.py": "",
            "bot/store/__init__.py": "",
            "bot/store/tables.py": "from bot.logs import log_event\n",
            "bot/store/inbound.py": "from bot.groups.tables import GroupSession\n",
            "bot/groups/__init__.py": "",
            "bot/groups/tables.py": "from bot.store.tables import Table\n",
        },
    )
    broken = [str(f) for f in layer_violations(all_imports(tmp_path, ["bot"]))]
    assert broken == ["bot.store.inbound:1 imports bot.groups.tables"]


def test_a_cycle_is_found_and_printed_as_a_path(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "bot/__init__.py": "",
            "bot/a.py": "from . import b\n",
            "bot/b.py": "from .c import thing\n",
            "bot/c.py": "import bot.a\n",
            "bot/d.py": "from bot import a\n",
        },
    )
    assert import_cycles(all_imports(tmp_path, ["bot"])) == [["bot.a", "bot.b", "bot.c", "bot.a"]]


def test_imports_that_run_later_make_no_cycle(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "bot/__init__.py": "",
            "bot/a.py": "from bot import b\n",
            "bot/b.py": (
                "from typing import TYPE_CHECKING\n"
                "if TYPE_CHECKING:\n    from bot import a\n"
                "def later():\n    from bot import a\n"
            ),
        },
    )
    assert import_cycles(all_imports(tmp_path, ["bot"])) == []
