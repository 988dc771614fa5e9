"""Coverage over a period: the figures of the lead's status report (``planner status``).

Builds on :mod:`planner.campaign.stats` (reached share per region and coach, who waits
longest, attempts per reached person) and adds what a report to the job centre needs:
a period, the municipalities, first and follow-up contacts per month, days from list
entry to first contact, what the contacts led to (handed back, coaching, referral), why
cases get no visit, and the reached share over time. Pure functions over the campaign's
domain types; the store stays outside.

Two views of one period ``[start, end]``:

- *as of the end*: every case on the list by ``end`` (``first_seen``), every attempt up
  to ``end``, each case's state on ``end`` – reached share, waiting, next steps;
- *in the period*: the attempts between ``start`` and ``end`` – contacts per month,
  outcomes, first contacts (and the days to them), hand-backs, coaching, referrals.

By default the period starts with the campaign, so both views cover everything.

Small numbers (:func:`withheld`): a group of fewer than ``settings.MIN_GROUP_SIZE``
people is not shown in the report; the figures here are exact, the report hides them.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum

from planner import settings
from planner.campaign.codes import CaseStatus, Outcome, Step
from planner.campaign.model import Attempt, CampaignRules, Case, CaseState
from planner.campaign.rules import DEFAULT_RULES, assess_all
from planner.campaign.stats import (
    NO_PLACE,
    CampaignStats,
    Share,
    campaign_stats,
    reached_ids,
    region_label,
)
from planner.campaign.week import not_due_code
from planner.reasons import Reason

#: Label of the series over all regions in :attr:`Coverage.timeline`.
ALL_REGIONS = "alle Regionen"
#: Periods up to this many days are drawn day by day, up to the next week by week,
#: longer ones month by month.
DAILY_UP_TO_DAYS = 6 * 7
WEEKLY_UP_TO_DAYS = 26 * 7


@dataclass(frozen=True)
class Period:
    """The days a report covers, both included."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise ValueError("start after end")

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end


class Interval(StrEnum):
    """Step of the reached share over time."""

    DAY = "tag"
    WEEK = "woche"
    MONTH = "monat"

    @property
    def label(self) -> str:
        return {"tag": "Tag", "woche": "Woche", "monat": "Monat"}[self.value]

    @classmethod
    def for_period(cls, period: Period) -> Interval:
        """Days for a few weeks, weeks for half a year, months beyond."""
        days = (period.end - period.start).days
        if days <= DAILY_UP_TO_DAYS:
            return cls.DAY
        return cls.WEEK if days <= WEEKLY_UP_TO_DAYS else cls.MONTH


@dataclass(frozen=True)
class AreaShare(Share):
    """Reached among the cases of one municipality (``ags`` "" for cases without place)."""

    ags: str = ""


@dataclass(frozen=True)
class MonthContacts:
    """Contacts of one calendar month (only days of the period count)."""

    month: date  # first day of the month
    first: int  # people reached for the first time
    follow_up: int  # further contacts with people reached before
    attempts: int  # every call, letter and visit


@dataclass(frozen=True)
class Point:
    """The reached share of a group at the end of one day."""

    day: date
    cases: int  # on the list by then
    reached: int  # reached by then

    @property
    def share(self) -> float:
        return self.reached / self.cases if self.cases else 0.0


@dataclass(frozen=True)
class Series:
    label: str
    points: tuple[Point, ...]


@dataclass(frozen=True)
class CodeCount:
    """How many people (and attempts) fall under one outcome or reason code."""

    code: str
    label: str
    people: int
    attempts: int | None = None  # outcomes only


@dataclass(frozen=True)
class Results:
    """What the contacts of the period led to (people, each counted once per line)."""

    handed_back: int  # to the regular contact person in the job centre
    coaching: int  # took up the voluntary coaching
    referred: int  # referred to a counselling service
    coaching_or_referral: int  # either or both


@dataclass(frozen=True)
class Coverage:
    period: Period
    stats: CampaignStats  # as of the end (waiting: with the last outcome)
    first_reached: int  # people reached for the first time in the period
    by_municipality: tuple[AreaShare, ...]  # by name, "ohne Ort" last
    months: tuple[MonthContacts, ...]
    days_to_first_contact: tuple[int, ...]  # per person first reached in the period, sorted
    outcomes: tuple[CodeCount, ...]  # attempts of the period, most people first
    reasons: tuple[CodeCount, ...]  # why cases get no visit (as of the end), most first
    visits_due: int  # cases with an agreed appointment or an announced visit
    results: Results
    interval: Interval
    timeline: tuple[Series, ...]  # all regions first, then each region as in stats

    @property
    def median_days_to_first_contact(self) -> float | None:
        days = self.days_to_first_contact
        return float(statistics.median(days)) if days else None


# --------------------------------------------------------------------------- figures


def as_of(
    cases: Sequence[Case], attempts: Sequence[Attempt], day: date
) -> tuple[tuple[Case, ...], tuple[Attempt, ...]]:
    """The cases on the list by ``day`` as they stood then, and the attempts up to ``day``.

    A case closed or missing from the list only later counts as open / listed (a report
    for a past period must not depend on what happened after it)."""
    known: list[Case] = []
    for c in cases:
        if c.first_seen is not None and c.first_seen > day:
            continue
        if c.status is CaseStatus.CLOSED and c.closed_on is not None and c.closed_on > day:
            c = replace(c, status=CaseStatus.OPEN, closed_on=None, closed_by=None)
        if c.missing_since is not None and c.missing_since > day:
            c = replace(c, missing_since=None)
        known.append(c)
    ids = {c.id for c in known}
    return tuple(known), tuple(a for a in attempts if a.case_id in ids and a.at.date() <= day)


def default_start(cases: Sequence[Case], attempts: Sequence[Attempt], end: date) -> date:
    """The campaign's first day: the earliest list entry or attempt (``end`` if none)."""
    days = [c.first_seen for c in cases if c.first_seen is not None]
    days += [a.at.date() for a in attempts]
    return min((d for d in days if d <= end), default=end)


def coverage(
    cases: Sequence[Case],
    attempts: Sequence[Attempt],
    period: Period,
    *,
    waiting: int = 15,
    interval: Interval | None = None,
    rules: CampaignRules = DEFAULT_RULES,
) -> Coverage:
    """The report's figures for ``period`` (see the module docstring for the two views)."""
    cases, attempts = as_of(cases, attempts, period.end)
    states = assess_all(cases, attempts, period.end, rules)
    stats = campaign_stats(cases, attempts, states, period.end, waiting=waiting)
    first = first_contacts(attempts)
    in_period = tuple(a for a in attempts if period.covers(a.at.date()))
    firsts = {cid: at for cid, at in first.items() if period.covers(at.date())}
    seen = {c.id: c.first_seen for c in cases}
    days = sorted(
        max(0, (at.date() - entered).days)
        for cid, at in firsts.items()
        if (entered := seen.get(cid)) is not None
    )
    visits_due = sum(
        1
        for c in cases
        if c.site is not None and states[c.id].step in (Step.APPOINTMENT, Step.ANNOUNCED_VISIT)
    )
    step = interval or Interval.for_period(period)
    return Coverage(
        period=period,
        stats=stats,
        first_reached=len(firsts),
        by_municipality=by_municipality(cases, attempts),
        months=contacts_per_month(in_period, first, period),
        days_to_first_contact=tuple(days),
        outcomes=outcome_counts(in_period),
        reasons=reason_counts(cases, states),
        visits_due=visits_due,
        results=results(in_period),
        interval=step,
        timeline=timeline(
            cases, first, period, step, [s.label for s in stats.by_region if s.label != NO_PLACE]
        ),
    )


def first_contacts(attempts: Iterable[Attempt]) -> dict[str, datetime]:
    """Kunden-Nr → when the person was first reached (``Outcome.contact``)."""
    first: dict[str, datetime] = {}
    for a in attempts:
        if a.outcome.contact and (a.case_id not in first or a.at < first[a.case_id]):
            first[a.case_id] = a.at
    return first


def by_municipality(cases: Sequence[Case], attempts: Sequence[Attempt]) -> tuple[AreaShare, ...]:
    """Reached share per municipality, by name; cases without a place last."""
    reached = reached_ids(attempts)
    groups: dict[tuple[str, str], list[str]] = {}
    for c in cases:
        key = (c.site.municipality, c.site.ags) if c.site is not None else (NO_PLACE, "")
        groups.setdefault(key, []).append(c.id)
    order = sorted(groups, key=lambda k: (k[0] == NO_PLACE, k[0].casefold()))
    return tuple(
        AreaShare(name, len(members), sum(1 for m in members if m in reached), ags)
        for name, ags in order
        for members in (groups[(name, ags)],)
    )


def contacts_per_month(
    attempts: Sequence[Attempt], first: dict[str, datetime], period: Period
) -> tuple[MonthContacts, ...]:
    """First contacts, follow-up contacts and all attempts per month of ``period``.

    ``attempts`` are those of the period; ``first`` is everyone's first contact ever, so
    a contact with someone reached before the period is a follow-up."""
    months: list[MonthContacts] = []
    month = period.start.replace(day=1)
    while month <= period.end:
        following = _next_month(month)
        lo, hi = max(month, period.start), min(following - timedelta(days=1), period.end)
        of_month = [a for a in attempts if lo <= a.at.date() <= hi]
        contacts = sum(1 for a in of_month if a.outcome.contact)
        firsts = sum(1 for at in first.values() if lo <= at.date() <= hi)
        months.append(MonthContacts(month, firsts, contacts - firsts, len(of_month)))
        month = following
    return tuple(months)


def outcome_counts(attempts: Sequence[Attempt]) -> tuple[CodeCount, ...]:
    """Attempts and people per outcome, the outcome most people had first."""
    tries = Counter(a.outcome for a in attempts)
    people = Counter(o for o, _ in {(a.outcome, a.case_id) for a in attempts})
    return tuple(
        CodeCount(o.value, o.label, people[o], tries[o])
        for o in sorted(tries, key=lambda o: (-people[o], -tries[o], o.value))
    )


def reason_counts(cases: Sequence[Case], states: Mapping[str, CaseState]) -> tuple[CodeCount, ...]:
    """Why cases get no visit, by reason code as in plan.csv (cases to visit left out)."""
    reasons: Counter[Reason] = Counter()
    for c in cases:
        state = states[c.id]
        if c.site is None:
            reasons[Reason.ADDRESS] += 1
        elif state.step not in (Step.APPOINTMENT, Step.ANNOUNCED_VISIT):
            reasons[not_due_code(state)] += 1
    return tuple(
        CodeCount(r.value, r.label, n)
        for r, n in sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0].value))
    )


def results(attempts: Sequence[Attempt]) -> Results:
    """People handed back, in coaching, referred (each once) among ``attempts``."""

    def who(*outcomes: Outcome) -> set[str]:
        return {a.case_id for a in attempts if a.outcome in outcomes}

    return Results(
        handed_back=len(who(Outcome.HANDED_BACK)),
        coaching=len(who(Outcome.COACHING)),
        referred=len(who(Outcome.REFERRED)),
        coaching_or_referral=len(who(Outcome.COACHING, Outcome.REFERRED)),
    )


def timeline(
    cases: Sequence[Case],
    first: dict[str, datetime],
    period: Period,
    interval: Interval,
    regions: Sequence[str],
) -> tuple[Series, ...]:
    """Reached share at the end of each week or month of ``period``: all regions, then
    each of ``regions``. A case counts from its list entry; cases never seen count from
    the start."""
    days = bucket_ends(period, interval)
    groups: dict[str, list[Case]] = {ALL_REGIONS: list(cases)}
    for label in regions:
        groups[label] = [c for c in cases if region_label(c) == label]
    series = []
    for label, members in groups.items():
        points = []
        for day in days:
            listed = [c for c in members if c.first_seen is None or c.first_seen <= day]
            reached = sum(1 for c in listed if c.id in first and first[c.id].date() <= day)
            points.append(Point(day, len(listed), reached))
        series.append(Series(label, tuple(points)))
    return tuple(series)


def bucket_ends(period: Period, interval: Interval) -> tuple[date, ...]:
    """The days the timeline shows: ``period.start`` (where it starts from), the last day
    of each day, week (Sunday) or month within the period, and ``period.end``."""
    ends: list[date] = [period.start]
    if interval is Interval.DAY:
        day = period.start + timedelta(days=1)
        while day < period.end:
            ends.append(day)
            day += timedelta(days=1)
    elif interval is Interval.WEEK:
        day = period.start + timedelta(days=6 - period.start.weekday())
        while day < period.end:
            ends.append(day)
            day += timedelta(days=7)
    else:
        day = _next_month(period.start.replace(day=1)) - timedelta(days=1)
        while day < period.end:
            ends.append(day)
            day = _next_month(day + timedelta(days=1)) - timedelta(days=1)
    ends.append(period.end)
    return tuple(sorted(set(ends)))


def _next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


# --------------------------------------------------------------------------- small numbers


def small(count: int, limit: int = settings.MIN_GROUP_SIZE) -> bool:
    """1 to ``limit`` − 1 people: a number the report does not show (0 is shown)."""
    return 0 < count < limit


def withheld(
    counts: Sequence[int], *, partition: bool = False, limit: int = settings.MIN_GROUP_SIZE
) -> tuple[bool, ...]:
    """Which of ``counts`` the report hides ("< 5").

    With ``partition`` the counts split a total that is shown (cases per municipality):
    a single hidden count would follow from the total minus the others, so the smallest
    other count above zero is hidden as well."""
    hidden = [small(n, limit) for n in counts]
    if partition and sum(hidden) == 1:
        others = [(n, i) for i, n in enumerate(counts) if n > 0 and not hidden[i]]
        if others:
            hidden[min(others)[1]] = True
    return tuple(hidden)
