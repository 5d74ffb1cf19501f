"""Before and after, side by side: two maps of one scenario in one HTML page, panned and zoomed
together.

The left map is the network before the scenario with every place coloured by its minutes to the
target; the right map the same after it, the scenario's new and changed links drawn over it. Each
is a whole offline map (:func:`network.viz.maps.build_map`) in its own ``iframe`` (``srcdoc``, so
the page is one file); a few lines of script in the page keep the two views together, so nothing
(not Leaflet.Sync either) is loaded from anywhere. ``compare --out DIR --side-by-side`` writes one
per scenario (``maps/<scenario>_before_after.html``).
"""

from __future__ import annotations

import html
from typing import Any

import pandas as pd

#: Keeps the two maps' views together: each map's Leaflet object is the page's ``map_…`` global
#: (how folium names it); a move of one sets the other's view, without echo.
_SYNC_JS = """
(function () {
  var frames = Array.prototype.slice.call(document.querySelectorAll('iframe.taihang-side'));
  var maps = [], ready = 0;
  function leafletMap(win) {
    for (var k in win) {
      if (k.indexOf('map_') === 0 && win.L && win[k] instanceof win.L.Map) { return win[k]; }
    }
    return null;
  }
  function link() {
    var busy = false;
    maps.forEach(function (a, i) {
      var b = maps[1 - i];
      a.on('move zoomend', function () {
        if (busy) { return; }
        busy = true;
        b.setView(a.getCenter(), a.getZoom(), {animate: false});
        busy = false;
      });
    });
    document.body.setAttribute('data-synced', 'yes');
  }
  frames.forEach(function (f, i) {
    function found() {
      maps[i] = leafletMap(f.contentWindow);
      ready += 1;
      if (ready === frames.length && maps.every(Boolean)) { link(); }
    }
    if (f.contentDocument && f.contentDocument.readyState === 'complete' && leafletMap(f.contentWindow)) { found(); }
    else { f.addEventListener('load', found); }
  });
})();
"""


def scores_from_comparison(places: pd.DataFrame, when: str) -> pd.DataFrame:
    """A comparison's place table (``result.places``) as :meth:`~network.model.Model.score` gives
    scores, ``before`` or ``after``: one row per place, ``<target>_<mode>_min`` and
    ``<target>_best_mode`` per target (the columns :func:`~network.viz.maps.build_map` reads)."""
    if when not in ("before", "after"):
        raise ValueError(f"when={when!r}: expected before or after")
    keys = ["place_id", "name_zh", "name_en", "city_zh", "population_2020"]
    out = places.drop_duplicates("place_id")[keys].set_index("place_id")
    for target, g in places.groupby("target", sort=False):
        g = g.set_index("place_id")
        for mode in ("road", "rail", "transit", "best"):
            col = f"{mode}_{when}_min"
            if col in g:
                out[f"{target}_{mode}_min"] = g[col]
        out[f"{target}_best_mode"] = g[f"best_mode_{when}"]
    out["position_source"] = ""
    return out.reset_index()


def side_by_side_html(comp: Any, k: int, target: str, warnings: list[str] | None = None) -> str:
    """Scenario ``k`` of the comparison ``comp`` before (left) and after (right), minutes to
    ``target``: one HTML page (module docstring)."""
    from network.viz.maps import build_map, map_html

    r = comp.results[k]
    name = r.scenario.name
    left = build_map(
        comp.graph, scores_from_comparison(r.places, "before"), target, warnings=warnings, as_of=comp.as_of
    )
    right = build_map(
        comp.graph,
        scores_from_comparison(r.places, "after"),
        target,
        warnings=warnings,
        scenario=name,
        as_of=comp.as_of,
        new_links=r.new_links,
    )
    frames = "".join(
        f"<iframe class='taihang-side' title='{html.escape(label)}' srcdoc=\"{html.escape(map_html(m))}\"></iframe>"
        for label, m in (("before", left), (f"with {name}", right))
    )
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<title>{html.escape(name)}: before and after</title>"
        "<style>html,body{margin:0;height:100%;font:13px sans-serif}"
        ".bar{padding:4px 8px;background:#f4f4f4;border-bottom:1px solid #ccc}"
        ".pair{display:flex;height:calc(100% - 28px)}"
        "iframe.taihang-side{flex:1;border:0;border-right:1px solid #999;height:100%}</style></head><body>"
        f"<div class='bar'><b>{html.escape(name)}</b>: before (left) and after (right), network as of "
        f"{html.escape(comp.as_of)}; the two maps move together</div>"
        f"<div class='pair'>{frames}</div><script>{_SYNC_JS}</script></body></html>"
    )
