"""Calendar files (iCalendar, RFC 5545) for Outlook and Thunderbird: one per coach.

An event per visit and per break, in local time (``TZID=Europe/Berlin`` with its
VTIMEZONE). Calendars are synchronised to servers and phones, so an event says less
than the paper sheet: the Kunden-Nr and the place (the meeting place, the van's stand
or the village), never a name, a phone number or a note; the street only when asked
(``addresses``). Every event is ``CLASS:PRIVATE``.

Updates instead of duplicates: a visit's ``UID`` is derived from Kunden-Nr, coach and
ISO week, so a re-plan that moves the visit within the week updates the same event.
``SEQUENCE`` counts versions without a clock: it continues from the calendar file of
the previous run in the same output folder (+1 when time, place or status changed) and
never falls below ``CalendarHistory.sequence`` (the campaign's publication count). A
visit that was in that previous file for the planned days, or that the campaign's
changes list as dropped or moved, is written again with ``STATUS:CANCELLED``. A one-off
list planned into a new folder has no history: its events start at ``SEQUENCE:0``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar

from planner.campaign.week import Change
from planner.model import Break, Coach, Plan, Stop, Tour
from planner.render._format import clock, minutes_de, slug
from planner.render._output import write_atomic

TZID = "Europe/Berlin"
ZONE = ZoneInfo(TZID)
PRODID = "-//Jobcenter Lahn-Dill//Beratung Mobil Tourenplaner//DE"
#: ``.invalid`` (RFC 2606): unique-looking ids that point to no real host.
UID_DOMAIN = "beratung-mobil.invalid"
CATEGORY = "Beratung Mobil"
FOLDER = "kalender"


@dataclass(frozen=True)
class CancelledVisit:
    """A visit a coach had been given and no longer has (from the campaign's changes)."""

    case_id: str
    coach: str  # coach key
    start: datetime  # local time
    end: datetime


@dataclass(frozen=True)
class CalendarHistory:
    """What the calendars know beyond the plan: the campaign's version and dropped visits."""

    sequence: int = 0  # the lowest SEQUENCE of every event
    cancelled: tuple[CancelledVisit, ...] = ()


@dataclass(frozen=True)
class _Previous:
    sequence: int
    fingerprint: tuple[str, ...]
    event: icalendar.Component


@dataclass
class _Calendar:
    coach_name: str
    events: dict[str, icalendar.Event] = field(default_factory=dict)


def calendar_name(coach_key: str) -> str:
    return f"{slug(coach_key)}.ics"


def visit_uid(case_id: str, coach_key: str, day: date) -> str:
    """Stable per person, coach and ISO week: moving the visit in the week updates it."""
    year, week, _ = day.isocalendar()
    return _uid(f"visit|{case_id}|{coach_key}|{year}-W{week:02d}")


def break_uid(coach_key: str, day: date, index: int) -> str:
    return _uid(f"break|{coach_key}|{day.isoformat()}|{index}")


def _uid(key: str) -> str:
    # Hashed: the UID is seen by calendar servers; it need not show the Kunden-Nr.
    return f"{hashlib.sha256(key.encode('utf-8')).hexdigest()[:32]}@{UID_DOMAIN}"


def write_calendars(
    plan: Plan,
    out_dir: Path,
    *,
    created: datetime,
    addresses: bool = False,
    previous_dir: Path | None = None,
    history: CalendarHistory = CalendarHistory(),
) -> dict[str, Path]:
    """One ICS file per coach (``kalender/anna.ics``); returns coach key → path.

    ``previous_dir`` is the output folder of the previous run (its ``kalender/`` is read
    for SEQUENCE and cancellations), ``addresses`` puts the street into the location.
    """
    calendars: dict[str, _Calendar] = {}
    for coach in _coaches(plan):
        calendars[coach.key] = _Calendar(coach.name)
    for tour in plan.tours:
        calendar = calendars.setdefault(tour.coach.key, _Calendar(tour.coach.name))
        for stop in tour.stops:
            uid = visit_uid(stop.visit.client.id, tour.coach.key, tour.day)
            calendar.events[uid] = _visit_event(uid, tour, stop, created, addresses)
        for index, pause in enumerate(sorted(tour.breaks, key=lambda b: b.start)):
            uid = break_uid(tour.coach.key, tour.day, index)
            calendar.events[uid] = _break_event(uid, pause, created)
    for gone in history.cancelled:
        calendar = calendars.setdefault(gone.coach, _Calendar(gone.coach))
        uid = visit_uid(gone.case_id, gone.coach, gone.start.date())
        if uid not in calendar.events:
            calendar.events[uid] = _cancelled_visit(uid, gone, created)
    first, last = plan.start, plan.start + timedelta(days=max(plan.days, 1))
    written: dict[str, Path] = {}
    for key, calendar in calendars.items():
        name = calendar_name(key)
        before = _read_previous(previous_dir / FOLDER / name if previous_dir else None)
        _version(calendar, before, history.sequence, (first, last), created)
        if calendar.events:
            written[key] = write_atomic(out_dir / FOLDER / name, _calendar(calendar).to_ical())
    return written


def _coaches(plan: Plan) -> list[Coach]:
    """Every coach of the team (a coach without tours gets an empty-looking week only if
    something of theirs is cancelled), in team order."""
    return [load.coach for load in plan.loads]


# --------------------------------------------------------------------------- events


def _local(moment: datetime) -> datetime:
    return moment.replace(tzinfo=ZONE) if moment.tzinfo is None else moment.astimezone(ZONE)


def _base_event(uid: str, start: datetime, end: datetime, created: datetime) -> icalendar.Event:
    event = icalendar.Event()
    event.add("UID", uid)
    event.add("DTSTAMP", _utc(created))
    event.add("DTSTART", _local(start))
    event.add("DTEND", _local(end))
    event.add("CLASS", "PRIVATE")
    event.add("TRANSP", "OPAQUE")
    event.add("CATEGORIES", [CATEGORY])
    return event


def _utc(moment: datetime) -> datetime:
    local = moment if moment.tzinfo is not None else moment.replace(tzinfo=ZONE)
    return local.astimezone(UTC)


def place_of(stop: Stop, *, addresses: bool) -> str:
    """Where the visit is, as a calendar may show it: the meeting place, the van's stand,
    or the village (Ortsteil, Gemeinde); the street address only with ``addresses``."""
    site = stop.visit.site
    if site.meeting_place:
        return f"Treffpunkt: {site.meeting_place}"
    if stop.visit.stand:
        return f"Beratungsmobil, Standort {stop.visit.stand}"
    ortsteil = site.ortsteil if site.ortsteil != site.municipality else ""
    village = ", ".join(p for p in (ortsteil, site.municipality) if p)
    if addresses:
        street = stop.visit.client.address.one_line()
        return f"{street} ({village})" if street and village else street or village
    return village


def _short_place(stop: Stop) -> str:
    """The place in the event's title: the van's stand or the village."""
    if stop.visit.stand:
        return f"Beratungsmobil {stop.visit.stand}"
    site = stop.visit.site
    return site.ortsteil or site.municipality


def _visit_event(
    uid: str, tour: Tour, stop: Stop, created: datetime, addresses: bool
) -> icalendar.Event:
    client = stop.visit.client
    # The van is busy from the set-up on, so the event starts there.
    start = stop.start - timedelta(minutes=stop.setup_min)
    event = _base_event(uid, start, stop.end, created)
    event.add("SUMMARY", f"Besuch {client.id} · {_short_place(stop)}")
    event.add("LOCATION", place_of(stop, addresses=addresses))
    event.add("STATUS", "CONFIRMED")
    number = tour.stops.index(stop) + 1
    lines = [
        f"Kunden-Nr: {client.id}",
        f"Besuch Nr. {number} der Tour ({'Beratungsmobil' if tour.with_van else 'Auto'})",
        f"Besuchsort: {client.visit_place.value}",
        f"Ankunft {clock(stop.arrival)}, Beginn {clock(stop.start)}, Ende {clock(stop.end)}",
        f"Zeitfenster: {stop.window or '–'}",
        f"Anfahrt: {minutes_de(stop.travel_min)}",
        "Name, Telefon und Hinweise stehen auf dem Laufzettel.",
    ]
    if stop.setup_min:
        lines.insert(4, f"Aufbau ab {clock(start)}")
    event.add("DESCRIPTION", "\n".join(lines))
    if addresses:
        event.add("GEO", (round(stop.visit.site.lat, 5), round(stop.visit.site.lon, 5)))
    return event


def _break_event(uid: str, pause: Break, created: datetime) -> icalendar.Event:
    event = _base_event(uid, pause.start, pause.end, created)
    event.add("SUMMARY", "Pause")
    event.add("STATUS", "CONFIRMED")
    event.add("DESCRIPTION", "Pause nach § 4 ArbZG (vom Planer in die Tour gelegt)")
    return event


def _cancelled_visit(uid: str, gone: CancelledVisit, created: datetime) -> icalendar.Event:
    event = _base_event(uid, gone.start, gone.end, created)
    event.add("SUMMARY", f"Abgesagt: Besuch {gone.case_id}")
    event.add("STATUS", "CANCELLED")
    event.add("DESCRIPTION", f"Kunden-Nr: {gone.case_id}\nDieser Besuch entfällt.")
    return event


# --------------------------------------------------------------------------- versions


def _fingerprint(event: icalendar.Component) -> tuple[str, ...]:
    """What makes a change worth a new SEQUENCE (RFC 5545 3.8.7.4: time, status, place)."""
    return tuple(
        _text(event[name].to_ical()) if name in event else ""
        for name in ("DTSTART", "DTEND", "STATUS", "LOCATION", "SUMMARY")
    )


def _text(value: str | bytes) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else value


def _read_previous(path: Path | None) -> dict[str, _Previous]:
    """The events of the previous run's file (none when it is missing or unreadable)."""
    if path is None or not path.is_file():
        return {}
    try:
        calendar = icalendar.Calendar.from_ical(path.read_bytes())
        events = calendar.walk("VEVENT")
        return {
            str(e["UID"]): _Previous(int(e.get("SEQUENCE", 0)), _fingerprint(e), e)
            for e in events
            if "UID" in e
        }
    except (ValueError, KeyError, TypeError):  # a damaged file: start a new history
        return {}


def _version(
    calendar: _Calendar,
    previous: Mapping[str, _Previous],
    floor: int,
    period: tuple[date, date],
    created: datetime,
) -> None:
    """Set SEQUENCE on every event; cancel what the previous file had in the period."""
    for uid, event in calendar.events.items():
        before = previous.get(uid)
        sequence = 0
        if before is not None:
            sequence = before.sequence + (before.fingerprint != _fingerprint(event))
        event.add("SEQUENCE", max(sequence, floor, 1 if _cancelled(event) else 0))
    first, last = period
    for uid, before in previous.items():
        if uid in calendar.events:
            continue
        start = before.event.decoded("DTSTART")
        day = start.date() if isinstance(start, datetime) else start
        if not first <= day < last:
            continue  # another period: not this plan's to cancel
        event = _copy_cancelled(before.event, created)
        bump = 0 if str(before.event.get("STATUS", "")) == "CANCELLED" else 1
        event.add("SEQUENCE", max(before.sequence + bump, floor))
        calendar.events[uid] = event


def _cancelled(event: icalendar.Component) -> bool:
    return str(event.get("STATUS", "")) == "CANCELLED"


def _copy_cancelled(old: icalendar.Component, created: datetime) -> icalendar.Event:
    event = _base_event(str(old["UID"]), old.decoded("DTSTART"), old.decoded("DTEND"), created)
    summary = str(old.get("SUMMARY", "Besuch"))
    if not summary.startswith("Abgesagt: "):
        summary = f"Abgesagt: {summary}"
    event.add("SUMMARY", summary)
    if "LOCATION" in old:
        event.add("LOCATION", str(old["LOCATION"]))
    event.add("STATUS", "CANCELLED")
    event.add("DESCRIPTION", "Dieser Termin entfällt (neu geplant).")
    return event


# --------------------------------------------------------------------------- calendar


def _calendar(calendar: _Calendar) -> icalendar.Calendar:
    cal = icalendar.Calendar()
    cal.add("PRODID", PRODID)
    cal.add("VERSION", "2.0")
    cal.add("CALSCALE", "GREGORIAN")
    cal.add("METHOD", "PUBLISH")
    cal.add("X-WR-CALNAME", f"Beratung Mobil – {calendar.coach_name}")
    cal.add("X-WR-TIMEZONE", TZID)
    events = sorted(calendar.events.values(), key=lambda e: (e.decoded("DTSTART"), str(e["UID"])))
    days = [e.decoded("DTSTART").date() for e in events]
    cal.add_component(vtimezone(ZONE, TZID, min(days), max(days)))
    for event in events:
        cal.add_component(event)
    return cal


def vtimezone(zone: tzinfo, tzid: str, first: date, last: date) -> icalendar.Timezone:
    """The VTIMEZONE for ``first``–``last`` (whole years), from the tz database.

    Each onset's DTSTART is the wall-clock time in the offset *before* it, as RFC 5545
    3.6.5 requires (02:00 for the spring change in Germany; icalendar's own generator
    writes 03:00 there, an hour late for clients that read the VTIMEZONE).
    """
    start = datetime(first.year, 1, 1, tzinfo=zone).astimezone(UTC)
    end = datetime(last.year + 1, 1, 1, tzinfo=zone).astimezone(UTC)
    tz = icalendar.Timezone()
    tz.add("TZID", tzid)
    local = start.astimezone(zone)
    tz.add_component(
        _observance(local.replace(tzinfo=None), local.utcoffset(), local, local.tzname())
    )
    for moment, before in _transitions(zone, start, end):
        after = moment.astimezone(zone)
        onset = (moment + before).replace(tzinfo=None)  # wall clock in the old offset
        tz.add_component(_observance(onset, before, after, after.tzname()))
    return tz


def _observance(
    onset: datetime, before: timedelta | None, after: datetime, name: str | None
) -> icalendar.Component:
    daylight = bool(after.dst())
    component: icalendar.Component = (
        icalendar.TimezoneDaylight() if daylight else icalendar.TimezoneStandard()
    )
    component.add("DTSTART", onset)
    component.add("TZOFFSETFROM", before or timedelta(0))
    component.add("TZOFFSETTO", after.utcoffset() or timedelta(0))
    if name:
        component.add("TZNAME", name)
    return component


def _transitions(
    zone: tzinfo, start: datetime, end: datetime
) -> Iterable[tuple[datetime, timedelta]]:
    """(UTC instant, offset before) of every offset change in ``[start, end)``, to the
    minute: hourly steps, then bisection (changes happen on whole minutes)."""
    step = timedelta(hours=1)
    moment = start
    offset = moment.astimezone(zone).utcoffset()
    while moment < end:
        following = moment + step
        new = following.astimezone(zone).utcoffset()
        if new != offset:
            low, high = moment, following
            while high - low > timedelta(minutes=1):
                middle = low + (high - low) / 2
                if middle.astimezone(zone).utcoffset() == offset:
                    low = middle
                else:
                    high = middle
            yield high.replace(second=0, microsecond=0), offset or timedelta(0)
            offset = new
        moment = following


def events_of(calendars: Sequence[Path]) -> list[icalendar.Component]:
    """Every event of the given files (for checks and tests)."""
    found: list[icalendar.Component] = []
    for path in calendars:
        found.extend(icalendar.Calendar.from_ical(path.read_bytes()).walk("VEVENT"))
    return found


def history_from_changes(
    changes: Sequence[Change], publications: int, *, published_now: bool
) -> CalendarHistory:
    """The calendars' history when planning from the campaign store.

    ``publications`` counts the versions of the published plan for these days (this
    run's included when it publishes): every event is at least that version, and a draft
    that differs from the published plan one more. Visits the re-plan drops, gives to
    another coach or moves to another week are cancelled in the calendar they were in
    (a move within the week keeps its UID and simply updates the event).
    """
    draft_differs = not published_now and bool(changes)
    cancelled: list[CancelledVisit] = []
    for change in changes:
        before, after = change.before, change.after
        if before is None:
            continue
        same_week = after is not None and (
            after.start.isocalendar()[:2] == before.start.isocalendar()[:2]
        )
        if after is not None and after.coach == before.coach and same_week:
            continue  # same UID: the event is updated, not cancelled
        end = before.start + timedelta(minutes=before.duration_min)
        cancelled.append(CancelledVisit(change.case_id, before.coach, before.start, end))
    return CalendarHistory(publications + draft_differs, tuple(cancelled))
