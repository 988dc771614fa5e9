"""Independent feasibility check of a VRPTW solution, in the exact units of the instance.

Deliberately shares nothing with the solver path (no OR-Tools, no planner code, no ×100
integers): distances are unrounded float Euclidean, as in the best-known solutions.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from benchmarks.instances import Instance

TOLERANCE = 1e-6  # float noise only; the data are integers


@dataclass(frozen=True)
class CheckResult:
    vehicles: int  # non-empty routes
    distance: float  # exact total distance
    violations: tuple[str, ...]

    @property
    def feasible(self) -> bool:
        return not self.violations


def check_solution(instance: Instance, routes: Sequence[Sequence[int]]) -> CheckResult:
    """Check routes (customer ids in visiting order, depot left out) against the instance."""
    used = [list(route) for route in routes if len(route) > 0]
    violations: list[str] = []
    if len(used) > instance.max_vehicles:
        violations.append(f"{len(used)} routes, but only {instance.max_vehicles} vehicles")
    violations += _coverage(instance, used)
    distance = 0.0
    for k, route in enumerate(used, start=1):
        if any(not 1 <= c <= instance.n_customers for c in route):
            continue  # already reported by _coverage; cannot be scheduled
        route_distance, problems = _route(instance, route)
        distance += route_distance
        violations += [f"route {k}: {p}" for p in problems]
    return CheckResult(len(used), distance, tuple(violations))


def _coverage(instance: Instance, routes: list[list[int]]) -> list[str]:
    seen: dict[int, int] = {}
    problems: list[str] = []
    for route in routes:
        for c in route:
            if not 1 <= c <= instance.n_customers:
                problems.append(f"unknown customer {c}")
            seen[c] = seen.get(c, 0) + 1
    problems += [f"customer {c} visited {n} times" for c, n in sorted(seen.items()) if n > 1]
    missing = [c for c in range(1, instance.n_customers + 1) if c not in seen]
    if missing:
        shown = ", ".join(map(str, missing[:10])) + (" …" if len(missing) > 10 else "")
        problems.append(f"not visited ({len(missing)}): {shown}")
    return problems


def _route(instance: Instance, route: list[int]) -> tuple[float, list[str]]:
    """Exact distance of one route and what is wrong with it (earliest-start schedule)."""
    problems: list[str] = []
    load = sum(instance.demand[c] for c in route)
    if load > instance.capacity:
        problems.append(f"load {load} exceeds capacity {instance.capacity}")
    distance, clock, here = 0.0, instance.ready[0], 0
    for c in route:
        leg = math.dist(instance.coords[here], instance.coords[c])
        distance += leg
        # Waiting is allowed: service starts at the later of arrival and ready time.
        start = max(clock + leg, instance.ready[c])
        if start > instance.due[c] + TOLERANCE:
            problems.append(f"customer {c} starts at {start:.4f} after due {instance.due[c]:g}")
        clock, here = start + instance.service[c], c
    leg = math.dist(instance.coords[here], instance.coords[0])
    distance += leg
    if clock + leg > instance.horizon + TOLERANCE:
        problems.append(f"back at depot {clock + leg:.4f} after {instance.horizon:g}")
    return distance, problems
