"""Read a GMNS network (General Modeling Network Specification, Zephyr Foundation) as given.

A GMNS folder holds ``node.csv`` (``node_id, x_coord, y_coord``, optional ``name``), ``link.csv``
(``link_id, from_node_id, to_node_id, length, free_speed``, optional ``directed`` or the older
``dir_flag``, ``lanes``, ``facility_type``, ``name``) and ``config.csv`` with the units of
``length`` and ``free_speed`` (``length_units``: m, km, mi or ft; ``speed_units``: kph or mph).
AequilibraE, Visum and Emme networks can be exported to it (and osm2gmns writes it).

Nothing is recomputed: a link's length is the file's (converted to km), its free-flow time is
``length / free_speed``; node coordinates are only where it is drawn and how points connect. A
link is one-way from ``from_node_id`` to ``to_node_id`` unless ``directed`` is false (or
``dir_flag`` is 0: both ways; -1: the reverse way only).

Every problem is reported as ``file:line: field: message`` (line 1 is the header).
https://github.com/zephyr-data-specs/GMNS
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from network.errors import DataError
from network.io import read_bounded_bytes
from network.sources.checks import Problems, check_links, check_points

#: Units of GMNS lengths and speeds, to km and km/h.
LENGTH_TO_KM = {"m": 0.001, "km": 1.0, "mi": 1.609344, "ft": 0.0003048}
SPEED_TO_KPH = {"kph": 1.0, "km/h": 1.0, "mph": 1.609344}


@dataclass(frozen=True)
class GmnsNetwork:
    """Nodes and directed links of a GMNS folder, in km and km/h (one row per direction)."""

    folder: Path
    node_id: np.ndarray  # the file's ids, as text
    lon: np.ndarray
    lat: np.ndarray
    node_name: np.ndarray
    link_id: np.ndarray  # as text; a two-way link gives two rows with the same id
    u: np.ndarray  # node row numbers
    v: np.ndarray
    length_km: np.ndarray
    free_speed_kph: np.ndarray
    lanes: np.ndarray
    facility_type: np.ndarray
    link_name: np.ndarray
    units: tuple[str, str]
    node_zone: np.ndarray | None = None  # node.csv's zone_id as text ("" for none), if the column is there


#: The largest GMNS file read (a province's links are tens of MB).
MAX_FILE_BYTES = 500_000_000


def _read(path: Path, required: tuple[str, ...]) -> pd.DataFrame:
    import io

    if not path.exists():
        raise DataError(f"{path}: no such file; a GMNS network has node.csv and link.csv (and config.csv with units)")
    raw = read_bounded_bytes(path, MAX_FILE_BYTES, "GMNS CSV file")
    try:
        df = pd.read_csv(io.BytesIO(raw), dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as err:
        raise DataError(f"{path}: not a readable UTF-8 CSV file ({str(err)[:80]})") from None
    df.columns = [c.strip() for c in df.columns]
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise DataError(f"{path}:1: missing column(s) {', '.join(missing)}; GMNS needs {', '.join(required)}")
    return df


def _numbers(df: pd.DataFrame, col: str, path: Path, problems: Problems) -> np.ndarray:
    vals = pd.to_numeric(df[col].str.strip(), errors="coerce").to_numpy(dtype=float)
    problems.add_rows(
        np.isnan(vals), lambda i: f"{path}:{i + 2}", col, lambda i: f"{df[col].iloc[i][:40]!r} is not a number"
    )
    return vals


def _units(folder: Path, units: tuple[str, str] | None) -> tuple[str, str]:
    if units is not None:
        length, speed = units
    else:
        cfg = folder / "config.csv"
        if not cfg.is_file():
            raise DataError(
                f"{cfg}: missing; GMNS sets the units of length and free_speed there. Write config.csv with the "
                "header length_units,speed_units and a row such as km,kph (length: m, km, mi or ft; speed: kph "
                "or mph), or give --gmns-units km,kph"
            )
        df = _read(cfg, ("length_units", "speed_units"))
        if len(df) != 1:
            raise DataError(f"{cfg}: expected one row of units, found {len(df)}")
        length, speed = df["length_units"].iloc[0].strip(), df["speed_units"].iloc[0].strip()
    if length not in LENGTH_TO_KM:
        raise DataError(
            f"{folder / 'config.csv'}:2: length_units: {length!r}; expected one of {', '.join(LENGTH_TO_KM)}"
        )
    if speed not in SPEED_TO_KPH:
        raise DataError(f"{folder / 'config.csv'}:2: speed_units: {speed!r}; expected one of {', '.join(SPEED_TO_KPH)}")
    return length, speed


def _directions(links: pd.DataFrame, path: Path, problems: Problems) -> np.ndarray:
    """+1 (from→to), 0 (both ways) or -1 (to→from) per link."""
    n = len(links)
    if "directed" in links.columns:
        text = links["directed"].str.strip().str.lower()
        out = np.where(text.isin(["false", "0", "no", "f"]), 0, 1)
        for i in np.flatnonzero(~text.isin(["true", "1", "yes", "t", "false", "0", "no", "f", ""])):
            problems.append(f"{path}:{i + 2}: directed: {links['directed'].iloc[i]!r}; expected true or false")
        return out
    if "dir_flag" in links.columns:
        text = links["dir_flag"].str.strip()
        for i in np.flatnonzero(~text.isin(["1", "0", "-1", ""])):
            problems.append(f"{path}:{i + 2}: dir_flag: {links['dir_flag'].iloc[i]!r}; expected 1, 0 or -1")
        return np.array([int(x) if x in ("1", "0", "-1") else 1 for x in text], dtype=int)
    return np.ones(n, dtype=int)


def read_gmns(folder: str | Path, units: tuple[str, str] | None = None) -> GmnsNetwork:
    """The GMNS network in ``folder`` (module docstring); ``units`` = (length, speed) overrides
    ``config.csv``.

    Raises
    ------
    DataError
        With every problem found (file, line, field and what to write instead).
    """
    folder = Path(folder)
    length_units, speed_units = _units(folder, units)
    node_path, link_path = folder / "node.csv", folder / "link.csv"
    nodes = _read(node_path, ("node_id", "x_coord", "y_coord"))
    links = _read(link_path, ("link_id", "from_node_id", "to_node_id", "length", "free_speed"))
    problems = Problems(f"{folder} (GMNS)")
    ids = nodes["node_id"].str.strip()
    dup = ids.duplicated(keep="first")
    problems.add_rows(
        dup.to_numpy(),
        lambda i: f"{node_path}:{i + 2}",
        "node_id",
        lambda i: f"{ids.iloc[i][:40]!r} appears twice; node ids must be unique",
    )
    x = _numbers(nodes, "x_coord", node_path, problems)
    y = _numbers(nodes, "y_coord", node_path, problems)
    parsed = ~np.isnan(x) & ~np.isnan(y)
    node_ok = np.zeros(len(x), dtype=bool)
    node_ok[parsed] = check_points(
        problems, x[parsed], y[parsed], lambda i: f"{node_path}:{int(np.flatnonzero(parsed)[i]) + 2}", "x_coord,y_coord"
    )
    row_of = {k: i for i, k in enumerate(ids)}
    length = _numbers(links, "length", link_path, problems)
    speed = _numbers(links, "free_speed", link_path, problems)
    ends = []
    for col in ("from_node_id", "to_node_id"):
        rows = links[col].str.strip().map(row_of)
        texts = links[col].to_numpy(dtype=object)

        def not_a_node(i: int, t: np.ndarray = texts) -> str:
            return f"{str(t[i])[:40]!r} is not a node_id of node.csv"

        problems.add_rows(rows.isna().to_numpy(), lambda i: f"{link_path}:{i + 2}", col, not_a_node)
        ends.append(rows.fillna(-1).to_numpy(dtype=np.int64))
    numbers = ~np.isnan(length) & ~np.isnan(speed)
    rows_ok = np.flatnonzero(numbers)
    check_links(
        problems,
        x,
        y,
        ends[0][rows_ok],
        ends[1][rows_ok],
        length[rows_ok] * LENGTH_TO_KM[length_units],
        speed[rows_ok] * SPEED_TO_KPH[speed_units],
        lambda i: f"{link_path}:{int(rows_ok[i]) + 2}",
        fields=("from_node_id", "to_node_id", "length", "free_speed"),
        link_ids=links["link_id"].str.strip().to_numpy(dtype=object)[rows_ok],
        node_ok=node_ok,
        report_refs=False,  # named above with the file's own ids
        shown=(
            lambda i: (
                f"{length[rows_ok[i]]:g} {length_units} ({length[rows_ok[i]] * LENGTH_TO_KM[length_units]:.3f} km)"
            ),
            lambda i: f"{speed[rows_ok[i]]:g} {speed_units} ({speed[rows_ok[i]] * SPEED_TO_KPH[speed_units]:.1f} km/h)",
        ),
    )
    direction = _directions(links, link_path, problems)
    lanes = (
        pd.to_numeric(links["lanes"], errors="coerce").to_numpy(dtype=float)
        if "lanes" in links
        else np.full(len(links), np.nan)
    )
    problems.raise_if_any("fix these rows (or the units in config.csv)")
    if not len(links):
        raise DataError(f"{link_path}: no links")
    fwd, bwd = direction >= 0, direction <= 0
    pick = np.concatenate([np.flatnonzero(fwd), np.flatnonzero(bwd)])
    u = np.concatenate([ends[0][fwd], ends[1][bwd]])
    v = np.concatenate([ends[1][fwd], ends[0][bwd]])
    order = np.argsort(pick, kind="stable")  # each link's rows together, in file order

    def column(name: str) -> np.ndarray:
        return (links[name].to_numpy(dtype=object) if name in links else np.full(len(links), "", dtype=object))[pick][
            order
        ]

    return GmnsNetwork(
        folder=folder,
        node_id=ids.to_numpy(dtype=object),
        lon=x,
        lat=y,
        node_name=nodes["name"].to_numpy(dtype=object) if "name" in nodes else np.full(len(nodes), "", dtype=object),
        link_id=links["link_id"].str.strip().to_numpy(dtype=object)[pick][order],
        u=u[order],
        v=v[order],
        length_km=(length * LENGTH_TO_KM[length_units])[pick][order],
        free_speed_kph=(speed * SPEED_TO_KPH[speed_units])[pick][order],
        lanes=lanes[pick][order],
        facility_type=column("facility_type"),
        link_name=column("name"),
        units=(length_units, speed_units),
        node_zone=nodes["zone_id"].fillna("").astype(str).str.strip().to_numpy(dtype=object)
        if "zone_id" in nodes
        else None,
    )


def zone_places(net: GmnsNetwork) -> tuple[list[Any], list[str]]:
    """The network's zones as places to score, and what the reader should know of them: one
    place per ``zone_id`` of node.csv, at the node whose ``node_id`` is the zone's (its centroid,
    as GMNS centroid connectors have it) or else at the mean position of the zone's nodes; named
    and weighted by ``zone.csv`` (``zone_id``, optional ``name`` and ``population``) where the
    folder has one. Without a population every zone weighs one (said in the warnings). No zones:
    ``([], [])``.

    Raises
    ------
    DataError
        For a zone.csv row with a bad population (file, line, field).
    """
    from network.sources.records import Place

    if net.node_zone is None or not (net.node_zone != "").any():
        return [], []
    zones = sorted({z for z in net.node_zone.tolist() if z})
    names: dict[str, str] = {}
    people: dict[str, int] = {}
    zone_path = net.folder / "zone.csv"
    if zone_path.exists():
        table = _read(zone_path, ("zone_id",))
        problems = Problems(f"{net.folder} (GMNS)")
        for i, row in enumerate(table.itertuples(index=False), start=2):
            z = str(row.zone_id).strip()
            if "name" in table and str(getattr(row, "name", "")).strip():
                names[z] = str(row.name).strip()
            if "population" in table:
                try:
                    value = int(float(str(row.population)))
                    assert value >= 0
                    people[z] = value
                except (TypeError, ValueError, AssertionError):
                    problems.add(
                        f"{zone_path}:{i}", "population", f"{str(row.population)[:20]!r}: expected a whole number"
                    )
        problems.raise_if_any("fix zone.csv")
    row_of = {k: i for i, k in enumerate(net.node_id.tolist())}
    # each node's zone as a number, the zones' sizes and summed positions in one pass (a loop of
    # comparisons over a million nodes per zone took seconds)
    code_of = {z: k for k, z in enumerate(zones)}
    codes = np.array([code_of.get(z, -1) for z in net.node_zone.tolist()], dtype=np.int64)
    inside = codes >= 0
    size = np.bincount(codes[inside], minlength=len(zones))
    lon_sum = np.bincount(codes[inside], weights=net.lon[inside], minlength=len(zones))
    lat_sum = np.bincount(codes[inside], weights=net.lat[inside], minlength=len(zones))
    places = []
    for k, z in enumerate(zones):
        if z in row_of:
            lon, lat, where = float(net.lon[row_of[z]]), float(net.lat[row_of[z]]), f"node {z} (the zone's centroid)"
        else:
            lon, lat = float(lon_sum[k] / size[k]), float(lat_sum[k] / size[k])
            where = f"mean of the zone's {int(size[k])} nodes"
        places.append(
            Place(
                place_id=f"zone{z}",
                name_zh=names.get(z, f"zone {z}"),
                name_en=names.get(z, f"zone {z}"),
                kind="county",
                lat=lat,
                lon=lon,
                population_2020=people.get(z, 1),
                position_source=where,
                source=f"GMNS {net.folder.name} zones",
            )
        )
    warnings = []
    if len(people) < len(zones):
        warnings.append(
            f"{len(zones) - len(people)} of {len(zones)} zones have no population (zone.csv population): each of "
            "them weighs one person, so population-weighted figures are means over zones"
        )
    return places, warnings
