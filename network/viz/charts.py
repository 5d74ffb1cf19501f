"""PNG charts for reports: scenario gains by county, population reached against minutes, claims
against their thresholds. matplotlib (Agg backend) is imported inside the functions.

Each function returns PNG bytes (the caller writes them atomically). Places are labelled by their English
names; Chinese names (claims' destinations) use a CJK font where installed. The same inputs give the
same bytes (no timestamp metadata).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from network.indicators.validation import MEASURES

#: CJK fonts a chart may use, in order of preference (Debian's fonts-noto-cjk provides the first)
CJK_FONTS = (
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
)
_CJK_HELP = (
    "charts need a font with Chinese characters, and none was found: install one (Debian/Ubuntu: "
    "apt-get install fonts-noto-cjk; macOS and Windows have one), or point TAIHANG_CJK_FONT at a .ttf/.otf/.ttc file"
)


def cjk_font() -> str:
    """The CJK font family charts use: ``$TAIHANG_CJK_FONT`` (a font file) if set, else the first
    of :data:`CJK_FONTS` that matplotlib knows, after rebuilding its font cache once if the cache
    predates the fonts (a cache written before fonts-noto-cjk was installed lists none).

    Raises
    ------
    DataError
        If no CJK font can be found: a chart would draw every Chinese name as empty boxes.
    """
    import os

    from matplotlib import font_manager

    from network.errors import DataError

    path = os.environ.get("TAIHANG_CJK_FONT")
    if path:
        if not Path(path).is_file():
            raise DataError(f"TAIHANG_CJK_FONT={path}: no such font file; {_CJK_HELP}")
        font_manager.fontManager.addfont(path)
        return str(font_manager.FontProperties(fname=path).get_name())
    have = {f.name for f in font_manager.fontManager.ttflist}
    if not any(f in have for f in CJK_FONTS):
        for found in sorted(Path("/usr/share/fonts").glob("**/NotoSansCJK-Regular.ttc")):
            font_manager.fontManager.addfont(str(found))
        have = {f.name for f in font_manager.fontManager.ttflist}
    if not any(f in have for f in CJK_FONTS):  # a stale cache: read the system's fonts again
        font_manager.fontManager = font_manager._load_fontmanager(try_read_cache=False)  # type: ignore[attr-defined]
        have = {f.name for f in font_manager.fontManager.ttflist}
    for name in CJK_FONTS:
        if name in have:
            return name
    raise DataError(_CJK_HELP)


def _plt() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams["font.sans-serif"] = [cjk_font(), "DejaVu Sans"]
    plt.rcParams["axes.unicode_minus"] = False
    return plt


def _png(fig: Any, warnings: Sequence[str] = ()) -> bytes:
    """The figure as PNG bytes (no timestamp, so the same figure gives the same bytes), with the
    run's warnings printed in red under it."""
    import textwrap

    plt = _plt()
    buf = io.BytesIO()
    fig.tight_layout()
    if warnings:
        text = "\n".join(textwrap.fill(f"Warning: {w}", 140) for w in warnings)
        lines = text.count("\n") + 1
        height = fig.get_figheight()
        fig.set_figheight(height + 0.18 * lines)
        fig.subplots_adjust(bottom=(fig.subplotpars.bottom * height + 0.18 * lines) / (height + 0.18 * lines))
        fig.text(0.01, 0.005, text, color="#b10026", fontsize=7, va="bottom", ha="left")
    fig.savefig(buf, format="png", dpi=100, metadata={"Software": None})
    plt.close(fig)
    return buf.getvalue()


def gain_by_county_png(
    places: pd.DataFrame,
    scenario: str,
    targets: list[str],
    focus_city: str,
    top: int = 12,
    warnings: Sequence[str] = (),
    names: dict[str, str] | None = None,
    main: Sequence[str] = (),
    as_of: str = "",
) -> bytes:
    """Small multiples of best-mode door-to-door minutes gained (before − after; positive = closer),
    one panel per main target (``main``, default the first two ``targets``): the focus city's places,
    then the ``top`` biggest movers elsewhere, each sorted by gain, labelled by Chinese and English
    name; and, where the card serves other places (the rest of ``targets``), a panel of the focus
    city's population-weighted gain to each. ``names`` gives the targets' Chinese names."""
    plt = _plt()
    names = names or {}
    main = list(main) or targets[:2]
    served = [t for t in targets if t not in main]
    p = places[places["target"].isin(targets)]
    label = p.drop_duplicates("place_id").set_index("place_id")
    ncols = len(main) + (1 if served else 0)
    rows_needed = []
    for t in main:
        q = p[p["target"] == t].set_index("place_id")["best_gain_min"].astype(float)
        focus = p[(p["target"] == t) & (p["city_zh"] == focus_city)].set_index("place_id")["best_gain_min"]
        rest = q.drop(index=focus.index, errors="ignore")
        rest = rest[rest.abs() >= 0.05].sort_values(ascending=False)
        rows_needed.append(
            (
                t,
                focus.astype(float).sort_values(ascending=False),
                rest.reindex(rest.abs().sort_values(ascending=False).index[:top]).sort_values(ascending=False),
            )
        )
    height = max([len(f) + len(r) for _, f, r in rows_needed] + [len(served), 4])
    fig, axes = plt.subplots(1, ncols, figsize=(5.2 * ncols, 0.3 * height + 2.2), squeeze=False)
    colours = plt.get_cmap("tab10").colors
    for k, (t, focus, rest) in enumerate(rows_needed):
        ax = axes[0][k]
        vals = pd.concat([focus, rest])
        y = np.arange(len(vals))
        colour = colours[k % len(colours)]
        bars = ax.barh(y, vals.to_numpy(), color=[colour if v >= 0 else "#999999" for v in vals.to_numpy()])
        ax.bar_label(bars, fmt="%.1f", fontsize=7, padding=2)
        ax.set_yticks(y, [f"{label.at[i, 'name_zh']} {label.at[i, 'name_en']}" for i in vals.index], fontsize=8)
        if len(focus) and len(rest):
            ax.axhline(len(focus) - 0.5, color="0.6", lw=0.6, ls=":")
        ax.invert_yaxis()
        ax.axvline(0, color="0.3", lw=0.8)
        ax.set_xlabel("minutes gained, best mode, door to door", fontsize=8)
        ax.set_title(f"to {names.get(t, t)}: {focus_city}'s places, then the biggest movers", fontsize=9)
    if served:
        ax = axes[0][-1]
        focus_rows = p[(p["city_zh"] == focus_city) & p["target"].isin(served)]
        gain = {
            t: float(np.average(g["best_gain_min"].astype(float), weights=g["population_2020"].astype(float)))
            for t, g in focus_rows.groupby("target")
            if g["population_2020"].astype(float).sum() > 0
        }
        order = sorted(gain, key=lambda t: -gain[t])
        y = np.arange(len(order))
        bars = ax.barh(y, [gain[t] for t in order], color=colours[len(main) % len(colours)])
        ax.bar_label(bars, fmt="%.1f", fontsize=7, padding=2)
        ax.set_yticks(y, [names.get(t, t) for t in order], fontsize=8)
        ax.invert_yaxis()
        ax.axvline(0, color="0.3", lw=0.8)
        ax.set_xlabel(f"minutes gained by {focus_city}'s places (population-weighted)", fontsize=8)
        ax.set_title("to the places the card serves", fontsize=9)
    fig.suptitle(f"{scenario}: door-to-door minutes gained{f', network as of {as_of}' if as_of else ''}", fontsize=10)
    return _png(fig, warnings)


def population_reached_png(
    places: pd.DataFrame,
    scenario: str,
    target: str,
    max_min: float = 300.0,
    warnings: Sequence[str] = (),
    label: str | None = None,
    as_of: str = "",
) -> bytes:
    """Population within t minutes of ``target`` (best mode) for t = 0..``max_min``, before and
    after the scenario; ``label`` names the target (default: its id), the people reached at 60,
    90, 120 and 180 minutes before → after are written at each line, ``as_of`` dates the chart."""
    plt = _plt()
    name = label or target
    p = places[places["target"] == target]
    pop = p["population_2020"].to_numpy(dtype=float)
    t = np.linspace(0, max_min, 301)
    fig, ax = plt.subplots(figsize=(8, 4.4))
    curves = {}
    for col, style, what in (("best_before_min", "-", "before"), ("best_after_min", "--", "after")):
        minutes = p[col].to_numpy(dtype=float)
        curves[what] = minutes
        ax.plot(t, [(pop[minutes <= x]).sum() / 1e6 for x in t], style, label=what)
    top = pop.sum() / 1e6
    for th in (60, 90, 120, 180):
        ax.axvline(th, color="0.85", lw=0.8, zorder=0)
        b, a = ((pop[curves[k] <= th]).sum() / 1e6 for k in ("before", "after"))
        text = f"{b:.1f} M" if abs(a - b) < 0.05 else f"{b:.1f} → {a:.1f} M"
        ax.text(th + 2, top * 1.02, f"≤{th}: {text}", fontsize=7, color="0.3", va="bottom")
    ax.set_ylim(0, top * 1.12)
    ax.set_xlabel(f"door-to-door minutes to {name} (best mode)")
    ax.set_ylabel("people reached (million, census 2020)")
    dated = f", network as of {as_of}" if as_of else ""
    ax.set_title(f"{scenario}: people within t minutes of {name}{dated}", fontsize=10)
    ax.legend(loc="lower right")
    return _png(fig, warnings)


def claim_png(per_destination: pd.DataFrame, name: str, warnings: Sequence[str] = ()) -> bytes:
    """Each reading's minutes per destination, mode and network against the claim's thresholds;
    with draws, the p10–p90 band as an error bar around the p50."""
    plt = _plt()
    d = per_destination.drop_duplicates(["network", "destination", "reading", "mode"])
    labels = [f"{r.network} · {r.reading} · {r.mode} → {r.destination}" for r in d.itertuples()]
    fig, ax = plt.subplots(figsize=(9, 0.3 * len(d) + 1.5))
    y = np.arange(len(d))
    minutes = d["minutes"].to_numpy(dtype=float)
    if {"p10_min", "p90_min"} <= set(d.columns):
        mid = d["p50_min"].to_numpy(dtype=float)
        err = np.vstack([mid - d["p10_min"].to_numpy(dtype=float), d["p90_min"].to_numpy(dtype=float) - mid])
        ax.errorbar(mid, y, xerr=np.nan_to_num(err), fmt="none", ecolor="0.5", capsize=3, label="p10–p90 of draws")
    ax.plot(np.where(np.isfinite(minutes), minutes, np.nan), y, "o", color="tab:blue", label="minutes")
    for th in sorted(set(per_destination["threshold_min"].tolist())):
        ax.axvline(th, color="tab:red", lw=1, ls="--")
        ax.text(th, -0.8, f"{th:g} min", color="tab:red", fontsize=8, ha="center")
    ax.set_yticks(y, labels, fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel("minutes")
    ax.set_title(f"{name}: minutes against the claim's thresholds", fontsize=10)
    ax.legend(fontsize=8, loc="lower right")
    return _png(fig, warnings)


def validation_png(table: pd.DataFrame, warnings: Sequence[str] = ()) -> bytes:
    """A PNG: modelled against published, one panel per measure, with y = x and each figure's
    tolerance as a bar. Green inside its tolerance, red outside; a filled mark is a grade A or B
    figure, a hollow one grade C (or ungraded); a downward triangle is an upper bound ("less than").
    Each point is labelled with its trip and year; figures the model cannot route are listed under
    the panel. A panel whose values span more than ten times is drawn on log axes."""
    plt = _plt()
    measures = [m for m in MEASURES if m in set(table["measure"])]
    fig, axes = plt.subplots(1, len(measures), figsize=(6 * len(measures), 6), squeeze=False)
    grade = table["grade"] if "grade" in table else pd.Series([""] * len(table), index=table.index)
    bound = table["bound"] if "bound" in table else pd.Series([""] * len(table), index=table.index)
    for ax, measure in zip(axes[0], measures):
        g = table[(table["measure"] == measure) & np.isfinite(table["modelled"].astype(float))]
        missing = table[(table["measure"] == measure) & ~np.isfinite(table["modelled"].astype(float))]
        for _, r in g.iterrows():
            colour = "tab:green" if r["inside"] else "tab:red"
            strong = grade.get(r.name, "") in ("A", "B")
            ax.errorbar(
                [r["published"]],
                [r["modelled"]],
                xerr=[r["tolerance"]],
                fmt="v" if bound.get(r.name, "") == "upper" else "o",
                color=colour,
                markerfacecolor=colour if strong else "white",
                capsize=3,
            )
            ax.annotate(
                f"{r['origin']}→{r['destination']} {str(r['as_of'])[:4]}",
                (r["published"], r["modelled"]),
                fontsize=7,
                xytext=(4, 3),
                textcoords="offset points",
            )
        values = np.r_[g["published"].to_numpy(dtype=float), g["modelled"].to_numpy(dtype=float)]
        hi = float(np.nanmax(values)) * 1.15 if values.size else 1.0
        lo = 0.0
        if values.size and float(np.nanmin(values)) > 0 and hi / float(np.nanmin(values)) > 10:
            lo = float(np.nanmin(values)) / 1.3  # a wide range: log axes, so short trips do not pile up
            from matplotlib.ticker import FixedFormatter, FixedLocator, NullLocator

            ticks = [t for t in (10, 15, 20, 30, 45, 60, 90, 120, 180, 240, 360, 540, 720) if lo <= t <= hi]
            ax.set_xscale("log")
            ax.set_yscale("log")
            for axis in (ax.xaxis, ax.yaxis):
                axis.set_major_locator(FixedLocator(ticks))
                axis.set_major_formatter(FixedFormatter([str(t) for t in ticks]))
                axis.set_minor_locator(NullLocator())
        ax.plot([lo, hi], [lo, hi], color="0.4", lw=1)
        ax.set_xlim(lo, hi)
        ax.set_ylim(lo, hi)
        ax.set_xlabel(f"published ({measure})")
        ax.set_ylabel(f"modelled ({measure})")
        inside = int(g["inside"].sum())
        ax.set_title(f"{measure}: {inside} of {len(g) + len(missing)} inside tolerance")
        if len(missing):
            names = "; ".join(f"{r['origin']}→{r['destination']}" for _, r in missing.iterrows())
            ax.text(0.02, -0.16, f"not routable: {names}", transform=ax.transAxes, fontsize=7, color="tab:red")
        handles = [
            plt.Line2D([], [], color="0.4", lw=1, label="model = published"),
            plt.Line2D([], [], marker="o", ls="", color="tab:green", label="inside tolerance"),
            plt.Line2D([], [], marker="o", ls="", color="tab:red", label="outside"),
            plt.Line2D([], [], marker="o", ls="", color="0.3", markerfacecolor="white", label="grade C (context)"),
            plt.Line2D([], [], marker="v", ls="", color="0.3", label="upper bound"),
        ]
        ax.legend(handles=handles, fontsize=7, loc="upper left")
    for ax in axes[0]:
        ax.set_aspect("equal")
    return _png(fig, warnings)


def gain_per_cost_png(ranking: pd.DataFrame, warnings: Sequence[str] = ()) -> bytes:
    """Access bought per 亿元 against who gets it: one point per scenario with a cost, x =
    person-minutes gained per 亿元 (to the main and served targets) with its p10-p90 band over the
    cost range, y = the share of that gain going to the worse-served half of the population
    (:func:`network.analysis.costs.person_minutes`; 0.5 = in proportion to people). Scenarios
    without a cost are listed, not drawn."""
    plt = _plt()
    have = ranking[np.isfinite(ranking["person_min_per_100m_yuan"].to_numpy(dtype=float))]
    without = ranking.loc[~ranking.index.isin(have.index), "scenario"].tolist()
    fig, ax = plt.subplots(figsize=(8.5, 5.5))
    if len(have):
        x = have["person_min_per_100m_yuan"].to_numpy(dtype=float) / 1e6
        lo = have["person_min_per_100m_yuan_p10"].to_numpy(dtype=float) / 1e6
        hi = have["person_min_per_100m_yuan_p90"].to_numpy(dtype=float) / 1e6
        y = have["gain_share_worse_half"].to_numpy(dtype=float)
        ax.errorbar(x, y, xerr=[x - lo, hi - x], fmt="o", color="#08519c", ecolor="#9ecae1", capsize=3)
        for xi, yi, name in zip(x, y, have["scenario"]):
            ax.annotate(str(name), (xi, yi), fontsize=7, xytext=(4, 4), textcoords="offset points")
    ax.axhline(0.5, color="0.5", lw=0.7, ls="--")
    ax.text(ax.get_xlim()[1], 0.5, " in proportion to people", fontsize=7, va="bottom", ha="right", color="0.4")
    ax.set_ylim(-0.05, 1.05)
    ax.set_xlabel("million person-minutes gained per 亿元 (to the main and served targets; bar: p10-p90 of cost)")
    ax.set_ylabel("share of the gain to the worse-served half of the population")
    ax.set_title("Access bought per 亿元 and who gets it", fontsize=10)
    if without:
        shown = ", ".join(without[:12]) + (f" and {len(without) - 12} more" if len(without) > 12 else "")
        ax.text(0.0, -0.16, f"no cost, not drawn: {shown}", transform=ax.transAxes, fontsize=7, wrap=True)
    return _png(fig, warnings)
