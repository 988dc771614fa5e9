"""Beratungsmobil: the set-up happens before the visit, never inside its window."""

from __future__ import annotations

from datetime import datetime

from planner.model import Team, Van, VisitPlace, WeeklyWindow
from planner.render.sheet import sheet_html
from planner.solve import FirstOf, SolutionLimit, TimeLimit, solve_visits
from tests.checks import plan_violations
from tests.test_solve import MONDAY, LineTravel, coach, office, visit

at = datetime(2026, 11, 30)


def solve(visits, team, solutions=100):
    """One Monday; tiny instances are solved at once, the time limit only caps idle search."""
    stop = FirstOf((SolutionLimit(solutions), TimeLimit(3)))
    return solve_visits(visits, team, MONDAY, 1, LineTravel(), stop)


def _van_team(factor: float = 1.0) -> Team:
    return Team((coach("a", van=True),), (office(),), van=Van(setup_min=10, speed_factor=factor))


def _only_stop(result):
    (tour,) = result.tours
    (stop,) = tour.stops
    return tour, stop


def test_van_appointment_starts_at_the_appointment_with_setup_before() -> None:
    team = _van_team()
    k1 = visit("K1", 1.0, appointment=at.replace(hour=10, minute=30), place=VisitPlace.VAN)
    result = solve([k1], team)
    tour, stop = _only_stop(result)
    assert tour.with_van
    assert (stop.start, stop.end) == (
        at.replace(hour=10, minute=30),
        at.replace(hour=11, minute=30),
    )
    assert stop.setup_min == 10
    assert stop.arrival == at.replace(hour=10, minute=20)  # set-up 10:20–10:30
    assert tour.end == at.replace(hour=11, minute=40)
    assert plan_violations(result.tours, team, LineTravel()) == []
    html = sheet_html(tour, created=at)
    assert "Aufbau 10:20–10:30" in html and "Beginn 10:30" in html and "bis 11:30" in html


def test_van_visit_in_a_window_just_as_long_as_the_visit_ends_inside_it() -> None:
    team = _van_team()
    window = (WeeklyWindow(0, 9 * 60, 10 * 60),)
    result = solve([visit("K1", 1.0, availability=window, place=VisitPlace.VAN)], team)
    _, stop = _only_stop(result)
    assert (stop.start, stop.end) == (at.replace(hour=9), at.replace(hour=10))
    assert stop.arrival <= at.replace(hour=8, minute=50)
    assert stop.window == "Mo 09:00-10:00"
    assert plan_violations(result.tours, team, LineTravel()) == []


def test_setup_needs_time_after_the_shift_starts() -> None:
    # 08:00 shift start, 10 min drive: the set-up can start 08:10, the visit 08:20.
    team = _van_team()
    fits = visit("K1", 1.0, appointment=at.replace(hour=8, minute=20), place=VisitPlace.VAN)
    result = solve([fits], team)
    tour, stop = _only_stop(result)
    assert (tour.start, stop.arrival, stop.start) == (
        at.replace(hour=8),
        at.replace(hour=8, minute=10),
        at.replace(hour=8, minute=20),
    )
    assert plan_violations(result.tours, team, LineTravel()) == []

    too_early = visit("K2", 1.0, appointment=at.replace(hour=8, minute=15), place=VisitPlace.VAN)
    result = solve([too_early], team)
    assert not result.tours and [u.client_id for u in result.unplanned] == ["K2"]


def test_slower_van_prints_whole_minutes_and_home_visits_have_no_setup() -> None:
    # 10 min by car is 11.5 min by van: planned and printed as 12 min each way.
    team = _van_team(factor=1.15)
    k1 = visit("K1", 1.0, appointment=at.replace(hour=10, minute=30), place=VisitPlace.VAN)
    k2 = visit("K2", 1.0, appointment=at.replace(hour=12), minutes=30)
    result = solve([k1, k2], team)
    (tour,) = result.tours
    assert tour.with_van
    van_stop, home_stop = tour.stops
    assert (tour.start, van_stop.arrival) == (
        at.replace(hour=10, minute=8),
        at.replace(hour=10, minute=20),
    )
    assert (van_stop.travel_min, tour.return_travel_min, tour.driving_min) == (12, 12, 24)
    assert home_stop.setup_min == 0 and home_stop.start == at.replace(hour=12)
    assert tour.end == at.replace(hour=12, minute=42)
    assert plan_violations(result.tours, team, LineTravel()) == []
