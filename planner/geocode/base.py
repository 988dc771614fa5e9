"""The resolver protocol and its typed result, shared by every geocoding backend.

A backend turns an :class:`~planner.model.Address` into a :class:`Resolution`. The
pipeline only talks to :class:`PlaceResolver`; today the only implementation is the
offline :class:`~planner.geocode.gazetteer.LahnDillGazetteer`. A street-level backend
(self-hosted Nominatim or Photon through geopy) can be added later as another
``PlaceResolver``; none is configured by default, so the pipeline never touches the
network unless someone deliberately plugs one in.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Protocol, runtime_checkable

from planner.errors import AmbiguousPlace, OutsideDistrict, PlaceNotFound
from planner.model import Address, Client, Message, Precision, Severity, Site

__all__ = [
    "AmbiguousPlace",
    "Issue",
    "Match",
    "PlaceResolver",
    "Resolution",
    "Status",
]


class Status(StrEnum):
    """Outcome of a resolution."""

    FOUND = "found"  # ``match`` is set (possibly with warnings)
    AMBIGUOUS = "ambiguous"  # several places fit; ``candidates`` lists them, best first
    OUTSIDE = "outside"  # the place or postcode lies outside the Lahn-Dill-Kreis
    NOT_FOUND = "not_found"  # nothing in the district matches
    EMPTY = "empty"  # neither place nor postcode given


@dataclass(frozen=True)
class Issue:
    """A finding about the query, in German, tied to the address field it concerns."""

    code: str  # stable identifier, e.g. "typo_corrected", "plz_mismatch"
    field: str  # Address field: "place", "district", "postcode" or "street"
    text: str  # German, for the check report


@dataclass(frozen=True)
class Match:
    """One resolved position."""

    lat: float
    lon: float
    municipality: str
    ags: str
    ortsteil: str  # empty at municipality precision
    precision: Precision
    confidence: float  # 0–1; 1 = exact name of a place, PLZ consistent
    postcode: str = ""  # the given PLZ if it fits, else the place's own PLZ
    plz_matches: bool | None = None  # None when no PLZ was given
    corrected_from: str | None = None  # original spelling when a typo was corrected
    issues: tuple[Issue, ...] = ()  # warnings (never errors: a Match is usable)

    @property
    def warnings(self) -> tuple[str, ...]:
        return tuple(issue.text for issue in self.issues)

    @property
    def label(self) -> str:
        """Human-readable result, e.g. "Dillbrecht, 35708 Haiger"."""
        town = " ".join(p for p in (self.postcode, self.municipality) if p)
        if self.ortsteil and self.ortsteil != self.municipality:
            return f"{self.ortsteil}, {town}"
        return town

    def to_site(self) -> Site:
        """The domain ``Site`` (region stays empty: the regions stage fills it)."""
        return Site(
            lat=self.lat,
            lon=self.lon,
            municipality=self.municipality,
            ags=self.ags,
            ortsteil=self.ortsteil,
            precision=self.precision,
        )

    def with_issue(self, issue: Issue, confidence_factor: float = 1.0) -> Match:
        return replace(
            self,
            issues=(*self.issues, issue),
            confidence=round(self.confidence * confidence_factor, 3),
        )


@dataclass(frozen=True)
class Resolution:
    """Result of resolving one address: a match, candidates, or the reason for neither."""

    query: Address
    status: Status
    match: Match | None = None  # set iff status is FOUND
    candidates: tuple[Match, ...] = ()  # FOUND: (match,); AMBIGUOUS: all, best first
    reason: Issue | None = None  # set iff there is no match: why (German)

    @property
    def ok(self) -> bool:
        return self.match is not None

    def unwrap(self) -> Match:
        """The match, or raise the matching :mod:`planner.errors` exception."""
        if self.match is not None:
            return self.match
        text = self.reason.text if self.reason else "Adresse konnte nicht aufgelöst werden."
        if self.status is Status.OUTSIDE:
            raise OutsideDistrict(text)
        if self.status is Status.AMBIGUOUS:
            raise AmbiguousPlace(text)
        raise PlaceNotFound(text)


@runtime_checkable
class PlaceResolver(Protocol):
    """Anything that resolves an address of the district to a position."""

    def resolve(self, address: Address) -> Resolution:
        """Resolve ``address``; never raises for bad input (see ``Resolution.status``)."""
        ...


def client_message(
    client: Client, source: str, severity: Severity, text: str, column: str
) -> Message:
    """A finding about one client's row, naming file, row, column and Kunden-Nr."""
    return Message(
        severity=severity,
        text=text,
        file=source or None,
        row=client.row,
        field=column,
        client_id=client.id,
    )
