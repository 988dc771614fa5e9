"""The only module that talks to OSRM (``osrm-bindings``): prepare a dataset, query it.

Nothing of OSRM crosses this boundary: callers pass ``(lat, lon)`` tuples and paths and
get numpy arrays, tuples and this module's frozen dataclasses back. OSRM's own tools
(``osrm-extract``, ``osrm-contract``, ``osrm-routed``) ship inside the wheel and run as
child processes; queries run in-process through the bindings.

The dataset uses contraction hierarchies (CH): its many-to-many table search answers a
1,000 × 1,000 matrix in well under a second, which the planner's square matrices need;
the multi-level alternative (MLD) is faster to prepare but several times slower there.
"""

from __future__ import annotations

import math
import subprocess
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from planner.roads.errors import OsrmFailed

__all__ = [
    "OSRM_VERSION",
    "Engine",
    "Table",
    "car_profile",
    "contract",
    "engine",
    "extract",
    "tool",
]

FloatMatrix = npt.NDArray[np.float64]
LatLon = tuple[float, float]
Log = Callable[[str], None]

#: The dataset format follows the bindings' version: another version must re-import.
OSRM_VERSION = "26.10"
_LOG_TAIL = 12  # lines of a failing tool's output shown to the user


def _package_dir() -> Path:
    import osrm  # the bindings; imported late so the planner runs without them

    return Path(osrm.__file__).resolve().parent


def tool(name: str) -> Path:
    """Path of one of OSRM's programs shipped in the wheel (``osrm-routed`` …)."""
    path = _package_dir() / "bin" / name
    if not path.is_file():
        raise OsrmFailed(f"OSRM-Programm {name} fehlt im Paket osrm-bindings ({path}).")
    return path


def car_profile() -> Path:
    """OSRM's own car profile: speeds per road class, turn restrictions, access rules."""
    return _package_dir() / "share" / "profiles" / "car.lua"


def _run(name: str, args: Sequence[str], log: Log) -> None:
    command = [str(tool(name)), *args, "--verbosity", "WARNING"]
    process = subprocess.run(command, capture_output=True, text=True, errors="replace")
    output = (process.stdout + process.stderr).strip()
    for line in output.splitlines()[-_LOG_TAIL:]:
        log(line)
    if process.returncode != 0:
        tail = " | ".join(output.splitlines()[-3:]) or f"Exit-Code {process.returncode}"
        raise OsrmFailed(f"{name} ist fehlgeschlagen: {tail}")


def extract(pbf: Path, base: Path, *, log: Log, threads: int | None = None) -> Path:
    """Road graph of ``pbf`` with the car profile; returns the dataset base ``….osrm``."""
    base.parent.mkdir(parents=True, exist_ok=True)
    args = [str(pbf), "--profile", str(car_profile()), "--output", str(base)]
    if threads:
        args += ["--threads", str(threads)]
    _run("osrm-extract", args, log)
    return base


def contract(base: Path, *, log: Log, threads: int | None = None) -> None:
    """Contraction hierarchy for fast tables and routes."""
    args = [str(base)] + (["--threads", str(threads)] if threads else [])
    _run("osrm-contract", args, log)


def dataset_files(base: Path) -> list[Path]:
    """Every file of a prepared dataset (``base`` is the ``….osrm`` path)."""
    return sorted(base.parent.glob(base.name + ".*"))


# --------------------------------------------------------------------------- queries


@dataclass(frozen=True, eq=False)
class Table:
    """Road seconds and metres (NaN: no route) and how far each point was snapped (m)."""

    seconds: FloatMatrix
    metres: FloatMatrix
    origin_snap_m: tuple[float, ...]
    destination_snap_m: tuple[float, ...]
    origin_snapped: tuple[LatLon, ...]
    destination_snapped: tuple[LatLon, ...]


class Engine:
    """An in-process OSRM instance on one prepared dataset (thread-safe queries)."""

    def __init__(self, base: Path) -> None:
        import osrm

        try:
            self._osrm: Any = osrm.OSRM(
                storage_config=str(base), algorithm="CH", use_shared_memory=False
            )
        except RuntimeError as exc:
            raise OsrmFailed(f"OSRM-Daten {base} lassen sich nicht laden: {exc}") from exc
        self._lock = threading.Lock()  # one query at a time: the web app may share it

    def table(self, origins: Sequence[LatLon], destinations: Sequence[LatLon]) -> Table:
        """Every origin to every destination (one many-to-many search)."""
        import osrm

        if not origins or not destinations:
            empty = np.zeros((len(origins), len(destinations)))
            return Table(empty, empty.copy(), (), (), (), ())
        coordinates = [(lon, lat) for lat, lon in (*origins, *destinations)]
        n = len(origins)
        params = osrm.TableParameters(
            coordinates=coordinates,
            sources=list(range(n)),
            destinations=list(range(n, n + len(destinations))),
            annotations=["duration", "distance"],
        )
        with self._lock:
            try:
                result = self._osrm.Table(params)
            except RuntimeError as exc:
                raise OsrmFailed(f"OSRM-Tabelle fehlgeschlagen: {exc}") from exc
        if str(result["code"]) != "Ok":
            raise OsrmFailed(f"OSRM-Tabelle fehlgeschlagen: {result['code']}")
        seconds = _matrix(result["durations"])
        metres = _matrix(result["distances"])
        sources, targets = _waypoints(result["sources"]), _waypoints(result["destinations"])
        return Table(
            seconds,
            metres,
            tuple(s for s, _ in sources),
            tuple(s for s, _ in targets),
            tuple(p for _, p in sources),
            tuple(p for _, p in targets),
        )

    def route(self, points: Sequence[LatLon]) -> tuple[LatLon, ...]:
        """The driven line through ``points`` in order, as ``(lat, lon)`` vertices."""
        import osrm

        if len(points) < 2:
            return tuple(points)
        params = osrm.RouteParameters(
            coordinates=[(lon, lat) for lat, lon in points],
            geometries="geojson",
            overview="full",
        )
        with self._lock:
            try:
                result = self._osrm.Route(params)
            except RuntimeError as exc:
                raise OsrmFailed(f"OSRM-Route fehlgeschlagen: {exc}") from exc
        if str(result["code"]) != "Ok":
            return tuple(points)
        coordinates = result["routes"][0]["geometry"]["coordinates"]
        return tuple((float(c[1]), float(c[0])) for c in coordinates)


def _matrix(rows: Any) -> FloatMatrix:
    """OSRM's nested array (``None`` where no route exists) as a float matrix with NaN."""
    return np.array(
        [[math.nan if value is None else float(value) for value in row] for row in rows],
        dtype=np.float64,
    )


def _waypoints(items: Any) -> list[tuple[float, LatLon]]:
    out = []
    for item in items:
        location = item["location"]
        out.append((float(item["distance"]), (float(location[1]), float(location[0]))))
    return out


@lru_cache(maxsize=4)
def engine(base: Path) -> Engine:
    """One engine per dataset and process (loading maps the files once)."""
    return Engine(base)
