"""Weekly frame: coach-days tied to regions, as a rule or as a preference."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from planner.errors import ConfigError
from planner.intake import parse_rows, parse_team
from planner.pipeline import build_plan
from planner.reasons import Reason
from planner.render import write_summary
from planner.solve import FirstOf, SolutionLimit, TimeLimit
from planner.traveltime import GreatCircleEstimate
from tests.checks import plan_violations

MONDAY = date(2026, 11, 30)
TUESDAY = date(2026, 12, 1)


def _team(**coach: Any) -> dict[str, Any]:
    return {
        "buero": [{"kennung": "wetzlar", "breite": 50.5525, "laenge": 8.5074}],
        "coach": [{"kennung": "anna", "name": "Anna", "arbeitszeit": "Mo-Fr 08:00-16:30", **coach}],
    }


def _clients(north: str = "", south: str = "") -> tuple[list[str], list[list[str]]]:
    """Four people in Dill-Nord and four in Lahn-Süd, with the given availability."""
    places = ["Haiger", "Dillenburg", "Eschenburg", "Dietzhölztal"]
    southern = ["Wetzlar", "Solms", "Braunfels", "Leun"]
    rows = [[f"N{i}", place, "45", north] for i, place in enumerate(places)]
    rows += [[f"S{i}", place, "45", south] for i, place in enumerate(southern)]
    return ["Kunden-Nr", "Ort", "Dauer (min)", "Verfügbarkeit"], rows


def _plan(team_data: dict[str, Any], north: str = "", south: str = ""):
    team = parse_team(team_data)
    header, rows = _clients(north, south)
    plan, _ = build_plan(
        parse_rows(header, rows, "k.csv"),
        team,
        MONDAY,
        5,
        FirstOf((SolutionLimit(100), TimeLimit(60))),
    )
    assert plan_violations(plan.tours, team, GreatCircleEstimate()) == []
    return team, plan


def _tuesday_regions(plan) -> list[str]:
    return [s.visit.site.region for t in plan.tours if t.day == TUESDAY for s in t.stops]


def test_rule_keeps_other_regions_off_that_day() -> None:
    # Everybody can only on Tuesdays; without the frame the south comes along.
    _, free = _plan(_team(), north="Di 08:00-16:30", south="Di 08:00-16:30")
    assert "Lahn-Süd" in _tuesday_regions(free)
    _, plan = _plan(
        _team(regionstage={"Di": "Dill-Nord"}, regionstage_fest=True),
        north="Di 08:00-16:30",
        south="Di 08:00-16:30",
    )
    assert _tuesday_regions(plan) == ["Dill-Nord"] * 4
    assert {u.code for u in plan.unplanned} == {Reason.REGION_DAYS}
    assert "Regionstag Dill-Nord: 4 von 4 Besuchen dort" in write_summary(plan)


def test_rule_with_no_other_day_says_why() -> None:
    team_data = _team(regionstage={"Mo": "Dill-Nord", "Mi": "Dill-Nord", "Fr": "Dill-Nord"},
                      regionstage_fest=True, arbeitszeit="Mo 08:00-16:30; Mi 08:00-16:30; "
                      "Fr 08:00-16:30")  # fmt: skip
    _, plan = _plan(team_data)
    south = [u for u in plan.unplanned if u.client_id.startswith("S")]
    assert len(south) == 4 and {u.code for u in south} == {Reason.REGION_DAYS}
    assert "Lahn-Süd" in south[0].reason


def test_preference_moves_visits_but_never_drops_them() -> None:
    """Tuesday prefers Dill-Nord: with room on other days, Lahn-Süd goes elsewhere."""
    _, free = _plan(_team(), north="Di 08:00-16:30")
    assert "Lahn-Süd" in _tuesday_regions(free)  # one day is cheaper than two
    _, framed = _plan(_team(regionstage={"Di": "Dill-Nord"}), north="Di 08:00-16:30")
    assert framed.planned_count == free.planned_count == 8
    assert set(_tuesday_regions(framed)) == {"Dill-Nord"}
    # A preference never costs a visit: south-only on Tuesday still gets planned.
    _, forced = _plan(_team(regionstage={"Di": "Dill-Nord"}), south="Di 08:00-16:30")
    assert forced.planned_count == 8


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        ({"Dienstag": "Dill-Süd"}, "Region „Dill-Süd“ gibt es nicht"),
        ({"Xy": "Dill-Nord"}, "„Xy“ ist kein Wochentag"),
    ],
)
def test_bad_frame_is_a_german_error(frame: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_team(_team(regionstage=frame))


def test_frame_uses_the_team_s_own_regions() -> None:
    data = _team(regionstage={"mo": "nord"})
    data["regionen"] = {
        "Nord": ["Haiger", "Dillenburg", "Eschenburg", "Dietzhölztal", "Siegbach", "Breitscheid"]
    }
    team = parse_team(data)
    assert team.coaches[0].region_days == ((0, "Nord"),)
