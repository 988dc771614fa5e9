"""Road data from OpenStreetMap: import cost, matrix speed, geocoder quality, Hessen estimate.

Measures on ``../shared/data/osm/monaco.osm.pbf`` (or ``--extract FILE``):

* ``planner roads import`` in a fresh child process: wall time, CPU seconds (the process
  and the OSRM tools) and peak resident memory;
* a 1,000 × 1,000 road matrix through the planner's provider (the CPU seconds of the
  table call, which is what planning waits for), three runs, best and median;
* the address index on a test set drawn from the extract (each address the ways people
  write it) and with a fifth of the addresses held back (what the index makes of houses
  it does not know), scored against positions read independently from the extract;
* with ``--lahn-dill`` and an extract covering the district: the 14 validation
  addresses of ``../shared/data/lahn-dill/validation`` (median error, precision).

Writes the ``roads`` section of docs/benchmarks.md, including the cost estimate for a
Hessen extract derived from these measurements.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._report import markdown_table, section_preamble, write_section  # noqa: E402

MONACO = ROOT.parent / "shared" / "data" / "osm" / "monaco.osm.pbf"
VALIDATION = (
    ROOT.parent / "shared" / "data" / "lahn-dill" / "validation" / "geocoding_addresses.csv"
)

#: Public figures used only for the paper estimate (Geofabrik, late 2026, rounded).
HESSEN_PBF_MB = 330.0


def _import_child(pbf: Path, into: Path) -> dict[str, float]:
    """Run the import in a child so its peak memory is its own."""
    code = (
        "import json, resource, sys, time\n"
        "from pathlib import Path\n"
        "from planner.roads.importer import import_extract\n"
        "t = time.perf_counter()\n"
        "r = import_extract(Path(sys.argv[1]), Path(sys.argv[2]), force=True)\n"
        "own = resource.getrusage(resource.RUSAGE_SELF)\n"
        "kids = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
        "print(json.dumps({'wall': time.perf_counter() - t,\n"
        "  'cpu': own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime,\n"
        "  'peak_self_mb': own.ru_maxrss / 1024, 'peak_osrm_mb': kids.ru_maxrss / 1024,\n"
        "  'addresses': r.addresses, 'streets': r.streets, 'clipped': r.clipped}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(pbf), str(into)],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def _clip_child(pbf: Path, out: Path) -> dict[str, float]:
    """CPU seconds and peak memory of clipping the whole file to a 1 km circle."""
    code = (
        "import json, resource, sys, time\n"
        "from pathlib import Path\n"
        "from planner.roads.area import circle\n"
        "from planner.roads.importer import clip\n"
        "t = time.process_time()\n"
        "clip(Path(sys.argv[1]), Path(sys.argv[2]), circle(43.7384, 7.4246, 1000, 'x'))\n"
        "own = resource.getrusage(resource.RUSAGE_SELF)\n"
        "print(json.dumps({'cpu': own.ru_utime + own.ru_stime, 'peak_mb': own.ru_maxrss / 1024}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(pbf), str(out)],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _osm_counts(pbf: Path) -> dict[str, int]:
    import osmium

    class Count(osmium.SimpleHandler):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__()
            self.nodes = self.ways = self.relations = 0

        def node(self, _: object) -> None:
            self.nodes += 1

        def way(self, _: object) -> None:
            self.ways += 1

        def relation(self, _: object) -> None:
            self.relations += 1

    counter = Count()
    counter.apply_file(str(pbf))
    return {"nodes": counter.nodes, "ways": counter.ways, "relations": counter.relations}


def _matrix_runs(folder: Path, n: int, runs: int) -> list[float]:
    from planner.roads.dataset import RoadData

    data = RoadData.open(folder)
    west, south, east, north = 7.409, 43.725, 7.440, 43.751  # Monaco's built-up area
    rng = random.Random(1)
    points = [(rng.uniform(south, north), rng.uniform(west, east)) for _ in range(n)]
    data.travel.matrix(points[:10])  # map the files once, as a planning run would
    cpu = []
    for _ in range(runs):
        began = time.process_time()
        data.travel.matrix(points)
        cpu.append(time.process_time() - began)
    return cpu


def _geocoder(pbf: Path, folder: Path) -> dict[str, object]:
    from planner.geocode.osm_addresses import AddressIndex
    from planner.roads.addresses import build_index
    from tests.osm_testset import addresses, queries, score

    truths = addresses(pbf)
    index = AddressIndex(folder / "adressen.sqlite")
    asked = list(queries(truths))
    full = score([(q, index.lookup(q.street, q.truth.number)) for q in asked])
    held = {t.osm for i, t in enumerate(truths) if i % 5 == 0}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ohne.sqlite"
        build_index(pbf, path, skip=lambda osm: osm in held)
        without = AddressIndex(path)
        back = [
            q for q in queries([t for t in truths if t.osm in held]) if q.variant == "wie getaggt"
        ]
        held_score = score([(q, without.lookup(q.street, q.truth.number)) for q in back])
    return {"truths": len(truths), "full": full, "held": held_score, "held_n": len(held)}


def _lahn_dill(folder: Path) -> list[list[str]]:
    from planner import geodata
    from planner.geocode.gazetteer import default_gazetteer
    from planner.geocode.osm_addresses import StreetLevelResolver
    from planner.model import Address
    from planner.roads.dataset import RoadData

    chain = StreetLevelResolver([RoadData.open(folder).addresses], default_gazetteer())
    rows = []
    with VALIDATION.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            street = f"{row['street']} {row['housenumber']}".strip()
            match = chain.resolve(
                Address(street=street, postcode=row["postcode"], place=row["city"])
            ).match
            error = (
                geodata.distance_m(match.lat, match.lon, float(row["lat"]), float(row["lon"]))
                if match else float("nan")
            )  # fmt: skip
            rows.append(
                [street, row["city"], match.precision.value if match else "–", f"{error:.0f}"]
            )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extract", type=Path, default=MONACO)
    parser.add_argument("--matrix", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--lahn-dill",
        action="store_true",
        help="also score the 14 validation addresses (needs a Hessen extract)",
    )
    parser.add_argument("--no-report", action="store_true")
    args = parser.parse_args()
    if not args.extract.is_file():
        print(f"{args.extract} fehlt – nichts zu messen.")
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "strassen"
        imported = _import_child(args.extract, folder)
        imported.update(
            {f"clip_{k}": v for k, v in _clip_child(args.extract, Path(tmp) / "c.osm.pbf").items()}
        )
        counts = _osm_counts(args.extract)
        cpu = _matrix_runs(folder, args.matrix, args.runs)
        geo = _geocoder(args.extract, folder)
        validation = _lahn_dill(folder) if args.lahn_dill else []
        size_mb = args.extract.stat().st_size / 1e6
        osrm_files = sum(p.stat().st_size for p in (folder / "osrm").iterdir()) / 1e6
    markdown = _report(args, imported, counts, cpu, geo, validation, size_mb, osrm_files)
    print(markdown)
    if not args.no_report:
        write_section("roads", markdown)


def _report(args, imported, counts, cpu, geo, validation, size_mb, osrm_mb) -> str:  # type: ignore[no-untyped-def]
    full, held = geo["full"], geo["held"]
    n = args.matrix
    objects = counts["nodes"] + counts["ways"] + counts["relations"]
    lines = [
        "## Road data from OpenStreetMap (`planner roads`)",
        "",
        section_preamble(),
        f"Extract: `{args.extract.name}` ({size_mb:.2f} MB, {counts['nodes']:,} nodes, "
        f"{counts['ways']:,} ways, {counts['relations']:,} relations"
        f"{', clipped' if imported['clipped'] else ', whole file (does not cover the district)'}).",
        "",
        markdown_table(
            ["Measure", "Value"],
            [
                ["`planner roads import`: wall time", f"{imported['wall']:.1f} s"],
                ["… CPU seconds (planner process + OSRM tools)", f"{imported['cpu']:.1f} s"],
                [
                    "… peak memory, planner process (clip, address index)",
                    f"{imported['peak_self_mb']:.0f} MB",
                ],
                ["… peak memory, largest OSRM tool", f"{imported['peak_osrm_mb']:.0f} MB"],
                ["… prepared OSRM files", f"{osrm_mb:.1f} MB"],
                [
                    "Clipping the whole file to an area (CPU s / peak memory)",
                    f"{imported['clip_cpu']:.2f} s / {imported['clip_peak_mb']:.0f} MB",
                ],
                [
                    "… addresses / street instances in the index",
                    f"{imported['addresses']:.0f} / {imported['streets']:.0f}",
                ],
                [
                    f"{n} × {n} matrix, CPU s (best / median of {len(cpu)})",
                    f"{min(cpu):.2f} / {statistics.median(cpu):.2f} s (target ≤ 5 s)",
                ],
            ],
        ),  # fmt: skip
        "",
        "**Geocoder on a test set drawn from the extract** (ground truth read with pyosmium "
        "independently of the index: node position or building centroid). Each of the "
        f"{geo['truths']} addresses with street and number is asked in up to six spellings "
        "(as tagged, lower case, without accents, hyphens as spaces, two letters swapped, "
        "“Str.”): ",
        "",
        markdown_table(
            [
                "Test set",
                "Queries",
                "House number",
                "Street",
                "≥ street",
                "Median error",
                "90 %",
                "Worst found",
            ],
            [
                [
                    "all addresses, six spellings",
                    str(full.queries),
                    str(full.at_house),
                    str(full.at_street),
                    f"{full.share_street_or_better:.1%}",
                    f"{full.median_m:.1f} m",
                    f"{full.p90_m:.1f} m",
                    f"{full.worst_m:.0f} m",
                ],
                [
                    f"{geo['held_n']} addresses held back from the index",
                    str(held.queries),
                    str(held.at_house),
                    str(held.at_street),
                    f"{held.share_street_or_better:.1%}",
                    f"{held.median_m:.1f} m",
                    f"{held.p90_m:.1f} m",
                    f"{held.worst_m:.0f} m",
                ],
            ],
        ),  # fmt: skip
        "",
        "Target (issue 11): median ≤ 30 m and ≥ 95 % at house-number or street precision. "
        "Held-back addresses measure the fallback (interpolation between known numbers, else "
        "the street midpoint); a held-back number can still be found when another object "
        "carries it.",
        "",
    ]
    if validation:
        lines += [
            "**Lahn-Dill validation addresses** (BNetzA charging sites, independent coordinates):",
            "",
            markdown_table(["Address", "Town", "Precision", "Error (m)"], validation),
            "",
        ]
    else:
        lines += [
            "The 14 Lahn-Dill validation addresses (`../shared/data/lahn-dill/validation`) need "
            "an extract that covers the district; rerun with "
            "`--extract hessen-latest.osm.pbf --lahn-dill` on a machine that has one. Today, "
            "without road data, every one of them lands at municipality level, median 1,172 m off.",
            "",
        ]
    # Paper estimate for Hessen: clip cost scales with the whole file (read twice in C++,
    # tagged objects once in Python); OSRM and the index scale with the clipped part.
    clip_fraction = 0.15
    hessen_objects = objects / size_mb * HESSEN_PBF_MB
    lines += [
        "**Estimate for a Hessen extract** (on paper, from the figures above; not measured):",
        "",
        f"- Size ≈ {HESSEN_PBF_MB:.0f} MB ≈ {hessen_objects / 1e6:.0f} million objects at "
        f"Monaco's density ({objects / size_mb / 1e3:.0f} thousand objects per MB).",
        f"- Clipping reads the whole file: {imported['clip_cpu'] / size_mb:.2f} CPU s per MB here, "
        f"so ≈ {imported['clip_cpu'] / size_mb * HESSEN_PBF_MB / 60:.0f} CPU-minutes for Hessen.",
        f"- The district plus 10 km is about {clip_fraction:.0%} of Hessen's area (≈ 3,000 of "
        "21,100 km²), so OSRM and the address index see ≈ 50 MB of data: "
        f"≈ {(imported['cpu'] - imported['clip_cpu'] * 0) / size_mb * 50 / 60:.0f} CPU-minutes at "
        "Monaco's rate per MB; contraction grows faster than linear with the graph, so plan "
        f"for up to ≈ {3 * imported['cpu'] / size_mb * 50 / 60:.0f} CPU-minutes. In all: a one-off "
        "import of a few minutes to a quarter of an hour on two cores.",
        "- Peak memory: the node-location cache holds ≈ 16 bytes per node of the whole file "
        f"(≈ {hessen_objects * 0.85 * 16 / 1e9:.1f} GB for ≈ {hessen_objects * 0.85 / 1e6:.0f} "
        "million nodes) and the id tracker allocates per id range; expect 1.5–2.5 GB during "
        "the clip, well below 1 GB for OSRM on the clipped part.",
        f"- Matrix: table time grows with the graph's depth, not its size alone; a 1,000 × 1,000 "
        f"table took {min(cpu):.2f} CPU s here, and CH tables on district-sized graphs typically "
        "stay around a second, inside the 5 s target.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
