"""German reasons for visits the solver left out."""

from __future__ import annotations

from planner.model import VisitPlace
from planner.solve.problem import DAY, Problem
from planner.solve.reasons import capacity_reason, rank_text
from planner.solve.vrp import VrpSolution


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
    if competing and min(competing) >= own:
        return capacity_reason(client, problem.start)
    # In calendar order, each weekly window once (a window recurs on every matching day).
    labels = [w.label for w in sorted(problem.windows[visit], key=lambda w: w.earliest) if w.label]
    windows = ", ".join(dict.fromkeys(labels)) or "ganztags"
    return (
        f"Passte mit den Fahrzeiten in keine Tour an den möglichen Tagen (Zeitfenster: {windows}); "
        f"{rank_text(client, problem.start)}."
    )
