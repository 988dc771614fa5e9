"""Route sheets as PDF: German text, every stop, page numbers, names only when asked,
German hyphenation without breaks inside words, notes that wrap instead of overflowing."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import pyphen
import pytest
from pypdf import PdfReader

from planner.model import Plan, Tour
from planner.render import pdf as pdf_module
from planner.render.pdf import render_sheet_pdfs, sheets_css, week_pdf_name
from planner.render.sheet import footer, pdf_name, sheet_file_names, tour_view

try:
    from tests import render_fixtures as rf
except ImportError:  # tests/ is not a package: pytest puts it on sys.path itself
    import render_fixtures as rf  # type: ignore[no-redef]

CREATED = datetime(2026, 11, 27, 14, 5)
LONG_WORD = "pflegebedürftig"
#: 300 characters of notes: long words, a long compound, no spaces to spare.
LONG_NOTE = (
    "Mutter pflegebedürftig, Tochter übernimmt Behördengänge; Rückfragen zur "
    "Arbeitsgelegenheit und zur Kinderbetreuungsfinanzierung bitte vorher telefonisch "
    "abstimmen. Zugang über den Hintereingang, Hund ist freundlich. Unterlagen zur "
    "Wohnungsbauförderung liegen bereit, Sozialversicherungsausweis fehlt noch."
)


def _text(path: Path) -> list[str]:
    """The text of each page, words hyphenated at a line end joined again."""
    return [(page.extract_text() or "").replace("\u2010\n", "") for page in PdfReader(path).pages]


@pytest.fixture(scope="module")
def plan() -> Plan:
    return rf.make_plan()


@pytest.fixture(scope="module")
def pdfs(plan: Plan, tmp_path_factory: pytest.TempPathFactory) -> pdf_module.SheetPdfs:
    out = tmp_path_factory.mktemp("pdf")
    return render_sheet_pdfs(plan, out, show_names=False, created=CREATED)


def test_one_pdf_per_tour_and_per_coach_week(plan: Plan, pdfs: pdf_module.SheetPdfs) -> None:
    assert [p.name for p in pdfs.days] == [
        pdf_name(n) for n in sorted(sheet_file_names(plan.tours))
    ]
    assert {k: p.name for k, p in pdfs.weeks.items()} == {
        "coach-a": week_pdf_name(plan, "coach-a"),
        "coach-b": week_pdf_name(plan, "coach-b"),
    }
    assert all(p.read_bytes().startswith(b"%PDF-") for p in (*pdfs.days, *pdfs.weeks.values()))


def test_german_headings_every_stop_and_page_numbers(
    plan: Plan, pdfs: pdf_module.SheetPdfs
) -> None:
    by_name = {p.name: p for p in pdfs.days}
    for tour, name in zip(plan.tours, sheet_file_names(plan.tours), strict=True):
        pages = _text(by_name[pdf_name(name)])
        text = "\n".join(pages)
        for heading in ("Tourenplan", "Coach:", "Ankunft", "Zeitfenster", "Adresse", "Hinweise",
                        "Navi", "erreicht", "nicht angetroffen", "Fahrzeit gesamt"):  # fmt: skip
            assert heading in text, (name, heading)
        assert f"Coach: {tour.coach.name}" in text
        for stop in tour.stops:
            assert stop.visit.client.id in text
        # "Seite X von Y" on every page, Y the page count
        for number, page in enumerate(pages, start=1):
            assert f"Seite {number} von {len(pages)}" in page
        assert "Enthält Sozialdaten" in pages[-1]
        assert "GeoBasis-DE / BKG" in text  # the map's attribution


def test_week_pdf_is_overview_then_the_day_sheets(plan: Plan, pdfs: pdf_module.SheetPdfs) -> None:
    by_name = {p.name: p for p in pdfs.days}
    names = dict(zip(map(id, plan.tours), sheet_file_names(plan.tours), strict=True))
    for key, week in pdfs.weeks.items():
        tours = sorted((t for t in plan.tours if t.coach.key == key), key=lambda t: t.day)
        days = [len(PdfReader(by_name[pdf_name(names[id(t)])]).pages) for t in tours]
        pages = _text(week)
        assert len(pages) == 1 + sum(days)
        assert "Wochenplan 30.11.2026 – 01.12.2026" in pages[0]
        assert f"{len(tours)} Touren, {sum(len(t.stops) for t in tours)} Besuche" in pages[0]
        ids = [s.visit.client.id for t in tours for s in t.stops]
        assert all(i in "\n".join(pages[1:]) for i in ids)


def test_names_only_when_asked_and_then_confidential_on_every_page(
    plan: Plan, pdfs: pdf_module.SheetPdfs, tmp_path: Path
) -> None:
    text = "\n".join(t for p in (*pdfs.days, *pdfs.weeks.values()) for t in _text(p))
    for name in rf.NAMES:
        assert name.split()[-1].replace("</b>", "") not in text
    assert "VERTRAULICH" not in text
    shown = render_sheet_pdfs(plan, tmp_path, show_names=True, created=CREATED)
    for path in (*shown.days, *shown.weeks.values()):
        pages = _text(path)
        assert all("VERTRAULICH" in page for page in pages), path.name
    assert "Erwin Blaufelder" in " ".join("\n".join(_text(shown.days[0])).split())


def test_client_markup_is_text_in_the_pdf(pdfs: pdf_module.SheetPdfs) -> None:
    text = "".join("\n".join(_text(pdfs.days[0])).split())  # line breaks fall anywhere
    assert "<script>alert(1)</script>HundimHof" in text


# --------------------------------------------------------------------------- hyphenation


def _tour_with_notes(plan: Plan) -> Tour:
    tour = plan.tours[0]
    first, second, *rest = tour.stops
    client = replace(first.visit.client, notes=LONG_WORD)
    other = replace(second.visit.client, notes=LONG_NOTE)
    stops = (
        replace(first, visit=replace(first.visit, client=client)),
        replace(second, visit=replace(second.visit, client=other)),
        *rest,
    )
    return replace(tour, stops=stops)


def _document(tour: Tour) -> Any:
    view = tour_view(tour, show_names=False, estimate=True, raster_qr=True)
    html = pdf_module.render(
        "sheet/route.html.j2", t=view, footer=footer(CREATED, True, ""), css="",
        stylesheet="", back=("", ""), pdf_href="",
    )  # fmt: skip
    return pdf_module.render_document(html, sheets_css())


def _boxes(box: Any) -> Iterator[Any]:
    yield box
    for child in getattr(box, "children", ()):
        yield from _boxes(child)


def _hint_lines(document: Any) -> list[list[str]]:
    """The lines of each notes cell, as laid out."""
    cells = []
    for page in document.pages:
        for box in _boxes(page._page_box):
            if type(box).__name__ == "TableCellBox" and "hint" in (box.element.get("class") or ""):
                lines = [  # soft hyphens are in the layout's text, not on paper
                    "".join(t.text for t in _boxes(line) if type(t).__name__ == "TextBox").replace(
                        "\u00ad", ""
                    )
                    for line in box.children
                ]
                cells.append([line for line in lines if line])
    return cells


@pytest.fixture(scope="module")
def noted(plan: Plan) -> Any:
    return _document(_tour_with_notes(plan))


def _check_breaks(lines: list[str], original: str) -> int:
    """Every line break is at a space or at a hyphenation point of the word (marked with
    WeasyPrint's hyphen U+2010); returns how many words were hyphenated."""
    dic = pyphen.Pyphen(lang="de_DE")
    hyphenated = 0
    joined = ""
    for line, following in zip(lines, [*lines[1:], ""], strict=True):
        if line.endswith("\u2010"):
            head = re.findall(r"[\wÄÖÜäöüß]+$", line[:-1])[0]
            tail = re.match(r"[\wÄÖÜäöüß]+", following)
            assert tail is not None, (line, following)
            assert len(head) in dic.positions(head + tail.group(0)), (line, following)
            hyphenated += 1
            joined += line[:-1]
        else:
            joined += line + " "
    # Joined at the hyphens and with a blank at the other breaks, the text is the note:
    # no line break fell inside a word without a hyphen.
    assert " ".join(joined.split()) == " ".join(original.split())
    return hyphenated


def test_long_note_breaks_only_at_blanks_and_hyphenation_points(noted: Any) -> None:
    cells = _hint_lines(noted)
    note = next(c for c in cells if c and c[0].startswith("Mutter"))
    assert len(note) > 5  # 300 characters wrap over many lines
    assert _check_breaks(note, LONG_NOTE) >= 3  # German hyphenation is at work
    word = next(c for c in cells if c and LONG_WORD in c[0])
    _check_breaks(word, f"{LONG_WORD} · Priorität hoch")


def test_word_wider_than_its_column_splits_at_a_syllable() -> None:
    """The sheet's CSS in a column narrower than the word: it breaks where Pyphen allows
    (the Chrome print of the HTML sheet showed "pflegebedü|rftig")."""
    html = (
        '<!DOCTYPE html><html lang="de"><body><table class="route" style="width: 14mm">'
        f'<tr><td class="hint hy">{LONG_WORD}</td></tr></table></body></html>'
    )
    lines = [line for cell in _hint_lines(pdf_module.render_document(html, sheets_css()))
             for line in cell]  # fmt: skip
    assert len(lines) >= 2, lines
    assert _check_breaks(lines, LONG_WORD) == len(lines) - 1


def test_long_note_wraps_inside_its_column(noted: Any) -> None:
    for page in noted.pages:
        for box in _boxes(page._page_box):
            if type(box).__name__ != "TableCellBox":
                continue
            right = box.content_box_x() + box.width + 0.5  # half a CSS pixel of rounding
            for text in (t for t in _boxes(box) if type(t).__name__ == "TextBox"):
                if "nowrap" in (text.element.get("class") or ""):
                    continue
                assert text.position_x + text.width <= right, (text.text, box.element.get("class"))


def test_pdf_text_of_the_long_word(plan: Plan, tmp_path: Path) -> None:
    """What a reader of the PDF gets: the word whole or split at a syllable with a hyphen."""
    tour = _tour_with_notes(plan)
    data = _document(tour).write_pdf()
    text = "\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages)
    allowed = set(pyphen.Pyphen(lang="de_DE").positions(LONG_WORD))
    found = LONG_WORD in text
    for cut in allowed:
        found = found or f"{LONG_WORD[:cut]}\u2010\n{LONG_WORD[cut:]}" in text
    assert found, re.findall(r"pfl\S*\s*\S*", text)
    for cut in set(range(1, len(LONG_WORD))) - allowed:
        assert f"{LONG_WORD[:cut]}\n{LONG_WORD[cut:]}" not in text
        assert f"{LONG_WORD[:cut]}\u2010\n{LONG_WORD[cut:]}" not in text


# --------------------------------------------------------------------------- in the run


def _team() -> Any:
    from planner import settings
    from planner.intake import load_team

    return load_team(settings.DEMO_DIR / "team.toml")


def test_render_outputs_writes_pdfs_calendars_and_workbook(plan: Plan, tmp_path: Path) -> None:
    from planner.pipeline import RenderOptions, render_outputs

    written = render_outputs(plan, tmp_path, _team(), RenderOptions(created=CREATED))
    assert len(written.pdfs) == len(plan.tours) + 2  # per tour, per coach's week
    assert [p.name for p in written.calendars] == ["coach-a.ics", "coach-b.ics"]
    assert written.workbook == tmp_path / "plan.xlsx" and written.notes == ()
    index = (tmp_path / "laufzettel" / "index.html").read_text(encoding="utf-8")
    assert 'href="route_2026-11-30_coach-a.pdf"' in index
    assert 'href="woche_2026-11-30_coach-a.pdf"' in index
    assert 'href="../kalender/coach-a.ics"' in index


def test_without_pango_the_html_sheets_still_come(
    plan: Plan, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from planner.pipeline import RenderOptions, render_outputs

    def missing() -> Any:
        raise pdf_module.PdfUnavailable("PDF-Dateien können nicht erzeugt werden: Pango fehlt.")

    monkeypatch.setattr(pdf_module, "weasyprint", missing)
    written = render_outputs(plan, tmp_path, _team(), RenderOptions(created=CREATED))
    assert written.pdfs == () and not list((tmp_path / "laufzettel").glob("*.pdf"))
    assert len(written.sheets) == len(plan.tours) + 1 and written.calendars
    assert "Pango" in written.notes[0] and "als HTML" in written.notes[0]
