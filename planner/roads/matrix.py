"""``planner roads matrix``: road seconds and metres between the points of a CSV file.

Input ``id;lat;lon`` (a header line is optional; decimal point or comma; ``;``, tab or
``,`` between columns). Output ``von;nach;sekunden;meter`` for every ordered pair of
different points: OSRM's pure driving time (no parking allowance), so the file can be
checked against other routers and used for calibration. Beside it,
``…_punkte.csv`` says where each point was snapped to the road and how far that was.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from planner import settings
from planner.roads.errors import PointsFileError
from planner.roads.osrm_adapter import Table
from planner.roads.provider import RoadTravelTimes
from planner.tabular import write_csv

__all__ = ["MatrixReport", "Point", "read_points", "write_matrix"]

MATRIX_COLUMNS = ("von", "nach", "sekunden", "meter")
SNAP_COLUMNS = ("id", "lat", "lon", "strasse_lat", "strasse_lon", "abstand_m")
_ID_NAMES = {"id", "nr", "name", "kennung"}
_LAT_NAMES = {"lat", "breite", "latitude", "y"}
_LON_NAMES = {"lon", "lng", "laenge", "länge", "longitude", "x"}


@dataclass(frozen=True)
class Point:
    id: str
    lat: float
    lon: float


@dataclass(frozen=True)
class MatrixReport:
    points: int
    pairs: int
    no_route: int  # pairs without a road connection (written with empty cells)
    snapped_far: tuple[tuple[str, float], ...]  # (id, metres) above ROADS_SNAP_WARN_M
    max_snap_m: float
    snap_file: Path


def read_points(path: Path) -> list[Point]:
    """Points of a CSV file; German errors name the line."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise PointsFileError(f"Die Datei „{path}“ gibt es nicht.") from None
    except OSError as exc:
        raise PointsFileError(f"„{path}“ lässt sich nicht lesen ({exc.strerror}).") from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise PointsFileError(f"„{path.name}“ ist leer.")
    first = lines[0]
    delimiter = ";" if ";" in first else "\t" if "\t" in first else ","
    rows = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter))
    columns = (0, 1, 2)
    start = 0
    header = [cell.strip().lower() for cell in rows[0]]
    if _number(rows[0][1] if len(rows[0]) > 1 else "") is None:
        columns = (
            _find(header, _ID_NAMES, 0),
            _find(header, _LAT_NAMES, 1),
            _find(header, _LON_NAMES, 2),
        )
        start = 1
    points: list[Point] = []
    seen: set[str] = set()
    for number, row in enumerate(rows[start:], start=start + 1):
        if len(row) <= max(columns):
            raise PointsFileError(f"„{path.name}“, Zeile {number}: erwartet id;lat;lon.")
        ident = row[columns[0]].strip()
        lat, lon = _number(row[columns[1]]), _number(row[columns[2]])
        if not ident:
            raise PointsFileError(f"„{path.name}“, Zeile {number}: die id fehlt.")
        if ident in seen:
            raise PointsFileError(f"„{path.name}“, Zeile {number}: id „{ident}“ doppelt.")
        if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise PointsFileError(
                f"„{path.name}“, Zeile {number}: „{row[columns[1]]}“/„{row[columns[2]]}“ ist "
                "keine Breite/Länge in Grad (z. B. 50,6788;8,3049)."
            )
        seen.add(ident)
        points.append(Point(ident, lat, lon))
    if len(points) < 2:
        raise PointsFileError(f"„{path.name}“: mindestens zwei Punkte nötig.")
    return points


def _find(header: Sequence[str], names: set[str], default: int) -> int:
    return next((i for i, cell in enumerate(header) if cell in names), default)


def _number(text: str) -> float | None:
    try:
        value = float(text.strip().replace(",", "."))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def write_matrix(points: Sequence[Point], travel: RoadTravelTimes, out: Path) -> MatrixReport:
    """Every ordered pair into ``out`` and the snap distances beside it."""
    coords = [(p.lat, p.lon) for p in points]
    table = travel.road_table(coords, coords)
    no_route = int(np.isnan(table.seconds).sum() - np.isnan(np.diag(table.seconds)).sum())
    write_csv(out, MATRIX_COLUMNS, _pairs(points, table))
    snap_file = out.with_name(f"{out.stem}_punkte{out.suffix or '.csv'}")
    write_csv(snap_file, SNAP_COLUMNS, _snaps(points, table))
    far = tuple(
        (p.id, s) for p, s in zip(points, table.origin_snap_m, strict=True)
        if s > settings.ROADS_SNAP_WARN_M
    )  # fmt: skip
    return MatrixReport(
        len(points), len(points) * (len(points) - 1), no_route, far,
        max(table.origin_snap_m, default=0.0), snap_file,
    )  # fmt: skip


def _pairs(points: Sequence[Point], table: Table) -> Iterator[dict[str, str]]:
    seconds, metres = table.seconds, table.metres
    for i, origin in enumerate(points):
        for j, destination in enumerate(points):
            if i == j:
                continue
            s, m = seconds[i, j], metres[i, j]
            yield {
                "von": origin.id,
                "nach": destination.id,
                "sekunden": "" if math.isnan(s) else str(round(s)),
                "meter": "" if math.isnan(m) else str(round(m)),
            }


def _snaps(points: Sequence[Point], table: Table) -> Iterator[dict[str, str]]:
    for point, snap, at in zip(points, table.origin_snap_m, table.origin_snapped, strict=True):
        yield {
            "id": point.id,
            "lat": f"{point.lat:.6f}".replace(".", ","),
            "lon": f"{point.lon:.6f}".replace(".", ","),
            "strasse_lat": f"{at[0]:.6f}".replace(".", ","),
            "strasse_lon": f"{at[1]:.6f}".replace(".", ","),
            "abstand_m": str(round(snap)),
        }
