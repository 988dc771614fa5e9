"""Very large weeks in parts: a handful of coaches and the visits around them, each alone.

OR-Tools' first solution grows with visits² × vehicles: a week of 5,000 clients and 50
coaches (2,279 routed visits, 228 coach-days) found no first solution in 300 s, so the
plan stayed empty. Split into parts of at most ``PART_VEHICLES`` vehicles, each part is
a week of the size the planner handles in seconds; the parts share no vehicle and no
visit, so their plans together are a plan of the whole week.

The cut is made on the instance alone (travel times, no coordinates): vehicles are
grouped by their start depot (the office) and dealt out day by day, so every part has
every day; the visits of an office are clustered around seeds spread by farthest-first
traversal and shared out in proportion to the parts' vehicles. A visit that only some
vehicles may serve (a coach of their own, the van) goes to the part that holds most of
them.
"""

from __future__ import annotations

import math
from collections import defaultdict

from planner.solve.vrp import VrpData

#: Weeks with more vehicles than this (after the van is chosen) are split; the
#: 1,000-client week of the benchmark (10 coaches, 47 vehicles) stays whole.
SPLIT_ABOVE = 60
#: Largest part: about the 500-client week (6 coaches, 28 vehicles, ~11 CPU-s).
PART_VEHICLES = 30
#: A part may take this much more than its share of its office's visits before the next
#: closest part gets them (so clusters stay compact without starving a part).
SHARE_SLACK = 1.1
DAY = 86_400


def split(data: VrpData) -> list[tuple[list[int], list[int]]]:
    """(vehicles, visits) per part; one part when the week is small enough."""
    if len(data.vehicles) <= SPLIT_ABOVE:
        return [(list(range(len(data.vehicles))), list(data.visits))]
    parts: list[list[int]] = []
    by_depot: dict[int, list[int]] = defaultdict(list)
    for k, vehicle in enumerate(data.vehicles):
        by_depot[vehicle.start].append(k)
    depot_parts: dict[int, list[int]] = {}
    for depot in sorted(by_depot):
        vehicles = by_depot[depot]
        count = math.ceil(len(vehicles) / PART_VEHICLES)
        first = len(parts)
        parts.extend([] for _ in range(count))
        # Day by day, the i-th vehicle of the day into part i mod count: each part gets
        # some coaches on every day (shifts are built coach by coach within a day).
        per_day: dict[int, list[int]] = defaultdict(list)
        for k in vehicles:
            per_day[data.vehicles[k].earliest // DAY].append(k)
        for day in sorted(per_day):
            for i, k in enumerate(per_day[day]):
                parts[first + i % count].append(k)
        depot_parts[depot] = list(range(first, first + count))
    visits = _share_visits(data, parts, depot_parts)
    return [(sorted(parts[p]), visits[p]) for p in range(len(parts)) if parts[p]]


def _share_visits(
    data: VrpData, parts: list[list[int]], depot_parts: dict[int, list[int]]
) -> list[list[int]]:
    part_of = {k: p for p, vehicles in enumerate(parts) for k in vehicles}
    depots = sorted(depot_parts)

    # One seed per part: the visits of each office (the nearest one) spread far apart.
    home: dict[int, list[int]] = defaultdict(list)
    for n in data.visits:
        home[min(depots, key=lambda d: (_round_trip(data, d, n), d))].append(n)
    seed: dict[int, int] = {}
    for depot in depots:
        members = depot_parts[depot]
        for p, node in zip(members, _spread(data, depot, home[depot], len(members)), strict=True):
            seed[p] = node
    total = sum(len(v) for v in parts)
    room = {p: math.ceil(SHARE_SLACK * len(data.visits) * len(parts[p]) / total) for p in seed}
    every = sorted(seed)

    def able(n: int) -> list[int]:
        given = data.allowed[n] if data.allowed else None
        if not given:
            return every
        return sorted({part_of[k] for k in given if k >= 0})

    options = {
        n: sorted(able(n), key=lambda p: (_round_trip(data, n, seed[p]), p)) for n in data.visits
    }
    out: list[list[int]] = [[] for _ in parts]
    # The most constrained visits choose first, then those closest to a seed.
    for n in sorted(
        data.visits,
        key=lambda n: (
            len(options[n]),
            _round_trip(data, n, seed[options[n][0]]) if options[n] else 0,
            n,
        ),
    ):
        if not options[n]:
            continue  # no vehicle may serve it: the solver reports it, in no part
        target = next((p for p in options[n] if room[p] > 0), options[n][0])
        room[target] -= 1
        out[target].append(n)
    return [sorted(v) for v in out]


def _spread(data: VrpData, depot: int, nodes: list[int], count: int) -> list[int]:
    """``count`` seeds far apart: farthest-first traversal starting from the depot."""
    if not nodes:
        return [depot] * count
    seeds: list[int] = []
    nearest = {n: _round_trip(data, depot, n) for n in nodes}
    for _ in range(count):
        seed = max(nodes, key=lambda n: (nearest[n], -n))
        seeds.append(seed)
        for n in nodes:
            nearest[n] = min(nearest[n], _round_trip(data, seed, n))
    return seeds


def _round_trip(data: VrpData, a: int, b: int) -> int:
    """Travel time there and back (car profile): how far apart two nodes are."""
    time = data.time[0]
    return int(time[a, b]) + int(time[b, a])
