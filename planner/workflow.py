"""The campaign's use cases, one function each, for every front end.

``planner import``, ``record``, ``calls``, ``suggest`` and ``plan`` (from the store) on the
command line, and the browser app later, call these functions and nothing deeper: they
load from the store, apply the pure rules of :mod:`planner.campaign` and the planning
pipeline, and save what must be remembered. No rule lives here, only the wiring.
"""

from __future__ import annotations

import gc
import threading
import weakref
from collections.abc import Callable, Collection, Hashable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import cast

from planner.calendar_de import coach_day_off
from planner.campaign.calls import CallList, call_list
from planner.campaign.codes import AttemptKind, CaseStatus, Outcome, Step, TimeBand
from planner.campaign.coverage import Coverage, Interval, Period, coverage, default_start
from planner.campaign.model import (
    Attempt,
    CampaignRules,
    Case,
    CaseState,
    PinnedVisit,
    Publication,
)
from planner.campaign.reachability import Channel, ReachabilityModel, estimate
from planner.campaign.reachability import extend as extend_model
from planner.campaign.rules import DEFAULT_RULES, assess, assess_all, status_after
from planner.campaign.stats import CampaignStats, campaign_stats
from planner.campaign.suggest import (
    FillIn,
    Slot,
    explain_no_slot,
    fits_after_miss,
    suggest_slots,
)
from planner.campaign.week import (
    Change,
    Week,
    changes,
    is_cancellation,
    pin_changes,
    pins_of,
    settle,
    week_for,
)
from planner.intake import read_clients
from planner.intake.outcomes import OutcomesResult, read_outcomes
from planner.model import (
    Coach,
    IntakeResult,
    Plan,
    Severity,
    Team,
    Tour,
    Visit,
    VisitPlace,
)
from planner.pipeline import (
    Progress,
    _quiet,
    geocode_and_regions,
    plan_visits,
    region_map,
    rows_report,
)
from planner.solve import Engine, SolveResult, StoppingCriterion
from planner.solve.replay import replay
from planner.store import ImportPreview, ImportSummary, Store, UnknownCase
from planner.tabular import write_csv
from planner.traveltime import GreatCircleEstimate, TravelTimeProvider


class ConservationError(AssertionError):
    """Internal bug guard: a case went missing between the store and the plan."""


# --------------------------------------------------------------------------- import


@dataclass(frozen=True)
class ImportReport:
    summary: ImportSummary
    intake: IntakeResult
    not_located: int  # cases stored without a position (address to be checked)

    @property
    def faulty(self) -> int:
        return len(self.intake.rejected)

    def line(self) -> str:
        s = self.summary
        text = (
            f"{s.new} neu, {s.updated} aktualisiert, {s.unchanged} unverändert, "
            f"{self.faulty} fehlerhaft"
        )
        if s.missing:
            text += f"; {len(s.missing)} nicht mehr in der Liste (bleiben gespeichert, markiert)"
        return text


def import_list(
    store: Store, path: Path, team: Team | None, *, today: date, user: str
) -> ImportReport:
    """Read a client list (today's intake and geocoding) into the store's cases."""
    intake = read_clients(path, today=today)
    regions = region_map(team) if team is not None else region_map(Team((), ()))
    located = geocode_and_regions(intake, regions, team.meeting_places if team else None)
    cases = tuple(Case(g.client, g.site, first_seen=today) for g in located)
    summary = store.import_cases(cases, today=today, user=user, source=path.name)
    intake = replace(
        intake, messages=intake.messages + tuple(m for g in located for m in g.messages)
    )
    return ImportReport(summary, intake, sum(1 for c in cases if c.site is None))


# --------------------------------------------------------------------------- record


@dataclass(frozen=True)
class RecordReport:
    result: OutcomesResult
    added: int
    closed: tuple[str, ...]  # Kunden-Nr closed by these outcomes (abgelehnt, verzogen, …)

    def line(self) -> str:
        text = f"{self.added} Ergebnisse gespeichert, {len(self.result.rejected)} fehlerhaft"
        repeated = len(self.result.attempts) - self.added
        if repeated:
            text += f", {repeated} waren schon gespeichert"
        if self.result.untouched:
            text += f", {len(self.result.untouched)} nicht ausgefüllt (nicht angerufen)"
        if self.closed:
            text += f"; {len(self.closed)} Fälle abgeschlossen (abgelehnt/verzogen/übergeben)"
        return text


def record_outcomes(
    store: Store, path: Path, team: Team, *, user: str, today: date, now: datetime
) -> RecordReport:
    """Append the outcomes file's good rows to the cases' histories; close where due."""
    known = {c.id for c in store.cases()}
    result = read_outcomes(path, team, known_cases=known, recorded_by=user, today=today)
    added, closed = record_attempts(store, result.attempts, user=user, now=now)
    return RecordReport(result, added, closed)


def record_attempts(
    store: Store, attempts: Sequence[Attempt], *, user: str, now: datetime
) -> tuple[int, tuple[str, ...]]:
    """Append attempts (who and when recorded) and close the cases they close."""
    # The same file recorded twice (or a call list read back again) adds nothing twice.
    known = {_identity(a) for a in _stored_attempts(store, {a.case_id for a in attempts})}
    attempts = tuple(
        replace(a, recorded_by=user, recorded_at=now) for a in attempts if _identity(a) not in known
    )
    added = store.add_attempts(attempts, user=user) if attempts else 0
    closed: list[str] = []
    by_case: dict[str, list[Attempt]] = {}
    for a in attempts:
        by_case.setdefault(a.case_id, []).append(a)
    for case_id, new in sorted(by_case.items()):
        case = store.case(case_id)
        if case is None:
            continue
        status, outcome, on = status_after(case, new)
        if status is CaseStatus.CLOSED and case.status is not CaseStatus.CLOSED:
            store.set_status(case_id, status, on=on or now.date(), by_outcome=outcome, user=user)
            closed.append(case_id)
    return added, tuple(closed)


def _stored_attempts(store: Store, case_ids: Collection[str]) -> Iterator[Attempt]:
    """The stored attempts of these cases: case by case for a few (the app records one
    at a time; loading all 50,000 took seconds), all at once for a file."""
    if len(case_ids) > _FEW_CASES:
        yield from store.attempts()
        return
    for case_id in sorted(case_ids):
        yield from store.attempts(case_id)


_FEW_CASES = 50


def _identity(a: Attempt) -> tuple[object, ...]:
    return (a.case_id, a.at, a.time_known, a.coach, a.kind, a.outcome, a.appointment)


# --------------------------------------------------------------------------- state


def case_states(
    store: Store, today: date, rules: CampaignRules = DEFAULT_RULES
) -> tuple[tuple[Case, ...], tuple[Attempt, ...], dict[str, CaseState]]:
    """Every case, every attempt, and each case's state on ``today``.

    Served from a per-store snapshot that is extended when attempts were added, kept when
    a plan was published and refreshed case by case when cases changed
    (``Store.revision``, ``Store.cases_changed_after``): with 5,000 cases and 50,000
    attempts a full load costs about 2 CPU-s, a page must answer in 0.2 s.
    """
    if rules != DEFAULT_RULES:
        cases, attempts = store.cases(), store.attempts()
        return cases, attempts, assess_all(cases, attempts, today, rules)
    return _snapshot(store).on(today)


class _Snapshot:
    """Cases and attempts of one store as of a revision, with states per day (cached)."""

    def __init__(self, store: Store) -> None:
        self.lock = threading.Lock()
        self.revision = store.revision()
        self.cases = store.cases()
        self.by_case: dict[str, list[Attempt]] = {}
        self.attempts: tuple[Attempt, ...] = store.attempts()
        for a in self.attempts:
            self.by_case.setdefault(a.case_id, []).append(a)
        self.states: dict[date, dict[str, CaseState]] = {}
        #: Other figures derived from this revision (reachability, replayed tours).
        self.memo: dict[Hashable, object] = {}
        #: The cases with a team's regions (:func:`with_regions`): kept until cases change.
        self.regional: dict[Team, tuple[Case, ...]] = {}

    def extend(self, store: Store, revision: tuple[int, int, int]) -> None:
        """Attempts or publications added since: append the attempts and re-assess only
        their cases; the figures derived from the old revision are dropped. Cases stay
        as they are (:meth:`refresh_cases`)."""
        new = store.attempts_after(self.revision[1]) if revision[1] != self.revision[1] else ()
        touched = {a.case_id for _, a in new}
        for _, a in new:
            self.by_case.setdefault(a.case_id, []).append(a)
        for case_id in touched:
            # In the order they happened, as a load has them: an attempt entered late may
            # have happened earlier (stable: equal times keep their recording order).
            self.by_case[case_id].sort(key=lambda a: a.at)
        if new:
            self.attempts = tuple(
                sorted((*self.attempts, *(a for _, a in new)), key=lambda a: a.at)
            )  # stable: equal times keep their recording order
        cases = {c.id: c for c in self.cases if c.id in touched}
        for day, states in self.states.items():
            for case_id in touched:
                if case_id in cases:
                    states[case_id] = assess(cases[case_id], self.by_case[case_id], day)
        # Reachability only counts attempts: add the new ones instead of counting all
        # again (a fifth of a second with 50,000 attempts, after every recorded call).
        self._drop_derived([a for _, a in new])
        # Attempts entered after ``revision`` was read came along: count them as read.
        top = max([revision[1], *(i for i, _ in new)])
        self.revision = (self.revision[0], top, revision[2])

    def refresh_cases(self, store: Store, revision: int) -> bool:
        """Cases changed since: re-read them and their attempts, re-assess them. False
        (nothing changed here) when that is no cheaper than a reload or the attempts
        disagree with the snapshot's; the caller then loads a new snapshot."""
        changed = store.cases_changed_after(self.revision[0], at_most=_REFRESH_MAX_CASES)
        if changed is None:
            return False
        ids = [case.id for _, case in changed]
        fresh = store.attempts_of(ids)
        # Attempts are only appended (by id, :meth:`extend`) or blanked by a purge; one
        # more or fewer than here means the snapshot missed something: reload.
        if any(len(fresh.get(i, ())) != len(self.by_case.get(i, ())) for i in ids):
            return False
        # The same objects in ``attempts`` and ``by_case``: replace only what differs.
        replaced: dict[int, Attempt] = {}
        for i in ids:
            if i not in fresh:
                continue
            kept: list[Attempt] = []
            for old, new in zip(self.by_case[i], fresh[i], strict=True):
                if old == new:
                    kept.append(old)
                else:
                    replaced[id(old)] = new
                    kept.append(new)
            self.by_case[i] = kept
        if replaced:
            self.attempts = tuple(replaced.get(id(a), a) for a in self.attempts)
        by_id = {case.id: case for case in self.cases}
        added = any(case.id not in by_id for _, case in changed)
        by_id.update((case.id, case) for _, case in changed)
        self.cases = tuple(sorted(by_id.values(), key=lambda case: case.id))
        for day, states in self.states.items():
            for _, case in changed:
                states[case.id] = assess(case, self.by_case.get(case.id, []), day)
            if added:  # in the cases' order, as a new snapshot has them
                self.states[day] = {case.id: states[case.id] for case in self.cases}
        self.regional.clear()
        # Reachability counts outcomes and times, which a case change leaves alone.
        self._drop_derived(())
        top = max([revision, *(r for r, _ in changed)])
        self.revision = (top, self.revision[1], self.revision[2])
        return True

    def _drop_derived(self, new: Sequence[Attempt]) -> None:
        """Forget the figures derived from the old revision, but keep the reachability
        models, extended by the ``new`` attempts."""
        models = {k: v for k, v in self.memo.items() if isinstance(v, ReachabilityModel)}
        self.memo.clear()
        self.memo.update({k: extend_model(v, new) for k, v in models.items()})

    def on(self, today: date) -> tuple[tuple[Case, ...], tuple[Attempt, ...], dict[str, CaseState]]:
        states = self.states.get(today)
        if states is None:
            states = assess_all(self.cases, self.attempts, today)
            if len(self.states) >= _SNAPSHOT_DAYS:
                self.states.pop(next(iter(self.states)))
            self.states[today] = states
        return self.cases, self.attempts, dict(states)


_SNAPSHOT_DAYS = 4  # days whose states stay cached (today, tomorrow, a planned week …)
#: More changed cases than this (a list import names every case) load a new snapshot.
_REFRESH_MAX_CASES = 500
_SNAPSHOTS: weakref.WeakKeyDictionary[Store, _Snapshot] = weakref.WeakKeyDictionary()
_SNAPSHOTS_LOCK = threading.Lock()
#: Whether new snapshots are moved out of the cyclic garbage collector's reach (the app).
_FREEZE_SNAPSHOTS = False


def freeze_snapshots() -> None:
    """Keep every snapshot loaded from now on out of the cyclic garbage collector's work
    (``gc.freeze``); for a long-running process, the browser app.

    A snapshot of 5,000 cases and 50,000 attempts is a quarter of a million objects that
    live for hours; Python's full collection walked them all every dozen requests or so
    (0.1–0.25 s each, the slowest page times). Frozen objects are still freed when no
    longer referenced (a replaced snapshot holds no reference cycles)."""
    global _FREEZE_SNAPSHOTS
    _FREEZE_SNAPSHOTS = True


def _load_snapshot(store: Store) -> _Snapshot:
    """A new snapshot, loaded with the cyclic garbage collector paused: the collections
    that loading a quarter of a million long-lived objects triggers find no garbage and
    cost about 40 % of the load."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _Snapshot(store)
    finally:
        if enabled:
            gc.enable()


def _settle_snapshot() -> None:
    """After a new snapshot replaced the old one: collect once, then freeze what lives."""
    if _FREEZE_SNAPSHOTS:
        gc.unfreeze()  # the old snapshot's survivors, if any, are looked at once more
        gc.collect()
        gc.freeze()


def _memo[T](store: Store, key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()`` once per store revision (e.g. a reachability model, replayed tours)."""
    snap = _snapshot(store)
    with snap.lock:
        if key in snap.memo:
            return cast(T, snap.memo[key])
        revision = snap.revision
    value = compute()
    with snap.lock:
        # Extended meanwhile: the value belongs to the old revision (a reachability model
        # kept would miss the new attempts for good).
        if snap.revision == revision:
            snap.memo[key] = value
    return value


def reachability(store: Store, channel: Channel) -> ReachabilityModel:
    """The reachability model over all attempts (cached per store revision)."""
    return _memo(store, ("reach", channel), lambda: estimate(store_attempts(store), channel))


def store_attempts(store: Store) -> tuple[Attempt, ...]:
    return _snapshot(store).attempts


def _regional(snap: _Snapshot, team: Team) -> tuple[Case, ...]:
    """The snapshot's cases with the regions of ``team`` (tens of ms for 5,000: once)."""
    cases = snap.regional.get(team)
    if cases is None:
        cases = snap.regional[team] = with_regions(snap.cases, team)
    return cases


def _snapshot(store: Store) -> _Snapshot:
    revision = store.revision()
    with _SNAPSHOTS_LOCK:
        snap = _SNAPSHOTS.get(store)
        # Any count lower than the snapshot's: another database behind the same store.
        if snap is None or any(old > new for old, new in zip(snap.revision, revision, strict=True)):
            snap = _replace_snapshot(store)
    with snap.lock:
        if snap.revision[1:] != revision[1:]:
            snap.extend(store, revision)
        current = snap.revision[0] >= revision[0] or snap.refresh_cases(store, revision[0])
    if not current:
        with _SNAPSHOTS_LOCK:
            stale = _SNAPSHOTS.get(store) is snap  # else another thread loaded a new one
            snap = _replace_snapshot(store) if stale else _SNAPSHOTS[store]
    return snap


def _replace_snapshot(store: Store) -> _Snapshot:
    """Load the store's snapshot anew (hold ``_SNAPSHOTS_LOCK``)."""
    snap = _SNAPSHOTS[store] = _load_snapshot(store)
    _settle_snapshot()
    return snap


def calls_for(
    store: Store, team: Team, day: date, *, coach: str | None = None, today: date | None = None
) -> CallList:
    """Who each coach should phone on ``day``, best time band first."""
    cases, attempts, states = case_states(store, today or day)
    model = reachability(store, Channel.PHONE)
    return call_list(cases, states, model, team, day, coach=coach)


# --------------------------------------------------------------------------- plan


@dataclass(frozen=True)
class StorePlan:
    plan: Plan
    result: SolveResult
    week: Week
    changes: tuple[Change, ...]  # against the publication the re-plan started from
    published: Publication | None  # the new publication (``publish=True``)
    previous: Publication | None


def plan_from_store(
    store: Store,
    team: Team,
    start: date,
    days: int,
    stopping: StoppingCriterion,
    *,
    today: date,
    publish: bool = False,
    user: str = "",
    now: datetime | None = None,
    travel: TravelTimeProvider | None = None,
    engine: Engine = "auto",
    progress: Progress = _quiet,
) -> StorePlan:
    """Plan the open cases: pins kept, appointments and due visits placed, the rest with
    the reason they are not due; every case of the store appears exactly once."""
    travel = travel or GreatCircleEstimate()
    cases, attempts, states = case_states(store, today)
    cases = with_regions(cases, team)
    previous = store.publication(start, days)
    week = week_for(cases, states, attempts, team, start, days, publication=previous)
    plan, result = plan_visits(
        week.visits, week.not_due, (), team, start, days, stopping,
        travel=travel, progress=progress, engine=engine,
    )  # fmt: skip
    plan = settle(plan, week)
    check_cases(cases, plan)
    diff = changes(previous, plan) if previous is not None else ()
    published = None
    if publish:
        published = store.publish(
            start, days, pins_of(plan), user=user, at=now or datetime.now().replace(microsecond=0)
        )
    return StorePlan(plan, result, week, diff, published, previous)


def with_regions(cases: Sequence[Case], team: Team) -> tuple[Case, ...]:
    """Cases with the regions of this team file (the import may have used another)."""
    regions = region_map(team)
    return tuple(
        replace(c, site=replace(c.site, region=regions.region_of(c.site.municipality)))
        if c.site is not None
        else c
        for c in cases
    )


def check_cases(cases: Sequence[Case], plan: Plan) -> None:
    """Every case of the store appears exactly once: planned or with a reason."""
    expected = sorted(c.id for c in cases)
    seen = sorted(
        [s.visit.client.id for t in plan.tours for s in t.stops]
        + [u.client_id for u in plan.unplanned]
    )
    if expected != seen:
        missing = sorted(set(expected) - set(seen))
        extra = sorted(set(seen) - set(expected))
        raise ConservationError(f"Cases lost or duplicated: missing={missing} extra={extra}")


# --------------------------------------------------------------------------- suggest


def suggest_for(
    store: Store,
    team: Team,
    case_id: str,
    start: date,
    days: int,
    *,
    today: date,
    now: datetime | None = None,
    travel: TravelTimeProvider | None = None,
    limit: int = 5,
) -> tuple[Case, tuple[Slot, ...]]:
    """The best slots for a new appointment with ``case_id`` against the published plan.

    The person's own published visit is left out (rescheduling frees it), and so is a
    published visit that was cancelled since; nothing is offered before ``now``.
    """
    travel = travel or GreatCircleEstimate()
    case = store.case(case_id)
    if case is None:
        raise UnknownCase((case_id,))
    if case.site is None:
        return case, ()
    cases, attempts, states = case_states(store, today)
    cases = with_regions(cases, team)
    publication = store.publication(start, days)
    tours = published_tours(team, publication, cases, travel, attempts, skip={case_id})
    model = reachability(store, Channel.DOOR)
    client = replace(case.client, appointment=None)
    visit = Visit(client, case.site, client.duration_min or team.default_visit_min)
    slots = suggest_slots(
        visit,
        tours,
        team,
        travel,
        start,
        days,
        preferred_coach=states[case_id].coach,
        reachability=lambda weekday, minute: model.p(case_id, weekday, TimeBand.of(minute)),
        limit=limit,
        not_before=now,
    )
    return case, slots


def published_tours(
    team: Team,
    publication: Publication | None,
    cases: Sequence[Case],
    travel: TravelTimeProvider,
    attempts: Sequence[Attempt] = (),
    *,
    skip: Collection[str] = (),
) -> tuple[Tour, ...]:
    """The published plan's tours, rebuilt from its pins (times as published), without
    pins cancelled since publishing and without the cases in ``skip``."""
    if publication is None:
        return ()
    by_id = {c.id: c for c in cases}
    gone = {a.case_id for a in attempts if is_cancellation(a, publication.published_at)}
    pinned: list[tuple[Visit, bool]] = []
    for pin in publication.visits:
        case = by_id.get(pin.case_id)
        if case is None or case.site is None or pin.case_id in gone or pin.case_id in skip:
            continue
        client = replace(case.client, appointment=pin.start, duration_min=pin.duration_min)
        pinned.append((Visit(client, case.site, pin.duration_min, coach=pin.coach), pin.with_van))
    tours, _ = replay(pinned, team, publication.start, publication.days, travel)
    return tours


def fill_ins_after_miss(
    store: Store,
    team: Team,
    case_id: str,
    now: datetime,
    *,
    travel: TravelTimeProvider | None = None,
    limit: int = 3,
) -> tuple[FillIn, ...]:
    """ "Nicht angetroffen" at ``case_id``'s door: the nearest open cases that still fit
    the rest of that published day (due visits first, then anyone on the call list)."""
    travel = travel or GreatCircleEstimate()
    cases, attempts, states = case_states(store, now.date())
    cases = with_regions(cases, team)
    publication = store.publication(now.date(), 1)
    tours = published_tours(team, publication, cases, travel, attempts)
    at = next(
        (
            (tour, i)
            for tour in tours
            if tour.day == now.date()
            for i, stop in enumerate(tour.stops)
            if stop.visit.client.id == case_id
        ),
        None,
    )
    if at is None:
        return ()
    tour, i = at
    pinned = {s.visit.client.id for t in tours for s in t.stops}
    open_steps = (Step.ANNOUNCED_VISIT, Step.CALL, Step.LETTER)
    candidates = [
        Visit(
            replace(c.client, appointment=None),
            c.site,
            c.client.duration_min or team.default_visit_min,
        )
        for c in cases
        if c.site is not None and c.id not in pinned and states[c.id].step in open_steps
    ]
    return fits_after_miss(tour, i, now, candidates, team, travel, limit=limit)


CHANGE_COLUMNS = ["kunden_nr", "aenderung", "vorher", "nachher", "hinweis"]


def write_changes(result: StorePlan, path: Path) -> Path | None:
    """``aenderungen.csv``: what a re-plan changed in published days (none: no file)."""
    if result.previous is None:
        return None

    def when(pin: PinnedVisit | None) -> str:
        return "" if pin is None else f"{pin.start:%d.%m.%Y %H:%M} {pin.coach}"

    rows = [
        {
            "kunden_nr": c.case_id,
            "aenderung": c.kind.label,
            "vorher": when(c.before),
            "nachher": when(c.after),
            "hinweis": c.text,
        }
        for c in result.changes
    ]
    write_csv(path, CHANGE_COLUMNS, rows)
    return path


# --------------------------------------------------------------------------- the app's use cases


def stats_for(store: Store, team: Team, today: date) -> CampaignStats:
    """Where the campaign stands (the lead's "Stand"; cached per store revision)."""

    def compute() -> CampaignStats:
        _, attempts, states = case_states(store, today)
        return campaign_stats(_regional(_snapshot(store), team), attempts, states, today)

    return _memo(store, ("stats", team, today), compute)


def tours_of_day(
    store: Store,
    team: Team,
    day: date,
    *,
    coach: str | None = None,
    travel: TravelTimeProvider | None = None,
) -> tuple[Tour, ...]:
    """The published tours of ``day`` (one coach's, or all), as the coaches drive them."""
    travel = travel or GreatCircleEstimate()
    publication = store.publication(day, 1)
    snap = _snapshot(store)  # cases and attempts are only read when a replay is not cached
    tours = _memo(
        store,
        ("tours", publication.id if publication else None, team, travel.description),
        lambda: published_tours(team, publication, _regional(snap, team), travel, snap.attempts),
    )
    return tuple(t for t in tours if t.day == day and (coach is None or t.coach.key == coach))


class PlanChangeRefused(ValueError):
    """A booking or move that does not fit; the message says why (German)."""


def book_slot(
    store: Store,
    team: Team,
    case_id: str,
    slot: Slot,
    *,
    user: str,
    now: datetime,
    place: VisitPlace | None = None,
    travel: TravelTimeProvider | None = None,
) -> Publication:
    """ "Termin vereinbart" on the phone: record it and pin the visit into the published plan.

    The slot is checked again against the plan as it is now (someone may have booked the
    same gap meanwhile); when it no longer fits, nothing is recorded.
    """
    travel = travel or GreatCircleEstimate()
    moved = _pin_at(store, team, case_id, slot.coach, slot.start, user=user, now=now,
                    travel=travel, with_van=slot.with_van)  # fmt: skip
    agreed = Attempt(
        case_id, now, slot.coach, AttemptKind.CALL, Outcome.APPOINTMENT,
        appointment=slot.start, place=place,
    )  # fmt: skip
    record_attempts(store, (agreed,), user=user, now=now)
    return moved


def move_visit(
    store: Store,
    team: Team,
    case_id: str,
    coach: str,
    start: datetime,
    *,
    user: str,
    now: datetime,
    travel: TravelTimeProvider | None = None,
) -> Publication:
    """The lead moves a visit to another coach, day or time; refused with the reason
    when it does not fit the published plan exactly (windows, breaks, hours, pins)."""
    return _pin_at(store, team, case_id, coach, start, user=user, now=now,
                   travel=travel or GreatCircleEstimate())  # fmt: skip


def unpin_visit(store: Store, case_id: str, day: date, *, user: str, now: datetime) -> Publication:
    """Take a visit out of the published plan (the next re-plan places it freely)."""
    publication = store.publication(day, 1)
    if publication is None or all(p.case_id != case_id for p in publication.visits):
        raise PlanChangeRefused(f"{case_id} hat keinen veröffentlichten Besuch am {day:%d.%m.%Y}.")
    visits = tuple(p for p in publication.visits if p.case_id != case_id)
    return store.publish(publication.start, publication.days, visits, user=user, at=now)


def _pin_at(
    store: Store,
    team: Team,
    case_id: str,
    coach: str,
    start: datetime,
    *,
    user: str,
    now: datetime,
    travel: TravelTimeProvider,
    with_van: bool | None = None,
) -> Publication:
    case = store.case(case_id)
    if case is None:
        raise UnknownCase((case_id,))
    if case.site is None:
        raise PlanChangeRefused(f"{case_id}: Adresse nicht zuzuordnen – kein Besuch möglich.")
    day = start.date()
    publication = store.publication(day, 1)
    cases, attempts, _ = case_states(store, now.date())
    cases = with_regions(cases, team)
    tours = published_tours(team, publication, cases, travel, attempts, skip={case_id})
    client = replace(case.client, appointment=start)
    visit = Visit(client, case.site, client.duration_min or team.default_visit_min, coach=coach)
    slots = [
        s
        for s in suggest_slots(visit, tours, team, travel, day, 1, limit=20)
        if s.coach == coach and s.start == start and (with_van is None or s.with_van == with_van)
    ]
    if not slots:
        why = explain_no_slot(visit, tours, team, travel, day, 1)
        raise PlanChangeRefused(why or f"{start:%d.%m. %H:%M} bei {coach} passt nicht.")
    pin = PinnedVisit(case_id, coach, start, visit.duration_min, with_van=slots[0].with_van)
    # A visit moved from a day another publication binds leaves that one too, or the
    # person would have two binding visits.
    for other, _ in _binding_publications(store, now.date(), _PIN_SEARCH_DAYS):
        if (publication is None or other.id != publication.id) and any(
            p.case_id == case_id and p.start.date() >= now.date() for p in other.visits
        ):
            rest = tuple(p for p in other.visits if p.case_id != case_id)
            store.publish(other.start, other.days, rest, user=user, at=now)
    if publication is None:
        # A new week's publication must not hide visits that shorter publications
        # already bind on its days: each day keeps the pins of its newest publication.
        monday = day - timedelta(days=day.weekday())
        bound = tuple(
            p
            for binding, covered in _binding_publications(store, monday, 5)
            for p in binding.visits
            if p.start.date() in covered and p.case_id != case_id
        )
        return store.publish(monday, 5, (*bound, pin), user=user, at=now)
    kept = tuple(p for p in publication.visits if p.case_id != case_id)
    return store.publish(publication.start, publication.days, (*kept, pin), user=user, at=now)


#: How far ahead a case's earlier binding visit is looked for when it is moved or booked.
_PIN_SEARCH_DAYS = 60


def _binding_publications(
    store: Store, first: date, days: int
) -> tuple[tuple[Publication, tuple[date, ...]], ...]:
    """The publications that bind a day of ``[first, first + days)`` (the newest covering
    each day), each once with the days it binds."""
    newest: dict[int, tuple[Publication, list[date]]] = {}
    for offset in range(days):
        day = first + timedelta(days=offset)
        binding = store.publication(day, 1)
        if binding is not None:
            newest.setdefault(binding.id, (binding, []))[1].append(day)
    return tuple((publication, tuple(covered)) for publication, covered in newest.values())


# --------------------------------------------------------------------------- browser app

#: A published visit makes a case a coach's own from this many days before today …
OWN_PUBLISHED_DAYS_BACK = 7
#: … to this many days after (the coming two weeks' tours).
OWN_PUBLISHED_DAYS_AHEAD = 14

Loaded = tuple[tuple[Case, ...], tuple[Attempt, ...], dict[str, CaseState]]


def coach_case_ids(
    store: Store, team: Team, coach: str, today: date, *, loaded: Loaded | None = None
) -> frozenset[str]:
    """The cases ``coach`` works on: they are the Bezugscoach, have an agreed appointment
    or a published visit with them (a week back, two weeks ahead), or the case is on
    their call list today. ``loaded`` is :func:`case_states` of ``today`` when at hand.

    Cached per store revision: the app asks on every page a coach opens."""
    if not coach:
        return frozenset()
    key = ("own", team, coach, today)
    return _memo(store, key, lambda: _coach_case_ids(store, team, coach, today, loaded))


def _coach_case_ids(
    store: Store, team: Team, coach: str, today: date, loaded: Loaded | None
) -> frozenset[str]:
    cases, attempts, states = loaded if loaded is not None else case_states(store, today)
    own = {
        case_id
        for case_id, state in states.items()
        if state.coach == coach or state.appointment_coach == coach
    }
    for offset in range(-OWN_PUBLISHED_DAYS_BACK, OWN_PUBLISHED_DAYS_AHEAD + 1):
        day = today + timedelta(days=offset)
        publication = store.publication(day, 1)  # the newest plan covering that day binds
        if publication is not None:
            own.update(
                pin.case_id
                for pin in publication.visits
                if pin.coach == coach and pin.start.date() == day
            )
    if coach in {c.key for c in team.coaches}:
        model = reachability(store, Channel.PHONE)
        calls = call_list(cases, states, model, team, today, coach=coach)
        own.update(entry.case_id for entry in calls.entries)
    return frozenset(own)


@dataclass(frozen=True)
class CaseFile:
    """One case as its page shows it: the case, its state today and its history."""

    case: Case
    state: CaseState
    attempts: tuple[Attempt, ...]  # in the order they happened


def case_file(store: Store, case_id: str, today: date) -> CaseFile | None:
    """The case ``case_id`` with its state on ``today`` and its attempts, or None."""
    case = store.case(case_id)
    if case is None:
        return None
    attempts = store.attempts(case_id)
    return CaseFile(case, assess_all((case,), attempts, today)[case_id], attempts)


def reopen_case(store: Store, case_id: str, *, user: str, today: date) -> bool:
    """Open a closed case again (the lead's decision; the store audits it).

    Returns False when the case was open already; raises :class:`UnknownCase`."""
    case = store.case(case_id)
    if case is None:
        raise UnknownCase((case_id,))
    if case.status is CaseStatus.OPEN:
        return False
    store.set_status(case_id, CaseStatus.OPEN, on=today, by_outcome=None, user=user)
    return True


def changes_since_print(store: Store, day: date, *, coach: str | None = None) -> tuple[Change, ...]:
    """What changed on ``day`` since the plan was first published (the printed sheets):
    bookings, moves, cancellations, unpinned visits — one coach's or all."""
    versions = store.publications(day, 1)
    if len(versions) < 2:
        return ()
    first, last = versions[0], versions[-1]

    def of_day(publication: Publication) -> Publication:
        visits = tuple(
            p
            for p in publication.visits
            if p.start.date() == day and (coach is None or p.coach == coach)
        )
        return replace(publication, start=day, days=1, visits=visits)

    before, after = of_day(first), of_day(last)
    _, attempts, _ = case_states(store, day)
    gone = {a.case_id for a in attempts if is_cancellation(a, first.published_at)}
    after = replace(after, visits=tuple(p for p in after.visits if p.case_id not in gone))
    return pin_changes(before, after.visits)


# --------------------------------------------------------------------------- the import page


@dataclass(frozen=True)
class ListCheck:
    """A client list read and placed as :func:`import_list` does, nothing stored: the
    row-by-row report of ``planner check`` and the cases an import would store."""

    intake: IntakeResult
    rows: tuple[dict[str, str], ...]  # pipeline.rows_report: one per input row, in order
    cases: tuple[Case, ...]

    def count(self, severity: Severity) -> int:
        """Rows of the report with ``severity`` (ok, warning, error)."""
        return sum(1 for row in self.rows if row["status"] == severity.value)

    @property
    def faulty(self) -> int:
        """Rows an import leaves out (their messages are in the report)."""
        return len(self.intake.rejected)

    @property
    def not_located(self) -> int:
        """Cases an import stores without a position (address to be checked)."""
        return sum(1 for case in self.cases if case.site is None)


def check_list(path: Path, team: Team, today: date) -> ListCheck:
    """Read and place the client list at ``path`` like an import, without storing it."""
    intake = read_clients(path, today=today)
    located = geocode_and_regions(intake, region_map(team), team.meeting_places)
    cases = tuple(Case(g.client, g.site, first_seen=today) for g in located)
    return ListCheck(intake, tuple(rows_report(intake, located)), cases)


@dataclass(frozen=True)
class ImportCheck:
    """The check report of a list and what importing it would do to the store."""

    check: ListCheck
    preview: ImportPreview

    def line(self) -> str:
        """Like :meth:`ImportReport.line`, for the import not yet done."""
        s = self.preview
        return (
            f"{len(s.new)} neu, {len(s.updated)} aktualisiert, {s.unchanged} unverändert, "
            f"{self.check.faulty} fehlerhaft"
        )


def preview_import(store: Store, path: Path, team: Team, *, today: date) -> ImportCheck:
    """What :func:`import_list` of ``path`` would do (new, updated, unchanged, missing);
    the store is only read."""
    check = check_list(path, team, today)
    return ImportCheck(check, store.preview_import(check.cases))


# --------------------------------------------------------------------------- the lead's week


def tours_of_week(
    store: Store,
    team: Team,
    start: date,
    days: int,
    *,
    travel: TravelTimeProvider | None = None,
) -> tuple[Tour, ...]:
    """The published tours of ``days`` days from ``start``, day by day as
    :func:`tours_of_day` gives them, but with one load of the cases and one replay per
    publication (usually one for the whole week) instead of one per day."""
    travel = travel or GreatCircleEstimate()
    binding = _binding_publications(store, start, days)
    if not binding:
        return ()
    snap = _snapshot(store)  # cases and attempts are only read when a replay is not cached
    order = {c.key: i for i, c in enumerate(team.coaches)}
    tours = [
        tour
        for publication, covered in binding
        for tour in _memo(
            store,
            ("tours", publication.id, team, travel.description),
            lambda publication=publication: published_tours(  # type: ignore[misc]
                team, publication, _regional(snap, team), travel, snap.attempts
            ),
        )
        if tour.day in covered
    ]
    return tuple(sorted(tours, key=lambda t: (t.day, order.get(t.coach.key, len(order)))))


@dataclass(frozen=True)
class Draft:
    """A re-plan shown to the lead but not yet published, and what it was computed from."""

    result: StorePlan
    revision: tuple[int, int, int]  # :meth:`Store.revision` before the cases were read
    today: date


def draft_plan(
    store: Store,
    team: Team,
    start: date,
    days: int,
    stopping: StoppingCriterion,
    *,
    today: date,
    travel: TravelTimeProvider | None = None,
    engine: Engine = "auto",
) -> Draft:
    """Re-plan around the pins without publishing (:func:`plan_from_store`)."""
    revision = store.revision()  # read first: a change while planning makes it stale
    result = plan_from_store(store, team, start, days, stopping, today=today, publish=False,
                             travel=travel, engine=engine)  # fmt: skip
    return Draft(result, revision, today)


def publish_draft(
    store: Store, draft: Draft, *, user: str, today: date, now: datetime
) -> Publication:
    """Publish ``draft`` exactly as the lead saw it.

    Re-planning with ``publish=True`` would repeat the search (seconds) and give the same
    plan only if nothing changed meanwhile and no time limit cut the search short.
    Publishing the shown plan needs neither; instead the draft is refused when the store
    changed since (a booked slot, a recorded outcome, a move) or the day has turned, as
    the plan would no longer be the one worked out from today's cases.
    """
    if store.revision() != draft.revision or today != draft.today:
        raise PlanChangeRefused(
            "Seit dem Entwurf hat sich der Plan oder ein Fall geändert – bitte neu planen."
        )
    plan = draft.result.plan
    return store.publish(plan.start, plan.days, pins_of(plan), user=user, at=now)


# --------------------------------------------------------------------------- the coach's day


@dataclass(frozen=True)
class CoachDay:
    """One coach's working day as the Heute page shows it."""

    day: date
    coach: str  # coach key
    tours: tuple[Tour, ...]  # published, as driven now (a car and a van tour: two)
    published: bool  # a published plan covers the day
    day_off: str  # German: why the coach does not work that day; "" when they do
    changes: tuple[Change, ...]  # since the sheets were printed (first publication)
    visits: tuple[Attempt, ...]  # visit outcomes of the coach recorded for ``day``


def coach_day(
    store: Store, team: Team, day: date, coach: str, *, travel: TravelTimeProvider | None = None
) -> CoachDay:
    """The coach's published tour(s) of ``day`` (as :func:`tours_of_day`), why there is
    none, what changed since printing and the visit outcomes recorded so far."""
    member = next((c for c in team.coaches if c.key == coach), None)
    if member is None:
        raise ValueError(f"unknown coach key {coach!r}")
    return CoachDay(
        day,
        coach,
        tours_of_day(store, team, day, coach=coach, travel=travel),
        store.publication(day, 1) is not None,
        day_off_reason(member, day),
        changes_since_print(store, day, coach=coach),
        attempts_on(store, day, coach=coach, kind=AttemptKind.VISIT),
    )


def day_off_reason(coach: Coach, day: date) -> str:
    """Why ``coach`` does not work on ``day`` (German), or "" when they do."""
    off = coach_day_off(coach, day)
    return "" if off is None else off.reason


def attempts_on(
    store: Store, day: date, *, coach: str | None = None, kind: AttemptKind | None = None
) -> tuple[Attempt, ...]:
    """The attempts made on ``day`` (one coach's, one kind), in the order they happened."""
    _, attempts, _ = case_states(store, day)  # cached per store revision
    return tuple(
        a
        for a in attempts
        if a.at.date() == day
        and (coach is None or a.coach == coach)
        and (kind is None or a.kind is kind)
    )


def fill_in_cases(
    store: Store,
    team: Team,
    case_id: str,
    now: datetime,
    *,
    travel: TravelTimeProvider | None = None,
    limit: int = 3,
) -> tuple[tuple[FillIn, Case], ...]:
    """:func:`fill_ins_after_miss` with each candidate's case (its place and position
    for the navigation link)."""
    fills = fill_ins_after_miss(store, team, case_id, now, travel=travel, limit=limit)
    found = ((f, store.case(f.case_id)) for f in fills)
    return tuple((f, case) for f, case in found if case is not None)


def book_at(
    store: Store,
    team: Team,
    case_id: str,
    coach: str,
    start: datetime,
    *,
    with_van: bool,
    user: str,
    now: datetime,
    travel: TravelTimeProvider | None = None,
) -> Publication:
    """:func:`book_slot` for a slot offered earlier (coach, start, car or van), as a form
    sends it back: checked against the plan as it is now like every booking."""
    if start < now:
        raise PlanChangeRefused(f"{start:%d.%m. %H:%M} liegt in der Vergangenheit.")
    # book_slot reads only coach, start and vehicle of the slot; the rest describes it.
    slot = Slot(coach, start.date(), start, start, with_van, 0, False, False, None, "")
    return book_slot(store, team, case_id, slot, user=user, now=now, travel=travel)


# --------------------------------------------------------------------------- the lead's report


def coverage_for(
    store: Store,
    *,
    today: date,
    start: date | None = None,
    end: date | None = None,
    team: Team | None = None,
    interval: Interval | None = None,
) -> Coverage:
    """The status report's figures for ``start``–``end`` (default: from the campaign's
    first day to ``today``), regions from ``team`` when given, else as imported."""
    cases, attempts = store.cases(), store.attempts()
    if team is not None:
        cases = with_regions(cases, team)
    end = end or today
    period = Period(start or default_start(cases, attempts, end), end)
    return coverage(cases, attempts, period, interval=interval)


# --------------------------------------------------------------------------- announcement letters


@dataclass(frozen=True)
class LetterProposal:
    """A case due for an announcement letter, with the visit the letter proposes."""

    case: Case
    slot: Slot
    duration_min: int


@dataclass(frozen=True)
class LetterRun:
    """What ``planner letters`` would send on ``sent_on``, and who gets no letter, why."""

    sent_on: date
    proposals: tuple[LetterProposal, ...]
    skipped: tuple[tuple[str, str], ...]  # (Kunden-Nr, German reason)


def propose_letters(
    store: Store,
    team: Team,
    sent_on: date,
    days: int,
    *,
    now: datetime,
    travel: TravelTimeProvider | None = None,
    rules: CampaignRules = DEFAULT_RULES,
) -> LetterRun:
    """Every case whose next step on ``sent_on`` is a letter, each with a proposed visit
    from ``sent_on`` + the letter's lead time for ``days`` days: with the Bezugscoach where
    possible, at a time the person is likely at home, around the published plan and the
    visits proposed before it. Nothing is stored (:func:`commit_letters` does that)."""
    travel = travel or GreatCircleEstimate()
    cases, attempts, states = case_states(store, sent_on, rules)
    cases = with_regions(cases, team)
    first = sent_on + timedelta(days=rules.letter_days_before_visit)
    publication = store.publication(first, days)
    model = reachability(store, Channel.DOOR)
    due = sorted(
        (c for c in cases if states[c.id].step is Step.LETTER),
        key=lambda c: (states[c.id].due or sent_on, c.id),
    )
    proposals: list[LetterProposal] = []
    skipped: list[tuple[str, str]] = []
    pins: list[PinnedVisit] = []
    for case in due:
        state = states[case.id]
        if state.due is not None and state.due > sent_on:
            continue  # not yet: e.g. the next call attempt comes first
        if case.site is None:
            skipped.append((case.id, "Adresse nicht zuzuordnen – kein Besuch möglich"))
            continue
        if not case.client.address.street.strip():
            skipped.append((case.id, "keine Postanschrift (Straße fehlt)"))
            continue
        with_proposed = _with_pins(publication, pins, first, days, now)
        tours = published_tours(team, with_proposed, cases, travel, attempts, skip={case.id})
        client = replace(case.client, appointment=None)
        visit = Visit(client, case.site, client.duration_min or team.default_visit_min)
        slots = suggest_slots(
            visit, tours, team, travel, first, days, preferred_coach=state.coach,
            reachability=_at_home(model, case.id), limit=1, not_before=now,
        )  # fmt: skip
        if not slots:
            why = explain_no_slot(visit, tours, team, travel, first, days)
            skipped.append((case.id, why or f"kein freier Termin ab {first:%d.%m.%Y}"))
            continue
        slot = slots[0]
        pins.append(PinnedVisit(case.id, slot.coach, slot.start, visit.duration_min,
                                with_van=slot.with_van))  # fmt: skip
        proposals.append(LetterProposal(case, slot, visit.duration_min))
    return LetterRun(sent_on, tuple(proposals), tuple(skipped))


def _with_pins(
    publication: Publication | None,
    pins: Sequence[PinnedVisit],
    first: date,
    days: int,
    now: datetime,
) -> Publication | None:
    """The published plan plus the visits proposed so far, over a period covering both."""
    if publication is None and not pins:
        return None
    if publication is None:
        return Publication(0, first, days, now, "", tuple(pins))
    start = min(publication.start, first)
    end = max(publication.start + timedelta(days=publication.days), first + timedelta(days=days))
    return replace(
        publication, start=start, days=(end - start).days, visits=(*publication.visits, *pins)
    )


def commit_letters(
    store: Store,
    team: Team,
    run: LetterRun,
    *,
    user: str,
    now: datetime,
    travel: TravelTimeProvider | None = None,
) -> tuple[tuple[LetterProposal, ...], tuple[tuple[str, str], ...]]:
    """Pin each proposed visit into the published plan (the next plan keeps it at the
    time the letter names) and record the letter as sent on ``run.sent_on`` (the case
    then waits for the announced visit instead of asking for another letter). A visit
    that no longer fits (booked meanwhile) gets no letter; returns (done, refused)."""
    travel = travel or GreatCircleEstimate()
    done: list[LetterProposal] = []
    refused: list[tuple[str, str]] = []
    sent_at = datetime.combine(run.sent_on, datetime.min.time())
    for proposal in run.proposals:
        slot = proposal.slot
        try:
            _pin_at(store, team, proposal.case.id, slot.coach, slot.start, user=user, now=now,
                    travel=travel, with_van=slot.with_van)  # fmt: skip
        except PlanChangeRefused as exc:
            refused.append((proposal.case.id, str(exc)))
            continue
        letter = Attempt(
            proposal.case.id, sent_at, slot.coach, AttemptKind.LETTER, Outcome.SENT,
            time_known=False, source="planner letters",
        )  # fmt: skip
        record_attempts(store, (letter,), user=user, now=now)
        done.append(proposal)
    return tuple(done), tuple(refused)


def _at_home(model: ReachabilityModel, case_id: str) -> Callable[[int, int], float]:
    """(weekday, minute) → the chance to find ``case_id`` at home then."""
    return lambda day, minute: model.p(case_id, day, TimeBand.of(minute))
