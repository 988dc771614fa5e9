"""Embedded Lahn-Dill geodata: counts, consistency, geometry and reproducible build."""

from __future__ import annotations

import importlib.util
import itertools
import math
import re
from pathlib import Path
from types import ModuleType

import pytest
from rapidfuzz.distance import OSA
from shapely.geometry import Point

from planner import geodata, settings
from planner.geocode.normalize import name_key

SHARED = Path("/work/shared/data/lahn-dill")
REPO = Path(__file__).resolve().parent.parent
GENERATED = (
    "places.csv",
    "municipalities.csv",
    "plz.csv",
    "district.geojson",
    "municipalities.geojson",
    "README.md",
)


def _build_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "build_geodata", REPO / "scripts" / "build_geodata.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --------------------------------------------------------------------------- counts


def test_counts() -> None:
    assert len(geodata.municipalities()) == 23
    assert len(geodata.places()) == 162
    assert len(geodata.plz_index()) == 39
    assert len({m.ags for m in geodata.municipalities()}) == 23
    assert {p.kind for p in geodata.places()} == {"kernort", "ortsteil", "stadtbezirk_kernstadt"}


def test_loaders_are_cached_and_immutable() -> None:
    assert geodata.places() is geodata.places()
    with pytest.raises(AttributeError):
        geodata.places()[0].lat = 0.0  # type: ignore[misc]


def test_places_reference_their_municipality() -> None:
    by_ags = geodata.municipality_by_ags()
    for place in geodata.places():
        assert by_ags[place.ags].name == place.municipality
        assert place.plz in place.plz_candidates
        assert set(place.plz_candidates) == set(by_ags[place.ags].plz)


def test_plz_index_is_consistent_with_municipalities() -> None:
    index = geodata.plz_index()
    for municipality in geodata.municipalities():
        for plz in municipality.plz:
            assert index[plz] == (municipality.ags,)
    assert sum(len(m.plz) for m in geodata.municipalities()) == len(index)
    assert len(index["35578"]) == 1 and len(geodata.municipality_by_ags()["06532023"].plz) == 10


def test_duplicate_village_names_are_the_known_five() -> None:
    names = [p.name for p in geodata.places()]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    assert duplicates == ["Allendorf", "Altenkirchen", "Oberndorf", "Roth", "Seelbach"]


# --------------------------------------------------------------------------- geometry


def test_every_place_lies_in_the_district_and_its_own_municipality() -> None:
    district = geodata.district_shape()
    shapes = geodata.municipality_shapes()
    for place in geodata.places():
        point = Point(place.lon, place.lat)
        assert district.covers(point), place
        assert shapes[place.ags].covers(point), place
        assert geodata.contains(place.lat, place.lon)
        found = geodata.municipality_at(place.lat, place.lon)
        assert found is not None and found.ags == place.ags, place


def test_municipality_points_lie_in_their_municipality() -> None:
    for m in geodata.municipalities():
        assert geodata.municipality_shapes()[m.ags].covers(Point(m.lon, m.lat)), m
        kernort = [p for p in geodata.places() if p.ags == m.ags and p.kind == "kernort"]
        if kernort:
            assert (m.lat, m.lon, m.point) == (kernort[0].lat, kernort[0].lon, "kernort")
        else:
            assert m.point == "bkg_polygon_point"


def test_postcode_centroids_lie_in_their_municipality() -> None:
    for p in geodata.postcodes():
        found = geodata.municipality_at(p.lat, p.lon)
        assert found is not None and found.ags == p.ags


@pytest.mark.parametrize(
    ("lat", "lon"),
    [
        (50.5841, 8.6784),  # Gießen
        (50.8021, 8.7670),  # Marburg
        (50.8748, 8.0245),  # Siegen
        (50.1109, 8.6821),  # Frankfurt am Main
        (8.5, 50.55),  # lat/lon swapped
        (math.nan, 8.4),
        (95.0, 8.4),
    ],
)
def test_points_outside(lat: float, lon: float) -> None:
    assert not geodata.contains(lat, lon)
    assert geodata.municipality_at(lat, lon) is None


def _move(
    lat: float, lon: float, bearing: tuple[float, float], metres: float
) -> tuple[float, float]:
    dlat = bearing[1] * metres / 111_195
    dlon = bearing[0] * metres / (111_195 * math.cos(math.radians(lat)))
    return lat + dlat, lon + dlon


def test_border_tolerance() -> None:
    """A point ~150 m outside the generalised border counts as inside, 2 km does not."""
    district = geodata.district_shape()
    centre = district.centroid
    checked = 0
    for lon, lat in list(district.exterior.coords)[::25]:  # type: ignore[attr-defined]
        dx, dy = lon - centre.x, lat - centre.y
        norm = math.hypot(dx, dy)
        bearing = (dx / norm, dy / norm)
        near = _move(lat, lon, bearing, 150)
        far = _move(lat, lon, bearing, 2000)
        if district.covers(Point(near[1], near[0])) or district.covers(Point(far[1], far[0])):
            continue  # concave stretch: moving "outwards" re-enters the polygon
        if district.distance(Point(far[1], far[0])) * 70_000 < 1000:
            continue
        assert geodata.contains(*near)
        assert geodata.municipality_at(*near) is not None
        assert not geodata.contains(*far)
        checked += 1
    assert checked >= 10


def test_geojson_has_slim_properties_and_six_decimals() -> None:
    district = geodata.district_geojson()
    assert [f["properties"] for f in district["features"]] == [
        {"ags": "06532", "name": "Lahn-Dill-Kreis"}
    ]
    towns = geodata.municipality_geojson()["features"]
    assert sorted(f["properties"]["ags"] for f in towns) == sorted(
        m.ags for m in geodata.municipalities()
    )
    assert all(set(f["properties"]) == {"ags", "name"} for f in towns)
    for name in ("district.geojson", "municipalities.geojson", "places.csv", "plz.csv"):
        text = (settings.GEODATA_DIR / name).read_text(encoding="utf-8")
        assert not re.search(r"\d\.\d{7,}", text), name


# --------------------------------------------------------------------------- hand-made lists


def test_aliases_point_to_real_places() -> None:
    by_name = {m.name for m in geodata.municipalities()}
    places = {(p.name, p.municipality) for p in geodata.places()}
    for alias in geodata.aliases():
        assert alias.municipality in by_name, alias
        assert not alias.name or (alias.name, alias.municipality) in places, alias
        assert alias.note, alias


def test_outside_places_do_not_shadow_district_names() -> None:
    inside = {name_key(p.name) for p in geodata.places()}
    inside |= {name_key(m.name) for m in geodata.municipalities()}
    inside |= {name_key(a.alias) for a in geodata.aliases()}
    outside = [name_key(o.name) for o in geodata.outside_places()]
    assert len(outside) == len(set(outside))
    assert not inside & set(outside)


def test_real_names_are_more_than_one_typo_apart() -> None:
    """The typo threshold (one edit) can never turn one real name into another."""
    keys = {name_key(p.name) for p in geodata.places()}
    keys |= {name_key(m.name) for m in geodata.municipalities()}
    keys |= {name_key(a.alias) for a in geodata.aliases()}
    close = [(a, b) for a, b in itertools.combinations(sorted(keys), 2) if OSA.distance(a, b) < 2]
    assert close == []


# --------------------------------------------------------------------------- provenance


def test_readme_carries_attribution_and_limits() -> None:
    text = (settings.GEODATA_DIR / "README.md").read_text(encoding="utf-8")
    for line in (
        "© OpenStreetMap contributors, ODbL",
        "© GeoBasis-DE / BKG",
        "© Statistisches Bundesamt (Destatis), dl-de/by-2-0",
        "GeoNames",
        "CC BY 4.0",
        "Hochelheim",
        "scripts/build_geodata.py",
    ):
        assert line in text
    geonames = [p for p in geodata.places() if p.source.startswith("geonames:")]
    assert sorted(p.name for p in geonames) == ["Breitscheid", "Hörnsheim"]


@pytest.mark.skipif(not (SHARED / "ortsteile.csv").is_file(), reason="shared source data absent")
def test_build_script_reproduces_committed_files(tmp_path: Path) -> None:
    script = _build_script()
    assert script.main([str(SHARED), "--out", str(tmp_path)]) == 0
    for name in GENERATED:
        assert (tmp_path / name).read_bytes() == (settings.GEODATA_DIR / name).read_bytes(), name
    # Hand-maintained files are not generated (and so never overwritten).
    assert not (tmp_path / "aliases.csv").exists()
