"""Door-to-door minutes by rail between many origins and many targets at once: the rule of
:meth:`TripSearch.rail_times <network.routing.trips.TripSearch.rail_times>` (road to a boarding
station s within ``rail_access_max_km`` of the origin, processing, trains to s', road from s' within
the same reach of the target), with the road legs from two cached searches (from the origins, from
the stations) instead of one search per target, and the minima over s and s' as array operations.
Equal to ``rail_times`` target by target (tests/test_literature_indicators.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from network.geo import haversine_km

if TYPE_CHECKING:
    from network.routing.trips import TripSearch


def rail_matrix(trips: TripSearch, origins: Sequence[str], targets: Sequence[str], mode: str = "rail") -> np.ndarray:
    """Minutes (origins × targets) forced to ride a train (``mode`` "rail") or a train or coach
    ("transit"); ``inf`` where there is no such trip. ``targets`` are graph nodes (a place's
    ``place:<id>:arrive``)."""
    pt_mode = "transit" if mode == "transit" else "rail"
    stations, processing = trips.served_stations
    if not stations or not len(origins) or not len(targets):
        return np.full((len(origins), len(targets)), np.inf)
    road = trips.compiled("road")
    et = trips.network.edge_table
    reach = trips.network.assumptions.rail_access_max_km
    s_road, on_trains = trips.between_stations(pt_mode)  # stations x stations, inf on the diagonal
    s_lon, s_lat = et.lon[s_road], et.lat[s_road]
    o_rows = np.array([et.index[o] for o in origins], dtype=np.int64)
    t_rows = np.array([et.index[t] for t in targets], dtype=np.int64)
    to_station = np.atleast_2d(trips.road_from(list(origins))[0])[:, s_road]  # origins x stations
    far_o = haversine_km(et.lon[o_rows, None], et.lat[o_rows, None], s_lon[None, :], s_lat[None, :]) > reach
    board = np.where(far_o, np.inf, to_station + processing[None, :])
    egress = np.atleast_2d(trips.road_from(list(stations))[0])[:, [road.index[t] for t in targets]]  # s' x targets
    far_t = haversine_km(s_lon[:, None], s_lat[:, None], et.lon[None, t_rows], et.lat[None, t_rows]) > reach
    leave = np.where(far_t, np.inf, egress)
    tail = np.min(on_trains[:, :, None] + leave[None, :, :], axis=1)  # s x targets: best s' for each s
    out: np.ndarray = np.min(board[:, :, None] + tail[None, :, :], axis=1)  # origins x targets
    return out
