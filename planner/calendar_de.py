"""Working calendar: Hessen's public holidays and the coaches' absences.

One pure source for "who works on which day": the solver's shifts
(:func:`planner.solve.problem.build_shifts`) and the plan's list of days without a tour
(:func:`days_off`) both come from :func:`days_off`, so they cannot disagree.

Holidays come from the offline ``holidays`` package (state law of Hessen). Christmas Eve
and New Year's Eve are not public holidays there; a team that stays at home enters them
as absences (``abwesend``) in the team file.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays

from planner.model import WEEKDAYS_LONG_DE, Coach, DayOff, Team
from planner.reasons import DayOffReason


@lru_cache(maxsize=16)
def _holidays_of(year: int) -> dict[date, str]:
    names = holidays.country_holidays("DE", subdiv="HE", years=year, language="de")
    return {day: str(name) for day, name in names.items()}


def holiday_name(day: date) -> str | None:
    """German name of the public holiday in Hessen on ``day`` (``None`` on other days)."""
    return _holidays_of(day.year).get(day)


def is_absent(coach: Coach, day: date) -> bool:
    """Whether ``day`` lies in one of the coach's absences (ranges are inclusive)."""
    return any(first <= day <= last for first, last in coach.absent)


def coach_day_off(coach: Coach, day: date) -> DayOff | None:
    """Why ``coach`` does not work on ``day`` — a holiday, not a working day of theirs,
    an absence — or None when they do."""
    holiday = holiday_name(day)
    if holiday is not None:
        return DayOff(day, None, DayOffReason.HOLIDAY, holiday)
    if coach.hours_on(day.weekday()) is None:
        return DayOff(day, coach, DayOffReason.NO_WORKING_DAY, WEEKDAYS_LONG_DE[day.weekday()])
    if is_absent(coach, day):
        return DayOff(day, coach, DayOffReason.ABSENT)
    return None


def days_off(team: Team, start: date, days: int) -> tuple[DayOff, ...]:
    """Working days lost in the period, in date order.

    A holiday is listed once for the whole team (``coach=None``) when at least one coach
    would work that weekday; an absence only on the coach's own working days. A day no
    one works anyway (weekend, a part-timer's free Friday) is not "off".
    """
    lost: list[DayOff] = []
    for offset in range(days):
        day = start + timedelta(days=offset)
        working = [c for c in team.coaches if c.hours_on(day.weekday()) is not None]
        off = [o for c in working if (o := coach_day_off(c, day)) is not None]
        # A holiday is every working coach's, and the same day off for all: listed once.
        lost.extend(off[:1] if off and off[0].coach is None else off)
    return tuple(lost)
