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
    ends = sorted(data.route_ends)
    # PyVRP numbers depots first, then clients; keep both mappings to translate back.
    locations = {n: model.add_location(0, 0, name=str(n)) for n in (*ends, *visits)}
    depots = {n: model.add_depot(locations[n], name=str(n)) for n in ends}
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
    profiles = [model.add_profile(name=f"p{p}") for p in range(len(data.time))]
    nodes = [*ends, *visits]
    for p, prof in enumerate(profiles):
        time_m, cost_m = data.time[p], data.cost[p]
        for a in nodes:
            for b in nodes:
                if a != b:
                    model.add_edge(
                        locations[a], locations[b], distance=int(cost_m[a, b]),
                        duration=int(time_m[a, b]), profile=prof,
                    )  # fmt: skip

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
