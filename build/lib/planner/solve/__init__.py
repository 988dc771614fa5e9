"""Solve stage: visits + team + horizon → tours and unplanned clients.

``solve_visits`` builds the immutable :class:`~planner.solve.problem.Problem`, sorts out
visits that cannot fit whatever the others do (cheap checks, with reasons), lets
OR-Tools (in :mod:`planner.solve.ortools_adapter`) route the rest, and turns the raw
routes into :class:`~planner.model.Tour` objects with arrival times and breaks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from planner.model import Break, Stop, Team, Tour, Unplanned, Visit
from planner.solve.explain import explain_dropped
from planner.solve.ortools_adapter import (
    DEFAULT_SEARCH,
    Route,
    SearchSettings,
    Solution,
    solve_problem,
)
from planner.solve.problem import Problem, build_problem
from planner.solve.stopping import FirstOf, SolutionLimit, StoppingCriterion, TimeLimit
from planner.traveltime import TravelTimeProvider

__all__ = [
    "FirstOf",
    "SearchSettings",
    "SolutionLimit",
    "SolveResult",
    "StoppingCriterion",
    "TimeLimit",
    "solve_visits",
]


@dataclass(frozen=True)
class SolveResult:
    tours: tuple[Tour, ...]
    unplanned: tuple[Unplanned, ...]
    problem: Problem
    solution: Solution
    stopping: str


def solve_visits(
    visits: Sequence[Visit],
    team: Team,
    start: date,
    days: int,
    travel: TravelTimeProvider,
    stopping: StoppingCriterion,
    search: SearchSettings = DEFAULT_SEARCH,
) -> SolveResult:
    problem, unplanned = build_problem(visits, team, start, days, travel)
    solution = solve_problem(problem, stopping, search)
    tours = tuple(_tour(problem, route) for route in solution.routes)
    dropped = tuple(
        Unplanned(
            client_id=problem.visits[i].client.id,
            row=problem.visits[i].client.row,
            reason=explain_dropped(problem, solution, i),
            client=problem.visits[i].client,
            site=problem.visits[i].site,
            name=problem.visits[i].client.name,
            address=problem.visits[i].client.address,
        )
        for i in solution.dropped
    )
    note = stopping.outcome(solution.seconds) or "Suche beendet"
    return SolveResult(tours, unplanned + dropped, problem, solution, note)


def _tour(problem: Problem, route: Route) -> Tour:
    shift = problem.shifts[route.shift]
    factor = problem.van_speed_factor if shift.with_van else 1.0
    seconds, metres = problem.matrix.seconds, problem.matrix.metres
    breaks = [(s, s + d) for s, d in route.breaks]

    def drive(a: int, b: int) -> int:
        return int(round(int(seconds[a, b]) * factor))

    def resting(begin: int, end: int) -> int:
        return sum(min(e, end) - max(s, begin) for s, e in breaks if s < end and e > begin)

    stops: list[Stop] = []
    node = problem.node_of_office(shift.start_office.key)
    departure = route.start_s
    driving = distance = 0
    for rv in route.visits:
        target = problem.node_of_visit(rv.visit)
        travel = drive(node, target)
        arrival = min(rv.start_s, departure + travel + resting(departure, rv.start_s))
        window = next(
            (w.label for w in problem.windows[rv.visit] if w.earliest <= rv.start_s <= w.latest), ""
        )
        stops.append(
            Stop(
                visit=problem.visits[rv.visit],
                arrival=problem.to_datetime(arrival),
                start=problem.to_datetime(rv.start_s),
                end=problem.to_datetime(rv.start_s + problem.service_s[rv.visit]),
                travel_min=round(travel / 60),
                distance_m=int(metres[node, target]),
                window=window,
            )
        )
        driving += travel
        distance += int(metres[node, target])
        node, departure = target, rv.start_s + problem.service_s[rv.visit]
    end_node = problem.node_of_office(shift.end_office.key)
    back, back_m = drive(node, end_node), int(metres[node, end_node])
    return Tour(
        coach=shift.coach,
        day=shift.day,
        with_van=shift.with_van,
        start_office=shift.start_office,
        end_office=shift.end_office,
        start=problem.to_datetime(route.start_s),
        end=problem.to_datetime(route.end_s),
        stops=tuple(stops),
        breaks=tuple(Break(problem.to_datetime(s), problem.to_datetime(e)) for s, e in breaks),
        driving_min=round((driving + back) / 60),
        distance_m=distance + back_m,
        return_travel_min=round(back / 60),
        return_distance_m=back_m,
    )
