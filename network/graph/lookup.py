"""Resolve user-given names (Chinese or English/pinyin) and ``lon,lat`` strings to graph nodes.

A place name gives the place (door-to-door); a name ending in 站 / "station", or one that only a
station has, gives the station; an IATA code or airport name gives the airport. A miss suggests the
closest names.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from network.errors import LookupFailed
from network.sources.default import REGION_BBOX

_COORD = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$")


@dataclass(frozen=True)
class Endpoint:
    """A resolved trip end: ``kind`` place|station|airport|point|node, its node ids and a label."""

    kind: str
    key: str
    label: str
    origin_node: str
    destination_node: str
    lon: float
    lat: float


def norm_name(name: str) -> str:
    """A name reduced for matching: no spaces, dashes, quotes or brackets; lower case."""
    return re.sub(r"[\s\-_'’()（）]", "", name).lower()


def short_place_name(zh: str) -> str:
    """A Chinese place name without its administrative suffix (阳城县 → 阳城); two-character
    names are kept whole (沁县 stays 沁县)."""
    return re.sub(r"(回族区|县|区|市)$", "", zh) if len(zh) > 2 else zh


def station_label(zh: str, en: str) -> str:
    """A station's name as printed, 站 and "station" added once (郑州东站 (Zhengzhou East
    station); 晋城汽车站 (Jincheng coach station), not 晋城汽车站站)."""
    zh_part = zh if zh.endswith("站") else zh + "站"
    en_part = en if en.lower().endswith(("station", "stop")) else en + " station"
    return f"{zh_part} ({en_part})"


def _station_forms(zh: str, en: str) -> list[str]:
    return [zh + "站", en, en + " station", en + " railway station", zh + "火车站"]


def place_names(zh: str, en: str, place_id: str, kind: str, city_zh: str) -> tuple[list[str], ...]:
    """The names a place answers to, most likely first (:func:`build_name_index`): its Chinese
    name and id (and a city's English name); its English name (and a city's name with 市); its short
    and city-qualified names. Empty strings where a form does not apply."""
    city = kind in ("city", "external")
    county = kind in ("county", "district")
    return (
        [zh, place_id, en if city else ""],
        [en, zh + "市" if city and not zh.endswith("市") else ""],
        [short_place_name(zh), city_zh + zh if county else ""],
    )


def build_name_index(nodes: Mapping[str, dict[str, Any]]) -> dict[str, list[Endpoint]]:
    """Normalised name → endpoints it may mean, the likeliest first.

    A name as written wins over a shortened one: a city's own name (新乡, and 新乡市) means the city,
    never a county whose name shortens to it (新乡县 → 新乡), wherever the county comes in the data.
    In order: places by their Chinese names and ids (and a city by its English name), places by
    their English names (and a city by its name with 市), places by their short or city-qualified
    names, stations and airports by their names, stations by their bare names. So 济源 and Jiyuan
    are the city, 济源市 the county-level city of that name. ``nodes``: node id → attributes
    (:attr:`network.graph.network.Network.nodes`).
    """
    ranked: dict[str, list[tuple[int, int, Endpoint]]] = {}
    seq = 0

    def add(names: list[str], ep: Endpoint, rank: int) -> None:
        nonlocal seq
        for n in names:
            if n:
                lst = ranked.setdefault(norm_name(n), [])
                if all(e != ep for _, _, e in lst):
                    seq += 1
                    lst.append((rank, seq, ep))

    for node, d in nodes.items():
        if d["kind"] == "place":
            ep = Endpoint(
                "place", d["place_id"], f"{d['name_zh']} ({d['name_en']})", node, f"{node}:arrive", d["lon"], d["lat"]
            )
            names = place_names(d["name_zh"], d["name_en"], d["place_id"], d["place_kind"], d["city_zh"])
            for rank, forms in enumerate(names):
                add(forms, ep, rank)
    for node, d in nodes.items():
        if d["kind"] == "station":
            ep = Endpoint(
                "station", d["station_id"], station_label(d["name_zh"], d["name_en"]), node, node, d["lon"], d["lat"]
            )
            add(_station_forms(d["name_zh"], d["name_en"]) + [d["station_id"]], ep, 3)
            add([d["name_zh"]], ep, 4)  # the bare name too: used when no place has it
        elif d["kind"] == "airport":
            ep = Endpoint("airport", d["iata"], f"{d['name_zh']} ({d['iata']})", node, node, d["lon"], d["lat"])
            add([d["name_zh"], d["name_en"], d["iata"], d["iata"].lower()], ep, 3)
    return {name: [ep for _, _, ep in sorted(hits, key=lambda h: h[:2])] for name, hits in ranked.items()}


def resolve(
    nodes: Mapping[str, dict[str, Any]],
    meta: Mapping[str, Any],
    text: str,
    index: dict[str, list[Endpoint]] | None = None,
) -> Endpoint:
    """Resolve a name or ``lon,lat`` to an :class:`Endpoint` among ``nodes`` (node id →
    attributes) of a network whose own attributes are ``meta`` (its ``bbox``, its source ``node_ids``).

    Raises
    ------
    LookupFailed
        For an unknown name (with the closest names suggested) or coordinates that are malformed
        or outside the region.
    """
    m = _COORD.match(text)
    if m:
        lon, lat = float(m.group(1)), float(m.group(2))
        west, south, east, north = meta.get("bbox", REGION_BBOX)
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise LookupFailed(f"coordinates {text!r}: expected lon,lat in degrees (lon -180..180, lat -90..90)")
        if not (west <= lon <= east and south <= lat <= north):
            raise LookupFailed(
                f"coordinates {text!r} (lon {lon}, lat {lat}) lie outside the region "
                f"{west}..{east} E, {south}..{north} N; give lon first, then lat"
            )
        return Endpoint("point", f"{lon:.5f},{lat:.5f}", f"point {lon:.4f},{lat:.4f}", "", "", lon, lat)
    if text.startswith("node:"):  # a road node by the source's own id (built networks: OSM, GMNS)
        ids = meta.get("node_ids") or {}
        node = ids.get(text[5:].strip())
        if node is None:
            where = "this network has no source node ids (the embedded one)" if not ids else "no such node id"
            raise LookupFailed(f"{text!r}: {where}; node:<id> names a road node of a built (OSM or GMNS) network")
        d = nodes[node]
        key = text[5:].strip()
        return Endpoint("node", key, f"node {key}", node, node, float(d["lon"]), float(d["lat"]))
    index = index if index is not None else build_name_index(nodes)
    hits = index.get(norm_name(text))
    if hits:
        return hits[0]
    close = difflib.get_close_matches(norm_name(text), list(index), n=5, cutoff=0.5)
    labels = []
    for c in close:
        label = index[c][0].label
        if label not in labels:
            labels.append(label)
    hint = f"; did you mean {', '.join(labels)}?" if labels else "; see `taihang places` for the names"
    raise LookupFailed(f"unknown place, station or airport {text!r}{hint}")
