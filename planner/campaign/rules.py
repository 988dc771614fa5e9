"""The campaign's rules: from a case's history to its next step.

Pure functions over :mod:`planner.campaign.model`; the store and the front ends call
them, nothing here touches a database. The rules, as the team agreed them:

- phone first: a new case goes on the call list (without a phone number: a letter);
- ``Termin vereinbart`` → a visit at that time with that coach, pinned;
  ``abgesagt`` → the appointment is gone, back on the call list;
- ``abgelehnt``, ``verzogen``, ``an Ansprechperson übergeben`` → closed, never planned
  again (only the lead reopens);
- ``angetroffen`` / ``erreicht`` / ``Coaching begonnen`` / ``an Beratungsstelle
  vermittelt`` → contact made; a follow-up only with a Wiedervorlage;
- ``nicht erreicht``, ``Mailbox``, ``nicht angetroffen`` → try again at another time
  band and weekday; after ``failed_calls_before_letter`` failed calls (or a wrong
  number) an announcement letter, then, once it has arrived, an announced visit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date, datetime, time, timedelta

from planner.campaign.codes import AttemptKind, CaseStatus, Outcome, Step
from planner.campaign.model import Attempt, CampaignRules, Case, CaseState
from planner.model import VisitPlace

DEFAULT_RULES = CampaignRules()


def _d(day: date) -> str:
    return f"{day:%d.%m.%Y}"


def ordered(attempts: Iterable[Attempt]) -> tuple[Attempt, ...]:
    """Attempts in the order they happened (stable for equal times: recording order)."""
    return tuple(sorted(attempts, key=lambda a: a.at))


def bezugscoach(attempts: Sequence[Attempt]) -> str:
    """The coach who last reached or met the person ("" when nobody has yet)."""
    for a in reversed(ordered(attempts)):
        if a.outcome.contact and a.coach:
            return a.coach
    return ""


def active_appointment(attempts: Sequence[Attempt]) -> Attempt | None:
    """The latest agreed appointment that was neither cancelled nor held since."""
    history = ordered(attempts)
    for i in range(len(history) - 1, -1, -1):
        a = history[i]
        if a.outcome is not Outcome.APPOINTMENT or a.appointment is None:
            continue
        later = history[i + 1 :]
        if any(b.outcome is Outcome.CANCELLED or b.outcome.closes for b in later):
            return None
        held = any(
            b.kind is AttemptKind.VISIT and b.at.date() >= a.appointment.date() for b in later
        )
        return None if held else a
    return None


def assess(
    case: Case, attempts: Sequence[Attempt], today: date, rules: CampaignRules = DEFAULT_RULES
) -> CaseState:
    """What is next for ``case`` on ``today``, with the reason a person reads."""
    history = ordered((*_from_list(case), *(a for a in attempts if a.case_id == case.id)))
    base = CaseState(
        case_id=case.id,
        step=Step.CALL,
        reason="",
        coach=bezugscoach(history),
        attempts=len(history),
        last_attempt=history[-1].at if history else None,
    )
    since_contact = _since_last_contact(history)
    base = replace(
        base,
        failed_calls=sum(
            1 for a in since_contact if a.kind is AttemptKind.CALL and a.outcome.failed
        ),
        failed_visits=sum(
            1 for a in since_contact if a.kind is AttemptKind.VISIT and a.outcome.failed
        ),
    )
    if case.status is CaseStatus.CLOSED:
        what = case.closed_by.label if case.closed_by is not None else "abgeschlossen"
        when = f" am {_d(case.closed_on)}" if case.closed_on else ""
        return replace(base, step=Step.CLOSED, reason=f"{what}{when}")
    if case.missing_since is not None:
        return replace(
            base,
            step=Step.MISSING,
            reason=f"seit {_d(case.missing_since)} nicht mehr in der Kundenliste",
        )
    appointment = active_appointment(history)
    if appointment is not None and appointment.appointment is not None:
        at = appointment.appointment
        if at.date() >= today:
            return replace(
                base,
                step=Step.APPOINTMENT,
                reason=f"Termin am {at:%d.%m.%Y %H:%M} vereinbart",
                due=at.date(),
                appointment=at,
                appointment_coach=appointment.coach,
                appointment_place=appointment.place or VisitPlace.HOME,
            )
        return _call(
            case,
            base,
            today,
            f"Termin am {at:%d.%m.%Y %H:%M} ohne Ergebnis – bitte nachfragen",
        )
    if not history:
        return _call(case, base, today, "neu in der Liste")
    last = history[-1]
    if last.outcome is Outcome.CANCELLED:
        return _call(case, base, _next(last, rules), "Termin abgesagt – neuen Termin vereinbaren")
    if last.outcome is Outcome.CALLBACK:
        due = last.follow_up or last.at.date()
        return _call(case, base, due, f"Rückruf erbeten ({_d(due)})")
    if last.outcome.closes:
        # Still open although the outcome closes: the lead reopened the case.
        return _call(case, base, today, "von der Leitung wieder geöffnet")
    if last.outcome in _CONTACT_MADE:
        what = _CONTACT_MADE[last.outcome]
        if last.follow_up is None:
            done = "" if last.outcome in (Outcome.COACHING, Outcome.REFERRED) else " geführt"
            return replace(
                base,
                step=Step.DONE,
                reason=f"{what} am {last.at:%d.%m.}{done}, keine Wiedervorlage",
            )
        if last.follow_up > today:
            return replace(
                base,
                step=Step.WAIT,
                due=last.follow_up,
                reason=f"{what} am {last.at:%d.%m.}, Wiedervorlage am {_d(last.follow_up)}",
            )
        return _call(case, base, last.follow_up, f"Wiedervorlage {_d(last.follow_up)}")
    return _after_failures(case, base, since_contact, last, rules)


#: Outcomes after which nothing is due unless a Wiedervorlage is set (as a reason reads).
_CONTACT_MADE: dict[Outcome, str] = {
    Outcome.MET: "Gespräch",
    Outcome.REACHED: "Kontakt",
    Outcome.APPOINTMENT: "Kontakt",
    Outcome.COACHING: "Coaching begonnen",
    Outcome.REFERRED: "an Beratungsstelle vermittelt",
}


def _from_list(case: Case) -> tuple[Attempt, ...]:
    """A ``Termin`` in the client list counts as agreed when the list was first read."""
    at = case.client.appointment
    if at is None:
        return ()
    seen = datetime.combine(case.first_seen or at.date(), time())
    return (
        Attempt(
            case.id,
            min(seen, at),
            "",
            AttemptKind.CALL,
            Outcome.APPOINTMENT,
            appointment=at,
            place=case.client.visit_place,
            time_known=False,
            source="Kundenliste",
        ),
    )


def _since_last_contact(history: Sequence[Attempt]) -> tuple[Attempt, ...]:
    for i in range(len(history) - 1, -1, -1):
        if history[i].outcome.contact:
            return tuple(history[i + 1 :])
    return tuple(history)


def _next(attempt: Attempt, rules: CampaignRules) -> date:
    return attempt.at.date() + timedelta(days=rules.retry_after_days)


def _phone_usable(case: Case, since_contact: Sequence[Attempt]) -> bool:
    return bool(case.client.phone.strip()) and not any(
        a.outcome is Outcome.WRONG_NUMBER for a in since_contact
    )


def _call(case: Case, base: CaseState, due: date, reason: str) -> CaseState:
    """On the call list from ``due``; without a phone number an announcement letter instead."""
    if not case.client.phone.strip():
        return replace(base, step=Step.LETTER, due=due, reason=f"{reason}; keine Telefonnummer")
    return replace(base, step=Step.CALL, due=due, reason=reason)


def _after_failures(
    case: Case,
    base: CaseState,
    since_contact: Sequence[Attempt],
    last: Attempt,
    rules: CampaignRules,
) -> CaseState:
    """Nobody answered or opened: another time band, then a letter, then a visit."""
    letters = [a for a in since_contact if a.kind is AttemptKind.LETTER]
    if letters:
        sent = letters[-1].at.date()
        due = max(sent + timedelta(days=rules.letter_days_before_visit), _next(last, rules))
        missed = base.failed_visits
        reason = f"Besuch angekündigt mit Brief vom {_d(sent)}"
        if missed:
            reason += f"; {missed}× nicht angetroffen – andere Tageszeit"
        return replace(base, step=Step.ANNOUNCED_VISIT, due=due, reason=reason)
    phone = _phone_usable(case, since_contact)
    if phone and base.failed_calls < rules.failed_calls_before_letter:
        n = base.failed_calls
        reason = (
            f"{n} Anruf{'e' if n != 1 else ''} ohne Erfolg – andere Tageszeit"
            if n
            else f"{base.failed_visits}× nicht angetroffen – anrufen"
        )
        return replace(base, step=Step.CALL, due=_next(last, rules), reason=reason)
    why = f"{base.failed_calls} Anrufe ohne Erfolg" if phone else "keine gültige Telefonnummer"
    return replace(
        base, step=Step.LETTER, due=_next(last, rules), reason=f"{why} – Ankündigungsbrief"
    )


def status_after(
    case: Case, new: Sequence[Attempt]
) -> tuple[CaseStatus, Outcome | None, date | None]:
    """The status a case has after recording ``new`` attempts (closing outcomes close it)."""
    for a in reversed(ordered(new)):
        if a.outcome.closes:
            return CaseStatus.CLOSED, a.outcome, a.at.date()
    return case.status, case.closed_by, case.closed_on


def visit_due(state: CaseState, start: date, days: int) -> bool:
    """Whether the case wants a visit in the period ``[start, start + days)``."""
    end = start + timedelta(days=days)
    if state.step is Step.APPOINTMENT:
        return state.appointment is not None and start <= state.appointment.date() < end
    if state.step is Step.ANNOUNCED_VISIT:
        return state.due is None or state.due < end
    return False


def not_due_reason(state: CaseState, start: date, days: int) -> str:
    """Why a case gets no visit in the period (German, for plan.csv)."""
    if state.step is Step.CALL:
        return f"erst anrufen: {state.reason}"
    if state.step is Step.LETTER:
        return f"erst Brief: {state.reason}"
    if state.step is Step.APPOINTMENT and state.appointment is not None:
        return f"{state.reason} (außerhalb des Zeitraums)"
    if state.step is Step.ANNOUNCED_VISIT and state.due is not None:
        return f"{state.reason}; Besuch ab {_d(state.due)}"
    return state.reason


def assess_all(
    cases: Sequence[Case],
    attempts: Sequence[Attempt],
    today: date,
    rules: CampaignRules = DEFAULT_RULES,
) -> dict[str, CaseState]:
    """:func:`assess` for every case (attempts grouped once)."""
    by_case: dict[str, list[Attempt]] = {}
    for a in attempts:
        by_case.setdefault(a.case_id, []).append(a)
    return {c.id: assess(c, by_case.get(c.id, ()), today, rules) for c in cases}
