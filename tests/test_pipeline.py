"""End to end: every input row comes out exactly once (planned or with a reason)."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner import settings as planner_settings
from planner.intake import load_team, parse_rows, read_clients
from planner.pipeline import build_plan
from planner.solve import FirstOf, SolutionLimit, TimeLimit
from planner.traveltime import GreatCircleEstimate
from tests.checks import plan_violations

MONDAY = date(2026, 11, 30)
DEMO = planner_settings.DEMO_DIR


def _stop(solutions: int = 100) -> FirstOf:
    return FirstOf((SolutionLimit(solutions), TimeLimit(30)))


@pytest.fixture(scope="module")
def team():
    return load_team(DEMO / "team.toml")


@pytest.fixture(scope="module")
def demo_plan(team):
    intake = read_clients(DEMO / "kunden.csv", today=MONDAY)
    plan, result = build_plan(intake, team, MONDAY, 5, _stop(300))
    return intake, plan


def test_demo_every_row_exactly_once(demo_plan) -> None:
    intake, plan = demo_plan
    planned = [s.visit.client.row for t in plan.tours for s in t.stops]
    unplanned = [u.row for u in plan.unplanned]
    rows = planned + unplanned
    assert len(rows) == intake.row_count == 92
    assert len(set(rows)) == len(rows)


def test_demo_plan_is_feasible_and_substantial(demo_plan, team) -> None:
    _, plan = demo_plan
    assert plan_violations(plan.tours, team, GreatCircleEstimate()) == []
    assert plan.planned_count >= 50
    assert {t.coach.key for t in plan.tours} == {"anna", "jonas", "mira"}
    assert any(t.with_van for t in plan.tours)


def test_demo_unplanned_have_german_reasons(demo_plan) -> None:
    _, plan = demo_plan
    reasons = {u.client_id or f"Zeile {u.row}": u.reason for u in plan.unplanned}
    assert all(len(r) > 20 for r in reasons.values())
    text = " ".join(reasons.values())
    for expected in (
        "nicht im Lahn-Dill-Kreis",  # Gießen
        "außerhalb des Planungszeitraums",  # appointment on 10.12.
        "Kunden-Nr",  # missing or duplicate number
        "Sa 10:00-12:00",  # Saturday-only availability
    ):
        assert expected in text, expected


VALID_PLACES = [
    "Wetzlar",
    "Haiger-Dillbrecht",
    "Dillbrecht",
    "Driedorf OT Roth",
    "Lahnau Waldgirmes",
    "Herborn",
    "Sinn",
    "Ehringshausen-Katzenfurt",
    "Solms",
    "Braunfels Bonbaden",
    "Eschenburg-Roth",
]
ODD_PLACES = ["Gießen", "Dilbrecht", "", "Xyzdorf", "Frankfurt am Main", "Aßlar OT Neudorf", "<b>"]

row_strategy = st.fixed_dictionaries(
    {
        "Kunden-Nr": st.one_of(
            st.sampled_from(["K1", "K2", "K3", ""]), st.text("K0123456789", min_size=2, max_size=4)
        ),
        "Ort": st.one_of(st.sampled_from(VALID_PLACES), st.sampled_from(ODD_PLACES)),
        "PLZ": st.sampled_from(["", "35578", "35708", "35390", "3557"]),
        "Priorität": st.sampled_from(["", "1", "2", "3", "hoch", "7"]),
        "Verfügbarkeit": st.sampled_from(
            ["", "Mo-Fr 09:00-12:00", "Di 14-16", "Sa 10-12", "Mo 25:00-26:00"]
        ),
        "Termin": st.sampled_from(
            ["", "01.12.2026 10:00", "01.12.2026 10:00", "24.12.2026 09:00", "01.12.2026"]
        ),
        "Dauer (min)": st.sampled_from(["", "30", "90", "-5", "600"]),
        "Besuchsort": st.sampled_from(["", "Wohnung", "Café", "Beratungsmobil", "Bahnhof"]),
    }
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(row_strategy, min_size=1, max_size=14))
def test_conservation_on_generated_lists(team, rows) -> None:
    header = list(rows[0].keys())
    cells = [[r[h] for h in header] for r in rows]
    intake = parse_rows(header, cells, "generiert.csv")
    plan, _ = build_plan(intake, team, MONDAY, 2, _stop(40))
    out = Counter(
        [(s.visit.client.row, s.visit.client.id) for t in plan.tours for s in t.stops]
        + [(u.row, u.client_id) for u in plan.unplanned]
    )
    non_empty = [i + 2 for i, r in enumerate(cells) if any(c.strip() for c in r)]
    assert sorted(row for row, _ in out.elements()) == non_empty
    assert all(n == 1 for n in out.values())
    assert all(u.reason.strip() for u in plan.unplanned)


def test_same_demo_input_gives_the_same_plan(team, tmp_path) -> None:
    from planner.render import write_plan_csv

    intake = read_clients(DEMO / "kunden.csv", today=MONDAY)
    files = []
    for run in range(2):
        plan, _ = build_plan(intake, team, MONDAY, 5, _stop(80))
        files.append(write_plan_csv(plan, tmp_path / f"plan{run}.csv").read_bytes())
        assert "reproduzierbar" in plan.stop_reason
    assert files[0] == files[1]


def test_time_limit_stop_is_reported_as_not_reproducible(team) -> None:
    intake = read_clients(DEMO / "kunden.csv", today=MONDAY)
    plan, _ = build_plan(intake, team, MONDAY, 5, FirstOf((SolutionLimit(10**9), TimeLimit(1))))
    assert "Zeitlimit 1 s erreicht" in plan.stop_reason
