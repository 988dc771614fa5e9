"""Rebuild a published plan's tours from its pins, without searching.

A published plan is stored as pins (Kunden-Nr, coach, start, car or van). Slot
suggestions and "who else fits today" need the tours as the coaches drive them: the same
travel times, van set-ups and lawful breaks the solver uses. So the pins go through the
same :func:`~planner.solve.problem.build_problem`, each coach-day's visits are laid out in
start order by :func:`~planner.solve.breaks.lawful_route`, and :func:`planner.solve._tour`
turns them into tours. A pin that no longer fits (its coach is off, the travel model
changed) comes back as unplanned instead of being forced into a tour.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from planner.model import Team, Tour, Unplanned, Visit
from planner.reasons import Reason
from planner.solve import _tour
from planner.solve.breaks import lawful_route
from planner.solve.problem import build_problem, unplanned_visit
from planner.solve.vrp import VrpRoute
from planner.traveltime import TravelTimeProvider


def replay(
    visits: Sequence[tuple[Visit, bool]],
    team: Team,
    start: date,
    days: int,
    travel: TravelTimeProvider,
) -> tuple[tuple[Tour, ...], tuple[Unplanned, ...]]:
    """Tours of pinned visits: each ``(visit, with_van)`` has ``client.appointment`` and
    ``coach`` set; visits are kept in start order per coach-day."""
    van_of = {v.client.id: with_van for v, with_van in visits}
    problem, unplanned = build_problem([v for v, _ in visits], team, start, days, travel)
    data = problem.to_vrp()
    routes: dict[int, list[tuple[int, int]]] = {}  # shift → (start, node)
    lost: list[Unplanned] = list(unplanned)
    for i, visit in enumerate(problem.visits):
        node = problem.node_of_visit(i)
        shift = next(
            (
                k
                for k in problem.allowed_shifts[i]
                if problem.shifts[k].with_van == van_of.get(visit.client.id, False)
            ),
            None,
        )
        if shift is None:
            lost.append(_gone(visit))
            continue
        routes.setdefault(shift, []).append((data.windows[node][0][0], node))
    lost.extend(_gone(v) for v in problem.surplus)
    tours: list[Tour] = []
    for shift, placed in sorted(routes.items()):
        nodes = tuple(node for _, node in sorted(placed))
        route, removed = lawful_route(data, VrpRoute(shift, nodes, (0,) * len(nodes), 0, 0))
        lost.extend(_gone(problem.visits[problem.visit_of_node(n)]) for n in removed)
        if route is not None:
            tours.append(_tour(problem, route))
    tours.sort(key=lambda t: (t.day, t.coach.key, t.with_van))
    return tuple(tours), tuple(lost)


def _gone(visit: Visit) -> Unplanned:
    return unplanned_visit(
        visit,
        Reason.APPOINTMENT_NO_FIT,
        "Veröffentlichter Termin passt nicht mehr in den Tag (Coach, Fahrzeit oder Pause).",
    )
