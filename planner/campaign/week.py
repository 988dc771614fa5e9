"""From the store's cases to one planning period's visits, and back.

:func:`week_for` turns every case into exactly one of: a visit to plan (an agreed
appointment, a published pin, an announced visit that is due) or an ``Unplanned`` with
the reason it is not due. :func:`settle` adjusts the solved plan's reasons for pins whose
coach is absent, :func:`changes` lists what changed since publishing, :func:`pins_of`
makes a plan binding. Pure functions; the solver and the store stay outside.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum

from planner.calendar_de import holiday_name, is_absent
from planner.campaign.codes import AttemptKind, Outcome, Step, TimeBand
from planner.campaign.model import Attempt, Case, CaseState, PinnedVisit, Publication
from planner.campaign.rules import not_due_reason, visit_due
from planner.model import (
    Coach,
    Message,
    Plan,
    Severity,
    Team,
    Unplanned,
    Visit,
    WeeklyWindow,
)
from planner.reasons import Reason

_NOT_DUE_CODES: dict[Step, Reason] = {
    Step.CALL: Reason.CALL_FIRST,
    Step.LETTER: Reason.LETTER_FIRST,
    Step.WAIT: Reason.NOT_DUE,
    Step.DONE: Reason.CONTACT_DONE,
    Step.CLOSED: Reason.CLOSED,
    Step.MISSING: Reason.MISSING_FROM_LIST,
    Step.APPOINTMENT: Reason.NOT_DUE,
    Step.ANNOUNCED_VISIT: Reason.NOT_DUE,
}


def not_due_code(state: CaseState) -> Reason:
    """The reason code of a case that gets no visit, by its step (plan.csv, figures)."""
    return _NOT_DUE_CODES[state.step]


@dataclass(frozen=True)
class Week:
    """What the cases ask of one period: visits to plan, and everyone else with a reason."""

    start: date
    days: int
    visits: tuple[Visit, ...]
    not_due: tuple[Unplanned, ...]
    notes: tuple[Message, ...]  # e.g. a Bezugscoach is absent, a pin was cancelled
    #: Pins (case id → pin) whose coach is now absent: moved to colleagues where they fit.
    orphaned_pins: Mapping[str, PinnedVisit]


def _works(coach: Coach, day: date) -> bool:
    return (
        coach.hours_on(day.weekday()) is not None
        and not is_absent(coach, day)
        and holiday_name(day) is None
    )


def _coach(team: Team, key: str) -> Coach | None:
    return next((c for c in team.coaches if c.key == key), None)


def _unplanned(case: Case, code: Reason, reason: str) -> Unplanned:
    c = case.client
    return Unplanned(
        c.id, c.row, reason, client=c, site=case.site, name=c.name, address=c.address, code=code
    )


def is_cancellation(attempt: Attempt, since: datetime) -> bool:
    """A cancellation (or an outcome that closes the case: refusal, move, hand-back)
    recorded after ``since`` (a publication)."""
    when = attempt.recorded_at or attempt.at
    closing = attempt.outcome is Outcome.CANCELLED or attempt.outcome.closes
    return closing and when >= since


def _cancelled_since(attempts: Sequence[Attempt], since: datetime) -> Attempt | None:
    return next((a for a in attempts if is_cancellation(a, since)), None)


def week_for(
    cases: Sequence[Case],
    states: Mapping[str, CaseState],
    attempts: Sequence[Attempt],
    team: Team,
    start: date,
    days: int,
    *,
    publication: Publication | None = None,
) -> Week:
    """Every case once: as a visit to plan, or as not due with its reason."""
    end = start + timedelta(days=days)
    by_case: dict[str, list[Attempt]] = {}
    for a in attempts:
        by_case.setdefault(a.case_id, []).append(a)
    pins = {
        p.case_id: p
        for p in (publication.visits if publication is not None else ())
        if start <= p.start.date() < end
    }
    visits: list[Visit] = []
    not_due: list[Unplanned] = []
    notes: list[Message] = []
    orphaned: dict[str, PinnedVisit] = {}

    def note(case: Case, text: str) -> None:
        notes.append(Message(Severity.WARNING, text, client_id=case.id))

    for case in cases:
        state = states[case.id]
        if case.site is None:
            not_due.append(_unplanned(case, Reason.ADDRESS, "Adresse nicht zuzuordnen."))
            continue
        if state.step in (Step.CLOSED, Step.MISSING):
            not_due.append(_unplanned(case, _NOT_DUE_CODES[state.step], state.reason))
            continue
        pin = pins.get(case.id)
        if pin is not None and publication is not None:
            cancelled = _cancelled_since(by_case.get(case.id, ()), publication.published_at)
            newer = (
                state.step is Step.APPOINTMENT
                and state.appointment is not None
                and state.appointment != pin.start
            )
            if cancelled is None and not newer:
                visit, orphan = _pinned_visit(case, pin, team)
                if orphan:
                    orphaned[case.id] = pin
                    note(case, f"{case.id}: {orphan}")
                visits.append(visit)
                continue
            if cancelled is not None:
                note(
                    case,
                    f"{case.id}: veröffentlichter Termin {pin.start:%d.%m. %H:%M} – "
                    f"{cancelled.outcome.label} am {cancelled.at:%d.%m.%Y}",
                )
        if not visit_due(state, start, days):
            code = _NOT_DUE_CODES[state.step]
            not_due.append(_unplanned(case, code, not_due_reason(state, start, days)))
            continue
        visit, why = _due_visit(case, state, team, start, end)
        if state.step is Step.ANNOUNCED_VISIT:
            visit = avoid_missed_times(visit, by_case.get(case.id, ()))
        if why:
            note(case, f"{case.id}: {why}")
        visits.append(visit)
    return Week(start, days, tuple(visits), tuple(not_due), tuple(notes), orphaned)


def _base_visit(case: Case, team: Team) -> Visit:
    assert case.site is not None
    # The list's own Termin is an appointment only through the rules (Step.APPOINTMENT).
    client = replace(case.client, appointment=None)
    return Visit(client, case.site, client.duration_min or team.default_visit_min)


def _pinned_visit(case: Case, pin: PinnedVisit, team: Team) -> tuple[Visit, str]:
    """A published visit: same coach, day and start; a colleague when the coach is absent."""
    client = replace(case.client, appointment=pin.start, duration_min=pin.duration_min)
    visit = replace(_base_visit(case, team), client=client, duration_min=pin.duration_min)
    coach = _coach(team, pin.coach)
    if coach is not None and _works(coach, pin.start.date()):
        return replace(visit, coach=pin.coach), ""
    name = coach.name if coach is not None else pin.coach
    return visit, (
        f"{name} ist am {pin.start:%d.%m.} nicht da – veröffentlichter Termin "
        f"{pin.start:%H:%M} geht an eine Kollegin oder einen Kollegen, wenn er passt"
    )


def _due_visit(
    case: Case, state: CaseState, team: Team, start: date, end: date
) -> tuple[Visit, str]:
    """An agreed appointment or an announced visit, with the coach it belongs to."""
    visit = _base_visit(case, team)
    if state.step is Step.APPOINTMENT and state.appointment is not None:
        client = replace(
            case.client,
            appointment=state.appointment,
            visit_place=state.appointment_place or case.client.visit_place,
        )
        visit = replace(visit, client=client)
        coach = _coach(team, state.appointment_coach)
        if coach is None:
            return visit, ""
        if _works(coach, state.appointment.date()):
            return replace(visit, coach=coach.key), ""
        return visit, (
            f"{coach.name} ist am {state.appointment:%d.%m.} nicht da – Termin geht an "
            "eine Kollegin oder einen Kollegen"
        )
    first = max(start, state.due or start)
    visit = replace(visit, not_before=first if first > start else None)
    coach = _coach(team, state.coach)
    if coach is None:
        return visit, ""
    span = (end - first).days
    if any(_works(coach, first + timedelta(days=d)) for d in range(span)):
        return replace(visit, coach=coach.key), ""
    return visit, f"Bezugscoach {coach.name} ist im Zeitraum nicht da – Besuch bei Kollegin/Kollege"


def avoid_missed_times(visit: Visit, attempts: Sequence[Attempt]) -> Visit:
    """After "nicht angetroffen": the next visit at another weekday or time band.

    Only for people without their own availability (theirs is what they said); the
    weekday × band cells of missed visits are left out of the working week's bands, so
    the solver picks another day or another part of the day.
    """
    if visit.client.availability:
        return visit
    missed = {
        (a.at.weekday(), a.band)
        for a in attempts
        if a.kind is AttemptKind.VISIT and a.outcome.failed and a.band is not None
    }
    if not missed:
        return visit
    windows = tuple(
        WeeklyWindow(day, band.start, band.end)
        for day in range(6)
        for band in TimeBand
        if (day, band) not in missed
    )
    return replace(visit, client=replace(visit.client, availability=windows))


def settle(plan: Plan, week: Week) -> Plan:
    """Pins of an absent coach that fit nobody: the reason says to phone the person."""
    unplanned = tuple(
        replace(
            u,
            code=Reason.COACH_ABSENT,
            reason=(
                f"Veröffentlichter Termin {week.orphaned_pins[u.client_id].start:%d.%m. %H:%M}: "
                f"Coach abwesend, bei niemandem frei – bitte anrufen und neu vereinbaren "
                f"({u.reason})"
            ),
        )
        if u.client_id in week.orphaned_pins
        else u
        for u in plan.unplanned
    )
    notes = plan.notes + tuple(m.text for m in week.notes)
    return replace(plan, unplanned=unplanned, messages=plan.messages + week.notes, notes=notes)


def pins_of(plan: Plan) -> tuple[PinnedVisit, ...]:
    """Every planned visit of ``plan`` as a binding pin (for ``--publish``)."""
    return tuple(
        PinnedVisit(
            s.visit.client.id, t.coach.key, s.start, s.visit.duration_min, with_van=t.with_van
        )
        for t in plan.tours
        for s in t.stops
    )


class ChangeKind(StrEnum):
    ADDED = "neu"
    DROPPED = "entfaellt"
    MOVED = "verschoben"
    COACH = "anderer_coach"

    @property
    def label(self) -> str:
        return {
            ChangeKind.ADDED: "neu",
            ChangeKind.DROPPED: "entfällt",
            ChangeKind.MOVED: "verschoben",
            ChangeKind.COACH: "anderer Coach",
        }[self]


@dataclass(frozen=True)
class Change:
    """A difference between the published plan and a re-plan of the same days."""

    case_id: str
    kind: ChangeKind
    before: PinnedVisit | None
    after: PinnedVisit | None
    text: str  # German


def changes(publication: Publication, plan: Plan) -> tuple[Change, ...]:
    """What a re-plan changes in the published days, by Kunden-Nr."""
    end = plan.start + timedelta(days=plan.days)
    kept = tuple(p for p in publication.visits if plan.start <= p.start.date() < end)
    reasons = {u.client_id: u.reason for u in plan.unplanned}
    return pin_changes(replace(publication, visits=kept), pins_of(plan), reasons)


def pin_changes(
    publication: Publication,
    pins: Sequence[PinnedVisit],
    reasons: Mapping[str, str] | None = None,
) -> tuple[Change, ...]:
    """Differences between the pins of ``publication`` and ``pins``, by Kunden-Nr."""
    reasons = reasons or {}
    before = {p.case_id: p for p in publication.visits}
    after = {p.case_id: p for p in pins}
    out: list[Change] = []
    for case_id in sorted(before.keys() | after.keys()):
        b, a = before.get(case_id), after.get(case_id)
        if b is None and a is not None:
            text = f"neu: {a.start:%d.%m. %H:%M} bei {a.coach}"
            out.append(Change(case_id, ChangeKind.ADDED, None, a, text))
        elif a is None and b is not None:
            why = reasons.get(case_id, "")
            text = f"entfällt: war {b.start:%d.%m. %H:%M} bei {b.coach}" + (
                f" – {why}" if why else ""
            )
            out.append(Change(case_id, ChangeKind.DROPPED, b, None, text))
        elif a is not None and b is not None:
            if a.coach != b.coach:
                text = f"anderer Coach: {b.coach} → {a.coach} ({a.start:%d.%m. %H:%M})"
                out.append(Change(case_id, ChangeKind.COACH, b, a, text))
            elif a.start != b.start:
                text = f"verschoben: {b.start:%d.%m. %H:%M} → {a.start:%d.%m. %H:%M}"
                out.append(Change(case_id, ChangeKind.MOVED, b, a, text))
    return tuple(out)
