"""Checking a claim: each network it names (base and scenario), evaluated, with verdicts and draws."""

from __future__ import annotations

from typing import Any

import pandas as pd

from network.analysis.claims.draws import add_uncertainty
from network.analysis.claims.evaluate import CheckResult, evaluate, verdicts
from network.analysis.claims.spec import Claim, NetworkSpec
from network.model import default_year
from network.scenario.load import load_scenario


def network_for(claim: Claim, net: NetworkSpec, base_factory: Any) -> Any:
    """The model a claim's network entry describes: ``base_factory(year)`` with its scenario applied."""
    sp = claim.scenario_path(net)
    scenario = load_scenario(sp, root=claim.scenario_root) if sp is not None else None
    year = net.year if net.year is not None else default_year([scenario] if scenario is not None else [])
    model = base_factory(year)
    return model.with_scenario(scenario) if scenario is not None else model


def check_claim(claim: Claim, base_factory: Any, draws: int = 0, seed: int = 1) -> CheckResult:
    """Evaluate a claim on each of its networks (``base_factory(year) -> Model`` builds the base).
    With ``draws``, every assumption that re-times edges is sampled (:mod:`network.analysis.uncertainty`) and the
    results gain p10/p50/p90 columns and the share of draws in which each verdict holds."""
    from network.analysis.claims.route import evaluate_routes, route_verdicts

    routes = bool(claim.spec.route_checks)
    frames, as_of, models, warnings = [], {}, {}, {}
    for net in claim.spec.networks:
        model = network_for(claim, net, base_factory)
        as_of[net.name] = model.as_of
        models[net.name] = model
        warnings[net.name] = model.warnings
        frames.append(evaluate_routes(model, claim.spec, net.name) if routes else evaluate(model, claim.spec, net.name))
    if routes:
        per = pd.concat(frames, ignore_index=True)
        overall = route_verdicts(per, claim.spec)
    else:
        per, overall = verdicts(pd.concat(frames, ignore_index=True), claim.spec)
    not_open = {k: len(m.apply_report.skipped) if m.apply_report is not None else 0 for k, m in models.items()}
    for df in (per, overall):  # every row says what its network leaves out
        df["changes_not_open"] = df["network"].map(not_open)
        df["warnings"] = df["network"].map(lambda n: "; ".join(warnings[n]))
    result = CheckResult(claim, per, overall, as_of, warnings=warnings, models=models)
    if draws > 0 and routes:  # checked with the others, without draws, and saying so
        result.uncertainty_note = (
            f"no draws: {claim.spec.name} is a claim about routes (route_checks), with no minutes for the "
            "draws to vary; its verdicts are those of the central constants"
        )
    elif draws > 0:
        add_uncertainty(result, models, draws, seed)
    return result
