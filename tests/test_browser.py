"""Every kind of map opened in a real headless Chromium with the network cut.

Debian's ``chromium`` driven by ``playwright`` (PyPI; no browser download): an offline browser
context, every request but the page itself and ``data:`` URLs counted (a file beside the map
the map needs would not travel with it; a web URL leaves the machine). For each
map: no page error, no console error, no request out, the expected layers in the layer control and
features drawn, a popup opened by clicking a place, and a screenshot saved (``TAIHANG_SCREENSHOTS``
or the test's temporary folder). The browser is required: if it is missing the test fails (CI
installs it).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from network.cli import main

pytestmark = pytest.mark.slow  # end to end (a real Chromium); .ci/run runs the slow tests too


ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("TAIHANG_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium)"
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield b
        b.close()


@pytest.fixture(scope="module")
def maps(tmp_path_factory) -> dict[str, Path]:
    """One map of each kind, written by the commands a planner runs."""
    out = tmp_path_factory.mktemp("maps")
    runner = CliRunner()
    made = {}
    for name, args in {
        "baseline": ["map", "--out", str(out / "baseline.html")],
        "jincheng_plan": [
            "map",
            "--scenario",
            str(ROOT / "scenarios" / "jincheng_plan.yaml"),
            "--out",
            str(out / "jincheng_plan.html"),
        ],
        "isochrone": ["isochrone", "阳城", "--minutes", "60,120", "--map", str(out / "isochrone.html")],
    }.items():
        res = runner.invoke(main, args)
        assert res.exit_code == 0, res.output
        made[name] = out / f"{name}.html"
    res = runner.invoke(
        main,
        [
            "compare",
            str(ROOT / "scenarios" / "without_yangji_expressway.yaml"),
            "--year",
            "2024",
            "--out",
            str(out / "cmp"),
        ],
    )
    assert res.exit_code == 0, res.output
    made["compare"] = out / "cmp" / "maps" / "without_yangji_expressway.html"
    # a notebook shows a folium map through its _repr_html_ (an iframe): the same page, offline too
    from network.model import Model
    from network.viz.maps import build_map

    model = Model.default(year=2024)
    per_place, _ = model.score(["郑州"])
    frame = build_map(model.graph, per_place)._repr_html_()
    page = f"<html><head><meta charset='utf-8'></head><body>{frame}</body></html>"
    (out / "notebook.html").write_text(page, encoding="utf-8")
    made["notebook"] = out / "notebook.html"
    return made


def _open(browser, path: Path, shots: Path, frame: bool = False):
    context = browser.new_context(offline=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    outside: list[str] = []
    page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
    page.on("console", lambda m: errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on(
        "request",
        lambda r: (
            outside.append(r.url) if not r.url.startswith(("data:", "about:")) and r.url != path.as_uri() else None
        ),
    )
    page.goto(path.as_uri())
    target = page.frames[1] if frame else page
    target.wait_for_selector(".leaflet-control-layers", timeout=15000)
    page.wait_for_timeout(500)
    return context, page, target, errors, outside


EXPECT = {  # map -> (layer names that must be in the layer control, minimum drawn features)
    "baseline": (
        [
            "High-speed rail",
            "Conventional rail",
            "Expressways",
            "National roads",
            "Other roads",
            "Stations",
            "Airports",
            "Places (minutes to 郑州)",
            "Place names",
        ],
        500,
    ),
    "jincheng_plan": (
        ["High-speed rail", "Expressways", "Airports", "Places (minutes to 郑州)", "New or changed in jincheng_plan"],
        500,
    ),
    "isochrone": (["within 60 min", "within 120 min", "Place names", "Expressways"], 50),
    "compare": (
        [
            "Expressways (before)",
            "Closed in without_yangji_expressway",
            "Minutes gained to 郑州",
            "Time-space map, before",
            "Time-space map, with without_yangji_expressway",
        ],
        50,
    ),
    "notebook": (["High-speed rail", "Places (minutes to 郑州)"], 500),
}
#: map -> what its title must say (scenario, network date, target in Chinese and English)
TITLES = {
    "baseline": ["郑州 Zhengzhou", "the network as it is", "network as of 2025-12-31"],
    "jincheng_plan": ["郑州 Zhengzhou", "jincheng_plan", "network as of 2035-12-31"],
    "compare": ["郑州 Zhengzhou", "without_yangji_expressway", "network as of 2024-12-31"],
}
#: layer names (as the layer control shows them) and the legend entry each must have
LEGEND_OF = {
    "High-speed rail": "High-speed rail",
    "Conventional rail": "Conventional rail",
    "Expressways": "Expressways",
    "National roads": "National roads",
    "Other roads": "Other roads",
    "Coach services": "Coach services",
    "Air routes": "Air routes",
    "Stations": "Railway stations",
    "Airports": "Airports",
}
#: layers named after their scenario (a prefix) and the legend entry each must have
LEGEND_OF_SCENARIO = {"New or changed in ": "New or changed by the scenario", "Closed in ": "Closed by the scenario"}


@pytest.mark.parametrize("name", sorted(EXPECT))
def test_map_renders_offline_in_chromium(browser, maps, tmp_path, name):
    shots = Path(os.environ.get("TAIHANG_SCREENSHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    context, page, target, errors, outside = _open(browser, maps[name], shots, frame=name == "notebook")
    try:
        layer_names = [t.strip() for t in target.locator(".leaflet-control-layers-overlays label").all_inner_texts()]
        for wanted in EXPECT[name][0]:
            assert wanted in layer_names, f"{name}: layer {wanted!r} missing from {layer_names}"
        drawn = target.locator(".leaflet-overlay-pane path").count()
        assert drawn >= EXPECT[name][1], f"{name}: only {drawn} features drawn"
        assert target.locator(".taihang-legend:not(.taihang-title)").count() == 1
        legend_text = target.locator(".taihang-legend:not(.taihang-title)").inner_text()
        for layer in layer_names:  # every layer drawn has its legend entry
            key = layer.replace(" (before)", "")
            if key in LEGEND_OF:
                assert LEGEND_OF[key] in legend_text, f"{name}: no legend entry for the layer {layer!r}"
            for prefix, entry in LEGEND_OF_SCENARIO.items():
                if key.startswith(prefix):
                    assert entry in legend_text, f"{name}: no legend entry for the layer {layer!r}"
        if name == "compare":  # the time-space layers are off at first; switched on, they draw
            assert "time-space layers" in legend_text
            before = target.locator(".leaflet-overlay-pane path").count()
            box = target.locator(".leaflet-control-layers-overlays label", has_text="Time-space map, with")
            box.locator("input").check()
            page.wait_for_timeout(300)
            assert target.locator(".leaflet-overlay-pane path").count() > before + 50
            box.locator("input").uncheck()
        if name in TITLES:
            title = target.locator(".taihang-title").inner_text()
            for words in TITLES[name]:
                assert words in title, f"{name}: the title {title!r} does not say {words!r}"
        if name in ("baseline", "jincheng_plan", "compare"):  # the prefecture cities are named on the map
            labels = target.locator(".leaflet-marker-pane .taihang-label").all_inner_texts()
            assert sum("郑州" in x or "洛阳" in x or "晋城" in x for x in labels) >= 3, labels
        if name != "isochrone":  # click a place: its popup opens with minutes in it
            marker = target.locator(
                ".leaflet-overlay-pane path.leaflet-interactive[fill-opacity='0.9'],"
                ".leaflet-overlay-pane path.leaflet-interactive[fill-opacity='0.95']"
            ).last
            marker.click(force=True)
            target.wait_for_selector(".leaflet-popup-content", timeout=5000)
            assert (
                "min" in target.locator(".leaflet-popup-content").inner_text()
                or "→" in target.locator(".leaflet-popup-content").inner_text()
            )
        else:
            assert target.locator(".leaflet-marker-pane .taihang-label").count() > 20  # place names
        page.wait_for_timeout(400)  # the popup's fade-in
        page.screenshot(path=str(shots / f"{name}.png"))
        # the legend and the controls do not overlap
        boxes = [
            target.locator(sel).first.bounding_box()
            for sel in (".taihang-legend:not(.taihang-title)", ".leaflet-control-scale", ".leaflet-control-layers")
        ]
        legend = boxes[0]
        for other in boxes[1:]:
            assert legend and other
            apart_x = legend["x"] + legend["width"] <= other["x"] or other["x"] + other["width"] <= legend["x"]
            apart_y = legend["y"] + legend["height"] <= other["y"] or other["y"] + other["height"] <= legend["y"]
            overlap = not (apart_x or apart_y)
            assert not overlap, f"{name}: the legend covers a control"
    finally:
        context.close()
    assert not errors, errors
    assert not outside, f"{name}: the map requested {outside[:5]}"


@pytest.mark.parametrize("scenario", sorted(p.name for p in (ROOT / "scenarios").glob("*.yaml")))
def test_map_of_every_shipped_scenario(tmp_path, scenario):
    out = tmp_path / "m.html"
    res = CliRunner().invoke(main, ["map", "--scenario", str(ROOT / "scenarios" / scenario), "--out", str(out)])
    assert res.exit_code == 0, res.output
    html = out.read_text(encoding="utf-8")
    assert "https://" not in html and "http://" not in html.replace("http://www.w3.org/2000/svg", "")


def test_before_and_after_side_by_side_move_together(browser, tmp_path):
    """compare --side-by-side: two offline maps in one page; panning one pans the other."""
    out = tmp_path / "cmp"
    res = CliRunner().invoke(
        main,
        [
            "compare",
            str(ROOT / "scenarios" / "jincheng_hebi_hsr.yaml"),
            "--no-decompose",
            "--side-by-side",
            "--out",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    page_path = out / "maps" / "jincheng_hebi_hsr_before_after.html"
    context = browser.new_context(offline=True, viewport={"width": 1400, "height": 800})
    page = context.new_page()
    errors: list[str] = []
    outside: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(("data:", "about:", "file:")) else None)
    try:
        page.goto(page_path.as_uri())
        page.wait_for_selector("body[data-synced=yes]", timeout=15000)
        view = (
            "() => { for (const k in window) if (k.startsWith('map_') && window[k] instanceof L.Map) "
            "{ const c = window[k].getCenter(); return [c.lat, c.lng, window[k].getZoom()]; } }"
        )
        left, right = page.frames[1], page.frames[2]
        left.evaluate(
            "() => { for (const k in window) if (k.startsWith('map_') && window[k] instanceof L.Map) "
            "window[k].setView([35.5, 112.8], 10, {animate: false}); }"
        )
        page.wait_for_timeout(300)
        assert right.evaluate(view) == pytest.approx([35.5, 112.8, 10], abs=1e-6)
        titles = [f.locator(".taihang-title").inner_text() for f in (left, right)]
        assert "the network as it is" in titles[0] and "jincheng_hebi_hsr" in titles[1]
        assert "New or changed by the scenario" in right.locator(".taihang-legend:not(.taihang-title)").inner_text()
    finally:
        context.close()
    assert not errors, errors
    assert not outside, outside
