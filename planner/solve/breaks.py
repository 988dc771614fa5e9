"""Timetables and rest breaks for a fixed visiting order, engine-neutral.

Engines without rest breaks (PyVRP) route on shifts shortened by the break; this module
then lays out the day exactly: it schedules the visits in their order (start as early as
the windows allow, leave the office as late as that permits), places the break where
every stretch of work stays within the rule, and says when no placement exists — the
caller then drops a visit and tries again. The result is checked by construction: every
route it returns keeps windows, shift and break rule.

The break rule is the one of :class:`~planner.solve.vrp.BreakSpec`: no stretch longer
than ``max_work`` without a break of ``length``, the break not before ``not_before`` after
the shift begins, and ``extra`` more minutes on a day longer than ``long_day`` (taken by
lengthening the one break: 45 minutes at once satisfy § 4 ArbZG).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from planner.solve.vrp import Vehicle, VrpData, VrpRoute


@dataclass(frozen=True)
class Timetable:
    """A day's times for one vehicle and one visiting order (absolute seconds)."""

    start: int  # leaves the start depot
    starts: tuple[int, ...]  # service start per visit
    end: int  # back at the end depot
    breaks: tuple[tuple[int, int], ...] = ()  # (start, duration)


def earliest_in(windows: Sequence[tuple[int, int]], at_least: int) -> int | None:
    """Earliest service start at or after ``at_least`` inside one of ``windows``."""
    if not windows:
        return at_least
    best: int | None = None
    for early, late in windows:  # a plain loop: this is the innermost step of pricing
        begin = early if early > at_least else at_least
        if begin <= late and (best is None or begin < best):
            best = begin
    return best


def latest_in(windows: Sequence[tuple[int, int]], at_most: int) -> int | None:
    """Latest service start at or before ``at_most`` inside one of ``windows``."""
    if not windows:
        return at_most
    best: int | None = None
    for early, late in windows:
        begin = late if late < at_most else at_most
        if begin >= early and (best is None or begin > best):
            best = begin
    return best


def earliest_starts(
    data: VrpData, vehicle: Vehicle, nodes: Sequence[int], here: int, clock: int
) -> list[int]:
    """Earliest service starts of ``nodes`` in order, leaving ``here`` at ``clock``, no
    break; it stops short of ``nodes`` at the first visit whose windows are all missed."""
    time, service = data.time[vehicle.profile], data.service
    starts: list[int] = []
    for target in nodes:
        begin = earliest_in(data.windows[target], clock + int(time[here, target]))
        if begin is None:
            break
        starts.append(begin)
        here, clock = target, begin + int(service[target])
    return starts


def _forward(
    data: VrpData, vehicle: Vehicle, nodes: Sequence[int], here: int, clock: int
) -> tuple[list[int], int] | None:
    """Earliest starts of ``nodes`` leaving ``here`` at ``clock``; and the return time."""
    starts = earliest_starts(data, vehicle, nodes, here, clock)
    if len(starts) < len(nodes):
        return None
    if nodes:
        here, clock = nodes[-1], starts[-1] + int(data.service[nodes[-1]])
    end = clock + int(data.time[vehicle.profile][here, vehicle.end])
    return (starts, end) if end <= vehicle.latest else None


def latest_starts(
    data: VrpData, vehicle: Vehicle, nodes: Sequence[int], done_by: int
) -> tuple[list[int], int] | None:
    """Latest starts of ``nodes`` with the last one done by ``done_by``; and the departure."""
    time, service = data.time[vehicle.profile], data.service
    starts: list[int] = []
    clock = done_by
    for i in range(len(nodes) - 1, -1, -1):
        begin = latest_in(data.windows[nodes[i]], clock - int(service[nodes[i]]))
        if begin is None:
            return None
        starts.append(begin)
        before = nodes[i - 1] if i > 0 else vehicle.start
        clock = begin - int(time[before, nodes[i]])  # done by then at ``before``
    starts.reverse()
    return (starts, clock) if clock >= vehicle.earliest else None


def _day(
    data: VrpData, vehicle: Vehicle, nodes: Sequence[int], pause: tuple[int, int, int] | None
) -> Timetable | None:
    """One candidate day. ``pause`` = (after visit k, break start, length).

    Visits after the break (or all, without one) start as early as they can; visits
    before it as late as they can, so the day is no longer than the order forces.
    """
    if pause is None:
        ahead = _forward(data, vehicle, nodes, vehicle.start, vehicle.earliest)
        if ahead is None:
            return None
        _, end = ahead
        last = nodes[-1]
        back = latest_starts(
            data, vehicle, nodes, end - int(data.time[vehicle.profile][last, vehicle.end])
        )
        if back is None:
            return None
        starts, depart = back
        return Timetable(depart, tuple(starts), end)
    k, begin, length = pause
    after = _forward(data, vehicle, nodes[k + 1 :], nodes[k], begin + length)
    before = latest_starts(data, vehicle, nodes[: k + 1], begin)
    if after is None or before is None:
        return None
    (late, end), (early, depart) = after, before
    return Timetable(depart, tuple(early + late), end, ((begin, length),))


def _stretches_ok(vehicle: Vehicle, table: Timetable) -> bool:
    rule = vehicle.breaks
    if rule is None:
        return True
    marks = [table.start]
    for begin, length in table.breaks:
        if length < rule.length or begin < vehicle.earliest + rule.not_before:
            return False
        marks += [begin, begin + length]
    marks.append(table.end)
    work = [marks[i + 1] - marks[i] for i in range(0, len(marks), 2)]
    if max(work) > rule.max_work:
        return False
    if rule.long_day is not None and rule.extra and table.end - table.start > rule.long_day:
        return sum(length for _, length in table.breaks) >= rule.length + rule.extra
    return True


def timetable(data: VrpData, vehicle_index: int, nodes: Sequence[int]) -> Timetable | None:
    """The day for ``nodes`` in this order, with a lawful break if it needs one, or None."""
    vehicle = data.vehicles[vehicle_index]
    if not nodes:
        return None
    plain = _day(data, vehicle, nodes, None)
    if plain is None:
        return None
    rule = vehicle.breaks
    if rule is None or _stretches_ok(vehicle, plain):
        return plain
    time, service = data.time[vehicle.profile], data.service
    # Earliest starts without a break: each prefix's are the same, so one pass serves all.
    early = earliest_starts(data, vehicle, nodes, vehicle.start, vehicle.earliest)
    best: Timetable | None = None
    for length in (rule.length, rule.length + rule.extra):
        for k in range(len(nodes)):  # after a visit; a break before the first is no rest
            if k >= len(early):
                break
            done = early[k] + int(service[nodes[k]])
            if done + int(time[nodes[k], vehicle.end]) > vehicle.latest:
                break  # this prefix alone ends too late
            earliest = max(done, vehicle.earliest + rule.not_before)
            candidates = {earliest}
            if k + 1 < len(nodes):
                # As late as possible without delaying the next visit: rest while waiting.
                nxt = _forward(data, vehicle, nodes[k + 1 :], nodes[k], earliest + length)
                if nxt is not None:
                    travel = int(time[nodes[k], nodes[k + 1]])
                    candidates.add(max(earliest, nxt[0][0] - travel - length))
            for begin in sorted(candidates):
                table = _day(data, vehicle, nodes, (k, begin, length))
                if table is None or not _stretches_ok(vehicle, table):
                    continue
                key = (table.end - table.start, table.end, k)
                if best is None or key < (best.end - best.start, best.end, k):
                    best = table
        if best is not None:
            return best
    return None


def lawful_route(data: VrpData, route: VrpRoute) -> tuple[VrpRoute | None, tuple[int, ...]]:
    """The route with exact times and breaks; visits that had to go are returned.

    While no lawful timetable exists, the visit whose removal costs least (its drop
    penalty) goes first; ties by position, so the result is deterministic.
    """
    nodes = list(route.nodes)
    removed: list[int] = []
    while nodes:
        table = timetable(data, route.vehicle, nodes)
        if table is not None:
            return (
                VrpRoute(
                    route.vehicle, tuple(nodes), table.starts, table.start, table.end, table.breaks
                ),
                tuple(removed),
            )
        cheapest = min(range(len(nodes)), key=lambda i: (data.penalties[nodes[i]] or 0, i))
        removed.append(nodes.pop(cheapest))
    return None, tuple(removed)
