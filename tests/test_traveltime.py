"""Travel-time estimate: plausible Lahn-Dill figures and matrix invariants."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.traveltime import GreatCircleEstimate, great_circle_m

WETZLAR = (50.5526, 8.5042)
DILLENBURG = (50.7406, 8.2867)

points = st.lists(
    st.tuples(st.floats(50.39, 50.89), st.floats(8.10, 8.66)), min_size=1, max_size=12
)


def test_wetzlar_dillenburg_is_a_realistic_drive() -> None:
    m = GreatCircleEstimate().matrix([WETZLAR, DILLENBURG])
    # Real road: about 30–36 km, 25–40 min by car.
    assert 30_000 <= m.metres[0, 1] <= 40_000
    assert 25 * 60 <= m.seconds[0, 1] <= 40 * 60


def test_great_circle_known_distance() -> None:
    # One degree of latitude is ~111.2 km on the mean sphere.
    d = great_circle_m([(50.0, 8.0), (51.0, 8.0)])
    assert abs(d[0, 1] - 111_195) < 50


def test_matrix_is_read_only_and_marked_estimate() -> None:
    m = GreatCircleEstimate().matrix([WETZLAR, DILLENBURG])
    assert m.is_estimate and "geschätzt" in m.description
    assert not m.seconds.flags.writeable


@settings(max_examples=50, deadline=None)
@given(points)
def test_matrix_invariants(pts: list[tuple[float, float]]) -> None:
    m = GreatCircleEstimate().matrix(pts)
    n = len(pts)
    assert m.seconds.shape == (n, n)
    assert np.all(np.diag(m.seconds) == 0)
    assert np.array_equal(m.seconds, m.seconds.T)
    off = m.seconds[~np.eye(n, dtype=bool)]
    # Every real trip costs at least the fixed overhead (walk to the car, parking).
    assert np.all(off >= 3 * 60)


@settings(max_examples=50, deadline=None)
@given(st.floats(0, 80_000), st.floats(0, 80_000))
def test_longer_road_never_faster(a: float, b: float) -> None:
    est = GreatCircleEstimate()
    short, long_ = sorted((a, b))
    t = est.drive_seconds(np.array([short, long_]))
    assert t[0] <= t[1] + 1e-9
