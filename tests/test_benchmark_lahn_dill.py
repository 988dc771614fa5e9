"""The generated Lahn-Dill weeks and the quality benchmark script (benchmarks/lahn_dill.py)."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from dataclasses import replace

import pytest

from benchmarks import lahn_dill
from benchmarks._report import ROOT
from benchmarks.generate import WEEK_START, generate_team, generate_week
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


def test_gap_is_measured_against_the_better_run() -> None:
    base = lahn_dill.Measurement(
        clients=10, coaches=3, load=0.5, planned=9, unplanned=1, driving_h=2.0,
        objective=1100, seconds=1.0, solver_seconds=0.9, time_limit_s=1.0,
        stop="", violations=0, peak_rss_mb=90.0,
    )  # fmt: skip
    assert base.gap_percent is None
    longer = replace(base, reference_objective=1000)
    assert longer.best_known == 1000 and longer.gap_percent == pytest.approx(10.0)
    luckier = replace(base, reference_objective=1200)
    assert luckier.best_known == 1100 and luckier.gap_percent == 0.0


def test_writes_section_and_csv(tmp_path) -> None:
    report, table = tmp_path / "benchmarks.md", tmp_path / "lahn_dill.csv"
    argv = ["--sizes", "12", "--time-limit", "0.5", "--reference-time", "1"]
    assert lahn_dill.main([*argv, "--out", str(report), "--csv", str(table)]) == 0
    text = report.read_text(encoding="utf-8")
    assert "<!-- lahn_dill:start -->" in text and "| 12 | 3 |" in text
    lines = table.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("clients,coaches,load,planned") and len(lines) == 2


def test_script_smoke_run() -> None:
    argv = ["--sizes", "20", "--time-limit", "2", "--no-reference", "--no-write"]
    done = subprocess.run(
        [sys.executable, "benchmarks/lahn_dill.py", *argv],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "0 violations" in done.stdout
    assert "| 20 | 3 |" in done.stdout
