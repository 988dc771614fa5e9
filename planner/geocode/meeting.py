"""Where a visit happens: the meeting place of a Café visit instead of the client's home.

Besuchsort Café means a meeting place, so the visit is routed there: the client's own
``Treffpunkt``, else the team's default for the municipality the client lives in
(``[treffpunkte]``), else – with a warning – the client's address. Meeting places go
through the same offline gazetteer as addresses; the resulting ``Site`` carries the
meeting place text so outputs print it instead of the home address.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import replace

from planner.geocode.base import PlaceResolver, Resolution, Status, client_message
from planner.geocode.normalize import parse_query
from planner.model import Address, Client, GeocodedClient, Message, Severity, Site, VisitPlace

__all__ = ["MEETING_COLUMN", "MemoResolver", "at_meeting_place", "resolve_meeting_place"]

#: Column header used in messages about meeting places.
MEETING_COLUMN = "Treffpunkt"

#: Findings that mean a part of the text was not understood as a place: typical for the
#: venue name ("Café am Markt"), so a shorter reading without it is preferred.
_UNDERSTOOD_PARTLY = frozenset({"ortsteil_unknown", "place_unknown"})
_UNKNOWN = frozenset({Status.NOT_FOUND, Status.EMPTY})


class MemoResolver:
    """Resolves each distinct query once: many Café clients share one team default."""

    def __init__(self, inner: PlaceResolver) -> None:
        self._inner = inner
        self._done: dict[Address, Resolution] = {}

    def resolve(self, address: Address) -> Resolution:
        if address not in self._done:
            self._done[address] = self._inner.resolve(address)
        return self._done[address]


def resolve_meeting_place(
    text: str, resolver: PlaceResolver, *, municipality: str = ""
) -> Resolution:
    """Resolve a meeting place given as free text ("Café am Markt, Marktplatz 3, Herborn").

    The whole text is tried first, then the text without leading venue words, comma part
    by comma part and then word by word ("Bahnhof Dillenburg" → "Dillenburg"). The first
    clean reading wins, else the first one found; failing that, a place outside the
    district or an ambiguous one is the reason, else the whole text's failure.
    ``municipality`` (a team default's key) is appended when the text names no known
    place at all ("Café Mittendrin" for Herborn).
    """
    first = _best(text, resolver)
    if first.status in _UNKNOWN and municipality:
        with_place = _best(f"{text}, {municipality}", resolver)
        if with_place.match is not None:
            return with_place
    return first


def _best(text: str, resolver: PlaceResolver) -> Resolution:
    found: Resolution | None = None
    whole: Resolution | None = None
    telling: Resolution | None = None  # "outside the district" or "ambiguous"
    for reading, word_tail in _readings(text):
        resolution = resolver.resolve(parse_query(reading))
        whole = whole or resolution
        match = resolution.match
        if word_tail and (match is None or any(i.code == "typo_corrected" for i in match.issues)):
            # A single word of a venue name ("Café Linde" → "Linde") only counts as an
            # exact place name; as a near miss (Linden, Landkreis Gießen) it misleads.
            continue
        if match is None:
            if resolution.status not in _UNKNOWN:
                telling = telling or resolution
            continue
        if not any(issue.code in _UNDERSTOOD_PARTLY for issue in match.issues):
            return resolution
        found = found or resolution
    assert whole is not None  # _readings always yields the text itself
    return found or telling or whole


def _readings(text: str) -> list[tuple[str, bool]]:
    """The text, then shorter tails: without leading comma parts, then leading words.

    Each reading comes with ``True`` when it is a tail of words rather than of parts.
    """
    text = " ".join(text.split())
    parts = [p.strip() for p in text.split(",") if p.strip()]
    readings = [(text, False)]
    readings += [(", ".join(parts[i:]), False) for i in range(1, len(parts))]
    words = re.split(r"\s+", parts[-1]) if parts else []
    readings += [(" ".join(words[i:]), True) for i in range(1, len(words))]
    seen: set[str] = set()
    unique = []
    for reading, word_tail in readings:
        if reading and reading not in seen:
            seen.add(reading)
            unique.append((reading, word_tail))
    return unique


def at_meeting_place(
    client: Client,
    home: Callable[[], GeocodedClient],
    defaults: Mapping[str, str] | None,
    resolver: PlaceResolver,
    *,
    source: str = "",
) -> GeocodedClient:
    """The position to route a client to, with findings (pure apart from ``resolver``).

    ``home`` geocodes the client's address; it is called only when needed (a client's
    own Treffpunkt that is found makes the home address irrelevant). ``defaults`` maps
    municipality → meeting place (``Team.meeting_places``); ``None`` means the team is
    not known (``planner check``), so a Café visit without Treffpunkt is not flagged.
    Never loses a client: when no meeting place can be located, the address is used.
    """
    if client.visit_place is not VisitPlace.CAFE:
        return home()
    own = client.meeting_place
    if own:
        resolution = resolve_meeting_place(own, resolver)
        if resolution.match is not None:
            site = replace(resolution.match.to_site(), meeting_place=own)
            return GeocodedClient(client, site, _issues(client, source, own, resolution))
        # The coach still goes to the named place; only the position is the address's.
        return _fallback(
            client, source, home(), own, _not_located(f"Treffpunkt „{own}“", resolution)
        )
    located = home()
    if located.site is None or defaults is None:
        return located
    municipality = located.site.municipality
    default = defaults.get(municipality, "")
    if not default:
        text = (
            "Besuchsort Café ohne Treffpunkt: es wird die Adresse verwendet. Bitte die Spalte "
            "„Treffpunkt“ ausfüllen oder in der Teamdatei unter [treffpunkte] einen Treffpunkt "
            f"für {municipality} eintragen."
        )
        return _with(located, located.site, _message(client, source, Severity.WARNING, text))
    resolution = resolve_meeting_place(default, resolver, municipality=municipality)
    if resolution.match is None:
        what = f"Treffpunkt der Teamdatei für {municipality} „{default}“"
        return _fallback(client, source, located, default, _not_located(what, resolution))
    site = replace(resolution.match.to_site(), meeting_place=default)
    return GeocodedClient(
        client, site, located.messages + _issues(client, source, default, resolution)
    )


def _not_located(what: str, resolution: Resolution) -> str:
    """ "Treffpunkt „…“ nicht gefunden", with the reason when it says more than that."""
    if resolution.status in _UNKNOWN or resolution.reason is None:
        return (
            f"{what} nicht gefunden (bitte den Ort dazuschreiben, z. B. „Café am Markt, Herborn“)"
        )
    return f"{what} nicht zugeordnet ({resolution.reason.text.rstrip('.')})"


def _fallback(
    client: Client, source: str, located: GeocodedClient, place: str, problem: str
) -> GeocodedClient:
    """Route to the address but keep the meeting place text for the outputs."""
    if located.site is None:
        text = f"{problem}, und die Adresse lässt sich auch nicht zuordnen."
        return _with(located, None, _message(client, source, Severity.ERROR, text), first=True)
    text = f"{problem} – für die Fahrzeiten wird die Adresse verwendet."
    site = replace(located.site, meeting_place=place)
    return _with(located, site, _message(client, source, Severity.WARNING, text))


def _with(
    located: GeocodedClient, site: Site | None, message: Message, *, first: bool = False
) -> GeocodedClient:
    messages = (message, *located.messages) if first else (*located.messages, message)
    return GeocodedClient(located.client, site, messages)


def _issues(client: Client, source: str, place: str, resolution: Resolution) -> tuple[Message, ...]:
    assert resolution.match is not None
    return tuple(
        _message(client, source, Severity.WARNING, f"Treffpunkt „{place}“: {issue.text}")
        for issue in resolution.match.issues
    )


def _message(client: Client, source: str, severity: Severity, text: str) -> Message:
    return client_message(client, source, severity, text, MEETING_COLUMN)
