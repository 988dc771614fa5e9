"""Small synthetic VRP instances shared by the solver tests and the benchmarks' host check."""

from __future__ import annotations

import numpy as np

from planner.solve.vrp import Vehicle, VrpData


def crowded_week(seed: int = 7, customers: int = 12) -> VrpData:
    """Optional customers with two windows each, more than two short days hold."""
    rng = np.random.default_rng(seed)
    pos = np.concatenate([[0], rng.integers(0, 200, customers)])
    matrix = (np.abs(pos[:, None] - pos[None, :]) + 5).astype(np.int64)
    np.fill_diagonal(matrix, 0)
    day = 1000
    return VrpData(
        vehicles=tuple(Vehicle(0, 0, d * day, d * day + 400, fixed_cost=50) for d in (0, 1)),
        time=(matrix,),
        cost=(matrix,),
        service=(0,) + (60,) * customers,
        windows=((),) + tuple(((0, 300), (day, day + 300)) for _ in range(customers)),
        penalties=(None,) + tuple(int(p) for p in rng.integers(1_000, 5_000, customers)),
        horizon=2 * day,
    )
