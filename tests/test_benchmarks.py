"""Benchmarks: instance parser, independent checker, conversion to solver data, script smoke."""

from __future__ import annotations

import math
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from benchmarks._report import ROOT, SHARED
from benchmarks.checker import check_solution
from benchmarks.convert import scaled_distances, to_vrp, vehicle_cost_bound
from benchmarks.instances import (
    find_instances,
    instance_class,
    parse_instance,
    read_bks,
    read_instance,
)
from planner.solve.ortools_adapter import solve_vrp
from planner.solve.stopping import FirstOf, SolutionLimit, TimeLimit

# Made up for these tests. A single vehicle must go A → B → C (A early, B mid, C late):
# 10 + 20 + √401 + √101 ≈ 60.07. Two vehicles ({A, C}, {B}) drive only 10 + 1 + √101 + 20.
TINY = (
    "TINY1  \r\n\r\nVEHICLE\r\nNUMBER     CAPACITY\r\n   3         20   \r\n\r\n"
    "CUSTOMER\r\n"
    "CUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME\r\n \r\n"
    "    0       0          0          0          0        200          0   \r\n"
    "    1      10          0          5          0         20          5   \r\n"
    "    2     -10          0          5         30         50          5   \r\n"
    "    3      10          1          5         60        100          5   \r\n"
)
ONE_ROUTE = 10 + 20 + math.sqrt(401) + math.sqrt(101)
TWO_ROUTES = 10 + 1 + math.sqrt(101) + 20


@pytest.fixture
def tiny():
    return parse_instance(TINY)


def test_parser_reads_crlf_and_trailing_blanks(tiny):
    assert tiny.name == "TINY1"
    assert (tiny.max_vehicles, tiny.capacity, tiny.n_customers) == (3, 20, 3)
    assert tiny.coords[2] == (-10.0, 0.0)
    assert tiny.demand == (0, 5, 5, 5)
    assert tiny.ready == (0, 0, 30, 60)
    assert tiny.due == (200, 20, 50, 100)
    assert tiny.service == (0, 5, 5, 5)
    assert tiny.horizon == 200


def test_parser_rejects_gaps_in_customer_numbers():
    with pytest.raises(ValueError, match="customer numbers"):
        parse_instance(TINY.replace("    3      10", "    4      10"))


def test_checker_accepts_feasible_routes(tiny):
    one = check_solution(tiny, [[1, 2, 3]])
    assert one.feasible and one.violations == ()
    assert one.vehicles == 1
    assert one.distance == pytest.approx(ONE_ROUTE, abs=1e-9)

    two = check_solution(tiny, [[1, 3], [], [2]])  # an empty route is no vehicle
    assert two.feasible
    assert two.vehicles == 2
    assert two.distance == pytest.approx(TWO_ROUTES, abs=1e-9)


def test_checker_reports_late_service(tiny):
    # B first: service there starts at 30 (waits), then A is reached at 55, after due 20.
    result = check_solution(tiny, [[2, 1, 3]])
    assert not result.feasible
    assert any("customer 1 starts at 55" in v for v in result.violations)


def test_checker_reports_capacity_coverage_and_depot_return(tiny):
    small = replace(tiny, capacity=10)
    result = check_solution(small, [[1, 2, 2]])
    text = "\n".join(result.violations)
    assert "load 15 exceeds capacity 10" in text
    assert "customer 2 visited 2 times" in text
    assert "not visited (1): 3" in text
    late = check_solution(replace(tiny, due=(70, *tiny.due[1:])), [[1, 2, 3]])
    assert late.violations == ("route 1: back at depot 75.0749 after 70",)


def test_to_vrp_scales_by_100_and_prices_vehicles_above_distance(tiny):
    data = to_vrp(tiny)
    data.validate()
    distances = scaled_distances(tiny)
    assert distances[0, 3] == round(100 * math.sqrt(101))  # 1005
    assert data.windows[2] == ((3000, 5000),)
    assert data.service == (0, 500, 500, 500)
    assert data.horizon == 20000 and data.penalties == (None,) * 4
    assert len(data.vehicles) == 3 and data.vehicles[0].capacity == 20
    fixed = data.vehicles[0].fixed_cost
    assert fixed == vehicle_cost_bound(distances, 3) > 100 * ONE_ROUTE
    assert all(v.fixed_cost == 0 for v in to_vrp(tiny, "distance").vehicles)


@pytest.mark.parametrize(
    ("objective", "vehicles", "distance"),
    [
        ("hierarchical", 1, ONE_ROUTE),
        ("distance", 2, TWO_ROUTES),
    ],
)
def test_objectives_on_the_planner_adapter(tiny, objective, vehicles, distance):
    stop = FirstOf((TimeLimit(2), SolutionLimit(200)))
    solution = solve_vrp(to_vrp(tiny, objective), stop)
    result = check_solution(tiny, [route.nodes for route in solution.routes])
    assert result.feasible
    assert result.vehicles == vehicles
    assert result.distance == pytest.approx(distance, abs=1e-9)


def _write(folder: Path, *names: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / f"{name}.txt").write_text(TINY.replace("TINY1", name))


def test_find_instances_by_pattern_and_keyword(tmp_path):
    _write(tmp_path / "solomon", "C101", "R201", "R211")
    _write(tmp_path / "homberger200", "r2_2_1", "r2_2_10", "r2_2_2")

    def names(selection: str) -> list[str]:
        return [p.stem for p in find_instances(selection, root=tmp_path)]

    assert names("c101") == ["C101"]
    assert names("R2??") == ["R201", "R211"]
    assert names("solomon/R2*, c101") == ["R201", "R211", "C101"]
    assert names("homberger200") == ["r2_2_1", "r2_2_2", "r2_2_10"]  # natural order
    assert names("R2*") == ["R201", "R211", "r2_2_1", "r2_2_2", "r2_2_10"]
    assert len(names("all C101")) == 6  # no duplicates
    with pytest.raises(ValueError, match="X999"):
        find_instances("C101 X999", root=tmp_path)
    assert read_instance(tmp_path / "solomon" / "C101.txt").name == "C101"


def test_read_bks_and_class(tmp_path):
    bks = tmp_path / "bks.csv"
    bks.write_text("instance,vehicles,distance,source\nC101,10,828.94,test\n")
    assert read_bks(bks) == {"C101": (10, 828.94)}
    assert [instance_class(n) for n in ("C101", "RC208", "r1_2_3", "rc2_4_1")] == [
        "C1",
        "RC2",
        "R1",
        "RC2",
    ]


def _sintef_routes(path: Path) -> list[list[int]]:
    routes = re.findall(r"^\s*Route\s+\d+\s*:(.*)$", path.read_text(), flags=re.MULTILINE)
    return [[int(c) for c in route.split()] for route in routes]


@pytest.mark.skipif(not (SHARED / "homberger200").is_dir(), reason="no benchmark data")
@pytest.mark.parametrize("collection", ["homberger200", "homberger_large"])
def test_checker_confirms_published_best_solutions(collection):
    """The recorded BKS solutions pass the checker with the recorded vehicles and distance."""
    folder = SHARED / collection
    bks = read_bks(folder / "bks.csv")
    for path in find_instances(collection):
        instance = read_instance(path)
        (solution,) = (folder / "bks_solutions").glob(f"{path.stem}.*.txt")
        result = check_solution(instance, _sintef_routes(solution))
        assert result.violations == (), path.stem
        vehicles, distance = bks[path.stem]
        assert result.vehicles == vehicles, path.stem
        assert result.distance == pytest.approx(distance, abs=0.01), path.stem


def test_solomon_script_without_data_says_so(monkeypatch, capsys, tmp_path):
    from benchmarks import solomon

    monkeypatch.setattr(solomon, "SHARED", tmp_path / "absent")
    assert solomon.main(["--instances", "C101", "--no-write"]) == 0
    assert "../shared/benchmarks is absent" in capsys.readouterr().out


@pytest.mark.skipif(not (SHARED / "solomon").is_dir(), reason="no Solomon data")
def test_solomon_script_smoke():
    script = ROOT / "benchmarks" / "solomon.py"
    run = subprocess.run(
        [sys.executable, str(script), "--instances", "C101", "--time-limit", "2", "--no-write"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert run.returncode == 0, run.stderr
    line = next(line for line in run.stdout.splitlines() if "C101" in line and "feasible" in line)
    assert "feasible yes" in line
    assert re.search(
        r"\| C101 \| 100 \| \d+ \| 10 \| [\d.]+ \| 828\.94 \| [+\-\d.]+ \| yes \|", run.stdout
    )


def test_travel_times_never_undercut_exact_times() -> None:
    from benchmarks.convert import travel_times

    tiny = parse_instance(TINY)
    times, distances = travel_times(tiny), scaled_distances(tiny)
    assert (times >= distances).all() and (times - distances <= 1).all()
    assert times[0, 3] == math.ceil(100 * math.sqrt(101))  # 1005.0 → 1005, 1004.99 → 1005
