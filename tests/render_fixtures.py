"""A small hand-built plan for the render tests (all persons fictional).

Two coaches, two days, four tours (one with the Beratungsmobil, one with a break),
two clients that are not planned (one with and one without a position), and hostile
text in client fields to check that every output escapes it.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from planner.model import (
    Address,
    Break,
    Client,
    Coach,
    Office,
    Plan,
    Precision,
    Site,
    Stop,
    Tour,
    Unplanned,
    Visit,
    VisitPlace,
)
from planner.reasons import Reason

MONDAY = date(2026, 11, 30)
TUESDAY = date(2026, 12, 1)

WETZLAR = Office("wetzlar", "Jobcenter Wetzlar", 50.5540, 8.5030, "Bahnhofstraße 1, 35576 Wetzlar")
DILLENBURG = Office(
    "dillenburg", "Jobcenter Dillenburg", 50.7405, 8.2860, "Am Markt 2, 35683 Dillenburg"
)

_WEEK = tuple((d, 8 * 60, 16 * 60 + 30) for d in range(5))
COACH_A = Coach("coach-a", "Anna Becker", "wetzlar", "wetzlar", _WEEK, drives_van=True)
COACH_B = Coach("coach-b", "Jonas Weber", "dillenburg", "dillenburg", _WEEK)

#: Text a client list might carry, on purpose or by accident.
SCRIPT_NOTE = "<script>alert(1)</script> Hund im Hof"
TEMPLATE_NOTE = "Klingel `${alert(3)}` defekt"
EVIL_STREET = 'Hauptstraße 3 <img src=x onerror="alert(2)">'
EVIL_NAME = "Zorana <b>Quellwitz</b>"

#: Names must never appear in an output unless ``show_names`` is set.
NAMES = (
    "Erwin Blaufelder",
    EVIL_NAME,
    "Hedwig Sonnenkamp",
    "Malte Ruhwedel",
    "Ilka Tannhauser",
    "Piotr Wendeler",
    "Greta Lindqvist-Amsel",
    "Bodo Kranichfeld",
    "Selin Aydemir-Rott",
    "Ulf Morgenthal",
    "Nora Brückenthal",
    "Kemal Ostwaldt",
    "Rita Feldhainer",
    "Timo Schlehdorn",
)


def _site(
    lat: float,
    lon: float,
    municipality: str,
    ortsteil: str,
    region: str,
    precision: Precision = Precision.ORTSTEIL,
) -> Site:
    return Site(lat, lon, municipality, "06532000", ortsteil, precision, region)


def _client(
    n: int,
    street: str,
    postcode: str,
    place: str,
    *,
    place_kind: VisitPlace = VisitPlace.HOME,
    notes: str = "",
    phone: str = "",
    priority: int = 2,
    duration: int | None = 60,
) -> Client:
    return Client(
        id=f"K-{1000 + n}",
        row=n + 1,
        address=Address(street=street, postcode=postcode, place=place),
        name=NAMES[n - 1],
        phone=phone,
        priority=priority,
        visit_place=place_kind,
        duration_min=duration,
        notes=notes,
    )


def _tour(
    coach: Coach,
    day: date,
    office: Office,
    start_min: int,
    legs: list[tuple[Client, Site, int, int, str]],
    *,
    van: bool = False,
    break_after: int | None = None,
    back: tuple[int, int] = (20, 15_000),
) -> Tour:
    """Chain the stops: each leg is (client, site, travel_min, distance_m, window)."""
    clock = datetime.combine(day, datetime.min.time()) + timedelta(minutes=start_min)
    tour_start = clock
    stops: list[Stop] = []
    breaks: list[Break] = []
    for index, (client, site, travel, dist, window) in enumerate(legs):
        arrival = clock + timedelta(minutes=travel)
        start = arrival + timedelta(minutes=10 if index == 1 else 0)  # one short wait
        duration = client.duration_min or 60
        end = start + timedelta(minutes=duration)
        stops.append(Stop(Visit(client, site, duration), arrival, start, end, travel, dist, window))
        clock = end
        if break_after == index:
            breaks.append(Break(clock, clock + timedelta(minutes=30)))
            clock += timedelta(minutes=30)
    end = clock + timedelta(minutes=back[0])
    return Tour(
        coach=coach,
        day=day,
        with_van=van,
        start_office=office,
        end_office=office,
        start=tour_start,
        end=end,
        stops=tuple(stops),
        breaks=tuple(breaks),
        driving_min=sum(s.travel_min for s in stops) + back[0],
        distance_m=sum(s.distance_m for s in stops) + back[1],
        return_travel_min=back[0],
        return_distance_m=back[1],
    )


def make_plan() -> Plan:
    """The fixture plan (deterministic)."""
    c = [
        _client(
            1,
            "Am Kirchberg 4",
            "35619",
            "Braunfels",
            place_kind=VisitPlace.VAN,
            phone="06442 1234",
            priority=1,
        ),
        _client(2, EVIL_STREET, "35619", "Braunfels", place_kind=VisitPlace.VAN, notes=SCRIPT_NOTE),
        _client(3, "Marktplatz 1", "35638", "Leun", place_kind=VisitPlace.VAN),
        _client(4, "Lindenweg 12", "35614", "Aßlar", phone="+49 6441 55555", notes=TEMPLATE_NOTE),
        _client(
            5,
            "Café Rosengarten, Bahnhofstraße 8",
            "35630",
            "Ehringshausen",
            place_kind=VisitPlace.CAFE,
            duration=45,
        ),
        _client(6, "Gießener Straße 30", "35625", "Hüttenberg", priority=3),
        _client(7, "Schlossberg 2", "35745", "Herborn", notes="Bitte vorher anrufen"),
        _client(8, "Wiesenstraße 5", "35764", "Sinn", place_kind=VisitPlace.CAFE),
        _client(9, "Bahnhofstraße 20", "35708", "Haiger"),
        _client(10, "Hauptstraße 44", "35713", "Eschenburg"),
        _client(11, "Hauptstraße 46", "35713", "Eschenburg", duration=None),
        _client(12, "Am Hang 3", "35716", "Dietzhölztal"),
    ]
    s = [
        _site(50.5152, 8.3901, "Braunfels", "Braunfels", "Süd", Precision.STREET),
        _site(50.5236, 8.4089, "Braunfels", "Tiefenbach", "Süd"),
        _site(50.5516, 8.3586, "Leun", "Leun", "Süd", Precision.MANUAL),
        _site(50.5928, 8.4649, "Aßlar", "Aßlar", "Süd", Precision.STREET),
        _site(50.6050, 8.3830, "Ehringshausen", "Ehringshausen", "Mitte"),
        _site(50.5157, 8.5755, "Hüttenberg", "Rechtenbach", "Süd", Precision.MUNICIPALITY),
        _site(50.6814, 8.3035, "Herborn", "Herborn", "Mitte", Precision.STREET),
        _site(50.6486, 8.3330, "Sinn", "Sinn", "Mitte"),
        _site(50.7430, 8.2045, "Haiger", "Haiger", "Nord"),
        # two clients in the same Ortsteil share one (approximate) position
        _site(50.8147, 8.3410, "Eschenburg", "Eibelshausen", "Nord"),
        _site(50.8147, 8.3410, "Eschenburg", "Eibelshausen", "Nord"),
        _site(50.8533, 8.3110, "Dietzhölztal", "Ewersbach", "Nord"),
    ]
    tours = (
        _tour(
            COACH_A,
            MONDAY,
            WETZLAR,
            8 * 60,
            [
                (c[0], s[0], 25, 19_400, "09:00-12:00"),
                (c[1], s[1], 8, 3_100, ""),
                (c[2], s[2], 12, 7_900, "Termin 11:45"),
            ],
            van=True,
            back=(22, 16_800),
        ),
        _tour(
            COACH_A,
            TUESDAY,
            WETZLAR,
            8 * 60,
            [
                (c[3], s[3], 12, 6_800, "Di 08:00-12:00"),
                (c[4], s[4], 14, 8_200, ""),
                (c[5], s[5], 30, 21_300, "Di 13:00-16:00"),
            ],
            break_after=1,
            back=(15, 9_800),
        ),
        _tour(
            COACH_B,
            MONDAY,
            DILLENBURG,
            8 * 60 + 30,
            [
                (c[6], s[6], 15, 9_900, ""),
                (c[7], s[7], 9, 5_100, "Mo 09:00-13:00"),
                (c[8], s[8], 24, 17_200, ""),
            ],
            back=(12, 7_000),
        ),
        _tour(
            COACH_B,
            TUESDAY,
            DILLENBURG,
            8 * 60,
            [
                (c[9], s[9], 18, 13_000, ""),
                (c[10], s[10], 3, 300, ""),
                (c[11], s[11], 10, 6_400, ""),
            ],
            back=(25, 18_900),
        ),
    )
    unplanned = (
        Unplanned(
            client_id="K-1013",
            row=14,
            reason="Kein passendes Zeitfenster im Planungszeitraum",
            code=Reason.NO_MATCHING_DAY,
            client=_client(13, "Turmstraße 7", "35753", "Greifenstein", priority=1),
            site=_site(50.6160, 8.3100, "Greifenstein", "Greifenstein", "Mitte"),
        ),
        Unplanned(
            client_id="K-1014",
            row=15,
            reason="Adresse nicht gefunden: Ort „Xyzdorf“ liegt nicht im Lahn-Dill-Kreis",
            code=Reason.ADDRESS,
            name=NAMES[13],
            address=Address(street="Nirgendweg 1", place="Xyzdorf"),
        ),
    )
    return Plan(
        start=MONDAY,
        days=2,
        tours=tours,
        unplanned=unplanned,
        travel_model="Schätzung (Luftlinie × 1,35)",
        travel_is_estimate=True,
        solve_seconds=2.5,
        stop_reason="Zeitlimit erreicht",
    )


def all_client_ids(plan: Plan) -> list[str]:
    return [s.visit.client.id for t in plan.tours for s in t.stops] + [
        u.client_id for u in plan.unplanned
    ]


def _box(south: float, west: float, north: float, east: float) -> dict[str, Any]:
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def make_boundary() -> dict[str, Any]:
    """A simplified district outline (FeatureCollection)."""
    outline = {
        "type": "Polygon",
        "coordinates": [
            [
                [8.12, 50.62],
                [8.20, 50.78],
                [8.30, 50.88],
                [8.40, 50.86],
                [8.42, 50.75],
                [8.55, 50.66],
                [8.62, 50.52],
                [8.52, 50.46],
                [8.36, 50.47],
                [8.25, 50.55],
                [8.12, 50.62],
            ]
        ],
    }
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"name": "Lahn-Dill-Kreis"}, "geometry": outline},
        ],
    }


def make_region_outlines() -> dict[str, dict[str, Any]]:
    """Three rough regions; one name carries markup on purpose."""
    return {
        "Nord": _box(50.70, 8.12, 50.88, 8.45),
        "Mitte": _box(50.60, 8.12, 50.70, 8.55),
        "Süd <i>West</i>": _box(50.46, 8.25, 50.60, 8.62),
    }


SHARED_GEODATA = Path("/work/shared/data/lahn-dill")


def real_place_labels() -> dict[str, tuple[float, float]] | None:
    """Municipality names at their main village (shared data), for the screenshot."""
    table = SHARED_GEODATA / "municipalities.csv"
    if not table.exists():
        return None
    import csv

    with table.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return {r["name"]: (float(r["destatis_lat"]), float(r["destatis_lon"])) for r in rows}


def real_geodata() -> tuple[dict[str, Any], dict[str, dict[str, Any]]] | None:
    """The real district and three regions from the shared data, when available.

    Used for the documentation screenshot only; tests stay independent of it.
    """
    district = SHARED_GEODATA / "lahn_dill_kreis.geojson"
    towns = SHARED_GEODATA / "gemeinden.geojson"
    if not (district.exists() and towns.exists()):
        return None
    from shapely.geometry import mapping, shape
    from shapely.ops import unary_union

    regions = {
        "Nord": ("Haiger", "Dillenburg", "Eschenburg", "Dietzhölztal", "Breitscheid", "Siegbach"),
        "Mitte": (
            "Herborn",
            "Sinn",
            "Mittenaar",
            "Driedorf",
            "Greifenstein",
            "Ehringshausen",
            "Bischoffen",
            "Hohenahr",
            "Aßlar",
        ),
        "Süd": (
            "Wetzlar",
            "Braunfels",
            "Leun",
            "Solms",
            "Schöffengrund",
            "Lahnau",
            "Hüttenberg",
            "Waldsolms",
        ),
    }
    features = json.loads(towns.read_text(encoding="utf-8"))["features"]
    by_name = {f["properties"]["name"]: shape(f["geometry"]) for f in features}
    outlines = {
        region: dict(mapping(unary_union([by_name[n] for n in names if n in by_name])))
        for region, names in regions.items()
    }
    return json.loads(district.read_text(encoding="utf-8")), outlines


# --------------------------------------------------------------------------- checks


class _Refs(HTMLParser):
    """Collects every URL-bearing attribute and every tag name of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[tuple[str, str, str]] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            if name in {"src", "href", "srcset", "data", "action", "poster"} and value is not None:
                self.urls.append((tag, name, value))


def page_refs(html: str) -> _Refs:
    parser = _Refs()
    parser.feed(html)
    parser.close()
    return parser


def remote_urls(html: str) -> list[str]:
    """URLs in attributes that point outside the file (http, https, protocol-relative)."""
    return [
        v
        for _t, _n, v in page_refs(html).urls
        if v.strip().lower().startswith(("http:", "https:", "//", "ftp:"))
    ]
