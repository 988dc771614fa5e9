"""Large client lists through the real command line: planned people, time and memory.

Each size is a generated list (``benchmarks/generate.py``, the same rows the Lahn-Dill
benchmark uses: cp1252, ``;``) planned with the demo team for the demo week by
``python -m planner plan`` in a child process, exactly as a user would run it. Measured
per run: people planned, wall time, CPU seconds and peak resident memory of the child
(``os.wait4``), and whether ``plan.csv`` lists every input row exactly once.

Targets (issue "Nothing lost, nothing leaked, at any size"): 10,000 and 50,000 rows plan
as many people as 1,000 rows (±10 %), each in ≤ 90 s wall and ≤ 1 GB peak RSS.
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._report import REPORT, markdown_table, section_preamble, write_section  # noqa: E402
from benchmarks.generate import WEEK_START, generate_week  # noqa: E402
from planner import settings  # noqa: E402

SECTION = "large_lists"
_STOPPED = re.compile(r"Rechenzeit [\d.,]+ s \((.*)\)\.\s*$")
DEFAULT_SIZES = (1_000, 10_000, 50_000)
TEAM = settings.DEMO_DIR / "team.toml"


@dataclass(frozen=True)
class Run:
    rows: int
    planned: int
    csv_rows: int
    each_row_once: bool
    exit_code: int
    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    stop: str


def write_list(n: int, seed: int, folder: Path) -> Path:
    """A generated client list as the job centre's export writes it (cp1252, ``;``)."""
    header, rows = generate_week(n, seed)
    path = folder / f"kunden_{n}.csv"
    with path.open("w", encoding="cp1252", newline="") as fh:
        writer = csv.writer(fh, delimiter=";", lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def plan_once(clients: Path, rows: int, out: Path, extra: Sequence[str]) -> Run:
    command = [
        sys.executable, "-m", "planner", "plan", "--clients", str(clients), "--team", str(TEAM),
        "--from", f"{WEEK_START:%d.%m.%Y}", "--out", str(out), *extra,
    ]  # fmt: skip
    began = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert child.stdout is not None
    stdout = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - began
    code = os.waitstatus_to_exitcode(status)
    stop = next((line for line in stdout.splitlines() if "Kundinnen/Kunden:" in line), "")
    planned = csv_rows = 0
    ids: Counter[str] = Counter()
    plan_csv = out / "plan.csv"
    if code == 0 and plan_csv.exists():
        with plan_csv.open(encoding="utf-8-sig", newline="") as fh:
            for record in csv.DictReader(fh, delimiter=";"):
                csv_rows += 1
                planned += record["status"] == "geplant"
                ids[record["kunden_nr"]] += 1
    return Run(
        rows=rows,
        planned=planned,
        csv_rows=csv_rows,
        each_row_once=csv_rows == rows and len(ids) == rows and max(ids.values(), default=0) == 1,
        exit_code=code,
        wall_s=wall,
        cpu_s=usage.ru_utime + usage.ru_stime,
        peak_rss_mb=usage.ru_maxrss / 1024,  # Linux reports KiB
        stop=match[1] if (match := _STOPPED.search(stop)) else stop,
    )


TABLE_HEADER = [
    "rows", "planned", "vs 1,000 rows", "plan.csv rows", "each row once", "exit",
    "wall s", "CPU s", "peak RSS MB",
]  # fmt: skip


def table_rows(runs: Sequence[Run]) -> list[list[str]]:
    base = next((r.planned for r in runs if r.rows == 1_000), None)
    out: list[list[str]] = []
    for r in runs:
        ratio = f"{100 * r.planned / base:.0f} %" if base else "–"
        out.append(
            [
                f"{r.rows:,}",
                str(r.planned),
                ratio,
                f"{r.csv_rows:,}",
                "yes" if r.each_row_once else "**no**",
                str(r.exit_code),
                f"{r.wall_s:.1f}",
                f"{r.cpu_s:.1f}",
                f"{r.peak_rss_mb:.0f}",
            ]  # fmt: skip
        )
    return out


def markdown(runs: Sequence[Run], args: argparse.Namespace) -> str:
    return "\n".join(
        [
            "## Large client lists (`benchmarks/large_lists.py`)",
            "",
            section_preamble().rstrip(),
            f"- Lists: `benchmarks/generate.py`, seed {args.seed}; team: the demo team "
            f"(3 coaches, one van); week from {WEEK_START:%d.%m.%Y}, 5 days; run as "
            "`python -m planner plan … --out DIR` in a child process"
            + (f" with `{' '.join(args.extra)}`" if args.extra else " with default settings"),
            "",
            markdown_table(TABLE_HEADER, table_rows(runs)),
            "",
            "*planned*: rows of plan.csv with status `geplant`. *each row once*: plan.csv has "
            "one row per input row and every Kunden-Nr once. *wall*, *CPU* (user + system) and "
            "*peak RSS*: of the planner's process, from `os.wait4`, including reading the "
            "list, geocoding, solving and writing map, sheets and plan.csv. Targets: 10,000 and "
            "50,000 rows plan within ±10 % of 1,000 rows, ≤ 90 s wall, ≤ 1 GB peak RSS. "
            "Stopped by: " + "; ".join(f"{r.rows:,}: {r.stop}" for r in runs) + ".",
        ]
    )


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--extra", nargs=argparse.REMAINDER, default=[], help="more options for `planner plan`"
    )
    parser.add_argument("--out", type=Path, default=REPORT, help="Markdown report")
    parser.add_argument("--no-write", action="store_true", help="print only")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    runs: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="bm-large-") as tmp:
        folder = Path(tmp)
        for n in sorted(set(args.sizes)):
            clients = write_list(n, args.seed, folder)
            print(f"{n:,} rows …", flush=True)
            run = plan_once(clients, n, folder / f"plan_{n}", args.extra)
            print(f"  {run}", flush=True)
            runs.append(run)
    print(markdown_table(TABLE_HEADER, table_rows(runs)))
    if not args.no_write:
        print(f"wrote {write_section(SECTION, markdown(runs, args), args.out)}")
    return 0 if all(r.exit_code == 0 and r.each_row_once for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
