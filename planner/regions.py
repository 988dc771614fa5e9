"""Regions stage: group the 23 municipalities into the regions the team works in.

Default grouping — three regions along the district's two valleys, one per coach and
each reachable from one of the two job-centre offices:

* **Dill-Nord** (upper Dill valley and the Hessian Westerwald edge around Dillenburg):
  Haiger, Dietzhölztal, Eschenburg, Dillenburg, Siegbach, Breitscheid. Served from
  the Dillenburg office; the B 277 / A 45 run along the valley.
* **Dill-Mitte** (Herborn, the Westerwald plateau and the Aar/Dill side valleys down
  to the Dill's mouth): Herborn, Sinn, Driedorf, Mittenaar, Greifenstein,
  Ehringshausen, Bischoffen, Hohenahr. The hilly middle, 20–30 min from both offices.
* **Lahn-Süd** (the Lahn valley around Wetzlar and the Taunus edge south of it):
  Wetzlar, Aßlar, Solms, Braunfels, Leun, Lahnau, Hüttenberg, Schöffengrund,
  Waldsolms. Served from the Wetzlar office; most clients live here.

The grouping follows travel time, not the former Dillkreis/Kreis Wetzlar border. A team
file may override it (``[regionen]`` in the TOML).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from shapely.geometry import mapping
from shapely.ops import unary_union

from planner import geodata
from planner.model import GeocodedClient
from planner.settings import DEFAULT_REGIONS

UNASSIGNED = "ohne Region"


class RegionMap:
    """Municipality → region lookup; every municipality belongs to exactly one region."""

    def __init__(self, regions: Sequence[tuple[str, Sequence[str]]] = DEFAULT_REGIONS) -> None:
        self._regions = tuple((name, tuple(members)) for name, members in regions)
        self._by_municipality: dict[str, str] = {}
        for name, members in self._regions:
            for municipality in members:
                if municipality in self._by_municipality:
                    raise ValueError(
                        f"Gemeinde „{municipality}“ ist zwei Regionen zugeordnet "
                        f"({self._by_municipality[municipality]}, {name})"
                    )
                self._by_municipality[municipality] = name

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self._regions)

    def region_of(self, municipality: str) -> str:
        return self._by_municipality.get(municipality, UNASSIGNED)

    def missing(self, municipalities: Iterable[str]) -> list[str]:
        """Municipalities that no region covers (a misconfigured team file)."""
        return [m for m in municipalities if m not in self._by_municipality]

    def outlines(self) -> dict[str, dict[str, Any]]:
        """Region name → GeoJSON geometry (union of its municipalities' polygons)."""
        shapes = geodata.municipality_shapes()
        by_name = {m.name: m.ags for m in geodata.municipalities()}
        result: dict[str, dict[str, Any]] = {}
        for name, members in self._regions:
            polygons = [shapes[by_name[m]] for m in members if m in by_name]
            if polygons:
                # A tiny buffer closes slivers between the generalised polygons.
                merged = unary_union([p.buffer(0.0005) for p in polygons]).buffer(-0.0005)
                result[name] = dict(mapping(merged.simplify(0.0008)))
        return result


def assign_regions(
    geocoded: Sequence[GeocodedClient], regions: RegionMap | None = None
) -> tuple[GeocodedClient, ...]:
    """Fill ``Site.region`` for every located client."""
    regions = regions or RegionMap()
    return tuple(
        replace(g, site=replace(g.site, region=regions.region_of(g.site.municipality)))
        if g.site is not None
        else g
        for g in geocoded
    )
