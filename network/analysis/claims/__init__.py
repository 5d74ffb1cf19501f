"""Claims: a plan's travel-time promise stated precisely in a file, and checked on the network.

A claim file (YAML, validated like scenario files, every problem reported with its line)::

    name: zhengtai_one_hour_circle
    claim: "郑太高铁已经建成通车，形成'晋城-郑州-洛阳'一小时经济圈"
    source: "晋城市规划 第一章第三节 4"
    interpretation: "one hour from Jincheng to each of Zhengzhou and Luoyang"
    origin: {city: 晋城, stations: [晋城东站]}
    destinations:
      - {place: 郑州, stations: [郑州东站, 郑州站]}
      - {place: 洛阳, stations: [洛阳龙门站, 洛阳站]}
    threshold_min: 60                 # or a list: each threshold is a reading of a vague word
    modes: [rail, best]
    readings: [station_to_station, centre_to_centre, population_weighted]
    aggregate: population_weighted    # or all_of: every county within the threshold
    require: every_destination        # or any_destination
    networks:                         # default: the network as it is
      - {name: today, year: 2024}
      - {name: jincheng_plan, scenario: ../scenarios/jincheng_plan.yaml}

Readings:

* ``station_to_station``: platform to platform, as a timetable would say: the quickest departure
  from any origin station to arrival at any destination station (rides, dwells, transfers and the
  waits between trains; no access, security or first wait).
* ``centre_to_centre``: door to door from the origin city's centre point to the destination's, in
  each mode.
* ``population_weighted``: door to door from every county-level place of the origin city; the
  verdict uses the population-weighted mean (``aggregate: population_weighted``) or requires every
  place (``all_of``); the share of population within the threshold is always reported.

A claim about routes gives ``route_checks`` instead of ``threshold_min`` (one of the two)::

    route_checks:
      - {name: no_direct_expressway, expressway_all_the_way: true, expect: false}
      - {name: round_by_changzhi, via: 长治, within_km: 25, expect: true}
      - {name: road_fastest, fastest_mode: road, expect: true}
      - {name: no_train_at_all, rail_trip: true, expect: false}

each read on the fastest trip from the origin's centre to each destination
(:mod:`network.analysis.claims.route`); such a claim is checked without draws (it has no minutes to vary), and says so.

Every time is split into legs: access (to the boarding point), processing (security, boarding),
wait (first wait, transfers and later waits), in-vehicle, egress (leaving the station and on to the
door). ``network.analysis.uncertainty`` adds p10/p50/p90 and the share of draws in which the claim holds.
"""

from network.analysis.claims.check import check_claim, network_for
from network.analysis.claims.evaluate import (
    CheckResult,
    evaluate,
    leg_breakdown,
    origin_places,
    result_payload,
    verdicts,
)
from network.analysis.claims.spec import LEGS, READINGS, Claim, ClaimFile, Destination, NetworkSpec, Origin, load_claim

__all__ = [
    "LEGS",
    "READINGS",
    "CheckResult",
    "Claim",
    "ClaimFile",
    "Destination",
    "NetworkSpec",
    "Origin",
    "check_claim",
    "evaluate",
    "leg_breakdown",
    "load_claim",
    "network_for",
    "origin_places",
    "result_payload",
    "verdicts",
]
