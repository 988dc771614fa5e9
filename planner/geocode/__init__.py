"""Geocoding stage: clients → positions, offline, with German findings per row.

The only backend is the embedded gazetteer (village / Ortsteil precision). Another
:class:`~planner.geocode.base.PlaceResolver` (e.g. a self-hosted Nominatim via geopy) can
be passed in explicitly; nothing here ever opens a network connection by itself.

Ambiguity is an error, not a guess: a village name that exists in two municipalities
without municipality or PLZ yields ``site=None`` and an ERROR message naming both.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial

from planner import geodata
from planner.geocode.base import (
    AmbiguousPlace,
    Issue,
    Match,
    PlaceResolver,
    Resolution,
    Status,
    client_message,
)
from planner.geocode.gazetteer import LahnDillGazetteer, default_gazetteer
from planner.geocode.meeting import MemoResolver, at_meeting_place, resolve_meeting_place
from planner.geocode.normalize import parse_query
from planner.model import Client, GeocodedClient, Message, Precision, Severity, Site

__all__ = [
    "FIELD_COLUMNS",
    "AmbiguousPlace",
    "Issue",
    "LahnDillGazetteer",
    "Match",
    "PlaceResolver",
    "Resolution",
    "Status",
    "configured_resolver",
    "geocode_client",
    "geocode_clients",
    "resolve_meeting_place",
    "resolve_office_address",
    "using_resolver",
]

#: Address field → column header of the client list (used in ``Message.field``).
FIELD_COLUMNS = {
    "place": "Ort",
    "district": "Ortsteil",
    "postcode": "PLZ",
    "street": "Straße",
    "position": "Breite/Länge",
}
_POSITION = "Breite/Länge"
_NOT_PLANNABLE = "Kunde kann nicht eingeplant werden. Bitte Adresse prüfen."

# The CLI sets a street-level chain (``--strassen``, own servers) for one command; every
# stage that geocodes without an explicit resolver (plan, check, the campaign import)
# then uses it, without threading a parameter through code that does not care.
_RESOLVER: ContextVar[PlaceResolver | None] = ContextVar("planner_resolver", default=None)


@contextmanager
def using_resolver(resolver: PlaceResolver | None) -> Iterator[None]:
    """Within the block, geocoding without an explicit ``geocoder`` uses ``resolver``."""
    token = _RESOLVER.set(resolver)
    try:
        yield
    finally:
        _RESOLVER.reset(token)


def configured_resolver() -> PlaceResolver:
    """The resolver set by :func:`using_resolver`, else the offline gazetteer."""
    return _RESOLVER.get() or default_gazetteer()


def geocode_clients(
    clients: Sequence[Client],
    *,
    source: str = "",
    geocoder: PlaceResolver | None = None,
    meeting_places: Sequence[tuple[str, str]] | None = None,
) -> tuple[GeocodedClient, ...]:
    """Position every client (same order as the input) with findings as messages.

    A Café visit is positioned at its meeting place (:mod:`planner.geocode.meeting`);
    ``meeting_places`` are the team's defaults per municipality (``Team.meeting_places``),
    ``None`` when no team is known.
    """
    resolver = geocoder if geocoder is not None else configured_resolver()
    defaults = dict(meeting_places) if meeting_places is not None else None
    meeting = MemoResolver(resolver)
    return tuple(
        at_meeting_place(
            c,
            partial(geocode_client, c, source=source, geocoder=resolver),
            defaults,
            meeting,
            source=source,
        )
        for c in clients
    )


def geocode_client(
    client: Client, *, source: str = "", geocoder: PlaceResolver | None = None
) -> GeocodedClient:
    """Position one client: manual Breite/Länge first, otherwise the address."""
    resolver = geocoder if geocoder is not None else configured_resolver()
    if client.manual_position is not None:
        return _manual(client, source, resolver)
    resolution = resolver.resolve(client.address)
    if resolution.match is None:
        return GeocodedClient(client, None, (_error(client, source, resolution),))
    messages = tuple(
        _message(client, source, Severity.WARNING, issue.text, FIELD_COLUMNS[issue.field])
        for issue in resolution.match.issues
    )
    return GeocodedClient(client, resolution.match.to_site(), messages)


def resolve_office_address(address: str) -> tuple[float, float]:
    """(lat, lon) of a one-line address, for offices in the team file.

    Raises :class:`~planner.errors.PlaceNotFound`, :class:`~planner.errors.OutsideDistrict`
    or :class:`AmbiguousPlace` (all ``PlannerError``) with a German message. Accepts a
    municipality-level result: the office position is then the municipality point.
    """
    match = default_gazetteer().resolve(parse_query(address)).unwrap()
    return match.lat, match.lon


def _manual(client: Client, source: str, resolver: PlaceResolver) -> GeocodedClient:
    assert client.manual_position is not None
    lat, lon = client.manual_position
    municipality = geodata.municipality_at(lat, lon) if geodata.contains(lat, lon) else None
    if municipality is None:
        text = (
            f"Breite/Länge ({lat:.5f}, {lon:.5f}) liegt nicht im Lahn-Dill-Kreis – "
            f"{_NOT_PLANNABLE.replace('Adresse', 'Breite/Länge')}"
        )
        swapped = geodata.municipality_at(lon, lat) if geodata.contains(lon, lat) else None
        if swapped is not None:
            text += f" Breite und Länge vertauscht? ({lon:.5f}, {lat:.5f}) läge in {swapped.name}."
        return GeocodedClient(
            client, None, (_message(client, source, Severity.ERROR, text, _POSITION),)
        )
    site = Site(
        lat=lat,
        lon=lon,
        municipality=municipality.name,
        ags=municipality.ags,
        ortsteil="",
        precision=Precision.MANUAL,
    )
    return GeocodedClient(client, site, _manual_cross_check(client, source, resolver, site))


def _manual_cross_check(
    client: Client, source: str, resolver: PlaceResolver, site: Site
) -> tuple[Message, ...]:
    """A hand-typed coordinate in another municipality than the address is worth a look."""
    address = client.address
    if not (address.place or address.district or address.postcode):
        return ()
    match = resolver.resolve(address).match
    if match is None or match.ags == site.ags:
        return ()
    text = (
        f"Breite/Länge liegt in {site.municipality}, die Adresse nennt {match.municipality} – "
        "Breite/Länge wird verwendet, bitte prüfen."
    )
    return (_message(client, source, Severity.WARNING, text, _POSITION),)


def _error(client: Client, source: str, resolution: Resolution) -> Message:
    reason = resolution.reason
    if reason is None:  # a backend that breaks the contract still yields a message
        reason = Issue("not_found", "place", "Adresse konnte nicht aufgelöst werden.")
    text = reason.text
    if resolution.status is Status.OUTSIDE:
        text = f"{text} – {_NOT_PLANNABLE}"
    return _message(client, source, Severity.ERROR, text, FIELD_COLUMNS.get(reason.field, "Ort"))


_message = client_message
