"""Regions: every municipality in exactly one region; outlines cover the district."""

from __future__ import annotations

import pytest
from shapely.geometry import shape

from planner import geodata
from planner.regions import DEFAULT_REGIONS, RegionMap


def test_default_regions_cover_all_23_municipalities_once() -> None:
    regions = RegionMap()
    names = [m.name for m in geodata.municipalities()]
    assert len(names) == 23
    assert regions.missing(names) == []
    members = [m for _, ms in DEFAULT_REGIONS for m in ms]
    assert sorted(members) == sorted(names)


def test_region_lookup() -> None:
    regions = RegionMap()
    assert regions.region_of("Haiger") == "Dill-Nord"
    assert regions.region_of("Herborn") == "Dill-Mitte"
    assert regions.region_of("Wetzlar") == "Lahn-Süd"


def test_a_municipality_in_two_regions_is_refused() -> None:
    with pytest.raises(ValueError, match="zwei Regionen"):
        RegionMap((("A", ("Haiger",)), ("B", ("Haiger",))))


def test_outlines_are_polygons_covering_the_district() -> None:
    outlines = RegionMap().outlines()
    assert set(outlines) == {"Dill-Nord", "Dill-Mitte", "Lahn-Süd"}
    union_area = sum(shape(g).area for g in outlines.values())
    district = geodata.district_shape().area
    assert abs(union_area - district) / district < 0.03
