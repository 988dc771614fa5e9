"""Build the immutable routing problem and sort out visits that cannot fit before solving.

Times inside the problem are whole seconds from midnight of the first planning day
("absolute seconds"); day ``d`` starts at ``d * DAY``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

import numpy as np

from planner import geodata, settings
from planner.calendar_de import days_off
from planner.model import (
    WEEKDAYS_DE,
    BreakRule,
    Coach,
    DayOff,
    Office,
    Team,
    Unplanned,
    Visit,
    VisitPlace,
    WeeklyWindow,
)
from planner.reasons import Reason
from planner.solve.vrp import BreakSpec, IntMatrix, Vehicle, VrpData
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
    """Interval in which a visit's node may start (absolute seconds), labelled for people.

    The node starts with the van set-up for a Beratungsmobil visit (the visit itself
    begins ``setup_before_s`` later) and with the visit itself otherwise.
    """

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
    service_s: tuple[int, ...]  # per visit: van set-up (first) + visit
    penalties: tuple[int, ...]  # per visit
    allowed_shifts: tuple[tuple[int, ...], ...]  # per visit
    matrix: TravelMatrix  # over all nodes
    breaks: BreakRule
    van_speed_factor: float = 1.0
    setup_s: int = 0  # van set-up at each new stand
    tour_fixed_cost: int = settings.TOUR_FIXED_COST_S
    #: Visits that could fit but were not routed because the list is far longer than the
    #: horizon holds (the tail of the priority queue), with their shifts and penalties:
    #: kept here so their reason can be checked against the plan after solving.
    surplus: tuple[Visit, ...] = ()
    surplus_shifts: tuple[tuple[int, ...], ...] = ()
    surplus_penalties: tuple[int, ...] = ()

    def node_of_visit(self, visit_index: int) -> int:
        return len(self.offices) + visit_index

    def visit_of_node(self, node: int) -> int:
        return node - len(self.offices)

    def stand_of(self, node: int) -> str:
        """The van stand of a node ("" for offices and visits outside the van)."""
        return self.visits[node - len(self.offices)].stand if node >= len(self.offices) else ""

    def setup_before_s(self, visit_index: int) -> int:
        """Time from a visit's node to the visit itself (the van's set-up; 0 otherwise)."""
        return self.service_s[visit_index] - self.visits[visit_index].duration_min * 60

    def setup_s_between(self, shift: Shift, a: int, b: int) -> int:
        """Van set-up actually done before visit ``b`` coming from ``a``: once per stand."""
        stand = self.stand_of(b)
        return self.setup_s if shift.with_van and stand and stand != self.stand_of(a) else 0

    def drive_s(self, shift: Shift, a: int, b: int) -> int:
        """Driving time between two nodes for this shift's vehicle, as the solver uses it.

        The van stays parked between two visits at the same stand.
        """
        if shift.with_van and self.stand_of(a) and self.stand_of(a) == self.stand_of(b):
            return 0
        seconds = int(self.matrix.seconds[a, b])
        return _scaled(seconds, self.van_speed_factor if shift.with_van else 1.0)

    def to_vrp(self) -> VrpData:
        """The solver's view: shifts become vehicles, the van a slower second profile.

        Drive times are rounded up to whole minutes: with whole-minute windows, shifts and
        visits every planned time is then on a whole minute, and printed clock times and
        printed drive times agree exactly.
        """
        car = _whole_minutes(self.matrix.seconds)
        van = _whole_minutes(np.rint(self.matrix.seconds * self.van_speed_factor).astype(np.int64))
        # A van visit's node starts with the set-up, which is part of its service, so that
        # no rest break can fall into it (OR-Tools keeps breaks out of services, not out
        # of travel). At the same stand the van stays parked and set up: the arc takes
        # the set-up back (the node of the next visit may start set-up minutes before the
        # previous visit ends, so the visit itself follows it directly).
        stands = np.array([self.stand_of(n) for n in range(len(car))], dtype=object)
        same = (stands[:, None] == stands[None, :]) & (stands != "")[:, None]
        van = np.where(same, -self.setup_s, van)
        np.fill_diagonal(van, 0)
        n_offices = len(self.offices)
        rule = self.breaks
        breaks = BreakSpec(
            max_work=rule.after_min * 60,
            length=rule.break_min * 60,
            not_before=BREAK_NOT_BEFORE_S,
            long_day=(rule.long_after_min + rule.break_min) * 60,
            extra=max(0, rule.long_break_min - rule.break_min) * 60,
        )
        times, costs, profile_of = self._profiles(car, van)
        vehicles = tuple(
            Vehicle(
                start=self.node_of_office(s.start_office.key),
                end=self.node_of_office(s.end_office.key),
                earliest=s.start_s,
                latest=s.end_s,
                profile=profile_of[_profile_key(s)],
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
            time=times,
            cost=costs,
            service=(0,) * n_offices + self.service_s,
            windows=((),) * n_offices
            + tuple(tuple((w.earliest, w.latest) for w in ws) for ws in self.windows),
            penalties=(None,) * n_offices + tuple(self.penalties),
            horizon=self.days * DAY,
            allowed=(None,) * n_offices + self.allowed_shifts,
            exclusive=tuple(g for g in exclusive if len(g) > 1),
            places=frozenset(range(n_offices)),
        )

    def _profiles(
        self, car: IntMatrix, van: IntMatrix
    ) -> tuple[tuple[IntMatrix, ...], tuple[IntMatrix, ...], dict[tuple[int, str, bool], int]]:
        """Car and van profiles, and one per region day of the weekly frame.

        A coach-day tied to a region as a preference pays ``REGION_DAY_PREFERENCE_S`` more
        for each visit outside it (so such visits go to other days and coaches when they
        can, and still come along when nothing else fits); a coach-day tied as a rule
        gets its own profile too, so engines that only know profiles (PyVRP) can keep
        other regions' visits off it (the vehicle restrictions say so exactly).
        """
        # Costs are driving: never negative (the van's "time back" at a stand is not).
        van_cost = np.maximum(van, 0)
        times: list[IntMatrix] = [car, van]
        costs: list[IntMatrix] = [car, van_cost]
        profile_of: dict[tuple[int, str, bool], int] = {(0, "", False): 0, (1, "", False): 1}
        n_offices = len(self.offices)
        for key in sorted({_profile_key(s) for s in self.shifts}):
            base, region, fixed = key
            if key in profile_of:
                continue
            cost = (car if base == 0 else van_cost).copy()
            if not fixed:
                outside = np.array(
                    [False] * n_offices + [v.site.region != region for v in self.visits]
                )
                cost[:, outside] += settings.REGION_DAY_PREFERENCE_S
            profile_of[key] = len(times)
            times.append(car if base == 0 else van)
            costs.append(cost)
        return tuple(times), tuple(costs), profile_of

    def node_of_office(self, key: str) -> int:
        return next(i for i, o in enumerate(self.offices) if o.key == key)

    def to_datetime(self, absolute_s: int) -> datetime:
        return datetime.combine(self.start, datetime.min.time()) + timedelta(seconds=absolute_s)


def _profile_key(shift: Shift) -> tuple[int, str, bool]:
    """(car 0 / van 1, region of the day or "", tied as a rule)."""
    region = shift.coach.region_on(shift.day.weekday()) or ""
    return (1 if shift.with_van else 0, region, bool(region) and shift.coach.region_days_fixed)


def _whole_minutes(seconds: IntMatrix) -> IntMatrix:
    """Seconds rounded up to whole minutes (multiples of 60)."""
    return -(-seconds // 60) * 60


def _scaled(seconds: int, factor: float) -> int:
    """Driving time for a vehicle ``factor`` times slower, exactly as in :meth:`Problem.to_vrp`.

    Scaled to whole seconds first, then up to whole minutes (no float noise at a boundary).
    """
    return int(_whole_minutes(np.rint(seconds * factor).astype(np.int64)))


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


def _penalty(visit: Visit, start: date) -> int:
    c = visit.client
    return drop_penalty(c.priority, c.last_contact, start, appointment=c.appointment is not None)


def build_shifts(
    team: Team, start: date, days: int, free: Sequence[DayOff] | None = None
) -> tuple[Shift, ...]:
    """A car shift per coach and working day; a van shift too for coaches who drive it.

    No shift on Hessen's public holidays nor on a coach's absences: the same
    :func:`planner.calendar_de.days_off` that the plan reports (``free``, when the
    caller has it already).
    """
    if free is None:
        free = days_off(team, start, days)
    off = {(o.day, o.coach.key if o.coach else None) for o in free}
    shifts: list[Shift] = []
    for d in range(days):
        day = start + timedelta(days=d)
        if (day, None) in off:
            continue
        for coach in team.coaches:
            hours = coach.hours_on(day.weekday())
            if hours is None or (day, coach.key) in off:
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


def visit_windows(visit: Visit, start: date, days: int, setup_s: int = 0) -> tuple[Window, ...]:
    """Intervals in which the visit's node may start, over the whole horizon.

    ``setup_s`` is the van set-up, which comes before the visit: the node starts that much
    earlier, so the visit itself starts at the appointment or inside the availability.
    """
    client = visit.client
    duration = visit.duration_min * 60
    if client.appointment is not None:
        offset = client.appointment - datetime.combine(start, datetime.min.time())
        at = int(offset.total_seconds()) - setup_s
        if 0 <= at < days * DAY - setup_s:
            return (Window(at, at, f"Termin {client.appointment:%H:%M}"),)
        return ()
    windows: list[Window] = []
    for d in range(days):
        if visit.not_before is not None and start + timedelta(days=d) < visit.not_before:
            continue
        weekday = (start + timedelta(days=d)).weekday()
        if not client.availability:
            windows.append(
                Window(max(0, d * DAY - setup_s), (d + 1) * DAY - duration - setup_s, "")
            )
            continue
        for w in client.availability:
            if w.weekday == weekday and (w.end - w.start) * 60 >= duration:
                # The set-up may begin before the window opens, never before the horizon.
                earliest = max(0, d * DAY + w.start * 60 - setup_s)
                latest = d * DAY + w.end * 60 - duration - setup_s
                if earliest <= latest:
                    windows.append(Window(earliest, latest, str(w)))
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
    days_off: Sequence[DayOff] = (),
    coaches: Sequence[Coach] = (),
) -> tuple[Reason, str] | None:
    """A German reason when the visit cannot fit any shift whatever the others do."""
    client = visit.client
    if client.appointment is not None and not windows:
        return Reason.APPOINTMENT_OUTSIDE_HORIZON, (
            f"Termin am {client.appointment:%d.%m.%Y %H:%M} liegt außerhalb des "
            f"Planungszeitraums ({_period(start, days)})."
        )
    if client.visit_place is VisitPlace.VAN and not any(s.with_van for s in shifts):
        return Reason.NO_VAN_DRIVER, (
            "Besuch im Beratungsmobil gewünscht, aber im Planungszeitraum fährt niemand "
            "das Beratungsmobil (Teamdatei prüfen)."
        )
    if client.availability and client.appointment is None and not windows:
        if all((w.end - w.start) < visit.duration_min for w in client.availability):
            return Reason.WINDOW_TOO_SHORT, (
                f"Jedes Zeitfenster ({_fmt_windows(client.availability)}) ist kürzer als die "
                f"Besuchsdauer von {visit.duration_min} min."
            )
        return Reason.NO_MATCHING_DAY, (
            f"Verfügbarkeit ({_fmt_windows(client.availability)}) trifft keinen Tag im "
            f"Planungszeitraum {_period(start, days)}."
        )
    duration = visit.duration_min * 60
    in_hours = any(
        max(w.earliest, s.start_s) <= min(w.latest, s.end_s - duration)
        for s in shifts
        if s.with_van or client.visit_place is not VisitPlace.VAN
        for w in windows
    )
    if not in_hours:
        if client.appointment is not None:
            off = [o for o in days_off if o.day == client.appointment.date()]
            whole_team = next((o for o in off if o.coach is None), None)
            if whole_team is not None or (off and len(off) >= len(coaches)):
                why = whole_team.reason if whole_team else "alle Coaches abwesend"
                return Reason.DAY_OFF, (
                    f"Termin am {client.appointment:%d.%m.%Y %H:%M}: an diesem Tag gibt es "
                    f"keine Touren ({why}). Bitte einen anderen Tag vereinbaren."
                )
        what = "Termin" if client.appointment is not None else "Verfügbarkeit"
        shown = (
            f"{WEEKDAYS_DE[client.appointment.weekday()]} {client.appointment:%d.%m. %H:%M}"
            if client.appointment is not None
            else _fmt_windows(client.availability) or "ganztags"
        )
        # Van windows open earlier by the set-up time: name it, or 08:00 at an 08:00 shift
        # start would look like a contradiction.
        setup = (
            " (mit Rüstzeit des Beratungsmobils vor dem Besuch)"
            if client.visit_place is VisitPlace.VAN
            else ""
        )
        return Reason.OUTSIDE_WORKING_HOURS, (
            f"{what} ({shown}) liegt außerhalb der Arbeitszeiten aller Coaches im "
            f"Planungszeitraum{setup}."
        )
    return None


def _region_excludes(shift: Shift, region: str) -> bool:
    """True when the coach's weekly frame ties this day to another region as a rule."""
    tied = shift.coach.region_on(shift.day.weekday())
    return shift.coach.region_days_fixed and tied is not None and tied != region


#: A visit that can fit: its start windows and the shifts that can reach it.
_Candidate = tuple[Visit, tuple[Window, ...], tuple[int, ...]]


def _reachable_shifts(
    duration_s: int,
    visit: int,
    windows: Sequence[Window],
    shifts: Sequence[Shift],
    to_visit: TravelMatrix,
    from_visit: TravelMatrix,
    office_index: dict[str, int],
    van_factor: float,
    van_only: bool,
    region: str = "",
    *,
    region_days: bool = True,
    coach: str = "",
) -> tuple[int, ...]:
    """Shifts that can drive out, serve the visit in a window, and return within hours.

    ``to_visit`` is offices × candidates, ``from_visit`` candidates × offices.
    """
    allowed: list[int] = []
    for k, shift in enumerate(shifts):
        if (van_only and not shift.with_van) or (coach and shift.coach.key != coach):
            continue
        if region_days and _region_excludes(shift, region):
            continue
        factor = van_factor if shift.with_van else 1.0
        out = _scaled(int(to_visit.seconds[office_index[shift.start_office.key], visit]), factor)
        back = _scaled(int(from_visit.seconds[visit, office_index[shift.end_office.key]]), factor)
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
    off = days_off(team, start, days)
    shifts = build_shifts(team, start, days, off)
    offices = team.offices
    van = team.van
    setup_s = van.setup_min * 60 if van is not None else 0
    van_factor = van.speed_factor if van is not None else 1.0

    candidates: list[tuple[Visit, tuple[Window, ...]]] = []
    unplanned: list[Unplanned] = []
    for visit in visits:
        if visit.client.visit_place is VisitPlace.VAN:
            visit = at_stand(visit)
        # Van visits: the node (set-up) starts before the visit, windows shift with it.
        lead_s = setup_s if visit.client.visit_place is VisitPlace.VAN else 0
        windows = visit_windows(visit, start, days, lead_s)
        reason = _precheck_reason(visit, windows, shifts, start, days, off, team.coaches)
        if reason is None:
            candidates.append((visit, windows))
        else:
            unplanned.append(unplanned_visit(visit, *reason))

    # Work and memory grow with what is routed, not with the list: reachability needs only
    # the thin office × candidate tables; the square matrix is built after the shortlist,
    # for the routed visits alone (a 50,000-row list never allocates 50,000²).
    office_points = [(o.lat, o.lon) for o in offices]
    candidate_points = [(v.site.lat, v.site.lon) for v, _ in candidates]
    to_visit = travel.table(office_points, candidate_points)
    from_visit = travel.table(candidate_points, office_points)
    office_index = {o.key: i for i, o in enumerate(offices)}

    kept: list[_Candidate] = []
    for i, (visit, windows) in enumerate(candidates):
        van_only = visit.client.visit_place is VisitPlace.VAN
        duration_s = visit.duration_min * 60 + (setup_s if van_only else 0)
        reach = (duration_s, i, windows, shifts, to_visit, from_visit, office_index, van_factor)
        allowed = _reachable_shifts(*reach, van_only, visit.site.region, coach=visit.coach)
        if allowed:
            kept.append((visit, windows, allowed))
        elif _reachable_shifts(
            *reach, van_only, visit.site.region, region_days=False, coach=visit.coach
        ):
            unplanned.append(
                unplanned_visit(
                    visit,
                    Reason.REGION_DAYS,
                    f"Wochenplan der Regionstage: an den möglichen Tagen ist kein Coach für "
                    f"„{visit.site.region or 'ohne Region'}“ eingeteilt (regionstage_fest "
                    "in der Teamdatei).",
                )
            )
        else:
            nearest = (
                min(int(to_visit.seconds[office_index[s.start_office.key], i]) for s in shifts)
                // 60
            )
            unplanned.append(
                unplanned_visit(
                    visit,
                    Reason.NOT_REACHABLE,
                    "Innerhalb der Arbeitszeit nicht erreichbar: Hin- und Rückfahrt "
                    f"(einfach mindestens {nearest} min) und Besuch"
                    + (" mit Rüstzeit" if van_only else "")
                    + " passen in kein Zeitfenster.",
                )
            )

    kept, surplus = _shortlist(kept, shifts, team, start)

    matrix = travel.matrix(office_points + [(v.site.lat, v.site.lon) for v, _, _ in kept])
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
        penalties=tuple(_penalty(v, start) for v, _, _ in kept),
        allowed_shifts=tuple(a for _, _, a in kept),
        matrix=matrix,
        breaks=team.breaks,
        van_speed_factor=van_factor,
        setup_s=setup_s,
        surplus=tuple(v for v, _, _ in surplus),
        surplus_shifts=tuple(a for _, _, a in surplus),
        surplus_penalties=tuple(_penalty(v, start) for v, _, _ in surplus),
    )
    return problem, tuple(unplanned)


def at_stand(visit: Visit) -> Visit:
    """A Beratungsmobil visit happens where the van stands: its municipality's centre.

    Van clients of nearby villages (one municipality) meet at one stand, so the van
    parks and sets up once for all of them when their times allow.
    """
    site = visit.site
    municipality = geodata.municipality_by_ags().get(site.ags)
    if municipality is None:  # not one of the 23 (hand-made data): the van comes to them
        return replace(
            visit, stand=f"{site.ortsteil or site.municipality} ({site.lat:.5f}, {site.lon:.5f})"
        )
    centre = replace(site, lat=municipality.lat, lon=municipality.lon)
    return replace(visit, site=centre, stand=site.municipality)


def coach_day_spans(shifts: Sequence[Shift]) -> dict[tuple[str, int], int]:
    """Seconds of work per (coach, day): car and van shift are alternatives, counted once."""
    return {(s.coach.key, s.day_index): s.end_s - s.start_s for s in shifts}


def visit_capacity(shifts: Sequence[Shift], team: Team, visits: Sequence[Visit]) -> float:
    """Rough upper estimate of how many of these visits the shifts could hold.

    Counts each coach-day once (car and van shift are alternatives), takes off the rest
    break, and assumes only ``SHORTLIST_TRAVEL_MIN`` of driving per visit — generous on
    purpose: the estimate may only ever keep too many candidates, never too few.
    """
    rule = team.breaks
    minutes = sum(
        span / 60 - (rule.break_min if span > rule.after_min * 60 else 0)
        for span in coach_day_spans(shifts).values()
    )
    mean_visit = sum(v.duration_min for v in visits) / len(visits) if visits else 60
    return minutes / (mean_visit + settings.SHORTLIST_TRAVEL_MIN)


def _shortlist(
    kept: list[_Candidate],
    shifts: Sequence[Shift],
    team: Team,
    start: date,
) -> tuple[list[_Candidate], list[_Candidate]]:
    """When far more clients wait than the week can hold, route only the front of the queue.

    The drop penalties rank clients (appointment, priority, waiting time) far above any
    driving cost, so the solver would leave out the tail of that ranking anyway; giving it
    only ``SHORTLIST_FACTOR`` × the estimated capacity keeps large lists fast.

    Appointments are fixed in time and compete with each other: a shortlist of nothing but
    appointments (a long list holds hundreds) fills the week with clashes and leaves no
    flexible visit to fill the gaps. So an appointment joins the shortlist only while
    fewer appointments already chosen overlap it than coaches work that day; the others
    wait in the surplus, and their reason is checked against the plan after solving.
    """
    visits = [v for v, _, _ in kept]
    limit = math.ceil(settings.SHORTLIST_FACTOR * visit_capacity(shifts, team, visits))
    if len(kept) <= limit:
        return kept, []

    def rank(i: int) -> tuple[int, int]:
        visit = kept[i][0]
        return (-_penalty(visit, start), visit.client.row)

    buffer = settings.SHORTLIST_TRAVEL_MIN * 60
    taken: dict[int, list[tuple[int, int]]] = {}  # day → busy intervals of chosen appointments
    chosen: list[int] = []
    for i in sorted(range(len(kept)), key=rank):
        if len(chosen) == limit:
            break
        visit, windows, allowed = kept[i]
        if visit.client.appointment is not None and windows:
            begin = windows[0].earliest - buffer
            end = windows[0].earliest + visit.duration_min * 60 + buffer
            day = windows[0].earliest // DAY
            coaches = len({shifts[k].coach.key for k in allowed})
            busy = taken.setdefault(day, [])
            if sum(1 for b, e in busy if b < end and begin < e) >= coaches:
                continue
            busy.append((begin, end))
        chosen.append(i)
    picked = set(chosen)
    return (
        [kept[i] for i in sorted(picked)],
        [kept[i] for i in range(len(kept)) if i not in picked],
    )


def unplanned_visit(visit: Visit, code: Reason, reason: str) -> Unplanned:
    """The visit as not planned, with its reason (code and German text)."""
    c = visit.client
    return Unplanned(
        code=code,
        client_id=c.id,
        row=c.row,
        reason=reason,
        client=c,
        site=visit.site,
        name=c.name,
        address=c.address,
    )
