"""The plan as a spreadsheet (CSV for German Excel) and as a short German text summary."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

from planner.fairness import FAIR_TOLERANCE, shares
from planner.model import WEEKDAYS_DE, Plan, Stop, Tour, Unplanned
from planner.reasons import Reason
from planner.render._format import (
    clock,
    date_de,
    date_short_de,
    decimal_de,
    km_de,
    minutes_de,
    travel_note,
    unplanned_address,
    unplanned_name,
    yes_no,
)
from planner.tabular import write_csv

COLUMNS: tuple[str, ...] = (
    "status",
    "datum",
    "wochentag",
    "coach",
    "beratungsmobil",
    "nr",
    "ankunft",
    "beginn",
    "ende",
    "kunden_nr",
    "name",
    "adresse",
    "ortsteil",
    "gemeinde",
    "region",
    "lat",
    "lon",
    "genauigkeit",
    "besuchsort",
    "dauer_min",
    "zeitfenster",
    "fahrzeit_min",
    "strecke_km",
    "fahrzeit_art",
    "prioritaet",
    "telefon",
    "grund",
    "grund_code",
    "treffpunkt",  # Besuchsort Café: where the visit is (also in ``adresse`` then)
)
#: Reasons that mean "more people than time": then the fair-load rule applies.
_NOT_ENOUGH_TIME = frozenset({Reason.CAPACITY, Reason.LIST_TOO_LONG})
#: Reasons with at most this many people list their Kunden-Nr in the summary.
_NAMED_UP_TO = 3
PLANNED = "geplant"
NOT_PLANNED = "nicht_geplant"


# --------------------------------------------------------------------------- CSV


def write_plan_csv(plan: Plan, path: Path, *, show_names: bool = False) -> Path:
    """Write one row per stop and per unplanned client; UTF-8 with BOM, ``;``-separated.

    Numbers use a decimal comma so German Excel reads them as numbers; every cell is
    formula-safe (:func:`planner.tabular.defuse`).
    """
    return write_csv(path, COLUMNS, plan_rows(plan, show_names=show_names))


def plan_rows(plan: Plan, *, show_names: bool = False) -> Iterator[dict[str, str]]:
    """The CSV rows as dicts (all values strings), planned visits first."""
    for tour in sorted(plan.tours, key=lambda t: (t.day, t.coach.name, t.start)):
        for number, stop in enumerate(tour.stops, start=1):
            row = _stop_row(tour, number, stop, show_names=show_names)
            # Every output says whether driving figures are estimates (no road network).
            row["fahrzeit_art"] = "geschätzt" if plan.travel_is_estimate else "Straße"
            yield row
    for item in sorted(plan.unplanned, key=lambda u: (u.row is None, u.row or 0, u.client_id)):
        yield _unplanned_row(item, show_names=show_names)


def _stop_row(tour: Tour, number: int, stop: Stop, *, show_names: bool) -> dict[str, str]:
    client, site = stop.visit.client, stop.visit.site
    return {
        "status": PLANNED,
        "datum": date_de(tour.day),
        "wochentag": WEEKDAYS_DE[tour.day.weekday()],
        "coach": tour.coach.name,
        "beratungsmobil": yes_no(tour.with_van),
        "nr": str(number),
        "ankunft": clock(stop.arrival),
        "beginn": clock(stop.start),
        "ende": clock(stop.end),
        "kunden_nr": client.id,
        "name": client.name if show_names else "",
        # The visit is at the meeting place or the van's stand, not at home.
        "adresse": _meeting(stop) or client.address.one_line(),
        "ortsteil": site.ortsteil,
        "gemeinde": site.municipality,
        "region": site.region,
        "lat": decimal_de(site.lat, 5),
        "lon": decimal_de(site.lon, 5),
        "genauigkeit": site.precision.value,
        "besuchsort": client.visit_place.value,
        "dauer_min": str(stop.visit.duration_min),
        "zeitfenster": stop.window,
        "fahrzeit_min": str(stop.travel_min),
        "strecke_km": decimal_de(stop.distance_m / 1000),
        "fahrzeit_art": "",
        "prioritaet": str(client.priority),
        "telefon": client.phone,
        "grund": "",
        "treffpunkt": _meeting(stop),
    }


def _meeting(stop: Stop) -> str:
    """Where the person meets the coach when it is not at home."""
    if stop.visit.site.meeting_place:
        return stop.visit.site.meeting_place
    return f"Beratungsmobil, Standort {stop.visit.stand}" if stop.visit.stand else ""


def _unplanned_row(item: Unplanned, *, show_names: bool) -> dict[str, str]:
    client, site = item.client, item.site
    row = dict.fromkeys(COLUMNS, "")
    row.update(
        status=NOT_PLANNED,
        kunden_nr=item.client_id,
        name=unplanned_name(item) if show_names else "",
        adresse=unplanned_address(item).one_line(),
        grund=item.reason,
        grund_code=item.code.value,
    )
    if site is not None:
        row.update(
            ortsteil=site.ortsteil,
            gemeinde=site.municipality,
            region=site.region,
            lat=decimal_de(site.lat, 5),
            lon=decimal_de(site.lon, 5),
            genauigkeit=site.precision.value,
            treffpunkt=site.meeting_place,
        )
    if client is not None:
        row.update(
            besuchsort=client.visit_place.value,
            dauer_min=str(client.duration_min) if client.duration_min else "",
            prioritaet=str(client.priority),
            telefon=client.phone,
        )
    return row


# --------------------------------------------------------------------------- summary


def write_summary(plan: Plan) -> str:
    """A German plain-text summary for the terminal and ``summary.txt``."""
    lines: list[str] = []
    days = sorted({t.day for t in plan.tours})
    period = (
        f"{date_de(days[0])} – {date_de(days[-1])}"
        if len(days) > 1
        else date_de(days[0])
        if days
        else date_de(plan.start)
    )
    total = plan.planned_count + len(plan.unplanned)
    lines.append(f"Tourenplan Beratung Mobil, {period}")
    lines.append(
        f"{plan.planned_count} von {total} Kundinnen und Kunden eingeplant, "
        f"{len(plan.unplanned)} nicht eingeplant, {len(plan.tours)} Touren."
    )
    estimate = " (geschätzt)" if plan.travel_is_estimate else ""
    lines.append("")
    lines.append("Touren")
    if not plan.tours:
        lines.append("  keine")
    for tour in sorted(plan.tours, key=lambda t: (t.day, t.coach.name, t.start)):
        van = ", Beratungsmobil" if tour.with_van else ""
        breaks = sum(int((b.end - b.start).total_seconds() // 60) for b in tour.breaks)
        pause = f", Pause {minutes_de(breaks)}" if breaks else ""
        lines.append(
            f"  {date_short_de(tour.day)} {tour.coach.name}{van}: {len(tour.stops)} Besuche, "
            f"{clock(tour.start)}–{clock(tour.end)}, Fahrzeit {minutes_de(tour.driving_min)}"
            f"{estimate}, {km_de(tour.distance_m)}{pause}{_region_day(tour)}"
        )
    for name, (visits, driving) in _per_coach(plan).items():
        lines.append(f"  Summe {name}: {visits} Besuche, Fahrzeit {minutes_de(driving)}{estimate}")
    lines += _fair_load(plan)

    if plan.notes:
        lines.append("")
        lines.append("Hinweise")
        lines += [f"  {note}" for note in plan.notes]

    if plan.days_off:
        lines.append("")
        lines.append("Tage ohne Tour")
        for off in plan.days_off:
            day = f"{WEEKDAYS_DE[off.day.weekday()]} {date_de(off.day)}"
            who = f" {off.coach.name}" if off.coach is not None else ""
            lines.append(f"  {day}{who}: {off.reason}")

    lines.append("")
    lines.append("Regionen (eingeplant / nicht eingeplant)")
    regions = _per_region(plan)
    if not regions:
        lines.append("  keine")
    for region, (planned, unplanned) in regions.items():
        lines.append(f"  {region}: {planned} / {unplanned}")

    if plan.unplanned:
        lines.append("")
        lines.append("Nicht eingeplant nach Grund (Einzelheiten je Person in plan.csv)")
        by_code: dict[Reason, list[str]] = defaultdict(list)
        for item in plan.unplanned:
            by_code[item.code].append(item.client_id or f"Zeile {item.row}")
        for code, ids in sorted(by_code.items(), key=lambda kv: (-len(kv[1]), kv[0].label)):
            who = f" ({', '.join(ids)})" if len(ids) <= _NAMED_UP_TO else ""
            lines.append(f"  {len(ids)} × {code.label}{who}")

    lines.append("")
    lines.append(travel_note(plan.travel_is_estimate, plan.travel_model))
    if plan.stop_reason:
        lines.append(f"Planung beendet: {plan.stop_reason} ({decimal_de(plan.solve_seconds)} s)")
    return "\n".join(lines) + "\n"


def _region_day(tour: Tour) -> str:
    """', Regionstag Dill-Nord: 5 von 6 Besuchen dort' for a day of the weekly frame."""
    region = tour.coach.region_on(tour.day.weekday())
    if region is None:
        return ""
    inside = sum(1 for stop in tour.stops if stop.visit.site.region == region)
    return f", Regionstag {region}: {inside} von {len(tour.stops)} Besuchen dort"


def _fair_load(plan: Plan) -> list[str]:
    """Each coach's visit time against their working time, and whether the load is fair."""
    parts = shares(plan.loads)
    if not parts:
        return []
    lines = ["", "Auslastung je Coach (Besuchszeit ohne Fahrten / Arbeitszeit)"]
    for part in parts:
        load = part.load
        lines.append(
            f"  {load.coach.name}: {minutes_de(load.visit_min)} von "
            f"{minutes_de(load.working_min)} ({100 * load.visit_min / load.working_min:.0f} %); "
            f"Anteil an allen Besuchen {100 * part.share:.0f} %, "
            f"Soll nach Arbeitszeit {100 * part.target:.0f} %"
        )
    oversubscribed = any(u.code in _NOT_ENOUGH_TIME for u in plan.unplanned)
    tolerance = f"±{100 * FAIR_TOLERANCE:.0f} %"
    if not oversubscribed:
        lines.append(
            "  Alle einplanbaren Personen haben Platz: die Anteile dürfen vom Soll abweichen "
            "(lieber volle Tage als viele halbe)."
        )
    elif all(part.fair for part in parts):
        lines.append(
            f"  Mehr Anfragen als Zeit: jeder Anteil liegt innerhalb {tolerance} vom Soll."
        )
    else:
        off = ", ".join(
            f"{p.load.coach.name} ({100 * p.share:.0f} % statt {100 * p.target:.0f} %)"
            for p in parts
            if not p.fair
        )
        lines.append(f"  Mehr Anfragen als Zeit, aber außerhalb {tolerance} vom Soll: {off}.")
    return lines


def _per_coach(plan: Plan) -> dict[str, tuple[int, int]]:
    totals: dict[str, tuple[int, int]] = {}
    for tour in sorted(plan.tours, key=lambda t: t.coach.name):
        visits, driving = totals.get(tour.coach.name, (0, 0))
        totals[tour.coach.name] = (visits + len(tour.stops), driving + tour.driving_min)
    return totals


def _per_region(plan: Plan) -> dict[str, tuple[int, int]]:
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for tour in plan.tours:
        for stop in tour.stops:
            counts[stop.visit.site.region or "ohne Region"][0] += 1
    for item in plan.unplanned:
        region = item.site.region if item.site is not None else ""
        counts[region or ("ohne Region" if item.site else "ohne Ort")][1] += 1
    return {region: (p, u) for region, (p, u) in sorted(counts.items())}
