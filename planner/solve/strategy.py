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

import math
import time
from dataclasses import dataclass, replace
from functools import partial
from typing import Literal

from planner.solve import decompose, pyvrp_adapter, recreate
from planner.solve.breaks import lawful_route
from planner.solve.ortools_adapter import (
    DEFAULT_SEARCH,
    SearchSettings,
    descend,
    dual_prices,
    select_routes,
    solve_vrp,
)
from planner.solve.stopping import FirstOf, SolutionLimit, StoppingCriterion, TimeLimit
from planner.solve.vrp import SeenRoutes, VrpData, VrpRoute, VrpSolution


@dataclass(frozen=True)
class Pricing:
    """Column generation around the route selections (:mod:`planner.solve.pricing`):
    before each selection, the LP relaxation of the selection prices visits and vehicles,
    and routes that could lower it join the pool. Engine-neutral, checked when made; the
    defaults are measured in docs/engines.md, step 5.
    """

    #: Rounds of pricing and route search before each selection.
    rounds: int = 1
    #: Only weeks of up to this many routed visits. Measured with the default budget:
    #: better at 82 and 138 visits (demo, 150 clients), worse at 276 (500 clients:
    #: 105.9 M against 103.1 M) and 462 (1,000 clients: 200.4 M against 194.1 M), where
    #: the selections over priced routes are harder and the iterations fewer.
    max_visits: int = 200
    #: Ruin-and-recreate iterations per solution of the budget on a priced week (instead
    #: of ``Effort.iterations_per_solution``): the pricing and the harder selections take
    #: the CPU of the missing iterations (demo week: 200 iterations instead of 250).
    iterations_per_solution: float = 1.0
    #: Selections per run (evenly spaced, the last after the last iteration).
    selections: int = 4
    #: Deterministic work of one selection (CP-SAT's unit): over priced routes it rarely
    #: proves its optimum and spends its limit. 1 and 2 units gave the same plans, 0.5
    #: about as good, 0.25 clearly worse (150 clients: 37.7-38.8 M against 37.0-37.4 M).
    select_work: float = 0.5

    def __post_init__(self) -> None:
        if self.rounds < 0 or self.max_visits < 0:
            raise ValueError("rounds and max_visits must not be negative")
        if not 0 <= self.iterations_per_solution < math.inf:
            raise ValueError("iterations_per_solution must be a finite number ≥ 0")
        if self.selections < 1 or not 0 < self.select_work < math.inf:
            raise ValueError("selections must be at least 1 and select_work positive")


DEFAULT_PRICING = Pricing()


@dataclass(frozen=True)
class Effort:
    """How :func:`solve_recreate` spends a solution budget: engine-neutral knobs, checked
    when made. The defaults are the planner's (measured in docs/engines.md); the long
    reference runs of benchmarks/lahn_dill.py search more with their own ``Effort``.
    """

    #: Share of the solution budget for OR-Tools' guided local search: it reaches a first
    #: local optimum after ~100 solutions on the demo week (0.5 CPU-s) and then gains
    #: little per solution, where ruin and recreate with route selection gains much.
    gls_share: float = 0.5
    #: Ruin-and-recreate iterations per solution of the budget: the default 200 solutions
    #: buy 100 solutions of guided local search and then 250 iterations …
    iterations_per_solution: float = 1.25
    #: … on weeks up to this many routed visits; larger weeks get proportionally more,
    #: since one iteration reshuffles a neighbourhood of fixed size (1,000 clients, 462
    #: visits: 385 iterations).
    visits_per_iteration_scale: int = 300
    #: Repair of a ruined neighbourhood: 0 is OR-Tools' greedy descent; n > 0 is guided
    #: local search for n solutions from the ruined routes, several times slower per
    #: iteration but passing through far more routes for the selections.
    repair_solutions: int = 0
    #: Column generation around the selections on weeks it suits; None: none.
    pricing: Pricing | None = DEFAULT_PRICING

    def __post_init__(self) -> None:
        if not 0.0 <= self.gls_share <= 1.0:
            raise ValueError(f"gls_share must lie in [0, 1], not {self.gls_share}")
        if not 0 <= self.iterations_per_solution < math.inf:
            raise ValueError("iterations_per_solution must be a finite number ≥ 0")
        if self.visits_per_iteration_scale < 1:
            raise ValueError("visits_per_iteration_scale must be at least 1")
        if self.repair_solutions < 0:
            raise ValueError("repair_solutions must not be negative")

    def priced(self, visits: int) -> Pricing | None:
        """The pricing a week (or part) of ``visits`` routed visits gets, if any."""
        p = self.pricing
        return p if p is not None and p.rounds > 0 and visits <= p.max_visits else None

    def iterations(self, budget: int | None, visits: int) -> int:
        """Ruin-and-recreate iterations for a solution ``budget`` on a week of ``visits``
        routed visits (none without a budget: then only the time limit could end them)."""
        if budget is None:
            return 0
        scale = max(1.0, visits / self.visits_per_iteration_scale)
        pricing = self.priced(visits)
        rate = self.iterations_per_solution if pricing is None else pricing.iterations_per_solution
        return round(round(rate * budget) * scale)


DEFAULT_EFFORT = Effort()

#: Least solutions (and iterations) of one part of a very large week (planner.solve.decompose).
MIN_PART_SOLUTIONS = 50
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
    effort: Effort = DEFAULT_EFFORT,
) -> VrpSolution:
    """Solve ``data`` with the engine that fits.

    ``auto``: PyVRP alone where it models the instance exactly (the VRPTW benchmarks),
    every planner week by :func:`solve_recreate` with ``effort``. ``ortools``: OR-Tools
    alone, exclusive groups in two phases (the long reference of the benchmarks).
    ``hybrid``: PyVRP's routes finished by OR-Tools (:func:`solve_hybrid`, the default
    until 2026-12-01).
    """
    if engine == "pyvrp" or (engine == "auto" and pyvrp_adapter.can_model(data)):
        return pyvrp_adapter.solve_pyvrp(data, stopping, seed)
    if engine in ("auto", "recreate"):
        return solve_recreate(data, stopping, search, effort=effort)
    if engine == "hybrid":
        return solve_hybrid(data, stopping, search)
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
    return _counted(FIRST_PHASE_SOLUTIONS, stopping.time_budget())


def _counted(solutions: int | None, seconds: float | None) -> StoppingCriterion:
    """``solutions`` solutions (if given), ``seconds`` of wall time (if given) as the safety
    net, whichever comes first."""
    limits: list[StoppingCriterion] = []
    if solutions is not None:
        limits.append(SolutionLimit(max(1, solutions)))
    if seconds is not None:
        limits.append(TimeLimit(seconds))
    return FirstOf(tuple(limits))


def _seconds_left(deadline: float | None) -> float | None:
    return None if deadline is None else max(0.1, deadline - time.perf_counter())


def kept_vehicles(data: VrpData, used: set[int]) -> list[int]:
    """Vehicles to keep so that every exclusive group has at most one left.

    Used vehicles stay; of the unused ones, those in fewer groups (a coach's car rather
    than the van) are kept first, as long as no group gets a second member.
    """
    groups_of = _groups_of(data)
    order = sorted(
        range(len(data.vehicles)),
        key=lambda k: (k not in used, len(groups_of.get(k, [])), k),
    )
    return sorted(_one_per_group(order, groups_of))


def _groups_of(data: VrpData) -> dict[int, list[int]]:
    """Vehicle → the exclusive groups it belongs to."""
    groups_of: dict[int, list[int]] = {}
    for g, group in enumerate(data.exclusive):
        for k in group:
            groups_of.setdefault(k, []).append(g)
    return groups_of


def _one_per_group(order: list[int], groups_of: dict[int, list[int]]) -> list[int]:
    """Vehicles in ``order``, each taken unless one of its groups already has a member."""
    taken: set[int] = set()  # groups that already have a kept member
    keep: list[int] = []
    for k in order:
        groups = groups_of.get(k, [])
        if any(g in taken for g in groups):
            continue
        taken.update(groups)
        keep.append(k)
    return keep


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


objective = recreate.objective


def lawful_routes(data: VrpData, routes: tuple[VrpRoute, ...]) -> tuple[VrpRoute, ...]:
    """Exact timetables with breaks; visits a vehicle may not serve or cannot fit go."""
    out: list[VrpRoute] = []
    for r in routes:
        nodes = tuple(n for n in r.nodes if data.allows(r.vehicle, n))
        fixed, _ = lawful_route(data, replace(r, nodes=nodes, starts=(0,) * len(nodes)))
        if fixed is not None and fixed.nodes:
            out.append(fixed)
    return tuple(sorted(out, key=lambda r: r.vehicle))


def solve_recreate(
    data: VrpData,
    stopping: StoppingCriterion,
    search: SearchSettings = DEFAULT_SEARCH,
    *,
    effort: Effort = DEFAULT_EFFORT,
) -> VrpSolution:
    """The planner's weeks: van chosen, guided local search, then ruin and recreate.

    1. :func:`choose_vehicles` settles the exclusive groups (the one van) from the
       instance alone, without a search (a search on the full model with the groups cost
       minutes on a week of 1,000 clients).
    2. OR-Tools' guided local search plans the week with that choice, for
       ``effort.gls_share`` of the solution budget of ``stopping``.
    3. :func:`planner.solve.recreate.improve` improves the plan for
       :meth:`Effort.iterations` of the solution budget, and now and then picks the best
       plan made of every route seen so far (CP-SAT, :func:`select_routes`); on weeks
       :meth:`Effort.priced` names, routes priced by the selection's LP relaxation
       (GLOP, :func:`dual_prices`) join the pool first; every plan it keeps is lawful
       (breaks, windows, vehicles).

    Every step is counted in work, so the plan depends on the input alone; the time
    limit of ``stopping`` stays the safety net for all of them together.
    """
    began = time.perf_counter()
    budget = stopping.solution_budget()
    keep = list(range(len(data.vehicles)))
    work = data
    if data.exclusive:
        keep = kept_vehicles(data, choose_vehicles(data))
        work = restrict_vehicles(data, keep)
    seconds = stopping.time_budget()
    deadline = None if seconds is None else began + seconds
    pieces = decompose.split(work)
    if len(pieces) == 1:
        iterations = effort.iterations(budget, len(work.visits))
        seen: SeenRoutes = []
        gls = _gls_share(stopping.remaining(time.perf_counter() - began), effort.gls_share)
        base = solve_vrp(work, gls, search, seen=seen)
        pricing = effort.priced(len(work.visits))
        routes = _improved(work, base, iterations, search, deadline, seen, effort, pricing)
    else:
        iterations = effort.iterations(budget, 0)  # parts are small: no scale for size
        base, routes = _solve_in_parts(work, pieces, stopping, search, iterations, deadline, effort)
    served = {m for r in routes for m in r.nodes}
    return replace(
        base,
        routes=remap_routes(routes, keep),
        dropped=tuple(n for n in data.visits if n not in served),
        objective=objective(work, routes) if base.found else base.objective,
        seconds=time.perf_counter() - began,
    )


def _gls_share(stopping: StoppingCriterion, share: float) -> StoppingCriterion:
    """``stopping`` with ``share`` of its solution budget (its time limit stays)."""
    budget = stopping.solution_budget()
    if budget is None:
        return stopping
    return _counted(round(share * budget), stopping.time_budget())


def _improved(
    data: VrpData,
    base: VrpSolution,
    iterations: int,
    search: SearchSettings,
    deadline: float | None,
    before: SeenRoutes,
    effort: Effort,
    pricing: Pricing | None = None,
) -> tuple[VrpRoute, ...]:
    """``base`` improved by ruin and recreate with route selection (``before``: routes
    the search that made ``base`` passed through), with ``pricing`` around the
    selections if given."""
    if not base.found or not base.routes:
        return base.routes

    def repair(
        small: VrpData, partial: tuple[VrpRoute, ...], seen: SeenRoutes | None = None
    ) -> VrpSolution | None:
        if not effort.repair_solutions:
            return descend(small, partial, seen, search=search)
        limit = _counted(effort.repair_solutions, _seconds_left(deadline))
        found = solve_vrp(small, limit, search, initial=partial, seen=seen)
        return found if found.found else None

    select = select_routes if pricing is None else partial(select_routes, work=pricing.select_work)
    return recreate.improve(
        data,
        base.routes,
        iterations,
        repair,
        select=select,
        price=dual_prices,
        pricing_rounds=0 if pricing is None else pricing.rounds,
        selections=recreate.SELECTIONS if pricing is None else pricing.selections,
        seen=before,
        deadline=deadline,
    )


def _solve_in_parts(
    data: VrpData,
    pieces: list[tuple[list[int], list[int]]],
    stopping: StoppingCriterion,
    search: SearchSettings,
    iterations: int,
    deadline: float | None,
    effort: Effort,
) -> tuple[VrpSolution, tuple[VrpRoute, ...]]:
    """Each part of :func:`decompose.split` alone, with an even share of the budget."""
    budget = stopping.solution_budget()
    share = None if budget is None else max(MIN_PART_SOLUTIONS, budget // len(pieces))
    gls = None if share is None else round(effort.gls_share * share)
    part_iterations = max(MIN_PART_SOLUTIONS, iterations // len(pieces)) if iterations else 0
    routes: list[VrpRoute] = []
    statuses: list[str] = []
    found_any = False
    for vehicles, visits in pieces:
        small, nodes = recreate.neighbourhood(data, vehicles, visits)
        seen: SeenRoutes = []
        part = solve_vrp(small, _counted(gls, _seconds_left(deadline)), search, seen=seen)
        # No pricing in parts: the parts of very large teams were not measured with it.
        found = _improved(small, part, part_iterations, search, deadline, seen, effort)
        routes += [
            replace(r, vehicle=vehicles[r.vehicle], nodes=tuple(nodes[n] for n in r.nodes))
            for r in found
        ]
        found_any = found_any or part.found
        statuses.append(part.status)
    ordered = tuple(sorted(routes, key=lambda r: r.vehicle))
    status = max(set(statuses), key=lambda text: (statuses.count(text), text))
    return VrpSolution(ordered, (), 0, 0.0, status, found=found_any), ordered


def choose_vehicles(data: VrpData) -> set[int]:
    """Vehicles to use where exclusive groups force a choice (the van: which coach, which day).

    Each visit spreads its drop penalty evenly over the vehicles that may serve it; a
    vehicle's worth is what it collects. Vehicles in no group are always used; of the
    others, the worthiest are taken first while no group gets a second member. So the
    van goes, each day, to the coach whose van shift reaches the most van visits (which
    no car may serve) and otherwise the most visits; a coach without it keeps the car.
    Measured (docs/engines.md): the same choice as a 40-solution search on the full model
    on the demo week, as good on the 150-client week, and free of search time.
    """
    worth = [0.0] * len(data.vehicles)
    for node in data.visits:
        given = data.allowed[node] if data.allowed else None
        able = [k for k in given if k >= 0] if given else range(len(data.vehicles))
        if able:
            share = (data.penalties[node] or 0) / len(able)
            for k in able:
                worth[k] += share
    order = sorted(range(len(data.vehicles)), key=lambda k: (-worth[k], k))
    return set(_one_per_group(order, _groups_of(data)))


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
