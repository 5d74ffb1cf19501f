"""Controls for the notebooks: a claim re-checked as its key constants move, and a scenario card
picked from a list with its change map, gain chart and time-space map side by side.

Built on ipywidgets (``pip install taihang[notebooks]``). Where ipywidgets is not installed (or a
notebook is read as a static page), each function shows what the controls would start from, as
plain tables and pictures, and says how to get the controls: nothing here needs a kernel to be
read, and nothing is fetched from a CDN (the maps inline Leaflet, :mod:`network.viz.maps`).
"""

from __future__ import annotations

import html
import importlib.util
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from network.analysis.claims.spec import ClaimFile
from network.analysis.explore import KEY_CONSTANTS, Explorer, constant_ranges
from network.tables import cell

#: The columns of a claim's per-destination table the explorer shows (minutes and their parts).
_CLAIM_COLUMNS = ["destination", "threshold_min", "minutes", "holds", "access", "processing", "wait", "in_vehicle"]


def has_widgets() -> bool:
    """Whether ipywidgets is installed (the controls need it; without it the static view shows)."""
    return importlib.util.find_spec("ipywidgets") is not None


def _table_html(df: pd.DataFrame) -> str:
    """A small table as HTML, its cells as the terminal tables print them
    (:func:`network.tables.cell`: one decimal for minutes, yes/no for verdicts, — for no value)."""
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in df.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(cell(c, v))}</td>" for c, v in zip(df.columns, row)) + "</tr>"
        for row in df.itertuples(index=False)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def claim_reading_html(
    explorer: Explorer, spec: ClaimFile, network: str, reading: str, mode: str, constants: Mapping[str, float]
) -> str:
    """One reading of a claim on one network at one setting, as HTML: the verdict in a sentence,
    then the minutes to each destination and what they are made of."""
    t0 = time.perf_counter()
    per, overall = explorer.claim(spec, network, **dict(constants))
    took = time.perf_counter() - t0
    sel = per[(per["reading"] == reading) & (per["mode"] == mode)]
    verdict = overall[(overall["reading"] == reading) & (overall["mode"] == mode)]
    lines = []
    for v in verdict.itertuples():
        mins = ", ".join(f"{d} {m:.1f} min" for d, m in zip(sel["destination"], sel["minutes"]) if m == m)
        lines.append(
            f"<b>{html.escape(network)}, {html.escape(reading)} by {html.escape(mode)}, within "
            f"{v.threshold_min:.0f} min: {html.escape(str(v.verdict))}</b> ({html.escape(mins)})"
        )
    cols = [c for c in _CLAIM_COLUMNS if c in sel]
    moved = ", ".join(f"{k} = {v:g}" for k, v in constants.items()) or "every constant as documented"
    return (
        "<br>".join(lines)
        + _table_html(sel[cols])
        + f"<small>{html.escape(moved)}; re-timed and re-checked in {took:.2f} s</small>"
    )


def _readings(spec: ClaimFile) -> list[tuple[str, str]]:
    return [(r, m) for r in spec.readings for m in spec.modes]


def claim_explorer(explorer: Explorer, spec: ClaimFile, static: bool | None = None) -> Any:
    """The claim with controls: the network, the reading, and a slider per key constant (within
    its documented range); the verdict and the minutes are re-computed as a control moves.
    ``static`` (default: when ipywidgets is missing) shows the documented setting and, for the
    first reading, each constant at the ends of its range instead."""
    networks = list(explorer.models)
    readings = _readings(spec)
    first = explorer.models[networks[0]]
    ranges = constant_ranges(first.assumptions)
    if static if static is not None else not has_widgets():
        from IPython.display import HTML

        reading, mode = readings[0]
        parts = [
            "<p><i>ipywidgets is not installed (pip install ipywidgets), so this is the static view: "
            "the documented constants on every network, then each key constant at the ends of its range "
            "on the first network. With ipywidgets the same appears with controls.</i></p>"
        ]
        for net in networks:
            parts.append(claim_reading_html(explorer, spec, net, reading, mode, {}))
        sens = explorer.sensitivity(spec, networks[0], reading, mode)
        parts.append(f"<p>{html.escape(networks[0])}, {html.escape(reading)} by {html.escape(mode)}:</p>")
        parts.append(_table_html(sens))
        return HTML("".join(parts))

    import ipywidgets as w

    net_box = w.Dropdown(options=networks, value=networks[0], description="network")
    read_box = w.Dropdown(
        options=[(f"{r} by {m}", (r, m)) for r, m in readings], value=readings[0], description="reading"
    )
    sliders = {}
    for row in ranges.itertuples():
        step = 0.005 if row.high <= 1 else 1.0
        sliders[row.name] = w.FloatSlider(
            value=row.value,
            min=row.low,
            max=row.high,
            step=step,
            readout_format=".3f" if step < 1 else ".0f",
            description=row.name,
            continuous_update=False,
            style={"description_width": "14em"},
            layout=w.Layout(width="42em"),
            tooltip=KEY_CONSTANTS[row.name],
        )
    documented = {str(k): float(v) for k, v in zip(ranges["name"], ranges["value"])}
    reset = w.Button(description="documented values")
    out = w.HTML()

    def redraw(*_: Any) -> None:
        changed = {k: s.value for k, s in sliders.items() if abs(s.value - documented[k]) > 1e-12}
        r, m = read_box.value
        out.value = claim_reading_html(explorer, spec, net_box.value, r, m, changed)

    def reset_all(_: Any) -> None:
        for k, value in documented.items():
            sliders[k].value = value

    for control in [net_box, read_box, *sliders.values()]:
        control.observe(redraw, names="value")
    reset.on_click(reset_all)
    redraw()
    notes = w.HTML(
        "<small>"
        + "<br>".join(f"<b>{html.escape(k)}</b>: {html.escape(v)}" for k, v in KEY_CONSTANTS.items())
        + "</small>"
    )
    return w.VBox([w.HBox([net_box, read_box]), *sliders.values(), reset, notes, out])


def scenario_view_html(comp: Any, k: int = 0) -> str:
    """One scenario of a comparison as HTML: its change map (inline Leaflet), and beside it the
    gain chart and the time-space map towards the first main target (PNGs inline)."""
    import base64

    from network.analysis.compare import result_warnings
    from network.viz.maps import change_map
    from network.viz.report import gain_png, timespace_pngs

    r = comp.results[k]
    warn = result_warnings(comp, r)
    target = (comp.main_targets or comp.targets)[0]
    m = change_map(comp.graph, r, target, warn, as_of=comp.as_of)
    pngs = [gain_png(comp, r, warn), timespace_pngs(comp, r, warn)[target]]
    imgs = "".join(f"<img style='width:100%' src='data:image/png;base64,{base64.b64encode(p).decode()}'>" for p in pngs)
    return (
        "<div style='display:flex;gap:8px;align-items:flex-start'>"
        f"<div style='flex:1;min-width:420px'>{m._repr_html_()}</div>"
        f"<div style='flex:1'>{imgs}</div></div>"
    )


def scenario_explorer(
    compare_one: Callable[[Path], Any], cards: Sequence[Path], first: str | None = None, static: bool | None = None
) -> Any:
    """Pick a scenario card from ``cards``: its change map, gain chart and time-space map side by
    side (``compare_one(card) -> Comparison``, cached per card). ``static`` (default: when
    ipywidgets is missing) shows the ``first`` card (default: the first) only."""
    from IPython.display import HTML

    by_name = {Path(c).stem: Path(c) for c in cards}
    start = first if first in by_name else next(iter(by_name))
    cache: dict[str, str] = {}

    def view(name: str) -> str:
        if name not in cache:
            cache[name] = scenario_view_html(compare_one(by_name[name]))
        return cache[name]

    if static if static is not None else not has_widgets():
        note = "<p><i>ipywidgets is not installed (pip install ipywidgets): the first card only.</i></p>"
        return HTML(note + view(start))

    import ipywidgets as w

    pick = w.Dropdown(options=sorted(by_name), value=start, description="card")
    out = w.HTML(view(start))

    def redraw(change: Any) -> None:
        out.value = f"<p>computing {html.escape(change['new'])} …</p>"
        out.value = view(change["new"])

    pick.observe(redraw, names="value")
    return w.VBox([pick, out])
