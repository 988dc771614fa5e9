"""``planner roads import|matrix|calibrate`` and the ``--strassen`` option (German CLI).

Kept apart from :mod:`planner.cli` so the main parser only gains a few lines; nothing
here imports OSRM or pyosmium until a road command actually runs.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

from planner import settings

if TYPE_CHECKING:
    from planner.roads.context import RoadContext

__all__ = ["add_road_options", "add_roads_parser", "context_from", "roads_command"]

if TYPE_CHECKING:
    Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]


def add_road_options(p: argparse.ArgumentParser, *, calibration: bool = True) -> None:
    """``--strassen ORDNER`` (and ``--kalibrierung DATEI``) for plan, demo, check, import."""
    p.add_argument("--strassen", type=Path, metavar="ORDNER",
                   help="Straßendaten aus planner roads import: Fahrzeiten über das "
                   "Straßennetz, Adressen auf die Hausnummer, Straßenverlauf auf der Karte "
                   "(offline)")  # fmt: skip
    if calibration:
        p.add_argument("--kalibrierung", type=Path, metavar="DATEI",
                       help="ohne Straßendaten: die Schätzung mit den Werten aus "
                       "planner roads calibrate --out DATEI")  # fmt: skip


def add_roads_parser(commands: Subparsers) -> None:  # noqa: F821 - a typing-only alias
    roads = commands.add_parser(
        "roads", help="Straßendaten aus OpenStreetMap: vorbereiten, Fahrzeiten, Kalibrierung",
        description="Bereitet einen OpenStreetMap-Auszug (z. B. hessen-latest.osm.pbf) für "
        "echte Fahrzeiten und hausnummerngenaue Adressen vor – alles offline.",
    )  # fmt: skip
    actions = roads.add_subparsers(dest="roads_command", metavar="AKTION", title="Aktionen",
                                   required=True)  # fmt: skip
    imp = actions.add_parser(
        "import", help="OpenStreetMap-Auszug einmalig vorbereiten",
        description="Schneidet den Auszug auf den Lahn-Dill-Kreis + "
        f"{settings.ROADS_CLIP_MARGIN_KM:g} km zu (wenn er ihn abdeckt), bereitet das "
        "Straßennetz mit dem Autoprofil von OSRM auf und legt das Adressverzeichnis und die "
        "Hauptstraßen für die Karte an. Eine schon vorbereitete Datei wird wiederverwendet.",
    )  # fmt: skip
    imp.add_argument("datei", type=Path, metavar="DATEI.osm.pbf",
                     help="OpenStreetMap-Auszug, z. B. hessen-latest.osm.pbf")  # fmt: skip
    imp.add_argument("--into", type=Path, default=settings.ROADS_DEFAULT_DIR, metavar="ORDNER",
                     help=f"Zielordner (Standard: {settings.ROADS_DEFAULT_DIR})")  # fmt: skip
    imp.add_argument("--neu", action="store_true",
                     help="auch eine schon vorbereitete Datei neu aufbereiten")  # fmt: skip

    matrix = actions.add_parser(
        "matrix", help="Fahrzeiten und Strecken zwischen Punkten (CSV) berechnen",
        description="Liest PUNKTE.csv mit den Spalten id;lat;lon (Dezimalpunkt oder -komma) "
        "und schreibt von;nach;sekunden;meter für jedes geordnete Paar (reine Fahrzeit ohne "
        "Parkzuschlag). Daneben …_punkte.csv: wohin jeder Punkt auf die Straße gelegt wurde "
        "und wie weit das war.",
    )  # fmt: skip
    matrix.add_argument("punkte", type=Path, metavar="PUNKTE.csv", help="Punkte (id;lat;lon)")
    matrix.add_argument("--strassen", type=Path, required=True, metavar="ORDNER",
                        help="Straßendaten aus planner roads import")  # fmt: skip
    matrix.add_argument("--out", type=Path, required=True, metavar="MATRIX.csv",
                        help="Ausgabedatei")  # fmt: skip

    cal = actions.add_parser(
        "calibrate", help="Schätzung mit echten Fahrzeiten vergleichen und anpassen",
        description="Vergleicht die eingebaute Schätzung mit den Fahrzeiten über das "
        "Straßennetz für alle Paare der 162 Orte und Ortsteile (oder der Punkte aus --punkte) "
        "und passt Umwegfaktor und Geschwindigkeiten an. Mit --out werden die Werte "
        "gespeichert; planner plan --kalibrierung DATEI nutzt sie ohne Straßendaten.",
    )  # fmt: skip
    cal.add_argument("--strassen", type=Path, required=True, metavar="ORDNER",
                     help="Straßendaten aus planner roads import")  # fmt: skip
    cal.add_argument("--punkte", type=Path, metavar="PUNKTE.csv",
                     help="eigene Punkte (id;lat;lon) statt der 162 Orte")  # fmt: skip
    cal.add_argument("--out", type=Path, metavar="DATEI",
                     help="angepasste Werte als JSON speichern (für --kalibrierung)")  # fmt: skip


def context_from(args: argparse.Namespace) -> RoadContext:
    """The road context of a planning command from its options."""
    from planner.roads.context import road_context

    return road_context(
        getattr(args, "strassen", None),
        getattr(args, "team", None),
        getattr(args, "kalibrierung", None),
    )


def roads_command(args: argparse.Namespace, out: Console, err: Console) -> None:
    actions: dict[str, Callable[[argparse.Namespace, Console, Console], None]] = {
        "import": _import,
        "matrix": _matrix,
        "calibrate": _calibrate,
    }
    actions[args.roads_command](args, out, err)


def _import(args: argparse.Namespace, out: Console, err: Console) -> None:
    from planner import output_folder
    from planner.roads.importer import import_extract

    output_folder.check_folder(args.into)
    began = time.perf_counter()
    with err.status("Straßendaten vorbereiten …") as status:

        def progress(text: str) -> None:
            status.update(text)
            err.print(f"[{time.perf_counter() - began:6.1f} s] {text}", markup=False,
                      highlight=False)  # fmt: skip

        result = import_extract(args.datei, args.into, progress=progress, force=args.neu)
    if result.reused:
        out.print(f"{args.into}: bereits vorbereitet aus {args.datei.name} – nichts zu tun.",
                  markup=False, highlight=False)  # fmt: skip
        return
    out.print(
        f"Fertig: {args.into}/ ({result.area}) – {result.addresses} Adressen, "
        f"{result.streets} Straßen, {result.main_road_lines} Hauptstraßen-Abschnitte; "
        f"{time.perf_counter() - began:.0f} s, {result.cpu_seconds:.0f} CPU-s, "
        f"höchstens {result.peak_mb:.0f} MB Speicher.",
        markup=False, highlight=False,
    )  # fmt: skip
    out.print(f"Planen mit: planner plan … --strassen {args.into}", markup=False,
              highlight=False)  # fmt: skip


def _matrix(args: argparse.Namespace, out: Console, err: Console) -> None:
    from planner import output_folder
    from planner.roads.dataset import RoadData
    from planner.roads.matrix import read_points, write_matrix

    output_folder.check_file(args.out)
    points = read_points(args.punkte)
    data = RoadData.open(args.strassen)
    with err.status(f"Fahrzeiten für {len(points)} Punkte …"):
        report = write_matrix(points, data.travel, args.out)
    snap = f"{report.max_snap_m:.0f}"
    out.print(
        f"{args.out}: {report.pairs} Paare aus {report.points} Punkten"
        + (f", {report.no_route} ohne Straßenverbindung (leer)" if report.no_route else "")
        + f". Größter Abstand zur Straße: {snap} m; Einzelheiten in {report.snap_file.name}.",
        markup=False, highlight=False,
    )  # fmt: skip
    for ident, metres in report.snapped_far[:20]:
        out.print(f"  Punkt {ident}: {metres:.0f} m bis zur nächsten Straße – bitte prüfen.",
                  markup=False, highlight=False)  # fmt: skip


def _calibrate(args: argparse.Namespace, out: Console, err: Console) -> None:
    from planner.roads.calibrate import calibrate, district_points
    from planner.roads.dataset import RoadData
    from planner.roads.matrix import read_points
    from planner.traveltime import GreatCircleEstimate

    points = read_points(args.punkte) if args.punkte else district_points()
    data = RoadData.open(args.strassen)
    with err.status(f"Fahrzeiten für {len(points)} Punkte vergleichen …"):
        result = calibrate(points, data.travel)
    table = Table(title=f"Schätzung gegen Straßennetz, {result.pairs} Paare (Fahrzeit)")
    for column in ("Schätzung", "Umweg", "km/h kurz", "km/h lang", "Median", "90 %", "max"):
        table.add_column(column, no_wrap=True)
    before = GreatCircleEstimate()
    for label, estimate, errors in (
        ("eingebaut", before, result.before),
        ("angepasst", result.estimate(), result.after),
    ):
        table.add_row(
            label,
            f"{estimate.detour_factor:.2f}".replace(".", ","),
            f"{estimate.speed_short_kmh:.1f}".replace(".", ","),
            f"{estimate.speed_long_kmh:.1f}".replace(".", ","),
            _minutes(errors.median_abs_s),
            _minutes(errors.p90_abs_s),
            _minutes(errors.worst_abs_s),
        )
    out.print(table)
    for label, errors in (("eingebaut", result.before), ("angepasst", result.after)):
        a, b = errors.worst_pair
        out.print(
            f"{label}: Median-Fehler {errors.median_rel * 100:.0f} % der Fahrzeit; größter "
            f"Fehler {a} → {b}.",
            markup=False, highlight=False,
        )  # fmt: skip
    if result.no_route:
        out.print(f"{result.no_route} Paare ohne Straßenverbindung wurden ausgelassen.")
    if args.out:
        result.save(args.out)
        out.print(f"Gespeichert: {args.out} – nutzen mit planner plan … --kalibrierung "
                  f"{args.out}", markup=False, highlight=False)  # fmt: skip


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:.1f} min".replace(".", ",")
