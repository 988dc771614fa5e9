"""Generated, realistic Lahn-Dill client lists and teams for the quality benchmark.

Pure and deterministic: the same ``(n_clients, seed)`` always gives the same rows (only
``random.Random(seed)`` is used, never the clock or ``hash``). Clients live in the
district's real villages (``planner.geodata.places()``); a municipality is drawn with
probability proportional to its population, then one of its places uniformly. The rows
use the German columns of the demo list, so they go through the planner's own intake.

Mix per client (independent draws):

- restriction: 65 % none, 27 % weekly availability windows, 8 % a fixed appointment in
  the week Mon 30.11.2026 – Fri 04.12.2026 between 08:30 and 15:00 on the half hour;
- place: 80 % at home, 10 % café, 10 % in the counselling van (Beratungsmobil);
- duration 45 / 60 / 90 min (10 % blank: the team's default of 60 min);
- priority 1 / 2 / 3 (25 / 50 / 25 %), last contact 30 – 1,000 days before the week.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from planner import geodata
from planner.intake import parse_team
from planner.model import Team

WEEK_START = date(2026, 11, 30)  # Monday
WEEK_DAYS = 5

HEADER: tuple[str, ...] = (
    "Kunden-Nr",
    "Straße",
    "PLZ",
    "Ort",
    "Ortsteil",
    "Priorität",
    "Letzter Kontakt",
    "Besuchsort",
    "Verfügbarkeit",
    "Termin",
    "Dauer (min)",
)

# Availability texts as case workers type them (each parses with the planner's grammar).
AVAILABILITY: tuple[str, ...] = (
    "Mo-Fr 09:00-12:00",
    "Di,Do 14:00-17:00",
    "Mo-Fr 08:00-16:00",
    "Mo, Mi 10-13",
    "Mo-Fr vormittags",
    "Di 13:00-16:00; Fr 09:00-11:00",
    "Mi-Fr 9-15",
    "Mo-Do nachmittags",
)
STREETS: tuple[str, ...] = (
    "Hauptstraße",
    "Bahnhofstraße",
    "Schulstraße",
    "Lindenweg",
    "Am Sportplatz",
    "Gartenstraße",
    "Bergstraße",
    "Wiesenweg",
    "Kirchgasse",
    "Ringstraße",
    "Am Hang",
    "Talstraße",
)

RESTRICTIONS = (("none", 0.65), ("window", 0.27), ("appointment", 0.08))
PLACES = (("Wohnung", 0.80), ("Café", 0.10), ("Beratungsmobil", 0.10))
DURATIONS = (("45", 0.30), ("60", 0.40), ("90", 0.20), ("", 0.10))
PRIORITIES = (("1", 0.25), ("2", 0.50), ("3", 0.25))
LAST_CONTACT_DAYS = (30, 1000)
# Appointments start 08:30 … 15:00 on the half hour (minutes after midnight).
APPOINTMENT_SLOTS = tuple(range(8 * 60 + 30, 15 * 60 + 1, 30))

OFFICES = (
    ("wetzlar", "Jobcenter Wetzlar", 50.5525, 8.5074),
    ("dillenburg", "Jobcenter Dillenburg", 50.7406, 8.2867),
)
# The three working patterns of the demo team, repeated for larger teams.
HOURS = (
    "Mo-Do 08:00-16:30; Fr 08:00-13:00",
    "Mo-Fr 07:30-16:00",
    "Mo-Mi 08:30-14:30; Do 09:00-16:00",
)


# --------------------------------------------------------------------------- clients


def _pick(rnd: random.Random, table: Sequence[tuple[str, float]]) -> str:
    values = [v for v, _ in table]
    return rnd.choices(values, weights=[w for _, w in table])[0]


@lru_cache(maxsize=1)
def _places_by_municipality() -> tuple[tuple[str, int, tuple[geodata.Place, ...]], ...]:
    """(municipality, population, its places) in gazetteer order (stable)."""
    population = {m.name: m.population for m in geodata.municipalities()}
    grouped: dict[str, list[geodata.Place]] = {}
    for place in geodata.places():
        grouped.setdefault(place.municipality, []).append(place)
    # Without a population figure a municipality weighs as much as it has places.
    return tuple(
        (name, population.get(name) or len(members), tuple(members))
        for name, members in grouped.items()
    )


def _draw_place(rnd: random.Random) -> geodata.Place:
    table = _places_by_municipality()
    _, _, members = rnd.choices(table, weights=[weight for _, weight, _ in table])[0]
    return rnd.choice(members)


def _locality(rnd: random.Random, place: geodata.Place) -> tuple[str, str]:
    """``(Ort, Ortsteil)`` in one of the forms job-centre exports use."""
    municipality = place.municipality
    if place.name == municipality:
        return municipality, ""
    if place.kind == "stadtbezirk_kernstadt":
        # Town quarters ("Altenberger Straße") only ever appear in a separate column.
        return municipality, place.name
    form = rnd.randrange(4)
    if form == 0:
        return f"{municipality}-{place.name}", ""
    if form == 1:
        return f"{municipality} OT {place.name}", ""
    if form == 2:
        return f"{municipality} {place.name}", ""
    return municipality, place.name


def _appointment(rnd: random.Random) -> str:
    day = WEEK_START + timedelta(days=rnd.randrange(WEEK_DAYS))
    minute = rnd.choice(APPOINTMENT_SLOTS)
    return f"{day:%d.%m.%Y} {minute // 60:02d}:{minute % 60:02d}"


def _row(rnd: random.Random, number: int) -> list[str]:
    place = _draw_place(rnd)
    ort, ortsteil = _locality(rnd, place)
    restriction = _pick(rnd, RESTRICTIONS)
    last_contact = WEEK_START - timedelta(days=rnd.randint(*LAST_CONTACT_DAYS))
    cells = {
        "Kunden-Nr": f"LD-{number:05d}",
        "Straße": f"{rnd.choice(STREETS)} {rnd.randint(1, 80)}",
        "PLZ": place.plz,
        "Ort": ort,
        "Ortsteil": ortsteil,
        "Priorität": _pick(rnd, PRIORITIES),
        "Letzter Kontakt": f"{last_contact:%d.%m.%Y}",
        "Besuchsort": _pick(rnd, PLACES),
        "Verfügbarkeit": rnd.choice(AVAILABILITY) if restriction == "window" else "",
        "Termin": _appointment(rnd) if restriction == "appointment" else "",
        "Dauer (min)": _pick(rnd, DURATIONS),
    }
    return [cells[column] for column in HEADER]


def generate_week(n_clients: int, seed: int) -> tuple[list[str], list[list[str]]]:
    """Header and ``n_clients`` rows of cell strings, as a client-list export holds them."""
    rnd = random.Random(seed)
    return list(HEADER), [_row(rnd, i) for i in range(1, n_clients + 1)]


# --------------------------------------------------------------------------- team


def coach_count(n_clients: int) -> int:
    """3 coaches up to 150 clients (the real team size), 6 up to 500, then 1 per 100."""
    if n_clients <= 150:
        return 3
    if n_clients <= 500:
        return 6
    return max(10, math.ceil(n_clients / 100))


def team_data(n_clients: int) -> dict[str, Any]:
    """The team as parsed TOML (German keys, same layout as the demo ``team.toml``).

    Coach ``i`` works from Wetzlar (even ``i``) or Dillenburg (odd ``i``) with the demo's
    working pattern ``i % 3``; two of every three drive the van. With three coaches this is
    the demo team. There is one van whatever the team size, as in the district.
    """
    coaches = [
        {
            "kennung": f"coach-{i + 1:02d}",
            "name": f"Coach {i + 1}",
            "buero": OFFICES[i % 2][0],
            "arbeitszeit": HOURS[i % 3],
            "faehrt_beratungsmobil": i % 3 != 2,
        }
        for i in range(coach_count(n_clients))
    ]
    return {
        "standard_besuchsdauer_min": 60,
        "pause": {"nach_stunden": 6, "minuten": 30, "lang_nach_stunden": 9, "lang_minuten": 45},
        "buero": [
            {"kennung": key, "name": name, "breite": lat, "laenge": lon}
            for key, name, lat, lon in OFFICES
        ],
        "coach": coaches,
        "beratungsmobil": {
            "name": "Beratungsmobil",
            "buero": "wetzlar",
            "ruestzeit_min": 10,
            "tempo_faktor": 1.15,
        },
    }


def generate_team(n_clients: int) -> Team:
    """The team for a week of ``n_clients`` clients, validated by the planner's own parser."""
    return parse_team(team_data(n_clients), "generiert.toml")
