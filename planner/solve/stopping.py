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

    def outcome(self, elapsed_s: float) -> str | None:
        """German note on why the search stopped, if this criterion stopped it."""
        ...

    def time_budget(self) -> float | None:
        """Seconds of wall time this criterion allows, None when it is not time-based."""
        ...

    def remaining(self, elapsed_s: float) -> StoppingCriterion:
        """The criterion for a follow-up search after ``elapsed_s`` were spent."""
        ...

    def solution_budget(self) -> int | None:
        """Number of solutions this criterion allows, None when it does not count them."""
        ...


@dataclass(frozen=True)
class TimeLimit:
    """Stop after this many seconds of wall time (not reproducible across machines)."""

    seconds: float
    #: The limit the user asked for, when this one is what is left of it after set-up.
    asked: float | None = None

    def apply(self, params: routing_parameters_pb2.RoutingSearchParameters) -> None:
        params.time_limit.FromMilliseconds(max(1, int(self.seconds * 1000)))

    def describe(self) -> str:
        return f"Zeitlimit {self.asked or self.seconds:g} s"

    def outcome(self, elapsed_s: float) -> str | None:
        # OR-Tools stops a little after the limit; 2 % slack covers reading the result.
        if elapsed_s >= 0.98 * self.seconds:
            return (
                f"Zeitlimit {self.asked or self.seconds:g} s erreicht – auf einem anderen Rechner "
                "kann der Plan abweichen"
            )
        return None

    def time_budget(self) -> float | None:
        return self.seconds

    def remaining(self, elapsed_s: float) -> StoppingCriterion:
        return TimeLimit(max(0.1, self.seconds - elapsed_s), self.asked or self.seconds)

    def solution_budget(self) -> int | None:
        return None


@dataclass(frozen=True)
class SolutionLimit:
    """Stop after this many solutions found by the search (reproducible)."""

    count: int

    def apply(self, params: routing_parameters_pb2.RoutingSearchParameters) -> None:
        params.solution_limit = max(1, self.count)

    def describe(self) -> str:
        return f"Lösungslimit {self.count}"

    def outcome(self, elapsed_s: float) -> str | None:
        return f"Suche nach {self.count} Lösungen beendet (reproduzierbar)"

    def time_budget(self) -> float | None:
        return None

    def remaining(self, elapsed_s: float) -> StoppingCriterion:
        return self

    def solution_budget(self) -> int | None:
        return self.count


@dataclass(frozen=True)
class FirstOf:
    """Stop at whichever criterion is reached first."""

    criteria: tuple[StoppingCriterion, ...]

    def apply(self, params: routing_parameters_pb2.RoutingSearchParameters) -> None:
        for criterion in self.criteria:
            criterion.apply(params)

    def describe(self) -> str:
        return " oder ".join(c.describe() for c in self.criteria)

    def outcome(self, elapsed_s: float) -> str | None:
        # A time limit that was reached is the news; otherwise the deterministic limit ended it.
        notes = [c.outcome(elapsed_s) for c in self.criteria]
        timed = [
            n for c, n in zip(self.criteria, notes, strict=True) if isinstance(c, TimeLimit) and n
        ]
        return timed[0] if timed else next((n for n in notes if n), None)

    def time_budget(self) -> float | None:
        budgets = [b for c in self.criteria if (b := c.time_budget()) is not None]
        return min(budgets) if budgets else None

    def remaining(self, elapsed_s: float) -> StoppingCriterion:
        return FirstOf(tuple(c.remaining(elapsed_s) for c in self.criteria))

    def solution_budget(self) -> int | None:
        budgets = [b for c in self.criteria if (b := c.solution_budget()) is not None]
        return min(budgets) if budgets else None
