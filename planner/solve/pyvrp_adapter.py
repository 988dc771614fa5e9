"""Second engine: PyVRP's iterated local search, for the instances it can model exactly.

PyVRP handles capacities, one time window per visit, optional visits with prizes,
several vehicle types with their own depots, shifts, profiles and fixed costs. It has
no rest breaks, no multiple windows per visit, no per-visit vehicle restrictions and no
exclusive vehicle groups: :func:`can_model` says whether an instance needs none of them,
and only then does the portfolio in :mod:`planner.solve.strategy` hand it over.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pyvrp
import pyvrp.stop

from planner.solve.stopping import StoppingCriterion
from planner.solve.vrp import VrpData, VrpRoute, VrpSolution

#: PyVRP counts cheap iterations, OR-Tools counts solutions: one OR-Tools solution limit
#: unit buys this many PyVRP iterations when only a solution limit is given.
ITERATIONS_PER_SOLUTION = 20
SEED = 1


def can_model(data: VrpData) -> bool:
    """True when PyVRP can solve ``data`` without dropping any of its constraints."""
    if data.exclusive or any(len(w) > 1 for w in data.windows):
        return False
    if any(allowed for allowed in data.allowed if allowed):
        return False
    # A break rule only matters when a route could be longer than the work limit.
    return all(
        v.breaks is None or v.latest - v.earliest <= v.breaks.max_work for v in data.vehicles
    )


def solve_pyvrp(data: VrpData, stopping: StoppingCriterion, seed: int = SEED) -> VrpSolution:
    """Solve with PyVRP; same input and output types as the OR-Tools adapter."""
    began = time.perf_counter()
    if not can_model(data):
        raise ValueError("instance needs constraints PyVRP does not model")
    visits = data.visits
    if not visits or not data.vehicles:
        return VrpSolution((), visits, 0, 0.0, "nichts zu planen")

    model = pyvrp.Model()
    locations, depots = _places(model, data, visits)
    optional = data.penalties
    for n in visits:
        window = data.windows[n][0] if data.windows[n] else (0, data.horizon)
        model.add_client(
            locations[n],
            delivery=[data.demand[n]] if data.demand else [],
            service_duration=data.service[n],
            tw_early=window[0],
            tw_late=window[1],
            prize=optional[n] or 0,
            required=optional[n] is None,
            name=str(n),
        )
    profiles = _edges(model, data, locations, lambda p, a, b: False)

    # Identical vehicles form one vehicle type; remember which of ours each type stands for.
    members: dict[tuple[int, ...], list[int]] = defaultdict(list)
    for k, v in enumerate(data.vehicles):
        members[(v.start, v.end, v.earliest, v.latest, v.profile, v.fixed_cost, v.capacity)].append(
            k
        )
    type_vehicles: list[list[int]] = []
    for (start, end, earliest, latest, profile_no, fixed, capacity), ks in members.items():
        model.add_vehicle_type(
            num_available=len(ks),
            capacity=[capacity] if data.demand else [],
            start_depot=depots[start],
            end_depot=depots[end],
            fixed_cost=fixed,
            tw_early=earliest,
            tw_late=latest,
            profile=profiles[profile_no],
        )
        type_vehicles.append(ks)

    result = model.solve(_stop(stopping), seed=seed, display=False)
    solution = result.best
    elapsed = time.perf_counter() - began
    if not solution.is_feasible():
        # Report nothing planned rather than an infeasible plan.
        return VrpSolution(
            (), visits, int(result.cost()), elapsed, "keine zulässige Lösung", found=False
        )

    client_node = dict(enumerate(visits))  # ScheduledActivity.idx counts clients from 0
    next_free = [0] * len(type_vehicles)
    routes: list[VrpRoute] = []
    served: set[int] = set()
    for route in solution.routes():
        vt = route.vehicle_type()
        vehicle = type_vehicles[vt][next_free[vt]]
        next_free[vt] += 1
        # PyVRP's own schedule gives each client's service start (after any waiting).
        clients = [a for a in route if a.is_client()]
        route_nodes = tuple(client_node[a.idx] for a in clients)
        starts = tuple(int(a.start_time) for a in clients)
        served.update(route_nodes)
        routes.append(VrpRoute(vehicle, route_nodes, starts, route.start_time(), route.end_time()))
    dropped = tuple(n for n in visits if n not in served)
    return VrpSolution(tuple(routes), dropped, int(result.cost()), elapsed, "Lösung gefunden")


def _stop(stopping: StoppingCriterion) -> pyvrp.stop.StoppingCriterion:
    seconds = stopping.time_budget()
    solutions = stopping.solution_budget()
    criteria: list[pyvrp.stop.StoppingCriterion] = []
    if seconds is not None:
        criteria.append(pyvrp.stop.MaxRuntime(seconds))
    if solutions is not None:
        criteria.append(pyvrp.stop.MaxIterations(solutions * ITERATIONS_PER_SOLUTION))
    if not criteria:
        criteria.append(pyvrp.stop.MaxIterations(10_000))
    return pyvrp.stop.MultipleCriteria(criteria) if len(criteria) > 1 else criteria[0]


@dataclass(frozen=True)
class RelaxedResult:
    """Routes PyVRP found for the relaxed week (no breaks, no exclusive groups).

    The starts are PyVRP's; callers lay the days out exactly (:mod:`planner.solve.breaks`).
    """

    routes: tuple[VrpRoute, ...]
    iterations: int
    seconds: float
    feasible: bool


#: Cost that keeps a vehicle away from a visit it may not serve (far above any prize).
_FORBIDDEN = 10**12


def solve_relaxed(
    data: VrpData,
    iterations: int,
    *,
    seconds: float | None = None,
    seed: int = SEED,
) -> RelaxedResult:
    """Route ``data`` with PyVRP, modelling what it can and relaxing what it cannot.

    - several windows per visit: one PyVRP client per window, the copies of a visit in a
      mutually exclusive optional group with the visit's prize;
    - vehicle restrictions: a visit only some profiles may serve (the van's visits) is
      forbiddingly expensive in the others; restrictions to single vehicles are left to
      the time windows and checked afterwards;
    - rest breaks: a vehicle whose shift is longer than the work limit is back by the end
      of its shift minus the break and works that much less (``shift_duration``), which
      leaves room to place the break afterwards;
    - exclusive vehicle groups are not modelled (the caller settles them).

    ``iterations`` is the work budget (deterministic); ``seconds`` a safety net only.
    """
    began = time.perf_counter()
    # A visit none of whose vehicles is left (allowed == (-1,)) cannot be served at all.
    visits = [n for n in data.visits if not _nowhere(data, n)]
    if not visits or not data.vehicles:
        return RelaxedResult((), 0, 0.0, True)
    model = pyvrp.Model()
    locations, depots = _places(model, data, visits)
    profiles_of_vehicle = [v.profile for v in data.vehicles]
    n_profiles = len(data.time)
    # Which profiles may serve each visit (from its allowed vehicles).
    may_serve: dict[int, set[int]] = {}
    copies: list[tuple[int, int]] = []  # PyVRP client index → (node, window index)
    for n in visits:
        allowed = data.allowed[n] if data.allowed else None
        may_serve[n] = (
            {profiles_of_vehicle[k] for k in allowed} if allowed else set(range(n_profiles))
        )
        windows = data.windows[n] or ((0, data.horizon),)
        prize = data.penalties[n] or 0
        group = model.add_client_group(required=False) if len(windows) > 1 else None
        for w, (early, late) in enumerate(windows):
            model.add_client(
                locations[n],
                delivery=[data.demand[n]] if data.demand else [],
                service_duration=data.service[n],
                tw_early=early,
                tw_late=late,
                prize=prize,
                required=False,
                group=group,
                name=f"{n}/{w}",
            )
            copies.append((n, w))

    def banned(p: int, a: int, b: int) -> bool:
        return (b in may_serve and p not in may_serve[b]) or (
            a in may_serve and p not in may_serve[a]
        )

    profiles = _edges(model, data, locations, banned)
    type_vehicles: list[int] = []
    for k, v in enumerate(data.vehicles):
        span = v.latest - v.earliest
        rule = v.breaks
        rest = 0
        if rule is not None and span > rule.max_work:
            rest = rule.length
            if rule.long_day is not None and rule.extra and span > rule.long_day:
                rest += rule.extra
        # Back by the end of the shift minus the break: a break placed later only delays
        # the rest of the day, and then it still ends in time.
        model.add_vehicle_type(
            num_available=1,
            capacity=[v.capacity] if data.demand else [],
            start_depot=depots[v.start],
            end_depot=depots[v.end],
            fixed_cost=v.fixed_cost,
            tw_early=v.earliest,
            tw_late=v.latest - rest,
            shift_duration=span - rest,
            profile=profiles[v.profile],
            name=str(k),
        )
        type_vehicles.append(k)
    criteria: list[pyvrp.stop.StoppingCriterion] = [pyvrp.stop.MaxIterations(max(1, iterations))]
    if seconds is not None:
        criteria.append(pyvrp.stop.MaxRuntime(seconds))
    stop = criteria[0] if len(criteria) == 1 else pyvrp.stop.MultipleCriteria(criteria)
    # PyVRP's search loop is Python: Ctrl+C / SIGTERM raise in it directly (planner.cancel).
    result = model.solve(stop, seed=seed, display=False, collect_stats=False)
    best = result.best
    routes: list[VrpRoute] = []
    for route in best.routes():
        vehicle = type_vehicles[route.vehicle_type()]
        clients = [a for a in route if a.is_client()]
        route_nodes = tuple(copies[a.idx][0] for a in clients)
        starts = tuple(int(a.start_time) for a in clients)
        routes.append(VrpRoute(vehicle, route_nodes, starts, route.start_time(), route.end_time()))
    return RelaxedResult(
        tuple(routes), result.num_iterations, time.perf_counter() - began, best.is_feasible()
    )


def _nowhere(data: VrpData, node: int) -> bool:
    allowed = data.allowed[node] if data.allowed else None
    return bool(allowed) and allowed is not None and allowed[0] < 0


def _places(
    model: pyvrp.Model, data: VrpData, visits: Sequence[int]
) -> tuple[dict[int, pyvrp.Location], dict[int, pyvrp.Depot]]:
    """A location per route end and visit, and the depots (PyVRP numbers depots first)."""
    ends = sorted(data.route_ends)
    locations = {n: model.add_location(0, 0, name=str(n)) for n in (*ends, *visits)}
    depots = {n: model.add_depot(locations[n], name=str(n)) for n in ends}
    return locations, depots


def _edges(
    model: pyvrp.Model,
    data: VrpData,
    locations: dict[int, pyvrp.Location],
    banned: Callable[[int, int, int], bool],
) -> list[pyvrp.Profile]:
    """One PyVRP profile per time/cost profile of ``data``, with every edge between places.

    ``banned(profile, a, b)``: the edge costs ``_FORBIDDEN`` in that profile. PyVRP needs
    durations ≥ 0: a negative one (the van staying set up at its stand) becomes 0, which
    only makes PyVRP's view more cautious.
    """
    profiles = [model.add_profile(name=f"p{p}") for p in range(len(data.time))]
    nodes = list(locations)
    for p, profile in enumerate(profiles):
        time_m, cost_m = data.time[p], data.cost[p]
        for a in nodes:
            for b in nodes:
                if a != b:
                    model.add_edge(
                        locations[a],
                        locations[b],
                        distance=_FORBIDDEN if banned(p, a, b) else max(0, int(cost_m[a, b])),
                        duration=max(0, int(time_m[a, b])),
                        profile=profile,
                    )
    return profiles
