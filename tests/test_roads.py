"""Road data from OpenStreetMap on the real Monaco extract: import, matrix, plan, map, sheet.

Everything runs the real OSRM (tools and bindings from ``osrm-bindings``); nothing is
mocked. The Monaco extract stands in for a Hessen extract: the code paths are the same.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import numpy as np
import pytest

from planner.cli import main
from planner.pipeline import RenderOptions, render_outputs
from planner.render.map import ROAD_LINE_NOTE, RoadOverlay, external_references
from planner.roads.area import circle
from planner.roads.calibrate import calibrate, load_estimate
from planner.roads.dataset import RoadData
from planner.roads.errors import (
    ExtractNotFound,
    ExtractUnreadable,
    PointsFileError,
    RoadDataMissing,
    RoadsDoNotCover,
)
from planner.roads.importer import import_extract
from planner.roads.matrix import Point, read_points
from tests.roads_data import MONACO_PBF, MONACO_STOPS, monaco_plan, monaco_team, prepare_monaco

pytestmark = pytest.mark.skipif(not MONACO_PBF.is_file(), reason="../shared fehlt")


@pytest.fixture(scope="session")
def monaco(tmp_path_factory: pytest.TempPathFactory) -> RoadData:
    return RoadData.open(prepare_monaco(tmp_path_factory))


POINTS = [(lat, lon) for _, lat, lon, _ in MONACO_STOPS]


# --------------------------------------------------------------------------- import


def test_import_keeps_whole_extract_outside_district_and_reuses_it(monaco: RoadData) -> None:
    manifest = monaco.manifest
    assert manifest["clipped"] is False and manifest["area"] == "ganze Datei"
    assert manifest["counts"]["adressen"] >= 60 and manifest["counts"]["hauptstrassen"] > 100
    again = import_extract(MONACO_PBF, monaco.folder)
    assert again.reused and again.manifest["quelle"]["sha256"] == manifest["quelle"]["sha256"]


def test_import_clips_to_an_area_that_the_extract_covers(tmp_path: Path, monaco: RoadData) -> None:
    # Monte-Carlo, 700 m around the casino: the extract covers it, so it is clipped.
    area = circle(43.7394, 7.4282, 700, "Monte-Carlo + 700 m")
    result = import_extract(MONACO_PBF, tmp_path / "mc", area=area)
    assert result.clipped and result.area == "Monte-Carlo + 700 m"
    assert result.addresses < monaco.manifest["counts"]["adressen"]
    clipped = RoadData.open(tmp_path / "mc")
    inside = [(43.7394, 7.4282), (43.7420, 7.4310)]
    assert clipped.travel.matrix(inside).seconds[0, 1] > 0
    with pytest.raises(RoadsDoNotCover, match="decken dieses Gebiet nicht ab"):
        clipped.travel.matrix([(43.7394, 7.4282), (43.7230, 7.3950)])  # Cap-d'Ail, 3 km off


def test_broken_foreign_and_missing_files_get_german_errors(tmp_path: Path) -> None:
    foreign = tmp_path / "kunden.osm.pbf"
    foreign.write_text("id;name\n1;Test\n", encoding="utf-8")
    with pytest.raises(ExtractUnreadable, match="keine OpenStreetMap-Datei"):
        import_extract(foreign, tmp_path / "a")
    truncated = tmp_path / "halb.osm.pbf"
    truncated.write_bytes(MONACO_PBF.read_bytes()[:300_000])
    with pytest.raises(ExtractUnreadable, match="beschädigt oder unvollständig"):
        import_extract(truncated, tmp_path / "b")
    assert not (tmp_path / "b").exists()  # nothing half-written is left behind
    with pytest.raises(ExtractNotFound):
        import_extract(tmp_path / "fehlt.osm.pbf", tmp_path / "c")
    with pytest.raises(RoadDataMissing, match="planner roads import"):
        RoadData.open(tmp_path / "leer")


def test_cli_import_reports_reuse(monaco: RoadData, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["roads", "import", str(MONACO_PBF), "--into", str(monaco.folder)]) == 0
    assert "bereits vorbereitet" in capsys.readouterr().out
    assert main(["roads", "import", str(MONACO_PBF.with_suffix(".x")), "--into", "x"]) == 1


# --------------------------------------------------------------------------- travel times


def test_road_matrix_is_real_and_reproducible(monaco: RoadData) -> None:
    travel = monaco.travel
    first = travel.matrix(POINTS)
    second = travel.matrix(POINTS)
    assert not first.is_estimate and "Straßennetz" in first.description
    assert np.array_equal(first.seconds, second.seconds)
    assert (np.diag(first.seconds) == 0).all()
    off = ~np.eye(len(POINTS), dtype=bool)
    assert (first.seconds[off] > travel.overhead_min * 60).all()
    # Road metres exceed the straight line (Monaco's hills force detours).
    from planner.traveltime import great_circle_m

    assert (first.metres[off] >= great_circle_m(POINTS)[off]).all()
    table = travel.table(POINTS[:2], POINTS)
    assert np.array_equal(table.seconds[:, 2:], first.seconds[:2, 2:])


def test_points_outside_the_data_are_refused(monaco: RoadData) -> None:
    with pytest.raises(RoadsDoNotCover, match="Straßendaten"):
        monaco.travel.table(POINTS[:1], [(50.5525, 8.5074)])  # Wetzlar


def test_leg_geometry_follows_roads(monaco: RoadData) -> None:
    line = monaco.travel.path(POINTS[0], POINTS[4])
    assert len(line) > 10
    assert line == monaco.travel.path(POINTS[0], POINTS[4])
    lats = [p[0] for p in line]
    assert min(lats) > 43.72 and max(lats) < 43.76


def test_matrix_command(monaco: RoadData, tmp_path: Path) -> None:
    points = tmp_path / "punkte.csv"
    lines = ["id;lat;lon"] + [
        f"{ident};{str(lat).replace('.', ',')};{lon}" for ident, lat, lon, _ in MONACO_STOPS
    ]
    points.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "matrix.csv"
    assert (
        main(["roads", "matrix", str(points), "--strassen", str(monaco.folder), "--out", str(out)])
        == 0
    )
    rows = list(csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines(), delimiter=";"))
    n = len(MONACO_STOPS)
    assert len(rows) == n * (n - 1) and set(rows[0]) == {"von", "nach", "sekunden", "meter"}
    assert all(int(r["sekunden"]) > 0 and int(r["meter"]) > 0 for r in rows)
    snaps = list(
        csv.DictReader(
            (tmp_path / "matrix_punkte.csv").read_text(encoding="utf-8-sig").splitlines(),
            delimiter=";",
        )
    )
    assert [s["id"] for s in snaps] == [s[0] for s in MONACO_STOPS]
    assert all(0 <= int(s["abstand_m"]) < 250 for s in snaps)
    before = out.read_bytes()
    assert (
        main(["roads", "matrix", str(points), "--strassen", str(monaco.folder), "--out", str(out)])
        == 0
    )
    assert out.read_bytes() == before  # same input, same output


def test_points_file_errors(tmp_path: Path) -> None:
    good = tmp_path / "p.csv"
    good.write_text("A;50,1;8,2\nB\t\n", encoding="utf-8")
    with pytest.raises(PointsFileError, match="Zeile 2"):
        read_points(good)
    good.write_text("A,50.1,8.2\nB,50.2,8.3\n", encoding="utf-8")
    assert read_points(good) == [Point("A", 50.1, 8.2), Point("B", 50.2, 8.3)]
    good.write_text("A;x;8\nB;1;2\n", encoding="utf-8")
    with pytest.raises(PointsFileError):
        read_points(good)


def test_calibration_fits_and_is_usable_without_road_data(monaco: RoadData, tmp_path: Path) -> None:
    points = [Point(ident, lat, lon) for ident, lat, lon, _ in MONACO_STOPS]
    result = calibrate(points, monaco.travel)
    assert result.pairs == len(points) * (len(points) - 1)
    assert result.after.median_abs_s <= result.before.median_abs_s
    path = result.save(tmp_path / "kalibrierung.json")
    estimate = load_estimate(path)
    assert estimate.detour_factor == pytest.approx(result.detour_factor)
    assert estimate.is_estimate
    assert calibrate(points, monaco.travel) == result  # deterministic


# --------------------------------------------------------------------------- plan and outputs


def test_plan_with_road_times_map_and_sheet(monaco: RoadData, tmp_path: Path) -> None:
    plan = monaco_plan(monaco.travel)
    assert plan.planned_count == len(MONACO_STOPS) and not plan.travel_is_estimate
    overlay = RoadOverlay(monaco.travel.path, monaco.main_roads, monaco.source)
    written = render_outputs(plan, tmp_path, monaco_team(), RenderOptions(roads=overlay))
    rows = list(
        csv.DictReader(written.csv.read_text(encoding="utf-8-sig").splitlines(), delimiter=";")
    )
    assert {r["fahrzeit_art"] for r in rows} == {"Straße"}
    assert {r["genauigkeit"] for r in rows} == {"hausnummer"}
    html = written.map.read_text(encoding="utf-8")
    assert ROAD_LINE_NOTE in html and "Hauptstraßen" in html
    assert external_references(html) == []
    route = max(re.findall(r"L\.polyline\(\s*(\[\[.*?\]\])", html, flags=re.S), key=len)
    assert len(json.loads(route)) > 5 * (len(MONACO_STOPS) + 2)  # far more than the stops
    sheet = next(p for p in written.sheets if p.name.startswith("route_")).read_text("utf-8")
    assert "(Straße)" in sheet and "geschätzt" not in sheet
    assert "Position: Hausnummer (genau)" in sheet
    tour = plan.tours[0]
    legs = [s.distance_m for s in tour.stops] + [tour.return_distance_m]
    assert sum(legs) == tour.distance_m and min(legs) > 300  # road lengths, not "0,0 km"


def test_demo_with_road_data_of_another_region_is_refused(
    monaco: RoadData, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["demo", "--out", str(tmp_path / "demo"), "--strassen", str(monaco.folder)])
    assert code == 1
    assert "decken dieses Gebiet nicht ab" in capsys.readouterr().err
    assert not (tmp_path / "demo").exists()
