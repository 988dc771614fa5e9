"""The job centre's own Nominatim or Photon (geopy backends), opt-in, cached, rate-limited.

Used only when ``[server]`` of the team file names one (see
:mod:`planner.roads.servers`); public servers are refused there. A
:class:`RemoteStreets` is a :class:`~planner.geocode.osm_addresses.StreetSource`: the
gazetteer still decides the village and the district, the server only places the house.
Answers (a position and its kind) are cached under the SHA-256 of the query, so the
cache holds no address text and the same list asks the server once.
"""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import urlsplit

from planner import geodata, settings
from planner.geocode.osm_addresses import AddressHit
from planner.model import Precision
from planner.roads.errors import ServerUnavailable
from planner.roads.servers import RateLimiter, ServerCache

__all__ = ["RemoteStreets"]

Kind = Literal["nominatim", "photon"]
_HOUSE_TYPES = {"house", "building", "residential_building", "apartments", "detached"}
_STREET_TYPES = {"street", "road", "residential", "living_street", "tertiary", "secondary",
                 "primary", "unclassified", "service", "pedestrian"}  # fmt: skip


class RemoteStreets:
    """Street and house lookups against one configured geocoding server."""

    def __init__(
        self, kind: Kind, url: str, cache: ServerCache, limiter: RateLimiter, timeout_s: float
    ) -> None:
        from geopy.geocoders import Nominatim, Photon

        parts = urlsplit(url)
        domain = parts.netloc + parts.path.rstrip("/")
        geocoder: Any
        if kind == "nominatim":
            geocoder = Nominatim(
                domain=domain, scheme=parts.scheme, user_agent="beratung-mobil-planner",
                timeout=timeout_s,
            )  # fmt: skip
        else:
            geocoder = Photon(domain=domain, scheme=parts.scheme, timeout=timeout_s)
        self._kind = kind
        self._geocoder = geocoder
        self._cache = cache
        self._limiter = limiter
        self.requests = 0

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
        text = " ".join(p for p in (street, housenumber) if p)
        answer = self._ask(text, postcode, city)
        if answer is None:
            return None
        lat, lon, kind = answer
        if near is not None and geodata.distance_m(lat, lon, near[0], near[1]) > radius_m:
            return None  # another town's street of that name
        if kind in _HOUSE_TYPES and housenumber:
            precision, detail = Precision.HOUSE_NUMBER, f"{text} (Server)"
        elif kind in _STREET_TYPES or kind in _HOUSE_TYPES:
            precision, detail = Precision.STREET, f"{street} (Server, ohne Hausnummer)"
        else:
            return None
        return AddressHit(lat, lon, precision, street, housenumber, postcode, detail, 100.0)

    def _ask(self, text: str, postcode: str, city: str) -> tuple[float, float, str] | None:
        query = f"{self._kind}|{text}|{postcode}|{city}"
        cached = self._cache.get(self._kind, query)
        if cached is not None:
            return None if not cached else (cached[0], cached[1], cached[2])
        self._limiter.wait()
        self.requests += 1
        try:
            if self._kind == "nominatim":
                structured = {"street": text, "postalcode": postcode, "city": city,
                              "country": "Deutschland"}  # fmt: skip
                location = self._geocoder.geocode(
                    {k: v for k, v in structured.items() if v}, exactly_one=True
                )
            else:
                location = self._geocoder.geocode(
                    " ".join(p for p in (text, postcode, city) if p), exactly_one=True
                )
        except Exception as exc:  # geopy raises its own tree; one German line for all
            raise ServerUnavailable(f"Adress-Server antwortet nicht nutzbar: {exc}") from exc
        if location is None:
            self._cache.put(self._kind, query, [])
            return None
        raw = location.raw if isinstance(location.raw, dict) else {}
        if self._kind == "nominatim":
            kind = str(raw.get("addresstype") or raw.get("type") or "")
            if raw.get("class") == "building" or (kind == "place" and raw.get("type") == "house"):
                kind = "house"
        else:
            kind = str(raw.get("properties", {}).get("type", ""))
        result = [float(location.latitude), float(location.longitude), kind]
        self._cache.put(self._kind, query, result)
        return result[0], result[1], kind  # type: ignore[return-value]
