"""Where the campaign stands: who was reached, per region and coach, who waits longest.

Pure figures over cases, attempts and states, for the lead's "Stand" page and reports.
A case counts as *reached* once any attempt made contact (``Outcome.contact``): a call
answered, a visit where the person opened, also a refusal — the person was reached.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from planner.campaign.codes import CaseStatus, Outcome, Step
from planner.campaign.model import Attempt, Case, CaseState


@dataclass(frozen=True)
class Share:
    """Reached among the cases of one group (a region, a coach)."""

    label: str
    cases: int
    reached: int

    @property
    def share(self) -> float:
        return self.reached / self.cases if self.cases else 0.0


@dataclass(frozen=True)
class Waiting:
    """An open case nobody has reached yet, and for how long it has waited."""

    case_id: str
    since: date  # last contact of the job centre (list), else first seen
    days: int
    attempts: int
    step: Step
    last_outcome: Outcome | None = None  # of the latest attempt (None: no attempt yet)


@dataclass(frozen=True)
class CampaignStats:
    day: date
    cases: int
    open: int
    closed: int
    missing: int  # not in the latest list
    reached: int
    attempts: int
    attempts_per_reached: float | None  # all attempts on reached cases ÷ reached cases
    by_region: tuple[Share, ...]
    by_coach: tuple[Share, ...]  # among the cases each coach tried
    by_outcome: tuple[tuple[Outcome, int], ...]  # most frequent first
    longest_waiting: tuple[Waiting, ...]

    @property
    def reached_share(self) -> float:
        return self.reached / self.cases if self.cases else 0.0


def campaign_stats(
    cases: Sequence[Case],
    attempts: Sequence[Attempt],
    states: Mapping[str, CaseState],
    today: date,
    *,
    waiting: int = 10,
) -> CampaignStats:
    """The campaign's figures on ``today``."""
    by_case: dict[str, list[Attempt]] = {}
    for a in attempts:
        by_case.setdefault(a.case_id, []).append(a)
    ids = {c.id for c in cases}
    reached = reached_ids(attempts) & ids

    regions: dict[str, list[str]] = {}
    for c in cases:
        regions.setdefault(region_label(c), []).append(c.id)
    tried: dict[str, set[str]] = {}
    met_by: dict[str, set[str]] = {}
    for a in attempts:
        if a.case_id not in ids or not a.coach:
            continue
        tried.setdefault(a.coach, set()).add(a.case_id)
        if a.outcome.contact:
            met_by.setdefault(a.coach, set()).add(a.case_id)

    on_reached = sum(len(by_case.get(cid, ())) for cid in reached)
    outcomes = Counter(a.outcome for a in attempts if a.case_id in ids)
    return CampaignStats(
        day=today,
        cases=len(cases),
        open=sum(1 for c in cases if c.status is CaseStatus.OPEN),
        closed=sum(1 for c in cases if c.status is CaseStatus.CLOSED),
        missing=sum(1 for c in cases if c.missing_since is not None),
        reached=len(reached),
        attempts=sum(outcomes.values()),
        attempts_per_reached=on_reached / len(reached) if reached else None,
        by_region=tuple(
            Share(label, len(members), sum(1 for m in members if m in reached))
            for label, members in sorted(regions.items())
        ),
        by_coach=tuple(
            Share(coach, len(tried[coach]), len(met_by.get(coach, ()))) for coach in sorted(tried)
        ),
        by_outcome=tuple(sorted(outcomes.items(), key=lambda kv: (-kv[1], kv[0].value))),
        longest_waiting=_longest_waiting(cases, by_case, reached, states, today, waiting),
    )


#: Group of the cases whose address could not be placed.
NO_PLACE = "ohne Ort"


def region_label(case: Case) -> str:
    """The region a case counts in (its municipality when no region is set)."""
    if case.site is None:
        return NO_PLACE
    return case.site.region or case.site.municipality


def reached_ids(attempts: Iterable[Attempt]) -> set[str]:
    """Kunden-Nr of everyone reached by one of ``attempts`` (``Outcome.contact``)."""
    return {a.case_id for a in attempts if a.outcome.contact}


def _longest_waiting(
    cases: Sequence[Case],
    by_case: Mapping[str, Sequence[Attempt]],
    reached: set[str],
    states: Mapping[str, CaseState],
    today: date,
    limit: int,
) -> tuple[Waiting, ...]:
    rows: list[Waiting] = []
    for c in cases:
        if c.id in reached or c.status is not CaseStatus.OPEN or c.missing_since is not None:
            continue
        since = c.client.last_contact or c.first_seen or today
        history = by_case.get(c.id, ())
        # sorted is stable: of equal times the later recorded attempt counts as the last.
        last = sorted(history, key=lambda a: a.at)[-1].outcome if history else None
        rows.append(
            Waiting(c.id, since, (today - since).days, len(history), states[c.id].step, last)
        )
    rows.sort(key=lambda w: (-w.days, w.case_id))
    return tuple(rows[:limit])
