"""Claims: a plan's travel-time promise stated precisely in a file, and checked on the network.

A claim file (YAML, validated like scenario files, every problem reported with its line)::

    name: zhengtai_one_hour_circle
    claim: "郑太高铁已经建成通车，形成'晋城-郑州-洛阳'一小时经济圈"
    source: "晋城市规划 第一章第三节 4"
    interpretation: "one hour from Jincheng to each of Zhengzhou and Luoyang"
    origin: {city: 晋城, stations: [晋城东站]}
    destinations:
      - {place: 郑州, stations: [郑州东站, 郑州站]}
      - {place: 洛阳, stations: [洛阳龙门站, 洛阳站]}
    threshold_min: 60                 # or a list: each threshold is a reading of a vague word
    modes: [rail, best]
    readings: [station_to_station, centre_to_centre, population_weighted]
    aggregate: population_weighted    # or all_of: every county within the threshold
    require: every_destination        # or any_destination
    networks:                         # default: the network as it is
      - {name: today, year: 2024}
      - {name: jincheng_plan, scenario: ../scenarios/jincheng_plan.yaml}

Readings:

* ``station_to_station``: platform to platform, as a timetable would say: the quickest departure
  from any origin station to arrival at any destination station (rides, dwells, transfers and the
  waits between trains; no access, security or first wait).
* ``centre_to_centre``: door to door from the origin city's centre point to the destination's, in
  each mode.
* ``population_weighted``: door to door from every county-level place of the origin city; the
  verdict uses the population-weighted mean (``aggregate: population_weighted``) or requires every
  place (``all_of``); the share of population within the threshold is always reported.

Every time is split into legs: access (to the boarding point), processing (security, boarding),
wait (first wait, transfers and later waits), in-vehicle, egress (leaving the station and on to the
door). ``network.uncertainty`` adds p10/p50/p90 and the share of draws in which the claim holds.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from network.errors import ScenarioError
from network.graph.schema import TRANSIT_MODES
from network.io import UNREACHABLE_NOTE, resolve_inside

Name = Annotated[str, Field(min_length=1, max_length=400)]
Ident = Annotated[str, Field(min_length=1, max_length=80, pattern=r"^[a-z0-9][a-z0-9_\-]*$")]
Minutes = Annotated[float, Field(gt=0, le=1440)]
Reading = Literal["station_to_station", "centre_to_centre", "population_weighted"]
Mode = Literal["road", "rail", "transit", "best"]
READINGS: tuple[Reading, ...] = ("station_to_station", "centre_to_centre", "population_weighted")


def _default_modes() -> list[Mode]:
    return ["rail", "best"]
LEGS = ("access", "processing", "wait", "in_vehicle", "egress")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True)


class Origin(_Strict):
    """Where trips start: a prefecture-level city (its centre point and its county-level places),
    or a list of places (their population-weighted mean; the first is the centre)."""

    city: Name | None = None
    places: list[Name] | None = None
    stations: list[Name] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_kind(self) -> Origin:
        if (self.city is None) == (self.places is None):
            raise ValueError("give either 'city' (e.g. 晋城) or 'places' (a list), not both or neither")
        return self


class Destination(_Strict):
    place: Name
    stations: list[Name] = Field(default_factory=list)


class NetworkSpec(_Strict):
    name: Ident
    scenario: str | None = None  # a scenario file, relative to the claim file
    year: Annotated[int, Field(ge=2000, le=2100)] | None = None


class ClaimFile(_Strict):
    name: Ident
    claim: Name
    source: Name
    interpretation: Annotated[str, Field(min_length=1, max_length=3000)]
    origin: Origin
    destinations: list[Destination] = Field(min_length=1)
    threshold_min: Minutes | list[Minutes]
    modes: list[Mode] = Field(default_factory=_default_modes, min_length=1)
    readings: list[Reading] = Field(default_factory=lambda: list(READINGS), min_length=1)
    aggregate: Literal["population_weighted", "all_of"] = "population_weighted"
    require: Literal["every_destination", "any_destination"] = "every_destination"
    networks: list[NetworkSpec] = Field(default_factory=lambda: [NetworkSpec(name="today")], min_length=1)

    @model_validator(mode="after")
    def _stations_given(self) -> ClaimFile:
        if "station_to_station" in self.readings:
            missing = [d.place for d in self.destinations if not d.stations]
            if not self.origin.stations or missing:
                raise ValueError("the station_to_station reading needs origin.stations and stations for every "
                                 f"destination (missing for: {', '.join(missing) or 'the origin'})")
        return self

    @property
    def thresholds(self) -> list[float]:
        return sorted(self.threshold_min) if isinstance(self.threshold_min, list) else [float(self.threshold_min)]


FIELD_NAMES = frozenset(f for cls in (ClaimFile, Origin, Destination, NetworkSpec) for f in cls.model_fields)


@dataclass
class Claim:
    spec: ClaimFile
    path: Path

    @property
    def scenario_root(self) -> Path:
        """The folder a claim's scenario files must lie in: the project folder that holds the
        claim's folder (claims/ and scenarios/ side by side)."""
        return self.path.resolve().parent.parent

    def scenario_path(self, net: NetworkSpec) -> Path | None:
        return None if net.scenario is None else (self.path.parent / net.scenario).resolve()


def load_claim(path: str | Path) -> Claim:
    """Read and validate a claim file.

    Raises
    ------
    ScenarioError
        Listing every problem as ``file:line: field: message``; scenario files a claim names must exist.
    """
    from network.scenario.load import pydantic_problems, read_yaml

    p = Path(path)
    data, lines, problems = read_yaml(p)
    if problems:
        raise ScenarioError(problems, "claim")
    if not isinstance(data, dict):
        raise ScenarioError([f"{p}:1: the top level must be a mapping with name, claim, source, interpretation, "
                             "origin, destinations and threshold_min"], "claim")
    try:
        spec = ClaimFile.model_validate(data)
    except ValidationError as err:
        raise ScenarioError(pydantic_problems(err, data, lines, str(p), FIELD_NAMES), "claim") from None
    claim = Claim(spec, p)
    missing = []
    root = claim.scenario_root
    for i, net in enumerate(spec.networks):
        if net.scenario is None:
            continue
        where = f"{p}:{lines.get(('networks', i, 'scenario'), 1)}: networks[{i}].scenario"
        sp, why = resolve_inside(p.parent, net.scenario, root)
        if sp is None:
            missing.append(f"{where}: " + {
                "absolute": f"an absolute path; give a path relative to the claim file, inside {root}",
                "unusable": "not a usable path; give a path relative to the claim file",
                "outside": f"leads outside {root}; a claim's scenarios lie in the project folder that holds the "
                           "claim's folder (e.g. ../scenarios/x.yaml)"}[why])
        elif not sp.exists():
            missing.append(f"{where}: no file {sp}")
    if missing:
        raise ScenarioError(missing, "claim")
    return claim


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


def _trip(model: Any, origin: str, destination: str, mode: str) -> tuple[float, dict[str, float]]:
    from network.errors import UnreachableError

    try:
        trip = model.route(origin, destination, mode=mode)
    except UnreachableError:
        return float("inf"), dict.fromkeys(LEGS, float("nan"))
    return float(sum(leg["minutes"] for leg in trip["legs"])), leg_breakdown(trip["legs"])


def origin_places(model: Any, origin: Origin) -> pd.DataFrame:
    """The county-level places of the origin (its city's, or the listed ones)."""
    places = model.places()
    if origin.city is not None:
        out = places[places["city_zh"] == origin.city]
        if out.empty:
            from network.errors import LookupFailed

            cities = ", ".join(sorted(places["city_zh"].unique()))
            raise LookupFailed(f"origin.city {origin.city!r} has no county-level places; expected one of {cities}")
        return out
    eps = [model.resolve(p) for p in origin.places or []]
    not_places = [e.label for e in eps if e.kind != "place"]
    if not_places:
        from network.errors import LookupFailed

        raise LookupFailed(f"origin.places: {', '.join(not_places)} is not a place; the population_weighted reading "
                           "needs places (a station goes in origin.stations, for the station_to_station reading)")
    keys = [e.key for e in eps]
    return places[places["place_id"].isin(keys)].set_index("place_id").loc[keys].reset_index()


def _county_minutes(model: Any, counties: pd.DataFrame, destination: str, mode: str) -> np.ndarray:
    """Door-to-door minutes from every county to a destination in one search (no legs)."""
    from network.routing.paths import many_to_one

    dest = model.resolve(destination).destination_node
    origins = [f"place:{p}" for p in counties["place_id"]]
    if mode in ("rail", "transit"):
        return np.asarray(model._rail_times(origins, dest, mode)[0], dtype=float)
    m2o = many_to_one(model.compiled(mode), [dest])
    return np.array([m2o.time_from(o, dest) for o in origins], dtype=float)


def evaluate(model: Any, spec: ClaimFile, network_name: str, legs: bool = True) -> pd.DataFrame:
    """One row per reading, mode and destination with the minutes and (``legs``) the legs;
    thresholds are applied in :func:`verdicts`. Without legs every time comes from the compiled
    arrays in a few searches, for the uncertainty draws; the rows are the same."""
    rows: list[dict[str, Any]] = []
    nan_legs = dict.fromkeys(LEGS, float("nan"))

    def trip(o: str, d: str, mode: str) -> tuple[float, dict[str, float]]:
        return _trip(model, o, d, mode) if legs else (model.trip_minutes(o, d, mode), nan_legs)

    centre = spec.origin.city if spec.origin.city is not None else (spec.origin.places or [""])[0]
    counties = origin_places(model, spec.origin) if "population_weighted" in spec.readings else None
    for dest in spec.destinations:
        base = {"network": network_name, "destination": dest.place}
        if "station_to_station" in spec.readings:
            best: tuple[float, dict[str, float], str] = (float("inf"), nan_legs, "")
            for o in spec.origin.stations:
                for d in dest.stations:
                    minutes, lg = trip(_station_name(o), _station_name(d), "rail")
                    if minutes < best[0]:
                        best = (minutes, lg, f"{_station_name(o)} → {_station_name(d)}")
            rows.append({**base, "reading": "station_to_station", "mode": "rail", "minutes": best[0],
                         "detail": best[2], **best[1]})
        for mode in spec.modes:
            if "centre_to_centre" in spec.readings:
                minutes, lg = trip(centre, dest.place, mode)
                rows.append({**base, "reading": "centre_to_centre", "mode": mode, "minutes": minutes,
                             "detail": f"{centre} → {dest.place}", **lg})
            if counties is not None:
                w = counties["population_2020"].to_numpy(dtype=float)
                if legs:
                    per = [_trip(model, p, dest.place, mode) for p in counties["place_id"]]
                    t = np.array([x[0] for x in per])
                else:
                    t = _county_minutes(model, counties, dest.place, mode)
                ok = np.isfinite(t)
                lg = ({k: float(np.sum([x[1][k] * wi for x, wi, f in zip(per, w, ok) if f]) / w[ok].sum())
                       if ok.any() else float("nan") for k in LEGS} if legs else nan_legs)
                rows.append({**base, "reading": "population_weighted", "mode": mode,
                             "minutes": float((t[ok] * w[ok]).sum() / w[ok].sum()) if ok.any() else float("inf"),
                             "worst_minutes": float(t.max()), "detail": f"{len(t)} places, {int(w.sum()):,} people",
                             "place_minutes": t.tolist(), "population": w.tolist(), **lg})
    return pd.DataFrame(rows)


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
            t["share_within"] = [float(np.sum(np.array(w)[np.array(m) <= th]) / np.sum(w))
                                 if isinstance(m, list) else np.nan
                                 for m, w in zip(t["place_minutes"], t.get("population", [None] * len(t)))]
        per.append(t)
        for (net, reading, mode), g in t.groupby(["network", "reading", "mode"], sort=False):
            ok = g["holds"].all() if spec.require == "every_destination" else g["holds"].any()
            overall.append({"network": net, "reading": reading, "mode": mode, "threshold_min": th,
                            "verdict": "holds" if ok else "does not hold",
                            "worst_destination": g.loc[g["minutes"].idxmax(), "destination"],
                            "max_minutes": float(g["minutes"].max())})
    return pd.concat(per, ignore_index=True), pd.DataFrame(overall)


@dataclass
class CheckResult:
    claim: Claim
    per_destination: pd.DataFrame
    overall: pd.DataFrame
    as_of: dict[str, str] = field(default_factory=dict)
    uncertainty_note: str = ""
    warnings: dict[str, list[str]] = field(default_factory=dict)  # per network: Model.warnings
    timing: str = ""  # how long the draws took (shown, never written: the files stay byte-identical)

    def warning_lines(self) -> list[str]:
        """Each warning once: those of every network as they are, the others named by network."""
        every = [w for w in next(iter(self.warnings.values()), []) if all(w in v for v in self.warnings.values())]
        rest = [f"{k}: {w}" for k, ws in self.warnings.items() for w in ws if w not in every]
        return every + rest


def network_for(claim: Claim, net: NetworkSpec, base_factory: Any) -> Any:
    """The model a claim's network entry describes: ``base_factory(year)`` with its scenario applied."""
    from network.scenario.load import load_scenario

    sp = claim.scenario_path(net)
    scenario = load_scenario(sp, root=claim.scenario_root) if sp is not None else None
    year = net.year
    if year is None:
        opened = [c.change.opened for c in scenario.changes] if scenario is not None else []
        year = max([dt.date.today().year, *opened])
    model = base_factory(year)
    return model.with_scenario(scenario) if scenario is not None else model


def check_claim(claim: Claim, base_factory: Any, draws: int = 0, seed: int = 1) -> CheckResult:
    """Evaluate a claim on each of its networks (``base_factory(year) -> Model`` builds the base).
    With ``draws``, every assumption with a range is sampled (:mod:`network.uncertainty`) and the
    results gain p10/p50/p90 columns and the share of draws in which each verdict holds."""
    frames, as_of, models, warnings = [], {}, {}, {}
    for net in claim.spec.networks:
        model = network_for(claim, net, base_factory)
        as_of[net.name] = model.as_of
        models[net.name] = model
        warnings[net.name] = model.warnings
        frames.append(evaluate(model, claim.spec, net.name))
    per, overall = verdicts(pd.concat(frames, ignore_index=True), claim.spec)
    not_open = {k: len(m.apply_report.skipped) if m.apply_report is not None else 0 for k, m in models.items()}
    for df in (per, overall):  # every row says what its network leaves out
        df["changes_not_open"] = df["network"].map(not_open)
        df["warnings"] = df["network"].map(lambda n: "; ".join(warnings[n]))
    result = CheckResult(claim, per, overall, as_of, warnings=warnings)
    if draws > 0:
        from network.uncertainty import add_uncertainty

        add_uncertainty(result, models, draws, seed)
    return result


def result_payload(res: CheckResult) -> dict[str, Any]:
    """A check result as plain JSON-ready data."""
    spec = res.claim.spec
    per = res.per_destination.drop(columns=[c for c in ("place_minutes", "population") if c in res.per_destination])
    clean = lambda df: json.loads(df.to_json(orient="records", force_ascii=False))  # noqa: E731
    return {"claim": spec.name, "text": spec.claim, "source": spec.source, "interpretation": spec.interpretation,
            "file": str(res.claim.path), "as_of": res.as_of, "verdicts": clean(res.overall),
            "per_destination": clean(per), "uncertainty": res.uncertainty_note or None,
            "warnings": {k: v for k, v in res.warnings.items() if v}, "unreachable": UNREACHABLE_NOTE}
