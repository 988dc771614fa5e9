"""The generated Lahn-Dill weeks and the quality benchmark script (benchmarks/lahn_dill.py)."""

from __future__ import annotations

import csv
import subprocess
import sys
from collections import Counter

import pytest

from benchmarks import lahn_dill
from benchmarks._report import ROOT
from benchmarks.generate import WEEK_START, generate_team, generate_week
from planner import settings
from planner.intake import parse_rows
from planner.model import Severity, VisitPlace
from planner.pipeline import geocode_and_regions
from planner.regions import RegionMap


@pytest.fixture(scope="module")
def week():
    header, rows = generate_week(600, seed=3)
    return header, rows, parse_rows(header, rows, "generiert.csv")


def test_same_seed_same_rows_other_seed_other_rows() -> None:
    assert generate_week(80, 5) == generate_week(80, 5)
    assert generate_week(80, 5)[1] != generate_week(80, 6)[1]
    # A longer week starts with the same clients: sizes share one random stream.
    assert generate_week(120, 5)[1][:80] == generate_week(80, 5)[1]


def test_every_row_becomes_a_client(week) -> None:
    header, rows, intake = week
    assert header[0] == "Kunden-Nr"
    assert len(intake.clients) == len(rows) and intake.rejected == ()
    assert not [m for m in intake.messages if m.severity is Severity.ERROR]
    assert len({c.id for c in intake.clients}) == len(rows)


def test_clients_spread_over_the_district(week) -> None:
    _, rows, intake = week
    located = geocode_and_regions(intake, RegionMap())
    assert all(g.site is not None for g in located)
    per_municipality = Counter(g.site.municipality for g in located if g.site)
    assert len(per_municipality) >= 20  # of 23
    # Weighted by population: Wetzlar (the largest town) leads, no place dominates.
    assert per_municipality.most_common(1)[0][0] == "Wetzlar"
    assert per_municipality["Wetzlar"] < 0.35 * len(rows)
    assert len({(g.site.lat, g.site.lon) for g in located if g.site}) >= 80


def test_mix_of_restrictions_places_and_durations(week) -> None:
    _, rows, intake = week
    clients = intake.clients
    n = len(clients)

    def share(predicate) -> float:
        return sum(1 for c in clients if predicate(c)) / n

    assert 0.55 <= share(lambda c: not c.availability and c.appointment is None) <= 0.75
    assert 0.18 <= share(lambda c: bool(c.availability)) <= 0.35
    assert 0.04 <= share(lambda c: c.appointment is not None) <= 0.12
    assert 0.06 <= share(lambda c: c.visit_place is VisitPlace.VAN) <= 0.14
    assert 0.06 <= share(lambda c: c.visit_place is VisitPlace.CAFE) <= 0.14
    assert {c.duration_min for c in clients} == {None, 45, 60, 90}
    assert {c.priority for c in clients} == {1, 2, 3}
    for c in clients:
        assert c.last_contact is not None and 30 <= (WEEK_START - c.last_contact).days <= 1000
        if c.appointment is not None:
            assert 0 <= (c.appointment.date() - WEEK_START).days < 5
            minute = c.appointment.hour * 60 + c.appointment.minute
            assert minute % 30 == 0 and 8 * 60 + 30 <= minute <= 15 * 60


@pytest.mark.parametrize(("clients", "coaches"), [(50, 3), (150, 3), (500, 6), (1000, 10)])
def test_team_grows_with_the_week(clients: int, coaches: int) -> None:
    team = generate_team(clients)
    assert len(team.coaches) == coaches
    assert {c.office for c in team.coaches} == {"wetzlar", "dillenburg"}
    assert team.van is not None and any(c.drives_van for c in team.coaches)
    if coaches == 3:
        assert sum(c.drives_van for c in team.coaches) == 2


def _run(objective: int | None, cpu_s: float = 5.0, fingerprint: str = "a") -> lahn_dill.Run:
    return lahn_dill.Run(
        objective=objective, cpu_s=cpu_s, wall_s=cpu_s + 0.5, planned=9, unplanned=1,
        driving_h=2.0, stop="Suche nach 200 Lösungen beendet (reproduzierbar)", violations=0,
        peak_rss_mb=150.0, fingerprint=fingerprint,
    )  # fmt: skip


def _week(week: str | int = "demo", runs=None, ortools=None, hybrid=None) -> lahn_dill.Week:
    refs = {"OR-Tools long": ortools, "recreate long": hybrid}
    runs = runs or (_run(1100), _run(1100))
    return lahn_dill.Week(week, 93, 3, 0.84, runs, {k: r for k, r in refs.items() if r})


def test_best_known_is_the_lowest_of_all_runs_and_names_it() -> None:
    long = _week(ortools=_run(1000, 90.0), hybrid=_run(1050, 60.0))
    assert long.best_known == ("OR-Tools long", 1000, 90.0)
    assert long.gap_percent == pytest.approx(10.0)
    # A tie names the default run; a long run without a solution does not count.
    tie = _week(ortools=_run(None), hybrid=_run(1100, 60.0))
    assert tie.best_known == ("default", 1100, 5.0) and tie.gap_percent == 0.0
    # Two different plans: the gap is the worse one's.
    apart = _week(runs=(_run(1100), _run(1210, fingerprint="b")), hybrid=_run(1100))
    assert not apart.identical and apart.gap_percent == pytest.approx(10.0)
    # Without long runs the two default runs are no yardstick: no gap.
    assert _week().best_known == ("default", 1100, 5.0) and _week().gap_percent is None


def test_target_needs_cpu_gap_and_the_same_plan_twice() -> None:
    near = _run(1095)  # 0.46 % below the default runs
    assert _week(hybrid=near).target_met is True
    assert _week(runs=(_run(1100), _run(1100, cpu_s=10.5)), hybrid=near).target_met is False
    assert _week(runs=(_run(1100), _run(1100, fingerprint="b")), hybrid=near).target_met is False
    assert _week(hybrid=_run(1080)).target_met is False  # 1.9 % gap
    assert _week(runs=(_run(None), _run(None)), hybrid=near).target_met is False
    assert _week().target_met is None  # no gap known
    assert _week(50, hybrid=near).target_met is None  # no target for this size
    assert _week(1000, runs=(_run(1100, 59.0), _run(1100, 59.0)), hybrid=near).target_met is True


def test_sizes_take_demo_and_the_budget_defaults_to_the_planners() -> None:
    args = lahn_dill.parse_args(["--sizes", "150", "DEMO", "50", "150"])
    assert args.sizes == ["demo", 50, 150]
    with pytest.raises(SystemExit):
        lahn_dill.parse_args(["--sizes", "week"])
    budget = lahn_dill.default_budget(args.solutions, args.time_limit)
    assert budget.solution_budget() == settings.DEFAULT_SOLUTION_LIMIT
    assert budget.time_budget() == settings.DEFAULT_TIME_LIMIT_S
    assert lahn_dill.default_budget(5, 30.0).solution_budget() == 5


def test_week_shape_without_solving() -> None:
    clients, coaches, load = lahn_dill.week_shape(150, 1)
    assert (clients, coaches) == (150, 3) and 1.2 < load < 1.6
    demo, _, _ = lahn_dill.read_week("demo", 1)
    assert demo.rejected  # the demo list has bad rows on purpose: they count as clients
    assert lahn_dill.week_shape("demo", 1)[:2] == (len(demo.clients) + len(demo.rejected), 3)


def test_report_lists_every_week(tmp_path) -> None:
    weeks = [_week(hybrid=_run(1095)), _week(150, runs=(_run(900), _run(901, 12.0, "b")))]
    args = lahn_dill.parse_args(["--sizes", "demo", "150", "--reference-time", "60"])
    text = lahn_dill.markdown(weeks, args)
    assert "| " + " | ".join(lahn_dill.TABLE_HEADER) + " |" in text
    assert "| demo | 93 | 3 | 0.84 |" in text and "| generated | 93 |" in text
    assert "recreate long (5.0 s)" in text and "Targets: demo week ≤ 10 CPU-s" in text
    assert "2,000 solutions" in text and "each stopped at 60 s" in text
    assert "guided local search of 40 solutions as the repair" in text
    with lahn_dill.write_csv(weeks, tmp_path / "t.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["week"] for r in rows] == ["demo", "150"]
    assert [r["identical"] for r in rows] == ["True", "False"]
    assert rows[0]["best_known_by"] == "recreate long" and rows[0]["target_met"] == "True"


def test_script_plans_the_demo_twice_the_same(tmp_path) -> None:
    """End to end, in fresh processes; each plan costs ~5 CPU-s of PyVRP whatever the size,
    so only the demo week (the other weeks share every code path but reading)."""
    report, table = tmp_path / "benchmarks.md", tmp_path / "lahn_dill.csv"
    argv = ["--sizes", "demo", "--no-reference", "--solutions", "5"]
    done = subprocess.run(
        [sys.executable, "benchmarks/lahn_dill.py", *argv, "--out", report, "--csv", table],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "0 violations" in done.stdout
    text = report.read_text(encoding="utf-8")
    clients = lahn_dill.week_shape("demo", 1)[0]
    assert "<!-- lahn_dill:start -->" in text and f"| demo | {clients} | 3 |" in text
    row = text.split("| demo |")[1].split("\n")[0].split(" | ")
    assert row[TABLE_INDEX["identical"]] == "yes" and row[TABLE_INDEX["stop"]] == "solutions"
    (record,) = csv.DictReader(table.open(encoding="utf-8"))
    assert record["identical"] == "True" and record["run1_violations"] == "0"
    assert record["run1_fingerprint"] == record["run2_fingerprint"]
    assert record["gap_percent"] == "" and record["target_met"] == ""
    # The host check ran in each planning process: the same fixed work, so its CPU
    # seconds say how fast the shared host was then.
    host = [float(record[f"run{i}_host_check_s"]) for i in (1, 2)]
    assert all(0.1 < h < 30 for h in host), host
    assert row[TABLE_INDEX["host check CPU s (run 1 / 2)"]] == " / ".join(f"{h:.1f}" for h in host)


# Index into a table row split after its "week" cell.
TABLE_INDEX = {name: i - 1 for i, name in enumerate(lahn_dill.TABLE_HEADER)}
