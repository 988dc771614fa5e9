"""``planner roads calibrate``: the built-in estimate against road times, and a better fit.

Over all ordered pairs of the 162 places of the district (or of any points file), the
estimate's driving time (great circle × detour factor at a speed rising with distance)
is compared with OSRM's. Reported: median and worst error before and after, and the
fitted detour factor and speeds. Saved as JSON, the fit lets a machine without road data
plan with the calibrated estimate (``planner plan --kalibrierung DATEI``).

Fit: the detour factor is the median ratio road metres / great-circle metres (pairs at
least ``_MIN_PAIR_M`` apart, where the ratio is not dominated by snapping); the two
speeds minimise the mean absolute error in seconds over a grid (1 km/h, then 0.1 km/h
around the best), the ramp length and the per-trip allowance stay as in
:mod:`planner.settings`. Deterministic: same points, same data, same numbers.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from planner import geodata, settings
from planner.roads.matrix import Point
from planner.roads.provider import RoadTravelTimes
from planner.traveltime import GreatCircleEstimate, great_circle_m

__all__ = ["Calibration", "Errors", "calibrate", "district_points", "load_estimate"]

Array = npt.NDArray[np.float64]
_MIN_PAIR_M = 1_000.0


@dataclass(frozen=True)
class Errors:
    """Driving-time error of an estimate against road times (seconds; relative as share)."""

    median_abs_s: float
    p90_abs_s: float
    worst_abs_s: float
    median_rel: float
    worst_pair: tuple[str, str]


@dataclass(frozen=True)
class Calibration:
    detour_factor: float
    speed_short_kmh: float
    speed_long_kmh: float
    ramp_km: float
    overhead_min: float
    pairs: int
    no_route: int
    before: Errors
    after: Errors
    source: str

    def estimate(self) -> GreatCircleEstimate:
        return GreatCircleEstimate(
            detour_factor=self.detour_factor,
            speed_short_kmh=self.speed_short_kmh,
            speed_long_kmh=self.speed_long_kmh,
            ramp_km=self.ramp_km,
            overhead_min=self.overhead_min,
        )

    def save(self, path: Path) -> Path:
        data = asdict(self)
        path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        return path


def district_points() -> list[Point]:
    """The 162 places (Orte and Ortsteile) of the district's gazetteer."""
    return [Point(f"{p.municipality}/{p.name}", p.lat, p.lon) for p in geodata.places()]


def calibrate(points: Sequence[Point], travel: RoadTravelTimes) -> Calibration:
    coords = [(p.lat, p.lon) for p in points]
    table = travel.road_table(coords, coords)
    gc = great_circle_m(coords)
    off = ~np.eye(len(points), dtype=bool)
    valid = off & ~np.isnan(table.seconds) & ~np.isnan(table.metres)
    road_s, road_m, gc_m = table.seconds[valid], table.metres[valid], gc[valid]
    names = [
        (a.id, b.id) for i, a in enumerate(points) for j, b in enumerate(points) if valid[i, j]
    ]
    base = GreatCircleEstimate()
    before = _errors(_driving(base, gc_m), road_s, names)
    far = gc_m >= _MIN_PAIR_M
    detour = float(np.median(road_m[far] / gc_m[far])) if far.any() else base.detour_factor
    short, long = _fit_speeds(detour * gc_m, road_s, base.ramp_km)
    fitted = GreatCircleEstimate(detour, short, long, base.ramp_km, base.overhead_min)
    after = _errors(_driving(fitted, gc_m), road_s, names)
    return Calibration(
        round(detour, 3), short, long, base.ramp_km, base.overhead_min,
        int(valid.sum()), int((off & ~valid).sum()), before, after, travel.source,
    )  # fmt: skip


def _driving(estimate: GreatCircleEstimate, gc_m: Array) -> Array:
    """The estimate's seconds without its per-trip allowance (OSRM has none)."""
    return estimate.drive_seconds(estimate.road_metres(gc_m)) - estimate.overhead_min * 60.0


def _errors(estimated: Array, road: Array, names: Sequence[tuple[str, str]]) -> Errors:
    if not len(road):
        return Errors(0.0, 0.0, 0.0, 0.0, ("", ""))
    diff = np.abs(estimated - road)
    worst = int(np.argmax(diff))
    relative = diff[road > 0] / road[road > 0]
    return Errors(
        round(float(np.median(diff)), 1),
        round(float(np.percentile(diff, 90)), 1),
        round(float(diff[worst]), 1),
        round(float(np.median(relative)), 3) if len(relative) else 0.0,
        names[worst],
    )


def _fit_speeds(road_m: Array, road_s: Array, ramp_km: float) -> tuple[float, float]:
    km = road_m / 1000.0
    ramp = np.clip(km / ramp_km, 0.0, 1.0)

    def search(shorts: Array, longs: Array) -> tuple[float, float]:
        best = (math.inf, 0.0, 0.0)
        for short in shorts:
            # speed(km) for every long speed at once: rows = long speeds.
            speed = short + (longs[:, None] - short) * ramp[None, :]
            error = np.abs(km[None, :] / speed * 3600.0 - road_s[None, :]).mean(axis=1)
            i = int(np.argmin(error))
            if error[i] < best[0]:
                best = (float(error[i]), float(short), float(longs[i]))
        return best[1], best[2]

    short, long = search(np.arange(10.0, 70.5, 1.0), np.arange(20.0, 120.5, 1.0))
    short, long = search(
        np.arange(short - 1.0, short + 1.05, 0.1), np.arange(long - 1.0, long + 1.05, 0.1)
    )
    return round(short, 1), round(long, 1)


def load_estimate(path: Path) -> GreatCircleEstimate:
    """The calibrated estimate saved by ``planner roads calibrate --out``."""
    from planner.roads.errors import PointsFileError

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return GreatCircleEstimate(
            detour_factor=float(data["detour_factor"]),
            speed_short_kmh=float(data["speed_short_kmh"]),
            speed_long_kmh=float(data["speed_long_kmh"]),
            ramp_km=float(data.get("ramp_km", settings.SPEED_RAMP_KM)),
            overhead_min=float(data.get("overhead_min", settings.TRIP_OVERHEAD_MIN)),
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise PointsFileError(
            f"Kalibrierung „{path}“ nicht lesbar – bitte mit planner roads calibrate --out "
            "neu schreiben."
        ) from exc
