"""``plan.xlsx`` beside ``plan.csv``: a sheet per coach and one of the people not planned.

Laid out for printing (A4 landscape, header row on every page, fit to the page width,
privacy note and page numbers in the footer) and formula-safe: every cell goes through
:func:`planner.tabular.write_xlsx`, which stores text as text and marks text that
starts like a formula. Numbers (minutes, kilometres) and days are real cells, so the
lead can sum and sort. Names only with ``show_names``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from planner.model import WEEKDAYS_DE, Break, Plan, Stop, Tour
from planner.render._format import (
    PRIVACY_NOTE,
    clock,
    date_de,
    travel_note,
    unplanned_address,
    unplanned_name,
)
from planner.tabular import CellValue, SheetTable, write_xlsx

#: Excel forbids these in sheet names.
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
UNPLANNED_SHEET = "Nicht eingeplant"


def write_plan_xlsx(plan: Plan, path: Path, *, show_names: bool = False) -> Path:
    """Write the workbook; returns ``path``."""
    tables = [_coach_table(name, tours, plan, show_names) for name, tours in _by_coach(plan)]
    tables.append(_unplanned_table(plan, show_names))
    return write_xlsx(path, tables, footer=PRIVACY_NOTE)


def _by_coach(plan: Plan) -> list[tuple[str, list[Tour]]]:
    """(sheet name, tours) per coach, sheet names unique and valid for Excel."""
    grouped: dict[str, list[Tour]] = {}
    names: dict[str, str] = {}
    for tour in sorted(plan.tours, key=lambda t: (t.coach.name, t.day, t.start)):
        grouped.setdefault(tour.coach.key, []).append(tour)
        names[tour.coach.key] = tour.coach.name
    used: set[str] = {UNPLANNED_SHEET.casefold()}
    result: list[tuple[str, list[Tour]]] = []
    for key, tours in grouped.items():
        base = _SHEET_FORBIDDEN.sub(" ", names[key]).strip("' ")[:31] or key[:31]
        name, counter = base, 2
        while name.casefold() in used:  # Excel compares sheet names without case
            suffix = f" ({counter})"
            name, counter = base[: 31 - len(suffix)] + suffix, counter + 1
        used.add(name.casefold())
        result.append((name, tours))
    return result


def _coach_table(sheet: str, tours: Sequence[Tour], plan: Plan, show_names: bool) -> SheetTable:
    names = ["Name"] if show_names else []
    columns = [
        "Datum", "Tag", "Nr", "Ankunft", "Beginn", "Ende", "Kunden-Nr", *names,
        "Adresse / Treffpunkt", "Ort", "Besuchsort", "Dauer (min)", "Zeitfenster",
        "Fahrzeit (min)", "Strecke (km)", "Telefon", "Hinweise", "Ergebnis",
    ]  # fmt: skip
    rows: list[list[CellValue]] = []
    for tour in tours:
        for number, item in _in_order(tour):
            if isinstance(item, Break):
                start, end = item.start, item.end
                rows.append(
                    [tour.day, WEEKDAYS_DE[tour.day.weekday()], None, clock(start), clock(start),
                     clock(end), "Pause", *([""] if show_names else []), "", "", "",
                     int((end - start).total_seconds() // 60), "", None, None, "", "", ""]
                )  # fmt: skip
                continue
            rows.append(_stop_cells(tour, number or 0, item, show_names))
    van = {t.day for t in tours if t.with_van}
    note = (
        f"{tours[0].coach.name}: {len(tours)} Touren, "
        + (f"mit Beratungsmobil am {', '.join(date_de(d) for d in sorted(van))}. " if van else "")
        + travel_note(plan.travel_is_estimate, plan.travel_model)
    )
    widths = [11, 5, 4, 8, 8, 7, 11, *([22] if show_names else []), 30, 22, 13, 7, 16, 8, 8,
              15, 30, 16]  # fmt: skip
    first_number = columns.index("Dauer (min)")
    formats = {first_number: "0", first_number + 2: "0", first_number + 3: "0.0"}
    return SheetTable(sheet, columns, rows, widths, formats, note, landscape=True)


def _in_order(tour: Tour) -> list[tuple[int | None, Stop | Break]]:
    """(number, visit) in order, breaks (number None) before the first visit after them."""
    pending = sorted(tour.breaks, key=lambda b: b.start)
    items: list[tuple[int | None, Stop | Break]] = []
    for number, stop in enumerate(tour.stops, start=1):
        while pending and pending[0].start <= stop.start:
            items.append((None, pending.pop(0)))
        items.append((number, stop))
    items.extend((None, b) for b in pending)
    return items


def _stop_cells(tour: Tour, number: int, stop: Stop, show_names: bool) -> list[CellValue]:
    client, site = stop.visit.client, stop.visit.site
    where = site.meeting_place or (
        f"Beratungsmobil, Standort {stop.visit.stand}" if stop.visit.stand else ""
    )
    village = ", ".join(p for p in (site.ortsteil, site.municipality) if p)
    if site.ortsteil == site.municipality:
        village = site.municipality
    hints = " · ".join(
        p for p in (client.notes, "Priorität hoch" if client.priority == 1 else "") if p
    )
    return [
        tour.day, WEEKDAYS_DE[tour.day.weekday()], number, clock(stop.arrival),
        clock(stop.start), clock(stop.end), client.id,
        *([client.name] if show_names else []),
        where or client.address.one_line(), village, client.visit_place.value,
        stop.visit.duration_min, stop.window, stop.travel_min,
        round(stop.distance_m / 1000, 1), client.phone, hints, "",
    ]  # fmt: skip


def _unplanned_table(plan: Plan, show_names: bool) -> SheetTable:
    names = ["Name"] if show_names else []
    columns = ["Kunden-Nr", *names, "Zeile", "Adresse", "Ort", "Region", "Grund", "Grund-Code"]
    rows: list[list[CellValue]] = []
    for item in sorted(plan.unplanned, key=lambda u: (u.row is None, u.row or 0, u.client_id)):
        site = item.site
        village = ""
        if site is not None:
            village = site.municipality
            if site.ortsteil and site.ortsteil != site.municipality:
                village = f"{site.ortsteil}, {site.municipality}"
        rows.append(
            [item.client_id or "–", *([unplanned_name(item)] if show_names else []), item.row,
             unplanned_address(item).one_line(), village, site.region if site else "",
             item.reason, item.code.value]
        )  # fmt: skip
    widths = [11, *([22] if show_names else []), 6, 32, 24, 12, 70, 18]
    note = f"{len(rows)} Personen nicht eingeplant; der Grund steht je Zeile (wie in plan.csv)."
    return SheetTable(UNPLANNED_SHEET, columns, rows, widths, {}, note, landscape=True)
