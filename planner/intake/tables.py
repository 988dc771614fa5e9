"""Read a spreadsheet export (CSV or XLSX) into a header and rows of strings.

Row numbers are those a person sees in the spreadsheet: the first line of the file
is row 1, so with the header on top the first client is row 2. Blank rows keep their
number (they are simply not returned), and a CSV record spanning several lines (a
quoted cell with a line break) is one row, as in Excel.

A single bad row (a NUL character, an absurdly long cell) does not cost the whole file:
it is listed in ``Table.bad_rows`` and becomes a rejected row with a German reason.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from planner.errors import InputFileError

CSV_SUFFIXES = frozenset({".csv", ".txt", ".tsv"})
XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm"})

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # old .xls, and also password-protected .xlsx
_DELIMITERS = (";", "\t", ",")  # on a tie the German Excel default wins

#: Longest cell accepted (Python's default csv field limit). Excel itself stops at 32,767
#: characters, so a longer cell is damage, not data; only its row is rejected.
MAX_CELL_CHARS = 131_072
_MAX_CELL_DE = f"{MAX_CELL_CHARS:,}".replace(",", ".")  # German digit grouping

#: A CSV with more NUL characters than this (or one in the header line) is treated as a
#: binary file. Text exports contain none; a stray one or two come from a damaged row
#: and should cost only that row, while binary files (images, UTF-16 without BOM,
#: renamed archives) contain NULs by the dozen.
MAX_STRAY_NULS = 4


@dataclass(frozen=True)
class BadRow:
    """A data row whose cells could not be taken over as read; it must be rejected."""

    row: int  # spreadsheet row number
    column: int  # index of the first offending cell
    problem: str  # German, completes "Die Zelle … ", e.g. "enthält ein Nullzeichen (NUL)"
    advice: str  # German, what the user should do


@dataclass(frozen=True)
class Table:
    """Header and data rows of one sheet, every cell a string."""

    source: str  # file name for messages
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]  # same width as the header row's used columns
    row_numbers: tuple[int, ...]  # spreadsheet row number of each entry in ``rows``
    header_row: int = 1
    # Rows that must be rejected; their offending cells are emptied in ``rows``.
    bad_rows: tuple[BadRow, ...] = ()


def read_table(path: Path | str) -> Table:
    """Read a client list; raise :class:`InputFileError` with a German message if impossible."""
    path = Path(path)
    name = path.name
    suffix = path.suffix.lower()
    if suffix not in CSV_SUFFIXES | XLSX_SUFFIXES | {".xls"}:
        raise InputFileError(
            f"„{name}“: Dateityp „{path.suffix or '(ohne Endung)'}“ wird nicht unterstützt. "
            "Bitte die Kundenliste als .xlsx oder als CSV (.csv) speichern."
        )
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputFileError(f"Die Datei „{path}“ gibt es nicht.") from None
    except IsADirectoryError:
        raise InputFileError(f"„{path}“ ist ein Ordner, keine Datei.") from None
    except OSError as exc:
        raise InputFileError(
            f"Die Datei „{path}“ lässt sich nicht lesen ({exc.strerror})."
        ) from exc

    if data.startswith(_OLE_MAGIC) or (suffix == ".xls" and not data.startswith(_ZIP_MAGIC)):
        raise InputFileError(
            f"„{name}“ ist im alten Excel-Format (.xls) oder mit Passwort geschützt. "
            "Bitte in Excel ohne Kennwort „Speichern unter → Excel-Arbeitsmappe (.xlsx)“ wählen."
        )
    if data.startswith(_ZIP_MAGIC):  # also an .xlsx that was renamed to .csv
        raw_rows = _xlsx_rows(data, name)
    elif suffix in XLSX_SUFFIXES:
        raise InputFileError(f"„{name}“ ist keine gültige Excel-Datei (.xlsx); ist sie beschädigt?")
    else:
        raw_rows = _csv_rows(_decode(data), name)
    return build_table(raw_rows, name)


def build_table(raw_rows: list[list[str]], source: str) -> Table:
    """Find the header (first non-blank row), number the rows and trim empty edges."""
    numbered = [(number, row) for number, row in enumerate(raw_rows, start=1) if not _blank(row)]
    if not numbered:
        raise InputFileError(f"„{source}“ ist leer: keine Überschriftenzeile gefunden.")
    (header_row, header), data = numbered[0], numbered[1:]
    if any(len(cell) > MAX_CELL_CHARS for cell in header):
        raise InputFileError(
            f"„{source}“, Zeile {header_row}: Die Überschriftenzeile enthält eine Zelle mit "
            f"mehr als {_MAX_CELL_DE} Zeichen – das ist keine Kundenliste. "
            "Bitte die Datei prüfen."
        )
    # Excel exports unused trailing columns as ";;;"; keep only columns that hold text.
    width = max(_used_width(row) for _, row in numbered)
    rows: list[tuple[str, ...]] = []
    bad_rows: list[BadRow] = []
    for number, row in data:
        cells = _fit(row, width)
        bad = _bad_row(number, cells)
        if bad is not None:
            bad_rows.append(bad)
            cells = tuple("" if _bad_cell(c) else c for c in cells)
        rows.append(cells)
    return Table(
        source=source,
        header=_fit(header, width),
        rows=tuple(rows),
        row_numbers=tuple(number for number, _ in data),
        header_row=header_row,
        bad_rows=tuple(bad_rows),
    )


def _bad_cell(cell: str) -> bool:
    return "\x00" in cell or len(cell) > MAX_CELL_CHARS


def _bad_row(number: int, row: tuple[str, ...]) -> BadRow | None:
    """The first cell of a data row that cannot be used as read, if any."""
    for column, cell in enumerate(row):
        if "\x00" in cell:
            return BadRow(
                number,
                column,
                "enthält ein Nullzeichen (NUL)",
                "So ein Zeichen steht in keiner Tabelle; die Datei ist an dieser Stelle "
                "vermutlich beschädigt. Bitte die Zeile in Excel prüfen und die Liste "
                "erneut speichern. Die übrigen Zeilen werden verarbeitet.",
            )
        if len(cell) > MAX_CELL_CHARS:
            return BadRow(
                number,
                column,
                f"ist länger als {_MAX_CELL_DE} Zeichen",
                "Das ist kein Eintrag einer Kundenliste; vermutlich ist dort Text "
                "hineinkopiert worden. Bitte die Zelle kürzen. Die übrigen Zeilen werden "
                "verarbeitet.",
            )
    return None


def _blank(row: list[str]) -> bool:
    return all(not cell.strip() for cell in row)


def _used_width(row: list[str]) -> int:
    for index in range(len(row), 0, -1):
        if row[index - 1].strip():
            return index
    return 0


def _fit(row: list[str], width: int) -> tuple[str, ...]:
    return tuple(row[:width]) + ("",) * (width - len(row))


# --------------------------------------------------------------------------- CSV


def _decode(data: bytes) -> str:
    """UTF-16 with BOM, else strict UTF-8 (BOM optional), else Windows-1252."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode-Text" export
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Five byte values are undefined in cp1252; replacing them beats refusing the file.
        return data.decode("cp1252", errors="replace")


def _sniff_delimiter(text: str) -> str:
    """Choose the delimiter that occurs most often (outside quotes) in the header line."""
    for line in text.splitlines():
        if line.strip(" \t;,\"'"):
            header_line = line
            break
    else:
        return ";"
    counts = dict.fromkeys(_DELIMITERS, 0)
    quoted = False
    for char in header_line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    return max(_DELIMITERS, key=lambda d: counts[d])  # max keeps the first on ties


def _looks_binary(text: str) -> bool:
    """NUL in the header line or more than a few NULs: not a text export at all."""
    # The header line as _sniff_delimiter finds it (";;;" lines before it do not count).
    header_line = next((line for line in text.splitlines() if line.strip(" \t;,\"'")), "")
    return "\x00" in header_line or text.count("\x00") > MAX_STRAY_NULS


def _csv_rows(text: str, source: str) -> list[list[str]]:
    # The csv module accepts NUL; a stray one only rejects its row (see build_table).
    if _looks_binary(text):
        raise InputFileError(
            f"„{source}“ ist keine Textdatei (enthält Binärdaten). "
            "Bitte die Kundenliste aus Excel als „CSV UTF-8“ oder als .xlsx speichern."
        )
    delimiter = _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    # csv refuses fields over its limit mid-file, which would lose every row after it.
    # Lift the (process-wide) limit while reading so an overlong cell is read whole and
    # only its row is rejected by build_table; no field can exceed the text's length.
    # The planner reads files from a single thread, and the old limit is restored.
    previous_limit = csv.field_size_limit()
    csv.field_size_limit(max(previous_limit, len(text) + 1))
    try:
        rows = [row for row in reader]
    except csv.Error as exc:  # typically an unbalanced quote swallowing the rest of the file
        raise InputFileError(
            f"„{source}“ lässt sich nicht als CSV lesen (bei Zeile {reader.line_num}: {exc}). "
            "Steht dort ein einzelnes Anführungszeichen? Bitte aus Excel erneut als "
            "„CSV UTF-8“ speichern."
        ) from exc
    finally:
        csv.field_size_limit(previous_limit)
    _check_swallowed_rows(rows, delimiter, source)
    return rows


def _check_swallowed_rows(rows: list[list[str]], delimiter: str, source: str) -> None:
    """Refuse a file where an unclosed quote turned the following rows into one cell.

    Excel would show the same damage; without this check those clients would silently
    vanish from the plan. A line inside a cell with almost as many delimiters as the
    header has columns is taken as a swallowed row.
    """
    header = next((row for row in rows if not _blank(row)), [])
    threshold = max(2, len(header) - 1)
    for number, row in enumerate(rows, start=1):
        for cell in row:
            if "\n" in cell and any(
                line.count(delimiter) >= threshold for line in cell.splitlines()[1:]
            ):
                raise InputFileError(
                    f"„{source}“, Zeile {number}: Ein Anführungszeichen wird nicht geschlossen, "
                    "dadurch würden die folgenden Zeilen in einer Zelle verschwinden. Bitte das "
                    "Anführungszeichen in dieser Zeile entfernen oder schließen."
                )


# --------------------------------------------------------------------------- XLSX


def _xlsx_rows(data: bytes, source: str) -> list[list[str]]:
    import openpyxl  # imported here: it is slow to import and only needed for Excel files
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise InputFileError(
            f"„{source}“ lässt sich nicht als Excel-Datei öffnen ({type(exc).__name__}). "
            "Ist sie beschädigt? Bitte in Excel öffnen und erneut als .xlsx speichern."
        ) from exc
    try:
        sheets = workbook.worksheets
        if not sheets:
            raise InputFileError(f"„{source}“ enthält kein Tabellenblatt.")
        # A sheet called "Kunden…" wins; otherwise the first sheet.
        sheet = next(
            (s for s in sheets if s.title.strip().casefold().startswith("kunden")), sheets[0]
        )
        return [[_cell_text(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def _cell_text(value: Any) -> str:
    """Canonical text of an Excel cell value (German date style, integers without ``.0``)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return f"{value:%d.%m.%Y}"
        return f"{value:%d.%m.%Y %H:%M}"
    if isinstance(value, date):
        return f"{value:%d.%m.%Y}"
    if isinstance(value, time):
        return f"{value:%H:%M}"
    if isinstance(value, timedelta):  # a duration cell formatted [h]:mm
        minutes = round(value.total_seconds() / 60)
        return f"{minutes // 60}:{minutes % 60:02d}"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    return str(value)
