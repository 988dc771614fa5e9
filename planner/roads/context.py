"""What a command plans with: travel times, geocoder chain and map overlay, from the options.

* nothing given → the offline estimate and the village gazetteer (no network, as before);
* ``--strassen ORDNER`` → road times from the prepared folder, house-number geocoding from
  its address index, road lines and main roads on the map;
* ``[server]`` in the team file → the job centre's own OSRM / Nominatim / Photon (cached,
  rate-limited), used where no folder is given (OSRM) or after the index (geocoders);
* ``--kalibrierung DATEI`` → the estimate with constants fitted by ``planner roads calibrate``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from planner.geocode.base import PlaceResolver
    from planner.render.map import RoadOverlay
    from planner.traveltime import TravelTimeProvider

__all__ = ["RoadContext", "road_context"]


@dataclass(frozen=True, eq=False)
class RoadContext:
    travel: TravelTimeProvider | None = None  # None: the built-in estimate
    resolver: PlaceResolver | None = None  # None: the village gazetteer
    overlay: RoadOverlay | None = None
    notes: tuple[str, ...] = ()  # German, one line each, for the terminal


def road_context(
    strassen: Path | None = None,
    team_file: Path | None = None,
    calibration: Path | None = None,
) -> RoadContext:
    """Build the context; raises German ``PlannerError``s for bad folders or settings."""
    from planner.geocode.gazetteer import default_gazetteer
    from planner.geocode.osm_addresses import StreetLevelResolver, StreetSource
    from planner.render.map import RoadOverlay
    from planner.roads.servers import ServerConfig, read_servers

    servers = read_servers(team_file) if team_file is not None else ServerConfig()
    travel: TravelTimeProvider | None = None
    overlay: RoadOverlay | None = None
    sources: list[StreetSource] = []
    notes: list[str] = []
    if strassen is not None:
        from planner.roads.dataset import RoadData

        data = RoadData.open(strassen)
        travel = data.travel
        overlay = RoadOverlay(data.travel.path, data.main_roads, data.source)
        sources.append(data.addresses)
        notes.append(f"Straßendaten: {data.source} ({strassen}).")
    if servers.any:
        from planner.roads.servers import RateLimiter, ServerCache

        cache = ServerCache(servers.cache)
        limiter = RateLimiter(servers.min_interval_s)
        if servers.osrm and travel is None:
            from planner.roads.provider import RoadTravelTimes
            from planner.roads.servers import HttpOsrm

            backend = HttpOsrm(servers.osrm, cache, limiter, servers.timeout_s)
            road = RoadTravelTimes(backend, f"eigener OSRM-Server {servers.osrm}")
            travel = road
            overlay = RoadOverlay(road.path, None, road.source)
            notes.append(f"Fahrzeiten vom eigenen OSRM-Server {servers.osrm} (Zwischenspeicher "
                         f"{servers.cache}).")  # fmt: skip
        for kind, url in (("nominatim", servers.nominatim), ("photon", servers.photon)):
            if url:
                from planner.geocode.remote import RemoteStreets

                sources.append(RemoteStreets(kind, url, cache, limiter, servers.timeout_s))  # type: ignore[arg-type]
                notes.append(f"Adressen zusätzlich vom eigenen Server {url}.")
    if travel is None and calibration is not None:
        from planner.roads.calibrate import load_estimate

        travel = load_estimate(calibration)
        notes.append(f"Schätzung mit kalibrierten Werten aus {calibration}.")
    resolver = StreetLevelResolver(sources, default_gazetteer()) if sources else None
    return RoadContext(travel, resolver, overlay, tuple(notes))
