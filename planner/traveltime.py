"""Travel-time stage: matrices of driving seconds and metres between points.

A provider turns ``(lat, lon)`` points into a :class:`TravelMatrix`: ``table`` from some
origins to some destinations, ``matrix`` between all pairs of a list. Callers ask only
for what they route: a 50,000-row list needs its visits' distances to the few offices
(a thin table), never a square matrix over every row.
The offline default, :class:`GreatCircleEstimate`, needs no road data: it scales the
great-circle distance by a detour factor and applies a distance-dependent speed
model (constants in :mod:`planner.settings`). Its results are estimates and every
output says so. The road-network provider (:mod:`planner.roads.provider`: OSRM on an
OpenStreetMap extract prepared by ``planner roads import``, or the job centre's own OSRM
server) implements the same protocol; :func:`road_travel_times` opens one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

from planner import settings

EARTH_RADIUS_M = 6_371_008.8  # mean Earth radius (IUGG)

IntMatrix = npt.NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class TravelMatrix:
    """Driving time (s) and distance (m) from each origin (row) to each destination; read-only."""

    seconds: IntMatrix
    metres: IntMatrix
    is_estimate: bool
    description: str  # German, shown on maps and sheets

    def __post_init__(self) -> None:
        if self.seconds.shape != self.metres.shape or self.seconds.ndim != 2:
            raise ValueError("seconds and metres must be matrices of equal shape")
        self.seconds.flags.writeable = False
        self.metres.flags.writeable = False

    def __len__(self) -> int:
        return int(self.seconds.shape[0])


class TravelTimeProvider(Protocol):
    """Anything that can produce a travel matrix for a list of points."""

    @property
    def description(self) -> str: ...

    @property
    def is_estimate(self) -> bool: ...

    def matrix(self, points: Sequence[tuple[float, float]]) -> TravelMatrix:
        """All pairs of ``points`` (square)."""
        ...

    def table(
        self,
        origins: Sequence[tuple[float, float]],
        destinations: Sequence[tuple[float, float]],
    ) -> TravelMatrix:
        """From every origin to every destination (``len(origins) × len(destinations)``)."""
        ...


def great_circle_m(
    points: Sequence[tuple[float, float]],
    destinations: Sequence[tuple[float, float]] | None = None,
) -> npt.NDArray[np.float64]:
    """Haversine distances in metres: all pairs of ``points``, or ``points`` × ``destinations``."""
    targets = points if destinations is None else destinations
    if not points or not targets:
        return np.zeros((len(points), len(targets)))
    a_rad = np.radians(np.asarray(points, dtype=np.float64))
    b_rad = np.radians(np.asarray(targets, dtype=np.float64))
    lat, lon = a_rad[:, 0][:, None], a_rad[:, 1][:, None]
    lat_b, lon_b = b_rad[:, 0][None, :], b_rad[:, 1][None, :]
    a = (
        np.sin((lat - lat_b) / 2) ** 2
        + np.cos(lat) * np.cos(lat_b) * np.sin((lon - lon_b) / 2) ** 2
    )
    distances: npt.NDArray[np.float64] = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0, 1)))
    return distances


@dataclass(frozen=True)
class GreatCircleEstimate:
    """Offline estimate: great-circle distance × detour factor, speed rising with distance.

    Short trips crawl through villages; long trips use the B 277 / A 45 and the
    Landesstraßen in the valleys, so the average speed ramps linearly from
    ``speed_short_kmh`` to ``speed_long_kmh`` over the first ``ramp_km`` of road.
    """

    detour_factor: float = settings.DETOUR_FACTOR
    speed_short_kmh: float = settings.SPEED_SHORT_KMH
    speed_long_kmh: float = settings.SPEED_LONG_KMH
    ramp_km: float = settings.SPEED_RAMP_KM
    overhead_min: float = settings.TRIP_OVERHEAD_MIN

    @property
    def is_estimate(self) -> bool:
        return True

    @property
    def description(self) -> str:
        factor = f"{self.detour_factor:.2f}".replace(".", ",")
        return (
            f"Fahrzeiten und Strecken geschätzt: Luftlinie × {factor}, "
            f"{self.speed_short_kmh:.0f}–{self.speed_long_kmh:.0f} km/h je nach Entfernung, "
            f"+{self.overhead_min:.0f} min je Fahrt"
        )

    def road_metres(self, great_circle: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        return great_circle * self.detour_factor

    def drive_seconds(self, road_m: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        km = road_m / 1000.0
        ramp = np.clip(km / self.ramp_km, 0.0, 1.0)
        speed = self.speed_short_kmh + (self.speed_long_kmh - self.speed_short_kmh) * ramp
        return km / speed * 3600.0 + self.overhead_min * 60.0

    def matrix(self, points: Sequence[tuple[float, float]]) -> TravelMatrix:
        return self._estimate(great_circle_m(points), square=True)

    def table(
        self,
        origins: Sequence[tuple[float, float]],
        destinations: Sequence[tuple[float, float]],
    ) -> TravelMatrix:
        return self._estimate(great_circle_m(origins, destinations), square=False)

    def _estimate(self, great_circle: npt.NDArray[np.float64], *, square: bool) -> TravelMatrix:
        road = self.road_metres(great_circle)
        seconds = self.drive_seconds(road)
        # Two clients at the same village centre still cost the per-trip overhead;
        # only staying at the same node is free. In a table origins and destinations are
        # different nodes, so every entry is a trip.
        if square:
            np.fill_diagonal(seconds, 0.0)
        return TravelMatrix(
            seconds=np.rint(seconds).astype(np.int64),
            metres=np.rint(road).astype(np.int64),
            is_estimate=True,
            description=self.description,
        )


def road_travel_times(folder: Path) -> TravelTimeProvider:
    """Road-network times from a folder prepared by ``planner roads import`` (OSRM, car).

    Imported late: the OSRM bindings load only when road data is actually used.
    """
    from planner.roads.dataset import RoadData

    return RoadData.open(folder).travel


def calibrated_estimate(path: Path) -> GreatCircleEstimate:
    """The estimate with the constants ``planner roads calibrate --out`` fitted to roads."""
    from planner.roads.calibrate import load_estimate

    return load_estimate(path)
