"""Scenario changes of roads (new, upgraded) and closures of roads, lines and services."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from network.geo import haversine_km
from network.graph.road_layer import closed_road_attrs, road_speed_kph
from network.graph.timing import Rule, road_inputs, timed
from network.scenario.applier import MAX_CIRCUITY, ApplierBase, corridor_index
from network.scenario.load import LocatedChange


class RoadChanges(ApplierBase):
    """Scenario changes of roads (new, upgraded) and closures of roads, lines and services."""

    def add_road(self, lc: LocatedChange) -> None:
        """A new road through its waypoints, joined to the roads near each end."""
        ch, a = lc.change, self.a
        found = [self._point(w, lc, "waypoints", i) for i, w in enumerate(ch.waypoints)]
        if any(p is None for p in found) or self.problems:
            return
        pts = [p for p in found if p is not None]
        seg = np.array([float(haversine_km(p[0], p[1], q[0], q[1])) for p, q in zip(pts, pts[1:])])
        if (seg <= 0).any():
            self.problems.append(f"{lc.where('waypoints')}: waypoints: two consecutive waypoints are the same point")
            return
        if not ch.passenger:
            self.report.notes.append(
                f"{ch.id}: built for through freight; cars may use it too, so it is modelled as an open road"
            )
        chain = float(seg.sum())
        if ch.length_km and not chain * 0.98 <= ch.length_km <= chain * MAX_CIRCUITY:
            self.problems.append(
                f"{lc.where('length_km')}: length_km: {ch.length_km:g} km against a {chain:.1f} km "
                f"straight line through its waypoints; a road is at least that long and at most "
                f"{MAX_CIRCUITY:g} x it: check the length or the waypoints"
            )
            return
        lengths = seg / seg.sum() * ch.length_km if ch.length_km else seg * a.new_road_circuity
        self.report.built.append(
            {
                "card": lc.scenario,
                "id": ch.id,
                "kind": ch.road_class,
                "passenger": ch.passenger,
                "design_speed_kph": float(ch.design_speed_kph),
                "km": float(lengths.sum()),
                "points": [(p[0], p[1]) for p in pts],
            }
        )
        # an expressway at its design speed; any other new road at design x ordinary_road_speed_factor
        speed_class = "expressway" if ch.road_class == "expressway" else "national"
        speed = road_speed_kph(speed_class, ch.design_speed_kph, None, a)
        nodes = []
        for k, p in enumerate(pts):
            node = f"rs:{ch.id}:{k}"
            self.g.add_node(
                node,
                kind="road",
                lon=p[0],
                lat=p[1],
                name_zh=p[2],
                name_en=p[3],
                source=f"scenario {lc.file}",
            )
            self.b.connect(node, p[0], p[1], 0.0)
            nodes.append(node)
        attrs = {
            "mode": "road",
            "kind": "link",
            "road_class": ch.road_class,
            "ref": ch.ref,
            "name_zh": ch.name_zh,
            "name_en": ch.name_en,
            "corridor_id": ch.id,
            "lanes": ch.lanes,
            "opened": str(ch.opened),
            "speed_kph": speed,
            "source": f"scenario {lc.file}",
        }
        for (x, y), km in zip(zip(nodes, nodes[1:]), lengths.tolist()):
            for u, v in ((x, y), (y, x)):
                self.g.add_edge(
                    u,
                    v,
                    key=f"corridor:{ch.id}",
                    **attrs,
                    **timed(
                        Rule.ROAD_LAYER,
                        a,
                        **road_inputs(km, 0.0, speed_class, ch.design_speed_kph),
                        circuity_built=None if ch.length_km else a.new_road_circuity,  # km from new_road_circuity
                    ),
                )
        # a later change of the composition (a widening, a closure) can name the new road
        self.corridors.add([ch.id, ch.name_zh, ch.name_en, ch.ref], [ch.id])

    def _corridor_edges(self, name: str, lc: LocatedChange, field_name: str) -> list[tuple[str, str, Any]]:
        ids = self.corridors.get(name, f"{lc.where(field_name)}: {field_name}", self.problems)
        if ids is None:
            return []
        wanted = set(ids)
        # the base network's edges by corridor (indexed once per network), then this scenario's own
        base = [k for cid in ids for k in corridor_index(self.net).get(cid, []) if self.g.has_edge(*k)]
        added = [e for e in dict.fromkeys(self.g.new_edges) if self.g.has_edge(*e) and not self.net.graph.has_edge(*e)]
        keys = [k for k in base if self.g.edges[k].get("corridor_id") in wanted]
        keys += [k for k in added if self.g.edges[k].get("corridor_id") in wanted]
        if not keys:
            self.problems.append(
                f"{lc.where(field_name)}: {field_name}: corridor {name!r} is not open on "
                f"{self.as_of} in this network, so it cannot be changed; check its opening year"
            )
        return keys

    def upgrade_road(self, lc: LocatedChange) -> None:
        """A corridor's links at a new design speed (lanes are recorded only: no congestion)."""
        ch, a = lc.change, self.a
        keys = self._corridor_edges(ch.corridor, lc, "corridor")
        for key in keys:
            d = self.g.edges[key]
            attrs: dict[str, Any] = {"lanes": ch.lanes} if ch.lanes else {}
            if ch.design_speed_kph:
                cls = (
                    d.get("road_class")
                    if d.get("road_class") in ("expressway", "national", "provincial")
                    else "expressway"
                )
                speed = road_speed_kph(cls, ch.design_speed_kph, None, a)
                if speed > d.get("speed_kph", 0):
                    attrs.update(
                        speed_kph=speed,
                        design_speed_kph=ch.design_speed_kph,
                        **timed(
                            Rule.ROAD_LAYER,
                            a,
                            **road_inputs(
                                d["length_km"],
                                float(d.get("urban_km", 0.0)),
                                cls,
                                ch.design_speed_kph,
                            ),
                        ),
                    )
            self._record_change(key, **attrs)
        if keys and ch.design_speed_kph is None:
            self.report.notes.append(
                f"{ch.corridor}: widening only (lanes {ch.lanes}); free-flow speeds have "
                "no congestion, so the model shows no time change from capacity"
            )

    def close(self, lc: LocatedChange) -> None:
        """A corridor, a line (or a section of it) or a service closed."""
        ch, a = lc.change, self.a
        if ch.what == "corridor":
            ids = self.corridors.get(ch.name, f"{lc.where('name')}: name", self.problems)
            if ids is None:
                return
            closed = set(ids)
            scale = self.g.graph.get("corridor_length_scale", {})
            records = {
                c.corridor_id: replace(c, length_scale=float(scale.get(c.corridor_id, 1.0)))
                for c in self.net.data.corridors
            }
            keys = [
                (u, v, k)
                for u, v, k, d in self.g.edges(keys=True, data=True)
                if d.get("corridor_id") in closed or closed & set(str(d.get("owners") or "").split(","))
            ]
            if not keys:
                self.problems.append(
                    f"{lc.where('name')}: name: corridor {ch.name!r} is not open on {self.as_of} "
                    "in this network, so it cannot be closed; check its opening year"
                )
            for key in keys:
                d = self.g.edges[key]
                if str(key[2]).startswith("corridor:") or "geometry_km" not in d:
                    self._remove(key)  # its own link (or a road of a network built from OSM)
                    continue
                attrs = closed_road_attrs(d, closed, records, self.as_of, a)
                if attrs is None:  # a new alignment: without it the edge did not exist
                    self._remove(key)
                else:  # the older road, or the next corridor on the same geometry, takes over
                    for gone in ("ref", "name_zh", "name_en", "corridor_id", "opened", "lanes", "replaced_later_by"):
                        if gone not in attrs and gone in d:
                            attrs[gone] = None
                    self._record_change(key, closed_corridor=",".join(sorted(closed)), **attrs)
        elif ch.what == "road":
            for key in self._road_edges(ch.name, lc):
                self._remove(key)
        elif ch.what == "line":
            lid = self.line_names.get(ch.name, f"{lc.where('name')}: name", self.problems)
            if lid is None:
                return
            ids = [s.station for s in self.lines[lid].stations]
            lo, hi = 0, len(ids) - 1
            if ch.between:
                ends = [self._station_id(n, lc, "between", i) for i, n in enumerate(ch.between)]
                if None in ends:
                    return
                bad = [e for e in ends if e not in ids]
                if bad:
                    self.problems.append(f"{lc.where('between')}: between: {bad} not on line {lid!r}")
                    return
                lo, hi = sorted(ids.index(e) for e in ends)
            for u, v, k, d in list(self.g.edges(keys=True, data=True)):
                if d.get("line_id") == lid and d["kind"] == "ride":
                    i0, i1 = sorted(
                        (ids.index(self.g.nodes[u]["station_id"]), ids.index(self.g.nodes[v]["station_id"]))
                    )
                    if i0 < hi and i1 > lo:  # the ride overlaps the closed section
                        self._remove((u, v, k))
        elif ch.what == "service":
            sid = self.services.get(ch.name, f"{lc.where('name')}: name", self.problems)
            for u, v, k, d in list(self.g.edges(keys=True, data=True)):
                if sid is not None and d.get("service_id") == sid:
                    self._remove((u, v, k))

    def _road_edges(self, name: str, lc: LocatedChange) -> list[tuple[str, str, Any]]:
        keys = [
            (u, v, k)
            for u, v, k, d in self.g.edges(keys=True, data=True)
            if d.get("corridor_id") == name and str(k).startswith("corridor:")
        ]
        if not keys:
            self.problems.append(
                f"{lc.where('name')}: name: no road {name!r} added by a scenario is open on "
                f"{self.as_of}; to close a curated expressway use what: corridor"
            )
        return keys
