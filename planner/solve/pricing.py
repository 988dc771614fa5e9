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

from planner.solve.breaks import earliest_starts, latest_starts, timetable
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
    windows = _window_arrays(data, pool)
    used = prices.vehicles.get(vehicle, 0.0)  # the price of using the vehicle at all
    opening = data.vehicles[vehicle].fixed_cost - used
    found: dict[frozenset[int], tuple[float, tuple[int, ...]]] = {}
    for start in starts:
        route = list(start)
        value = (
            data.route_cost(vehicle, route) - used - sum(prize[n] for n in route) if route else 0.0
        )
        for _ in range(MOVES):
            step = _best_step(
                data, vehicle, route, value, pool, pool_prize, windows, prize, opening, lawful
            )
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
    windows: tuple[np.ndarray, np.ndarray],
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
    margins = _slack(data, vehicle, route)
    if len(free) and margins is not None:
        fits = _fits_all(
            data, vehicle, route, *margins, free, windows[0][~inside], windows[1][~inside]
        )
        # Insert a visit before route position p (p = len(route): at the end).
        before, after = path[:-1], path[1:]
        change = (
            cost[np.ix_(before, free)]
            + cost[np.ix_(free, after)].T
            - cost[before, after][:, None]
            - free_prize[None, :]
            + fixed
        )
        for p, j in zip(*np.nonzero((change < 0) & fits[0]), strict=True):
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
            for p, j in zip(*np.nonzero((change < 0) & fits[1]), strict=True):
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
    for checks, (change, kind, p, j) in enumerate(sorted(moves), start=1):
        if kind == 2:
            candidate = route[:p] + route[p + 1 :]
            if not candidate:
                return value + change, candidate
        else:  # fits windows and shift without the break (``_fits_all``)
            candidate = route[:p] + [j] + route[p + (kind == 1) :]
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


#: "Never" in the vectorised window test (far beyond any time of a week).
_NEVER = 2**62


def _window_arrays(data: VrpData, nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each node's windows as two rows (opens, closes), padded with windows that never
    open; a node without windows gets one that is always open."""
    width = max((len(data.windows[n]) for n in nodes), default=1) or 1
    opens = np.full((len(nodes), width), _NEVER, dtype=np.int64)
    closes = np.zeros((len(nodes), width), dtype=np.int64)
    for i, n in enumerate(nodes):
        given = data.windows[n] or ((0, _NEVER - 1),)
        for w, (early, late) in enumerate(given):
            opens[i, w], closes[i, w] = early, late
    return opens, closes


def _fits_all(
    data: VrpData,
    vehicle: int,
    route: Sequence[int],
    done: Sequence[int],
    latest: Sequence[int],
    free: np.ndarray,
    opens: np.ndarray,
    closes: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Which visits of ``free`` keep windows and shift without the break (necessary for
    a lawful day, and cheap): inserted before position p (rows p = 0 … len(route)), and
    instead of the visit at p (rows p = 0 … len(route) − 1). ``done`` and ``latest`` are
    :func:`_slack`'s; ``opens``/``closes`` the windows of ``free`` (:func:`_window_arrays`)."""
    k = data.vehicles[vehicle]
    time = data.time[k.profile]
    here = np.asarray([k.start, *route], dtype=np.int64)  # left before position p …
    clock = np.asarray([k.earliest, *done], dtype=np.int64)  # … at this time
    arrival = clock[:, None] + time[np.ix_(here, free)]
    start = np.maximum(opens[None, :, :], arrival[:, :, None])
    begin = np.where(start <= closes[None, :, :], start, _NEVER).min(axis=2)
    ready = begin + np.asarray([data.service[j] for j in free], dtype=np.int64)[None, :]
    after = np.asarray([*route, k.end], dtype=np.int64)  # the next stop, and by when
    by = np.asarray([*latest, k.latest], dtype=np.int64)
    on_time = (begin < _NEVER) & (ready + time[np.ix_(free, after)].T <= by[:, None])
    if not route:
        return on_time, np.zeros((0, len(free)), dtype=bool)
    swapped = (begin[:-1] < _NEVER) & (ready[:-1] + time[np.ix_(free, after[1:])].T <= by[1:, None])
    return on_time, swapped
