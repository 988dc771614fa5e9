"""German reasons for visits the solver left out."""

from __future__ import annotations

from planner import settings
from planner.model import VisitPlace
from planner.solve.problem import DAY, Problem
from planner.solve.vrp import VrpSolution

PRIORITY_LABEL = {1: "1 (hoch)", 2: "2 (mittel)", 3: "3 (niedrig)"}


def waited_days(problem: Problem, visit: int) -> int | None:
    last = problem.visits[visit].client.last_contact
    return None if last is None else max(0, (problem.start - last).days)


def explain_dropped(problem: Problem, solution: VrpSolution, visit: int) -> str:
    """Why a visit is not in the plan, in words a coach or project lead understands."""
    client = problem.visits[visit].client
    # visit index → (shift index, service start)
    served = {
        problem.visit_of_node(node): (route.vehicle, start)
        for route in solution.routes
        for node, start in zip(route.nodes, route.starts, strict=True)
    }

    if client.appointment is not None:
        at = problem.windows[visit][0].earliest
        end = at + problem.service_s[visit]
        day = at // DAY
        clashing = sorted(
            problem.visits[i].client.id
            for i, (_, begin) in served.items()
            if problem.visits[i].client.appointment is not None
            and begin // DAY == day
            and begin < end
            and at < begin + problem.service_s[i]
        )
        coaches = {problem.shifts[k].coach.key for k in problem.allowed_shifts[visit]}
        when = f"{client.appointment:%d.%m.%Y %H:%M}"
        if clashing and len(clashing) >= len(coaches):
            return (
                f"Termin am {when} überschneidet sich mit anderen festen Terminen "
                f"({', '.join(clashing)}); zu dieser Zeit ist kein Coach frei."
            )
        return (
            f"Termin am {when} ließ sich mit den Fahrzeiten zu den anderen Besuchen "
            "dieses Tages nicht vereinbaren."
        )

    if client.visit_place is VisitPlace.VAN:
        return (
            "Alle Touren mit dem Beratungsmobil im Planungszeitraum sind voll "
            "(das Mobil fährt höchstens eine Tour am Tag)."
        )

    own = problem.penalties[visit]
    allowed = set(problem.allowed_shifts[visit])
    competing = [problem.penalties[i] for i, (shift, _) in served.items() if shift in allowed]
    prio = PRIORITY_LABEL.get(client.priority, str(client.priority))
    days = waited_days(problem, visit)
    wait = "unbekannt" if days is None else f"{days} Tage"
    if competing and min(competing) >= own:
        return (
            "Nicht genug Zeit im Planungszeitraum: Vorrang hatten Kundinnen und Kunden mit "
            f"höherer Priorität oder längerer Wartezeit (hier Priorität {prio}, "
            f"Wartezeit {wait})."
        )
    windows = ", ".join(sorted({w.label for w in problem.windows[visit] if w.label})) or "ganztags"
    return (
        f"Passte mit den Fahrzeiten in keine Tour an den möglichen Tagen (Zeitfenster: {windows}); "
        f"Priorität {prio}, Wartezeit {wait}."
    )


def penalty_note() -> str:
    """How priorities and waiting time rank clients (for documentation and summaries)."""
    p = settings.PRIORITY_PENALTY
    return (
        f"Rangfolge beim Weglassen: Priorität 1/2/3 zählt {p[1]:,}/{p[2]:,}/{p[3]:,} Punkte, "
        f"jeder Wartetag {settings.WAIT_PENALTY_PER_DAY} Punkte (höchstens "
        f"{settings.WAIT_CAP_DAYS} Tage)."
    ).replace(",", ".")
