#!/usr/bin/env python3
"""Derive the embedded Lahn-Dill geodata (``planner/resources/geo/``) from the shared folder.

Usage::

    python scripts/build_geodata.py [SOURCE_DIR] [--out OUT_DIR]

``SOURCE_DIR`` defaults to ``../shared/data/lahn-dill`` relative to the repository root,
``OUT_DIR`` to ``planner/resources/geo``. The output is deterministic: rows are sorted,
numbers are formatted with fixed precision and nothing depends on the clock or the
locale, so re-running the script on the same input gives byte-identical files.

The hand-maintained files in the output folder (``aliases.csv``, ``outside_places.csv``)
are never touched by this script.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from shapely.geometry import Point, shape

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = REPO_ROOT.parent / "shared" / "data" / "lahn-dill"
DEFAULT_OUT = REPO_ROOT / "planner" / "resources" / "geo"

EXPECTED_MUNICIPALITIES = 23
EXPECTED_PLACES = 162
DISTRICT_AGS = "06532"
COORD_DECIMALS = 6

# Kernort first, then the villages, then Wetzlar's inner-city quarters.
_KIND_ORDER = {"kernort": 0, "ortsteil": 1, "stadtbezirk_kernstadt": 2}


# --------------------------------------------------------------------------- helpers


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _csv_text(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def _coord(value: str | float) -> str:
    """Fixed 6-decimal text (≈ 0.1 m); fixed width keeps the output byte-stable."""
    return f"{float(value):.{COORD_DECIMALS}f}"


def _round_coords(coords: Any) -> Any:
    if isinstance(coords, (int, float)):
        return round(float(coords), COORD_DECIMALS)
    return [_round_coords(c) for c in coords]


def _place_source(row: Mapping[str, str]) -> str:
    """Short, licence-relevant source tag of a place point."""
    if row["source"] == "geonames":
        match = re.search(r"geonames:(\d+)", row["source_name"])
        if not match:
            raise ValueError(f"GeoNames row without id: {row['name']}")
        return f"geonames:{match.group(1)}"
    if row["source"] == "dart":
        # The Hessian place list whose values look like OSM/Nominatim output.
        return "osm"
    raise ValueError(f"unknown source {row['source']!r} for {row['name']}")


# --------------------------------------------------------------------------- builders


def _build_places(rows: list[dict[str, str]]) -> tuple[str, list[dict[str, str]]]:
    out = []
    for r in rows:
        out.append(
            {
                "name": r["name"],
                "municipality": r["gemeinde"],
                "ags": r["ags"],
                "kind": r["kind"],
                "lat": _coord(r["lat"]),
                "lon": _coord(r["lon"]),
                "plz": r["plz"],
                "plz_candidates": " ".join(r["plz_candidates"].split()),
                "coord_type": r["coord_type"],
                "source": _place_source(r),
            }
        )
    out.sort(key=lambda p: (p["ags"], _KIND_ORDER[p["kind"]], p["name"]))
    header = list(out[0])
    return _csv_text(header, ([p[h] for h in header] for p in out)), out


def _build_municipalities(
    rows: list[dict[str, str]], places: list[dict[str, str]]
) -> tuple[str, list[dict[str, str]]]:
    kernorte = {p["ags"]: p for p in places if p["kind"] == "kernort"}
    out = []
    for r in sorted(rows, key=lambda r: r["ags"]):
        kern = kernorte.get(r["ags"])
        if kern is not None:
            lat, lon, point = kern["lat"], kern["lon"], "kernort"
        else:
            # Municipalities formed by merger (e.g. Lahnau, Solms) have no village of
            # their own name; the BKG point is guaranteed to lie inside the polygon.
            lat, lon = _coord(r["polygon_point_lat"]), _coord(r["polygon_point_lon"])
            point = "bkg_polygon_point"
        out.append(
            {
                "ags": r["ags"],
                "name": r["name"],
                "name_official": r["name_official"],
                "lat": lat,
                "lon": lon,
                "point": point,
                "plz_list": " ".join(sorted(r["plz_list"].split())),
                "population": str(int(r["destatis_population"])),
                "area_km2": f"{float(r['destatis_area_km2']):.2f}",
            }
        )
    header = list(out[0])
    return _csv_text(header, ([m[h] for h in header] for m in out)), out


def _build_plz(rows: list[dict[str, str]]) -> str:
    out = sorted(
        (r["plz"], r["ags"], r["gemeinde"], _coord(r["centroid_lat"]), _coord(r["centroid_lon"]))
        for r in rows
    )
    return _csv_text(("plz", "ags", "municipality", "lat", "lon"), out)


def _feature_collection(features: list[dict[str, Any]], attribution: str) -> str:
    """GeoJSON with one feature per line: compact, yet diffs stay readable."""
    lines = [
        "{",
        '"type": "FeatureCollection",',
        f'"attribution": {json.dumps(attribution, ensure_ascii=False)},',
        '"features": [',
    ]
    body = [json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in features]
    lines.append(",\n".join(body))
    lines.append("]")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _slim_feature(feature: Mapping[str, Any]) -> dict[str, Any]:
    geometry = feature["geometry"]
    return {
        "type": "Feature",
        "properties": {"ags": feature["properties"]["ags"], "name": feature["properties"]["name"]},
        "geometry": {
            "type": geometry["type"],
            "coordinates": _round_coords(geometry["coordinates"]),
        },
    }


def _build_geojson(source: Path, ags_filter: str | None) -> tuple[str, list[dict[str, Any]]]:
    data = json.loads(source.read_text(encoding="utf-8"))
    features = [_slim_feature(f) for f in data["features"]]
    if ags_filter is not None:
        features = [f for f in features if f["properties"]["ags"] == ags_filter]
    features.sort(key=lambda f: f["properties"]["ags"])
    return _feature_collection(features, "© GeoBasis-DE / BKG"), features


# --------------------------------------------------------------------------- checks


def _check(
    places: list[dict[str, str]],
    municipalities: list[dict[str, str]],
    district: list[dict[str, Any]],
    municipality_features: list[dict[str, Any]],
) -> None:
    """Fail loudly instead of embedding data the planner would silently misuse."""
    problems: list[str] = []
    if len(municipalities) != EXPECTED_MUNICIPALITIES:
        problems.append(f"{len(municipalities)} municipalities, expected {EXPECTED_MUNICIPALITIES}")
    if len(places) != EXPECTED_PLACES:
        problems.append(f"{len(places)} places, expected {EXPECTED_PLACES}")
    if len(district) != 1:
        problems.append(f"{len(district)} district features, expected 1")
    shapes = {f["properties"]["ags"]: shape(f["geometry"]) for f in municipality_features}
    if sorted(shapes) != sorted(m["ags"] for m in municipalities):
        problems.append("municipality polygons and municipality table disagree")
    district_shape = shape(district[0]["geometry"]) if district else None
    for item in [*places, *municipalities]:
        point = Point(float(item["lon"]), float(item["lat"]))
        label = f"{item['name']} ({item['ags']})"
        if district_shape is not None and not district_shape.covers(point):
            problems.append(f"{label} lies outside the district polygon")
        own = shapes.get(item["ags"])
        if own is None or not own.covers(point):
            problems.append(f"{label} lies outside its own municipality polygon")
    if problems:
        raise SystemExit("geodata check failed:\n  " + "\n  ".join(problems))


# --------------------------------------------------------------------------- README


_README = """\
# Embedded geodata of the Lahn-Dill-Kreis

The planner works offline: every position it uses comes from the files in this folder.
All files except the two hand-maintained ones are generated by
`scripts/build_geodata.py` from the curated source folder `../shared/data/lahn-dill`
(see its `PROVENANCE.md` for where each input came from). Do not edit generated files
by hand; change the script and re-run it:

    .venv/bin/python scripts/build_geodata.py            # default source folder
    .venv/bin/python scripts/build_geodata.py /path/to/lahn-dill

The script is deterministic (sorted rows, fixed 6-decimal coordinates), so a re-run on
the same input reproduces these files byte for byte; `tests/test_geodata.py` checks
that whenever the source folder is available.

## Files

Generated (sources are files of the shared folder):

* `places.csv` – {n_places} places (from `ortsteile.csv`): villages (`kind` = `ortsteil`),
  main villages named like their municipality (`kernort`) and the inner-city quarters of
  Wetzlar (`stadtbezirk_kernstadt`). Columns: `name`, `municipality`, `ags` (8-digit
  municipality key), `kind`, `lat`/`lon` (WGS84, 6 decimals), `plz` (the most likely
  postcode), `plz_candidates` (every postcode that may apply), `coord_type`, `source`
  (`osm` or `geonames:<id>`).
* `municipalities.csv` – the {n_municipalities} municipalities (from `municipalities.csv`
  and `ortsteile.csv`): `ags`, `name`, `name_official`, `lat`/`lon` of a representative
  point, `point` (`kernort`: the point of the Kernort in `places.csv`;
  `bkg_polygon_point`: a point inside the BKG polygon, used where no village carries the
  municipality's name), `plz_list`, `population`, `area_km2`.
* `plz.csv` – the {n_plz} postcodes of the district with municipality and centroid
  (from `plz.csv`).
* `district.geojson` – outline of the Lahn-Dill-Kreis, AGS 06532
  (from `lahn_dill_kreis.geojson`); properties `ags`, `name`.
* `municipalities.geojson` – the municipality polygons (from `gemeinden.geojson`);
  properties `ags`, `name`.

Hand-maintained (the script never touches them; keep them small and factual):

* `aliases.csv` – `alias`, `name`, `municipality`, `note`: alternative spellings and forms
  of a place. `name` is the place in `places.csv` the alias stands for; an empty `name`
  means the municipality as a whole (used for Hochelheim, see below, and for name forms
  of a whole town). `note` says why the alias exists.
* `outside_places.csv` – `name`, `district`: towns outside the district (neighbouring
  municipalities and large cities). They let the geocoder answer "outside the district"
  instead of "not found", and keep it from "correcting" such a name into a similarly
  spelled village of the district (Breidenbach is not Breitenbach).

## Attribution

Every map or export that shows these data must carry the attribution
(`planner.settings.ATTRIBUTION` holds the German wording):

* © OpenStreetMap contributors, ODbL – place coordinates (`source` = `osm`) and the
  postcode-to-municipality assignment; PLZ centroids are derived from OpenStreetMap data
* © GeoBasis-DE / BKG – district and municipality boundaries (generalised)
* © Statistisches Bundesamt (Destatis), dl-de/by-2-0 – population and area of the municipalities
* GeoNames (geonames.org), CC BY 4.0 – the two place points with `source` `geonames:<id>`
  (Breitscheid, Hörnsheim)

## Known quality limits

* **Area centroids.** Most village points ({n_centroid} of {n_places}, `coord_type`
  `area_centroid_like`) are the centre of the village's whole area (Gemarkung) rather
  than of the built-up village; where a village owns much forest the point can lie
  0.5–3 km from the village centre. Treat a position as "somewhere in or near this
  village", which is good enough for tour planning but not for navigation.
* **Hochelheim (Hüttenberg) is missing**: no usable source had a point for it.
  `aliases.csv` maps the name to Hüttenberg at municipality level, so addresses there
  still get a (coarser) position with a warning.
* **PLZ in Wetzlar and Dillenburg are guessed.** Both towns have several postcodes; the
  `plz` of their places is the postcode whose centroid is nearest to the place point, not
  an official assignment. `plz_candidates` lists every postcode of the town; the geocoder
  accepts any of them for a place of that town.
* **Generalised boundaries.** The polygons are simplified (accuracy around 100 m), so the
  planner tests "inside the district" with a tolerance of a few hundred metres.
* The municipality points of Lahnau, Solms, Hüttenberg and the other merged
  municipalities without a village of their name are polygon points, not a town centre.
"""


def _build_readme(
    places: list[dict[str, str]], municipalities: list[dict[str, str]], n_plz: int
) -> str:
    return _README.format(
        n_places=len(places),
        n_municipalities=len(municipalities),
        n_plz=n_plz,
        n_centroid=sum(p["coord_type"] == "area_centroid_like" for p in places),
    )


# --------------------------------------------------------------------------- main


def build(source: Path, out: Path) -> dict[str, str]:
    """Return the generated files as ``{file name: text}`` (nothing is written)."""
    places_csv, places = _build_places(_read_csv(source / "ortsteile.csv"))
    municipalities_csv, municipalities = _build_municipalities(
        _read_csv(source / "municipalities.csv"), places
    )
    plz_rows = _read_csv(source / "plz.csv")
    district_json, district = _build_geojson(source / "lahn_dill_kreis.geojson", DISTRICT_AGS)
    gemeinden_json, gemeinden = _build_geojson(source / "gemeinden.geojson", None)
    _check(places, municipalities, district, gemeinden)
    return {
        "places.csv": places_csv,
        "municipalities.csv": municipalities_csv,
        "plz.csv": _build_plz(plz_rows),
        "district.geojson": district_json,
        "municipalities.geojson": gemeinden_json,
        "README.md": _build_readme(places, municipalities, len(plz_rows)),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", nargs="?", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    if not (args.source / "ortsteile.csv").is_file():
        print(f"source folder not found or incomplete: {args.source}", file=sys.stderr)
        return 2
    files = build(args.source, args.out)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        # newline="" keeps "\n" on every platform: the bytes must not depend on the OS.
        with (args.out / name).open("w", encoding="utf-8", newline="") as fh:
            fh.write(text)
    print(f"wrote {len(files)} files to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
