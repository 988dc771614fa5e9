"""How likely someone answers the phone (or opens the door) on a weekday and time band.

A Beta–Bernoulli estimate per case and cell (weekday × :class:`TimeBand`): an attempt
whose outcome is a contact counts as a success, one that failed (nobody answered or
opened) as a failure; everything else (wrong number, letters, moved away, attempts
whose time of day is unknown) says nothing about the time and is ignored.

Three levels, each the prior of the next:

1. band mean over all cases and weekdays: ``p_band = (S_band + 1) / (N_band + 2)``;
2. group value of a cell, all cases pooled: ``p_group = (S + m·p_band) / (N + m)`` with
   ``m = BAND_PRIOR_STRENGTH`` = 2. This is Laplace's rule ``(S+1)/(N+2)`` with its two
   pseudo-observations split by the band's mean instead of half and half: a sparse cell
   (say Thursday evening, never tried) borrows from the other evenings rather than
   claiming 50 %, and a well-filled cell hardly moves. With ``p_band = 1/2`` (no data in
   the band, or exactly half of it successful) it *is* Laplace's rule;
3. a case's value: ``p = (k·p_group + s) / (k + n)`` with ``k = PRIOR_STRENGTH`` = 4.

The pool includes the case's own attempts (simple, and negligible with a real list).
Every level only rises with a success and only falls with a failure, so adding a
success never lowers a cell's value, and counts do not depend on the order of attempts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from planner.campaign.codes import AttemptKind, TimeBand
from planner.campaign.model import Attempt

#: Weight of the group value in a case's estimate, in pseudo-observations: after four own
#: attempts in a cell, the case's history counts as much as everybody else's.
PRIOR_STRENGTH = 4.0
#: Weight of the band mean in a cell's group value (2 = Laplace's rule of succession).
BAND_PRIOR_STRENGTH = 2.0
#: Monday … Sunday (``date.weekday()``); Sunday only matters for a team that works then.
WEEKDAYS: tuple[int, ...] = tuple(range(7))
BANDS: tuple[TimeBand, ...] = tuple(TimeBand)


class Channel(StrEnum):
    """Which kind of reachability: answering the phone or being at home."""

    PHONE = "telefon"
    DOOR = "tuer"

    @property
    def kind(self) -> AttemptKind:
        """The attempts that tell about this channel."""
        return AttemptKind.CALL if self is Channel.PHONE else AttemptKind.VISIT


@dataclass(frozen=True)
class CellEstimate:
    """The estimate for one weekday and band; ``successes``/``trials`` are the own
    attempts counted (a case's own, or everybody's for a group value)."""

    weekday: int
    band: TimeBand
    p: float
    successes: int
    trials: int


_Cell = tuple[int, TimeBand]
#: (successes, trials) per cell.
_Counts = Mapping[_Cell, tuple[int, int]]


@dataclass(frozen=True)
class ReachabilityModel:
    """Estimates for every case of one channel; build it with :func:`estimate`."""

    channel: Channel
    _group: Mapping[_Cell, CellEstimate]
    _cases: Mapping[str, _Counts]

    def p(self, case_id: str, weekday: int, band: TimeBand) -> float:
        """Chance to reach the case in that cell (the group value for unknown cases)."""
        return self._case_cell(case_id, weekday, band).p

    def best_band(
        self, case_id: str, weekday: int, bands: Sequence[TimeBand] = BANDS
    ) -> CellEstimate:
        """The band (of ``bands``) with the highest chance that weekday; ties go to the
        earlier band."""
        return _best_of(
            self._case_cell(case_id, weekday, band) for band in sorted(bands, key=BANDS.index)
        )

    def cells(self, case_id: str) -> tuple[CellEstimate, ...]:
        """All cells of a case, by weekday, then band."""
        return tuple(self._case_cell(case_id, day, band) for day in WEEKDAYS for band in BANDS)

    def group(self, weekday: int, band: TimeBand) -> CellEstimate:
        """The pooled value of a cell (the prior of every case)."""
        _check_weekday(weekday)
        return self._group[(weekday, band)]

    def _case_cell(self, case_id: str, weekday: int, band: TimeBand) -> CellEstimate:
        prior = self.group(weekday, band).p
        successes, trials = self._cases.get(case_id, {}).get((weekday, band), (0, 0))
        p = (PRIOR_STRENGTH * prior + successes) / (PRIOR_STRENGTH + trials)
        return CellEstimate(weekday, band, p, successes, trials)


def _best_of(cells: Iterable[CellEstimate]) -> CellEstimate:
    """The cell with the highest ``p``; among equals the first (callers pass band order)."""
    best: CellEstimate | None = None
    for cell in cells:
        if best is None or cell.p > best.p:  # strict: an equal later band never wins
            best = cell
    if best is None:
        raise ValueError("no cells to choose from")
    return best


def estimate(attempts: Sequence[Attempt], channel: Channel) -> ReachabilityModel:
    """Count the attempts of ``channel`` and derive group and case estimates."""
    successes, trials = _count(attempts, channel)
    cell_s: Counter[_Cell] = Counter()
    cell_n: Counter[_Cell] = Counter()
    cases: dict[str, dict[_Cell, tuple[int, int]]] = {}
    for (case_id, day, band), n in trials.items():
        s = successes[(case_id, day, band)]
        cell_s[(day, band)] += s
        cell_n[(day, band)] += n
        cases.setdefault(case_id, {})[(day, band)] = (s, n)
    return ReachabilityModel(
        channel,
        _group(cell_s, cell_n),
        MappingProxyType({key: MappingProxyType(cells) for key, cells in cases.items()}),
    )


def extend(model: ReachabilityModel, attempts: Iterable[Attempt]) -> ReachabilityModel:
    """``model`` with ``attempts`` added: equal to :func:`estimate` over the model's
    attempts and these (counts do not depend on order), at the cost of the new ones – the
    browser app adds one attempt at a time to a model of tens of thousands."""
    successes, trials = _count(attempts, model.channel)
    if not trials:
        return model
    cell_s = Counter({cell: e.successes for cell, e in model._group.items()})
    cell_n = Counter({cell: e.trials for cell, e in model._group.items()})
    cases = dict(model._cases)
    touched: dict[str, dict[_Cell, tuple[int, int]]] = {}
    for (case_id, day, band), n in trials.items():
        s = successes[(case_id, day, band)]
        cells = touched.get(case_id)
        if cells is None:
            cells = touched[case_id] = dict(cases.get(case_id, {}))
        before_s, before_n = cells.get((day, band), (0, 0))
        cells[(day, band)] = (before_s + s, before_n + n)
        cell_s[(day, band)] += s
        cell_n[(day, band)] += n
    for case_id, cells in touched.items():
        cases[case_id] = MappingProxyType(cells)
    return ReachabilityModel(model.channel, _group(cell_s, cell_n), MappingProxyType(cases))


def _count(
    attempts: Iterable[Attempt], channel: Channel
) -> tuple[Counter[tuple[str, int, TimeBand]], Counter[tuple[str, int, TimeBand]]]:
    """Successes and trials per (case, weekday, band) among the attempts that count."""
    successes: Counter[tuple[str, int, TimeBand]] = Counter()
    trials: Counter[tuple[str, int, TimeBand]] = Counter()
    for attempt in attempts:
        band = attempt.band
        if attempt.kind is not channel.kind or band is None:
            continue
        if not (attempt.outcome.contact or attempt.outcome.failed):
            continue
        key = (attempt.case_id, attempt.at.weekday(), band)
        trials[key] += 1
        successes[key] += attempt.outcome.contact
    return successes, trials


def _group(
    cell_s: Mapping[_Cell, int], cell_n: Mapping[_Cell, int]
) -> Mapping[_Cell, CellEstimate]:
    """The pooled value of every cell from all cases' successes and trials per cell."""
    band_s: Counter[TimeBand] = Counter()
    band_n: Counter[TimeBand] = Counter()
    for (_, band), s in cell_s.items():
        band_s[band] += s
    for (_, band), n in cell_n.items():
        band_n[band] += n
    group: dict[_Cell, CellEstimate] = {}
    for band in BANDS:
        p_band = (band_s[band] + 1) / (band_n[band] + 2)
        for day in WEEKDAYS:
            s, n = cell_s.get((day, band), 0), cell_n.get((day, band), 0)
            p = (s + BAND_PRIOR_STRENGTH * p_band) / (n + BAND_PRIOR_STRENGTH)
            group[(day, band)] = CellEstimate(day, band, p, s, n)
    return MappingProxyType(group)


def _check_weekday(weekday: int) -> None:
    if weekday not in WEEKDAYS:
        raise ValueError(f"weekday must be 0 (Monday) … 6 (Sunday), not {weekday!r}")
