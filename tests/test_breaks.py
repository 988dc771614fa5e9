"""Lawful days for a fixed visiting order (planner.solve.breaks), on hand-checkable lines."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.solve.breaks import lawful_route, timetable
from planner.solve.vrp import BreakSpec, Vehicle, VrpData, VrpRoute

H = 3600
M = 60
RULE = BreakSpec(
    max_work=6 * H, length=30 * M, not_before=3 * H, long_day=9 * H + 30 * M, extra=15 * M
)


def _data(
    n_visits: int,
    windows: list[tuple[tuple[int, int], ...]],
    *,
    service: int = H,
    travel: int = 10 * M,
    shift: tuple[int, int] = (8 * H, 16 * H + 30 * M),
    penalties: list[int] | None = None,
) -> VrpData:
    """Office = node 0; every trip takes ``travel``."""
    n = n_visits + 1
    matrix = np.full((n, n), travel, dtype=np.int64)
    np.fill_diagonal(matrix, 0)
    return VrpData(
        vehicles=(Vehicle(0, 0, shift[0], shift[1], breaks=RULE),),
        time=(matrix,),
        cost=(matrix,),
        service=(0,) + (service,) * n_visits,
        windows=((),) + tuple(windows),
        penalties=(None,) + tuple(penalties or [1_000] * n_visits),
        horizon=24 * H,
    )


def _check(data: VrpData, route: VrpRoute) -> None:
    """Independent: windows, travel, shift, and the § 4 stretches."""
    vehicle = data.vehicles[route.vehicle]
    matrix = data.time[0]
    assert vehicle.earliest <= route.start and route.end <= vehicle.latest
    intervals = [(s, s + data.service[n]) for n, s in zip(route.nodes, route.starts, strict=True)]
    rests = [(b, b + d) for b, d in route.breaks]
    for n, s in zip(route.nodes, route.starts, strict=True):
        assert any(a <= s <= b for a, b in data.windows[n]) or not data.windows[n]
    previous_end, here = route.start, vehicle.start
    for n, (s, e) in zip(route.nodes, intervals, strict=True):
        rest = sum(b - a for a, b in rests if previous_end <= a and b <= s)
        assert s - previous_end >= matrix[here, n] + rest
        previous_end, here = e, n
    assert route.end - previous_end >= matrix[here, vehicle.end]
    for a, b in rests:  # no rest inside a visit
        assert all(b <= s or a >= e for s, e in intervals)
    marks = [route.start, *[t for r in rests for t in r], route.end]
    stretches = [marks[i + 1] - marks[i] for i in range(0, len(marks), 2)]
    assert max(stretches) <= RULE.max_work
    if route.end - route.start > RULE.long_day:
        assert sum(b - a for a, b in rests) >= RULE.length + RULE.extra


def test_short_day_needs_no_break() -> None:
    data = _data(3, [((9 * H, 9 * H),), ((10 * H, 12 * H),), ((11 * H, 14 * H),)])
    table = timetable(data, 0, (1, 2, 3))
    assert table is not None and table.breaks == ()
    # Leaves as late as the 09:00 appointment allows, returns as early as possible.
    assert table.start == 9 * H - 10 * M and table.starts == (
        9 * H,
        10 * H + 10 * M,
        11 * H + 20 * M,
    )
    assert table.end == 12 * H + 30 * M


def test_long_day_gets_a_break_in_the_waiting_time() -> None:
    # 08:00 and 15:00 appointments, a visit at 09:10: 12:30–13:00 is waiting anyway.
    windows = [((8 * H + 10 * M,) * 2,), ((9 * H + 20 * M, 10 * H),), ((15 * H,) * 2,)]
    data = _data(3, windows)
    table = timetable(data, 0, (1, 2, 3))
    assert table is not None and len(table.breaks) == 1
    begin, length = table.breaks[0]
    assert length == 30 * M and begin >= 11 * H
    assert table.starts[-1] == 15 * H  # the break cost nothing: the appointment holds
    route = VrpRoute(0, (1, 2, 3), table.starts, table.start, table.end, table.breaks)
    _check(data, route)


def test_no_lawful_day_drops_the_cheapest_visit() -> None:
    # Seven one-hour visits back to back from 08:10 fill the shift: no room for a break.
    windows = [((8 * H + 10 * M + i * 70 * M,) * 2,) for i in range(7)]
    penalties = [5_000, 5_000, 5_000, 100, 5_000, 5_000, 5_000]
    data = _data(7, windows, penalties=penalties)
    route, removed = lawful_route(data, VrpRoute(0, tuple(range(1, 8)), (0,) * 7, 0, 0))
    assert removed == (4,)  # the cheap one, and only it
    assert route is not None and 4 not in route.nodes
    _check(data, route)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(7, 16), st.integers(0, 3), st.sampled_from([30, 45, 60, 90])),
        min_size=1,
        max_size=7,
    )
)
def test_every_lawful_route_keeps_every_rule(visits: list[tuple[int, int, int]]) -> None:
    """Whatever the order and windows, a returned day passes the independent check."""
    windows = [((h * H, h * H + w * H),) for h, w, _ in visits]
    data = _data(len(visits), windows, service=45 * M)
    route, removed = lawful_route(
        data, VrpRoute(0, tuple(range(1, len(visits) + 1)), (0,) * len(visits), 0, 0)
    )
    if route is not None:
        _check(data, route)
        assert sorted(route.nodes + removed) == list(range(1, len(visits) + 1))
