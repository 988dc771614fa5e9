"""Domain types of the campaign: cases, their attempts, and what was published.

A :class:`Case` is one person on the list over time (by Kunden-Nr); every call, letter
and visit is an :class:`Attempt` with its :class:`~planner.campaign.codes.Outcome`.
Attempts are append-only: what happened is never edited, a correction is a new attempt.
A published plan is a :class:`Publication` of :class:`PinnedVisit` s, binding for the
days it covers. The rules (:mod:`planner.campaign.rules`) are pure functions over these
types; the store (:mod:`planner.store`) only loads and saves them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from planner import settings
from planner.campaign.codes import AttemptKind, CaseStatus, Outcome, Step, TimeBand
from planner.model import Client, Site, VisitPlace


@dataclass(frozen=True)
class Attempt:
    """One call, letter or visit and what came of it (a row of ``planner record``)."""

    case_id: str  # Kunden-Nr
    at: datetime  # when; 00:00 with ``time_known`` False when only the date was written
    coach: str  # coach key (``kennung`` of the team file)
    kind: AttemptKind
    outcome: Outcome
    appointment: datetime | None = None  # ``Termin`` (Termin vereinbart)
    place: VisitPlace | None = None  # ``Besuchsort`` of that appointment
    follow_up: date | None = None  # ``Wiedervorlage``
    note: str = ""  # what the person said or the coach saw, never third parties
    time_known: bool = True
    recorded_by: str = ""  # who entered it (user or file)
    recorded_at: datetime | None = None
    source: str = ""  # e.g. "ergebnisse.csv, Zeile 4"

    @property
    def band(self) -> TimeBand | None:
        """Time band of the attempt, when its time of day is known."""
        return TimeBand.of(self.at.hour * 60 + self.at.minute) if self.time_known else None


@dataclass(frozen=True)
class Case:
    """A person on the campaign's list, as the latest import knows them."""

    client: Client  # the latest list row (Kunden-Nr, address, phone, priority, windows …)
    site: Site | None  # geocoded position; None when the address could not be placed
    status: CaseStatus = CaseStatus.OPEN
    closed_on: date | None = None
    closed_by: Outcome | None = None  # the outcome that closed it (abgelehnt, verzogen, …)
    missing_since: date | None = None  # not in a list imported on/after this day
    first_seen: date | None = None

    @property
    def id(self) -> str:
        return self.client.id


@dataclass(frozen=True)
class CaseState:
    """What the rules make of a case's history on a given day."""

    case_id: str
    step: Step
    reason: str  # German, for the call list and plan.csv ("abgelehnt am 03.12.2026")
    due: date | None = None  # from when the step is due (WAIT: when it ends)
    coach: str = ""  # Bezugscoach: who last reached or met the person ("" none yet)
    appointment: datetime | None = None  # Step.APPOINTMENT: the agreed start
    appointment_coach: str = ""
    appointment_place: VisitPlace | None = None
    failed_calls: int = 0  # failed calls since the last contact
    failed_visits: int = 0  # failed visits since the last contact
    attempts: int = 0  # all attempts so far
    last_attempt: datetime | None = None


@dataclass(frozen=True)
class PinnedVisit:
    """A visit of a published plan: binding coach, day and start time."""

    case_id: str
    coach: str
    start: datetime
    duration_min: int
    with_van: bool = False


@dataclass(frozen=True)
class Publication:
    """A plan made binding with ``--publish`` for the days it covers."""

    id: int
    start: date
    days: int
    published_at: datetime
    published_by: str
    visits: tuple[PinnedVisit, ...] = field(default=())

    def covers(self, day: date) -> bool:
        return 0 <= (day - self.start).days < self.days


@dataclass(frozen=True)
class CampaignRules:
    """Tunable rules of the campaign (defaults in :mod:`planner.settings`)."""

    failed_calls_before_letter: int = settings.FAILED_CALLS_BEFORE_LETTER
    letter_days_before_visit: int = settings.LETTER_DAYS_BEFORE_VISIT
    retry_after_days: int = 1  # next call not before the next day
    deletion_after_days: int = settings.DELETION_AFTER_DAYS

    def __post_init__(self) -> None:
        if self.failed_calls_before_letter < 1 or self.letter_days_before_visit < 0:
            raise ValueError("failed_calls_before_letter >= 1, letter_days_before_visit >= 0")
        if self.retry_after_days < 0 or self.deletion_after_days < 1:
            raise ValueError("retry_after_days >= 0, deletion_after_days >= 1")
