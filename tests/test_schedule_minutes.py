"""Whole minutes: printed clock times and printed drive times agree to the minute."""

from __future__ import annotations

from datetime import datetime

import numpy as np

from planner.model import BreakRule, Team, Van, VisitPlace
from planner.solve import FirstOf, SolutionLimit, TimeLimit, solve_visits
from planner.solve.problem import build_problem
from tests.checks import plan_violations
from tests.test_solve import MONDAY, LineTravel, coach, office, visit

at = datetime(2026, 11, 30)


def solve(visits, team, solutions=100):
    """One Monday; tiny instances are solved at once, the time limit only caps idle search."""
    stop = FirstOf((SolutionLimit(solutions), TimeLimit(3)))
    return solve_visits(visits, team, MONDAY, 1, LineTravel(), stop)


#: 170 s from K1 to K2 (2 min 50 s), 230 s from K2 back to the office.
K2_LAT = 0.1 + 170 / 600


def test_odd_seconds_are_rounded_up_to_whole_minutes() -> None:
    team = Team((coach("a"),), (office(),), van=None)
    visits = [
        visit("K1", 0.1, appointment=at.replace(hour=9)),
        visit("K2", K2_LAT, appointment=at.replace(hour=10, minute=5)),
    ]
    result = solve(visits, team)
    (tour,) = result.tours
    first, second = tour.stops
    assert (tour.start, first.arrival, first.travel_min) == (
        at.replace(hour=8, minute=59),
        at.replace(hour=9),
        1,
    )
    assert (second.arrival, second.travel_min) == (at.replace(hour=10, minute=3), 3)
    assert (tour.end, tour.return_travel_min, tour.driving_min) == (
        at.replace(hour=11, minute=9),
        4,
        8,
    )
    assert (first.distance_m, second.distance_m, tour.distance_m) == (600, 1700, 4600)
    assert plan_violations(result.tours, team, LineTravel()) == []


def test_solver_sees_whole_minutes_for_car_and_van() -> None:
    team = Team((coach("a", van=True),), (office(),), van=Van(speed_factor=1.15))
    visits = [
        visit("K1", 0.1),
        visit("K2", K2_LAT, place=VisitPlace.VAN),
        visit("K3", 0.77),
    ]
    problem, _ = build_problem(visits, team, MONDAY, 1, LineTravel())
    data = problem.to_vrp()
    raw = problem.matrix.seconds
    car, van = data.time
    assert not (car % 60).any() and not (van % 60).any()
    assert (car >= raw).all() and (car - raw < 60).all()
    car_shift, van_shift = problem.shifts
    n = len(raw)
    setup = np.array(
        [[problem.setup_s_between(van_shift, a, b) for b in range(n)] for a in range(n)]
    )
    assert setup[:, 2].tolist() == [600, 600, 0, 600]  # set up on arriving at K2's stand
    drive = van  # the set-up is in K2's service (no break may fall into it), not on the arc
    assert (drive >= raw * 1.15 - 0.5).all() and (drive - raw * 1.15 < 60.5).all()
    assert all(w % 60 == 0 for ws in data.windows for window in ws for w in window)
    assert all(s % 60 == 0 for s in data.service)
    for a in range(n):
        for b in range(n):
            assert problem.drive_s(car_shift, a, b) == car[a, b]
            assert problem.drive_s(van_shift, a, b) == drive[a, b]
    assert np.array_equal(problem.matrix.metres, raw * 10)  # distances stay as they are


def test_long_day_with_odd_drives_and_a_break_adds_up_on_every_sheet_line() -> None:
    hours = ((0, 8 * 60, 17 * 60),)
    team = Team(
        (coach("a", hours=hours, van=True), coach("b", hours=hours)),
        (office(),),
        van=Van(setup_min=10, speed_factor=1.15),
        breaks=BreakRule(),
    )
    visits = [visit(f"K{i}", 0.07 * i + 0.013 * (i % 3), minutes=55) for i in range(1, 13)]
    visits += [
        visit("K20", 0.93, place=VisitPlace.VAN),
        visit("K21", 1.21, place=VisitPlace.VAN, appointment=at.replace(hour=13, minute=45)),
    ]
    result = solve(visits, team, solutions=300)
    assert plan_violations(result.tours, team, LineTravel()) == []
    assert any(t.breaks for t in result.tours)
    # What OR-Tools returns is already on whole minutes (breaks included).
    for route in result.solution.routes:
        assert route.start % 60 == 0 and route.end % 60 == 0
        assert all(s % 60 == 0 for s in route.starts)
        assert all(s % 60 == 0 and d % 60 == 0 for s, d in route.breaks)
