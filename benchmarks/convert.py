"""Benchmark instance → solver data (:class:`~planner.solve.vrp.VrpData`), engine-neutral.

Integer data ×100, the convention of the issue: distances (the cost) are
``round(100 × Euclidean)``, service, ready and due times ×100 (exact: the files hold
integers). Travel *times* are rounded up, ``ceil(100 × Euclidean)``: with plain rounding
a plan can be on time in integers yet 0.01 late in exact arithmetic (R107 was, in the
first full run), and the checker re-measures every solution with unrounded distances.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from benchmarks.instances import Instance
from planner.solve.vrp import IntMatrix, Vehicle, VrpData

Objective = Literal["hierarchical", "distance"]
SCALE = 100


def scaled_distances(instance: Instance) -> IntMatrix:
    """round(100 × Euclidean distance) between all nodes."""
    xy = np.asarray(instance.coords, dtype=np.float64)
    exact = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
    scaled: IntMatrix = np.rint(SCALE * exact).astype(np.int64)
    return scaled


def travel_times(instance: Instance) -> IntMatrix:
    """ceil(100 × Euclidean): never shorter than the exact time, so on-time stays on time."""
    xy = np.asarray(instance.coords, dtype=np.float64)
    exact = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
    # The tiny tolerance keeps exact integers (e.g. 5.000000001 × 100) from rounding up.
    times: IntMatrix = np.ceil(SCALE * exact - 1e-9).astype(np.int64)
    return times


def vehicle_cost_bound(distances: IntMatrix, max_vehicles: int) -> int:
    """A fixed cost per vehicle that outweighs any difference in total distance.

    Every customer leaves by exactly one arc and every used vehicle leaves the depot by
    one, so no solution is longer than the sum of the longest arc out of each customer
    plus ``max_vehicles`` × the longest arc out of the depot. One vehicle fewer therefore
    always pays, which makes the sum "vehicles first, then distance" (as the BKS are).
    Far smaller than 100 × the sum of all distances, which keeps objectives readable.
    """
    longest_out = distances.max(axis=1)
    return int(longest_out[1:].sum() + max_vehicles * longest_out[0] + 1)


def _scale(value: float) -> int:
    return round(SCALE * value)


def to_vrp(instance: Instance, objective: Objective = "hierarchical") -> VrpData:
    """Solver data for one instance: node 0 depot, K identical vehicles, all visits mandatory.

    ``hierarchical`` minimises vehicles, then distance (fixed cost per vehicle, see
    :func:`vehicle_cost_bound`); ``distance`` minimises distance alone (no fixed cost).
    """
    distances = scaled_distances(instance)
    if objective == "hierarchical":
        fixed = vehicle_cost_bound(distances, instance.max_vehicles)
    elif objective == "distance":
        fixed = 0
    else:
        raise ValueError(f"unknown objective {objective!r}")
    horizon = _scale(instance.horizon)
    vehicle = Vehicle(
        start=0,
        end=0,
        earliest=_scale(instance.ready[0]),  # 0 in every file
        latest=horizon,
        fixed_cost=fixed,
        capacity=instance.capacity,
    )
    n = len(instance.coords)
    windows = tuple(
        ((_scale(instance.ready[i]), _scale(instance.due[i])),) if i else () for i in range(n)
    )
    return VrpData(
        vehicles=(vehicle,) * instance.max_vehicles,
        time=(travel_times(instance),),
        cost=(distances,),
        service=tuple(_scale(s) for s in instance.service),
        windows=windows,
        penalties=(None,) * n,  # every customer must be served
        horizon=horizon,
        demand=instance.demand,
    )
