"""House-number geocoding from the offline address index of an OpenStreetMap extract.

:class:`AddressIndex` reads the SQLite file written by :mod:`planner.roads.addresses` and
answers "where is Hauptstraße 12 near this village point?" without any network:

1. the street: exact comparison key first ("Hauptstr." = "Haupt-Straße"), else the
   closest spelling by rapidfuzz (at least ``STREET_MATCH_MIN_SCORE``), only among streets
   near the place the gazetteer found and, when given, with that postcode or town;
2. the house: the number itself (``hausnummer`` precision), else interpolated between
   the nearest known numbers on the same side of the street, else the street's midpoint
   (both ``strasse``).

:class:`StreetLevelResolver` chains it with the village gazetteer: house number →
street → Ortsteil → municipality, each result with its precision and a German finding
when it fell back a level.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

import numpy as np
from rapidfuzz import fuzz, process

from planner import geodata, settings
from planner.geocode.base import Issue, Match, PlaceResolver, Resolution, Status
from planner.geocode.normalize import fold, split_house_number
from planner.model import Address, Precision
from planner.roads.addresses import INDEX_VERSION, house_number_key, street_key
from planner.roads.errors import RoadDataIncompatible, RoadDataMissing

__all__ = ["AddressHit", "AddressIndex", "StreetLevelResolver", "StreetSource"]

_M_PER_DEG = math.pi / 180 * 6_371_008.8
_STREET = "street"


@dataclass(frozen=True)
class AddressHit:
    """A position from the address index."""

    lat: float
    lon: float
    precision: Precision  # HOUSE_NUMBER or STREET
    street: str  # the street's name as in OpenStreetMap
    housenumber: str  # as asked
    postcode: str  # of the street (first one known), may be empty
    detail: str  # German: how the position was found
    score: float  # 100 = exact spelling
    corrected_from: str = ""  # the street as written, when the spelling was corrected


@dataclass(frozen=True)
class _Street:
    id: int
    key: str
    name: str
    lat: float
    lon: float
    postcodes: tuple[str, ...]
    cities: tuple[str, ...]


class AddressIndex:
    """Read-only view of ``adressen.sqlite``; streets are held in memory for fuzzy matching."""

    def __init__(self, path: Path) -> None:
        if not path.is_file():
            raise RoadDataMissing(f"Adressverzeichnis {path} fehlt – bitte planner roads import.")
        # Read-only URI: a geocoder must never change the index, and several processes
        # (web app, CLI) may read it at once.
        self._db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        version = self._db.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
        if version is None or int(version[0]) != INDEX_VERSION:
            raise RoadDataIncompatible(
                f"Adressverzeichnis {path} stammt von einer anderen Version – bitte "
                "planner roads import erneut ausführen."
            )
        rows = self._db.execute(
            "SELECT id, key, name, lat, lon, postcodes, cities FROM streets ORDER BY id"
        ).fetchall()
        self._streets = [
            _Street(r[0], r[1], r[2], r[3], r[4], _split(r[5]), _split(r[6])) for r in rows
        ]
        self._lat = np.array([s.lat for s in self._streets], dtype=np.float64)
        self._lon = np.array([s.lon for s in self._streets], dtype=np.float64)
        self._by_key: dict[str, list[int]] = {}
        for i, street in enumerate(self._streets):
            self._by_key.setdefault(street.key, []).append(i)

    def __len__(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM addresses").fetchone()[0])

    def close(self) -> None:
        self._db.close()

    # ------------------------------------------------------------------ lookup

    def lookup(
        self,
        street: str,
        housenumber: str = "",
        *,
        postcode: str = "",
        city: str = "",
        near: tuple[float, float] | None = None,
        radius_m: float = settings.STREET_SEARCH_ORTSTEIL_M,
    ) -> AddressHit | list[str] | None:
        """The position of ``street`` ``housenumber``.

        Returns a hit, ``None`` when no such street is known there, or the list of
        places (German) when the street exists in several of them and nothing decides.
        """
        if not street.strip() and not housenumber:
            return None
        if not housenumber:
            street, housenumber = split_house_number(street)
        key = street_key(street)
        if not key:
            return None
        candidates = self._candidates(key, near, radius_m)
        scored = self._scored(key, candidates)
        if not scored:
            return None
        best = max(score for _, score in scored)
        top = [i for i, score in scored if score == best]
        top = self._by_locality(top, postcode, city)
        number_key = house_number_key(housenumber) if housenumber else ""
        if len(top) > 1 and number_key:
            with_house = [i for i in top if self._house(self._streets[i].id, number_key)]
            top = with_house or top
        if len(top) > 1 and near is not None:
            # The same name twice near the village point: the nearer one when it is clearly
            # nearer (half the distance), else ambiguous.
            distances = sorted((self._distance(i, near), i) for i in top)
            if distances[0][0] * 2 <= distances[1][0]:
                top = [distances[0][1]]
        if len(top) > 1:
            return sorted({_place_label(self._streets[i]) for i in top})
        chosen = self._streets[top[0]]
        corrected = street.strip() if best < 100 else ""
        return self._house_position(chosen, housenumber, number_key, best, corrected)

    def _candidates(self, key: str, near: tuple[float, float] | None, radius_m: float) -> list[int]:
        if near is None:
            return list(range(len(self._streets)))
        lat, lon = near
        kx = _M_PER_DEG * math.cos(math.radians(lat))
        d = np.hypot((self._lon - lon) * kx, (self._lat - lat) * _M_PER_DEG)
        return [int(i) for i in np.flatnonzero(d <= radius_m)]

    def _scored(self, key: str, candidates: Sequence[int]) -> list[tuple[int, float]]:
        exact = [i for i in self._by_key.get(key, []) if i in set(candidates)]
        if exact:
            return [(i, 100.0) for i in exact]
        keys = sorted({self._streets[i].key for i in candidates})
        found = process.extract(
            key, keys, scorer=fuzz.ratio, score_cutoff=settings.STREET_MATCH_MIN_SCORE, limit=3
        )
        if not found:
            return []
        top_score = found[0][1]
        # Two different names equally close to a misspelling: no guess.
        if len([f for f in found if f[1] == top_score]) > 1:
            return []
        wanted = set(candidates)
        return [(i, float(top_score)) for i in self._by_key[found[0][0]] if i in wanted]

    def _by_locality(self, top: list[int], postcode: str, city: str) -> list[int]:
        if len(top) > 1 and postcode:
            fitting = [i for i in top if postcode in self._streets[i].postcodes]
            top = fitting or top
        if len(top) > 1 and city:
            wanted = fold(city)
            fitting = [
                i for i in top if any(wanted in c or c in wanted for c in self._streets[i].cities)
            ]
            top = fitting or top
        return top

    def _distance(self, i: int, near: tuple[float, float]) -> float:
        street = self._streets[i]
        return geodata.distance_m(street.lat, street.lon, near[0], near[1])

    def _house(self, street_id: int, number_key: str) -> list[tuple[float, float]]:
        rows = self._db.execute(
            "SELECT lat, lon FROM addresses WHERE street_id = ? AND hn_key = ?",
            (street_id, number_key),
        ).fetchall()
        return [(r[0], r[1]) for r in rows]

    def _house_position(
        self, street: _Street, housenumber: str, number_key: str, score: float, corrected: str
    ) -> AddressHit:
        postcode = street.postcodes[0] if street.postcodes else ""

        def hit(lat: float, lon: float, precision: Precision, detail: str) -> AddressHit:
            return AddressHit(
                lat, lon, precision, street.name, housenumber, postcode, detail, score, corrected
            )

        if number_key:
            points = self._house(street.id, number_key)
            if points:
                # Several entrances or buildings with one number: their centre.
                lat = sum(p[0] for p in points) / len(points)
                lon = sum(p[1] for p in points) / len(points)
                return hit(lat, lon, Precision.HOUSE_NUMBER, f"{street.name} {housenumber}")
            between = self._interpolate(street.id, housenumber)
            if between is not None:
                lat, lon, low, high = between
                return hit(
                    lat, lon, Precision.STREET,
                    f"Hausnummer {housenumber} nicht im Verzeichnis – Position zwischen "
                    f"{low} und {high} geschätzt",
                )  # fmt: skip
            return hit(
                street.lat, street.lon, Precision.STREET,
                f"Hausnummer {housenumber} nicht im Verzeichnis – Position: Straßenmitte "
                f"({street.name})",
            )  # fmt: skip
        return hit(
            street.lat, street.lon, Precision.STREET,
            f"ohne Hausnummer – Position: Straßenmitte ({street.name})",
        )  # fmt: skip

    def _interpolate(
        self, street_id: int, housenumber: str
    ) -> tuple[float, float, str, str] | None:
        """Between the nearest known numbers below and above (same side first)."""
        digits = (
            "".join(ch for ch in housenumber if ch.isdigit()) if housenumber[:1].isdigit() else ""
        )
        if not digits:
            return None
        wanted = int(digits[:6])
        rows = self._db.execute(
            "SELECT number, housenumber, lat, lon FROM addresses "
            "WHERE street_id = ? AND number IS NOT NULL ORDER BY number, osm",
            (street_id,),
        ).fetchall()
        for same_side in (True, False):
            pool = [r for r in rows if not same_side or r[0] % 2 == wanted % 2]
            below = [r for r in pool if r[0] < wanted]
            above = [r for r in pool if r[0] > wanted]
            if not below or not above:
                continue
            low, high = below[-1], above[0]
            span = geodata.distance_m(low[2], low[3], high[2], high[3])
            if span > settings.HOUSE_INTERPOLATION_MAX_M:
                continue
            t = (wanted - low[0]) / (high[0] - low[0])
            lat = low[2] + t * (high[2] - low[2])
            lon = low[3] + t * (high[3] - low[3])
            return lat, lon, str(low[1]), str(high[1])
        return None


def _split(text: str) -> tuple[str, ...]:
    return tuple(p for p in text.split("|") if p)


def _place_label(street: _Street) -> str:
    where = street.cities[0].title() if street.cities else ""
    if not where:
        municipality = geodata.municipality_at(street.lat, street.lon)
        where = municipality.name if municipality else f"bei {street.lat:.3f}, {street.lon:.3f}"
    return f"{where} ({street.postcodes[0]})" if street.postcodes else where


# --------------------------------------------------------------------------- chain


class StreetSource(Protocol):
    """Anything that finds a street and house near a point (index, own Nominatim, Photon)."""

    def lookup(
        self,
        street: str,
        housenumber: str = "",
        *,
        postcode: str = "",
        city: str = "",
        near: tuple[float, float] | None = None,
        radius_m: float = settings.STREET_SEARCH_ORTSTEIL_M,
    ) -> AddressHit | list[str] | None: ...


class StreetLevelResolver:
    """House number → street → Ortsteil → municipality (a :class:`PlaceResolver`).

    ``places`` (the gazetteer) decides the village, the district and every error; the
    ``sources`` (the offline index first, then a configured server) refine the position
    inside that village, the first that knows the street wins. A street none of them
    knows keeps the village position with a warning, so nobody is lost for a typo.
    """

    def __init__(self, sources: Sequence[StreetSource], places: PlaceResolver) -> None:
        self._sources = tuple(sources)
        self._places = places

    def resolve(self, address: Address) -> Resolution:
        base = self._places.resolve(address)
        street, number = split_house_number(address.street) if address.street.strip() else ("", "")
        if not street:
            return base
        if base.match is not None:
            return self._refine(base, base.match, street, number, address)
        if base.status is Status.AMBIGUOUS:
            return self._disambiguate(base, street, number, address)
        if base.status in (Status.NOT_FOUND, Status.EMPTY) and (address.postcode or address.place):
            return self._without_place(base, street, number, address)
        return base

    def _lookup(
        self, street: str, number: str, address: Address, match: Match | None
    ) -> AddressHit | list[str] | None:
        near = None if match is None else (match.lat, match.lon)
        radius = (
            settings.STREET_SEARCH_ORTSTEIL_M
            if match is not None and match.precision is Precision.ORTSTEIL
            else settings.STREET_SEARCH_MUNICIPALITY_M
        )
        ambiguous: list[str] | None = None
        for source in self._sources:
            found = source.lookup(
                street, number, postcode=address.postcode.strip(),
                city=address.place.strip(), near=near, radius_m=radius,
            )  # fmt: skip
            if isinstance(found, AddressHit):
                return found
            ambiguous = ambiguous or found
        return ambiguous

    def _refine(
        self, base: Resolution, match: Match, street: str, number: str, address: Address
    ) -> Resolution:
        found = self._lookup(street, number, address, match)
        if isinstance(found, AddressHit):
            refined = _with_hit(match, found)
            if refined is not None:
                return Resolution(address, Status.FOUND, match=refined, candidates=(refined,))
            found = None
        if isinstance(found, list):
            text = (
                f"Straße „{street}“ gibt es mehrfach ({', '.join(found)}) – bitte Ortsteil "
                f"angeben; Position aus {_level(match)}."
            )
        else:
            text = f"Straße „{street}“ nicht im Adressverzeichnis – Position aus {_level(match)}."
        fallback = match.with_issue(Issue("street_not_found", _STREET, text))
        return Resolution(address, Status.FOUND, match=fallback, candidates=(fallback,))

    def _disambiguate(
        self, base: Resolution, street: str, number: str, address: Address
    ) -> Resolution:
        """A village name of two municipalities: the one that has the street decides."""
        fitting = []
        for candidate in base.candidates:
            found = self._lookup(street, number, address, candidate)
            if isinstance(found, AddressHit):
                fitting.append((candidate, found))
        if len(fitting) != 1:
            return base
        candidate, found = fitting[0]
        clean = replace(candidate, issues=(), confidence=min(1.0, candidate.confidence * 2))
        refined = _with_hit(clean, found)
        if refined is None:
            return base
        note = Issue(
            "ambiguous_street",
            "place",
            f"Ort mehrdeutig – die Straße „{found.street}“ gibt es nur in "
            f"{candidate.ortsteil or candidate.municipality} ({candidate.municipality}).",
        )
        refined = refined.with_issue(note)
        return Resolution(address, Status.FOUND, match=refined, candidates=(refined,))

    def _without_place(
        self, base: Resolution, street: str, number: str, address: Address
    ) -> Resolution:
        """The gazetteer knows the place not: the index may (postcode and street)."""
        found = self._lookup(street, number, address, None)
        if not isinstance(found, AddressHit):
            return base
        municipality = geodata.municipality_at(found.lat, found.lon)
        if municipality is None or not geodata.contains(found.lat, found.lon):
            where = address.place.strip() or address.postcode.strip()
            reason = Issue(
                "outside", "place",
                f"Adresse „{found.street} {found.housenumber}, {where}“ liegt nicht im "
                "Lahn-Dill-Kreis",
            )  # fmt: skip
            return Resolution(address, Status.OUTSIDE, reason=reason)
        match = Match(
            lat=found.lat, lon=found.lon, municipality=municipality.name, ags=municipality.ags,
            ortsteil="", precision=found.precision, confidence=0.8 * found.score / 100,
            postcode=found.postcode,
        )  # fmt: skip
        issue = Issue(
            "place_from_street", "place",
            f"Ort „{address.place.strip()}“ nicht im Ortsverzeichnis – Position aus dem "
            f"Adressverzeichnis ({found.street}, {municipality.name}).",
        )  # fmt: skip
        match = match.with_issue(issue)
        return Resolution(address, Status.FOUND, match=match, candidates=(match,))


def _with_hit(match: Match, hit: AddressHit) -> Match | None:
    """The gazetteer's match moved to the house; None when the house lies elsewhere."""
    if geodata.contains(match.lat, match.lon):
        municipality = geodata.municipality_at(hit.lat, hit.lon)
        if municipality is None:
            return None  # the street found lies outside the district
    else:
        municipality = None
    issues = list(match.issues)
    if municipality is not None and municipality.ags != match.ags:
        issues.append(
            Issue(
                "street_other_municipality", _STREET,
                f"{hit.street} liegt in {municipality.name}, nicht in {match.municipality}.",
            )
        )  # fmt: skip
    if hit.corrected_from:
        issues.append(
            Issue(
                "street_corrected", _STREET,
                f"Schreibweise korrigiert: „{hit.corrected_from}“ → „{hit.street}“",
            )
        )  # fmt: skip
    if hit.precision is Precision.STREET:
        issues.append(Issue("house_number_approx", _STREET, hit.detail + "."))
    # A house-number position makes the village-level warnings moot ("Kein Ortsteil
    # angegeben – Position nur auf Gemeindeebene" is no longer true).
    issues = [i for i in issues if i.code not in ("municipality_only", "ortsteil_unknown")]
    return replace(
        match,
        lat=hit.lat,
        lon=hit.lon,
        precision=hit.precision,
        municipality=municipality.name if municipality else match.municipality,
        ags=municipality.ags if municipality else match.ags,
        confidence=round(match.confidence * hit.score / 100, 3),
        issues=tuple(issues),
    )


def _level(match: Match) -> str:
    if match.precision is Precision.ORTSTEIL:
        return f"Ortsteil {match.ortsteil}"
    return f"Gemeinde {match.municipality}"
