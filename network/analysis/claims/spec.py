"""Claim files: the schema and the loader (every problem with its line). Format: :mod:`network.analysis.claims`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from network.errors import ScenarioError
from network.io import project_root, resolve_inside
from network.textrules import checked_name, checked_prose
from network.yamlio import pydantic_problems, read_yaml

Name = Annotated[str, Field(min_length=1, max_length=400), AfterValidator(checked_name)]
Prose = Annotated[str, Field(min_length=1, max_length=3000), AfterValidator(checked_prose)]
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
    """A destination place and the stations that serve it (for the station_to_station reading)."""

    place: Name
    stations: list[Name] = Field(default_factory=list)


class NetworkSpec(_Strict):
    """A network to check the claim on: a name, a year, and optionally a scenario file."""

    name: Ident
    scenario: str | None = None  # a scenario file, relative to the claim file
    year: Annotated[int, Field(ge=2000, le=2060)] | None = None


class RouteCheck(_Strict):
    """A claim about the route a trip takes, not its minutes: it passes by a place (``via``), runs
    on expressways all the way (``expressway_all_the_way``), is fastest in a mode
    (``fastest_mode``), or can be made by train at all (``rail_trip``). ``expect`` is what the
    claim says; the check holds when the network agrees."""

    name: Ident
    mode: Mode = "road"
    via: Name | None = None
    within_km: Annotated[float, Field(gt=0, le=200)] = 25.0
    expressway_all_the_way: bool = False
    fastest_mode: Mode | None = None
    rail_trip: bool = False
    expect: bool

    @model_validator(mode="after")
    def _one_question(self) -> RouteCheck:
        asked = [self.via is not None, self.expressway_all_the_way, self.fastest_mode is not None, self.rail_trip]
        if sum(asked) != 1:
            raise ValueError(
                "a route check asks one thing: give exactly one of via (a place), expressway_all_the_way: true, "
                "fastest_mode (a mode) or rail_trip: true"
            )
        return self


class ClaimFile(_Strict):
    """A claim file as validated (the format is in :mod:`network.analysis.claims`)."""

    name: Ident
    claim: Prose
    source: Prose
    interpretation: Prose
    origin: Origin
    destinations: list[Destination] = Field(min_length=1)
    threshold_min: Minutes | Annotated[list[Minutes], Field(min_length=1, max_length=20)] | None = None
    route_checks: list[RouteCheck] = Field(default_factory=list)
    modes: list[Mode] = Field(default_factory=_default_modes, min_length=1)
    readings: list[Reading] = Field(default_factory=lambda: list(READINGS), min_length=1)
    aggregate: Literal["population_weighted", "all_of"] = "population_weighted"
    require: Literal["every_destination", "any_destination"] = "every_destination"
    networks: list[NetworkSpec] = Field(default_factory=lambda: [NetworkSpec(name="today")], min_length=1)

    @model_validator(mode="after")
    def _times_or_routes(self) -> ClaimFile:
        if (self.threshold_min is None) == (not self.route_checks):
            raise ValueError(
                "a claim is about minutes (give threshold_min) or about routes (give route_checks), one of the two"
            )
        return self

    @model_validator(mode="after")
    def _stations_given(self) -> ClaimFile:
        if "station_to_station" in self.readings and not self.route_checks:
            missing = [d.place for d in self.destinations if not d.stations]
            if not self.origin.stations or missing:
                raise ValueError(
                    "the station_to_station reading needs origin.stations and stations for every "
                    f"destination (missing for: {', '.join(missing) or 'the origin'})"
                )
        return self

    @property
    def thresholds(self) -> list[float]:
        """The thresholds in minutes as a list (a single threshold is a list of one)."""
        if self.threshold_min is None:
            return []
        return sorted(self.threshold_min) if isinstance(self.threshold_min, list) else [float(self.threshold_min)]


FIELD_NAMES = frozenset(
    f for cls in (ClaimFile, Origin, Destination, NetworkSpec, RouteCheck) for f in cls.model_fields
)


@dataclass
class Claim:
    """A loaded claim: its validated spec, its file and the folder its scenarios must stay in."""

    spec: ClaimFile
    path: Path

    @property
    def scenario_root(self) -> Path:
        """The folder a claim's scenario files must lie in: its project (the nearest folder at
        or above the claim's that holds ``scenarios/`` or ``claims/``, never ``/``, ``/tmp``, a
        home folder or a system folder), or else the claim's own folder
        (:func:`network.io.project_root`)."""
        return project_root(self.path)

    def scenario_path(self, net: NetworkSpec) -> Path | None:
        """The scenario file of ``net``, resolved inside :attr:`scenario_root` (None for none)."""
        return None if net.scenario is None else (self.path.parent / net.scenario).resolve()


def load_claim(path: str | Path) -> Claim:
    """Read and validate a claim file.

    Raises
    ------
    ScenarioError
        Listing every problem as ``file:line: field: message``; scenario files a claim names must exist.
    """
    p = Path(path)
    data, lines, problems = read_yaml(p)
    if problems:
        raise ScenarioError(problems, "claim")
    if not isinstance(data, dict):
        raise ScenarioError(
            [
                f"{p}:1: the top level must be a mapping with name, claim, source, interpretation, "
                "origin, destinations and threshold_min"
            ],
            "claim",
        )
    try:
        spec = ClaimFile.model_validate(data)
    except ValidationError as err:
        raise ScenarioError(
            pydantic_problems(err, data, lines, str(p), FIELD_NAMES, frozenset(ClaimFile.model_fields)), "claim"
        ) from None
    claim = Claim(spec, p)
    missing = []
    root = claim.scenario_root
    for i, net in enumerate(spec.networks):
        if net.scenario is None:
            continue
        where = f"{p}:{lines.get(('networks', i, 'scenario'), 1)}: networks[{i}].scenario"
        sp, why = resolve_inside(p.parent, net.scenario, root)
        if sp is None:
            missing.append(
                f"{where}: "
                + {
                    "absolute": f"an absolute path; give a path relative to the claim file, inside {root}",
                    "unusable": "not a usable path; give a path relative to the claim file",
                    "outside": f"leads outside {root}; a claim's scenarios lie in its project (the folder above it "
                    "that holds scenarios/ or claims/, e.g. ../scenarios/x.yaml) or, without one, in the claim's own "
                    "folder",
                }[why]
            )
        elif not sp.exists():
            missing.append(f"{where}: no file {sp}")
    if missing:
        raise ScenarioError(missing, "claim")
    return claim
