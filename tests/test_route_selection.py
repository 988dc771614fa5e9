"""Route selection: the best plan made of routes seen before (set packing by CP-SAT),
checked by hand, against brute force, and inside ruin and recreate."""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as hyp

from planner.solve.ortools_adapter import descend, select_routes, solve_vrp
from planner.solve.recreate import _Pool, improve, objective
from planner.solve.stopping import FirstOf, SolutionLimit, TimeLimit
from planner.solve.vrp import Column, Vehicle, VrpData
from tests.test_engines import line_instance
from tests.weeks import crowded_week


def _three_visits(penalties=(None, 100, 100, 100)) -> VrpData:
    """Depot 0, visits 1–3 on a line, two vehicles (only penalties matter to selection)."""
    return replace(line_instance(), penalties=penalties)


COLUMNS = (
    Column(0, (1, 2), -150),
    Column(0, (3,), -80),
    Column(1, (2, 3), -170),
    Column(1, (1,), -95),
)


def test_selection_packs_the_cheapest_plan_by_hand() -> None:
    # A alone -150, C alone -170, B + D -175: one route per vehicle, each visit once.
    assert select_routes(_three_visits(), COLUMNS, hint=()) == (1, 3)
    # Visit 2 mandatory: only A or C may cover it, and neither combines with another.
    assert select_routes(_three_visits((None, 100, None, 100)), COLUMNS, hint=(0,)) == (2,)
    # Nothing to gain: choosing nothing is a plan too.
    assert select_routes(_three_visits(), (Column(0, (1,), 5),), hint=()) == ()


@settings(max_examples=40, deadline=None)
@given(
    columns=hyp.lists(
        hyp.tuples(
            hyp.integers(0, 2),
            hyp.sets(hyp.integers(1, 5), min_size=1, max_size=3),
            hyp.integers(-500, 100),
        ),
        min_size=1,
        max_size=9,
    ),
    mandatory=hyp.sets(hyp.integers(1, 5), max_size=1),
)
def test_selection_matches_brute_force(columns, mandatory) -> None:
    """Every subset of up to nine columns is tried: the selection is feasible and as
    cheap as the cheapest feasible subset (or None when no subset is feasible)."""
    data = VrpData(
        vehicles=tuple(Vehicle(0, 0, 0, 100) for _ in range(3)),
        time=(np.zeros((6, 6), dtype=np.int64),),
        cost=(np.zeros((6, 6), dtype=np.int64),),
        service=(0,) * 6,
        windows=((),) * 6,
        penalties=(None,) + tuple(None if n in mandatory else 10 for n in range(1, 6)),
        horizon=100,
    )
    cols = [Column(k, tuple(sorted(nodes)), cost) for k, nodes, cost in columns]

    def feasible(subset: tuple[int, ...]) -> bool:
        vehicles = [cols[i].vehicle for i in subset]
        visits = [n for i in subset for n in cols[i].nodes]
        return (
            len(vehicles) == len(set(vehicles))
            and len(visits) == len(set(visits))
            and mandatory <= set(visits)
        )

    subsets = (s for r in range(len(cols) + 1) for s in itertools.combinations(range(len(cols)), r))
    costs = [sum(cols[i].cost for i in s) for s in subsets if feasible(s)]
    picked = select_routes(data, cols, hint=())
    if not costs:
        assert picked is None
        return
    assert picked is not None and feasible(picked)
    assert sum(cols[i].cost for i in picked) == min(costs)


def test_pool_keeps_the_cheapest_order_of_each_visit_set() -> None:
    data = _three_visits()
    pool = _Pool(data)
    pool.add(0, (3, 1))  # 30 + 20 + 10 = 60
    pool.add(0, (1, 3))  # 10 + 20 + 30 = 60: the same cost, the smaller order wins
    pool.add(0, (2, 1, 3))  # 20 + 10 + 20 + 30 = 80 …
    pool.add(0, (1, 2, 3))  # … 60: this one is kept
    pool.add(1, (1, 3))  # another vehicle: another column
    columns, hint = pool.columns([])
    assert columns == [
        Column(0, (1, 2, 3), 60 - 300),
        Column(0, (1, 3), 60 - 200),
        Column(1, (1, 3), 60 - 200),
    ]
    assert hint == []
    _, hint = pool.columns([_route(1, (3, 1))])
    assert hint == [2]  # the current plan's route, by vehicle and visits


def _route(vehicle: int, nodes: tuple[int, ...]):
    from planner.solve.vrp import VrpRoute

    return VrpRoute(vehicle, nodes, (0,) * len(nodes), 0, 0)


def test_a_better_plan_among_the_seen_routes_is_taken() -> None:
    """Routes of a better plan, known before, replace a weak first plan at the first
    selection (here after the only iteration), although no repair finds them."""
    data = crowded_week(5, 14)  # one where the single iteration alone gains nothing
    first = solve_vrp(data, FirstOf((SolutionLimit(1), TimeLimit(30))))
    good = improve(data, first.routes, 40, descend)
    seen = [(r.vehicle, r.nodes) for r in good]
    alone = improve(data, first.routes, 1, descend)
    combined = improve(data, first.routes, 1, descend, select=select_routes, seen=seen)
    assert objective(data, combined) <= objective(data, good) < objective(data, alone)
    for route in combined:  # timed by the repair: every window holds
        assert len(route.starts) == len(route.nodes)
        for node, begin in zip(route.nodes, route.starts, strict=True):
            assert any(a <= begin <= b for a, b in data.windows[node])
