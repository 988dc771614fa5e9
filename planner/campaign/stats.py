"""Where the campaign stands: who was reached, per region and coach, who waits longest.

Pure figures over cases, attempts and states, for the lead's "Stand" page and reports.
A case counts as *reached* once any attempt made contact (``Outcome.contact``): a call
answered, a visit where the person opened, also a refusal — the person was reached.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
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
    reached = {cid for cid, history in by_case.items() if any(a.outcome.contact for a in history)}
    ids = {c.id for c in cases}
    reached &= ids

    regions: dict[str, list[str]] = {}
    for c in cases:
        label = c.site.region or c.site.municipality if c.site is not None else "ohne Ort"
        regions.setdefault(label, []).append(c.id)
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
        rows.append(
            Waiting(
                c.id, since, (today - since).days, len(by_case.get(c.id, ())), states[c.id].step
            )
        )
    rows.sort(key=lambda w: (-w.days, w.case_id))
    return tuple(rows[:limit])
