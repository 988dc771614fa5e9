"""Read a spreadsheet export (CSV or XLSX) into a header and rows of strings.

Row numbers are those a person sees in the spreadsheet: the first line of the file
is row 1, so with the header on top the first client is row 2. Blank rows keep their
number (they are simply not returned), and a CSV record spanning several lines (a
quoted cell with a line break) is one row, as in Excel.
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


@dataclass(frozen=True)
class Table:
    """Header and data rows of one sheet, every cell a string."""

    source: str  # file name for messages
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]  # same width as the header row's used columns
    row_numbers: tuple[int, ...]  # spreadsheet row number of each entry in ``rows``
    header_row: int = 1


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
    # Excel exports unused trailing columns as ";;;"; keep only columns that hold text.
    width = max(_used_width(row) for _, row in numbered)
    return Table(
        source=source,
        header=_fit(header, width),
        rows=tuple(_fit(row, width) for _, row in data),
        row_numbers=tuple(number for number, _ in data),
        header_row=header_row,
    )


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


def _csv_rows(text: str, source: str) -> list[list[str]]:
    if "\x00" in text:  # the csv module accepts NUL, but no spreadsheet export contains it
        raise InputFileError(
            f"„{source}“ ist keine Textdatei (enthält Binärdaten). "
            "Bitte die Kundenliste aus Excel als „CSV UTF-8“ oder als .xlsx speichern."
        )
    delimiter = _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    try:
        rows = [row for row in reader]
    except csv.Error as exc:  # typically an unbalanced quote swallowing the rest of the file
        raise InputFileError(
            f"„{source}“ lässt sich nicht als CSV lesen (bei Zeile {reader.line_num}: {exc}). "
            "Steht dort ein einzelnes Anführungszeichen? Bitte aus Excel erneut als "
            "„CSV UTF-8“ speichern."
        ) from exc
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
