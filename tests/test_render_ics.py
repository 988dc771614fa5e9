"""Calendar files: RFC 5545 with TZID=Europe/Berlin across the change to summer time,
private events without names, stable UIDs, SEQUENCE and cancelled visits."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest

from planner.campaign.model import PinnedVisit
from planner.campaign.week import Change, ChangeKind
from planner.model import CoachLoad, Plan, Tour
from planner.render.ics import (
    CalendarHistory,
    CancelledVisit,
    history_from_changes,
    visit_uid,
    write_calendars,
)

try:
    from tests import render_fixtures as rf
except ImportError:  # tests/ is not a package: pytest puts it on sys.path itself
    import render_fixtures as rf  # type: ignore[no-redef]

BERLIN = ZoneInfo("Europe/Berlin")
FRIDAY = date(2027, 3, 26)  # CET (UTC+1)
MONDAY = date(2027, 3, 29)  # CEST (UTC+2): the clocks went forward on Sunday 28.03.2027
CREATED = datetime(2027, 3, 22, 15, 30)


def _dst_plan() -> Plan:
    """Two tours of one coach around the change to summer time, first visit at 09:00."""
    base = rf.make_plan()
    a_mon, a_tue = base.tours[0], base.tours[1]

    def legs(tour: Tour) -> list[tuple[object, ...]]:
        return [(s.visit.client, s.visit.site, 30, s.distance_m, s.window) for s in tour.stops]

    friday = rf._tour(rf.COACH_A, FRIDAY, rf.WETZLAR, 8 * 60 + 30, legs(a_mon), van=True)  # type: ignore[arg-type]
    monday = rf._tour(rf.COACH_A, MONDAY, rf.WETZLAR, 8 * 60 + 30, legs(a_tue), break_after=1)  # type: ignore[arg-type]
    other = replace(base.tours[2], day=MONDAY)
    other = _shift(other, MONDAY)
    return Plan(
        start=FRIDAY, days=4, tours=(friday, monday, other), unplanned=(), travel_model="",
        loads=(CoachLoad(rf.COACH_A, 0, 0), CoachLoad(rf.COACH_B, 0, 0)),
    )  # fmt: skip


def _shift(tour: Tour, day: date) -> Tour:
    """The tour moved to ``day`` (same times)."""
    delta = datetime.combine(day, datetime.min.time()) - datetime.combine(
        tour.day, datetime.min.time()
    )
    stops = tuple(
        replace(s, arrival=s.arrival + delta, start=s.start + delta, end=s.end + delta)
        for s in tour.stops
    )
    breaks = tuple(replace(b, start=b.start + delta, end=b.end + delta) for b in tour.breaks)
    return replace(
        tour, day=day, start=tour.start + delta, end=tour.end + delta, stops=stops, breaks=breaks
    )


def _events(path: Path) -> list[icalendar.Component]:
    return list(icalendar.Calendar.from_ical(path.read_bytes()).walk("VEVENT"))


def _by_uid(path: Path) -> dict[str, icalendar.Component]:
    return {str(e["UID"]): e for e in _events(path)}


@pytest.fixture(scope="module")
def plan() -> Plan:
    return _dst_plan()


@pytest.fixture(scope="module")
def calendars(plan: Plan, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_calendars(plan, tmp_path_factory.mktemp("ics"), created=CREATED)


def test_one_file_per_coach_with_an_event_per_visit_and_break(
    plan: Plan, calendars: dict[str, Path]
) -> None:
    assert {k: p.name for k, p in calendars.items()} == {
        "coach-a": "coach-a.ics",
        "coach-b": "coach-b.ics",
    }
    events = _events(calendars["coach-a"])
    tours = [t for t in plan.tours if t.coach.key == "coach-a"]
    visits = [e for e in events if str(e["SUMMARY"]).startswith("Besuch ")]
    pauses = [e for e in events if str(e["SUMMARY"]) == "Pause"]
    assert len(visits) == sum(len(t.stops) for t in tours)
    assert len(pauses) == sum(len(t.breaks) for t in tours) == 1
    for event in events:
        assert event["CLASS"] == "PRIVATE"
        assert event["STATUS"] == "CONFIRMED"
        assert int(event["SEQUENCE"]) == 0
        assert "DTSTAMP" in event and "UID" in event


def test_local_times_across_the_change_to_summer_time(calendars: dict[str, Path]) -> None:
    data = calendars["coach-a"].read_bytes()
    assert b"DTSTART;TZID=Europe/Berlin:20270326T090000" in data
    assert b"DTSTART;TZID=Europe/Berlin:20270329T090000" in data
    starts = [e.decoded("DTSTART") for e in _events(calendars["coach-a"])]
    first = {s.date(): s for s in starts if (s.hour, s.minute) == (9, 0)}
    friday, monday = first[FRIDAY], first[MONDAY]
    assert friday.utcoffset() == timedelta(hours=1) and monday.utcoffset() == timedelta(hours=2)
    assert friday.astimezone(ZoneInfo("UTC")).hour == 8
    assert monday.astimezone(ZoneInfo("UTC")).hour == 7


def test_embedded_vtimezone_alone_gives_the_same_offsets(calendars: dict[str, Path]) -> None:
    """A client without a tz database reads the VTIMEZONE: it must agree with tzdata and
    put each onset at the wall-clock time before the change (RFC 5545 3.6.5)."""
    calendar = icalendar.Calendar.from_ical(calendars["coach-a"].read_bytes())
    (vtimezone,) = calendar.walk("VTIMEZONE")
    assert vtimezone["TZID"] == "Europe/Berlin"
    onsets = {(c.name, c.decoded("DTSTART")) for c in vtimezone.subcomponents}
    assert ("DAYLIGHT", datetime(2027, 3, 28, 2, 0)) in onsets
    assert ("STANDARD", datetime(2027, 10, 31, 3, 0)) in onsets
    embedded = vtimezone.to_tz()
    for day, hours in ((FRIDAY, 1), (MONDAY, 2)):
        local = datetime.combine(day, datetime.min.time().replace(hour=9))
        assert local.replace(tzinfo=embedded).utcoffset() == timedelta(hours=hours)
        assert local.replace(tzinfo=BERLIN).utcoffset() == timedelta(hours=hours)


def test_round_trip_through_icalendar(calendars: dict[str, Path]) -> None:
    data = calendars["coach-a"].read_bytes()
    again = icalendar.Calendar.from_ical(data).to_ical()
    assert icalendar.Calendar.from_ical(again) == icalendar.Calendar.from_ical(data)
    calendar = icalendar.Calendar.from_ical(data)
    assert calendar["VERSION"] == "2.0" and "PRODID" in calendar
    assert data.count(b"\r\n") > 10  # content lines end in CRLF


def test_no_names_no_streets_unless_asked(plan: Plan, tmp_path: Path) -> None:
    text = "".join(p.read_text(encoding="utf-8") for p in
                   write_calendars(plan, tmp_path / "a", created=CREATED).values())  # fmt: skip
    unfolded = text.replace("\r\n ", "")
    for name in rf.NAMES:
        assert name.split()[-1].replace("</b>", "") not in unfolded
    assert "Am Kirchberg" not in unfolded and "Lindenweg" not in unfolded
    assert "06442 1234" not in unfolded  # no phone numbers
    assert "Bitte vorher anrufen" not in unfolded  # no notes
    assert "LOCATION:Beratungsmobil" in unfolded or "LOCATION:Braunfels" in unfolded
    asked = write_calendars(plan, tmp_path / "b", created=CREATED, addresses=True)
    streets = "".join(p.read_text(encoding="utf-8") for p in asked.values()).replace("\r\n ", "")
    assert "Lindenweg 12" in streets and "GEO:" in streets
    for name in rf.NAMES:
        assert name.split()[-1].replace("</b>", "") not in streets  # names never


def _moved_first_visit(plan: Plan, minutes: int) -> Plan:
    tour = plan.tours[0]
    first = tour.stops[0]
    delta = timedelta(minutes=minutes)
    moved = replace(first, arrival=first.arrival + delta, start=first.start + delta,
                    end=first.end + delta)  # fmt: skip
    return replace(plan, tours=(replace(tour, stops=(moved, *tour.stops[1:])), *plan.tours[1:]))


def test_replan_keeps_the_uid_and_raises_the_sequence(plan: Plan, tmp_path: Path) -> None:
    one = write_calendars(plan, tmp_path / "1", created=CREATED)
    uid = visit_uid(plan.tours[0].stops[0].visit.client.id, "coach-a", FRIDAY)
    assert uid in _by_uid(one["coach-a"])
    moved = _moved_first_visit(plan, 60)
    two = write_calendars(moved, tmp_path / "2", created=CREATED, previous_dir=tmp_path / "1")
    before, after = _by_uid(one["coach-a"]), _by_uid(two["coach-a"])
    assert before.keys() == after.keys()  # updated, not duplicated
    assert int(after[uid]["SEQUENCE"]) == 1
    assert after[uid].decoded("DTSTART").hour == 10
    assert all(int(e["SEQUENCE"]) == 0 for u, e in after.items() if u != uid)  # unchanged
    three = write_calendars(moved, tmp_path / "3", created=CREATED, previous_dir=tmp_path / "2")
    assert int(_by_uid(three["coach-a"])[uid]["SEQUENCE"]) == 1  # nothing changed: same
    # Moved to another day of the same week: still the same event.
    later = _moved_first_visit(plan, 3 * 24 * 60)
    four = write_calendars(later, tmp_path / "4", created=CREATED, previous_dir=tmp_path / "3")
    assert int(_by_uid(four["coach-a"])[uid]["SEQUENCE"]) == 2


def test_dropped_visit_is_cancelled(plan: Plan, tmp_path: Path) -> None:
    write_calendars(plan, tmp_path / "1", created=CREATED)
    tour = plan.tours[1]
    dropped = tour.stops[2]
    fewer = replace(plan, tours=(plan.tours[0], replace(tour, stops=tour.stops[:2]), plan.tours[2]))
    two = write_calendars(fewer, tmp_path / "2", created=CREATED, previous_dir=tmp_path / "1")
    uid = visit_uid(dropped.visit.client.id, "coach-a", MONDAY)
    event = _by_uid(two["coach-a"])[uid]
    assert event["STATUS"] == "CANCELLED" and int(event["SEQUENCE"]) == 1
    assert event.decoded("DTSTART") == dropped.start.replace(tzinfo=BERLIN)
    # Stays cancelled (same version) in the next run; a plan of another week leaves it out.
    three = write_calendars(fewer, tmp_path / "3", created=CREATED, previous_dir=tmp_path / "2")
    assert int(_by_uid(three["coach-a"])[uid]["SEQUENCE"]) == 1
    week = replace(fewer, start=date(2027, 4, 5), tours=())
    four = write_calendars(week, tmp_path / "4", created=CREATED, previous_dir=tmp_path / "3")
    assert four == {}  # nothing of that week to say


def test_campaign_changes_cancel_and_set_the_version(plan: Plan, tmp_path: Path) -> None:
    at = datetime(2027, 3, 29, 14, 0)
    pin = PinnedVisit("K-9001", "coach-b", at, 60)
    changes = (
        Change("K-9001", ChangeKind.DROPPED, pin, None, "entfällt"),
        Change("K-9002", ChangeKind.MOVED, replace(pin, case_id="K-9002"),
               replace(pin, case_id="K-9002", start=at + timedelta(days=1)), "verschoben"),
        Change("K-9003", ChangeKind.MOVED, replace(pin, case_id="K-9003"),
               replace(pin, case_id="K-9003", start=at + timedelta(days=7)), "verschoben"),
        Change("K-9004", ChangeKind.COACH, replace(pin, case_id="K-9004"),
               replace(pin, case_id="K-9004", coach="coach-a"), "anderer Coach"),
        Change("K-9005", ChangeKind.ADDED, None, replace(pin, case_id="K-9005"), "neu"),
    )  # fmt: skip
    history = history_from_changes(changes, 3, published_now=False)
    assert history.sequence == 4  # a draft that differs from the third publication
    assert [c.case_id for c in history.cancelled] == ["K-9001", "K-9003", "K-9004"]
    assert history_from_changes(changes, 3, published_now=True).sequence == 3
    written = write_calendars(plan, tmp_path, created=CREATED, history=history)
    events = _by_uid(written["coach-b"])
    gone = events[visit_uid("K-9001", "coach-b", at.date())]
    assert gone["STATUS"] == "CANCELLED" and str(gone["SUMMARY"]) == "Abgesagt: Besuch K-9001"
    assert all(int(e["SEQUENCE"]) >= 4 for e in events.values())


def test_cancelled_visit_of_a_coach_without_tours_gets_a_file(tmp_path: Path) -> None:
    plan = Plan(start=MONDAY, days=1, tours=(), unplanned=(), travel_model="",
                loads=(CoachLoad(rf.COACH_B, 0, 0),))  # fmt: skip
    gone = CancelledVisit("K-1", "coach-b", datetime(2027, 3, 29, 9), datetime(2027, 3, 29, 10))
    written = write_calendars(plan, tmp_path, created=CREATED,
                              history=CalendarHistory(2, (gone,)))  # fmt: skip
    (event,) = _events(written["coach-b"])
    assert event["STATUS"] == "CANCELLED" and int(event["SEQUENCE"]) == 2
