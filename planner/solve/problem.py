"""Build the immutable routing problem and sort out visits that cannot fit before solving.

Times inside the problem are whole seconds from midnight of the first planning day
("absolute seconds"); day ``d`` starts at ``d * DAY``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np

from planner import settings
from planner.model import (
    WEEKDAYS_DE,
    BreakRule,
    Coach,
    Office,
    Team,
    Unplanned,
    Visit,
    VisitPlace,
    WeeklyWindow,
)
from planner.solve.reasons import capacity_reason
from planner.solve.vrp import BreakSpec, Vehicle, VrpData
from planner.traveltime import TravelMatrix, TravelTimeProvider

DAY = 24 * 3600
#: Earliest start of a rest break after the shift begins (08:00 → 11:00): a midday pause.
BREAK_NOT_BEFORE_S = 3 * 3600


@dataclass(frozen=True)
class Shift:
    """One coach on one day, in a car or with the van: a vehicle for the solver."""

    coach: Coach
    day_index: int
    day: date
    with_van: bool
    start_office: Office
    end_office: Office
    start_s: int  # absolute seconds
    end_s: int


@dataclass(frozen=True)
class Window:
    """Interval in which a visit may *start* (absolute seconds), with a label for people."""

    earliest: int
    latest: int
    label: str


@dataclass(frozen=True)
class Problem:
    """Everything the solver needs; built once, never changed.

    Nodes are the offices (``0 … len(offices)-1``) followed by the visits.
    """

    start: date
    days: int
    offices: tuple[Office, ...]
    visits: tuple[Visit, ...]
    shifts: tuple[Shift, ...]
    windows: tuple[tuple[Window, ...], ...]  # per visit
    service_s: tuple[int, ...]  # per visit, van set-up included
    penalties: tuple[int, ...]  # per visit
    allowed_shifts: tuple[tuple[int, ...], ...]  # per visit
    matrix: TravelMatrix  # over all nodes
    breaks: BreakRule
    van_speed_factor: float = 1.0
    tour_fixed_cost: int = settings.TOUR_FIXED_COST_S

    def node_of_visit(self, visit_index: int) -> int:
        return len(self.offices) + visit_index

    def visit_of_node(self, node: int) -> int:
        return node - len(self.offices)

    def drive_s(self, shift: Shift, a: int, b: int) -> int:
        """Driving time between two nodes for this shift's vehicle (the van is slower)."""
        seconds = int(self.matrix.seconds[a, b])
        return _scaled(seconds, self.van_speed_factor) if shift.with_van else seconds

    def to_vrp(self) -> VrpData:
        """The solver's view: shifts become vehicles, the van a slower second profile."""
        car = self.matrix.seconds
        van = np.rint(car * self.van_speed_factor).astype(np.int64)
        n_offices = len(self.offices)
        rule = self.breaks
        breaks = BreakSpec(
            max_work=rule.after_min * 60,
            length=rule.break_min * 60,
            not_before=BREAK_NOT_BEFORE_S,
            long_day=(rule.long_after_min + rule.break_min) * 60,
            extra=max(0, rule.long_break_min - rule.break_min) * 60,
        )
        vehicles = tuple(
            Vehicle(
                start=self.node_of_office(s.start_office.key),
                end=self.node_of_office(s.end_office.key),
                earliest=s.start_s,
                latest=s.end_s,
                profile=1 if s.with_van else 0,
                fixed_cost=self.tour_fixed_cost,
                breaks=breaks,
            )
            for s in self.shifts
        )
        # One van: at most one van shift a day; a coach drives the car or the van, not both.
        exclusive: list[tuple[int, ...]] = []
        for day in range(self.days):
            vans = tuple(k for k, s in enumerate(self.shifts) if s.with_van and s.day_index == day)
            exclusive.append(vans)
            for k in vans:
                coach = self.shifts[k].coach.key
                exclusive += [
                    (k, j)
                    for j, s in enumerate(self.shifts)
                    if not s.with_van and s.day_index == day and s.coach.key == coach
                ]
        return VrpData(
            vehicles=vehicles,
            time=(car, van),
            cost=(car, van),
            service=(0,) * n_offices + self.service_s,
            windows=((),) * n_offices
            + tuple(tuple((w.earliest, w.latest) for w in ws) for ws in self.windows),
            penalties=(None,) * n_offices + tuple(self.penalties),
            horizon=self.days * DAY,
            allowed=(None,) * n_offices + self.allowed_shifts,
            exclusive=tuple(g for g in exclusive if len(g) > 1),
            places=frozenset(range(n_offices)),
        )

    def node_of_office(self, key: str) -> int:
        return next(i for i, o in enumerate(self.offices) if o.key == key)

    def to_datetime(self, absolute_s: int) -> datetime:
        return datetime.combine(self.start, datetime.min.time()) + timedelta(seconds=absolute_s)


def _scaled(seconds: int, factor: float) -> int:
    """Driving time for a slower vehicle, rounded as the solver's van matrix is."""
    return int(np.rint(seconds * factor))


def drop_penalty(
    priority: int, last_contact: date | None, today: date, *, appointment: bool = False
) -> int:
    """Cost of leaving a client out: appointment, then priority, then days waited."""
    if last_contact is None:
        waited = settings.WAIT_UNKNOWN_DAYS
    else:
        waited = max(0, (today - last_contact).days)
    base = settings.PRIORITY_PENALTY.get(priority, settings.PRIORITY_PENALTY[2])
    fixed = settings.APPOINTMENT_PENALTY if appointment else 0
    return fixed + base + settings.WAIT_PENALTY_PER_DAY * min(waited, settings.WAIT_CAP_DAYS)


def build_shifts(team: Team, start: date, days: int) -> tuple[Shift, ...]:
    """A car shift per coach and working day; a van shift too for coaches who drive it."""
    shifts: list[Shift] = []
    for d in range(days):
        day = start + timedelta(days=d)
        for coach in team.coaches:
            hours = coach.hours_on(day.weekday())
            if hours is None:
                continue
            begin, end = d * DAY + hours[0] * 60, d * DAY + hours[1] * 60
            start_office, end_office = team.office(coach.office), team.office(coach.end_office)
            shifts.append(Shift(coach, d, day, False, start_office, end_office, begin, end))
            if team.van is not None and coach.drives_van:
                # The van is parked at its own office (if set); the coach fetches it there.
                van_office = team.office(team.van.office) if team.van.office else start_office
                van_end = team.office(team.van.office) if team.van.office else end_office
                shifts.append(Shift(coach, d, day, True, van_office, van_end, begin, end))
    return tuple(shifts)


def visit_windows(visit: Visit, start: date, days: int) -> tuple[Window, ...]:
    """Intervals in which the visit may start, over the whole horizon."""
    client = visit.client
    duration = visit.duration_min * 60
    if client.appointment is not None:
        offset = client.appointment - datetime.combine(start, datetime.min.time())
        at = int(offset.total_seconds())
        if 0 <= at < days * DAY:
            return (Window(at, at, f"Termin {client.appointment:%H:%M}"),)
        return ()
    windows: list[Window] = []
    for d in range(days):
        weekday = (start + timedelta(days=d)).weekday()
        if not client.availability:
            windows.append(Window(d * DAY, d * DAY + DAY - duration, ""))
            continue
        for w in client.availability:
            if w.weekday == weekday and (w.end - w.start) * 60 >= duration:
                windows.append(
                    Window(d * DAY + w.start * 60, d * DAY + w.end * 60 - duration, str(w))
                )
    return tuple(windows)


def _fmt_windows(windows: Sequence[WeeklyWindow]) -> str:
    return ", ".join(str(w) for w in windows)


def _period(start: date, days: int) -> str:
    end = start + timedelta(days=days - 1)
    return f"{start:%d.%m.%Y}" if days == 1 else f"{start:%d.%m.}–{end:%d.%m.%Y}"


def _precheck_reason(
    visit: Visit,
    windows: Sequence[Window],
    shifts: Sequence[Shift],
    start: date,
    days: int,
) -> str | None:
    """A German reason when the visit cannot fit any shift whatever the others do."""
    client = visit.client
    if client.appointment is not None and not windows:
        return (
            f"Termin am {client.appointment:%d.%m.%Y %H:%M} liegt außerhalb des "
            f"Planungszeitraums ({_period(start, days)})."
        )
    if client.visit_place is VisitPlace.VAN and not any(s.with_van for s in shifts):
        return (
            "Besuch im Beratungsmobil gewünscht, aber im Planungszeitraum fährt niemand "
            "das Beratungsmobil (Teamdatei prüfen)."
        )
    if client.availability and client.appointment is None and not windows:
        if all((w.end - w.start) < visit.duration_min for w in client.availability):
            return (
                f"Jedes Zeitfenster ({_fmt_windows(client.availability)}) ist kürzer als die "
                f"Besuchsdauer von {visit.duration_min} min."
            )
        return (
            f"Verfügbarkeit ({_fmt_windows(client.availability)}) trifft keinen Tag im "
            f"Planungszeitraum {_period(start, days)}."
        )
    duration = visit.duration_min * 60
    in_hours = [
        (s, w)
        for s in shifts
        if s.with_van or client.visit_place is not VisitPlace.VAN
        for w in windows
        if max(w.earliest, s.start_s) <= min(w.latest, s.end_s - duration)
    ]
    if not in_hours:
        what = "Termin" if client.appointment is not None else "Verfügbarkeit"
        shown = (
            f"{WEEKDAYS_DE[client.appointment.weekday()]} {client.appointment:%d.%m. %H:%M}"
            if client.appointment is not None
            else _fmt_windows(client.availability) or "ganztags"
        )
        return (
            f"{what} ({shown}) liegt außerhalb der Arbeitszeiten aller Coaches im Planungszeitraum."
        )
    return None


def _reachable_shifts(
    duration_s: int,
    node: int,
    windows: Sequence[Window],
    shifts: Sequence[Shift],
    matrix: TravelMatrix,
    office_node: dict[str, int],
    van_factor: float,
    van_only: bool,
) -> tuple[int, ...]:
    """Shifts that can drive out, serve the visit in a window, and return within hours."""
    allowed: list[int] = []
    for k, shift in enumerate(shifts):
        if van_only and not shift.with_van:
            continue
        factor = van_factor if shift.with_van else 1.0
        out = _scaled(int(matrix.seconds[office_node[shift.start_office.key], node]), factor)
        back = _scaled(int(matrix.seconds[node, office_node[shift.end_office.key]]), factor)
        earliest = shift.start_s + out
        latest = shift.end_s - back - duration_s
        if any(max(w.earliest, earliest) <= min(w.latest, latest) for w in windows):
            allowed.append(k)
    return tuple(allowed)


def build_problem(
    visits: Sequence[Visit],
    team: Team,
    start: date,
    days: int,
    travel: TravelTimeProvider,
) -> tuple[Problem, tuple[Unplanned, ...]]:
    """Build the routing problem; visits that cannot fit anyway come back as ``Unplanned``."""
    shifts = build_shifts(team, start, days)
    offices = team.offices
    van = team.van
    setup_s = van.setup_min * 60 if van is not None else 0
    van_factor = van.speed_factor if van is not None else 1.0

    candidates: list[tuple[Visit, tuple[Window, ...]]] = []
    unplanned: list[Unplanned] = []
    for visit in visits:
        windows = visit_windows(visit, start, days)
        reason = _precheck_reason(visit, windows, shifts, start, days)
        if reason is None:
            candidates.append((visit, windows))
        else:
            unplanned.append(_unplanned(visit, reason))

    points = [(o.lat, o.lon) for o in offices] + [(v.site.lat, v.site.lon) for v, _ in candidates]
    matrix = travel.matrix(points)
    office_node = {o.key: i for i, o in enumerate(offices)}

    kept: list[tuple[Visit, tuple[Window, ...], tuple[int, ...]]] = []
    kept_nodes: list[int] = []
    for i, (visit, windows) in enumerate(candidates):
        node = len(offices) + i
        van_only = visit.client.visit_place is VisitPlace.VAN
        duration_s = visit.duration_min * 60 + (setup_s if van_only else 0)
        allowed = _reachable_shifts(
            duration_s, node, windows, shifts, matrix, office_node, van_factor, van_only
        )
        if allowed:
            kept.append((visit, windows, allowed))
            kept_nodes.append(node)
        else:
            nearest = (
                min(int(matrix.seconds[office_node[s.start_office.key], node]) for s in shifts)
                // 60
            )
            unplanned.append(
                _unplanned(
                    visit,
                    "Innerhalb der Arbeitszeit nicht erreichbar: Hin- und Rückfahrt "
                    f"(einfach mindestens {nearest} min) und Besuch passen in kein Zeitfenster.",
                )
            )

    kept, kept_nodes, surplus = _shortlist(kept, kept_nodes, shifts, team, start)
    unplanned.extend(_unplanned(v, capacity_reason(v.client, start)) for v in surplus)

    # Keep only the matrix rows of the visits that stay in the problem.
    nodes = list(range(len(offices))) + kept_nodes
    sub = TravelMatrix(
        seconds=matrix.seconds[nodes][:, nodes].copy(),
        metres=matrix.metres[nodes][:, nodes].copy(),
        is_estimate=matrix.is_estimate,
        description=matrix.description,
    )
    problem = Problem(
        start=start,
        days=days,
        offices=offices,
        visits=tuple(v for v, _, _ in kept),
        shifts=shifts,
        windows=tuple(w for _, w, _ in kept),
        service_s=tuple(
            v.duration_min * 60 + (setup_s if v.client.visit_place is VisitPlace.VAN else 0)
            for v, _, _ in kept
        ),
        penalties=tuple(
            drop_penalty(
                v.client.priority,
                v.client.last_contact,
                start,
                appointment=v.client.appointment is not None,
            )
            for v, _, _ in kept
        ),
        allowed_shifts=tuple(a for _, _, a in kept),
        matrix=sub,
        breaks=team.breaks,
        van_speed_factor=van_factor,
    )
    return problem, tuple(unplanned)


def visit_capacity(shifts: Sequence[Shift], team: Team, visits: Sequence[Visit]) -> float:
    """Rough upper estimate of how many of these visits the shifts could hold.

    Counts each coach-day once (car and van shift are alternatives), takes off the rest
    break, and assumes only ``SHORTLIST_TRAVEL_MIN`` of driving per visit — generous on
    purpose: the estimate may only ever keep too many candidates, never too few.
    """
    coach_days = {(s.coach.key, s.day_index): s.end_s - s.start_s for s in shifts}
    rule = team.breaks
    minutes = sum(
        span / 60 - (rule.break_min if span > rule.after_min * 60 else 0)
        for span in coach_days.values()
    )
    mean_visit = sum(v.duration_min for v in visits) / len(visits) if visits else 60
    return minutes / (mean_visit + settings.SHORTLIST_TRAVEL_MIN)


def _shortlist(
    kept: list[tuple[Visit, tuple[Window, ...], tuple[int, ...]]],
    nodes: list[int],
    shifts: Sequence[Shift],
    team: Team,
    start: date,
) -> tuple[list[tuple[Visit, tuple[Window, ...], tuple[int, ...]]], list[int], list[Visit]]:
    """When far more clients wait than the week can hold, route only the front of the queue.

    The drop penalties rank clients (appointment, priority, waiting time) far above any
    driving cost, so the solver would leave out the tail of that ranking anyway; giving it
    only ``SHORTLIST_FACTOR`` × the estimated capacity keeps large lists fast.
    """
    visits = [v for v, _, _ in kept]
    limit = math.ceil(settings.SHORTLIST_FACTOR * visit_capacity(shifts, team, visits))
    if len(kept) <= limit:
        return kept, nodes, []

    def rank(i: int) -> tuple[int, int]:
        c = kept[i][0].client
        penalty = drop_penalty(
            c.priority, c.last_contact, start, appointment=c.appointment is not None
        )
        return (-penalty, c.row)

    order = sorted(range(len(kept)), key=rank)
    chosen = sorted(order[:limit])
    surplus = [kept[i][0] for i in order[limit:]]
    return [kept[i] for i in chosen], [nodes[i] for i in chosen], surplus


def _unplanned(visit: Visit, reason: str) -> Unplanned:
    c = visit.client
    return Unplanned(
        client_id=c.id,
        row=c.row,
        reason=reason,
        client=c,
        site=visit.site,
        name=c.name,
        address=c.address,
    )
