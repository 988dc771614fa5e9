"""The daily call list: who is on it, which coach, in which order; CSV and HTML."""

from __future__ import annotations

import csv
import random
import re
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from planner.campaign.calls import (
    LIST_FULL,
    NEW_CASE,
    NO_PHONE,
    CallEntry,
    CallList,
    call_list,
)
from planner.campaign.codes import AttemptKind, Outcome, Step, TimeBand
from planner.campaign.model import Attempt, Case, CaseState
from planner.campaign.reachability import Channel, ReachabilityModel, estimate
from planner.model import Address, Client, Coach, Office, Precision, Site, Team
from planner.render.calls import (
    OUTCOME_COLUMNS,
    call_columns,
    percent_de,
    render_calls_html,
    write_calls_csv,
)

THURSDAY = date(2026, 12, 3)
FRIDAY = date(2026, 12, 4)
CHRISTMAS = date(2026, 12, 25)  # a Friday
SATURDAY = date(2026, 12, 5)
CREATED = datetime(2026, 12, 2, 17, 30)

WETZLAR = Office("wetzlar", "Jobcenter Wetzlar", 50.5540, 8.5030)
DILLENBURG = Office("dillenburg", "Jobcenter Dillenburg", 50.7405, 8.2860)
NEAR_WETZLAR = (50.56, 8.50)
NEAR_DILLENBURG = (50.74, 8.29)

_FULL = tuple((d, 8 * 60, 16 * 60 + 30) for d in range(5))
ANNA = Coach("anna", "Anna Becker", "wetzlar", "wetzlar", _FULL)
JONAS = Coach("jonas", "Jonas Weber", "dillenburg", "dillenburg", _FULL)
#: Part-time, mornings Monday to Thursday.
MIRA = Coach("mira", "Mira Yilmaz", "wetzlar", "wetzlar", tuple((d, 480, 750) for d in range(4)))
TEAM = Team(coaches=(ANNA, JONAS), offices=(WETZLAR, DILLENBURG))

NO_DATA = estimate([], Channel.PHONE)


def case(
    case_id: str,
    *,
    at: tuple[float, float] | None = NEAR_WETZLAR,
    phone: str = "06441 12345",
    priority: int = 2,
    name: str = "",
) -> Case:
    client = Client(
        case_id,
        2,
        Address("Weg 1", "35576", "Wetzlar"),
        name=name or f"Person {case_id}",
        phone=phone,
        priority=priority,
    )
    site = None if at is None else Site(at[0], at[1], "Wetzlar", "06532023", "", Precision.MANUAL)
    return Case(client, site)


def state(
    case_id: str,
    *,
    step: Step = Step.CALL,
    due: date | None = None,
    coach: str = "",
    reason: str = "neu in der Liste",
    attempts: int = 0,
    failed_calls: int = 0,
    last: datetime | None = None,
) -> CaseState:
    return CaseState(
        case_id,
        step,
        reason,
        due=due,
        coach=coach,
        attempts=attempts,
        failed_calls=failed_calls,
        last_attempt=last,
    )


def lists(
    cases: list[Case],
    states: list[CaseState],
    *,
    model: ReachabilityModel = NO_DATA,
    team: Team = TEAM,
    day: date = THURSDAY,
    coach: str | None = None,
    per_coach_limit: int = 25,
) -> CallList:
    by_id = {s.case_id: s for s in states}
    return call_list(cases, by_id, model, team, day, coach=coach, per_coach_limit=per_coach_limit)


def ids(entries: tuple[CallEntry, ...]) -> list[str]:
    return [e.case_id for e in entries]


def reached_on_thursdays(case_id: str, band: TimeBand, times: int = 3) -> list[Attempt]:
    hour = {TimeBand.MORNING: 9, TimeBand.AFTERNOON: 13, TimeBand.EVENING: 17}[band]
    start = datetime(2026, 11, 26, hour)  # a Thursday
    return [
        Attempt(case_id, start - timedelta(weeks=w), "anna", AttemptKind.CALL, Outcome.REACHED)
        for w in range(times)
    ]


# --------------------------------------------------------------------------- who


def test_who_is_on_the_list_and_who_not() -> None:
    cases = [case(c) for c in ("K-1", "K-2", "K-3", "K-4", "K-6")] + [case("K-5", phone=" ")]
    states = [
        state("K-1"),  # due (no date)
        state("K-2", due=THURSDAY),  # due today
        state("K-3", due=FRIDAY),  # not yet
        state("K-4", step=Step.LETTER),  # not a call
        state("K-5"),  # due, but no phone number
        # K-6 has no state: not assessed, not considered
    ]
    calls = lists(cases, states)
    assert sorted(ids(calls.entries)) == ["K-1", "K-2"]
    assert calls.not_listed == (("K-5", NO_PHONE),)
    assert calls.day == THURSDAY


def test_bezugscoach_is_kept_when_working() -> None:
    # Near Wetzlar (Anna's office), but Jonas reached the person last time.
    calls = lists([case("K-1")], [state("K-1", coach="jonas")])
    assert [(e.coach, e.case_id, e.order) for e in calls.entries] == [("jonas", "K-1", 1)]


def test_absent_bezugscoach_hands_over() -> None:
    away = replace(JONAS, absent=((THURSDAY, THURSDAY),))
    team = Team(coaches=(ANNA, away), offices=(WETZLAR, DILLENBURG))
    calls = lists([case("K-1", at=NEAR_DILLENBURG)], [state("K-1", coach="jonas")], team=team)
    assert [e.coach for e in calls.entries] == ["anna"]


def test_bezugscoach_off_that_weekday_hands_over() -> None:
    team = Team(coaches=(ANNA, MIRA), offices=(WETZLAR,))
    calls = lists([case("K-1")], [state("K-1", coach="mira")], team=team, day=FRIDAY)
    assert [e.coach for e in calls.entries] == ["anna"]


def test_holiday_lists_nobody_and_says_why() -> None:
    cases = [case("K-1"), case("K-2", phone="")]
    calls = lists(cases, [state("K-1"), state("K-2")], day=CHRISTMAS)
    assert calls.entries == ()
    assert calls.not_listed == (
        ("K-1", "Feiertag (Erster Weihnachtstag) – keine Anrufe"),
        ("K-2", NO_PHONE),
    )


def test_nobody_at_work_lists_nobody() -> None:
    calls = lists([case("K-1")], [state("K-1")], day=SATURDAY)
    assert calls.entries == ()
    assert calls.not_listed == (
        ("K-1", "kein Coach im Dienst am Samstag, 05.12.2026 – keine Anrufe"),
    )


# --------------------------------------------------------------------------- which coach


def test_nearest_office_first() -> None:
    cases = [case("K-1", at=NEAR_DILLENBURG), case("K-2", at=NEAR_WETZLAR)]
    calls = lists(cases, [state("K-1"), state("K-2")])
    assert {e.case_id: e.coach for e in calls.entries} == {"K-1": "jonas", "K-2": "anna"}


def test_spread_is_balanced() -> None:
    # Six people near Wetzlar, nobody has a Bezugscoach: at most ceil(6/2) + 1 = 4 for
    # Anna (the most urgent four: priority 1 first), the rest to Jonas.
    cases = [case(f"K-{i}", priority=1 if i < 3 else 2) for i in range(6)]
    calls = lists(cases, [state(c.id) for c in cases])
    assert sorted(ids(calls.for_coach("anna"))) == ["K-0", "K-1", "K-2", "K-3"]
    assert sorted(ids(calls.for_coach("jonas"))) == ["K-4", "K-5"]


def test_bezugscoach_beats_balance() -> None:
    cases = [case(f"K-{i}") for i in range(5)]
    calls = lists(cases, [state(c.id, coach="anna") for c in cases])
    assert len(calls.for_coach("anna")) == 5


def test_case_without_position_goes_to_the_shorter_list() -> None:
    cases = [case("K-1", at=NEAR_WETZLAR), case("K-2", at=None)]
    calls = lists(cases, [state("K-1", coach="anna"), state("K-2")])
    assert {e.case_id: e.coach for e in calls.entries} == {"K-1": "anna", "K-2": "jonas"}


# --------------------------------------------------------------------------- order


def test_order_follows_the_best_band_of_the_day() -> None:
    attempts = (
        reached_on_thursdays("K-eve", TimeBand.EVENING)
        + reached_on_thursdays("K-mor", TimeBand.MORNING)
        + reached_on_thursdays("K-aft", TimeBand.AFTERNOON)
    )
    model = estimate(attempts, Channel.PHONE)
    cases = [case(c) for c in ("K-eve", "K-mor", "K-aft")]
    calls = lists(cases, [state(c.id, coach="anna") for c in cases], model=model)
    assert [(e.order, e.case_id, e.band) for e in calls.entries] == [
        (1, "K-mor", TimeBand.MORNING),
        (2, "K-aft", TimeBand.AFTERNOON),
        (3, "K-eve", TimeBand.EVENING),
    ]
    assert calls.entries[0].p == pytest.approx(model.p("K-mor", 3, TimeBand.MORNING))


def test_within_a_band_priority_then_longest_waiting_then_id() -> None:
    cases = [case("K-4"), case("K-3"), case("K-2", priority=1), case("K-1")]
    states = [
        state("K-4", coach="anna", attempts=1, last=datetime(2026, 12, 1, 9)),
        state("K-3", coach="anna", attempts=1, last=datetime(2026, 11, 20, 9)),
        state("K-2", coach="anna", attempts=1, last=datetime(2026, 12, 2, 9)),
        state("K-1", coach="anna"),  # never called
    ]
    calls = lists(cases, states)  # no data: every band equal → all in the morning
    assert ids(calls.entries) == ["K-2", "K-1", "K-3", "K-4"]
    assert {e.band for e in calls.entries} == {TimeBand.MORNING}


def test_best_band_within_working_hours() -> None:
    # Best in the evening, but Mira works 8:00–12:30: she calls in the morning.
    model = estimate(reached_on_thursdays("K-1", TimeBand.EVENING), Channel.PHONE)
    team = Team(coaches=(MIRA,), offices=(WETZLAR,))
    calls = lists([case("K-1")], [state("K-1")], model=model, team=team)
    assert calls.entries[0].band is TimeBand.MORNING


def test_per_coach_limit_keeps_the_most_urgent() -> None:
    cases = [case(f"K-{i}", priority=1 if i in (3, 4) else 2) for i in range(5)]
    calls = lists(cases, [state(c.id, coach="anna") for c in cases], per_coach_limit=3)
    assert ids(calls.entries) == ["K-3", "K-4", "K-0"]
    assert calls.not_listed == (("K-1", LIST_FULL), ("K-2", LIST_FULL))


def test_one_coach_only() -> None:
    cases = [case("K-1", at=NEAR_DILLENBURG), case("K-2"), case("K-3", phone="")]
    states = [state("K-1"), state("K-2"), state("K-3")]
    full = lists(cases, states)
    part = lists(cases, states, coach="jonas")
    assert part.entries == full.for_coach("jonas")
    assert part.not_listed == (("K-3", NO_PHONE),)
    with pytest.raises(ValueError):
        lists(cases, states, coach="nobody")


def test_deterministic_whatever_the_input_order() -> None:
    model = estimate(reached_on_thursdays("K-7", TimeBand.AFTERNOON), Channel.PHONE)
    cases = [case(f"K-{i}", at=NEAR_DILLENBURG if i % 3 else NEAR_WETZLAR) for i in range(12)]
    states = [state(c.id, coach="anna" if c.id == "K-5" else "") for c in cases]
    first = lists(cases, states, model=model, per_coach_limit=5)
    for seed in range(5):
        shuffled = list(cases)
        random.Random(seed).shuffle(shuffled)
        assert lists(shuffled, states, model=model, per_coach_limit=5) == first


def test_reason_from_the_rules_or_from_the_counts() -> None:
    cases = [case("K-1"), case("K-2"), case("K-3")]
    states = [
        state("K-1", reason="Rückruf erbeten für 03.12.", attempts=1),
        state("K-2", reason="", attempts=2, failed_calls=2),
        state("K-3", reason=""),
    ]
    reasons = {e.case_id: e.reason for e in lists(cases, states).entries}
    assert reasons == {
        "K-1": "Rückruf erbeten für 03.12.",
        "K-2": "2 Anrufe ohne Erfolg – neue Tageszeit",
        "K-3": NEW_CASE,
    }


# --------------------------------------------------------------------------- rendering

SCRIPT = "<script>alert(1)</script>"


def sample() -> CallList:
    cases = [
        case("K-1", name=f"Erwin Blaufelder {SCRIPT}", phone="+49 6441 <b>2</b>"),
        case("K-2", name="Hedwig Sonnenkamp", at=NEAR_DILLENBURG),
        case("K-3", phone=""),
    ]
    states = [
        state("K-1", reason=f"Rückruf {SCRIPT}", attempts=2, last=datetime(2026, 12, 1, 14, 5)),
        state("K-2", attempts=3, failed_calls=2),
        state("K-3"),
    ]
    return lists(cases, states)


def test_csv_columns_and_prefilled_cells(tmp_path: Path) -> None:
    path = write_calls_csv(sample(), tmp_path / "anrufliste.csv")
    with path.open(encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.DictReader(stream, delimiter=";"))
    header = list(rows[0].keys())
    assert header == call_columns() == [
        "Reihenfolge", "Kunden-Nr", "Telefon", "beste Zeit", "Chance", "Versuche",
        "letzter Versuch", "Grund", "Datum", "Uhrzeit", "Coach", "Art", "Ergebnis", "Termin",
        "Besuchsort", "Wiedervorlage", "Notiz",
    ]  # fmt: skip
    # The outcomes columns keep their relative order.
    assert [h for h in header if h in OUTCOME_COLUMNS] == list(OUTCOME_COLUMNS)
    first = rows[0]
    assert (first["Kunden-Nr"], first["Coach"], first["Art"]) == ("K-1", "anna", "Anruf")
    assert first["Chance"] == "50 %" and first["letzter Versuch"] == "01.12.2026 14:05"
    assert first["beste Zeit"] == "vormittags (8–12 Uhr)"
    assert all(first[c] == "" for c in ("Datum", "Uhrzeit", "Ergebnis", "Termin", "Notiz"))
    # The phone cell starts with "+": defused against formula injection by write_csv.
    assert first["Telefon"].startswith("'+49")


def test_names_only_with_show_names(tmp_path: Path) -> None:
    calls = sample()
    hidden_csv = write_calls_csv(calls, tmp_path / "a.csv").read_text(encoding="utf-8-sig")
    shown_csv = write_calls_csv(calls, tmp_path / "b.csv", show_names=True)
    hidden = render_calls_html(calls, tmp_path / "a.html", TEAM, created=CREATED)
    shown = render_calls_html(calls, tmp_path / "b.html", TEAM, show_names=True, created=CREATED)
    for text in (hidden_csv, hidden.read_text(encoding="utf-8")):
        assert "Blaufelder" not in text and "Sonnenkamp" not in text
        assert "Name" not in text.splitlines()[0]
    shown_text = shown_csv.read_text(encoding="utf-8-sig")
    assert shown_text.splitlines()[0].startswith("Reihenfolge;Kunden-Nr;Name;Telefon")
    assert "Hedwig Sonnenkamp" in shown_text
    assert "Hedwig Sonnenkamp" in shown.read_text(encoding="utf-8")


def test_html_escapes_client_text(tmp_path: Path) -> None:
    html = render_calls_html(
        sample(), tmp_path / "c.html", TEAM, show_names=True, created=CREATED
    ).read_text(encoding="utf-8")
    assert "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # in the name and the reason
    assert "<b>2</b>" not in html
    # The tel: link holds digits only.
    assert 'href="tel:+4964412"' in html


def test_html_is_self_contained_and_per_coach(tmp_path: Path) -> None:
    html = render_calls_html(sample(), tmp_path / "d.html", TEAM, created=CREATED).read_text(
        encoding="utf-8"
    )
    assert not re.search(r"https?://|\bsrc=|<link|@import", html)
    assert "default-src 'none'" in html
    # Anna, Jonas and the list of who is not on it: a page each, in team order.
    assert html.count('<section class="page">') == 3
    assert html.index("Anna Becker") < html.index("Jonas Weber") < html.index("Fällig, aber")
    assert "break-before: page" in html and "size: A4" in html
    assert "Anrufliste Donnerstag, 03.12.2026" in html
    assert '<td data-label="Chance" class="chance">50 %</td>' in html
    assert NO_PHONE in html
    assert "Enthält Sozialdaten" in html


def test_html_on_a_holiday(tmp_path: Path) -> None:
    calls = lists([case("K-1")], [state("K-1")], day=CHRISTMAS)
    html = render_calls_html(calls, tmp_path / "e.html", TEAM, created=CREATED).read_text(
        encoding="utf-8"
    )
    assert "An diesem Tag stehen keine Anrufe an" in html
    assert html.count('<section class="page">') == 1  # one sheet, with the reasons on it
    assert "Feiertag (Erster Weihnachtstag)" in html


def test_html_written_atomically(tmp_path: Path) -> None:
    target = tmp_path / "f.html"
    target.write_text("alt", encoding="utf-8")
    render_calls_html(sample(), target, TEAM, created=CREATED)
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert [p.name for p in tmp_path.iterdir()] == ["f.html"]  # no temporary file left


def test_percent_in_german() -> None:
    assert percent_de(0.234) == "23 %"
    assert percent_de(0.004) == "unter 1 %"
    assert percent_de(0.996) == "über 99 %"


# --------------------------------------------------------------------------- round trip


def _fill(path: Path, filled: dict[str, dict[str, str]]) -> list[dict[str, str]]:
    """Fill in rows of a written call list as a coach would (in a spreadsheet)."""
    with path.open(encoding="utf-8-sig", newline="") as stream:
        reader = csv.DictReader(stream, delimiter=";")
        header = list(reader.fieldnames or [])
        rows = [dict(row) for row in reader]
    for row in rows:
        row.update(filled.get(row["Kunden-Nr"], {}))
    with path.open("w", encoding="utf-8-sig", newline="") as stream:
        writer = csv.DictWriter(stream, header, delimiter=";", lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)
    return rows


def test_filled_in_row_lines_up_with_the_outcomes_columns(tmp_path: Path) -> None:
    path = write_calls_csv(sample(), tmp_path / "anrufliste.csv")
    rows = _fill(path, {"K-2": {"Datum": "03.12.2026", "Ergebnis": "nicht erreicht"}})
    row = next(r for r in rows if r["Kunden-Nr"] == "K-2")
    outcome_row = [row[c] for c in OUTCOME_COLUMNS]
    assert outcome_row == ["K-2", "03.12.2026", "", "jonas", "Anruf", "nicht erreicht"] + [""] * 4


def test_filled_in_call_list_reads_as_outcomes(tmp_path: Path) -> None:
    path = write_calls_csv(sample(), tmp_path / "anrufliste.csv", show_names=True)
    _fill(
        path,
        {
            "K-1": {
                "Datum": "03.12.2026",
                "Uhrzeit": "09:40",
                "Ergebnis": "Termin vereinbart",
                "Termin": "08.12.2026 10:30",
            },
            "K-2": {"Datum": "03.12.2026", "Uhrzeit": "14:10", "Ergebnis": "Mailbox"},
        },
    )
    outcomes = pytest.importorskip("planner.intake.outcomes")  # written in parallel
    result = outcomes.read_outcomes(path, TEAM, today=THURSDAY)
    assert result.rejected == ()
    got = {(a.case_id, a.coach, a.kind, a.outcome, a.at) for a in result.attempts}
    assert got == {
        ("K-1", "anna", AttemptKind.CALL, Outcome.APPOINTMENT, datetime(2026, 12, 3, 9, 40)),
        ("K-2", "jonas", AttemptKind.CALL, Outcome.MAILBOX, datetime(2026, 12, 3, 14, 10)),
    }
    appointment = next(a for a in result.attempts if a.case_id == "K-1").appointment
    assert appointment == datetime(2026, 12, 8, 10, 30)
    # The information columns (Reihenfolge, Name, Telefon, …) give one warning together.
    warnings = [m for m in result.messages if "kennt der Planer nicht" in m.text]
    assert len(warnings) == 1 and "Reihenfolge" in warnings[0].text
    assert "Blaufelder" not in " ".join(m.text for m in result.messages)


def test_untouched_rows_are_skipped(tmp_path: Path) -> None:
    path = write_calls_csv(sample(), tmp_path / "anrufliste.csv")
    _fill(path, {"K-2": {"Datum": "03.12.2026", "Ergebnis": "nicht erreicht"}})
    outcomes = pytest.importorskip("planner.intake.outcomes")  # written in parallel
    result = outcomes.read_outcomes(path, TEAM, today=THURSDAY)
    assert [a.case_id for a in result.attempts] == ["K-2"]
    assert result.rejected == ()
