"""Printable route sheets: one per tour, in visit order, escaped, names hidden."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from planner.model import Plan
from planner.render import render_sheet, render_sheets
from planner.render.sheet import sheet_file_names

try:
    from tests import render_fixtures as rf
except ImportError:  # tests/ is not a package: pytest puts it on sys.path itself
    import render_fixtures as rf  # type: ignore[no-redef]

CREATED = datetime(2026, 11, 27, 14, 5)


@pytest.fixture(scope="module")
def plan() -> Plan:
    return rf.make_plan()


@pytest.fixture(scope="module")
def sheets(plan: Plan, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return render_sheets(plan, tmp_path_factory.mktemp("sheets"), created=CREATED)


def _read(paths: list[Path], name: str) -> str:
    return next(p for p in paths if p.name == name).read_text(encoding="utf-8")


def test_one_file_per_tour_plus_index(sheets: list[Path]) -> None:
    assert [p.name for p in sheets] == [
        "route_2026-11-30_coach-a.html",
        "route_2026-11-30_coach-b.html",
        "route_2026-12-01_coach-a.html",
        "route_2026-12-01_coach-b.html",
        "index.html",
    ]
    assert all(p.exists() for p in sheets)


def test_index_links_every_sheet(sheets: list[Path]) -> None:
    index = _read(sheets, "index.html")
    for path in sheets[:-1]:
        assert f'href="{path.name}"' in index
    assert "K-1014" in index and "Xyzdorf" in index  # the unplanned list
    assert "Tiefenbach" not in index  # planned clients are on their sheets only


def test_rows_in_visit_order_with_break(sheets: list[Path]) -> None:
    html = _read(sheets, "route_2026-12-01_coach-a.html")
    positions = [
        html.index(marker)
        for marker in (
            "Start: Jobcenter Wetzlar",
            "K-1004",
            "K-1005",
            "Pause 10:21–10:51",
            "K-1006",
            "Ende: Jobcenter Wetzlar",
        )
    ]
    assert positions == sorted(positions)
    numbers = re.findall(r'<td class="nr">(\d+)</td>', html)
    assert numbers == ["1", "2", "3"]


def test_header_and_times(sheets: list[Path]) -> None:
    html = _read(sheets, "route_2026-11-30_coach-a.html")
    assert "Montag, 30.11.2026" in html
    assert "Anna Becker" in html
    assert "<dt>Beratungsmobil</dt><dd>ja</dd>" in html
    assert "Jobcenter Wetzlar, 08:00" in html and "Jobcenter Wetzlar, 12:17" in html
    assert "<dt>Besuche</dt><dd>3</dd>" in html
    assert "1 h 07 min · 47,2 km (geschätzt)" in html
    assert "<dt>Pausen</dt><dd>keine</dd>" in html
    assert '<span class="time">08:25</span>' in html
    assert "Beginn 09:43" in html  # waited for the second visit
    assert "Termin 11:45" in html
    assert "06442 1234" in html
    assert "Priorität hoch" in html


def test_footer_and_print_css(sheets: list[Path]) -> None:
    html = _read(sheets, "route_2026-11-30_coach-b.html")
    assert "@page { size: A4; margin: 12mm;" in html
    assert "counter(page)" in html
    assert "Erstellt am 27.11.2026 um 14:05 Uhr" in html
    # The travel model describes itself once (no generic note in front of it).
    assert "Schätzung (Luftlinie × 1,35)" in html and "Umwegfaktor) –" not in html
    assert "Enthält Sozialdaten – nicht liegen lassen, nach Gebrauch vernichten" in html
    assert html.count("nicht angetroffen") == 3
    assert "break-inside: avoid" in html


def test_names_hidden_by_default(plan: Plan, sheets: list[Path], tmp_path: Path) -> None:
    text = "".join(p.read_text(encoding="utf-8") for p in sheets)
    for name in rf.NAMES:
        assert name.split()[-1].replace("</b>", "") not in text
    shown = render_sheets(plan, tmp_path, show_names=True, created=CREATED)
    text = "".join(p.read_text(encoding="utf-8") for p in shown)
    assert "Erwin Blaufelder" in text
    assert "Zorana &lt;b&gt;Quellwitz&lt;/b&gt;" in text
    assert "Timo Schlehdorn" in text  # unplanned, in the index


def test_client_text_is_escaped(sheets: list[Path]) -> None:
    html = _read(sheets, "route_2026-11-30_coach-a.html")
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Hund im Hof" in html
    assert "<img src=x" not in html
    assert rf.remote_urls(html) == []
    assert re.findall(r"https?://", html) == []


def test_estimate_marker_follows_flag(plan: Plan, tmp_path: Path) -> None:
    tour = plan.tours[0]
    exact = render_sheet(
        tour,
        tmp_path / "a.html",
        travel_is_estimate=False,
        travel_model="Straßennetz (OSRM)",
        created=CREATED,
    ).read_text(encoding="utf-8")
    assert "geschätzt" not in exact
    assert "Straßennetz (OSRM)" in exact
    estimate = render_sheet(tour, tmp_path / "b.html", created=CREATED).read_text(encoding="utf-8")
    assert "(geschätzt)" in estimate


def test_file_names_unique_and_safe(plan: Plan) -> None:
    tour = plan.tours[0]
    odd = replace(tour, coach=replace(tour.coach, key="../Jörg Groß"))
    names = sheet_file_names([tour, tour, odd])
    assert names == [
        "route_2026-11-30_coach-a.html",
        "route_2026-11-30_coach-a-2.html",
        "route_2026-11-30_jorg-gross.html",
    ]


def test_break_while_waiting_comes_before_visit(plan: Plan, tmp_path: Path) -> None:
    tour = plan.tours[1]
    stop = tour.stops[1]  # arrives 09:26, starts 09:36
    pause = replace(tour.breaks[0], start=stop.arrival, end=stop.start)
    html = render_sheet(
        replace(tour, breaks=(pause,)), tmp_path / "s.html", created=CREATED
    ).read_text(encoding="utf-8")
    assert html.index("K-1004") < html.index("Pause 09:26–09:36") < html.index("K-1005")


def test_empty_plan(tmp_path: Path) -> None:
    empty = Plan(start=rf.MONDAY, days=1, tours=(), unplanned=(), travel_model="")
    paths = render_sheets(empty, tmp_path, created=CREATED)
    assert [p.name for p in paths] == ["index.html"]
    assert "Keine Touren im Plan." in paths[0].read_text(encoding="utf-8")


def test_long_words_carry_soft_hyphens_for_browsers(plan: Plan, tmp_path: Path) -> None:
    """A browser without a German dictionary breaks a long word in a narrow column only
    where a soft hyphen allows it ("pflegebedü|rftig" was the complaint)."""
    tour = plan.tours[0]
    first = tour.stops[0]
    client = replace(first.visit.client, notes="Mutter pflegebedürftig")
    stop = replace(first, visit=replace(first.visit, client=client))
    html = render_sheet(
        replace(tour, stops=(stop, *tour.stops[1:])), tmp_path / "s.html", created=CREATED
    ).read_text(encoding="utf-8")
    assert "Mutter pfle\u00adge\u00adbe\u00addürf\u00adtig" in html
    assert "Bera\u00adtungs\u00admo\u00adbil" in html  # the van as place, tour 0 drives it
    assert 'lang="de"' in html and "hyphens: auto" in html
