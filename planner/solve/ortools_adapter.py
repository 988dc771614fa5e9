"""The one place that talks to OR-Tools.

Input is a :class:`~planner.solve.vrp.VrpData`: vehicles with start/end depots and time
ranges, per-profile travel-time and cost matrices, service times, (multiple) start
windows, optional visits with drop penalties, optional capacities, optional rest breaks
and groups of mutually exclusive vehicles. Output is a :class:`~planner.solve.vrp.VrpSolution`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2, routing_parameters_pb2
from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model
from ortools.util import optional_boolean_pb2

from planner import cancel
from planner.solve.stopping import StoppingCriterion
from planner.solve.vrp import (
    BreakSpec,
    Column,
    Prices,
    SeenRoutes,
    VrpData,
    VrpRoute,
    VrpSolution,
)

_ON, _OFF = optional_boolean_pb2.BOOL_TRUE, optional_boolean_pb2.BOOL_FALSE

# Keyed by name, not number: the numbering changed between OR-Tools releases.
_STATUS_DE = {
    "ROUTING_NOT_SOLVED": "nicht gelöst",
    "ROUTING_SUCCESS": "Lösung gefunden",
    "ROUTING_PARTIAL_SUCCESS_LOCAL_OPTIMUM_NOT_REACHED": "Lösung gefunden (Suche begrenzt)",
    "ROUTING_FAIL": "keine Lösung gefunden",
    "ROUTING_FAIL_TIMEOUT": "Zeitlimit ohne Lösung",
    "ROUTING_INVALID": "ungültiges Modell",
    "ROUTING_INFEASIBLE": "unlösbar",
    "ROUTING_OPTIMAL": "Lösung gefunden (optimal)",
}


def _status_text(code: int) -> str:
    name = str(routing_enums_pb2.RoutingSearchStatus.Value.Name(code))
    return _STATUS_DE.get(name, name)


@dataclass(frozen=True)
class SearchSettings:
    """Search strategy; the defaults suit time-window problems with optional visits."""

    first_solution: int = routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION
    metaheuristic: int = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    gls_lambda: float | None = None  # OR-Tools' default (0.1) when None
    #: Local-search operators to switch on (True) or off (False), by OR-Tools field name.
    operators: tuple[tuple[str, bool], ...] = ()
    log_search: bool = False

    def apply(self, params: routing_parameters_pb2.RoutingSearchParameters) -> None:
        params.first_solution_strategy = self.first_solution
        params.local_search_metaheuristic = self.metaheuristic
        if self.gls_lambda is not None:
            params.guided_local_search_lambda_coefficient = self.gls_lambda
        for name, on in self.operators:
            setattr(params.local_search_operators, name, _ON if on else _OFF)
        params.log_search = self.log_search
        # OR-Tools cuts each large-neighbourhood sub-search after 0.1 s of *wall* time by
        # default: on a busy machine the cut comes earlier and the plan changes. The
        # sub-searches finish in milliseconds here, so an hour means "never cut": the plan
        # depends on the input alone.
        params.lns_time_limit.FromSeconds(_LNS_NEVER_CUT_S)


_LNS_NEVER_CUT_S = 3600
#: Work limit beside a solution budget (see :func:`solve_vrp`): failed branches of the
#: search, per solution asked for, and at least this many.
FAILURES_PER_SOLUTION = 2_000
MIN_FAILURE_LIMIT = 200_000

DEFAULT_SEARCH = SearchSettings()

#: The local search of :func:`descend` stops after this many failed branches at the latest
#: (the same guard as beside a solution budget: a rare start sends OR-Tools into a long
#: search).
DESCENT_FAILURE_LIMIT = 50_000


def solve_vrp(
    data: VrpData,
    stopping: StoppingCriterion,
    search: SearchSettings = DEFAULT_SEARCH,
    *,
    initial: tuple[VrpRoute, ...] = (),
    seen: SeenRoutes | None = None,
) -> VrpSolution:
    """Solve and read back routes. Optional visits that do not fit are dropped, not fatal.

    ``initial`` routes (e.g. another engine's plan) are where the search starts; when
    OR-Tools cannot read them as a solution, it builds its own first solution. ``seen``
    receives the routes of every solution the search passes through.
    """
    began = time.perf_counter()
    data.validate()
    if not data.visits or not data.vehicles:
        return VrpSolution((), data.visits, 0, 0.0, "nichts zu planen")

    model = _Model(data)
    params = pywrapcp.DefaultRoutingSearchParameters()
    search.apply(params)
    # Building the model counts against a time limit: the caller asked for an answer in time.
    stopping.remaining(time.perf_counter() - began).apply(params)

    solutions = stopping.solution_budget()
    # A solution budget only ends a search that keeps finding solutions. Pinned
    # appointments with breaks can send OR-Tools into a constraint search that finds
    # almost none (measured: 1.5 million failures, 2 solutions in 15 s from PyVRP's
    # routes); counted failures end it after a fixed amount of work, so the plan still
    # depends on the input alone. Normal weeks stay far below (demo: 6,500).
    _guard(
        model,
        None if solutions is None else max(MIN_FAILURE_LIMIT, FAILURES_PER_SOLUTION * solutions),
    )
    if seen is not None:
        model.record_routes(seen)
    with cancel.deferred():
        start = model.initial_assignment(initial, params) if initial else None
        if start is not None:
            assignment = model.routing.SolveFromAssignmentWithParameters(start, params)
        else:
            assignment = model.routing.SolveWithParameters(params)
    elapsed = time.perf_counter() - began
    status = _status_text(int(model.routing.status()))
    if assignment is None:
        # Only mandatory visits (benchmarks) can make the model infeasible.
        return VrpSolution((), data.visits, 0, elapsed, status, found=False)
    return model.read(assignment, elapsed, status)


def descend(
    data: VrpData,
    routes: tuple[VrpRoute, ...],
    seen: SeenRoutes | None = None,
    *,
    search: SearchSettings = DEFAULT_SEARCH,
) -> VrpSolution | None:
    """OR-Tools' greedy descent from ``routes`` to its local optimum; None if they are no
    solution of ``data``.

    The repair step of :func:`planner.solve.recreate.improve`: it inserts the visits the
    routes lack where they fit best, on the full model (breaks, windows, vehicles).
    ``seen`` receives the routes of every solution on the way down.
    """
    began = time.perf_counter()
    model = _Model(data)
    params = pywrapcp.DefaultRoutingSearchParameters()
    replace(search, metaheuristic=_GREEDY_DESCENT).apply(params)
    _guard(model, DESCENT_FAILURE_LIMIT)
    if seen is not None:
        model.record_routes(seen)
    with cancel.deferred():
        start = model.initial_assignment(routes, params)
        if start is None:
            return None
        assignment = model.routing.SolveFromAssignmentWithParameters(start, params)
    if assignment is None:
        return None
    status = _status_text(int(model.routing.status()))
    return model.read(assignment, time.perf_counter() - began, status)


_GREEDY_DESCENT = routing_enums_pb2.LocalSearchMetaheuristic.GREEDY_DESCENT

#: Deterministic work (CP-SAT's own unit, about a CPU second) one route selection may use.
SELECT_WORK = 2.0


def select_routes(
    data: VrpData, columns: Sequence[Column], hint: Collection[int], work: float = SELECT_WORK
) -> tuple[int, ...] | None:
    """The best plan made of ``columns``: indexes of the chosen ones, None if none found.

    A set-packing model for CP-SAT: at most one column per vehicle, every visit in at
    most one chosen column (mandatory visits in exactly one), the least total cost.
    ``hint`` (column indexes, usually the current plan) is where the search starts. One
    worker and a limit in deterministic work keep the answer the same on every machine.
    """
    model = cp_model.CpModel()
    chosen = [model.new_bool_var(f"c{i}") for i in range(len(columns))]
    per_vehicle: dict[int, list[cp_model.IntVar]] = {}
    per_visit: dict[int, list[cp_model.IntVar]] = {n: [] for n in data.visits}
    for var, column in zip(chosen, columns, strict=True):
        per_vehicle.setdefault(column.vehicle, []).append(var)
        for node in column.nodes:
            per_visit[node].append(var)
    for group in per_vehicle.values():
        model.add_at_most_one(group)
    for node, group in per_visit.items():
        if data.penalties[node] is None:
            model.add_exactly_one(group)
        else:
            model.add_at_most_one(group)
    model.minimize(sum(c.cost * var for c, var in zip(columns, chosen, strict=True)))
    for i, var in enumerate(chosen):
        model.add_hint(var, i in hint)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = 0
    # The LP relaxation of set packing is strong; level 2 solved the demo's pools
    # (3,000 columns) to optimality twice as fast as the default.
    solver.parameters.linearization_level = 2
    solver.parameters.max_deterministic_time = work
    solver.parameters.catch_sigint_signal = False  # Ctrl+C goes to planner.cancel
    with cancel.deferred():
        status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return tuple(i for i, var in enumerate(chosen) if solver.boolean_value(var))


def _guard(model: _Model, failures: int | None) -> None:
    """A work limit in failed branches (if given), and Ctrl+C / SIGTERM ending the search
    at its next solution (the caller raises after the engine returns)."""
    solver = model.routing.solver()
    if failures is not None:
        model.routing.AddSearchMonitor(solver.FailuresLimit(failures))
    model.routing.AddAtSolutionCallback(
        lambda: solver.FinishCurrentSearch() if cancel.requested() is not None else None
    )


def _time_unit(data: VrpData) -> int:
    """The largest unit (≤ 60 s) every time of the instance is a multiple of."""
    values: list[int] = [data.horizon, *data.service]
    for v in data.vehicles:
        values += [v.earliest, v.latest]
        if v.breaks is not None:
            b = v.breaks
            values += [b.max_work, b.length, b.not_before, b.long_day or 0, b.extra]
    values += [t for windows in data.windows for w in windows for t in w]
    unit = math.gcd(60, *values)
    for matrix in data.time:
        unit = math.gcd(unit, int(np.gcd.reduce(matrix, axis=None)))
    return max(1, unit)


def _in_unit(data: VrpData, unit: int) -> VrpData:
    """``data`` with every time divided by ``unit`` (costs stay as they are)."""
    if unit == 1:
        return data

    def rule(b: BreakSpec | None) -> BreakSpec | None:
        if b is None:
            return None
        long_day = None if b.long_day is None else b.long_day // unit
        return BreakSpec(
            b.max_work // unit, b.length // unit, b.not_before // unit, long_day, b.extra // unit
        )

    return replace(
        data,
        vehicles=tuple(
            replace(v, earliest=v.earliest // unit, latest=v.latest // unit, breaks=rule(v.breaks))
            for v in data.vehicles
        ),
        time=tuple(m // unit for m in data.time),
        service=tuple(s // unit for s in data.service),
        windows=tuple(tuple((a // unit, b // unit) for a, b in ws) for ws in data.windows),
        horizon=data.horizon // unit,
    )


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping or touching intervals joined, in order."""
    out: list[tuple[int, int]] = []
    for early, late in sorted(spans):
        if out and early <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], late))
        else:
            out.append((early, late))
    return out


class _Model:
    """OR-Tools objects for one instance (kept together because they reference each other)."""

    def __init__(self, data: VrpData) -> None:
        # Every time of the planner's weeks is a whole minute: OR-Tools then works in
        # minutes. Its domains with holes (the gaps between windows) cost time in
        # proportion to their range: seconds made 95 % of the model build.
        self.unit = _time_unit(data)
        data = _in_unit(data, self.unit)
        self.data = data
        vehicles = data.vehicles
        self.manager = pywrapcp.RoutingIndexManager(
            data.n_nodes, len(vehicles), [v.start for v in vehicles], [v.end for v in vehicles]
        )
        self.routing = pywrapcp.RoutingModel(self.manager)
        routing, manager = self.routing, self.manager
        service = np.asarray(data.service, dtype=np.int64)

        # Matrix callbacks run in C++: no Python call per arc, which matters at 1,000 visits.
        cost = [routing.RegisterTransitMatrix(m.tolist()) for m in data.cost]
        transit = [
            routing.RegisterTransitMatrix((m + service[:, None]).tolist()) for m in data.time
        ]
        for k, vehicle in enumerate(vehicles):
            routing.SetArcCostEvaluatorOfVehicle(cost[vehicle.profile], k)
            if vehicle.fixed_cost:
                routing.SetFixedCostOfVehicle(vehicle.fixed_cost, k)

        routing.AddDimensionWithVehicleTransits(
            [transit[v.profile] for v in vehicles],
            data.horizon,  # waiting allowed
            data.horizon,
            False,  # start times are bounded per vehicle below
            "Zeit",
        )
        self.time = routing.GetDimensionOrDie("Zeit")
        for k, vehicle in enumerate(vehicles):
            start_var = self.time.CumulVar(routing.Start(k))
            end_var = self.time.CumulVar(routing.End(k))
            start_var.SetRange(vehicle.earliest, vehicle.latest)
            end_var.SetRange(vehicle.earliest, vehicle.latest)
            # Report a compact day: leave as late as possible, return as early as possible.
            routing.AddVariableMaximizedByFinalizer(start_var)
            routing.AddVariableMinimizedByFinalizer(end_var)

        if data.demand:
            demand_cb = routing.RegisterUnaryTransitVector(list(data.demand))
            routing.AddDimensionWithVehicleCapacity(
                demand_cb, 0, [v.capacity for v in vehicles], True, "Last"
            )

        for node in data.places - data.route_ends:
            # An office no vehicle uses in this horizon is still a node: never visit it.
            index = manager.NodeToIndex(node)
            routing.VehicleVar(index).SetValues([-1])
            routing.AddDisjunction([index], 0)
        shifts = _merged([(v.earliest, v.latest) for v in vehicles])
        for node in data.visits:
            index = manager.NodeToIndex(node)
            self._restrict_windows(self.time.CumulVar(index), data.windows[node], shifts)
            allowed = data.allowed[node] if data.allowed else None
            if allowed:
                # VehicleVar domain instead of SetAllowedVehiclesForIndex, whose SWIG binding
                # (absl::Span) rejects Python lists in OR-Tools 9.15; -1 keeps "unperformed".
                routing.VehicleVar(index).SetValues([-1, *allowed])
            penalty = data.penalties[node]
            if penalty is not None:
                routing.AddDisjunction([index], penalty)

        self._exclusive_vehicles()
        self.breaks = self._add_breaks(service)

    @staticmethod
    def _restrict_windows(
        cumul: pywrapcp.IntVar,
        windows: tuple[tuple[int, int], ...],
        shifts: list[tuple[int, int]],
    ) -> None:
        """Service may start in one of ``windows`` only. Each gap between them is removed
        where it meets a shift (``shifts``: merged, in order); the rest of a gap (nights,
        days no vehicle works) no vehicle reaches anyway. OR-Tools removes an interval
        value by value, so a whole night of minutes made up most of a model build."""
        if not windows:
            return
        ordered = sorted(windows)
        cumul.SetRange(ordered[0][0], max(latest for _, latest in ordered))
        reach = ordered[0][1]
        for earliest, latest in ordered[1:]:
            for a, b in shifts:
                low, high = max(a, reach + 1), min(b, earliest - 1)
                if low <= high:
                    cumul.RemoveInterval(low, high)
            reach = max(reach, latest)

    def _exclusive_vehicles(self) -> None:
        solver, routing = self.routing.solver(), self.routing
        for group in self.data.exclusive:
            if len(group) > 1:
                solver.Add(solver.Sum([routing.ActiveVehicleVar(k) for k in group]) <= 1)

    def _add_breaks(self, service: np.ndarray) -> dict[int, list[pywrapcp.IntervalVar]]:
        """Per vehicle: no stretch over ``max_work`` without a break; more on long days."""
        solver, routing, manager = self.routing.solver(), self.routing, self.manager
        visit_transit = [int(service[manager.IndexToNode(i)]) for i in range(routing.Size())]
        result: dict[int, list[pywrapcp.IntervalVar]] = {}
        for k, vehicle in enumerate(self.data.vehicles):
            rule = vehicle.breaks
            if rule is None or vehicle.latest - vehicle.earliest <= rule.max_work:
                continue  # a day this short never needs a break
            start_var = self.time.CumulVar(routing.Start(k))
            end_var = self.time.CumulVar(routing.End(k))
            latest_break = vehicle.latest - rule.length
            first = solver.FixedDurationIntervalVar(
                min(vehicle.earliest + rule.not_before, latest_break),
                latest_break,
                rule.length,
                True,
                f"pause-{k}",
            )
            intervals = [first]
            long_day = rule.long_day if rule.extra > 0 else None
            if long_day is not None and vehicle.latest - vehicle.earliest > long_day:
                second = solver.FixedDurationIntervalVar(
                    vehicle.earliest, vehicle.latest - rule.extra, rule.extra, True, f"p2-{k}"
                )
                span = end_var - start_var
                needed = solver.IsGreaterCstVar(span, long_day)
                solver.Add(second.PerformedExpr() >= needed)
                solver.Add(second.PerformedExpr() <= first.PerformedExpr())
                intervals.append(second)
            for interval in intervals:
                # A break only counts inside the working day, not before or after it.
                solver.Add(interval.SafeStartExpr(vehicle.latest) >= start_var)
                solver.Add(interval.SafeEndExpr(vehicle.earliest) <= end_var)
                routing.AddIntervalToAssignment(interval)
            self.time.SetBreakIntervalsOfVehicle(intervals, k, visit_transit)
            self.time.SetBreakDistanceDurationOfVehicle(rule.max_work, rule.length, k)
            result[k] = intervals
        return result

    def initial_assignment(
        self,
        routes: tuple[VrpRoute, ...],
        params: routing_parameters_pb2.RoutingSearchParameters,
    ) -> pywrapcp.Assignment | None:
        """The given routes as an OR-Tools assignment, or None when they are not one."""
        per_vehicle: list[list[int]] = [[] for _ in self.data.vehicles]
        for route in routes:
            per_vehicle[route.vehicle] = [self.manager.NodeToIndex(n) for n in route.nodes]
        self.routing.CloseModelWithParameters(params)
        return self.routing.ReadAssignmentFromRoutes(per_vehicle, True)

    def record_routes(self, seen: SeenRoutes) -> None:
        """Append every solution's non-empty routes to ``seen`` as the search finds them."""
        routing, manager = self.routing, self.manager
        size = routing.Size()  # indexes from here on are route ends
        # The callback holds only variables and plain numbers: a reference to the routing
        # model itself would make a cycle through C++ that Python never frees (measured:
        # 1.6 GB peak at 1,000 clients, one leaked model per iteration).
        nexts = [routing.NextVar(i) for i in range(size)]
        firsts = [routing.Start(k) for k in range(routing.vehicles())]
        node_of = [manager.IndexToNode(i) for i in range(size)]

        def record() -> None:
            for k, first in enumerate(firsts):
                index = nexts[first].Value()
                nodes = []
                while index < size:
                    nodes.append(node_of[index])
                    index = nexts[index].Value()
                if nodes:
                    seen.append((k, tuple(nodes)))

        routing.AddAtSolutionCallback(record)

    def read(self, assignment: pywrapcp.Assignment, elapsed: float, status: str) -> VrpSolution:
        routing, manager, data = self.routing, self.manager, self.data
        routes: list[VrpRoute] = []
        served: set[int] = set()
        for k in range(len(data.vehicles)):
            index = assignment.Value(routing.NextVar(routing.Start(k)))
            nodes: list[int] = []
            starts: list[int] = []
            while not routing.IsEnd(index):
                nodes.append(manager.IndexToNode(index))
                starts.append(assignment.Min(self.time.CumulVar(index)) * self.unit)
                index = assignment.Value(routing.NextVar(index))
            if not nodes:
                continue
            served.update(nodes)
            breaks = tuple(
                sorted(
                    (assignment.StartValue(b) * self.unit, assignment.DurationValue(b) * self.unit)
                    for b in self.breaks.get(k, [])
                    if assignment.PerformedValue(b)
                )
            )
            routes.append(
                VrpRoute(
                    vehicle=k,
                    nodes=tuple(nodes),
                    starts=tuple(starts),
                    start=assignment.Min(self.time.CumulVar(routing.Start(k))) * self.unit,
                    end=assignment.Min(self.time.CumulVar(routing.End(k))) * self.unit,
                    breaks=breaks,
                )
            )
        dropped = tuple(n for n in data.visits if n not in served)
        return VrpSolution(tuple(routes), dropped, assignment.ObjectiveValue(), elapsed, status)


def dual_prices(data: VrpData, columns: Sequence[Column]) -> Prices | None:
    """The row duals of the LP relaxation of :func:`select_routes` over ``columns``, with
    0 ≤ x ≤ 1 (GLOP, deterministic, one thread): the price of each visit and each
    vehicle. None if the relaxation has no optimum (no columns)."""
    if not columns:
        return None
    solver = pywraplp.Solver.CreateSolver("GLOP")
    infinity = solver.infinity()
    visits = {
        n: solver.Constraint(1.0 if data.penalties[n] is None else -infinity, 1.0)
        for n in data.visits
    }
    vehicles = {k: solver.Constraint(-infinity, 1.0) for k in range(len(data.vehicles))}
    objective = solver.Objective()
    for column in columns:
        # 0 ≤ x ≤ 1: a column at its bound keeps part of its price in the bound, so the
        # visits' prices stay softer than the full duals of x ≥ 0 alone. Measured: with
        # the full duals the route search found worse plans (demo 6.89 M against 6.63 M,
        # 150 clients 38.2 M against 37.9 M, seed 1; docs/engines.md step 5).
        var = solver.NumVar(0.0, 1.0, "")
        objective.SetCoefficient(var, float(column.cost))
        vehicles[column.vehicle].SetCoefficient(var, 1.0)
        for node in column.nodes:
            visits[node].SetCoefficient(var, 1.0)
    objective.SetMinimization()
    with cancel.deferred():
        status = solver.Solve()
    if status != pywraplp.Solver.OPTIMAL:
        return None
    return Prices(
        visits={n: c.dual_value() for n, c in visits.items()},
        vehicles={k: c.dual_value() for k, c in vehicles.items()},
        bound=objective.Value(),
    )
