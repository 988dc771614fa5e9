"""The Beratungsmobil stands at a place: nearby van clients meet there, one set-up for all."""

from __future__ import annotations

from datetime import date
from typing import Any

from planner.intake import parse_rows, parse_team
from planner.pipeline import build_plan
from planner.solve import FirstOf, SolutionLimit, TimeLimit
from planner.traveltime import GreatCircleEstimate
from tests.checks import plan_violations

MONDAY = date(2026, 11, 30)
TEAM: dict[str, Any] = {
    "buero": [{"kennung": "dillenburg", "breite": 50.7406, "laenge": 8.2867}],
    "coach": [
        {
            "kennung": "jonas",
            "name": "Jonas",
            "arbeitszeit": "Mo 08:00-16:00",
            "faehrt_beratungsmobil": True,
        }
    ],
    "beratungsmobil": {"ruestzeit_min": 15},
}


def _plan(rows: list[list[str]]):
    team = parse_team(TEAM)
    header = ["Kunden-Nr", "Ort", "Ortsteil", "Besuchsort", "Termin", "Dauer (min)"]
    plan, _ = build_plan(
        parse_rows(header, rows, "k.csv"),
        team,
        MONDAY,
        1,
        FirstOf((SolutionLimit(50), TimeLimit(60))),
    )
    assert plan_violations(plan.tours, team, GreatCircleEstimate()) == []
    return plan


def test_nearby_villages_share_one_stand_and_one_set_up() -> None:
    # Three villages of Haiger, back-to-back appointments: the van parks once.
    plan = _plan(
        [
            ["V1", "Haiger", "Allendorf", "Beratungsmobil", "30.11.2026 10:00", "45"],
            ["V2", "Haiger", "Dillbrecht", "Beratungsmobil", "30.11.2026 10:45", "45"],
            ["V3", "Haiger", "Sechshelden", "Beratungsmobil", "30.11.2026 11:30", "45"],
        ]
    )
    (tour,) = plan.tours
    assert tour.with_van and [s.visit.client.id for s in tour.stops] == ["V1", "V2", "V3"]
    assert {s.visit.stand for s in tour.stops} == {"Haiger"}
    assert len({(s.visit.site.lat, s.visit.site.lon) for s in tour.stops}) == 1
    assert [s.setup_min for s in tour.stops] == [15, 0, 0]
    assert [s.travel_min for s in tour.stops][1:] == [0, 0]
    first = tour.stops[0]
    assert (first.start - first.arrival).total_seconds() >= 15 * 60  # set-up before 10:00


def test_another_municipality_is_another_stand_with_its_own_set_up() -> None:
    plan = _plan(
        [
            ["V1", "Haiger", "Allendorf", "Beratungsmobil", "30.11.2026 10:00", "45"],
            ["V2", "Dillenburg", "Frohnhausen", "Beratungsmobil", "30.11.2026 12:00", "45"],
        ]
    )
    (tour,) = plan.tours
    assert [s.visit.stand for s in tour.stops] == ["Haiger", "Dillenburg"]
    assert [s.setup_min for s in tour.stops] == [15, 15]
    assert tour.stops[1].travel_min > 0


def test_home_visits_on_a_van_tour_need_no_set_up() -> None:
    plan = _plan(
        [
            ["V1", "Haiger", "Allendorf", "Beratungsmobil", "30.11.2026 10:00", "45"],
            ["H1", "Haiger", "Rodenbach", "zu Hause", "30.11.2026 12:00", "45"],
        ]
    )
    (tour,) = plan.tours
    home = next(s for s in tour.stops if s.visit.client.id == "H1")
    assert home.setup_min == 0 and home.visit.stand == ""


def test_sheet_and_csv_show_the_stand_not_the_home_address(tmp_path) -> None:
    from planner.render import render_sheets, write_plan_csv

    plan = _plan([["V1", "Haiger", "Allendorf", "Beratungsmobil", "30.11.2026 10:00", "45"]])
    html = "".join(p.read_text(encoding="utf-8") for p in render_sheets(plan, tmp_path / "s"))
    assert "Standort Beratungsmobil:</b> Haiger" in html
    csv_text = write_plan_csv(plan, tmp_path / "plan.csv").read_text(encoding="utf-8-sig")
    assert "Beratungsmobil, Standort Haiger" in csv_text
