"""Free slots while the client is on the phone, and fill-ins after a missed visit.

Both work on a published plan, in which every stop is pinned at its start time: a new
visit goes into a gap between pinned stops (or before the first, after the last, or
into a new tour from the coach's office) and never moves a pinned start. The day's rest
break is recomputed: the published break stays where it is while it is still lawful,
otherwise it moves to the earliest lawful place between two visits or on the way home
(§ 4 ArbZG, the planner's :class:`~planner.model.BreakRule`, the solver's three hours
before the first rest; like the solver's breaks it may split a drive); without a lawful
layout there is no slot.

Coach-days are those of :func:`~planner.solve.problem.build_shifts` (no Hessen holiday,
no absence). One van for the team: a Beratungsmobil visit goes into that coach-day's
van tour, or opens a new van tour for a coach who drives it on a day nobody has the van;
never into a car tour. Starts lie on a ``step_min`` grid (an appointment keeps its
time); per gap the earliest lawful start is offered and, with a reachability function,
also the lawful start with the highest p.

Driving follows the planner exactly (:mod:`planner.solve.problem`): one table call to the
travel provider, times scaled by the van's speed factor on van tours and rounded up to
whole minutes per leg, no driving and no second set-up between two van visits at one
stand. All times inside are whole minutes after midnight of the day.

Ranking of slots (:func:`suggest_slots`), first difference wins:

1. the case's Bezugscoach before everybody else (continuity for the person);
2. fewer extra driving minutes for that coach-day (a new tour: out and back);
3. higher chance of finding the person (``reachability``), when it is given;
4. earlier start;
5. coach key (so equal slots always come in the same order).

At most :data:`MAX_SLOTS_PER_COACH_DAY` slots per coach and day: the person on the phone
hears real alternatives (other days, other coaches) rather than five starts a quarter
of an hour apart in one gap.

User-facing text is German and names places by municipality only, never another
client (social data).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from datetime import time as clock
from functools import partial

import numpy as np

from planner.calendar_de import days_off, holiday_name
from planner.model import (
    WEEKDAYS_DE,
    Break,
    BreakRule,
    Coach,
    Office,
    Stop,
    Team,
    Tour,
    Visit,
    VisitPlace,
    hhmm,
)
from planner.solve.problem import BREAK_NOT_BEFORE_S, Shift, at_stand, build_shifts
from planner.traveltime import IntMatrix, TravelTimeProvider

#: Slots per coach and day at most (see the module docstring).
MAX_SLOTS_PER_COACH_DAY = 2
#: After a missed visit the fill-in starts as early as possible; when that leaves no
#: lawful break, later starts are tried in steps of this many minutes.
FILL_IN_STEP_MIN = 5

Reachability = Callable[[int, int], float]


@dataclass(frozen=True)
class Slot:
    """A start the coach can offer on the phone, with what it costs."""

    coach: str  # coach key
    day: date
    start: datetime  # visit start
    end: datetime
    with_van: bool
    extra_driving_min: int  # driving added to that coach-day (a new tour: out and back)
    new_tour: bool
    preferred_coach: bool  # the case's Bezugscoach
    p: float | None  # chance to find the person at that time, if a function was given
    explanation: str  # German, e.g. "Mi 09.12. 10:30 bei Anna Becker (Bezugscoach), …"


@dataclass(frozen=True)
class FillIn:
    """An open case the coach can visit instead after a missed visit ("nicht angetroffen")."""

    case_id: str
    start: datetime
    extra_driving_min: int
    explanation: str  # German


# --------------------------------------------------------------------------- day model


@dataclass(frozen=True)
class _Item:
    """A visit in a day's sequence (minutes after midnight)."""

    node: int  # row/column in the travel table
    start: int
    end: int
    van: bool  # a Beratungsmobil visit (needs the set-up)
    stand: str  # its van stand ("" outside the van)


@dataclass(frozen=True)
class _Frame:
    """What is fixed for one coach-day: hours, offices, vehicle and break rule."""

    hours: tuple[int, int]
    start_node: int
    end_node: int
    with_van: bool
    drive: Sequence[Sequence[int]]  # whole driving minutes for this vehicle, by node
    setup_min: int
    rule: BreakRule


@dataclass(frozen=True)
class _Layout:
    """A lawful day: departure, legs, return and at most one rest (start, minutes)."""

    depart: int
    drives: tuple[int, ...]  # into each item
    setups: tuple[int, ...]  # van set-up before each item
    back: int
    end: int
    rest: tuple[int, int] | None

    @property
    def driving(self) -> int:
        return sum(self.drives) + self.back


def _legs(frame: _Frame, items: Sequence[_Item]) -> tuple[list[int], list[int], int]:
    """Drive and set-up into each item, and the drive back, as the planner counts them."""
    drives: list[int] = []
    setups: list[int] = []
    here, stand = frame.start_node, ""
    for item in items:
        # The van stays parked and set up between visits at one stand.
        same = frame.with_van and item.van and bool(item.stand) and item.stand == stand
        drives.append(0 if same else frame.drive[here][item.node])
        setups.append(frame.setup_min if frame.with_van and item.van and not same else 0)
        here, stand = item.node, (item.stand if item.van else "")
    return drives, setups, frame.drive[here][frame.end_node]


def _lay_out(
    frame: _Frame,
    items: Sequence[_Item],
    *,
    depart: int | None = None,
    keep: tuple[int, int] | None = None,
    rest_from: int = 0,
) -> _Layout | None:
    """The day with these pinned items, or None when it breaks hours, travel or § 4.

    ``depart`` pins the departure (default: as late as the first item allows); ``keep``
    is the published rest, kept when still lawful; a moved rest starts at ``rest_from``
    at the earliest (the past cannot be rested in).
    """
    if not items:
        return None
    drives, setups, back = _legs(frame, items)
    t0 = items[0].start - setups[0] - drives[0] if depart is None else depart
    if t0 < frame.hours[0]:
        return None
    previous = t0
    for item, drive, setup in zip(items, drives, setups, strict=True):
        if previous + drive > item.start - setup:
            return None
        previous = item.end
    t1 = previous + back
    if t1 > frame.hours[1]:
        return None
    placed = _place_rest(frame, items, drives, setups, back, t0, t1, keep, rest_from)
    if placed is None:
        return None
    rest, end = placed
    return _Layout(t0, tuple(drives), tuple(setups), back, end, rest)


def _place_rest(
    frame: _Frame,
    items: Sequence[_Item],
    drives: Sequence[int],
    setups: Sequence[int],
    back: int,
    t0: int,
    t1: int,
    keep: tuple[int, int] | None,
    rest_from: int,
) -> tuple[tuple[int, int] | None, int] | None:
    """One rest between two visits or on the way home, lawful as in the solver.

    No stretch of work over ``after_min`` without it, not before three hours into the
    shift (:data:`~planner.solve.problem.BREAK_NOT_BEFORE_S`), 45 instead of 30 minutes
    on a long day; a rest before the first visit is no rest. Like OR-Tools' breaks it
    may split a drive: it fits a leg when the leg's slack holds it and it does not touch
    a visit or set-up. On the way home it delays the return (within the shift).
    ``t1`` is the return without a rest. Returns (rest, day end), or None.
    """
    rule = frame.rule
    long_day = rule.long_after_min + rule.break_min
    not_before = frame.hours[0] + BREAK_NOT_BEFORE_S // 60
    # Legs after a visit: (free from, rest done by, slack for a rest, the way home).
    legs = [
        (
            items[k - 1].end,
            items[k].start - setups[k],
            items[k].start - setups[k] - drives[k] - items[k - 1].end,
            False,
        )
        for k in range(1, len(items))
    ]
    legs.append((items[-1].end, frame.hours[1], frame.hours[1] - t1, True))

    def day_end(begin: int, length: int, lo: int, hi: int, slack: int, home: bool) -> int | None:
        if length < rule.break_min or slack < length:
            return None
        if begin < max(lo, not_before) or begin + length > hi:
            return None
        end = max(t1, begin) + length if home else t1
        if begin - t0 > rule.after_min or end - begin - length > rule.after_min:
            return None
        if end - t0 > long_day and length < rule.long_break_min:
            return None
        return end

    if keep is not None:
        for lo, hi, slack, home in legs:
            end = day_end(keep[0], keep[1], lo, hi, slack, home)
            if end is not None:
                return keep, end
    if t1 - t0 <= rule.after_min:
        return None, t1
    for length in sorted({rule.break_min, max(rule.break_min, rule.long_break_min)}):
        best: tuple[int, int] | None = None  # (day end, rest start)
        for lo, hi, slack, home in legs:
            # The earliest start is best: every other bound only caps the start.
            after = t1 - rule.after_min if home else t1 - length - rule.after_min
            begin = max(lo, not_before, rest_from, after)
            end = day_end(begin, length, lo, hi, slack, home)
            if end is not None and (best is None or (end, begin) < best):
                best = (end, begin)
        if best is not None:
            return (best[1], length), best[0]
    return None


# --------------------------------------------------------------------------- travel


def _minutes(seconds: IntMatrix, factor: float) -> list[list[int]]:
    """Whole driving minutes exactly as the solver rounds them (scale, round, then up)."""
    scaled = np.rint(seconds * factor).astype(np.int64)
    rows: list[list[int]] = (-(-scaled // 60)).tolist()
    return rows


def _van_factor(team: Team) -> float:
    return team.van.speed_factor if team.van is not None else 1.0


def _setup_min(team: Team) -> int:
    return team.van.setup_min if team.van is not None else 0


# --------------------------------------------------------------------------- visits


def _prepared(visit: Visit) -> Visit:
    """A Beratungsmobil visit takes place at its stand, as the planner places it."""
    if visit.client.visit_place is VisitPlace.VAN and not visit.stand:
        return at_stand(visit)
    return visit


def _is_van(visit: Visit) -> bool:
    return visit.client.visit_place is VisitPlace.VAN


def _start_windows(visit: Visit, day: date) -> tuple[tuple[int, int], ...]:
    """Intervals of allowed visit starts on ``day`` (minutes after midnight, inclusive)."""
    client, duration = visit.client, visit.duration_min
    if client.appointment is not None:
        if client.appointment.date() != day:
            return ()
        at = client.appointment.hour * 60 + client.appointment.minute
        return ((at, at),)
    if not client.availability:
        return ((0, 24 * 60 - duration),)
    return tuple(
        (w.start, w.end - duration)
        for w in sorted(client.availability)
        if w.weekday == day.weekday() and w.end - w.start >= duration
    )


def _window_label(visit: Visit, day: date, start: int) -> str:
    """The window as the route sheet shows it ("Termin 10:30", "Di 14:00-17:00", "")."""
    client = visit.client
    if client.appointment is not None:
        return f"Termin {client.appointment:%H:%M}"
    for w in client.availability:
        if w.weekday == day.weekday() and w.start <= start <= w.end - visit.duration_min:
            return str(w)
    return ""


def _item(visit: Visit, node: int, start: int) -> _Item:
    van = _is_van(visit)
    return _Item(node, start, start + visit.duration_min, van, visit.stand if van else "")


def _minute_of(moment: datetime, day: date) -> int:
    """Whole minutes after ``day``'s midnight (published times are on whole minutes)."""
    return (moment - datetime.combine(day, clock())) // timedelta(minutes=1)


def _ceil_minute_of(moment: datetime, day: date) -> int:
    return -((datetime.combine(day, clock()) - moment) // timedelta(minutes=1))


def _single_rest(tour: Tour) -> tuple[int, int] | None:
    """The published rest as (start, minutes); several rests are laid out anew."""
    if len(tour.breaks) != 1:
        return None
    (rest,) = tour.breaks
    begin = _minute_of(rest.start, tour.day)
    return begin, _minute_of(rest.end, tour.day) - begin


# --------------------------------------------------------------------------- German text


def _day_de(day: date) -> str:
    return f"{WEEKDAYS_DE[day.weekday()]} {day:%d.%m.}"


def _place(visit: Visit) -> str:
    # Municipality only: the person on the phone must not learn who else is visited.
    return visit.site.municipality or visit.site.ortsteil or "unbekanntem Ort"


def _percent(p: float) -> str:
    return f"{round(p * 100)} %"


# --------------------------------------------------------------------------- suggest


@dataclass(frozen=True)
class _Option:
    """A coach-day on which the visit may go, before any gap is looked at."""

    coach: Coach
    day: date
    shift: Shift
    tour: Tour | None


@dataclass(frozen=True)
class _Found:
    key: tuple[int, int, float, datetime, str]
    slot: Slot


@dataclass(frozen=True)
class _Search:
    """Every candidate slot, and per coach-day why there was none (for the explanation)."""

    found: tuple[_Found, ...]
    misses: tuple[tuple[str, Coach | None, date, str], ...]  # (code, coach, day, detail)


def suggest_slots(
    visit: Visit,
    tours: Sequence[Tour],
    team: Team,
    travel: TravelTimeProvider,
    start: date,
    days: int,
    *,
    preferred_coach: str = "",
    reachability: Reachability | None = None,
    limit: int = 5,
    step_min: int = 15,
    not_before: datetime | None = None,
) -> tuple[Slot, ...]:
    """The best free slots for ``visit`` in ``[start, start + days)`` around the pinned tours.

    ``tours`` is the published plan (the person's own earlier visit, when rescheduling,
    must already be taken out). Starts lie on a ``step_min`` grid; per gap the earliest
    lawful start is offered and, with ``reachability`` (weekday, minute → p), the start
    with the highest p too. ``not_before`` drops slots in the past (e.g. now). Ranking
    and the per-day cap: see the module docstring. Empty when nothing fits; then
    :func:`explain_no_slot` says why.
    """
    search = _search(
        visit, tours, team, travel, start, days, preferred_coach, reachability, step_min,
        not_before,
    )  # fmt: skip
    per_day: dict[tuple[str, date], int] = defaultdict(int)
    chosen: list[Slot] = []
    for found in sorted(search.found, key=lambda f: f.key):
        if len(chosen) >= limit:
            break
        slot = found.slot
        if per_day[slot.coach, slot.day] >= MAX_SLOTS_PER_COACH_DAY:
            continue
        per_day[slot.coach, slot.day] += 1
        chosen.append(slot)
    return tuple(chosen)


def explain_no_slot(
    visit: Visit,
    tours: Sequence[Tour],
    team: Team,
    travel: TravelTimeProvider,
    start: date,
    days: int,
    *,
    step_min: int = 15,
    not_before: datetime | None = None,
) -> str:
    """Why :func:`suggest_slots` finds nothing, in German ("" when there are slots)."""
    search = _search(visit, tours, team, travel, start, days, "", None, step_min, not_before)
    if search.found:
        return ""
    if days < 1:
        return "Kein freier Termin: der Zeitraum ist leer."
    last = start + timedelta(days=days - 1)
    if days == 1:
        head = f"Kein freier Termin am {_day_de(start)}{start:%Y}"
    else:
        head = f"Kein freier Termin im Zeitraum {_day_de(start)}–{_day_de(last)}{last:%Y}"
    if not search.misses:
        return f"{head}: an keinem dieser Tage arbeitet ein Coach."
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for code, coach, day, detail in search.misses:
        groups[code, detail].append(f"{coach.name} {_day_de(day)}" if coach else _day_de(day))
    ordered = sorted(groups.items(), key=lambda g: (_MISS_ORDER[g[0][0]], g[0][1]))
    parts = [f"{_MISS_TEXT[code].format(detail=detail)}: {', '.join(where)}"
             for (code, detail), where in ordered]  # fmt: skip
    text = f"{head}. " + "; ".join(parts)
    return text if text.endswith(".") else text + "."  # a day "Di 01.12." ends with one


_MISS_TEXT = {
    "holiday": "Feiertag ({detail})",
    "absent": "abwesend",
    "past": "schon vorbei",
    "not_before": "erst ab {detail} (Ankündigungsbrief)",
    "region": "Regionstag für eine andere Region ({detail})",
    "van_driver": "fährt das Beratungsmobil nicht",
    "van_car": "schon mit dem Auto unterwegs (Besuch im Beratungsmobil gewünscht)",
    "van_taken": "Beratungsmobil an dem Tag schon bei {detail}",
    "no_van": "kein Beratungsmobil im Team",
    "window": "{detail} passt nicht zu diesem Tag",
    "hours": "{detail} liegt außerhalb der Arbeitszeit",
    "full": "Tag voll: keine Lücke zwischen den festen Terminen (mit Fahrt und Pause)",
}
_MISS_ORDER = {code: i for i, code in enumerate(_MISS_TEXT)}


def _wish(visit: Visit) -> str:
    """The person's time wish as written, for the explanation."""
    client = visit.client
    if client.appointment is not None:
        return f"Termin {_day_de(client.appointment.date())} {client.appointment:%H:%M}"
    if client.availability:
        return "Verfügbarkeit " + ", ".join(str(w) for w in sorted(client.availability))
    return f"Besuch ({visit.duration_min} min)"


def _options(
    visit: Visit, tours: Sequence[Tour], team: Team, start: date, days: int
) -> tuple[list[_Option], list[tuple[str, Coach | None, date, str]]]:
    """Coach-days that may take the visit: working days of its coach (``visit.coach``) or
    of anyone, minus holidays, absences, days before ``visit.not_before``, other regions'
    fixed region days; a Beratungsmobil visit needs the van tour or a free van."""
    off = days_off(team, start, days)
    shifts = build_shifts(team, start, days, off)
    by_shift = {(s.coach.key, s.day, s.with_van): s for s in shifts}
    holidays = {o.day for o in off if o.coach is None}
    absent = {(o.day, o.coach.key) for o in off if o.coach is not None}
    end = start + timedelta(days=days)
    planned: dict[tuple[str, date], list[Tour]] = defaultdict(list)
    van_with: dict[date, str] = {}
    for published in tours:
        if start <= published.day < end and published.stops:
            planned[published.coach.key, published.day].append(published)
            if published.with_van:
                van_with[published.day] = published.coach.name
    van_visit = _is_van(visit)
    options: list[_Option] = []
    misses: list[tuple[str, Coach | None, date, str]] = []
    for offset in range(days):
        day = start + timedelta(days=offset)
        if day in holidays:
            misses.append(("holiday", None, day, holiday_name(day) or "Feiertag"))
            continue
        for coach in team.coaches:
            if coach.hours_on(day.weekday()) is None:
                continue
            if visit.coach and coach.key != visit.coach:
                continue  # the visit is tied to one coach (a pin or the Bezugscoach)
            if (day, coach.key) in absent:
                misses.append(("absent", coach, day, ""))
                continue
            if visit.not_before is not None and day < visit.not_before:
                misses.append(("not_before", coach, day, f"{visit.not_before:%d.%m.%Y}"))
                continue
            tied = coach.region_on(day.weekday())
            if coach.region_days_fixed and tied is not None and tied != visit.site.region:
                misses.append(("region", coach, day, tied))
                continue
            mine = planned.get((coach.key, day), [])
            if len(mine) > 1:  # not a valid plan: do not guess which tour is meant
                misses.append(("full", coach, day, ""))
                continue
            tour = mine[0] if mine else None
            if van_visit:
                if tour is not None and not tour.with_van:
                    misses.append(("van_car", coach, day, ""))
                    continue
                if tour is None and team.van is None:
                    misses.append(("no_van", coach, day, ""))
                    continue
                if tour is None and not coach.drives_van:
                    misses.append(("van_driver", coach, day, ""))
                    continue
                if tour is None and day in van_with:
                    misses.append(("van_taken", coach, day, van_with[day]))
                    continue
            with_van = tour.with_van if tour is not None else van_visit
            shift = by_shift.get((coach.key, day, with_van))
            if shift is None:  # e.g. a van tour in the plan but no van in the team file
                misses.append(("full", coach, day, ""))
                continue
            options.append(_Option(coach, day, shift, tour))
    return options, misses


def _search(
    visit: Visit,
    tours: Sequence[Tour],
    team: Team,
    travel: TravelTimeProvider,
    start: date,
    days: int,
    preferred_coach: str,
    reachability: Reachability | None,
    step_min: int,
    not_before: datetime | None,
) -> _Search:
    if step_min < 1:
        raise ValueError("step_min must be at least 1")
    visit = _prepared(visit)
    options, misses = _options(visit, tours, team, start, days)
    # One table call: offices, every pinned stop of the candidate days, the visit.
    points = [(o.lat, o.lon) for o in team.offices]
    office_node = {o.key: i for i, o in enumerate(team.offices)}
    stop_nodes: dict[tuple[str, date], list[int]] = {}
    for option in options:
        if option.tour is not None:
            stop_nodes[option.coach.key, option.day] = list(
                range(len(points), len(points) + len(option.tour.stops))
            )
            points += [(s.visit.site.lat, s.visit.site.lon) for s in option.tour.stops]
    new_node = len(points)
    points.append((visit.site.lat, visit.site.lon))
    seconds = travel.table(points, points).seconds if options else np.zeros((0, 0), np.int64)
    car = _minutes(seconds, 1.0)
    van = _minutes(seconds, _van_factor(team)) if any(o.shift.with_van for o in options) else car
    p_cache: dict[tuple[int, int], float] = {}

    def p_at(day: date, minute: int) -> float:
        key = (day.weekday(), minute)
        if key not in p_cache:
            assert reachability is not None
            p_cache[key] = float(reachability(*key))
        return p_cache[key]

    found: list[_Found] = []
    for option in options:
        coach, day, shift, tour = option.coach, option.day, option.shift, option.tour
        hours = coach.hours_on(day.weekday())
        assert hours is not None  # build_shifts made a shift for this day
        frame = _Frame(
            hours=hours,
            start_node=office_node[shift.start_office.key],
            end_node=office_node[shift.end_office.key],
            with_van=shift.with_van,
            drive=van if shift.with_van else car,
            setup_min=_setup_min(team),
            rule=team.breaks,
        )
        floor = 0
        if not_before is not None:
            if day < not_before.date():
                misses.append(("past", coach, day, ""))
                continue
            if day == not_before.date():
                floor = _ceil_minute_of(not_before, day)
        windows = _start_windows(visit, day)
        if not windows:
            misses.append(("window", coach, day, _wish(visit)))
            continue
        latest = hours[1] - visit.duration_min
        if not any(max(lo, hours[0]) <= min(hi, latest) for lo, hi in windows):
            misses.append(("hours", coach, day, _wish(visit)))
            continue
        base: list[_Item] = []
        depart: int | None = None
        keep: tuple[int, int] | None = None
        if tour is not None:
            nodes = stop_nodes[coach.key, day]
            base = [
                _Item(n, _minute_of(s.start, day), _minute_of(s.end, day), _is_van(s.visit),
                      s.visit.stand if _is_van(s.visit) else "")
                for n, s in zip(nodes, tour.stops, strict=True)
            ]  # fmt: skip
            depart = _minute_of(tour.start, day)
            keep = _single_rest(tour)
        before = _layout_driving(frame, base)
        preferred = bool(preferred_coach) and coach.key == preferred_coach
        hits = 0
        for position in range(len(base) + 1):
            picks = _gap_starts(
                frame, base, position, visit, new_node, windows, step_min, floor,
                None if position == 0 else depart, keep,
                partial(p_at, day) if reachability is not None else None,
            )  # fmt: skip
            for begin, layout in picks:
                hits += 1
                extra = layout.driving - before
                p = p_at(day, begin) if reachability is not None else None
                slot = _slot(visit, coach, day, shift, tour, position, begin, extra, preferred, p)
                key = (0 if preferred else 1, extra, -(p or 0.0), slot.start, coach.key)
                found.append(_Found(key, slot))
        if not hits:
            misses.append(("full", coach, day, ""))
    return _Search(tuple(found), tuple(misses))


def _layout_driving(frame: _Frame, items: Sequence[_Item]) -> int:
    if not items:
        return 0
    drives, _, back = _legs(frame, items)
    return sum(drives) + back


def _gap_starts(
    frame: _Frame,
    base: Sequence[_Item],
    position: int,
    visit: Visit,
    node: int,
    windows: Sequence[tuple[int, int]],
    step_min: int,
    floor: int,
    depart: int | None,
    keep: tuple[int, int] | None,
    p_of: Callable[[int], float] | None,
) -> list[tuple[int, _Layout]]:
    """Lawful starts offered in one gap: the earliest, and the one with the highest p."""
    # Bounds without the rest, from the neighbours' legs (cheap, prunes most gaps).
    lo, hi = _gap_bounds(frame, base, position, visit, node)
    lo = max(lo, floor)
    appointment = visit.client.appointment is not None
    grid: list[int] = []
    for w_lo, w_hi in windows:
        a, b = max(lo, w_lo), min(hi, w_hi)
        if a > b:
            continue
        # An appointment is kept as agreed, whatever the grid says.
        first = a if appointment else -(-a // step_min) * step_min
        grid += range(first, b + 1, step_min)
    grid = sorted(set(grid))
    if not grid:
        return []

    def lawful(begin: int) -> _Layout | None:
        items = [*base[:position], _item(visit, node, begin), *base[position:]]
        return _lay_out(frame, items, depart=depart, keep=keep)

    picks: list[tuple[int, _Layout]] = []
    for begin in grid:
        layout = lawful(begin)
        if layout is not None:
            picks.append((begin, layout))
            break
    if p_of is not None and picks:
        for begin in sorted(grid, key=lambda m: (-p_of(m), m)):
            if begin == picks[0][0]:
                break  # the earliest is also the best
            layout = lawful(begin)
            if layout is not None:
                picks.append((begin, layout))
                break
    return picks


def _gap_bounds(
    frame: _Frame, base: Sequence[_Item], position: int, visit: Visit, node: int
) -> tuple[int, int]:
    """Earliest and latest visit start in the gap before ``base[position]``, breaks aside."""
    new = _item(visit, node, 0)
    before = base[position - 1] if position > 0 else None
    after = base[position] if position < len(base) else None
    drives, setups, back = _legs(frame, [x for x in (before, new, after) if x is not None])
    k = 1 if before is not None else 0
    if before is None:
        lo = frame.hours[0] + drives[0] + setups[0]
    else:
        lo = before.end + drives[k] + setups[k]
    if after is None:
        hi = frame.hours[1] - back - visit.duration_min
    else:
        hi = after.start - setups[k + 1] - drives[k + 1] - visit.duration_min
    return lo, hi


def _slot(
    visit: Visit,
    coach: Coach,
    day: date,
    shift: Shift,
    tour: Tour | None,
    position: int,
    begin: int,
    extra: int,
    preferred: bool,
    p: float | None,
) -> Slot:
    day0 = datetime.combine(day, clock())
    start = day0 + timedelta(minutes=begin)
    end = start + timedelta(minutes=visit.duration_min)
    if tour is None:
        where = f"neue Tour ab {shift.start_office.name}"
    elif position == 0:
        where = f"vor dem Termin in {_place(tour.stops[0].visit)}"
    elif position == len(tour.stops):
        where = f"nach dem Termin in {_place(tour.stops[-1].visit)}"
    else:
        where = (
            f"zwischen den Terminen in {_place(tour.stops[position - 1].visit)} "
            f"und {_place(tour.stops[position].visit)}"
        )
    text = f"{_day_de(day)} {hhmm(begin)} bei {coach.name}"
    text += " (Bezugscoach)" if preferred else ""
    text += f" im Beratungsmobil ({visit.stand})" if _is_van(visit) else ""
    text += f", {where}, {extra:+d} min Fahrt"
    text += f", Chance anzutreffen {_percent(p)}" if p is not None else ""
    return Slot(
        coach=coach.key,
        day=day,
        start=start,
        end=end,
        with_van=shift.with_van,
        extra_driving_min=extra,
        new_tour=tour is None,
        preferred_coach=preferred,
        p=p,
        explanation=text,
    )


# --------------------------------------------------------------------------- booking


def tour_with_slot(
    slot: Slot, visit: Visit, tours: Sequence[Tour], team: Team, travel: TravelTimeProvider
) -> Tour:
    """The coach-day's tour with the visit booked at ``slot`` (a new tour if it had none).

    Pinned stops keep their starts; the rest break is laid out as for the suggestion.
    Raises ``ValueError`` when the slot no longer fits (the plan changed meanwhile).
    """
    visit = _prepared(visit)
    coach = next((c for c in team.coaches if c.key == slot.coach), None)
    if coach is None:
        raise ValueError(f"unknown coach {slot.coach!r}")
    tour = next(
        (t for t in tours if t.coach.key == coach.key and t.day == slot.day and t.stops), None
    )
    if tour is not None and tour.with_van != slot.with_van:
        raise ValueError("the slot's vehicle is not the tour's")
    if tour is None:
        shift = next(
            (s for s in build_shifts(team, slot.day, 1)
             if s.coach.key == coach.key and s.with_van == slot.with_van),
            None,
        )  # fmt: skip
        if shift is None:
            raise ValueError(f"{coach.key} has no shift on {slot.day}")
        start_office, end_office = shift.start_office, shift.end_office
        stops: tuple[Stop, ...] = ()
    else:
        start_office, end_office, stops = tour.start_office, tour.end_office, tour.stops
    begin = _minute_of(slot.start, slot.day)
    position = sum(1 for s in stops if s.start < slot.start)
    visits = [s.visit for s in stops]
    visits.insert(position, visit)
    labels = [s.window for s in stops]
    labels.insert(position, _window_label(visit, slot.day, begin))
    starts = [_minute_of(s.start, slot.day) for s in stops]
    starts.insert(position, begin)
    ends = [_minute_of(s.end, slot.day) for s in stops]
    ends.insert(position, begin + visit.duration_min)
    return _rebuilt(
        coach, slot.day, slot.with_van, start_office, end_office, visits, labels, starts, ends,
        team, travel,
        depart=None if tour is None or position == 0 else _minute_of(tour.start, slot.day),
        keep=_single_rest(tour) if tour is not None else None,
        rest_from=0,
    )  # fmt: skip


def _rebuilt(
    coach: Coach,
    day: date,
    with_van: bool,
    start_office: Office,
    end_office: Office,
    visits: Sequence[Visit],
    labels: Sequence[str],
    starts: Sequence[int],
    ends: Sequence[int],
    team: Team,
    travel: TravelTimeProvider,
    *,
    depart: int | None,
    keep: tuple[int, int] | None,
    rest_from: int,
) -> Tour:
    """A tour for these pinned visits, laid out like a suggestion, as the solver prints it."""
    hours = coach.hours_on(day.weekday())
    if hours is None:
        raise ValueError(f"{coach.key} does not work on {day}")
    points = [(start_office.lat, start_office.lon), (end_office.lat, end_office.lon)]
    points += [(v.site.lat, v.site.lon) for v in visits]
    table = travel.table(points, points)
    frame = _Frame(
        hours=hours,
        start_node=0,
        end_node=1,
        with_van=with_van,
        drive=_minutes(table.seconds, _van_factor(team) if with_van else 1.0),
        setup_min=_setup_min(team),
        rule=team.breaks,
    )
    items = [
        _Item(2 + i, s, e, _is_van(v), v.stand if _is_van(v) else "")
        for i, (v, s, e) in enumerate(zip(visits, starts, ends, strict=True))
    ]
    layout = _lay_out(frame, items, depart=depart, keep=keep, rest_from=rest_from)
    if layout is None:
        raise ValueError("the visit does not fit this day (any more)")
    metres: list[list[int]] = table.metres.tolist()
    day0 = datetime.combine(day, clock())

    def at(minute: int) -> datetime:
        return day0 + timedelta(minutes=minute)

    rests = [(b, b + n) for b, n in ([layout.rest] if layout.rest else [])]

    def resting(a: int, b: int) -> int:
        return sum(max(0, min(e, b) - max(s, a)) for s, e in rests)

    stops: list[Stop] = []
    previous, here, distance = layout.depart, 0, 0
    for visit, label, item, drive, setup in zip(
        visits, labels, items, layout.drives, layout.setups, strict=True
    ):
        busy = item.start - setup
        # As the solver prints it: the rest on the way counts into the arrival.
        arrival = min(busy, previous + drive + resting(previous, busy))
        stops.append(
            Stop(
                visit=visit,
                arrival=at(arrival),
                start=at(item.start),
                end=at(item.end),
                travel_min=drive,
                distance_m=metres[here][item.node],
                window=label,
                setup_min=setup,
            )
        )
        distance += metres[here][item.node]
        previous, here = item.end, item.node
    back_m = metres[here][1]
    return Tour(
        coach=coach,
        day=day,
        with_van=with_van,
        start_office=start_office,
        end_office=end_office,
        start=at(layout.depart),
        end=at(layout.end),
        stops=tuple(stops),
        breaks=tuple(Break(at(s), at(e)) for s, e in rests),
        driving_min=layout.driving,
        distance_m=distance + back_m,
        return_travel_min=layout.back,
        return_distance_m=back_m,
    )


# --------------------------------------------------------------------------- fill-ins


def _missed_depart(tour: Tour, at_stop: int, now: datetime) -> int:
    """When the coach leaves the missed stop: now, but not before its agreed start."""
    if not 0 <= at_stop < len(tour.stops):
        raise ValueError(f"tour has no stop {at_stop}")
    if now.date() != tour.day:
        raise ValueError(f"{now} is not on the tour's day {tour.day}")
    return max(_ceil_minute_of(now, tour.day), _minute_of(tour.stops[at_stop].start, tour.day))


def fits_after_miss(
    tour: Tour,
    at_stop: int,
    now: datetime,
    candidates: Sequence[Visit],
    team: Team,
    travel: TravelTimeProvider,
    *,
    limit: int = 3,
) -> tuple[FillIn, ...]:
    """Open cases the coach can visit now that the person at ``at_stop`` was not at home.

    A candidate fits when the coach can drive there from the current stop, do the visit
    inside its windows, and still reach the next pinned stop on time (or the office by
    the end of the shift after the last stop), with a lawful rest layout; the rest
    cannot move into the past. The coach leaves at ``now`` (not before the missed
    stop's start); the visit starts as soon as it can, later (in steps of
    :data:`FILL_IN_STEP_MIN`) only when that is what makes the rest fit. Candidates of
    another coach (``Visit.coach``), not yet due (``Visit.not_before``), already in the
    tour, or for the van on a car tour are left out. Ranked by extra driving, then case
    id; :func:`tour_with_fill_in` gives the tour to drive.
    """
    hours = tour.coach.hours_on(tour.day.weekday())
    depart = _missed_depart(tour, at_stop, now)
    if hours is None:
        return ()
    in_tour = {s.visit.client.id for s in tour.stops}
    pool = [
        _prepared(v)
        for v in candidates
        if v.client.id not in in_tour
        and (tour.with_van or not _is_van(v))
        and v.coach in ("", tour.coach.key)
        and (v.not_before is None or v.not_before <= tour.day)
    ]
    if not pool:
        return ()
    # Tour nodes: 0 start office, 1 end office, 2… stops; then the candidates. Two thin
    # calls (tour → all, candidates → tour): no candidates × candidates table.
    tour_points = [(tour.start_office.lat, tour.start_office.lon)]
    tour_points.append((tour.end_office.lat, tour.end_office.lon))
    tour_points += [(s.visit.site.lat, s.visit.site.lon) for s in tour.stops]
    pool_points = [(v.site.lat, v.site.lon) for v in pool]
    factor = _van_factor(team) if tour.with_van else 1.0
    drive = _minutes(travel.table(tour_points, tour_points + pool_points).seconds, factor)
    drive += _minutes(travel.table(pool_points, tour_points).seconds, factor)
    frame = _Frame(
        hours=hours,
        start_node=0,
        end_node=1,
        with_van=tour.with_van,
        drive=drive,
        setup_min=_setup_min(team),
        rule=team.breaks,
    )
    day = tour.day
    base = [
        _Item(2 + i, _minute_of(s.start, day), _minute_of(s.end, day), _is_van(s.visit),
              s.visit.stand if _is_van(s.visit) else "")
        for i, s in enumerate(tour.stops)
    ]  # fmt: skip
    base[at_stop] = replace(base[at_stop], end=depart)
    before = _layout_driving(frame, base)
    keep = _single_rest(tour)
    t0 = _minute_of(tour.start, day)
    nxt = tour.stops[at_stop + 1] if at_stop + 1 < len(tour.stops) else None
    found: list[FillIn] = []
    for j, visit in enumerate(pool):
        node = len(tour_points) + j
        lo, hi = _gap_bounds(frame, base, at_stop + 1, visit, node)
        for w_lo, w_hi in _start_windows(visit, day):
            a, b = max(lo, depart, w_lo), min(hi, w_hi)
            if a > b:
                continue
            # As soon as possible; later starts only when that leaves no lawful rest.
            tries = [a]
            if visit.client.appointment is None:
                tries += range(-(-(a + 1) // FILL_IN_STEP_MIN) * FILL_IN_STEP_MIN, b + 1,
                               FILL_IN_STEP_MIN)  # fmt: skip
            hit = _first_lawful(frame, base, at_stop + 1, visit, node, tries, t0, keep, depart)
            if hit is not None:
                begin, layout = hit
                found.append(
                    _fill_in(visit, day, begin, layout.driving - before, nxt, tour, layout)
                )
                break
    found.sort(key=lambda f: (f.extra_driving_min, f.case_id))
    return tuple(found[:limit])


def _first_lawful(
    frame: _Frame,
    base: Sequence[_Item],
    position: int,
    visit: Visit,
    node: int,
    tries: Sequence[int],
    depart: int,
    keep: tuple[int, int] | None,
    rest_from: int,
) -> tuple[int, _Layout] | None:
    for begin in tries:
        items = [*base[:position], _item(visit, node, begin), *base[position:]]
        layout = _lay_out(frame, items, depart=depart, keep=keep, rest_from=rest_from)
        if layout is not None:
            return begin, layout
    return None


def _fill_in(
    visit: Visit, day: date, begin: int, extra: int, nxt: Stop | None, tour: Tour, layout: _Layout
) -> FillIn:
    then = (
        f"danach rechtzeitig zum Termin um {nxt.start:%H:%M} in {_place(nxt.visit)}"
        if nxt is not None
        else f"danach zurück im {tour.end_office.name} um {hhmm(layout.end)}"
    )
    text = (
        f"{visit.client.id} in {_place(visit)}: Besuch {hhmm(begin)}–"
        f"{hhmm(begin + visit.duration_min)}, {extra:+d} min Fahrt, {then}"
    )
    start = datetime.combine(day, clock()) + timedelta(minutes=begin)
    return FillIn(visit.client.id, start, extra, text)


def tour_with_fill_in(
    tour: Tour,
    at_stop: int,
    now: datetime,
    fill_in: FillIn,
    visit: Visit,
    team: Team,
    travel: TravelTimeProvider,
) -> Tour:
    """The tour after the miss: the missed stop ends when the coach leaves, the fill-in
    follows it, every later stop keeps its start. ``ValueError`` when it no longer fits."""
    if visit.client.id != fill_in.case_id:
        raise ValueError("the visit is not the fill-in's case")
    visit = _prepared(visit)
    depart = _missed_depart(tour, at_stop, now)
    day = tour.day
    missed = tour.stops[at_stop]
    # What happened: the coach was at the door from the start until leaving.
    shortened = replace(missed.visit, duration_min=depart - _minute_of(missed.start, day))
    visits = [s.visit for s in tour.stops]
    visits[at_stop] = shortened
    labels = [s.window for s in tour.stops]
    starts = [_minute_of(s.start, day) for s in tour.stops]
    ends = [_minute_of(s.end, day) for s in tour.stops]
    ends[at_stop] = depart
    begin = _minute_of(fill_in.start, day)
    at = at_stop + 1
    visits.insert(at, visit)
    labels.insert(at, _window_label(visit, day, begin))
    starts.insert(at, begin)
    ends.insert(at, begin + visit.duration_min)
    return _rebuilt(
        tour.coach, day, tour.with_van, tour.start_office, tour.end_office, visits, labels,
        starts, ends, team, travel,
        depart=_minute_of(tour.start, day), keep=_single_rest(tour), rest_from=depart,
    )  # fmt: skip
