"""taihang: a regional multimodal transport network model (package ``network``).

Public API::

    from network import Model, Assumptions
    model = Model.default(year=2024)
    per_place, summary = model.score(["郑州", "洛阳"])
    trip = model.route("晋城东站", "郑州站", mode="rail")
    plan = model.with_scenario(load_scenario("scenarios/jincheng_plan.yaml"))

Layers, each importing only from itself and those before it (checked by ``tests/test_layers.py``):
base (errors, io, yamlio, assumptions, the search engine ``search``) → ``sources`` (read
data) → ``graph`` (build; the :class:`Network` value) → ``routing`` (compiled arrays, searches)
→ ``scenario`` (load, validate, apply) → ``indicators`` → ``model`` (queries) and ``isochrones``
→ ``claims``, ``uncertainty``, ``compare`` → ``viz`` → ``cli``.
"""

from typing import TYPE_CHECKING, Any

from network._version import __version__
from network.assumptions import Assumptions
from network.errors import (
    AssumptionError,
    DataError,
    DownloadError,
    LookupFailed,
    NetworkModelError,
    ScenarioError,
    UnreachableError,
    YearError,
)

if TYPE_CHECKING:
    from network.graph.network import Network
    from network.model import Model
    from network.scenario.apply import apply_scenario
    from network.scenario.load import load_scenario

#: Loaded on first use (PEP 562), so ``import network`` and a command that needs only part of
#: the package do not pay for the rest.
_LAZY = {
    "Network": "network.graph.network",
    "Model": "network.model",
    "apply_scenario": "network.scenario.apply",
    "load_scenario": "network.scenario.load",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'network' has no attribute {name!r}")


__all__ = [
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
