"""Unit and property tests for the cell parsers of the intake stage."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.intake.fields import (
    AFTERNOON,
    CLIENT_ID_SEPARATORS,
    DAY_MIN,
    MAX_CLIENT_ID_CHARS,
    MORNING,
    FieldError,
    format_availability,
    join_street,
    merge_windows,
    parse_appointment,
    parse_availability,
    parse_client_id,
    parse_date,
    parse_duration,
    parse_phone,
    parse_position,
    parse_priority,
    parse_visit_place,
)
from planner.model import VisitPlace, WeeklyWindow

W = WeeklyWindow
H = 60

# --------------------------------------------------------------------------- availability


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Mo-Fr 09:00-12:00; Di,Do 14:00-17:00",
            [W(d, 9 * H, 12 * H) for d in range(5)] + [W(1, 14 * H, 17 * H), W(3, 14 * H, 17 * H)],
        ),
        ("Mo, Mi 9-12", [W(0, 9 * H, 12 * H), W(2, 9 * H, 12 * H)]),
        ("Di 14:00 - 17:00 Uhr", [W(1, 14 * H, 17 * H)]),
        ("Montag bis Freitag 8:30-11", [W(d, 8 * H + 30, 11 * H) for d in range(5)]),
        ("Mo-Fr vormittags", [W(d, *MORNING) for d in range(5)]),
        ("Mo-Fr nachmittags", [W(d, *AFTERNOON) for d in range(5)]),
        ("täglich 10-12", [W(d, 10 * H, 12 * H) for d in range(7)]),
        ("Sa 10-12", [W(5, 10 * H, 12 * H)]),
        ("", []),
        ("   ", []),
        ("Di/Do 14-17", [W(1, 14 * H, 17 * H), W(3, 14 * H, 17 * H)]),
        ("Mo 9-12 / Mi 14-16", [W(0, 9 * H, 12 * H), W(2, 14 * H, 16 * H)]),
        ("Mo 9-12\nMi 14-16", [W(0, 9 * H, 12 * H), W(2, 14 * H, 16 * H)]),
        ("Mo 9-12, Mi 14-16", [W(0, 9 * H, 12 * H), W(2, 14 * H, 16 * H)]),
        ("Mo 9-12 und 14-16 Uhr", [W(0, 9 * H, 12 * H), W(0, 14 * H, 16 * H)]),
        ("9-12 Mo, Mi", [W(0, 9 * H, 12 * H), W(2, 9 * H, 12 * H)]),
        ("vormittags", [W(d, *MORNING) for d in range(5)]),
        ("Mo 9-12 / 14-16", [W(0, 9 * H, 12 * H), W(0, 14 * H, 16 * H)]),
        ("9-10; Sa 10-12", [W(d, 9 * H, 10 * H) for d in range(5)] + [W(5, 10 * H, 12 * H)]),
        ("Mo.-Fr. 9.30-11.30", [W(d, 9 * H + 30, 11 * H + 30) for d in range(5)]),
        ("werktags zwischen 9 und 11", [W(d, 9 * H, 11 * H) for d in range(5)]),
        ("Mo, Mi", [W(0, 0, DAY_MIN), W(2, 0, DAY_MIN)]),
        ("Mo 20-24", [W(0, 20 * H, DAY_MIN)]),
        ("Mo 9-12; Mo 11-14", [W(0, 9 * H, 14 * H)]),  # overlaps merged
        ("Mo 9–12", [W(0, 9 * H, 12 * H)]),  # en dash
        ("Wochenende 10-12", [W(5, 10 * H, 12 * H), W(6, 10 * H, 12 * H)]),
    ],
)
def test_availability_examples(text: str, expected: list[WeeklyWindow]) -> None:
    assert parse_availability(text) == tuple(sorted(expected))


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("Mo 25:00-26:00", "25:00"),
        ("Mo 12:00-11:00", "Ende liegt vor dem Beginn"),
        ("Mo 9-9", "gleich"),
        ("Xy 9-12", "„xy“ ist kein Wochentag"),
        ("Mo 9:75-10", "09:75"),
        ("Dienstags ab 10", "„ab“"),
        ("Mo 9", "fehlt Beginn oder Ende"),
        ("Mo 24:00-12:00", "24:00"),
    ],
)
def test_availability_errors_explain_and_show_format(text: str, fragment: str) -> None:
    with pytest.raises(FieldError) as info:
        parse_availability(text)
    assert fragment in info.value.full
    assert "Mo-Fr 09:00-12:00" in info.value.hint


def test_format_availability_groups_days() -> None:
    windows = parse_availability("Mo-Fr 09:00-12:00; Di,Do 14:00-17:00")
    text = format_availability(windows)
    assert text == "Mo, Mi, Fr 09:00-12:00; Di, Do 09:00-12:00, 14:00-17:00"
    assert format_availability(parse_availability("Mo-Fr 8-16")) == "Mo-Fr 08:00-16:00"
    assert format_availability(()) == ""


_windows = st.builds(
    lambda day, start, length: W(day, start, min(start + length, DAY_MIN)),
    st.integers(0, 6),
    st.integers(0, DAY_MIN - 1),
    st.integers(1, 600),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_windows, max_size=8))
def test_availability_round_trip(windows: list[WeeklyWindow]) -> None:
    merged = merge_windows(windows)
    text = format_availability(merged)
    assert parse_availability(text) == merged
    assert format_availability(parse_availability(text)) == text


_DAY_WORDS = st.sampled_from(["Mo", "Di", "Mi", "Do", "Fr", "Sa", "So", "Montag", "Freitags"])
_CLOCK = st.builds(
    lambda h, m: f"{h}:{m:02d}" if m else str(h), st.integers(0, 22), st.sampled_from([0, 15, 30])
)


@st.composite
def _availability_text(draw: st.DrawFn) -> str:
    groups = []
    for _ in range(draw(st.integers(1, 3))):
        days = draw(st.lists(_DAY_WORDS, min_size=1, max_size=3))
        start = draw(st.integers(6, 18))
        end = draw(st.integers(start + 1, 20))
        groups.append(f"{', '.join(days)} {start}-{end}")
    return draw(st.sampled_from(["; ", " / ", "\n"])).join(groups)


@settings(max_examples=100, deadline=None)
@given(_availability_text())
def test_written_availability_round_trip(text: str) -> None:
    windows = parse_availability(text)
    assert windows
    assert parse_availability(format_availability(windows)) == windows


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    "text",
    [
        "24.11.2026",
        "24.11.26",
        "2026-11-24",
        "24.11.2026 00:00",
        "24.11.2026 00:00:00",
        " 24. 11. 2026 ",
    ],
)
def test_dates(text: str) -> None:
    assert parse_date(text) == date(2026, 11, 24)


def test_date_empty_and_old_two_digit_year() -> None:
    assert parse_date("") is None
    assert parse_date("01.02.98") == date(1998, 2, 1)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("31.02.2026", "Februar 2026 hat 28 Tage"),
        ("29.02.2025", "Februar 2025 hat 28 Tage"),
        ("13.13.2026", "Monat 13"),
        ("gestern", "kein Datum"),
        ("24/11/2026", "kein Datum"),
        ("Do, 02.12.2026", "Mittwoch"),
    ],
)
def test_date_errors(text: str, fragment: str) -> None:
    with pytest.raises(FieldError) as info:
        parse_date(text)
    assert fragment in info.value.full


@pytest.mark.parametrize(
    "text",
    ["02.12.2026 10:30", "2.12.2026, 10:30 Uhr", "2026-12-02T10:30", "Mi, 02.12.2026 um 10.30 Uhr"],
)
def test_appointments(text: str) -> None:
    assert parse_appointment(text) == datetime(2026, 12, 2, 10, 30)


@pytest.mark.parametrize("text", ["02.12.2026", "02.12.2026 00:00"])
def test_appointment_needs_time(text: str) -> None:
    with pytest.raises(FieldError, match="Termin ohne Uhrzeit"):
        parse_appointment(text)


def test_appointment_impossible_time() -> None:
    with pytest.raises(FieldError, match="Uhrzeit"):
        parse_appointment("02.12.2026 25:10")
    assert parse_appointment("") is None


# --------------------------------------------------------------------------- small fields


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", 1),
        ("2", 2),
        ("3", 3),
        ("1 (hoch)", 1),
        ("hoch", 1),
        ("mittel", 2),
        ("niedrig", 3),
        ("1 - hoch", 1),
        ("", 2),
        ("  ", 2),
        ("Hoch", 1),
        ("3 (niedrig)", 3),
        ("1.0", 1),
    ],
)
def test_priority(text: str, expected: int) -> None:
    assert parse_priority(text) == expected


@pytest.mark.parametrize("text", ["x", "4", "0", "sehr hoch", "1 (niedrig)"])
def test_priority_errors(text: str) -> None:
    with pytest.raises(FieldError, match="Priorität"):
        parse_priority(text)


def test_priority_message_lists_allowed_values() -> None:
    with pytest.raises(FieldError) as info:
        parse_priority("x")
    assert (
        info.value.full
        == "Unbekannte Priorität „x“ – erlaubt sind 1 (hoch), 2 (mittel), 3 (niedrig)."
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("45", 45),
        ("45 min", 45),
        ("45 Minuten", 45),
        ("1:30", 90),
        ("1,5 h", 90),
        ("1.5 Std.", 90),
        ("2 Stunden", 120),
        ("1h30", 90),
        ("", None),
        ("480", 480),
    ],
)
def test_duration(text: str, expected: int | None) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("-30", "negativ"),
        ("0", "null"),
        ("481", "länger als 8 Stunden"),
        ("9" * 400, "länger"),
        ("lang", "verstehe"),
        ("1:75", "unklar"),
    ],
)
def test_duration_errors(text: str, fragment: str) -> None:
    with pytest.raises(FieldError, match=fragment):
        parse_duration(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Wohnung", VisitPlace.HOME),
        ("Zuhause", VisitPlace.HOME),
        ("zu Hause", VisitPlace.HOME),
        ("Hausbesuch", VisitPlace.HOME),
        ("", VisitPlace.HOME),
        ("Café", VisitPlace.CAFE),
        ("Cafe", VisitPlace.CAFE),
        ("CAFÉ am Markt", VisitPlace.CAFE),
        ("Beratungsmobil", VisitPlace.VAN),
        ("Mobil", VisitPlace.VAN),
        ("Bus", VisitPlace.VAN),
        ("Beratungsbus", VisitPlace.VAN),
    ],
)
def test_visit_place(text: str, expected: VisitPlace) -> None:
    assert parse_visit_place(text) is expected


def test_visit_place_unknown() -> None:
    with pytest.raises(FieldError, match="Unbekannter Besuchsort „Bäckerei“"):
        parse_visit_place("Bäckerei")


def test_coordinates() -> None:
    assert parse_position("50,5583", "8,5042") == (50.5583, 8.5042)
    assert parse_position("50.5583", " 8.5042 ") == (50.5583, 8.5042)
    assert parse_position("", "") is None


@pytest.mark.parametrize(
    ("lat", "lon", "fragment", "field"),
    [
        ("50,5", "", "Länge fehlt", "laenge"),
        ("", "8,5", "Breite fehlt", "breite"),
        ("8,5042", "50,5583", "vertauscht?", "breite"),
        ("40,1", "8,5", "Breite 40,1 liegt nicht in Deutschland", "breite"),
        ("50,5", "20", "Länge 20", "laenge"),
        ("505583", "8,5", "Dezimalkomma", "breite"),
        ("Nord", "8,5", "keine Zahl", "breite"),
    ],
)
def test_coordinate_errors(lat: str, lon: str, fragment: str, field: str) -> None:
    with pytest.raises(FieldError) as info:
        parse_position(lat, lon)
    assert fragment in info.value.full
    assert info.value.field == field


def test_phone_and_street() -> None:
    assert parse_phone("  06441 12345 ") == "06441 12345"
    assert join_street("Hauptstraße", "12a") == "Hauptstraße 12a"
    assert join_street("Hauptstraße 12a", "12a") == "Hauptstraße 12a"
    assert join_street("Hauptstraße", "") == "Hauptstraße"
    assert join_street("", "12") == ""


# --------------------------------------------------------------------------- Kunden-Nr


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("123D456789", "123D456789"),  # BA customer number
        ("12345BG0012345", "12345BG0012345"),  # BG number
        ("BM-1001", "BM-1001"),
        (" K-1001 ", "K-1001"),
        ("4711", "4711"),
        ("AB 12/3.4_5", "AB 12/3.4_5"),
        ("BM  1001", "BM 1001"),
        ("X" * MAX_CLIENT_ID_CHARS, "X" * MAX_CLIENT_ID_CHARS),
        ("", ""),
    ],
)
def test_client_id_accepts_real_shapes(text: str, expected: str) -> None:
    assert parse_client_id(text) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("4711,Müller,Hauptstr. 5,35745,Herborn", "Kommas statt Semikolons"),
        ("4711;Müller", "Semikolons statt Kommas"),
        ("4711\tMüller", "Tabulatoren"),
        ("4711\nMüller", "Zeilenumbruch"),
        ("4711 Müller Hauptstraße 5", "25 Zeichen lang"),
        ("X" * (MAX_CLIENT_ID_CHARS + 1), "höchstens 20"),
        ("4711\x07", "U+0007"),
        ("K#1", "„#“"),
    ],
)
def test_client_id_rejects_what_is_not_an_id(text: str, fragment: str) -> None:
    with pytest.raises(FieldError) as info:
        parse_client_id(text)
    assert "sieht nicht wie eine Kunden-Nr aus" in info.value.full
    assert fragment in info.value.full
    assert "Müller" not in info.value.full  # the cell holds the name: never quoted


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_client_id_result_looks_like_an_id(text: str) -> None:
    try:
        value = parse_client_id(text)
    except FieldError as err:
        assert err.text.startswith("Die Kunden-Nr sieht nicht wie eine Kunden-Nr aus")
        return
    assert len(value) <= MAX_CLIENT_ID_CHARS
    assert all(c.isalnum() or c in CLIENT_ID_SEPARATORS for c in value)
    assert value == value.strip()


# --------------------------------------------------------------------------- robustness

_PARSERS: list[Callable[[str], object]] = [
    parse_client_id,
    parse_availability,
    parse_date,
    parse_appointment,
    parse_priority,
    parse_duration,
    parse_visit_place,
    lambda text: parse_position(text, "8,5"),
    lambda text: parse_position("50,5", text),
]

_noise = st.one_of(
    st.text(max_size=40),
    st.text(alphabet="0123456789:.,-;/ MoDiFrhUr\n–", max_size=30),
)


@settings(max_examples=300, deadline=None)
@given(_noise)
def test_parsers_only_raise_field_error(text: str) -> None:
    for parser in _PARSERS:
        try:
            parser(text)
        except FieldError as err:
            assert err.text  # always an explanation
