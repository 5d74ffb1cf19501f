"""Interactive folium map of a network: layers by mode, bilingual popups, places coloured by time.

folium is imported inside the function, so importing :mod:`network` does not load it. The map
opens without the internet: :func:`map_html` inlines Leaflet (BSD-2-Clause, vendored in
``static/``) instead of folium's CDN links, and no tile layer is added unless ``tiles=True`` (then
OpenStreetMap tiles load when online). folium's other CDN links (jQuery, Bootstrap) are not used by
this map and fail harmlessly offline.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import networkx as nx
import pandas as pd

_MODE_STYLE = {"expressway": ("#d7301f", 3), "road": ("#969696", 1), "hsr": ("#6a51a3", 4),
               "rail": ("#2171b5", 2)}
_ATTRIBUTION = "© OpenStreetMap contributors (ODbL); census 2020; taihang"


def _colour(minutes: float) -> str:
    for limit, colour in ((60, "#1a9850"), (90, "#91cf60"), (120, "#fee08b"), (180, "#fc8d59")):
        if minutes <= limit:
            return colour
    return "#d73027"


def build_map(graph: nx.MultiDiGraph, scores: pd.DataFrame | None = None, target: str = "zhengzhou",
              tiles: bool = False) -> Any:
    """A ``folium.Map`` of the network. ``scores`` (from :meth:`Model.score`) colours places by
    best-mode minutes to ``target``."""
    import folium

    m = folium.Map(location=[35.3, 112.9], zoom_start=8, tiles=None, control_scale=True)
    if tiles:
        folium.TileLayer("OpenStreetMap", attr=_ATTRIBUTION).add_to(m)
    layers = {k: folium.FeatureGroup(name=n) for k, n in (
        ("road", "Roads (main)"), ("expressway", "Expressways"), ("hsr", "High-speed rail"),
        ("rail", "Conventional rail"), ("stations", "Stations"), ("airports", "Airports"),
        ("places", "Places (time to target)"))}
    seen: set[tuple[str, ...]] = set()
    for u, v, d in graph.edges(data=True):
        if d["kind"] == "link":
            layer = "expressway" if d.get("road_class") == "expressway" else "road"
        elif d["kind"] == "ride":
            layer = d["mode"]
        else:
            continue
        a, b = graph.nodes[u], graph.nodes[v]
        if d["kind"] == "ride":  # one line per line section, whichever service or direction
            ends = sorted((a.get("station_id", u), b.get("station_id", v)))
            pair = (d.get("line_id", ""), ends[0], ends[1])
        else:
            pair = ("", min(u, v), max(u, v))
        if pair in seen:
            continue
        seen.add(pair)
        colour, weight = _MODE_STYLE[layer]
        tip = d.get("name_zh") and f"{d.get('name_zh')} / {d.get('name_en')} {d.get('ref') or ''}"
        coords = d.get("geometry") or [(a["lon"], a["lat"]), (b["lon"], b["lat"])]
        folium.PolyLine([(lat, lon) for lon, lat in coords], color=colour, weight=weight,
                        tooltip=tip or None).add_to(layers[layer])
    for _, d in graph.nodes(data=True):
        if d["kind"] == "station":
            folium.CircleMarker((d["lat"], d["lon"]), radius=4, color="#54278f", fill=True,
                                popup=f"{d['name_zh']}站<br>{d['name_en']} station<br>position: {d['source']}"
                                ).add_to(layers["stations"])
        elif d["kind"] == "airport":
            folium.RegularPolygonMarker((d["lat"], d["lon"]), number_of_sides=3, radius=9, color="#000",
                                        fill=True, fill_color="#ffd700",
                                        popup=f"{d['name_zh']}<br>{d['name_en']} ({d['iata']})"
                                        ).add_to(layers["airports"])
    if scores is not None and f"{target}_best_min" in scores:
        pos = {d["place_id"]: d for _, d in graph.nodes(data=True) if d["kind"] == "place"}
        for _, row in scores.iterrows():
            d = pos[row["place_id"]]
            minutes = row[f"{target}_best_min"]
            folium.CircleMarker(
                (d["lat"], d["lon"]), radius=6, color="#333", weight=1, fill=True, fill_opacity=0.9,
                fill_color=_colour(minutes),
                popup=(f"{row['name_zh']} / {row['name_en']}<br>population 2020: {row['population_2020']:,}"
                       f"<br>to {target}: {minutes:.0f} min ({row[f'{target}_best_mode']})"
                       f"<br>road {row[f'{target}_road_min']:.0f}, rail {row[f'{target}_rail_min']:.0f} min"
                       f"<br>position: {row['position_source']}")).add_to(layers["places"])
    for group in layers.values():
        group.add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    _add_legend(m, f"Door-to-door minutes to {target} (best mode)",
                [("#1a9850", "≤ 60"), ("#91cf60", "60–90"), ("#fee08b", "90–120"), ("#fc8d59", "120–180"),
                 ("#d73027", "> 180")],
                "<span style='color:#d7301f'>&#9644;</span> expressway <span style='color:#6a51a3'>&#9644;"
                "</span> HSR <span style='color:#2171b5'>&#9644;</span> rail<br>")
    return m


def _add_legend(m: Any, title: str, dots: list[tuple[str, str]], lines_html: str) -> None:
    """A fixed legend box: a title, coloured dots with labels, line symbols, the attribution."""
    import folium

    html = ("<div style='position:fixed;bottom:20px;left:20px;z-index:9999;background:white;padding:8px;"
            f"border:1px solid #999;font:12px sans-serif'><b>{title}</b><br>"
            + "".join(f"<span style='color:{c}'>&#9679;</span> {lab}<br>" for c, lab in dots)
            + lines_html + f"<span style='font-size:10px'>{_ATTRIBUTION}</span></div>")
    m.get_root().html.add_child(folium.Element(html))


_STATIC = Path(__file__).parent / "static"


def map_html(folium_map: Any) -> str:
    """The map as one HTML string with Leaflet's script and stylesheet inlined (offline-safe).

    folium names every element with a random 32-hex id; they are renumbered in order of first
    appearance, so the same map gives the same bytes."""
    html = folium_map.get_root().render()
    ids: dict[str, str] = {}
    html = re.sub(r"[0-9a-f]{32}", lambda m: ids.setdefault(m.group(0), f"{len(ids):032x}"), html)
    js = (_STATIC / "leaflet.js").read_text(encoding="utf-8")
    css = (_STATIC / "leaflet.css").read_text(encoding="utf-8")
    html = re.sub(r'<script src="[^"]*leaflet(@[0-9.]+)?/dist/leaflet\.js"></script>',
                  lambda _: f"<script>{js}</script>", html)
    html = re.sub(r'<link rel="stylesheet" href="[^"]*leaflet(@[0-9.]+)?/dist/leaflet\.css"/>',
                  lambda _: f"<style>{css}</style>", html)
    return html


def _change_colour(change_min: float) -> str:
    if not change_min == change_min:  # NaN: unreachable before or after
        return "#999999"
    for limit, colour in ((-15, "#00441b"), (-5, "#238b45"), (-0.05, "#a1d99b")):
        if change_min <= limit:
            return colour
    return "#f0f0f0" if change_min < 0.05 else "#cb181d"


def change_map(graph: nx.MultiDiGraph, result: Any, target: str) -> Any:
    """A ``folium.Map`` of one scenario: its new links highlighted, expressways and rail as
    context, places coloured by the change in best-mode minutes to ``target``."""
    import folium

    m = folium.Map(location=[35.3, 112.9], zoom_start=8, tiles=None, control_scale=True)
    context = folium.FeatureGroup(name="Existing expressways and rail")
    seen: set[tuple[str, str, str]] = set()
    for u, v, d in graph.edges(data=True):
        if d["kind"] == "ride" or (d["kind"] == "link" and d.get("road_class") == "expressway"):
            a, b = graph.nodes[u], graph.nodes[v]
            ends = sorted((a.get("station_id", u), b.get("station_id", v)))
            key = (d.get("line_id") or d.get("corridor_id") or "", *ends)
            if key in seen:
                continue
            seen.add(key)
            layer = "expressway" if d["kind"] == "link" else d["mode"]
            colour, weight = _MODE_STYLE.get(layer, ("#999", 1))
            coords = d.get("geometry") or [(a["lon"], a["lat"]), (b["lon"], b["lat"])]
            folium.PolyLine([(y, x) for x, y in coords], color=colour, weight=max(1, weight - 1),
                            opacity=0.5).add_to(context)
    new = folium.FeatureGroup(name=f"New in {result.scenario.name}")
    for coords in result.new_links:
        folium.PolyLine([(y, x) for x, y in coords], color="#ff7f00", weight=6, opacity=0.9,
                        tooltip=result.scenario.name).add_to(new)
    places = folium.FeatureGroup(name=f"Change in minutes to {target}")
    pos = {d["place_id"]: d for _, d in graph.nodes(data=True) if d["kind"] == "place"}
    rows = result.places[result.places["target"] == target]
    for _, row in rows.sort_values("place_id").iterrows():
        d = pos[row["place_id"]]
        ch = row["best_change_min"]
        folium.CircleMarker(
            (d["lat"], d["lon"]), radius=7, color="#333", weight=1, fill=True, fill_opacity=0.95,
            fill_color=_change_colour(ch),
            popup=(f"{row['name_zh']} / {row['name_en']}<br>to {target}: {row['best_before_min']:.0f} → "
                   f"{row['best_after_min']:.0f} min ({ch:+.1f})<br>mode {row['best_mode_before']} → "
                   f"{row['best_mode_after']}<br>rail {row['rail_before_min']:.0f} → {row['rail_after_min']:.0f} min"),
        ).add_to(places)
    for layer in (context, new, places):
        layer.add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    _add_legend(m, f"{result.scenario.name}: change in door-to-door minutes to {target}",
                [("#00441b", "≤ −15 (closer)"), ("#238b45", "−15 to −5"), ("#a1d99b", "−5 to 0"),
                 ("#f0f0f0", "no change"), ("#cb181d", "slower")],
                "<span style='color:#ff7f00'>&#9644;</span> new links of the scenario<br>")
    return m
