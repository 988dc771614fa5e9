"""A rich VRPTW instance in solver terms: integers, nodes and vehicles, no domain words.

The planner translates its :class:`~planner.solve.problem.Problem` into a
:class:`VrpData`; the benchmarks translate Solomon and Gehring–Homberger files into one.
Both then go through the same OR-Tools adapter with the same search code paths.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

IntMatrix = npt.NDArray[np.int64]


@dataclass(frozen=True)
class BreakSpec:
    """Rest-break rule for one vehicle (all in the time unit of the instance)."""

    max_work: int  # longest stretch of work without a break of at least ``length``
    length: int
    not_before: int  # earliest start of the break, counted from the vehicle's ``earliest``
    long_day: int | None = None  # a route longer than this needs ``extra`` more break time
    extra: int = 0


@dataclass(frozen=True)
class Vehicle:
    start: int  # node
    end: int  # node
    earliest: int  # the route may not start before
    latest: int  # the route must be back by
    profile: int = 0  # index into VrpData.time / VrpData.cost
    fixed_cost: int = 0  # paid when the vehicle is used at all
    capacity: int = 0  # only read when VrpData.demand is given
    breaks: BreakSpec | None = None


@dataclass(frozen=True, eq=False)
class VrpData:
    """Everything the adapter needs. Depots are the nodes vehicles start or end at."""

    vehicles: tuple[Vehicle, ...]
    time: tuple[IntMatrix, ...]  # per profile: travel time between nodes
    cost: tuple[IntMatrix, ...]  # per profile: arc cost (often the same matrix)
    service: tuple[int, ...]  # per node
    windows: tuple[tuple[tuple[int, int], ...], ...]  # per node: start intervals; () = any
    penalties: tuple[int | None, ...]  # per node: price of not visiting; None = mandatory
    horizon: int
    allowed: tuple[tuple[int, ...] | None, ...] = ()  # per node: vehicles; None/() = all
    demand: tuple[int, ...] = ()  # per node; empty = no capacity constraint
    exclusive: tuple[tuple[int, ...], ...] = ()  # vehicle groups of which at most one is used
    places: frozenset[int] = frozenset()  # nodes that are never visited (offices), used or not

    @property
    def n_nodes(self) -> int:
        return len(self.service)

    @property
    def route_ends(self) -> frozenset[int]:
        """Nodes some vehicle starts or ends at."""
        return frozenset(v.start for v in self.vehicles) | frozenset(v.end for v in self.vehicles)

    @property
    def visits(self) -> tuple[int, ...]:
        """Nodes to be visited (everything that is neither a route end nor a place)."""
        skip = self.route_ends | self.places
        return tuple(n for n in range(self.n_nodes) if n not in skip)

    def allows(self, vehicle: int, node: int) -> bool:
        """Whether ``vehicle`` may serve ``node`` (no list for the node: every vehicle)."""
        allowed = self.allowed[node] if self.allowed else None
        return not allowed or vehicle in allowed

    def route_cost(self, vehicle: int, nodes: Sequence[int]) -> int:
        """Fixed cost and arc costs of one route of ``vehicle`` through ``nodes``."""
        k = self.vehicles[vehicle]
        cost = self.cost[k.profile]
        path = [k.start, *nodes, k.end]
        return k.fixed_cost + sum(int(cost[a, b]) for a, b in zip(path, path[1:], strict=False))

    def validate(self) -> None:
        """Cheap consistency checks: lengths and matrix shapes."""
        n = self.n_nodes
        for name in ("windows", "penalties"):
            if len(getattr(self, name)) != n:
                raise ValueError(f"{name} must have one entry per node")
        if self.allowed and len(self.allowed) != n:
            raise ValueError("allowed must be empty or have one entry per node")
        if self.demand and len(self.demand) != n:
            raise ValueError("demand must be empty or have one entry per node")
        if len(self.time) != len(self.cost):
            raise ValueError("time and cost need the same profiles")
        for matrix in (*self.time, *self.cost):
            if matrix.shape != (n, n):
                raise ValueError("matrices must be n_nodes × n_nodes")
        profiles = len(self.time)
        for v in self.vehicles:
            if not 0 <= v.profile < profiles or not (0 <= v.start < n and 0 <= v.end < n):
                raise ValueError(f"vehicle {v} refers to a missing node or profile")


@dataclass(frozen=True)
class VrpRoute:
    vehicle: int
    nodes: tuple[int, ...]  # visited nodes in order, depots excluded
    starts: tuple[int, ...]  # service start per visited node
    start: int  # leaves the start depot
    end: int  # arrives at the end depot
    breaks: tuple[tuple[int, int], ...] = ()  # (start, duration)


#: Routes a search passed through, as (vehicle, visited nodes in order), appended per solution.
SeenRoutes = list[tuple[int, tuple[int, ...]]]


@dataclass(frozen=True)
class Column:
    """A route offered to :func:`planner.solve.ortools_adapter.select_routes`."""

    vehicle: int
    nodes: tuple[int, ...]
    cost: int  # what the route adds to the objective: its cost minus the penalties it saves


@dataclass(frozen=True)
class Prices:
    """The duals of the route selection's LP relaxation over a pool of routes."""

    visits: Mapping[int, float]  # per visit node: the price of serving it (≤ 0)
    vehicles: Mapping[int, float]  # per vehicle: the price of using it (≤ 0)
    bound: float  # the relaxation's value (the columns' cost, without the penalties)

    def reduced_cost(self, column: Column) -> float:
        """What adding ``column`` could lower the relaxation by (negative: worth adding)."""
        return (
            column.cost
            - sum(self.visits.get(n, 0.0) for n in column.nodes)
            - self.vehicles.get(column.vehicle, 0.0)
        )


@dataclass(frozen=True)
class VrpSolution:
    routes: tuple[VrpRoute, ...]  # only vehicles that visit at least one node
    dropped: tuple[int, ...]  # optional nodes left out
    objective: int
    seconds: float
    status: str
    #: False when the search ended before it had any solution (e.g. out of time): then
    #: ``dropped`` means "not searched", not "did not fit".
    found: bool = True

    @property
    def vehicles_used(self) -> int:
        return len(self.routes)
