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
#: Half of it is spent in OR-Tools' guided local search, then 1.25 ruin-and-recreate
#: iterations per solution (planner.solve.strategy.Effort; numbers in
#: docs/engines.md and docs/benchmarks.md).
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
#: Figures for groups of fewer people are not shown in the status report ("< 5"): in a
#: small village a number of 1 to 4 points at individuals.
MIN_GROUP_SIZE = 5

# --------------------------------------------------------------------------- roads (OpenStreetMap)
# Optional: with an OpenStreetMap extract prepared by ``planner roads import`` driving
# times come from the road network (OSRM, car profile) and addresses resolve to the
# house. Nothing here is used unless the user points the planner at such a folder.

#: The area kept from a larger extract: the district plus this margin (km). Trips to
#: offices and clients near the border use roads just outside the district (B 277,
#: A 45 via Gießen, Westerwald), and 10 km covers every detour a coach would drive.
ROADS_CLIP_MARGIN_KM = 10.0
#: Folder ``planner roads import`` writes to when ``--into`` is not given.
ROADS_DEFAULT_DIR = Path("strassen")
#: A point farther than this (m) from the nearest road is not covered by the road data:
#: planning stops with a German error instead of routing from a road 30 km away.
ROADS_MAX_SNAP_M = 2_000.0
#: Snap distances (m) above this are listed by ``planner roads matrix`` as worth a look
#: (a farm track, a wrong coordinate).
ROADS_SNAP_WARN_M = 250.0
#: Road classes of the map's offline "Hauptstraßen" layer (OSM ``highway=*``).
MAIN_ROAD_CLASSES: tuple[str, ...] = (
    "motorway", "trunk", "primary", "secondary", "tertiary",
    "motorway_link", "trunk_link", "primary_link", "secondary_link",
)  # fmt: skip
#: Simplification of that layer (m): invisible at district zoom, keeps the map small.
MAIN_ROADS_SIMPLIFY_M = 12.0
#: Simplification of drawn road legs (m): a coach reads the route, not the kerb.
ROUTE_SIMPLIFY_M = 3.0

# --------------------------------------------------------------------------- house-number addresses

#: Least rapidfuzz similarity (0–100) for a misspelt street name to count as that street.
#: 88 accepts one wrong letter in a ten-letter name ("Hauptsrtaße") but not a different
#: street of the same village ("Bergstraße" vs "Burgstraße" scores 90, so the exact
#: spelling always wins first, see planner.geocode.osm_addresses).
STREET_MATCH_MIN_SCORE = 88.0
#: How far (m) a street may lie from the village point the place name gave. Ortsteile of
#: the district are 1–3 km across; 4 km keeps a long Hauptstraße but not the next village's.
STREET_SEARCH_ORTSTEIL_M = 4_000.0
#: The same when only the municipality is known (Wetzlar, Haiger: ≈ 8 km from the centre
#: to the farthest houses).
STREET_SEARCH_MUNICIPALITY_M = 12_000.0
#: Ways with one street name closer than this (m) are one street; farther apart they are
#: namesakes in different villages.
STREET_SAME_NAME_JOIN_M = 250.0
#: A missing house number is interpolated only between known numbers at most this far
#: apart (m); farther, the street midpoint is more honest.
HOUSE_INTERPOLATION_MAX_M = 600.0

# --------------------------------------------------------------------------- own servers (opt-in)
# Only used when the team file names them in ``[server]``; never a public server.

#: Hosts refused even when configured: their usage policies forbid this use and every
#: request would send a client's address or position to a third party.
PUBLIC_SERVER_HOSTS: tuple[str, ...] = (
    "nominatim.openstreetmap.org", "router.project-osrm.org", "routing.openstreetmap.de",
    "photon.komoot.io", "api.openrouteservice.org",
)  # fmt: skip
#: Default least interval between two requests to one server (s): 1 s is Nominatim's own rule.
SERVER_MIN_INTERVAL_S = 1.0
#: Timeout of one request (s).
SERVER_TIMEOUT_S = 15.0
#: Local answer cache of the servers, next to the team file unless ``cache`` says otherwise.
SERVER_CACHE_FILE = "server-cache.sqlite"
#: Largest number of points in one OSRM HTTP table request (osrm-routed's default limit).
SERVER_OSRM_TABLE_MAX = 100
