"""Printable route sheets: one A4 page (or more) per coach and day, plus an index.

Coaches print these and take them along, so the sheets are plain HTML with print
CSS: system fonts, no external resources, black-and-white friendly, rows that do not
break across pages, and room for handwritten notes per visit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import jinja2

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
    stop_locality,
    travel_note,
    unplanned_address,
    unplanned_name,
    yes_no,
)

_PRIORITY_DE = {1: "hoch", 2: "normal", 3: "niedrig"}


# --------------------------------------------------------------------------- public API


def render_sheet(
    tour: Tour,
    path: Path,
    *,
    show_names: bool = False,
    travel_is_estimate: bool = True,
    travel_model: str = "",
    created: datetime | None = None,
) -> Path:
    """Write the route sheet of one tour to ``path`` and return ``path``."""
    html = sheet_html(
        tour,
        show_names=show_names,
        travel_is_estimate=travel_is_estimate,
        travel_model=travel_model,
        created=created or datetime.now(),
    )
    return _write(Path(path), html)


def render_sheets(
    plan: Plan,
    out_dir: Path,
    *,
    show_names: bool = False,
    created: datetime | None = None,
) -> list[Path]:
    """Write one sheet per tour (``route_2026-11-30_coach-a.html``) and ``index.html``.

    Returns the sheet paths in day/coach order, followed by the index.
    """
    out_dir = Path(out_dir)
    created = created or datetime.now()
    names = sheet_file_names(plan.tours)
    paths: list[Path] = []
    for tour, name in sorted(zip(plan.tours, names, strict=True), key=lambda p: (p[0].day, p[1])):
        paths.append(
            render_sheet(
                tour,
                out_dir / name,
                show_names=show_names,
                travel_is_estimate=plan.travel_is_estimate,
                travel_model=plan.travel_model,
                created=created,
            )
        )
    index = index_html(plan, names, show_names=show_names, created=created)
    paths.append(_write(out_dir / "index.html", index))
    return paths


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


def sheet_html(
    tour: Tour,
    *,
    show_names: bool = False,
    travel_is_estimate: bool = True,
    travel_model: str = "",
    created: datetime,
    stylesheet: str = "",
    back: tuple[str, str] = ("index.html", "Alle Touren"),
) -> str:
    """The route sheet of one tour as an HTML string.

    Self-contained by default (the CSS inline, for a file opened from disk). With
    ``stylesheet`` (the URL of :func:`sheet_css`) the page links its CSS instead and has
    no inline style at all, so it can be served under a policy that forbids inline
    styles (the browser app). ``back`` is the link above the sheet (href, text).
    """
    return _ENV.from_string(_SHEET).render(
        t=_tour_view(tour, show_names=show_names, estimate=travel_is_estimate),
        footer=_footer(created, travel_is_estimate, travel_model),
        css=sheet_css(tour.coach.name, tour.day),
        stylesheet=stylesheet,
        back=back,
    )


def sheet_css(coach_name: str, day: date) -> str:
    """The stylesheet of a route sheet (each printed page's footer names coach and day)."""
    return _page_css(f"{coach_name} · {date_de(day)}") + _CSS


def index_html(plan: Plan, names: Sequence[str], *, show_names: bool, created: datetime) -> str:
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
        }
        for t, name in sorted(zip(plan.tours, names, strict=True), key=lambda p: (p[0].day, p[1]))
    ]
    return _ENV.from_string(_INDEX).render(
        rows=rows,
        unplanned=[_unplanned_view(u, show_names=show_names) for u in plan.unplanned],
        days_off=[
            {
                "day": date_long_de(o.day),
                "who": o.coach.name if o.coach is not None else "ganzes Team",
                "reason": o.reason,
            }
            for o in plan.days_off
        ],
        show_names=show_names,
        period=_period(plan),
        planned=plan.planned_count,
        estimate=plan.travel_is_estimate,
        footer=_footer(created, plan.travel_is_estimate, plan.travel_model),
        page_css=_page_css("Übersicht"),
        css=_CSS,
    )


# --------------------------------------------------------------------------- view models


@dataclass(frozen=True)
class _Row:
    kind: str  # start | stop | break | end
    time: str
    data: dict[str, str]


def _stop_row(number: int, stop: Stop, *, show_names: bool) -> _Row:
    client = stop.visit.client
    meeting = stop.visit.site.meeting_place
    hints = [client.notes] if client.notes else []
    if client.priority == 1:
        hints.append("Priorität hoch")
    return _Row(
        "stop",
        clock(stop.arrival),
        {
            "nr": str(number),
            "setup": _setup_text(stop),
            "begin": f"Beginn {clock(stop.start)}" if stop.start != stop.arrival else "",
            "until": f"bis {clock(stop.end)}",
            "travel": f"{minutes_de(stop.travel_min)} · {km_de(stop.distance_m)}",
            "window": stop.window or "–",
            "id": client.id,
            "name": client.name if show_names else "",
            # A Café visit is at the meeting place, a van visit at the van's stand: the
            # home address is not printed as the place of the visit.
            "meeting": meeting,
            "stand": stop.visit.stand,
            "address": "" if meeting or stop.visit.stand else client.address.one_line() or "–",
            "locality": _with_precision(stop_locality(stop), stop),
            "phone": client.phone or "–",
            "duration": f"{stop.visit.duration_min} min",
            # soft hyphen: the long word may wrap in its narrow column
            "place": client.visit_place.value.replace("Beratungsmobil", "Beratungs\u00admobil"),
            "hints": " · ".join(hints),
        },
    )


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


def _body_rows(tour: Tour, *, show_names: bool) -> list[_Row]:
    """Stops in visit order with each break slotted in before the first visit after it.

    Visits keep the solver's order (the numbers must match the map); a break that
    starts no later than a visit begins is listed before it.
    """
    pending = sorted(tour.breaks, key=lambda b: b.start)
    rows: list[_Row] = []
    for number, stop in enumerate(tour.stops, start=1):
        while pending and pending[0].start <= stop.start:
            rows.append(_break_row(pending.pop(0)))
        rows.append(_stop_row(number, stop, show_names=show_names))
    rows.extend(_break_row(b) for b in pending)
    return rows


def _tour_view(tour: Tour, *, show_names: bool, estimate: bool) -> dict[str, object]:
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
        "date": date_long_de(tour.day),
        "coach": tour.coach.name,
        "van": yes_no(tour.with_van),
        "start": f"{office.name}, {clock(tour.start)}",
        "end": f"{end_office.name}, {clock(tour.end)}",
        "driving": f"{minutes_de(tour.driving_min)} · {km_de(tour.distance_m)}{mark}",
        "visits": len(tour.stops),
        "breaks": ", ".join(f"{clock(b.start)}–{clock(b.end)}" for b in tour.breaks) or "keine",
        "rows": [first, *_body_rows(tour, show_names=show_names), last],
        "show_names": show_names,
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


def _footer(created: datetime, estimate: bool, travel_model: str) -> dict[str, str]:
    travel = travel_note(estimate, travel_model)
    return {
        "created": f"Erstellt am {date_de(created.date())} um {clock(created)} Uhr",
        "travel": travel,
        "privacy": PRIVACY_NOTE,
    }


def _period(plan: Plan) -> str:
    days = sorted({t.day for t in plan.tours})
    if not days:
        return date_long_de(plan.start)
    if days[0] == days[-1]:
        return date_long_de(days[0])
    return f"{date_de(days[0])} – {date_de(days[-1])}"


def _css_string(text: str) -> str:
    """A CSS string literal (for ``@page`` margin boxes)."""
    cleaned = "".join(ch if ch.isprintable() else " " for ch in text)
    return '"' + cleaned.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ") + '"'


def _page_css(label: str) -> str:
    return (
        "@page { size: A4; margin: 12mm;\n"
        f"  @bottom-left {{ content: {_css_string(PRIVACY_NOTE + ' · ' + label)}; "
        f"{_MARGIN_FONT} }}\n"
        '  @bottom-right { content: "Seite " counter(page) " von " counter(pages); '
        f"{_MARGIN_FONT} }} }}"
    )


_MARGIN_FONT = (
    'font-family: system-ui, "Segoe UI", "Liberation Sans", "DejaVu Sans", Arial, sans-serif; '
    "font-size: 7.5pt; color: #333;"
)


def _write(path: Path, html: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- templates

_ENV = jinja2.Environment(
    autoescape=True,  # every client field is untrusted text
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)

_CSS = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Liberation Sans",
  "DejaVu Sans", Arial, sans-serif; font-size: 9.5pt; line-height: 1.3; color: #000;
  margin: 0; background: #fff; }
main { max-width: 186mm; margin: 0 auto; }
h1 { font-size: 15pt; margin: 0 0 1mm 0; }
.sub { font-size: 10pt; margin: 0 0 3mm 0; }
.facts { display: grid; grid-template-columns: max-content 1fr max-content 1fr; gap: 0.6mm 4mm;
  border: 0.4mm solid #000; padding: 2mm 3mm; margin-bottom: 3mm; }
.facts dt { font-weight: 700; }
.facts dd { margin: 0; }
table { width: 100%; border-collapse: collapse; }
table.route { table-layout: fixed; }
col.w5 { width: 5%; } col.w7 { width: 7%; } col.w10 { width: 10%; } col.w11 { width: 11%; }
col.w12 { width: 12%; } col.w21 { width: 21%; }
td, th { overflow-wrap: break-word; }
.nowrap { white-space: nowrap; }
thead { display: table-header-group; }
th, td { text-align: left; vertical-align: top; padding: 1.1mm 0.9mm; }
table.route td { font-size: 9pt; }
thead th { border-bottom: 0.5mm solid #000; font-size: 8.5pt; }
tbody { break-inside: avoid; page-break-inside: avoid; }
tr { break-inside: avoid; page-break-inside: avoid; }
tbody.stop td { border-top: 0.3mm solid #000; }
tbody.stop tr.outcome td { border-top: 0.2mm dotted #777; padding-top: 1mm; padding-bottom: 5mm; }
.nr { font-size: 13pt; font-weight: 700; width: 7mm; text-align: center; }
.time { font-weight: 700; font-size: 10.5pt; white-space: nowrap; }
.small { font-size: 8pt; color: #222; }
.id { font-weight: 700; white-space: nowrap; }
.hint { font-size: 8.5pt; }
.box { display: inline-block; width: 3.4mm; height: 3.4mm; border: 0.35mm solid #000;
  vertical-align: -0.6mm; margin: 0 1mm 0 0; }
.outcome span.opt { margin-right: 6mm; }
.line { display: inline-block; width: 80mm; border-bottom: 0.25mm solid #555; }
tbody.frame td { background: #f0f0f0; font-weight: 600; border-top: 0.3mm solid #000; }
tbody.pause td { font-style: italic; border-top: 0.3mm dashed #000; background: #f7f7f7; }
footer { margin-top: 4mm; padding-top: 2mm; border-top: 0.3mm solid #000; font-size: 8pt; }
footer p { margin: 0.5mm 0; }
.privacy { font-weight: 700; }
a { color: #000; }
.screen-only { color: #444; font-size: 9pt; margin-bottom: 3mm; }
@media screen {
  body { background: #e9e9e9; padding: 8mm 0; }
  main { background: #fff; padding: 12mm; max-width: 210mm; box-shadow: 0 0 4px rgba(0,0,0,.3); }
}
@media print {
  .screen-only { display: none; }
  tbody.frame td, tbody.pause td { background: none; }
}
"""

_SHEET = """<!DOCTYPE html>
<html lang="de">
<head>
<meta charset="utf-8">
{% if stylesheet %}
<link rel="stylesheet" href="{{ stylesheet }}">
{% else %}
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
{% endif %}
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ t.title }}</title>
{% if not stylesheet %}
<style>{{ css|safe }}</style>
{% endif %}
</head>
<body>
<main>
<p class="screen-only">Zum Drucken: Strg+P (A4 hoch). <a href="{{ back[0] }}">{{ back[1] }}</a></p>
<h1>Tourenplan {{ t.date }}</h1>
<p class="sub">Coach: <b>{{ t.coach }}</b></p>
<dl class="facts">
  <dt>Datum</dt><dd>{{ t.date }}</dd>
  <dt>Beratungsmobil</dt><dd>{{ t.van }}</dd>
  <dt>Start</dt><dd>{{ t.start }}</dd>
  <dt>Ende</dt><dd>{{ t.end }}</dd>
  <dt>Besuche</dt><dd>{{ t.visits }}</dd>
  <dt>Fahrzeit gesamt</dt><dd>{{ t.driving }}</dd>
  <dt>Pausen</dt><dd>{{ t.breaks }}</dd>
  <dt></dt><dd></dd>
</dl>
<table class="route">
<colgroup>
<col class="w5"><col class="w12"><col class="w10"><col class="w12">
<col class="w21"><col class="w12"><col class="w7"><col class="w10">
<col class="w11">
</colgroup>
<thead>
<tr><th>Nr.</th><th>Ankunft</th><th>Zeit&shy;fenster</th>
<th>Kunden-Nr{% if t.show_names %} / Name{% endif %}</th><th>Adresse</th><th>Telefon</th>
<th>Dauer</th><th>Besuchs&shy;ort</th><th>Hinweise</th></tr>
</thead>
{% for row in t.rows %}
{% if row.kind == "stop" %}
{% set d = row.data %}
<tbody class="stop">
<tr>
  <td class="nr">{{ d.nr }}</td>
  <td><span class="time">{{ row.time }}</span>
    {%- if d.setup %}<br><span class="small">{{ d.setup }}</span>{% endif %}
    {%- if d.begin %}<br><span class="small">{{ d.begin }}</span>{% endif %}
    <br><span class="small">{{ d.until }}</span>
    <br><span class="small nowrap" title="Anfahrt">Fahrt {{ d.travel }}</span></td>
  <td>{{ d.window }}</td>
  <td><span class="id">{{ d.id }}</span>{% if d.name %}<br>{{ d.name }}{% endif %}</td>
  <td>{% if d.meeting %}<b>Treffpunkt:</b> {{ d.meeting }}
    {%- elif d.stand %}<b>Standort Beratungsmobil:</b> {{ d.stand }}
    {%- else %}{{ d.address }}{% endif %}
    {%- if d.locality %}<br><span class="small">{{ d.locality }}</span>{% endif %}</td>
  <td class="phone">{{ d.phone }}</td>
  <td>{{ d.duration }}</td>
  <td>{{ d.place }}</td>
  <td class="hint">{{ d.hints }}</td>
</tr>
<tr class="outcome"><td></td><td colspan="8">
  <span class="opt"><span class="box"></span>erreicht</span>
  <span class="opt"><span class="box"></span>nicht angetroffen</span>
  Notiz: <span class="line"></span></td></tr>
</tbody>
{% elif row.kind == "break" %}
<tbody class="pause"><tr><td></td><td class="time">{{ row.time }}</td>
  <td colspan="7">{{ row.data.text }} ({{ row.data.duration }})</td></tr></tbody>
{% else %}
<tbody class="frame"><tr><td></td><td class="time">{{ row.time }}</td>
  <td colspan="7">{{ row.data.text }}{% if row.data.address %}, {{ row.data.address }}{% endif %}
  {% if row.data.travel %}<span class="small"> – {{ row.data.travel }}</span>{% endif %}
  </td></tr></tbody>
{% endif %}
{% endfor %}
</table>
<footer>
  <p>{{ footer.created }} – {{ footer.travel }}</p>
  <p class="privacy">{{ footer.privacy }}</p>
</footer>
</main>
</body>
</html>
"""

_INDEX = """<!DOCTYPE html>
<html lang="de">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tourenpläne {{ period }}</title>
<style>{{ page_css|safe }}{{ css|safe }}</style>
</head>
<body>
<main>
<h1>Tourenpläne {{ period }}</h1>
<p class="sub">{{ rows|length }} Touren, {{ planned }} Besuche eingeplant,
{{ unplanned|length }} nicht eingeplant.</p>
<table>
<thead><tr><th>Tag</th><th>Coach</th><th>Beratungsmobil</th><th>Besuche</th><th>Zeit</th>
<th>Fahrzeit{% if estimate %} (geschätzt){% endif %}</th><th>Tourenplan</th></tr></thead>
{% for r in rows %}
<tbody class="stop"><tr><td>{{ r.day }}</td><td>{{ r.coach }}</td><td>{{ r.van }}</td>
<td>{{ r.visits }}</td><td>{{ r.times }}</td><td>{{ r.driving }}</td>
<td><a href="{{ r.href }}">öffnen</a></td></tr></tbody>
{% else %}
<tbody><tr><td colspan="7">Keine Touren im Plan.</td></tr></tbody>
{% endfor %}
</table>
{% if days_off %}
<h2>Tage ohne Tour</h2>
<table>
<thead><tr><th>Tag</th><th>Wer</th><th>Grund</th></tr></thead>
{% for o in days_off %}
<tbody class="stop"><tr><td>{{ o.day }}</td><td>{{ o.who }}</td><td>{{ o.reason }}</td></tr></tbody>
{% endfor %}
</table>
{% endif %}
{% if unplanned %}
<h2>Nicht eingeplant</h2>
<table>
<thead><tr><th>Kunden-Nr{% if show_names %} / Name{% endif %}</th><th>Adresse</th><th>Ort</th>
<th>Grund</th></tr></thead>
{% for u in unplanned %}
<tbody class="stop"><tr>
<td><span class="id">{{ u.id }}</span>{% if u.name %}<br>{{ u.name }}{% endif %}</td>
<td>{{ u.address }}</td><td>{{ u.where }}</td><td>{{ u.reason }}</td></tr></tbody>
{% endfor %}
</table>
{% endif %}
<footer>
  <p>{{ footer.created }} – {{ footer.travel }}</p>
  <p class="privacy">{{ footer.privacy }}</p>
</footer>
</main>
</body>
</html>
"""
