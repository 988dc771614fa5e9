"""German reasons for what the solver left out: visits, and working days without a tour."""

from __future__ import annotations

from datetime import date, datetime

from planner.model import DayOff, VisitPlace
from planner.reasons import DayOffReason, Reason
from planner.solve.problem import DAY, Problem
from planner.solve.reasons import (
    capacity_reason,
    no_solution_reason,
    rank_text,
    shortlist_reason,
)
from planner.solve.vrp import VrpSolution


def _served(problem: Problem, solution: VrpSolution) -> dict[int, tuple[int, int]]:
    """Visit index → (shift index, service start) of every planned visit."""
    return {
        problem.visit_of_node(node): (route.vehicle, start)
        for route in solution.routes
        for node, start in zip(route.nodes, route.starts, strict=True)
    }


def explain_surplus(problem: Problem, solution: VrpSolution, index: int) -> tuple[Reason, str]:
    """Why a visit of the shortlist's tail is not in the plan.

    "Vorrang hatten …" only when someone ranked at least as high was actually planned on
    a shift this person could have had; an empty search result says so instead.
    """
    visit = problem.surplus[index]
    client = visit.client
    if not solution.found:
        return Reason.NO_SOLUTION, no_solution_reason(client, problem.start, solution.status)
    served = _served(problem, solution)
    own = problem.surplus_penalties[index]
    allowed = set(problem.surplus_shifts[index])
    if client.appointment is not None:
        origin = datetime.combine(problem.start, datetime.min.time())
        at = int((client.appointment - origin).total_seconds())
        coaches = {problem.shifts[k].coach.key for k in allowed}
        end = at + visit.duration_min * 60
        clash = _clash(problem, served, at, end, len(coaches), client.appointment)
        if clash is not None:
            return clash
    competing = [problem.penalties[i] for i, (shift, _) in served.items() if shift in allowed]
    if competing and min(competing) >= own:
        return Reason.CAPACITY, capacity_reason(client, problem.start)
    return Reason.LIST_TOO_LONG, shortlist_reason(client, problem.start, len(problem.visits))


def _clash(
    problem: Problem,
    served: dict[int, tuple[int, int]],
    at: int,
    end: int,
    coaches: int,
    when: datetime,
) -> tuple[Reason, str] | None:
    """The clash reason when planned appointments occupy every coach at ``at … end``."""
    day = at // DAY
    clashing = sorted(
        problem.visits[i].client.id
        for i, (_, begin) in served.items()
        if problem.visits[i].client.appointment is not None
        and begin // DAY == day
        and begin < end
        and at < begin + problem.service_s[i]
    )
    if not clashing or len(clashing) < coaches:
        return None
    return Reason.APPOINTMENT_CLASH, (
        f"Termin am {when:%d.%m.%Y %H:%M} überschneidet sich mit anderen festen Terminen "
        f"({', '.join(clashing)}); zu dieser Zeit ist kein Coach frei."
    )


def explain_dropped(problem: Problem, solution: VrpSolution, visit: int) -> tuple[Reason, str]:
    """Why a visit is not in the plan, in words a coach or project lead understands."""
    client = problem.visits[visit].client
    if not solution.found:
        return Reason.NO_SOLUTION, no_solution_reason(client, problem.start, solution.status)
    served = _served(problem, solution)

    if client.appointment is not None:
        at = problem.windows[visit][0].earliest
        coaches = {problem.shifts[k].coach.key for k in problem.allowed_shifts[visit]}
        end = at + problem.service_s[visit]
        clash = _clash(problem, served, at, end, len(coaches), client.appointment)
        if clash is not None:
            return clash
        when = f"{client.appointment:%d.%m.%Y %H:%M}"
        return Reason.APPOINTMENT_NO_FIT, (
            f"Termin am {when} ließ sich mit den Fahrzeiten zu den anderen Besuchen "
            "dieses Tages nicht vereinbaren."
        )

    if client.visit_place is VisitPlace.VAN:
        return Reason.VAN_FULL, (
            "Alle Touren mit dem Beratungsmobil im Planungszeitraum sind voll "
            "(das Mobil fährt höchstens eine Tour am Tag)."
        )

    own = problem.penalties[visit]
    allowed = set(problem.allowed_shifts[visit])
    competing = [problem.penalties[i] for i, (shift, _) in served.items() if shift in allowed]
    if competing and min(competing) >= own:
        return Reason.CAPACITY, capacity_reason(client, problem.start)
    # In calendar order, each weekly window once (a window recurs on every matching day).
    labels = [w.label for w in sorted(problem.windows[visit], key=lambda w: w.earliest) if w.label]
    windows = ", ".join(dict.fromkeys(labels)) or "ganztags"
    return Reason.NO_FIT, (
        f"Passte mit den Fahrzeiten in keine Tour an den möglichen Tagen (Zeitfenster: {windows}); "
        f"{rank_text(client, problem.start)}."
    )


def idle_days(problem: Problem, solution: VrpSolution) -> tuple[DayOff, ...]:
    """Working days of a coach (no holiday, no absence) without a tour, and why.

    Holidays and absences have no shift at all (:func:`planner.calendar_de.days_off`
    lists them); this covers the days the plan did not use, so the summary says why for
    every working day without a tour. Nothing when the search found no plan.
    """
    if not solution.found:
        return ()
    by_day: dict[tuple[str, date], list[int]] = {}  # in day order, then team order
    for k, shift in enumerate(problem.shifts):
        by_day.setdefault((shift.coach.key, shift.day), []).append(k)
    used = {
        (problem.shifts[r.vehicle].coach.key, problem.shifts[r.vehicle].day)
        for r in solution.routes
    }
    still_open = {
        k for node in solution.dropped for k in problem.allowed_shifts[problem.visit_of_node(node)]
    } | {k for shifts in problem.surplus_shifts for k in shifts}
    possible = {k for shifts in problem.allowed_shifts for k in shifts} | still_open
    idle: list[DayOff] = []
    for (coach_key, day), shifts in by_day.items():
        if (coach_key, day) in used:
            continue
        if still_open.intersection(shifts):
            reason = DayOffReason.IDLE_STILL_OPEN
        elif possible.intersection(shifts):
            reason = DayOffReason.IDLE_NOT_NEEDED
        else:
            reason = DayOffReason.IDLE_NOBODY
        idle.append(DayOff(day, problem.shifts[shifts[0]].coach, reason))
    return tuple(idle)
