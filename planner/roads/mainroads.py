"""The main roads of an extract as a small GeoJSON layer for the offline HTML map.

Motorways down to Kreisstraßen (``tertiary``), simplified to ``MAIN_ROADS_SIMPLIFY_M``
and rounded to 5 decimals (≈ 1 m): without any tile server a coach still sees the B 277,
the A 45 and the roads between the villages.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from shapely.geometry import LineString

from planner import settings
from planner.roads.area import Area
from planner.roads.errors import ExtractUnreadable

_M_PER_DEG = math.pi / 180 * 6_371_008.8
#: Drawing order and weight class: the first entries are drawn on top.
_RANK = {
    "motorway": 1, "motorway_link": 1, "trunk": 2, "trunk_link": 2,
    "primary": 3, "primary_link": 3, "secondary": 4, "secondary_link": 4, "tertiary": 5,
}  # fmt: skip


def main_roads(pbf: Path, area: Area | None = None) -> dict[str, Any]:
    """FeatureCollection of main road lines (property ``klasse``: 1 motorway … 5 tertiary)."""
    import osmium

    classes = frozenset(settings.MAIN_ROAD_CLASSES)
    tolerance = settings.MAIN_ROADS_SIMPLIFY_M / _M_PER_DEG
    features: list[tuple[int, str, dict[str, Any]]] = []
    processor = (
        osmium.FileProcessor(str(pbf))
        .with_locations()
        .with_filter(osmium.filter.KeyFilter("highway"))
        .with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
    )
    try:
        for way in processor:
            if not isinstance(way, osmium.osm.Way):
                continue
            kind = way.tags.get("highway", "")
            if kind not in classes:
                continue
            line = [(n.lon, n.lat) for n in way.nodes if n.location.valid()]
            if len(line) < 2:
                continue
            if area is not None and not any(
                area.inside(x, y) for x, y in line[:: max(1, len(line) // 4)]
            ):
                continue
            simple = LineString(line).simplify(tolerance, preserve_topology=False)
            coords = [[round(x, 5), round(y, 5)] for x, y in simple.coords]
            ref = way.tags.get("ref", "")
            properties = {"klasse": _RANK.get(kind, 5), "ref": ref}
            geometry = {"type": "LineString", "coordinates": coords}
            features.append(
                (
                    _RANK.get(kind, 5),
                    f"w{way.id}",
                    {"type": "Feature", "properties": properties, "geometry": geometry},
                )
            )
    except RuntimeError as exc:
        raise ExtractUnreadable(f"„{pbf.name}“ ist beim Lesen abgebrochen: {exc}") from exc
    # Minor roads first so major ones are drawn on top; OSM id keeps the order stable.
    features.sort(key=lambda item: (-item[0], item[1]))
    return {"type": "FeatureCollection", "features": [f for _, _, f in features]}
