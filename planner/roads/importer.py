"""``planner roads import``: an OpenStreetMap extract → a folder of prepared road data.

Steps (each reported through ``progress``):

1. check the file (a broken or foreign file gets a German error before any work);
2. clip it to the Lahn-Dill-Kreis plus ``ROADS_CLIP_MARGIN_KM`` when the extract covers
   that area (a Hessen extract shrinks to a sixth), else keep the whole extract;
3. OSRM's car profile builds the road graph (``osrm-extract``), then the contraction
   hierarchy (``osrm-contract``);
4. the address index (:mod:`planner.roads.addresses`);
5. the main-roads layer of the map (:mod:`planner.roads.mainroads`);
6. ``strassen.json`` records source, area and versions.

The folder is written beside the target and swapped in at the end
(:func:`planner.output_folder.staged`): it holds the previous complete data or the new,
never a half-written mix. A second import of the same file (same SHA-256) with the same
versions reuses the folder without any work.
"""

from __future__ import annotations

import hashlib
import json
import resource
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from planner import output_folder, settings
from planner.roads import osrm_adapter
from planner.roads.addresses import INDEX_VERSION, build_index
from planner.roads.area import Area, district_area
from planner.roads.errors import (
    ExtractNotFound,
    ExtractUnreadable,
    ExtractWithoutRoads,
    OsrmFailed,
)
from planner.roads.mainroads import main_roads

__all__ = ["FORMAT", "MANIFEST", "ImportResult", "import_extract", "osrm_base"]

Progress = Callable[[str], None]

#: Version of the folder layout; with the OSRM and index versions it decides reuse.
FORMAT = 1
MANIFEST = "strassen.json"
ADDRESSES = "adressen.sqlite"
MAIN_ROADS = "hauptstrassen.geojson"
_OSRM_DIR = "osrm"
_OSRM_NAME = "strassen.osrm"
_CLIPPED = "ausschnitt.osm.pbf"


def osrm_base(folder: Path) -> Path:
    """The OSRM dataset path inside a prepared folder."""
    return folder / _OSRM_DIR / _OSRM_NAME


@dataclass(frozen=True)
class ImportResult:
    folder: Path
    reused: bool
    clipped: bool
    area: str  # German, e.g. "Lahn-Dill-Kreis + 10 km"; "ganze Datei" when not clipped
    addresses: int
    streets: int
    main_road_lines: int
    cpu_seconds: float  # this process plus the OSRM tools
    peak_mb: float  # largest resident set of this process or of one OSRM tool
    manifest: dict[str, Any]


def import_extract(
    pbf: Path,
    into: Path = settings.ROADS_DEFAULT_DIR,
    *,
    area: Area | None = None,
    progress: Progress = lambda _: None,
    force: bool = False,
) -> ImportResult:
    """Prepare ``pbf`` into ``into`` (see the module docstring); ``area`` defaults to the
    district plus margin."""
    began = _cpu()
    pbf = Path(pbf)
    progress(f"1/6 Datei prüfen: {pbf.name} …")
    box = _check_source(pbf)
    digest = _sha256(pbf)
    area = area or district_area()
    previous = _manifest(into)
    if not force and previous is not None and _reusable(previous, digest, area, into):
        progress("Diese Datei ist schon vorbereitet – die vorhandenen Daten werden verwendet.")
        counts = previous.get("counts", {})
        return ImportResult(
            into, True, bool(previous.get("clipped")), str(previous.get("area")),
            int(counts.get("adressen", 0)), int(counts.get("strassen", 0)),
            int(counts.get("hauptstrassen", 0)), _cpu() - began, _peak_mb(), previous,
        )  # fmt: skip
    covers = box is None or area.within_box(*box)
    with output_folder.staged(into) as staging:
        source = pbf
        clipped = False
        if covers:
            progress(f"2/6 Ausschnitt {area.name} aus {pbf.name} schneiden …")
            clipped_path = staging / _CLIPPED
            if clip(pbf, clipped_path, area):
                source, clipped = clipped_path, True
            else:
                progress("Im Ausschnitt liegen keine Straßen – es wird die ganze Datei verwendet.")
        else:
            progress(
                f"2/6 Die Datei deckt {area.name} nicht ab – es wird die ganze Datei verwendet."
            )
        progress("3/6 Straßennetz mit dem OSRM-Autoprofil aufbereiten (osrm-extract) …")
        base = osrm_base(staging)
        _osrm_steps(source, base, progress)
        progress("4/6 Adressverzeichnis (Hausnummern, Straßen) anlegen …")
        stats = build_index(source, staging / ADDRESSES, progress=progress)
        progress("5/6 Hauptstraßen für die Karte …")
        roads = main_roads(source, area if clipped else None)
        (staging / MAIN_ROADS).write_text(
            json.dumps(roads, ensure_ascii=False, separators=(",", ":")), encoding="utf-8"
        )
        if clipped:
            (staging / _CLIPPED).unlink()  # derived from the source; not needed any more
        shown_area = area.name if clipped else "ganze Datei"
        manifest = {
            "format": FORMAT,
            "osrm": osrm_adapter.OSRM_VERSION,
            "adressindex": INDEX_VERSION,
            "profil": "car",
            "quelle": {"name": pbf.name, "bytes": pbf.stat().st_size, "sha256": digest},
            "area": shown_area,
            "clipped": clipped,
            "erstellt": datetime.now().isoformat(timespec="seconds"),
            "counts": {
                "adressen": stats.addresses,
                "strassen": stats.streets,
                "strassennamen": stats.names,
                "hauptstrassen": len(roads["features"]),
            },
        }
        progress("6/6 Fertig – Daten speichern …")
        (staging / MANIFEST).write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
    return ImportResult(
        into, False, clipped, shown_area, stats.addresses, stats.streets,
        len(roads["features"]), _cpu() - began, _peak_mb(), manifest,
    )  # fmt: skip


# --------------------------------------------------------------------------- checks


_PBF_MAGIC = b"OSMHeader"


def _check_source(pbf: Path) -> tuple[float, float, float, float] | None:
    """The extract's bounding box (west, south, east, north) from its header, if any."""
    import osmium

    if not pbf.is_file():
        raise ExtractNotFound(f"Die Datei „{pbf}“ gibt es nicht.")
    with pbf.open("rb") as handle:
        head = handle.read(64)
    is_pbf = _PBF_MAGIC in head
    is_xml = head.lstrip().startswith(b"<?xml") or b"<osm" in head
    if not (is_pbf or is_xml):
        raise ExtractUnreadable(
            f"„{pbf.name}“ ist keine OpenStreetMap-Datei. Erwartet wird ein Auszug im Format "
            ".osm.pbf, z. B. hessen-latest.osm.pbf von download.geofabrik.de."
        )
    try:
        reader = osmium.io.Reader(str(pbf), osmium.osm.NOTHING)
        header = reader.header()
        reader.close()
    except (RuntimeError, ValueError) as exc:
        raise ExtractUnreadable(
            f"„{pbf.name}“ lässt sich nicht als OpenStreetMap-Datei lesen ({exc})."
        ) from exc
    box = header.box()
    if not box.valid():
        return None
    return box.bottom_left.lon, box.bottom_left.lat, box.top_right.lon, box.top_right.lat


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _manifest(folder: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _reusable(manifest: dict[str, Any], digest: str, area: Area, folder: Path) -> bool:
    same = (
        manifest.get("format") == FORMAT
        and manifest.get("osrm") == osrm_adapter.OSRM_VERSION
        and manifest.get("adressindex") == INDEX_VERSION
        and manifest.get("quelle", {}).get("sha256") == digest
        and (not manifest.get("clipped") or manifest.get("area") == area.name)
    )
    files = [folder / ADDRESSES, folder / MAIN_ROADS, osrm_base(folder).with_suffix(".osrm.hsgr")]
    return same and all(f.is_file() for f in files)


# --------------------------------------------------------------------------- clipping


def clip(source: Path, target: Path, area: Area) -> bool:
    """Write the part of ``source`` inside ``area`` to ``target``; False if it has no way.

    "Complete ways": a way with a node inside is kept whole, with all its nodes (their
    tags too: OSRM reads traffic signals and barriers from them). Turn restrictions and
    multipolygons that touch a kept way are kept with their members.
    """
    import osmium

    tracker = osmium.IdTracker()
    wanted_relations = {"restriction", "multipolygon"}
    processor = (
        osmium.FileProcessor(str(source))
        .with_locations()
        .with_filter(osmium.filter.EmptyTagFilter())
    )
    ways = 0
    try:
        for obj in processor:
            if isinstance(obj, osmium.osm.Node):
                location = obj.location
                if location.valid() and area.inside(location.lon, location.lat):
                    tracker.add_node(obj.id)
            elif isinstance(obj, osmium.osm.Way):
                nodes = obj.nodes
                count = len(nodes)
                # Every n-th node and the last: a way partly inside is found; the margin is
                # kilometres wide, so a way that only grazes the edge does not matter.
                step = max(1, count // 8)
                for i in (*range(0, count, step), count - 1):
                    location = nodes[i].location
                    if location.valid() and area.inside(location.lon, location.lat):
                        tracker.add_way(obj.id)
                        ways += 1
                        break
            elif (
                isinstance(obj, osmium.osm.Relation)
                and obj.tags.get("type") in wanted_relations
            ):
                way_ids = tracker.way_ids()
                if any(m.type == "w" and m.ref in way_ids for m in obj.members):
                    tracker.add_relation(obj.id)
        if not ways:
            return False
        tracker.complete_backward_references(str(source), relation_depth=0)
        header = osmium.io.Header()
        header.add_box(osmium.osm.Box(area.west, area.south, area.east, area.north))
        header.set("generator", "beratung-mobil-planner")
        with osmium.SimpleWriter(str(target), header=header, overwrite=True) as writer:
            osmium.apply(str(source), tracker.id_filter(), writer)
    except RuntimeError as exc:
        raise ExtractUnreadable(_broken(source)) from exc
    return True


def _broken(path: Path) -> str:
    return (
        f"„{path.name}“ ist beschädigt oder unvollständig (Download abgebrochen?) – bitte die "
        "Datei neu herunterladen."
    )


# --------------------------------------------------------------------------- OSRM


def _osrm_steps(source: Path, base: Path, progress: Progress) -> None:
    log: list[str] = []
    try:
        osrm_adapter.extract(source, base, log=log.append)
    except OsrmFailed as exc:
        text = (" ".join(log) + " " + str(exc)).lower()
        if any(word in text for word in ("pbf_error", "unexpected eof", "xml_error", "io_error")):
            raise ExtractUnreadable(_broken(source)) from exc
        if "no edges" in text or "empty" in text or "no nodes" in text:
            raise ExtractWithoutRoads(
                f"„{source.name}“ enthält keine Straßen, die ein Auto befahren darf."
            ) from exc
        raise
    progress("3/6 Fahrzeit-Graph berechnen (osrm-contract) …")
    osrm_adapter.contract(base, log=log.append)


# --------------------------------------------------------------------------- measuring


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _peak_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024  # Linux reports kilobytes
