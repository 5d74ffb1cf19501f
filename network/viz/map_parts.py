"""The furniture of every map: the line layers' styles, the legend and the title (Leaflet controls),
the place-name labels and the attribution. :mod:`network.viz.maps` draws the maps with them."""

from __future__ import annotations

import html as html_lib
from typing import Any

import networkx as nx
import numpy as np

_ATTRIBUTION = "© OpenStreetMap contributors (ODbL); census 2020; taihang"

#: layer key -> (label, colour, weight, dash)
LINE_LAYERS: dict[str, tuple[str, str, int, str | None]] = {
    "hsr": ("High-speed rail", "#6a51a3", 4, None),
    "rail": ("Conventional rail", "#2171b5", 2, None),
    "metro": ("Metro between railway stations", "#084594", 2, "1 4"),
    "expressway": ("Expressways", "#c51b7d", 3, None),
    "national": ("National roads", "#fd8d3c", 2, None),
    "road": ("Other roads", "#969696", 1, None),
    "bus": ("Coach services", "#238b45", 2, "6 4"),
    "air": ("Air routes", "#000000", 1, "2 6"),
    # a scenario's own links, over the network before it: a colour no other layer uses
    "new": ("New or changed by the scenario", "#00bcd4", 6, None),
    "closed": ("Closed by the scenario", "#000000", 5, "8 6"),
}
#: legend entries of the point layers
_SYMBOLS = {
    "stations": "<span class='sw' style='background:#fff;border:1px solid #54278f'></span>Railway stations",
    "airports": "<span style='display:inline-block;width:12px;margin-right:5px'>✈</span>Airports",
}


def add_legend(
    m: Any,
    title: str,
    swatches: list[tuple[str, str]],
    lines: list[str] | None = None,
    note: str = "",
    position: str = "bottomright",
    warnings: list[str] | None = None,
    symbols: list[str] | None = None,
    sections: list[tuple[str, list[tuple[str, str]]]] | None = None,
) -> None:
    """A legend as a Leaflet control: a title, coloured swatches with labels, more ``sections``
    (a heading and its swatches, for layers coloured on another scale), line symbols (layer keys
    of :data:`LINE_LAYERS`), a note, the run's warnings (in red) and the attribution."""
    from branca.element import MacroElement
    from jinja2 import Template

    body = [f"<b>{html_lib.escape(title)}</b>"]
    body += [f"<span class='sw' style='background:{c}'></span>{html_lib.escape(label)}" for c, label in swatches]
    for heading, more in sections or []:  # on one line each: a second scale must not push into the controls
        body.append(f"<b>{html_lib.escape(heading)}</b>")
        body.append(" ".join(f"<span class='sw' style='background:{c}'></span>{html_lib.escape(x)}" for c, x in more))
    for key in lines or []:
        label, colour, _, dash = LINE_LAYERS[key]
        style = "dashed" if dash else "solid"
        body.append(f"<span class='ln' style='border-top-color:{colour};border-top-style:{style}'></span>{label}")
    for key in symbols or []:  # the point layers drawn: stations, airports
        body.append(_SYMBOLS[key])
    if note:
        body.append(f"<span style='font-size:11px'>{html_lib.escape(note)}</span>")
    for w in warnings or []:
        body.append(
            f"<span class='warn' style='font-size:11px;color:#b10026'><b>Warning:</b> {html_lib.escape(w)}</span>"
        )
    body.append(f"<span style='font-size:10px;color:#555'>{html_lib.escape(_ATTRIBUTION)}</span>")
    element = MacroElement()
    element._name = "Legend"
    element._template = Template(
        "{% macro script(this, kwargs) %}"
        "var {{ this.get_name() }} = L.control({position: {{ this.position|tojson }}});"
        "{{ this.get_name() }}.onAdd = function () {"
        "  var div = L.DomUtil.create('div', 'taihang-legend');"
        "  div.innerHTML = {{ this.html|tojson }};"
        "  L.DomEvent.disableClickPropagation(div); return div; };"
        "{{ this.get_name() }}.addTo({{ this._parent.get_name() }});"
        "{% endmacro %}"
    )
    element.html = "<br>".join(body)  # type: ignore[attr-defined]
    element.position = position  # type: ignore[attr-defined]
    m.add_child(element)


def add_title(m: Any, title: str, subtitle: str = "") -> None:
    """A title as a Leaflet control at the top left, under the zoom buttons: what the map shows,
    for which network (scenario and date) and to which target, so a screenshot says it too."""
    from branca.element import MacroElement
    from jinja2 import Template

    element = MacroElement()
    element._name = "Title"
    element._template = Template(
        "{% macro script(this, kwargs) %}"
        "var {{ this.get_name() }} = L.control({position: 'topleft'});"
        "{{ this.get_name() }}.onAdd = function () {"
        "  var div = L.DomUtil.create('div', 'taihang-legend taihang-title');"
        "  div.innerHTML = {{ this.html|tojson }};"
        "  L.DomEvent.disableClickPropagation(div); return div; };"
        "{{ this.get_name() }}.addTo({{ this._parent.get_name() }});"
        "{% endmacro %}"
    )
    html = f"<b style='font-size:14px'>{html_lib.escape(title)}</b>"
    if subtitle:
        html += f"<br><span style='font-size:12px'>{html_lib.escape(subtitle)}</span>"
    element.html = html  # type: ignore[attr-defined]
    m.add_child(element)


def add_place_labels(m: Any, graph: nx.MultiDiGraph, name: str = "Place names") -> None:
    """The prefecture-level cities' names as permanent labels (their own layer, on by default):
    county names are in each place's tooltip, where 87 labels would not crowd the region's view."""
    import folium

    group = folium.FeatureGroup(name=name, show=True)
    for _, d in sorted(graph.nodes(data=True), key=lambda nd: str(nd[0])):
        if d.get("kind") == "place" and d.get("place_kind") == "city":
            _label(f"{d['name_zh']} {d['name_en']}", d["lat"], d["lon"]).add_to(group)
    group.add_to(m)


def _label(text: str, lat: float, lon: float) -> Any:
    import folium

    return folium.Marker(
        (lat, lon),
        icon=folium.DivIcon(
            html=f"<div class='taihang-label'>{html_lib.escape(text)}</div>", icon_size=(120, 14), icon_anchor=(-6, 7)
        ),
    )


#: Colours of the minutes to the nearest facility (steps of a quarter hour; the layer's tooltip
#: gives the minutes): a drive to a station or an airport is read in quarter hours, not hours.
NEAREST_CLASSES = [(15, "#1a9850"), (30, "#91cf60"), (45, "#fee08b"), (60, "#fc8d59"), (np.inf, "#d73027")]
NEAREST_LEGEND = (
    "Minutes to the nearest facility (its layers)",
    [
        ("#1a9850", "≤ 15"),
        ("#91cf60", "15–30"),
        ("#fee08b", "30–45"),
        ("#fc8d59", "45–60"),
        ("#d73027", "> 60"),
    ],
)

#: The facility layers a map draws (off until ticked), with their labels.
NEAREST_LAYERS = {"hsr_station": "HSR station", "airport": "airport", "expressway_entrance": "expressway entrance"}


def add_nearest_layers(m: Any, graph: nx.MultiDiGraph, nearest: Any) -> None:
    """One layer per kind of facility (:data:`NEAREST_LAYERS`, hidden until ticked): each place
    coloured by its road minutes to the nearest one (:data:`NEAREST_CLASSES`), a dashed line to
    it, and a tooltip naming it (``nearest``: rank-1 rows of
    :func:`network.analysis.nearest.nearest_facilities`)."""
    import folium

    places = {d["place_id"]: d for _, d in graph.nodes(data=True) if d["kind"] == "place"}
    first = nearest[nearest["rank"] == 1]
    for kind, label in NEAREST_LAYERS.items():
        rows = first[first["facility"] == kind]
        if rows.empty:
            continue
        group = folium.FeatureGroup(name=f"Minutes to the nearest {label}", show=False)
        for row in rows.itertuples(index=False):
            d = places.get(row.place_id)
            if d is None:
                continue
            minutes = float(row.minutes)
            colour = next(c for limit, c in NEAREST_CLASSES if minutes <= limit)
            where = row.facility_name or "none in the network"
            text = f"{row.name_zh}: {minutes:.0f} min by road to the nearest {label}, {where}"
            if np.isfinite(minutes) and row.facility_node in graph:
                f = graph.nodes[row.facility_node]
                folium.PolyLine(
                    [(d["lat"], d["lon"]), (f["lat"], f["lon"])], color=colour, weight=2, dash_array="4 4", opacity=0.8
                ).add_to(group)
            place_marker(d["lat"], d["lon"], colour if np.isfinite(minutes) else "#999999", text).add_to(group)
        group.add_to(m)


def place_marker(lat: float, lon: float, fill: str, tooltip: str) -> Any:
    """A place's dot on a map: filled with ``fill``, a dark rim, ``tooltip`` (plain text, escaped)."""
    import folium

    return folium.CircleMarker(
        (lat, lon),
        radius=6,
        color="#333",
        weight=1,
        fill=True,
        fill_opacity=0.9,
        fill_color=fill,
        tooltip=html_lib.escape(tooltip),
    )
