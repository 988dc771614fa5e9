"""Independent checks of a plan's tours, written apart from the solver's own model."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta

from planner.model import Team, Tour, VisitPlace
from planner.traveltime import TravelTimeProvider


def _printed(dt: datetime, day0: datetime) -> int:
    """Minutes after the tour's midnight as the sheet prints them (``%H:%M`` truncates)."""
    return (dt - day0) // timedelta(minutes=1)


def _leg(
    what: str,
    previous_end: datetime,
    reached_by: datetime,
    arrival: datetime,
    travel_min: int,
    raw_drive: float,
    rests: list[tuple[int, int]],
    day0: datetime,
) -> list[str]:
    """One drive: reachable in time, printed drive not below the estimate, and the printed
    times add up (no leg shorter than its printed drive plus the breaks in it)."""
    problems: list[str] = []
    if reached_by < previous_end + timedelta(seconds=raw_drive) - timedelta(seconds=2):
        problems.append(f"{what}: at {reached_by} before it can be reached")
    if travel_min * 60 < raw_drive - 1:
        problems.append(f"{what}: drive {travel_min} min understates the estimate")
    gap = _printed(arrival, day0) - _printed(previous_end, day0)
    resting = _rest_min(rests, _printed(previous_end, day0), _printed(arrival, day0))
    if gap < travel_min + resting:
        problems.append(
            f"{what}: {arrival:%H:%M} is {gap} min after {previous_end:%H:%M}, "
            f"printed drive {travel_min} min + {resting} min break"
        )
    return problems


def _rest_min(rests: Sequence[tuple[int, int]], begin: int, end: int) -> int:
    """Printed break minutes inside ``[begin, end]``."""
    return sum(max(0, min(e, end) - max(s, begin)) for s, e in rests)


def tour_violations(tour: Tour, team: Team, travel: TravelTimeProvider) -> list[str]:
    """Everything a coach would object to in one tour, as readable strings."""
    problems: list[str] = []
    hours = tour.coach.hours_on(tour.day.weekday())
    if hours is None:
        return [f"{tour.coach.key} does not work on {tour.day}"]
    day0 = datetime.combine(tour.day, datetime.min.time())
    shift_start, shift_end = day0 + timedelta(minutes=hours[0]), day0 + timedelta(minutes=hours[1])
    if tour.start < shift_start or tour.end > shift_end:
        problems.append(f"tour {tour.start}–{tour.end} outside hours {shift_start}–{shift_end}")

    factor = team.van.speed_factor if (tour.with_van and team.van) else 1.0
    setup_min = team.van.setup_min if team.van else 0
    points = [(tour.start_office.lat, tour.start_office.lon)]
    points += [(s.visit.site.lat, s.visit.site.lon) for s in tour.stops]
    points.append((tour.end_office.lat, tour.end_office.lon))
    seconds = travel.matrix(points).seconds

    def printed(dt: datetime) -> int:
        return _printed(dt, day0)

    moments = [tour.start, tour.end, *(m for b in tour.breaks for m in (b.start, b.end))]
    moments += [m for s in tour.stops for m in (s.arrival, s.start, s.end)]
    if any(m.second or m.microsecond for m in moments):
        problems.append("a printed time is not on a whole minute")
    rests = sorted((printed(b.start), printed(b.end)) for b in tour.breaks)

    busy: list[tuple[datetime, datetime]] = []
    previous_end = tour.start
    previous_stand = ""
    for k, stop in enumerate(tour.stops):
        client = stop.visit.client
        van_visit = client.visit_place is VisitPlace.VAN
        # The van is set up once per stand; between visits at one stand it stays parked.
        same_stand = van_visit and bool(stop.visit.stand) and stop.visit.stand == previous_stand
        needed_setup = setup_min if van_visit and not same_stand else 0
        setup = timedelta(minutes=needed_setup)
        raw_drive = 0.0 if same_stand else int(seconds[k, k + 1]) * factor
        # A van visit's set-up happens before the visit, after the drive.
        problems += _leg(
            client.id, previous_end, stop.start - setup, stop.arrival, stop.travel_min, raw_drive,
            rests, day0,
        )  # fmt: skip
        if stop.arrival > stop.start:
            problems.append(f"{client.id}: arrival after start")
        if stop.end - stop.start != timedelta(minutes=stop.visit.duration_min):
            problems.append(f"{client.id}: visit {stop.start}–{stop.end} is not its duration")
        if van_visit:
            if printed(stop.start) - printed(stop.arrival) < needed_setup:
                problems.append(
                    f"{client.id}: arrives {stop.arrival:%H:%M}, no {needed_setup} min set-up "
                    f"before the start {stop.start:%H:%M}"
                )
            if stop.setup_min != needed_setup:
                problems.append(
                    f"{client.id}: set-up {stop.setup_min} min, expected {needed_setup}"
                )
            if not stop.visit.stand:
                problems.append(f"{client.id}: van visit without a stand")
        if client.appointment is not None and stop.start != client.appointment:
            problems.append(f"{client.id}: appointment {client.appointment} but start {stop.start}")
        elif client.availability and client.appointment is None:
            start_min, end_min = printed(stop.start), printed(stop.end)
            if not any(
                w.weekday == tour.day.weekday() and w.start <= start_min and end_min <= w.end
                for w in client.availability
            ):
                problems.append(f"{client.id}: visit {stop.start} outside availability")
        if van_visit and not tour.with_van:
            problems.append(f"{client.id}: van visit on a car tour")
        if stop.start.date() != tour.day:
            problems.append(f"{client.id}: visit on another day")
        busy.append((stop.start - setup, stop.end))
        previous_end = stop.end
        previous_stand = stop.visit.stand if van_visit else ""
    raw_back = int(seconds[len(tour.stops), len(tour.stops) + 1]) * factor
    problems += _leg(
        "back at the office", previous_end, tour.end, tour.end, tour.return_travel_min, raw_back,
        rests, day0,
    )  # fmt: skip
    legs = sum(s.travel_min for s in tour.stops) + tour.return_travel_min
    if tour.driving_min != legs:
        problems.append(f"total drive {tour.driving_min} min, legs add up to {legs} min")

    problems += _break_violations(tour, team, busy)
    return problems


def _break_violations(tour: Tour, team: Team, busy: list[tuple[datetime, datetime]]) -> list[str]:
    rule = team.breaks
    problems: list[str] = []
    rests = sorted((b.start, b.end) for b in tour.breaks)
    total_break = sum(((e - s) for s, e in rests), timedelta())
    work = tour.end - tour.start - total_break
    for s, e in rests:
        if s < tour.start or e > tour.end:
            problems.append(f"break {s}–{e} outside the tour")
        if any(s < ve and vs < e for vs, ve in busy):
            problems.append(f"break {s}–{e} overlaps a visit")
    if work > timedelta(minutes=rule.after_min) and total_break < timedelta(minutes=rule.break_min):
        problems.append(f"{work} of work but only {total_break} break")
    if work > timedelta(minutes=rule.long_after_min) and total_break < timedelta(
        minutes=rule.long_break_min
    ):
        problems.append(f"{work} of work but only {total_break} break (> 9 h rule)")
    # No stretch of more than 6 h without a break of at least the minimum length.
    cursor = tour.start
    for s, e in rests + [(tour.end, tour.end)]:
        if s - cursor > timedelta(minutes=rule.after_min):
            problems.append(f"{s - cursor} without a break from {cursor}")
        if e - s >= timedelta(minutes=rule.break_min):
            cursor = e
    return problems


def plan_violations(tours: Sequence[Tour], team: Team, travel: TravelTimeProvider) -> list[str]:
    problems = [p for t in tours for p in tour_violations(t, team, travel)]
    vans = Counter(t.day for t in tours if t.with_van)
    problems += [f"{day}: {n} van tours" for day, n in vans.items() if n > 1]
    per_coach_day = Counter((t.coach.key, t.day) for t in tours)
    problems += [f"{k}: {n} tours on one day" for k, n in per_coach_day.items() if n > 1]
    visited = Counter(s.visit.client.id for t in tours for s in t.stops)
    problems += [f"{cid} visited {n} times" for cid, n in visited.items() if n > 1]
    return problems
