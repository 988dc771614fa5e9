"""Solving strategies on top of the engines: a portfolio and the two-phase van decision.

Portfolio: an instance PyVRP can model exactly (no breaks that could bind, one window
per visit, no vehicle restrictions or exclusive groups — e.g. the Solomon and
Gehring–Homberger benchmarks) goes to PyVRP, which measured clearly better there
(docs/benchmarks.md); everything else goes to OR-Tools, which models all of the
planner's constraints.

Exclusive vehicle groups (one van for the team; a coach drives car or van) are side
constraints that OR-Tools' local-search filters do not know: most moves that break them
are only rejected late, which slows the search several times over. So we decide the
groups with a short first phase on the full model, keep one vehicle per group as that
phase chose, and let the long second phase run on the plain model from its own first
solution (measured on the demo week: starting from the first phase's routes instead
traps guided local search in a worse plan). Both phases are deterministic, so the
result stays reproducible.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Literal

from planner.solve import pyvrp_adapter
from planner.solve.ortools_adapter import DEFAULT_SEARCH, SearchSettings, solve_vrp
from planner.solve.stopping import FirstOf, SolutionLimit, StoppingCriterion, TimeLimit
from planner.solve.vrp import VrpData, VrpRoute, VrpSolution

#: Budget of the first phase that settles the exclusive groups.
FIRST_PHASE_SOLUTIONS = 40
FIRST_PHASE_TIME_SHARE = 0.25


Engine = Literal["auto", "ortools", "pyvrp"]


def solve(
    data: VrpData,
    stopping: StoppingCriterion,
    search: SearchSettings = DEFAULT_SEARCH,
    *,
    engine: Engine = "auto",
    seed: int = pyvrp_adapter.SEED,
) -> VrpSolution:
    """Solve ``data`` with the engine that fits; exclusive groups in two phases."""
    if engine == "pyvrp" or (engine == "auto" and pyvrp_adapter.can_model(data)):
        return pyvrp_adapter.solve_pyvrp(data, stopping, seed)
    if not data.exclusive:
        return solve_vrp(data, stopping, search)
    first = solve_vrp(data, _first_phase(stopping), search)
    keep = kept_vehicles(data, {r.vehicle for r in first.routes})
    second = solve_vrp(restrict_vehicles(data, keep), stopping.remaining(first.seconds), search)
    seconds = first.seconds + second.seconds
    if first.routes and second.objective > first.objective:
        return replace(first, seconds=seconds)  # never worse than the first phase
    return replace(second, routes=remap_routes(second.routes, keep), seconds=seconds)


def _first_phase(stopping: StoppingCriterion) -> StoppingCriterion:
    limits: list[StoppingCriterion] = [SolutionLimit(FIRST_PHASE_SOLUTIONS)]
    seconds = stopping.time_budget()
    if seconds is not None:
        limits.append(TimeLimit(max(0.2, seconds * FIRST_PHASE_TIME_SHARE)))
    return FirstOf(tuple(limits))


def kept_vehicles(data: VrpData, used: set[int]) -> list[int]:
    """Vehicles to keep so that every exclusive group has at most one left.

    Used vehicles stay; of the unused ones, those in fewer groups (a coach's car rather
    than the van) are kept first, as long as no group gets a second member.
    """
    groups_of: dict[int, list[int]] = {}
    for g, group in enumerate(data.exclusive):
        for k in group:
            groups_of.setdefault(k, []).append(g)
    order = sorted(
        range(len(data.vehicles)),
        key=lambda k: (k not in used, len(groups_of.get(k, [])), k),
    )
    taken: set[int] = set()  # groups that already have a kept member
    keep: list[int] = []
    for k in order:
        groups = groups_of.get(k, [])
        if any(g in taken for g in groups):
            continue
        taken.update(groups)
        keep.append(k)
    return sorted(keep)


def restrict_vehicles(data: VrpData, keep: list[int]) -> VrpData:
    """The same instance with only the ``keep`` vehicles (renumbered) and no groups left."""
    new_index = {old: new for new, old in enumerate(keep)}

    def remap(allowed: tuple[int, ...] | None) -> tuple[int, ...] | None:
        if not allowed:
            return allowed
        # A visit none of whose vehicles is left may not go anywhere: -1 alone says so.
        return tuple(new_index[k] for k in allowed if k in new_index) or (-1,)

    return replace(
        data,
        vehicles=tuple(data.vehicles[k] for k in keep),
        allowed=tuple(remap(a) for a in data.allowed),
        exclusive=(),
    )


def remap_routes(routes: tuple[VrpRoute, ...], keep: list[int]) -> tuple[VrpRoute, ...]:
    return tuple(replace(r, vehicle=keep[r.vehicle]) for r in routes)
