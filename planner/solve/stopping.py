"""Stopping criteria for the search: small strategy objects applied to OR-Tools' parameters.

Reproducibility: OR-Tools' routing search is deterministic with one worker, so the
same problem and the same *solution* limit give the same plan on any machine. A time
limit depends on machine speed; it is therefore only a safety net by default.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ortools.constraint_solver import routing_parameters_pb2


class StoppingCriterion(Protocol):
    def apply(self, params: routing_parameters_pb2.RoutingSearchParameters) -> None: ...

    def describe(self) -> str: ...


@dataclass(frozen=True)
class TimeLimit:
    """Stop after this many seconds of wall time (not reproducible across machines)."""

    seconds: float

    def apply(self, params: routing_parameters_pb2.RoutingSearchParameters) -> None:
        params.time_limit.FromMilliseconds(max(1, int(self.seconds * 1000)))

    def describe(self) -> str:
        return f"Zeitlimit {self.seconds:g} s"


@dataclass(frozen=True)
class SolutionLimit:
    """Stop after this many solutions found by the search (reproducible)."""

    count: int

    def apply(self, params: routing_parameters_pb2.RoutingSearchParameters) -> None:
        params.solution_limit = max(1, self.count)

    def describe(self) -> str:
        return f"Lösungslimit {self.count}"


@dataclass(frozen=True)
class FirstOf:
    """Stop at whichever criterion is reached first."""

    criteria: tuple[StoppingCriterion, ...]

    def apply(self, params: routing_parameters_pb2.RoutingSearchParameters) -> None:
        for criterion in self.criteria:
            criterion.apply(params)

    def describe(self) -> str:
        return " oder ".join(c.describe() for c in self.criteria)
