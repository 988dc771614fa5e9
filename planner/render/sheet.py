"""Printable route sheets: one A4 page (or more) per coach and day, plus an index.

Coaches print these and take them along, so the sheets are plain HTML with print
CSS: system fonts, no external resources, black-and-white friendly, rows that do not
break across pages, and room for handwritten notes per visit. Each sheet carries a
small offline map of the tour and, per stop, a QR code with a ``geo:`` link that a
phone's navigation app opens. The same HTML is the source of the PDF
(:mod:`planner.render.pdf`). HTML and CSS are in ``resources/templates/sheet/``.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path

import segno
from markupsafe import Markup

from planner.model import Break, Plan, Stop, Tour, Unplanned
from planner.render._format import (
    PRECISION_DE,
    PRIVACY_NOTE,
    clock,
    date_de,
    date_long_de,
    km_de,
    minutes_de,
    slug,
    soft_hyphens,
    stop_locality,
    travel_note,
    unplanned_address,
    unplanned_name,
    yes_no,
)
from planner.render._templates import css_string, render, static
from planner.render.minimap import LegPath, minimap_svg
from planner.settings import ATTRIBUTION

_PRIORITY_DE = {1: "hoch", 2: "normal", 3: "niedrig"}
_MARGIN_FONT = '"DejaVu Sans", "Liberation Sans", Arial, sans-serif'


# --------------------------------------------------------------------------- public API


def render_sheet(
    tour: Tour,
    path: Path,
    *,
    show_names: bool = False,
    travel_is_estimate: bool = True,
    travel_model: str = "",
    created: datetime | None = None,
    leg_path: LegPath | None = None,
    pdf_href: str = "",
) -> Path:
    """Write the route sheet of one tour to ``path`` and return ``path``."""
    html = sheet_html(
        tour,
        show_names=show_names,
        travel_is_estimate=travel_is_estimate,
        travel_model=travel_model,
        created=created or datetime.now(),
        leg_path=leg_path,
        pdf_href=pdf_href,
    )
    return _write(Path(path), html)


@dataclass(frozen=True)
class SheetLinks:
    """What else the run writes, for the index: PDFs and calendar files (relative hrefs)."""

    pdf: bool = False  # a PDF beside each sheet (same stem)
    weeks: Mapping[str, str] | None = None  # coach key → week PDF
    calendars: Mapping[str, str] | None = None  # coach key → ICS file


def render_sheets(
    plan: Plan,
    out_dir: Path,
    *,
    show_names: bool = False,
    created: datetime | None = None,
    leg_path: LegPath | None = None,
    links: SheetLinks = SheetLinks(),
) -> list[Path]:
    """Write one sheet per tour (``route_2026-11-30_coach-a.html``) and ``index.html``.

    Returns the sheet paths in day/coach order, followed by the index.
    """
    out_dir = Path(out_dir)
    created = created or datetime.now()
    paths = [
        _write(out_dir / name, html)
        for name, html in sheet_documents(
            plan, show_names=show_names, created=created, leg_path=leg_path, pdf=links.pdf
        )
    ]
    names = sheet_file_names(plan.tours)
    index = index_html(plan, names, show_names=show_names, created=created, links=links)
    paths.append(_write(out_dir / "index.html", index))
    return paths


def sheet_documents(
    plan: Plan,
    *,
    show_names: bool,
    created: datetime,
    leg_path: LegPath | None = None,
    pdf: bool = False,
) -> list[tuple[str, str]]:
    """(file name, HTML) of every sheet in day/coach order (the PDFs are made from these)."""
    names = sheet_file_names(plan.tours)
    documents: list[tuple[str, str]] = []
    for tour, name in sorted(zip(plan.tours, names, strict=True), key=lambda p: (p[0].day, p[1])):
        html = sheet_html(
            tour,
            show_names=show_names,
            travel_is_estimate=plan.travel_is_estimate,
            travel_model=plan.travel_model,
            created=created,
            leg_path=leg_path,
            pdf_href=pdf_name(name) if pdf else "",
        )
        documents.append((name, html))
    return documents


def sheet_file_names(tours: Sequence[Tour]) -> list[str]:
    """File name per tour, in the order given; unique even for two tours of one coach a day."""
    names: list[str] = []
    used: set[str] = set()
    for tour in tours:
        base = f"route_{tour.day.isoformat()}_{slug(tour.coach.key)}"
        name, counter = f"{base}.html", 2
        while name in used:
            name, counter = f"{base}-{counter}.html", counter + 1
        used.add(name)
        names.append(name)
    return names


def pdf_name(sheet_name: str) -> str:
    """The PDF beside a sheet: same stem."""
    return sheet_name.removesuffix(".html") + ".pdf"


def sheet_html(
    tour: Tour,
    *,
    show_names: bool = False,
    travel_is_estimate: bool = True,
    travel_model: str = "",
    created: datetime,
    stylesheet: str = "",
    back: tuple[str, str] = ("index.html", "Alle Touren"),
    leg_path: LegPath | None = None,
    pdf_href: str = "",
) -> str:
    """The route sheet of one tour as an HTML string.

    Self-contained by default (the CSS inline, for a file opened from disk). With
    ``stylesheet`` (the URL of :func:`sheet_css`) the page links its CSS instead and has
    no inline style at all, so it can be served under a policy that forbids inline
    styles (the browser app). ``back`` is the link above the sheet (href, text);
    ``leg_path`` draws the map's legs along the roads; ``pdf_href`` links the PDF.
    """
    return render(
        "sheet/route.html.j2",
        t=tour_view(tour, show_names=show_names, estimate=travel_is_estimate, leg_path=leg_path),
        footer=footer(created, travel_is_estimate, travel_model),
        css=sheet_css(tour.coach.name, tour.day),
        stylesheet=stylesheet,
        back=back,
        pdf_href=pdf_href,
    )


def sheet_css(coach_name: str, day: date) -> str:
    """The stylesheet of a route sheet (each printed page's footer names coach and day)."""
    return page_css(f"{coach_name} · {date_de(day)}") + static("sheet/sheet.css")


def page_css(label: str | None) -> str:
    """The ``@page`` rule: the footer's left box says the privacy note and ``label``, or,
    with ``None``, the label of the sheet on that page (a week's PDF)."""
    return render(
        "sheet/page.css.j2",
        privacy=css_string(f"{PRIVACY_NOTE} · "),
        label=css_string(label) if label is not None else None,
        font=_MARGIN_FONT,
    )


def index_html(
    plan: Plan,
    names: Sequence[str],
    *,
    show_names: bool,
    created: datetime,
    links: SheetLinks = SheetLinks(),
) -> str:
    """Overview page linking every sheet (``names`` parallel to ``plan.tours``)."""
    rows = [
        {
            "day": date_long_de(t.day),
            "coach": t.coach.name,
            "van": yes_no(t.with_van),
            "visits": len(t.stops),
            "times": f"{clock(t.start)}–{clock(t.end)}",
            "driving": minutes_de(t.driving_min),
            "href": name,
            "pdf": pdf_name(name) if links.pdf else "",
        }
        for t, name in sorted(zip(plan.tours, names, strict=True), key=lambda p: (p[0].day, p[1]))
    ]
    weeks, calendars = links.weeks or {}, links.calendars or {}
    coaches = {t.coach.key: t.coach.name for t in plan.tours}
    return render(
        "sheet/index.html.j2",
        rows=rows,
        coaches=[
            {"name": name, "week": weeks.get(key, ""), "calendar": calendars.get(key, "")}
            for key, name in sorted(coaches.items(), key=lambda kv: kv[1])
            if key in weeks or key in calendars
        ],
        unplanned=[_unplanned_view(u, show_names=show_names) for u in plan.unplanned],
        days_off=[
            {
                "day": date_long_de(o.day),
                "who": o.who,
                "reason": o.reason,
            }
            for o in plan.days_off
        ],
        show_names=show_names,
        period=period(plan),
        planned=plan.planned_count,
        estimate=plan.travel_is_estimate,
        footer=footer(created, plan.travel_is_estimate, plan.travel_model),
        css=page_css("Übersicht") + static("sheet/sheet.css"),
    )


# --------------------------------------------------------------------------- view models


@dataclass(frozen=True)
class _Row:
    kind: str  # start | stop | break | end
    time: str
    data: dict[str, str | Markup]


def _stop_row(number: int, stop: Stop, *, show_names: bool, raster_qr: bool) -> _Row:
    client = stop.visit.client
    meeting = stop.visit.site.meeting_place
    hints = [client.notes] if client.notes else []
    if client.priority == 1:
        hints.append("Priorität hoch")
    site = stop.visit.site
    return _Row(
        "stop",
        clock(stop.arrival),
        {
            "nr": str(number),
            "setup": _setup_text(stop),
            "begin": f"Beginn {clock(stop.start)}" if stop.start != stop.arrival else "",
            "until": f"bis {clock(stop.end)}",
            "travel_min": minutes_de(stop.travel_min),
            "travel_km": km_de(stop.distance_m),
            # A line may break after the hyphen of "08:00-16:00" (between digits it is
            # no break opportunity), never inside a time.
            "window": stop.window.replace("-", "-\u200b") if stop.window else "–",
            "id": client.id,
            "name": client.name if show_names else "",
            # A Café visit is at the meeting place, a van visit at the van's stand: the
            # home address is not printed as the place of the visit.
            "meeting": meeting,
            "stand": stop.visit.stand,
            "address": "" if meeting or stop.visit.stand else client.address.one_line() or "–",
            "locality": _with_precision(stop_locality(stop), stop),
            "phone": client.phone or "–",
            "tel": tel_href(client.phone),
            "duration": f"{stop.visit.duration_min} min",
            "place": soft_hyphens(client.visit_place.value),
            "hints": soft_hyphens(" · ".join(hints)),
            # Where the visit is (home, meeting place or the van's stand): the position
            # the plan routed to, for the phone's navigation app.
            "geo": geo_uri(site.lat, site.lon),
            "qr": "" if raster_qr else qr_svg(geo_uri(site.lat, site.lon)),
            "qr_png": qr_png(geo_uri(site.lat, site.lon)) if raster_qr else "",
            "coords": f"{site.lat:.5f}, {site.lon:.5f}",
        },
    )


def geo_uri(lat: float, lon: float) -> str:
    """``geo:50.55401,8.50300`` (RFC 5870; 5 decimals are about a metre)."""
    return f"geo:{lat:.5f},{lon:.5f}"


_DIAL = re.compile(r"[^0-9]")


def tel_href(phone: str) -> str:
    """``tel:064411234`` for a phone number as written ("06441 12 34", "+49 …"); empty
    when it holds too few digits to be one. Only digits and a leading + pass."""
    digits = _DIAL.sub("", phone)
    if len(digits) < 3:
        return ""
    return "tel:" + ("+" if phone.strip().startswith("+") else "") + digits


@lru_cache(maxsize=512)
def qr_png(data: str) -> str:
    """A QR code as a PNG data URI, one pixel per module (printed with crisp edges):
    for the PDF, where WeasyPrint draws it ten times faster than the SVG."""
    return str(segno.make(data, error="m", micro=False).png_data_uri(scale=1, border=2))


@lru_cache(maxsize=512)
def qr_svg(data: str) -> Markup:
    """A QR code as inline SVG markup, sized by CSS (segno; error correction M)."""
    code = segno.make(data, error="m", micro=False)
    buffer = io.BytesIO()
    code.save(buffer, kind="svg", xmldecl=False, svgns=False, nl=False, border=2, omitsize=True,
              svgclass="qr", title="Navigation: QR-Code mit dem Telefon scannen")  # fmt: skip
    return Markup(buffer.getvalue().decode("utf-8"))


def _with_precision(locality: str, stop: Stop) -> str:
    """The locality line plus how exactly the position is known (Hausnummer, Straße …)."""
    label = PRECISION_DE.get(stop.visit.site.precision, "")
    return " · ".join(p for p in (locality, f"Position: {label}" if label else "") if p)


def _setup_text(stop: Stop) -> str:
    """``Aufbau 10:20–10:30``: the Beratungsmobil set-up right before the visit."""
    if not stop.setup_min:
        return ""
    return f"Aufbau {clock(stop.start - timedelta(minutes=stop.setup_min))}–{clock(stop.start)}"


def _break_row(pause: Break) -> _Row:
    minutes = int((pause.end - pause.start).total_seconds() // 60)
    return _Row(
        "break",
        clock(pause.start),
        {
            "text": f"Pause {clock(pause.start)}–{clock(pause.end)}",
            "duration": minutes_de(minutes),
        },
    )


def _body_rows(tour: Tour, *, show_names: bool, raster_qr: bool) -> list[_Row]:
    """Stops in visit order with each break slotted in before the first visit after it.

    Visits keep the solver's order (the numbers must match the map); a break that
    starts no later than a visit begins is listed before it.
    """
    pending = sorted(tour.breaks, key=lambda b: b.start)
    rows: list[_Row] = []
    for number, stop in enumerate(tour.stops, start=1):
        while pending and pending[0].start <= stop.start:
            rows.append(_break_row(pending.pop(0)))
        rows.append(_stop_row(number, stop, show_names=show_names, raster_qr=raster_qr))
    rows.extend(_break_row(b) for b in pending)
    return rows


def tour_view(
    tour: Tour,
    *,
    show_names: bool,
    estimate: bool,
    leg_path: LegPath | None = None,
    raster_qr: bool = False,
) -> dict[str, object]:
    """What the sheet template shows of one tour (``raster_qr``: QR codes as PNG, for
    the PDF; the HTML keeps SVG, which a strict Content-Security-Policy allows)."""
    mark = " (geschätzt)" if estimate else " (Straße)"
    office, end_office = tour.start_office, tour.end_office
    back = f"Rückfahrt {minutes_de(tour.return_travel_min)} · {km_de(tour.return_distance_m)}{mark}"
    first = _Row(
        "start",
        clock(tour.start),
        {"text": f"Start: {office.name}", "address": office.address, "travel": ""},
    )
    last = _Row(
        "end",
        clock(tour.end),
        {"text": f"Ende: {end_office.name}", "address": end_office.address, "travel": back},
    )
    return {
        "title": f"Tourenplan {date_long_de(tour.day)} – {tour.coach.name}",
        "label": f"{tour.coach.name} · {date_de(tour.day)}",
        "date": date_long_de(tour.day),
        "coach": tour.coach.name,
        "van": yes_no(tour.with_van),
        "start": f"{office.name}, {clock(tour.start)}",
        "end": f"{end_office.name}, {clock(tour.end)}",
        "driving": f"{minutes_de(tour.driving_min)} · {km_de(tour.distance_m)}{mark}",
        "visits": len(tour.stops),
        "breaks": ", ".join(f"{clock(b.start)}–{clock(b.end)}" for b in tour.breaks) or "keine",
        "rows": [first, *_body_rows(tour, show_names=show_names, raster_qr=raster_qr), last],
        "show_names": show_names,
        "minimap": minimap_svg(tour, leg_path=leg_path) if tour.stops else "",
        "straight": leg_path is None,
    }


def _unplanned_view(item: Unplanned, *, show_names: bool) -> dict[str, str]:
    site = item.site
    where = ""
    if site is not None:
        where = site.municipality
        if site.ortsteil and site.ortsteil != site.municipality:
            where = f"{site.ortsteil}, {site.municipality}"
        if site.meeting_place:
            where = f"Treffpunkt: {site.meeting_place}"
    return {
        "id": item.client_id or "–",
        "name": unplanned_name(item) if show_names else "",
        "address": unplanned_address(item).one_line() or "–",
        "where": where,
        "reason": item.reason,
    }


def footer(created: datetime, estimate: bool, travel_model: str) -> dict[str, str]:
    """The footer lines under every sheet and overview."""
    travel = travel_note(estimate, travel_model)
    return {
        "created": f"Erstellt am {date_de(created.date())} um {clock(created)} Uhr",
        "travel": travel,
        "privacy": PRIVACY_NOTE,
        "attribution": ATTRIBUTION,
    }


def period(plan: Plan) -> str:
    """``30.11.2026 – 04.12.2026`` (the days with tours), or the one day."""
    days = sorted({t.day for t in plan.tours})
    if not days:
        return date_long_de(plan.start)
    if days[0] == days[-1]:
        return date_long_de(days[0])
    return f"{date_de(days[0])} – {date_de(days[-1])}"


def _write(path: Path, html: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    return path
