"""Evaluating a claim on one network: the times of each reading, mode and destination, and the
verdicts against the thresholds."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from network.analysis.claims.spec import LEGS, Claim, ClaimFile, Origin
from network.errors import LookupFailed, UnreachableError
from network.graph.schema import TRANSIT_MODES
from network.indicators.equity import EQUITY_NOTE, equity_table, outside_summary
from network.model import Model
from network.tables import UNREACHABLE_NOTE


# -- checking ----------------------------------------------------------------------------------
def leg_breakdown(legs: list[dict[str, Any]]) -> dict[str, float]:
    """Minutes of a trip's legs by kind: access, processing, wait, in_vehicle, egress. A trip with
    no public transport is all in-vehicle (the car)."""
    out = dict.fromkeys(LEGS, 0.0)
    rides = [i for i, leg in enumerate(legs) if leg["mode"] in TRANSIT_MODES]
    if not rides:
        out["in_vehicle"] = float(sum(leg["minutes"] for leg in legs))
        return out
    first, last = rides[0], rides[-1]
    for i, leg in enumerate(legs):
        m = leg["mode"]
        if m in TRANSIT_MODES:
            out["in_vehicle"] += leg["minutes"]
        elif m == "processing":
            out["processing"] += leg["minutes"]
        elif m in ("wait", "transfer"):
            out["wait"] += leg["minutes"]
        elif m == "egress" or i > last:
            out["egress"] += leg["minutes"]
        elif i < first:
            out["access"] += leg["minutes"]
        else:
            out["in_vehicle"] += leg["minutes"]
    return out


def _station_name(name: str) -> str:
    return name if name.endswith("站") or name.lower().endswith("station") else name + "站"


def _trip(model: Model, origin: str, destination: str, mode: str) -> tuple[float, dict[str, float]]:
    try:
        trip = model.route(origin, destination, mode=mode)
    except UnreachableError:
        return float("inf"), dict.fromkeys(LEGS, float("nan"))
    # the search's own minutes, unrounded, as the draws and sweeps have them; legs for the breakdown
    return float(model.trip_minutes(origin, destination, mode)), leg_breakdown(trip["legs"])


def origin_places(model: Model, origin: Origin) -> pd.DataFrame:
    """The county-level places of the origin (its city's, or the listed ones); looked up once
    per graph (every draw of a claim asks again)."""
    return model.per_graph(f"origin_places:{origin!r}", lambda: _origin_places(model, origin))


def _origin_places(model: Model, origin: Origin) -> pd.DataFrame:
    places = model.places()
    if origin.city is not None:
        out = places[places["city_zh"] == origin.city]
        if out.empty:
            cities = ", ".join(sorted(places["city_zh"].unique()))
            raise LookupFailed(f"origin.city {origin.city!r} has no county-level places; expected one of {cities}")
        return out
    eps = [model.resolve(p) for p in origin.places or []]
    not_places = [e.label for e in eps if e.kind != "place"]
    if not_places:
        raise LookupFailed(
            f"origin.places: {', '.join(not_places)} is not a place; the population_weighted reading "
            "needs places (a station goes in origin.stations, for the station_to_station reading)"
        )
    keys = [e.key for e in eps]
    return places[places["place_id"].isin(keys)].set_index("place_id").loc[keys].reset_index()


def _county_minutes(model: Model, counties: pd.DataFrame, destination: str, mode: str) -> np.ndarray:
    """Door-to-door minutes from every county to a destination in one search (no legs)."""
    dest = model.resolve(destination).destination_node
    origins = [f"place:{p}" for p in counties["place_id"]]
    if mode in ("rail", "transit"):
        return np.asarray(model.trips.rail_times(origins, dest, mode)[0], dtype=float)
    m2o = model.trips.to_target(mode, dest)
    return np.array([m2o.time_from(o, dest) for o in origins], dtype=float)


def evaluate(model: Model, spec: ClaimFile, network_name: str, legs: bool = True) -> pd.DataFrame:
    """One row per reading, mode and destination with the minutes and (``legs``) the legs;
    thresholds are applied in :func:`verdicts`. Without legs every time comes from the compiled
    arrays in a few searches, for the uncertainty draws; the rows are the same."""
    rows: list[dict[str, Any]] = []
    nan_legs = dict.fromkeys(LEGS, float("nan"))

    def trip(o: str, d: str, mode: str) -> tuple[float, dict[str, float]]:
        return _trip(model, o, d, mode) if legs else (model.trip_minutes(o, d, mode), nan_legs)

    centre = spec.origin.city if spec.origin.city is not None else (spec.origin.places or [""])[0]
    counties = origin_places(model, spec.origin) if "population_weighted" in spec.readings else None
    if not legs and ({"rail", "transit"} & set(spec.modes)) and "centre_to_centre" in spec.readings:
        # the centre's and the counties' road searches to the stations as one call
        county_nodes = [f"place:{p}" for p in counties["place_id"]] if counties is not None else []
        model.trips.ask_from([model.resolve(centre).origin_node, *county_nodes])
    for dest in spec.destinations:
        base = {"network": network_name, "destination": dest.place}
        if "station_to_station" in spec.readings:
            best: tuple[float, dict[str, float], str] = (float("inf"), nan_legs, "")
            for o in spec.origin.stations:
                for d in dest.stations:
                    minutes, lg = trip(_station_name(o), _station_name(d), "rail")
                    if minutes < best[0]:
                        best = (minutes, lg, f"{_station_name(o)} → {_station_name(d)}")
            rows.append(
                {
                    **base,
                    "reading": "station_to_station",
                    "mode": "rail",
                    "minutes": best[0],
                    "detail": best[2],
                    **best[1],
                }
            )
        for mode in spec.modes:
            if "centre_to_centre" in spec.readings:
                minutes, lg = trip(centre, dest.place, mode)
                rows.append(
                    {
                        **base,
                        "reading": "centre_to_centre",
                        "mode": mode,
                        "minutes": minutes,
                        "detail": f"{centre} → {dest.place}",
                        **lg,
                    }
                )
            if counties is not None:
                w = counties["population_2020"].to_numpy(dtype=float)
                if legs:
                    per = [_trip(model, p, dest.place, mode) for p in counties["place_id"]]
                    t = np.array([x[0] for x in per])
                else:
                    t = _county_minutes(model, counties, dest.place, mode)
                ok = np.isfinite(t)
                lg = (
                    {
                        k: float(np.sum([x[1][k] * wi for x, wi, f in zip(per, w, ok) if f]) / w[ok].sum())
                        if ok.any()
                        else float("nan")
                        for k in LEGS
                    }
                    if legs
                    else nan_legs
                )
                rows.append(
                    {
                        **base,
                        "reading": "population_weighted",
                        "mode": mode,
                        "minutes": float((t[ok] * w[ok]).sum() / w[ok].sum()) if ok.any() else float("inf"),
                        "worst_minutes": float(t.max()),
                        "detail": f"{len(t)} places, {int(w.sum()):,} people",
                        "place_minutes": t.tolist(),
                        "population": w.tolist(),
                        "place_names": counties["name_zh"].tolist(),
                        "place_prefectures": counties["city_zh"].tolist(),
                        **lg,
                    }
                )
    return pd.DataFrame(rows)


#: The equity indicators a population-weighted row of a claim carries beside its verdict.
_EQUITY_COLUMNS = (
    "population_outside",
    "mean_excess_min",
    "worst_excess_min",
    "fgt_gap",
    "fgt_severity",
    "tenth_ratio",
)


def equity_of_check(per: pd.DataFrame) -> pd.DataFrame:
    """Who is outside each threshold for every population-weighted row of a check, for the
    origin's places together, by prefecture and by county (``equity_table``)."""
    if "place_minutes" not in per:
        return pd.DataFrame()
    frames = [
        equity_table(
            r["place_minutes"],
            r["population"],
            r["place_prefectures"],
            r["place_names"],
            [r["threshold_min"]],
            network=r["network"],
            destination=r["destination"],
            mode=r["mode"],
        )
        for _, r in per.iterrows()
        if isinstance(r["place_minutes"], list)
    ]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def verdicts(times: pd.DataFrame, spec: ClaimFile) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Apply the thresholds: (per destination rows with ``holds`` and ``share_within``, overall
    verdict per network, reading, mode and threshold)."""
    per, overall = [], []
    for th in spec.thresholds:
        t = times.copy()
        t["threshold_min"] = th
        if spec.aggregate == "all_of" and "worst_minutes" in t:
            basis = np.where(t["reading"] == "population_weighted", t["worst_minutes"], t["minutes"])
        else:
            basis = t["minutes"].to_numpy()
        t["holds"] = np.asarray(basis, dtype=float) <= th
        t["margin_min"] = th - np.asarray(basis, dtype=float)
        if "place_minutes" in t:
            t["share_within"] = [
                float(np.sum(np.array(w)[np.array(m) <= th]) / np.sum(w)) if isinstance(m, list) else np.nan
                for m, w in zip(t["place_minutes"], t.get("population", [None] * len(t)))
            ]
        if "place_minutes" in t:  # who is outside, and how far (network/indicators/equity.py)
            out = [
                outside_summary(m, w, th) if isinstance(m, list) else {}
                for m, w in zip(t["place_minutes"], t.get("population", [None] * len(t)))
            ]
            for col in _EQUITY_COLUMNS:
                t[col] = [o.get(col, np.nan) for o in out]
            t["population_outside"] = t["population_outside"].astype("Int64")  # a count: no ".0"
        t["basis_min"] = np.asarray(basis, dtype=float)
        per.append(t)
        for (net, reading, mode), g in t.groupby(["network", "reading", "mode"], sort=False):
            overall.append(verdict_row(g, spec.require, net, reading, mode, th, "basis_min"))
    per_all = pd.concat(per, ignore_index=True).drop(columns="basis_min")
    return per_all, pd.DataFrame(overall)


def verdict_row(g: pd.DataFrame, require: str, net: str, reading: str, mode: str, th: float, basis: str) -> dict:
    """One verdict row from one group's destinations, every value of it read from one destination.

    ``max_minutes`` and ``worst_destination`` are the longest time the verdict compares (column
    ``basis``: a population-weighted all-of reading compares its worst place) and the destination
    it belongs to; ``failing`` names the destinations that do not hold. So the row never puts one
    destination's minutes next to another's name."""
    ok = g["holds"].all() if require == "every_destination" else g["holds"].any()
    values = pd.to_numeric(g[basis], errors="coerce")
    known = values.notna().any()
    return {
        "network": net,
        "reading": reading,
        "mode": mode,
        "threshold_min": th,
        "verdict": "holds" if ok else "does not hold",
        "max_minutes": float(values.max()) if known else float("nan"),
        "worst_destination": g.loc[values.idxmax(), "destination"] if known else "—",
        "failing": ", ".join(g.loc[~g["holds"].astype(bool), "destination"]) or "—",
    }


@dataclass
class CheckResult:
    """The result of checking one claim: times per destination, verdicts, dates, warnings."""

    claim: Claim
    per_destination: pd.DataFrame
    overall: pd.DataFrame
    as_of: dict[str, str] = field(default_factory=dict)
    uncertainty_note: str = ""
    warnings: dict[str, list[str]] = field(default_factory=dict)  # per network: Model.warnings
    timing: str = ""  # how long the draws took (shown, never written: the files stay byte-identical)
    #: the model of each network checked (for charts of the same networks: the time-space map)
    models: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def warning_lines(self) -> list[str]:
        """Each warning once: those of every network as they are, the others named by network."""
        every = [w for w in next(iter(self.warnings.values()), []) if all(w in v for v in self.warnings.values())]
        rest = [f"{k}: {w}" for k, ws in self.warnings.items() for w in ws if w not in every]
        return every + rest


#: The per-place lists of a population-weighted row (kept in the result, left out of its tables).
PLACE_LISTS = ("place_minutes", "population", "place_names", "place_prefectures")


def result_payload(res: CheckResult) -> dict[str, Any]:
    """A check result as plain JSON-ready data."""
    spec = res.claim.spec
    per = res.per_destination.drop(columns=[c for c in PLACE_LISTS if c in res.per_destination])
    clean = lambda df: json.loads(df.to_json(orient="records", force_ascii=False))  # noqa: E731
    return {
        "claim": spec.name,
        "text": spec.claim,
        "source": spec.source,
        "interpretation": spec.interpretation,
        "file": str(res.claim.path),
        "as_of": res.as_of,
        "verdicts": clean(res.overall),
        "per_destination": clean(per),
        "equity": clean(equity_of_check(res.per_destination)),
        "equity_note": EQUITY_NOTE,
        "uncertainty": res.uncertainty_note or None,
        "warnings": {k: v for k, v in res.warnings.items() if v},
        "unreachable": UNREACHABLE_NOTE,
    }
