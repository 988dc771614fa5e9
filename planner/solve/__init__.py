"""Solve stage: visits + team + horizon → tours and unplanned clients.

``solve_visits`` builds the immutable :class:`~planner.solve.problem.Problem`, sorts out
visits that cannot fit whatever the others do (cheap checks, with reasons), lets
OR-Tools (in :mod:`planner.solve.ortools_adapter`) route the rest, and turns the raw
routes into :class:`~planner.model.Tour` objects with arrival times and breaks.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from planner.model import Break, DayOff, Stop, Team, Tour, Unplanned, Visit
from planner.solve.explain import explain_dropped, explain_surplus, idle_days
from planner.solve.ortools_adapter import DEFAULT_SEARCH, SearchSettings
from planner.solve.problem import Problem, build_problem, unplanned_visit
from planner.solve.stopping import FirstOf, SolutionLimit, StoppingCriterion, TimeLimit
from planner.solve.strategy import DEFAULT_EFFORT, DEFAULT_PRICING, Effort, Engine, Pricing
from planner.solve.strategy import solve as solve_data
from planner.solve.vrp import VrpRoute, VrpSolution
from planner.traveltime import TravelTimeProvider

__all__ = [
    "DEFAULT_EFFORT",
    "DEFAULT_PRICING",
    "Effort",
    "Engine",
    "FirstOf",
    "Pricing",
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
    solution: VrpSolution
    stopping: str

    @property
    def idle(self) -> tuple[DayOff, ...]:
        """Coaches' working days the plan leaves without a tour, and why (holidays and
        absences have no shift and are not among them)."""
        return idle_days(self.problem, self.solution)


def solve_visits(
    visits: Sequence[Visit],
    team: Team,
    start: date,
    days: int,
    travel: TravelTimeProvider,
    stopping: StoppingCriterion,
    search: SearchSettings = DEFAULT_SEARCH,
    *,
    engine: Engine = "auto",
    effort: Effort = DEFAULT_EFFORT,
) -> SolveResult:
    began = time.perf_counter()
    problem, unplanned = build_problem(visits, team, start, days, travel)
    data = problem.to_vrp()
    # The travel matrix and the checks count against a time limit too.
    solution = solve_data(
        data, stopping.remaining(time.perf_counter() - began), search, engine=engine, effort=effort
    )
    tours = tuple(_tour(problem, route) for route in solution.routes)
    dropped_visits = [problem.visit_of_node(node) for node in solution.dropped]
    dropped = tuple(
        unplanned_visit(problem.visits[i], *explain_dropped(problem, solution, i))
        for i in dropped_visits
    )
    surplus = tuple(
        unplanned_visit(v, *explain_surplus(problem, solution, j))
        for j, v in enumerate(problem.surplus)
    )
    note = stopping.outcome(time.perf_counter() - began) or "Suche beendet"
    if not solution.found:
        note = f"keine Lösung gefunden ({solution.status}) – {note}"
    return SolveResult(tours, unplanned + dropped + surplus, problem, solution, note)


def _tour(problem: Problem, route: VrpRoute) -> Tour:
    shift = problem.shifts[route.vehicle]
    metres = problem.matrix.metres
    breaks = [(s, s + d) for s, d in route.breaks]

    def resting(begin: int, end: int) -> int:
        return sum(min(e, end) - max(s, begin) for s, e in breaks if s < end and e > begin)

    stops: list[Stop] = []
    node = problem.node_of_office(shift.start_office.key)
    departure = route.start
    driving = distance = 0
    # Drive times are whole minutes (Problem.to_vrp), so every time here is one too and
    # the printed minutes add up exactly.
    for target, begin in zip(route.nodes, route.starts, strict=True):
        i = problem.visit_of_node(target)
        travel = problem.drive_s(shift, node, target)
        # The node starts with the van's set-up; the visit follows it. At the same stand
        # the van is still set up: no set-up, the visit follows the previous one.
        visit_start = begin + problem.setup_before_s(i)
        setup = problem.setup_s_between(shift, node, target)
        arrival = min(
            visit_start - setup,
            departure + travel + resting(departure, visit_start - setup),
        )
        window = next((w.label for w in problem.windows[i] if w.earliest <= begin <= w.latest), "")
        stops.append(
            Stop(
                visit=problem.visits[i],
                arrival=problem.to_datetime(arrival),
                start=problem.to_datetime(visit_start),
                end=problem.to_datetime(begin + problem.service_s[i]),
                travel_min=travel // 60,
                distance_m=int(metres[node, target]),
                window=window,
                setup_min=setup // 60,
            )
        )
        driving += travel
        distance += int(metres[node, target])
        node, departure = target, begin + problem.service_s[i]
    end_node = problem.node_of_office(shift.end_office.key)
    back, back_m = problem.drive_s(shift, node, end_node), int(metres[node, end_node])
    return Tour(
        coach=shift.coach,
        day=shift.day,
        with_van=shift.with_van,
        start_office=shift.start_office,
        end_office=shift.end_office,
        start=problem.to_datetime(route.start),
        end=problem.to_datetime(route.end),
        stops=tuple(stops),
        breaks=tuple(Break(problem.to_datetime(s), problem.to_datetime(e)) for s, e in breaks),
        driving_min=(driving + back) // 60,
        distance_m=distance + back_m,
        return_travel_min=back // 60,
        return_distance_m=back_m,
    )
