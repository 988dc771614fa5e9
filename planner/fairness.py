"""Fair load: each coach's share of the planned visit time against their share of work.

When more people wait than the period holds, every coach's planned visit time should be
proportional to their working time (a part-time coach gets fewer visits, not the
leftovers). ``FAIR_TOLERANCE`` is how far a share may stray from that target.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from planner.model import CoachLoad

#: A coach's share of visit time may deviate this much (relative) from their share of work.
FAIR_TOLERANCE = 0.15


@dataclass(frozen=True)
class Share:
    load: CoachLoad
    share: float  # of all planned visit minutes
    target: float  # of all working minutes

    @property
    def ratio(self) -> float:
        """Share over target: 1.0 is exactly proportional."""
        return self.share / self.target if self.target else 0.0

    @property
    def fair(self) -> bool:
        return abs(self.ratio - 1.0) <= FAIR_TOLERANCE


def shares(loads: Sequence[CoachLoad]) -> tuple[Share, ...]:
    """Shares of the coaches who work in the period (none when nothing is planned)."""
    working = [load for load in loads if load.working_min > 0]
    visits = sum(load.visit_min for load in working)
    work = sum(load.working_min for load in working)
    if not visits or not work:
        return ()
    return tuple(Share(load, load.visit_min / visits, load.working_min / work) for load in working)
