"""The demo campaign: two weeks of invented history on the demo list, then the coming week.

``planner demo-kampagne`` (and ``make demo``) shows the loop on fictional people: the
demo client list is imported on Monday 16.11.2026; every working day the coaches phone
whoever the call list names, send the letters the rules ask for and make the visits of
the published plan; every Monday the week is planned and published. Outcomes are drawn
from a seeded random generator with a hidden, per-person chance to pick up that depends
on the time of day, so the reachability estimate has something to find. Then the call
list of Monday 30.11.2026 and the plan of that week come from the same functions a real
team uses (:mod:`planner.workflow`). Same seed, same history, same plan.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from planner import settings
from planner.calendar_de import holiday_name
from planner.campaign.codes import AttemptKind, Outcome, Step, TimeBand
from planner.campaign.model import Attempt
from planner.campaign.rules import assess_all
from planner.model import Team, VisitPlace
from planner.solve import FirstOf, SolutionLimit, StoppingCriterion, TimeLimit
from planner.store import Store
from planner.traveltime import TravelTimeProvider
from planner.workflow import calls_for, import_list, plan_from_store, record_attempts

HISTORY_START = date(2026, 11, 16)
DEMO_WEEK = date(2026, 11, 30)
USER = "demo"
SEED = 1
#: How much likelier people pick up in each band (the afternoon is the reference).
_BAND_FACTOR = {TimeBand.MORNING: 0.6, TimeBand.AFTERNOON: 1.0, TimeBand.EVENING: 1.4}
#: Calls a coach makes per day besides visits and office work (the rest waits).
CALLS_PER_COACH_DAY = 6
_APPOINTMENT_TIMES = (time(9, 0), time(10, 30), time(13, 0), time(14, 30))


@dataclass(frozen=True)
class SeedReport:
    attempts: int
    published_weeks: int
    closed: int


def _working_days(first: date, last: date) -> list[date]:
    days = []
    day = first
    while day <= last:
        if day.weekday() < 5 and holiday_name(day) is None:
            days.append(day)
        day += timedelta(days=1)
    return days


def _person(case_id: str, seed: int) -> random.Random:
    return random.Random(f"{seed}:{case_id}")


def _pick_up(case_id: str, band: TimeBand, seed: int) -> float:
    """The hidden chance this person answers or opens in ``band`` (0.1 … 0.95)."""
    base = 0.1 + 0.4 * _person(case_id, seed).random()
    return min(0.95, base * _BAND_FACTOR[band])


def _call_outcome(
    rng: random.Random, case_id: str, coach: str, at: datetime, place: VisitPlace, seed: int
) -> Attempt:
    if rng.random() >= _pick_up(case_id, TimeBand.of(at.hour * 60 + at.minute), seed):
        roll = rng.random()
        outcome = (
            Outcome.NOT_REACHED
            if roll < 0.6
            else Outcome.MAILBOX
            if roll < 0.93
            else Outcome.WRONG_NUMBER
        )
        return Attempt(case_id, at, coach, AttemptKind.CALL, outcome)
    roll = rng.random()
    if roll < 0.5:
        day = at.date() + timedelta(days=rng.randint(1, 6))
        while day.weekday() >= 5:
            day += timedelta(days=1)
        start = datetime.combine(day, rng.choice(_APPOINTMENT_TIMES))
        return Attempt(
            case_id,
            at,
            coach,
            AttemptKind.CALL,
            Outcome.APPOINTMENT,
            appointment=start,
            place=place,
        )
    if roll < 0.65:
        return Attempt(
            case_id,
            at,
            coach,
            AttemptKind.CALL,
            Outcome.CALLBACK,
            follow_up=at.date() + timedelta(days=2),
        )
    if roll < 0.8:
        follow = at.date() + timedelta(days=21) if rng.random() < 0.5 else None
        outcome = _result(case_id, at, seed, Outcome.REACHED)
        if outcome is Outcome.HANDED_BACK:
            follow = None  # the regular contact person takes over
        return Attempt(case_id, at, coach, AttemptKind.CALL, outcome, follow_up=follow)
    outcome = Outcome.DECLINED if roll < 0.94 else Outcome.MOVED
    return Attempt(case_id, at, coach, AttemptKind.CALL, outcome)


def _visit_outcome(
    rng: random.Random, case_id: str, coach: str, at: datetime, seed: int
) -> Attempt:
    band = TimeBand.of(at.hour * 60 + at.minute)
    # An agreed or announced visit finds people at home far more often than a call.
    if rng.random() < min(0.95, 0.45 + _pick_up(case_id, band, seed)):
        follow = at.date() + timedelta(days=14) if rng.random() < 0.5 else None
        outcome = _result(case_id, at, seed, Outcome.MET)
        if outcome is Outcome.HANDED_BACK:
            follow = None
        return Attempt(case_id, at, coach, AttemptKind.VISIT, outcome, follow_up=follow)
    return Attempt(case_id, at, coach, AttemptKind.VISIT, Outcome.NOT_MET)


def _result(case_id: str, at: datetime, seed: int, plain: Outcome) -> Outcome:
    """What a conversation led to (``plain``: nothing further). Drawn from its own
    generator so that the shared one keeps its sequence of draws."""
    roll = random.Random(f"{seed}:{case_id}:{at:%Y%m%d%H%M}:ergebnis").random()
    if roll < 0.12:
        return Outcome.COACHING
    if roll < 0.22:
        return Outcome.REFERRED
    if roll < 0.32:
        return Outcome.HANDED_BACK
    return plain


def seed_history(
    store: Store,
    team: Team,
    client_list: Path,
    *,
    seed: int = SEED,
    budget: StoppingCriterion | None = None,
    travel: TravelTimeProvider | None = None,
) -> SeedReport:
    """Import the demo list on 16.11.2026 and play two weeks of calls, letters and visits
    (the weekly plans timed by ``travel``, else the built-in estimate)."""
    budget = budget or FirstOf((SolutionLimit(settings.DEFAULT_SOLUTION_LIMIT), TimeLimit(60)))
    import_list(store, client_list, team, today=HISTORY_START, user=USER)
    rng = random.Random(seed)
    coaches = [c.key for c in team.coaches]
    total = closed = weeks = 0
    pinned: dict[date, list[tuple[str, str, datetime]]] = {}
    for day in _working_days(HISTORY_START, DEMO_WEEK - timedelta(days=1)):
        if day.weekday() == 0:
            result = plan_from_store(
                store, team, day, 5, budget, today=day, publish=True, user=USER,
                now=datetime.combine(day, time(7, 30)), travel=travel,
            )  # fmt: skip
            weeks += 1
            pinned = {}
            for t in result.plan.tours:
                for s in t.stops:
                    pinned.setdefault(t.day, []).append((s.visit.client.id, t.coach.key, s.start))
        new: list[Attempt] = []
        # Visits of the published plan that day, and agreed appointments made since.
        visited: set[str] = set()
        for case_id, coach, start in sorted(pinned.get(day, [])):
            new.append(_visit_outcome(rng, case_id, coach, start, seed))
            visited.add(case_id)
        cases = {c.id: c for c in store.cases()}
        states = assess_all(list(cases.values()), store.attempts(), day)
        for case_id, state in sorted(states.items()):
            if (
                state.step is Step.APPOINTMENT
                and state.appointment is not None
                and state.appointment.date() == day
                and case_id not in visited
            ):
                coach = state.appointment_coach or coaches[0]
                new.append(_visit_outcome(rng, case_id, coach, state.appointment, seed))
            elif state.step is Step.LETTER and (state.due is None or state.due <= day):
                coach = state.coach or coaches[sum(map(ord, case_id)) % len(coaches)]
                at = datetime.combine(day, time(8, 0))
                new.append(Attempt(case_id, at, coach, AttemptKind.LETTER, Outcome.SENT))
        calls = calls_for(store, team, day, today=day)
        for entry in (e for e in calls.entries if e.order <= CALLS_PER_COACH_DAY):
            at = datetime.combine(day, time()) + timedelta(
                minutes=entry.band.start
                + 12 * (entry.order - 1) % (entry.band.end - entry.band.start)
            )
            place = cases[entry.case_id].client.visit_place
            new.append(_call_outcome(rng, entry.case_id, entry.coach, at, place, seed))
        added, done = record_attempts(store, new, user=USER, now=datetime.combine(day, time(18, 0)))
        total += added
        closed += len(done)
    return SeedReport(total, weeks, closed)
