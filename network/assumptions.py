"""Every modelling constant of the door-to-door model, in one place, with its source or reasoning.

An :class:`Assumptions` object is passed explicitly to every stage that needs one (no global
settings). Override any value with :meth:`Assumptions.replace` or, from the command line, with
``--assume name=value``. :func:`describe_assumptions` lists them all for reports.

Each field carries ``source`` (a citation or the reasoning) and ``low``/``high`` (a plausible
range, used by the uncertainty draws of a later stage and printed with results). Values without a
published source are marked ``assumed`` in their source text; those are the numbers a reader
should question first.

Units are in the names: ``_kph`` km/h, ``_min`` minutes, ``_mps2`` m/s², dimensionless factors
have none.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from network.errors import AssumptionError


def _a(value: float, low: float, high: float, source: str, drawn: bool = True) -> Any:
    """A constant with its plausible range and source. ``drawn=False``: a rule that shapes the
    network itself (which nodes join, which corridor matches), so the uncertainty draws, which
    re-time a built network, do not vary it; its range still bounds ``--assume``."""
    return field(default=value, metadata={"low": low, "high": high, "source": source, "drawn": drawn})


@dataclass(frozen=True)
class Assumptions:
    """The constants of the door-to-door model (see the module docstring)."""

    # --- roads --------------------------------------------------------------------------------
    unclassified_road_speed_kph: float = _a(
        55.0,
        45.0,
        65.0,
        "assumed: free-flow car speed on road geometry that no curated corridor claims (class "
        "'other'). The embedded geometry is OpenStreetMap's main roads (trunk and primary: national "
        "and provincial roads) without refs; the curated national roads run at 80 x 0.8 = 64 and "
        "provincial at 60 x 0.8 = 48 km/h, so an uncurated main road is put between them",
    )
    national_design_speed_kph: float = _a(
        80.0,
        60.0,
        100.0,
        "design speed of a national road (国道) whose own is not published: JTG B01-2014 table 3.6.1 "
        "gives class-1 highways 100/80/60 and class-2 80/60 km/h; the region's published national-road "
        "sections are 80 (G207 晋城过境 一级) and 100 (G234 焦作-荥阳 一级), with 二级 mountain sections "
        "lower (FACTS.md section 2)",
    )
    provincial_design_speed_kph: float = _a(
        60.0,
        40.0,
        80.0,
        "design speed of a provincial road (省道) whose own is not published: JTG B01-2014 class-2 "
        "design speeds 80/60 km/h, class-3 40/30; most provincial roads of this hilly region are class 2",
    )
    expressway_default_design_speed_kph: float = _a(
        80.0,
        80.0,
        100.0,
        "design speed of an expressway whose own is not published: 80 km/h, the speed of every "
        "published mountain expressway of the region (济阳 80, 高沁 80, 运三 link 80; FACTS.md); "
        "JTG B01-2014 allows 80-120",
    )
    hilly_road_speed_factor: float = _a(
        0.83,
        0.75,
        0.95,
        "speed of a road in hilly terrain (重丘) over the same road on the plain, for the national, "
        "provincial and other roads whose design speed is not published (a published one already "
        "holds its terrain): 100/120, the ratio of 新晋高速's design speeds by setting (重丘 100, 平原微丘 "
        "120; FACTS.md section 7b); range: 0.75 (JTG's class-2 60/80, weak) to 0.95",
    )
    mountain_road_speed_factor: float = _a(
        0.67,
        0.5,
        0.8,
        "the same in mountain terrain (山岭): 80/120, 新晋高速's 山岭 over its 平原微丘 design speed "
        "(FACTS.md section 7b); Shanxi's new 二级 mountain roads are designed at 60 against the 80 of a "
        "plain national road (0.75; FACTS.md section 8.1), an other road at 55 x 0.67 = 37 km/h sits "
        "near the 40 km/h the 实施条例 §45 sets on roads without a centre line; range down to 0.5 for "
        "§46's 30 km/h on steep descents and sharp bends (30/55 = 0.55)",
    )
    terrain_hilly_relief_m: float = _a(
        100.0,
        70.0,
        150.0,
        "relief (m) from which the ground around a road is hilly, not plain (network/sources/terrain.py: "
        "highest less lowest height within half a 5' cell): FACTS.md section 7b measures plain cells "
        "below 100 m; on this stencil the plain cities read 0-67 m and the plateau seats 42-109 m. It "
        "sorts the road layer, so the draws do not vary it",
        drawn=False,
    )
    terrain_mountain_relief_m: float = _a(
        250.0,
        180.0,
        350.0,
        "relief (m) from which the ground is mountain: the escarpment between the 晋城/陵川 plateau and "
        "the plain reads 185-410 m on this stencil (G207's descent 261, 王屋山 303, 新晋 408), the plateau "
        "at most 109 m; 250 m over about 9 km is a mean grade near 3 %, with the steep pitches between "
        "(network/sources/terrain.py). It sorts the road layer, so the draws do not vary it",
        drawn=False,
    )
    steep_road_grade_pct: float = _a(
        3.0,
        2.0,
        5.0,
        "mean grade (%) from which a road is steep: the height between its ends over its length on the "
        "5' grid (network/sources/terrain.py). The grid smooths the ground over about 9 km, so 3 % there "
        "is a climb sustained for kilometres, with steeper pitches and bends between (JTG's maximum "
        "grades for class-3/4 mountain roads are 8-9 %; the escarpment's 600-1300 m within one to three "
        "cells is 3-7 %); measured on the road layer: the median mountain edge 2.7 %, the 95th percentile "
        "of hilly edges 2.7 %, plain edges under 1.3 %. It sorts the road layer, so the draws do not vary it",
        drawn=False,
    )
    steep_road_speed_kph: float = _a(
        30.0,
        20.0,
        30.0,
        "speed on a steep road whose design speed is not published (an expressway keeps its own): the "
        "30 km/h the 实施条例 §46 sets when descending steep grades and on sharp bends (FACTS.md section "
        "8.1), taken both ways (the climb of a serpentine is as slow); range down to 20, JTG's class-4 "
        "mountain design speed (unverified, FACTS.md section 8.1)",
    )
    shanxi_tunnel_speed_kph: float = _a(
        70.0,
        60.0,
        80.0,
        "speed limit in the tunnels of every Shanxi expressway: '山西省所有高速公路隧道已实施统一限速70公里/小时' "
        "(山西晚报 2019-01-18, FACTS.md section 8.1); applied from that date to the tunnel km roads.yaml gives",
    )
    built_up_speed_kph: float = _a(
        30.0,
        20.0,
        40.0,
        "assumed: average car speed on a national, provincial or other road where it runs through a "
        "built-up area (signals, junctions, mixed traffic); 道路交通安全法实施条例 art. 45 sets 30-50 "
        "km/h on city roads without lane markings or with one lane each way; the same basis as "
        "urban_access_speed_kph. Expressways are access-controlled and keep their speed",
    )
    built_up_radius_city_km: float = _a(
        5.0,
        3.0,
        8.0,
        "assumed: radius of the built-up area around a prefecture-level city centre (a built-up area "
        "of about 80 km², the order of the region's central cities); range 3-8 km (built-up areas of about "
        "30-200 km²); it shapes the road layer rather than a time, so the uncertainty draws do not vary it",
        drawn=False,
    )
    built_up_radius_county_km: float = _a(
        2.5,
        1.5,
        4.0,
        "assumed: radius of the built-up area around a county seat or urban district centre (about "
        "20 km²); 1.5-4 km plausible, not varied by the uncertainty draws (it shapes the road layer)",
        drawn=False,
    )
    rail_access_max_km: float = _a(
        60.0,
        30.0,
        100.0,
        "assumed catchment of a rail station for the 'rail' and 'transit' modes: the car (or taxi/bus) "
        "leg to the boarding station and from the alighting one is at most this far in straight line; "
        "beyond it a trip is a road trip, not a rail trip. 60 km is about an hour's drive on the "
        "region's ordinary roads; a definition of the mode, not varied by the uncertainty draws; range 30-100"
        " km: from half an hour's drive to the distance between neighbouring prefecture seats",
        drawn=False,
    )
    expressway_speed_cap_kph: float = _a(
        120.0,
        100.0,
        120.0,
        "legal maximum on expressways: 道路交通安全法实施条例 art. 78 (120 km/h); a cap above it is not "
        "lawful, and 100 km/h is the limit posted on mountain sections (a lower cap models those)",
        drawn=False,
    )
    urban_access_speed_kph: float = _a(
        30.0,
        20.0,
        40.0,
        "assumed: average car speed on city streets between a centre point or station and the main "
        "road network; Chinese prefecture-city arterials typically run 25-35 km/h",
    )
    access_circuity: float = _a(
        1.3,
        1.2,
        1.4,
        "road distance / straight-line distance for short connectors; circuity factors of about "
        "1.2-1.4 are reported for road travel (Ballou, Rahardja & Sakai 2002, Transp. Res. A 36(9))",
    )
    urban_access_allowance_min: float = _a(
        5.0,
        2.0,
        10.0,
        "assumed: added once at each end of a trip that starts or ends at a place (getting to and "
        "from the car, local streets, parking) that free-flow link speeds do not capture",
    )
    connector_neighbours: int = field(
        default=3,
        metadata={
            "low": 1,
            "high": 6,
            "source": "a place, station or airport joins its 3 nearest road nodes, "
            "so a single odd nearest node cannot cut it off; not a behavioural parameter (range 1-6, "
            "a whole number: 1 trusts the nearest node alone, more than 6 joins nodes across a valley)",
            "drawn": False,
        },
    )
    match_tolerance: float = _a(
        0.25,
        0.1,
        0.4,
        "a corridor matched onto road geometry is accepted when its matched length is within 25% of "
        "the published length; a data-quality rule, not a behavioural parameter; range 0.1-0.4: tighter "
        "rejects real matches where the published length is rounded or counts interchanges, looser accepts a "
        "wrong parallel road",
        drawn=False,
    )
    max_match_circuity: float = _a(
        1.35,
        1.2,
        1.6,
        "without a published length a match is accepted up to 1.35 x the straight waypoint line "
        "(expressways in hilly terrain run 1.1-1.3 x straight); a data-quality rule; range 1.2-1.6: below 1.2"
        " rejects real mountain expressways, above 1.6 accepts detours a motorway does not make",
        drawn=False,
    )
    rail_snap_max_km: float = _a(
        2.0,
        1.0,
        5.0,
        "a station further than this from the railway geometry is not snapped to it; station "
        "positions are checked to 1 km against OSM and tracks pass beside the building; a "
        "data-quality rule for drawing only (running times use km posts); range 1-5 km",
        drawn=False,
    )
    connector_max_km: float = _a(
        30.0,
        10.0,
        50.0,
        "a node further than this from any road node (outside the clipped road geometry) is joined "
        "by a straight connector at the unclassified road speed instead of the urban speed; range 10-50 km: "
        "the clipped geometry's gaps between main roads",
        drawn=False,
    )

    # --- rail ---------------------------------------------------------------------------------
    hsr_acceleration_mps2: float = _a(
        0.3,
        0.25,
        0.4,
        "mean acceleration of a CRH/CR400 EMU up to line speed: about 0-300 km/h in 4.5-5 min, "
        "i.e. 0.28-0.31 m/s² (manufacturer performance curves quoted in zh-Wikipedia CR400AF)",
    )
    hsr_braking_mps2: float = _a(
        0.5, 0.4, 0.7, "assumed: service braking of EMUs 0.5-0.7 m/s² (normal stops use less than the maximum)"
    )
    rail_acceleration_mps2: float = _a(
        0.2, 0.15, 0.3, "assumed: locomotive-hauled passenger train, about 0-100 km/h in 2-2.5 min"
    )
    rail_braking_mps2: float = _a(0.4, 0.3, 0.5, "assumed: service braking of a locomotive-hauled passenger train")
    running_time_supplement: float = _a(
        0.05,
        0.03,
        0.08,
        "assumed: recovery margin as a share of running time. UIC Code 451-1 (4th ed., 2000) sets the "
        "margin as a % of running time plus minutes per 100 km by speed band, but its percentages are not "
        "in the sources at hand (FACTS.md section 9); 5 % assumed, range 3-8 %",
    )
    hsr_start_supplement_min: float = _a(
        2.0,
        1.0,
        3.0,
        "起车附加时分 of a Chinese HSR timetable: the time a train that starts from a stop loses against "
        "one passing at line speed; an HSR timetabling model of 京沪-type data (300/350 km/h) carries 2 min "
        "(GitHub code corpus, FACTS.md section 9; weak). A ride is never quicker than its cruise at line "
        "speed plus this and the stopping supplement, nor than its kinematic run (acceleration, braking)",
    )
    hsr_stop_supplement_min: float = _a(
        3.0,
        1.0,
        3.0,
        "停车附加时分 of a Chinese HSR timetable: the same model carries 3 min (FACTS.md section 9; weak)",
    )
    rail_start_supplement_min: float = _a(
        2.0,
        1.0,
        3.0,
        "起车附加时分 of a conventional line: 2 min in a textbook timetabling exercise (FACTS.md 9; weak)",
    )
    rail_stop_supplement_min: float = _a(
        1.0, 0.5, 2.0, "停车附加时分 of a conventional line: 1 min in the same exercise (FACTS.md section 9; weak)"
    )
    hsr_dwell_min: float = _a(
        2.0,
        1.0,
        4.0,
        "an intermediate HSR stop: '一般中途站2分钟' (FACTS.md section 9, weak Q&A; the timetabling model's "
        "minimum dwell is 2 min too)",
    )
    hsr_hub_dwell_min: float = _a(
        3.0,
        2.0,
        6.0,
        "an HSR stop at a hub, a station where two or more high-speed lines of the data meet: '比较大的枢纽站"
        "…3分钟' (FACTS.md section 9, weak)",
    )
    rail_dwell_min: float = _a(
        4.0, 2.0, 8.0, "assumed: conventional passenger trains dwell longer (luggage, longer platforms)"
    )
    station_processing_min: float = _a(
        20.0,
        12.0,
        30.0,
        "assumed: security check, ticket gate and boarding buffer at a China rail station; gates "
        "close 5 min before departure (China Railway 12306 rules) and travellers arrive earlier",
    )
    station_egress_min: float = _a(5.0, 3.0, 10.0, "assumed: platform to station exit")
    transfer_min: float = _a(
        10.0, 5.0, 20.0, "assumed: walking between platforms and the transfer buffer within one station"
    )
    headway_factor: float = _a(
        1.0,
        0.75,
        1.5,
        "assumed: every service headway in data/ and in scenario files is itself an assumption (no "
        "timetable is used); this factor scales them all, so the uncertainty draws can try services "
        "a quarter more frequent to half as frequent again",
    )
    wait_cap_min: float = _a(
        20.0,
        10.0,
        45.0,
        "assumed: for long headways travellers time their arrival by the timetable, so the wait is "
        "half the headway up to this cap (as capped 'effective headway' rules in transit assignment)",
    )

    # --- air ----------------------------------------------------------------------------------
    airport_departure_processing_min: float = _a(
        60.0,
        45.0,
        90.0,
        "assumed: domestic check-in closes 45 min before departure at Chinese airports; travellers arrive earlier",
    )
    airport_arrival_processing_min: float = _a(
        20.0, 10.0, 35.0, "assumed: deplaning and leaving the terminal, hand luggage"
    )

    # --- new elements from scenario files (used only where the file gives no value) -----------
    new_rail_circuity: float = _a(
        1.2,
        1.05,
        1.5,
        "route length / straight line between stations of a planned line without a published "
        "length; from the 郑太 HSR's km-post sections in data/: 0.94-1.16 on the plain, 1.03-1.22 "
        "on the plateau, 1.5 down the Taihang escarpment (焦作-晋城东); 1.2 is a mid value",
    )
    new_road_circuity: float = _a(
        1.25,
        1.1,
        1.5,
        "route length / straight line through the waypoints of a planned road without a published "
        "length; 1.2-1.4 for roads (Ballou, Rahardja & Sakai 2002), hill roads at the upper end",
    )
    ordinary_road_speed_factor: float = _a(
        0.8,
        0.6,
        1.0,
        "assumed: free-flow car speed / design speed on a new class-1/2, national, provincial or "
        "tourist road (junctions, villages, mixed traffic); expressways run at design speed, "
        "capped by expressway_speed_cap_kph",
    )
    bus_max_speed_kph: float = _a(
        100.0,
        90.0,
        100.0,
        "legal maximum for coaches on expressways: 道路交通安全法实施条例 art. 78 (large passenger "
        "vehicles 100 km/h); a bus runs the car's fastest road path at min(link speed, this)",
    )
    bus_boarding_min: float = _a(
        10.0,
        5.0,
        20.0,
        "assumed: ticket and security check at a coach station (Chinese coach stations screen "
        "luggage), less than at a railway station",
    )
    bus_dwell_min: float = _a(
        5.0, 2.0, 10.0, "assumed: an intermediate stop of an intercity coach (entering and leaving a town's stop)"
    )
    metro_acceleration_mps2: float = _a(
        1.0,
        0.8,
        1.2,
        "assumed: service acceleration of a B-type metro train (郑州 Line 1 runs 6-car B-type trains, "
        "FACTS.md section 9); metro trains start at about 0.8-1.2 m/s², not published for this line",
    )
    metro_braking_mps2: float = _a(
        1.0, 0.8, 1.2, "assumed: service braking of a B-type metro train, the same range as its acceleration"
    )
    metro_dwell_min: float = _a(
        0.5, 0.4, 1.0, "assumed: a metro stop of 25-60 s (doors, boarding); not published for 郑州 Line 1"
    )

    new_line_speed_factor: float = _a(
        1.0,
        0.8,
        1.0,
        "operating speed of a planned line / the speed its scenario file gives: lines often open "
        "below the speed they are built for (郑焦 opened at 200 km/h though built for 250, FACTS.md); "
        "1.0 takes the file at its word, the range lets the uncertainty draws go down to 0.8",
    )

    # --- networks built from OpenStreetMap (taihang build); road speeds by class are in
    # data/osm_road_speeds.csv with their sources ----------------------------------------------
    osm_hsr_default_speed_kph: float = _a(
        250.0,
        200.0,
        300.0,
        "line speed of high-speed track without a maxspeed tag: most China intercity and regional "
        "HSR is built for 250 km/h (TB 10621-2014 high-speed railway design code covers 250-350; "
        "the 郑太 and 郑焦 lines of this region are 250)",
    )
    osm_rail_default_speed_kph: float = _a(
        120.0,
        80.0,
        160.0,
        "line speed of conventional track without a maxspeed tag: GB 50090-2006 class-I/II "
        "mixed passenger-freight lines run at 120-160 km/h, mountain lines (太焦, 侯月) less; "
        "120 assumed",
    )
    osm_hsr_min_speed_kph: float = _a(
        200.0,
        160.0,
        250.0,
        "track with maxspeed at or above this counts as high-speed where highspeed=* is not tagged: "
        "the EU/UIC definition of high speed on upgraded lines (Directive 96/48/EC annex I); range 160-250: "
        "China's 快速铁路 begin at 160 km/h, the UIC's new high-speed lines at 250",
        drawn=False,
    )
    station_match_max_km: float = _a(
        5.0,
        2.0,
        10.0,
        "a station of the services file is matched to an OSM station of the same name only within "
        "this distance of its stated position (same-named stations elsewhere are not confused); a "
        "data-quality rule; range 2-10 km: a large station's buildings and squares span about 1 km, and "
        "same-named stations of neighbouring towns lie 10 km and more apart",
        drawn=False,
    )
    station_merge_km: float = _a(
        0.5,
        0.2,
        1.0,
        "OSM often maps one station twice (a railway=station node and a building=train_station "
        "area); features of the same name, or a nameless building, this close are one station; range 0.2-1 "
        "km: a station building and its railway=station node lie within a few hundred metres",
        drawn=False,
    )

    def replace(self, force: bool = False, **changes: float | str) -> Assumptions:
        """Return a copy with some values changed.

        Every value must be a finite number > 0 (a zero speed or factor would divide by zero), and
        inside the constant's documented range (``low``-``high``, see :func:`describe_assumptions`)
        unless ``force`` is true (every constant has a range wider than one value).

        Raises
        ------
        AssumptionError
            If a name is unknown or a value is not a number > 0, or (without ``force``) lies
            outside its range; the message gives the range.
        """
        fields = {f.name: f for f in dataclasses.fields(self)}
        unknown = sorted(set(changes) - set(fields))
        if unknown:
            from difflib import get_close_matches

            hints = {u: get_close_matches(u, sorted(fields), n=3) for u in unknown}
            raise AssumptionError(
                "unknown assumption(s) "
                + ", ".join(f"{u!r} (did you mean {', '.join(h) or '-'}?)" for u, h in hints.items())
            )
        clean: dict[str, Any] = {}
        for name, value in changes.items():
            try:
                number = float(value)
            except (TypeError, ValueError, OverflowError) as err:
                raise AssumptionError(f"assumption {name}={str(value)[:40]!r}: expected a number") from err
            if not (number > 0 and number < float("inf")):
                raise AssumptionError(f"assumption {name}={str(value)[:40]!r}: expected a finite number > 0")
            low, high = fields[name].metadata["low"], fields[name].metadata["high"]
            if not (low <= number <= high) and not force:
                raise AssumptionError(
                    f"assumption {name}={number:g} lies outside its documented range "
                    f"{low:g}-{high:g} (see `taihang assumptions`); add --force to run with it "
                    "anyway"
                )
            if name == "connector_neighbours":
                if number != int(number) or number > 20:
                    raise AssumptionError(f"assumption {name}={number:g}: expected a whole number from 1 to 20")
                clean[name] = int(number)
            else:
                clean[name] = number
        return dataclasses.replace(self, **clean)

    def outside_range(self) -> list[str]:
        """The constants whose value lies outside their documented range (after a forced replace)."""
        out = []
        for f in dataclasses.fields(self):
            low, high, value = f.metadata["low"], f.metadata["high"], getattr(self, f.name)
            if not (low <= value <= high):
                out.append(f"{f.name}={value:g} (range {low:g}-{high:g})")
        return out


def forced_warnings(assumptions: Assumptions) -> list[str]:
    """One warning per constant forced outside its documented range (``--force``): every output
    of such a run carries them."""
    return [
        f"forced (--force): {x} is outside its documented range; results are not comparable with the defaults"
        for x in assumptions.outside_range()
    ]


def parse_overrides(items: list[str] | tuple[str, ...]) -> dict[str, str]:
    """Parse ``name=value`` strings (the CLI's ``--assume``) into a dict.

    Raises
    ------
    AssumptionError
        If an item has no ``=``, or names a constant given before.
    """
    out: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep:
            raise AssumptionError(f"--assume {item[:80]!r}: expected name=value, e.g. wait_cap_min=30")
        name = name.strip()
        if name in out:
            raise AssumptionError(
                f"--assume {name} is given twice ({out[name][:40]} and {value.strip()[:40]}); give each constant once"
            )
        out[name] = value.strip()
    return out


def describe_assumptions(assumptions: Assumptions) -> list[dict[str, Any]]:
    """One record per assumption: name, value, low, high, source (for reports and JSON)."""
    rows = []
    for f in dataclasses.fields(assumptions):
        rows.append(
            {
                "name": f.name,
                "value": getattr(assumptions, f.name),
                "low": f.metadata["low"],
                "high": f.metadata["high"],
                "source": f.metadata["source"],
            }
        )
    return rows
