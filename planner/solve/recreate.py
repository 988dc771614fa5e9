"""Ruin and recreate over small neighbourhoods: how the planner improves a week's plan.

Each iteration takes a handful of planned visits that belong together, either in space
(close to a visit drawn at random) or in time (starting close to it on the same day),
removes them, and lets the engine's local search repair the neighbourhood: the routes
they came from, a few routes nearby, every unused vehicle and the dropped visits that
lie closest. The repair sees a small instance (:func:`neighbourhood`), so an iteration
costs milliseconds even on a week of 1,000 clients, where a repair of the whole week
cost seconds (docs/engines.md). A neighbourhood plan that is at least as good replaces
the old one; the objective is additive over routes and left-out visits, so the week's
plan improves by exactly as much.

Every route a repair passes through is kept in a pool (per vehicle and set of visits,
its cheapest order). Now and then the best plan made of pooled routes — at most one
per vehicle, each visit once — replaces the current plan when it is better: routes
found in different neighbourhoods at different times combine into changes no single
neighbourhood makes (several coach-days moving together). Any such packing is lawful,
because each route was part of a solution of the full model (or was checked lawful by
:func:`planner.solve.breaks.timetable`) and routes do not interact.

Before a selection, pricing rounds (:mod:`planner.solve.pricing`) can add routes no
repair built: the LP relaxation of the selection prices visits and vehicles, and a
search per vehicle adds the lawful routes of negative reduced cost (column generation).

Engine-neutral: the repair, the selection and the prices are functions handed in
(OR-Tools' greedy descent, which keeps every constraint of the full model: breaks,
windows, vehicles; CP-SAT's set packing; GLOP's duals). The randomness is
Python's with a fixed seed and iterations are counted, so the plan depends on the input
alone; a deadline is only the safety net.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import replace
from typing import Protocol

import numpy as np

from planner import cancel
from planner.solve import pricing
from planner.solve.vrp import Column, Prices, SeenRoutes, VrpData, VrpRoute, VrpSolution


class Repair(Protocol):
    """Engine step that repairs a neighbourhood: from these (partial) routes to a local
    optimum, appending the routes it passes through to ``seen`` when given."""

    def __call__(
        self, data: VrpData, routes: tuple[VrpRoute, ...], seen: SeenRoutes | None = None, /
    ) -> VrpSolution | None: ...


#: Engine step that picks the best plan out of a pool of routes: the chosen columns'
#: indexes (given the current plan's as a start), None if it found none.
Select = Callable[[VrpData, Sequence[Column], Collection[int]], tuple[int, ...] | None]
#: Engine step that prices visits and vehicles: the duals of the selection's LP relaxation.
Price = Callable[[VrpData, Sequence[Column]], Prices | None]

#: Planned visits removed per iteration (drawn uniformly between the two).
RUIN_MIN_VISITS, RUIN_MAX_VISITS = 2, 8
#: Routes near the removed visits that join the neighbourhood besides their own.
NEIGHBOUR_ROUTES = 1
#: Dropped visits offered to the repair, the closest to the drawn visit first. Small
#: neighbourhoods are cheap: 15 candidates and one extra route planned as well as 30 and
#: two on the demo, 150- and 500-client weeks (three seeds each) in half the time.
CANDIDATES = 15
#: Share of iterations that remove visits close in time rather than in space. Measured
#: (docs/engines.md): on the demo week the bottleneck is a few congested afternoons, which
#: only a ruin in time reshuffles; on larger weeks space and time do about equally well.
TEMPORAL_SHARE = 0.5
SEED = 1
#: Route selections over the pool per run, evenly spaced, the last after the last iteration.
SELECTIONS = 5
#: Columns per vehicle offered to a selection: the most valuable ones (cost minus the
#: penalties they save). On the 150-client week's pool (5,000 routes) 100 found the same
#: plan as all of them in a twentieth of the time.
COLUMNS_PER_VEHICLE = 100


def objective(data: VrpData, routes: Sequence[VrpRoute]) -> int:
    """Fixed costs and arc costs of the routes, penalties of the visits left out."""
    served = {n for r in routes for n in r.nodes}
    total = sum(data.route_cost(r.vehicle, r.nodes) for r in routes)
    return total + sum(data.penalties[n] or 0 for n in data.visits if n not in served)


def neighbourhood(
    data: VrpData, vehicles: Sequence[int], visits: Sequence[int]
) -> tuple[VrpData, tuple[int, ...]]:
    """The instance restricted to ``vehicles`` and ``visits`` (depots and places stay).

    Returns the small instance and its nodes' numbers in ``data`` (index = new number).
    A visit none of whose allowed vehicles is left gets ``(-1,)``: it may go nowhere.
    """
    keep = sorted(data.places | data.route_ends)
    nodes = tuple(keep + sorted(set(visits) - set(keep)))
    index = np.asarray(nodes)
    new_node = {n: i for i, n in enumerate(nodes)}
    new_vehicle = {k: i for i, k in enumerate(vehicles)}

    def allowed(node: int) -> tuple[int, ...] | None:
        given = data.allowed[node]
        if not given:
            return given
        return tuple(new_vehicle[k] for k in given if k in new_vehicle) or (-1,)

    small = VrpData(
        vehicles=tuple(
            replace(
                data.vehicles[k],
                start=new_node[data.vehicles[k].start],
                end=new_node[data.vehicles[k].end],
            )
            for k in vehicles
        ),
        time=tuple(m[np.ix_(index, index)] for m in data.time),
        cost=tuple(m[np.ix_(index, index)] for m in data.cost),
        service=tuple(data.service[n] for n in nodes),
        windows=tuple(data.windows[n] for n in nodes),
        penalties=tuple(data.penalties[n] for n in nodes),
        horizon=data.horizon,
        allowed=tuple(allowed(n) for n in nodes) if data.allowed else (),
        demand=tuple(data.demand[n] for n in nodes) if data.demand else (),
        places=frozenset(new_node[p] for p in data.places),
    )
    return small, nodes


def improve(
    data: VrpData,
    routes: Sequence[VrpRoute],
    iterations: int,
    repair: Repair,
    *,
    select: Select | None = None,
    price: Price | None = None,
    pricing_rounds: int = 0,
    selections: int = SELECTIONS,
    seen: Sequence[tuple[int, tuple[int, ...]]] = (),
    seed: int = SEED,
    deadline: float | None = None,
) -> tuple[VrpRoute, ...]:
    """``routes`` improved by ``iterations`` rounds of ruin and recreate (never worse).

    With ``select``, every route a repair passes through joins a pool (as do ``seen``,
    routes found before), and ``selections`` times per run the best plan made of pooled
    routes replaces the current one when it is better: routes found in different
    neighbourhoods at different times combine into plans no single neighbourhood reaches.
    With ``price``, ``pricing_rounds`` rounds of column generation before each selection
    add routes of negative reduced cost to the pool (:func:`_add_priced_routes`).
    ``data`` must have no exclusive vehicle groups (the van is decided before).
    ``deadline`` (a ``time.perf_counter()`` value) is the safety net only.
    """
    if data.exclusive:
        raise ValueError("improve() needs the vehicle choice made (no exclusive groups)")
    rng = random.Random(seed)
    current = {r.vehicle: r for r in routes}
    pool = None if select is None else _Pool(data)
    # What each vehicle's route search may add depends on the instance alone: once per run.
    candidates = (
        {k: pricing.candidates(data, k) for k in range(len(data.vehicles))}
        if price is not None and pricing_rounds
        else {}
    )
    if pool is not None:
        for vehicle, nodes in [*seen, *((r.vehicle, r.nodes) for r in routes)]:
            pool.add(vehicle, nodes)
    every = max(1, -(-iterations // selections))
    for i in range(iterations):
        if cancel.requested() is not None:
            break
        if deadline is not None and time.perf_counter() >= deadline:
            break
        if not any(r.nodes for r in current.values()):
            break
        chosen, visits, ruined = _ruin(data, current, rng)
        small, nodes = neighbourhood(data, chosen, visits)
        new_node = {n: i for i, n in enumerate(nodes)}
        before = tuple(
            replace(current[k], vehicle=i, nodes=tuple(new_node[n] for n in current[k].nodes))
            for i, k in enumerate(chosen)
            if k in current
        )
        partial = tuple(
            replace(r, nodes=tuple(n for n in r.nodes if nodes[n] not in ruined)) for r in before
        )
        passed: SeenRoutes | None = None if pool is None else []
        found = repair(small, partial, passed)
        if pool is not None and passed:
            for k, route in passed:
                pool.add(chosen[k], tuple(nodes[n] for n in route))
        if found is not None and objective(small, found.routes) <= objective(small, before):
            for k in chosen:
                current.pop(k, None)
            for r in found.routes:
                k = chosen[r.vehicle]
                current[k] = replace(r, vehicle=k, nodes=tuple(nodes[n] for n in r.nodes))
        if (
            pool is not None
            and select is not None
            and ((i + 1) % every == 0 or i + 1 == iterations)
        ):
            prices = None
            if price is not None and pricing_rounds:
                prices = _add_priced_routes(data, pool, price, pricing_rounds, candidates)
            current = _recombined(data, current, pool, select, repair, prices)
    return tuple(current[k] for k in sorted(current))


class _Pool:
    """Every route seen, per vehicle and set of visits in its cheapest order seen, with
    its value: cost minus the penalties of its visits (the same for every order of them)."""

    def __init__(self, data: VrpData) -> None:
        self.data = data
        self._best: dict[tuple[int, frozenset[int]], tuple[int, tuple[int, ...]]] = {}
        self._known: set[tuple[int, tuple[int, ...]]] = set()  # orders already costed
        #: Orders the pricing search checked exactly, and whether they were lawful.
        self.lawful: dict[tuple[int, tuple[int, ...]], bool] = {}

    def add(self, vehicle: int, nodes: tuple[int, ...]) -> bool:
        """Pool a route; whether it was new (a set of visits or a cheaper order)."""
        if not nodes or (vehicle, nodes) in self._known:
            return False
        self._known.add((vehicle, nodes))
        key = (vehicle, frozenset(nodes))
        penalties = self.data.penalties
        value = self.data.route_cost(vehicle, nodes) - sum(penalties[n] or 0 for n in nodes)
        if key not in self._best or (value, nodes) < self._best[key]:
            self._best[key] = (value, nodes)
            return True
        return False

    def all_columns(self) -> list[Column]:
        """Every pooled route (its cheapest order), in a fixed order."""
        return [
            Column(vehicle, nodes, value)
            for (vehicle, _), (value, nodes) in sorted(
                self._best.items(), key=lambda item: (item[0][0], item[1])
            )
        ]

    def columns(
        self, current: Sequence[VrpRoute], prices: Prices | None = None
    ) -> tuple[list[Column], list[int]]:
        """The best ``COLUMNS_PER_VEHICLE`` routes per vehicle — least reduced cost under
        ``prices``, else most valuable — and the current plan's routes (as the indexes of
        the second list)."""
        ranked: dict[int, list[tuple[float, int, tuple[int, ...]]]] = {}
        for (vehicle, _), (value, nodes) in self._best.items():
            rank = value if prices is None else prices.reduced_cost(Column(vehicle, nodes, value))
            ranked.setdefault(vehicle, []).append((rank, value, nodes))
        wanted = {(r.vehicle, frozenset(r.nodes)) for r in current if r.nodes}
        columns: list[Column] = []
        hint: list[int] = []
        for vehicle in sorted(ranked):
            for rank, (_, value, nodes) in enumerate(sorted(ranked[vehicle])):
                mine = (vehicle, frozenset(nodes)) in wanted
                if rank < COLUMNS_PER_VEHICLE or mine:
                    if mine:
                        hint.append(len(columns))
                    columns.append(Column(vehicle, nodes, value))
        return columns, hint


def _add_priced_routes(
    data: VrpData,
    pool: _Pool,
    price: Price,
    rounds: int,
    candidates: Mapping[int, Sequence[int]],
) -> Prices | None:
    """``rounds`` of column generation: price the pool, add the routes of negative
    reduced cost that :func:`pricing.search` finds for each vehicle among its
    ``candidates`` (:func:`pricing.candidates`). Returns the prices of the pool as it is
    then (None if it has none)."""
    columns = pool.all_columns()
    prices = price(data, columns)
    for _ in range(rounds):
        if prices is None or cancel.requested() is not None:
            break
        starts: dict[int, list[tuple[float, tuple[int, ...]]]] = {}
        for column in columns:
            starts.setdefault(column.vehicle, []).append(
                (prices.reduced_cost(column), column.nodes)
            )
        added = 0
        for k in range(len(data.vehicles)):
            best = [nodes for _, nodes in sorted(starts.get(k, []))[: pricing.STARTS]]
            for nodes in pricing.search(data, k, prices, [*best, ()], candidates[k], pool.lawful):
                added += pool.add(k, nodes)
        if not added:
            break
        columns = pool.all_columns()
        prices = price(data, columns)
    return prices


def _recombined(
    data: VrpData,
    current: dict[int, VrpRoute],
    pool: _Pool,
    select: Select,
    repair: Repair,
    prices: Prices | None = None,
) -> dict[int, VrpRoute]:
    """The best plan of pooled routes if it beats ``current``, else ``current``.

    Pooled routes are visit orders only; the repair times the new ones (and may still
    improve them), on the neighbourhood of just their vehicles and visits.
    """
    columns, hint = pool.columns(tuple(current.values()), prices)
    picked = select(data, columns, hint)
    if picked is None:
        return current
    plan = [columns[i] for i in picked]
    kept = {
        c.vehicle: current[c.vehicle]
        for c in plan
        if c.vehicle in current and current[c.vehicle].nodes == c.nodes
    }
    fresh = [c for c in plan if c.vehicle not in kept]
    result = dict(kept)
    if fresh:
        vehicles = [c.vehicle for c in fresh]
        small, nodes = neighbourhood(data, vehicles, [n for c in fresh for n in c.nodes])
        new_node = {n: i for i, n in enumerate(nodes)}
        untimed = tuple(
            VrpRoute(i, tuple(new_node[n] for n in c.nodes), (), 0, 0) for i, c in enumerate(fresh)
        )
        found = repair(small, untimed)
        if found is None:
            return current
        for r in found.routes:
            k = vehicles[r.vehicle]
            result[k] = replace(r, vehicle=k, nodes=tuple(nodes[n] for n in r.nodes))
    if objective(data, tuple(result.values())) < objective(data, tuple(current.values())):
        return result
    return current


def _ruin(
    data: VrpData, current: dict[int, VrpRoute], rng: random.Random
) -> tuple[list[int], list[int], set[int]]:
    """One neighbourhood: (its vehicles, its visits, the planned visits to remove)."""
    planned = sorted(n for r in current.values() for n in r.nodes)
    route_of = {n: k for k, r in current.items() for n in r.nodes}
    start_of = {n: s for r in current.values() for n, s in zip(r.nodes, r.starts, strict=True)}
    centre = rng.choice(planned)
    count = rng.randint(RUIN_MIN_VISITS, RUIN_MAX_VISITS)
    in_time = rng.random() < TEMPORAL_SHARE
    apart = data.time[0][centre] + data.time[0][:, centre]  # there and back, per node
    at = start_of[centre]

    def related(n: int) -> int:
        if in_time:  # same day, close in time; space only breaks near-ties
            return abs(start_of[n] - at) + int(apart[n]) // 4
        return int(apart[n])

    def fits(n: int) -> int:
        if not in_time:
            return int(apart[n])
        return min((max(a - at, at - b, 0) for a, b in data.windows[n]), default=0)

    near = sorted(planned, key=lambda n: (related(n), n))
    ruined = set(near[:count])
    vehicles = {route_of[n] for n in ruined}
    wanted = len(vehicles) + NEIGHBOUR_ROUTES
    for n in near[count:]:
        if len(vehicles) >= wanted:
            break
        vehicles.add(route_of[n])
    chosen = sorted(vehicles | {k for k in range(len(data.vehicles)) if k not in current})
    candidates = sorted(_open_visits(data, set(planned), set(chosen)), key=lambda n: (fits(n), n))
    on_routes = [n for k in chosen if k in current for n in current[k].nodes]
    return chosen, on_routes + candidates[:CANDIDATES], ruined


def _open_visits(data: VrpData, planned: set[int], vehicles: set[int]) -> list[int]:
    """Visits not planned that one of ``vehicles`` may serve."""
    out = []
    for n in data.visits:
        if n in planned:
            continue
        allowed = data.allowed[n] if data.allowed else None
        if not allowed or any(k in vehicles for k in allowed):
            out.append(n)
    return out
