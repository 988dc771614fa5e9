"""Plan from a campaign store of 5,000 cases and 50,000 attempts; suggest and call-list latency.

What is measured, each in a fresh process (``multiprocessing`` spawn) so that CPU seconds
(``time.process_time``) and peak RSS (``ru_maxrss``) belong to that one operation:

- *import*: ``workflow.import_list`` of the generated client list into a new SQLite store;
- *plan*: ``workflow.plan_from_store`` of the week Mon 30.11.2026 + 5 days with the
  planner's default budget (``settings.DEFAULT_SOLUTION_LIMIT`` solutions, the time limit
  only as a safety net, engine ``auto``) and ``publish=True``, twice on two copies of the
  same store: *identical* compares the published pins. Every case appears once (the
  function raises otherwise) and ``tests.checks.plan_violations`` must find nothing;
- *suggest*: ``workflow.suggest_for`` for 20 cases on the call list against that
  published plan, CPU seconds per call, loading from the store included, and its parts;
  all in one process, so the 1st call is cold (as ``planner suggest``) and the others
  find the workflow's per-store snapshot cached (as the browser app);
- *calls*: ``workflow.calls_for`` for the Monday, cold and once more warm.

How the store is built: the rows of ``benchmarks.generate.generate_week(cases, seed)``
are written as the job centre's export (cp1252, ``;``) with two changes for a campaign:
a ``Telefon`` column (93 % with a number; without one the rules start with a letter) and
an empty ``Termin`` (appointments come from the calls). The list is imported on Mon
05.10.2026. Then eight weeks of campaign are played day by day, driven by the planner's
own rules (``campaign.rules.assess``): each working day the coaches work the due cases
(calls at any time 08:00–17:30, letters, announced visits 09:00–15:00, agreed
appointments on their day), about ``attempts / days`` a day, drawn with a seeded
``random.Random`` (a hidden chance per person to pick up, higher in the afternoon).
Outcomes: nicht erreicht, Mailbox, falsche Nummer, erreicht (sometimes a Wiedervorlage),
Rückruf, Termin vereinbart (2–9 days ahead, 09:00–14:30 inside the coach's hours, so a
share falls into the planning week), abgelehnt and verzogen (rare; they close the case);
letters ``versandt``; visits angetroffen (sometimes a Wiedervorlage) or nicht angetroffen.
Each week's attempts are recorded with ``workflow.record_attempts`` (closing outcomes
close cases). The plan is made on Fri 27.11.2026 10:00, after the last attempt.

Run from the repository root: ``.venv/bin/python benchmarks/campaign_store.py --help``.
Results go to stdout, the ``campaign_store`` section of ``docs/benchmarks.md`` and
``docs/benchmarks/campaign_store.csv``.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):
    # Run as a script: only benchmarks/ is on the path, but `tests` (the checker) is at the root.
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import csv
import hashlib
import multiprocessing
import random
import resource
import shutil
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime, timedelta
from datetime import time as clock
from typing import Any

from benchmarks._report import REPORT, ROOT, markdown_table, section_preamble, write_section
from benchmarks.generate import WEEK_DAYS, WEEK_START, generate_week
from planner import settings, workflow
from planner.calendar_de import holiday_name
from planner.campaign.codes import AttemptKind, CaseStatus, Outcome, Step, TimeBand
from planner.campaign.model import Attempt, Case, CaseState, PinnedVisit
from planner.campaign.rules import assess
from planner.intake import load_team
from planner.model import Team, VisitPlace
from planner.solve import FirstOf, SolutionLimit, TimeLimit
from planner.store import Store
from planner.traveltime import GreatCircleEstimate
from tests.checks import plan_violations

SECTION = "campaign_store"
CSV_PATH = ROOT / "docs" / "benchmarks" / "campaign_store.csv"
DEFAULT_CASES = 5_000
DEFAULT_ATTEMPTS = 50_000
DEFAULT_SEED = 1
SUGGEST_CASES = 20
USER = "benchmark"
HISTORY_START = WEEK_START - timedelta(weeks=8)  # Mon 05.10.2026: the list is imported
HISTORY_END = WEEK_START - timedelta(days=4)  # Thu 26.11.2026: the last attempts
PLAN_AT = datetime.combine(WEEK_START - timedelta(days=3), clock(10, 0))  # Fri 27.11. 10:00
PHONE_SHARE = 0.93
#: How much likelier people pick up or open per time band (the afternoon is the reference).
BAND_FACTOR = {TimeBand.MORNING: 0.7, TimeBand.AFTERNOON: 1.0, TimeBand.EVENING: 1.3}
#: Each person's hidden chance to pick up in the afternoon: uniform in this range.
PICK_UP = (0.35, 0.85)
#: A call nobody answers: (outcome, weight).
CALL_FAILED = ((Outcome.NOT_REACHED, 0.65), (Outcome.MAILBOX, 0.33), (Outcome.WRONG_NUMBER, 0.02))
#: A call someone answers: (outcome, weight).
CALL_REACHED = (
    (Outcome.APPOINTMENT, 0.12),
    (Outcome.REACHED, 0.57),
    (Outcome.CALLBACK, 0.28),
    (Outcome.DECLINED, 0.025),
    (Outcome.MOVED, 0.005),
)
#: Added to the chance to find someone at home: an agreed or an announced visit.
VISIT_BONUS = {True: 0.6, False: 0.4}
#: After a contact (erreicht, angetroffen): chance of a Wiedervorlage and its days ahead.
FOLLOW_UP = {Outcome.REACHED: (0.95, 2, 7), Outcome.MET: (0.95, 5, 10)}
#: Someone met declines; nobody opens and the neighbours say the person moved.
VISIT_DECLINED, VISIT_MOVED = 0.02, 0.02
#: After "nicht angetroffen" the coach passes by again after this many days.
REVISIT_DAYS = (2, 5)
#: Agreed appointments start on the half hour in this span (minutes after midnight) …
APPOINTMENT_SPAN = (9 * 60, 14 * 60 + 30)
#: … and end this long before the coach's day ends (time to drive back to the office) …
APPOINTMENT_MARGIN_MIN = 30
#: … this many days after the call (at the earliest; then the coach's next working day).
APPOINTMENT_LEAD_DAYS = (2, 9)

# --------------------------------------------------------------------------- the list



def bench_team() -> Team:
    """The service's own team (three coaches, one van): a store of 5,000 cases is worked
    by them over months, not by fifty coaches in one week."""
    return load_team(settings.DEMO_DIR / "team.toml")

def write_list(cases: int, seed: int, folder: Path) -> Path:
    """The generated list as the export writes it (cp1252, ``;``), with phone numbers and
    without the one-week list's ``Termin`` (see the module docstring)."""
    header, rows = generate_week(cases, seed)
    termin = header.index("Termin")
    rnd = random.Random(f"{seed}:telefon")  # own stream: the rows stay generate_week's
    path = folder / f"kunden_{cases}.csv"
    with path.open("w", encoding="cp1252", newline="") as fh:
        writer = csv.writer(fh, delimiter=";", lineterminator="\r\n")
        writer.writerow([*header, "Telefon"])
        for row in rows:
            phone = f"0{rnd.choice((6441, 2771, 6443, 2772))} {rnd.randint(10000, 999999)}"
            cells = [*row, phone if rnd.random() < PHONE_SHARE else ""]
            cells[termin] = ""
            writer.writerow(cells)
    return path


# --------------------------------------------------------------------------- the history


@dataclass
class _Person:
    """A case while the history is played: what the simulation needs to know of it."""

    case: Case
    coach: str  # the coach who works this case (Bezugscoach once contact is made)
    pick_up: float  # hidden chance to pick up in the afternoon
    history: list[Attempt]
    next_day: date | None  # when to look at it again; None: nothing before the week


def working_days(first: date, last: date) -> list[date]:
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    return [d for d in days if d.weekday() < 5 and holiday_name(d) is None]


def _at(day: date, minute: int) -> datetime:
    return datetime.combine(day, clock()) + timedelta(minutes=minute)


def _chance(person: _Person, minute: int, bonus: float = 0.0) -> float:
    return min(0.95, bonus + person.pick_up * BAND_FACTOR[TimeBand.of(minute)])


def _appointment(rnd: random.Random, person: _Person, day: date, team: Team) -> datetime:
    """A start some days ahead on a day the coach works, inside their hours."""
    coach = next(c for c in team.coaches if c.key == person.coach)
    duration = person.case.client.duration_min or team.default_visit_min
    when = day + timedelta(days=rnd.randint(*APPOINTMENT_LEAD_DAYS))
    while True:
        hours = coach.hours_on(when.weekday())
        if hours is not None and holiday_name(when) is None:
            first = max(APPOINTMENT_SPAN[0], -(-hours[0] // 30) * 30)
            last = min(APPOINTMENT_SPAN[1], hours[1] - APPOINTMENT_MARGIN_MIN - duration)
            if first <= last:
                return _at(when, rnd.choice(range(first, last + 1, 30)))
        when += timedelta(days=1)


def _draw(rnd: random.Random, mix: Sequence[tuple[Outcome, float]]) -> Outcome:
    return rnd.choices([o for o, _ in mix], weights=[w for _, w in mix])[0]


def _follow_up(rnd: random.Random, outcome: Outcome, day: date) -> date | None:
    share, first, last = FOLLOW_UP[outcome]
    return day + timedelta(days=rnd.randint(first, last)) if rnd.random() < share else None


def _call(rnd: random.Random, person: _Person, day: date, team: Team) -> Attempt:
    minute = rnd.randrange(8 * 60, 17 * 60 + 30, 5)
    call = Attempt(
        person.case.id, _at(day, minute), person.coach, AttemptKind.CALL, Outcome.MAILBOX
    )
    if rnd.random() >= _chance(person, minute):
        return replace(call, outcome=_draw(rnd, CALL_FAILED))
    outcome = _draw(rnd, CALL_REACHED)
    if outcome is Outcome.APPOINTMENT:
        place = person.case.client.visit_place
        return replace(
            call,
            outcome=outcome,
            appointment=_appointment(rnd, person, day, team),
            # The one van is the planner's to give out: agreed appointments are not in it.
            place=VisitPlace.HOME if place is VisitPlace.VAN else place,
        )
    if outcome is Outcome.REACHED:
        return replace(call, outcome=outcome, follow_up=_follow_up(rnd, outcome, day))
    if outcome is Outcome.CALLBACK:
        return replace(call, outcome=outcome, follow_up=day + timedelta(days=rnd.randint(1, 4)))
    return replace(call, outcome=outcome)


def _visit(rnd: random.Random, person: _Person, at: datetime, coach: str, agreed: bool) -> Attempt:
    visit = Attempt(person.case.id, at, coach, AttemptKind.VISIT, Outcome.NOT_MET)
    if rnd.random() < _chance(person, at.hour * 60 + at.minute, VISIT_BONUS[agreed]):
        if rnd.random() < VISIT_DECLINED:
            return replace(visit, outcome=Outcome.DECLINED)
        return replace(
            visit, outcome=Outcome.MET, follow_up=_follow_up(rnd, Outcome.MET, at.date())
        )
    return replace(visit, outcome=Outcome.MOVED) if rnd.random() < VISIT_MOVED else visit


def _act(rnd: random.Random, person: _Person, step: Step, day: date, team: Team) -> Attempt:
    if step is Step.CALL:
        return _call(rnd, person, day, team)
    if step is Step.LETTER:
        at = datetime.combine(day, clock())
        return Attempt(
            person.case.id, at, person.coach, AttemptKind.LETTER, Outcome.SENT, time_known=False
        )
    return _visit(
        rnd, person, _at(day, rnd.randrange(9 * 60, 15 * 60 + 1, 15)), person.coach, False
    )


def simulate(
    cases: Sequence[Case], team: Team, total: int, seed: int
) -> list[tuple[datetime, list[Attempt]]]:
    """Eight weeks of campaign: ``total`` attempts in weekly batches (recorded Friday 18:00,
    the last on Thursday), driven by the rules. Pure: same input, same attempts."""
    rnd = random.Random(f"{seed}:history")
    keys = [c.key for c in team.coaches]
    people = [
        _Person(case, rnd.choice(keys), rnd.uniform(*PICK_UP), [], HISTORY_START) for case in cases
    ]
    days = working_days(HISTORY_START, HISTORY_END)
    batches: list[tuple[datetime, list[Attempt]]] = []
    batch: list[Attempt] = []
    left = total
    for i, day in enumerate(days):
        quota = round(left / (len(days) - i))
        agreed: list[tuple[_Person, datetime, str]] = []
        due: list[tuple[date, _Person, Step]] = []
        for person in people:
            if person.next_day is None or person.next_day > day:
                continue
            state = assess(person.case, person.history, day)
            if state.step is Step.APPOINTMENT and state.appointment is not None:
                when = state.appointment.date()
                if when == day:
                    agreed.append((person, state.appointment, state.appointment_coach))
                else:  # the week's appointments stay open: they are what is planned
                    person.next_day = when if when < WEEK_START else None
            elif state.step in (Step.CALL, Step.LETTER, Step.ANNOUNCED_VISIT):
                if state.due is not None and state.due > day:
                    person.next_day = state.due
                else:
                    due.append((state.due or day, person, state.step))
            elif state.step is Step.WAIT:
                person.next_day = state.due
            else:  # done, closed: nothing more in these eight weeks
                person.next_day = None
        rnd.shuffle(due)
        due.sort(key=lambda d: d[0])  # longest due first; ties in random order
        # Agreed appointments are kept whatever the day's quota; the rest fills it.
        work = [(p, _visit(rnd, p, at, coach or p.coach, True)) for p, at, coach in agreed]
        room = max(0, quota - len(work))
        work += [(p, _act(rnd, p, step, day, team)) for _, p, step in due[:room]]
        for person, attempt in work[:left]:
            person.history.append(attempt)
            person.next_day = day + timedelta(days=1)
            if attempt.outcome is Outcome.NOT_MET:  # pass by again on another day
                person.next_day = day + timedelta(days=rnd.randint(*REVISIT_DAYS))
            if attempt.outcome.closes:  # as record_attempts will store it
                person.case = replace(
                    person.case, status=CaseStatus.CLOSED, closed_on=day, closed_by=attempt.outcome
                )
                person.next_day = None
            batch.append(attempt)
        left -= min(len(work), left)
        if day.weekday() == 4 or day == days[-1]:
            batches.append((datetime.combine(day, clock(18, 0)), batch))
            batch = []
    return batches


# --------------------------------------------------------------------------- measuring


@dataclass(frozen=True)
class Cost:
    """CPU and wall seconds and peak RSS of one measured process."""

    cpu_s: float
    wall_s: float
    peak_rss_mb: float  # the whole process: imports and the store's data included


@dataclass(frozen=True)
class ImportRun:
    cost: Cost
    cases: int
    not_located: int


@dataclass(frozen=True)
class PlanRun:
    cost: Cost
    load_cpu_s: float  # case_states: reading cases and attempts, applying the rules
    solve_cpu_s: float  # plan_visits: travel times and the solver
    cases: int
    due: int  # visits the week asks for (appointments, announced visits)
    planned: int
    stop: str
    violations: int
    pins: int
    pins_digest: str


#: The parts of ``suggest_for`` timed separately (functions of :mod:`planner.workflow`).
SUGGEST_PARTS = ("case_states", "reachability", "published_tours", "suggest_slots")


@dataclass(frozen=True)
class SuggestRun:
    """``suggest_for`` for several cases in one process: the first call loads the store
    (cold, as ``planner suggest``), the others find the snapshot cached (warm, the app)."""

    cost: Cost  # the process: all calls
    with_slots: int  # calls that offered at least one slot
    cpu_s: tuple[float, ...]  # per call, loading from the store included
    parts: dict[str, tuple[float, ...]]  # SUGGEST_PARTS name → CPU seconds per call

    @property
    def calls(self) -> int:
        return len(self.cpu_s)


@dataclass(frozen=True)
class CallsRun:
    cost: Cost  # the first (cold) call
    warm_cpu_s: float  # the same call again in the same process
    entries: int
    not_listed: int


def peak_rss_mb() -> float:
    # Linux reports kilobytes (macOS bytes; the benchmark machines run Linux).
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@contextmanager
def measured() -> Iterator[Callable[[], Cost]]:
    """Times the block; the callable gives its cost once it has ended."""
    cpu, wall = time.process_time(), time.perf_counter()
    done: list[Cost] = []
    yield lambda: done[0]
    done.append(
        Cost(
            round(time.process_time() - cpu, 3),
            round(time.perf_counter() - wall, 3),
            round(peak_rss_mb(), 1),
        )
    )


@contextmanager
def cpu_of(names: Sequence[str]) -> Iterator[dict[str, float]]:
    """CPU seconds spent in these functions of :mod:`planner.workflow`, which looks them up
    at call time; restored afterwards, so an in-process run (the smoke test) leaves no trace."""
    spent = dict.fromkeys(names, 0.0)
    originals = {name: getattr(workflow, name) for name in names}

    def timed(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def run(*args: Any, **kwargs: Any) -> Any:
            began = time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                spent[name] += time.process_time() - began

        return run

    try:
        for name, function in originals.items():
            setattr(workflow, name, timed(name, function))
        yield spent
    finally:
        for name, function in originals.items():
            setattr(workflow, name, function)


def fresh[**P, R](function: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """``function`` in a new interpreter: own peak memory, no warm caches, own hash seed."""
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as pool:
        return pool.submit(function, *args, **kwargs).result()


def import_cases(db: Path, clients: Path, cases: int) -> ImportRun:
    team = bench_team()
    with Store.open(str(db)) as store, measured() as cost:
        report = workflow.import_list(store, clients, team, today=HISTORY_START, user=USER)
    return ImportRun(cost(), report.summary.new + report.summary.updated, report.not_located)


def pins_digest(pins: Sequence[PinnedVisit]) -> str:
    key = sorted(
        (p.case_id, p.coach, p.start.isoformat(), p.duration_min, p.with_van) for p in pins
    )
    return hashlib.sha256(repr(key).encode()).hexdigest()[:16]


def budget(solutions: int | None, seconds: float | None) -> FirstOf:
    """The planner's default: a solution count, and a time limit only as a safety net."""
    return FirstOf(
        (
            SolutionLimit(settings.DEFAULT_SOLUTION_LIMIT if solutions is None else solutions),
            TimeLimit(settings.DEFAULT_TIME_LIMIT_S if seconds is None else seconds),
        )
    )


def plan(db: Path, cases: int, stopping: FirstOf) -> PlanRun:
    team = bench_team()
    with (
        Store.open(str(db)) as store,
        cpu_of(("case_states", "plan_visits")) as parts,
        measured() as cost,
    ):
        result = workflow.plan_from_store(
            store, team, WEEK_START, WEEK_DAYS, stopping,
            today=PLAN_AT.date(), publish=True, user=USER, now=PLAN_AT,
        )  # fmt: skip
    assert result.published is not None
    tours = result.plan.tours
    return PlanRun(
        cost=cost(),
        load_cpu_s=round(parts["case_states"], 3),
        solve_cpu_s=round(parts["plan_visits"], 3),
        cases=sum(len(t.stops) for t in tours) + len(result.plan.unplanned),
        due=len(result.week.visits),
        planned=result.plan.planned_count,
        stop=result.plan.stop_reason,
        violations=len(plan_violations(tours, team, GreatCircleEstimate())),
        pins=len(result.published.visits),
        pins_digest=pins_digest(result.published.visits),
    )


def suggest(db: Path, cases: int, case_ids: Sequence[str]) -> SuggestRun:
    team = bench_team()
    per_call: list[float] = []
    parts: dict[str, list[float]] = {name: [] for name in SUGGEST_PARTS}
    with_slots = 0
    with Store.open(str(db)) as store, measured() as cost:
        for case_id in case_ids:
            with cpu_of(SUGGEST_PARTS) as spent:
                began = time.process_time()
                _, slots = workflow.suggest_for(
                    store, team, case_id, WEEK_START, WEEK_DAYS, today=PLAN_AT.date()
                )
                per_call.append(round(time.process_time() - began, 4))
            for name, seconds in spent.items():
                parts[name].append(round(seconds, 4))
            with_slots += bool(slots)
    return SuggestRun(cost(), with_slots, tuple(per_call), {k: tuple(v) for k, v in parts.items()})


def calls(db: Path, cases: int) -> CallsRun:
    team = bench_team()
    with Store.open(str(db)) as store:
        with measured() as cost:
            result = workflow.calls_for(store, team, WEEK_START, today=WEEK_START)
        began = time.process_time()
        workflow.calls_for(store, team, WEEK_START, today=WEEK_START)
        warm = time.process_time() - began
    return CallsRun(cost(), round(warm, 4), len(result.entries), len(result.not_listed))


# --------------------------------------------------------------------------- the run


@dataclass(frozen=True)
class StoreFigures:
    """The prepared store on the planning day."""

    cases: int
    coaches: int
    attempts: int
    asked: int  # attempts asked for: fewer when the due work ran out on some days
    closed: int  # cases closed by the history's outcomes
    steps: dict[Step, int]  # cases per next step on the planning day
    due_appointments: int  # agreed appointments in the week
    due_announced: int  # announced visits due in the week
    suggest_ids: tuple[str, ...]  # the cases suggest is measured with


@dataclass(frozen=True)
class Result:
    store: StoreFigures
    imported: ImportRun
    plans: tuple[PlanRun, PlanRun]
    suggest: SuggestRun
    calls: CallsRun

    @property
    def identical(self) -> bool:
        return self.plans[0].pins_digest == self.plans[1].pins_digest

    @property
    def violations(self) -> int:
        return sum(p.violations for p in self.plans)


def suggest_cases(states: dict[str, CaseState], n: int = SUGGEST_CASES) -> tuple[str, ...]:
    """``n`` cases on the call list (the person on the phone), spread evenly by Kunden-Nr."""
    ids = sorted(i for i, s in states.items() if s.step is Step.CALL)
    return tuple(ids if len(ids) <= n else [ids[k * len(ids) // n] for k in range(n)])


def record_history(db: Path, team: Team, attempts: int, seed: int) -> StoreFigures:
    """Play the eight weeks and record them; the store's figures on the planning day."""
    with Store.open(str(db)) as store:
        batches = simulate(store.cases(), team, attempts, seed)
        closed = 0
        for recorded_at, batch in batches:
            _, done = workflow.record_attempts(store, batch, user=USER, now=recorded_at)
            closed += len(done)
        _, stored, states = workflow.case_states(store, PLAN_AT.date())
    end = WEEK_START + timedelta(days=WEEK_DAYS)
    steps = Counter(s.step for s in states.values())
    return StoreFigures(
        cases=len(states),
        coaches=len(team.coaches),
        attempts=len(stored),
        asked=attempts,
        closed=closed,
        steps={step: steps[step] for step in Step},
        due_appointments=sum(
            1
            for s in states.values()
            if s.step is Step.APPOINTMENT
            and s.appointment
            and WEEK_START <= s.appointment.date() < end
        ),
        due_announced=sum(
            1
            for s in states.values()
            if s.step is Step.ANNOUNCED_VISIT and (s.due is None or s.due < end)
        ),
        suggest_ids=suggest_cases(states),
    )


def here[**P, R](function: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """``function`` in this process (the smoke test: quick, but the figures mean little)."""
    return function(*args, **kwargs)


def run(args: argparse.Namespace, *, isolate: Callable[..., Any] = fresh) -> Result:
    """Build the store in a temporary folder and measure each operation with ``isolate``
    (:func:`fresh`: a new process each)."""
    team = bench_team()
    with tempfile.TemporaryDirectory(prefix="bm-campaign-") as tmp:
        folder = Path(tmp)
        db = folder / "kampagne.db"
        clients = write_list(args.cases, args.seed, folder)
        imported = isolate(import_cases, db, clients, args.cases)
        print(f"import: {imported}", flush=True)
        began = time.perf_counter()
        store = record_history(db, team, args.attempts, args.seed)
        steps = ", ".join(f"{s.label} {n:,}" for s, n in store.steps.items() if n)
        print(
            f"store: {store.cases:,} cases, {store.attempts:,} attempts, {store.closed:,} "
            f"closed ({time.perf_counter() - began:.0f} s to play and record); on "
            f"{PLAN_AT:%d.%m.%Y}: {steps}; due in the week: {store.due_appointments:,} "
            f"appointments + {store.due_announced:,} announced visits",
            flush=True,
        )
        plans: list[PlanRun] = []
        for i in (1, 2):
            # Each run publishes into its own copy: both start from the same store.
            copy = folder / f"plan{i}.db"
            shutil.copyfile(db, copy)
            plans.append(isolate(plan, copy, args.cases, budget(args.solutions, args.time_limit)))
            print(f"plan run {i}: {plans[-1]}", flush=True)
        published = folder / "plan1.db"
        suggested = isolate(suggest, published, args.cases, store.suggest_ids)
        print(f"suggest: {suggested}", flush=True)
        listed = isolate(calls, published, args.cases)
        print(f"calls: {listed}", flush=True)
    return Result(store, imported, (plans[0], plans[1]), suggested, listed)


# --------------------------------------------------------------------------- report


def _median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else 0.0


def _max(values: Sequence[float]) -> float:
    return max(values, default=0.0)


def _stop(run: PlanRun) -> str:
    if "keine Lösung" in run.stop:
        return "**no solution** within the time limit"
    if "reproduzierbar" in run.stop:
        return "solution limit"
    if "Zeitlimit" in run.stop:
        return "time limit (safety net)"
    if "Teilsuchen" in run.stop:
        return "time-limited partial searches (large week)"
    return run.stop


def _identical(result: Result) -> str:
    if not result.identical:
        return "**no**"
    return "**yes**" if result.plans[0].pins else "yes, but both plans are empty"


TABLE_HEADER = ["operation", "CPU s", "of which (CPU s)", "wall s", "peak RSS MB", "result"]


def table_rows(result: Result) -> list[list[str]]:
    imp, (one, two), sug, cal = result.imported, result.plans, result.suggest, result.calls

    def plan_row(label: str, run: PlanRun, text: str) -> list[str]:
        return [
            label,
            f"{run.cost.cpu_s:.1f}",
            f"load + rules {run.load_cpu_s:.1f}, solve {run.solve_cpu_s:.1f}",
            f"{run.cost.wall_s:.1f}",
            f"{run.cost.peak_rss_mb:.0f}",
            text,
        ]

    return [
        [
            "import_list",
            f"{imp.cost.cpu_s:.1f}",
            "–",
            f"{imp.cost.wall_s:.1f}",
            f"{imp.cost.peak_rss_mb:.0f}",
            f"{imp.cases:,} cases ({imp.not_located} without position)",
        ],
        plan_row(
            "plan_from_store, run 1",
            one,
            f"{one.cases:,} cases each once; {one.due:,} visits due, {one.planned:,} planned; "
            f"stop: {_stop(one)}; {one.violations} violations",
        ),
        plan_row(
            "plan_from_store, run 2",
            two,
            f"{two.planned:,} planned, {two.violations} violations; published pins as run 1: "
            + _identical(result),
        ),
        suggest_row(
            "suggest_for, 1st call (cold, as `planner suggest`)",
            sug.cpu_s[:1],
            {k: v[:1] for k, v in sug.parts.items()},
            f"{sug.cost.peak_rss_mb:.0f}",
            f"against {one.pins:,} published visits",
        ),
        suggest_row(
            f"suggest_for, next {max(0, sug.calls - 1)} calls (warm, as the app)",
            sug.cpu_s[1:],
            {k: v[1:] for k, v in sug.parts.items()},
            "",
            f"{sug.with_slots} of {sug.calls} calls with slots",
        ),
        [
            f"calls_for {WEEK_START:%d.%m.%Y} (cold / warm)",
            f"{cal.cost.cpu_s:.2f} / {cal.warm_cpu_s:.2f}",
            "–",
            f"{cal.cost.wall_s:.2f}",
            f"{cal.cost.peak_rss_mb:.0f}",
            f"{cal.entries:,} calls listed, {cal.not_listed:,} due not listed",
        ],
    ]


def suggest_row(
    label: str, cpu_s: Sequence[float], parts: dict[str, Sequence[float]], rss: str, text: str
) -> list[str]:
    """One row of suggest figures: one call as it is, several as median (max)."""

    def figure(values: Sequence[float], digits: int = 2) -> str:
        if len(values) == 1:
            return f"{values[0]:.{digits}f}"
        return f"{_median(values):.{digits}f} ({_max(values):.{digits}f})"

    of_which = ", ".join(f"{PART_LABELS[k]} {figure(v, 3)}" for k, v in parts.items())
    return [label, figure(cpu_s), of_which, "–", rss, text]


PART_LABELS = {
    "case_states": "load + rules",
    "reachability": "reachability",
    "published_tours": "replay",
    "suggest_slots": "suggest_slots",
}


def store_line(store: StoreFigures) -> str:
    steps = ", ".join(f"{s.label} {n:,}" for s, n in store.steps.items() if n)
    asked = (
        f" (of {store.asked:,} asked: on some days fewer cases were due than the day's share)"
        if store.attempts < store.asked
        else ""
    )
    return (
        f"{store.cases:,} cases, {store.coaches} coaches, {store.attempts:,} attempts{asked} "
        f"({store.closed:,} cases closed by them); next steps on {PLAN_AT:%d.%m.%Y}: {steps}; "
        f"due in the week: {store.due_appointments:,} agreed appointments + "
        f"{store.due_announced:,} announced visits"
    )


def busy_note(result: Result) -> str:
    """Say so when a time-limited plan got less CPU than wall time (a busy machine)."""
    short = [
        f"run {i}: {p.cost.cpu_s:.1f} CPU-s in {p.cost.wall_s:.1f} s"
        for i, p in enumerate(result.plans, 1)
        if "Zeitlimit" in p.stop and p.cost.cpu_s < 0.9 * p.cost.wall_s
    ]
    if not short:
        return ""
    return (
        f"The machine was busy ({'; '.join(short)}): the time limit counts wall seconds, so "
        "the solver had less CPU time than the limit says."
    )


def markdown(result: Result, args: argparse.Namespace) -> str:
    limits = budget(args.solutions, args.time_limit)
    note = busy_note(result)
    return "\n".join(
        [
            "## Plan from a campaign store; suggest and call-list latency "
            "(`benchmarks/campaign_store.py`)",
            "",
            section_preamble().rstrip(),
            f"- Store: SQLite in a temporary folder; list `benchmarks/generate.py`, seed "
            f"{args.seed}, imported {HISTORY_START:%d.%m.%Y} (with `Telefon`, without "
            f"`Termin`); eight weeks of calls, letters and visits up to "
            f"{HISTORY_END:%d.%m.%Y} played by the rules (module docstring); team "
            "the demo team (`planner/resources/demo/team.toml`: 3 coaches, the service's "
            "real size)",
            f"- Store on the planning day: {store_line(result.store)}",
            f"- Plan: week from Mon {WEEK_START:%d.%m.%Y}, {WEEK_DAYS} days, made "
            f"{PLAN_AT:%d.%m.%Y %H:%M} with `publish=True`; engine `auto`, "
            f"{limits.solution_budget():,} solutions or {limits.time_budget():g} s (safety net)",
            "",
            markdown_table(TABLE_HEADER, table_rows(result)),
            "",
            *([note, ""] if note else []),
            "Every operation ran in a fresh process (`multiprocessing` spawn) against the "
            "prepared SQLite file, as a command of its own would. *CPU s*: "
            "`time.process_time` of that process around the one call (opening the store and "
            "imports not counted), the figure that counts on a busy machine; *wall s* beside "
            "it. *peak RSS*: the process's `ru_maxrss`, imports and the store's data "
            "included. *import_list*: read, check and geocode the list, write the cases. "
            "*plan_from_store*: load cases and attempts, apply the rules (*load + rules*: "
            "`case_states`), build the week, travel times and solver (*solve*: "
            "`plan_visits`), check every case once, publish; run 2 is the same on a copy of "
            "the same store, and *published pins as run 1* compares the pins (case, coach, "
            "start, duration, van). *violations*: findings of the independent checker "
            "`tests/checks.py` (must be 0). *suggest_for*: the slots for a new appointment "
            "with a person on the call list against run 1's published plan, loading from the "
            "store included, for "
            f"{result.suggest.calls} cases in one process: the 1st call loads the store "
            "(cold, as the command line does every time), the next find the workflow's "
            "per-store snapshot cached (warm, as in the browser app); several calls: median "
            "(max). *of which*: *load + rules* (`case_states`), *reachability* (the door "
            "model), *replay* (`published_tours`: the published tours rebuilt from their pins) "
            "and *suggest_slots* (the slot search itself). *calls_for*: the Monday's call "
            "list (load, rules, reachability, lists per coach), first call and the same again "
            "in the same process.",
        ]
    )


def csv_record(result: Result, args: argparse.Namespace) -> dict[str, object]:
    store, sug = result.store, result.suggest
    record: dict[str, object] = {
        "cases": store.cases,
        "coaches": store.coaches,
        "attempts": store.attempts,
        "attempts_asked": store.asked,
        "seed": args.seed,
        "closed": store.closed,
    }
    record |= {f"step_{step.value}": n for step, n in store.steps.items()}
    record |= {
        "due_appointments": store.due_appointments,
        "due_announced": store.due_announced,
    }
    record |= {f"import_{k}": v for k, v in asdict(result.imported.cost).items()}
    record["import_not_located"] = result.imported.not_located
    for i, p in enumerate(result.plans, 1):
        record |= {f"plan{i}_{k}": v for k, v in asdict(p.cost).items()}
        record |= {f"plan{i}_{k}": v for k, v in asdict(p).items() if k != "cost"}
    record["identical"] = result.identical
    record |= {
        "suggest_calls": sug.calls,
        "suggest_with_slots": sug.with_slots,
        "suggest_cold_cpu_s": sug.cpu_s[0] if sug.cpu_s else None,
        "suggest_warm_cpu_median_s": round(_median(sug.cpu_s[1:]), 4),
        "suggest_warm_cpu_max_s": round(_max(sug.cpu_s[1:]), 4),
    }
    for name, values in sug.parts.items():
        record[f"suggest_cold_{name}_s"] = values[0] if values else None
        record[f"suggest_warm_{name}_median_s"] = round(_median(values[1:]), 4)
    record |= {
        "suggest_process_wall_s": sug.cost.wall_s,
        "suggest_peak_rss_mb": sug.cost.peak_rss_mb,
    }
    record |= {f"calls_{k}": v for k, v in asdict(result.calls.cost).items()}
    record |= {
        "calls_warm_cpu_s": result.calls.warm_cpu_s,
        "calls_entries": result.calls.entries,
        "calls_not_listed": result.calls.not_listed,
    }
    return record


def write_csv(result: Result, args: argparse.Namespace, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    record = csv_record(result, args)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(record))
        writer.writeheader()
        writer.writerow(record)
    return path


# --------------------------------------------------------------------------- CLI


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: must be positive")
    return value


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Build a campaign store (cases and attempts) and measure planning from "
        "it, suggesting slots and the call list, each in a fresh process."
    )
    parser.add_argument("--cases", type=_positive, default=DEFAULT_CASES, metavar="N")
    parser.add_argument("--attempts", type=_positive, default=DEFAULT_ATTEMPTS, metavar="M")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="list and history seed")
    parser.add_argument(
        "--solutions",
        type=_positive,
        default=None,
        metavar="N",
        help=f"solution limit of the plan (default {settings.DEFAULT_SOLUTION_LIMIT})",
    )
    parser.add_argument(
        "--time-limit",
        type=float,
        default=None,
        metavar="S",
        help=f"safety-net time limit of the plan (default {settings.DEFAULT_TIME_LIMIT_S:g})",
    )
    parser.add_argument(
        "--out", type=Path, default=REPORT, help="Markdown report (section 'campaign_store')"
    )
    parser.add_argument("--csv", type=Path, default=CSV_PATH, help="CSV with all figures")
    parser.add_argument("--no-write", action="store_true", help="print only, write no files")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    result = run(args)
    print()
    print(markdown_table(TABLE_HEADER, table_rows(result)))
    if note := busy_note(result):
        print(note)
    if not args.no_write:
        print(f"\nwrote {write_section(SECTION, markdown(result, args), args.out)}")
        print(f"wrote {write_csv(result, args, args.csv)}")
    print(f"\n{result.violations} violations")
    return 1 if result.violations else 0


if __name__ == "__main__":
    sys.exit(main())
