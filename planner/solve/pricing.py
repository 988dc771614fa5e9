"""Dual-guided route search: new routes the pool's LP relaxation says are worth having.

The route selection (:func:`planner.solve.ortools_adapter.select_routes`) packs pooled
routes into a week. Its LP relaxation prices every visit and every vehicle (its row duals,
:class:`Prices`): a route not yet in the pool could improve the relaxation when its
reduced cost — its cost, minus the penalties it saves, minus the prices of its visits
and its vehicle — is negative. This module looks for such routes, vehicle by vehicle:
a local search on one route at a time (insert a visit, take one out, swap one for
another), each step the one that lowers the reduced cost most among the lawful ones.
Every route it passes through with a negative reduced cost goes to the pool. This is
the pricing step of column generation, done heuristically; it reaches the coordinated
changes of several coach-days that one neighbourhood of ruin and recreate does not
(measured in docs/engines.md, step 5).

Lawful means: :func:`planner.solve.breaks.timetable` finds a day for the order, with
windows, shift and the break rule kept. A cheap test without the break (earliest starts
forward, latest starts backward) sorts out most candidates before that exact check.

Deterministic: no randomness, ties broken by visit and position, work counted in moves
and checks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from planner.solve.breaks import earliest_in, earliest_starts, latest_starts, timetable
from planner.solve.vrp import Prices, VrpData

#: Steps of the local search from one start route.
MOVES = 30
#: Exact checks (``breaks.timetable``) per step at most: the candidates are tried best
#: first, and beyond this many the step ends without a move.
CHECKS_PER_MOVE = 40
#: Start routes per vehicle: the pooled routes of least reduced cost, and the empty route.
STARTS = 3
#: Visits a vehicle's search may add: those of the highest prize (penalty plus price),
#: which bounds the work per vehicle on large weeks.
CANDIDATES = 40
#: A route is worth adding when its reduced cost is below this (objective units).
EPSILON = 1.0


def candidates(data: VrpData, vehicle: int) -> list[int]:
    """Visits ``vehicle`` may serve in its shift (allowed, a window that meets it)."""
    v = data.vehicles[vehicle]
    out = []
    for n in data.visits:
        if not data.allows(vehicle, n):
            continue
        if data.windows[n] and not any(
            a <= v.latest and b >= v.earliest for a, b in data.windows[n]
        ):
            continue
        out.append(n)
    return out


def search(
    data: VrpData,
    vehicle: int,
    prices: Prices,
    starts: Sequence[tuple[int, ...]],
    visits: Sequence[int],
    lawful: dict[tuple[int, tuple[int, ...]], bool] | None = None,
) -> list[tuple[int, ...]]:
    """Routes for ``vehicle`` with a negative reduced cost, found by a local search from
    each of ``starts`` over ``visits`` (usually :func:`candidates`). ``lawful`` remembers
    the exact checks across calls (the searches of later rounds pass the same routes)."""
    if lawful is None:
        lawful = {}
    penalties = data.penalties
    prize = {n: (penalties[n] or 0) + prices.visits.get(n, 0.0) for n in visits}
    worth = sorted((-prize[n], n) for n in visits if prize[n] > 0)[:CANDIDATES]
    pool = np.asarray(sorted(n for _, n in worth), dtype=np.int64)
    if not len(pool):
        return []
    pool_prize = np.asarray([prize[n] for n in pool])
    used = prices.vehicles.get(vehicle, 0.0)  # the price of using the vehicle at all
    opening = data.vehicles[vehicle].fixed_cost - used
    found: dict[frozenset[int], tuple[float, tuple[int, ...]]] = {}
    for start in starts:
        route = list(start)
        value = (
            data.route_cost(vehicle, route) - used - sum(prize[n] for n in route) if route else 0.0
        )
        for _ in range(MOVES):
            step = _best_step(data, vehicle, route, value, pool, pool_prize, prize, opening, lawful)
            if step is None:
                break
            value, route = step
            if value < -EPSILON:
                key = frozenset(route)
                if key not in found or (value, tuple(route)) < found[key]:
                    found[key] = (value, tuple(route))
    return [nodes for _, nodes in sorted(found.values())]


def _best_step(
    data: VrpData,
    vehicle: int,
    route: list[int],
    value: float,
    pool: np.ndarray,
    pool_prize: np.ndarray,
    prize: Mapping[int, float],
    opening: float,
    lawful: dict[tuple[int, tuple[int, ...]], bool],
) -> tuple[float, list[int]] | None:
    """The lawful insertion, removal or swap that lowers the reduced cost most, if any."""
    k = data.vehicles[vehicle]
    cost = data.cost[k.profile]
    path = np.asarray([k.start, *route, k.end], dtype=np.int64)
    inside = np.isin(pool, route)
    free, free_prize = pool[~inside], pool_prize[~inside]
    fixed = 0.0 if route else opening
    moves: list[tuple[float, int, int, int]] = []  # (change, kind, position, visit)
    if len(free):
        # Insert a visit before route position p (p = len(route): at the end).
        before, after = path[:-1], path[1:]
        change = (
            cost[np.ix_(before, free)]
            + cost[np.ix_(free, after)].T
            - cost[before, after][:, None]
            - free_prize[None, :]
            + fixed
        )
        for p, j in zip(*np.nonzero(change < 0), strict=True):
            moves.append((float(change[p, j]), 0, int(p), int(free[j])))
        if route:
            # Swap the visit at position p for another.
            prev, nxt, out = path[:-2], path[2:], path[1:-1]
            out_prize = np.asarray([prize[n] for n in route])
            change = (
                cost[np.ix_(prev, free)]
                + cost[np.ix_(free, nxt)].T
                - (cost[prev, out] + cost[out, nxt] - out_prize)[:, None]
                - free_prize[None, :]
            )
            for p, j in zip(*np.nonzero(change < 0), strict=True):
                moves.append((float(change[p, j]), 1, int(p), int(free[j])))
    for p, n in enumerate(route):
        a, b = int(path[p]), int(path[p + 2])
        change = float(cost[a, b] - cost[a, n] - cost[n, b] + prize[n])
        if len(route) == 1:
            change -= opening
        if change < 0:
            moves.append((change, 2, p, n))
    if not moves:
        return None
    moves.sort()
    slack = _slack(data, vehicle, route)
    checks = 0
    for change, kind, p, j in moves:
        if kind == 2:
            candidate = route[:p] + route[p + 1 :]
            if not candidate:
                return value + change, candidate
        else:
            if slack is None or not _fits(data, vehicle, route, *slack, p, j, swap=kind == 1):
                continue
            candidate = route[:p] + [j] + route[p + (kind == 1) :]
        checks += 1
        key = (vehicle, tuple(candidate))
        if key not in lawful:
            lawful[key] = timetable(data, vehicle, candidate) is not None
        if lawful[key]:
            return value + change, candidate
        if checks >= CHECKS_PER_MOVE:
            break
    return None


def _slack(data: VrpData, vehicle: int, route: Sequence[int]) -> tuple[list[int], list[int]] | None:
    """Per position: when the visit there is done at the earliest, and when it may start
    at the latest so that the rest of the day still fits; no break. None if the route
    does not fit even without a break (then nothing can be inserted)."""
    k = data.vehicles[vehicle]
    if not route:
        return [], []
    early = earliest_starts(data, k, route, k.start, k.earliest)
    back = latest_starts(data, k, route, k.latest - int(data.time[k.profile][route[-1], k.end]))
    if len(early) < len(route) or back is None:
        return None
    done = [begin + int(data.service[n]) for begin, n in zip(early, route, strict=True)]
    return done, back[0]


def _fits(
    data: VrpData,
    vehicle: int,
    route: Sequence[int],
    done: Sequence[int],
    latest: Sequence[int],
    p: int,
    j: int,
    *,
    swap: bool,
) -> bool:
    """Whether ``j`` at position ``p`` (instead of the visit there, if ``swap``) keeps
    windows and shift without the break: necessary for a lawful day, and cheap."""
    k = data.vehicles[vehicle]
    time = data.time[k.profile]
    here = route[p - 1] if p > 0 else k.start
    clock = done[p - 1] if p > 0 else k.earliest
    begin = earliest_in(data.windows[j], clock + int(time[here, j]))
    if begin is None:
        return False
    ready = begin + int(data.service[j])
    after = p + 1 if swap else p
    if after < len(route):
        return ready + int(time[j, route[after]]) <= latest[after]
    return ready + int(time[j, k.end]) <= k.latest
