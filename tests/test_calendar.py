"""Public holidays in Hessen and the coaches' absences: no shift, and the plan says why."""

from __future__ import annotations

import tomllib
from collections import Counter
from dataclasses import replace
from datetime import date, datetime

import pytest

from planner.calendar_de import coach_day_off, days_off, holiday_name
from planner.intake import parse_rows, parse_team
from planner.model import DayOff, Plan, Team
from planner.pipeline import build_plan
from planner.reasons import DayOffReason, Reason
from planner.render import write_summary
from planner.render.sheet import index_html
from planner.solve import FirstOf, SolutionLimit, TimeLimit
from planner.solve.explain import idle_days
from planner.solve.problem import build_shifts
from tests import render_fixtures as rf

# Anna works Mon–Fri and drives the van; Jonas works Mon–Thu (never on Fridays).
TEAM = """
[[buero]]
kennung = "wetzlar"
breite = 50.5526
laenge = 8.5042

[[coach]]
kennung = "anna"
name = "Anna Becker"
arbeitszeit = "Mo-Fr 08:00-16:00"
faehrt_beratungsmobil = true
abwesend = ["15.12.2026"]

[[coach]]
kennung = "jonas"
name = "Jonas Keller"
arbeitszeit = "Mo-Do 08:00-16:00"
abwesend = ["28.12.2026-05.01.2027"]
"""


@pytest.fixture(scope="module")
def team() -> Team:
    return parse_team(tomllib.loads(TEAM))


def _shift_days(team: Team, start: date, days: int) -> dict[date, list[str]]:
    """Day → coach keys with a shift (van shifts marked with "+Mobil")."""
    out: dict[date, list[str]] = {}
    for shift in build_shifts(team, start, days):
        out.setdefault(shift.day, []).append(shift.coach.key + ("+Mobil" if shift.with_van else ""))
    return out


def test_hessen_holidays_have_german_names() -> None:
    assert holiday_name(date(2026, 12, 25)) == "Erster Weihnachtstag"
    assert holiday_name(date(2026, 12, 26)) == "Zweiter Weihnachtstag"
    assert holiday_name(date(2027, 1, 1)) == "Neujahr"
    assert holiday_name(date(2027, 5, 17)) == "Pfingstmontag"
    assert holiday_name(date(2027, 5, 27)) == "Fronleichnam"  # a holiday in Hessen
    # Not public holidays in Hessen: the team enters them as absences if needed.
    assert holiday_name(date(2026, 12, 24)) is None  # Heiligabend
    assert holiday_name(date(2026, 12, 31)) is None  # Silvester
    assert holiday_name(date(2026, 11, 1)) is None  # Allerheiligen (Bavaria, not Hessen)
    assert holiday_name(date(2026, 12, 1)) is None


def test_christmas_week_has_no_shift_on_christmas_day(team: Team) -> None:
    start = date(2026, 12, 21)  # Monday; Friday 25.12. is Erster Weihnachtstag
    shifts = _shift_days(team, start, 5)
    assert sorted(shifts) == [date(2026, 12, d) for d in (21, 22, 23, 24)]
    assert shifts[date(2026, 12, 24)] == ["anna", "anna+Mobil", "jonas"]  # Heiligabend: work
    # Listed once for the whole team, though Jonas never works Fridays.
    assert days_off(team, start, 5) == (
        DayOff(date(2026, 12, 25), None, DayOffReason.HOLIDAY, "Erster Weihnachtstag"),
    )


def test_holiday_nobody_would_work_is_not_listed(team: Team) -> None:
    jonas_only = replace(team, coaches=team.coaches[1:], van=None)
    # Fri 25.12. (Jonas' free day), Sat 26.12. (Zweiter Weihnachtstag), Sun 27.12.
    assert days_off(jonas_only, date(2026, 12, 25), 3) == ()
    assert days_off(team, date(2026, 12, 26), 2) == ()  # weekend


def test_whit_monday_and_corpus_christi_2027(team: Team) -> None:
    whit = _shift_days(team, date(2027, 5, 17), 5)  # Mon 17.05.2027 = Pfingstmontag
    assert date(2027, 5, 17) not in whit and date(2027, 5, 18) in whit
    corpus = _shift_days(team, date(2027, 5, 24), 5)  # Thu 27.05.2027 = Fronleichnam
    assert sorted(corpus) == [date(2027, 5, d) for d in (24, 25, 26, 28)]
    assert [(o.day, o.coach, o.reason) for o in days_off(team, date(2027, 5, 24), 5)] == [
        (date(2027, 5, 27), None, "Feiertag (Fronleichnam)")
    ]


def test_absent_coach_has_no_shift_that_day(team: Team) -> None:
    anna, jonas = team.coaches
    shifts = _shift_days(team, date(2026, 12, 14), 5)
    assert shifts[date(2026, 12, 15)] == ["jonas"]  # no car and no van shift for Anna
    assert shifts[date(2026, 12, 16)] == ["anna", "anna+Mobil", "jonas"]
    assert days_off(team, date(2026, 12, 14), 5) == (
        DayOff(date(2026, 12, 15), anna, DayOffReason.ABSENT),
    )
    assert jonas.absent == ((date(2026, 12, 28), date(2027, 1, 5)),)


def test_one_coach_day_off_says_why_with_a_code(team: Team) -> None:
    """The coach's today page and the plan's summary read the same reason; each reason
    is a code with one German text, so days off can be counted by kind."""
    anna, jonas = team.coaches
    assert coach_day_off(anna, date(2026, 12, 14)) is None  # a working Monday
    absent = coach_day_off(anna, date(2026, 12, 15))
    assert absent == DayOff(date(2026, 12, 15), anna, DayOffReason.ABSENT)
    assert absent.line == "Anna Becker: abwesend (laut Teamdatei)" and absent.who == "Anna Becker"
    friday = coach_day_off(jonas, date(2026, 12, 18))
    assert friday is not None and friday.kind is DayOffReason.NO_WORKING_DAY
    assert friday.reason == "Freitag ist laut Teamdatei kein Arbeitstag"
    # A holiday outranks an absence (Jonas is away over New Year) and is the team's.
    new_year = coach_day_off(jonas, date(2027, 1, 1))
    assert new_year == DayOff(date(2027, 1, 1), None, DayOffReason.HOLIDAY, "Neujahr")
    assert new_year.line == "Feiertag (Neujahr)" and new_year.who == "ganzes Team"
    # 21.12.2026-03.01.2027: Fri 25.12. and Fri 01.01. (26.12. is a Saturday), Jonas away
    # on his four working days Mon 28.-Thu 31.12.
    lost = days_off(team, date(2026, 12, 21), 14)
    assert Counter(o.kind for o in lost) == {DayOffReason.HOLIDAY: 2, DayOffReason.ABSENT: 4}
    assert all(o.reason and "{" not in o.reason for o in lost)


def test_absence_over_new_year(team: Team) -> None:
    anna, jonas = team.coaches
    start = date(2026, 12, 28)  # Mon; Jonas away until Tue 05.01.2027, Fri 01.01. Neujahr
    shifts = _shift_days(team, start, 11)
    assert {d: keys for d, keys in shifts.items() if "jonas" in keys} == {
        date(2027, 1, 6): ["anna", "anna+Mobil", "jonas"],
        date(2027, 1, 7): ["anna", "anna+Mobil", "jonas"],  # inclusive end: 05.01. still away
    }
    assert sorted(shifts) == [
        date(2026, 12, 28), date(2026, 12, 29), date(2026, 12, 30), date(2026, 12, 31),
        date(2027, 1, 4), date(2027, 1, 5), date(2027, 1, 6), date(2027, 1, 7),
    ]  # fmt: skip
    off = days_off(team, start, 11)
    assert [(o.day.isoformat(), o.coach.key if o.coach else None) for o in off] == [
        ("2026-12-28", "jonas"),
        ("2026-12-29", "jonas"),
        ("2026-12-30", "jonas"),
        ("2026-12-31", "jonas"),
        ("2027-01-01", None),  # the holiday, not also Jonas' absence
        ("2027-01-04", "jonas"),
        ("2027-01-05", "jonas"),
    ]


def test_summary_and_index_name_the_days_off(team: Team) -> None:
    anna = team.coaches[0]
    plan = replace(
        rf.make_plan(),
        days_off=(
            DayOff(date(2026, 12, 25), None, DayOffReason.HOLIDAY, "Erster Weihnachtstag"),
            DayOff(date(2026, 12, 28), anna, DayOffReason.ABSENT),
        ),
    )
    text = write_summary(plan)
    assert (
        "Tage ohne Tour\n"
        "  Fr 25.12.2026: Feiertag (Erster Weihnachtstag)\n"
        "  Mo 28.12.2026 Anna Becker: abwesend (laut Teamdatei)\n"
    ) in text
    names = [f"tour{i}.html" for i in range(len(plan.tours))]
    html = index_html(plan, names, show_names=False, created=datetime(2026, 12, 20, 9, 0))
    assert "<h2>Tage ohne Tour</h2>" in html
    assert "Freitag, 25.12.2026</td><td>ganzes Team</td><td>Feiertag (Erster Weihnachtstag)" in html
    assert "Anna Becker</td><td>abwesend (laut Teamdatei)" in html
    assert "Tage ohne Tour" not in write_summary(rf.make_plan())  # nothing lost, no section


def test_pipeline_plans_no_tour_on_a_holiday(team: Team) -> None:
    header = ["Kunden-Nr", "Ort", "Verfügbarkeit", "Termin"]
    rows = [
        ["K1", "Wetzlar", "", ""],
        ["K2", "Wetzlar", "Fr 09:00-12:00", ""],  # only Fridays: the one Friday is a holiday
        ["K3", "Wetzlar", "", "25.12.2026 10:00"],  # appointment on Christmas Day
    ]
    intake = parse_rows(header, rows, "kunden.csv")
    start = date(2026, 12, 21)
    stop = FirstOf((SolutionLimit(50), TimeLimit(30)))
    plan, _ = build_plan(intake, team, start, 5, stop)
    assert isinstance(plan, Plan)
    assert plan.tours and all(t.day != date(2026, 12, 25) for t in plan.tours)
    assert {u.client_id for u in plan.unplanned} == {"K2", "K3"}
    calendar = days_off(team, start, 5)
    assert [o for o in plan.days_off if o in calendar] == list(calendar)  # all, in order
    assert all(o.reason.startswith("keine Tour") for o in plan.days_off if o not in calendar)
    assert "  Fr 25.12.2026: Feiertag (Erster Weihnachtstag)\n" in write_summary(plan)
    k3 = next(u for u in plan.unplanned if u.client_id == "K3")
    assert k3.code is Reason.DAY_OFF
    assert "keine Touren (Feiertag (Erster Weihnachtstag))" in k3.reason


def test_every_working_day_without_a_tour_says_why(team: Team) -> None:
    """Mon 07.12. nobody can come; Tue 08.12. one person, so one coach stays free."""
    intake = parse_rows(
        ["Kunden-Nr", "Ort", "Verfügbarkeit"], [["K1", "Wetzlar", "Di 9-12"]], "k.csv"
    )
    stop = FirstOf((SolutionLimit(20), TimeLimit(30)))
    plan, result = build_plan(intake, team, date(2026, 12, 7), 2, stop)
    assert [(t.day, len(t.stops)) for t in plan.tours] == [(date(2026, 12, 8), 1)]
    busy = plan.tours[0].coach
    free = next(c for c in team.coaches if c != busy)
    assert plan.days_off == (
        DayOff(date(2026, 12, 7), team.coaches[0], DayOffReason.IDLE_NOBODY),
        DayOff(date(2026, 12, 7), team.coaches[1], DayOffReason.IDLE_NOBODY),
        DayOff(date(2026, 12, 8), free, DayOffReason.IDLE_NOT_NEEDED),
    )
    assert f"  Di 08.12.2026 {free.name}: {DayOffReason.IDLE_NOT_NEEDED.text()}\n" in write_summary(
        plan
    )

    # Had the search left K1 out, Tuesday would be free for both while she is still open.
    nobody = replace(result.solution, routes=(), dropped=result.solution.routes[0].nodes)
    assert [(o.day.day, o.coach, o.kind) for o in idle_days(result.problem, nobody)] == [
        (7, team.coaches[0], DayOffReason.IDLE_NOBODY),
        (7, team.coaches[1], DayOffReason.IDLE_NOBODY),
        (8, team.coaches[0], DayOffReason.IDLE_STILL_OPEN),
        (8, team.coaches[1], DayOffReason.IDLE_STILL_OPEN),
    ]
    assert idle_days(result.problem, replace(result.solution, found=False)) == ()
