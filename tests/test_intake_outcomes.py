"""Tests for reading the outcomes file of ``planner record``."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.campaign.codes import AttemptKind, Outcome
from planner.campaign.model import Attempt
from planner.intake.outcomes import (
    ALLOWED_OUTCOMES,
    OutcomesResult,
    RejectedOutcome,
    parse_outcome_rows,
    read_outcomes,
)
from planner.model import Coach, Message, Office, Severity, Team, VisitPlace

TODAY = date(2026, 11, 30)
SOURCE = "ergebnisse.csv"
_WEEK = tuple((day, 8 * 60, 16 * 60) for day in range(5))
TEAM = Team(
    coaches=(
        Coach("coach-a", "Anna Becker", "wetzlar", "wetzlar", _WEEK),
        Coach("coach-b", "Jonas Weber", "wetzlar", "wetzlar", _WEEK),
        Coach("coach-c", "Anna Schmidt", "wetzlar", "wetzlar", _WEEK),
        Coach("coach-j", "Jörg Müller", "wetzlar", "wetzlar", _WEEK),
    ),
    offices=(Office("wetzlar", "Jobcenter Wetzlar", 50.5526, 8.5042),),
)

HEADER = [
    "Kunden-Nr",
    "Datum",
    "Uhrzeit",
    "Coach",
    "Art",
    "Ergebnis",
    "Termin",
    "Besuchsort",
    "Wiedervorlage",
    "Notiz",
]
DEFAULTS = {
    "Kunden-Nr": "K-1",
    "Datum": "24.11.2026",
    "Uhrzeit": "10:15",
    "Coach": "coach-a",
    "Art": "Anruf",
    "Ergebnis": "nicht erreicht",
}


def _row(**values: str) -> list[str]:
    """A row for ``HEADER``; keys are headers with "-" written as "_" (Kunden_Nr)."""
    cells = {**DEFAULTS, **{key.replace("_", "-"): value for key, value in values.items()}}
    assert set(cells) <= set(HEADER), set(cells) - set(HEADER)
    return [cells.get(header, "") for header in HEADER]


def _parse(
    rows: list[list[str]],
    *,
    known_cases: set[str] | None = None,
    recorded_by: str = "",
    first_row: int = 2,
) -> OutcomesResult:
    return parse_outcome_rows(
        HEADER,
        rows,
        SOURCE,
        TEAM,
        known_cases=known_cases,
        recorded_by=recorded_by,
        today=TODAY,
        first_row=first_row,
    )


def _errors(result: OutcomesResult) -> list[Message]:
    return [m for m in result.messages if m.severity is Severity.ERROR]


def _warnings(result: OutcomesResult) -> list[Message]:
    return [m for m in result.messages if m.severity is Severity.WARNING]


def _only_attempt(result: OutcomesResult) -> Attempt:
    assert not result.rejected, result.messages
    assert not _errors(result)
    (attempt,) = result.attempts
    return attempt


def _row_of(attempt: Attempt) -> int:
    match = re.fullmatch(r".*, Zeile (\d+)", attempt.source)
    assert match, attempt.source
    return int(match[1])


# --------------------------------------------------------------------------- files


def test_cp1252_semicolon_csv_with_umlauts_and_crlf(tmp_path: Path) -> None:
    text = (
        "Kunden-Nr;Datum;Uhrzeit;Coach;Art;Ergebnis;Termin;Besuchsort;Wiedervorlage;Notiz\r\n"
        "K-1;24.11.2026;09:05;Jörg Müller;Anruf;Rückruf;;;01.12.2026;Bittet um Rückruf\r\n"
        ";;;;;;;;;\r\n"  # a blank row keeps the numbering
        "K-2;25.11.2026;14:30;coach-b;Besuch;Termin vereinbart;02.12.2026 10:30;"
        'Café am Markt;;"Möchte über Weiterbildung sprechen;\r\nlieber nachmittags"\r\n'
    )
    path = tmp_path / SOURCE
    path.write_bytes(text.encode("cp1252"))
    result = read_outcomes(path, TEAM, recorded_by="mueller", today=TODAY)
    assert result.source == SOURCE
    assert not result.rejected and not result.messages
    first, second = result.attempts
    assert first == Attempt(
        case_id="K-1",
        at=datetime(2026, 11, 24, 9, 5),
        coach="coach-j",
        kind=AttemptKind.CALL,
        outcome=Outcome.CALLBACK,
        follow_up=date(2026, 12, 1),
        note="Bittet um Rückruf",
        recorded_by="mueller",
        source="ergebnisse.csv, Zeile 2",
    )
    assert second.source == "ergebnisse.csv, Zeile 4"
    assert second.kind is AttemptKind.VISIT and second.outcome is Outcome.APPOINTMENT
    assert second.appointment == datetime(2026, 12, 2, 10, 30)
    assert second.place is VisitPlace.CAFE
    assert second.note == (
        "Besuchsort: Café am Markt\nMöchte über Weiterbildung sprechen;\nlieber nachmittags"
    )
    assert result.row_count == 2


def test_xlsx_with_date_and_time_cells(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Ergebnisse"
    sheet.append(HEADER)
    sheet.append([4711, date(2026, 11, 24), time(16, 45), "COACH-A", "Anruf", "Mailbox"])
    sheet.append(
        [
            "K-2",
            datetime(2026, 11, 25),
            None,
            "Jonas Weber",
            "Besuch",
            "Termin vereinbart",
            datetime(2026, 12, 3, 9, 0),
            "Beratungsmobil",
            date(2026, 12, 10),
            "Umlaute äöüß",
        ]
    )
    sheet.append(["K-3", date(2026, 11, 26), None, "coach-b", "Brief"])
    path = tmp_path / "ergebnisse.xlsx"
    workbook.save(path)

    result = read_outcomes(path, TEAM, today=TODAY)
    assert not result.rejected, result.messages
    call, visit, letter = result.attempts
    assert call.case_id == "4711" and call.coach == "coach-a"
    assert call.at == datetime(2026, 11, 24, 16, 45) and call.time_known
    assert call.outcome is Outcome.MAILBOX
    assert visit.at == datetime(2026, 11, 25) and not visit.time_known and visit.band is None
    assert visit.appointment == datetime(2026, 12, 3, 9, 0)
    assert visit.place is VisitPlace.VAN and visit.follow_up == date(2026, 12, 10)
    assert visit.note == "Umlaute äöüß"
    assert letter.kind is AttemptKind.LETTER and letter.outcome is Outcome.SENT
    assert letter.source == "ergebnisse.xlsx, Zeile 4"


def test_bad_row_from_the_reader_is_rejected_alone(tmp_path: Path) -> None:
    path = tmp_path / SOURCE
    path.write_text(
        ";".join(HEADER) + "\n"
        "K-1;24.11.2026;;coach-a;Anruf;erreicht;;;;ok\n"
        "K-2;24.11.2026;;coach-a;Anruf;erreicht;;;;kaputt\x00\n"
        "K-3;24.11.2026;;coach-a;Anruf;erreicht;;;;ok\n",
        encoding="utf-8",
    )
    result = read_outcomes(path, TEAM, today=TODAY)
    assert [a.case_id for a in result.attempts] == ["K-1", "K-3"]
    reason = "Zeile 3: Die Zelle in „Notiz“ enthält ein Nullzeichen (NUL)."
    assert result.rejected == (RejectedOutcome(3, "K-2", reason, SOURCE),)
    (error,) = _errors(result)
    assert (error.file, error.row, error.field) == (SOURCE, 3, "Notiz")


def test_today_defaults_to_the_system_date(tmp_path: Path) -> None:
    path = tmp_path / SOURCE
    tomorrow = date.today() + timedelta(days=1)
    path.write_text(
        ";".join(HEADER) + f"\nK-1;{tomorrow:%d.%m.%Y};;coach-a;Anruf;erreicht\n",
        encoding="utf-8",
    )
    result = read_outcomes(path, TEAM)
    assert "liegt in der Zukunft" in _errors(result)[0].text


# --------------------------------------------------------------------------- columns


def test_header_variants_and_unknown_columns() -> None:
    header = [
        "Kundennummer",
        "DATUM",
        "Uhrzeit",
        "Coach-Kennung",
        "Kontaktart",
        "Ergebnis des Kontakts",
        "Telefon",
        "Bemerkung",
        "",
    ]
    rows = [["K-1", "24.11.2026", "", "coach-b", "anruf", "ERREICHT", "0641 1234", "x", "y"]]
    result = parse_outcome_rows(header, rows, SOURCE, TEAM, today=TODAY)
    attempt = _only_attempt(result)
    assert (attempt.coach, attempt.kind, attempt.outcome) == (
        "coach-b",
        AttemptKind.CALL,
        Outcome.REACHED,
    )
    assert attempt.note == "x"
    (warning,) = _warnings(result)
    assert warning.text == (
        "Diese Spalten kennt der Planer nicht; sie werden nicht ausgewertet: „Telefon“, "
        "Spalte I (ohne Überschrift)."
    )
    assert warning.file == SOURCE and warning.row is None


def test_missing_required_columns_is_one_file_error() -> None:
    header = ["Kunden Nr", "Datum", "Ergebnis", "Notiz"]
    rows = [["K-1", "24.11.2026", "erreicht", "Anna Becker sagt …"]] * 3
    result = parse_outcome_rows(header, rows, SOURCE, TEAM, today=TODAY)
    assert result.attempts == () and result.rejected == () and result.row_count == 0
    (message,) = result.messages
    assert message.severity is Severity.ERROR and message.file == SOURCE and message.row is None
    assert "Es fehlen Pflichtspalten: „Coach“, „Art“." in message.text
    assert "Anna Becker" not in message.text


def test_duplicate_column_is_ignored_with_a_warning() -> None:
    header = [*HEADER, "Bemerkung"]
    result = parse_outcome_rows(header, [[*_row(Notiz="eins"), "zwei"]], SOURCE, TEAM)
    assert _only_attempt(result).note == "eins"
    (warning,) = _warnings(result)
    assert "„Bemerkung“ ist doppelt" in warning.text and warning.field == "Bemerkung"


def test_optional_columns_may_be_absent() -> None:
    header = ["Kunden-Nr", "Datum", "Coach", "Art", "Ergebnis"]
    result = parse_outcome_rows(
        header, [["K-1", "24.11.2026", "coach-a", "Brief", ""]], SOURCE, TEAM
    )
    attempt = _only_attempt(result)
    assert attempt.outcome is Outcome.SENT and not attempt.time_known


# --------------------------------------------------------------------------- row errors


def test_kind_labels_are_the_words_of_the_file() -> None:
    # Messages list the allowed values by these labels.
    assert [kind.label for kind in AttemptKind] == ["Anruf", "Brief", "Besuch"]


@pytest.mark.parametrize(
    ("cells", "field", "fragment"),
    [
        ({"Kunden_Nr": ""}, "Kunden-Nr", "Die Kunden-Nr fehlt"),
        ({"Kunden_Nr": "K-1; Anna Becker"}, "Kunden-Nr", "sieht nicht wie eine Kunden-Nr aus"),
        ({"Art": "Fax"}, "Art", "Erlaubt sind: Anruf, Brief, Besuch."),
        ({"Art": ""}, "Art", "Die Art fehlt."),
        ({"Ergebnis": "vielleicht"}, "Ergebnis", "Erlaubt sind bei Anruf: erreicht, nicht"),
        ({"Ergebnis": ""}, "Ergebnis", "Das Ergebnis fehlt."),
        ({"Ergebnis": "angetroffen"}, "Ergebnis", "Gemeint ist wohl „erreicht“"),
        ({"Art": "Besuch", "Ergebnis": "erreicht"}, "Ergebnis", "Gemeint ist wohl „angetroffen“"),
        ({"Art": "Besuch", "Ergebnis": "Mailbox"}, "Ergebnis", "passt nicht zur Art „Besuch“"),
        ({"Art": "Brief", "Ergebnis": "erreicht"}, "Ergebnis", "Erlaubt sind bei Brief: versandt"),
        ({"Ergebnis": "versandt"}, "Ergebnis", "passt nicht zur Art „Anruf“"),
        ({"Ergebnis": "Termin vereinbart"}, "Termin", "fehlt der Termin"),
        ({"Ergebnis": "Termin vereinbart", "Termin": "bald"}, "Termin", "Eintrag nicht lesbar"),
        (
            {"Ergebnis": "Termin vereinbart", "Termin": "32.12.2026 10:00"},
            "Termin",
            "Den 32.12.2026 gibt es nicht",
        ),
        ({"Ergebnis": "Termin vereinbart", "Termin": "02.12.2026"}, "Termin", "ohne Uhrzeit"),
        (
            {"Ergebnis": "Termin vereinbart", "Termin": "24.11.2026 10:00"},
            "Termin",
            "liegt vor dem Kontakt (24.11.2026 10:15)",
        ),
        (
            {"Ergebnis": "Termin vereinbart", "Termin": "02.12.2026 10:00", "Besuchsort": "Mond"},
            "Besuchsort",
            "Erlaubt sind „Wohnung“, „Café“ oder „Beratungsmobil“",
        ),
        ({"Datum": "31.02.2026"}, "Datum", "Den 31.02.2026 gibt es nicht"),
        ({"Datum": ""}, "Datum", "Das Datum fehlt."),
        ({"Datum": "01.12.2026"}, "Datum", "liegt in der Zukunft (heute ist 30.11.2026)"),
        ({"Datum": "24.11.2026 11:00"}, "Uhrzeit", "steht die Uhrzeit 11:00"),
        ({"Uhrzeit": "25:00"}, "Uhrzeit", "Die Uhrzeit „25:00“ gibt es nicht"),
        ({"Uhrzeit": "mittags"}, "Uhrzeit", "Eintrag nicht lesbar"),
        ({"Wiedervorlage": "23.11.2026"}, "Wiedervorlage", "liegt vor dem Datum"),
        ({"Wiedervorlage": "30.02.2027"}, "Wiedervorlage", "gibt es nicht"),
        ({"Coach": "Petra"}, "Coach", "Bekannte Kennungen: coach-a, coach-b, coach-c, coach-j"),
        ({"Coach": ""}, "Coach", "Der Coach fehlt."),
        ({"Coach": "anna"}, "Coach", "passt zu mehreren Coaches (coach-a, coach-c)"),
        ({"Notiz": "x" * 2001}, "Notiz", "2.001 Zeichen lang, erlaubt sind höchstens 2.000"),
    ],
)
def test_each_error_names_file_row_and_field(
    cells: dict[str, str], field: str, fragment: str
) -> None:
    rows = [_row(Kunden_Nr="K-0"), _row(**cells), _row(Kunden_Nr="K-9", Uhrzeit="11:00")]
    result = _parse(rows)
    # The good rows around the bad one go on.
    assert [a.case_id for a in result.attempts] == ["K-0", "K-9"]
    (rejected,) = result.rejected
    assert rejected.row == 3 and rejected.source == SOURCE
    assert rejected.reason.startswith("Zeile 3: ")
    (error,) = _errors(result)
    assert (error.file, error.row, error.field) == (SOURCE, 3, field)
    assert fragment in error.text
    assert str(error).startswith(f"Fehler: {SOURCE}, Zeile 3, Feld „{field}“: ")


def test_all_problems_of_a_row_are_reported() -> None:
    result = _parse([_row(Datum="32.01.2026", Coach="niemand", Art="Fax")])
    assert {m.field for m in _errors(result)} == {"Datum", "Coach", "Art"}
    assert result.rejected[0].reason == "Zeile 2: Datum ungültig; Coach unbekannt; Art unbekannt."


def test_messages_never_quote_names_or_notes() -> None:
    secret = "Hannelore Zimmermann"
    rows = [
        _row(Kunden_Nr=f"{secret}, K-1", Notiz=secret),
        _row(Datum=secret, Notiz=secret),
        _row(Uhrzeit=secret, Coach=secret, Art=secret, Ergebnis=secret),
        _row(Ergebnis="Termin vereinbart", Termin=secret, Besuchsort=secret, Wiedervorlage=secret),
        _row(Notiz=secret * 200),
        _row(Termin=secret, Besuchsort=secret),  # ignored with warnings
    ]
    result = _parse(rows)
    assert len(result.rejected) == 5 and len(result.attempts) == 1
    texts = [m.text for m in result.messages] + [r.reason for r in result.rejected]
    assert texts and not [t for t in texts if "Zimmermann" in t]


def test_unknown_case_and_known_case_spelling() -> None:
    rows = [_row(Kunden_Nr="bm-1001"), _row(Kunden_Nr="BM-2002")]
    result = _parse(rows, known_cases={"BM-1001", "BM-3003"})
    assert _only_attempt_of(result, 2).case_id == "BM-1001"  # the store's spelling
    (error,) = _errors(result)
    assert error.text.startswith(
        "Die Kunden-Nr „BM-2002“ ist nicht im Bestand (erst mit planner import einlesen)."
    )
    assert error.client_id == "BM-2002" and result.rejected[0].case_id == "BM-2002"


def _only_attempt_of(result: OutcomesResult, row: int) -> Attempt:
    (attempt,) = [a for a in result.attempts if _row_of(a) == row]
    return attempt


# --------------------------------------------------------------------------- accepted rows


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("coach-b", "coach-b"),
        ("COACH-B", "coach-b"),
        ("Jonas Weber", "coach-b"),
        ("jonas  weber", "coach-b"),
        ("Weber, Jonas", "coach-b"),
        ("Jonas", "coach-b"),  # the only Jonas
        ("Anna Schmidt", "coach-c"),
        ("Joerg Mueller", "coach-j"),
        ("jörg", "coach-j"),
    ],
)
def test_coach_by_key_or_name(text: str, key: str) -> None:
    assert _only_attempt(_parse([_row(Coach=text)])).coach == key


@pytest.mark.parametrize(
    ("ergebnis", "outcome"),
    [
        ("", Outcome.SENT),
        ("versandt", Outcome.SENT),
        ("verzogen", Outcome.MOVED),  # the letter came back
        ("abgelehnt", Outcome.DECLINED),
        ("Rückruf", Outcome.CALLBACK),
    ],
)
def test_letter_rows(ergebnis: str, outcome: Outcome) -> None:
    attempt = _only_attempt(_parse([_row(Art="Brief", Ergebnis=ergebnis, Uhrzeit="")]))
    assert attempt.kind is AttemptKind.LETTER and attempt.outcome is outcome
    assert attempt.appointment is None and attempt.place is None


def test_letter_answered_with_an_appointment() -> None:
    row = _row(Art="Brief", Ergebnis="Termin vereinbart", Termin="01.12.2026 09:00")
    attempt = _only_attempt(_parse([row]))
    assert attempt.appointment == datetime(2026, 12, 1, 9, 0)
    assert attempt.place is VisitPlace.HOME  # the default for an appointment


@pytest.mark.parametrize(
    ("art", "ergebnis", "outcome"),
    [
        ("Anruf", "Rueckruf", Outcome.CALLBACK),
        ("anruf", "nicht-erreicht", Outcome.NOT_REACHED),
        ("Telefonat", "AB", Outcome.MAILBOX),
        ("Anruf", "falsche_nummer", Outcome.WRONG_NUMBER),
        ("Hausbesuch", "Nicht  angetroffen", Outcome.NOT_MET),
        ("Besuch", "ABGESAGT", Outcome.CANCELLED),
    ],
)
def test_spellings_of_kind_and_outcome(art: str, ergebnis: str, outcome: Outcome) -> None:
    assert _only_attempt(_parse([_row(Art=art, Ergebnis=ergebnis)])).outcome is outcome


@pytest.mark.parametrize(
    ("datum", "uhrzeit", "at", "known"),
    [
        ("24.11.26", "9:30", datetime(2026, 11, 24, 9, 30), True),
        ("2026-11-24", "14 Uhr", datetime(2026, 11, 24, 14, 0), True),
        ("Di, 24.11.2026", "14.30", datetime(2026, 11, 24, 14, 30), True),
        ("24.11.2026", "", datetime(2026, 11, 24), False),
        ("24.11.2026 10:30", "", datetime(2026, 11, 24, 10, 30), True),  # Excel date-time
        ("24.11.2026 10:30", "10:30", datetime(2026, 11, 24, 10, 30), True),
        ("24.11.2026 00:00", "", datetime(2026, 11, 24), False),  # a date-only Excel cell
        ("30.11.2026", "23:59", datetime(2026, 11, 30, 23, 59), True),  # today is fine
    ],
)
def test_date_and_time(datum: str, uhrzeit: str, at: datetime, known: bool) -> None:
    attempt = _only_attempt(_parse([_row(Datum=datum, Uhrzeit=uhrzeit)]))
    assert (attempt.at, attempt.time_known) == (at, known)


def test_appointment_on_the_same_day_without_a_time() -> None:
    row = _row(Uhrzeit="", Ergebnis="Termin vereinbart", Termin="24.11.2026 08:00")
    assert _only_attempt(_parse([row])).appointment == datetime(2026, 11, 24, 8, 0)


def test_termin_and_besuchsort_of_other_outcomes_are_ignored_with_warnings() -> None:
    result = _parse([_row(Ergebnis="erreicht", Termin="kein Termin", Besuchsort="Café")])
    attempt = _only_attempt(result)
    assert attempt.appointment is None and attempt.place is None
    assert [(w.field, w.row) for w in _warnings(result)] == [("Termin", 2), ("Besuchsort", 2)]


def test_note_loses_control_characters_but_keeps_line_breaks() -> None:
    note = "  Hund\x07 im\tGarten\u202e\u200b\r\nklingeln\x1b  "
    assert _only_attempt(_parse([_row(Notiz=note)])).note == "Hund im Garten\nklingeln"


def test_note_of_exactly_the_limit_is_accepted() -> None:
    assert len(_only_attempt(_parse([_row(Notiz="ä" * 2000)])).note) == 2000


def test_blank_rows_are_skipped_and_numbers_kept() -> None:
    rows = [_row(), [""] * len(HEADER), [" "] * len(HEADER), _row(Kunden_Nr="K-2")]
    result = _parse(rows, first_row=5)
    assert [a.source for a in result.attempts] == [
        "ergebnisse.csv, Zeile 5",
        "ergebnisse.csv, Zeile 8",
    ]
    assert result.row_count == 2


def test_recorded_by_and_source() -> None:
    attempt = _only_attempt(_parse([_row()], recorded_by="becker"))
    assert attempt.recorded_by == "becker" and attempt.source == "ergebnisse.csv, Zeile 2"
    assert attempt.recorded_at is None  # set by the store when it saves the attempt


# --------------------------------------------------------------------------- duplicates


def test_exact_duplicate_is_rejected_with_a_warning_naming_both_rows() -> None:
    rows = [
        _row(),
        _row(Kunden_Nr="K-2"),
        _row(Notiz="nochmal", Coach="Anna Becker"),  # same attempt, other spelling and note
        _row(Uhrzeit="10:45"),  # a second call that day is no duplicate
    ]
    result = _parse(rows)
    assert [_row_of(a) for a in result.attempts] == [2, 3, 5]
    (rejected,) = result.rejected
    assert rejected == RejectedOutcome(4, "K-1", "Zeile 4: doppelt (wie Zeile 2).", SOURCE)
    assert not _errors(result)
    (warning,) = _warnings(result)
    assert warning.row == 4 and "Zeile 4 wiederholt Zeile 2" in warning.text


def test_date_only_and_midnight_rows_are_not_duplicates() -> None:
    result = _parse([_row(Uhrzeit=""), _row(Uhrzeit="00:00")])
    assert len(result.attempts) == 2


def test_duplicate_of_a_rejected_row_is_kept() -> None:
    result = _parse([_row(Termin="x", Wiedervorlage="01.01.2020"), _row()])
    assert [_row_of(a) for a in result.attempts] == [3]
    assert [r.row for r in result.rejected] == [2]


def test_row_numbers_must_match_rows() -> None:
    with pytest.raises(ValueError):
        parse_outcome_rows(HEADER, [_row()], SOURCE, TEAM, row_numbers=[2, 3])


# --------------------------------------------------------------------------- properties

_PLAUSIBLE = st.sampled_from(
    [
        "",
        " ",
        "K-1",
        "K-2",
        "24.11.2026",
        "31.02.2026",
        "2026-11-24",
        "10:15",
        "24:00",
        "coach-a",
        "Anna",
        "Anruf",
        "Brief",
        "Besuch",
        "erreicht",
        "angetroffen",
        "Termin vereinbart",
        "versandt",
        "02.12.2026 10:30",
        "01.01.2020 10:00",
        "Café",
        "Mond",
        "x" * 2001,
        "a\x00b",
    ]
)
_CELL = st.one_of(_PLAUSIBLE, st.text(max_size=30))


@settings(max_examples=100, deadline=None)
@given(rows=st.lists(st.lists(_CELL, min_size=len(HEADER), max_size=len(HEADER)), max_size=8))
def test_arbitrary_cells_never_crash_and_no_row_is_lost(rows: list[list[str]]) -> None:
    result = _parse(rows, known_cases=None if len(rows) % 2 else {"K-1"})
    expected = [n for n, row in enumerate(rows, start=2) if any(cell.strip() for cell in row)]
    seen = sorted(
        [_row_of(a) for a in result.attempts]
        + [r.row for r in result.rejected]
        + list(result.untouched)
    )
    assert seen == expected
    assert result.row_count == len(expected)
    for rejected in result.rejected:  # every rejection is explained for its row
        assert any(m.row == rejected.row for m in result.messages)
    assert all(m.file == SOURCE for m in result.messages)


_COACHES = {coach.key: coach for coach in TEAM.coaches}


@st.composite
def _attempts(draw: st.DrawFn) -> tuple[Attempt, list[str]]:
    """A valid attempt and the cells a coach would write for it."""
    case_id = draw(st.from_regex(r"[A-Z]{1,3}-?[0-9]{1,8}", fullmatch=True))
    day = draw(st.dates(min_value=date(2024, 1, 1), max_value=TODAY))
    clock = draw(st.none() | st.times().map(lambda t: t.replace(second=0, microsecond=0)))
    at = datetime.combine(day, clock or time(0, 0))
    coach = draw(st.sampled_from(sorted(_COACHES)))
    written_coach = draw(st.sampled_from([coach, coach.upper(), _COACHES[coach].name]))
    kind = draw(st.sampled_from(list(AttemptKind)))
    outcome = draw(st.sampled_from(ALLOWED_OUTCOMES[kind]))
    written_outcome = outcome.label
    if outcome is Outcome.SENT:
        written_outcome = draw(st.sampled_from(["", "versandt", "Versandt"]))
    appointment, place, written_place = None, None, ""
    if outcome is Outcome.APPOINTMENT:
        appointment = at + timedelta(minutes=draw(st.integers(1, 60 * 24 * 90)))
        if appointment.time() == time(0, 0):  # 00:00 reads as a date without time
            appointment += timedelta(minutes=1)
        place = draw(st.sampled_from(list(VisitPlace)))
        written_place = "" if place is VisitPlace.HOME and draw(st.booleans()) else place.value
    follow_up = draw(st.none() | st.integers(0, 365).map(lambda n: day + timedelta(days=n)))
    note = draw(
        st.text(st.characters(exclude_categories=("Cc", "Cf", "Cs", "Zl", "Zp")), max_size=80).map(
            str.strip
        )
    )
    attempt = Attempt(
        case_id=case_id,
        at=at,
        coach=coach,
        kind=kind,
        outcome=outcome,
        appointment=appointment,
        place=place,
        follow_up=follow_up,
        note=note,
        time_known=clock is not None,
        recorded_by="test",
        source=f"{SOURCE}, Zeile 2",
    )
    written_date = draw(st.sampled_from([f"{day:%d.%m.%Y}", day.isoformat()]))
    cells = [
        case_id,
        written_date,
        f"{clock:%H:%M}" if clock is not None else "",
        written_coach,
        kind.label,
        written_outcome,
        f"{appointment:%d.%m.%Y %H:%M}" if appointment is not None else "",
        written_place,
        f"{follow_up:%d.%m.%Y}" if follow_up is not None else "",
        note,
    ]
    return attempt, cells


@settings(max_examples=100, deadline=None)
@given(_attempts())
def test_valid_rows_round_trip(case: tuple[Attempt, list[str]]) -> None:
    attempt, cells = case
    result = _parse([cells], recorded_by="test")
    assert not result.messages
    assert result.attempts == (attempt,)


# --------------------------------------------------------------------------- what contacts led to


@pytest.mark.parametrize(
    ("art", "ergebnis", "outcome"),
    [
        ("Anruf", "an Ansprechperson übergeben", Outcome.HANDED_BACK),
        ("Besuch", "übergeben", Outcome.HANDED_BACK),
        ("Anruf", "an PAP übergeben", Outcome.HANDED_BACK),
        ("Besuch", "Coaching begonnen", Outcome.COACHING),
        ("Anruf", "coaching", Outcome.COACHING),
        ("Besuch", "an Beratungsstelle vermittelt", Outcome.REFERRED),
        ("Anruf", "Schuldnerberatung", Outcome.REFERRED),
        ("Anruf", "vermittelt", Outcome.REFERRED),
    ],
)
def test_hand_back_coaching_and_referral_are_recorded(
    art: str, ergebnis: str, outcome: Outcome
) -> None:
    attempt = _only_attempt(_parse([_row(Art=art, Ergebnis=ergebnis, Wiedervorlage="08.12.2026")]))
    assert attempt.outcome is outcome and attempt.follow_up == date(2026, 12, 8)


def test_what_contacts_led_to_needs_a_conversation() -> None:
    result = _parse([_row(Art="Brief", Ergebnis="Coaching begonnen")])
    assert result.rejected and "passt nicht zur Art „Brief“" in _errors(result)[0].text
    assert Outcome.HANDED_BACK in ALLOWED_OUTCOMES[AttemptKind.CALL]
    assert Outcome.REFERRED in ALLOWED_OUTCOMES[AttemptKind.VISIT]
