"""The import contract: the package is layered, one way, with no cycle.

Layers, lowest first (a module imports only from its own layer or below; imports inside
functions count too, and only ``if TYPE_CHECKING:`` blocks are exempt, as they never run):

    base        errors, geo, crs, io, outputs, tables, yamlio, textrules, assumptions, _version, parallel,
                search, repair (arrays and searches: NumPy/SciPy, and numba for the repair kernel)
    sources     read files and OpenStreetMap
    graph       build the graph, its edge arrays and the Network value; the network file
    routing     compile per mode, door-to-door and many-to-one searches, legs
    scenario    load, validate and apply scenario files
    indicators  accessibility measures and summaries (pure array maths)
    query       Model (queries on a Network), isochrones
    analysis    claims, uncertainty, compare, sweeps
    viz         maps, charts, the comparison report
    cli         the command line; ``network`` (the package facade) re-exports the public API
"""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "network"

LAYERS: list[tuple[str, tuple[str, ...]]] = [
    (
        "base",
        (
            "network.errors",
            "network.geo",
            "network.crs",
            "network.io",
            "network.outputs",
            "network.tables",
            "network.yamlio",
            "network.assumptions",
            "network._version",
            "network.search",
            "network.parallel",
            "network.textrules",
            "network.textlayout",
            "network.repair",
        ),
    ),
    ("sources", ("network.sources", "network.examples")),
    ("graph", ("network.graph",)),
    ("routing", ("network.routing",)),
    ("scenario", ("network.scenario",)),
    ("indicators", ("network.indicators",)),
    ("query", ("network.model", "network.isochrones")),
    ("analysis", ("network.analysis",)),
    ("viz", ("network.viz",)),
    ("cli", ("network.cli", "network.commands", "network")),
]


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _layer(module: str) -> int:
    best, best_len = None, -1
    for k, (_, prefixes) in enumerate(LAYERS):
        for p in prefixes:
            if (module == p or module.startswith(p + ".")) and len(p) > best_len:
                best, best_len = k, len(p)
    assert best is not None, f"{module} is in no layer: add it to LAYERS in tests/test_layers.py"
    return best


def _runtime_imports(path: Path) -> set[str]:
    """Every network.* module ``path`` imports at run time (also inside functions)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip.update(id(n) for child in node.body for n in ast.walk(child))
    out = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "network" or node.module.startswith("network."):
                out.add(node.module)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name == "network" or a.name.startswith("network."))
    return out


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}
GRAPH = {m: _runtime_imports(p) for m, p in MODULES.items()}


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_imports_a_higher_layer(module):
    mine = _layer(module)
    upward = [f"{t} ({LAYERS[_layer(t)][0]})" for t in sorted(GRAPH[module]) if _layer(t) > mine]
    assert not upward, f"{module} ({LAYERS[mine][0]}) imports upward: {', '.join(upward)}"


def test_no_import_cycle():
    """No cycle among the modules (the package facade ``network`` aside: it only re-exports)."""
    graph = {m: {t for t in ts if t in MODULES and t != "network"} for m, ts in GRAPH.items() if m != "network"}
    seen: dict[str, int] = {}  # 1 = on the stack, 2 = done

    def visit(m: str, stack: list[str]) -> None:
        seen[m] = 1
        for t in sorted(graph.get(m, ())):
            if seen.get(t) == 1:
                cycle = stack[stack.index(t) :] + [t] if t in stack else [m, t]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if t not in seen:
                visit(t, stack + [t])
        seen[m] = 2

    for m in sorted(graph):
        if m not in seen:
            visit(m, [m])


def test_the_layer_map_names_only_real_modules():
    for _, prefixes in LAYERS:
        for p in prefixes:
            assert any(m == p or m.startswith(p + ".") for m in MODULES), f"LAYERS names {p}, which does not exist"


def test_import_network_loads_no_optional_or_heavy_dependency():
    code = (
        "import sys, network; heavy = ['folium', 'matplotlib', 'osmium', 'geopandas', 'osmnx', 'shapely', "
        "'pyogrio', 'pyproj', 'playwright', 'branca', 'tqdm', 'requests']; "
        "print(','.join(m for m in heavy if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "", f"import network loads {out.stdout.strip()}"


def test_public_exports():
    import network

    assert sorted(network.__all__) == sorted(
        [
            "Assumptions",
            "AssumptionError",
            "DataError",
            "DownloadError",
            "LookupFailed",
            "Model",
            "Network",
            "NetworkModelError",
            "ScenarioError",
            "UnreachableError",
            "YearError",
            "apply_scenario",
            "load_scenario",
            "__version__",
        ]
    )
    for name in network.__all__:
        assert hasattr(network, name), name
    from network import errors

    classes = {
        n
        for n, v in vars(errors).items()
        if isinstance(v, type) and issubclass(v, Exception) and v.__module__ == "network.errors"
    }
    assert classes <= set(network.__all__), f"error classes not exported: {sorted(classes - set(network.__all__))}"


def test_the_wheel_lists_every_subpackage():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"])
    real = {_module_name(p) for p in PACKAGE.rglob("__init__.py")}
    assert real <= listed, f"pyproject.toml [tool.setuptools] packages misses {sorted(real - listed)}"


def test_only_the_engine_calls_the_graph_routines():
    """Every search runs in network/search.py, so the engine can be swapped in one place."""
    callers = []
    for module, path in MODULES.items():
        text = path.read_text(encoding="utf-8")
        tree = ast.parse(text)
        for node in ast.walk(tree):
            names = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            imported = [a.name for a in node.names] if isinstance(node, ast.ImportFrom) else []
            if any(n.startswith("scipy.sparse.csgraph") for n in names) or (
                names == ["scipy.sparse"] and "csgraph" in imported
            ):
                callers.append(module)
    assert set(callers) == {"network.search"}, f"scipy.sparse.csgraph imported by {sorted(set(callers))}"


def test_lower_layers_do_not_name_higher_ones_even_for_types():
    """No type-only circle: the graph layer holds a scenario's report and a scenario by types of
    its own (``ApplyReport``, a ``Scenario`` protocol), never by importing the scenario layer."""
    for path in sorted((PACKAGE / "graph").rglob("*.py")) + sorted((PACKAGE / "sources").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for higher in ("network.scenario", "network.model", "network.analysis.claims", "network.viz", "network.cli"):
            assert f"from {higher}" not in text and f"import {higher}" not in text, (path, higher)


#: Modules over about 500 lines, each one idea (the note says why); a new one, or one of these
#: grown by more than a tenth, fails here and is split first.
LONG_MODULES = {
    "network/graph/build.py": (870, "the builder of the multimodal graph, one block per layer"),
    "network/model.py": (690, "the Model facade: every query a user makes of a network"),
    "network/graph/osm.py": (640, "a network from OpenStreetMap: tags to classes, stations, services"),
    "network/viz/maps.py": (600, "the offline folium maps and their layers"),
    "network/sources/osm.py": (600, "reading OpenStreetMap files and downloads"),
    "network/assumptions.py": (600, "every modelling constant, each with its value, range and source"),
    "network/graph/netfile.py": (560, "the network file: its layers written and read back, checked"),
    "network/graph/timing.py": (
        600,
        "edge times: the rules (terrain and metro included), their formulas, the vectorised evaluation",
    ),
}


def test_no_module_grows_past_about_500_lines_unless_it_is_one_idea():
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = str(path.relative_to(ROOT))
        lines = len(path.read_text(encoding="utf-8").splitlines())
        limit, _why = LONG_MODULES.get(rel, (500, ""))
        assert lines <= limit * 1.1, f"{rel}: {lines} lines; split it (or say in LONG_MODULES why it is one idea)"
