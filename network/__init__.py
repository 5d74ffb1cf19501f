"""taihang: a regional multimodal transport network model (package ``network``).

Public API::

    from network import Model, Assumptions
    model = Model.default(year=2024)
    per_place, summary = model.score(["郑州", "洛阳"])
    trip = model.route("晋城东站", "郑州站", mode="rail")
    plan = model.with_scenario(load_scenario("scenarios/jincheng_plan.yaml"))

Stages, each importing only those above it: ``sources`` (read data) → ``graph`` (build, schema,
look-up) → ``scenario`` (load, validate, apply) → ``routing`` (CSR arrays, shortest paths)
→ ``indicators`` → ``viz``; ``model`` and
``cli`` orchestrate.
"""

from network.assumptions import Assumptions
from network.errors import (
                            AssumptionError,
                            DataError,
                            LookupFailed,
                            NetworkModelError,
                            ScenarioError,
                            UnreachableError,
                            YearError,
)
from network.model import Model
from network.scenario.load import load_scenario

__version__ = "0.1.0"
__all__ = ["Assumptions", "AssumptionError", "DataError", "LookupFailed", "Model", "NetworkModelError",
           "ScenarioError", "UnreachableError", "load_scenario", "YearError", "__version__"]
