"""Offline address index from an OpenStreetMap extract: pyosmium into one SQLite file.

What is kept:

* **addresses** – every object with ``addr:housenumber`` and ``addr:street`` (or
  ``addr:place`` in hamlets without street names): nodes at their position, buildings at
  their polygon's centroid;
* **streets** – named roads (``highway=*`` with ``name``), grouped per *street instance*:
  ways of one name that touch or lie within ``STREET_SAME_NAME_JOIN_M`` of each other are
  one street, the same name two villages away is another. Each instance keeps its
  midpoint on the road, its extent and the postcodes and towns of its addresses, which
  later tell the Hauptstraße of Seelbach from the one of Roth.

Names are stored as written and as a comparison key (:func:`street_key`: "Hauptstr." and
"Haupt-Straße" share one). The reader is :mod:`planner.geocode.osm_addresses`.
"""

from __future__ import annotations

import math
import re
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import shapely
from shapely.geometry import LineString, MultiLineString, Point, Polygon
from shapely.ops import linemerge

from planner import settings
from planner.geocode.normalize import fold, name_key, normalize_street
from planner.roads.errors import ExtractUnreadable

__all__ = ["INDEX_VERSION", "IndexStats", "build_index", "house_number_key", "street_key"]

#: Bumped when the schema or the meaning of a column changes (forces a re-import).
INDEX_VERSION = 1

Progress = Callable[[str], None]
_M_PER_DEG = math.pi / 180 * 6_371_008.8
#: Roads that have house addresses; motorways and tracks do not.
_STREET_CLASSES = frozenset(
    {
        "residential", "living_street", "unclassified", "tertiary", "secondary", "primary",
        "trunk", "service", "pedestrian", "road", "tertiary_link", "secondary_link",
        "primary_link", "track", "footway", "path", "cycleway", "steps",
    }
)  # fmt: skip
#: An address joins the street instance of its name within this distance (m).
_ADDRESS_TO_STREET_M = 1_000.0
_NUMBER = re.compile(r"^\s*(\d+)\s*(.*)$")


def street_key(text: str) -> str:
    """Comparison key of a street name: "Hauptstr." = "Haupt-Straße" = "hauptstrasse"."""
    return name_key(normalize_street(text))


def house_number_key(text: str) -> str:
    """Comparison key of a house number: "12 A" = "12a"; "12-14" stays "12-14"."""
    return fold(text).replace(" ", "")


def _split_number(text: str) -> tuple[int | None, str]:
    match = _NUMBER.match(text)
    if match is None:
        return None, house_number_key(text)
    return int(match.group(1)), house_number_key(match.group(2))


@dataclass(frozen=True)
class IndexStats:
    addresses: int
    streets: int  # street instances
    names: int  # distinct street names


@dataclass
class _Address:
    """Scratch record while scanning (mutable, never leaves this module)."""

    street: str
    housenumber: str
    postcode: str
    city: str
    lat: float
    lon: float
    osm: str


@dataclass
class _Street:
    name: str
    lines: list[list[tuple[float, float]]] = field(default_factory=list)  # (lon, lat)


def build_index(
    pbf: Path,
    db_path: Path,
    *,
    progress: Progress = lambda _: None,
    skip: Callable[[str], bool] | None = None,
) -> IndexStats:
    """Scan ``pbf`` and write the index to ``db_path`` (replaced if present).

    ``skip`` receives each address's OSM id ("n123", "w45") and may leave it out (the
    benchmark holds addresses back to measure what the index makes of unknown ones).
    """
    addresses, streets = _scan(pbf, skip)
    progress(f"{len(addresses)} Adressen und {len(streets)} Straßennamen gelesen …")
    instances = _assign(addresses, _instances(streets))
    db_path.unlink(missing_ok=True)
    db = sqlite3.connect(db_path)
    try:
        with db:
            _write(db, instances)
    finally:
        db.close()
    names = len({i.key for i in instances})
    return IndexStats(len(addresses), len(instances), names)


# --------------------------------------------------------------------------- scan


def _scan(
    pbf: Path, skip: Callable[[str], bool] | None
) -> tuple[list[_Address], dict[str, _Street]]:
    import osmium

    addresses: list[_Address] = []
    streets: dict[str, _Street] = {}
    wanted = osmium.filter.KeyFilter("addr:housenumber", "highway")
    processor = (
        osmium.FileProcessor(str(pbf))
        .with_areas(osmium.filter.KeyFilter("addr:housenumber"))
        .with_filter(wanted)
    )
    try:
        for obj in processor:
            tags = obj.tags
            if "addr:housenumber" in tags:
                record = _address(obj, tags)
                if record is not None and not (skip and skip(record.osm)):
                    addresses.append(record)
            named_road = "highway" in tags and "name" in tags
            if (
                isinstance(obj, osmium.osm.Way)
                and named_road
                and tags["highway"] in _STREET_CLASSES
            ):
                line = _way_line(obj)
                if len(line) >= 2:
                    key = street_key(tags["name"])
                    streets.setdefault(key, _Street(tags["name"])).lines.append(line)
    except RuntimeError as exc:  # pyosmium reports a broken file as RuntimeError
        raise ExtractUnreadable(
            f"„{pbf.name}“ ist beim Lesen abgebrochen (Datei beschädigt?): {exc}"
        ) from exc
    return addresses, streets


def _address(obj: object, tags: object) -> _Address | None:
    get = tags.get  # type: ignore[attr-defined]
    street = (get("addr:street") or get("addr:place") or "").strip()
    number = (get("addr:housenumber") or "").strip()
    if not street or not number:
        return None
    position = _position(obj)
    if position is None:
        return None
    lon, lat = position
    city = (get("addr:city") or get("addr:place") or get("addr:suburb") or "").strip()
    kind = obj.type_str()  # type: ignore[attr-defined]
    if kind == "a":  # an area: only multipolygon relations (ways are read as ways)
        if obj.from_way():  # type: ignore[attr-defined]
            return None
        osm = f"r{obj.orig_id()}"  # type: ignore[attr-defined]
    else:
        osm = f"{kind}{obj.id}"  # type: ignore[attr-defined]
    return _Address(street, number, (get("addr:postcode") or "").strip(), city, lat, lon, osm)


def _position(obj: object) -> tuple[float, float] | None:
    """(lon, lat) of an address: the node, or the centroid of the building."""
    try:
        if obj.is_node():  # type: ignore[attr-defined]
            location = obj.location  # type: ignore[attr-defined]
            return (location.lon, location.lat) if location.valid() else None
        if obj.is_way():  # type: ignore[attr-defined]
            line = _way_line(obj)
            if len(line) >= 4 and line[0] == line[-1]:
                centroid = Polygon(line).centroid
                if not centroid.is_empty:
                    return centroid.x, centroid.y
            if line:
                return (
                    sum(p[0] for p in line) / len(line),
                    sum(p[1] for p in line) / len(line),
                )
            return None
        if obj.is_area():  # type: ignore[attr-defined]
            rings = [
                [(n.lon, n.lat) for n in ring]
                for ring in obj.outer_rings()  # type: ignore[attr-defined]
            ]
            polygons = [Polygon(r) for r in rings if len(r) >= 4]
            if polygons:
                largest = max(polygons, key=lambda p: p.area)
                return largest.centroid.x, largest.centroid.y
    except Exception:  # noqa: BLE001 - osmium raises InvalidLocationError for missing nodes
        return None
    return None


def _way_line(way: object) -> list[tuple[float, float]]:
    line: list[tuple[float, float]] = []
    for node in way.nodes:  # type: ignore[attr-defined]
        location = node.location
        if location.valid():
            line.append((location.lon, location.lat))
    return line


# --------------------------------------------------------------------------- street instances


@dataclass
class _Instance:
    name: str
    key: str
    geometry: MultiLineString | None  # None: known only from addresses
    points: list[tuple[float, float]] = field(default_factory=list)  # address (lon, lat)
    addresses: list[_Address] = field(default_factory=list)


def _metres(lon_a: float, lat_a: float, lon_b: float, lat_b: float) -> float:
    kx = _M_PER_DEG * math.cos(math.radians((lat_a + lat_b) / 2))
    return math.hypot((lon_a - lon_b) * kx, (lat_a - lat_b) * _M_PER_DEG)


def _instances(streets: dict[str, _Street]) -> list[_Instance]:
    """Split each name's ways into connected groups (namesakes in other villages apart)."""
    out: list[_Instance] = []
    for key in sorted(streets):
        street = streets[key]
        lines = [LineString(line) for line in street.lines]
        for members in sorted(_connected(lines), key=lambda g: g[0].coords[0]):
            out.append(_Instance(street.name, key, MultiLineString(members)))
    return out


def _connected(lines: list[LineString]) -> list[list[LineString]]:
    """Groups of lines within ``STREET_SAME_NAME_JOIN_M`` of each other (union–find)."""
    # The distance is in latitude degrees; east–west the same degrees are fewer metres
    # (≈ 160 m at 50° N), which only joins less: namesakes never merge.
    join_deg = settings.STREET_SAME_NAME_JOIN_M / _M_PER_DEG
    parent = list(range(len(lines)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    pairs = shapely.STRtree(lines).query(lines, predicate="dwithin", distance=join_deg)
    for a, b in zip(pairs[0], pairs[1], strict=True):
        root_a, root_b = find(int(a)), find(int(b))
        if root_a != root_b:
            parent[root_b] = root_a
    groups: dict[int, list[LineString]] = defaultdict(list)
    for i, line in enumerate(lines):
        groups[find(i)].append(line)
    return list(groups.values())


def _assign(addresses: Iterable[_Address], instances: list[_Instance]) -> list[_Instance]:
    """Attach every address to the nearest street instance of its name (or a new one)."""
    by_key: dict[str, list[_Instance]] = defaultdict(list)
    for instance in instances:
        by_key[instance.key].append(instance)
    for address in sorted(addresses, key=lambda a: a.osm):
        key = street_key(address.street)
        point = Point(address.lon, address.lat)
        best: tuple[float, _Instance] | None = None
        for instance in by_key[key]:
            if instance.geometry is not None:
                nearest = shapely.ops.nearest_points(instance.geometry, point)[0]
                distance = _metres(nearest.x, nearest.y, address.lon, address.lat)
                limit = _ADDRESS_TO_STREET_M
            else:  # a street known only from its addresses ("Am Markt", hamlets)
                distance = min(_metres(x, y, address.lon, address.lat) for x, y in instance.points)
                limit = settings.HOUSE_INTERPOLATION_MAX_M
            if distance <= limit and (best is None or distance < best[0]):
                best = (distance, instance)
        if best is None:
            instance = _Instance(address.street, key, None)
            by_key[key].append(instance)
            instances.append(instance)
        else:
            instance = best[1]
        instance.points.append((address.lon, address.lat))
        instance.addresses.append(address)
    return instances


def _midpoint(instance: _Instance) -> tuple[float, float]:
    """A point on the street near its middle (lon, lat)."""
    if instance.geometry is None:
        xs = sorted(p[0] for p in instance.points)
        ys = sorted(p[1] for p in instance.points)
        centre = Point(xs[len(xs) // 2], ys[len(ys) // 2])
        nearest = min(
            instance.points, key=lambda p: (p[0] - centre.x) ** 2 + (p[1] - centre.y) ** 2
        )
        return nearest
    merged = linemerge(instance.geometry)
    parts = list(merged.geoms) if hasattr(merged, "geoms") else [merged]
    longest = max(parts, key=lambda g: g.length)
    middle = longest.interpolate(0.5, normalized=True)
    return middle.x, middle.y


def _length_m(instance: _Instance) -> float:
    if instance.geometry is None:
        return 0.0
    total = 0.0
    for line in instance.geometry.geoms:
        coords = list(line.coords)
        total += sum(
            _metres(a[0], a[1], b[0], b[1]) for a, b in zip(coords, coords[1:], strict=False)
        )
    return total


# --------------------------------------------------------------------------- SQLite


_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE streets (
    id INTEGER PRIMARY KEY, key TEXT NOT NULL, name TEXT NOT NULL,
    lat REAL NOT NULL, lon REAL NOT NULL,
    west REAL NOT NULL, south REAL NOT NULL, east REAL NOT NULL, north REAL NOT NULL,
    postcodes TEXT NOT NULL, cities TEXT NOT NULL, length_m REAL NOT NULL
);
CREATE TABLE addresses (
    id INTEGER PRIMARY KEY, street_id INTEGER NOT NULL REFERENCES streets(id),
    housenumber TEXT NOT NULL, hn_key TEXT NOT NULL, number INTEGER, suffix TEXT NOT NULL,
    postcode TEXT NOT NULL, city TEXT NOT NULL, lat REAL NOT NULL, lon REAL NOT NULL,
    osm TEXT NOT NULL
);
CREATE INDEX streets_key ON streets (key);
CREATE INDEX addresses_street ON addresses (street_id, hn_key);
"""


def _write(db: sqlite3.Connection, instances: list[_Instance]) -> None:
    db.executescript(_SCHEMA)
    db.execute("INSERT INTO meta VALUES ('version', ?)", (str(INDEX_VERSION),))
    ordered = sorted(instances, key=lambda i: (i.key, _midpoint(i)))
    for street_id, instance in enumerate(ordered, start=1):
        lon, lat = _midpoint(instance)
        xs = [p[0] for p in instance.points]
        ys = [p[1] for p in instance.points]
        if instance.geometry is not None:
            west, south, east, north = instance.geometry.bounds
            xs += [west, east]
            ys += [south, north]
        postcodes = Counter(a.postcode for a in instance.addresses if a.postcode)
        cities = Counter(fold(a.city) for a in instance.addresses if a.city)
        names = Counter(a.street for a in instance.addresses)
        # The road's own name is the canonical spelling; addresses may abbreviate.
        name = instance.name if instance.geometry is not None else names.most_common(1)[0][0]
        db.execute(
            "INSERT INTO streets VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                street_id, instance.key, name, lat, lon, min(xs), min(ys), max(xs), max(ys),
                "|".join(sorted(postcodes)), "|".join(sorted(cities)), _length_m(instance),
            ),
        )  # fmt: skip
        for address in sorted(instance.addresses, key=lambda a: a.osm):
            number, suffix = _split_number(address.housenumber)
            db.execute(
                "INSERT INTO addresses (street_id, housenumber, hn_key, number, suffix, "
                "postcode, city, lat, lon, osm) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (
                    street_id, address.housenumber, house_number_key(address.housenumber),
                    number, suffix, address.postcode, fold(address.city), address.lat,
                    address.lon, address.osm,
                ),
            )  # fmt: skip
