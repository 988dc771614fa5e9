"""Independent checks of a plan's tours, written apart from the solver's own model."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta

from planner.model import Team, Tour, VisitPlace
from planner.traveltime import TravelTimeProvider


def _minutes(dt: datetime) -> int:
    return dt.hour * 60 + dt.minute


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
    points = [(tour.start_office.lat, tour.start_office.lon)]
    points += [(s.visit.site.lat, s.visit.site.lon) for s in tour.stops]
    points.append((tour.end_office.lat, tour.end_office.lon))
    seconds = travel.matrix(points).seconds

    busy: list[tuple[datetime, datetime]] = []
    previous_end = tour.start
    for k, stop in enumerate(tour.stops):
        client = stop.visit.client
        drive = timedelta(seconds=int(seconds[k, k + 1]) * factor)
        if stop.start < previous_end + drive - timedelta(seconds=2):
            problems.append(f"{client.id}: starts {stop.start} before it can be reached")
        if stop.arrival > stop.start:
            problems.append(f"{client.id}: arrival after start")
        if stop.end - stop.start < timedelta(minutes=stop.visit.duration_min):
            problems.append(f"{client.id}: visit shorter than its duration")
        if client.appointment is not None and stop.start != client.appointment:
            problems.append(f"{client.id}: appointment {client.appointment} but start {stop.start}")
        elif client.availability and client.appointment is None:
            start_min, end_min = (
                _minutes(stop.start),
                _minutes(stop.start) + stop.visit.duration_min,
            )
            if not any(
                w.weekday == tour.day.weekday() and w.start <= start_min and end_min <= w.end
                for w in client.availability
            ):
                problems.append(f"{client.id}: visit {stop.start} outside availability")
        if client.visit_place is VisitPlace.VAN and not tour.with_van:
            problems.append(f"{client.id}: van visit on a car tour")
        if stop.start.date() != tour.day:
            problems.append(f"{client.id}: visit on another day")
        busy.append((stop.start, stop.end))
        previous_end = stop.end
    back = timedelta(seconds=int(seconds[len(tour.stops), len(tour.stops) + 1]) * factor)
    if tour.end < previous_end + back - timedelta(seconds=2):
        problems.append("tour ends before the coach can be back at the office")

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
