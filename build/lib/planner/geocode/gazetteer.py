"""Offline gazetteer of the Lahn-Dill-Kreis: place names → village or municipality point.

:class:`LahnDillGazetteer` resolves the ``Ort``/``Ortsteil``/``PLZ`` of an address
against the embedded place list (:mod:`planner.geodata`). It never touches the network.
It is a geopy ``Geocoder`` so it can later be chained with street-level geopy backends,
but the pipeline uses the typed :meth:`LahnDillGazetteer.resolve`.

Decisions a coach would expect:

* **Ambiguous villages are refused, never guessed.** Allendorf, Roth, Seelbach,
  Altenkirchen and Oberndorf exist in two municipalities each. The municipality
  ("Driedorf-Roth") or the PLZ decides; without either, :meth:`resolve` returns status
  ``AMBIGUOUS`` with both candidates, and :meth:`geocode` returns ``None`` (or, with
  ``exactly_one=False``, both candidates flagged "mehrdeutig" at halved confidence). A
  visit planned 30 km away in the wrong Roth costs more than asking once.
* **Typos:** one typing error (a letter missing, extra, wrong, or two swapped) in a name
  of at least five letters is corrected, and only when a single name is that close. Any
  two real names of the district (and the listed neighbouring towns) differ by at least
  two edits, so a correctly written real name is never "corrected" into another one.
* **The place beats the PLZ** when they disagree (warning); the PLZ alone gives a
  municipality-level position.
* A bare municipality name ("35708 Haiger") is a municipality-level position: postal
  addresses name the municipality even for its Ortsteile.
* ``reverse()`` returns the nearest place of the municipality containing the point,
  ``None`` outside the district.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from geopy.adapters import BaseSyncAdapter
from geopy.geocoders.base import Geocoder
from geopy.location import Location
from geopy.point import Point as GeoPoint
from rapidfuzz import process
from rapidfuzz.distance import OSA

from planner import geodata
from planner.errors import NetworkDisabled
from planner.geocode.base import Issue, Match, Resolution, Status
from planner.geocode.normalize import (
    PlaceReading,
    name_key,
    parse_query,
    split_house_number,
    split_place,
)
from planner.geodata import Municipality, OutsidePlace, Place
from planner.model import Address, Precision

__all__ = ["LahnDillGazetteer", "default_gazetteer"]

#: Maximum edit distance (optimal string alignment) of a corrected typo.
MAX_TYPO_EDITS = 1
#: Names shorter than this (folded, without spaces) are never typo-corrected:
#: "Roth"/"Rott", "Ulm"/"Ulme" are too short to tell a typo from another name.
MIN_TYPO_LENGTH = 5

_CONF_MUNICIPALITY = 0.6  # only the municipality is known
_CONF_UNKNOWN_ORTSTEIL = 0.5  # an Ortsteil was given but not recognised
_CONF_PLZ_ONLY = 0.4
_FACTOR_TYPO = 0.9  # on top of the string similarity
_FACTOR_PLZ_MISMATCH = 0.8
_FACTOR_AMBIGUOUS = 0.5
_FACTOR_FIELD_IGNORED = 0.9

_PLACE = "place"
_DISTRICT = "district"
_POSTCODE = "postcode"


class _OfflineAdapter(BaseSyncAdapter):  # type: ignore[misc]  # geopy is untyped
    """geopy adapter that refuses every request: this geocoder must stay offline."""

    def get_json(self, url: str, *, timeout: float | None, headers: dict[str, str]) -> Any:
        raise NetworkDisabled(f"Netzwerkzugriff ist abgeschaltet (Anfrage an {url}).")

    def get_text(self, url: str, *, timeout: float | None, headers: dict[str, str]) -> str:
        raise NetworkDisabled(f"Netzwerkzugriff ist abgeschaltet (Anfrage an {url}).")


# --------------------------------------------------------------------------- index


@dataclass(frozen=True)
class _Target:
    """What a name key can stand for."""

    name: str  # canonical spelling, for messages
    municipality: Municipality | None = None
    place: Place | None = None  # None: the municipality as a whole
    outside: OutsidePlace | None = None
    via_alias: str = ""  # alias text when reached through aliases.csv


@dataclass(frozen=True)
class _Index:
    names: dict[str, tuple[_Target, ...]]  # every inside name: places, municipalities, aliases
    municipalities: dict[str, Municipality]  # municipality names and official names
    local: dict[str, dict[str, tuple[_Target, ...]]]  # AGS → key → places of that municipality
    outside: dict[str, tuple[_Target, ...]]
    places_by_key: dict[str, tuple[Place, ...]]


def _add(index: dict[str, list[_Target]], key: str, target: _Target) -> None:
    if key and target not in index.setdefault(key, []):
        index[key].append(target)


def _build_index() -> _Index:
    by_name = {m.name: m for m in geodata.municipalities()}
    names: dict[str, list[_Target]] = {}
    local: dict[str, dict[str, list[_Target]]] = {m.ags: {} for m in by_name.values()}
    municipalities: dict[str, Municipality] = {}
    places_by_key: dict[str, list[Place]] = {}
    for m in by_name.values():
        municipalities[name_key(m.name)] = m
        # "Dillenburg, Oranienstadt" is a real name; "Aßlar, Stadt" is just "Aßlar".
        official = m.name_official.removesuffix(", Stadt")
        municipalities[name_key(official)] = m
        _add(names, name_key(m.name), _Target(m.name, m))
        _add(names, name_key(official), _Target(m.name, m))
    for p in geodata.places():
        m = by_name[p.municipality]
        target = _Target(p.name, m, p)
        places_by_key.setdefault(name_key(p.name), []).append(p)
        _add(local[m.ags], name_key(p.name), target)
        # A Kernort's name is also the municipality's: the bare name means the
        # municipality (see _single); the Kernort is reached as "Haiger-Haiger".
        if name_key(p.name) not in municipalities:
            _add(names, name_key(p.name), target)
    for a in geodata.aliases():
        m = by_name[a.municipality]
        place = next((p for p in geodata.places() if p.name == a.name and p.ags == m.ags), None)
        if a.name and place is None:
            raise ValueError(f"aliases.csv: {a.name!r} is no place of {a.municipality}")
        target = _Target(a.name or m.name, m, place, via_alias=a.alias)
        _add(names, name_key(a.alias), target)
        _add(local[m.ags], name_key(a.alias), target)
    outside: dict[str, list[_Target]] = {}
    for o in geodata.outside_places():
        _add(outside, name_key(o.name), _Target(o.name, outside=o))
    return _Index(
        names={k: tuple(v) for k, v in names.items()},
        municipalities=municipalities,
        local={ags: {k: tuple(v) for k, v in d.items()} for ags, d in local.items()},
        outside={k: tuple(v) for k, v in outside.items()},
        places_by_key={k: tuple(v) for k, v in places_by_key.items()},
    )


# --------------------------------------------------------------------------- hits


@dataclass(frozen=True)
class _Hit:
    """One interpretation of one reading."""

    municipality: Municipality
    place: Place | None  # None: municipality level
    via_alias: str = ""
    unknown_ortsteil: str = ""  # Ortsteil text that names no place of the municipality
    foreign: tuple[Place, ...] = ()  # ... but a place of another municipality
    corrections: tuple[tuple[str, str], ...] = ()  # (as written, canonical)
    similarity: float = 1.0
    overruled: str = ""  # municipality as written, when the PLZ backed the Ortsteil instead

    @property
    def complete(self) -> bool:
        return not self.unknown_ortsteil

    @property
    def identity(self) -> tuple[str, str]:
        return self.municipality.ags, self.place.name if self.place else ""


@dataclass(frozen=True)
class _Outcome:
    hits: tuple[_Hit, ...] = ()
    outside: _Target | None = None
    outside_text: str = ""
    corrected: tuple[str, str] | None = None


@dataclass(frozen=True)
class _Reading:
    reading: PlaceReading
    uses_place: bool
    uses_district: bool


@dataclass
class _Query:
    """Normalised input of one resolution (mutable scratch state, never escapes)."""

    address: Address
    plz: str = ""
    plz_ags: tuple[str, ...] | None = None  # None: no (valid) PLZ or PLZ outside
    issues: list[Issue] = field(default_factory=list)

    @property
    def plz_outside(self) -> bool:
        return bool(self.plz) and self.plz_ags is None


# --------------------------------------------------------------------------- gazetteer


class LahnDillGazetteer(Geocoder):  # type: ignore[misc]  # geopy is untyped
    """Offline geocoder for the Lahn-Dill-Kreis at village (Ortsteil) precision."""

    def __init__(self) -> None:
        super().__init__(adapter_factory=_OfflineAdapter, user_agent="beratung-mobil-planner")
        self._index = _build_index()
        pool: dict[str, tuple[_Target, ...]] = dict(self._index.names)
        for key, targets in self._index.outside.items():
            pool[key] = (*pool.get(key, ()), *targets)
        self._fuzzy_pool = pool

    # ------------------------------------------------------------------ geopy contract

    def geocode(
        self,
        query: str | Mapping[str, Any] | Address,
        *,
        exactly_one: bool = True,
        timeout: float | None = None,
    ) -> Location | list[Location] | None:
        """geopy-style lookup; ``None`` when nothing (or nothing unambiguous) matches.

        ``query`` is a free string ("35708 Haiger-Dillbrecht") or a geopy structured
        query (``street``, ``postalcode``, ``city``, ``district``). ``Location.raw``
        carries municipality, ags, ortsteil, precision, confidence, plz_matches,
        corrected_from and warnings. ``timeout`` is accepted and ignored (no I/O).
        """
        resolution = self.resolve(_as_address(query))
        if resolution.match is not None:
            location = _location(resolution.match, resolution.status)
            return location if exactly_one else [location]
        if resolution.status is Status.AMBIGUOUS and not exactly_one:
            return [_location(m, resolution.status) for m in resolution.candidates]
        return None

    def reverse(
        self,
        query: str | Sequence[float] | GeoPoint,
        *,
        exactly_one: bool = True,
        timeout: float | None = None,
    ) -> Location | list[Location] | None:
        """Nearest place(s) of the municipality containing the point; ``None`` outside."""
        point = GeoPoint(query)
        municipality = geodata.municipality_at(point.latitude, point.longitude)
        if municipality is None or not geodata.contains(point.latitude, point.longitude):
            return None
        nearby = sorted(
            (geodata.distance_m(point.latitude, point.longitude, p.lat, p.lon), p.name, p)
            for p in geodata.places()
            if p.ags == municipality.ags
        )
        locations = []
        for distance, _, place in nearby[: 1 if exactly_one else 5]:
            match = _place_match(place, confidence=1.0)
            location = _location(match, Status.FOUND)
            location.raw["distance_m"] = round(distance)
            locations.append(location)
        if not locations:  # no place recorded: answer at municipality level
            locations.append(_location(_municipality_match(municipality, ""), Status.FOUND))
        return locations[0] if exactly_one else locations

    # ------------------------------------------------------------------ typed API

    def explain(self, query: str | Mapping[str, Any] | Address) -> str:
        """German one-line explanation of what :meth:`geocode` makes of ``query``."""
        resolution = self.resolve(_as_address(query))
        if resolution.match is None:
            return resolution.reason.text if resolution.reason else ""
        match = resolution.match
        text = f"{match.label} ({match.precision.value}, Sicherheit {match.confidence:.0%})"
        return "; ".join([text, *match.warnings])

    def resolve(self, address: Address) -> Resolution:
        """Resolve an address of the district; never raises for bad input."""
        query = self._query(address)
        shown_place = address.place.strip() or address.district.strip()
        if not shown_place and not address.postcode.strip():
            return Resolution(
                address,
                Status.EMPTY,
                reason=Issue(
                    "empty",
                    _PLACE,
                    "Keine Adresse angegeben – bitte Ort und PLZ oder Breite/Länge angeben.",
                ),
            )
        primary, fallback = self._readings(address)
        resolution = self._search(primary, fallback, query)
        if resolution is None:
            resolution = self._without_place(query, shown_place)
        return self._street_quarter(resolution)

    def _street_quarter(self, resolution: Resolution) -> Resolution:
        """Use a street that names a quarter ("Nauborner Straße", Wetzlar) as its Ortsteil.

        Only when the place alone gave a municipality-level position in that quarter's
        municipality and no Ortsteil column was filled.
        """
        match, address = resolution.match, resolution.query
        if (
            match is None
            or match.precision is not Precision.MUNICIPALITY
            or address.district.strip()
            or not address.street.strip()
        ):
            return resolution
        street, _ = split_house_number(address.street)
        targets = self._index.local[match.ags].get(name_key(street), ())
        if len(targets) != 1 or targets[0].place is None:
            return resolution
        better = self.resolve(replace(address, district=street, street=""))
        if better.match is None or better.match.precision is not Precision.ORTSTEIL:
            return resolution
        issues = tuple(i for i in better.match.issues if i.code != "ortsteil_unknown")
        improved = replace(better.match, issues=issues)
        return Resolution(address, Status.FOUND, match=improved, candidates=(improved,))

    # ------------------------------------------------------------------ search

    def _query(self, address: Address) -> _Query:
        query = _Query(address)
        raw = address.postcode.strip()
        digits = raw.removeprefix("D-").removeprefix("D ").strip()
        # A 4-digit value is not a PLZ with a lost leading zero (Excel): every PLZ of
        # the district starts with 35, so it is reported instead of padded.
        if raw and not (len(digits) == 5 and digits.isascii() and digits.isdigit()):
            query.issues.append(
                Issue(
                    "plz_invalid",
                    _POSTCODE,
                    f"PLZ „{raw}“ ist keine gültige fünfstellige Postleitzahl – wird ignoriert.",
                )
            )
            return query
        if raw:
            query.plz = digits
            query.plz_ags = geodata.plz_index().get(digits)
        return query

    def _readings(self, address: Address) -> tuple[list[_Reading], list[_Reading]]:
        """Primary readings use every given field; fallbacks ignore one of them."""
        place_readings = split_place(address.place)
        district_readings = split_place(address.district)
        district_text = next((r.ortsteil for r in district_readings if not r.municipality), "")
        place_only = [_Reading(r, True, False) for r in place_readings]
        if district_text and name_key(district_text) == name_key(address.place):
            # Ort "Haiger", Ortsteil "Haiger": the Kernort, not just the municipality.
            kernort = _Reading(PlaceReading(district_text, district_text), True, True)
            return [kernort, *(_Reading(r, True, True) for r in place_readings)], []
        if not district_text or name_key(district_text) in name_key(address.place):
            # The Ortsteil column repeats what the Ort column already says.
            return [_Reading(r, True, bool(district_text)) for r in place_readings], []
        if not place_readings:
            return [_Reading(r, False, True) for r in district_readings], []
        combined: list[_Reading] = []
        for r in place_readings:
            head = r.ortsteil if not r.municipality else r.municipality
            combined.append(_Reading(PlaceReading(head, district_text), True, True))
        for r in place_readings:
            head = r.ortsteil if not r.municipality else r.municipality
            combined.append(_Reading(PlaceReading(district_text, head), True, True))
        district_only = [_Reading(r, False, True) for r in district_readings]
        return combined, place_only + district_only

    def _search(
        self, primary: list[_Reading], fallback: list[_Reading], query: _Query
    ) -> Resolution | None:
        """Complete readings (every word recognised) first, then partial ones.

        Order: exact names using every field, a known outside town, corrected typos
        using every field, then the same ignoring one field (Ort or Ortsteil), and only
        then a municipality whose Ortsteil was not recognised.
        """
        exact = {
            id(t): [(r, self._evaluate(r.reading, fuzzy=False)) for r in t]
            for t in (primary, fallback)
        }
        fuzzy: dict[int, list[tuple[_Reading, _Outcome]]] = {}

        def fuzzy_of(tier: list[_Reading]) -> list[tuple[_Reading, _Outcome]]:
            if id(tier) not in fuzzy:
                fuzzy[id(tier)] = [(r, self._evaluate(r.reading, fuzzy=True)) for r in tier]
            return fuzzy[id(tier)]

        for tier in (primary, fallback):
            for reading, outcome in exact[id(tier)]:
                if outcome.hits and outcome.hits[0].complete:
                    return self._decide(reading, outcome.hits, query)
            if tier is primary:
                outside = self._outside_exact([*primary, *fallback])
                if outside is not None:
                    return self._outside(query, outside[0], outside[1], None)
            best: tuple[float, _Reading, _Outcome] | None = None
            for reading, outcome in fuzzy_of(tier):
                score = _outcome_score(outcome)
                if score > 0 and (best is None or score > best[0]):
                    best = (score, reading, outcome)
            if best is not None:
                _, reading, outcome = best
                if outcome.outside is not None:
                    return self._outside(
                        query, outcome.outside_text, outcome.outside, outcome.corrected
                    )
                return self._decide(reading, outcome.hits, query)
        for tier in (primary, fallback):
            for reading, outcome in [*exact[id(tier)], *fuzzy_of(tier)]:
                if outcome.hits:
                    return self._decide(reading, outcome.hits, query)
        return None

    def _evaluate(self, reading: PlaceReading, *, fuzzy: bool) -> _Outcome:
        if not reading.municipality:
            return self._single(reading.ortsteil, fuzzy=fuzzy)
        return _Outcome(self._pair(reading.municipality, reading.ortsteil, fuzzy=fuzzy))

    def _single(self, text: str, *, fuzzy: bool) -> _Outcome:
        key = name_key(text)
        targets = self._index.names.get(key, ())
        corrections: tuple[tuple[str, str], ...] = ()
        similarity = 1.0
        if not targets and fuzzy:
            found = self._fuzzy(key, self._fuzzy_pool)
            if found is None:
                return _Outcome()
            targets, similarity = found
            if all(t.outside is not None for t in targets):
                target = targets[0]
                return _Outcome(outside=target, outside_text=text, corrected=(text, target.name))
            targets = tuple(t for t in targets if t.outside is None)
            corrections = ((text, _names(targets)),)
        hits = [
            _Hit(
                municipality=t.municipality,
                place=t.place,
                via_alias=t.via_alias,
                unknown_ortsteil="",
                corrections=corrections,
                similarity=similarity,
            )
            for t in targets
            if t.municipality is not None
        ]
        return _Outcome(tuple(hits))

    def _pair(self, municipality_text: str, ortsteil_text: str, *, fuzzy: bool) -> tuple[_Hit, ...]:
        m_key = name_key(municipality_text)
        municipality = self._index.municipalities.get(m_key)
        corrections: list[tuple[str, str]] = []
        similarity = 1.0
        if municipality is None and fuzzy:
            pool = {k: (_Target(m.name, m),) for k, m in self._index.municipalities.items()}
            found = self._fuzzy(m_key, pool)
            if found is None or len({t.name for t in found[0]}) != 1:
                return ()
            municipality, similarity = found[0][0].municipality, found[1]
            if municipality is None:
                return ()
            corrections.append((municipality_text, municipality.name))
        if municipality is None:
            return ()
        o_key = name_key(ortsteil_text)
        local = self._index.local[municipality.ags]
        targets = local.get(o_key, ())
        if not targets and self._index.municipalities.get(o_key) is municipality:
            # "Solms-Solms": the municipality named twice, no Kernort of that name.
            return (
                _Hit(municipality, None, corrections=tuple(corrections), similarity=similarity),
            )
        if not targets and fuzzy:
            found = self._fuzzy(o_key, local)
            if found is not None:
                targets, o_similarity = found
                similarity *= o_similarity
                corrections.append((ortsteil_text, _names(targets)))
        if targets:
            return tuple(
                _Hit(
                    municipality,
                    t.place,
                    t.via_alias,
                    corrections=tuple(corrections),
                    similarity=similarity,
                )
                for t in targets
            )
        foreign = tuple(
            p for p in self._index.places_by_key.get(o_key, ()) if p.ags != municipality.ags
        )
        return (
            _Hit(
                municipality,
                None,
                unknown_ortsteil=ortsteil_text,
                foreign=foreign,
                corrections=tuple(corrections),
                similarity=similarity,
            ),
        )

    def _fuzzy(
        self, key: str, pool: Mapping[str, tuple[_Target, ...]]
    ) -> tuple[tuple[_Target, ...], float] | None:
        """Targets of the single closest key within one edit, or None (none or a tie)."""
        if len(key) < MIN_TYPO_LENGTH:
            return None
        close = [
            (str(choice), int(dist))
            for choice, dist, _ in process.extract(
                key, list(pool), scorer=OSA.distance, score_cutoff=MAX_TYPO_EDITS, limit=None
            )
            if len(choice) >= MIN_TYPO_LENGTH
        ]
        if not close:
            return None
        best = min(dist for _, dist in close)
        keys = [choice for choice, dist in close if dist == best]
        if len(keys) != 1:
            return None  # equally close to two different names: do not guess
        similarity = 1 - best / max(len(key), len(keys[0]))
        return pool[keys[0]], similarity

    def _outside_exact(self, readings: Iterable[_Reading]) -> tuple[str, _Target] | None:
        for r in readings:
            texts = [r.reading.ortsteil] if not r.reading.municipality else list(r.reading)
            for text in texts:
                targets = self._index.outside.get(name_key(text))
                if targets:
                    return text, targets[0]
        return None

    # ------------------------------------------------------------------ results

    def _decide(self, reading: _Reading, hits: Sequence[_Hit], query: _Query) -> Resolution:
        """Pick one hit using the PLZ, or report the ambiguity."""
        unique: dict[tuple[str, str], _Hit] = {}
        for hit in hits:
            unique.setdefault(hit.identity, hit)
        candidates = list(unique.values())
        if len(candidates) > 1 and query.plz_ags is not None:
            fitting = [h for h in candidates if h.municipality.ags in query.plz_ags]
            if len(fitting) == 1:
                return self._found(reading, fitting[0], query)
        if len(candidates) == 1:
            return self._found(reading, candidates[0], query)
        return self._ambiguous(reading, candidates, query)

    def _found(self, reading: _Reading, hit: _Hit, query: _Query) -> Resolution:
        address = query.address
        issues = list(query.issues)
        hit = self._foreign_by_plz(hit, query)
        if hit.place is not None:
            match = _place_match(hit.place, confidence=1.0, postcode=query.plz)
        else:
            base = _CONF_UNKNOWN_ORTSTEIL if hit.unknown_ortsteil else _CONF_MUNICIPALITY
            match = _municipality_match(hit.municipality, query.plz if query.plz_ags else "", base)
        for given, canonical in hit.corrections:
            issues.append(
                Issue(
                    "typo_corrected",
                    _field_of(given, address),
                    f"Schreibweise korrigiert: „{given}“ → „{canonical}“",
                )
            )
        # similarity < 1 after a typo correction or when the PLZ overruled the Ort.
        match = replace(match, confidence=match.confidence * hit.similarity)
        if hit.corrections:
            match = replace(
                match,
                confidence=match.confidence * _FACTOR_TYPO,
                corrected_from=hit.corrections[0][0],
            )
        issues.extend(self._level_issues(reading, hit, match, address))
        if hit.overruled and hit.place is not None:
            issues.append(
                Issue(
                    "ortsteil_other_municipality",
                    _field_of(hit.place.name, address),
                    f"Ortsteil „{hit.place.name}“ gehört zu {hit.place.municipality}, nicht zu "
                    f"{hit.overruled} – PLZ {query.plz} passt zu {hit.place.municipality}, "
                    f"daher {hit.place.name} ({hit.place.municipality}).",
                )
            )
        factor = 1.0
        if query.plz:
            fits = query.plz_ags is not None and match.ags in query.plz_ags
            match = replace(match, plz_matches=fits)
            if not fits:
                factor *= _FACTOR_PLZ_MISMATCH
                issues.append(_plz_mismatch(query, match))
        if not reading.uses_district and address.district.strip():
            factor *= _FACTOR_FIELD_IGNORED
        if not reading.uses_district and address.district.strip() and hit.place is not None:
            issues.append(
                Issue(
                    "ortsteil_unknown",
                    _DISTRICT,
                    f"Ortsteil „{address.district.strip()}“ unbekannt – ignoriert, "
                    f"Position aus Ort „{address.place.strip()}“.",
                )
            )
        if not reading.uses_place and address.place.strip():
            factor *= _FACTOR_FIELD_IGNORED
            issues.append(
                Issue(
                    "place_unknown",
                    _PLACE,
                    f"Ort „{address.place.strip()}“ nicht erkannt – ignoriert, "
                    f"Position aus Ortsteil „{address.district.strip()}“.",
                )
            )
        match = replace(match, confidence=round(match.confidence * factor, 3), issues=tuple(issues))
        return Resolution(address, Status.FOUND, match=match, candidates=(match,))

    def _foreign_by_plz(self, hit: _Hit, query: _Query) -> _Hit:
        """With PLZ 35708, "Herborn-Dillbrecht" means Dillbrecht (Haiger): the PLZ decides."""
        if not hit.foreign or query.plz_ags is None or hit.municipality.ags in query.plz_ags:
            return hit
        fitting = [p for p in hit.foreign if p.ags in query.plz_ags]
        if len(fitting) != 1:
            return hit
        municipality = geodata.municipality_by_ags()[fitting[0].ags]
        return _Hit(
            municipality,
            fitting[0],
            corrections=hit.corrections,
            similarity=hit.similarity * _FACTOR_PLZ_MISMATCH,
            overruled=hit.municipality.name,
        )

    def _level_issues(
        self, reading: _Reading, hit: _Hit, match: Match, address: Address
    ) -> list[Issue]:
        """Warnings for a municipality-level position."""
        if hit.place is not None:
            return []
        where = hit.municipality.name
        if match.postcode and len(hit.municipality.plz) > 1:
            where = f"{where}, Mitte des PLZ-Gebiets {match.postcode}"
        if hit.foreign:
            owners = " bzw. ".join(sorted({p.municipality for p in hit.foreign}))
            return [
                Issue(
                    "ortsteil_other_municipality",
                    _field_of(hit.unknown_ortsteil, address),
                    f"Ortsteil „{hit.unknown_ortsteil}“ gehört nicht zu {hit.municipality.name}, "
                    f"sondern zu {owners} – Position nur auf Gemeindeebene ({where}).",
                )
            ]
        if hit.unknown_ortsteil:
            return [
                Issue(
                    "ortsteil_unknown",
                    _field_of(hit.unknown_ortsteil, address),
                    f"Ortsteil „{hit.unknown_ortsteil}“ unbekannt – Position nur auf "
                    f"Gemeindeebene ({where}).",
                )
            ]
        if hit.via_alias:
            return [
                Issue(
                    "municipality_only",
                    _field_of(hit.via_alias, address),
                    f"„{hit.via_alias}“ hat keinen eigenen Ortspunkt – Position nur auf "
                    f"Gemeindeebene ({where}).",
                )
            ]
        if not reading.uses_district and address.district.strip():
            return [
                Issue(
                    "ortsteil_unknown",
                    _DISTRICT,
                    f"Ortsteil „{address.district.strip()}“ unbekannt – Position nur auf "
                    f"Gemeindeebene ({where}).",
                )
            ]
        return [
            Issue(
                "municipality_only",
                _PLACE,
                f"Kein Ortsteil angegeben – Position nur auf Gemeindeebene ({where}).",
            )
        ]

    def _ambiguous(self, reading: _Reading, hits: Sequence[_Hit], query: _Query) -> Resolution:
        def order(hit: _Hit) -> tuple[bool, str]:
            fits = query.plz_ags is not None and hit.municipality.ags in query.plz_ags
            return not fits, hit.municipality.ags

        text = (
            reading.reading.ortsteil
            if not reading.reading.municipality
            else " ".join(reading.reading)
        )
        options = " oder ".join(
            f"{h.place.name} ({h.municipality.name})" if h.place else h.municipality.name
            for h in sorted(hits, key=order)
        )
        hint = "bitte Gemeinde oder PLZ angeben"
        if query.plz_ags is not None:
            hint = f"PLZ {query.plz} passt zu keinem davon – bitte Gemeinde angeben"
        reason = Issue(
            "ambiguous",
            _field_of(text, query.address),
            f"Ort „{text}“ ist mehrdeutig: {options} – {hint}.",
        )
        candidates = []
        for hit in sorted(hits, key=order):
            resolved = self._found(reading, hit, query).match
            assert resolved is not None
            candidates.append(resolved.with_issue(reason, _FACTOR_AMBIGUOUS))
        return Resolution(
            query.address, Status.AMBIGUOUS, candidates=tuple(candidates), reason=reason
        )

    def _outside(
        self, query: _Query, text: str, target: _Target, corrected: tuple[str, str] | None
    ) -> Resolution:
        assert target.outside is not None
        guess = f"vermutlich {target.name}, " if corrected else ""
        reason = Issue(
            "outside",
            _field_of(text, query.address),
            f"Ort „{text}“ liegt nicht im Lahn-Dill-Kreis ({guess}{target.outside.district})",
        )
        return Resolution(query.address, Status.OUTSIDE, reason=reason)

    def _without_place(self, query: _Query, shown_place: str) -> Resolution:
        """No place recognised: fall back to the PLZ, or explain why nothing fits."""
        address = query.address
        if query.plz_ags is not None:
            (ags,) = query.plz_ags[:1]
            municipality = geodata.municipality_by_ags()[ags]
            match = _municipality_match(municipality, query.plz, _CONF_PLZ_ONLY)
            if shown_place:
                text = (
                    f"Ort „{shown_place}“ nicht gefunden – Position aus PLZ {query.plz} "
                    f"({municipality.name}), nur auf Gemeindeebene."
                )
                issue = Issue("place_unknown", _field_of(shown_place, address), text)
            else:
                text = (
                    f"Kein Ort angegeben – Position aus PLZ {query.plz} ({municipality.name}), "
                    "nur auf Gemeindeebene."
                )
                issue = Issue("plz_only", _POSTCODE, text)
            match = replace(match, plz_matches=True, issues=(*query.issues, issue))
            return Resolution(address, Status.FOUND, match=match, candidates=(match,))
        if query.plz_outside:
            reason = Issue("outside", _POSTCODE, f"PLZ {query.plz} liegt nicht im Lahn-Dill-Kreis")
            return Resolution(address, Status.OUTSIDE, reason=reason)
        if not shown_place:
            reason = Issue(
                "empty", _PLACE, "Kein Ort angegeben – bitte Ort und PLZ oder Breite/Länge angeben."
            )
            return Resolution(address, Status.EMPTY, reason=reason)
        reason = Issue(
            "not_found",
            _field_of(shown_place, address),
            f"Ort „{shown_place}“ nicht gefunden – bitte Schreibweise prüfen oder "
            "Breite/Länge angeben.",
        )
        return Resolution(address, Status.NOT_FOUND, reason=reason)


# --------------------------------------------------------------------------- helpers


def _names(targets: Sequence[_Target]) -> str:
    """Canonical spelling for a correction message ("Hochelheim", not "Hüttenberg")."""
    target = targets[0]
    return target.via_alias if target.via_alias and target.place is None else target.name


def _outcome_score(outcome: _Outcome) -> float:
    if outcome.outside is not None:
        return 0.5  # weaker than any inside correction of equal distance
    if outcome.hits and outcome.hits[0].complete:
        return max(h.similarity for h in outcome.hits)
    return 0.0


def _field_of(text: str, address: Address) -> str:
    """Which address field a piece of text came from (for the report's column)."""
    key = name_key(text)
    in_district = bool(key) and key in name_key(address.district)
    if in_district and not (address.place and key in name_key(address.place)):
        return _DISTRICT
    if not address.place and address.district:
        return _DISTRICT
    return _PLACE


def _plz_mismatch(query: _Query, match: Match) -> Issue:
    shown = f"{match.ortsteil} ({match.municipality})" if match.ortsteil else match.municipality
    if query.plz_ags is None:
        detail = "PLZ liegt außerhalb des Lahn-Dill-Kreises"
    else:
        expected = geodata.municipality_by_ags()[match.ags].plz
        listed = expected[0] if len(expected) == 1 else f"{expected[0]} bis {expected[-1]}"
        detail = f"erwartet {listed}"
    return Issue(
        "plz_mismatch",
        _POSTCODE,
        f"PLZ {query.plz} passt nicht zu Ort „{shown}“ ({detail}) – der Ort hat Vorrang.",
    )


def _place_match(place: Place, *, confidence: float, postcode: str = "") -> Match:
    fits = postcode in place.plz_candidates
    return Match(
        lat=place.lat,
        lon=place.lon,
        municipality=place.municipality,
        ags=place.ags,
        ortsteil=place.name,
        precision=Precision.ORTSTEIL,
        confidence=confidence,
        postcode=postcode if fits else place.plz,
    )


def _municipality_match(
    municipality: Municipality, postcode: str, confidence: float = _CONF_MUNICIPALITY
) -> Match:
    """Municipality point; in a town with several PLZ the centroid of the given PLZ."""
    lat, lon = municipality.lat, municipality.lon
    shown = municipality.plz[0] if len(municipality.plz) == 1 else ""
    if postcode in municipality.plz:
        shown = postcode
        if len(municipality.plz) > 1:
            area = next(p for p in geodata.postcodes() if p.plz == postcode)
            lat, lon = area.lat, area.lon
    return Match(
        lat=lat,
        lon=lon,
        municipality=municipality.name,
        ags=municipality.ags,
        ortsteil="",
        precision=Precision.MUNICIPALITY,
        confidence=confidence,
        postcode=shown,
    )


def _location(match: Match, status: Status) -> Location:
    raw = {
        "municipality": match.municipality,
        "ags": match.ags,
        "ortsteil": match.ortsteil,
        "postcode": match.postcode,
        "precision": match.precision.value,
        "confidence": match.confidence,
        "plz_matches": match.plz_matches,
        "corrected_from": match.corrected_from,
        "warnings": list(match.warnings),
        "status": status.value,
    }
    return Location(match.label, (match.lat, match.lon), raw)


def _as_address(query: str | Mapping[str, Any] | Address) -> Address:
    if isinstance(query, Address):
        return query
    if isinstance(query, Mapping):

        def get(*keys: str) -> str:
            for key in keys:
                value = query.get(key)
                if value is not None and str(value).strip():
                    return str(value).strip()
            return ""

        return Address(
            street=get("street"),
            postcode=get("postalcode", "postcode", "plz"),
            place=get("city", "town", "village", "municipality"),
            district=get("district", "suburb", "ortsteil"),
        )
    return parse_query(str(query))


@lru_cache(maxsize=1)
def default_gazetteer() -> LahnDillGazetteer:
    """Shared instance (building the index takes a few milliseconds)."""
    return LahnDillGazetteer()
