"""Domain types shared by every stage.

The pipeline flows one way: intake → geocode → regions → travel times → solve → render.
Each stage takes and returns the immutable dataclasses defined here; nothing below
this module imports a stage.

Conventions:
- times of day are whole minutes after midnight (``int``), dates are ``datetime.date``;
- coordinates are WGS84 ``(lat, lon)`` in degrees;
- user-facing text (``Message.text``, ``Unplanned.reason``) is German.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from planner.reasons import DayOffReason, Reason

WEEKDAYS_DE: tuple[str, ...] = ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So")
WEEKDAYS_LONG_DE: tuple[str, ...] = (
    "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag",
)  # fmt: skip


def hhmm(minutes: int) -> str:
    """Format minutes after midnight as ``HH:MM`` (wraps at 24 h)."""
    minutes %= 24 * 60
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


# --------------------------------------------------------------------------- messages


class Severity(StrEnum):
    """Status of an input row as the check report shows it."""

    OK = "ok"
    WARNING = "warnung"
    ERROR = "fehler"


@dataclass(frozen=True)
class Message:
    """A finding about the input, addressed to a person (German text)."""

    severity: Severity
    text: str
    file: str | None = None
    row: int | None = None  # spreadsheet row number as the user sees it (header = 1)
    field: str | None = None  # column header as written in the file
    client_id: str | None = None

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(self.file)
        if self.row is not None:
            where.append(f"Zeile {self.row}")
        if self.field:
            where.append(f"Feld „{self.field}“")
        prefix = ", ".join(where)
        label = {Severity.ERROR: "Fehler", Severity.WARNING: "Warnung", Severity.OK: "Hinweis"}
        return f"{label[self.severity]}: {prefix + ': ' if prefix else ''}{self.text}"


# --------------------------------------------------------------------------- clients


class VisitPlace(StrEnum):
    """Where a visit takes place (column ``Besuchsort``)."""

    HOME = "Wohnung"
    CAFE = "Café"
    VAN = "Beratungsmobil"


@dataclass(frozen=True, order=True)
class WeeklyWindow:
    """Recurring availability on one weekday, e.g. Tuesdays 14:00–17:00."""

    weekday: int  # 0 = Monday … 6 = Sunday
    start: int  # minutes after midnight
    end: int  # minutes after midnight, > start

    def __str__(self) -> str:
        end = "24:00" if self.end >= 24 * 60 else hhmm(self.end)
        return f"{WEEKDAYS_DE[self.weekday]} {hhmm(self.start)}-{end}"


@dataclass(frozen=True)
class Address:
    """Postal address as given in the client list (not yet geocoded)."""

    street: str = ""  # street with house number, as far as given
    postcode: str = ""
    place: str = ""  # ``Ort`` column as written (municipality and/or Ortsteil)
    district: str = ""  # ``Ortsteil`` column, may be empty

    def one_line(self) -> str:
        locality = " ".join(p for p in (self.postcode, self.place) if p)
        if self.district and self.district.lower() not in self.place.lower():
            locality = f"{locality} ({self.district})" if locality else self.district
        return ", ".join(p for p in (self.street, locality) if p)


@dataclass(frozen=True)
class Client:
    """One valid row of the client list."""

    id: str  # Kunden-Nr (pseudonymous)
    row: int  # row in the source file (header = 1)
    address: Address
    name: str = ""
    phone: str = ""
    priority: int = 2  # 1 hoch … 3 niedrig
    last_contact: date | None = None
    visit_place: VisitPlace = VisitPlace.HOME
    availability: tuple[WeeklyWindow, ...] = ()  # empty: any time within working hours
    appointment: datetime | None = None  # fixed appointment (start)
    duration_min: int | None = None  # None: the team's default visit length
    notes: str = ""
    manual_position: tuple[float, float] | None = None  # (lat, lon) given by hand
    meeting_place: str = ""  # ``Treffpunkt`` (Besuchsort Café only): place or address


@dataclass(frozen=True)
class RejectedRow:
    """An input row that could not become a ``Client``; it still reaches the output."""

    row: int
    client_id: str  # may be empty when the Kunden-Nr itself is missing
    reason: str  # German, for the plan's "not planned" list
    source: str = ""  # file name
    name: str = ""
    address: Address = field(default_factory=Address)


@dataclass(frozen=True)
class IntakeResult:
    """Output of the intake stage for one client list."""

    source: str
    clients: tuple[Client, ...]
    rejected: tuple[RejectedRow, ...]
    messages: tuple[Message, ...]

    @property
    def row_count(self) -> int:
        return len(self.clients) + len(self.rejected)


# --------------------------------------------------------------------------- geocoding


class Precision(StrEnum):
    """How exactly a position is known (column ``genauigkeit``)."""

    MANUAL = "manuell"  # Breite/Länge given in the client list
    HOUSE_NUMBER = "hausnummer"  # the address point of the house (OSM address index, server)
    STREET = "strasse"  # on the right street; house number interpolated or street midpoint
    ORTSTEIL = "ortsteil"  # village / Ortsteil centre from the gazetteer
    MUNICIPALITY = "gemeinde"  # only the municipality is known


@dataclass(frozen=True)
class Site:
    """Where a client is, as far as the geocoder could tell."""

    lat: float
    lon: float
    municipality: str  # one of the 23 Gemeinden
    ags: str  # official municipality key, e.g. 06532023
    ortsteil: str  # may be empty at municipality precision
    precision: Precision
    region: str = ""  # filled by the regions stage
    #: The meeting place as written (Besuchsort Café): the visit is there, not at the
    #: client's home, so outputs show this instead of the home address.
    meeting_place: str = ""


@dataclass(frozen=True)
class GeocodedClient:
    """A client with its position (``site`` is None when geocoding failed)."""

    client: Client
    site: Site | None
    messages: tuple[Message, ...] = ()


# --------------------------------------------------------------------------- team


@dataclass(frozen=True)
class Office:
    key: str
    name: str
    lat: float
    lon: float
    address: str = ""


@dataclass(frozen=True)
class Coach:
    key: str
    name: str
    office: str  # key of the start office
    end_office: str  # key of the end office (usually the same)
    hours: tuple[tuple[int, int, int], ...]  # (weekday, start_min, end_min) per working day
    drives_van: bool = False
    absent: tuple[tuple[date, date], ...] = ()  # (first, last) day, inclusive (``abwesend``)
    #: Weekly frame (``regionstage``): (weekday, region) — on that weekday the coach works
    #: in that region; ``region_days_fixed`` makes it a rule instead of a preference.
    region_days: tuple[tuple[int, str], ...] = ()
    region_days_fixed: bool = False

    def region_on(self, weekday: int) -> str | None:
        return next((region for day, region in self.region_days if day == weekday), None)

    def hours_on(self, weekday: int) -> tuple[int, int] | None:
        for day, start, end in self.hours:
            if day == weekday:
                return start, end
        return None


@dataclass(frozen=True)
class Van:
    name: str = "Beratungsmobil"
    office: str = ""  # where the van is parked; empty: the driving coach's office
    setup_min: int = 10  # parking and opening the van at each stop
    speed_factor: float = 1.15  # the van drives slower than a car


@dataclass(frozen=True)
class BreakRule:
    """Rest breaks after § 4 ArbZG: 30 min beyond 6 h of work, 45 min beyond 9 h."""

    after_min: int = 6 * 60
    break_min: int = 30
    long_after_min: int = 9 * 60
    long_break_min: int = 45


@dataclass(frozen=True)
class Team:
    coaches: tuple[Coach, ...]
    offices: tuple[Office, ...]
    van: Van | None = Van()
    default_visit_min: int = 60
    breaks: BreakRule = BreakRule()
    regions: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (region, municipalities)
    #: ``[treffpunkte]``: (municipality, default meeting place) for Besuchsort Café.
    meeting_places: tuple[tuple[str, str], ...] = ()

    def office(self, key: str) -> Office:
        for office in self.offices:
            if office.key == key:
                return office
        raise KeyError(key)


# --------------------------------------------------------------------------- plan


@dataclass(frozen=True)
class Visit:
    """A client ready for routing: position, duration and windows resolved."""

    client: Client
    site: Site
    duration_min: int
    #: Where the Beratungsmobil stands for this visit (its ``site`` is then the stand's
    #: position); consecutive visits at one stand share the set-up. Empty: not in the van.
    stand: str = ""
    #: Only this coach may make the visit (key; a published pin or the Bezugscoach).
    coach: str = ""
    #: Not before this day (an announcement letter needs time to arrive).
    not_before: date | None = None


@dataclass(frozen=True)
class Stop:
    visit: Visit
    arrival: datetime
    start: datetime  # visit start (arrival plus waiting and any van set-up)
    end: datetime
    travel_min: int  # driving from the previous stop or office (estimate, whole minutes)
    distance_m: int
    window: str  # the time window used, as shown on the sheet ("09:00-12:00", "Termin 10:30")
    setup_min: int = 0  # Beratungsmobil set-up, right before ``start`` (after ``arrival``)


@dataclass(frozen=True)
class Break:
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Tour:
    coach: Coach
    day: date
    with_van: bool
    start_office: Office
    end_office: Office
    start: datetime
    end: datetime
    stops: tuple[Stop, ...]
    breaks: tuple[Break, ...]
    driving_min: int  # total, including the way back to the office
    distance_m: int
    return_travel_min: int = 0
    return_distance_m: int = 0


@dataclass(frozen=True)
class Unplanned:
    """A client who is not in any tour, with the reason a person understands."""

    client_id: str
    row: int | None
    reason: str  # the whole story in German, e.g. "Termin am 10.12.2026 10:00 liegt …"
    client: Client | None = None
    site: Site | None = None
    name: str = ""
    address: Address = field(default_factory=Address)
    code: Reason = field(kw_only=True)  # the kind of reason, for counting


@dataclass(frozen=True)
class DayOff:
    """A working day without a tour, and why (shown in the summary)."""

    day: date
    coach: Coach | None  # None: the whole team (public holiday)
    kind: DayOffReason
    detail: str = ""  # the holiday's or the weekday's name where the reason names one

    @property
    def reason(self) -> str:
        """German, e.g. "Feiertag (Erster Weihnachtstag)"."""
        return self.kind.text(self.detail)

    @property
    def who(self) -> str:
        """The coach's name, or "ganzes Team" for a public holiday."""
        return self.coach.name if self.coach is not None else "ganzes Team"

    @property
    def line(self) -> str:
        """Who and why in one line: "Anna: abwesend (laut Teamdatei)"; the reason alone
        for the whole team."""
        return self.reason if self.coach is None else f"{self.coach.name}: {self.reason}"


@dataclass(frozen=True)
class CoachLoad:
    """A coach's working time in the period and the visit time planned for them."""

    coach: Coach
    working_min: int  # sum of the coach's shifts (car or van, once per day)
    visit_min: int  # planned visit durations (driving and set-up not counted)


@dataclass(frozen=True)
class Plan:
    start: date
    days: int
    tours: tuple[Tour, ...]
    unplanned: tuple[Unplanned, ...]
    travel_model: str  # description shown on every output, e.g. "Schätzung (Luftlinie × 1,35)"
    travel_is_estimate: bool = True
    solve_seconds: float = 0.0
    stop_reason: str = ""
    messages: tuple[Message, ...] = ()
    days_off: tuple[DayOff, ...] = ()  # holidays, absences, unused working days
    loads: tuple[CoachLoad, ...] = ()  # per coach, in team order
    #: Notes for the lead (German), e.g. "BM-1004: Jonas ist am 03.12. nicht da – …".
    notes: tuple[str, ...] = ()

    @property
    def planned_count(self) -> int:
        return sum(len(t.stops) for t in self.tours)
