"""Travel times from the road network: the :class:`~planner.traveltime.TravelTimeProvider`
on OSRM (in-process on a prepared folder, or the job centre's own ``osrm-routed``).

Seconds are OSRM's car-profile durations plus ``TRIP_OVERHEAD_MIN`` per trip (parking and
the walk to the door, as in the estimate: a coach's trip does not end at the kerb);
metres are the driven road distance. Pairs without a route (a ferry-only island, a
private road) fall back to the estimate for that pair. Points farther than
``ROADS_MAX_SNAP_M`` from every road stop the planning with a German error: the data does
not cover them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
from shapely.geometry import LineString

from planner import settings
from planner.roads.errors import RoadsDoNotCover
from planner.roads.osrm_adapter import Table
from planner.traveltime import GreatCircleEstimate, TravelMatrix, great_circle_m

__all__ = ["RoadBackend", "RoadTravelTimes"]

LatLon = tuple[float, float]
_M_PER_DEG = math.pi / 180 * 6_371_008.8


class RoadBackend(Protocol):
    """Where road tables and routes come from (in-process OSRM or an OSRM server)."""

    def table(self, origins: Sequence[LatLon], destinations: Sequence[LatLon]) -> Table: ...

    def route(self, points: Sequence[LatLon]) -> tuple[LatLon, ...]: ...


@dataclass(frozen=True, eq=False)
class RoadTravelTimes:
    """Road-network travel times and leg geometries (``is_estimate`` is False)."""

    backend: RoadBackend
    source: str  # German, e.g. "OpenStreetMap-Auszug hessen-latest.osm.pbf vom 01.12.2026"
    overhead_min: float = settings.TRIP_OVERHEAD_MIN
    max_snap_m: float = settings.ROADS_MAX_SNAP_M
    _paths: dict[tuple[LatLon, LatLon], tuple[LatLon, ...]] = field(
        default_factory=dict, repr=False
    )

    @property
    def is_estimate(self) -> bool:
        return False

    @property
    def description(self) -> str:
        return (
            f"Fahrzeiten und Strecken aus dem Straßennetz ({self.source}, OSRM-Profil Auto) "
            f"+{self.overhead_min:.0f} min je Fahrt für Parken und Weg zur Tür"
        )

    def matrix(self, points: Sequence[tuple[float, float]]) -> TravelMatrix:
        return self._matrix(points, points, square=True)

    def table(
        self,
        origins: Sequence[tuple[float, float]],
        destinations: Sequence[tuple[float, float]],
    ) -> TravelMatrix:
        return self._matrix(origins, destinations, square=False)

    def road_table(self, origins: Sequence[LatLon], destinations: Sequence[LatLon]) -> Table:
        """OSRM's pure driving seconds and metres (NaN: no route), with snap distances."""
        table = self.backend.table(list(origins), list(destinations))
        self._check_snaps(table)
        return table

    def path(self, origin: LatLon, destination: LatLon) -> tuple[LatLon, ...]:
        """The driven line of one leg, simplified to ``ROUTE_SIMPLIFY_M`` (cached)."""
        key = (origin, destination)
        if key not in self._paths:
            self._paths[key] = _simplified(self.backend.route([origin, destination]))
        return self._paths[key]

    def _matrix(
        self, origins: Sequence[LatLon], destinations: Sequence[LatLon], *, square: bool
    ) -> TravelMatrix:
        table = self.road_table(origins, destinations)
        seconds = table.seconds.copy()
        metres = table.metres.copy()
        missing = np.isnan(seconds) | np.isnan(metres)
        if missing.any():
            estimate = GreatCircleEstimate()
            road = estimate.road_metres(
                great_circle_m(list(origins), None if square else list(destinations))
            )
            metres[missing] = road[missing]
            driving = estimate.drive_seconds(road) - estimate.overhead_min * 60.0
            seconds[missing] = driving[missing]
        seconds = seconds + self.overhead_min * 60.0
        if square:
            np.fill_diagonal(seconds, 0.0)
            np.fill_diagonal(metres, 0.0)
        return TravelMatrix(
            seconds=np.rint(seconds).astype(np.int64),
            metres=np.rint(metres).astype(np.int64),
            is_estimate=False,
            description=self.description,
        )

    def _check_snaps(self, table: Table) -> None:
        snaps = [*table.origin_snap_m, *table.destination_snap_m]
        far = [s for s in snaps if s > self.max_snap_m]
        if far:
            worst = f"{max(far) / 1000:.1f}".replace(".", ",")
            raise RoadsDoNotCover(
                f"{len(far)} Punkt(e) liegen mehr als {self.max_snap_m / 1000:g} km von der "
                f"nächsten Straße entfernt (bis {worst} km) – die Straßendaten ({self.source}) "
                "decken dieses Gebiet nicht ab. Bitte einen passenden OpenStreetMap-Auszug "
                "importieren (planner roads import) oder ohne --strassen planen."
            )


def _simplified(line: Sequence[LatLon]) -> tuple[LatLon, ...]:
    if len(line) < 3:
        return tuple(line)
    tolerance = settings.ROUTE_SIMPLIFY_M / _M_PER_DEG
    simple = LineString([(lon, lat) for lat, lon in line]).simplify(tolerance)
    return tuple((round(y, 6), round(x, 6)) for x, y in simple.coords)
