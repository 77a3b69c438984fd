"""The layering of the packages, checked on the import graph built from the source with ``ast``.

Every ``import`` and ``from ... import`` statement counts, those inside
functions too (a lazy import is still a dependency); cycles are looked for
among module-level imports only (a function-level import cannot deadlock an
import). The layers, from the floor up:

- ``hopfield`` (simulators) and ``theory`` (derivations) import neither each
  other nor anything above them;
- ``_amlab`` (the shared floor: ``Param``) is the bottom layer: every package
  may import it, and it imports nothing of ours;
- ``simulations`` imports no ``figures`` and no ``amlab``; its estimators
  never import its checks;
- ``figures`` and the demos reach checks only through the registry, never a
  module of ``simulations.checks.suite``;
- nothing below ``amlab`` imports ``amlab``; nothing imports ``amlab.cli``
  (but ``amlab.__main__``, which runs it).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("_amlab", "hopfield", "theory", "simulations", "figures", "amlab")

#: Figures that import a check module. Empty: every simulation a figure uses is an estimator
#: (``simulations.estimators``), and a figure that needs a check reaches it through the check registry.
#: No entry may be added.
KNOWN_FIGURE_CHECK_IMPORTS: set = set()


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def scan(root: Path, packages=PACKAGES) -> dict:
    """``{module: {"path": Path, "is_package": bool, "tree": ast.Module}}`` for every module of ``packages``."""
    modules = {}
    for pkg in packages:
        for path in sorted((root / pkg).rglob("*.py")) if (root / pkg).is_dir() else ():
            if "data" in path.relative_to(root).parts:
                continue
            modules[_module_name(path, root)] = {"path": path, "is_package": path.name == "__init__.py",
                                                 "tree": ast.parse(path.read_text(encoding="utf-8"), str(path))}
    return modules


def _resolve(name: str, known) -> str | None:
    """The longest prefix of dotted ``name`` that is a known module (None if it is not ours)."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in known:
            return candidate
        parts.pop()
    return None


def import_graph(modules: dict) -> dict:
    """``{module: {imported module: (line, module_level)}}``, our modules only (``from a import b``: ``a.b`` if
    it is a module, else ``a``)."""
    graph = {}
    for name, info in modules.items():
        edges = {}
        top_level = {id(n) for n in info["tree"].body}
        # statements under a module-level if/try (not inside a def or class) also run at import
        for stmt in info["tree"].body:
            if isinstance(stmt, (ast.If, ast.Try)):
                top_level |= {id(n) for n in ast.walk(stmt) if isinstance(n, (ast.Import, ast.ImportFrom))}
        for node in ast.walk(info["tree"]):
            targets = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    pkg = name if info["is_package"] else name.rpartition(".")[0]
                    for _ in range(node.level - 1):
                        pkg = pkg.rpartition(".")[0]
                    base = f"{pkg}.{base}" if base else pkg
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
            for t in targets:
                hit = _resolve(t, modules)
                if hit is not None and hit != name:
                    line, level = edges.get(hit, (node.lineno, False))
                    edges[hit] = (min(line, node.lineno), level or id(node) in top_level)
        graph[name] = edges
    return graph


def _in(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


#: (importer package, imported package, why the import is forbidden)
FORBIDDEN = [
    ("hopfield", "theory", "hopfield and theory stand on separate floors"),
    ("theory", "hopfield", "hopfield and theory stand on separate floors"),
    *[(low, high, "an upward import") for low in ("hopfield", "theory") for high in ("simulations", "figures", "amlab")],
    *[("_amlab", ours, "the floor imports nothing of ours") for ours in PACKAGES if ours != "_amlab"],
    ("simulations", "figures", "an upward import"),
    ("simulations", "amlab", "an upward import"),
    ("figures", "amlab", "an upward import"),
    ("simulations.estimators", "simulations.checks", "estimators never import checks"),
    ("figures", "simulations.checks.suite", "figures reach checks only through the registry"),
    ("amlab.demos", "simulations.checks.suite", "demos reach checks only through the registry"),
]


def violations(graph: dict, known=frozenset()) -> list:
    """Every forbidden edge as ``"importer:line -> imported (why)"``, except the pairs in ``known``."""
    out = []
    for src, edges in sorted(graph.items()):
        for dst, (line, _) in sorted(edges.items()):
            if (src, dst) in known:
                continue
            for low, high, why in FORBIDDEN:
                if _in(src, low) and _in(dst, high) and not _in(src, high):
                    out.append(f"{src}:{line} -> {dst} ({why})")
            if dst == "amlab.cli" and src != "amlab.__main__":
                out.append(f"{src}:{line} -> amlab.cli (nothing imports the command line)")
    return out


def cycles(graph: dict) -> list:
    """The cycles among module-level imports, each as a list of modules (first repeated at the end)."""
    edges = {m: sorted(d for d, (_, top) in e.items() if top) for m, e in graph.items()}
    found, state, stack = [], {}, []

    def visit(m):
        state[m] = "open"
        stack.append(m)
        for d in edges.get(m, ()):
            if state.get(d) == "open":
                found.append(stack[stack.index(d):] + [d])
            elif d not in state:
                visit(d)
        stack.pop()
        state[m] = "done"

    for m in sorted(edges):
        if m not in state:
            visit(m)
    return found


GRAPH = import_graph(scan(ROOT))


def test_the_scan_sees_the_packages_and_their_imports():
    assert {"_amlab.params", "hopfield.classical", "theory.formula", "simulations.checks.registry", "figures.registry",
            "amlab.cli"} <= set(GRAPH)
    assert "simulations.checks.point" in GRAPH["simulations.checks.stats"]  # module level
    assert GRAPH["simulations.checks.stats"]["simulations.checks.point"][1] is True
    assert "hopfield.classical" in GRAPH["simulations.estimators.classical"]  # inside a function
    assert GRAPH["simulations.estimators.classical"]["hopfield.classical"][1] is False
    # the floor is in use below every layer that validates parameters, and stands on nothing of ours
    for user in ("hopfield._validate", "theory.formula", "simulations.estimators", "simulations.train.fields"):
        assert "_amlab.params" in GRAPH[user], user
    assert GRAPH["_amlab.params"] == {} and GRAPH["_amlab"] == {}


def test_no_layer_imports_upward_or_across():
    assert violations(GRAPH, KNOWN_FIGURE_CHECK_IMPORTS) == []


def test_known_exceptions_are_still_needed():
    # an entry whose import is gone must leave the list (phase 2 empties it)
    stale = sorted(pair for pair in KNOWN_FIGURE_CHECK_IMPORTS if pair[1] not in GRAPH.get(pair[0], {}))
    assert stale == []


def test_no_import_cycles():
    assert cycles(GRAPH) == []


def _plant(tmp_path, files: dict) -> dict:
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return import_graph(scan(tmp_path))


def test_the_checker_finds_planted_violations(tmp_path):
    graph = _plant(tmp_path, {
        "hopfield/__init__.py": "",
        "hopfield/sim.py": "def f():\n    from theory import formula\n",  # across, inside a function
        "theory/__init__.py": "",
        "theory/formula.py": "import numpy\n",
        "simulations/__init__.py": "",
        "simulations/estimators/__init__.py": "",
        "simulations/estimators/toy.py": "from ..checks import registry\n",  # relative, estimators -> checks
        "simulations/checks/__init__.py": "",
        "simulations/checks/registry.py": "from simulations.checks import stats\nimport amlab.warm\n",
        "simulations/checks/stats.py": "from simulations.checks.registry import CHECKS\n",  # a cycle
        "simulations/checks/suite/__init__.py": "",
        "simulations/checks/suite/toy.py": "",
        "figures/__init__.py": "",
        "figures/toy.py": "from simulations.checks.suite import toy\n",
        "amlab/__init__.py": "",
        "amlab/warm.py": "",
        "amlab/cli.py": "",
        "amlab/__main__.py": "from amlab.cli import main\n",
        "amlab/demos/__init__.py": "from amlab import cli\n",
        "_amlab/__init__.py": "",
        "_amlab/params.py": "import numpy\nfrom hopfield import sim\n",  # the floor reaching up
        "hopfield/uses_floor.py": "from _amlab.params import Param\n",  # allowed: everything stands on the floor
    })
    found = violations(graph)
    assert any(v.startswith("hopfield.sim:2 -> theory.formula") for v in found), found
    assert any(v.startswith("simulations.estimators.toy:1 -> simulations.checks.registry") for v in found), found
    assert any(v.startswith("simulations.checks.registry:1 -> amlab.warm") for v in found) is False  # line 2
    assert any(v.startswith("simulations.checks.registry:2 -> amlab.warm (an upward") for v in found), found
    assert any(v.startswith("figures.toy:1 -> simulations.checks.suite.toy (figures reach") for v in found), found
    assert any(v.startswith("amlab.demos:1 -> amlab.cli") for v in found), found
    assert not any(v.startswith("amlab.__main__") for v in found), found
    assert any(v.startswith("_amlab.params:2 -> hopfield.sim (the floor imports nothing of ours)") for v in found), found
    assert not any(v.startswith("hopfield.uses_floor") for v in found), found
    assert violations(graph, {("figures.toy", "simulations.checks.suite.toy")}) == [
        v for v in found if not v.startswith("figures.toy")]
    assert cycles(graph) == [["simulations.checks.registry", "simulations.checks.stats",
                              "simulations.checks.registry"]]


def namespace_folders(root: Path, packages=PACKAGES) -> list:
    """Folders of ``packages`` that hold modules but no ``__init__.py`` (setuptools would leave them out)."""
    folders = {p.parent for pkg in packages if (root / pkg).is_dir() for p in (root / pkg).rglob("*.py")}
    return sorted(str(f.relative_to(root)) for f in folders
                  if not (f / "__init__.py").is_file() and "data" not in f.relative_to(root).parts)


def test_every_folder_of_modules_is_a_package(tmp_path):
    assert namespace_folders(ROOT) == []
    (tmp_path / "simulations" / "core").mkdir(parents=True)
    (tmp_path / "simulations" / "__init__.py").write_text("")
    (tmp_path / "simulations" / "core" / "seeds.py").write_text("")
    assert namespace_folders(tmp_path) == ["simulations/core"]
