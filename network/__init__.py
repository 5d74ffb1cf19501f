"""taihang: a regional multimodal transport network model (package ``network``).

Public API::

    from network import Model, Assumptions
    model = Model.default(year=2024)
    per_place, summary = model.score(["郑州", "洛阳"])
    trip = model.route("晋城东站", "郑州站", mode="rail")
    plan = model.with_scenario(load_scenario("scenarios/jincheng_plan.yaml"))

Layers, each importing only from itself and those before it (checked by ``tests/test_layers.py``):
base (errors, io, yamlio, assumptions, the search engine ``routing.engine``) → ``sources`` (read
data) → ``graph`` (build; the :class:`Network` value) → ``routing`` (compiled arrays, searches)
→ ``scenario`` (load, validate, apply) → ``indicators`` → ``model`` (queries) and ``isochrones``
→ ``claims``, ``uncertainty``, ``compare`` → ``viz`` → ``cli``.
"""

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
from network.graph.network import Network
from network.model import Model
from network.scenario.apply import apply_scenario
from network.scenario.load import load_scenario

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
