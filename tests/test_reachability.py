"""Reachability: Beta–Bernoulli estimates per case, weekday and time band."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.campaign.codes import AttemptKind, Outcome, TimeBand
from planner.campaign.model import Attempt
from planner.campaign.reachability import (
    PRIOR_STRENGTH,
    WEEKDAYS,
    CellEstimate,
    Channel,
    estimate,
    extend,
)

MONDAY = datetime(2026, 11, 30)  # a Monday
HOURS = {TimeBand.MORNING: 9, TimeBand.AFTERNOON: 13, TimeBand.EVENING: 17}


def call(
    case_id: str,
    weekday: int,
    band: TimeBand,
    outcome: Outcome,
    *,
    week: int = 0,
    kind: AttemptKind = AttemptKind.CALL,
    time_known: bool = True,
) -> Attempt:
    at = MONDAY + timedelta(days=weekday - 7 * week, hours=HOURS[band])
    return Attempt(case_id, at, "anna", kind, outcome, time_known=time_known)


def calls(case_id: str, weekday: int, band: TimeBand, reached: int, failed: int) -> list[Attempt]:
    """``reached`` contacts and ``failed`` failed calls, one per week back."""
    outcomes = [Outcome.REACHED] * reached + [Outcome.NOT_REACHED] * failed
    return [call(case_id, weekday, band, o, week=i) for i, o in enumerate(outcomes)]


# --------------------------------------------------------------------------- hand figures


def test_no_attempts_means_one_half_everywhere() -> None:
    model = estimate([], Channel.PHONE)
    assert all(cell.p == 0.5 for cell in model.cells("K-1"))
    assert len(model.cells("K-1")) == len(WEEKDAYS) * len(TimeBand)


def test_group_2_of_10_case_0_of_3_is_one_seventh() -> None:
    # Monday morning: the case 0/3, others 2/7 → group 2/10. The other mornings 8/10, so
    # the morning band as a whole is 10/20 → p_band = 11/22 = 1/2, and the cell's group
    # value is Laplace's (2+1)/(10+2) = 1/4. The case: (4·1/4 + 0)/(4 + 3) = 1/7.
    attempts = calls("K-1", 0, TimeBand.MORNING, 0, 3)
    attempts += calls("K-2", 0, TimeBand.MORNING, 2, 5)
    attempts += calls("K-3", 1, TimeBand.MORNING, 8, 2)
    model = estimate(attempts, Channel.PHONE)

    group = model.group(0, TimeBand.MORNING)
    assert (group.successes, group.trials) == (2, 10)
    assert group.p == pytest.approx(1 / 4)
    assert model.p("K-1", 0, TimeBand.MORNING) == pytest.approx(1 / 7)
    cell = model.cells("K-1")[0]
    assert (cell.weekday, cell.band, cell.successes, cell.trials) == (0, TimeBand.MORNING, 0, 3)
    assert cell.p == pytest.approx(1 / 7)
    # A case without attempts there gets the group value.
    assert model.p("K-9", 0, TimeBand.MORNING) == pytest.approx(1 / 4)


def test_sparse_cell_borrows_from_its_band() -> None:
    # Only Monday morning has data (2/10): the morning band is 3/12 = 1/4. Monday morning
    # itself: (2 + 2·1/4)/(10 + 2) = 5/24; an empty morning (Tuesday) is the band's 1/4,
    # not Laplace's 1/2; other bands stay at 1/2.
    attempts = calls("K-1", 0, TimeBand.MORNING, 0, 3) + calls("K-2", 0, TimeBand.MORNING, 2, 5)
    model = estimate(attempts, Channel.PHONE)
    assert model.group(0, TimeBand.MORNING).p == pytest.approx(5 / 24)
    assert model.group(1, TimeBand.MORNING).p == pytest.approx(1 / 4)
    assert model.group(1, TimeBand.EVENING).p == pytest.approx(1 / 2)
    # K-1 in that cell: (4·5/24 + 0)/(4 + 3) = 5/42.
    assert model.p("K-1", 0, TimeBand.MORNING) == pytest.approx(5 / 42)
    assert PRIOR_STRENGTH == 4


def test_which_attempts_count() -> None:
    ignored = [
        call("K-1", 0, TimeBand.MORNING, Outcome.WRONG_NUMBER),
        call("K-1", 0, TimeBand.MORNING, Outcome.MOVED),
        call("K-1", 0, TimeBand.MORNING, Outcome.SENT, kind=AttemptKind.LETTER),
        call("K-1", 0, TimeBand.MORNING, Outcome.REACHED, time_known=False),
        call("K-1", 0, TimeBand.MORNING, Outcome.MET, kind=AttemptKind.VISIT),
    ]
    assert estimate(ignored, Channel.PHONE).cells("K-1") == estimate([], Channel.PHONE).cells("K-1")
    counted = [
        call("K-1", 0, TimeBand.MORNING, Outcome.CALLBACK),  # a contact
        call("K-1", 0, TimeBand.MORNING, Outcome.APPOINTMENT, week=1),  # a contact
        call("K-1", 0, TimeBand.MORNING, Outcome.MAILBOX, week=2),  # failed
    ]
    cell = estimate(ignored + counted, Channel.PHONE).cells("K-1")[0]
    assert (cell.successes, cell.trials) == (2, 3)


def test_door_channel_counts_visits_only() -> None:
    attempts = [
        call("K-1", 2, TimeBand.EVENING, Outcome.MET, kind=AttemptKind.VISIT),
        call("K-1", 2, TimeBand.EVENING, Outcome.NOT_MET, kind=AttemptKind.VISIT, week=1),
        call("K-1", 2, TimeBand.EVENING, Outcome.REACHED),
    ]
    door = estimate(attempts, Channel.DOOR)
    phone = estimate(attempts, Channel.PHONE)
    assert door.channel is Channel.DOOR
    assert door.group(2, TimeBand.EVENING).trials == 2
    assert phone.group(2, TimeBand.EVENING).trials == 1


def test_best_band_highest_and_ties_in_band_order() -> None:
    model = estimate(calls("K-1", 3, TimeBand.EVENING, 3, 0), Channel.PHONE)
    assert model.best_band("K-1", 3).band is TimeBand.EVENING
    # Friday evening is untried, but evenings as a whole go well (band 4/5).
    assert model.best_band("K-1", 4) == CellEstimate(4, TimeBand.EVENING, 0.8, 0, 0)
    # Nothing known at all: all bands equal → the first band.
    assert estimate([], Channel.PHONE).best_band("K-1", 4).band is TimeBand.MORNING
    # Restricted to the bands a coach works in.
    restricted = model.best_band("K-1", 3, (TimeBand.AFTERNOON, TimeBand.MORNING))
    assert restricted.band is TimeBand.MORNING


def test_weekday_out_of_range_is_an_error() -> None:
    with pytest.raises(ValueError):
        estimate([], Channel.PHONE).p("K-1", 7, TimeBand.MORNING)


# --------------------------------------------------------------------------- properties

_OUTCOMES = [Outcome.REACHED, Outcome.NOT_REACHED, Outcome.MAILBOX, Outcome.CALLBACK]
_attempts = st.lists(
    st.builds(
        call,
        st.sampled_from(["K-1", "K-2", "K-3"]),
        st.integers(0, 6),
        st.sampled_from(list(TimeBand)),
        st.sampled_from(_OUTCOMES),
        week=st.integers(0, 20),
    ),
    max_size=60,
)
_cell = st.tuples(st.sampled_from(["K-1", "K-2"]), st.integers(0, 5), st.sampled_from(TimeBand))


@settings(max_examples=150, deadline=None)
@given(_attempts, _cell)
def test_a_success_never_lowers_and_a_failure_never_raises(
    attempts: list[Attempt], cell: tuple[str, int, TimeBand]
) -> None:
    case_id, weekday, band = cell
    before = estimate(attempts, Channel.PHONE).p(case_id, weekday, band)
    success = call(case_id, weekday, band, Outcome.REACHED, week=30)
    failure = call(case_id, weekday, band, Outcome.NOT_REACHED, week=30)
    assert estimate([*attempts, success], Channel.PHONE).p(case_id, weekday, band) >= before
    assert estimate([*attempts, failure], Channel.PHONE).p(case_id, weekday, band) <= before


@settings(max_examples=100, deadline=None)
@given(_attempts)
def test_probabilities_strictly_between_0_and_1(attempts: list[Attempt]) -> None:
    model = estimate(attempts, Channel.PHONE)
    for case_id in ("K-1", "K-2", "K-3", "K-unknown"):
        assert all(0 < c.p < 1 for c in model.cells(case_id))


@settings(max_examples=100, deadline=None)
@given(_attempts)
def test_case_without_attempts_gets_the_group_value(attempts: list[Attempt]) -> None:
    model = estimate(attempts, Channel.PHONE)
    for cell in model.cells("K-unknown"):
        assert cell.p == model.group(cell.weekday, cell.band).p
        assert (cell.successes, cell.trials) == (0, 0)


@settings(max_examples=100, deadline=None)
@given(_attempts, st.randoms(use_true_random=False))
def test_order_of_attempts_does_not_matter(attempts: list[Attempt], rnd: random.Random) -> None:
    shuffled = list(attempts)
    rnd.shuffle(shuffled)
    first, second = estimate(attempts, Channel.PHONE), estimate(shuffled, Channel.PHONE)
    for case_id in ("K-1", "K-2", "K-3"):
        assert first.cells(case_id) == second.cells(case_id)
        assert first.best_band(case_id, 2) == second.best_band(case_id, 2)


@settings(max_examples=100, deadline=None)
@given(_attempts, _attempts, st.sampled_from(list(Channel)))
def test_extending_a_model_equals_estimating_from_all(
    old: list[Attempt], new: list[Attempt], channel: Channel
) -> None:
    visits = [Attempt(a.case_id, a.at, a.coach, AttemptKind.VISIT, a.outcome) for a in new[::3]]
    added = [*new, *visits]  # some attempts of the other channel: ignored by each model
    extended, full = extend(estimate(old, channel), added), estimate([*old, *added], channel)
    for case_id in ("K-1", "K-2", "K-3", "K-unknown"):
        assert extended.cells(case_id) == full.cells(case_id)
    for day in WEEKDAYS:
        for band in TimeBand:
            assert extended.group(day, band) == full.group(day, band)
    assert extend(full, []) is full
