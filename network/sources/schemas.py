"""Schemas of the curated data files (``data/rail_lines.yaml``, ``data/roads.yaml``,
``data/urban_rail.yaml``) and of a
build's services file (``data/services_example.yaml``): pydantic
models with the field types of the scenario cards (``extra="forbid"``: a mistyped field is an
error, not ignored), read through :mod:`network.yamlio`, so every problem is one line
``file:line: field: message``. The readers in :mod:`network.sources.default` then check what a
schema cannot (station ids against stations.csv, stops in line order) on the validated data.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from network.errors import DataError, ScenarioError
from network.textrules import checked_name, checked_prose
from network.yamlio import pydantic_problems, read_yaml

Id = Annotated[str, Field(min_length=1, max_length=80, pattern=r"^[a-z0-9][a-z0-9_\-]*$")]
Name = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(checked_name)]
Prose = Annotated[str, Field(min_length=1, max_length=4000), AfterValidator(checked_prose)]
#: 20-450 km/h: below 20 no line is worth a section, above 450 no train runs
LineSpeed = Annotated[float, Field(ge=20, le=450)]
#: a design speed or posted limit of a road, km/h (JTG B01-2014 tops out at 120; 150 leaves room)
RoadSpeed = Annotated[float, Field(ge=20, le=150)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True, populate_by_name=True)


class LineStation(_Strict):
    """A station of a line, with the section to the next one."""

    station: Id
    km: Annotated[float, Field(ge=0, le=5000)] | None = None
    speed_kph_to_next: LineSpeed | None = None
    opened_to_next: dt.date | None = None


class RailLine(_Strict):
    """A railway line: its stations in order."""

    line_id: Id
    name_zh: Name
    name_en: Name
    mode: Literal["hsr", "rail"]
    source: Prose
    stations: list[LineStation] = Field(min_length=2)
    circuity: Annotated[float, Field(ge=1.0, le=3.0)] | None = None
    passenger_until: dt.date | None = None


class Service(_Strict):
    """A passenger service on a line."""

    service_id: Id
    line: Id
    name_en: Name
    stops: Literal["all"] | Annotated[list[Id], Field(min_length=2)]
    stops_source: Prose | None = None
    headway_min: Annotated[float, Field(ge=2, le=7 * 24 * 60)]
    from_: dt.date | None = Field(default=None, alias="from")
    until: dt.date | None = None


class RailFile(_Strict):
    """``data/rail_lines.yaml``."""

    lines: list[RailLine]
    services: list[Service]


class Corridor(_Strict):
    """A road corridor of ``data/roads.yaml``."""

    corridor_id: Id
    road_class: Literal["expressway", "national", "provincial"] = "expressway"
    ref: Name
    name_zh: Name
    name_en: Name
    towns: list[Name] = Field(default_factory=list)
    waypoints: Annotated[list[tuple[float, float]], Field(min_length=2)]
    length_km: Annotated[float, Field(gt=0, le=2000)] | None = None
    design_speed_kph: RoadSpeed | None = None
    speed_limit_kph: RoadSpeed | None = None
    lanes: Annotated[int, Field(ge=1, le=16)] | None = None
    upgrades: Literal["national", "provincial", "other"] | None = None
    opened: dt.date | None = None
    opened_bound: bool = False
    tunnel_km: Annotated[float, Field(gt=0, le=200)] | None = None
    opened_note: Prose | None = None
    source: Prose


class RoadsFile(_Strict):
    """``data/roads.yaml``."""

    corridors: list[Corridor]


class UrbanRailLine(_Strict):
    """A metro line between two railway stations of ``data/urban_rail.yaml``."""

    line_id: Id
    name_zh: Name
    name_en: Name
    from_: Id = Field(alias="from")
    to: Id
    length_km: Annotated[float, Field(gt=0, le=100)]
    hops: Annotated[int, Field(ge=1, le=60)]
    max_speed_kph: Annotated[float, Field(ge=30, le=160)]
    headway_min: Annotated[float, Field(ge=1, le=60)]
    opened: dt.date | None = None
    source: Prose


class UrbanRailFile(_Strict):
    """``data/urban_rail.yaml``."""

    lines: list[UrbanRailLine]


class ServicesStation(_Strict):
    """A station of a services file's line: a name as mapped in OSM, with an optional position
    (to pick among same-named stations, or to place one OSM lacks) and section data."""

    name: Name
    name_en: Name | None = None
    lon: Annotated[float, Field(ge=-180, le=180)] | None = None
    lat: Annotated[float, Field(ge=-90, le=90)] | None = None
    km: Annotated[float, Field(ge=0, le=5000)] | None = None
    speed_kph_to_next: LineSpeed | None = None
    opened_to_next: dt.date | None = None


class ServicesLine(_Strict):
    """A line of a services file (``data/services_example.yaml``)."""

    line_id: Id
    name_zh: Name | None = None
    name_en: Name | None = None
    mode: Literal["hsr", "rail"]
    speed_kph: LineSpeed | None = None
    source: Prose | None = None
    stations: list[Name | ServicesStation] = Field(min_length=2)


class ServicesService(_Strict):
    """A service of a services file."""

    service_id: Id | None = None
    line: Id
    name_en: Name | None = None
    stops: Literal["all"] | Annotated[list[Name], Field(min_length=2)] = "all"
    headway_min: Annotated[float, Field(ge=2, le=7 * 24 * 60)]


class ServicesFile(_Strict):
    """A services file for ``taihang build --services`` (``data/services_example.yaml``)."""

    crs: Literal["wgs84", "gcj02", "bd09"] = "wgs84"
    lines: list[ServicesLine]
    services: list[ServicesService]


def _fields(*models: type[BaseModel]) -> frozenset[str]:
    out: set[str] = set()
    for m in models:
        out |= {f.alias or name for name, f in m.model_fields.items()}
    return frozenset(out)


def validated(path: Path, schema: type[BaseModel]) -> Any:
    """The data of the YAML file ``path`` once it validates against ``schema`` (the parsed data,
    as the readers use it; :func:`validated_with_lines` gives the line map too)."""
    return validated_with_lines(path, schema)[0]


def validated_with_lines(path: Path, schema: type[BaseModel]) -> tuple[Any, dict[tuple[Any, ...], int]]:
    """The data of the YAML file ``path`` once it validates against ``schema``, and the line of
    every field path (for the reader's own messages).

    Raises
    ------
    DataError
        With every problem as ``file:line: field: message``.
    """
    try:
        data, lines, problems = read_yaml(path)
    except ScenarioError as err:
        raise DataError("\n".join(err.problems)) from None
    if not problems:
        try:
            schema.model_validate(data)
        except ValidationError as err:
            models = (
                schema,
                RailLine,
                LineStation,
                Service,
                Corridor,
                ServicesLine,
                ServicesStation,
                ServicesService,
                UrbanRailLine,
            )
            problems = pydantic_problems(err, data, lines, str(path), _fields(*models))
    if problems:
        raise DataError(f"{len(problems)} problem(s) in {path}:\n" + "\n".join(problems))
    return data, lines
