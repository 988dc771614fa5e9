"""The daily call list: who each coach phones today, in which order, and why.

Pure: cases, their states (from :func:`planner.campaign.rules.assess`), the phone
reachability model and the team go in, a :class:`CallList` comes out.

Rules, in this order:

- on the list are cases whose step is ``CALL`` and that are due (no date, or due today
  or earlier); due cases without a phone number get a letter instead;
- on a public holiday in Hessen, or when no coach works, nobody is called;
- the Bezugscoach (whoever last reached the person) calls, if they work that day —
  continuity beats balance; everyone else is spread over the working coaches, the most
  urgent first, each to the coach with the nearest office who still has room (no coach
  above ``ceil(n / coaches) + 1`` or ``per_coach_limit`` unless all are at that size),
  because whoever reaches a person usually visits them later;
- a coach's list holds at most ``per_coach_limit`` entries; the most urgent stay
  (priority, then longest waiting), the rest wait for tomorrow;
- the list follows the day: ordered by the best band to call (within the coach's
  working hours), then priority, then longest waiting, then Kunden-Nr.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from planner.calendar_de import holiday_name, is_absent
from planner.campaign.codes import Step, TimeBand
from planner.campaign.model import Case, CaseState
from planner.campaign.reachability import BANDS, ReachabilityModel
from planner.model import WEEKDAYS_LONG_DE, Coach, Team
from planner.reasons import DayOffReason
from planner.traveltime import great_circle_m

NO_PHONE = "keine Telefonnummer – Brief"
LIST_FULL = "Liste voll – morgen"
NEW_CASE = "neu in der Liste"
#: Minutes a coach must work within a band for the list to send calls there (half an
#: hour: a coach who leaves at 16:30 still makes the early-evening calls before leaving).
MIN_BAND_OVERLAP = 30


@dataclass(frozen=True)
class CallEntry:
    """One person to phone. ``name`` is always carried; renderers show it only when
    asked to (``show_names``)."""

    order: int  # 1-based within the coach's list
    coach: str  # coach key
    case_id: str
    name: str
    phone: str
    band: TimeBand  # best band to call today
    p: float  # estimated chance to reach in that band
    attempts: int  # attempts so far
    failed_calls: int
    last_attempt: datetime | None
    reason: str  # German: why the person is on the list


@dataclass(frozen=True)
class CallList:
    """The call lists of one day, all coaches in team order (each in call order)."""

    day: date
    entries: tuple[CallEntry, ...]
    #: (case_id, German reason) for due cases that could not be listed, by Kunden-Nr.
    not_listed: tuple[tuple[str, str], ...]

    def for_coach(self, coach: str) -> tuple[CallEntry, ...]:
        return tuple(e for e in self.entries if e.coach == coach)


@dataclass(frozen=True)
class _Due:
    case: Case
    state: CaseState

    @property
    def urgency(self) -> tuple[int, datetime, str]:
        """Sort key: priority 1 first, then longest waiting (never tried first)."""
        return (self.case.client.priority, self.state.last_attempt or datetime.min, self.case.id)


def call_list(
    cases: Sequence[Case],
    states: Mapping[str, CaseState],
    model: ReachabilityModel,
    team: Team,
    day: date,
    *,
    coach: str | None = None,
    per_coach_limit: int = 25,
) -> CallList:
    """The call list for ``day``; with ``coach``, only that coach's part of it.

    Cases without a state are not considered. With ``coach`` the spread is still made
    over the whole team (so the part matches the full list); ``not_listed`` then holds
    the reasons that concern everyone plus that coach's overflow.
    """
    if coach is not None and coach not in {c.key for c in team.coaches}:
        raise ValueError(f"unknown coach key {coach!r}")
    if per_coach_limit < 0:
        raise ValueError("per_coach_limit must not be negative")

    due: list[_Due] = []
    not_listed: list[tuple[str, str]] = []
    for case in cases:
        state = states.get(case.id)
        if state is None or state.step is not Step.CALL:
            continue
        if state.due is not None and state.due > day:
            continue
        if not case.client.phone.strip():
            not_listed.append((case.id, NO_PHONE))
        else:
            due.append(_Due(case, state))

    closed = _closed_reason(day)
    working = _working(team, day)
    if closed is not None or not working:
        reason = closed or f"kein Coach im Dienst am {_day_de(day)} – keine Anrufe"
        not_listed.extend((d.case.id, reason) for d in due)
        return CallList(day, (), tuple(sorted(not_listed)))

    entries: list[CallEntry] = []
    for member, assigned in _assign(due, working, team, per_coach_limit).items():
        ranked = sorted(assigned, key=lambda d: d.urgency)
        kept, overflow = ranked[:per_coach_limit], ranked[per_coach_limit:]
        if coach is None or member.key == coach:
            not_listed.extend((d.case.id, LIST_FULL) for d in overflow)
            entries.extend(_coach_entries(member, kept, model, day))
    return CallList(day, tuple(entries), tuple(sorted(not_listed)))


# --------------------------------------------------------------------------- who works


def _closed_reason(day: date) -> str | None:
    holiday = holiday_name(day)
    if holiday is None:
        return None
    return f"{DayOffReason.HOLIDAY.text(holiday)} – keine Anrufe"


def _working(team: Team, day: date) -> list[Coach]:
    """Coaches at work that day, in team order."""
    weekday = day.weekday()
    return [c for c in team.coaches if c.hours_on(weekday) is not None and not is_absent(c, day)]


def _day_de(day: date) -> str:
    return f"{WEEKDAYS_LONG_DE[day.weekday()]}, {day.day:02d}.{day.month:02d}.{day.year}"


# --------------------------------------------------------------------------- assignment


def _assign(
    due: Sequence[_Due], working: Sequence[Coach], team: Team, limit: int
) -> dict[Coach, list[_Due]]:
    """Cases per working coach (team order): Bezugscoach first, the rest spread."""
    lists: dict[Coach, list[_Due]] = {c: [] for c in working}
    by_key = {c.key: c for c in working}
    rest: list[_Due] = []
    for item in due:
        own = by_key.get(item.state.coach)
        if own is not None:
            lists[own].append(item)
        else:
            rest.append(item)

    room = min(math.ceil(len(due) / len(working)) + 1, limit)
    for item in sorted(rest, key=lambda d: d.urgency):
        distance = {c: _office_km(item.case, c, team) for c in working}
        open_ = [c for c in working if len(lists[c]) < room]
        if open_:
            # Nearest office among those with room; on a tie (no position) the shorter
            # list, then team order (min keeps the first).
            choice = min(open_, key=lambda c: (distance[c], len(lists[c])))
        else:
            choice = min(working, key=lambda c: (len(lists[c]), distance[c]))
        lists[choice].append(item)
    return lists


def _office_km(case: Case, coach: Coach, team: Team) -> float:
    """Great-circle distance from the case to the coach's office (0 when unknown)."""
    if case.site is None:
        return 0.0  # no position: only the balance decides
    try:
        office = team.office(coach.office)
    except KeyError:
        return math.inf
    metres = great_circle_m([(case.site.lat, case.site.lon)], [(office.lat, office.lon)])
    return float(metres[0, 0]) / 1000


# --------------------------------------------------------------------------- entries


def _coach_entries(
    coach: Coach, kept: Sequence[_Due], model: ReachabilityModel, day: date
) -> list[CallEntry]:
    bands = _bands_at_work(coach, day.weekday())
    best = {d.case.id: model.best_band(d.case.id, day.weekday(), bands) for d in kept}
    ordered = sorted(kept, key=lambda d: (best[d.case.id].band.start, d.urgency))
    return [
        CallEntry(
            order=number,
            coach=coach.key,
            case_id=d.case.id,
            name=d.case.client.name,
            phone=d.case.client.phone.strip(),
            band=best[d.case.id].band,
            p=best[d.case.id].p,
            attempts=d.state.attempts,
            failed_calls=d.state.failed_calls,
            last_attempt=d.state.last_attempt,
            reason=_reason(d.state),
        )
        for number, d in enumerate(ordered, start=1)
    ]


def _bands_at_work(coach: Coach, weekday: int) -> tuple[TimeBand, ...]:
    """Bands in which the coach works at least half an hour (all bands if none, e.g.
    odd hours): an evening band is no use to someone who leaves at noon."""
    hours = coach.hours_on(weekday)
    if hours is None:
        return BANDS
    start, end = hours
    usable = tuple(b for b in BANDS if min(end, b.end) - max(start, b.start) >= MIN_BAND_OVERLAP)
    return usable or BANDS


def _reason(state: CaseState) -> str:
    """The rules' own words; a plain account from the counts when they gave none."""
    if state.reason.strip():
        return state.reason.strip()
    if state.attempts == 0:
        return NEW_CASE
    if state.failed_calls:
        calls = "Anruf" if state.failed_calls == 1 else "Anrufe"
        return f"{state.failed_calls} {calls} ohne Erfolg – neue Tageszeit"
    if state.due is not None:
        return f"Wiedervorlage {state.due.day:02d}.{state.due.month:02d}."
    return "anrufen"
