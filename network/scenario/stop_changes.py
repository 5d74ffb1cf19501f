"""Scenario changes at points: airports with their routes, coach services, freight facilities."""

from __future__ import annotations

from typing import Any

import numpy as np

from network.geo import haversine_km, to_local_xy_km
from network.graph.timing import Rule, timed
from network.routing.compile import compile_edges
from network.scenario.applier import MAX_BLOCK_SPEED_KPH, ApplierBase
from network.scenario.load import LocatedChange
from network.search import search, walk_back
from network.sources.records import Station


class StopChanges(ApplierBase):
    """Scenario changes at points: airports with their routes, coach services, freight facilities."""

    def add_airport(self, lc: LocatedChange) -> None:
        """A new airport with processing times, road access and its routes."""
        ch, a = lc.change, self.a
        self._check_in_region(ch.lon, ch.lat, lc, "lon")
        if not ch.passenger:
            self.report.notes.append(
                f"{ch.id}: general-aviation airfield without scheduled passenger "
                "service; it does not change passenger accessibility"
            )
            return
        self.b.add_airport(
            ch.id,
            ch.iata or ch.id.upper()[:3],
            ch.name_zh,
            ch.name_en,
            ch.lon,
            ch.lat,
            ch.departure_processing_min or None,
            ch.arrival_processing_min or None,
            f"scenario {lc.file}",
            external_outside=True,
        )
        self.airports.add([ch.id, ch.iata, ch.name_zh, ch.name_en], ch.id)
        for j, r in enumerate(ch.routes):
            if isinstance(r.to, str):
                to = self.airports.get(r.to, f"{lc.where('routes', j, 'to')}: routes[{j}].to", self.problems)
                if to is None:
                    continue
            else:
                to = r.to.iata.lower()
                if f"airport:{to}" not in self.g:
                    self.b.add_airport(
                        to,
                        r.to.iata,
                        r.to.name_zh,
                        r.to.name_en,
                        r.to.lon,
                        r.to.lat,
                        None,
                        None,
                        f"scenario {lc.file}",
                        external_outside=True,
                    )
            for x, y in ((ch.id, to), (to, ch.id)):
                sid = f"air-{ch.id}-{x}-{y}"
                dep = f"dep:{sid}:1:{x}"
                xd = self.g.nodes[f"airport:{x}"]
                self.g.add_node(
                    dep,
                    kind="stop_dep",
                    lon=xd["lon"],
                    lat=xd["lat"],
                    name_zh=xd["name_zh"],
                    name_en=xd["name_en"],
                    service_id=sid,
                )
                info = {
                    "mode": "air",
                    "service_id": sid,
                    "name_zh": f"{xd['name_zh']} 航线",
                    "name_en": "flight",
                    "source": f"scenario {lc.file}",
                }
                self.g.add_edge(
                    f"airside:{x}",
                    dep,
                    kind="wait",
                    length_km=0.0,
                    **info,
                    **timed(Rule.WAIT, a, headway_min=r.headway_min),
                )
                yd = self.g.nodes[f"airport:{y}"]
                km = float(haversine_km(xd["lon"], xd["lat"], yd["lon"], yd["lat"]))
                if km / (r.block_min / 60.0) > MAX_BLOCK_SPEED_KPH:
                    self.problems.append(
                        f"{lc.where('routes', j, 'block_min')}: routes[{j}].block_min: "
                        f"{r.block_min:g} min for {km:.0f} km is {km / (r.block_min / 60.0):.0f} km/h "
                        f"gate to gate, faster than an airliner ({MAX_BLOCK_SPEED_KPH:g} km/h); "
                        "give the scheduled block time"
                    )
                    return
                self.g.add_edge(
                    dep,
                    f"airside:{y}",
                    kind="ride",
                    length_km=float(haversine_km(xd["lon"], xd["lat"], yd["lon"], yd["lat"])),
                    **info,
                    **timed(Rule.FIXED, a, fixed_min=r.block_min, time_reason="the route's scheduled block time"),
                )

    def add_bus_service(self, lc: LocatedChange) -> None:
        """An intercity coach along the roads between its stops, at coach speeds."""
        ch, a = lc.change, self.a
        found = [self._point(s, lc, "stops", i) for i, s in enumerate(ch.stops)]
        if any(p is None for p in found) or self.problems:
            return
        pts = [p for p in found if p is not None]
        road = compile_edges(self.net.edge_table, "road")
        xy = to_local_xy_km([p[0] for p in pts], [p[1] for p in pts], self.b.lat0)
        _, near = self.b.nearest_access(xy)
        rows = [road.index[f"r{int(j)}"] for j in near]
        dist, pred = search(road.matrix, rows[:-1], predecessors=True)
        seg_path: list[list[tuple[str, str, Any]]] = []
        seg_km, seg_geom = [], []
        for k in range(len(rows) - 1):
            if not np.isfinite(dist[k, rows[k + 1]]):
                self.problems.append(f"{lc.where('stops', k + 1)}: stops[{k + 1}]: no road from the previous stop")
                return
            nodes = walk_back(pred[k], rows[k + 1], source=rows[k]) or []
            path = [road.edges.keys[road.edge_between(prev, node)] for prev, node in zip(nodes, nodes[1:])]
            seg_path.append(path)
            seg_km.append(sum(self.g.edges[e]["length_km"] for e in path))
            seg_geom.append([(float(road.edges.lon[n]), float(road.edges.lat[n])) for n in nodes])
        stop_ids = []
        for k, p in enumerate(pts):
            sid = f"bus-{ch.id}-{k}"
            self.b.stations[sid] = Station(
                station_id=sid,
                name_zh=f"{p[2]}汽车站",  # a coach station at the named place
                name_en=f"{p[3]} coach station",
                lon=p[0],
                lat=p[1],
                scenario=lc.scenario,
                position_source="at the named place (scenario)",
            )
            self.b.ensure_station(sid, bus_stop=True)
            stop_ids.append(sid)
        info = {
            "mode": "bus",
            "service_id": ch.id,
            "name_zh": ch.name_zh,
            "name_en": ch.name_en,
            "source": f"scenario {lc.file}",
        }
        mode = info.pop("mode")
        for direction, seq in ((1, list(range(len(stop_ids)))), (-1, list(range(len(stop_ids)))[::-1])):

            def ride(n: int, seq: list[int] = seq, direction: int = direction) -> dict[str, Any]:
                seg = min(seq[n - 1], seq[n])
                return {
                    "length_km": seg_km[seg],
                    "geometry": seg_geom[seg] if direction == 1 else seg_geom[seg][::-1],  # the roads it drives
                    **timed(Rule.COACH, a, coach_path=seg_path[seg]),
                }

            self.b.add_calls(
                ch.id, direction, [stop_ids[k] for k in seq], mode, info, ch.headway_min, ride, transfer=False
            )

    def add_freight_facility(self, lc: LocatedChange) -> None:
        """A freight facility: recorded with a note (it carries no passengers)."""
        self.report.notes.append(
            f"{lc.change.id}: freight facility; it carries no passengers, so passenger "
            "accessibility is not what it changes"
        )
