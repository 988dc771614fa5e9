"""Documented global settings and named constants.

Everything a user may want to tune but that does not belong to one team lives here
(team-specific values live in the team TOML file, see ``planner.intake.team``).
"""

from __future__ import annotations

from pathlib import Path

# --------------------------------------------------------------------------- paths

PACKAGE_DIR = Path(__file__).resolve().parent
#: Embedded data derived from ``../shared/data/lahn-dill`` by ``scripts/build_geodata.py``.
GEODATA_DIR = PACKAGE_DIR / "resources" / "geo"
#: Where ``planner demo`` reads its fictional client list and team.
DEMO_DIR = PACKAGE_DIR / "resources" / "demo"

# --------------------------------------------------------------------------- geodata

#: Attribution shown on every map and in the data README.
ATTRIBUTION = (
    "Ortsdaten © OpenStreetMap-Mitwirkende (ODbL); Grenzen © GeoBasis-DE / BKG; "
    "Gemeindedaten © Statistisches Bundesamt (Destatis), dl-de/by-2-0; "
    "einzelne Punkte GeoNames (CC BY 4.0)"
)

# --------------------------------------------------------------------------- regions

#: The default grouping of the 23 municipalities (reasons in :mod:`planner.regions`); a
#: team file may replace it with ``[regionen]``. Here, not in the regions stage, because
#: the team file (intake) checks region names against it.
DEFAULT_REGIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "Dill-Nord",
        ("Haiger", "Dietzhölztal", "Eschenburg", "Dillenburg", "Siegbach", "Breitscheid"),
    ),
    (
        "Dill-Mitte",
        (
            "Herborn",
            "Sinn",
            "Driedorf",
            "Mittenaar",
            "Greifenstein",
            "Ehringshausen",
            "Bischoffen",
            "Hohenahr",
        ),
    ),
    (
        "Lahn-Süd",
        (
            "Wetzlar",
            "Aßlar",
            "Solms",
            "Braunfels",
            "Leun",
            "Lahnau",
            "Hüttenberg",
            "Schöffengrund",
            "Waldsolms",
        ),
    ),
)

# --------------------------------------------------------------------------- travel-time estimate
# The offline default: no road network, so driving is estimated from the great-circle
# distance. Values are deliberately conservative for a hilly rural district where most
# trips run on winding county roads (K/L roads) through villages.

#: Road distance ≈ great-circle distance × this factor. 1.3–1.4 is typical for German
#: rural road networks; the Lahn-Dill valleys (Dill, Aar, Lahn) force detours, hence 1.35.
DETOUR_FACTOR = 1.35
#: Average speed on very short trips (inside a village or town, parking included).
SPEED_SHORT_KMH = 25.0
#: Average speed on long trips (Bundesstraße / A45 share grows with distance).
SPEED_LONG_KMH = 65.0
#: Road distance (km) at which the long-trip speed is reached; speed rises linearly below.
SPEED_RAMP_KM = 30.0
#: Fixed minutes per trip for walking to the car, parking and finding the door.
TRIP_OVERHEAD_MIN = 3.0

# --------------------------------------------------------------------------- solving

#: Drop penalty per priority (1 hoch … 3 niedrig), in cost units (seconds of driving).
#: Far above any detour so nobody is left out just to save driving.
PRIORITY_PENALTY = {1: 1_000_000, 2: 500_000, 3: 250_000}
#: Extra drop penalty for a fixed appointment: it was agreed with the person, so it is
#: kept unless it is impossible (it outranks every priority).
APPOINTMENT_PENALTY = 5_000_000
#: Extra drop penalty per day since the last contact, capped at ``WAIT_CAP_DAYS``.
WAIT_PENALTY_PER_DAY = 500
WAIT_CAP_DAYS = 730
#: Days assumed when ``Letzter Kontakt`` is empty (never reached: treat as long waiting).
WAIT_UNKNOWN_DAYS = 365
#: Fixed cost of using a coach-day at all (cost units = seconds of driving). Favours fewer,
#: fuller days over many half-empty ones, leaving whole days free for office work and calls.
TOUR_FIXED_COST_S = 1800
#: Extra cost (seconds of driving) of a visit outside the region a coach-day is tied to
#: as a preference (``regionstage``): such visits move to other days when they can.
REGION_DAY_PREFERENCE_S = 1200
#: Over-subscribed lists: route only this many times the estimated visit capacity of the
#: horizon (front of the priority/waiting queue); the rest is reported as "not enough time".
SHORTLIST_FACTOR = 1.6
#: Driving minutes per visit assumed by that estimate (low on purpose: keeps more).
SHORTLIST_TRAVEL_MIN = 10
#: Default search budget of ``planner plan`` (seconds of wall time, a safety net) and the
#: deterministic budget (number of solutions) that actually stops the search.
DEFAULT_TIME_LIMIT_S = 60.0
#: Counted in OR-Tools' guided local search; on weeks up to 250 routed visits a tenth of
#: it buys ruin-and-recreate iterations after it (planner.solve.strategy.solve_recreate;
#: numbers in docs/engines.md and docs/benchmarks.md).
DEFAULT_SOLUTION_LIMIT = 200

# --------------------------------------------------------------------------- campaign store

#: Environment variable naming the campaign database (path of a SQLite file, or a
#: ``postgresql+psycopg://…`` URL for a team sharing a server); ``--db`` overrides it.
DB_ENV = "PLANNER_DB"
#: The database when neither ``--db`` nor ``PLANNER_DB`` says otherwise: a SQLite file
#: in the current folder (nothing leaves the machine).
DEFAULT_DB = "kampagne.db"
#: Failed calls before the announcement letter (rules in planner.campaign.rules).
FAILED_CALLS_BEFORE_LETTER = 3
#: Days the letter needs before the announced visit.
LETTER_DAYS_BEFORE_VISIT = 5
#: Closed cases lose their personal fields after this many days (``planner purge``);
#: Kunden-Nr, municipality, dates and outcome codes stay for the statistics.
DELETION_AFTER_DAYS = 730
