"""The scenario file schema: one pydantic model per change type, unknown keys rejected.

A scenario ("project card") is YAML::

    name: jincheng_houma_hsr
    description: 晋城–侯马城际高铁 ...
    source: "晋城市规划 专栏1（一）..."      # the plan passage
    extends: base.yaml                      # optional: start from another scenario
    includes: [a.yaml, b.yaml]              # optional: a package of scenarios
    requires: [other_card]                  # optional: cards this one builds on (applied first)
    conflicts: [rival_card]                 # optional: cards it cannot be composed with
    tags: [hsr, jincheng_plan]              # optional: free labels
    cost: {amount_100m_yuan: 74.86, price_year: 2020, source: "..."}   # optional: else estimated
    changes:
      - type: add_rail_line
        id: jinhou_hsr
        ...
        assumed: {design_speed_kph: "no speed published; 250 km/h as 郑太"}

Units are in the field names (``_kph``, ``_min``, ``_km``). Every change has ``opened`` (a year):
it applies to networks dated that year or later. ``assumed`` maps a field of the change to the
reason its value is an assumption; reports list them. Stations, places, airports, corridors and
lines are named (Chinese or English) or, for new stations and waypoints, given as coordinates
``[lon, lat]`` (WGS84 degrees); never by internal node number.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from network.textrules import checked_name, checked_prose

Year = Annotated[int, Field(ge=2000, le=2060, description="opening (or closing) year, 2000-2060 (the network's years)")]
Minutes = Annotated[float, Field(gt=0, le=1440)]
#: 20-400 km/h: below 20 no road or railway is worth modelling as a link; 400 is above the fastest
#: line in China (350 km/h design)
SpeedKph = Annotated[float, Field(ge=20, le=400)]
#: 2 min to a day: trains on one track cannot follow closer than about 3 min (CTCS-2/3 signalling),
#: coaches rarely under 5; 2 allows a busy city coach line
Headway = Annotated[float, Field(ge=2, le=1440)]
Lon = Annotated[float, Field(ge=-180, le=180)]
Lat = Annotated[float, Field(ge=-90, le=90)]
Point = tuple[Lon, Lat]
Ident = Annotated[str, Field(min_length=1, max_length=80, pattern=r"^[a-z0-9][a-z0-9_\-]*$")]
#: Names are one line without control or bidirectional characters (network/textrules.py).
Name = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(checked_name)]
Prose = Annotated[str, Field(min_length=1, max_length=4000), AfterValidator(checked_prose)]
Stops = Annotated[list[Name], Field(min_length=2, max_length=200)]  # a service calls at two stops at least


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True)


class _Change(_Strict):
    opened: Year
    assumed: dict[str, Prose] = Field(default_factory=dict)
    note: Prose | None = None

    @model_validator(mode="after")
    def _assumed_names_fields(self) -> _Change:
        unknown = sorted(set(self.assumed) - set(type(self).model_fields) - {"type"})
        if unknown:
            raise ValueError(
                f"'assumed' names {unknown}, which are not fields of a {self.type} "  # type: ignore[attr-defined]
                f"change; expected some of {sorted(type(self).model_fields)}"
            )
        return self


class NewStation(_Strict):
    """A station that does not exist yet, given by position."""

    id: Ident
    name_zh: Name
    name_en: Name
    lon: Lon
    lat: Lat
    via: list[Point] = Field(default_factory=list, description="points the line passes on the way to the next stop")


class StationRef(_Strict):
    """An existing station by name, with optional points the line passes on the way to the next stop."""

    station: Name
    via: list[Point] = Field(default_factory=list)


Stop = Name | StationRef | NewStation


class ContinueOn(_Strict):
    """Through-running: after the line's end station the trains continue on an existing line."""

    line: Name
    stops: list[Name] = Field(min_length=1, description="stops on that line beyond the junction, in order")


class ServiceSpec(_Strict):
    """A train service of a new line: its id, stops (all, or a list), headway and where it continues."""

    id: Ident
    name_en: Name | None = None
    stops: Literal["all"] | Stops = "all"
    headway_min: Headway
    continues_on: ContinueOn | None = None


class AddRailLine(_Change):
    """A new railway (HSR or conventional): ordered stations, speed, services."""

    type: Literal["add_rail_line"]
    id: Ident
    name_zh: Name
    name_en: Name
    mode: Literal["hsr", "rail"]
    stations: list[Stop] = Field(min_length=2)
    design_speed_kph: SpeedKph
    operating_speed_kph: SpeedKph | None = Field(
        None, description="maximum speed trains run at (default: the design speed)"
    )
    length_km: Annotated[float, Field(gt=0, le=5000)] | None = Field(
        None, description="published route length; else straight line (through via points) x circuity"
    )
    circuity: Annotated[float, Field(ge=1.0, le=3.0)] | None = Field(
        None, description="route length / straight line; default: assumption new_rail_circuity"
    )
    passenger: bool = True
    services: list[ServiceSpec] = Field(default_factory=list)

    @model_validator(mode="after")
    def _services_match_use(self) -> AddRailLine:
        if self.passenger and not self.services:
            raise ValueError(
                "a passenger line needs at least one entry in 'services' "
                "(or set passenger: false for a freight-only line)"
            )
        if not self.passenger and self.services:
            raise ValueError("a freight-only line (passenger: false) cannot have passenger 'services'")
        if self.operating_speed_kph and self.operating_speed_kph > self.design_speed_kph:
            raise ValueError("operating_speed_kph cannot exceed design_speed_kph")
        return self


RoadClass = Literal["expressway", "class1", "class2", "national", "provincial", "tourist"]


class AddRoad(_Change):
    """A new road link or corridor through waypoints (each one an interchange with the network)."""

    type: Literal["add_road"]
    id: Ident
    ref: Name | None = None
    name_zh: Name
    name_en: Name
    road_class: RoadClass
    waypoints: list[Name | Point] = Field(min_length=2, description="place/station names or [lon, lat]")
    design_speed_kph: SpeedKph
    lanes: Annotated[int, Field(ge=1, le=16)] | None = None
    length_km: Annotated[float, Field(gt=0, le=2000)] | None = None
    passenger: bool = True


class UpgradeRoad(_Change):
    """A faster or wider existing corridor (by ref, corridor id or name)."""

    type: Literal["upgrade_road"]
    corridor: Name
    design_speed_kph: SpeedKph | None = None
    lanes: Annotated[int, Field(ge=1, le=16)] | None = None

    @model_validator(mode="after")
    def _something_changes(self) -> UpgradeRoad:
        if self.design_speed_kph is None and self.lanes is None:
            raise ValueError("an upgrade_road needs design_speed_kph or lanes")
        return self


class AddService(_Change):
    """A new or changed passenger service on an existing line (also restores service on a
    freight-only line)."""

    type: Literal["add_service"]
    line: Name
    id: Ident
    name_en: Name | None = None
    stops: Literal["all"] | Stops = "all"
    headway_min: Headway


class ChangeService(_Change):
    """A different frequency or stopping pattern for an existing service (by its id)."""

    type: Literal["change_service"]
    service: Name
    stops: Literal["all"] | Stops | None = None
    headway_min: Headway | None = None

    @model_validator(mode="after")
    def _something_changes(self) -> ChangeService:
        if self.stops is None and self.headway_min is None:
            raise ValueError("a change_service needs stops or headway_min")
        return self


class NewAirport(_Strict):
    """An airport a route flies to that the network does not have: IATA code, names, position."""

    iata: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
    name_zh: Name
    name_en: Name
    lon: Lon
    lat: Lat


class AirRoute(_Strict):
    """A route from a new airport: the other airport, block time and headway."""

    to: Name | NewAirport
    block_min: Minutes
    headway_min: Headway


class AddAirport(_Change):
    """A new airport with processing times and, for a passenger airport, scheduled routes."""

    type: Literal["add_airport"]
    id: Ident
    iata: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] | None = None
    name_zh: Name
    name_en: Name
    lon: Lon
    lat: Lat
    departure_processing_min: Minutes | None = None
    arrival_processing_min: Minutes | None = None
    passenger: bool = True
    routes: list[AirRoute] = Field(default_factory=list)

    @model_validator(mode="after")
    def _routes_match_use(self) -> AddAirport:
        if not self.passenger and self.routes:
            raise ValueError("an airport without scheduled passenger use (passenger: false) cannot have routes")
        return self


class AddBusService(_Change):
    """An intercity bus (coach) service between named places or stations, on the road network."""

    type: Literal["add_bus_service"]
    id: Ident
    name_zh: Name
    name_en: Name
    stops: list[Name] = Field(min_length=2)
    headway_min: Headway


class AddFreightFacility(_Change):
    """A freight-only facility (logistics hub, siding): recorded, no passenger effect."""

    type: Literal["add_freight_facility"]
    id: Ident
    name_zh: Name
    name_en: Name
    lon: Lon | None = None
    lat: Lat | None = None


class Close(_Change):
    """Remove an element from the network from ``opened`` on (counterfactuals)."""

    type: Literal["close"]
    what: Literal["corridor", "line", "service", "road"]
    name: Name
    between: tuple[Name, Name] | None = Field(
        None, description="for a line: close only the section between these two stations"
    )


Change = Annotated[
    AddRailLine
    | AddRoad
    | UpgradeRoad
    | AddService
    | ChangeService
    | AddAirport
    | AddBusService
    | AddFreightFacility
    | Close,
    Field(discriminator="type"),
]


class Cost(_Strict):
    """What a project costs: a published total (``amount_100m_yuan`` with its ``source`` and
    ``price_year``), or nothing, and the cost is estimated from the unit costs of
    ``data/unit_costs.csv`` (:mod:`network.analysis.costs`). ``lifetime_years`` spreads it over
    the years of operation."""

    amount_100m_yuan: Annotated[float, Field(gt=0, le=100_000)] | None = Field(
        None, description="published total in 亿元 (100 million yuan)"
    )
    low_100m_yuan: Annotated[float, Field(gt=0, le=100_000)] | None = None
    high_100m_yuan: Annotated[float, Field(gt=0, le=100_000)] | None = None
    price_year: Year | None = None
    source: Prose | None = None
    lifetime_years: Annotated[int, Field(ge=1, le=100)] | None = Field(
        None, description="years of operation the cost is spread over (gain per 亿元 per year)"
    )

    @model_validator(mode="after")
    def _published_has_source(self) -> Cost:
        if self.amount_100m_yuan is not None and not self.source:
            raise ValueError("a published cost (amount_100m_yuan) needs its source")
        if self.amount_100m_yuan is None and (self.low_100m_yuan or self.high_100m_yuan or self.source):
            raise ValueError("low/high and source belong to a published amount_100m_yuan; give it, or leave cost out")
        lo, hi, mid = self.low_100m_yuan, self.high_100m_yuan, self.amount_100m_yuan
        if mid is not None and ((lo is not None and lo > mid) or (hi is not None and hi < mid)):
            raise ValueError("low_100m_yuan <= amount_100m_yuan <= high_100m_yuan")
        return self


class ScenarioFile(_Strict):
    """The top level of a scenario file."""

    name: Ident
    description: Name
    source: Prose
    extends: str | None = None
    includes: list[str] = Field(default_factory=list)
    changes: list[Change] = Field(default_factory=list)
    serves: list[Name] = Field(
        default_factory=list,
        max_length=40,
        description="the places the project is meant to bring closer (place names): compare scores it on them too",
    )
    what_if: bool = Field(
        default=False, description="true for a test no plan proposes: kept in the library, outside the plan packages"
    )
    requires: list[Ident] = Field(
        default_factory=list,
        max_length=40,
        description="cards (by name) this one builds on: they must be in the same composition, and their changes "
        "apply first (a widening of a road another card builds)",
    )
    conflicts: list[Ident] = Field(
        default_factory=list,
        max_length=40,
        description="cards (by name) that cannot be in one composition with this one (two alignments of one road)",
    )
    tags: list[Ident] = Field(
        default_factory=list, max_length=20, description="free labels (plan, mode, programme) shown in reports"
    )
    cost: Cost | None = Field(
        None, description="the project's cost; left out, it is estimated from data/unit_costs.csv where it can be"
    )


#: Every field name of the schema (to tell a missing field from a union tag in error locations).
FIELD_NAMES: frozenset[str] = frozenset(
    name
    for model in (
        ScenarioFile,
        Cost,
        NewStation,
        StationRef,
        ContinueOn,
        ServiceSpec,
        NewAirport,
        AirRoute,
        AddRailLine,
        AddRoad,
        UpgradeRoad,
        AddService,
        ChangeService,
        AddAirport,
        AddBusService,
        AddFreightFacility,
        Close,
    )
    for name in model.model_fields
)
