"""Solver quality on Solomon / Gehring–Homberger VRPTW instances against best-known solutions.

Each instance goes through exactly the planner's path: :func:`benchmarks.convert.to_vrp`
→ ``planner.solve.strategy.solve`` (the engine portfolio: PyVRP for instances it models
exactly, OR-Tools otherwise; ``--engine`` forces one) with the default search settings
and a time limit. Every solution is re-checked with exact distances by :mod:`benchmarks.checker`.

    python benchmarks/solomon.py --instances C101 R2?? --time-limit 5 --no-write
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):
    # Run as a script: make `planner` and `benchmarks` importable from the repo root.
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import csv
import time
from collections.abc import Sequence
from dataclasses import dataclass, fields
from statistics import mean

import ortools
from ortools.constraint_solver import routing_enums_pb2

from benchmarks._report import (
    ROOT,
    SHARED,
    markdown_table,
    section_preamble,
    write_section,
)
from benchmarks.checker import check_solution
from benchmarks.convert import Objective, to_vrp
from benchmarks.instances import (
    COLLECTIONS,
    collection_of,
    find_instances,
    instance_class,
    read_bks,
    read_instance,
)
from planner.solve.ortools_adapter import SearchSettings
from planner.solve.stopping import FirstOf, TimeLimit
from planner.solve.strategy import Engine, solve

CLASSES = ("C1", "C2", "R1", "R2", "RC1", "RC2")
TITLES = {
    "solomon": "Solomon VRPTW (100 customers)",
    "homberger200": "Gehring–Homberger VRPTW (200 customers)",
    "homberger_large": "Gehring–Homberger VRPTW (400 and 1000 customers)",
}


@dataclass(frozen=True)
class Result:
    name: str
    collection: str
    customers: int
    vehicles: int
    distance: float  # exact, from the checker
    bks_vehicles: int | None
    bks_distance: float | None
    feasible: bool
    violations: tuple[str, ...]
    seconds: float  # wall time of conversion + solve
    status: str

    @property
    def cls(self) -> str:
        return instance_class(self.name)

    @property
    def gap(self) -> float | None:
        """(ours − BKS) / BKS in %, only for feasible solutions with a BKS."""
        if not self.feasible or not self.bks_distance:
            return None
        return (self.distance - self.bks_distance) / self.bks_distance * 100

    @property
    def within_bks_vehicles(self) -> bool:
        return (
            self.feasible and self.bks_vehicles is not None and self.vehicles <= self.bks_vehicles
        )


def run_instance(
    path: Path,
    bks: tuple[int, float] | None,
    objective: Objective,
    seconds: float,
    engine: Engine = "auto",
    seed: int = 0,
) -> Result:
    instance = read_instance(path)
    began = time.perf_counter()
    solution = solve(
        to_vrp(instance, objective),
        FirstOf((TimeLimit(seconds),)),
        SearchSettings(),
        engine=engine,
        seed=seed,
    )
    wall = time.perf_counter() - began
    check = check_solution(instance, [route.nodes for route in solution.routes])
    return Result(
        name=instance.name,
        collection=collection_of(path),
        customers=instance.n_customers,
        vehicles=check.vehicles,
        distance=check.distance,
        bks_vehicles=bks[0] if bks else None,
        bks_distance=bks[1] if bks else None,
        feasible=check.feasible,
        violations=check.violations,
        seconds=wall,
        status=solution.status,
    )


# --- formatting -------------------------------------------------------------------------


def _num(value: float | int | None, fmt: str = ".2f") -> str:
    return "–" if value is None else format(value, fmt)


def _gap(value: float | None) -> str:
    # round first so that a BKS quoted to two decimals never shows as "-0.00"
    return "–" if value is None else format(round(value, 2) + 0.0, "+.2f")


def _feasible(result: Result) -> str:
    return "yes" if result.feasible else "**no**"


def progress_line(i: int, total: int, r: Result) -> str:
    gap = f"{_gap(r.gap)} %" if r.gap is not None else "–"
    return (
        f"[{i:>{len(str(total))}}/{total}] {r.name:<9} {r.customers:>4} customers  "
        f"vehicles {r.vehicles}/{_num(r.bks_vehicles, 'd')}  "
        f"distance {r.distance:.2f}/{_num(r.bks_distance)}  gap {gap}  "
        f"feasible {'yes' if r.feasible else 'NO'}  {r.seconds:.1f} s"
    )


def instance_table(results: Sequence[Result]) -> str:
    header = ["Instance", "Customers", "Vehicles", "BKS veh.", "Distance", "BKS dist."]
    header += ["Gap %", "Feasible", "Time s"]
    rows = [
        [
            r.name,
            str(r.customers),
            str(r.vehicles),
            _num(r.bks_vehicles, "d"),
            f"{r.distance:.2f}",
            _num(r.bks_distance),
            _gap(r.gap),
            _feasible(r),
            f"{r.seconds:.1f}",
        ]
        for r in results
    ]
    return markdown_table(header, rows)


def summary_row(label: str, results: Sequence[Result]) -> list[str]:
    gaps = [r.gap for r in results if r.gap is not None]
    within = [r.gap for r in results if r.within_bks_vehicles and r.gap is not None]
    times = [r.seconds for r in results]
    ours = sum(r.vehicles for r in results if r.feasible)
    theirs = sum(r.bks_vehicles or 0 for r in results if r.feasible)
    return [
        label,
        str(len(results)),
        _gap(mean(gaps) if gaps else None),
        _gap(mean(within) if within else None),
        str(sum(r.within_bks_vehicles for r in results)),
        str(sum(not r.feasible for r in results)),
        f"{ours}/{theirs}",
        f"{mean(times):.1f}",
        f"{max(times):.1f}",
    ]


def summary_table(results: Sequence[Result]) -> str:
    header = ["Class", "Instances", "Mean gap %", "Mean gap % (veh. ≤ BKS)", "Veh. ≤ BKS"]
    header += ["Infeasible", "Σ vehicles / BKS", "Mean s", "Max s"]
    groups = [(c, [r for r in results if r.cls == c]) for c in CLASSES]
    rows = [summary_row(c, group) for c, group in groups if group]
    rows.append(summary_row("**all**", results))
    return markdown_table(header, rows)


def search_text(search: SearchSettings) -> str:
    """The search settings as a reader can look them up (enum names, not numbers)."""
    names = {
        "first_solution": routing_enums_pb2.FirstSolutionStrategy.Value.Name,
        "metaheuristic": routing_enums_pb2.LocalSearchMetaheuristic.Value.Name,
    }
    # Generic over the fields, so that settings added to the adapter are reported too.
    parts = [
        names[f.name](value) if f.name in names else f"{f.name}={value!r}"
        for f in fields(search)
        if (value := getattr(search, f.name)) not in (None, (), False)
    ]
    return ", ".join(parts)


def settings_text(objective: Objective, seconds: float, seed: int, engine: Engine) -> str:
    what = {
        "hierarchical": "hierarchical (fixed cost per vehicle above any distance: "
        "vehicles first, then distance, like the BKS)",
        "distance": "distance only (no vehicle cost; the BKS minimise vehicles first)",
    }[objective]
    return (
        f"- Objective: {what}\n"
        f"- Solver: the planner's solve strategy, engine `{engine}` ({ENGINE_TEXT[engine]}); "
        f"OR-Tools {ortools.__version__} with default search settings "
        f"({search_text(SearchSettings())}), PyVRP {_pyvrp_version()}; "
        f"time limit {seconds:g} s per instance, one thread\n"
        f"- Seed: {seed} (PyVRP's random seed; OR-Tools' routing search is deterministic)\n"
        "- Data: integers ×100 (cost `round(100 × Euclidean)`, travel time "
        "`ceil(100 × Euclidean)` so that on time in integers is on time exactly); "
        "distances below re-measured "
        "unrounded by `benchmarks/checker.py`, which also decides *Feasible*\n"
    )


ENGINE_TEXT = {
    "auto": "portfolio: PyVRP when it models the instance exactly, else OR-Tools",
    "ortools": "OR-Tools only, guided local search",
    "pyvrp": "PyVRP only, iterated local search",
}


def _pyvrp_version() -> str:
    from importlib.metadata import version

    return version("pyvrp")


LEGEND = (
    "Gap % = (ours − BKS) / BKS × 100 on distance, averaged over feasible instances only; "
    "*veh. ≤ BKS* restricts to instances where we use no more vehicles than the BKS "
    "(only there is the distance comparison fair). Σ vehicles over feasible instances."
)


def report(
    results: Sequence[Result], objective: Objective, seconds: float, seed: int, engine: Engine
) -> str:
    parts = [
        (section_preamble() + settings_text(objective, seconds, seed, engine)).rstrip(),
        summary_table(results),
        LEGEND,
        instance_table(results),
    ]
    problems = [
        f"- {r.name}: {r.status}; " + "; ".join(r.violations[:3]) for r in results if not r.feasible
    ]
    if problems:
        parts.append("Infeasible results:\n\n" + "\n".join(problems))
    return "\n\n".join(parts) + "\n"


def _collections(paths: Sequence[Path]) -> list[str]:
    used = {collection_of(p) for p in paths}
    return [c for c in COLLECTIONS if c in used]


def section_name(paths: Sequence[Path], objective: Objective, engine: Engine = "auto") -> str:
    """`solomon`, `homberger200`, … after the folders selected, so runs do not overwrite."""
    name = "+".join(_collections(paths)) or "solomon"
    name = name if objective == "hierarchical" else f"{name}-distance"
    return name if engine == "auto" else f"{name}-{engine}"


def section_title(paths: Sequence[Path], objective: Objective, engine: Engine = "auto") -> str:
    sets = " + ".join(TITLES[c] for c in _collections(paths))
    who = {"auto": "planner portfolio", "ortools": "OR-Tools alone", "pyvrp": "PyVRP alone"}
    return f"{sets}: {who[engine]} against best-known solutions ({objective} objective)"


def write_csv(results: Sequence[Result], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fields = ["instance", "class", "customers", "vehicles", "distance", "bks_vehicles"]
    fields += ["bks_distance", "gap_percent", "feasible", "seconds", "status"]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(fields)
        for r in results:
            writer.writerow(
                [
                    r.name,
                    r.cls,
                    r.customers,
                    r.vehicles,
                    f"{r.distance:.4f}",
                    r.bks_vehicles if r.bks_vehicles is not None else "",
                    f"{r.bks_distance:.4f}" if r.bks_distance is not None else "",
                    f"{r.gap:.4f}" if r.gap is not None else "",
                    r.feasible,
                    f"{r.seconds:.2f}",
                    r.status,
                ]
            )


# --- command line -----------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--instances",
        nargs="+",
        default=["solomon"],
        metavar="SEL",
        help="instance names or globs (case-insensitive; 'R2*' also matches Homberger's "
        "r2_2_*, 'R2??' or 'solomon/R2*' does not) or solomon, homberger200, "
        "homberger_large, all (default: the 56 Solomon instances)",
    )
    parser.add_argument("--time-limit", type=float, default=30.0, help="seconds per instance")
    parser.add_argument(
        "--seed",
        type=int,
        default=1,
        help="PyVRP's random seed (OR-Tools' routing search is deterministic and ignores it)",
    )
    parser.add_argument(
        "--engine",
        choices=["auto", "ortools", "pyvrp"],
        default="auto",
        help="auto = the planner's portfolio (default), or force one engine",
    )
    parser.add_argument("--objective", choices=["hierarchical", "distance"], default="hierarchical")
    parser.add_argument(
        "--out", type=Path, default=ROOT / "docs" / "benchmarks.md", help="Markdown report"
    )
    parser.add_argument("--no-write", action="store_true", help="print only, write no files")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if not SHARED.is_dir():
        print(
            f"Benchmark data folder ../shared/benchmarks is absent ({SHARED}); nothing to run.",
            flush=True,
        )
        return 0
    try:
        paths = find_instances(args.instances)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    bks_cache: dict[Path, dict[str, tuple[int, float]]] = {}
    results: list[Result] = []
    print(
        f"{len(paths)} instances, {args.time_limit:g} s each, objective {args.objective}",
        flush=True,
    )
    for i, path in enumerate(paths, start=1):
        bks_file = path.parent / "bks.csv"
        if bks_file not in bks_cache:
            bks_cache[bks_file] = read_bks(bks_file) if bks_file.exists() else {}
        result = run_instance(
            path,
            bks_cache[bks_file].get(path.stem),
            args.objective,
            args.time_limit,
            args.engine,
            args.seed,
        )
        results.append(result)
        print(progress_line(i, len(paths), result), flush=True)
        for violation in result.violations[:5]:
            print(f"    {violation}", flush=True)

    markdown = report(results, args.objective, args.time_limit, args.seed, args.engine)
    print("\n" + markdown, flush=True)
    if not args.no_write:
        section = section_name(paths, args.objective, args.engine)
        title = section_title(paths, args.objective, args.engine)
        written = write_section(section, f"## {title}\n\n{markdown}", args.out)
        table = args.out.parent / "benchmarks" / f"{section}.csv"
        write_csv(results, table)
        print(f"Written: {written} (section {section}), {table}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
