"""What a project costs, and how much access it buys per 亿元.

Cost of a card: its published total (``cost: {amount_100m_yuan, source, price_year}``), or else an
estimate: each line or road the card builds (:attr:`ApplyReport.built
<network.graph.network.ApplyReport.built>`: kind, modelled route km, polyline) times the unit
cost per km of its kind in each terrain it crosses (``data/unit_costs.csv``; terrain sampled every
kilometre along the polyline from the embedded grid, read as the road speeds read it), low,
central and high. A change with no unit cost (an upgrade, a service, an airport, a class-2 road)
leaves the card's cost unknown unless the card publishes one. A package costs the sum of its
cards; if one of them has no cost, the package's cost is unknown too (a partial sum would flatter it).

Gain: person-minutes, Σ over the main targets and the places the card serves of Σ_i population_i ×
minutes gained to that target, in the mode (best, rail or public transport) whose total is largest,
over every scored place (:func:`person_minutes`): how much closer the
project brings people, not trips made (the model has no demand), so a project serving more targets
gains more. Per 亿元: gain / cost; per 亿元 a year: gain / (cost /
``lifetime_years``) where the card gives a lifetime. The p10-p90 band is over the cost range only
(triangular low, central, high; 2,000 draws, seed 1): the minutes are the central constants'.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from network.assumptions import Assumptions
    from network.graph.network import ApplyReport
    from network.scenario.load import Scenario

#: Draws of the cost band (triangular over the cost range) and their seed: enough for stable
#: p10/p90 to three figures; a fixed seed so the same inputs give the same band.
COST_DRAWS = 2000
COST_SEED = 1

#: Spacing (km) of the terrain samples along a built line.
SAMPLE_KM = 1.0


@dataclass
class CardCost:
    """The cost of one card (or package) in 亿元: central, low, high; how it was found."""

    card: str
    central: float | None
    low: float | None
    high: float | None
    basis: str  # "published: <source>" or "estimated: ..." or why there is none
    lifetime_years: int | None = None
    parts: list[str] = field(default_factory=list)  # one line per line or road priced

    @property
    def known(self) -> bool:
        """Whether the cost is known (published, estimated, or the sum of known parts)."""
        return self.central is not None


def terrain_shares(points: Sequence[tuple[float, float]], a: Assumptions) -> dict[str, float]:
    """Share of a polyline's length in each terrain setting (plain, hilly, mountain), sampled every
    :data:`SAMPLE_KM` from the embedded grid with the thresholds the road speeds use."""
    from network.geo import haversine_km
    from network.sources.terrain import settings_at

    pts = np.asarray(points, dtype=float)
    samples, weights = [], []
    for p, q in zip(pts, pts[1:]):
        km = float(haversine_km(p[0], p[1], q[0], q[1]))
        n = max(1, int(np.ceil(km / SAMPLE_KM)))
        t = (np.arange(n) + 0.5) / n
        samples.append(p + (q - p) * t[:, None])
        weights.append(np.full(n, km / n))
    if not samples:
        return {}
    xy, w = np.concatenate(samples), np.concatenate(weights)
    setting = settings_at(xy[:, 0], xy[:, 1], a.terrain_hilly_relief_m, a.terrain_mountain_relief_m)
    total = float(w.sum())
    return {str(s): float(w[setting == s].sum() / total) for s in sorted(set(setting.tolist()))} if total else {}


def _unit(units: dict[tuple[str, str], dict[str, Any]], kind: str, terrain: str) -> dict[str, Any] | None:
    return units.get((kind, terrain)) or units.get((kind, "any"))


def estimate_built(
    built: dict[str, Any], units: dict[tuple[str, str], dict[str, Any]], a: Assumptions
) -> tuple[tuple[float, float, float] | None, str]:
    """(low, central, high) 亿元 of one built line or road, and a line saying how; None where its
    kind has no unit cost in some terrain it crosses."""
    shares = terrain_shares(built["points"], a)
    km = float(built["km"])
    lo = mid = hi = 0.0
    for terrain, share in shares.items():
        u = _unit(units, str(built["kind"]), terrain)
        if u is None:
            return None, f"{built['id']}: no unit cost for {built['kind']} in {terrain} terrain (data/unit_costs.csv)"
        lo, mid, hi = lo + km * share * u["low"], mid + km * share * u["central"], hi + km * share * u["high"]
    terrains = ", ".join(f"{t} {100 * s:.0f}%" for t, s in shares.items())
    line = f"{built['id']}: {built['kind']}, {km:.1f} km ({terrains}): {mid:.1f} 亿元 ({lo:.1f}-{hi:.1f})"
    return (lo, mid, hi), line


def card_cost(card: Scenario, report: ApplyReport, a: Assumptions) -> CardCost:
    """The cost of ``card`` (module docstring): its own published cost, or the sum of its parts'
    (a package), or the estimate of what it builds (``report`` of applying it, or a package holding it)."""
    life = card.cost.lifetime_years if card.cost is not None else None
    if card.cost is not None and card.cost.amount_100m_yuan is not None:
        c = card.cost
        mid = float(c.amount_100m_yuan)
        year = f", prices of {c.price_year}" if c.price_year else ""
        return CardCost(
            card.name,
            mid,
            float(c.low_100m_yuan or mid),
            float(c.high_100m_yuan or mid),
            f"published: {c.source}{year}",
            life,
        )
    if card.components:
        parts = [card_cost(p, report, a) for p in card.components]
        own = [ch for ch in card.changes if ch.scenario == card.name]
        if own:  # a package with changes of its own: price those as a card
            parts.append(_estimated(card, report, a, life))
        missing = [p.card for p in parts if not p.known]
        if missing:
            return CardCost(card.name, None, None, None, f"unknown: no cost for {', '.join(missing)}", life)
        return CardCost(
            card.name,
            sum(p.central for p in parts if p.central is not None),
            sum(p.low for p in parts if p.low is not None),
            sum(p.high for p in parts if p.high is not None),
            f"sum of {len(parts)} cards",
            life,
            [line for p in parts for line in p.parts],
        )
    return _estimated(card, report, a, life)


def _estimated(card: Scenario, report: ApplyReport, a: Assumptions, life: int | None) -> CardCost:
    from network.sources.files import read_unit_costs

    units = read_unit_costs()
    built = [b for b in report.built if b["card"] == card.name]
    priced = {"add_rail_line", "add_road"}
    other = sorted({ch.change.type for ch in card.changes if ch.scenario == card.name} - priced)
    if not built:
        why = f"no unit cost for {', '.join(other)}" if other else "it builds nothing (or nothing open on the date)"
        return CardCost(card.name, None, None, None, f"unknown: {why}; give cost: amount_100m_yuan", life)
    lo = mid = hi = 0.0
    lines = []
    for b in built:
        est, line = estimate_built(b, units, a)
        lines.append(line)
        if est is None:
            return CardCost(card.name, None, None, None, f"unknown: {line}", life, lines)
        lo, mid, hi = lo + est[0], mid + est[1], hi + est[2]
    note = f"; not priced: {', '.join(other)}" if other else ""
    return CardCost(card.name, mid, lo, hi, f"estimated from data/unit_costs.csv{note}", life, lines)


def gain_per_cost(person_min: float, cost: CardCost) -> dict[str, float | None]:
    """Person-minutes per 亿元 (central, p10, p90 over the cost range) and, with a lifetime, per
    亿元 a year; None where the cost is unknown."""
    if not cost.known or cost.central is None or cost.low is None or cost.high is None:
        return {"per_100m_yuan": None, "p10": None, "p90": None, "per_100m_yuan_year": None}
    rng = np.random.default_rng(COST_SEED)
    lo, mid, hi = cost.low, cost.central, cost.high
    draws = rng.triangular(lo, mid, hi, COST_DRAWS) if hi > lo else np.full(COST_DRAWS, mid)
    ratio = person_min / draws
    per = person_min / mid
    return {
        "per_100m_yuan": per,
        "p10": float(np.percentile(ratio, 10)),
        "p90": float(np.percentile(ratio, 90)),
        "per_100m_yuan_year": per * cost.lifetime_years if cost.lifetime_years else None,
    }


def person_minutes(
    places: pd.DataFrame, targets: Sequence[str], modes: Sequence[str] = ("best", "rail", "transit")
) -> tuple[float, int, float]:
    """Person-minutes gained, Σ over ``targets`` of Σ_i population_i × minutes gained to the target,
    in the mode of ``modes`` whose total is largest for that target, as the ranking's gains take the
    largest (module docstring); ``places`` is a comparison's long table per place and target
    (``<mode>_gain_min``, ``<mode>_before_min``, ``population_2020``); how many place-target pairs
    were left out because a place was unreachable before or after (no finite gain); and the share
    of the gain that goes to the worse-served half of the population (places whose time before is
    above the population-weighted median, or who could not reach the target): 0.5 is a gain in
    proportion to people, more favours those who were farthest."""
    total, left_out, far_gain = 0.0, 0, 0.0
    for t in targets:
        sel = places[places["target"] == t]
        pop = sel["population_2020"].to_numpy(dtype=float)
        pick: tuple[float, int, float] | None = None
        for m in modes:
            gain = sel[f"{m}_gain_min"].to_numpy(dtype=float)
            before = sel[f"{m}_before_min"].to_numpy(dtype=float)
            ok = np.isfinite(gain)
            value = float((gain[ok] * pop[ok]).sum())
            far = ~np.isfinite(before) | (before > _weighted_median(before, pop))
            if pick is None or value > pick[0]:
                pick = (value, int((~ok).sum()), float((gain[ok & far] * pop[ok & far]).sum()))
        assert pick is not None
        total += pick[0]
        left_out += pick[1]
        far_gain += pick[2]
    return total, left_out, (far_gain / total if total > 0 else float("nan"))


def _weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    """The population-weighted median of ``values``, an unreachable place (NaN or inf) counting as
    the farthest (the lower value where the half falls on a boundary)."""
    ok = weights > 0
    if not ok.any():
        return float("inf")
    v_all = np.where(np.isfinite(values), values, np.inf)
    order = np.argsort(v_all[ok], kind="stable")
    v, w = v_all[ok][order], weights[ok][order]
    return float(v[np.searchsorted(np.cumsum(w), 0.5 * w.sum())])
