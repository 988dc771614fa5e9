"""The area kept from an OpenStreetMap extract, with a point test fast enough for every node.

A Hessen extract has tens of millions of nodes; a shapely test per node would dominate
the import. The area is therefore rasterised once into a grid of about 200 × 200 cells
(a cell is in when its centre is): the margin is kilometres wide, so a cell's size at
the edge does not matter.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry

from planner import geodata, settings

_CELLS = 200
_EARTH_M_PER_DEG = math.pi / 180 * 6_371_008.8


@dataclass(frozen=True, eq=False)
class Area:
    """A polygon in lon/lat degrees and its raster for :meth:`inside`."""

    name: str  # German, for progress and the manifest ("Lahn-Dill-Kreis + 10 km")
    polygon: BaseGeometry
    west: float
    south: float
    east: float
    north: float
    _cells: bytes
    _dx: float
    _dy: float

    @classmethod
    def of(cls, polygon: BaseGeometry, name: str) -> Area:
        west, south, east, north = polygon.bounds
        dx = max((east - west) / _CELLS, 1e-9)
        dy = max((north - south) / _CELLS, 1e-9)
        xs = west + (np.arange(_CELLS) + 0.5) * dx
        ys = south + (np.arange(_CELLS) + 0.5) * dy
        grid_x, grid_y = np.meshgrid(xs, ys)  # row = y, column = x
        inside = shapely.contains_xy(polygon, grid_x, grid_y)
        return cls(
            name, polygon, west, south, east, north, inside.astype(np.uint8).tobytes(), dx, dy
        )

    def inside(self, lon: float, lat: float) -> bool:
        if not (self.west <= lon < self.east and self.south <= lat < self.north):
            return False
        column = min(int((lon - self.west) / self._dx), _CELLS - 1)
        row = min(int((lat - self.south) / self._dy), _CELLS - 1)
        return self._cells[row * _CELLS + column] == 1

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        """(west, south, east, north)."""
        return self.west, self.south, self.east, self.north

    def within_box(self, west: float, south: float, east: float, north: float) -> bool:
        """True when this area lies completely inside the box (the extract covers it)."""
        return (
            west <= self.west and south <= self.south and east >= self.east and north >= self.north
        )


def buffered(geometry: BaseGeometry, margin_m: float, name: str) -> Area:
    """``geometry`` (lon/lat) grown by ``margin_m`` metres, as an :class:`Area`."""
    centre = geometry.centroid
    kx = _EARTH_M_PER_DEG * math.cos(math.radians(centre.y))
    ky = _EARTH_M_PER_DEG

    def to_m(coords: Any) -> Any:
        out = coords.copy()
        out[:, 0] = (coords[:, 0] - centre.x) * kx
        out[:, 1] = (coords[:, 1] - centre.y) * ky
        return out

    def to_deg(coords: Any) -> Any:
        out = coords.copy()
        out[:, 0] = coords[:, 0] / kx + centre.x
        out[:, 1] = coords[:, 1] / ky + centre.y
        return out

    grown = shapely.transform(shapely.transform(geometry, to_m).buffer(margin_m, 16), to_deg)
    return Area.of(grown, name)


def district_area(margin_km: float = settings.ROADS_CLIP_MARGIN_KM) -> Area:
    """The Lahn-Dill-Kreis plus ``margin_km`` (default 10 km)."""
    district = shape(geodata.district_geojson()["features"][0]["geometry"])
    name = f"Lahn-Dill-Kreis + {margin_km:g} km".replace(".", ",")
    return buffered(district, margin_km * 1000, name)


def circle(lat: float, lon: float, radius_m: float, name: str) -> Area:
    """A circle around a point (tests and small regions)."""
    return buffered(Point(lon, lat), radius_m, name)
