"""A geocoding test set drawn from an OpenStreetMap extract (tests and benchmarks).

Ground truth is read straight from the extract with pyosmium, independently of the
index: each address with ``addr:street`` and ``addr:housenumber`` at its node, or at the
centroid of its building. Each address is asked in the ways people write it: as tagged,
in lower case, without accents, with hyphens as spaces, with two letters swapped, and
German abbreviations ("Str.") where the name has them.
"""

from __future__ import annotations

import statistics
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import osmium
from shapely.geometry import Polygon

from planner import geodata
from planner.geocode.osm_addresses import AddressHit
from planner.model import Precision


@dataclass(frozen=True)
class Truth:
    osm: str
    street: str
    number: str
    lat: float
    lon: float


@dataclass(frozen=True)
class Query:
    truth: Truth
    street: str
    variant: str


def addresses(pbf: Path) -> list[Truth]:
    out: list[Truth] = []
    processor = (
        osmium.FileProcessor(str(pbf))
        .with_areas()
        .with_filter(osmium.filter.KeyFilter("addr:housenumber"))
    )
    for obj in processor:
        street = obj.tags.get("addr:street", "")
        number = obj.tags.get("addr:housenumber", "")
        if not street or not number:
            continue
        if isinstance(obj, osmium.osm.Node):
            out.append(Truth(f"n{obj.id}", street, number, obj.location.lat, obj.location.lon))
        elif isinstance(obj, osmium.osm.Area):
            rings = [[(n.lon, n.lat) for n in ring] for ring in obj.outer_rings()]
            polygon = max((Polygon(r) for r in rings if len(r) >= 4), key=lambda p: p.area)
            kind = "w" if obj.from_way() else "r"
            out.append(
                Truth(
                    f"{kind}{obj.orig_id()}", street, number, polygon.centroid.y, polygon.centroid.x
                )
            )
    return sorted(out, key=lambda t: t.osm)


def _plain(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _swapped(text: str) -> str:
    words = text.split(" ")
    longest = max(range(len(words)), key=lambda i: len(words[i]))
    word = words[longest]
    if len(word) < 7:
        return text
    i = len(word) // 2
    words[longest] = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return " ".join(words)


VARIANTS: dict[str, Callable[[str], str]] = {
    "wie getaggt": lambda s: s,
    "klein": str.lower,
    "ohne Akzente": _plain,
    "Bindestrich als Leerzeichen": lambda s: s.replace("-", " "),
    "Buchstaben vertauscht": _swapped,
    "Str.": lambda s: s.replace("straße", "str.").replace("Straße", "Str."),
}


def queries(truths: list[Truth]) -> Iterator[Query]:
    for truth in truths:
        seen: set[str] = set()
        for name, variant in VARIANTS.items():
            street = variant(truth.street)
            if street not in seen:
                seen.add(street)
                yield Query(truth, street, name)


@dataclass(frozen=True)
class Score:
    queries: int
    at_house: int
    at_street: int
    median_m: float
    p90_m: float
    worst_m: float

    @property
    def share_street_or_better(self) -> float:
        return (self.at_house + self.at_street) / self.queries if self.queries else 0.0


def score(results: list[tuple[Query, AddressHit | list[str] | None]]) -> Score:
    errors: list[float] = []
    house = street = 0
    for query, hit in results:
        if isinstance(hit, AddressHit):
            house += hit.precision is Precision.HOUSE_NUMBER
            street += hit.precision is Precision.STREET
            errors.append(geodata.distance_m(hit.lat, hit.lon, query.truth.lat, query.truth.lon))
        else:
            errors.append(float("inf"))
    ordered = sorted(errors)
    finite = [e for e in ordered if e != float("inf")] or [0.0]
    return Score(
        len(results), house, street, statistics.median(ordered),
        ordered[int(0.9 * (len(ordered) - 1))], max(finite),
    )  # fmt: skip
