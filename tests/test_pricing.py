"""Pricing: the duals of the route selection's LP relaxation, and the routes they ask for."""

from __future__ import annotations

import itertools
from dataclasses import replace

import hypothesis.strategies as hyp
import numpy as np
from hypothesis import given, settings

from planner.solve import pricing
from planner.solve.breaks import timetable
from planner.solve.ortools_adapter import dual_prices, solve_vrp
from planner.solve.stopping import FirstOf, SolutionLimit, TimeLimit
from planner.solve.vrp import BreakSpec, Column, SeenRoutes, Vehicle, VrpData
from tests.weeks import crowded_week


def _line(visits: int, vehicles: int, penalty: int = 1_000) -> VrpData:
    """Visits on a line, no windows, long days: every packing of columns is lawful."""
    pos = np.arange(visits + 1) * 10
    matrix = np.abs(pos[:, None] - pos[None, :]).astype(np.int64)
    return VrpData(
        vehicles=tuple(Vehicle(0, 0, 0, 10_000) for _ in range(vehicles)),
        time=(matrix,),
        cost=(matrix,),
        service=(0,) * (visits + 1),
        windows=((),) * (visits + 1),
        penalties=(None,) + (penalty,) * visits,
        horizon=10_000,
    )


def _dual_value(prices, columns: list[Column]) -> float:  # type: ignore[no-untyped-def]
    """The dual objective of the relaxation with 0 ≤ x ≤ 1, counted here: the row prices
    (right-hand sides 1) plus, per column, the part of its price its bound x ≤ 1 carries."""
    rows = sum(prices.visits.values()) + sum(prices.vehicles.values())
    return rows + sum(min(0.0, prices.reduced_cost(c)) for c in columns)


def test_one_vehicle_two_visits_priced_by_hand() -> None:
    """One vehicle; {1} and {2} alone save 980 and 960, {1, 2} together 1,960: the
    relaxation takes the pair (integral) and is worth -1,960, which the prices add up to."""
    data = _line(2, 1)
    columns = [
        Column(0, (1,), 20 - 1_000),
        Column(0, (2,), 40 - 1_000),
        Column(0, (1, 2), 40 - 2_000),
    ]
    prices = dual_prices(data, columns)
    assert prices is not None
    assert abs(prices.bound - (-1_960)) < 1e-6
    assert abs(_dual_value(prices, columns) - (-1_960)) < 1e-6
    assert prices.reduced_cost(columns[2]) <= 1e-6  # the chosen pair: nothing left to gain


@settings(max_examples=40, deadline=None)
@given(
    hyp.lists(
        hyp.tuples(
            hyp.integers(0, 1),
            hyp.lists(hyp.integers(1, 4), min_size=1, max_size=3, unique=True),
            hyp.integers(-3_000, 500),
        ),
        min_size=1,
        max_size=10,
    )
)
def test_the_prices_are_a_dual_solution_of_the_relaxation(
    drawn: list[tuple[int, list[int], int]],
) -> None:
    """Checked without the solver: the prices are ≤ 0 (rows "at most once"), what they add
    up to is the relaxation's value (so they are optimal duals), and no packing of the
    columns (enumerated) is cheaper than that value."""
    data = _line(4, 2)
    columns = [Column(k, tuple(nodes), cost) for k, nodes, cost in drawn]
    prices = dual_prices(data, columns)
    assert prices is not None
    assert all(v <= 1e-9 for v in (*prices.visits.values(), *prices.vehicles.values()))
    assert abs(prices.bound - _dual_value(prices, columns)) < 1e-6
    best = 0
    for size in range(1, len(columns) + 1):
        for chosen in itertools.combinations(columns, size):
            vehicles = [c.vehicle for c in chosen]
            nodes = [n for c in chosen for n in c.nodes]
            if len(set(vehicles)) == len(vehicles) and len(set(nodes)) == len(nodes):
                best = min(best, sum(c.cost for c in chosen))
    assert prices.bound <= best + 1e-6


def _with_breaks(data: VrpData) -> VrpData:
    """The crowded week's days with a rest break: 30 after at most 200 of work."""
    rule = BreakSpec(max_work=200, length=30, not_before=60)
    return replace(data, vehicles=tuple(replace(v, breaks=rule) for v in data.vehicles))


def test_pricing_offers_only_lawful_routes_that_could_lower_the_relaxation() -> None:
    data = _with_breaks(crowded_week(4))
    seen: SeenRoutes = []
    start = solve_vrp(data, FirstOf((SolutionLimit(5), TimeLimit(30))), seen=seen)
    assert start.routes
    pool = {(k, frozenset(nodes)): nodes for k, nodes in seen}
    columns = [
        Column(k, nodes, _value(data, k, nodes))
        for (k, _), nodes in sorted(pool.items(), key=lambda item: (item[0][0], item[1]))
    ]
    prices = dual_prices(data, columns)
    assert prices is not None
    found = 0
    for k in range(len(data.vehicles)):
        visits = pricing.candidates(data, k)
        starts = [(), *(c.nodes for c in columns if c.vehicle == k)][:4]
        for nodes in pricing.search(data, k, prices, starts, visits):
            found += 1
            assert len(set(nodes)) == len(nodes) and set(nodes) <= set(visits)
            day = timetable(data, k, nodes)
            assert day is not None  # windows, shift and the break rule hold
            _assert_rested(data, k, day)
            assert prices.reduced_cost(Column(k, nodes, _value(data, k, nodes))) < -pricing.EPSILON
    assert found  # the first solutions' pool leaves room: the search must find some


def _value(data: VrpData, vehicle: int, nodes: tuple[int, ...]) -> int:
    """Fixed cost and arcs of the route minus the penalties it saves, counted here."""
    k = data.vehicles[vehicle]
    path = [k.start, *nodes, k.end]
    arcs = sum(int(data.cost[0][a, b]) for a, b in zip(path, path[1:], strict=False))
    return k.fixed_cost + arcs - sum(data.penalties[n] or 0 for n in nodes)


def _assert_rested(data: VrpData, vehicle: int, day) -> None:  # type: ignore[no-untyped-def]
    """No stretch of work longer than the rule allows, breaks long enough and not too early."""
    k = data.vehicles[vehicle]
    rule = k.breaks
    assert rule is not None
    marks = [day.start]
    for begin, length in day.breaks:
        assert length >= rule.length and begin >= k.earliest + rule.not_before
        marks += [begin, begin + length]
    marks.append(day.end)
    assert all(marks[i + 1] - marks[i] <= rule.max_work for i in range(0, len(marks), 2))
    assert k.earliest <= day.start and day.end <= k.latest


def test_pricing_keeps_a_pinned_visit_planned() -> None:
    """A mandatory visit (a pinned appointment) is a row "exactly once" in the relaxation;
    ruin and recreate with pricing still plans it and never makes the week worse."""
    from planner.solve.ortools_adapter import descend, select_routes
    from planner.solve.recreate import improve, objective

    data = crowded_week(4)
    pinned = data.visits[3]
    penalties = tuple(None if n == pinned else p for n, p in enumerate(data.penalties))
    data = replace(data, penalties=penalties)
    start = solve_vrp(data, FirstOf((SolutionLimit(5), TimeLimit(30))))
    assert pinned in {n for r in start.routes for n in r.nodes}
    routes = improve(
        data, start.routes, 20, descend, select=select_routes, price=dual_prices, pricing_rounds=1
    )
    assert pinned in {n for r in routes for n in r.nodes}
    assert objective(data, routes) <= objective(data, start.routes)
    columns = [Column(r.vehicle, r.nodes, _value(data, r.vehicle, r.nodes)) for r in routes]
    prices = dual_prices(data, columns)
    assert prices is not None  # the plan's own routes make the relaxation feasible
    assert abs(prices.bound - _dual_value(prices, columns)) < 1e-6


@settings(max_examples=40, deadline=None)
@given(seed=hyp.integers(0, 10_000), vehicle=hyp.integers(0, 1), size=hyp.integers(0, 4))
def test_the_quick_window_test_agrees_with_timing_the_whole_day(
    seed: int, vehicle: int, size: int
) -> None:
    """The pricing's quick test (every insertion and swap at once, without the break)
    says yes exactly when timing the changed day from its start keeps every window and
    the shift: the search skips no route it should check, and checks none that fails."""
    from planner.solve.breaks import _forward

    data = crowded_week(seed)
    k = data.vehicles[vehicle]
    rng = np.random.default_rng(seed)
    route = [int(n) for n in rng.choice(data.visits, size, replace=False)]
    margins = pricing._slack(data, vehicle, route)
    if margins is None:
        return  # the route itself does not fit: the search never asks
    free = np.asarray([n for n in data.visits if n not in route], dtype=np.int64)
    inserted, swapped = pricing._fits_all(
        data, vehicle, route, *margins, free, *pricing._window_arrays(data, free)
    )
    for i, j in enumerate(int(n) for n in free):
        for p in range(len(route) + 1):
            day = route[:p] + [j] + route[p:]
            assert inserted[p, i] == (_forward(data, k, day, k.start, k.earliest) is not None)
        for p in range(len(route)):
            day = route[:p] + [j] + route[p + 1 :]
            assert swapped[p, i] == (_forward(data, k, day, k.start, k.earliest) is not None)
