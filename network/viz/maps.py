"""Interactive folium maps: the network by mode and road class, places coloured by minutes, scenarios.

folium is imported inside the functions, so importing :mod:`network` does not load it.

Offline by construction: every map is made by :func:`new_map`, which points folium's own asset lists
(``default_js`` / ``default_css``) at Leaflet inlined as ``data:`` URLs (Leaflet 1.9.3, BSD-2-Clause,
vendored in ``static/``) and drops folium's other CDN assets (jQuery, Bootstrap, Font Awesome,
awesome-markers), which these maps do not use. Markers are Leaflet circle markers and ``DivIcon``
symbols (no image files), the legend is a Leaflet control (so it stacks with the scale bar, the
layer control and the attribution instead of covering them), and no tile layer is added unless
``tiles=True`` (then OpenStreetMap tiles load when online). A notebook shows the same map, so it
is offline there too. ``tests/test_browser.py`` opens every kind of map in headless Chromium with
the network cut and checks for errors, requests, layers, features and a popup.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import html as html_lib
import re
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from network.viz.map_parts import (
    _ATTRIBUTION,
    LINE_LAYERS,
    NEAREST_LEGEND,
    _label,
    add_legend,
    add_nearest_layers,
    add_place_labels,
    add_title,
    place_marker,
)
from network.viz.timespace import add_timespace_layers, frames_from_comparison, reference_speed_kph

_NEW, _CLOSED = LINE_LAYERS["new"], LINE_LAYERS["closed"]  # (label, colour, weight, dash)

_STATIC = Path(__file__).parent / "static"
_TIME_CLASSES = [
    (60, "#1a9850", "≤ 60"),
    (90, "#91cf60", "60–90"),
    (120, "#fee08b", "90–120"),
    (180, "#fc8d59", "120–180"),
    (np.inf, "#d73027", "> 180"),
]
#: Leaflet's layer-control icon as an inline SVG (its CSS points at images/layers.png, which a
#: single-file map does not have); legend and popup styles.
_LAYERS_ICON = (
    "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 26 26'%3E"
    "%3Cpath d='M13 4 2 9.5 13 15 24 9.5z' fill='%23555'/%3E"
    "%3Cpath d='M4.5 13 2 14.5 13 20l11-5.5-2.5-1.5L13 17.2z' fill='%23888'/%3E%3C/svg%3E"
)
_CSS = """
.leaflet-control-layers-toggle, .leaflet-retina .leaflet-control-layers-toggle {
  background-image: url("ICON"); background-size: 26px 26px; }
.leaflet-default-icon-path { background-image: none; }
.taihang-legend { background: #fff; padding: 6px 9px; border: 1px solid #999; border-radius: 4px;
  font: 12px/1.45 sans-serif; max-width: 300px; }
.taihang-legend .sw { display: inline-block; width: 12px; height: 12px; border-radius: 6px;
  border: 1px solid #555; vertical-align: -2px; margin-right: 4px; }
.taihang-legend .ln { display: inline-block; width: 22px; height: 0; border-top-width: 3px;
  border-top-style: solid; vertical-align: 3px; margin-right: 4px; }
.taihang-label { font: 11px sans-serif; color: #222; white-space: nowrap; text-shadow: 0 0 3px #fff, 0 0 3px #fff; }
.taihang-popup td { padding: 0 6px 0 0; }
""".replace("ICON", _LAYERS_ICON)


#: folium creates every marker with Leaflet's default icon before setting its own DivIcon, and the
#: default icon loads images/marker-icon.png; an empty DivIcon as the default loads nothing.
_JS = "L.Marker.prototype.options.icon = L.divIcon({className: 'taihang-empty-icon', html: ''});"


def _data_url(mime: str, data: bytes) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def new_map(bounds: tuple[float, float, float, float] | None = None, tiles: bool = False) -> Any:
    """An empty offline ``folium.Map`` (module docstring), fitted to ``bounds`` = (west, south,
    east, north) in degrees."""
    import folium

    from network.sources.default import REGION_BBOX

    west, south, east, north = bounds or REGION_BBOX
    m = folium.Map(location=[(south + north) / 2, (west + east) / 2], zoom_start=8, tiles=None, control_scale=True)
    m.default_js = [
        ("leaflet", _data_url("text/javascript", (_STATIC / "leaflet.js").read_bytes())),
        ("taihang_js", _data_url("text/javascript", _JS.encode())),
    ]
    m.default_css = [
        ("leaflet_css", _data_url("text/css", (_STATIC / "leaflet.css").read_bytes())),
        ("taihang_css", _data_url("text/css", _CSS.encode())),
    ]
    if tiles:
        folium.TileLayer("OpenStreetMap", attr=_ATTRIBUTION).add_to(m)
    m.fit_bounds([[south, west], [north, east]])
    return m


def network_bounds(graph: nx.MultiDiGraph) -> tuple[float, float, float, float]:
    """(west, south, east, north) of the network's road nodes (its own extent)."""
    lon = [d["lon"] for _, d in graph.nodes(data=True) if d.get("kind") == "road"]
    lat = [d["lat"] for _, d in graph.nodes(data=True) if d.get("kind") == "road"]
    if not lon:
        lon = [d["lon"] for _, d in graph.nodes(data=True) if "lon" in d]
        lat = [d["lat"] for _, d in graph.nodes(data=True) if "lat" in d]
    return (min(lon), min(lat), max(lon), max(lat))


def _e(text: object) -> str:
    """Text from data (names of places, stations, roads: some from OpenStreetMap) as HTML text."""
    return html_lib.escape(str(text))


def popup(content_html: str, max_width: int = 320) -> Any:
    """A Leaflet popup holding ``content_html``. folium's own ``Popup`` parses its HTML with jQuery
    (``$(...)``), an asset these maps leave out, so the content is set as a string instead."""
    from branca.element import MacroElement

    element = MacroElement()
    element._name = "Popup"
    element._template = _popup_template()
    element.content = content_html  # type: ignore[attr-defined]
    element.max_width = int(max_width)  # type: ignore[attr-defined]
    return element


@functools.cache
def _popup_template() -> Any:
    """The popup's Jinja template, compiled once (a map has thousands of popups)."""
    from jinja2 import Template

    return Template(
        "{% macro script(this, kwargs) %}"
        "var {{ this.get_name() }} = L.popup({maxWidth: {{ this.max_width }}});"
        "{{ this.get_name() }}.setContent({{ this.content|tojson }});"
        "{{ this._parent.get_name() }}.bindPopup({{ this.get_name() }});"
        "{% endmacro %}"
    )


def _time_colour(minutes: float) -> str:
    if not np.isfinite(minutes):
        return "#cccccc"
    return next(colour for limit, colour, _ in _TIME_CLASSES if minutes <= limit)


def _edge_layer(d: dict[str, Any]) -> str | None:
    if d["kind"] == "link":
        cls = d.get("road_class")
        if cls in ("expressway", "motorway"):
            return "expressway"
        if cls in ("national", "trunk", "provincial", "primary"):
            return "national"
        return "road"
    if d["kind"] == "ride":
        return d["mode"] if d["mode"] in LINE_LAYERS else "rail"
    return None


#: GeoJSON line features per graph and layer set: a comparison draws the same base network on
#: every scenario's map, so its features are built once (folium only adds the same ids to them).
_FEATURES: weakref.WeakKeyDictionary[nx.MultiDiGraph, dict[tuple[str, ...], Any]] = weakref.WeakKeyDictionary()


def _line_features(graph: nx.MultiDiGraph, layers: tuple[str, ...]) -> dict[str, list[dict[str, Any]]]:
    """One GeoJSON line per road edge or rail section of ``graph``, by layer (cached per graph)."""
    cached = _FEATURES.setdefault(graph, {})
    if layers in cached:
        return {k: list(v) for k, v in cached[layers].items()}
    features: dict[str, list[dict[str, Any]]] = {k: [] for k in layers}
    seen: set[tuple[Any, ...]] = set()
    for u, v, d in graph.edges(data=True):
        key = _edge_layer(d)
        if key is None or key not in features:
            continue
        a, b = graph.nodes[u], graph.nodes[v]
        if d["kind"] == "ride":  # one line per line section, whichever service or direction
            ends = sorted((a.get("station_id", u), b.get("station_id", v)))
            pair: tuple[Any, ...] = (d.get("line_id") or d.get("service_id", ""), ends[0], ends[1])
        else:
            pair = ("", min(u, v), max(u, v))
        if pair in seen:
            continue
        seen.add(pair)
        name = d.get("name_zh")
        coords = d.get("geometry") or [(a["lon"], a["lat"]), (b["lon"], b["lat"])]
        features[key].append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "LineString",
                    "coordinates": [[round(float(x), 5), round(float(y), 5)] for x, y in coords],
                },
                "properties": {
                    "name": (
                        _e(f"{name} / {d.get('name_en')} {d.get('ref') or ''}".strip())  # shown as HTML
                        if name
                        else LINE_LAYERS[key][0]
                    )
                    + (f" (card: {_e(str(d['card']))})" if d.get("card") else "")
                },
            }
        )
    cached[layers] = features
    return {k: list(v) for k, v in features.items()}


def add_network(
    m: Any,
    graph: nx.MultiDiGraph,
    layers: tuple[str, ...] = tuple(LINE_LAYERS),
    show: tuple[str, ...] = tuple(LINE_LAYERS),
    suffix: str = "",
    opacity: float = 0.9,
    stations: bool = True,
) -> dict[str, Any]:
    """Line layers by mode and road class (one line per road edge or rail section), and stations
    and airports as their own layers. Returns the feature groups by key."""
    import folium

    features = _line_features(graph, layers)
    groups: dict[str, Any] = {}
    for key, feats in features.items():
        if not feats:  # a mode this network does not have gets no layer
            continue
        _, colour, weight, dash = LINE_LAYERS[key]
        group = folium.FeatureGroup(name=LINE_LAYERS[key][0] + suffix, show=key in show)
        if feats:  # one GeoJSON layer per mode: far smaller and faster than one polyline per edge
            folium.GeoJson(
                {"type": "FeatureCollection", "features": feats},
                style_function=lambda _f, c=colour, w=weight, dd=dash: {
                    "color": c,
                    "weight": w,
                    "opacity": opacity,
                    "dashArray": dd,
                },
                tooltip=folium.GeoJsonTooltip(fields=["name"], labels=False) if key != "road" else None,
            ).add_to(group)
        groups[key] = group
    if stations:
        groups["stations"] = folium.FeatureGroup(name="Stations" + suffix)
        groups["airports"] = folium.FeatureGroup(name="Airports" + suffix)
        for _, d in graph.nodes(data=True):
            if d["kind"] == "station":
                folium.CircleMarker(
                    (d["lat"], d["lon"]),
                    radius=4,
                    color="#54278f",
                    weight=1,
                    fill=True,
                    fill_color="#fff",
                    fill_opacity=1.0,
                    tooltip=_e(f"{d['name_zh']} / {d['name_en']}"),
                ).add_child(popup(f"{_e(d['name_zh'])}<br>{_e(d['name_en'])}<br>position: {_e(d['source'])}")).add_to(
                    groups["stations"]
                )
            elif d["kind"] == "airport":
                folium.Marker(
                    (d["lat"], d["lon"]),
                    tooltip=_e(f"{d['name_zh']} ({d['iata']})"),
                    icon=folium.DivIcon(
                        html="<div style='font-size:18px;line-height:18px'>✈</div>",
                        icon_size=(18, 18),
                        icon_anchor=(9, 9),
                    ),
                ).add_child(popup(f"{_e(d['name_zh'])}<br>{_e(d['name_en'])} ({_e(d['iata'])})")).add_to(
                    groups["airports"]
                )
    for group in groups.values():
        group.add_to(m)
    return groups


def _targets(scores: pd.DataFrame) -> list[str]:
    return [c[: -len("_best_min")] for c in scores.columns if c.endswith("_best_min")]


def _place_popup(row: pd.Series, targets: list[str], names: dict[str, tuple[str, str]] | None = None) -> str:
    head = (
        f"<b>{html_lib.escape(str(row['name_zh']))} / {html_lib.escape(str(row['name_en']))}</b><br>"
        f"population 2020: {int(row['population_2020']):,}<br>"
    )
    cells = [
        "<table class='taihang-popup'><tr><th>to</th><th>road</th><th>rail</th><th>transit</th><th>best</th>"
        "<th>mode</th></tr>"
    ]
    for t in targets:
        vals = [row.get(f"{t}_{m}_min", np.nan) for m in ("road", "rail", "transit", "best")]
        cells.append(
            f"<tr><td>{html_lib.escape((names or {}).get(t, (t, t))[0])}</td>"
            + "".join(f"<td>{v:.0f}</td>" if np.isfinite(v) else "<td>–</td>" for v in vals)
            + f"<td>{row.get(f'{t}_best_mode', '')}</td></tr>"
        )
    cells.append("</table>")
    return head + "".join(cells) + f"minutes, door to door; position: {row.get('position_source', '')}"


def _place_names(graph: nx.MultiDiGraph) -> dict[str, tuple[str, str]]:
    """Each place id's Chinese and English name (titles, legends and popups name targets by them)."""
    return {d["place_id"]: (d["name_zh"], d["name_en"]) for _, d in graph.nodes(data=True) if d["kind"] == "place"}


def build_map(
    graph: nx.MultiDiGraph,
    scores: pd.DataFrame | None = None,
    target: str = "zhengzhou",
    tiles: bool = False,
    warnings: list[str] | None = None,
    scenario: str | None = None,
    as_of: str = "",
    new_links: list[list[tuple[float, float]]] | None = None,
    nearest: pd.DataFrame | None = None,
) -> Any:
    """A ``folium.Map`` of the network: line layers by mode and road class, stations, airports and
    places coloured by best-mode minutes to ``target``; each place's popup gives its minutes to
    every target of ``scores`` (from :meth:`Model.score`) by mode; a title names the network
    (``scenario``, or the network as it is), its date ``as_of`` and the target in Chinese and
    English; the scenario's ``new_links`` (added or changed) are drawn over the network in cyan;
    the legend has an entry for every layer drawn and the model's ``warnings``; with ``nearest``
    (:func:`network.analysis.nearest.nearest_facilities`), a layer per kind of facility with each
    place's minutes to the nearest one (:func:`~network.viz.map_parts.add_nearest_layers`)."""
    import folium

    names = _place_names(graph)
    zh, en = names.get(target, (target, target))
    m = new_map(network_bounds(graph), tiles)
    groups = add_network(m, graph)
    if new_links:
        new = folium.FeatureGroup(name=f"New or changed in {scenario}")
        for coords in new_links:
            folium.PolyLine([(y, x) for x, y in coords], color=_NEW[1], weight=_NEW[2], opacity=0.8).add_to(new)
        new.add_to(m)
    if scores is not None and f"{target}_best_min" in scores:
        targets = _targets(scores)
        group = folium.FeatureGroup(name=f"Places (minutes to {zh})")
        pos = {d["place_id"]: d for _, d in graph.nodes(data=True) if d["kind"] == "place"}
        for _, row in scores.sort_values("place_id").iterrows():
            d = pos[row["place_id"]]
            minutes = float(row[f"{target}_best_min"])
            place_marker(
                d["lat"],
                d["lon"],
                _time_colour(minutes),
                f"{row['name_zh']} {row['name_en']}: {minutes:.0f} min to {zh}",
            ).add_child(popup(_place_popup(row, targets, names), 420)).add_to(group)
        group.add_to(m)
    if nearest is not None:
        add_nearest_layers(m, graph, nearest)
    add_place_labels(m, graph)
    folium.LayerControl(collapsed=False).add_to(m)
    add_title(
        m,
        f"Door-to-door minutes to {zh} {en}, best mode",
        f"{scenario or 'the network as it is'} · network as of {as_of}" if as_of else (scenario or ""),
    )
    add_legend(
        m,
        f"Minutes to {zh} (best mode)",
        [(c, lab) for _, c, lab in _TIME_CLASSES],
        [k for k in LINE_LAYERS if k in groups] + (["new"] if new_links else []),
        warnings=warnings,
        symbols=[k for k in ("stations", "airports") if k in groups],
        sections=[NEAREST_LEGEND] if nearest is not None else None,
    )
    return m


@contextlib.contextmanager
def _scripts_verbatim() -> Iterator[None]:
    """While a map renders, branca's ``MacroElement.render`` wraps every element's rendered
    header, HTML and script in ``Element(text)``, which compiles the text as a new Jinja
    template only to print it back (0.6 ms an element; a comparison map has thousands: two
    thirds of its time). For that window, ``Element(text)`` in branca's module makes an element
    that prints the text as it is. Everything else is branca's own; ``tests/test_maps_render.py``
    checks the bytes equal branca's plain render."""
    import branca.element as be

    plain = be.Element

    class _Text(plain):  # type: ignore[misc, valid-type]
        def __init__(self, text: str) -> None:
            super().__init__()
            self._text = text

        def render(self, **kwargs: Any) -> str:
            return self._text

    def element(template: str | None = None, template_name: str | None = None) -> Any:
        if template is not None and template_name is None:
            return _Text(template)
        return plain(template, template_name)

    be.Element = element  # type: ignore[misc, assignment]
    try:
        yield
    finally:
        be.Element = plain  # type: ignore[misc]


def map_html(folium_map: Any, verbatim: bool = True) -> str:
    """The map as one HTML string. folium names every element with a random 32-hex id; they are
    renumbered in order of first appearance, so the same map gives the same bytes. ``verbatim``
    renders without branca's per-element template compile (:func:`_scripts_verbatim`)."""
    with _scripts_verbatim() if verbatim else contextlib.nullcontext():
        html = folium_map.get_root().render()
    ids: dict[str, str] = {}
    return re.sub(
        r"(?<![0-9a-zA-Z+/])[0-9a-f]{32}(?![0-9a-zA-Z+/=])",
        lambda m: ids.setdefault(m.group(0), f"{len(ids):032x}"),
        html,
    )


def _change_colour(change_min: float) -> str:
    if not change_min == change_min:  # NaN: unreachable before or after
        return "#999999"
    for limit, colour in ((-15, "#00441b"), (-5, "#238b45"), (-0.05, "#a1d99b")):
        if change_min <= limit:
            return colour
    return "#f0f0f0" if change_min < 0.05 else "#cb181d"


def change_map(
    graph: nx.MultiDiGraph, result: Any, target: str, warnings: list[str] | None = None, as_of: str = ""
) -> Any:
    """A ``folium.Map`` of one scenario on the network before it (``graph``): the network as
    context, the scenario's new and changed links highlighted and its closed links dashed (toggle
    them to see before and after), places coloured by the change in best-mode minutes to
    ``target`` with before/after popups by mode."""
    import folium

    names = _place_names(graph)
    zh, en = names.get(target, (target, target))
    m = new_map(network_bounds(graph))
    groups = add_network(
        m,
        graph,
        layers=("hsr", "rail", "expressway", "national", "road"),
        show=("hsr", "rail", "expressway"),
        suffix=" (before)",
        opacity=0.5,
    )
    new = folium.FeatureGroup(name=f"New or changed in {result.scenario.name}")
    for row in result.link_rows:
        what = " ".join(x for x in (row["ref"], row["name_zh"]) if x)
        label = f"{result.scenario.name}: {row['change']} {what}".strip()
        if row["card"]:
            label += f" (card: {row['card']})"
        folium.PolyLine(
            [(y, x) for x, y in row["coords"]], color=_NEW[1], weight=_NEW[2], opacity=0.9, tooltip=_e(label)
        ).add_to(new)
    new.add_to(m)
    if getattr(result, "removed_links", None):
        gone = folium.FeatureGroup(name=f"Closed in {result.scenario.name}")
        for coords in result.removed_links:
            folium.PolyLine(
                [(y, x) for x, y in coords],
                color=_CLOSED[1],
                weight=_CLOSED[2],
                opacity=0.8,
                dash_array=_CLOSED[3],
                tooltip=_e(f"closed in {result.scenario.name}"),
            ).add_to(gone)
        gone.add_to(m)
    places = folium.FeatureGroup(name=f"Minutes gained to {zh}")
    pos = {d["place_id"]: d for _, d in graph.nodes(data=True) if d["kind"] == "place"}
    rows = result.places[result.places["target"] == target]
    for _, row in rows.sort_values("place_id").iterrows():
        d = pos[row["place_id"]]
        ch = -row["best_gain_min"]  # the colour scale reads a change (after − before)
        text = (
            f"<b>{_e(row['name_zh'])} / {_e(row['name_en'])}</b><br>to {_e(zh)}, door to door:"
            "<table class='taihang-popup'><tr><th></th><th>before</th><th>after</th><th>gain</th></tr>"
            + "".join(
                f"<tr><td>{m_}</td><td>{row[f'{m_}_before_min']:.0f}</td><td>{row[f'{m_}_after_min']:.0f}"
                f"</td><td>{row[f'{m_}_gain_min']:+.1f}</td></tr>"
                for m_ in ("road", "rail", "transit", "best")
                if f"{m_}_before_min" in row
            )
            + f"</table>best mode {row['best_mode_before']} → {row['best_mode_after']}"
        )
        folium.CircleMarker(
            (d["lat"], d["lon"]),
            radius=7,
            color="#333",
            weight=1,
            fill=True,
            fill_opacity=0.95,
            fill_color=_change_colour(ch),
            tooltip=_e(f"{row['name_zh']}: {row['best_gain_min']:+.1f} min gained"),
        ).add_child(popup(text, 420)).add_to(places)
    places.add_to(m)
    add_place_labels(m, graph)
    before, after = frames_from_comparison(graph, result, target)  # the same minutes, redrawn by time
    v = reference_speed_kph(before)
    tp = pos[target]
    add_timespace_layers(
        m, [("before", before), (f"with {result.scenario.name}", after)], (tp["lon"], tp["lat"]), zh, v
    )
    folium.LayerControl(collapsed=False).add_to(m)
    add_title(
        m,
        f"{result.scenario.name}: door-to-door minutes gained to {zh} {en}",
        f"best mode, before − after · network as of {as_of}" if as_of else "best mode, before − after",
    )
    add_legend(
        m,
        f"Minutes gained to {zh} (before − after)",
        [
            ("#00441b", "≥ 15 (closer)"),
            ("#238b45", "5 to 15"),
            ("#a1d99b", "0 to 5"),
            ("#f0f0f0", "no change"),
            ("#cb181d", "slower (a loss)"),
            ("#999999", "unreachable"),
        ],
        [k for k in ("hsr", "rail", "expressway", "national", "road") if k in groups]
        + ["new"]
        + (["closed"] if getattr(result, "removed_links", None) else []),
        note="network before the scenario: thin lines"
        + f"; time-space layers (off at first): each place moved along its bearing from {zh} to where its "
        f"minutes put it at {v:.0f} km/h (small dots ringed in black), rings 60/90/120 min, red within 60",
        warnings=warnings,
        symbols=[k for k in ("stations", "airports") if k in groups],
    )
    return m


def isochrone_map(gdf: Any, graph: Any, warnings: list[str] | None = None) -> Any:
    """A folium map of the bands (largest first, so smaller ones sit on top) over the network
    (rail, expressways, national roads, stations), with the county-level places named, the origin
    marked and a legend; fitted to the largest band."""
    import folium

    if len(gdf):
        w, s, e, n = gdf.geometry.total_bounds
        bounds = (float(w), float(s), float(e), float(n))
    else:
        bounds = network_bounds(graph)
    m = new_map(bounds)
    groups = add_network(m, graph, layers=("hsr", "rail", "expressway", "national"), opacity=0.7)
    palette = ["#1a9850", "#91cf60", "#d9ef8b", "#fee08b", "#fc8d59", "#d73027", "#7f0000"]
    colours = {
        row["minutes"]: palette[min(k, len(palette) - 1)]
        for k, (_, row) in enumerate(gdf.sort_values("minutes").iterrows())
    }
    for _, row in gdf.sort_values("minutes", ascending=False).iterrows():
        colour = colours[row["minutes"]]
        folium.GeoJson(
            row.geometry.__geo_interface__,
            name=f"within {row['minutes']:g} min",
            style_function=lambda _f, c=colour: {"color": c, "weight": 1, "fillColor": c, "fillOpacity": 0.35},
            tooltip=_e(
                f"{row['place']}: within {row['minutes']:g} min ({row['direction']}, {row['mode']}); "
                f"{row['population_within']:,} people in county-level places"
            ),
        ).add_to(m)
    names = folium.FeatureGroup(name="Place names")
    for _, d in graph.nodes(data=True):
        if d.get("kind") == "place" and d.get("place_kind") in ("city", "county"):
            folium.CircleMarker((d["lat"], d["lon"]), radius=2, color="#333", weight=1, fill=True).add_to(names)
            _label(d["name_zh"], d["lat"], d["lon"]).add_to(names)
    names.add_to(m)
    first = gdf.iloc[0] if len(gdf) else None
    if first is not None and "origin_lat" in gdf:
        folium.Marker(
            (first["origin_lat"], first["origin_lon"]),
            tooltip=_e(f"origin: {first['place']}"),
            icon=folium.DivIcon(
                html="<div style='font-size:24px;line-height:24px;color:#b10026'>★</div>",
                icon_size=(24, 24),
                icon_anchor=(12, 12),
            ),
        ).add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    title = f"Isochrones {first['direction']} {first['place']} ({first['mode']})" if first is not None else "Isochrones"
    add_legend(
        m,
        title,
        [(colours[x], f"≤ {x:g} min") for x in sorted(colours)],
        [k for k in LINE_LAYERS if k in groups],
        note="★ origin. Door-to-door network times; off-network reach at urban access speed, ≤ 5 km",
        warnings=warnings,
        symbols=[k for k in ("stations", "airports") if k in groups],
    )
    return m
