"""A small offline map of one tour for the printed route sheet (SVG, no tiles).

Drawn from the embedded boundaries (:mod:`planner.geodata`): the district and the
municipality outlines, the municipality names, the legs of the tour (straight, or along
the roads when a leg geometry is at hand), the stops numbered in visit order, the
offices, a scale bar, north and the attribution. Black and grey only, so it prints on
any office printer; nothing is loaded from anywhere.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import shapely
from markupsafe import Markup
from shapely.geometry import LineString, box
from shapely.geometry.base import BaseGeometry

from planner import geodata
from planner.model import Tour
from planner.render._templates import render

LatLon = tuple[float, float]
#: The driven line of one leg (origin, destination → vertices), e.g. ``RoadOverlay.path``.
LegPath = Callable[[LatLon, LatLon], Sequence[LatLon]]

#: SVG user units per millimetre: coordinates are written in tenths of a millimetre.
_UNITS_PER_MM = 10
_EARTH_RADIUS_M = 6_371_008.8
_MIN_SPAN_M = 4_000.0  # a tour inside one village still shows its surroundings
_PAD_SHARE = 0.12  # room around the outermost points, share of the span
_SCALE_STEPS_M = (200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000)
_SAME_SPOT_UNITS = 14  # stops closer than 1.4 mm on the map share one marker
ATTRIBUTION_SHORT = "Grenzen © GeoBasis-DE / BKG · Orte © OpenStreetMap-Mitwirkende"


@dataclass(frozen=True)
class _Frame:
    """Local equirectangular projection of the map window (metres → SVG units)."""

    lat0: float
    lon0: float
    min_x: float  # window in metres around (lat0, lon0)
    min_y: float
    max_x: float
    max_y: float
    scale: float  # SVG units per metre

    @staticmethod
    def metres(lat: float, lon: float, lat0: float, lon0: float) -> tuple[float, float]:
        ky = math.pi / 180 * _EARTH_RADIUS_M
        return (lon - lon0) * ky * math.cos(math.radians(lat0)), (lat - lat0) * ky

    def xy(self, lat: float, lon: float) -> tuple[float, float]:
        x, y = self.metres(lat, lon, self.lat0, self.lon0)
        return self.svg(x, y)

    def svg(self, x: float, y: float) -> tuple[float, float]:
        return (x - self.min_x) * self.scale, (self.max_y - y) * self.scale


def minimap_svg(
    tour: Tour,
    *,
    leg_path: LegPath | None = None,
    width_mm: float = 72,
    height_mm: float = 62,
) -> Markup:
    """The tour's map as inline SVG markup (sized in millimetres)."""
    width, height = width_mm * _UNITS_PER_MM, height_mm * _UNITS_PER_MM
    legs = _legs(tour, leg_path)
    points = [p for leg in legs for p in leg] or [(tour.start_office.lat, tour.start_office.lon)]
    frame = _frame(points, width, height)
    window = box(frame.min_x, frame.min_y, frame.max_x, frame.max_y)
    # About 0.25 mm on paper: finer detail is invisible at this scale and costs PDF time.
    tolerance = (frame.max_x - frame.min_x) / 280
    district_fill, district_line, borders = _outlines(frame, window, tolerance)
    markers, offices = _markers(tour, frame), _offices(tour, frame)
    drawn = [
        (_polyline(frame, leg), straight)
        for leg, straight in zip(legs, _straight_flags(legs, leg_path), strict=True)
    ]
    svg = render(
        "sheet/minimap.svg.j2",
        width_mm=width_mm,
        height_mm=height_mm,
        width=width,
        height=height,
        title=f"Karte der Tour: {len(tour.stops)} Besuche in Reihenfolge",
        district_fill=district_fill,
        district_line=district_line,
        borders=borders,
        labels=_labels(frame, width, height, markers + offices, legs),
        # Each leg on its own white halo: where legs run side by side (out and back past
        # the same stop) the later one stays a clean line.
        legs=[{"d": d, "straight": straight} for d, straight in drawn],
        offices=offices,
        markers=markers,
        scale=_scale_bar(frame, width, height),
        attribution=ATTRIBUTION_SHORT,
        straight=leg_path is None,
    )
    return Markup(svg)


# --------------------------------------------------------------------------- geometry


def _legs(tour: Tour, leg_path: LegPath | None) -> list[list[LatLon]]:
    """Office → stops → office, one polyline per leg.

    Straight lines unless ``leg_path`` gives the driven line. (Should ``Stop`` one day
    carry its leg's geometry itself, this is the one place to read it.)
    """
    if not tour.stops:
        return []
    points = [(tour.start_office.lat, tour.start_office.lon)]
    points += [(s.visit.site.lat, s.visit.site.lon) for s in tour.stops]
    points.append((tour.end_office.lat, tour.end_office.lon))
    legs: list[list[LatLon]] = []
    for origin, destination in zip(points, points[1:], strict=False):
        if origin == destination:
            continue
        middle = list(leg_path(origin, destination)) if leg_path is not None else []
        legs.append([origin, *middle, destination])
    return legs


def _straight_flags(legs: Sequence[Sequence[LatLon]], leg_path: LegPath | None) -> list[bool]:
    """A leg is drawn dashed when it is a straight line (no road geometry for it)."""
    return [leg_path is None or len(leg) <= 2 for leg in legs]


def _frame(points: Sequence[LatLon], width: float, height: float) -> _Frame:
    lats, lons = [p[0] for p in points], [p[1] for p in points]
    lat0, lon0 = (min(lats) + max(lats)) / 2, (min(lons) + max(lons)) / 2
    xs, ys = zip(*(_Frame.metres(lat, lon, lat0, lon0) for lat, lon in points), strict=True)
    span_x = max(max(xs) - min(xs), _MIN_SPAN_M / 2)
    span_y = max(max(ys) - min(ys), _MIN_SPAN_M / 2)
    span_x += 2 * max(_PAD_SHARE * span_x, 800.0)
    span_y += 2 * max(_PAD_SHARE * span_y, 800.0)
    # Widen the narrower side so that metres are square on paper.
    if span_x / span_y < width / height:
        span_x = span_y * width / height
    else:
        span_y = span_x * height / width
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    return _Frame(
        lat0, lon0, cx - span_x / 2, cy - span_y / 2, cx + span_x / 2, cy + span_y / 2,
        width / span_x,
    )  # fmt: skip


@lru_cache(maxsize=1)
def _shapes() -> tuple[BaseGeometry, tuple[BaseGeometry, ...]]:
    return geodata.district_shape(), tuple(geodata.municipality_shapes().values())


def _project(geometry: BaseGeometry, frame: _Frame) -> BaseGeometry:
    ky = math.pi / 180 * _EARTH_RADIUS_M
    kx = ky * math.cos(math.radians(frame.lat0))

    def to_metres(coords: object) -> object:
        out = coords.copy()  # type: ignore[attr-defined]
        out[:, 0] = (coords[:, 0] - frame.lon0) * kx  # type: ignore[index]
        out[:, 1] = (coords[:, 1] - frame.lat0) * ky  # type: ignore[index]
        return out

    return shapely.transform(geometry, to_metres)


def _outlines(frame: _Frame, window: BaseGeometry, tolerance: float) -> tuple[str, str, str]:
    """SVG paths: the district area (fill), its outline, the municipality borders."""
    district, municipalities = _shapes()
    district_m = _project(district, frame).simplify(tolerance)
    fill = _path(frame, district_m.intersection(window), closed=True)
    line = _path(frame, district_m.boundary.intersection(window))
    borders = shapely.union_all(
        [_project(m, frame).simplify(tolerance).boundary for m in municipalities]
    ).intersection(window)
    return fill, line, _path(frame, borders)


def _path(frame: _Frame, geometry: BaseGeometry, *, closed: bool = False) -> str:
    """An SVG path ``d`` for lines or polygons (rings closed with ``Z``)."""
    parts: list[str] = []
    for part in getattr(geometry, "geoms", [geometry]):
        if part.is_empty:
            continue
        if part.geom_type == "Polygon":
            rings = [part.exterior, *part.interiors]
            parts.extend(_ring(frame, ring.coords) + "Z" for ring in rings)
        elif part.geom_type in ("LineString", "LinearRing"):
            parts.append(_ring(frame, part.coords) + ("Z" if closed else ""))
        elif hasattr(part, "geoms"):
            parts.append(_path(frame, part, closed=closed))
    return "".join(parts)


def _ring(frame: _Frame, coords: Sequence[tuple[float, ...]]) -> str:
    return _d([frame.svg(c[0], c[1]) for c in coords])


def _polyline(frame: _Frame, leg: Sequence[LatLon]) -> str:
    return _d([frame.xy(lat, lon) for lat, lon in leg])


def _d(points: Sequence[tuple[float, float]]) -> str:
    """Path data in whole units (0.1 mm), repeated points dropped."""
    rounded = [(round(x), round(y)) for x, y in points]
    kept = [p for i, p in enumerate(rounded) if i == 0 or p != rounded[i - 1]]
    return "M" + "L".join(f"{x} {y}" for x, y in kept)


# --------------------------------------------------------------------------- symbols


def _labels(
    frame: _Frame,
    width: float,
    height: float,
    symbols: Sequence[dict[str, object]],
    legs: Sequence[Sequence[LatLon]],
) -> list[dict[str, object]]:
    """Municipality names whose point lies well inside the window, larger towns first;
    a name that would touch a marker, an office, a leg or another name is left out."""
    taken = [_box(s) for s in symbols]
    lines = [LineString([frame.xy(lat, lon) for lat, lon in leg]) for leg in legs if len(leg) > 1]
    drawn = shapely.union_all(lines).buffer(6) if lines else None
    labels: list[dict[str, object]] = []
    for m in sorted(geodata.municipalities(), key=lambda m: -m.population):
        x, y = frame.xy(m.lat, m.lon)
        half = len(m.name) * 5.2  # about half the name's width at 1.7 mm type
        area = (x - half, y - 15, x + half, y + 5)
        inside = area[0] > 10 and area[2] < width - 10 and area[1] > 30 and area[3] < height - 50
        crossed = drawn is not None and drawn.intersects(box(*area))
        if inside and not crossed and not any(_overlap(area, other) for other in taken):
            taken.append(area)
            labels.append({"x": round(x, 1), "y": round(y, 1), "text": m.name})
    return labels


def _box(symbol: dict[str, object]) -> tuple[float, float, float, float]:
    x, y = float(symbol["x"]), float(symbol["y"])  # type: ignore[arg-type]
    half = float(symbol.get("w", 40)) / 2 + 4  # type: ignore[arg-type]
    return x - half, y - 26, x + half, y + 26


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _offices(tour: Tour, frame: _Frame) -> list[dict[str, object]]:
    seen: list[tuple[float, float]] = []
    for office in (tour.start_office, tour.end_office):
        x, y = frame.xy(office.lat, office.lon)
        if all(abs(x - a) > 1 or abs(y - b) > 1 for a, b in seen):
            seen.append((x, y))
    return [{"x": round(x, 1), "y": round(y, 1)} for x, y in seen]


def _markers(tour: Tour, frame: _Frame) -> list[dict[str, object]]:
    """One marker per spot; stops at the same spot (one village centre, one van stand)
    share it and list their numbers ("2,3")."""
    spots: list[tuple[float, float, list[int]]] = []
    for number, stop in enumerate(tour.stops, start=1):
        x, y = frame.xy(stop.visit.site.lat, stop.visit.site.lon)
        for sx, sy, numbers in spots:
            if math.hypot(sx - x, sy - y) < _SAME_SPOT_UNITS:
                numbers.append(number)
                break
        else:
            spots.append((x, y, [number]))
    markers: list[dict[str, object]] = []
    for x, y, numbers in spots:
        label = ",".join(str(n) for n in numbers)
        # A circle for one or two digits, a pill as wide as the label otherwise.
        width = max(44.0, 12.5 * len(label) + 20)
        markers.append(
            {"x": round(x, 1), "y": round(y, 1), "w": width, "label": label, "n": len(numbers)}
        )
    return markers


def _scale_bar(frame: _Frame, width: float, height: float) -> dict[str, object]:
    """A bar of a round length, about a quarter of the map wide."""
    target = (frame.max_x - frame.min_x) / 4
    metres = max((s for s in _SCALE_STEPS_M if s <= target), default=_SCALE_STEPS_M[0])
    length = metres * frame.scale
    text = f"{metres // 1000} km" if metres >= 1000 else f"{metres} m"
    return {"x": 24.0, "y": height - 26.0, "length": round(length, 1), "half": round(length / 2, 1),
            "label": text}  # fmt: skip


def cached_leg_path(path: LegPath) -> LegPath:
    """``path`` answering each (origin, destination) once: a sheet's HTML and its PDF
    draw the same legs."""
    memo: dict[tuple[LatLon, LatLon], Sequence[LatLon]] = {}

    def cached(origin: LatLon, destination: LatLon) -> Sequence[LatLon]:
        key = (origin, destination)
        if key not in memo:
            memo[key] = path(origin, destination)
        return memo[key]

    return cached
