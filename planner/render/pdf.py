"""PDF files of the route sheets (per coach and day, per coach and week), with WeasyPrint.

The PDFs are made from the same templates as the HTML sheets, so paper and screen never
disagree. WeasyPrint fetches nothing: its URL fetcher only accepts ``data:`` URIs, and
the sheets embed everything inline (mini-map and QR codes are inline SVG). German
hyphenation comes from Pyphen's dictionary for ``lang="de"``.

Speed: a run makes about fifteen sheets, so the stylesheet is parsed once and shared,
and each sheet is laid out and drawn once: the week PDF is an overview page followed by
the day PDFs themselves, joined with pypdf (each day keeps its own "Seite X von Y" and
the footer names the day, so a sheet taken out of the bundle is complete).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any, cast

from planner.errors import PlannerError
from planner.model import Plan, Tour
from planner.render._format import clock, date_de, date_long_de, minutes_de, slug
from planner.render._output import write_atomic
from planner.render._templates import render, static
from planner.render.minimap import LegPath
from planner.render.sheet import (
    footer,
    page_css,
    pdf_name,
    sheet_file_names,
    tour_view,
)

#: Debian/Ubuntu packages WeasyPrint needs (named in the error when they are missing).
APT_PACKAGES = "libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core"


class PdfUnavailable(PlannerError):
    """WeasyPrint or the Pango library it needs is not installed."""


@cache
def weasyprint() -> ModuleType:
    """The ``weasyprint`` module, imported on first use (it loads Pango, ~0.5 s)."""
    try:
        import weasyprint as module
    except (ImportError, OSError) as exc:  # OSError: the Pango library is missing
        raise PdfUnavailable(
            "PDF-Dateien können nicht erzeugt werden: WeasyPrint findet die Bibliothek "
            f"Pango nicht ({exc}). Unter Debian/Ubuntu: apt install {APT_PACKAGES}; "
            "unter macOS: brew install pango."
        ) from exc
    return cast(ModuleType, module)


@cache
def _fetcher() -> Any:
    """Refuses every URL but ``data:`` (no network, no local files). One instance: each
    new one would set up an SSL context it never uses (0.07 s)."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"data"})


@cache
def _stylesheet(css: str) -> Any:
    return weasyprint().CSS(string=css, url_fetcher=_fetcher())


def render_document(html: str, css: str = "") -> Any:
    """Lay out ``html`` (with the shared stylesheet ``css``, parsed once) for printing."""
    stylesheets = [_stylesheet(css)] if css else []
    document = weasyprint().HTML(string=html, url_fetcher=_fetcher())
    return document.render(stylesheets=stylesheets)


def write_pdf(document: Any, path: Path) -> Path:
    """Write a laid-out document atomically (a reader never sees half a PDF)."""
    return write_atomic(path, document.write_pdf())


def html_to_pdf(html: str, path: Path) -> Path:
    """One HTML document (CSS inside it) as a PDF file."""
    return write_pdf(render_document(html), path)


# --------------------------------------------------------------------------- route sheets


@dataclass(frozen=True)
class SheetPdfs:
    days: tuple[Path, ...]  # per tour, in day/coach order
    weeks: dict[str, Path]  # coach key → the coach's week


def week_pdf_name(plan: Plan, coach_key: str) -> str:
    return f"woche_{plan.start.isoformat()}_{slug(coach_key)}.pdf"


def sheets_css() -> str:
    """The stylesheet of every PDF sheet: the footer names the day of each page."""
    return page_css(None) + static("sheet/sheet.css")


def render_sheet_pdfs(
    plan: Plan,
    out_dir: Path,
    *,
    show_names: bool,
    created: datetime,
    leg_path: LegPath | None = None,
) -> SheetPdfs:
    """A PDF per tour beside its HTML sheet and a PDF per coach for the whole period."""
    css = sheets_css()
    foot = footer(created, plan.travel_is_estimate, plan.travel_model)
    names = sheet_file_names(plan.tours)
    ordered = sorted(zip(plan.tours, names, strict=True), key=lambda p: (p[0].day, p[1]))
    written: dict[int, bytes] = {}
    days: list[Path] = []
    for tour, name in ordered:
        view = tour_view(
            tour, show_names=show_names, estimate=plan.travel_is_estimate, leg_path=leg_path,
            raster_qr=True,
        )  # fmt: skip
        html = render(
            "sheet/route.html.j2", t=view, footer=foot, css="", stylesheet="",
            back=("", ""), pdf_href="",
        )  # fmt: skip
        written[id(tour)] = data = render_document(html, css).write_pdf()
        days.append(write_atomic(out_dir / pdf_name(name), data))
    weeks: dict[str, Path] = {}
    for key, tours in _by_coach(plan.tours).items():
        html = render(
            "sheet/week.html.j2", week=_week_view(plan, tours, show_names=show_names),
            footer=foot, css="",
        )  # fmt: skip
        cover = render_document(html, css).write_pdf()
        merged = _concatenate([cover, *(written[id(t)] for t in tours)])
        weeks[key] = write_atomic(out_dir / week_pdf_name(plan, key), merged)
    return SheetPdfs(tuple(days), weeks)


def _concatenate(pdfs: Sequence[bytes]) -> bytes:
    """One PDF of the given ones, page by page (links and bookmarks kept)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    for data in pdfs:
        writer.append(io.BytesIO(data))
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _by_coach(tours: Sequence[Tour]) -> dict[str, list[Tour]]:
    grouped: dict[str, list[Tour]] = {}
    for tour in sorted(tours, key=lambda t: (t.coach.name, t.day, t.start)):
        grouped.setdefault(tour.coach.key, []).append(tour)
    return grouped


def _week_view(plan: Plan, tours: Sequence[Tour], *, show_names: bool) -> dict[str, object]:
    coach = tours[0].coach
    first, last = tours[0].day, tours[-1].day
    period = date_de(first) if first == last else f"{date_de(first)} – {date_de(last)}"
    return {
        "coach": coach.name,
        "period": period,
        "label": f"{coach.name} · Woche {period}",
        "show_names": show_names,
        "visits": sum(len(t.stops) for t in tours),
        "days": [
            {
                "day": date_long_de(t.day),
                "van": "ja" if t.with_van else "nein",
                "times": f"{clock(t.start)}–{clock(t.end)}",
                "visits": len(t.stops),
                "driving": minutes_de(t.driving_min),
                "breaks": ", ".join(f"{clock(b.start)}–{clock(b.end)}" for b in t.breaks)
                or "keine",
            }
            for t in tours
        ],
        "days_off": [
            {"day": date_long_de(o.day), "reason": o.reason}
            for o in plan.days_off
            if o.coach is None or o.coach.key == coach.key
        ],
    }
