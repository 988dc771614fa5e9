"""A week from the store's cases: pins, appointments, Bezugscoach, absences, changes."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Any

from planner.campaign.codes import AttemptKind, CaseStatus, Outcome
from planner.campaign.model import Attempt, Case, Publication
from planner.campaign.rules import assess_all
from planner.campaign.week import ChangeKind, changes, pins_of, settle, week_for
from planner.geocode import geocode_clients
from planner.intake import parse_rows, parse_team
from planner.model import Team
from planner.pipeline import plan_visits
from planner.reasons import Reason
from planner.render import write_summary
from planner.solve import FirstOf, SolutionLimit, TimeLimit
from planner.traveltime import GreatCircleEstimate
from planner.workflow import check_cases
from tests.checks import plan_violations

MONDAY = date(2026, 11, 30)
TODAY = date(2026, 11, 27)
BUDGET = FirstOf((SolutionLimit(50), TimeLimit(60)))


def _team(**jonas: Any) -> Team:
    return parse_team(
        {
            "buero": [{"kennung": "wetzlar", "breite": 50.5525, "laenge": 8.5074}],
            "coach": [
                {"kennung": "anna", "name": "Anna", "arbeitszeit": "Mo-Fr 08:00-16:30"},
                {"kennung": "jonas", "name": "Jonas", "arbeitszeit": "Mo-Fr 08:00-16:30",
                 **jonas},
            ],
        }
    )  # fmt: skip


def _cases() -> list[Case]:
    header = ["Kunden-Nr", "Ort", "Telefon"]
    rows = [["A1", "Solms", "1"], ["B2", "Leun", "2"], ["C3", "Aßlar", "3"], ["D4", "Lahnau", "4"]]
    intake = parse_rows(header, rows, "k.csv", today=TODAY)
    located = geocode_clients(intake.clients, source="k.csv")
    cases = [Case(g.client, g.site, first_seen=date(2026, 11, 16)) for g in located]
    closed = replace(cases[3], status=CaseStatus.CLOSED, closed_by=Outcome.DECLINED,
                     closed_on=date(2026, 11, 20))  # fmt: skip
    return [*cases[:3], closed]


def _history() -> list[Attempt]:
    at = datetime(2026, 11, 23, 10, 0)
    return [
        # A1 agreed Tuesday 10:00 with Jonas.
        Attempt("A1", at, "jonas", AttemptKind.CALL, Outcome.APPOINTMENT,
                appointment=datetime(2026, 12, 1, 10, 0)),
        # B2: met by Anna before, three failed calls, a letter: announced visit, Anna's.
        Attempt("B2", datetime(2026, 11, 2, 10), "anna", AttemptKind.VISIT, Outcome.MET),
        *(Attempt("B2", datetime(2026, 11, 16 + d, 9), "jonas", AttemptKind.CALL,
                  Outcome.NOT_REACHED) for d in range(3)),
        Attempt("B2", datetime(2026, 11, 20, 8), "jonas", AttemptKind.LETTER, Outcome.SENT),
        Attempt("D4", datetime(2026, 11, 20, 8), "anna", AttemptKind.CALL, Outcome.DECLINED),
    ]  # fmt: skip


def _plan(team: Team, cases: list[Case], history: list[Attempt], publication=None):  # type: ignore[no-untyped-def]
    states = assess_all(cases, history, TODAY)
    week = week_for(cases, states, history, team, MONDAY, 5, publication=publication)
    plan, _ = plan_visits(week.visits, week.not_due, (), team, MONDAY, 5, BUDGET)
    plan = settle(plan, week)
    assert plan_violations(plan.tours, team, GreatCircleEstimate()) == []
    check_cases(cases, plan)  # every case exactly once
    return week, plan


def _where(plan) -> dict[str, tuple[str, datetime]]:  # type: ignore[no-untyped-def]
    return {s.visit.client.id: (t.coach.key, s.start) for t in plan.tours for s in t.stops}


def test_appointments_and_announced_visits_go_to_their_coach() -> None:
    week, plan = _plan(_team(), _cases(), _history())
    assert _where(plan)["A1"] == ("jonas", datetime(2026, 12, 1, 10, 0))
    assert _where(plan)["B2"][0] == "anna"  # Bezugscoach, although Jonas sent the letter
    assert _where(plan)["B2"][1].date() >= date(2026, 11, 25)
    reasons = {u.client_id: (u.code, u.reason) for u in plan.unplanned}
    assert reasons["C3"] == (Reason.CALL_FIRST, "erst anrufen: neu in der Liste")
    assert reasons["D4"] == (Reason.CLOSED, "abgelehnt am 20.11.2026")


def test_replan_keeps_pins_and_lists_what_changed() -> None:
    team, cases, history = _team(), _cases(), _history()
    _, plan = _plan(team, cases, history)
    published = Publication(1, MONDAY, 5, datetime(2026, 11, 27, 16), "lead", pins_of(plan))
    _, again = _plan(team, cases, history, published)
    assert _where(again) == _where(plan)
    assert changes(published, again) == ()
    # B2 cancels after publishing: the visit goes, the change says so, B2 is phoned.
    cancel = Attempt("B2", datetime(2026, 11, 28, 9), "anna", AttemptKind.CALL, Outcome.CANCELLED)
    week, third = _plan(team, cases, [*history, cancel], published)
    assert "B2" not in _where(third) and _where(third)["A1"] == _where(plan)["A1"]
    diff = changes(published, third)
    assert [(c.case_id, c.kind) for c in diff] == [("B2", ChangeKind.DROPPED)]
    assert any("abgesagt" in m.text for m in week.notes)


def test_absent_coach_pins_move_to_a_colleague_or_are_named_for_a_call() -> None:
    cases, history = _cases(), _history()
    _, plan = _plan(_team(), cases, history)
    published = Publication(1, MONDAY, 5, datetime(2026, 11, 27, 16), "lead", pins_of(plan))
    away = _team(abwesend=["01.12.2026"])
    week, moved = _plan(away, cases, history, published)
    assert "A1" in week.orphaned_pins
    assert any(n.startswith("A1: Jonas ist am 01.12. nicht da") for n in moved.notes)
    assert "A1: Jonas ist am 01.12. nicht da" in write_summary(moved)
    assert _where(moved)["A1"] == ("anna", datetime(2026, 12, 1, 10, 0))
    diff = {c.case_id: c.kind for c in changes(published, moved)}
    assert diff["A1"] is ChangeKind.COACH
    # Nobody can take it (Anna away too): the person is listed to be phoned.
    both_away = parse_team(
        {
            "buero": [{"kennung": "wetzlar", "breite": 50.5525, "laenge": 8.5074}],
            "coach": [
                {"kennung": "anna", "name": "Anna", "arbeitszeit": "Mo-Fr 08:00-16:30",
                 "abwesend": ["01.12.2026"]},
                {"kennung": "jonas", "name": "Jonas", "arbeitszeit": "Mo-Fr 08:00-16:30",
                 "abwesend": ["01.12.2026"]},
            ],
        }
    )  # fmt: skip
    _, none = _plan(both_away, cases, history, published)
    reason = {u.client_id: u for u in none.unplanned}["A1"]
    assert reason.code is Reason.COACH_ABSENT and "anrufen" in reason.reason


def test_after_a_missed_visit_the_next_one_is_at_another_time() -> None:
    cases, history = _cases(), _history()
    # B2 was not at home on Monday and Tuesday mornings (after the letter).
    missed = [
        Attempt("B2", datetime(2026, 11, 23, 9, 30), "anna", AttemptKind.VISIT, Outcome.NOT_MET),
        Attempt("B2", datetime(2026, 11, 24, 10, 0), "anna", AttemptKind.VISIT, Outcome.NOT_MET),
    ]
    _, plan = _plan(_team(), cases, [*history, *missed])
    coach, start = _where(plan)["B2"]
    assert coach == "anna"
    assert (start.weekday(), start.hour < 12) not in {(0, True), (1, True)}
    week = week_for(cases, assess_all(cases, [*history, *missed], TODAY), [*history, *missed],
                    _team(), MONDAY, 5)  # fmt: skip
    b2 = next(v for v in week.visits if v.client.id == "B2")
    assert not any(w.weekday in (0, 1) and w.start < 12 * 60 for w in b2.client.availability)
    assert any(w.weekday == 1 and w.start >= 12 * 60 for w in b2.client.availability)
