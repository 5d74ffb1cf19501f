"""Scenario changes of railways: new lines, new services, changed services."""

from __future__ import annotations

import difflib
from dataclasses import replace
from typing import Any

import numpy as np

from network.geo import haversine_km
from network.graph.build import line_km_posts
from network.graph.timing import Rule, timed
from network.scenario.applier import MAX_CIRCUITY, ApplierBase
from network.scenario.load import LocatedChange
from network.sources.records import Line, LineStop, Service
from network.yamlio import dotted


class RailChanges(ApplierBase):
    """Scenario changes of railways: new lines, new services, changed services."""

    def add_rail_line(self, lc: LocatedChange) -> None:
        """A new railway: its stations (existing or new), km posts, section run times and services."""
        ch, a = lc.change, self.a
        ids: list[str] = []
        via: list[list[tuple[float, float]]] = []
        for i, stop in enumerate(ch.stations):
            sid = self._station_id(stop, lc, "stations", i)
            if sid is not None:
                ids.append(sid)
                via.append([tuple(p) for p in getattr(stop, "via", [])])
        if len(ids) != len(ch.stations) or self.problems:
            return
        if len(set(ids)) != len(ids):
            self.problems.append(f"{lc.where('stations')}: stations: a station appears twice on line {ch.id!r}")
            return
        pos = [(self.b.stations[s].lon, self.b.stations[s].lat) for s in ids]
        polylines = [[pos[i], *via[i], pos[i + 1]] for i in range(len(ids) - 1)]
        straight = np.array(
            [sum(float(haversine_km(p[0], p[1], q[0], q[1])) for p, q in zip(pl, pl[1:])) for pl in polylines]
        )
        if ch.length_km:
            chain = float(straight.sum())
            if ch.length_km < chain * 0.98:  # 2 % for station positions placed to about a km
                self.problems.append(
                    f"{lc.where('length_km')}: length_km: {ch.length_km:g} km is shorter than the "
                    f"{chain:.1f} km straight line through its stations; give the route length"
                )
                return
            if ch.length_km > chain * MAX_CIRCUITY:
                self.problems.append(
                    f"{lc.where('length_km')}: length_km: {ch.length_km:g} km is more than "
                    f"{MAX_CIRCUITY:g} x the {chain:.1f} km straight line through its stations; "
                    "check the length or the stations"
                )
                return
            sections = straight / straight.sum() * ch.length_km
        else:
            sections = straight * (ch.circuity or a.new_rail_circuity)
        km = np.concatenate([[0.0], np.cumsum(sections)])
        self.report.built.append(
            {
                "card": lc.scenario,
                "id": ch.id,
                "kind": ch.mode,
                "passenger": ch.passenger,
                "design_speed_kph": float(ch.design_speed_kph),
                "km": float(km[-1]),
                "points": [p for pl in polylines for p in pl[:-1]] + [pos[-1]],
            }
        )
        speed = (ch.operating_speed_kph or ch.design_speed_kph) * a.new_line_speed_factor
        line = Line(
            line_id=ch.id,
            name_zh=ch.name_zh,
            name_en=ch.name_en,
            mode=ch.mode,
            source=f"scenario {lc.file}",
            stations=tuple(
                LineStop(
                    station=s,
                    km=float(k),
                    speed_kph_to_next=speed if i < len(ids) - 1 else None,
                    new_section=True,  # speeds carry new_line_speed_factor (network/graph/timing.py)
                    circuity_section=not ch.length_km and not ch.circuity,  # km from new_rail_circuity
                )
                for i, (s, k) in enumerate(zip(ids, km))
            ),
        )
        self.lines[ch.id] = line
        self.line_names.add([ch.id, ch.name_zh, ch.name_en], ch.id)
        for i, pl in enumerate(polylines):
            self.b.section_geometry[(ch.id, i)] = [(float(x), float(y)) for x, y in pl]
        if not ch.passenger:
            self.report.notes.append(
                f"{ch.id}: freight-only line; it carries no passengers, so passenger "
                "accessibility is not what it changes"
            )
            return
        for j, svc in enumerate(ch.services):
            if svc.continues_on is None:
                self._add_service(lc, line, svc.id, svc.stops, svc.headway_min, svc.name_en, ("services", j, "stops"))
                continue
            through = self._through_line(lc, line, svc, j)
            if through is not None:
                own = (
                    line.station_ids()
                    if svc.stops == "all"
                    else [self._station_id(n, lc, "services", j, "stops", k) for k, n in enumerate(svc.stops)]
                )
                if None in own:
                    return
                if len(own) < 2:
                    self.problems.append(
                        f"{lc.where('services', j, 'stops')}: services[{j}].stops: a service needs "
                        "at least two stops (or 'all')"
                    )
                    return
                if own[-1] != through.stations[len(line.stations) - 1].station:
                    own = own[::-1]
                extra = [
                    self._station_id(n, lc, "services", j, "continues_on", "stops", k)
                    for k, n in enumerate(svc.continues_on.stops)
                ]
                if None in extra:
                    return
                self._add_service(
                    lc,
                    through,
                    svc.id,
                    own + extra,
                    svc.headway_min,
                    svc.name_en,
                    ("services", j, "continues_on", "stops"),
                    by_id=True,
                )

    def _through_line(self, lc: LocatedChange, line: Line, svc: Any, j: int) -> Line | None:
        """A composite line: the new line, then the existing line from the junction (the new
        line's end station) towards the service's continuing stops."""
        loc = ("services", j, "continues_on")
        lid = self.line_names.get(svc.continues_on.line, f"{lc.where(*loc, 'line')}: continues_on.line", self.problems)
        if lid is None:
            return None
        other = self.lines[lid]
        o_ids = other.station_ids()
        n_ids = line.station_ids()
        stations = list(line.stations)
        if n_ids[0] in o_ids and n_ids[-1] not in o_ids:  # run the new line backwards to the junction
            total = stations[-1].km or 0.0
            stations = [
                replace(
                    s,
                    km=total - (s.km or 0.0),
                    speed_kph_to_next=None if k >= len(n_ids) - 1 else line.section_speed_kph(len(n_ids) - 2 - k),
                )
                for k, s in enumerate(stations[::-1])
            ]
        junction = stations[-1].station
        if junction not in o_ids:
            self.problems.append(
                f"{lc.where(*loc)}: continues_on: line {line.line_id!r} does not end at a station "
                f"of {lid!r} (its stations: {', '.join(o_ids)}); the junction must be an end station"
            )
            return None
        first = self._station_id(svc.continues_on.stops[0], lc, *loc, "stops", 0)
        if first is None or first not in o_ids:
            if first is not None:
                self.problems.append(f"{lc.where(*loc, 'stops')}: continues_on.stops[0]: not a station of {lid!r}")
            return None
        o_km = line_km_posts(other, self.b.stations)
        ji, fi = o_ids.index(junction), o_ids.index(first)
        step = 1 if fi > ji else -1
        base_km = stations[-1].km or 0.0
        out = list(stations[:-1])
        idx = list(range(ji, (len(o_ids) if step > 0 else -1), step))
        for n, i in enumerate(idx):
            nxt = i + step
            speed = None
            if n < len(idx) - 1:
                speed = other.stations[min(i, nxt)].speed_kph_to_next
            out.append(
                LineStop(
                    station=o_ids[i],
                    km=base_km + abs(o_km[i] - o_km[ji]),
                    speed_kph_to_next=speed,
                    opened_to_next=other.stations[min(i, nxt)].opened_to_next if n < len(idx) - 1 else None,
                )
            )
        return Line(
            line_id=f"{line.line_id}+{lid}",
            name_zh=line.name_zh,
            name_en=line.name_en,
            mode=line.mode,
            source=line.source,
            stations=tuple(out),
        )

    def _add_service(
        self,
        lc: LocatedChange,
        line: Line,
        sid: str,
        stops: Any,
        headway: float,
        name_en: str | None,
        loc: tuple[Any, ...],
        by_id: bool = False,
    ) -> None:
        ids = line.station_ids()
        if stops == "all":
            stop_ids = ids
        else:
            stop_ids = []
            for k, name in enumerate(stops):
                st = name if by_id else self._station_id(name, lc, *loc, k)
                if st is None:
                    return
                if st not in ids:
                    self.problems.append(
                        f"{lc.where(*loc, k)}: {dotted(loc)}[{k}]: station {name!r} "
                        f"is not on line {line.line_id!r} (its stations: {', '.join(ids)})"
                    )
                    continue
                stop_ids.append(st)
            order = [ids.index(s) for s in stop_ids]
            if order != sorted(order) and order != sorted(order, reverse=True):
                self.problems.append(f"{lc.where(*loc)}: {dotted(loc)}: stops must be in line order")
            if len(stop_ids) < 2:
                self.problems.append(f"{lc.where(*loc)}: {dotted(loc)}: a service needs two or more stops")
            if self.problems:
                return
            if order and order[0] > order[-1]:
                stop_ids = stop_ids[::-1]
        self.b.add_service(
            Service(service_id=sid, line=line.line_id, stops=tuple(stop_ids), headway_min=headway, name_en=name_en),
            line,
        )

    def add_service(self, lc: LocatedChange) -> None:
        """A new train service on an existing line (stops, headway, through running)."""
        ch = lc.change
        lid = self.line_names.get(ch.line, f"{lc.where('line')}: line", self.problems)
        if lid is None:
            return
        line = self.lines[lid]
        if line.passenger_until is not None and line.passenger_until <= self.as_of:
            self.report.notes.append(
                f"{ch.id}: restores passenger service on {line.name_zh} (freight only since {line.passenger_until})"
            )
        self._add_service(lc, line, ch.id, ch.stops, ch.headway_min, ch.name_en, ("stops",))

    def _change_coach(self, lc: LocatedChange) -> bool:
        """A coach service of the network (today's, data/coaches.yaml, or a scenario's) with another
        headway: its waits re-timed in place. False if no coach has that id."""
        ch, a = lc.change, self.a
        waits = [
            (u, v, k)
            for u, v, k, d in self.g.edges(keys=True, data=True)
            if d.get("service_id") == ch.service and d["kind"] == "wait" and d["mode"] == "bus"
        ]
        if not waits:
            return False
        if ch.stops is not None:
            self.problems.append(
                f"{lc.where('stops')}: stops: {ch.service!r} is a coach; its stops cannot be changed here: "
                "add the new route as an add_bus_service and close this one"
            )
            return True
        for key in waits:
            self._record_change(
                key,
                **timed(Rule.WAIT, a, headway_min=ch.headway_min),
            )
        return True

    def change_service(self, lc: LocatedChange) -> None:
        """An existing service with another headway or stopping pattern."""
        """Remove the service's edges and add it again with the new stops and/or headway."""
        ch = lc.change
        known = {s.service_id: s for s in self.net.data.services}
        svc = known.get(ch.service)
        if svc is None and self._change_coach(lc):
            return
        if svc is None:
            close = difflib.get_close_matches(ch.service, list(known), n=4, cutoff=0.5)
            hint = f"; did you mean {', '.join(map(repr, close))}?" if close else f"; known: {', '.join(sorted(known))}"
            self.problems.append(f"{lc.where('service')}: service: unknown service {ch.service!r}{hint}")
            return
        for u, v, k, d in list(self.g.edges(keys=True, data=True)):
            if d.get("service_id") == ch.service:
                self._remove((u, v, k))
        line = self.lines[svc.line]
        stops = ch.stops if ch.stops is not None else svc.stops
        self._add_service(
            lc,
            line,
            ch.service,
            stops,
            ch.headway_min or svc.headway_min,
            svc.name_en,
            ("stops",),
            by_id=ch.stops is None,
        )
