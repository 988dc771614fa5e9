"""Spreadsheet cells the planner writes: formula-safe, and files that are never torn.

Every CSV and XLSX the planner writes goes through here, so the defence against
"CSV injection" lives in one place: a cell from a client list that starts with ``=``,
``+``, ``-``, ``@`` (or a tab / carriage return, which Excel strips before looking) would
be evaluated as a formula by Excel or LibreOffice — ``=HYPERLINK(…)`` exfiltrates data,
``+cmd|…`` runs programs on old installations. Such cells get a leading apostrophe,
which spreadsheets show as plain text. Plain numbers ("-3", "8,5") are left alone so
German Excel still reads them as numbers. In an XLSX file a text cell is stored as a
string, never as a formula, and one that starts like a formula is marked "quote prefix"
(Excel's own leading apostrophe, not shown): it stays text even when edited.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell
    from openpyxl.worksheet.worksheet import Worksheet

from planner._files import atomic_path

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?[0-9]+(?:[.,][0-9]+)?")


def defuse(value: str) -> str:
    """The cell text a spreadsheet shows as text, never evaluates."""
    if value.startswith(_FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def write_csv(
    path: Path,
    columns: Sequence[str],
    rows: Iterable[Mapping[str, str]],
) -> Path:
    """Write a ``;``-separated CSV for German Excel (UTF-8 with BOM), every cell defused.

    The file appears whole or not at all: it is written beside the target and renamed
    over it, so an interrupted run leaves the previous file, never a torn one.
    """
    path = Path(path)
    # utf-8-sig writes the BOM Excel needs to detect UTF-8 (umlauts in place names).
    with (
        atomic_path(path) as temporary,
        temporary.open("w", encoding="utf-8-sig", newline="") as stream,
    ):
        writer = csv.DictWriter(
            stream, fieldnames=list(columns), delimiter=";", lineterminator="\r\n"
        )
        writer.writeheader()
        for row in rows:
            writer.writerow({key: defuse(str(value)) for key, value in row.items()})
    return path


# --------------------------------------------------------------------------- XLSX

#: A cell value: text, a number, a day; None leaves the cell empty.
CellValue = str | int | float | date | None
#: Characters XML 1.0 forbids (openpyxl refuses them): control characters but tab/newline.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass(frozen=True)
class SheetTable:
    """One worksheet: a header row and rows of cells, laid out for printing."""

    title: str  # sheet name (Excel allows 31 characters, no []:*?/\\)
    columns: Sequence[str]
    rows: Sequence[Sequence[CellValue]]
    widths: Sequence[float] = ()  # column widths in characters (default: from the content)
    formats: Mapping[int, str] = field(default_factory=dict)  # column → number format
    note: str = ""  # a line above the header (what the table shows)
    landscape: bool = False


def write_xlsx(path: Path, tables: Sequence[SheetTable], *, footer: str = "") -> Path:
    """Write ``tables`` as one workbook, a sheet each, formula-safe and ready to print
    (A4, header row repeated on every page, fit to the page width, ``footer`` and page
    numbers at the bottom). Atomic like :func:`write_csv`."""
    import openpyxl  # imported here: slow to import and only needed for this file

    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)  # a fresh workbook has one empty sheet
    for table in tables:
        _fill_sheet(workbook.create_sheet(table.title[:31]), table, footer)
    path = Path(path)
    with atomic_path(path) as temporary:
        workbook.save(temporary)
    return path


def _fill_sheet(sheet: Worksheet, table: SheetTable, footer: str) -> None:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    first = 1
    widths = [
        table.widths[col] if col < len(table.widths) else _width(table, col)
        for col in range(len(table.columns))
    ]
    if table.note:
        note = _set(sheet.cell(row=1, column=1), table.note)
        note.font = Font(italic=True)
        note.alignment = Alignment(wrap_text=True, vertical="top")
        # Over the table's width, so that it prints (text running past it would be cut).
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(widths))
        lines = -(-len(table.note) // max(1, int(sum(widths) * 1.1)))  # ceiling division
        sheet.row_dimensions[1].height = 15 * lines
        first = 3
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDE4EC")
    line = Border(bottom=Side(style="thin", color="000000"))
    for col, name in enumerate(table.columns, 1):
        cell = _set(sheet.cell(row=first, column=col), name)
        cell.font, cell.fill, cell.border = bold, fill, line
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for r, values in enumerate(table.rows, first + 1):
        for col, value in enumerate(values, 1):
            cell = _set(sheet.cell(row=r, column=col), value)
            number_format = table.formats.get(col - 1)
            if number_format and isinstance(value, int | float):
                cell.number_format = number_format
            elif isinstance(value, date):
                cell.number_format = "DD.MM.YYYY"
            if isinstance(value, str):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    for col, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(col)].width = width
    sheet.freeze_panes = sheet.cell(row=first + 1, column=1)
    sheet.print_title_rows = f"{first}:{first}"
    setup = sheet.page_setup
    setup.paperSize = sheet.PAPERSIZE_A4
    setup.orientation = "landscape" if table.landscape else "portrait"
    setup.fitToWidth, setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.gridLines = True
    sheet.oddHeader.center.text = _defused_header(table.title)
    if footer:
        sheet.oddFooter.left.text = _defused_header(footer)
    sheet.oddFooter.right.text = "Seite &P von &N"


def _width(table: SheetTable, col: int) -> float:
    """A column as wide as its longest cell (at most 45 characters)."""
    cells = [table.columns[col], *(row[col] for row in table.rows if col < len(row))]
    return min(45, max(len(str(c or "")) for c in cells) + 2)


def _set(cell: Cell, value: CellValue) -> Cell:
    """Write ``value`` into ``cell``; text is stored as text, never as a formula."""
    if isinstance(value, datetime):
        value = value.replace(tzinfo=None)
    if isinstance(value, str):
        text = _ILLEGAL.sub("", value)
        cell.value = text
        cell.data_type = "s"  # openpyxl would store "=…" as a formula
        if text.startswith(_FORMULA_START) and not _NUMBER.fullmatch(text):
            cell.quotePrefix = True
        return cell
    cell.value = value
    return cell


def _defused_header(text: str) -> str:
    """Header and footer texts: ``&`` starts a code there (``&P`` page number)."""
    return _ILLEGAL.sub("", text).replace("&", "&&")
