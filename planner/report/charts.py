"""Geometry of the status report's charts: coordinates for SVG the template draws.

No markup here: the functions turn figures into numbers and path strings (the SVG
``d`` and ``points`` attributes); ``status.html.j2`` writes the elements. Everything is
computed offline from the embedded municipality boundaries.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

import numpy as np
import shapely
from shapely.geometry import Point, shape
from shapely.geometry import box as box_of
from shapely.geometry.base import BaseGeometry
from shapely.ops import polylabel

from planner import geodata

#: Okabe–Ito colours (distinguishable with colour-vision deficiencies), then repeated.
SERIES_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9")
#: Dash patterns, so the lines stay apart on a black-and-white print (the line of all
#: regions is solid).
SERIES_DASHES = ("7 3", "2 3", "9 3 2 3", "4 2", "12 3", "1 2")
#: Reached share classes of the map (lower bounds) and their fill, light to dark.
MAP_CLASSES: tuple[tuple[float, str], ...] = (
    (0.0, "#f1eef6"),
    (0.2, "#bdc9e1"),
    (0.4, "#74a9cf"),
    (0.6, "#2b8cbe"),
    (0.8, "#045a8d"),
)
#: Simplification of the boundaries (degrees, about 50 m): far below a pixel at A4 scale.
_SIMPLIFY_DEG = 0.0005


# --------------------------------------------------------------------------- line chart


@dataclass(frozen=True)
class Tick:
    at: float  # x or y in the SVG
    label: str
    anchor: str = "middle"  # text-anchor: the last date label ends at the plot's edge


@dataclass(frozen=True)
class Marker:
    x: float
    y: float
    title: str  # tooltip: "Dill-Nord, 22.11.2026: 41 %"


@dataclass(frozen=True)
class Line:
    label: str
    colour: str
    dash: str
    width: float
    segments: tuple[str, ...]  # "x,y x,y …" per unbroken run (a hidden point breaks it)
    markers: tuple[Marker, ...]


@dataclass(frozen=True)
class LineChart:
    width: int
    height: int
    left: float  # plot area
    top: float
    right: float
    bottom: float
    y_ticks: tuple[Tick, ...]
    x_ticks: tuple[Tick, ...]
    lines: tuple[Line, ...]


def line_chart(
    days: Sequence[date],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    day_label: Callable[[date], str],
    value_label: Callable[[float], str],
    width: int = 700,
    height: int = 200,
    emphasise_first: bool = True,
) -> LineChart:
    """Shares (0–1, None: not shown) over ``days``, one line per series. The first series
    (all regions) is drawn black and thicker when ``emphasise_first``."""
    left, top, right, bottom = 40.0, 10.0, width - 10.0, height - 28.0
    span = max(1, (days[-1] - days[0]).days) if days else 1

    def x(day: date) -> float:
        if len(days) < 2:
            return (left + right) / 2
        return round(left + (right - left) * (day - days[0]).days / span, 1)

    def y(value: float) -> float:
        return round(bottom - (bottom - top) * value, 1)

    y_ticks = tuple(Tick(y(v / 100), f"{v} %") for v in (0, 25, 50, 75, 100))
    step = max(1, math.ceil(len(days) / 10))  # at most about ten date labels
    shown = [d for i, d in enumerate(days) if i % step == 0 or i == len(days) - 1]
    if len(shown) >= 2 and (shown[-1] - shown[-2]).days * 9 < span and len(days) > 2:
        shown.pop(-2)  # the last label would overlap the one before it
    x_ticks = tuple(
        Tick(x(d), day_label(d), "end" if d == days[-1] and len(days) > 1 else "middle")
        for d in shown
    )
    lines = []
    for i, (label, values) in enumerate(series):
        first = emphasise_first and i == 0
        k = i - 1 if emphasise_first else i
        runs: list[list[str]] = [[]]
        markers = []
        for day, value in zip(days, values, strict=True):
            if value is None:
                runs.append([])
                continue
            runs[-1].append(f"{x(day)},{y(value)}")
            markers.append(
                Marker(x(day), y(value), f"{label}, {day:%d.%m.%Y}: {value_label(value)}")
            )
        lines.append(
            Line(
                label,
                "#000000" if first else SERIES_COLOURS[k % len(SERIES_COLOURS)],
                "" if first else SERIES_DASHES[k % len(SERIES_DASHES)],
                2.6 if first else 1.8,
                tuple(" ".join(run) for run in runs if run),
                tuple(markers),
            )
        )
    return LineChart(width, height, left, top, right, bottom, y_ticks, x_ticks, tuple(lines))


# --------------------------------------------------------------------------- map


@dataclass(frozen=True)
class Area:
    """One municipality drawn on the map."""

    ags: str
    name: str
    path: str  # SVG path data
    label_x: float
    label_y: float


@dataclass(frozen=True)
class Outline:
    width: int
    height: int
    areas: tuple[Area, ...]


def share_colour(share: float) -> str:
    """Fill of a municipality on the map for a reached share (0–1)."""
    colour = MAP_CLASSES[0][1]
    for lower, fill in MAP_CLASSES:
        if share >= lower:
            colour = fill
    return colour


#: Label size on the map (SVG units of the 420 wide map): font size and line height.
LABEL_FONT = 10.5
LABEL_LINE = 12.0


@lru_cache(maxsize=4)
def municipality_outline(width: int = 420) -> Outline:
    """The 23 municipalities projected into a ``width`` px wide box (north up), each with
    a point for its label: inside the municipality and clear of the other labels."""
    features: list[dict[str, Any]] = geodata.municipality_geojson()["features"]
    shapes = {f["properties"]["ags"]: shape(f["geometry"]) for f in features}
    names = {f["properties"]["ags"]: str(f["properties"]["name"]) for f in features}
    min_lon, min_lat, max_lon, max_lat = _bounds([g.bounds for g in shapes.values()])
    # Equirectangular around the district's middle latitude: error far below a pixel.
    kx = math.cos(math.radians((min_lat + max_lat) / 2))
    margin = 4.0
    scale = (width - 2 * margin) / ((max_lon - min_lon) * kx)
    height = math.ceil((max_lat - min_lat) * scale + 2 * margin)

    def project(lon: float, lat: float) -> tuple[float, float]:
        return (
            round(margin + (lon - min_lon) * kx * scale, 1),
            round(margin + (max_lat - lat) * scale, 1),
        )

    paths: dict[str, str] = {}
    projected: dict[str, BaseGeometry] = {}
    for ags in sorted(shapes):
        geometry = shapes[ags].simplify(_SIMPLIFY_DEG, preserve_topology=True)
        parts = []
        for polygon in getattr(geometry, "geoms", [geometry]):
            for ring in (polygon.exterior, *polygon.interiors):
                xy = [project(lon, lat) for lon, lat in ring.coords]
                parts.append("M" + " L".join(f"{px},{py}" for px, py in xy) + " Z")
        paths[ags] = " ".join(parts)
        projected[ags] = shapely.transform(
            geometry, lambda c: np.array([project(lon, lat) for lon, lat in c]).reshape(-1, 2)
        )
    spots = _label_spots(projected, names)
    areas = tuple(Area(ags, names[ags], paths[ags], *spots[ags]) for ags in sorted(shapes))
    return Outline(width, height, areas)


def _label_spots(
    areas: dict[str, BaseGeometry], names: dict[str, str]
) -> dict[str, tuple[float, float]]:
    """Where each label goes (its first line's baseline centre), greedily: larger areas
    first, each at the first candidate whose two-line box stays clear of the labels placed
    so far – the pole of inaccessibility, then points around it inside the area."""
    placed: list[BaseGeometry] = []
    spots: dict[str, tuple[float, float]] = {}
    for ags in sorted(areas, key=lambda a: -areas[a].area):
        area = areas[ags]
        largest = max(getattr(area, "geoms", [area]), key=lambda g: g.area)
        pole = polylabel(largest, tolerance=0.5)
        half = 0.3 * LABEL_FONT * len(names[ags])  # half the text width (average glyph)
        candidates = [(pole.x + dx, pole.y + dy) for dy in _OFFSETS for dx in _OFFSETS]
        best = candidates[0]
        for x, y in sorted(candidates, key=lambda p: (p[0] - pole.x) ** 2 + (p[1] - pole.y) ** 2):
            box = box_of(x - half, y - LABEL_FONT, x + half, y + LABEL_LINE)
            if largest.contains(Point(x, y)) and not any(box.intersects(b) for b in placed):
                best = (x, y)
                break
        x, y = best
        placed.append(box_of(x - half, y - LABEL_FONT, x + half, y + LABEL_LINE))
        spots[ags] = (round(x, 1), round(y + LABEL_FONT / 3, 1))
    return spots


#: Shifts (SVG units) tried around the pole of inaccessibility, nearest first.
_OFFSETS = (0.0, -8.0, 8.0, -16.0, 16.0, -24.0, 24.0)


def _bounds(boxes: Sequence[tuple[float, float, float, float]]) -> tuple[float, ...]:
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )
