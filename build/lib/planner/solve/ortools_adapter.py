"""The one place that talks to OR-Tools.

Model: one vehicle per :class:`~planner.solve.problem.Shift` (coach × day × car/van);
a time dimension in absolute seconds carries travel plus service time; visits have
(possibly several) start windows; shifts bound each route; optional break intervals
with OR-Tools' break-distance constraint enforce the rest-break rule; each visit is a
disjunction whose penalty is the price of leaving the client out.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from planner.solve.problem import Problem
from planner.solve.stopping import StoppingCriterion

#: Earliest start of the first break after the shift begins (08:00 → 11:00).
_BREAK_NOT_BEFORE_S = 3 * 3600

_STATUS = {
    0: "nicht gelöst",
    1: "Lösung gefunden",
    2: "keine Lösung gefunden",
    3: "Zeitlimit ohne Lösung",
    4: "ungültiges Modell",
    5: "Lösung gefunden (optimal)",
    6: "Lösung gefunden (Lösungs- oder Zeitlimit)",
    7: "Suche abgebrochen",
}


@dataclass(frozen=True)
class RoutedVisit:
    visit: int  # index into Problem.visits
    start_s: int  # service start, absolute seconds


@dataclass(frozen=True)
class Route:
    shift: int  # index into Problem.shifts
    visits: tuple[RoutedVisit, ...]
    start_s: int
    end_s: int
    breaks: tuple[tuple[int, int], ...]  # (start_s, duration_s)


@dataclass(frozen=True)
class Solution:
    routes: tuple[Route, ...]  # only shifts with at least one visit
    dropped: tuple[int, ...]  # visit indices
    objective: int
    seconds: float
    status: str


@dataclass(frozen=True)
class SearchSettings:
    """Search strategy; the defaults suit time-window problems with optional visits."""

    first_solution: int = routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION
    metaheuristic: int = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    log_search: bool = False


DEFAULT_SEARCH = SearchSettings()


def solve_problem(
    problem: Problem, stopping: StoppingCriterion, search: SearchSettings = DEFAULT_SEARCH
) -> Solution:
    """Solve and read back routes; never raises for infeasibility (visits get dropped)."""
    began = time.perf_counter()
    if not problem.visits or not problem.shifts:
        return Solution((), tuple(range(len(problem.visits))), 0, 0.0, "nichts zu planen")

    model = _Model(problem)
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = search.first_solution
    params.local_search_metaheuristic = search.metaheuristic
    params.log_search = search.log_search
    stopping.apply(params)

    assignment = model.routing.SolveWithParameters(params)
    elapsed = time.perf_counter() - began
    status = _STATUS.get(int(model.routing.status()), str(model.routing.status()))
    if assignment is None:
        # Cannot happen with every visit optional unless the model is broken; be explicit.
        return Solution((), tuple(range(len(problem.visits))), 0, elapsed, status)
    return model.read(assignment, elapsed, status)


class _Model:
    """OR-Tools objects for one problem (kept together because they reference each other)."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        shifts = problem.shifts
        n_offices = len(problem.offices)
        n_nodes = n_offices + len(problem.visits)
        starts = [problem.node_of_office(s.start_office.key) for s in shifts]
        ends = [problem.node_of_office(s.end_office.key) for s in shifts]
        self.manager = pywrapcp.RoutingIndexManager(n_nodes, len(shifts), starts, ends)
        self.routing = pywrapcp.RoutingModel(self.manager)
        routing, manager = self.routing, self.manager

        service = np.zeros(n_nodes, dtype=np.int64)
        service[n_offices:] = problem.service_s
        travel = problem.matrix.seconds
        van_travel = np.rint(travel * problem.van_speed_factor).astype(np.int64)

        # Matrix callbacks run in C++: no Python call per arc, which matters at 1,000 visits.
        car_cost = routing.RegisterTransitMatrix(travel.tolist())
        van_cost = routing.RegisterTransitMatrix(van_travel.tolist())
        car_time = routing.RegisterTransitMatrix((travel + service[:, None]).tolist())
        van_time = routing.RegisterTransitMatrix((van_travel + service[:, None]).tolist())
        for v, shift in enumerate(shifts):
            routing.SetArcCostEvaluatorOfVehicle(van_cost if shift.with_van else car_cost, v)
            routing.SetFixedCostOfVehicle(problem.tour_fixed_cost, v)

        horizon = problem.days * 24 * 3600
        routing.AddDimensionWithVehicleTransits(
            [van_time if s.with_van else car_time for s in shifts],
            horizon,  # waiting allowed
            horizon,
            False,  # start times are bounded by each shift below
            "Zeit",
        )
        self.time = routing.GetDimensionOrDie("Zeit")

        for v, shift in enumerate(shifts):
            start_var = self.time.CumulVar(routing.Start(v))
            end_var = self.time.CumulVar(routing.End(v))
            start_var.SetRange(shift.start_s, shift.end_s)
            end_var.SetRange(shift.start_s, shift.end_s)
            # Report a compact day: leave as late as possible, return as early as possible.
            routing.AddVariableMaximizedByFinalizer(start_var)
            routing.AddVariableMinimizedByFinalizer(end_var)

        for i, windows in enumerate(problem.windows):
            index = manager.NodeToIndex(n_offices + i)
            cumul = self.time.CumulVar(index)
            ordered = sorted(windows, key=lambda w: w.earliest)
            cumul.SetRange(ordered[0].earliest, max(w.latest for w in ordered))
            reach = ordered[0].latest
            for w in ordered[1:]:
                if w.earliest > reach + 1:
                    cumul.RemoveInterval(reach + 1, w.earliest - 1)
                reach = max(reach, w.latest)
            # VehicleVar domain instead of SetAllowedVehiclesForIndex, whose SWIG binding
            # (absl::Span) rejects Python lists in OR-Tools 9.15; -1 keeps "unperformed".
            routing.VehicleVar(index).SetValues([-1, *problem.allowed_shifts[i]])
            routing.AddDisjunction([index], problem.penalties[i])

        self._van_exclusive()
        self.breaks = self._add_breaks(service)

    def _van_exclusive(self) -> None:
        """One van: per day at most one van shift; a coach drives car or van, not both."""
        solver, routing = self.routing.solver(), self.routing
        by_day: dict[int, list[int]] = {}
        car_of: dict[tuple[str, int], int] = {}
        for v, shift in enumerate(self.problem.shifts):
            if shift.with_van:
                by_day.setdefault(shift.day_index, []).append(v)
            else:
                car_of[(shift.coach.key, shift.day_index)] = v
        for day, vans in by_day.items():
            if len(vans) > 1:
                solver.Add(solver.Sum([routing.ActiveVehicleVar(v) for v in vans]) <= 1)
            for v in vans:
                car = car_of.get((self.problem.shifts[v].coach.key, day))
                if car is not None:
                    solver.Add(routing.ActiveVehicleVar(v) + routing.ActiveVehicleVar(car) <= 1)

    def _add_breaks(self, service: np.ndarray) -> dict[int, list[pywrapcp.IntervalVar]]:
        """§ 4 ArbZG: no more than 6 h without a 30-min break; 45 min in all beyond 9 h."""
        rule = self.problem.breaks
        solver, routing, manager = self.routing.solver(), self.routing, self.manager
        visit_transit = [int(service[manager.IndexToNode(i)]) for i in range(routing.Size())]
        result: dict[int, list[pywrapcp.IntervalVar]] = {}
        extra = (rule.long_break_min - rule.break_min) * 60
        for v, shift in enumerate(self.problem.shifts):
            if shift.end_s - shift.start_s <= rule.after_min * 60:
                continue  # a shift this short can never need a break
            start_var = self.time.CumulVar(routing.Start(v))
            end_var = self.time.CumulVar(routing.End(v))
            # A rest break is a midday pause: not in the first hours of the day.
            earliest = min(shift.start_s + _BREAK_NOT_BEFORE_S, shift.end_s - rule.break_min * 60)
            first = solver.FixedDurationIntervalVar(
                earliest,
                shift.end_s - rule.break_min * 60,
                rule.break_min * 60,
                True,
                f"pause-{v}",
            )
            intervals = [first]
            long_day = shift.end_s - shift.start_s > (rule.long_after_min + rule.break_min) * 60
            if extra > 0 and long_day:
                second = solver.FixedDurationIntervalVar(
                    shift.start_s, shift.end_s - extra, extra, True, f"pause2-{v}"
                )
                span = end_var - start_var
                threshold = (rule.long_after_min + rule.break_min) * 60
                solver.Add(second.PerformedExpr() >= solver.IsGreaterCstVar(span, threshold))
                solver.Add(second.PerformedExpr() <= first.PerformedExpr())
                intervals.append(second)
            for interval in intervals:
                # A break only counts inside the working day, not before or after it.
                solver.Add(interval.SafeStartExpr(shift.end_s) >= start_var)
                solver.Add(interval.SafeEndExpr(shift.start_s) <= end_var)
                routing.AddIntervalToAssignment(interval)
            self.time.SetBreakIntervalsOfVehicle(intervals, v, visit_transit)
            self.time.SetBreakDistanceDurationOfVehicle(rule.after_min * 60, rule.break_min * 60, v)
            result[v] = intervals
        return result

    def read(self, assignment: pywrapcp.Assignment, elapsed: float, status: str) -> Solution:
        routing, manager, problem = self.routing, self.manager, self.problem
        n_offices = len(problem.offices)
        routes: list[Route] = []
        served: set[int] = set()
        for v in range(len(problem.shifts)):
            index = assignment.Value(routing.NextVar(routing.Start(v)))
            visits: list[RoutedVisit] = []
            while not routing.IsEnd(index):
                i = manager.IndexToNode(index) - n_offices
                visits.append(RoutedVisit(i, assignment.Min(self.time.CumulVar(index))))
                served.add(i)
                index = assignment.Value(routing.NextVar(index))
            if not visits:
                continue
            breaks = tuple(
                (assignment.StartValue(b), assignment.DurationValue(b))
                for b in self.breaks.get(v, [])
                if assignment.PerformedValue(b)
            )
            routes.append(
                Route(
                    shift=v,
                    visits=tuple(visits),
                    start_s=assignment.Min(self.time.CumulVar(routing.Start(v))),
                    end_s=assignment.Min(self.time.CumulVar(routing.End(v))),
                    breaks=tuple(sorted(breaks)),
                )
            )
        dropped = tuple(i for i in range(len(problem.visits)) if i not in served)
        return Solution(tuple(routes), dropped, assignment.ObjectiveValue(), elapsed, status)
