"""Three weeks of a caseload through the whole loop, on SQLite and on PostgreSQL.

import → call list → recorded outcomes → plan → publish → cancellation → re-plan →
absence → letter → announced visit → next list. Every step goes through
:mod:`planner.workflow`, the functions the command line and the app call; every plan is
checked by the independent checker and must list every case of the store exactly once.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest

from planner.campaign.codes import CaseStatus, Step
from planner.intake import parse_team
from planner.model import Plan, Team
from planner.reasons import Reason
from planner.solve import FirstOf, SolutionLimit, TimeLimit
from planner.store import Store
from planner.traveltime import GreatCircleEstimate
from planner.workflow import (
    calls_for,
    case_states,
    fill_ins_after_miss,
    import_list,
    plan_from_store,
    published_tours,
    record_outcomes,
    suggest_for,
)
from tests.checks import plan_violations

BUDGET = FirstOf((SolutionLimit(40), TimeLimit(60)))
PLACES = [
    "Wetzlar", "Solms", "Braunfels", "Leun", "Aßlar", "Lahnau", "Hüttenberg", "Schöffengrund",
    "Herborn", "Sinn", "Ehringshausen", "Greifenstein", "Dillenburg", "Haiger", "Eschenburg",
    "Mittenaar", "Driedorf", "Breitscheid", "Siegbach", "Bischoffen", "Hohenahr", "Waldsolms",
    "Dietzhölztal", "Wetzlar",
]  # fmt: skip
HEADER = ["Kunden-Nr", "Name", "Ort", "Telefon", "Priorität", "Dauer (min)"]
OUTCOME_HEADER = "Kunden-Nr;Datum;Uhrzeit;Coach;Art;Ergebnis;Termin;Besuchsort;Wiedervorlage;Notiz"


def _team(**jonas: object) -> Team:
    return parse_team(
        {
            "buero": [
                {"kennung": "wetzlar", "breite": 50.5525, "laenge": 8.5074},
                {"kennung": "dillenburg", "breite": 50.7406, "laenge": 8.2867},
            ],
            "coach": [
                {"kennung": "anna", "name": "Anna Becker", "buero": "wetzlar",
                 "arbeitszeit": "Mo-Fr 08:00-16:30"},
                {"kennung": "jonas", "name": "Jonas Hofmann", "buero": "dillenburg",
                 "arbeitszeit": "Mo-Fr 08:00-16:30", **jonas},
            ],
        }
    )  # fmt: skip


def _write_list(path: Path, skip: tuple[str, ...] = ()) -> Path:
    rows = [
        [f"K-{i:03d}", f"Person {i}", place, "" if i % 8 == 7 else f"06441 {4000 + i}",
         str(1 + i % 3), "60"]
        for i, place in enumerate(PLACES)
        if f"K-{i:03d}" not in skip
    ]  # fmt: skip
    with path.open("w", encoding="cp1252", newline="") as f:
        csv.writer(f, delimiter=";", lineterminator="\r\n").writerows([HEADER, *rows])
    return path


def _outcomes(path: Path, *lines: str) -> Path:
    path.write_text("\n".join([OUTCOME_HEADER, *lines]) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def loop(db_url: str, tmp_path: Path) -> Iterator[tuple[Store, Path]]:
    with Store.open(db_url) as store:
        yield store, tmp_path


def _where(plan: Plan) -> dict[str, tuple[str, datetime]]:
    return {s.visit.client.id: (t.coach.key, s.start) for t in plan.tours for s in t.stops}


def _reasons(plan: Plan) -> dict[str, tuple[Reason, str]]:
    return {u.client_id: (u.code, u.reason) for u in plan.unplanned}


def _checked(plan: Plan, team: Team, store: Store) -> Plan:
    assert plan_violations(plan.tours, team, GreatCircleEstimate()) == []
    ids = sorted([s.visit.client.id for t in plan.tours for s in t.stops]
                 + [u.client_id for u in plan.unplanned])  # fmt: skip
    assert ids == sorted(c.id for c in store.cases())  # every case exactly once
    return plan


def test_three_weeks_of_casework(loop: tuple[Store, Path]) -> None:
    store, tmp = loop
    team = _team()

    # --- Week 1, Friday 27.11.: the list comes in.
    report = import_list(store, _write_list(tmp / "liste1.csv"), team,
                         today=date(2026, 11, 27), user="leitung")  # fmt: skip
    assert report.line() == "24 neu, 0 aktualisiert, 0 unverändert, 0 fehlerhaft"
    again = import_list(store, _write_list(tmp / "liste1.csv"), team,
                        today=date(2026, 11, 27), user="leitung")  # fmt: skip
    assert again.line() == "0 neu, 0 aktualisiert, 24 unverändert, 0 fehlerhaft"

    # --- Monday 30.11.: phone first. People without a number get a letter instead.
    calls = calls_for(store, team, date(2026, 11, 30), today=date(2026, 11, 30))
    listed = {e.case_id for e in calls.entries}
    no_phone = {"K-007", "K-015", "K-023"}
    assert listed == {f"K-{i:03d}" for i in range(24)} - no_phone
    _, _, states = case_states(store, date(2026, 11, 30))
    assert {s.case_id for s in states.values() if s.step is Step.LETTER} == no_phone
    assert {e.reason for e in calls.entries} == {"neu in der Liste"}

    record = record_outcomes(
        store,
        _outcomes(
            tmp / "ergebnisse1.csv",
            "K-001;30.11.2026;09:10;anna;Anruf;Termin vereinbart;03.12.2026 10:00;Wohnung;;",
            "K-002;30.11.2026;09:20;anna;Anruf;abgelehnt;;;;möchte kein Angebot",
            "K-003;30.11.2026;09:30;anna;Anruf;nicht erreicht;;;;",
            "K-004;30.11.2026;09:40;jonas;Anruf;Termin vereinbart;02.12.2026 11:00;Café;;",
            "K-005;30.11.2026;09:50;jonas;Anruf;Rückruf;;;01.12.2026;",
            "K-006;30.11.2026;10:00;jonas;Anruf;erreicht;;;;",
            "K-009;30.11.2026;10:10;jonas;Anruf;Termin vereinbart;03.12.2026 14:00;Wohnung;;",
            "K-999;30.11.2026;10:20;jonas;Anruf;erreicht;;;;",  # not in the store
            "K-010;31.11.2026;10:30;jonas;Anruf;erreicht;;;;",  # no such day
        ),
        team,
        user="anna",
        today=date(2026, 11, 30),
        now=datetime(2026, 11, 30, 17, 0),
    )
    assert record.added == 7 and len(record.result.rejected) == 2
    assert record.closed == ("K-002",)
    errors = [str(m) for m in record.result.messages if m.row in (9, 10)]
    assert any("ergebnisse1.csv, Zeile 9" in e and "K-999" in e for e in errors)
    assert any("Zeile 10" in e and "Datum" in e for e in errors)

    # --- Monday evening: plan Tue–Fri and publish.
    week1 = plan_from_store(store, team, date(2026, 12, 1), 4, BUDGET,
                            today=date(2026, 11, 30), publish=True, user="leitung",
                            now=datetime(2026, 11, 30, 18, 0))  # fmt: skip
    plan = _checked(week1.plan, team, store)
    where = _where(plan)
    assert where["K-001"] == ("anna", datetime(2026, 12, 3, 10, 0))
    assert where["K-004"] == ("jonas", datetime(2026, 12, 2, 11, 0))
    assert where["K-009"] == ("jonas", datetime(2026, 12, 3, 14, 0))
    reasons = _reasons(plan)
    assert reasons["K-002"] == (Reason.CLOSED, "abgelehnt am 30.11.2026")
    assert reasons["K-006"][0] is Reason.CONTACT_DONE
    assert reasons["K-003"] == (
        Reason.CALL_FIRST,
        "erst anrufen: 1 Anruf ohne Erfolg – andere Tageszeit",
    )
    assert reasons["K-007"][0] is Reason.LETTER_FIRST
    assert week1.published is not None and len(week1.published.visits) == 3

    # Tuesday: the call list has the callback and the failed call, not the closed case.
    tuesday = calls_for(store, team, date(2026, 12, 1), today=date(2026, 12, 1))
    why = {e.case_id: (e.coach, e.reason) for e in tuesday.entries}
    assert why["K-005"] == ("jonas", "Rückruf erbeten (01.12.2026)")  # Bezugscoach keeps it
    assert "K-002" not in why and "K-001" not in why

    # A slot suggested on the phone fits the published plan exactly.
    case, slots = suggest_for(store, team, "K-005", date(2026, 12, 1), 4,
                              today=date(2026, 12, 1))  # fmt: skip
    assert slots and slots[0].coach == "jonas"  # the Bezugscoach first
    tours = published_tours(team, store.publication(date(2026, 12, 1), 4), store.cases(),
                            GreatCircleEstimate())  # fmt: skip
    assert {s.visit.client.id for t in tours for s in t.stops} == {"K-001", "K-004", "K-009"}

    # Wednesday 11:00, K-004 does not open: who else fits the rest of Jonas' day?
    fill = fill_ins_after_miss(store, team, "K-004", datetime(2026, 12, 2, 11, 5))
    assert fill and all(f.case_id not in {"K-002", "K-001", "K-009"} for f in fill)
    assert [f.extra_driving_min for f in fill] == sorted(f.extra_driving_min for f in fill)
    # Rescheduling frees the person's own published visit.
    assert "K-009" not in {
        s.visit.client.id
        for t in published_tours(
            team, week1.published, store.cases(), GreatCircleEstimate(), skip={"K-009"}
        )  # fmt: skip
        for s in t.stops
    }

    # Wednesday 02.12.: K-001 cancels; Jonas will be away on Thursday 03.12.
    record_outcomes(
        store,
        _outcomes(tmp / "e2.csv", "K-001;02.12.2026;08:30;anna;Anruf;abgesagt;;;;"),
        team, user="anna", today=date(2026, 12, 2), now=datetime(2026, 12, 2, 8, 35),
    )  # fmt: skip
    away = _team(abwesend=["03.12.2026"])
    replan = plan_from_store(store, away, date(2026, 12, 1), 4, BUDGET,
                             today=date(2026, 12, 2), user="leitung")  # fmt: skip
    plan = _checked(replan.plan, away, store)
    where = _where(plan)
    assert "K-001" not in where
    assert where["K-004"] == ("jonas", datetime(2026, 12, 2, 11, 0))  # pin kept
    # Jonas is away on Thursday: his pinned K-009 goes to Anna at the same time.
    assert where["K-009"] == ("anna", datetime(2026, 12, 3, 14, 0))
    kinds = {c.case_id: c.kind.value for c in replan.changes}
    assert kinds == {"K-001": "entfaellt", "K-009": "anderer_coach"}
    assert replan.published is None  # not re-published: the pins stay as they were
    assert store.publication(date(2026, 12, 1), 4) == week1.published
    thursday = calls_for(store, team, date(2026, 12, 3), today=date(2026, 12, 3))
    assert ("K-001", "Termin abgesagt – neuen Termin vereinbaren") in {
        (e.case_id, e.reason) for e in thursday.entries
    }

    # --- Week 2: K-003 is not reached twice more → letter → announced visit.
    record_outcomes(
        store,
        _outcomes(
            tmp / "e3.csv",
            "K-003;01.12.2026;14:00;jonas;Anruf;Mailbox;;;;",
            "K-003;03.12.2026;17:30;anna;Anruf;nicht erreicht;;;;",
            "K-003;04.12.2026;;anna;Brief;;;;;",
            "K-004;02.12.2026;11:05;jonas;Besuch;angetroffen;;;10.12.2026;",
            "K-007;01.12.2026;;anna;Brief;versandt;;;;",
        ),
        team, user="anna", today=date(2026, 12, 4), now=datetime(2026, 12, 4, 12, 0),
    )  # fmt: skip
    week2 = plan_from_store(store, team, date(2026, 12, 7), 5, BUDGET,
                            today=date(2026, 12, 4), publish=True, user="leitung",
                            now=datetime(2026, 12, 4, 16, 0))  # fmt: skip
    plan = _checked(week2.plan, team, store)
    where = _where(plan)
    assert where["K-003"][1].date() >= date(2026, 12, 9)  # the letter needs five days
    assert where["K-007"][1].date() >= date(2026, 12, 7)
    reasons = _reasons(plan)
    assert reasons["K-004"] == (
        Reason.NOT_DUE, "Gespräch am 02.12., Wiedervorlage am 10.12.2026",
    )  # fmt: skip
    follow_up = calls_for(store, team, date(2026, 12, 10), today=date(2026, 12, 10))
    assert ("K-004", "jonas") in {(e.case_id, e.coach) for e in follow_up.entries}

    # --- Week 3: a new list without K-011; K-002 stays closed; K-011 is kept, marked.
    third = import_list(store, _write_list(tmp / "liste3.csv", skip=("K-011",)), team,
                        today=date(2026, 12, 11), user="leitung")  # fmt: skip
    assert third.summary.missing == ("K-011",)
    assert store.case("K-011") is not None
    assert store.case("K-002").status is CaseStatus.CLOSED  # type: ignore[union-attr]
    week3 = plan_from_store(store, team, date(2026, 12, 14), 5, BUDGET, today=date(2026, 12, 11))
    reasons = _reasons(_checked(week3.plan, team, store))
    assert reasons["K-011"] == (
        Reason.MISSING_FROM_LIST,
        "seit 11.12.2026 nicht mehr in der Kundenliste",
    )
    assert reasons["K-002"][0] is Reason.CLOSED

    # The history is append-only and says who did what.
    audit = store.audit("K-002")
    assert audit and all(entry.user for entry in audit)
    assert len(store.attempts("K-003")) == 4
