"""Shared waits where several services serve the same two stations in turn.

A line often carries a mix of stopping patterns: on 京广高铁 about 84 trains a day passed
鹤壁东 in 2012 and 30 of them stopped there; on 郑太 one published train a day calls at 焦作 and
晋城东 only. Each pattern is its own service in the graph (its own wait, ride and dwells:
:meth:`network.graph.build.GraphBuilder.add_calls`). A traveller from 郑州东 to 安阳东 does not
wait for one pattern, though: any train that calls at both will do. This module adds, for every
ordered pair of stations (s, t) that two or more services of one mode (``hsr``, or conventional
``rail``) serve in that order, whatever line they are booked on, the strategy of boarding the first
of them (the *optimal strategies* of Spiess & Florian, 1989, for lines common to an origin and a
destination):

- the wait at s comes from the combined headway of the services that call at both,
  ``1 / sum(1 / headway_i)`` (timed by the ``wait`` rule, so its cap and draws apply);
- the ride is the frequency-weighted mean of their rides from s to t, each the sum of that
  service's own ride and dwell edges (timed by the ``rail_mix`` rule from those edges, so it
  follows any re-timing of them and never holds a time of its own).

Conventional trains and high-speed trains are not mixed: their rides differ too much for a
traveller to take whichever comes first. The per-service paths stay, so a traveller may still
wait for one pattern (a rare fast train, whose wait ``wait_cap_min`` bounds), and the search takes
whichever is quicker: the strategy never makes a trip slower. Its nodes are
``mixdep:<mode>:<s>:<t>`` and ``mixarr:<mode>:<s>:<t>``; its ride's ``service_id`` is
``any:<mode>``, ``line_id`` the first line among them and ``name_zh`` their lines' names.

:func:`sync_service_mixes` derives all of this from the graph's own service chains, so it runs
after a build and again after a scenario changes services (only the pairs that differ are
replaced).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

import networkx as nx

from network.graph.timing import Rule, timed

#: the modes whose services share waits (coaches each keep their own road path and are left out)
MIX_MODES = ("hsr", "rail")
MIX_PREFIX = "any:"

EdgeKey = tuple[str, str, Any]


def _chains(graph: nx.MultiDiGraph) -> list[dict[str, Any]]:
    """Every chain of calls of a rail service direction: its line and, for each call in order,
    ``(station, headway there, the edges from the first departure to the arrival there)``; the
    edges run ride, dwell, ride, … (the last call has no departure, so no headway: NaN)."""
    chains = []
    concourses = [n for n in graph.nodes if isinstance(n, str) and n.startswith("inside:")]
    waits = [(v, d) for n in concourses for _, v, d in graph.out_edges(n, data=True) if d.get("kind") == "wait"]
    for v, d in waits:
        if d.get("mode") not in MIX_MODES or not str(v).startswith("dep:"):
            continue
        if any(dd.get("kind") == "dwell" for _, _, dd in graph.in_edges(v, data=True)):
            continue  # not the first call of its chain
        calls: list[tuple[str, float, list[EdgeKey]]] = [
            (str(graph.nodes[v]["station_id"]), float(d["headway_min"]), [])
        ]
        path: list[EdgeKey] = []
        node, seen = v, {v}
        while True:
            ride = next((e for e in graph.out_edges(node, keys=True, data="kind") if e[3] == "ride"), None)
            if ride is None:
                break
            path.append(ride[:3])
            arr = ride[1]
            dwell = next((e for e in graph.out_edges(arr, keys=True, data="kind") if e[3] == "dwell"), None)
            nxt = dwell[1] if dwell is not None else None
            wait = None
            if nxt is not None:
                wait = next((dd for _, _, dd in graph.in_edges(nxt, data=True) if dd.get("kind") == "wait"), None)
            headway = float(wait["headway_min"]) if wait is not None else float("nan")
            calls.append((str(graph.nodes[arr]["station_id"]), headway, list(path)))
            if dwell is None or nxt in seen:
                break
            path.append(dwell[:3])
            node = nxt
            seen.add(node)
        chains.append(
            {
                "line_id": str(d.get("line_id", "")),
                "service_id": str(d.get("service_id", "")),
                "mode": str(d["mode"]),
                "dep": v,
                "calls": calls,
                "name_zh": d.get("name_zh"),
            }
        )
    return sorted(chains, key=lambda c: (c["line_id"], c["service_id"], c["dep"]))


def wanted_mixes(graph: nx.MultiDiGraph) -> dict[tuple[str, str, str], dict[str, Any]]:
    """The shared-wait strategies the services of ``graph`` call for, by (mode, s, t): the
    combined headway and, per service, its weight and the edges of its ride from s to t."""
    by_pair: dict[tuple[str, str, str], list[tuple[str, float, list[EdgeKey], str]]] = defaultdict(list)
    name_of_line: dict[str, Any] = {}
    chains = _chains(graph)
    for chain in chains:
        name_of_line.setdefault(chain["line_id"], chain["name_zh"])
    for chain in chains:
        calls = chain["calls"]
        for i, (s, h, upto_s) in enumerate(calls[:-1]):
            if not h == h:  # no wait there (the chain's last call)
                continue
            for t, _, upto_t in calls[i + 1 :]:
                # from the departure at s: drop the edges up to the arrival at s and the dwell there
                ride = upto_t[len(upto_s) :]
                if ride and ride[0][0].startswith("arr:"):
                    ride = ride[1:]
                by_pair[(chain["mode"], s, t)].append((chain["service_id"], h, ride, chain["line_id"]))
    out: dict[tuple[str, str, str], dict[str, Any]] = {}
    for (mode, s, t), options in sorted(by_pair.items()):
        best: dict[str, tuple[float, list[EdgeKey]]] = {}
        lines: dict[str, None] = {}
        for sid, h, ride, line in options:  # one option per service (its first chain serving the pair)
            best.setdefault(sid, (h, ride))
            lines[line] = None
        if len(best) < 2:
            continue
        freq = {sid: 1.0 / h for sid, (h, _) in best.items()}
        total = sum(freq.values())
        path: list[EdgeKey] = []
        weight: list[float] = []
        for sid in sorted(best):
            for e in best[sid][1]:
                path.append(e)
                weight.append(freq[sid] / total)
        out[(mode, s, t)] = {
            "headway_min": 1.0 / total,
            "services": sorted(best),
            "mix_path": path,
            "mix_weight": weight,
            "lines": list(lines),
            "name_zh": " / ".join(dict.fromkeys(str(name_of_line[ln]) for ln in lines)),
        }
    return out


def _node_ids(mode: str, s: str, t: str) -> tuple[str, str]:
    return f"mixdep:{mode}:{s}:{t}", f"mixarr:{mode}:{s}:{t}"


def sync_service_mixes(
    graph: nx.MultiDiGraph, a: Any, remove_edge: Callable[[EdgeKey], None] | None = None
) -> list[EdgeKey]:
    """Make the shared-wait strategies of ``graph`` those its services call for: the edges of the
    ones no longer wanted, or changed, are removed (by ``remove_edge``, so a scenario reports
    them; its nodes stay, unconnected, to be reused), the new ones added. Returns the edges
    added (to be timed)."""
    remove = remove_edge or (lambda key: graph.remove_edge(*key))
    wanted = wanted_mixes(graph)
    have: list[tuple[str, str, str]] = []
    for n in graph.nodes:
        if str(n).startswith("mixdep:"):
            _, mode, s, t = str(n).split(":")
            have.append((mode, s, t))
    added: list[EdgeKey] = []
    for key in sorted(have):
        dep, arr = _node_ids(*key)
        spec = wanted.get(key)
        edges = [e[:3] for n in (dep, arr) for e in graph.in_edges(n, keys=True)]
        edges += [e[:3] for e in graph.out_edges(arr, keys=True)]
        if not edges:
            continue  # removed before: added again below if wanted
        ride: dict[str, Any] = next((graph.edges[e] for e in edges if e[0] == dep), {})
        wait: dict[str, Any] = next((graph.edges[e] for e in edges if e[1] == dep), {})
        if (
            spec is not None
            and ride.get("mix_path") == spec["mix_path"]
            and ride.get("mix_weight") == spec["mix_weight"]
            and wait.get("headway_min") == spec["headway_min"]
        ):
            del wanted[key]  # as it is
            continue
        for e in dict.fromkeys(edges):
            remove(e)
    for (mode, s, t), spec in wanted.items():
        added.extend(_add_mix(graph, mode, s, t, spec, a))
    return added


def mixes_of(graph: nx.MultiDiGraph, edges: Iterable[EdgeKey]) -> list[EdgeKey]:
    """The shared-wait rides of ``graph`` that average any of ``edges`` (to be re-timed with them)."""
    keys = {tuple(e) for e in edges}
    deps = [n for n in graph.nodes if isinstance(n, str) and n.startswith("mixdep:")]
    return [
        (u, v, k)
        for n in deps
        for u, v, k, path in graph.out_edges(n, keys=True, data="mix_path")
        if path is not None and any(tuple(e) in keys for e in path)
    ]


def _add_mix(graph: nx.MultiDiGraph, mode: str, s: str, t: str, spec: dict[str, Any], a: Any) -> list[EdgeKey]:
    dep, arr = _node_ids(mode, s, t)
    n = len(spec["services"])
    info = {
        "line_id": spec["lines"][0],
        "service_id": f"{MIX_PREFIX}{mode}",
        "name_zh": spec["name_zh"],
        "name_en": f"the first of {n} services calling at both stops",
    }
    for node, kind, st in ((dep, "stop_dep", s), (arr, "stop_arr", t)):
        if graph.has_node(node):
            continue
        sd = graph.nodes[f"station:{st}"]
        graph.add_node(
            node, kind=kind, lon=sd["lon"], lat=sd["lat"], name_zh=sd.get("name_zh"), name_en=sd.get("name_en"),
            station_id=st, service_id=info["service_id"],
        )  # fmt: skip
    edges = graph.edges
    members = [edges[e] for e in spec["mix_path"]]
    geometry: list[Any] = []
    first = spec["mix_path"][0][0].split(":")[1] if spec["mix_path"] else ""
    for e, d in zip(spec["mix_path"], members):
        if e[0].split(":")[1] == first and d.get("geometry"):
            geometry.extend(d["geometry"] if not geometry else d["geometry"][1:])
    length = sum(w * float(d.get("length_km") or 0.0) for w, d in zip(spec["mix_weight"], members))
    source = (
        f"wait from the combined headway of {', '.join(spec['services'])} (1 / sum of 1/headway); ride their "
        "frequency-weighted mean (optimal strategies, Spiess & Florian 1989)"
    )
    keys = [
        (f"inside:{s}", dep, graph.add_edge(
            f"inside:{s}", dep, mode=mode, kind="wait", length_km=0.0, **info, source=source,
            **timed(Rule.WAIT, a, headway_min=spec["headway_min"]),
        )),
        (dep, arr, graph.add_edge(
            dep, arr, mode=mode, kind="ride", length_km=length, geometry=geometry, **info, source=source,
            **timed(Rule.RAIL_MIX, a, mix_path=spec["mix_path"], mix_weight=spec["mix_weight"]),
        )),
        (arr, f"station:{t}", graph.add_edge(
            arr, f"station:{t}", mode="station", kind="egress", length_km=0.0,
            source="assumption station_egress_min", **timed(Rule.EGRESS, a),
        )),
        (arr, f"inside:{t}", graph.add_edge(
            arr, f"inside:{t}", mode="station", kind="transfer", length_km=0.0,
            source="assumption transfer_min", **timed(Rule.TRANSFER, a),
        )),
    ]  # fmt: skip
    return keys
