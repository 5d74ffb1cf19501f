"""Exploring a claim as its key constants move: each network built once, re-timed for any setting.

In: the networks to explore (name → :class:`~network.model.Model`: today, each plan), a claim.
Out: for a setting of the constants, the claim's times per destination and its verdicts
(:func:`~network.analysis.claims.evaluate.verdicts`), in about a quarter of a second per network.

Why it is fast: edge times are data. Every edge carries its timing rule and inputs, so a new
setting re-times the arrays (:class:`~network.analysis.uncertainty.Retimer`, the same formulas as
the build: at the built constants it gives the built times exactly) without rebuilding the graph
or re-applying a scenario. Only constants that re-time edges can move here; those that shape the
network (how far a traveller goes to a station, how roads join) need a rebuild, and are left out.

The constants offered (:data:`KEY_CONSTANTS`) are the ones the one-hour question turns on: the
time at a station before the train (security, gates), the speed through towns, the cap on the
wait for a rare train, and the recovery margin on rail running times. Each moves within its
documented range (``taihang assumptions``), never beyond.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import pandas as pd

from network.analysis.claims.evaluate import evaluate, verdicts
from network.analysis.claims.spec import ClaimFile
from network.analysis.uncertainty import Retimer
from network.assumptions import Assumptions
from network.errors import AssumptionError
from network.model import Model

#: The constants a planner moves (name → what it means, in plain words).
KEY_CONSTANTS: dict[str, str] = {
    "station_processing_min": "time at the station before the train: security, gates, boarding (min)",
    "built_up_speed_kph": "car speed through built-up areas (km/h)",
    "wait_cap_min": "longest wait counted for a rare train: travellers use the timetable (min)",
    "running_time_supplement": "recovery margin on rail running times (share of the running time)",
}


def constant_ranges(assumptions: Assumptions, names: tuple[str, ...] = tuple(KEY_CONSTANTS)) -> pd.DataFrame:
    """Each constant's value, documented range and source: ``name, value, low, high, source``."""
    meta = {f.name: f.metadata for f in dataclasses.fields(assumptions)}
    unknown = [n for n in names if n not in meta]
    if unknown:
        raise AssumptionError(f"unknown assumption(s) {', '.join(unknown)}; see `taihang assumptions`")
    return pd.DataFrame(
        [
            {
                "name": n,
                "value": float(getattr(assumptions, n)),
                "low": float(meta[n]["low"]),
                "high": float(meta[n]["high"]),
                "source": str(meta[n]["source"]),
            }
            for n in names
        ]
    )


class Explorer:
    """Networks re-timed for any setting of the constants that re-time edges (module docstring).

    >>> import network
    >>> ex = Explorer({"today": network.Model.default(year=2024)})
    >>> slow = ex.model("today", station_processing_min=30).route("晋城", "郑州", mode="rail")["minutes"]
    >>> fast = ex.model("today", station_processing_min=12).route("晋城", "郑州", mode="rail")["minutes"]
    >>> round(slow - fast, 1)
    18.0
    """

    def __init__(self, models: Mapping[str, Model]) -> None:
        if not models:
            raise AssumptionError("Explorer: give at least one network to explore (name → Model)")
        self.models = dict(models)
        self._retimers: dict[str, Retimer] = {}

    def _retimer(self, network: str) -> Retimer:
        if network not in self.models:
            raise KeyError(f"{network!r}: not a network of this explorer; expected one of {', '.join(self.models)}")
        if network not in self._retimers:
            self._retimers[network] = Retimer(self.models[network])
        return self._retimers[network]

    def model(self, network: str, **constants: float) -> Model:
        """``network`` re-timed with ``constants`` (each within its documented range; the others
        as built). With no constants, the network as built."""
        if not constants:
            return self.models[network]
        base = self.models[network]
        changes: dict[str, Any] = dict(constants)
        return self._retimer(network).model_for(base.assumptions.replace(**changes))

    def claim(self, spec: ClaimFile, network: str, **constants: float) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The claim on ``network`` at ``constants``: (times per destination with ``holds``,
        verdicts), as ``taihang check`` gives them for that network."""
        times = evaluate(self.model(network, **constants), spec, network)
        return verdicts(times, spec)

    def sensitivity(self, spec: ClaimFile, network: str, reading: str, mode: str) -> pd.DataFrame:
        """Each key constant at its low and high end, the others as built: the reading's minutes to
        each destination and whether it holds. What a static page shows instead of sliders."""
        rows: list[dict[str, Any]] = []
        ranges = constant_ranges(self.models[network].assumptions)
        settings: list[tuple[str, str | None, float | None]] = [("as built", None, None)] + [
            (r.name, r.name, v) for r in ranges.itertuples() for v in (float(r.low), float(r.high))
        ]
        for label, name, value in settings:
            setting = {name: value} if name is not None and value is not None else {}
            per, _ = self.claim(spec, network, **setting)
            sel = per[(per["reading"] == reading) & (per["mode"] == mode)]
            for row in sel.itertuples():
                rows.append(
                    {
                        "constant": label,
                        "value": value if value is not None else float("nan"),
                        "destination": row.destination,
                        "threshold_min": row.threshold_min,
                        "minutes": row.minutes,
                        "holds": bool(row.holds),
                    }
                )
        return pd.DataFrame(rows)
