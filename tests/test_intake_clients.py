"""Tests for reading client lists: file formats, header aliases, row outcomes, messages."""

from __future__ import annotations

import csv
import io
import struct
import tempfile
import zlib
from datetime import date, datetime, time
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.errors import InputFileError
from planner.intake import parse_rows, read_clients, read_table
from planner.intake.columns import column_letter, header_key, map_columns
from planner.model import Client, IntakeResult, Message, RejectedRow, Severity, VisitPlace

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "data" / "vorlage"

HEADER = [
    "Kunden-Nr",
    "Name",
    "Straße",
    "Hausnummer",
    "PLZ",
    "Ort",
    "Ortsteil",
    "Telefon",
    "Priorität",
    "Letzter Kontakt",
    "Besuchsort",
    "Verfügbarkeit",
    "Termin",
    "Dauer (min)",
    "Hinweise",
    "Breite",
    "Länge",
]


def _row(**values: str) -> list[str]:
    """A row for ``HEADER`` with the given cells (keys are the headers, spaces → _)."""
    by_header = {h: "" for h in HEADER}
    defaults = {"Kunden-Nr": "K-1", "Ort": "Wetzlar"}
    for key, value in {**defaults, **values}.items():
        header = {"Nr": "Kunden-Nr", "Dauer": "Dauer (min)", "Kontakt": "Letzter Kontakt"}.get(
            key, key
        )
        by_header[header.replace("_", " ")] = value
    return [by_header[h] for h in HEADER]


def _errors(result: IntakeResult) -> list[Message]:
    return [m for m in result.messages if m.severity is Severity.ERROR]


def _warnings(result: IntakeResult) -> list[Message]:
    return [m for m in result.messages if m.severity is Severity.WARNING]


def _write_csv(
    path: Path,
    rows: list[list[str]],
    *,
    encoding: str = "utf-8-sig",
    delimiter: str = ";",
    newline: str = "\r\n",
) -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator=newline).writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


# --------------------------------------------------------------------------- tables


def _png_bytes() -> bytes:
    """A valid 1×1 PNG image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\0\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
def test_csv_encodings_and_delimiters(tmp_path: Path, encoding: str, delimiter: str) -> None:
    rows = [["Kunden-Nr", "Name", "Ort"], ["1", "Jürgen Weiß", 'Haßloch; Süd, "Ost"']]
    table = read_table(_write_csv(tmp_path / "k.csv", rows, encoding=encoding, delimiter=delimiter))
    assert table.header == ("Kunden-Nr", "Name", "Ort")
    assert table.rows == (("1", "Jürgen Weiß", 'Haßloch; Süd, "Ost"'),)
    assert table.row_numbers == (2,)
    assert table.source == "k.csv"


def test_csv_excel_quirks(tmp_path: Path) -> None:
    text = (
        "\r\n;;;;\r\n"  # blank lines before the header
        "Kunden-Nr;Name;Hinweise;;\r\n"
        '1;Anna;"zwei\r\nZeilen";;\r\n'
        ";;;;\r\n"  # blank row in the middle keeps the numbering
        "2;Ben;x;;\r\n"
        ";;;;\r\n;;;;\r\n"
    )
    path = tmp_path / "k.csv"
    path.write_bytes(text.encode("utf-8"))
    table = read_table(path)
    assert table.header == ("Kunden-Nr", "Name", "Hinweise")
    assert table.header_row == 3
    assert table.rows == (("1", "Anna", "zwei\r\nZeilen"), ("2", "Ben", "x"))
    assert table.row_numbers == (4, 6)


def test_csv_ragged_rows_are_padded(tmp_path: Path) -> None:
    path = tmp_path / "k.csv"
    path.write_text("Kunden-Nr;Ort;PLZ\n1;Wetzlar\n2;Haiger;35708;extra\n", encoding="utf-8")
    table = read_table(path)
    assert table.rows == (("1", "Wetzlar", "", ""), ("2", "Haiger", "35708", "extra"))
    assert table.header == ("Kunden-Nr", "Ort", "PLZ", "")


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        ("k.pdf", b"%PDF", "Dateityp"),
        ("k.csv", b"", "leer"),
        ("k.csv", b"\r\n;;;\r\n", "leer"),
        ("k.xlsx", b"kein zip", "keine gültige Excel-Datei"),
        ("k.xls", b"\xd0\xcf\x11\xe0" + b"\0" * 20, "alten Excel-Format"),
        ("k.xls", b"<html><table>", "alten Excel-Format"),
        ("k.xlsx", b"PK\x03\x04kaputt", "lässt sich nicht als Excel-Datei öffnen"),
        ("k.csv", b"Kunden-Nr;\0Ort\n1;x\n", "keine Textdatei"),  # NUL in the header
        ("k.csv", b"Kunden-Nr;Ort\n" + b"1;\0\0\0\0\0\n", "keine Textdatei"),  # many NULs
        ("k.csv", "Kunden-Nr;Ort\n1;x\n".encode("utf-16-le"), "keine Textdatei"),
        ("k.csv", _png_bytes(), "keine Textdatei"),  # an image renamed to .csv
    ],
)
def test_unreadable_files(tmp_path: Path, name: str, content: bytes, fragment: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputFileError) as info:
        read_table(path)
    assert fragment in str(info.value)
    assert name in str(info.value)


def test_unclosed_quote_does_not_swallow_rows(tmp_path: Path) -> None:
    path = tmp_path / "k.csv"
    path.write_text(
        'Kunden-Nr;Ort;Hinweise\n1;Wetzlar;"Hund\n2;Haiger;x\n3;Sinn;y\n', encoding="utf-8"
    )
    with pytest.raises(InputFileError, match="Zeile 2: Ein Anführungszeichen"):
        read_table(path)


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="gibt es nicht"):
        read_table(tmp_path / "fehlt.csv")
    folder = tmp_path / "ordner.csv"
    folder.mkdir()
    with pytest.raises(InputFileError, match="Ordner"):
        read_table(folder)


def _xlsx(
    path: Path, rows: list[list[object]], *, title: str = "Tabelle1", extra_first: bool = False
) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    if extra_first:
        sheet.title = "Anleitung"
        sheet.append(["Bitte Blatt Kunden ausfüllen"])
        sheet = workbook.create_sheet(title)
    else:
        sheet.title = title
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def test_xlsx_cells_become_canonical_strings(tmp_path: Path) -> None:
    rows: list[list[object]] = [
        ["Kunden-Nr", "PLZ", "Letzter Kontakt", "Termin", "Breite", "Uhrzeit", "Dringend", "Leer"],
        [
            4711,
            35745,
            datetime(2026, 11, 24),
            datetime(2026, 12, 2, 10, 30),
            50.5583,
            time(9, 30),
            True,
            None,
        ],
        [4712.0, 35708.0, date(2026, 1, 5), "02.12.2026 11:00", 8, None, False, None],
    ]
    table = read_table(_xlsx(tmp_path / "k.xlsx", rows, title="Kunden", extra_first=True))
    assert table.header == tuple(rows[0])
    assert table.rows == (
        ("4711", "35745", "24.11.2026", "02.12.2026 10:30", "50.5583", "09:30", "ja", ""),
        ("4712", "35708", "05.01.2026", "02.12.2026 11:00", "8", "", "nein", ""),
    )


def test_xlsx_renamed_to_csv_is_read_as_excel(tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "k.xlsx", [["Kunden-Nr", "Ort"], [1, "Wetzlar"]])
    renamed = path.rename(tmp_path / "k.csv")
    assert read_table(renamed).rows == (("1", "Wetzlar"),)


# --------------------------------------------------------------------------- columns


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Kd.-Nr.", "kunden_nr"),
        ("KdNr", "kunden_nr"),
        ("Kunden ID", "kunden_nr"),
        ("ID", "kunden_nr"),
        ("Str.", "strasse"),
        ("Anschrift", "strasse"),
        ("Hausnr.", "hausnummer"),
        ("Postleitzahl", "plz"),
        ("Wohnort", "ort"),
        ("OT", "ortsteil"),
        ("Handy", "telefon"),
        ("Prio", "prioritaet"),
        ("letzter Kontakt am", "letzter_kontakt"),
        ("Letzter Kontakt (Datum)", "letzter_kontakt"),
        ("Ort des Besuchs", "besuchsort"),
        ("Erreichbarkeit", "verfuegbarkeit"),
        ("fester Termin", "termin"),
        ("Dauer in Minuten", "dauer_min"),
        ("DAUER (MIN)", "dauer_min"),
        ("Bemerkungen", "hinweise"),
        ("Breitengrad", "breite"),
        ("lng", "laenge"),
        ("Längengrad", "laenge"),
        ("Priorität", "prioritaet"),
        ("Prioritaet", "prioritaet"),
    ],
)
def test_header_aliases(header: str, field: str) -> None:
    columns = map_columns(["Kunden-Nr", header] if field != "kunden_nr" else [header], "k.csv")
    assert columns.fields[field] == ((1,) if field != "kunden_nr" else (0,))


def test_unknown_columns_warned_once_and_missing_id_is_fatal() -> None:
    columns = map_columns(
        ["Kunden-Nr", "Sachbearbeitung", "", "Farbe"], "k.csv", [["1", "x", "y", ""]]
    )
    assert columns.unknown == (1, 2, 3)
    (warning,) = columns.messages
    assert warning.severity is Severity.WARNING
    assert "„Sachbearbeitung“" in warning.text and "Spalte C (ohne Überschrift)" in warning.text
    with pytest.raises(InputFileError) as info:
        map_columns(["Name", "Ort"], "liste.csv")
    assert "liste.csv" in str(info.value) and "„Name“, „Ort“" in str(info.value)


def test_bg_number_is_only_a_fallback_id() -> None:
    assert map_columns(["BG-Nummer", "Ort"], "k.csv").fields["kunden_nr"] == (0,)
    columns = map_columns(["BG-Nummer", "Kunden-Nr"], "k.csv")
    assert columns.fields["kunden_nr"] == (1,) and columns.unknown == (0,)


def test_header_helpers() -> None:
    assert header_key(" Kd.-Nr. ") == "kdnr"
    assert header_key("Länge (WGS84)") == "laengewgs84"
    assert [column_letter(i) for i in (0, 25, 26, 27)] == ["A", "Z", "AA", "AB"]


def test_name_parts_and_phone_columns_combined() -> None:
    result = parse_rows(
        ["Kunden-Nr", "Vorname", "Nachname", "Ort", "Telefon", "Handy"],
        [["1", "Anna", "Becker", "Wetzlar", "06441 1", "0170 2"]],
        "k.csv",
    )
    (client,) = result.clients
    assert client.name == "Anna Becker" and client.phone == "06441 1 / 0170 2"


# --------------------------------------------------------------------------- rows


def test_valid_row_becomes_client() -> None:
    row = _row(
        Name="Erika Beispiel",
        Straße="Bahnhofstraße",
        Hausnummer="12a",
        PLZ="35576",
        Ortsteil="Naunheim",
        Telefon=" 06441 000 ",
        Priorität="1 (hoch)",
        Kontakt="15.09.2026",
        Besuchsort="Café am Markt",
        Verfügbarkeit="Mo-Fr 09:00-12:00",
        Termin="07.12.2026 10:00",
        Dauer="1:30",
        Hinweise="Hund",
        Breite="50,57",
        Länge="8,47",
    )
    result = parse_rows(HEADER, [row], "k.csv", today=date(2026, 11, 25))
    assert result.messages == () and result.rejected == ()
    (client,) = result.clients
    assert client.id == "K-1" and client.row == 2
    assert client.address.one_line() == "Bahnhofstraße 12a, 35576 Wetzlar (Naunheim)"
    assert client.phone == "06441 000" and client.priority == 1
    assert client.last_contact == date(2026, 9, 15)
    assert (
        client.visit_place is VisitPlace.CAFE and client.notes == "Besuchsort: Café am Markt; Hund"
    )
    assert client.appointment == datetime(2026, 12, 7, 10, 0) and client.duration_min == 90
    assert client.manual_position == (50.57, 8.47)
    assert len(client.availability) == 5


def test_defaults_for_empty_optional_cells() -> None:
    (client,) = parse_rows(HEADER, [_row()], "k.csv").clients
    assert (client.priority, client.visit_place, client.availability, client.duration_min) == (
        2,
        VisitPlace.HOME,
        (),
        None,
    )


def test_combined_locality_columns_are_split() -> None:
    result = parse_rows(
        ["Kunden-Nr", "Adresse", "PLZ Ort"],
        [["1", "Hauptstr. 5, 35578 Wetzlar", ""], ["2", "Lindenweg 1", "35708 Haiger"]],
        "k.csv",
    )
    first, second = (c.address for c in result.clients)
    assert (first.street, first.postcode, first.place) == ("Hauptstr. 5", "35578", "Wetzlar")
    assert (second.street, second.postcode, second.place) == ("Lindenweg 1", "35708", "Haiger")


BAD_ROWS = [
    # (cells, field header expected in the message, fragment of the reason)
    (_row(Nr=""), "Kunden-Nr", "Kunden-Nr fehlt"),
    (_row(Ort=""), "Ort", "keine Adresse"),
    (_row(Verfügbarkeit="Mo 25:00-26:00"), "Verfügbarkeit", "Verfügbarkeit ungültig"),
    (_row(Verfügbarkeit="Mo 12:00-11:00"), "Verfügbarkeit", "Verfügbarkeit ungültig"),
    (_row(Kontakt="31.02.2026"), "Letzter Kontakt", "Letzter Kontakt ungültig"),
    (_row(Termin="02.12.2026"), "Termin", "Termin ohne Uhrzeit"),
    (_row(Dauer="-30"), "Dauer (min)", "negativ"),
    (_row(Priorität="dringend"), "Priorität", "Unbekannte Priorität"),
    (_row(Besuchsort="Bäckerei"), "Besuchsort", "Besuchsort ungültig"),
    (_row(Breite="50,5"), "Länge", "Koordinaten ungültig"),
    (_row(Breite="8,5", Länge="50,5"), "Breite", "vertauscht"),
]


@pytest.mark.parametrize(("cells", "field", "fragment"), BAD_ROWS)
def test_each_bad_row_kind_is_rejected_with_a_located_error(
    cells: list[str], field: str, fragment: str
) -> None:
    result = parse_rows(HEADER, [_row(Nr="K-0"), cells], "liste.csv")
    assert len(result.clients) == 1 and len(result.rejected) == 1
    (rejected,) = result.rejected
    assert rejected.row == 3 and rejected.source == "liste.csv"
    assert fragment in rejected.reason and rejected.reason.startswith("Zeile 3: ")
    (error,) = _errors(result)
    assert (error.file, error.row, error.field) == ("liste.csv", 3, field)
    assert error.client_id == (rejected.client_id or None)
    assert "liste.csv, Zeile 3" in str(error)


def test_duplicate_id_rejects_the_later_row() -> None:
    rows = [_row(Nr="K-7", Name="Erste"), _row(Nr="K-8"), _row(Nr="k-7 ", Name="Zweite")]
    result = parse_rows(HEADER, rows, "k.csv")
    assert [c.name for c in result.clients] == ["Erste", ""]
    (rejected,) = result.rejected
    assert rejected.row == 4 and rejected.name == "Zweite"
    assert "schon in Zeile 2" in rejected.reason
    (error,) = _errors(result)
    assert error.row == 4 and error.field == "Kunden-Nr" and "Zeile 2" in error.text


def test_missing_id_keeps_name_and_address() -> None:
    result = parse_rows(
        HEADER, [_row(Nr="", Name="Ohne Nummer", PLZ="35745", Ort="Herborn")], "k.csv"
    )
    (rejected,) = result.rejected
    assert rejected.client_id == "" and rejected.reason == "Zeile 2: Kunden-Nr fehlt."
    assert rejected.name == "Ohne Nummer" and rejected.address.place == "Herborn"


def test_every_problem_of_a_row_is_reported() -> None:
    result = parse_rows(HEADER, [_row(Nr="", Priorität="x", Dauer="0", Ort="")], "k.csv")
    assert {m.field for m in _errors(result)} == {"Kunden-Nr", "Priorität", "Dauer (min)", "Ort"}
    (rejected,) = result.rejected
    assert rejected.reason.count(";") == 3


def test_field_header_as_written_in_the_file() -> None:
    result = parse_rows(["KdNr", "Wohnort", "Zeitfenster"], [["1", "Wetzlar", "Mo 9"]], "k.csv")
    (error,) = _errors(result)
    assert error.field == "Zeitfenster"


def test_warnings_keep_the_row() -> None:
    rows = [
        _row(Nr="A", Kontakt="01.01.2027"),
        _row(Nr="B", Termin="02.11.2026 10:00"),
        _row(Nr="C", Verfügbarkeit="Mo-Fr 14-16", Termin="02.12.2026 10:00"),
        _row(Nr="D", PLZ="3557"),
    ]
    header = [*HEADER, "Sachbearbeitung"]
    result = parse_rows(header, [[*r, "Frau X"] for r in rows], "k.csv", today=date(2026, 11, 25))
    assert len(result.clients) == 4 and not _errors(result)
    warnings = _warnings(result)
    assert [(w.row, w.field) for w in warnings] == [
        (None, None),
        (2, "Letzter Kontakt"),
        (3, "Termin"),
        (4, "Termin"),
        (5, "PLZ"),
    ]
    assert "Zukunft" in warnings[1].text and "Vergangenheit" in warnings[2].text
    assert "außerhalb der Verfügbarkeit" in warnings[3].text
    # without a reference date the date-relative checks are skipped
    assert len(_warnings(parse_rows(header, [[*r, ""] for r in rows], "k.csv"))) == 3


def test_blank_rows_are_skipped_and_numbers_kept() -> None:
    result = parse_rows(
        HEADER, [_row(Nr="1"), [""] * len(HEADER), [" "] * 3, _row(Nr="2")], "k.csv"
    )
    assert [c.row for c in result.clients] == [2, 5]
    result = parse_rows(HEADER, [_row()], "k.csv", row_numbers=[9])
    assert result.clients[0].row == 9


# --------------------------------------------------------------------------- files end to end


def test_template_reads_without_errors() -> None:
    result = read_clients(TEMPLATE_DIR / "kundenliste_vorlage.csv", today=date(2026, 11, 25))
    assert result.row_count == 3 and not result.rejected
    assert result.messages == ()
    assert {c.visit_place for c in result.clients} == set(VisitPlace)
    raw = (TEMPLATE_DIR / "kundenliste_vorlage.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw


def test_xlsx_reads_like_csv(tmp_path: Path) -> None:
    rows: list[list[str]] = [
        HEADER,
        _row(
            Nr="1",
            PLZ="35745",
            Kontakt="24.11.2026",
            Termin="02.12.2026 10:30",
            Breite="50.5583",
            Länge="8.5",
        ),
        _row(Nr="2", Verfügbarkeit="Mo 9-12", Dauer="45"),
        _row(Nr="", Name="Ohne"),
    ]
    typed: list[list[object]] = [list(r) for r in rows]
    typed[1][0], typed[1][4], typed[1][9], typed[1][12] = (
        1,
        35745,
        datetime(2026, 11, 24),
        datetime(2026, 12, 2, 10, 30),
    )
    typed[1][15], typed[1][16], typed[2][0], typed[2][13] = 50.5583, 8.5, 2.0, 45
    from_csv = read_clients(_write_csv(tmp_path / "k.csv", rows), today=date(2026, 11, 25))
    from_xlsx = read_clients(_xlsx(tmp_path / "k.xlsx", typed), today=date(2026, 11, 25))
    assert from_xlsx.clients == from_csv.clients
    assert [r.reason for r in from_xlsx.rejected] == [r.reason for r in from_csv.rejected]
    assert len(from_csv.clients) == 2 and len(from_csv.rejected) == 1


# --------------------------------------------------------------------------- properties

_CP1252_SAFE = "abcXYZ 0123456789äöüÄÖÜß;,\"'\n-:./()"  # cp1252 text that is never valid UTF-8
_UNICODE_EXTRA = "„“–é€😀\t"
_FIELDS = [
    "Kunden-Nr",
    "Name",
    "Ort",
    "Verfügbarkeit",
    "Termin",
    "Dauer (min)",
    "Priorität",
    "Hinweise",
]


@st.composite
def _table(draw: st.DrawFn, alphabet: str) -> list[list[str]]:
    cell = st.one_of(
        st.text(alphabet=alphabet, max_size=6),  # too short to look like a swallowed row
        st.sampled_from(["", "K-1", "Wetzlar", "Mo-Fr 9-12", "02.12.2026 10:30", "45", "hoch"]),
    )
    return draw(st.lists(st.lists(cell, min_size=len(_FIELDS), max_size=len(_FIELDS)), max_size=8))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.data(),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
    delimiter=st.sampled_from([";", ","]),
    newline=st.sampled_from(["\r\n", "\n"]),
)
def test_csv_round_trip_conserves_rows(
    data: st.DataObject, encoding: str, delimiter: str, newline: str
) -> None:
    alphabet = _CP1252_SAFE if encoding == "cp1252" else _CP1252_SAFE + _UNICODE_EXTRA
    rows = data.draw(_table(alphabet))
    with tempfile.TemporaryDirectory() as folder:
        path = _write_csv(
            Path(folder) / "k.csv",
            [_FIELDS, *rows],
            encoding=encoding,
            delimiter=delimiter,
            newline=newline,
        )
        table = read_table(path)
        result = read_clients(path, today=date(2026, 11, 25))

    non_blank = [(n, tuple(r)) for n, r in enumerate(rows, start=2) if any(c.strip() for c in r)]
    # the table gives back exactly what was written, with the spreadsheet row numbers
    assert list(zip(table.row_numbers, table.rows, strict=True)) == non_blank
    # conservation: one Client or RejectedRow per non-blank row, none invented
    outcome_rows = sorted([c.row for c in result.clients] + [r.row for r in result.rejected])
    assert outcome_rows == [n for n, _ in non_blank]
    for rejected in result.rejected:
        assert any(m.severity is Severity.ERROR and m.row == rejected.row for m in result.messages)
    assert all(isinstance(c, Client) for c in result.clients)
    assert all(isinstance(r, RejectedRow) for r in result.rejected)


# --------------------------------------------------------------------------- with the planner


def test_past_appointment_inside_the_horizon_is_planned_and_the_warning_says_so() -> None:
    from planner import settings as planner_settings
    from planner.intake import load_team
    from planner.pipeline import build_plan
    from planner.solve import FirstOf, SolutionLimit, TimeLimit

    monday, today = date(2026, 11, 30), date(2026, 12, 2)
    rows = [_row(Nr="K-1", Termin="30.11.2026 10:00"), _row(Nr="K-2", PLZ="35578")]
    intake = parse_rows(HEADER, rows, "k.csv", today=today)
    team = load_team(planner_settings.DEMO_DIR / "team.toml")
    plan, _ = build_plan(intake, team, monday, 5, FirstOf((SolutionLimit(50), TimeLimit(30))))
    stops = {s.visit.client.id: s for t in plan.tours for s in t.stops}
    assert stops["K-1"].start == datetime(2026, 11, 30, 10, 0)
    (warning,) = [m for m in plan.messages if m.row == 2 and m.field == "Termin"]
    assert "Vergangenheit" in warning.text
    assert "nur eingeplant, wenn der Planungszeitraum diesen Tag enthält" in warning.text
    # No message may claim the opposite of what the plan shows.
    assert not any("nicht eingeplant werden" in m.text for m in plan.messages)
