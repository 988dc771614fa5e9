"""A folder prepared by ``planner roads import``, opened for planning (``--strassen``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from planner.roads import osrm_adapter
from planner.roads.addresses import INDEX_VERSION
from planner.roads.errors import RoadDataIncompatible, RoadDataMissing
from planner.roads.importer import ADDRESSES, FORMAT, MAIN_ROADS, MANIFEST, osrm_base
from planner.roads.provider import RoadTravelTimes

if TYPE_CHECKING:
    from planner.geocode.osm_addresses import AddressIndex

__all__ = ["RoadData"]


@dataclass(frozen=True, eq=False)
class RoadData:
    """Road graph, address index and main-roads layer of one prepared folder."""

    folder: Path
    manifest: dict[str, Any]

    @classmethod
    def open(cls, folder: Path) -> RoadData:
        """Check the folder; German errors when it is missing, half-written or too old."""
        path = folder / MANIFEST
        if not path.is_file():
            raise RoadDataMissing(
                f"Im Ordner „{folder}“ liegen keine vorbereiteten Straßendaten. Bitte zuerst "
                "planner roads import DATEI.osm.pbf --into " + str(folder) + " ausführen."
            )
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise RoadDataMissing(f"{path} ist nicht lesbar – bitte neu importieren.") from exc
        if (
            manifest.get("format") != FORMAT
            or manifest.get("osrm") != osrm_adapter.OSRM_VERSION
            or manifest.get("adressindex") != INDEX_VERSION
        ):
            raise RoadDataIncompatible(
                f"Die Straßendaten in „{folder}“ stammen von einer anderen Programmversion – "
                "bitte planner roads import erneut ausführen."
            )
        if not osrm_base(folder).with_suffix(".osrm.hsgr").is_file():
            raise RoadDataMissing(
                f"Im Ordner „{folder}“ fehlt der Fahrzeit-Graph – bitte neu importieren."
            )
        return cls(folder, manifest)

    @property
    def source(self) -> str:
        """German, e.g. "OpenStreetMap-Auszug hessen-latest.osm.pbf, aufbereitet am 01.12.2026"."""
        name = self.manifest.get("quelle", {}).get("name", "?")
        made = str(self.manifest.get("erstellt", ""))
        try:
            day = f", aufbereitet am {datetime.fromisoformat(made):%d.%m.%Y}"
        except ValueError:
            day = ""
        return f"OpenStreetMap-Auszug {name}{day}"

    @cached_property
    def travel(self) -> RoadTravelTimes:
        return RoadTravelTimes(osrm_adapter.engine(osrm_base(self.folder)), self.source)

    @cached_property
    def addresses(self) -> AddressIndex:
        from planner.geocode.osm_addresses import AddressIndex

        return AddressIndex(self.folder / ADDRESSES)

    @cached_property
    def main_roads(self) -> dict[str, Any]:
        path = self.folder / MAIN_ROADS
        if not path.is_file():
            return {"type": "FeatureCollection", "features": []}
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return data
