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

import time
from dataclasses import replace
from typing import Literal

from planner.solve import pyvrp_adapter
from planner.solve.breaks import lawful_route
from planner.solve.ortools_adapter import (
    DEFAULT_SEARCH,
    SearchSettings,
    ruin_and_recreate,
    solve_vrp,
)
from planner.solve.stopping import FirstOf, SolutionLimit, StoppingCriterion, TimeLimit
from planner.solve.vrp import VrpData, VrpRoute, VrpSolution

#: Largest week (routed visits) that engine ``auto`` plans with ruin and recreate
#: (:func:`solve_recreate`); larger weeks go to OR-Tools alone. Measured with the default
#: budget (docs/engines.md): each iteration costs ~0.15 CPU-s on the demo week (82 routed
#: visits) and ~0.5 CPU-s on the 150-client week (138), so weeks of ~300 and more routed
#: visits (500 and 1,000 clients) would not get enough iterations within their budget.
HYBRID_MAX_VISITS = 250
#: Solutions of the default budget per ruin-and-recreate iteration: the default 200
#: solutions buy 200 solutions of guided local search and then 40 iterations.
SOLUTIONS_PER_RECREATE = 10
#: OR-Tools' own default LNS cut, used for weeks above ``HYBRID_MAX_VISITS`` only.
LARGE_WEEK_LNS_CUT_S = 0.1
#: PyVRP iterations of the hybrid strategy's routing step (deterministic work budget).
PYVRP_ITERATIONS = 10_000
#: Budget of the first phase that settles the exclusive groups.
FIRST_PHASE_SOLUTIONS = 40


Engine = Literal["auto", "ortools", "pyvrp", "hybrid", "recreate"]


def solve(
    data: VrpData,
    stopping: StoppingCriterion,
    search: SearchSettings = DEFAULT_SEARCH,
    *,
    engine: Engine = "auto",
    seed: int = pyvrp_adapter.SEED,
) -> VrpSolution:
    """Solve ``data`` with the engine that fits.

    ``auto``: PyVRP alone where it models the instance exactly (the VRPTW benchmarks);
    ruin and recreate on OR-Tools (:func:`solve_recreate`) for weeks up to
    ``HYBRID_MAX_VISITS`` routed visits; OR-Tools alone above that. ``ortools``: OR-Tools
    alone, exclusive groups in two phases. ``hybrid``: PyVRP's routes finished by
    OR-Tools (:func:`solve_hybrid`, the default until 2026-12-02).
    """
    if engine == "pyvrp" or (engine == "auto" and pyvrp_adapter.can_model(data)):
        return pyvrp_adapter.solve_pyvrp(data, stopping, seed)
    if engine == "recreate" or (engine == "auto" and len(data.visits) <= HYBRID_MAX_VISITS):
        return solve_recreate(data, stopping, search)
    if engine == "hybrid":
        return solve_hybrid(data, stopping, search)
    if engine == "auto" and search.lns_cut_s is None:
        # Large weeks: OR-Tools alone with its LNS sub-searches cut after 0.1 s (see
        # SearchSettings.lns_cut_s); the plan says it may differ on another machine.
        cut = replace(search, lns_cut_s=LARGE_WEEK_LNS_CUT_S)
        return replace(solve(data, stopping, cut, engine="ortools"), reproducible=False)
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
    """A fixed amount of work; the caller's time limit stays only the safety net.

    (A share of the time limit would make the van decision depend on the machine's speed.)
    """
    limits: list[StoppingCriterion] = [SolutionLimit(FIRST_PHASE_SOLUTIONS)]
    seconds = stopping.time_budget()
    if seconds is not None:
        limits.append(TimeLimit(seconds))
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


def objective(data: VrpData, routes: tuple[VrpRoute, ...]) -> int:
    """The common objective: fixed costs and arc costs of the routes, penalties of the rest."""
    served = {n for r in routes for n in r.nodes}
    total = 0
    for r in routes:
        vehicle = data.vehicles[r.vehicle]
        cost = data.cost[vehicle.profile]
        path = [vehicle.start, *r.nodes, vehicle.end]
        legs = zip(path, path[1:], strict=False)
        total += vehicle.fixed_cost + sum(int(cost[a, b]) for a, b in legs)
    return total + sum(data.penalties[n] or 0 for n in data.visits if n not in served)


def _allowed(data: VrpData, vehicle: int, node: int) -> bool:
    allowed = data.allowed[node] if data.allowed else None
    return not allowed or vehicle in allowed


def lawful_routes(data: VrpData, routes: tuple[VrpRoute, ...]) -> tuple[VrpRoute, ...]:
    """Exact timetables with breaks; visits a vehicle may not serve or cannot fit go."""
    out: list[VrpRoute] = []
    for r in routes:
        nodes = tuple(n for n in r.nodes if _allowed(data, r.vehicle, n))
        fixed, _ = lawful_route(data, replace(r, nodes=nodes, starts=(0,) * len(nodes)))
        if fixed is not None and fixed.nodes:
            out.append(fixed)
    return tuple(sorted(out, key=lambda r: r.vehicle))


def solve_recreate(
    data: VrpData,
    stopping: StoppingCriterion,
    search: SearchSettings = DEFAULT_SEARCH,
    *,
    iterations: int | None = None,
) -> VrpSolution:
    """The planner's weeks: van decided, guided local search, then ruin and recreate.

    1. Exclusive groups (the one van) are settled by a short OR-Tools search on the full
       model, as in :func:`solve`.
    2. OR-Tools' guided local search plans the week with the van fixed, within
       ``stopping`` (its solution budget).
    3. :func:`~planner.solve.ortools_adapter.ruin_and_recreate` improves that plan for
       ``iterations`` iterations (default: the solution budget / ``SOLUTIONS_PER_RECREATE``);
       every plan it keeps is a solution of the full model (breaks, windows, vehicles).

    Every step is counted in work, so the plan depends on the input alone; the time
    limit of ``stopping`` stays the safety net for all three together.
    """
    began = time.perf_counter()
    if iterations is None:
        budget = stopping.solution_budget()
        iterations = 0 if budget is None else budget // SOLUTIONS_PER_RECREATE
    keep = list(range(len(data.vehicles)))
    work = data
    first: VrpSolution | None = None
    if data.exclusive:
        first = solve_vrp(data, _first_phase(stopping), search)
        keep = kept_vehicles(data, {r.vehicle for r in first.routes})
        work = restrict_vehicles(data, keep)
    base = solve_vrp(work, stopping.remaining(time.perf_counter() - began), search)
    seconds = stopping.time_budget()
    deadline = None if seconds is None else began + seconds
    final = ruin_and_recreate(work, base, iterations, search, deadline=deadline)
    served = {m for r in final.routes for m in r.nodes}
    final = replace(
        final,
        routes=remap_routes(final.routes, keep),
        dropped=tuple(n for n in data.visits if n not in served),
        seconds=time.perf_counter() - began,
    )
    worse = not final.found or (first is not None and first.objective < final.objective)
    if first is not None and first.routes and worse:
        return replace(first, seconds=final.seconds)  # never worse than the van phase
    return final


def solve_hybrid(
    data: VrpData,
    stopping: StoppingCriterion,
    search: SearchSettings = DEFAULT_SEARCH,
    *,
    iterations: int | None = None,
) -> VrpSolution:
    """The planner's weeks: van decided, PyVRP routes, OR-Tools finishes on the full model.

    1. Exclusive groups (the one van) are settled by a short OR-Tools search on the full
       model, as in :func:`solve`.
    2. PyVRP routes the week without breaks and exclusive groups (shifts shortened by the
       break) for ``iterations`` iterations; :mod:`planner.solve.breaks` lays each day
       out lawfully, dropping a visit where no lawful day exists.
    3. OR-Tools starts from those routes on the full model (breaks, every window,
       vehicle restrictions) and improves them within ``stopping``.

    Measured on the demo week: PyVRP finds good routes far faster than OR-Tools' first
    solution and local search, and OR-Tools' guided local search then repairs and
    improves them with every constraint (docs/benchmarks.md).
    """
    began = time.perf_counter()
    iterations = PYVRP_ITERATIONS if iterations is None else iterations
    keep = list(range(len(data.vehicles)))
    work = data
    first: VrpSolution | None = None
    if data.exclusive:
        first = solve_vrp(data, _first_phase(stopping), search)
        keep = kept_vehicles(data, {r.vehicle for r in first.routes})
        work = restrict_vehicles(data, keep)
    spent = time.perf_counter() - began
    seconds = stopping.time_budget()
    relaxed = pyvrp_adapter.solve_relaxed(
        work, iterations, seconds=None if seconds is None else max(0.1, seconds - spent)
    )
    start = lawful_routes(work, relaxed.routes)
    spent = time.perf_counter() - began
    final = solve_vrp(work, stopping.remaining(spent), search, initial=start)
    start_value = objective(work, start)
    if start_value < final.objective or not final.found:
        final = replace(final, routes=start, objective=start_value, found=True)
    served = {m for r in final.routes for m in r.nodes}
    final = replace(
        final,
        routes=remap_routes(final.routes, keep),
        dropped=tuple(n for n in data.visits if n not in served),
        seconds=time.perf_counter() - began,
    )
    if first is not None and first.routes and first.objective < final.objective:
        return replace(first, seconds=final.seconds)  # never worse than the van phase
    return final
