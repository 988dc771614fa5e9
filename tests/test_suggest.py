"""Slot suggestions on the phone and fill-ins after a missed visit (planner.campaign.suggest).

Hand-checkable days on a line (``LineTravel``: 1 unit of latitude = 10 minutes' drive),
and generated weeks in the real district (offline estimate) where every proposed tour
goes through the independent checker of ``tests.checks``.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime, time, timedelta

import pytest

from planner import geodata
from planner import settings as planner_settings
from planner.campaign.suggest import (
    MAX_SLOTS_PER_COACH_DAY,
    FillIn,
    Slot,
    explain_no_slot,
    fits_after_miss,
    suggest_slots,
    tour_with_fill_in,
    tour_with_slot,
)
from planner.intake import load_team
from planner.model import (
    Address,
    Break,
    Client,
    Coach,
    Office,
    Precision,
    Site,
    Stop,
    Team,
    Tour,
    Van,
    Visit,
    VisitPlace,
    WeeklyWindow,
)
from planner.solve import FirstOf, SolutionLimit, TimeLimit, solve_visits
from planner.solve.problem import at_stand
from planner.traveltime import GreatCircleEstimate, TravelTimeProvider
from tests.checks import plan_violations, tour_violations
from tests.test_solve import LineTravel

MONDAY = date(2026, 11, 30)
TUESDAY = MONDAY + timedelta(days=1)
SATURDAY = MONDAY + timedelta(days=5)
CHRISTMAS = date(2026, 12, 25)  # Friday, Erster Weihnachtstag
WEEKDAYS = tuple((d, 8 * 60, 16 * 60 + 30) for d in range(5))
LINE = LineTravel()


# --------------------------------------------------------------------------- builders


def coach(key: str, *, hours=WEEKDAYS, van: bool = False, office: str = "o", absent=()) -> Coach:
    return Coach(key, key.capitalize(), office, office, hours, van, absent=absent)


def team_of(*coaches: Coach, offices: Sequence[Office] = (), van: Van | None = None) -> Team:
    return Team(coaches, tuple(offices) or (Office("o", "Jobcenter Mitte", 0.0, 0.0),), van=van)


def visit(
    cid: str,
    lat: float,
    *,
    minutes: int = 60,
    place: str = "Sinn",
    availability: tuple[WeeklyWindow, ...] = (),
    appointment: datetime | None = None,
    van: bool = False,
) -> Visit:
    client = Client(
        id=cid,
        row=2,
        address=Address(place=place),
        availability=availability,
        appointment=appointment,
        visit_place=VisitPlace.VAN if van else VisitPlace.HOME,
    )
    v = Visit(client, Site(lat, 0.0, place, "0", "", Precision.ORTSTEIL), minutes)
    return at_stand(v) if van else v


def at(day: date, hhmm: str) -> datetime:
    hours, minutes = map(int, hhmm.split(":"))
    return datetime.combine(day, time(hours, minutes))


def pinned(
    c: Coach,
    day: date,
    team: Team,
    stops: Sequence[tuple[Visit, str]],
    *,
    with_van: bool = False,
    rests: Sequence[tuple[str, str]] = (),
) -> Tour:
    """A published tour on the line, built by hand (not by the code under test)."""
    office = team.office(c.office)
    factor = team.van.speed_factor if with_van and team.van else 1.0
    setup_min = team.van.setup_min if team.van else 0

    def drive(a: float, b: float) -> int:
        return math.ceil(round(abs(a - b) * 600 * factor) / 60)

    built: list[Stop] = []
    lat, stand, depart = office.lat, "", None
    for v, hhmm in stops:
        start = at(day, hhmm)
        van = v.client.visit_place is VisitPlace.VAN
        same = with_van and van and v.stand == stand
        d = 0 if same else drive(lat, v.site.lat)
        setup = setup_min if with_van and van and not same else 0
        busy = start - timedelta(minutes=setup)
        depart = depart or busy - timedelta(minutes=d)
        end = start + timedelta(minutes=v.duration_min)
        built.append(Stop(v, busy, start, end, d, 0, "", setup))
        lat, stand = v.site.lat, (v.stand if van else "")
    back = drive(lat, office.lat)
    assert depart is not None
    tour = Tour(
        coach=c,
        day=day,
        with_van=with_van,
        start_office=office,
        end_office=office,
        start=depart,
        end=built[-1].end + timedelta(minutes=back),
        stops=tuple(built),
        breaks=tuple(Break(at(day, a), at(day, b)) for a, b in rests),
        driving_min=sum(s.travel_min for s in built) + back,
        distance_m=0,
        return_travel_min=back,
    )
    assert tour_violations(tour, team, LINE) == [], "the fixture itself must be lawful"
    return tour


def booked(
    slot: Slot, v: Visit, tours: Sequence[Tour], team: Team, travel: TravelTimeProvider
) -> Tour:
    """Book the slot and check what a coach relies on: pins kept, nothing overlaps, the
    independent checker finds nothing, and the rest of the plan stays valid."""
    tour = tour_with_slot(slot, v, tours, team, travel)
    before = next((t for t in tours if (t.coach.key, t.day) == (slot.coach, slot.day)), None)
    starts = {s.visit.client.id: s.start for s in tour.stops}
    assert starts[v.client.id] == slot.start
    new = next(s for s in tour.stops if s.visit.client.id == v.client.id)
    assert new.end == slot.end
    if before is not None:
        assert tour.with_van == before.with_van
        for s in before.stops:
            assert starts[s.visit.client.id] == s.start, "a pinned start moved"
            assert s.end <= new.start - timedelta(minutes=new.setup_min) or new.end <= s.start
    else:
        assert slot.new_tour
    assert tour_violations(tour, team, travel) == []
    others = [t for t in tours if (t.coach.key, t.day) != (slot.coach, slot.day)]
    assert plan_violations([*others, tour], team, travel) == []
    return tour


def fill(
    tour: Tour,
    k: int,
    now: datetime,
    f: FillIn,
    v: Visit,
    team: Team,
    travel: TravelTimeProvider,
) -> Tour:
    """Apply a fill-in and check it: later pins kept, the checker finds nothing."""
    new_tour = tour_with_fill_in(tour, k, now, f, v, team, travel)
    starts = {s.visit.client.id: s.start for s in new_tour.stops}
    assert starts[f.case_id] == f.start >= now.replace(second=0, microsecond=0)
    for s in tour.stops:
        assert starts[s.visit.client.id] == s.start
    assert tour_violations(new_tour, team, travel) == []
    return new_tour


# --------------------------------------------------------------------------- hand-checked


def test_slot_fills_the_gap_between_pinned_stops() -> None:
    anna = coach("anna")
    team = team_of(anna)
    k1, k2 = visit("K1", 1.0, place="Sinn"), visit("K2", 3.0, place="Herborn")
    tour = pinned(anna, MONDAY, team, [(k1, "09:00"), (k2, "11:00")])
    new = visit("N", 2.0, minutes=30, place="Ehringshausen")

    slots = suggest_slots(new, [tour], team, LINE, MONDAY, 1)

    # 10:00 + 10 min drive = 10:10 → grid 10:15; back to K2 at 10:55 ≤ 11:00. Before the
    # first stop it cannot fit (office 20 min away, K1 at 09:00); after the last: 12:15.
    assert [(s.start, s.end) for s in slots] == [
        (at(MONDAY, "10:15"), at(MONDAY, "10:45")),
        (at(MONDAY, "12:15"), at(MONDAY, "12:45")),
    ]
    first = slots[0]
    assert (first.coach, first.with_van, first.new_tour, first.p) == ("anna", False, False, None)
    assert first.extra_driving_min == 0  # on a line, K1 → N → K2 is the way anyway
    assert first.explanation == (
        "Mo 30.11. 10:15 bei Anna, zwischen den Terminen in Sinn und Herborn, +0 min Fahrt"
    )
    assert "nach dem Termin in Herborn" in slots[1].explanation
    for slot in slots:
        booked(slot, new, [tour], team, LINE)


def test_new_tour_costs_the_whole_drive_out_and_back() -> None:
    anna = coach("anna")
    team = team_of(anna)
    (slot,) = suggest_slots(visit("N", 2.5), [], team, LINE, MONDAY, 1, limit=1)
    assert slot.new_tour
    assert slot.extra_driving_min == 50  # 25 min out, 25 min back
    assert slot.start == at(MONDAY, "08:30")  # 08:00 + 25 min → next quarter hour
    assert "neue Tour ab Jobcenter Mitte" in slot.explanation
    tour = booked(slot, visit("N", 2.5), [], team, LINE)
    assert tour.start == at(MONDAY, "08:05")  # leaves as late as the start allows


def test_grid_step_is_respected() -> None:
    team = team_of(coach("anna"))
    slots = suggest_slots(visit("N", 0.7), [], team, LINE, MONDAY, 5, step_min=20)
    assert slots and all(s.start.minute % 20 == 0 for s in slots)


def test_a_full_day_yields_no_slot_there_and_an_empty_result_explains_why() -> None:
    anna = coach("anna")
    team = team_of(anna)
    # 08:10–16:20 back to back at one place (no drive between), 10 min from the office.
    full = pinned(
        anna,
        MONDAY,
        team,
        [(visit("A", 1.0, minutes=170), "08:10"), (visit("B", 1.0, minutes=150), "11:30"),
         (visit("C", 1.0, minutes=140), "14:00")],
        rests=[("11:00", "11:30")],
    )  # fmt: skip
    new = visit("N", 1.0, minutes=15)

    assert suggest_slots(new, [full], team, LINE, MONDAY, 1) == ()
    text = explain_no_slot(new, [full], team, LINE, MONDAY, 1)
    assert text.startswith("Kein freier Termin am Mo 30.11.2026")
    assert "Tag voll" in text and "Anna Mo 30.11." in text

    week = suggest_slots(new, [full], team, LINE, MONDAY, 2)
    assert week and all(s.day == TUESDAY for s in week)
    assert explain_no_slot(new, [full], team, LINE, MONDAY, 2) == ""


def test_the_break_moves_when_the_visit_takes_its_place() -> None:
    anna = coach("anna")
    team = team_of(anna)
    a, b, c = (
        visit("A", 1.0, minutes=170),
        visit("B", 1.0, minutes=80),
        visit("C", 1.0, minutes=155),
    )
    # 08:00–16:30 needs a rest; the published one is 11:00–11:30 in the first gap.
    tour = pinned(anna, MONDAY, team, [(a, "08:10"), (b, "11:40"), (c, "13:45")],
                  rests=[("11:00", "11:30")])  # fmt: skip
    new = visit("N", 1.0, minutes=30, availability=(WeeklyWindow(0, 11 * 60, 11 * 60 + 40),))

    (slot,) = suggest_slots(new, [tour], team, LINE, MONDAY, 1)

    assert slot.start == at(MONDAY, "11:00")
    after = booked(slot, new, [tour], team, LINE)
    # The rest moved to the second gap (13:00–13:45): 5 h before it, 3 h after it.
    assert [(r.start, r.end) for r in after.breaks] == [(at(MONDAY, "13:00"), at(MONDAY, "13:30"))]


def test_a_long_day_gets_the_45_minute_rest_and_unlawful_starts_are_skipped() -> None:
    anna = coach("anna", hours=((0, 7 * 60, 18 * 60),))
    team = team_of(anna)
    a, b = visit("A", 1.0, minutes=170), visit("B", 1.0, minutes=150)
    c = visit("C", 1.0, minutes=150)
    # 07:00–16:10 (9 h 10 min): 30 min rest, published 10:00–10:30 in the hour A–B.
    tour = pinned(anna, MONDAY, team, [(a, "07:10"), (b, "11:00"), (c, "13:30")],
                  rests=[("10:00", "10:30")])  # fmt: skip
    new = visit("N", 1.0, minutes=30)

    slots = suggest_slots(new, [tour], team, LINE, MONDAY, 1)

    # 10:00 in the gap A–B (the rest moves behind the visit), and 16:00 after C, where
    # the day grows to 9 h 40 min: the rest becomes 45 minutes.
    assert [s.start for s in slots] == [at(MONDAY, "10:00"), at(MONDAY, "16:00")]
    inside, after = (booked(s, new, [tour], team, LINE) for s in slots)
    assert [(r.start, r.end) for r in inside.breaks] == [(at(MONDAY, "10:30"), at(MONDAY, "11:00"))]
    assert [(r.start, r.end) for r in after.breaks] == [(at(MONDAY, "10:00"), at(MONDAY, "10:45"))]

    # 10:15 leaves 15 minutes on either side: no rest fits. The person is most likely in
    # at 10:15, so the best lawful start after it is offered: 10:30 (rest kept before it).
    def p(weekday: int, minute: int) -> float:
        return {10 * 60 + 15: 0.9, 10 * 60 + 30: 0.5}.get(minute, 0.1)

    slots = suggest_slots(new, [tour], team, LINE, MONDAY, 1, reachability=p)
    assert [(s.start, s.p) for s in slots] == [
        (at(MONDAY, "10:30"), 0.5),
        (at(MONDAY, "10:00"), 0.1),
    ]
    kept = booked(slots[0], new, [tour], team, LINE)
    assert [(r.start, r.end) for r in kept.breaks] == [(at(MONDAY, "10:00"), at(MONDAY, "10:30"))]


def test_no_slot_when_the_break_has_nowhere_lawful_to_go() -> None:
    anna = coach("anna")
    team = team_of(anna)
    a, b, c = (
        visit("A", 1.0, minutes=170),
        visit("B", 1.0, minutes=170),
        visit("C", 1.0, minutes=80),
    )
    # The only other gap (14:30–15:00) comes 6.5 h after the start: too late for a rest.
    tour = pinned(anna, MONDAY, team, [(a, "08:10"), (b, "11:40"), (c, "15:00")],
                  rests=[("11:00", "11:30")])  # fmt: skip
    new = visit("N", 1.0, minutes=30, availability=(WeeklyWindow(0, 11 * 60, 11 * 60 + 40),))

    assert suggest_slots(new, [tour], team, LINE, MONDAY, 1) == ()
    assert "Tag voll" in explain_no_slot(new, [tour], team, LINE, MONDAY, 1)


# --------------------------------------------------------------------------- calendar


def test_no_slots_on_public_holidays() -> None:
    team = team_of(coach("anna"), coach("ben"))
    new = visit("N", 1.0)
    week = suggest_slots(new, [], team, LINE, date(2026, 12, 21), 5, limit=50)
    assert week and CHRISTMAS not in {s.day for s in week}
    assert suggest_slots(new, [], team, LINE, CHRISTMAS, 1) == ()
    text = explain_no_slot(new, [], team, LINE, CHRISTMAS, 1)
    assert "Feiertag (Erster Weihnachtstag)" in text and "Fr 25.12." in text


def test_no_slots_while_a_coach_is_absent() -> None:
    anna = coach("anna", absent=((MONDAY, TUESDAY),))
    team = team_of(anna)
    new = visit("N", 1.0)
    slots = suggest_slots(new, [], team, LINE, MONDAY, 5, limit=50)
    assert slots and min(s.day for s in slots) == MONDAY + timedelta(days=2)
    assert suggest_slots(new, [], team, LINE, MONDAY, 2) == ()
    text = explain_no_slot(new, [], team, LINE, MONDAY, 2)
    assert "abwesend: Anna Mo 30.11., Anna Di 01.12." in text


def test_saturday_only_with_a_coach_who_works_saturdays() -> None:
    saturday = ((5, 9 * 60, 13 * 60),)
    new = visit("N", 1.0)
    weekdays_only = team_of(coach("anna"))
    assert suggest_slots(new, [], weekdays_only, LINE, SATURDAY, 1) == ()
    assert "arbeitet" in explain_no_slot(new, [], weekdays_only, LINE, SATURDAY, 1)

    team = team_of(coach("anna"), coach("ben", hours=WEEKDAYS + saturday))
    slots = suggest_slots(new, [], team, LINE, SATURDAY, 1)
    assert slots and {(s.coach, s.day) for s in slots} == {("ben", SATURDAY)}
    assert all(at(SATURDAY, "09:00") <= s.start and s.end <= at(SATURDAY, "13:00") for s in slots)


def test_not_before_drops_slots_in_the_past() -> None:
    team = team_of(coach("anna"))
    now = at(MONDAY, "13:07")
    slots = suggest_slots(visit("N", 1.0), [], team, LINE, MONDAY, 2, not_before=now)
    assert slots and all(s.start >= now for s in slots)
    assert min(s.start for s in slots) == at(MONDAY, "13:15")


def test_a_visit_tied_to_a_coach_or_a_first_day_gets_nothing_else() -> None:
    team = team_of(coach("anna"), coach("ben"))
    wednesday = MONDAY + timedelta(days=2)
    tied = replace(visit("N", 1.0), coach="ben", not_before=wednesday)
    slots = suggest_slots(tied, [], team, LINE, MONDAY, 5, limit=10)
    assert slots and {s.coach for s in slots} == {"ben"}
    assert min(s.day for s in slots) == wednesday
    assert "erst ab 02.12.2026" in explain_no_slot(tied, [], team, LINE, MONDAY, 2)
    tour = pinned(team.coaches[0], MONDAY, team, [(visit("A", 1.0), "09:00")])
    assert fits_after_miss(tour, 0, at(MONDAY, "09:00"), [tied], team, LINE) == ()


def test_fixed_region_days_keep_other_regions_away() -> None:
    anna = replace(coach("anna"), region_days=((0, "Dill-Nord"),), region_days_fixed=True)
    team = team_of(anna)
    south = visit("N", 1.0)
    south = replace(south, site=replace(south.site, region="Lahn-Süd"))
    slots = suggest_slots(south, [], team, LINE, MONDAY, 2)
    assert slots and all(s.day == TUESDAY for s in slots)
    text = explain_no_slot(south, [], team, LINE, MONDAY, 1)
    assert "Regionstag für eine andere Region (Dill-Nord): Anna Mo 30.11." in text


# --------------------------------------------------------------------------- ranking


def test_the_bezugscoach_comes_first_even_with_more_driving() -> None:
    offices = (Office("west", "Büro West", 0.0, 0.0), Office("ost", "Büro Ost", 3.0, 0.0))
    team = team_of(coach("anna", office="west"), coach("ben", office="ost"), offices=offices)
    new = visit("N", 2.5)  # 25 min from Anna's office, 5 min from Ben's

    plain = suggest_slots(new, [], team, LINE, MONDAY, 2, limit=10)
    assert plain[0].coach == "ben"
    assert [s.extra_driving_min for s in plain] == sorted(s.extra_driving_min for s in plain)

    slots = suggest_slots(new, [], team, LINE, MONDAY, 2, preferred_coach="anna", limit=10)
    keys = [s.coach for s in slots]
    assert keys[0] == "anna" and keys == sorted(keys, key=lambda k: k != "anna")
    assert all(s.preferred_coach == (s.coach == "anna") for s in slots)
    assert "bei Anna (Bezugscoach)" in slots[0].explanation


def test_reachability_offers_the_best_band_and_ranks_by_it() -> None:
    team = team_of(coach("anna"))
    calls: list[tuple[int, int]] = []

    def p(weekday: int, minute: int) -> float:
        calls.append((weekday, minute))
        return 0.7 if 12 * 60 <= minute < 16 * 60 else 0.2

    slots = suggest_slots(visit("N", 1.0), [], team, LINE, MONDAY, 1, reachability=p)
    # Per gap: the earliest start and the best start; the best one ranks first.
    assert [(s.start, s.p) for s in slots] == [
        (at(MONDAY, "12:00"), 0.7),
        (at(MONDAY, "08:15"), 0.2),
    ]
    assert "Chance anzutreffen 70 %" in slots[0].explanation
    assert calls and all(weekday == 0 for weekday, _ in calls)


def test_at_most_two_slots_per_coach_day_and_at_most_limit() -> None:
    team = team_of(coach("anna"), coach("ben"))
    k1, k2 = visit("K1", 1.0), visit("K2", 1.0)
    tours = [pinned(team.coaches[0], MONDAY, team, [(k1, "09:00"), (k2, "12:00")])]

    def p(weekday: int, minute: int) -> float:
        return minute / 1440

    for limit in (1, 3, 5, 12):
        slots = suggest_slots(visit("N", 1.5, minutes=30), tours, team, LINE, MONDAY, 5,
                              reachability=p, limit=limit)  # fmt: skip
        assert len(slots) == limit
        per_day = Counter((s.coach, s.day) for s in slots)
        assert max(per_day.values()) <= MAX_SLOTS_PER_COACH_DAY
        keys = [(not s.preferred_coach, s.extra_driving_min, -(s.p or 0), s.start, s.coach)
                for s in slots]  # fmt: skip
        assert keys == sorted(keys)


def test_same_question_same_answer() -> None:
    team = team_of(coach("anna"), coach("ben"))
    tours = [pinned(team.coaches[1], MONDAY, team, [(visit("K1", 2.0), "10:00")])]
    args = (visit("N", 1.0), tours, team, LINE, MONDAY, 5)
    assert suggest_slots(*args, limit=8) == suggest_slots(*args, limit=8)


# --------------------------------------------------------------------------- windows


def test_availability_windows_are_respected() -> None:
    team = team_of(coach("anna"), coach("ben"))
    tuesday_afternoon = (WeeklyWindow(1, 14 * 60, 17 * 60),)
    new = visit("N", 1.0, availability=tuesday_afternoon)
    slots = suggest_slots(new, [], team, LINE, MONDAY, 5, limit=10)
    assert slots
    for s in slots:
        assert s.day == TUESDAY
        assert s.start >= at(TUESDAY, "14:00") and s.end <= at(TUESDAY, "16:20")  # back 16:30
        booked(s, new, [], team, LINE)
    text = explain_no_slot(new, [], team, LINE, MONDAY, 1)
    assert "Verfügbarkeit Di 14:00-17:00 passt nicht zu diesem Tag" in text


def test_an_appointment_is_kept_exactly_off_the_grid() -> None:
    team = team_of(coach("anna"))
    new = visit("N", 1.0, appointment=at(TUESDAY, "10:20"))
    slots = suggest_slots(new, [], team, LINE, MONDAY, 5)
    assert [s.start for s in slots] == [at(TUESDAY, "10:20")]
    clash = pinned(team.coaches[0], TUESDAY, team, [(visit("K1", 1.0), "10:00")])
    assert suggest_slots(new, [clash], team, LINE, MONDAY, 5) == ()


# --------------------------------------------------------------------------- van


def _van_team() -> Team:
    return team_of(coach("anna", van=True), coach("ben", van=True), coach("cora"),
                   van=Van(setup_min=10, speed_factor=1.5))  # fmt: skip


def test_van_visits_only_in_the_van() -> None:
    team = _van_team()
    anna, ben, _ = team.coaches
    new = visit("N", 2.0, van=True)
    car_monday = pinned(anna, MONDAY, team, [(visit("K1", 1.0), "09:00")])
    van_tuesday = pinned(ben, TUESDAY, team, [(visit("K2", 2.0, van=True), "09:00")], with_van=True)
    tours = [car_monday, van_tuesday]
    slots = suggest_slots(new, tours, team, LINE, MONDAY, 2, limit=20)

    assert slots and all(s.with_van for s in slots)
    assert "cora" not in {s.coach for s in slots}  # does not drive the van
    assert ("anna", MONDAY) not in {(s.coach, s.day) for s in slots}  # out by car
    # Tuesday the van is Ben's: only his tour, at the same stand without a second set-up.
    assert {s.coach for s in slots if s.day == TUESDAY} == {"ben"}
    assert all("im Beratungsmobil" in s.explanation for s in slots)
    for s in slots:
        tour = booked(s, new, tours, team, LINE)
        stop = next(x for x in tour.stops if x.visit.client.id == "N")
        assert stop.setup_min == (0 if s.day == TUESDAY else 10)
    # The van drives 1.5 × slower: 30 min out to lat 2, 30 back; set-up 10 before 08:40.
    ben_monday = next(s for s in slots if (s.coach, s.day) == ("ben", MONDAY))
    assert (ben_monday.extra_driving_min, ben_monday.start) == (60, at(MONDAY, "08:45"))
    assert explain_no_slot(new, tours, team, LINE, TUESDAY, 1) == ""  # Ben's tour takes it


def test_van_busy_elsewhere_and_no_van_driver_are_explained() -> None:
    team = _van_team()
    ben = team.coaches[1]
    # Ben's Monday van tour fills his day; nobody else may take the van that day.
    # Four van visits at one stand, 08:30–16:10 with the rest 12:10–12:40.
    long_day = [(visit(f"K{i}", 1.0, van=True, minutes=m), t)
                for i, (m, t) in enumerate(((110, "08:30"), (110, "10:20"), (110, "12:40"),
                                            (100, "14:30")))]  # fmt: skip
    van_monday = pinned(ben, MONDAY, team, long_day, with_van=True, rests=[("12:10", "12:40")])
    new = visit("N", 2.0, van=True)
    assert suggest_slots(new, [van_monday], team, LINE, MONDAY, 1) == ()
    text = explain_no_slot(new, [van_monday], team, LINE, MONDAY, 1)
    assert "Beratungsmobil an dem Tag schon bei Ben: Anna Mo 30.11." in text
    assert "fährt das Beratungsmobil nicht: Cora Mo 30.11." in text
    assert "Tag voll" in text and "Ben Mo 30.11." in text
    no_van = replace(team, van=None)
    assert "kein Beratungsmobil" in explain_no_slot(new, [], no_van, LINE, MONDAY, 1)


# --------------------------------------------------------------------------- fill-ins


def test_fits_after_miss_keeps_the_next_stop_on_time_and_ranks_by_driving() -> None:
    anna = coach("anna")
    team = team_of(anna)
    missed, nxt = visit("A", 1.0), visit("B", 1.0, place="Herborn")
    tour = pinned(anna, MONDAY, team, [(missed, "09:00"), (nxt, "12:00")])
    now = at(MONDAY, "09:05")
    candidates = [
        visit("C1", 2.0),  # 10 min away: 09:15–10:15, back at B by 10:25 (+20 min)
        visit("C2", 1.5),  # 5 min away: 09:10–10:10 (+10 min)
        visit("C3", 6.0, minutes=90),  # 50 min each way: B would be late (12:15)
        visit("C4", 1.5, availability=(WeeklyWindow(0, 16 * 60, 18 * 60),)),  # only later
        visit("C5", 0.5),  # as far as C2: ties go by case id
    ]
    fills = fits_after_miss(tour, 0, now, candidates, team, LINE, limit=5)

    assert [(f.case_id, f.start, f.extra_driving_min) for f in fills] == [
        ("C2", at(MONDAY, "09:10"), 10),
        ("C5", at(MONDAY, "09:10"), 10),
        ("C1", at(MONDAY, "09:15"), 20),
    ]
    assert fills[0].explanation == (
        "C2 in Sinn: Besuch 09:10–10:10, +10 min Fahrt, danach rechtzeitig zum Termin um "
        "12:00 in Herborn"
    )
    for f in fills:
        fill(tour, 0, now, f, next(c for c in candidates if c.client.id == f.case_id), team, LINE)
    assert [f.case_id for f in fits_after_miss(tour, 0, now, candidates, team, LINE)] == [
        "C2", "C5", "C1",
    ]  # fmt: skip


def test_fits_after_the_last_stop_must_be_back_by_the_end_of_the_shift() -> None:
    anna = coach("anna")
    team = team_of(anna)
    tour = pinned(anna, MONDAY, team, [(visit("A", 1.0), "14:00")])
    now = at(MONDAY, "14:02")
    near, far = visit("C1", 1.0, minutes=60), visit("C2", 4.0, minutes=60)
    # C1: 14:02 (0 min drive on the line) – 15:02, home 15:12. C2: 30 min out, 14:32–15:32
    # and 40 min back: 16:12 ≤ 16:30. With 90 min it would be 16:42: too late.
    fills = fits_after_miss(tour, 0, now, [far, near], team, LINE)
    assert [(f.case_id, f.extra_driving_min) for f in fills] == [("C1", 0), ("C2", 60)]
    assert fills[0].explanation.endswith("danach zurück im Jobcenter Mitte um 15:12")
    too_long = visit("C3", 4.0, minutes=90)
    assert fits_after_miss(tour, 0, now, [too_long], team, LINE) == ()
    for f, v in zip(fills, (near, far), strict=True):
        fill(tour, 0, now, f, v, team, LINE)


def test_fits_after_miss_leaves_out_van_cases_on_a_car_tour_and_cases_already_in_it() -> None:
    team = _van_team()
    tour = pinned(team.coaches[0], MONDAY, team, [(visit("A", 1.0), "09:00"),
                                                  (visit("B", 1.0), "13:00")])  # fmt: skip
    candidates = [visit("V", 1.0, van=True), visit("B", 1.0), visit("H", 1.0)]
    fills = fits_after_miss(tour, 0, at(MONDAY, "09:00"), candidates, team, LINE)
    assert [f.case_id for f in fills] == ["H"]


def test_fits_after_miss_rejects_a_stop_index_out_of_range() -> None:
    team = team_of(coach("anna"))
    tour = pinned(team.coaches[0], MONDAY, team, [(visit("A", 1.0), "09:00")])
    with pytest.raises(ValueError):
        fits_after_miss(tour, 1, at(MONDAY, "09:00"), [], team, LINE)


# --------------------------------------------------------------------------- generated weeks

ESTIMATE = GreatCircleEstimate()


@pytest.fixture(scope="module")
def demo_team() -> Team:
    return load_team(planner_settings.DEMO_DIR / "team.toml")


def _random_visit(rng: random.Random, cid: str) -> Visit:
    """A client somewhere in the district, sometimes with a window or in the van."""
    place = rng.choice(geodata.places())
    kind = rng.choice([VisitPlace.HOME] * 4 + [VisitPlace.CAFE, VisitPlace.VAN])
    windows: tuple[WeeklyWindow, ...] = ()
    if rng.random() < 0.3:
        begin = rng.choice([8 * 60, 9 * 60, 13 * 60, 14 * 60])
        windows = (WeeklyWindow(rng.randrange(5), begin, begin + rng.choice([120, 180, 240])),)
    client = Client(cid, 2, Address(place=place.name), availability=windows, visit_place=kind)
    site = Site(place.lat, place.lon, place.municipality, place.ags, place.name,
                Precision.ORTSTEIL)  # fmt: skip
    return Visit(client, site, rng.choice([30, 45, 60, 90]))


@pytest.mark.parametrize("seed", range(4))
def test_weeks_built_by_booking_suggestions_stay_lawful(demo_team: Team, seed: int) -> None:
    """Book suggestion after suggestion into an empty week: every offered slot, booked,
    passes the independent checker, and so does the whole week after each booking."""
    rng = random.Random(seed)
    tours: list[Tour] = []
    offered = 0
    for i in range(45):
        new = _random_visit(rng, f"N{i}")
        preferred = rng.choice(["", "anna", "jonas", "mira"])
        slots = suggest_slots(new, tours, demo_team, ESTIMATE, MONDAY, 5,
                              preferred_coach=preferred,
                              reachability=lambda wd, m: (wd + m // 240) % 4 / 4)  # fmt: skip
        if not slots:
            assert explain_no_slot(new, tours, demo_team, ESTIMATE, MONDAY, 5)
            continue
        offered += len(slots)
        results = [booked(s, new, tours, demo_team, ESTIMATE) for s in slots]
        pick = rng.randrange(len(slots))
        tours = [t for t in tours if (t.coach.key, t.day) != (slots[pick].coach, slots[pick].day)]
        tours.append(results[pick])
        assert plan_violations(tours, demo_team, ESTIMATE) == []
    assert offered > 60
    assert sum(len(t.stops) for t in tours) > 25


@pytest.fixture(scope="module")
def solved_week(demo_team: Team) -> tuple[Tour, ...]:
    rng = random.Random(11)
    visits = [_random_visit(rng, f"K{i}") for i in range(40)]
    stop = FirstOf((SolutionLimit(30), TimeLimit(20)))
    result = solve_visits(visits, demo_team, MONDAY, 5, ESTIMATE, stop)
    assert plan_violations(result.tours, demo_team, ESTIMATE) == []
    return result.tours


def test_every_slot_in_a_solved_week_passes_the_checker(
    demo_team: Team, solved_week: tuple[Tour, ...]
) -> None:
    rng = random.Random(3)
    seen = 0
    for i in range(25):
        new = _random_visit(rng, f"N{i}")
        for slot in suggest_slots(new, solved_week, demo_team, ESTIMATE, MONDAY, 5, limit=8):
            booked(slot, new, solved_week, demo_team, ESTIMATE)
            seen += 1
    assert seen > 50


def test_every_fill_in_in_a_solved_week_passes_the_checker(
    demo_team: Team, solved_week: tuple[Tour, ...]
) -> None:
    rng = random.Random(4)
    candidates = [_random_visit(rng, f"C{i:03d}") for i in range(150)]
    by_id = {c.client.id: c for c in candidates}
    seen = 0
    for tour in solved_week:
        for k, stop in enumerate(tour.stops):
            now = stop.start + timedelta(minutes=rng.choice([0, 3, 10]), seconds=17)
            fills = fits_after_miss(tour, k, now, candidates, demo_team, ESTIMATE)
            assert [f.extra_driving_min for f in fills] == sorted(
                f.extra_driving_min for f in fills
            )
            for f in fills:
                fill(tour, k, now, f, by_id[f.case_id], demo_team, ESTIMATE)
                seen += 1
    assert seen > 20
